"""Measurement and structural quality criteria of a PLS path model, as arrays (the tables are in results.py).

Definitions as seminr 2.3 and SmartPLS (Hair et al. 2021, *PLS-SEM Using R*, ch. 4-6), all on the
standardized indicators (the indicator correlation matrix ``R``):

* Cronbach's alpha on ``R`` (standardized alpha, as seminr/SmartPLS): ``k/(k-1) (1 - k / sum R_jj)``;
* rho_C (Joereskog's composite reliability) and AVE from the PLS outer loadings:
  ``(sum l)^2 / ((sum l)^2 + sum (1 - l^2))`` and ``mean(l^2)``;
* rho_A (Dijkstra & Henseler 2015): ``(w'w)^2 * w'(R_jj - diag) w / w'(ww' - diag) w`` with the outer weights w;
* HTMT (Henseler, Ringle & Sarstedt 2015): mean absolute heterotrait correlation over the geometric mean of
  the two mean absolute monotrait (off-diagonal) correlations (:func:`iur_survey.measure.validity.htmt_matrices`;
  NaN for a single-indicator construct, as semTools, where seminr puts 1);
* a negative outer loading in a (mode-A, reflective) block of two or more indicators is reported by
  :func:`negative_loadings` (it looks like a reverse-keyed item that was not reversed; alpha and rho_C keep
  seminr's formulas and are then not interpretable);
* inner VIF from the composite correlations of each endogenous construct's predictors, outer VIF within each
  block (``diag(R_jj^-1)``; ``inf`` for perfectly collinear indicators, :func:`collinear_indicators`);
  single predictors/indicators get VIF 1.

>>> import numpy as np
>>> R = np.array([[1, .5, .4], [.5, 1, .3], [.4, .3, 1.]])
>>> round(alpha(R), 4)                    # 3/2 * (1 - 3 / 5.4)
0.6667
>>> [round(v, 4) for v in rho_c_ave(np.array([.8, .7, .6]))]    # 2.1^2 / (2.1^2 + 1.51), mean of squares
[0.7449, 0.4967]
"""

from __future__ import annotations

import numpy as np

from ..measure.validity import htmt_matrices
from .model import PLSModel

__all__ = ["alpha", "rho_a", "rho_c_ave", "htmt_pairs", "htmt_values", "inner_vif", "outer_vif",
           "collinear_indicators", "collinear_message", "negative_loadings", "negative_loadings_message"]


def alpha(R_block: np.ndarray) -> float:
    """Cronbach's alpha of one block from its correlation matrix (1 for a single indicator)."""
    k = R_block.shape[0]
    if k < 2:
        return 1.0
    return float(k / (k - 1) * (1.0 - k / R_block.sum()))


def rho_a(R_block: np.ndarray, w: np.ndarray) -> float:
    """Dijkstra-Henseler rho_A of one block from its correlations and (unit-variance) outer weights.

    >>> R = np.array([[1, .5, .4], [.5, 1, .3], [.4, .3, 1.]])
    >>> round(rho_a(R, np.array([.45, .4, .35])), 4)
    0.5972
    """
    if len(w) < 2:
        return 1.0
    S = R_block - np.diag(np.diag(R_block))
    A = np.outer(w, w)
    A -= np.diag(np.diag(A))
    return float((w @ w) ** 2 * (w @ S @ w) / (w @ A @ w))


def rho_c_ave(loadings: np.ndarray) -> tuple[float, float]:
    """(rho_C, AVE) of one block from its loadings (1, 1 for a single indicator, as seminr)."""
    if len(loadings) < 2:
        return 1.0, 1.0
    s2 = loadings.sum() ** 2
    return float(s2 / (s2 + (1.0 - loadings ** 2).sum())), float((loadings ** 2).mean())


