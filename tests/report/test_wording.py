"""Wording of the tables and prose an outside analyst found wrong (journey audit, C5): agreement by count, the
leading zero by quantity (an SE keeps it), role labels as prose in every table, no 问卷星 mark in another export's
note, no Markdown code span in LaTeX, CSV or Word."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from iur_survey.cli import main
from iur_survey.report import paper
from iur_survey.report.format import BOUNDED, UNBOUNDED, counted, num, pval, quantity
from iur_survey.report.tables import APATable


@pytest.mark.parametrize("n, text", [(0, "0 have"), (1, "1 has"), (2, "2 have"), (1234, "1,234 have")])
def test_a_count_agrees_with_its_verb(n, text):
    assert counted(n, "has", "have") == text


@pytest.mark.parametrize("n, text", [(0, "zero are"), (1, "one is"), (3, "three are"), (12, "twelve are"),
                                     (1234, "1,234 are")])
def test_a_small_count_in_prose_is_a_word(n, text):
    assert counted(n, "is", "are", words=True) == text


def test_chapter_5_writes_its_small_counts_in_words():
    """Chapter 5 read "The 2 mechanisms predict ..." and "Of the 3 path hypotheses, 2 are supported": APA style
    writes counts under 10 in words in running text; the counts stay glued, never typed."""
    from pathlib import Path
    text = (Path(__file__).resolve().parents[2] / "book" / "05_structural.md").read_text(encoding="utf-8")
    assert 'glue_text("n_mechs", len(mechs) if sem.ok else None, cardinal)' in text
    assert 'glue_text("n_paths_h", len(paths), cardinal)' in text
    assert 'counted(v, "is", "are", words=True)' in text
    assert "The {glue:text}`n_mechs`\nmechanisms" in text and "Of the {glue:text}`n_paths_h` path" in text


@pytest.mark.parametrize("kind", sorted(UNBOUNDED))
def test_a_quantity_that_can_exceed_1_keeps_its_leading_zero(kind):
    assert quantity(0.063, kind) == "0.063" and quantity(-0.054, kind) == "−0.054"
    assert quantity(1.25, kind, 2) == "1.25"


@pytest.mark.parametrize("kind", sorted(BOUNDED - {"p"}))
def test_a_quantity_bounded_by_1_drops_it(kind):
    assert quantity(0.063, kind) == num(0.063, 3, False) == ".063"


def test_p_is_a_p_value_and_an_unknown_quantity_is_refused():
    assert quantity(0.0004, "p") == pval(0.0004) == "< .001"
    assert not BOUNDED & UNBOUNDED
    with pytest.raises(ValueError, match="unknown quantity 'sd'"):
        quantity(0.5, "sd")


def test_the_book_formats_the_interaction_se_as_an_se():
    """Chapter 5 printed "(SE .063"."""
    from pathlib import Path
    text = (Path(__file__).resolve().parents[2] / "book" / "05_structural.md").read_text(encoding="utf-8")
    from iur_survey.report.sem_tables import moderation_text     # the paragraph is the package's (glued)
    assert "moderation_text(" in text
    assert "(SE 0.063, *p* = .210)" in moderation_text(300, 0.05, 0.063, 0.21, 0.06, 0.3, 0.4, [])
    assert "`n_supported`\nsupported" in text
    text6 = (Path(__file__).resolve().parents[2] / "book" / "06_mediation.md").read_text(encoding="utf-8")
    assert "{glue:text}`n_tot_excl` a percentile" in text6 and 'counted(v, "has", "have")' in text6


def test_role_tables_show_the_roles_as_chapter_7_does():
    from iur_survey.instrument import load_instrument
    from iur_survey.report.cleaning import careless_by_role_table, role_table
    from iur_survey.report.groups import group_label
    inst = load_instrument()
    clean = pd.DataFrame({"role": ["research_institute", "enterprise", "research_institute", None]})
    t35 = role_table(clean, inst, number="3.5")
    assert t35.frame["Role"].tolist() == ["enterprise", "research institute", "(not given)"]
    assert t35.frame["Role"].tolist()[:2] == [group_label(g) for g in ("enterprise", "research_institute")]
    rep = {"careless_excluded_by_group": {"research_institute": {"screened": 60, "excluded": 2}}}
    assert careless_by_role_table(rep, inst).frame["Role"].tolist() == ["research institute"]


def test_code_spans_of_a_note_are_code_in_latex_and_html_and_plain_elsewhere(tmp_path):
    t = APATable(pd.DataFrame({"a": ["1"]}), "T", number=1,
                 note="HTMT CIs come from the bootstrap of `iur-survey pls` (pass its pls.json); *p* < .05.")
    tex = paper.to_latex([t])
    assert "`" not in tex and r"\texttt{iur-survey pls}" in tex and r"\textit{p}" in tex
    assert "`" not in paper.to_csv([t]) and "bootstrap of iur-survey pls (pass" in paper.to_csv([t])
    assert "<code>iur-survey pls</code>" in paper.to_html([t]) and "`" not in paper.to_html([t])
    assert "`iur-survey pls`" in paper.to_markdown([t])            # Markdown keeps Markdown
    docx = pytest.importorskip("docx")
    out = paper.to_docx([t], tmp_path / "t.docx")
    assert not any("`" in p.text for p in docx.Document(str(out)).paragraphs)


def test_the_breakoff_note_names_skip_marks_only_for_an_export_that_has_them():
    from iur_survey.clean.config import CleanConfig
    from iur_survey.clean.pipeline import _notes
    f = pd.DataFrame({"GOV1": [1.0, np.nan]})
    plain = _notes(f, CleanConfig())["unfinished"]
    assert "跳过" not in plain and "marks no cell as hidden by skip logic" in plain
    assert "((跳过)) do not count" in _notes(f, CleanConfig(), {"GOV1": np.array([False, True])})["unfinished"]
