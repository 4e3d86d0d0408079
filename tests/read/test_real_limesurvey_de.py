"""A real LimeSurvey export with German full-text headings (tests/fixtures/real, see SOURCES.md), and the
layouts of exports written in other locales: each read as its tool meant it, checked against an
independent reading with pandas (audit s24 readaudit A1, C3)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.clean import clean
from iur_survey.errors import MissingColumnError
from iur_survey.instrument import load_instrument, parse_instrument
from iur_survey.read import read_export

REAL = Path(__file__).resolve().parent.parent / "fixtures" / "real"
EXPORT = REAL / "limesurvey_scicompod_de.csv"
ITEM_COLUMNS = {6: "EXP1", 7: "EXP2", 8: "EXP3", 9: "TRA1", 10: "TRA2", 11: "TRA3",
                12: "SCI1", 13: "SCI2", 14: "SCI3", 15: "SCI4", 16: "SCI5", 17: "SCI6"}


@pytest.fixture(scope="module")
def theirs():
    return pd.read_csv(EXPORT, encoding="utf-8-sig", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def inst():
    return load_instrument(REAL / "instruments" / "limesurvey_scicompod.yaml")


def test_german_headings_are_limesurvey(theirs, inst):
    raw = read_export(EXPORT, inst)
    assert raw.format == "limesurvey" and len(raw.frame) == len(theirs) == 152
    # the export's own ids, not the row numbers (they differ: the first id is 4)
    assert raw.column_map["Antwort ID"] == "response_id"
    assert raw.frame["response_id"].tolist() == theirs["Antwort ID"].tolist()
    # an empty "Datum Abgeschickt" is a response never submitted; 1980-01-01 is LimeSurvey's no-date-stamp mark
    submitted = (theirs["Datum Abgeschickt"] != "").to_numpy()
    assert raw.frame["_finished"].tolist() == submitted.tolist() and (~submitted).sum() == 11
    assert raw.frame["_submitted"].isna().all()
    for i, code in ITEM_COLUMNS.items():     # the columns: keys are typed without the headings' no-break spaces
        expect = pd.to_numeric(theirs.iloc[:, i].replace("", np.nan)).to_numpy(dtype=float)
        np.testing.assert_array_equal(raw.frame[code].to_numpy(dtype=float), expect)
    genders = theirs["Bitte geben Sie Ihr Geschlecht an:"].map({"AO01": "male", "AO02": "female", "AO03": "other"})
    assert raw.frame["gender"].astype(object).where(raw.frame["gender"].notna(), None).tolist() == \
        genders.where(genders.notna(), None).tolist()


def test_german_headings_clean(theirs, inst):
    raw = read_export(EXPORT, inst)
    res = clean(raw, inst)
    unsubmitted = set(theirs.loc[theirs["Datum Abgeschickt"] == "", "Antwort ID"])
    ledger = res.exclusions
    assert set(ledger.loc[ledger["rule"] == "unfinished", "response_id"]) == unsubmitted
    kept = res.clean.set_index("response_id")
    mine = theirs.set_index("Antwort ID").loc[kept.index]
    tra2 = pd.to_numeric(mine.iloc[:, 10 - 1]).to_numpy(dtype=float)      # (the index took column 0)
    np.testing.assert_array_equal(kept["TRA2"].to_numpy(dtype=float), 6 - tra2)     # reverse-keyed: 1 + 5 - x
    assert len(kept) + ledger.loc[ledger["action"] == "excluded", "response_id"].nunique() == len(theirs)


def test_german_text_layout_marks_unsubmitted(tmp_path):
    """An unsubmitted response that answered every item (it stopped on a later page) is not completed."""
    doc = {"scale": {"min": 1, "max": 5, "labels": {1: ["A1"], 2: ["A2"], 3: ["A3"], 4: ["A4"], 5: ["A5"]}},
           "constructs": {"MAT": {"items": ["MAT1", "MAT2"]}},
           "columns": {"Frage [eins]": "MAT1", "Frage [zwei]": "MAT2"}}
    inst = parse_instrument(doc, "ls.yaml")
    p = tmp_path / "ls.csv"
    p.write_text('"Antwort ID","Datum Abgeschickt","Letzte Seite","Start-Sprache","Zufallsgeneratorstartwert",'
                 '"Datum gestartet","Frage [eins]","Frage [zwei]"\n'
                 '"17","2023-03-01 10:07:30","3","de","1","2023-03-01 10:00:00","A4","A2"\n'
                 '"18","","2","de","2","2023-03-01 11:00:00","A1","A5"\n', encoding="utf-8")
    raw = read_export(p, inst)
    assert raw.format == "limesurvey"
    assert raw.frame["response_id"].tolist() == ["17", "18"]
    assert raw.frame["_finished"].tolist() == [True, False]
    assert raw.frame["_duration"].tolist()[0] == 450.0


def test_columns_entry_naming_no_heading_is_named(tmp_path):
    doc = {"scale": {"min": 1, "max": 5}, "constructs": {"MAT": {"items": ["MAT1", "MAT2"]}},
           "columns": {"Frage  eins": "MAT1", "Frage drei": "MAT2"}}
    inst = parse_instrument(doc, "x.yaml")
    p = tmp_path / "x.csv"
    p.write_text("id,Frage\u00a0eins,Frage zwei\n1,4,2\n", encoding="utf-8")
    with pytest.raises(MissingColumnError, match=r"lacks 1 column\(s\).*: MAT2 .*1 columns: entry names no heading "
                                                  r"of the export \('Frage drei'\)"):
        read_export(p, inst)


def test_short_instrument_straight_line_rules_judge_nobody(inst):
    """Four items of one real export: one answer to all four is no evidence of straight-lining (audit s24 readaudit
    B1: longstring excluded 52 of 172 honest respondents of another real export, irv 13)."""
    from iur_survey.clean import CleanConfig
    keep = ["EXP1", "EXP2", "EXP3", "SCI1"]
    small = parse_instrument({**inst.raw, "constructs": {"EXP": {"items": keep[:3]}, "SCI": {"items": ["SCI1", "SCI2"]}},
                              "columns": {h: t for h, t in inst.raw["columns"].items() if t in (*keep, "SCI2", "group")}},
                             inst.path)
    raw = read_export(EXPORT, small)
    res = clean(raw, small)
    assert res.report["rules_not_evaluated"]["longstring"].startswith("5 items < 6")
    assert res.report["rules_not_evaluated"]["irv"].startswith("5 items < 6")
    assert not res.exclusions["rule"].isin(["longstring", "irv"]).any()
    answers = raw.frame[list(small.item_codes)]
    same = answers.nunique(axis=1, dropna=True).eq(1) & answers.notna().all(axis=1)
    assert same.sum() == 5           # five respondents give one answer to the five items
    # set in the configuration, the cut-offs judge them
    res = clean(raw, small, CleanConfig(longstring_min_run=5, irv_min_items=5))
    assert "longstring" not in res.report["rules_not_evaluated"] and res.report["hits_by_rule"]["longstring"] >= 5
