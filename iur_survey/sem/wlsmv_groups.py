"""Multi-group WLSMV for ordinal items (lavaan's ``sem(..., ordered = TRUE, group = "G")``).

The model of group ``g`` is the engine's continuous model (``Lambda``, ``Psi``,
``B``, intercepts ``nu`` and latent means ``alpha``; the mean structure is on)
plus, per ordinal item, its thresholds ``tau`` and a scale ``Delta``:

* implied thresholds ``tau*_jk = (tau_jk - mu_j) Delta_j`` with ``mu = nu + Lambda (I-B)^-1 alpha``;
* implied polychoric correlations ``r_ij = Delta_i Delta_j Sigma_ij`` (``i != j``).

In lavaan's **delta** parameterization (its default) ``Delta`` is a parameter
(``~*~``: 1 in the first group; free in the others when the thresholds are
equal across groups) and the residual variances of the items are not
parameters (they are ``1/Delta^2 - diag(Lambda Psi Lambda')``).  In the
**theta** parameterization the residual variances are parameters (1 in the
first group; free in the others when the thresholds are equal) and
``Delta_j = Sigma_jj^-1/2``.  With ``"thresholds"`` in ``group.equal`` the
latent means are free in the groups after the first (lavaan's rules).

Estimation, standard errors and tests are lavaan's for several groups:
``F = sum_g (n_g/N) 0.5 (n_g-1)/n_g sum w_g (s_g - sigma_g)^2`` (chisq ``2 N F``),
``E = sum_g f_g Delta_g' W_g Delta_g`` (``f_g = n_g/N``), robust.sem
``E^-1 (sum_g f_g Delta_g' W_g Gamma_g W_g Delta_g) E^-1 / (N - G)``, and the
scaled-shifted test with ``U = V - V Delta E^-1 Delta' V`` over the stacked
groups (``V = bdiag(f_g W_g)``, ``Gamma = bdiag(Gamma_g / f_g)``), as lavaan's
``lav_test_satorra_bentler_trace_original``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import linalg

from iur_survey.errors import EstimationError

from . import fitmeasures as _fm
from .matrices import Model
from .ordinal import OrdinalSampleStats, _codes, blas_threads, ordinal_sample_stats, pair_index
from .partable import _partial_key, build_partable, group_partial_freed, group_warnings
from .table import group_label
from .syntax import parse_model
from .defined import from_partable, theta_columns
from .standardized import r_squared, standardize
from .wlsmv import (WLSMV_FIT_NAMES, defined_se, dwls_constraints, dwls_gfi, dwls_other_measures,
                    dwls_start_values, dwls_theta_names, dwls_vcov, fit_dwls, fit_dwls_retry, offdiag_vech_index,
                    residual_summary, scaled_shifted_test, ystar_residual_variances)
from .results import z_critical, z_pvalue
from .ordinal_result import OrdinalSEMResult

__all__ = ["ordinal_partial", "GroupsSpec", "WLSMVGroupsFit", "wlsmv_groups_fit", "GROUPS_FIT_NAMES", "theta_boundary",
           "boundary_text", "boundary_warning", "singular_without", "BOUNDARY_SHARE", "ordinal_stats_cache"]

#: the fitMeasures() entries of several groups (or the theta parameterization): lavaan's WLSMV names, in its
#: order, as one group
GROUPS_FIT_NAMES = WLSMV_FIT_NAMES


@dataclass
class GroupsSpec:
    """What the engine's table does not hold: thresholds equal across groups, free scales."""

    th_equal: bool = False
    #: delta parameterization: ~*~ free in groups 2+ (True: every item; a mapping item -> bool: per item, as
    #: the Wu & Estabrook rules for binary items)
    delta_free: bool | dict = False
    parameterization: str = "delta"
    #: thresholds freed from ``th_equal`` (lavaan's group.partial, ``"x1|t2"``): estimated in every group
    th_free: frozenset = frozenset()

    def any_scale_free(self) -> bool:
        """Whether any item's scale is free in groups 2+."""
        return any(self.delta_free.values()) if isinstance(self.delta_free, dict) else bool(self.delta_free)


@dataclass
class WLSMVGroupsFit:
    """Outcome of :func:`wlsmv_groups_fit`; ``theta`` = engine parameters, thresholds, scales."""

    theta: np.ndarray
    vcov: np.ndarray
    se: np.ndarray
    fmin: float
    df: int
    test: dict
    baseline: dict
    fit_measures: pd.Series
    converged: bool
    iterations: int
    table: pd.DataFrame
    npar_model: int
    th_par: list[np.ndarray]
    delta_par: list[np.ndarray]
    scales: list[np.ndarray]
    resvar: list[np.ndarray]
    r2: pd.Series | None = None
    warnings: list[str] = field(default_factory=list)
    kept: np.ndarray | None = None
    delta: np.ndarray | None = None         # stacked Jacobian of the statistics at the estimates (in z with '==')
    e_inv: np.ndarray | None = None         # inverse of E = sum_g f_g Delta_g' W_g Delta_g (in z with '==')
    chisq: float = float("nan")
    #: each group's part of ``chisq`` (lavaan's ``fit@test[[1]]$stat.group``)
    chisq_group: list | None = None
    stats: list | None = None
    table_par: np.ndarray | None = None     # per table row: its column of theta (-1: not estimated)
    full_std: np.ndarray | None = None      # the model parameters, residual variances of the items filled in
    #: theta parameterization: the (group label or None in one group, item) whose residual variance ran to 0
    #: (:func:`theta_boundary`)
    boundary: list = field(default_factory=list)
    #: the information matrix is singular in the boundary items' parameters only (not a sign of non-identification)
    boundary_only: bool = False
    #: per group the implied thresholds, correlation matrix and means of y* (lavaan's ``fitted()`` th / cov / mean)
    implied: list | None = None


def _blocks(model: Model, stats: list[OrdinalSampleStats], spec: GroupsSpec, nk: int):
    """Parameter positions of the thresholds and the scales, per group."""
    G = model.ngroups
    k = nk
    th_par: list[np.ndarray] = []
    names0 = list(stats[0].th.index)
    freed = np.array([nm in spec.th_free for nm in names0], dtype=bool) if spec.th_equal else None
    for g in range(G):
        if spec.th_equal:
            if list(stats[g].th.index) != names0:
                raise EstimationError(None, "thresholds equal across groups need the same categories of every "
                                            f"item in every group (group {g + 1} differs)")
            if g == 0:                  # the shared thresholds, then group 1's freed ones (group.partial)
                th_par.append(np.arange(k, k + len(names0)))
                k += len(names0)
            else:                       # the shared positions of group 1; a freed threshold its own
                q = th_par[0].copy()
                q[freed] = np.arange(k, k + int(freed.sum()))
                k += int(freed.sum())
                th_par.append(q)
        else:
            th_par.append(np.arange(k, k + stats[g].nth))
            k += stats[g].nth
    delta_par: list[np.ndarray] = []
    for g in range(G):
        p = stats[g].p
        if spec.parameterization == "delta" and spec.any_scale_free() and g > 0:
            free = (np.array([bool(spec.delta_free.get(v, False)) for v in stats[g].names])
                    if isinstance(spec.delta_free, dict) else np.ones(p, bool))
            dp = np.full(p, -1)
            dp[free] = np.arange(k, k + int(free.sum()))
            delta_par.append(dp)
            k += int(free.sum())
        else:
            delta_par.append(np.full(p, -1))
    return th_par, delta_par, k


