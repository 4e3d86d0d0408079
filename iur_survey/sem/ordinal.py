"""Sample statistics of ordinal items, as lavaan 0.6.14 computes them for WLSMV.

For ordered items lavaan does not fit the covariance matrix of the raw codes.
It assumes each item is a cut-up standard normal ``y*`` and estimates, in
two steps (Muthen 1984; lavaan's ``muthen1984()``):

1. **thresholds**, per item, from the marginal proportions:
   ``tau_k = qnorm(P(y <= k))`` (probit; the ML estimate);
2. **polychoric correlations**, per pair, by maximum likelihood on the
   bivariate frequency table with both items' thresholds held at their
   step-1 values (lavaan's ``lav_bvord_cor_twostep_fit``).

The asymptotic covariance matrix of ``(thresholds, correlations)`` -- lavaan's
``NACOV`` ("gamma"), used for the DWLS weights, the robust standard errors and
the mean-and-variance adjusted test -- comes from the casewise scores of the
univariate and bivariate likelihoods: ``Gamma = N * B^-1 (S'S) B^-T`` with
``S`` the ``N x (nth + p*(p-1)/2)`` matrix of scores and ``B`` the block
lower-triangular matrix of cross-products that lavaan uses.

Conventions (lavaan's): the statistics vector is ``[thresholds of item 1,
thresholds of item 2, ..., vech of the correlation matrix without its
diagonal]`` (lower triangle, column by column: (2,1), (3,1), ..., (p,1),
(3,2), ...).  Categories are the values observed in the data, in increasing
order (an unused code of the scale is no category, as with R's
``ordered()``).  Rows with a missing value on any item are dropped
(``missing = "listwise"``, lavaan's default for WLSMV).  lavaan's
``zero.add = c(0.5, 0)`` and ``zero.keep.margins = TRUE`` defaults apply: 0.5
is added to the one empty cell of a 2 x 2 table (keeping the margins); empty
cells of larger tables are left empty.

The whole step is vectorised over the ``p*(p-1)/2`` pairs: a Newton iteration
runs on all correlations at once, with the bivariate normal integral by
Owen's T function (:func:`bivariate_normal_cdf`; as accurate as Genz's
algorithm of the ``pbivnorm`` package lavaan calls).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri, owens_t

from iur_survey._threads import BLAS_THREADS, blas_threads  # noqa: F401 (re-exported)
from iur_survey.errors import DataError, EstimationError, ModelSyntaxError
from iur_survey.sem.table import never_together, pair_counts

__all__ = [
    "BLAS_THREADS",
    "blas_threads",
    "bivariate_normal_cdf",
    "bivariate_normal_pdf",
    "OrdinalSampleStats",
    "ordinal_sample_stats",
    "thresholds",
    "polychoric",
    "pair_index",
    "ordered_variance_lines", "drop_ignored_variance_lines",
]

_SQRT_EPS = np.sqrt(np.finfo(float).eps)

# Stand-in for an infinite threshold (lavaan uses +-100 in its scores).
_BIG = 100.0

_TWOPI = 2.0 * np.pi


def bivariate_normal_cdf(x, y, rho) -> np.ndarray:
    """P(X <= x, Y <= y) of a standard bivariate normal with correlation ``rho``.

    Vectorised (arguments broadcast), by Owen's T function (Owen 1956;
    ``scipy.special.owens_t``):
    ``Phi2(h, k; r) = (Phi(h) + Phi(k))/2 - T(h, a_h) - T(k, a_k) - beta``
    with ``a_h = (k - r h) / (h sqrt(1 - r^2))``, ``a_k`` alike and ``beta =
    1/2`` when ``h`` and ``k`` have opposite signs.  Within 2.2e-16 of a
    30-digit quadrature on 300 points (``|r|`` up to 0.9999, zero limits), as
    Genz's algorithm of R's ``pbivnorm`` that lavaan calls, and about twice as
    fast as our former port of it.  Infinite limits and ``|rho| = 1`` are exact.
    The package's one implementation (the power module calls it too).

    >>> round(float(bivariate_normal_cdf(0.0, 0.0, 0.5)), 12)   # 1/4 + asin(.5)/(2 pi)
    0.333333333333
    >>> float(bivariate_normal_cdf(np.inf, 1.0, 0.3)) == float(ndtr(1.0))
    True
    >>> bool(np.isclose(bivariate_normal_cdf(1.0, -0.5, 0.0), ndtr(1.0) * ndtr(-0.5)))   # independent
    True
    """
    h, k, r = np.broadcast_arrays(np.asarray(x, float), np.asarray(y, float), np.asarray(rho, float))
    shape = h.shape
    h, k, r = h.ravel(), k.ravel(), r.ravel()
    out = np.empty(h.shape)
    lo = (h == -np.inf) | (k == -np.inf)
    out[lo] = 0.0
    only_k = (h == np.inf) & ~lo
    out[only_k] = ndtr(k[only_k])
    only_h = (k == np.inf) & ~lo & ~only_k
    out[only_h] = ndtr(h[only_h])
    m = ~(lo | only_k | only_h)
    one = m & (r >= 1.0)
    out[one] = ndtr(np.minimum(h[one], k[one]))
    mone = m & (r <= -1.0)
    out[mone] = np.maximum(0.0, ndtr(h[mone]) - ndtr(-k[mone]))
    m &= np.abs(r) < 1.0
    if m.any():
        hh, kk, rr = h[m], k[m], r[m]
        s = np.sqrt((1.0 - rr) * (1.0 + rr))
        # a zero limit is moved to +1e-300: the formula's limit as h -> 0+ (T(0, a) = atan(a) / 2pi)
        hh = np.where(hh == 0, 1e-300, hh)
        kk = np.where(kk == 0, 1e-300, kk)
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            ah = (kk - rr * hh) / (hh * s)
            ak = (hh - rr * kk) / (kk * s)
        beta = np.where(np.sign(hh) != np.sign(kk), 0.5, 0.0)
        out[m] = 0.5 * (ndtr(hh) + ndtr(kk)) - owens_t(hh, ah) - owens_t(kk, ak) - beta
    np.clip(out, 0.0, 1.0, out=out)
    return out.reshape(shape)


def bivariate_normal_pdf(x, y, rho) -> np.ndarray:
    """Density of a standard bivariate normal with correlation ``rho`` (vectorised).

    >>> round(float(bivariate_normal_pdf(0.0, 0.0, 0.0)), 10) == round(1 / (2 * np.pi), 10)
    True
    """
    x, y, rho = np.asarray(x, float), np.asarray(y, float), np.asarray(rho, float)
    r2 = 1.0 - rho * rho
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):     # |rho| = 1 (a 5-row fit): inf, no warning
        z = (x * x - 2.0 * rho * x * y + y * y) / r2
        out = np.exp(-0.5 * z) / (_TWOPI * np.sqrt(r2))
    return np.where(np.isfinite(x) & np.isfinite(y), out, 0.0)


# ---------------------------------------------------------------------------
# data preparation
# ---------------------------------------------------------------------------

def _codes(data: pd.DataFrame, missing: str = "listwise"
           ) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
    """Integer category codes 0..K-1 per column (observed levels; -1 = missing), and the kept rows.

    Levels are taken from the complete data (as R's ``ordered()``); rows with a
    missing value are then dropped (``missing="listwise"``) or only the rows
    missing every item (``"pairwise"``, lavaan's "empty cases").
    """
    levels = []
    cols = []
    for name in data.columns:
        s = data[name]
        if isinstance(s.dtype, pd.CategoricalDtype):
            s = s.cat.codes.astype(float).where(s.notna())
        v = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)
        bad = np.isnan(v) & s.notna().to_numpy()
        if bad.any():
            raise EstimationError(None, f"ordinal item {name!r} holds non-numeric values "
                                        f"(e.g. {s[bad].iloc[0]!r}); pass numeric codes or an "
                                        f"ordered categorical", column=str(name))
        lev = np.unique(v[~np.isnan(v)])
        if lev.size < 2:
            raise EstimationError(None, f"ordinal item {name!r} has fewer than two observed "
                                        f"categories", column=str(name))
        levels.append(lev)
        cols.append(v)
    X = np.column_stack(cols)
    miss = np.isnan(X)
    keep = ~miss.any(axis=1) if missing == "listwise" else ~miss.all(axis=1)
    X = X[keep]
    Y = np.full(X.shape, -1, dtype=np.intp)
    for j, lev in enumerate(levels):
        ok = ~np.isnan(X[:, j])
        Y[ok, j] = np.searchsorted(lev, X[ok, j])
    return Y, levels, keep


def pair_index(p: int) -> tuple[np.ndarray, np.ndarray]:
    """Row/column indices (i > j) of lavaan's vech without diagonal, in its order.

    >>> pair_index(3)
    (array([1, 2, 2]), array([0, 0, 1]))
    """
    j, i = np.triu_indices(p, k=1)        # row-major upper = column-major lower
    order = np.lexsort((i, j))
    return i[order], j[order]


@dataclass
class OrdinalSampleStats:
    """Thresholds, polychoric correlations and their asymptotic covariance.

    Attributes mirror lavaan's ``lavSampleStats`` for one group:
    ``th`` (Series named ``item|t1`` ...), ``cor`` (DataFrame), ``gamma``
    (NACOV, ``N`` times the asymptotic covariance of ``wls_obs``), ``wls_obs``
    (thresholds then vech-without-diagonal of ``cor``), ``wls_vd`` (DWLS
    weights ``1/diag(gamma)``), ``n`` (rows used), ``levels`` (observed
    codes per item), ``th_item`` (0-based item of each threshold),
    ``zero_cell_tables`` (pairs whose table has an empty cell) and
    ``warnings``.
    """

    names: list[str]
    n: int
    levels: list[np.ndarray]
    th: pd.Series
    th_item: np.ndarray
    cor: pd.DataFrame
    wls_obs: np.ndarray
    gamma: np.ndarray | None
    wls_vd: np.ndarray | None
    n_dropped: int = 0
    zero_cell_tables: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    missing: str = "listwise"

    @property
    def nth(self) -> int:
        return int(self.th.size)

    @property
    def p(self) -> int:
        return len(self.names)

    def wls_obs_names(self) -> list[str]:
        """Labels of the statistics vector (``X|t1`` ..., ``X~~Y``)."""
        ii, jj = pair_index(self.p)
        return list(self.th.index) + [f"{self.names[i]}~~{self.names[j]}"
                                      for i, j in zip(ii, jj)]


# ---------------------------------------------------------------------------
# step 1: thresholds and univariate scores
# ---------------------------------------------------------------------------

def _univariate(Y: np.ndarray, ncat: np.ndarray):
    n, p = Y.shape
    kmax = int(ncat.max())
    # padded thresholds (p, kmax-1); +_BIG beyond an item's last threshold
    tau = np.full((p, kmax - 1), _BIG)
    for j in range(p):
        y = Y[:, j]
        freq = np.bincount(y[y >= 0], minlength=ncat[j]).astype(float)
        tau[j, : ncat[j] - 1] = ndtri(np.cumsum(freq[:-1]) / freq.sum())
    return tau


def _extended(tau: np.ndarray) -> np.ndarray:
    """(p, kmax+1) thresholds with -BIG / +BIG at both ends."""
    p = tau.shape[0]
    return np.column_stack([np.full(p, -_BIG), tau, np.full(p, _BIG)])


# ---------------------------------------------------------------------------
# step 2: polychoric correlations, vectorised over pairs
# ---------------------------------------------------------------------------

class _Pairs:
    """Per-pair grids of the bivariate model at the fixed thresholds."""

    def __init__(self, tau: np.ndarray, ii: np.ndarray, jj: np.ndarray):
        # lavaan: Y1 = the earlier item (j), Y2 = the later item (i)
        self.t1 = tau[jj]            # (P, kmax-1) thresholds of Y1
        self.t2 = tau[ii]
        self.P = ii.size
        self.m = tau.shape[1]        # kmax - 1
        self.p1 = ndtr(self.t1)
        self.p2 = ndtr(self.t2)
        T1 = np.repeat(self.t1[:, :, None], self.m, axis=2)
        T2 = np.repeat(self.t2[:, None, :], self.m, axis=1)
        self.T1, self.T2 = T1, T2

    def cell_probs(self, rho: np.ndarray) -> np.ndarray:
        """(P, kmax, kmax) cell probabilities, floored at sqrt(eps) like lavaan."""
        P, m = self.P, self.m
        R = np.repeat(rho[:, None, None], m, axis=1).repeat(m, axis=2)
        BI = bivariate_normal_cdf(self.T1, self.T2, R)
        G = np.zeros((P, m + 2, m + 2))
        G[:, 1:-1, 1:-1] = BI
        G[:, -1, 1:-1] = self.p2
        G[:, 1:-1, -1] = self.p1
        G[:, -1, -1] = 1.0
        PI = G[:, 1:, 1:] - G[:, 1:, :-1] - G[:, :-1, 1:] + G[:, :-1, :-1]
        zero = rho == 0.0
        if zero.any():   # lavaan's exact independence branch
            r1 = np.diff(np.column_stack([np.zeros(P), self.p1, np.ones(P)]), axis=1)
            r2 = np.diff(np.column_stack([np.zeros(P), self.p2, np.ones(P)]), axis=1)
            PI[zero] = (r1[:, :, None] * r2[:, None, :])[zero]
        return np.maximum(PI, _SQRT_EPS)

    def _spread(self, inner: np.ndarray) -> np.ndarray:
        """p1 - p2 - p3 + p4 spreading of an interior grid onto the cells."""
        P, m = self.P, self.m
        out = np.zeros((P, m + 1, m + 1))
        out[:, :m, :m] += inner
        out[:, 1:, :m] -= inner
        out[:, :m, 1:] -= inner
        out[:, 1:, 1:] += inner
        return out

    def phi(self, rho: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """d PI / d rho per cell, and the interior bivariate densities."""
        d = bivariate_normal_pdf(self.T1, self.T2, rho[:, None, None])
        return self._spread(d), d

    def gnorm(self, rho: np.ndarray, d: np.ndarray) -> np.ndarray:
        r = rho[:, None, None]
        u, v = self.T1, self.T2
        R = 1.0 - r * r
        guv = (u * v * R - r * (u * u - 2.0 * r * u * v + v * v) + r * R) / (R * R)
        return self._spread(d * guv)


def _bivariate_tables(Y: np.ndarray, ii: np.ndarray, jj: np.ndarray, kmax: int, w=None) -> np.ndarray:
    """(P, kmax, kmax) frequency tables, rows = Y1 = item jj, columns = item ii (pairwise present); ``w``:
    case weights (None: counts)."""
    P = ii.size
    ok = (Y[:, jj] >= 0) & (Y[:, ii] >= 0)
    bins = (np.arange(P)[None, :] * kmax * kmax + np.where(ok, Y[:, jj] * kmax + Y[:, ii], 0))
    wt = ok.astype(float) if w is None else ok * np.asarray(w, float)[:, None]
    return np.bincount(bins.ravel(), weights=wt.ravel(),
                       minlength=P * kmax * kmax).reshape(P, kmax, kmax)


def _fit_rho(pairs: _Pairs, freq: np.ndarray, start: np.ndarray, n: int,
             tol: float = 1e-13, max_iter: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """Maximise sum(freq * log PI(rho)) per pair, all pairs at once.

    Newton-Raphson with step halving, bounded to [-0.999, 0.999] like lavaan's
    nlminb call.  Returns (rho, converged flags).
    """
    rho = np.clip(start, -0.99, 0.99)
    PI_all = pairs.cell_probs(rho)
    ll = (freq * np.log(PI_all)).sum(axis=(1, 2))
    active = np.ones(rho.shape, dtype=bool)
    for _ in range(max_iter):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        sub = _subset(pairs, idx)
        r = rho[idx]
        PI = PI_all[idx]
        ok = PI > _SQRT_EPS
        phi, d = sub.phi(r)
        f = freq[idx]
        g = np.where(ok, f * phi / PI, 0.0).sum(axis=(1, 2))
        gn = sub.gnorm(r, d)
        H = np.where(ok, f * gn / PI - f * phi * phi / (PI * PI), 0.0).sum(axis=(1, 2))
        step = np.where(H < 0, -g / H, np.sign(g) * 0.05)
        step = np.clip(step, -0.5, 0.5)
        new = np.clip(r + step, -0.999, 0.999)
        PI_new = sub.cell_probs(new)
        new_ll = (f * np.log(PI_new)).sum(axis=(1, 2))
        # step halving where the log-likelihood went down
        bad = new_ll < ll[idx] - 1e-12 * np.abs(ll[idx])
        halv = 0
        while bad.any() and halv < 30:
            b = np.flatnonzero(bad)
            step[b] /= 2.0
            new[b] = np.clip(r[b] + step[b], -0.999, 0.999)
            PI_new[b] = _subset(sub, b).cell_probs(new[b])
            new_ll[b] = (f[b] * np.log(PI_new[b])).sum(axis=(1, 2))
            bad = bad & (new_ll < ll[idx] - 1e-12 * np.abs(ll[idx]))
            halv += 1
        moved = np.abs(new - r)
        rho[idx] = new
        ll[idx] = new_ll
        PI_all[idx] = PI_new
        done = (moved < tol) | (np.abs(g) / n < 1e-15)
        active[idx[done]] = False
    idx = np.flatnonzero(active)
    if idx.size:
        # a pair still moving by steps of ~1e-13 after max_iter sits at the optimum up to rounding: its gradient
        # is floating-point noise (fuzz of a sum of freq * phi / PI), far below lavaan's nlminb tolerance
        # (rel.tol 1e-10), which calls such a pair converged; only a real failure keeps the warning
        sub = _subset(pairs, idx)
        PI = sub.cell_probs(rho[idx])
        phi, _ = sub.phi(rho[idx])
        f = freq[idx]
        ok = PI > _SQRT_EPS
        g = np.where(ok, f * phi / PI, 0.0).sum(axis=(1, 2))
        active[idx[np.abs(g) / n < 1e-10]] = False
    return rho, ~active


def _plateau_warnings(pairs: _Pairs, freq: np.ndarray, rho: np.ndarray, free: np.ndarray, names: list[str],
                      ii: np.ndarray, jj: np.ndarray) -> list[str]:
    """A polychoric correlation whose likelihood is flat from its estimate up to |rho| = 1 (empty cells that
    put every case of a category of one item in the extreme category of the other): the estimate is one point of
    a plateau, where lavaan's optimiser and ours stop at different values (differential check s31: 0.920 and 0.960
    for the same table, the log-likelihood equal to 2e-8).  The DWLS fit gives it almost no weight, but the SRMR,
    the residual correlations and the scaling of the test use that arbitrary value: said, not guessed.  Pairs
    already at (nearly) 1.0 have lavaan's warning.

    >>> ii, jj = pair_index(2)
    >>> pairs = _Pairs(np.array([[-0.5], [0.5]]), ii, jj)
    >>> f = np.array([[[31.0, 0.0], [38.0, 31.0]]])            # an empty corner: the likelihood rises to rho = 1
    >>> _plateau_warnings(pairs, f, np.array([0.95]), np.array([0]), ["a", "b"], ii, jj)[0][:72]
    'the polychoric correlation of b and a is not determined by the data: its'
    >>> _plateau_warnings(pairs, np.array([[[31.0, 5.0], [33.0, 31.0]]]), np.array([0.6]), np.array([0]),
    ...                   ["a", "b"], ii, jj)
    []
    """
    cand = np.array([q for q in free if 0.5 < abs(rho[q]) <= 0.99], dtype=int)
    if cand.size == 0:
        return []
    sub = _subset(pairs, cand)
    at = logl_sub(sub, freq[cand], rho[cand])
    bound = logl_sub(sub, freq[cand], np.sign(rho[cand]) * 0.999)
    out = []
    for k, q in enumerate(cand):
        if bound[k] >= at[k] - 1e-7:
            out.append(f"the polychoric correlation of {names[ii[q]]} and {names[jj[q]]} is not determined by the "
                       f"data: its table's empty cells make the likelihood flat from the estimate "
                       f"({rho[q]:.3f}) to {'-' if rho[q] < 0 else ''}1 (a boundary estimate; lavaan's optimiser "
                       "stops elsewhere on it); it weighs almost nothing in the fit, but the SRMR and the residual "
                       "correlations use this arbitrary value: merge sparse categories of the two items")
    return out


def logl_sub(pairs: _Pairs, freq: np.ndarray, rho: np.ndarray) -> np.ndarray:
    return (freq * np.log(pairs.cell_probs(rho))).sum(axis=(1, 2))


def _subset(pairs: _Pairs, idx: np.ndarray) -> _Pairs:
    sub = object.__new__(_Pairs)
    sub.t1, sub.t2 = pairs.t1[idx], pairs.t2[idx]
    sub.p1, sub.p2 = pairs.p1[idx], pairs.p2[idx]
    sub.T1, sub.T2 = pairs.T1[idx], pairs.T2[idx]
    sub.P, sub.m = idx.size, pairs.m
    return sub


def _two_by_two(freq: np.ndarray, t1: float, t2: float, keep_margins: bool,
                zero_add: float, label: str, warnings: list[str]):
    """lavaan's special cases for 2 x 2 tables; returns (rho or None, modified freq)."""
    f = freq[:2, :2].copy()
    zero = np.flatnonzero(f.ravel(order="F") == 0)     # R's column-major index
    if zero.size == 2:
        warnings.append(f"two empty cells in 2x2 table of {label}")
        return (1.0 if f[0, 0] > 0 else -1.0), freq
    if zero.size == 1 and zero_add > 0:
        if keep_margins:
            if zero[0] in (0, 3):
                f += np.array([[zero_add, -zero_add], [-zero_add, zero_add]])
            else:
                f += np.array([[-zero_add, zero_add], [zero_add, -zero_add]])
        else:
            f[zero[0] % 2, zero[0] // 2] += zero_add
    out = freq.copy()
    out[:2, :2] = f
    if f[0, 0] * f[1, 1] == f[0, 1] * f[1, 0]:
        return 0.0, out
    if t1 == 0 and t2 == 0:
        return -np.cos(2 * np.pi * f[0, 0] / f.sum()), out
    return None, out


# ---------------------------------------------------------------------------
# scores and Gamma
# ---------------------------------------------------------------------------

def _gamma(Y, tau, ncat, rho, ii, jj, pairs: _Pairs, PI, w=None):
    """lavaan's muthen1984() WLS.W times N, for ordinal items without covariates.  ``w``: case (frequency)
    weights, e.g. a population's cell probabilities over every cell of a table (None: each row once)."""
    n, p = Y.shape
    wc = np.ones(n) if w is None else np.asarray(w, float)
    n_eff = n if w is None else float(wc.sum())
    kmax = int(ncat.max())
    nth_j = ncat - 1
    th_start = np.concatenate([[0], np.cumsum(nth_j)[:-1]])
    nth = int(nth_j.sum())
    P = ii.size
    ext = _extended(tau)                               # (p, kmax+1)

    # univariate scores: (1/pi)(1[y==k] phi(z1) - 1[y-1==k] phi(z2))
    rows = np.arange(n)
    SC_TH = np.zeros((n, nth))
    for j in range(p):
        y = Y[:, j]
        z1 = ext[j, y + 1]
        z2 = ext[j, y]
        z1 = np.where(y == ncat[j] - 1, _BIG, z1)
        pi = ndtr(z1) - ndtr(z2)
        d1 = np.exp(-0.5 * z1 * z1) / np.sqrt(_TWOPI)
        d2 = np.exp(-0.5 * z2 * z2) / np.sqrt(_TWOPI)
        block = np.zeros((n, nth_j[j]))
        m1 = y < nth_j[j]
        block[rows[m1], y[m1]] = d1[m1] / pi[m1]
        m2 = y >= 1
        block[rows[m2], y[m2] - 1] -= d2[m2] / pi[m2]
        block[y < 0] = 0.0          # missing: no contribution (lavaan's crossprod with na.rm)
        SC_TH[:, th_start[j]: th_start[j] + nth_j[j]] = block

    # bivariate cell-level scores
    phi, _ = pairs.phi(rho)
    lik = np.where(PI <= _SQRT_EPS, np.nan, PI)
    s_rho_cell = phi / lik                              # (P, kmax, kmax)
    # thresholds of Y1 (item jj): cell (r, c):
    #   Z1(r,c) = dnorm(u_r) [Phi((v_c - rho u_r)/R) - Phi((v_{c-1} - rho u_r)/R)]
    #   with u_r upper threshold of row r, v upper/lower thresholds of column c.
    R = np.sqrt(1.0 - rho * rho)
    e1 = ext[jj]                                        # (P, kmax+1): -BIG, t..., BIG
    e2 = ext[ii]
    # force the last category's upper limit to +BIG even for padded items
    def zgrid(eu, ev):
        # eu: (P, kmax+1) extended thresholds of the differentiated item
        # returns A(P, kmax+1, kmax): dnorm(eu_a) * [Phi((ev_{c+1}-rho eu_a)/R) - Phi((ev_c - rho eu_a)/R)]
        du = np.exp(-0.5 * eu * eu) / np.sqrt(_TWOPI)
        if np.any(R == 0):
            half = 0.5 * du[:, :, None] * np.ones((1, 1, kmax))
        else:
            half = None
        with np.errstate(divide="ignore", invalid="ignore"):
            arg = (ev[:, None, :] - rho[:, None, None] * eu[:, :, None]) / R[:, None, None]
        cdf = ndtr(arg)
        A = du[:, :, None] * (cdf[:, :, 1:] - cdf[:, :, :-1])
        if half is not None:
            z = R == 0
            A[z] = half[z]
        return A

    A1 = zgrid(e1, e2)    # (P, kmax+1, kmax) indexed [threshold position a, column c]
    A2 = zgrid(e2, e1)    # (P, kmax+1, kmax) indexed [threshold position a, row r]

    # score wrt threshold k (0-based) of Y1 at cell (r, c):
    #   (1[r==k] A1[k+1, c] - 1[r-1==k] A1[k+1, c]) / lik  -> rows r=k (+) and r=k+1 (-)
    # build per-pair (kmax-1, kmax, kmax) arrays
    m = kmax - 1
    dth1 = np.zeros((P, m, kmax, kmax))
    dth2 = np.zeros((P, m, kmax, kmax))
    for k in range(m):
        dth1[:, k, k, :] += A1[:, k + 1, :]
        dth1[:, k, k + 1, :] -= A1[:, k + 1, :]
        dth2[:, k, :, k] += A2[:, k + 1, :]
        dth2[:, k, :, k + 1] -= A2[:, k + 1, :]
    dth1 /= lik[:, None]
    dth2 /= lik[:, None]

    # casewise rho scores
    both = (Y[:, jj] >= 0) & (Y[:, ii] >= 0)
    cell = np.where(both, Y[:, jj] * kmax + Y[:, ii], 0)   # (n, P)
    SC_COR = np.take_along_axis(s_rho_cell.reshape(P, -1).T, cell, axis=0)
    SC_COR = np.where(both, np.nan_to_num(SC_COR, nan=0.0), 0.0)

    # A21 via cell sums: sum_n s_rho * d_th
    freq = _bivariate_tables(Y, ii, jj, kmax, None if w is None else wc)
    w = np.nan_to_num(freq * s_rho_cell, nan=0.0)       # (P, kmax, kmax)
    a1 = np.nan_to_num(np.einsum("prc,pkrc->pk", w, np.nan_to_num(dth1)))
    a2 = np.nan_to_num(np.einsum("prc,pkrc->pk", w, np.nan_to_num(dth2)))
    A21 = np.zeros((P, nth))
    for q in range(P):
        a, b = jj[q], ii[q]
        A21[q, th_start[a]: th_start[a] + nth_j[a]] = a1[q, : nth_j[a]]
        A21[q, th_start[b]: th_start[b] + nth_j[b]] = a2[q, : nth_j[b]]

    A11inv = np.zeros((nth, nth))
    for j in range(p):
        s = slice(th_start[j], th_start[j] + nth_j[j])
        blk = SC_TH[:, s]
        A11inv[s, s] = np.linalg.inv(blk.T @ (blk * wc[:, None]))      # A11: cross-products of the item's scores
    A22d = (SC_COR * SC_COR * wc[:, None]).sum(axis=0)
    if np.any(A22d == 0):
        raise EstimationError(None, "trouble constructing W matrix: a polychoric correlation "
                                    "has zero information")
    A21inv = -(A21 @ A11inv) / A22d[:, None]
    # B^-1 = [[A11inv, 0], [A21inv, diag(1/A22)]];  W = B^-1 (SC'SC) B^-T = T'T with T = SC B^-T
    T = np.empty((n, nth + P))
    T[:, :nth] = SC_TH @ A11inv.T
    T[:, nth:] = SC_TH @ A21inv.T + SC_COR / A22d[None, :]
    W = T.T @ (T * wc[:, None])
    return n_eff * W


# ---------------------------------------------------------------------------
# public functions
# ---------------------------------------------------------------------------

def ordinal_sample_stats(data: pd.DataFrame, *, gamma: bool = True,
                         zero_add: tuple[float, float] = (0.5, 0.0),
                         zero_keep_margins: bool = True,
                         missing: str = "listwise") -> OrdinalSampleStats:
    """Thresholds, polychoric correlations and NACOV of ordinal items, as lavaan.

    ``data``: one column per item (numeric codes or ordered categoricals; NaN
    = missing).  ``missing="listwise"`` (lavaan 0.6.14's default) drops the
    rows with any NaN; ``missing="pairwise"`` (lavaan's ``missing =
    "pairwise"``) keeps every row with at least one value: each item's
    thresholds come from the rows where it is present, each polychoric
    correlation from the rows where both items are present (thresholds held at
    their univariate values), and the NACOV from the same casewise scores with
    a missing item contributing zero (lavaan's ``muthen1984`` with
    ``na.rm`` cross-products); ``n`` is then the number of non-empty rows.
    ``gamma=False`` skips the asymptotic covariance (then ``gamma`` and
    ``wls_vd`` are None).

    >>> rng = np.random.default_rng(0)
    >>> z = rng.multivariate_normal([0, 0, 0], [[1, .5, .4], [.5, 1, .3], [.4, .3, 1]], 300)
    >>> df = pd.DataFrame(np.digitize(z, [-1, 0, 1]) + 1, columns=["a", "b", "c"])
    >>> st = ordinal_sample_stats(df)
    >>> st.th.round(3).tolist()[:3]          # lavaan: -1.051 -0.151 1.065
    [-1.051, -0.151, 1.065]
    >>> float(st.cor.round(3).loc["a", "b"])  # lavaan: 0.5134673698
    0.513
    >>> st.gamma.shape, st.wls_obs.shape
    ((12, 12), (12,))
    """
    if missing not in ("listwise", "pairwise"):
        raise EstimationError(None, f"missing={missing!r} for ordinal items: use 'listwise' or 'pairwise'")
    with blas_threads():
        return _ordinal_sample_stats(data, gamma, zero_add, zero_keep_margins, missing)


def _ordinal_sample_stats(data, gamma, zero_add, zero_keep_margins, missing="listwise"
                          ) -> OrdinalSampleStats:
    if not isinstance(data, pd.DataFrame):
        data = pd.DataFrame(data)
    names = [str(c) for c in data.columns]
    Y, levels, keep = _codes(data, missing)
    if missing == "pairwise":
        never = never_together(pair_counts(Y >= 0))
        if never:         # lavaan: its polychoric step cannot either, and the fit "did not converge"
            (i, j), k = never[0], len(never)
            raise DataError(None, f"columns {names[i]!r} and {names[j]!r} are never observed together "
                                        f"({k} such pair{'s' if k > 1 else ''}): their polychoric "
                                        "correlation cannot be estimated (missing = 'pairwise'); leave one of them "
                                        "out of the model, or fit the items as continuous by FIML (missing = "
                                        "'ml'), which fits such a planned-missing design", column=names[i])
    return stats_from_codes(Y, levels, names, gamma=gamma, zero_add=zero_add,
                            zero_keep_margins=zero_keep_margins, missing=missing,
                            n_dropped=int((~keep).sum()))


def stats_from_codes(Y: np.ndarray, levels: list[np.ndarray], names: list[str], *, gamma: bool = True,
                     zero_add: tuple[float, float] = (0.5, 0.0), zero_keep_margins: bool = True,
                     missing: str = "listwise", n_dropped: int = 0,
                     rho_start: np.ndarray | None = None) -> OrdinalSampleStats:
    """:func:`ordinal_sample_stats` from integer codes ``Y`` (0..K-1 per column, -1 = missing; rows
    already selected) and the items' levels: the fast path of the bootstrap, which resamples ``Y``.
    ``rho_start``: start values of the polychoric correlations (lavaan's order; default the Pearson
    correlations of the codes, as lavaan) -- only the number of Newton steps depends on it.

    >>> Y = np.array([[0, 1], [1, 1], [1, 0], [0, 0], [1, 1], [0, -1]])
    >>> st = stats_from_codes(Y, [np.array([1., 2.]), np.array([1., 2.])], ["a", "b"], missing="pairwise")
    >>> st.n, st.th.round(4).tolist()
    (6, [0.0, -0.2533])
    """
    n, p = Y.shape
    if n < 2:
        raise EstimationError(None, "fewer than two " + ("complete" if missing == "listwise" else "non-empty")
                              + " rows for the ordinal items")
    ncat = np.array([lev.size for lev in levels])
    warnings: list[str] = []
    for j in range(p):
        y = Y[:, j]
        freq = np.bincount(y[y >= 0], minlength=ncat[j])
        if np.any(freq == 0):
            raise EstimationError(
                None, f"some categories of variable '{names[j]}' are empty"
                      + (" after listwise deletion" if missing == "listwise" else "")
                      + f"; frequencies are [{' '.join(map(str, freq))}]",
                column=names[j])
    kmax = int(ncat.max())
    tau = _univariate(Y, ncat)

    ii, jj = pair_index(p)
    P = ii.size
    rho = np.zeros(P)
    zero_cells: list[tuple[str, str]] = []
    if P:
        freq = _bivariate_tables(Y, ii, jj, kmax)
        # lavaan's start value: Pearson correlation of the codes (pairwise complete)
        M = (Y >= 0).astype(float)
        Yz = np.where(Y >= 0, Y, 0).astype(float)
        nab = M.T @ M
        sx = Yz.T @ M                     # sx[a, b] = sum of item a over rows with b present
        sxx = (Yz * Yz).T @ M
        sxy = Yz.T @ Yz
        with np.errstate(divide="ignore", invalid="ignore"):
            cxy = sxy - sx * sx.T / nab
            vx = sxx - sx * sx / nab
            start = (cxy / np.sqrt(vx * vx.T))[jj, ii]
        start = np.where(np.isfinite(start) & (np.abs(start) < 1), start, 0.0)
        if rho_start is not None:         # e.g. the full sample's correlations for a bootstrap draw
            start = np.clip(np.asarray(rho_start, float), -0.99, 0.99)
        fit_freq = freq.copy()
        fixed = np.zeros(P, dtype=bool)
        for q in range(P):
            a, b = jj[q], ii[q]
            tab = freq[q, : ncat[a], : ncat[b]]
            if np.any(tab == 0):
                zero_cells.append((names[a], names[b]))
                if ncat[a] == 2 and ncat[b] == 2:
                    r, newf = _two_by_two(freq[q], tau[a, 0], tau[b, 0], zero_keep_margins,
                                          zero_add[0], f"{names[b]} x {names[a]}", warnings)
                    fit_freq[q] = newf
                    if r is not None:
                        rho[q], fixed[q] = r, True
                elif zero_add[1] > 0:
                    sub = fit_freq[q, : ncat[a], : ncat[b]]
                    sub[sub == 0] = zero_add[1]
            elif ncat[a] == 2 and ncat[b] == 2:
                r, _ = _two_by_two(freq[q], tau[a, 0], tau[b, 0], zero_keep_margins,
                                   zero_add[0], "", warnings)
                if r is not None:
                    rho[q], fixed[q] = r, True
        pairs = _Pairs(tau, ii, jj)
        free = np.flatnonzero(~fixed)
        if free.size:
            r, conv = _fit_rho(_subset(pairs, free), fit_freq[free], start[free], n)
            rho[free] = r
            for q in free[~conv]:
                warnings.append(f"estimation polychoric correlation did not converge for "
                                f"variables {names[ii[q]]} and {names[jj[q]]}")
        for q in np.flatnonzero(np.abs(rho) > 0.99):
            warnings.append(f"correlation between variables {names[ii[q]]} and "
                            f"{names[jj[q]]} is (nearly) 1.0")
        warnings += _plateau_warnings(pairs, fit_freq, rho, free, names, ii, jj)

    th_names, th_vals, th_item = [], [], []
    for j in range(p):
        for k in range(ncat[j] - 1):
            th_names.append(f"{names[j]}|t{k + 1}")
            th_vals.append(tau[j, k])
            th_item.append(j)
    th = pd.Series(th_vals, index=th_names, name="th", dtype=float)
    C = np.eye(p)
    C[ii, jj] = rho
    C[jj, ii] = rho
    cor = pd.DataFrame(C, index=names, columns=names)
    wls_obs = np.concatenate([th.to_numpy(), rho])

    G = VD = None
    if gamma:
        pairs_all = _Pairs(tau, ii, jj)
        PI = pairs_all.cell_probs(rho) if P else np.zeros((0, kmax, kmax))
        G = _gamma(Y, tau, ncat, rho, ii, jj, pairs_all, PI)
        VD = 1.0 / np.diag(G)
    return OrdinalSampleStats(names=names, n=n, levels=levels, th=th,
                              th_item=np.array(th_item, dtype=int), cor=cor, wls_obs=wls_obs,
                              gamma=G, wls_vd=VD, n_dropped=int(n_dropped),
                              zero_cell_tables=zero_cells, warnings=warnings, missing=missing)


def population_gamma_diagonal(thresholds: list[np.ndarray], cor: np.ndarray) -> np.ndarray:
    """The diagonal of the asymptotic covariance matrix (lavaan's NACOV, ``gamma``: N times the sampling
    variances) of the thresholds and polychoric correlations of ordered items whose ``y*`` are standard normal
    with correlation matrix ``cor``, cut at ``thresholds`` (standardized): :func:`_gamma`'s sandwich with the
    population's cell probabilities as the case weights, pair by pair (a diagonal entry needs only its pair's
    table).  In ``wls_obs`` order (thresholds item by item, then lavaan's vech of the correlations).
    ``1 / diagonal`` are the DWLS weights a WLSMV fit's own weights converge to.

    >>> d = population_gamma_diagonal([np.array([0.0]), np.array([0.0])], np.array([[1.0, 0.0], [0.0, 1.0]]))
    >>> d.round(6).tolist()        # pi/2 (a median threshold: 0.25 / phi(0)^2), pi^2/4 (a tetrachoric at 0)
    [1.570796, 1.570796, 2.467401]
    """
    p = len(thresholds)
    cor = np.asarray(cor, float)
    nth = [len(t) for t in thresholds]
    start = np.concatenate([[0], np.cumsum(nth)[:-1]]).astype(int)
    ii, jj = pair_index(p)
    out = np.zeros(sum(nth) + ii.size)
    done = np.zeros(p, bool)
    i2, j2 = pair_index(2)
    for q, (b, a) in enumerate(zip(ii, jj)):          # a < b: Y1 = a (the earlier item), Y2 = b
        ncat = np.array([nth[a] + 1, nth[b] + 1])
        kmax = int(ncat.max())
        tau = np.full((2, kmax - 1), _BIG)
        tau[0, : nth[a]] = thresholds[a]
        tau[1, : nth[b]] = thresholds[b]
        rho = np.array([cor[b, a]])
        pairs = _Pairs(tau, i2, j2)
        PI = pairs.cell_probs(rho)
        r, c = np.meshgrid(np.arange(ncat[0]), np.arange(ncat[1]), indexing="ij")
        Y = np.column_stack([r.ravel(), c.ravel()])
        w = PI[0][Y[:, 0], Y[:, 1]]
        G = _gamma(Y, tau, ncat, rho, i2, j2, pairs, PI, w=w / w.sum())
        dg = np.diag(G)
        out[sum(nth) + q] = dg[-1]
        for k, item in enumerate((a, b)):
            if not done[item]:
                off = 0 if k == 0 else nth[a]
                out[start[item]: start[item] + nth[item]] = dg[off: off + nth[item]]
                done[item] = True
    return out


def thresholds(data: pd.DataFrame) -> pd.Series:
    """Probit thresholds of ordinal items from their marginal proportions.

    Index ``item|t1``, ``item|t2``, ... as lavaan's ``lavInspect(fit, "th")``.

    >>> thresholds(pd.DataFrame({"x": [1, 1, 2, 2, 2, 3, 3, 3, 3, 3]})).round(4).tolist()
    [-0.8416, 0.0]
    """
    st = ordinal_sample_stats(data, gamma=False)
    return st.th


def polychoric(data: pd.DataFrame) -> pd.DataFrame:
    """Polychoric correlation matrix (two-step ML), as lavaan's ``lavCor(ordered=)``.

    >>> rng = np.random.default_rng(1)
    >>> z = rng.multivariate_normal([0, 0], [[1, .6], [.6, 1]], 500)
    >>> df = pd.DataFrame(np.digitize(z, [-.5, .5]), columns=["a", "b"])
    >>> round(float(polychoric(df).loc["a", "b"]), 4)   # lavaan lavCor: 0.5477890184
    0.5478
    """
    return ordinal_sample_stats(data, gamma=False).cor


def ordered_variance_lines(pm, ordered, parameterization: str = "delta", ngroups: int = 1) -> dict[str, float]:
    r"""Check the user's ``y ~~ y`` lines of ordered items ``y`` (parsed model ``pm``) against lavaan 0.6.14.

    lavaan frees the residual variance of an ordered item on such a line (``x1 ~~ x1`` or with a label) in
    either parameterization; the item's scale is then free too and the model is not identified (lavaan
    fits it and warns that the information matrix cannot be inverted): a typed error naming the line.
    A fixed value: in the delta parameterization lavaan ignores it (the residual variance is
    ``1 - explained``), and so does the fit (:func:`drop_ignored_variance_lines`, with a warning); in the theta parameterization
    the value sets the item's scale, and the returned ``{item: value}`` (the first group's) replaces the default
    1; with several groups the line's value holds in every group (``c(1, 0.5)*``: one per group), also in the
    groups after the first where lavaan's rules would free the residual variance (thresholds equal).

    >>> from iur_survey.sem.syntax import parse_model
    >>> ordered_variance_lines(parse_model("F =~ a + b + c\nb ~~ b"), ["a"])   # b is not ordered
    {}
    >>> ordered_variance_lines(parse_model("F =~ a + b + c\na ~~ .5*a"), ["a", "b", "c"], "theta")
    {'a': 0.5}
    >>> ordered_variance_lines(parse_model("F =~ a + b + c\na ~~ a"), ["a", "b", "c"])
    Traceback (most recent call last):
    ...
    iur_survey.errors.ModelSyntaxError: <model syntax>:2:6: 'a ~~ a' frees the residual variance of ordered item 'a', as lavaan 0.6.14 does, and the model is then not identified (the delta parameterization fixes the item's scale by the variance of its latent response, 1): remove the line
    """
    ords = set(ordered)
    src = getattr(pm, "source", "<model syntax>")
    out: dict[str, float] = {}
    scale = ("the delta parameterization fixes the item's scale by the variance of its latent response, 1"
             if parameterization == "delta" else
             "the theta parameterization fixes the item's scale by its residual variance, 1 unless the line fixes it")
    for t in pm.terms:
        if t.op != "~~" or t.lhs != t.rhs or t.lhs not in ords:
            continue
        what = f"'{t.lhs} ~~ {t.rhs}'"
        fixed = t.fixed if t.fixed is not None else (float("nan"),)
        if any(np.isnan(v) for v in fixed):
            raise ModelSyntaxError(src, f"{what} frees the residual variance of ordered item '{t.lhs}', as lavaan "
                                        f"0.6.14 does, and the model is then not identified ({scale}): remove "
                                        + (f"the line or fix the value ({t.lhs} ~~ 1*{t.lhs})"
                                           if parameterization == "theta" else "the line")
                                        + ("; an '==' constraint on its label is not supported with ordered "
                                           "items" if t.labels else ""),
                                   row=t.line, column=str(t.col))
        if parameterization == "delta":     # ignored, as lavaan: drop_ignored_variance_lines
            continue
        out[t.lhs] = float(fixed[0])
    return out


def drop_ignored_variance_lines(pm, ordered, parameterization: str = "delta", last_line: int | None = None):
    r"""The parsed model without the user's fixed ``y ~~ y`` terms of ordered items that the delta
    parameterization does not use (lavaan 0.6.14 ignores the value and reports the residual variance as
    ``1 - explained``; the engine, fitting the line, reported the value itself or 1 minus it), and one warning
    per term dropped, naming its line: ``(model, warnings)``.  Only terms on lines up to ``last_line`` (the
    user's own, before any lines the engine adds).  The theta parameterization: the model unchanged
    (:func:`ordered_variance_lines` uses the value).

    >>> from iur_survey.sem.syntax import parse_model
    >>> pm, w = drop_ignored_variance_lines(parse_model("F =~ a + b + c\na ~~ 0.5*a"), ["a", "b", "c"])
    >>> [(t.lhs, t.op, t.rhs) for t in pm.terms], w
    ([('F', '=~', 'a'), ('F', '=~', 'b'), ('F', '=~', 'c')], ["<model syntax>:2:10: 'a ~~ 0.5*a' fixes the residual variance of ordered item 'a', which the delta parameterization does not use: ignored, as lavaan 0.6.14 ignores it (a ~~ a is 1 - explained variance); parameterization='theta' sets the item's scale by it"])
    """
    from dataclasses import replace

    if parameterization != "delta":
        return pm, []
    ords = set(ordered)
    src = getattr(pm, "source", "<model syntax>")
    keep, warns = [], []
    for t in pm.terms:
        if (t.op == "~~" and t.lhs == t.rhs and t.lhs in ords and t.fixed is not None
                and not any(np.isnan(v) for v in t.fixed) and (last_line is None or t.line <= last_line)):
            vals = ", ".join(f"{v:g}" for v in t.fixed)
            warns.append(f"{src}:{t.line}:{t.col}: '{t.lhs} ~~ {vals if len(t.fixed) == 1 else f'c({vals})'}*"
                         f"{t.rhs}' fixes the residual variance of ordered item '{t.lhs}', which the delta "
                         "parameterization does not use: ignored, as lavaan 0.6.14 ignores it "
                         f"({t.lhs} ~~ {t.lhs} is 1 - explained variance); parameterization='theta' sets the "
                         "item's scale by it")
            continue
        keep.append(t)
    return (replace(pm, terms=keep) if warns else pm), warns
