"""Vectorised recoding of export cells into the standard frame's values.

Each function takes one export column (a pandas Series of ``str`` for text files, of
mixed values for workbooks and .sav files) and maps it *per distinct value* (via
:func:`pandas.factorize`), so a 100,000-row column costs one dictionary lookup per
distinct answer.  A value that cannot be recoded raises the right
:class:`~iur_survey.errors.ReadError` subclass naming the file, the line of its first
occurrence and the export's header.

>>> import numpy as np, pandas as pd
>>> from iur_survey.instrument import load_instrument
>>> inst = load_instrument()
>>> s = pd.Series(["Strongly agree", "3", "", "(跳过)", "-3", "不同意", "7"])
>>> recode_items(s, np.arange(2, 9), "Q5_1", "x.csv", inst).tolist()
[5.0, 3.0, nan, nan, nan, 2.0, 7.0]
>>> recode_items(pd.Series(["3", "Maybe"]), np.array([4, 5]), "Q5_1", "x.csv", inst)
Traceback (most recent call last):
...
iur_survey.errors.UnknownLabelError: x.csv:5:Q5_1: unknown response label 'Maybe' (the instrument's scale labels are e.g. 'Strongly disagree', 'Disagree', ..., 'Strongly agree')
>>> parse_duration("1小时2分3秒"), parse_duration("583秒"), parse_duration("2分30秒")
(3723.0, 583.0, 150.0)
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import warnings

import numpy as np
import pandas as pd

from ..errors import OutOfRangeError, ReadError, UnknownLabelError, personal_kind
from ..instrument import normalise_label

#: Qualtrics' numeric "Response Type" (Status) codes
QUALTRICS_STATUS = {0: "IP Address", 1: "Survey Preview", 2: "Survey Test", 4: "Imported", 8: "Spam",
                    9: "Survey Preview Spam", 12: "Imported Spam", 16: "Offline", 17: "Offline Survey Preview",
                    32: "EX", 40: "EX Spam", 48: "EX Offline", 256: "Synthetic"}
_STATUS_TEXT = {v.lower(): v for v in QUALTRICS_STATUS.values()}
_STATUS_NAMES = (*(v for v in QUALTRICS_STATUS.values() if " " not in v or v in ("IP Address", "Survey Preview",
                                                                                   "Survey Test")), "...")
_TRUE = {"true", "1", "1.0", "yes", "y", "t", "是", "完成", "finished", "complete", "completed"}
_FALSE = {"false", "0", "0.0", "no", "n", "f", "否", "未完成", "unfinished", "incomplete",
          "canceled", "cancelled"}     # SoSci Survey labels FINISHED 0 "Canceled" in the SPSS files it writes
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_DURATION = re.compile(r"^(?:(\d+(?:\.\d+)?)\s*天)?\s*(?:(\d+(?:\.\d+)?)\s*(?:小时|时|h))?\s*"
                       r"(?:(\d+(?:\.\d+)?)\s*(?:分钟|分|min|m))?\s*(?:(\d+(?:\.\d+)?)\s*(?:秒钟|秒|s|sec))?$", re.I)
_GMT = re.compile(r"\s*(?:GMT|UTC)([+-])(\d{1,2})(?::?(\d{2}))?\s*$")
#: a time-zone abbreviation after a time (Google Forms writes its sheet's zone: ``2020/06/05 11:34:01 AM EST``)
_ZONE = re.compile(r"(?<=\d)(\s*(?:[AaPp][Mm])?)\s+(?!(?:AM|PM)\s*$)([A-Z]{2,5})\s*$")
#: the UTC offsets (hours) of the abbreviations that name one zone; CST (US Central or China), IST (India,
#: Ireland or Israel), BST (British Summer or Bangladesh) and the like are not here: their offset is not known
ZONE_OFFSETS = {"UTC": 0, "GMT": 0, "Z": 0, "EST": -5, "EDT": -4, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8,
                "PDT": -7, "AKST": -9, "AKDT": -8, "HST": -10, "WET": 0, "WEST": 1, "CET": 1, "CEST": 2,
                "EET": 2, "EEST": 3, "MSK": 3, "HKT": 8, "SGT": 8, "JST": 9, "KST": 9, "AEST": 10, "AEDT": 11,
                "NZST": 12, "NZDT": 13}
_HMS = re.compile(r"^(\d+):([0-5]?\d):([0-5]?\d(?:\.\d+)?)$")      # h:mm:ss (mm:ss alone would be ambiguous)
_IP_SUFFIX = re.compile(r"\s*[(（].*$", re.S)
_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M",
                 "%Y/%m/%d %H:%M", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y",
                 "%m/%d/%y %H:%M:%S", "%m/%d/%y %H:%M", "%m/%d/%y",     # two-digit years (Excel's short date)
                 "%Y-%m-%d %I:%M:%S %p", "%Y/%m/%d %I:%M:%S %p")
#: a morning/afternoon marker before the time, as Chinese, Japanese and Korean locales write it
#: (Google Forms in Chinese: ``2025-12-5 上午10:22:10``)
_MERIDIEM = re.compile(r"^(.*?\d)\s*(上午|下午|午前|午後|오전|오후)\s*(\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)")
_MERIDIEM_EN = {"上午": "AM", "午前": "AM", "오전": "AM", "下午": "PM", "午後": "PM", "오후": "PM"}


class _Bad(Exception):
    def __init__(self, cls, message):
        super().__init__(message)
        self.cls, self.message = cls, message


def _blank(v) -> bool:
    if v is None:
        return True
    if isinstance(v, str):
        return not v.strip()
    if isinstance(v, float):
        return math.isnan(v)
    try:
        return v is pd.NA or v is pd.NaT or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _number(v) -> float | None:
    """``v`` as a float if it is a number (or a numeric string), else ``None``."""
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float, np.integer, np.floating)):
        return float(v)
    if isinstance(v, str):
        s = v.strip()
        if _NUMBER.match(s):
            return float(s)
    return None


_DECIMAL_COMMA = re.compile(r"^([+-]?\d+),(\d+)$")


def measured_number(v) -> float | None:
    """A measured quantity (a continuous item, a duration, a progress): :func:`_number`, or a number written with
    a decimal comma (semicolon CSVs of German or French spreadsheets, REDCap) when that cannot be a thousands
    separator, i.e. unless exactly three digits follow the comma (``'1,234'``: 1.234 or 1234?, ``None``).

    >>> measured_number("20,18"), measured_number("-1,5"), measured_number("1013,38"), measured_number("1,234")
    (20.18, -1.5, 1013.38, None)
    """
    x = _number(v)
    if x is None and isinstance(v, str):
        m = _DECIMAL_COMMA.match(v.strip())
        if m and (len(m.group(2)) != 3 or len(m.group(1).lstrip("+-")) > 3 or m.group(1).lstrip("+-") == "0"):
            return float(f"{m.group(1)}.{m.group(2)}")
    return x


def decimal_comma_column(values: pd.Series) -> bool:
    """Whether a column of measured numbers writes its decimals with a comma: some cell can be read only so
    (``'0,375'``, ``'3,3333333'``: not three digits after the comma) and no number in it has a decimal point.  Its
    ``'2,125'`` is then 2.125, not 2125: a spreadsheet that writes a decimal comma (a German or French Excel's
    semicolon CSV) groups thousands with a point or a space, never with the comma.

    >>> decimal_comma_column(pd.Series(["3,3333333", "2,125", "7"])), decimal_comma_column(pd.Series(["1,234", "2.5", "0,5"]))
    (True, False)
    >>> decimal_comma_column(pd.Series(["1,234", "5,678"])), decimal_comma_column(pd.Series([1.5, "0,5"]))
    (False, False)
    """
    cells = [v for v in pd.unique(values.dropna())]
    if any(isinstance(v, (float, np.floating)) and not float(v).is_integer() for v in cells):
        return False                      # a workbook's own decimal numbers beside the text
    strs = {str(v).strip() for v in cells if isinstance(v, str)}
    if any("." in s and _number(s) is not None for s in strs):
        return False
    return any(_DECIMAL_COMMA.match(s) is not None and measured_number(s) is not None for s in strs)


def comma_hint(v) -> str:
    """What to add to a "not a number" message for a cell like ``'1,234'`` (decimal comma or thousands?).

    >>> comma_hint("1,234")
    ": a decimal comma or a thousands separator? write it without the ambiguity ('1.234' or '1234')"
    >>> comma_hint("abc")
    ''
    """
    if isinstance(v, str) and _DECIMAL_COMMA.match(v.strip()):
        return (": a decimal comma or a thousands separator? write it without the ambiguity "
                f"({v.strip().replace(',', '.')!r} or {v.strip().replace(',', '')!r})")
    return ""


def _show(v) -> str:
    """A cell as an error quotes it: a string quoted, a number as written (an SPSS cell is a numpy float).

    >>> _show("abc"), _show(np.float64(-5.0)), _show(np.int64(7))
    ("'abc'", '-5.0', '7')
    """
    if isinstance(v, np.generic):
        v = v.item()
    s = repr(v)
    return s if len(s) <= 60 else s[:57] + "...'"


def map_unique(values: pd.Series, func, lines: np.ndarray, header: str, path, *, dtype=object,
               na=None, common_first: bool = False) -> np.ndarray:
    """Apply ``func`` to each distinct value of ``values``; blank cells give ``na``.

    ``func`` raises ``_Bad(cls, message)`` for a value it refuses; the error is re-raised as
    ``cls`` naming the line of the value's first occurrence.  ``common_first``: ``func`` sees the
    values from the most frequent down (a ``func`` that refuses a value for clashing with one seen
    before then refuses the rarer one, on its own row).
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes, uniques = values.cat.codes.to_numpy(), values.cat.categories
    else:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = np.empty(len(uniques) + 1, dtype=dtype)
    mapped[-1] = na
    bad_values: dict[int, _Bad] = {}
    order = range(len(uniques))
    if common_first and len(uniques) > 1:
        counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
        order = np.argsort(-counts, kind="stable")
    for k in order:
        u = uniques[k]
        try:
            mapped[k] = na if _blank(u) else func(u)
        except _Bad as bad:
            bad_values[k] = bad
    if bad_values:   # report the value on the earliest row (not the first distinct value)
        first = {k: int(np.argmax(codes == k)) for k in bad_values}
        k = min(first, key=first.get)
        bad = bad_values[k]
        raise bad.cls(path, bad.message, row=int(lines[first[k]]), column=header) from None
    return mapped[codes]   # code -1 (NaN) picks the last slot, ``na``


