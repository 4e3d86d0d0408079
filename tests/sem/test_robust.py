"""Standalone checks of iur_survey/sem/robust.py.

The fit-index functions are compared with lavaan 0.6.14's own lav_fit_* functions (numbers printed by
``Rscript -e 'lavaan:::lav_fit_cfi(...)'`` etc., pasted below); the matrix pieces with identities that hold by
construction (normal theory, brute-force traces).
"""

from __future__ import annotations

import numpy as np
import pytest

from iur_survey.sem.fiml import (
    SampleStats,
    casewise_scores,
    em_saturated,
    fiml_loglik,
    independence_fiml,
    information_expected,
    information_observed,
)
from iur_survey.sem.robust import (
    _baseline_observed_information,
    baseline_delta,
    complete_ml_chisq,
    fiml_corrected,
    first_order_theta,
    h1_information,
    lav_fit_cfi,
    lav_fit_ifi,
    lav_fit_nfi,
    lav_fit_pnfi,
    lav_fit_rfi,
    lav_fit_rmsea,
    lav_fit_rni,
    lav_fit_tli,
    rmsea_ci,
    rmsea_closefit_pvalue,
    rmsea_notclosefit_pvalue,
    sandwich_vcov,
    structured_first_order,
    yuan_bentler_mplus,
)


