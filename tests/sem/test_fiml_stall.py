"""A fit that cannot converge stops, as lavaan 0.6.14's nlminb does, and is reported not converged.

The case (audit s27, power module): a FIML replication of the mediation model, n 20 with 50 % of the cells
blanked MCAR (stall_refs/fiml_stall.csv, written with 17 significant digits); 10 cases are deleted for a
missing x (fixed.x), and y ~~ y runs to 0 -- the likelihood is unbounded, no path can converge.  lavaan's
nlminb stops in each of its four attempts and its gradient check turns the result down: converged FALSE
(stall_refs/stall_ref.json, written by stall_refs/make_stall_ref.R).  Here the quasi-Newton line search
used to "accept" steps that changed nothing (a relative size of 1e-20, within the 1e-12 slack of f), 40
evaluations an iteration for thousands of iterations: one fit took minutes.  It now stops where nlminb stops
with "false convergence" (the relative step at ``xf.tol``, :data:`iur_survey.sem.estimate.XF_TOL`).  The
time is not asserted here (the report of the change has the figures); the verdict and the mechanism are.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from iur_survey.sem import sem
from iur_survey.sem.estimate import XF_TOL, _backtrack
from iur_survey.sem.results import SEMFitWarning

HERE = Path(__file__).resolve().parent / "stall_refs"
REF = json.loads((HERE / "stall_ref.json").read_text(encoding="utf-8"))


def test_the_stalled_fiml_fit_stops_not_converged_as_lavaan():
    d = pd.read_csv(HERE / "fiml_stall.csv", float_precision="round_trip")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SEMFitWarning)
        res = sem(REF["model"], d, missing="ml", meanstructure=True)
        pe = res.parameter_estimates()
    assert REF["converged"] is False and REF["gradient_check_failed"] is True
    assert res.converged is False
    assert res.warnings[0].startswith("the optimizer did not converge: no convergence (max |gradient| = ")
    assert res.n == REF["ntotal"] == 10
    est = pe.set_index(["lhs", "op", "rhs"])["est"]
    # the fixed.x rows are the sample moments, as in lavaan; the unbounded direction is y ~~ y going to 0
    ref = {(r["lhs"], r["op"], r["rhs"]): r["est"] for r in REF["estimates"]}
    for key in (("x", "~~", "x"), ("x", "~1", "")):
        assert abs(est[key] - ref[key]) < 1e-9
    assert 0 <= est[("y", "~~", "y")] < 1e-3 and 0 <= ref[("y", "~~", "y")] < 1e-3
    # no standard errors for a fit that did not converge (lavaan: NA)
    free = pe[(pe.op != ":=") & ~pe.rhs.eq("x") & ~((pe.lhs == "x") & (pe.op == "~1"))]
    assert free.se.isna().all()


class _Border:
    """A one-row kernel whose admissible region ends 1e-14 beyond x = 1: f = 0 inside, inf beyond."""

    def evaluate(self, X, mom, which, info=False):
        ok = np.abs(X[:, 0] - 1.0) < 1e-14
        return np.where(ok, 0.0, np.inf), np.ones_like(X), None, ok


def test_the_line_search_stops_at_nlminbs_relative_step():
    X, F = np.ones((1, 1)), np.zeros(1)
    step, slope = np.ones((1, 1)), -np.ones(1)
    # without the floor it halves down to a step of 2**-47 (relative 3.6e-15: a change in the last digits) and
    # takes it: the 1e-12 slack accepts a step that changes nothing
    acc, Xn, *_ = _backtrack(_Border(), None, np.array([0]), X, F, step, slope, info=False, c1=1e-4, tries=60)
    assert acc[0] and 0 < Xn[0, 0] - 1 < 1e-14
    floored = np.zeros(1, bool)
    acc, *_ = _backtrack(_Border(), None, np.array([0]), X, F, step, slope, info=False, c1=1e-4, tries=60,
                         xf_tol=XF_TOL, floored=floored)
    assert not acc[0] and floored[0]
