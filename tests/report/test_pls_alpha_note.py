"""Table 8.4's α is the standardized α on the PLS data (mean-replaced), not Table 4.3's raw α of complete rows.

On the demo data the two differ in the third decimal (Table 4.3 vs 8.4: MKT .787 vs .785, BEN .773 vs .768, VAL .794 vs .793) and the
note said only "Cronbach's α": a reader checking one against the other, or against psych::alpha's raw_alpha, found
a mismatch.  The note now says which α it is.
"""
import numpy as np
import pandas as pd

from iur_survey.pls.quality import alpha as pls_alpha
from iur_survey.report.pls_tables import pls_reliability_table


def test_note_names_the_standardized_alpha():
    rel = pd.DataFrame({"construct": ["A"], "n_items": [4], "alpha": [0.77], "rho_a": [0.78], "rho_c": [0.85],
                        "ave": [0.59], "rho_c_ok": [True], "ave_ok": [True]})
    note = pls_reliability_table(rel).note
    assert "standardized α" in note and "not the raw α" in note


def test_pls_alpha_is_the_standardized_alpha_of_the_correlations():
    rng = np.random.default_rng(3)
    f = rng.normal(size=(500, 1))
    x = f @ [[1.0, 0.5, 0.8, 2.0]] + rng.normal(size=(500, 4)) * [1, 1, 2, 1]
    r = np.corrcoef(x.T)
    k = 4
    rbar = (r.sum() - k) / (k * (k - 1))
    std_alpha = k * rbar / (1 + (k - 1) * rbar)
    c = np.cov(x.T)
    raw_alpha = k / (k - 1) * (1 - np.trace(c) / c.sum())
    assert abs(pls_alpha(r) - std_alpha) < 1e-10
    assert abs(std_alpha - raw_alpha) > 0.005          # the two are different numbers on unequal items
