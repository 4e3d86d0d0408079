"""Readers for survey exports (Qualtrics, Wenjuanxing, SPSS, SurveyMonkey, Google Forms, LimeSurvey, REDCap,
SoSci Survey, Alchemer, plain CSV/spreadsheets).

:func:`read_export` reads one export into a :class:`RawResponses` (the standard frame
of :mod:`iur_survey.read.base`); :func:`detect_format` says which reader it needs.

================  ===========================================================================
format            what it reads
================  ===========================================================================
``qualtrics``     Qualtrics CSV/XLSX (3, 2 or 1 header rows, legacy ``V1..Vn`` and 2016 layouts)
``wjx``           Wenjuanxing CSV (GB18030/GBK, UTF-8, UTF-8-BOM), XLSX or its own ``.xls``
``spss``          SPSS .sav/.zsav/.por (value labels -> codes only when they all match)
``surveymonkey``  SurveyMonkey CSV/XLSX (two header rows)
``google_forms``  Google Forms response sheet (``Timestamp`` + question text)
``limesurvey``    LimeSurvey response export (codes, text or ``code. text`` headings)
``redcap``        REDCap data export, raw or labels (``<form>_complete``: only Complete (2) is finished)
``sosci``         SoSci Survey export (``CASE``... ``MODE``: pretest and admin interviews are no responses)
``alchemer``      Alchemer export (``Status``: Complete, Partial, Disqualified)
``csv``           plain CSV, one header row of item codes / mapped names
``xlsx``          plain spreadsheet (.xlsx/.xls/.xlsb/.ods), the same layout on one sheet
================  ===========================================================================

Spreadsheets are read with python-calamine (:mod:`iur_survey.read.workbook`, which also says which
sheet is read and which rows it hides).

>>> import tempfile, os
>>> with tempfile.TemporaryDirectory() as d:
...     p = os.path.join(d, "x.csv")
...     items = ",".join(f"{c}{i}" for c in ("GOV", "MKT", "BEN", "VAL", "TAL", "COL", "INT") for i in range(1, 5))
...     row = ",".join(["3"] * 28)
...     _ = open(p, "w", encoding="utf-8").write(f"ResponseId,role,{items},ATT1,Email\\nR1,企业,{row},4,a@b.c\\n")
...     raw = read_export(p)
>>> raw.format, raw.frame.loc[0, "role"], float(raw.frame.loc[0, "GOV1"]), raw.dropped_columns
('csv', 'enterprise', 3.0, ['Email'])
"""

from __future__ import annotations

from pathlib import Path

from ..errors import DelimiterError, FormatDetectionError, IURSurveyError, ReadError  # noqa: F401 (DelimiterError: doctest)
from .base import META_COLUMNS, RawResponses, conform_frame, sha256_file, standard_columns

FORMATS = ("qualtrics", "wjx", "spss", "surveymonkey", "google_forms", "limesurvey", "redcap", "sosci", "alchemer", "csv",
           "xlsx")
_TEXT_EXT = {".csv", ".txt", ".tsv", ".dat", ""}
_XLSX_EXT = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
_SAV_EXT = {".sav", ".zsav", ".por"}


def _first_records(path: Path, data: bytes, encoding=None, n: int = 3) -> list[list]:
    """The first ``n`` records of a workbook or text export (a text one checked for its delimiter)."""
    import codecs

    from .source import (WORKBOOK_KINDS, _first_records as first, check_delimiter, decode_bytes,
                         hinted_delimiter, sep_hint, sniff_kind)
    from .workbook import read_workbook_rows

    if sniff_kind(data) in WORKBOOK_KINDS:
        rows, _ = read_workbook_rows(path, data, max_rows=n)
        return [["" if v is None else str(v) for v in r] for r in rows[:n]]
    head = data
    if len(data) > 1 << 20 and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        cut = data.rfind(b"\n", 0, 1 << 20)     # whole lines only: no character cut in two
        head = data[:cut + 1] if cut > 0 else data
    text, _ = decode_bytes(head, path, encoding)
    hinted = hinted_delimiter(text[:64])
    text = text[sep_hint(text, path):]          # Excel's "sep=," first line
    return first(text, check_delimiter(text, path, hinted), n)


