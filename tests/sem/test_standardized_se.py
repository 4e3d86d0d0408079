"""Delta-method standard errors of standardized estimates against lavaan 0.6.14's ``standardizedSolution()``
(tests/sem/std_refs/std_refs.json, made by make_std_refs.R; the tests only read it).

Two comparisons per case (PoliticalDemocracy with equal labels, residual covariances and ``:=`` rows; the same
data with observed fixed.x covariates (std.nox differs); HolzingerSwineford1939 with ``:=`` indirect and total
effects under ML, MLR, FIML with 10% holes and bootstrap SEs; a 2-group model with group-specific labels and
``:=`` differences; an ``==`` constraint; a Heywood case with a negative residual variance) and every type
(std.all, std.lv, std.nox):

* the formula: our :func:`standardized_se` at lavaan's own estimates and vcov equals lavaan's se to 1e-6
  relative (lavaan's Jacobian is a forward difference good to about 1e-8, ours a central one), est.std to 1e-9;
  with ``se = "bootstrap"`` lavaan's vcov is the bootstrap covariance, so this also shows that lavaan's
  standardizedSolution of a bootstrap fit is the delta method on it;
* end to end: our fit's ``standardized_solution()`` equals lavaan's table within the two engines' optimizer
  tolerance (abs 2e-4 on est.std, se and the CI bounds; the bootstrap case only at lavaan's draws).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.sem import cfa, sem
from iur_survey.sem.defined import from_partable
from iur_survey.sem.standardized import standardize, standardized_se

HERE = Path(__file__).parent / "std_refs"
REF = json.loads((HERE / "std_refs.json").read_text(encoding="utf-8"))
CASES = [k for k in REF if k != "meta"]
TYPES = ("std.all", "std.lv", "std.nox")


def _fit(name: str, se=None):
    c = REF[name]
    data = pd.read_csv(HERE / c["data"])
    args = c["args"] if isinstance(c["args"], dict) else {}
    kw = {}
    if "group" in args:
        kw["group"] = args["group"]
    if "estimator" in args:
        kw["estimator"] = args["estimator"]
    if args.get("missing") == "ml":
        kw["missing"] = "fiml"
    return (cfa if c.get("fun") == "cfa" else sem)(c["model"], data, **kw)


@pytest.fixture(scope="module")
def fits():
    return {}


def _get(fits, name):
    if name not in fits:
        fits[name] = _fit(name)
    return fits[name]


def _key(lhs, op, rhs, group):
    return (lhs, op, rhs, int(group) if op != ":=" else 0)


def _at_lavaan(res, name):
    """theta and vcov of lavaan's fit in our parameter order, and our table rows' values there."""
    c = REF[name]
    lp = c["partable"]
    lav = {_key(*k): (f, e) for *k, f, e in zip(lp["lhs"], lp["op"], lp["rhs"], lp["group"], lp["free"], lp["est"])}
    pt = res.partable
    theta = np.full(res.model.npar, np.nan)
    fidx = np.full(res.model.npar, -1)
    for i in range(len(pt)):
        if pt.par_index[i] >= 0:
            f, e = lav[_key(pt.lhs[i], pt.op[i], pt.rhs[i], pt.group[i])]
            assert f > 0
            theta[pt.par_index[i]] = e
            fidx[pt.par_index[i]] = f - 1
    assert np.all(fidx >= 0)
    V = np.asarray(c["vcov"], float)[np.ix_(fidx, fidx)]
    est = res.model.row_values(theta)
    d = pt.def_rows
    if len(d):
        est[d] = from_partable(pt, est)(theta)
    return theta, V, est


def _ours_rows(res, ref):
    """Our table row of each of lavaan's standardizedSolution rows."""
    pt = res.partable
    pos = {_key(pt.lhs[i], pt.op[i], pt.rhs[i], pt.group[i]): i for i in range(len(pt))}
    return np.array([pos[_key(*k)] for k in zip(ref["lhs"], ref["op"], ref["rhs"], ref["group"])])


def _arr(v):
    return np.array([np.nan if x is None else x for x in v], float)


@pytest.mark.parametrize("name", CASES)
def test_delta_method_at_lavaans_estimates(fits, name):
    res = _get(fits, name)
    theta, V, est = _at_lavaan(res, name)
    std = standardize(res.partable, res.model, theta, est)
    for type in TYPES:
        ref = REF[name][type]
        rows = _ours_rows(res, ref)
        np.testing.assert_allclose(std[type][rows], _arr(ref["est.std"]), rtol=1e-9, atol=1e-12,
                                   err_msg=f"{name} {type} est.std")
        se = standardized_se(res.partable, res.model, theta, est, V, type)[rows]
        np.testing.assert_allclose(se, _arr(ref["se"]), rtol=1e-6, atol=1e-9, err_msg=f"{name} {type} se")


def _aligned(res, name, type):
    ref = REF[name][type]
    rows = _ours_rows(res, ref)
    pt = res.partable
    keep = [i for i in range(len(pt)) if pt.op[i] not in ("==", "<", ">")]
    pos = {k: j for j, k in enumerate(keep)}
    ss = res.standardized_solution(type)
    return ss.iloc[[pos[r] for r in rows]].reset_index(drop=True), ref


