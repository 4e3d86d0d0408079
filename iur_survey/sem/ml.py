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

from ..errors import EstimationError
from .matrices import Model

__all__ = ["CompleteStats", "complete_stats", "ml_evaluate", "ml_fmin", "ml_fmin_gradient", "ml_gradient", "ml_gradient_outside",
           "ml_information_expected",
           "CompleteMLBatch", "mvn_loglik", "saturated_loglik"]

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


def _pd_logdet(S: np.ndarray, rel: float = 1e-10) -> tuple[np.ndarray, np.ndarray]:
    """(positive-definite mask, log-determinant) of a stack of symmetric matrices: a batched Cholesky,
    and the smallest eigenvalue (relative to the largest) above ``rel`` -- a resample covariance matrix
    that is numerically singular counts as failed, as lavaan's sample statistics fail on it."""
    K, p, _ = S.shape
    ok = np.all(np.isfinite(S.reshape(K, -1)), axis=1)
    logdet = np.full(K, -np.inf)
    safe = np.where(ok[:, None, None], S, np.eye(p)[None])
    try:
        L = np.linalg.cholesky(safe)
        diag = np.diagonal(L, axis1=1, axis2=2)
        logdet = 2.0 * np.log(diag).sum(axis=1)
        d2 = diag ** 2      # pivots bound the eigenvalues: min eig <= min pivot^2, max eig >= max diag(S)
        suspect = ok & (d2.min(axis=1) <= 1e3 * rel * np.max(np.diagonal(S, axis1=1, axis2=2), axis=1))
    except np.linalg.LinAlgError:
        suspect = ok.copy()
    for k in np.flatnonzero(suspect):
        ev = np.linalg.eigvalsh(S[k])
        if ev[0] <= rel * max(ev[-1], 1.0):
            ok[k] = False
        else:
            logdet[k] = float(np.sum(np.log(ev)))
    logdet[~ok] = -np.inf
    return ok, logdet


