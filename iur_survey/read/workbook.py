"""Spreadsheet exports (.xlsx, .xlsm, .xls, .xlsb, .ods) read with python-calamine.

`python-calamine <https://pypi.org/project/python-calamine/>`_ (the engine behind
``pandas.read_excel(engine="calamine")``) reads every cell value of one sheet:
numbers, text, booleans, dates (by number format, either date system).  This module
only turns its rows into the reader's grid: empty cells become ``None``, rows with no
value are left out, and each kept row keeps its 1-based sheet row number.

Which sheet (:func:`load_sheet`): the one the user names (``sheet=``, ``clean --sheet``),
else the only worksheet with cells, else the visible one whose header is a survey
export's; two sheets with one header (responses split over sheets) or two survey headers
are refused, and a choice among several sheets with cells is said in the report's
warnings.  The rows and columns a sheet hides, and its error cells (``#N/A``...: calamine reads them as
blank), are found in the file itself (:func:`sheet_marks`: the XML of .xlsx/.xlsm/.ods, the records of
.xls/.xlsb in :mod:`iur_survey.read.binbook`) for the reader to refuse or read with a warning
(:mod:`iur_survey.read.assemble`); a workbook whose structure the scan does not know is read with a
warning that says it was not checked.  A damaged
workbook (a cut-off sheet, a broken zip, an unreadable .xls) is refused with a
:class:`~iur_survey.errors.ReadError`; nothing is guessed.

>>> import tempfile, os, datetime
>>> from iur_survey.simulate.writers import write_xlsx
>>> with tempfile.TemporaryDirectory() as d:
...     p = os.path.join(d, "x.xlsx")
...     _ = write_xlsx(p, [["id", "score", "when"], ["a&b", 3, datetime.datetime(2023, 3, 1, 10, 22, 33)],
...                        [None, None, None], ["c", None, "2023/3/1"]])
...     rows, numbers = read_workbook_rows(p)
>>> rows
[['id', 'score', 'when'], ['a&b', 3.0, datetime.datetime(2023, 3, 1, 10, 22, 33)], ['c', None, '2023/3/1']]
>>> numbers
[1, 2, 4]
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import python_calamine

from ..errors import EmptyFileError, ReadError
from .binbook import Unchecked, xls_marks, xlsb_marks


#: what :func:`load_sheet` does with data rows the workbook hides: refuse them, or read them (with a warning)
HIDDEN_ROWS = ("refuse", "read")


class WorkbookWarning(UserWarning):
    """The reader chose a sheet itself, or read hidden rows or columns: the report's warnings say which."""


@dataclass
class SheetRead:
    """Which sheet of a workbook was read, and what it hides.

    ``position`` counts from 1 (the tab order); ``hidden_rows`` are the 1-based sheet rows marked
    hidden (by hand, a filter or a collapsed outline) and ``hidden_columns`` the 0-based columns
    (calamine does not report row visibility: :func:`sheet_marks`);
    ``warnings`` say what the reader decided on its own.
    """

    name: str
    position: int
    n_sheets: int
    hidden_rows: frozenset = frozenset()
    hidden_columns: frozenset = frozenset()
    hidden_policy: str = "refuse"
    warnings: list = field(default_factory=list)
    #: cells whose value calamine reads as blank but is not: {(1-based row, 0-based column): what it is}, an
    #: error such as ``"#N/A"`` or ``""`` for a formula saved without its value (:func:`sheet_marks`)
    bad_cells: dict = field(default_factory=dict)


def _open(path, data: bytes | None):
    try:
        wb = (python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)) if data is not None
              else python_calamine.CalamineWorkbook.from_path(str(path)))
    except python_calamine.PasswordError:
        raise ReadError(path, "the workbook is password-protected: save an unprotected copy") from None
    except Exception as exc:  # calamine's own error types (zip, xml, cfb): a damaged or foreign file
        raise ReadError(path, f"the workbook is damaged or not a spreadsheet ({_short(exc)}); "
                              f"open it in a spreadsheet program and save it again") from None
    if not wb.sheet_names:
        raise EmptyFileError(path, "the workbook has no sheet")
    return wb


def _load(path, wb, index: int, name: str):
    try:
        return wb.get_sheet_by_index(index)
    except Exception as exc:
        raise ReadError(path, f"sheet {name!r} of the workbook is damaged ({_short(exc)}); "
                              f"open it in a spreadsheet program and save it again") from None


def _names(sheets) -> str:
    names = [f"{m.name!r}" + ("" if _visible(m) else " (hidden)") for _, m in sheets]
    return " and ".join(names) if len(names) == 2 else ", ".join(names)


def _visible(meta) -> bool:
    return meta.visible == python_calamine.SheetVisibleEnum.Visible


