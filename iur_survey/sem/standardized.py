"""Standardized solutions (``std.lv``, ``std.all``, ``std.nox``) and R-squared, as lavaan 0.6.14.

Rules of lavaan's lav_standardize_lv / lav_standardize_all / lav_standardize_all_nox,
row by row of the parameter table (per group):

``std.lv``  latent variables scaled to unit (model-implied total) variance:
            loadings x sd(lv); regressions / sd(lhs lv) x sd(rhs lv); latent
            (residual) variances / var(lv); latent covariances divided by the
            square roots of the two *residual* variances (so they are residual
            correlations); latent means / sd(lv).
``std.all`` on top of that, observed variables scaled by their model-implied
            sd: loadings / sd(indicator); regressions / sd(lhs ov) x sd(rhs ov);
            observed (residual) variances / var(ov); observed covariances
            divided by the square roots of the residual variances; intercepts
            / sd(ov).
``std.nox`` as ``std.all`` but exogenous observed covariates (``fixed.x``) are
            left unstandardized.

A negative implied variance gives NaN.  ``:=`` rows are the definitions
evaluated at the standardized parameters.  ``R2`` of an indicator or an
endogenous variable is ``1 - std.all`` of its (residual) variance row
(NaN when above 1), as ``lavInspect(fit, "r2")``.

>>> import numpy as np
>>> from iur_survey.sem.partable import build_partable
>>> from iur_survey.sem.matrices import Model
>>> pt = build_partable("F =~ x1 + x2 + x3")
>>> mod = Model(pt)
>>> theta = np.array([0.8, 0.6, 0.5, 0.4, 0.3, 1.0])
>>> std = standardize(pt, mod, theta, mod.row_values(theta))
>>> np.round(std["std.all"][:3], 4).tolist()
[0.8165, 0.7845, 0.7385]
>>> r_squared(pt, std["std.all"]).round(4).to_dict()
{'x1': 0.6667, 'x2': 0.6154, 'x3': 0.5455}
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .defined import from_partable
from .matrices import Model
from .partable import ParTable

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["standardize", "standardize_batch", "standardize_parts", "standardized_jacobian", "standardized_se",
           "central_jacobian", "delta_method_se", "variance_parameters", "r_squared", "check_std_type"]

#: the types of standardized solution (lavaan's ``standardizedSolution(type = )``)
STD_TYPES = ("std.all", "std.lv", "std.nox")


def _std_lv(pt: ParTable, model: Model, eta_var: list[np.ndarray], est: np.ndarray) -> np.ndarray:
    """``est``: rows x K (K parameter vectors); ``eta_var[g]``: n_lv x K implied latent variances."""
    out = est.astype(float).copy()
    op, lhs, rhs, blk = pt.op, pt.lhs, pt.rhs, pt.block
    for g, gm in enumerate(model.groups):
        lv = pt.lv_names[g]
        if not lv:
            continue
        eta2 = eta_var[g].copy()
        eta2[eta2 < 0] = np.nan
        ETA = dict(zip(lv, np.sqrt(eta2)))
        ov = set(pt.ov_names[g])
        lvs = set(lv)
        rows = [i for i in range(len(pt)) if blk[i] == g + 1]
        for i in rows:
            if op[i] == "=~" and rhs[i] not in lvs:
                out[i] *= ETA[lhs[i]]
            if op[i] == "=~" and rhs[i] not in ov:
                out[i] = out[i] * ETA[lhs[i]] / ETA[rhs[i]]
        for i in rows:
            if op[i] in ("~", "<~") and lhs[i] in lvs:
                out[i] /= ETA[lhs[i]]
        for i in rows:
            if op[i] in ("~", "<~") and rhs[i] in lvs:
                out[i] *= ETA[rhs[i]]
        rv_rows = [i for i in rows if op[i] == "~~" and rhs[i] in lvs and lhs[i] == rhs[i]]
        for i in rv_rows:
            out[i] = out[i] / ETA[lhs[i]] / ETA[rhs[i]]
        _residual_covariances(out, rows, pt, est, rv_rows, lambda v: v in lvs)
        for i in rows:
            if op[i] == "~1" and lhs[i] in lvs:
                out[i] /= ETA[lhs[i]]
    return out


def _residual_covariances(out: np.ndarray, rows: list[int], pt: ParTable, est: np.ndarray, rv_rows: list[int],
                          standardized) -> None:
    """lavaan's step for a covariance between two residuals (``~~``, lhs != rhs): divided by the square root
    of each side's residual variance (its first ``rv_rows`` estimate) when ``standardized(name)``."""
    op, lhs, rhs = pt.op, pt.lhs, pt.rhs
    RV: dict[str, float] = {}
    for i in rv_rows:
        RV.setdefault(lhs[i], np.sqrt(abs(est[i])))
    for i in rows:
        if op[i] == "~~" and lhs[i] != rhs[i]:
            if standardized(lhs[i]):
                out[i] /= RV.get(lhs[i], np.nan)
            if standardized(rhs[i]):
                out[i] /= RV.get(rhs[i], np.nan)


