"""The PLS path-modelling algorithm (Wold 1982; Lohmoeller 1989), on indicator correlation matrices, batched.

With standardized indicators everything the algorithm needs is in the indicator correlation matrix ``R``:
composite correlations are ``W'RW``, the covariance of the indicators with the inner proxies is ``RWE``.
So one implementation serves the point estimate (a batch of one) and the bootstrap (a batch of B resampled
correlation matrices iterated together, warm-started from the sample weights).

Algorithm (as seminr's ``simplePLS`` and SmartPLS):

1. start with unit outer weights, scaled so every composite has unit variance (``w' R_jj w = 1``);
2. inner weights ``E`` from the composite correlations ``C = W'RW``:
   *path* -- for construct j, the regression coefficients of j on its predecessors and the correlations
   with its successors; *factorial* -- correlations with every adjacent construct; *centroid* -- their signs;
3. mode A outer weights: the covariance of each indicator with its construct's inner proxy, ``(RWE)_kj``,
   rescaled to unit composite variance;
4. stop when the largest absolute change of an outer weight is below ``tol`` (1e-7), else repeat 2-3
   (at most ``max_iter`` = 300 times);
5. sign: a composite whose loadings sum to a negative number is reflected (its weights negated), so
   every composite is oriented like the majority of its indicators -- the same solution up to sign.

>>> import numpy as np
>>> from iur_survey.pls.model import pls_model
>>> m = pls_model("X =~ x1 + x2\\nY =~ y1 + y2\\nY ~ X")
>>> R = np.array([[1, .5, .3, .3], [.5, 1, .3, .3], [.3, .3, 1, .6], [.3, .3, .6, 1.]])
>>> fit = fit_batch(R[None], m)
>>> fit.converged.tolist(), fit.weights.round(4).tolist()
([True], [[0.5774, 0.5774, 0.559, 0.559]])
>>> float(fit.paths[0, 0, 1].round(4))          # sum of the 4 inter-block correlations / sqrt(3 * 3.2)
0.3873
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import EstimationError
from .model import PLSModel

__all__ = ["SCHEMES", "PLSFit", "fit_batch", "inner_weights", "path_coefficients", "total_effects"]

SCHEMES = ("path", "factorial", "centroid")


def _normalize(R: np.ndarray, w: np.ndarray, model: PLSModel) -> np.ndarray:
    """Rescale ``w`` (batch x p) so that every composite has unit variance on ``R``."""
    M = model.membership
    W = w[:, :, None] * M
    var = np.einsum("bpj,bpj->bj", W, R @ W)
    return w / np.sqrt(var[:, model.block_index])


#: a path regression whose predictor correlation matrix has a larger condition number is treated as singular
MAX_CONDITION = 1e12

COLLINEAR_MESSAGE = ("the construct scores of a path regression are collinear (singular matrix): too few distinct "
                     "cases, or a construct that is a linear combination of others")


def _solve(A: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Solve every system of the batch; a singular (or nearly singular) one gives NaN, so that one degenerate
    bootstrap resample leaves the others alone (:func:`fit_batch` raises for a batch of one)."""
    good = np.isfinite(A).all(axis=(-2, -1)) & np.isfinite(b).all(axis=-1)
    if good.any():                              # A: correlation matrices (symmetric), so the eigenvalues suffice
        lam = np.abs(np.linalg.eigvalsh(A[good]))
        good[good] = lam.min(axis=-1) * MAX_CONDITION > lam.max(axis=-1)
    out = np.full(b.shape, np.nan)
    if good.any():
        out[good] = np.linalg.solve(A[good], b[good][..., None])[..., 0]
    return out


