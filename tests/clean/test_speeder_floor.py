"""The speeder rule's per-question floor: 1 s per question over the whole response is far beyond
(Wood, Harms, Lowman & DeSimone 2017); a careful reader at 1.5-2.4 s per question is only flagged."""
import numpy as np
import pandas as pd

from iur_survey.clean.config import CleanConfig
from iur_survey.clean.rules import speeder
from iur_survey.instrument import load_instrument


def _frame(durations, n_items=30, seed=0):
    inst = load_instrument()
    cols = list(inst.items)[:n_items]
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(rng.integers(1, 6, size=(len(durations), len(cols))).astype(float), columns=cols)
    df["_duration"] = np.asarray(durations, dtype=float)
    return df, inst, len(cols)


def test_fast_careful_reader_is_flagged_not_far():
    # median 190 s; 50 s is 26 % of it and 50 / 28 questions = 1.8 s per question
    durs = [190.0] * 40 + [50.0]
    df, inst, n_q = _frame(durs)
    out = speeder(df, inst)
    assert pd.notna(out.iloc[-1]) and "far beyond" not in out.iloc[-1]
    assert "[moderately fast]" in out.iloc[-1]
    # the previous floor (2 s per question) made the same reader far beyond on its own
    old = speeder(df, inst, seconds_per_item=2.0)
    assert "far beyond" in old.iloc[-1] and "< 2 s x" in old.iloc[-1]


def test_under_one_second_per_question_is_far():
    durs = [190.0] * 40 + [0.9 * 28]
    df, inst, n_q = _frame(durs)
    out = speeder(df, inst)
    assert "far beyond" in out.iloc[-1] and f"< 1 s x {n_q} questions" in out.iloc[-1]


def test_default_and_restoring_config():
    assert CleanConfig().speeder_seconds_per_item == 1.0
    assert CleanConfig.from_dict({"speeder": {"seconds_per_item": 2}}).speeder_seconds_per_item == 2.0


def test_a_median_duration_of_zero_is_not_judged_not_every_row_excluded():
    # fuzz30: a tool writing 0 for a time it did not record made every row "far beyond" the 1 s floor: every response
    # excluded as a speeder, "no response kept"; and lines then counted as given at an ordinary pace (0 >= 0.5 x 0)
    from iur_survey.clean.rules import durations, longstring
    df, inst, _ = _frame([0.0] * 30 + [200.0] * 10)
    out = speeder(df, inst)
    assert out.isna().all() and out.attrs["not_evaluated"].startswith("the median duration is 0 s (30 of 40")
    assert durations(df) is None
    df.iloc[0, :28] = 3.0                   # a line of the middle answer: far beyond, as without durations
    assert "far beyond" in longstring(df, inst).iloc[0]
    # a few zeros beside real times are still judged (and far beyond)
    df, inst, _ = _frame([0.0] * 3 + [200.0] * 37)
    assert speeder(df, inst).iloc[:3].str.contains("far beyond").all()