def _std_all(pt: ParTable, model: Model, ov_var: list[np.ndarray], est: np.ndarray, std_lv: np.ndarray,
             nox: bool) -> np.ndarray:
    """``ov_var[g]``: p x K implied variances of the observed variables."""
    out = std_lv.copy()
    op, lhs, rhs, blk = pt.op, pt.lhs, pt.rhs, pt.block
    for g, gm in enumerate(model.groups):
        ov_names = gm.ov
        OV2 = ov_var[g].copy()
        OV2[np.abs(OV2) < np.finfo(float).eps] = np.nan
        tmp = OV2.copy()
        tmp[tmp < 0] = np.nan
        OV = dict(zip(ov_names, np.sqrt(tmp)))
        OV2d = dict(zip(ov_names, OV2))
        lvs = set(pt.lv_names[g])
        ovs = set(ov_names)
        ovx = set(pt.ov_x(g)) if nox else set()    # lavaan's ov.x whatever fixed.x (lav_standardize_all_nox)
        ov_nox = ovs - ovx
        rows = [i for i in range(len(pt)) if blk[i] == g + 1]
        for i in rows:
            if op[i] == "=~" and rhs[i] not in lvs:
                out[i] /= OV[rhs[i]]
        for i in rows:
            if op[i] in ("~", "<~") and lhs[i] in ovs:
                out[i] /= OV[lhs[i]]
        for i in rows:
            if op[i] in ("~", "<~") and rhs[i] in ov_nox:
                out[i] *= OV[rhs[i]]
        rv_rows = [i for i in rows if op[i] == "~~" and lhs[i] not in lvs and lhs[i] not in ovx
                   and lhs[i] == rhs[i]]
        for i in rv_rows:
            out[i] /= OV2d[lhs[i]]
        _residual_covariances(out, rows, pt, est, rv_rows, lambda v: v not in lvs and v not in ovx)
        for i in rows:
            if op[i] == "~1" and lhs[i] not in lvs and lhs[i] not in ovx:
                out[i] /= OV[lhs[i]]
    return out


def _defined(pt: ParTable, est: np.ndarray, std: np.ndarray) -> np.ndarray:
    d = pt.def_rows
    if len(d):
        fn = from_partable(pt, est[:, 0])
        std = std.copy()
        std[d] = fn.at_rows(std).reshape(len(d), -1)
    return std


def standardize_batch(pt: ParTable, model: Model, Theta: np.ndarray, est: np.ndarray) -> dict[str, np.ndarray]:
    """:func:`standardize` for a stack of parameter vectors (bootstrap draws): ``Theta`` K x npar, ``est``
    K x rows (the row values of each vector; fixed.x rows: the fitted sample's values, as lavaan's
    bootstrap keeps them).  Returns K x rows arrays.

    >>> from iur_survey.sem.partable import build_partable
    >>> pt = build_partable("F =~ x1 + x2 + x3")
    >>> mod = Model(pt)
    >>> T = np.array([[0.8, 0.6, 0.5, 0.4, 0.3, 1.0], [0.7, 0.6, 0.5, 0.4, 0.3, 1.2]])
    >>> std = standardize_batch(pt, mod, T, np.vstack([mod.row_values(t) for t in T]))
    >>> bool(np.allclose(std["std.all"][0], standardize(pt, mod, T[0], mod.row_values(T[0]))["std.all"],
    ...                  equal_nan=True))
    True
    """
    return standardize_parts(pt, model, Theta, est)[0]


