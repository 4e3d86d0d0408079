"""A line given at an ordinary pace (``longstring``'s and ``irv``'s ``line_pace``): a straight line whose duration is
at least half the sample's median is flagged (the invariance group's piece of evidence) but not far beyond, so
it is excluded beside other evidence only; a line given fast, or without any duration, stays far beyond."""
import warnings

import numpy as np
import pandas as pd
import pytest

from iur_survey.clean import CleanConfig, clean, rules
from iur_survey.instrument import load_instrument
from iur_survey.read.base import RawResponses

from .conftest import keyed_answers

INST = load_instrument()
ITEMS = list(INST.item_codes)
REV = np.isin(ITEMS, list(INST.reverse_items))


def _form(rng, n):
    """Honest answers to the package's 28 items (reverse-keyed ones turned back) and log-normal durations."""
    return keyed_answers(rng, n), 600 * np.exp(rng.normal(scale=0.35, size=n))


def _frame(x, dur=None):
    df = pd.DataFrame(x, columns=ITEMS)
    if dur is not None:
        df["_duration"] = dur
    return df


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_middle_line_at_an_ordinary_pace_is_flagged_not_far(seed):
    x, dur = _form(np.random.default_rng(seed), 400)
    x[:4] = 3.0                                                    # lines of the middle answer
    med = np.median(dur)
    dur[:4] = [med, 2 * med, 0.6 * med, med]                       # at an ordinary pace
    dur[4:8] = med * np.array([0.2, 0.35, 0.45, 0.3]); x[4:8] = 3.0    # the same lines, given fast
    for flag in (rules.longstring(_frame(x, dur), INST), rules.irv(_frame(x, dur), INST)):
        assert not flag.iloc[:4].str.contains(rules.FAR, regex=False).any()
        assert flag.iloc[:4].str.contains("an ordinary pace", regex=False).all()
        assert flag.iloc[4:8].str.contains(rules.FAR, regex=False).all()
    for flag in (rules.longstring(_frame(x), INST), rules.irv(_frame(x), INST),      # no duration: far
                 rules.longstring(_frame(x, dur), INST, line_pace=None)):             # the setting off: far
        assert flag.iloc[:8].str.contains(rules.FAR, regex=False).all()


def test_the_decision_keeps_an_ordinary_pace_line_and_excludes_a_fast_one():
    x, dur = _form(np.random.default_rng(5), 500)
    med = np.median(dur)
    x[:3] = 3.0
    dur[:3] = med
    x[3:6] = 3.0
    dur[3:6] = 0.2 * med                                           # a speeder flag beside it, and far anyway
    frame = _frame(x, dur)
    frame["_row"] = np.arange(2, len(frame) + 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = clean(RawResponses(frame=frame, source="x.csv", format="csv", sha256="0"), INST, CleanConfig())
    out = set(res.exclusions.loc[res.exclusions.action == "excluded", "row"])
    assert not {2, 3, 4} & out and {5, 6, 7} <= out
    assert res.flags.set_index("row").loc[[2, 3, 4], "longstring"].all()     # kept, flagged: in the sensitivity set


def test_a_line_against_the_keying_stays_far_at_any_pace():
    x, dur = _form(np.random.default_rng(6), 400)
    x[0] = 1.0                                                     # the disagree end held on reverse-keyed items
    x[1] = 4.0                                                     # "agree" to statements and their reversals
    x[2] = np.where(REV, 2.0, 4.0)                                 # a trait: no line, kept unflagged
    dur[:3] = 2 * np.median(dur)
    assert rules.FAR in rules.longstring(_frame(x, dur), INST).iloc[0]
    assert rules.FAR in rules.longstring(_frame(x, dur), INST).iloc[1]
    assert rules.FAR in rules.irv(_frame(x, dur), INST).iloc[1]


def test_the_setting_is_in_the_configuration():
    assert CleanConfig().params("longstring")["line_pace"] == 0.5
    assert CleanConfig().params("irv")["line_pace"] == 0.5
    assert CleanConfig.from_dict({"longstring": {"line_pace": None}}).longstring_line_pace is None


def test_a_negative_pace_is_refused():
    from iur_survey.errors import IURSurveyError
    with pytest.raises(IURSurveyError, match="line_pace"):
        CleanConfig.from_dict({"irv": {"line_pace": -0.5}})


def test_the_report_counts_the_lines_kept_at_an_ordinary_pace():
    x, dur = _form(np.random.default_rng(5), 500)
    med = np.median(dur)
    x[:3] = 3.0
    dur[:3] = med
    frame = _frame(x, dur)
    frame["_row"] = np.arange(2, len(frame) + 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = clean(RawResponses(frame=frame, source="x.csv", format="csv", sha256="0"), INST, CleanConfig())
    note = res.report["rule_notes"]["longstring"]
    assert note.startswith("3 kept responses are a straight line given at an ordinary pace") and "line_pace: null" in note
    assert "note: 3 kept responses" in res.summary()
    off = clean(RawResponses(frame=frame, source="x.csv", format="csv", sha256="0"), INST,
                CleanConfig.from_dict({"longstring": {"line_pace": None}, "irv": {"line_pace": None}}))
    assert "longstring" not in off.report["rule_notes"]
