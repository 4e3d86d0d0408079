"""Analytic derivatives against numerical ones: Delta, the ML gradient, the expected information."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from iur_survey.sem.matrices import Model, vech, vech_indices
from iur_survey.sem.ml import complete_stats, ml_fmin, ml_gradient, ml_information_expected
from iur_survey.sem.partable import build_partable

DATA = pd.read_csv("tests/reference/data/complete_800.csv")


@pytest.fixture(autouse=True)
def one_blas_thread():
    """Small matrices: BLAS threads only add overhead (the engine itself runs with one)."""
    from iur_survey._threads import blas_threads
    with blas_threads(1):
        yield


DEFAULT = open("tests/reference/models/default.lav", encoding="utf-8").read()

MODELS = {
    "default": (DEFAULT, {}),
    "fixed_x_regressors": ("COL =~ COL1 + COL2 + COL3 + COL4\nCOL ~ GOV1 + MKT1\nINT1 ~ COL + GOV1", {}),
    "higher_order_means": ("F1 =~ GOV1 + GOV2 + GOV3\nF2 =~ MKT1 + MKT2 + MKT3\nH =~ F1 + F2 + BEN1\n"
                           "TAL1 ~ H\nCOL1 ~ TAL1\nGOV1 ~~ MKT1\nH ~ 1", {"meanstructure": True}),
    "equalities_std_lv": ("F =~ GOV1 + a*GOV2 + a*GOV3 + GOV4\nG =~ MKT1 + b*MKT2 + b*MKT3\nG ~ F",
                          {"std_lv": True, "meanstructure": True}),
    "two_groups_shared": ("F =~ GOV1 + GOV2 + GOV3\nG =~ MKT1 + MKT2 + MKT3\nG ~ F",
                          {"ngroups": 2, "meanstructure": True, "group_equal": ["loadings", "intercepts"]}),
}


def setup(name, seed=0):
    syntax, kw = MODELS[name]
    pt = build_partable(syntax, **kw)
    mod = Model(pt)
    rng = np.random.default_rng(seed)
    X = [DATA[mod.groups[g].ov].to_numpy(float)[g::pt.ngroups] for g in range(pt.ngroups)]
    st = complete_stats(X)
    mod.set_sample_stats(st.cov, st.mean)
    theta = mod.start(st.cov, st.mean) + rng.normal(0, 0.05, mod.npar)
    return pt, mod, st, theta


def moments(mod, theta, g, ms):
    Sigma, mu = mod.implied(theta, g)
    return np.concatenate([mu, vech(Sigma)]) if ms else vech(Sigma)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_analytic_delta_matches_numerical(name):
    pt, mod, st, theta = setup(name)
    for g in range(pt.ngroups):
        for ms in (True, False):
            D = mod.delta(theta, g, meanstructure=ms)
            num = np.empty_like(D)
            for k in range(mod.npar):
                e = np.zeros(mod.npar)
                e[k] = 1e-6
                num[:, k] = (moments(mod, theta + e, g, ms) - moments(mod, theta - e, g, ms)) / 2e-6
            assert np.allclose(D, num, atol=1e-7, rtol=1e-6), np.abs(D - num).max()


@pytest.mark.parametrize("name", sorted(MODELS))
def test_ml_gradient_matches_numerical(name):
    pt, mod, st, theta = setup(name, seed=1)
    g = ml_gradient(mod, theta, st)
    num = np.array([(ml_fmin(mod, theta + 1e-6 * e, st) - ml_fmin(mod, theta - 1e-6 * e, st)) / 2e-6
                    for e in np.eye(mod.npar)])
    assert np.allclose(g, num, atol=1e-8, rtol=1e-6), np.abs(g - num).max()


def expected_info_by_kronecker(mod, theta, st):
    """Delta' [Sigma^-1 (+) 0.5 D'(Sigma^-1 x Sigma^-1) D] Delta, written out with the duplication matrix."""
    total = np.zeros((mod.npar, mod.npar))
    w = st.weights
    for g, gm in enumerate(mod.groups):
        Sigma, _ = mod.implied(theta, g)
        p = gm.p
        Si = np.linalg.inv(Sigma)
        r, c = vech_indices(p)
        Dup = np.zeros((p * p, len(r)))
        for k, (i, j) in enumerate(zip(r, c)):
            Dup[i + j * p, k] = 1
            Dup[j + i * p, k] = 1
        A = 0.5 * Dup.T @ np.kron(Si, Si) @ Dup
        if mod.meanstructure:
            A = np.block([[Si, np.zeros((p, len(r)))], [np.zeros((len(r), p)), A]])
        D = mod.delta(theta, g)
        total += w[g] * D.T @ A @ D
    return total


@pytest.mark.parametrize("name", sorted(MODELS))
def test_expected_information_matches_kronecker_formula(name):
    pt, mod, st, theta = setup(name, seed=2)
    ref = expected_info_by_kronecker(mod, theta, st)
    assert np.allclose(ml_information_expected(mod, theta, st), ref, atol=1e-10, rtol=1e-8)
    assert np.allclose(mod.expected_information(theta, st.weights), ref, atol=1e-10, rtol=1e-8)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_delta_transpose_product(name):
    pt, mod, st, theta = setup(name, seed=3)
    rng = np.random.default_rng(9)
    for g in range(pt.ngroups):
        D = mod.delta(theta, g)
        v = rng.standard_normal(D.shape[0])
        assert np.allclose(mod.delta_t_dot(theta, g, v), D.T @ v, atol=1e-10)


def test_implied_moments_of_a_known_model():
    pt = build_partable("F =~ x1 + x2\ny ~ F", meanstructure=True)
    mod = Model(pt)
    # theta: loading x2, y~F, var x1, var x2, var y, var F, int x1, int x2, int y
    theta = np.array([2.0, 0.5, 0.3, 0.4, 0.6, 1.5, 1.0, 2.0, 3.0])
    Sigma, mu = mod.implied(theta)
    lam = np.array([1.0, 2.0, 0.5])
    want = 1.5 * np.outer(lam, lam) + np.diag([0.3, 0.4, 0.6])
    assert np.allclose(Sigma, want)
    assert np.allclose(mu, [1.0, 2.0, 3.0])
