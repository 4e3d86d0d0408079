"""SPSS exports (``.sav``/``.zsav`` system files and ``.por`` portable files), read with pyreadstat.

Variables are matched by name (item codes, the ``columns:`` map, Qualtrics tags such
as ``Status``, ``Finished``, ``Duration__in_seconds_``, ``IPAddress``) or by their
variable label (the question text Qualtrics' SPSS export stores there).  A case's
``_row`` is its case number + 1 (the variable names count as row 1).

Value labels of an item column are used only when they say unambiguously what each code
is.  Each labelled code must be matched: its label is one of the instrument's scale
wordings (the code becomes that wording's code) or a no-answer wording (the code becomes
NaN), and no two codes may become the same scale code.  When every label matches, the
mapping is applied (and listed in :attr:`RawResponses.recodes` unless it changes nothing).
When a label matches no wording, the export is refused naming the unmatched labels: half
a mapping would silently recode half the scale, and labels in another language may run the
other way.  A label that matches no wording but whose code no cell of the column holds
(``-9 "No answer"`` left on a variable whose respondents all answered) cannot change an
answer: it is left out, with a warning naming it (also in the report's warnings).
``value_labels: codes`` in the instrument ignores the labels of item columns and keeps the
numeric codes as they are.
"""

from __future__ import annotations

import hashlib
import warnings

import numpy as np
import pandas as pd

from ..errors import EmptyFileError, FormatDetectionError, ReadError, UnknownLabelError
from .assemble import assemble
from .base import RawResponses
from .match import Column, match_columns
from .recode import group_of_value, is_role_column
from .source import Table, read_bytes, sniff_kind


def label_mapping(labels: dict, instrument, path, header: str) -> dict[float, float] | None:
    """How the value labels of one item column turn its codes into scale codes.

    Returns ``{code: new code or NaN}`` for every labelled code when every label matches a
    scale or no-answer wording (``None`` when there is no numeric label); raises
    :class:`~iur_survey.errors.UnknownLabelError` when a label matches no wording (the error
    offers ``value_labels: codes``) or two codes would become the same scale code.

    >>> from iur_survey.instrument import load_instrument
    >>> inst = load_instrument()
    >>> label_mapping({1: "Strongly agree", 2: "Agree", 3: "Neutral", 4: "Disagree", 5: "Strongly disagree"},
    ...               inst, "s.sav", "Q1")
    {1.0: 5.0, 2.0: 4.0, 3.0: 3.0, 4.0: 2.0, 5.0: 1.0}
    >>> label_mapping({1: "Strongly agree", 3: "Neither", 5: "Strongly disagree"}, inst, "s.sav", "Q1")
    Traceback (most recent call last):
    ...
    iur_survey.errors.UnknownLabelError: s.sav:Q1: the value labels match the instrument's scale only partly: 3 'Neither' matches no wording of scale.labels or missing_codes (1 'Strongly agree' -> 5, 5 'Strongly disagree' -> 1); add the wordings to the instrument, or set value_labels: codes to use the numeric codes as they are
    """
    matched: dict[float, float] = {}
    unmatched: list[tuple[float, str]] = []
    n_scale = 0
    for code, lab in labels.items():
        try:
            code = float(code)
        except (TypeError, ValueError):
            continue
        target = instrument.code_for_label(lab)
        if target is not None:
            matched[code] = float(target)
            n_scale += 1
        elif instrument.is_missing_code(lab):
            matched[code] = np.nan
        else:
            unmatched.append((code, str(lab)))
    def show(c):
        return f"{c:g}"

    if unmatched:
        miss = ", ".join(f"{show(c)} {lab!r}" for c, lab in unmatched)
        verb = "matches" if len(unmatched) == 1 else "match"
        if n_scale == 0 and not matched:
            raise UnknownLabelError(path, f"the value labels say what the codes mean, but none is a wording of the "
                                          f"instrument: {miss} {verb} no wording of scale.labels or missing_codes; "
                                          f"add the wordings to the instrument, or set value_labels: codes to use "
                                          f"the numeric codes as they are", column=header)
        ok = ", ".join(f"{show(c)} {str(labels.get(c, labels.get(int(c), ''))).strip()!r} -> "
                       f"{'NaN' if np.isnan(t) else show(t)}" for c, t in matched.items())
        raise UnknownLabelError(path, f"the value labels match the instrument's scale only partly: {miss} "
                                      f"{verb} no wording of scale.labels or missing_codes ({ok}); add the "
                                      f"wordings to the instrument, or set value_labels: codes to use the numeric "
                                      f"codes as they are", column=header)
    if not matched:
        return None
    seen: dict[float, float] = {}
    for c, t in matched.items():
        if not np.isnan(t):
            if t in seen:
                raise UnknownLabelError(path, f"the value labels of codes {show(seen[t])} and {show(c)} both mean "
                                              f"scale code {show(t)}; fix the labels, or set value_labels: codes "
                                              f"to use the numeric codes as they are", column=header)
            seen[t] = c
    return matched