def detect_format(path: str | Path, instrument=None, *, encoding: str | None = None) -> str:
    r"""Which of :data:`FORMATS` an export is, from its bytes and header rows.

    SPSS by its magic bytes; a text file's delimiter (comma, semicolon, TAB, ``|``) is
    detected (:func:`~iur_survey.read.source.check_delimiter`); a workbook or text file is ``wjx`` when its header has
    ``序号`` and Wenjuanxing's fixed columns, ``qualtrics`` when it has Qualtrics'
    ImportId row or its metadata tags, and ``csv``/``xlsx`` when its header names a
    column of the instrument.  Anything else raises
    :class:`~iur_survey.errors.FormatDetectionError`.

    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "w.csv")
    ...     _ = open(p, "wb").write("序号,提交答卷时间,所用时间,1、您所在的单位属于以下哪一类？\n1,2023/3/1 10:00:00,583秒,企业\n"
    ...                             .encode("gb18030"))
    ...     q = os.path.join(d, "q.csv")
    ...     _ = open(q, "w").write("name;age|x\nAnn;3|4\n")
    ...     print(detect_format(p))
    ...     try:
    ...         detect_format(q)
    ...     except DelimiterError as exc:
    ...         print(exc.row, exc.message)
    wjx
    1 the delimiter is ambiguous: the first lines split evenly on ';' and '|'; save the file as comma-separated CSV
    """
    from .source import read_bytes

    path = Path(path)
    return _detect(path, read_bytes(path), instrument, encoding)


def _refuse_foreign(path, data: bytes) -> None:
    """Refuse another statistics package's file by name (its bytes would otherwise fail as text)."""
    from .source import foreign_kind

    name = foreign_kind(data)
    if name is not None:
        raise FormatDetectionError(path, f"{name}: the readers take SPSS (.sav, .zsav, .por), workbooks and "
                                         f"delimited text; save it from its program as .sav or CSV")


def _detect(path: Path, data: bytes, instrument, encoding, sheet=None, hidden_rows="refuse") -> str:
    from ..errors import EmptyFileError
    from ..instrument import load_instrument
    from .source import WORKBOOK_KINDS, sniff_kind

    kind = sniff_kind(data)
    if kind == "empty":
        raise EmptyFileError(path, "the file is empty")
    _refuse_foreign(path, data)
    if kind in ("sav", "por"):
        return "spss"
    if path.suffix.lower() in _SAV_EXT:
        raise FormatDetectionError(path, f"the file is named {path.suffix} but is not an SPSS file")
    if kind in WORKBOOK_KINDS and path.suffix.lower() not in _XLSX_EXT | _TEXT_EXT:
        raise FormatDetectionError(path, f"unknown export type {path.suffix!r} (a spreadsheet container)")
    instrument = instrument or load_instrument()
    if kind in WORKBOOK_KINDS:
        _load_sheet(path, data, instrument, sheet, hidden_rows)
    records = _first_records(path, data, encoding)
    if not records:
        raise EmptyFileError(path, "the file is empty")
    fmt = _recognise(path, records, instrument)
    if fmt is None:
        _refuse_transposed(path, _column_records(path, data, encoding, kind in WORKBOOK_KINDS), instrument)
        _refuse_title_rows(path, data, encoding, instrument, kind in WORKBOOK_KINDS)
        raise FormatDetectionError(path, "the layout matches no known export: no Qualtrics or Wenjuanxing header "
                                         "and no column the instrument names", row=1)
    return ("xlsx" if kind in WORKBOOK_KINDS else "csv") if fmt == "plain" else fmt


#: how many rows above a header :func:`_refuse_title_rows` looks through
TITLE_ROWS = 8


