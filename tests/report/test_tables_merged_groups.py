"""`iur-survey tables` of a fit whose groups were merged before fitting with ``--merge-groups FROM=INTO``: the
merged group keeps INTO's label, so a column "research_institute" (n = 120) held the 12 government respondents
merged into it and no table said so.  The paths-by-group header, the group-size note and the per-group titles
now say "south (east merged into it)"; the "smallest" rule names both groups in its label and adds nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from iur_survey.cli import main
from iur_survey.report import paper

DATA = Path("tests/reference/data/hs1939.csv")
MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\nspeed ~ visual\n"


@pytest.fixture(scope="module")
def fits(tmp_path_factory):
    d = tmp_path_factory.mktemp("merged_tables")
    hs = pd.read_csv(DATA)
    hs["site"] = ["north" if s == "Pasteur" else ("east" if i % 5 == 0 else "south")
                  for s, i in zip(hs["school"], hs["id"])]
    hs.to_csv(d / "hs3.csv", index=False)
    (d / "m.lav").write_text(MODEL)
    out = {}
    for name, spec in (("into", "east=south"), ("smallest", "smallest")):
        res = d / f"{name}.json"
        assert main(["fit", str(d / "hs3.csv"), "--model", str(d / "m.lav"), "--group", "site",
                     "--merge-groups", spec, "--quiet", "--out", str(res)]) == 0
        out[name] = json.loads(res.read_text())
    return out


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