def _without_user_missing(labels: dict, ranges) -> dict:
    """The value labels less those of codes the file declares user-missing (pyreadstat reads those cells as NaN).

    >>> _without_user_missing({1: "Strongly disagree", 9: "No answer"}, [{"lo": 9.0, "hi": 9.0}])
    {1: 'Strongly disagree'}
    """
    if not ranges:
        return labels
    return {code: lab for code, lab in labels.items()
            if (c := _number(code)) is None or not any(_in_range(c, r) for r in ranges)}


def _without_unused_unmatched(labels: dict, values: pd.Series, instrument) -> tuple[dict, list[str]]:
    """The value labels less those that match no wording of the instrument and whose code no cell holds.

    Such a label cannot change an answer, so it does not make the labels "partly matching";
    the labels that do match stay (they still say which way the scale runs).  Returns the labels
    kept and the ones left out, shown as ``-9 'No answer'``.

    >>> from iur_survey.instrument import load_instrument
    >>> _without_unused_unmatched({1: "Strongly disagree", -9: "No answer", 7: "Other"},
    ...                           pd.Series([1.0, 7.0, np.nan]), load_instrument())
    ({1: 'Strongly disagree', 7: 'Other'}, ["-9 'No answer'"])
    """
    arr = values.to_numpy(dtype=np.float64)
    held = set(np.unique(arr[~np.isnan(arr)]).tolist())
    kept, unused = {}, []
    for code, lab in labels.items():
        c = _number(code)
        if (c is not None and c not in held and instrument.code_for_label(lab) is None
                and not instrument.is_missing_code(lab)):
            unused.append(f"{c:g} {str(lab)!r}")
        else:
            kept[code] = lab
    return kept, unused


def _number(code) -> float | None:
    """A value label's code as a number, or None where it is not one (a string code)."""
    try:
        return float(code)
    except (TypeError, ValueError):
        return None


def _in_range(c: float, r) -> bool:
    try:
        return float(r["lo"]) <= c <= float(r["hi"])
    except (KeyError, TypeError, ValueError):
        return False


def _check_covered(values: pd.Series, mapping: dict[float, float], path, header: str) -> None:
    """Refuse a recoding by value labels that leaves codes of the data unlabelled inside the labelled range.

    Labels on the end points only (``1 = Strongly agree``, ``5 = Strongly disagree``) say that
    1 and 5 swap, not what 2 and 4 become: applied as they stand, they would leave 2 and 4
    meaning the opposite of what they say.

    >>> _check_covered(pd.Series([1.0, 2, 5]), {1.0: 5.0, 5.0: 1.0}, "s.sav", "Q2_1")
    Traceback (most recent call last):
    ...
    iur_survey.errors.UnknownLabelError: s.sav:Q2_1: the value labels recode 1 -> 5, 5 -> 1, but code 2 of the data has no label: what it becomes would be a guess; label every code of the scale, or set value_labels: codes to use the numeric codes as they are
    """
    arr = values.to_numpy(dtype=np.float64)
    seen = np.unique(arr[~np.isnan(arr)])
    lo, hi = min(mapping), max(mapping)
    bare = [c for c in seen if lo <= c <= hi and float(c) not in mapping]
    if bare:
        moves = ", ".join(f"{c:g} -> {'NaN' if np.isnan(t) else f'{t:g}'}" for c, t in mapping.items())
        which = ", ".join(f"{c:g}" for c in bare)
        raise UnknownLabelError(path, f"the value labels recode {moves}, but code{'s' if len(bare) > 1 else ''} "
                                      f"{which} of the data {'have' if len(bare) > 1 else 'has'} no label: what "
                                      f"{'they become' if len(bare) > 1 else 'it becomes'} would be a guess; label "
                                      f"every code of the scale, or set value_labels: codes to use the numeric codes "
                                      f"as they are", column=header)


def _apply_mapping(values: pd.Series, mapping: dict[float, float]) -> pd.Series:
    arr = values.to_numpy(dtype=np.float64)
    out = arr.copy()
    for code, target in mapping.items():
        out[arr == code] = target
    return pd.Series(out, index=values.index)


def _is_identity(mapping: dict[float, float]) -> bool:
    return all(c == t for c, t in mapping.items())


