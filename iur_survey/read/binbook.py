"""Error cells and hidden rows and columns of binary workbooks (.xls, .xlsb), which calamine reads without them.

python-calamine gives an error cell (``#N/A``, ``#VALUE!``: a failed formula's cached result, or an error
typed in) as ``""``, the value of a blank cell, and does not say which rows or columns a sheet hides.  For
.xlsx/.xlsm and .ods the sheet's XML says it (:func:`iur_survey.read.workbook.sheet_marks`); here the
records of the binary formats are walked:

* .xls (BIFF8, and BIFF5 of Excel 5/95): the ``Workbook`` (``Book``) stream of the OLE2 compound file
  (:func:`cfb_stream`), its ``BOUNDSHEET`` records for the sheet's offset, then the sheet's ``BOOLERR``
  (a typed error), ``FORMULA`` (a formula whose cached result is an error), ``ROW`` (``fDyZero``: hidden)
  and ``COLINFO`` (``fHidden``) records;
* .xlsb: ``xl/workbook.bin``'s ``BrtBundleSh`` records for the sheet's part, then its ``BrtCellError``,
  ``BrtFmlaError``, ``BrtRowHdr`` (``fDyZero``) and ``BrtColInfo`` (``fHidden``) records.

A workbook whose records are not what this expects raises :class:`Unchecked` (the caller says so in a
warning: nothing is guessed).  A BIFF formula always carries a result, and one saved without its value
(xlwt, which computes nothing) carries the "empty" result, the same record as a formula whose result is
``""``: the two cannot be told apart, so a formula with an empty result is marked :data:`EMPTY_RESULT`
(read, it would be a blank answer in silence).

>>> _xlsb_records(bytes([0x03, 0x09]) + bytes(9) + bytes([0x92, 0x01, 0x00]))
[(3, 2, 9), (146, 14, 0)]
"""

from __future__ import annotations

import posixpath
import struct
import zipfile

#: BIFF and XLSB error codes (MS-XLS 2.5.10 BErr) as Excel shows them
ERROR_CODES = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?",
               0x24: "#NUM!", 0x2A: "#N/A", 0x2B: "#GETTING_DATA"}

#: the mark of a .xls formula whose saved result is empty: never computed (xlwt) or ``""`` (:func:`xls_marks`)
EMPTY_RESULT = '=""'
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_END = 0xFFFFFFFA                                   # sector numbers from here on mark the end of a chain
_U16, _U32, _HH = struct.Struct("<H"), struct.Struct("<I"), struct.Struct("<HH")


class Unchecked(Exception):
    """The workbook's records are not laid out as the scan expects: its error cells and hidden rows are not known."""


def _rec(typ: int, body: bytes = b"") -> bytes:
    """A BIFF record (for the examples)."""
    return _HH.pack(typ, len(body)) + body


def _error(code: int) -> str:
    return ERROR_CODES.get(code, f"#ERROR({code:#04x})")


# -- .xls -------------------------------------------------------------------------------------------
def cfb_stream(data: bytes, names: tuple = ("workbook", "book")) -> bytes:
    """The first stream of an OLE2 compound file whose name is one of ``names`` (case-insensitive).

    >>> cfb_stream(b"PK\\x03\\x04")
    Traceback (most recent call last):
    ...
    iur_survey.read.binbook.Unchecked: not an OLE2 compound file
    """
    if data[:8] != _CFB_MAGIC:
        raise Unchecked("not an OLE2 compound file")
    try:
        return _cfb_stream(data, names)
    except (struct.error, IndexError, UnicodeDecodeError, ValueError) as exc:
        raise Unchecked(f"its compound-file structure is not as expected ({type(exc).__name__})") from None


def _cfb_stream(data: bytes, names: tuple) -> bytes:
    ssz = 1 << _U16.unpack_from(data, 0x1E)[0]
    mss = 1 << _U16.unpack_from(data, 0x20)[0]
    n_fat, dir_start, _, cutoff, minifat_start, _, difat_start, n_difat = struct.unpack_from("<8I", data, 0x2C)
    cutoff = cutoff or 4096

    def sector(n: int) -> bytes:
        start = (n + 1) * ssz
        if start >= len(data):
            raise IndexError(n)
        return data[start:start + ssz]

    difat = list(struct.unpack_from("<109I", data, 0x4C))
    s = difat_start
    for _ in range(n_difat):
        if s >= _END:
            break
        vals = struct.unpack(f"<{ssz // 4}I", sector(s))
        difat += vals[:-1]
        s = vals[-1]
    fat = []
    for d in difat[:n_fat]:
        fat += struct.unpack(f"<{ssz // 4}I", sector(d))

    def chain(start: int, table: list) -> list:
        out = []
        while start < _END:
            if len(out) > len(table):
                raise ValueError("a sector chain loops")
            out.append(start)
            start = table[start]
        return out

    directory = b"".join(sector(s) for s in chain(dir_start, fat))
    entries = []
    for i in range(0, len(directory) - 127, 128):
        e = directory[i:i + 128]
        n = _U16.unpack_from(e, 0x40)[0]
        name = e[:max(min(n, 64) - 2, 0)].decode("utf-16-le", "replace")
        entries.append((name, e[0x42], _U32.unpack_from(e, 0x74)[0], _U32.unpack_from(e, 0x78)[0]))
    if not entries or entries[0][1] != 5:
        raise ValueError("no root entry")
    found = {name.lower(): (start, size) for name, typ, start, size in reversed(entries) if typ == 2}
    want = next((n for n in names if n in found), None)
    if want is None:
        raise Unchecked(f"it has no {names[0].capitalize()} stream")
    start, size = found[want]
    if size >= cutoff:
        return b"".join(sector(s) for s in chain(start, fat))[:size]
    minifat = []
    for s in chain(minifat_start, fat):
        minifat += struct.unpack(f"<{ssz // 4}I", sector(s))
    ministream = b"".join(sector(s) for s in chain(entries[0][2], fat))
    return b"".join(ministream[k * mss:(k + 1) * mss] for k in chain(start, minifat))[:size]


