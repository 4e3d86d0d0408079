"""The tables name the scaled test of a scaled row: MLR's chisq.scaled is lavaan's Yuan–Bentler (Mplus variant)
statistic, WLSMV's the scaled-shifted (mean- and variance-adjusted) one; "the scaled test statistic" alone leaves
a reader to guess which χ² to report (lavaan's summary prints the name: "Yuan-Bentler correction (Mplus variant)")."""

from __future__ import annotations

from iur_survey.report.paper import fit_apa, invariance_apa

FIT = {"chisq": 120.318, "df": 84, "pvalue": .0058, "cfi": .988, "tli": .986, "rmsea": .027, "rmsea.ci.lower": .015,
       "rmsea.ci.upper": .037, "srmr": .033, "chisq.scaled": 117.438, "df.scaled": 84, "pvalue.scaled": .0094,
       "cfi.robust": .989, "tli.robust": .986, "rmsea.robust": .027, "rmsea.ci.lower.robust": .013,
       "rmsea.ci.upper.robust": .038}
MLR = {"_path": "mlr.json", "n": 602, "estimator": "MLR", "missing": "ml", "fit": FIT, "estimates": [],
       "test": {"standard": {"test": "standard"}, "yuan.bentler.mplus": {"test": "yuan.bentler.mplus"}}}
WLSMV = {"_path": "wlsmv.json", "n": 602, "estimator": "WLSMV", "missing": "pairwise", "fit": FIT, "estimates": [],
         "test": {"standard": {"test": "standard"}, "scaled.shifted": {"test": "scaled.shifted"}}}


def test_fit_note_names_the_scaled_test():
    note = fit_apa([MLR]).note
    assert 'Yuan–Bentler scaled χ² (Mplus variant; lavaan\'s test = "yuan.bentler.mplus")' in note, note
    both = fit_apa([MLR, WLSMV]).note
    assert "mlr: Yuan–Bentler" in both and "wlsmv: mean- and variance-adjusted χ² (scaled-shifted" in both, both


def test_fit_note_of_an_old_results_file_names_the_estimators_test():
    old = {k: v for k, v in MLR.items() if k != "test"}
    assert "Yuan–Bentler scaled χ² (Mplus variant" in fit_apa([old]).note


def test_invariance_note_names_the_scaled_test():
    r = {**MLR, "invariance": [{"step": "configural", "fit": FIT, "decision": "baseline"}],
         "invariance_info": {"estimator": "MLR", "indices": "robust", "lrt_method": "satorra.bentler.2001"}}
    note = invariance_apa(r).note
    assert "χ²: the Yuan–Bentler scaled χ² (Mplus variant" in note, note
