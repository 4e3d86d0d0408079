"""Workbooks: which sheet is read, hidden rows and columns, title rows; Excel's ``sep=,`` line in a CSV.

Before these checks only a workbook's first sheet was read, in silence: a codebook first sheet
gave a format error, responses split over two sheets lost the second, a hidden first sheet
(lookup lists) was read instead of the data, and rows an analyst hid (test or pilot responses,
a filter) were read as responses.  Every workbook here is built in ``tmp_path``.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile

import pandas as pd
import pytest
import xlsxwriter

from tests.read._ods import write_ods

from iur_survey.clean import clean
from iur_survey.cli import main
from iur_survey.errors import DelimiterError, EmptyFileError, FormatDetectionError, ReadError
from iur_survey.read import read_export
from iur_survey.read.workbook import WorkbookWarning, hidden_rows_xlsx, load_sheet, read_workbook_rows
from iur_survey.simulate import simulate
from iur_survey.simulate.writers import write_export

ITEMS = [f"{c}{i}" for c in ("GOV", "MKT", "BEN", "VAL", "TAL", "COL", "INT") for i in range(1, 5)]
HEAD = ["ResponseId", "role", "Finished", "Progress", *ITEMS, "Email"]
ROLES = ("enterprise", "university", "research_institute", "government")


def rows(n, start=0):
    return [[f"R{start + i}", ROLES[i % 4], True, 100, *[1 + (i + j) % 5 for j in range(28)], f"x{start + i}@y.org"]
            for i in range(n)]


def book(path, sheets, active=None):
    """A workbook of ``sheets``: (name, rows, options: hidden, hide_rows (0-based), hide_cols (0-based))."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                         "strings_to_urls": False})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    for k, (name, data, opts) in enumerate(sheets):
        ws = wb.add_worksheet(name)
        for r, row in enumerate(data):
            for c, v in enumerate(row):
                if isinstance(v, (dt.datetime, pd.Timestamp)):
                    ws.write_datetime(r, c, pd.Timestamp(v).to_pydatetime(), date_fmt)
                elif v is not None:
                    ws.write(r, c, v)
        for r in opts.get("hide_rows", ()):
            ws.set_row(r, None, None, {"hidden": True})
        for c in opts.get("hide_cols", ()):
            ws.set_column(c, c, None, None, {"hidden": True})
        if opts.get("hidden"):
            ws.hide()
        if k == (active if active is not None else next(i for i, s in enumerate(sheets) if not s[2].get("hidden"))):
            ws.activate()
    wb.close()
    return path


def hide_in_xml(path, rows=(), strip_r=False):
    """Mark sheet rows hidden by editing the first sheet's XML, as Excel writes it (``<row r="5" hidden="1">``)."""
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    name = "xl/worksheets/sheet1.xml"
    xml = parts[name].decode()
    for r in rows:
        xml, k = re.subn(rf'<row r="{r}"', f'<row r="{r}" hidden="1"', xml)
        assert k == 1
    if strip_r:
        xml = re.sub(r'(<row) r="\d+"', r"\1", xml)
    parts[name] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, b in parts.items():
            z.writestr(n, b)
    return path


@pytest.fixture
def qualtrics_rows(inst, tmp_path):
    """The rows of a simulated Qualtrics XLSX export (3 header rows), to place on sheets."""
    p = write_export(simulate(60, seed=3).frame, inst, "qualtrics", tmp_path / "q.xlsx")
    grid, _ = read_workbook_rows(p)
    return grid


# -- which sheet ---------------------------------------------------------------------------
def test_single_sheet_reads_as_before_without_warning(tmp_path, inst):
    p = book(tmp_path / "one.xlsx", [("Responses", [HEAD, *rows(20)], {})])
    raw = read_export(p, inst)
    assert len(raw.frame) == 20 and raw.warnings == []


def test_codebook_first_sheet_reads_the_data_sheet_and_says_so(tmp_path, inst, qualtrics_rows):
    """Before: FormatDetectionError (row 1 of the codebook).  Now: the Qualtrics sheet, with a warning."""
    codebook = [["variable", "label"], ["Q2_1", "Government guidance 1"], ["Q2_2", "Government guidance 2"]]
    p = book(tmp_path / "wb.xlsx", [("README", codebook, {}), ("Data", qualtrics_rows, {})])
    with pytest.warns(WorkbookWarning, match="read sheet 'Data'"):
        raw = read_export(p, inst)
    assert raw.format == "qualtrics" and len(raw.frame) == len(qualtrics_rows) - 3
    assert any("'Data' (sheet 2 of 2)" in w and "'README'" in w for w in raw.warnings)
    report = clean(raw, inst).report
    assert any("read sheet 'Data'" in w for w in report["warnings"])      # the report says it too


