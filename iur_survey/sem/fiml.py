"""Full-information maximum likelihood (FIML) for incomplete multivariate-normal data.

The likelihood side of the SEM engine, written to reproduce lavaan 0.6.14 (``missing = "ml"``):

* :class:`SampleStats` groups the rows of a data matrix by missing-data pattern once (``np.unique`` on the
  observed/missing bit pattern, then ``np.add.reduceat`` for the per-pattern means and biased covariances), and
  drops the empty rows (every variable missing) as lavaan does.
* :func:`fiml_loglik`, :func:`fiml_gradient` and :func:`fiml_hessian_m` give the casewise log-likelihood (constants
  included, lavaan's ``logl``), its gradient and its analytic Hessian with respect to the moment vector
  ``m = [mu; vech(Sigma)]``.  Patterns with the same number of observed variables (the likelihood: with numbers
  missing q..2q, padded) are stacked and handled by batched Cholesky factorisations and ``einsum``: there is no
  loop over rows.
* :func:`em_saturated` is lavaan's EM for the unrestricted (H1) model (``lav_mvnorm_missing_h1_estimate_moments``:
  same starting values, same stopping rule ``max |change| < 1e-5``, at most 500 iterations), and
  :func:`independence_fiml` the baseline model (diagonal Sigma, free means) that factorises per variable.
* :func:`casewise_scores` and the ``information_*`` functions give the unit information matrices on ``m``
  (expected, observed, first order) exactly as lavaan's ``lav_mvnorm_missing_information_*`` /
  ``lav_mvnorm_information_*`` define them, and :func:`observed_information_theta` replicates lavaan's
  ``lav_model_hessian`` (Richardson-type central differences of the analytic gradient, ``h = 1e-6``).

Conventions (the SEM contract): ``vech`` stacks the lower triangle column by column (lavaan's
``lav_matrix_vech``); a derivative with respect to ``vech(Sigma)`` is ``D' vec(dF/dSigma)`` (an off-diagonal element
receives both symmetric partials); unit information = information / N.

>>> import numpy as np
>>> X = np.array([[1.0, 2.0], [2.0, np.nan], [3.0, 5.0], [np.nan, 4.0], [4.0, 6.0]])
>>> st = SampleStats(X)
>>> st.n, st.p, len(st.patterns), st.complete
(5, 2, 3, False)
>>> round(fiml_loglik(st, np.eye(2), np.zeros(2)), 6)
-62.851508
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..errors import EstimationError
from .matrices import Model, vech, vech_indices, vech_to_sym
from .table import is_frame, never_together, pair_counts

__all__ = [
    "Pattern",
    "baseline_moments_x",
    "pairwise_cov",
    "SampleStats",
    "FimlBatch",
    "vech",
    "vech_indices",
    "vech_to_matrix",
    "moments_to_m",
    "fiml_loglik",
    "fiml_gradient",
    "fiml_hessian_m",
    "casewise_loglik",
    "casewise_scores",
    "em_saturated",
    "independence_fiml",
    "information_expected",
    "information_observed",
    "information_first_order",
    "observed_information_theta",
    "observed_information_delta",
]


def pairwise_cov(X: np.ndarray) -> np.ndarray:
    """The pairwise-complete sample covariance matrix (divisor n - 1) of ``X`` with NaN for missing cells:
    ``pandas.DataFrame(X).cov()`` (its Welford pass per pair, so the same doubles) without pandas; NaN for a
    pair observed together fewer than twice.

    >>> pairwise_cov(np.array([[1.0, 2.0], [2.0, np.nan], [3.0, 7.0], [5.0, 1.0]])).round(4).tolist()
    [[2.9167, -1.0], [-1.0, 10.3333]]
    """
    X = np.asarray(X, dtype=float)
    n_rows, k = X.shape
    obs = ~np.isnan(X)
    if obs.all():
        return np.cov(X.T, ddof=1).reshape(k, k)
    rows, cols = np.tril_indices(k)           # pandas' order: x the later column, y the earlier
    nobs, mx, my, cxy = (np.zeros(len(rows)) for _ in range(4))
    for r in range(n_rows):
        sel = np.flatnonzero(obs[r, rows] & obs[r, cols])
        if not len(sel):
            continue
        vx, vy = X[r, rows[sel]], X[r, cols[sel]]
        nobs[sel] += 1
        dx, dy = vx - mx[sel], vy - my[sel]
        mx[sel] += 1.0 / nobs[sel] * dx
        my[sel] += 1.0 / nobs[sel] * dy
        cxy[sel] += (vx - mx[sel]) * dy
    div = nobs - 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        vals = np.where(div > 0, cxy / div, np.nan)
    out = np.empty((k, k))
    out[rows, cols] = vals
    out[cols, rows] = vals
    return out

LOG2PI = math.log(2.0 * math.pi)



# ---------------------------------------------------------------------------------------------------------------
# vech helpers
# ---------------------------------------------------------------------------------------------------------------

#: lavaan's vech and its inverse live in :mod:`iur_survey.sem.matrices` (one implementation)
vech_to_matrix = vech_to_sym


def moments_to_m(Sigma: np.ndarray, mu: np.ndarray | None = None) -> np.ndarray:
    """The moment vector ``m = [mu; vech(Sigma)]`` (``vech(Sigma)`` alone when ``mu`` is None).

    >>> moments_to_m(np.array([[2.0, 0.5], [0.5, 1.0]]), np.array([1.0, 3.0])).tolist()
    [1.0, 3.0, 2.0, 0.5, 1.0]
    """
    s = vech(np.asarray(Sigma, dtype=float))
    return s if mu is None else np.concatenate([np.asarray(mu, dtype=float).ravel(), s])


def _sym_grad_to_vech(G: np.ndarray) -> np.ndarray:
    """``D' vec(G)`` for a symmetric matrix of partials ``G``: off-diagonals doubled."""
    r, c = vech_indices(G.shape[0])
    out = G[r, c] + G[c, r]
    out[r == c] *= 0.5
    return out


# ---------------------------------------------------------------------------------------------------------------
# sample statistics per missing-data pattern
# ---------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Pattern:
    """One missing-data pattern: which variables are observed and the sufficient statistics of its rows.

    ``mean`` and ``cov`` (biased, divided by ``n``) refer to the observed block only (lavaan's ``MY``/``SY``);
    ``rows`` index the rows of the data matrix given to :class:`SampleStats`.
    """

    observed: np.ndarray
    n: int
    rows: np.ndarray
    mean: np.ndarray
    cov: np.ndarray

    @property
    def sum(self) -> np.ndarray:
        """Column sums of the pattern's observed block."""
        return self.n * self.mean

    @property
    def crossprod(self) -> np.ndarray:
        """Uncentred cross-product matrix ``Y'Y`` of the pattern's observed block."""
        return self.n * (self.cov + np.outer(self.mean, self.mean))