def xls_marks(data: bytes, name: str) -> tuple[set, set, dict]:
    """The hidden 1-based rows, hidden 0-based columns and error cells ({(1-based row, 0-based column): text})
    of sheet ``name`` of an .xls workbook (BIFF8 or BIFF5).

    >>> xls_marks(b"not a workbook", "Sheet1")
    Traceback (most recent call last):
    ...
    iur_survey.read.binbook.Unchecked: not an OLE2 compound file
    >>> stream = (_rec(0x0809, struct.pack("<HH", 0x0600, 0x10)) + _rec(0x0085, struct.pack("<IBBBB", 25, 0, 0, 1, 0) + b"S")
    ...           + _rec(0x000A) + _rec(0x0809, struct.pack("<HH", 0x0600, 0x10))
    ...           + _rec(0x0208, struct.pack("<8H", 3, 0, 1, 300, 0, 0, 0x20, 0))                   # row 4 hidden
    ...           + _rec(0x0205, struct.pack("<3HBB", 1, 2, 0, 0x2A, 1))                          # C2: #N/A
    ...           + _rec(0x0006, struct.pack("<3H", 2, 1, 0) + bytes([3, 0, 0, 0, 0, 0, 255, 255]) + bytes(6))
    ...           + _rec(0x000A))                                                                # B3: empty result
    >>> _xls_marks(stream, "S")
    ({4}, set(), {(2, 2): '#N/A', (3, 1): '=""'})
    """
    stream = cfb_stream(data)
    try:
        return _xls_marks(stream, name)
    except (struct.error, IndexError, LookupError, UnicodeDecodeError) as exc:
        raise Unchecked(f"its records are not as expected ({type(exc).__name__})") from None


def _xls_marks(stream: bytes, name: str) -> tuple[set, set, dict]:
    typ, size = _HH.unpack_from(stream, 0)
    if typ != 0x0809 or size < 4:
        raise Unchecked("its first record is not a BIFF5/BIFF8 BOF")
    version = _U16.unpack_from(stream, 4)[0]
    if version not in (0x0500, 0x0600):
        raise Unchecked(f"BIFF version {version:#06x} (only BIFF5 and BIFF8 are checked)")
    codepage, sheets, pos, n = "cp1252", {}, 0, len(stream)
    while pos + 4 <= n:
        typ, size = _HH.unpack_from(stream, pos)
        d = stream[pos + 4:pos + 4 + size]
        pos += 4 + size
        if typ == 0x000A:                                               # EOF of the globals
            break
        if typ == 0x002F:
            raise Unchecked("it is encrypted")
        if typ == 0x0042 and size >= 2:                                 # CODEPAGE (BIFF5 sheet names)
            cp = _U16.unpack_from(d, 0)[0]
            codepage = {1200: "utf-16-le", 32768: "mac_roman", 10000: "mac_roman"}.get(cp, f"cp{cp}")
        elif typ == 0x0085:                                             # BOUNDSHEET
            offset, cch = _U32.unpack_from(d, 0)[0], d[6]
            if version == 0x0600:
                title = (d[8:8 + 2 * cch].decode("utf-16-le") if d[7] & 1 else d[8:8 + cch].decode("latin-1"))
            else:
                try:
                    title = d[7:7 + cch].decode(codepage)
                except LookupError:
                    title = d[7:7 + cch].decode("cp1252", "replace")
            sheets.setdefault(title, offset)
    if name not in sheets:
        raise Unchecked(f"no sheet record is called {name!r}")
    rows, cols, bad = set(), set(), {}
    pos, depth = sheets[name], 0
    while pos + 4 <= n:
        typ, size = _HH.unpack_from(stream, pos)
        start = pos + 4
        pos = start + size
        if typ == 0x0006:                                               # FORMULA: an error or empty result?
            if depth == 1 and stream[start + 12:start + 14] == b"\xff\xff" and stream[start + 6] in (2, 3):
                r, c = _HH.unpack_from(stream, start)
                bad.setdefault((r + 1, c), _error(stream[start + 8]) if stream[start + 6] == 2 else EMPTY_RESULT)
        elif typ == 0x0205:                                             # BOOLERR: a typed error?
            if depth == 1 and stream[start + 7] == 1:
                r, c = _HH.unpack_from(stream, start)
                bad.setdefault((r + 1, c), _error(stream[start + 6]))
        elif typ == 0x0208:                                             # ROW: fDyZero
            if depth == 1 and _U16.unpack_from(stream, start + 12)[0] & 0x20:
                rows.add(_U16.unpack_from(stream, start)[0] + 1)
        elif typ == 0x007D:                                             # COLINFO: fHidden
            if depth == 1 and _U16.unpack_from(stream, start + 8)[0] & 1:
                first, last = _HH.unpack_from(stream, start)
                cols.update(range(first, min(last, 255) + 1))
        elif typ == 0x0809:                                             # BOF (a chart's substream nests)
            depth += 1
        elif typ == 0x000A:                                             # EOF
            depth -= 1
            if depth <= 0:
                return rows, cols, bad
    raise Unchecked("the sheet's records end before its EOF")