def _refuse_title_rows(path: Path, data: bytes, encoding, instrument, workbook: bool) -> None:
    """Refuse an export whose survey header is below its first row (a title such as "Survey export 2024-03-01"
    in A1), naming the row the header is on; return when there is none."""
    from .workbook import read_workbook_rows

    if workbook:
        rows, numbers = read_workbook_rows(path, data, max_rows=TITLE_ROWS + 3)
        records = [["" if v is None else str(v) for v in r] for r in rows]
        where = [f"row {k}" for k in numbers]
    else:
        records = _first_records(path, data, encoding, n=TITLE_ROWS + 3)
        where = [f"the {k + 1}{'st' if k == 0 else 'nd' if k == 1 else 'rd' if k == 2 else 'th'} non-empty line"
                 for k in range(len(records))]
    for k in range(1, min(TITLE_ROWS, len(records)) + 1):
        if k < len(records) and _recognise(path, records[k:k + 3], instrument) is not None:
            first = " ".join(v for v in records[0] if v.strip())[:60]
            raise FormatDetectionError(path, f"the export's header is not its first row but {where[k]} (the first "
                                             f"holds {first!r}: a title?); delete the rows above the header and "
                                             f"save again", row=1)


#: how many rows :func:`_refuse_transposed` looks down the first column (a transposed sheet has a row per column)
TRANSPOSED_ROWS = 1000


def _column_records(path: Path, data: bytes, encoding, workbook: bool) -> list[list]:
    """The first :data:`TRANSPOSED_ROWS` records of the file (for :func:`_refuse_transposed`)."""
    from .workbook import read_workbook_rows

    if workbook:
        rows, _ = read_workbook_rows(path, data, max_rows=TRANSPOSED_ROWS)
        return [["" if v is None else str(v) for v in r] for r in rows]
    return _first_records(path, data, encoding, n=TRANSPOSED_ROWS)


def _refuse_transposed(path: Path, records: list[list], instrument) -> None:
    """Refuse a sheet whose first column, not its first row, names three or more of the instrument's columns (a
    copy pasted transposed: one response per column), saying so; return when it does not.  Asked before
    :func:`_refuse_title_rows`, whose "a title above the header?" each row of a transposed sheet would meet.

    >>> from iur_survey.instrument import load_instrument
    >>> rows = [["", "r1", "r2"], ["GOV1", "4", "5"], ["GOV2", "3", "4"], ["GOV3", "2", "4"]]
    >>> _refuse_transposed("t.csv", rows, load_instrument())
    Traceback (most recent call last):
    ...
    iur_survey.errors.FormatDetectionError: t.csv:1: the instrument's columns are down the first column (GOV1, GOV2, GOV3), not along the first row: the responses seem to be in columns; transpose the sheet (one row per response) and save again
    """
    from ..errors import IURSurveyError
    from .match import Column, match_columns

    down = [Column(i, str(r[0])) for i, r in enumerate(records) if r and str(r[0]).strip()]
    try:
        match_columns(down, instrument, path, require_role=False)
    except FormatDetectionError:
        return
    except IURSurveyError:      # e.g. the columns it lacks: those it names are marked all the same
        pass
    named = [c.header for c in down if c.target is not None]
    if len(named) >= 3:
        raise FormatDetectionError(path, f"the instrument's columns are down the first column ({', '.join(named[:4])}"
                                         f"{', ...' if len(named) > 4 else ''}), not along the first row: the "
                                         "responses seem to be in columns; transpose the sheet (one row per "
                                         "response) and save again", row=1)


def _recognise(path: Path, records: list[list], instrument) -> str | None:
    """The export format whose header ``records`` (the first rows) are, ``"plain"`` for one naming a column of
    the instrument, or ``None``."""
    from ..errors import IURSurveyError
    from .google_forms import looks_like_google_forms
    from .limesurvey import looks_like_limesurvey
    from .match import Column, match_columns
    from .qualtrics import looks_like_qualtrics
    from .alchemer import looks_like_alchemer
    from .redcap import looks_like_redcap
    from .sosci import looks_like_sosci
    from .surveymonkey import looks_like_surveymonkey
    from .wjx import looks_like_wjx

    if not records:
        return None
    found = [fmt for fmt, looks in (("wjx", looks_like_wjx), ("qualtrics", looks_like_qualtrics),
                                    ("surveymonkey", looks_like_surveymonkey), ("limesurvey", looks_like_limesurvey),
                                    ("google_forms", looks_like_google_forms), ("redcap", looks_like_redcap),
                                    ("sosci", looks_like_sosci), ("alchemer", looks_like_alchemer))
             if looks(records)]
    if len(found) > 1:      # two tools' layouts at once: which one's status and ids hold is not to be guessed
        raise FormatDetectionError(path, f"the header has the marks of {' and of '.join(FORMAT_NAMES[f] for f in found)} "
                                         f"exports: give the format (--format {found[0]} or --format {found[1]})",
                                   row=1)
    if found:
        return found[0]
    columns = [Column(i, str(h)) for i, h in enumerate(records[0])]
    try:
        plan = match_columns(columns, instrument, path, require_role=False)
        known = bool(plan.targets)
    except IURSurveyError as exc:
        known = not isinstance(exc, FormatDetectionError) and any(c.target for c in columns)
    return "plain" if known else None


