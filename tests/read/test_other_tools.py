"""Exports of REDCap, SoSci Survey, Alchemer, Microsoft Forms and 腾讯问卷 (audit s28 foreignexports).

Before their readers, a REDCap record whose form status (``<form>_complete``) was 0 Incomplete or 1
Unverified was kept as a complete response (13 of 14 such records of a 235-row export kept: its status
column after the items even made every break-off look like a row that "answered a later question"), its
``record_id`` was dropped (ids were the data-row numbers, wrong from the first repeat-instrument row on), a
SoSci Survey pretest interview was kept (4 of 5), and Alchemer's ``Status`` (Complete/Partial/Disqualified)
was refused with advice to ignore it, which kept 11 of its 12 Partial or Disqualified responses.  The
layouts are REDCap's as REDCapR's test projects hold them (OuhscBbmc/REDCapR, MIT licence:
inst/test-data/projects/survey/data.csv, checkboxes-1/data.csv, repeating-instruments-sparse/data.csv,
specific-redcapr/read-batch-simple/label.R) and the other tools' as their documentation describes them;
every file is built here, in tmp_path.
"""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest

from iur_survey.clean.pipeline import clean
from iur_survey.errors import FormatDetectionError, ReadError
from iur_survey.read import detect_format, read_export

EN = {1: "Strongly disagree", 2: "Disagree", 3: "Neither agree nor disagree", 4: "Agree", 5: "Strongly agree"}
ROLES = ["Enterprise", "University", "Research institute", "Government"]


def _answers(inst, n, seed=0):
    rng = np.random.default_rng(seed)
    trait = rng.normal(size=n)
    out = {}
    for code in inst.item_codes:
        v = np.clip(np.round(3 + trait + rng.normal(scale=0.8, size=n)), 1, 5).astype(int)
        out[code] = v
    return out


def _write(path, head, rows):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(head)
        w.writerows(rows)
    return path


def _redcap_raw(tmp_path, inst, status, *, extra_head=(), extra=None, name="redcap.csv"):
    """A raw REDCap export of a survey project: record_id, the survey identifier and timestamp, the role as
    its label, the items (lower-case variable names), the check, a checkbox field, the form status."""
    n = len(status)
    ans = _answers(inst, n)
    head = (["record_id", *extra_head, "redcap_survey_identifier", "iur_survey_timestamp", "role"]
            + [c.lower() for c in inst.item_codes] + ["att1", "channels___1", "channels___2", "iur_survey_complete"])
    rows = []
    for i, s in enumerate(status):
        rows.append([str(i + 1), *(extra(i) if extra else ()), "",
                     "2024-03-01 10:%02d:00" % (i % 60) if s == "2" else "[not completed]", ROLES[i % 4]]
                    + [str(ans[c][i]) for c in inst.item_codes] + ["4", "1", "0", s])
    return _write(tmp_path / name, head, rows)


def test_redcap_raw_status_decides_finished_and_the_ledger_says_why(tmp_path, inst):
    status = ["2"] * 30 + ["0", "1", "0"]
    p = _redcap_raw(tmp_path, inst, status)
    assert detect_format(p, inst) == "redcap"
    raw = read_export(p, inst)
    assert raw.format == "redcap"
    assert raw.frame["_finished"].tolist() == [s == "2" for s in status]
    assert raw.frame["response_id"].tolist() == [str(i + 1) for i in range(33)]
    assert raw.column_map["record_id"] == "response_id"
    assert {"channels___1", "channels___2", "iur_survey_complete"} <= set(raw.dropped_columns)
    assert raw.frame["_submitted"].isna().sum() == 3
    res = clean(raw, inst)
    kept = set(res.clean["response_id"])
    assert not kept & {"31", "32", "33"}
    led = res.exclusions[(res.exclusions["rule"] == "unfinished")].set_index("response_id")["detail"]
    assert led["31"] == "iur_survey_complete = 0 (Incomplete)"
    assert led["32"] == "iur_survey_complete = 1 (Unverified)"


