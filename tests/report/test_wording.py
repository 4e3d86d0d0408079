"""Wording of the tables and prose an outside analyst found wrong (journey audit, C5): agreement by count, the
leading zero by quantity (an SE keeps it), role labels as prose in every table, no 问卷星 mark in another export's
note, no Markdown code span in LaTeX, CSV or Word."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from iur_survey.cli import main
from iur_survey.report import paper
from iur_survey.report.format import BOUNDED, UNBOUNDED, cardinal, counted, num, pval, quantity
from iur_survey.report.tables import APATable


@pytest.mark.parametrize("n, text", [(0, "0 have"), (1, "1 has"), (2, "2 have"), (1234, "1,234 have")])
def test_a_count_agrees_with_its_verb(n, text):
    assert counted(n, "has", "have") == text


@pytest.mark.parametrize("n, text", [(0, "zero are"), (1, "one is"), (3, "three are"), (9, "nine are"), (12, "12 are"),
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
    assert 'counted(v, "is", "are", words=True, among=[len(paths)])' in text
    # the count and its noun and verb glued together ("five mechanisms predict", "one mechanism predicts": journey32)
    assert 'glue_text("mechs_predict", mechanism_words(len(mechs))["predict"] if sem.ok else None)' in text
    assert "The {glue:text}`mechs_predict`\n" in text and "Of the {glue:text}`n_paths_h` path" in text


@pytest.mark.parametrize("n, among, text", [(3, [4], "three"), (3, [9], "three"), (3, [10], "3"), (3, [14], "3"),
                                            (0, [14], "0"), (14, [3], "14"), (5, [], "five")])
def test_a_small_count_beside_a_large_one_stays_in_digits(n, among, text):
    """APA: a count under 10 compared with one written in digits in the same sentence keeps digits too
    ("Of the 14 paths, 3 differ", not "Of the 14 paths, three differ")."""
    assert cardinal(n, among=among) == text
    assert counted(n, "is", "are", words=True, among=among).split()[0] == text


def test_chapter_6_writes_its_small_counts_in_words():
    """Chapter 6 read "Of the 5 total effects, 5 have a percentile interval" and "Of the 5 mediation hypotheses,
    5 are supported ... the same verdict for 5 of them": the counts are now glued in words (digits beside a count of
    13 or more)."""
    from pathlib import Path
    text = (Path(__file__).resolve().parents[2] / "book" / "06_mediation.md").read_text(encoding="utf-8")
    for line in ('glue_text("n_h7", len(hyp), cardinal)',
                 'counted(v, "is", "are", words=True, among=[len(hyp)])',
                 'counted(v, "has", "have", words=True, among=[len(tot)])',
                 'glue_text("n_tot", len(tot), cardinal)'):
        assert line in text, line
    assert text.count("lambda v: cardinal(v, among=[len(hyp)])") == 2      # the BCa and delta-method agreements
    # the noun glued beside the count ("total effect" for one mechanism: journey32)
    assert "Of the\n{glue:text}`n_tot` {glue:text}`tot_noun`, {glue:text}`n_tot_excl` a percentile" in text


def test_chapter_7_writes_its_small_counts_in_words():
    """Chapter 7 read "The analyses below compare 3 groups", "Of the 4 paths, none differ", "with all 4 groups as
    they are", "for 2 of the 3 steps" and "4 respondents gave no role" (a sentence opening with a digit)."""
    from iur_survey.report.groups import _group_paths_text, _merge_text, _roles_text, _unmerged_text
    before = pd.DataFrame({"group": ["e", "g", "u"], "n": [229, 9, 137], "min_n": 105, "status": ["ok", "small", "ok"]})
    main_ = {"groups": pd.DataFrame({"group": ["e", "g+u"], "n": [229, 146]}), "merge": {"g": "g+u", "u": "g+u"}}
    assert "The analyses below compare two groups: e (*n* = 229); g + u (*n* = 146)." in _merge_text(before, main_)
    ok = before.assign(status="ok")
    assert "so the three groups are compared as they are" in _merge_text(
        ok, {"groups": before[["group", "n"]], "merge": {}})
    asked = _merge_text(before, {"groups": pd.DataFrame({"group": ["e", "u"], "n": [238, 137]}),
                                 "merge": {"g": "e"}}, asked="g=e")
    assert "The analyses below compare two groups" in asked
    steps = ["configural", "metric", "scalar", "strict"]
    merged = pd.DataFrame({"step": steps, "decision": ["baseline", "supported", "supported", "not supported"]})
    other = pd.DataFrame({"step": steps, "decision": ["baseline", "supported", "not supported", "not supported"]})
    iv = {"main": {"table": merged}, "merge_rule": True, "unmerged_error": None,
          "unmerged": {"table": other, "groups": before[["group", "n"]], "level": "metric"}}
    text = _unmerged_text(iv)
    assert "with all three groups as they are" in text and "for one of the three steps" in text
    for k, differ, holm, words in ((4, 0, 0, "Of the four paths, none differ"),
                                   (4, 2, 1, "Of the four paths, two differ"),
                                   (14, 3, 1, "Of the 14 paths, 3 differ")):
        wald = pd.DataFrame({"lhs": ["COL"] * k, "op": ["~"] * k, "rhs": [f"X{i}" for i in range(k)],
                             "Wald": 1.0, "df": 1, "pvalue": [0.001] * differ + [0.5] * (k - differ)})
        text = _group_paths_text({"wald": wald, "level": "metric"})
        assert words in text, text
        if differ:
            assert f"After Holm's correction for testing {'four' if k == 4 else k} paths" in text
    roles = _roles_text(pd.DataFrame({"Role": ["a", "b", "(not given)"], "n": [200, 150, 1]}))
    assert roles.endswith("No role was given by 1 respondent, who is left out of the group comparisons.")
    assert not re.search(r"(^|\. )\d", roles)          # no sentence opens with a digit


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
    assert "{glue:text}`n_tot_excl` a percentile" in text6 and 'counted(v, "has", "have", words=True' in text6


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


def test_no_role_stands_out_names_the_cut_off_not_a_p_result():
    """Table 3.6's note said "No role stands out (one-sided binomial test, Bonferroni, p < .001)": read as the
    test's result, p < .001 says the opposite (a role does stand out).  The .001 is the cut-off of the warning."""
    from iur_survey.instrument import load_instrument
    from iur_survey.report.cleaning import careless_by_role_table
    rep = {"careless_excluded_by_group": {"university": {"screened": 200, "excluded": 3}}, "careless_group_warning": ""}
    note = careless_by_role_table(rep, load_instrument()).note
    assert "p < .001)" not in note and "No role stands out" in note and "p below .001" in note