# -- .xlsb ------------------------------------------------------------------------------------------
def _xlsb_records(buf: bytes, wanted: frozenset | None = None) -> list[tuple[int, int, int]]:
    """(record type, start of its data, its size) of the XLSB records in ``buf`` (MS-XLSB 2.1.4), of the
    ``wanted`` types only when given."""
    out, pos, n = [], 0, len(buf)
    while pos < n:
        b = buf[pos]
        typ = b & 0x7F
        pos += 1
        if b & 0x80:
            typ |= (buf[pos] & 0x7F) << 7
            pos += 1
        size, shift = 0, 0
        for _ in range(4):
            b = buf[pos]
            pos += 1
            size |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                break
        if wanted is None or typ in wanted:
            out.append((typ, pos, size))
        pos += size
    if pos != n:
        raise IndexError("a record runs past the end of its part")
    return out


def _wide(buf: bytes, pos: int) -> tuple[str | None, int]:
    """An XLWideString (a 32-bit count of UTF-16 units, 0xFFFFFFFF for none) at ``pos``, and the position after it."""
    n = _U32.unpack_from(buf, pos)[0]
    if n == 0xFFFFFFFF:
        return None, pos + 4
    return buf[pos + 4:pos + 4 + 2 * n].decode("utf-16-le"), pos + 4 + 2 * n


def _xlsb_member(zf: zipfile.ZipFile, name: str) -> str:
    import xml.etree.ElementTree as ET

    try:
        book = zf.read("xl/workbook.bin")
        rels = ET.fromstring(zf.read("xl/_rels/workbook.bin.rels"))
    except (KeyError, ET.ParseError):
        raise Unchecked("it has no readable xl/workbook.bin or its relationships") from None
    rid = None
    for typ, pos, _ in _xlsb_records(book, frozenset({0x9C})):          # BrtBundleSh
        relid, at = _wide(book, pos + 8)
        title, _ = _wide(book, at)
        if title == name:
            rid = relid
            break
    target = next((r.get("Target") for r in rels if r.get("Id") == rid), None) if rid else None
    if not target:
        raise Unchecked(f"no sheet record is called {name!r}")
    member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    if member not in zf.namelist():
        raise Unchecked(f"its sheet part {member} is missing")
    return member


def xlsb_marks(zf: zipfile.ZipFile, name: str) -> tuple[set, set, dict]:
    """:func:`xls_marks` for sheet ``name`` of an .xlsb workbook (an open zip).

    >>> import io
    >>> with zipfile.ZipFile(io.BytesIO(), "w") as zf:
    ...     xlsb_marks(zf, "Sheet1")
    Traceback (most recent call last):
    ...
    iur_survey.read.binbook.Unchecked: it has no readable xl/workbook.bin or its relationships
    """
    try:
        sheet = zf.read(_xlsb_member(zf, name))
        records = _xlsb_records(sheet, frozenset({0x00, 0x03, 0x0B, 0x3C}))
        rows, cols, bad, row = set(), set(), {}, 0
        for typ, pos, _ in records:
            if typ == 0x00:                                             # BrtRowHdr: rw, ..., fDyZero
                row = _U32.unpack_from(sheet, pos)[0]
                if sheet[pos + 11] & 0x10:
                    rows.add(row + 1)
            elif typ in (0x03, 0x0B):                                   # BrtCellError, BrtFmlaError
                bad.setdefault((row + 1, _U32.unpack_from(sheet, pos)[0]), _error(sheet[pos + 8]))
            elif _U16.unpack_from(sheet, pos + 16)[0] & 1:              # BrtColInfo: fHidden
                first, last = struct.unpack_from("<II", sheet, pos)
                cols.update(range(first, min(last, 16383) + 1))
    except (struct.error, IndexError, UnicodeDecodeError, zipfile.BadZipFile) as exc:
        raise Unchecked(f"its records are not as expected ({type(exc).__name__})") from None
    return rows, cols, bad