# -- items --------------------------------------------------------------------------
def recode_items(values: pd.Series, lines: np.ndarray, header: str, path, instrument, *,
                 strict: bool = False, continuous: bool = False, seen: dict | None = None,
                 forms: dict | None = None) -> np.ndarray:
    """Raw scale codes (float, NaN for no answer) of one item column.

    ``continuous=True`` (an item declared ``scale: continuous``) reads any finite number as
    it is and refuses text.  ``strict=True`` refuses a code outside the scale, saying "not a
    whole number" when that is what is wrong; the error names the earliest offending row.

    Two different wordings of one code in one column (``Disagree`` and ``Somewhat disagree``,
    both 2 in the instrument) mean the export's scale has more points than the instrument's
    (a 7-point agreement scale folded onto 1-5 would look like any other answers), so the
    second one is refused:

    >>> from iur_survey.instrument import load_instrument
    >>> inst = load_instrument()
    >>> recode_items(pd.Series(["Agree", "Disagree", "Somewhat agree"]), np.arange(4, 7), "Q5_2", "x.csv", inst)
    Traceback (most recent call last):
    ...
    iur_survey.errors.UnknownLabelError: x.csv:6:Q5_2: 'Somewhat agree' and 'Agree' both mean scale code 4: the export's scale has more points than the instrument's 1-5 (e.g. a 7-point agreement scale); describe its scale in the instrument (scale.labels, or the construct's own scale: {min, max, labels})

    >>> from iur_survey.instrument import load_instrument
    >>> inst = load_instrument()
    >>> recode_items(pd.Series(["3", "2.5", "4"]), np.arange(2, 5), "Q5_1", "x.csv", inst, strict=True)
    Traceback (most recent call last):
    ...
    iur_survey.errors.OutOfRangeError: x.csv:3:Q5_1: code 2.5 is not a whole number (the scale is 1-5; declare the item scale: continuous in the instrument if it is a score)
    >>> recode_items(pd.Series(["12.25", "-3", ""]), np.arange(2, 5), "x1", "x.csv", inst, continuous=True).tolist()
    [12.25, nan, nan]

    ``seen`` (a dict shared over an export's item columns) collects, per scale code, the wordings
    read and the first column of each, for :func:`scale_wording_notes`.  ``forms`` (a dict) receives
    the answers read as a ``"wording"`` and the bare ``"number"`` answers on the scale (distinct values),
    for :func:`mixed_forms_note`.
    """
    points = set(float(p) for p in instrument.scale_points)
    wordings: dict[int, str] = {}   # scale code -> the (normalised) wording this column wrote it with
    lab = instrument.labels
    hint = (f"the instrument's scale labels are e.g. {lab[min(lab)][0]!r}, {lab[sorted(lab)[1]][0]!r}, ..., "
            f"{lab[max(lab)][0]!r}" if len(lab) >= 3 else
            f"the instrument's scale labels are {', '.join(repr(lab[k][0]) for k in sorted(lab))} only"
            if len(lab) == 2 else
            "the instrument's scale has no wordings: list each under scale.labels, a no-answer one under missing_codes")

    def func(u):
        if instrument.is_missing_code(u):
            return math.nan
        x = _number(u)
        if x is None:
            if isinstance(u, str):
                if u.strip().lower() in ("nan", "na", "n/a"):
                    return math.nan
                code = instrument.code_for_label(u)
                if code is not None:
                    key = normalise_label(u)
                    first = wordings.setdefault(code, key)
                    if seen is not None:
                        seen.setdefault(code, {}).setdefault(key, header)
                    if forms is not None:
                        forms.setdefault("wording", []).append(u)
                    if first != key:
                        raise _Bad(UnknownLabelError,
                                   f"{_show(u.strip())} and {_show(_wording(instrument, code, first))} both mean "
                                   f"scale code {code}: the export's scale has more points than the instrument's "
                                   f"{instrument.scale_min}-{instrument.scale_max} (e.g. a 7-point agreement "
                                   f"scale); describe its scale in the instrument (scale.labels, or the "
                                   f"construct's own scale: {{min, max, labels}})")
                    return float(code)
                raise _Bad(UnknownLabelError, f"unknown response label {_show(u.strip())} ({hint})")
            raise _Bad(UnknownLabelError, f"unexpected {type(u).__name__} value {_show(u)} in an item column")
        if math.isnan(x):
            return math.nan
        if math.isinf(x):
            raise _Bad(OutOfRangeError, f"code {x} is not a finite number")
        if strict and not continuous and x not in points:
            if not x.is_integer():
                raise _Bad(OutOfRangeError, f"code {x:g} is not a whole number (the scale is "
                                            f"{instrument.scale_min}-{instrument.scale_max}; declare the item "
                                            f"scale: continuous in the instrument if it is a score)")
            raise _Bad(OutOfRangeError, f"code {x:g} is outside the scale {instrument.scale_min}-"
                                        f"{instrument.scale_max}")
        if forms is not None and x in points:
            forms.setdefault("number", []).append(u)
        return x

    comma = continuous and decimal_comma_column(values)     # '2,125' beside '0,375': a decimal comma

    def func_continuous(u):
        if instrument.is_missing_code(u):
            return math.nan
        x = measured_number(u)
        if x is None and comma and isinstance(u, str) and _DECIMAL_COMMA.match(u.strip()):
            x = float(u.strip().replace(",", "."))
        if x is None:
            if isinstance(u, str) and u.strip().lower() in ("nan", "na", "n/a"):
                return math.nan
            raise _Bad(UnknownLabelError, f"{_show(u)} is not a number (the item is declared continuous)"
                                          f"{comma_hint(u)}")
        if math.isinf(x):
            raise _Bad(OutOfRangeError, f"value {x} is not a finite number")
        return x

    if continuous:
        return map_unique(values, func_continuous, lines, header, path, dtype=np.float64, na=math.nan)

    return map_unique(values, func, lines, header, path, dtype=np.float64, na=math.nan, common_first=True)


