"""The data CSV that ``fit``, ``efa`` and ``pls`` analyse: one reader, one set of rules.

:func:`load_data` reads the file (``iur-survey clean``'s ``clean.csv``, or the user's own data) and checks
the columns a command analyses before any estimation.  Every refusal is one typed line naming the file and,
where there is one, the row (line of the file, header = 1), the column and the value.

Rules (the same for the three commands):

* **missing**: an empty cell, and only an empty cell, is missing.  A text token such as ``#N/A``,
  ``NA``, ``null``, ``n/a`` or ``-`` in an analysed column is refused, like any other text cell
  (``clean.csv`` never holds one: ``clean`` refuses them in an export);
* **text**: a cell of an analysed column that is not a number is refused (never dropped, never imputed);
* **instrument items**: a column named like an item of the instrument (``--instrument``, or the study's)
  holds points of its scale (``scale.min`` .. ``scale.max``, whole numbers) or is empty.  A value off
  the scale (``0``, ``6``, ``2.5``) and one of the instrument's ``missing_codes`` (Wenjuanxing's
  ``-2`` "skipped") are refused -- they would be analysed as answers; ``clean`` turns missing codes into
  empty cells.  Items declared ``scale: continuous`` are not checked.  Columns that are not items of the
  instrument (a user's own model on other data) are not checked against a scale;
* **header**: a duplicated column name is refused (pandas would rename the second one ``X.1``), and a
  file read as one column whose header holds ``;`` or a tab is refused as wrongly delimited.

:func:`naming_file` adds the file to an estimation error raised without one ("only 5 complete rows").

>>> import os, tempfile
>>> d = tempfile.mkdtemp()
>>> p = os.path.join(d, "clean.csv")
>>> _ = open(p, "w").write("response_id,role,GOV1,GOV2\\nr1,firm,1,5\\nr2,firm,-2,4\\n")
>>> load_data(p, ["GOV1", "GOV2"])
Traceback (most recent call last):
...
iur_survey.errors.DataError: ...clean.csv:3:GOV1: holds -2, one of the instrument's missing_codes (1 such cell in the analysed item columns): a missing answer must be an empty cell, not analysed as an answer; make these cells empty (`iur-survey clean` does)
>>> _ = open(p, "w").write("response_id,role,GOV1,GOV2\\nr1,firm,1,5\\nr2,firm,,4\\n")
>>> load_data(p, ["GOV1", "GOV2"])["GOV1"].tolist()
[1.0, nan]
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path
from typing import Any, Iterator, Sequence

import numpy as np

from .errors import (DataError, DelimiterError, DuplicateColumnError, EmptyFileError, EstimationError,
                     ModelSyntaxError, ReadError)
from .inputs import input_file
from .sem.datacheck import _line, numeric_column  # noqa: F401  (numeric_column: part of this module's face)

#: ``pandas.read_csv`` options of every analysis command: only an empty cell is missing
READ_CSV_KW: dict[str, Any] = {"dtype": {"response_id": str}, "keep_default_na": False, "na_values": [""]}
#: columns that are never items (identifier and stakeholder group of ``clean.csv``)
NOT_ITEMS = ("response_id", "role")


def read_data_file(path: str | Path, *, plain: bool = False):
    """The data file as a DataFrame (or, with ``plain``, a pandas-free
    :class:`~iur_survey.sem.table.CsvTable` when the file is plainly simple), read by the rules of the
    module docstring (only an empty cell is missing; duplicated headers and a wrong delimiter refused).

    >>> import os, tempfile
    >>> p = os.path.join(tempfile.mkdtemp(), "d.csv")
    >>> _ = open(p, "w").write("GOV1;GOV2;GOV3\\n1;2;3\\n")
    >>> read_data_file(p)
    Traceback (most recent call last):
    ...
    iur_survey.errors.DelimiterError: ...d.csv:1: the file reads as one column named 'GOV1;GOV2;GOV3': it is separated by ';', not by commas; save it as a comma-separated CSV
    """
    from .sem.table import CsvTable

    path = input_file(path, "data")
    raw = utf8_bytes(path.read_bytes(), path)
    if plain:
        table = CsvTable.parse(raw, **READ_CSV_KW)       # a unique header, or None
        if table is not None:
            _check_delimiter(path, table.columns)
            return table
    import pandas as pd

    try:
        data = pd.read_csv(io.BytesIO(raw), **READ_CSV_KW)
        header = pd.read_csv(io.BytesIO(raw), header=None, nrows=1, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise EmptyFileError(path, "the data file is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ReadError(path, f"cannot read the data as CSV: {' '.join(str(exc).split())}") from None
    names = [str(h) for h in header.iloc[0].tolist()]
    seen: dict[str, int] = {}
    for k, h in enumerate(names):
        if h.strip() and h in seen:
            raise DuplicateColumnError(path, f"the header {h!r} appears twice (columns {seen[h] + 1} and {k + 1}): "
                                             "rename one", row=1, column=h)
        seen.setdefault(h, k)
    _check_delimiter(path, [str(c) for c in data.columns])
    if data.empty:
        raise EmptyFileError(path, "the data file has a header but no rows")
    return data


#: what a data file that is no text is, by :func:`iur_survey.read.source.sniff_kind`
_NOT_TEXT = {"zip": "an Excel workbook (.xlsx)", "ole": "an old Excel workbook (.xls)", "sav": "an SPSS .sav file",
             "por": "an SPSS portable file"}


def utf8_bytes(raw: bytes, path: str | Path) -> bytes:
    r"""The data file's bytes as UTF-8, decoded as `iur-survey clean` decodes an export (a UTF-8 or UTF-16 BOM,
    else UTF-8, else GB18030: a clean.csv re-saved by Excel on Chinese Windows is GBK); a workbook or an SPSS
    file, or bytes in none of these encodings, is a typed one-line error.

    >>> utf8_bytes("role,GOV1\n政府,3\n".encode("gbk"), "d.csv").decode("utf-8")
    'role,GOV1\n政府,3\n'
    >>> utf8_bytes("role,GOV1\n".encode("utf-16"), "d.csv")
    b'role,GOV1\n'
    >>> utf8_bytes(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xb4", "d.xlsx")
    Traceback (most recent call last):
    ...
    iur_survey.errors.ReadError: d.xlsx: an Excel workbook (.xlsx), not a CSV file: save the sheet as CSV UTF-8 (comma delimited)
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw                      # UTF-8 with a BOM: the CSV readers drop it
    try:
        raw.decode("utf-8")
        return raw
    except UnicodeDecodeError:
        pass
    from .errors import EncodingError
    from .read.source import decode_bytes, sniff_kind

    kind = sniff_kind(raw)
    if kind in _NOT_TEXT:
        raise ReadError(path, f"{_NOT_TEXT[kind]}, not a CSV file: save the sheet as CSV UTF-8 (comma delimited)")
    try:
        text, enc = decode_bytes(raw, path)
    except EncodingError as exc:
        raise EncodingError(path, f"the bytes are neither UTF-8 nor GB18030 (first bad byte on line {exc.row}): "
                                  "save the file as CSV UTF-8", row=exc.row) from None
    if enc == "gb18030":
        _refuse_western(text, path)
    return text.encode("utf-8")


_NON_ASCII_FIELD = re.compile(r'[^,;\t\r\n"]*[^\x00-\x7f][^,;\t\r\n"]*')


def _refuse_western(text: str, path) -> None:
    r"""Refuse a data file decoded as GB18030 whose non-ASCII cells or headers do not read as Chinese
    (:func:`iur_survey.read.source.not_chinese`): Windows cp1252 or Mac Roman bytes, which GB18030 decodes too.

    >>> utf8_bytes("role,GOV1\nTrès,3\n".encode("cp1252"), "d.csv")
    Traceback (most recent call last):
    ...
    iur_survey.errors.EncodingError: d.csv:2:role: the file is not UTF-8 and reads as GB18030 (Chinese) here as 'Tr鑣', which is not Chinese text ('鑣' is not a common Chinese character); as Windows cp1252 it reads 'Très', as Mac Roman it reads 'TrËs': save the file as CSV UTF-8
    """
    import csv
    import io

    from .read.source import gb18030_refusal, not_chinese

    for m in _NON_ASCII_FIELD.finditer(text):
        why = not_chinese(m.group())
        if why:
            line = text.count("\n", 0, m.start()) + 1
            start = text.rfind("\n", 0, m.start()) + 1
            fields = next(csv.reader(io.StringIO(text[start:m.start()] + "\x00")), [""])
            header = next(csv.reader(io.StringIO(text[:text.find("\n") if "\n" in text else len(text)])), [])
            k = len(fields) - 1
            raise gb18030_refusal(path, m.group(), why, line, header[k] if k < len(header) else f"column {k + 1}",
                                  advice="save the file as CSV UTF-8")


def _check_delimiter(path: Path, columns: Sequence[str]) -> None:
    if len(columns) == 1:
        for sep, name in ((";", "';'"), ("\t", "tabs")):
            if sep in columns[0]:
                head = columns[0] if len(columns[0]) <= 40 else columns[0][:40] + "..."
                raise DelimiterError(path, f"the file reads as one column named {head!r}: it is separated by "
                                           f"{name}, not by commas; save it as a comma-separated CSV", row=1)


def _likert(instrument) -> dict[str, tuple[int, int]]:
    return {code: (instrument.scale_of(code).min, instrument.scale_of(code).max)      # each item's own scale
            for code, item in instrument.items.items() if not item.continuous}


def _numeric_codes(instrument) -> np.ndarray:
    out = []
    for v in instrument.missing_codes:
        if isinstance(v, bool):
            continue
        try:
            out.append(float(v))
        except (TypeError, ValueError):
            continue
    return np.array(out, dtype=float)


def check_data(data, columns: Sequence[str], *, file: str | Path | None = None, instrument=None) -> None:
    """Check the analysed ``columns`` of ``data`` (those present; the estimator names absent ones): every cell
    a number or empty, and, in a column named like an item of ``instrument`` (default: the study's), a point of
    its scale (neither off the scale nor one of its ``missing_codes``).  Raises a one-line
    :class:`~iur_survey.errors.DataError`.

    >>> import pandas as pd
    >>> check_data(pd.DataFrame({"GOV1": [1, 0, 5], "x1": [0.5, 9.0, -3.0]}), ["GOV1", "x1"], file="d.csv")
    Traceback (most recent call last):
    ...
    iur_survey.errors.DataError: d.csv:3:GOV1: holds 0, off the instrument's scale 1-5 (whole numbers; 1 such cell in the analysed item columns): recode it or make it empty; if the column is not that item, give the instrument of your data (--instrument)
    >>> check_data(pd.DataFrame({"x1": [0.5, 9.0, -3.0]}), ["x1"])      # not an item: no scale
    """
    from .instrument import load_instrument
    from .sem.datacheck import MISSING_CODES, check_finite

    if instrument is None or isinstance(instrument, (str, Path)):
        instrument = load_instrument(instrument)
    present = [c for c in dict.fromkeys(columns) if c in set(data.columns)]
    values = {c: numeric_column(data, c, file=file) for c in present}
    for c in present:
        check_finite(values[c], c, file=file, row=lambda m: _row_of(data, int(np.flatnonzero(m)[0])))
    scales = _likert(instrument)
    codes = _numeric_codes(instrument)
    items = [c for c in present if c in scales]
    if not items:
        return
    is_code = {c: np.isin(values[c], codes) for c in items}
    off = {}
    for c in items:
        x = values[c]
        lo, hi = scales[c]
        with np.errstate(invalid="ignore"):
            off[c] = ~np.isnan(x) & ~is_code[c] & ((x < lo) | (x > hi) | (x != np.round(x)))
    n_code = sum(int(m.sum()) for m in is_code.values())
    n_off = sum(int(m.sum()) for m in off.values())
    for c in items:
        x = values[c]
        if is_code[c].any():
            i = int(np.flatnonzero(is_code[c])[0])
            raise DataError(file, f"holds {x[i]:g}, one of the instrument's missing_codes ({n_code} such "
                                  f"cell{'s' if n_code > 1 else ''} in the analysed item columns): a missing answer "
                                  "must be an empty cell, not analysed as an answer; make these cells empty "
                                  "(`iur-survey clean` does)", row=_row_of(data, i), column=c)
        if off[c].any():
            i = int(np.flatnonzero(off[c])[0])
            lo, hi = scales[c]
            code = " (a missing-value code?)" if x[i] in MISSING_CODES else ""
            raise DataError(file, f"holds {x[i]:g}, off the instrument's scale {lo}-{hi}{code} (whole numbers; {n_off} "
                                  f"such cell{'s' if n_off > 1 else ''} in the analysed item columns): recode it or "
                                  "make it empty; if the column is not that item, give the instrument of your data "
                                  "(--instrument)", row=_row_of(data, i), column=c)


def _row_of(data, i: int) -> int | None:
    from .sem.table import is_table

    if is_table(data):
        return _line(i)
    label = data.index[i]
    return _line(label) if isinstance(label, (int, np.integer)) else None


def item_like_columns(data, instrument=None) -> list[str]:
    """The columns an EFA takes by default: every column but ``response_id`` and ``role`` that is an item of
    the instrument, numeric, or mostly numbers (a column of numbers with a stray text cell is an item whose
    cell :func:`check_data` then refuses, not a column to drop); all-text columns are left out.

    >>> import pandas as pd
    >>> item_like_columns(pd.DataFrame({"role": ["a", "b"], "x": [1, 2], "y": ["3", "oops"], "note": ["a", "b"]}))
    ['x', 'y']
    """
    import pandas as pd

    from .instrument import load_instrument

    if instrument is None or isinstance(instrument, (str, Path)):
        instrument = load_instrument(instrument)
    out = []
    for c in data.columns:
        if c in NOT_ITEMS:
            continue
        col = data[c]
        if pd.api.types.is_bool_dtype(col.dtype):
            continue
        if c in instrument.items or pd.api.types.is_numeric_dtype(col.dtype):
            out.append(c)
            continue
        filled = col.dropna()
        if len(filled) and pd.to_numeric(filled, errors="coerce").notna().sum() * 2 >= len(filled):
            out.append(c)
    return out


def load_data(path: str | Path, columns: Sequence[str] | None = None, *, instrument=None, plain: bool = False):
    """Read the data CSV of ``fit``, ``efa`` or ``pls`` (:func:`read_data_file`) and check the analysed
    ``columns`` (:func:`check_data`; None: :func:`item_like_columns`).  With ``plain``, a plainly simple file
    whose analysed columns are all plain numbers comes back as a pandas-free
    :class:`~iur_survey.sem.table.CsvTable`, else as a DataFrame.  See the module docstring for the rules.
    """
    from .instrument import load_instrument
    from .sem.table import is_table

    inst = instrument if instrument is not None and not isinstance(instrument, (str, Path)) \
        else load_instrument(instrument)
    data = read_data_file(path, plain=plain)
    if is_table(data) and (columns is None or not data.plain_numeric([c for c in columns if c in data.columns])):
        data = read_data_file(path)
    if columns is None:
        columns = item_like_columns(data, inst)
    check_data(data, columns, file=str(path), instrument=inst)
    return data


#: cells that other programs write for a missing value (pandas and R read them as missing; here only an
#: empty cell is)
MISSING_WORDS = ("na", "n/a", "#n/a", "nan", "null", "none", "-", "missing", ".")


def missing_word_groups(data, group: str) -> list[str]:
    """A warning when the ``group`` column holds a cell that other programs read as missing (``NA``,
    ``#N/A``, ``null`` ...): here it is a group of that name, since only an empty cell is missing.

    >>> import pandas as pd
    >>> missing_word_groups(pd.DataFrame({"role": ["firm", "NA", "NA", "university"]}), "role")
    ["the group column 'role' holds 'NA' in 2 rows (first: row 3): analysed as a group named 'NA', since only an empty cell is a missing group; make those cells empty if they mean no group"]
    """
    from .sem.table import is_table

    if is_table(data):
        data = data.to_frame()
    if group not in getattr(data, "columns", ()):
        return []
    col = data[group].astype("string")
    out = []
    for word in sorted({v for v in col.dropna().unique() if str(v).strip().lower() in MISSING_WORDS}):
        rows = [i for i, v in enumerate(col) if v == word]
        out.append(f"the group column {group!r} holds {word!r} in {len(rows)} row{'s' if len(rows) > 1 else ''} "
                   f"(first: row {_line(rows[0])}): analysed as a group named {word!r}, since only an empty cell "
                   f"is a missing group; make those cells empty if they mean no group")
    return out


@contextlib.contextmanager
def naming_file(path: str | Path | None) -> Iterator[None]:
    """Add ``path`` to an :class:`~iur_survey.errors.EstimationError` (or DataError) raised without a file.

    >>> with naming_file("d.csv"):
    ...     raise EstimationError(None, "only 5 complete rows")
    Traceback (most recent call last):
    ...
    iur_survey.errors.EstimationError: d.csv: only 5 complete rows
    """
    try:
        yield
    except EstimationError as exc:
        if exc.file is None and path is not None:
            exc.file = str(path)
            exc.args = (str(exc),)
        raise


@contextlib.contextmanager
def naming_model(source: str | Path | None) -> Iterator[None]:
    """Put the model file ``source`` on a :class:`~iur_survey.errors.ModelSyntaxError` raised where the syntax is
    re-read without its name (``<model syntax>``: the group preparation of ``fit --group``, ``power``'s fits).

    >>> with naming_model("m.lav"):
    ...     raise ModelSyntaxError("<model syntax>", "line 2: unknown operator")
    Traceback (most recent call last):
    ...
    iur_survey.errors.ModelSyntaxError: m.lav: line 2: unknown operator
    """
    try:
        yield
    except ModelSyntaxError as exc:
        if source is not None and exc.file == "<model syntax>":
            exc.file = str(source)
            exc.args = (str(exc),)
        raise


def model_columns(syntax: str, source: str = "<model syntax>") -> list[str]:
    """Every name of the lavaan ``syntax`` that may be a data column (the terms' both sides; ``A:B`` split),
    for :func:`load_data`'s ``columns`` (names that are no column of the file are ignored there).

    >>> model_columns("F =~ GOV1 + GOV2\\nY ~ F + GOV:MKT")
    ['F', 'GOV1', 'GOV2', 'Y', 'GOV', 'MKT']
    """
    from .sem.syntax import parse_model

    out: list[str] = []
    for t in parse_model(syntax, source).terms:
        for side in (t.lhs, t.rhs):
            out.extend(n for n in str(side).split(":") if n)
    return list(dict.fromkeys(out))
