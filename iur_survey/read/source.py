"""Raw export files -> a :class:`Table` of header rows and data cells.

Text exports are decoded here (UTF-8, UTF-8 with BOM, UTF-16 with BOM, GB18030/GBK),
checked for the right delimiter and parsed with pandas' C parser; workbooks go through
:mod:`iur_survey.read.workbook` (python-calamine).  Every failure becomes a typed
:class:`~iur_survey.errors.ReadError` naming the file and, where it makes sense, the
line.  Nothing here writes to the input.

>>> import tempfile, os
>>> with tempfile.TemporaryDirectory() as d:
...     p = os.path.join(d, "x.csv")
...     _ = open(p, "w", encoding="utf-8").write('a,b\\n1,"two\\nlines"\\n3,4\\n')
...     t = read_text_table(p, header_rows=1)
>>> t.headers[0], t.data.shape, t.lines.tolist()
(['a', 'b'], (2, 2), [2, 4])
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .._threads import available_cores
from ..errors import (DelimiterError, EmptyFileError, EncodingError, FormatDetectionError, ReadError)
from .workbook import read_workbook_sheet

#: encodings tried, in order, when none is given and the file has no BOM
FALLBACK_ENCODINGS = ("utf-8", "gb18030")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: what :func:`sniff_kind` says of a spreadsheet (.xlsx/.xlsb/.ods are zip containers, .xls is OLE2)
WORKBOOK_KINDS = ("zip", "ole")
_NOT_SPACE = re.compile(rb"[^ \t\r\n\x00]")
_LONE_CR = re.compile(rb"\r(?!\n)")
_SAV_MAGIC = (b"$FL2", b"$FL3")
#: other statistics packages' files, named in the refusal (the readers take SPSS, workbooks and delimited text)
_FOREIGN_MAGIC = ((b"<stata_dta>", "a Stata .dta file"),
                  (b"HEADER RECORD*******LIBRARY HEADER RECORD", "a SAS transport (.xpt) file"),
                  (b"HEADER RECORD*******LIBV8   HEADER RECORD", "a SAS transport (.xpt) file"),
                  (b"\x00" * 12 + b"\xc2\xea\x81\x60\xb3\x14\x11\xcf\xbd\x92\x08\x00\x09\xc7\x31\x8c\x18\x1f\x10\x11",
                   "a SAS data set (.sas7bdat)"))


def foreign_kind(data: bytes) -> str | None:
    r"""What other statistics package wrote ``data``, or ``None``: Stata (``<stata_dta>``, format 117 and later;
    formats 113-115 start with their version byte, then the byte order 1 or 2, then 1), SAS.

    >>> foreign_kind(b"<stata_dta><header>..."), foreign_kind(b"\x72\x02\x01\x00..."), foreign_kind(b"a,b\n1,2")
    ('a Stata .dta file', 'a Stata .dta file', None)
    """
    for magic, name in _FOREIGN_MAGIC:
        if data.startswith(magic):
            return name
    if len(data) > 3 and data[0] in (0x71, 0x72, 0x73) and data[1] in (1, 2) and data[2] == 1 and data[3] == 0:
        return "a Stata .dta file"
    return None


@dataclass
class Table:
    """An export as read from disk, before any interpretation.

    ``headers`` holds the header rows (each as wide as the data), ``data`` the cells of
    the data rows (columns 0..n-1; ``str`` for text files, ``str``/numbers/datetimes or
    ``None`` for workbooks), ``lines`` the 1-based line (sheet row) of every data row.
    """

    path: Path
    headers: list[list[str]]
    data: pd.DataFrame
    lines: np.ndarray
    sha256: str
    encoding: str | None = None
    extra: dict = field(default_factory=dict)


def read_bytes(path: str | Path) -> bytes:
    """The file's bytes, or a :class:`ReadError` saying why not.

    >>> read_bytes("/no/such/export.csv")
    Traceback (most recent call last):
    ...
    iur_survey.errors.ReadError: /no/such/export.csv: no such file
    """
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise ReadError(path, "no such file") from None
    except IsADirectoryError:
        raise ReadError(path, "is a directory, not an export file") from None
    except OSError as exc:
        raise ReadError(path, f"cannot read the file: {exc.strerror or exc}") from None


def _line_of(data: bytes, pos: int) -> int:
    return data.count(b"\n", 0, pos) + 1


def decode_bytes(data: bytes, path: str | Path, encoding: str | None = None) -> tuple[str, str]:
    """Decode an export's bytes; returns ``(text, encoding)``.

    A BOM decides (UTF-8, UTF-16); otherwise UTF-8 is tried, then GB18030 (a superset
    of GBK and GB2312, Wenjuanxing's default).  Failure -> :class:`EncodingError` naming
    the line of the first undecodable byte.

    >>> decode_bytes("序号".encode("gb18030"), "x.csv")
    ('序号', 'gb18030')
    >>> decode_bytes(b"a,b\\n\\xff\\xfe\\x80", "x.csv")
    Traceback (most recent call last):
    ...
    iur_survey.errors.EncodingError: x.csv:2: the bytes are neither UTF-8 (first bad byte on line 2) nor GB18030 (first bad byte on line 2); pass the file's encoding with --encoding (e.g. cp1252 for Windows Excel in Western Europe, big5)
    """
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise EncodingError(path, f"unknown encoding {encoding!r}") from None
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            line = _line_of(data, exc.start)
            raise EncodingError(path, f"the bytes are not {encoding} (first bad byte on line {line})",
                                row=line) from None
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            line = _line_of(data, exc.start + 3)
            raise EncodingError(path, f"the file starts with a UTF-8 BOM but is not UTF-8 "
                                      f"(first bad byte on line {line})", row=line) from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise EncodingError(path, "the file starts with a UTF-16 BOM but is not UTF-16") from exc
    failures = []
    for enc in FALLBACK_ENCODINGS:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError as exc:
            failures.append((enc, _line_of(data, exc.start)))
    names = {"utf-8": "UTF-8", "gb18030": "GB18030"}
    detail = " nor ".join(f"{names[e]} (first bad byte on line {ln})" for e, ln in failures)
    row = max(ln for _, ln in failures)
    raise EncodingError(path, f"the bytes are neither {detail}; pass the file's encoding with --encoding "
                              f"(e.g. cp1252 for Windows Excel in Western Europe, big5)", row=row)


#: the two GB2312 punctuation marks Python's ``gb2312`` codec maps elsewhere than GBK and GB18030 do (A1A4, A1AA:
#: U+30FB and U+2015 there, ``·`` and ``—`` here): a file decoded as GB18030 holds GBK's, e.g. the dash of a
#: Wenjuanxing matrix header ``5、title—statement`` and the middle dot of a transliterated name
_GBK_GB2312_PUNCTUATION = {"\u00b7": "\u30fb", "\u2014": "\u2015"}
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LONE_CJK_IN_WORD = re.compile(r"[A-Za-z][\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff][A-Za-z]")
#: the single-byte encodings a file that is not UTF-8 may also be, shown when its GB18030 reading looks wrong
WESTERN_ENCODINGS = (("cp1252", "Windows cp1252"), ("mac_roman", "Mac Roman"), ("latin-1", "Latin-1"))


def not_chinese(text: str) -> str | None:
    """Why ``text``, read as GB18030, is not plausible Chinese text (``None`` when it is, or is ASCII).

    GB18030 decodes most single-byte Western text too: an accented letter and the byte after it become
    one CJK character, rarely two in a row.  Two signatures of such a reading: a character outside GB2312
    (the 6,763 common characters, full-width punctuation; its dash and middle dot as GBK maps them) unless it is inside a run of CJK characters
    that touches no Latin letter (a traditional character of a Chinese word, ``對``, is GBK's, and is
    read; ``Sociétés`` reads ``Soci閠閟``), and one CJK character between two Latin letters (the pair
    ``ç`` + ``ã`` of ``Avaliação`` is the common ``玢``).

    >>> not_chinese("您的年龄（岁）"), not_chinese("GOV1"), not_chinese("A型"), not_chinese("您對此的看法")
    (None, None, None, None)
    >>> not_chinese("5、请评价以下说法—政府积极引导"), not_chinese("约翰·史密斯")     # GBK's dash and middle dot
    (None, None)
    >>> not_chinese("Expanded Universe?屾")
    "'屾' is not a common Chinese character"
    >>> not_chinese("Avalia玢o")
    "'玢' stands alone between Latin letters"
    """
    if text.isascii():
        return None
    for k, ch in enumerate(text):
        if not ch.isascii():
            try:
                _GBK_GB2312_PUNCTUATION.get(ch, ch).encode("gb2312")
            except UnicodeEncodeError:
                run = next((m for m in _CJK_RUN.finditer(text) if m.start() <= k < m.end()), None)
                touches = run is not None and any(0 <= n < len(text) and text[n].isascii() and text[n].isalpha()
                                                  for n in (run.start() - 1, run.end()))
                if run is None or len(run.group()) < 2 or touches:
                    return f"{ch!r} is not a common Chinese character"
    m = _LONE_CJK_IN_WORD.search(text)
    if m:
        return f"{m.group()[1]!r} stands alone between Latin letters"
    return None


def western_readings(text: str) -> list[tuple[str, str]]:
    """``(name, text)`` of what the bytes of ``text`` (decoded as GB18030) read as in each of
    :data:`WESTERN_ENCODINGS` that decodes them without control characters (a reading the one before gave
    is not repeated).

    >>> western_readings("Universe?屾")
    [('Windows cp1252', 'Universe?Œæ'), ('Mac Roman', 'Universe?åÊ')]
    """
    raw = text.encode("gb18030")
    out = []
    for enc, name in WESTERN_ENCODINGS:
        try:
            t = raw.decode(enc)
        except UnicodeDecodeError:
            continue
        if not any(0x80 <= ord(c) < 0xA0 for c in t) and all(t != seen for _, seen in out):
            out.append((name, t))
    return out


def _excerpt(text: str, width: int = 48) -> str:
    """``text`` on one line, cut to ``width`` characters around its first non-ASCII one.

    >>> _excerpt("Do you consider yourself to be a fan of the Expanded Universe?屾")
    '... yourself to be a fan of the Expanded Universe?屾'
    """
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    i = next((k for k, ch in enumerate(text) if not ch.isascii()), 0)
    lo = max(0, min(i - width // 2, len(text) - width))
    return ("..." if lo else "") + text[lo:lo + width] + ("..." if lo + width < len(text) else "")


def gb18030_refusal(path, text: str, why: str, row: int, column, advice: str | None = None) -> EncodingError:
    """The error for a header or cell ``text`` whose guessed GB18030 reading is not Chinese (``why``, from
    :func:`not_chinese`): it shows what each Western encoding reads and says how to state the encoding
    (``advice``: what to do instead, where the command takes no ``--encoding``)."""
    readings = western_readings(text)
    shown = ", as ".join(f"{name} it reads {_excerpt(w)!r}" for name, w in readings)
    first = next((enc for enc, name in WESTERN_ENCODINGS if any(name == n for n, _ in readings)), "cp1252")
    return EncodingError(path, f"the file is not UTF-8 and reads as GB18030 (Chinese) here as {_excerpt(text)!r}, "
                               f"which is not Chinese text ({why})" + (f"; as {shown}" if shown else "")
                               + (f": {advice}" if advice else
                                  f": pass the file's encoding with --encoding (e.g. --encoding {first}; "
                                  f"--encoding gb18030 if it is Chinese)"),
                         row=row, column=_excerpt(str(column)))


def refuse_doubtful_headers(table: "Table") -> None:
    """Refuse a text export whose encoding was guessed as GB18030 (not UTF-8, no BOM, no ``encoding`` given)
    when a header does not read as Chinese text (:func:`not_chinese`): its bytes are as likely Windows cp1252
    or Mac Roman, which read them otherwise, and the reader never picks one silently.  The error names the
    column, shows each reading and says to pass ``--encoding``.

    >>> t = Table("x.csv", [["id", "Expanded Universe?屾"]], pd.DataFrame(), np.array([]), "", "gb18030",
    ...           {"guessed_encoding": True})
    >>> refuse_doubtful_headers(t)
    Traceback (most recent call last):
    ...
    iur_survey.errors.EncodingError: x.csv:1:Expanded Universe?屾: the file is not UTF-8 and reads as GB18030 (Chinese) here as 'Expanded Universe?屾', which is not Chinese text ('屾' is not a common Chinese character); as Windows cp1252 it reads 'Expanded Universe?Œæ', as Mac Roman it reads 'Expanded Universe?åÊ': pass the file's encoding with --encoding (e.g. --encoding cp1252; --encoding gb18030 if it is Chinese)
    """
    if (table.encoding or "").lower() != "gb18030" or not table.extra.get("guessed_encoding"):
        return
    for r, row in enumerate(table.headers):
        for h in row:
            why = not_chinese(str(h))
            if why:
                raise gb18030_refusal(table.path, str(h), why, r + 1, h)


def to_utf8(data: bytes, path, encoding: str | None = None) -> tuple[bytes, str, bool]:
    """The export's bytes as UTF-8 (no BOM), the source encoding, and whether every byte was checked.

    UTF-8 input is passed through untouched (its head is checked here; the parser
    checks the rest and a failure falls back to :func:`decode_bytes`); other encodings
    are decoded in full and re-encoded.

    >>> to_utf8("序号".encode("gb18030"), "x.csv")
    (b'\\xe5\\xba\\x8f\\xe5\\x8f\\xb7', 'gb18030', True)
    """
    if encoding:   # forced: decode it all (unknown names raise EncodingError)
        text, enc = decode_bytes(data, path, encoding)
        return text.encode("utf-8"), enc, True
    if data.startswith(codecs.BOM_UTF8):
        return data[3:], "utf-8-sig", False
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text, enc = decode_bytes(data, path, None)
        return text.encode("utf-8"), enc, True
    head = data
    if len(data) > _HEAD_BYTES:
        cut = data.rfind(b"\n", 0, _HEAD_BYTES)
        head = data[:cut + 1] if cut > 0 else data[:_HEAD_BYTES]
    try:
        head.decode("utf-8")
        return data, "utf-8", len(head) == len(data)
    except UnicodeDecodeError:
        text, enc = decode_bytes(data, path, None)
        return text.encode("utf-8"), enc, True


def sniff_kind(data: bytes) -> str:
    r"""``"zip"`` (.xlsx/.xlsb/.ods), ``"ole"`` (.xls), ``"sav"`` (SPSS), ``"por"`` (SPSS portable),
    ``"empty"`` or ``"text"``, from the first bytes.

    >>> sniff_kind(b"PK\x03\x04..."), sniff_kind(b"$FL2..."), sniff_kind(b" \r\n"), sniff_kind(b"a,b")
    ('zip', 'sav', 'empty', 'text')
    """
    if data.startswith(_ZIP_MAGIC):
        return "zip"
    if data.startswith(_OLE_MAGIC):
        return "ole"
    if b"SPSS PORT FILE" in data[:512]:
        return "por"
    if data.startswith(_SAV_MAGIC):
        return "sav"
    if data in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) or not _NOT_SPACE.search(data):
        return "empty"
    return "text"


def _first_records(text: str, delimiter: str, n: int = 20) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text[:200_000], newline=""), delimiter=delimiter)
    out = []
    try:
        for rec in reader:
            if rec:
                out.append(rec)
            if len(out) >= n:
                break
    except csv.Error:
        pass
    return out


#: the delimiters a text export may use, as messages name them
DELIMITERS = {",": "','", ";": "';'", "\t": "TAB", "|": "'|'"}


def check_delimiter(text: str, path: str | Path, delimiter: str | None = None) -> str:
    """The delimiter of ``text``: ``delimiter`` when given (a file clearly separated by
    another one raises :class:`DelimiterError`), else the one detected.

    Detection splits the first records, quote-aware, by each candidate (``, ; TAB |``): the
    candidate whose header has several fields and whose records all have as many wins (a
    comma when it splits that way at least as wide as any other: Qualtrics' UTF-16 TSV,
    European Excel's ``;`` CSV).  Two other candidates that split equally well are
    ambiguous and refused, and so is a file of one column.

    >>> check_delimiter("a;b;c\\n1;2;3\\n", "x.csv"), check_delimiter("a\\tb\\n1\\t2\\n", "x.tsv")
    (';', '\\t')
    >>> check_delimiter("a;b;c\\n1;2;3\\n", "x.csv", ",")
    Traceback (most recent call last):
    ...
    iur_survey.errors.DelimiterError: x.csv:1: the file is separated by ';', not ','
    >>> check_delimiter("a;b|c;d|e\\n1;2|3;4|5\\n", "x.csv")
    Traceback (most recent call last):
    ...
    iur_survey.errors.DelimiterError: x.csv:1: the delimiter is ambiguous: the first lines split evenly on ';' and '|'; save the file as comma-separated CSV
    """
    names = DELIMITERS
    first = delimiter or ","
    recs = _first_records(text, first)
    if not recs:
        return first
    width = len(recs[0])
    consistent = width > 1 and all(len(r) == width for r in recs[1:])
    if consistent:
        return first
    others = {}
    for other in names:
        if other == first:
            continue
        orecs = _first_records(text, other)
        if not orecs:
            continue
        owidth = len(orecs[0])
        if owidth > 1 and owidth > width and all(len(r) == owidth for r in orecs[1:]):
            others[other] = owidth
    if others and delimiter is not None:
        other = max(others, key=others.get)
        raise DelimiterError(path, f"the file is separated by {names[other]}, not {names[delimiter]}", row=1)
    if others:
        best = max(others.values())
        top = [d for d, w in others.items() if w == best]
        if len(top) > 1:
            raise DelimiterError(path, f"the delimiter is ambiguous: the first lines split evenly on "
                                       f"{' and '.join(names[d] for d in top)}; save the file as comma-separated CSV",
                                 row=1)
        return top[0]
    if width == 1 and len(recs) > 1:
        # one column only: cannot be an export with an id and items
        raise DelimiterError(path, f"the header has a single column: no {names[first]} separates the fields",
                             row=1, column=recs[0][0][:40])
    return first


_SEP_HINT = re.compile(r"""^["']?sep=(.)["']?[ \t]*(?=\r?\n|$)""", re.I)


def sep_hint(head: str, path, delimiter: str | None = None) -> int:
    r"""How many characters of ``head`` are Excel's delimiter hint line (``sep=,``), 0 when it has none.

    Excel writes and reads such a first line; the reader skips it (the header is then on line 2)
    and refuses one that names another delimiter than ``delimiter`` when that is given
    (:func:`hinted_delimiter` says which it names).

    >>> sep_hint("sep=,\r\nid,GOV1\r\n", "x.csv"), sep_hint("id,GOV1\n", "x.csv"), sep_hint("sep=;\nid;GOV1\n", "x.csv")
    (5, 0, 5)
    >>> sep_hint("sep=;\nid;GOV1\n", "x.csv", ",")
    Traceback (most recent call last):
    ...
    iur_survey.errors.DelimiterError: x.csv:1: the file's first line says sep=; : it is separated by ';', not ','
    """
    m = _SEP_HINT.match(head)
    if not m:
        return 0
    if delimiter is not None and m.group(1) != delimiter:
        names = DELIMITERS
        raise DelimiterError(path, f"the file's first line says sep={m.group(1)} : it is separated by "
                                   f"{names.get(m.group(1), repr(m.group(1)))}, not {names.get(delimiter, delimiter)}",
                             row=1)
    return m.end()


def hinted_delimiter(head: str) -> str | None:
    r"""The delimiter Excel's ``sep=`` first line names, if it has one and it is one of :data:`DELIMITERS`.

    >>> hinted_delimiter("sep=;\nid;GOV1\n"), hinted_delimiter("id,GOV1\n")
    (';', None)
    """
    m = _SEP_HINT.match(head)
    return m.group(1) if m and m.group(1) in DELIMITERS else None


def _check_data_delimiter(records, lines, width: int, delimiter: str, path) -> None:
    """Refuse data rows that are one field where the header has many, split by another delimiter.

    >>> _check_data_delimiter([["R_1;1;3;4"]], [4], 4, ",", "q.csv")
    Traceback (most recent call last):
    ...
    iur_survey.errors.DelimiterError: q.csv:4: the header rows are separated by ',' but this data row by ';' (save the whole file with one delimiter)
    """
    names = {",": "','", ";": "';'", "\t": "TAB", "|": "'|'"}
    if width < 3:
        return
    for rec, line in zip(records, lines):
        if len(rec) == 1:
            for other in (",", ";", "\t", "|"):
                if other != delimiter and rec[0].count(other) >= 2:
                    raise DelimiterError(path, f"the header rows are separated by {names[delimiter]} but this data "
                                               f"row by {names[other]} (save the whole file with one delimiter)",
                                         row=int(line))


_PANDAS_LINE = re.compile(r"line (\d+)")
_PANDAS_ROW = re.compile(r"row (\d+)")
_HEAD_BYTES = 1 << 20


def record_starts(buf: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Where the CSV records of ``buf`` (UTF-8) start and end, quote-aware.

    A line break ends a record when an even number of ``"`` precede it (quoted cells may
    hold line breaks; a doubled ``""`` keeps the parity).  Returns the byte offset where
    each non-blank record starts, where it ends (its terminating line break, or the end)
    and the 1-based line it starts on.

    >>> starts, ends, lines = record_starts(b'a,b\n"x\ny",2\n\n3,4')
    >>> starts.tolist(), lines.tolist()
    ([0, 4, 13], [1, 2, 5])
    """
    arr = np.frombuffer(buf, dtype=np.uint8)
    nl = np.flatnonzero(arr == 10)
    quotes = np.flatnonzero(arr == 34)
    even = (np.searchsorted(quotes, nl) % 2) == 0
    term = nl[even]                                    # record terminators
    term_line = np.flatnonzero(even)                   # their index among all line breaks
    starts = np.concatenate([[0], term + 1])
    ends = np.concatenate([term, [len(buf)]])
    lines = np.concatenate([[1], term_line + 2])
    # drop blank records (empty, or just "\r")
    length = ends - starts
    blank = (length == 0) | ((length == 1) & (arr[np.minimum(starts, max(len(buf) - 1, 0))] == 13)
                             if len(buf) else np.ones(len(starts), bool))
    keep = ~blank
    return starts[keep], ends[keep], lines[keep]


def _head_records(buf: bytes, delimiter: str, n: int) -> tuple[list[list[str]], np.ndarray, np.ndarray]:
    """The first ``n`` non-blank records of ``buf`` parsed, with their end offsets and lines."""
    head = buf[:_HEAD_BYTES]
    starts, ends, lines = record_starts(head)
    if len(buf) > _HEAD_BYTES and len(starts) > 1:   # the last record may be cut off
        starts, ends, lines = starts[:-1], ends[:-1], lines[:-1]
    k = min(n, len(starts))
    records = []
    for i in range(k):
        piece = head[starts[i]:ends[i]].decode("utf-8", errors="replace")
        rec = next(csv.reader([piece.rstrip("\r")], delimiter=delimiter, strict=False), [])
        records.append(rec)
    return records, ends[:k], lines[:k]


def parse_delimited(buf: bytes, path, *, delimiter: str = ",", width: int, usecols=None,
                    first_line: int = 1, categorical=()) -> tuple[pd.DataFrame, np.ndarray]:
    """Parse the data records of UTF-8 CSV bytes into a frame of ``str`` cells.

    Columns keep their position in the file as label (only ``usecols`` are parsed);
    blank lines are skipped; returns the frame and the 1-based line on which each record
    starts (``first_line`` is the line ``buf`` starts on).  Columns in ``categorical``
    (answers with few distinct values) come back as pandas categoricals: the parser
    hashes their bytes instead of making one string per cell.  A large ``buf`` is parsed
    in two halves side by side when a second core is free (:func:`_parse_halves`; the same frame).
    """
    if not _NOT_SPACE.search(buf):
        return pd.DataFrame(columns=list(usecols) if usecols is not None else list(range(width)),
                            dtype=object), np.zeros(0, dtype=np.int64)
    probe_last = usecols is not None and (width - 1) not in usecols and width > 1
    cols = [*(range(width) if usecols is None else usecols), *([width - 1] if probe_last else []),
            width]   # + one beyond the header (and the header's last column: a short row leaves it "")
    dtype = {i: ("category" if i in categorical else str) for i in cols}
    halves = len(buf) >= PARALLEL_PARSE_BYTES and free_core()
    df = _parse_halves(buf, delimiter, width, cols, dtype) if halves else None
    try:
        if df is None:
            df = _parse_block(buf, delimiter, width, cols, dtype).iloc[1:].reset_index(drop=True)
    except pd.errors.EmptyDataError:
        return pd.DataFrame(columns=list(usecols) if usecols is not None else list(range(width)),
                            dtype=object), np.zeros(0, dtype=np.int64)
    except pd.errors.ParserError as exc:
        msg = str(exc)
        m = _PANDAS_LINE.search(msg) or _PANDAS_ROW.search(msg)
        row = int(m.group(1)) + first_line - 2 if m else None   # (minus the synthetic first record)
        if "Expected" in msg and "fields" in msg:
            raise ReadError(path, f"a row has more fields than the header has columns ({width})", row=row) from None
        if "EOF inside string" in msg:
            raise ReadError(path, "a quoted cell is never closed (the file is truncated or mis-quoted)",
                            row=row) from None
        raise ReadError(path, f"not parseable as delimited text: {msg.splitlines()[-1]}", row=row) from None
    except (ValueError, MemoryError, OverflowError) as exc:
        if isinstance(exc, UnicodeDecodeError):
            raise
        raise ReadError(path, f"not parseable as delimited text: {exc}") from None
    extra = df.pop(width)
    maybe_short = (df[width - 1] == "").to_numpy(dtype=bool) if width > 1 else np.zeros(len(df), bool)
    if probe_last:
        df.pop(width - 1)
    n = len(df)
    newlines = buf.count(b"\n")
    if newlines == n or (newlines == n - 1 and not buf.endswith(b"\n")):
        lines = np.arange(first_line, first_line + n, dtype=np.int64)
    else:  # blank lines or quoted line breaks: find where each record starts
        _, _, rel = record_starts(buf)
        lines = (rel + first_line - 1).astype(np.int64) if len(rel) == n else \
            np.arange(first_line, first_line + n, dtype=np.int64)
    if maybe_short.any():        # a short row is padded with "" like an empty last cell: count its fields
        short = _short_records(buf, delimiter, width, len(df))
        if short is not None and short.any():
            i = int(np.flatnonzero(short)[0])
            raise ReadError(path, f"a row has fewer fields than the header has columns ({width}): a truncated "
                                  f"or mis-quoted row", row=int(lines[i]))
    long_rows = extra.notna().to_numpy() & (extra != "").to_numpy()
    if long_rows.any():
        i = int(np.flatnonzero(long_rows)[0])
        raise ReadError(path, f"a row has more fields than the header has columns ({width})", row=int(lines[i]))
    return df, lines


def _short_records(buf: bytes, delimiter: str, width: int, n: int) -> np.ndarray | None:
    r"""Which of the ``n`` records of ``buf`` have fewer than ``width`` fields (delimiters outside quotes + 1),
    or ``None`` when the records cannot be told apart (their count is not ``n``).

    A delimiter is inside quotes when an odd number of ``"`` precede it: between the quotes
    ``2k`` and ``2k + 1`` (or after an unclosed last one).  Those spans lie inside one record
    each (a line break in them is not a record's end), so a record's fields are its
    delimiters, less those of its quoted spans, plus one: each count is a difference of two
    positions among the delimiters (no search per delimiter).

    >>> _short_records(b'a,b,c\n"x,y",2\n4,,\n', ",", 3, 3).tolist()
    [False, True, False]
    >>> _short_records(b'a,b,c\n"x,""y"",z",2\n4,",', ",", 3, 3).tolist()
    [False, True, True]
    """
    arr = np.frombuffer(buf, dtype=np.uint8)
    starts, ends, _ = record_starts(buf)
    if len(starts) != n:
        return None
    if not n:
        return np.zeros(0, dtype=bool)
    delims = np.flatnonzero(arr == ord(delimiter))
    fields = np.searchsorted(delims, ends) - np.searchsorted(delims, starts) + 1
    quotes = np.flatnonzero(arr == 34)
    if len(quotes):
        opened = quotes[0::2]
        closed = np.append(quotes[1::2], len(buf)) if len(quotes) % 2 else quotes[1::2]   # (unclosed: to the end)
        inside = np.searchsorted(delims, closed) - np.searchsorted(delims, opened)
        record = np.searchsorted(starts, opened, side="right") - 1
        fields -= np.bincount(record, weights=inside, minlength=n).astype(np.int64)
    return fields < width


#: a text body at least this large is parsed in two halves side by side (:func:`_parse_halves`)
PARALLEL_PARSE_BYTES = 1 << 22


def free_core() -> bool:
    """Whether a second CPU core looks free: two usable cores and a 1-minute load average below their number
    less a half.  The two-halves parse pays only then (on 100,000 responses: 0.60-0.77 s -> 0.46-0.54 s with
    a free core; +0.05-0.1 s of CPU, not made up, when other processes keep both cores busy)."""
    cores = available_cores()
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):            # no load average (Windows): trust the core count
        return cores >= 2
    return cores >= 2 and load < cores - 0.5


def _parse_block(buf: bytes | memoryview, delimiter: str, width: int, cols: list, dtype: dict) -> pd.DataFrame:
    """pandas' C parser on ``buf``, behind a first record of ``width + 1`` empty fields (row 0 of the frame).

    The first record lets the parser keep one column beyond the header: a row that is too
    long leaves a value there (with ``usecols`` pandas checks no widths).
    """
    src = io.BytesIO(delimiter.encode() * width + b"\n" + buf)
    return pd.read_csv(src, header=None, names=list(range(width + 1)), usecols=cols, dtype=dtype,
                       keep_default_na=False, na_filter=False, skip_blank_lines=True, sep=delimiter,
                       quotechar='"', doublequote=True, engine="c", low_memory=False, encoding="utf-8",
                       encoding_errors="strict", index_col=False)


def _parse_halves(buf: bytes, delimiter: str, width: int, cols: list, dtype: dict) -> pd.DataFrame | None:
    """The data rows of :func:`_parse_block` on ``buf``, parsed as two halves in two threads, or ``None``.

    The C parser releases the GIL while it tokenizes and hashes the categorical columns.  The
    cut is a line break after an even number of ``"`` near the middle; it is a record boundary
    of the whole file exactly when the first half parses on its own (otherwise the parser stops
    with "EOF inside string"), and then the parser is in the same state there as at the start
    of the second half.  Any error in either half, or no cut, returns ``None``: the caller parses
    ``buf`` whole (and reports its error as always).  Categories are united (sorted, as the parser
    sorts them), so the frame equals the whole parse.
    """
    arr = np.frombuffer(buf, dtype=np.uint8)
    mid = len(buf) // 2
    window = arr[mid:mid + (1 << 20)]
    nl = np.flatnonzero(window == 10)
    parity = buf.count(b'"', 0, mid) + np.cumsum(window == 34)[nl] if len(nl) else nl
    even = nl[(parity % 2) == 0] if len(nl) else nl
    if not len(even):
        return None
    cut = mid + int(even[0]) + 1
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            halves = list(pool.map(lambda part: _parse_block(part, delimiter, width, cols, dtype).iloc[1:],
                                   (memoryview(buf)[:cut], memoryview(buf)[cut:])))
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, MemoryError, OverflowError):
        return None
    first, second = halves
    out = {}
    for c in first.columns:
        a, b = first[c], second[c]
        if isinstance(a.dtype, pd.CategoricalDtype):
            out[c] = _union_categorical(a.array, b.array)
        else:
            out[c] = pd.Series(np.concatenate([a.to_numpy(), b.to_numpy()]), dtype=a.dtype)
    return pd.DataFrame(out, copy=False)         # (no consolidation: the columns are fresh, and read apart)


def _union_categorical(a: pd.Categorical, b: pd.Categorical) -> pd.Categorical:
    """``a`` then ``b`` as one categorical whose categories are both's, sorted (as the C parser sorts them).

    >>> _union_categorical(pd.Categorical(["4", "2", None]), pd.Categorical(["5", "2"])).tolist()
    ['4', '2', nan, '5', '2']
    """
    cats = a.categories if a.categories.equals(b.categories) else a.categories.union(b.categories).sort_values()
    codes = []
    for part in (a, b):
        c = part.codes.astype(np.int64)
        if not part.categories.equals(cats):
            c = np.where(c < 0, -1, cats.get_indexer(part.categories)[c])
        codes.append(c)
    return pd.Categorical.from_codes(np.concatenate(codes), dtype=pd.CategoricalDtype(cats))


def _is_blank(v) -> bool:
    if v is None:
        return True
    if isinstance(v, str):
        return not v.strip()
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _file_bytes(path: str | Path, data: bytes | None) -> tuple[Path, bytes, str]:
    """The file's bytes (read unless given) and their :func:`sniff_kind`; an empty file is an error."""
    path = Path(path)
    if data is None:
        data = read_bytes(path)
    kind = sniff_kind(data)
    if kind == "empty":
        raise EmptyFileError(path, "the file is empty")
    return path, data, kind


def _split_headers(df: pd.DataFrame, lines: np.ndarray, header_rows: int, path) -> tuple[list[list[str]], pd.DataFrame, np.ndarray]:
    """Split the first ``header_rows`` records off as header rows (as ``str``)."""
    if len(df) < header_rows:
        raise EmptyFileError(path, f"the file has fewer than the {header_rows} header row(s) its format needs")
    headers = [["" if _is_blank(v) else str(v).strip() for v in df.iloc[i].tolist()] for i in range(header_rows)]
    data = df.iloc[header_rows:].reset_index(drop=True)
    data.columns = range(data.shape[1])
    return headers, data, lines[header_rows:]


def read_text_table(path: str | Path, *, header_rows=1, data: bytes | None = None,
                    encoding: str | None = None, delimiter: str | None = None, usecols=None,
                    sha256: str | None = None) -> Table:
    """Read a delimited text export into a :class:`Table`.

    ``header_rows`` is a number or a function of the first records (lists of ``str``)
    that returns the number (Qualtrics exports have 1, 2 or 3).  ``usecols`` is ``None``
    (all columns), a list of column positions, a pair (positions, positions to parse as
    categoricals), or a function of the header rows that returns one of these; the other
    columns are not parsed (speed), but the table's headers still list them all.
    """
    import hashlib

    path, data, kind = _file_bytes(path, data)
    if kind in WORKBOOK_KINDS:
        raise FormatDetectionError(path, "this is a spreadsheet workbook, not delimited text")
    if kind in ("sav", "por"):
        raise FormatDetectionError(path, "this is an SPSS file, not delimited text")
    buf, enc, validated = to_utf8(data, path, encoding)
    if b"\x00" in buf:
        line = buf.count(b"\n", 0, buf.index(b"\x00")) + 1
        raise FormatDetectionError(path, "the file holds NUL bytes: it is binary, not delimited text", row=line)
    if not _NOT_SPACE.search(buf):
        raise EmptyFileError(path, "the file is empty")
    if b"\r" in buf and _LONE_CR.search(buf):   # old Mac line ends
        buf = buf.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    first64 = buf[:64].decode("utf-8", errors="replace")
    delimiter = delimiter or hinted_delimiter(first64)
    hint = sep_hint(first64, path, delimiter)
    if hint:                                    # Excel's "sep=," line: left blank, so the header stays on line 2
        buf = buf[len(first64[:hint].encode()):]
    head_text = buf[:_HEAD_BYTES].decode("utf-8", errors="replace")
    delimiter = check_delimiter(head_text, path, delimiter)
    records, ends, lines = _head_records(buf, delimiter, 8)
    if not records:
        raise EmptyFileError(path, "the file is empty")
    if callable(header_rows):
        header_rows = header_rows(records)
    if len(records) < header_rows:
        raise EmptyFileError(path, f"the file has fewer than the {header_rows} header row(s) its format needs")
    width = max(len(r) for r in records[:header_rows])
    _check_data_delimiter(records[header_rows:], lines[header_rows:], width, delimiter, path)
    headers = [[str(v).strip() for v in r] + [""] * (width - len(r)) for r in records[:header_rows]]
    categorical = ()
    if callable(usecols):
        usecols = usecols(headers)
    if isinstance(usecols, tuple):   # (columns, columns to parse as categoricals)
        usecols, categorical = usecols
    body_start = int(ends[header_rows - 1]) + 1
    first_line = buf.count(b"\n", 0, body_start) + 1
    try:
        df, body_lines = parse_delimited(buf[body_start:], path, delimiter=delimiter, width=width,
                                         usecols=usecols, first_line=first_line, categorical=categorical)
    except UnicodeDecodeError:
        if validated:
            raise EncodingError(path, "the file does not decode as UTF-8 after re-encoding") from None
        text, enc = decode_bytes(data, path, encoding)   # raises EncodingError naming the line
        buf = text.encode("utf-8")
        del text
        if b"\r" in buf and _LONE_CR.search(buf):
            buf = buf.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        table = read_text_table(path, header_rows=header_rows, data=buf, encoding="utf-8", delimiter=delimiter,
                                usecols=(usecols, categorical), sha256=sha256 or hashlib.sha256(data).hexdigest())
        table.encoding = enc                             # the source's encoding, not that of the re-encoded bytes
        table.extra["guessed_encoding"] = encoding is None
        refuse_doubtful_headers(table)
        return table
    if len(df) == 0:
        raise EmptyFileError(path, "the file has a header but no response", row=int(lines[header_rows - 1]))
    table = Table(path=path, headers=headers, data=df, lines=body_lines,
                  sha256=sha256 or hashlib.sha256(data).hexdigest(), encoding=enc,
                  extra={"delimiter": delimiter, "guessed_encoding": encoding is None})
    refuse_doubtful_headers(table)
    return table


def read_xlsx_table(path: str | Path, *, header_rows=1, data: bytes | None = None,
                    sha256: str | None = None, encoding=None, usecols=None) -> Table:
    """Read a workbook's sheet (:func:`~iur_survey.read.workbook.load_sheet` chooses it) into a :class:`Table`
    (``header_rows`` as in :func:`read_text_table`); ``extra["sheet"]`` is the
    :class:`~iur_survey.read.workbook.SheetRead` (its name, hidden rows and columns, warnings)."""
    import hashlib

    path, data, kind = _file_bytes(path, data)
    if kind not in WORKBOOK_KINDS:
        raise FormatDetectionError(path, "not a spreadsheet workbook (.xlsx, .xls, .xlsb or .ods)")
    grid, numbers, info = read_workbook_sheet(path, data, keep=False)
    if grid.size == 0:
        raise EmptyFileError(path, f"the workbook's sheet {info.name!r} is empty")
    rows = grid[:8].tolist()
    df = pd.DataFrame(grid, dtype=object, copy=False)
    lines = np.asarray(numbers, dtype=np.int64)
    if callable(header_rows):
        header_rows = header_rows(rows[:8])
    headers, body, body_lines = _split_headers(df, lines, header_rows, path)
    if len(body) == 0:
        raise EmptyFileError(path, "the sheet has a header but no response", row=int(lines[-1]))
    return Table(path=path, headers=headers, data=body, lines=body_lines,
                 sha256=sha256 or hashlib.sha256(data).hexdigest(), encoding=None, extra={"sheet": info})


def read_table(path: str | Path, *, header_rows=1, data: bytes | None = None, encoding: str | None = None,
               delimiter: str | None = None, usecols=None) -> Table:
    r"""A text or workbook export as a :class:`Table`, whichever the bytes are.

    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "x.csv")
    ...     _ = open(p, "wb").write(b"\xef\xbb\xbfid,q1\r\n1,3\r\n\r\n2,4\r\n")
    ...     t = read_table(p)
    >>> t.encoding, t.headers, t.data.values.tolist(), t.lines.tolist()
    ('utf-8-sig', [['id', 'q1']], [['1', '3'], ['2', '4']], [2, 4])
    """
    if data is None:
        data = read_bytes(path)
    if sniff_kind(data) in WORKBOOK_KINDS:
        return read_xlsx_table(path, header_rows=header_rows, data=data, usecols=usecols)
    return read_text_table(path, header_rows=header_rows, data=data, encoding=encoding, delimiter=delimiter,
                           usecols=usecols)