def test_data_sheet_first_and_notes_after_it_says_the_notes_were_not_read(tmp_path, inst):
    p = book(tmp_path / "wb.xlsx", [("Responses", [HEAD, *rows(20)], {}), ("Notes", [["pilot on 3 March"]], {})])
    with pytest.warns(WorkbookWarning):
        raw = read_export(p, inst)
    assert len(raw.frame) == 20
    assert raw.warnings == ["read sheet 'Responses' (sheet 1 of 2), the one whose header is a survey export's; "
                            "sheet(s) 'Notes' also hold cells and were not read (choose another with --sheet)"]


def test_responses_split_over_two_sheets_are_refused(tmp_path, inst):
    """Before: the 20 rows of 'March' read, the 15 of 'April' lost in silence."""
    p = book(tmp_path / "split.xlsx", [("March", [HEAD, *rows(20)], {}), ("April", [HEAD, *rows(15, 100)], {})])
    with pytest.raises(ReadError) as ei:
        read_export(p, inst)
    msg = str(ei.value)
    assert msg.startswith(f"{p}: sheets 'March' and 'April' have the same header row") and "\n" not in msg
    assert "--sheet" in msg
    for sheet in ("April", 2, "2"):
        raw = read_export(p, inst, sheet=sheet)
        assert raw.frame["response_id"].tolist() == [f"R{100 + i}" for i in range(15)] and raw.warnings == []


def test_a_hidden_copy_of_the_data_is_refused_too(tmp_path, inst):
    p = book(tmp_path / "copy.xlsx", [("Data", [HEAD, *rows(20)], {}), ("raw", [HEAD, *rows(25)], {"hidden": True})])
    with pytest.raises(ReadError, match=r"sheets 'Data' and 'raw' \(hidden\) have the same header row"):
        read_export(p, inst)


def test_two_different_survey_sheets_are_refused(tmp_path, inst):
    other = ["ResponseId", "role", *ITEMS[:8]]
    p = book(tmp_path / "two.xlsx", [("Wave 1", [HEAD, *rows(20)], {}),
                                     ("Wave 2", [other, *[r[:2] + r[4:12] for r in rows(5)]], {})])
    with pytest.raises(ReadError, match=r"sheets 'Wave 1' and 'Wave 2' each hold a survey export's header: choose"):
        read_export(p, inst)
    assert len(read_export(p, inst, sheet="Wave 1").frame) == 20


def test_hidden_first_sheet_of_lists_is_not_read(tmp_path, inst):
    """Before: the hidden lookup sheet was read (FormatDetectionError on its first cell)."""
    p = book(tmp_path / "h.xlsx", [("lists", [["enterprise"], ["university"]], {"hidden": True}),
                                   ("Data", [HEAD, *rows(30)], {})])
    with pytest.warns(WorkbookWarning, match=r"'lists' \(hidden\) also hold cells"):
        raw = read_export(p, inst)
    assert len(raw.frame) == 30


def test_only_sheet_with_cells_is_read_wherever_it_is(tmp_path, inst):
    p = book(tmp_path / "e.xlsx", [("Sheet1", [], {}), ("Sheet2", [HEAD, *rows(12)], {})])
    with pytest.warns(WorkbookWarning, match=r"read sheet 'Sheet2' \(sheet 2 of 2\), the only one with cells"):
        raw = read_export(p, inst)
    assert len(raw.frame) == 12
    p = book(tmp_path / "none.xlsx", [("A", [], {}), ("B", [], {})])
    with pytest.raises(EmptyFileError, match="every sheet of the workbook is empty"):
        read_export(p, inst)


def test_sheet_option_errors_name_the_file_and_the_sheets(tmp_path, inst):
    p = book(tmp_path / "wb.xlsx", [("README", [["about"]], {}), ("Data", [HEAD, *rows(5)], {}),
                                    ("1", [["x"]], {})])
    with pytest.raises(ReadError, match=r"wb.xlsx: the workbook has no sheet 'Dat' \(its sheets: 'README', 'Data', '1'\)"):
        read_export(p, inst, sheet="Dat")
    with pytest.raises(ReadError, match=r"no sheet 4 \(sheets are counted from 1; it has 3"):
        read_export(p, inst, sheet=4)
    with pytest.raises(ReadError, match=r"sheet '1' is ambiguous: it is the name of sheet 3 and the position of sheet 'README'"):
        read_export(p, inst, sheet="1")
    csv = tmp_path / "x.csv"
    csv.write_text(",".join(HEAD) + "\n" + ",".join(str(v) for v in rows(1)[0]) + "\n")
    with pytest.raises(ReadError, match="not a workbook"):
        read_export(csv, inst, sheet="Data")