def _worksheets(wb) -> list:
    """(0-based index, metadata) of the workbook's worksheets (no chart, dialog or macro sheets)."""
    try:
        metas = wb.sheets_metadata
    except Exception:   # pragma: no cover - every calamine format has it
        return list(enumerate(_Meta(n) for n in wb.sheet_names))
    return [(i, m) for i, m in enumerate(metas) if m.typ == python_calamine.SheetTypeEnum.WorkSheet]


@dataclass
class _Meta:
    name: str
    visible: object = None

    def __post_init__(self):
        self.visible = python_calamine.SheetVisibleEnum.Visible


def _by_option(path, sheets, sheet) -> tuple[int, object]:
    """The worksheet ``sheet`` names: its name, or its position counted from 1 (``2`` or ``"2"``).

    >>> sheets = [(0, _Meta("README")), (1, _Meta("Data")), (2, _Meta("1"))]
    >>> _by_option("x.xlsx", sheets, "Data")[1].name, _by_option("x.xlsx", sheets, 2)[1].name
    ('Data', 'Data')
    >>> _by_option("x.xlsx", sheets, "1")
    Traceback (most recent call last):
    ...
    iur_survey.errors.ReadError: x.xlsx: sheet '1' is ambiguous: it is the name of sheet 3 and the position of sheet 'README'; rename the sheet
    """
    if isinstance(sheet, bool) or not isinstance(sheet, (int, str)):
        raise ReadError(path, f"sheet must be a sheet's name or its position counted from 1, not {sheet!r}")
    names = [m.name for _, m in sheets]
    if isinstance(sheet, str) and sheet in names:
        k = names.index(sheet)
        if sheet.strip().isdigit() and 1 <= int(sheet) <= len(sheets) and int(sheet) != k + 1:
            raise ReadError(path, f"sheet {sheet!r} is ambiguous: it is the name of sheet {k + 1} and the position "
                                  f"of sheet {names[int(sheet) - 1]!r}; rename the sheet")
        return sheets[k]
    if isinstance(sheet, str) and sheet.strip().isdigit():
        sheet = int(sheet)
    if isinstance(sheet, int):
        if 1 <= sheet <= len(sheets):
            return sheets[sheet - 1]
        raise ReadError(path, f"the workbook has no sheet {sheet} (sheets are counted from 1; it has "
                              f"{len(sheets)}: {_names(sheets)})")
    raise ReadError(path, f"the workbook has no sheet {sheet!r} (its sheets: {_names(sheets)})")


def _head(sheet, n: int = 8, scan: int = 200) -> list[list[str]]:
    """The first ``n`` non-empty rows of a loaded sheet as text (as format detection sees them)."""
    raw = sheet.to_python(skip_empty_area=False, nrows=scan)
    if not any(not _blank(v) for r in raw for v in r) and sheet.height > scan:
        raw = sheet.to_python(skip_empty_area=False)
    rows = [["" if _blank(v) else str(v).strip() for v in r] for r in raw]
    rows = [r for r in rows if any(r)]
    out = []
    for r in rows:
        while r and not r[-1]:
            r = r[:-1]
        out.append(r)
    return out[:n]


def _choose(path, wb, sheet, recognise, loaded: dict | None = None) -> tuple[int, object, list[str]]:
    """The worksheet to read (index, metadata) and what the choice needs to say (warnings).

    ``sheet`` given: that one.  Otherwise the only worksheet with cells; among several, the one
    visible sheet whose header ``recognise`` (a function of its first rows) takes for a survey
    export, else the first visible one.  Two sheets with the same header as the chosen one (the
    responses split over sheets, or a copy), or two that ``recognise`` takes, are refused.
    ``loaded`` receives the sheets parsed on the way ({index: sheet}), for the caller to reuse.
    """
    loaded = {} if loaded is None else loaded
    sheets = _worksheets(wb)
    if not sheets:
        raise EmptyFileError(path, "the workbook has no worksheet (only chart or macro sheets)")
    if sheet is not None:
        return (*_by_option(path, sheets, sheet), [])
    if len(sheets) == 1:
        return (*sheets[0], [])
    full = []                                       # worksheets with cells: (index, meta, first rows)
    for i, m in sheets:
        loaded[i] = _load(path, wb, i, m.name)
        head = _head(loaded[i])
        if head:
            full.append((i, m, head))
    if not full:
        raise EmptyFileError(path, f"every sheet of the workbook is empty ({_names(sheets)})")
    n = len(sheets)
    pos = {i: k + 1 for k, (i, _) in enumerate(sheets)}
    if len(full) == 1:
        i, m, _ = full[0]
        said = [] if pos[i] == 1 else [f"read sheet {m.name!r} (sheet {pos[i]} of {n}), the only one with cells"]
        return i, m, said
    visible = [f for f in full if _visible(f[1])] or full
    taken = [f for f in visible if recognise is not None and recognise(f[2])]
    if len(taken) > 1 and any(h[:1] != taken[0][2][:1] for _, _, h in taken):
        raise ReadError(path, f"sheets {_names([(i, m) for i, m, _ in taken])} each hold a survey export's header: "
                              f"choose the one to read with --sheet NAME (sheet= in Python), or put the responses "
                              f"on one sheet")
    i, m, head = taken[0] if taken else visible[0]
    same = [(j, o) for j, o, h in full if j != i and h[:1] == head[:1]]
    if same:
        raise ReadError(path, f"sheets {_names([(i, m), *same])} have the same header row: the responses may be split "
                              f"over them (or one is a copy); put the responses on one sheet, or choose the one to "
                              f"read with --sheet NAME (sheet= in Python)")
    others = _names([(j, o) for j, o, _ in full if j != i])
    why = "the one whose header is a survey export's" if taken else "the first visible one with cells"
    said = [f"read sheet {m.name!r} (sheet {pos[i]} of {n}), {why}; sheet(s) {others} also hold cells and were not "
            f"read (choose another with --sheet)"]
    return i, m, said


