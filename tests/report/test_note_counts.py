"""Table notes write counts as the prose does (APA 7th ed., 6.32: under 10 in words, format.cardinal) and name
groups in their mid-sentence form (format.group_prose, groups.group_label(prose=True)); chapter 7's notes too.
Left out s32: "the 4 groups as they are (Research institute *n* = ...)", "(8 items)", "over the 3 paths tested"."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from iur_survey.instrument import load_instrument
from iur_survey.report import paper
from iur_survey.report.format import group_prose, group_wordings, instrument_wordings
from iur_survey.report.groups import group_paths_table, group_sizes_table, use_group_wordings

BOOK = Path(__file__).resolve().parents[2] / "book"


def test_group_sizes_note_counts_the_items_in_words():
    b = pd.DataFrame({"group": ["a", "b"], "n": [300, 60], "p": [8, 8], "q": [40, 40], "min_n": [100, 100],
                      "status": ["ok", "small"]})
    note = group_sizes_table(b, {}).note
    assert "(eight items)" in note and "*q* = 40 free parameters" in note
    assert "(28 items)" in group_sizes_table(b.assign(p=28), {}).note


def test_htmt_rows_in_words_when_both_are_small():
    assert paper._rows_of((7, 9)) == "seven of nine "
    assert paper._rows_of((7, 1200)) == "7 of 1,200 "        # beside a count in digits, digits (APA 6.33)


def test_alpha_boot_note_separates_thousands():
    assert "α, 2,000 resamples" in paper.alpha_boot_note(2000, 1)


def test_paths_table_key_names_groups_mid_sentence():
    use_group_wordings(load_instrument())
    try:
        w = pd.DataFrame({"lhs": ["COL"], "op": ["~"], "rhs": ["GOV"], "est.government+research_institute": [0.3],
                          "est.university": [0.5], "Wald": [4.1], "df": [1], "pvalue": [0.043]})
        t = group_paths_table(w, ["government+research_institute", "university"])
    finally:
        use_group_wordings(None)
    assert "G + RI" in t.frame.columns
    assert "(G + RI: government + research institute)" in t.note


def test_invariance_note_names_merged_groups_by_their_wordings_mid_sentence():
    steps = [{"step": "configural", "fit": {"chisq": 10.0, "df": 4}, "decision": "baseline"}]
    info = {"estimator": "ML", "group": "role", "merged": {"research_institute": "government+research_institute",
                                                           "government": "government+research_institute"}}
    with group_wordings(instrument_wordings(load_instrument())):
        note = paper.invariance_apa({"invariance": steps, "invariance_info": info}).note
        assert group_prose("research_institute", "role") == "research institute"
    assert ("Groups merged before fitting: research institute → government + research institute, government → "
            "government + research institute.") in note
    # without wordings: the codes (a numeric one with its variable, never a bare number)
    info2 = {**info, "group": "sex", "merged": {"3": "2"}}
    assert "Groups merged before fitting: sex = 3 → sex = 2." in paper.invariance_apa(
        {"invariance": steps, "invariance_info": info2}).note


def test_book_notes_take_words_and_prose_wordings():
    ch7 = (BOOK / "07_groups.md").read_text(encoding="utf-8")
    assert "with the {cardinal(len(iv['unmerged']['groups']))} groups as they are" in ch7
    assert "{len(iv['unmerged']['groups'])} groups" not in ch7
    # the group wordings in chapter 7's notes (Tables 7.4 and 7.6) are the mid-sentence form
    assert 'f"{group_label(g, prose=True)} *n* = {int(n):,}"' in ch7
    assert 'f"{group_label(a, prose=True)} → {group_label(b, prose=True)}"' in ch7
    assert "{group_label(g)} *n*" not in ch7 and "{group_label(a)} →" not in ch7
    ch3 = (BOOK / "03_data_cleaning.md").read_text(encoding="utf-8")
    assert "Of the kept respondents, {cardinal(rep['n_flagged_kept'])}" in ch3
