"""FIML fits whose robust statistics cannot be computed, robust SEs with estimator ML, and what a FIML fit reports
about its rows, against lavaan 0.6.14.

References: tests/sem/missing_refs/missing_refs.json, written by make_missing_refs.R next to it (with the data).

* ``smallgrp.csv`` (HS Pasteur + 30 Grant-White rows, 20 % MCAR): the Grant-White group has 30 rows for 54 saturated
  moments, its EM covariance matrix has an eigenvalue of 2.8e-7, and the matrices the robust statistics invert are
  numerically singular.  lavaan gives NA robust CFI/RMSEA ("computation of robust CFI failed."), and a scaled test
  (chisq.scaled 194.23) whose trace is rounding noise: the reference holds lavaan's own trace tr(B1 A1^-1) of
  that group (47.20) and the same trace after relative perturbations of A1 of 1e-14 (43.9 - 45.5).  The package
  refuses that test (NA, with a warning) instead of printing a number that rounding decides.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.sem import sem
from iur_survey.sem.robust import ROUNDING_TOL, checked_inverse, fiml_corrected, yuan_bentler_mplus

HERE = Path(__file__).resolve().parent / "missing_refs"
REF = json.loads((HERE / "missing_refs.json").read_text())
MODEL = "visual =~ x1 + x2 + x3\n textual =~ x4 + x5 + x6\n speed =~ x7 + x8 + x9"
ROBUST_NAMES = ["cfi.robust", "tli.robust", "nnfi.robust", "rni.robust", "rmsea.robust", "rmsea.ci.lower.robust",
                "rmsea.ci.upper.robust", "rmsea.pvalue.robust", "rmsea.notclose.pvalue.robust"]


def _data(name: str) -> pd.DataFrame:
    return pd.read_csv(HERE / name)


def _pe_diff(res, ref: dict, col: str) -> float:
    pe = res.parameter_estimates()
    groups = pe["group"] if "group" in pe else pd.Series(1, index=pe.index)
    ours = {(a, b, c, int(g)): v for a, b, c, g, v in zip(pe.lhs, pe.op, pe.rhs, groups, pe[col])}
    worst = 0.0
    for k, v in zip(zip(ref["lhs"], ref["op"], ref["rhs"], ref["group"]), ref[col]):
        if v is not None:
            worst = max(worst, abs(float(ours[k]) - v) / max(1.0, abs(v)))
    return worst


class _SmallFits(dict):
    """The two FIML fits of ``smallgrp.csv`` (about 15 s each), each made when a test first asks for it."""

    def __missing__(self, est: str):
        self[est] = sem(MODEL, _data("smallgrp.csv"), missing="ml", estimator=est, group="school", warn=False)
        return self[est]


@pytest.fixture(scope="module")
def small_fits():
    return _SmallFits()


#: the tests that read the MLR fit run on one worker (``--dist loadgroup``): the fit is made once
MLR_FIT = pytest.mark.xdist_group("missing_robust_small_mlr")


# ------------------------------------------------------------------------------------------- A1: singular matrices
@pytest.mark.parametrize("est", ["ML", pytest.param("MLR", marks=MLR_FIT)])
def test_robust_indices_are_na_with_lavaans_warnings_where_lavaan_fails(small_fits, est):
    res, ref = small_fits[est], REF[f"small_{est.lower()}"]
    assert ref["fm_warnings"] == ["lavaan WARNING: computation of robust CFI failed.",
                                  "lavaan WARNING: computation of robust RMSEA failed."]
    fm = res.fit_measures()
    for k in ROBUST_NAMES:
        assert ref["fm"][k] is None and math.isnan(fm[k]), k
    said = [w for w in res.warnings if w.startswith("computation of robust")]
    assert [w.split(":")[0] for w in said] == ["computation of robust CFI failed",
                                              "computation of robust RMSEA failed"]
    assert all("numerically singular" in w and "are NA" in w for w in said)
    # what lavaan does compute is the same
    assert fm["chisq"] == pytest.approx(ref["fm"]["chisq"], rel=1e-4)
    assert fm["cfi"] == pytest.approx(ref["fm"]["cfi"], abs=1e-4)
    assert _pe_diff(res, ref["pe"], "est") < 1e-3


@MLR_FIT
def test_scaled_test_that_rounding_decides_is_refused(small_fits):
    a1 = REF["small_a1"]
    # lavaan's own matrices: R's solve() accepts A1 (rcond above .Machine$double.eps) ...
    assert np.finfo(float).eps < a1["rcond"] < 1e-13
    # ... but a relative change of 1e-14 in A1 moves the trace (and chisq.scaled) by several per cent
    assert max(abs(t - a1["trace"]) for t in a1["trace_perturbed_1e14"]) / a1["trace"] > 0.02
    res = small_fits["MLR"]
    fm = res.fit_measures()
    assert REF["small_mlr"]["fm"]["chisq.scaled"] == pytest.approx(194.228, abs=1e-3)     # lavaan's noise
    for k in ["chisq.scaled", "pvalue.scaled", "chisq.scaling.factor", "baseline.chisq.scaled", "cfi.scaled",
              "tli.scaled", "rmsea.scaled"]:
        assert math.isnan(fm[k]), k
    said = [w for w in res.warnings if w.startswith("the scaled test statistic")]
    assert len(said) == 1 and "A1 of group 2 is numerically singular" in said[0]
    assert "system is computationally singular" in said[0]
    # the robust SEs need neither matrix: they stay
    assert _pe_diff(res, REF["small_mlr"]["pe"], "est") < 1e-3
    assert np.isfinite(res.parameter_estimates()["se"].to_numpy(float)[1:3]).all()


def test_checked_inverse_refuses_what_rounding_decides():
    A = np.array([[4.0, 2.0], [2.0, 3.0]])
    inv, why = checked_inverse(A)
    np.testing.assert_allclose(inv, np.linalg.inv(A), rtol=1e-14)
    assert why == ""
    # a badly scaled but well-conditioned matrix is fine (the check is on the unit-diagonal scaling; R's solve()
    # still accepts its raw condition number of 1e12)
    D = np.diag([1e-3, 1e3])
    inv, why = checked_inverse(D @ A @ D)
    np.testing.assert_allclose(inv, np.linalg.inv(D @ A @ D), rtol=1e-12)
    # nearly collinear: condition x eps above the tolerance
    near = np.array([[1.0, 1.0], [1.0, 1.0 + 1e-11]])
    assert 4e11 * np.finfo(float).eps > ROUNDING_TOL
    inv, why = checked_inverse(near, "Wm")
    assert inv is None and why.startswith("Wm is numerically singular (condition number 4.0e+11")
    inv, why = checked_inverse(np.array([[1.0, 2.0], [2.0, 4.0]]), "E")
    assert inv is None and "solve()" in why
    inv, why = checked_inverse(np.array([[np.nan, 0.0], [0.0, 1.0]]), "E")
    assert inv is None and "non-finite" in why


def test_negative_scaling_factor_is_never_used():
    # tr(B1 A1^-1) < tr(B0 E^-1): a negative trace.UGamma
    t = yuan_bentler_mplus(30.0, 3, A1=np.eye(4), B1=0.1 * np.eye(4), B0=np.eye(1), E_inv=np.eye(1))
    assert t.trace_UGamma < 0
    assert math.isnan(t.scaling_factor) and math.isnan(t.stat) and math.isnan(t.pvalue)
    t0 = yuan_bentler_mplus(30.0, 3, A1=np.eye(4), B1=0.25 * np.eye(4), B0=np.eye(1), E_inv=np.eye(1))
    assert t0.trace_UGamma == 0 and math.isnan(t0.stat)


def test_fiml_corrected_reports_why_it_failed():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(40, 3))
    X[:, 2] = X[:, 0] + X[:, 1] + 1e-9 * rng.normal(size=40)       # a saturated Sigma that is singular
    X[rng.random(X.shape) < 0.15] = np.nan
    D = np.zeros((9, 6))
    D[np.arange(3), np.arange(3)] = 1.0
    D[[3, 6, 8], [3, 4, 5]] = 1.0                                    # independence-like model: means, variances
    out = fiml_corrected(X, Sigma=np.eye(3), mu=np.zeros(3), Delta=D, df=3, version="V6")
    assert out.failed and "numerically singular" in out.failed
    assert all(math.isnan(v) for v in (out.XX3, out.c_hat3, out.XX3_scaled, out.c_hat3_null))


def test_well_conditioned_fits_are_not_refused():
    d = _data("hs_empty.csv")
    res = sem(MODEL, d, missing="ml", estimator="MLR", group="school", warn=False)
    fm, ref = res.fit_measures(), REF["empty_grp"]["fm"]
    for k in ["chisq.scaled", "chisq.scaling.factor", "baseline.chisq.scaled", "cfi.robust", "rmsea.robust",
              "cfi.scaled", "rmsea.pvalue.robust"]:
        assert fm[k] == pytest.approx(ref[k], rel=1e-4, abs=1e-5), k
    assert not [w for w in res.warnings if "could not be computed" in w or "failed" in w]


# ------------------------------------------------------------------------------------------- B1: ML + robust SEs
@pytest.mark.parametrize("case", ["robse", "robse_grp", "robse_lw"])
def test_ml_with_robust_huber_white_ses_equal_lavaans(case):
    ref = REF[case]
    if case in ("robse", "robse_lw"):
        d = pd.read_csv(HERE.parent / "likelihood_refs" / "hs_missing15.csv")
        res = sem(MODEL, d, missing="ml" if case == "robse" else "listwise", se="robust.huber.white", warn=False)
    else:
        res = sem(MODEL, _data("smallgrp.csv"), missing="ml", se="robust.huber.white", group="school", warn=False)
    assert res.estimator == "ML" and res.se_type == "robust.huber.white"
    assert _pe_diff(res, ref["pe"], "est") < 1e-4
    assert _pe_diff(res, ref["pe"], "se") < (5e-3 if case == "robse_grp" else 1e-4)
    if case == "robse_lw":              # lavaan: observed information whenever the SEs are robust
        assert ref["information"] == ["observed", "observed"] and res.information == "observed"
    if case == "robse":
        fm = res.fit_measures()
        assert "chisq.scaled" not in fm.index                      # ML: the standard test, as lavaan
        assert fm["cfi.robust"] == pytest.approx(ref["fm"]["cfi.robust"], abs=1e-4)


# ------------------------------------------------------------------------------------------- C: rows and summary
def _lavaan_words(w: str) -> str:
    return w.replace("lavaan WARNING: ", "")


def _as_list(x) -> list:
    """jsonlite writes a vector of length one as a scalar (auto_unbox)."""
    return x if isinstance(x, list) else [x]


@pytest.fixture(scope="module")
def empty_fits():
    d = _data("hs_empty.csv")
    return {"grp": sem(MODEL, d, missing="ml", estimator="MLR", group="school", warn=False),
            "one": sem(MODEL, d, missing="ml", estimator="MLR", warn=False)}


@pytest.mark.parametrize("case", ["grp", "one"])
def test_results_json_has_lavaans_row_counts_and_patterns(empty_fits, case):
    res, ref = empty_fits[case], REF[f"empty_{case}"]
    out = json.loads(res.to_json())
    if case == "grp":
        labels = ["Pasteur", "Grant-White"]
        assert out["norig"] == dict(zip(labels, ref["norig"]))
        assert out["groups"] == dict(zip(labels, ref["nobs"]))
        assert out["npatterns"] == dict(zip(labels, ref["npatterns"]))
    else:
        assert out["norig"] == ref["norig"] == 301
        assert out["n"] == ref["nobs"] == 297
        assert out["npatterns"] == ref["npatterns"] == 74
    assert out["fit"]["ntotal"] == ref["ntotal"]


@pytest.mark.parametrize("case", ["grp", "one"])
def test_empty_rows_warned_per_group_with_their_row_numbers(empty_fits, case):
    res, ref = empty_fits[case], REF[f"empty_{case}"]
    want = [_lavaan_words(w) for w in _as_list(ref["warnings"]) if "empty" in w]
    assert want == (["some cases are empty and will be ignored: 33 62",
                     "some cases are empty and will be ignored: 166 207"] if case == "grp"
                    else ["some cases are empty and will be ignored: 33 62 166 207"])
    assert [w for w in res.warnings if "empty" in w] == want


def _summary_rows(lines: list[str], start: str, stop: str) -> list[tuple[str, list[float]]]:
    """(label, numbers) of the summary lines between two headings (lavaan's per-group test lines included)."""
    import re

    rows, on = [], False
    for line in lines:
        if line.startswith(start):
            on = True
        if line.startswith(stop):
            break
        if not on or not line.strip():
            continue
        parts = re.split(r"\s{2,}", line.strip())
        nums = [float(p) for p in parts if re.fullmatch(r"-?\d+(\.\d+)?|NA", p) and p != "NA"]
        label = " ".join(p for p in parts if not re.fullmatch(r"-?\d+(\.\d+)?|NA", p))
        rows.append((label, nums))
    return rows


@pytest.mark.parametrize("case", ["grp", "one"])
def test_summary_prints_lavaans_mlr_rows_in_lavaans_layout(empty_fits, case):
    res, ref = empty_fits[case], REF[f"empty_{case}"]
    ours = res.summary(standardized=False).splitlines()
    theirs = ref["summary"]
    for start, stop in [("  Number of observations", "Model Test User Model:"),
                        ("Model Test User Model:", "Parameter Estimates:")]:
        a, b = _summary_rows(ours, start, stop), _summary_rows(theirs, start, stop)
        assert [r[0] for r in a] == [r[0] for r in b]
        for (label, x), (_, y) in zip(a, b):
            assert x == pytest.approx(y, abs=1.5e-3), label
    # the columns stand where lavaan's stand
    assert [ln for ln in ours if ln.startswith("  Test Statistic")][0] == \
        [ln for ln in theirs if ln.startswith("  Test Statistic")][0]
    robust = [ln for ln in ours if ln.startswith("  P-value H_0: Robust RMSEA")]
    assert len(robust) == 2 and all(len(ln) == 66 for ln in robust)


@MLR_FIT
def test_summary_prints_na_where_the_robust_statistics_failed(small_fits):
    text = small_fits["MLR"].summary(standardized=False)
    assert "  Robust RMSEA                                                  NA" in text.splitlines()
    line = [ln for ln in text.splitlines() if ln.startswith("  Test Statistic")][0]
    assert line.split()[-1] == "NA"
