"""The book's tables (left-out s23) showed the demo's group codes as prose (research institute), not the
instrument's wordings (Research institute).  The chapters that show groups (3 and 7) now set the instrument's
wordings once (use_group_wordings), which every group table and sentence of theirs then uses."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from iur_survey.instrument import load_instrument, parse_instrument
from iur_survey.report.cleaning import role_table
from iur_survey.report.groups import group_header, group_label, group_sizes_table, use_group_wordings

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def wordings():
    use_group_wordings(load_instrument())
    yield
    use_group_wordings(None)


def test_group_tables_show_the_instruments_wordings(wordings):
    b = pd.DataFrame({"group": ["enterprise", "government", "research_institute"], "n": [300, 60, 150],
                      "p": 28, "q": 105, "min_n": 105, "status": ["ok", "small", "ok"]})
    t = group_sizes_table(b, {"government": "government+research_institute",
                              "research_institute": "government+research_institute"})
    assert t.frame["Group"].tolist() == ["Enterprise", "Government", "Research institute"]
    assert t.frame["Analysed as"].tolist()[1:] == ["Government + Research institute"] * 2
    roles = role_table(pd.DataFrame({"role": ["research_institute", "university", None]}), load_instrument())
    assert roles.frame["Role"].tolist()[:2] == ["University", "Research institute"]
    assert group_header("government+research_institute") == "G + RI"


def test_a_code_without_a_wording_stays():
    inst = parse_instrument({"scale": {"min": 1, "max": 5}, "constructs": {"A": {"items": ["A1", "A2"]}},
                             "groups": {"female": ["2", "Female"], "male": ["1"]}})
    use_group_wordings(inst)
    try:
        assert [group_label(g) for g in ("female", "male", "other_kind")] == ["Female", "1", "other kind"]
    finally:
        use_group_wordings(None)
    assert group_label("research_institute") == "research institute"


@pytest.mark.parametrize("chapter", ["03_data_cleaning.md", "07_groups.md"])
def test_the_chapters_with_groups_set_the_wordings(chapter):
    text = (REPO / "book" / chapter).read_text(encoding="utf-8")
    assert "use_group_wordings(inst)" in text
    assert text.index("use_group_wordings(inst)") < text.index("display(")
