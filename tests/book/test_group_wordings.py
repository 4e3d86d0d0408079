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


def test_prose_names_a_group_mid_sentence_and_tables_keep_the_wording(wordings):
    """Chapter 7's prose read "The smallest group is Government" and "the Research institute group": a sentence
    shows the wording in its mid-sentence form, the tables the wording itself; an acronym stays."""
    from iur_survey.report.groups import _merge_text, groups_glue
    roles = pd.DataFrame({"Role": ["enterprise", "research_institute", "government"], "n": [120, 60, 31]})
    assert "The smallest group is government with 31" in groups_glue(roles, None, None)["roles_text"][1]
    before = pd.DataFrame({"group": ["enterprise", "government", "research_institute", "university"],
                           "n": [164, 9, 65, 137], "p": 28, "q": 105, "min_n": 105,
                           "status": ["ok", "small", "small", "ok"]})
    main = {"groups": pd.DataFrame({"group": ["enterprise", "government+research_institute"], "n": [164, 74]}),
            "merge": {"government": "government+research_institute",
                      "research_institute": "government+research_institute"}}
    text = _merge_text(before, main)
    assert "the research institute group (*n* = 65)" in text and "government → government + research institute" in text
    assert "Research institute" not in text and "Government" not in text
    t = group_sizes_table(before, main["merge"])
    assert t.frame["Group"].tolist()[2] == "Research institute"
    assert t.frame["Analysed as"].tolist()[1] == "Government + Research institute"


def test_prose_keeps_an_acronym_and_a_proper_noun():
    inst = parse_instrument({"scale": {"min": 1, "max": 5}, "constructs": {"A": {"items": ["A1", "A2"]}},
                             "groups": {"soe": ["SOE"], "startup": ["Startup"], "gov": ["Government of Hubei"],
                                        "lab": ["Public lab"]}})
    from iur_survey.report.groups import groups_glue
    use_group_wordings(inst)
    try:
        text = groups_glue(None, None, None, inst)["partners_sentence"][1]
        assert "four stakeholder roles: SOE, startup, Government of Hubei, public lab." in text
        assert [group_label(g) for g in inst.groups] == ["SOE", "Startup", "Government of Hubei", "Public lab"]
    finally:
        use_group_wordings(None)


def test_the_studys_own_sentence_names_the_roles_in_lower_case():
    """The study's fixed opening ("enterprises, universities, research institutes and government") agrees with
    the prose form of the wordings, not with the tables' capitals."""
    from iur_survey.report.groups import groups_glue
    use_group_wordings(load_instrument())
    try:
        text = groups_glue(None, None, None, load_instrument())["partners_sentence"][1]
    finally:
        use_group_wordings(None)
    assert "enterprises, universities, research institutes and government." in text