def mixed_forms_note(mixed: list[tuple[str, pd.Series, dict]], lines: np.ndarray) -> str | None:
    """The warning for item columns holding both scale wordings and bare numbers on the scale.

    A wording is read through ``scale.labels``, a number as the instrument's code as it stands: two
    downloads of one survey pasted together (Qualtrics' choice text and numeric values, 问卷星's
    按文本 and 按序号) number the choices as the platform does, which may be the other way round.
    ``mixed`` holds (header, column, :func:`recode_items`' ``forms``) of each such column.

    >>> mixed_forms_note([("Q1", pd.Series(["3", "Agree", "2"]), {"wording": ["Agree"], "number": ["2", "3"]})],
    ...                  np.array([4, 5, 6]))[:68]
    "item column Q1 ('Agree', row 5; '3', row 4) mixes scale wordings and"
    """
    if not mixed:
        return None
    parts = []
    for header, values, forms in mixed[:3]:
        shown = []
        for kind in ("wording", "number"):
            first = int(np.argmax(values.isin(forms[kind]).to_numpy()))
            shown.append(f"{_show(str(values.iloc[first]).strip())}, row {int(lines[first])}")
        parts.append(f"{header} ({'; '.join(shown)})")
    more = f" and {len(mixed) - 3} more" if len(mixed) > 3 else ""
    return (f"item column{'s' if len(mixed) > 1 else ''} {', '.join(parts)}{more} mix{'' if len(mixed) > 1 else 'es'} "
            f"scale wordings and bare numbers: a wording is read through scale.labels, a number as the instrument's "
            f"code as it stands; numbers from a numeric download (Qualtrics 'numeric values', 问卷星 按序号) may count "
            f"the choices the other way round: export the whole file in one form")


def split_forms_note(worded: list[str], numbered: list[str]) -> str | None:
    """The warning for item columns read from scale wordings beside item columns holding bare numbers only.

    Each column alone is read one way, but together they are the case of :func:`mixed_forms_note` across
    columns: the wordings go through ``scale.labels``, the numbers stand as the instrument's codes, and a tool
    (or a download pasted in by columns) may number the choices the other way round, leaving a construct
    half reversed.

    >>> split_forms_note(["Q1_1", "Q1_2"], ["Q1_3"])[:83]
    'item columns Q1_1, Q1_2 hold scale wordings and item column Q1_3 bare numbers only:'
    >>> split_forms_note(["Q1_1"], []) is None
    True
    """
    if not worded or not numbered:
        return None

    def cols(h):
        return f"item column{'s' if len(h) > 1 else ''} {', '.join(h[:4])}{' ...' if len(h) > 4 else ''}"

    return (f"{cols(worded)} hold{'' if len(worded) > 1 else 's'} scale wordings and {cols(numbered)} bare numbers "
            f"only: the wordings are read through scale.labels, the numbers as the instrument's codes as they stand; "
            f"if the tool numbers the choices the other way round, those items come out reversed against the "
            f"others: check which way the numbers run, or export every item in one form")


def scale_wording_notes(seen: dict, codes: dict, instrument) -> list[str]:
    """What the wordings of an export's item columns say about its scale, as warnings:

    * one code written two ways in different columns of one construct (``Agree`` in one,
      ``Somewhat agree`` in another; the statements of one matrix question share its options): a
      scale with more points than the instrument's, split over the columns (a 7-point scale whose
      columns each use some of its wordings), read as the instrument's codes;
    * a scale code between the lowest and highest answers that no item answer has, although
      the answers are wordings (a 4-point set SD/D/A/SA read as 1, 2, 4, 5: the midpoint never occurs).

    ``seen`` maps each construct to :func:`recode_items`' ``seen`` of its columns (code -> {wording:
    first column}); ``codes`` holds the recoded item columns.

    >>> from iur_survey.instrument import load_instrument
    >>> inst = load_instrument()
    >>> seen = {"GOV": {4: {"agree": "Q1", "somewhat agree": "Q2"}, 2: {"disagree": "Q1"}}}
    >>> scale_wording_notes(seen, {"GOV1": np.array([2.0, 4.0] * 30)}, inst)[0][:72]
    "the export writes scale code 4 as 'Agree' (Q1) and 'Somewhat agree' (Q2)"
    >>> scale_wording_notes({}, {"GOV1": np.array([1.0, 2, 4, 5] * 30)}, inst)
    []
    >>> scale_wording_notes({"GOV": {4: {"agree": "Q1"}}}, {"GOV1": np.array([1.0, 2, 4, 5] * 30)}, inst)[0][:62]
    'no item answer is scale code 3 (Neither agree nor disagree) in'
    """
    out = []
    lo, hi = instrument.scale_min, instrument.scale_max
    split: dict = {}                        # code -> the wordings of the first construct that writes it two ways
    for per in seen.values():
        for code, words in per.items():
            if len(words) > 1:
                split.setdefault(code, words)
    for code, words in sorted(split.items(), key=lambda kv: kv[0]):
        shown = " and ".join(f"{_show(_wording(instrument, code, k))} ({h})" for k, h in list(words.items())[:3])
        out.append(f"the export writes scale code {code} as {shown}: if its scale has more points than the "
                   f"instrument's {lo}-{hi} (e.g. a 7-point agreement scale, each column using some of its "
                   f"wordings), its answers are read on the wrong codes; describe its scale in the instrument "
                   f"(scale.labels)")
    if any(seen.values()) and codes:
        vals = np.concatenate([np.asarray(v, dtype=float) for v in codes.values()])
        vals = vals[~np.isnan(vals)]
        points = [int(p) for p in instrument.scale_points]
        if len(vals) >= 10 * len(points):
            absent = [p for p in points if vals.min() < p < vals.max() and not (vals == p).any()]
            for p in absent:
                words = instrument.labels.get(p, ())
                what = f" ({words[0]})" if words else ""
                out.append(f"no item answer is scale code {p}{what} in {len(vals)} answers read from wordings: "
                           f"if the export's scale has fewer points (e.g. a 4-point set without a midpoint), its "
                           f"answers are read on the wrong codes; describe its scale in the instrument "
                           f"(scale.labels)")
    return out


def construct_scale_notes(codes: dict, instrument, worded: set | None = None) -> list[str]:
    """Warnings for a construct whose answers look like a scale other than its own, read construct by construct
    (a 4-point construct among 5-point ones looks like any other in the pooled answers):

    * numbers: the answers are every code of a run that starts (or ends) at the scale's end and stops short of
      the other, in at least 30 answers per point: a scale with fewer points (1-4 on a 1-5 scale, 1-5 on a 1-7
      scale; its reverse-keyed items are then reversed on the wrong scale);
    * wordings (the construct's columns in ``worded``): a code between the lowest and highest answer never
      occurs, though other constructs' answers have it (else :func:`scale_wording_notes` says so): a set
      without a midpoint (SD/D/A/SA read as 1, 2, 4, 5).

    >>> from iur_survey.instrument import load_instrument
    >>> inst = load_instrument()
    >>> tal = {f"TAL{i}": np.array([1.0, 2, 3, 4] * 40) for i in range(1, 5)}
    >>> construct_scale_notes(tal, inst)[0][:89]
    'construct TAL: no answer is 5 (of 640 answers, every code 1-4 of its scale 1-5 is): if it'
    >>> worded = {**{c: np.array([1.0, 2, 4, 5] * 40) for c in tal}, "GOV1": np.array([3.0])}
    >>> construct_scale_notes(worded, inst, set(worded))[0][:64]
    'construct TAL: no answer is 3 (Neither agree nor disagree) in 64'
    >>> construct_scale_notes({c: np.array([1.0, 2, 3, 4, 5] * 40) for c in tal}, inst)
    []
    """
    out = []
    pooled = {}                     # code -> whether any worded answer on its scale is it (the pooled check's)
    if worded:
        for c in worded:
            v = np.asarray(codes[c], dtype=float)
            key = instrument.scale_of(c)
            pooled[key.text] = pooled.get(key.text, set()) | set(np.unique(v[~np.isnan(v)]).astype(int).tolist())
    for con in instrument.constructs.values():
        cols = [c for c in con.items if c in codes and not instrument.items[c].continuous]
        if not cols or len({instrument.scale_of(c) for c in cols}) > 1:
            continue
        sc = instrument.scale_of(cols[0])
        vals = np.concatenate([np.asarray(codes[c], dtype=float) for c in cols])
        vals = vals[~np.isnan(vals)]
        if len(vals) < 30 * sc.n_points:
            continue
        held = {int(p) for p in sc.points if (vals == p).any()}
        words = worded is not None and all(c in worded for c in cols)
        if words:
            for p in sc.points:
                if p not in held and vals.min() < p < vals.max() and p in pooled.get(sc.text, ()):
                    w = sc.labels.get(p, ())
                    out.append(f"construct {con.code}: no answer is {p}{f' ({w[0]})' if w else ''} in {len(vals)} "
                               f"answers read from wordings: if its scale has fewer points (e.g. a 4-point set "
                               f"without a midpoint), they are read on the wrong codes; give the construct its own "
                               f"scale (constructs.{con.code}.scale: {{min, max, labels}})")
            continue
        if not held:
            continue
        lo, hi = min(held), max(held)
        if held == set(range(lo, hi + 1)) and (lo, hi) != (sc.min, sc.max) and (lo == sc.min or hi == sc.max):
            gone = f"{hi + 1}" if hi + 1 == sc.max else f"{hi + 1}-{sc.max}" if lo == sc.min else \
                f"{sc.min}" if lo - 1 == sc.min else f"{sc.min}-{lo - 1}"
            out.append(f"construct {con.code}: no answer is {gone} (of {len(vals)} answers, every code {lo}-{hi} "
                       f"of its scale {sc.text} is): if it was asked on a scale with fewer points, its answers (and "
                       f"the reverse scoring of its reverse-keyed items) are on the wrong codes; give the construct "
                       f"its own scale (constructs.{con.code}.scale: {{min, max, labels}})")
    return out


