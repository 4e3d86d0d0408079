"""Bad input gives a typed error naming file, row and column; nothing half-way."""

from __future__ import annotations

import pytest

from iur_survey.errors import (DelimiterError, DuplicateColumnError, EmptyFileError, EncodingError,
                               FormatDetectionError, IURSurveyError, MissingColumnError, OutOfRangeError,
                               ReadError, UnknownLabelError)
from iur_survey.read import read_export

ITEMS = [f"{c}{i}" for c in ("GOV", "MKT", "BEN", "VAL", "TAL", "COL", "INT") for i in range(1, 5)]


def plain(rows, header=None, sep=","):
    header = header or ["ResponseId", "role", *ITEMS, "ATT1"]
    lines = [sep.join(header)] + [sep.join(r) for r in rows]
    return "\n".join(lines) + "\n"


def row(rid="R1", role="enterprise", fill="3", **over):
    cells = {"ResponseId": rid, "role": role, **{c: fill for c in ITEMS}, "ATT1": "4", **over}
    return [cells[k] for k in ["ResponseId", "role", *ITEMS, "ATT1"]]


def write(tmp_path, text, name="x.csv", encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return p


def test_unknown_label_names_line_and_header(tmp_path, inst):
    p = write(tmp_path, plain([row("R1"), row("R2"), row("R3", MKT2="Maybe")]))
    with pytest.raises(UnknownLabelError) as ei:
        read_export(p, inst)
    e = ei.value
    assert (e.file, e.row, e.column) == (str(p), 4, "MKT2")
    assert "Maybe" in e.message
    assert str(e).startswith(f"{p}:4:MKT2:")


def test_unknown_label_line_counts_header_rows_and_line_breaks(tmp_path, inst, frame):
    from iur_survey.simulate.writers import write_export
    frame = frame.copy()
    frame.loc[2, "VAL2"] = 77.0           # a unique cell to corrupt
    p = write_export(frame, inst, "qualtrics", tmp_path / "q.csv", tags="codes")
    data = p.read_bytes()
    assert data.count(b",77,") == 1
    p.write_bytes(data.replace(b",77,", b",Perhaps,"))
    # 3 header lines; record 0 holds a comment with a line break (lines 4-5), record 1 is line 6
    with pytest.raises(UnknownLabelError) as ei:
        read_export(p, inst)
    assert (ei.value.row, ei.value.column) == (7, "VAL2")


def test_out_of_range_kept_unless_strict(tmp_path, inst):
    p = write(tmp_path, plain([row("R1"), row("R2", TAL3="7")]))
    raw = read_export(p, inst)
    assert raw.frame.loc[1, "TAL3"] == 7.0
    with pytest.raises(OutOfRangeError) as ei:
        read_export(p, inst, strict=True)
    assert (ei.value.row, ei.value.column) == (3, "TAL3")
    p2 = write(tmp_path, plain([row("R1", GOV2="2.5")]), "y.csv")
    with pytest.raises(OutOfRangeError):
        read_export(p2, inst, strict=True)


def test_missing_items_listed(tmp_path, inst):
    header = ["ResponseId", "role", *[c for c in ITEMS if c not in ("BEN2", "INT4")], "ATT1"]
    body = [["R1", "enterprise", *["3"] * (len(header) - 3), "4"]]
    p = write(tmp_path, plain(body, header))
    with pytest.raises(MissingColumnError) as ei:
        read_export(p, inst)
    assert "BEN2" in ei.value.message and "INT4" in ei.value.message and "GOV1" not in ei.value.message


def test_missing_role_column(tmp_path, inst):
    header = ["ResponseId", *ITEMS]
    p = write(tmp_path, plain([["R1", *["3"] * 28]], header))
    with pytest.raises(MissingColumnError) as ei:
        read_export(p, inst, format="csv")
    assert "role" in ei.value.message


@pytest.mark.parametrize("text", ["", "\n\n  \n", "\ufeff"])
def test_empty_file(tmp_path, inst, text):
    p = write(tmp_path, text)
    with pytest.raises(EmptyFileError):
        read_export(p, inst)
    with pytest.raises(EmptyFileError):
        read_export(p, inst, format="csv")


def test_header_only(tmp_path, inst):
    p = write(tmp_path, plain([]))
    with pytest.raises(EmptyFileError) as ei:
        read_export(p, inst)
    assert "no response" in ei.value.message


def test_qualtrics_header_rows_only(tmp_path, inst, frame):
    from iur_survey.simulate.writers import write_export
    p = write_export(frame, inst, "qualtrics", tmp_path / "q.csv")
    lines = p.read_bytes().split(b"\r\n")[:3]
    p.write_bytes(b"\r\n".join(lines) + b"\r\n")
    with pytest.raises(EmptyFileError):
        read_export(p, inst)


def test_identical_headers(tmp_path, inst):
    # a duplicated header in a column the instrument does not use is harmless (issue 11, point 6)
    header = ["ResponseId", "role", *ITEMS, "ATT1", "Email", "Email"]
    raw = read_export(write(tmp_path, plain([row() + ["a", "b"]], header)), inst)
    assert raw.dropped_columns == ["Email", "Email"]
    # a duplicated item column is an error
    header = ["ResponseId", "role", *ITEMS, "ATT1", "GOV2"]
    p = write(tmp_path, plain([row() + ["3"]], header), "dup.csv")
    with pytest.raises(DuplicateColumnError) as ei:
        read_export(p, inst)
    assert ei.value.column == "GOV2"


def test_two_headers_for_one_item(tmp_path, inst):
    header = ["ResponseId", "role", *ITEMS, "ATT1", inst.items["GOV1"].zh]
    p = write(tmp_path, plain([row() + ["3"]], header))
    with pytest.raises(DuplicateColumnError) as ei:
        read_export(p, inst)
    assert "GOV1" in ei.value.message


@pytest.mark.parametrize("sep", [";", "\t"])
def test_other_delimiter_is_detected(tmp_path, inst, sep):
    """Before: refused ("separated by ';', not ','") with no way to read it (audit s18 B2)."""
    p = write(tmp_path, plain([row(), row("R2")], sep=sep))
    ref = read_export(write(tmp_path, plain([row(), row("R2")]), name="comma.csv"), inst).frame
    for fmt in ("csv", None):
        raw = read_export(p, inst, format=fmt)
        assert raw.frame.drop(columns="_row").equals(ref.drop(columns="_row"))


def test_ambiguous_delimiter_is_refused(tmp_path, inst):
    p = write(tmp_path, "id;a|b\nR1;3|4\nR2;3|4\n")
    with pytest.raises(DelimiterError, match="ambiguous") as ei:
        read_export(p, inst)
    assert ei.value.row == 1


def test_undecodable_bytes(tmp_path, inst):
    good = plain([row("R1"), row("R2")]).encode("utf-8")
    bad = good + b"R3,\xff\xfe\x80enterprise," + b"3," * 28 + b"4\n"
    p = write(tmp_path, bad)
    with pytest.raises(EncodingError) as ei:
        read_export(p, inst)
    assert ei.value.row == 4 and str(p) in str(ei.value)
    with pytest.raises(EncodingError) as ei:
        read_export(p, inst, format="csv")
    assert ei.value.row == 4


def test_undecodable_late_in_big_file(tmp_path, inst):
    rows = [row(f"R{i}") for i in range(40_000)]
    data = plain(rows).encode("utf-8") + b"R_bad,\xff\xff," + b"3," * 27 + b"4\n"
    p = write(tmp_path, data)
    with pytest.raises(EncodingError) as ei:
        read_export(p, inst, format="csv")
    assert ei.value.row == 40_002


def test_gbk_file_reads(tmp_path, inst):
    p = write(tmp_path, plain([row("R1", role="科研院所", GOV1="非常同意")]), encoding="gbk")
    raw = read_export(p, inst)
    assert raw.frame.loc[0, "role"] == "research_institute" and raw.frame.loc[0, "GOV1"] == 5.0


def test_ragged_row(tmp_path, inst):
    text = plain([row("R1"), row("R2") + ["extra", "more"]])
    p = write(tmp_path, text)
    with pytest.raises(ReadError) as ei:
        read_export(p, inst)
    assert ei.value.row == 3


def test_unclosed_quote(tmp_path, inst):
    text = plain([row("R1")]) + '"R2,enterprise,' + ",".join(["3"] * 29) + "\n"
    p = write(tmp_path, text)
    with pytest.raises(ReadError):
        read_export(p, inst)


def test_unrecognised_layout(tmp_path, inst):
    p = write(tmp_path, "name,age,city\nAnn,3,Oslo\nBob,4,Rome\n")
    with pytest.raises(FormatDetectionError) as ei:
        read_export(p, inst)
    assert ei.value.row == 1
    p2 = write(tmp_path, b"%PDF-1.4 binary\x00\x01", "x.sav")
    with pytest.raises(FormatDetectionError):
        read_export(p2, inst)
    p3 = write(tmp_path, b"PK\x03\x04garbage", "x.xlsx")
    with pytest.raises(ReadError, match="damaged"):
        read_export(p3, inst)
    with pytest.raises(FormatDetectionError):
        read_export(write(tmp_path, plain([row()]), "y.csv"), inst, format="stata")


def test_forced_format_mismatch(tmp_path, inst, frame):
    from iur_survey.simulate.writers import write_export
    p = write_export(frame, inst, "xlsx", tmp_path / "x.xlsx")
    with pytest.raises(FormatDetectionError):
        read_export(p, inst, format="csv")
    with pytest.raises(FormatDetectionError):
        read_export(p, inst, format="spss")


def test_missing_file(tmp_path, inst):
    with pytest.raises(ReadError) as ei:
        read_export(tmp_path / "nope.csv", inst)
    assert "no such file" in ei.value.message


def test_bad_role_code(tmp_path, inst):
    p = write(tmp_path, plain([row("R1"), row("R2", role="7")]))
    with pytest.raises(UnknownLabelError) as ei:
        read_export(p, inst)
    assert (ei.value.row, ei.value.column) == (3, "role")


def test_bad_date(tmp_path, inst):
    header = ["ResponseId", "role", *ITEMS, "ATT1", "RecordedDate"]
    p = write(tmp_path, plain([row() + ["2023-03-01 10:00:00"], row("R2") + ["yesterday-ish"]], header))
    with pytest.raises(ReadError) as ei:
        read_export(p, inst)
    assert (ei.value.row, ei.value.column) == (3, "RecordedDate")


def test_every_error_is_an_iursurveyerror():
    for cls in (DelimiterError, DuplicateColumnError, EmptyFileError, EncodingError, FormatDetectionError,
                MissingColumnError, OutOfRangeError, UnknownLabelError):
        assert issubclass(cls, ReadError) and issubclass(cls, IURSurveyError)


def test_utf16_and_forced_encoding(tmp_path, inst):
    text = plain([row("R1", role="政府", GOV1="非常同意")])
    p = write(tmp_path, text.encode("utf-16"), "u16.csv")
    raw = read_export(p, inst)
    assert raw.frame.loc[0, "role"] == "government" and raw.frame.loc[0, "GOV1"] == 5.0
    q = write(tmp_path, text, "gbk.csv", encoding="gbk")
    assert read_export(q, inst, encoding="gbk").frame.loc[0, "role"] == "government"
    with pytest.raises(EncodingError) as ei:
        read_export(q, inst, encoding="utf-8")
    assert ei.value.row == 2
    with pytest.raises(EncodingError):
        read_export(q, inst, encoding="no-such-codec")


def test_old_mac_line_ends(tmp_path, inst):
    p = write(tmp_path, plain([row("R1"), row("R2", GOV4="Maybe")]).replace("\n", "\r"))
    with pytest.raises(UnknownLabelError) as ei:
        read_export(p, inst)
    assert (ei.value.row, ei.value.column) == (3, "GOV4")


def test_writer_argument_checks(tmp_path, inst, frame):
    from iur_survey.simulate.writers import expected_frame, write_export
    for kwargs in ({"labels": "words"}, {"language": "fr"}, {"tags": "ids"}, {"matrix_style": "x"},
                   {"duration_style": "x"}):
        with pytest.raises(ValueError):
            write_export(frame, inst, "csv", tmp_path / "x.csv", **kwargs)
    with pytest.raises(ValueError):
        write_export(frame, inst, "stata", tmp_path / "x.dta")
    with pytest.raises(ValueError):
        expected_frame(frame, inst, "stata")
    assert not (tmp_path / "x.csv").exists()


def test_a_nul_in_a_workbook_text_cell_is_refused(tmp_path, inst):
    """A workbook can carry a NUL (OOXML writes it _x0000_); pandas hashes text only up to a NUL, so two ids that
    differ after it would be one to the duplicate rules: the reader refuses, naming the row and the column."""
    from iur_survey.errors import ReadError
    from iur_survey.simulate import simulate
    from iur_survey.simulate.writers import write_export

    frame = simulate(30, seed=2).frame.copy()
    frame.loc[5, "response_id"] = frame.loc[4, "response_id"] + "\x00x"
    path = write_export(frame, inst, "xlsx", tmp_path / "x.xlsx")
    with pytest.raises(ReadError, match="NUL character") as err:
        read_export(path, inst)
    assert err.value.row == 7 and err.value.column is not None
