"""The optimiser's early stops for the bootstrap's hopeless draws (estimate.optimize): a row whose estimates
run off along a ridge (runaway=...) or that used lavaan's eval.max of nlminb (max_evals=...) is stopped early
as not converged, a quasi-Newton stage that makes no progress (stall=...) hands the row on; the other rows
of the batch are untouched.  Counted in iterations and evaluations, not time."""

from __future__ import annotations

import numpy as np

from iur_survey.sem.estimate import (EVAL_MAX, NONCONVERGED, OK, RUNAWAY, RUNAWAY_AFTER, RUNAWAY_QN, STALL,
                                     optimize, warm_stages)


class _Ridge:
    """Row 0: F = x0^2 / 2 + (x1 - 1)^2 / 2 (a minimum at (0, 1)); row 1: F = -sqrt(1 + x0^2) + x1^2 / 2,
    unbounded below along x0 with a gradient that never fades (a ridge that runs off)."""

    def evaluate(self, X, mom, which, info=False):
        F = np.empty(len(X))
        G = np.empty_like(X)
        for k, (x, w) in enumerate(zip(X, which)):
            if w == 0:
                F[k] = 0.5 * x[0] ** 2 + 0.5 * (x[1] - 1) ** 2
                G[k] = [x[0], x[1] - 1]
            else:
                r = np.sqrt(1 + x[0] ** 2)
                F[k] = -r + 0.5 * x[1] ** 2
                G[k] = [-x[0] / r - 0.01, x[1]]
        C = np.repeat(np.eye(2)[None], len(X), axis=0) if info else None
        return F, G, C, np.ones(len(X), bool)


def test_a_row_that_runs_off_stops_early_and_the_others_are_unchanged():
    x0 = np.array([[0.5, 0.0], [0.5, 0.0]])
    free = optimize(_Ridge(), None, x0, np.ones(2, bool), max_iter=100)
    stop = optimize(_Ridge(), None, x0, np.ones(2, bool), max_iter=100, runaway=RUNAWAY)
    assert free.status.tolist() == [OK, NONCONVERGED] and stop.status.tolist() == [OK, NONCONVERGED]
    assert stop.ran_off.tolist() == [False, True] and not free.ran_off.any()
    np.testing.assert_allclose(stop.x[0], free.x[0], atol=1e-10)
    # the run-off row stops soon after RUNAWAY_AFTER iterations instead of using every stage's budget
    assert RUNAWAY_AFTER <= stop.iterations[1] < 2 * RUNAWAY_AFTER < free.iterations[1]
    assert abs(stop.x[1, 0] - 0.5) > RUNAWAY and "ran off" in " ".join(stop.history[1])


def test_an_early_jump_that_comes_back_is_not_a_run_off():
    """Far from the start within the first RUNAWAY_AFTER iterations (the first scoring steps from lavaan's
    start values can jump far) does not stop a row."""

    class Jump(_Ridge):
        def evaluate(self, X, mom, which, info=False):
            return super().evaluate(X, mom, np.zeros(len(X), int), info)

    res = optimize(Jump(), None, np.array([500.0, 1.0]), runaway=1e-3)
    assert res.status.tolist() == [OK] and not res.ran_off.any()


def test_runaway_qn_lets_scoring_finish_a_minimum_far_from_the_start():
    """RUNAWAY_QN (a single fit's other paths) stops a row from the quasi-Newton stage on only: scoring that
    converges steadily (max |g| down 0.9 an iteration, never "slow") to a minimum 1000 away from its start is
    stopped by RUNAWAY at RUNAWAY_AFTER iterations, and finishes with RUNAWAY_QN; on the ridge (no minimum)
    both stop."""

    class Far:
        def evaluate(self, X, mom, which, info=False):
            D = X - np.array([1000.0, 0.0])
            C = np.repeat(10.0 * np.eye(2)[None], len(X), axis=0) if info else None   # a tenth of Newton's step
            return 0.5 * (D ** 2).sum(axis=1), D, C, np.ones(len(X), bool)

    x0 = np.array([1.0, 0.0])
    stop = optimize(Far(), None, x0, runaway=RUNAWAY)
    done = optimize(Far(), None, x0, runaway=RUNAWAY_QN)
    assert RUNAWAY_QN == RUNAWAY and stop.ran_off.tolist() == [True] and stop.iterations[0] == RUNAWAY_AFTER
    assert done.status.tolist() == [OK] and not done.ran_off.any() and abs(done.x[0, 0] - 1000) < 1e-8
    ridge = optimize(_Ridge(), None, np.array([[0.5, 0.0], [0.5, 0.0]]), np.ones(2, bool), max_iter=100,
                     runaway=RUNAWAY_QN)
    assert ridge.status.tolist() == [OK, NONCONVERGED] and ridge.ran_off.tolist() == [False, True]
    assert ridge.iterations[1] < 2 * RUNAWAY_AFTER + 25


