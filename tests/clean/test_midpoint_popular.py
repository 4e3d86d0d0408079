"""A line of the middle answer whose two other answers both lie on the side of the middle the items' answers lean
to (``midpoint_popular``) reads as a midpoint responder's: longstring and irv flag it, not far beyond; slips on the
other side, or on either side, stay far beyond."""
import numpy as np
import pandas as pd
import pytest

from iur_survey.clean.config import CleanConfig
from iur_survey.clean.rules import irv, longstring, midpoint_line
from iur_survey.instrument import load_instrument

INST = load_instrument()
ITEMS = list(INST.item_codes)


def _sample(seed, n=400):
    """Honest answers whose items lean to agree (raw means above 3, reverse-keyed ones below), then four middle lines
    with two other answers: with the lean (items 0 and 5 up, reverse-keyed item 2 down), against it, mixed."""
    rng = np.random.default_rng(seed)
    rev = np.isin(ITEMS, list(INST.reverse_items))
    y = rng.normal(0.8, 1.0, size=(n, len(ITEMS)))
    x = np.clip(np.round(3 + y), 1, 5)
    x = np.where(rev, 6 - x, x)
    lines = np.full((4, len(ITEMS)), 3.0)
    lines[0, [0, 5]] = 4                        # both up on agreeing items: with the lean
    lines[1, [2, 5]] = [2, 4]                   # reverse-keyed item down, forward item up: with the lean
    lines[2, [0, 5]] = 2                        # both down: against it
    lines[3, [0, 5]] = [4, 2]                   # one each way
    return pd.DataFrame(np.vstack([x, lines]), columns=ITEMS)


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("rule", [longstring, irv])
def test_two_answers_with_the_lean_make_a_middle_line_not_far(rule, seed):
    df = _sample(seed)
    off = rule(df, INST, midpoint_popular=None).tolist()[-4:]
    assert all("[far beyond" in h for h in off), off                         # the setting off: all far
    on = rule(df, INST).tolist()[-4:]                                        # the default: 2
    assert all(pd.notna(h) for h in on)
    assert ["[far beyond" in h for h in on] == [False, False, True, True], on
    assert "middle answer with 2 answers off it, each on the side" in on[0]


def test_midpoint_line_counts_the_lean_per_item_and_ignores_items_without_middle():
    df = _sample(3)
    x = df.to_numpy()
    rows, n_off = midpoint_line(x, ITEMS, INST, 3, popular=2)
    assert rows[-4:].tolist() == [True, True, False, False] and n_off[-4:].tolist() == [2, 2, 2, 2]
    assert not midpoint_line(x, ITEMS, INST, 3)[0][-4:].any()                # without it: only 3+ off answers
    assert not midpoint_line(x, ITEMS, INST, None, popular=2)[0].any()       # midpoint_off null: the whole setting off


def test_config():
    assert CleanConfig().params("longstring")["midpoint_popular"] == 2 == CleanConfig().params("irv")["midpoint_popular"]
    cfg = CleanConfig.from_dict({"longstring": {"midpoint_popular": 3}, "irv": {"midpoint_popular": None}})
    assert cfg.params("longstring")["midpoint_popular"] == 3 and cfg.params("irv")["midpoint_popular"] is None
