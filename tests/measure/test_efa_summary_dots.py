"""`iur-survey efa` on screen: the "." that hides small loadings is explained (audit s21/reportaudit C10)."""

from __future__ import annotations


def test_efa_summary_states_the_cutoff_of_its_dots():
    import numpy as np
    import pandas as pd
    from iur_survey.measure.efa import efa
    rng = np.random.default_rng(3)
    f = rng.standard_normal((300, 2))
    x = pd.DataFrame(np.hstack([f[:, [0]] + rng.standard_normal((300, 3)), f[:, [1]] + rng.standard_normal((300, 3))]),
                     columns=[f"i{k}" for k in range(6)])
    assert '(".": |loading| < 0.30; every loading is in efa.json)' in efa(x, 2).summary()
