"""Build the standard frame (see :mod:`iur_survey.read.base`) from a matched table."""

from __future__ import annotations

import dataclasses
import re
import warnings

import numpy as np
import pandas as pd

from ..errors import EMAIL, MissingColumnError, OutOfRangeError, ReadError, UnknownLabelError
from . import recode
from .base import RawResponses, cell_text, display_order_columns, first_row, standard_columns
from .binbook import EMPTY_RESULT
from .match import ID_BY_LABEL, Plan
from .source import Table
from .toolchecks import TOOL_CHECKS, read_tool_checks
from .workbook import WorkbookWarning

#: what :attr:`RawResponses.column_map` says when every row is a submitted response (a Google Forms sheet)
SUBMITTED_ONLY = "(every row a submitted form)"
#: formats whose downloads hold submitted responses only, so that a row is finished (blank last questions are
#: optional ones left out, item nonresponse, not a break-off), and whether a row shows it by its submission time:
#: a Google Forms sheet has no other rows; a 问卷星 download holds submitted answer sheets, each with its
#: 提交答卷时间 (a row without one is not read as submitted: the unfinished rule infers its break-off); a KoBoToolbox
#: download (:func:`is_kobo`) holds finalised submissions only; so does a Microsoft Forms download (:func:`is_msforms`):
#: Forms records a response only when it is submitted
SUBMITTED_FORMATS = {"google_forms": False, "wjx": True, "kobo": False, "msforms": False}
#: the system columns that mark a KoBoToolbox download (read as a plain CSV or workbook): as Kobo writes them, and
#: as R's ``read.csv`` renames them (``X_uuid``); its server holds finalised submissions only (a form saved as a
#: draft stays on the device), so a row whose last items are blank skipped them (the form's relevance logic) and
#: went on: it did not break off
KOBO_MARKS = (("_uuid", "_submission_time", "_index"), ("X_uuid", "X_submission_time", "X_index"))


def is_kobo(header: list) -> bool:
    """Whether a header row is a KoBoToolbox download's: it holds all of one of :data:`KOBO_MARKS`.

    >>> is_kobo(["start", "end", "Q1", "_id", "_uuid", "_submission_time", "_status", "_index"])
    True
    >>> is_kobo(["X.U.FEFF.start", "Q1", "X_id", "X_uuid", "X_submission_time", "X_index"]), is_kobo(["_uuid", "Q1"])
    (True, False)
    """
    names = {str(h).strip() for h in header}
    return any(set(marks) <= names for marks in KOBO_MARKS)


#: the first three headers of a Microsoft Forms download (``ID``, then its start and completion times; ``Email`` and
#: ``Name`` follow), by the form's language: English, and Spanish (real32: a real ``.xlsx`` download)
MSFORMS_MARKS = (("ID", "Start time", "Completion time"), ("ID", "Hora de inicio", "Hora de finalización"))


def is_msforms(header: list) -> bool:
    """Whether a header row is a Microsoft Forms download's: it starts with one of :data:`MSFORMS_MARKS`.

    >>> is_msforms(["ID", "Hora de inicio", "Hora de finalización", "Correo electrónico", "Nombre", "Q1"])
    True
    >>> is_msforms(["ID", "Start time", "Completion time", "Email", "Name"]), is_msforms(["Start time", "ID", "Q1"])
    (True, False)
    """
    first = tuple(str(h).strip() for h in header[:3])
    return first in MSFORMS_MARKS


def _submitted_rows(fmt: str, submitted: np.ndarray, header: str | None) -> tuple[pd.arrays.BooleanArray, dict, str | None]:
    """``_finished`` of an export of a :data:`SUBMITTED_FORMATS` format that has no finished column: True for a
    submitted row, NA (not known) otherwise; the :attr:`RawResponses.column_map` entry that says so; and a note
    when some rows lack the submission time the format writes for every submitted row.  ``submitted``: each row's
    submission time (NaT where blank); ``header``: its column's header, ``None`` when the export has none.

    >>> t = np.array(["2023-03-01T10:22:33", "NaT"], dtype="datetime64[ns]")
    >>> fin, cmap, note = _submitted_rows("wjx", t, "提交答卷时间")
    >>> fin.tolist(), cmap
    ([True, <NA>], {'提交答卷时间 (a submitted answer sheet)': '_finished'})
    >>> note[:49]
    "1 of 2 row(s) have no '提交答卷时间', which Wenjuanxing"
    >>> _submitted_rows("wjx", t, None)[0].tolist(), _submitted_rows("google_forms", t, None)[0].tolist()
    ([<NA>, <NA>], [True, True])
    """
    n = len(submitted)
    if not SUBMITTED_FORMATS[fmt]:
        return pd.array([True] * n, dtype="boolean"), {SUBMITTED_ONLY: "_finished"}, None
    when = (~np.isnat(np.asarray(submitted, dtype="datetime64[ns]")) if header is not None
            else np.zeros(n, dtype=bool))
    fin = pd.array([True if w else pd.NA for w in when], dtype="boolean")
    if not when.any():
        return fin, {}, None
    note = None if when.all() else (
        f"{int((~when).sum())} of {n} row(s) have no {header!r}, which Wenjuanxing writes for every response "
        f"submitted: they are not read as submitted, and the unfinished rule infers a break-off from their blank "
        f"last items")
    return fin, {f"{header} (a submitted answer sheet)": "_finished"}, note


#: cells that say the question was not shown (skip logic), by format; ``None``: any format
NOT_SHOWN = {None: ("(跳过)", "跳过"), "wjx": ("-3",)}
#: 问卷星's own no-answer codes, read as such whatever the instrument's ``missing_codes`` say: ``-3`` / ``(跳过)``
#: a question its skip logic did not show (marked in :attr:`RawResponses.not_shown`), ``-2`` / ``(空)`` a question
#: shown and left blank (item nonresponse); its text download writes the words, its numeric and SPSS downloads
#: the numbers.  Any other negative code in an item column of its downloads is neither an answer nor one of these,
#: and is refused (:func:`_refuse_unknown_wjx_codes`).
WJX_NO_ANSWER = (-3, -2, "(跳过)", "跳过", "(空)")


def _refuse_unknown_wjx_codes(values: pd.Series, lines, header: str, path, instrument) -> None:
    """Refuse a negative number in an item column of a 问卷星 download that is none of its no-answer codes
    (:data:`WJX_NO_ANSWER`), no point of the item's scale and no code the instrument lists in ``missing_codes``:
    read as an answer it would be an out-of-scale score, read as missing a guess.

    >>> from iur_survey.instrument import load_instrument
    >>> _refuse_unknown_wjx_codes(pd.Series([1.0, -3.0, -2.0, np.nan]), np.arange(2, 6), "Q5", "w.sav",
    ...                           load_instrument())
    >>> _refuse_unknown_wjx_codes(pd.Series(["3", "-4"]), np.array([2, 3]), "Q5", "w.csv", load_instrument())
    Traceback (most recent call last):
    ...
    iur_survey.errors.OutOfRangeError: w.csv:3:Q5: code -4 is no answer of the scale 1-5 and none of Wenjuanxing's no-answer codes (-3: not shown by its skip logic, -2: left blank): what it stands for is unknown; check the download, or list the code under the instrument's missing_codes if it means no answer
    """
    uniques = values.cat.categories if isinstance(values.dtype, pd.CategoricalDtype) else pd.unique(values)
    for u in uniques:
        x = None if isinstance(u, bool) else recode._number(u)
        if x is None or np.isnan(x) or x >= 0:
            continue
        k = int(np.flatnonzero((values == u).to_numpy(dtype=bool))[0])
        if x in (-3.0, -2.0) and x >= instrument.scale_min:
            raise OutOfRangeError(path, f"code {x:g} is a point of the item's scale {instrument.scale_min}-"
                                        f"{instrument.scale_max} and Wenjuanxing's code for a question "
                                        f"{'not shown' if x == -3 else 'left blank'}: which it is cannot be told; "
                                        f"download the answers as text (按文本), or give the scale codes off -3 and -2",
                                  row=int(lines[k]), column=header)
        if x in (-3.0, -2.0) or x >= instrument.scale_min or instrument.is_missing_code(u):
            continue
        raise OutOfRangeError(path, f"code {x:g} is no answer of the scale {instrument.scale_min}-"
                                    f"{instrument.scale_max} and none of Wenjuanxing's no-answer codes (-3: not shown "
                                    f"by its skip logic, -2: left blank): what it stands for is unknown; check the "
                                    f"download, or list the code under the instrument's missing_codes if it means no "
                                    f"answer", row=int(lines[k]), column=header)