def test_cli_sheet_and_hidden_rows_options(tmp_path, qualtrics_rows, capsys):
    head, body = qualtrics_rows[:3], qualtrics_rows[3:]
    p = book(tmp_path / "wb.xlsx", [("March", [*head, *body[:30]], {}), ("April", [*head, *body[30:]], {})])
    assert main(["clean", str(p), "--out", str(tmp_path / "o1")]) == 2
    assert "have the same header row" in capsys.readouterr().err
    assert main(["clean", str(p), "--sheet", "April", "--out", str(tmp_path / "o2")]) == 0
    kept = pd.read_csv(tmp_path / "o2" / "clean.csv", dtype=str)
    assert 0 < len(kept) and set(kept["response_id"]) <= {str(r[head[0].index("ResponseId")]) for r in body[30:]}
    h = book(tmp_path / "h.xlsx", [("S", qualtrics_rows, {"hide_rows": [3, 4]})])
    assert main(["clean", str(h), "--out", str(tmp_path / "o3")]) == 2
    assert "hides 2 data row(s) (4, 5)" in capsys.readouterr().err
    assert main(["clean", str(h), "--hidden-rows", "read", "--out", str(tmp_path / "o4")]) == 0


# -- hidden rows and columns ---------------------------------------------------------------
def test_hidden_data_rows_are_refused_naming_them(tmp_path, inst):
    """Before: rows 2-4 (hidden test responses) were read as responses, in silence."""
    p = book(tmp_path / "h.xlsx", [("Sheet1", [HEAD, *rows(30)], {"hide_rows": [1, 2, 3]})])
    with pytest.raises(ReadError) as ei:
        read_export(p, inst)
    e = ei.value
    assert (e.file, e.row) == (str(p), 2)
    assert "sheet 'Sheet1' hides 3 data row(s) (2, 3, 4)" in e.message and "hidden_rows='read'" in e.message
    with pytest.warns(WorkbookWarning, match=r"hides 3 data row\(s\) \(2, 3, 4\); they were read"):
        raw = read_export(p, inst, hidden_rows="read")
    assert len(raw.frame) == 30 and any("they were read as responses" in w for w in raw.warnings)
    with pytest.raises(ReadError, match="hidden_rows must be one of refuse, read"):
        read_export(p, inst, hidden_rows="skip")


def test_hidden_header_rows_of_a_qualtrics_export_are_fine(tmp_path, inst):
    """Analysts hide Qualtrics' question-text and ImportId rows (2-3): not data, nothing to say."""
    p = write_export(simulate(40, seed=5).frame, inst, "qualtrics", tmp_path / "q.xlsx")
    n = len(read_export(p, inst).frame)
    hide_in_xml(p, rows=(2, 3))
    assert sorted(hidden_rows_xlsx(p, None, "Sheet1")[0]) == [2, 3]
    raw = read_export(p, inst)
    assert len(raw.frame) == n and raw.warnings == []
    hide_in_xml(p, rows=(7,))
    with pytest.raises(ReadError, match=r"q.xlsx:7: sheet 'Sheet1' hides 1 data row\(s\) \(7\)"):
        read_export(p, inst)


def test_hidden_rows_without_row_numbers_are_counted(tmp_path):
    p = book(tmp_path / "n.xlsx", [("S", [["a"], ["b"], ["c"], ["d"]], {"hide_rows": [2]})])
    hide_in_xml(p, strip_r=True)
    assert sorted(hidden_rows_xlsx(p, None, "S")[0]) == [3]


def test_hidden_rows_on_the_chosen_sheet_only(tmp_path, inst):
    p = book(tmp_path / "two.xlsx", [("Notes", [["a"], ["b"], ["c"]], {"hide_rows": [1]}),
                                     ("Data", [HEAD, *rows(10)], {"hide_rows": [4]})])
    with pytest.raises(ReadError, match=r"two.xlsx:5: sheet 'Data' hides 1 data row\(s\) \(5\)"):
        read_export(p, inst)
    assert sorted(load_sheet(p, sheet="Notes").hidden_rows) == [2]


