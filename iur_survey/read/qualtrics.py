"""Qualtrics exports (CSV or XLSX): export tags, question text, ImportIds.

A current Qualtrics export has three header rows: the export tags (``StartDate``, ...,
``ResponseId``, ..., ``Q1``, ``Q5_1``), the question text (matrix items as
``"<question> - <statement>"``) and ``{"ImportId":"QID5_1"}``.  Legacy exports have the
first two only, and analysts often delete rows 2-3; all three layouts are read.  The
oldest exports (before 2017) name their metadata columns ``V1``...``V10`` in row 1 and
``ResponseID``, ``Status``, ``StartDate``... in row 2; the 2016 layout writes its third
row with single quotes (``{'ImportId': 'QID2-1'}``).  Both are read too.  Items
are found by export tag (when the tags are the item codes), by the instrument's
``columns:`` map (tag or ImportId) or by the statement's wording (English or Chinese).
"""

from __future__ import annotations

import datetime as _dt
import re

import pandas as pd

from .assemble import read_tabular
from .base import RawResponses
from .match import Column, import_id
from .recode import _blank, _number, parse_duration

#: export tags that only a Qualtrics export has together
QUALTRICS_TAGS = ("StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)", "Finished",
                  "RecordedDate", "ResponseId", "ResponseID", "RecipientLastName", "RecipientFirstName",
                  "RecipientEmail", "ExternalReference", "ExternalDataReference", "LocationLatitude",
                  "LocationLongitude", "DistributionChannel", "UserLanguage")
_DATE_TAGS = ("StartDate", "EndDate", "RecordedDate")
_V_TAG = re.compile(r"^V\d+$")
_DIGIT = re.compile(r"\d")


def is_legacy(records: list[list]) -> bool:
    """Whether the header is the legacy layout (``V1, V2, ...`` over ``ResponseID, ResponseSet, ...``).

    >>> is_legacy([["V1", "V2", "V3", "Q1"], ["ResponseID", "ResponseSet", "Name", "Pick one"]])
    True
    """
    if len(records) < 2 or len(records[0]) < 3:
        return False
    first = [str(v).strip().lstrip("\ufeff") for v in records[0][:3]]
    return first == ["V1", "V2", "V3"] and any(str(v).strip() in ("ResponseID", "ResponseId") for v in records[1])


def looks_like_qualtrics(records: list[list]) -> bool:
    """Whether the first records of an export are a Qualtrics header.

    >>> looks_like_qualtrics([["StartDate", "EndDate", "ResponseId", "Q1"], ["Start Date", "End Date", "Response ID", "Role"]])
    True
    >>> looks_like_qualtrics([["ResponseId", "role", "Status", "Finished", "GOV1"]])
    False
    """
    if not records:
        return False
    if is_legacy(records):
        return True
    if len(records) >= 3 and any(import_id(c) for c in records[2][:5]):
        return True
    tags = {str(h).strip() for h in records[0]}
    return ({"StartDate", "EndDate"} <= tags and bool(tags & {"ResponseId", "ResponseID"})) or \
        len(tags & set(QUALTRICS_TAGS)) >= 8


def header_rows(records: list[list]) -> int:
    """How many header rows a Qualtrics export has (3, 2 or 1), from its first records.

    >>> header_rows([["StartDate", "Q1"], ["Start Date", "Role"], ['{"ImportId":"startDate"}', '{"ImportId":"QID1"}']])
    3
    >>> header_rows([["StartDate", "Q1"], ["2023-01-01 10:00:00", "1"]])
    1

    A second row whose date, finished or duration cell holds a digit is a response, not the question-text row
    (whose cells there read "Start Date", "Finished", "Duration (in seconds)"), even when that date does not
    parse here: the reader reads it or names its cell, where taking the row for a header lost the response.

    >>> header_rows([["StartDate", "Q1"], ["Start Date", "Role"]]), header_rows([["StartDate", "Q1"], ["2024年1月5日", "1"]])
    (2, 1)
    >>> header_rows([["Finished", "Duration (in seconds)"], ["", "2分30秒"]])
    1
    """
    n = len(records)
    if n >= 3 and any(import_id(v) for v in list(records[2])[:8]):
        return 3
    if is_legacy(records):
        return 2
    if n < 2:
        return 1
    tags = [str(v).strip() for v in records[0]]
    second = list(records[1]) + [None] * max(0, len(tags) - len(records[1]))
    for tag in _DATE_TAGS:
        if tag in tags:
            v = second[tags.index(tag)]
            if _blank(v):
                continue
            if isinstance(v, (_dt.datetime, pd.Timestamp)):
                return 1
            return 1 if _parses_as_date(str(v)) or _DIGIT.search(str(v)) else 2
    if "Finished" in tags:
        v = second[tags.index("Finished")]
        if not _blank(v):
            return 1 if str(v).strip().lower() in ("true", "false", "1", "0", "1.0", "0.0") else 2
    if "Duration (in seconds)" in tags:
        v = second[tags.index("Duration (in seconds)")]
        if not _blank(v):
            return 1 if _number(v) is not None or _DIGIT.search(str(v)) else 2
    return 1


def _parses_as_date(s: str) -> bool:
    try:
        pd.Timestamp(s)
        return True
    except (ValueError, TypeError, OverflowError):
        return False


def _columns(headers: list[list[str]]) -> list[Column]:
    tags = headers[0]
    texts = headers[1] if len(headers) >= 2 else [""] * len(tags)
    if is_legacy(headers):   # V1..V10 are the metadata columns: row 2 names them
        tags = [texts[i] if _V_TAG.match(str(t).strip().lstrip("\ufeff")) and i < len(texts) else t
                for i, t in enumerate(tags)]
    ids = [import_id(v) for v in headers[2]] if len(headers) >= 3 else [""] * len(tags)
    return [Column(i, tags[i], texts[i] if i < len(texts) else "", ids[i] if i < len(ids) else "")
            for i in range(len(tags))]


def read_qualtrics(path, instrument, *, strict: bool = False, data: bytes | None = None,
                   encoding: str | None = None) -> RawResponses:
    """Read a Qualtrics CSV or XLSX export into the standard frame."""
    return read_tabular(path, instrument, "qualtrics", _columns, strict=strict, data=data, encoding=encoding,
                        header_rows=header_rows)


__all__ = ["read_qualtrics", "looks_like_qualtrics", "header_rows", "parse_duration"]
