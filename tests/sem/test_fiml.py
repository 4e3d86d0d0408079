"""Standalone checks of iur_survey/sem/fiml.py: brute-force likelihoods, numerical derivatives, EM optimality.

No lavaan here (see test_fiml_lavaan.py): every expected value is computed independently of the code under test
(scipy's multivariate normal density row by row, finite differences, per-pattern loops).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as hst
from scipy.stats import multivariate_normal

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
    information_observed,
    moments_to_m,
    observed_information_delta,
    observed_information_theta,
    vech,
    vech_indices,
    vech_to_matrix,
)


def _data(seed: int, n: int = 80, p: int = 5, miss: float = 0.2, empty_rows: int = 0):
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(p, p))
    S0 = A @ A.T / p + np.eye(p)
    mu0 = rng.normal(size=p)
    X = rng.multivariate_normal(mu0, S0, size=n)
    X[rng.random(X.shape) < miss] = np.nan
    X[:empty_rows] = np.nan
    Sigma = S0 + 0.2 * np.eye(p) + 0.05
    mu = mu0 + 0.1
    return X, Sigma, mu


def _brute_loglik(X, Sigma, mu):
    total = 0.0
    for row in X:
        o = ~np.isnan(row)
        if o.any():
            total += multivariate_normal.logpdf(row[o], mu[o], Sigma[np.ix_(o, o)])
    return total


def _from_m(m, p):
    return vech_to_matrix(m[p:], p), m[:p]


def _num_grad(f, x, h=1e-6):
    return np.array([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(x.size)])


def _moment_derivative(fn, Sigma, mu):
    """Central differences of ``fn(Sigma, mu)`` in the moments ``m = (mu, vech(Sigma))`` at (Sigma, mu)
    (one row per moment when ``fn`` returns a vector)."""
    return _num_grad(lambda m: fn(*_from_m(m, mu.size)), moments_to_m(Sigma, mu))


# --------------------------------------------------------------------------------------------- conventions
def test_vech_order_is_lavaans_column_major_lower_triangle():
    S = np.arange(16.0).reshape(4, 4)
    S = S + S.T
    r, c = vech_indices(4)
    assert all(r >= c)
    # column by column: first column (rows 0..3), then column 1 (rows 1..3), ...
    assert vech(S).tolist() == [S[0, 0], S[1, 0], S[2, 0], S[3, 0], S[1, 1], S[2, 1], S[3, 1], S[2, 2], S[3, 2],
                                S[3, 3]]
    np.testing.assert_array_equal(vech_to_matrix(vech(S)), S)
    assert moments_to_m(S, np.ones(4)).size == 4 + 10


# --------------------------------------------------------------------------------------------- SampleStats
def test_patterns_group_rows_and_hold_their_biased_moments():
    X, _, _ = _data(1, n=60, p=4, miss=0.25, empty_rows=3)
    st = SampleStats(X)
    assert st.n_empty == 3 and st.n == 57
    assert sum(pt.n for pt in st.patterns) == st.n
    seen = np.concatenate([pt.rows for pt in st.patterns])
    assert sorted(seen.tolist()) == list(range(3, 60))
    keys = set()
    for pt in st.patterns:
        Y = X[pt.rows]
        obs = ~np.isnan(Y[0])
        assert np.array_equal(np.flatnonzero(obs), pt.observed)
        assert all(np.array_equal(~np.isnan(y), obs) for y in Y)      # every row has this pattern
        Yo = Y[:, obs]
        np.testing.assert_allclose(pt.mean, Yo.mean(axis=0), rtol=1e-13)
        np.testing.assert_allclose(pt.cov, np.cov(Yo.T, bias=True).reshape(pt.cov.shape), rtol=1e-12, atol=1e-14)
        keys.add(tuple(obs))
    assert len(keys) == len(st.patterns)                             # patterns are distinct
    assert not st.complete and st.mean is None


def test_complete_data_stats():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(50, 3))
    st = SampleStats(X)
    assert st.complete and len(st.patterns) == 1
    np.testing.assert_allclose(st.cov, np.cov(X.T, bias=True), rtol=1e-12)
    np.testing.assert_allclose(st.mean, X.mean(axis=0), rtol=1e-12)


def test_all_empty_is_an_error():
    with pytest.raises(ValueError):
        SampleStats(np.full((3, 2), np.nan))


# --------------------------------------------------------------------------------------------- likelihood
@pytest.mark.parametrize("seed", [3, 4, 5])
def test_loglik_equals_the_casewise_normal_densities(seed):
    X, Sigma, mu = _data(seed, empty_rows=2)
    st = SampleStats(X)
    expected = _brute_loglik(X, Sigma, mu)
    assert fiml_loglik(st, Sigma, mu) == pytest.approx(expected, rel=1e-12)
    ll_i = casewise_loglik(st, Sigma, mu)
    for r, li in zip(st.rows, ll_i):
        o = ~np.isnan(X[r])
        assert li == pytest.approx(multivariate_normal.logpdf(X[r, o], mu[o], Sigma[np.ix_(o, o)]), rel=1e-11)


def test_loglik_is_minus_infinity_for_a_non_positive_definite_sigma():
    X, Sigma, mu = _data(6)
    bad = Sigma.copy()
    bad[0, 1] = bad[1, 0] = 10 * np.sqrt(bad[0, 0] * bad[1, 1])
    assert fiml_loglik(SampleStats(X), bad, mu) == -np.inf
    with pytest.raises(np.linalg.LinAlgError):
        fiml_gradient(SampleStats(X), bad, mu)


@pytest.mark.parametrize("seed", [7, 8])
def test_gradient_matches_finite_differences(seed):
    X, Sigma, mu = _data(seed, miss=0.3)
    st = SampleStats(X)
    num = _moment_derivative(lambda S, m: fiml_loglik(st, S, m), Sigma, mu)
    ll, g = fiml_gradient(st, Sigma, mu, return_loglik=True)
    assert ll == pytest.approx(fiml_loglik(st, Sigma, mu), rel=1e-14)
    np.testing.assert_allclose(g, num, rtol=1e-6, atol=1e-6 * np.abs(g).max())


@pytest.mark.parametrize("seed", [9, 10])
def test_hessian_matches_finite_differences_of_the_gradient(seed):
    X, Sigma, mu = _data(seed, miss=0.3)
    st = SampleStats(X)
    num = _moment_derivative(lambda S, m: fiml_gradient(st, S, m), Sigma, mu).T
    H = fiml_hessian_m(st, Sigma, mu)
    np.testing.assert_allclose(H, H.T, atol=1e-10 * np.abs(H).max())
    np.testing.assert_allclose(H, num, atol=1e-6 * np.abs(H).max())


@settings(max_examples=15, deadline=None)
@given(seed=hst.integers(0, 10_000), p=hst.integers(2, 6), miss=hst.floats(0.0, 0.5))
def test_gradient_property_random_patterns(seed, p, miss):
    X, Sigma, mu = _data(seed, n=40, p=p, miss=miss)
    if np.isnan(X).all():
        return
    st = SampleStats(X)
    num = _moment_derivative(lambda S, m: fiml_loglik(st, S, m), Sigma, mu)
    g = fiml_gradient(st, Sigma, mu)
    np.testing.assert_allclose(g, num, rtol=1e-5, atol=1e-5 * max(1.0, np.abs(g).max()))
    assert fiml_loglik(st, Sigma, mu) == pytest.approx(_brute_loglik(X, Sigma, mu), rel=1e-11)


def test_complete_data_gradient_has_the_closed_form():
    rng = np.random.default_rng(11)
    X = rng.normal(size=(40, 3)) @ np.array([[1, 0.5, 0], [0, 1, 0.3], [0, 0, 1.0]])
    st = SampleStats(X)
    Sigma = np.eye(3) + 0.3
    mu = np.zeros(3)
    Si = np.linalg.inv(Sigma)
    N = X.shape[0]
    W = st.cov + np.outer(st.mean - mu, st.mean - mu)
    G = 0.5 * N * (Si @ W @ Si - Si)             # symmetric matrix of partials
    r, c = vech_indices(3)
    expected = np.concatenate([N * Si @ (st.mean - mu), np.where(r == c, G[r, c], 2 * G[r, c])])
    np.testing.assert_allclose(fiml_gradient(st, Sigma, mu), expected, rtol=1e-12)
    # zero at the saturated estimates
    np.testing.assert_allclose(fiml_gradient(st, st.cov, st.mean), 0.0, atol=1e-10)


# --------------------------------------------------------------------------------------------- casewise scores
def test_scores_sum_to_the_gradient_and_match_per_case_derivatives():
    X, Sigma, mu = _data(12, n=30, p=4, miss=0.3, empty_rows=1)
    st = SampleStats(X)
    sc = casewise_scores(st, Sigma, mu)
    np.testing.assert_allclose(sc.sum(axis=0), fiml_gradient(st, Sigma, mu), rtol=1e-11, atol=1e-11)
    for i in (0, 5, 17):
        row = X[st.rows[i]]
        o = ~np.isnan(row)
        num = _moment_derivative(lambda S, m: multivariate_normal.logpdf(row[o], m[o], S[np.ix_(o, o)]), Sigma, mu)
        np.testing.assert_allclose(sc[i], num, atol=1e-6)
    B = information_first_order(st, Sigma, mu)
    np.testing.assert_allclose(B, sc.T @ sc / st.n, rtol=1e-12)
    np.testing.assert_allclose(casewise_scores(st, Sigma, mu, meanstructure=False), sc[:, 4:])


# --------------------------------------------------------------------------------------------- EM and baseline
@pytest.mark.parametrize("seed", [13, 14])
def test_em_reaches_the_maximum(seed):
    X, _, _ = _data(seed, n=120, p=5, miss=0.25)
    st = SampleStats(X)
    S1, m1, ll1, it = em_saturated(st, tol=1e-12, max_iter=5000)
    assert it < 5000
    g = fiml_gradient(st, S1, m1)
    assert np.abs(g).max() < 1e-6
    assert ll1 == pytest.approx(fiml_loglik(st, S1, m1), rel=1e-14)
    rng = np.random.default_rng(seed)
    for _ in range(5):                           # any nearby moments are worse
        E = rng.normal(scale=0.02, size=(5, 5))
        assert fiml_loglik(st, S1 + (E + E.T) / 2, m1 + rng.normal(scale=0.02, size=5)) < ll1
    # lavaan's default tolerance (1e-5 on the moments) is within 1e-7 of the maximum in logl
    S5, m5, ll5, it5 = em_saturated(st)
    assert it5 <= it and 0 <= ll1 - ll5 < 1e-6 * abs(ll1)
    np.testing.assert_allclose(S5, S1, atol=1e-4)


def test_em_on_complete_data_is_the_sample_moments():
    rng = np.random.default_rng(15)
    X = rng.normal(size=(30, 3))
    S, m, ll, it = em_saturated(SampleStats(X))
    assert it == 0
    np.testing.assert_allclose(S, np.cov(X.T, bias=True), rtol=1e-12)
    assert ll == pytest.approx(_brute_loglik(X, S, m), rel=1e-12)


def test_independence_model_maximises_the_diagonal_likelihood():
    X, _, _ = _data(16, n=70, p=4, miss=0.3)
    st = SampleStats(X)
    Sb, mb, lb = independence_fiml(st)
    assert np.count_nonzero(Sb - np.diag(np.diag(Sb))) == 0
    assert lb == pytest.approx(_brute_loglik(X, Sb, mb), rel=1e-12)
    g = fiml_gradient(st, Sb, mb)
    r, c = vech_indices(4)
    np.testing.assert_allclose(g[:4], 0.0, atol=1e-9)                 # means
    np.testing.assert_allclose(g[4:][r == c], 0.0, atol=1e-9)         # variances
    for j in range(4):
        col = X[:, j][~np.isnan(X[:, j])]
        assert mb[j] == pytest.approx(col.mean()) and Sb[j, j] == pytest.approx(col.var())


# --------------------------------------------------------------------------------------------- information
def test_expected_information_complete_data_formula():
    A = np.array([[2.0, 0.3, 0.1], [0.3, 1.0, 0.2], [0.1, 0.2, 1.5]])
    Ai = np.linalg.inv(A)
    I = information_expected(None, A)
    # 0.5 D'(A^-1 (x) A^-1) D with an explicit duplication matrix
    p = 3
    r, c = vech_indices(p)
    D = np.zeros((p * p, r.size))
    for k, (i, j) in enumerate(zip(r, c)):
        D[i + j * p, k] = D[j + i * p, k] = 1.0
    np.testing.assert_allclose(I[3:, 3:], 0.5 * D.T @ np.kron(Ai, Ai) @ D, rtol=1e-12)
    np.testing.assert_allclose(I[:3, :3], Ai, rtol=1e-12)
    assert np.all(I[:3, 3:] == 0)


def test_expected_information_missing_is_the_pattern_weighted_average():
    X, Sigma, mu = _data(17, n=50, p=3, miss=0.3)
    st = SampleStats(X)
    I = information_expected(st, Sigma, mu)
    p = 3
    r, c = vech_indices(p)
    D = np.zeros((p * p, r.size))
    for k, (i, j) in enumerate(zip(r, c)):
        D[i + j * p, k] = D[j + i * p, k] = 1.0
    I11 = np.zeros((p, p))
    I22 = np.zeros((r.size, r.size))
    for pt in st.patterns:
        K = np.zeros((p, p))
        K[np.ix_(pt.observed, pt.observed)] = np.linalg.inv(Sigma[np.ix_(pt.observed, pt.observed)])
        I11 += pt.n * K
        I22 += pt.n * 0.5 * D.T @ np.kron(K, K) @ D
    np.testing.assert_allclose(I[:p, :p], I11 / st.n, rtol=1e-11)
    np.testing.assert_allclose(I[p:, p:], I22 / st.n, rtol=1e-11, atol=1e-14)


def test_observed_information_is_minus_the_hessian_over_n():
    X, Sigma, mu = _data(18)
    st = SampleStats(X)
    np.testing.assert_allclose(information_observed(st, Sigma, mu), -fiml_hessian_m(st, Sigma, mu) / st.n)
    # complete data at the saturated estimates: observed == expected
    rng = np.random.default_rng(18)
    st2 = SampleStats(rng.normal(size=(40, 3)))
    np.testing.assert_allclose(information_observed(st2, st2.cov, st2.mean),
                               information_expected(st2, st2.cov), rtol=1e-10, atol=1e-12)


# --------------------------------------------------------------------------------------------- theta-level Hessian
class _OneFactor:
    """Sigma = l l' + diag(psi), mu = nu; theta = (l2..lp, psi1..psip, nu1..nup), l1 fixed to 1."""

    def __init__(self, p):
        self.p = p

    def moments(self, t):
        p = self.p
        lam = np.concatenate([[1.0], t[:p - 1]])
        return t[-1] * np.outer(lam, lam) + np.diag(t[p - 1:2 * p - 1]), t[2 * p - 1:3 * p - 1]

    def delta(self, t):
        p = self.p
        lam_free, psi, nu, phi = t[:p - 1], t[p - 1:2 * p - 1], t[2 * p - 1:3 * p - 1], t[-1]
        lam = np.concatenate([[1.0], lam_free])
        r, c = vech_indices(p)
        cols = []
        for j in range(1, p):                               # loadings
            dS = np.zeros((p, p))
            dS[j, :] += lam * phi
            dS[:, j] += lam * phi
            cols.append(np.concatenate([np.zeros(p), dS[r, c]]))
        for j in range(p):                                   # residual variances
            dS = np.zeros((p, p))
            dS[j, j] = 1.0
            cols.append(np.concatenate([np.zeros(p), dS[r, c]]))
        for j in range(p):                                   # intercepts
            e = np.zeros(p)
            e[j] = 1.0
            cols.append(np.concatenate([e, np.zeros(r.size)]))
        dS = np.outer(lam, lam)                              # factor variance
        cols.append(np.concatenate([np.zeros(p), dS[r, c]]))
        return np.array(cols).T


