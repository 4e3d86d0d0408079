"""Discriminant validity: the Fornell-Larcker criterion and the heterotrait-monotrait ratio (HTMT).

``htmt`` reproduces semTools 0.5-6 ``htmt()`` (Pearson correlations of the listwise-complete items, absolute
values; ``htmt2=True`` uses geometric instead of arithmetic means, Roemer, Schuberth & Henseler 2021), and
goes beyond it for constructs that share an item, which semTools refuses (see :func:`htmt_matrices`).  Note
semTools' own default is ``htmt2=TRUE``; ours is the classic HTMT (Henseler, Ringle & Sarstedt 2015).
"""

from __future__ import annotations

import warnings
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from ._common import Constructs, Measurement, as_cov, construct_map, flag, item_frame, refuse_constant
from .reliability import ave

HTMT_CUTOFFS = (0.85, 0.90)


def htmt_matrices(R: np.ndarray, blocks: list[np.ndarray], *, htmt2: bool = False,
                  absolute: bool = True) -> np.ndarray:
    """HTMT of every pair of item blocks for a stack of correlation matrices ``R`` (b x p x p): b x J x J,
    1 on the diagonal.  The one implementation, used by :func:`htmt` (a stack of one) and by the PLS
    bootstrap (:func:`iur_survey.pls.quality.htmt_values`).

    HTMT_ij = mean heterotrait correlation / sqrt(mean monotrait correlation of i x that of j), means over
    the off-diagonal correlations (geometric with ``htmt2``), NaN correlations left out (semTools'
    ``na.rm = TRUE``).  A construct with a single indicator has no monotrait correlation, so its HTMT
    is NaN, as in semTools 0.5-6 ``htmt()``; seminr's ``HTMT()`` puts 1 there instead, which silently treats
    the single item as perfectly reliable and reports a number the criterion does not define.

    An item in both blocks (a cross-loading indicator) would add its correlation with itself (1) to the
    heterotrait mean; it is left out: the heterotrait-heteromethod correlations are those of two different
    indicators (Henseler et al. 2015).  (semTools' ``htmt()`` refuses such a model.)

    >>> R = np.array([[1, .6, .3, .2], [.6, 1, .2, .3], [.3, .2, 1, .5], [.2, .3, .5, 1.]])
    >>> htmt_matrices(R[None], [np.array([0, 1]), np.array([2, 3])])[0].round(4).tolist()   # .25 / sqrt(.6 * .5)
    [[1.0, 0.4564], [0.4564, 1.0]]
    >>> float(htmt_matrices(R[None], [np.array([0]), np.array([2, 3])])[0, 0, 1])
    nan

    Item 3 in both blocks: heterotrait mean (.3 + .2 + .2 + .3 + .5) / 5, without r(3, 3) = 1:

    >>> round(float(htmt_matrices(R[None], [np.array([0, 1, 3]), np.array([2, 3])])[0, 0, 1]), 4)
    0.7006
    """
    A = np.abs(R) if (absolute or htmt2) else np.asarray(R, float)
    b, J = A.shape[0], len(blocks)

    def mean(x: np.ndarray) -> np.ndarray:          # over the last axis, NaN left out
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.exp(np.nanmean(np.log(x), axis=-1)) if htmt2 else np.nanmean(x, axis=-1)

    mono = np.full((b, J), np.nan)
    for j, ix in enumerate(blocks):
        k = len(ix)
        if k > 1:
            off = ~np.eye(k, dtype=bool)
            mono[:, j] = mean(A[:, ix[:, None], ix[None, :]][:, off])
    out = np.ones((b, J, J))
    for i in range(J):
        for j in range(i + 1, J):
            other = (blocks[i][:, None] != blocks[j][None, :]).ravel()     # a shared item's self-correlation out
            het = mean(A[:, blocks[i][:, None], blocks[j][None, :]].reshape(b, -1)[:, other])
            with np.errstate(invalid="ignore"):            # absolute=False, a negative monotrait mean: NaN
                out[:, i, j] = out[:, j, i] = het / np.sqrt(mono[:, i] * mono[:, j])
    return out


