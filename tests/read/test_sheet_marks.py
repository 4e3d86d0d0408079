"""Error cells and hidden rows of .xls, .xlsb and .ods workbooks: refused as in .xlsx, not read as blank answers.

python-calamine reads an error cell (``#N/A``, ``#DIV/0!``) as ``""`` in every format, so a failed lookup
recode was a missing answer in silence for every workbook but .xlsx/.xlsm, and the rows an .xls or .xlsb
sheet hides were read as responses.  The workbooks are in ``tests/fixtures/sheets`` (written by its
``make_sheets.py``: ``errors.*`` holds #N/A at row 5 GOV4 and #DIV/0! at row 8 GOV1, ``hidden.*`` hides
row 5 and column D, GOV2); the variants are built in ``tmp_path``.
"""

from __future__ import annotations

import struct
import warnings
import zipfile
from pathlib import Path

import pytest
import python_calamine

from iur_survey.errors import ReadError, UnknownLabelError
from iur_survey.read import read_export
from iur_survey.read import binbook, workbook
from iur_survey.read.binbook import Unchecked, cfb_stream, xls_marks, xlsb_marks
from iur_survey.read.workbook import WorkbookWarning, load_sheet, sheet_marks
from tests.read._ods import write_ods

SHEETS = Path(__file__).resolve().parents[1] / "fixtures" / "sheets"
FORMATS = ("xls", "xlsb", "ods")
ERRORS = {(5, 5): "#N/A", (8, 2): "#DIV/0!"}


@pytest.mark.parametrize("ext", FORMATS)
def test_calamine_reads_the_error_cells_as_blank(ext):
    """The premise: without the scan these cells would be blank answers."""
    wb = python_calamine.CalamineWorkbook.from_path(str(SHEETS / f"errors.{ext}"))
    grid = wb.get_sheet_by_name("Responses").to_python(skip_empty_area=False)
    assert [grid[r - 1][c] for r, c in ERRORS] == ["", ""]
    assert grid[4][4] == 3 and grid[0][5] == "GOV4"


@pytest.mark.parametrize("ext", FORMATS)
def test_sheet_marks_find_the_error_cells_and_hidden_rows(ext):
    p = SHEETS / f"errors.{ext}"
    rows, cols, bad = sheet_marks(p, None, "Responses")
    more = {(10, 6): ""} if ext == "ods" else {}            # .ods: a formula saved without its value, too
    assert (rows, cols, bad) == (frozenset(), frozenset(), {**ERRORS, **more})
    assert sheet_marks(p, p.read_bytes(), "Responses")[2] == bad
    assert sheet_marks(SHEETS / f"hidden.{ext}", None, "Responses") == (frozenset({5}), frozenset({3}), {})


@pytest.mark.parametrize("ext", FORMATS)
def test_error_cells_are_refused_as_in_xlsx(ext, inst):
    with pytest.raises(ReadError, match=rf"errors\.{ext}:5:GOV4: the cell holds the spreadsheet error #N/A "
                                        rf"\({3 if ext == 'ods' else 2} such cells in the columns read\)") as ei:
        read_export(SHEETS / f"errors.{ext}", inst)
    assert type(ei.value) is UnknownLabelError and (ei.value.row, ei.value.column) == (5, "GOV4")


@pytest.mark.parametrize("ext", FORMATS)
def test_hidden_rows_are_refused_and_read_on_request(ext, inst):
    p = SHEETS / f"hidden.{ext}"
    with pytest.raises(ReadError, match=r"sheet 'Responses' hides 1 data row\(s\) \(5\)") as ei:
        read_export(p, inst)
    assert ei.value.row == 5
    with pytest.warns(WorkbookWarning) as said:
        raw = read_export(p, inst, hidden_rows="read")
    assert [str(w.message).split(": ", 1)[1].split(";")[0] for w in said] == [
        "sheet 'Responses' hides 1 data row(s) (5)", "sheet 'Responses' hides column(s) 'GOV2' (GOV2)"]
    assert len(raw.frame) == 12 and raw.frame["response_id"].tolist()[3] == "R3"


def test_a_workbook_the_scan_cannot_check_is_read_with_a_warning_naming_it(tmp_path, inst, monkeypatch):
    def unknown(data, name):
        raise Unchecked("BIFF version 0x0400 (only BIFF5 and BIFF8 are checked)")

    monkeypatch.setattr(workbook, "xls_marks", unknown)
    p = tmp_path / "old.xls"
    p.write_bytes((SHEETS / "hidden.xls").read_bytes())
    with pytest.warns(WorkbookWarning, match=r"old\.xls: sheet 'Responses' was not checked for error cells "
                                             r"\(#N/A.*BIFF version 0x0400"):
        raw = read_export(p, inst)
    assert len(raw.frame) == 12 and any("was not checked" in w for w in raw.warnings)


