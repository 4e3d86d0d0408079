"""Build the standard frame (see :mod:`iur_survey.read.base`) from a matched table."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import OutOfRangeError
from . import recode
from .base import RawResponses, display_order_columns, standard_columns
from .match import Plan
from .source import Table

#: what :attr:`RawResponses.column_map` says when the id is the data row number
ROW_NUMBER_ID = "(data row number)"


def assemble(table: Table, plan: Plan, instrument, fmt: str, *, strict: bool = False,
             recodes=None) -> RawResponses:
    """Recode every matched column and return the :class:`RawResponses` of the export."""
    path, lines, data = table.path, table.lines, table.data
    n = len(data)
    t = plan.targets
    group = instrument.group_column
    out: dict[str, object] = {}

    def col(target):
        return data[t[target].index]

    column_map = plan.column_map
    if "response_id" in t:
        out["response_id"] = recode.recode_id(col("response_id"), lines, t["response_id"].header, path)
    else:
        out["response_id"] = pd.array([str(i) for i in range(1, n + 1)], dtype="string")
        column_map = {**column_map, ROW_NUMBER_ID: "response_id"}
    if group in t:
        roles = recode.recode_role(col(group), lines, t[group].header, path, instrument)
        out[group] = pd.array(roles, dtype="string")
    else:
        out[group] = pd.array([pd.NA] * n, dtype="string")
    continuous = set(instrument.continuous_items)
    out_of_scale = []   # strict: report the earliest offending row over all item columns
    for code in (*instrument.item_codes, *instrument.attention_checks):
        if code in t:
            try:
                out[code] = recode.recode_items(col(code), lines, t[code].header, path, instrument, strict=strict,
                                                continuous=code in continuous)
            except OutOfRangeError as exc:
                out_of_scale.append(exc)
                out[code] = np.full(n, np.nan)
        else:
            out[code] = np.full(n, np.nan)
    if out_of_scale:
        raise min(out_of_scale, key=lambda e: (e.row is None, e.row or 0))
    out["_row"] = np.asarray(lines, dtype=np.int64)
    out["_status"] = pd.array(recode.recode_status(col("_status"), lines, t["_status"].header, path)
                              if "_status" in t else [pd.NA] * n, dtype="string")
    out["_finished"] = pd.array(recode.recode_finished(col("_finished"), lines, t["_finished"].header, path)
                                if "_finished" in t else [pd.NA] * n, dtype="boolean")
    out["_progress"] = (recode.recode_progress(col("_progress"), lines, t["_progress"].header, path)
                        if "_progress" in t else np.full(n, np.nan))
    out["_duration"] = (recode.recode_duration(col("_duration"), lines, t["_duration"].header, path)
                        if "_duration" in t else np.full(n, np.nan))
    out["_submitted"] = (recode.recode_submitted(col("_submitted"), lines, t["_submitted"].header, path)
                         if "_submitted" in t else np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]"))
    if "_started" in t and "_duration" not in t and "_submitted" in t:
        # no duration column: the time between start and submission (SurveyMonkey, LimeSurvey, mapped times)
        started = recode.recode_submitted(col("_started"), lines, t["_started"].header, path)
        out["_duration"] = (out["_submitted"] - started) / np.timedelta64(1, "s")
        column_map = {**column_map, f"{t['_submitted'].header} - {t['_started'].header}": "_duration"}
    out["_ip"] = (recode.recode_ip(col("_ip"), lines, t["_ip"].header, path)
                  if "_ip" in t else pd.array([pd.NA] * n, dtype="string"))
    frame = pd.DataFrame(out, columns=standard_columns(instrument))
    return RawResponses(frame=frame, source=path, format=fmt, sha256=table.sha256,
                        column_map=column_map, dropped_columns=plan.dropped, recodes=list(recodes or ()),
                        display_order=display_order_columns(plan.dropped, column_map, instrument.item_codes))


def read_tabular(path, instrument, fmt: str, columns_of, *, strict: bool = False, data: bytes | None = None,
                 encoding: str | None = None, header_rows=1, id_aliases=None, reader=None) -> RawResponses:
    """Read a CSV/XLSX export whose columns ``columns_of(headers)`` describes.

    The header rows are matched first, so that only the matched columns of a text file
    are parsed; the group column found by its answers needs every column read.
    """
    from .match import ID_ALIASES, match_columns
    from .recode import is_role_column
    from .source import read_table

    aliases = id_aliases or ID_ALIASES
    group = instrument.group_column

    def usecols(headers):
        plan = match_columns(columns_of(headers), instrument, path, id_aliases=aliases, require_role=False)
        if instrument.groups and group not in plan.targets:
            return None
        answers = {c.index for t, c in plan.targets.items() if t not in ("response_id", "_ip", "_submitted", "_started")}
        return sorted(c.index for c in plan.targets.values()), answers

    table = (reader or read_table)(path, header_rows=header_rows, data=data, encoding=encoding, usecols=usecols)
    plan = match_columns(columns_of(table.headers), instrument, table.path, id_aliases=aliases,
                         role_by_answers=lambda c: is_role_column(table.data[c.index], instrument))
    return assemble(table, plan, instrument, fmt, strict=strict)
