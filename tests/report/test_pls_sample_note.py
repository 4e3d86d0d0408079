"""The PLS tables of `iur-survey tables ... pls.json` state the rows PLS used and how it treated missing values
(audit, session 34): on the demo export PLS replaced 224 missing cells by the item mean, while the CB-SEM fit
beside it used FIML, and only the HTMT note said so; the reliability, path and side-by-side tables said nothing."""

from __future__ import annotations

from iur_survey.report.paper import pls_apa
from iur_survey.report.pls_tables import pls_sample_sentence


def _pls(**kw):
    return {"n": 806, "missing": "mean", "n_imputed": 224, "scheme": "path",
            "bootstrap": {"n_boot": 200, "seed": 1, "level": 0.95},
            "reliability": [{"construct": "A", "n_items": 3, "alpha": .7, "rho_a": .72, "rho_c": .8, "ave": .57}],
            "paths": [{"lhs": "B", "op": "~", "rhs": "A", "est": .3, "se": .05, "t": 6, "pvalue": 0,
                       "ci.lower": .2, "ci.upper": .4}],
            "comparison": [{"lhs": "B", "op": "~", "rhs": "A", "pls_est": .3, "pls_ci.lower": .2, "pls_ci.upper": .4,
                            "pls_pvalue": 0.0, "cb_std": .28, "cb_std.ci.lower": .2, "cb_std.ci.upper": .36,
                            "cb_pvalue": 0.001, "agree": True}],
            "call": {"argv": ["pls", "clean.csv", "--compare", "results.json", "--out", "pls.json"]}, **kw}


def test_every_pls_table_states_n_and_the_missing_treatment():
    tables = pls_apa(_pls())
    assert [t.title for t in tables] == ["PLS-SEM reliability and convergent validity",
                                         "PLS-SEM path coefficients and effects", "PLS-SEM and CB-SEM side by side"]
    for t in tables:
        assert "PLS data: N = 806; 224 missing values replaced by the item mean, as PLS does." in t.note


def test_listwise_and_complete_data_and_no_n():
    assert pls_sample_sentence({"n": 700, "missing": "listwise"}) == " PLS data: N = 700; listwise deletion."
    assert pls_sample_sentence({"n": 700, "missing": "mean", "n_imputed": 0}) == " PLS data: N = 700; no missing values."
    assert pls_sample_sentence({"missing": "mean"}) == "" and pls_sample_sentence(None) == ""