def scale_groups(instrument, codes) -> list[tuple[object, list[str]]]:
    """The item and attention columns ``codes`` grouped by answer scale, each with the instrument seen from that
    scale (:meth:`~iur_survey.instrument.Instrument.for_item`); one group, the instrument itself, when every
    column is on the top-level scale.

    >>> from iur_survey.instrument import load_instrument
    >>> inst = load_instrument()
    >>> [(view is inst, cols) for view, cols in scale_groups(inst, ["GOV1", "INT1", "ATT1"])]
    [(True, ['GOV1', 'INT1', 'ATT1'])]
    """
    groups: dict[int, tuple[object, list[str]]] = {}
    for c in codes:
        view = instrument.for_item(c)
        groups.setdefault(id(view), (view, []))[1].append(c)
    return list(groups.values())


def _wording(instrument, code: int, key: str) -> str:
    """The instrument's spelling of the normalised wording ``key`` of ``code``."""
    return next((w for w in instrument.labels.get(code, ()) if normalise_label(w) == key), key)


def recode_role(values: pd.Series, lines: np.ndarray, header: str, path, instrument) -> np.ndarray:
    """Canonical group keys (object array, ``None`` for no answer).

    A value must be one of the wordings listed for a group (or the group's key); a numeric
    code is matched as the wording ``"1"``, ``"2"``..., never as the group's position in
    the instrument.  An explicit "other" answer (:func:`is_other_group`) is none of the
    study's groups: it is read as no answer, never as a group (the reader counts and warns).
    A code no group lists is refused, naming the fix and the groups' wordings in the
    language of the answer.

    >>> from iur_survey.instrument import load_instrument
    >>> recode_role(pd.Series(["高校", "Government", ""]), np.array([2, 3, 4]), "Q1", "q.csv", load_instrument()).tolist()
    ['university', 'government', None]
    >>> recode_role(pd.Series(["其他", "Other (please specify)"]), np.array([2, 3]), "Q1", "q.csv",
    ...             load_instrument()).tolist()
    [None, None]
    >>> recode_role(pd.Series(["国企"]), np.array([2]), "Q1", "q.csv", load_instrument())
    Traceback (most recent call last):
    ...
    iur_survey.errors.UnknownLabelError: q.csv:2:Q1: unknown stakeholder group '国企' (known: '企业', '高校', '科研院所', '政府'); list it under its group in the instrument's groups:, or, if it stands for no group of the study, add it to missing_codes (those respondents are then kept without a role)
    >>> recode_role(pd.Series(["4"]), np.array([2]), "Q1", "q.csv", load_instrument())
    Traceback (most recent call last):
    ...
    iur_survey.errors.UnknownLabelError: q.csv:2:Q1: group code 4 is not among the wordings of any group (codes are matched as wordings, not as positions: list '4' under the group it stands for in the instrument's groups:)
    """
    keys = list(instrument.groups)

    def func(u):
        if instrument.is_missing_code(u):
            return None
        key = group_of_value(u, instrument)
        if key is not None:
            return key
        if isinstance(u, str) and u.strip() in ("NA", "N/A", "nan"):   # R / pandas missing markers
            return None
        if is_other_group(u):
            return None
        x = _number(u)
        if x is not None:
            raise _Bad(UnknownLabelError, f"group code {x:g} is not among the wordings of any group (codes are "
                                          f"matched as wordings, not as positions: list '{x:g}' under the group "
                                          f"it stands for in the instrument's groups:)")
        known = ", ".join(repr(group_wording(instrument, k, u)) for k in keys)
        raise _Bad(UnknownLabelError, f"unknown stakeholder group {_show(u)} (known: {known}); list it under its "
                                      f"group in the instrument's groups:, or, if it stands for no group of the "
                                      f"study, add it to missing_codes (those respondents are then kept without "
                                      f"a {instrument.group_column})")

    return map_unique(values, func, lines, header, path)


#: an explicit "other" answer to the group question: "Other", "Others", 其他/其它, with a "please specify" note
#: and/or the respondent's own words (问卷星 writes ``其他〖...〗``), or LimeSurvey's code ``-oth-``; matched after
#: :func:`normalise_label`
_OTHER_GROUP = re.compile(r"^(?:-oth-|(?:others?|其他|其它)(?:\s*(?:\(.*?\)|〖.*?〗|\[.*?\]))?(?:\s*[:,;/\-].*)?)$",
                          re.S)
_HAN = re.compile(r"[\u3400-\u9fff]")


def is_other_group(u) -> bool:
    """Whether ``u`` is an explicit "other" answer to the group question, which names none of the study's groups.

    >>> [is_other_group(v) for v in ["其他", "其它", " Others ", "Other (please specify)", "其他〖国有企业〗",
    ...                               "其他（请注明）", "Otherwise", "企业", 3]]
    [True, True, True, True, True, True, False, False, False]

    LimeSurvey writes its "Other" option as the code ``-oth-``; a "please specify" text may follow the note:

    >>> is_other_group("-oth-"), is_other_group("Other (please specify): a spin-off"), is_other_group("-oth-x")
    (True, True, False)
    """
    return isinstance(u, str) and _OTHER_GROUP.match(normalise_label(u)) is not None


def group_wording(instrument, key: str, like=None) -> str:
    """The instrument's first wording of group ``key`` in the language of ``like`` (Chinese when ``like`` holds
    Chinese characters and the group has a Chinese wording; otherwise the first wording); a wording that is a
    number (an export's answer code, ``"2"``) only when the group has no other.

    >>> from iur_survey.instrument import load_instrument, parse_instrument
    >>> inst = load_instrument()
    >>> group_wording(inst, "university"), group_wording(inst, "university", "国企")
    ('University', '高校')
    >>> inst = parse_instrument({"scale": {"min": 1, "max": 5}, "constructs": {"A": {"items": ["A1", "A2"]}},
    ...                          "groups": {"female": ["2", "Female"], "male": ["1"]}})
    >>> group_wording(inst, "female"), group_wording(inst, "male")
    ('Female', '1')
    """
    words = instrument.groups[key] or (key,)
    words = [w for w in words if _number(w) is None] or list(words)
    if isinstance(like, str) and _HAN.search(like):
        return next((w for w in words if _HAN.search(w)), words[0])
    return next((w for w in words if not _HAN.search(w)), words[0])


def group_of_value(u, instrument) -> str | None:
    """The group whose listed wording ``u`` is (a number as its plain text: 2.0 -> ``"2"``).

    >>> from iur_survey.instrument import parse_instrument
    >>> inst = parse_instrument({"scale": {"min": 1, "max": 5}, "constructs": {"A": {"items": ["A1", "A2"]}},
    ...                          "groups": {"female": ["2", "Female"], "male": ["1", "Male"]}})
    >>> group_of_value(1.0, inst), group_of_value("2", inst), group_of_value(" male ", inst), group_of_value(3, inst)
    ('male', 'female', 'male', None)
    """
    if isinstance(u, (bool, np.bool_)):
        return None
    if isinstance(u, str):
        return instrument.group_for_label(u)
    x = _number(u)
    if x is None:
        return None
    return instrument.group_for_label(str(int(x)) if x.is_integer() else repr(x)) if math.isfinite(x) else None


#: a column is a candidate for the group question when at least this share of its answers are group wordings
ROLE_ANSWER_SHARE = 0.8


