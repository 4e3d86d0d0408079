"""A fit that did not converge never looks like a result (issue 10).

Fixture: data/nonconverged_51.csv (make_nonconverged_data.py), on which lavaan 0.6.14 does not
converge either (data/nonconverged_51.lavaan.json, made by make_nonconverged_ref.R).
"""

from __future__ import annotations

import json
import math
import warnings
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


def test_library_result_has_no_fit_measures(lavaan_ref):
    d = pd.read_csv(DATA / "nonconverged_51.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = cfa((DATA / "cfa3.lav").read_text(encoding="utf-8"), d)
    assert res.converged is lavaan_ref["converged"]
    with pytest.raises(NotConvergedError, match=lavaan_ref["fitMeasures"].split("ERROR: ")[-1].strip()):
        res.fit_measures()                        # lavaan stops there too
    assert res.fit.isna().all()
    doc = res.to_dict()
    assert doc["converged"] is False and doc["fit"] == {} and doc["estimates_interpretable"] is False
    assert "did not converge" in doc["message"]


def test_cli_exit_status_and_marked_results(tmp_path, capsys):
    out = tmp_path / "results.json"
    rc = main(["fit", str(DATA / "nonconverged_51.csv"), "--model", str(DATA / "cfa3.lav"), "--out", str(out)])
    assert rc == EXIT_NOT_CONVERGED == 3
    cap = capsys.readouterr()
    err = cap.err.strip()
    assert "did not converge" in err and "\n" not in err
    assert "cfi" not in cap.out and "chisq" not in cap.out
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["converged"] is False and doc["fit"] == {} and doc["estimates_interpretable"] is False


def test_fit_help_documents_the_exit_status(cli_help):
    out = cli_help("fit")
    assert "exit status" in out and "3 the model did" in out


@pytest.mark.parametrize("X2, df, N", [(500.0, 30, 300), (2000.0, 30, 300), (800.0, 20, 120), (5.0, 30, 300)])
def test_rmsea_probabilities_stay_in_the_unit_interval(X2, df, N):
    for p in (rmsea_close_pvalue(X2, df, N), rmsea_notclose_pvalue(X2, df, N)):
        assert 0.0 <= p <= 1.0 and not math.isnan(p)
