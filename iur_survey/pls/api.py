"""The entry point :func:`pls_sem`: PLS-SEM of a lavaan-syntax composite model given by the caller.

>>> res = pls_sem(example_data(), model=EXAMPLE_MODEL)
>>> res.converged, res.n
(True, 300)
>>> res.path_coefficients()[["lhs", "op", "rhs", "label", "est"]].round(3)
  lhs op rhs label    est
0   M  ~   X     a  0.493
1   Y  ~   M     b  0.348
2   Y  ~   X     c  0.167
"""

from __future__ import annotations

import time
import warnings as _warnings

import numpy as np
import pandas as pd

from ..errors import EstimationError
from .engine import SCHEMES, fit_batch
from .estimates import collect
from .model import PLSModel, pls_model
from .quality import collinear_indicators, collinear_message, negative_loadings, negative_loadings_message
from .results import PLSResult

__all__ = ["pls_sem", "prepare_data", "example_data", "EXAMPLE_MODEL", "MISSING"]

#: missing-data treatments: seminr's/SmartPLS's mean replacement (default) or listwise deletion
MISSING = ("mean", "listwise")

#: the model of :func:`example_data` (a simple mediation, lavaan syntax)
EXAMPLE_MODEL = """
X =~ x1 + x2 + x3
M =~ m1 + m2 + m3
Y =~ y1 + y2 + y3
M ~ a*X
Y ~ b*M + c*X
ind := a*b
"""


def example_data(n: int = 300, seed: int = 7) -> pd.DataFrame:
    """A small simulated 5-point survey for examples: X -> M -> Y plus X -> Y, three items each.

    >>> example_data().shape, sorted(example_data()["x1"].unique().tolist())
    ((300, 9), [1.0, 2.0, 3.0, 4.0, 5.0])
    """
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n)
    m = 0.6 * x + 0.8 * rng.standard_normal(n)
    y = 0.5 * m + 0.3 * x + np.sqrt(0.51) * rng.standard_normal(n)
    cols = {}
    for name, f in (("x", x), ("m", m), ("y", y)):
        for k, lam in enumerate((0.8, 0.75, 0.7), 1):
            z = lam * f + np.sqrt(1 - lam ** 2) * rng.standard_normal(n)
            cols[f"{name}{k}"] = np.digitize(z, [-1.5, -0.5, 0.5, 1.5]).astype(float) + 1.0
    return pd.DataFrame(cols)


def prepare_data(data: pd.DataFrame, model: PLSModel, missing: str = "mean"):
    """The indicator matrix the algorithm uses: ``(X, index, n_input, n_imputed)``.

    ``missing="mean"`` replaces a missing cell by its indicator's mean (seminr's ``mean_replacement``,
    SmartPLS's default); ``"listwise"`` drops every case with a missing indicator.

    >>> from iur_survey.pls.model import pls_model
    >>> m = pls_model("A =~ a1 + a2\\nB =~ b1\\nB ~ A")
    >>> df = pd.DataFrame({"a1": [1, 2, None, 4], "a2": [2, 1, 3, 4], "b1": [1, 3, 2, 5], "id": list("wxyz")})
    >>> X, idx, n, k = prepare_data(df, m)
    >>> X[:, 0].tolist(), n, k
    ([1.0, 2.0, 2.3333333333333335, 4.0], 4, 1)
    >>> prepare_data(df, m, "listwise")[1].tolist()
    [0, 1, 3]
    """
    if missing not in MISSING:
        raise ValueError(f"missing must be one of {MISSING}, not {missing!r}")
    if not isinstance(data, pd.DataFrame):
        raise TypeError("data must be a pandas DataFrame")
    absent = [c for c in model.items if c not in data.columns]
    if absent:
        raise EstimationError(None, f"indicators of the model not in the data: {absent}")
    from ..sem.datacheck import numeric_column

    X = np.column_stack([numeric_column(data, c) for c in model.items])   # a text cell: an error, never NaN
    index = data.index
    n_input = len(X)
    miss = np.isnan(X)
    n_imputed = 0
    if missing == "listwise":
        keep = ~miss.any(axis=1)
        X, index = X[keep], index[keep]
    elif miss.any():
        empty = [c for c, e in zip(model.items, miss.all(axis=0)) if e]
        if empty:
            raise EstimationError(None, f"indicators without any observed value: {empty}")
        X = np.where(miss, np.nanmean(X, axis=0), X)
        n_imputed = int(miss.sum())
    k = max((len(p) for p in model.predecessors.values()), default=0)
    need = max(3, k + 2)        # k predictors: their correlation matrix is singular below k + 1 cases (k + 2: R²adj)
    if len(X) < need:
        why = (f": {max(model.predecessors, key=lambda t: len(model.predecessors[t]))} has {k} predictors, so the "
               f"path regressions need at least {need}") if need > 3 else f"; PLS-SEM needs at least {need}"
        raise EstimationError(None, f"only {len(X)} usable cases{' after listwise deletion' if missing == 'listwise' else ''}"
                                    f"{why}")
    sd = X.std(axis=0, ddof=1)
    flat = [c for c, s in zip(model.items, sd) if not s > 0]
    if flat:
        raise EstimationError(None, f"indicators without variance: {flat}")
    return X, index, n_input, n_imputed


