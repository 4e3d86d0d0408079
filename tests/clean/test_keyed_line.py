"""A line at an end of the scale held on reverse-keyed items too contradicts the keying (after reverse scoring the
person agrees and disagrees with the same construct): ``rules.keyed_line``.  Its D² is never marked as explained by a
response style (``mahalanobis``'s ``keyed_lines``, default on), so beside a longstring or irv flag it is excluded;
``longstring`` flags such a line where its slips break every run (``keyed_lines``, default on), far beyond the
cut-off (``keyed_far``, default on)."""
import numpy as np
import pandas as pd
import pytest

from iur_survey.clean import rules
from iur_survey.clean.config import CleanConfig
from iur_survey.clean.decision import decide
from iur_survey.instrument import load_instrument

INST = load_instrument()
ITEMS = list(INST.item_codes)
REV = np.isin(ITEMS, list(INST.reverse_items))


def _line(value, slips):
    """One answer to every item but the ``slips`` positions (answer -> other answer)."""
    x = np.full(len(ITEMS), float(value))
    for j, v in slips.items():
        x[j] = float(v)
    return x


def test_keyed_line_is_an_end_line_on_both_keyings_with_few_slips():
    rev = np.flatnonzero(REV)
    fwd = np.flatnonzero(~REV)
    honest_extreme = np.where(REV, 1.0, 5.0)                      # agrees, disagrees with the reversed: no line
    x = np.array([
        _line(1, {int(fwd[3]): 3, int(fwd[20]): 4}),              # the outside generator's miss: 26 of 28, all keyed
        _line(5, {int(fwd[k]): 4 for k in range(4)}),             # four slips (28 // 7)
        _line(5, {int(fwd[k]): 4 for k in range(5)}),             # five: more than a slip per 7 items
        _line(3, {0: 4}),                                         # the middle: does not contradict the keying
        honest_extreme,
        _line(1, {int(rev[0]): 5, int(rev[1]): 5}),               # only two reverse-keyed items hold the line
    ])
    rows, code, count, answered, n_rev = rules.keyed_line(x, ITEMS, INST, agree=True)
    assert rows.tolist() == [True, True, False, False, False, False]
    assert rules.keyed_line(x, ITEMS, INST)[0].tolist() == [True, False, False, False, False, False]
    assert count[:2].tolist() == [26, 24] and n_rev[:2].tolist() == [len(rev)] * 2
    x[0, :8] = np.nan                                             # fewer than three quarters answered
    assert not rules.keyed_line(x, ITEMS, INST, agree=True)[0][0]


def _sample(seed, n=1200):
    """Honest answers (one trait per construct, reverse-keyed items turned) and, last, 6 keyed lines at each end."""
    lab = np.repeat(np.arange(7), 4)
    rng = np.random.default_rng(seed)
    y = rng.normal(size=(n, 7))[:, lab] * 0.8 + rng.normal(scale=.6, size=(n, 28))
    x = 1.0 + (y[:, :, None] > np.array([-1.6, -0.8, 0.1, 1.0])).sum(axis=2)
    x = np.where(REV, 6.0 - x, x)
    fwd = np.flatnonzero(~REV)
    lines = []
    for value, other in ((1, 2), (5, 4)):
        for _ in range(6):
            at = rng.choice(fwd, size=2, replace=False)
            lines.append(_line(value, {int(at[0]): other, int(at[1]): other + (1 if value == 1 else -1)}))
    return pd.DataFrame(np.vstack([x, lines]), columns=ITEMS)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_keyed_line_is_never_marked_as_a_style(seed):
    df = _sample(seed)
    on, off = rules.mahalanobis(df, INST), rules.mahalanobis(df, INST, keyed_lines=False)
    both = rules.mahalanobis(df, INST, keyed_agree=True)
    assert on.notna().equals(off.notna()) and on.notna().equals(both.notna())   # the same flags, only the marks
    n = len(df)
    disagree, agree = np.arange(n) >= n - 12, np.arange(n) >= n - 6
    disagree &= ~agree
    assert on[disagree | agree].notna().all()
    assert not on[disagree].str.contains(rules.STYLED).any()
    assert not both[agree].str.contains(rules.STYLED).any()
    assert (on[agree].fillna("") == off[agree].fillna("")).all()     # the agree end: only with keyed_agree
    honest = ~(disagree | agree)
    assert (on[honest].fillna("") == off[honest].fillna("")).all()   # no honest row here gives such a line
    assert (both[honest].fillna("") == off[honest].fillna("")).all()


def test_an_unmarked_keyed_line_is_excluded_beside_a_longstring_flag():
    t = "D² 65.3 over 14 items (first half), finite-sample p = 6.2e-08 < 0.0042"
    flags = {"longstring": pd.Series(["longest run 20 x code 1 from GOV1 (>= 14)"] * 2, dtype="string"),
             "mahalanobis": pd.Series([rules._styled(t), t], dtype="string")}
    assert decide(flags)[0].tolist() == [False, True]


def test_longstring_flags_a_keyed_line_its_slips_break():
    fwd = np.flatnonzero(~REV)
    slips = {int(fwd[3]): 3, int(fwd[8]): 4, int(fwd[15]): 3, int(fwd[21]): 2}   # no run of 14 is left
    df = pd.DataFrame([_line(1, slips), _line(5, {j: 6 - v for j, v in slips.items()}),
                       np.where(REV, 1.0, 5.0)], columns=ITEMS)
    assert rules.longstring(df, INST, keyed_lines=False).isna().all()
    assert rules.longstring(df, INST).notna().tolist() == [True, False, False]    # the disagree end by default
    hit = rules.longstring(df, INST, keyed_agree=True, keyed_far=False).tolist()
    for h in hit[:2]:                           # keyed_far off: flagged at either end, a piece of evidence
        assert "24 of 28 answers are" in h and "4 reverse-keyed items among them" in h and rules.FAR not in h, h
    far = rules.longstring(df, INST, keyed_agree=True).tolist()
    for h in far[:2]:                           # by default far beyond the cut-off, excluded alone
        assert "24 of 28 answers are" in h and h.endswith(f"[{rules.FAR}]"), h
    assert pd.isna(far[2])
    run = _line(1, {int(fwd[3]): 3, int(fwd[20]): 4})      # a run of 16 is flagged; the keyed line makes it far
    assert rules.FAR not in rules.longstring(pd.DataFrame([run], columns=ITEMS), INST, keyed_far=False)[0]
    assert rules.longstring(pd.DataFrame([run], columns=ITEMS), INST)[0].endswith(f"[{rules.FAR}]")
    assert "the disagree end" in hit[0] and "the agree end" in hit[1]
    assert pd.isna(hit[2])                      # an extreme responder who follows the keying gives no keyed line
    assert CleanConfig().params("longstring")["keyed_lines"] is True
    assert CleanConfig().params("mahalanobis")["keyed_lines"] is True
    assert CleanConfig().params("longstring")["keyed_agree"] is False
    assert CleanConfig().params("longstring")["keyed_far"] is True
    assert CleanConfig().params("mahalanobis")["keyed_agree"] is False
    cfg = CleanConfig.from_dict({"longstring": {"keyed_lines": False}, "mahalanobis": {"keyed_agree": True}})
    assert cfg.params("longstring")["keyed_lines"] is False and cfg.params("mahalanobis")["keyed_agree"] is True