def standardize_parts(pt: ParTable, model: Model, Theta: np.ndarray, est: np.ndarray
                      ) -> tuple[dict[str, np.ndarray], list[np.ndarray]]:
    """:func:`standardize_batch` and, per group, the implied variances of the observed variables it divides
    by (K x p, the model's variable order; lavaan's ``computeVY``), for the rows the engine's table does not
    hold (the thresholds of ordered items).

    >>> from iur_survey.sem.partable import build_partable
    >>> pt = build_partable("F =~ x1 + x2")
    >>> mod = Model(pt)
    >>> theta = np.array([0.5, 0.4, 0.3, 1.0])
    >>> std, vy = standardize_parts(pt, mod, theta[None], mod.row_values(theta)[None])
    >>> vy[0].round(2).tolist()                       # var(x1) = 1 + 0.4, var(x2) = 0.25 + 0.3
    [[1.4, 0.55]]
    """
    Theta = np.atleast_2d(np.asarray(Theta, float))
    est = np.asarray(est, float).T
    eta_var, ov_var = [], []
    for g in range(model.ngroups):
        lay = model.layout(g)
        c = lay.core(Theta)
        eta_var.append(np.diagonal(c["Pm"], axis1=1, axis2=2)[:, :lay.n_lv].T)
        ov_var.append(np.diagonal(c["Sigma"], axis1=1, axis2=2).T)
    with np.errstate(divide="ignore", invalid="ignore"):
        lv = _std_lv(pt, model, eta_var, est)
        allv = _std_all(pt, model, ov_var, est, lv, nox=False)
        nox = _std_all(pt, model, ov_var, est, lv, nox=True)
    return ({"std.lv": _defined(pt, est, lv).T, "std.all": _defined(pt, est, allv).T,
             "std.nox": _defined(pt, est, nox).T}, [v.T for v in ov_var])


def standardize(pt: ParTable, model: Model, theta: np.ndarray, est: np.ndarray) -> dict[str, np.ndarray]:
    """``{"std.lv": ..., "std.all": ..., "std.nox": ...}``, one value per table row.

    ``est`` holds the row values (fixed.x rows filled in); rows of ``==`` / ``<`` /
    ``>`` stay NaN.  The batch of one of :func:`standardize_batch`.
    """
    out = standardize_batch(pt, model, np.asarray(theta, float)[None], np.asarray(est, float)[None])
    return {k: v[0] for k, v in out.items()}


def check_std_type(type: str) -> None:
    """Refuse a standardization type other than lavaan's ``std.all``, ``std.lv`` and ``std.nox``."""
    if type not in STD_TYPES:
        raise ValueError(f"type={type!r}: use 'std.all', 'std.lv' or 'std.nox'")


def central_jacobian(fn, theta: np.ndarray, var_par: np.ndarray | None = None) -> np.ndarray:
    """``d fn(theta) / d theta`` (outputs x parameters) by central differences over all parameters in one
    call of ``fn`` on a stack of 2k parameter vectors (``fn``: K x k -> K x outputs).

    Step ``eps^(1/3) max(|theta_j|, 1)``, kept below a quarter of ``|theta_j|`` where ``var_par[j]`` (a
    variance: no step crosses zero).  The one numerical Jacobian of the standardized solutions
    (:func:`standardized_jacobian`, :mod:`iur_survey.sem.wlsmv_standardized`).

    >>> J = central_jacobian(lambda T: np.stack([T[:, 0] * T[:, 1], T[:, 1] ** 2], axis=1), np.array([2.0, 3.0]))
    >>> J.round(6).tolist()
    [[3.0, 2.0], [0.0, 6.0]]
    """
    theta = np.asarray(theta, float)
    k = theta.size
    h = np.finfo(float).eps ** (1 / 3) * np.maximum(np.abs(theta), 1.0)
    if var_par is not None:
        small = np.asarray(var_par, bool) & (np.abs(theta) > 0)
        h[small] = np.minimum(h[small], np.abs(theta[small]) / 4)
    step = np.diag(h)
    F = np.asarray(fn(np.vstack([theta + step, theta - step])), float)
    with np.errstate(invalid="ignore"):
        return ((F[:k] - F[k:]) / (2 * h)[:, None]).T