def test_redcap_label_export(tmp_path, inst):
    n = 24
    ans = _answers(inst, n, seed=1)
    head = (["Record ID", "Survey Timestamp", inst.role_question["en"]]
            + [inst.items[c].en for c in inst.item_codes]
            + ["Which channels? (choice=Joint lab)", "Complete?"])
    labels = ["Complete"] * 20 + ["Incomplete", "Unverified", "Incomplete", "Complete"]
    rows = [[str(100 + i), "2024-03-01 10:00:00" if s == "Complete" else "[not completed]", ROLES[i % 4]]
            + [EN[ans[c][i]] for c in inst.item_codes] + ["Checked", s] for i, s in enumerate(labels)]
    p = _write(tmp_path / "labels.csv", head, rows)
    raw = read_export(p, inst)
    assert raw.format == "redcap"
    assert raw.frame["_finished"].tolist() == [s == "Complete" for s in labels]
    assert raw.frame["response_id"].iloc[0] == "100"
    assert raw.completion_note[21] == "Complete? = 1 (Unverified)"
    assert raw.frame["GOV1"].tolist() == [float(v) for v in ans["GOV1"]]


def test_redcap_repeat_rows_are_not_responses_and_ids_stay_the_records(tmp_path, inst):
    status = ["2"] * 24
    p = _redcap_raw(tmp_path, inst, status, extra_head=("redcap_repeat_instrument", "redcap_repeat_instance"),
                    extra=lambda i: ("", ""))
    body = list(csv.reader(open(p, encoding="utf-8")))
    head, rows = body[0], body[1:]
    out = []
    for r in rows:
        out.append(r)
        if r[0] in ("1", "5"):
            for k in ("1", "2"):
                blank = [r[0], "visit", k] + [""] * (len(head) - 3)
                out.append(blank)
    p = _write(tmp_path / "repeat.csv", head, out)
    raw = read_export(p, inst)
    ids = raw.frame["response_id"].tolist()
    assert ids[:4] == ["1", "1/1", "1/2", "2"]
    assert raw.frame["_finished"].sum() == 24
    assert "redcap_repeat_instrument 'visit'" in raw.completion_note[1]
    res = clean(raw, inst)
    assert not any("attention rule excluded" in w for w in res.report["warnings"])


def test_redcap_events_name_records_answering_twice(tmp_path, inst):
    status = ["2"] * 24
    p = _redcap_raw(tmp_path, inst, status, extra_head=("redcap_event_name",),
                    extra=lambda i: ("baseline_arm_1" if i < 20 else "followup_arm_1",))
    body = list(csv.reader(open(p, encoding="utf-8")))
    for r in body[21:]:
        r[0] = str(int(r[0]) - 20)            # records 1-4 again, at the follow-up
    p = _write(tmp_path / "events.csv", body[0], body[1:])
    with pytest.warns(UserWarning, match="4 record.s. completed the survey's form at more than one event"):
        raw = read_export(p, inst)
    assert raw.frame["response_id"].iloc[20] == "1/followup_arm_1"
    assert raw.frame["response_id"].is_unique


def test_redcap_checkbox_column_is_never_an_item(tmp_path, inst):
    status = ["2"] * 20
    p = _redcap_raw(tmp_path, inst, status)
    body = list(csv.reader(open(p, encoding="utf-8")))
    k = body[0].index("att1")
    body = [r[:k] + r[k + 1:] for r in body]          # the check's own column left out: the map names a choice
    inst2 = __import__("dataclasses").replace(inst, columns={"channels___1": "ATT1"})
    with pytest.raises(ReadError, match="channels___1: the column is one choice of a REDCap checkbox field"):
        read_export(_write(tmp_path / "cb.csv", body[0], body[1:]), inst2)


def test_redcap_unknown_status_refused(tmp_path, inst):
    p = _redcap_raw(tmp_path, inst, ["2"] * 20 + ["3"])
    with pytest.raises(ReadError, match=r"redcap.csv:22:iur_survey_complete: '3' is no REDCap form status"):
        read_export(p, inst)


def test_two_tools_marks_are_refused_not_guessed(tmp_path, inst):
    head = ["CASE", "SERIAL", "REF", "QUESTNNR", "MODE", "STARTED", "Response ID", "Time Started",
            "Date Submitted", "Status", *inst.item_codes]
    p = _write(tmp_path / "both.csv", head, [["1", "", "", "b", "interview", "", "1", "", "", "Complete"]
                                             + ["3"] * 28])
    with pytest.raises(FormatDetectionError, match="marks of SoSci Survey and of Alchemer"):
        read_export(p, inst)