@dataclass(frozen=True)
class _Batch:
    """Patterns sharing the number q >= 1 of missing variables, stacked for batched linear algebra."""

    index: np.ndarray      # (K,) pattern numbers (into SampleStats.patterns)
    miss: np.ndarray       # (K, q) missing variable indices
    n: np.ndarray          # (K,) frequencies (float)
    onehot: np.ndarray     # (p, K*q) column (k, j) = unit vector of variable miss[k, j]
    flat: np.ndarray       # (K, q*q) flat indices a*p+b of the missing block in a p x p matrix


class SampleStats:
    """Rows of ``X`` grouped by missing-data pattern, with per-pattern means and (biased) covariances.

    Rows in which every variable is missing are dropped (lavaan ignores empty cases): ``n`` counts the others.
    When no value is missing, ``complete`` is True and ``mean``/``cov`` hold the sample mean and the biased (/N)
    covariance matrix; with missing values they are None (use :func:`em_saturated`).

    >>> X = np.array([[1.0, 2.0], [np.nan, np.nan], [3.0, 5.0], [4.0, np.nan]])
    >>> st = SampleStats(X)
    >>> st.n, st.n_empty, [(pt.observed.tolist(), pt.n) for pt in st.patterns]
    (3, 1, [([0], 1), ([0, 1], 2)])
    >>> SampleStats(np.array([[1.0, 2.0], [3.0, 6.0]])).cov.tolist()
    [[1.0, 2.0], [2.0, 4.0]]
    """

    def __init__(self, X, columns: list[str] | None = None):
        if is_frame(X):
            columns = list(X.columns) if columns is None else columns
            X = X.to_numpy(dtype=float)
        X = np.asarray(X, dtype=float)
        if X.ndim != 2:
            raise ValueError("X must be a 2-d array (rows = cases, columns = variables)")
        self.X = X
        self.columns = columns
        n_all, p = X.shape
        self.p = p
        mask = ~np.isnan(X)
        nonempty = mask.any(axis=1)
        self.rows = np.flatnonzero(nonempty)           # non-empty rows of X, in their original order
        self.n_empty = int(n_all - self.rows.size)
        self.n = int(self.rows.size)
        if self.n == 0:
            raise ValueError("every row of X is empty")
        m = mask[self.rows]
        never = np.flatnonzero(~m.any(axis=0))
        if never.size:
            names = [columns[j] if columns is not None else f"column {j}" for j in never]
            raise ValueError(f"some variables have no values (only missings): {', '.join(map(str, names))}")
        # bit patterns -> unique patterns (vectorised; an integer key per row when p <= 62)
        if p <= 62:
            keys = m.astype(np.int64) @ (np.int64(1) << np.arange(p, dtype=np.int64))
            ukeys, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
            uniq = m[first]
        else:
            uniq, inverse = np.unique(m, axis=0, return_inverse=True)
        inverse = inverse.ravel()
        order = np.argsort(inverse, kind="stable")
        counts = np.bincount(inverse, minlength=uniq.shape[0])
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        Xs = np.where(m, X[self.rows], 0.0)[order]
        sums = np.add.reduceat(Xs, starts, axis=0)
        means_full = sums / counts[:, None]
        centred = np.where(m[order], Xs - means_full[inverse[order]], 0.0)
        cross = np.add.reduceat(centred[:, :, None] * centred[:, None, :], starts, axis=0)
        covs_full = cross / counts[:, None, None]
        self._row_pattern = inverse                    # pattern number of each non-empty row (order of .rows)
        patterns = []
        allvars = np.arange(p)
        for k in range(uniq.shape[0]):
            obs = allvars[uniq[k]]
            rows_k = self.rows[order[starts[k]:starts[k] + counts[k]]]
            patterns.append(Pattern(observed=obs, n=int(counts[k]), rows=rows_k,
                                    mean=means_full[k, obs],
                                    cov=covs_full[k, obs[:, None], obs]))
        self.patterns: list[Pattern] = patterns
        self.complete = bool(m.all())
        if self.complete:
            self.mean = patterns[0].mean.copy()
            self.cov = patterns[0].cov.copy()
        else:
            self.mean = None
            self.cov = None
        # embedded per-pattern moments (zero at the missing positions) and their weighted sums
        self._n = counts.astype(float)
        self._mask = uniq.astype(float)                # (npat, p) 1 = observed
        self._MY = means_full * self._mask
        self._SY = covs_full                           # already zero outside the observed block
        self._SYsum = np.einsum("k,kab->ab", self._n, self._SY)
        self._const = float(np.dot(self._n, uniq.sum(axis=1))) * LOG2PI
        # batches of incomplete patterns by number of missing variables
        n_miss = p - uniq.sum(axis=1)
        batches = []
        for q in np.unique(n_miss):
            if q == 0:
                continue
            idx = np.flatnonzero(n_miss == q)
            miss = np.broadcast_to(allvars, (idx.size, p))[~uniq[idx]].reshape(idx.size, q)
            K = idx.size
            onehot = np.zeros((p, K * q))
            onehot[miss.ravel(), np.arange(K * q)] = 1.0
            batches.append(_Batch(index=idx, miss=miss, n=self._n[idx], onehot=onehot,
                                  flat=(miss[:, :, None] * p + miss[:, None, :]).reshape(K, -1)))
        self._batches: tuple[_Batch, ...] = tuple(batches)
        # the same patterns in fewer stacks for the likelihood (:func:`_padded_update`): numbers missing q..2q
        # share a stack, their missing indices padded to the stack's largest (padding: index 0, valid False)
        stacks = []
        qs = [int(q) for q in np.unique(n_miss) if q > 0]
        while qs:
            top = max(q for q in qs if q <= 2 * qs[0])
            idx = np.flatnonzero((n_miss >= qs[0]) & (n_miss <= top))
            valid = np.arange(top)[None, :] < n_miss[idx][:, None]
            pad = np.zeros((idx.size, top), np.intp)
            pad[valid] = np.broadcast_to(allvars, (idx.size, p))[~uniq[idx]]
            stacks.append((idx, pad, valid))
            qs = [q for q in qs if q > top]
        self._stacks = tuple(stacks)

    def __repr__(self) -> str:
        return (f"SampleStats(n={self.n}, p={self.p}, patterns={len(self.patterns)}, "
                f"complete={self.complete}, empty={self.n_empty})")

    def never_together(self) -> list[tuple[int, int]]:
        """The pairs of variables (positions ``i < j``) no row observes together (0 % coverage, lavaan's
        ``lavInspect(fit, "coverage")`` entry 0): the data hold no information on their covariance.

        >>> SampleStats(np.array([[1.0, np.nan, 2.0], [np.nan, 3.0, 1.0], [2.0, np.nan, 0.0]])).never_together()
        [(0, 1)]
        """
        if self.complete:
            return []
        return never_together(pair_counts(self._mask, self._n))

    @property
    def coverage(self) -> np.ndarray:
        """Proportion of non-empty rows observing each variable (lavaan's diagonal of the coverage matrix).

        >>> SampleStats(np.array([[1.0, np.nan], [2.0, 3.0]])).coverage.tolist()
        [1.0, 0.5]
        """
        return self._n @ self._mask / self.n


