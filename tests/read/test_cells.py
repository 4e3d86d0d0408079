"""Cell-level recoding and the workbook reader, against hand-written expectations and openpyxl."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from iur_survey.errors import ReadError, UnknownLabelError
from iur_survey.read import recode
from iur_survey.read.workbook import read_workbook_rows
from iur_survey.simulate.writers import write_xlsx

LINES = np.arange(2, 12)


@pytest.mark.parametrize("text,seconds", [("583秒", 583), ("2分30秒", 150), ("1小时2分3秒", 3723), ("45", 45),
                                          ("12.5", 12.5), ("1天1秒", 86401), ("3分钟", 180), ("2h5m", 7500)])
def test_durations(text, seconds):
    assert recode.parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["soon", "秒", "5 apples", ""])
def test_bad_durations(text):
    with pytest.raises(ValueError):
        recode.parse_duration(text)


def test_duration_column_error_names_line():
    s = pd.Series(["5秒", "1分", "lots"])
    with pytest.raises(ReadError) as ei:
        recode.recode_duration(s, LINES, "所用时间", "w.csv")
    assert (ei.value.row, ei.value.column) == (4, "所用时间")


def test_finished_values():
    s = pd.Series(["True", "FALSE", "1", "0", "", "是", "否", None])
    got = recode.recode_finished(s, LINES, "Finished", "q.csv").tolist()
    assert got == [True, False, True, False, None, True, False, None]
    with pytest.raises(UnknownLabelError):
        recode.recode_finished(pd.Series(["maybe"]), LINES, "Finished", "q.csv")


def test_status_text_and_codes():
    s = pd.Series(["0", "8", "ip address", "Survey Preview", "", "16"])
    got = recode.recode_status(s, LINES, "Status", "q.csv").tolist()
    assert got == ["IP Address", "Spam", "IP Address", "Survey Preview", None, "Offline"]
    with pytest.raises(UnknownLabelError) as ei:
        recode.recode_status(pd.Series(["0", "3"]), LINES, "Status", "q.csv")
    assert ei.value.row == 3
    # a status text Qualtrics does not write (translated, edited) is refused, not passed as an ordinary response
    with pytest.raises(UnknownLabelError, match="unknown status 'Umfragetest'") as ei:
        recode.recode_status(pd.Series(["IP Address", "Umfragetest"]), LINES, "Status", "q.csv")
    assert ei.value.row == LINES[1]


def test_ip_place_dropped():
    s = pd.Series(["223.104.3.1(北京-北京)", "10.0.0.2 （辽宁-大连）", "", "1.2.3.4"])
    got = recode.recode_ip(s, LINES, "来自IP", "w.csv")
    assert got[:2].tolist() == ["223.104.3.1", "10.0.0.2"] and pd.isna(got[2]) and got[3] == "1.2.3.4"


def test_dates_in_several_layouts():
    s = pd.Series(["2023/3/1 10:22:33", "2023/12/31 23:59:59", ""])
    got = recode.recode_submitted(s, LINES, "提交答卷时间", "w.csv")
    assert list(pd.to_datetime(got[:2]).astype(str)) == ["2023-03-01 10:22:33", "2023-12-31 23:59:59"]
    assert pd.isna(got[2])
    mixed = pd.Series([dt.datetime(2023, 1, 2, 3, 4, 5), "2023-01-02T03:04:06", None], dtype=object)
    got = recode.recode_submitted(mixed, LINES, "RecordedDate", "q.xlsx")
    assert list(pd.to_datetime(got[:2]).astype(str)) == ["2023-01-02 03:04:05", "2023-01-02 03:04:06"]


def test_items_labels_codes_missing(inst):
    s = pd.Series(["非常不同意", "Neutral", " agree ", "(跳过)", "-2", "", "4.0", None, 5, 2.0], dtype=object)
    got = recode.recode_items(s, LINES, "GOV1", "x.csv", inst)
    np.testing.assert_array_equal(got, [1, 3, 4, np.nan, np.nan, np.nan, 4, np.nan, 5, 2])


def test_role_words_only(inst):
    s = pd.Series(["高校", "Research institute", "government", "", None], dtype=object)
    got = recode.recode_role(s, LINES[:5], "Q1", "q.csv", inst).tolist()
    assert got == ["university", "research_institute", "government", None, None]


@pytest.mark.parametrize("value", ["1", 4.0, 2])
def test_role_number_is_never_a_position(inst, value):
    with pytest.raises(UnknownLabelError, match="not as positions"):
        recode.recode_role(pd.Series(["高校", value], dtype=object), LINES[:2], "Q1", "q.csv", inst)


# -- workbooks (python-calamine) -------------------------------------------------------
def test_workbook_reader_agrees_with_openpyxl(tmp_path):
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    rows = [["id", "when", "score", "ok", "text"],
            ["a", dt.datetime(2023, 3, 1, 10, 22, 33), 3, True, "x & <y> \"z\""],
            ["b", dt.datetime(1999, 12, 31, 23, 59, 59), 2.25, False, "多行\n文本"],
            [None, None, None, None, None],
            ["d", dt.datetime(2020, 2, 29), -3, None, "  spaced  "]]
    for r in rows:
        ws.append(r)
    ws["G7"] = "far away"
    p = tmp_path / "o.xlsx"
    wb.save(p)
    ours, numbers = read_workbook_rows(p)
    theirs = [list(r) for r in openpyxl.load_workbook(p).active.iter_rows(values_only=True)]
    theirs_nonempty = [(i + 1, r) for i, r in enumerate(theirs) if any(v is not None for v in r)]
    assert numbers == [i for i, _ in theirs_nonempty]
    # calamine gives a midnight date as datetime.date, openpyxl as datetime: the same day
    def day(v):
        return dt.datetime.combine(v, dt.time()) if type(v) is dt.date else v
    assert [[day(v) for v in r] for r in ours] == [r for _, r in theirs_nonempty]


def test_workbook_1904_date_system(tmp_path):
    import openpyxl
    wb = openpyxl.Workbook()
    wb.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    wb.active.append(["when", dt.datetime(2023, 3, 1, 10, 22, 33)])
    p = tmp_path / "mac.xlsx"
    wb.save(p)
    rows, _ = read_workbook_rows(p)
    assert rows == [["when", dt.datetime(2023, 3, 1, 10, 22, 33)]]


def test_workbook_text_roundtrip(tmp_path):
    texts = ["a\tb", "_x0041_ literal", "tab\tcr\rlf\n", "&amp; <tag>", "=SUM(A1:A2)", "x"]
    p = write_xlsx(tmp_path / "c.xlsx", [texts, [1, 2, 3, 4, 5, 6]])
    rows, _ = read_workbook_rows(p)
    assert rows[0] == texts and rows[1] == [1, 2, 3, 4, 5, 6]


def test_truncated_sheet_is_refused(tmp_path):
    """issue 10: a workbook whose sheet1.xml is cut in half must not lose rows silently."""
    import zipfile
    p = write_xlsx(tmp_path / "w.xlsx", [["id", "GOV1"], *[[f"r{i}", i % 5 + 1] for i in range(300)]])
    with zipfile.ZipFile(p) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = sheet[:len(sheet) // 2]
    cut = tmp_path / "cut.xlsx"
    with zipfile.ZipFile(cut, "w") as z:
        for n, b in parts.items():
            z.writestr(n, b)
    with pytest.raises(ReadError, match="damaged"):
        read_workbook_rows(cut)