def _sosci(tmp_path, inst, modes, finished):
    n = len(modes)
    ans = _answers(inst, n, seed=2)
    head = ["CASE", "SERIAL", "REF", "QUESTNNR", "MODE", "STARTED", "SD01"]
    head += [f"AB{1 + k // 4:02d}_{1 + k % 4:02d}" for k in range(28)]
    head += ["TIME001", "TIME_SUM", "LASTDATA", "FINISHED", "LASTPAGE", "MAXPAGE", "MISSING", "DEG_TIME"]
    rows = []
    for i in range(n):
        items = [str(ans[c][i]) for c in inst.item_codes]
        items[-1] = "-9" if i % 5 == 0 else items[-1]
        rows.append([str(40 + i), "", "", "base", modes[i], "2024-03-01 10:00:00", ROLES[i % 4]] + items
                    + ["20", str(200 + i), "2024-03-01 10:05:00", finished[i], "6", "6", "0", "3"])
    cols = {f"AB{1 + k // 4:02d}_{1 + k % 4:02d}": c for k, c in enumerate(inst.item_codes)}
    cols["SD01"] = inst.group_column
    return _write(tmp_path / "sosci.csv", head, rows), __import__("dataclasses").replace(inst, columns=cols)


def test_sosci_pretest_is_excluded_and_minus_9_is_missing(tmp_path, inst):
    modes = ["pretest", "admin"] + ["interview"] * 28
    fin = ["1"] * 29 + ["0"]
    p, inst2 = _sosci(tmp_path, inst, modes, fin)
    assert detect_format(p, inst2) == "sosci"
    with pytest.warns(UserWarning, match="1 pretest, 1 admin interview"):
        raw = read_export(p, inst2)
    assert raw.frame["response_id"].iloc[0] == "40"
    assert raw.frame["_duration"].iloc[0] == 200.0
    assert np.isnan(raw.frame["INT4"].iloc[0]) and np.isnan(raw.frame["INT4"].iloc[5])
    res = clean(raw, inst2)
    led = res.exclusions[res.exclusions["action"] == "excluded"]
    st = led[led["rule"] == "status"].set_index("response_id")["detail"]
    assert st.to_dict() == {"40": "status 'pretest' (test)", "41": "status 'admin (preview)'"}
    assert "69" in set(led.loc[led["rule"] == "unfinished", "response_id"])


def test_sosci_unknown_mode_refused(tmp_path, inst):
    # not 'debug': SoSci writes it for a run from the administration area (a preview; real exports hold it)
    p, inst2 = _sosci(tmp_path, inst, ["interview"] * 20 + ["simulation"], ["1"] * 21)
    with pytest.raises(ReadError, match=r"sosci.csv:22:MODE: MODE 'simulation' is none of SoSci Survey's"):
        read_export(p, inst2)



def _sosci_sav(tmp_path, inst, modes, finished):
    """The SoSci export of :func:`_sosci` as the .sav SPSS saves from SoSci's SPSS download: numbers, MODE a string,
    FINISHED labelled 0 "Canceled", 1 "Finished" (as in a real one: herwinvw/VisualProsody's pilot.sav)."""
    import pyreadstat

    p, inst2 = _sosci(tmp_path, inst, modes, finished)
    df = pd.read_csv(p, dtype=str, keep_default_na=False)
    for c in df.columns:
        if c not in ("SERIAL", "REF", "QUESTNNR", "MODE", "STARTED", "LASTDATA", "SD01"):
            df[c] = pd.to_numeric(df[c].replace("-9", "3"))
    sav = tmp_path / "sosci.sav"
    pyreadstat.write_sav(df, str(sav), variable_value_labels={"FINISHED": {0: "Canceled", 1: "Finished"}})
    return p, sav, inst2


