"""LimeSurvey response exports (CSV or XLSX from "Export responses").

LimeSurvey heads its columns with the question codes (``id, submitdate, lastpage,
startlanguage, seed, startdate, datestamp, ipaddr, ..., Q1[SQ001]``), with the full
question text (``Response ID, Date submitted, Last page, ..., <question> [<statement>]``)
or with both (``Q1[SQ001]. <question> [<statement>]``); all three are read.  Full-text
headings are in the survey's language: the German ones (``Antwort ID, Datum Abgeschickt,
Letzte Seite, Start-Sprache, Datum gestartet``) are known too; another language's export
is read as a plain CSV, whose empty submit dates then mark nothing: export with question
codes as headings (or map ``id`` and ``end_time`` in ``columns:`` with ``--format limesurvey``).  Answers are
answer codes (``A1``, ``AO01``...) or answer text: list the codes among the scale's
wordings.  A response whose ``submitdate`` is empty was not completed (``_finished`` is
False); ``interviewtime`` (when timings are recorded) is the duration, otherwise the
time from ``startdate`` to ``submitdate``.  A survey that records no date stamps writes
``1980-01-01 00:00:00`` as the submit date of every completed response: completed, at no
known time (``_submitted`` NaT, so duplicates keep file order).
"""

from __future__ import annotations

import re

import pandas as pd

from .assemble import read_tabular
from .base import RawResponses
from .match import Column

_CODE_HEADS = {"id", "submitdate", "lastpage", "startlanguage"}
#: the full-text headings of the first columns, by export language (LimeSurvey translates them)
_TEXT_HEADS = ({"Response ID", "Date submitted", "Last page", "Start language"},
               {"Antwort ID", "Datum Abgeschickt", "Letzte Seite", "Start-Sprache"})
_BOTH = re.compile(r"^([A-Za-z][A-Za-z0-9_]*(?:\[[^\]]*\])*)\.\s+(.*)$", re.S)
ID_ALIASES = ["id", "Response ID", "Antwort ID", "ResponseId", "response_id"]
#: the submitdate LimeSurvey writes for a completed response of a survey that records no date stamps
NO_DATESTAMP = pd.Timestamp("1980-01-01 00:00:00")


def looks_like_limesurvey(records: list[list]) -> bool:
    """Whether the header row is a LimeSurvey one (codes, text, or ``code. text``).

    >>> looks_like_limesurvey([["id", "submitdate", "lastpage", "startlanguage", "seed", "Q1[SQ001]"]])
    True
    >>> looks_like_limesurvey([["Antwort ID", "Datum Abgeschickt", "Letzte Seite", "Start-Sprache", "Frage 1"]])
    True
    """
    if not records:
        return False
    heads = {_split(str(h))[0] for h in records[0]} | {str(h).strip() for h in records[0]}
    return _CODE_HEADS <= heads or any(t <= heads for t in _TEXT_HEADS)


def _split(h: str) -> tuple[str, str]:
    """``"Q1[SQ001]. text [row]"`` -> (``"Q1[SQ001]"``, ``"text [row]"``); a plain header -> (header, "")."""
    h = h.strip()
    m = _BOTH.match(h)
    if m and m.group(2):
        return m.group(1), m.group(2)
    return h, ""


def _columns(headers: list[list[str]]) -> list[Column]:
    return [Column(i, *_split(str(h))) for i, h in enumerate(headers[0])]


def read_limesurvey(path, instrument, *, strict: bool = False, data: bytes | None = None,
                    encoding: str | None = None) -> RawResponses:
    """Read a LimeSurvey response export into the standard frame."""
    raw = read_tabular(path, instrument, "limesurvey", _columns, strict=strict, data=data, encoding=encoding,
                       id_aliases=ID_ALIASES)
    if "_finished" not in raw.column_map.values() and "_submitted" in raw.column_map.values():
        raw.frame["_finished"] = pd.array(raw.frame["_submitted"].notna().to_numpy(), dtype="boolean")
        sub = next(h for h, t in raw.column_map.items() if t == "_submitted")
        raw.column_map[f"{sub} (empty = not completed)"] = "_finished"
    if "_submitted" in raw.frame.columns:   # a survey without date stamps: completed, at no known time
        placeholder = raw.frame["_submitted"] == NO_DATESTAMP
        if placeholder.any():
            raw.frame.loc[placeholder, "_submitted"] = pd.NaT
    return raw
