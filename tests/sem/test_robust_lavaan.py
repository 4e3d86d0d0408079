"""iur_survey/sem/robust.py against lavaan 0.6.14 with estimator = "MLR" (complete data and FIML).

Fixtures: tests/sem/likelihood_refs/ (make_likelihood_refs.R): the HS CFA (complete, 5% and 15% MCAR cells) and
the project's default 7-factor model (tests/reference/data/{complete,missing}_800.csv).  The model is fitted with
the test-only LISREL model of likelihood_refs/minimodel.py, so only the likelihood side is exercised.
"""

from __future__ import annotations

import numpy as np
import pytest

from iur_survey.sem.robust import robust_measures
from tests.sem.likelihood_refs import minimodel as mini

mat, _relmax = mini.mat, mini.relmax

HS_ITEMS = [f"x{i}" for i in range(1, 10)]
#: measures whose value moves with the estimates' convergence (lavaan stops at ~1e-6): relative check
RELATIVE = {"chisq.scaled", "baseline.chisq.scaled"}


def _check_mlr(sol, fit_json, *, meanstructure=True, fit_atol=1e-6, se_rtol=1e-4):
    rob = robust_measures(sol["stats"], Sigma=sol["Sigma"], mu=sol["mu"], Delta=sol["Delta"],
                          information=sol["A"], chisq=sol["chisq"], df=sol["df"], estimator="MLR",
                          meanstructure=meanstructure, h1=sol["h1"] if not sol["stats"].complete else None)
    mm = sol["model"]
    se_lav = mini.MiniModel(fit_json["partable"]).se_lavaan
    np.testing.assert_allclose(np.sqrt(np.diag(rob.vcov)), se_lav, rtol=se_rtol)
    if "vcov" in fit_json:
        assert _relmax(rob.vcov, mat(fit_json["vcov"])) < 1e-4
    if "information_first_order" in fit_json:
        assert _relmax(rob.B0, mat(fit_json["information_first_order"])) < 1e-4
    t = fit_json["test"]["yuan.bentler.mplus"]
    assert rob.test.scaling_factor == pytest.approx(t["scaling.factor"], rel=1e-5)
    assert rob.test.trace_UGamma == pytest.approx(t["trace.UGamma"], rel=1e-5)
    assert rob.test.scaling_factor_h1 == pytest.approx(t["scaling.factor.h1"], rel=1e-10)
    assert rob.test.stat == pytest.approx(t["stat"], rel=1e-5)
    f = fit_json["fit"]
    wanted = {k for k in f if k.endswith((".scaled", ".robust")) or "scaling.factor" in k
              or k.startswith("baseline.")}
    assert wanted == set(rob.fit.index)
    for key, val in rob.fit.items():
        lav = f[key]
        if key in RELATIVE:
            assert val == pytest.approx(lav, rel=1e-6), key
        else:
            assert val == pytest.approx(lav, abs=fit_atol), key
    return rob


@pytest.mark.parametrize("case", ["hs_missing5", "hs_missing15"])
def test_hs_cfa_mlr_fiml_equals_lavaan(case):
    ref = mini.load(case)
    sol = mini.solve(ref["mlr"], case, HS_ITEMS)
    np.testing.assert_allclose(sol["theta"], sol["model"].theta_lavaan, atol=1e-4)
    rob = _check_mlr(sol, ref["mlr"])
    # FIML-corrected robust CFI/RMSEA (lavaan's V3, since a scaled test exists)
    assert rob.fiml is not None and rob.fiml.version == "V3"


@pytest.mark.parametrize("key,meanstructure", [("mlr", False), ("mlr_meanstructure", True)])
def test_hs_cfa_mlr_complete_equals_lavaan(key, meanstructure):
    ref = mini.load("hs_complete_mlr")
    sol = mini.solve(ref[key], "hs_complete", HS_ITEMS, meanstructure=meanstructure)
    np.testing.assert_allclose(sol["theta"], sol["model"].theta_lavaan, atol=1e-4)
    assert sol["chisq"] == pytest.approx(ref[key]["fit"]["chisq"], rel=1e-6)
    if not meanstructure:   # lavaan's observed (Hessian) information of the complete-data ML objective
        assert _relmax(sol["A"], mat(ref["ml"]["information"])) < 1e-4
    rob = _check_mlr(sol, ref[key], meanstructure=meanstructure)
    assert rob.fiml is None


