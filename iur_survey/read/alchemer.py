"""Alchemer (formerly SurveyGizmo) response exports (CSV, or the Excel file of the same table).

The header row starts with ``Response ID``, ``Time Started``, ``Date Submitted``, ``Status``, then
``Contact ID``, ``Legacy Comments``, ``Comments``, ``Language``, ``Referer``, ``SessionID``, ``User Agent``,
``Tags``, ``IP Address``, ``Longitude``, ``Latitude``, ``Country``, ``City``, ``State/Region``, ``Postal``,
and the questions (a grid's rows as ``<row>:<question>``).  ``Status`` is Alchemer's, not
Qualtrics': ``Complete``, ``Partial`` (the respondent left before the end) or ``Disqualified`` (screened
out by the survey's logic).  Only Complete responses are finished; the others are unfinished and the
``unfinished`` rule's ledger names their status.  Another status is refused.

Alchemer marks the responses recorded while testing the survey (its API's ``is_test_data``, "Test Data"
in its reports).  An export holding such a column (``is_test_data``, ``Test Data``) has each true
(``1``, ``true``, ``yes``) row read as a test response: its ``_status`` names the column and the value
(``"Test Data = 1 (test response)"``), and the ``status`` rule excludes it with that reason in the
ledger.  A value that is neither true nor false (nor blank) is refused, naming the row.
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
#: the headers of Alchemer's test-data marker (compared stripped and in lower case)
TEST_DATA_HEADERS = ("is_test_data", "test data", "test_data", "is test data")
_TRUE, _FALSE = {"1", "1.0", "true", "yes"}, {"0", "0.0", "false", "no", ""}


def status_of_test_data(values, header: str, lines, path) -> np.ndarray:
    """The ``_status`` of each row from Alchemer's test-data column: ``"<header> = <cell> (test response)"``
    for a test response, ``None`` otherwise; a cell that is no true/false value is refused.

    >>> status_of_test_data(["0", "1", "", "true"], "Test Data", [2, 3, 4, 5], "a.csv").tolist()
    [None, 'Test Data = 1 (test response)', None, 'Test Data = true (test response)']
    """
    out = np.full(len(values), None, dtype=object)
    for k, v in enumerate(values):
        s = cell_text(v)
        if s.lower() in _TRUE:
            out[k] = f"{header} = {s} (test response)"
        elif s.lower() not in _FALSE:
            raise ReadError(path, f"{s[:40]!r} is no true/false value of Alchemer's test-data marker",
                            row=int(lines[k]), column=header)
    return out


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
    raw, texts, test_data = read_tool_export(
        path, instrument, "alchemer", "Status", "an Alchemer", "Response ID, Time Started, Date Submitted, Status",
        "Response ID", STATUSES, f"is none of Alchemer's ({kinds}): whether the response is complete would be "
        f"a guess", strict=strict, data=data, encoding=encoding,
        keep=lambda h: h.strip().lower() in TEST_DATA_HEADERS)
    finished = np.zeros(len(texts), dtype=bool)
    note = np.full(len(texts), None, dtype=object)
    for k, s in enumerate(texts):
        finished[k] = STATUSES[s.lower()]
        if not finished[k]:
            note[k] = f"Status = {s}"
    raw.frame["_finished"] = pd.array(finished, dtype="boolean")
    raw.column_map = {**raw.column_map, "Status (Complete)": "_finished"}
    raw.completion_note, raw.answered_later = note, None
    if test_data is not None:
        _read_test_data(raw, *test_data)
    return raw


def _read_test_data(raw: RawResponses, header: str, cells, lines) -> None:
    """Read Alchemer's test-data marker into ``_status`` (see the module docstring)."""
    import warnings

    status = status_of_test_data(cells, header, lines, raw.source)
    raw.frame["_status"] = pd.array(status, dtype="string")
    raw.column_map = {**raw.column_map, header: "_status"}
    raw.dropped_columns = [h for h in raw.dropped_columns if h != header]
    k = int(sum(s is not None for s in status))
    if k:
        note = f"{header}: {k} test response(s) (Alchemer's test data; the status rule excludes them)"
        raw.warnings = [*raw.warnings, note]
        warnings.warn(f"{raw.source}: {note}", UserWarning, stacklevel=3)
