"""Modification indices and score tests against lavaan 0.6.14 (references: tests/sem/mi_refs/make_refs.R)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.cli import main
from iur_survey.errors import EstimationError, ModelSyntaxError
from iur_survey.sem import sem
from iur_survey.sem.modindices import modindices
from iur_survey.sem.score_test import lav_test_score

REFS = Path(__file__).parent / "mi_refs"
REF = json.loads((REFS / "mi_refs.json").read_text())
COLS = ["mi", "epc", "sepc.lv", "sepc.all", "sepc.nox"]


def _fit(case: str):
    c = REF[case]
    data = pd.read_csv(REFS / c["data"])
    args = dict(c["args"])
    if isinstance(args.get("group_equal"), str):
        args["group_equal"] = [args["group_equal"]]
    return sem(c["model"], data, **args), data


@pytest.mark.parametrize("case", ["hs_ml", "hs_mlr", "hs_stdlv", "pd_ml", "hsx_ml", "hsmiss_fiml", "hsmiss_mlr",
                                  "hsxmiss_fiml", "hs_groups_scalar"])
def test_modindices_equal_lavaan(case):
    res, data = _fit(case)
    ours = modindices(res, data)
    ref = pd.DataFrame(REF[case]["mi"])
    keys = ["lhs", "op", "rhs"] + (["group"] if "group" in ref else [])
    # the same rows (beyond numerical zeros, which lavaan keeps or drops by rounding)
    big_r = ref[ref["mi"] > 1e-6].set_index(keys)
    big_o = ours[ours["mi"] > 1e-6].set_index(keys)
    assert sorted(big_r.index) == sorted(big_o.index)
    # lavaan's 20 largest found, mi and epc within 1e-3 (standardized ones too); the order may differ
    # only between near-ties
    top = ref.head(20)
    np.testing.assert_allclose(ours["mi"].head(20), top["mi"], atol=1e-3)
    m = top.merge(ours, on=keys, suffixes=("_r", "_o"))
    assert len(m) == len(top)
    for col in COLS:
        np.testing.assert_allclose(m[col + "_o"], m[col + "_r"], atol=1e-3, rtol=0, err_msg=col)
    # every row
    m = big_r.join(big_o, lsuffix="_r", rsuffix="_o")
    np.testing.assert_allclose(m["mi_o"], m["mi_r"], atol=1e-3)
    np.testing.assert_allclose(m["epc_o"], m["epc_r"], atol=1e-3)
    assert list(ours.columns) == list(ref.columns)


def test_modindices_options():
    res, data = _fit("hs_ml")
    mi = modindices(res, data, maximum_number=5, op="=~")
    assert len(mi) <= 5 and set(mi["op"]) == {"=~"}
    assert (modindices(res, data, minimum_value=10)["mi"] > 10).all()
    assert list(modindices(res, data, standardized=False).columns) == ["lhs", "op", "rhs", "mi", "epc"]


def test_score_test_releases_group_constraints():
    res, data = _fit("hs_groups_scalar")
    ref = REF["hs_groups_scalar"]["score"]
    st = lav_test_score(res, epc=True)
    assert st.test["X2"].iloc[0] == pytest.approx(ref["test"][0]["X2"], abs=1e-3)
    assert int(st.test["df"].iloc[0]) == ref["test"][0]["df"]
    uni = pd.DataFrame(ref["uni"])
    assert list(st.uni["lhs"]) == list(uni["lhs"]) and list(st.uni["rhs"]) == list(uni["rhs"])
    np.testing.assert_allclose(st.uni["X2"], uni["X2"], atol=1e-3)
    e = pd.DataFrame(ref["epc"]).merge(st.epc, on=["lhs", "op", "rhs", "group"], suffixes=("_r", "_o"))
    assert len(e) == len(st.epc)
    np.testing.assert_allclose(e["epc_o"], e["epc_r"], atol=1e-4)
    # releasing one constraint only: df 1, its statistic the univariate one
    one = lav_test_score(res, release=[1], univariate=False)
    assert int(one.test["df"].iloc[0]) == 1
    assert one.test["X2"].iloc[0] == pytest.approx(uni["X2"].iloc[0], abs=1e-3)


def test_score_test_adding_parameters_equals_modindices():
    res, data = _fit("hs_ml")
    ref = REF["hs_ml"]["score_add"]
    st = lav_test_score(res, add=ref["add"])
    assert st.test["X2"].iloc[0] == pytest.approx(ref["test"][0]["X2"], abs=1e-3)
    uni = pd.DataFrame(ref["uni"])
    assert list(st.uni["lhs"]) == list(uni["lhs"])
    np.testing.assert_allclose(st.uni["X2"], uni["X2"], atol=1e-3)
    with pytest.raises(ModelSyntaxError):
        lav_test_score(res, add=["visual =~ nothere"])
    with pytest.raises(EstimationError):
        lav_test_score(res)                         # no equality constraint to release


def test_fit_command_writes_sorted_modindices(tmp_path, capsys):
    out = tmp_path / "results.json"
    code = main(["fit", "tests/reference/data/complete_800.csv", "--modindices", "20", "--out", str(out)])
    assert code == 0
    got = json.loads(out.read_text())["modindices"]
    assert len(got) == 20 and list(got[0]) == ["lhs", "op", "rhs"] + COLS
    ref = REF["demo_default"]["mi"][:20]
    assert [(r["lhs"], r["op"], r["rhs"]) for r in got] == [(r["lhs"], r["op"], r["rhs"]) for r in ref]
    for a, b in zip(got, ref):
        assert a["mi"] == pytest.approx(b["mi"], abs=1e-3) and a["epc"] == pytest.approx(b["epc"], abs=1e-3)
    assert "largest modification indices (exploratory)" in capsys.readouterr().out


MI_ORD = json.loads((Path(__file__).parent / "resid_refs" / "mi_wlsmv_refs.json").read_text())


@pytest.mark.parametrize("case", list(MI_ORD))
def test_modindices_ordered_items_equal_lavaan(case):
    """WLSMV / DWLS (one group): lavaan's rows (cross-loadings, residual covariances of the items), mi to 1e-3
    (measured: 3.2e-4, lavaan's and our estimates ~1e-6 apart), epc and sepc to 1e-5 (measured 2.8e-6)."""
    c = MI_ORD[case]
    data = pd.read_csv(Path(__file__).parent / "resid_refs" / c["data"])
    ours = modindices(sem(c["model"], data, **c["args"]))
    ref = pd.DataFrame(c["mi"])
    assert list(ours.columns) == list(ref.columns) and len(ours) == len(ref)
    assert sorted(zip(ours.lhs, ours.op, ours.rhs)) == sorted(zip(ref.lhs, ref.op, ref.rhs))
    m = ref.merge(ours, on=["lhs", "op", "rhs"], suffixes=("_r", "_o"))
    np.testing.assert_allclose(m["mi_o"], m["mi_r"], atol=1e-3)
    for col in COLS[1:]:
        np.testing.assert_allclose(m[col + "_o"], m[col + "_r"], atol=1e-5, rtol=0, err_msg=col)
    assert list(ours[["lhs", "op", "rhs"]].head(3).itertuples(index=False, name=None)) == \
        list(ref[["lhs", "op", "rhs"]].head(3).itertuples(index=False, name=None))


MI_ORD_EQ = json.loads((Path(__file__).parent / "resid_refs" / "mi_wlsmv_eq_refs.json").read_text())


@pytest.mark.parametrize("case", list(MI_ORD_EQ))
def test_modindices_ordered_items_with_equality_constraints_equal_lavaan(case):
    """WLSMV with a shared label or a user `b == c`: the indices ignored the fitted model's equality constraints (the
    plain inverse of the information, not the constrained one): random differential check, seeds 2045 / 2071 / 2073:
    10.33 where lavaan gives 6.87, 1.485 for 1.445.  Rows other than lavaan's scale (~*~) rows, which this package
    does not list; mi to 1e-3 as above.  Reference: tests/sem/resid_refs/make_mi_wlsmv_eq_refs.R."""
    c = MI_ORD_EQ[case]
    data = pd.read_csv(Path(__file__).parent / "resid_refs" / c["data"])
    ours = modindices(sem(c["model"], data, ordered=True, estimator="WLSMV"))
    ref = pd.DataFrame(c["mi"])
    ref = ref[ref["op"] != "~*~"]
    m = ref.merge(ours, on=["lhs", "op", "rhs"], suffixes=("_r", "_o"))
    assert len(m) == len(ref) == len(ours)
    np.testing.assert_allclose(m["mi_o"], m["mi_r"], atol=1e-3, rtol=1e-4)
    np.testing.assert_allclose(m["epc_o"], m["epc_r"], atol=1e-5, rtol=1e-4)
    np.testing.assert_allclose(m["sepc.all_o"], m["sepc.all_r"], atol=1e-5, rtol=1e-4)


def test_modindices_refuse_mixed_ordered_items(mixed_ordered_fit):
    with pytest.raises(EstimationError, match="one group of ordered items"):
        modindices(mixed_ordered_fit)


def test_score_test_of_ordered_items_refuses_naming_the_score_test(mixed_ordered_fit):
    """lav_test_score of a WLSMV fit stopped with "modification indices need estimator ML or MLR" (random
    differential check, seed 2002: a two-group WLSMV fit, lavaan gives the test); now the refusal names the test."""
    with pytest.raises(EstimationError, match=r"score test \(lavTestScore\) is covered for estimator ML and MLR"):
        lav_test_score(mixed_ordered_fit)


@pytest.mark.parametrize("case", ["cross", "within"])
def test_score_test_with_labels_every_group_shares_equals_lavaan(case):
    """cross: `a == b` where each label names one parameter in both groups (one label in a multi-group model): the
    score test stopped with "cannot read the constraint a == b" (random differential check, seeds 2010 / 2032 /
    2040); lavaan points each label at its first row.  within: a label on two loadings of one factor
    (`c*x8 + c*x9`): the .pN. == .pM. rows came in another order than lavaan's (seeds 2009 / 2038: the same
    statistics, but release=[1] freed another constraint than lavaan's release = 1).
    Reference: tests/sem/mi_refs/make_score_shared_refs.R."""
    ref = json.loads((REFS / "score_shared.json").read_text())[case]
    d = pd.read_csv(Path(__file__).parent.parent / "fixtures" / "real" / "HolzingerSwineford1939.csv")
    res = sem(ref["model"], d, group=ref["group"], group_equal=[ref["group_equal"]], warn=False)
    st = lav_test_score(res)
    assert st.test["df"].iloc[0] == ref["test"]["df"]
    np.testing.assert_allclose(st.test["X2"].iloc[0], ref["test"]["X2"], rtol=1e-4)
    assert list(zip(st.uni.lhs, st.uni.rhs)) == [(u["lhs"], u["rhs"]) for u in ref["uni"]]
    np.testing.assert_allclose(st.uni["X2"], [u["X2"] for u in ref["uni"]], rtol=1e-4, atol=1e-6)
    one = lav_test_score(res, release=[1], univariate=False)
    np.testing.assert_allclose(one.test["X2"].iloc[0], ref["uni"][0]["X2"], rtol=1e-4, atol=1e-6)


def test_modindices_of_a_theta_fit_refuse_saying_why():
    """A one-group WLSMV fit in the theta parameterization was refused as if it had several groups or == constraints
    ("covered for one group ... without == constraints only": random differential check, seeds 2006-2008)."""
    rng = np.random.default_rng(0)
    y = rng.standard_normal((400, 1)) @ [[0.8, 0.7, 0.6, 0.7]] + rng.standard_normal((400, 4)) * 0.6
    d = pd.DataFrame(np.digitize(y, [-0.5, 0.5]) + 1, columns=list("abcd"))
    res = sem("F =~ a + b + c + d", d, ordered=True, parameterization="theta")
    with pytest.raises(EstimationError, match="this fit uses the theta parameterization"):
        modindices(res)


def test_fit_command_adds_the_score_test_with_group_constraints(tmp_path):
    out, model = tmp_path / "results.json", tmp_path / "m.lav"
    model.write_text(REF["hs_groups_scalar"]["model"])
    code = main(["fit", str(REFS / "data_hs.csv"), "--model", str(model), "--group", "school",
                 "--equal", "loadings,intercepts", "--modindices", "5", "--out", str(out)])
    assert code == 0
    got = json.loads(out.read_text())
    assert len(got["modindices"]) == 5 and got["modindices"][0]["group"] in (1, 2)
    uni = pd.DataFrame(got["score_test"]["uni"])
    ref = pd.DataFrame(REF["hs_groups_scalar"]["score"]["uni"])
    np.testing.assert_allclose(uni["X2"], ref["X2"], atol=1e-3)
    assert uni["parameters"].iloc[0] == "visual=~x2 [Pasteur] == visual=~x2 [Grant-White]"


def test_equal_indices_keep_table_order_whatever_the_last_bits():
    """Equivalent models give equal indices (with three indicators, B's cross-loading on A and the residual
    covariance of B's other two indicators); float noise of another CPU's BLAS must not reorder them."""
    from iur_survey.sem.modindices import _descending

    rng = np.random.default_rng(5)
    f = rng.standard_normal((400, 2)) @ [[1.0, 0.4], [0.0, 0.9]]
    X = np.hstack([f[:, [0]] * [1, .8, .7], f[:, [1]] * [1, .9, .6]]) + rng.standard_normal((400, 6)) * .6
    X[:, 3] += 0.5 * f[:, 0]
    d = pd.DataFrame(X, columns=["a1", "a2", "a3", "b1", "b2", "b3"])
    with pytest.warns(Warning, match="Heywood"):
        res = sem("A =~ a1 + a2 + a3\nB =~ b1 + b2 + b3", d)
    mi = modindices(res)
    assert mi["mi"].iloc[0] == pytest.approx(mi["mi"].iloc[1], rel=1e-7)   # equal up to the fit's tolerance
    assert [tuple(mi.iloc[i][["lhs", "op", "rhs"]]) for i in (0, 1)] == [("A", "=~", "b1"), ("b2", "~~", "b3")]
    base = np.array([3.0, 63.457169, np.nan, 63.457169, 63.457169, 1e-12, 0.0, 7.5])
    want = [1, 3, 4, 7, 0, 5, 6, 2]
    for seed in range(20):                      # any noise at the optimizer's tolerance: the same order
        noisy = base * (1 + np.random.default_rng(seed).uniform(-1e-8, 1e-8, len(base)))
        assert _descending(noisy).tolist() == want
