"""The optimiser's run-off stop (estimate.optimize(runaway=...)): a row whose estimates run off along a
ridge is stopped early as not converged; the other rows of the batch are untouched."""

from __future__ import annotations

import numpy as np

from iur_survey.sem.estimate import NONCONVERGED, OK, RUNAWAY, RUNAWAY_AFTER, optimize


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
