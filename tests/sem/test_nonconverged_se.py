"""A fit that did not converge has no standard errors, as in lavaan 0.6.14: lavaan computes no vcov then, so
parameterEstimates() gives se / z / pvalue / ci.lower / ci.upper NA for every estimated row (a fixed row keeps
se 0 and ci = est), vcov() stops ("model did not converge"), summary() prints NA in the Std.Err column and
leaves z and P blank, and no bootstrap is run.  standardizedSolution() keeps its SEs (lavaan recomputes the vcov
at the last iterate for it).  The package used to report SEs at the last iterate.

References: nonconverged_refs/nonconverged_refs.json, written by nonconverged_refs/make_nonconverged_refs.R
(lavaan forced off with iter.max = 5; here control={"max_iter": 1}: the iterates differ, the rules do not).
One deliberate difference: lavaan gives a := row of free parameters se 0 and ci = est there (its fixed-row
marker, read as an exact value); here it is NaN like the other estimated rows.
"""

from __future__ import annotations

import dataclasses
import json
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.sem import cfa
from iur_survey.sem.bootstrap import bootstrap, with_bootstrap
from iur_survey.sem.results import NotConvergedError, SEMFitWarning

HERE = Path(__file__).resolve().parent
REFS = {c["name"]: c for c in json.loads((HERE / "nonconverged_refs" / "nonconverged_refs.json")
                                         .read_text(encoding="utf-8"))["cases"]}
DATA = {"ml": "hs.csv", "mlr": "hs.csv", "fiml": "hs_miss.csv", "groups": "hs.csv"}
OPTIONS = {"ml": {}, "mlr": {"estimator": "MLR"}, "fiml": {"missing": "fiml"}, "groups": {"group": "school"}}
INFERENCE = ("se", "z", "pvalue", "ci.lower", "ci.upper")


def _nan(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _fit(name: str, **kw):
    ref = REFS[name]
    d = pd.read_csv(HERE / "std_refs" / DATA[name])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SEMFitWarning)
        res = cfa(ref["model"], d, **OPTIONS[name], **kw)
    return res, d


@pytest.fixture(scope="module", params=sorted(DATA))
def case(request):
    res, d = _fit(request.param, control={"max_iter": 1})
    assert not res.converged and REFS[request.param]["converged"] is False
    return request.param, res, d


def _rows(pe: pd.DataFrame) -> dict:
    g = pe["group"] if "group" in pe.columns else pd.Series(1, index=pe.index)
    return {(r.lhs, r.op, r.rhs, int(gg) if r.op != ":=" else 0): r
            for r, gg in zip(pe.itertuples(index=False), g)}


def test_estimates_table_has_lavaans_na_pattern(case):
    name, res, _ = case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SEMFitWarning)
        pe = res.parameter_estimates()
    ours = _rows(pe.rename(columns={"ci.lower": "ci_lower", "ci.upper": "ci_upper"}))
    lav = REFS[name]["estimates"]
    assert len(ours) == len(lav)
    n_na = 0
    for r in lav:
        o = ours[(r["lhs"], r["op"], r["rhs"], r["group"] if r["op"] != ":=" else 0)]
        assert _nan(o.z) and _nan(o.pvalue) and _nan(r["z"]) and _nan(r["pvalue"])
        if r["op"] == ":=":
            # lavaan: se 0, ci = est (its fixed-row marker); ours: NA, an estimated value is not exact
            assert r["se"] == 0 and r["ci.lower"] == r["est"] == r["ci.upper"]
            assert _nan(o.se) and _nan(o.ci_lower) and _nan(o.ci_upper)
        elif r["se"] is None:                          # estimated: NA in lavaan, NaN here
            n_na += 1
            assert _nan(r["ci.lower"]) and _nan(r["ci.upper"])
            assert _nan(o.se) and _nan(o.ci_lower) and _nan(o.ci_upper), (r["lhs"], r["op"], r["rhs"])
        else:                                          # fixed: se 0 and ci = est, in both
            assert r["se"] == 0 and r["ci.lower"] == r["est"] == r["ci.upper"]
            assert o.se == 0 and o.ci_lower == o.est == o.ci_upper
    assert n_na >= 21


def test_results_json_writes_null(case):
    name, res, _ = case
    doc = res.to_dict()
    assert doc["converged"] is False and doc["estimates_interpretable"] is False and doc["fit"] == {}
    est = [e for e in doc["estimates"] if e["op"] == "=~" and e["rhs"] == "x2"]
    assert est and all(e[c] is None for e in est for c in INFERENCE)
    assert all(e["se"] in (None, 0.0) for e in doc["estimates"])
    json.dumps(doc, allow_nan=False)                   # no NaN leaks into the file


def test_vcov_refused_as_in_lavaan(case):
    name, res, _ = case
    assert REFS[name]["vcov_error"] == "lavaan ERROR: model did not converge"
    with pytest.raises(NotConvergedError, match="model did not converge"):
        res.vcov()


