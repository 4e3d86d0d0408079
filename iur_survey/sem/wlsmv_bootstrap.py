"""Bootstrap of WLSMV fits (lavaan's ``se = "bootstrap"`` with ordered items).

Each draw resamples the rows of every group with replacement (``draw_indices`` of
:mod:`iur_survey.sem.bootstrap`: draw ``b`` uses its own seeded stream, so the draws do not depend on
the number of workers), recomputes the ordinal statistics (thresholds, polychoric correlations and the
DWLS weights from their NACOV; pairwise or listwise as the fit) and refits the model by DWLS from the
original estimates.  A draw in which a category of an item is empty fails (lavaan: "some categories of
variable ... are empty"), as does a draw that does not converge; both are counted and left out.  A converged draw
whose solution is not admissible is kept and counted, as lavaan 0.6.14 does (``lav_bootstrap_internal``: the draw's
``lavInspect(fit, "post.check")``, listed in ``attr(, "nonadmissible")``, not in ``"error.idx"``): the check is the
ML bootstrap's (:func:`iur_survey.sem.matrices.nonadmissible`) on the draw's parameters with the items' residual
variances filled in (delta: ``1/Delta^2 - diag(Lambda Psi Lambda')``, :func:`~iur_survey.sem.wlsmv.ystar_residual_variances`;
theta: the parameters themselves): a negative residual variance of an item (a Heywood case), a negative latent
variance or a latent covariance matrix that is not positive definite (lavaan checks the residual covariance matrix
for positive definiteness over the continuous items only: none here).

The standard errors are lavaan's: the bootstrap standard deviations (divisor ``B``) times
``sqrt(N / (N - G))`` (lavaan's scaling of a non-ML ``vcov``; ``:=`` rows: SD divisor ``B - 1``, unscaled), the intervals percentile (lavaan's ``boot.ci.type = "perc"``),
``bca.simple``, ``basic`` or ``norm`` (``2 est - boot.est -/+ z se``, ``boot.est`` the parameters at the mean draw, a
``:=`` row its definition there; the SE the scaled one).  One difference from lavaan, on purpose: under the delta
parameterization the residual variances of the y* (fixed rows that are functions of the parameters) keep
``ci = est`` under "norm", where lavaan 0.6.14 writes the zero-width interval ``2 est - `` (their value at the mean
draw).  The ``:=`` rows of one group or several are lavaan's: each successful draw's defined values
(:func:`defined_draws`, the model's definitions applied to the draw's parameters), their SD and their
interval.  When some draws failed, lavaan 0.6.14 shows no SE for the ``:=`` rows (it passes the failed
draws' empty rows to ``def.function``; its intervals leave them out); here their SE is lavaan's formula on
the successful draws, and a warning counts the failed ones.  Draws run in chunks on :func:`iur_survey.sem.parallel.map_chunks` (processes, threads
or a Dask cluster).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, fields

import numpy as np
import pandas as pd
from scipy.special import ndtri

from iur_survey.errors import EstimationError

from .bootstrap import (CI_TYPES, bca_ci, bootstrap_summary, draw_indices, percentile_ci, require_draws, seed_entropy,
                        warn_bootstrap)
from .defined import from_partable
from .ordinal import _codes, blas_threads, stats_from_codes
from .parallel import available_cores, map_chunks
from .results import require_converged_fit
from .table import group_text
from .ordinal_result import OrdinalSEMResult
from .matrices import nonadmissible, numeric_positions
from .wlsmv import (DWLS_GTOL, dwls_dropped, dwls_parameters, dwls_table_columns, fit_dwls, wls_delta,
                    wls_moments, ystar_residual_variances)
from .wlsmv_groups import GroupsSpec, dwls_problem

__all__ = ["WLSMVBootstrap", "WLSMVBootstrapResult", "wlsmv_bootstrap", "with_wlsmv_bootstrap", "defined_draws", "CHUNK",
           "GTOL"]

#: draws per task
CHUNK = 25
#: convergence of a draw's refit: the largest gradient of the DWLS function, the fit's own criterion
#: (:func:`~iur_survey.sem.wlsmv.fit_dwls`).  A looser one (1e-7) accepted draws whose DWLS function has no
#: optimum: a variance runs off along a ridge (variance x loading^2 nearly constant) where the gradient is
#: already below 1e-7; lavaan's nlminb stops there with "singular convergence" and counts the draw failed.
GTOL = DWLS_GTOL


@dataclass
class _Problem:
    """Everything a worker needs to refit draws (picklable)."""

    kind: str                      # "single" | "groups"
    model: object
    data: list[np.ndarray]         # per group: item codes (0..K-1, -1 missing) of the rows the fit used
    names: list[list[str]]
    levels: list[list[np.ndarray]]  # per group: each item's levels
    missing: str
    theta0: np.ndarray
    spec: GroupsSpec | None
    ordinal: list[str]
    entropy: int
    kept: np.ndarray | None = None
    nk: int = 0
    rho0: list[np.ndarray] | None = None    # per group: the full sample's polychorics (Newton start)
    model_kept: np.ndarray | None = None     # the model parameters in theta (the first entries, in order)
    resvar_par: list[tuple[int, int, int]] = field(default_factory=list)   # delta: (parameter, group, item)
    scale_par: list[np.ndarray] | None = None    # per group: each item's scale column of theta (-1: 1)
    numeric: list[list[int]] | None = None       # per group: the continuous items (lavaan's num.idx)


def _stats(prob: _Problem, rows: list[np.ndarray]):
    """The draw's statistics (None when a category of an item is empty in the draw)."""
    out = []
    for g, Y in enumerate(prob.data):
        Yb = Y[rows[g]]
        for j, lv in enumerate(prob.levels[g]):
            y = Yb[:, j]
            if np.unique(y[y >= 0]).size != lv.size:
                return None
        out.append(stats_from_codes(Yb, prob.levels[g], prob.names[g], missing=prob.missing,
                                    rho_start=prob.rho0[g]))
    return out