def delta_method_se(J: np.ndarray, vcov: np.ndarray) -> np.ndarray:
    """``sqrt(diag(J VCOV J'))`` by lavaan's rules (``standardizedSolution``): a negative variance gives NaN,
    an SE below ``eps^(1/4)`` is 0 (a row that does not move with theta), a row with a non-finite Jacobian
    entry is NaN, and a ``VCOV`` with any NaN (lavaan: no vcov, the information could not be inverted) gives
    NaN in every row, a fixed one too (R's ``JAC %*% VCOV %*% t(JAC)`` carries an NA into every entry).

    >>> delta_method_se(np.array([[1.0, 0.0], [0.0, 0.0], [1.0, 1.0]]), np.diag([0.04, 0.01])).round(4).tolist()
    [0.2, 0.0, 0.2236]
    >>> delta_method_se(np.array([[1.0, 0.0], [0.0, 0.0]]), np.diag([0.04, np.nan])).tolist()
    [nan, nan]
    """
    V = np.asarray(vcov, float)
    J = np.asarray(J, float)
    if not np.all(np.isfinite(V)):
        return np.full(J.shape[0], np.nan)
    Jf = np.where(np.isfinite(J), J, 0.0)
    var = np.einsum("ij,jk,ik->i", Jf, V, Jf)
    var[~np.all(np.isfinite(J), axis=1)] = np.nan
    var[var < 0] = np.nan
    se = np.sqrt(var)
    se[se < np.finfo(float).eps ** 0.25] = 0.0
    return se


def variance_parameters(pt: ParTable, npar: int) -> np.ndarray:
    """Which of the ``npar`` parameters are variances (a free ``~~`` row with lhs == rhs): the steps of
    :func:`central_jacobian` stay below a quarter of their value.

    >>> from iur_survey.sem.partable import build_partable
    >>> variance_parameters(build_partable("F =~ x1 + x2"), 4).tolist()
    [False, True, True, True]
    """
    out = np.zeros(npar, bool)
    for i in range(len(pt)):
        j = int(pt.par_index[i])
        if pt.free[i] > 0 and 0 <= j < npar and pt.op[i] == "~~" and pt.lhs[i] == pt.rhs[i]:
            out[j] = True
    return out


def standardized_jacobian(pt: ParTable, model: Model, theta: np.ndarray, est: np.ndarray,
                          type: str = "std.all") -> np.ndarray:
    """``d std(theta) / d theta``: rows of the table x free parameters, the Jacobian of lavaan's
    ``lav_object_inspect_vcov(standardized = TRUE)`` (``JAC``).

    :func:`central_jacobian` over :func:`standardize_batch`: error below 1e-9 (3e-10 against a 5-point
    stencil on the test models).
    (lavaan 0.6.14's complex step fails on its standardization code -- ``ETA2 < 0`` on complex values --
    and falls back to forward differences with step ``sqrt(eps) max(|theta_j|, 1)``, good to about 1e-8.)
    ``est``: the row values at ``theta`` (fixed.x rows filled in; they stay fixed).

    >>> from iur_survey.sem.partable import build_partable
    >>> pt = build_partable("F =~ x1 + x2")
    >>> mod = Model(pt)
    >>> theta = np.array([0.5, 0.4, 0.3, 1.0])      # x2 loading, x1 / x2 residual variances, var(F)
    >>> J = standardized_jacobian(pt, mod, theta, mod.row_values(theta))
    >>> float(np.round(J[0, 1], 6))                   # d std.all(x1 loading) / d theta(x1 residual variance)
    -0.301841
    >>> float(np.round(-0.5 * 1.4 ** -1.5, 6))        # analytic: std = (1 + r)^(-1/2)
    -0.301841
    """
    check_std_type(type)
    theta = np.asarray(theta, float)
    k = theta.size
    if k == 0:
        return np.zeros((len(pt), 0))
    free = np.flatnonzero(np.asarray(pt.free) > 0)
    pidx = np.asarray(pt.par_index)[free]
    base = np.asarray(est, float)

    def fn(Theta):
        rows = np.tile(base, (Theta.shape[0], 1))
        rows[:, free] = Theta[:, pidx]
        return standardize_batch(pt, model, Theta, rows)[type]
    return central_jacobian(fn, theta, variance_parameters(pt, k))