def _group_moments(model: Model, st: OrdinalSampleStats, g: int, t: np.ndarray, thp: np.ndarray,
                   dlp: np.ndarray, theta_param: bool, jac: bool, kept: np.ndarray):
    """Implied ``[thresholds; correlations]`` of group g, and optionally their Jacobian.

    ``t``: the estimated parameters (``kept`` engine parameters, thresholds, scales); the engine's
    other parameters (the items' residual variances in the delta parameterization) are 0.
    """
    nk = kept.size
    full = np.zeros(model.npar)
    full[kept] = t[:nk]
    c = model._core(full, g)
    Sigma, mu = c["Sigma"], c["mu"]
    p = st.p
    if theta_param:
        dd = np.diag(Sigma)
        if np.any(dd <= 0):
            raise EstimationError(None, "non-positive implied variance of y*")
        D = 1.0 / np.sqrt(dd)
    else:
        D = np.where(dlp >= 0, t[np.clip(dlp, 0, None)], 1.0)
    item = st.th_item
    tau = t[thp]
    th = (tau - mu[item]) * D[item]
    ii, jj = pair_index(p)
    r = D[ii] * D[jj] * Sigma[ii, jj]
    m = np.concatenate([th, r])
    if not jac:
        return m, None, (Sigma, mu, D)
    npar = t.size
    J = np.zeros((m.size, npar))
    Dm = model.delta(full, g, meanstructure=True)[:, kept]        # rows: mu (p), vech(Sigma)
    Dmu = Dm[:p]
    Dsig = Dm[p:]
    nth = th.size
    # thresholds
    J[:nth, :nk] = -D[item][:, None] * Dmu[item]
    np.add.at(J, (np.arange(nth), thp), D[item])
    # correlations
    off = offdiag_vech_index(p)
    J[nth:, :nk] = (D[ii] * D[jj])[:, None] * Dsig[off]
    if theta_param:
        diag_rows = np.cumsum(np.r_[0, np.arange(p, 1, -1)])      # positions of (j, j) in lavaan's vech
        dD = -0.5 * (D ** 3)[:, None] * Dsig[diag_rows]            # p x npar_model
        J[:nth, :nk] += (tau - mu[item])[:, None] * dD[item]
        J[nth:, :nk] += Sigma[ii, jj][:, None] * (D[jj][:, None] * dD[ii] + D[ii][:, None] * dD[jj])
    else:
        free = dlp >= 0
        if free.any():
            rows = np.flatnonzero(free[item])
            J[rows, dlp[item[rows]]] += (tau - mu[item])[rows]
            q = np.arange(ii.size)
            sab = Sigma[ii, jj]
            fa, fb = dlp[ii] >= 0, dlp[jj] >= 0
            np.add.at(J, (nth + q[fa], dlp[ii[fa]]), (D[jj] * sab)[fa])
            np.add.at(J, (nth + q[fb], dlp[jj[fb]]), (D[ii] * sab)[fb])
    return m, J, (Sigma, mu, D)


def wlsmv_groups_fit(model: Model, stats: list[OrdinalSampleStats], spec: GroupsSpec,
                     ordinal: list[str]) -> WLSMVGroupsFit:
    """WLSMV of a multi-group engine :class:`Model` for ordinal items (see the module docstring).

    ``model``: built from a table with the mean structure on, the items'
    intercepts fixed (lavaan: 0), their residual variances fixed at 0 (delta
    parameterization) or as lavaan's theta rules; ``stats``: per group, the
    items' statistics in the model's variable order.

    >>> import numpy as np, pandas as pd
    >>> from iur_survey.sem.partable import build_partable
    >>> from iur_survey.sem.ordinal import ordinal_sample_stats
    >>> rng = np.random.default_rng(3)
    >>> def grp(n):
    ...     f = rng.normal(size=(n, 1))
    ...     y = f @ [[.8, .7, .6]] + rng.normal(size=(n, 3)) * .6
    ...     return pd.DataFrame(np.digitize(y, [-1, 0, 1]), columns=["a", "b", "c"])
    >>> d1, d2 = grp(300), grp(200)
    >>> pt = build_partable("F =~ a + b + c", ngroups=2, meanstructure=True, int_ov_free=False)
    >>> st = [ordinal_sample_stats(d) for d in (d1, d2)]
    >>> res = wlsmv_groups_fit(Model(pt), st, GroupsSpec(), ["a", "b", "c"])
    >>> res.df, res.converged
    (0, True)
    """
    with blas_threads():
        return _fit(model, stats, spec, ordinal)


def dwls_problem(model: Model, stats: list[OrdinalSampleStats], spec: GroupsSpec, ordinal: list[str]):
    """The DWLS problem of a multi-group fit: ``(moments(t), jacobian(t), obs, weights, layout)`` with
    ``layout = (kept, th_par, delta_par, npar)`` (also used to refit bootstrap draws).

    >>> from iur_survey.sem.ordinal import ordinal_sample_stats
    >>> rng = np.random.default_rng(1)
    >>> d = pd.DataFrame(np.digitize(rng.normal(size=(200, 3)) + rng.normal(size=(200, 1)), [-1, 1]),
    ...                  columns=["a", "b", "c"])
    >>> model = Model(build_partable("F =~ a + b + c", meanstructure=True, int_ov_free=False))
    >>> mom, jac, obs, w, (kept, th_par, delta_par, npar) = dwls_problem(
    ...     model, [ordinal_sample_stats(d)], GroupsSpec(), ["a", "b", "c"])
    >>> obs.size, npar, jac(np.ones(npar)).shape
    (9, 9, (9, 9))
    """
    G = model.ngroups
    theta_param = spec.parameterization == "theta"
    pt = model.partable
    ords = set(ordinal)
    drop = np.zeros(model.npar, dtype=bool)
    if not theta_param:
        for i in range(len(pt)):
            kk = int(pt.par_index[i])
            if kk >= 0 and pt.op[i] == "~~" and pt.lhs[i] == pt.rhs[i] and pt.lhs[i] in ords:
                drop[kk] = True
    kept = np.flatnonzero(~drop)
    th_par, delta_par, npar = _blocks(model, stats, spec, kept.size)
    N = float(sum(s.n for s in stats))
    obs = np.concatenate([s.wls_obs for s in stats])
    w_fit = np.concatenate([(s.n - 1) / N * s.wls_vd for s in stats])

    cache: dict = {}

    def both(t):
        # statistics and Jacobian together, remembered for the last point (the optimiser asks for the
        # Jacobian where it last evaluated the statistics)
        key = t.tobytes()
        if cache.get("key") != key:
            parts = [_group_moments(model, stats[g], g, t, th_par[g], delta_par[g], theta_param, True, kept)
                     for g in range(G)]
            cache.update(key=key, m=np.concatenate([p_[0] for p_ in parts]), J=np.vstack([p_[1] for p_ in parts]))
        return cache["m"], cache["J"]

    def moments(t):
        return both(t)[0]

    def jac(t):
        return both(t)[1]
    return moments, jac, obs, w_fit, (kept, th_par, delta_par, npar)


