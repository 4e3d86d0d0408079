"""Standardized solutions of WLSMV (DWLS) fits with ordered items and their delta-method inference against lavaan
0.6.14's ``standardizedSolution()`` (tests/sem/std_refs/wlsmv_std_refs.json, made by make_wlsmv_std_refs.R;
the tests only read it).

Cases (HolzingerSwineford1939's x1-x9 cut into 3-5 ordered categories, hs_ord.csv; the 3-group
wlsmv_groups_630.csv with missing cells, pairwise): one group with ``:=`` indirect / total effects in the delta
and the theta parameterization, DWLS (standard SEs), an ``==`` constraint with a residual covariance of two
items, a mix of continuous and ordered items; two groups configural, and with thresholds and loadings equal
(free scales ``~*~`` in the delta parameterization, free residual variances in the theta one) with
group-specific labels and ``:=`` differences; three groups, and the Wu & Estabrook "thresholds" step of the
ordinal invariance sequence (semTools' measEq.syntax; per-item free scales); a bootstrap fit (lavaan's estimator "DWLS", test
"scaled.shifted", se "bootstrap": its vcov is the bootstrap covariance).  Every type (std.all, std.lv,
std.nox) and every row lavaan reports: loadings, regressions, thresholds, the y* (residual) variances the
delta parameterization fills in, latent (co)variances, scales, intercepts and latent means, ``:=``.

* the formula: at lavaan's own estimates and vcov, est.std within 1e-10 (absolute) and se within 1e-6
  relative (measured: 7e-8 at worst; lavaan's Jacobian is a forward difference good to about 1e-8, ours a
  central one), the rows with se 0 the same;
* end to end: our fit's ``standardized_solution()`` equals lavaan's table within the two engines' optimizer
  tolerance (measured: est.std / CI bounds 1.4e-4 at worst, in the two-group theta fit whose estimates differ
  by that much; se 3.5e-5; abs 3e-4 / 5e-5 asserted);
* the estimates table's std columns are the standardization function at the fit's own theta (the one
  function, differentiated);
* a bootstrap of a WLSMV fit: its standardized se is the delta method on the bootstrap covariance.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.sem import sem
from iur_survey.sem.wlsmv import dwls_table_columns
from iur_survey.sem.wlsmv_standardized import ordinal_standardize_batch, ordinal_standardized_se, ordinal_std_map

HERE = Path(__file__).parent / "std_refs"
REF = json.loads((HERE / "wlsmv_std_refs.json").read_text(encoding="utf-8"))
CASES = [k for k in REF if k != "meta"]
TYPES = ("std.all", "std.lv", "std.nox")


def _fit(name: str):
    c = REF[name]
    a = c["args"]
    if "invariance_step" in a:
        from iur_survey.sem.wlsmv_invariance import ordinal_invariance

        step = a["invariance_step"]
        inv = ordinal_invariance(c["model"], pd.read_csv(HERE / c["data"]), a["group"], steps=("configural", step))
        return inv.fits[step]
    kw = {"ordered": list(a["ordered"]) if isinstance(a["ordered"], list) else [a["ordered"]]}
    for k in ("group", "parameterization", "missing"):
        if k in a:
            kw[k] = a[k]
    if "group.equal" in a:
        kw["group_equal"] = list(a["group.equal"])
    if a.get("estimator") == "DWLS" and a.get("se") != "bootstrap":
        kw["estimator"] = "DWLS"
    return sem(c["model"], pd.read_csv(HERE / c["data"]), **kw)


@pytest.fixture(scope="module")
def fits():
    return {}


def _get(fits, name):
    if name not in fits:
        fits[name] = _fit(name)
    return fits[name]


def _key(lhs, op, rhs, group):
    return (lhs, op, "" if rhs is None else rhs, 0 if op == ":=" else int(group))


def _table_keys(tab: pd.DataFrame):
    g = tab["group"] if "group" in tab.columns else np.ones(len(tab), int)
    return {_key(*k): i for i, k in enumerate(zip(tab["lhs"], tab["op"], tab["rhs"], g))}


def _theta_cols(res) -> np.ndarray:
    """Per estimates-table row its column of theta (-1: not a parameter)."""
    g = res.meta.get("wlsmv_groups")
    if g is not None:
        return np.asarray(g.table_par)
    wl = res.meta["wlsmv"]
    return dwls_table_columns(res.partable, res.table, wl.kept, wl.stats.th.index)


def _at_lavaan(res, name):
    """lavaan's estimates and vcov in our theta order (parameters equal by constraint: lavaan's first)."""
    c = REF[name]
    lp = c["partable"]
    pos = _table_keys(res.table)
    par = _theta_cols(res)
    theta = np.full(np.asarray(res.theta).size, np.nan)
    fidx = np.full(theta.size, -1)
    for lhs, op, rhs, g, f, e in zip(lp["lhs"], lp["op"], lp["rhs"], lp["group"], lp["free"], lp["est"]):
        if f > 0:
            q = par[pos[_key(lhs, op, rhs, g)]]
            assert q >= 0, (name, lhs, op, rhs)
            if fidx[q] < 0:
                theta[q], fidx[q] = e, f - 1
    assert np.all(fidx >= 0), name
    return theta, np.asarray(c["vcov"], float)[np.ix_(fidx, fidx)]


def _rows(tab, ref):
    pos = _table_keys(tab)
    return np.array([pos[_key(*k)] for k in zip(ref["lhs"], ref["op"], ref["rhs"], ref["group"])])


def _arr(v):
    return np.array([np.nan if x is None else x for x in v], float)


@pytest.mark.parametrize("name", CASES)
def test_delta_method_at_lavaans_estimates(fits, name):
    res = _get(fits, name)
    theta, V = _at_lavaan(res, name)
    m = ordinal_std_map(res)
    std = ordinal_standardize_batch(m, theta[None])
    for type in TYPES:
        ref = REF[name][type]
        rows = _rows(res.table, ref)
        assert len(rows) == len(res.table)
        np.testing.assert_allclose(std[type][0][rows], _arr(ref["est.std"]), rtol=0, atol=1e-10,
                                   err_msg=f"{name} {type} est.std")
        se = ordinal_standardized_se(m, theta, V, type)[rows]
        want = _arr(ref["se"])
        np.testing.assert_allclose(se, want, rtol=1e-6, atol=1e-12, err_msg=f"{name} {type} se")
        assert np.array_equal(se == 0, want == 0), (name, type)


@pytest.mark.parametrize("name", CASES)
def test_table_is_the_standardization_at_the_fit(fits, name):
    res = _get(fits, name)
    std = ordinal_standardize_batch(ordinal_std_map(res), np.asarray(res.theta)[None])
    for type in TYPES:
        np.testing.assert_allclose(std[type][0], res.table[type].to_numpy(float), rtol=0, atol=1e-12,
                                   err_msg=f"{name} {type}")


@pytest.mark.parametrize("name", [c for c in CASES if c != "hs_boot"])
def test_standardized_solution_end_to_end(fits, name):
    res = _get(fits, name)
    for type in TYPES:
        ss = res.standardized_solution(type)
        assert len(ss) == len(res.table)
        ref = REF[name][type]
        o = ss.iloc[_rows(ss, ref)].reset_index(drop=True)
        for col, tol in (("est.std", 3e-4), ("se", 5e-5), ("ci.lower", 3e-4), ("ci.upper", 3e-4),
                         ("pvalue", 1e-4)):
            np.testing.assert_allclose(o[col], _arr(ref[col]), rtol=0, atol=tol, err_msg=f"{name} {type} {col}")
        # rows with se 0 (fixed scales and zero intercepts, a std.lv variance fixed at 1 ...): z and p NA
        assert np.array_equal(o["z"].isna().to_numpy(), np.isnan(_arr(ref["z"]))), (name, type)


def test_columns_and_rows(fits):
    one = _get(fits, "hs_theta").standardized_solution("std.lv")        # one group, through the groups engine
    assert list(one.columns) == ["lhs", "op", "rhs", "label", "est.std", "se", "z", "pvalue", "ci.lower",
                                 "ci.upper"]
    # theta parameterization: the scale 1 / sd(y*) of std.lv moves with the parameters, as lavaan's
    assert (one.loc[one["op"] == "~*~", "se"] > 0).all()
    mg = _get(fits, "hs_mg_delta").standardized_solution("std.all", level=0.9)
    assert list(mg.columns[:4]) == ["lhs", "op", "rhs", "group"]
    d = mg[mg["op"] == ":="]
    assert list(d["lhs"]) == ["ind1", "ind2", "d"] and set(d["group"]) == {0}
    np.testing.assert_allclose(d["ci.upper"] - d["est.std"], 1.6448536269514722 * d["se"], rtol=1e-12)
    # delta parameterization: a y* variance is fixed in parameterEstimates (se 0), not once standardized
    pe = _get(fits, "hs_delta").parameter_estimates()
    ss = _get(fits, "hs_delta").standardized_solution()
    y = (pe["op"] == "~~") & (pe["lhs"] == "x1") & (pe["rhs"] == "x1")
    assert float(pe.loc[y, "se"].iloc[0]) == 0 and float(ss.loc[y, "se"].iloc[0]) > 0
    with pytest.raises(ValueError, match="type"):
        _get(fits, "hs_delta").standardized_solution("std.xx")


def test_results_json_carries_std_all_inference(fits):
    for name in ("hs_delta", "hs_mg_theta"):
        res = _get(fits, name)
        d = res.to_dict()
        ss = res.standardized_solution()
        assert len(d["estimates"]) == len(ss)
        for e, (_, r) in zip(d["estimates"], ss.iterrows()):
            assert (e["lhs"], e["op"], e["rhs"]) == (r["lhs"], r["op"], r["rhs"])
            assert e["std.all"] == pytest.approx(r["est.std"], abs=1e-12)
            for col in ("se", "z", "pvalue", "ci.lower", "ci.upper"):
                v = e[f"std.all.{col}"]
                assert (v is None and np.isnan(r[col])) or v == pytest.approx(r[col], abs=1e-12), (name, col)
        assert any(e["op"] == "|" and e["std.all.se"] for e in d["estimates"])
        json.dumps(d)


def test_bootstrap_fit_uses_the_bootstrap_vcov():
    """lavaan's standardizedSolution of a bootstrap fit is the delta method on the bootstrap vcov
    (test_delta_method_at_lavaans_estimates["hs_boot"]); ours after with_wlsmv_bootstrap is too."""
    from iur_survey.sem.wlsmv_bootstrap import with_wlsmv_bootstrap

    data = pd.read_csv(HERE / "hs_ord.csv")
    fit = sem("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\ntextual ~ a*visual", data,
              ordered=[f"x{i}" for i in range(1, 7)])
    bres = with_wlsmv_bootstrap(fit, 20, data=data, seed=3, workers=1, progress=False)
    ss = bres.standardized_solution()
    want = ordinal_standardized_se(ordinal_std_map(fit), fit.theta, bres.vcov_theta, "std.all")
    np.testing.assert_allclose(ss["se"], want, rtol=1e-12)
    assert not np.allclose(ss["se"], fit.standardized_solution()["se"])
    assert bres.to_dict()["estimates"][0]["std.all.se"] == pytest.approx(float(ss["se"].iat[0]), abs=1e-12)
