"""A line of the middle answer with three or more answers off it (an outside generator's honest midpoint
responders, university role): longstring and irv flag it but do not call it far beyond, so it is excluded
only beside other evidence; a line with at most two slips stays far beyond (``midpoint_off``, default 3)."""
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from iur_survey.clean.config import CleanConfig
from iur_survey.clean.decision import decide
from iur_survey.clean.rules import irv, longstring, midpoint_line
from iur_survey.instrument import load_instrument


def _frame(rows):
    inst = load_instrument()
    cols = list(inst.item_codes)
    out = []
    for base, changes in rows:
        r = {c: float(base) for c in cols}
        for j, v in changes.items():
            r[cols[j]] = float(v)
        out.append(r)
    return inst, pd.DataFrame(out)


ROWS = [                                 # off answers at the ends: a run of 21 or more remains for longstring
    (3, {0: 4, 1: 2, 27: 4}),            # three answers off the middle, both sides: a midpoint responder's
    (3, {0: 2, 26: 2, 27: 4}),           # three again
    (3, {}),                             # the middle to every item
    (3, {27: 4}),                        # one slip
    (3, {0: 4, 27: 2}),                  # two slips
    (4, {0: 5, 1: 3, 27: 5}),            # a line of "agree" with three others: not the middle
]


@pytest.mark.parametrize("rule", [longstring, irv])
def test_middle_line_with_three_off_is_flagged_not_far(rule):
    inst, df = _frame(ROWS)
    hit = rule(df, inst).tolist()
    assert all(pd.notna(h) for h in hit), hit
    for h in hit[:2]:
        assert "[far beyond" not in h and "middle answer with" in h, h
    for h in hit[2:]:
        assert "[far beyond" in h, h


@pytest.mark.parametrize("rule", [longstring, irv])
def test_setting_off_restores_far(rule):
    inst, df = _frame(ROWS)
    assert all("[far beyond" in h for h in rule(df, inst, midpoint_off=None).tolist())
    two = rule(df, inst, midpoint_off=2).tolist()            # two slips then count as a midpoint responder's
    assert "[far beyond" not in two[4] and "[far beyond" in two[3]


def test_config():
    assert CleanConfig().params("irv")["midpoint_off"] == 3
    assert CleanConfig().params("longstring")["midpoint_off"] == 3
    cfg = CleanConfig.from_dict({"irv": {"midpoint_off": None}, "longstring": {"midpoint_off": 4}})
    assert cfg.params("irv")["midpoint_off"] is None and cfg.params("longstring")["midpoint_off"] == 4


def test_no_middle_on_an_even_scale():
    x = np.array([[2.0, 3, 2, 2, 3, 2, 3, 3]])
    cols = [f"X{j}" for j in range(8)]
    assert midpoint_line(x, cols, SimpleNamespace(scale_min=1, scale_max=5), 3)[0].tolist() == [True]
    assert midpoint_line(x, cols, SimpleNamespace(scale_min=1, scale_max=4), 3)[0].tolist() == [False]
    assert midpoint_line(x, cols, SimpleNamespace(scale_min=1, scale_max=5), None)[0].tolist() == [False]


def test_items_without_a_middle_are_not_answers_off_it():
    """Mixed scales: a 1-4 item has no middle, so a line at the middle of the others with its 1-4 answers
    (placed between the top-level codes) is a straight line with no other answer, still far beyond."""
    from iur_survey.instrument import parse_instrument
    inst = parse_instrument({"scale": {"min": 1, "max": 5}, "constructs": {
        "A": {"items": [f"A{j}" for j in range(1, 17)]},
        "B": {"items": ["B1", "B2", "B3", "B4"], "scale": {"min": 1, "max": 4}}}})
    df = pd.DataFrame([{**{f"A{j}": 3.0 for j in range(1, 17)}, "B1": 2.0, "B2": 2.0, "B3": 3.0, "B4": 2.0}])
    for rule in (longstring, irv):
        h = rule(df, inst).tolist()[0]
        assert pd.notna(h) and "[far beyond" in h, (rule.__name__, h)


def test_decision_excludes_it_beside_other_evidence_only():
    inst, df = _frame(ROWS[:1])
    flag = irv(df, inst)
    speed = pd.Series(["duration 50 s < 30% of median 400 s"], dtype="string")
    alone = decide({"irv": flag})
    assert alone[0].tolist() == [False]
    both = decide({"irv": flag, "speeder": speed})
    assert both[0].tolist() == [True] and both[1] == ["convergent evidence: speed + invariance"]
