"""A fit whose packed start values imply a Sigma that is not positive definite (stress case s1_112, session 17).

lavaan 0.6.14's objective counts 1e20 there, so the ``start.x / 10`` of ``lav_model_estimate`` never happens
(the reference's first two objective evaluations are both at the start, Inf), its gradient there uses the
pseudo-inverse of Sigma, and nlminb's first step walks out to admissible values.  Ours refused such a start
("the start values are not admissible"); it now takes that step (``api._step_out`` with
``ml.ml_gradient_outside``) and reaches lavaan's minimum, with a warning.  References:
tests/sem/stepout_refs/make_stepout_ref.R -> stepout.json."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.sem import api, cfa
from iur_survey.sem.matrices import Model
from iur_survey.sem.ml import complete_stats, ml_fmin, ml_gradient, ml_gradient_outside
from iur_survey.sem.partable import build_partable

REF = json.loads((Path(__file__).parent / "stepout_refs" / "stepout.json").read_text())


def _data():
    return pd.read_csv("tests/reference/data/hs1939.csv")


def test_lavaan_starts_nlminb_at_the_inadmissible_start_itself():
    ref = REF["s1_112"]
    assert ref["first_objectives"][0] is None and ref["first_objectives"][1] is None   # Inf, Inf: no / 10
    assert np.isfinite(ref["first_objectives"][2])
    assert any("Sigma.hat is not positive definite" in w for w in ref["warnings"])


def test_s1_112_steps_out_of_its_start_to_lavaans_minimum():
    ref = REF["s1_112"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = cfa(ref["model"], _data(), meanstructure=True, missing="listwise", warn=False)   # lavaan's default
    assert fit.converged
    assert "first step" in fit.meta["optimizer_history"][0]
    assert any("stepped out" in w for w in fit.warnings)
    fm = fit.fit_measures()
    assert fm["logl"] == pytest.approx(ref["fit"]["logl"], abs=1e-5)
    assert fm["chisq"] == pytest.approx(ref["fit"]["chisq"], abs=1e-5)
    pe = fit.parameter_estimates(standardized=False)
    ours = {(a, o, b): (e, s) for a, o, b, e, s in zip(pe.lhs, pe.op, pe.rhs, pe.est, pe.se)}
    r = ref["est"]
    for k in zip(r["lhs"], r["op"], r["rhs"], r["est"], r["se"]):
        e, s = ours[k[:3]]
        assert e == pytest.approx(k[3], abs=1e-4), k[:3]
        # x6 ~~ x6 is a = 1 - b = 0 (b the fixed marker loading): lavaan's SE is NA (the sqrt of a variance
        # of -1e-17), ours 0
        assert s == pytest.approx(0.0 if k[4] is None else k[4], abs=1e-4), k[:3]


def test_gradient_outside_is_the_gradient_inside_and_finite_outside():
    pt = build_partable("F =~ x1 + x2 + x3")
    mod = Model(pt)
    X = _data()[["x1", "x2", "x3"]].to_numpy()
    st = complete_stats([X])
    mod.set_sample_stats(st.cov, st.mean)
    th = np.array([1.1, 0.9, 0.5, 0.6, 0.7, 0.8])
    assert np.allclose(ml_gradient_outside(mod, th, st), ml_gradient(mod, th, st))
    bad = th.copy()
    bad[4] = -3.0                                  # a residual variance: Sigma not positive definite
    assert np.isinf(ml_fmin(mod, bad, st))
    assert np.all(np.isnan(ml_gradient(mod, bad, st)))
    g = ml_gradient_outside(mod, bad, st)
    assert np.all(np.isfinite(g)) and g[4] < 0     # lavaan's gradient: raise that variance


def test_step_out_takes_the_first_admissible_point_down_the_scaled_gradient():
    # scale d = 1 / max(|z|, 1) = (1, 1/4): the step -g / d^2 has length 1 in the d-metric, halved until admissible
    fun = lambda z: float(z[0] + z[1] ** 2) if 0.3 < z[0] < 0.6 else np.inf
    z1 = api._step_out(np.array([0.0, 4.0]), fun, lambda z: np.array([-1.0, 0.0]))
    assert z1 is not None and z1.tolist() == [0.5, 4.0]
    z1 = api._step_out(np.array([0.0, 4.0]), fun, lambda z: np.array([-1.0, -0.01]))
    assert z1 is not None and 0.3 < z1[0] < 0.6 and z1[1] > 4.0       # the large parameter moves further
    assert api._step_out(np.array([0.0, 4.0]), fun, lambda z: np.array([1.0, 0.0])) is None      # uphill only
    assert api._step_out(np.array([0.0, 4.0]), fun, lambda z: np.array([np.nan, 0.0])) is None


def test_a_start_without_an_admissible_step_falls_back_to_its_tenth(unit_box_run):
    run, seen = unit_box_run
    w: list[str] = []
    opt = api._with_fallback_start(run, np.array([5.0, -3.0]), lambda: np.ones(2), shrink=lambda x: x / 10,
                                   step_out=lambda x: None, warnings=w)
    assert opt.converged and np.allclose(opt.x, [0.5, -0.3]) and len(seen) == 2
    opt = api._with_fallback_start(run, np.array([5.0, -3.0]), lambda: np.ones(2), shrink=lambda x: x / 10,
                                   step_out=lambda x: np.array([0.2, 0.1]), warnings=w)
    assert opt.converged and np.allclose(opt.x, [0.2, 0.1])
    assert "first step" in opt.history[0] and any("stepped out" in s for s in w)
