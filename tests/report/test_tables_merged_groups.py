"""`iur-survey tables` of a fit whose groups were merged before fitting with ``--merge-groups FROM=INTO``: the
merged group keeps INTO's label, so a column "research_institute" (n = 120) held the 12 government respondents
merged into it and no table said so.  The paths-by-group header, the group-size note and the per-group titles
now say "south (east merged into it)"; the "smallest" rule names both groups in its label and adds nothing."""

from __future__ import annotations

import json

import pytest

from iur_survey.report import paper

@pytest.fixture(scope="module")
def fits(merged_fits):
    """The fits of ``merged_fits`` (tests/report/conftest.py), read."""
    return {name: json.loads(path.read_text()) for name, path in merged_fits.items()}


def test_a_group_merged_into_another_is_named_in_the_tables(fits):
    r = fits["into"]
    by_group = paper.paths_by_group_apa(r)
    assert "south (east merged into it)" in by_group.frame.columns and "north" in by_group.frame.columns
    fit = paper.fit_apa({"into": r})
    assert "south (east merged into it) *n* =" in fit.note
    titles = [t.title for t in paper.paper_tables([r])]
    assert any("group south (east merged into it)" in t for t in titles)


def test_the_smallest_rule_names_its_groups_in_the_label(fits):
    r = fits["smallest"]
    by_group = paper.paths_by_group_apa(r)
    assert "east+south" in by_group.frame.columns
    assert not any("merged into it" in c for c in by_group.frame.columns)
