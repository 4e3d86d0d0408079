"""iur_survey/sem/fiml.py against lavaan 0.6.14 (missing = "ml").

Fixtures: tests/sem/likelihood_refs/*.json, written by make_likelihood_refs.R (lavaan's own internal likelihood
functions at given moments, its EM, and full cfa()/sem() fits of the HolzingerSwineford1939 CFA with 5% / 15%
MCAR cells and of the project's default 7-factor model on tests/reference/data/missing_800.csv).  The full-model
checks fit the lavaan parameter table with a tiny test-only LISREL model (likelihood_refs/minimodel.py) so that
they exercise the likelihood side alone.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from iur_survey.sem.fiml import (
    SampleStats,
    casewise_loglik,
    casewise_scores,
    em_saturated,
    fiml_gradient,
    fiml_hessian_m,
    fiml_loglik,
    independence_fiml,
    information_expected,
    information_first_order,
)
from iur_survey.sem.robust import robust_measures
from tests.sem.likelihood_refs import minimodel as mini

mat, _relmax = mini.mat, mini.relmax

HS_ITEMS = [f"x{i}" for i in range(1, 10)]


def _stats(case):
    return SampleStats(mini.data_matrix(case, HS_ITEMS))


# --------------------------------------------------------------------------------------------- pieces
@pytest.mark.parametrize("case,point", [("hs_missing15", "at_other"), ("hs_missing15", "at_implied"),
                                        ("hs_missing5", "at_other"), ("hs_missing5", "at_implied")])
def test_loglik_and_gradient_equal_lavaans(case, point):
    ref = mini.load(case)[point]
    st = _stats(case)
    Sigma, mu = mat(ref["Sigma"]), np.array(ref["Mu"])
    assert fiml_loglik(st, Sigma, mu) == pytest.approx(ref["loglik"], rel=1e-12)
    np.testing.assert_allclose(casewise_loglik(st, Sigma, mu)[:20], ref["casewise_head"], rtol=1e-12)
    g = fiml_gradient(st, Sigma, mu)
    assert _relmax(g, np.r_[ref["dmu"], ref["dvechSigma"]]) < 1e-11


def test_hessian_information_and_scores_equal_lavaans():
    ref = mini.load("hs_missing15")["at_other"]
    st = _stats("hs_missing15")
    assert st.n_empty == 1 and st.n == 300
    Sigma, mu = mat(ref["Sigma"]), np.array(ref["Mu"])
    assert _relmax(fiml_hessian_m(st, Sigma, mu), mat(ref["hessian"])) < 1e-11
    assert _relmax(information_first_order(st, Sigma, mu), mat(ref["first_order"])) < 1e-11
    assert _relmax(information_expected(st, Sigma, mu), mat(ref["expected"])) < 1e-11
    lav = np.nan_to_num(mat(ref["scores_head"]))          # lavaan writes NA where a variable is missing
    np.testing.assert_allclose(casewise_scores(st, Sigma, mu)[:12], lav, atol=1e-12)


# --------------------------------------------------------------------------------------------- EM, baseline
@pytest.mark.parametrize("case", ["hs_missing5", "hs_missing15"])
def test_em_equals_lavaans_em(case):
    ref = mini.load(case)
    st = _stats(case)
    S, m, ll, it = em_saturated(st)
    assert it == ref["em"]["iterations"]
    np.testing.assert_allclose(S, mat(ref["em"]["Sigma"]), atol=1e-11)
    np.testing.assert_allclose(m, ref["em"]["Mu"], atol=1e-11)
    assert ll == pytest.approx(ref["ml"]["fit"]["unrestricted.logl"], rel=1e-12)
    # lavaan's fx = -2 logl / N without the 2 pi constant
    p_obs = sum(pt.n * pt.observed.size for pt in st.patterns)
    assert -2 * (ll + 0.5 * p_obs * np.log(2 * np.pi)) / st.n == pytest.approx(ref["em"]["fx"], rel=1e-12)


def test_em_default_model_equals_lavaan():
    ref = mini.load("default_800")
    st = SampleStats(mini.data_matrix("missing_800", ref["items"]))
    S, m, ll, it = em_saturated(st)
    assert it == ref["em"]["iterations"]
    np.testing.assert_allclose(S, mat(ref["em"]["Sigma"]), atol=1e-11)
    assert ll == pytest.approx(ref["ml_fiml"]["fit"]["unrestricted.logl"], rel=1e-12)
    _, _, lb = independence_fiml(st)
    assert 2 * (ll - lb) == pytest.approx(ref["ml_fiml"]["fit"]["baseline.chisq"], rel=1e-9)


@pytest.mark.parametrize("case", ["hs_missing5", "hs_missing15"])
def test_baseline_chisq_equals_lavaans(case):
    fit = mini.load(case)["ml"]["fit"]
    st = _stats(case)
    _, _, ll = em_saturated(st)[:3]
    _, _, lb = independence_fiml(st)
    assert 2 * (ll - lb) == pytest.approx(fit["baseline.chisq"], rel=1e-9)
    assert st.p * (st.p - 1) // 2 == fit["baseline.df"]


# --------------------------------------------------------------------------------------------- full FIML fits
def _check_ml_fit(sol, fit_json, *, est_tol=1e-4, se_rtol=1e-4):
    mm = sol["model"]
    np.testing.assert_allclose(sol["theta"], mm.theta_lavaan, atol=est_tol)
    f = fit_json["fit"]
    assert sol["logl"] == pytest.approx(f["logl"], rel=1e-8)
    assert sol["logl_h1"] == pytest.approx(f["unrestricted.logl"], rel=1e-12)
    assert sol["chisq"] == pytest.approx(f["chisq"], rel=1e-6)
    se = np.sqrt(np.diag(np.linalg.inv(sol["A"])) / sol["stats"].n)
    np.testing.assert_allclose(se, mm.se_lavaan, rtol=se_rtol)
    rob = robust_measures(sol["stats"], Sigma=sol["Sigma"], mu=sol["mu"], Delta=sol["Delta"],
                          information=sol["A"], chisq=sol["chisq"], df=sol["df"], estimator="ML", h1=sol["h1"])
    assert rob.vcov is None and rob.test is None
    # every robust (FIML-corrected, V6) measure lavaan reports for ML + missing = "ml", and the baseline test
    assert {k for k in f if k.endswith(".robust")} | {"baseline.chisq", "baseline.df", "baseline.pvalue"} \
        == set(rob.fit.index)
    for key, val in rob.fit.items():
        lav = f[key]
        if key in ("baseline.chisq",):
            assert val == pytest.approx(lav, rel=1e-8), key
        elif key == "baseline.pvalue":
            assert val == pytest.approx(lav, abs=1e-12), key
        else:
            assert val == pytest.approx(lav, abs=1e-6), key
    return rob


@pytest.mark.parametrize("case", ["hs_missing5", "hs_missing15"])
def test_hs_cfa_fiml_equals_lavaan(case):
    ref = mini.load(case)
    sol = mini.solve(ref["ml"], case, HS_ITEMS)
    _check_ml_fit(sol, ref["ml"])
    # lavaan's unit information (numerical Hessian of its analytic gradient) and Delta
    assert _relmax(sol["A"], mat(ref["ml"]["information"])) < 1e-4
    assert _relmax(sol["Delta"], mat(ref["ml"]["delta"])) < 1e-4
    np.testing.assert_allclose(np.linalg.inv(sol["A"]) / sol["stats"].n, mat(ref["ml"]["vcov"]),
                               atol=1e-4 * np.abs(mat(ref["ml"]["vcov"])).max())


def test_hs_cfa_fiml_analytic_observed_information():
    ref = mini.load("hs_missing15")
    a = mini.solve(ref["ml"], "hs_missing15", HS_ITEMS, information="analytic")
    assert _relmax(a["A"], mat(ref["ml"]["information"])) < 1e-4
    _check_ml_fit(a, ref["ml"])


@pytest.mark.slow
def test_default_model_fiml_equals_lavaan():
    ref = mini.load("default_800")
    sol = mini.solve(ref["ml_fiml"], "missing_800", ref["items"], information="analytic")
    assert sol["stats"].n == 800 and len(sol["stats"].patterns) > 100
    _check_ml_fit(sol, ref["ml_fiml"])


@pytest.mark.slow
def test_reference_fiml_missing_300_equals_lavaan():
    """The references helper's lavaan fit (tests/reference/json/fiml_missing_300.json, ~6% missing cells)."""
    path = Path(__file__).resolve().parents[1] / "reference" / "json" / "fiml_missing_300.json"
    if not path.exists():
        pytest.skip("tests/reference/json/fiml_missing_300.json not present")
    import json
    import pandas as pd

    ref = json.loads(path.read_text())
    pe = pd.DataFrame(ref["estimates"])
    pe = pe[pe.op.isin(["=~", "~", "~~", "~1"])].copy()
    free = (pe.se > 0).to_numpy()
    pe["free"] = np.where(free, np.cumsum(free), 0)
    fit_json = {"partable": pe[["lhs", "op", "rhs", "free", "est", "se"]].to_dict(orient="list"), "fit": ref["fit"]}
    items = list(dict.fromkeys(pe.loc[pe.op == "=~", "rhs"]))
    sol = mini.solve(fit_json, "missing_300", items, information="analytic")
    _check_ml_fit(sol, fit_json, se_rtol=2e-4)