def _fit(model: Model, stats: list[OrdinalSampleStats], spec: GroupsSpec, ordinal: list[str]):
    G = model.ngroups
    theta_param = spec.parameterization == "theta"
    moments, jac, obs, w_fit, (kept, th_par, delta_par, npar) = dwls_problem(model, stats, spec, ordinal)
    nk = kept.size
    ng = np.array([s.n for s in stats], dtype=float)
    N = float(ng.sum())
    fg = ng / N

    def gm(t, g, j):
        return _group_moments(model, stats[g], g, t, th_par[g], delta_par[g], theta_param, j, kept)

    # start values: lavaan's default from the polychoric matrices (FABIN3 loadings, scaled by a factor's fixed
    # variance under std.lv), thresholds averaged, scales 1; the marker start (loadings as ratios to the first one)
    # is the fallback of a fit that does not converge.  With std.lv (every Wu & Estabrook step) marker ratios to a
    # weak first item (loadings of 3-4 at a fixed variance 1) sent theta fits off along the loading -> infinity
    # ridge, whose vanishing gradient passed for convergence (psych::bfi A1-A5 by education, audit s22)
    def start(kind):
        t0 = np.zeros(npar)
        t0[:nk] = dwls_start_values(model, [s.cor.to_numpy() for s in stats], ordinal, kind)[kept]
        for g in range(G):
            th0 = stats[g].th.to_numpy()
            if spec.th_equal:           # shared: the groups' mean; freed (group.partial): the group's own
                th0 = np.where([nm in spec.th_free for nm in stats[g].th.index], th0,
                               np.mean([s.th.to_numpy() for s in stats], axis=0))
            t0[th_par[g]] = th0
            t0[delta_par[g][delta_par[g] >= 0]] = 1.0
        return t0
    t0 = start("lavaan")
    n_eq = 0
    if model.partable.equality:            # linear '==': the fit runs on z, theta = c0 + B z (lavaan's K)
        full0 = np.zeros(model.npar)
        full0[kept] = t0[:nk]
        keep_mask = np.ones(model.npar, dtype=bool)
        keep_mask[kept] = False
        (c0, B, A), n_eq = dwls_constraints(model, keep_mask, full0, npar - nk)

        def run(x0, **kw):
            return fit_dwls(lambda z: moments(c0 + B @ z), lambda z: jac(c0 + B @ z) @ B, B.T @ (x0 - c0), obs,
                            w_fit, 10 ** 12, **kw)

        def to_t(z):
            return c0 + B @ z
    else:
        B = A = None

        def run(x0, **kw):
            return fit_dwls(moments, jac, x0, obs, w_fit, 10 ** 12, **kw)

        def to_t(z):
            return z
    fit = fit_dwls_retry(run, [lambda: t0, lambda: start("marker")])
    if fit.converged and _improper(model, kept, to_t(fit.theta)):
        fit, note = _explore_improper(fit, run, to_t, model, kept, t0)
    else:
        note = None
    t = fit.theta if B is None else c0 + B @ fit.theta
    warnings: list[str] = [w for s in stats for w in s.warnings]
    if not fit.converged:
        warnings.append("the optimizer did not converge" + (f" ({fit.message})" if fit.message else ""))
    if note:
        warnings.append(note)
    parts = [gm(t, g, True) for g in range(G)]
    D_theta = np.vstack([p_[1] for p_ in parts])
    D_all = D_theta if B is None else D_theta @ B            # in the fit's own parameters
    est_all = np.concatenate([p_[0] for p_ in parts])
    V_all = np.concatenate([fg[g] * stats[g].wls_vd for g in range(G)])
    Gam_all = linalg.block_diag(*[stats[g].gamma / fg[g] for g in range(G)])
    Einv, vcov, se, _, vw = dwls_vcov(D_all, V_all, Gam_all, int(N) - G + 1,
                                      _theta_names(model, stats, kept, th_par, delta_par, npar),
                                      B=B, delta_theta=D_theta, con_jac=A, n_eq=n_eq)
    warnings += vw
    d = obs - est_all
    off = np.cumsum([0] + [s.wls_obs.size for s in stats])
    # each group's part of the test (lavaan's fit@test[[1]]$stat.group); the test is their sum
    X2_group = [float((stats[g].n - 1) * np.sum(stats[g].wls_vd * d[off[g]:off[g + 1]] ** 2)) for g in range(G)]
    X2 = float(sum(X2_group))
    fmin = X2 / (2 * N)
    df = int(obs.size - npar + n_eq)
    test = scaled_shifted_test(X2, df, D_all, V_all, Gam_all, e_inv=Einv)
    if not np.all(np.isfinite(Einv)):         # lavaan: no robust test without E^-1
        test.update(stat=np.nan, pvalue=np.nan, scaling_factor=np.nan, shift_parameter=np.nan)
    base = _baseline(stats, fg)
    fm = _fit_measures(stats, parts, fg, N, npar - n_eq, fmin, X2, df, test, base, D_all, Einv, V_all,
                       robust=not (spec.th_equal or spec.any_scale_free()))   # theta: the same model and test as delta
    scales = [p_[2][2] for p_ in parts]
    full = np.zeros(model.npar)
    full[kept] = t[:nk]
    resvar = []
    for g in range(G):
        resvar.append(ystar_residual_variances(model, full, g, scales[g]) if not theta_param else np.diag(
            model.matrices(full, g)["theta"]).copy())
    pos = theta_boundary(stats, resvar, scales) if theta_param else []
    labels = model.partable.group_labels or [str(g + 1) for g in range(G)]
    boundary = [(labels[g] if G > 1 else None, stats[g].names[j]) for g, j in pos]
    singular = not np.all(np.isfinite(Einv))
    elsewhere = bool(pos) and singular and singular_without(
        D_theta, V_all, A, _boundary_columns(model, stats, kept, th_par, pos))
    if boundary:
        warnings.append(boundary_warning(boundary_text(boundary), singular, elsewhere))
    res = WLSMVGroupsFit(theta=t, vcov=vcov, se=se, fmin=fmin, df=df, test=test, baseline=base,
                            fit_measures=fm, converged=fit.converged, iterations=fit.iterations,
                            table=pd.DataFrame(), npar_model=model.npar, th_par=th_par, delta_par=delta_par,
                            scales=scales, resvar=resvar, warnings=warnings, kept=kept, delta=D_all,
                            e_inv=Einv, chisq=X2, chisq_group=X2_group, stats=stats, boundary=boundary,
                            boundary_only=bool(boundary) and singular and not elsewhere,
                            implied=[_implied(stats[g], *p_) for g, p_ in enumerate(parts)])
    res.table, res.r2 = _table(model, stats, res, ordinal, theta_param)
    return res


#: scoring iterations of each extra path of :func:`_explore_improper` (lavaan's minimum of seed 1075 took 1,876
#: iterations in all, 8 s: ML's runaway rule would stop that path at 50)
_EXPLORE_ITER = 300


def _free_lv_variances(model: Model, kept: np.ndarray) -> np.ndarray:
    """Positions in the fit's parameters of the free latent variances (those std.lv or a marker leave free, e.g.
    in the later groups of a fit with equal loadings)."""
    pt = model.partable
    pos = {int(k): i for i, k in enumerate(kept)}
    lvs = {v for names in pt.lv_names for v in names}
    out = sorted({pos[int(pt.par_index[i])] for i in range(len(pt))
                  if pt.op[i] == "~~" and pt.lhs[i] == pt.rhs[i] and pt.lhs[i] in lvs
                  and int(pt.par_index[i]) >= 0 and int(pt.par_index[i]) in pos})
    return np.array(out, dtype=int)


def _improper(model: Model, kept: np.ndarray, t: np.ndarray) -> bool:
    """A latent covariance matrix of some group with a negative eigenvalue (a negative factor variance)."""
    full = np.zeros(model.npar)
    full[kept] = t[:kept.size]
    for g in range(model.ngroups):
        psi = model.matrices(full, g).get("psi")
        if psi is not None and psi.size and np.linalg.eigvalsh(psi).min() < 0:
            return True
    return False