def _not_shown(values: pd.Series, fmt: str) -> np.ndarray | None:
    """Where an item column says "not shown to this respondent" (问卷星: ``(跳过)``; -3 in its numeric export),
    or ``None`` when nowhere.

    >>> _not_shown(pd.Series(["同意", "(跳过)", ""]), "wjx").tolist(), _not_shown(pd.Series(["3", ""]), "wjx")
    ([False, True, False], None)
    """
    words = set(NOT_SHOWN[None]) | set(NOT_SHOWN.get(fmt, ()))
    uniques = values.cat.categories if isinstance(values.dtype, pd.CategoricalDtype) else pd.unique(values)
    hit = [u for u in uniques if isinstance(u, str) and u.strip() in words
           or (fmt == "wjx" and not isinstance(u, (str, bool)) and recode._number(u) == -3.0)]
    if not hit:
        return None
    return values.isin(hit).to_numpy(dtype=bool)


#: Qualtrics' "seen but unanswered" code (a download option): a missing answer on the item
SEEN_UNANSWERED = -99


def _count_code(values: pd.Series, code: float) -> int:
    """How many cells of ``values`` hold the number ``code`` (as a number or its text).

    >>> _count_code(pd.Series(["-99", "3", " -99", ""]), -99)
    2
    """
    counts = values.value_counts(sort=False, dropna=True)
    return int(sum(k for u, k in counts.items() if recode._number(u) == code))


class ScaleWordingWarning(UserWarning):
    """The export's answer wordings suggest a scale with another number of points than the instrument's."""


_CLOCK = re.compile(r"(?:^|[\sT])(\d{1,2}):\d{2}")
_MARKER = re.compile(r"(?i)\b[ap]\.?m\b|上午|下午|午前|午後|오전|오후")


def _twelve_hour_hint(start, end, start_header: str, end_header: str) -> str:
    """The likely cause of a start after its end when no time has an hour above 12 nor an AM/PM marker: a
    12-hour clock whose marker a spreadsheet dropped (``12:58`` then ``1:05``); else ``""``.

    >>> _twelve_hour_hint(pd.Series(["5/13/18 12:58"]), pd.Series(["5/13/18 1:05"]), "StartDate", "EndDate")[:48]
    '; no hour above 12 and no AM/PM in StartDate and'
    >>> _twelve_hour_hint(pd.Series(["5/13/18 12:58"]), pd.Series(["5/13/18 13:05"]), "StartDate", "EndDate")
    ''
    """
    texts = [str(v) for v in (*pd.Series(start).tolist(), *pd.Series(end).tolist())
             if isinstance(v, str) and v.strip()]
    hours = [int(m.group(1)) for v in texts for m in [_CLOCK.search(v)] if m]
    if not hours or max(hours) > 12 or any(_MARKER.search(v) for v in texts):
        return ""
    return (f"; no hour above 12 and no AM/PM in {start_header} and {end_header}: a 12-hour clock whose AM/PM "
            f"was lost (a spreadsheet that re-saved the export?), so no duration can be trusted; use the export as "
            f"downloaded, or read neither time (instrument columns: {{{start_header}: ignore, {end_header}: ignore}})")


def _whole_minutes_note(started: np.ndarray, submitted: np.ndarray, start_header: str, end_header: str) -> str | None:
    """The warning for durations taken from start and end times written without seconds.

    A spreadsheet that re-saved the export (Excel's ``m/d/yyyy h:mm``) drops the seconds: each
    duration is then a whole number of minutes, up to a minute off, and one under a minute reads 0 s.

    >>> t = np.array(["2023-03-01T09:00", "2023-03-01T10:05", "2023-03-01T11:30"], dtype="datetime64[ns]")
    >>> _whole_minutes_note(t, t + np.timedelta64(60, "s"), "Start Date", "End Date")[:59]
    'Start Date and End Date have no seconds (a spreadsheet that'
    >>> _whole_minutes_note(t, t + np.timedelta64(61, "s"), "Start Date", "End Date") is None
    True
    """
    both = np.concatenate([started, submitted])
    both = both[~np.isnat(both)]
    if len(both) < 6 or (both.astype("datetime64[ns]").astype(np.int64) % 60_000_000_000).any():
        return None
    return (f"{start_header} and {end_header} have no seconds (a spreadsheet that re-saved the export drops them): "
            f"every duration is a whole number of minutes and up to a minute off, and one under a minute reads 0 s, "
            f"so the speeder rule judges each by the longest time its start and end allow (recorded + 59 s), or not at "
            f"all where its cut-offs are under a minute; use the export as downloaded to judge the durations")


class MixedAnswersWarning(UserWarning):
    """An item column holds both scale wordings and bare numbers: two forms of export pasted together?"""


class RoleColumnWarning(UserWarning):
    """The group column was found by its answers, not by its header: the report says which column it is."""


#: what :attr:`RawResponses.column_map` says when the id is the data row number
ROW_NUMBER_ID = "(data row number)"


def refuse_doubtful_gb18030(table: Table, plan: Plan, instrument) -> None:
    """Refuse a text export whose encoding was guessed as GB18030 when a cell of an item, attention-check or
    group column does not read as Chinese text there (the headers were judged when the file was read:
    :func:`~iur_survey.read.source.refuse_doubtful_headers`).  Cells the study does not read (free text) are not
    judged.

    >>> import tempfile, os
    >>> from iur_survey.read import read_export
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "x.csv")
    ...     items = ",".join(f"{c}{i}" for c in ("GOV", "MKT", "BEN", "VAL", "TAL", "COL", "INT") for i in range(1, 5))
    ...     row = ",".join(["Très d'accord"] + ["3"] * 27)
    ...     _ = open(p, "wb").write(f"ResponseId,role,{items}\\nR1,enterprise,{row}\\n".encode("cp1252"))
    ...     read_export(p)
    Traceback (most recent call last):
    ...
    iur_survey.errors.EncodingError: ...x.csv:2:GOV1: the file is not UTF-8 and reads as GB18030 (Chinese) here as "Tr鑣 d'accord", which is not Chinese text ('鑣' is not a common Chinese character); as Windows cp1252 it reads "Très d'accord", as Mac Roman it reads "TrËs d'accord": pass the file's encoding with --encoding (e.g. --encoding cp1252; --encoding gb18030 if it is Chinese)
    """
    from .source import gb18030_refusal, not_chinese

    if (table.encoding or "").lower() != "gb18030" or not table.extra.get("guessed_encoding"):
        return
    t = plan.targets
    for code in (instrument.group_column, *instrument.item_codes, *instrument.attention_checks):
        if code not in t or t[code].index not in table.data.columns:
            continue
        values = table.data[t[code].index]
        uniques = values.cat.categories if isinstance(values.dtype, pd.CategoricalDtype) else pd.unique(values)
        bad = [(u, why) for u in uniques if isinstance(u, str) for why in [not_chinese(u)] if why]
        if bad:
            u, why = bad[0]
            k = int(np.flatnonzero((values == u).to_numpy(dtype=bool))[0])
            raise gb18030_refusal(table.path, u, why, int(table.lines[k]), t[code].header)


