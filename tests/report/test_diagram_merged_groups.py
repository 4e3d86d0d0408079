"""``iur-survey diagram --group`` of a fit whose groups were merged before fitting (``fit --merge-groups``): the
legend and the printed line name the group as the fit does, and say which groups were merged into it when the
label does not; a group merged away is refused with the group it went into."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from iur_survey.cli import main
from iur_survey.report.diagram import sem_graph

needs_dot = pytest.mark.skipif(not shutil.which("dot"), reason="Graphviz (dot) not installed")


@pytest.fixture(scope="module")
def fits(merged_fits):
    """The fits of ``merged_fits`` (tests/report/conftest.py)."""
    return merged_fits


def test_fit_labels_and_merges(fits):
    into = json.loads(fits["into"].read_text())
    smallest = json.loads(fits["smallest"].read_text())
    assert list(into["groups"]) == ["north", "south"] and into["groups_merged"] == {"east": "south"}
    assert list(smallest["groups"]) == ["north", "east+south"]


@needs_dot
@pytest.mark.parametrize("name, group, caption", [
    ("into", "south", "south (east merged into it)"),
    ("into", "north", "north"),
    ("smallest", "east+south", "east+south")])
def test_legend_names_the_merged_group(fits, tmp_path, capsys, name, group, caption):
    dot = tmp_path / "d.dot"
    assert main(["diagram", str(fits[name]), "--group", group, "--out", str(tmp_path / "d.svg"),
                 "--dot", str(dot)]) == 0
    assert f"Group: {caption}<" in dot.read_text()
    assert f"(group {caption});" in capsys.readouterr().out


@needs_dot
def test_group_merged_away_is_refused_with_its_new_group(fits, tmp_path, capsys):
    assert main(["diagram", str(fits["into"]), "--group", "east", "--out", str(tmp_path / "d.svg")]) == 2
    assert "'east' was merged into 'south' before fitting: use --group 'south'" in capsys.readouterr().err


def test_sem_graph_caption_without_a_merge_unchanged():
    est = pd.DataFrame({"lhs": ["F", "F", "F", "F"], "op": ["=~"] * 4, "rhs": ["a", "b", "a", "b"],
                        "group": ["g1", "g1", "g2", "g2"], "est": [1, .9, 1, .8], "pvalue": [None, 1e-5, None, 1e-5],
                        "std.all": [.8, .7, .8, .7]})
    assert "Group: g2<" in sem_graph(est, group="g2").source
    assert "Group: g2 (g3 merged into it)<" in sem_graph(est, group="g2", group_merged={"g3": "g2"}).source


@needs_dot
def test_without_group_says_which_group_it_drew(fits, tmp_path, capsys):
    """A multi-group fit drawn without --group: the first group, said on stderr with the others' labels (an outside
    audit found only the legend naming it)."""
    assert main(["diagram", str(fits["into"]), "--out", str(tmp_path / "d.svg")]) == 0
    err = capsys.readouterr().err
    assert "note: a fit of 2 groups; drew the first, north (--group LABEL draws another: south)" in err