def test_sosci_sav_reads_mode_as_the_csv_does(tmp_path, inst):
    """A .sav saved from SoSci's export: on d5f93a4 its MODE was dropped, so the pretest and the admin interview
    were kept as respondents (the CSV of the same data excludes them), and FINISHED's label 'Canceled' was refused."""
    modes = ["pretest", "admin"] + ["interview"] * 28
    fin = ["1"] * 29 + ["0"]
    csv_path, sav, inst2 = _sosci_sav(tmp_path, inst, modes, fin)
    with pytest.warns(UserWarning, match="1 pretest, 1 admin interview"):
        raw = read_export(sav, inst2)
    assert raw.format == "spss" and raw.column_map["MODE"] == "_status" and "MODE" not in raw.dropped_columns
    assert raw.frame["_status"].tolist()[:3] == ["pretest", "admin (preview)", "interview"]
    assert raw.frame["_finished"].tolist()[-2:] == [True, False]
    led = clean(raw, inst2).exclusions
    led = led[led["action"] == "excluded"]
    st = led[led["rule"] == "status"].set_index("response_id")["detail"]
    assert st.to_dict() == {"40": "status 'pretest' (test)", "41": "status 'admin (preview)'"}
    assert "69" in set(led.loc[led["rule"] == "unfinished", "response_id"])
    with pytest.warns(UserWarning):
        from_csv = read_export(csv_path, inst2)
    assert from_csv.frame["_status"].tolist() == raw.frame["_status"].tolist()


def test_sosci_sav_unknown_mode_refused(tmp_path, inst):
    """A real SoSci pilot (.sav and CSV alike) holds MODE 'orgtest': refused in both, naming the row."""
    _, sav, inst2 = _sosci_sav(tmp_path, inst, ["interview"] * 20 + ["orgtest"], ["1"] * 21)
    with pytest.raises(ReadError, match=r"sosci.sav:22:MODE: MODE 'orgtest' is none of SoSci Survey's"):
        read_export(sav, inst2)


def test_alchemer_status(tmp_path, inst):
    statuses = ["Complete"] * 26 + ["Partial", "Disqualified", "Partial", "Complete"]
    n = len(statuses)
    ans = _answers(inst, n, seed=3)
    Q = "How far do you agree with each statement?"
    head = (["Response ID", "Time Started", "Date Submitted", "Status", "Contact ID", "SessionID", "IP Address",
             inst.role_question["en"]] + [f"{inst.items[c].en}:{Q}" for c in inst.item_codes])
    rows = [[str(i + 1), "2024-03-01 10:00:00", "2024-03-01 10:%02d:%02d" % (5 + i % 50, i + 1) if s == "Complete" else "", s,
             "", f"s{i}", f"10.0.0.{i}", ROLES[i % 4]] + [EN[ans[c][i]] for c in inst.item_codes]
            for i, s in enumerate(statuses)]
    p = _write(tmp_path / "alchemer.csv", head, rows)
    assert detect_format(p, inst) == "alchemer"
    raw = read_export(p, inst)
    assert raw.frame["_finished"].tolist() == [s == "Complete" for s in statuses]
    assert raw.frame["_duration"].iloc[0] == 301.0
    res = clean(raw, inst)
    led = res.exclusions[res.exclusions["rule"] == "unfinished"].set_index("response_id")["detail"]
    assert led.to_dict() == {"27": "Status = Partial", "28": "Status = Disqualified", "29": "Status = Partial"}
    rows[3][3] = "Deleted"
    with pytest.raises(ReadError, match=r":5:Status: Status 'Deleted' is none of Alchemer's"):
        read_export(_write(tmp_path / "a2.csv", head, rows), inst)


def test_microsoft_forms_times_give_the_duration(tmp_path, inst):
    n = 20
    ans = _answers(inst, n, seed=4)
    Q = "How far do you agree with each statement?"
    start = pd.Timestamp("2024-03-01 10:00:00")
    data = {"ID": range(1, n + 1), "Start time": [start + pd.Timedelta(minutes=i) for i in range(n)],
            "Completion time": [start + pd.Timedelta(minutes=i, seconds=90 + i) for i in range(n)],
            "Email": ["anonymous"] * n, "Name": [""] * n, inst.role_question["en"]: [ROLES[i % 4] for i in range(n)]}
    for c in inst.item_codes:
        data[f"{Q}.{inst.items[c].en}"] = [EN[v] for v in ans[c]]
    p = tmp_path / "forms.xlsx"
    pd.DataFrame(data).to_excel(p, index=False)
    raw = read_export(p, inst)
    assert raw.frame["_duration"].tolist() == [90.0 + i for i in range(n)]
    assert raw.frame["GOV1"].tolist() == [float(v) for v in ans["GOV1"]]
    assert raw.column_map["ID"] == "response_id"