def _refuse_blank_wjx_ids(ids, lines, header: str, path) -> None:
    """Refuse a 问卷星 SPSS download whose id column (its 序号, each answer sheet's own number) is blank in a row: the
    download numbers every submitted sheet, so the file was edited, and a row position would not be the same
    response in another copy.  A repeated 序号 is left to the ``duplicate_id`` rule, as in the CSV/XLSX downloads.

    >>> _refuse_blank_wjx_ids(pd.array(["1", "2", "1"], dtype="string"), np.array([2, 3, 4]), "序号", "w.sav")
    >>> _refuse_blank_wjx_ids(pd.array(["1", None, "3"], dtype="string"), np.array([2, 3, 4]), "序号", "w.sav")
    Traceback (most recent call last):
    ...
    iur_survey.errors.ReadError: w.sav:3:序号: the answer sheet number is blank: Wenjuanxing numbers every submitted answer sheet, so the file was edited; use the download as made, or map a unique id column (instrument columns:)
    """
    blank = pd.Series(ids, dtype="string").isna().to_numpy()
    if blank.any():
        k = int(np.argmax(blank))
        raise ReadError(path, "the answer sheet number is blank: Wenjuanxing numbers every submitted answer sheet, so "
                              "the file was edited; use the download as made, or map a unique id column (instrument "
                              "columns:)", row=int(lines[k]), column=header)


