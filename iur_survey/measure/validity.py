"""Discriminant validity: the Fornell-Larcker criterion and the heterotrait-monotrait ratio (HTMT).

``htmt`` reproduces semTools 0.5-6 ``htmt()`` (Pearson correlations of the listwise-complete items, absolute
values; ``htmt2=True`` uses geometric instead of arithmetic means, Roemer, Schuberth & Henseler 2021).  Note
semTools' own default is ``htmt2=TRUE``; ours is the classic HTMT (Henseler, Ringle & Sarstedt 2015).
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from ..instrument import Instrument
from ._common import ConstructMap, Measurement, as_cov, construct_map, flag, item_frame
from .reliability import ave

HTMT_CUTOFFS = (0.85, 0.90)


def htmt(
    data: pd.DataFrame,
    constructs: Instrument | ConstructMap,
    htmt2: bool = False,
    *,
    absolute: bool = True,
    matrix: bool = False,
) -> pd.DataFrame:
    """Heterotrait-monotrait ratio of every pair of constructs.

    HTMT_ij = mean |r| between the items of i and j / sqrt(mean |r| within i x mean |r| within j), the
    within-construct means over the off-diagonal correlations; ``htmt2=True`` takes geometric means.
    Correlations: Pearson on the rows complete on every item (semTools/lavCor ``missing="listwise"``).
    Flags: ``below_085`` (strict, Kline) and ``below_090`` (liberal, Gold et al.).
    ``matrix=True`` returns the square constructs x constructs table (1 on the diagonal) as semTools does.

    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> f, g = rng.standard_normal((2, 400))
    >>> df = pd.DataFrame({"a1": f + rng.standard_normal(400), "a2": f + rng.standard_normal(400),
    ...                    "b1": g + rng.standard_normal(400), "b2": g + rng.standard_normal(400)})
    >>> htmt(df, {"A": ["a1", "a2"], "B": ["b1", "b2"]}).round(3)  # doctest: +NORMALIZE_WHITESPACE
      construct_1 construct_2   htmt  below_085  below_090
    0           A           B  0.104       True       True
    """
    cmap = construct_map(constructs)
    names = list(cmap)
    items = [i for v in cmap.values() for i in v]
    x = item_frame(data, list(dict.fromkeys(items))).dropna()
    r = np.corrcoef(x.to_numpy(), rowvar=False)
    r = pd.DataFrame(r, index=x.columns, columns=x.columns)
    if absolute or htmt2:
        r = r.abs()

    def mean(block: np.ndarray) -> float:
        block = block[~np.isnan(block)]
        return float(np.exp(np.log(block).mean())) if htmt2 else float(block.mean())

    within = {}
    for c, it in cmap.items():
        b = r.loc[it, it].to_numpy().copy()
        np.fill_diagonal(b, np.nan)
        within[c] = mean(b) if len(it) > 1 else np.nan
    res = pd.DataFrame(1.0, index=names, columns=names)
    for a, b in combinations(names, 2):
        val = mean(r.loc[cmap[a], cmap[b]].to_numpy().astype(float)) / np.sqrt(within[a] * within[b])
        res.loc[a, b] = res.loc[b, a] = val
    if matrix:
        return res
    long = pd.DataFrame(
        [{"construct_1": a, "construct_2": b, "htmt": res.loc[a, b]} for a, b in combinations(names, 2)]
    )
    long["below_085"] = flag(long["htmt"], HTMT_CUTOFFS[0], below=True)
    long["below_090"] = flag(long["htmt"], HTMT_CUTOFFS[1], below=True)
    return long


def fornell_larcker(estimates: Any, cov: Any = None, cor_lv: Any = None, *, matrix: bool = False) -> pd.DataFrame:
    """Fornell-Larcker criterion: sqrt(AVE) of each factor against its correlations with the other factors.

    AVE as :func:`~iur_survey.measure.ave` (``cov`` = sample covariance for semTools' default); the latent
    correlations come from the factor (co)variances of the table (a CFA), or from ``cor_lv`` (a square
    DataFrame, e.g. lavaan's ``lavInspect(fit, "cor.lv")``) for structural models.
    Long output (default): per factor its sqrt(AVE), the largest absolute correlation and with which factor,
    ``meets_criterion`` = sqrt(AVE) > that correlation.  ``matrix=True``: the classic table, sqrt(AVE) on
    the diagonal and correlations off it.

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
    a = ave(m.table, cov)
    sq = np.sqrt(a["ave"])
    names = list(a.index)
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
        best = others.idxmax() if len(others) else None
        mx = float(others.max()) if len(others) else np.nan
        rows.append({"construct": f, "sqrt_ave": float(sq[f]), "max_abs_cor": mx, "max_cor_with": best,
                     "meets_criterion": bool(np.isfinite(sq[f]) and np.isfinite(mx) and sq[f] > mx)})
    return pd.DataFrame(rows).set_index("construct")
