"""Audit s26 (realexports): layouts of real exports that were read wrong without a word.

Fixtures in tests/fixtures/realexports, written by its make_fixtures.py (synthetic answers in the layouts
found in real files: J. Pallant's SPSS Survival Manual survey.sav, which has questions after the instrument's
items, reversed copies ``Rop2`` and no value labels on its items; a LimeSurvey export; an .xls written by xlwt).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.clean import CleanConfig, clean
from iur_survey.errors import ReadError, UnknownLabelError
from iur_survey.instrument import parse_instrument
from iur_survey.read import read_export
from iur_survey.read.assemble import MixedAnswersWarning

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "realexports"
SCREEN = CleanConfig.from_dict({"rules": ["status", "unfinished", "duplicate_id", "out_of_range"]})
LABELS = {1: ["Strongly disagree"], 2: ["Disagree"], 3: ["Neutral"], 4: ["Agree"], 5: ["Strongly agree"]}


def _inst(constructs: dict, **extra):
    doc = {"scale": {"min": 1, "max": 5, "labels": LABELS},
           "groups": {"enterprise": ["Enterprise", "1"], "university": ["University", "2"]},
           "constructs": constructs, **extra}
    return parse_instrument(doc, "i.yaml")


ABC = {c: {"items": [f"{c}{i}" for i in range(1, 5)]} for c in "ABC"}
AB3 = {"A": {"items": ["A1", "A2", "A3"]}, "B": {"items": ["B1", "B2", "B3"], "reverse": ["B3"]}}


def _read(path, inst):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_export(path, inst)


# -- A1: skipping the last construct and going on is not a break-off ------------------------------------------
def test_row_that_answered_later_questions_did_not_break_off():
    """R0-R4 skipped construct C, then answered the rating and the comment after it: on main all five were
    excluded as unfinished ("last 4 items unanswered (C1-C4)"); R37-R39 stopped at B3 and answered nothing after."""
    inst = _inst(ABC)
    raw = _read(FIX / "skip_then_continue.csv", inst)
    assert raw.answered_later[:5].tolist() == [True] * 5 and not raw.answered_later[37:].any()
    res = clean(raw, inst, SCREEN)
    ledger = res.exclusions
    assert sorted(ledger.loc[ledger["rule"] == "unfinished", "response_id"]) == ["R37", "R38", "R39"]
    kept = res.clean.set_index("response_id")
    assert kept.loc[["R0", "R1", "R2", "R3", "R4"], ["C1", "C2", "C3", "C4"]].isna().all().all()
    assert res.report["n_kept"] + res.report["n_excluded"] == res.report["n_raw"] == 40


def test_a_column_every_row_fills_is_no_evidence(tmp_path):
    """A system column or a total computed for everyone (filled in every row) does not spare a break-off."""
    df = pd.read_csv(FIX / "skip_then_continue.csv").drop(columns=["overall", "comment"])
    df["total"] = 1
    p = tmp_path / "t.csv"
    df.to_csv(p, index=False)
    inst = _inst(ABC)
    raw = _read(p, inst)
    assert not raw.answered_later.any()
    ledger = clean(raw, inst, SCREEN).exclusions
    assert (ledger["rule"] == "unfinished").sum() == 8


def test_attention_check_after_the_items_is_a_later_question(tmp_path):
    """An attention check placed after the items is a question, not a system column: a row with its last construct
    blank that answered it went on (an outside audit: 1 of 500 rows excluded as a break-off, the check answered by
    every row and so taken for a column that says nothing)."""
    df = pd.read_csv(FIX / "skip_then_continue.csv").drop(columns=["overall", "comment"])
    df["ATT1"] = 4
    p = tmp_path / "t.csv"
    df.to_csv(p, index=False)
    inst = _inst(ABC, attention_checks={"ATT1": 4})
    raw = _read(p, inst)
    assert raw.answered_later.all()
    ledger = clean(raw, inst, SCREEN).exclusions
    assert not (ledger["rule"] == "unfinished").any()


def test_row_with_no_item_answered_stays_excluded(tmp_path):
    df = pd.read_csv(FIX / "skip_then_continue.csv")
    df.loc[0, [f"{c}{i}" for c in "AB" for i in range(1, 5)]] = np.nan
    p = tmp_path / "t.csv"
    df.to_csv(p, index=False)
    inst = _inst(ABC)
    ledger = clean(_read(p, inst), inst, SCREEN).exclusions
    assert "R0" in set(ledger.loc[ledger["rule"] == "unfinished", "response_id"])


def test_finished_column_leaves_answered_later_unused(tmp_path):
    df = pd.read_csv(FIX / "skip_then_continue.csv")
    df.insert(2, "Finished", "True")
    p = tmp_path / "t.csv"
    df.to_csv(p, index=False)
    assert _read(p, _inst(ABC)).answered_later is None


# -- A2: an analyst's reversed copy "B3 (R)" is not read as the raw item -----------------------------------------
def test_code_with_reverse_mark_is_refused():
    """On main "B3 (R)" was read as B3 by question text and reversed a second time (r(B3, B1) < 0)."""
    with pytest.raises(ReadError, match=r"reversed_copy\.csv:B3 \(R\): the heading is item B3's code with a reverse "
                                        r"mark.*take B3 out of its construct's reverse: list"):
        read_export(FIX / "reversed_copy.csv", _inst(AB3))


def test_mapped_reversed_copy_is_read_as_told():
    raw = _read(FIX / "reversed_copy.csv", _inst({**AB3, "B": {"items": ["B1", "B2", "B3"]}},
                                                  columns={"B3 (R)": "B3"}))
    f = raw.frame
    assert f["B3"].corr(f["B1"]) > 0.3


def test_marked_question_text_is_still_read(tmp_path):
    """A question text carrying "(R)" holds raw answers (问卷星 titles "…（反向题）"): read as the item."""
    inst = _inst(AB3, items={"B3": {"en": "I rarely count on good things happening"}})
    df = pd.read_csv(FIX / "reversed_copy.csv")
    df["B3 (R)"] = 6 - df["B3 (R)"]                       # the raw answers again
    p = tmp_path / "q.csv"
    df.rename(columns={"B3 (R)": "I rarely count on good things happening (R)"}).to_csv(p, index=False)
    raw = _read(p, inst)
    assert raw.column_map["I rarely count on good things happening (R)"] == "B3"
    assert raw.frame["B3"].tolist() == df["B3 (R)"].astype(float).tolist()


# -- A4: value labels on some item variables only ----------------------------------------------------------------
def test_sav_with_labels_on_some_items_only_is_refused():
    """On main A1, A2, B1, B2 were recoded 1->5 ... by their labels and A3, B3 kept as codes: r(A1, A3) = -0.65."""
    with pytest.raises(UnknownLabelError, match=r"partial_labels\.sav:A3: the value labels of A1, A2, B1 \.\.\. "
                                                r"recode their codes \(1 -> 5.*item variables A3, B3 have no value "
                                                r"labels"):
        read_export(FIX / "partial_labels.sav", _inst(AB3 | {"B": {"items": ["B1", "B2", "B3"]}}))


def test_sav_value_labels_codes_keeps_every_code():
    inst = _inst({"A": {"items": ["A1", "A2", "A3"]}, "B": {"items": ["B1", "B2", "B3"]}}, value_labels="codes")
    raw = _read(FIX / "partial_labels.sav", inst)
    assert raw.frame["A1"].corr(raw.frame["A3"]) > 0.3


def test_wordings_beside_bare_number_columns_warn():
    inst = _inst({"A": {"items": ["A1", "A2", "A3"]}, "B": {"items": ["B1", "B2", "B3"]}})
    with pytest.warns(MixedAnswersWarning, match="item columns A1, A2, B1, B2 hold scale wordings and item columns "
                                                 "A3, B3 bare numbers only"):
        raw = read_export(FIX / "partial_text.csv", inst)
    assert any("bare numbers only" in w for w in raw.warnings)


# -- A3: .xls formulas saved without a value ---------------------------------------------------------------------
def test_xls_formula_without_value_is_refused():
    """On main the 10 formula cells of B3 (xlwt) were read as blank answers, no warning."""
    inst = _inst({"A": {"items": ["A1", "A2", "A3"]}, "B": {"items": ["B1", "B2", "B3"]}})
    with pytest.raises(UnknownLabelError, match=r"xlwt_formula\.xls:2:B3: the cell holds a formula whose saved value "
                                                r"is empty \(10 such cells in the columns read\)"):
        read_export(FIX / "xlwt_formula.xls", inst)


# -- C1: a repeated e-mail address is a repeated person ----------------------------------------------------------
def _google_forms(rng: np.random.Generator, n: int = 30) -> pd.DataFrame:
    """A Google Forms export with "Email Address", a role and six ratings, every address its own."""
    df = pd.DataFrame({"Timestamp": [f"2024/04/01 9:{i:02d}:00 AM GMT+8" for i in range(n)],
                       "Email Address": [f"user{i}@uni.example" for i in range(n)],
                       "role": rng.choice(["Enterprise", "University"], n)})
    for c in "AB":
        for i in (1, 2, 3):
            df[f"Rate [{c}{i}]"] = rng.integers(1, 6, n)
    return df


def test_google_forms_repeat_by_email_is_excluded_without_writing_it(tmp_path):
    """Google Forms with "Email Address" and no id: on main both repeats were kept (duplicate_id "not
    evaluated: no id column") with a warning only."""
    df = _google_forms(np.random.default_rng(8))
    items = [c for c in df.columns if c.startswith("Rate")]
    df.loc[20, "Email Address"] = " USER5@uni.example"
    df.loc[20, items] = df.loc[5, items]                                # the same answers: one person, twice
    df.loc[25, "Email Address"] = "user17@uni.example"
    df.loc[25, items] = df.loc[17, items]
    df.loc[28, "Email Address"] = "user3@uni.example"                   # other answers: kept, and named
    p = tmp_path / "gf.csv"
    df.to_csv(p, index=False)
    inst = _inst({"A": {"items": ["A1", "A2", "A3"]}, "B": {"items": ["B1", "B2", "B3"]}})
    with pytest.warns(UserWarning, match=r"1 kept response\(s\) give an e-mail address .*rows 30\) with other"):
        res = clean(_read(p, inst), inst, SCREEN)
    hit = res.exclusions[res.exclusions["rule"] == "duplicate_id"]
    assert hit["row"].tolist() == [22, 27]
    assert hit["detail"].tolist()[0].startswith("e-mail address ('Email Address') repeated; first submission row 7")
    assert res.report["rules_not_evaluated"]["duplicate_id"].endswith(
        "(repeats are judged by the e-mail address 'Email Address' only)")
    out = res.write(tmp_path / "out")
    assert not any("uni.example" in f.read_text(encoding="utf-8") for f in out.iterdir())


# -- C2, C3: LimeSurvey's "-oth-"; the id and duration columns of 腾讯问卷 and SoSci Survey ---------------------
REAL = FIX.parent / "real"


def test_limesurvey_oth_code_is_other_not_an_unknown_group(tmp_path):
    """A real LimeSurvey export (limonaid's test survey): on main '-oth-' (row 4) was an unknown gender."""
    inst = parse_instrument({
        "scale": {"min": 1, "max": 5}, "group_column": "gender",
        "groups": {"man": ["man"], "woman": ["woman"]},
        "constructs": {"PA": {"items": ["PA1", "PA2", "PA3"], "reverse": ["PA3"]}, "PB": {"items": ["PB1", "PB2"]}},
        "columns": {"How do you identify?": "group", "Describe yourselves [Openness]": "PA1",
                    "Describe yourselves [Conscientiousness]": "PA2", "Describe yourselves [Extraversion]": "PA3",
                    "Describe yourselves [Agreeableness]": "PB1", "Describe yourselves [Emotional Stability]": "PB2"}},
        "lmn.yaml")
    with pytest.warns(UserWarning, match=r"1 response\(s\) answered '-oth-' \(rows 4\)"):
        raw = read_export(REAL / "limesurvey_limonaid_998192.csv", inst)
    assert raw.format == "limesurvey" and raw.frame["gender"].isna().sum() == 5
    res = clean(raw, inst, SCREEN)
    kept = res.clean.set_index("response_id")
    assert kept.loc["9", ["gender", "PA1", "PA3", "PB2"]].tolist() == ["woman", 1, 3, 4]   # PA3: 6 - 3
    assert sorted(res.exclusions.loc[res.exclusions["rule"] == "unfinished", "response_id"]) == list("45678")
    out = res.write(tmp_path / "out")
    text = "".join(f.read_text(encoding="utf-8") for f in out.iterdir())
    assert not any(s in text for s in ("gdgd", "dgggsdfs", "4444", "4747647"))


@pytest.mark.parametrize("head, dur, idcol", [(["编号", "开始答题时间", "结束答题时间", "答题时长"], "答题时长", "编号"),
                                              (["CASE", "STARTED", "LASTDATA", "TIME_SUM"], "TIME_SUM", "CASE")])
def test_tencent_and_sosci_id_and_duration_columns(tmp_path, head, dur, idcol):
    """On main the ids were the row numbers and the duration the minute-only times (腾讯问卷) or none (SoSci)."""
    df = pd.read_csv(FIX / "reversed_copy.csv").drop(columns=["ResponseId"])
    df["B3 (R)"] = 6 - df["B3 (R)"]
    df = df.rename(columns={"B3 (R)": "B3"})
    n = len(df)
    meta = pd.DataFrame({head[0]: np.arange(n, 0, -1) + 300, head[1]: "2026/05/25 04:16", head[2]: "2026/05/25 04:16",
                         head[3]: np.arange(n) * 7 + 20})
    p = tmp_path / "t.csv"
    pd.concat([meta, df], axis=1).to_csv(p, index=False)
    raw = _read(p, _inst(AB3))
    assert raw.column_map[idcol] == "response_id" and raw.column_map[dur] == "_duration"
    assert raw.frame["response_id"].tolist()[:2] == ["340", "339"]
    assert raw.frame["_duration"].tolist()[:2] == [20.0, 27.0]


def test_an_address_in_many_records_is_no_person(tmp_path):
    """A placeholder or shared mailbox in more than 10% of the records is not judged; the warning names the rows."""
    df = pd.read_csv(FIX / "reversed_copy.csv")
    df["B3 (R)"] = 6 - df["B3 (R)"]
    df = df.rename(columns={"B3 (R)": "B3"})
    df["Email"] = ["office@firm.example"] * 10 + [f"p{i}@x.example" for i in range(30)]
    p = tmp_path / "m.csv"
    df.to_csv(p, index=False)
    inst = _inst(AB3)
    with pytest.warns(UserWarning, match=r"9 kept response\(s\) give an e-mail address \('Email'\).*10% of the rec"):
        res = clean(_read(p, inst), inst, SCREEN)
    assert (res.exclusions["rule"] == "duplicate_id").sum() == 0


def test_an_email_repeat_with_the_same_answers_is_excluded_without_a_warning(tmp_path):
    """A repeat that gives the address and the answers of an earlier response is plainly the same person: excluded,
    and only a repeat with other answers (a re-submission, or a shared mailbox) is worth a warning."""
    import warnings

    df = _google_forms(np.random.default_rng(9))
    df.iloc[20, 1:] = df.iloc[5, 1:]                                   # row 5 sent twice
    p = tmp_path / "gf.csv"
    df.to_csv(p, index=False)
    inst = _inst({"A": {"items": ["A1", "A2", "A3"]}, "B": {"items": ["B1", "B2", "B3"]}})
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        res = clean(_read(p, inst), inst, SCREEN)
    hit = res.exclusions[res.exclusions["rule"] == "duplicate_id"]
    assert hit["row"].tolist() == [22] and hit["detail"].str.endswith("(same answers)").all()
