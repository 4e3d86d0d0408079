"""The book's tables and figure say when a solution is improper (audit s19 semaudit C1): the notes of the
structural chapter's tables, the diagram's legend and the hypotheses' verdicts, as `iur-survey tables` /
`diagram` do; chapters 5-8 pass them."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from iur_survey.report import sem_tables
from iur_survey.report.diagram import SHORT_LABELS, sem_graph
from iur_survey.report.paper import improper_note as paper_improper_note

BOOK = Path(__file__).resolve().parents[2] / "book"


def _estimates(heywood: bool) -> pd.DataFrame:
    """A study-shaped estimates table (mechanism GOV -> COL -> INT, its indirect effect); with ``heywood`` INT1's
    residual variance is negative and its standardized loading 1.22 (the audit's sim_hey.csv)."""
    rows = [("GOV", "=~", "GOV1", "", 1.0, 0.0, 0.8), ("GOV", "=~", "GOV2", "", 0.9, 0.05, 0.7),
            ("COL", "=~", "COL1", "", 1.0, 0.0, 0.8), ("COL", "=~", "COL2", "", 0.9, 0.05, 0.7),
            ("INT", "=~", "INT1", "", 1.0, 0.0, 1.22 if heywood else 0.8), ("INT", "=~", "INT2", "", 0.9, 0.05, 0.7),
            ("COL", "~", "GOV", "a1", 0.4, 0.05, 0.38), ("INT", "~", "COL", "b", 0.5, 0.06, 0.45),
            ("INT", "~", "GOV", "c1", 0.1, 0.05, 0.09),
            ("INT1", "~~", "INT1", "", -1.0 if heywood else 0.4, 0.2, -0.5 if heywood else 0.36),
            ("ind_GOV", ":=", "a1*b", "ind_GOV", 0.2, 0.04, 0.17)]
    est = pd.DataFrame(rows, columns=["lhs", "op", "rhs", "label", "est", "se", "std.all"])
    est["z"] = est["est"] / est["se"].where(est["se"] > 0)
    est["pvalue"] = [0.0001 if s > 0 else float("nan") for s in est["se"]]
    est["ci.lower"], est["ci.upper"] = est["est"] - 0.1, est["est"] + 0.1
    est["std.lv"] = est["std.all"]
    return est


def test_the_improper_helpers_are_the_ones_of_the_cli():
    assert paper_improper_note is sem_tables.improper_note       # one implementation (report.paper re-exports it)
    bad = sem_tables.improper_solution(_estimates(True))
    assert bad == ["standardized loading of INT1 on INT beyond ±1 (1.220)", "negative residual variance of INT1"]
    assert sem_tables.improper_legend(_estimates(True)) == [f"IMPROPER SOLUTION (lavaan warns): {w}." for w in bad]
    assert sem_tables.improper_solution(_estimates(False)) == []


def test_tables_of_an_improper_solution_say_so():
    est = _estimates(True)
    for table in (sem_tables.paths_table(est), sem_tables.defined_table(est), sem_tables.loadings_table(est)):
        assert "IMPROPER SOLUTION (lavaan warns): standardized loading of INT1 on INT beyond ±1" in table.note
        assert "negative residual variance of INT1" in table.note
    h = sem_tables.hypotheses_table(est, note="Supported: a positive estimate with p < .05.")
    assert set(h.frame["Supported"]) <= {"yes (improper solution)", "no (improper solution)"}
    assert h.frame["Supported"].str.endswith("(improper solution)").all() and len(h.frame) == 3
    assert h.note.startswith("The verdicts come from an IMPROPER SOLUTION (lavaan warns): ")
    assert h.note.endswith("Supported: a positive estimate with p < .05.")          # the caller's note is kept
    assert "IMPROPER" in sem_tables.improper_fits({"ML, FIML": est, "MLR": _estimates(False)})
    assert "MLR" not in sem_tables.improper_fits({"ML, FIML": est, "MLR": _estimates(False)})


def test_tables_of_a_proper_solution_are_unchanged():
    est = _estimates(False)
    for table in (sem_tables.paths_table(est), sem_tables.defined_table(est), sem_tables.loadings_table(est),
                  sem_tables.hypotheses_table(est, note="n")):
        assert "IMPROPER" not in (table.note or "")
    assert set(sem_tables.hypotheses_table(est).frame["Supported"]) <= {"yes", "no"}
    assert sem_tables.improper_fits({"ML": est}) == ""


def test_the_diagram_legend_of_the_book():
    est = _estimates(True)
    g = sem_graph(est, r2={"COL": 0.2, "INT": 0.3}, labels=SHORT_LABELS, notes=sem_tables.improper_legend(est))
    assert "IMPROPER SOLUTION (lavaan warns): negative residual variance of INT1." in g.source


def _code(chapter: str) -> str:
    text = (BOOK / chapter).read_text(encoding="utf-8")
    return "\n".join(re.findall(r"```\{code-cell\}[^\n]*\n(.*?)```", text, flags=re.S))


def test_chapters_5_to_8_show_an_improper_solution():
    ch5 = _code("05_structural.md")
    assert "notes=improper_legend(est)" in ch5                  # the figure's legend, as `iur-survey diagram`
    assert "improper_note(est)" in ch5                          # the fit table's note, as `iur-survey tables`
    assert "hypotheses_table(" in ch5 and '"Improper solution"' in ch5
    for chapter in ("06_mediation.md", "07_groups.md", "08_robustness.md"):
        code = _code(chapter)
        assert "improper_fits(" in code and '"Improper solution"' in code, chapter
