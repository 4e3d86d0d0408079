"""A Google Forms multiple-choice grid (the 2019 Dask user survey, tests/fixtures/real, see SOURCES.md): ten
columns ``"What common feature requests do you care about most?  [<request>]"`` answered on a 3-point scale,
each matched to its item by the grid row's text, and checked cell by cell against an independent pandas reading."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from iur_survey.clean import CleanConfig, clean
from iur_survey.instrument import load_instrument
from iur_survey.read import detect_format, read_export

REAL = Path(__file__).resolve().parent.parent / "fixtures" / "real"
DASK = REAL / "google_forms_dask_2019_grid.csv"
QUESTION = "What common feature requests do you care about most?"
LABELS = {"Not relevant for me": 1.0, "Somewhat useful": 2.0, "Critical to me": 3.0, "": np.nan}


def _inst():
    return load_instrument(REAL / "instruments" / "google_forms_dask_grid.yaml")


def _read():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_export(DASK, _inst())


def _by_pandas(inst) -> pd.DataFrame:
    raw = pd.read_csv(DASK, dtype=str, keep_default_na=False)
    out = pd.DataFrame(index=raw.index)
    for code, item in inst.items.items():
        (col,) = [c for c in raw.columns if c.startswith(QUESTION) and c[len(QUESTION):].strip()[1:-1].strip() == item.en]
        out[code] = raw[col].map(lambda s: LABELS[s.strip()])
    return out


def test_grid_is_google_forms_and_read_cell_by_cell():
    inst = _inst()
    assert detect_format(DASK, inst) == "google_forms"
    raw = _read()
    theirs = _by_pandas(inst)
    assert len(raw.frame) == len(theirs) == 259
    codes = list(inst.item_codes)
    np.testing.assert_array_equal(raw.frame[codes].to_numpy(dtype=float), theirs[codes].to_numpy(dtype=float))
    # the grid row with a trailing blank ("Improve Scaling ") is found too, and every row is matched once
    assert raw.column_map[f"{QUESTION}  [Improve Scaling ]"] == "OPS1"
    assert sorted(t for t in raw.column_map.values() if t in codes) == sorted(codes)


def test_grid_clean_keeps_the_cells_pandas_reads():
    inst = _inst()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = clean(_read(), inst, CleanConfig())
    kept = res.clean
    excluded = res.exclusions.loc[res.exclusions["action"] == "excluded", "response_id"].nunique()
    assert 200 < len(kept) and len(kept) + excluded == 259
    theirs = _by_pandas(inst).loc[kept["response_id"].astype(int) - 1]
    codes = list(inst.item_codes)
    np.testing.assert_array_equal(kept[codes].to_numpy(dtype=float), theirs[codes].to_numpy(dtype=float))
    groups = pd.read_csv(DASK, dtype=str, keep_default_na=False)["Do you use Dask as part of a larger group?"]
    want = groups.loc[kept["response_id"].astype(int) - 1].map(
        {"I use Dask mostly on my own": "own", "My team or research group also use Dask": "team",
         "Beyond my group, many people throughout my institution use Dask": "institution"})
    assert kept["team"].astype(object).fillna("-").tolist() == want.fillna("-").tolist()
