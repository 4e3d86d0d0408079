"""The codebook tables of an analyst's own instrument: no bare "§" (a section of Liu 2022 that the instrument never
named), no "Source in Liu (2022)" header over its own items, and no Chinese column that repeats the English
statement (the loader's fallback for an item without ``zh``). The study's instrument keeps its sections of Liu."""

from __future__ import annotations

from iur_survey.instrument import load_instrument, parse_instrument
from iur_survey.report.codebook import (constructs_frame, has_chinese, is_study_instrument, items_frame,
                                        mechanisms_frame)

OWN = {
    "scale": {"min": 1, "max": 7},
    "constructs": {
        "SUP": {"label": ["Institutional support", "制度支持"], "items": ["SUP1", "SUP2", "SUP3"], "reverse": ["SUP3"]},
        "TRU": {"label": ["Partner trust", "伙伴信任"], "items": ["TRU1", "TRU2"], "source": "Mayer et al. (1995)"},
        "COL": {"label": ["Joint activity", "合作活动"], "items": ["COL1", "COL2"]},
        "INT": {"label": ["Integration", "融合"], "items": ["INT1", "INT2"]},
    },
    "items": {"SUP1": {"en": "Programmes fund our joint projects."}, "TRU1": {"en": "Partners keep promises."}},
}


def test_own_instrument_cites_no_section_of_liu():
    own = parse_instrument(OWN, "own.yaml")
    assert not is_study_instrument(own) and not has_chinese(own)
    items = items_frame(own)
    assert list(items.columns) == ["Item", "Statement", "Source"]
    assert items.set_index("Item").loc["TRU1", "Source"] == "Mayer et al. (1995)"     # the item's construct's source
    assert items.set_index("Item").loc["SUP1", "Source"] == "—"
    for frame in (items, constructs_frame(own), mechanisms_frame(own)):
        cells = frame.astype(str).to_numpy().ravel().tolist()
        assert not any(c.startswith("§") for c in cells), cells
        assert not any("Liu" in str(h) for h in frame.columns), list(frame.columns)


def test_study_instrument_keeps_its_sections_and_chinese():
    inst = load_instrument()
    assert is_study_instrument(inst) and has_chinese(inst)
    items = items_frame(inst)
    assert "陈述" in items.columns and "Source in Liu (2022)" in items.columns
    assert items["Source in Liu (2022)"].str.startswith("§").all()
    assert mechanisms_frame(inst)["Liu (2022)"].tolist()[0].startswith("§4.1")


def test_own_instrument_without_sources_has_no_source_column():
    doc = {**OWN, "constructs": {k: {kk: vv for kk, vv in v.items() if kk != "source"} for k, v in OWN["constructs"].items()}}
    own = parse_instrument(doc, "own.yaml")
    for frame in (items_frame(own), constructs_frame(own), mechanisms_frame(own)):
        assert "Source" not in frame.columns and "Liu (2022)" not in frame.columns, list(frame.columns)


def test_study_codes_with_own_items_claim_neither_chinese_nor_liu_sources():
    """journey32 A1: an analyst's 4-point instrument on the study's seven construct codes, items in English only
    and no source; chapter 2 said "Every item is given in English and Chinese, and every item names the paragraph
    of Liu (2022) its statement paraphrases" over a table of dashes headed "Source in Liu (2022)"."""
    from iur_survey.report.codebook import items_note, items_sentence
    codes = ("GOV", "MKT", "BEN", "VAL", "TAL", "COL", "INT")
    doc = {"scale": {"min": 1, "max": 4},
           "constructs": {c: {"label": [c.title(), c.title()], "items": [f"{c}{i}" for i in range(1, 6)]} for c in codes},
           "items": {f"{c}{i}": {"en": f"Statement {i} about {c}."} for c in codes for i in range(1, 6)}}
    own = parse_instrument(doc, "inst4.yaml")
    assert is_study_instrument(own)                     # the study's codes: chapter 1 keeps Liu's mechanisms
    assert items_sentence(own) == "Table 2.1 gives each item's wording."
    assert "Liu" not in items_note(own) and "Source" not in items_note(own)
    for frame in (items_frame(own), constructs_frame(own), mechanisms_frame(own)):
        assert not any("Liu" in str(h) or h == "Source" for h in frame.columns), list(frame.columns)
    # with a Chinese statement for every item and a source on one construct: said so, not Liu's paragraphs
    doc["items"] = {k: {**v, "zh": "陈述" + k} for k, v in doc["items"].items()}
    doc["constructs"]["GOV"]["source"] = "Own pilot (2024)"
    own = parse_instrument(doc, "inst4.yaml")
    assert items_sentence(own) == ("Every item is given in English and Chinese, with the source the instrument "
                                   "names for it.")
    assert items_frame(own).columns.tolist() == ["Item", "Statement", "陈述", "Source"]
    assert items_frame(own).set_index("Item").loc["GOV1", "Source"] == "Own pilot (2024)"      # no "§" before it
    assert "Liu" not in items_note(own)
    # the study's own instrument: unchanged
    study = load_instrument()
    assert items_sentence(study) == ("Every item is given in English and Chinese, and every item names the "
                                     "paragraph of Liu (2022) its statement paraphrases.")
    assert "Liu (2022) the statement paraphrases" in items_note(study)