def _codes_and_cells(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A numeric SPSS column as float codes and as an object array to relabel (None where missing)."""
    arr = values.to_numpy(dtype=np.float64)
    out = arr.astype(object)
    out[np.isnan(arr)] = None
    return arr, out


def _to_labels(values: pd.Series, labels: dict) -> pd.Series:
    """Numeric codes replaced by their value labels (codes without a label kept)."""
    if not labels or values.dtype.kind not in "fiu":
        return values
    arr, out = _codes_and_cells(values)
    for code, lab in labels.items():
        try:
            out[arr == float(code)] = str(lab)
        except (TypeError, ValueError):
            continue
    return pd.Series(out, index=values.index)


def _read(path, encoding, por: bool, **kw):
    import pyreadstat

    try:
        if por:
            return pyreadstat.read_por(str(path), **kw)
        return pyreadstat.read_sav(str(path), encoding=encoding, **kw)
    except Exception as exc:  # pyreadstat raises its own, undocumented exception types
        what = ".por (SPSS portable)" if por else ".sav"
        raise ReadError(path, f"pyreadstat cannot read the {what} file: {exc}") from None


def read_spss(path, instrument, *, strict: bool = False, data: bytes | None = None,
              encoding: str | None = None) -> RawResponses:
    """Read an SPSS export (.sav, .zsav or .por) into the standard frame."""
    if data is None:
        data = read_bytes(path)
    kind = sniff_kind(data)
    if kind == "empty":
        raise EmptyFileError(path, "the file is empty")
    if kind not in ("sav", "por"):
        raise FormatDetectionError(path, "not an SPSS file (a .sav starts with $FL2/$FL3, a .por holds "
                                         "'SPSS PORT FILE')")
    por = kind == "por"
    _, meta = _read(path, encoding, por, metadataonly=True, **({} if por else {"user_missing": True}))
    names = list(meta.column_names or [])
    if not names:
        raise EmptyFileError(path, "the SPSS file has no variables")
    labels = meta.column_names_to_labels or {}
    vvl = meta.variable_value_labels or {}
    # match on names and variable labels first, then read only the matched variables
    plan = match_columns([Column(i, name, str(labels.get(name) or "")) for i, name in enumerate(names)],
                         instrument, path, require_role=False)
    group = instrument.group_column
    need_all = bool(instrument.groups) and group not in plan.targets
    usecols = None if need_all else [c.header for c in plan.targets.values()]
    df, _ = _read(path, encoding, por, usecols=usecols, **({} if por else {"dates_as_pandas_datetime": True}))
    if len(df) == 0:
        raise EmptyFileError(path, "the SPSS file has variables but no case")
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
    recodes: list[dict] = []
    notes: list[str] = []
    for target, col in plan.targets.items():
        lab = vvl.get(col.header)
        if not lab:
            continue
        if target in codes:
            if instrument.value_labels == "codes" or body[col.index].dtype.kind not in "fiu":
                continue
            lab = _without_user_missing(lab, (getattr(meta, "missing_ranges", None) or {}).get(col.header))
            lab, unused = _without_unused_unmatched(lab, body[col.index], instrument)
            if unused:
                one = len(unused) == 1
                notes.append(f"{col.header}: the value label{'' if one else 's'} {', '.join(unused)} "
                             f"match{'es' if one else ''} no wording of scale.labels or missing_codes, but no "
                             f"cell holds {'that code' if one else 'those codes'}: left out (no answer is "
                             f"changed by {'it' if one else 'them'})")
            mapping = label_mapping(lab, instrument, path, col.header)
            if mapping is None or _is_identity(mapping):
                continue
            _check_covered(body[col.index], mapping, path, col.header)
            body[col.index] = _apply_mapping(body[col.index], mapping)
            recodes.append({"column": col.header, "target": target, "by": "SPSS value labels",
                            "codes": {f"{c:g}": (None if np.isnan(t) else t) for c, t in mapping.items()}})
        elif target == group:
            body[col.index] = _group_values(body[col.index], lab, instrument, path, col.header)
        elif target in ("_status", "_finished"):
            body[col.index] = role_data[col.index]
    raw = assemble(table, plan, instrument, "spss", strict=strict, recodes=recodes)
    for note in notes:
        raw.warnings.append(note)
        warnings.warn(f"{path}: {note}", UserWarning, stacklevel=2)
    return raw


def _group_values(values: pd.Series, labels: dict, instrument, path, header) -> pd.Series:
    """A labelled group variable: each code as its label's group, or as a listed code wording.

    A code whose label and whose number name two different groups is refused.
    """
    if values.dtype.kind not in "fiu":
        return values
    arr, out = _codes_and_cells(values)
    for code, lab in labels.items():
        try:
            c = float(code)
        except (TypeError, ValueError):
            continue
        by_label, by_code = instrument.group_for_label(str(lab)), group_of_value(c, instrument)
        if by_label and by_code and by_label != by_code:
            raise UnknownLabelError(path, f"group code {c:g} is labelled {str(lab)!r} ({by_label}) but the "
                                          f"instrument lists {c:g} under {by_code}; fix the groups: wordings",
                                    column=header)
        if by_label:
            out[arr == c] = str(lab)
        elif by_code is None and str(lab).strip() and not instrument.is_missing_code(c):
            # a code that is no group's wording: its label is what the respondent chose, so the reader judges
            # (and names) the label: refused as an unknown group ('Govt'), or read as an explicit "other" answer
            out[arr == c] = str(lab)
    return pd.Series(out, index=values.index)
