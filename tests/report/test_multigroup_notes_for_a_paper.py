"""What a paper author copies from the tables of a multi-group fit (helper paper29, session 29).

Before: the fit table's note repeated the fit's warnings with the command line's advice ("consider
--merge-groups 3=1 (or --merge-groups smallest)", "sort the data by 'wave' to make them agree", "write
`c(a1.g1, ...)*GOV` ... (`iur-survey fit DATA --group G --print-model` ...)") and the model file's name; the
notes named the options ("lavaan group.equal, `--equal`", "`--free`", "run `iur-survey fit --bootstrap B`",
"`iur-survey pls` (pass its pls.json)"); the structural paths table did not say which paths are held equal across
groups (a reader saw equal *b* and could not tell a constraint from an estimate), and the paths-by-group note said
"constrained equal across groups by the model" once per path.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.cli import main
from iur_survey.report import paper

HS = Path(__file__).resolve().parents[1] / "reference" / "data" / "hs1939.csv"
CFA = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"
#: an option of the command line or a command of the package, in a note
COMMAND = re.compile(r"(?<![\w-])--[a-z]|iur-survey")


def _odd_waves(folder: Path, small: int) -> Path:
    """HS1939 with a group column ``wave`` coded 1..3 out of order (2 first) and a small group 3 of ``small``
    cases, written to ``folder``/d.csv."""
    d = pd.read_csv(HS)
    rng = np.random.default_rng(29)
    wave = np.where(rng.random(len(d)) < .5, 2, 1)
    wave[rng.choice(np.arange(1, len(d)), small, replace=False)] = 3
    wave[0] = 2
    d["wave"] = wave
    d.to_csv(folder / "d.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def odd_groups(tmp_path_factory):
    """HS1939 with a group column coded 1..3 out of order (2 first) and a small group 3 (60 cases)."""
    return _odd_waves(tmp_path_factory.mktemp("odd"), 60)


def _fit(folder: Path, name: str, model: str, *extra) -> Path:
    lav = folder / f"{name}.lav"
    lav.write_text(model, encoding="utf-8")
    out = folder / f"{name}.json"
    assert main(["fit", str(folder / "d.csv"), "--model", str(lav), "--group", "wave", "--out", str(out),
                 "--quiet", *extra]) == 0
    return out


def _notes(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if ln.startswith("*Note.*")]


def test_fit_warnings_reach_the_note_as_facts_without_advice(odd_groups, capsys):
    res = _fit(odd_groups, "shared", CFA + "textual ~ a*visual\nspeed ~ c(b1, b2, b3)*textual\n")
    err = capsys.readouterr().err
    assert "--merge-groups" in err and "sort the data" in err          # the terminal keeps its advice
    out = odd_groups / "t.md"
    assert main(["tables", str(res), "--format", "md", "--out", str(out)]) == 0
    fit_note = _notes(out.read_text(encoding="utf-8"))[0]
    said = fit_note.split("Warnings of the fit: ", 1)[1]
    # the facts are there ...
    assert "group 1 is code '2', group 2 is code '1'" in said
    assert "group wave = 3 has 60 cases, fewer than" in said
    assert "a label written once (e.g." in said and "names ONE parameter shared by all 3 groups" in said
    # ... the advice, the file and the option names are not
    for gone in ("consider", "merge-groups", "sort the data", "write `c(", "print-model", "shared.lav",
                 str(odd_groups)):
        assert gone not in said, gone
    assert not COMMAND.search(said)


def test_no_note_names_an_option_or_a_command(odd_groups):
    res = _fit(odd_groups, "partial", CFA + "textual ~ visual\nspeed ~ textual\n",
               "--equal", "loadings,regressions", "--free", "speed ~ textual")
    for fmt in ("md", "html", "tex"):
        out = odd_groups / f"p.{fmt}"
        assert main(["tables", str(res), "--format", fmt, "--out", str(out)]) == 0
        # the tables and their notes (a LaTeX file's comment lines name the packages it needs, for the author)
        text = "\n".join(ln for ln in out.read_text(encoding="utf-8").splitlines() if not ln.startswith("%"))
        assert not COMMAND.search(text), COMMAND.search(text)
        assert "group.partial" in text and "group.equal" in text   # lavaan's names stay


def test_paths_tables_say_which_paths_are_held_equal(odd_groups):
    shared = paper.load_results(_fit(odd_groups, "shared2", CFA + "textual ~ a*visual\nspeed ~ c(b1, b2, b3)*textual\n"))
    free = paper.load_results(_fit(odd_groups, "free", CFA + "textual ~ visual\nspeed ~ textual\n"))
    ge = paper.load_results(_fit(odd_groups, "ge", CFA + "textual ~ visual\nspeed ~ textual\n",
                                 "--equal", "regressions", "--free", "speed ~ textual"))
    held = ("Held equal across groups (one estimate for every group): by a label shared by the groups (lavaan's "
            "rule), visual → textual (a). The other paths are estimated freely in each group.")
    assert held in paper.paths_apa(shared).note and held in paper.paths_by_group_apa(shared).note
    none = "No path is held equal across groups: each is estimated freely in each group."
    assert none in paper.paths_apa(free).note and none in paper.paths_by_group_apa(free).note
    by_ge = ("Held equal across groups (one estimate for every group): by lavaan group.equal, visual → textual. "
             "The other paths are estimated freely in each group.")
    assert by_ge in paper.paths_apa(ge).note
    # one sentence for the untested paths, not one per path
    assert paper.paths_by_group_apa(shared).note.count("constrained equal across groups by the model") == 0
    assert "Not tested (—): the paths held equal across groups." in paper.paths_by_group_apa(shared).note


def test_a_warning_said_twice_is_written_once():
    w = "group 'c' of 'g' has 60 cases; consider --merge-groups smallest"
    r = {"n": 300, "estimator": "ML", "missing": "listwise", "converged": True, "estimates": [],
         "fit": {"chisq": 85.3, "df": 24, "pvalue": 1e-8}, "warnings": [w, w + "."],
         "call": {"options": {"group": "g"}}}
    note = paper.fit_apa({"m": r}).note
    assert note.endswith("Warnings of the fit: group c has 60 cases.")


def test_effects_and_discriminant_notes_give_no_command_line_advice(odd_groups):
    res = paper.load_results(_fit(odd_groups, "eff", CFA + "textual ~ a*visual\nspeed ~ b*textual\nind := a*b\n"))
    assert not COMMAND.search(paper.effects_apa(res).note)
    assert "(delta method)" in paper.effects_apa(res).note


def test_estimates_of_a_thousand_or_more_have_the_comma_chi_square_has(tmp_path):
    """An item on a scale of thousands (x2 and x4 times 3,000): *b*, *SE* and the CI bounds of 1,000 or more are
    written with the comma the fit table's χ² has (APA 6.38; before: "5512.345" beside "1,667.52")."""
    d = pd.read_csv(HS)
    d["x2"] *= 3_000
    d["x4"] *= 3_000
    d.to_csv(tmp_path / "d.csv", index=False)
    (tmp_path / "m.lav").write_text("visual =~ x1 + x2 + x3\nx4 ~ visual\n", encoding="utf-8")
    out = tmp_path / "r.json"
    assert main(["fit", str(tmp_path / "d.csv"), "--model", str(tmp_path / "m.lav"), "--out", str(out),
                 "--quiet"]) == 0
    res = paper.load_results(out)
    est = {(e["lhs"], e["op"], e["rhs"]): e for e in res["estimates"]}
    load, path = est[("visual", "=~", "x2")], est[("x4", "~", "visual")]
    assert abs(load["est"]) >= 1000 and abs(path["est"]) >= 1000          # the case the test is about
    meas = paper.measurement_apa(res).frame.set_index("Item")
    assert meas.loc["x2", "*b*"] == f"{load['est']:,.3f}".replace("-", "−")
    paths = paper.paths_apa(res).frame
    assert paths["*b*"].tolist() == [f"{path['est']:,.3f}".replace("-", "−")]
    assert paths["*SE*"].tolist() == [f"{path['se']:,.3f}"]
    assert paths["95% CI"].tolist() == ["[" + ", ".join(f"{path[k]:,.3f}".replace("-", "−")
                                                        for k in ("ci.lower", "ci.upper")) + "]"]


