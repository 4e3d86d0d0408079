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
  block (``diag(R_jj^-1)``); single predictors/indicators get VIF 1.

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
           "negative_loadings", "negative_loadings_message"]


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


def outer_vif(R: np.ndarray, model: PLSModel) -> np.ndarray:
    """VIF of every indicator within its block (model item order): ``diag(R_jj^-1)``."""
    out = np.ones(len(model.items))
    blk = model.block_index
    for j in range(len(model.constructs)):
        ix = np.flatnonzero(blk == j)
        if len(ix) > 1:
            out[ix] = np.diag(np.linalg.inv(R[np.ix_(ix, ix)]))
    return out


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
    'negative outer loading in the reflective (mode A) block A: a3 (-0.830); a reverse-keyed item not reversed? alpha and rho_C of that block are not interpretable (reverse the item, or drop it)'
    """
    if not found:
        return ""
    by: dict[str, list[str]] = {}
    for c, item, v in found:
        by.setdefault(c, []).append(f"{item} ({v:.3f})")
    blocks = "; ".join(f"{c}: {', '.join(items)}" for c, items in by.items())
    return (f"negative outer loading in the reflective (mode A) block{'s' if len(by) > 1 else ''} {blocks}; "
            "a reverse-keyed item not reversed? alpha and rho_C of that block are not interpretable "
            "(reverse the item, or drop it)")
