"""The `tables` invariance note of a results.json that does not record the estimator or the difference test's
method (written by an earlier version): it said "ML" and "Satorra-Bentler" whatever the file held (an MLR run's
scaled χ² was called ML's); now it says what is not recorded and names no method it does not know."""

from __future__ import annotations

import pytest

from iur_survey.report.paper import invariance_apa

FIT0 = {"chisq": 115.9, "chisq.scaled": 115.5, "df": 48, "cfi": .93, "rmsea": .09, "srmr": .068}
FIT1 = {"chisq": 125.9, "chisq.scaled": 124.1, "df": 54, "cfi": .925, "rmsea": .088, "srmr": .07}
TEST = {"chisq.diff": 8.1, "df.diff": 6, "pvalue": .23}
DELTA = {"cfi": -.005, "rmsea": -.002, "srmr": .002}


def _steps(scaled=True, method=None):
    strip = (lambda f: f) if scaled else (lambda f: {k: v for k, v in f.items() if k != "chisq.scaled"})
    test = {**TEST, **({"method": method} if method else {})}
    return [{"step": "configural", "fit": strip(FIT0), "decision": "baseline"},
            {"step": "metric", "fit": strip(FIT1), "test": test, "delta": DELTA, "decision": "supported"}]


@pytest.mark.parametrize("scaled", [True, False])
def test_nothing_recorded_is_said_not_assumed(scaled):
    note = invariance_apa({"invariance": _steps(scaled), "invariance_info": {}}).note
    assert "(ML," not in note and "Satorra-Bentler" not in note and "satorra" not in note, note
    assert ("the estimator and the difference test's method are not recorded in results.json" in note), note


def test_estimator_recorded_method_not():
    note = invariance_apa({"invariance": _steps(), "invariance_info": {"estimator": "MLR"}}).note
    assert "(MLR, lavaan's chisq.scaled)" in note and "Satorra-Bentler" not in note
    assert "the difference test's method is not recorded" in note and "the estimator" not in note.split("(the")[-1]


def test_method_recorded_on_the_steps_is_read():
    """A file whose steps record the test's method (each step's test.method) but whose info does not."""
    note = invariance_apa({"invariance": _steps(method="satorra.bentler.2010"),
                           "invariance_info": {"estimator": "MLR"}}).note
    assert "scaled difference test (satorra.bentler.2010)" in note and "not recorded" not in note, note


def test_everything_recorded_unchanged():
    note = invariance_apa({"invariance": _steps(),
                           "invariance_info": {"estimator": "MLR", "lrt_method": "satorra.bentler.2001"}}).note
    assert "Δχ²: the scaled difference test (satorra.bentler.2001), lavaan's lavTestLRT." in note
    assert "not recorded" not in note
    ml = invariance_apa({"invariance": _steps(False, "standard"),
                         "invariance_info": {"estimator": "ML", "lrt_method": "standard"}}).note
    assert "Δχ²: the χ² difference test, lavaan's lavTestLRT." in ml and "not recorded" not in ml
