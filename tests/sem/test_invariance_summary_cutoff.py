"""The terminal's invariance table (``fit --invariance``) printed a ΔCFI of -0.00996 as -0.010 beside "supported",
under cut-offs saying ΔCFI <= -0.010 counts against: a change just inside its cut-off now gets the decimals that
keep it there (as the book's and the tables' invariance tables do)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from iur_survey.sem.invariance import measurement_invariance


def test_summary_keeps_a_change_inside_its_cut_off():
    rng = np.random.default_rng(3)
    f = rng.standard_normal((600, 1))
    X = 3 + f @ [[1.0, 0.8, 0.7, 0.6]] + rng.standard_normal((600, 4)) * 0.6
    d = pd.DataFrame(X, columns=["y1", "y2", "y3", "y4"]).assign(g=["a"] * 300 + ["b"] * 300)
    inv = measurement_invariance("F =~ y1 + y2 + y3 + y4", d, "g", warn=False, steps=("configural", "metric"))
    k = inv.table.index[inv.table["step"] == "metric"][0]
    inv.table.loc[k, ["delta.cfi", "delta.rmsea", "delta.srmr"]] = [-0.00996, 0.01496, 0.0004]
    inv.table.loc[k, "decision"] = "supported"
    line = next(ln for ln in inv.summary().splitlines() if ln.startswith("metric"))
    assert "-0.00996" in line and "0.01496" in line and "-0.010" not in line
    assert "   0.000  supported" in line                       # far from its cut-off: three decimals as before
