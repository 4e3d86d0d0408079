"""Two speed-ups of a single fit (estimate.minimize) that leave its results where they were: the Newton probes of
the quasi-Newton stage (a path that creeps near its minimum is finished by Newton steps with the differenced
Hessian, kept only when they converge) and the first attempt's quasi-Newton budget (estimate.FirstAttempt: the
first attempt stops, ``ran_off``, so that the other paths run at once; api._fallbacks reports it when none
converges; the fallbacks stop after the same budget, estimate.PausedPath).  Stand-ins: Rosenbrock's function (slow for L-BFGS along its curved valley).  Counted in iterations,
not time."""

from __future__ import annotations

import numpy as np
import pytest

from iur_survey.sem import estimate as E


def _rosen(x):
    return float(np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2))


def _rosen_g(x):
    g = np.zeros_like(x)
    g[:-1] = -400 * x[:-1] * (x[1:] - x[:-1] ** 2) - 2 * (1 - x[:-1])
    g[1:] += 200 * (x[1:] - x[:-1] ** 2)
    return g


def test_a_probe_that_converges_ends_the_stage_at_the_same_minimum():
    x0 = np.tile([-1.2, 1.0], 10)
    plain = E.minimize(_rosen, _rosen_g, None, x0, scoring=False, probe=False)
    probed = E.minimize(_rosen, _rosen_g, None, x0, scoring=False)         # probes on: minimize's default
    assert plain.converged and probed.converged
    assert "then Newton steps (a probe)" in probed.history[0] and "probe" not in plain.history[0]
    assert probed.iterations < plain.iterations
    np.testing.assert_allclose(probed.x, plain.x, atol=1e-9)
    np.testing.assert_allclose(probed.x, np.ones(20), atol=1e-9)
    assert np.abs(probed.grad).max() < 1e-10


def test_a_probe_that_fails_leaves_the_path_as_it_was(monkeypatch):
    """Every probe is made to fail (after running): the path, its iterations and its end are those of a fit
    without probes, and the probes did run."""
    real, calls = E._probe_newton, []

    def failing(*a, **kw):
        ok, Xp, Fp, Gp = real(*a, **kw)
        calls.append(ok.copy())
        return np.zeros_like(ok), Xp, Fp, Gp

    x0 = np.tile([-1.2, 1.0], 10)
    plain = E.minimize(_rosen, _rosen_g, None, x0, scoring=False, probe=False)
    monkeypatch.setattr(E, "_probe_newton", failing)
    probed = E.minimize(_rosen, _rosen_g, None, x0, scoring=False)
    assert calls and any(c.any() for c in calls)        # a probe would have converged
    assert probed.iterations == plain.iterations and probed.history == plain.history
    np.testing.assert_allclose(probed.x, plain.x, rtol=0, atol=1e-12)


def test_probes_are_for_single_fits_only():
    """optimize (the bootstrap's refits) runs without probes unless asked."""
    class Rosen:
        def evaluate(self, X, mom, which, info=False):
            return (np.array([_rosen(x) for x in X]), np.array([_rosen_g(x) for x in X]), None,
                    np.ones(len(X), bool))

    res = E.optimize(Rosen(), None, np.tile([-1.2, 1.0], 10), stages=(("quasi-newton", 10000),))
    assert res.status.tolist() == [E.OK] and "probe" not in res.history[0][0]


def test_the_first_attempt_stops_after_its_quasi_newton_budget(monkeypatch):
    monkeypatch.setattr(E, "PAUSE_QN", 100)
    monkeypatch.setattr(E, "PROBE_FIRST", 10 ** 6)                  # the slow path as it is
    x0 = np.array([-1.2, 1.0])
    full = E.minimize(_rosen, _rosen_g, None, x0, scoring=False, runaway=E.RUNAWAY)
    first = E.minimize(_rosen, _rosen_g, None, x0, scoring=False, runaway=E.RUNAWAY_FIRST)
    assert E.RUNAWAY_FIRST == E.RUNAWAY and E.RUNAWAY_FIRST.pause(2) == 100
    assert full.converged and full.iterations > 100 and not full.ran_off
    # stopped, not converged, flagged as a run-off (api._fallbacks: the other paths; reported when none converges)
    assert not first.converged and first.ran_off and first.iterations == 100
    assert "stopped after 100 quasi-Newton iterations" in first.message
    assert "paused (the first attempt's budget)" in first.history[0]


@pytest.mark.parametrize("q", [5, 200])
def test_the_budget_grows_with_the_parameters(q):
    assert E.RUNAWAY_FIRST.pause(q) == max(E.PAUSE_QN, E.PAUSE_QN_PER_PARAM * q)


def test_the_fallbacks_and_dwls_stop_after_the_same_budget_the_exploring_paths_do_not(monkeypatch):
    """estimate.PausedPath: a fit's fallbacks (RUNAWAY_QN) and a DWLS fit (wlsmv.DWLS_PAUSE, no run-off stop)
    stop, not converged, after the first attempt's quasi-Newton budget; the paths that explore a converged
    improper solution (RUNAWAY_EXPLORE) keep the stage's whole budget (a lower minimum may lie beyond it)."""
    from iur_survey.sem.wlsmv import DWLS_PAUSE

    monkeypatch.setattr(E, "PAUSE_QN", 100)
    monkeypatch.setattr(E, "PROBE_FIRST", 10 ** 6)
    x0 = np.array([-1.2, 1.0])
    fb = E.minimize(_rosen, _rosen_g, None, x0, scoring=False, runaway=E.RUNAWAY_QN)
    dw = E.minimize(_rosen, _rosen_g, None, x0, scoring=False, runaway=DWLS_PAUSE)
    ex = E.minimize(_rosen, _rosen_g, None, x0, scoring=False, runaway=E.RUNAWAY_EXPLORE)
    assert E.RUNAWAY_QN == E.RUNAWAY_EXPLORE == E.RUNAWAY and DWLS_PAUSE == np.inf
    for r in (fb, dw):
        assert not r.converged and r.iterations == 100
        assert "stopped after 100 quasi-Newton iterations, the path's budget" in r.message
        assert "paused (the path's budget)" in r.history[0]
    assert ex.converged and ex.iterations > 100
