"""The paper's simple-slopes table of a latent interaction (results.json's ``interaction`` of ``iur-survey fit``)
against semTools 0.5-6's probe2WayMC(group = g) and the Johnson-Neyman bounds of the committed references
(tests/sem/interaction_refs/make_group_refs.R -> group_refs.json): every printed number within half a printed
unit; a group without slopes says why in the note."""

from __future__ import annotations

import re
from pathlib import Path

import json

from iur_survey.cli import main
from iur_survey.report import paper
from iur_survey.sem.results_file import load_results_file

REFS = Path(__file__).resolve().parents[1] / "sem" / "interaction_refs"
GREF = json.loads((REFS / "group_refs.json").read_text())


def _nums(cell: str) -> list[float]:
    return [float(x.replace("−", "-")) for x in re.findall(r"−?\d*\.\d+", cell)]


def _close(printed: float, ref: float, decimals: int = 3, rel: float = 0.0) -> None:
    assert abs(printed - ref) <= 0.5 * 10 ** -decimals + 1e-4 + rel * abs(ref), (printed, ref)


def test_simple_slopes_table_as_probe2waymc(tmp_path, capsys):
    model, out = tmp_path / "m.lav", tmp_path / "results.json"
    model.write_text(GREF["user_model"] + "\n")
    assert main(["fit", str(REFS / GREF["data"]), "--model", str(model), "--group", "g", "--out", str(out),
                 "--quiet"]) == 0
    doc = load_results_file(out)
    t = paper.simple_slopes_apa(doc)
    assert list(t.frame.columns) == ["Group", "Path", "Moderator", "Value", "*b*", "*SE*", "95% CI", "*p*"]
    assert list(t.frame["Moderator"][:3]) == ["B −1 SD", "B mean", "B +1 SD"]
    for g, probe in GREF["groups"]["probe"].items():
        rows = t.frame[t.frame["Group"] == g]
        assert len(rows) == 3 and set(rows["Path"]) == {"A → Y"}
        for k, r in enumerate(rows.to_dict("records")):
            _close(_nums(r["Value"])[0], probe["moderator"][k])
            _close(_nums(r["*b*"])[0], probe["slope"][k])
            _close(_nums(r["*SE*"])[0], probe["se"][k])
        lo, hi = probe["jn"]
        assert f"A → Y ({g}): significant (*p* < .05) for B " in t.note
        said = re.search(rf"A → Y \({g}\): significant \(\*p\* < \.05\) for B below (\S+) and above (\S+) \(", t.note)
        _close(_nums(said.group(1))[0], lo, rel=2e-5)       # (a far bound, -338, moves with the last digits)
        _close(_nums(said.group(2))[0], hi, rel=2e-5)
    titles = [x.title for x in paper.paper_tables([doc])]
    assert "Simple slopes of the latent interactions" in titles
    assert "Johnson–Neyman" in paper.to_markdown([t]) and "B $-$1 SD" in paper.to_latex([t])
    # a group whose latent means are free (--equal intercepts) has no slopes: the note says why
    assert main(["fit", str(REFS / GREF["data"]), "--model", str(model), "--group", "g", "--equal",
                 "loadings,intercepts", "--out", str(out), "--quiet"]) == 0
    t = paper.simple_slopes_apa(load_results_file(out))
    assert set(t.frame["Group"]) == {"north"} and "in group south" in t.note
    capsys.readouterr()


def test_no_interaction_no_table():
    assert paper.simple_slopes_apa({"estimates": []}) is None