class _Floor(_Ridge):
    """Row 0 as _Ridge's; row 1 at the floating-point floor of f: f does not change while the gradient stays
    at 1e-3 (as a draw whose f no longer resolves its gradient); no minimum, and the Hessian of the gradient is
    zero, so the polish cannot finish it."""

    def evaluate(self, X, mom, which, info=False):
        F, G, C, ok = super().evaluate(X, mom, np.zeros(len(X), int), info)
        for k, w in enumerate(which):
            if w == 1:
                F[k], G[k] = 7.0, [1e-3, 0.0]
        return F, G, C, ok


def _warm(kernel, **kw):
    """Two rows as the bootstrap's refits run them (refit.refit): the warm stages from one start."""
    x0 = np.array([0.5, 0.0])
    return optimize(kernel, None, x0, np.ones(2, bool), gtol=1e-9, stages=warm_stages(100, 200), runaway=RUNAWAY,
                    **kw)


def test_a_draw_at_the_floor_leaves_quasi_newton_early_and_is_not_converged():
    free = _warm(_Floor())
    stop = _warm(_Floor(), stall=STALL, max_evals=EVAL_MAX)
    assert free.status.tolist() == stop.status.tolist() == [OK, NONCONVERGED]
    np.testing.assert_allclose(stop.x[0], free.x[0], atol=1e-12)
    assert stop.iterations[0] == free.iterations[0] and stop.evaluations[0] == free.evaluations[0]
    # the floor row: 100 quasi-Newton + 200 scoring (a fallback stage: not left early when slow) + 4000
    # quasi-Newton iterations without the stall stop, STALL instead of 4000 with it
    assert free.iterations[1] == 100 + 200 + 4000
    assert stop.iterations[1] == 100 + 200 + STALL
    assert stop.evaluations[1] < free.evaluations[1] / 5
    assert "no progress" in stop.history[1][2] and "newton polish" in stop.history[1][-1]
    assert not stop.capped.any() and not stop.ran_off.any()


def test_a_draw_over_the_evaluation_cap_stops_not_converged():
    """Without the run-off stop, _Ridge's row 1 creeps on through every stage; the cap stops it as soon as it
    has used max_evals evaluations (to within one line search)."""
    x0 = np.array([[0.5, 0.0], [0.5, 0.0]])
    free = optimize(_Ridge(), None, x0, np.ones(2, bool), max_iter=100)
    stop = optimize(_Ridge(), None, x0, np.ones(2, bool), max_iter=100, max_evals=150)
    assert free.status.tolist() == stop.status.tolist() == [OK, NONCONVERGED]
    np.testing.assert_allclose(stop.x[0], free.x[0], atol=1e-12)
    assert stop.capped.tolist() == [False, True] and not stop.ran_off.any()
    assert 150 <= stop.evaluations[1] < 150 + 50 < free.evaluations[1]
    assert stop.iterations[1] < free.iterations[1]
    assert "evaluation limit" in " ".join(stop.history[1])


class _Overshoot:
    """F = sum(sqrt(1 + x^2)) with a curvature 5 times too small: the scoring steps overshoot and the line
    search backtracks; counts the evaluations with the curvature."""

    info_changes_fg = False

    def __init__(self):
        self.n_info = 0

    def evaluate(self, X, mom, which, info=False):
        r = np.sqrt(1 + X ** 2)
        self.n_info += len(X) if info else 0
        C = np.repeat(np.eye(X.shape[1])[None] / 5, len(X), axis=0) if info else None
        return r.sum(axis=1), X / r, C, np.ones(len(X), bool)


def test_the_scoring_line_search_computes_the_curvature_only_where_it_is_used():
    lazy, eager = _Overshoot(), _Overshoot()
    eager.info_changes_fg = True                  # every trial point with the curvature, as Callables
    x0 = np.array([[0.8, -0.5], [3.0, 2.0]])
    a = optimize(lazy, None, x0, np.ones(2, bool), max_iter=200, stages=(("scoring", 200),))
    b = optimize(eager, None, x0, np.ones(2, bool), max_iter=200, stages=(("scoring", 200),))
    # the same path (to the floor of f, where the line search ends), fewer curvatures
    assert a.status.tolist() == b.status.tolist() and a.history == b.history
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.iterations, b.iterations)
    assert np.abs(a.x).max() < 1e-5 and lazy.n_info < 0.8 * eager.n_info
