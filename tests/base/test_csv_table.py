"""The pandas-free reader of a plain fit (issue 10, start-up): :class:`iur_survey.sem.table.CsvTable` gives the
same numbers as ``pandas.read_csv`` for a plainly simple CSV, hands every other file or column to pandas, and a fit
on it equals the fit on the DataFrame."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from iur_survey.datafile import read_data_file
from iur_survey.sem import sem
from iur_survey.sem.table import CsvTable

ROWS = ("id,a,b,c\n"
        "x1,1,2.5,-3\n"
        "x2,,0.125,4\n"
        "x3,5,,123456789012345\n")


def test_plain_numbers_equal_pandas():
    raw = ROWS.encode()
    t = CsvTable.parse(raw, dtype={"id": str})
    ref = pd.read_csv(io.BytesIO(raw), dtype={"id": str})
    assert t.columns == list(ref.columns) and len(t) == len(ref)
    got = t.matrix(["a", "b", "c"])
    np.testing.assert_array_equal(got, ref[["a", "b", "c"]].to_numpy(float))       # NaN where blank, same doubles
    assert t.numeric("id") is None
    pd.testing.assert_frame_equal(t.to_frame(), ref)


@pytest.mark.parametrize("raw", [
    b"\xef\xbb\xbfid,a\nx,1\n",          # BOM
    b'id,a\n"x",1\n',                    # quotes
    b"id,a\r\nx,1\r\n",                  # CRLF
    b"id,a\nx,1\n\ny,2\n",               # blank line
    b"id,a\nx,1,2\n",                    # ragged row
    b"id,id\nx,1\n",                     # duplicate header
    b"id,\nx,1\n",                       # empty header cell
    b"id,a\n",                           # header only
    b"",                                 # empty
    "id,a\nx,\xe9\n".encode("latin-1"),  # not UTF-8
])
def test_anything_not_plainly_simple_goes_to_pandas(raw):
    assert CsvTable.parse(raw) is None


@pytest.mark.parametrize("cell", ["NA", "nan", " 4", "4 ", "1e3", "1.", ".5", "-0", "-0.0", "True", "+1",
                                  "3.14159265358979323846", "1234567890123456"])
def test_a_column_not_plainly_numeric_goes_to_pandas(cell):
    t = CsvTable.parse(f"id,a\nx,1\ny,{cell}\n".encode())
    assert t is not None and t.numeric("a") is None and not t.plain_numeric(["a"])


def test_read_data_file_falls_back_to_the_dataframe(tmp_path):
    p = tmp_path / "clean.csv"
    p.write_text('response_id,x\n"r1",1\n', encoding="utf-8")
    d = read_data_file(p, plain=True)
    assert isinstance(d, pd.DataFrame) and d["response_id"].tolist() == ["r1"]


def _payload(res) -> dict:
    out = res.to_dict()
    out.pop("seconds")
    return out


@pytest.mark.parametrize("missing", [False, True])
def test_a_fit_on_the_table_equals_the_fit_on_the_dataframe(tmp_path, missing):
    rng = np.random.default_rng(11)
    f = rng.standard_normal((200, 1))
    x = np.round(f @ [[1.0, 0.8, 0.6, 0.7]] + rng.standard_normal((200, 4)) * 0.6, 3)
    frame = pd.DataFrame(x, columns=["x1", "x2", "x3", "x4"])
    if missing:
        frame.iloc[::17, 1] = np.nan
    frame.insert(0, "response_id", [f"r{i}" for i in range(200)])
    p = tmp_path / "clean.csv"
    frame.to_csv(p, index=False)
    table = read_data_file(p, plain=True)
    assert isinstance(table, CsvTable)
    model = "F =~ x1 + x2 + x3 + x4"
    a, b = sem(model, table), sem(model, pd.read_csv(p, dtype={"response_id": str}))
    assert _payload(a) == _payload(b)
    assert a.missing == ("fiml" if missing else "listwise")
    pd.testing.assert_series_equal(a.fit_measures(), b.fit_measures())
    pd.testing.assert_series_equal(a.r2(), b.r2())
    pd.testing.assert_frame_equal(a.parameter_estimates(), b.parameter_estimates())


def test_a_group_fit_on_the_table_uses_the_dataframe(tmp_path):
    rng = np.random.default_rng(5)
    x = np.round(rng.standard_normal((120, 3)) + rng.standard_normal((120, 1)), 3)
    frame = pd.DataFrame(x, columns=["x1", "x2", "x3"])
    frame.insert(0, "g", ["a", "b"] * 60)
    p = tmp_path / "d.csv"
    frame.to_csv(p, index=False)
    table = read_data_file(p, plain=True)
    a, b = sem("F =~ x1 + x2 + x3", table, group="g"), sem("F =~ x1 + x2 + x3", pd.read_csv(p), group="g")
    assert _payload(a) == _payload(b)
