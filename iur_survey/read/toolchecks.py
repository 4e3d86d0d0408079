"""The quality indicators survey tools write into their own exports.

Some tools judge each response themselves and write the verdict beside the answers:

=============================  ============  ======================================================
export header                  tool          what it holds (the tool's documentation)
=============================  ============  ======================================================
``Q_RecaptchaScore``           Qualtrics     bot detection, a reCAPTCHA v3 score from 0 to 1: below
                                             0.5 likely a bot, 0.5 or more likely a human
``Q_RelevantIDFraudScore``     Qualtrics     RelevantID fraud score, 0-100: 30 or more likely fraud
``Q_RelevantIDDuplicate``      Qualtrics     RelevantID: ``true`` when the device answered the survey
                                             before
``Q_RelevantIDDuplicateScore`` Qualtrics     RelevantID duplicate score, 0-100: 75 or more likely a
                                             duplicate
``Q_BallotBoxStuffing``        Qualtrics     "prevent multiple submissions" set to flag: ``true``
                                             when the browser's cookie says it submitted before
``Q_DuplicateRespondent``      Qualtrics     duplicate detection: ``true`` for a repeat respondent
``TIME_RSI``                   SoSci Survey  relative speed index (the sample's typical time over the
                                             respondent's): above 2.0 suspicious
``DEG_TIME``                   SoSci Survey  degradation points for answering too fast: above 100
                                             meaningless data
=============================  ============  ======================================================

A reader keeps these columns' values in :attr:`~iur_survey.read.base.RawResponses.tool_checks` (header
-> float array, ``NaN`` for a blank cell; ``true``/``false`` as 1/0), never as answers: they are no
item, and they stay out of the clean data like every other dropped column.  A value the column cannot
hold (a score outside its range, a word that is no boolean) is refused, naming the row and the column:
a score on another scale would give the wrong verdict without a word (the reCAPTCHA score is held to 0-1;
the RelevantID scores only to not negative: every value at or above their cut-offs reads the same).
Qualtrics retired RelevantID on 30 June 2025: later responses hold its fields' default values (no
score, nothing flagged), and ``Q_DuplicateRespondent`` (``true`` for a likely duplicate) replaces them.  ``Q_RelevantIDLastStartDate``
(when the duplicate device last started the survey) is a date the cleaning does not judge, and is
dropped as before.

The cleaning reads them as *flags* (:mod:`iur_survey.clean.rules`: ``tool_bot``, ``tool_speed``,
``tool_duplicate``), never as hard exclusions: each is a probability or a device match (a shared
computer, a household's one browser), not a fact about the record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..errors import ReadError
from .base import cell_text


@dataclass(frozen=True)
class ToolCheck:
    """One quality column a survey tool writes: its header, the tool, the kind of value and its range."""

    header: str
    tool: str
    kind: str                   # "score" (a number in [low, high]) or "boolean"
    low: float = 0.0
    high: float = float("inf")
    meaning: str = ""


#: every tool-quality column read, by its exact export header (the tools' own spellings)
TOOL_CHECKS: dict[str, ToolCheck] = {c.header: c for c in (
    ToolCheck("Q_RecaptchaScore", "Qualtrics", "score", 0.0, 1.0, "reCAPTCHA v3 bot score"),
    ToolCheck("Q_RelevantIDFraudScore", "Qualtrics", "score", 0.0, float("inf"), "RelevantID fraud score"),
    ToolCheck("Q_RelevantIDDuplicate", "Qualtrics", "boolean", meaning="RelevantID duplicate device"),
    ToolCheck("Q_RelevantIDDuplicateScore", "Qualtrics", "score", 0.0, float("inf"), "RelevantID duplicate score"),
    ToolCheck("Q_BallotBoxStuffing", "Qualtrics", "boolean", meaning="submitted before from this browser"),
    ToolCheck("Q_DuplicateRespondent", "Qualtrics", "boolean", meaning="duplicate respondent"),
    ToolCheck("TIME_RSI", "SoSci Survey", "score", 0.0, float("inf"), "relative speed index"),
    ToolCheck("DEG_TIME", "SoSci Survey", "score", 0.0, float("inf"), "degradation points for speed"),
)}
_TRUE = {"true", "1", "1.0", "yes"}
_FALSE = {"false", "0", "0.0", "no"}
_NUMBER = re.compile(r"^[-+]?(?:\d+[.,]?\d*|[.,]\d+)(?:[eE][-+]?\d+)?$")


def tool_check_columns(headers) -> dict[str, int]:
    """The tool-quality columns among ``headers`` (an export's first header row): header -> position.

    The tools' spellings only (a Qualtrics export tag is case-sensitive); a second column of one header
    is refused by the caller's matching as any repeated header is.

    >>> tool_check_columns(["ResponseId", "Q_RecaptchaScore", "Q1", "TIME_RSI", "q_recaptchascore"])
    {'Q_RecaptchaScore': 1, 'TIME_RSI': 3}
    """
    out: dict[str, int] = {}
    for i, h in enumerate(headers):
        h = str(h).strip().lstrip("\ufeff")
        if h in TOOL_CHECKS and h not in out:
            out[h] = i
    return out


def parse_tool_check(values, header: str, lines, path) -> np.ndarray:
    """A tool-quality column's cells as floats (``NaN`` blank; booleans 1/0), or :class:`ReadError`.

    >>> parse_tool_check(["0.9", "", "0.1", None], "Q_RecaptchaScore", [4, 5, 6, 7], "q.csv").tolist()
    [0.9, nan, 0.1, nan]
    >>> parse_tool_check(["true", "FALSE", "1", ""], "Q_RelevantIDDuplicate", [4, 5, 6, 7], "q.csv").tolist()
    [1.0, 0.0, 1.0, nan]
    >>> parse_tool_check(["45"], "Q_RecaptchaScore", [4], "q.csv")
    Traceback (most recent call last):
    ...
    iur_survey.errors.ReadError: q.csv:4:Q_RecaptchaScore: 45 is outside the reCAPTCHA v3 bot score's range (0 to 1): a score on another scale would give the wrong verdict; export the tool's own values
    """
    check = TOOL_CHECKS[header]
    out = np.full(len(values), np.nan)
    for k, v in enumerate(values):
        s = cell_text(v)
        if s == "":
            continue
        low = s.lower()
        if check.kind == "boolean":
            if low in _TRUE:
                out[k] = 1.0
            elif low in _FALSE:
                out[k] = 0.0
            else:
                raise ReadError(path, f"{s[:40]!r} is no true/false value of the {check.tool} field "
                                      f"{header} ({check.meaning})", row=int(lines[k]), column=header)
            continue
        if not _NUMBER.match(s):
            raise ReadError(path, f"{s[:40]!r} is not a number: {header} holds {check.tool}'s {check.meaning}",
                            row=int(lines[k]), column=header)
        x = float(s.replace(",", "."))
        if not (check.low <= x <= check.high):
            top = "" if check.high == float("inf") else f" to {check.high:g}"
            raise ReadError(path, f"{x:g} is outside the {check.meaning}'s range ({check.low:g}{top}): a score on "
                                  f"another scale would give the wrong verdict; export the tool's own values",
                            row=int(lines[k]), column=header)
        out[k] = x
    return out


def read_tool_checks(table, columns) -> dict[str, np.ndarray]:
    """The tool-quality columns of a read table (:class:`~iur_survey.read.source.Table`), parsed.

    ``columns``: the export's columns as ``(position, header)`` pairs (the matching's, so that the legacy
    Qualtrics layout's second-row names count); a column the matching took for an answer is not read here.
    Only the columns the table holds data for are read.
    """
    columns = list(columns)
    found = {h: columns[k][0] for h, k in tool_check_columns([h for _, h in columns]).items()}
    return {h: parse_tool_check(table.data[i].tolist(), h, table.lines, table.path)
            for h, i in found.items() if i in table.data.columns}
