"""What a multi-group fit's terminal summary and paths-by-group table say about its equality constraints:
``--equal`` alone is named at the top of the summary (it was named only with ``--free``), and when every path
is constrained equal (one label shared by the groups) no Holm adjustment "over 0 paths" is claimed."""

from __future__ import annotations

import json
from pathlib import Path

from iur_survey.cli import main
from iur_survey.report.paper import paths_by_group_apa

HS = Path(__file__).resolve().parents[1] / "reference" / "data" / "hs1939.csv"
CFA = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"


def _fit(tmp_path, model: str, *extra) -> tuple[dict, str]:
    lav = tmp_path / "m.lav"
    lav.write_text(model, encoding="utf-8")
    out = tmp_path / "r.json"
    assert main(["fit", str(HS), "--model", str(lav), "--group", "school", "--out", str(out), *extra]) == 0
    return json.loads(out.read_text(encoding="utf-8")), str(out)


def test_equal_without_free_is_named_in_the_summary(tmp_path, capsys):
    _fit(tmp_path, CFA + "textual ~ c(a1, a2)*visual\n", "--equal", "loadings")
    lines = capsys.readouterr().out.splitlines()
    assert lines[2] == "  equal across groups (--equal): loadings"


def test_no_equal_no_constraint_line(tmp_path, capsys):
    _fit(tmp_path, CFA + "textual ~ c(a1, a2)*visual\n")
    assert "equal across groups (--equal)" not in capsys.readouterr().out


def test_every_path_shared_no_holm_over_zero_paths(tmp_path, capsys):
    r, _ = _fit(tmp_path, CFA + "textual ~ a*visual\nspeed ~ b*textual\n")
    out = capsys.readouterr().out
    assert "over 0 paths" not in out and "are the paths equal in every group? no path tested:" in out
    note = paths_by_group_apa(r).note
    assert "0 paths" not in note and "Holm" not in note
    assert "Every path is held equal across groups (one estimate for every group: a label shared by the groups, " \
        "lavaan's rule)." in note
    assert "Not tested (—): the paths held equal across groups." in note


def test_one_path_tested_is_singular(tmp_path):
    r, _ = _fit(tmp_path, CFA + "textual ~ c(a1, a2)*visual\nspeed ~ b*textual\n")
    note = paths_by_group_apa(r).note
    assert "adjusted over the one path tested." in note
