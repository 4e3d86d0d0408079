"""Alchemer (formerly SurveyGizmo) response exports (CSV, or the Excel file of the same table).

The header row starts with ``Response ID``, ``Time Started``, ``Date Submitted``, ``Status``, then
``Contact ID``, ``Legacy Comments``, ``Comments``, ``Language``, ``Referer``, ``SessionID``, ``User Agent``,
``Tags``, ``IP Address``, ``Longitude``, ``Latitude``, ``Country``, ``City``, ``State/Region``, ``Postal``,
and the questions (a grid's rows as ``<row>:<question>``).  ``Status`` is Alchemer's, not
Qualtrics': ``Complete``, ``Partial`` (the respondent left before the end) or ``Disqualified`` (screened
out by the survey's logic).  Only Complete responses are finished; the others are unfinished and the
``unfinished`` rule's ledger names their status.  Another status is refused.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ReadError
from .base import RawResponses, cell_text, first_row

#: the first columns of an Alchemer export
ALCHEMER_COLUMNS = ("Response ID", "Time Started", "Date Submitted", "Status")
#: Alchemer's statuses: status -> whether the response is finished
STATUSES = {"complete": True, "partial": False, "disqualified": False}


def looks_like_alchemer(records: list[list]) -> bool:
    """Whether the header row is an Alchemer one (it holds all of :data:`ALCHEMER_COLUMNS`).

    >>> looks_like_alchemer([["Response ID", "Time Started", "Date Submitted", "Status", "Contact ID"]])
    True
    """
    return set(ALCHEMER_COLUMNS) <= set(first_row(records))


def read_alchemer(path, instrument, *, strict: bool = False, data: bytes | None = None,
                  encoding: str | None = None) -> RawResponses:
    r"""Read an Alchemer export into the standard frame.

    >>> import tempfile, os
    >>> from iur_survey.instrument import load_instrument
    >>> inst = load_instrument()
    >>> head = ["Response ID", "Time Started", "Date Submitted", "Status", inst.role_question["en"], *inst.item_codes]
    >>> rows = [[str(k + 1), "2024-03-01 10:00:00", "2024-03-01 10:05:00" if s == "Complete" else "", s, "Enterprise"]
    ...         + ["4"] * 28 for k, s in enumerate(["Complete", "Partial", "Disqualified"])]
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "a.csv")
    ...     _ = open(p, "w").write("\n".join(",".join(r) for r in [head] + rows) + "\n")
    ...     raw = read_alchemer(p, inst)
    >>> raw.frame["_finished"].tolist(), raw.completion_note.tolist(), float(raw.frame.loc[0, "_duration"])
    ([True, False, False], [None, 'Status = Partial', 'Status = Disqualified'], 300.0)
    """
    from .assemble import read_tool_export

    kinds = ", ".join(x.title() for x in STATUSES)
    raw, texts = read_tool_export(path, instrument, "alchemer", "Status", "an Alchemer",
                                 "Response ID, Time Started, Date Submitted, Status", "Response ID", STATUSES,
                                 f"is none of Alchemer's ({kinds}): whether the response is complete would be "
                                 f"a guess", strict=strict, data=data, encoding=encoding)
    finished = np.zeros(len(texts), dtype=bool)
    note = np.full(len(texts), None, dtype=object)
    for k, s in enumerate(texts):
        finished[k] = STATUSES[s.lower()]
        if not finished[k]:
            note[k] = f"Status = {s}"
    raw.frame["_finished"] = pd.array(finished, dtype="boolean")
    raw.column_map = {**raw.column_map, "Status (Complete)": "_finished"}
    raw.completion_note, raw.answered_later = note, None
    return raw