def is_role_column(values: pd.Series, instrument) -> bool:
    """Whether a column's answers look like the group question's: text, and at least 80 % of the
    answered cells group wordings (other answers do not hide the question; the reader then refuses
    them as it does under a matching header).  An explicit "other" (:func:`is_other_group`) counts
    as no answer.

    >>> from iur_survey.instrument import load_instrument
    >>> inst = load_instrument()
    >>> is_role_column(pd.Series(["企业", "", "Government"]), inst), is_role_column(pd.Series(["1", "2"]), inst)
    (True, False)
    >>> is_role_column(pd.Series(["企业"] * 9 + ["国企"]), inst), is_role_column(pd.Series(["企业", "国企"]), inst)
    (True, False)
    >>> is_role_column(pd.Series(["企业", "其他"]), inst), is_role_column(pd.Series(["其他"]), inst)
    (True, False)
    """
    counts = values.dropna().value_counts(sort=False)
    group = other = 0
    for u, k in counts.items():
        if _blank(u) or instrument.is_missing_code(u) or (is_other_group(u) and instrument.group_for_label(u) is None):
            continue
        if not isinstance(u, str) or _number(u) is not None:
            return False
        if instrument.group_for_label(u) is None:
            other += int(k)
        else:
            group += int(k)
    return group > 0 and group >= ROLE_ANSWER_SHARE * (group + other)


# -- metadata -----------------------------------------------------------------------
def recode_status(values, lines, header, path) -> np.ndarray:
    """Qualtrics Status text or numeric codes -> the status text (``"IP Address"``, ...).

    >>> recode_status(pd.Series(["0", "Spam", "16"]), np.array([4, 5, 6]), "Status", "q.csv").tolist()
    ['IP Address', 'Spam', 'Offline']

    A text that is not one of Qualtrics' statuses is refused: a preview or test in another
    language would otherwise pass as an ordinary response.

    >>> recode_status(pd.Series(["IP Address", "Umfragevorschau"]), np.array([4, 5]), "Status", "q.csv")
    Traceback (most recent call last):
    ...
    iur_survey.errors.UnknownLabelError: q.csv:5:Status: unknown status 'Umfragevorschau' (Qualtrics' Response Type is one of 'IP Address', 'Survey Preview', 'Survey Test', 'Imported', 'Spam', 'Offline', 'EX', 'Synthetic', ...); export in English, or, if it is no Qualtrics status, map it to ignore in the instrument (columns: {'Status': ignore})
    """
    def func(u):
        x = _number(u)
        if x is not None:
            if x.is_integer() and int(x) in QUALTRICS_STATUS:
                return QUALTRICS_STATUS[int(x)]
            raise _Bad(UnknownLabelError, f"unknown Qualtrics status code {_show(u)} (known: "
                                          f"{', '.join(str(k) for k in QUALTRICS_STATUS)})")
        if isinstance(u, str):
            s = _STATUS_TEXT.get(u.strip().lower())
            if s is None:   # a translated or edited status: which kind it is would be a guess
                raise _Bad(UnknownLabelError, f"unknown status {_show(u.strip())} (Qualtrics' Response Type is one "
                                              f"of {', '.join(repr(v) for v in _STATUS_NAMES)}); export in English, "
                                              f"or, if it is no Qualtrics status, map it to ignore in the instrument "
                                              f"(columns: {{{header!r}: ignore}})")
            return s
        raise _Bad(UnknownLabelError, f"unexpected status value {_show(u)}")

    return map_unique(values, func, lines, header, path)


def recode_finished(values, lines, header, path) -> np.ndarray:
    """True/False, 1/0, 是/否 -> bool (object array, ``None`` where blank).

    >>> recode_finished(pd.Series(["True", "0", ""]), np.array([4, 5, 6]), "Finished", "q.csv").tolist()
    [True, False, None]
    """
    def func(u):
        if isinstance(u, (bool, np.bool_)):
            return bool(u)
        x = _number(u)
        if x is not None and x in (0.0, 1.0):
            return bool(x)
        s = str(u).strip().lower()
        if s in _TRUE:
            return True
        if s in _FALSE:
            return False
        raise _Bad(UnknownLabelError, f"cannot read {_show(u)} as finished/unfinished (True/False or 1/0)")

    return map_unique(values, func, lines, header, path)


def _num_func(what):
    def func(u):
        x = measured_number(u)
        if x is None or math.isinf(x):
            raise _Bad(ReadError, f"{what} {_show(u)} is not a number{comma_hint(u)}")
        return x
    return func


def recode_progress(values, lines, header, path) -> np.ndarray:
    """Progress percentages as float.

    >>> recode_progress(pd.Series(["100", "", "37.5"]), np.array([4, 5, 6]), "Progress", "q.csv").tolist()
    [100.0, nan, 37.5]
    """
    return map_unique(values, _num_func("progress"), lines, header, path, dtype=np.float64, na=math.nan)


class ProgressScaleWarning(UserWarning):
    """A Progress column of fractions (0-1) read as percentages (x100)."""


def progress_scale(progress: np.ndarray, finished, lines: np.ndarray, header: str, path) -> tuple[np.ndarray, str | None]:
    """``progress`` as percentages 0-100, and what had to be assumed (a warning) or a typed refusal.

    Qualtrics writes Progress as whole percentages 0-100; a column rewritten as fractions
    (1 = finished, 0.45 = 45 %) would make every response unfinished.  Values all within
    [0, 1] are read as fractions (x100, with a warning) when one lies strictly between 0
    and 1, or when the Finished column (``finished``: True/False/None per row, or ``None``)
    says finished exactly where Progress is 1.  A column of only 0 and 1 without that is
    ambiguous (1 % or 100 %?) and refused, as is a Progress outside 0-100, or fractions that a
    Finished column contradicts (finished, yet below 1).

    >>> p, said = progress_scale(np.array([1.0, 0.45, np.nan]), None, np.array([2, 3, 4]), "Progress", "x.csv")
    >>> p.tolist(), said
    ([100.0, 45.0, nan], 'Progress holds fractions 0-1 (0.45 on row 3), not percentages 0-100: read as percentages (x100)')
    >>> progress_scale(np.array([1.0, 0.0]), None, np.array([2, 3]), "Progress", "x.csv")
    Traceback (most recent call last):
    ...
    iur_survey.errors.ReadError: x.csv:2:Progress: Progress holds only 0 and 1 and no Finished column says which rows finished: 1 may be 1 % or 100 %; save the column as percentages 0-100, or name it Finished if it says finished (1) or not (0)
    """
    known = ~np.isnan(progress)
    if not known.any():
        return progress, None
    bad = known & ((progress < 0) | (progress > 100))
    if bad.any():
        k = int(np.argmax(bad))
        raise ReadError(path, f"progress {progress[k]:g} is outside 0-100 (a percentage)", row=int(lines[k]),
                        column=header)
    v = progress[known]
    if v.max() > 1:
        return progress, None                                        # percentages
    between = known & (progress > 0) & (progress < 1)
    fin = None if finished is None else np.array([None if f is None or f is pd.NA else bool(f) for f in finished],
                                                  dtype=object)
    done = np.zeros(len(progress), bool) if fin is None else np.array([f is True for f in fin])
    if between.any():
        k = int(np.argmax(between))
        contra = done & known & (progress < 1)
        if contra.any():
            j = int(np.argmax(contra))
            raise ReadError(path, f"{header} holds fractions 0-1 (e.g. {progress[k]:g} on row {int(lines[k])}) but "
                                  f"this response is finished at {progress[j]:g}: neither percentages nor fractions; "
                                  f"check the Progress and Finished columns", row=int(lines[j]), column=header)
        return np.round(progress * 100, 9), (f"{header} holds fractions 0-1 ({progress[k]:g} on row {int(lines[k])}), "
                                             f"not percentages 0-100: read as percentages (x100)")
    ones = known & (progress == 1)
    if not ones.any():
        return progress, None                                        # all 0: 0 % either way
    if done.any() and not (done & known & (progress != 1)).any() and not (ones & ~done).any():
        return progress * 100, (f"{header} holds only 0 and 1, and 1 exactly where Finished says finished: read as "
                                f"fractions, i.e. percentages 0 and 100")
    if done.any() or fin is None or all(f is None for f in fin):
        k = int(np.argmax(ones))
        if fin is None or all(f is None for f in fin):
            raise ReadError(path, f"{header} holds only 0 and 1 and no Finished column says which rows finished: 1 "
                                  f"may be 1 % or 100 %; save the column as percentages 0-100, or name it Finished if "
                                  f"it says finished (1) or not (0)", row=int(lines[k]), column=header)
        j = int(np.argmax(done & known & (progress != 1))) if (done & known & (progress != 1)).any() \
            else int(np.argmax(ones & ~done))
        raise ReadError(path, f"{header} holds only 0 and 1 and does not agree with the Finished column (1 % or "
                              f"100 %?): save the column as percentages 0-100", row=int(lines[j]), column=header)
    return progress, None                                            # nobody finished: 0 % and 1 %, read as such


