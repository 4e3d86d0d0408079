"""The common-method fits keep the RMSEA's 90% CI.

The demo book's Table 4.7 ("RMSEA [90% CI]") showed the one-factor (Harman), CFA and CFA + method factor rows
without their interval (0.108 where lavaan gives .108 [.104, .111]): the common-method tables dropped
rmsea.ci.lower / rmsea.ci.upper.  The difference row has no interval.
"""
import math

from iur_survey.measure.cmv import common_latent_factor
from iur_survey.report.sem_tables import fit_table

BASE = {"estimates": [{"lhs": "A", "op": "=~", "rhs": "a", "est": 1.0, "std.all": 0.80}],
        "fit": {"chisq": 421.576, "df": 329, "pvalue": 0.0, "cfi": 0.987, "tli": 0.985, "rmsea": 0.0187,
                "rmsea.ci.lower": 0.0133, "rmsea.ci.upper": 0.0235, "srmr": 0.027, "ntotal": 803}}
CLF = {"estimates": [{"lhs": "A", "op": "=~", "rhs": "a", "est": 1.0, "std.all": 0.80},
                     {"lhs": "METHOD", "op": "=~", "rhs": "a", "est": 0.0, "std.all": 0.0}],
       "fit": {"chisq": 421.576, "df": 328, "pvalue": 0.0, "cfi": 0.986, "tli": 0.984, "rmsea": 0.0188,
               "rmsea.ci.lower": 0.0134, "rmsea.ci.upper": 0.0236, "srmr": 0.027, "ntotal": 803}}


def test_clf_rows_keep_the_rmsea_interval_and_the_difference_has_none():
    res = common_latent_factor(BASE, CLF)
    assert res.loc["cfa", "rmsea.ci.lower"] == 0.0133 and res.loc["cfa+method", "rmsea.ci.upper"] == 0.0236
    assert math.isnan(res.loc["difference", "rmsea.ci.lower"]) and math.isnan(res.loc["difference", "rmsea.ci.upper"])


def test_fit_table_of_the_common_method_rows_shows_the_interval():
    res = common_latent_factor(BASE, CLF)
    t = fit_table({"CFA": res.loc["cfa"], "CFA + method factor": res.loc["cfa+method"]}, number="4.7")
    frame = t.frame if hasattr(t, "frame") else t
    assert list(frame["RMSEA [90% CI]"]) == [".019 [.013, .024]", ".019 [.013, .024]"]