def _refit(prob: _Problem, stats) -> tuple[np.ndarray, bool]:
    if prob.kind == "groups":
        mom, jac, obs, w, _ = dwls_problem(prob.model, stats, prob.spec, prob.ordinal)
        fit = fit_dwls(mom, jac, prob.theta0, obs, w, 10 ** 12, gtol=GTOL)
        return fit.theta, fit.converged
    model, nk = prob.model, prob.nk
    st = stats[0]
    th_cols = np.arange(nk, nk + st.nth)
    drop = np.ones(model.npar, dtype=bool)
    drop[prob.kept] = False
    _, E, expand = dwls_parameters(model, drop, st.nth)

    def mom(t):
        return wls_moments(t[th_cols], model.implied(expand(t))[0])

    def jac(t):
        return wls_delta(model.delta(expand(t), meanstructure=False) @ E, st.p, th_cols)
    fit = fit_dwls(mom, jac, prob.theta0, st.wls_obs, st.wls_vd, st.n, gtol=GTOL)
    return fit.theta, fit.converged


def _model_parameters(prob: _Problem, t: np.ndarray) -> np.ndarray:
    """The model's parameter vector of a draw's ``t``, the items' residual variances filled in (delta: each
    group's :func:`~iur_survey.sem.wlsmv.ystar_residual_variances` at its scales; theta: they are parameters)."""
    kept = prob.model_kept
    model_part = np.zeros(prob.model.npar)          # the items' residual variances at 0
    model_part[kept] = t[:kept.size]
    full = model_part.copy()
    rv: dict[int, np.ndarray] = {}
    for k, g, j in prob.resvar_par:
        if g not in rv:
            dlp = prob.scale_par[g] if prob.scale_par is not None else np.full(1, -1)
            rv[g] = ystar_residual_variances(prob.model, model_part, g,
                                             np.where(dlp >= 0, t[np.clip(dlp, 0, None)], 1.0))
        full[k] = rv[g][j]
    return full