def assemble(table: Table, plan: Plan, instrument, fmt: str, *, strict: bool = False,
             recodes=None, submitted_as: str | None = None) -> RawResponses:
    """Recode every matched column and return the :class:`RawResponses` of the export.  ``submitted_as``: the
    :data:`SUBMITTED_FORMATS` format whose download the file is when its reader's format is another (a Wenjuanxing
    SPSS download read by the SPSS reader: ``"wjx"``): its rows are then read as submitted as that format's are."""
    refuse_doubtful_gb18030(table, plan, instrument)
    resolution = None                   # the durations' resolution in seconds, when coarser than a second
    path, lines, data = table.path, table.lines, table.data
    n = len(data)
    t = plan.targets
    group = instrument.group_column
    out: dict[str, object] = {}

    def col(target):
        return data[t[target].index]

    column_map = plan.column_map
    said = _sheet_notes(table, plan, path)
    if "response_id" in t:
        out["response_id"] = recode.recode_id(col("response_id"), lines, t["response_id"].header, path)
        if submitted_as == "wjx" and fmt != "wjx":     # a .sav download: its 序号 taken as the id (read.spss)
            _refuse_blank_wjx_ids(out["response_id"], lines, t["response_id"].header, path)
    else:
        out["response_id"] = pd.array([str(i) for i in range(1, n + 1)], dtype="string")
        column_map = {**column_map, ROW_NUMBER_ID: "response_id"}
    role_column = None
    if group in t:
        roles = recode.recode_role(col(group), lines, t[group].header, path, instrument)
        out[group] = pd.array(roles, dtype="string")
        role_column = {"header": t[group].header, "how": t[group].how}
        blank = np.flatnonzero(pd.isna(np.asarray(roles, dtype=object)))
        if len(blank):
            groups = "roles" if group == "role" else f"{group} groups"   # not 'sexs' (real31: a REDCap 'sex')
            answers = col(group).to_numpy(dtype=object)
            other = np.array([recode.is_other_group(answers[k]) for k in blank], dtype=bool)

            def rows(ks):
                return ", ".join(str(int(lines[k])) for k in ks[:8]) + (", ..." if len(ks) > 8 else "")
            parts = []
            if (~other).any():
                parts.append(f"{int((~other).sum())} response(s) have no {group} answer (rows {rows(blank[~other])})")
            if other.any():
                # the "other" word only: a "please specify" text is the respondent's own words (free text)
                said_other = " / ".join(repr(w) for w in dict.fromkeys(
                    re.match(r"\s*(\S*?)(?=[\s(（〖\[:：,，;/-]|$)", str(a)).group(1) or str(a).strip()
                    for a in answers[blank[other]]))
                parts.append(f"{int(other.sum())} response(s) answered {said_other} (rows {rows(blank[other])}), "
                             f"which is none of the study's {groups} and is not read as one")
            note = (f"{'; '.join(parts)}: they are kept without a {group} and are left out of any comparison "
                    f"across {groups}")
            said.append(note)
            warnings.warn(f"{path}: {note}", UserWarning, stacklevel=2)
        if t[group].how == "answers":
            note = (f"no header names the {group} question: it was read from {t[group].header!r}, the one column "
                    f"whose answers are {group} wordings; if that is not the {group} question, choose the column "
                    f"with --role-column")
            said.append(note)
            warnings.warn(f"{path}: {note}", RoleColumnWarning, stacklevel=2)
    else:
        out[group] = pd.array([pd.NA] * n, dtype="string")
    _refuse_summary_rows(out["response_id"], out[group], lines, path,
                         t["response_id"].header if "response_id" in t else None)
    continuous = set(instrument.continuous_items)
    wjx = fmt == "wjx" or submitted_as == "wjx"          # a 问卷星 download (its text, numeric or SPSS form)
    not_shown = {code: m for code in instrument.item_codes if code in t
                 for m in [_not_shown(col(code), "wjx" if wjx else fmt)] if m is not None}
    item_inst, n_seen_unanswered = instrument, 0
    if wjx:
        for code in (*instrument.item_codes, *instrument.attention_checks):
            if code in t and code not in continuous:
                _refuse_unknown_wjx_codes(col(code), lines, t[code].header, path, instrument.for_item(code))
        item_inst = dataclasses.replace(instrument, missing_codes=tuple(dict.fromkeys(
            (*instrument.missing_codes, *WJX_NO_ANSWER))))
    if fmt == "qualtrics" and not instrument.is_missing_code(SEEN_UNANSWERED):
        n_seen_unanswered = sum(_count_code(col(c), SEEN_UNANSWERED) for c in (*instrument.item_codes,
                                                                               *instrument.attention_checks)
                                if c in t and c not in continuous)
        if n_seen_unanswered:
            item_inst = dataclasses.replace(instrument, missing_codes=(*instrument.missing_codes, SEEN_UNANSWERED))
            note = (f"{n_seen_unanswered} item cell(s) hold -99, Qualtrics' 'seen but unanswered': read as missing "
                    f"answers on those items")
            said.append(note)
            warnings.warn(f"{path}: {note}", UserWarning, stacklevel=2)
    seen: dict = {}
    mixed = []          # item columns holding both wordings and bare numbers
    one_form: dict = {}  # form ("wording"/"number") -> headers of the item columns holding that form only
    out_of_scale = []   # strict: report the earliest offending row over all item columns
    for code in (*instrument.item_codes, *instrument.attention_checks):
        if code in t:
            forms: dict = {}
            try:
                out[code] = recode.recode_items(col(code), lines, t[code].header, path,
                                                item_inst.for_item(code) if code not in continuous else instrument,
                                                strict=strict,
                                                continuous=code in continuous,
                                                seen=seen.setdefault(_seen_key(instrument, code), {})
                                                if code in instrument.items else None, forms=forms)
                if len(forms) == 2:
                    mixed.append((t[code].header, col(code), forms))
                elif forms and code in instrument.items and code not in continuous:
                    one_form.setdefault(next(iter(forms)), []).append(t[code].header)
            except OutOfRangeError as exc:
                out_of_scale.append(exc)
                out[code] = np.full(n, np.nan)
        else:
            out[code] = np.full(n, np.nan)
    if out_of_scale:
        raise min(out_of_scale, key=lambda e: (e.row is None, e.row or 0))
    scored = [c for c in (*instrument.item_codes, *instrument.attention_checks) if c in t and c not in continuous]
    for view, cols in recode.scale_groups(instrument, scored):     # each answer scale on its own
        check_item_columns({c: out[c] for c in cols}, {c: t[c].header for c in cols}, lines, path, view)
    for view, cols in recode.scale_groups(instrument, [c for c in scored if c in instrument.items]):
        keys = {_seen_key(instrument, c) for c in cols}
        part = {k: per for k, per in seen.items() if k in keys}
        for note in recode.scale_wording_notes(part, {c: out[c] for c in cols}, view):
            said.append(note)
            warnings.warn(f"{path}: {note}", ScaleWordingWarning, stacklevel=2)
    worded = {c for c in scored if c in instrument.items and t[c].header in set(one_form.get("wording", []))}
    for note in recode.construct_scale_notes({c: out[c] for c in scored if c in instrument.items}, instrument,
                                             worded):
        said.append(note)
        warnings.warn(f"{path}: {note}", ScaleWordingWarning, stacklevel=2)
    note = recode.mixed_forms_note(mixed, lines) or ""
    split = recode.split_forms_note(one_form.get("wording", []), one_form.get("number", []))
    note = "; ".join(x for x in (note, split) if x)
    if note:
        said.append(note)
        warnings.warn(f"{path}: {note}", MixedAnswersWarning, stacklevel=2)
    out["_row"] = np.asarray(lines, dtype=np.int64)
    out["_status"] = pd.array(recode.recode_status(col("_status"), lines, t["_status"].header, path)
                              if "_status" in t else [pd.NA] * n, dtype="string")
    out["_finished"] = pd.array(recode.recode_finished(col("_finished"), lines, t["_finished"].header, path)
                                if "_finished" in t else [pd.NA] * n, dtype="boolean")
    out["_progress"] = (recode.recode_progress(col("_progress"), lines, t["_progress"].header, path)
                        if "_progress" in t else np.full(n, np.nan))
    if "_progress" in t:
        out["_progress"], note = recode.progress_scale(out["_progress"], out["_finished"] if "_finished" in t else None,
                                                       lines, t["_progress"].header, path)
        if note:
            said.append(note)
            warnings.warn(f"{path}: {note}", recode.ProgressScaleWarning, stacklevel=2)
    out["_duration"] = (recode.recode_duration(col("_duration"), lines, t["_duration"].header, path)
                        if "_duration" in t else np.full(n, np.nan))
    with warnings.catch_warnings(record=True) as caught:      # the reader's assumptions go into the report too
        warnings.simplefilter("always", recode.AmbiguousDateWarning)
        out["_submitted"] = (recode.recode_submitted(col("_submitted"), lines, t["_submitted"].header, path)
                             if "_submitted" in t else np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]"))
        started = (recode.recode_submitted(col("_started"), lines, t["_started"].header, path)
                   if "_started" in t and "_duration" not in t and "_submitted" in t else None)
    for w in caught:
        if issubclass(w.category, recode.AmbiguousDateWarning):
            said.append(str(w.message))
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    submitted_as = submitted_as or fmt
    if submitted_as in SUBMITTED_FORMATS and "_finished" not in t:    # a download of submitted responses only
        out["_finished"], entry, note = _submitted_rows(submitted_as, out["_submitted"],
                                                       t["_submitted"].header if "_submitted" in t else None)
        column_map = {**column_map, **entry}
        if note:
            said.append(note)
            warnings.warn(f"{path}: {note}", UserWarning, stacklevel=2)
    if started is not None:
        # no duration column: the time between start and submission (SurveyMonkey, LimeSurvey, mapped times)
        out["_duration"] = (out["_submitted"] - started) / np.timedelta64(1, "s")
        if (out["_duration"] < 0).any():
            k = int(np.argmax(out["_duration"] < 0))
            raise ReadError(path, f"the response was submitted before it was started ({t['_started'].header} after "
                                  f"{t['_submitted'].header}): the times are not in one order or zone"
                                  f"{_twelve_hour_hint(col('_started'), col('_submitted'), t['_started'].header, t['_submitted'].header)}",
                            row=int(lines[k]), column=t["_submitted"].header)
        column_map = {**column_map, f"{t['_submitted'].header} - {t['_started'].header}": "_duration"}
        note = _whole_minutes_note(started, out["_submitted"], t["_started"].header, t["_submitted"].header)
        if note:
            resolution = 60.0
            said.append(note)
            warnings.warn(f"{path}: {note}", UserWarning, stacklevel=2)
    out["_ip"] = (recode.recode_ip(col("_ip"), lines, t["_ip"].header, path)
                  if "_ip" in t else pd.array([pd.NA] * n, dtype="string"))
    if "response_id" in t:
        _refuse_ids_of_personal_columns(out["response_id"], table, plan, out["_ip"], path)
        recode.refuse_word_ids(out["response_id"], lines, t["response_id"].header, path)
    frame = pd.DataFrame(out, columns=standard_columns(instrument))
    # an id found by its label alone must identify respondents; a 问卷星 download's 序号 is its answer-sheet number,
    # whose repeats go to the duplicate_id rule as in its CSV/XLSX downloads
    if "response_id" in t and t["response_id"].how == ID_BY_LABEL and submitted_as != "wjx":
        _refuse_label_id_that_repeats(frame, t["response_id"], instrument.item_codes, path)
    return RawResponses(frame=frame, source=path, format=fmt, sha256=table.sha256,
                        column_map=column_map, dropped_columns=plan.dropped, recodes=list(recodes or ()),
                        warnings=said, role_column=role_column, not_shown=not_shown,
                        item_order=[c.target for c in sorted(t.values(), key=lambda c: c.index)
                                    if c.target in set(instrument.item_codes)],
                        screen_order=[c.target for c in sorted(t.values(), key=lambda c: c.index)
                                      if c.target in {*instrument.item_codes, *instrument.attention_checks}],
                        display_order=display_order_columns(plan.dropped, column_map, instrument.item_codes),
                        email_groups=_email_groups(table, plan), duration_resolution=resolution,
                        answered_later=(None if "_finished" in t or "_progress" in t or fmt == "google_forms"
                                        else answered_later(table, plan, instrument)),
                        tool_checks=read_tool_checks(table, [(c.index, c.header) for c in plan.columns
                                                             if not c.target]))


#: the share of rows beyond which a column taken for the id by its label alone, repeating earlier rows' values with
#: other answers, is no respondent id (a genuine one repeats for a re-submission or a merge, rarely)
LABEL_ID_REPEATS = 0.10


def _refuse_label_id_that_repeats(frame: pd.DataFrame, column, items, path) -> None:
    """Refuse a column taken for the response id by its label alone (no header names an id) when more than
    :data:`LABEL_ID_REPEATS` of the rows (and at least 5) repeat an earlier row's value with other answers: an SPSS
    variable labelled 编号 may number a class or a school, and the duplicate rule would keep one response of each.

    >>> from iur_survey.read.match import Column
    >>> f = pd.DataFrame({"response_id": [str(1 + k % 3) for k in range(30)], "A1": range(30)})
    >>> _refuse_label_id_that_repeats(f, Column(0, "bh", "编号"), ["A1"], "s.sav")
    Traceback (most recent call last):
    ...
    iur_survey.errors.ReadError: s.sav:bh: the variable 'bh' was taken for the response id by its label '编号' (no header names an id), but 27 of the 30 rows repeat an earlier row's value with other answers: it does not identify respondents (each repeat would be excluded as a duplicate); map the id column in the instrument's columns:, or map 'bh' to ignore (the row number is then the id)
    >>> _refuse_label_id_that_repeats(f.assign(A1=0), Column(0, "bh", "编号"), ["A1"], "s.sav")   # the same answers
    """
    ids = frame["response_id"]
    rep = (ids.duplicated(keep=False) & ids.notna()).to_numpy()
    if not rep.any():
        return
    sub = pd.DataFrame({"id": ids[rep].to_numpy(),       # each repeated row's answers as one text
                        "answers": frame.loc[rep, list(items)].astype(str).agg("|".join, axis=1).to_numpy()})
    first = sub.groupby("id", sort=False)["answers"].transform("first")
    k = int(((sub["answers"] != first) & sub["id"].duplicated()).sum())
    if k >= 5 and k > LABEL_ID_REPEATS * len(frame):
        raise ReadError(path, f"the variable {column.header!r} was taken for the response id by its label "
                              f"{column.text!r} (no header names an id), but {k} of the {len(frame)} rows repeat an "
                              f"earlier row's value with other answers: it does not identify respondents (each repeat "
                              f"would be excluded as a duplicate); map the id column in the instrument's columns:, or "
                              f"map {column.header!r} to ignore (the row number is then the id)", column=column.header)