def _explore_improper(fit, run, to_t, model: Model, kept: np.ndarray, t0: np.ndarray):
    """A converged fit with a negative factor variance may be a local minimum where lavaan's nlminb path reaches
    a better, often proper, one (differential check s31, seed 1075: two groups, equal loadings and thresholds,
    std.lv; from lavaan's start (latent variances 0.05) chi-square 67.14 with var(F1) = -5.83 in group 2 and a
    negative scale, lavaan's 59.77 with var(F1) = 1.85).  As for ML (:func:`~iur_survey.sem.api._fallbacks`),
    other starts are then run -- lavaan's with one free latent variance at 1 (the value std.lv or a marker gives
    the first group), for each in turn, then all of them, until one reaches a proper minimum no higher than the
    first path's -- and the lowest converged minimum is kept, proper first; a warning says when it is not the
    first path's.

    Returns ``(fit, note)``."""
    lv = _free_lv_variances(model, kept)
    cands = []
    for k in lv:                          # each free latent variance at 1, then all of them
        x = t0.copy()
        x[k] = 1.0
        cands.append(x)
    if lv.size > 1:
        x = t0.copy()
        x[lv] = 1.0
        cands.append(x)
    best = fit
    best_bad = True
    for x in cands:
        # no quasi-Newton budget (runaway None): a path that explores a converged improper solution may creep
        # for thousands of iterations to the lower minimum (as ML's RUNAWAY_EXPLORE paths)
        alt = run(x, max_iter=_EXPLORE_ITER, runaway=None)
        if not alt.converged:
            continue
        bad = _improper(model, kept, to_t(alt.theta))
        if (best_bad and not bad and alt.fmin < fit.fmin * (1 + 1e-6) + 1e-12) or \
                (bad == best_bad and alt.fmin < best.fmin - 1e-9 * max(1.0, abs(best.fmin))):
            best, best_bad = alt, bad
        if not best_bad:                 # a proper minimum no higher than the first path's: done
            break
    if best is fit:
        return fit, None
    return best, ("the fit from lavaan's start values stopped at a negative latent variance (DWLS minimum "
                  f"{fit.fmin:.6g}); from lavaan's start with a free latent variance at 1 it reached a lower "
                  f"minimum ({best.fmin:.6g}), kept here: lavaan 0.6.14's nlminb path may report either")


def _implied(st: OrdinalSampleStats, m: np.ndarray, _jac, core) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A group's implied thresholds, correlation matrix ``D Sigma D`` (diagonal 1) and means of y* (``mu``,
    unscaled: lavaan's implied ``mean`` with ordered items)."""
    Sigma, mu, D = core
    R = D[:, None] * Sigma * D[None, :]
    np.fill_diagonal(R, 1.0)
    return m[:st.nth].copy(), R, np.asarray(mu, float).copy()


#: the share of an item's y* variance left to its residual below which a theta solution is on the boundary: the
#: delta solution's residual variance (that share) is 0 or negative, which theta reaches only as loadings -> inf
BOUNDARY_SHARE = 1e-6


def theta_boundary(stats: list[OrdinalSampleStats], resvar: list[np.ndarray],
                   scales: list[np.ndarray]) -> list[tuple[int, int]]:
    """The (group, item) positions of a theta-parameterization solution whose residual variance is a
    vanishing share (below :data:`BOUNDARY_SHARE`) of the item's y* variance, ``theta_jj Delta_j^2``: the
    delta parameterization's residual variance of the item.  A Heywood case of the delta solution (a
    residual variance at or below 0) is reached by a positive residual variance only as the item's loadings
    grow without bound: the fit runs off along that ridge and its information matrix is singular where it
    stops.

    >>> from types import SimpleNamespace
    >>> st = [SimpleNamespace(names=["x1", "x2"])] * 2
    >>> theta_boundary(st, [np.ones(2), np.ones(2)], [np.array([1e-5, .8]), np.array([.9, .7])])
    [(0, 0)]
    """
    out = []
    for g in range(len(stats)):
        share = np.asarray(resvar[g], float) * np.asarray(scales[g], float) ** 2
        out += [(g, int(j)) for j in np.flatnonzero((share >= 0) & (share < BOUNDARY_SHARE))]
    return out


def _boundary_columns(model: Model, stats, kept, th_par, boundary) -> list[int]:
    """The columns of ``theta`` of the boundary items' parameters: loadings, residual variances, thresholds."""
    pt = model.partable
    col = {int(k): c for c, k in enumerate(kept)}
    drop: set[int] = set()
    for g, j in boundary:
        item = stats[g].names[j]
        for i in range(len(pt)):
            k = int(pt.par_index[i])
            if pt.group[i] == g + 1 and k in col and (
                    (pt.op[i] == "=~" and pt.rhs[i] == item) or (pt.op[i] == "~~" and pt.lhs[i] == pt.rhs[i] == item)):
                drop.add(col[k])
        drop.update(int(c) for c in th_par[g][np.asarray(stats[g].th_item) == j])
    return sorted(drop)


def singular_without(D: np.ndarray, V: np.ndarray, A: np.ndarray | None, drop: list[int]) -> bool:
    """Whether the DWLS information ``D' diag(V) D`` (with the linear constraints ``A theta = 0``) stays
    singular once the columns ``drop`` are left out: a null direction of the information outside them (the
    smallest singular value of ``[sqrt(V) D; A]`` below ``sqrt(eps)`` of the largest, R's ``solve()``
    rule on the information).

    >>> D = np.array([[1e-12, 1.0, 2.0], [0.0, 1.0, 2.0], [1e-12, 0.5, 1.0]])
    >>> singular_without(D, np.ones(3), None, [0]), singular_without(D[:, :2], np.ones(3), None, [0])
    (True, False)
    """
    rest = np.array([c for c in range(D.shape[1]) if c not in set(drop)], dtype=int)
    M = np.sqrt(np.asarray(V, float))[:, None] * D[:, rest]
    if A is not None:
        M = np.vstack([M / max(np.abs(M).max(), 1e-300), np.asarray(A, float)[:, rest]])
    sv = np.linalg.svd(M, compute_uv=False)
    return bool(sv.size and sv.min() <= np.sqrt(np.finfo(float).eps) * sv.max())


def boundary_text(boundary: list[tuple[str, str]]) -> str:
    """``x1 (group a), x9 (group b)``: the (group label, item) pairs of :attr:`WLSMVGroupsFit.boundary` (the
    label None in a one-group fit).

    >>> boundary_text([("a", "x1"), ("b", "x9")]), boundary_text([(None, "x1")])
    ('x1 (group a), x9 (group b)', 'x1')
    """
    return ", ".join(v if lab is None else f"{v} (group {lab})" for lab, v in boundary)


def boundary_warning(where: str, singular: bool, elsewhere: bool) -> str:
    """The warning of a theta solution on the boundary of a Heywood case (:func:`theta_boundary`); ``where``
    names the items and groups, ``singular``: the information matrix cannot be inverted, ``elsewhere``: not
    because of the boundary items alone.

    >>> w = boundary_warning("x1 (group 1)", True, False)
    >>> w[:60], "in those items' parameters only" in w, "not identified" in w
    ('a Heywood case: the residual variance of x1 (group 1) runs t', True, False)
    """
    msg = (f"a Heywood case: the residual variance of {where} runs to 0 against its y* variance in the theta "
           "parameterization (which reaches a delta solution's residual variance at or below 0 only as the "
           "loadings grow without bound); the estimates are a point on that ridge")
    if singular and elsewhere:
        return msg + (", where the information matrix cannot be inverted, also without those items' parameters: "
                      "the model may also not be identified; parameterization='delta' shows the Heywood case")
    if singular:
        msg += ", where the information matrix cannot be inverted in those items' parameters only"
    return msg + ": parameterization='delta' shows the Heywood case"


def _theta_names(model: Model, stats, kept, th_par, delta_par, npar: int) -> list[str]:
    """The name of each entry of the several-group ``theta`` as lavaan's ``vcov()`` rows: the label, else
    ``lhs op rhs``, with ``.g2``, ``.g3`` ... after a later group's (``x1|t1``, ``x1|t1.g2``, ``x1~*~x1.g2``)."""
    def tag(g: int) -> str:
        return f".g{g + 1}" if g > 0 else ""

    names = (dwls_theta_names(model.partable, kept, [], lavaan=True)
             + [f"par{j + 1}" for j in range(kept.size, npar)])
    named: set[int] = set()
    for g, s in enumerate(stats):           # an entry shared by groups (equal thresholds) keeps its first name
        for k, nm in [(int(th_par[g][j]), f"{nm}{tag(g)}") for j, nm in enumerate(s.th.index)] + [
                (int(delta_par[g][j]), f"{v}~*~{v}{tag(g)}") for j, v in enumerate(s.names) if delta_par[g][j] >= 0]:
            if k not in named:
                names[k] = nm
                named.add(k)
    return names


