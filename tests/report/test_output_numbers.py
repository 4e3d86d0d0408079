"""What the tables and the diagram say of a number must be what results.json holds (an audit of every output
against results.json, session 31): a path the model fixes (``0.1*textual``) is neither an estimate with *SE*
0.000 and a zero-width CI, nor "held equal across groups" by group.equal, nor "estimated freely"; and the fit
table does not send the reader to the fit's warnings for robust indices that lavaan does not define when the
only warning is about something else (a small group)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iur_survey.cli import main
from iur_survey.report import paper
from iur_survey.report.diagram import equal_paths_line

HS = Path(__file__).resolve().parents[1] / "reference" / "data" / "hs1939.csv"
FIXED = ("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"
         "speed ~ visual + 0.1*textual\n")


def _fit(tmp_path, *extra) -> dict:
    (tmp_path / "m.lav").write_text(FIXED, encoding="utf-8")
    out = tmp_path / "r.json"
    assert main(["fit", str(HS), "--model", str(tmp_path / "m.lav"), "--quiet", "--out", str(out), *extra]) == 0
    return json.loads(out.read_text(encoding="utf-8"))


def test_a_fixed_path_shows_no_se_or_ci_and_the_note_names_it(tmp_path):
    """Before: textual → speed read b 0.100, SE 0.000, 95% CI [0.100, 0.100] (lavaan's se 0 of a fixed value),
    unlike the measurement table's fixed loadings (SE —), with no word that the path was not estimated."""
    r = _fit(tmp_path)
    t = paper.paths_apa(r)
    row = t.frame.set_index("Path").loc["textual → speed"]
    assert (row["*b*"], row["*SE*"], row["95% CI"], row["*p*"]) == ("0.100", "—", "—", "—")
    free = t.frame.set_index("Path").loc["visual → speed"]
    assert free["*SE*"] != "—" and free["95% CI"].startswith("[")
    assert "Fixed by the model (not estimated; no *SE*, CI or *p*): textual → speed at 0.100." in t.note


@pytest.mark.parametrize("equal", [[], ["--equal", "regressions"]])
def test_a_fixed_path_is_neither_held_equal_nor_estimated_freely(tmp_path, equal):
    """Before, with --equal regressions: "Every path is held equal across groups (one estimate for every group:
    lavaan group.equal)" in the paths tables and the diagram's legend listed textual → speed as held equal; without
    it: "No path is held equal across groups: each is estimated freely in each group" of a path fixed at 0.1."""
    r = _fit(tmp_path, "--group", "school", *equal)
    assert ("speed", "textual") not in paper.equal_paths(r)
    assert paper.fixed_paths(r) == {("speed", "textual"): [("Pasteur", 0.1), ("Grant-White", 0.1)]}
    for t in (paper.paths_apa(r), paper.paths_by_group_apa(r)):
        assert "Fixed by the model (not estimated; no *SE*, CI or *p*): textual → speed at 0.100." in t.note
        assert "Every path is held equal" not in t.note
        assert "No path is held equal across groups: each is estimated freely" not in t.note
        if equal:
            assert "Every estimated path is held equal across groups" in t.note
        else:
            assert "No estimated path is held equal across groups" in t.note
    line = equal_paths_line(r)
    assert (line is None) if not equal else ("textual → speed" not in line and "visual → speed" in line)


def test_fit_note_does_not_blame_an_unrelated_warning_for_undefined_robust_indices():
    """A WLSMV fit of groups with equal thresholds: lavaan 0.6.14 reports cfi/tli/rmsea.robust NA with no warning.
    When the fit had another warning (the demo's government group of 95 is small), the note read "—: could not be
    computed (the fit's warnings below say why)", and the only warning below was the small group's."""
    r = {"n": 805, "estimator": "WLSMV", "converged": True,
         "warnings": ["group 'government' of 'role' has 95 cases, fewer than the 105 the small-group rule asks"],
         "fit": {"chisq": 1267.05, "df": 1610, "pvalue": 1.0, "cfi": 1.0, "tli": 1.012, "rmsea": 0.0,
                 "srmr": .055, "chisq.scaled": 1747.14, "df.scaled": 1610, "pvalue.scaled": .009,
                 "cfi.scaled": .9862, "tli.scaled": .9871, "rmsea.scaled": .0206, "cfi.robust": None,
                 "tli.robust": None, "rmsea.robust": None}}
    note = paper.fit_apa({"m": r}).note
    assert "warnings below say why" not in note
    assert "cfi.robust, tli.robust, rmsea.robust not defined for this fit (lavaan 0.6.14 reports NA)" in note
    assert "cfi.scaled = .986, tli.scaled = .987, rmsea.scaled = .021" in note
    r["warnings"].append("computation of robust CFI failed: the baseline model's information is singular")
    assert "—: could not be computed (the fit's warnings below say why)" in paper.fit_apa({"m": r}).note


PARTLY = ("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"
          "speed ~ c(a, a, b)*visual + textual\n")


def test_a_path_equal_in_some_groups_only_is_in_the_legend_and_its_wald_df_explained(tmp_path):
    """``c(a, a, b)*visual``: the path is one parameter in the first two groups.  Before, the paths-by-group note said
    "df = groups − 1" beside a Wald χ² of df 1 for that path (2 for the other), and the diagram of either of the
    two groups did not say that its visual → speed is the other's estimate (the tables' notes did)."""
    from .conftest import three_groups
    data = three_groups(tmp_path / "hs3.csv", "site", ("north", "east", "south"))
    (tmp_path / "m.lav").write_text(PARTLY, encoding="utf-8")
    res = tmp_path / "r.json"
    assert main(["fit", str(data), "--model", str(tmp_path / "m.lav"), "--group", "site", "--quiet",
                 "--out", str(res)]) == 0
    r = json.loads(res.read_text(encoding="utf-8"))
    (lab, shared), = paper.partly_equal_paths(r).values()
    assert lab == "a" and len(shared) == 2
    t = paper.paths_by_group_apa(r)
    wald = t.frame.set_index("Path")["Wald χ² (df)"]
    assert wald["visual → speed"].endswith("(1)") and wald["textual → speed"].endswith("(2)")
    assert "(df = groups − 1, fewer where a label shared by some groups already holds them equal" in t.note
    other = next(g for g in r["groups"] if g not in shared)
    for g in list(shared) + [other]:
        gv = tmp_path / f"{g}.gv"
        assert main(["diagram", str(res), "--group", g, "--out", str(tmp_path / f"{g}.svg"), "--dot", str(gv)]) == 0
        line = f"Held equal in some groups only (one unstandardized estimate for them; a label they share): " \
               f"visual → speed ({', '.join(shared)})."
        assert (line in gv.read_text(encoding="utf-8")) is (g in shared)


def test_a_beta_of_thousands_has_the_comma_of_its_b_and_ci(tmp_path, capsys):
    """``big := 10000*a``: b 2,0xx.xxx and the β 95% CI [1,xxx.xxx, ...] had the thousands comma, the β between them
    not (3471.239 beside [2,786.711, 4,155.767] on the demo); the terminal summary printed est, SE and std.all
    without it beside a CI with it."""
    (tmp_path / "m.lav").write_text("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"
                                    "speed ~ a*visual + textual\nbig := 10000*a\n", encoding="utf-8")
    out = tmp_path / "r.json"
    assert main(["fit", str(HS), "--model", str(tmp_path / "m.lav"), "--quiet", "--out", str(out)]) == 0
    r = json.loads(out.read_text(encoding="utf-8"))
    big = next(e for e in r["estimates"] if e["lhs"] == "big")
    assert abs(big["std.all"]) >= 1000
    row = paper.effects_apa(r).frame.set_index("Effect").loc["big"]
    assert row["β"].rstrip("*") == f"{big['std.all']:,.3f}"
    assert row["*b*"] == f"{big['est']:,.3f}" and "," in row["β 95% CI"]
    line = next(ln for ln in capsys.readouterr().out.splitlines() if "big := " in ln)
    assert f"{big['est']:,.3f}" in line and f"{big['std.all']:,.3f}" in line
