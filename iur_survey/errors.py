"""Typed errors of iur-survey.

Every error about bad input names where the problem is: the file, the
1-based row (the line number in a text file, the sheet row in a workbook)
and the column (as the export spells its header).  ``str(err)`` gives one
line ``file:row:column: message`` that the CLI prints without a traceback.

>>> err = UnknownLabelError("x.csv", "bad label 'Maybe'", row=5, column="Q5_1")
>>> str(err)
"x.csv:5:Q5_1: bad label 'Maybe'"
"""

from __future__ import annotations

import re
from pathlib import Path

#: an e-mail address (masked in messages; refused as a response id by the reader)
EMAIL = re.compile(r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
#: personal-data patterns a quoted cell must never carry into a message, a ledger detail or stderr,
#: in the order they are masked (most specific first)
_PII_PATTERNS = (
    ("<e-mail>", EMAIL),
    ("<ip>", re.compile(r"(?<![\w.:])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\w.])")),
    ("<ip>", re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}(?![\w:])"
                        r"|(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){1,6}:(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,5})?(?![\w:])")),
    ("<id-number>", re.compile(r"(?<![\w.])\d{17}[\dXx](?![\w.])")),
    ("<phone>", re.compile(r"(?<![\w.:])\+?\d(?:[ ()-]{0,2}\d){8,14}(?![\w.:])")),   # not a date-time
)

_DIGIT_RUN = re.compile(r"\d{4}")


def mask_pii(text: object) -> str:
    """``text`` with e-mail addresses, IP addresses, ID numbers and phone numbers masked.

    Every message that quotes a cell goes through it (typed errors do so themselves; the
    exclusion ledger's ``detail`` too), so none of these reaches stderr, the ledger or the book.
    A name has no pattern: an error that quotes the cell it is wrong about (an unknown role
    "Other: Zhang Wei") shows it on stderr, where the analyst needs it to find the cell; no
    output file carries such a cell (the ledger quotes no free text, and the reader refuses a
    status or a label it does not know before anything is written).

    >>> mask_pii("Other: someone@example.org, 13812345678")
    'Other: <e-mail>, <phone>'
    >>> mask_pii("from 10.1.2.3 / 2001:db8::7, id 11010519491231002X, tel +86 (24) 8765-4321")
    'from <ip> / <ip>, id <id-number>, tel <phone>'
    >>> mask_pii("row 12: 'Strongly agree' at 10:15:32, value 1e300, 0.123456789, frequencies [0 17 80 107 80]")
    "row 12: 'Strongly agree' at 10:15:32, value 1e300, 0.123456789, frequencies [0 17 80 107 80]"
    """
    text = str(text)
    for token, pattern in _PII_PATTERNS:
        if token == "<phone>":      # a phone has a run of 4+ digits; "[0 17 80 107 80]" (counts) is not one
            text = pattern.sub(lambda m: token if _DIGIT_RUN.search(m.group()) else m.group(), text)
        else:
            text = pattern.sub(token, text)
    return text


#: the words :func:`personal_kind` names each masked kind by
_PII_KINDS = {"<e-mail>": "an e-mail address", "<ip>": "an IP address", "<id-number>": "an ID-card number",
              "<phone>": "a phone number"}
#: a bare digit run read as a phone number: a Chinese mobile number (11 digits from 13...-19..., with or without
#: 86); other bare runs are platform ids as often (SurveyMonkey's 12-digit respondent ids)
_BARE_MOBILE = re.compile(r"(?:\+?86)?1[3-9]\d{9}")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _resident_id(text: str) -> bool:
    """Whether an 18-character ``text`` is a Chinese resident ID number: a birth date 19xx/20xx in digits 7-14 and
    the ISO 7064 MOD 11-2 check character (a random 18-digit platform id rarely passes both)."""
    import datetime as _dt
    try:
        _dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return False
    if text[6:8] not in ("19", "20"):
        return False
    check = "10X98765432"[sum(int(d) * w for d, w in zip(text[:17], _ID_WEIGHTS)) % 11]
    return text[17].upper() == check


