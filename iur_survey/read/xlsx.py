"""A small, fast reader and writer for the first sheet of an ``.xlsx`` workbook.

openpyxl needs ~30 s to read or write 100,000 survey rows; exports only need cell
values, so this module parses the sheet XML with regular expressions (shared and
inline strings, numbers, booleans, dates by number format, the 1904 date system)
and writes a minimal valid workbook (shared strings, one date style).

>>> import tempfile, os, datetime
>>> with tempfile.TemporaryDirectory() as d:
...     p = os.path.join(d, "x.xlsx")
...     _ = write_xlsx(p, [["id", "score", "when"], ["a&b", 3, datetime.datetime(2023, 3, 1, 10, 22, 33)],
...                        ["c", None, "2023/3/1"]])
...     rows, numbers = read_xlsx_rows(p)
>>> rows
[['id', 'score', 'when'], ['a&b', 3, datetime.datetime(2023, 3, 1, 10, 22, 33)], ['c', None, '2023/3/1']]
>>> numbers
[1, 2, 3]
"""

from __future__ import annotations

import datetime as _dt
import html
import io
import math
import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape as _xml_escape

from ..errors import FormatDetectionError, ReadError

_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

_SHEET_TAG = re.compile(r"<(?:\w+:)?sheet\b([^>]*)/?>")
_ATTR = re.compile(r'([\w:]+)\s*=\s*"([^"]*)"')
_REL = re.compile(r"<(?:\w+:)?Relationship\b([^>]*)/?>")
_SI = re.compile(r"<(?:\w+:)?si>(.*?)</(?:\w+:)?si>|<(?:\w+:)?si/>", re.S)
_T = re.compile(r"<(?:\w+:)?t(?:\s[^>]*)?>(.*?)</(?:\w+:)?t>|<(?:\w+:)?t\s*/>", re.S)
_SI_SIMPLE = re.compile(r"<si><t(?:\s[^>]*)?>([^<]*)</t></si>|<si><t\s*/></si>|<si/>")
_RPH = re.compile(r"<(?:\w+:)?rPh\b.*?</(?:\w+:)?rPh>", re.S)
_NUMFMT = re.compile(r'<(?:\w+:)?numFmt\b[^>]*?numFmtId="(\d+)"[^>]*?formatCode="([^"]*)"')
_CELLXFS = re.compile(r"<(?:\w+:)?cellXfs\b[^>]*>(.*?)</(?:\w+:)?cellXfs>", re.S)
_XF = re.compile(r"<(?:\w+:)?xf\b([^>]*)/?>")
_ROW = re.compile(r"<(?:\w+:)?row\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?row>)", re.S)
_CELL = re.compile(r"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_V = re.compile(r"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", re.S)
_IS = re.compile(r"<(?:\w+:)?is>(.*?)</(?:\w+:)?is>", re.S)
_REF = re.compile(r"([A-Z]{1,3})(\d+)$")
_ESC = re.compile(r"_x([0-9A-Fa-f]{4})_")
_BUILTIN_DATE_FMTS = set(range(14, 23)) | {27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53,
                                           54, 55, 56, 57, 58}


def _attrs(s: str) -> dict[str, str]:
    return {k.split(":")[-1] if k != "r:id" else k: v for k, v in _ATTR.findall(s)}


def _unescape(s: str) -> str:
    if "&" in s:
        s = html.unescape(s)
    if "_x" in s:
        s = _ESC.sub(lambda m: chr(int(m.group(1), 16)), s)
    return s


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def _is_date_format(code: str) -> bool:
    code = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", code).lower()
    return any(ch in code for ch in "dyhs") or ("m" in code and ("d" in code or "y" in code or ":" in code))


def _excel_datetime(value: float, epoch1904: bool):
    base = _dt.datetime(1904, 1, 1) if epoch1904 else _dt.datetime(1899, 12, 30)
    if not epoch1904 and value < 60:
        value += 1   # Excel's fictitious 1900-02-29
    # round to the microsecond, then to the second when that is within 1 ms (Excel's float noise)
    dt = base + _dt.timedelta(days=value)
    if dt.microsecond and (dt.microsecond < 1000 or dt.microsecond > 999000):
        dt = (dt + _dt.timedelta(milliseconds=1)).replace(microsecond=0) if dt.microsecond > 999000 \
            else dt.replace(microsecond=0)
    return dt


def _read_member(zf: zipfile.ZipFile, name: str, path) -> str:
    try:
        raw = zf.read(name)
    except KeyError:
        raise FormatDetectionError(path, f"the workbook has no part {name!r}") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise ReadError(path, f"the workbook is damaged ({name}: {exc})") from None
    except Exception as exc:  # zlib.error and friends
        raise ReadError(path, f"the workbook is damaged ({name}: {exc})") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise ReadError(path, f"the workbook part {name} is not UTF-8 XML") from None


def _resolve(target: str) -> str:
    target = target.lstrip("/")
    if not target.startswith("xl/"):
        target = "xl/" + target
    parts = []
    for p in target.split("/"):
        if p == "..":
            if parts:
                parts.pop()
        elif p and p != ".":
            parts.append(p)
    return "/".join(parts)


def read_xlsx_grid(path: str | Path, data: bytes | None = None):
    """Like :func:`read_xlsx_rows`, but the rows as a 2-D numpy object array (no per-cell lists)."""
    import numpy as np

    rows, numbers = read_xlsx_rows(path, data, _as_grid=True)
    if isinstance(rows, list):
        width = max((len(r) for r in rows), default=0)
        grid = np.full((len(rows), width), None, dtype=object)
        for i, r in enumerate(rows):
            grid[i, :len(r)] = r
        rows = grid
    return rows, numbers


def read_xlsx_rows(path: str | Path, data: bytes | None = None, *, max_rows: int | None = None,
                   _as_grid: bool = False) -> tuple[list[list], list[int]]:
    """The first sheet's rows as lists of values (``None`` for empty cells) and their row numbers.

    Rows without any cell are left out; every row is padded to the sheet's width.
    Damaged or non-workbook files raise :class:`~iur_survey.errors.FormatDetectionError`
    or :class:`~iur_survey.errors.ReadError`.
    """
    if data is None:
        data = Path(path).read_bytes()
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        names = set(zf.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise FormatDetectionError(path, f"not a valid .xlsx workbook ({exc})") from None
    if "xl/workbook.xml" not in names:
        raise FormatDetectionError(path, "not an .xlsx workbook (no xl/workbook.xml; an old .xls or another zip?)")
    wb = _read_member(zf, "xl/workbook.xml", path)
    epoch1904 = bool(re.search(r'date1904="(1|true)"', wb))
    rels = {}
    if "xl/_rels/workbook.xml.rels" in names:
        for a in (_attrs(m) for m in _REL.findall(_read_member(zf, "xl/_rels/workbook.xml.rels", path))):
            rels[a.get("Id")] = (a.get("Target", ""), a.get("Type", ""))
    sheet_name = None
    for a in (_attrs(m) for m in _SHEET_TAG.findall(wb)):
        rid = a.get("r:id") or a.get("id")
        if rid in rels:
            sheet_name = _resolve(rels[rid][0])
            break
    if sheet_name is None or sheet_name not in names:
        sheets = sorted(n for n in names if re.match(r"xl/worksheets/sheet\d+\.xml$", n))
        if not sheets:
            raise FormatDetectionError(path, "the workbook has no worksheet")
        sheet_name = sheets[0]
    sst_name = next((_resolve(t) for t, ty in rels.values() if ty.endswith("/sharedStrings")), "xl/sharedStrings.xml")
    shared: list[str] = []
    if sst_name in names:
        sst = _read_member(zf, sst_name, path)
        simple = _SI_SIMPLE.findall(sst)
        if len(simple) == sst.count("<si>") + sst.count("<si/>") and "<si " not in sst:
            joined = "\x00".join(simple)            # NUL cannot occur in XML text ...
            if "_x0000_" in joined:                 # ... unless escaped: then one by one
                shared = [_unescape(t) for t in simple]
            else:
                shared = _unescape(joined).split("\x00") if simple else []
            sst = ""
        for m in _SI.finditer(sst):
            body = m.group(1)
            if body is None:
                shared.append("")
                continue
            if "<rPh" in body or "rPh>" in body:
                body = _RPH.sub("", body)
            shared.append(_unescape("".join(t or "" for t in _T.findall(body))))
    date_styles: set[int] = set()
    if "xl/styles.xml" in names:
        styles = _read_member(zf, "xl/styles.xml", path)
        custom = {int(i): html.unescape(code) for i, code in _NUMFMT.findall(styles)}
        m = _CELLXFS.search(styles)
        if m:
            for idx, xf in enumerate(_XF.findall(m.group(1))):
                fid = int(_attrs(xf).get("numFmtId", "0") or 0)
                if fid in _BUILTIN_DATE_FMTS or (fid in custom and _is_date_format(custom[fid])):
                    date_styles.add(idx)
    sheet = _read_member(zf, sheet_name, path)
    if max_rows is None and _fast_ok(sheet):
        return _parse_sheet_fast(sheet, shared, date_styles, epoch1904, path, as_grid=_as_grid)
    return _parse_sheet(sheet, shared, date_styles, epoch1904, path, max_rows)


_FAST_CELL = re.compile(r'<c r="([A-Z]{1,3})(\d+)"([^>]*?)(?:/>|>(?:<f\b[^>]*?(?:/>|>[^<]*</f>))?'
                        r'(?:<v>([^<]*)</v>)?</c>)')


def _fast_ok(sheet: str) -> bool:
    """Whether the sheet is in the common shape the vectorised parser handles: every cell
    ``<c r="A1" ...>``, no inline strings, no namespace prefixes, no empty-tag rows with data."""
    return ("<is>" not in sheet and "<c>" not in sheet and ":c " not in sheet
            and sheet.count("<c ") == sheet.count('<c r="'))


def _parse_sheet_fast(sheet: str, shared: list[str], date_styles: set[int], epoch1904: bool, path,
                      as_grid: bool = False):
    """The whole sheet with one regular expression and per-distinct-value work (numpy)."""
    import numpy as np
    import pandas as pd

    cells = _FAST_CELL.findall(sheet)
    if len(cells) != sheet.count("<c "):
        return _parse_sheet(sheet, shared, date_styles, epoch1904, path)
    if not cells:
        return ([], []) if not as_grid else (np.empty((0, 0), dtype=object), [])
    letters, rownums, attrs, values = zip(*cells)
    del cells
    n = len(values)
    lcodes, luniq = pd.factorize(np.array(letters, dtype=object))
    col = np.array([_col_index(x) for x in luniq], dtype=np.int64)[lcodes]
    rcodes, runiq = pd.factorize(np.array(rownums, dtype=object))
    row = np.array([int(x) for x in runiq], dtype=np.int64)[rcodes]
    acodes, auniq = pd.factorize(np.array(attrs, dtype=object))
    kind_names = ["s", "n", "d", "b", "str"]
    kinds = []   # per distinct attribute string
    for a in auniq:
        at = _attrs(a)
        t = at.get("t", "n")
        if t == "n":
            try:
                t = "d" if int(at.get("s", "0") or 0) in date_styles else "n"
            except ValueError:
                raise ReadError(path, f"a cell has a bad style index {at.get('s')!r}") from None
        if t == "inlineStr":
            return _parse_sheet(sheet, shared, date_styles, epoch1904, path)
        kinds.append(kind_names.index(t) if t in kind_names else kind_names.index("str"))
    kind = np.array(kinds, dtype=np.int8)[acodes] if kinds else np.zeros(n, np.int8)
    present = np.fromiter(map(len, values), dtype=np.int64, count=n) > 0
    vcodes, vuniq = pd.factorize(np.array(values, dtype=object))
    out = np.full(n, None, dtype=object)
    shared_arr = np.array(shared, dtype=object) if shared else np.array([], dtype=object)
    for k, t in enumerate(kind_names):
        m = (kind == k) & present
        if not m.any():
            continue
        uidx = np.unique(vcodes[m])
        conv = np.empty(len(vuniq), dtype=object)
        for u in uidx:
            v = vuniq[u]
            try:
                if t == "s":
                    i = int(v)
                    if not 0 <= i < len(shared_arr):
                        raise ReadError(path, f"a cell points to shared string {i}, which does not exist")
                    conv[u] = shared_arr[i]
                elif t in ("n", "d"):
                    x = float(v)
                    if t == "d" and math.isfinite(x):
                        conv[u] = _excel_datetime(x, epoch1904)
                    elif x.is_integer() and abs(x) < 2 ** 53:
                        conv[u] = int(x)
                    else:
                        conv[u] = x
                elif t == "b":
                    conv[u] = v.strip() in ("1", "true")
                else:
                    conv[u] = _unescape(v)
            except (ValueError, OverflowError):
                raise ReadError(path, f"a cell holds a value its type cannot have: {v[:40]!r}") from None
        out[m] = conv[vcodes[m]]
    keep = present
    if not keep.any():
        return ([], []) if not as_grid else (np.empty((0, 0), dtype=object), [])
    rows_used = np.unique(row[keep])
    pos = np.searchsorted(rows_used, row[keep])
    width = int(col[keep].max()) + 1
    grid = np.full((len(rows_used), width), None, dtype=object)
    grid[pos, col[keep]] = out[keep]
    if as_grid:
        return grid, rows_used.tolist()
    return grid.tolist(), rows_used.tolist()


def _parse_sheet(sheet: str, shared: list[str], date_styles: set[int], epoch1904: bool, path, max_rows=None):
    rows: list[list] = []
    numbers: list[int] = []
    width = 0
    next_row = 1
    n_shared = len(shared)
    for rm in _ROW.finditer(sheet):
        rattr, body = rm.group(1), rm.group(2)
        ra = _attrs(rattr) if rattr else {}
        try:
            rnum = int(ra["r"]) if "r" in ra else next_row
        except ValueError:
            raise ReadError(path, f"a sheet row has a bad row number {ra.get('r')!r}") from None
        next_row = rnum + 1
        if not body:
            continue
        cells: dict[int, object] = {}
        col = 0
        for cm in _CELL.finditer(body):
            ca = _attrs(cm.group(1))
            ref = ca.get("r")
            if ref:
                m = _REF.match(ref)
                if not m:
                    raise ReadError(path, f"a cell has a bad reference {ref!r}", row=rnum)
                col = _col_index(m.group(1))
            inner = cm.group(2)
            value = None
            if inner:
                t = ca.get("t", "n")
                if t == "inlineStr":
                    im = _IS.search(inner)
                    value = _unescape("".join(x or "" for x in _T.findall(_RPH.sub("", im.group(1))))) if im else None
                else:
                    vm = _V.search(inner)
                    if vm is not None:
                        v = vm.group(1)
                        try:
                            if t == "s":
                                i = int(v)
                                if not 0 <= i < n_shared:
                                    raise ReadError(path, f"a cell points to shared string {i}, which does not exist",
                                                    row=rnum, column=ref)
                                value = shared[i]
                            elif t in ("str", "e"):
                                value = _unescape(v)
                            elif t == "b":
                                value = v.strip() in ("1", "true")
                            elif t == "d":
                                value = _dt.datetime.fromisoformat(v.strip())
                            else:
                                num = float(v)
                                s = int(ca.get("s", "0") or 0)
                                if s in date_styles and math.isfinite(num):
                                    value = _excel_datetime(num, epoch1904)
                                elif num.is_integer() and abs(num) < 2 ** 53:
                                    value = int(num)
                                else:
                                    value = num
                        except (ValueError, OverflowError):
                            raise ReadError(path, f"a cell holds a value its type cannot have: {v[:40]!r}",
                                            row=rnum, column=ref) from None
            if value is not None:
                cells[col] = value
            col += 1
        if not cells:
            continue
        width = max(width, max(cells) + 1)
        rows.append(cells)
        numbers.append(rnum)
        if max_rows is not None and len(rows) >= max_rows:
            break
    out = []
    for cells in rows:
        row = [None] * width
        for c, v in cells.items():
            row[c] = v
        out.append(row)
    return out, numbers


# -- writing --------------------------------------------------------------------------
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")


def _xml_text(s: str) -> str:
    s = _BAD_XML.sub(lambda m: "_x%04X_" % ord(m.group(0)), s)
    return _xml_escape(s)


def _col_letters(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def write_xlsx(path: str | Path, rows, sheet_name: str = "Sheet1") -> Path:
    """Write ``rows`` (lists of str / int / float / bool / datetime / None) as a one-sheet workbook.

    Strings go to the shared-string table, datetimes get a date style, ``None``/NaN
    leave the cell empty.
    """
    path = Path(path)
    sst: dict[str, int] = {}
    letters = [_col_letters(i) for i in range(max((len(r) for r in rows), default=0))]
    out = io.StringIO()
    w = out.write
    for r, row in enumerate(rows, start=1):
        w(f'<row r="{r}">')
        for c, v in enumerate(row):
            if v is None:
                continue
            ref = f"{letters[c]}{r}"
            if isinstance(v, str):
                i = sst.get(v)
                if i is None:
                    i = sst[v] = len(sst)
                w(f'<c r="{ref}" t="s"><v>{i}</v></c>')
            elif isinstance(v, bool):
                w(f'<c r="{ref}" t="b"><v>{int(v)}</v></c>')
            elif isinstance(v, _dt.datetime):
                days = (v - _dt.datetime(1899, 12, 30)).total_seconds() / 86400.0
                w(f'<c r="{ref}" s="1"><v>{days!r}</v></c>')
            elif isinstance(v, (int, float)) or hasattr(v, "__float__"):
                f = float(v)
                if math.isnan(f):
                    continue
                if not math.isfinite(f):
                    raise ValueError(f"cannot write {v!r} to a workbook")
                txt = str(int(f)) if f.is_integer() and abs(f) < 2 ** 53 else repr(f)
                w(f'<c r="{ref}"><v>{txt}</v></c>')
            else:
                raise TypeError(f"cannot write {type(v).__name__} to a workbook")
        w("</row>")
    dim = f"A1:{letters[-1] if letters else 'A'}{max(len(rows), 1)}"
    sheet = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_NS_MAIN}" '
             f'xmlns:r="{_NS_REL}"><dimension ref="{dim}"/><sheetData>{out.getvalue()}</sheetData></worksheet>')
    strings = "".join(f'<si><t xml:space="preserve">{_xml_text(s)}</t></si>' for s in sst)
    sst_xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{_NS_MAIN}" '
               f'count="{len(sst)}" uniqueCount="{len(sst)}">{strings}</sst>')
    styles = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{_NS_MAIN}">'
              '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
              '<fills count="2"><fill><patternFill patternType="none"/></fill>'
              '<fill><patternFill patternType="gray125"/></fill></fills>'
              '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
              '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
              '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
              '<xf numFmtId="22" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
              '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
              '</styleSheet>')
    workbook = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{_NS_MAIN}" '
                f'xmlns:r="{_NS_REL}"><sheets><sheet name="{_xml_escape(sheet_name)}" sheetId="1" r:id="rId1"/>'
                '</sheets></workbook>')
    rel_t = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    wb_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.'
               'openxmlformats.org/package/2006/relationships">'
               f'<Relationship Id="rId1" Type="{rel_t}/worksheet" Target="worksheets/sheet1.xml"/>'
               f'<Relationship Id="rId2" Type="{rel_t}/sharedStrings" Target="sharedStrings.xml"/>'
               f'<Relationship Id="rId3" Type="{rel_t}/styles" Target="styles.xml"/></Relationships>')
    root_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.'
                 'openxmlformats.org/package/2006/relationships">'
                 f'<Relationship Id="rId1" Type="{rel_t}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    ct = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.'
          'org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
          'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
          'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
          'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.'
          'xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
          '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.'
          'spreadsheetml.styles+xml"/></Types>')
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", ct)
        zf.writestr("_rels/.rels", root_rels)
        zf.writestr("xl/workbook.xml", workbook)
        zf.writestr("xl/_rels/workbook.xml.rels", wb_rels)
        zf.writestr("xl/styles.xml", styles)
        zf.writestr("xl/sharedStrings.xml", sst_xml)
        zf.writestr("xl/worksheets/sheet1.xml", sheet)
    return path
