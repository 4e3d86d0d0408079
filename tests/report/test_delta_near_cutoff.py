"""A change in a fit index just inside its cut-off is not rounded onto it: ΔCFI = −0.00996 printed "−.010" beside
"supported" while the note says a ΔCFI at or below −.010 counts against invariance (Chen's rule as
sem.invariance.chen_decision applies it, on the exact value).  Same for ΔRMSEA by .015 and ΔSRMR by its cut-off, in
chapter 7's table and prose, and in `iur-survey tables`' invariance table."""

from __future__ import annotations

import numpy as np
import pandas as pd

from iur_survey.report.groups import invariance_table
from iur_survey.report.paper import invariance_apa
from iur_survey.sem.invariance import chen_decision

CUTS = {"metric": (-0.01, 0.015, 0.03), "scalar": (-0.01, 0.015, 0.01)}


def _table():
    d_cfi, d_rmsea, d_srmr = [np.nan, -0.00996, -0.0104], [np.nan, 0.01496, 0.002], [np.nan, 0.0299, 0.0049]
    dec = ["baseline"] + [chen_decision(d_cfi[k], d_rmsea[k], d_srmr[k], CUTS[s]) for k, s in ((1, "metric"),
                                                                                                  (2, "scalar"))]
    assert dec == ["baseline", "supported", "unclear"]
    return pd.DataFrame({"step": ["configural", "metric", "scalar"], "chisq": [100.0, 110.0, 125.0], "df": [50, 56, 62],
                         "cfi": [0.98, 0.97, 0.96], "tli": [0.97, 0.97, 0.96], "rmsea": [0.03, 0.045, 0.047],
                         "srmr": [0.04, 0.07, 0.075], "chisq.diff": [np.nan, 10.0, 15.0], "df.diff": [np.nan, 6, 6],
                         "pvalue.diff": [np.nan, 0.12, 0.02], "delta.cfi": d_cfi, "delta.rmsea": d_rmsea,
                         "delta.srmr": d_srmr, "decision": dec})


def test_chapter7_table_keeps_changes_inside_their_cut_offs():
    f = invariance_table({"table": _table(), "indices": "standard", "lrt_method": "default",
                          "cutoffs": CUTS}).frame.set_index("")
    assert f.loc[["ΔCFI", "ΔRMSEA", "ΔSRMR", "Decision"], "Metric"].tolist() == ["−.00996", "+.01496", "+.0299",
                                                                                "supported"]
    assert f.loc[["ΔCFI", "ΔSRMR"], "Scalar"].tolist() == ["−.010", "+.005"]        # beyond it: as before


def test_tables_command_invariance_table_too():
    t = _table()
    steps = [{"step": r["step"], "fit": {"chisq": r["chisq"], "df": r["df"], "cfi": r["cfi"], "rmsea": r["rmsea"],
                                         "srmr": r["srmr"]},
              "test": {} if k == 0 else {"chisq.diff": r["chisq.diff"], "df.diff": r["df.diff"],
                                         "pvalue": r["pvalue.diff"]},
              "delta": {} if k == 0 else {"cfi": r["delta.cfi"], "rmsea": r["delta.rmsea"], "srmr": r["delta.srmr"]},
              "cutoffs": {} if k == 0 else dict(zip(("cfi", "rmsea", "srmr"), CUTS[r["step"]])),
              "decision": r["decision"]} for k, r in t.iterrows()]
    f = invariance_apa({"invariance": steps, "invariance_info": {"estimator": "ML", "indices": "standard",
                                                                 "lrt_method": "default"}}).frame.set_index("Step")
    assert f.loc["metric", ["ΔCFI", "ΔRMSEA", "ΔSRMR"]].tolist() == ["−.00996", ".01496", ".0299"]
    assert f.loc["scalar", "ΔCFI"] == "−.010"
