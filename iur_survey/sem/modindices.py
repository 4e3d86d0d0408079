"""Modification indices, as lavaan 0.6.14's ``modindices()``.

A modification index is the 1-df score (Lagrange multiplier) test of freeing one
fixed parameter: the expected drop of the chi-square when that parameter alone is
freed.  lavaan's recipe (lav_modindices.R), followed here step by step:

1. the *full* parameter table (lav_partable_full): every loading of a latent
   variable on a non-exogenous observed variable, every (residual) covariance
   among indicators, every covariance among latent variables, every regression
   between the variables that already appear in a regression (``eqs.y x eqs.x``,
   except an indicator on a latent variable), the (co)variances of exogenous
   covariates and, with a mean structure, every intercept;
2. the *extended* model: the fitted table plus the rows of 1. it lacks, every
   non-constraint row free (the fitted model's fixed rows too), the new ones at 0
   (lav_object_extended(..., all.free = TRUE));
3. the expected information ``I`` of the extended model and the gradient ``s`` of
   the log-likelihood per case, at the estimates (ML, FIML; MLR uses the same, as
   lavaan 0.6.14 has no robust modification index); with ordered items (WLSMV,
   DWLS; one group) ``I = Delta' W Delta`` and ``s`` the DWLS gradient, ``Delta``
   that of the thresholds and polychorics and ``W`` the diagonal DWLS weights;
4. with ``1`` the model's free parameters and ``2`` the others,
   ``V = I22 - I21 I11^- I12`` (``I11^-`` the constrained inverse of the fitted
   model's information, equality constraints included), and per extra parameter
   ``mi = N s^2 / V``, ``epc = s / V`` (``mi`` is missing when ``V < eps^(1/3)``:
   the parameter is not identified next to the free ones);
5. ``sepc.lv``, ``sepc.all``, ``sepc.nox``: the epc standardized as lavaan's
   standardized solutions, with ``cov.std = TRUE`` (a residual covariance is
   divided by the square roots of the fitted residual variances).

The values are exploratory: each index assumes every other parameter stays put,
and freeing parameters because the data ask for it capitalises on chance.

>>> import numpy as np, pandas as pd
>>> from iur_survey.sem import sem
>>> rng = np.random.default_rng(5)
>>> f = rng.standard_normal((400, 2)) @ [[1.0, 0.4], [0.0, 0.9]]
>>> X = np.hstack([f[:, [0]] * [1, .8, .7], f[:, [1]] * [1, .9, .6]]) + rng.standard_normal((400, 6)) * .6
>>> X[:, 3] += 0.4 * f[:, 0]                       # a cross-loading the model omits
>>> d = pd.DataFrame(X, columns=["a1", "a2", "a3", "b1", "b2", "b3"])
>>> res = sem("A =~ a1 + a2 + a3\\nB =~ b1 + b2 + b3", d)
>>> mi = modindices(res)
>>> mi.iloc[0][["lhs", "op", "rhs"]].tolist(), bool(mi.iloc[0]["mi"] > 10)
(['A', '=~', 'b1'], True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from .._threads import blas_threads
from ..errors import EstimationError
from .compare import fitted_data
from .constraints import LinearConstraints
from .matrices import Model
from .fiml import information_expected, vech_indices
from .ml import CompleteStats, ml_gradient
from .partable import ParTable, vnames
from .table import is_fiml
from .results import SEMResult
from .standardized import standardize

__all__ = ["modindices", "lav_partable_full", "ExtendedModel", "lav_object_extended"]

_CON = (":=", "==", "<", ">")
_MI_COLS = ["mi", "epc", "sepc.lv", "sepc.all", "sepc.nox"]


# ----------------------------------------------------------------------------- the full table
def _block_rows(pt: ParTable, b: int) -> list[int]:
    return [i for i in range(len(pt)) if pt.block[i] == b and pt.op[i] not in _CON]


def lav_partable_full(pt: ParTable) -> list[tuple[str, str, str, int]]:
    """lavaan's ``lav_partable_full(strict.exo = FALSE)``: every parameter the model's variables allow,
    as ``(lhs, op, rhs, block)`` in lavaan's order.

    >>> from iur_survey.sem.partable import build_partable
    >>> full = lav_partable_full(build_partable("F =~ a + b\\nG =~ c + d"))
    >>> len(full), full[:3]
    (21, [('F', '=~', 'a', 1), ('F', '=~', 'b', 1), ('F', '=~', 'c', 1)])
    """
    out: list[tuple[str, str, str, int]] = []
    for b in sorted({x for x in pt.block if x > 0}):
        rows = [i for i in range(len(pt)) if pt.block[i] == b]
        vn = vnames([pt.lhs[i] for i in rows], [pt.op[i] for i in rows], [pt.rhs[i] for i in rows],
                    [pt.user[i] for i in rows], [pt.exo[i] for i in rows])
        ov, ov_nox, ov_x, ov_ind, lv = vn["ov"], vn["ov.nox"], vn["ov.x"], vn["ov.ind"], vn["lv"]
        eqs = list(dict.fromkeys(vn["eqs.y"] + vn["eqs.x"]))
        # loadings
        for f in lv:
            for v in ov_nox:
                if v not in eqs:
                    out.append((f, "=~", v, b))
        # (residual) covariances of the indicators; none with a variable that indicates nothing
        other = {v for v in ov if v not in set(ov_ind)}
        for j, a in enumerate(ov_nox):
            for c in ov_nox[j:]:
                if a in other or c in other:
                    continue
                out.append((a, "~~", c, b))
        for j, a in enumerate(ov_x):
            for c in ov_x[j:]:
                out.append((a, "~~", c, b))
        for j, a in enumerate(lv):
            for c in lv[j:]:
                out.append((a, "~~", c, b))
        # regressions among the variables of the structural part
        lvset, indset = set(lv), set(ov_ind)
        for y in eqs:
            for x in eqs:
                if x == y or (y in indset and x in lvset):
                    continue
                out.append((y, "~", x, b))
        if pt.meanstructure:
            for v in ov + lv:
                out.append((v, "~1", "", b))
    return out


# ----------------------------------------------------------------------------- the extended model
@dataclass
class ExtendedModel:
    """The fitted model with every possible parameter free (lavaan's ``lav_object_extended``).

    ``pt``: the extended table (constraint rows dropped; each free row its own parameter, lavaan's
    ``free`` numbering); ``model``: its :class:`~iur_survey.sem.matrices.Model`; ``theta``: the
    parameter values (the estimates, 0 for the added rows); ``model_idx`` / ``extra_idx``: the
    parameters free in the fitted model / the others; ``constrained``: a basis (columns) of the fitted
    model's parameter space inside ``model_idx`` (its equality constraints); ``rows``: for each
    parameter, its row of ``pt``.
    """

    pt: ParTable
    model: Model
    theta: np.ndarray
    model_idx: np.ndarray
    extra_idx: np.ndarray
    constrained: np.ndarray
    rows: np.ndarray
    n_orig_rows: int


def lav_object_extended(res: SEMResult, add: list[tuple[str, str, str, int]] | None = None,
                        all_free: bool = True) -> ExtendedModel:
    """The extended model of a fit: ``add`` (default: :func:`lav_partable_full`) appended where absent,
    and with ``all_free`` the fitted model's fixed rows freed too (at their fixed values).

    >>> import numpy as np, pandas as pd
    >>> from iur_survey.sem import sem
    >>> rng = np.random.default_rng(1)
    >>> d = pd.DataFrame(rng.standard_normal((80, 1)) @ [[1, .8, .7, .6]] + rng.standard_normal((80, 4)) * .6,
    ...                  columns=list("abcd"))
    >>> ext = lav_object_extended(sem("F =~ a + b + c + d", d))
    >>> len(ext.model_idx), len(ext.extra_idx)
    (8, 7)
    """
    pt = res.partable
    keep = [i for i in range(len(pt)) if pt.op[i] not in _CON]
    have = {(pt.lhs[i], pt.op[i], pt.rhs[i], pt.block[i]) for i in keep}
    have |= {(pt.rhs[i], "~~", pt.lhs[i], pt.block[i]) for i in keep if pt.op[i] == "~~"}
    add = lav_partable_full(pt) if add is None else list(add)
    new = []
    for key in add:
        rev = (key[2], "~~", key[0], key[3])
        if key in have or (key[1] == "~~" and rev in have):
            continue
        have.add(key)
        new.append(key)
    est = np.asarray(res.est, float)
    lhs = [pt.lhs[i] for i in keep] + [k[0] for k in new]
    op = [pt.op[i] for i in keep] + [k[1] for k in new]
    rhs = [pt.rhs[i] for i in keep] + [k[2] for k in new]
    block = [pt.block[i] for i in keep] + [k[3] for k in new]
    orig_free = [pt.free[i] > 0 for i in keep] + [False] * len(new)
    free_flag = [True if all_free else f for f in orig_free[:len(keep)]] + [True] * len(new)
    n = len(lhs)
    free, par_index, k = [], [], 0
    for i in range(n):
        if free_flag[i]:
            k += 1
            free.append(k)
            par_index.append(k - 1)
        else:
            free.append(0)
            par_index.append(-1)
    ustart = [pt.ustart[i] for i in keep] + [math.nan] * len(new)
    ext = replace(pt, id=list(range(1, n + 1)), lhs=lhs, op=op, rhs=rhs,
                  user=[pt.user[i] if orig_free[j] else 10 for j, i in enumerate(keep)] + [10] * len(new),
                  block=block, group=list(block), free=free, ustart=ustart,
                  exo=[pt.exo[i] for i in keep] + [0] * len(new),
                  label=[pt.label[i] for i in keep] + [""] * len(new),
                  plabel=[pt.plabel[i] for i in keep] + [""] * len(new), start=[],
                  par_index=np.asarray(par_index, int), constraints=[], equality=[])
    model = Model(ext)
    sampstat = res.meta.get("sampstat")
    if sampstat:
        model.set_sample_stats([c for c, _ in sampstat], [m for _, m in sampstat])
    vals = np.concatenate([est[keep], np.zeros(len(new))])
    theta = np.zeros(k)
    rows = np.full(k, -1, int)
    for i in range(n):
        if par_index[i] >= 0:
            theta[par_index[i]] = vals[i]
            rows[par_index[i]] = i
    is_model = np.array([orig_free[rows[j]] for j in range(k)], bool)
    model_idx = np.flatnonzero(is_model)
    extra_idx = np.flatnonzero(~is_model)
    # the fitted model's parameters -> its free rows (shared labels: one parameter, several rows)
    T = np.zeros((len(model_idx), pt.npar))
    pos = {int(j): a for a, j in enumerate(model_idx)}
    for j_keep, i in enumerate(keep):
        if pt.free[i] > 0:
            T[pos[par_index[j_keep]], int(pt.par_index[i])] = 1.0
    rp = LinearConstraints(pt, est)
    return ExtendedModel(ext, model, theta, model_idx, extra_idx, T @ rp.K, rows, len(keep))


# ----------------------------------------------------------------------------- information and score
def information_and_score(res: SEMResult, ext: ExtendedModel, data: pd.DataFrame | None = None
                          ) -> tuple[np.ndarray, np.ndarray]:
    """The unit expected information of the extended model and the gradient of ``logl / N`` at its
    values (lavaan's ``lavTech(FIT, "information.expected")`` and the score of ``modindices()``)."""
    if res.estimator not in ("ML", "MLR"):
        raise EstimationError(None, f"modification indices need estimator ML or MLR (this fit: {res.estimator})")
    model, theta = ext.model, ext.theta
    if is_fiml(res.missing):
        from .fiml import SampleStats, fiml_gradient
        from .fiml import information_expected as fiml_info_expected
        Xg = fitted_data(res, data)
        stats = [SampleStats(X) for X in Xg]
        N = float(sum(s.n for s in stats))
        info = np.zeros((model.npar, model.npar))
        score = np.zeros(model.npar)
        for g, s in enumerate(stats):
            Sigma, mu = model.implied(theta, g)
            D = model.delta(theta, g, meanstructure=True)
            A1 = _zero_x(fiml_info_expected(s, Sigma, mu, meanstructure=True), _x_index(res.partable, g),
                         Sigma.shape[0], True)
            info += (s.n / N) * (D.T @ A1 @ D)
            score += model.delta_t_dot(theta, g, fiml_gradient(s, Sigma, mu), meanstructure=True) / N
        return info, score
    sampstat = res.meta.get("sampstat")
    if not sampstat:
        raise EstimationError(None, "the fit holds no sample statistics (refit with iur_survey.sem.sem)")
    covs = [np.asarray(c, float) for c, _ in sampstat]
    means = [np.asarray(m, float) for _, m in sampstat]
    stats = CompleteStats(list(res.nobs), covs, means, [float(np.linalg.slogdet(c)[1]) for c in covs])
    grad = ml_gradient(model, theta, stats)
    w = stats.weights
    info = np.zeros((model.npar, model.npar))
    for g in range(model.ngroups):
        Sigma, _ = model.implied(theta, g)
        A1 = _zero_x(information_expected(None, Sigma, meanstructure=model.meanstructure),
                     _x_index(res.partable, g), Sigma.shape[0], model.meanstructure)
        D = model.delta(theta, g)
        info += w[g] * (D.T @ A1 @ D)
    return info, -grad


def _dwls_information_and_score(res: SEMResult, ext: ExtendedModel
                                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """lavaan's information and score of the extended model of a one-group fit of ordered items (WLSMV, DWLS):
    parameters = the extended model's, then the thresholds; ``Delta`` of the WLS statistics
    ``[thresholds; polychorics]`` (the off-diagonal rows of ``d vech(Sigma*) / d theta``: the residual
    variances of the items, fixed by the delta parameterization, have no column there), ``I = Delta' W Delta``
    with the DWLS weights ``W`` and the score ``(N - 1)/N Delta' W (s - sigma)`` (lavaan's DWLS gradient carries
    the ``(N - 1)/N`` of its objective, the information does not).  Returns ``(I, score, model_idx,
    theta_std, K)``: ``model_idx`` the fitted model's parameters that move the statistics, thresholds included;
    ``theta_std`` the model's parameters with the items' residual variances (for the sepc columns); ``K`` a basis
    of the fitted model's parameter space inside ``model_idx`` (its shared labels and ``==``: without it the
    indices of a model with ``lam*x2 + lam*x3`` were those of the model without the equality)."""
    from .wlsmv import offdiag_vech_index

    wl = res.meta.get("wlsmv") if isinstance(res.meta, dict) else None
    if wl is None or res.meta.get("mixed") or res.partable.ngroups > 1 or res.partable.equality:
        grp = res.meta.get("wlsmv_groups") if isinstance(res.meta, dict) else None
        why = ("this fit has several groups" if res.partable.ngroups > 1 else
               "this fit uses the theta parameterization" if grp is not None else
               "this fit mixes ordered and continuous items" if res.meta.get("mixed") else
               "this fit has == constraints" if res.partable.equality else "this fit keeps no WLSMV record")
        raise EstimationError(None, "modification indices with ordered items are covered for one group of "
                                    f"ordered items in the delta parameterization without == constraints only ({why}; "
                                    "lavaan 0.6.14 computes them)")
    st = wl.stats
    p, nth = st.p, st.nth
    k = ext.model.npar
    D = np.zeros((nth + p * (p - 1) // 2, k + nth))
    D[:nth, k:] = np.eye(nth)
    D[nth:, :k] = ext.model.delta(ext.theta, 0, meanstructure=False)[offdiag_vech_index(p)]
    W = np.asarray(st.wls_vd, float)
    n = float(res.n)
    score = (n - 1) / n * (D.T @ (W * (np.asarray(st.wls_obs, float) - np.asarray(wl.wls_est, float))))
    info = D.T @ (W[:, None] * D)
    moves = ~np.all(D == 0, axis=0)
    model_idx = np.concatenate([ext.model_idx, k + np.arange(nth)])
    # the fitted model's equality constraints (shared labels, label == label): its basis, thresholds free
    K = np.zeros((len(model_idx), ext.constrained.shape[1] + nth))
    K[:len(ext.model_idx), :ext.constrained.shape[1]] = ext.constrained
    K[len(ext.model_idx):, ext.constrained.shape[1]:] = np.eye(nth)
    keep = moves[model_idx]
    K = K[keep]
    K = K[:, np.any(K != 0, axis=0)]
    return info, score, model_idx[keep], np.asarray(wl.full_std, float), K


def _x_index(pt: ParTable, g: int) -> np.ndarray:
    if not pt.fixed_x:
        return np.zeros(0, int)
    ov = pt.ov_names[g]
    return np.array([ov.index(v) for v in pt.ov_x_names[g]], int)


def _zero_x(A1: np.ndarray, xi: np.ndarray, p: int, meanstructure: bool) -> np.ndarray:
    """lavaan's fixed.x rule for the h1 information: the entries of the moments of the exogenous
    covariates among themselves (their means, variances and covariances) are zero."""
    if not len(xi):
        return A1
    r, c = vech_indices(p)
    xs = np.isin(r, xi) & np.isin(c, xi)
    idx = np.flatnonzero(xs) + (p if meanstructure else 0)
    if meanstructure:
        idx = np.concatenate([xi, idx])
    A1 = A1.copy()
    A1[idx, :] = 0.0
    A1[:, idx] = 0.0
    return A1


def _constrained_inverse(I22: np.ndarray, K: np.ndarray) -> np.ndarray:
    """lavaan's inverted information of the fitted model in its free-row space, equality constraints
    included (the top-left block of the bordered matrix's inverse): ``K (K' I K)^-1 K'``."""
    M = K.T @ I22 @ K
    try:
        Mi = np.linalg.inv(0.5 * (M + M.T))
    except np.linalg.LinAlgError:
        raise EstimationError(None, "could not compute modification indices; the information matrix is "
                                    "singular") from None
    return K @ Mi @ K.T


# ----------------------------------------------------------------------------- modindices
def _descending(mi: np.ndarray, rel: float = 1e-6) -> np.ndarray:
    """The order of ``mi`` from the largest down (missing last), indices equal within ``rel`` (relative) kept in table
    order.  Equivalent models give equal indices (a cross-loading and the residual covariance of the factor's other
    two indicators, with three indicators): they differ by the optimizer's tolerance (1.8e-9 relative under
    OPENBLAS_CORETYPE=Haswell), with a sign, and so a plain sort's order, that depends on the CPU's BLAS kernels.

    >>> _descending(np.array([1.0, 63.457169, np.nan, 63.457169 * (1 + 2e-16), 5.0])).tolist()   # not [3, 1, ...]
    [1, 3, 4, 0, 2]
    """
    key = np.where(np.isnan(mi), -np.inf, mi)
    order = np.argsort(-key, kind="stable")
    k = key[order]
    fin = np.isfinite(k)
    tie = np.zeros(len(k), bool)       # tie[i]: k[i] is within rel of k[i - 1]
    with np.errstate(invalid="ignore"):     # -inf - -inf (two missing indices) is nan: masked by fin, not said
        tie[1:] = fin[1:] & fin[:-1] & (k[:-1] - k[1:] <= rel * np.maximum(np.abs(k[:-1]), 1.0))
    group = np.cumsum(~tie)            # runs of ties share a group number, groups keep the descending order
    return order[np.lexsort((order, group))]


def modindices(res: SEMResult, data: pd.DataFrame | None = None, *, standardized: bool = True,
               sort: bool = True, minimum_value: float = 0.0, maximum_number: int | None = None,
               op: str | list[str] | None = None) -> pd.DataFrame:
    """lavaan's ``modindices(fit, sort. = TRUE)``: ``lhs op rhs [block group level] mi epc sepc.lv
    sepc.all sepc.nox``, one row per parameter the model could free (see the module docstring).

    ``data`` (the DataFrame given to :func:`~iur_survey.sem.sem`) is needed for FIML fits.
    ``minimum_value``, ``maximum_number``, ``op`` filter as lavaan's arguments of those names.
    Exploratory: see the module docstring before acting on an index.
    """
    ordinal = str(res.estimator).upper() in ("WLSMV", "DWLS")
    if res.estimator not in ("ML", "MLR") and not ordinal:
        raise EstimationError(None, f"modification indices need estimator ML, MLR, WLSMV or DWLS (this fit: "
                                    f"{res.estimator})")
    if not res.converged:
        res.warnings.append("modification indices of a model that did not converge")
    with blas_threads(1):
        ext = lav_object_extended(res)
        if ordinal:
            info, score, mi_, theta_std, K = _dwls_information_and_score(res, ext)
            I22_inv = _constrained_inverse(info[np.ix_(mi_, mi_)], K)      # equality constraints included
        else:
            info, score = information_and_score(res, ext, data)
            mi_, theta_std = ext.model_idx, res.theta
            I22_inv = _constrained_inverse(info[np.ix_(mi_, mi_)], ext.constrained)
    N = float(res.n)
    ei = ext.extra_idx
    I11 = info[np.ix_(ei, ei)]
    I12 = info[np.ix_(ei, mi_)]
    V = np.diag(I11) - np.einsum("ij,jk,ik->i", I12, I22_inv, I12)
    V = np.where(V < np.finfo(float).eps ** (1 / 3), np.nan, V)
    s = score[ei]
    mi = N * s * s / V
    d = N * s
    d = np.where(np.abs(d) < 1e-15, 1.0, d)
    epc = mi / d
    pt = ext.pt
    rows = ext.rows[ei]
    out = pd.DataFrame({"lhs": [pt.lhs[i] for i in rows], "op": [pt.op[i] for i in rows],
                        "rhs": [pt.rhs[i] for i in rows]})
    if pt.ngroups > 1:
        out["block"] = [pt.block[i] for i in rows]
        out["group"] = [pt.group[i] for i in rows]
        out["level"] = 1
    out["mi"] = mi
    out["epc"] = epc
    if standardized:
        EPC = np.full(len(pt), np.nan)
        EPC[rows] = epc
        est_rows = np.full(len(pt), np.nan)
        est_rows[: ext.n_orig_rows] = np.asarray(res.est, float)[[i for i in range(len(res.partable))
                                                                   if res.partable.op[i] not in _CON]]
        var = [i for i in range(len(pt)) if pt.op[i] == "~~" and pt.lhs[i] == pt.rhs[i] and pt.exo[i] == 0]
        free_rows = ext.rows[ext.model_idx]
        epc_all = EPC.copy()
        epc_all[free_rows] = est_rows[free_rows]        # (their epc is never shown)
        epc_all[var] = est_rows[var]                     # cov.std = TRUE
        small = [i for i in range(len(pt)) if pt.op[i] == "~~" and pt.lhs[i] == pt.rhs[i]
                 and not abs(epc_all[i]) >= math.sqrt(np.finfo(float).eps)]
        epc_all[small] = np.nan
        sign = np.sign(EPC)
        std = standardize(pt, res.model, theta_std, np.abs(epc_all))
        for name, col in (("std.lv", "sepc.lv"), ("std.all", "sepc.all"), ("std.nox", "sepc.nox")):
            v = sign * std[name]
            v[small] = 0.0
            out[col] = v[rows]
    if sort:
        out = out.iloc[_descending(out["mi"].to_numpy(float))]
    if minimum_value > 0:
        out = out[out["mi"].notna() & (out["mi"] > minimum_value)]
    if maximum_number is not None and maximum_number < len(out):
        out = out.iloc[:maximum_number]
    out = out[out["mi"].notna()]
    if op is not None:
        out = out[out["op"].isin([op] if isinstance(op, str) else list(op))]
    return out.reset_index(drop=True)


def modindices_records(table: pd.DataFrame) -> list[dict]:
    """The rows of :func:`modindices` as JSON-ready objects (lavaan's column names, NaN as None).

    >>> modindices_records(pd.DataFrame({"lhs": ["F"], "op": ["=~"], "rhs": ["x"], "mi": [float("nan")]}))
    [{'lhs': 'F', 'op': '=~', 'rhs': 'x', 'mi': None}]
    """
    recs = []
    for r in table.to_dict("records"):
        recs.append({k: (None if isinstance(v, float) and not math.isfinite(v) else
                         (int(v) if isinstance(v, (np.integer,)) else
                          float(v) if isinstance(v, (np.floating, float)) else v)) for k, v in r.items()})
    return recs
