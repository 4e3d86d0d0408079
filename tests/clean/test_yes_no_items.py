"""Items of two points (a yes/no checklist): the answer-pattern indices are not evaluated, the duration still is.

Real evidence (session 28): FiveThirtyEight's steak/risk survey (SurveyMonkey, 6 yes/no risk behaviours) had 70 of
541 finished respondents excluded by the pattern indices, everyone who drinks and takes no other risk among them."""
import warnings

import numpy as np
import pandas as pd
import pytest

from iur_survey.clean import CleanConfig, clean, rules
from iur_survey.instrument import load_instrument, parse_instrument
from iur_survey.read.base import RawResponses

YES_NO = parse_instrument({"scale": {"min": 0, "max": 1},
                           "constructs": {"RISK": {"items": [f"RISK{i}" for i in range(1, 7)]},
                                          "HEALTH": {"items": [f"HEALTH{i}" for i in range(1, 7)]}}})
COLS = list(YES_NO.item_codes)


def _checklist(rng, n):
    """Honest yes/no answers: one trait per construct, items of very different popularity (as "do you drink" and
    "have you been skydiving"), so rare combinations are common among honest people."""
    trait = rng.normal(size=(n, 2))[:, np.repeat([0, 1], 6)]
    cut = np.tile([-1.2, -0.4, 0.4, 1.0, 1.6, 2.2], 2)
    return (trait + rng.normal(scale=.9, size=(n, 12)) > cut).astype(float)


def _clean(x, duration=None):
    frame = pd.DataFrame(x, columns=COLS)
    frame["_row"] = np.arange(2, len(frame) + 2)
    if duration is not None:
        frame["_duration"] = duration
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return clean(RawResponses(frame=frame, source="x.csv", format="csv", sha256="0"), YES_NO, CleanConfig())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_honest_checklists_are_not_judged_by_their_pattern(seed):
    rng = np.random.default_rng(seed)
    x = _checklist(rng, 600)
    res = _clean(x)
    assert res.report["n_excluded"] == 0
    why = res.report["rules_not_evaluated"]
    for rule in ("longstring", "irv", "mahalanobis", "random_likelihood", "psychsyn", "person_total"):
        assert why[rule].startswith("items on a two-point scale (yes/no)")
    # what the indices did before: run on the same answers, they exclude honest people
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(rules, "yes_no_reason", lambda frame, inst: None)
        import iur_survey.clean.pipeline as pipeline
        mp.setattr(pipeline, "yes_no_reason", lambda frame, inst: None)
        assert _clean(x).report["n_excluded"] > 0


def test_the_duration_is_still_judged_on_a_checklist():
    rng = np.random.default_rng(4)
    x = _checklist(rng, 400)
    duration = rng.lognormal(np.log(60), 0.3, 400)
    duration[:5] = 0.5                                     # half a second for 12 questions
    res = _clean(x, duration)
    excluded = set(res.exclusions.loc[res.exclusions.action == "excluded", "row"])
    assert set(range(2, 7)) <= excluded and "speeder" not in res.report["rules_not_evaluated"]


def test_rating_scales_are_judged_as_before():
    assert rules.yes_no_reason(pd.DataFrame({"GOV1": [1.0, 5.0]}), load_instrument()) is None
    mixed = parse_instrument({"scale": {"min": 0, "max": 1},
                              "constructs": {"A": {"items": ["A1", "A2"]},
                                             "B": {"items": ["B1", "B2"], "scale": {"min": 1, "max": 5}}}})
    assert rules.yes_no_reason(pd.DataFrame({"A1": [0.0], "B1": [3.0]}), mixed) is None