@pytest.mark.parametrize("name", [c for c in CASES if c != "hs_boot"])
def test_standardized_solution_end_to_end(fits, name):
    res = _get(fits, name)
    for type in TYPES:
        ss, ref = _aligned(res, name, type)
        assert list(ss["lhs"]) == ref["lhs"] and list(ss["op"]) == ref["op"]
        for col, tol in (("est.std", 3e-4), ("se", 5e-5), ("ci.lower", 3e-4), ("ci.upper", 3e-4)):
            np.testing.assert_allclose(ss[col], _arr(ref[col]), rtol=0, atol=tol, err_msg=f"{name} {type} {col}")
        # rows with se 0 (a fixed.x variance in std.all, a row that does not move): z and p NA as lavaan
        assert np.array_equal(ss["z"].isna().to_numpy(), np.isnan(_arr(ref["z"]))), (name, type)
        np.testing.assert_allclose(ss["pvalue"], _arr(ref["pvalue"]), atol=1e-4)


def test_table_shape_and_multigroup_columns(fits):
    ss = _get(fits, "hs_mg").standardized_solution("std.lv", level=0.9)
    assert list(ss.columns) == ["lhs", "op", "rhs", "group", "label", "est.std", "se", "z", "pvalue",
                                "ci.lower", "ci.upper"]
    d = ss[ss["op"] == ":="]
    assert list(d["lhs"]) == ["ind1", "ind2", "d"] and set(d["group"]) == {0}
    np.testing.assert_allclose(d["ci.upper"] - d["est.std"], 1.6448536269514722 * d["se"], rtol=1e-12)
    one = _get(fits, "hs_ml").standardized_solution()
    assert "group" not in one.columns
    with pytest.raises(ValueError, match="type"):
        _get(fits, "hs_ml").standardized_solution("std.xx")


def test_bootstrap_fit_uses_the_bootstrap_vcov(fits):
    """lavaan's standardizedSolution of a se = "bootstrap" fit is the delta method on the bootstrap vcov
    (test_delta_method_at_lavaans_estimates["hs_boot"]); ours after with_bootstrap is too."""
    from iur_survey.sem.bootstrap import with_bootstrap

    res = _get(fits, "pd_x_ml")
    data = pd.read_csv(HERE / "pd.csv")
    bres = with_bootstrap(res, 20, data=data, seed=3, progress=False, workers=1)
    ss = bres.standardized_solution()
    want = standardized_se(res.partable, res.model, res.theta, res.est, bres.vcov_theta, "std.all")
    keep = [i for i in range(len(res.partable)) if res.partable.op[i] not in ("==", "<", ">")]
    np.testing.assert_allclose(ss["se"], want[keep], rtol=1e-12)
    assert not np.allclose(ss["se"], res.standardized_solution()["se"])


def test_results_json_carries_std_all_inference(fits):
    res = _get(fits, "hs_ml")
    d = res.to_dict()
    ss = res.standardized_solution()
    for e, (_, r) in zip(d["estimates"], ss.iterrows()):
        assert (e["lhs"], e["op"], e["rhs"]) == (r["lhs"], r["op"], r["rhs"])
        assert e["std.all"] == pytest.approx(r["est.std"], abs=1e-12)
        for col in ("se", "z", "pvalue", "ci.lower", "ci.upper"):
            v = e[f"std.all.{col}"]
            assert (v is None and np.isnan(r[col])) or v == pytest.approx(r[col], abs=1e-12), col
    json.dumps(d)


def test_no_standardized_se_without_a_vcov():
    """se = "none": no standardized se (a typed error; null in results.json), ML and WLSMV alike (WLSMV fits
    with a vcov: tests/sem/test_wlsmv_standardized_se.py)."""
    from iur_survey.errors import EstimationError

    hs = pd.read_csv(HERE / "hs.csv")
    res = sem("visual =~ x1 + x2 + x3", hs, se="none")
    with pytest.raises(EstimationError, match="standardized standard errors"):
        res.standardized_solution()
    assert all(e["std.all.se"] is None and e["std.all.ci.lower"] is None for e in res.to_dict()["estimates"])
    cats = hs[["x1", "x2", "x3", "x4"]].apply(lambda s: pd.qcut(s, 4, labels=False)).astype(int)
    ord_res = sem("F =~ x1 + x2 + x3 + x4", cats, ordered=True, se="none")
    with pytest.raises(EstimationError, match="standardized standard errors"):
        ord_res.standardized_solution()
    assert all(e["std.all.se"] is None for e in ord_res.to_dict()["estimates"])


def test_a_vcov_with_nan_gives_no_standardized_se_at_all():
    """lavaan: a fit whose information could not be inverted has no vcov, and its standardizedSolution() se is
    NA in every row, a fixed one too (R's JAC %*% VCOV %*% t(JAC) carries the NA everywhere): checked in R on
    misfit_600.csv with 'F1 =~ GOV1 + GOV2; F2 =~ MKT1 + MKT2 + MKT3; F1 ~~ 0*F2' (ML and WLSMV)."""
    d = pd.read_csv(Path(__file__).parent / "ordinal_refs" / "misfit_600.csv")
    model = "F1 =~ GOV1 + GOV2\nF2 =~ MKT1 + MKT2 + MKT3\nF1 ~~ 0*F2"
    for kw in ({}, {"ordered": True}):
        res = sem(model, d, **kw)
        assert np.isnan(res.vcov_theta).all()
        ss = res.standardized_solution()
        assert ss["se"].isna().all() and ss["ci.lower"].isna().all(), kw
