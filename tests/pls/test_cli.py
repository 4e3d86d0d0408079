"""`iur-survey pls`: end to end on a reference data set, and its one-line errors."""

import json
from pathlib import Path

import pandas as pd
import pytest

from iur_survey.cli import main
from iur_survey.pls import pls_sem
from iur_survey.study import default_model

DATA = Path(__file__).resolve().parents[1] / "reference" / "data" / "complete_800.csv"


def test_pls_command_writes_the_api_result_and_the_comparison(tmp_path, capsys):
    fit_json = tmp_path / "results.json"
    assert main(["fit", str(DATA), "--out", str(fit_json)]) == 0
    out = tmp_path / "pls.json"
    assert main(["pls", str(DATA), "--boot", "50", "--seed", "7", "--compare", str(fit_json),
                 "--out", str(out)]) == 0
    got = json.loads(out.read_text())
    api = pls_sem(pd.read_csv(DATA), default_model(), n_boot=50, seed=7)
    paths = {(r["lhs"], r["rhs"]): r["est"] for r in got["paths"]}
    for _, row in api.path_coefficients().iterrows():
        assert paths[(row["lhs"], row["rhs"])] == pytest.approx(row["est"], abs=1e-9)  # to_dict rounds to 10 decimals
    cmp_rows = {(r["lhs"], r["op"], r["rhs"]) for r in got["comparison"]}
    assert ("COL", "~", "GOV") in cmp_rows and ("INT", "~", "COL") in cmp_rows
    assert len(got["comparison"]) == 21       # 11 paths + 10 := effects


def test_pls_command_bad_input_is_one_line(tmp_path, capsys):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert main(["pls", str(empty), "--out", str(tmp_path / "x.json")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "empty.csv" in err[0]
    assert not (tmp_path / "x.json").exists()


def test_pls_command_says_a_negative_loading(tmp_path, capsys):
    """A reverse-keyed indicator left un-reversed: the command names it on stderr (without --summary too)."""
    from iur_survey.pls import EXAMPLE_MODEL, example_data

    d = example_data()
    csv = tmp_path / "flipped.csv"
    d.assign(x3=6 - d["x3"]).to_csv(csv, index=False)
    lav = tmp_path / "m.lav"
    lav.write_text(EXAMPLE_MODEL)
    assert main(["pls", str(csv), "--model", str(lav), "--boot", "0", "--out", str(tmp_path / "p.json")]) == 0
    err = capsys.readouterr().err
    assert "pls: warning: negative outer loading in the reflective (mode A) block X: x3" in err
    assert err.count("negative outer loading") == 1        # once, not again as Python's two-line UserWarning
    got = json.loads((tmp_path / "p.json").read_text())
    assert any("x3" in w for w in got["warnings"])
    assert {r["construct"]: r["negative_loadings"] for r in got["reliability"]}["X"] == "x3"
