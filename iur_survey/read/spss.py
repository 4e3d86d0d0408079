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

A string variable may carry value labels too: one whose codes and cells are all numbers (``"1"``
labelled ``"Extremely helpful"``) is read as that numeric variable, labels and all; other string codes
(``"A1"``) are read as their labels' wording.  A .sav whose header leaves the case count unknown
(Qualtrics' writer) is refused when its data end inside a case (:func:`sav_cut_short`).

A Wenjuanxing SPSS download (its variables named or labelled ``序号``, ``提交答卷时间``, ``所用时间``:
:func:`~iur_survey.read.wjx.wjx_sav`) holds submitted answer sheets only, as its Excel and CSV downloads do: a row
with its 提交答卷时间 is read as finished (:data:`~iur_survey.read.assemble.SUBMITTED_FORMATS`), so blank last
questions are item nonresponse, not a break-off.  Its codes -3 (a question its skip logic did not show) and -2 (shown,
left blank) are read as :data:`~iur_survey.read.assemble.WJX_NO_ANSWER` says, labelled or not; its 序号 (each
answer sheet's number) is the response id, refused when blank; a repeated one goes to the duplicate_id rule, as in
its CSV/XLSX downloads.  A file with only some of Wenjuanxing's
columns (two of them, or its 提交答卷时间) is not read as one, with a warning.
"""

from __future__ import annotations

import hashlib
import struct
import warnings

import numpy as np
import pandas as pd

from ..errors import EmptyFileError, FormatDetectionError, ReadError, UnknownLabelError
from .assemble import assemble, later_columns, personal_columns
from .base import RawResponses, cell_text
from .toolchecks import TOOL_CHECKS
from .match import Column, match_columns
from .recode import group_of_value, is_role_column
from .sosci import SOSCI_COLUMNS, read_modes
from .source import Table, read_bytes, sniff_kind
from .wjx import wjx_sav


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


def _codes_and_cells(values: pd.Series) -> tuple[np.ndarray, np.ndarray, bool]:
    """An SPSS column as codes to compare with value labels' codes, as an object array to relabel (None
    where missing), and whether it is numeric: float codes for a numeric variable, the stripped text of
    each cell for a string variable (SPSS puts value labels on string codes too: ``"A1" = "Agree"``).

    >>> _codes_and_cells(pd.Series([1.0, np.nan]))[0].tolist(), _codes_and_cells(pd.Series(["A1 ", ""]))[0].tolist()
    ([1.0, nan], ['A1', ''])
    """
    if values.dtype.kind in "fiu":
        arr = values.to_numpy(dtype=np.float64)
        out = arr.astype(object)
        out[np.isnan(arr)] = None
        return arr, out, True
    keys = np.array(["" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip()
                     for v in values.to_numpy(dtype=object)], dtype=object)
    out = values.to_numpy(dtype=object).copy()
    out[keys == ""] = None
    return keys, out, False


def _label_code(code, numeric: bool):
    """A value label's code in the form :func:`_codes_and_cells` compares (None: no such code)."""
    return _number(code) if numeric else str(code).strip()


def _to_labels(values: pd.Series, labels: dict) -> pd.Series:
    """Codes replaced by their value labels (codes without a label kept), a string variable's too.

    >>> _to_labels(pd.Series([1.0, 2.0]), {1: "True"}).tolist(), _to_labels(pd.Series(["A1", "x"]), {"A1": "Agree"}).tolist()
    (['True', 2.0], ['Agree', 'x'])
    """
    if not labels:
        return values
    keys, out, numeric = _codes_and_cells(values)
    for code, lab in labels.items():
        c = _label_code(code, numeric)
        if c is not None:
            out[keys == c] = str(lab)
    return pd.Series(out, index=values.index)


def _numeric_strings(values: pd.Series, labels: dict | None) -> tuple[pd.Series, dict | None]:
    """A string variable holding numbers, with value labels on those numbers, as the numeric variable it
    stands for (so its labels are read as any numeric variable's); any other column as it is.

    >>> s, lab = _numeric_strings(pd.Series(["1", "2 ", ""]), {"1": "Agree", "2": "Disagree"})
    >>> s.tolist(), lab
    ([1.0, 2.0, nan], {1.0: 'Agree', 2.0: 'Disagree'})
    >>> _numeric_strings(pd.Series(["A1", "2"]), {"A1": "Agree"})[1]
    {'A1': 'Agree'}
    """
    if not labels or values.dtype.kind in "fiu":
        return values, labels
    codes = {_number(k): v for k, v in labels.items()}
    if None in codes:
        return values, labels
    keys, _, _ = _codes_and_cells(values)
    nums = [np.nan if k == "" else _number(k) for k in keys]
    if any(x is None for x in nums):
        return values, labels
    return pd.Series(np.asarray(nums, dtype=np.float64), index=values.index), codes


def sav_cut_short(data: bytes, n_read: int) -> str | None:
    """Why a .sav file whose header does not say how many cases it holds is cut short (None: it is whole).

    Qualtrics' SPSS writer leaves the case count of the header at -1; a reader then stops at the end of
    the file, and a file cut short (an interrupted download) loses its last cases without a word.  The
    data records show it: uncompressed, a whole file holds a whole number of cases; bytecode-compressed,
    its instruction blocks are complete and their values fill whole cases.  A file that states its case
    count is left to the reader (pyreadstat refuses one that holds fewer), and so is a .zsav.

    >>> import os, tempfile, pyreadstat
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "s.sav")
    ...     pyreadstat.write_sav(pd.DataFrame({"Q1": [1.0, 2.0, 3.0], "Q2": [4.0, 5.0, 6.0]}), p)
    ...     b = bytearray(open(p, "rb").read())
    >>> b[80:84] = struct.pack("<i", -1)          # the case count Qualtrics writes
    >>> sav_cut_short(bytes(b), 3) is None, sav_cut_short(bytes(b[:-4]), 2)
    (True, 'the file ends inside case 3 (2 whole cases before it): it was cut short (an interrupted download?); download or export it again')
    """
    try:
        if len(data) < 176 or data[:4] not in (b"$FL2", b"$FL3"):
            return None
        e = "<" if struct.unpack("<i", data[64:68])[0] in (2, 3) else ">"
        case, comp, _, ncases = struct.unpack(e + "4i", data[68:84])
        if ncases >= 0 or case <= 0 or comp not in (0, 1):
            return None
        pos = 176

        def i32(at):
            return struct.unpack(e + "i", data[at:at + 4])[0]
        while True:                                    # the dictionary, up to its end record (999)
            kind = i32(pos)
            pos += 4
            if kind == 2:                              # a variable
                has_label, n_missing = i32(pos + 4), i32(pos + 8)
                pos += 28
                if has_label:
                    pos += 4 + (i32(pos) + 3) // 4 * 4
                pos += abs(n_missing) * 8
            elif kind == 3:                            # value labels, then the type-4 list of variables
                count = i32(pos)
                pos += 4
                for _ in range(count):
                    pos += 8 + (data[pos + 8] + 8) // 8 * 8
                pos += 8 + 4 * i32(pos + 4)
            elif kind == 6:                            # documents
                pos += 4 + 80 * i32(pos)
            elif kind == 7:                            # extension records
                pos += 12 + i32(pos + 4) * i32(pos + 8)
            elif kind == 999:
                pos += 4
                break
            else:
                return None
            if pos > len(data):
                return None
    except (struct.error, IndexError):
        return None
    whole = True
    if comp == 0:
        slots, whole = divmod(len(data) - pos, 8)[0], (len(data) - pos) % 8 == 0
    else:
        slots, end = 0, len(data)
        while pos < end:
            block = data[pos:pos + 8]
            pos += 8
            if len(block) < 8:
                whole = False
                break
            stop = block.find(252)                     # the end-of-data instruction
            ops = block if stop < 0 else block[:stop]
            raw = ops.count(253)                       # each followed by 8 bytes of data after the block
            slots += len(ops) - ops.count(0)
            pos += 8 * raw
            if pos > end:
                whole, slots = False, slots - (pos - end + 7) // 8
                break
            if stop >= 0:
                break
    cases, rest = divmod(slots, case)
    if whole and rest == 0 and cases == n_read:
        return None
    if whole and rest == 0:
        return f"the data records hold {cases} cases but {n_read} were read; export the file again"
    return (f"the file ends inside case {cases + 1} ({cases} whole cases before it): it was cut short (an "
            f"interrupted download?); download or export it again")


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
    wjx_time, wjx_note = wjx_sav(names, labels)   # a Wenjuanxing download: its rows are submitted answer sheets
    # its 序号 (a variable named index, labelled 序号) is the response id: matched by its label (read.match)
    plan = match_columns([Column(i, name, str(labels.get(name) or "")) for i, name in enumerate(names)],
                         instrument, path, require_role=False)
    group = instrument.group_column
    need_all = bool(instrument.groups) and group not in plan.targets
    later = ([c.header for c in later_columns(plan, instrument)]      # no Finished/Progress: break-offs inferred
             if "_finished" not in plan.targets and "_progress" not in plan.targets else [])
    tools = [name for name in names if str(name).strip() in TOOL_CHECKS]     # the tool's own quality fields
    # the personal columns by header (e-mail, name, phone) are read too, as the text readers read them: the
    # duplicate rule compares e-mail addresses, and an id holding one of their values is refused
    personal = [c.header for c in personal_columns(plan)]
    # a .sav saved from SoSci Survey's export: its MODE says which rows are interviews, as in the CSV export
    sosci = set(SOSCI_COLUMNS) <= {str(n).strip() for n in names} and "_status" not in plan.targets
    mode = [n for n in names if str(n).strip() == "MODE"] if sosci else []
    usecols = (None if need_all else
               list(dict.fromkeys([c.header for c in plan.targets.values()] + later + tools + personal + mode)))
    df, _ = _read(path, encoding, por, usecols=usecols, **({} if por else {"dates_as_pandas_datetime": True}))
    if len(df) == 0:
        raise EmptyFileError(path, "the SPSS file has variables but no case")
    n = len(df)
    if not por:
        cut = sav_cut_short(data, n)
        if cut:
            raise ReadError(path, cut)
    body = pd.DataFrame({i: df[name].reset_index(drop=True) for i, name in enumerate(names) if name in df.columns})
    table = Table(path=path, headers=[names], data=body, lines=np.arange(2, n + 2, dtype=np.int64),
                  sha256=hashlib.sha256(data).hexdigest())
    vvl = dict(vvl)
    for i in body.columns:     # "1" labelled "Agree" in a string variable: read as the labelled number 1
        body[i], vvl[names[i]] = _numeric_strings(body[i], vvl.get(names[i]))
    role_data = {i: _to_labels(body[i], vvl.get(names[i])) for i in body.columns}
    columns = [Column(i, name, str(labels.get(name) or "")) for i, name in enumerate(names)]
    plan = match_columns(columns, instrument, path,
                         role_by_answers=lambda c: c.index in role_data
                         and is_role_column(role_data[c.index], instrument))
    note = wjx_note
    if wjx_time is not None and "_submitted" in plan.targets and plan.targets["_submitted"].header != wjx_time:
        wjx_time, note = None, (f"the variables are those of a Wenjuanxing download, but the submission time read "
                                f"is {plan.targets['_submitted'].header!r}, not its 提交答卷时间 {wjx_time!r}: the "
                                f"file is not read as one, so the unfinished rule infers break-offs from blank last "
                                f"items; map {wjx_time!r} to _submitted in the instrument's columns: to read it as one")
    codes = set(instrument.item_codes) | set(instrument.attention_checks)
    recodes: list[dict] = []
    notes: list[str] = []
    for target, col in plan.targets.items():
        lab = vvl.get(col.header)
        if not lab:
            continue
        if target in codes:
            if instrument.value_labels == "codes":
                continue
            if body[col.index].dtype.kind not in "fiu":    # string codes ("A1"): read as their labels' wording
                body[col.index] = _to_labels(body[col.index], lab)
                recodes.append({"column": col.header, "target": target, "by": "SPSS value labels (string codes)",
                                "codes": {str(c).strip(): str(w) for c, w in lab.items()}})
                continue
            lab = _without_user_missing(lab, (getattr(meta, "missing_ranges", None) or {}).get(col.header))
            if wjx_time is not None:    # its -3 (not shown) and -2 (left blank) are read by the assembler
                lab = {c: w for c, w in lab.items() if _number(c) not in (-3.0, -2.0)}
            lab, unused = _without_unused_unmatched(lab, body[col.index], instrument.for_item(target))
            if unused:
                one = len(unused) == 1
                notes.append(f"{col.header}: the value label{'' if one else 's'} {', '.join(unused)} "
                             f"match{'es' if one else ''} no wording of scale.labels or missing_codes, but no "
                             f"cell holds {'that code' if one else 'those codes'}: left out (no answer is "
                             f"changed by {'it' if one else 'them'})")
            mapping = label_mapping(lab, instrument.for_item(target), path, col.header)   # the item's own scale
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
    _refuse_half_recoded(recodes, plan, vvl, body, instrument, path)
    if note:
        notes.append(note)
    raw = assemble(table, plan, instrument, "spss", strict=strict, recodes=recodes,
                   submitted_as="wjx" if wjx_time is not None else None)
    if mode and "_status" not in plan.targets:
        k = names.index(mode[0])
        raw = read_modes(raw, [cell_text(v) for v in body[k]], table.lines)
    for note in notes:
        raw.warnings.append(note)
        warnings.warn(f"{path}: {note}", UserWarning, stacklevel=2)
    return raw


def _refuse_half_recoded(recodes: list[dict], plan, vvl: dict, body: pd.DataFrame, instrument, path) -> None:
    """Refuse item (and attention-check) columns left as bare codes beside item columns whose value labels moved
    the codes.

    When the labels of some item variables recode them (1 'Strongly agree' -> 5) and other item variables of
    the file carry no labels, which way those run is unknown: read as they stand, a construct would hold some
    items reversed against the others (labels defined on some variables only).

    >>> from iur_survey.read.match import Column, Plan
    >>> from iur_survey.instrument import load_instrument
    >>> inst = load_instrument()
    >>> plan = Plan([Column(0, "GOV1", target="GOV1"), Column(1, "GOV2", target="GOV2")],
    ...             {"GOV1": Column(0, "GOV1", target="GOV1"), "GOV2": Column(1, "GOV2", target="GOV2")})
    >>> moved = [{"column": "GOV1", "target": "GOV1", "by": "SPSS value labels", "codes": {"1": 5.0, "5": 1.0}}]
    >>> _refuse_half_recoded(moved, plan, {"GOV1": {1: "Strongly agree", 5: "Strongly disagree"}},
    ...                      pd.DataFrame({0: [1.0], 1: [2.0]}), inst, "s.sav")
    Traceback (most recent call last):
    ...
    iur_survey.errors.UnknownLabelError: s.sav:GOV2: the value labels of GOV1 recode its codes (1 -> 5, 5 -> 1) but item variable GOV2 has no value labels: whether its codes run the same way is unknown; give it the same value labels, or set value_labels: codes to keep every code as it is
    """
    moved = [r for r in recodes if r.get("by") == "SPSS value labels"]
    if not moved:
        return
    continuous = set(instrument.continuous_items)
    # an attention check on the items' scale runs as they do: left as bare codes beside recoded items, a careful
    # answer would read as a failed check (every respondent excluded by the attention rule)
    checks = {a for a in instrument.attention_checks if a not in instrument.attention_scales}
    bare = [c for t, c in plan.targets.items() if ((t in instrument.items and t not in continuous) or t in checks)
            and not vvl.get(c.header) and body[c.index].dtype.kind in "fiu"]
    if not bare:
        return
    kind = "item variable" if all(c.target in instrument.items for c in bare) else "item or attention-check variable"
    first = moved[0]
    shown = ", ".join(f"{c} -> {t:g}" for c, t in list(first["codes"].items())[:3] if t is not None)
    names = ", ".join(c.header for c in bare[:5]) + (" ..." if len(bare) > 5 else "")
    one = len(bare) == 1
    raise UnknownLabelError(path, f"the value labels of {', '.join(r['column'] for r in moved[:3])}"
                                  f"{' ...' if len(moved) > 3 else ''} recode {'its' if len(moved) == 1 else 'their'} "
                                  f"codes ({shown}{', ...' if len(first['codes']) > 3 else ''}) but {kind}"
                                  f"{'' if one else 's'} {names} ha{'s' if one else 've'} no value labels: "
                                  f"whether {'its' if one else 'their'} codes run the same way is unknown; give "
                                  f"{'it' if one else 'them'} the same value labels, or set value_labels: codes to "
                                  f"keep every code as it is", column=bare[0].header)


def _group_values(values: pd.Series, labels: dict, instrument, path, header) -> pd.Series:
    """A labelled group variable: each code as its label's group, or as a listed code wording.

    A code whose label and whose number name two different groups is refused.
    """
    arr, out, numeric = _codes_and_cells(values)
    for code, lab in labels.items():
        c = _label_code(code, numeric)
        if c is None:
            continue
        by_label, by_code = instrument.group_for_label(str(lab)), group_of_value(c, instrument)
        if by_label and by_code and by_label != by_code:
            shown = f"{c:g}" if numeric else repr(c)
            raise UnknownLabelError(path, f"group code {shown} is labelled {str(lab)!r} ({by_label}) but the "
                                          f"instrument lists {shown} under {by_code}; fix the groups: wordings",
                                    column=header)
        if by_label:
            out[arr == c] = str(lab)
        elif by_code is None and str(lab).strip() and not instrument.is_missing_code(c):
            # a code that is no group's wording: its label is what the respondent chose, so the reader judges
            # (and names) the label: refused as an unknown group ('Govt'), or read as an explicit "other" answer
            out[arr == c] = str(lab)
    return pd.Series(out, index=values.index)
