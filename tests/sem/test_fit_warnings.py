"""A fit that did not converge, or an inadmissible solution, is loud in the Python API as in lavaan (audit s19
semaudit B1, C2): sem()/cfa() raise a SEMFitWarning when they fit (lavaan's wording; warn=False is lavaan's
warn = FALSE), fit_measures() of a fit that did not converge raises (lavaan: "fit measures not available if
model did not converge"), its estimates tables warn but are returned, and summary() prints lavaan's banner
instead of crashing on a NaN df."""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.errors import EstimationError, IURSurveyError
from iur_survey.sem import cfa, sem
from iur_survey.sem.results import NotConvergedError, SEMFitWarning

REF = Path(__file__).resolve().parents[1] / "reference"
CFA3 = "F1 =~ a1 + a2 + a3\nF2 =~ b1 + b2 + b3\nF3 =~ c1 + c2 + c3"
#: the optimizer's iteration cap that no start value survives: a fit that did not converge in milliseconds
STOP = {"max_iter": 1}


def _data(n: int = 120, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    f = rng.standard_normal((n, 3)) @ np.linalg.cholesky([[1, .4, .3], [.4, 1, .5], [.3, .5, 1]]).T
    cols = {}
    for k, p in enumerate("abc"):
        for j in range(1, 4):
            cols[f"{p}{j}"] = (0.9 - 0.1 * j) * f[:, k] + 0.6 * rng.standard_normal(n)
    return pd.DataFrame(cols)


@pytest.fixture(scope="module")
def nonconverged():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SEMFitWarning)
        res = cfa(CFA3, _data(), control=STOP)
    assert not res.converged
    return res


@pytest.fixture(scope="module")
def heywood_data() -> tuple[str, pd.DataFrame]:
    return (REF / "models" / "heywood.lav").read_text(encoding="utf-8"), pd.read_csv(REF / "data" / "heywood_150.csv")


# ------------------------------------------------------------------------------------------ at fit time
@pytest.mark.parametrize("fn", [sem, cfa])
def test_a_fit_that_did_not_converge_warns_when_it_fits(fn):
    with pytest.warns(SEMFitWarning, match=r"the optimizer warns that a solution has NOT been found!") as said:
        res = fn(CFA3, _data(), control=STOP)
    assert not res.converged
    ours = [w for w in said if w.category is SEMFitWarning]
    assert len(ours) == 1                                   # not also the last iterate's checks (lavaan: neither)
    assert ours[0].filename == __file__                     # names the caller's line, not the package's


def test_an_inadmissible_solution_warns_when_it_fits(heywood_data):
    model, data = heywood_data
    with pytest.warns(SEMFitWarning, match=r"^some estimated ov variances are negative") as said:
        res = cfa(model, data)
    assert res.converged
    assert [str(w.message) for w in said if w.category is SEMFitWarning] == [
        w for w in res.warnings if w.startswith("some estimated")]
    res.fit_measures()                                      # converged: fit measures as usual


def test_a_proper_fit_and_warn_false_are_quiet(heywood_data):
    model, data = heywood_data
    with warnings.catch_warnings():
        warnings.simplefilter("error", SEMFitWarning)
        sem(CFA3, _data())                                   # proper, converged: no warning
        quiet = cfa(model, data, warn=False)                 # lavaan's warn = FALSE
        nc = sem(CFA3, _data(), control=STOP, warn=False)
        nc.parameter_estimates()                            # a fit made quietly stays quiet (replications)
        nc.standardized_solution()
    assert any(w.startswith("some estimated ov variances are negative") for w in quiet.warnings)
    assert not nc.converged and any("did not converge" in w for w in nc.warnings)


# ------------------------------------------------------------------------------------------ after the fit
def test_fit_measures_of_a_fit_that_did_not_converge_raise(nonconverged):
    with pytest.raises(NotConvergedError, match="fit measures not available if model did not converge") as exc:
        nonconverged.fit_measures()
    assert isinstance(exc.value, EstimationError) and isinstance(exc.value, IURSurveyError)
    assert "\n" not in str(exc.value)
    assert nonconverged.fit.isna().all()                   # the raw attribute stays, all NaN (internal use)
    doc = nonconverged.to_dict()
    assert doc["fit"] == {} and doc["estimates_interpretable"] is False