def test_observed_information_theta_schemes_agree_with_a_brute_force_hessian():
    X, _, _ = _data(19, n=150, p=4, miss=0.15)
    st = SampleStats(X)
    mod = _OneFactor(4)
    t = np.array([0.8, 0.9, 1.1, 0.6, 0.5, 0.7, 0.4, 0.1, -0.1, 0.0, 0.2, 0.9])
    F = lambda x: -fiml_loglik(st, *mod.moments(x)) / st.n
    grad = lambda x: -mod.delta(x).T @ fiml_gradient(st, *mod.moments(x)) / st.n
    np.testing.assert_allclose(grad(t), _num_grad(F, t), atol=1e-7)
    A1 = observed_information_theta(grad, t)
    A2 = observed_information_delta(st, *mod.moments(t), mod.delta(t), mod.delta, t)
    # brute force: second differences of the objective itself
    h = 1e-4
    E = np.eye(t.size) * h
    A3 = np.array([[(F(t + E[i] + E[j]) - F(t + E[i] - E[j]) - F(t - E[i] + E[j]) + F(t - E[i] - E[j])) / (4 * h * h)
                    for j in range(t.size)] for i in range(t.size)])
    np.testing.assert_allclose(A1, A1.T)
    np.testing.assert_allclose(A1, A2, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(A1, A3, atol=1e-5)
    # the scale argument: Hessian of -logl is N times the unit one
    A4 = observed_information_theta(lambda x: grad(x) * st.n, t, scale=1 / st.n)
    np.testing.assert_allclose(A4, A1, rtol=1e-8, atol=1e-10)


def test_observed_information_delta_complete_data_without_meanstructure():
    rng = np.random.default_rng(20)
    st = SampleStats(rng.multivariate_normal(np.zeros(3), np.eye(3) + 0.4, size=100))
    mod = _OneFactor(3)
    t = np.array([0.9, 1.1, 0.5, 0.6, 0.4, 0.0, 0.0, 0.0, 0.5])
    p = 3

    def sig_only(x):
        return mod.delta(x)[p:, [0, 1, 2, 3, 4, 8]]

    def full(x6):
        x = np.concatenate([x6[:5], np.zeros(3), x6[5:]])
        return x

    t6 = np.concatenate([t[:5], t[8:]])
    grad = lambda x6: -sig_only(full(x6)).T @ fiml_gradient(st, mod.moments(full(x6))[0], st.mean)[p:] / st.n
    A1 = observed_information_theta(grad, t6)
    A2 = observed_information_delta(st, mod.moments(full(t6))[0], None, sig_only(full(t6)),
                                    lambda x6: sig_only(full(x6)), t6, meanstructure=False)
    np.testing.assert_allclose(A1, A2, rtol=1e-7, atol=1e-9)


def test_em_warnings_and_unobserved_variables():
    X, _, _ = _data(21, n=60, p=3, miss=0.3)
    w: list[str] = []
    em_saturated(SampleStats(X), max_iter=2, warnings=w)
    assert len(w) == 1 and "Maximum number of iterations" in w[0]
    # a near-singular covariance matrix
    rng = np.random.default_rng(21)
    z = rng.normal(size=(80, 1))
    Y = np.hstack([z, z + 1e-4 * rng.normal(size=(80, 1)), rng.normal(size=(80, 1))])
    Y[rng.random(Y.shape) < 0.1] = np.nan
    w2: list[str] = []
    em_saturated(SampleStats(Y), warnings=w2)
    assert any("smallest eigenvalue" in m for m in w2)
    X[:, 1] = np.nan
    with pytest.raises(ValueError, match="no values"):
        SampleStats(X)
