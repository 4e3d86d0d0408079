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


@pytest.mark.parametrize("value", ["0.5", "1"])
@pytest.mark.parametrize("kw", [{}, {"group": "g"}, {"group": "g", "group_equal": ["thresholds", "loadings"]}])
def test_fixed_value_under_delta_is_a_typed_error(value, kw):
    # lavaan ignores the value: the same estimates as without the line, x1 ~~ x1 = 1 - explained variance
    # (the engine reported the value itself, or 1 minus it, e.g. -0.708 for 1*x1, a silent wrong number)
    for case in ("delta_fixed5", "delta_fixed1"):
        assert REFS[case]["est"] == pytest.approx(REFS["delta_none"]["est"])
    d = DATA.assign(g=np.where(np.arange(len(DATA)) % 2 == 0, "a", "b"))
    with pytest.raises(ModelSyntaxError, match=rf"^<model syntax>:2:.*at {value}: the delta parameterization "
                                               r"does not use the value"):
        cfa(f"{BASE}\nx1 ~~ {value}*x1", d, ordered=True, **kw)


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
    for line in ("x1 ~~ x1", "x1 ~~ 1*x1"):
        with pytest.raises(ModelSyntaxError, match="ordered item 'x1'"):
            cfa(f"{BASE}\n{line}", d, ordered=["x1", "x2", "x3"])
    cfa(f"{BASE}\nx4 ~~ x4", d, ordered=["x1", "x2", "x3"])           # a continuous item's line is its own


def test_several_groups_theta_fixed_value_is_a_typed_error():
    g = np.where(np.arange(len(DATA)) % 2 == 0, "a", "b")
    d = DATA.assign(g=g)
    with pytest.raises(ModelSyntaxError, match="several groups"):
        cfa(f"{BASE}\nx1 ~~ 0.5*x1", d, ordered=True, group="g", parameterization="theta")
