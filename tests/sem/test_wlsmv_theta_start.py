"""Start values of the several-group WLSMV engine (iur_survey/sem/wlsmv_groups.py, ``_fit``): the Wu & Estabrook
sequence in the THETA parameterization on psych::bfi A1-A5, C1-C5 by education (three groups), where A1 is weak in
one group.  From loadings started as ratios to that first item (the marker start, at a factor variance fixed to 1)
the configural fit ran off to a loading of 2.7e5 with a vanishing gradient, was reported converged, then "not
identified", and the whole sequence was lost; lavaan's default start reaches lavaan's optimum.

References: ordinal_refs/wlsmv_theta_start_refs.json, written with its data bfi_edu_900.csv by
make_wlsmv_theta_start_refs.R (lavaan 0.6.14, semTools 0.5-6 measEq.syntax(..., parameterization = "theta",
ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016"), lavTestLRT).  Read only.  Tolerances: fit measures and
difference tests 1e-5 relative, estimates 5e-4, SEs 0.1 % (+1e-5).
"""

from __future__ import annotations

import json
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.sem.wlsmv_invariance import ordinal_invariance

HERE = Path(__file__).parent / "ordinal_refs"
REFS = json.loads((HERE / "wlsmv_theta_start_refs.json").read_text(encoding="utf-8"))
MODEL = "A =~ A1 + A2 + A3 + A4 + A5\nC =~ C1 + C2 + C3 + C4 + C5"


@lru_cache(maxsize=None)
def sequence():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ordinal_invariance(MODEL, pd.read_csv(HERE / "bfi_edu_900.csv"), "education",
                                  parameterization="theta")


def close(ours, ref, rel=1e-5, floor=1e-3):
    return abs(float(ours) - float(ref)) <= rel * max(abs(float(ref)), floor)


@pytest.mark.parametrize("step", list(REFS))
def test_theta_steps_against_lavaan(step):
    inv = sequence()
    ref = REFS[step]
    assert ref["converged"] and inv.fits[step].converged
    fm = inv.fits[step].fit_measures()
    for key, val in ref["fit"].items():
        assert close(fm[key], val), (step, key, fm[key], val)
    row = inv.table.set_index("step").loc[step]
    assert row["decision"] not in ("not evaluated",) and not str(row["decision"]).startswith("not reached")
    if "lrt" in ref:
        assert close(row["chisq.diff"], ref["lrt"]["chisq.diff"])
        assert int(row["df.diff"]) == ref["lrt"]["df.diff"]
        assert close(row["pvalue.diff"], ref["lrt"]["pvalue"], floor=1e-8)
    assert inv.warnings == []


@pytest.mark.parametrize("step", list(REFS))
def test_theta_loadings_and_thresholds_against_lavaan(step):
    inv = sequence()
    labels = REFS[step]["group_labels"]
    ours = inv.fits[step].parameter_estimates()
    ours = ours.assign(g=ours["group"].astype(int))
    ref = pd.DataFrame(REFS[step]["estimates"])
    assert list(inv.fits[step].partable.group_labels) == labels
    m = ref.merge(ours[["lhs", "op", "rhs", "g", "est", "se"]], left_on=["lhs", "op", "rhs", "group"],
                  right_on=["lhs", "op", "rhs", "g"], suffixes=("_r", "_py"), how="left")
    assert m["est_py"].notna().all()
    np.testing.assert_allclose(m["est_py"], m["est_r"], atol=5e-4)
    np.testing.assert_allclose(m["se_py"], m["se_r"], rtol=1e-3, atol=1e-5)


@pytest.mark.parametrize("cuts, warned", [([-0.5, 0.5], True), ([-1, 0, 1], False)])
def test_thresholds_step_without_degrees_of_freedom_is_said(cuts, warned):
    # three categories: the equal-thresholds model re-expresses the configural one (Wu & Estabrook 2016; same df,
    # lavTestLRT warns "some models have the same degrees of freedom"); four categories: a real test
    rng = np.random.default_rng(3)
    f = rng.normal(size=(600, 1))
    y = f @ [[.8, .7, .6, .7]] + rng.normal(size=(600, 4)) * .6
    d = pd.DataFrame(np.digitize(y, cuts), columns=["a", "b", "c", "e"])
    d["G"] = np.where(np.arange(600) < 300, "x", "y")
    inv = ordinal_invariance("F =~ a + b + c + e", d, "G", steps=("configural", "thresholds"))
    df_diff = int(inv.table["df.diff"].iloc[1])
    assert (df_diff == 0) is warned
    assert any("re-express the configural model" in w for w in inv.warnings) is warned
