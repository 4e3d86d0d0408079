"""Standardized solution of a WLSMV (DWLS) fit with ordered items and its delta-method inference, as lavaan
0.6.14's ``standardizedSolution(fit, type = ...)``.

lavaan standardizes the parameter table of a categorical fit with the same code as a continuous one
(``lav_standardize_lv`` / ``lav_standardize_all``), after ``lav_model_set_parameters`` has filled in what
the parameterization does not estimate, and its standard errors are ``sqrt(diag(JAC VCOV JAC'))`` with
``JAC`` the numerical Jacobian of that function of the free parameters (``x``: model parameters,
thresholds, free scales ``~*~`` or free residual variances) and ``VCOV`` the fit's ``vcov`` (robust.sem,
standard for DWLS, or the bootstrap covariance with ``se = "bootstrap"``).  Row by row of the estimates
table:

* the model rows are the engine's standardization (:func:`~iur_survey.sem.standardized.standardize_parts`)
  at the engine vector of ``x``.  In the **delta** parameterization the residual variance of an ordered
  item is not a parameter: it is ``1 / Delta^2 - diag(Lambda Psi Lambda')`` at ``x`` (lavaan's
  ``setResidualElements``), so its standardized value (``1 - R2`` in std.all) and every residual covariance
  of the item move with the loadings and have a standard error (se 0 in parameterEstimates);
* a threshold ``y | t`` is ``tau`` (std.lv) and ``tau / sd(y*)`` (std.all, std.nox), ``sd(y*)`` the
  model-implied SD of the latent response (``computeVY``: ``1 / Delta`` in the delta parameterization, the
  total SD in the theta parameterization); an intercept of a continuous item in a mixed model the same;
* a scale ``y ~*~ y`` is 1 in std.all / std.nox and its value in std.lv: the parameter where it is free
  (delta, groups after the first), 1 where fixed, and ``1 / sd(y*)`` at ``x`` in the theta
  parameterization (lavaan's ``setDeltaElements``: so it has a standard error there);
* a zero intercept (ordered item; latent mean of a one-group fit) stays 0, se 0;
* a ``:=`` row is its definition at the standardized parameters (as for continuous fits).

The Jacobian is :func:`~iur_survey.sem.standardized.central_jacobian` and the SE rules
:func:`~iur_survey.sem.standardized.delta_method_se`: the one implementation shared with ML / MLR fits.
(lavaan's complex step fails here too -- ``ETA2 < 0`` on complex values -- and it falls back to forward
differences, good to about 1e-8.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .standardized import STD_TYPES, central_jacobian, check_std_type, delta_method_se, standardize_parts, \
    variance_parameters

__all__ = ["OrdinalStdMap", "ordinal_std_map", "ordinal_standardize_batch", "ordinal_standardized_se"]

#: kinds of estimates-table rows
_PT, _TH, _SCALE, _CONST = 0, 1, 2, 3


@dataclass
class OrdinalStdMap:
    """How every row of a WLSMV fit's estimates table follows from its parameter vector ``theta``.

    ``kept``: the engine parameters held by ``theta[:kept.size]``; ``resvar``: per group the (engine
    parameter, variable position) of each residual variance the delta parameterization fills in;
    ``scale_col`` / ``scale_fixed``: per group and variable the column of ``theta`` of its free scale (-1:
    fixed at ``scale_fixed``); ``theta_param``: the theta parameterization; ``kind`` / ``ref`` / ``group`` /
    ``var``: per table row its kind (engine row ``ref``; threshold or continuous intercept at column ``ref``
    of ``theta``; scale; constant ``const``), its group (0-based) and variable position.
    """

    model: object
    kept: np.ndarray
    resvar: list[list[tuple[int, int]]]
    scale_col: list[np.ndarray]
    scale_fixed: list[np.ndarray]
    theta_param: bool
    kind: np.ndarray
    ref: np.ndarray
    group: np.ndarray
    var: np.ndarray
    const: np.ndarray
    npar: int

    def engine(self, Theta: np.ndarray) -> np.ndarray:
        """The engine parameter vectors (K x model.npar) of a stack of ``theta`` (K x npar), with the residual
        variances of the delta parameterization filled in (``1 / Delta^2 - diag(model part)``)."""
        model = self.model
        K = Theta.shape[0]
        full = np.zeros((K, model.npar))
        full[:, self.kept] = Theta[:, :self.kept.size]
        if any(self.resvar):
            base = full.copy()                      # the filled-in variances at 0: diag(Sigma) = the model part
            for g, items in enumerate(self.resvar):
                if not items:
                    continue
                diag = np.diagonal(model.layout(g).core(base)["Sigma"], axis1=1, axis2=2)
                scale = self.scales(Theta, g, None)
                for par, pos in items:
                    full[:, par] = 1.0 / scale[:, pos] ** 2 - diag[:, pos]
        return full

    def scales(self, Theta: np.ndarray, g: int, vy: np.ndarray | None) -> np.ndarray:
        """K x p scales ``Delta`` of group ``g`` (theta parameterization: ``1 / sqrt(vy)``)."""
        if self.theta_param:
            with np.errstate(divide="ignore", invalid="ignore"):
                return 1.0 / np.sqrt(np.where(vy > 0, vy, np.nan))
        col = self.scale_col[g]
        out = np.repeat(self.scale_fixed[g][None], Theta.shape[0], axis=0)
        free = col >= 0
        out[:, free] = Theta[:, col[free]]
        return out


def ordinal_std_map(res) -> OrdinalStdMap:
    """The :class:`OrdinalStdMap` of an :class:`~iur_survey.sem.ordinal_result.OrdinalSEMResult` (one group,
    ordered or mixed items, delta parameterization; or several groups / the theta parameterization).

    >>> import numpy as np, pandas as pd
    >>> from iur_survey.sem import sem
    >>> rng = np.random.default_rng(5)
    >>> y = rng.normal(size=(400, 1)) @ [[0.8, 0.7, 0.6]] + rng.normal(size=(400, 3)) * 0.6
    >>> fit = sem("F =~ a + b + c", pd.DataFrame(np.digitize(y, [-1, 0, 1]), columns=list("abc")), ordered=True)
    >>> m = ordinal_std_map(fit)
    >>> [int(k) for k in m.kind[:6]], m.resvar
    ([0, 0, 0, 1, 1, 1], [[(2, 0), (3, 1), (4, 2)]])
    """
    model, pt, table = res.model, res.partable, res.table
    groups = res.meta.get("wlsmv_groups")
    G = model.ngroups
    if groups is not None:
        kept = np.asarray(groups.kept, int)
        theta_param = res.meta.get("parameterization", "delta") == "theta"
        scale_col = [np.asarray(d, int) for d in groups.delta_par]
        scale_fixed = [np.where(np.asarray(d) >= 0, np.nan, 1.0) for d in groups.delta_par]
        col_of_row = np.asarray(groups.table_par, int)
        ordered = [set(model.groups[g].ov) for g in range(G)]
    else:
        from .wlsmv import dwls_table_columns

        wl = res.meta["wlsmv"]
        st = wl.stats
        kept = np.asarray(wl.kept, int)
        theta_param = False
        p = len(model.groups[0].ov)
        scale_col, scale_fixed = [np.full(p, -1)], [np.ones(p)]
        col_of_row = dwls_table_columns(pt, table, kept, st.th.index)
        is_ord = np.asarray(getattr(st, "ordered", np.ones(p, bool)), bool)
        ordered = [{v for v, o in zip(model.groups[0].ov, is_ord) if o}]
    in_kept = np.zeros(model.npar, bool)
    in_kept[kept] = True
    resvar: list[list[tuple[int, int]]] = [[] for _ in range(G)]
    if not theta_param:
        for i in range(len(pt)):
            k = int(pt.par_index[i])
            g = pt.group[i] - 1 if pt.ngroups > 1 else 0
            if (k >= 0 and not in_kept[k] and pt.op[i] == "~~" and pt.lhs[i] == pt.rhs[i]
                    and pt.lhs[i] in ordered[g]):
                resvar[g].append((k, list(model.groups[g].ov).index(pt.lhs[i])))
    # table rows -> engine rows (":=" on their name)
    row_of: dict[tuple, int] = {}
    for i in range(len(pt)):
        if pt.op[i] == ":=":
            row_of[(pt.lhs[i], ":=", "", 0)] = i
        elif pt.op[i] not in ("==", "<", ">"):
            row_of[(pt.lhs[i], pt.op[i], pt.rhs[i], pt.group[i] if pt.ngroups > 1 else 1)] = i
    n = len(table)
    kind = np.full(n, _CONST)
    ref = np.full(n, -1)
    grp = np.zeros(n, int)
    var = np.full(n, -1)
    const = table["est"].to_numpy(dtype=float).copy()
    tg = table["group"].to_numpy() if "group" in table.columns else np.ones(n, int)
    for r, (lhs, op, rhs) in enumerate(zip(table["lhs"], table["op"], table["rhs"])):
        g = max(int(tg[r]), 1) - 1
        grp[r] = g
        ov = list(model.groups[g].ov)
        key = (lhs, ":=", "", 0) if op == ":=" else (lhs, op, "" if rhs is None else rhs, g + 1)
        if key in row_of:
            kind[r], ref[r] = _PT, row_of[key]
        elif op == "|" or (op == "~1" and col_of_row[r] >= 0):
            kind[r], ref[r], var[r] = _TH, col_of_row[r], ov.index(lhs)
        elif op == "~*~":
            kind[r], var[r] = _SCALE, ov.index(lhs)
            if groups is not None:
                scale_fixed[g][var[r]] = const[r] if scale_col[g][var[r]] < 0 else np.nan
    return OrdinalStdMap(model=model, kept=kept, resvar=resvar, scale_col=scale_col, scale_fixed=scale_fixed,
                         theta_param=theta_param, kind=kind, ref=ref, group=grp, var=var, const=const,
                         npar=int(np.asarray(res.theta).size))


def ordinal_standardize_batch(m: OrdinalStdMap, Theta: np.ndarray) -> dict[str, np.ndarray]:
    """std.lv / std.all / std.nox of every table row (K x rows) at a stack of ``theta`` (K x npar); see the
    module docstring for the rules of each kind of row.

    >>> import numpy as np, pandas as pd
    >>> from iur_survey.sem import sem
    >>> rng = np.random.default_rng(5)
    >>> y = rng.normal(size=(400, 1)) @ [[0.8, 0.7, 0.6]] + rng.normal(size=(400, 3)) * 0.6
    >>> fit = sem("F =~ a + b + c", pd.DataFrame(np.digitize(y, [-1, 0, 1]), columns=list("abc")), ordered=True)
    >>> std = ordinal_standardize_batch(ordinal_std_map(fit), np.asarray(fit.theta)[None])
    >>> bool(np.allclose(std["std.all"][0], fit.table["std.all"]))
    True
    """
    Theta = np.atleast_2d(np.asarray(Theta, float))
    K = Theta.shape[0]
    model = m.model
    pt = model.partable
    full = m.engine(Theta)
    free = np.flatnonzero(np.asarray(pt.free) > 0)
    rows = np.tile(model.row_values(np.zeros(model.npar)), (K, 1))
    rows[:, free] = full[:, np.asarray(pt.par_index)[free]]
    std, vy = standardize_parts(pt, model, full, rows)
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = [np.sqrt(np.where(v >= np.finfo(float).eps, v, np.nan)) for v in vy]
        scale = [m.scales(Theta, g, vy[g]) for g in range(len(vy))]
        out = {}
        for t in STD_TYPES:
            o = np.repeat(m.const[None], K, axis=0)
            sel = m.kind == _PT
            o[:, sel] = std[t][:, m.ref[sel]]
            for r in np.flatnonzero(m.kind == _TH):
                v = Theta[:, m.ref[r]]
                o[:, r] = v if t == "std.lv" else v / sd[m.group[r]][:, m.var[r]]
            for r in np.flatnonzero(m.kind == _SCALE):
                o[:, r] = scale[m.group[r]][:, m.var[r]] if t == "std.lv" else 1.0
            out[t] = o
    return out


def ordinal_standardized_se(m: OrdinalStdMap, theta: np.ndarray, vcov: np.ndarray, type: str = "std.all"
                            ) -> np.ndarray:
    """Delta-method SE of every table row's standardized value (lavaan's ``standardizedSolution(fit, type =
    type)$se`` of a WLSMV fit): :func:`~iur_survey.sem.standardized.delta_method_se` of the
    :func:`~iur_survey.sem.standardized.central_jacobian` of :func:`ordinal_standardize_batch` and the fit's
    ``vcov`` (``theta`` order).

    >>> import numpy as np, pandas as pd
    >>> from iur_survey.sem import sem
    >>> rng = np.random.default_rng(5)
    >>> y = rng.normal(size=(400, 1)) @ [[0.8, 0.7, 0.6]] + rng.normal(size=(400, 3)) * 0.6
    >>> fit = sem("F =~ a + b + c", pd.DataFrame(np.digitize(y, [-1, 0, 1]), columns=list("abc")), ordered=True)
    >>> se = ordinal_standardized_se(ordinal_std_map(fit), fit.theta, fit.vcov_theta)
    >>> fit.table.assign(se=se.round(3))[["lhs", "op", "rhs", "std.all", "se"]].iloc[[0, 3, 12]].round(3)
       lhs  op rhs  std.all     se
    0    F  =~   a    0.767  0.039
    3    a   |  t1   -1.005  0.076
    12   a  ~~   a    0.411  0.060
    """
    check_std_type(type)
    theta = np.asarray(theta, float)
    V = np.asarray(vcov, float)
    n = m.kind.size
    if V.size == 0 or theta.size == 0:
        return np.full(n, np.nan)
    var_par = np.zeros(theta.size, bool)
    var_par[:m.kept.size] = variance_parameters(m.model.partable, m.model.npar)[m.kept]
    J = central_jacobian(lambda T: ordinal_standardize_batch(m, T)[type], theta, var_par)
    return delta_method_se(J, V)