def htmt_pairs(model: PLSModel) -> list[tuple[str, str]]:
    """The construct pairs of the HTMT table, in model order (i < j)."""
    c = model.constructs
    return [(c[i], c[j]) for i in range(len(c)) for j in range(i + 1, len(c))]


def htmt_values(R: np.ndarray, model: PLSModel) -> np.ndarray:
    """HTMT of every pair (:func:`htmt_pairs` order) for a batch of correlation matrices: (b x pairs), by
    :func:`iur_survey.measure.validity.htmt_matrices` (NaN for a pair with a single-indicator construct).

    >>> from iur_survey.pls.model import pls_model
    >>> m = pls_model("A =~ a1 + a2\\nB =~ b1 + b2\\nB ~ A")
    >>> R = np.array([[1, .6, .3, .2], [.6, 1, .2, .3], [.3, .2, 1, .5], [.2, .3, .5, 1.]])
    >>> htmt_values(R[None], m).round(4).tolist()     # .25 / sqrt(.6 * .5)
    [[0.4564]]
    """
    blk = model.block_index
    J = len(model.constructs)
    H = htmt_matrices(R, [np.flatnonzero(blk == j) for j in range(J)])
    iu, ju = np.triu_indices(J, 1)
    return H[:, iu, ju]


def inner_vif(C: np.ndarray, model: PLSModel) -> list[tuple[str, str, float]]:
    """``(outcome, predictor, VIF)`` for every path, from the composite correlations ``C`` (J x J)."""
    pos = {c: k for k, c in enumerate(model.constructs)}
    out = []
    for target, preds in model.predecessors.items():
        idx = [pos[s] for s in preds]
        vifs = np.diag(np.linalg.inv(C[np.ix_(idx, idx)])) if len(idx) > 1 else np.ones(1)
        out.extend((target, s, float(v)) for s, v in zip(preds, vifs))
    return out


#: a block correlation matrix whose smallest eigenvalue is below this is singular (collinear indicators)
SINGULAR_EIGENVALUE = 1e-10


def _dependent(R_block: np.ndarray) -> np.ndarray:
    """Boolean mask of the indicators of a block that take part in an exact linear dependence (none: all False)."""
    val, vec = np.linalg.eigh(R_block)
    null = vec[:, val < SINGULAR_EIGENVALUE]
    return (np.abs(null) > 1e-6).any(axis=1) if null.size else np.zeros(len(R_block), bool)


def outer_vif(R: np.ndarray, model: PLSModel) -> np.ndarray:
    """VIF of every indicator within its block (model item order): ``diag(R_jj^-1)``, i.e. ``1 / (1 - R²)`` of the
    indicator on the others of its block; ``inf`` for an indicator in an exact linear dependence (a duplicated or
    derived column, or fewer cases than indicators).

    >>> from iur_survey.pls.model import pls_model
    >>> m = pls_model("A =~ a1 + a2 + a3\\nB =~ b1\\nB ~ A")
    >>> R = np.array([[1, 1, .5, .3], [1, 1, .5, .3], [.5, .5, 1, .2], [.3, .3, .2, 1.]])   # a2 = a1
    >>> outer_vif(R, m).round(3).tolist()
    [inf, inf, 1.333, 1.0]
    """
    out = np.ones(len(model.items))
    blk = model.block_index
    for j in range(len(model.constructs)):
        ix = np.flatnonzero(blk == j)
        if len(ix) < 2:
            continue
        Rb = R[np.ix_(ix, ix)]
        dep = _dependent(Rb)
        if not dep.any():
            out[ix] = np.diag(np.linalg.inv(Rb))
            continue
        for k in range(len(ix)):               # the others: 1 / (1 - R²) by least squares; the dependent: inf
            if dep[k]:
                out[ix[k]] = np.inf
                continue
            o = [i for i in range(len(ix)) if i != k]
            r2 = float(Rb[k, o] @ np.linalg.pinv(Rb[np.ix_(o, o)]) @ Rb[o, k])
            out[ix[k]] = 1.0 / (1.0 - r2)
    return out


