"""A step after the first invariance step not supported is "not reached", never "supported" (audit C4b: HS by
school, strict read as a pass after scalar failed).  One rule, sem.invariance.sequence_decisions, in the fits,
the paper tables and the book's table and prose, also for a results.json written before it."""

from __future__ import annotations

import pandas as pd
import pytest

from iur_survey.report import paper
from iur_survey.report.groups import decision_text, invariance_table, ordinal_invariance_glue
from iur_survey.sem.invariance import sequence_decisions, sequence_level

STEPS = ["configural", "metric", "scalar", "strict"]


@pytest.mark.parametrize("raw, want", [
    (["baseline", "supported", "not supported", "supported"],
     ["baseline", "supported", "not supported", "not reached (scalar not supported)"]),
    (["baseline", "unclear", "supported", "supported"],
     ["baseline", "unclear", "not reached (metric unclear)", "not reached (metric unclear)"]),
    (["baseline", "supported", "not evaluated", "not evaluated"],
     ["baseline", "supported", "not evaluated", "not reached (scalar not evaluated)"]),
    (["not evaluated", "not evaluated", "supported", "supported"],
     ["not evaluated"] + ["not reached (configural not evaluated)"] * 3),
    (["baseline", "supported", "supported", "supported"], ["baseline", "supported", "supported", "supported"]),
])
def test_sequence_stops_at_the_first_failure(raw, want):
    got = sequence_decisions(STEPS, raw)
    assert got == want
    assert sequence_decisions(STEPS, got) == got                 # idempotent: old and new files read alike
    assert sequence_level(STEPS, raw) == sequence_level(STEPS, got)


def _hs_by_school() -> dict:
    """The audit's hs_inv.json, as written before the rule (strict "supported" after scalar failed)."""
    def step(name, chisq, df, cfi, rmsea, srmr, test, delta, decision):
        return {"step": name, "fit": {"chisq": chisq, "df": df, "cfi": cfi, "rmsea": rmsea, "srmr": srmr},
                "test": test, "delta": delta, "decision": decision}
    return {"invariance": [
        step("configural", 115.851, 48, .9234, .0969, .0679, None, None, "baseline"),
        step("metric", 124.044, 54, .9209, .0928, .0717, {"chisq.diff": 8.192, "df.diff": 6, "pvalue": .2244},
             {"cfi": -.0025, "rmsea": -.0041, "srmr": .0038}, "supported"),
        step("scalar", 164.103, 60, .8825, .1074, .0824, {"chisq.diff": 40.059, "df.diff": 6, "pvalue": 4.4e-7},
             {"cfi": -.0385, "rmsea": .0145, "srmr": .0108}, "not supported"),
        step("strict", 181.511, 69, .8730, .1041, .0883, {"chisq.diff": 17.409, "df.diff": 9, "pvalue": .0427},
             {"cfi": -.0095, "rmsea": -.0033, "srmr": .0058}, "supported")],
        "invariance_info": {"group": "school", "estimator": "ML", "indices": "standard", "level": "metric"}}


def test_paper_table_marks_strict_not_reached_in_every_format(tmp_path):
    t = paper.invariance_apa(_hs_by_school(), number=1)
    dec = dict(zip(t.frame["Step"], t.frame["Decision"]))
    assert dec == {"configural": "baseline", "metric": "supported", "scalar": "not supported",
                   "strict": "not reached (scalar not supported)"}
    assert "not reached" in t.note and "Highest level supported: metric." in t.note
    for fmt in ("md", "tex", "csv", "html"):
        text = paper.write_tables([t], tmp_path / f"t.{fmt}").read_text(encoding="utf-8")
        assert "not reached (scalar not supported)" in text, fmt