def admissible_draw(prob: _Problem, t: np.ndarray) -> bool:
    """lavaan's ``lavInspect(fit.boot, "post.check")`` of a converged draw: the ML bootstrap's check
    (:func:`~iur_survey.sem.matrices.nonadmissible`) on :func:`_model_parameters`."""
    return not bool(nonadmissible(prob.model, _model_parameters(prob, t)[None, :], numeric=prob.numeric)[0])


def _draw(prob: _Problem, rows: list[np.ndarray]) -> tuple[np.ndarray | None, int, bool]:
    """One draw (``rows``: per group, the resampled row positions): its estimates (None unless ok), its
    status, 0 ok, 1 failed (empty category / error), 2 not converged (lavaan: "FAILED: no convergence"), and
    whether an ok draw's solution is not admissible (kept, as lavaan)."""
    try:
        st = _stats(prob, rows)
        if st is None:
            return None, 1, False
        th, ok = _refit(prob, st)
    except (EstimationError, np.linalg.LinAlgError, FloatingPointError, ValueError):
        return None, 1, False
    if not ok:
        return None, 2, False
    return th, 0, not admissible_draw(prob, th)


def _run_chunk(prob: _Problem, chunk: tuple[int, int]) -> dict:
    start, stop = chunk
    K = stop - start
    est = np.full((K, prob.theta0.size), np.nan)
    status = np.zeros(K, dtype=int)
    nonadm = np.zeros(K, dtype=bool)
    with blas_threads(1):
        for r in range(K):
            th, status[r], nonadm[r] = _draw(prob, draw_indices(prob.entropy, start + r,
                                                                [len(X) for X in prob.data]))
            if th is not None:
                est[r] = th
    return {"start": start, "est": est, "status": status, "nonadmissible": nonadm}


@dataclass
class WLSMVBootstrap:
    """The draws: ``est`` (B x parameters, NaN rows = failed or not converged), ``status``, ``seed``,
    ``ci``, ``level``, ``seconds``, ``workers``; ``nobs`` and ``ngroups`` of the fit (lavaan's DWLS scaling of
    the bootstrap covariance, :meth:`se`); ``nonadmissible`` (B, bool): the converged draws whose solution is
    not admissible (kept in the SEs and CIs, as lavaan; None: none)."""

    est: np.ndarray
    status: np.ndarray
    theta: np.ndarray
    seed: int
    ci: str
    level: float
    seconds: float
    workers: int
    nobs: int
    ngroups: int
    defined: np.ndarray | None = None       # B x (:= rows)
    warnings: list[str] = field(default_factory=list)
    nonadmissible: np.ndarray | None = None

    @property
    def B(self) -> int:
        return int(self.status.size)

    @property
    def n_ok(self) -> int:
        return int((self.status == 0).sum())

    @property
    def n_failed(self) -> int:
        return int((self.status == 1).sum())

    @property
    def n_nonconverged(self) -> int:
        return int((self.status == 2).sum())

    @property
    def n_nonadmissible(self) -> int:
        """Converged draws with a non-admissible solution (kept, as lavaan; counted): lavaan's
        ``length(attr(lavInspect(fit, "boot"), "nonadmissible"))``."""
        return 0 if self.nonadmissible is None else int(np.sum(self.nonadmissible))

    @property
    def nonadmissible_idx(self) -> list[int]:
        """The 1-based numbers of the non-admissible draws (lavaan's ``attr(, "nonadmissible")``)."""
        return [] if self.nonadmissible is None else [int(b) + 1 for b in np.flatnonzero(self.nonadmissible)]

    def vcov(self) -> np.ndarray:
        """Bootstrap covariance of the parameters: lavaan's ``vcov`` of a (D)WLS bootstrap fit, the covariance
        of the successful draws (divisor B) times ``N / (N - G)`` (lav_model_vcov: a non-ML estimator's
        NVarCov = N x cov is divided by ``ntotal - ngroups``)."""
        ok = self.est[self.status == 0]
        if len(ok) < 2:
            return np.full((self.theta.size, self.theta.size), np.nan)
        return np.cov(ok, rowvar=False, ddof=0) * (self.nobs / (self.nobs - self.ngroups))

    def se(self) -> np.ndarray:
        """Bootstrap SEs of the parameters (the square roots of :meth:`vcov`'s diagonal)."""
        return np.sqrt(np.diagonal(self.vcov()))

    def interval(self, t: np.ndarray, t0: float, se: float = float("nan"),
                 centre: float = float("nan")) -> tuple[float, float]:
        """The interval of the draws ``t`` of an estimate ``t0`` (lavaan's ``boot.ci.type``): "percentile",
        "bca.simple", "basic" (``2 t0`` minus the percentile bounds) or "norm" (``2 t0 - centre -/+ z se``,
        ``centre`` the estimate at the mean draw, ``se`` its bootstrap SE: :func:`_boot_result` gives both)."""
        t = t[np.isfinite(t)]
        if self.ci == "bca.simple":
            return bca_ci(t, t0, self.level)
        if self.ci == "norm":
            half = float(ndtri((1 + self.level) / 2)) * se
            return 2 * t0 - centre - half, 2 * t0 - centre + half
        lo, hi = percentile_ci(t, self.level)
        if self.ci == "basic":
            return 2 * t0 - hi, 2 * t0 - lo
        return lo, hi