def _load_sheet(path: Path, data: bytes, instrument, sheet, hidden_rows) -> None:
    """Choose and parse the workbook's sheet (:func:`~iur_survey.read.workbook.load_sheet`), taking a sheet
    whose first rows are a known export's header for the survey's."""
    from .workbook import load_sheet

    load_sheet(path, data, sheet=sheet, hidden_rows=hidden_rows,
               recognise=lambda rows: _recognise(path, rows[:3], instrument) is not None)


def read_export(path: str | Path, instrument=None, format: str | None = None, *, strict: bool = False,
                encoding: str | None = None, sheet: str | int | None = None,
                hidden_rows: str = "refuse", role_column: str | None = None) -> RawResponses:
    """Read one export into the standard frame (see :mod:`iur_survey.read.base`).

    ``instrument`` defaults to the study's; ``format`` is one of :data:`FORMATS` or
    ``None`` (detect); ``strict=True`` turns out-of-scale codes into
    :class:`~iur_survey.errors.OutOfRangeError`; ``encoding`` forces a text encoding.
    For a workbook, ``sheet`` names the sheet to read (its name, or its position counted
    from 1; default: the one sheet with cells, or the one whose header is a survey
    export's: :func:`~iur_survey.read.workbook.load_sheet`) and ``hidden_rows`` says what
    to do with data rows the sheet hides (``"refuse"``, the default, or ``"read"`` them as
    responses with a warning).  ``role_column`` names the export header of the group question
    (as the instrument's ``columns:`` map would), for an export whose header does not name it and
    where several columns hold group answers; :attr:`RawResponses.role_column` says which column
    became the group column and how it was found.  Bad input raises a subclass of :class:`~iur_survey.errors.ReadError`; the input file
    is only read.

    >>> import tempfile, os
    >>> from iur_survey.instrument import load_instrument
    >>> from iur_survey.simulate import simulate
    >>> from iur_survey.simulate.writers import write_export
    >>> inst = load_instrument()
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = write_export(simulate(20, seed=1).frame, inst, "qualtrics", os.path.join(d, "q.csv"), labels="text")
    ...     raw = read_export(p, inst)
    >>> raw.format, raw.column_map["Q2_1"], raw.frame["_row"].iloc[0], "RecipientEmail" in raw.dropped_columns
    ('qualtrics', 'GOV1', np.int64(4), True)
    """
    from ..instrument import load_instrument
    from .google_forms import read_google_forms
    from .limesurvey import read_limesurvey
    from .plain import read_csv, read_xlsx
    from .qualtrics import read_qualtrics
    from .alchemer import read_alchemer
    from .redcap import read_redcap
    from .sosci import read_sosci
    from .source import read_bytes
    from .spss import read_spss
    from .surveymonkey import read_surveymonkey
    from .wjx import read_wjx

    path = Path(path)
    instrument = instrument or load_instrument()
    if role_column is not None:
        instrument = _with_role_column(instrument, role_column)
    data = read_bytes(path)
    from .source import WORKBOOK_KINDS, sniff_kind

    workbook = sniff_kind(data) in WORKBOOK_KINDS
    _refuse_foreign(path, data)
    if sheet is not None and not workbook:
        raise ReadError(path, f"sheet {sheet!r} was given but the file is not a workbook (.xlsx, .xls, .xlsb, .ods)")
    given = format is not None
    if format is None:
        format = _detect(path, data, instrument, encoding, sheet, hidden_rows)    # (it loads the sheet)
    elif workbook:
        _load_sheet(path, data, instrument, sheet, hidden_rows)
    readers = {"qualtrics": read_qualtrics, "wjx": read_wjx, "spss": read_spss, "csv": read_csv,
               "xlsx": read_xlsx, "surveymonkey": read_surveymonkey, "google_forms": read_google_forms,
               "limesurvey": read_limesurvey, "redcap": read_redcap,
               "sosci": read_sosci, "alchemer": read_alchemer}
    if format not in readers:
        raise FormatDetectionError(path, f"unknown format {format!r}; choose one of {', '.join(FORMATS)}")
    try:
        raw = readers[format](path, instrument, strict=strict, data=data, encoding=encoding)
    except IURSurveyError as exc:
        if given:       # the format asked for may be the wrong one: say which the file looks like
            other = _looks_like(path, data, instrument, encoding)
            if other is not None and other != format:
                name = FORMAT_NAMES.get(other, other)
                article = "an" if name[:1] in "AEIOU" or name.startswith("SPSS") else "a"
                exc.message += (f"; the file looks like {article} {name} export, not "
                                f"{FORMAT_NAMES.get(format, format)}: give format {other!r} (--format {other}), "
                                f"or none to detect it")
        raise
    # a delimited text with a NUL byte was refused before parsing: only a binary file (workbook, SPSS; their
    # headers always hold NUL bytes) can carry a NUL into a cell
    return _no_nul(raw) if b"\x00" in data else raw


