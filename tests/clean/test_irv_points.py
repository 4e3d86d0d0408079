"""IRV's cut-offs are in answer points, on any number of points: a straight line's slip is one point, so a line
with one to three one-point slips has the same SD, and the same verdict, on a 1-5 and on a 1-7 instrument; an
answer pattern with more departures is not judged by the scale's range (the 1-7 cut-offs are not stretched to
0.6 / 0.525, which on an outside generator's 7-point exports excluded more honest midpoint responders and caught
no more careless ones: figures in :func:`iur_survey.clean.rules.irv`)."""
import numpy as np
import pandas as pd
import pytest

from iur_survey.clean.indices import irv as irv_index
from iur_survey.clean.rules import irv
from iur_survey.instrument import parse_instrument

COLS = [f"{c}{i}" for c in "ABCDEFG" for i in range(1, 5)]


def _instrument(k):
    return parse_instrument({"scale": {"min": 1, "max": k},
                             "constructs": {c: {"items": [f"{c}{i}" for i in range(1, 5)]} for c in "ABCDEFG"}})


def _line(value, slips, k):
    row = np.full(len(COLS), float(value))
    for j in range(slips):                               # alternate sides, spread over the form
        row[4 * j + 1] = min(k, max(1, value + (1 if j % 2 else -1)))
    return row


@pytest.mark.parametrize("slips", [0, 1, 2, 3])
def test_a_line_with_slips_has_the_same_verdict_on_5_and_7_points(slips):
    out = {}
    for k, value in ((5, 4), (7, 6)):                    # "agree": not the middle, so midpoint_off plays no part
        df = pd.DataFrame([_line(value, slips, k)], columns=COLS)
        out[k] = irv(df, _instrument(k)).iloc[0]
        assert "far beyond" in out[k]
    assert out[5] == out[7]                              # the same SD in points, the same detail


def test_more_departures_are_judged_in_points_not_in_range():
    """Six one-point departures of 28 (SD 0.42): above the flag cut-off 0.4 on 1-7 as on 1-5."""
    for k, value in ((5, 4), (7, 6)):
        row = _line(value, 6, k)
        assert 0.4 < irv_index(row[None, :])[0] < 0.6
        assert irv(pd.DataFrame([row], columns=COLS), _instrument(k)).isna().all()
