"""SPSS ``.sav``/``.zsav`` exports, read with pyreadstat.

Variables are matched by name (item codes, the ``columns:`` map, Qualtrics tags such
as ``Status``, ``Finished``, ``Duration__in_seconds_``, ``IPAddress``) or by their
variable label (the question text Qualtrics' SPSS export stores there).  Value labels
turn codes into the instrument's codes: an item code whose label is a scale wording
takes that wording's code, a label meaning "no answer" gives NaN, other codes are kept
as they are.  A case's ``_row`` is its case number + 1 (the variable names count as
row 1).
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from ..errors import EmptyFileError, FormatDetectionError, ReadError
from .assemble import assemble
from .base import RawResponses
from .match import Column, match_columns
from .recode import is_role_column
from .source import Table, read_bytes, sniff_kind


def _relabel_codes(values: pd.Series, labels: dict, instrument) -> pd.Series:
    """Item codes whose value label is a scale wording (or a no-answer wording) recoded."""
    if not labels or values.dtype.kind not in "fiu":
        return values
    arr = values.to_numpy(dtype=np.float64)
    out = arr.copy()
    for code, lab in labels.items():
        try:
            code = float(code)
        except (TypeError, ValueError):
            continue
        target = instrument.code_for_label(lab)
        if target is not None:
            out[arr == code] = float(target)
        elif instrument.is_missing_code(lab):
            out[arr == code] = np.nan
    return pd.Series(out, index=values.index)


def _to_labels(values: pd.Series, labels: dict) -> pd.Series:
    """Numeric codes replaced by their value labels (codes without a label kept)."""
    if not labels or values.dtype.kind not in "fiu":
        return values
    arr = values.to_numpy(dtype=np.float64)
    out = arr.astype(object)
    out[np.isnan(arr)] = None
    for code, lab in labels.items():
        try:
            out[arr == float(code)] = str(lab)
        except (TypeError, ValueError):
            continue
    return pd.Series(out, index=values.index)


def read_spss(path, instrument, *, strict: bool = False, data: bytes | None = None,
              encoding: str | None = None) -> RawResponses:
    """Read an SPSS export into the standard frame."""
    import pyreadstat

    if data is None:
        data = read_bytes(path)
    kind = sniff_kind(data)
    if kind == "empty":
        raise EmptyFileError(path, "the file is empty")
    if kind != "sav":
        raise FormatDetectionError(path, "not an SPSS .sav file (it does not start with $FL2/$FL3)")
    try:
        _, meta = pyreadstat.read_sav(str(path), metadataonly=True, encoding=encoding)
    except Exception as exc:  # pyreadstat raises its own, undocumented exception types
        raise ReadError(path, f"pyreadstat cannot read the .sav file: {exc}") from None
    names = list(meta.column_names or [])
    if not names:
        raise EmptyFileError(path, "the .sav file has no variables")
    labels = meta.column_names_to_labels or {}
    vvl = meta.variable_value_labels or {}
    # match on names and variable labels first, then read only the matched variables
    plan = match_columns([Column(i, name, str(labels.get(name) or "")) for i, name in enumerate(names)],
                         instrument, path, require_role=False)
    group = instrument.group_column
    need_all = bool(instrument.groups) and group not in plan.targets
    usecols = None if need_all else [c.header for c in plan.targets.values()]
    try:
        df, _ = pyreadstat.read_sav(str(path), dates_as_pandas_datetime=True, encoding=encoding,
                                    usecols=usecols)
    except Exception as exc:
        raise ReadError(path, f"pyreadstat cannot read the .sav file: {exc}") from None
    if len(df) == 0:
        raise EmptyFileError(path, "the .sav file has variables but no case")
    n = len(df)
    body = pd.DataFrame({i: df[name].reset_index(drop=True) for i, name in enumerate(names) if name in df.columns})
    table = Table(path=path, headers=[names], data=body, lines=np.arange(2, n + 2, dtype=np.int64),
                  sha256=hashlib.sha256(data).hexdigest())
    role_data = {i: _to_labels(body[i], vvl.get(names[i])) for i in body.columns}
    columns = [Column(i, name, str(labels.get(name) or "")) for i, name in enumerate(names)]
    plan = match_columns(columns, instrument, path,
                         role_by_answers=lambda c: c.index in role_data
                         and is_role_column(role_data[c.index], instrument))
    codes = set(instrument.item_codes) | set(instrument.attention_checks)
    for target, col in plan.targets.items():
        lab = vvl.get(col.header)
        if not lab:
            continue
        if target in codes:
            body[col.index] = _relabel_codes(body[col.index], lab, instrument)
        elif target in (instrument.group_column, "_status", "_finished"):
            body[col.index] = role_data[col.index]
    return assemble(table, plan, instrument, "spss", strict=strict)
