"""Nonparametric (case-resampling) bootstrap of a fitted SEM, as lavaan's ``se = "bootstrap"``.

:func:`bootstrap` refits the model to ``B`` resamples of the cases (rows drawn
with replacement, within each group, as lavaan's ``sample.int(nobs, replace =
TRUE)``) and returns a :class:`BootstrapResult`: the ``B x k`` matrix of
estimates (``k`` = free parameters, then the ``:=`` parameters), the counts of
failed / non-converged / non-admissible draws, and lavaan's tables.

lavaan's conventions, reproduced on purpose (lavaan 0.6.14, ``lav_model_nvcov_bootstrap``,
``lav_model_vcov_se`` and ``parameterEstimates``):

* draws that fail or do not converge are dropped from the SEs and CIs (lavaan
  drops them, ``attr(lavInspect(fit, "boot"), "error.idx")``, and warns "N bootstrap
  runs failed or did not converge"); here they stay as NaN rows, are *counted*
  (:attr:`BootstrapResult.n_failed`, :attr:`BootstrapResult.n_nonconverged`) and
  warned about (:class:`~iur_survey.sem.results.SEMFitWarning`, unless ``warn=False``);
  non-admissible solutions (a negative variance, a non positive-definite latent
  or residual covariance matrix) are kept and counted, as lavaan does;
* ``B`` below is the number of successful draws (lavaan's ``nboot``): standard
  error of a free parameter = SD of its draws with divisor ``B`` (lavaan computes
  ``cov(COEF) * (B - 1) / B``); of a ``:=`` parameter = SD with divisor ``B - 1``
  (lavaan takes ``cov()`` of the transformed draws).  When a draw failed, lavaan
  0.6.14 reports the ``:=`` SEs (so z and p) as NA: it applies ``cov()`` to the draws
  *with* the failed NA rows (its bug #273, fixed in 0.6-16 by dropping them first,
  which is the rule here; its CIs of ``:=`` already drop them);
* a fit that did not converge is not bootstrapped (:class:`~iur_survey.sem.results.NotConvergedError`):
  lavaan computes no vcov for it, hence no bootstrap either;
* ``ci="percentile"`` is lavaan's ``boot.ci.type = "perc"``: the quantiles
  ``(1 -/+ level) / 2`` by the normal-scale interpolation of the order
  statistics that lavaan copies from the boot package (``norm.inter``), not by
  ``quantile()``;
* ``ci="bca.simple"`` is lavaan's ``"bca.simple"``: bias-corrected only
  (``z0 = qnorm(mean(t < t0))``, acceleration 0);
* ``ci="norm"`` and ``ci="basic"`` are lavaan's: ``2 est - boot.est -/+ qnorm((1 + level) / 2) se`` with
  ``boot.est`` the parameters at the mean of the draws (a ``:=`` parameter: its function of that mean), and
  ``2 est - q`` with ``q`` the ``norm_inter`` quantiles ``(1 +/- level) / 2`` of the draws;
* ``ci="bca"`` is the full BCa interval (Efron 1987) with the acceleration from
  the jackknife (``N`` leave-one-case-out refits).  (lavaan's own ``"bca"``
  estimates the acceleration by regressing the draws on the resampling
  frequencies and needs ``B >= N``; the jackknife is the textbook estimate.)

This module holds what lavaan's ``lav_bootstrap.R`` holds: drawing the resamples and the interval
formulas.  The refits are the engine's (:mod:`iur_survey.sem.refit`): for complete data a resample's moments
come from its case counts (``w = bincount(idx) / N``, ``S = X' diag(w) X - m m'``) and whole chunks of
draws are fitted *together* by the engine's batched ML objective (:func:`iur_survey.sem.ml.ml_evaluate`,
of which a single fit is the batch of one) and the one optimiser
(:func:`iur_survey.sem.estimate.optimize`, of which a single fit is the batch of one too; warm started at the
full-sample solution, :func:`iur_survey.sem.estimate.warm_stages`); with missing data (FIML) each
draw rebuilds its missing-data patterns (:class:`iur_survey.sem.fiml.FimlBatch`).  Standard errors are not
computed inside the draws, and the ``:=`` values come from the compiled expressions, vectorised over the
draws.

Reproducibility: draw ``b`` uses its own random stream,
``SeedSequence(seed).spawn(B)[b]``, so the draws are the same whatever the
number of workers or the chunking.  Parallelism: see :mod:`iur_survey.sem.parallel`.

>>> import numpy as np, pandas as pd
>>> from iur_survey.sem import sem
>>> rng = np.random.default_rng(1)
>>> f = rng.standard_normal((200, 1))
>>> d = pd.DataFrame(f @ [[1.0, 0.8, 0.7]] + 0.6 * rng.standard_normal((200, 3)), columns=["a", "b", "c"])
>>> bt = bootstrap(sem("F =~ a + l2*b + l3*c\\nr := l2/l3", d), 50, data=d, seed=1, progress=False)
>>> bt.estimates.shape, bt.n_failed, bt.n_nonconverged
((50, 7), 0, 0)
>>> bt.columns
['l2', 'l3', 'a~~a', 'b~~b', 'c~~c', 'F~~F', 'r']
>>> pe = bt.parameter_estimates()          # lavaan's table: se = bootstrap SD, percentile CIs
>>> r = pe[pe["op"] == ":="].iloc[0]
>>> bool(r["ci.lower"] < r["est"] < r["ci.upper"]), bool(r["se"] > 0)
(True, True)
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, fields
from typing import Any, Sequence

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from ..errors import EstimationError
from .compare import fitted_data
from .defined import from_partable
from .estimate import FAILED, NONCONVERGED, OK
from .parallel import available_cores, map_chunks
from .refit import RefitProblem, refit
from .results import SEMFitWarning, SEMResult, json_number, require_converged_fit, z_pvalue
from .standardized import standardize_batch

__all__ = ["bootstrap", "BootstrapResult", "case_counts", "jackknife_counts", "BootstrapSEMResult", "with_bootstrap", "norm_inter",
           "percentile_ci", "bca_ci", "jackknife_acceleration", "quantile_mc_se", "warn_bootstrap", "CI_TYPES",
           "bootstrap_summary"]

#: accepted ``ci`` names -> canonical name
CI_TYPES = {"percentile": "percentile", "perc": "percentile", "bca.simple": "bca.simple", "bca": "bca",
            "norm": "norm", "basic": "basic"}



# =============================================================================================== CI formulas
def norm_inter(t: np.ndarray, alpha) -> np.ndarray:
    """Quantiles of ``t`` as lavaan / boot's ``norm.inter``: order statistic ``(B + 1) alpha``,
    interpolated on the normal-quantile scale between neighbouring order statistics.

    Non-finite values of ``t`` are ignored (as lavaan).

    >>> t = np.arange(1.0, 20.0)          # 19 values: (19 + 1) * 0.05 = 1 is an order statistic
    >>> norm_inter(t, [0.05, 0.5, 0.95]).tolist()
    [1.0, 10.0, 19.0]
    >>> round(float(norm_inter(t, [0.1125])[0]), 4)   # rk = 2.25: between t(2) and t(3); R: 2.278282
    2.2783
    """
    t = np.asarray(t, float)
    t = np.sort(t[np.isfinite(t)])
    alpha = np.atleast_1d(np.asarray(alpha, float))
    R = t.size
    out = np.full(alpha.shape, np.nan)
    if R == 0:
        return out
    rk = (R + 1) * alpha
    k = np.trunc(rk).astype(int)
    for j in range(alpha.size):
        kj = k[j]
        if kj <= 0:
            out[j] = t[0]
        elif kj >= R:
            out[j] = t[R - 1]
        elif kj == rk[j]:
            out[j] = t[kj - 1]
        else:
            z1 = ndtri(alpha[j])
            z2 = ndtri(kj / (R + 1))
            z3 = ndtri((kj + 1) / (R + 1))
            tk, tk1 = t[kj - 1], t[kj]
            out[j] = tk + (z1 - z2) / (z3 - z2) * (tk1 - tk)
    return out


def percentile_ci(t: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """lavaan's percentile interval (``boot.ci.type = "perc"``) of the draws ``t``.

    >>> lo, hi = percentile_ci(np.arange(1.0, 40.0), 0.95)   # (39 + 1) * 0.025 = 1, 40 * 0.975 = 39
    >>> round(lo, 10), round(hi, 10)
    (1.0, 39.0)
    """
    a = (1 - level) / 2
    lo, hi = norm_inter(t, [a, 1 - a])
    return float(lo), float(hi)


def bca_ci(t: np.ndarray, t0: float, level: float = 0.95, accel: float = 0.0) -> tuple[float, float]:
    """Bias-corrected (and accelerated) interval of the draws ``t`` around the estimate ``t0``.

    ``z0 = qnorm(#(t < t0) / B)``; the interval is the ``norm_inter`` quantiles at
    ``pnorm(z0 + (z0 + z) / (1 - a (z0 + z)))`` for ``z = qnorm((1 -/+ level) / 2)``.
    ``accel = 0`` is lavaan's ``"bca.simple"``; with the jackknife acceleration
    (:func:`jackknife_acceleration`) it is Efron's BCa.

    >>> t = np.linspace(-2, 2, 200)
    >>> bca_ci(t, 0.0, 0.9) == percentile_ci(t, 0.9)      # no bias (half below t0), no acceleration
    True
    >>> t = np.linspace(-2, 2, 199)
    >>> [round(x, 4) for x in bca_ci(t, 0.3, 0.9)]        # R (boot's norm.inter): -1.613245 1.930443
    [-1.6132, 1.9304]
    """
    t = np.asarray(t, float)
    t = t[np.isfinite(t)]
    if t.size == 0:
        return (math.nan, math.nan)
    a = (1 - level) / 2
    z = ndtri(np.array([a, 1 - a]))
    z0 = ndtri(np.sum(t < t0) / t.size)
    with np.errstate(divide="ignore", invalid="ignore"):
        adj = ndtr(z0 + (z0 + z) / (1 - accel * (z0 + z)))
    lo, hi = norm_inter(t, adj)
    return float(lo), float(hi)


def jackknife_acceleration(jack: np.ndarray) -> np.ndarray:
    """BCa acceleration from leave-one-out estimates (rows = cases, columns = statistics):
    ``a = sum(L^3) / (6 sum(L^2)^1.5)`` with ``L = mean(jack) - jack`` (Efron & Tibshirani 1993, 14.15).

    >>> float(jackknife_acceleration(np.array([[1.0], [2.0], [3.0]]))[0])   # symmetric: no acceleration
    0.0
    >>> round(float(jackknife_acceleration(np.array([[0.0], [0.0], [3.0]]))[0]), 4)   # R: -0.06804138
    -0.068
    """
    J = np.asarray(jack, float)
    if J.ndim == 1:
        J = J[:, None]
    out = np.full(J.shape[1], np.nan)
    for j in range(J.shape[1]):
        x = J[:, j]
        x = x[np.isfinite(x)]
        if x.size < 3:
            continue
        L = x.mean() - x
        den = 6.0 * np.sum(L ** 2) ** 1.5
        out[j] = float(np.sum(L ** 3) / den) if den > 0 else 0.0
    return out


def quantile_mc_se(t: np.ndarray, alpha: float, conf: float = 0.95) -> float:
    """Monte Carlo standard error of the bootstrap ``alpha``-quantile of ``t`` (distribution-free).

    The order statistics ``k -/+ z sqrt(B alpha (1 - alpha))`` bracket the true quantile with
    probability ``conf``; their distance divided by ``2 z`` estimates the standard error of the
    sample quantile (the binomial / order-statistic argument, no density estimate needed).

    >>> t = np.random.default_rng(0).standard_normal(4000)
    >>> se = quantile_mc_se(t, 0.025)        # asymptotic: sqrt(.025 * .975 / 4000) / dnorm(1.96) = 0.042
    >>> 0.03 < se < 0.055
    True
    """
    t = np.sort(np.asarray(t, float)[np.isfinite(t)])
    B = t.size
    if B < 3:
        return math.nan
    z = ndtri(0.5 + conf / 2)
    half = z * math.sqrt(B * alpha * (1 - alpha))
    lo = int(np.clip(math.floor(B * alpha - half), 0, B - 1))
    hi = int(np.clip(math.ceil(B * alpha + half), 0, B - 1))
    return float((t[hi] - t[lo]) / (2 * z))


# =============================================================================================== resampling
@dataclass
class _Job:
    """What a worker needs: the refit problem and how to draw (seed entropy or user-given indices)."""

    problem: RefitProblem
    entropy: int
    indices: np.ndarray | None = None      # user-given resamples (B x N, one group)


def case_counts(entropy: int, start: int, stop: int, nobs: Sequence[int], indices=None) -> list[np.ndarray]:
    """Case counts (per group, K x N_g) of bootstrap draws [start, stop): draw ``b`` resamples each group
    with :func:`draw_indices` (or takes row ``b`` of the user-given ``indices``).

    >>> c = case_counts(2022, 0, 3, [10])[0]
    >>> c.shape, c.sum(axis=1).tolist()
    ((3, 10), [10, 10, 10])
    """
    out = [np.zeros((stop - start, n), np.int64) for n in nobs]
    for r, b in enumerate(range(start, stop)):
        if indices is not None:
            out[0][r] = np.bincount(np.asarray(indices[b], np.intp), minlength=nobs[0])[:nobs[0]]
            continue
        for g, idx in enumerate(draw_indices(entropy, b, nobs)):
            out[g][r] = np.bincount(idx, minlength=nobs[g])
    return out


def jackknife_counts(start: int, stop: int, nobs: Sequence[int]) -> list[np.ndarray]:
    """Case counts (per group, K x N_g) of the leave-one-case-out samples [start, stop) (cases numbered
    across the groups).

    >>> jackknife_counts(1, 3, [2, 2])[0].tolist()
    [[1, 0], [1, 1]]
    """
    out = [np.ones((stop - start, n), np.int64) for n in nobs]
    offs = np.cumsum([0] + list(nobs))
    for r, case in enumerate(range(start, stop)):
        g = int(np.searchsorted(offs, case, side="right") - 1)
        out[g][r, case - offs[g]] = 0
    return out


def require_draws(B) -> int:
    """``B`` as an int, or an :class:`~iur_survey.errors.EstimationError` when it is below 2 (no SE or CI
    from one draw) -- the one check of the ML and WLSMV bootstraps.

    >>> require_draws(2)
    2
    >>> require_draws(1)
    Traceback (most recent call last):
    iur_survey.errors.EstimationError: B=1: the bootstrap needs at least 2 draws
    """
    B = int(B)
    if B < 2:
        raise EstimationError(None, f"B={B}: the bootstrap needs at least 2 draws")
    return B


def seed_entropy(seed) -> int:
    """The integer entropy behind a bootstrap's per-draw seeds: ``seed`` itself, a SeedSequence's
    entropy, or fresh OS entropy for None (then recorded in the result, so the run can be repeated).

    >>> seed_entropy(2022), seed_entropy(np.random.SeedSequence(7))
    (2022, 7)
    """
    if isinstance(seed, np.random.SeedSequence):
        return int(seed.entropy)
    if seed is None:
        return int(np.random.SeedSequence().entropy)
    return int(seed)


def draw_indices(entropy: int, b: int, nobs: Sequence[int]) -> list[np.ndarray]:
    """The row indices of bootstrap draw ``b`` (one array per group) for a given seed entropy.

    Draw ``b`` uses the random stream ``SeedSequence(entropy, spawn_key=(b,))``, i.e. the
    ``b``-th child of ``SeedSequence(entropy).spawn(...)``; it does not depend on the other draws.

    >>> a = draw_indices(2022, 5, [10])[0]
    >>> b = np.random.default_rng(np.random.SeedSequence(2022).spawn(6)[5]).integers(0, 10, size=10)
    >>> bool((a == b).all())
    True
    """
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy, spawn_key=(b,))))
    return [rng.integers(0, n, size=n) for n in nobs]


def _run_chunk(job: _Job, chunk: tuple[str, int, int]) -> dict:
    """Refit draws [start, stop) of a chunk (``"boot"``) or jackknife cases (``"jack"``) with the engine."""
    kind, start, stop = chunk
    nobs = [X.shape[0] for X in job.problem.Xg]
    counts = (jackknife_counts(start, stop, nobs) if kind == "jack"
              else case_counts(job.entropy, start, stop, nobs, job.indices))
    return refit(job.problem, counts)


# =============================================================================================== results
def _param_names(pt) -> list[str]:
    """lavaan's coef() names of the free parameters, in theta order (label if any, else lhs op rhs,
    ``.gG`` for groups after the first)."""
    names = [""] * pt.npar
    for i in range(len(pt)):
        k = int(pt.par_index[i])
        if k < 0 or names[k]:
            continue
        name = pt.label[i] or f"{pt.lhs[i]}{pt.op[i]}{pt.rhs[i]}"
        if not pt.label[i] and pt.group[i] > 1:
            name += f".g{pt.group[i]}"
        names[k] = name
    return names


@dataclass
class BootstrapResult:
    """The draws of :func:`bootstrap` and lavaan's bootstrap tables.

    ``estimates``: B x k (free parameters in theta order, then the ``:=`` parameters); NaN rows for the
    draws that failed or did not converge.  ``status``: 0 ok, 1 failed, 2 not converged.
    """

    fit: SEMResult
    estimates: np.ndarray
    columns: list[str]
    n_free: int
    status: np.ndarray
    nonadmissible: np.ndarray
    iterations: np.ndarray
    ci: str
    level: float
    seed: int
    workers: int
    scheduler: str
    seconds: float = 0.0
    jackknife: np.ndarray | None = None
    acceleration: np.ndarray | None = None
    warnings: list[str] = field(default_factory=list)

    # ------------------------------------------------------------------ counts
    @property
    def B(self) -> int:
        """Number of draws asked for."""
        return int(self.estimates.shape[0])

    @property
    def n_failed(self) -> int:
        """Draws whose resample or fit failed (e.g. a singular resample covariance matrix)."""
        return int(np.sum(self.status == FAILED))

    @property
    def n_nonconverged(self) -> int:
        """Draws whose optimiser did not converge."""
        return int(np.sum(self.status == NONCONVERGED))

    @property
    def n_ok(self) -> int:
        """Draws used for SEs and CIs (lavaan's ``bootstrap.successful``)."""
        return int(np.sum(self.status == OK))

    @property
    def n_nonadmissible(self) -> int:
        """Converged draws with a non-admissible solution (kept, as lavaan; counted)."""
        return int(np.sum(self.nonadmissible))

    # ------------------------------------------------------------------ statistics
    def _ok(self) -> np.ndarray:
        return self.estimates[self.status == OK]

    def point_estimates(self) -> np.ndarray:
        """The full-sample estimates of the k columns."""
        th = self.fit.theta
        pt = self.fit.partable
        out = list(th)
        if len(pt.def_rows):
            out += list(self.fit.est[pt.def_rows])
        return np.asarray(out, float)

    def se(self) -> pd.Series:
        """Bootstrap standard errors, lavaan's: SD with divisor B for free parameters, B - 1 for ``:=``."""
        E = self._ok()
        out = np.full(E.shape[1], np.nan)
        if E.shape[0] >= 2:
            out[:self.n_free] = np.std(E[:, :self.n_free], axis=0, ddof=0)
            with np.errstate(invalid="ignore"):     # a := effect that is Inf (a/0): SE NaN, as lavaan's NA
                out[self.n_free:] = np.std(E[:, self.n_free:], axis=0, ddof=1)
        return pd.Series(out, index=self.columns, name="se")

    def vcov(self) -> pd.DataFrame:
        """lavaan's bootstrap ``vcov``: covariance of the free-parameter draws with divisor B."""
        E = self._ok()[:, :self.n_free]
        V = np.cov(E, rowvar=False, ddof=0) if E.shape[0] >= 2 else np.full((self.n_free,) * 2, np.nan)
        V = np.atleast_2d(V)
        return pd.DataFrame(V, index=self.columns[:self.n_free], columns=self.columns[:self.n_free])

    def confidence_intervals(self, ci: str | None = None, level: float | None = None) -> pd.DataFrame:
        """Lower / upper bound of every column (``ci``: "percentile" | "bca.simple" | "bca" | "norm" |
        "basic").

        Each bound comes with its Monte Carlo standard error (:func:`quantile_mc_se` at the
        bound's (adjusted) probability; NaN for "norm", whose bounds are no quantiles).
        """
        kind = _ci_name(ci or self.ci)
        level = self.level if level is None else float(level)
        E = self._ok()
        t0 = self.point_estimates()
        if kind == "norm":
            # lavaan: (est - bias) + se * qnorm(a), bias = the parameters at colMeans(BOOT) - est
            centre = np.full(E.shape[1], np.nan)
            if E.shape[0]:
                mean = np.nanmean(E[:, :self.n_free], axis=0)
                defs = from_partable(self.fit.partable, self.fit.est)
                centre = _with_defined(mean[None, :], defs)[0]
            half = ndtri((1 + level) / 2) * self.se().to_numpy()
            mid = 2 * t0 - centre
            nan = np.full(E.shape[1], np.nan)
            return pd.DataFrame({"ci.lower": mid - half, "ci.upper": mid + half, "mcse.lower": nan,
                                 "mcse.upper": nan}, index=self.columns)
        if kind == "bca":
            acc = self.acceleration
            if acc is None:
                raise EstimationError(None, "BCa intervals need the jackknife: run bootstrap(..., ci='bca')")
        else:
            acc = np.zeros(E.shape[1])
        rows = _intervals(E, t0, kind, level, acc, constant_as_point=np.arange(E.shape[1]) < self.n_free)
        return pd.DataFrame(rows, index=self.columns, columns=["ci.lower", "ci.upper", "mcse.lower", "mcse.upper"])

    def parameter_estimates(self, *, ci: str | None = None, level: float | None = None,
                            standardized: bool = True) -> pd.DataFrame:
        """lavaan's ``parameterEstimates()`` after ``se = "bootstrap"`` (``boot.ci.type`` = ``ci``):
        se = bootstrap SD, z = est / se, p from the normal, ci.lower / ci.upper from the draws
        (fixed rows: se 0, ci = est)."""
        level = self.level if level is None else float(level)
        pe = self.fit.parameter_estimates(level=level, standardized=standardized)
        pt = self.fit.partable
        keep = [i for i in range(len(pt)) if pt.op[i] not in ("==", "<", ">")]
        defs = {int(r): k for k, r in enumerate(pt.def_rows)}
        col = []
        for i in keep:
            if pt.op[i] == ":=":
                col.append(self.n_free + defs[i])
            elif pt.par_index[i] >= 0:
                col.append(int(pt.par_index[i]))
            else:
                col.append(-1)
        col = np.asarray(col)
        se_all = self.se().to_numpy()
        cis = self.confidence_intervals(ci, level)
        est = pe["est"].to_numpy(float)
        free = col >= 0
        se = np.zeros(len(keep))
        se[free] = se_all[col[free]]
        lo = est.copy()
        hi = est.copy()
        lo[free] = cis["ci.lower"].to_numpy()[col[free]]
        hi[free] = cis["ci.upper"].to_numpy()[col[free]]
        eps = math.sqrt(np.finfo(float).eps)
        se = np.where(se < eps, 0.0, se)
        with np.errstate(divide="ignore", invalid="ignore"):
            zval = est / np.where(se < eps, np.nan, se)
        pe["se"] = se
        pe["z"] = zval
        pe["pvalue"] = z_pvalue(zval)
        pe["ci.lower"] = lo
        pe["ci.upper"] = hi
        return pe

    # ------------------------------------------------------------------ standardized solutions
    def _std_of(self, est: np.ndarray, type: str) -> np.ndarray:
        """The standardized value of every row of :meth:`parameter_estimates` for each row of ``est``
        (free parameters, then ``:=``; NaN rows stay NaN).  Fixed.x rows keep the fitted sample's values
        in every draw, as in lavaan's bootstrap (its refits take the fixed.x values from the parameter
        table)."""
        pt, model = self.fit.partable, self.fit.model
        if type not in ("std.all", "std.lv", "std.nox"):
            raise EstimationError(None, f"type={type!r}: use 'std.all', 'std.lv' or 'std.nox'")
        keep = [i for i in range(len(pt)) if pt.op[i] not in ("==", "<", ">")]
        out = np.full((est.shape[0], len(keep)), np.nan)
        good = np.flatnonzero(np.all(np.isfinite(est[:, :self.n_free]), axis=1))
        if not good.size:
            return out
        Theta = est[good, :self.n_free]
        rows = np.tile(model.row_values(self.fit.theta), (good.size, 1))
        free = np.flatnonzero(np.asarray(pt.free) > 0)
        rows[:, free] = Theta[:, np.asarray(pt.par_index)[free]]
        std = standardize_batch(pt, model, Theta, rows)[type]
        out[good] = std[:, keep]
        return out

    def standardized_draws(self, type: str = "std.all") -> pd.DataFrame:
        """B x rows: the standardized solution (lavaan's ``standardizedSolution(type = type)$est.std``) of
        every draw, as ``bootstrapLavaan(fit, FUN = standardizedSolution)`` gives it; columns are the rows of
        :meth:`parameter_estimates` (``lhs op rhs``, ``.gG`` after the first group); NaN rows for the draws
        that failed or did not converge."""
        pt = self.fit.partable
        keep = [i for i in range(len(pt)) if pt.op[i] not in ("==", "<", ">")]
        names = [f"{pt.lhs[i]}{pt.op[i]}{pt.rhs[i]}" + (f".g{pt.group[i]}" if pt.group[i] > 1 else "")
                 for i in keep]
        E = self.estimates.copy()
        E[self.status != OK] = np.nan
        return pd.DataFrame(self._std_of(E, type), columns=names)

    def standardized_solution(self, type: str = "std.all", *, ci: str | None = None,
                              level: float | None = None) -> pd.DataFrame:
        """lavaan's ``standardizedSolution()`` with bootstrap standard errors and intervals: ``est.std`` of
        the full sample, ``se`` = SD of the draws' standardized values (``sd()``, divisor B - 1, as one
        computes it from ``bootstrapLavaan(fit, FUN = standardizedSolution)``), ``z``, ``pvalue`` (normal)
        and ``ci.lower`` / ``ci.upper`` from the draws by the same rules as :meth:`confidence_intervals`
        (``ci`` "percentile" | "basic" | "bca.simple" | "bca"; rows whose draws do not vary: se 0, ci = est.std).

        >>> import numpy as np, pandas as pd
        >>> from iur_survey.sem import sem
        >>> rng = np.random.default_rng(3)
        >>> x = rng.standard_normal((150, 1))
        >>> m = 0.5 * x + rng.standard_normal((150, 1))
        >>> d = pd.DataFrame(np.hstack([x, m, 0.4 * m + rng.standard_normal((150, 1))]), columns=["x", "m", "y"])
        >>> bt = bootstrap(sem("m ~ a*x\\ny ~ b*m\\nab := a*b", d), 60, data=d, seed=1, progress=False)
        >>> ss = bt.standardized_solution()
        >>> r = ss[ss["op"] == ":="].iloc[0]
        >>> bool(r["ci.lower"] < r["est.std"] < r["ci.upper"]), bool(r["se"] > 0)
        (True, True)
        """
        kind = _ci_name(ci or self.ci)
        level = self.level if level is None else float(level)
        pe = self.fit.parameter_estimates(level=level, standardized=True)
        cols = [c for c in ("lhs", "op", "rhs", "block", "group", "label") if c in pe.columns]
        out = pe[cols].copy()
        t0 = pe[type].to_numpy(float)
        draws = self.standardized_draws(type).to_numpy()
        E = draws[self.status == OK]
        if kind == "norm":
            raise EstimationError(None, "ci='norm' is lavaan's interval of the parameters (parameterEstimates); "
                                        "for standardized draws use 'percentile', 'basic', 'bca.simple' or 'bca'")
        if kind == "bca":
            if self.jackknife is None:
                raise EstimationError(None, "BCa intervals need the jackknife: run bootstrap(..., ci='bca')")
            acc = jackknife_acceleration(self._std_of(self.jackknife, type))
        else:
            acc = np.zeros(E.shape[1])
        fin = np.isfinite(E)
        n = fin.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(fin, E, 0.0).sum(axis=0) / n
            se = np.sqrt((np.where(fin, E - mean, 0.0) ** 2).sum(axis=0) / (n - 1))
        const = np.array([np.ptp(E[fin[:, j], j]) == 0 if n[j] else False for j in range(E.shape[1])])
        se = np.where(const, 0.0, se)
        rows = _intervals(E, t0, kind, level, acc, constant_as_point=np.ones(E.shape[1], bool))
        lo = np.array([r[0] for r in rows])
        hi = np.array([r[1] for r in rows])
        lo = np.where(const, t0, lo)
        hi = np.where(const, t0, hi)
        eps = math.sqrt(np.finfo(float).eps)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = t0 / np.where(se < eps, np.nan, se)
        out["est.std"] = t0
        out["se"] = se
        out["z"] = z
        out["pvalue"] = z_pvalue(z)
        out["ci.lower"] = lo
        out["ci.upper"] = hi
        return out.reset_index(drop=True)

    def summary(self) -> str:
        """A short report: draws, failures, CI type, then the parameter table."""
        ci = _ci_name(self.ci)
        name = {"percentile": "percentile (lavaan's \"perc\")",
                "bca.simple": "bias-corrected (lavaan's \"bca.simple\")",
                "bca": "BCa, jackknife acceleration", "norm": "normal, bias-corrected (lavaan's \"norm\")",
                "basic": "basic (lavaan's \"basic\")"}[ci]
        L = [f"Nonparametric bootstrap of the SEM ({self.fit.estimator}, missing = {self.fit.missing})",
             "",
             f"  Bootstrap draws requested                 {self.B:>10d}",
             f"  Successful draws (used)                   {self.n_ok:>10d}",
             f"  Failed draws                              {self.n_failed:>10d}",
             f"  Non-converged draws                       {self.n_nonconverged:>10d}",
             f"  Non-admissible solutions (kept)           {self.n_nonadmissible:>10d}",
             f"  Confidence intervals: {round(self.level * 100, 6):g}% {name}",
             f"  Seed (SeedSequence entropy)               {self.seed:>10}",
             f"  Workers                                   {self.workers:>10d} ({self.scheduler})",
             f"  Seconds                                   {self.seconds:>10.2f}",
             ""]
        pe = self.parameter_estimates(standardized=False)
        show = pe[(pe["se"] > 0) | (pe["op"] == ":=")]
        L.append(f"  {'parameter':<24}{'est':>9}{'boot.se':>9}{'z':>9}{'ci.lower':>10}{'ci.upper':>10}")
        for r in show.to_dict("records"):
            nm = r["label"] or f"{r['lhs']}{r['op']}{r['rhs']}"
            if r["op"] == ":=":
                nm = r["lhs"]
            L.append(f"  {nm[:24]:<24}{r['est']:>9.3f}{r['se']:>9.3f}{r['z']:>9.3f}"
                     f"{r['ci.lower']:>10.3f}{r['ci.upper']:>10.3f}")
        if self.warnings:
            L.append("")
            L.append("Warnings:")
            L.extend("  - " + w for w in self.warnings)
        return "\n".join(L)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: settings, counts, and per column est / se / ci / MC errors of the bounds."""
        cis = self.confidence_intervals()
        se = self.se()
        t0 = self.point_estimates()
        return {
            "B": self.B, "successful": self.n_ok, "failed": self.n_failed,
            "nonconverged": self.n_nonconverged, "nonadmissible": self.n_nonadmissible,
            "ci": _ci_name(self.ci), "level": self.level, "seed": self.seed, "workers": self.workers,
            "scheduler": self.scheduler, "seconds": round(float(self.seconds), 4),
            "warnings": list(self.warnings),
            "parameters": [{"name": c, "est": json_number(t0[j]), "se": json_number(se.iloc[j]),
                            "ci.lower": json_number(cis["ci.lower"].iloc[j]), "ci.upper": json_number(cis["ci.upper"].iloc[j]),
                            "mcse.lower": json_number(cis["mcse.lower"].iloc[j]),
                            "mcse.upper": json_number(cis["mcse.upper"].iloc[j])}
                           for j, c in enumerate(self.columns)],
        }

    def __repr__(self) -> str:
        return (f"<BootstrapResult B={self.B} ok={self.n_ok} failed={self.n_failed} "
                f"nonconverged={self.n_nonconverged} ci={_ci_name(self.ci)} level={self.level}>")


def _intervals(E: np.ndarray, t0: np.ndarray, kind: str, level: float, acc: np.ndarray,
               constant_as_point: np.ndarray) -> list[tuple[float, float, float, float]]:
    """(lower, upper, MC se of lower, MC se of upper) of every column of the draws ``E`` (B x k): lavaan's
    ``"perc"`` (``kind="percentile"``), ``"basic"``, ``"bca.simple"`` (``acc`` = 0) or BCa with acceleration ``acc``;
    for bias-corrected kinds a column in ``constant_as_point`` whose draws do not vary gets ci = t0."""
    a = (1 - level) / 2
    z = ndtri(np.array([a, 1 - a]))
    rows = []
    for j in range(E.shape[1]):
        t = E[:, j]
        t = t[np.isfinite(t)]
        if t.size == 0:
            rows.append((np.nan, np.nan, np.nan, np.nan))
            continue
        if kind in ("percentile", "basic"):
            probs = np.array([a, 1 - a])
        else:
            # lavaan skips free parameters whose draws do not vary (ci = est)
            if constant_as_point[j] and np.var(t) == 0:
                rows.append((t0[j], t0[j], 0.0, 0.0))
                continue
            z0 = ndtri(np.sum(t < t0[j]) / t.size)
            with np.errstate(divide="ignore", invalid="ignore"):
                probs = ndtr(z0 + (z0 + z) / (1 - acc[j] * (z0 + z)))
            if not np.all(np.isfinite(probs)):     # t0 outside the draws (z0 infinite): no interval
                rows.append((np.nan, np.nan, np.nan, np.nan))
                continue
        lo, hi = norm_inter(t, probs)
        se_lo = quantile_mc_se(t, float(np.clip(probs[0], 1e-6, 1 - 1e-6)))
        se_hi = quantile_mc_se(t, float(np.clip(probs[1], 1e-6, 1 - 1e-6)))
        if kind == "basic":                       # lavaan: 2 est - the upper / lower quantile
            lo, hi, se_lo, se_hi = 2 * t0[j] - hi, 2 * t0[j] - lo, se_hi, se_lo
        rows.append((lo, hi, se_lo, se_hi))
    return rows


def _ci_name(ci: str) -> str:
    try:
        return CI_TYPES[str(ci).lower()]
    except KeyError:
        raise EstimationError(None, f"ci={ci!r}: use 'percentile' (or 'perc'), 'bca.simple', 'bca', 'norm' or "
                                    "'basic'") from None


# =============================================================================================== entry point
#: draws per task; fixed (not derived from the number of workers) so that the draws are bit-for-bit the
#: same whatever runs them: a chunk is fitted as one batch, and batched floating-point sums may round
#: differently with another batch composition (~1e-15)
CHUNK_SIZE = 50


def _chunks(B: int, chunk_size: int | None) -> list[tuple[int, int]]:
    size = CHUNK_SIZE if chunk_size is None else max(1, int(chunk_size))
    return [(s, min(B, s + size)) for s in range(0, B, size)]


def bootstrap(result_or_spec, B: int | None = None, *, ci: str = "percentile", seed=None, workers: int | None = None,
              scheduler=None, progress: bool | str | None = None, level: float = 0.95,
              data: pd.DataFrame | None = None, indices=None, chunk_size: int | None = None, control: dict | None = None,
              warn: bool = True) -> BootstrapResult:
    """Nonparametric bootstrap of a SEM (see the module docstring).

    ``result_or_spec``: a fitted :class:`~iur_survey.sem.results.SEMResult` (then ``data=`` is the
    DataFrame given to :func:`~iur_survey.sem.api.sem`, unless the result carries its data), or a
    dict ``{"model": syntax, "data": DataFrame, **sem_options}`` that is fitted first.
    ``B`` draws (default 1000; with ``indices``, their number of rows, and a ``B`` that differs is refused); ``ci`` "percentile" (lavaan "perc") | "bca.simple" | "bca" (jackknife BCa) | "norm" | "basic";
    ``seed`` int / ``numpy.random.SeedSequence`` / None (fresh entropy, recorded in ``.seed``);
    ``workers`` (default None: every core when B >= 200, else 1; 1: no Dask); ``scheduler`` "threads" (the
    default) | "processes" | "tcp://host:port" | ``distributed.Client``; ``progress`` tqdm bar (None: when stderr
    is a terminal; "lines": a plain line at each tenth of the draws, for a log); ``indices`` user-given resamples (B x N row indices, single group);
    ``control`` {"gtol": 1e-9, "max_iter": 100, "fallback_iter": 200, "max_evals": None} for the optimiser of
    the draws (:func:`iur_survey.sem.estimate.warm_stages`: ``max_iter`` quasi-Newton iterations from the warm
    start, then scoring, quasi-Newton and polish with the ``fallback_iter`` budget for the draws it did not
    finish; ``max_evals`` a draw's evaluation budget, None: :func:`iur_survey.sem.estimate.draw_budget`, 20000:
    nlminb's ``eval.max``);
    ``chunk_size`` draws per task
    (default :data:`CHUNK_SIZE`; the draws are bit-for-bit identical for any ``workers`` / ``scheduler``,
    another ``chunk_size`` changes them by round-off only).  Draws that failed or did not converge, and
    non-admissible ones, are counted in ``.warnings`` and (``warn=True``, as lavaan) raised as a
    :class:`~iur_survey.sem.results.SEMFitWarning`; ``warn=False`` for a caller that prints them itself.

    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(5)
    >>> x = rng.standard_normal((150, 1))
    >>> d = pd.DataFrame(np.hstack([x, 0.5 * x + rng.standard_normal((150, 1))]), columns=["x", "y"])
    >>> bt = bootstrap({"model": "y ~ b*x", "data": d}, 40, seed=3, progress=False)
    >>> bt.columns, bt.n_ok
    (['b', 'y~~y'], 40)
    """
    t_start = time.perf_counter()
    ci_kind = _ci_name(ci)
    if not (0 < float(level) < 1):
        raise EstimationError(None, f"level={level!r} must be between 0 and 1")
    if isinstance(result_or_spec, SEMResult):
        res = result_or_spec
    elif isinstance(result_or_spec, dict):
        from .api import sem
        spec = dict(result_or_spec)
        try:
            model_syntax = spec.pop("model")
            data = spec.pop("data")
        except KeyError:
            raise EstimationError(None, "a bootstrap spec needs 'model' and 'data'") from None
        res = sem(model_syntax, data, **spec)
    else:
        raise EstimationError(None, "bootstrap() takes a fitted SEMResult or a dict with 'model' and 'data'")
    if res.estimator not in ("ML", "MLR"):
        raise EstimationError(None, f"the bootstrap supports ML/MLR fits, not {res.estimator}")
    if res.meta.get("interaction"):
        from .interaction import NO_BOOTSTRAP
        raise EstimationError(None, NO_BOOTSTRAP)
    require_converged_fit(res, "no bootstrap")
    Xg = fitted_data(res, data)
    if indices is not None:
        indices = np.asarray(indices, np.intp)
        if len(Xg) != 1:
            raise EstimationError(None, "indices= is for single-group models")
        if indices.ndim != 2 or indices.shape[1] != Xg[0].shape[0]:
            raise EstimationError(None, f"indices must be B x N = ? x {Xg[0].shape[0]}")
        if indices.min() < 0 or indices.max() >= Xg[0].shape[0]:
            raise EstimationError(None, "indices out of range")
        if B is not None and int(B) != indices.shape[0]:
            raise EstimationError(None, f"B={B} but indices has {indices.shape[0]} rows (one resample a row): give "
                                        f"B={indices.shape[0]} or leave B out")
        B = indices.shape[0]
    elif B is None:
        B = 1000
    B = require_draws(B)
    entropy = seed_entropy(seed)
    ctl = {"gtol": 1e-9, "max_iter": 100, "fallback_iter": 200, "max_evals": None}
    bad_ctl = set(control or {}) - set(ctl)
    if bad_ctl:
        raise EstimationError(None, f"unknown control option(s) {sorted(bad_ctl)} (use {', '.join(ctl)})")
    ctl.update(control or {})
    if workers is None:
        workers = available_cores() if (B >= 200 or scheduler is not None) else 1
    workers = max(1, int(workers))
    if scheduler is None and workers > 1:
        # measured (benchmarks/bench_bootstrap.py, 2 cores): threads beat processes for complete data
        # (0.99 vs 1.27 s for B = 1000) and FIML (4.0 vs 4.7 s for B = 200): the time goes to numpy's
        # stacked linear algebra, which releases the GIL, and threads need no pool start-up or pickling
        scheduler = "threads"
    problem = RefitProblem.from_fit(res, Xg, gtol=float(ctl["gtol"]), max_iter=int(ctl["max_iter"]),
                                    fallback_iter=int(ctl["fallback_iter"]), max_evals=ctl["max_evals"])
    job = _Job(problem, entropy, indices)
    jobs = [("boot", s, e) for s, e in _chunks(B, chunk_size)]
    n_cases = sum(X.shape[0] for X in Xg)
    if ci_kind == "bca":
        jobs += [("jack", s, e) for s, e in _chunks(n_cases, chunk_size)]
    ran: dict = {}
    outs = map_chunks(_run_chunk, jobs, payload=job, workers=workers, scheduler=scheduler, info=ran,
                      progress=progress, weights=[e - s for _, s, e in jobs],
                      desc="bootstrap" if ci_kind != "bca" else f"bootstrap ({B} draws + {n_cases} jackknife fits)",
                      unit="draws" if ci_kind != "bca" else "fits")
    boot = [o for j, o in zip(jobs, outs) if j[0] == "boot"]
    est = np.vstack([o["est"] for o in boot])
    status = np.concatenate([o["status"] for o in boot])
    iters = np.concatenate([o["iters"] for o in boot])
    nonadm = np.concatenate([o["nonadmissible"] for o in boot])
    pt = res.partable
    defs = from_partable(pt, res.est)
    columns = _param_names(pt) + list(defs.names)
    est = _with_defined(est, defs)
    jack = acc = None
    if ci_kind == "bca":
        jk = [o for j, o in zip(jobs, outs) if j[0] == "jack"]
        jack = _with_defined(np.vstack([o["est"] for o in jk]), defs)
        acc = jackknife_acceleration(jack)
    warnings = []
    nbad = int(np.sum(status != OK))
    if nbad:
        warnings.append(f"{nbad} bootstrap runs failed or did not converge "
                        f"({int(np.sum(status == FAILED))} failed, {int(np.sum(status == NONCONVERGED))} "
                        "not converged); they are left out of the SEs and CIs")
    if nonadm.any():
        warnings.append(f"{int(nonadm.sum())} bootstrap runs resulted in nonadmissible solutions")
    if ci_kind == "bca" and jack is not None and np.isnan(jack).any(axis=1).any():
        warnings.append(f"{int(np.isnan(jack).any(axis=1).sum())} jackknife refits failed; the acceleration "
                        "uses the others")
    if warn:
        warn_bootstrap(warnings, B)
    return BootstrapResult(fit=res, estimates=est, columns=columns, n_free=res.model.npar, status=status,
                           nonadmissible=nonadm, iterations=iters, ci=ci_kind, level=float(level),
                           seed=entropy, workers=int(ran["workers"]), scheduler=str(ran["scheduler"]),
                           seconds=time.perf_counter() - t_start, jackknife=jack, acceleration=acc,
                           warnings=warnings)


def warn_bootstrap(messages: Sequence[str], B: int, stacklevel: int = 3) -> None:
    """Raise each of a bootstrap's warnings (failed / non-converged / non-admissible draws) as a
    :class:`~iur_survey.sem.results.SEMFitWarning`, with the number of draws asked for (lavaan warns them when
    it fits with ``se = "bootstrap"``).

    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as said:
    ...     warnings.simplefilter("always")
    ...     warn_bootstrap(["3 bootstrap runs failed or did not converge"], 100)
    >>> [str(w.message) for w in said]
    ['bootstrap (B = 100): 3 bootstrap runs failed or did not converge']
    """
    import warnings as _warnings

    for w in messages:
        _warnings.warn(f"bootstrap (B = {B}): {w}", SEMFitWarning, stacklevel=stacklevel)


def _with_defined(est: np.ndarray, defs) -> np.ndarray:
    if not len(defs):
        return est
    with np.errstate(all="ignore"):
        vals = np.asarray(defs(est.T), float)
    vals = vals.reshape(len(defs), est.shape[0]).T
    return np.hstack([est, vals])


# =============================================================================================== SEMResult with bootstrap SEs
@dataclass(repr=False)
class BootstrapSEMResult(SEMResult):
    """An :class:`~iur_survey.sem.results.SEMResult` whose standard errors and confidence intervals are
    the bootstrap's (lavaan's ``se = "bootstrap"``); ``boot`` holds the :class:`BootstrapResult`."""

    boot: BootstrapResult | None = None

    def parameter_estimates(self, *, level: float | None = None, standardized: bool = True) -> pd.DataFrame:
        """The bootstrap table (:meth:`BootstrapResult.parameter_estimates`); ``level`` defaults to the
        bootstrap's."""
        return self.boot.parameter_estimates(level=level, standardized=standardized)

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        b = self.boot
        out["bootstrap"] = {"B": b.B, "successful": b.n_ok, "failed": b.n_failed,
                            "nonconverged": b.n_nonconverged, "nonadmissible": b.n_nonadmissible,
                            "ci": b.ci, "level": b.level, "seed": b.seed, "workers": b.workers,
                            "seconds": round(float(b.seconds), 4)}
        return out

    def summary(self, *, fit_measures: bool = True, standardized: bool = True) -> str:
        text = super().summary(fit_measures=fit_measures, standardized=standardized)
        return bootstrap_summary(text, self.boot.B, self.boot.n_ok)


def bootstrap_summary(text: str, B: int, n_ok: int) -> str:
    """A fit's summary with lavaan's lines of bootstrap SEs: its "Standard errors" line (and the information lines
    after it, which lavaan does not print for them) becomes "Bootstrap" and the numbers of requested and successful
    draws -- the summary of the ML and of the WLSMV bootstrap.

    >>> print(bootstrap_summary("  Standard errors          Standard\\n  Information              Expected\\nx", 100, 97))
      Standard errors                            Bootstrap
      Number of requested bootstrap draws              100
      Number of successful bootstrap draws              97
    x
    """
    def kv(k, v, width=54):
        v = str(v)
        return f"  {k}{' ' * max(1, width - 2 - len(k) - len(v))}{v}"
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("  Standard errors"):
            j = i + 1               # lavaan prints no information lines for bootstrap SEs
            while j < len(lines) and lines[j].startswith(("  Information", "  Observed information")):
                j += 1
            lines[i:j] = [kv("Standard errors", "Bootstrap"),
                          kv("Number of requested bootstrap draws", B),
                          kv("Number of successful bootstrap draws", n_ok)]
            break
    return "\n".join(lines)


def with_bootstrap(res: SEMResult, B: int | None = None, *, data: pd.DataFrame | None = None, ci: str = "percentile",
                   seed=None, workers: int | None = None, scheduler=None, progress: bool | None = None,
                   level: float = 0.95, warn: bool = True, **kwargs) -> BootstrapSEMResult:
    """A copy of a fit with lavaan's bootstrap standard errors and CIs (``se = "bootstrap"``).

    ``vcov_theta`` becomes the bootstrap covariance (divisor B), ``se`` the bootstrap SDs (``:=``: divisor
    B - 1), ``parameter_estimates()`` the bootstrap CIs, ``to_dict()`` gains a ``"bootstrap"`` block.

    >>> import numpy as np, pandas as pd
    >>> from iur_survey.sem import sem
    >>> rng = np.random.default_rng(2)
    >>> x = rng.standard_normal((120, 1))
    >>> d = pd.DataFrame(np.hstack([x, x + rng.standard_normal((120, 1))]), columns=["x", "y"])
    >>> r = with_bootstrap(sem("y ~ x", d), 30, data=d, seed=1, progress=False)
    >>> r.se_type, r.to_dict()["bootstrap"]["successful"]
    ('bootstrap', 30)
    """
    bt = bootstrap(res, B, data=data, ci=ci, seed=seed, workers=workers, scheduler=scheduler,
                   progress=progress, level=level, warn=False, **kwargs)
    if warn:
        warn_bootstrap(bt.warnings, bt.B)
    vals = {f.name: getattr(res, f.name) for f in fields(SEMResult)}
    pt = res.partable
    se_cols = bt.se().to_numpy()
    se = np.zeros(len(pt))
    for i in range(len(pt)):
        if pt.par_index[i] >= 0:
            se[i] = se_cols[pt.par_index[i]]
    for k, r in enumerate(pt.def_rows):
        se[r] = se_cols[bt.n_free + k]
    vals["se"] = se
    vals["vcov_theta"] = bt.vcov().to_numpy()
    vals["se_type"] = "bootstrap"
    vals["warnings"] = list(res.warnings) + list(bt.warnings)
    vals["meta"] = dict(res.meta, bootstrap={"B": bt.B, "ci": bt.ci, "seed": bt.seed})
    return BootstrapSEMResult(**vals, boot=bt)