def wlsmv_bootstrap(res: OrdinalSEMResult, B: int = 1000, *, data: pd.DataFrame, ci: str = "percentile",
                    seed=None, workers: int | None = None, scheduler=None, progress: bool | None = None,
                    level: float = 0.95, chunk_size: int | None = None, warn: bool = True) -> WLSMVBootstrap:
    """Bootstrap a WLSMV fit (module docstring); ``data`` is the DataFrame given to ``sem()``.  A fit that did
    not converge is refused (:class:`~iur_survey.sem.results.NotConvergedError`); draws that failed are counted
    in ``.warnings`` and raised as a :class:`~iur_survey.sem.results.SEMFitWarning` (``warn=False``: not).

    >>> from iur_survey.sem import sem
    >>> rng = np.random.default_rng(6)
    >>> f = rng.normal(size=(300, 1))
    >>> y = f @ [[.8, .7, .6]] + rng.normal(size=(300, 3)) * .6
    >>> d = pd.DataFrame(np.digitize(y, [-1, 0, 1]), columns=["a", "b", "c"])
    >>> bt = wlsmv_bootstrap(sem("F =~ a + b + c", d, ordered=True), 20, data=d, seed=1, workers=1, progress=False)
    >>> bt.n_ok, bt.est.shape
    (20, (20, 12))
    """
    ci = CI_TYPES.get(str(ci).lower(), str(ci))
    if ci not in ("percentile", "bca.simple", "norm", "basic"):
        raise EstimationError(None, f"ci={ci!r} for a WLSMV bootstrap: use 'percentile' (or 'perc'), 'bca.simple', "
                                    "'norm' or 'basic'")
    B = require_draws(B)
    require_converged_fit(res, "no bootstrap")
    t0 = time.perf_counter()
    prob = _problem(res, data, seed)
    chunks = [(s, min(B, s + (chunk_size or CHUNK))) for s in range(0, B, chunk_size or CHUNK)]
    if workers is None:
        workers = available_cores() if B >= 100 else 1
    ran: dict = {}
    out = map_chunks(_run_chunk, chunks, payload=prob, workers=workers, scheduler=scheduler, info=ran,
                     progress=progress, weights=[b - a for a, b in chunks], desc="WLSMV bootstrap")
    est = np.vstack([o["est"] for o in out])
    status = np.concatenate([o["status"] for o in out])
    bt = WLSMVBootstrap(est=est, status=status, theta=np.asarray(res.theta, float), seed=prob.entropy, ci=ci,
                        level=level, seconds=time.perf_counter() - t0, workers=int(ran["workers"]),
                        nobs=int(sum(len(X) for X in prob.data)), ngroups=len(prob.data),
                        nonadmissible=np.concatenate([o["nonadmissible"] for o in out]))
    bt.defined = defined_draws(res, est, status)
    if bt.n_ok < B:
        bt.warnings.append(f"{B - bt.n_ok} of {B} bootstrap draws failed (empty category or no convergence) "
                           "and were left out")
    if bt.n_nonadmissible:          # lavaan's warning; the draws are kept
        bt.warnings.append(f"{bt.n_nonadmissible} bootstrap runs resulted in nonadmissible solutions (a negative "
                           "variance or a latent covariance matrix that is not positive definite); they are kept "
                           "in the SEs and CIs, as lavaan")
    if warn:
        warn_bootstrap(bt.warnings, B)
    return bt


