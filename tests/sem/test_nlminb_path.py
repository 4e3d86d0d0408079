"""Fits lavaan 0.6.14 converges and ours did not (stress cases of session 17), and the two causes.

s1_0: every path of ours ran off along a ridge (a factor variance to 0, its loadings to 1e8).  lavaan's first
attempt (nlminb from its start values) fails too; lavaan() then retries, and its third attempt -- nlminb from
the "simple" start values -- converges.  Ours now has nlminb's path, a trust-region quasi-Newton stage
(``estimate._stage_trust_region``), tried last from the starts of lavaan's attempts 1 and 3: its first
evaluations are those of lavaan's partrace and it reaches lavaan's minimum.

s1_117 (FIML): the start values imply a Sigma that is not positive definite.  lavaan's gradient inverts Sigma
all the same and nlminb walks out; ours divided the start by 10 and failed.  The FIML fit now steps out as the
complete-data fit does (``fiml.fiml_gradient(outside=True)``, ``api._step_out``), with the same warning.

References: tests/sem/nlminb_refs/make_nlminb_ref.R -> nlminb.json (data: hs1939.csv, simmiss.csv here)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.sem import api, cfa, sem
from iur_survey.sem.estimate import _dogleg, minimize
from iur_survey.sem.fiml import SampleStats, fiml_gradient, fiml_loglik
from iur_survey.sem.matrices import Model
from iur_survey.sem.ml import complete_stats, ml_fmin, ml_fmin_gradient
from iur_survey.sem.partable import build_partable

HERE = Path(__file__).parent / "nlminb_refs"
REF = json.loads((HERE / "nlminb.json").read_text())


def _hs():
    return pd.read_csv("tests/reference/data/hs1939.csv")


def _s1_0_problem():
    """s1_0's objective as the fit builds it (no equality constraints), lavaan's start and simple start."""
    pt = build_partable(REF["s1_0"]["model"])
    model = Model(pt)
    stats = complete_stats([_hs()[pt.ov_names[0]].dropna().to_numpy(float)])     # lavaan: listwise
    model.set_sample_stats(stats.cov, stats.mean)
    x0, rp = api._lavaan_start(model, pt, stats.cov, stats.mean, None, [])
    simple = rp.project(model.start(stats.cov, stats.mean, kind="simple"), model.row_weights())
    seen: list[float] = []

    def fg(z):
        f, g = ml_fmin_gradient(model, rp.theta(z), stats)
        seen.append(f)
        return f, rp.grad(g)

    def run(x):
        seen.clear()
        return minimize(lambda z: ml_fmin(model, rp.theta(z), stats), lambda z: fg(z)[1], None, rp.z(x),
                        fun_grad=fg, trust=True), list(seen)
    return run, x0, simple


def test_lavaan_converges_s1_0_only_in_its_third_attempt():
    assert REF["s1_0_attempt1"]["converged"] is False
    assert REF["s1_0"]["converged"] is True
    assert REF["s1_0"]["first_objectives"][0] != pytest.approx(REF["s1_0_attempt1"]["first_objectives"][0])


def test_the_trust_region_path_is_nlminbs_and_reaches_lavaans_minimum():
    run, x0, simple = _s1_0_problem()
    # from lavaan's start: the first evaluations of lavaan's attempt 1 (its partrace evaluates the start twice)
    opt, f = run(x0)
    assert f[:3] == pytest.approx(REF["s1_0_attempt1"]["first_objectives"][1:4], rel=1e-6)
    assert not opt.converged                             # lavaan's attempt 1 does not converge either
    # from the simple start: those of lavaan's third attempt, and its minimum
    opt, f = run(simple)
    assert f[:3] == pytest.approx(REF["s1_0"]["first_objectives"][1:4], rel=1e-6)
    assert opt.converged and "trust region" in opt.history[0]
    assert opt.fun == pytest.approx(REF["s1_0"]["fit"]["fmin"], abs=1e-9)


@pytest.mark.slow
def test_s1_0_fit_equals_lavaan():                       # ~10 s: every other path runs first
    ref = REF["s1_0"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sem(ref["model"], _hs(), missing="listwise", warn=False)          # lavaan's default
    assert fit.converged
    assert "nlminb's path (trust region) from lavaan's simple start values" in fit.meta["optimizer_history"][0]
    assert fit.fit_measures()["logl"] == pytest.approx(ref["fit"]["logl"], abs=1e-6)
    pe = fit.parameter_estimates(standardized=False)
    ours = {(a, o, b): (e, s) for a, o, b, e, s in zip(pe.lhs, pe.op, pe.rhs, pe.est, pe.se)}
    r = ref["est"]
    for k in zip(r["lhs"], r["op"], r["rhs"], r["est"], r["se"]):
        e, s = ours[k[:3]]
        assert e == pytest.approx(k[3], abs=1e-4), k[:3]
        assert s == pytest.approx(k[4], abs=1e-4), k[:3]


def test_dogleg_step_stays_within_the_radius():
    B = np.diag([1.0, 100.0])
    g = np.array([1.0, 1.0])
    newton = -np.linalg.solve(B, g)
    assert np.allclose(_dogleg(B, g, 10.0), newton)                          # inside: the Newton step
    p = _dogleg(B, g, 0.01)            # the Cauchy point (length 2 sqrt(2) / 101 = 0.028) outside: steepest
    assert np.linalg.norm(p) == pytest.approx(0.01) and np.allclose(p / np.linalg.norm(p), -g / np.linalg.norm(g))
    p = _dogleg(B, g, 0.5)                                                   # on the dogleg, at the radius
    assert np.linalg.norm(p) == pytest.approx(0.5) and g @ p < 0


def test_fiml_gradient_outside_is_the_gradient_inside_and_finite_outside():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((60, 3)) @ np.array([[1, 0.5, 0.2], [0, 1, 0.4], [0, 0, 1]])
    X[rng.random(X.shape) < 0.2] = np.nan
    st = SampleStats(X)
    Sigma, mu = np.array([[1.0, 0.4, 0.2], [0.4, 1.2, 0.5], [0.2, 0.5, 1.1]]), np.zeros(3)
    assert np.allclose(fiml_gradient(st, Sigma, mu, outside=True), fiml_gradient(st, Sigma, mu))
    bad = Sigma.copy()
    bad[0, 1] = bad[1, 0] = 1.5                                              # not positive definite
    assert not np.isfinite(fiml_loglik(st, bad, mu))
    with pytest.raises(np.linalg.LinAlgError):
        fiml_gradient(st, bad, mu)
    assert np.all(np.isfinite(fiml_gradient(st, bad, mu, outside=True)))


def test_s1_117_fiml_steps_out_of_its_start_to_lavaans_minimum():
    ref = REF["s1_117"]
    d = pd.read_csv(HERE / "simmiss.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = cfa(ref["model"], d, group="grp", group_equal=["loadings", "lv.covariances"], missing="ml",
                  warn=False)
    assert fit.converged
    assert any("stepped out" in w for w in fit.warnings)
    assert fit.fit_measures()["logl"] == pytest.approx(ref["fit"]["logl"], abs=1e-5)
    # f.2 has no fixed loading nor variance: its scale is not identified (lavaan's SEs 14 to 120, ours NA);
    # every other estimate is lavaan's
    pe = fit.parameter_estimates(standardized=False)
    grp = {g: i + 1 for i, g in enumerate(sorted(d["grp"].unique()))}
    gcol = [grp.get(g, g) for g in pe["group"]]
    ours = {(a, o, b, g): e for a, o, b, g, e in zip(pe.lhs, pe.op, pe.rhs, gcol, pe.est)}
    r = ref["est"]
    n = 0
    for a, o, b, g, e, s in zip(r["lhs"], r["op"], r["rhs"], r["group"], r["est"], r["se"]):
        if "f.2" in (a, b) or o == ":=" or s is None or s > 5:
            continue
        assert ours[(a, o, b, g)] == pytest.approx(e, abs=1e-4), (a, o, b, g)
        n += 1
    assert n > 60
