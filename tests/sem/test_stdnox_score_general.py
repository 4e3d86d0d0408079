"""lavaan 0.6.14 checks made by tests/sem/stdnox_refs/make_refs.R (its output refs.json and data.csv are
committed; the tests only read them).  Simulated data: a mediation model with a continuous and a binary
observed covariate, `:=` effects, 10% holes in three indicators.

* ``std.nox`` leaves every observed covariate (lavaan's ov.x) unstandardized, also when the covariates are
  free (``fixed_x=False``): their variances and covariance stay raw, the paths from them are not multiplied
  by their SD (``standardizedSolution(type = "std.nox")``, ``parameterEstimates()$std.nox`` and
  ``modindices()$sepc.nox``), complete data, FIML and two groups; fixed.x as a control.
* ``lav_test_score`` releases general linear ``==`` constraints (``b == 2*c``, ``l3 + k3 == 1.2``) as
  lavaan's ``lavTestScore()``: the total test, the univariate tests, ``release =`` and ``add =``; and the
  cumulative tests (``cumulative = TRUE``) of these constraints and of ``group_equal=["loadings"]`` in two groups.

Tolerances: the two optimizers stop at slightly different points (abs 2e-4 on standardized values and SEs,
1e-3 relative on score statistics).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.sem import sem
from iur_survey.sem.modindices import modindices
from iur_survey.sem.score_test import lav_test_score

HERE = Path(__file__).parent / "stdnox_refs"
REF = json.loads((HERE / "refs.json").read_text(encoding="utf-8"))
DATA = pd.read_csv(HERE / "data.csv")
CASES = {"fxf": ({"fixed_x": False}, True), "fxf_fiml": ({"fixed_x": False, "missing": "ml"}, False),
         "fxf_groups": ({"fixed_x": False, "group": "g"}, True), "fxt": ({}, True)}


def _merge(ours: pd.DataFrame, lav: list[dict], keys: list[str]) -> pd.DataFrame:
    lav = pd.DataFrame(lav)
    for k in keys:
        ours[k] = ours[k].astype(str)
        lav[k] = lav[k].astype(str)
    m = ours.merge(lav, on=keys, suffixes=("", "_lav"), validate="one_to_one")
    assert len(m) == len(ours) == len(lav)
    return m


@functools.lru_cache(maxsize=None)
def _case(name: str):
    kw, complete = CASES[name]
    data = DATA.dropna() if complete else DATA
    return name, sem(REF["model"], data, warn=False, **kw), data


@pytest.fixture(scope="module", params=list(CASES))
def case(request):
    return _case(request.param)


@pytest.mark.parametrize("type,key", [("std.nox", "nox"), ("std.all", "all")])
def test_standardized_solution_as_lavaan(case, type, key):
    name, res, _ = case
    keys = ["lhs", "op", "rhs"] + (["group"] if res.partable.ngroups > 1 else [])
    m = _merge(res.standardized_solution(type), REF[name][key], keys)
    for col in ("est.std", "se", "ci.lower", "ci.upper"):
        np.testing.assert_allclose(m[col], m[col + "_lav"], atol=2e-4, err_msg=f"{name} {type} {col}")


def test_std_nox_keeps_free_covariates_raw(case):
    name, res, _ = case
    keys = ["lhs", "op", "rhs"] + (["group"] if res.partable.ngroups > 1 else [])
    m = _merge(res.parameter_estimates(), REF[name]["pe"], keys)
    np.testing.assert_allclose(m["std.nox"], m["std.nox_lav"], atol=2e-4)
    if name != "fxt":                  # the free covariate variances: raw, with their raw SE
        v = m[(m["op"] == "~~") & (m["lhs"] == "x2") & (m["rhs"] == "x2")]
        np.testing.assert_allclose(v["std.nox"], v["est"], rtol=1e-12)
        assert (v["std.all"] == 1).all()


@pytest.mark.parametrize("name", [k for k in CASES if "mi" in REF[k]])
def test_sepc_nox_as_lavaan(name):
    _, res, data = _case(name)
    m = _merge(modindices(res, data), REF[name]["mi"], ["lhs", "op", "rhs"])
    for col in ("mi", "sepc.all", "sepc.nox"):
        np.testing.assert_allclose(m[col], m[col + "_lav"], atol=2e-4, rtol=1e-3, err_msg=col)


@pytest.fixture(scope="module")
def con_fit():
    return sem(REF["model_con"], DATA.dropna(), warn=False)


def test_score_test_releases_general_constraints(con_fit):
    ref = REF["score"]
    st = lav_test_score(con_fit, epc=True)
    assert st.test["df"].iloc[0] == ref["test"][0]["df"] == 3
    np.testing.assert_allclose(st.test["X2"].iloc[0], ref["test"][0]["X2"], rtol=1e-3)
    uni = pd.DataFrame(ref["uni"])
    assert st.uni[["lhs", "op", "rhs"]].values.tolist() == uni[["lhs", "op", "rhs"]].values.tolist()
    np.testing.assert_allclose(st.uni["X2"], uni["X2"], rtol=1e-3)
    np.testing.assert_allclose(st.uni["p.value"], uni["p.value"], atol=1e-4)
    assert st.uni["parameters"].tolist()[1] == "b == 2*c"


def test_score_test_release_and_add_with_general_constraints(con_fit):
    ref = REF["score"]
    rel = lav_test_score(con_fit, release=[2, 3])
    np.testing.assert_allclose(rel.test["X2"].iloc[0], ref["release_test"][0]["X2"], rtol=1e-3)
    np.testing.assert_allclose(rel.uni["X2"], pd.DataFrame(ref["release_uni"])["X2"], rtol=1e-3)
    add = lav_test_score(con_fit, add=["m1 ~~ y1", "Y ~ x2"])
    np.testing.assert_allclose(add.test["X2"].iloc[0], ref["add_test"][0]["X2"], rtol=1e-3)
    np.testing.assert_allclose(add.uni["X2"], pd.DataFrame(ref["add_uni"])["X2"], rtol=1e-3)


@pytest.mark.parametrize("key", ["score", "score_mg"])
def test_cumulative_score_tests_as_lavaan(con_fit, key):
    ref = REF[key]
    res = con_fit if key == "score" else sem(ref["model"], DATA.dropna(), group="g", group_equal=["loadings"],
                                             warn=False)
    st = lav_test_score(res, cumulative=True, univariate=False)
    lav = pd.DataFrame(ref["cumulative"])
    assert st.cumulative[["lhs", "op", "rhs"]].values.tolist() == lav[["lhs", "op", "rhs"]].values.tolist()
    assert st.cumulative["df"].tolist() == lav["df"].tolist()
    np.testing.assert_allclose(st.cumulative["X2"], lav["X2"], rtol=1e-3)
    np.testing.assert_allclose(st.cumulative["p.value"], lav["p.value"], atol=1e-4)
    np.testing.assert_allclose(st.uni["X2"], pd.DataFrame(ref["uni"])["X2"], rtol=1e-3, atol=1e-5)
    assert st.to_dict()["cumulative"][-1]["df"] == len(lav)


def test_summary_prints_free_covariates_without_dot():
    """lavaan's summary marks residual variances with a dot, never an ov.x's variance, fixed or free."""
    _, res, _ = _case("fxf")
    text = res.summary()
    variances = text[text.index("Variances:"):]
    assert "\n    x2 " in variances and ".x2" not in variances and ".m1" in variances
