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
by the reader and listed, by header only, in ``dropped_columns``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

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

    @property
    def n_raw(self) -> int:
        return len(self.frame)


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    """The hex sha256 of a file's bytes (the raw export's fingerprint)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()
