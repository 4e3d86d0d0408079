"""Writers -> readers: every format, both label kinds, both languages, both tag styles."""

from __future__ import annotations

import csv
import hashlib
import itertools

import numpy as np
import pandas as pd
import pytest

from iur_survey.read import detect_format, read_export
from iur_survey.read.base import conform_frame
from iur_survey.simulate.writers import FORMATS, READ_FORMAT, expected_frame, write_export

EXT = {"qualtrics": ".csv", "wjx_csv": ".csv", "wjx_xlsx": ".xlsx", "spss": ".sav", "csv": ".csv", "xlsx": ".xlsx"}
CASES = list(itertools.product(FORMATS, ["codes", "text"], ["en", "zh"], ["qnum", "codes"]))


def _assert_same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(got.drop(columns="_row"), want, check_exact=True)


@pytest.mark.parametrize("fmt,labels,language,tags", CASES, ids=["-".join(c) for c in CASES])
def test_roundtrip(tmp_path, inst, frame, fmt, labels, language, tags):
    path = write_export(frame, inst, fmt, tmp_path / f"export{EXT[fmt]}", labels=labels, language=language,
                        tags=tags, seed=3)
    before = path.read_bytes()
    raw = read_export(path, inst)
    assert raw.format == READ_FORMAT[fmt]
    assert detect_format(path, inst) == READ_FORMAT[fmt]
    _assert_same(raw.frame, expected_frame(frame, inst, fmt))
    assert raw.sha256 == hashlib.sha256(before).hexdigest()
    assert path.read_bytes() == before                    # never written to
    # every personal column is dropped, and named in dropped_columns
    text = " ".join(raw.frame.astype(str).to_numpy().ravel())
    assert "@example.com" not in text and "张伟" not in text and "好的" not in text
    assert raw.dropped_columns and not set(raw.dropped_columns) & set(raw.column_map)


def test_expected_frame_is_not_the_reader(inst, frame):
    """The expectation comes from the writer's input, not from reading: spot-check it by hand."""
    want = expected_frame(frame, inst, "wjx_csv")
    assert want["_status"].isna().all()
    # 问卷星 holds submitted sheets only: a row with its 提交答卷时间 is finished; the writer leaves the time of a
    # response not submitted (row 3, Finished False) blank, and a blank time (row 4) says nothing
    assert pd.isna(want.loc[3, "_finished"]) and pd.isna(want.loc[3, "_submitted"])
    assert pd.isna(want.loc[4, "_finished"]) and want.loc[[0, 5], "_finished"].tolist() == [True, True]
    assert want.loc[3, "GOV1"] == 9.0 and np.isnan(want.loc[2, "_duration"])
    assert want.loc[1, "role"] == list(inst.groups)[1]
    assert pd.isna(want.loc[10, "role"])


def _csv_record_lines(path, encoding, header_rows):
    """The line each data record starts on, by Python's csv module (independent of the reader)."""
    starts = []
    with open(path, encoding=encoding, newline="") as fh:
        reader = csv.reader(fh)
        prev_end = 0
        for i, _ in enumerate(reader):
            if i >= header_rows:
                starts.append(prev_end + 1)
            prev_end = reader.line_num
    return starts


@pytest.mark.parametrize("fmt,encoding,header_rows", [("qualtrics", "utf-8-sig", 3), ("wjx_csv", "gb18030", 1),
                                                      ("csv", "utf-8", 1)])
def test_row_numbers_count_quoted_line_breaks(tmp_path, inst, frame, fmt, encoding, header_rows):
    path = write_export(frame, inst, fmt, tmp_path / "x.csv", labels="text")
    raw = read_export(path, inst)
    assert raw.frame["_row"].tolist() == _csv_record_lines(path, encoding, header_rows)
    assert raw.frame["_row"].iloc[0] == header_rows + 1


def test_row_numbers_of_workbooks_and_sav(tmp_path, inst, frame):
    raw = read_export(write_export(frame, inst, "qualtrics", tmp_path / "q.xlsx"), inst)
    assert raw.format == "qualtrics" and raw.frame["_row"].tolist() == list(range(4, len(frame) + 4))
    raw = read_export(write_export(frame, inst, "spss", tmp_path / "s.sav"), inst)
    assert raw.frame["_row"].tolist() == list(range(2, len(frame) + 2))
    raw = read_export(write_export(frame, inst, "wjx_xlsx", tmp_path / "w.xlsx"), inst)
    assert raw.frame["_row"].tolist() == list(range(2, len(frame) + 2))


@pytest.mark.parametrize("style", ["paren", "dash", "bare"])
@pytest.mark.parametrize("missing", ["(跳过)", -3])
def test_wjx_variants(tmp_path, inst, frame, style, missing):
    path = write_export(frame, inst, "wjx_csv", tmp_path / "w.csv", labels="text", language="zh",
                        matrix_style=style, missing=missing, duration_style="hms", encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    raw = read_export(path, inst)
    _assert_same(raw.frame, expected_frame(frame, inst, "wjx_csv"))
    assert raw.column_map["序号"] == "response_id"
    assert raw.column_map["所用时间"] == "_duration" and raw.column_map["来自IP"] == "_ip"


def test_wjx_default_encoding_is_gb18030(tmp_path, inst, frame):
    path = write_export(frame, inst, "wjx_csv", tmp_path / "w.csv", labels="text", language="zh")
    data = path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert data.decode("gb18030").startswith("序号,提交答卷时间,所用时间,来源,来源详情,来自IP")


def test_simulated_sample_roundtrips(tmp_path, inst):
    from iur_survey.simulate import simulate
    frame = simulate(150, seed=11).frame
    for fmt in FORMATS:
        path = write_export(frame, inst, fmt, tmp_path / f"e{EXT[fmt]}", labels="text", language="zh")
        _assert_same(read_export(path, inst).frame, expected_frame(frame, inst, fmt))


def test_conform_frame_matches_reader_dtypes(tmp_path, inst, frame):
    raw = read_export(write_export(frame, inst, "csv", tmp_path / "x.csv"), inst)
    want = conform_frame(frame, inst)
    assert list(raw.frame.columns) == list(want.columns)
    assert raw.frame.dtypes.astype(str).tolist() == want.dtypes.astype(str).tolist()
