"""A ``:=`` definition is code, not prose: every table format shows it verbatim, never with the ``*italic*`` rule
(audit C3: ``ratio := a*b/(c+a*b)`` came out as Word "ab/(c+ab)" with "b/(c+a" in italics, LaTeX
``a\\textit{b/(c+a}b)`` and unescaped Markdown)."""

from __future__ import annotations

import csv
import io

import pytest

from iur_survey.report import paper
from iur_survey.report.sem_tables import defined_table

FORMULAS = {"ind": "a*b", "serial": "a*d*b", "ratio": "a*b/(c+a*b)", "ind_x_y": "a_1*d_2*b_3",
            "tot_x": "c_x+a_1*b_3"}


def _results() -> dict:
    rows = [{"lhs": "y", "op": "~", "rhs": "x", "label": "c", "est": 0.2, "se": 0.1, "z": 2.0, "pvalue": 0.04,
             "ci.lower": 0.0, "ci.upper": 0.4, "std.lv": 0.2, "std.all": 0.18}]
    for k, (lhs, rhs) in enumerate(FORMULAS.items()):
        rows.append({"lhs": lhs, "op": ":=", "rhs": rhs, "label": lhs, "est": 0.1 + k / 10, "se": 0.05, "z": 4.0,
                     "pvalue": 1e-4, "ci.lower": 0.01, "ci.upper": 0.9, "std.lv": 0.1, "std.all": 0.1})
    return {"n": 200, "estimator": "ML", "converged": True, "estimates": rows}


@pytest.fixture(scope="module")
def table():
    return paper.effects_apa(_results(), number=1)


def test_markdown_shows_each_formula_as_a_code_span(table):
    md = paper.to_markdown([table])
    for lhs, rhs in FORMULAS.items():
        assert f"| {lhs} | `{rhs}` |" in md
    mdit = pytest.importorskip("markdown_it")
    html = mdit.MarkdownIt("commonmark").enable("table").render(md)
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    assert "<em>" not in body                        # no italics in the rows
    for rhs in FORMULAS.values():
        assert f"<code>{rhs}</code>" in body


def test_latex_texttt_escaped_and_never_italic(table):
    tex = paper.to_latex([table])
    assert r"\texttt{a*b/(c+a*b)}" in tex and r"\texttt{a*d*b}" in tex
    assert r"\texttt{a\_1*d\_2*b\_3}" in tex and r"\texttt{c\_x+a\_1*b\_3}" in tex
    rows = [line for line in tex.splitlines() if line.split(" & ")[0].replace("\\_", "_") in FORMULAS]
    assert len(rows) == len(FORMULAS) and not any(r"\textit" in r for r in rows)


def test_csv_plain_verbatim(table):
    rows = list(csv.reader(io.StringIO(paper.to_csv([table]))))
    got = {r[0]: r[1] for r in rows if r and r[0] in FORMULAS}
    assert got == FORMULAS


def test_html_code_not_em(table):
    html = paper.to_html([table])
    for rhs in FORMULAS.values():
        assert f"<code>{rhs}</code>" in html
    assert "<em>b/(c+a</em>" not in html and "<em>d</em>" not in html


def test_docx_plain_run_with_every_asterisk(table, tmp_path):
    docx = pytest.importorskip("docx")
    path = paper.to_docx([table], tmp_path / "t.docx")
    cells = {}
    for row in docx.Document(str(path)).tables[0].rows[1:]:
        name, definition = row.cells[0], row.cells[1]
        runs = definition.paragraphs[0].runs
        assert not any(r.italic for r in runs)
        cells[name.text] = definition.text
    assert cells == FORMULAS


def test_italic_rule_never_applies_inside_a_code_span():
    assert paper._plain("*p*: `a*b/(c+a*b)`") == "p: a*b/(c+a*b)"
    assert paper._md("`a*d*b` and *p*") == "`a*d*b` and *p*"
    assert paper._tex("`a*d*b` *p*") == r"\texttt{a*d*b} \textit{p}"


def test_book_defined_table_shows_code():
    import pandas as pd
    est = pd.DataFrame([{"lhs": "ind_GOV", "op": ":=", "rhs": "a1*b", "est": 0.1, "se": 0.05, "z": 2.0,
                         "pvalue": 0.04, "ci.lower": 0.0, "ci.upper": 0.2, "std.all": 0.1},
                        {"lhs": "ratio", "op": ":=", "rhs": "a*b/(c+a*b)", "est": 0.1, "se": 0.05, "z": 2.0,
                         "pvalue": 0.04, "ci.lower": 0.0, "ci.upper": 0.2, "std.all": 0.1}])
    html = defined_table(est)._repr_html_()
    assert "<code>a*b/(c+a*b)</code>" in html and "<em>" not in html.split("<tbody>")[1].split("</tbody>")[0]