def parse_duration(text) -> float:
    """Seconds from ``583``, ``"583秒"``, ``"2分30秒"``, ``"1小时2分3秒"``, ``"0:02:53"`` or a workbook
    time span (raises ``ValueError``); ``"20,18"`` is 20.18 s (a decimal comma: :func:`measured_number`).

    >>> parse_duration("0:02:53"), parse_duration(_dt.timedelta(minutes=2, seconds=53)), parse_duration(_dt.time(0, 2, 53))
    (173.0, 173.0, 173.0)
    """
    x = measured_number(text)
    if x is not None:
        return x
    if isinstance(text, (_dt.timedelta, pd.Timedelta)):
        return float(pd.Timedelta(text).total_seconds())
    if isinstance(text, _dt.time):      # a workbook cell formatted [h]:mm:ss under a day
        return float(text.hour * 3600 + text.minute * 60 + text.second + text.microsecond / 1e6)
    s = str(text).strip()
    hms = _HMS.match(s)
    if hms:
        h, m, sec = hms.groups()
        return float(h) * 3600 + float(m) * 60 + float(sec)
    m = _DURATION.match(s)
    if not s or not m or not any(m.groups()):
        raise ValueError(f"not a duration: {text!r}")
    d, h, mi, se = (float(g) if g else 0.0 for g in m.groups())
    return ((d * 24 + h) * 60 + mi) * 60 + se


def recode_duration(values, lines, header, path) -> np.ndarray:
    """Durations in seconds (float).

    >>> recode_duration(pd.Series(["583秒", "2分30秒", ""]), np.array([2, 3, 4]), "所用时间", "w.csv").tolist()
    [583.0, 150.0, nan]
    """
    def func(u):
        try:
            x = parse_duration(u)
        except ValueError:
            raise _Bad(ReadError, f"duration {_show(u)} is neither seconds nor like '2分30秒' or '0:02:53'"
                                  f"{comma_hint(u)}") from None
        if math.isinf(x):
            raise _Bad(ReadError, f"duration {_show(u)} is not finite")
        if x < 0:       # every respondent would be judged against a median it distorts
            raise _Bad(ReadError, f"duration {_show(u)} is negative")
        return x

    return map_unique(values, func, lines, header, path, dtype=np.float64, na=math.nan)


def recode_ip(values: pd.Series, lines, header, path) -> pd.Series:
    """IP addresses as ``string``; Wenjuanxing's ``"223.104.3.1(北京-北京)"`` loses the place.

    >>> recode_ip(pd.Series(["223.104.3.1(北京-北京)", ""]), np.array([2, 3]), "来自IP", "w.csv").tolist()
    ['223.104.3.1', <NA>]
    """
    arr = values.to_numpy(dtype=object)
    if _all_str(arr):
        if "(" not in "".join(arr) and "（" not in "".join(arr):   # Qualtrics: plain addresses
            out = pd.array(arr, dtype="string")
            out[arr == ""] = pd.NA
            return out
        cut = np.array([x.split("(", 1)[0].split("（", 1)[0].strip() for x in arr], dtype=object)
        out = pd.array(cut, dtype="string")
        out[cut == ""] = pd.NA
        return out

    def func(u):
        return _IP_SUFFIX.sub("", str(u).strip()) or None

    return pd.array(map_unique(values, func, lines, header, path), dtype="string")


def recode_id(values: pd.Series, lines, header, path) -> pd.Series:
    """Response ids as ``string`` (a workbook's number 12 or 12.0 reads as ``"12"``).

    >>> recode_id(pd.Series([12, 13.0, "R_x"], dtype=object), np.array([2, 3, 4]), "序号", "w.xlsx").tolist()
    ['12', '13', 'R_x']
    >>> recode_id(pd.Series(["R_1", "li.na@example.com"]), np.array([2, 3]), "id", "p.csv")
    Traceback (most recent call last):
    ...
    iur_survey.errors.ReadError: p.csv:3:id: the response id holds an e-mail address: ids are written to the clean data and the ledger, where no personal data may go; map a column of anonymous ids as the id (instrument columns:), or remove this one (the row number is then the id)
    """
    arr = values.to_numpy(dtype=object)
    if _all_str(arr):   # text files: no per-value work
        out = pd.array(arr, dtype="string")
        out[arr == ""] = pd.NA
    else:
        def func(u):
            if isinstance(u, (float, np.floating)) and float(u).is_integer():
                return str(int(u))
            return str(u)

        out = pd.array(map_unique(values, func, lines, header, path), dtype="string")
    _refuse_personal_ids(out, lines, header, path)
    return out


#: what a cell must show to be checked for personal data (a value without it holds none of the patterns)
_PERSONAL_HINT = re.compile(r"[@:]|\d(?:\d{3}|\.\d+\.\d)")     # "@", ":", 4 digits, or digits.digits.digit
#: what to do about an id column that holds personal data
PERSONAL_ID_ADVICE = ("ids are written to the clean data and the ledger, where no personal data may go; map a "
                      "column of anonymous ids as the id (instrument columns:), or remove this one (the row "
                      "number is then the id)")


def matching(pattern: re.Pattern, texts, could=None) -> np.ndarray:
    """Which of ``texts`` (``str``) ``pattern`` finds something in (``pattern.search``), as a mask.

    One search over the texts joined by line breaks, for a pattern none of whose matches
    holds a line break (:data:`_PERSONAL_HINT`, :data:`~iur_survey.errors.EMAIL`): no match
    spans two texts, and every text that holds a match holds one the search finds.  When the
    texts are ASCII, ``could`` (a function of their bytes, ``uint8``, to a mask of the bytes
    where a match may start, a superset) leaves out the texts without such a byte before the
    search (:data:`_PERSONAL_COULD`, :data:`_WORDS_COULD`: a search costs 50-100 ms per 100,000 ids).

    >>> matching(_PERSONAL_HINT, ["R_1", "a@b", "", "x:y", "R_12345"]).tolist()
    [False, True, False, True, True]
    >>> matching(_PERSONAL_HINT, ["R_1", "a@b", "", "x:y", "R_12345", "1.2.3"], _PERSONAL_COULD).tolist()
    [False, True, False, True, True, True]
    """
    texts = list(texts)
    out = np.zeros(len(texts), dtype=bool)
    if not texts:
        return out
    sizes = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    starts = np.cumsum(sizes + 1) - sizes - 1               # where each text starts in the joined one
    joined = "\n".join(texts)
    if could is not None and joined.isascii():
        maybe = np.flatnonzero(could(np.frombuffer(joined.encode("ascii"), dtype=np.uint8)))
        some = np.unique(np.searchsorted(starts, maybe, side="right") - 1)
        if len(some) < len(texts):
            out[some] = matching(pattern, [texts[i] for i in some])
            return out
    at = np.array([m.start() for m in pattern.finditer(joined)], dtype=np.int64)
    out[np.searchsorted(starts, at, side="right") - 1] = True
    return out


def _PERSONAL_COULD(b: np.ndarray) -> np.ndarray:
    """Where :data:`_PERSONAL_HINT` may match in ASCII bytes: ``@``, ``:``, or a digit before a digit or a dot."""
    digit = (b >= 48) & (b <= 57)
    out = (b == 64) | (b == 58)
    out[:-1] |= digit[:-1] & (digit[1:] | (b[1:] == 46))
    return out


#: the ASCII characters ``[^\S\n]`` matches (white space but the line break)
_ASCII_SPACE = np.array([c.isspace() and c != "\n" for c in map(chr, range(256))])


def _WORDS_COULD(b: np.ndarray) -> np.ndarray:
    """Where :data:`_WORDS_HINT` may match in ASCII bytes (no CJK letter there): at white space but the line
    break (the match holds one; a superset of where it starts, which does not matter to the texts it leaves)."""
    return _ASCII_SPACE[b]


#: a letter of a CJK script (Han, kana, Hangul): a cell of them is a name or words, never a platform's code
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
#: what an id must show to be checked for being words (a CJK letter, or two letters with a space between)
_WORDS_HINT = re.compile(f"[{_CJK}]|[^\\W\\d_][^\\S\\n]+[^\\W\\d_]")
#: words: letters, with spaces, dots, apostrophes, hyphens or a middle dot between them; no digit, no underscore
_WORDS = re.compile(r"[^\W\d_]+(?:[\s.'’·・-]+[^\W\d_]+)*")


