"""Bootstrap of a PLS path model: B resamples of the cases, all refitted at once.

Each resample is represented by its case counts; its indicator correlation matrix is
``(counts @ x x') / N - m m'`` rescaled, computed for a chunk of resamples in one matrix product, and the
chunk is run through the batched algorithm (:func:`iur_survey.pls.engine.fit_batch`) warm-started from the
sample weights.  A resample is bit-for-bit the fit of the resampled rows (up to the 1e-7 stopping rule and
rounding), so results depend only on ``seed`` -- not on the chunk size or the number of cores.

The draws of row indices come from ``numpy.random.default_rng(seed).integers(0, N, size=(B, N))``, drawn
chunk by chunk from the one generator (:func:`resample_indices` gives the same rows).  Resamples in which an
indicator has no variance (all its resampled rows hold one value) or in which a path regression is singular
(collinear construct scores) cannot be fitted and are dropped (``n_failed``); resamples that do not converge in
``max_iter`` iterations are kept and counted (``n_not_converged``), as SmartPLS does.  With
``missing="mean"`` the cases are resampled after the mean replacement (seminr re-imputes inside each
resample; the difference is negligible for the few missing cells of cleaned survey data).

Summaries (SmartPLS/seminr): original estimate, bootstrap mean, bootstrap standard deviation (``se``),
``t = est / se``, two-sided p from Student's t with B - 1 df, and percentile confidence limits
(``numpy.quantile``'s linear rule = R's type 7).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from .engine import fit_batch
from .estimates import collect, keys

__all__ = ["PLSBootstrap", "run_bootstrap", "resample_indices", "summarize_draws", "constant_in_resample"]


def resample_indices(n: int, n_boot: int, seed=None, chunk_size: int = 500):
    """Yield the row indices of the resamples, ``chunk_size`` resamples (rows of the array) at a time.

    >>> [c.shape for c in resample_indices(10, 5, seed=1, chunk_size=2)]
    [(2, 10), (2, 10), (1, 10)]
    >>> a = np.vstack(list(resample_indices(10, 5, seed=1, chunk_size=2)))
    >>> b = np.vstack(list(resample_indices(10, 5, seed=1, chunk_size=5)))
    >>> bool((a == b).all())
    True
    """
    rng = np.random.default_rng(seed)
    done = 0
    while done < n_boot:
        b = min(chunk_size, n_boot - done)
        yield rng.integers(0, n, size=(b, n))
        done += b


def cross_products(X: np.ndarray) -> np.ndarray:
    """Row-wise products ``x_k x_l`` (k <= l, upper triangle row by row) of the centred data: N x p(p+1)/2."""
    iu, ju = np.triu_indices(X.shape[1])
    return X[:, iu] * X[:, ju]


def constant_in_resample(X: np.ndarray, idx: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """(b x p) True where all the resampled rows of an indicator hold one value (its variance is 0, though the
    cross-product sums leave a rounding residue that would pass for one).  Exact: for an item with few distinct
    values, some value is drawn N times (counts of each value by one matrix product); else the range is 0.

    >>> X = np.array([[1.0, 0.5], [1.0, 0.7], [5.0, 0.9]])
    >>> idx = np.array([[0, 1, 0], [0, 2, 2]])
    >>> counts = np.array([[2, 1, 0], [1, 0, 2]], dtype=float)
    >>> constant_in_resample(X, idx, counts).tolist()
    [[True, False], [False, False]]
    """
    n = idx.shape[1]
    out = np.zeros((idx.shape[0], X.shape[1]), bool)
    for k in range(X.shape[1]):
        values, code = np.unique(X[:, k], return_inverse=True)
        if len(values) <= 64:
            out[:, k] = (counts @ np.eye(len(values))[code]).max(axis=1) == n
        else:
            out[:, k] = np.ptp(X[idx, k], axis=1) == 0
    return out


def resampled_correlations(X: np.ndarray, XX: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Correlation matrices (b x p x p) of the resamples with row indices ``idx`` (b x N).

    ``X`` is the centred data (N x p), ``XX`` its :func:`cross_products`.

    >>> X = np.random.default_rng(0).standard_normal((30, 3))
    >>> idx = np.random.default_rng(1).integers(0, 30, size=(2, 30))
    >>> R = resampled_correlations(X, cross_products(X), idx)
    >>> bool(np.allclose(R[1], np.corrcoef(X[idx[1]], rowvar=False)))
    True
    >>> X = np.array([[0.1, 1.0], [0.1, 2.0], [0.3, 4.0]]) - [0.5 / 3, 7 / 3]
    >>> bool(np.isfinite(resampled_correlations(X, cross_products(X), np.array([[0, 1, 0]]))[0, 0, 1]))
    False
    """
    nb, n = idx.shape
    p = X.shape[1]
    flat = (np.arange(nb)[:, None] * n + idx).ravel()
    counts = np.bincount(flat, minlength=nb * n).reshape(nb, n).astype(float)
    m = counts @ X / n
    iu, ju = np.triu_indices(p)
    tri = counts @ XX / n
    S = np.empty((nb, p, p))
    S[:, iu, ju] = tri
    S[:, ju, iu] = tri
    S -= m[:, :, None] * m[:, None, :]
    sd = np.sqrt(np.clip(np.diagonal(S, axis1=1, axis2=2), 0.0, None))
    sd[constant_in_resample(X, idx, counts)] = 0.0      # exactly: the sums above leave a residue (~1e-17)
    with np.errstate(divide="ignore", invalid="ignore"):
        R = S / sd[:, :, None] / sd[:, None, :]
    R[:, np.arange(p), np.arange(p)] = 1.0
    return R