def defined_draws(res: OrdinalSEMResult, est: np.ndarray, status: np.ndarray) -> np.ndarray | None:
    """The ``:=`` values of every draw (draws x definitions; NaN rows where ``status != 0``), None without ``:=``.

    lavaan's ``def.function`` applied to each draw's free parameters, one or several groups alike: each
    labelled row read at its column of ``theta`` (the fit's ``theta_index()``), a label stands for its
    first row and ``c(a1, a2)*`` gives each group its own label (:func:`iur_survey.sem.defined.from_partable`).

    >>> from iur_survey.sem import sem
    >>> rng = np.random.default_rng(6)
    >>> f = rng.normal(size=(300, 1))
    >>> y = f @ [[.8, .7, .6]] + rng.normal(size=(300, 3)) * .6
    >>> d = pd.DataFrame(np.digitize(y, [-1, 0, 1]), columns=["a", "b", "c"])
    >>> fit = sem("F =~ a + l*b + m*c\\nr := l / m", d, ordered=True)
    >>> D = defined_draws(fit, np.vstack([fit.theta, fit.theta]), np.array([0, 1]))
    >>> bool(np.isclose(D[0, 0], fit.table.loc[fit.table.op == ":=", "est"].iat[0])), bool(np.isnan(D[1, 0]))
    (True, True)
    """
    pt = res.partable
    ndef = sum(c.op == ":=" for c in pt.constraints)
    if not ndef:
        return None
    fn = from_partable(pt, res.model.row_values(np.zeros(res.model.npar)), res.theta_index())
    D = np.full((len(est), ndef), np.nan)
    for b in np.flatnonzero(np.asarray(status) == 0):
        D[b] = fn(est[b])
    return D


def _problem(res: OrdinalSEMResult, data: pd.DataFrame, seed) -> _Problem:
    if res.meta.get("mixed"):
        raise EstimationError(None, "the bootstrap of a WLSMV fit with a mix of ordered and continuous items "
                                    "is not supported yet")
    if res.partable.equality:
        # its refits would drop the constraints: refuse, never bootstrap another model
        raise EstimationError(None, "the bootstrap of a WLSMV fit with '==' constraints that are not shared labels "
                                    "is not supported yet")
    entropy = seed_entropy(seed)
    model = res.model
    pt = res.partable
    ov = list(res.ordered)
    groups = res.meta.get("wlsmv_groups")
    missing = res.missing
    if groups is not None:
        gcol = res.meta["group"]
        d = data.loc[data[gcol].notna()] if gcol is not None else data
        gv = group_text(d[gcol]).to_numpy().astype(str) if gcol is not None else np.full(len(d), "1")
        Xs, names, levels = [], [], []
        for g, lab in enumerate(pt.group_labels):
            cols = list(model.groups[g].ov)
            Y, lev = _group_codes(d.loc[gv == lab, cols], missing, groups.stats[g].levels)
            Xs.append(Y)
            names.append(cols)
            levels.append(lev)
        spec = res.meta["wlsmv_spec"]
        rho0 = [st.wls_obs[st.nth:] for st in groups.stats]
        kept = np.asarray(groups.kept, np.intp)
        return _Problem("groups", model, Xs, names, levels, missing, np.asarray(res.theta, float), spec, ov, entropy,
                        rho0=rho0, model_kept=kept, scale_par=[np.asarray(p, np.intp) for p in groups.delta_par],
                        **_check_layout(model, kept, set(ov)))
    wl = res.meta["wlsmv"]
    cols = list(model.groups[0].ov)
    Y, lev = _group_codes(data[cols], missing, wl.stats.levels)
    kept = np.flatnonzero(~dwls_dropped(model, set(cols)))
    return _Problem("single", model, [Y], [cols], [lev], missing,
                    np.asarray(res.theta, float), None, ov, entropy, kept=kept, nk=int(kept.size),
                    rho0=[wl.stats.wls_obs[wl.stats.nth:]], model_kept=kept, **_check_layout(model, kept, set(ov)))


