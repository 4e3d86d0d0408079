"""Complete-data maximum likelihood: discrepancy, analytic gradient, expected information.

lavaan's scaling (``likelihood = "normal"``): per group

    F_g = log|Sigma| + tr(S Sigma^-1) - log|S| - p  [+ (ybar - mu)' Sigma^-1 (ybar - mu)]

with the biased sample covariance ``S`` (divisor N), and the objective
lavaan reports as ``fmin`` is ``sum_g (N_g / N) F_g / 2``, so that the test
statistic is ``chisq = 2 N fmin`` (N, not N - 1).

The expected information (per observation) is the Fisher information of the
normal distribution on the free parameters,
``I = sum_g (N_g/N) [ 0.5 tr(Sigma^-1 dSigma_a Sigma^-1 dSigma_b) + dmu_a' Sigma^-1 dmu_b ]``,
and the standard errors are ``sqrt(diag(I^-1) / N)`` (lavaan's default for
complete-data ML: ``information = "expected"``, ``h1.information = "structured"``).

>>> import numpy as np
>>> from iur_survey.sem.partable import build_partable
>>> from iur_survey.sem.matrices import Model
>>> rng = np.random.default_rng(1)
>>> X = rng.standard_normal((200, 3)) + rng.standard_normal((200, 1))
>>> mod = Model(build_partable("F =~ x1 + x2 + x3"))
>>> st = complete_stats([X])
>>> th = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 1.0])
>>> g = ml_gradient(mod, th, st)
>>> num = np.array([(ml_fmin(mod, th + 1e-6 * e, st) - ml_fmin(mod, th - 1e-6 * e, st)) / 2e-6
...                 for e in np.eye(6)])
>>> bool(np.allclose(g, num, atol=1e-8))
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.linalg import lapack

from .matrices import Model

__all__ = ["CompleteStats", "complete_stats", "ml_fmin", "ml_gradient", "ml_information_expected",
           "ml_fmin_group", "mvn_loglik", "saturated_loglik"]

LOG2PI = np.log(2.0 * np.pi)


@dataclass
class CompleteStats:
    """Sample statistics of complete data, per group (lavaan's ``lavsamplestats``)."""

    nobs: list[int]
    cov: list[np.ndarray]          # biased (divisor N)
    mean: list[np.ndarray]
    logdet: list[float]

    @property
    def ntotal(self) -> int:
        return int(sum(self.nobs))

    @property
    def weights(self) -> np.ndarray:
        n = np.asarray(self.nobs, float)
        return n / n.sum()


def complete_stats(groups: list[np.ndarray]) -> CompleteStats:
    """Means, biased covariances and their log-determinants of each group's data matrix.

    >>> st = complete_stats([np.array([[1., 2.], [3., 5.], [2., 2.]])])
    >>> st.nobs, st.mean[0].tolist()
    ([3], [2.0, 3.0])
    """
    nobs, covs, means, logdets = [], [], [], []
    for X in groups:
        X = np.asarray(X, float)
        n = X.shape[0]
        m = X.mean(axis=0)
        Xc = X - m
        S = Xc.T @ Xc / n
        sign, ld = np.linalg.slogdet(S)
        nobs.append(n)
        covs.append(S)
        means.append(m)
        logdets.append(float(ld) if sign > 0 else -np.inf)
    return CompleteStats(nobs, covs, means, logdets)


def _chol_inv(Sigma: np.ndarray) -> tuple[np.ndarray, float] | None:
    """(Sigma^-1, log|Sigma|) or None when Sigma is not positive definite (LAPACK potrf/potri)."""
    if not np.all(np.isfinite(Sigma)):
        return None
    c, info = lapack.dpotrf(Sigma, lower=1)
    if info != 0:
        return None
    ld = 2.0 * float(np.log(np.diag(c)).sum())
    inv, info = lapack.dpotri(c, lower=1)
    if info != 0:
        return None
    inv = np.tril(inv)
    inv = inv + np.tril(inv, -1).T
    return inv, ld


def ml_fmin_group(Sigma: np.ndarray, mu: np.ndarray | None, S: np.ndarray, ybar: np.ndarray,
                  logdetS: float) -> float:
    """F_g (without the 1/2) of one group; ``inf`` when Sigma is not positive definite.

    ``mu=None`` means no mean structure (means saturated).

    >>> S = np.array([[2., .5], [.5, 1.]])
    >>> float(ml_fmin_group(S, None, S, np.zeros(2), float(np.linalg.slogdet(S)[1]))) == 0.0
    True
    """
    ci = _chol_inv(Sigma)
    if ci is None:
        return np.inf
    Si, ld = ci
    p = S.shape[0]
    F = ld + float(np.sum(Si * S)) - logdetS - p
    if mu is not None:
        d = ybar - mu
        F += float(d @ Si @ d)
    return F


def ml_fmin(model: Model, theta: np.ndarray, stats: CompleteStats) -> float:
    """lavaan's ``fmin`` = sum_g (N_g/N) F_g / 2 (``inf`` outside the admissible region)."""
    w = stats.weights
    total = 0.0
    for g in range(model.ngroups):
        Sigma, mu = model.implied(theta, g)
        F = ml_fmin_group(Sigma, mu if model.meanstructure else None, stats.cov[g], stats.mean[g],
                          stats.logdet[g])
        if not np.isfinite(F):
            return np.inf
        total += w[g] * 0.5 * F
    return total


def _group_parts(model: Model, theta: np.ndarray, stats: CompleteStats, g: int, info: bool):
    gm = model.groups[g]
    c = model._core(theta, g)
    ci = _chol_inv(c["Sigma"])
    if ci is None:
        return None
    Si, _ = ci
    U, V, s, Dmu = model._uv(c, gm)
    S = stats.cov[g]
    out = {}
    if model.meanstructure:
        d = stats.mean[g] - c["mu"]
        Sd = Si @ d
        W = Si - Si @ (S + np.outer(d, d)) @ Si
        grad_e = s * np.einsum("ik,ik->k", U, W @ V) - Sd @ Dmu
    else:
        W = Si - Si @ S @ Si
        grad_e = s * np.einsum("ik,ik->k", U, W @ V)
    out["grad_e"] = grad_e
    if info:
        SU = Si @ U
        SV = Si @ V
        P = U.T @ SU
        Q = U.T @ SV
        R = V.T @ SV
        I_e = np.outer(s, s) * (Q * Q.T + P * R)
        if model.meanstructure:
            I_e = I_e + Dmu.T @ Si @ Dmu
        out["info_e"] = I_e
    return out


def ml_gradient(model: Model, theta: np.ndarray, stats: CompleteStats) -> np.ndarray:
    """Analytic gradient of :func:`ml_fmin` with respect to theta."""
    w = stats.weights
    grad = np.zeros(model.npar)
    for g in range(model.ngroups):
        parts = _group_parts(model, theta, stats, g, info=False)
        if parts is None:
            return np.full(model.npar, np.nan)
        grad += w[g] * np.bincount(model.groups[g].e_par, weights=parts["grad_e"], minlength=model.npar)
    return grad


def ml_information_expected(model: Model, theta: np.ndarray, stats: CompleteStats,
                            with_gradient: bool = False):
    """Expected information per observation, ``sum_g (N_g/N) Delta_g' A1_g Delta_g``.

    ``vcov = inv(I) / N``.  With ``with_gradient=True`` returns ``(I, gradient)``.
    """
    w = stats.weights
    info = np.zeros((model.npar, model.npar))
    grad = np.zeros(model.npar)
    for g in range(model.ngroups):
        parts = _group_parts(model, theta, stats, g, info=True)
        if parts is None:
            nan = np.full((model.npar, model.npar), np.nan)
            return (nan, np.full(model.npar, np.nan)) if with_gradient else nan
        model.add_entry_info(info, g, parts["info_e"], w[g])
        grad += w[g] * np.bincount(model.groups[g].e_par, weights=parts["grad_e"], minlength=model.npar)
    return (info, grad) if with_gradient else info


def mvn_loglik(Sigma: np.ndarray, mu: np.ndarray, S: np.ndarray, ybar: np.ndarray, n: int) -> float:
    """Total normal log-likelihood of n complete cases from their sufficient statistics.

    >>> float(round(mvn_loglik(np.eye(1), np.zeros(1), np.eye(1), np.zeros(1), 1), 6))
    -1.418939
    """
    ci = _chol_inv(Sigma)
    if ci is None:
        return -np.inf
    Si, ld = ci
    p = S.shape[0]
    d = ybar - mu
    return -0.5 * n * (p * LOG2PI + ld + float(np.sum(Si * S)) + float(d @ Si @ d))


def saturated_loglik(S: np.ndarray, n: int, logdetS: float | None = None) -> float:
    """The unrestricted (H1) log-likelihood of complete data.

    >>> float(round(saturated_loglik(np.eye(2), 10), 4))
    -28.3788
    """
    p = S.shape[0]
    if logdetS is None:
        logdetS = float(np.linalg.slogdet(S)[1])
    return -0.5 * n * (p * LOG2PI + logdetS + p)