def later_columns(plan: Plan, instrument) -> list:
    """The unread columns of the export placed after its last item column: the questions a respondent meets after
    the instrument's (a rating, a comment, contact details), or columns an analyst appended.

    >>> from iur_survey.read.match import Column, Plan
    >>> from iur_survey.instrument import load_instrument
    >>> cols = [Column(0, "id", target="response_id"), Column(1, "GOV1", target="GOV1"), Column(2, "Comment")]
    >>> [c.header for c in later_columns(Plan(cols), load_instrument())]
    ['Comment']
    """
    items = set(instrument.item_codes)
    last = max((c.index for c in plan.columns if c.target in items), default=None)
    return [] if last is None else [c for c in plan.columns if c.index > last and not c.target]


def answered_later(table: Table, plan: Plan, instrument) -> np.ndarray | None:
    """Per row: whether it answered a column placed after the export's last item column
    (:func:`later_columns`) or an attention check placed there, or ``None`` when there is no such column.  An
    unread column every row fills says nothing (a system column, a total the analyst computed for everyone) and is
    not counted; an attention check is a question, counted however many answered it.  With no Finished or
    Progress, a row whose last items are blank but which answered a later question did not break off
    (:func:`iur_survey.clean.rules.unfinished`)."""
    cols = [c for c in later_columns(plan, instrument) if c.index in table.data.columns]
    last = max((c.index for c in plan.columns if c.target in set(instrument.item_codes)), default=None)
    checks = [] if last is None else [c for t, c in plan.targets.items() if t in instrument.attention_checks
                                      and c.index > last and c.index in table.data.columns]
    if not cols and not checks:
        return None
    out = np.zeros(len(table.data), dtype=bool)
    for c in cols + checks:
        values = pd.Series(table.data[c.index], dtype=object)
        filled = ~values.map(recode._blank).to_numpy(dtype=bool)
        if c in checks or not filled.all():
            out |= filled
    return out


def _sheet_notes(table: Table, plan: Plan, path) -> list[str]:
    """What the workbook's sheet choice says, and the data rows and read columns the sheet hides.

    Hidden data rows are refused (an analyst hides test or pilot responses instead of deleting
    them; a filter hides the rows it leaves out) unless ``hidden_rows="read"``, which reads them
    with a warning; a read column that is hidden is read, with a warning.  Hidden header rows
    (Qualtrics' question text and ImportId rows) and hidden columns that are not read say nothing.
    """
    info = table.extra.get("sheet")
    if info is None:
        return []
    _refuse_bad_cells(table, plan, path)
    said = list(info.warnings)
    where = f"sheet {info.name!r}"
    hidden = np.flatnonzero(np.isin(table.lines, list(info.hidden_rows))) if info.hidden_rows else []
    if len(hidden):
        rows = [int(table.lines[k]) for k in hidden]
        shown = ", ".join(str(r) for r in rows[:10]) + (", ..." if len(rows) > 10 else "")
        if info.hidden_policy == "refuse":
            raise ReadError(path, f"{where} hides {len(rows)} data row(s) ({shown}): hidden rows are often test or "
                                  f"pilot responses set aside, or rows a filter left out; delete them if they are not "
                                  f"responses, or read them as responses with --hidden-rows read "
                                  f"(hidden_rows='read')", row=rows[0])
        said.append(f"{where} hides {len(rows)} data row(s) ({shown}); they were read as responses (hidden_rows='read')")
    cols = [c for c in plan.targets.values() if c.index in info.hidden_columns]
    if cols:
        names = ", ".join(f"{c.header!r} ({c.target})" for c in sorted(cols, key=lambda c: c.index))
        said.append(f"{where} hides column(s) {names}; they were read (unhide them to check them)")
    for note in said:
        warnings.warn(f"{path}: {note}", WorkbookWarning, stacklevel=3)
    return said


def _refuse_bad_cells(table: Table, plan: Plan, path) -> None:
    """Refuse a read cell that calamine gives as blank but that holds a spreadsheet error (``#N/A``,
    ``#VALUE!``...: a failed formula, e.g. a VLOOKUP recode with no match) or a formula saved without its
    value: either would be a missing answer in silence (as text, ``#N/A`` is an unknown label)."""
    info = table.extra["sheet"]
    if not info.bad_cells:
        return
    read = {c.index: c for c in plan.targets.values()}
    rows = set(int(r) for r in table.lines)
    hits = sorted((r, c) for r, c in info.bad_cells if c in read and r in rows)
    if not hits:
        return
    r, c = hits[0]
    what = info.bad_cells[(r, c)]
    more = f" ({len(hits)} such cells in the columns read)" if len(hits) > 1 else ""
    if what == EMPTY_RESULT:
        msg = (f"the cell holds a formula whose saved value is empty{more}: a formula the program that wrote the .xls "
               f"never computed (xlwt and other writers save none), or one that gives \"\"; the two look alike, so "
               f"it is not read as a blank answer: save the values (Paste Special > Values), or open and save the "
               f"file in a spreadsheet program that computes it")
    elif what:
        msg = (f"the cell holds the spreadsheet error {what}{more}, not an answer (a formula that failed, e.g. a "
               f"lookup with no match); fix the formula or the values it uses, then save again")
    else:
        msg = (f"the cell holds a formula saved without its value{more} (a program that does not compute formulas "
               f"wrote the file); open it in a spreadsheet program and save it again, or save the values")
    raise UnknownLabelError(path, msg, row=r, column=read[c].header)


#: headers of a respondent e-mail column (Google Forms, Qualtrics, SurveyMonkey, LimeSurvey, 问卷星), compared
#: case-insensitively without spaces, underscores or hyphens
EMAIL_HEADERS = ("emailaddress", "recipientemail", "email", "mail", "e-mail", "电子邮箱", "邮箱", "电子邮件",
                 "emailadresse", "correoelectrónico", "directiondecorreoelectronico")


def email_columns(plan: Plan) -> list:
    """The export's unread columns that hold respondents' e-mail addresses, by header (compared as
    :func:`personal_columns` compares them: a Wenjuanxing question "34、您的电子邮箱：" is one).

    >>> from iur_survey.read.match import Column, Plan
    >>> cols = [Column(0, "Email Address"), Column(1, "34、您的电子邮箱："), Column(2, "GOV1", target="GOV1")]
    >>> [c.header for c in email_columns(Plan(cols))]
    ['Email Address', '34、您的电子邮箱：']
    """
    keys = {_header_key(h) for h in EMAIL_HEADERS}
    return [c for c in plan.columns if not c.target and _header_key(c.header) in keys]


#: headers of columns that hold a respondent's name or phone number (compared as :data:`EMAIL_HEADERS`, after a
#: question number "3、" and a "您的"/"your" are taken off)
NAME_HEADERS = ("name", "fullname", "firstname", "lastname", "recipientname", "recipientfirstname",
                "recipientlastname", "respondentname", "nickname", "姓名", "名字", "真实姓名", "联系人", "填写人",
                "昵称", "微信昵称")
