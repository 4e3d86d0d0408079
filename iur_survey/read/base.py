"""The contract every reader fulfils: :class:`RawResponses`.

A reader turns one export file into a standard frame, one row per raw row of
the export (nothing dropped, nothing reordered):

``response_id``  str, the export's own response id (Qualtrics ``ResponseId``,
                 Wenjuanxing ``序号``, the instrument's ``id_column`` otherwise)
``<group_column>`` canonical group key (``enterprise``, ...) or ``<NA>``
item codes       ``GOV1`` ... as float: the *raw* scale code the respondent chose
                 (NOT yet reverse-scored; :func:`iur_survey.scoring.reverse_score`
                 does that), ``NaN`` for no answer.  Numeric codes outside the scale
                 are kept as they are (the ``out_of_range`` cleaning rule sees them)
                 unless the reader runs with ``strict=True``, which raises
                 :class:`~iur_survey.errors.OutOfRangeError` instead.
attention cols   ``ATT1`` ... as float raw codes
``_row``         int, the 1-based row of the raw file this came from (line number
                 for text files, sheet row for workbooks, case number + 1 for .sav)
``_status``      str or NA: ``"IP Address"`` (an ordinary response), ``"Survey Preview"``,
                 ``"Survey Test"``, ``"Spam"``, ``"Imported"``, ``"Offline"``...
``_finished``    boolean (pandas ``boolean`` dtype, NA where unknown)
``_progress``    float 0-100 or NaN
``_duration``    float seconds or NaN
``_submitted``   datetime64 or NaT
``_ip``          str or NA: used only in memory, by the duplicate rule; never written

Columns starting with ``_`` are metadata and never reach ``clean.csv``.  Everything
else in the export (names, e-mails, phone numbers, locations, free text) is dropped
by the reader and listed, by header only, in ``dropped_columns``.  Of those, the columns
of display-order data (Qualtrics' "export viewing order data for randomized surveys":
``Q2_DO``, ``FL_6_DO``, a block's ``..._DO``; :func:`display_order_columns`) are also listed
in ``display_order``: the items may have been shown in an order of each respondent's own,
which the cleaning's order-based indices do not read (it warns).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

META_COLUMNS = ("_row", "_status", "_finished", "_progress", "_duration", "_submitted", "_ip")


@dataclass
class RawResponses:
    """One export, read into the standard frame (see the module docstring)."""

    frame: pd.DataFrame
    source: Path
    format: str                       # "qualtrics", "wjx", "spss", "csv", "xlsx"
    sha256: str
    column_map: dict[str, str] = field(default_factory=dict)   # export header -> standard column
    dropped_columns: list[str] = field(default_factory=list)  # export headers not carried over
    #: every recoding applied to raw values (e.g. SPSS value labels -> scale codes), for report.json
    recodes: list[dict] = field(default_factory=list)
    #: export headers of display-order data (:func:`display_order_columns`), among ``dropped_columns``
    display_order: list[str] = field(default_factory=list)
    #: what the reader had to assume and says so (e.g. month-first dates no value decided), for report.json
    warnings: list[str] = field(default_factory=list)
    #: which export column became the group column and how it was matched ({"header": ..., "how": ...}), or None
    role_column: dict | None = None
    #: the item codes in the export's column order (the order the respondents met them), empty when unknown
    item_order: list[str] = field(default_factory=list)
    #: the item and attention-check codes in the export's column order: a pattern clicked down the screen runs
    #: through the checks (:func:`~iur_survey.clean.rules.longpattern`); empty when unknown
    screen_order: list[str] = field(default_factory=list)
    #: item code -> bool array: cells the export marks as not shown to the respondent (问卷星's skip logic
    #: ``(跳过)``), read as missing answers; only items with such a cell are listed
    not_shown: dict = field(default_factory=dict)
    #: ``(header, codes)`` per e-mail column: ``codes[i]`` numbers the address row ``i`` gives (rows giving one
    #: address, compared trimmed and in lower case, share a number; ``-1``: none).  The addresses themselves are
    #: not kept; the cleaning step warns about kept responses that share one (the same person answering twice?)
    email_groups: list = field(default_factory=list)
    #: per row, whether it answered an unread column placed after the export's last item column (``None``: no
    #: such column, or the export records Finished/Progress): without completion metadata, a row whose last
    #: items are blank but that answered a later question did not break off
    answered_later: np.ndarray | None = None
    #: per row, why the export says it is not finished, in the tool's words (``"survey_complete = 0
    #: (Incomplete)"``), or ``None``: the ``unfinished`` rule's ledger detail (``None``: "Finished=False")
    completion_note: np.ndarray | None = None
    #: the survey tool's own quality indicators (:mod:`iur_survey.read.toolchecks`: ``Q_RecaptchaScore``,
    #: ``TIME_RSI``...): export header -> float per row (``NaN`` blank, booleans 1/0); never answers, never in
    #: the clean data; the cleaning's ``tool_*`` rules flag on them
    tool_checks: dict = field(default_factory=dict)
    #: seconds: the durations were taken from start and end times that carry whole minutes only (60), so a
    #: recorded duration ``d`` is any time from ``d - 59`` to ``d + 59`` s; ``None``: the times carry seconds,
    #: or the export has a duration column (:func:`~iur_survey.clean.rules.speeder`'s ``resolution``)
    duration_resolution: float | None = None

    @property
    def n_raw(self) -> int:
        return len(self.frame)


#: a display-order column's header: Qualtrics names it after the element it orders plus ``_DO`` (``Q2_DO``: the
#: statements of question Q2; ``FL_6_DO``: a randomizer's blocks; ``<block>_DO``: a block's questions), and its
#: label says "Display Order" ("Block randomizer -- Display order": the CSV's second header row, an SPSS label)
DISPLAY_ORDER = re.compile(r"_DO$|(?i:display order)")


def first_row(records: list[list]) -> list[str]:
    """The header row of a file's first records, each header stripped (``[]`` for no records).

    >>> first_row([[" CASE", "MODE "], ["1", "interview"]]), first_row([])
    (['CASE', 'MODE'], [])
    """
    return [str(h).strip() for h in records[0]] if records and records[0] else []


def cell_text(value) -> str:
    """A cell of a tool's own status column as stripped text; ``""`` for an empty cell (None or NaN).

    >>> [cell_text(v) for v in (None, float("nan"), " Complete ", 2)]
    ['', '', 'Complete', '2']
    """
    return "" if value is None or (isinstance(value, float) and value != value) else str(value).strip()


def display_order_columns(headers, column_map: dict[str, str] | None = None, items=()) -> list[str]:
    """The headers among ``headers`` that hold display-order data which may reorder the items.

    ``column_map`` (export header -> standard column) and ``items`` (the item codes) leave out the
    order of one question's answer choices: ``Q1_DO`` when ``Q1`` is a column of its own (the
    role, or one item), and ``Q9_DO`` when ``Q9`` is another dropped column.  The order of a
    matrix's statements (``Q2_DO`` beside ``Q2_1`` ...), of a block's questions and of a
    randomizer's blocks stays: it may be the items' order.

    >>> display_order_columns(["Q1", "Q2_1", "Q2_DO", "FL_6_DO", "Block 3 - Display Order", "DOB", "Q_DOB", "to_do"])
    ['Q2_DO', 'FL_6_DO', 'Block 3 - Display Order']
    >>> display_order_columns(["Q1_DO", "Q2_DO", "Q9_DO", "Q9"], {"Q1": "role", "Q2_1": "GOV1"}, ["GOV1"])
    ['Q2_DO']
    """
    column_map, items = column_map or {}, set(items)
    own = set(column_map) | {str(h) for h in headers}           # columns that are one question each
    matrix = {h.rsplit("_", 1)[0] for h, c in column_map.items() if c in items and "_" in h}
    out = []
    for h in headers:
        h = str(h).strip()
        if not DISPLAY_ORDER.search(h):
            continue
        question = h[:-3] if h.endswith("_DO") else None
        if question is not None and question in own and question not in matrix:
            continue                                             # the order of one question's choices
        out.append(h)
    return out


def sha256_file(path: str | Path) -> str:
    """The hex sha256 of a file's bytes (the raw export's fingerprint; the package's one file hash)."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


