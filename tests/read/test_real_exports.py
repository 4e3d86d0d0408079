"""Exports made by the real tools (tests/fixtures/real, see SOURCES.md there), each with an
instrument written for it: read right (checked against an independent reading with pandas or
pyreadstat) or refused with a typed one-line error that says what to change."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from iur_survey.errors import (DelimiterError, DuplicateColumnError, InstrumentError, OutOfRangeError, ReadError,
                               UnknownLabelError)
from iur_survey.instrument import load_instrument, parse_instrument
from iur_survey.read import detect_format, read_export

REAL = Path(__file__).resolve().parent.parent / "fixtures" / "real"


def inst_of(name: str, **changes):
    inst = load_instrument(REAL / "instruments" / f"{name}.yaml")
    if not changes:
        return inst
    return parse_instrument({**inst.raw, **changes}, inst.path)


def read_text(tmp_path, name: str, text: str, inst, **kw):
    """``text`` written to ``tmp_path / name`` (UTF-8) and read as an export."""
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return read_export(p, inst, **kw)


def items(raw, codes):
    return raw.frame[list(codes)].to_numpy(dtype=float)


# -- 1. numeric group codes are wordings, never positions (psych's bfi, R write.csv) ------------
def test_bfi_groups_by_wording_and_row_names():
    inst = inst_of("bfi")
    raw = read_export(REAL / "bfi.csv", inst)
    theirs = pd.read_csv(REAL / "bfi.csv", index_col=0)
    assert raw.format == "csv" and len(raw.frame) == len(theirs) == 2800
    # groups: 1 = male, 2 = female, as the instrument lists them (the groups' order is female, male)
    expect = theirs["gender"].map({1: "male", 2: "female"})
    assert (raw.frame["gender"].to_numpy(dtype=object) == expect.to_numpy(dtype=object)).all()
    assert (raw.frame["gender"] == "female").sum() == (theirs["gender"] == 2).sum() == 1881
    # the unnamed first column is R's row names: the response id
    assert raw.column_map["(row names)"] == "response_id"
    assert raw.frame["response_id"].tolist() == [str(i) for i in theirs.index]
    np.testing.assert_array_equal(items(raw, inst.item_codes), theirs[list(inst.item_codes)].to_numpy(dtype=float))
    assert sorted(raw.dropped_columns) == ["age", "education"]


def test_bfi_group_code_not_listed_is_refused(tmp_path):
    inst = inst_of("bfi", groups={"female": ["Female", "2"], "other": ["3"]})   # "1" listed nowhere
    with pytest.raises(UnknownLabelError, match="group code 1 is not among the wordings") as ei:
        read_export(REAL / "bfi.csv", inst)
    assert (ei.value.row, ei.value.column) == (2, "gender")


def test_a_wording_for_two_groups_is_refused():
    with pytest.raises(InstrumentError, match="wording '2' is given for both"):
        inst_of("bfi", groups={"female": ["2"], "male": ["1", "2"]})


# -- 2. SPSS value labels: used only when complete and consistent (Field's SAQ.sav) -------------
def test_saq_labels_complete_identity():
    inst = inst_of("saq")
    raw = read_export(REAL / "SAQ.sav", inst)
    theirs, _ = pyreadstat.read_sav(str(REAL / "SAQ.sav"))
    cols = [h for h, t in raw.column_map.items() if t in inst.items]
    expect = theirs[cols].to_numpy(dtype=float)
    expect[expect == 9] = np.nan                       # "Not answered" is a missing code
    got = raw.frame[[raw.column_map[c] for c in cols]].to_numpy(dtype=float)
    np.testing.assert_array_equal(got, expect)
    # labels and codes agree; "Not answered" (9, on 4 items) is declared user-missing in the file, so it is NaN
    # as read and its label is not a recoding: nothing to record
    assert raw.recodes == []
    assert raw.frame["_row"].tolist()[:3] == [2, 3, 4]


def test_saq_labels_complete_reversed_are_applied_and_recorded():
    inst = inst_of("saq", scale={"min": 1, "max": 5, "labels": {
        1: ["Strongly disagree"], 2: ["Disagree"], 3: ["Neither"], 4: ["Agree"], 5: ["Strongly agree"]}})
    raw = read_export(REAL / "SAQ.sav", inst)
    theirs, _ = pyreadstat.read_sav(str(REAL / "SAQ.sav"))
    x = theirs["Question_01"].to_numpy(dtype=float)
    expect = np.where(x == 9, np.nan, 6 - x)
    np.testing.assert_array_equal(raw.frame["STA1"].to_numpy(dtype=float), expect)
    assert len(raw.recodes) == 23
    rec = next(r for r in raw.recodes if r["column"] == "Question_01")
    assert rec["target"] == "STA1" and rec["codes"] == {"1": 5.0, "2": 4.0, "3": 3.0, "4": 2.0, "5": 1.0}


def test_saq_labels_matching_only_the_ends_are_refused():
    ends = {"min": 1, "max": 5, "labels": {1: ["Strongly disagree"], 5: ["Strongly agree"]}}
    inst = inst_of("saq", scale=ends)
    with pytest.raises(UnknownLabelError) as ei:
        read_export(REAL / "SAQ.sav", inst)
    msg = str(ei.value)
    assert "\n" not in msg and "only partly" in msg
    assert "'Agree'" in msg and "'Neither'" in msg and "'Disagree'" in msg and "value_labels: codes" in msg
    # the user's choice: keep the numeric codes as they are
    raw = read_export(REAL / "SAQ.sav", inst_of("saq", scale=ends, value_labels="codes"))
    theirs, _ = pyreadstat.read_sav(str(REAL / "SAQ.sav"))
    np.testing.assert_array_equal(raw.frame["STA1"].to_numpy(dtype=float),
                                  np.where(theirs["Question_01"] == 9, np.nan, theirs["Question_01"]))
    assert raw.recodes == []


def test_saq_recodes_reach_report_json(tmp_path):
    from iur_survey.clean.pipeline import clean
    inst = inst_of("saq", scale={"min": 1, "max": 5, "labels": {
        1: ["Strongly disagree"], 2: ["Disagree"], 3: ["Neither"], 4: ["Agree"], 5: ["Strongly agree"]}})
    res = clean(read_export(REAL / "SAQ.sav", inst), inst)
    assert len(res.report["recodes"]) == 23


def test_saq_as_spss_portable(tmp_path):
    theirs, _ = pyreadstat.read_sav(str(REAL / "SAQ.sav"))
    short = theirs.rename(columns=lambda c: "Q" + c[-2:])          # .por names have at most 8 characters
    por = tmp_path / "saq.por"
    pyreadstat.write_por(short, str(por))
    assert detect_format(por) == "spss"
    cmap = {"Q" + h[-2:]: t for h, t in inst_of("saq").columns.items()}
    raw = read_export(por, inst_of("saq", columns=cmap))
    got, _ = pyreadstat.read_por(str(por))
    q08 = got[[c for c in got.columns if c.upper() == "Q08"][0]].to_numpy(dtype=float)
    np.testing.assert_array_equal(raw.frame["MAT1"].to_numpy(dtype=float), np.where(q08 == 9, np.nan, q08))
    assert len(raw.frame) == 2571


# -- 3. continuous items (lavaan's HolzingerSwineford1939) --------------------------------------
def test_holzinger_continuous_scores():
    inst = inst_of("holzinger")
    raw = read_export(REAL / "HolzingerSwineford1939.csv", inst)
    theirs = pd.read_csv(REAL / "HolzingerSwineford1939.csv", float_precision="round_trip")
    xs = [f"x{i}" for i in range(1, 10)]
    np.testing.assert_array_equal(items(raw, inst.item_codes), theirs[xs].to_numpy(dtype=float))
    assert raw.frame["school"].tolist() == theirs["school"].map({"Pasteur": "pasteur",
                                                                 "Grant-White": "grant_white"}).tolist()
    assert raw.frame["response_id"].tolist() == theirs["id"].astype(str).tolist()


def test_holzinger_cleaning_keeps_every_row(tmp_path):
    from iur_survey.clean.pipeline import clean
    inst = inst_of("holzinger")
    res = clean(read_export(REAL / "HolzingerSwineford1939.csv", inst), inst)
    assert res.report["hits_by_rule"].get("out_of_range", 0) == 0
    assert res.report["n_kept"] > 0


def test_holzinger_as_likert_strict_names_first_row_and_whole_number():
    inst = inst_of("holzinger", constructs={k: {kk: vv for kk, vv in v.items() if kk != "scale"}
                                            for k, v in inst_of("holzinger").raw["constructs"].items()})
    with pytest.raises(OutOfRangeError) as ei:
        read_export(REAL / "HolzingerSwineford1939.csv", inst, strict=True)
    assert ei.value.row == 2 and ei.value.column == "x1"
    assert "3.33333 is not a whole number" in str(ei.value) and "scale: continuous" in str(ei.value)


def test_continuous_reverse_is_refused():
    raw = inst_of("holzinger").raw
    cons = {**raw["constructs"], "VIS": {**raw["constructs"]["VIS"], "reverse": ["VIS2"]}}
    with pytest.raises(InstrumentError, match="VIS2 is continuous"):
        inst_of("holzinger", constructs=cons)


# -- 4-6. Qualtrics: legacy V1..Vn, the 2016 single-quote ImportIds, unmapped duplicates ---------
def test_qualtrics_legacy_and_current_agree():
    inst = inst_of("qualtrics_sample")
    legacy = read_export(REAL / "qualtrics_sample_legacy.csv", inst)
    current = read_export(REAL / "qualtrics_sample.csv", inst)
    assert legacy.format == current.format == "qualtrics"
    f, g = legacy.frame.iloc[0], current.frame.iloc[0]
    assert f["response_id"] == g["response_id"] == "R_2YPOQ602ER1jkf1"
    assert f["X1"] == g["X1"] == 2.0 and f["X2"] == g["X2"] == 47.115097045898
    assert f["_status"] == g["_status"] == "IP Address" and bool(f["_finished"]) and bool(g["_finished"])
    assert f["_submitted"] == g["_submitted"] == pd.Timestamp("2017-07-18 08:28:48")
    assert g["_duration"] == 38.0                 # Qualtrics' own Duration column
    assert f["_duration"] == 39.0                 # legacy has none: EndDate - StartDate
    assert f["_row"] == 3 and g["_row"] == 4
    assert "Name" in legacy.dropped_columns and "EmailAddress" in legacy.dropped_columns


def test_qualtrics_2016_insights_and_legacy_layouts():
    inst = inst_of("qualtrics_matrix")
    new = read_export(REAL / "qualtrics_single_answer_matrix_insights.csv", inst)   # {'ImportId': 'QID2-1'}
    old = read_export(REAL / "qualtrics_single_answer_matrix_legacy.csv", inst)     # V1..V10, duplicate tags
    cols = ["response_id", *inst.item_codes, "_status", "_finished", "_submitted"]
    pd.testing.assert_frame_equal(new.frame[cols], old.frame[cols])
    theirs = pd.read_csv(REAL / "qualtrics_single_answer_matrix_insights.csv", skiprows=[1, 2])
    tags = ["Q2_1", "Q2_2", "Q2_3", "Q4_1", "Q4_2", "Q4_3"]
    np.testing.assert_array_equal(items(new, inst.item_codes), theirs[tags].to_numpy(dtype=float))
    assert (new.frame["_status"] == "Survey Test").all()


def test_qualtrics_long_exhaustive_unmapped_duplicate_headers():
    inst = inst_of("qualtrics_long")
    raw = read_export(REAL / "qualtrics_long_exhaustive.csv", inst)
    theirs = pd.read_csv(REAL / "qualtrics_long_exhaustive.csv", skiprows=[1, 2], dtype=str)
    np.testing.assert_array_equal(items(raw, inst.item_codes), theirs[["Q2", "Q10", "Q11"]].to_numpy(dtype=float))
    assert raw.dropped_columns.count("Q44#2_red_pandas_4") == 5
    # a duplicated header the instrument maps is still an error
    with pytest.raises(DuplicateColumnError, match="Q44#2_red_pandas_4"):
        read_export(REAL / "qualtrics_long_exhaustive.csv",
                    inst_of("qualtrics_long", columns={"Q2": "FRU1", "Q10": "FRU2", "Q44#2_red_pandas_4": "FRU3"}))


def test_qualtrics_data_rows_with_another_delimiter(tmp_path):
    """issue 10: header rows with ',', data rows with ';' -> refused, not 0 rows kept."""
    lines = (REAL / "qualtrics_sample.csv").read_text(encoding="utf-8-sig").splitlines()
    lines[3] = lines[3].replace(",", ";")
    p = tmp_path / "semi.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DelimiterError, match="data row by ';'") as ei:
        read_export(p, inst_of("qualtrics_sample"))
    assert ei.value.row == 4


# -- 7. Wenjuanxing's own .xls download (reportgen examples) -----------------------------------
def test_wjx_xls_text_and_codes_agree():
    inst = inst_of("wjx_phone")
    text = read_export(REAL / "wjx_800_800_0.xls", inst)
    codes = read_export(REAL / "wjx_800_800_2.xls", inst)
    assert text.format == codes.format == "wjx" and len(text.frame) == 800
    pd.testing.assert_frame_equal(text.frame, codes.frame)
    # against an independent reading of the coded file
    theirs = pd.read_excel(REAL / "wjx_800_800_2.xls", engine="calamine")
    np.testing.assert_array_equal(text.frame["USE1"].to_numpy(dtype=float),
                                  theirs["7、爱好投入占收入比重 "].to_numpy(dtype=float))
    np.testing.assert_array_equal(text.frame["USE2"].to_numpy(dtype=float), theirs["1、手机部数"].to_numpy(dtype=float))
    assert text.frame["gender"].tolist() == theirs["3、性别 "].map({1: "male", 2: "female"}).tolist()
    assert text.frame["_row"].tolist()[:2] == [2, 3]
    # the published copy has 提交答卷时间 blank in every row (with 所用时间, 来源 and 来自IP): nothing says a row was
    # submitted, so none is read as finished (the unfinished rule infers break-offs), and no row-by-row warning
    assert theirs["提交答卷时间"].isna().all() and text.frame["_finished"].isna().all()
    assert "提交答卷时间 (a submitted answer sheet)" not in text.column_map
    assert not any("have no '提交答卷时间'" in w for w in text.warnings)


# -- 8. metadata columns mapped in columns: ---------------------------------------------------
def test_columns_map_metadata_so_screening_runs(tmp_path):
    from iur_survey.clean.pipeline import clean
    inst = inst_of("qualtrics_long", columns={"Q2": "FRU1", "Q10": "FRU2", "Q11": "FRU3", "state": "status",
                                              "done": "finished", "pct": "progress", "begin": "start_time",
                                              "end": "end_time", "who": "id"})
    rows = ["who,state,done,pct,begin,end,Q2,Q10,Q11"]
    for i in range(40):
        rows.append(f"r{i},IP Address,{'False' if i == 3 else 'True'},{50 if i == 3 else 100},"
                    f"2024-01-01 10:00:00,2024-01-01 10:{1 if i == 5 else 20}:00,{i % 7 + 1},{(i + 2) % 7 + 1},"
                    f"{(i + 4) % 7 + 1}")
    raw = read_text(tmp_path, "own.csv", "\n".join(rows) + "\n", inst)
    assert raw.frame["_duration"].iloc[0] == 1200.0 and raw.frame["_duration"].iloc[5] == 60.0
    assert raw.frame["_finished"].iloc[3] == False  # noqa: E712
    res = clean(raw, inst)
    assert "speeder" not in res.report["rules_not_evaluated"]
    assert res.report["hits_by_rule"].get("unfinished", 0) == 1


def test_spss_duration_found_by_its_label(tmp_path):
    df = pd.DataFrame({"id": [1.0, 2.0, 3.0], "totalseconds": [300.0, 20.0, 410.0],
                       "Q2": [1.0, 2.0, 3.0], "Q10": [2.0, 3.0, 4.0], "Q11": [5.0, 6.0, 7.0]})
    p = tmp_path / "wjx.sav"
    pyreadstat.write_sav(df, str(p), column_labels={"totalseconds": "所用时间"})
    raw = read_export(p, inst_of("qualtrics_long"))
    assert raw.column_map["totalseconds"] == "_duration"
    assert raw.frame["_duration"].tolist() == [300.0, 20.0, 410.0]


# -- 9. new readers: Google Forms (real), SurveyMonkey and LimeSurvey (layouts) -------------------
def test_google_forms_by_question_text():
    inst = inst_of("google_forms_hotdog")
    raw = read_export(REAL / "google_forms_hotdog_sp24.csv", inst)
    theirs = pd.read_csv(REAL / "google_forms_hotdog_sp24.csv")
    assert raw.format == "google_forms" and len(raw.frame) == 91
    hd1 = theirs["Do you believe that a hotdog falls under the category of a sandwich?"].map({"No": 0, "Yes": 1})
    np.testing.assert_array_equal(raw.frame["HD1"].to_numpy(dtype=float), hd1.to_numpy(dtype=float))
    year = {"First year": 1, "Second Year": 2, "Third Year": 3, "Fourth year": 4}
    hd2 = theirs["If you are an undergraduate, what is your current academic year?"].map(year)
    np.testing.assert_array_equal(raw.frame["HD2"].to_numpy(dtype=float), hd2.to_numpy(dtype=float))
    level = theirs["Are you currently enrolled as an undergraduate or graduate student at the University of Virginia?"]
    assert raw.frame["level"].tolist() == level.str.lower().tolist()
    assert raw.frame["_submitted"].iloc[0] == pd.Timestamp("2024-01-18 14:18")
    assert raw.column_map["(data row number)"] == "response_id"
    assert "What is the rationale behind your opinion?" in raw.dropped_columns


def test_surveymonkey_two_header_rows(tmp_path):
    inst = inst_of("qualtrics_matrix", columns={})
    doc = {**inst.raw, "columns": {}, "items": {"MAT1": {"en": "Statement one"}, "MAT2": {"en": "Statement two"},
                                                "MAT3": {"en": "Statement three"}},
           "constructs": {"MAT": {"items": ["MAT1", "MAT2", "MAT3"]}},
           "scale": {"min": 1, "max": 5, "labels": {1: ["Strongly disagree"], 2: ["Disagree"], 3: ["Neutral"],
                                                    4: ["Agree"], 5: ["Strongly agree"]}}}
    inst = parse_instrument(doc, "sm.yaml")
    text = ('Respondent ID,Collector ID,Start Date,End Date,IP Address,Email Address,First Name,Last Name,'
            'Custom Data 1,How much do you agree?,,,Any comments?\n'
            ',,,,,,,,,Statement one,Statement two,Statement three,Open-Ended Response\n'
            '114,4001,03/01/2023 10:00:00 AM,03/01/2023 10:07:30 AM,1.2.3.4,a@b.c,,,,Agree,Neutral,'
            'Strongly agree,"fine, thanks"\n'
            '115,4001,03/01/2023 11:00:00 AM,03/01/2023 11:00:40 AM,1.2.3.5,,,,,Disagree,,Agree,\n')
    raw = read_text(tmp_path, "sm.csv", text, inst)
    assert raw.format == "surveymonkey"
    assert raw.frame["response_id"].tolist() == ["114", "115"]
    np.testing.assert_array_equal(items(raw, ["MAT1", "MAT2", "MAT3"]), [[4, 3, 5], [2, np.nan, 4]])
    assert raw.frame["_duration"].tolist() == [450.0, 40.0]
    assert raw.frame["_row"].tolist() == [3, 4]
    assert "Email Address" in raw.dropped_columns


def test_limesurvey_codes_and_incomplete(tmp_path):
    doc = {"scale": {"min": 1, "max": 5, "labels": {1: ["A1"], 2: ["A2"], 3: ["A3"], 4: ["A4"], 5: ["A5"]}},
           "constructs": {"MAT": {"items": ["MAT1", "MAT2"]}},
           "columns": {"Q1[SQ001]": "MAT1", "Q1[SQ002]": "MAT2"}}
    inst = parse_instrument(doc, "ls.yaml")
    text = ('"id","submitdate","lastpage","startlanguage","seed","startdate","datestamp","ipaddr",'
            '"Q1[SQ001]","Q1[SQ002]","interviewtime"\n'
            '"7","2023-03-01 10:07:30","2","en","123","2023-03-01 10:00:00","2023-03-01 10:07:30","1.2.3.4",'
            '"A4","A2","450.5"\n'
            '"8","","1","en","124","2023-03-01 11:00:00","2023-03-01 11:00:40","1.2.3.5","A1","","40"\n')
    raw = read_text(tmp_path, "ls.csv", text, inst)
    assert raw.format == "limesurvey"
    np.testing.assert_array_equal(items(raw, ["MAT1", "MAT2"]), [[4, 2], [1, np.nan]])
    assert raw.frame["_finished"].tolist() == [True, False]
    assert raw.frame["_duration"].tolist() == [450.5, 40.0]
    assert raw.frame["response_id"].tolist() == ["7", "8"]
    # a survey without date stamps: LimeSurvey writes 1980-01-01 for every completed response
    raw = read_text(tmp_path, "ls2.csv", text.replace("2023-03-01 10:07:30", "1980-01-01 00:00:00", 1), inst)
    assert raw.frame["_finished"].tolist() == [True, False] and raw.frame["_submitted"].isna().all()


# -- issue 10: a workbook cut in half --------------------------------------------------------
def test_truncated_workbook_export_is_refused(tmp_path):
    from iur_survey.simulate import simulate
    from iur_survey.simulate.writers import write_export
    inst = load_instrument()
    p = write_export(simulate(180, seed=3).frame, inst, "xlsx", tmp_path / "x.xlsx")
    with zipfile.ZipFile(p) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = next(n for n in parts if n.startswith("xl/worksheets/"))
    parts[sheet] = parts[sheet][:len(parts[sheet]) // 2]
    cut = tmp_path / "cut.xlsx"
    with zipfile.ZipFile(cut, "w") as z:
        for n, b in parts.items():
            z.writestr(n, b)
    with pytest.raises(ReadError, match="damaged"):
        read_export(cut, inst)


def test_strict_names_the_earliest_row_over_all_columns(tmp_path):
    cons = {k: {kk: vv for kk, vv in v.items() if kk != "scale"} for k, v in inst_of("holzinger").raw["constructs"].items()}
    inst = inst_of("holzinger", constructs=cons)
    head = "id,school," + ",".join(f"x{i}" for i in range(1, 10))
    p = tmp_path / "h.csv"
    p.write_text(f"{head}\n1,Pasteur,3,3,3,3,3,3,3,3,3\n2,Pasteur,9,3,3,3,3,3,3,3,3\n"
                 f"3,Pasteur,3,3,3,3,3,3,3,2.5,3\n", encoding="utf-8")
    with pytest.raises(OutOfRangeError) as ei:
        read_export(p, inst, strict=True)
    assert (ei.value.row, ei.value.column) == (3, "x1") and "outside the scale 1-5" in str(ei.value)
    p.write_text(f"{head}\n1,Pasteur,3,3,3,3,3,3,3,3,3\n2,Pasteur,3,3,3,3,3,3,3,2.5,3\n"
                 f"3,Pasteur,9,3,3,3,3,3,3,3,3\n", encoding="utf-8")
    with pytest.raises(OutOfRangeError) as ei:
        read_export(p, inst, strict=True)
    assert (ei.value.row, ei.value.column) == (3, "x8") and "2.5 is not a whole number" in str(ei.value)


def test_saq_labels_in_another_language_are_refused():
    inst = inst_of("saq", scale={"min": 1, "max": 5, "labels": {1: ["Stimme gar nicht zu"], 5: ["Stimme voll zu"]}},
                   missing_codes=[])
    with pytest.raises(UnknownLabelError, match="none is a wording of the instrument.*value_labels: codes"):
        read_export(REAL / "SAQ.sav", inst)