def _baseline(stats: list[OrdinalSampleStats], fg: np.ndarray) -> dict:
    """lavaan's independence model per group (free thresholds, zero correlations) and its test."""
    G = len(stats)
    X2 = float(sum((s.n - 1) * np.sum(s.wls_vd[s.nth:] * s.wls_obs[s.nth:] ** 2) for s in stats))
    df = int(sum(s.wls_obs.size - s.nth for s in stats))
    blocks = []
    for s in stats:
        D = np.zeros((s.wls_obs.size, s.nth))
        D[np.arange(s.nth), np.arange(s.nth)] = 1.0
        blocks.append(D)
    D_all = linalg.block_diag(*blocks)
    V_all = np.concatenate([fg[g] * stats[g].wls_vd for g in range(G)])
    Gam_all = linalg.block_diag(*[stats[g].gamma / fg[g] for g in range(G)])
    out = scaled_shifted_test(X2, df, D_all, V_all, Gam_all)
    out["chisq"] = X2
    out["standard_pvalue"] = _fm.chisq_pvalue(X2, df)
    return out


def _catml(stats, parts, fg, D_all, Einv, df):
    """lavaan's lav_fit_catml_dwls for several groups (configural-type models)."""
    XX3 = 0.0
    XX3n = 0.0
    Dr, Wr, Vr, Gr = [], [], [], []
    row = 0
    for g, s in enumerate(stats):
        R = s.cor.to_numpy()
        if np.any(np.linalg.eigvalsh(R) < np.sqrt(np.finfo(float).eps)):
            return None
        Sigma, _, D = parts[g][2]
        S = D[:, None] * Sigma * D[None, :]
        np.fill_diagonal(S, 1.0)
        sgn, lds = np.linalg.slogdet(S)
        if sgn <= 0:
            return None
        _, ldr = np.linalg.slogdet(R)
        Si = np.linalg.inv(S)
        p = s.p
        XX3 += s.n * max(lds - ldr + float(np.sum(R * Si)) - p, 0.0)
        XX3n += s.n * max(-ldr, 0.0)
        ii, jj = pair_index(p)
        Vg = Si[np.ix_(ii, ii)] * Si[np.ix_(jj, jj)] + Si[np.ix_(ii, jj)] * Si[np.ix_(jj, ii)]
        k = s.wls_obs.size
        Dr.append(D_all[row + s.nth: row + k])
        Wr.append(fg[g] * s.wls_vd[s.nth:])
        Vr.append(fg[g] * Vg)
        Gr.append(s.gamma[s.nth:, s.nth:] / fg[g])
        row += k
    Dr = np.vstack(Dr)
    Wr = np.concatenate(Wr)
    V = linalg.block_diag(*Vr)
    Gm = linalg.block_diag(*Gr)
    U = np.eye(Wr.size) - Dr @ Einv @ (Dr.T * Wr[None, :])
    ks = float(np.sum((U.T @ V @ U) * Gm.T))
    c3 = ks / df if df > 0 else np.inf
    dfn = int(sum(s.p * (s.p - 1) // 2 for s in stats))
    c3n = float(np.trace(Gm)) / dfn
    return {"XX3": XX3, "df3": df, "c_hat3": c3, "XX3_scaled": XX3 / c3, "XX3_null": XX3n,
            "df3_null": dfn, "c_hat3_null": c3n}


def _fit_measures(stats, parts, fg, N, npar, fmin, X2, df, test, base, D_all, Einv, V_all, robust):
    G = len(stats)
    Nr = N - G
    X2s = test["stat"]
    X2n, dfn, X2ns = base["chisq"], base["df"], base["stat"]
    out = {"npar": npar, "fmin": fmin, "chisq": X2, "df": df, "pvalue": _fm.chisq_pvalue(X2, df),
           "chisq.scaled": X2s, "df.scaled": df, "pvalue.scaled": test["pvalue"],
           "chisq.scaling.factor": test["scaling_factor"], "baseline.chisq": X2n, "baseline.df": dfn,
           "baseline.pvalue": base["standard_pvalue"], "baseline.chisq.scaled": X2ns,
           "baseline.df.scaled": dfn, "baseline.pvalue.scaled": base["pvalue"],
           "baseline.chisq.scaling.factor": base["scaling_factor"],
           "cfi": _fm.cfi(X2, df, X2n, dfn), "tli": _fm.tli(X2, df, X2n, dfn),
           "cfi.scaled": _fm.cfi(X2s, df, X2ns, dfn), "tli.scaled": _fm.tli(X2s, df, X2ns, dfn)}
    cat = _catml(stats, parts, fg, D_all, Einv, df) if robust else None
    if cat is None:
        out.update({"cfi.robust": np.nan, "tli.robust": np.nan, "nnfi.robust": np.nan, "rni.robust": np.nan,
                    "rmsea.robust": np.nan,
                    "rmsea.ci.lower.robust": np.nan, "rmsea.ci.upper.robust": np.nan,
                    "rmsea.pvalue.robust": np.nan, "rmsea.notclose.pvalue.robust": np.nan})
    else:
        XX3, c3, XX3n, c3n = cat["XX3"], cat["c_hat3"], cat["XX3_null"], cat["c_hat3_null"]
        lo_r, hi_r = _fm.rmsea_ci(cat["XX3_scaled"], df, Nr, G=G, c_hat=c3)
        out.update({"cfi.robust": _fm.cfi(XX3, df, XX3n, dfn, c3, c3n),
                    "tli.robust": _fm.tli(XX3, df, XX3n, dfn, c3, c3n),
                    "nnfi.robust": _fm.tli(XX3, df, XX3n, dfn, c3, c3n),
                    "rni.robust": _fm.rni(XX3, df, XX3n, dfn, c3, c3n),
                    "rmsea.robust": _fm.rmsea(XX3, df, Nr, G=G, c_hat=c3),
                    "rmsea.ci.lower.robust": lo_r, "rmsea.ci.upper.robust": hi_r,
                    "rmsea.pvalue.robust": _fm.rmsea_close_pvalue(cat["XX3_scaled"], df, Nr, G=G, c_hat=c3),
                    "rmsea.notclose.pvalue.robust": _fm.rmsea_notclose_pvalue(cat["XX3_scaled"], df, Nr, G=G,
                                                                              c_hat=c3)})
    lo, hi = _fm.rmsea_ci(X2, df, Nr, G=G)
    lo_s, hi_s = _fm.rmsea_ci(X2s, df, Nr, G=G)
    out.update({"rmsea": _fm.rmsea(X2, df, Nr, G=G), "rmsea.ci.lower": lo, "rmsea.ci.upper": hi,
                "rmsea.pvalue": _fm.rmsea_close_pvalue(X2, df, Nr, G=G),
                "rmsea.notclose.pvalue": _fm.rmsea_notclose_pvalue(X2, df, Nr, G=G),
                "rmsea.notclose.pvalue.scaled": _fm.rmsea_notclose_pvalue(X2s, df, Nr, G=G),
                "rmsea.scaled": _fm.rmsea(X2s, df, Nr, G=G), "rmsea.ci.lower.scaled": lo_s,
                "rmsea.ci.upper.scaled": hi_s, "rmsea.pvalue.scaled": _fm.rmsea_close_pvalue(X2s, df, Nr, G=G)})
    # rmr / srmr / crmr and gfi (lavaan: the groups' values weighted by n_g / N; nel over all groups)
    res_g, gfi_g = [], []
    for g, s in enumerate(stats):
        Sigma, _, D = parts[g][2]
        R_hat = D[:, None] * Sigma * D[None, :]
        np.fill_diagonal(R_hat, 1.0)
        res_g.append(residual_summary(s, parts[g][0][:s.nth], R_hat))
        gfi_g.append(dwls_gfi(s.wls_obs, s.wls_vd, parts[g][0]))
    for key in res_g[0]:
        out[key] = float(sum(fg[g] * res_g[g][key] for g in range(G)))
    out.update(dwls_other_measures(X2, X2s, df, X2n, X2ns, dfn, Nr, float(np.dot(fg, gfi_g)),
                                   sum(s.wls_obs.size for s in stats)))
    nel = stats[0].wls_obs.size            # lavaan: length(WLS.obs[[1]]), the first group's only
    out["wrmr"] = float(np.sqrt(X2 / nel))
    return pd.Series({k: out.get(k, np.nan) for k in GROUPS_FIT_NAMES}, dtype=float)


def _table(model: Model, stats, res: WLSMVGroupsFit, ordinal: list[str], theta_param: bool):
    """lavaan's parameterEstimates() rows for several groups (with a ``group`` column)."""
    pt = model.partable
    t = res.theta
    kept = res.kept
    nk = kept.size
    col_of = {int(kk): j for j, kk in enumerate(kept)}
    ords = set(ordinal)
    full = np.zeros(model.npar)
    full[kept] = t[:nk]
    values = model.row_values(full)
    full_std = full.copy()
    resv_rows = {}
    for i in range(len(pt)):
        kk = int(pt.par_index[i])
        if pt.op[i] == "~~" and pt.lhs[i] == pt.rhs[i] and pt.lhs[i] in ords and kk >= 0 and kk not in col_of:
            g = pt.group[i] - 1
            v = float(res.resvar[g][list(model.groups[g].ov).index(pt.lhs[i])])
            resv_rows[i] = v
            full_std[kk] = v
    std = standardize(pt, model, full_std, model.row_values(full_std))
    r2 = r_squared(pt, std["std.all"])
    z975 = z_critical(0.95)
    rows = []

    table_par: list[int] = []

    # lavaan's std.all of a threshold is tau / SD(y*), the model-implied SD of the latent response (1 only in a
    # group whose y* variances are fixed to 1: delta parameterization, scales not free); of a scale, 1
    ystar_sd = []
    for g in range(model.ngroups):
        sigma = model.layout(g).core(full_std[None])["Sigma"][0]
        ystar_sd.append(dict(zip(model.groups[g].ov, np.sqrt(np.diagonal(sigma)))))

    def add(lhs, op, rhs, g, label, est, se, i=None, par=-1, sa=None):
        sl = est
        sa = est if sa is None else sa
        if i is not None:
            sl, sa = float(std["std.lv"][i]), float(std["std.all"][i])
            kk = int(pt.par_index[i])
            par = col_of.get(kk, -1) if (kk >= 0 and i not in resv_rows) else -1
        table_par.append(par)
        rows.append({"lhs": lhs, "op": op, "rhs": rhs, "group": g, "label": label, "est": est, "se": se,
                     "std.lv": sl, "std.all": sa, "std.nox": sa})

    se_par = res.se
    for g in range(model.ngroups):
        ov = list(model.groups[g].ov)
        grows = [i for i in range(len(pt)) if pt.group[i] == g + 1 and pt.op[i] not in (":=", "==", "<", ">")]

        def row_est(i):
            kk = int(pt.par_index[i])
            if i in resv_rows:
                return resv_rows[i], 0.0
            if kk >= 0:
                return float(t[col_of[kk]]), float(se_par[col_of[kk]])
            return float(values[i]), 0.0
        for i in grows:
            if pt.user[i] == 1 and pt.op[i] != "~1":
                add(pt.lhs[i], pt.op[i], pt.rhs[i], g + 1, pt.label[i], *row_est(i), i=i)
        for j, name in enumerate(stats[g].th.index):
            item, tt = name.split("|")
            q = res.th_par[g][j]
            add(item, "|", tt, g + 1, "", float(t[q]), float(se_par[q]), par=int(q),
                sa=float(t[q]) / ystar_sd[g][item])
        for i in grows:
            if pt.user[i] != 1 and pt.op[i] != "~1":
                add(pt.lhs[i], pt.op[i], pt.rhs[i], g + 1, pt.label[i], *row_est(i), i=i)
        for j, v in enumerate(ov):
            q = res.delta_par[g][j]
            if q >= 0:
                add(v, "~*~", v, g + 1, "", float(t[q]), float(se_par[q]), par=int(q), sa=1.0)
            else:
                add(v, "~*~", v, g + 1, "", float(res.scales[g][j]), 0.0, sa=1.0)
        # lavaan lists the items' intercepts before the latent means (which lavaan_rule_lines may have
        # written as syntax lines, ahead of the intercepts in the table)
        for i in sorted((i for i in grows if pt.op[i] == "~1"), key=lambda i: pt.lhs[i] not in ov):
            add(pt.lhs[i], "~1", "", g + 1, pt.label[i], *row_est(i), i=i)
    defs = [c for c in pt.constraints if c.op == ":="]
    if defs:
        fn = from_partable(pt, values, theta_columns(pt.par_index, kept))      # the fit's theta_index()
        vals = fn(t)
        se_def = defined_se(fn.jacobian(t), res.vcov)
        for c, v, s_, i in zip(defs, vals, se_def, list(pt.def_rows)):
            add(c.lhs, ":=", c.rhs, 0, c.lhs, float(v), float(s_), i=i)
    tab = pd.DataFrame(rows)
    se = tab["se"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, tab["est"].to_numpy() / se, np.nan)
    tab.insert(7, "z", z)
    tab.insert(8, "pvalue", z_pvalue(z))
    tab.insert(9, "ci.lower", tab["est"] - z975 * se)
    tab.insert(10, "ci.upper", tab["est"] + z975 * se)
    res.table_par = np.array(table_par, dtype=int)
    res.full_std = full_std
    return tab, r2


# ---------------------------------------------------------------------------
# from data and syntax to a result (called by iur_survey.sem.api.sem)
# ---------------------------------------------------------------------------

def _codes_text(levels) -> str:
    """Category codes as the data write them (``1, 2, 3``, not ``1.0, 2.0``: :func:`~iur_survey.sem.table.group_label`).

    >>> _codes_text(np.array([1.0, 2.0, 3.5]))
    '1, 2, 3.5'
    """
    return ", ".join(group_label(x) for x in np.asarray(levels).tolist())


def lavaan_rule_lines(lv_names: list[str], items: list[str], ngroups: int, group_equal, parameterization: str
                      ) -> list[str]:
    """The syntax lines that spell out lavaan's automatic rules for ordinal items in several groups.

    With "thresholds" equal: latent means free after the first group; in the theta parameterization the
    items' residual variances are 1 in the first group and free in the others (1 everywhere when
    "residuals" are equal too).

    >>> lavaan_rule_lines(["F"], ["a"], 2, ["thresholds"], "theta")
    ['F ~ c(0, NA)*1', 'a ~~ c(1, NA)*a']
    """
    th = "thresholds" in group_equal
    out = []

    def vec(first, rest):
        return "c(" + ", ".join([first] + [rest] * (ngroups - 1)) + ")" if ngroups > 1 else first
    if th and ngroups > 1:
        out += [f"{f} ~ {vec('0', 'NA')}*1" for f in lv_names]
    if parameterization == "theta":
        v = "NA" if (th and "residuals" not in group_equal) else "1"
        out += [f"{x} ~~ {vec('1', v)}*{x}" for x in items]
    return out


def missing_patterns(items: pd.DataFrame) -> int:
    """lavaan's number of missing-data patterns (``lavdata@Mp[[g]]$npatterns``) of a group's items: the distinct
    patterns of missing cells among the rows that answer at least one item (a complete row is a pattern too).

    >>> missing_patterns(pd.DataFrame({"a": [1, None, 2, None], "b": [1, 2, None, None]}))
    3
    """
    na = items.isna().to_numpy()
    na = na[~na.all(axis=1)]
    return int(len(np.unique(na, axis=0))) if len(na) else 0


def _group_stats(data: pd.DataFrame, ov: list, lab: str, gvals: np.ndarray, missing: str, cache: dict | None):
    """One group's sample statistics (:func:`ordinal_sample_stats`), kept in ``cache`` by (group, items,
    missing)."""
    key = (lab, tuple(ov), missing)
    st = None if cache is None else cache.get(key)
    if st is None:
        st = ordinal_sample_stats(data.loc[gvals == lab, list(ov)], missing=missing)
        if cache is not None:
            cache[key] = st
    return st


def ordinal_stats_cache(data: pd.DataFrame, ov: list, labels: list, gvals: np.ndarray, missing: str) -> dict:
    """The groups' sample statistics of the items ``ov``, computed once for several fits on the same data
    (``stats_cache`` of :func:`ordinal_groups_fit`, e.g. the steps of an invariance sequence run as parallel
    tasks).

    >>> rng = np.random.default_rng(8)
    >>> d = pd.DataFrame(rng.integers(0, 3, size=(200, 3)), columns=["a", "b", "c"])
    >>> g = np.where(np.arange(200) < 120, "x", "y")
    >>> sorted((k[0], k[1]) for k in ordinal_stats_cache(d, ["a", "b", "c"], ["x", "y"], g, "pairwise"))
    [('x', ('a', 'b', 'c')), ('y', ('a', 'b', 'c'))]
    """
    cache: dict = {}
    for lab in labels:
        _group_stats(data, ov, lab, gvals, missing, cache)
    return cache


def ordinal_partial(pt0, group_equal, group_partial, data: pd.DataFrame, th_equal: bool = True
                    ) -> tuple[list[str], list[str]]:
    """lavaan's ``group.partial`` with ordered items, split: ``(thresholds freed ("a|t2"), the other entries)``;
    the others go to the engine's table (:func:`~iur_survey.sem.partable.build_partable`), which checks them.
    An entry that frees nothing is a one-line :class:`~iur_survey.errors.ModelSyntaxError` (lavaan ignores it);
    every threshold of an item freed with its loading free across groups too is an
    :class:`~iur_survey.errors.EstimationError` (lavaan fits it and warns that the vcov is not positive definite):
    a threshold without ``"thresholds"`` equal, one the item does not have, and an item's intercept or
    residual variance, which are not free parameters of an ordered item here (its intercept is 0 and its
    scale or residual variance follows lavaan's own rules).

    >>> pt0 = build_partable("F =~ a + b", ngroups=2, meanstructure=True, int_ov_free=False)
    >>> d = pd.DataFrame({"a": [0, 1, 2, 1], "b": [1, 0, 1, 0]})
    >>> ordinal_partial(pt0, ["thresholds", "loadings"], ["a | t2", "F =~ b"], d)
    (['a|t2'], ['F =~ b'])
    >>> ordinal_partial(pt0, ["thresholds", "loadings"], ["b | t1", "F =~ b"], d)
    Traceback (most recent call last):
    ...
    iur_survey.errors.EstimationError: group.partial frees every threshold of b while its loading is free across groups too: its scale (theta: residual variance) in the later groups is not identified; keep a threshold or its loading equal
    >>> ordinal_partial(pt0, ["thresholds"], ["b | t2"], d)
    Traceback (most recent call last):
    ...
    iur_survey.errors.ModelSyntaxError: group.partial: 'b | t2' is not a threshold of the model (b has 1 threshold: b | t1)
    """
    from iur_survey.errors import ModelSyntaxError

    entries = [str(p) for p in group_partial if str(p).strip()]
    if not entries:
        return [], []
    if pt0.ngroups < 2 or not group_equal:
        group_partial_freed(pt0, group_equal, entries)        # one group / no group.equal: its one-line error
    items = list(pt0.ov_names[0])
    th, other = [], []
    for p in entries:
        k = _partial_key(p)
        if "|" in k:
            item, _, t = k.partition("|")
            n = int(data[item].dropna().nunique()) - 1 if item in items and item in data.columns else 0
            if item not in items or not (t.startswith("t") and t[1:].isdigit() and 1 <= int(t[1:]) <= n):
                have = (f" ({item} has {n} threshold{'s' if n != 1 else ''}: "
                        + ", ".join(f"{item} | t{j}" for j in range(1, n + 1)) + ")") if n else ""
                raise ModelSyntaxError("group.partial", f"{p!r} is not a threshold of the model{have}")
            if "thresholds" not in group_equal or not th_equal:
                raise ModelSyntaxError("group.partial", f"{p!r} is a threshold, which group.equal "
                                                        f"({', '.join(group_equal)}) does not constrain: it frees "
                                                        "nothing (lavaan ignores such an entry; here it is an error)")
            if k not in th:
                th.append(k)
            continue
        lhs = k.split("~")[0] if "~" in k else ""
        if lhs in items and (k == f"{lhs}~1" or k == f"{lhs}~~{lhs}" or k == f"{lhs}~*~{lhs}"):
            raise ModelSyntaxError("group.partial", f"{p!r}: the intercept, scale and residual variance of an "
                                                    "ordered item are not parameters group.partial frees here "
                                                    "(intercepts are 0, scales / residual variances follow "
                                                    "lavaan's rules with the thresholds equal): it frees nothing; "
                                                    "free a threshold ('x1 | t2') or a loading instead")
        other.append(p)
    # an item whose every threshold is freed has its scale (theta: residual variance) in the later groups
    # pinned only through its loading: with that loading free across groups too, they trade off
    loose = {k.partition("=~")[2] for k in map(_partial_key, other) if "=~" in k} \
        if "loadings" in group_equal else set(items)
    loose -= {pt0.rhs[i] for i in range(len(pt0)) if pt0.op[i] == "=~" and pt0.free[i] == 0}   # a fixed (marker) one
    for x in items:
        n = int(data[x].dropna().nunique()) - 1 if x in data.columns else 0
        if th and n and all(f"{x}|t{j}" in th for j in range(1, n + 1)) and x in loose:
            raise EstimationError(None, f"group.partial frees every threshold of {x} while its loading is free "
                                        "across groups too: its scale (theta: residual variance) in the later "
                                        "groups is not identified; keep a threshold or its loading equal")
    return th, other


def ordinal_groups_fit(syntax: str, data: pd.DataFrame, group: str, labels: list[str], gvals: np.ndarray, *,
                       group_equal=(), parameterization: str = "delta", missing: str = "pairwise",
                       std_lv: bool = False, auto_rules: bool = True, th_equal: bool | None = None,
                       delta_free: bool | dict | None = None, est_name: str = "WLSMV", se_type: str = "robust.sem",
                       warnings: list[str] | None = None, source: str = "<model syntax>",
                       stats_cache: dict | None = None, group_partial=(), th_free=()):
    """Multi-group WLSMV from syntax and data: lavaan's ``sem(model, data, ordered = TRUE, group = group,
    group.equal = ..., parameterization = ...)``; returns an
    :class:`~iur_survey.sem.ordinal_result.OrdinalSEMResult` (estimates table with a ``group`` column).

    ``auto_rules=False`` takes the syntax as complete (e.g. the Wu & Estabrook models, whose thresholds
    equality and free scales are then given by ``th_equal`` / ``delta_free``).  ``stats_cache`` (a dict)
    keeps the groups' sample statistics between calls on the same data.  ``th_free``: with ``th_equal``, the
    thresholds (``"a|t2"``) estimated in every group nonetheless.  ``group_partial`` (lavaan's
    group.partial): parameters freed from ``group_equal``, a threshold ``"a | t2"`` among them
    (:func:`ordinal_partial`); lavaan's other rules stay as they are (the scales and latent means free after the
    first group with the thresholds equal, whatever is freed).

    >>> rng = np.random.default_rng(8)
    >>> f = rng.normal(size=(500, 1))
    >>> y = f @ [[.8, .7, .6, .7]] + rng.normal(size=(500, 4)) * .6
    >>> d = pd.DataFrame(np.digitize(y, [-1, 0, 1]), columns=["a", "b", "c", "e"])
    >>> g = np.where(np.arange(500) < 300, "x", "y")
    >>> res = ordinal_groups_fit("F =~ a + b + c + e", d, "G", ["x", "y"], g, group_equal=["thresholds", "loadings"])
    >>> res.nobs, int(res.fit_measures()["df"])
    ([300, 200], 14)
    """

    ge = list(group_equal or ())
    if parameterization not in ("delta", "theta"):
        raise EstimationError(None, f"parameterization={parameterization!r}: use 'delta' or 'theta'")
    G = len(labels)
    th_equal = ("thresholds" in ge) if th_equal is None else th_equal
    if delta_free is None:
        delta_free = th_equal and parameterization == "delta"
    pt0 = build_partable(syntax, ngroups=G, group_labels=labels, meanstructure=True, int_ov_free=False,
                         std_lv=std_lv)
    ov = list(pt0.ov_names[0])
    # a fixed y ~~ y line of an ordered item under delta: lavaan ignores the value, and so does the fit
    from .ordinal import drop_ignored_variance_lines
    n_user = len(syntax.splitlines())
    pm0, dropped = drop_ignored_variance_lines(parse_model(syntax, source), ov, parameterization)
    if dropped:
        pt0 = build_partable(pm0, ngroups=G, group_labels=labels, meanstructure=True, int_ov_free=False,
                             std_lv=std_lv)
    text = syntax
    if auto_rules:
        # the user's y ~~ y lines of the items: a typed error, or (theta, one group) the item's fixed scale
        from .ordinal import ordered_variance_lines
        given = ordered_variance_lines(parse_model(syntax, source), ov, parameterization, G)
        lines = [ln for ln in lavaan_rule_lines(list(pt0.lv_names[0]), ov, G, ge, parameterization)
                 if ln.split(" ~~ ")[0] not in given]
        if lines:
            text = syntax.rstrip() + "\n" + "\n".join(lines)
    engine_ge = [x for x in ge if x not in ("thresholds", "intercepts", "residuals")]
    th_part, other = ordinal_partial(pt0, ge, group_partial, data, th_equal=th_equal)
    th_free = list(th_free) + th_part        # th_free: thresholds freed by a complete syntax (auto_rules=False)
    pt = build_partable(drop_ignored_variance_lines(parse_model(text, source), ov, parameterization,
                                                    last_line=n_user)[0] if dropped else text,
                        ngroups=G, group_labels=labels, meanstructure=True, int_ov_free=False,
                        std_lv=std_lv, group_equal=engine_ge, group_partial=other)
    if other:                 # every entry frees something (the engine's table, after lavaan's rule lines)
        group_partial_freed(pt, [x for x in ge if x not in ("intercepts", "residuals")], other)
    if any(c.op in ("<", ">") for c in pt.constraints):
        raise EstimationError(None, "'<' / '>' constraints are not supported with ordered items yet")
    if auto_rules:
        # the added lines are lavaan's own defaults, not the user's rows
        mine = {(pt0.lhs[i], pt0.op[i], pt0.rhs[i]) for i in range(len(pt0)) if pt0.user[i] == 1}
        for i in range(len(pt)):
            if pt.user[i] == 1 and (pt.lhs[i], pt.op[i], pt.rhs[i]) not in mine:
                pt.user[i] = 0
        pt.syntax = syntax
    model = Model(pt)
    # levels from the whole data (lavaan's ov.levels), then per group
    _, levels, _ = _codes(data[ov], "pairwise")
    stats_g = []
    n_dropped = 0
    for g, lab in enumerate(labels):
        st = _group_stats(data, list(model.groups[g].ov), lab, gvals, missing, stats_cache)
        for j, v in enumerate(st.names):
            if st.levels[j].size != levels[ov.index(v)].size:
                raise EstimationError(None, f"some categories of variable '{v}' are empty in group "
                                            f"{lab!r} (observed {_codes_text(st.levels[j])}; the data has "
                                            f"{_codes_text(levels[ov.index(v)])}): merge the group with "
                                            "another (--merge-groups, merge=) or collapse the item's categories",
                                  column=v)
        n_dropped += st.n_dropped
        stats_g.append(st)
    spec = GroupsSpec(th_equal=th_equal, delta_free=delta_free, parameterization=parameterization,
                      th_free=frozenset(th_free))
    res = wlsmv_groups_fit(model, stats_g, spec, ov)
    warns = list(warnings or [])
    warns += [w for w in dropped if w not in warns]
    warns += [w for w in group_warnings(parse_model(syntax), pt, engine_ge, other) if w not in warns]
    if n_dropped:
        warns.append(f"{n_dropped} of {len(data)} rows dropped by listwise deletion" if missing == "listwise"
                     else f"{n_dropped} of {len(data)} rows with no value on any item were ignored")
    # lavaan's post-estimation checks (negative variances, latent covariance and residual matrices not
    # positive definite, per group), the one-group WLSMV fit's and ML's check
    from .datacheck import ordinal_warnings

    table = res.table
    by_key = {(r["lhs"], r["op"], r["rhs"], r["group"]): r for r in table.to_dict("records")}
    est = np.full(len(pt), np.nan)
    se_rows = np.full(len(pt), np.nan)
    std = {c: np.full(len(pt), np.nan) for c in ("std.lv", "std.all", "std.nox")}
    for i in range(len(pt)):
        r = by_key.get((pt.lhs[i], pt.op[i], pt.rhs[i], pt.group[i]))
        if r is None:
            continue
        est[i], se_rows[i] = r["est"], r["se"]
        for c in std:
            std[c][i] = r[c]
    warns = ordinal_warnings(pt, model, res, warns, ov, est, se_rows, std["std.all"])
    V = res.vcov
    fit = res.fit_measures
    if se_type == "standard":
        V = None
    names = _theta_names(model, stats_g, res.kept, res.th_par, res.delta_par, res.theta.size)
    ngs = [s.n for s in stats_g]
    meta = {"group": group, "group_equal": ge, "ordered": ov, "wlsmv_groups": res,
            "parameterization": parameterization, "wlsmv_spec": spec, "chisq_group": res.chisq_group,
            # the thresholds freed by group_partial ("a|t2"; the engine's table holds the others' freedom)
            "th_partial": sorted(th_free),
            # lavaan's lavInspect(fit, "norig") per group and, with pairwise polychorics, its missing patterns
            "norig": [s.n + s.n_dropped for s in stats_g]}
    if missing == "pairwise":
        meta["npatterns"] = [missing_patterns(data.loc[gvals == lab, list(model.groups[g].ov)])
                             for g, lab in enumerate(labels)]
    out = OrdinalSEMResult(partable=pt, model=model, theta=res.theta, vcov_theta=V if V is not None else res.vcov,
                           est=est, se=se_rows, std=std, fit=fit, r2_values=res.r2 if res.r2 is not None
                           else pd.Series(dtype=float), converged=bool(res.converged), warnings=warns,
                           n=int(sum(ngs)), nobs=ngs, estimator=est_name, missing=missing, se_type=se_type,
                           information="expected", iterations=int(res.iterations), n_input=int(len(data)),
                           meta=meta, table=table, ordered=ov, test=res.test, theta_names=names,
                           theta_cols=list(range(res.theta.size)), n_dropped=int(n_dropped))
    return out