#: the formats' names in messages
FORMAT_NAMES = {"qualtrics": "Qualtrics", "wjx": "Wenjuanxing (问卷星)", "spss": "SPSS", "csv": "plain CSV",
                "xlsx": "plain workbook", "surveymonkey": "SurveyMonkey", "google_forms": "Google Forms",
                "limesurvey": "LimeSurvey", "redcap": "REDCap",
                "sosci": "SoSci Survey", "alchemer": "Alchemer"}


def _looks_like(path: Path, data: bytes, instrument, encoding) -> str | None:
    """The format :func:`read_export` would detect for the file, or ``None`` when it cannot tell (any error)."""
    try:
        return _detect(Path(path), data, instrument, encoding, None, "read")
    except Exception:  # noqa: BLE001 - only a hint for another error: no detection, no hint
        return None


def _with_role_column(instrument, header: str):
    """``instrument`` with ``header`` mapped to its group column in ``columns:`` (replacing any other header
    mapped there).

    >>> from iur_survey.instrument import load_instrument
    >>> _with_role_column(load_instrument(), "Q1").columns["Q1"]
    'role'
    """
    import dataclasses

    group = instrument.group_column
    from .match import column_key

    columns = {h: t for h, t in instrument.columns.items() if t != group and column_key(h) != column_key(header)}
    columns[header.strip()] = group
    return dataclasses.replace(instrument, columns=columns, raw={**instrument.raw, "_role_column": header.strip()})


def _no_nul(raw: RawResponses) -> RawResponses:
    """``raw``, or :class:`~iur_survey.errors.ReadError` for a text cell holding a NUL character.

    A workbook cell can carry one (OOXML writes it ``_x0000_``), and pandas hashes text only
    up to its first NUL (``"R1\x00x"`` and ``"R1"`` would be one response id to the duplicate
    rules).
    """
    import pandas as pd

    frame = raw.frame
    for col in frame.columns:
        if not (frame[col].dtype == object or isinstance(frame[col].dtype, pd.StringDtype)):
            continue
        values = frame[col].to_numpy(dtype=object, na_value="")
        if "\x00" not in "".join(v if isinstance(v, str) else "" for v in values):
            continue
        bad = next(i for i, v in enumerate(values) if isinstance(v, str) and "\x00" in v)
        header = next((h for h, c in raw.column_map.items() if c == col), col)
        row = int(frame["_row"].iloc[bad]) if "_row" in frame.columns else None
        raise ReadError(raw.source, "a text cell holds a NUL character (binary data in the export?)",
                        row=row, column=header)
    return raw


__all__ = ["FORMATS", "META_COLUMNS", "RawResponses", "conform_frame", "detect_format", "read_export",
           "sha256_file", "standard_columns"]