def test_tencent_survey_reads(tmp_path, inst):
    n = 20
    ans = _answers(inst, n, seed=5)
    zh = {1: "非常不同意", 2: "不同意", 3: "一般", 4: "同意", 5: "非常同意"}
    head = (["编号", "开始答题时间", "结束答题时间", "答题时长", "IP", "地理位置", "1." + inst.role_question["zh"]]
            + [f"2.请选择您对以下说法的同意程度:{inst.items[c].zh}" for c in inst.item_codes])
    rows = [[str(i + 1), "2024-03-01 10:00:00", "2024-03-01 10:03:00", "3分0秒", f"10.0.0.{i}", "辽宁省-大连市",
             ["企业", "高校", "科研院所", "政府"][i % 4]] + [zh[ans[c][i]] for c in inst.item_codes] for i in range(n)]
    raw = read_export(_write(tmp_path / "tencent.csv", head, rows), inst)
    assert raw.frame["response_id"].tolist()[:2] == ["1", "2"]
    assert raw.frame["_duration"].iloc[0] == 180.0
    assert raw.frame["GOV1"].tolist() == [float(v) for v in ans["GOV1"]]
    assert "地理位置" in raw.dropped_columns


def test_unverified_taken_as_finished_when_the_analyst_says_so(tmp_path, inst):
    from iur_survey.clean.config import CleanConfig
    from iur_survey.errors import IURSurveyError

    status = ["2"] * 30 + ["0", "1", "1"]
    raw = read_export(_redcap_raw(tmp_path, inst, status), inst)
    res = clean(raw, inst, CleanConfig.from_dict({"unfinished": {"accept": ["Unverified"]}}))
    led = res.exclusions[res.exclusions["rule"] == "unfinished"]
    assert led["response_id"].tolist() == ["31"]
    assert res.report["config"]["unfinished"]["accept"] == ["Unverified"]
    with pytest.raises(IURSurveyError, match="unfinished accept: unknown status.es. unverifed"):
        CleanConfig.from_dict({"unfinished": {"accept": ["Unverifed"]}})


def test_redcap_without_status_columns_is_read_plain_with_a_warning(tmp_path, inst):
    p = _redcap_raw(tmp_path, inst, ["2"] * 20)
    body = list(csv.reader(open(p, encoding="utf-8")))
    keep = [k for k, h in enumerate(body[0]) if not h.endswith("_complete") and not h.startswith("redcap_")]
    p = _write(tmp_path / "nostatus.csv", [body[0][k] for k in keep], [[r[k] for k in keep] for r in body[1:]])
    with pytest.warns(UserWarning, match="REDCap's record_id but the export has no form status"):
        raw = read_export(p, inst)
    assert raw.format == "csv" and raw.frame["response_id"].iloc[0] == "1"


@pytest.mark.parametrize("fmt", ["redcap", "sosci", "alchemer"])
def test_another_export_given_as_these_formats_is_a_typed_error(tmp_path, inst, fmt):
    head = ["ResponseId", inst.group_column, *inst.item_codes]
    p = _write(tmp_path / "plain.csv", head, [["R1", "企业"] + ["3"] * 28])
    with pytest.raises(ReadError, match="plain.csv:1: "):
        read_export(p, inst, format=fmt)


def test_redcap_label_export_in_another_language_is_not_read_as_complete_in_silence(tmp_path, inst):
    """REDCap's label export is recognised by its English status column only; one headed otherwise is read as a
    plain export with a warning naming the raw export; translated status labels under Complete? are refused."""
    n = 24
    ans = _answers(inst, n, seed=1)
    for header, words in (("Completo?", ("Completo", "Incompleto")), ("Complete?", ("Completo", "Incompleto"))):
        head = (["Record ID", "Survey Timestamp", inst.role_question["en"]]
                + [inst.items[c].en for c in inst.item_codes] + [header])
        rows = [[str(100 + i), "2024-03-01 10:00:00", ROLES[i % 4]] + [EN[ans[c][i]] for c in inst.item_codes]
                + [words[i >= 20]] for i in range(n)]
        p = _write(tmp_path / "labels.csv", head, rows)
        if header == "Completo?":
            with pytest.warns(UserWarning, match=r"REDCap's Record ID but the export has no form status .*export "
                                                  r"the raw data \(codes\) instead"):
                raw = read_export(p, inst)
            assert raw.format == "csv" and any("raw data" in w for w in raw.warnings)
        else:
            with pytest.raises(ReadError, match=r":2:Complete\?: 'Completo' is no REDCap form status .*export the "
                                                r"raw data, codes 0/1/2"):
                read_export(p, inst)
