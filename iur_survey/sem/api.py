"""The public entry points: :func:`sem` and :func:`cfa`.

``sem(model, data)`` fits a lavaan-syntax model with lavaan 0.6.14's defaults
and returns a :class:`~iur_survey.sem.results.SEMResult`:

* ``estimator="ML"`` (default) or ``"MLR"`` (robust Huber-White standard errors
  and the Yuan-Bentler (Mplus) scaled test, as lavaan's ``estimator = "MLR"``);
* ``missing="auto"`` (default): full-information ML (``"fiml"``, lavaan's
  ``missing = "ml"``) when a variable the model uses has a missing value,
  complete-data ML otherwise; ``"listwise"`` drops incomplete rows first; with fixed.x covariates FIML deletes
  the rows missing a covariate (as lavaan, with a warning) and ``"ml.x"`` (lavaan's ``missing = "ml.x"``) keeps
  them: ``res.missing`` is then "ml.x" and everything computed from the fit (bootstrap, tests, modification
  indices, residuals, the replication script) uses those rows too;
* ``group="role"`` fits the model in each group (lavaan's layout and labels;
  ``group_equal`` takes lavaan's ``group.equal`` names, a list or one string, and needs ``group``).  The groups
  are numbered in order of first appearance in the data, as lavaan 0.6.14 numbers them (a pandas Categorical
  too, not by its categories' order); codes 1..G given in another order are said to be positions, not codes.  A
  column of personal data (names, e-mail addresses, phones: by its header or a value) or one giving rows a group
  of their own is refused as a group, as ``iur-survey fit --group`` refuses it; a label written once (equal across
  groups, lavaan's rule) and a group with no more cases than its parameters raise a ``SEMFitWarning``;
* ``ordered=True`` (or a list of item names; ordered categorical columns count
  too) treats the items as ordinal, as lavaan's ``ordered = TRUE``: the
  estimator is then WLSMV (thresholds, polychoric correlations, DWLS with
  robust standard errors and the mean-and-variance adjusted test; see
  :mod:`iur_survey.sem.wlsmv`); missing cells are handled pairwise
  (``missing="auto"`` or ``"pairwise"``, lavaan's ``missing = "pairwise"``;
  lavaan 0.6.14's own default, ``"listwise"``, on request) and the result is an
  :class:`~iur_survey.sem.ordinal_result.OrdinalSEMResult`.

Standard errors come from the expected information for complete-data ML and
from the observed information (Hessian) for FIML and MLR, as lavaan's
defaults.

>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(7)
>>> f = rng.standard_normal((300, 1))
>>> data = pd.DataFrame(f @ [[1.0, 0.8, 0.6]] + rng.standard_normal((300, 3)) * 0.6, columns=["x1", "x2", "x3"])
>>> res = sem("F =~ x1 + x2 + x3", data)
>>> res.converged, int(res.fit_measures()["df"])
(True, 0)
>>> res.parameter_estimates()[["lhs", "op", "rhs", "est"]].round(3).head(3)   # lavaan: 1.000 0.753 0.544
  lhs  op rhs    est
0   F  =~  x1  1.000
1   F  =~  x2  0.753
2   F  =~  x3  0.544
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING, Sequence

import numpy as np

from .._threads import blas_threads
from ..errors import EstimationError, ModelSyntaxError
from .constraints import LinearConstraints
from .datacheck import (CANNOT_INVERT, check_model_data, information_inverse, ordinal_warnings,
                        post_checks, unidentified_parameters, unidentified_warning, variance_warnings, vcov_warnings,
                        weak_marker_warnings)
from .defined import fixed_label_warnings, from_partable, theta_columns
from .estimate import RUNAWAY_EXPLORE, RUNAWAY_FIRST, RUNAWAY_QN, minimize, numerical_hessian
from .fiml import pairwise_cov
from .fitmeasures import FitInputs, fit_measures_dict
from .interaction import expand_interactions, has_interactions
from .matrices import Model
from .ml import (complete_stats, ml_fmin, ml_fmin_gradient, ml_gradient_outside, ml_information_expected, mvn_loglik,
                 saturated_loglik)
from .partable import ParTable, build_partable, group_warnings
from .results import SEMFitWarning, SEMResult, warn_fit
from .standardized import r_squared_dict, standardize
from .syntax import ParsedModel, chained_modifier_warnings, parse_model
from .table import (FIML_NAMES, group_text, is_fiml, is_frame, is_table, keeps_x_rows, near_duplicate_labels,
                    position_code_warnings, refuse_personal_group)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["sem", "cfa"]

_MISSING = {"auto": "auto", "listwise": "listwise", "pairwise": "pairwise", **FIML_NAMES}


# ----------------------------------------------------------------------------- helpers
def _first_mention(pm: ParsedModel, name: str) -> tuple[int, int]:
    for t in pm.terms:
        if name in (t.lhs, t.rhs):
            return t.line, t.col
    return 0, 0


def _syntax_error(pm: ParsedModel, msg: str, name: str | None = None) -> ModelSyntaxError:
    line, col = _first_mention(pm, name) if name else (0, 0)
    if line:
        return ModelSyntaxError(pm.source, msg, row=line, column=str(col))
    return ModelSyntaxError(pm.source, msg)


def _group_place(g: int, ngroups: int) -> str:
    """Which group an error is about, by its place and the count, never its label: a group column may hold
    what no error should repeat (a name), as the group-size check's messages do (counts only).

    >>> _group_place(0, 3), _group_place(0, 1)
    (' of group 1 of 3 (numbered in order of first appearance in the data)', '')
    """
    return f" of group {g + 1} of {ngroups} (numbered in order of first appearance in the data)" if ngroups > 1 else ""


def _check_sigma_pd(S: np.ndarray, names: list[str], label: str, n: int | None = None,
                    n_rows: int | None = None) -> None:
    """Refuse a sample covariance matrix that is not positive definite, naming the cause when it is the number of
    cases: ``n`` complete cases (of ``n_rows`` rows, listwise deletion) for ``len(names)`` variables.

    >>> _check_sigma_pd(np.zeros((3, 3)) + np.eye(3), ["a", "b", "c"], "")
    >>> S = np.ones((3, 3))
    >>> _check_sigma_pd(S, ["a", "b", "c"], _group_place(1, 4), n=2, n_rows=5)
    Traceback (most recent call last):
    iur_survey.errors.EstimationError: the sample covariance matrix of group 2 of 4 (numbered in order of first appearance in the data) is not positive definite: 2 complete cases (of 5 rows; listwise deletion drops a row missing any model variable) for 3 observed variables; a covariance matrix needs more cases than variables: use FIML (--missing fiml), or merge the group with another (--merge-groups)
    >>> _check_sigma_pd(S, ["a", "b", "c"], "", n=2, n_rows=2)     # complete data, one group: neither helps
    Traceback (most recent call last):
    iur_survey.errors.EstimationError: the sample covariance matrix is not positive definite: 2 complete cases for 3 observed variables; a covariance matrix needs more cases than variables: fit a model with fewer observed variables, or collect more responses
    """
    ev = np.linalg.eigvalsh(S)
    if ev.min() <= 1e-10 * max(1.0, ev.max()):
        p = len(names)
        if n is not None and n <= p:
            rows = (f" (of {n_rows} rows; listwise deletion drops a row missing any model variable)"
                    if n_rows is not None and n_rows > n else "")
            # the advice that applies: FIML only when rows were dropped, a merge only with groups
            advice = ((["use FIML (--missing fiml)"] if rows else [])
                      + (["merge the group with another (--merge-groups)"] if label else [])
                      or ["fit a model with fewer observed variables, or collect more responses"])
            raise EstimationError(None, f"the sample covariance matrix{label} is not positive definite: {n} complete "
                                        f"cases{rows} for {p} observed variables; a covariance matrix needs more "
                                        f"cases than variables: {', or '.join(advice)}")
        const = [names[i] for i in range(len(names)) if S[i, i] <= 1e-12]
        extra = f" (no variance: {', '.join(const)})" if const else ""
        raise EstimationError(None, f"the sample covariance matrix{label} is not positive definite{extra}; "
                                    "check for constant or perfectly collinear variables, or too few cases")


def _ndat(pt: ParTable, ms: bool) -> int:
    n = 0
    for g in range(pt.ngroups):
        p = len(pt.ov_names[g])
        px = len(pt.ov_x_names[g]) if pt.fixed_x else 0
        n += p * (p + 1) // 2 + (p if ms else 0)
        n -= px * (px + 1) // 2 + (px if ms else 0)
    return n


def _model_df(pt: ParTable, ms: bool) -> int:
    """Degrees of freedom: sample moments - free parameters + equality constraints (lavaan's lav_partable_df)."""
    return _ndat(pt, ms) - pt.npar + len(pt.equality)


def model_df(model: str | ParsedModel, *, ngroups: int = 1, meanstructure: bool | None = None,
             fixed_x: bool = True, std_lv: bool = False, orthogonal: bool = False,
             group_equal: Sequence[str] = (), group_partial: Sequence[str] = (), source: str | None = None) -> int:
    """The degrees of freedom :func:`sem` gives the model (lavaan's ``fitMeasures(fit)["df"]``), from the syntax
    alone: the fit's own count (its parameter table with the same options; ``meanstructure`` as :func:`sem`'s,
    on with several groups), for continuous variables (ML, MLR, FIML).  ``'group:'`` blocks set ``ngroups``.
    Latent interactions (``A:B``) are refused: their product indicators come from the data (fit the model).

    >>> model_df("F =~ x1 + x2 + x3 + x4")
    2
    >>> model_df("F =~ x1 + x2 + x3 + x4", ngroups=2), model_df("F =~ x1 + x2 + x3 + x4", ngroups=2,
    ...                                                           group_equal=["loadings"])
    (4, 7)
    """
    src = source or "<model syntax>"
    pm = parse_model(model, src) if isinstance(model, str) else model
    if has_interactions(pm):
        raise ModelSyntaxError(pm.source, "a latent interaction (A:B): its degrees of freedom depend on the product "
                                          "indicators the data give; fit the model and use its results")
    if pm.blocks:
        ngroups = len(pm.blocks)
    if int(ngroups) != ngroups or ngroups < 1:
        raise EstimationError(None, f"ngroups must be a positive integer (got {ngroups!r})")
    ngroups = int(ngroups)
    labels = [lab for _, lab in pm.blocks] if pm.blocks else [str(g + 1) for g in range(ngroups)]
    pt = build_partable(pm, ngroups=ngroups, group_labels=labels, fixed_x=fixed_x, std_lv=std_lv,
                        orthogonal=orthogonal, group_equal=[x for x in group_equal if x != "thresholds"],
                        group_partial=group_partial,
                        meanstructure=bool(meanstructure) if meanstructure is not None else ngroups > 1)
    return _model_df(pt, pt.meanstructure)


def _x_idx(pt: ParTable, g: int) -> np.ndarray:
    ov = pt.ov_names[g]
    return np.array([ov.index(v) for v in pt.ov_x_names[g]], dtype=int)


def _x_all_idx(pt: ParTable, g: int) -> np.ndarray:
    """Positions of the observed covariates (lavaan's ov.x) whatever fixed.x: the baseline keeps their block."""
    ov = pt.ov_names[g]
    return np.array([ov.index(v) for v in pt.ov_x(g)], dtype=int)


def _baseline_npar(pt: ParTable, g: int, ms: bool) -> int:
    """Free parameters of lavaan's independence model: means and variances of the non-x variables, plus the
    covariates' block when it is free (fixed.x = FALSE)."""
    p, px = len(pt.ov_names[g]), len(_x_all_idx(pt, g))
    n = (p - px) * (2 if ms else 1)
    if not pt.fixed_x:
        n += px * (px + 1) // 2 + (px if ms else 0)
    return n


def _observed_information(model: Model, theta: np.ndarray, stats: list, mus: list[np.ndarray],
                          meanstructure: bool, h: float = 1e-6) -> np.ndarray:
    """Unit observed information (Hessian of -logl/N), lavaan's ``information = "observed"``.

    ``Delta' A_m Delta`` with the analytic observed information on the moments, plus the curvature of
    the model, ``d/dtheta (Delta(theta)' g_m)`` at the fixed moment gradient ``g_m``, by lavaan's
    4-point difference (lav_model_hessian, h = 1e-6); equal to differencing the whole gradient
    (lavaan's way) but needs no pass over the data per step.
    """
    from .fiml import fiml_gradient, information_observed
    N = float(sum(s.n for s in stats))
    A = np.zeros((model.npar, model.npar))
    gms = []
    for g, s in enumerate(stats):
        Sigma, _ = model.implied(theta, g)
        mu = mus[g]
        D = model.delta(theta, g, meanstructure=meanstructure)
        A += (s.n / N) * (D.T @ information_observed(s, Sigma, mu, meanstructure=meanstructure) @ D)
        gm = fiml_gradient(s, Sigma, mu)
        gms.append(gm if meanstructure else gm[s.p:])

    def chain(x):
        return -sum(model.delta_t_dot(x, g, gms[g], meanstructure=meanstructure) for g in range(len(stats))) / N

    q = model.npar
    J = np.empty((q, q))
    for j in range(q):
        e = np.zeros(q)
        e[j] = h
        J[:, j] = (chain(theta - 2 * e) - 8 * chain(theta - e) + 8 * chain(theta + e) - chain(theta + 2 * e)) / (12 * h)
    H = A + J
    return 0.5 * (H + H.T)


def _pairwise_moments(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """lavaan's sample statistics of incomplete data (its ``WLS.obs``, used by GFI): available-case
    means and the pairwise-complete covariance matrix rescaled by (N - 1) / N."""
    n = X.shape[0]
    return pairwise_cov(X) * (n - 1) / n, np.nanmean(X, axis=0)


#: the message of :func:`~iur_survey.sem.estimate.minimize` for a start where the objective is not finite
START_FAILED = "the start values are not admissible"


def _lavaan_start(model: Model, pt: ParTable, covs, means, ov_vars, warnings: list[str]
                  ) -> tuple[np.ndarray, LinearConstraints]:
    """lavaan's start of an ML fit and the constraint map: the per-row start values (:meth:`Model.start_rows`,
    with lavaan's ``check.start`` and its warnings), packed into the parameters as lavaan's
    ``lav_model_estimate`` packs them (the mean over a parameter's rows; with ``==`` constraints the
    projection onto them in the metric of the table's rows, :meth:`LinearConstraints.project`).

    lavaan checks the model-implied Sigma at the per-row start values (``computeSigmaHat``, eigenvalues
    below sqrt(machine eps)) and, when one is not positive definite, stops every attempt of its fit: it returns
    the start values, not converged.  Ours fits on from the packed start (and its fall-backs, as always) and
    says so in a warning."""
    notes: list[str] = []
    rows = model.start_rows(covs, means, ov_vars, notes=notes)
    x0 = model.pack_rows(rows)
    rp = LinearConstraints(pt, model.row_values(x0))
    x0 = rp.project(x0, model.row_weights())
    for n_ in notes:
        if n_ not in warnings:
            warnings.append(n_)
    for g in range(pt.ngroups):
        implied = _finite_implied(pt, model, rows, g)
        try:
            ev = np.linalg.eigvalsh(implied)
            pd_ = bool(ev.size == 0 or (ev.min() >= math.sqrt(np.finfo(float).eps) and np.all(np.isfinite(ev))))
        except np.linalg.LinAlgError:
            pd_ = False
        if not pd_:
            where = f" in group {pt.group_labels[g]!r}" if pt.ngroups > 1 else ""
            warnings.append(f"the start values imply a model-implied Sigma{where} that is not positive definite: "
                            "lavaan 0.6.14 stops here ('initial model-implied matrix (Sigma) is not positive "
                            "definite') and returns its start values, not converged; check the model and the "
                            "fixed values / start()")
    return x0, rp


def _finite_implied(pt: ParTable, model: Model, rows: np.ndarray, g: int) -> np.ndarray:
    """Group ``g``'s model-implied covariance matrix at the per-row values ``rows``; a typed error naming the
    fixed values when it overflows (e.g. ``GOV =~ 1e308*GOV1``: no finite moments, no fit), for every estimator.

    >>> from iur_survey.sem.partable import build_partable
    >>> pt = build_partable("F =~ 1e308*x1 + x2")
    >>> m = Model(pt)
    >>> _finite_implied(pt, m, m.start_rows([np.eye(2)], [np.zeros(2)]), 0)
    Traceback (most recent call last):
    ...
    iur_survey.errors.EstimationError: the model-implied covariance matrix overflows at the start values: a fixed value is too large (fixed: F=~x1 = 1e+308); fix it to a plausible value
    """
    with np.errstate(over="ignore", invalid="ignore"):
        implied = model.implied_rows(rows, g)
    if not np.all(np.isfinite(implied)):
        big = list(dict.fromkeys(f"{pt.lhs[i]}{pt.op[i]}{pt.rhs[i]} = {pt.ustart[i]:g}" for i in range(len(pt))
                                 if pt.free[i] == 0 and pt.op[i] in ("=~", "~", "~~", "~1")
                                 and np.isfinite(pt.ustart[i]) and abs(pt.ustart[i]) > 1e100))
        which = f" (fixed: {', '.join(big)})" if big else ""
        raise EstimationError(None, "the model-implied covariance matrix overflows at the start values: "
                                    f"a fixed value is too large{which}; fix it to a plausible value")
    return implied


def _ordinal_overflow(pt: ParTable) -> None:
    """The overflow check of :func:`_finite_implied` before an ordinal (WLSMV) fit of the table ``pt``, at lavaan's
    start values for unit-variance items (a fixed value that overflows does so whatever the polychoric correlations
    are)."""
    model = Model(pt)
    p = [len(g.ov) for g in model.groups]
    rows = model.start_rows([np.eye(k) for k in p], [np.zeros(k) for k in p])
    for g in range(pt.ngroups):
        _finite_implied(pt, model, rows, g)


def _improper(pt: ParTable, model: Model, theta: np.ndarray) -> int:
    """How a solution is not admissible by lavaan's post-check (:func:`datacheck.post_checks`): 0 admissible,
    1 a latent or residual covariance matrix not positive definite, 2 a negative variance.

    >>> from iur_survey.sem.partable import build_partable
    >>> pt = build_partable("F =~ x1 + x2 + x3")
    >>> m = Model(pt)
    >>> _improper(pt, m, np.array([1.0, 1.0, 1, 1, 1, 0.5])), _improper(pt, m, np.array([1.0, 1.0, 1, -1, 1, 0.5]))
    (0, 2)
    """
    try:
        said = post_checks(pt, model, theta, model.row_values(theta))
    except (np.linalg.LinAlgError, ValueError, EstimationError):
        return 2
    return 2 if any("negative" in w for w in said) else 1 if said else 0


#: the size of a correlation, in the sample and implied alike, beyond which opposite signs mark a fit that
#: contradicts its data (:func:`_flipped_pairs`)
FLIPPED_R = 0.3


def _flipped_pairs(model: Model, theta: np.ndarray, covs) -> list[str]:
    """The pairs of observed variables whose model-implied correlation has the sign opposite to their sample
    correlation, both beyond :data:`FLIPPED_R` in size: a converged fit that contradicts its data, as at a local
    minimum where a factor's loadings turned round its marker in one group (differential check s32, seed 2157:
    ML FIML, 3 groups, equal latent variances; the scoring path from lavaan's start stopped at f 12.41,
    chi-square 601.3, with group 3's free loadings all negative while x1 and x2 correlate +.48 there, admissible
    and without a word; lavaan's nlminb reaches chi-square 100.09).  ``covs``: the sample (or EM) covariance
    matrices of the groups, in the model's order.

    >>> from iur_survey.sem.partable import build_partable
    >>> m = Model(build_partable("F =~ x1 + x2 + x3"))
    >>> S = np.array([[1.0, .5, .5], [.5, 1.0, .5], [.5, .5, 1.0]])
    >>> _flipped_pairs(m, np.array([1.0, 1.0, .5, .5, .5, .5]), [S])
    []
    >>> _flipped_pairs(m, np.array([-1.0, 1.0, .5, .5, .5, .5]), [S])     # x2's loading turned round
    ['x1 ~~ x2 (implied r -0.50, sample r 0.50)', 'x2 ~~ x3 (implied r -0.50, sample r 0.50)']
    """
    out: list[str] = []
    for g, S in enumerate(covs):
        with np.errstate(all="ignore"):
            sig = model.implied(theta, g)[0]
            S = np.asarray(S, float)
            if sig.shape != S.shape:
                continue
            ds, di = np.sqrt(np.diag(S)), np.sqrt(np.diag(sig))
            rs, ri = S / np.outer(ds, ds), sig / np.outer(di, di)
        names = model.groups[g].ov
        where = f" in group {model.partable.group_labels[g]}" if model.ngroups > 1 and model.partable.group_labels \
            else ""
        i, j = np.triu_indices_from(S, 1)
        bad = (np.abs(rs[i, j]) > FLIPPED_R) & (np.abs(ri[i, j]) > FLIPPED_R) & (np.sign(rs[i, j]) != np.sign(ri[i, j]))
        out += [f"{names[a]} ~~ {names[b]}{where} (implied r {ri[a, b]:.2f}, sample r {rs[a, b]:.2f})"
                for a, b in zip(i[bad], j[bad])]
    return out


def _step_out(z: np.ndarray, fun, grad_outside, tries: int = 60) -> np.ndarray | None:
    """lavaan's first nlminb step from a start ``z`` (free parameters) where the objective is not finite: its
    objective counts 1e20 there (``lav_model_estimate``) and its gradient is that of a pseudo-inverted Sigma
    (``grad_outside(z)``, :func:`~iur_survey.sem.ml.ml_gradient_outside`), so the first point along the
    scaled steepest descent ``-g / d^2`` (nlminb's ``scale`` d: ``1 / |z|`` where ``|z| > 1``, else 1; step
    length 1 in that metric, nlminb's initial ``step.max``) where the objective is finite is a decrease.
    The step is halved until it reaches that admissible point (None: no finite gradient, or none within
    ``tries`` halvings).

    >>> fun = lambda z: float(np.log(z[0]) + 1 / z[0]) if z[0] > 0 else np.inf
    >>> _step_out(np.array([-0.5]), fun, lambda z: np.array([-1.0])).tolist()
    [0.5]
    """
    z = np.asarray(z, float)
    g = np.asarray(grad_outside(z), float)
    if not np.all(np.isfinite(g)) or not np.any(g):
        return None
    d = 1 / np.maximum(np.abs(z), 1.0)
    step = -g / d ** 2
    step /= np.linalg.norm(d * step)
    t = 1.0
    for _ in range(tries):
        z1 = z + t * step
        if np.isfinite(fun(z1)):
            return z1
        t *= 0.5
    return None


def _with_fallback_start(run, x0: np.ndarray, fallback, simple=None, improper=None, shrink=None,
                         warnings: list[str] | None = None, step_out=None, flipped=None):
    """``run(x0)`` from lavaan's start values; when it does not converge, ``run(x0, scoring=False)`` (the
    quasi-Newton path alone, as lavaan's nlminb), then ``run`` from lavaan's "simple" start (``simple()``:
    :meth:`Model.start`'s ``kind="simple"``, the start of lavaan's own third attempt, which on a small group
    can reach a finite optimum where the paths from the default start run off along a ridge), then from the
    fallback start (``fallback()``: :meth:`Model.start`'s ``kind="marker"``), then ``run(x, trust=True)``
    from lavaan's start and from its simple start -- the trust-region path that mirrors lavaan's nlminb
    (:func:`~iur_survey.sem.estimate.optimize`'s ``"trust-region"`` stage) from the starts of lavaan's first and
    third attempts (``lavaan()``: nlminb from the start values; then with ``optim.parscale = "standardized"``,
    not copied; then from the simple start values) -- keeping the first fit that converges.  Stress case s1_0
    of session 17: every other path runs off along a ridge; lavaan's third attempt and ours from the simple
    start reach f .2946293 (the first evaluations equal lavaan's partrace; 91 iterations, lavaan 94).  The
    trust-region paths come last so that a fit another path converges keeps its minimum.  A fit that
    converges from none stays unconverged (the first attempt's result, loudly
    reported): the fallbacks only ever replace a non-converged fit by a converged one, a stationary point
    with max |gradient| < 1e-7 like any other.

    The first attempt stops early when its estimates run off along a ridge (``runaway``,
    :data:`~iur_survey.sem.estimate.RUNAWAY_FIRST`; the scoring steps can carry a fit there in a few iterations,
    and creeping along it used to cost minutes of a FIML fit), or when its quasi-Newton stage has used its
    budget (:class:`~iur_survey.sem.estimate.FirstAttempt`: 1,000 iterations, 10 per parameter for larger
    models; HS_fiml_G4_k15_s2_ML of tests/sem/converge_refs crept 4,227 iterations before it ran off, and the
    quasi-Newton path from lavaan's start then reached lavaan's minimum in 340), so that the fallbacks run
    at once; when none of them converges either, the fit is reported not converged at the first attempt's last
    iterate (it used to be rerun in full, up to 10,000 more quasi-Newton iterations 100 x its start's scale away,
    :data:`~iur_survey.sem.estimate.RUNAWAY_FULL`: that rerun converged in none of the 608 fits with fallbacks of
    tests/sem and tests/reference, and cost 27 s of a 45-row three-group FIML fit that lavaan 0.6.14 ends, not
    converged either, in 17 s; estimates of a fit that did not converge are not interpreted).  Every other
    default or quasi-Newton path (the fallbacks, and the paths run after an improper solution, below) stops
    the same way once in its quasi-Newton stage (:data:`~iur_survey.sem.estimate.RUNAWAY_QN`; its scoring
    stage converges fast or hands over within 25 iterations, and may end at a minimum ten times further out
    than its start, a Heywood case with large loadings): such a path is not converged, as it would not be
    after creeping along the ridge for its whole budget (10,000 quasi-Newton iterations: the two paths of the smallgrp.csv FIML fit of
    tests/sem/test_missing_robust.py that ran off took 30,000 evaluations, 80 % of a fit of over a minute,
    where lavaan 0.6.14 needs 144 iterations; the three fallbacks of the non-converged fit of
    tests/base/test_nonconverged.py 10,000 iterations each); and it stops, not converged, after the first
    attempt's quasi-Newton budget (:class:`~iur_survey.sem.estimate.PausedPath`; a path that creeps without
    converging took up to 8,546 iterations and 30 s of that 45-row fit, and 3 minutes on a 40-row bootstrap
    resample of the study model that lavaan gives up in 5 s) -- the fallbacks of a fit not converged yet only:
    the paths that explore a converged improper solution keep their full budget
    (:data:`~iur_survey.sem.estimate.RUNAWAY_EXPLORE`), as a path that creeps for thousands of iterations may
    reach a lower minimum there (a 40-row resample of the study model: 3242.31 against 3246.54 for the five
    other paths and lavaan's 3246.52, said in a warning), and the minimum kept must not change.

    A converged fit at an improper solution (``improper(opt)``, :func:`_improper`: a negative variance, a
    covariance matrix of the latent variables or of the residuals not positive definite) may be a local optimum
    where lavaan's nlminb path reaches a better one (audit s23: from the same start values, f .15667 with a
    negative factor variance, lavaan's and the quasi-Newton path's f .13947 with a positive one; session 16:
    a cross-loaded Heywood model whose lavaan minimum only the quasi-Newton path from the fallback start
    reaches).  Every other path is then run too -- the quasi-Newton path from lavaan's start, the default and
    quasi-Newton paths from the simple and the fallback starts -- and the lowest converged admissible minimum
    is kept, else the lowest one without a negative variance, else the lowest one (``improper`` returns 2 for a
    negative variance, 1 for a covariance matrix not positive definite; differential check s31, seed 1246: the
    lowest minimum had a residual covariance matrix not positive definite and a loading of the other sign,
    lavaan's the admissible one 0.0019 higher).  That is lavaan's minimum in 5 of the 7 such fits of session 16
    (audit A4, B2, g2_41, a check.start case, stress case s1_14; not s1_115, where lavaan's nlminb stops at a
    Heywood case 0.33 below the other minimum, nor s1_3, where it stops at a Heywood case above two others):
    no rule reproduces nlminb's path, hence the warning.  When every one of those paths stops at a Heywood case,
    nlminb's path (trust region) from lavaan's start and from its simple start is run as well (the checkcov case
    of tests/sem/test_start_packing.py: with OpenBLAS's SandyBridge kernels the default and quasi-Newton paths
    all reached the Heywood minimum, f .0611, chi-square 36.8, where lavaan's nlminb and, on other CPUs, our path
    from the simple start reach the proper one, f .1815, chi-square 109.244).  When the paths reach different
    minima a warning (into ``warnings``) says so: lavaan may report another.

    A start where the objective is not finite (a Sigma that is not positive definite): lavaan's nlminb starts
    there all the same -- its objective counts 1e20 there, so the ``start.x / 10`` of ``lav_model_estimate``
    (taken when the objective "is not finite") never happens in lavaan 0.6.14, and its gradient uses the
    pseudo-inverse of Sigma -- and its first step walks out.  ``step_out(x)`` (:func:`_step_out`) takes that
    step and the fit goes on from the admissible point it reaches (stress cases s1_112, s1_138 of session 17,
    which lavaan fits and ours refused); a warning says so.  When that step finds no admissible point, the
    start divided by 10 (``shrink(x)``: its free parameters ``z``) is tried, as before (FIML fits too: their
    gradient there is :func:`~iur_survey.sem.fiml.fiml_gradient`'s ``outside``, with lavaan's plain inverse
    of Sigma)."""
    inadmissible: list[np.ndarray] = []
    stepped: list[np.ndarray] = []
    if shrink is not None or step_out is not None:
        plain = run

        def run(x, **kw):
            o = plain(x, **kw)
            if o.converged or o.message != START_FAILED:
                return o
            x1 = None if step_out is None else step_out(x)
            if x1 is not None:
                o = plain(x1, **kw)
                o.history = [f"{START_FAILED}; lavaan's nlminb's first step (down the gradient at the "
                             "pseudo-inverted Sigma) to admissible values"] + o.history
                if o.converged or o.message != START_FAILED or shrink is None:
                    stepped.append(x)
                    return o
            if shrink is None:
                return o
            o = plain(shrink(x), **kw)
            o.history = [f"{START_FAILED}; the start values / 10"] + o.history
            if o.message == START_FAILED:
                inadmissible.append(x)
            return o
    opt = _fallbacks(run, x0, fallback, simple, improper, warnings, flipped)
    if opt.converged and warnings is not None and any(np.array_equal(x, x0) for x in inadmissible):
        warnings.append("lavaan's start values (and their tenth) imply a Sigma that is not positive definite: "
                        "this fit comes from other start values; lavaan 0.6.14's nlminb starts there all the same "
                        "and may reach another minimum")
    elif opt.converged and warnings is not None and any(np.array_equal(x, x0) for x in stepped):
        warnings.append("lavaan's start values imply a Sigma that is not positive definite: the fit stepped out "
                        "of it down the gradient at the pseudo-inverted Sigma, as lavaan 0.6.14's nlminb does "
                        "(lavaan warns 'Sigma.hat is not positive definite'); its path may differ and reach "
                        "another minimum")
    return opt


def _fallbacks(run, x0, fallback, simple, improper, warnings, flipped=None):
    """The attempts of :func:`_with_fallback_start` (``run`` already wrapped)."""
    opt = run(x0, runaway=RUNAWAY_FIRST)
    # the other paths: (what, start, scoring, a fallback of a non-converged fit)
    paths = [("quasi-Newton from lavaan's start values", x0, False, True)]
    starts = [x0]
    lavaan_starts = [("lavaan's start values", x0)]      # the starts of lavaan's attempts 1 and 3
    for what, make in (("lavaan's simple start values", simple), ("the fallback start values", fallback)):
        if make is None:
            continue
        x1 = make()
        if not any(np.allclose(x1, x) for x in starts):
            starts.append(x1)
            if make is simple:
                lavaan_starts.append((what, x1))
            paths += [(what, x1, True, True), (f"quasi-Newton from {what}", x1, False, False)]
    done: set[int] = set()

    def explore(kept, kept_what: str, lead: str, why: str = ""):
        """``kept`` converged at an improper solution (or ``why``): run the paths not run yet, keep the lowest
        minimum."""
        found = [(kept_what, kept)]
        for k, (what, x1, scoring, _) in enumerate(paths):
            if k in done:
                continue
            done.add(k)
            alt = run(x1, scoring=scoring, runaway=RUNAWAY_EXPLORE)
            if alt.converged:
                found.append((what, alt))
        if not any(improper(t[1]) < 2 for t in found):
            # every path stopped at a Heywood case: nlminb's path (trust region) from lavaan's starts too
            for what, x1 in lavaan_starts:
                alt = run(x1, trust=True)
                if alt.converged:
                    found.append((f"nlminb's path (trust region) from {what}", alt))
        proper = [t for t in found if improper(t[1]) < 2]
        # an admissible minimum before one whose latent or residual covariance matrix is not positive definite
        # (differential check s31, seed 1246: f 3.63409 with theta not PD and a loading's sign flipped, where
        # lavaan and five other paths report the admissible 3.63599)
        admissible = [t for t in proper if improper(t[1]) == 0]
        best_what, best = min(admissible or proper or found, key=lambda t: t[1].fun)
        tol = 1e-7 * max(1.0, abs(best.fun))
        others = [(w, o) for w, o in found if abs(o.fun - best.fun) > tol]
        if best is not kept:
            best.history = [f"{lead}; {why or 'an improper solution'} at f={kept.fun:.12g}; refit: "
                            f"{best_what} reached {'a solution without a negative variance' if proper else 'a lower minimum'}"] + \
                best.history
        if others and warnings is not None:
            alts = "; ".join(f"{w}: {o.fun:.8g}{' (a Heywood case)' if improper(o) == 2 else ''}"
                             for w, o in others)
            kind = " without a Heywood case" if proper else ""
            if admissible and min(proper, key=lambda t: t[1].fun)[1] is not best:
                kind = (" that is admissible: the lower ones have a latent or residual covariance matrix that is not "
                        "positive definite")
            warnings.append(f"the fit function has more than one local minimum: {best_what} reached "
                            f"{best.fun:.8g} (kept: the lowest found{kind}), {alts}; lavaan's optimizer may stop at "
                            "another minimum")
        return best

    if opt.converged:
        if improper is not None and improper(opt):
            return explore(opt, "lavaan's start values", "from lavaan's start values")
        pairs = [] if flipped is None else flipped(opt)
        if pairs:       # an admissible fit that contradicts its data: every other path too, the lowest kept
            best = explore(opt, "lavaan's start values", "from lavaan's start values", "a solution that "
                           f"contradicts the sample ({pairs[0]})")
            left = flipped(best)
            if left and warnings is not None:
                warnings.append(f"the solution contradicts the data: {len(left)} pair(s) of observed variables have "
                                f"a model-implied correlation of the other sign than their sample correlation, both "
                                f"beyond {FLIPPED_R} in size ({'; '.join(left[:3])}{'; ...' if len(left) > 3 else ''}): "
                                "a local minimum or a misspecified model (a factor whose loadings turned round its "
                                "marker?); no other start or path found a lower admissible minimum")
            return best
        return opt
    notes = ["from lavaan's start values: " + opt.message]
    for k, (what, x1, scoring, fb) in enumerate(paths):
        if not fb:
            continue
        done.add(k)
        alt = run(x1, scoring=scoring, runaway=RUNAWAY_QN)
        if alt.converged:
            alt.history = [f"{'; '.join(notes)}; refit: {what}"] + alt.history
            if improper is not None and improper(alt):
                return explore(alt, what, "; ".join(notes))
            return alt
        notes.append(f"{what}: {alt.message}")
    # lavaan's own attempts (lavaan(): nlminb from its start values, then from its "simple" start values): the
    # trust-region path that mirrors nlminb, tried last so that a fit another path converges keeps its minimum
    for what, x1 in lavaan_starts:
        alt = run(x1, trust=True)
        if alt.converged:
            alt.history = [f"{'; '.join(notes)}; refit: nlminb's path (trust region) from {what}"] + alt.history
            return alt
        notes.append(f"nlminb's path (trust region) from {what}: {alt.message}")
    opt.history = opt.history + [f"refit, {n}" for n in notes[1:]]
    # the reported fit is the first attempt's: its budget was not a pause before a rerun but the end
    opt.message = opt.message.replace("the first attempt's budget before the other paths",
                                      "the first attempt's budget; no other start or path converged either")
    return opt


def _available_case_var(X: np.ndarray) -> np.ndarray:
    """lavaan's sample variances with missing values (its start values of residual variances): each
    column's variance over its observed cells (n_j - 1 divisor) times (N - 1) / N, N the group's rows."""
    N = X.shape[0]
    with np.errstate(invalid="ignore", divide="ignore"):
        v = np.nanvar(X, axis=0, ddof=1) if N > 1 else np.full(X.shape[1], np.nan)
    return v * (N - 1) / N


def _is_pd(S: np.ndarray) -> bool:
    """Whether the symmetric matrix ``S`` is positive definite (a Cholesky factor exists).

    >>> _is_pd(np.eye(2)), _is_pd(np.array([[1.0, 2.0], [2.0, 1.0]]))
    (True, False)
    """
    try:
        np.linalg.cholesky(S)
    except np.linalg.LinAlgError:
        return False
    return True


def _invert_info(info: np.ndarray, N: int, warnings: list[str]) -> np.ndarray:
    """vcov = inverse(unit information) / N by lavaan's rule (:func:`datacheck.information_inverse`:
    R's ``solve()``), else NA with lavaan's warning."""
    q = info.shape[0]
    if q == 0:
        return np.zeros((0, 0))
    inv = information_inverse(0.5 * (info + info.T))
    if inv is None:
        warnings.append(CANNOT_INVERT)
        return np.full((q, q), np.nan)
    V = inv / N
    return 0.5 * (V + V.T)


# ----------------------------------------------------------------------------- the fit
def sem(model: str | ParsedModel, data: pd.DataFrame, *, estimator: str | None = None, missing: str = "auto",
        group: str | None = None, se: str | None = None, information: str | None = None,
        meanstructure: bool | None = None, fixed_x: bool = True, std_lv: bool = False,
        orthogonal: bool = False, group_equal: Sequence[str] = (), group_partial: Sequence[str] = (),
        source: str | None = None, control: dict | None = None, model_type: str = "sem",
        ordered: bool | str | Sequence[str] | None = None, parameterization: str = "delta",
        warn: bool = True) -> SEMResult:
    """Fit a structural equation model as lavaan's ``sem()`` does (see the module docstring).

    ``data`` is a pandas DataFrame, or the :class:`~iur_survey.sem.table.CsvTable` ``iur-survey fit`` reads
    without pandas (the same fit; it goes to pandas whenever a column, group or option needs it).
    Parameters mirror lavaan's: ``estimator`` "ML" (default) | "MLR", or with ordered items
    "WLSMV" (their default) | "DWLS"; ``ordered`` True (every model variable) | names | None
    (only ordered categorical columns); ``missing`` "auto" |
    "fiml" (alias "ml") | "ml.x" (aliases "fiml.x", "direct.x": FIML that keeps the rows missing a fixed.x
    covariate, lavaan's ``missing = "ml.x"``) | "listwise" | "pairwise" (ordered items); ``group`` a column of
    ``data``; ``se``
    "standard" | "robust.huber.white" | "none"; ``information`` "expected" |
    "observed"; ``meanstructure``; ``fixed_x``; ``std_lv``; ``orthogonal``;
    ``group_equal``; ``group_partial``.  ``source`` names the syntax in error messages.  ``control``
    tunes the optimiser: ``{"max_iter": 500, "gtol": 1e-10}`` (lavaan's ``control``).  With ordered
    items ``group_equal`` also takes "thresholds" and ``parameterization`` is "delta" (lavaan's
    default) or "theta" (:mod:`iur_survey.sem.wlsmv_groups`).

    As lavaan warns when it fits, a fit that did not converge or whose solution is inadmissible (a negative
    variance, a latent or residual covariance matrix that is not positive definite) raises a
    :class:`~iur_survey.sem.results.SEMFitWarning` (lavaan's wording; all the fit's warnings are in
    ``res.warnings``); ``warn=False`` (lavaan's ``warn = FALSE``) keeps it quiet, for callers that count such
    fits themselves (replications, the CLI).  A fit that did not converge has no fit measures
    (``fit_measures()`` raises :class:`~iur_survey.sem.results.NotConvergedError`) and its estimates tables
    warn again.

    >>> import warnings
    >>> import numpy as np, pandas as pd
    >>> f = np.random.default_rng(1).standard_normal((100, 2))
    >>> d = pd.DataFrame(np.hstack([f[:, :1] * [1, .8, .7], f[:, 1:] * [1, .8, .7]])
    ...                  + np.random.default_rng(2).standard_normal((100, 6)) * .6, columns=list("abcdef"))
    >>> with warnings.catch_warnings(record=True) as said:
    ...     warnings.simplefilter("always")
    ...     r = sem("F =~ a + b + c\\nG =~ d + e + f\\nG ~ F", d, control={"max_iter": 1})
    >>> r.converged, [str(w.message)[:55] for w in said if w.category is SEMFitWarning]
    (False, ['the optimizer warns that a solution has NOT been found!'])
    """
    t0 = time.perf_counter()
    interaction = None
    # lavaan's group.equal = "loadings" is one name: a Python string is not taken letter by letter
    group_equal = [group_equal] if isinstance(group_equal, str) else group_equal
    group_partial = [group_partial] if isinstance(group_partial, str) else group_partial
    pm_in = parse_model(model, source or "<model syntax>") if isinstance(model, str) else model
    if has_interactions(pm_in):                 # A:B between latents: product indicators (sem/interaction.py)
        if is_table(data):
            data = data.to_frame()
        if ordered:
            raise EstimationError(None, "latent interactions (A:B) with ordered items are not supported")
        model, data, interaction = expand_interactions(pm_in, data)
    with blas_threads(1):
        res = _fit(model, data, estimator=estimator, missing=missing, group=group, se=se,
                   information=information, meanstructure=meanstructure, fixed_x=fixed_x, std_lv=std_lv,
                   orthogonal=orthogonal, group_equal=tuple(group_equal), group_partial=tuple(group_partial),
                   source=source,
                   control=dict(control or {}), ordered=ordered, parameterization=parameterization)
    res.seconds = time.perf_counter() - t0
    res.meta["model_type"] = model_type
    res.meta["group_partial"] = [str(p) for p in group_partial]     # summary()'s "Equal across groups" block
    res.meta["warn"] = bool(warn)
    if warn:
        warn_fit(res, stacklevel=2)            # lavaan warns when it fits; the caller's line is named
    if interaction:
        res.meta["interaction"] = interaction
    return res


def cfa(model: str | ParsedModel, data: pd.DataFrame, **kwargs) -> SEMResult:
    """lavaan's ``cfa()``: the same defaults as :func:`sem` in lavaan 0.6.14.

    >>> import numpy as np, pandas as pd
    >>> d = pd.DataFrame(np.random.default_rng(3).standard_normal((100, 3)), columns=["a", "b", "c"])
    >>> cfa("F =~ a + b + c", d).estimator
    'ML'
    """
    warn = bool(kwargs.pop("warn", True))
    res = sem(model, data, model_type="cfa", warn=False, **kwargs)
    res.meta["warn"] = warn
    if warn:
        warn_fit(res, stacklevel=2)            # as sem(): the caller's line is named
    return res


def _fit(model, data, *, estimator, missing, group, se, information, meanstructure, fixed_x, std_lv,
         orthogonal, group_equal, group_partial, source, control, ordered=None,
         parameterization="delta") -> SEMResult:
    src = source or "<model syntax>"
    pm = parse_model(model, src) if isinstance(model, str) else model
    est_name = "ML" if estimator is None else str(estimator).upper()
    if est_name not in ("ML", "MLR", "WLSMV", "DWLS"):
        raise EstimationError(None, f"estimator {estimator!r} is not supported (use 'ML' or 'MLR'; "
                                    "'WLSMV' or 'DWLS' with ordered items)")
    miss = _MISSING.get(str(missing).lower())
    if miss is None:
        raise EstimationError(None, f"missing={missing!r}: use 'auto', 'fiml' (or 'ml'), 'ml.x' (FIML keeping the "
                                    "rows missing a covariate), 'listwise' or 'pairwise' (ordered items)")
    if is_table(data) and (group is not None or ordered or est_name in ("WLSMV", "DWLS")):
        data = data.to_frame()          # a pandas-free CsvTable (sem/table.py) serves the plain fit only
    if not (is_frame(data) or is_table(data)):
        raise EstimationError(None, "data must be a pandas DataFrame")
    warnings: list[str] = []

    # ---- groups
    if group is None and group_equal and not (set(group_equal) == {"thresholds"} and not ordered):
        # lavaan ignores group.equal without a group: a forgotten group= would fit one group without a word
        # (group_partial has its own error, "this fit has one group"; "thresholds" without ordered items too)
        raise EstimationError(None, f"group_equal={list(group_equal)!r}: equality constraints across groups need "
                                    "group=COLUMN (the groups to compare)")
    if group is not None:
        import pandas as pd

        if group not in data.columns:
            raise EstimationError(None, f"group column {group!r} is not in the data")
        refuse_personal_group(data, group)      # its labels reach summary(), the tables, the diagram: never a name
        gcol = data[group]
        keep = gcol.notna()
        if (~keep).any():
            warnings.append(f"{int((~keep).sum())} row(s) with no value in the group column {group!r} "
                            "were dropped")
        data = data.loc[keep]
        gcol = gcol.loc[keep]
        row_ids = np.flatnonzero(keep.to_numpy()) + 1         # lavaan names a row by its number in the data
        # lavaan 0.6.14 (lav_data_full): unique(as.character(data[[group]])), the order of first appearance, for a
        # factor too (not its levels' order): group k, its .gk labels and the k-th value of c(...) are that group
        labels = [str(x) for x in pd.unique(group_text(gcol))]
        gvals = group_text(gcol).to_numpy().astype(str)
        sizes = dict(zip(*np.unique(gvals, return_counts=True)))
        if len(labels) > 1 and min(sizes.values()) < 2:
            # refused before any check that names a group by its label (a column giving each person a group of
            # their own may hold names): counts only
            ones = sum(1 for v in sizes.values() if v < 2)
            raise EstimationError(None, f"{ones} of the {len(labels)} groups of {group!r} ha"
                                        f"{'s' if ones == 1 else 've'} a single row: a group needs more cases than "
                                        "observed variables; is this a grouping variable (an id or a name gives each "
                                        "person a group of their own)? merge small groups, or group by a column of "
                                        "categories")
        warnings.extend(position_code_warnings(labels, group))
        warnings.extend(near_duplicate_labels(labels, group, sizes))
    else:
        labels = ["1"]
        gvals = None
        row_ids = None
    ngroups = len(labels)
    if pm.blocks and ngroups != len(pm.blocks):
        raise ModelSyntaxError(pm.source, f"the syntax has {len(pm.blocks)} 'group:' blocks but the data "
                                          f"{'has no group column' if group is None else f'has {ngroups} groups'}")
    if pm.blocks and [lab for _, lab in pm.blocks] != labels:
        # lavaan fits the k-th 'group:' block to the k-th group of the data, whatever the block's label
        pairs = ", ".join(f"block {b!r} -> group {g!r}" for (_, b), g in zip(pm.blocks, labels) if b != g)
        warnings.append(f"the syntax's 'group:' blocks are matched to the data's groups by position, as lavaan does, "
                        f"not by label: {pairs}")
    # ---- variables
    pt0 = build_partable(pm, ngroups=ngroups, group_labels=labels, fixed_x=fixed_x, std_lv=std_lv,
                         orthogonal=orthogonal, group_equal=[x for x in group_equal if x != "thresholds"],
                         group_partial=group_partial,
                         meanstructure=bool(meanstructure) if meanstructure is not None else ngroups > 1)
    warnings.extend(chained_modifier_warnings(pm))     # NA*a*x: lavaan would keep only the label
    warnings.extend(fixed_label_warnings(pt0))         # d := 2*a with a fixed: lavaan refuses the model
    ov_all = pt0.ov_all()
    lv_all = {v for names in pt0.lv_names for v in names}
    absent = [v for v in ov_all if v not in data.columns]
    if absent:
        raise _syntax_error(pm, f"variable {absent[0]!r} is not in the data"
                                + (f" (nor are {', '.join(map(repr, absent[1:]))})" if len(absent) > 1 else ""),
                            absent[0])
    clash = sorted(v for v in lv_all if v in data.columns)
    if clash:
        raise _syntax_error(pm, f"latent variable name {clash[0]!r} is also a column of the data; "
                                "rename the latent variable", clash[0])
    if is_table(data) and not data.plain_numeric(ov_all):
        data = data.to_frame()          # a model column that is not plainly numeric: pandas reads the file
    warnings += check_model_data(data, ov_all, partable=pt0,      # constant/blank/inf/-99 columns, coverage, ...
                                 groups=gvals, group=group)        # ... and per group
    ord_names = _ordered_names(ordered, data, ov_all)
    warnings += many_levels_warning(data, ord_names)
    # lavaan's varTable checks: continuous variables that are not fixed.x covariates, over every row
    exo = {v for b in pt0.ov_x_names for v in b}
    warnings += variance_warnings(data, [v for v in ov_all if v not in set(ord_names) and v not in exo])
    if ord_names or est_name in ("WLSMV", "DWLS"):
        return _fit_ordinal(pm, data, ov_all, ord_names, est_name=est_name, est_given=estimator is not None,
                            miss=miss, se=se, information=information, fixed_x=fixed_x, std_lv=std_lv,
                            orthogonal=orthogonal, group=group, ngroups=ngroups, control=control,
                            warnings=warnings, labels=labels, gvals=gvals, group_equal=group_equal,
                            group_partial=group_partial, parameterization=parameterization)
    if miss == "pairwise":
        raise EstimationError(None, "missing='pairwise' is for ordered items (WLSMV); with continuous variables "
                                    "use 'fiml' or 'listwise'")
    if "thresholds" in group_equal:
        raise EstimationError(None, "group_equal 'thresholds' needs ordered items (ordered=True)")
    X_all = data.matrix(ov_all) if is_table(data) else _numeric_block(data, ov_all)
    n_input = X_all.shape[0]
    if row_ids is None:
        row_ids = np.arange(1, n_input + 1)
    # lavaan's lavInspect(fit, "norig"): the rows of each group before any deletion
    norig = [n_input] if gvals is None else [int(np.sum(gvals == lab)) for lab in labels]
    has_nan = bool(np.isnan(X_all).any())
    mode = "fiml" if (is_fiml(miss) or (miss == "auto" and has_nan)) else "listwise"
    if mode == "listwise" and has_nan:
        ok = ~np.isnan(X_all).any(axis=1)
        warnings.append(f"{int((~ok).sum())} of {n_input} rows dropped by listwise deletion")
        X_all = X_all[ok]
        if gvals is not None:
            gvals = gvals[ok]
    # lavaan (lav_data_full): with fixed.x covariates, FIML first deletes the cases missing an exogenous variable
    # ("... cases were deleted [in group g] due to missing values in exogenous variable(s), while fixed.x = TRUE",
    # below), an empty case among them; only without such covariates is an empty case "ignored"
    # lavaan's missing = "ml.x" keeps them: the covariates' missing values are handled by FIML too
    x_deleted = mode == "fiml" and miss != "ml.x" and fixed_x and any(len(x) for x in pt0.ov_x_names)
    if mode == "fiml" and not x_deleted:
        empty = np.isnan(X_all).all(axis=1)
        if empty.any():
            for lab in labels:          # lavaan: one warning per group, naming the rows
                rows = row_ids[empty & (True if gvals is None else gvals == lab)]
                if rows.size:
                    warnings.append(empty_rows_warning(rows))
            X_all = X_all[~empty]
            if gvals is not None:
                gvals = gvals[~empty]
    ms = meanstructure
    if ms is None:
        ms = mode == "fiml" or ngroups > 1
    if mode == "fiml" and not ms:
        raise EstimationError(None, "FIML needs a mean structure (meanstructure=True)")
    pt = pt0 if ms == pt0.meanstructure else build_partable(
        pm, meanstructure=ms, ngroups=ngroups, group_labels=labels, fixed_x=fixed_x, std_lv=std_lv,
        orthogonal=orthogonal, group_equal=group_equal, group_partial=group_partial)
    ms = pt.meanstructure
    warnings.extend(group_warnings(pm, pt, group_equal, group_partial))     # labels, group.partial (multi-group)
    # ---- data per group, in each group's variable order
    Xg: list[np.ndarray] = []
    for g in range(ngroups):
        cols = [ov_all.index(v) for v in pt.ov_names[g]]
        rows = slice(None) if gvals is None else (gvals == labels[g])
        Xg.append(X_all[rows][:, cols])
    if x_deleted:
        for g in range(ngroups):
            xi = _x_idx(pt, g)
            if len(xi):
                bad_x = np.isnan(Xg[g][:, xi]).any(axis=1)
                if bad_x.any():
                    where = f" in group {labels[g]}" if ngroups > 1 else ""
                    warnings.append(f"{int(bad_x.sum())} case(s) were deleted{where} due to missing values in "
                                    "exogenous variable(s), while fixed.x = TRUE")
                    Xg[g] = Xg[g][~bad_x]
    for g in range(ngroups):
        if Xg[g].shape[0] < 2:
            who = f"group {labels[g]!r} has" if ngroups > 1 else "the data have"
            how = " after listwise deletion (every row misses a model variable)" if mode == "listwise" and \
                miss != "auto" else ""
            raise EstimationError(None, f"{who} {Xg[g].shape[0]} usable case(s){how}: fewer than 2, nothing to fit")
    if ngroups > 1:
        warnings.extend(few_cases_warnings(pt, [int(X.shape[0]) for X in Xg], group))
    se_type = se or ("robust.huber.white" if est_name == "MLR" else "standard")
    if se_type == "robust":
        se_type = "robust.huber.white"
    if se_type not in ("standard", "robust.huber.white", "none"):
        raise EstimationError(None, f"se={se!r}: use 'standard', 'robust.huber.white' or 'none'")
    # lavaan (lav_options.R): observed information whenever se = "robust.huber.white" (MLR's default) or FIML
    info_type = information or ("observed" if (mode == "fiml" or est_name == "MLR" or se_type == "robust.huber.white")
                                else "expected")
    if info_type not in ("expected", "observed"):
        raise EstimationError(None, f"information={information!r}: use 'expected' or 'observed'")
    bad_ctl = set(control) - {"max_iter", "gtol"}
    if bad_ctl:
        raise EstimationError(None, f"unknown control option(s) {sorted(bad_ctl)} (use max_iter, gtol)")
    df = _model_df(pt, ms)
    if df < 0:
        warnings.append(f"the model has negative degrees of freedom (df = {df}): it is not identified")
    if mode == "fiml":                  # "ml.x": FIML keeping the rows missing a covariate (lavaan's "ml.x")
        res = _fit_fiml(pt, Xg, est_name, se_type, info_type, warnings, n_input, group, group_equal, control,
                        label="ml.x" if miss == "ml.x" else "fiml")
    else:
        res = _fit_complete(pt, Xg, est_name, se_type, info_type, warnings, n_input, group, group_equal, control,
                            norig=norig)
    res.meta["norig"] = norig
    return res


def few_cases_warnings(pt: ParTable, nobs: Sequence[int], group: str | None) -> list[str]:
    """One warning per group with no more cases than the free parameters its rows carry (``pt``'s rows of the
    group; a parameter held equal across groups counts in each): lavaan fits such a group without a word, and its
    estimates (a Heywood case, a latent covariance matrix not positive definite) are then noise.  Raised at fit
    time (:func:`~iur_survey.sem.results.is_group_model_warning`).

    >>> pt = build_partable("F =~ x1 + x2 + x3", ngroups=2, group_labels=["a", "b"], meanstructure=True)
    >>> print(few_cases_warnings(pt, [200, 8], "school")[0])
    group 'b' of 'school' has 8 cases in the fit for the 9 free parameters of its own: fewer cases than parameters, its estimates are unstable (lavaan fits it without a warning); merge it with another group, or collect more responses
    """
    out = []
    groups = np.asarray(pt.group)
    for g, n in enumerate(nobs):
        q = len({int(k) for k in np.asarray(pt.par_index)[groups == g + 1] if k >= 0})
        if n <= q:
            out.append(f"group {pt.group_labels[g]!r} of {group!r} has {n} cases in the fit for the {q} free parameters "
                       "of its own: fewer cases than parameters, its estimates are unstable (lavaan fits it without a "
                       "warning); merge it with another group, or collect more responses")
    return out


def missing_arg(miss: str) -> str:
    """Our ``missing`` value with lavaan's name, for messages.

    >>> missing_arg("fiml"), missing_arg("ml.x")
    ("'fiml' (lavaan's 'ml')", "'ml.x' (lavaan's 'ml.x')")
    """
    return f"'{miss}' (lavaan's '{'ml.x' if keeps_x_rows(miss) else 'ml' if is_fiml(miss) else miss}')"


def empty_rows_warning(rows, shown: int = 50) -> str:
    """lavaan's warning for the rows of a group with no value on any model variable (lav_data_full), naming them
    by their number in the data (1-based); past ``shown`` rows the rest are counted.

    >>> empty_rows_warning([33, 62])
    'some cases are empty and will be ignored: 33 62'
    >>> empty_rows_warning(range(1, 8), shown=3)
    'some cases are empty and will be ignored: 1 2 3 ... (7 rows)'
    """
    rows = [int(r) for r in rows]
    more = f" ... ({len(rows)} rows)" if len(rows) > shown else ""
    return "some cases are empty and will be ignored: " + " ".join(map(str, rows[:shown])) + more


def _numeric_block(data, ov_all: list[str]) -> np.ndarray:
    """The model columns of a DataFrame as a float matrix; a non-numeric cell is a typed error."""
    import pandas as pd

    block = data[ov_all]
    nonnum = [c for c in ov_all if not (pd.api.types.is_numeric_dtype(block[c]) and
                                        not pd.api.types.is_bool_dtype(block[c]))]
    if nonnum:
        from .datacheck import numeric_column

        num = block.copy()
        for c in nonnum:                    # a text cell: DataError naming its row, column and value
            num[c] = numeric_column(block, c)
        block = num
    return block.to_numpy(dtype=float)


def _finish(pt: ParTable, model: Model, theta: np.ndarray, V: np.ndarray, opt, fi: FitInputs,
            warnings: list[str], est_name: str, mode: str, se_type: str, info_type: str, nobs: list[int],
            n_input: int, meta: dict, observed_info: np.ndarray | None = None) -> SEMResult:
    est = model.row_values(theta)
    se = np.zeros(len(pt))
    free = pt.par_index >= 0
    lost: list[str] = []
    bad = np.zeros(0, dtype=np.int64)
    n_eq = len(pt.equality)         # the constraints' rank, for lavaan's check.vcov (counted below if known)
    if V.size and se_type != "none" and np.all(np.isfinite(V)):
        # a null direction of Delta: lavaan's NA then depends on rounding; give it always.  With '=='
        # constraints only the directions that keep them count: Delta stacked over the constraints'
        # Jacobian (lavaan's augmented information [E H'; H 0] is singular exactly then)
        deltas = [model.delta(theta, g) for g in range(model.ngroups)]
        if pt.equality:
            lc = LinearConstraints(pt, est)
            deltas.append(lc.A)
            n_eq = lc.rank
        # an observed information (when given) that curves along a null direction of Delta: identified there
        bad = unidentified_parameters(deltas, observed_info if info_type == "observed" else None)
        if len(bad):
            V = V.copy()
            V[bad, :] = np.nan
            V[:, bad] = np.nan
            rows = np.flatnonzero(np.isin(pt.par_index, bad))
            lost = [unidentified_warning([f"{pt.lhs[k]}{pt.op[k]}{pt.rhs[k]}" for k in rows])]
    if V.size:
        var = np.diag(V).copy()
        var[var < 0] = np.nan                       # lavaan's lav_model_vcov_se: a negative variance is NA
        se[free] = np.sqrt(var)[pt.par_index[free]]
    d = pt.def_rows
    if len(d):
        fn = from_partable(pt, est)
        est[d] = fn(theta)
        if V.size:
            J = fn.jacobian(theta)
            Vf = np.where(np.isfinite(V), V, 0.0) if len(bad) else V
            vd = np.diag(J @ Vf @ J.T).copy()
            vd[vd < 0] = np.nan
            if len(bad):
                vd[np.any(J[:, bad] != 0, axis=1)] = np.nan
            se[d] = np.sqrt(vd)
        else:
            se[d] = np.nan
    if se_type == "none":
        se[:] = np.nan
    std = standardize(pt, model, theta, est)
    r2 = r_squared_dict(pt, std["std.all"])      # dicts: SEMResult makes the Series on first use
    fit = fit_measures_dict(fi)
    post = post_checks(pt, model, theta, est)
    warnings = warnings + post + (lost or vcov_warnings(V, n_eq))
    if opt.converged and not post:     # a proper solution, else lavaan's checks have said it is not
        warnings += weak_marker_warnings(pt, est, se, std["std.all"])
    if not opt.converged:
        warnings.insert(0, f"the optimizer did not converge: {opt.message}")
    return SEMResult(partable=pt, model=model, theta=theta, vcov_theta=V, est=est, se=se, std=std, fit=fit,
                     r2_values=r2, converged=opt.converged, warnings=warnings, n=int(sum(nobs)), nobs=nobs,
                     estimator=est_name, missing=mode, se_type=se_type, information=info_type,
                     iterations=opt.iterations, n_input=n_input, meta=meta)


def _group_chisq(logl_h1: float, logl: float) -> float:
    """One group's part of the likelihood-ratio test, lavaan's ``fit@test[[1]]$stat.group``:
    ``2 (logl_h1 - logl)`` of the group, 0 where rounding makes it negative (lavaan's ``chisq.group[< 0] <- 0``).

    >>> round(_group_chisq(-1800.0, -1832.15), 6), _group_chisq(-10.0, -9.9999999)
    (64.3, 0.0)
    """
    return max(2.0 * (float(logl_h1) - float(logl)), 0.0)


def _fit_complete(pt: ParTable, Xg: list[np.ndarray], est_name: str, se_type: str, info_type: str,
                  warnings: list[str], n_input: int, group, group_equal, control: dict,
                  norig: list[int] | None = None) -> SEMResult:
    stats = complete_stats(Xg)
    for g in range(pt.ngroups):
        _check_sigma_pd(stats.cov[g], pt.ov_names[g],
                        _group_place(g, pt.ngroups), n=int(Xg[g].shape[0]),
                        n_rows=None if norig is None else int(norig[g]))
    model = Model(pt)
    model.set_sample_stats(stats.cov, stats.mean)
    x0, rp = _lavaan_start(model, pt, stats.cov, stats.mean, None, warnings)
    N = stats.ntotal

    def fgc(z):
        info, g = ml_information_expected(model, rp.theta(z), stats, with_gradient=True)
        return rp.grad(g), rp.info(info)

    def fg(z):
        f, g = ml_fmin_gradient(model, rp.theta(z), stats)
        return f, rp.grad(g)

    # the line search uses fg (value and gradient from one evaluation), the scoring steps fgc
    opt = _with_fallback_start(
        lambda x, scoring=True, runaway=None, trust=False: minimize(
            lambda z: ml_fmin(model, rp.theta(z), stats), lambda z: fg(z)[1], lambda z: fgc(z)[1], rp.z(x),
            fun_grad_curv=fgc, fun_grad=fg, scoring=scoring, runaway=runaway, trust=trust, **control),
        x0, lambda: model.start(stats.cov, stats.mean, kind="marker"),
        simple=lambda: rp.project(model.start(stats.cov, stats.mean, kind="simple"), model.row_weights()),
        improper=lambda o: _improper(pt, model, rp.theta(o.x)),
        flipped=lambda o: _flipped_pairs(model, rp.theta(o.x), stats.cov),
        shrink=lambda x: rp.theta(rp.z(x) / 10), warnings=warnings,
        step_out=lambda x: (lambda z: None if z is None else rp.theta(z))(_step_out(
            rp.z(x), lambda z: ml_fmin(model, rp.theta(z), stats),
            lambda z: rp.grad(ml_gradient_outside(model, rp.theta(z), stats)))))
    theta = rp.theta(opt.x)
    npar = rp.nz
    ms = pt.meanstructure
    implied = model.implied_all(theta)
    # ---- test statistic and likelihoods
    chisq = 2 * N * opt.fun
    if abs(chisq) < 1e-10:
        chisq = 0.0
    df = _ndat(pt, ms) - npar
    logl = unres = 0.0
    base_chisq = 0.0
    base_npar = 0
    chisq_group = []
    for g in range(pt.ngroups):
        S, m, n = stats.cov[g], stats.mean[g], stats.nobs[g]
        Sigma, mu = implied[g]
        logl_g = mvn_loglik(Sigma, mu if ms else m, S, m, n)
        unres_g = saturated_loglik(S, n, stats.logdet[g])
        chisq_group.append(_group_chisq(unres_g, logl_g))
        logl += logl_g
        unres += unres_g
        xi = _x_idx(pt, g) if pt.fixed_x else np.zeros(0, int)
        if len(xi):
            sat_x = saturated_loglik(S[np.ix_(xi, xi)], n)
            logl -= sat_x
            unres -= sat_x
        xa = _x_all_idx(pt, g)
        Sb = np.diag(np.diag(S))
        if len(xa):
            Sb[np.ix_(xa, xa)] = S[np.ix_(xa, xa)]
        base_chisq += n * (float(np.linalg.slogdet(Sb)[1]) - stats.logdet[g])
        base_npar += _baseline_npar(pt, g, ms)
    base_df = _ndat(pt, ms) - base_npar
    extra: dict[str, float] = {}
    # ---- vcov
    V = np.zeros((pt.npar, pt.npar))
    info_unit = None
    if se_type != "none" or est_name == "MLR":
        if info_type == "expected":
            info_unit = ml_information_expected(model, theta, stats)
        else:
            from .fiml import SampleStats
            info_unit = _observed_information(model, theta, [SampleStats(X) for X in Xg],
                                              [mu if ms else stats.mean[g] for g, (_, mu) in enumerate(implied)],
                                              ms)
    if est_name == "MLR" or se_type == "robust.huber.white":
        from .robust import robust_measures
        G = pt.ngroups
        rob = robust_measures(list(Xg) if G > 1 else Xg[0],
                              Sigma=[s for s, _ in implied] if G > 1 else implied[0][0],
                              mu=([m for _, m in implied] if G > 1 else implied[0][1]) if ms else
                              ([None] * G if G > 1 else None),
                              Delta=[model.delta(theta, g) @ rp.K for g in range(G)] if G > 1
                              else model.delta(theta, 0) @ rp.K,
                              information=rp.info(info_unit), chisq=chisq, df=df, estimator=est_name,
                              meanstructure=ms, npar_h0=pt.nfree, x_idx=[_x_all_idx(pt, g) for g in range(G)],
                              fixed_x=pt.fixed_x, robust_se=se_type == "robust.huber.white")
        warnings.extend(w_ for w_ in rob.warnings if w_ not in warnings)
        if est_name == "MLR":
            extra = {k: v for k, v in rob.fit_dict.items()
                     if k not in ("baseline.chisq", "baseline.df", "baseline.pvalue")}
        if se_type == "robust.huber.white":
            V = rp.vcov(np.asarray(rob.vcov, float))
        elif se_type == "standard":
            V = rp.vcov(_invert_info(rp.info(info_unit), N, warnings))
    elif se_type == "standard":
        V = rp.vcov(_invert_info(rp.info(info_unit), N, warnings))
    fi = FitInputs(chisq=chisq, df=df, npar=npar, ntotal=N, nobs=list(stats.nobs), fmin=opt.fun,
                   baseline_chisq=base_chisq, baseline_df=base_df, logl=logl, unrestricted_logl=unres,
                   S=stats.cov, M=stats.mean, Sigma=[s for s, _ in implied],
                   mu=[mu if ms else stats.mean[g] for g, (_, mu) in enumerate(implied)], meanstructure=ms,
                   x_idx=[_x_idx(pt, g) for g in range(pt.ngroups)], extra=extra)
    meta = {"group": group, "group_equal": list(group_equal), "optimizer_history": opt.history,
            "sampstat": [(stats.cov[g], stats.mean[g]) for g in range(pt.ngroups)], "chisq_group": chisq_group}
    return _finish(pt, model, theta, V, opt, fi, warnings, est_name, "listwise", se_type, info_type,
                   list(stats.nobs), n_input, meta, observed_info=info_unit)


def _fit_fiml(pt: ParTable, Xg: list[np.ndarray], est_name: str, se_type: str, info_type: str,
              warnings: list[str], n_input: int, group, group_equal, control: dict, label: str = "fiml"
              ) -> SEMResult:
    """FIML (``label`` "fiml", lavaan's missing = "ml") or lavaan's "ml.x" (the rows missing a fixed.x covariate
    kept).  The fixed.x values are the EM (H1) moments of all the variables either way.  lavaan 0.6.14's
    likelihoods subtract the covariates' complete-data saturated loglik (lav_mvnorm_missing_loglik_samplestats):
    at the EM block for logl, at its ``lavsamplestats@cov.x`` for the unrestricted logl; with "ml.x" that cov.x
    (and the baseline's fixed covariate block) is the pairwise covariance matrix (divisor n) and the means the
    observed ones, so lavaan reports an unrestricted logl that is not that of the EM moments (reproduced)."""
    try:
        from .fiml import (SampleStats, baseline_moments_x, em_saturated, fiml_gradient, fiml_loglik,
                           independence_fiml)
        from .fiml import information_expected as fiml_info_expected
    except ImportError as exc:  # pragma: no cover - the likelihood side is part of the package
        raise EstimationError(None, f"FIML is not available: {exc}") from None
    stats = [SampleStats(X, columns=list(pt.ov_names[g])) for g, X in enumerate(Xg)]
    nobs = [s.n for s in stats]
    N = int(sum(nobs))
    model = Model(pt)
    # h1 (EM) first: start values and fixed.x values come from it
    em_warnings: list[str] = []
    h1 = [em_saturated(s, warnings=em_warnings) for s in stats]
    for w_ in em_warnings:
        if w_ not in warnings:
            warnings.append(w_)
    covs = [h[0] for h in h1]
    means = [h[1] for h in h1]
    logl_h1 = float(sum(h[2] for h in h1))
    model.set_sample_stats(covs, means)
    ov_vars = [_available_case_var(X) for X in Xg]
    x0, rp = _lavaan_start(model, pt, covs, means, ov_vars, warnings)
    w = np.asarray(nobs, float) / N

    def fun(theta):
        total = 0.0
        for g, s in enumerate(stats):
            Sigma, mu = model.implied(theta, g)
            ll = fiml_loglik(s, Sigma, mu)
            if not np.isfinite(ll):
                return np.inf
            total += ll
        return -total / N

    def grad(theta, outside=False):
        out = np.zeros(model.npar)
        for g, s in enumerate(stats):
            Sigma, mu = model.implied(theta, g)
            try:
                gm = fiml_gradient(s, Sigma, mu, outside=outside)
            except (np.linalg.LinAlgError, ValueError):
                return np.full(model.npar, np.nan)
            out -= model.delta_t_dot(theta, g, gm, meanstructure=True) / N
        return out

    def fun_grad(theta):
        """(fun, grad) from one pass over the patterns (the line search's need)."""
        total = 0.0
        out = np.zeros(model.npar)
        for g, s in enumerate(stats):
            Sigma, mu = model.implied(theta, g)
            try:
                ll, gm = fiml_gradient(s, Sigma, mu, return_loglik=True)
            except (np.linalg.LinAlgError, ValueError):
                return np.inf, np.full(model.npar, np.nan)
            if not np.isfinite(ll):
                return np.inf, np.full(model.npar, np.nan)
            total += ll
            out -= model.delta_t_dot(theta, g, gm, meanstructure=True) / N
        return -total / N, out

    def fgc(theta):
        return grad(theta), model.expected_information(theta, w)

    opt = _with_fallback_start(
        lambda x, scoring=True, runaway=None, trust=False: minimize(
            lambda z: fun(rp.theta(z)), lambda z: rp.grad(grad(rp.theta(z))),
            lambda z: rp.info(model.expected_information(rp.theta(z), w)), rp.z(x),
            fun_grad_curv=lambda z: (lambda g, C: (rp.grad(g), rp.info(C)))(*fgc(rp.theta(z))),
            fun_grad=lambda z: (lambda f, g: (f, rp.grad(g)))(*fun_grad(rp.theta(z))), scoring=scoring,
            runaway=runaway, trust=trust, **control),
        x0, lambda: model.start(covs, means, ov_vars, kind="marker"),
        simple=lambda: rp.project(model.start(covs, means, kind="simple"), model.row_weights()),
        improper=lambda o: _improper(pt, model, rp.theta(o.x)),
        flipped=lambda o: _flipped_pairs(model, rp.theta(o.x), covs),
        shrink=lambda x: rp.theta(rp.z(x) / 10), warnings=warnings,
        step_out=lambda x: (lambda z: None if z is None else rp.theta(z))(_step_out(
            rp.z(x), lambda z: fun(rp.theta(z)), lambda z: rp.grad(grad(rp.theta(z), outside=True)))))
    theta = rp.theta(opt.x)
    npar = rp.nz
    implied = model.implied_all(theta)
    logl = -opt.fun * N
    chisq = max(2.0 * (logl_h1 - logl), 0.0)
    df = _ndat(pt, True) - npar
    base_logl = 0.0
    base = []
    logl_x = logl_x_h1 = 0.0
    for g, s in enumerate(stats):
        Sb, mb, lb = independence_fiml(s)
        xa = _x_all_idx(pt, g)
        if len(xa):
            # lavaan's baseline keeps the covariates' block at its sample (FIML saturated) values
            x_kept = label == "ml.x" and pt.fixed_x
            Sb, mb = baseline_moments_x(s, Sb, mb, xa, pairwise=x_kept)
            lb = fiml_loglik(s, Sb, mb)
            if pt.fixed_x:
                # lavaan's logl with fixed.x is conditional on x: minus the x's complete-data saturated loglik
                # with n = the group's rows, at the EM block (h0) and at the baseline's block (h1; see above)
                logl_x += saturated_loglik(covs[g][np.ix_(xa, xa)], s.n)
                logl_x_h1 += saturated_loglik(Sb[np.ix_(xa, xa)], s.n)
        base.append((Sb, mb))
        base_logl += lb
    base_chisq = 2.0 * (logl_h1 - base_logl)
    base_df = _ndat(pt, True) - sum(_baseline_npar(pt, g, True) for g in range(pt.ngroups))
    V = np.zeros((pt.npar, pt.npar))
    if not opt.converged and not all(_is_pd(S) for S, _ in implied):
        # an optimiser that stopped where the implied covariance matrix is not positive definite: the FIML
        # information needs Sigma^-1 there (numpy's LinAlgError); a fit that did not converge has no SEs anyway
        fi = FitInputs(chisq=chisq, df=df, npar=npar, ntotal=N, nobs=nobs, fmin=chisq / (2 * N),
                       baseline_chisq=base_chisq, baseline_df=base_df, logl=logl - logl_x,
                       unrestricted_logl=logl_h1 - logl_x, S=covs, M=means, Sigma=[s for s, _ in implied],
                       mu=[m for _, m in implied], meanstructure=True,
                       x_idx=[_x_idx(pt, g) for g in range(pt.ngroups)])
        meta = {"group": group, "group_equal": list(group_equal), "optimizer_history": opt.history,
                "sampstat": [(covs[g], means[g]) for g in range(pt.ngroups)],
                "npatterns": [len(s.patterns) for s in stats]}
        return _finish(pt, model, theta, np.full((pt.npar, pt.npar), np.nan), opt, fi, warnings, est_name, "fiml",
                       se_type, info_type, nobs, n_input, meta, observed_info=None)
    if info_type == "observed":
        info_unit = _observed_information(model, theta, stats, [m for _, m in implied], True)
    else:
        info_unit = sum(w[g] * (lambda D: D.T @ fiml_info_expected(s, *implied[g], meanstructure=True) @ D)(
            model.delta(theta, g, meanstructure=True)) for g, s in enumerate(stats))
    extra: dict[str, float] = {}
    from .robust import robust_measures
    G = pt.ngroups
    one = (lambda x: x) if G > 1 else (lambda x: x[0])
    rob = robust_measures(one(stats), Sigma=one([s for s, _ in implied]), mu=one([m for _, m in implied]),
                          Delta=one([model.delta(theta, g, meanstructure=True) @ rp.K for g in range(G)]),
                          information=rp.info(info_unit), chisq=chisq, df=df, estimator=est_name,
                          meanstructure=True, npar_h0=pt.nfree,
                          h1=[(covs[g], means[g]) for g in range(G)] if G > 1 else None,
                          baseline=list(base) if G > 1 else base[0], x_idx=[_x_all_idx(pt, g) for g in range(G)],
                          fixed_x=pt.fixed_x, fiml=True, information_type=info_type,
                          robust_se=se_type == "robust.huber.white")
    warnings.extend(w_ for w_ in rob.warnings if w_ not in warnings)
    extra = {k: v for k, v in rob.fit_dict.items() if k not in ("baseline.chisq", "baseline.df", "baseline.pvalue")}
    if se_type == "robust.huber.white":
        V = rp.vcov(np.asarray(rob.vcov, float))
    if se_type == "standard":
        V = rp.vcov(_invert_info(rp.info(info_unit), N, warnings))
    fi = FitInputs(chisq=chisq, df=df, npar=npar, ntotal=N, nobs=nobs, fmin=chisq / (2 * N),
                   baseline_chisq=base_chisq, baseline_df=base_df, logl=logl - logl_x,
                   unrestricted_logl=logl_h1 - logl_x_h1, S=covs, M=means, Sigma=[s for s, _ in implied], mu=[m for _, m in implied],
                   meanstructure=True, x_idx=[_x_idx(pt, g) for g in range(pt.ngroups)], extra=extra,
                   wls_v=[fiml_info_expected(s, *implied[g], meanstructure=True) for g, s in enumerate(stats)],
                   wls_obs=[_pairwise_moments(X) for X in Xg])
    meta = {"group": group, "group_equal": list(group_equal), "optimizer_history": opt.history,
            "sampstat": [(covs[g], means[g]) for g in range(G)],
            "npatterns": [len(s.patterns) for s in stats],
            "chisq_group": [_group_chisq(h1[g][2], fiml_loglik(s, *implied[g])) for g, s in enumerate(stats)]}
    return _finish(pt, model, theta, V, opt, fi, warnings, est_name, label, se_type, info_type, nobs,
                   n_input, meta, observed_info=info_unit)


# ----------------------------------------------------------------------------- ordered items (WLSMV)
#: lavaan's varTable check of ordered variables: more levels than this is warned (a continuous variable ordered?)
MAX_ORDERED_LEVELS = 12


def many_levels_warning(data, ordered: Sequence[str]) -> list[str]:
    """lavaan's warning for ordered variables with more than 12 distinct values over all rows (a test score or
    a 0-100 slider fitted as one category per value), in lavaan's words.

    >>> import pandas as pd
    >>> many_levels_warning(pd.DataFrame({"a": range(20), "b": [1, 2] * 10}), ["a", "b"])
    ['some ordered categorical variable(s) have more than 12 levels: a']
    """
    many = []
    for v in ordered:
        col = data.matrix([v])[:, 0] if is_table(data) else data[v]
        if is_table(data):
            n = len(np.unique(col[~np.isnan(col)]))
        else:
            n = col.dropna().nunique()
        if n > MAX_ORDERED_LEVELS:
            many.append(v)
    return ["some ordered categorical variable(s) have more than 12 levels: " + " ".join(many)] if many else []


def _ordered_names(ordered, data: pd.DataFrame, ov_all: list[str]) -> list[str]:
    """The model variables treated as ordinal, as lavaan's ``ordered`` argument: ``True`` = every observed
    model variable, a name or list of names, and (always) the ordered categorical columns.

    >>> import pandas as pd
    >>> d = pd.DataFrame({"a": [1, 2], "b": pd.Categorical([1, 2], ordered=True), "c": [1.0, 2.0]})
    >>> _ordered_names(None, d, ["a", "b"]), _ordered_names(["c", "a"], d, ["a", "b", "c"])
    (['b'], ['a', 'b', 'c'])
    """
    auto = set()
    if is_frame(data):                  # a CsvTable has no categorical column
        import pandas as pd

        auto = {v for v in ov_all if isinstance(data[v].dtype, pd.CategoricalDtype) and data[v].cat.ordered}
    if ordered is None or ordered is False:
        named: set[str] = set()
    elif ordered is True:
        named = set(ov_all)
    else:
        lst = [ordered] if isinstance(ordered, str) else list(ordered)
        unknown = [v for v in lst if v not in data.columns]
        if unknown:
            raise EstimationError(None, f"ordered variable(s) {', '.join(map(repr, unknown))} not in the data")
        named = set(lst)
    return [v for v in ov_all if v in named or v in auto]


def _one_group_ordinal_meta(ord_names, res, mode: str, data: pd.DataFrame, **extra) -> dict:
    """The ``meta`` of a one-group WLSMV fit (ordered items, or ordered and continuous: ``mixed=True``), with the
    missing-pattern count lavaan's summary prints under pairwise deletion ("Number of missing patterns")."""
    meta = {"group": None, "group_equal": [], "ordered": list(ord_names), "wlsmv": res, **extra}
    if mode == "pairwise":
        from .wlsmv_groups import missing_patterns
        meta["npatterns"] = [missing_patterns(data)]
    return meta


def _fit_mixed(pm: ParsedModel, data: pd.DataFrame, ov_all: list[str], ord_names: list[str], cont: list[str], *,
               est_name: str, miss: str, se, information, fixed_x: bool, std_lv: bool, orthogonal: bool,
               ngroups: int, control: dict, warnings: list[str], parameterization: str) -> SEMResult:
    """WLSMV with some items ordered and the others continuous (lavaan's ``ordered = c(...)``): one group,
    listwise or pairwise deletion, delta parameterization, se robust.sem; the estimation is
    :func:`iur_survey.sem.mixed.wlsmv_mixed_from_model`.  Anything else stops with a typed error.
    """
    from .mixed import mixed_sample_stats, wlsmv_mixed_from_model
    from .ordinal_result import OrdinalSEMResult
    from .wlsmv import WLSMV_FIT_NAMES

    what = f"a mix of ordered and continuous model variables (continuous: {', '.join(cont)})"
    if ngroups > 1:
        raise EstimationError(None, f"{what} with several groups is not supported yet")
    if parameterization != "delta":
        raise EstimationError(None, f"{what} with parameterization={parameterization!r} is not supported yet")
    if est_name != "WLSMV" or (se or "robust.sem") not in ("robust.sem", "robust"):
        raise EstimationError(None, f"{what}: only estimator 'WLSMV' with se 'robust.sem' is supported")
    if information not in (None, "expected") or control:
        raise EstimationError(None, f"{what}: information= / control= are not supported")
    if is_fiml(miss):
        raise EstimationError(None, f"{what}: missing={missing_arg(miss)} is not available with ordered items; "
                                    "use missing='pairwise' (the default here) or 'listwise'")
    # as for ordered items alone: 'auto' = pairwise when a model variable has a missing cell
    has_nan = bool(data[ov_all].isna().to_numpy().any())
    mode = "pairwise" if (miss == "pairwise" or (miss == "auto" and has_nan)) else "listwise"
    pt = build_partable(pm, meanstructure=False, fixed_x=fixed_x, std_lv=std_lv, orthogonal=orthogonal)
    if any(c.op in ("<", ">") for c in pt.constraints):
        raise EstimationError(None, f"{what}: '<' / '>' constraints are not supported yet")
    model = Model(pt)
    ov = list(model.groups[0].ov)
    n_input = int(len(data))
    st = mixed_sample_stats(data[ov], ord_names, missing=mode)
    if st.n_dropped:
        warnings.append(f"{st.n_dropped} of {n_input} rows dropped by listwise deletion" if mode == "listwise"
                        else f"{st.n_dropped} of {n_input} rows with no value on any item were ignored")
    res, table = wlsmv_mixed_from_model(model, st)
    # lavaan reports no robust (catML) indices for mixed data; the residual-based ones are not computed here
    fit = res.fit_measures.reindex(list(WLSMV_FIT_NAMES))
    cols, names, _ = _theta_columns(pt, table, res, st)
    est, se_rows, std = _partable_columns(pt, table)
    warns = ordinal_warnings(pt, model, res, warnings, ord_names, est, se_rows, std["std.all"])
    meta = _one_group_ordinal_meta(ord_names, res, mode, data[ov], mixed=True)
    return OrdinalSEMResult(partable=pt, model=model, theta=res.theta, vcov_theta=res.vcov, est=est, se=se_rows,
                            std=std, fit=fit, r2_values=res.r2, converged=bool(res.converged),
                            warnings=warns, n=int(st.n), nobs=[int(st.n)],
                            estimator="WLSMV", missing=mode, se_type="robust.sem", information="expected",
                            iterations=int(res.iterations), n_input=n_input, meta=meta, table=table,
                            ordered=list(ord_names), test=res.test, theta_names=names, theta_cols=cols,
                            n_dropped=int(st.n_dropped))


def _theta_columns(pt, table: pd.DataFrame, res, st) -> tuple[list[int], list[str], np.ndarray]:
    """For a one-group ordinal/mixed fit: the ``theta`` columns of the estimates-table rows that are entries
    of ``theta`` (in the table's order), their lavaan ``vcov`` names (the label, else ``lhs op rhs``), and
    the column of every table row (-1: not estimated)."""
    from .wlsmv import dwls_table_columns      # lazy, as the ordinal fits: scipy.stats stays off a plain fit

    par = dwls_table_columns(pt, table, res.kept, st.th.index)
    rows = np.flatnonzero(par >= 0)
    names = [table["label"].iat[i] or f"{table['lhs'].iat[i]}{table['op'].iat[i]}{table['rhs'].iat[i]}"
             for i in rows]
    return [int(par[i]) for i in rows], names, par


def _partable_columns(pt, table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """est, se and std.lv/std.all/std.nox per parameter-table row, taken from an ordinal fit's
    parameterEstimates-like ``table`` (matched on lhs/op/rhs; ``:=`` rows on lhs alone)."""
    by_key = {(r["lhs"], r["op"], r["rhs"] if r["op"] != ":=" else ""): r for r in table.to_dict("records")}
    est = np.full(len(pt), np.nan)
    se_rows = np.full(len(pt), np.nan)
    std = {c: np.full(len(pt), np.nan) for c in ("std.lv", "std.all", "std.nox")}
    for i in range(len(pt)):
        r = by_key.get((pt.lhs[i], pt.op[i], pt.rhs[i] if pt.op[i] != ":=" else ""))
        if r is None:
            continue
        est[i], se_rows[i] = r["est"], r["se"]
        for c in std:
            std[c][i] = r[c]
    return est, se_rows, std


def _fit_ordinal(pm: ParsedModel, data: pd.DataFrame, ov_all: list[str], ord_names: list[str], *, est_name: str,
                 est_given: bool, miss: str, se, information, fixed_x: bool, std_lv: bool, orthogonal: bool,
                 group, ngroups: int, control: dict, warnings: list[str], labels=None, gvals=None,
                 group_equal=(), group_partial=(), parameterization: str = "delta") -> SEMResult:
    """WLSMV (or DWLS) with ordered items: lavaan's ``sem(model, data, ordered = ..., estimator = "WLSMV")``.

    Single group, every model variable ordinal, no observed exogenous covariates, listwise deletion;
    linear ``==`` constraints as lavaan (:func:`iur_survey.sem.wlsmv.dwls_constraints`), not ``<`` / ``>``.
    The estimation itself is :func:`iur_survey.sem.wlsmv.wlsmv_from_model`.
    """
    from .ordinal import ordinal_sample_stats
    from .ordinal_result import DWLS_FIT_NAMES, OrdinalSEMResult
    from .wlsmv import CANNOT_INVERT_TEST, defined_se, dwls_se, dwls_theta_names, wlsmv_from_model

    if not ord_names:
        raise EstimationError(None, f"estimator {est_name!r} needs ordered items: pass ordered=True (or the names "
                                    "of the ordered items); WLSMV for continuous variables is not supported")
    if est_given and est_name in ("ML", "MLR"):
        raise EstimationError(None, f"estimator {est_name!r} is not available with ordered items "
                                    f"({', '.join(ord_names[:3])}{', ...' if len(ord_names) > 3 else ''}); "
                                    "use 'WLSMV' (the default for ordered items) or 'DWLS'")
    if est_name not in ("WLSMV", "DWLS"):
        est_name = "WLSMV"
    from .ordinal import drop_ignored_variance_lines, ordered_variance_lines   # y ~~ y lines of ordered items
    ordered_variance_lines(pm, ord_names, parameterization, ngroups)           # lavaan frees: a typed error
    pm, dropped = drop_ignored_variance_lines(pm, ord_names, parameterization)  # lavaan ignores: so do we
    warnings.extend(w for w in dropped if w not in warnings)
    pt0 = build_partable(pm, meanstructure=False, fixed_x=True, std_lv=std_lv, ngroups=ngroups,
                         group_labels=list(labels) if labels is not None else None)
    xs = pt0.ov_x_names[0]
    if xs:
        raise EstimationError(None, "observed exogenous covariates with ordered items (lavaan's conditional.x) "
                                    f"are not supported yet: {', '.join(xs)}")
    _ordinal_overflow(pt0)
    if group_partial and ngroups < 2:           # one group: group.partial frees nothing (its one-line error)
        from .partable import group_partial_freed
        group_partial_freed(build_partable(pm), group_equal, group_partial)
    cont = [v for v in ov_all if v not in ord_names]
    if cont:
        return _fit_mixed(pm, data, ov_all, ord_names, cont, est_name=est_name, miss=miss, se=se,
                          information=information, fixed_x=fixed_x, std_lv=std_lv, orthogonal=orthogonal,
                          ngroups=ngroups, control=control, warnings=warnings, parameterization=parameterization)
    if is_fiml(miss):
        raise EstimationError(None, f"missing={missing_arg(miss)} is not available with ordered items; "
                                    "use missing='pairwise' (the default here) or 'listwise'")
    # 'auto' = pairwise when an item has a missing cell (lavaan's missing = "pairwise"; lavaan 0.6.14's own
    # default is listwise, which gives the same results on complete data and is then the label)
    has_nan = bool(data[[v for v in ov_all if v in data.columns]].isna().to_numpy().any())
    mode = "pairwise" if (miss == "pairwise" or (miss == "auto" and has_nan)) else "listwise"
    se_type = se or ("robust.sem" if est_name == "WLSMV" else "standard")
    if se_type == "robust":
        se_type = "robust.sem"
    if se_type not in ("robust.sem", "standard", "none"):
        raise EstimationError(None, f"se={se!r} with ordered items: use 'robust.sem', 'standard' or 'none'")
    if information not in (None, "expected"):
        raise EstimationError(None, f"information={information!r} with ordered items: only 'expected'")
    if control:
        raise EstimationError(None, "control= is not supported with ordered items")
    if ngroups > 1 or parameterization != "delta":
        from .wlsmv_groups import ordinal_groups_fit
        if est_name != "WLSMV" or se_type != "robust.sem":
            raise EstimationError(None, "several groups / parameterization='theta' with ordered items: only "
                                        "estimator 'WLSMV' with se 'robust.sem'")
        if gvals is None:
            gvals = np.full(len(data), "1")
            labels = ["1"]
        res = ordinal_groups_fit(pm.syntax, data, group, list(labels), gvals, group_equal=list(group_equal),
                                 parameterization=parameterization, missing=mode, std_lv=std_lv,
                                 est_name=est_name, se_type=se_type, warnings=warnings, source=pm.source,
                                 group_partial=list(group_partial or ()))
        if len(labels) > 1:         # thresholds count among a group's parameters
            res.warnings = list(res.warnings) + [w for w in few_cases_warnings(res.partable, list(res.nobs), group)
                                                 if w not in res.warnings]
        return res
    pt = build_partable(pm, meanstructure=False, fixed_x=fixed_x, std_lv=std_lv, orthogonal=orthogonal)
    if any(c.op in ("<", ">") for c in pt.constraints):
        raise EstimationError(None, "'<' / '>' constraints are not supported with ordered items yet")
    model = Model(pt)
    ov = list(model.groups[0].ov)
    n_input = int(len(data))
    st = ordinal_sample_stats(data[ov], missing=mode)
    if st.n_dropped:
        warnings.append(f"{st.n_dropped} of {n_input} rows dropped by listwise deletion" if mode == "listwise"
                        else f"{st.n_dropped} of {n_input} rows with no value on any item were ignored")
    res, table = wlsmv_from_model(model, st)

    cols, names, par = _theta_columns(pt, table, res, st)

    # ---- DWLS (lavaan's estimator = "DWLS"): standard SEs E^-1 / (N - 1), standard test only
    V = res.vcov
    fit = res.fit_measures
    if se_type == "standard":
        V = (res.e_inv if res.B is None else res.B @ res.e_inv @ res.B.T) / (st.n - 1)
    elif se_type == "none":
        V = np.full_like(res.vcov, np.nan)
    if est_name == "DWLS":
        fit = fit[list(DWLS_FIT_NAMES)]
        res.warnings = [w for w in res.warnings if w != CANNOT_INVERT_TEST]     # no robust test to warn about
    if se_type != "robust.sem":
        table = table.copy()
        if se_type == "standard":        # lavaan's NA rules and check.vcov, on this vcov
            V, se_th, _, vw = dwls_se(V, [], dwls_theta_names(pt, res.kept, st.th.index),
                                      unidentified=res.unidentified, n_eq=res.n_eq)
            if CANNOT_INVERT not in res.warnings:
                res.warnings = [w for w in res.warnings if "does not appear to be positive definite" not in w] + vw
        else:
            se_th = np.full(V.shape[0], np.nan)
        rows = np.flatnonzero(par >= 0)
        table.iloc[rows, table.columns.get_loc("se")] = se_th[par[rows]]
        drows = np.flatnonzero(table["op"].to_numpy() == ":=")
        if len(drows):
            fn = from_partable(pt, model.row_values(res.full), theta_columns(pt.par_index, res.kept))
            table.iloc[drows, table.columns.get_loc("se")] = defined_se(fn.jacobian(res.theta), V)

    # ---- per partable row (the base class's arrays)
    est, se_rows, std = _partable_columns(pt, table)
    warns = ordinal_warnings(pt, model, res, warnings, ord_names, est, se_rows, std["std.all"])
    meta = _one_group_ordinal_meta(ord_names, res, mode, data[ov])
    return OrdinalSEMResult(partable=pt, model=model, theta=res.theta, vcov_theta=V, est=est, se=se_rows,
                            std=std, fit=fit, r2_values=res.r2, converged=bool(res.converged), warnings=warns,
                            n=int(st.n), nobs=[int(st.n)], estimator=est_name, missing=mode,
                            se_type=se_type, information="expected", iterations=int(res.iterations),
                            n_input=n_input, meta=meta, table=table, ordered=list(ord_names), test=res.test,
                            theta_names=names, theta_cols=cols, n_dropped=int(st.n_dropped))