def test_hs_cfa_mlr_complete_with_analytic_observed_information():
    ref = mini.load("hs_complete_mlr")
    sol = mini.solve(ref["mlr"], "hs_complete", HS_ITEMS, meanstructure=False, information="analytic")
    _check_mlr(sol, ref["mlr"], meanstructure=False)


@pytest.mark.slow
@pytest.mark.parametrize("key,data,meanstructure", [("mlr_fiml", "missing_800", True),
                                                     ("mlr_complete", "complete_800", False)])
def test_default_model_mlr_equals_lavaan(key, data, meanstructure):
    ref = mini.load("default_800")
    sol = mini.solve(ref[key], data, ref["items"], meanstructure=meanstructure, information="analytic")
    np.testing.assert_allclose(sol["theta"], sol["model"].theta_lavaan, atol=1e-4)
    _check_mlr(sol, ref[key], meanstructure=meanstructure)


# --------------------------------------------------------------------------------------------- several groups
MG_CASES = [("mlr_complete", "hs_groups", "MLR"), ("ml_fiml", "hs_groups_missing5", "ML"),
            ("mlr_fiml", "hs_groups_missing5", "MLR")]


def _mg_robust(sol, est):
    return robust_measures(sol["stats"], Sigma=sol["Sigma"], mu=sol["mu"], Delta=sol["Delta"],
                           information=sol["A"], chisq=sol["chisq"], df=sol["df"], estimator=est,
                           h1=sol["h1"])


@pytest.mark.parametrize("key,data,est", MG_CASES)
def test_two_groups_at_lavaans_estimates_equal_lavaan(key, data, est):
    """HS CFA by school (configural): at lavaan's own estimates every number agrees to rounding."""
    F = mini.load("hs_groups")[key]
    sol = mini.solve_groups(F, data, HS_ITEMS, "school", at_lavaan=True)
    assert sol["chisq"] == pytest.approx(F["fit"]["chisq"], rel=1e-10)
    rob = _mg_robust(sol, est)
    V = rob.vcov if est == "MLR" else np.linalg.inv(sol["A"]) / sum(st.n for st in sol["stats"])
    np.testing.assert_allclose(np.sqrt(np.diag(V)), sol["model"].se_lavaan, rtol=1e-7)
    assert _relmax(V, mat(F["vcov"])) < 1e-7
    wanted = {k for k in F["fit"] if k.endswith((".scaled", ".robust")) or "scaling.factor" in k
              or k.startswith("baseline.")}
    assert wanted == set(rob.fit.index)
    for k, v in rob.fit.items():
        # lavaan's RMSEA confidence limits come from uniroot(tol = eps^0.25): ~1e-8 in the RMSEA; its baseline
        # model is fitted by nlminb (FIML: not in closed form), so its scaled statistic carries ~1e-7
        incremental = k.split(".")[0] in ("cfi", "tli", "nnfi", "rfi", "nfi", "pnfi", "ifi", "rni")
        rel = 1e-6 if k.startswith("baseline.") or (incremental and k.endswith(".scaled")) else 1e-8
        assert v == pytest.approx(F["fit"][k], rel=rel, abs=1e-7 if ".ci." in k else 1e-10), k


@pytest.mark.parametrize("key,data,est", MG_CASES)
def test_two_groups_refit_within_the_proof_tolerances(key, data, est):
    F = mini.load("hs_groups")[key]
    sol = mini.solve_groups(F, data, HS_ITEMS, "school")
    np.testing.assert_allclose(sol["theta"], sol["model"].theta_lavaan, atol=1e-4)
    rob = _mg_robust(sol, est)
    V = rob.vcov if est == "MLR" else np.linalg.inv(sol["A"]) / sum(st.n for st in sol["stats"])
    np.testing.assert_allclose(np.sqrt(np.diag(V)), sol["model"].se_lavaan, rtol=5e-3)
    for k, v in rob.fit.items():
        if k in RELATIVE or k == "baseline.chisq":
            assert v == pytest.approx(F["fit"][k], rel=1e-4), k
        else:
            assert v == pytest.approx(F["fit"][k], abs=1e-3), k