def _short(exc: Exception) -> str:
    s = " ".join(str(exc).split())
    return s if len(s) <= 120 else s[:117] + "..."


def _blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


#: the last sheet parsed, kept for the reader that follows format detection (calamine parses a
#: whole sheet even for its first rows): {key: (options, grid, numbers, SheetRead)}
_LAST: dict = {}


def _key(path, data: bytes | None):
    if data is not None:
        return ("bytes", hashlib.sha1(data).hexdigest())
    st = Path(path).stat()
    return ("path", str(Path(path).resolve()), st.st_size, st.st_mtime_ns)


def load_sheet(path: str | Path, data: bytes | None = None, *, sheet: str | int | None = None,
               hidden_rows: str = "refuse", recognise=None) -> SheetRead:
    """Choose the sheet to read, parse it and keep it for :func:`read_workbook_grid`; say what was read.

    ``sheet`` is a sheet's name or its position counted from 1; ``None`` chooses (see
    :func:`_choose`: the only sheet with cells, or the one whose header ``recognise`` takes
    for a survey export) and says so in :attr:`SheetRead.warnings` when it is not the only
    sheet with cells.  ``hidden_rows`` (``"refuse"`` or ``"read"``) is what the reader does
    with data rows the sheet hides (:mod:`iur_survey.read.assemble` applies it).

    >>> import tempfile, os
    >>> from iur_survey.simulate.writers import write_xlsx
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = write_xlsx(os.path.join(d, "x.xlsx"), [["id", "GOV1"], ["a", 3]], sheet_name="Responses")
    ...     info = load_sheet(p)
    >>> info.name, info.position, info.n_sheets, sorted(info.hidden_rows), info.warnings
    ('Responses', 1, 1, [], [])
    """
    if hidden_rows not in HIDDEN_ROWS:
        raise ReadError(path, f"hidden_rows must be one of {', '.join(HIDDEN_ROWS)}, not {hidden_rows!r}")
    key, options = _key(path, data), (sheet, hidden_rows, recognise is not None)
    hit = _LAST.get(key)
    if hit is not None and hit[0] == options:
        return hit[3]
    _LAST.clear()
    wb = _open(path, data)
    loaded: dict = {}
    index, meta, said = _choose(path, wb, sheet, recognise, loaded)
    chosen = loaded.pop(index, None) or _load(path, wb, index, meta.name)
    loaded.clear()
    grid, numbers = _parse(path, chosen, meta.name)
    del chosen
    try:
        rows, cols, bad = sheet_marks(path, data, meta.name)
    except Unchecked as why:
        rows, cols, bad = frozenset(), frozenset(), {}
        said = [*said, f"sheet {meta.name!r} was not checked for error cells (#N/A, #VALUE!...: read as blank "
                       f"answers) nor for hidden rows: {why}; check it by eye, or save the workbook as .xlsx"]
    sheets = _worksheets(wb)
    info = SheetRead(name=meta.name, position=[i for i, _ in sheets].index(index) + 1, n_sheets=len(sheets),
                     hidden_rows=rows, hidden_columns=cols, hidden_policy=hidden_rows, warnings=said,
                     bad_cells=bad)
    _LAST[key] = (options, grid, numbers, info)
    return info