def test_summary_prints_na_like_lavaan(case):
    name, res, _ = case
    text = res.summary(standardized=False)
    line = next(s for s in text.splitlines() if s.startswith("    x2 "))
    lav = REFS[name]["summary_x2"]
    assert lav.split()[-1] == "NA" and line.split()[-1] == "NA"     # Std.Err NA, z-value and P(>|z|) blank
    assert len(line) == len(lav)
    assert "did NOT end normally" in text and "Estimates below are most likely unreliable" in text


def test_standardized_solution_keeps_its_ses(case):
    name, res, _ = case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SEMFitWarning)
        ss = res.standardized_solution()
    if REFS[name]["std_se_finite"]:
        assert np.isfinite(ss["se"].to_numpy(float)).all()
    free = ss["op"].eq("=~") & ss["rhs"].eq("x2")
    assert np.isfinite(ss.loc[free, "se"].to_numpy(float)).all()       # lavaan too, in every case


def test_no_bootstrap_of_a_fit_that_did_not_converge():
    res, d = _fit("ml", control={"max_iter": 1})
    with pytest.raises(NotConvergedError, match="no bootstrap"):
        bootstrap(res, 5, data=d, seed=1, progress=False)
    with pytest.raises(NotConvergedError, match="no bootstrap"):
        with_bootstrap(res, 5, data=d, seed=1, progress=False)


def test_converged_fit_keeps_its_ses():
    res, _ = _fit("ml")
    assert res.converged
    pe = res.parameter_estimates()
    free = pe["op"].eq("=~") & pe["rhs"].eq("x2")
    assert (pe.loc[free, "se"] > 0).all() and np.isfinite(pe.loc[pe["op"] == ":=", "se"]).all()
    assert res.vcov().shape == (21, 21)


def test_ordinal_fit_that_did_not_converge():
    """WLSMV: the sem() API takes no control= with ordered items, so the same fit is marked unconverged; its
    estimates table (lavaan's categorical layout) gets lavaan's pattern: thresholds and loadings NA, the fixed
    delta-parameterization rows se 0."""
    ref = REFS["wlsmv"]
    d = pd.read_csv(HERE / "std_refs" / "hs_ord.csv")
    res = cfa(ref["model"], d, ordered=[f"x{i}" for i in range(1, 10)])
    assert res.converged
    nc = dataclasses.replace(res, converged=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SEMFitWarning)
        pe = nc.parameter_estimates()
    ours = _rows(pe.rename(columns={"ci.lower": "ci_lower", "ci.upper": "ci_upper"}))
    for r in ref["estimates"]:
        o = ours[(r["lhs"], r["op"], r["rhs"], r["group"] if r["op"] != ":=" else 0)]
        if r["se"] is None or r["op"] == ":=":
            assert _nan(o.se) and _nan(o.ci_lower), (r["lhs"], r["op"], r["rhs"])
        else:
            assert o.se == 0 and o.ci_lower == o.est
        assert _nan(o.z) and _nan(o.pvalue)
    with pytest.raises(NotConvergedError):
        nc.vcov()
    doc = nc.to_dict()["estimates"]
    markers = ("x1", "x4", "x7")
    assert all(e["se"] is None for e in doc if e["op"] == "|" or (e["op"] == "=~" and e["rhs"] not in markers))


def test_no_simple_slopes_of_a_fit_that_did_not_converge():
    """Simple slopes and the Johnson-Neyman interval need the vcov (semTools' probe2WayMC takes vcov(fit), which
    lavaan refuses then): refused, and `iur-survey fit` writes no "interaction" block for such a fit."""
    from iur_survey.sem import sem
    from iur_survey.sem.interaction import johnson_neyman, simple_slopes

    ref = json.loads((HERE / "interaction_refs" / "interaction_refs.json").read_text())["hs"]
    data = pd.read_csv(HERE / "interaction_refs" / ref["data"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SEMFitWarning)
        res = sem(ref["user_model"], data, control={"max_iter": 1})
    assert not res.converged
    with pytest.raises(NotConvergedError, match="no simple slopes"):
        simple_slopes(res)
    with pytest.raises(NotConvergedError, match="no Johnson-Neyman"):
        johnson_neyman(res)


def test_fiml_fit_stopped_at_a_non_positive_definite_sigma_is_reported_not_raised():
    # fixed (co)variances no parameter can make positive definite: the start is not admissible, and the FIML
    # information at the last iterate needs Sigma^-1 (it raised numpy's LinAlgError; audit s23 syntaxaudit B1)
    from iur_survey.sem import sem

    rng = np.random.default_rng(5)
    d = pd.DataFrame(rng.standard_normal((120, 3)), columns=["a", "b", "c"])
    d.iloc[3, 2] = np.nan                                   # one missing value: FIML
    r = sem("a ~~ 1*a\nb ~~ 1*b\na ~~ 5*b\nc ~ a + b", d, fixed_x=False, warn=False)
    assert r.missing == "fiml" and not r.converged
    assert any("did not converge" in w for w in r.warnings)
    pe = r.parameter_estimates(standardized=False)
    assert pe.loc[(pe.lhs == "c") & (pe.op == "~"), "se"].isna().all()