def test_the_diagram_of_a_group_says_which_paths_are_held_equal(odd_groups):
    """A group's diagram shows std.all, which differs by group for a path held equal: its legend says the path
    is held equal (before: nothing; two groups' diagrams read as two estimates)."""
    res = _fit(odd_groups, "shared3", CFA + "textual ~ a*visual\nspeed ~ c(b1, b2, b3)*textual\n")
    svg = odd_groups / "g3.svg"
    assert main(["diagram", str(res), "--group", "3", "--out", str(svg)]) == 0
    text = svg.read_text(encoding="utf-8")
    assert ("Held equal across groups (one unstandardized estimate for all groups; std.all differs by group): "
            "visual → textual.") in text
    free = _fit(odd_groups, "free3", CFA + "textual ~ visual\nspeed ~ textual\n")
    assert main(["diagram", str(free), "--group", "3", "--out", str(svg)]) == 0
    assert "Held equal" not in svg.read_text(encoding="utf-8")


def test_the_invariance_table_carries_its_steps_warnings(tmp_path):
    """A group with fewer cases than the free parameters of the configural and scalar models is said in the
    invariance table, beside "Highest level supported" (before: only in results.json and on the terminal; the
    note said nothing), without the advice ("merge it with another group, or collect more responses") and
    without repeating what the fit table says."""
    _odd_waves(tmp_path, 26)
    out = _fit(tmp_path, "cfa", CFA, "--invariance")
    res = paper.load_results(out)
    note = paper.invariance_apa(res).note
    said = note.split(" Warnings of the steps: ", 1)[1]
    assert "configural: group wave = 3 has 26 cases in the fit for the 30 free parameters of its own: fewer " \
           "cases than parameters" in said
    assert "scalar: group wave = 3 has 26 cases" in said
    assert not COMMAND.search(note) and "merge it" not in note and "collect more" not in note
    fit_note = paper.fit_apa(res).note
    assert "sort the data" not in said and "positions, not codes" in fit_note and "positions, not codes" not in said


def test_a_label_shared_by_some_groups_is_not_called_free():
    """``c(a, a, b)*visual``: the path is one parameter in the first two groups.  Before, the note said "No path is
    held equal across groups: each is estimated freely in each group"."""
    est = [{"lhs": "textual", "op": "~", "rhs": "visual", "group": g, "label": lab, "est": 0.4}
           for g, lab in (("g1", "a"), ("g2", "a"), ("g3", "b"))]
    note = paper._equal_paths_note({"estimates": est})
    assert "estimated freely in each group" not in note
    assert "Held equal in some groups only" in note and "(a: g1, g2)" in note