def read_workbook_sheet(path: str | Path, data: bytes | None = None, *, max_rows: int | None = None,
                        keep: bool = True) -> tuple[np.ndarray, list[int], SheetRead]:
    """The sheet :func:`load_sheet` chose (with its defaults unless it ran on these bytes before) as a 2-D
    object array (``None`` for empty cells) without its empty rows and trailing empty columns, the 1-based
    sheet row number of every kept row, and the :class:`SheetRead`.

    ``keep=True`` keeps the parsed sheet for the next call on the same bytes (detection, then
    reading, parse the sheet once); ``keep=False`` hands it over and forgets it."""
    key = _key(path, data)
    if key not in _LAST:
        load_sheet(path, data)
    _, grid, numbers, info = _LAST[key] if keep else _LAST.pop(key)
    if max_rows is not None:
        grid, numbers = grid[:max_rows], numbers[:max_rows]
    return grid, numbers, info


def read_workbook_grid(path: str | Path, data: bytes | None = None, *, max_rows: int | None = None,
                       keep: bool = True) -> tuple[np.ndarray, list[int]]:
    """:func:`read_workbook_sheet` without the :class:`SheetRead`."""
    grid, numbers, _ = read_workbook_sheet(path, data, max_rows=max_rows, keep=keep)
    return grid, numbers


def _parse(path, sheet, name: str = "") -> tuple[np.ndarray, list[int]]:
    try:
        raw = sheet.to_python(skip_empty_area=False)
    except Exception as exc:
        raise ReadError(path, f"sheet {name!r} of the workbook is damaged ({_short(exc)}); "
                              f"open it in a spreadsheet program and save it again") from None
    _refuse_merged_data(path, sheet)
    width = max((len(r) for r in raw), default=0)
    grid = np.full((len(raw), width), None, dtype=object)
    for i, r in enumerate(raw):
        grid[i, :len(r)] = r
    del raw
    empty = (grid == "") | np.equal(grid, None)
    grid[empty] = None
    keep = np.flatnonzero(~empty.all(axis=1))
    used = np.flatnonzero(~empty.all(axis=0))
    grid = grid[keep][:, :(used[-1] + 1 if len(used) else 0)]
    return grid, (keep + 1).tolist()


# -- hidden rows and columns (.xlsx/.xlsm) ----------------------------------------------------
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_HIDDEN = re.compile(rb"""\bhidden\s*=\s*["'](?:1|true)["']""")
_ROW_TAG = re.compile(rb"<(?:[\w.-]+:)?row[\s/>]")
_COL_TAG = re.compile(rb"<(?:[\w.-]+:)?col[\s/>]")
_ATTR = re.compile(rb"""\b(r|min|max)\s*=\s*["'](\d+)["']""")
_ANY_ROW = re.compile(rb"<(?:[\w.-]+:)?row[\s/>][^>]*>")
_CHUNK = 1 << 22


def _sheet_member(zf: zipfile.ZipFile, name: str) -> str | None:
    """The zip member of the worksheet called ``name`` (xl/workbook.xml and its relationships)."""
    import xml.etree.ElementTree as ET

    try:
        book = ET.fromstring(zf.read("xl/workbook.xml"))
        rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ET.ParseError):
        return None
    rid = next((s.get(f"{_NS_REL}id") for s in book.iter(f"{_NS_MAIN}sheet") if s.get("name") == name), None)
    target = next((r.get("Target") for r in rels if r.get("Id") == rid), None) if rid else None
    if not target:
        return None
    member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    return member if member in zf.namelist() else None


def hidden_rows_xlsx(path, data: bytes | None, name: str) -> tuple[frozenset, frozenset]:
    """The 1-based rows and 0-based columns that sheet ``name`` of an .xlsx/.xlsm workbook hides
    (:func:`sheet_marks` without its bad cells; it names the other formats).

    calamine does not report them, so the sheet's XML is scanned in chunks for ``hidden="1"``
    (``<row r="5" hidden="1">``, ``<col min="3" max="4" hidden="1"/>``); a chunk without that
    text costs one substring search.

    >>> import tempfile, os, xlsxwriter
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "h.xlsx")
    ...     wb = xlsxwriter.Workbook(p); ws = wb.add_worksheet("S")
    ...     _ = [ws.write(r, 0, r) for r in range(6)]
    ...     _ = ws.set_row(3, None, None, {"hidden": True}); _ = ws.set_column(2, 3, None, None, {"hidden": True})
    ...     wb.close()
    ...     rows, cols = hidden_rows_xlsx(p, None, "S")
    >>> sorted(rows), sorted(cols)
    ([4], [2, 3])
    """
    rows, cols, _ = sheet_marks(path, data, name)
    return rows, cols


