"""A midpoint line with a few answers off the middle, all on one keyed side (outside check A4): with
``midpoint_consistent`` set, longstring and irv flag it but do not call it far beyond; off by default."""
import numpy as np
import pandas as pd

from iur_survey.clean.config import CleanConfig
from iur_survey.clean.rules import irv, longstring
from iur_survey.instrument import load_instrument


def _rows():
    inst = load_instrument()
    cols = list(inst.item_codes)
    rev = set(inst.reverse_items)
    up = [c for c in cols if c not in rev][:2]                  # two forward items answered 4
    down = [c for c in cols if c in rev][:1]                    # a reversed item answered 2: the same side
    honest = {c: 3.0 for c in cols}
    honest.update({up[0]: 4.0, up[1]: 4.0, down[0]: 2.0})
    mixed = {c: 3.0 for c in cols}                              # 4 and 2 on forward items: two sides
    mixed.update({up[0]: 4.0, up[1]: 2.0})
    one_off = {c: 3.0 for c in cols}
    one_off[up[0]] = 4.0
    flat = {c: 3.0 for c in cols}
    four = {c: 4.0 for c in cols}                               # not the middle answer
    four.update({up[0]: 5.0, up[1]: 5.0})
    return inst, pd.DataFrame([honest, mixed, one_off, flat, four])


def test_without_either_setting_all_are_far_beyond():
    inst, df = _rows()                   # the first row's three other answers: midpoint_off (default 3) spares it
    for rule in (longstring, irv):
        hit = rule(df, inst, midpoint_off=None)
        assert all("[far beyond" in str(h) for h in hit), (rule.__name__, hit.tolist())


def test_consistent_midpoint_line_is_flagged_not_far():
    inst, df = _rows()
    for rule in (longstring, irv):
        hit = rule(df, inst, midpoint_consistent=2, midpoint_off=None).tolist()
        assert pd.notna(hit[0]) and "[far beyond" not in hit[0] and "middle answer" in hit[0], (rule.__name__, hit[0])
        assert all("[far beyond" in str(h) for h in hit[1:]), (rule.__name__, hit)


def test_config_setting():
    cfg = CleanConfig.from_dict({"longstring": {"midpoint_consistent": 2}, "irv": {"midpoint_consistent": 3}})
    assert cfg.params("longstring")["midpoint_consistent"] == 2 and cfg.params("irv")["midpoint_consistent"] == 3
    assert CleanConfig().params("irv")["midpoint_consistent"] is None
