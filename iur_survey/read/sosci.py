"""SoSci Survey data exports (CSV/TSV or a spreadsheet saved from one).

The header row is the variable names: ``CASE`` (the response id), ``SERIAL``, ``REF``, ``QUESTNNR``,
``MODE``, ``STARTED``, the item variables (``AB01_01``: question AB01's first statement), the page
times ``TIME001``..., ``TIME_SUM`` (the duration, s), ``MAILSENT``, ``LASTDATA`` (the last answer's
time), ``FINISHED`` (1: the respondent reached the last page), ``Q_VIEWER``, ``LASTPAGE``,
``MAXPAGE``, ``MISSING``, ``MISSREL``, ``TIME_RSI``, ``DEG_TIME``.  Item variables are matched by the
instrument's ``columns:`` map (SoSci's codes are the project's own).

``MODE`` says how the interview was run: ``interview`` (a respondent), ``pretest`` (the project's
pretest), ``admin`` (begun in the administration area: a researcher's check) or ``debug`` (run from the
administration area with debug output, as real exports hold).  Only interviews are responses: a pretest
is read as a test (``_status`` ``pretest``) and an admin or debug interview as a preview
(``admin (preview)``, ``debug (preview)``), which the ``status`` rule excludes, naming the mode; any other
mode is refused.  A .sav saved by SPSS from SoSci's SPSS download holds the same variables (``FINISHED`` labelled
0 "Canceled", 1 "Finished"): the SPSS reader reads its ``MODE`` by the same rule (:func:`read_modes`).  SoSci writes
``-9`` for a question not answered: read as a missing answer,
as are the instrument's ``missing_codes`` (``-1``, SoSci's "don't know").
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pandas as pd

from ..errors import ReadError
from .base import RawResponses, cell_text, first_row

#: the columns every SoSci Survey export starts with
SOSCI_COLUMNS = ("CASE", "SERIAL", "REF", "QUESTNNR", "MODE", "STARTED")
#: ``MODE`` value -> the ``_status`` it is read as (the status rule excludes tests and previews)
MODES = {"interview": "interview", "pretest": "pretest", "admin": "admin (preview)", "debug": "debug (preview)"}
#: the refusal of a ``MODE`` that is none of :data:`MODES`
UNKNOWN_MODE = (f"is none of SoSci Survey's interview modes ({', '.join(MODES)}): which responses are real would be a "
                f"guess; delete the rows that are not interviews")
#: SoSci's code of a question not answered
NOT_ANSWERED = -9


def looks_like_sosci(records: list[list]) -> bool:
    """Whether the header row is a SoSci Survey one (it holds all of :data:`SOSCI_COLUMNS`).

    >>> looks_like_sosci([["CASE", "SERIAL", "REF", "QUESTNNR", "MODE", "STARTED", "AB01_01", "FINISHED"]])
    True
    """
    return set(SOSCI_COLUMNS) <= set(first_row(records))


def read_sosci(path, instrument, *, strict: bool = False, data: bytes | None = None,
               encoding: str | None = None) -> RawResponses:
    r"""Read a SoSci Survey export into the standard frame.

    >>> import tempfile, os
    >>> from iur_survey.instrument import load_instrument
    >>> inst = load_instrument()
    >>> head = ["CASE", "SERIAL", "REF", "QUESTNNR", "MODE", "STARTED", "role", *inst.item_codes, "TIME_SUM",
    ...         "FINISHED"]
    >>> rows = [[str(30 + k), "", "", "base", m, "2024-03-01 10:00:00", "企业"] + ["4"] * 27 + ["-9", "300", f]
    ...         for k, (m, f) in enumerate([("interview", "1"), ("pretest", "1"), ("interview", "0")])]
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "s.csv")
    ...     _ = open(p, "w").write("\n".join(",".join(r) for r in [head] + rows) + "\n")
    ...     raw = read_sosci(p, inst)
    >>> raw.frame[["response_id", "_status", "_finished", "_duration"]].values.tolist()
    [['30', 'interview', True, 300.0], ['31', 'pretest', True, 300.0], ['32', 'interview', False, 300.0]]
    >>> float(raw.frame.loc[0, "INT4"])
    nan
    """
    from .assemble import read_tool_export

    item_inst = instrument
    if not instrument.is_missing_code(NOT_ANSWERED):
        item_inst = dataclasses.replace(instrument, missing_codes=(*instrument.missing_codes, NOT_ANSWERED))
    raw, texts = read_tool_export(path, item_inst, "sosci", "MODE", "a SoSci Survey",
                                 "CASE, SERIAL, REF, QUESTNNR, MODE, STARTED", "CASE", MODES, UNKNOWN_MODE,
                                 strict=strict, data=data, encoding=encoding)
    return read_modes(raw, texts)


def read_modes(raw: RawResponses, texts: list[str], lines=None) -> RawResponses:
    """``raw`` with its ``_status`` read from SoSci Survey's ``MODE`` cells ``texts`` (one per row of
    ``raw.frame``): a pretest, admin or debug interview is no respondent's, which a warning counts; a mode that is
    none of :data:`MODES` is refused, naming its row (``lines``, the rows' 1-based file rows; the CSV reader has
    refused it already).  Used by the CSV reader and by the SPSS reader for a .sav saved from SoSci's export.

    >>> import pandas as pd, warnings
    >>> raw = RawResponses(frame=pd.DataFrame({"_status": [None, None]}), source="s.sav", format="spss", sha256="")
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     read_modes(raw, ["interview", "pretest"]).frame["_status"].tolist()
    ['interview', 'pretest']
    >>> read_modes(raw, ["interview", "orgtest"], lines=[2, 3])
    Traceback (most recent call last):
    ...
    iur_survey.errors.ReadError: s.sav:3:MODE: MODE 'orgtest' is none of SoSci Survey's interview modes (interview, pretest, admin, debug): which responses are real would be a guess; delete the rows that are not interviews
    """
    path = raw.source
    status = np.empty(len(texts), dtype=object)
    for k, s in enumerate(texts):
        if s.lower() not in MODES:
            raise ReadError(path, f"MODE {s[:40]!r} {UNKNOWN_MODE}",
                            row=int(lines[k]) if lines is not None else None, column="MODE")
        status[k] = MODES[s.lower()]
    raw.frame["_status"] = pd.array(status, dtype="string")
    raw.column_map = {**raw.column_map, "MODE": "_status"}
    raw.dropped_columns = [c for c in raw.dropped_columns if c != "MODE"]
    others = [m for m in MODES if m != "interview" and (status == MODES[m]).any()]
    if others:
        counts = ", ".join(f"{int((status == MODES[m]).sum())} {m}" for m in others)
        note = f"MODE: {counts} interview(s) are no respondent's (the status rule excludes them)"
        raw.warnings = [*raw.warnings, note]
        warnings.warn(f"{path}: {note}", UserWarning, stacklevel=3)
    return raw
