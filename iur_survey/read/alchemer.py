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

from ..errors import MissingColumnError, ReadError
from .base import RawResponses, cell_text, first_row
from .match import IGNORED, Column

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


def _columns(headers: list[list[str]]) -> list[Column]:
    cols = [Column(i, str(h)) for i, h in enumerate(headers[0])]
    for c in cols:
        if c.header.strip() == "Status":
            c.how = IGNORED      # Alchemer's status, read here (no Qualtrics status)
        elif c.header.strip() == "Time Started":
            c.target, c.how = "_started", "metadata header"
    return cols


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
    from .assemble import _refuse_hxl_row, assemble
    from .match import match_columns
    from .recode import is_role_column
    from .source import read_table

    table = read_table(path, header_rows=1, data=data, encoding=encoding)
    _refuse_hxl_row(table)
    path = table.path
    heads = first_row(table.headers)
    if "Status" not in heads:
        raise MissingColumnError(path, "no Status column: not an Alchemer export (Response ID, Time Started, "
                                       "Date Submitted, Status ...)", row=1)
    plan = match_columns(_columns(table.headers), instrument, path, id_aliases=["Response ID"],
                         role_by_answers=lambda c: is_role_column(table.data[c.index], instrument))
    raw = assemble(table, plan, instrument, "alchemer", strict=strict)
    lines = table.lines
    cells = pd.Series(table.data[heads.index("Status")], dtype=object)
    finished = np.zeros(len(cells), dtype=bool)
    note = np.full(len(cells), None, dtype=object)
    for k, v in enumerate(cells):
        s = cell_text(v)
        if s.lower() not in STATUSES:
            raise ReadError(path, f"status {s[:40]!r} is none of Alchemer's ({', '.join(x.title() for x in STATUSES)}): "
                                  f"whether the response is complete would be a guess", row=int(lines[k]),
                            column="Status")
        finished[k] = STATUSES[s.lower()]
        if not finished[k]:
            note[k] = f"Status = {s}"
    raw.frame["_finished"] = pd.array(finished, dtype="boolean")
    raw.column_map = {**raw.column_map, "Status (Complete)": "_finished"}
    raw.completion_note, raw.answered_later = note, None
    return raw
