"""A line of one answer that the items' own answers give (``longstring``'s and ``irv``'s ``chance_lines``): on a
form without reverse-keyed items where most people answer most items at the floor ("not rude", "never"), honest
lines at the floor are flagged (a piece of evidence beside speed, size, ...) but not far beyond; lines at an answer
the sample rarely gives, and every line held across reverse-keyed items, stay far beyond."""
import warnings

import numpy as np
import pandas as pd
import pytest

from iur_survey.clean import CleanConfig, clean, rules
from iur_survey.instrument import load_instrument, parse_instrument
from iur_survey.read.base import RawResponses

from .conftest import keyed_answers

FLOOR = parse_instrument({"scale": {"min": 1, "max": 5},
                          "constructs": {c: {"items": [f"{c}{i}" for i in range(1, 6)]} for c in "AB"}})
FCOLS = list(FLOOR.item_codes)
INST = load_instrument()
ITEMS = list(INST.item_codes)


def _floor_form(rng, n):
    """Honest answers to 10 items without reverse-keyed ones, most at 1: one trait, a floor (as the Internet
    Addiction Scale's "never" or the flying survey's "not rude")."""
    y = rng.normal(size=(n, 1)) * 0.8 + rng.normal(scale=.6, size=(n, 10))
    return 1.0 + (y[:, :, None] > np.array([0.6, 1.2, 1.8, 2.4])).sum(axis=2)


_keyed_form = keyed_answers     # the package's 28 items, reverse-keyed items turned back


def _clean(x, cols, inst):
    frame = pd.DataFrame(x, columns=cols)
    frame["_row"] = np.arange(2, len(frame) + 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return clean(RawResponses(frame=frame, source="x.csv", format="csv", sha256="0"), inst, CleanConfig())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_floor_lines_on_a_form_without_reverse_keyed_items_are_flagged_not_far(seed):
    x = _floor_form(np.random.default_rng(seed), 400)
    lines = np.flatnonzero((x == 1).sum(axis=1) >= 9)           # honest lines at the floor (and one slip)
    assert len(lines) >= 60                                      # a floor: many of them
    df = pd.DataFrame(x, columns=FCOLS)
    for flag in (rules.longstring(df, FLOOR), rules.irv(df, FLOOR)):
        hit = flag.iloc[lines]
        assert hit.notna().mean() > 0.9                          # flagged ...
        assert not hit.dropna().str.contains(rules.FAR, regex=False).any()       # ... not far beyond
        full = flag.iloc[np.flatnonzero((x == 1).all(axis=1))]       # why: the items' own answers give it
        assert full.str.contains("of honest answers drawn from the sample's answer model", regex=False).all()
    off = rules.longstring(df, FLOOR, chance_lines=False).iloc[lines]
    assert off.dropna().str.contains(rules.FAR, regex=False).mean() > 0.5       # the setting off: far beyond
    res = _clean(x, FCOLS, FLOOR)
    assert res.report["n_excluded"] <= 0.01 * len(x)            # the honest lines are kept ...
    assert res.flags.set_index("row").loc[lines + 2, "longstring"].mean() > 0.9     # ... and flagged


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_careless_lines_at_an_answer_the_sample_rarely_gives_stay_far(seed):
    rng = np.random.default_rng(seed)
    x = _floor_form(rng, 400)
    x[:8] = 3.0                                                   # lines of 3 ("somewhat"): 5 % of answers are 3
    x[8:12] = 5.0
    x[12:16, :9] = 4.0; x[12:16, 9] = 1.0                          # 4 with one slip
    df = pd.DataFrame(x, columns=FCOLS)
    assert df.pipe(rules.longstring, FLOOR).iloc[:16].str.contains(rules.FAR, regex=False).all()
    assert df.pipe(rules.irv, FLOOR).iloc[:12].str.contains(rules.FAR, regex=False).all()
    res = _clean(x, FCOLS, FLOOR)
    out = set(res.exclusions.loc[res.exclusions.action == "excluded", "row"])
    assert set(range(2, 18)) <= out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_lines_across_reverse_keyed_items_stay_far(seed):
    rng = np.random.default_rng(seed)
    x = _keyed_form(rng, 500)
    for i, v in enumerate([1, 2, 4, 5] * 4):                        # lines at every answer but the middle ...
        x[i] = v
        if i >= 8:                                                 # ... half of them with a slip
            x[i, rng.integers(28)] = v + (1 if v < 3 else -1)     # one point toward the middle
    df = pd.DataFrame(x, columns=ITEMS)
    ls, iv = rules.longstring(df, INST), rules.irv(df, INST)
    assert ls.iloc[:16].str.contains(rules.FAR, regex=False).all()
    assert iv.iloc[:16].str.contains(rules.FAR, regex=False).all()
    assert not ls.dropna().str.contains("of honest answers drawn from").any()      # the model never gives them
    res = _clean(x, ITEMS, INST)
    assert set(range(2, 18)) <= set(res.exclusions.loc[res.exclusions.action == "excluded", "row"])


def test_no_answer_model_leaves_a_line_far():
    """Too few complete responses to fit the sample's answer model: nothing tells a floor, a line stays far."""
    x = _floor_form(np.random.default_rng(4), 15)                 # < 2 x 10 items
    x[0] = 1.0
    assert rules.FAR in rules.longstring(pd.DataFrame(x, columns=FCOLS), FLOOR).iloc[0]


def test_the_settings_are_in_the_configuration():
    cfg = CleanConfig()
    assert cfg.params("longstring")["chance_lines"] is True
    assert cfg.params("irv")["chance_lines"] is True and cfg.params("irv")["honest_far_alpha"] == 0.001
    assert CleanConfig.from_dict({"irv": {"chance_lines": False}}).irv_chance_lines is False