def inner_weights(C: np.ndarray, model: PLSModel, scheme: str) -> np.ndarray:
    """Inner weights ``E`` (batch x J x J): the proxy of construct j is ``sum_i E[i, j] * score_i``.

    >>> from iur_survey.pls.model import pls_model
    >>> m = pls_model("X =~ x\\nZ =~ z\\nY =~ y\\nY ~ X + Z")
    >>> C = np.array([[[1, .5, .4], [.5, 1, .3], [.4, .3, 1]]])    # X Z Y
    >>> inner_weights(C, m, "path")[0].round(4).tolist()        # Y's proxy: its regression on X and Z
    [[0.0, 0.0, 0.3333], [0.0, 0.0, 0.1333], [0.4, 0.3, 0.0]]
    >>> inner_weights(C, m, "factorial")[0].tolist()
    [[0.0, 0.0, 0.4], [0.0, 0.0, 0.3], [0.4, 0.3, 0.0]]
    >>> inner_weights(-C, m, "centroid")[0].tolist()
    [[0.0, 0.0, -1.0], [0.0, 0.0, -1.0], [-1.0, -1.0, 0.0]]
    
    """
    P = model.path_matrix
    A = P + P.T
    if scheme == "factorial":
        return C * A
    if scheme == "centroid":
        return np.where(A > 0, np.sign(C), 0.0)
    if scheme != "path":
        raise ValueError(f"scheme must be one of {SCHEMES}, not {scheme!r}")
    E = C * P.T                                   # successors of j: correlations
    pos = {c: k for k, c in enumerate(model.constructs)}
    for target, preds in model.predecessors.items():
        j = pos[target]
        idx = np.array([pos[s] for s in preds])
        E[:, idx, j] = _solve(C[:, idx[:, None], idx[None, :]], C[:, idx, j])
    return E


def path_coefficients(C: np.ndarray, model: PLSModel) -> tuple[np.ndarray, np.ndarray]:
    """OLS path coefficients (batch x J x J, ``B[i, j]`` for i -> j) and R-squared (batch x J, NaN if exogenous).

    >>> from iur_survey.pls.model import pls_model
    >>> m = pls_model("X =~ x\\nZ =~ z\\nY =~ y\\nY ~ X + Z")
    >>> C = np.array([[[1, .5, .4], [.5, 1, .3], [.4, .3, 1]]])
    >>> B, r2 = path_coefficients(C, m)
    >>> B[0, :2, 2].round(4).tolist(), r2[0].round(4).tolist()
    ([0.3333, 0.1333], [nan, nan, 0.1733])
    """
    nb, J = C.shape[0], C.shape[1]
    B = np.zeros((nb, J, J))
    r2 = np.full((nb, J), np.nan)
    pos = {c: k for k, c in enumerate(model.constructs)}
    for target, preds in model.predecessors.items():
        j = pos[target]
        idx = np.array([pos[s] for s in preds])
        beta = _solve(C[:, idx[:, None], idx[None, :]], C[:, idx, j])
        B[:, idx, j] = beta
        r2[:, j] = np.einsum("bk,bk->b", beta, C[:, idx, j])
    return B, r2


def total_effects(B: np.ndarray) -> np.ndarray:
    """Total effects ``(I - B)^-1 - I`` of a recursive path matrix (batch x J x J).

    >>> B = np.array([[[0, .5, .2], [0, 0, .4], [0, 0, 0]]])
    >>> total_effects(B)[0, 0, 2].round(4)         # .2 + .5 * .4
    np.float64(0.4)
    """
    J = B.shape[-1]
    eye = np.eye(J)
    return np.linalg.inv(eye - B) - eye


@dataclass
class PLSFit:
    """The converged algorithm for a batch of correlation matrices (all arrays lead with the batch axis).

    ``weights`` (b x p, in the model's item order), ``loadings`` (b x p), ``cross_loadings`` (b x p x J:
    correlation of every indicator with every composite), ``composite_cor`` (b x J x J), ``paths``
    (b x J x J), ``r2`` (b x J), ``iterations`` and ``converged`` (b,).
    """

    weights: np.ndarray
    loadings: np.ndarray
    cross_loadings: np.ndarray
    composite_cor: np.ndarray
    paths: np.ndarray
    r2: np.ndarray
    iterations: np.ndarray
    converged: np.ndarray

    @property
    def ok(self) -> np.ndarray:
        """(b,) True where the fit has finite weights and paths (False: a singular path regression)."""
        return np.isfinite(self.weights).all(axis=1) & np.isfinite(self.paths).all(axis=(1, 2))