def htmt(
    data: pd.DataFrame,
    constructs: Constructs,
    htmt2: bool = False,
    *,
    absolute: bool = True,
    matrix: bool = False,
) -> pd.DataFrame:
    """Heterotrait-monotrait ratio of every pair of constructs.

    HTMT_ij = mean |r| between the items of i and j / sqrt(mean |r| within i x mean |r| within j), the
    within-construct means over the off-diagonal correlations; ``htmt2=True`` takes geometric means.
    Correlations: Pearson on the rows complete on every item (semTools/lavCor ``missing="listwise"``).
    ``absolute=False`` keeps the correlations' signs (semTools' ``absolute = FALSE``): a construct whose items'
    mean correlation is not positive then has no HTMT with any construct (NaN, with a warning naming it; semTools
    gives NaN, or for two such constructs the ratio of a mean over the root of two negative means).
    Flags: ``below_085`` (strict, Kline) and ``below_090`` (liberal, Gold et al.); <NA> ("not computable",
    never "fails") when the HTMT is NaN (a construct with a single item).
    ``matrix=True`` returns the square constructs x constructs table (1 on the diagonal) as semTools does.
    ``attrs``: ``n_complete``, the rows complete on every item (the correlations' rows), of ``n_rows``.
    An item listed under two constructs: its correlation with itself is left out of their heterotrait mean
    (:func:`htmt_matrices`; semTools refuses such a model).  A text cell or an item without variance in the
    complete rows is a one-line :class:`~iur_survey.errors.DataError` (its correlations do not exist; semTools
    refuses it too).

    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> f, g = rng.standard_normal((2, 400))
    >>> df = pd.DataFrame({"a1": f + rng.standard_normal(400), "a2": f + rng.standard_normal(400),
    ...                    "b1": g + rng.standard_normal(400), "b2": g + rng.standard_normal(400)})
    >>> htmt(df, {"A": ["a1", "a2"], "B": ["b1", "b2"]}).round(3)  # doctest: +NORMALIZE_WHITESPACE
      construct_1 construct_2   htmt  below_085  below_090
    0           A           B  0.104       True       True
    >>> df.loc[:99, "a1"] = np.nan
    >>> htmt(df, {"A": ["a1", "a2"], "B": ["b1", "b2"]}).attrs
    {'n_complete': 300, 'n_rows': 400}
    """
    cmap = construct_map(constructs)
    names = list(cmap)
    items = list(dict.fromkeys(i for v in cmap.values() for i in v))
    x = item_frame(data, items).dropna()
    if len(x) < 3:
        raise DataError(None, f"HTMT: {len(x)} row(s) answer all {len(items)} items; the correlations need at "
                              "least three")
    refuse_constant(x, f"HTMT, {len(x)} complete rows")
    r = np.corrcoef(x.to_numpy(), rowvar=False)
    pos = {c: k for k, c in enumerate(x.columns)}
    blocks = [np.array([pos[i] for i in cmap[c]], np.intp) for c in names]
    vals = htmt_matrices(r[None], blocks, htmt2=htmt2, absolute=absolute)[0]
    if not (absolute or htmt2):
        off = {c: r[np.ix_(b, b)][~np.eye(len(b), dtype=bool)] for c, b in zip(names, blocks) if len(b) > 1}
        neg = [c for c, v in off.items() if v.mean() <= 0]
        if neg:
            # sqrt(mono_i * mono_j) of two negative means is a positive number without a meaning (semTools gives
            # it: bfi C-O 1.297, C-E 0.566 "below .85"): every pair of such a construct is NaN, never a verdict
            for c in neg:
                j = names.index(c)
                vals[j, :] = vals[:, j] = np.nan
                vals[j, j] = 1.0
            warnings.warn("HTMT with absolute=False: the mean correlation among the items of "
                          + ", ".join(f"{c} ({off[c].mean():.3f})" for c in neg) + " is not positive (reverse-keyed "
                          "items not recoded?), so every HTMT of theirs is NaN (semTools' htmt(absolute = FALSE): NaN "
                          "or, for two such constructs, a number without a meaning); recode the items or use "
                          "absolute=True", stacklevel=2)
    res = pd.DataFrame(vals, index=names, columns=names)
    rows = {"n_complete": len(x), "n_rows": len(data)}      # the rows the correlations rest on, of all
    if matrix:
        res.attrs.update(rows)
        return res
    long = pd.DataFrame(
        [{"construct_1": a, "construct_2": b, "htmt": res.loc[a, b]} for a, b in combinations(names, 2)]
    )
    long["below_085"] = flag(long["htmt"], HTMT_CUTOFFS[0], below=True, unknown=True)
    long["below_090"] = flag(long["htmt"], HTMT_CUTOFFS[1], below=True, unknown=True)
    long.attrs.update(rows)
    return long