def _check_layout(model, kept: np.ndarray, ordinal: set[str]) -> dict:
    """What the admissibility check of a draw needs besides ``theta``: the items' residual variances that are model
    parameters but not in ``theta`` (delta: ``(parameter, group, item position)``) and each group's continuous
    items (lavaan's ``num.idx``)."""
    pt = model.partable
    in_theta = set(int(k) for k in kept)
    resvar_par, seen = [], set()
    for i in range(len(pt)):
        k = int(pt.par_index[i])
        if (k >= 0 and k not in in_theta and k not in seen and pt.op[i] == "~~" and pt.lhs[i] == pt.rhs[i]
                and pt.lhs[i] in ordinal):
            g = int(pt.group[i]) - 1
            resvar_par.append((k, g, list(model.groups[g].ov).index(pt.lhs[i])))
            seen.add(k)
    return {"resvar_par": resvar_par, "numeric": numeric_positions(model, ordinal)}


def _group_codes(d: pd.DataFrame, missing: str, levels: list[np.ndarray]):
    """Codes of the rows a fit used, checked against the fit's levels."""
    Y, lev, _ = _codes(d, missing)
    if [x.size for x in lev] != [x.size for x in levels] or not all(np.array_equal(a, b) for a, b in zip(lev, levels)):
        raise EstimationError(None, "the data given to the bootstrap are not the data of the fit")
    return Y, list(levels)


class WLSMVBootstrapResult(OrdinalSEMResult):
    """An :class:`OrdinalSEMResult` with bootstrap SEs and CIs; ``boot`` holds the :class:`WLSMVBootstrap`."""

    boot: WLSMVBootstrap | None = None

    def parameter_estimates(self, *, level: float | None = None, standardized: bool = True) -> pd.DataFrame:
        """The estimates with bootstrap SEs; ``ci.lower`` / ``ci.upper`` are the bootstrap intervals."""
        df = super().parameter_estimates(standardized=standardized)
        df["ci.lower"] = self.table["boot.ci.lower"].to_numpy()
        df["ci.upper"] = self.table["boot.ci.upper"].to_numpy()
        return df.drop(columns=["boot.ci.lower", "boot.ci.upper"])

    def summary(self, *, fit_measures: bool = True, standardized: bool = True) -> str:
        """The WLSMV summary with lavaan's bootstrap lines (requested and successful draws; no information
        lines); the failed and non-admissible draws are among its warnings, as lavaan warns them."""
        return bootstrap_summary(super().summary(fit_measures=fit_measures, standardized=standardized),
                                 self.boot.B, self.boot.n_ok)

    def to_dict(self):
        out = super().to_dict()
        b = self.boot
        out["bootstrap"] = {"B": b.B, "successful": b.n_ok, "failed": b.n_failed,
                            "nonconverged": b.n_nonconverged, "nonadmissible": b.n_nonadmissible, "ci": b.ci,
                            "level": b.level, "seed": b.seed, "workers": b.workers,
                            "seconds": round(float(b.seconds), 4)}
        return out