PHONE_HEADERS = ("phone", "phonenumber", "mobile", "mobilephone", "mobilenumber", "cellphone", "telephone", "tel",
                 "手机", "手机号", "手机号码", "电话", "电话号码", "联系电话", "联系方式")


def _header_key(h) -> str:
    """A header as the personal-column lists are compared with it: no spaces, underscores or hyphens, lower case,
    without a question number, a "您的"/"your" before it, and a closing colon, question mark, asterisk or
    parenthesis ("（选填）", "(required)") after it.

    >>> [_header_key(h) for h in ("2、您的姓名（选填）：", "3、您的手机号码（选填，便于回访）：", "Your name (optional)?")]
    ['姓名', '手机号码', 'name']
    """
    key = re.sub(r"[\s_\-]+", "", str(h)).lower()
    key = re.sub(r"^(?:q?\d+[、.．:：)]?)", "", key)
    key = re.sub(r"^(?:您的|你的|your)", "", key)
    key = re.sub(r"[:：?？*]+$", "", key)
    key = re.sub(r"[(（][^()（）]*[)）]$", "", key)
    return re.sub(r"[:：?？*]+$", "", key)


def personal_columns(plan: Plan) -> list:
    """The export's unread columns that hold respondents' e-mail addresses, names or phone numbers, by header.

    >>> from iur_survey.read.match import Column, Plan
    >>> cols = [Column(0, "Name"), Column(1, "3、您的手机号："), Column(2, "Email"), Column(3, "GOV1", target="GOV1")]
    >>> [c.header for c in personal_columns(Plan(cols))]
    ['Name', '3、您的手机号：', 'Email']
    """
    keys = {_header_key(h) for h in (*EMAIL_HEADERS, *NAME_HEADERS, *PHONE_HEADERS)}
    return [c for c in plan.columns if not c.target and _header_key(c.header) in keys]


def personal_header_kind(header) -> str | None:
    """What personal data a column holds by its header (:data:`EMAIL_HEADERS`, :data:`NAME_HEADERS`,
    :data:`PHONE_HEADERS`, compared as :func:`personal_columns` compares them), or ``None``.

    >>> [personal_header_kind(h) for h in ("2、您的姓名（选填）：", "Email Address", "Mobile", "ResponseId")]
    ['names', 'e-mail addresses', 'phone numbers', None]
    """
    key = _header_key(header)
    for kind, headers in (("e-mail addresses", EMAIL_HEADERS), ("names", NAME_HEADERS),
                          ("phone numbers", PHONE_HEADERS)):
        if key in {_header_key(h) for h in headers}:
            return kind
    return None


def _refuse_ids_of_personal_columns(ids, table: Table, plan: Plan, ips, path) -> None:
    """Refuse ids equal to a value of the export's own personal columns (name, phone, e-mail, the IP address the
    reader keeps for the duplicate rule): the id would carry that value into the clean data and the ledger.
    Values are compared trimmed and case-folded; a value under two characters or a number under five digits
    (a placeholder, a count) is not compared.  The value is never quoted.  An id column that is itself a
    personal column by its header (a name question mapped as the id in ``columns:`` or ``id_column``) is
    refused whatever it holds: a name has no pattern."""
    id_header = plan.targets["response_id"].header
    kind = personal_header_kind(id_header)
    if kind:
        raise ReadError(path, f"the response id column is, by its header, a column of {kind} (personal data): "
                              f"{recode.PERSONAL_ID_ADVICE}", column=id_header)
    present = pd.Series(ids, dtype="string").dropna().tolist()
    if not present:
        return
    id_set = set(_personal_texts(present))    # the ids' texts (as a column's are compared, below)
    sources = [(c.header, pd.Series(table.data[c.index], dtype=object)) for c in personal_columns(plan)
               if c.index in table.data.columns]
    if "_ip" in plan.targets:
        sources.append((plan.targets["_ip"].header, pd.Series(ips, dtype=object)))
    for header, values in sources:     # each column's texts are compared with the ids' as sets first
        shared = _distinct(values, _personal_text) & id_set
        known = {x for x in shared if len(x) >= 2 and not (x.isdigit() and len(x) < 5)}
        if not known:
            continue
        id_text = pd.Series(ids, dtype="string").str.strip().str.casefold()
        hit = id_text.isin(known).fillna(False).to_numpy(dtype=bool)
        if hit.any():
            id_header = plan.targets["response_id"].header
            raise ReadError(path, f"the response id is a value of the export's {header!r} column (personal data): "
                                  f"{recode.PERSONAL_ID_ADVICE}", row=int(table.lines[np.argmax(hit)]),
                            column=id_header)


def _personal_text(s: str) -> str:
    """A personal cell's text as the id check compares it: trimmed, case-folded."""
    return s.strip().casefold()


def _personal_texts(texts) -> list[str]:
    """:func:`_personal_text` of each of ``texts`` (``str``): one case-folding of them all, joined by NUL (it folds
    character by character and makes no NUL), unless a text holds one.

    >>> _personal_texts([" Ann ", "STRASSE", "", "ß"])
    ['ann', 'strasse', '', 'ss']
    """
    texts = list(texts)
    joined = "\x00".join(map(str.strip, texts))
    if not texts or joined.count("\x00") != len(texts) - 1:
        return [_personal_text(t) for t in texts]
    return joined.casefold().split("\x00")


def _email_text(s: str) -> str:
    """An e-mail cell's text as the repeat check compares it: trimmed, lower case; ``""`` when it holds no address
    (Microsoft Forms writes ``anonymous`` for every anonymous response)."""
    return _email_texts([s])[0]


def _email_texts(texts) -> list[str]:
    """:func:`_email_text` of each of ``texts`` (``str``), with one search for addresses over them all.

    >>> _email_texts([" B@x.CN", "anonymous", ""])
    ['b@x.cn', '', '']
    """
    texts = list(texts)
    return [t.strip().lower() if h else "" for t, h in zip(texts, recode.matching(EMAIL, texts))]


def _compared_text(x, text) -> str:
    """A cell as the reader compares it: ``""`` when blank, else ``text(str(x))`` (:func:`_personal_text`,
    :func:`_email_text`; each gives ``""`` for a text of white space only)."""
    return "" if recode._blank(x) else text(str(x))


def _plain_text(arr: np.ndarray) -> np.ndarray | None:
    """``arr``'s missing cells (``None``, NaN, ``pd.NA``) as a mask when every other cell is a ``str`` without
    NUL, else ``None``.  Then pandas' hashing tells the cells apart exactly (it stops at a NUL: ``"a\\x00b"``
    and ``"a\\x00c"`` are one to it), and :func:`_compared_text` is worked out once per distinct cell.

    >>> _plain_text(np.array(["a", None, np.nan], dtype=object)).tolist(), _plain_text(np.array(["1", 1.0], dtype=object))
    ([False, True, True], None)
    """
    na = pd.isna(arr)
    rest = arr[~na]
    return na if recode._all_str(rest) and "\x00" not in "".join(rest) else None


def _distinct(values: pd.Series, text) -> set[str]:
    """``{_compared_text(x, text) for x in values}``.

    >>> sorted(_distinct(pd.Series([" A", "a", None, " A", np.nan, "  "], dtype=object), _personal_text))
    ['', 'a']
    """
    arr = values.to_numpy(dtype=object)
    na = _plain_text(arr)
    if na is None:
        return set(values.map(lambda x: _compared_text(x, text)).unique())
    uniques = pd.unique(arr[~na])
    out = set(_personal_texts(uniques) if text is _personal_text else map(text, uniques))   # (a blank str gives "")
    return out | {""} if na.any() else out