def sheet_marks(path, data: bytes | None, name: str) -> tuple[frozenset, frozenset, dict]:
    """The 1-based rows and 0-based columns that sheet ``name`` hides, and its cells that calamine reads as
    blank although they are not: error cells (a failed formula's cached error, or an error typed in) and
    formulas saved without a value, as {(1-based row, 0-based column): the error text, or ``""`` for a
    formula without a value}.  Raises :class:`~iur_survey.read.binbook.Unchecked` for a workbook whose
    structure the scan does not know (the reader warns that it was not checked).

    * .xlsx/.xlsm: ``<row r="5" hidden="1">``, ``<col min="3" max="4" hidden="1"/>``, ``<c t="e"><v>#N/A</v></c>``
      and ``<c><f>...</f></c>`` without a ``<v>`` (as openpyxl writes formulas).  One pass over the sheet's XML;
      a chunk with neither ``hidden``, ``t="e"`` nor ``<f`` costs a few substring searches.
    * .ods: ``table:visibility="collapse"`` or ``"filter"``, ``calcext:value-type="error"`` (LibreOffice's error
      result, written with ``office:string-value=""``) and a ``table:formula`` without a value
      (:func:`_marks_ods`).
    * .xls and .xlsb: their binary records (:mod:`iur_survey.read.binbook`).

    >>> import tempfile, os, xlsxwriter
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "e.xlsx")
    ...     wb = xlsxwriter.Workbook(p); ws = wb.add_worksheet("S")
    ...     _ = ws.write(0, 0, "id"); _ = ws.write_formula(1, 0, "=NA()", None, "#N/A"); _ = ws.write(1, 1, 2)
    ...     wb.close()
    ...     sheet_marks(p, None, "S")[2]
    {(2, 0): '#N/A'}
    """
    head = data[:8] if data is not None else _head_bytes(path)
    if head.startswith(b"\xd0\xcf\x11\xe0"):                                 # .xls (an OLE2 compound file)
        rows, cols, bad = xls_marks(data if data is not None else Path(path).read_bytes(), name)
        return frozenset(rows), frozenset(cols), bad
    try:
        zf = zipfile.ZipFile(io.BytesIO(data) if data is not None else str(path))
    except (zipfile.BadZipFile, OSError):
        raise Unchecked("it is neither a zip (.xlsx, .xlsb, .ods) nor an OLE2 (.xls) file") from None
    with zf:
        names = set(zf.namelist())
        if "xl/workbook.xml" not in names:
            if "xl/workbook.bin" in names:
                rows, cols, bad = xlsb_marks(zf, name)
                return frozenset(rows), frozenset(cols), bad
            if "content.xml" in names:
                return _marks_ods(zf, name, data)
            raise Unchecked("its zip holds neither xl/workbook.xml, xl/workbook.bin nor content.xml")
        member = _sheet_member(zf, name)
        if member is None:
            raise Unchecked(f"no sheet part of xl/workbook.xml is called {name!r}")
        rows, cols, numbered = set(), set(), True
        bad: dict = {}
        carry = b""                                   # the tag a chunk cut: scanned with the next chunk
        ccarry = b""                                  # the row a chunk cut: its cells scanned with the next chunk
        for chunk in _xml_chunks(zf, member, data):
            if b"hidden" in chunk or b"hidden" in carry + chunk[:16]:     # (no copy of a chunk without it)
                buf = carry + chunk
                cut = max(buf.rfind(b"<"), 0)
                numbered &= _scan_hidden(buf[:cut], rows, cols)
                carry = buf[cut:]
            else:
                carry = chunk[max(chunk.rfind(b"<"), 0):] if b"<" in chunk[-4096:] else carry + chunk
            if _has_marks(chunk) or _has_marks(ccarry[-64:] + chunk[:64]) or _has_marks(ccarry):
                buf = ccarry + chunk
                end = buf.rfind(b"</row>")
                end = end + 6 if end >= 0 else 0
                _scan_cells(buf[:end], bad)
                ccarry = buf[end:]
            else:
                end = chunk.rfind(b"</row>")
                ccarry = chunk[end + 6:] if end >= 0 else ccarry + chunk
        if b"hidden" in carry:
            numbered &= _scan_hidden(carry, rows, cols)
        if _has_marks(ccarry):
            _scan_cells(ccarry, bad)
        if not numbered:                 # a hidden row without its r="": count the rows (rare; a whole scan)
            rows = _count_hidden_rows(zf, member)
    return frozenset(rows), frozenset(cols), bad


_CELL_MARKS = re.compile(rb"""\bt\s*=\s*["']e["']|<(?:[\w.-]+:)?f[\s>/]""")
_CELL = re.compile(rb"<(?:[\w.-]+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:[\w.-]+:)?c>)", re.S)
_CELL_REF = re.compile(rb"""\br\s*=\s*["']([A-Z]+)(\d+)["']""")
_CELL_ERROR = re.compile(rb"""\bt\s*=\s*["']e["']""")
_CELL_V = re.compile(rb"<(?:[\w.-]+:)?v>(.*?)</(?:[\w.-]+:)?v>", re.S)
_CELL_STR = re.compile(rb"""\bt\s*=\s*["']str["']""")
_CELL_HAS_F = re.compile(rb"<(?:[\w.-]+:)?f[\s>/]")
_CELL_OPEN = re.compile(rb"<(?:[\w.-]+:)?c[\s>/]")
_T_EQ = re.compile(rb"\bt\s*=\s*\Z")           # _CELL_MARKS' error-cell branch up to its value


