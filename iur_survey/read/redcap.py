"""REDCap data exports (CSV or a spreadsheet saved from one): raw or with labels.

A *raw* export heads its columns with the variable names (``record_id``, ``redcap_event_name``,
``redcap_repeat_instrument``, ``redcap_repeat_instance``, ``redcap_survey_identifier``,
``<form>_timestamp``, the fields, ``<form>_complete``) and writes choice codes; a *label* export heads
them with the field labels (``Record ID``, ``Event Name``, ``Repeat Instrument``, ``Repeat Instance``,
``Survey Timestamp``, the questions, ``Complete?``) and writes the choices' labels.  The first column
is always the record id.  A checkbox field is one column per choice (``channels___1``;
``<label> (choice=<choice>)``) holding 0/1 (``Unchecked``/``Checked``): never an item.

Every form ends with its status column, ``<form>_complete`` (``Complete?``): 0 Incomplete (a survey
begun and not submitted), 1 Unverified, 2 Complete.  The forms that hold the items are those whose
status column is the first one after an item column; a row is finished when every one of them says
Complete (2).  Incomplete and Unverified rows are unfinished, and the ``unfinished`` rule's ledger
says which status they have (``iur_survey_complete = 0 (Incomplete)``); a row whose status is blank holds
no record of the forms (a row of a repeating instrument or of another event), and the ledger says
that.  Where the export has events or repeat instances, the response id is the record id with the
event and the instance (``12/baseline_arm_1/2``), and a record that answered the survey at several
events or instances is named in a warning: each is read as a response of its own.

A survey's timestamp (``<form>_timestamp``; ``[not completed]`` for a survey not submitted) is the
submission time.  REDCap records no start time or duration.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd

from ..errors import ReadError
from .base import RawResponses, cell_text, first_row
from .match import IGNORED, Column

#: REDCap's system columns of a raw export (beside the record id, the first column)
SYSTEM_RAW = ("redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance",
              "redcap_data_access_group", "redcap_survey_identifier")
#: the same in a label export
SYSTEM_LABEL = ("Event Name", "Repeat Instrument", "Repeat Instance", "Data Access Group", "Survey Identifier")
#: a form's status column: ``<form>_complete`` (raw) or ``Complete?`` (labels)
_STATUS_RAW = re.compile(r"^([a-z][a-z0-9_]*)_complete$")
STATUS_LABEL = "Complete?"
_TIMESTAMP_RAW = re.compile(r"^[a-z][a-z0-9_]*_timestamp$")
TIMESTAMP_LABEL = "Survey Timestamp"
_VARIABLE = re.compile(r"^[a-z][a-z0-9_]*$")
_CHECKBOX_RAW = re.compile(r"^[a-z][a-z0-9_]*___[A-Za-z0-9_-]+$")
_CHECKBOX_LABEL = re.compile(r"\(choice=[^)]*\)\s*$")
#: REDCap's form status: code -> label
STATUS = {"0": "Incomplete", "1": "Unverified", "2": "Complete"}
_STATUS_OF_LABEL = {v.lower(): k for k, v in STATUS.items()}
#: the system columns' roles: (raw header, label header) -> part of the response id
_ID_PARTS = (("redcap_event_name", "Event Name"), ("redcap_repeat_instrument", "Repeat Instrument"),
             ("redcap_repeat_instance", "Repeat Instance"))


def looks_like_redcap(records: list[list]) -> bool:
    """Whether the header row is a REDCap export's: a REDCap system column (``redcap_event_name``...), or a
    form status column (``<form>_complete`` among headers that are all REDCap variable names, or the label
    export's ``Complete?``).

    >>> looks_like_redcap([["record_id", "gov1", "gov2", "iur_survey_complete"]])
    True
    >>> looks_like_redcap([["Record ID", "Survey Timestamp", "The government ...", "Complete?"]])
    True
    >>> looks_like_redcap([["ResponseId", "GOV1", "survey_complete"]])
    False
    """
    heads = first_row(records)
    if not heads:
        return False
    if set(heads) & set(SYSTEM_RAW) or STATUS_LABEL in heads:
        return True
    named = [h for h in heads if h]
    return any(_STATUS_RAW.match(h) for h in named) and all(_VARIABLE.match(h) for h in named)


def is_label_export(heads: list[str]) -> bool:
    """Whether the headers are a label export's (``Complete?``) rather than a raw one's (``<form>_complete``)."""
    return STATUS_LABEL in heads


def _columns(headers: list[list[str]]) -> list[Column]:
    """The columns: the first is the record id; status, timestamp and system columns are REDCap's, read here
    (never matched to an item or a metadata alias)."""
    cols = [Column(i, str(h)) for i, h in enumerate(headers[0])]
    if not cols:
        return cols
    cols[0].target, cols[0].how = "response_id", "REDCap record id (first column)"
    for c in cols[1:]:
        h = c.header.strip()
        if (_STATUS_RAW.match(h) or h == STATUS_LABEL or _TIMESTAMP_RAW.match(h) or h == TIMESTAMP_LABEL
                or h in SYSTEM_RAW or h in SYSTEM_LABEL):
            c.how = IGNORED
    return cols


def _status_columns(heads: list[str]) -> list[int]:
    label = is_label_export(heads)
    return [i for i, h in enumerate(heads) if (h == STATUS_LABEL if label else bool(_STATUS_RAW.match(h)))]


def item_forms(heads: list[str], item_columns: list[int]) -> list[int]:
    """The status columns of the forms that hold the items: for each item column, the first status column
    after it.

    >>> item_forms(["record_id", "consent_complete", "gov1", "gov2", "survey_complete", "x", "follow_complete"], [2, 3])
    [4]
    """
    status = _status_columns(heads)
    out = []
    for i in item_columns:
        after = [s for s in status if s > i]
        if after and after[0] not in out:
            out.append(after[0])
    return sorted(out)


def _status_codes(values, header: str, lines, path) -> np.ndarray:
    """A status column's cells as ``"0"``/``"1"``/``"2"`` or ``""`` (blank); anything else is refused."""
    out = np.empty(len(values), dtype=object)
    for k, v in enumerate(values):
        s = cell_text(v)
        if s.endswith(".0") and s[:-2] in STATUS:       # a spreadsheet's number
            s = s[:-2]
        if s in STATUS or s == "":
            out[k] = s
        elif s.lower() in _STATUS_OF_LABEL:
            out[k] = _STATUS_OF_LABEL[s.lower()]
        else:
            raise ReadError(path, f"{s[:40]!r} is no REDCap form status (0 Incomplete, 1 Unverified, 2 Complete; "
                                  f"labels are read in English only: for a label export in another language, "
                                  f"export the raw data, codes 0/1/2, instead)",
                            row=int(lines[k]), column=header)
    return out


def _cells(table, index: int) -> list:
    return pd.Series(table.data[index], dtype=object).tolist() if index in table.data.columns else []


def read_redcap(path, instrument, *, strict: bool = False, data: bytes | None = None,
                encoding: str | None = None) -> RawResponses:
    r"""Read a REDCap export (raw or labels) into the standard frame.

    >>> import tempfile, os
    >>> from iur_survey.instrument import load_instrument
    >>> inst = load_instrument()
    >>> head = ["record_id", "role"] + [c.lower() for c in inst.item_codes] + ["channels___1", "iur_survey_complete"]
    >>> rows = [[str(i + 1), "企业"] + ["4"] * 28 + ["1", s] for i, s in enumerate("201")]
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "r.csv")
    ...     _ = open(p, "w").write("\n".join(",".join(r) for r in [head] + rows) + "\n")
    ...     raw = read_redcap(p, inst)
    >>> raw.frame["_finished"].tolist(), raw.completion_note.tolist()
    ([True, False, False], [None, 'iur_survey_complete = 0 (Incomplete)', 'iur_survey_complete = 1 (Unverified)'])
    >>> raw.column_map["record_id"], "channels___1" in raw.dropped_columns
    ('response_id', True)
    """
    from .assemble import _refuse_hxl_row, assemble
    from .match import match_columns
    from .recode import is_role_column
    from .source import read_table

    table = read_table(path, header_rows=1, data=data, encoding=encoding)
    _refuse_hxl_row(table)
    path = table.path
    heads = first_row(table.headers)
    cols = _columns(table.headers)
    plan = match_columns(cols, instrument, path, id_aliases=[heads[0]] if heads else None,
                         role_by_answers=lambda c: is_role_column(table.data[c.index], instrument))
    label = is_label_export(heads)
    for c in plan.columns:      # a checkbox choice is never an answer of the scale or the role
        if c.target and c.target != "response_id" and (
                (not label and _CHECKBOX_RAW.match(c.header.strip()))
                or (label and _CHECKBOX_LABEL.search(c.header))):
            raise ReadError(path, f"the column is one choice of a REDCap checkbox field (0/1, Unchecked/Checked), "
                                  f"matched to {c.target}: a checkbox is no {c.target} answer; map the right "
                                  f"column in the instrument's columns: section", column=c.header)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        raw = assemble(table, plan, instrument, "redcap", strict=strict)
    n, lines = len(table.data), table.lines
    items = set(instrument.item_codes)
    forms = item_forms(heads, sorted(c.index for t, c in plan.targets.items() if t in items))
    if not forms:
        raise ReadError(path, "no form status column (<form>_complete, or Complete? in a label export) follows "
                              "the item columns: the export was cut, or its status columns were left out; "
                              "export the survey's form with its status", row=1)
    codes = [_status_codes(_cells(table, i), heads[i], lines, path) for i in forms]
    finished = np.ones(n, dtype=bool)
    note = np.full(n, None, dtype=object)
    where = {}
    for raw_h, label_h in _ID_PARTS:
        h = label_h if label else raw_h
        if h in heads:
            where[raw_h] = (h, ["" if pd.isna(v) else str(v).strip() for v in _cells(table, heads.index(h))])
    for k in range(n):
        for i, c in zip(forms, codes):
            if c[k] == "2":
                continue
            finished[k] = False
            if c[k]:
                note[k] = f"{heads[i]} = {c[k]} ({STATUS[c[k]]})"
            else:
                ctx = [f"{h} {vals[k]!r}" for h, vals in where.values() if vals[k]]
                note[k] = (f"{heads[i]} blank: no record of the survey's form on this row"
                           + (f" ({', '.join(ctx)})" if ctx else ""))
            break
    frame = raw.frame
    # rows that hold no record of the survey's form (another form's repeats, another event) have no role either:
    # the reader's note on responses without a role is about the others only
    formless = np.array([isinstance(v, str) and " blank: " in v for v in note], dtype=bool)
    group = instrument.group_column
    no_role = f"have no {group} answer (rows "
    quiet = not (frame[group].isna().to_numpy() & ~formless).any()
    for w in caught:
        if not (quiet and no_role in str(w.message)):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if quiet:
        raw.warnings = [x for x in raw.warnings if no_role not in x]
    frame["_finished"] = pd.array(finished, dtype="boolean")
    column_map = dict(raw.column_map)
    column_map[" & ".join(heads[i] for i in forms) + " (2 = Complete)"] = "_finished"
    stamps = [i for i, h in enumerate(heads) if (h == TIMESTAMP_LABEL if label else _TIMESTAMP_RAW.match(h))]
    stamp = next((i for i in reversed(stamps) if i < forms[-1]), None)
    if stamp is not None:
        cells = pd.Series(_cells(table, stamp), dtype=object).astype("string").str.strip()
        blank = cells.isna() | cells.isin(["", "[not completed]"])
        when = pd.to_datetime(cells.where(~blank), format="%Y-%m-%d %H:%M:%S", errors="coerce")
        if (when.isna() & ~blank).any():
            k = int(np.flatnonzero((when.isna() & ~blank).to_numpy())[0])
            raise ReadError(path, f"{cells.iloc[k]!r} is not a REDCap survey timestamp (YYYY-MM-DD HH:MM:SS)",
                            row=int(lines[k]), column=heads[stamp])
        frame["_submitted"] = when.to_numpy(dtype="datetime64[ns]")
        column_map[heads[stamp]] = "_submitted"
    said = list(raw.warnings)
    parts = [vals for h, (_, vals) in where.items() if h != "redcap_repeat_instrument"]
    if parts:
        ids = frame["response_id"].astype("string").fillna("").tolist()
        frame["response_id"] = pd.array(["/".join([i] + [p[k] for p in parts if p[k]]) for k, i in enumerate(ids)],
                                        dtype="string")
        column_map[" + ".join([heads[0]] + [h for h, (hh, _) in where.items()
                                            if h != "redcap_repeat_instrument" for h in [hh]])] = "response_id"
        again = pd.Series(ids)[finished].value_counts()
        again = again[again > 1]
        if len(again):
            names = ", ".join(repr(r) for r in again.index[:8]) + (", ..." if len(again) > 8 else "")
            msg = (f"{len(again)} record(s) completed the survey's form at more than one event or repeat instance "
                   f"({names}): each is read as a response of its own, so one person counts several times; if the "
                   f"model needs one response per person, export one event (or instance) only")
            said.append(msg)
            warnings.warn(f"{path}: {msg}", UserWarning, stacklevel=2)
    raw.column_map, raw.warnings = column_map, said
    raw.completion_note, raw.answered_later = note, None
    return raw
