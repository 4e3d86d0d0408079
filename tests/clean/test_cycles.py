"""Short cycles of answers repeated over the whole form (outside check A3): a 3-answer cycle with one code
twice (3-5-5, 4-4-5) and a seesaw over two codes that an attention check answered as told interrupts."""
import numpy as np
import pandas as pd
import pytest

from iur_survey.clean import indices as ix
from iur_survey.clean.rules import longpattern
from iur_survey.instrument import load_instrument


def _sample(seed=1, n=400):
    inst = load_instrument()
    cols = list(inst.item_codes)
    rng = np.random.default_rng(seed)
    k = len(cols)
    f = rng.normal(size=(n, 1)) + rng.normal(scale=.6, size=(n, k))
    x = np.clip(np.round(3.4 + .8 * f), 1, 5)
    rev = [cols.index(c) for c in inst.reverse_items]
    x[:, rev] = 6 - x[:, rev]
    df = pd.DataFrame(x, columns=cols)
    return inst, cols, df


def _order(inst, cols):
    att = list(inst.attention_checks)[0]
    return cols[:12] + [att] + cols[12:], att


def _cycle(motif, n):
    return [motif[j % len(motif)] for j in range(n)]


def test_index_three_answer_cycle_with_a_repeated_code():
    x = np.array([_cycle([3, 5, 5], 28), _cycle([4, 4, 5], 28)], dtype=float)
    assert ix.longpattern(x)[0].tolist() == [0, 0]                      # the old share rule: no pattern
    assert ix.longpattern(x, max_share=0.7)[0].tolist() == [28, 28]
    # mostly one answer with a few others stays out (3-3-3-4 is three quarters "3")
    assert ix.longpattern(np.array([_cycle([3, 3, 3, 4], 28)], dtype=float), max_share=0.7)[0].tolist() == [0]


def test_index_an_agreeing_column_continues_the_cycle():
    seq = _cycle([3, 4], 29)
    seq[12] = 4                                                         # the check answered as told, out of phase
    x = np.array([seq], dtype=float)
    assert ix.longpattern(x)[0].tolist() == [16]
    wild = np.zeros(29, dtype=bool)
    wild[12] = True
    assert ix.longpattern(x, agrees=wild)[0].tolist() == [29]
    assert ix.longpattern(x, agrees=wild, cycle_period=1)[0].tolist() == [16]     # periods 2 .. 1: none


@pytest.mark.parametrize("motif", [[3, 5, 5], [4, 4, 5], [3, 4, 4], [3, 4], [4, 5], [2, 3]])
def test_rule_whole_form_cycle_through_an_answered_check_is_far_beyond(motif):
    inst, cols, df = _sample()
    order, att = _order(inst, cols)
    seq = _cycle(motif, 29)
    seq[12] = inst.attention_checks[att]
    row = {c: float(v) for c, v in zip(order, seq)}
    df = pd.concat([df, pd.DataFrame([row])], ignore_index=True)
    df[att] = float(inst.attention_checks[att])
    hit = longpattern(df, inst, order=order)
    assert "far beyond" in str(hit.iloc[-1]), hit.iloc[-1]
    assert hit.iloc[:-1].notna().mean() < 0.02


def test_options_restore_the_previous_reading():
    inst, cols, df = _sample()
    order, att = _order(inst, cols)
    seq = _cycle([3, 5, 5], 29)
    seq[12] = inst.attention_checks[att]
    df = pd.concat([df, pd.DataFrame([{c: float(v) for c, v in zip(order, seq)}])], ignore_index=True)
    df[att] = float(inst.attention_checks[att])
    assert pd.isna(longpattern(df, inst, order=order, cycle_period=1).iloc[-1])


def test_config_accepts_the_cycle_settings():
    from iur_survey.clean.config import CleanConfig
    from iur_survey.errors import IURSurveyError
    cfg = CleanConfig.from_dict({"longpattern": {"cycle_period": 1}})
    assert cfg.params("longpattern")["cycle_period"] == 1
    with pytest.raises(IURSurveyError):
        CleanConfig.from_dict({"longpattern": {"cycle_share": 1.5}})
    with pytest.raises(IURSurveyError):
        CleanConfig.from_dict({"longpattern": {"cycle_period": 0}})