def with_wlsmv_bootstrap(res: OrdinalSEMResult, B: int = 1000, *, data: pd.DataFrame, ci: str = "percentile",
                         seed=None, workers: int | None = None, scheduler=None, progress: bool | None = None,
                         level: float = 0.95, warn: bool = True) -> OrdinalSEMResult:
    """A copy of a WLSMV fit with bootstrap SEs and intervals in its estimates table (lavaan's
    ``se = "bootstrap"``); ``to_dict()`` gains a ``"bootstrap"`` block.

    >>> from iur_survey.sem import sem
    >>> rng = np.random.default_rng(7)
    >>> f = rng.normal(size=(300, 1))
    >>> y = f @ [[.8, .7, .6]] + rng.normal(size=(300, 3)) * .6
    >>> d = pd.DataFrame(np.digitize(y, [-1, 0, 1]), columns=["a", "b", "c"])
    >>> r = with_wlsmv_bootstrap(sem("F =~ a + b + c", d, ordered=True), 20, data=d, seed=2, workers=1,
    ...                          progress=False)
    >>> r.se_type, r.to_dict()["bootstrap"]["successful"]
    ('bootstrap', 20)
    """
    bt = wlsmv_bootstrap(res, B, data=data, ci=ci, seed=seed, workers=workers, scheduler=scheduler,
                         progress=progress, level=level, warn=warn)
    return _boot_result(res, bt)


def _boot_result(res: OrdinalSEMResult, bt: WLSMVBootstrap) -> WLSMVBootstrapResult:
    """The fit with the SEs and intervals of the draws ``bt`` (``:=`` rows: SD divisor B - 1 and interval of
    ``bt.defined`` over the successful draws)."""
    table = res.table.copy()
    groups = res.meta.get("wlsmv_groups")
    if groups is not None:
        par = groups.table_par
    else:
        par = _single_table_par(res)
    se_b = bt.se()
    ok = bt.status == 0
    se_col = table["se"].to_numpy(dtype=float).copy()
    lo = np.full(len(table), np.nan)
    hi = np.full(len(table), np.nan)
    est = table["est"].to_numpy(dtype=float)
    ndef = 0
    mean = bt.est[ok].mean(axis=0) if ok.any() else np.full(bt.est.shape[1], np.nan)     # lavaan's "norm" centre
    mean_def = defined_draws(res, mean[None, :], np.zeros(1, int)) if bt.defined is not None else None
    for i, q in enumerate(par):
        if q >= 0:
            se_col[i] = se_b[q]
            lo[i], hi[i] = bt.interval(bt.est[ok, q], est[i], se_b[q], mean[q])
        elif table["op"].iat[i] == ":=":
            t = bt.defined[ok, ndef]
            with np.errstate(invalid="ignore"):     # a := effect that is Inf (a/0): SE NaN, as lavaan's NA
                se_col[i] = float(np.std(t, ddof=1)) if t.size > 1 else np.nan
            lo[i], hi[i] = bt.interval(t, est[i], se_col[i], mean_def[0, ndef])
            ndef += 1
        else:
            lo[i] = hi[i] = est[i]          # fixed rows
    table["se"] = se_col
    table["boot.ci.lower"] = lo
    table["boot.ci.upper"] = hi
    vals = {f.name: getattr(res, f.name) for f in fields(OrdinalSEMResult)}
    vals["table"] = table
    vals["se_type"] = "bootstrap"
    vals["warnings"] = list(res.warnings) + bt.warnings
    vals["meta"] = dict(res.meta, bootstrap={"B": bt.B, "ci": bt.ci, "seed": bt.seed})
    vals["vcov_theta"] = bt.vcov() if bt.n_ok > 1 else res.vcov_theta
    out = WLSMVBootstrapResult(**vals)
    out.boot = bt
    return out


def _single_table_par(res: OrdinalSEMResult) -> np.ndarray:
    """Per estimates-table row of a one-group fit: its column of ``theta`` (-1: not estimated)."""
    wl = res.meta["wlsmv"]
    return dwls_table_columns(res.partable, res.table, wl.kept, wl.stats.th.index)

