"""SurveyMonkey exports (CSV or XLSX, "all responses data", expanded or condensed).

Two header rows: row 1 holds ``Respondent ID, Collector ID, Start Date, End Date, IP
Address, Email Address, First Name, Last Name, Custom Data 1`` and then each question's
text, written once above its first column; row 2 is blank over the metadata and says
``Response`` / ``Open-Ended Response`` under a single question, or names the statement
(matrix row) or choice under each column of a matrix or multi-answer question.  A column
is matched by ``"<question> - <statement>"`` (or the question alone), by the statement
(item wording) or by the instrument's ``columns:`` map.  The duration is the time
between ``Start Date`` and ``End Date``; SurveyMonkey exports no status or finished flag.

Older exports write ``RespondentID, CollectorID, StartDate, EndDate``; a published copy often keeps only
the respondent id, or none, of the metadata columns.  Such a file is still known by its second header
row: ``Response`` / ``Open-Ended Response`` under at least two questions (a plain export's first data
row never holds that word twice), which would otherwise be read as a respondent's answers.
"""

from __future__ import annotations

from .assemble import read_tabular
from .base import RawResponses
from .match import Column

#: row-1 headers only a SurveyMonkey export has together
SURVEYMONKEY_COLUMNS = ("Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address")
#: the same in SurveyMonkey's older exports
OLD_COLUMNS = ("RespondentID", "CollectorID", "StartDate", "EndDate")
_GENERIC = {"response", "open-ended response", "responses", "open ended response", ""}
#: what SurveyMonkey writes in row 2 under a question answered in one column
_SUB_HEADER = {"response", "open-ended response"}
ID_ALIASES = ["Respondent ID", "RespondentID", "ResponseId", "response_id"]


def looks_like_surveymonkey(records: list[list]) -> bool:
    """Whether the first records are a SurveyMonkey header.

    >>> looks_like_surveymonkey([["Respondent ID", "Collector ID", "Start Date", "End Date", "Q"], ["", "", "", "", "Response"]])
    True
    >>> looks_like_surveymonkey([["RespondentID", "CollectorID", "StartDate", "EndDate", "Q"], ["", "", "", "", "Response"]])
    True
    >>> looks_like_surveymonkey([["RespondentID", "Seen?", "Fan?", "Rate:", ""], ["", "Response", "Response", "Han", "Leia"]])
    True
    >>> looks_like_surveymonkey([["id", "Seen?", "Fan?"], ["1", "Response", "Yes"]])
    False
    """
    if not records:
        return False
    heads = {str(h).strip() for h in records[0]}
    if {"Respondent ID", "Collector ID"} <= heads or {"RespondentID", "CollectorID"} <= heads:
        return True
    return len(records) > 1 and _sub_header(records[0], records[1])


def _sub_header(top: list, sub: list) -> bool:
    """Whether ``sub`` is SurveyMonkey's second header row: ``Response`` (``Open-Ended Response``) under two
    or more questions of ``top``."""
    n = sum(1 for i, s in enumerate(sub)
            if str(s).strip().lower() in _SUB_HEADER and i < len(top) and str(top[i]).strip())
    return n >= 2


def _columns(headers: list[list[str]]) -> list[Column]:
    top = headers[0]
    sub = headers[1] if len(headers) > 1 else [""] * len(top)
    out, question = [], ""
    for i, h in enumerate(top):
        h = str(h).strip()
        s = str(sub[i]).strip() if i < len(sub) else ""
        if h:
            question = h
        if h in SURVEYMONKEY_COLUMNS or h in OLD_COLUMNS or (h and not s):
            out.append(Column(i, h))
        elif s.lower() in _GENERIC:
            out.append(Column(i, question))
        else:   # a matrix row or a choice under the question
            out.append(Column(i, f"{question} - {s}" if question else s, s))
    return out


def read_surveymonkey(path, instrument, *, strict: bool = False, data: bytes | None = None,
                      encoding: str | None = None) -> RawResponses:
    """Read a SurveyMonkey CSV or XLSX export into the standard frame."""
    return read_tabular(path, instrument, "surveymonkey", _columns, strict=strict, data=data, encoding=encoding,
                        header_rows=2, id_aliases=ID_ALIASES)
