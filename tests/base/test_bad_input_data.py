"""How ``fit``, ``efa`` and ``pls`` read a data CSV (one loader, :mod:`iur_survey.datafile`): the bad-input audit's
findings A3 (missing-value codes analysed as answers), A4 (a text cell dropped or imputed; ``#N/A`` read as
missing), A5 (a missing code on the scale), B4 (pls on 5 rows), C1 (errors naming no file) and C2 (a duplicated
header).  Each refusal: exit status 2, one line naming the file (and row, column and value where there is one).
Data: ``iur-survey simulate --n 200 --seed 5 --format csv`` then ``iur-survey clean``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.cli import main
from iur_survey.errors import InstrumentError
from iur_survey.instrument import DEFAULT_INSTRUMENT, load_instrument

COMMANDS = ("fit", "efa", "pls")


@pytest.fixture(scope="module")
def clean_csv(simulated_clean_csv) -> Path:
    return simulated_clean_csv("datafix", 200, 5)


def _argv(command: str, path: Path, out: Path) -> list[str]:
    extra = ["--bootstrap", "0"] if command == "pls" else (["--factors", "7"] if command == "efa" else [])
    return [command, str(path), *extra, "--out", str(out)]


def run_error(capsys, tmp_path, command: str, data: pd.DataFrame | Path) -> str:
    if isinstance(data, pd.DataFrame):
        path = tmp_path / "data.csv"
        data.to_csv(path, index=False)
    else:
        path = data
    out = tmp_path / f"{command}.json"
    rc = main(_argv(command, path, out))
    err = capsys.readouterr().err.strip()
    assert rc == 2, err
    assert err.startswith(f"iur-survey {command}: error: {path}") and "\n" not in err and "Traceback" not in err, err
    assert not out.exists()
    return err


@pytest.mark.parametrize("command", COMMANDS)
def test_instrument_missing_code_is_refused_not_analysed(frame, tmp_path, capsys, command):
    # A3: 5 % of the item cells set to Wenjuanxing's "skipped" code -2 (the instrument's own missing_codes)
    items = list(load_instrument().item_codes)
    rng = np.random.default_rng(1)
    cells = frame[items].to_numpy(dtype=float)
    hit = rng.random(cells.shape) < 0.05
    hit[0, :] = False
    hit[1, 0] = True                                       # the first one: row 3 of the file, GOV1
    cells[hit] = -2
    frame[items] = cells
    err = run_error(capsys, tmp_path, command, frame)
    assert "data.csv:3:GOV1:" in err and "holds -2" in err and "missing_codes" in err
    assert f"{int(hit.sum())} such cells" in err


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("value, word", [(0, "off the instrument's scale 1-5"), (6, "off the instrument's scale"),
                                         (2.5, "off the instrument's scale"), (-1, "missing_codes")])
def test_off_scale_value_is_refused(frame, tmp_path, capsys, command, value, word):
    frame["MKT2"] = frame["MKT2"].astype(float)
    frame.loc[7, "MKT2"] = value
    err = run_error(capsys, tmp_path, command, frame)
    assert "data.csv:9:MKT2:" in err and f"holds {value:g}" in err and word in err


def test_non_instrument_data_keeps_its_values(tmp_path, capsys):
    # a user's own model on data whose columns are no items of the instrument: 0 and -2 are data, not codes
    rng = np.random.default_rng(3)
    f = rng.normal(size=(300, 1))
    x = np.round(f @ np.ones((1, 4)) + rng.normal(size=(300, 4)), 1)
    x[:10, 0] = -2.0
    x[10:20, 1] = 0.0
    path = tmp_path / "own.csv"
    pd.DataFrame(x, columns=["x1", "x2", "x3", "x4"]).to_csv(path, index=False)
    model = tmp_path / "own.lav"
    model.write_text("F =~ x1 + x2 + x3 + x4\n", encoding="utf-8")
    assert main(["fit", str(path), "--model", str(model), "--out", str(tmp_path / "r.json")]) == 0
    assert json.loads((tmp_path / "r.json").read_text())["n"] == 300
    two = tmp_path / "two.lav"
    two.write_text("F =~ x1 + x2\nG =~ x3 + x4\nG ~ F\n", encoding="utf-8")
    assert main(["pls", str(path), "--model", str(two), "--bootstrap", "0", "--out", str(tmp_path / "p.json")]) == 0
    assert main(["efa", str(path), "--factors", "1", "--out", str(tmp_path / "e.json")]) == 0
    assert json.loads((tmp_path / "e.json").read_text())["n"] == 300


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("text", ["Agree", "#N/A", "NA", "null", "n/a"])
def test_text_cell_is_refused_by_all_three(frame, tmp_path, capsys, command, text):
    # A4: efa dropped the item, pls imputed the cell, fit refused; pandas' NA tokens were read as missing
    frame["GOV1"] = frame["GOV1"].astype(object)
    frame.loc[3, "GOV1"] = text
    err = run_error(capsys, tmp_path, command, frame)
    assert "data.csv:5:GOV1:" in err and f"holds the text {text!r}" in err


def test_empty_cell_is_missing(frame, tmp_path, capsys):
    frame["GOV1"] = frame["GOV1"].astype(float)
    frame.loc[3, "GOV1"] = np.nan
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    assert main(["efa", str(path), "--factors", "7", "--out", str(tmp_path / "e.json")]) == 0
    e = json.loads((tmp_path / "e.json").read_text())
    assert len(e["loadings"]) == 28 and e["loadings"][0]["item"] == "GOV1"
    assert e["n"] == frame[list(load_instrument().item_codes)].dropna().shape[0]


@pytest.mark.parametrize("command", COMMANDS)
def test_duplicated_header_is_refused(clean_csv, tmp_path, capsys, command):
    # C2: pandas renamed the second GOV1 to GOV1.1 (efa analysed 'GOV1.1', fit said GOV2 is not in the data)
    lines = clean_csv.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "dup.csv"
    path.write_text("\n".join([lines[0].replace("GOV2", "GOV1")] + lines[1:]) + "\n", encoding="utf-8")
    err = run_error(capsys, tmp_path, command, path)
    assert "dup.csv:1:GOV1:" in err and "appears twice" in err and "columns 3 and 4" in err


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("sep, word", [(";", "';'"), ("\t", "tabs")])
def test_wrong_delimiter_is_named(frame, tmp_path, capsys, command, sep, word):
    path = tmp_path / "semi.csv"
    frame.to_csv(path, index=False, sep=sep)
    err = run_error(capsys, tmp_path, command, path)
    assert f"separated by {word}" in err and "comma-separated" in err


def test_missing_code_on_the_scale_is_refused(tmp_path):
    # A5: missing_codes: [3] made every midpoint answer missing
    text = DEFAULT_INSTRUMENT.read_text(encoding="utf-8")
    lines = [("missing_codes: [3]" if ln.startswith("missing_codes:") else ln) for ln in text.splitlines()]
    path = tmp_path / "inst.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InstrumentError, match=r"inst\.yaml: missing_codes: 3 lies on the answer scale 1-5"):
        load_instrument(path)


def test_pls_on_five_rows_is_a_typed_error(frame, tmp_path, capsys):
    # B4: LinAlgError: Singular matrix
    err = run_error(capsys, tmp_path, "pls", frame.head(5))
    assert "only 5 usable cases" in err and "predictors" in err


@pytest.mark.parametrize("command, word", [("fit", "constant"), ("efa", "no variance"),
                                           ("pls", "without variance")])
def test_estimation_errors_name_the_file(frame, tmp_path, capsys, command, word):
    # C1: "item 'GOV1' has no variance", "indicators without variance" named no file
    frame["GOV1"] = 3
    err = run_error(capsys, tmp_path, command, frame)
    assert word in err and "GOV1" in err


def test_efa_few_rows_names_the_file(frame, tmp_path, capsys):
    err = run_error(capsys, tmp_path, "efa", frame.head(5))
    assert "only 5 complete rows" in err


def test_a_missing_word_in_the_group_column_is_a_group_and_said_so(tmp_path):
    # only an empty cell is missing: 'NA' in the group column is a group named 'NA', with a warning (pandas and R
    # would have read it as missing and dropped the rows)
    import json

    from iur_survey.cli import main

    rng = np.random.default_rng(3)
    f = rng.standard_normal((240, 1))
    x = np.round(f @ [[1.0, 0.8, 0.7]] + rng.standard_normal((240, 3)) * 0.6, 3)
    frame = pd.DataFrame(x, columns=["x1", "x2", "x3"])
    frame.insert(0, "g", (["a", "b", "NA"] * 80))
    p = tmp_path / "d.csv"
    frame.to_csv(p, index=False)
    m = tmp_path / "m.lav"
    m.write_text("F =~ x1 + x2 + x3\n", encoding="utf-8")
    out = tmp_path / "r.json"
    assert main(["fit", str(p), "--model", str(m), "--group", "g", "--out", str(out)]) == 0
    res = json.loads(out.read_text(encoding="utf-8"))
    said = [w for w in res["warnings"] if "holds 'NA'" in w]
    assert len(said) == 1 and "in 80 rows (first: row 4)" in said[0] and "group named 'NA'" in said[0]
