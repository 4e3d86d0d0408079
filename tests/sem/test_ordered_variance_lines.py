"""A user's ``y ~~ y`` line of an ordered item: lavaan 0.6.14 frees the residual variance (the model is then
not identified, in either parameterization), ignores a fixed value in the delta parameterization and uses it
as the item's scale in the theta parameterization.  The engine stops with a typed error naming the line
where lavaan's model is unidentified or the value would be ignored, and equals lavaan where the value is used.
References: ordvar_refs/make_refs.R (output refs.json, printed record refs.txt)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.errors import ModelSyntaxError
from iur_survey.sem import cfa

HERE = Path(__file__).parent / "ordvar_refs"
DATA = pd.read_csv(HERE / "ord4.csv")
REFS = json.loads((HERE / "refs.json").read_text())
BASE = "f =~ x1 + x2 + x3 + x4"


def _table(res) -> pd.DataFrame:
    pe = res.parameter_estimates() if callable(getattr(res, "parameter_estimates", None)) else res.table
    return pe[pe.op.isin(["=~", "~~", "~*~"])]


def _compare(res, ref):
    pe = _table(res).set_index(["lhs", "op", "rhs"])
    for lhs, op, rhs, est, se in zip(ref["lhs"], ref["op"], ref["rhs"], ref["est"], ref["se"]):
        row = pe.loc[(lhs, op, rhs)]
        assert float(row["est"]) == pytest.approx(est, abs=2e-5), (lhs, op, rhs)
        assert float(row["se"]) == pytest.approx(se, abs=2e-4, rel=1e-3), (lhs, op, rhs)


@pytest.mark.parametrize("par", ["delta", "theta"])
@pytest.mark.parametrize("line", ["x1 ~~ x1", "x1 ~~ a*x1", "x1 ~~ NA*x1"])
def test_free_residual_variance_of_an_ordered_item_is_a_typed_error(par, line):
    ref = REFS[f"{par}_free"]
    assert ref["x1_free"] and ref["df"] == 1          # lavaan frees it: one more parameter, ...
    assert all(s is None for s, o in zip(ref["se"], ref["op"]) if o == "=~" and s != 0)   # ... no SEs
    with pytest.raises(ModelSyntaxError) as e:
        cfa(f"{BASE}\n{line}", DATA, ordered=True, parameterization=par)
    msg = str(e.value)
    assert msg.startswith("<model syntax>:2:") and "\n" not in msg
    assert "frees the residual variance of ordered item 'x1'" in msg and "not identified" in msg
    assert f"the {par} parameterization" in msg


@pytest.mark.parametrize("case", ["delta_fixed5", "delta_fixed1"])
def test_fixed_value_under_delta_is_ignored_as_lavaan(case):
    # lavaan ignores the value: the same estimates as without the line, x1 ~~ x1 = 1 - explained variance
    # (the engine once reported the value itself, or 1 minus it, e.g. -0.708 for 1*x1; then refused the line)
    ref = REFS[case]
    assert ref["est"] == pytest.approx(REFS["delta_none"]["est"])
    res = cfa(ref["model"], DATA, ordered=True)
    _compare(res, ref)
    assert int(res.fit_measures()["df"]) == ref["df"]
    w = [x for x in res.warnings if "which the delta parameterization does not use: ignored" in x]
    assert len(w) == 1 and w[0].startswith("<model syntax>:2:")


@pytest.mark.parametrize("value", ["0.5", "1"])
@pytest.mark.parametrize("kw", [{"group": "g"}, {"group": "g", "group_equal": ["thresholds", "loadings"]}])
def test_fixed_value_under_delta_with_groups_is_ignored(value, kw):
    d = DATA.assign(g=np.where(np.arange(len(DATA)) % 2 == 0, "a", "b"))
    res = cfa(f"{BASE}\nx1 ~~ {value}*x1", d, ordered=True, **kw)
    base = cfa(BASE, d, ordered=True, **kw)
    cols = ["lhs", "op", "rhs", "group"]
    a = res.parameter_estimates().set_index(cols)
    b = base.parameter_estimates().set_index(cols).loc[a.index]
    np.testing.assert_allclose(a["est"].to_numpy(float), b["est"].to_numpy(float), atol=1e-8)
    np.testing.assert_allclose(a["se"].to_numpy(float), b["se"].to_numpy(float), atol=1e-8)
    assert any(f"'x1 ~~ {value}*x1'" in x and "ignored, as lavaan 0.6.14 ignores it" in x for x in res.warnings)


@pytest.mark.parametrize("case", ["theta_fixed1", "theta_fixed5"])
def test_fixed_value_equals_lavaan(case):
    ref = REFS[case]
    res = cfa(ref["model"], DATA, ordered=True, parameterization=ref["parameterization"])
    _compare(res, ref)
    assert int(res.fit_measures()["df"]) == ref["df"]


def test_theta_fixed_value_sets_the_scale_of_that_item_only():
    res = cfa(f"{BASE}\nx1 ~~ 0.5*x1", DATA, ordered=True, parameterization="theta")
    pe = _table(res).set_index(["lhs", "op", "rhs"])
    assert float(pe.loc[("x1", "~~", "x1"), "est"]) == 0.5
    assert float(pe.loc[("x2", "~~", "x2"), "est"]) == 1.0


def test_mixed_items_only_the_ordered_item_is_refused():
    d = DATA.copy()
    d["x4"] = d["x4"].astype(float) + np.linspace(0, 0.5, len(d))      # a continuous item
    with pytest.raises(ModelSyntaxError, match="ordered item 'x1'"):
        cfa(f"{BASE}\nx1 ~~ x1", d, ordered=["x1", "x2", "x3"])
    cfa(f"{BASE}\nx4 ~~ x4", d, ordered=["x1", "x2", "x3"])           # a continuous item's line is its own
    # a fixed value under delta: ignored (as lavaan), the same fit as without the line
    a = cfa(f"{BASE}\nx1 ~~ 1*x1", d, ordered=["x1", "x2", "x3"]).parameter_estimates()
    b = cfa(BASE, d, ordered=["x1", "x2", "x3"]).parameter_estimates()
    np.testing.assert_allclose(a["est"].to_numpy(float), b["est"].to_numpy(float), atol=1e-8)


GROUPS = json.loads((HERE / "groups_refs.json").read_text(encoding="utf-8"))   # make_groups_refs.R


@pytest.mark.parametrize("case", ["half", "half_equal", "per_group_equal"])
def test_several_groups_theta_fixed_value_equals_lavaan(case):
    # lavaan: the line's value in every group, also where its rules free the residual variance (groups 2+ with
    # the thresholds equal); the other items keep lavaan's rules
    from iur_survey.sem import sem
    ref = GROUPS[case]
    d = pd.read_csv(HERE.parent / "ordinal_refs" / "wlsmv_groups_630.csv")
    ge = [x for x in np.atleast_1d(ref["group.equal"]) if x]
    res = sem(f"{GROUPS['model']}\n{ref['line']}", d, ordered=True, estimator="WLSMV", missing="pairwise",
              group="G", group_equal=ge, parameterization="theta")
    fm = res.fit_measures()
    assert int(fm["npar"]) == int(ref["fit"]["npar"]) and int(fm["df"]) == int(ref["fit"]["df"])
    assert fm["chisq.scaled"] == pytest.approx(ref["fit"]["chisq.scaled"], rel=1e-4)
    R = pd.DataFrame(ref["estimates"])
    R = R[R["op"].isin(["=~", "~~", "|", "~*~"])].copy()
    R["rhs"] = R["rhs"].fillna("")
    R = R.set_index(["lhs", "op", "rhs", "group"])
    O = res.parameter_estimates().set_index(["lhs", "op", "rhs", "group"]).loc[R.index]
    np.testing.assert_allclose(O["est"].to_numpy(float), R["est"].to_numpy(float), atol=1e-4)
    ok = R["se"].to_numpy(float) > 1e-8
    np.testing.assert_allclose(O["se"].to_numpy(float)[ok], R["se"].to_numpy(float)[ok], rtol=5e-3)
    assert np.all(O["se"].to_numpy(float)[~ok] < 1e-8)
    a1 = O.xs(("a1", "~~", "a1"), level=[0, 1, 2])["est"].to_numpy(float)
    want = [1.0, 0.5, 0.8] if case == "per_group_equal" else [0.5, 0.5, 0.5]
    np.testing.assert_allclose(a1, want)


def test_several_groups_free_line_is_still_a_typed_error():
    g = np.where(np.arange(len(DATA)) % 2 == 0, "a", "b")
    with pytest.raises(ModelSyntaxError, match="not identified"):
        cfa(f"{BASE}\nx1 ~~ x1", DATA.assign(g=g), ordered=True, group="g", parameterization="theta")


@pytest.mark.parametrize("line", list(GROUPS["sequence"]))
def test_theta_sequence_keeps_the_fixed_value_as_semtools(line):
    # semTools' measEq.syntax keeps the configural model's value where a step does not free the residual
    # variance; the engine dropped the line (a1's loadings and thresholds on another scale than semTools')
    from iur_survey.sem.wlsmv_invariance import ordinal_invariance
    ref = GROUPS["sequence"][line]
    d = pd.read_csv(HERE.parent / "ordinal_refs" / "wlsmv_groups_630.csv")
    inv = ordinal_invariance(f"{GROUPS['model']}\n{line}", d, "G", parameterization="theta")
    tab = inv.table.set_index("step")
    for s, r in ref.items():
        assert int(tab.at[s, "npar"]) == int(r["fit"]["npar"]) and int(tab.at[s, "df"]) == int(r["fit"]["df"])
        assert tab.at[s, "chisq.scaled"] == pytest.approx(r["fit"]["chisq.scaled"], rel=1e-4), s
        if "estimates" not in r:
            continue
        R = pd.DataFrame(r["estimates"])
        R = R[R["op"].isin(["=~", "~~", "|"])].copy()
        R["rhs"] = R["rhs"].fillna("")
        R = R.set_index(["lhs", "op", "rhs", "group"])
        O = inv.fits[s].parameter_estimates().set_index(["lhs", "op", "rhs", "group"]).loc[R.index]
        np.testing.assert_allclose(O["est"].to_numpy(float), R["est"].to_numpy(float), atol=1e-4, err_msg=s)
        ok = R["se"].to_numpy(float) > 1e-8
        np.testing.assert_allclose(O["se"].to_numpy(float)[ok], R["se"].to_numpy(float)[ok], rtol=5e-3, err_msg=s)


@pytest.mark.parametrize("par", ["delta", "theta"])
def test_sequence_free_line_is_a_typed_error(par):
    # the sequence dropped the line without a word (lavaan's model with it is not identified)
    from iur_survey.sem.wlsmv_invariance import ordinal_invariance
    d = pd.read_csv(HERE.parent / "ordinal_refs" / "wlsmv_groups_630.csv")
    with pytest.raises(ModelSyntaxError) as e:
        ordinal_invariance(f"{GROUPS['model']}\na1 ~~ a1", d, "G", parameterization=par)
    assert "frees the residual variance of ordered item 'a1'" in str(e.value) and "\n" not in str(e.value)


def test_sequence_delta_fixed_value_is_ignored_and_said():
    # semTools' measEq.syntax (delta) does not use it either: the steps are those without the line
    from iur_survey.sem.wlsmv_invariance import ordinal_invariance
    d = pd.read_csv(HERE.parent / "ordinal_refs" / "wlsmv_groups_630.csv")
    inv = ordinal_invariance(f"{GROUPS['model']}\na1 ~~ 0.5*a1", d, "G", steps=("configural", "thresholds"))
    base = ordinal_invariance(GROUPS["model"], d, "G", steps=("configural", "thresholds"))
    np.testing.assert_allclose(inv.table["chisq.scaled"].to_numpy(float), base.table["chisq.scaled"].to_numpy(float))
    assert any("'a1 ~~ 0.5*a1'" in w and "ignored, as lavaan 0.6.14 ignores it" in w for w in inv.warnings)