def summarize_draws(est: np.ndarray, draws: np.ndarray, level: float = 0.95) -> pd.DataFrame:
    """Bootstrap summary columns for estimates ``est`` (k,) and their draws (B x k).

    >>> d = np.random.default_rng(0).normal(0.3, 0.1, size=(2000, 1))
    >>> summarize_draws(np.array([0.3]), d).round(2).to_dict("records")
    [{'boot_mean': 0.3, 'se': 0.1, 't': 3.0, 'pvalue': 0.0, 'ci.lower': 0.11, 'ci.upper': 0.49}]
    """
    nb = draws.shape[0]
    se = draws.std(axis=0, ddof=1) if nb > 1 else np.full(draws.shape[1], np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = est / se
    p = 2.0 * stats.t.sf(np.abs(t), df=max(nb - 1, 1))
    a = (1.0 - level) / 2.0
    lo, hi = (np.quantile(draws, [a, 1.0 - a], axis=0) if nb else (np.full(len(est), np.nan),) * 2)
    return pd.DataFrame({"boot_mean": draws.mean(axis=0), "se": se, "t": t, "pvalue": p,
                         "ci.lower": lo, "ci.upper": hi})


@dataclass
class PLSBootstrap:
    """Bootstrap draws of every estimate of a PLS fit (see :mod:`iur_survey.pls.estimates` for the kinds).

    ``draws[kind]`` is (B x k) with columns named by ``keys[kind]``; ``level`` is the confidence level.
    """

    n_boot: int
    seed: object
    level: float
    draws: dict[str, np.ndarray]
    keys: dict[str, list]
    n_failed: int = 0
    n_not_converged: int = 0
    seconds: float = 0.0
    indices_kept: np.ndarray | None = field(default=None, repr=False)

    def summary_of(self, kind: str, est: np.ndarray) -> pd.DataFrame:
        """Bootstrap columns for the estimates of one kind (rows in ``keys[kind]`` order)."""
        return summarize_draws(np.asarray(est, float), self.draws[kind], self.level)

    def draws_frame(self, kind: str) -> pd.DataFrame:
        """The draws of one kind as a DataFrame (one column per estimate)."""
        cols = [" -> ".join(k) if isinstance(k, tuple) else str(k) for k in self.keys[kind]]
        return pd.DataFrame(self.draws[kind], columns=cols)


def run_bootstrap(result, n_boot: int = 5000, *, seed=None, level: float = 0.95, chunk_size: int = 500,
                  progress: bool | None = None) -> PLSBootstrap:
    """Bootstrap ``result`` (a :class:`~iur_survey.pls.results.PLSResult`); see :meth:`PLSResult.bootstrap`."""
    import time

    from tqdm.auto import tqdm

    if n_boot < 2:
        raise ValueError("n_boot must be at least 2")
    t0 = time.perf_counter()
    model = result.model
    X = result.data_matrix - result.data_matrix.mean(axis=0)
    n, p = X.shape
    XX = cross_products(X)
    start = result.fit.weights[0]
    out: dict[str, list[np.ndarray]] = {}
    n_failed = n_nc = 0
    disable = (not sys.stderr.isatty()) if progress is None else not progress
    with tqdm(total=n_boot, desc="PLS bootstrap", unit="resample", disable=disable, leave=False) as bar:
        for idx in resample_indices(n, n_boot, seed, chunk_size):
            R = resampled_correlations(X, XX, idx)
            ok = np.all(np.isfinite(R), axis=(1, 2))
            n_failed += int((~ok).sum())
            if ok.any():
                fit = fit_batch(R[ok], model, result.scheme, result.tol, result.max_iter, start=start,
                                allow_failed=True)
                fitted = fit.ok                              # a singular path regression: left out, counted
                n_failed += int((~fitted).sum())
                n_nc += int((~fit.converged & fitted).sum())
                for kind, arr in collect(R[ok], fit, model).items():
                    out.setdefault(kind, []).append(arr[fitted])
            bar.update(len(idx))
    k = keys(model)
    draws = {kind: (np.vstack(out[kind]) if kind in out else np.zeros((0, len(k[kind])))) for kind in k}
    return PLSBootstrap(n_boot, seed, level, draws, k, n_failed, n_nc, time.perf_counter() - t0)
