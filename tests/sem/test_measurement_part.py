"""The invariance steps are fitted to the MEASUREMENT part of the model the user gives.  A full model written with
';', with explicit variances of variables outside the measurement model (y ~~ y, x ~~ x) or with an =~ statement
continued on the next line must give the steps of the bare measurement model: lavaan 0.6.14's numbers in
invariance_refs/measurement_part_refs.json, written by invariance_refs/make_measurement_part_refs.R (output
make_measurement_part_refs.Rout) on invariance_refs/regions_510.csv (made by make_regions_510.py).  Before the
fix the ';' model kept its regression (Δdf 14 at scalar), the y ~~ y model fitted y and x as free-standing items
(configural chisq 353.1 on 108 df) and the continued line failed with "the statement ends with '+'".
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

from iur_survey.cli import main
from iur_survey.sem.invariance import measurement_invariance, measurement_part

HERE = Path(__file__).parent / "invariance_refs"
REF = json.loads((HERE / "measurement_part_refs.json").read_text(encoding="utf-8"))
DATA = HERE / "regions_510.csv"
PLAIN = "A =~ a1 + a2 + a3 + a4\nB =~ b1 + b2 + b3 + b4"
MODELS = {
    "semicolon": "A =~ a1 + a2 + a3 + a4; B =~ b1 + b2 + b3 + b4; y ~ A + B + x",
    "variances": "A =~ a1 + a2 + a3 + a4\nB =~ b1 + b2 + b3 + b4\ny ~ A + B + x\ny ~~ y\nx ~~ x\nA ~~ B",
    "continued": "A =~ a1 + a2 +\n     a3 + a4   # two lines\nB =~ b1 + b2 + b3 + b4\ny ~ A + B + x",
}


def _check(table: pd.DataFrame) -> None:
    fit = pd.DataFrame(REF["fit"]).set_index("_row")
    assert table["step"].tolist() == REF["steps"]
    for _, row in table.iterrows():
        want = fit.loc[row["step"]]
        assert int(row["npar"]) == int(want["npar"]) and int(row["df"]) == int(want["df"])
        assert row["chisq"] == pytest.approx(want["chisq"], rel=1e-5)
        for k in ("cfi", "rmsea", "srmr"):
            assert row[k] == pytest.approx(want[k], abs=1e-5)
    diffs = table.iloc[1:]
    assert diffs["df.diff"].astype(int).tolist() == REF["df_diff"][1:]
    assert diffs["chisq.diff"].tolist() == pytest.approx(REF["chisq_diff"][1:], rel=1e-4)
    assert diffs["pvalue.diff"].tolist() == pytest.approx(REF["p_diff"][1:], rel=1e-3)


@pytest.mark.parametrize("name", list(MODELS))
def test_full_models_reduce_to_the_measurement_model(name):
    assert measurement_part(MODELS[name]) == PLAIN + ("\nA ~~ B" if name == "variances" else "")


def test_mixed_covariance_statement_keeps_its_measurement_terms():
    m = "F =~ a + b + c\nG =~ d + e + f\na ~~ c(v1, v2)*d + y\nx ~~ a\ngroup: 1"
    assert measurement_part(m) == "F =~ a + b + c\nG =~ d + e + f\na ~~ c(v1, v2)*d\ngroup: 1"


@pytest.mark.parametrize("name", list(MODELS))
def test_invariance_of_full_models_equals_lavaan_on_the_measurement_model(name):
    d = pd.read_csv(DATA)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # north has 90 cases: the small-group warning
        inv = measurement_invariance(MODELS[name], d, "region")
    assert [str(x) for x in inv.groups["group"]] == REF["groups"]
    _check(inv.table)


def test_cli_invariance_with_a_continued_line(tmp_path, capsys):
    model = tmp_path / "m.lav"
    model.write_text(MODELS["continued"] + "\n", encoding="utf-8")
    out = tmp_path / "r.json"
    code = main(["fit", str(DATA), "--model", str(model), "--group", "region", "--invariance", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    inv = json.loads(out.read_text(encoding="utf-8"))["invariance"]
    chisq = [x["fit"]["chisq"] for x in inv]
    assert chisq == pytest.approx([r["chisq"] for r in REF["fit"]], rel=1e-5)


def test_the_result_names_the_model_fitted_and_what_it_left_out():
    d = pd.read_csv(DATA)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inv = measurement_invariance(MODELS["variances"], d, "region", steps=("configural", "metric"))
    assert inv.model == PLAIN + "\nA ~~ B"
    assert inv.left_out == ["y ~ A + B + x", "y ~~ y", "x ~~ x"]
    info = inv.to_dict()["invariance_info"]
    assert info["model"] == inv.model and info["left_out"] == inv.left_out
    text = inv.summary()
    assert "Model: A =~ a1 + a2 + a3 + a4; B =~ b1 + b2 + b3 + b4; A ~~ B" in text
    assert "Left out (not measurement): y ~ A + B + x; y ~~ y; x ~~ x" in text
