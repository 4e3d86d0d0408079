"""Full fits against lavaan 0.6.14 (tests/reference/json/*.json, made by tests/reference/make_refs.R).

Tolerances of the proof: estimates and standardized solutions 1e-4 absolute, standard errors 0.5% relative,
fit indices 1e-3 absolute (chisq, aic, bic, logl, unrestricted.logl, baseline.chisq 1e-4 relative);
R-squared 1e-4 absolute; vcov 0.5% relative on the diagonal scale.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from iur_survey.sem import cfa, sem
from iur_survey.sem.ml import complete_stats, ml_fmin, ml_gradient
from tests.reference.compare import (FIT_KEYS, assert_estimates_close, assert_fit_close, load_reference,
                                     reference_data, reference_estimates, reference_fit, reference_vcov)

ML = ["ml_complete_800", "ml_complete_250", "cfa_complete_800", "hs_cfa", "heywood_150", "listwise_missing_800",
      "poldem", "mg_configural", "mg_metric", "mg_scalar", "mg_strict"]
FIML = ["fiml_missing_300", "fiml_missing_800", "hs_cfa_fiml", "mg_configural_fiml", "mg_metric_fiml", "mg_scalar_fiml",
        "mg_strict_fiml"]
MLR = ["mlr_complete_800", "hs_cfa_mlr", "mlr_fiml_missing_800", "mg_configural_mlr", "mg_metric_mlr",
       "mg_scalar_mlr", "mg_strict_mlr"]
#: fitMeasures entries that do not match yet (none left)
KNOWN_GAPS: dict[str, list[str]] = {}

_cache: dict = {}


def kwargs_for(ref) -> dict:
    kw = {}
    for k, v in (ref.get("call_options") or {}).items():
        if k == "missing":
            kw["missing"] = "fiml" if v == "ml" else v
        elif k == "group.equal":
            kw["group_equal"] = [v] if isinstance(v, str) else list(v)
        elif k in ("estimator", "group"):
            kw[k] = v
        else:
            raise NotImplementedError(k)
    return kw


def fitted(name):
    if name not in _cache:
        ref = load_reference(name)
        fn = cfa if ref["function"] == "cfa" else sem
        _cache[name] = (ref, fn(ref["model"], reference_data(ref), **kwargs_for(ref)))
    return _cache[name]


def est_tol(name: str) -> float:
    # poldem: lavaan's nlminb stops with max|gradient| 3e-6 and fmin 2.7e-10 above the optimum; its
    # y2 ~~ y4 is then 1.2e-4 off (test_poldem_lavaan_stopped_short proves ours is the optimum).
    return 2e-4 if name == "poldem" else 1e-4


@pytest.mark.parametrize("name", ML + FIML + MLR)
def test_estimates_and_standard_errors(name):
    ref, res = fitted(name)
    assert res.converged
    cols = ("est", "se", "ci.lower", "ci.upper", "std.lv", "std.all", "std.nox")
    pe = res.parameter_estimates()
    assert_estimates_close(pe, ref, est_tol=est_tol(name),
                           cols=cols if name != "poldem" else ("est", "se", "std.lv", "std.all"))
    # z = est / se: relative, like the SEs (large intercept z's exceed any absolute 1e-4)
    lav = reference_estimates(ref)
    assert len(pe) == len(lav)
    z, zl = pe["z"].to_numpy(float), lav["z"].to_numpy(float)
    assert np.array_equal(np.isnan(z), np.isnan(zl))
    ok = ~np.isnan(z)
    assert np.all(np.abs(z[ok] - zl[ok]) <= 5e-3 * np.abs(zl[ok]) + 1e-4)


@pytest.mark.parametrize("name", ML + FIML + MLR)
def test_fit_measures(name):
    ref, res = fitted(name)
    assert_fit_close(res.fit_measures(), ref)                       # the proof's keys (+ robust ones)
    rf = reference_fit(ref)
    others = [k for k in rf.index if k not in FIT_KEYS and k not in KNOWN_GAPS.get(name, [])]
    assert_fit_close(res.fit_measures(), ref, keys=others)          # and every other fitMeasures() entry
    assert list(res.fit_measures().index) == list(rf.index)         # lavaan's names, lavaan's order


@pytest.mark.parametrize("name", ML + FIML + MLR)
def test_r2(name):
    ref, res = fitted(name)
    r2 = res.r2()
    want = ref["r2"]
    if isinstance(r2.index, pd.MultiIndex):
        got = {g: {v: r2[(g, v)] for (gg, v) in r2.index if gg == g} for g in want}
    else:
        got = dict(r2)
    if res.partable.ngroups > 1:
        for g in want:
            assert set(got[g]) == set(want[g])
            for v, val in want[g].items():
                assert got[g][v] == pytest.approx(val, abs=1e-4), (g, v)
    else:
        assert list(got) == list(want)
        for v, val in want.items():
            if val is None:                       # lavaan NA (R2 above 1: a negative residual variance)
                assert np.isnan(got[v]), v
            else:
                assert got[v] == pytest.approx(val, abs=1e-4), v


@pytest.mark.parametrize("name", ["ml_complete_800", "hs_cfa", "poldem", "fiml_missing_800", "mlr_complete_800",
                                  "mlr_fiml_missing_800", "heywood_150"])
def test_vcov(name):
    ref, res = fitted(name)
    want = reference_vcov(ref)
    got = res.vcov()
    assert list(got.index) == list(want.index)
    scale = np.sqrt(np.outer(np.diag(want.values), np.diag(want.values)))
    assert np.max(np.abs(got.values - want.values) / scale) < 5e-3


def test_heywood_case_warns_and_keeps_the_negative_variance():
    ref, res = fitted("heywood_150")
    pe = res.parameter_estimates()
    neg = pe[(pe.op == "~~") & (pe.lhs == pe.rhs) & (pe.est < 0)]
    assert list(neg.lhs) == ["TAL1"]
    assert any("negative" in w and "TAL1" in w for w in res.warnings)
    assert any("negative" in w for w in ref["warnings"])


def test_poldem_lavaan_stopped_short():
    """Where we differ from lavaan by > 1e-4 (poldem y2 ~~ y4), ours is the better optimum."""
    ref, res = fitted("poldem")
    pt, mod = res.partable, res.model
    X = reference_data(ref)[mod.groups[0].ov].to_numpy(float)
    st = complete_stats([X])
    lav = reference_estimates(ref)
    theta_lav = res.theta.copy()
    for i in range(len(pt)):
        if pt.free[i] > 0:
            row = lav[(lav.lhs == pt.lhs[i]) & (lav.op == pt.op[i]) & (lav.rhs == pt.rhs[i])]
            theta_lav[pt.par_index[i]] = float(row.est.iloc[0])
    assert ml_fmin(mod, res.theta, st) < ml_fmin(mod, theta_lav, st)
    assert np.abs(ml_gradient(mod, res.theta, st)).max() < 1e-8 < np.abs(ml_gradient(mod, theta_lav, st)).max()
    assert ml_fmin(mod, theta_lav, st) == pytest.approx(reference_fit(ref)["fmin"], rel=1e-10)