def _factorized(values: pd.Series, text) -> tuple[np.ndarray, pd.Index]:
    """``pd.factorize`` of the cells' :func:`_compared_text` (numbered in the order they first appear).

    >>> codes, uniques = _factorized(pd.Series([None, "B@x.cn ", "b@X.cn", "", "anonymous", "c@x.cn"], dtype=object),
    ...                              _email_text)
    >>> codes.tolist(), uniques.tolist()
    ([0, 1, 1, 0, 0, 2], ['', 'b@x.cn', 'c@x.cn'])
    """
    na = _plain_text(values.to_numpy(dtype=object))
    if na is None:
        return pd.factorize(values.map(lambda x: _compared_text(x, text)))
    raw_codes, raw_uniques = pd.factorize(values, use_na_sentinel=False)   # a text's first cell comes first
    if text is _email_text:             # (one search for addresses over all the texts)
        texts = _email_texts(u if isinstance(u, str) else "" for u in raw_uniques)
    else:
        texts = [text(u) if isinstance(u, str) else "" for u in raw_uniques]
    codes, uniques = pd.factorize(pd.Series(texts, dtype=object))
    return codes[raw_codes], uniques


def _email_groups(table: Table, plan: Plan) -> list[tuple[str, np.ndarray]]:
    """Which rows give the same e-mail address, per e-mail column: ``(header, codes)``, ``codes[i]`` the number of
    row ``i``'s address (trimmed, lower case) or ``-1`` for none.  Only the numbers leave the reader: the cleaning
    step names the kept responses that share an address (:attr:`RawResponses.email_groups`).  A cell that is no
    address (Microsoft Forms writes ``anonymous`` for every anonymous response) is none.
    """
    out = []
    for c in email_columns(plan):
        if c.index not in table.data.columns:
            continue
        codes, uniques = _factorized(pd.Series(table.data[c.index], dtype=object), _email_text)
        codes = np.asarray(codes, dtype=np.int64)
        empty = np.flatnonzero(uniques == "")
        if len(empty):
            codes[codes == empty[0]] = -1
        out.append((c.header, codes))
    return out


#: what a spreadsheet's summary row under the data says in its first cell (the id column): in English, Chinese, and
#: (real32: a Spanish Microsoft Forms download with a "Promedio" row) the words of Spanish, Portuguese, French,
#: German and Italian spreadsheets, Japanese and Korean ones
SUMMARY_ID = re.compile(r"^(?:rounded |overall |grand |column |row )?(?:mean|average|avg|total|sum|n|count|sd|s\.d\.|"
                        r"std(?:\.? ?dev(?:iation)?)?|median|min(?:imum)?|max(?:imum)?|variance)s?:?$"
                        r"|^(?:promedio|media|média|moyenne|mittelwert|durchschnitt|total|totale|gesamt|insgesamt|suma|"
                        r"soma|somme|summe|somma|mediana|médiane|mínimo|máximo|minimo|massimo|"
                        r"desviación estándar|desvio padrão|écart[- ]type|standardabweichung|deviazione standard|"
                        r"recuento|contagem|anzahl|conteggio|varianza|variância|varianz)s?:?$"
                        r"|^(?:平均值|平均分|平均|均值|合计|总计|小计|总分|标准差|中位数|最大值|最小值|计数|方差|合計|標準偏差|中央値|"
                        r"평균|합계|표준편차|중앙값)[:：]?$", re.I)


def _refuse_summary_rows(ids, groups, lines: np.ndarray, path, header: str | None) -> None:
    """Refuse a row whose id says it summarises the data (Mean, N, Total, 平均值) and that has no group.

    Analysts add such rows under the data; one of rounded means passes every screening rule.

    >>> _refuse_summary_rows(pd.array(["R_1", "Mean"], dtype="string"), pd.array(["x", pd.NA], dtype="string"),
    ...                      np.array([2, 4]), "x.xlsx", "ResponseId")
    Traceback (most recent call last):
    ...
    iur_survey.errors.ReadError: x.xlsx:4:ResponseId: this row looks like a summary of the data ('Mean', and no group), not a response; remove the rows under the data
    >>> [bool(SUMMARY_ID.fullmatch(w)) for w in ("Promedio", "Média", "Moyenne", "Mittelwert", "Summe:", "合計", "평균")]
    [True, True, True, True, True, True, True]
    >>> [bool(SUMMARY_ID.fullmatch(w)) for w in ("R_1", "Medina", "Promedios 2024", "12")]
    [False, False, False, False]
    """
    if header is None:
        return
    blank = np.flatnonzero(pd.isna(np.asarray(groups, dtype=object)))     # few rows: the regex runs on them only
    if not len(blank):
        return
    s = pd.Series(np.asarray(ids, dtype=object)[blank], dtype="string").str.strip()
    hit = s.str.fullmatch(SUMMARY_ID).fillna(False).to_numpy(bool)
    if hit.any():
        j = int(np.argmax(hit))
        k = int(blank[j])
        raise ReadError(path, f"this row looks like a summary of the data ({s.iloc[j]!r}, and no group), not a "
                              f"response; remove the rows under the data", row=int(lines[k]), column=header)


#: a code outside the scale is the export's coding, not a respondent's slip, when it is this share of
#: one column's answers (and at least SYSTEMATIC_MIN of them) or SYSTEMATIC_ALL of all answered item cells
SYSTEMATIC_COLUMN, SYSTEMATIC_ALL, SYSTEMATIC_MIN = 0.05, 0.01, 5
#: an item column blank in every row of an export of at least this many rows is refused (fewer: may be chance)
EMPTY_MIN_ROWS = 10


def _seen_key(instrument, code: str):
    """The key of an item's wordings in ``scale_wording_notes``' ``seen``: its construct, and its own scale
    when that is not the top-level one (one code's wordings are compared within one scale only)."""
    construct = instrument.items[code].construct
    return construct if instrument.for_item(code) is instrument else (construct, instrument.scale_of(code).text)