def _as_stats(data) -> SampleStats:
    return data if isinstance(data, SampleStats) else SampleStats(data)


# ---------------------------------------------------------------------------------------------------------------
# inverses: one Cholesky of Sigma, then the inverse-update per pattern
# ---------------------------------------------------------------------------------------------------------------
# With P = Sigma^-1 and m the missing variables of a pattern, the inverse of the observed block, zero-padded to
# p x p, is K = P - A M^-1 A' with A = P[:, m] and M = P[m, m] (lavaan's lav_matrix_symmetric_inverse_update), and
# log|Sigma_oo| = log|Sigma| + log|M|.  Only q x q matrices are inverted per pattern.

def _chol_inverse(Sigma: np.ndarray, outside: bool = False) -> tuple[np.ndarray, float]:
    """``(Sigma^-1, log|Sigma|)``; raises LinAlgError when Sigma is not positive definite.  ``outside=True``:
    the plain (symmetric) inverse also where Sigma is not positive definite, log|Sigma| NaN (lavaan's
    ``lav_matrix_symmetric_inverse``, ``Sinv.method = "eigen"``, of its FIML gradient); LinAlgError only
    where Sigma is singular.

    (numpy's Cholesky and inverse: scipy's LAPACK ``dpotri`` is multi-threaded in OpenBLAS and 50x slower on
    small matrices when the machine is busy.)
    """
    if outside:
        P = np.linalg.inv(Sigma)
        return 0.5 * (P + P.T), np.nan
    L = np.linalg.cholesky(Sigma)
    logdet = 2.0 * float(np.sum(np.log(np.diag(L))))
    P = np.linalg.inv(Sigma)
    return 0.5 * (P + P.T), logdet