def test_book_table_and_prose_say_not_reached():
    steps = _hs_by_school()["invariance"]
    tab = pd.DataFrame({"step": [s["step"] for s in steps],
                        "chisq": [s["fit"]["chisq"] for s in steps], "df": [s["fit"]["df"] for s in steps],
                        "cfi": [s["fit"]["cfi"] for s in steps], "tli": .9, "rmsea": [s["fit"]["rmsea"] for s in steps],
                        "srmr": [s["fit"]["srmr"] for s in steps],
                        "chisq.diff": [(s["test"] or {}).get("chisq.diff") for s in steps],
                        "df.diff": [(s["test"] or {}).get("df.diff") for s in steps],
                        "pvalue.diff": [(s["test"] or {}).get("pvalue") for s in steps],
                        "delta.cfi": [(s["delta"] or {}).get("cfi") for s in steps],
                        "delta.rmsea": [(s["delta"] or {}).get("rmsea") for s in steps],
                        "delta.srmr": [(s["delta"] or {}).get("srmr") for s in steps],
                        "decision": [s["decision"] for s in steps]})
    summary = {"table": tab, "indices": "standard", "cutoffs_name": "Chen (2007)", "lrt_method": "standard",
               "cutoffs": {}}
    f = invariance_table(summary).frame.set_index("")
    assert f.loc["Decision"].tolist() == ["baseline", "supported", "not supported",
                                          "not reached (scalar not supported)"]
    assert "not reached" in invariance_table(summary).note
    assert decision_text(summary, "strict") == "not reached (scalar not supported)"


def test_book_ordinal_prose_says_not_reached():
    t = pd.DataFrame({"step": ["configural", "thresholds", "thresholds_loadings", "thresholds_loadings_intercepts"],
                      "decision": ["", "not supported", "supported", "supported"], "delta.cfi.scaled": 0.0,
                      "delta.rmsea.scaled": 0.0, "df.diff": 5, "chisq.diff": 10.0, "pvalue.diff": 0.07})
    text = ordinal_invariance_glue({"table": t, "level": "configural", "ml_level": "metric"})["ordinal_text"][1]
    assert "Equal thresholds are not supported (" in text
    assert "Adding equal loadings is not reached (thresholds not supported) (" in text
    assert "Adding equal intercepts is not reached (thresholds not supported) (" in text


def test_a_level_stopped_by_a_step_not_evaluated_says_so():
    """MLR on a group too small for its robust statistics (audit s29: 38 cases, 28 items, FIML): every scaled
    statistic is NA, metric is "not evaluated", and "Highest level supported: configural" alone read as metric
    invariance rejected."""
    r = _hs_by_school()
    for s in r["invariance"][1:]:
        s["decision"] = "not evaluated"
    r["invariance_info"]["level"] = "configural"
    t = paper.invariance_apa(r, number=1)
    assert "Highest level supported: configural (metric not evaluated)." in t.note
    assert "Highest level supported: metric." in paper.invariance_apa(_hs_by_school(), number=1).note


def test_a_supported_step_whose_difference_test_rejects_is_named():
    """Audit s29 (MLR, 4 roles, one loading truly different in one group): metric "supported" by ΔCFI −.004 while
    the Satorra-Bentler difference test gave p = .020; the note now says the test disagrees."""
    r = _hs_by_school()
    r["invariance"][1]["test"]["pvalue"] = 0.0201
    t = paper.invariance_apa(r, number=1)
    assert "rejects the constraints of metric (p = .020), which the changes in fit support" in t.note
    assert "rejects" not in paper.invariance_apa(_hs_by_school(), number=1).note   # metric p = .224: no note


def test_ordinal_summary_names_a_rejecting_difference_test():
    """The WLSMV sequence's terminal summary (audit s29, 4 roles: thresholds+loadings p = .011 'supported')."""
    from iur_survey.sem.wlsmv_invariance import OrdinalInvariance
    steps = ["configural", "thresholds", "thresholds_loadings"]
    tab = pd.DataFrame({"step": steps, "chisq.scaled": [1299.9, 1390.0, 1480.8], "df": [1316, 1400, 1463],
                        "cfi.scaled": [1.0, 1.0, 0.998], "rmsea.scaled": [0.0, 0.0, 0.008],
                        "chisq.diff": [float("nan"), 98.28, 91.57], "df.diff": [float("nan"), 84, 63],
                        "pvalue.diff": [float("nan"), 0.137, 0.0108], "delta.cfi.scaled": [float("nan"), 0.0, -0.002],
                        "delta.rmsea.scaled": [float("nan"), 0.0, 0.008],
                        "decision": ["baseline", "supported", "supported"]})
    text = OrdinalInvariance(steps, {}, tab, "role", "pairwise").summary()
    assert "level: thresholds_loadings" in text
    assert "rejects the constraints of thresholds_loadings (p = .011)" in text
    assert "thresholds (p" not in text
