"""Small output rules of the group comparisons: the ordinal sequence's configural decision is "baseline" (as the
ML sequence's), a change in a fit index that rounds to zero prints ".000" (no "−.000"; a β keeps its sign rule),
Chen's (2007) cut-offs count a tie against invariance (ΔCFI <= -.010, ΔRMSEA >= .015), the empty-category error
lists the data's codes (1, 2, not 1.0, 2.0), and a single label in a multi-group model gives one warning.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.errors import EstimationError
from iur_survey.report.format import delta_fit, num
from iur_survey.report.groups import invariance_table
from iur_survey.sem import sem
from iur_survey.sem.invariance import CHEN_2007, CHEN_2007_SMALL, chen_decision
from iur_survey.sem.partable import SINGLE_LABEL_WARNING
from iur_survey.sem.wlsmv_invariance import ordinal_invariance

ORD = Path(__file__).parent / "ordinal_refs" / "lv_pd_900.csv"


@pytest.mark.parametrize("cut", [CHEN_2007["metric"], CHEN_2007["scalar"], CHEN_2007_SMALL["metric"]])
def test_chen_ties_count_against_invariance(cut):
    c, r, s = cut
    assert chen_decision(c, r, 0.0, cut) == "not supported"          # a drop of exactly .010 with a rise of .015
    assert chen_decision(c, 0.0, s, cut) == "not supported"
    assert chen_decision(c, 0.0, 0.0, cut) == "unclear"              # CFI alone at its cut-off
    assert chen_decision(0.0, r, 0.0, cut) == "unclear"
    assert chen_decision(c + 1e-4, r - 1e-4, s - 1e-4, cut) == "supported"
    # computed ties (floating error either side) are ties
    assert chen_decision(c * (1 - 1e-14), 0.0, 0.0, cut) == "unclear"


def test_delta_fit_prints_a_zero_change_unsigned():
    assert delta_fit(-0.0002) == ".000" and delta_fit(-0.0004, plus=True) == ".000"
    assert delta_fit(0.0004, plus=True) == ".000"
    assert delta_fit(-0.0126) == "−.013" and delta_fit(0.0126, plus=True) == "+.013"
    assert num(-0.0002, 3, leading_zero=False) == "−.000"             # a β keeps lavaan's sign rule


def test_invariance_table_has_no_minus_zero():
    t = pd.DataFrame({"step": ["configural", "metric"], "chisq": [100.0, 110.0], "df": [50, 56],
                      "cfi": [0.98, 0.978], "tli": [0.97, 0.97], "rmsea": [0.03, 0.031], "srmr": [0.04, 0.0398],
                      "chisq.diff": [np.nan, 10.0], "df.diff": [np.nan, 6], "pvalue.diff": [np.nan, 0.12],
                      "delta.cfi": [np.nan, -0.0004], "delta.rmsea": [np.nan, 0.0002], "delta.srmr": [np.nan, -0.0002],
                      "decision": ["baseline", "supported"]})
    s = {"table": t, "indices": "standard", "cutoffs_name": "Chen (2007)", "lrt_method": "standard",
         "cutoffs": {"metric": CHEN_2007["metric"]}}
    tab = invariance_table(s)
    f = tab.frame.set_index("")
    assert f.loc[["ΔCFI", "ΔRMSEA", "ΔSRMR"], "Metric"].tolist() == [".000", ".000", ".000"]
    assert "ΔCFI ≤ −.010, ΔRMSEA ≥ .015, ΔSRMR ≥ .030" in tab.note


def test_ordinal_configural_decision_is_baseline():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inv = ordinal_invariance("F =~ o1 + o2 + o3\nG =~ o4 + o5 + o6", pd.read_csv(ORD), "grp",
                                 steps=("configural", "thresholds"))
    assert inv.table["decision"].tolist()[0] == "baseline"
    assert inv.to_dict()["invariance"][0]["decision"] == "baseline"


def _ordinal_frame(empty_in_b: bool) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    y = rng.normal(size=(400, 1)) @ [[.8, .7, .6]] + rng.normal(size=(400, 3)) * .6
    d = pd.DataFrame(np.digitize(y, [-1, 0, 1]) + 1, columns=["a", "b", "c"]).astype(float)
    d["G"] = np.repeat(["x", "y"], 200)
    if empty_in_b:
        d.loc[(d["G"] == "y") & (d["a"] == 4), "a"] = 3.0
    return d


def test_empty_category_error_lists_the_data_codes():
    with pytest.raises(EstimationError) as exc:
        sem("F =~ a + b + c", _ordinal_frame(True), ordered=True, group="G")
    msg = str(exc.value)
    assert "observed 1, 2, 3; the data has 1, 2, 3, 4" in msg and "1.0" not in msg


@pytest.mark.parametrize("ordered", [None, True])
def test_single_label_warns_once(ordered):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sem("F =~ a + l*b + c", _ordinal_frame(False), ordered=ordered, group="G")
    assert res.warnings.count(SINGLE_LABEL_WARNING) == 1


def test_single_label_not_warned_with_group_equal():
    """lavaan 0.6.14 gives its single-label warning only when group.equal is empty (checked: cfa('visual =~ x1 +
    a*x2 + x3', HolzingerSwineford1939, group = 'school', group.equal = 'intercepts') says nothing of labels)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sem("F =~ a + l*b + c", _ordinal_frame(False), group="G", group_equal=["intercepts"])
    assert SINGLE_LABEL_WARNING not in res.warnings