def standardized_se(pt: ParTable, model: Model, theta: np.ndarray, est: np.ndarray, vcov: np.ndarray,
                    type: str = "std.all") -> np.ndarray:
    """Delta-method standard error of every row's standardized value, lavaan 0.6.14's
    ``standardizedSolution(fit, type = type)$se``: :func:`delta_method_se` of :func:`standardized_jacobian`
    and ``VCOV`` the fit's covariance of the free parameters (whatever it is: expected / observed
    information, robust sandwich, bootstrap).  Rows of ``:=`` come out the same way (their standardized value
    is the definition at the standardized parameters).

    >>> from iur_survey.sem.partable import build_partable
    >>> pt = build_partable("F =~ x1 + x2")
    >>> mod = Model(pt)
    >>> theta = np.array([0.5, 0.4, 0.3, 1.0])
    >>> se = standardized_se(pt, mod, theta, mod.row_values(theta), np.diag([0.01, 0.002, 0.002, 0.02]))
    >>> np.round(se[:2], 4).tolist()                  # the fixed x1 loading has an SE once standardized
    [0.0218, 0.0827]
    """
    V = np.asarray(vcov, float)
    n = len(pt)
    if V.size == 0 or np.asarray(theta).size == 0:
        return np.full(n, np.nan)
    return delta_method_se(standardized_jacobian(pt, model, theta, est, type), V)


def r_squared(pt: ParTable, std_all: np.ndarray) -> pd.Series:
    """R-squared of every indicator and endogenous variable (lavaan's ``lavInspect(fit, "r2")``).

    With several groups the index is (group label, variable).
    """
    return r2_series(r_squared_dict(pt, std_all), pt.ngroups > 1)


def r2_series(r2: dict, multigroup: bool) -> pd.Series:
    """The Series of :func:`r_squared` from its dict (:func:`r_squared_dict`)."""
    import pandas as pd

    keys, vals = list(r2), list(r2.values())
    if multigroup:
        return pd.Series(vals, index=pd.MultiIndex.from_tuples(keys, names=["group", "variable"]),
                         name="r2", dtype=float)
    return pd.Series(vals, index=keys, name="r2", dtype=float)


def r_squared_dict(pt: ParTable, std_all: np.ndarray) -> dict:
    """:func:`r_squared` as a dict, keyed by variable or (group label, variable) with several groups."""
    vals, keys = [], []
    for b in sorted({x for x in pt.block if x > 0}):
        ind = [pt.rhs[i] for i in range(len(pt)) if pt.op[i] == "=~" and pt.block[i] == b]
        eqy = [pt.lhs[i] for i in range(len(pt)) if pt.op[i] == "~" and pt.block[i] == b]
        ynames = set(ind) | set(eqy)
        for i in range(len(pt)):
            if pt.op[i] == "~~" and pt.block[i] == b and pt.lhs[i] == pt.rhs[i] and pt.lhs[i] in ynames:
                r2 = 1.0 - std_all[i]
                vals.append(np.nan if r2 > 1 else r2)
                keys.append((pt.group_labels[b - 1], pt.lhs[i]) if pt.ngroups > 1 else pt.lhs[i])
    return dict(zip(keys, vals))
