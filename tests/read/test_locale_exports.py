"""Exports written in other locales.  Numbers with a decimal comma (semicolon CSVs of German or French
spreadsheets, REDCap's decimal-comma projects): measured quantities are read when the comma cannot be a
thousands separator, and refused with a message that names the ambiguity when it can (audit s24 readaudit
B2).  Tencent's Chinese names of the answer times (C7)."""

from __future__ import annotations

import numpy as np
import pytest

from iur_survey.errors import UnknownLabelError
from iur_survey.instrument import parse_instrument
from iur_survey.read import read_export

DOC = {"scale": {"min": 1, "max": 5}, "constructs": {"BOD": {"items": ["BOD1", "BOD2"], "scale": "continuous"},
                                                     "MAT": {"items": ["MAT1", "MAT2"]}},
       "columns": {"record_id": "id", "height": "BOD1", "weight": "BOD2", "q1": "MAT1", "q2": "MAT2",
                   "Dauer": "duration", "Fortschritt": "progress"}}


def test_decimal_comma_in_measured_columns(tmp_path):
    p = tmp_path / "eu.csv"
    p.write_text('record_id;height;weight;q1;q2;Dauer;Fortschritt\n'
                 '1;1,54;52,3;4;2;661,84;100\n2;1,84;123,4;5;5;20,18;37,5\n3;0,5;1234,567;1;3;1013,38;100\n',
                 encoding="utf-8")
    raw = read_export(p, parse_instrument(DOC, "eu.yaml"))
    np.testing.assert_allclose(raw.frame[["BOD1", "BOD2"]].to_numpy(dtype=float),
                               [[1.54, 52.3], [1.84, 123.4], [0.5, 1234.567]])
    np.testing.assert_allclose(raw.frame["_duration"].to_numpy(dtype=float), [661.84, 20.18, 1013.38])
    np.testing.assert_allclose(raw.frame["_progress"].to_numpy(dtype=float), [100, 37.5, 100])
    np.testing.assert_array_equal(raw.frame[["MAT1", "MAT2"]].to_numpy(dtype=float), [[4, 2], [5, 5], [1, 3]])


@pytest.mark.parametrize("cell", ["1,540", "12,345"])
def test_thousands_or_decimal_is_refused(tmp_path, cell):
    # nothing in the column tells: every comma cell has three digits after it, or a point is used beside it
    p = tmp_path / "eu.csv"
    p.write_text(f'record_id;height;weight;q1;q2\n1;2,125;52,3;4;2\n2;"{cell}";52,3;4;2\n', encoding="utf-8")
    with pytest.raises(UnknownLabelError, match="decimal comma or a thousands separator") as ei:
        read_export(p, parse_instrument(DOC, "eu.yaml"))
    assert (ei.value.row, ei.value.column) == (2, "height")
    p.write_text(f'record_id;height;weight;q1;q2\n1;1.5;52,3;4;2\n2;"{cell}";52,3;4;2\n', encoding="utf-8")
    with pytest.raises(UnknownLabelError, match="decimal comma or a thousands separator") as ei:
        read_export(p, parse_instrument(DOC, "eu.yaml"))
    assert (ei.value.row, ei.value.column) == (3, "height")


@pytest.mark.parametrize("cell, value", [("1,540", 1.54), ("12,345", 12.345)])
def test_a_column_that_writes_decimal_commas_reads_its_three_digit_ones_so(tmp_path, cell, value):
    # '1,540' beside '1,5' in one column (a German Excel's semicolon CSV; real32: Holzinger's x3 '2,125' beside
    # '0,375' and '3,3333333' was refused): a spreadsheet that writes a decimal comma never groups thousands with
    # a comma, so the column's '1,540' is 1.54 (was refused as "a decimal comma or a thousands separator?")
    p = tmp_path / "eu.csv"
    p.write_text(f'record_id;height;weight;q1;q2\n1;1,5;52,3;4;2\n2;"{cell}";52,3;4;2\n', encoding="utf-8")
    raw = read_export(p, parse_instrument(DOC, "eu.yaml"))
    np.testing.assert_allclose(raw.frame["BOD1"].to_numpy(dtype=float), [1.5, value])


def test_scale_answers_keep_no_decimal_comma(tmp_path):
    """A Likert code is a whole number: '4,5' (a multiple choice pasted in?) stays unreadable, as before."""
    p = tmp_path / "eu.csv"
    p.write_text('record_id;height;weight;q1;q2\n1;1,5;52,3;"4,5";2\n', encoding="utf-8")
    with pytest.raises(UnknownLabelError):
        read_export(p, parse_instrument(DOC, "eu.yaml"))


def test_tencent_answer_times_give_the_duration(tmp_path):
    """腾讯问卷 (Tencent) names its times 开始答题时间 / 结束答题时间: the duration is their difference (audit s24
    readaudit C7: no duration, so the speeder rule was not evaluated)."""
    doc = {"scale": {"min": 1, "max": 5}, "constructs": {"MAT": {"items": ["MAT1", "MAT2"]}},
           "columns": {"编号": "id", "1.题一": "MAT1", "2.题二": "MAT2"}}
    p = tmp_path / "tx.csv"
    p.write_text("编号,开始答题时间,结束答题时间,1.题一,2.题二\n1,2024-05-01 10:00:00,2024-05-01 10:05:30,4,2\n"
                 "2,2024-05-01 11:00:00,2024-05-01 11:00:40,5,5\n", encoding="utf-8")
    raw = read_export(p, parse_instrument(doc, "tx.yaml"))
    assert raw.frame["_duration"].tolist() == [330.0, 40.0]