def _chol_batch(Sigma: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ok mask, Sigma^-1, log|Sigma|) for a stack; non-PD matrices get ok = False."""
    K, p, _ = Sigma.shape
    ok = np.all(np.isfinite(Sigma.reshape(K, -1)), axis=1)
    Sigma = np.where(ok[:, None, None], Sigma, np.eye(p)[None])
    try:
        L = np.linalg.cholesky(Sigma)
    except np.linalg.LinAlgError:
        L = np.empty_like(Sigma)
        for k in range(K):
            try:
                L[k] = np.linalg.cholesky(Sigma[k])
            except np.linalg.LinAlgError:
                ok[k] = False
                L[k] = np.eye(p)
    logdet = 2.0 * np.log(np.diagonal(L, axis1=1, axis2=2)).sum(axis=1)
    Linv = np.linalg.inv(L)
    Si = np.swapaxes(Linv, 1, 2) @ Linv
    return ok, Si, logdet


def ml_evaluate(model: Model, Theta: np.ndarray, S: list, ybar: list, logdetS: list, w: list, *,
                gradient: bool = True, info: bool = False, ginv: bool = False):
    """lavaan's fmin, its analytic gradient and the expected information for a stack of parameter vectors.

    This is the one implementation of the complete-data ML objective: ``Theta`` is K x npar, and per group
    ``S[g]`` (K x p x p, biased), ``ybar[g]`` (K x p), ``logdetS[g]`` (K) and the weights ``w[g]`` = N_g / N
    (K) give each row its own sample moments (the bootstrap's resamples); a single fit is a batch of one
    (:func:`ml_fmin`, :func:`ml_gradient`, :func:`ml_information_expected`).

    Returns ``(F, grad, info, ok)``: F (K; ``inf`` where Sigma is not positive definite), the gradient
    (K x npar, NaN rows there; None when ``gradient=False``), the information (K x npar x npar or None)
    and the mask of admissible rows.  A singular ``I - B`` raises ``numpy.linalg.LinAlgError``.

    ``ginv=True``: where Sigma is not positive definite the gradient is still computed, with the
    pseudo-inverse of Sigma in place of its inverse, as lavaan's ``lav_model_gradient`` does there
    (``computeSigmaHat``: ``MASS::ginv``, with its warning 'Sigma.hat is not positive definite'); F stays
    ``inf`` and ``ok`` False (:func:`ml_gradient_outside`).
    """
    K = Theta.shape[0]
    ms = bool(model.meanstructure)
    F = np.zeros(K)
    grad = np.zeros((K, model.npar)) if (gradient or info) else None
    I = np.zeros((K, model.npar, model.npar)) if info else None
    ok = np.ones(K, bool)
    for g in range(model.ngroups):
        lay = model.layout(g)
        Sg, yg = S[g], ybar[g]
        c = lay.core(Theta, Sg, yg)
        okg, Si, ld = _chol_batch(c["Sigma"])
        if ginv and not okg.all():
            bad = np.flatnonzero(~okg)
            Si[bad] = np.linalg.pinv(np.where(np.isfinite(c["Sigma"][bad]), c["Sigma"][bad], 0.0), hermitian=True)
        ok &= okg
        Fg = ld + np.einsum("kij,kij->k", Si, Sg) - logdetS[g] - lay.p
        Sd = None
        if ms:
            dvec = yg - c["mu"]
            Sd = np.einsum("kij,kj->ki", Si, dvec)
            Fg = Fg + np.einsum("ki,ki->k", dvec, Sd)
        F += w[g] * 0.5 * Fg
        if grad is None:
            continue
        Wm = Sg + dvec[:, :, None] * dvec[:, None, :] if ms else Sg
        Wt = Si - Si @ Wm @ Si
        ge = lay.grad_entries(c, Wt, Sd)
        grad += w[g][:, None] * (ge @ lay.T)
        if info:
            Ie = lay.entry_information(c, Si, ms)
            I += w[g][:, None, None] * (lay.T.T[None] @ Ie @ lay.T[None])
    F = np.where(ok & np.isfinite(F), F, np.inf)
    if grad is not None and not ginv:
        grad[~ok] = np.nan
    return F, grad, I, ok


def _one(model: Model, theta: np.ndarray, stats: CompleteStats, *, gradient: bool, info: bool = False,
         ginv: bool = False):
    """:func:`ml_evaluate` for one parameter vector and the sample statistics of one data set."""
    w = stats.weights
    G = range(model.ngroups)
    try:
        return ml_evaluate(model, np.asarray(theta, float)[None], [stats.cov[g][None] for g in G],
                           [stats.mean[g][None] for g in G], [np.array([stats.logdet[g]]) for g in G],
                           [np.array([w[g]]) for g in G], gradient=gradient, info=info, ginv=ginv)
    except np.linalg.LinAlgError:
        raise EstimationError(None, "I - B is singular (the regressions are not identified)") from None


def ml_fmin(model: Model, theta: np.ndarray, stats: CompleteStats) -> float:
    """lavaan's ``fmin`` = sum_g (N_g/N) F_g / 2 (``inf`` outside the admissible region)."""
    return float(_one(model, theta, stats, gradient=False)[0][0])


def ml_gradient(model: Model, theta: np.ndarray, stats: CompleteStats) -> np.ndarray:
    """Analytic gradient of :func:`ml_fmin` with respect to theta."""
    return _one(model, theta, stats, gradient=True)[1][0]


def ml_fmin_gradient(model: Model, theta: np.ndarray, stats: CompleteStats) -> tuple[float, np.ndarray]:
    """:func:`ml_fmin` and :func:`ml_gradient` from one evaluation."""
    F, grad, _, _ = _one(model, theta, stats, gradient=True)
    return float(F[0]), grad[0]


def ml_gradient_outside(model: Model, theta: np.ndarray, stats: CompleteStats) -> np.ndarray:
    """The gradient of :func:`ml_fmin` as lavaan computes it also where Sigma is not positive definite (the
    objective is ``inf`` there): with the pseudo-inverse of Sigma (``ml_evaluate(ginv=True)``).  lavaan's
    nlminb takes its first step from a start outside the admissible region along it.

    >>> from iur_survey.sem.partable import build_partable
    >>> mod = Model(build_partable("F =~ x1 + x2"))
    >>> st = complete_stats([np.random.default_rng(0).standard_normal((30, 2))])
    >>> th = np.array([1.0, 1.0, -1.0, 1.0])        # Sigma = [[2, 1], [1, 0]]: not positive definite
    >>> bool(np.isinf(ml_fmin(mod, th, st))), bool(np.all(np.isfinite(ml_gradient_outside(mod, th, st))))
    (True, True)
    """
    return _one(model, theta, stats, gradient=True, ginv=True)[1][0]


def ml_information_expected(model: Model, theta: np.ndarray, stats: CompleteStats,
                            with_gradient: bool = False):
    """Expected information per observation, ``sum_g (N_g/N) Delta_g' A1_g Delta_g``.

    ``vcov = inv(I) / N``.  With ``with_gradient=True`` returns ``(I, gradient)``.
    """
    _, grad, info, ok = _one(model, theta, stats, gradient=True, info=True)
    info = info[0] if ok[0] else np.full((model.npar, model.npar), np.nan)
    return (info, grad[0]) if with_gradient else info


class CompleteMLBatch:
    """:func:`ml_evaluate` over many case weightings of one data set (bootstrap draws, jackknife
    leave-one-outs): the moments of each weighting come from its case counts
    (``w = counts / N``, ``S = X' diag(w) X - m m'``) without copying rows.

    >>> from iur_survey.sem.partable import build_partable
    >>> rng = np.random.default_rng(1)
    >>> X = rng.standard_normal((50, 3)) + rng.standard_normal((50, 1))
    >>> mod = Model(build_partable("F =~ x1 + x2 + x3"))
    >>> kern = CompleteMLBatch(mod, [X])
    >>> mom = kern.moments([np.ones((1, 50), np.int64)])
    >>> th = np.ones((1, 6))
    >>> bool(np.isclose(kern.evaluate(th, mom, np.array([0]))[0][0], ml_fmin(mod, th[0], complete_stats([X]))))
    True
    """

    def __init__(self, model: Model, Xg: list[np.ndarray]):
        self.model = model
        self.npar = model.npar
        self.center = [X.mean(axis=0) for X in Xg]
        self.Xc = [X - c for X, c in zip(Xg, self.center)]
        # per-case outer products: the resample covariance is one matrix product with the weights
        self.outer = [np.einsum("ni,nj->nij", Xc, Xc).reshape(Xc.shape[0], -1) for Xc in self.Xc]
        self.nobs = [X.shape[0] for X in Xg]

    def moments(self, counts: list[np.ndarray]):
        """Resample moments from case counts (list over groups of K x N_g): S (biased), ybar, log|S|, n."""
        out = []
        for g, C in enumerate(counts):
            C = np.asarray(C, float)
            n = C.sum(axis=1)
            w = C / n[:, None]
            d = w @ self.Xc[g]
            p = d.shape[1]
            S = (w @ self.outer[g]).reshape(-1, p, p) - d[:, :, None] * d[:, None, :]
            S = 0.5 * (S + np.swapaxes(S, 1, 2))
            ok, logdet = _pd_logdet(S)
            out.append({"S": S, "ybar": d + self.center[g], "logdetS": logdet, "n": n, "ok": ok})
        return out

    def evaluate(self, Theta: np.ndarray, mom: list[dict], which: np.ndarray, info: bool = False):
        """fmin, gradient (and expected information) of draws ``which`` at the rows of ``Theta``."""
        N = sum(m["n"][which] for m in mom)
        try:
            return ml_evaluate(self.model, Theta, [m["S"][which] for m in mom], [m["ybar"][which] for m in mom],
                               [m["logdetS"][which] for m in mom], [m["n"][which] / N for m in mom], info=info)
        except np.linalg.LinAlgError:
            K = Theta.shape[0]
            return np.full(K, np.inf), np.full((K, self.npar), np.nan), None, np.zeros(K, bool)


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