def test_a_hidden_item_column_is_read_with_a_warning_a_hidden_email_column_says_nothing(tmp_path, inst):
    p = book(tmp_path / "c.xlsx", [("Sheet1", [HEAD, *rows(30)], {"hide_cols": [4, len(HEAD) - 1]})])
    with pytest.warns(WorkbookWarning):
        raw = read_export(p, inst)
    assert raw.warnings == ["sheet 'Sheet1' hides column(s) 'GOV1' (GOV1); they were read (unhide them to check them)"]
    assert raw.frame["GOV1"].notna().all()


def test_simulator_workbooks_have_no_hidden_rows_or_second_sheet(tmp_path, inst):
    """The evaluation's exports: no new refusal or warning fires on them."""
    frame = simulate(50, seed=2).frame
    for fmt, name in (("qualtrics", "q.xlsx"), ("xlsx", "p.xlsx"), ("wjx_xlsx", "w.xlsx")):
        p = write_export(frame, inst, fmt, tmp_path / name)
        info = load_sheet(p)
        assert (info.n_sheets, sorted(info.hidden_rows), sorted(info.hidden_columns)) == (1, [], [])
        assert not any("sheet" in w for w in read_export(p, inst).warnings)


# -- title rows, Excel's sep= line ---------------------------------------------------------
def test_title_rows_above_the_header_are_refused_naming_the_header_row(tmp_path, inst):
    """Before: 'the layout matches no known export' (row 1).  Now the error says where the header is."""
    p = book(tmp_path / "t.xlsx", [("Sheet1", [["Survey export 2024-03-01"], [], HEAD, *rows(10)], {})])
    with pytest.raises(FormatDetectionError) as ei:
        read_export(p, inst)
    assert str(ei.value) == (f"{p}:1: the export's header is not its first row but row 3 (the first holds "
                             f"'Survey export 2024-03-01': a title?); delete the rows above the header and save again")
    csv = tmp_path / "t.csv"
    csv.write_text("IUR survey,,\n" + ",".join(HEAD) + "\n" + ",".join(str(v) for v in rows(1)[0]) + "\n")
    with pytest.raises(FormatDetectionError, match="not its first row but the 2nd non-empty line"):
        read_export(csv, inst)


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_excel_sep_line_is_skipped_and_lines_keep_their_numbers(tmp_path, inst, bom):
    """Before: FormatDetectionError (the header taken to be 'sep=,')."""
    body = "\r\n".join([",".join(HEAD), *(",".join(str(v) for v in r) for r in rows(5))]) + "\r\n"
    p = tmp_path / "s.csv"
    p.write_bytes(bom + b"sep=,\r\n" + body.encode())
    raw = read_export(p, inst)
    assert raw.format == "csv" and raw.frame["_row"].tolist() == [3, 4, 5, 6, 7]
    assert raw.frame["response_id"].tolist() == [f"R{i}" for i in range(5)]
    p.write_bytes(bom + b"sep=;\r\n" + body.replace(",", ";").encode())     # the delimiter it names is read
    semi = read_export(p, inst)
    assert semi.frame.equals(raw.frame)


def ods(path, name, data, hidden_rows=(), hidden_cols=()):
    """A minimal OpenDocument spreadsheet (as LibreOffice writes one: hidden rows and columns are
    ``table:visibility="collapse"``, the empty rest of the sheet one repeated row)."""
    def cell(v):
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return f'<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p></table:table-cell>'
        return f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>'

    collapse = ' table:visibility="collapse"'
    cols = "".join(f"<table:table-column{collapse if c in hidden_cols else ''}/>" for c in range(len(data[0])))
    rows = "".join(f"<table:table-row{collapse if i in hidden_rows else ''}>{''.join(cell(v) for v in r)}"
                   f"</table:table-row>" for i, r in enumerate(data, 1))
    rows += '<table:table-row table:number-rows-repeated="1048000"><table:table-cell/></table:table-row>'
    return write_ods(path, name, cols + rows)


def test_hidden_rows_of_an_ods_workbook_are_refused_too(tmp_path, inst):
    data = [HEAD, *[[v if not isinstance(v, bool) else "TRUE" for v in r] for r in rows(12)]]
    p = ods(tmp_path / "x.ods", "Responses", data)
    assert len(read_export(p, inst).frame) == 12
    p = ods(tmp_path / "h.ods", "Responses", data, hidden_rows=(3, 9), hidden_cols=(5,))
    with pytest.raises(ReadError, match=r"h.ods:3: sheet 'Responses' hides 2 data row\(s\) \(3, 9\)"):
        read_export(p, inst)
    raw = read_export(p, inst, hidden_rows="read")
    assert len(raw.frame) == 12 and any("'GOV2' (GOV2)" in w for w in raw.warnings)
