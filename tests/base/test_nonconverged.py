"""A fit that did not converge never looks like a result (issue 10).

Fixture: data/nonconverged_51.csv (make_nonconverged_data.py), on which lavaan 0.6.14 does not
converge either (data/nonconverged_51.lavaan.json, made by make_nonconverged_ref.R).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from iur_survey.cli import main
from iur_survey.commands.fit import EXIT_NOT_CONVERGED
from iur_survey.sem import cfa
from iur_survey.sem.fitmeasures import rmsea_close_pvalue, rmsea_notclose_pvalue
from iur_survey.sem.results import NotConvergedError

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def lavaan_ref() -> dict:
    return json.loads((DATA / "nonconverged_51.lavaan.json").read_text(encoding="utf-8"))


def test_lavaan_does_not_converge_either(lavaan_ref):
    assert lavaan_ref["converged"] is False and lavaan_ref["n"] == 51
    assert "not available if model did not converge" in lavaan_ref["fitMeasures"]


@pytest.mark.xdist_group("nonconverged_51")
def test_library_result_has_no_fit_measures(lavaan_ref, nonconverged_51_cli):
    """The result that sem() returned inside the fit command on these data (cfa() is sem() with lavaan's same
    defaults; fitting the 51 cases once more would take another half minute)."""
    made = nonconverged_51_cli[-1]
    assert len(made) == 1
    res = made[0]
    assert res.converged is lavaan_ref["converged"]
    with pytest.raises(NotConvergedError, match=lavaan_ref["fitMeasures"].split("ERROR: ")[-1].strip()):
        res.fit_measures()                        # lavaan stops there too
    assert res.fit.isna().all()
    doc = res.to_dict()
    assert doc["converged"] is False and doc["fit"] == {} and doc["estimates_interpretable"] is False
    assert "did not converge" in doc["message"]


def test_cfa_warns_when_it_does_not_converge():
    """cfa() itself on these data, stopped early (the default run to the iteration limit is the fixture's): a
    fit that did not converge warns, and its result says so."""
    d = pd.read_csv(DATA / "nonconverged_51.csv")
    with pytest.warns(UserWarning, match="did not converge|NOT been found"):
        res = cfa((DATA / "cfa3.lav").read_text(encoding="utf-8"), d, control={"max_iter": 1})
    assert res.converged is False and res.to_dict()["converged"] is False


@pytest.mark.xdist_group("nonconverged_51")
def test_cli_exit_status_and_marked_results(nonconverged_51_cli):
    rc, stdout, stderr, out, _ = nonconverged_51_cli
    assert rc == EXIT_NOT_CONVERGED == 3
    err = stderr.strip()
    assert "did not converge" in err and "\n" not in err
    assert "cfi" not in stdout and "chisq" not in stdout
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["converged"] is False and doc["fit"] == {} and doc["estimates_interpretable"] is False


def test_fit_help_documents_the_exit_status(cli_help):
    out = cli_help("fit")
    assert "exit status" in out and "3 the model did" in out


@pytest.mark.parametrize("X2, df, N", [(500.0, 30, 300), (2000.0, 30, 300), (800.0, 20, 120), (5.0, 30, 300)])
def test_rmsea_probabilities_stay_in_the_unit_interval(X2, df, N):
    for p in (rmsea_close_pvalue(X2, df, N), rmsea_notclose_pvalue(X2, df, N)):
        assert 0.0 <= p <= 1.0 and not math.isnan(p)
