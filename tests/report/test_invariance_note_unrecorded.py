"""Chapter 7's invariance table says what its summary does not record instead of assuming it: a summary
without ``lrt_method`` used to read "(standard)" in the note, one without ``indices`` silently took the standard
CFI / TLI / RMSEA as those of the decisions."""

from __future__ import annotations

import numpy as np
import pandas as pd

from iur_survey.report.groups import invariance_table

T = pd.DataFrame({"step": ["configural", "metric"], "chisq": [100.0, 110.0], "df": [50, 56],
                  "cfi": [0.98, 0.978], "tli": [0.97, 0.97], "rmsea": [0.03, 0.031], "srmr": [0.04, 0.045],
                  "cfi.robust": [0.90, 0.89], "tli.robust": [0.9, 0.9], "rmsea.robust": [0.05, 0.05],
                  "chisq.diff": [np.nan, 10.0], "df.diff": [np.nan, 6], "pvalue.diff": [np.nan, 0.12],
                  "delta.cfi": [np.nan, -0.002], "delta.rmsea": [np.nan, 0.001], "delta.srmr": [np.nan, 0.005],
                  "decision": ["baseline", "supported"]})


def test_method_and_indices_not_recorded_are_said():
    note = invariance_table({"table": T, "cutoffs": {}, "lrt_method": None}).note
    assert "(method not recorded)" in note and "(standard)" not in note
    assert "which ones the decisions used is not recorded" in note


def test_recorded_method_and_indices_unchanged():
    tab = invariance_table({"table": T, "cutoffs": {}, "lrt_method": "satorra.bentler.2001", "indices": "robust"})
    assert "(satorra.bentler.2001)" in tab.note and "not recorded" not in tab.note
    assert tab.frame.set_index("").loc["CFI", "Configural"] == ".900"