def test_estimates_tables_of_a_fit_that_did_not_converge_warn_and_are_returned(nonconverged):
    with pytest.warns(SEMFitWarning, match=r"parameter_estimates\(\) of a model that did not converge"):
        pe = nonconverged.parameter_estimates()
    with pytest.warns(SEMFitWarning, match=r"standardized_solution\(\) of a model that did not converge"):
        ss = nonconverged.standardized_solution()
    assert len(pe) == len(ss) > 0 and np.isfinite(pe["est"]).all()


def test_summary_of_a_fit_that_did_not_converge(nonconverged):
    with warnings.catch_warnings():
        warnings.simplefilter("error", SEMFitWarning)      # the banner says it; no warning from inside
        text = nonconverged.summary()
        nonconverged.to_dict()
        r = repr(nonconverged)
    lines = text.splitlines()
    assert "did NOT end normally after" in lines[0]
    assert lines[1] == "** WARNING ** Estimates below are most likely unreliable"        # lavaan's banner
    assert "** WARNING ** fit measures not available if model did not converge" in text
    for absent in ("Model Test User Model", "Comparative Fit Index", "RMSEA"):
        assert absent not in text
    assert "Latent Variables:" in text and "Warnings:" in text
    assert "converged=False" in r and "chisq" not in r
    assert "fit measures not available" not in nonconverged.summary(fit_measures=False)


def test_summary_of_an_ordinal_fit_that_did_not_converge():
    d = _data(300, seed=5).apply(lambda c: pd.cut(c, [-np.inf, -0.5, 0.3, np.inf], labels=False) + 1)
    res = cfa(CFA3, d, ordered=True)
    assert res.converged
    nc = dataclasses.replace(res, converged=False)           # the same result, as if it had not converged
    with warnings.catch_warnings():
        warnings.simplefilter("error", SEMFitWarning)
        text = nc.summary()
        doc = nc.to_dict()
    assert "** WARNING ** Estimates below are most likely unreliable" in text and "Model Test" not in text
    assert "Thresholds:" in text and "converged=False" in repr(nc)
    assert doc["fit"] == {} and doc["estimates_interpretable"] is False
    with pytest.raises(NotConvergedError):
        nc.fit_measures()


def test_variances_of_very_different_size_warn_as_lavaan():
    """lavaan's varTable checks (lav_data_full): a continuous, non-exogenous variable's variance 1000 times
    another's, or above 1e6, warns (HS1939's x1-x3 x 30 and x7-x9 / 30: lavaan 0.6.14 warns the first); a fixed.x
    covariate on a large scale does not count."""
    rng = np.random.default_rng(4)
    f = rng.normal(size=(300, 2))
    d = pd.DataFrame(np.repeat(f, 3, axis=1) + rng.normal(size=(300, 6)) * .6, columns=[f"y{i}" for i in range(6)])
    model = "A =~ y0 + y1 + y2\nB =~ y3 + y4 + y5"
    assert not [w for w in sem(model, d, warn=False).warnings if "variances" in w]
    d2 = d.assign(y0=d["y0"] * 40, y1=d["y1"] * 40, y5=d["y5"] / 40)
    got = [w for w in sem(model, d2, warn=False).warnings if "observed variances" in w]
    assert len(got) == 1 and "factor 1000" in got[0] and "y5" in got[0]
    d3 = d.assign(age=rng.normal(40, 1500, 300))             # an exogenous covariate: lavaan leaves it out
    assert not [w for w in sem(model + "\nA ~ age", d3, warn=False).warnings if "observed variances" in w]
    d4 = d.assign(y0=d["y0"] * 2000)
    got = [w for w in sem(model, d4, warn=False).warnings if "observed variances" in w]
    assert any("larger than 1000000 (y0" in w for w in got)