def _has_marks(buf: bytes) -> bool:
    """Whether ``buf`` may hold an error cell or a formula: substring tests first (fast), the pattern only where
    one of them is there (a regular expression that starts with an alternation scans byte by byte: 4 s of a
    100,000-row workbook's 8 s read).

    >>> _has_marks(b'<c r="A1" t="e"><v>#N/A</v></c>'), _has_marks(b'<c r="A1"><v>3</v></c>')
    (True, False)
    """
    return ((b"<f" in buf or b":f" in buf or b'"e"' in buf or b"'e'" in buf)
            and _CELL_MARKS.search(buf) is not None)


def _mark_positions(body: bytes) -> list[int]:
    """Where :data:`_CELL_MARKS` matches in ``body``, found from its literal parts by substring search (the pattern
    itself scans byte by byte: 7 s over a 100,000-row sheet with a formula column): each ``<f`` the pattern matches
    there, and each ``"e"`` value that :data:`_T_EQ` (``t =``) stands before; the pattern alone for namespaced
    tags (``<x:f>``).

    >>> _mark_positions(b'<c r="A1" t="e"><v>#N/A</v></c><c r="B1"><f>1+1</f></c><c r="C1" ht="e"/><c t = "e"/>')
    [10, 41, 76]
    """
    if b":f" in body:
        return [m.start() for m in _CELL_MARKS.finditer(body)]
    out = []
    i = body.find(b"<f")
    while i >= 0:
        if _CELL_MARKS.match(body, i):
            out.append(i)
        i = body.find(b"<f", i + 2)
    for value in (b'"e"', b"'e'"):
        i = body.find(value)
        while i >= 0:
            if (m := _T_EQ.search(body, max(0, i - 64), i)) is not None:
                out.append(m.start())
            i = body.find(value, i + 3)
    return sorted(out)


def _scan_cells(body: bytes, bad: dict) -> None:
    """Add the error cells and the formula cells without a value in ``body`` (whole rows) to ``bad``."""
    if not _has_marks(body):
        return
    done = -1
    for at in _mark_positions(body):             # the marked cells only (a formula column: one cell a row, not all)
        start = body.rfind(b"<", 0, at + 1)
        while start >= 0 and not _CELL_OPEN.match(body, start):
            start = body.rfind(b"<", 0, start)
        if start < 0 or start == done or (m := _CELL.match(body, start)) is None:
            continue
        done = start
        attrs, inner = m.group(1), m.group(2) or b""
        if _CELL_ERROR.search(attrs):
            v = _CELL_V.search(inner)
            what = v.group(1).decode("utf-8", "replace").strip() if v else "#ERROR"
        elif _CELL_HAS_F.search(inner) and not _CELL_STR.search(attrs) and not (
                (v := _CELL_V.search(inner)) is not None and v.group(1).strip()):
            what = ""                   # no <v>, or openpyxl's empty <v></v> (a text formula's "" is t="str")
        else:
            continue
        ref = _CELL_REF.search(attrs)
        if ref is None:
            continue
        col = 0
        for ch in ref.group(1):
            col = col * 26 + ch - 64
        bad.setdefault((int(ref.group(2)), col - 1), what or "")


