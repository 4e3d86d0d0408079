"""Spreadsheet exports (.xlsx, .xlsm, .xls, .xlsb, .ods) read with python-calamine.

`python-calamine <https://pypi.org/project/python-calamine/>`_ (the engine behind
``pandas.read_excel(engine="calamine")``) reads every cell value of the first sheet:
numbers, text, booleans, dates (by number format, either date system).  This module
only turns its rows into the reader's grid: empty cells become ``None``, rows with no
value are left out, and each kept row keeps its 1-based sheet row number.  A damaged
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
from pathlib import Path

import numpy as np
import python_calamine

from ..errors import EmptyFileError, ReadError


def _sheet(path, data: bytes | None):
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
    try:
        return wb.get_sheet_by_index(0)
    except Exception as exc:
        raise ReadError(path, f"the first sheet of the workbook is damaged ({_short(exc)}); "
                              f"open it in a spreadsheet program and save it again") from None


def _short(exc: Exception) -> str:
    s = " ".join(str(exc).split())
    return s if len(s) <= 120 else s[:117] + "..."


def _blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


#: the last sheet parsed, kept for the reader that follows format detection (calamine parses a
#: whole sheet even for its first rows): {key: (grid, numbers)}
_LAST: dict = {}


def _key(path, data: bytes | None):
    if data is not None:
        return ("bytes", hashlib.sha1(data).hexdigest())
    st = Path(path).stat()
    return ("path", str(Path(path).resolve()), st.st_size, st.st_mtime_ns)


def read_workbook_grid(path: str | Path, data: bytes | None = None, *, max_rows: int | None = None,
                       keep: bool = True) -> tuple[np.ndarray, list[int]]:
    """The first sheet as a 2-D object array (``None`` for empty cells) without its empty rows
    and trailing empty columns, and the 1-based sheet row number of every kept row.

    ``keep=True`` keeps the parsed sheet for the next call on the same bytes (detection, then
    reading, parse the sheet once); ``keep=False`` hands it over and forgets it."""
    key = _key(path, data)
    if key in _LAST:
        grid, numbers = _LAST[key] if keep else _LAST.pop(key)
    else:
        _LAST.clear()
        grid, numbers = _parse(path, data)
        if keep:
            _LAST[key] = (grid, numbers)
    if max_rows is not None:
        grid, numbers = grid[:max_rows], numbers[:max_rows]
    return grid, numbers


def _parse(path, data) -> tuple[np.ndarray, list[int]]:
    sheet = _sheet(path, data)
    try:
        raw = sheet.to_python(skip_empty_area=False)
    except Exception as exc:
        raise ReadError(path, f"the first sheet of the workbook is damaged ({_short(exc)}); "
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
