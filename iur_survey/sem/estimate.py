"""The optimiser (lavaan's ``lav_model_estimate``): :func:`optimize` minimises a stack of K problems of one
model at once -- the refits of a bootstrap or a jackknife, or a single fit as a batch of one.

There is one algorithm.  It works on a *kernel*, ``kernel.evaluate(Theta, mom, which, info) -> (F, grad,
info, ok)``: the objective, gradient and (with ``info=True``) a positive-definite curvature -- the expected
information -- of the rows ``which`` of the stack at the rows of ``Theta`` (:class:`iur_survey.sem.ml.
CompleteMLBatch`, :class:`iur_survey.sem.fiml.FimlBatch`).  A single fit hands its callables to
:func:`minimize`, the adaptor that wraps them as a one-row kernel (:class:`Callables`) and calls
:func:`optimize`.  The stages run in the order the caller lists them, each on the rows the ones before did
not finish (a row leaves a stage as soon as it is done).  A fit from its own start values runs
:func:`default_stages` -- 1, 2, 3 below; refits warm started at a solution whose curvature is known (the
bootstrap's draws) run :func:`warm_stages` -- 2 from that curvature (its first step is a scoring step), then
1, 2, 3 for the draws it does not finish.

1. **Fisher scoring** ``theta <- theta - a C^-1 g`` with the row's own curvature ``C`` (batched Cholesky
   solves) and a batched Armijo backtracking on ``a``; a step that leaves the admissible region (e.g. a non
   positive-definite Sigma) counts as an increase.  A row is done when max |g| < ``gtol``, or when its line
   search fails with max |g| < 1e-7 (the floating-point floor of the objective).  At most ``max_iter``
   iterations.  The cost of a step is the curvature: cheap for one fit, the dominant cost for a warm
   started stack (hence :func:`warm_stages`).
2. **Quasi-Newton** (L-BFGS, the two-loop recursion over the last ``memory`` pairs, batched, Armijo
   backtracking) for the rows that scoring leaves stalled or out of iterations.  The first inverse curvature
   is ``H0inv`` when the caller gives one (the bootstrap: the inverse expected information of the full
   sample), else the scaled identity ``(s'y / y'y) I``.  At most ``20 * max_iter`` iterations
   (``max_iter`` when ``max_iter <= 10``).  In a single fit (:func:`minimize`) a row that creeps near its
   minimum (an ill-conditioned Heywood case: thousands of iterations for the last digits) is finished by a
   Newton probe -- stage 3's steps from a copy of its iterate, kept only when they converge
   (:data:`PROBE_FIRST`).
3. **Newton polish** for the rows the quasi-Newton stage leaves unfinished: up to ``min(6, max_iter)`` Newton steps with the
   Hessian got by central differences of the analytic gradient (:func:`numerical_hessian`; the 2q displaced
   points of all rows in one kernel call), so that the gradient reaches ~1e-12 and estimates agree with
   lavaan's to well below 1e-6.  A step is taken only where that Hessian is positive definite, as it is
   near a minimum: on a flat direction (a variance running off to infinity, where the gradient fades
   like 1/theta^2) a least-squares step would polish a non-solution into a false convergence.

A fourth stage, ``"trust-region"`` (:func:`minimize`'s ``trust=True``: then it and the polish only), is lavaan's
own path, R's ``nlminb``: a dense BFGS model in lavaan's scaled variables, dogleg steps within a trust radius
that starts at 1 (:func:`_stage_trust_region`).  The fit paths of ``api`` try it last, from the starts of
lavaan's attempts.

A row ends ``OK`` when max |gradient| < 1e-7, ``NONCONVERGED`` otherwise, ``FAILED`` when its start is not
admissible.  With ``runaway`` (the bootstrap's draws, a single fit's first attempt) a row whose estimates have
run off along a ridge -- after :data:`RUNAWAY_AFTER` iterations further than ``runaway * max(1, max |start|)``
from its start -- is stopped there, ``NONCONVERGED``: creeping along a ridge used every stage's budget
(thousands of line searches) for nothing; lavaan drops such a draw too.  The bootstrap's draws have two
more stops (:func:`optimize`): a quasi-Newton stage that makes no progress (f down by less than lavaan's
``rel.tol`` and max |gradient| not halved in :data:`STALL` iterations: the floating-point floor) hands the
row to the next stage, and a row that has used its evaluation budget (:func:`draw_budget`, far below nlminb's
``eval.max``) is stopped, ``NONCONVERGED``, as lavaan counts a draw it cannot fit.  A single fit
(:func:`minimize`) has a cap too, nlminb's ``eval.max`` (:data:`EVAL_MAX`), and its
quasi-Newton line search stops where nlminb stops with "false convergence": at a step that changes no
coordinate by more than nlminb's ``xf.tol`` (:data:`XF_TOL`) of its size, the row goes on to the next stage
(the 1e-12 slack of the line search accepted such steps, which change nothing, 40 evaluations an iteration
for the rest of the stage's budget: a FIML fit took minutes where lavaan gives up in a second).  Variances
are not bounded (as in lavaan): a Heywood case comes out negative and the caller warns about it.  There is
no scipy fallback and no second optimiser: stages 2 and 3 are the fallback.

>>> f = lambda x: float((x[0] - 1) ** 2 + 10 * (x[1] + 2) ** 2 + x[0] ** 4)
>>> g = lambda x: np.array([2 * (x[0] - 1) + 4 * x[0] ** 3, 20 * (x[1] + 2)])
>>> h = lambda x: np.diag([2 + 12 * x[0] ** 2, 20.0])
>>> res = minimize(f, g, h, np.zeros(2))
>>> res.converged, np.round(res.x, 6).tolist()
(True, [0.589755, -2.0])
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np
from scipy import linalg

__all__ = ["OptimResult", "BatchResult", "Callables", "optimize", "default_stages", "warm_stages", "minimize",
           "numerical_hessian",
           "OK", "FAILED", "NONCONVERGED", "RUNAWAY", "RUNAWAY_AFTER", "RUNAWAY_QN", "RUNAWAY_EXPLORE", "RunawayAfterScoring",
           "STALL", "STALL_RTOL", "FirstAttempt", "PausedPath", "RUNAWAY_FIRST", "RUNAWAY_FULL", "PAUSE_QN",
           "EVAL_MAX", "XF_TOL", "PROBE_FIRST", "DRAW_EVALS", "DRAW_EVALS_PER_PARAM", "draw_budget"]

#: status of each row of :func:`optimize`
OK, FAILED, NONCONVERGED = 0, 1, 2
#: max |gradient| below which a row counts as converged when the stages end
CONVERGED_GMAX = 1e-7
#: the ``runaway`` factor of the bootstrap's refits and of a single fit's first attempt: a row whose estimates
#: are further than RUNAWAY * max(1, max |start|) from its start after RUNAWAY_AFTER iterations has run off
#: along a ridge (:func:`optimize`; the first scoring steps from lavaan's start values may jump that far and
#: come back)
RUNAWAY = 10.0
RUNAWAY_AFTER = 50


class RunawayAfterScoring(float):
    """A ``runaway`` factor (equal to the float it holds) that stops a row from the quasi-Newton stage on only:
    the scoring stage, which converges fast or hands a slow row on within :data:`SCORING_WINDOW` iterations,
    is left to finish a path whose minimum lies far from its start (a Heywood case whose loadings grow ten-fold:
    the 30-case group of tests/sem/test_simple_start.py, which scoring reaches from lavaan's simple start)."""


class _Budgeted:
    """A ``runaway`` factor whose row is also stopped in its quasi-Newton stage after ``pause(q)`` iterations
    without converging: the first attempt's budget (:data:`PAUSE_QN`), one formula for :class:`FirstAttempt` and
    :class:`PausedPath`."""

    def pause(self, q: int) -> int:
        return max(PAUSE_QN, PAUSE_QN_PER_PARAM * q)


class FirstAttempt(_Budgeted, float):
    """The ``runaway`` factor of a single fit's first attempt (equal to the float it holds, :data:`RUNAWAY`):
    besides the run-off stop, the row is stopped in its quasi-Newton stage after ``pause(q)`` iterations
    without converging (:data:`PAUSE_QN`), ``ran_off`` as a row that ran off: the other paths run at once and,
    when none converges, the fit is the first attempt's, not converged (``api._fallbacks``).  A first attempt carried
    by its scoring steps onto a ridge creeps along it for thousands of iterations before it crosses the run-off
    bound (HS_fiml_G4_k15_s2_ML of tests/sem/converge_refs: 4,227 iterations, 10 s; then the quasi-Newton path
    from lavaan's start reaches lavaan's minimum in 340)."""


class PausedPath(_Budgeted, RunawayAfterScoring):
    """The ``runaway`` factor of a single fit's other paths (:data:`RUNAWAY_QN`: the fallbacks of a fit not
    converged yet, ``api._fallbacks``, not the paths that explore a converged improper solution; ``PausedPath(inf)``: a DWLS fit's attempts, which have no
    run-off stop, :func:`~iur_survey.sem.wlsmv.fit_dwls`): a :class:`RunawayAfterScoring` whose row is also
    stopped in its quasi-Newton stage after the first attempt's budget (:meth:`FirstAttempt.pause`), not
    converged (``paused``; the message says so).  Paths that converge do so well within it: over the 608 fits
    with fallbacks of tests/sem and tests/reference, every converged fallback or exploring path but one took
    at most 869 quasi-Newton iterations (the one: 2,052 of q = 90, exploring a converged Heywood case), every converged DWLS attempt at most 493 (q = 104); the paths that
    do not converge crept for up to 10,000 (a fit on 45 rows in three groups: 8,546, 30 s; on a 40-row
    bootstrap resample of the study model, three paths of 8,116-10,000, 3 minutes, where lavaan 0.6.14 gives
    up in 5 s)."""


#: the quasi-Newton budget of a single fit's first attempt before the other paths run (:class:`FirstAttempt`):
#: max(PAUSE_QN, PAUSE_QN_PER_PARAM * q) iterations, several times what lavaan's nlminb needs where it converges
#: (its path is the one of the quasi-Newton fallback from lavaan's start), and with the Newton probes
#: (:data:`PROBE_FIRST`) a path that converges slowly near its minimum is finished long before
PAUSE_QN, PAUSE_QN_PER_PARAM = 1000, 10
#: the ``runaway`` of a single fit's first attempt
RUNAWAY_FIRST = FirstAttempt(RUNAWAY)
#: the ``runaway`` of a rerun in full of a first attempt (no longer made by ``api._fallbacks``, which reports the
#: first attempt when no path converges): a path 100 x its start's scale away, from its quasi-Newton stage on, has
#: run off for good (the non-converged
#: fit of tests/base/test_nonconverged.py crept on for 10,000 iterations to estimates of 1e3 from starts of 1,
#: max |gradient| 32; lavaan 0.6.14 gives up after 698)
RUNAWAY_FULL = RunawayAfterScoring(10 * RUNAWAY)
#: the ``runaway`` of the fallbacks of a single fit not converged yet (``api._fallbacks``): :data:`RUNAWAY` from the
#: quasi-Newton stage on, and the first attempt's quasi-Newton budget (:class:`PausedPath`)
RUNAWAY_QN = PausedPath(RUNAWAY)
#: the ``runaway`` of the paths that explore a converged improper solution (``api._fallbacks``): :data:`RUNAWAY`
#: from the quasi-Newton stage on, no budget below the stage's (such a path may creep for thousands of
#: iterations to a lower minimum, and the minimum kept must not change)
RUNAWAY_EXPLORE = RunawayAfterScoring(RUNAWAY)
#: the ``stall`` window of the bootstrap's refits: quasi-Newton iterations without progress (f down by more
#: than STALL_RTOL * max(1, |f|), or max |g| halved) after which a row leaves the stage (:func:`optimize`);
#: STALL_RTOL is nlminb's ``rel.tol`` in lavaan (1e-10), STALL the warm start's first quasi-Newton budget
STALL = 100
STALL_RTOL = 1e-10
#: the evaluation cap of a single fit (``max_evals`` of :func:`optimize`, :func:`minimize`): lavaan's ``eval.max``
#: of nlminb, past which lavaan counts a fit as not converged (nlminb's "function evaluation limit reached")
EVAL_MAX = 20000
#: the evaluation budget of a bootstrap draw (:func:`draw_budget`): max(DRAW_EVALS, DRAW_EVALS_PER_PARAM * q)
#: evaluations of the objective and gradient (line-search trials included), then the draw stops, not converged
DRAW_EVALS, DRAW_EVALS_PER_PARAM = 2000, 40


def draw_budget(q: int) -> int:
    """The evaluation budget (``max_evals`` of :func:`optimize`) of a bootstrap draw's refit with ``q`` free
    parameters: max(:data:`DRAW_EVALS`, :data:`DRAW_EVALS_PER_PARAM` * q).

    A draw warm started at the full-sample solution that converges does so within a few hundred evaluations:
    over 2,537 draws of tests/sem's bootstrap tests at most 615 (q = 21), over 200 draws of a 40-row sample of
    the study model (q = 105, FIML; 107 converged) at most 1,943 (q99 1,539), and over 20 of another at most 1,309; a draw that does not converge creeps along a ridge where
    nearly every line search backtracks 10-15 times, and with nlminb's ``eval.max`` (:data:`EVAL_MAX`,
    20,000) it crept some 1,000-1,600 quasi-Newton iterations before it stopped: 85-90 % of a 40-row
    bootstrap's time went to such draws (lavaan drops them too).  A budget only stops a draw still running
    when it is spent, so no draw that converges within it changes.

    >>> draw_budget(21), draw_budget(105)
    (2000, 4200)
    """
    return max(DRAW_EVALS, DRAW_EVALS_PER_PARAM * int(q))
#: the Newton probes of a single fit's quasi-Newton stage (``probe`` of :func:`optimize`, :func:`_probe_newton`):
#: a row still in the stage after max(PROBE_FIRST, PROBE_PER_PARAM * q) iterations (a probe's Hessian costs 2q
#: gradients) tries, from a copy of its iterate, up to PROBE_STEPS Newton steps with the differenced Hessian (the
#: polish's), each cutting max |g| at least PROBE_CUT-fold; they are kept only when they reach ``gtol``, else the
#: stage goes on from where it was (its path unchanged) and the next probe comes when the row has spent
#: PROBE_GROWTH times as many iterations in the stage.  A probe is tried only while max |g| is below PROBE_GREL of
#: its value at the row's start and f has gone down by less than PROBE_FREL * max(1, |f|) over the last
#: PROBE_WINDOW iterations (a path still far from a minimum, or creeping along a ridge -- f going down steadily,
#: a gradient that does not fade -- is not probed)
PROBE_FIRST, PROBE_PER_PARAM, PROBE_STEPS, PROBE_CUT = 100, 3, 6, 1.0
PROBE_GREL, PROBE_FREL, PROBE_WINDOW, PROBE_GROWTH = 1e-2, 1e-8, 10, 1.5
#: the floor of a quasi-Newton line search in a single fit (``xf_tol`` of :func:`optimize`): nlminb's ``xf.tol``
#: in lavaan (2.2e-14), the relative step at or below which nlminb stops with "false convergence" (lavaan:
#: not converged); here relative to each coordinate (:func:`_backtrack`)
XF_TOL = 2.2e-14


@dataclass
class OptimResult:
    """The result of one fit (:func:`minimize`)."""

    x: np.ndarray
    fun: float
    grad: np.ndarray
    converged: bool
    iterations: int
    message: str = ""
    history: list[str] = field(default_factory=list)
    ran_off: bool = False


@dataclass
class BatchResult:
    """The result of :func:`optimize` for a stack of K problems: ``x`` (K x q), ``fun`` (K), ``grad`` (K x q),
    ``status`` (OK / FAILED / NONCONVERGED), ``iterations`` (scoring + quasi-Newton), per row the
    stages it went through (``history``), whether it was stopped for running off (``ran_off``) or by the
    evaluation cap (``capped``), and its evaluations of the objective and gradient (``evaluations``; those of
    the polish's differenced Hessians not included), and whether it was stopped by a first attempt's quasi-Newton
    budget (``paused``, :class:`FirstAttempt`; then ``ran_off`` too)."""

    x: np.ndarray
    fun: np.ndarray
    grad: np.ndarray
    status: np.ndarray
    iterations: np.ndarray
    history: list[list[str]]
    ran_off: np.ndarray | None = None
    capped: np.ndarray | None = None
    evaluations: np.ndarray | None = None
    paused: np.ndarray | None = None


# ------------------------------------------------------------------ small batched pieces
def _fd_hessians(gradients: Callable[[np.ndarray], np.ndarray], X: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Symmetrised central-difference Jacobians of an analytic gradient at the rows of ``X`` (K x q);
    ``gradients(Z)`` maps a stack of points (m x q) to their gradients (m x q).  All 2q displaced points of
    all rows go to ``gradients`` at once (rows k*2q ... (k+1)*2q - 1 belong to row k)."""
    K, q = X.shape
    step = h * np.maximum(1.0, np.abs(X))                               # K x q
    E = np.eye(q)[None] * step[:, None, :]                              # K x q x q, row i: step_i e_i
    Z = np.concatenate([X[:, None] + E, X[:, None] - E], axis=1).reshape(K * 2 * q, q)
    Gz = np.asarray(gradients(Z), float).reshape(K, 2, q, q)            # [k, +/-, i, :] = g(x +/- step_i e_i)
    H = np.swapaxes((Gz[:, 0] - Gz[:, 1]) / (2 * step[:, :, None]), 1, 2)  # column i: d g / d x_i
    return 0.5 * (H + np.swapaxes(H, 1, 2))


def numerical_hessian(grad: Callable[[np.ndarray], np.ndarray], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Symmetrised central-difference Jacobian of an analytic gradient (the Hessian of stage 3).

    >>> H = numerical_hessian(lambda x: np.array([2 * x[0] + x[1], x[0] + 6 * x[1]]), np.zeros(2))
    >>> np.round(H, 6).tolist()
    [[2.0, 1.0], [1.0, 6.0]]
    """
    x = np.asarray(x, float)
    return _fd_hessians(lambda Z: np.array([grad(z) for z in Z]), x[None], h)[0]


def _solve(A: np.ndarray, b: np.ndarray, definite: bool = False) -> np.ndarray | None:
    try:
        return linalg.cho_solve(linalg.cho_factor(A, lower=True, check_finite=False), b, check_finite=False)
    except (np.linalg.LinAlgError, ValueError):
        if definite:
            return None
    try:
        x = np.linalg.lstsq(A, b, rcond=1e-12)[0]
        return x if np.all(np.isfinite(x)) else None
    except np.linalg.LinAlgError:
        return None


def _newton_steps(C: np.ndarray, G: np.ndarray, definite: bool = False) -> np.ndarray:
    """``-C_k^-1 g_k`` for a stack (NaN rows where the system cannot be solved): one batched Cholesky solve
    when every C_k is positive definite, else row by row (Cholesky, then least squares unless ``definite``)."""
    out = np.full(G.shape, np.nan)
    fin = np.all(np.isfinite(C), axis=(1, 2)) & np.all(np.isfinite(G), axis=1)
    idx = np.flatnonzero(fin)
    if idx.size == 0:
        return out
    try:
        L = np.linalg.cholesky(C[idx])
        y = np.linalg.solve(L, -G[idx][:, :, None])
        out[idx] = np.linalg.solve(np.swapaxes(L, 1, 2), y)[:, :, 0]
    except np.linalg.LinAlgError:
        for k in idx:
            s = _solve(C[k], -G[k], definite)
            if s is not None:
                out[k] = s
    return out


@dataclass
class _Stops:
    """The early stops of :func:`optimize`: the run-off bound (``X0``, ``limit``; None without ``runaway``)
    and the evaluation cap (``evals`` counted per row by :class:`_Counted`; ``max_evals`` None: no cap).
    ``off`` marks every stopped row, ``capped`` those stopped by the cap."""

    X0: np.ndarray | None
    limit: np.ndarray | None
    off: np.ndarray
    iters: np.ndarray
    evals: np.ndarray
    max_evals: int | None
    capped: np.ndarray
    in_scoring: bool = True             # the run-off bound holds in the scoring stage too
    pause: int | None = None            # quasi-Newton iterations after which a row stops (FirstAttempt)
    paused: np.ndarray | None = None    # the rows so stopped


class _Counted:
    """A kernel that counts, per row, the evaluations it is asked for (while ``on``)."""

    def __init__(self, kernel, evals: np.ndarray):
        self.kernel, self.evals, self.on = kernel, evals, True
        self.info_changes_fg = getattr(kernel, "info_changes_fg", False)

    def evaluate(self, X, mom, which, info=False):
        if self.on:
            np.add.at(self.evals, which, 1)
        return self.kernel.evaluate(X, mom, which, info)


def _ran_off(X: np.ndarray, G: np.ndarray, rows: np.ndarray, bound: _Stops | None, gtol: float) -> np.ndarray:
    """Per row of ``rows``: True when the row is to stop, and marks it in ``bound.off``: its iterate has run
    off (after :data:`RUNAWAY_AFTER` iterations, max |x - x0| is above the row's limit while max |g| is at
    least ``gtol`` and 1e-7), or it has used its ``max_evals`` evaluations (then also ``bound.capped``);
    all False without a bound."""
    if bound is None or rows.size == 0:
        return np.zeros(rows.size, bool)
    live = ~(_gmax(G[rows]) < max(gtol, CONVERGED_GMAX))
    stop = np.zeros(rows.size, bool)
    if bound.limit is not None:
        stop = (bound.iters[rows] >= RUNAWAY_AFTER) & live & \
            (np.abs(X[rows] - bound.X0[rows]).max(axis=1, initial=0.0) > bound.limit[rows])
    if bound.max_evals is not None:
        cap = live & (bound.evals[rows] >= bound.max_evals)
        bound.capped[rows[cap & ~stop]] = True
        stop |= cap
    bound.off[rows[stop]] = True
    return stop


def _gmax(G: np.ndarray) -> np.ndarray:
    """max |g| per row (inf where the gradient is not finite)."""
    return np.where(np.all(np.isfinite(G), axis=1), np.abs(G).max(axis=1, initial=0.0), np.inf)


def _backtrack(kernel, mom, rows, X, F, step, slope, *, info: bool, c1: float, tries: int,
               floor_gmax: np.ndarray | None = None, xf_tol: float | None = None,
               floored: np.ndarray | None = None):
    """Batched backtracking from ``X[rows]`` along ``step`` (halving ``a`` from 1): accept when the point is
    admissible with a finite gradient and ``f <= F + c1 a slope + 1e-12 max(1, |F|)``.  Rows flagged by
    ``floor_gmax`` (finite entries: the predicted decrease is below the resolution of f) get the full step
    only, accepted when f does not increase and max |g| falls below 0.9 x ``floor_gmax``.

    ``xf_tol`` (None: off): a row whose trial step has shrunk so far that it changes no coordinate by more
    than ``xf_tol`` of its size (``|a step_i| <= xf_tol (|x_i| + |x_i + a step_i|)`` for every i) is not
    tried further: its search fails there (marked in ``floored``, over ``rows``, when given), as nlminb
    stops with "false convergence" when its relative step falls to ``xf.tol`` -- such a step changes x in
    its last digits only, and the ``1e-12`` slack would accept one that changes nothing, over and over (a
    FIML fit whose variance sits at 1e-7 on the border of the admissible region: 40 evaluations an
    iteration for thousands of iterations, audit s27).  nlminb's own ``reldx`` is relative to the largest
    coordinate; per coordinate, a fit whose estimates have run off (one coordinate at 1e5) is not stopped
    while its other coordinates still move.

    With ``info`` the curvature comes from the first trial point (the full step, accepted as a rule) and,
    for a row accepted at a shorter step, from evaluating the accepted point again (value, gradient and
    curvature, the very numbers of an evaluation there with the curvature): the curvature of the points
    that are turned down is not computed (for FIML it costs some 2.5 evaluations; a draw on a ridge backtracks
    ~10 times a step).  Not for a kernel whose value and gradient come from other callables with the
    curvature (``info_changes_fg``, :class:`Callables`).

    Returns (accepted mask, Xn, Fn, Gn, In) over ``rows``."""
    n, q = step.shape
    t = np.ones(n)
    Xn, Fn = np.empty((n, q)), np.full(n, np.inf)
    Gn = np.full((n, q), np.nan)
    In = np.full((n, q, q), np.nan) if info else None
    acc_all = np.zeros(n, bool)
    late = np.zeros(n, bool)                    # accepted at a trial evaluated without the curvature
    lazy = info and not getattr(kernel, "info_changes_fg", False)
    pend = np.arange(n)
    tiny = np.zeros(n, bool) if floor_gmax is None else np.isfinite(floor_gmax)
    for trial in range(tries):
        if xf_tol is not None:
            x_now = X[rows[pend]]
            ts = np.abs(t[pend, None] * step[pend])
            flat = np.all(ts <= xf_tol * (np.abs(x_now) + np.abs(x_now + t[pend, None] * step[pend])), axis=1)
            if flat.any():
                if floored is not None:
                    floored[pend[flat]] = True
                pend = pend[~flat]
                if pend.size == 0:
                    break
        idx = rows[pend]
        xt = X[idx] + t[pend, None] * step[pend]
        with_info = info and (trial == 0 or not lazy)
        f, g, C, ok = kernel.evaluate(xt, mom, idx, info=with_info)
        tol = 1e-12 * np.maximum(1.0, np.abs(F[idx]))
        good = ok & np.isfinite(f) & np.all(np.isfinite(g), axis=1)
        acc = good & (f <= F[idx] + c1 * t[pend] * slope[pend] + tol)
        tp = tiny[pend]
        if tp.any():
            acc[tp] = good[tp] & (f[tp] <= F[idx[tp]] + tol[tp]) & \
                (_gmax(np.where(good[tp, None], g[tp], np.nan)) < 0.9 * floor_gmax[pend[tp]])
        hit = pend[acc]
        Xn[hit], Fn[hit], Gn[hit] = xt[acc], f[acc], g[acc]
        if with_info:
            In[hit] = C[acc] if C is not None else np.nan
        elif info:
            late[hit] = True
        acc_all[hit] = True
        pend = pend[~acc & ~tp]                 # a tiny step gets one try
        if pend.size == 0:
            break
        t[pend] *= 0.5
    if late.any():
        lt = np.flatnonzero(late)
        f, g, C, ok = kernel.evaluate(Xn[lt], mom, rows[lt], info=True)
        Fn[lt], Gn[lt] = f, g
        In[lt] = C if C is not None else np.nan
        bad = lt[~(ok & np.isfinite(f) & np.all(np.isfinite(g), axis=1))]
        acc_all[bad] = False                    # cannot happen for a deterministic kernel
    return acc_all, Xn, Fn, Gn, In


def _lbfgs_direction(g: np.ndarray, S: np.ndarray, Y: np.ndarray, rho: np.ndarray, count: np.ndarray,
                     H0: np.ndarray) -> np.ndarray:
    """``-H g`` for a stack of rows, H the BFGS inverse curvature built from ``H0`` (q x q, or K x q x q) and
    each row's (s, y) pairs (the two-loop recursion; the pairs of row k are S[k, :count[k]] in order).

    A stack of one (a single fit) runs the same recursion on vectors: the stacked form's per-pair overhead
    would dominate a single fit that needs thousands of iterations."""
    if g.shape[0] == 1:
        n = int(count[0])
        s, y, rh = S[0, :n], Y[0, :n], rho[0, :n]
        r = g[0].copy()
        al = np.empty(n)
        for i in range(n - 1, -1, -1):
            al[i] = rh[i] * (s[i] @ r)
            r -= al[i] * y[i]
        r = r @ H0 if H0.ndim == 2 else H0[0] @ r
        for i in range(n):
            r += (al[i] - rh[i] * (y[i] @ r)) * s[i]
        return -r[None]
    r = g.copy()
    top = int(count.max(initial=0))
    alpha = np.zeros((g.shape[0], max(top, 1)))
    for i in range(top - 1, -1, -1):
        valid = count > i
        a_i = np.where(valid, rho[:, i] * np.einsum("ki,ki->k", S[:, i], r), 0.0)
        alpha[:, i] = a_i
        r -= a_i[:, None] * Y[:, i]
    r = r @ H0 if H0.ndim == 2 else np.einsum("kij,kj->ki", H0, r)
    for i in range(top):
        valid = count > i
        b_i = np.where(valid, rho[:, i] * np.einsum("ki,ki->k", Y[:, i], r), 0.0)
        r += np.where(valid, alpha[:, i] - b_i, 0.0)[:, None] * S[:, i]
    return -r


# ------------------------------------------------------------------ the stages
#: scoring as the first stage hands a row to the quasi-Newton stage when its max |gradient| has not fallen to
#: SCORING_SLOW of its value SCORING_WINDOW iterations before (a rate slower than 0.91 an iteration: scoring
#: converges far faster where its curvature is regular)
SCORING_WINDOW = 25
SCORING_SLOW = 0.1


def _stage_scoring(kernel, mom, X, F, G, C, rows, *, gtol, max_iter, iters, bound=None, leave_slow=True):
    """Stage 1 on ``rows`` (in place on X, F, G, C, iters).  Returns (done, why): per row of ``rows`` True
    when finished (gradient below gtol, or at the floor), and the reason it left the stage."""
    why = np.full(rows.size, "max_iter", dtype=object)
    done = np.zeros(rows.size, bool)
    live = np.arange(rows.size)
    mark = np.full(rows.size, np.inf)           # max |g| at the start of the current window
    for it in range(max_iter + 1):
        r = rows[live]
        gm = _gmax(G[r])
        nan = ~np.isfinite(gm)
        conv = ~nan & (gm < gtol)
        why[live[nan]], why[live[conv]] = "nan", "converged"
        done[live[conv]] = True
        keep = ~nan & ~conv & (it < max_iter)
        if leave_slow and it and it % SCORING_WINDOW == 0:
            # scoring only creeps (its curvature vanishes along a direction, e.g. a loading going to its bound
            # 0 in m^2): the quasi-Newton stage takes over
            slow = keep & (gm > SCORING_SLOW * mark[live])
            why[live[slow]] = "slow"
            keep &= ~slow
            mark[live] = gm
        elif it == 0:
            mark[live] = gm
        live, r, gm = live[keep], r[keep], gm[keep]
        if live.size == 0:
            break
        iters[r] += 1
        step = _newton_steps(C[r], G[r])
        slope = np.einsum("ki,ki->k", G[r], step)
        steep = ~np.all(np.isfinite(step), axis=1) | ~(slope < 0)
        step[steep] = -G[r[steep]]
        slope[steep] = -np.einsum("ki,ki->k", G[r[steep]], G[r[steep]])
        tiny = -slope < 1e-12 * np.maximum(1.0, np.abs(F[r]))
        acc, Xn, Fn, Gn, In = _backtrack(kernel, mom, r, X, F, step, slope, info=True, c1=1e-4, tries=50,
                                         floor_gmax=np.where(tiny, gm, np.inf) if tiny.any() else None)
        fail = ~acc
        floor = fail & (gm < CONVERGED_GMAX)
        why[live[floor]], why[live[fail & ~floor]] = "floor", "stalled"
        done[live[floor]] = True
        a = r[acc]
        X[a], F[a], G[a], C[a] = Xn[acc], Fn[acc], Gn[acc], In[acc]
        live = live[acc]
        far = _ran_off(X, G, rows[live], bound if bound is None or bound.in_scoring else
                       replace(bound, limit=None), gtol)
        why[live[far]] = "ran off"
        live = live[~far]
    return done, why


def _probe_newton(kernel, mom, X, F, G, rows, *, gtol, steps=PROBE_STEPS, cut=PROBE_CUT):
    """Newton steps with the differenced Hessian (the polish's, :func:`_stage_polish`) from copies of the
    iterates ``X[rows]``: each step must have a positive-definite Hessian, be accepted by the line search
    (f not up) and cut max |g| at least ``cut``-fold, else the row's probe fails.  Returns (ok, Xp, Fp, Gp)
    over ``rows``: ok where max |g| fell below ``gtol`` within ``steps`` steps (nothing is written into X,
    F, G).  Near a minimum where the quasi-Newton path creeps (an ill-conditioned Hessian: a Heywood case of a
    small group), Newton's quadratic convergence ends it in a few steps."""
    q = X.shape[1]
    Xp, Fp, Gp = X[rows].copy(), F[rows].copy(), G[rows].copy()
    ok = np.zeros(rows.size, bool)
    live = np.flatnonzero(np.all(np.isfinite(Gp), axis=1))
    on = getattr(kernel, "on", None)
    if on is not None:
        kernel.on = False                   # not counted, as the polish's evaluations
    try:
        for _ in range(steps):
            gm = _gmax(Gp[live])
            fin = gm < gtol
            ok[live[fin]] = True
            live = live[~fin]
            if live.size == 0:
                break
            rep = np.repeat(rows[live], 2 * q)
            H = _fd_hessians(lambda Z: kernel.evaluate(Z, mom, rep)[1], Xp[live])
            step = _newton_steps(H, Gp[live], definite=True)
            good = np.all(np.isfinite(step), axis=1)
            live, step, gm = live[good], step[good], gm[good]
            if live.size == 0:
                break
            # the line search on the copies: rows index into the stacks of copies
            acc, Xn, Fn, Gn, _ = _backtrack(_Rows(kernel, rows), mom, live, Xp, Fp, step, np.zeros(live.size),
                                            info=False, c1=0.0, tries=30)
            acc &= _gmax(Gn) < gm / cut
            a = live[acc]
            Xp[a], Fp[a], Gp[a] = Xn[acc], Fn[acc], Gn[acc]
            live = a
        ok[live[_gmax(Gp[live]) < gtol]] = True
    finally:
        if on is not None:
            kernel.on = on
    return ok, Xp, Fp, Gp


class _Rows:
    """A kernel seen through a map of row numbers: row i of the caller's stack is row ``rows[i]`` of the
    kernel's (:func:`_probe_newton` runs its line search on copies of some rows)."""

    def __init__(self, kernel, rows):
        self.kernel, self.rows = kernel, rows
        self.info_changes_fg = getattr(kernel, "info_changes_fg", False)

    def evaluate(self, X, mom, which, info=False):
        return self.kernel.evaluate(X, mom, self.rows[which], info)


def _stage_quasi_newton(kernel, mom, X, F, G, rows, *, gtol, max_iter, iters, H0inv, memory, bound=None,
                        stall=None, xf_tol=None, probe=None):
    """Stage 2 (L-BFGS) on ``rows`` (in place on X, F, G, iters).  Returns (done, stalled, floored, probed): per
    row True when max |g| < gtol, True when it left for making no progress (``stall``: :func:`optimize`),
    True when its line search fell to the relative step ``xf_tol`` (:func:`_backtrack`), and True when a
    Newton probe finished it (``probe``: per row of ``rows``, the max |g| below which it may be probed, None: no
    probes; :data:`PROBE_FIRST`, :func:`_probe_newton`: they end a row that creeps near its minimum)."""
    K, q = rows.size, X.shape[1]
    n_it = np.zeros(K, int)                 # the rows' iterations in this stage
    next_probe = np.full(K, max(PROBE_FIRST, PROBE_PER_PARAM * q) if probe is not None else np.iinfo(np.int64).max)
    probed = np.zeros(K, bool)              # finished by a probe
    f_past = np.full((K, PROBE_WINDOW), np.inf)     # f of the last PROBE_WINDOW iterations (a ring)
    done = _gmax(G[rows]) < gtol
    active = ~done & np.all(np.isfinite(G[rows]), axis=1)
    stalled = np.zeros(K, bool)
    floored = np.zeros(K, bool)
    ref = F[rows].copy()                    # f and max |g| at the last progress, and iterations since
    ref_g = _gmax(G[rows])
    since = np.zeros(K, int)
    Sh, Yh = np.zeros((K, memory, q)), np.zeros((K, memory, q))
    rho = np.zeros((K, memory))
    count = np.zeros(K, int)
    H0 = np.repeat(np.eye(q)[None], K, axis=0) if H0inv is None else np.asarray(H0inv, float)
    scaled = H0inv is None
    for _ in range(max_iter):
        a = np.flatnonzero(active)
        if a.size == 0:
            break
        ra = rows[a]
        H0a = H0[a] if H0.ndim == 3 else H0
        step = _lbfgs_direction(G[ra], Sh[a], Yh[a], rho[a], count[a], H0a)
        slope = np.einsum("ki,ki->k", G[ra], step)
        bad = ~(slope < 0)
        if bad.any():                       # lost the descent property: restart from H0
            count[a[bad]] = 0
            step[bad] = -(G[ra[bad]] @ H0a) if H0a.ndim == 2 else -np.einsum("kij,kj->ki", H0a[bad], G[ra[bad]])
            slope[bad] = np.einsum("ki,ki->k", G[ra[bad]], step[bad])
        fl = np.zeros(a.size, bool)
        acc, Xn, Fn, Gn, _ = _backtrack(kernel, mom, ra, X, F, step, slope, info=False, c1=1e-4, tries=40,
                                        xf_tol=xf_tol, floored=fl)
        active[a[~acc]] = False             # the line search failed: on to stage 3
        floored[a[~acc & fl]] = True
        h = np.flatnonzero(acc)
        ah, rh = a[h], ra[h]
        s = Xn[h] - X[rh]
        y = Gn[h] - G[rh]
        sy = np.einsum("ki,ki->k", s, y)
        upd = sy > 1e-300
        if upd.any():
            au = ah[upd]
            if scaled:                      # L-BFGS's scaled identity (s'y / y'y) I from the latest pair
                gam = sy[upd] / np.einsum("ki,ki->k", y[upd], y[upd])
                H0[au] = gam[:, None, None] * np.eye(q)[None]
            full = count[au] >= memory
            if full.any():                  # forget the oldest pair
                af = au[full]
                Sh[af] = np.roll(Sh[af], -1, axis=1)
                Yh[af] = np.roll(Yh[af], -1, axis=1)
                rho[af] = np.roll(rho[af], -1, axis=1)
                count[af] -= 1
            pos = count[au]
            Sh[au, pos] = s[upd]
            Yh[au, pos] = y[upd]
            rho[au, pos] = 1.0 / sy[upd]
            count[au] += 1
        X[rh], F[rh], G[rh] = Xn[h], Fn[h], Gn[h]
        iters[rh] += 1
        n_it[ah] += 1
        conv = _gmax(Gn[h]) < gtol
        done[ah[conv]] = True
        active[ah[conv]] = False
        active[ah[_ran_off(X, G, rh, bound, gtol)]] = False
        if bound is not None and bound.pause is not None:
            held = ah[active[ah] & (n_it[ah] >= bound.pause)]
            bound.off[rows[held]] = bound.paused[rows[held]] = True
            active[held] = False
        slot = n_it[ah] % PROBE_WINDOW
        f_ago, f_past[ah, slot] = f_past[ah, slot], Fn[h]           # f PROBE_WINDOW iterations ago
        due = ah[active[ah] & (n_it[ah] >= next_probe[ah]) &
                 (f_ago - Fn[h] < PROBE_FREL * np.maximum(1.0, np.abs(Fn[h])))]
        if due.size:
            due = due[_gmax(G[rows[due]]) < probe[due]]
        if due.size:                        # a Newton probe from a copy; kept only when it converges
            next_probe[due] = np.ceil(PROBE_GROWTH * n_it[due]).astype(int)
            ok, Xp, Fp, Gp = _probe_newton(kernel, mom, X, F, G, rows[due], gtol=gtol)
            fin = due[ok]
            X[rows[fin]], F[rows[fin]], G[rows[fin]] = Xp[ok], Fp[ok], Gp[ok]
            done[fin] = True
            probed[fin] = True
            active[fin] = False
        if stall is not None:               # progress: f down by STALL_RTOL, or max |g| halved
            gn = _gmax(Gn[h])
            down = (Fn[h] < ref[ah] - STALL_RTOL * np.maximum(1.0, np.abs(ref[ah]))) | (gn < 0.5 * ref_g[ah])
            ref[ah[down]], ref_g[ah[down]] = Fn[h][down], gn[down]
            since[ah] = np.where(down, 0, since[ah] + 1)
            flat = ah[(since[ah] >= stall) & active[ah]]
            stalled[flat] = True
            active[flat] = False
    return done, stalled, floored, probed


#: lavaan's nlminb (R's PORT routine ``dmnfb``/``drmng``): the trust radius of its first step in the scaled
#: metric (``LMAX0``, R's ``step.max`` 1), the factors by which it shrinks after a poor or an inadmissible step
#: (``RDFCMN`` 0.1 .. ``DECFAC`` 0.5) and grows after a good one (``INCFAC`` 2), the ratio of actual to predicted
#: decrease below which a step is poor (``TUNER1`` 0.1), and its relative function convergence (lavaan's
#: ``rel.tol`` 1e-10)
TR_RADIUS0, TR_SHRINK, TR_GROW, TR_POOR, TR_RELTOL = 1.0, (0.1, 0.5), 2.0, 0.1, 1e-10


def _dogleg(B: np.ndarray, g: np.ndarray, radius: float) -> np.ndarray:
    """The dogleg step of the model ``g'p + p'Bp/2`` (B positive definite) within ``|p| <= radius``."""
    pn = -linalg.cho_solve(linalg.cho_factor(B, lower=True, check_finite=False), g, check_finite=False)
    if np.linalg.norm(pn) <= radius:
        return pn
    gBg = float(g @ B @ g)
    pc = -(float(g @ g) / gBg) * g if gBg > 0 else -radius * g / np.linalg.norm(g)
    npc = np.linalg.norm(pc)
    if npc >= radius:
        return pc * (radius / npc)
    d = pn - pc                                         # |pc + t d| = radius, t in [0, 1]
    a, b, c = float(d @ d), 2 * float(pc @ d), npc ** 2 - radius ** 2
    t = (-b + np.sqrt(max(b * b - 4 * a * c, 0.0))) / (2 * a)
    return pc + t * d


def _stage_trust_region(kernel, mom, X, F, G, rows, *, gtol, max_iter, iters, bound=None):
    """The trust-region stage (``"trust-region"``) on ``rows`` (in place on X, F, G, iters), the path of
    lavaan's optimizer, R's ``nlminb`` (PORT): a dense BFGS model, first the identity, of the objective in the
    variables scaled as lavaan scales them (``d = 1 / |x0|`` where ``|x0| > 1``, else 1, from the stage's
    start), the dogleg step within a trust radius that starts at :data:`TR_RADIUS0` and adapts to the ratio
    of actual to predicted decrease (:data:`TR_SHRINK`, :data:`TR_GROW`, :data:`TR_POOR`); an inadmissible
    trial point (lavaan's objective is 1e20 there) shrinks the radius by the most.  Unlike a line search along
    a direction that is long at the start (the first quasi-Newton step is the raw gradient), no step leaves
    the region where the quadratic model has been trusted, so the path does not leap onto a ridge far from
    the start.  A row stops when max |g| < ``gtol``, or as nlminb stops (its "relative convergence"): the
    decrease the model predicts for its full step is below :data:`TR_RELTOL` ``* |f|``, or the radius has
    shrunk to nothing; the caller's convergence test (max |g|) decides then.  Returns ``done`` (max |g| < gtol)."""
    done = np.zeros(rows.size, bool)
    for j, k in enumerate(rows):
        x, f, g = X[k].copy(), float(F[k]), G[k].copy()
        if not (np.isfinite(f) and np.all(np.isfinite(g))):
            continue
        q = x.size
        d = 1.0 / np.maximum(np.abs(x), 1.0)
        B = np.eye(q)
        radius = TR_RADIUS0
        for _ in range(max_iter):
            if _gmax(g[None])[0] < gtol:
                break
            gu = g / d                                  # the gradient in the scaled variables u = d x
            try:
                p = _dogleg(B, gu, radius)
                pn = -linalg.cho_solve(linalg.cho_factor(B, lower=True, check_finite=False), gu,
                                       check_finite=False)
            except (np.linalg.LinAlgError, ValueError):
                B = np.eye(q)
                continue
            if -(gu @ pn + 0.5 * pn @ B @ pn) <= TR_RELTOL * abs(f):
                break                                   # nlminb's relative function convergence
            pred = -(gu @ p + 0.5 * p @ B @ p)
            xn = x + p / d
            fn, gn, _, ok = kernel.evaluate(xn[None], mom, np.array([k]))
            fn, gn = float(fn[0]), gn[0]
            step = float(np.linalg.norm(p))
            good = bool(ok[0]) and np.isfinite(fn) and np.all(np.isfinite(gn))
            ratio = (f - fn) / pred if good and pred > 0 else -np.inf
            if ratio < TR_POOR:                         # poor or inadmissible: shrink, stay
                gts = float(gu @ p)
                fac = 0.5 * gts / (gts - (fn - f)) if good and fn > f else TR_SHRINK[0]
                radius = step * min(max(fac, TR_SHRINK[0]), TR_SHRINK[1])
                if radius <= 1e-14 * max(1.0, float(np.linalg.norm(d * x))):
                    break
                continue
            s, y = p, gn / d - gu
            sy = float(s @ y)
            if sy > 1e-12 * np.linalg.norm(s) * np.linalg.norm(y):   # BFGS, skipped where it would not stay PD
                Bs = B @ s
                B = B - np.outer(Bs, Bs) / float(s @ Bs) + np.outer(y, y) / sy
            if ratio > 0.75 and step >= 0.99 * radius:
                radius *= TR_GROW
            x, f, g = xn, fn, gn
            iters[k] += 1
            X[k], F[k], G[k] = x, f, g
            if _ran_off(X, G, np.array([k]), bound, gtol)[0]:
                break
        done[j] = _gmax(G[k][None])[0] < gtol
    return done


def _stage_polish(kernel, mom, X, F, G, rows, *, gtol, steps, bound=None):
    """Stage 3 on ``rows`` (in place on X, F, G): Newton steps with the differenced Hessian."""
    q = X.shape[1]
    live = rows[np.all(np.isfinite(G[rows]), axis=1)]
    for _ in range(steps):
        live = live[_gmax(G[live]) >= gtol]
        if live.size == 0:
            break
        rep = np.repeat(live, 2 * q)
        H = _fd_hessians(lambda Z: kernel.evaluate(Z, mom, rep)[1], X[live])
        step = _newton_steps(H, G[live], definite=True)     # near a minimum the Hessian is positive definite
        ok = np.all(np.isfinite(step), axis=1)
        live, step = live[ok], step[ok]
        if live.size == 0:
            break
        acc, Xn, Fn, Gn, _ = _backtrack(kernel, mom, live, X, F, step, np.zeros(live.size), info=False, c1=0.0,
                                        tries=30)
        a = live[acc]
        X[a], F[a], G[a] = Xn[acc], Fn[acc], Gn[acc]
        live = a[~_ran_off(X, G, a, bound, gtol)]


def default_stages(max_iter: int) -> tuple[tuple[str, int], ...]:
    """The stages of a fit from its own start values, with their iteration budgets (module docstring).

    >>> default_stages(500)
    (('scoring', 500), ('quasi-newton', 10000), ('polish', 6))
    """
    return (("scoring", max_iter), ("quasi-newton", 20 * max_iter if max_iter > 10 else max_iter),
            ("polish", min(6, max_iter)))


def warm_stages(max_iter: int, fallback_iter: int) -> tuple[tuple[str, int], ...]:
    """The stages of refits warm started at a solution whose curvature is known (the bootstrap's draws,
    started at the full-sample estimate): quasi-Newton from that curvature first (``max_iter``; its first
    step is the scoring step), then the stages of :func:`default_stages` (``fallback_iter``) for the rows
    it does not finish.

    >>> warm_stages(100, 200)
    (('quasi-newton', 100), ('scoring', 200), ('quasi-newton', 4000), ('polish', 6))
    """
    return (("quasi-newton", max_iter),) + default_stages(fallback_iter)


def optimize(kernel, mom, x0: np.ndarray, start_ok: np.ndarray | None = None, *, gtol: float = 1e-10,
             max_iter: int = 500, stages: tuple[tuple[str, int], ...] | None = None,
             H0inv: np.ndarray | None = None, memory: int = 40, runaway: float | None = None,
             stall: int | None = None, max_evals: int | None = None, xf_tol: float | None = None,
             probe: bool = False) -> BatchResult:
    """Minimise the K problems of ``kernel`` from ``x0`` (q: every row starts there; or K x q); see the module
    docstring.  ``start_ok`` (K) marks the rows worth starting (default: all; the others are FAILED); K is
    ``start_ok.size``, or ``x0``'s rows.  The kernel's rows are ``mom``'s (passed through).

    ``stages``: the stages in order, each ``(name, iteration budget)`` with name ``"scoring"``,
    ``"quasi-newton"`` or ``"polish"``; each runs on the rows the ones before did not finish.  Default
    :func:`default_stages` (``max_iter``); warm-started refits use :func:`warm_stages`.  ``H0inv`` (q x q)
    starts every quasi-Newton stage (default: the scaled identity).

    ``runaway`` (default None: off): a row whose iterate is further than ``runaway * max(1, max |x0|)``
    from its start (max norm) after :data:`RUNAWAY_AFTER` iterations, while its gradient is not below
    ``gtol``, has run off along a ridge (a variance fading to zero while a loading grows without bound, say)
    and is stopped there, NONCONVERGED (``ran_off``), instead of spending every remaining stage's budget
    creeping along the ridge.  A :class:`RunawayAfterScoring` factor (:data:`RUNAWAY_QN`) stops a row so from the
    quasi-Newton stage on only.

    ``stall`` (default None: off): a row that has made no progress over the last ``stall`` quasi-Newton
    iterations -- its objective has not gone down by more than :data:`STALL_RTOL` ``* max(1, |f|)`` and its
    max |g| has not halved -- leaves that stage for the next one (:data:`STALL`; it is not marked, the next
    stages decide its status): at the floating-point floor of f the line search keeps accepting steps that
    change nothing, and would spend the stage's whole budget so.

    ``max_evals`` (default None: no cap): a row that has used ``max_evals`` evaluations of the objective
    and gradient (scoring and quasi-Newton; :data:`EVAL_MAX`, nlminb's ``eval.max`` in lavaan) without
    converging is stopped there, NONCONVERGED (``capped``), as lavaan counts a fit that reached nlminb's
    limit.

    ``probe`` (default False; a single fit, :func:`minimize`: True): Newton probes in the quasi-Newton stage
    (:data:`PROBE_FIRST`): a row creeping near its minimum is finished by Newton steps with the differenced
    Hessian, kept only when they converge (else its path goes on unchanged).

    ``xf_tol`` (default None: off; a single fit, :func:`minimize`: :data:`XF_TOL`): a quasi-Newton line search
    whose trial step falls to that relative size fails (:func:`_backtrack`), and the row leaves the stage
    for the next one (nlminb's "false convergence"; the next stages decide its status, by its gradient as
    ever).

    >>> class Quad:          # F_k(x) = |x - c_k|^2 / 2 + x_0^4 / 4 for two rows with their own centres c_k
    ...     c = np.array([[1.0, -2.0], [0.5, 3.0]])
    ...     def evaluate(self, X, mom, which, info=False):
    ...         d = X - self.c[which]
    ...         g = d + np.c_[X[:, 0] ** 3, 0 * X[:, 0]]
    ...         C = np.eye(2)[None] + np.einsum("k,ij->kij", 3 * X[:, 0] ** 2, np.diag([1.0, 0.0]))
    ...         return 0.5 * (d ** 2).sum(axis=1) + X[:, 0] ** 4 / 4, g, C if info else None, np.ones(len(X), bool)
    >>> res = optimize(Quad(), None, np.zeros(2), np.ones(2, bool))
    >>> res.x.round(6).tolist(), res.status.tolist(), res.history[1][0].split(",")[0]
    ([[0.682328, -2.0], [0.423854, 3.0]], [0, 0], '1. scoring: 5 iterations')
    """
    x0 = np.asarray(x0, float)
    if start_ok is None:
        start_ok = np.ones(x0.shape[0] if x0.ndim == 2 else 1, bool)
    start_ok = np.asarray(start_ok, bool)
    stages = default_stages(max_iter) if stages is None else tuple(stages)
    unknown = [name for name, _ in stages if name not in ("scoring", "quasi-newton", "trust-region", "polish")]
    if unknown:
        raise ValueError(f"unknown optimiser stage {unknown[0]!r} (use scoring, quasi-newton, trust-region, "
                         "polish)")
    K = start_ok.size
    q = x0.shape[-1]
    X = np.array(np.broadcast_to(x0, (K, q)), float)
    F = np.full(K, np.inf)
    G = np.full((K, q), np.nan)
    status = np.full(K, NONCONVERGED)
    status[~start_ok] = FAILED
    iters = np.zeros(K, int)
    history: list[list[str]] = [[] for _ in range(K)]
    C = np.full((K, q, q), np.nan)
    fresh = np.zeros(K, bool)               # rows whose C is the curvature at their current X
    off = np.zeros(K, bool)
    evals = np.zeros(K, int)
    kernel = _Counted(kernel, evals)
    bound = None if runaway is None and max_evals is None else _Stops(
        None if runaway is None else X.copy(),
        None if runaway is None else runaway * np.maximum(1.0, np.abs(X).max(axis=1, initial=0.0)),
        off, iters, evals, None if max_evals is None else int(max_evals), np.zeros(K, bool),
        not isinstance(runaway, RunawayAfterScoring),
        runaway.pause(q) if isinstance(runaway, _Budgeted) else None, np.zeros(K, bool))
    capped = np.zeros(K, bool) if bound is None else bound.capped
    paused = np.zeros(K, bool) if bound is None else bound.paused
    live = np.flatnonzero(start_ok)
    if live.size:
        first_info = bool(stages) and stages[0][0] == "scoring"
        f, g, c, ok = kernel.evaluate(X[live], mom, live, info=first_info)
        ok = ok & np.isfinite(f)
        F[live], G[live] = np.where(ok, f, np.inf), g
        if c is not None:
            C[live], fresh[live] = c, True
        status[live[~ok]] = FAILED
        for k in live[~ok]:
            history[k].append("the start values are not admissible")
    rest = np.flatnonzero(status == NONCONVERGED)
    g_start = _gmax(G)                      # max |g| at the rows' start (the Newton probes')
    for n, (name, budget) in enumerate(stages, 1):
        if rest.size == 0 or budget <= 0:
            continue
        it0 = iters[rest].copy()
        if name == "scoring":
            need = rest[~fresh[rest]]
            if need.size:                   # the curvature where the stage starts
                c = kernel.evaluate(X[need], mom, need, info=True)[2]
                if c is None:
                    continue                # a kernel without a curvature cannot score
                C[need], fresh[need] = c, True
            # a first stage hands slow rows on; the warm refits' fallback scoring (after quasi-Newton failed)
            # keeps its budget: handing hopeless bootstrap draws back early cost 50 % more CPU there
            done, why = _stage_scoring(kernel, mom, X, F, G, C, rest, gtol=gtol, max_iter=budget, iters=iters,
                                       bound=bound, leave_slow=n == 1)
            for k, w, i0 in zip(rest, why, it0):
                history[k].append(f"{n}. scoring: {iters[k] - i0} iterations, f={F[k]:.12g}, status "
                                  f"{'evaluation limit' if capped[k] else w}")
        elif name == "quasi-newton":
            fresh[rest] = False
            done, flat, floor, probed = _stage_quasi_newton(kernel, mom, X, F, G, rest, gtol=gtol, max_iter=budget,
                                                    iters=iters, H0inv=H0inv, memory=memory, bound=bound,
                                                    stall=stall, xf_tol=xf_tol,
                                                    probe=PROBE_GREL * g_start[rest] if probe else None)
            for k, d, fl, fc, pr, i0 in zip(rest, done, flat, floor, probed, it0):
                end = (", then Newton steps (a probe)" if pr else "" if d else ", evaluation limit" if capped[k] else
                       (", paused (the first attempt's budget)" if isinstance(runaway, FirstAttempt) else
                        ", paused (the path's budget)") if paused[k] else ", ran off" if off[k] else
                       ", no progress" if fl else ", false convergence (the line search's step fell to "
                       "xf.tol)" if fc else ", unfinished")
                history[k].append(f"{n}. quasi-Newton (L-BFGS): {iters[k] - i0} iterations, f={F[k]:.12g}{end}")
        elif name == "trust-region":
            fresh[rest] = False
            done = _stage_trust_region(kernel, mom, X, F, G, rest, gtol=gtol, max_iter=budget, iters=iters,
                                       bound=bound)
            for k, dn, i0 in zip(rest, done, it0):
                history[k].append(f"{n}. trust region (nlminb's path): {iters[k] - i0} iterations, f={F[k]:.12g}"
                                  f"{'' if dn else ', ran off' if off[k] else ', stopped'}")
        else:                               # polish
            fresh[rest] = False
            kernel.on = False               # the polish's differenced Hessians are not counted
            _stage_polish(kernel, mom, X, F, G, rest, gtol=gtol, steps=budget, bound=bound)
            kernel.on = True
            done = _gmax(G[rest]) < gtol
            for k in rest:
                history[k].append(f"{n}. newton polish: max|g|={_gmax(G[k:k + 1])[0]:.3g}")
        rest = rest[~done & ~off[rest]]
    run = status == NONCONVERGED
    status[run & ~off & (_gmax(G) < CONVERGED_GMAX)] = OK
    return BatchResult(X, F, G, status, iters, history, off & ~capped, capped, evals, paused)


# ------------------------------------------------------------------ a single fit: a batch of one
class Callables:
    """The adaptor: a single fit's callables as a one-row kernel for :func:`optimize`.

    ``fun(x)``, ``grad(x)``, ``curvature(x)``; ``fun_grad_curv(x) -> (g, C)`` when both come cheaper
    together, and ``fun_grad(x) -> (f, g)`` when the value comes with the gradient at no extra cost (then a
    trial point of the line search costs one evaluation, not two).  ``evaluate`` loops over the rows it is given (stage 3 asks for 2q displaced points at once).
    """

    #: the value and gradient of an evaluation with the curvature come from other callables (``fun`` and
    #: ``fun_grad_curv``) than without (``fun_grad``): the line search of the scoring stage then evaluates
    #: every trial point with the curvature, as it always has (:func:`_backtrack`)
    info_changes_fg = True

    def __init__(self, fun, grad, curvature=None, fun_grad_curv=None, fun_grad=None):
        self.fun, self.grad, self.curvature, self.fgc = fun, grad, curvature, fun_grad_curv
        self.fg = fun_grad

    def evaluate(self, X, mom, which, info: bool = False):
        K, q = X.shape
        F = np.full(K, np.inf)
        G = np.full((K, q), np.nan)
        C = np.full((K, q, q), np.nan) if info else None
        ok = np.zeros(K, bool)
        for k in range(K):
            if self.fg is not None and not info:        # value and gradient from one evaluation
                f, g = self.fg(X[k])
                if np.isfinite(f):
                    F[k], G[k], ok[k] = float(f), g, True
                continue
            f = float(self.fun(X[k]))
            if not np.isfinite(f):
                continue
            F[k], ok[k] = f, True
            if info and self.fgc is not None:
                G[k], C[k] = self.fgc(X[k])
            else:
                G[k] = self.grad(X[k])
                if info and self.curvature is not None:
                    C[k] = self.curvature(X[k])
        return F, G, C, ok


def minimize(fun: Callable[[np.ndarray], float], grad: Callable[[np.ndarray], np.ndarray],
             curvature: Callable[[np.ndarray], np.ndarray], x0: np.ndarray, *,
             max_iter: int = 500, gtol: float = 1e-10, polish: bool = True,
             fun_grad_curv: Callable | None = None, fun_grad: Callable | None = None,
             scoring: bool = True, runaway: float | None = None, trust: bool = False,
             xf_tol: float | None = XF_TOL, max_evals: int | None = EVAL_MAX, probe: bool = True) -> OptimResult:
    """One fit: :func:`optimize` on the callables as a batch of one (:class:`Callables`).

    ``curvature(x)`` returns a (positive-definite) curvature matrix; when ``fun_grad_curv(x) -> (g, C)`` is
    given it is used to get both at once.  Stages 1 and 2 stop at max |gradient| < ``gtol``; the fit counts
    as converged when max |gradient| < 1e-7 at the end (see the module docstring).  ``scoring=False`` skips
    stage 1 (quasi-Newton from the start, as lavaan's nlminb: on a small sample the full scoring steps can
    carry a fit onto a Heywood ridge that the quasi-Newton path from the same start avoids).  ``runaway``:
    stop early when the estimates run off (:func:`optimize`); the result is then not converged, ``ran_off``.
    ``trust=True``: the trust-region stage (nlminb's path, :func:`_stage_trust_region`) with the quasi-Newton
    budget, then the polish, instead of stages 1 and 2.  The quasi-Newton stage stops its line search at
    nlminb's relative step ``xf.tol`` (``xf_tol``, :data:`XF_TOL`: :func:`optimize`), and the fit stops
    after nlminb's ``eval.max`` evaluations (``max_evals``, :data:`EVAL_MAX`; not converged then, as in
    lavaan).  ``probe``: the Newton probes of the quasi-Newton stage (:data:`PROBE_FIRST`).  ``runaway``
    :data:`RUNAWAY_FIRST` (a :class:`FirstAttempt`) or a :class:`PausedPath` also stops the quasi-Newton stage after
    its budget (``ran_off``; the message says so).

    >>> f = lambda x: float((x[0] - 1) ** 2 + 10 * (x[1] + 2) ** 2 + x[0] ** 4)
    >>> g = lambda x: np.array([2 * (x[0] - 1) + 4 * x[0] ** 3, 20 * (x[1] + 2)])
    >>> res = minimize(f, g, None, np.zeros(2), trust=True)
    >>> res.converged, np.round(res.x, 6).tolist(), res.history[0].split(":")[0]
    (True, [0.589755, -2.0], "1. trust region (nlminb's path)")
    """
    stages = default_stages(max_iter) if polish else default_stages(max_iter)[:2]
    if trust:
        stages = (("trust-region", stages[1][1]),) + stages[2:]
    elif not scoring:
        stages = stages[1:]
    res = optimize(Callables(fun, grad, curvature, fun_grad_curv, fun_grad), None, np.asarray(x0, float)[None],
                   gtol=gtol, stages=stages, runaway=runaway, xf_tol=xf_tol, max_evals=max_evals, probe=probe)
    x, f, g = res.x[0], float(res.fun[0]), res.grad[0]
    if res.status[0] == FAILED:
        return OptimResult(x, f, np.full_like(x, np.nan), False, 0, "the start values are not admissible",
                           res.history[0])
    converged = bool(res.status[0] == OK)
    gmax = float(_gmax(g[None])[0]) if g.size else 0.0
    off = bool(res.ran_off[0])
    capped = bool(res.capped[0]) if res.capped is not None else False
    paused = bool(res.paused[0]) if res.paused is not None else False
    end = (f"; stopped after {runaway.pause(x.size) if paused else 0} quasi-Newton iterations, "
           + ("the first attempt's budget before the other paths" if isinstance(runaway, FirstAttempt) else
              "the path's budget") if paused else "; the estimates ran off" if off else
           f"; nlminb's eval.max ({max_evals}) reached" if capped else "")
    msg = "converged" if converged else f"no convergence (max |gradient| = {gmax:.3g}{end})"
    return OptimResult(x, f, g, converged, int(res.iterations[0]), msg, res.history[0], off)