def check_item_columns(items: dict, headers: dict, lines: np.ndarray, path, instrument) -> None:
    """Refuse item columns that cannot be what they claim: no answer at all, or coded on another scale.

    * A matched column with no answer in any of (at least 10) rows (a question left out of the
      export, or workbook formulas saved without their values) would be an item nobody answered.
    * A code outside the scale that is common (at least 5 % of a column's answers and 5 of them,
      or 1 % of all answered item cells) is the export's coding: 0-4 instead of 1-5, a
      recode value 6 for "Strongly agree", -99 for "seen but unanswered", 99 for "don't
      know".  Left to the out-of-range rule, each would exclude every respondent who used it
      (a biased sample, in silence).  A rare one is a respondent's or an entry slip, and the
      out-of-range rule excludes that response.

    >>> from iur_survey.instrument import load_instrument
    >>> inst = load_instrument()
    >>> x = np.array([0.0, 1, 2, 3, 4, 2, 1, 0, 3, 4, 0, 0, 2, 1, 0])
    >>> check_item_columns({"GOV1": x}, {"GOV1": "Q2_1"}, np.arange(2, 17), "x.csv", inst)
    Traceback (most recent call last):
    ...
    iur_survey.errors.OutOfRangeError: x.csv:2:Q2_1: code 0 is outside the scale 1-5 in 5 of the 15 answers of this column (33%, and in 5 of all 15 answered item cells): the column is coded on another scale (0-4?) or uses 0 for a missing answer; recode the export, declare the code in the instrument's missing_codes, or describe the scale (scale.min, scale.max; a construct or item answered on a scale of its own: its scale: {min, max, labels})
    """
    points = np.asarray(instrument.scale_points, dtype=float)
    answered_all = sum(int(np.count_nonzero(~np.isnan(v))) for v in items.values())
    for code, v in items.items():
        if np.isnan(v).all() and len(v) >= EMPTY_MIN_ROWS:
            raise MissingColumnError(path, f"item {code} has no answer in any of the {len(v)} rows (a question "
                                           f"left out of the export, or workbook formulas saved without their "
                                           f"values?)", column=headers[code])
    odd = {c: v[~np.isnan(v) & ~np.isin(v, points)] for c, v in items.items()}
    total: dict[float, int] = {}
    for vals in odd.values():
        for u, k in zip(*np.unique(vals, return_counts=True)):
            total[float(u)] = total.get(float(u), 0) + int(k)
    worst = None
    for c, vals in odd.items():
        answered = int(np.count_nonzero(~np.isnan(items[c])))
        for u, k in zip(*np.unique(vals, return_counts=True)):
            u = float(u)
            if (k >= SYSTEMATIC_MIN and k >= SYSTEMATIC_COLUMN * answered) or \
                    (total[u] >= 2 * SYSTEMATIC_MIN and total[u] >= SYSTEMATIC_ALL * answered_all):
                row = int(lines[int(np.flatnonzero(items[c] == u)[0])])
                if worst is None or row < worst[0]:
                    worst = (row, c, u, int(k), answered)
    if worst is None:
        return
    row, c, u, k, answered = worst
    lo, hi = instrument.scale_min, instrument.scale_max
    shifted = {lo - 1: f" ({lo - 1}-{hi - 1}?)", hi + 1: ""}.get(u, "")
    what = (f"coded on another scale{shifted} or uses {u:g} for a missing answer" if u.is_integer()
            else "not coded in whole scale points")
    raise OutOfRangeError(path, f"code {u:g} is outside the scale {lo}-{hi} in {k} of the {answered} answers of "
                                f"this column ({100 * k / answered:.0f}%, and in {total[u]} of all {answered_all} "
                                f"answered item cells): the column is {what}; recode the export, declare the code "
                                f"in the instrument's missing_codes, or describe the scale (scale.min, scale.max; a construct or item "
                                f"answered on a scale of its own: its scale: {{min, max, labels}})",
                          row=row, column=headers[c])


_HXL_TAG = re.compile(r"^#[A-Za-z][A-Za-z0-9_]*(?:\s*\+[A-Za-z][A-Za-z0-9_]*)*$")


def _refuse_hxl_row(table: Table) -> None:
    """Refuse a first data row of HXL hashtags (``#sex``, ``#adm1 +name``: KoBoToolbox's default CSV and XLS
    exports write one under the header), which would otherwise be read as a response.

    >>> t = Table("k.csv", [["start", "Sex"]], pd.DataFrame({0: ["", "2017-10-23"], 1: ["#sex", "Male"]}),
    ...           np.array([2, 3]), "")
    >>> _refuse_hxl_row(t)
    Traceback (most recent call last):
    ...
    iur_survey.errors.ReadError: k.csv:2: the row under the header holds HXL hashtags ('#sex'), not answers: export without them (KoBoToolbox: untick "Include HXL hashtags"), or delete the row
    """
    if table.data.shape[0] < 1 or table.data.shape[1] == 0:
        return
    first = [v for v in table.data.iloc[0].tolist() if not recode._blank(v)]
    if first and all(isinstance(v, str) and _HXL_TAG.match(v.strip()) for v in first):
        shown = ", ".join(repr(v.strip()) for v in first[:3]) + (", ..." if len(first) > 3 else "")
        raise ReadError(table.path, f"the row under the header holds HXL hashtags ({shown}), not answers: export "
                                    f"without them (KoBoToolbox: untick \"Include HXL hashtags\"), or delete the row",
                        row=int(table.lines[0]))


def read_tool_export(path, instrument, fmt: str, status: str, tool: str, first_columns: str, id_alias: str,
                     known, unknown: str, *, strict: bool = False, data: bytes | None = None,
                     encoding: str | None = None, keep=None):
    r"""Read a tool's one-header-row export whose ``status`` column its reader reads (``MODE`` of SoSci Survey,
    ``Status`` of Alchemer): the raw responses and the status cells' stripped texts,
    each of which, lower-cased, is one of ``known`` (refused otherwise: ``"<status> 'cell' <unknown>"``, naming the
    row and the column).  Refused (naming the first row) without that column, or with HXL hashtags under the
    header; the column is matched to nothing.  ``keep``: a test of a header; when given, a third value holds
    the cells of the first column it passes that the matching left unread (``(header, cells, lines)``, or
    ``None``).

    >>> import tempfile, os
    >>> from iur_survey.instrument import load_instrument
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "s.csv")
    ...     _ = open(p, "w").write("CASE,MODE\n1,interview\n")
    ...     read_tool_export(p, load_instrument(), "alchemer", "Status", "an Alchemer", "Response ID, Status", "ID",
    ...                      {"complete"}, "is unknown")
    Traceback (most recent call last):
    ...
    iur_survey.errors.MissingColumnError: ...s.csv:1: no Status column: not an Alchemer export (Response ID, Status ...)
    """
    from .match import header_columns, match_columns
    from .recode import is_role_column
    from .source import read_table

    table = read_table(path, header_rows=1, data=data, encoding=encoding)
    _refuse_hxl_row(table)
    heads = first_row(table.headers)
    if status not in heads:
        raise MissingColumnError(table.path, f"no {status} column: not {tool} export ({first_columns} ...)", row=1)
    plan = match_columns(header_columns(table.headers, read_here=(status,)), instrument, table.path,
                         id_aliases=[id_alias], role_by_answers=lambda c: is_role_column(table.data[c.index], instrument))
    raw = assemble(table, plan, instrument, fmt, strict=strict)
    texts = [cell_text(v) for v in table.data[heads.index(status)]]
    for k, t in enumerate(texts):
        if t.lower() not in known:
            raise ReadError(table.path, f"{status} {t[:40]!r} {unknown}", row=int(table.lines[k]), column=status)
    if keep is None:
        return raw, texts
    extra = next(((c.header, table.data[c.index].tolist(), table.lines) for c in plan.columns
                  if not c.target and keep(str(c.header)) and c.index in table.data.columns), None)
    return raw, texts, extra

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
        later = ({c.index for c in later_columns(plan, instrument)}       # no Finished/Progress: break-offs inferred
                 if "_finished" not in plan.targets and "_progress" not in plan.targets else set())
        tools = {c.index for c in plan.columns if not c.target and str(c.header).strip() in TOOL_CHECKS}
        return (sorted({c.index for c in plan.targets.values()} | {c.index for c in personal_columns(plan)} | later
                       | tools), answers)

    table = (reader or read_table)(path, header_rows=header_rows, data=data, encoding=encoding, usecols=usecols)
    _refuse_hxl_row(table)
    try:
        plan = match_columns(columns_of(table.headers), instrument, table.path, id_aliases=aliases,
                             role_by_answers=lambda c: is_role_column(table.data[c.index], instrument))
        plain = fmt in ("csv", "xlsx") and bool(table.headers)
        submitted_as = ("kobo" if plain and is_kobo(table.headers[0])
                        else "msforms" if plain and is_msforms(table.headers[0]) else None)
        return assemble(table, plan, instrument, fmt, strict=strict, submitted_as=submitted_as)
    except (UnknownLabelError, MissingColumnError) as exc:
        quoted = re.search(r"'([^']*)'", exc.message)        # the offending value: a wrong decoding shows only there
        plain = isinstance(exc, UnknownLabelError) and quoted is not None and quoted.group(1).isascii()
        if encoding is None and (table.encoding or "").lower() == "gb18030" and not plain:   # a guess that decodes almost anything
            exc.message += ("; the file was decoded as GB18030 (it has no BOM and is not UTF-8): if it was saved in "
                            "another encoding (Windows cp1252, Big5...), pass it with --encoding")
        raise
