"""Qualtrics exports (CSV or XLSX): export tags, question text, ImportIds.

A current Qualtrics export has three header rows: the export tags (``StartDate``, ...,
``ResponseId``, ..., ``Q1``, ``Q5_1``), the question text (matrix items as
``"<question> - <statement>"``) and ``{"ImportId":"QID5_1"}``.  Legacy exports have the
first two only, and analysts often delete rows 2-3; all three layouts are read.  Items
are found by export tag (when the tags are the item codes), by the instrument's
``columns:`` map (tag or ImportId) or by the statement's wording (English or Chinese).
"""

from __future__ import annotations

import datetime as _dt

import pandas as pd

from .assemble import assemble
from .base import RawResponses
from .match import Column, import_id, match_columns
from .recode import _blank, _number, is_role_column, parse_duration
from .source import read_table

#: export tags that only a Qualtrics export has together
QUALTRICS_TAGS = ("StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)", "Finished",
                  "RecordedDate", "ResponseId", "ResponseID", "RecipientLastName", "RecipientFirstName",
                  "RecipientEmail", "ExternalReference", "ExternalDataReference", "LocationLatitude",
                  "LocationLongitude", "DistributionChannel", "UserLanguage")
_DATE_TAGS = ("StartDate", "EndDate", "RecordedDate")


def looks_like_qualtrics(records: list[list]) -> bool:
    """Whether the first records of an export are a Qualtrics header.

    >>> looks_like_qualtrics([["StartDate", "EndDate", "ResponseId", "Q1"], ["Start Date", "End Date", "Response ID", "Role"]])
    True
    >>> looks_like_qualtrics([["ResponseId", "role", "Status", "Finished", "GOV1"]])
    False
    """
    if not records:
        return False
    if len(records) >= 3 and any(import_id(c) for c in records[2][:5]):
        return True
    tags = {str(h).strip() for h in records[0]}
    return ({"StartDate", "EndDate"} <= tags and bool(tags & {"ResponseId", "ResponseID"})) or \
        len(tags & set(QUALTRICS_TAGS)) >= 8


def header_rows(df: pd.DataFrame) -> int:
    """How many header rows a Qualtrics export has (3, 2 or 1)."""
    n = len(df)
    if n >= 3 and any(import_id(v) for v in df.iloc[2].tolist()[:8]):
        return 3
    if n < 2:
        return 1
    tags = [str(v).strip() for v in df.iloc[0].tolist()]
    second = df.iloc[1].tolist()
    for tag in _DATE_TAGS:
        if tag in tags:
            v = second[tags.index(tag)]
            if _blank(v):
                continue
            if isinstance(v, (_dt.datetime, pd.Timestamp)):
                return 1
            return 1 if _parses_as_date(str(v)) else 2
    if "Finished" in tags:
        v = second[tags.index("Finished")]
        return 1 if str(v).strip().lower() in ("true", "false", "1", "0", "1.0", "0.0") else 2
    if "Duration (in seconds)" in tags:
        v = second[tags.index("Duration (in seconds)")]
        return 1 if _number(v) is not None else 2
    return 1


def _parses_as_date(s: str) -> bool:
    try:
        pd.Timestamp(s)
        return True
    except (ValueError, TypeError, OverflowError):
        return False


def read_qualtrics(path, instrument, *, strict: bool = False, data: bytes | None = None,
                   encoding: str | None = None) -> RawResponses:
    """Read a Qualtrics CSV or XLSX export into the standard frame."""
    table = read_table(path, header_rows=header_rows, data=data, encoding=encoding)
    tags = table.headers[0]
    texts = table.headers[1] if len(table.headers) >= 2 else [""] * len(tags)
    ids = [import_id(v) for v in table.headers[2]] if len(table.headers) >= 3 else [""] * len(tags)
    columns = [Column(i, tags[i], texts[i], ids[i]) for i in range(len(tags))]
    plan = match_columns(columns, instrument, table.path,
                         role_by_answers=lambda c: is_role_column(table.data[c.index], instrument))
    return assemble(table, plan, instrument, "qualtrics", strict=strict)


__all__ = ["read_qualtrics", "looks_like_qualtrics", "header_rows", "parse_duration"]