def test_xls_scan_refuses_what_it_does_not_know_without_crashing():
    data = (SHEETS / "errors.xls").read_bytes()
    with pytest.raises(Unchecked, match="not an OLE2"):
        cfb_stream(b"PK\x03\x04" + data[4:])
    with pytest.raises(Unchecked, match="no sheet record is called 'Other'"):
        xls_marks(data, "Other")
    with pytest.raises(Unchecked):
        xls_marks(data[:2048], "Responses")                        # cut off: its sectors are missing
    stream = bytearray(cfb_stream(data))
    stream[4:6] = struct.pack("<H", 0x0400)                         # a BIFF4 BOF
    with pytest.raises(Unchecked, match="BIFF version 0x0400"):
        binbook._xls_marks(bytes(stream), "Responses")


def test_xlsb_scan_refuses_a_cut_sheet_part(tmp_path):
    p = tmp_path / "cut.xlsb"
    with zipfile.ZipFile(SHEETS / "errors.xlsb") as src, zipfile.ZipFile(p, "w") as dst:
        for n in src.namelist():
            body = src.read(n)
            dst.writestr(n, body[:len(body) // 2] if n.endswith("sheet1.bin") else body)
    with zipfile.ZipFile(p) as zf, pytest.raises(Unchecked, match="records are not as expected"):
        xlsb_marks(zf, "Responses")
    with zipfile.ZipFile(SHEETS / "errors.xlsb") as zf, pytest.raises(Unchecked, match="'Other'"):
        xlsb_marks(zf, "Other")


# -- .ods: the ways an error and a formula are written -----------------------------------------------
def _ods(path, rows_xml: str, name: str = "S") -> Path:
    return write_ods(path, name, rows_xml)


def _num(v, repeat=1):
    rep = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return f'<table:table-cell office:value-type="float" office:value="{v}"{rep}><text:p>{v}</text:p></table:table-cell>'


def test_ods_error_and_formula_cells_in_their_spellings(tmp_path):
    cells = [
        # LibreOffice: the string type with an empty value, the error's text (in the program's language)
        '<table:table-cell table:formula="of:=1/0" office:value-type="string" office:string-value="" '
        'calcext:value-type="error"><text:p>#ЗНАЧЕН!</text:p></table:table-cell>',
        # no office type at all: calamine reads it blank
        '<table:table-cell table:formula="of:=NA()" calcext:value-type="error"><text:p>#N/A</text:p></table:table-cell>',
        # the string type and no value: calamine reads the paragraph, '#N/A' as text; still an error
        '<table:table-cell office:value-type="string" calcext:value-type="error"><text:p>#N/A</text:p></table:table-cell>',
        '<table:table-cell table:formula="of:=[.A1]"/>',                            # a formula without a value
        '<table:table-cell table:formula="of:=[.A1]" office:value-type="float" office:value="2"/>',   # a value: fine
        '<table:table-cell table:formula="of:=&quot;&quot;" office:value-type="string"><text:p/></table:table-cell>',
    ]
    rows = (f"<table:table-row>{_num(1, 2)}{''.join(cells)}</table:table-row>"
            f'<table:table-row table:number-rows-repeated="2">{_num(7)}{cells[1]}</table:table-row>')
    p = _ods(tmp_path / "e.ods", rows)
    grid = python_calamine.CalamineWorkbook.from_path(str(p)).get_sheet_by_name("S").to_python()
    assert grid[0][2:8] == ["", "", "#N/A", "", 2.0, ""] and grid[2][:2] == [7.0, ""]
    assert sheet_marks(p, None, "S")[2] == {(1, 2): "#ЗНАЧЕН!", (1, 3): "#N/A", (1, 4): "#N/A", (1, 5): "",
                                            (2, 1): "#N/A", (3, 1): "#N/A"}


def test_ods_row_without_attributes_before_a_repeated_cell_counts_one_row(tmp_path):
    """``<table:table-row>`` (no attribute) was matched up to the next tag's end: the first cell's
    ``number-columns-repeated`` was taken for the row's repeat, and the rows after it were numbered wrong."""
    rows = (f"<table:table-row>{_num(1, 3)}</table:table-row>" * 2
            + f'<table:table-row table:visibility="collapse">{_num(2)}</table:table-row>')
    p = _ods(tmp_path / "r.ods", rows)
    assert sheet_marks(p, None, "S")[0] == frozenset({3})


def test_load_sheet_of_an_ods_error_cell_keeps_its_place(tmp_path):
    rows = (f"<table:table-row>{_num(1)}{_num(2)}</table:table-row>"
            '<table:table-row><table:table-cell table:formula="of:=NA()" office:value-type="string" '
            'office:string-value="" calcext:value-type="error"><text:p>#N/A</text:p></table:table-cell>'
            f"{_num(3)}</table:table-row>")
    p = _ods(tmp_path / "l.ods", rows)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        info = load_sheet(p)
    assert info.bad_cells == {(2, 0): "#N/A"} and info.warnings == []
