"""Questions a branch of the questionnaire hides: an export without Finished/Progress writes them as empty
cells, like questions left unanswered, so the break-off inference (``unfinished``) took the respondents the
branch led past the items for break-offs.  The instrument's ``skip_logic`` says which items a branch may hide;
without it the ledger says that such a row went on to a later question."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.clean import CleanConfig, clean
from iur_survey.errors import InstrumentError
from iur_survey.instrument import load_instrument, parse_instrument
from iur_survey.read import read_export

REAL = Path(__file__).resolve().parent.parent / "fixtures" / "real"
STAR_WARS = REAL / "surveymonkey_538_star_wars.csv"
SCREEN = CleanConfig.from_dict({"rules": ["status", "unfinished", "duplicate_id", "out_of_range"]})
HINT = "a later question was answered: if a branch of the questionnaire hid these items"


def _clean(path, inst, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return clean(read_export(path, inst, **kw), inst, SCREEN)


def _star_wars(skip=None):
    inst = load_instrument(REAL / "instruments" / "surveymonkey_538_star_wars.yaml")
    if skip:
        inst = parse_instrument({**inst.raw, "skip_logic": skip}, inst.path)
    return _clean(STAR_WARS, inst, encoding="mac_roman")


def _seen_and_later():
    """Per respondent: the answer to "Have you seen any of the 6 films?" and whether a question after the
    characters other than the group (gender) was answered."""
    raw = pd.read_csv(STAR_WARS, encoding="mac_roman", header=None, dtype=str, keep_default_na=False)
    top, data = raw.iloc[0].tolist(), raw.iloc[2:]
    after = [k for k in range(top.index("Which character shot first?"), len(top)) if top[k] != "Gender"]
    later = data.iloc[:, after].apply(lambda c: c.str.strip() != "").any(axis=1)       # the group is read
    return pd.DataFrame({"seen": data[1].to_numpy(), "later": later.to_numpy()}, index=data[0].to_numpy())


def test_star_wars_branch_undeclared_is_unfinished_and_the_ledger_says_it_went_on():
    """250 respondents who had seen no film were not asked about the characters; 357 rows were 'unfinished'
    (no Finished/Progress; on main the ledger gave no hint), 247 of them answered the demographics after."""
    res = _star_wars()
    led = res.exclusions[res.exclusions["rule"] == "unfinished"]
    assert len(led) == 357 and len(res.clean) == 829
    hinted = led["detail"].str.contains(HINT, regex=False)
    assert hinted.sum() == 247
    who = _seen_and_later().loc[led["response_id"].astype(str)]
    assert who["later"].to_numpy()[hinted.to_numpy()].all() and not who["later"].to_numpy()[~hinted.to_numpy()].any()
    assert "skip_logic" in res.report["rule_notes"]["unfinished"]


def test_star_wars_branch_declared_keeps_those_who_went_on():
    res = _star_wars(["HERO", "VILL"])
    led = res.exclusions[res.exclusions["rule"] == "unfinished"]
    assert len(led) == 110 and len(res.clean) == 1076
    who = _seen_and_later()
    assert not who.loc[led["response_id"].astype(str), "later"].any()       # the excluded stopped
    kept = res.clean.set_index("response_id")
    codes = [f"HERO{i}" for i in range(1, 7)] + ["VILL1", "VILL2", "VILL3"]
    branch = who.index[(who["seen"] == "No") & who["later"]]
    assert len(branch) == 240 and kept.loc[branch, codes].isna().all().all()
    assert "skip_logic lists" in res.report["rule_notes"]["unfinished"]


def _write(tmp_path, head, rows) -> Path:
    p = tmp_path / "x.csv"
    p.write_text("\n".join(",".join(r) for r in [head, *rows]) + "\n", encoding="utf-8")
    return p


def _unfinished(res) -> dict:
    led = res.exclusions[res.exclusions["rule"] == "unfinished"]
    return dict(zip(led["response_id"], led["detail"]))


def test_plain_export_branch_before_a_later_question(tmp_path):
    """R2: a branch hid every item and led on to the rating; R3 stopped before the items; R4 after VAL."""
    inst = load_instrument()
    codes = list(inst.item_codes)
    rows = [["R1", "enterprise", *(["3"] * 28), "5"], ["R2", "enterprise", *([""] * 28), "4"],
            ["R3", "government", *([""] * 28), ""], ["R4", "government", *(["3"] * 20 + [""] * 8), ""],
            ["R5", "university", *(["3"] * 28), "5"]]
    p = _write(tmp_path, ["ResponseId", "role", *codes, "rating"], rows)
    before = _unfinished(_clean(p, inst))
    assert sorted(before) == ["R2", "R3", "R4"] and HINT in before["R2"] and HINT not in before["R3"]
    declared = parse_instrument({**inst.raw, "skip_logic": list(inst.constructs)}, inst.path)
    res = _clean(p, declared)
    after = _unfinished(res)
    assert sorted(after) == ["R3", "R4"]                        # they answered nothing after: they stopped
    assert after["R4"] == "no Finished/Progress recorded; last 8 items unanswered (COL1-INT4)"
    assert res.clean.set_index("response_id").loc["R2", codes].isna().all()


def test_plain_export_branch_at_the_end(tmp_path):
    """No question after the items: a blank on a declared item is not shown in every row."""
    inst = load_instrument()
    codes = list(inst.item_codes)
    rows = [["R1", "enterprise", *(["3"] * 28)], ["R2", "enterprise", *(["3"] * 24 + [""] * 4)],
            ["R4", "government", *(["3"] * 20 + [""] * 8)], ["R5", "university", *(["3"] * 28)]]
    p = _write(tmp_path, ["ResponseId", "role", *codes], rows)
    assert sorted(_unfinished(_clean(p, inst))) == ["R2", "R4"]
    declared = parse_instrument({**inst.raw, "skip_logic": ["INT"]}, inst.path)
    res = _clean(p, declared)
    assert _unfinished(res) == {"R4": "no Finished/Progress recorded; last 4 items unanswered (COL1-INT4), "
                                      "besides 4 not shown"}
    assert np.isnan(res.clean.set_index("response_id").loc["R2", "INT1"])
    assert "the 8 blank cell(s) of the items the instrument's skip_logic lists (INT1-INT4)" in \
        res.report["rule_notes"]["unfinished"]


def test_plain_export_finished_column_is_not_touched(tmp_path):
    """With Finished recorded the tool says who finished: skip_logic changes nothing."""
    inst = load_instrument()
    codes = list(inst.item_codes)
    head = ["ResponseId", "Finished", "role", *codes]
    rows = [["R1", "True", "enterprise", *(["3"] * 28)], ["R2", "False", "enterprise", *(["3"] * 24 + [""] * 4)]]
    p = tmp_path / "q.csv"
    p.write_text("\n".join(",".join(r) for r in [head, *rows]) + "\n", encoding="utf-8")
    declared = parse_instrument({**inst.raw, "skip_logic": ["INT"]}, inst.path)
    res = _clean(p, declared)
    assert res.exclusions["response_id"].tolist() == ["R2"]


def test_skip_logic_names_only_constructs_or_items():
    inst = load_instrument()
    with pytest.raises(InstrumentError, match="skip_logic: 'INT9' is no construct or item"):
        parse_instrument({**inst.raw, "skip_logic": ["INT9"]}, inst.path)
    assert parse_instrument({**inst.raw, "skip_logic": "TAL"}, inst.path).skip_logic == ("TAL1", "TAL2", "TAL3", "TAL4")