def words_id(text: object) -> bool:
    """Whether an id is words rather than a code: letters only (no digit, no underscore), with a CJK letter or
    two words or more ("王芳", "Zhang San", "阿卜杜拉·买买提").  Such an id is a person's name as often as not, and
    no survey platform writes one (their ids are numbers or codes: ``R_3kT9a0Bc1dE2fG``, ``114047938547``);
    one word in Latin letters says nothing (a Qualtrics id may hold no digit).

    >>> [words_id(x) for x in ("王芳", "Zhang San", "阿卜杜拉·买买提", "企业01", "R_abcDEF", "P 17", "anon")]
    [True, True, True, False, False, False, False]
    """
    text = str(text).strip()
    return bool(_WORDS.fullmatch(text)) and bool(_WORDS_HINT.search(text))


#: a UUID, as KoBoToolbox's ``_uuid``, ODK's ``instanceID`` (``uuid:...``) and other platforms write their ids: random
#: hex, whose digit-only groups (``04301938-0851-...``, ``...-9814-4328-9622-...``) look like a phone number written
#: with dashes (about 1 UUID in 120), but hold no personal data
_UUID = re.compile(r"(?:uuid:)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)


def _refuse_personal_ids(ids, lines, header, path) -> None:
    """Refuse ids that hold personal data (:func:`iur_survey.errors.personal_kind`), naming the first row; the
    value is never quoted.  A UUID is a platform's code, never personal data, whatever its digits look like.

    >>> _refuse_personal_ids(pd.array(["R_1", "+86 138 1003 5003"], dtype="string"), np.array([2, 3]), "id", "p.csv")
    Traceback (most recent call last):
    ...
    iur_survey.errors.ReadError: p.csv:3:id: the response id holds a phone number: ids are written to the clean data and the ledger, where no personal data may go; map a column of anonymous ids as the id (instrument columns:), or remove this one (the row number is then the id)
    >>> _refuse_personal_ids(pd.array(["b2e8f69f-9814-4328-9622-9479697994fb", "uuid:04301938-0851-4ced-a438-9177b16d61e1"],
    ...                               dtype="string"), np.array([2, 3]), "_uuid", "k.csv")
    """
    s = pd.Series(ids, dtype="string")
    for k in np.flatnonzero(matching(_PERSONAL_HINT, s.to_numpy(dtype=object, na_value=""), _PERSONAL_COULD)):   # (most ids
        # show no hint: no regex per id then)
        if _UUID.fullmatch(s.iloc[k].strip()):
            continue
        kind = personal_kind(s.iloc[k])
        if kind:
            raise ReadError(path, f"the response id holds {kind}: {PERSONAL_ID_ADVICE}", row=int(lines[k]),
                            column=header)


def refuse_word_ids(ids, lines, header, path) -> None:
    """Refuse ids that are words rather than codes (:func:`words_id`: a name?), naming the first row; the value is
    never quoted.  (The reader calls it after comparing the ids with the export's personal columns, whose refusal
    names the column an id comes from.)

    >>> refuse_word_ids(pd.array(["R_1", "Zhang San"], dtype="string"), np.array([2, 3]), "id", "p.csv")
    Traceback (most recent call last):
    ...
    iur_survey.errors.ReadError: p.csv:3:id: the response id is words, not a code (a person's name?): ids are written to the clean data and the ledger, where no personal data may go; map a column of anonymous ids as the id (instrument columns:), or remove this one (the row number is then the id)
    """
    s = pd.Series(ids, dtype="string")
    for k in np.flatnonzero(matching(_WORDS_HINT, s.to_numpy(dtype=object, na_value=""), _WORDS_COULD)):
        if words_id(s.iloc[k]):
            raise ReadError(path, f"the response id is words, not a code (a person's name?): {PERSONAL_ID_ADVICE}",
                            row=int(lines[k]), column=header)


def recode_submitted(values: pd.Series, lines, header, path) -> np.ndarray:
    """Submission times (datetime64[ns], NaT where blank) from text or workbook dates.

    >>> recode_submitted(pd.Series(["2023/3/1 10:22:33", ""]), np.array([2, 3]), "提交答卷时间", "w.csv")
    array(['2023-03-01T10:22:33.000000000',                           'NaT'],
          dtype='datetime64[ns]')

    Times with an offset become UTC; Google Forms' ``GMT+8`` is eight hours ahead of UTC:

    >>> t = recode_submitted(pd.Series(["2024/01/18 4:36:09 PM GMT+8", "2024/01/18 9:00:00 AM GMT-5"]),
    ...                      np.array([2, 3]), "Timestamp", "g.csv")
    >>> [str(pd.Timestamp(x)) for x in t]
    ['2024-01-18 08:36:09', '2024-01-18 14:00:00']

    A Chinese locale writes the half of the day before the time (上午 = AM, 下午 = PM):

    >>> t = recode_submitted(pd.Series(["2025-12-5 上午10:22:10", "2024/1/18 下午4:36:09", "2025-12-5 上午12:05:00"]),
    ...                      np.array([2, 3, 4]), "时间戳记", "g.csv")
    >>> [str(pd.Timestamp(x)) for x in t]
    ['2025-12-05 10:22:10', '2024-01-18 16:36:09', '2025-12-05 00:05:00']
    """
    n = len(values)
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    obj = values.to_numpy(dtype=object)
    is_dt = np.fromiter((isinstance(v, (_dt.datetime, _dt.date, pd.Timestamp, np.datetime64)) for v in obj),
                        dtype=bool, count=n) if values.dtype == object and not _all_str(obj) else np.zeros(n, bool)
    if is_dt.any():
        conv = pd.to_datetime(pd.Series(obj[is_dt]), errors="coerce")
        if conv.dt.tz is not None:
            conv = conv.dt.tz_localize(None)
        out[is_dt] = conv.to_numpy(dtype="datetime64[ns]")
    rest = ~is_dt
    if rest.any():
        sub = obj[rest]
        if _all_str(sub):
            s = pd.Series(sub, dtype=object)
            present = (s != "").to_numpy()
            if present.any() and not present.all():
                present &= (s.str.strip() != "").to_numpy()
        else:
            s = pd.Series(sub, dtype=object).map(lambda v: "" if _blank(v) else str(v).strip())
            present = (s != "").to_numpy()
        if present.any():
            txt = s[present]
            joined = "\n".join(txt.tolist())     # (the markers are words: in the joined text iff in a cell)
            if any(word in joined for word in _MERIDIEM_EN):
                txt = txt.str.replace(_MERIDIEM, lambda m: f"{m[1]} {m[3]} {_MERIDIEM_EN[m[2]]}", regex=True)
                joined = "\n".join(txt.tolist())
            if "GMT" in joined:   # Google Forms: "GMT+8" is UTC+8 (not POSIX's sign)
                txt = txt.str.replace(_GMT, lambda m: f" {m[1]}{int(m[2]):02d}:{m[3] or '00'}", regex=True)
            txt = _zones_to_offsets(txt, lines[np.flatnonzero(rest)[present]], header, path)
            parsed = None
            first = str(txt.iloc[0]).strip()
            likely = next((f for f in _DATE_FORMATS if _fits(first, f)), None)
            parsed = (pd.to_datetime(txt, format=likely, errors="coerce")
                      if likely is not None and likely.startswith("%Y") else None)
            if parsed is not None and parsed.notna().all():     # year first: no day-month order to decide
                formats, dayfirst = (), False
            else:
                parsed = None
                formats = _date_formats(txt, lines[np.flatnonzero(rest)[present]], header, path)
                dayfirst = any("%d/%m" in f or "%d.%m" in f for f in formats)
                formats = sorted(formats, key=lambda f: not _fits(first, f))   # the likely one first
            for fmt in formats:
                p = pd.to_datetime(txt, format=fmt, errors="coerce")
                if p.notna().all():
                    parsed = p
                    break
                if parsed is None or p.notna().sum() > parsed.notna().sum():
                    parsed = p
            if parsed.isna().any():   # retry stripped, then any format pandas knows
                txt = txt.str.strip()
                p = pd.to_datetime(txt, format=_DATE_FORMATS[0], errors="coerce")
                parsed = parsed.where(parsed.notna(), p)
            if parsed.isna().any():
                bad = parsed.isna().to_numpy()
                try:
                    again = pd.to_datetime(txt[bad], format="mixed", dayfirst=dayfirst, errors="coerce",
                                           utc=txt[bad].str.contains(r"[+-]\d\d:\d\d$|Z$", regex=True).any())
                except (ValueError, TypeError, OverflowError):
                    again = pd.Series(pd.NaT, index=txt[bad].index)
                if getattr(again.dt, "tz", None) is not None:
                    again = again.dt.tz_convert(None)
                parsed = parsed.copy()
                parsed[bad] = again
                if parsed.isna().any():
                    j = int(np.flatnonzero(parsed.isna().to_numpy())[0])
                    row_pos = np.flatnonzero(rest)[np.flatnonzero(present)[j]]
                    raise ReadError(path, f"cannot read {_show(txt.iloc[j])} as a date and time",
                                    row=int(lines[row_pos]), column=header)
            idx = np.flatnonzero(rest)[present]
            out[idx] = parsed.to_numpy(dtype="datetime64[ns]")
    return out


def _zones_to_offsets(txt: pd.Series, lines: np.ndarray, header, path) -> pd.Series:
    """Times that end with a time-zone abbreviation, with the abbreviation read: one whose offset is known
    becomes that offset (the time then reads as UTC, as ``GMT+8`` does); a column whose times all carry one
    and the same abbreviation of unknown offset is read as the clock times written (the abbreviation dropped);
    an abbreviation of unknown offset beside other zones is refused, naming its row (the times cannot be put in
    one order).  Before, pandas dropped each zone with a warning a row, and its next versions refuse them.

    >>> t = pd.Series(["2020/06/05 11:34:01 AM EST", "2020/08/24 3:17:37 PM EDT", "2020/06/06 9:00:00"])
    >>> _zones_to_offsets(t, np.array([2, 3, 4]), "Timestamp", "g.csv").tolist()
    ['2020/06/05 11:34:01 AM -05:00', '2020/08/24 3:17:37 PM -04:00', '2020/06/06 9:00:00']
    >>> _zones_to_offsets(pd.Series(["2024/1/18 4:36:09 PM CST"] * 2), np.array([2, 3]), "Timestamp", "g.csv").tolist()
    ['2024/1/18 4:36:09 PM', '2024/1/18 4:36:09 PM']
    >>> _zones_to_offsets(pd.Series(["2024/1/18 4:36:09 PM CST", "2024/1/18 5:00:00 PM EST"]), np.array([2, 3]),
    ...                   "Timestamp", "g.csv")
    Traceback (most recent call last):
    iur_survey.errors.ReadError: g.csv:2:Timestamp: the time zone 'CST' of '2024/1/18 4:36:09 PM CST' names more than one zone (or none known here) and the column holds other zones too (EST): the times cannot be put in one order; rewrite them in one zone (or as UTC)
    """
    if not _zone_could_end(txt.tolist()):    # (one search per cell cost 0.3 s on 118,800 times without a zone)
        return txt
    zone = txt.str.extract(_ZONE, expand=True)
    if zone[1].isna().all():
        return txt
    names = set(zone[1].dropna())
    unknown = sorted(names - set(ZONE_OFFSETS))
    if unknown and (len(names) > 1 or zone[1].isna().any()):
        j = int(np.flatnonzero((zone[1] == unknown[0]).to_numpy())[0])
        others = ", ".join(sorted(names - {unknown[0]})) or "and times without a zone"
        raise ReadError(path, f"the time zone {_show(unknown[0])} of {_show(txt.iloc[j])} names more than one zone "
                              f"(or none known here) and the column holds other zones too ({others}): the times "
                              f"cannot be put in one order; rewrite them in one zone (or as UTC)",
                        row=int(lines[j]), column=header)

    def offset(m):
        hours = ZONE_OFFSETS.get(m[2])
        if hours is None:                     # one unknown zone for the whole column: the clock times as written
            return m[1]
        return f"{m[1]} {'-' if hours < 0 else '+'}{abs(hours):02d}:00"
    return txt.str.replace(_ZONE, offset, regex=True)


#: a capital A-Z, then white space only up to a line end: where :data:`_ZONE` may match a cell of the texts joined
#: by line ends (it ends a cell with 2-5 capitals and white space; a cell's own line end can only add matches)
_ZONE_END = re.compile(r"[A-Z]\s*$", re.M)


def _zone_could_end(texts: list) -> bool:
    """Whether :data:`_ZONE` may match one of ``texts``, by one search over them all (``False`` only where it
    matches none; ``True`` when one is not a ``str``).

    >>> _zone_could_end(["2020/06/05 11:34:01 AM EST ", "2022-04-05 09:00:31"]), _zone_could_end(["x pm", "1"])
    (True, False)
    """
    if not all(isinstance(t, str) for t in texts):
        return True
    joined = "\n".join(texts)
    if not any(c in joined for c in _CAPITALS):     # (26 scans as fast as memchr; the search tries every character)
        return False
    return _ZONE_END.search(joined) is not None


_CAPITALS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class AmbiguousDateWarning(UserWarning):
    """Dates written d/m/Y or m/d/Y in which no value tells which: read month-first."""


_DAY_MONTH = re.compile(r"^\s*(\d{1,2})([/.])(\d{1,2})[/.](?:\d{4}|\d{2})(?:\s|$)")
_MONTH_FIRST = ("%m/%d/%Y", "%m/%d/%y")
_DAY_FIRST = tuple(f.replace("%m/%d/%Y", "%d/%m/%Y").replace("%m/%d/%y", "%d/%m/%y")
                   for f in _DATE_FORMATS if any(m in f for m in _MONTH_FIRST))
_DOTTED = tuple(f.replace("/", ".") for f in _DAY_FIRST)


def _date_formats(txt: pd.Series, lines: np.ndarray, header: str, path) -> tuple[str, ...]:
    """The formats to try on a column of date texts, with one day-month order for the whole column.

    Excel re-saving an export in a European locale writes ``14/04/2022``: a value whose first
    field is above 12 is day-first, one whose second is, month-first.  Both in one column is
    refused; day-first evidence makes every such date day-first (``02/05/2022`` is 2 May,
    never 5 February beside a 14 April); dots are day-first (``14.04.2022``); no evidence
    either way reads month-first (Qualtrics' and Excel's US order) with a warning.  Two-digit
    years (``7/10/14 18:37``, Excel's short date) follow the same rules.

    >>> _date_formats(pd.Series(["14/04/2022 10:00", "02/05/2022 11:00"]), np.array([2, 3]), "EndDate", "x.csv")[0]
    '%Y-%m-%d %H:%M:%S'
    >>> [f for f in _date_formats(pd.Series(["14/04/2022 10:00"]), np.array([2]), "d", "x.csv") if "%d/%m/%Y" in f]
    ['%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M', '%d/%m/%Y']
    >>> [f for f in _date_formats(pd.Series(["14/04/22 10:00"]), np.array([2]), "d", "x.csv") if "%m/%d/" in f]
    []
    >>> _date_formats(pd.Series(["14/04/2022 10:00", "04/15/2022 11:00"]), np.array([2, 3]), "EndDate", "x.csv")
    Traceback (most recent call last):
    ...
    iur_survey.errors.ReadError: x.csv:3:EndDate: the dates mix day-first ('14/04/2022 10:00', row 2) and month-first ('04/15/2022 11:00', row 3) order; rewrite them in one order (best: 2022-04-15 11:00:00)
    """
    parts = txt.str.extract(_DAY_MONTH)
    shaped = parts[0].notna().to_numpy()
    if not shaped.any():
        return _DATE_FORMATS
    a = pd.to_numeric(parts[0], errors="coerce").to_numpy()
    b = pd.to_numeric(parts[2], errors="coerce").to_numpy()
    day_first, month_first = shaped & (a > 12), shaped & (b > 12)
    if day_first.any() and month_first.any():
        i, j = int(np.argmax(day_first)), int(np.argmax(month_first))
        raise ReadError(path, f"the dates mix day-first ({_show(txt.iloc[i].strip())}, row {lines[i]}) and "
                              f"month-first ({_show(txt.iloc[j].strip())}, row {lines[j]}) order; rewrite them in "
                              f"one order (best: 2022-04-15 11:00:00)", row=int(lines[max(i, j)]), column=header)
    dots = (parts[1] == ".").to_numpy()
    if dots[shaped].all():
        return _DATE_FORMATS + _DOTTED
    if day_first.any():
        return tuple(f for f in _DATE_FORMATS if not any(m in f for m in _MONTH_FIRST)) + _DAY_FIRST
    if month_first.any():
        return _DATE_FORMATS
    warnings.warn(f"{path}: {header}: no date decides whether {txt[shaped].iloc[0].strip()!r} is day-first or "
                  f"month-first; read month-first (m/d/Y). If the export was saved in a day-first locale, rewrite "
                  f"the dates as 2022-04-15 11:00:00", AmbiguousDateWarning, stacklevel=4)
    return _DATE_FORMATS


def _fits(text: str, fmt: str) -> bool:
    try:
        _dt.datetime.strptime(text, fmt)
        return True
    except ValueError:
        return False


def _all_str(arr) -> bool:
    return len(arr) == 0 or pd.api.types.infer_dtype(arr, skipna=False) == "string"