def personal_kind(text: object) -> str | None:
    """What personal data ``text`` holds, by the patterns :func:`mask_pii` masks ("an e-mail address", "an IP
    address", "an ID-card number", "a phone number"), or ``None``.  The reader refuses a response id that holds
    any (ids are written to the clean data and the ledger).

    Stricter than the masking, which may hide a harmless number: an ID number must have a valid birth date and
    check character, and a bare run of digits is a phone number only as a Chinese mobile number (a phone
    written with ``+`` or separators is one in any country).

    >>> [personal_kind(x) for x in ("li.na@example.com", "221.166.225.228", "+86 138 1003 5003", "18076241578")]
    ['an e-mail address', 'an IP address', 'a phone number', 'a phone number']
    >>> [personal_kind(x) for x in ("177-1285-1320", "11010519491231002X", "R_3kT9a0Bc1dE2fG", "114047938547", "17")]
    ['a phone number', 'an ID-card number', None, None, None]
    """
    text = str(text).strip()
    for token, pattern in _PII_PATTERNS:
        for m in pattern.finditer(text):
            hit = m.group()
            if token == "<id-number>" and not _resident_id(hit):
                continue
            if token == "<phone>":
                if not _DIGIT_RUN.search(hit):
                    continue
                if hit.isdigit() and not _BARE_MOBILE.fullmatch(hit):
                    continue
            return _PII_KINDS[token]
    return None


class IURSurveyError(Exception):
    """Base class of every error iur-survey raises on purpose (its message is PII-masked)."""

    def __init__(self, file: str | Path | None, message: str, *, row: int | None = None,
                 column: str | None = None):
        self.file = None if file is None else str(file)
        self.row = row
        self.column = None if column is None else mask_pii(column)
        self.message = mask_pii(message)
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = [p for p in (self.file, self.row, self.column) if p is not None]
        prefix = ":".join(str(p) for p in where)
        return f"{prefix}: {self.message}" if prefix else self.message


class InstrumentError(IURSurveyError):
    """The instrument (codebook) YAML is malformed or inconsistent."""


class InstrumentMovedError(InstrumentError):
    """The instrument a results file records (``fit --instrument``) is not there: data is not read with another
    one in its place."""


class ReadError(IURSurveyError):
    """An export cannot be read as it stands."""


class EncodingError(ReadError):
    """The file's bytes decode in none of the accepted encodings."""


class EmptyFileError(ReadError):
    """The file is empty or holds a header but no response."""


class DelimiterError(ReadError):
    """The file is not delimited as its format requires (e.g. ';' instead of ',')."""


class FormatDetectionError(ReadError):
    """The export's layout matches none of the known formats."""


class MissingColumnError(ReadError):
    """A column the instrument requires is absent from the export."""


class DuplicateColumnError(ReadError):
    """Two columns of the export map to the same header or item code."""


class UnknownLabelError(ReadError):
    """A cell holds a response label that the instrument does not define."""


class OutOfRangeError(ReadError):
    """A numeric response code lies outside the instrument's scale."""


class ModelSyntaxError(IURSurveyError):
    """The lavaan model syntax cannot be parsed or names unknown variables."""


class EstimationError(IURSurveyError):
    """The model cannot be estimated at all (as opposed to a warning on a fit)."""


class DataError(EstimationError):
    """The data cannot be fitted as they stand (a blank, constant or non-finite column, missing-value codes,
    variables never observed together); names the column and, where one is to blame, the row."""


class ClusterError(IURSurveyError, ValueError):
    """The Dask scheduler given cannot run the work: not an address, unreachable, without workers, or its
    workers cannot import iur_survey (the address is the error's "file", so that it is shown unmasked)."""


class PowerInputError(IURSurveyError, ValueError):
    """The inputs of an analytic power analysis are out of range or contradictory (e.g. rmsea0 == rmseaA, df = 0)."""


class NoRowsKeptError(IURSurveyError):
    """Cleaning excluded every response: there is nothing to analyse (never a silent empty result)."""


class TooFewRowsError(IURSurveyError):
    """Cleaning kept too few responses for the analysis asked for (e.g. the book's models)."""


class BookInputError(IURSurveyError):
    """The book's export cannot be analysed: it cannot be read, cleaning kept no or too few responses, the
    instrument lacks a construct of the study's model, or the measurement or structural model did not converge
    (the message is the failed step's one line, with the file, row and column)."""


def no_rows_kept_message(report: dict) -> str:
    """The one line :class:`NoRowsKeptError` says, from a cleaning report's counts.

    >>> no_rows_kept_message({"n_raw": 3, "excluded_by_primary_rule": {"status": 1, "unfinished": 2, "irv": 0}})
    'no response kept: all 3 raw rows were excluded (unfinished 2, status 1); see the exclusion rules and --config'
    """
    by = sorted(((k, v) for k, v in (report.get("excluded_by_primary_rule") or {}).items() if v),
                key=lambda kv: -kv[1])
    counts = ", ".join(f"{k} {v}" for k, v in by)
    return (f"no response kept: all {report.get('n_raw', 0)} raw rows were excluded"
            + (f" ({counts})" if counts else "") + "; see the exclusion rules and --config")
