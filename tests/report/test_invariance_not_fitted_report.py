"""A configural model that did not converge ends the invariance sequence (iur_survey.sem.invariance.fit_sequence):
the tables' notes and chapter 7's prose say the later models were not fitted and why, for the ML and the
ordinal (WLSMV) sequences, instead of "their fit and changes are shown but not judged"."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from iur_survey.report import paper
from iur_survey.report.groups import (invariance_summary, invariance_table, not_fitted_after_baseline,
                                      ordinal_invariance_glue, _invariance_text)
from iur_survey.sem import wlsmv_invariance
from iur_survey.sem.invariance import measurement_invariance
from iur_survey.sem.wlsmv_invariance import ordinal_invariance


def _continuous(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    f = rng.standard_normal((400, 1))
    X = 3 + f @ [[1.0, 0.8, 0.7, 0.6]] + rng.standard_normal((400, 4)) * 0.6
    return pd.DataFrame(X, columns=["y1", "y2", "y3", "y4"]).assign(g=np.repeat(["a", "b"], 200))


def _ordinal(seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(600, 1))
    y = f @ [[.8, .7, .6, .7]] + rng.normal(size=(600, 4)) * .6
    return pd.DataFrame(np.digitize(y, [-1, 0, 1]), columns=["a", "b", "c", "e"]).assign(
        G=np.where(np.arange(600) < 350, "x", "y"))


def test_ml_sequence_ended_at_its_baseline_is_said_in_the_notes_and_the_prose():
    inv = measurement_invariance("F =~ y1 + y2 + y3 + y4", _continuous(), "g", warn=False, control={"max_iter": 1})
    main = invariance_summary(inv)
    assert not_fitted_after_baseline(main["table"]) == ["metric", "scalar", "strict"]
    note = invariance_table(main, number="7.3").note
    assert "so the three models after it were not fitted (—) and not reached." in note
    assert "shown but not judged" not in note
    text = _invariance_text({"main": main})
    assert text.startswith("The configural model, the baseline of the sequence, did not converge, so the metric, "
                           "scalar and strict models were not fitted and no level of invariance can be tested")
    apa = paper.invariance_apa(inv.to_dict()).note
    assert "so the metric, scalar and strict models were not fitted (—) and not reached." in apa
    assert "shown but not judged" not in apa


def test_ml_sequence_with_a_fitted_baseline_keeps_its_notes():
    inv = measurement_invariance("F =~ y1 + y2 + y3 + y4", _continuous(), "g", warn=False)
    main = invariance_summary(inv)
    assert not_fitted_after_baseline(main["table"]) == []
    assert "not fitted" not in invariance_table(main).note
    assert "not fitted" not in paper.invariance_apa(inv.to_dict()).note


def test_ordinal_sequence_ended_at_its_baseline_is_said_in_the_notes_and_the_prose(monkeypatch):
    real = wlsmv_invariance.ordinal_groups_fit

    def fit(*args, **kw):
        res = real(*args, **kw)
        if not kw.get("th_equal"):
            res.converged = False          # the configural model did not converge
        return res
    monkeypatch.setattr(wlsmv_invariance, "ordinal_groups_fit", fit)
    inv = ordinal_invariance("F =~ a + b + c + e", _ordinal(), "G", progress=False)
    text = ordinal_invariance_glue({"table": inv.table, "level": inv.level, "ml_level": "metric"})["ordinal_text"][1]
    assert text == ("On the ordinal scale the configural model, the baseline of the sequence, did not converge, so "
                    "the three later models were not fitted and no level of invariance can be tested (Table 7.6).")
    apa = paper.invariance_apa(inv.to_dict()).note
    assert ("so the thresholds, thresholds_loadings and thresholds_loadings_intercepts models were not fitted (—) "
            "and not reached.") in apa
    t = inv.table       # as chapter 7 shows it (Table 7.6)
    tab = invariance_table({"table": t.assign(chisq=t["chisq.scaled"], **{"delta.cfi": t["delta.cfi.scaled"],
                                                                           "delta.rmsea": t["delta.rmsea.scaled"]}),
                            "indices": "scaled", "cutoffs": {}, "group": "G"}, number="7.6").note
    assert "so the three models after it were not fitted (—) and not reached." in tab


@pytest.mark.parametrize("decisions", [["baseline", "supported"], ["not evaluated", "not reached"]])
def test_a_table_whose_later_steps_were_fitted_is_not_said_unfitted(decisions):
    t = pd.DataFrame({"step": ["configural", "metric"], "decision": decisions, "chisq": [np.nan, 12.0]})
    assert not_fitted_after_baseline(t) == []