# --------------------------------------------------------------------------------------------- lav_fit_* (lavaan's values)
@pytest.mark.parametrize("fn,args,kwargs,expected", [
    (lav_fit_cfi, (85.3, 24, 918.9, 36), {}, 0.930569713444331),
    (lav_fit_cfi, (20, 24, 918.9, 36), {}, 1.0),
    (lav_fit_cfi, (85.3, 24, 918.9, 36), {"c_hat": 1.1, "c_hat_null": 1.3}, 0.932461873638344),
    (lav_fit_cfi, (20, 24, 18, 36), {}, 1.0),
    (lav_fit_tli, (85.3, 24, 918.9, 36), {}, 0.895854570166497),
    (lav_fit_tli, (20, 24, 918.9, 36), {}, 1.006795786612300),
    (lav_fit_tli, (85.3, 24, 918.9, 36), {"c_hat": 1.1, "c_hat_null": 1.3}, 0.898692810457516),
    (lav_fit_tli, (5, 0, 918.9, 36), {}, 1.0),
    (lav_fit_rni, (85.3, 24, 918.9, 36), {"c_hat": 1.1, "c_hat_null": 1.3}, 0.932461873638344),
    (lav_fit_rfi, (85.3, 24, 918.9, 36), {}, 0.860757427358799),
    (lav_fit_rfi, (900, 24, 918.9, 36), {}, 1.0),
    (lav_fit_nfi, (85.3, 24, 918.9, 36), {}, 0.907171618239199),
    (lav_fit_pnfi, (85.3, 24, 918.9, 36), {}, 0.604781078826133),
    (lav_fit_ifi, (85.3, 24, 918.9, 36), {}, 0.931500726338138),
    (lav_fit_ifi, (20, 24, 18, 36), {}, 1.0),
    (lav_fit_rmsea, (85.3, 24, 301), {}, 0.0921173357394963),
    (lav_fit_rmsea, (85.3, 24, 301), {"c_hat": 1.2}, 0.0884372756053722),
    (lav_fit_rmsea, (20, 24, 301), {}, 0.0),
    (lav_fit_rmsea, (3, 0, 301), {}, 0.0),
])
def test_fit_indices_equal_lavaans(fn, args, kwargs, expected):
    assert fn(*args, **kwargs) == pytest.approx(expected, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("args,kwargs,expected", [
    ((85.3, 24, 301), {}, (0.0714141710023027, 0.1136740145600971)),
    ((85.3, 22.61213, 301), {}, (0.0748094186542506, 0.1180570163856835)),    # scaled: non-integer df
    ((70.1, 24, 301), {"c_hat": 1.2}, (0.0641154162122945, 0.1116835170263591)),
    ((10, 24, 301), {}, (0.0, 0.0)),
])
def test_rmsea_ci_equals_lavaans(args, kwargs, expected):
    lo, hi = rmsea_ci(*args, **kwargs)
    # lavaan's uniroot stops at tol = eps^0.25 on lambda: ~1e-7 in the RMSEA
    assert lo == pytest.approx(expected[0], abs=1e-7)
    assert hi == pytest.approx(expected[1], abs=1e-7)


def test_rmsea_pvalues_equal_lavaans():
    assert rmsea_closefit_pvalue(85.3, 24, 301) == pytest.approx(0.000661999504282584, rel=1e-9)
    assert rmsea_closefit_pvalue(70.1, 24, 301, c_hat=1.2) == pytest.approx(0.005456638672564962, rel=1e-9)
    assert rmsea_notclosefit_pvalue(85.3, 24, 301, h0=0.05) == pytest.approx(0.999338000495717416, rel=1e-12)
    assert rmsea_notclosefit_pvalue(70.1, 24, 301, c_hat=1.2, h0=0.05) == pytest.approx(0.994543361327435038,
                                                                                        rel=1e-12)
    assert rmsea_closefit_pvalue(85.3, 22.61213, 301) == pytest.approx(0.000312756476595233, rel=1e-9)
    assert np.isnan(rmsea_closefit_pvalue(5.0, 0, 301))


def test_missing_inputs_give_nan():
    assert np.isnan(lav_fit_cfi(float("nan"), 24, 900, 36))
    assert np.isnan(lav_fit_tli(80, 24, float("nan"), 36))
    assert all(np.isnan(rmsea_ci(float("nan"), 24, 300)))


# --------------------------------------------------------------------------------------------- matrix pieces
def _normal_data(seed, n=400, p=4, miss=0.0):
    rng = np.random.default_rng(seed)
    L = rng.uniform(0.5, 1.0, size=p)
    S = np.outer(L, L) + np.diag(rng.uniform(0.3, 0.6, size=p))
    X = rng.multivariate_normal(rng.normal(size=p), S, size=n)
    X[rng.random(X.shape) < miss] = np.nan
    return X


def test_sandwich_is_the_inverse_information_when_meat_equals_bread():
    rng = np.random.default_rng(1)
    M = rng.normal(size=(4, 4))
    A = M @ M.T + 4 * np.eye(4)
    np.testing.assert_allclose(sandwich_vcov(A, A, 250), np.linalg.inv(A) / 250, rtol=1e-12)


def test_yuan_bentler_scaling_is_one_under_normal_theory_information():
    rng = np.random.default_rng(2)
    ndat, npar = 10, 4
    M = rng.normal(size=(ndat, ndat))
    A1 = M @ M.T + ndat * np.eye(ndat)
    D = rng.normal(size=(ndat, npar))
    E = D.T @ A1 @ D
    t = yuan_bentler_mplus(30.0, ndat - npar, A1=A1, B1=A1, B0=E, E_inv=np.linalg.inv(E))
    assert t.trace_UGamma == pytest.approx(ndat - npar, rel=1e-12)
    assert t.scaling_factor == pytest.approx(1.0, rel=1e-12) and t.stat == pytest.approx(30.0, rel=1e-12)
    assert t.scaling_factor_h1 == pytest.approx(1.0) and t.scaling_factor_h0 == pytest.approx(1.0)
    # twice the meat doubles the scaling factor
    t2 = yuan_bentler_mplus(30.0, ndat - npar, A1=A1, B1=2 * A1, B0=2 * E, E_inv=np.linalg.inv(E))
    assert t2.scaling_factor == pytest.approx(2.0, rel=1e-12)
    # df = 0: lavaan's scaled test is the standard one (lav_test_yuan_bentler), with scaling factor and p NA
    t0 = yuan_bentler_mplus(3.0, 0, A1=A1, B1=A1, B0=E, E_inv=np.linalg.inv(E))
    assert t0.stat == 3.0 and np.isnan(t0.scaling_factor) and np.isnan(t0.pvalue)


def test_h1_information_complete_data():
    X = _normal_data(3)
    st = SampleStats(X)
    A1, B1 = h1_information(st, meanstructure=True)
    np.testing.assert_allclose(A1, information_expected(None, st.cov), rtol=1e-12)
    sc = casewise_scores(st, st.cov, st.mean)
    np.testing.assert_allclose(B1, sc.T @ sc / st.n, rtol=1e-12)
    A0, B0 = h1_information(st, meanstructure=False)
    np.testing.assert_allclose(A0, A1[4:, 4:], rtol=1e-12)
    np.testing.assert_allclose(B0, B1[4:, 4:], rtol=1e-12)
    # normal data: B1 ~ A1 (a 4th-moment check with n=400, loose)
    assert np.abs(np.trace(np.linalg.solve(A1, B1)) / A1.shape[0] - 1) < 0.15


def test_h1_information_missing_data_is_at_the_em_estimates():
    X = _normal_data(4, miss=0.1)
    st = SampleStats(X)
    S1, m1, _, _ = em_saturated(st)
    A1, B1 = h1_information(st)
    np.testing.assert_allclose(A1, information_observed(st, S1, m1), rtol=1e-12)
    np.testing.assert_allclose(B1, structured_first_order(st, S1, m1), rtol=1e-12)


def test_first_order_theta_is_delta_sandwich_of_b1():
    X = _normal_data(5, n=120, miss=0.1)
    st = SampleStats(X)
    S1, m1, _, _ = em_saturated(st)
    D = np.random.default_rng(5).normal(size=(4 + 10, 6))
    np.testing.assert_allclose(first_order_theta(st, S1, m1, D), D.T @ structured_first_order(st, S1, m1) @ D,
                               rtol=1e-10)
    with pytest.raises(ValueError):
        structured_first_order(st, S1, None, meanstructure=False)


def test_baseline_pieces():
    D = baseline_delta(3)
    assert D.shape == (3 + 6, 6) and D.sum() == 6
    X = _normal_data(6, n=150, miss=0.2)
    st = SampleStats(X)
    Sb, mb, _ = independence_fiml(st)
    np.testing.assert_allclose(_baseline_observed_information(st, Sb, mb),
                               D_full := baseline_delta(4).T @ information_observed(st, Sb, mb) @ baseline_delta(4),
                               rtol=1e-10, atol=1e-12)
    assert D_full.shape == (8, 8)
    Xc = _normal_data(7, n=150)
    stc = SampleStats(Xc)
    Sbc = np.diag(np.diag(stc.cov))
    Db = baseline_delta(4, meanstructure=False)
    np.testing.assert_allclose(_baseline_observed_information(stc, Sbc, None, meanstructure=False),
                               Db.T @ information_observed(stc, Sbc, stc.mean, meanstructure=False) @ Db,
                               rtol=1e-10, atol=1e-12)


def test_complete_ml_chisq_is_the_likelihood_ratio():
    X = _normal_data(8, n=90)
    st = SampleStats(X)
    Sigma = np.diag(np.diag(st.cov)) + 0.1
    mu = st.mean + 0.05
    lr = 2 * (fiml_loglik(st, st.cov, st.mean) - fiml_loglik(st, Sigma, mu))
    assert complete_ml_chisq(Sigma, mu, st.cov, st.mean, st.n) == pytest.approx(lr, rel=1e-11)
    lr0 = 2 * (fiml_loglik(st, st.cov, st.mean) - fiml_loglik(st, Sigma, st.mean))
    assert complete_ml_chisq(Sigma, None, st.cov, None, st.n) == pytest.approx(lr0, rel=1e-11)


@pytest.mark.parametrize("version", ["V3", "V6"])
def test_fiml_corrected_traces_equal_lavaans_literal_formulas(version):
    """The expanded traces equal lav_fit_fiml_corrected's literal matrix expressions."""
    X = _normal_data(9, n=200, miss=0.15)
    st = SampleStats(X)
    S1, m1, _, _ = em_saturated(st)
    Sb, mb, _ = independence_fiml(st)
    p = st.p
    rng = np.random.default_rng(9)
    D = rng.normal(size=(p + p * (p + 1) // 2, 7))
    df = p + p * (p + 1) // 2 - 7
    Sigma = S1 + 0.05 * np.eye(p)
    mu = m1 + 0.01
    out = fiml_corrected(st, Sigma=Sigma, mu=mu, Delta=D, df=df, version=version, h1=(S1, m1), baseline=(Sb, mb))
    Wm, Jm = h1_information(st, h1=(S1, m1))
    Wc = information_expected(None, S1)
    Wmi = np.linalg.inv(Wm)
    Gamma = Wmi @ Jm @ Wmi

    def literal(DD):
        E = np.linalg.inv(DD.T @ Wm @ DD)
        U = Wm - Wm @ DD @ E @ DD.T @ Wm
        if version == "V3":
            return np.trace(U @ Wmi @ Wc @ Wmi @ U @ Gamma)
        return np.trace(Wc @ Wmi @ U @ Wmi)

    assert out.c_hat3 == pytest.approx(literal(D) / df, rel=1e-9)
    assert out.c_hat3_null == pytest.approx(literal(baseline_delta(p)) / (p * (p - 1) // 2), rel=1e-9)
    assert out.XX3 == pytest.approx(complete_ml_chisq(Sigma, mu, S1, m1, st.n), rel=1e-12)
    assert out.XX3_scaled == pytest.approx(out.XX3 / out.c_hat3)


def test_npar_only_sets_the_h0_denominator():
    """lavaan divides trace_h0 by nx.free (free parameters before equality constraints) for scaling.factor.h0."""
    rng = np.random.default_rng(10)
    M = rng.normal(size=(6, 6))
    A1 = M @ M.T + 6 * np.eye(6)
    D = rng.normal(size=(6, 3))
    E = D.T @ A1 @ D
    a = yuan_bentler_mplus(12.0, 3, A1=A1, B1=1.3 * A1, B0=E, E_inv=np.linalg.inv(E))
    b = yuan_bentler_mplus(12.0, 3, A1=A1, B1=1.3 * A1, B0=E, E_inv=np.linalg.inv(E), npar=5)
    assert b.scaling_factor == a.scaling_factor and b.stat == a.stat
    assert b.scaling_factor_h0 == pytest.approx(a.scaling_factor_h0 * 3 / 5)
