"""Chapter 3 says how many of the missing answers are questions the export marks as not shown by skip logic
(问卷星's -3 / (跳过)), instead of counting them all as item nonresponse.  Checked on a built book by the
outside audit (a 问卷星 .sav with 30 respondents x 4 INT items at -3: "234 of 11,760 item answers are missing
(1.99%). Of them, 120 are questions the export marks as not shown ..."); here, that the chapter glues it."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_chapter_3_glues_the_not_shown_sentence():
    text = (REPO / "book" / "03_data_cleaning.md").read_text(encoding="utf-8")
    assert "{glue:md}`not_shown_sentence`" in text
    assert 'm.get("n_not_shown_cells", 0)' in text and text.count('glue_markdown("not_shown_sentence"') == 2