def _batch_update(P: np.ndarray, b: _Batch, outside: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``A = P[:, m]`` (K, p, q), ``M^-1`` (K, q, q) and ``log|M|`` (K,) for every pattern of the batch
    (``outside``: ``M^-1`` the plain inverse, log|M| NaN, as :func:`_chol_inverse`)."""
    A = np.swapaxes(P[:, b.miss], 0, 1)
    M = P[b.miss[:, :, None], b.miss[:, None, :]]
    q = M.shape[1]
    if q == 1:
        Minv = 1.0 / M
        logdetM = np.log(M[:, 0, 0]) if not outside else np.full(M.shape[0], np.nan)
    else:
        Minv, logdetM = _inverse_logdet(M, outside)
    return A, Minv, logdetM


def _inverse_logdet(M: np.ndarray, outside: bool) -> tuple[np.ndarray, np.ndarray]:
    """The symmetrised inverses of a stack of q x q blocks ``M`` and their log-determinants (by Cholesky; ``NaN``
    where ``outside``: the estimates left the admissible region and the blocks need not be positive definite)."""
    if outside:
        Minv = np.linalg.inv(M)
        logdetM = np.full(M.shape[0], np.nan)
    else:
        L = np.linalg.cholesky(M)
        logdetM = 2.0 * np.log(np.diagonal(L, axis1=1, axis2=2)).sum(axis=1)
        Minv = np.linalg.inv(M)
    return 0.5 * (Minv + np.swapaxes(Minv, 1, 2)), logdetM


def _padded_update(P: np.ndarray, miss: np.ndarray, valid: np.ndarray, outside: bool = False
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_batch_update` for a stack of patterns with different numbers missing (``SampleStats._stacks``):
    the missing indices ``miss`` padded to the stack's largest number (``valid`` False at the padding), ``A``
    zero in the padded columns and ``M`` the identity in the padded rows and columns, so that ``A M^-1 A'``
    and ``log|M|`` are those of each pattern's own q x q block (the padding adds exact zeros and log 1).  Fewer
    stacks, fewer passes: each pass is some thirty small array operations, which dominated the evaluations of
    a fit with a few variables and many patterns; a stack holds numbers missing q..2q, so padding at most
    doubles the work of a pass."""
    A = np.swapaxes(P[:, miss], 0, 1) * valid[:, None, :]
    q = miss.shape[1]
    M = np.where(valid[:, :, None] & valid[:, None, :], P[miss[:, :, None], miss[:, None, :]], np.eye(q)[None])
    Minv, logdetM = _inverse_logdet(M, outside)
    return A, Minv, logdetM


def _flat_pq(T: np.ndarray) -> np.ndarray:
    """(K, p, q) -> (p, K*q), columns in (k, j) order (matches ``_Batch.onehot``)."""
    K, p, q = T.shape
    return np.swapaxes(T, 0, 1).reshape(p, K * q)


def _embedded_inverses(stats: SampleStats, Sigma: np.ndarray):
    """For every pattern: the inverse of its observed block of Sigma zero-padded to p x p, and its log-det."""
    P, logdet = _chol_inverse(Sigma)
    npat = len(stats.patterns)
    K = np.broadcast_to(P, (npat,) + P.shape).copy()
    ld = np.full(npat, logdet)
    for b in stats._batches:
        A, Minv, logdetM = _batch_update(P, b)
        K[b.index] -= np.matmul(np.matmul(A, Minv), np.swapaxes(A, 1, 2))
        ld[b.index] += logdetM
        # exact zeros at the missing rows/columns
        K[b.index[:, None], b.miss, :] = 0.0
        K[b.index[:, None], :, b.miss] = 0.0
    return K, ld


def _check_inputs(stats: SampleStats, Sigma, mu) -> tuple[np.ndarray, np.ndarray]:
    Sigma = np.asarray(Sigma, dtype=float)
    mu = np.asarray(mu, dtype=float).ravel()
    if Sigma.shape != (stats.p, stats.p) or mu.shape != (stats.p,):
        raise ValueError(f"Sigma must be {stats.p}x{stats.p} and mu of length {stats.p}")
    return Sigma, mu


# ---------------------------------------------------------------------------------------------------------------
# log-likelihood, gradient, Hessian
# ---------------------------------------------------------------------------------------------------------------

def _loglik_core(stats: SampleStats, Sigma: np.ndarray, mu: np.ndarray, gradient: bool, outside: bool = False):
    """Log-likelihood and (optionally) its gradient: mu part and the symmetric matrix of Sigma partials
    (``outside``: :func:`_chol_inverse`'s; the log-likelihood is then NaN)."""
    P, logdetS = _chol_inverse(Sigma, outside)
    n, N = stats._n, float(stats.n)
    D = (stats._MY - mu) * stats._mask                   # (npat, p), zero at missing
    nD = n[:, None] * D
    DP = D @ P
    ssq = stats._const + N * logdetS + float(np.sum(P * stats._SYsum)) + float(np.sum(nD * DP))
    if gradient:
        gmu = P @ nD.sum(axis=0)
        Wsum = stats._SYsum + D.T @ nD
        Q = np.zeros_like(P)
        CWC = np.zeros_like(P)
        sumC = np.zeros_like(P)
    for index, miss, valid in stats._stacks:
        A, Minv, logdetM = _padded_update(P, miss, valid, outside)
        nb = n[index]
        d = D[index]
        SY = stats._SY[index]
        Ad = np.einsum("kpq,kp->kq", A, d)
        ASY = np.matmul(np.swapaxes(A, 1, 2), SY)         # (K, q, p)
        ASYA = np.matmul(ASY, A)                          # (K, q, q)
        MAd = np.einsum("kqr,kr->kq", Minv, Ad)
        ssq += float(np.dot(nb, logdetM - np.einsum("kqr,krq->k", Minv, ASYA) - np.einsum("kq,kq->k", Ad, MAd)))
        if gradient:
            nA = nb[:, None, None] * A
            Af = _flat_pq(A)
            gmu -= _flat_pq(nA) @ MAd.ravel()
            AW = ASY + Ad[:, :, None] * d[:, None, :]     # A'W, W = SY + d d'
            MAW = np.matmul(Minv, AW)                      # (K, q, p)
            Q += _flat_pq(nA) @ MAW.reshape(-1, stats.p)
            AWA = ASYA + Ad[:, :, None] * Ad[:, None, :]
            Z = np.matmul(np.matmul(Minv, AWA), Minv)
            CWC += _flat_pq(np.matmul(nA, Z)) @ Af.T
            sumC += _flat_pq(np.matmul(nA, Minv)) @ Af.T
    ll = -0.5 * ssq
    if not gradient:
        return ll
    PWP = P @ Wsum @ P
    QP = Q @ P
    KWK = PWP - QP - QP.T + CWC
    sumK = N * P - sumC
    G = 0.5 * (KWK - sumK)
    return ll, gmu, 0.5 * (G + G.T)


def fiml_loglik(stats: SampleStats, Sigma: np.ndarray, mu: np.ndarray) -> float:
    """Total casewise log-likelihood of the non-empty rows (constants included; lavaan's ``logl``).

    Returns ``-inf`` when Sigma is not positive definite (as lavaan's objective, which requires it).

    >>> X = np.array([[0.0, 1.0], [1.0, np.nan], [2.0, 3.0]])
    >>> round(fiml_loglik(SampleStats(X), np.eye(2), np.zeros(2)), 6)
    -12.094693
    """
    stats = _as_stats(stats)
    Sigma, mu = _check_inputs(stats, Sigma, mu)
    try:
        return _loglik_core(stats, Sigma, mu, gradient=False)
    except np.linalg.LinAlgError:
        return -math.inf


def fiml_gradient(stats: SampleStats, Sigma: np.ndarray, mu: np.ndarray, *,
                  return_loglik: bool = False, outside: bool = False):
    """Gradient of :func:`fiml_loglik` with respect to ``m = [mu; vech(Sigma)]``.

    With ``return_loglik=True`` returns ``(loglik, gradient)`` from one pass (the optimiser's usual need).
    Raises ``numpy.linalg.LinAlgError`` when Sigma is not positive definite.  ``outside=True``: the gradient
    as lavaan computes it also where Sigma (or a pattern's block of it) is not positive definite, with the
    plain inverse (lavaan warns "lav_model_gradient: Sigma.hat is not positive definite"; the log-likelihood
    is NaN there): lavaan's nlminb takes its first step from such a start along it
    (:func:`iur_survey.sem.api._step_out`); LinAlgError only where a block is singular.

    >>> X = np.array([[0.0, 1.0], [1.0, np.nan], [2.0, 3.0]])
    >>> fiml_gradient(SampleStats(X), np.eye(2), np.zeros(2)).round(6).tolist()
    [3.0, 4.0, 1.0, 6.0, 4.0]
    """
    stats = _as_stats(stats)
    Sigma, mu = _check_inputs(stats, Sigma, mu)
    ll, gmu, G = _loglik_core(stats, Sigma, mu, gradient=True, outside=outside)
    g = np.concatenate([gmu, _sym_grad_to_vech(G)])
    return (ll, g) if return_loglik else g


_KRON_INDEX: dict[int, tuple] = {}


def _kron_index(p: int):
    """Flat index pairs for ``D'(A (x) B)D`` read off ``R[(a*p+b), (c*p+d)] = sum_k w_k A_k[a,b] B_k[c,d]``."""
    out = _KRON_INDEX.get(p)
    if out is None:
        vi, vj = vech_indices(p)
        I, J = vi[:, None], vj[:, None]
        K, L = vi[None, :], vj[None, :]
        # D'(A (x) B)D [(ij),(kl)] = A_jl B_ik + A_jk B_il + A_il B_jk + A_ik B_jl, halved for i==j and for k==l
        pairs = ((J * p + L, I * p + K), (J * p + K, I * p + L), (I * p + L, J * p + K), (I * p + K, J * p + L))
        diag = (vi == vj).astype(float)
        scale = 1.0 / ((1.0 + diag)[:, None] * (1.0 + diag)[None, :])
        out = (pairs, scale)
        _KRON_INDEX[p] = out
    return out


def _vech_kron(w: np.ndarray, A: np.ndarray, B: np.ndarray, symmetric_pair: bool = False) -> np.ndarray:
    """``sum_k w_k D'(A_k (x) B_k) D`` for stacks A, B of shape (K, p, p) (one BLAS product + gathers)."""
    Kn, p, _ = A.shape
    R = (w[:, None] * A.reshape(Kn, p * p)).T @ B.reshape(Kn, p * p)
    (t1, t2, t3, t4), scale = _kron_index(p)
    if symmetric_pair:            # A is B: the four terms pair up
        out = 2.0 * (R[t2] + R[t4])
    else:
        out = R[t1] + R[t2] + R[t3] + R[t4]
    return out * scale


def fiml_hessian_m(stats: SampleStats, Sigma: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """Analytic Hessian of :func:`fiml_loglik` with respect to ``m = [mu; vech(Sigma)]``.

    The same matrix as lavaan's ``lav_mvnorm_missing_logl_hessian_samplestats``; ``-H / N`` is lavaan's unit
    observed information of the saturated model (``lav_mvnorm_missing_information_observed_samplestats``).

    >>> X = np.array([[0.0, 1.0], [1.0, np.nan], [2.0, 3.0]])
    >>> (fiml_hessian_m(SampleStats(X), np.eye(2), np.zeros(2)) + 0.0).tolist()[3]
    [-4.0, -2.0, -6.0, -12.0, -6.0]
    """
    stats = _as_stats(stats)
    Sigma, mu = _check_inputs(stats, Sigma, mu)
    p = stats.p
    K, _ = _embedded_inverses(stats, Sigma)
    n = stats._n
    d = (stats._MY - mu) * stats._mask
    v = np.einsum("kab,kb->ka", K, d)
    KSK = np.matmul(np.matmul(K, stats._SY), K)
    AAA = 2.0 * (KSK + v[:, :, None] * v[:, None, :]) - K
    H11 = -np.einsum("k,kab->ab", n, K)
    U = np.einsum("k,kc,kra->cra", n, v, K)              # U[c,r,a] = sum n v_c K_ra
    vi, vj = vech_indices(p)
    H21 = -(U[vj, vi, :] + U[vi, vj, :])
    H21[vi == vj] *= 0.5
    H22 = -0.5 * _vech_kron(n, K, AAA)
    return np.block([[H11, H21.T], [H21, H22]])


# ---------------------------------------------------------------------------------------------------------------
# casewise quantities
# ---------------------------------------------------------------------------------------------------------------

def _row_update(stats: SampleStats, P: np.ndarray, E: np.ndarray):
    """For centred rows E (zero at missing, order of ``stats.rows``): ``K_i E_i``, ``log|Sigma_oo,i| - log|Sigma|``
    and vech(K_i) (rows x p*) with K_i the padded inverse of row i's observed block."""
    Z = E @ P
    logdet_extra = np.zeros(stats.n)
    vi, vj = vech_indices(stats.p)
    Kv_pat = np.broadcast_to(P[vi, vj], (len(stats.patterns), vi.size)).copy()
    for b in stats._batches:
        A, Minv, logdetM = _batch_update(P, b)
        Kv_pat[b.index] -= np.einsum("kvq,kqr,kvr->kv", A[:, vi, :], Minv, A[:, vj, :])
        # rows of these patterns
        pos = np.full(len(stats.patterns), -1)
        pos[b.index] = np.arange(b.index.size)
        rpos = pos[stats._row_pattern]
        sel = np.flatnonzero(rpos >= 0)
        k = rpos[sel]
        Ae = np.einsum("npq,np->nq", A[k], E[sel])
        Z[sel] -= np.einsum("npq,nq->np", A[k], np.einsum("nqr,nr->nq", Minv[k], Ae))
        logdet_extra[sel] = logdetM[k]
    miss = stats._mask[stats._row_pattern] == 0.0
    Z[miss] = 0.0
    Kv = Kv_pat[stats._row_pattern]
    Kv[(miss[:, vi]) | (miss[:, vj])] = 0.0
    return Z, logdet_extra, Kv


def _centred_rows(stats: SampleStats, mu: np.ndarray) -> np.ndarray:
    Y = stats.X[stats.rows]
    return np.where(np.isnan(Y), 0.0, Y - mu)


def casewise_loglik(data, Sigma: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """Log-likelihood of every non-empty row (in the order of ``SampleStats.rows``).

    >>> X = np.array([[0.0, 1.0], [1.0, np.nan], [2.0, 3.0]])
    >>> ll = casewise_loglik(X, np.eye(2), np.zeros(2))
    >>> bool(np.isclose(ll.sum(), fiml_loglik(SampleStats(X), np.eye(2), np.zeros(2))))
    True
    """
    stats = _as_stats(data)
    Sigma, mu = _check_inputs(stats, Sigma, mu)
    P, logdetS = _chol_inverse(Sigma)
    E = _centred_rows(stats, mu)
    Z, ld, _ = _row_update(stats, P, E)
    p_obs = stats._mask[stats._row_pattern].sum(axis=1)
    return -0.5 * (p_obs * LOG2PI + logdetS + ld + np.einsum("np,np->n", Z, E))


def casewise_scores(data, Sigma: np.ndarray, mu: np.ndarray, *, meanstructure: bool = True) -> np.ndarray:
    """Per-case gradients ``d logl_i / d m`` (rows = non-empty cases in the order of ``SampleStats.rows``).

    Complete or incomplete data alike (lavaan's ``lav_mvnorm_scores_mu_vech_sigma`` /
    ``lav_mvnorm_missing_scores_mu_vech_sigma``; lavaan writes NA where we write 0 for a missing variable's
    entries).  With ``meanstructure=False`` the ``mu`` columns are dropped (lavaan then evaluates the scores at the
    sample mean: pass ``mu = stats.mean``).

    >>> X = np.array([[0.0, 1.0], [1.0, np.nan], [2.0, 3.0]])
    >>> sc = casewise_scores(X, np.eye(2), np.zeros(2))
    >>> sc.shape, bool(np.allclose(sc.sum(axis=0), fiml_gradient(SampleStats(X), np.eye(2), np.zeros(2))))
    ((3, 5), True)
    """
    stats = _as_stats(data)
    Sigma, mu = _check_inputs(stats, Sigma, mu)
    P, _ = _chol_inverse(Sigma)
    E = _centred_rows(stats, mu)
    Z, _, Kv = _row_update(stats, P, E)
    vi, vj = vech_indices(stats.p)
    S = Z[:, vi] * Z[:, vj] - Kv
    S[:, vi == vj] *= 0.5
    return np.hstack([Z, S]) if meanstructure else S


# ---------------------------------------------------------------------------------------------------------------
# H1 (saturated) and baseline (independence) models
# ---------------------------------------------------------------------------------------------------------------

def _em_step(stats: SampleStats, Sigma: np.ndarray, mu: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One EM step (lavaan's ``lav_mvnorm_missing_estep`` + M-step), with the inverse update per pattern.

    With K the padded inverse of a pattern's observed block, ``Sigma K = I - E_m M^-1 A'`` (E_m selects the missing
    variables), so the completed data and the correction ``Sigma - Sigma K Sigma = E_m M^-1 E_m'`` need only the
    q x q blocks.
    """
    p, N = stats.p, float(stats.n)
    n = stats._n
    P, _ = _chol_inverse(Sigma)
    D = (stats._MY - mu) * stats._mask
    a = mu + D                                            # completed pattern means (missing part below)
    G1 = np.zeros((p, p))
    Zs = np.zeros(p * p)
    for b in stats._batches:
        A, Minv, _ = _batch_update(P, b)
        R = np.matmul(Minv, np.swapaxes(A, 1, 2))          # (K, q, p)
        Rd = np.einsum("kqp,kp->kq", R, D[b.index])
        a[b.index[:, None], b.miss] -= Rd
        RSY = np.matmul(R, stats._SY[b.index])             # (K, q, p)
        G1 += b.onehot @ (b.n[:, None, None] * RSY).reshape(-1, p)
        Zb = np.matmul(RSY, np.swapaxes(R, 1, 2)) + Minv   # (K, q, q)
        Zs += np.bincount(b.flat.ravel(), weights=(b.n[:, None, None] * Zb).ravel(), minlength=p * p)
    T1 = n @ a
    T2 = (a * n[:, None]).T @ a + stats._SYsum - G1 - G1.T + Zs.reshape(p, p)
    mu_new = T1 / N
    Sigma_new = T2 / N - np.outer(mu_new, mu_new)
    return 0.5 * (Sigma_new + Sigma_new.T), mu_new


def em_saturated(stats: SampleStats, tol: float = 1e-5, max_iter: int = 500, *,
                 warnings: list[str] | None = None) -> tuple[np.ndarray, np.ndarray, float, int]:
    """ML estimates of the unrestricted model by EM, as lavaan's ``lav_mvnorm_missing_h1_estimate_moments``.

    lavaan 0.6.14 defaults (``em.h1.tol = 1e-05``, ``em.h1.iter.max = 500``, lav_options.R lines 177-178):
    start at the available-case means and a diagonal of available-case (biased) variances, stop when the largest
    absolute change of ``[mu; vech(Sigma)]`` is below ``tol``, and add ``1e-8 * max(diag(Sigma))`` to the
    diagonal whenever an eigenvalue falls below 1e-6.  Returns ``(Sigma, mu, logl, n_iter)`` where ``logl`` is
    :func:`fiml_loglik` at the estimates (lavaan's ``unrestricted.logl``).  For complete data the answer is the
    sample mean and biased covariance matrix (no iteration).  Use ``tol=1e-12`` for the exact maximiser.
    Pass a list as ``warnings`` to receive lavaan's two EM warnings (iteration limit reached; smallest
    eigenvalue of the EM covariance matrix below 1e-05).

    >>> X = np.array([[1.0, 2.0], [2.0, np.nan], [3.0, 5.0], [np.nan, 4.0], [4.0, 6.0], [2.0, 2.5]])
    >>> S, m, ll, it = em_saturated(SampleStats(X))
    >>> m.round(4).tolist(), round(ll, 4)
    ([2.4285, 3.7775], -10.625)
    """
    stats = _as_stats(stats)
    if stats.complete:
        return stats.cov.copy(), stats.mean.copy(), fiml_loglik(stats, stats.cov, stats.mean), 0
    p = stats.p
    Y = stats.X[stats.rows]
    mu = np.nanmean(Y, axis=0)
    var0 = np.nanmean((Y - mu) ** 2, axis=0)
    var0 = np.where(~np.isfinite(var0) | (var0 == 0), 1.0, var0)
    Sigma = np.diag(var0)
    it = 0
    for it in range(1, max_iter + 1):
        Sigma_new, mu_new = _em_step(stats, Sigma, mu)
        ev = np.linalg.eigvalsh(Sigma_new)
        if np.any(ev < 1e-6):
            Sigma_new[np.diag_indices(p)] += np.max(np.diag(Sigma_new)) * 1e-8
        delta = max(np.max(np.abs(mu_new - mu)), np.max(np.abs(vech(Sigma_new) - vech(Sigma))))
        mu, Sigma = mu_new, Sigma_new
        if delta < tol:
            break
    if warnings is not None:
        if it == max_iter and delta >= tol:
            warnings.append("Maximum number of iterations reached when computing the sample moments using EM; "
                            "use the em.h1.iter.max= argument to increase the number of iterations")
        if np.linalg.eigvalsh(Sigma)[0] < 1e-5:
            warnings.append("The smallest eigenvalue of the EM estimated variance-covariance matrix (Sigma) is "
                            "smaller than 1e-05; this may cause numerical instabilities; interpret the results "
                            "with caution.")
    return Sigma, mu, fiml_loglik(stats, Sigma, mu), it


def independence_fiml(stats: SampleStats, *, meanstructure: bool = True
                      ) -> tuple[np.ndarray, np.ndarray, float]:
    """The baseline (independence) model under FIML: diagonal Sigma, free means.

    The likelihood factorises per variable, so the ML estimates are the available-case mean and biased variance
    of each variable.  Returns ``(Sigma_b, mu_b, logl_b)``.  For complete data without a mean structure lavaan's
    baseline logl is the same number (the means are then the sample means).

    >>> X = np.array([[1.0, 2.0], [2.0, np.nan], [3.0, 5.0]])
    >>> S, m, ll = independence_fiml(SampleStats(X))
    >>> np.diag(S).round(4).tolist(), m.tolist(), round(ll, 4)
    ([0.6667, 2.25], [2.0, 3.5], -7.2974)
    """
    stats = _as_stats(stats)
    Y = stats.X[stats.rows]
    obs = ~np.isnan(Y)
    nj = obs.sum(axis=0).astype(float)
    mu = np.nanmean(Y, axis=0)
    var = np.nanmean((Y - mu) ** 2, axis=0)
    logl = float(-0.5 * np.sum(nj * (LOG2PI + np.log(var) + 1.0)))
    return np.diag(var), mu, logl


# ---------------------------------------------------------------------------------------------------------------
# information matrices on m (unit information: divided by N)
# ---------------------------------------------------------------------------------------------------------------

def information_expected(data, Sigma: np.ndarray, mu: np.ndarray | None = None, *,
                         meanstructure: bool = True) -> np.ndarray:
    """Unit expected information on ``m``.

    Complete data: ``bdiag(Sigma^-1, 0.5 D'(Sigma^-1 (x) Sigma^-1) D)`` (lavaan's
    ``lav_mvnorm_information_expected``).  Incomplete data: the pattern-weighted version of lavaan's
    ``lav_mvnorm_missing_information_expected`` (valid under MCAR only; lavaan's FIML default is ``observed``).
    ``data`` may be a :class:`SampleStats`, a data matrix, or None (complete data, Sigma only).

    >>> information_expected(None, np.diag([2.0, 4.0]), meanstructure=False).round(4).tolist()
    [[0.125, 0.0, 0.0], [0.0, 0.125, 0.0], [0.0, 0.0, 0.0312]]
    """
    Sigma = np.asarray(Sigma, dtype=float)
    p = Sigma.shape[0]
    if data is None or _as_stats(data).complete:
        Si = np.linalg.inv(Sigma)
        Si = 0.5 * (Si + Si.T)
        I22 = 0.5 * _vech_kron(np.ones(1), Si[None], Si[None], symmetric_pair=True)
        I11 = Si
    else:
        stats = _as_stats(data)
        K, _ = _embedded_inverses(stats, Sigma)
        n = np.array([pt.n for pt in stats.patterns], dtype=float)
        I11 = np.einsum("k,kab->ab", n, K) / stats.n
        I22 = 0.5 * _vech_kron(n, K, K, symmetric_pair=True) / stats.n
    if not meanstructure:
        return I22
    return np.block([[I11, np.zeros((p, I22.shape[0]))], [np.zeros((I22.shape[0], p)), I22]])


def information_observed(data, Sigma: np.ndarray, mu: np.ndarray, *, meanstructure: bool = True
                         ) -> np.ndarray:
    """Unit observed information on ``m``: ``-H(m) / N`` with H from :func:`fiml_hessian_m`.

    For complete data this is lavaan's ``lav_mvnorm_information_observed_samplestats`` (with the sample mean
    and biased covariance); evaluated at the saturated estimates it equals the expected information.

    >>> X = np.array([[0.0, 1.0], [1.0, 2.0], [2.0, 4.0]])
    >>> st = SampleStats(X)
    >>> bool(np.allclose(information_observed(st, st.cov, st.mean), information_expected(st, st.cov)))
    True
    """
    stats = _as_stats(data)
    mu = np.asarray(mu, dtype=float)
    info = -fiml_hessian_m(stats, Sigma, mu) / stats.n
    return info if meanstructure else info[stats.p:, stats.p:]


def information_first_order(data, Sigma: np.ndarray, mu: np.ndarray, *, meanstructure: bool = True
                            ) -> np.ndarray:
    """Unit first-order information on ``m``: ``crossprod(casewise scores) / N``.

    lavaan's ``lav_mvnorm_information_firstorder`` / ``lav_mvnorm_missing_information_firstorder``.  It is the
    "structured" B1 when evaluated at the model-implied moments (for complete data without a mean structure,
    lavaan uses ``mu = sample mean`` and ``meanstructure=False``), the "unstructured" one at the saturated (EM)
    moments.

    >>> X = np.array([[0.0, 1.0], [1.0, 2.0], [2.0, 4.0], [3.0, 3.0]])
    >>> information_first_order(X, np.eye(2), np.zeros(2)).shape
    (5, 5)
    """
    stats = _as_stats(data)
    sc = casewise_scores(stats, Sigma, mu, meanstructure=meanstructure)
    return sc.T @ sc / stats.n


# ---------------------------------------------------------------------------------------------------------------
# observed information on theta (lavaan's numerical Hessian of the analytic gradient)
# ---------------------------------------------------------------------------------------------------------------

def observed_information_theta(grad_fn_theta: Callable[[np.ndarray], np.ndarray], theta: np.ndarray, *,
                               h: float = 1e-6, scale: float = 1.0) -> np.ndarray:
    """lavaan's ``lav_model_hessian``: the Hessian of the objective from its analytic gradient.

    Column j is ``(g(x - 2h e_j) - 8 g(x - h e_j) + 8 g(x + h e_j) - g(x + 2h e_j)) / (12 h)`` with
    ``h = 1e-6`` (lav_model_hessian.R, lines 1-107 of lavaan 0.6.14), then ``(H + H') / 2``.  lavaan's objective
    is the unit one (``-logl / N + const`` for FIML, ``F_ML / 2`` for complete data), so the result is the unit
    observed information used by ``information = "observed"`` with ``observed.information = "hessian"`` (the
    default for FIML and for MLR).  If ``grad_fn_theta`` returns the gradient of ``-logl``, pass
    ``scale = 1 / N``; of ``+logl``, ``scale = -1 / N``.

    >>> A = np.array([[2.0, 0.5], [0.5, 1.0]])
    >>> observed_information_theta(lambda x: A @ x, np.array([0.3, -0.2])).round(8).tolist()
    [[2.0, 0.5], [0.5, 1.0]]
    """
    x = np.asarray(theta, dtype=float).ravel()
    k = x.size
    H = np.empty((k, k))
    for j in range(k):
        xs = [x.copy() for _ in range(4)]
        xs[0][j] -= 2 * h
        xs[1][j] -= h
        xs[2][j] += h
        xs[3][j] += 2 * h
        g = [np.asarray(grad_fn_theta(xx), dtype=float).ravel() for xx in xs]
        H[:, j] = (g[0] - 8.0 * g[1] + 8.0 * g[2] - g[3]) / (12.0 * h)
    H = 0.5 * (H + H.T)
    return H * scale


def observed_information_delta(data, Sigma: np.ndarray, mu: np.ndarray | None, Delta: np.ndarray,
                               delta_fn: Callable[[np.ndarray], np.ndarray], theta: np.ndarray, *,
                               meanstructure: bool = True, h: float = 1e-5) -> np.ndarray:
    """The same unit observed information as :func:`observed_information_theta`, from the analytic Hessian on m.

    ``-(Delta' H_m Delta + sum_k g_k d2 m_k / dtheta dtheta') / N`` with ``H_m`` from :func:`fiml_hessian_m`,
    ``g = d logl / d m`` and the second-derivative term from central differences of ``delta_fn`` (Delta holding
    g fixed; 2 Delta evaluations per parameter instead of 4 gradient evaluations).  Complete data without a mean
    structure: pass ``mu=None`` (the sample mean is used) and a Delta with the ``vech(Sigma)`` rows only.
    Agrees with lavaan's numerical Hessian to about 1e-8 (relative).

    >>> X = np.array([[0.0, 1.0], [1.0, np.nan], [2.0, 3.0], [1.5, 2.5]])
    >>> st = SampleStats(X)
    >>> def moments(t):   # Sigma = [[t0, t1], [t1, t0]], mu = [t2, t2]
    ...     return np.array([[t[0], t[1]], [t[1], t[0]]]), np.array([t[2], t[2]])
    >>> dfn = lambda t: np.array([[0, 0, 1], [0, 0, 1], [1, 0, 0], [0, 1, 0], [1, 0, 0.0]])
    >>> th = np.array([1.2, 0.5, 1.0])
    >>> grad = lambda t: -dfn(t).T @ fiml_gradient(st, *moments(t)) / st.n
    >>> A1 = observed_information_theta(grad, th)
    >>> A2 = observed_information_delta(st, *moments(th), dfn(th), dfn, th)
    >>> bool(np.allclose(A1, A2, rtol=1e-7, atol=1e-9))
    True
    """
    stats = _as_stats(data)
    Sigma = np.asarray(Sigma, dtype=float)
    p = stats.p
    if not meanstructure or mu is None:
        if not stats.complete:
            raise ValueError("incomplete data need a mean structure")
        mu_eval = stats.mean
        H = fiml_hessian_m(stats, Sigma, mu_eval)[p:, p:]
        g = fiml_gradient(stats, Sigma, mu_eval)[p:]
    else:
        H = fiml_hessian_m(stats, Sigma, mu)
        g = fiml_gradient(stats, Sigma, mu)
    D = np.asarray(Delta, dtype=float)
    Ht = D.T @ H @ D
    x = np.asarray(theta, dtype=float).ravel()
    second = np.empty((x.size, x.size))
    for j in range(x.size):
        xp, xm = x.copy(), x.copy()
        xp[j] += h
        xm[j] -= h
        second[:, j] = (np.asarray(delta_fn(xp)) - np.asarray(delta_fn(xm))).T @ g / (2.0 * h)
    Ht = Ht + 0.5 * (second + second.T)
    return -0.5 * (Ht + Ht.T) / stats.n


class FimlBatch:
    """FIML over many case weightings of one data set (bootstrap draws, jackknife leave-one-outs), one
    weighting at a time: each gets the missing-data pattern statistics of its rows (:class:`SampleStats`),
    and its objective is ``-loglik / N`` with the gradient of :func:`fiml_gradient` chained through the
    model's ``Delta`` (``model.delta_t_dot``); the same interface as
    :class:`iur_survey.sem.ml.CompleteMLBatch`.  Its curvature (``info=True``) is the one of the single FIML
    fit: the normal model's expected information with the groups weighted by N_g / N
    (``model.expected_information``)."""

    def __init__(self, model: Model, Xg: list[np.ndarray]):
        self.model = model
        self.npar = model.npar
        self.Xg = Xg
        self.nobs = [X.shape[0] for X in Xg]

    def moments(self, counts: list[np.ndarray]):
        """Per draw: the missing-data pattern statistics of the resample (rebuilt from the repeated rows)."""
        K = counts[0].shape[0]
        out = []
        for k in range(K):
            sts, ok = [], True
            for g, C in enumerate(counts):
                c = np.asarray(C[k], np.int64)
                try:
                    sts.append(SampleStats(self.Xg[g][np.repeat(np.arange(self.nobs[g]), c)]))
                except ValueError:
                    ok = False
                    break
            out.append((sts, ok))
        return out

    def evaluate(self, Theta: np.ndarray, mom: list, which: np.ndarray, info: bool = False):
        K = Theta.shape[0]
        F = np.full(K, np.inf)
        grad = np.full((K, self.npar), np.nan)
        I = np.full((K, self.npar, self.npar), np.nan) if info else None
        ok = np.zeros(K, bool)
        for r in range(K):
            sts, good = mom[which[r]]
            if not good:
                continue
            N = float(sum(s.n for s in sts))
            total = 0.0
            gr = np.zeros(self.npar)
            try:
                for g, s in enumerate(sts):
                    Sigma, mu = self.model.implied(Theta[r], g)
                    ll, gm = fiml_gradient(s, Sigma, mu, return_loglik=True)
                    total += ll
                    gr -= self.model.delta_t_dot(Theta[r], g, gm, meanstructure=True) / N
            except (np.linalg.LinAlgError, ValueError, EstimationError):
                continue
            if np.isfinite(total) and np.all(np.isfinite(gr)):
                F[r], grad[r], ok[r] = -total / N, gr, True
                if info:
                    I[r] = self.model.expected_information(Theta[r], np.array([s.n for s in sts], float) / N)
        return F, grad, I, ok


def baseline_moments_x(stats: SampleStats, Sb: np.ndarray, mb: np.ndarray, x_idx, *, pairwise: bool = False
                       ) -> tuple[np.ndarray, np.ndarray]:
    """The independence model's moments with the covariates' block at their (saturated, FIML) sample values;
    ``pairwise=True`` (lavaan's missing = "ml.x" with fixed.x, its ``lavsamplestats@cov.x``): the pairwise
    covariance matrix with divisor n (the group's rows) and the observed means.

    >>> X = np.array([[0.0, 1.0, 2.0], [1.0, 2.0, 1.0], [2.0, 4.0, 0.0], [3.0, 3.0, 2.0]])
    >>> Sb, mb = baseline_moments_x(SampleStats(X), np.eye(3), np.zeros(3), [1, 2])
    >>> round(float(Sb[1, 2]), 4), float(Sb[0, 1])
    (-0.625, 0.0)
    """
    x = np.asarray(x_idx, dtype=int)
    sx = SampleStats(stats.X[:, x])
    # not ``sx.complete``: SampleStats leaves out the rows with no value, so one covariate missing in some rows
    # looks complete there, and its block would be the observed rows' biased variance, not lavaan's cov.x
    if pairwise and np.isnan(stats.X[:, x]).any():
        n = stats.X.shape[0]
        Sx, mx = pairwise_cov(stats.X[:, x]) * ((n - 1) / n), np.nanmean(stats.X[:, x], axis=0)
    elif sx.complete:
        Sx, mx = sx.cov, sx.mean
    else:
        Sx, mx, _, _ = em_saturated(sx)
    Sb = np.array(Sb, dtype=float, copy=True)
    mb = np.array(mb, dtype=float, copy=True)
    Sb[np.ix_(x, x)] = Sx
    mb[x] = mx
    return Sb, mb