def _xml_chunks(zf: zipfile.ZipFile, member: str, data: bytes | None):
    """The member's bytes in pieces of about :data:`_CHUNK`: inflated straight from ``data`` (no CRC pass:
    calamine has read the member already; a third faster) when it is deflated, else through zipfile."""
    info = zf.getinfo(member)
    off = info.header_offset
    if data is not None and info.compress_type == zipfile.ZIP_DEFLATED and data[off:off + 4] == b"PK\x03\x04":
        n, m = int.from_bytes(data[off + 26:off + 28], "little"), int.from_bytes(data[off + 28:off + 30], "little")
        start = off + 30 + n + m
        raw = memoryview(data)[start:start + info.compress_size]
        inflate = zlib.decompressobj(-15)
        try:
            for pos in range(0, len(raw), _CHUNK // 8):
                piece = inflate.decompress(raw[pos:pos + _CHUNK // 8])
                if piece:
                    yield piece
            tail = inflate.flush()
        except zlib.error:
            return                                  # calamine read it: a damaged member would not get here
        if tail:
            yield tail
        return
    with zf.open(member) as fh:
        while chunk := fh.read(_CHUNK):
            yield chunk


def _scan_hidden(body: bytes, rows: set, cols: set) -> bool:
    """Add the hidden rows/columns of the tags in ``body``; False when a hidden row has no number."""
    numbered = True
    for m in _HIDDEN.finditer(body):
        start = body.rfind(b"<", 0, m.start())
        tag = body[start:body.find(b">", m.end()) + 1]
        attrs = dict((k, int(v)) for k, v in _ATTR.findall(tag))
        if _ROW_TAG.match(tag):
            if b"r" in attrs:
                rows.add(attrs[b"r"])
            else:
                numbered = False
        elif _COL_TAG.match(tag) and b"min" in attrs:
            cols.update(range(attrs[b"min"] - 1, attrs.get(b"max", attrs[b"min"])))
    return numbered


#: (a tag without attributes is its name and ">": ``[\s/>][^>]*>`` would run on to the next tag's end)
_ODS_TAG = re.compile(rb"<table:table(?:\s[^>]*)?>|</table:table>|<table:table-(?:row|column)(?:[\s/][^>]*)?>")
_ODS_NAME = re.compile(rb"""\btable:name\s*=\s*["']([^"']*)["']""")
_ODS_REPEAT = re.compile(rb"""number-(?:rows|columns)-repeated\s*=\s*["'](\d+)["']""")
_ODS_HIDDEN = re.compile(rb"""\btable:visibility\s*=\s*["'](?:collapse|filter)["']""")
#: a hidden block repeated more often than this is the empty remainder of a sheet, not data
_ODS_MAX_REPEAT = 10_000


def _marks_ods(zf: zipfile.ZipFile, name: str, data: bytes | None) -> tuple[frozenset, frozenset, dict]:
    """:func:`sheet_marks` for table ``name`` of an .ods workbook: its hidden rows and columns, error cells and
    formulas without a value.

    Rows and columns are counted in document order with their ``number-rows-repeated`` and
    ``number-columns-repeated`` (as calamine counts them, covered cells included);
    ``table:visibility="collapse"`` (hidden) or ``"filter"`` (left out by a filter) marks them.  An error
    cell is ``calcext:value-type="error"`` (calamine reads LibreOffice's ``office:string-value=""`` as
    blank; the error's text, in the saving program's language, is the cell's paragraph); a formula
    without a value has ``table:formula`` and neither a value nor the string type.  Only the cells of
    a row that holds ``table:formula`` or ``"error"`` are parsed (:func:`_ods_row_marks`); chunks are cut
    after a row.
    """
    from bisect import bisect_left
    from xml.sax.saxutils import unescape

    rows, cols, bad = set(), set(), {}
    inside, r, c, carry = False, 0, 0, b""
    for chunk in (*_xml_chunks(zf, "content.xml", data), b""):
        buf = carry + chunk
        if chunk:
            cut = buf.rfind(b"</table:table-row>")
            cut = cut + 18 if cut >= 0 else 0
        else:
            cut = len(buf)
        marks = sorted(i for mark in (b"table:formula", b'"error"', b"'error'") for i in _finds(buf, mark, cut))
        at = 0
        for m in _ODS_TAG.finditer(buf, 0, cut):
            tag = m.group()
            if tag == b"</table:table>":
                if inside:
                    return frozenset(rows), frozenset(cols), bad
                continue
            if tag.startswith((b"<table:table ", b"<table:table>", b"<table:table\t", b"<table:table\n")):
                found = _ODS_NAME.search(tag)
                inside = bool(found) and unescape(found.group(1).decode("utf-8", "replace"),
                                                  {"&quot;": '"', "&apos;": "'"}) == name
                r = c = 0
                continue
            if not inside:
                continue
            rep = _ODS_REPEAT.search(tag) if b"repeated" in tag else None
            k = int(rep.group(1)) if rep else 1
            hidden = b"visibility" in tag and _ODS_HIDDEN.search(tag) is not None and k <= _ODS_MAX_REPEAT
            if tag.startswith(b"<table:table-row"):
                if hidden:
                    rows.update(range(r + 1, r + k + 1))
                if marks and not tag.endswith(b"/>"):
                    at = bisect_left(marks, m.end(), at)
                    if at < len(marks):
                        end = buf.find(b"</table:table-row>", m.end(), cut)
                        end = cut if end < 0 else end
                        if marks[at] < end:
                            _ods_row_marks(buf, m.end(), end, r + 1, k, bad)
                r += k
            else:
                if hidden:
                    cols.update(range(c, c + k))
                c += k
        carry = buf[cut:]
    return frozenset(rows), frozenset(cols), bad


def _finds(buf: bytes, what: bytes, end: int) -> list[int]:
    """Where ``what`` starts in ``buf[:end]``."""
    out, i = [], buf.find(what, 0, end)
    while i >= 0:
        out.append(i)
        i = buf.find(what, i + len(what), end)
    return out


def _ods_row_marks(buf: bytes, start: int, end: int, first: int, k_rows: int, bad: dict) -> None:
    """Add the error cells and formulas without a value of the row in ``buf[start:end]`` (sheet rows ``first``
    on, ``k_rows`` of them) to ``bad``."""
    from xml.sax.saxutils import unescape

    col = 0
    for m in _ODS_CELL.finditer(buf, start, end):
        tag = m.group()
        rep = _ODS_REPEAT.search(tag) if b"repeated" in tag else None
        k = int(rep.group(1)) if rep else 1
        what = None
        if b"error" in tag and _ODS_ERROR.search(tag):
            stop = m.end() if tag.endswith(b"/>") else buf.find(b"</table:table-cell>", m.end(), end)
            text = _XML_TAG.sub(b"", buf[m.end():stop if stop >= 0 else m.end()])
            what = unescape(text.decode("utf-8", "replace")).strip() or "#ERROR"
        elif b"table:formula" in tag and not _ODS_VALUE.search(tag):
            what = ""
        if what is not None:
            for i in range(first, first + min(k_rows, _ODS_MAX_REPEAT)):
                for j in range(col, col + min(k, _ODS_MAX_REPEAT)):
                    bad.setdefault((i, j), what)
        col += k


_ODS_CELL = re.compile(rb"<table:(?:covered-)?table-cell(?:[\s/][^>]*)?>")
_ODS_ERROR = re.compile(rb"""\bcalcext:value-type\s*=\s*["']error["']""")
#: what makes calamine read an .ods cell as something: a value attribute, or the string type (its paragraphs)
_ODS_VALUE = re.compile(rb"""\boffice:(?:(?:string-|date-|time-|boolean-)?value\s*=|value-type\s*=\s*["']string["'])""")
_XML_TAG = re.compile(rb"<[^>]*>")


def _head_bytes(path, n: int = 8) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(n)


def _count_hidden_rows(zf: zipfile.ZipFile, member: str) -> set:
    """The hidden rows of a sheet whose row tags leave out ``r`` (each row is the one after the last)."""
    xml, rows, r = zf.read(member), set(), 0
    for m in _ANY_ROW.finditer(xml):
        tag = m.group()
        attrs = dict((k, int(v)) for k, v in _ATTR.findall(tag))
        r = attrs.get(b"r", r + 1)
        if _HIDDEN.search(tag):
            rows.add(r)
    return rows


#: merged cells within the first rows are headers (a SurveyMonkey question title over its statements)
HEADER_ROWS = 3


def _cell(row: int, col: int) -> str:
    """A 0-based cell as A1 notation: ``_cell(1, 27) == 'AB2'``."""
    name, col = "", col + 1
    while col:
        col, r = divmod(col - 1, 26)
        name = chr(65 + r) + name
    return f"{name}{row + 1}"


def _refuse_merged_data(path, sheet) -> None:
    """Refuse merged cells below the header rows: the file keeps a merged block's value in its first cell only.

    An analyst who sorted the export by role and merged each role's block would have every
    other respondent read without a role (353 of 357 rows, in silence).

    >>> class S: merged_cell_ranges = [((0, 0), (0, 3)), ((1, 1), (146, 1))]
    >>> _refuse_merged_data("x.xlsx", S())
    Traceback (most recent call last):
    ...
    iur_survey.errors.ReadError: x.xlsx:2:B: the workbook has merged cells below its header (B2:B147): a merged block keeps its value in its first cell only, so the other rows would be read blank; unmerge the cells and fill the values down, then save again
    """
    try:
        ranges = sheet.merged_cell_ranges or []
    except Exception:   # a format whose merges calamine does not read
        return
    below = [(a, b) for a, b in ranges if b[0] >= HEADER_ROWS]
    if below:
        (r0, c0), (r1, c1) = min(below)
        col = _cell(0, c0)[:-1]
        raise ReadError(path, f"the workbook has merged cells below its header ({_cell(r0, c0)}:{_cell(r1, c1)}): a "
                              f"merged block keeps its value in its first cell only, so the other rows would be "
                              f"read blank; unmerge the cells and fill the values down, then save again",
                        row=r0 + 1, column=col)


def read_workbook_rows(path: str | Path, data: bytes | None = None, *,
                       max_rows: int | None = None) -> tuple[list[list], list[int]]:
    """Like :func:`read_workbook_grid`, with the rows as lists."""
    grid, numbers = read_workbook_grid(path, data, max_rows=max_rows)
    return [list(r) for r in grid], numbers