def iterate_weights(R: np.ndarray, model: PLSModel, scheme: str = "path", tol: float = 1e-7,
                    max_iter: int = 300, start: np.ndarray | None = None):
    """Outer weights of every correlation matrix in ``R`` (b x p x p): ``(weights, iterations, converged)``.

    Each matrix stops on its own (the converged ones are left alone while the others go on), so a batch
    gives exactly what one-at-a-time fits give.  ``start`` (p,) or (b x p) warm-starts the iteration.
    """
    if scheme not in SCHEMES:
        raise ValueError(f"scheme must be one of {SCHEMES}, not {scheme!r}")
    nb, p, _ = R.shape
    M = model.membership
    blk = model.block_index
    cols = np.arange(p)
    w = np.ones((nb, p)) if start is None else np.array(np.broadcast_to(start, (nb, p)), dtype=float)
    w = _normalize(R, w, model)
    iterations = np.zeros(nb, dtype=int)
    converged = np.zeros(nb, dtype=bool)
    active = np.arange(nb)
    for it in range(1, max_iter + 1):
        Ra, wa = R[active], w[active]
        W = wa[:, :, None] * M
        RW = Ra @ W
        C = np.swapaxes(W, 1, 2) @ RW
        E = inner_weights(C, model, scheme)
        wn = (RW @ E)[:, cols, blk]                      # mode A: cov(indicator, inner proxy)
        with np.errstate(invalid="ignore", divide="ignore"):
            wn = _normalize(Ra, wn, model)
        delta = np.abs(wn - wa).max(axis=1)
        failed = ~np.isfinite(delta)                     # a singular path regression: NaN weights, stop there
        w[active] = wn
        iterations[active] = it
        done = (delta < tol) | failed
        converged[active[done & ~failed]] = True
        active = active[~done]
        if active.size == 0:
            break
    return w, iterations, converged


def orient(R: np.ndarray, w: np.ndarray, model: PLSModel) -> np.ndarray:
    """Reflect every composite whose loadings sum to a negative number (sign indeterminacy of PLS)."""
    W = w[:, :, None] * model.membership
    load = (R @ W)[:, np.arange(w.shape[1]), model.block_index]
    J = len(model.constructs)
    sums = np.zeros((w.shape[0], J))
    np.add.at(sums, (slice(None), model.block_index), load)
    sign = np.where(sums < 0, -1.0, 1.0)
    return w * sign[:, model.block_index]


def derive(R: np.ndarray, w: np.ndarray, model: PLSModel, iterations=None, converged=None) -> PLSFit:
    """Loadings, composite correlations, paths and R-squared from converged weights."""
    p = w.shape[1]
    W = w[:, :, None] * model.membership
    RW = R @ W
    C = np.swapaxes(W, 1, 2) @ RW
    B, r2 = path_coefficients(C, model)
    nb = w.shape[0]
    return PLSFit(w, RW[:, np.arange(p), model.block_index], RW, C, B, r2,
                  np.zeros(nb, int) if iterations is None else iterations,
                  np.ones(nb, bool) if converged is None else converged)


def fit_batch(R: np.ndarray, model: PLSModel, scheme: str = "path", tol: float = 1e-7, max_iter: int = 300,
              start: np.ndarray | None = None, allow_failed: bool = False) -> PLSFit:
    """Run the PLS algorithm on each correlation matrix of ``R`` (b x p x p) and derive the estimates.

    A matrix whose path regressions are singular (collinear construct scores) raises
    :class:`~iur_survey.errors.EstimationError`; with ``allow_failed`` (the bootstrap) its estimates are NaN
    instead and ``fit.ok`` is False for it, the other matrices being unaffected.

    >>> from iur_survey.pls.model import pls_model
    >>> m = pls_model("X =~ x\\nZ =~ z\\nY =~ y\\nY ~ X + Z")
    >>> R = np.array([[[1, .5, .4], [.5, 1, .3], [.4, .3, 1]], [[1, 1, .4], [1, 1, .4], [.4, .4, 1]]])
    >>> fit_batch(R, m, allow_failed=True).ok.tolist()      # the second: X and Z are the same variable
    [True, False]
    """
    R = np.asarray(R, dtype=float)
    if R.ndim != 3 or R.shape[1] != R.shape[2] or R.shape[1] != len(model.items):
        raise EstimationError(None, f"expected a batch of {len(model.items)}x{len(model.items)} correlation "
                                    f"matrices, got shape {R.shape}")
    if not np.all(np.isfinite(R)):
        raise EstimationError(None, "the indicator correlations are not finite (an indicator without variance?)")
    w, iterations, converged = iterate_weights(R, model, scheme, tol, max_iter, start)
    with np.errstate(invalid="ignore"):
        w = orient(R, w, model)
        fit = derive(R, w, model, iterations, converged)
    if not allow_failed and not fit.ok.all():
        raise EstimationError(None, COLLINEAR_MESSAGE)
    return fit