def fornell_larcker_verdict(r: Any, *sqrt_ave: Any) -> str:
    """The Fornell-Larcker comparison, the one of the package: ``"met"`` when |r| is below every square root of
    AVE given (one construct's, or both of a pair's), ``"not met"`` when not, ``"not computable"`` when r or
    one of them is unknown and the known ones do not decide it (an improper factor, a cross-loading item, a
    single item: NaN must never read as "not met"; but |r| at or above a known square root fails whatever the
    unknown one is).  :func:`fornell_larcker`, the paper tables (:func:`iur_survey.report.paper.discriminant_apa`)
    and the book all judge by it.

    >>> fornell_larcker_verdict(0.017, 0.74, 0.60), fornell_larcker_verdict(0.9, 0.74, 0.6)
    ('met', 'not met')
    >>> fornell_larcker_verdict(-0.8, 0.8), fornell_larcker_verdict(float("nan"), 0.74, 0.60)
    ('not met', 'not computable')
    >>> fornell_larcker_verdict(0.824, float("nan"), 0.602), fornell_larcker_verdict(0.3, float("nan"), 0.602)
    ('not met', 'not computable')
    """
    vals = [pd.to_numeric(v, errors="coerce") for v in (r, *sqrt_ave)]
    if len(vals) < 2 or pd.isna(vals[0]):
        return "not computable"
    known = [v for v in vals[1:] if not pd.isna(v)]
    if known and abs(vals[0]) >= min(known):
        return "not met"
    return "not computable" if len(known) < len(vals) - 1 else "met"


def fornell_larcker(estimates: Any, cov: Any = None, cor_lv: Any = None, *, matrix: bool = False) -> pd.DataFrame:
    """Fornell-Larcker criterion: sqrt(AVE) of each factor against its correlations with the other factors.

    AVE as :func:`~iur_survey.measure.ave` (``cov`` = sample covariance for semTools' default); the latent
    correlations are lavaan's ``lavInspect(fit, "cor.lv")`` rebuilt from the table (its factor (co)variances,
    and for a structural model or a higher-order factor the implied ones), or ``cor_lv`` when given (a square
    DataFrame).  A construct with a single item has no AVE (sqrt(AVE) NaN, its own verdict None) but stays in
    the table: its correlations count against the other constructs' sqrt(AVE).
    Long output (default): per factor its sqrt(AVE), the largest absolute correlation and with which factor,
    ``meets_criterion`` = sqrt(AVE) > that correlation (:func:`fornell_larcker_verdict`; None when either is
    unknown, never False; sqrt(AVE) is unknown for a construct of an improper solution,
    :func:`~iur_survey.measure.improper_constructs`).  ``matrix=True``: the classic table, sqrt(AVE) on the diagonal and correlations off
    it.

    >>> est = pd.DataFrame({"lhs": ["F", "F", "G", "G", "a", "b", "c", "d", "F", "G", "F"],
    ...                     "op": ["=~"] * 4 + ["~~"] * 7,
    ...                     "rhs": ["a", "b", "c", "d", "a", "b", "c", "d", "F", "G", "G"],
    ...                     "est": [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 1.0, 1.0, 0.6]})
    >>> # AVE = 2 / 3 (loadings 1, residuals .5), sqrt(AVE) = .816 > r = .6
    >>> fornell_larcker(est).round(3)  # doctest: +NORMALIZE_WHITESPACE
              sqrt_ave  max_abs_cor max_cor_with  meets_criterion
    construct
    F            0.816          0.6            G             True
    G            0.816          0.6            F             True
    """
    m = Measurement(estimates)
    a = ave(m.table, cov)                           # warns of an improper construct
    # every factor measured by items: a single-item construct has no AVE (semTools' dropSingle) but its
    # correlations count against the others' sqrt(AVE); a higher-order factor (no items) is no construct here
    names = [f for f in m.factors if m.indicators(f)]
    # the AVE of an improper construct (a Heywood case) is no criterion: sqrt(AVE) unknown, the verdict None
    sq = np.sqrt(a["ave"].where(a["improper"] == "")).reindex(names)
    if cor_lv is not None:
        cl = as_cov(cor_lv).loc[names, names]
    else:
        cl = m.cor_lv().loc[names, names]
    if matrix:
        tab = cl.copy()
        for f in names:
            tab.loc[f, f] = sq[f]
        return tab
    rows = []
    for f in names:
        others = cl.loc[f].drop(f).abs()
        best = others.idxmax() if len(others) and others.notna().any() else None
        mx = float(others.max()) if len(others) and others.notna().all() else np.nan    # one unknown r: unknown
        verdict = fornell_larcker_verdict(mx, sq[f])
        rows.append({"construct": f, "sqrt_ave": float(sq[f]), "max_abs_cor": mx, "max_cor_with": best,
                     "meets_criterion": None if verdict == "not computable" else verdict == "met"})
    return pd.DataFrame(rows).set_index("construct")