# -- helpers (shared by the readers and the export writers) ---------------------------
#: the dtype of every metadata column of the standard frame
META_DTYPES = {"_row": "int64", "_status": "string", "_finished": "boolean", "_progress": "float64",
               "_duration": "float64", "_submitted": "datetime64[ns]", "_ip": "string"}


def standard_columns(instrument) -> list[str]:
    """The columns of the standard frame, in order, for ``instrument``.

    >>> from iur_survey.instrument import load_instrument
    >>> cols = standard_columns(load_instrument())
    >>> cols[:3], cols[-8:]
    (['response_id', 'role', 'GOV1'], ['ATT1', '_row', '_status', '_finished', '_progress', '_duration', '_submitted', '_ip'])
    """
    return (["response_id", instrument.group_column, *instrument.item_codes, *instrument.attention_checks]
            + list(META_COLUMNS))


def conform_frame(frame: pd.DataFrame, instrument, *, with_row: bool = True) -> pd.DataFrame:
    """``frame`` reduced to the standard columns, in the standard order and dtypes.

    Absent metadata columns are filled with NA (``_row`` with 1, 2, ...); absent item or
    attention columns with NaN.  Extra columns (e.g. the simulator's ``_email``) are left
    out.  ``with_row=False`` leaves ``_row`` out as well (to compare frames read from
    different formats).

    >>> from iur_survey.instrument import load_instrument
    >>> inst = load_instrument()
    >>> import pandas as pd
    >>> f = conform_frame(pd.DataFrame({"response_id": ["a"], "role": ["university"], "GOV1": [3]}), inst)
    >>> f.shape, str(f["GOV1"].dtype), str(f["_finished"].dtype), f["_row"].tolist()
    ((1, 38), 'float64', 'boolean', [1])
    """
    import pandas as pd

    n = len(frame)
    out = {}
    for col in standard_columns(instrument):
        if col == "_row" and not with_row:
            continue
        if col in frame.columns:
            s = frame[col]
        elif col == "_row":
            s = pd.Series(range(1, n + 1), index=frame.index)
        else:
            s = pd.Series([pd.NA] * n, index=frame.index, dtype="object")
        if col in ("response_id", instrument.group_column):
            s = s.astype("object").where(s.notna(), None).astype("string")
        elif col == "_submitted":
            s = pd.to_datetime(s)
            if getattr(s.dt, "tz", None) is not None:
                s = s.dt.tz_localize(None)
            s = s.astype("datetime64[ns]")
        elif col in META_DTYPES:
            dtype = META_DTYPES[col]
            if dtype == "string":
                s = s.astype("object").where(s.notna(), None).astype("string")
            elif dtype == "float64":
                s = pd.to_numeric(s.astype("object").where(s.notna(), None), errors="coerce").astype("float64")
            else:
                s = s.astype(dtype)
        else:  # item / attention codes
            s = pd.to_numeric(s.astype("object").where(s.notna(), None), errors="coerce").astype("float64")
        out[col] = s
    return pd.DataFrame(out, index=frame.index).reset_index(drop=True)
