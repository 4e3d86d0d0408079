"""Harman's single-factor test with missing answers: the first-component share from the pairwise-complete
correlations (psych::principal's default use = "pairwise"), with the rows and moments it rests on, and
typed one-line errors when it cannot be computed (not a numpy LinAlgError).

References: tests/measure/cmv_refs/harman_refs.json and harman_missing.csv (no complete row), made by
make_harman_refs.R in that folder (psych 2.2.9, lavaan 0.6.14).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.errors import DataError, IURSurveyError
from iur_survey.measure import harman_single_factor
from iur_survey.measure.cmv import first_component_share

HERE = Path(__file__).parent / "cmv_refs"
ITEMS = [f"a{i}" for i in range(1, 5)] + [f"b{i}" for i in range(1, 5)]


def refs() -> dict:
    return json.loads((HERE / "harman_refs.json").read_text())


def data() -> pd.DataFrame:
    return pd.read_csv(HERE / "harman_missing.csv")


def test_no_complete_row_gives_psych_pairwise_share():
    r, d = refs(), data()
    assert d.notna().all(axis=1).sum() == r["n_complete"] == 0
    tab = harman_single_factor(d, ITEMS)
    row = tab.loc["pca_first_component"]
    assert row["share"] == pytest.approx(r["pca_first_share"], rel=1e-9)
    assert row["n"] == r["n_rows"]
    assert row["basis"] == (f"pairwise-complete correlations, {r['pairwise_n_min']} to {r['pairwise_n_max']} "
                            "rows per pair")


def test_fiml_cfa_row_says_what_it_rests_on():
    r, d = refs(), data()
    from iur_survey.sem import cfa
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        one = cfa("F =~ " + " + ".join(ITEMS), d, missing="fiml")
    tab = harman_single_factor(d, ITEMS, single_factor=one)
    row = tab.loc["single_factor_cfa"]
    assert row["share"] == pytest.approx(r["cfa_fiml_share"], abs=1e-5)
    assert row["chisq"] == pytest.approx(r["cfa_fiml_fit"]["chisq"], rel=1e-5)
    assert row["n"] == r["cfa_fiml_nobs"]
    assert "FIML" in row["basis"]


def test_engine_path_runs_without_a_complete_row():
    """common_method()'s Harman part (the one-factor CFA fitted by the engine, default missing handling)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        h = harman_single_factor(data(), ITEMS, fit=True)
    assert list(h.index) == ["pca_first_component", "single_factor_cfa"]
    assert h["share"].notna().all() and (h["n"] == 300).all()
    assert h.loc["single_factor_cfa", "share"] == pytest.approx(refs()["cfa_fiml_share"], abs=1e-5)


def test_listwise_is_a_typed_error_when_no_row_is_complete():
    with pytest.raises(DataError, match=r"0 of 300 rows answer all 8 items") as e:
        harman_single_factor(data(), ITEMS, missing="listwise")
    assert "\n" not in str(e.value)


def test_listwise_on_complete_rows_says_so():
    d = data()
    full = d.fillna(d.mean().round())
    full.iloc[:10, 0] = np.nan
    tab = harman_single_factor(full, ITEMS, missing="listwise")
    assert tab.loc["pca_first_component", "n"] == 290
    assert tab.loc["pca_first_component", "basis"] == "complete rows (listwise), 290 of 300"
    x = full.dropna().to_numpy()
    ev = np.linalg.eigvalsh(np.corrcoef(x, rowvar=False))
    assert tab.loc["pca_first_component", "share"] == pytest.approx(ev[-1] / 8, rel=1e-12)


def test_pair_never_answered_together_is_a_typed_error():
    d = data()
    d.loc[d["a1"].notna(), "b4"] = np.nan            # a1 and b4 never answered by the same respondent
    with pytest.raises(DataError, match=r"items 'a1' and 'b4' are answered together by 0 row") as e:
        harman_single_factor(d, ITEMS)
    assert isinstance(e.value, IURSurveyError) and "\n" not in str(e.value)


def test_all_blank_is_a_typed_error():
    d = data()
    d[:] = np.nan
    with pytest.raises(DataError):
        harman_single_factor(d, ITEMS)


def test_item_without_variance_is_a_typed_error():
    d = data()
    d["b2"] = d["b2"].where(d["b2"].isna(), 4)
    with pytest.raises(DataError, match="item 'b2' has no variance"):
        harman_single_factor(d, ITEMS)


def test_inconsistent_pairwise_matrix_warns():
    x = pd.DataFrame({"a": [1, 2, 3, 4, None], "b": [2, 1, 4, None, 5], "c": [None, 1, 3, 4, 4]})
    with pytest.warns(UserWarning, match="not positive semi-definite"):
        share, n, _ = first_component_share(x)
    assert 0 < share <= 1 and n == 5


def test_report_table_note_names_the_basis():
    from iur_survey.report.sem_tables import harman_table
    tab = harman_table(harman_single_factor(data(), ITEMS))
    assert "pairwise-complete correlations, 121 to 139 rows per pair" in tab.note
    assert "complete responses" not in tab.note