def collinear_indicators(R: np.ndarray, model: PLSModel) -> list[tuple[str, list[str]]]:
    """``(construct, indicators)`` of every block whose indicators are linearly dependent (their correlation
    matrix is singular: a duplicated or derived column, or fewer cases than indicators).

    >>> from iur_survey.pls.model import pls_model
    >>> m = pls_model("A =~ a1 + a2 + a3\\nB =~ b1\\nB ~ A")
    >>> R = np.array([[1, 1, .5, .3], [1, 1, .5, .3], [.5, .5, 1, .2], [.3, .3, .2, 1.]])
    >>> collinear_indicators(R, m)
    [('A', ['a1', 'a2'])]
    """
    out = []
    blk = model.block_index
    for j, c in enumerate(model.constructs):
        ix = np.flatnonzero(blk == j)
        if len(ix) > 1:
            dep = _dependent(R[np.ix_(ix, ix)])
            if dep.any():
                out.append((c, [model.items[i] for i, d in zip(ix, dep) if d]))
    return out


def collinear_message(found: list[tuple[str, list[str]]]) -> str:
    """The warning for :func:`collinear_indicators` ("" when there is none).

    >>> collinear_message([("A", ["a1", "a2"])])
    'perfectly collinear indicators in block A: a1, a2 (a duplicated or derived column, or fewer cases than indicators?): their outer VIF is infinite and alpha, rho_A and rho_C of the block overstate its reliability'
    """
    if not found:
        return ""
    blocks = "; ".join(f"{c}: {', '.join(items)}" for c, items in found)
    return (f"perfectly collinear indicators in block{'s' if len(found) > 1 else ''} {blocks} (a duplicated or "
            "derived column, or fewer cases than indicators?): their outer VIF is infinite and alpha, rho_A and "
            "rho_C of the block overstate its reliability")


def negative_loadings(loadings: np.ndarray, model: PLSModel) -> list[tuple[str, str, float]]:
    """``(construct, indicator, loading)`` of every negative outer loading in a block of two or more
    indicators (all blocks are mode A, reflective), in model item order.

    >>> from iur_survey.pls.model import pls_model
    >>> m = pls_model("A =~ a1 + a2 + a3\\nB =~ b1\\nB ~ A")
    >>> negative_loadings(np.array([0.8, 0.7, -0.83, 1.0]), m)
    [('A', 'a3', -0.83)]
    """
    blk = model.block_index
    size = np.bincount(blk, minlength=len(model.constructs))
    return [(model.constructs[blk[i]], item, float(loadings[i])) for i, item in enumerate(model.items)
            if size[blk[i]] > 1 and loadings[i] < 0]


def negative_loadings_message(found: list[tuple[str, str, float]]) -> str:
    """The warning for :func:`negative_loadings` ("" when there is none).

    >>> negative_loadings_message([("A", "a3", -0.83)])
    "negative outer loading in the reflective (mode A) block A: a3 (-0.830); a reverse-keyed item not reversed? (if most of the block's items are the reverse-keyed ones, the composite and its paths are reversed and the item named is the one keyed as intended) alpha and rho_C of that block are not interpretable (reverse the item, or drop it)"
    """
    if not found:
        return ""
    by: dict[str, list[str]] = {}
    for c, item, v in found:
        by.setdefault(c, []).append(f"{item} ({v:.3f})")
    blocks = "; ".join(f"{c}: {', '.join(items)}" for c, items in by.items())
    return (f"negative outer loading in the reflective (mode A) block{'s' if len(by) > 1 else ''} {blocks}; "
            "a reverse-keyed item not reversed? (if most of the block's items are the reverse-keyed ones, the "
            "composite and its paths are reversed and the item named is the one keyed as intended) alpha and rho_C "
            "of that block are not interpretable (reverse the item, or drop it)")