def _as_model(model) -> PLSModel:
    if isinstance(model, PLSModel):
        return model
    if isinstance(model, str):
        return pls_model(model)
    raise TypeError("model must be lavaan syntax or a PLSModel (the same syntax as the CB-SEM's), "
                    f"not {type(model).__name__}")


def pls_sem(data: pd.DataFrame, model: str | PLSModel, *, scheme: str = "path",
            missing: str = "mean", tol: float = 1e-7, max_iter: int = 300, n_boot: int = 0, seed=None,
            level: float = 0.95, progress: bool | None = None) -> PLSResult:
    """Fit a PLS path model (PLS-SEM) and return a :class:`~iur_survey.pls.results.PLSResult`.

    ``data``: the cleaned responses (reverse-keyed items already reversed; extra columns are ignored).
    ``model``: lavaan syntax (``=~``, ``~``, ``:=``) or a :class:`~iur_survey.pls.model.PLSModel`, given by
    the caller (the same syntax as the CB-SEM's).  All composites are mode A (reflective).
    ``scheme``: inner weighting, ``"path"`` (default, as SmartPLS and seminr), ``"factorial"`` or
    ``"centroid"``.  ``tol``/``max_iter``: stop when no outer weight changes by ``tol`` or more
    (default 1e-7, at most 300 iterations).  ``missing``: ``"mean"`` replacement (default) or ``"listwise"``.
    ``n_boot`` > 0 also bootstraps (see :meth:`PLSResult.bootstrap`) with ``seed``, ``level`` and ``progress``.

    >>> res = pls_sem(example_data(), model=EXAMPLE_MODEL, scheme="factorial")
    >>> res.r_squared().round(3)
      construct     r2  r2_adj  n_predictors
    0         M  0.243   0.240             1
    1         Y  0.207   0.201             2
    """
    t0 = time.perf_counter()
    if scheme not in SCHEMES:
        raise ValueError(f"scheme must be one of {SCHEMES}, not {scheme!r}")
    m = _as_model(model)
    X, index, n_input, n_imputed = prepare_data(data, m, missing)
    R = np.corrcoef(X, rowvar=False)
    fit = fit_batch(R[None], m, scheme, tol, max_iter)
    warnings = []
    if not fit.converged[0]:
        warnings.append(f"the PLS algorithm did not converge in {max_iter} iterations")
    estimates = collect(R[None], fit, m)
    for text in (collinear_message(collinear_indicators(R, m)),
                 negative_loadings_message(negative_loadings(estimates["loadings"][0], m))):
        if text:
            warnings.append(text)
            _warnings.warn(f"pls_sem: {text}", stacklevel=2)
    res = PLSResult(model=m, scheme=scheme, tol=tol, max_iter=max_iter, missing=missing, data_matrix=X,
                    index=index, n_input=n_input, n_imputed=n_imputed, R=R, fit=fit,
                    estimates=estimates, warnings=warnings,
                    seconds=time.perf_counter() - t0)
    if n_boot:
        res = res.bootstrap(n_boot, seed=seed, level=level, progress=progress)
    return res
