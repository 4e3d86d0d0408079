"""Straight lines with a few slips that sit on a spike the sample's answers do not explain
(``rules.near_line_spike``, ``longstring``'s ``near_spike``): a response style that draws answers to one place on
the scale draws a continuum of lines (near lines and, more often, rows a little further off), careless lines are a
spike without that shoulder."""
import numpy as np
import pandas as pd
import pytest

from iur_survey.clean import rules
from iur_survey.clean.config import CleanConfig
from iur_survey.errors import IURSurveyError
from iur_survey.instrument import load_instrument

from .conftest import keyed_answers

INST = load_instrument()
ITEMS = list(INST.item_codes)
REV = np.isin(ITEMS, list(INST.reverse_items))


_honest = keyed_answers     # one trait per construct, reverse-keyed items turned back


def _lines(rng, n, value):
    """Careless lines at ``value`` with 2-4 slips, each to another answer drawn at random."""
    x = np.full((n, 28), float(value))
    for i in range(n):
        for j in rng.choice(28, size=rng.integers(2, 5), replace=False):
            x[i, j] = rng.choice([a for a in range(1, 6) if a != value])
    return x


def _midpoint(rng, x, strength):
    """Midpoint responders: each answer turned to the middle with the person's probability."""
    return np.where(rng.random(x.shape) < strength[:, None], 3.0, x)


#: responses with no line (each answer 5-6 times): pad a small matrix to a sample the spike test judges
PAD = np.tile(np.arange(1.0, 6), (60, 6))[:, :28]


def _spike(x, spike=2.0, **kw):
    """near_line_spike over ``x`` padded with :data:`PAD`, its rows' results only."""
    out = rules.near_line_spike(np.vstack([x, PAD]), ITEMS, INST, spike, **kw)
    return tuple(a[:len(x)] for a in out)


def test_near_line_spike_counts_lines_and_their_shoulder():
    x = np.full((6, 28), 3.0)
    x[0, :2], x[1, :4], x[2, :4] = 1, [1, 2, 4, 5], 5              # three near lines at 3 (2, 4, 4 off)
    x[3:, :6] = 4                                                  # three rows 6 off 3: its shoulder
    x[5, :6] = [1, 2, 4, 5, 1, 2]
    rows, answer, count, answered, n_near, n_sh = _spike(x)
    assert not rows.any() and n_near[:3].tolist() == [3] * 3 and n_sh[:3].tolist() == [3] * 3
    assert count.tolist() == [26, 24, 24, 22, 22, 22] and answer.tolist() == [3.0] * 6
    assert _spike(x, 0.5)[0].tolist() == [True] * 3 + [False] * 3      # 3 > 0.5 x 3
    assert _spike(x[:4])[0].tolist() == [True] * 3 + [False]           # one row of shoulder
    assert not _spike(x[:4], None)[0].any()                            # the setting off
    assert not rules.near_line_spike(x[:4], ITEMS, INST, 2.0)[0].any()   # 4 responses: too few to tell
    y = x[:3].copy()
    y[0, 4:12] = np.nan                                            # fewer than three quarters answered
    assert _spike(y)[0].tolist() == [False, True, True]
    assert not _spike(y[1:2])[0].any()                             # one near line alone is no spike
    z = np.full((5, 28), 2.0)
    z[0, :5] = 4                                                   # five off: the shoulder, not a near line
    z[1, :1], z[2, :2], z[3, :3] = 4, 4, 4                         # 1-3 off: near lines; a whole line is none
    assert _spike(z)[0].tolist() == [False, True, True, True, False]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_longstring_near_spike_takes_careless_lines_and_keeps_a_midpoint_continuum(seed):
    rng = np.random.default_rng(seed)
    honest = _honest(rng, 1500)
    mid = _midpoint(rng, _honest(rng, 150), rng.uniform(0.55, 0.95, 150))    # midpoint responders, strong ones
    care = np.vstack([_lines(rng, 6, 2), _lines(rng, 6, 4)])
    df = pd.DataFrame(np.vstack([honest, mid, care]), columns=ITEMS)
    n_h = len(honest) + len(mid)
    on = rules.longstring(df, INST)
    off = rules.longstring(df, INST, near_spike=None)
    far_on = on.fillna("").str.endswith(f"[{rules.FAR}]").to_numpy()
    far_off = off.fillna("").str.endswith(f"[{rules.FAR}]").to_numpy()
    assert far_on[n_h:].all()                          # every careless line at 2 and 4 with 2-4 slips
    assert far_off[n_h:].sum() < len(care)             # the default takes only those its runs reach
    assert (far_on[:n_h] == far_off[:n_h]).all()       # the midpoint responders' lines: a continuum, kept as before
    assert (np.isclose(mid, 3).sum(axis=1) >= 24).sum() >= 3    # ... and they do give near lines
    assert "such near lines in the sample" in on.iloc[-1]
    # careless middle lines where no style fills the shoulder: far beyond, the midpoint exemptions do not hold them
    df2 = pd.DataFrame(np.vstack([honest, _lines(rng, 6, 3)]), columns=ITEMS)
    lines_at_3 = rules.longstring(df2, INST).iloc[-6:]
    lean = rules.midpoint_line(df2.to_numpy(), ITEMS, INST, 29, 2)[0][-6:]
    assert lines_at_3[~lean].str.endswith(f"[{rules.FAR}]").all()


def test_agree_end_lines_against_the_keying_are_counted_apart():
    """A high trait gives near lines at the agree end that disagree with the reverse-keyed items: they fill the
    agree end's count, but not the shoulder of lines that hold the reverse-keyed items too."""
    rev = np.flatnonzero(REV)
    high = np.full((12, 28), 5.0)
    high[:, rev] = 1.0                                   # 24 of 28 answers "5": near lines that follow the keying
    high[:8, :3] = 4.0                                   # eight of them 7 off: the shoulder
    care = np.full((4, 28), 5.0)
    care[:, [0, 5, 9]] = [[2, 3, 1]] * 4                 # careless 5-lines with three slips, the reversed items held
    x = np.vstack([high, care])
    assert _spike(x, keyed_ends=True)[0].tolist() == [False] * 12 + [True] * 4
    assert not _spike(x, keyed_ends=False)[0].any()                    # 8 near lines, 8 shoulder


def test_near_spike_setting():
    assert CleanConfig().params("longstring")["near_spike"] == 2.0
    assert CleanConfig().params("longstring")["near_keyed"] is False
    assert CleanConfig.from_dict({"longstring": {"near_spike": None}}).params("longstring")["near_spike"] is None
    assert CleanConfig.from_dict({"longstring": {"near_spike": 2}}).params("longstring")["near_spike"] == 2
    for bad in (0, -1):
        with pytest.raises(IURSurveyError):
            CleanConfig.from_dict({"longstring": {"near_spike": bad}})
