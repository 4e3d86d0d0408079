"""The survey instrument (codebook): load, validate, look up.

The instrument is a YAML file (``data/instrument.yaml`` for the study); its
format is user-facing so analysts can bring their own.  :func:`load_instrument`
validates it and returns an immutable :class:`Instrument`.

>>> inst = load_instrument()
>>> inst.construct_codes
('GOV', 'MKT', 'BEN', 'VAL', 'TAL', 'COL', 'INT')
>>> inst.item_codes[:5]
('GOV1', 'GOV2', 'GOV3', 'GOV4', 'MKT1')
>>> inst.code_for_label("非常同意"), inst.code_for_label(" strongly DISAGREE ")
(5, 1)
>>> inst.group_for_label("科研院所")
'research_institute'
>>> inst.reverse_items
('GOV3', 'BEN4', 'TAL3', 'INT3')

A construct or an item may have its own answer scale (``scale: {min, max, labels}``), which
inherits from the instrument's top-level ``scale:``; everything that reads, checks or reverses a
code uses the item's own (:meth:`Instrument.scale_of`, :meth:`Instrument.for_item`):

>>> doc = {"scale": {"min": 1, "max": 5, "labels": {1: "Strongly disagree", 4: "Agree", 5: "Strongly agree"}},
...        "constructs": {"A": {"items": ["A1", "A2"], "reverse": ["A2"]},
...                       "B": {"items": ["B1", "B2"], "reverse": ["B2"],
...                             "scale": {"min": 1, "max": 7, "labels": {6: "Agree", 7: "Strongly agree"}}}}}
>>> mixed = parse_instrument(doc)
>>> mixed.scale_of("A1").text, mixed.scale_of("B1").text, mixed.mixed_scales, mixed.scales_text
('1-5', '1-7', True, '1-5; B 1-7')
>>> mixed.code_for_label("Agree", "A1"), mixed.code_for_label("Agree", "B1")
(4, 6)
>>> mixed.reverse_score(2, "A2"), mixed.reverse_score(2, "B2")
(4, 6)
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

from . import resources
from .errors import InstrumentError

#: the study's instrument, shipped with the package (located by :mod:`iur_survey.resources`)
DEFAULT_INSTRUMENT = resources.instrument_path()

_ITEM_CODE = re.compile(r"^([A-Z][A-Z0-9_]*?)(\d+)$")

#: ``columns:`` targets for an export's metadata columns -> the standard frame's column
#: (``start_time`` is only used to work out the duration when the export has none)
META_TARGETS = {"status": "_status", "finished": "_finished", "progress": "_progress", "duration": "_duration",
                "start_time": "_started", "end_time": "_submitted", "submitted": "_submitted", "ip": "_ip",
                **{t: t for t in ("_status", "_finished", "_progress", "_duration", "_started", "_submitted",
                                  "_ip")}}
#: the ``columns:`` target of an export column that is to be read as nothing (a heading the readers would
#: otherwise take for metadata, e.g. KoBoToolbox's ``_status``)
IGNORE_TARGET = "ignore"
#: accepted values of ``scale:`` on a construct or an item
ITEM_SCALES = ("likert", "continuous")
#: accepted values of ``value_labels:`` (how SPSS value labels of item columns are used)
VALUE_LABEL_MODES = ("match", "codes")


def normalise_label(text: Any) -> str:
    """Fold a response label for matching: NFKC, case, edge and inner whitespace (runs become one space).

    Punctuation is kept (``"Agree."`` and ``"同意。"`` are not ``"agree"``/``"同意"``: an unknown label is
    refused, not guessed; stripping it would also fold ``"-3"`` into ``"3"``).

    >>> normalise_label("  Strongly   Agree ")
    'strongly agree'
    >>> normalise_label("非常同意 "), normalise_label("Agree."), normalise_label("(跳过)")
    ('非常同意', 'agree.', '(跳过)')
    """
    s = unicodedata.normalize("NFKC", str(text)).strip().lower()
    return re.sub(r"\s+", " ", s)


@dataclass(frozen=True)
class Scale:
    """An answer scale: its lowest and highest code and the accepted wordings of each code.

    >>> Scale(0, 10).points[:3], Scale(1, 4).text, Scale(1, 7).midpoint
    ((0, 1, 2), '1-4', 4.0)
    """

    min: int
    max: int
    labels: Mapping[int, tuple[str, ...]] = field(default_factory=dict, hash=False)

    @property
    def points(self) -> tuple[int, ...]:
        return tuple(range(self.min, self.max + 1))

    @property
    def n_points(self) -> int:
        return self.max - self.min + 1

    @property
    def midpoint(self) -> float:
        return (self.min + self.max) / 2

    @property
    def text(self) -> str:
        return f"{self.min}-{self.max}"


@dataclass(frozen=True)
class Item:
    """One Likert item of the instrument (``scale``: its own answer scale; ``None`` for a continuous item)."""

    code: str
    construct: str
    en: str
    zh: str
    source: str
    reverse: bool = False
    continuous: bool = False     # read as a number (test score, slider), not a scale code
    scale: Scale | None = None   # the item's answer scale (the instrument's top-level one unless it says)


@dataclass(frozen=True)
class Construct:
    """One latent construct: its items and which of them are reverse-keyed."""

    code: str
    label_en: str
    label_zh: str
    source: str
    items: tuple[str, ...]
    reverse: tuple[str, ...] = ()


@dataclass(frozen=True)
class Instrument:
    """A validated instrument; build it with :func:`load_instrument`."""

    path: Path
    name: str
    scale_min: int
    scale_max: int
    labels: Mapping[int, tuple[str, ...]]
    missing_codes: tuple[Any, ...]
    id_column: str
    group_column: str
    groups: Mapping[str, tuple[str, ...]]
    constructs: Mapping[str, Construct]
    items: Mapping[str, Item]
    attention_checks: Mapping[str, int]
    attention_items: Mapping[str, Mapping[str, str]]
    columns: Mapping[str, str]
    role_question: Mapping[str, str] = field(default_factory=dict)
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    value_labels: str = "match"
    #: attention-check columns answered on a scale of their own (``attention_checks: {ATT2: {code, scale}}``)
    attention_scales: Mapping[str, Scale] = field(default_factory=dict)
    #: items a branch of the questionnaire may hide (``skip_logic: [INT, TAL3]``: constructs or items): a blank
    #: cell there is a question not shown, not one left unanswered, so it never makes a break-off
    skip_logic: tuple[str, ...] = ()

    @property
    def continuous_items(self) -> tuple[str, ...]:
        """Items read as plain numbers (``scale: continuous``), not checked against the scale."""
        return tuple(code for code, item in self.items.items() if item.continuous)

    # -- derived views -------------------------------------------------------------
    @property
    def construct_codes(self) -> tuple[str, ...]:
        return tuple(self.constructs)

    @property
    def item_codes(self) -> tuple[str, ...]:
        return tuple(code for c in self.constructs.values() for code in c.items)

    @property
    def reverse_items(self) -> tuple[str, ...]:
        return tuple(code for c in self.constructs.values() for code in c.reverse)

    @property
    def scale_points(self) -> tuple[int, ...]:
        """The points of the top-level scale (an item may have its own: :meth:`scale_of`)."""
        return tuple(range(self.scale_min, self.scale_max + 1))

    @property
    def scale(self) -> Scale:
        """The instrument's top-level answer scale."""
        return Scale(self.scale_min, self.scale_max, self.labels)

    def scale_of(self, code: str) -> Scale:
        """The answer scale of an item or attention-check column (the top-level one for any other column).

        >>> inst = load_instrument()
        >>> inst.scale_of("GOV1") == inst.scale_of("ATT1") == inst.scale, inst.scale_of("INT4").text
        (True, '1-5')
        """
        item = self.items.get(code)
        own = item.scale if item is not None else self.attention_scales.get(code)
        return own if own is not None else self.scale

    @property
    def mixed_scales(self) -> bool:
        """Whether the scored items and attention checks are not all on one range of codes (min, max).

        >>> load_instrument().mixed_scales
        False
        """
        cache = self.__dict__.get("_mixed_cache")
        if cache is None:
            codes = [c for c, it in self.items.items() if not it.continuous] + list(self.attention_checks)
            cache = len({(self.scale_of(c).min, self.scale_of(c).max) for c in codes} | {(self.scale_min,
                                                                                      self.scale_max)}) > 1
            object.__setattr__(self, "_mixed_cache", cache)
        return cache

    def bounds(self, cols) -> tuple["np.ndarray", "np.ndarray"]:
        """The lowest and highest code of each column's scale, as float arrays (for vectorised checks).

        >>> lo, hi = load_instrument().bounds(["GOV1", "ATT1"])
        >>> lo.tolist(), hi.tolist()
        ([1.0, 1.0], [5.0, 5.0])
        """
        import numpy as np
        sc = [self.scale_of(c) for c in cols]
        return np.array([s.min for s in sc], dtype=float), np.array([s.max for s in sc], dtype=float)

    @property
    def scales_text(self) -> str:
        """The answer scale(s) in words: ``1-5``, or with scales of their own the top-level one and then which
        constructs (or items) differ, ``1-5; TAL 1-4; COL, INT 1-7``.

        >>> load_instrument().scales_text
        '1-5'
        """
        if not self.mixed_scales:
            return f"{self.scale_min}-{self.scale_max}"
        own: dict[str, list[str]] = {}
        for con in self.constructs.values():
            texts = {self.scale_of(c).text for c in con.items if not self.items[c].continuous}
            if len(texts) == 1:
                t = texts.pop()
                if t != self.scale.text:
                    own.setdefault(t, []).append(con.code)
            else:
                for c in con.items:
                    if not self.items[c].continuous and self.scale_of(c).text != self.scale.text:
                        own.setdefault(self.scale_of(c).text, []).append(c)
        return "; ".join([self.scale.text] + [f"{', '.join(w)} {t}" for t, w in own.items()])

    def for_item(self, code: str) -> "Instrument":
        """This instrument seen from one item or attention column: ``scale_min``, ``scale_max`` and
        ``labels`` are that column's own (the instrument itself when they are the top-level ones), so
        code written for one scale (a reader's recoding, a value-label match) reads each column on its own.

        >>> inst = load_instrument()
        >>> inst.for_item("GOV1") is inst
        True
        """
        sc = self.scale_of(code)
        if (sc.min, sc.max) == (self.scale_min, self.scale_max) and sc.labels == self.labels:
            return self
        cache = self.__dict__.setdefault("_item_views", {})
        key = (sc.min, sc.max, tuple(sorted((k, v) for k, v in sc.labels.items())))
        if key not in cache:
            import dataclasses
            cache[key] = dataclasses.replace(self, scale_min=sc.min, scale_max=sc.max, labels=sc.labels)
        return cache[key]

    @property
    def group_keys(self) -> tuple[str, ...]:
        return tuple(self.groups)

    def code_for_label(self, text: Any, item: str | None = None) -> int | None:
        """The scale code whose wording matches ``text`` (on ``item``'s own scale when given); ``None`` if none does."""
        if item is not None:
            return self.for_item(item).code_for_label(text)
        return self._label_index.get(normalise_label(text))

    def group_for_label(self, text: Any) -> str | None:
        """The canonical group key whose wording (or key) matches ``text``."""
        return self._group_index.get(normalise_label(text))

    def is_missing_code(self, value: Any) -> bool:
        """Whether ``value`` is one of the export's "no answer" codes (e.g. -3, ``(跳过)``)."""
        key = normalise_label(value)
        return key in self._missing_index

    def reverse_score(self, code: float, item: str | None = None) -> float:
        """Reverse a code on this scale (``item``'s own when given): ``min + max - code``."""
        sc = self.scale_of(item) if item is not None else self.scale
        return sc.min + sc.max - code

    # -- cached lookup tables (computed once, frozen dataclass) --------------------
    @property
    def _label_index(self) -> dict[str, int]:
        cache = self.__dict__.get("_label_cache")
        if cache is None:
            cache = {normalise_label(w): code for code, words in self.labels.items() for w in words}
            object.__setattr__(self, "_label_cache", cache)
        return cache

    @property
    def _group_index(self) -> dict[str, str]:
        cache = self.__dict__.get("_group_cache")
        if cache is None:
            cache = {}
            for key, words in self.groups.items():
                cache[normalise_label(key)] = key
                for w in words:
                    cache[normalise_label(w)] = key
            object.__setattr__(self, "_group_cache", cache)
        return cache

    @property
    def _missing_index(self) -> set[str]:
        cache = self.__dict__.get("_missing_cache")
        if cache is None:
            cache = {normalise_label(v) for v in self.missing_codes}
            cache |= {normalise_label(float(v)) for v in self.missing_codes
                      if isinstance(v, (int, float)) and not isinstance(v, bool)}
            object.__setattr__(self, "_missing_cache", cache)
        return cache


# ---------------------------------------------------------------------------------
def _fail(path: Path, msg: str) -> InstrumentError:
    return InstrumentError(path, msg)


def _pair(value: Any, path: Path, where: str) -> tuple[str, str]:
    """A [en, zh] label pair (a plain string serves as both)."""
    if isinstance(value, str):
        return value, value
    if isinstance(value, (list, tuple)) and 1 <= len(value) <= 2 and all(isinstance(v, str) for v in value):
        return value[0], value[-1]
    raise _fail(path, f"{where}: expected a label or a [english, chinese] pair, got {value!r}")


def _words(value: Any, path: Path, where: str) -> tuple[str, ...]:
    if isinstance(value, (str, int, float)):
        value = [value]
    if not isinstance(value, (list, tuple)) or not value:
        raise _fail(path, f"{where}: expected a non-empty list of wordings, got {value!r}")
    return tuple(str(v) for v in value)


def parse_instrument(doc: Any, path: str | Path = "<instrument>") -> Instrument:
    """Validate a parsed YAML document and build an :class:`Instrument`.

    >>> parse_instrument({"scale": {"min": 1, "max": 5}})
    Traceback (most recent call last):
    ...
    iur_survey.errors.InstrumentError: <instrument>: missing required key 'constructs'
    """
    path = Path(path)
    if not isinstance(doc, dict):
        raise _fail(path, "the instrument must be a YAML mapping")
    for key in ("scale", "constructs"):
        if key not in doc:
            raise _fail(path, f"missing required key {key!r}")

    scale = doc["scale"]
    if not isinstance(scale, dict) or "min" not in scale or "max" not in scale:
        raise _fail(path, "scale: needs 'min' and 'max'")
    top = _parse_scale(scale, None, path, "scale")
    smin, smax, labels = top.min, top.max, dict(top.labels)
    missing_codes = _missing_codes(doc.get("missing_codes"), smin, smax, path)

    groups = {str(k): _words(v, path, f"groups.{k}") for k, v in (doc.get("groups") or {}).items()}
    gseen: dict[str, str] = {}
    for key, words in groups.items():
        for w in (key, *words):
            n = normalise_label(w)
            if n in gseen and gseen[n] != key:
                raise _fail(path, f"groups: wording {w!r} is given for both {gseen[n]!r} and {key!r}")
            gseen[n] = key
    value_labels = str(doc.get("value_labels", "match"))
    if value_labels not in VALUE_LABEL_MODES:
        raise _fail(path, f"value_labels: {value_labels!r} is not one of {', '.join(VALUE_LABEL_MODES)}")

    constructs: dict[str, Construct] = {}
    items: dict[str, Item] = {}
    item_doc = doc.get("items") or {}
    if not isinstance(item_doc, dict):
        raise _fail(path, "items: expected a mapping of item code -> {en, zh, source}")
    if not isinstance(doc["constructs"], dict) or not doc["constructs"]:
        raise _fail(path, "constructs: expected a non-empty mapping")
    for ccode, spec in doc["constructs"].items():
        ccode = str(ccode)
        if not re.fullmatch(r"[A-Z][A-Z0-9_]*", ccode):
            raise _fail(path, f"constructs: code {ccode!r} must be upper-case letters/digits")
        if not isinstance(spec, dict) or "items" not in spec:
            raise _fail(path, f"constructs.{ccode}: needs an 'items' list")
        codes = tuple(str(i) for i in spec["items"] or ())
        if len(codes) < 2:
            raise _fail(path, f"constructs.{ccode}: needs at least two items, has {len(codes)}")
        for code in codes:
            m = _ITEM_CODE.match(code)
            if not m or m.group(1) != ccode:
                raise _fail(path, f"constructs.{ccode}: item code {code!r} must be {ccode} plus a number")
            if code in items:
                raise _fail(path, f"constructs.{ccode}: item {code} is listed twice")
            items[code] = None  # placeholder, filled below
        reverse = tuple(str(i) for i in spec.get("reverse") or ())
        for code in reverse:
            if code not in codes:
                raise _fail(path, f"constructs.{ccode}.reverse: {code} is not one of its items")
        en, zh = _pair(spec.get("label", ccode), path, f"constructs.{ccode}.label")
        constructs[ccode] = Construct(ccode, en, zh, str(spec.get("source", "")), codes, reverse)
        cscale, cown = _item_scale(spec.get("scale", "likert"), top, path, f"constructs.{ccode}.scale")
        for code in codes:
            idoc = item_doc.get(code) or {}
            if not isinstance(idoc, dict):
                raise _fail(path, f"items.{code}: expected a mapping with en, zh, source")
            iscale, iown = _item_scale(idoc.get("scale", cscale), cown, path, f"items.{code}.scale", top)
            if iscale == "continuous" and code in reverse:
                raise _fail(path, f"constructs.{ccode}.reverse: {code} is continuous; reverse-keying needs a "
                                  f"scale (reverse it before the export, or declare the item likert)")
            items[code] = Item(code, ccode, str(idoc.get("en", code)), str(idoc.get("zh", idoc.get("en", code))),
                               str(idoc.get("source", spec.get("source", ""))), code in reverse,
                               iscale == "continuous", None if iscale == "continuous" else iown)
    for code in item_doc:
        if code not in items:
            raise _fail(path, f"items.{code}: not an item of any construct")
    for it in items.values():       # a no-answer code must lie off every item's scale, not only the top-level one
        if it.scale is not None and (it.scale.min, it.scale.max) != (smin, smax):
            _missing_codes(doc.get("missing_codes"), it.scale.min, it.scale.max, path, f" (item {it.code})")

    att, att_scales = {}, {}
    for col, val in (doc.get("attention_checks") or {}).items():
        own = top
        if isinstance(val, dict):        # {code: 6, scale: {min: 1, max: 7, labels: ...}}
            if set(val) - {"code", "scale"} or "code" not in val:
                raise _fail(path, f"attention_checks.{col}: expected a code or a mapping {{code, scale}}, got {val!r}")
            if "scale" in val:
                if not isinstance(val["scale"], dict):
                    raise _fail(path, f"attention_checks.{col}.scale: expected a mapping {{min, max, labels}}")
                own = _parse_scale(val["scale"], top, path, f"attention_checks.{col}.scale")
                if own != top:
                    att_scales[str(col)] = own
            val = val["code"]
        try:
            att[str(col)] = int(val)
        except (TypeError, ValueError):
            raise _fail(path, f"attention_checks.{col}: expected an integer code, got {val!r}") from None
        if not own.min <= att[str(col)] <= own.max:
            raise _fail(path, f"attention_checks.{col}: code {val} outside the scale {own.min}-{own.max}")
        if str(col) in items:
            raise _fail(path, f"attention_checks.{col}: clashes with an item code")

    columns = {}
    id_col, group_col = str(doc.get("id_column", "ResponseId")), str(doc.get("group_column", "role"))
    targets = {**{t: t for t in (*items, *att, id_col, group_col)}, "id": id_col, "response_id": id_col,
               "group": group_col, IGNORE_TARGET: IGNORE_TARGET, **META_TARGETS}
    for header, target in (doc.get("columns") or {}).items():
        key = str(target) if str(target) in targets else str(target).strip().lower().replace(" ", "_")
        key = {"start_date": "start_time", "end_date": "end_time", "ip_address": "ip"}.get(key, key)
        if key not in targets or (key != str(target) and key in (*items, *att)):
            raise _fail(path, f"columns: {header!r} maps to {target!r}, which is no item, attention, id or group "
                              f"column, nor one of {', '.join(k for k in META_TARGETS if not k.startswith('_'))}, "
                              f"nor {IGNORE_TARGET}")
        columns[str(header)] = targets[key]
    mapped = [t for t in columns.values() if t != IGNORE_TARGET]      # any number of columns may be ignored
    if len(set(mapped)) != len(mapped):
        dup = sorted({t for t in mapped if mapped.count(t) > 1})
        raise _fail(path, f"columns: several headers map to {', '.join(dup)}")

    skip_logic = _skip_logic(doc.get("skip_logic"), constructs, items, path)

    return Instrument(
        path=path, name=str(doc.get("name", path.stem)), scale_min=smin, scale_max=smax,
        labels=labels, missing_codes=missing_codes,
        id_column=str(doc.get("id_column", "ResponseId")), group_column=str(doc.get("group_column", "role")),
        groups=groups, constructs=constructs, items=items, attention_checks=att,
        attention_items={str(k): dict(v) for k, v in (doc.get("attention_items") or {}).items()},
        columns=columns, role_question=dict(doc.get("role_question") or {}), raw=doc, value_labels=value_labels,
        attention_scales=att_scales, skip_logic=skip_logic)


def _skip_logic(value: Any, constructs, items, path: Path) -> tuple[str, ...]:
    """``skip_logic:`` as the item codes it names (a construct stands for its items, in their order).

    >>> from iur_survey.instrument import load_instrument
    >>> inst = load_instrument()
    >>> _skip_logic(["INT", "TAL3"], inst.constructs, inst.items, Path("i.yaml"))
    ('INT1', 'INT2', 'INT3', 'INT4', 'TAL3')
    >>> _skip_logic(["ATT1"], inst.constructs, inst.items, Path("i.yaml"))
    Traceback (most recent call last):
    ...
    iur_survey.errors.InstrumentError: i.yaml: skip_logic: 'ATT1' is no construct or item of the instrument (list the constructs or items a branch of the questionnaire may hide)
    """
    if value is None:
        return ()
    codes = [value] if isinstance(value, str) else value
    if not isinstance(codes, (list, tuple)):
        raise _fail(path, f"skip_logic: expected a list of constructs or items, got {value!r}")
    out: list[str] = []
    for code in map(str, codes):
        if code in constructs:
            named = constructs[code].items
        elif code in items:
            named = (code,)
        else:
            raise _fail(path, f"skip_logic: {code!r} is no construct or item of the instrument (list the "
                              f"constructs or items a branch of the questionnaire may hide)")
        out.extend(c for c in named if c not in out)
    return tuple(out)


def _missing_codes(value: Any, smin: int, smax: int, path: Path, whose: str = "") -> tuple[Any, ...]:
    """``missing_codes:`` as a tuple; a code that is a number from ``smin`` to ``smax`` (a point, or between
    two points, of the answer scale) is refused: every such answer would become missing.

    >>> _missing_codes([-2, "(跳过)", 9], 1, 5, Path("i.yaml"))
    (-2, '(跳过)', 9)
    >>> _missing_codes([-3, 3], 1, 5, Path("i.yaml"))
    Traceback (most recent call last):
    ...
    iur_survey.errors.InstrumentError: i.yaml: missing_codes: 3 lies on the answer scale 1-5, so every answer 3 would be read as missing; use a code off the scale (e.g. -3) or remove it
    """
    if value is None:
        return ()
    codes = tuple(value) if isinstance(value, (list, tuple)) else (value,)
    for v in codes:
        if isinstance(v, bool):
            continue
        try:
            x = float(unicodedata.normalize("NFKC", str(v)).strip())
        except ValueError:
            continue
        if smin <= x <= smax:
            raise _fail(path, f"missing_codes: {v} lies on the answer scale {smin}-{smax}{whose}, so every answer {v} "
                              f"would be read as missing; use a code off the scale (e.g. -{v}) or remove it")
    return codes


def _parse_scale(spec: dict, parent: Scale | None, path: Path, where: str, top: Scale | None = None) -> Scale:
    """A ``scale: {min, max, labels}`` mapping; ``min`` and ``max`` inherit from ``parent``, and so do the labels
    when the range is the parent's, or the ``top``-level scale's when the range is that one's (a scale with another
    range has only the wordings it lists: a parent's ``Agree`` may mean another code on it, so it is never carried
    over).

    >>> top = Scale(1, 5, {4: ("Agree",)})
    >>> _parse_scale({"labels": {4: "Agree", 5: "Strongly agree"}}, top, Path("i.yaml"), "s").labels
    {4: ('Agree',), 5: ('Strongly agree',)}
    >>> _parse_scale({"max": 7}, top, Path("i.yaml"), "s")
    Scale(min=1, max=7, labels={})
    >>> _parse_scale({"min": 0, "max": 10, "labels": {11: "x"}}, top, Path("i.yaml"), "constructs.X.scale")
    Traceback (most recent call last):
    ...
    iur_survey.errors.InstrumentError: i.yaml: constructs.X.scale.labels: code 11 outside the scale 0-10
    """
    unknown = set(spec) - {"min", "max", "labels"}
    if unknown and parent is not None:
        raise _fail(path, f"{where}: unknown key {sorted(map(str, unknown))[0]!r} (a scale has min, max, labels)")
    try:
        smin = int(spec["min"]) if "min" in spec or parent is None else parent.min
        smax = int(spec["max"]) if "max" in spec or parent is None else parent.max
    except (TypeError, ValueError):
        raise _fail(path, f"{where}: min and max must be integers, got {spec.get('min')!r}, "
                          f"{spec.get('max')!r}") from None
    if smax - smin < 1:
        raise _fail(path, f"{where}: max ({smax}) must exceed min ({smin})")
    if "labels" not in spec and parent is not None:
        if (smin, smax) == (parent.min, parent.max):
            return Scale(smin, smax, parent.labels)
        return Scale(smin, smax, top.labels if top is not None and (smin, smax) == (top.min, top.max) else {})
    labels: dict[int, tuple[str, ...]] = {}
    for k, v in (spec.get("labels") or {}).items():
        try:
            code = int(k)
        except (TypeError, ValueError):
            raise _fail(path, f"{where}.labels: key {k!r} is not an integer code") from None
        if not smin <= code <= smax:
            raise _fail(path, f"{where}.labels: code {code} outside the scale {smin}-{smax}")
        labels[code] = _words(v, path, f"{where}.labels.{code}")
    seen: dict[str, int] = {}
    for code, words in labels.items():
        for w in words:
            n = normalise_label(w)
            if n in seen and seen[n] != code:
                raise _fail(path, f"{where}.labels: wording {w!r} is given for both {seen[n]} and {code}")
            seen[n] = code
    return Scale(smin, smax, labels)


def _item_scale(value: Any, parent: Scale, path: Path, where: str, top: Scale | None = None) -> tuple[str, Scale]:
    """``scale:`` of a construct or an item: ``likert``, ``continuous`` or a scale of its own ``{min, max, labels}``
    (likert, inheriting from ``parent``); returns the kind and the answer scale.

    >>> _item_scale("Continuous", Scale(1, 5), Path("i.yaml"), "items.X1.scale")
    ('continuous', Scale(min=1, max=5, labels={}))
    >>> _item_scale({"min": 0, "max": 10}, Scale(1, 5), Path("i.yaml"), "items.X1.scale")[1].text
    '0-10'
    """
    if isinstance(value, dict):
        return "likert", _parse_scale(value, parent, path, where, top)
    s = str(value).strip().lower()
    if s not in ITEM_SCALES:
        raise _fail(path, f"{where}: {value!r} is not one of {', '.join(ITEM_SCALES)}, nor a scale "
                          f"{{min, max, labels}}")
    return s, parent


def load_instrument(path: str | Path | None = None) -> Instrument:
    """Read and validate an instrument YAML file (default: the study's own).

    >>> load_instrument("/no/such/file.yaml")
    Traceback (most recent call last):
    ...
    iur_survey.errors.InstrumentError: /no/such/file.yaml: cannot read the instrument: No such file or directory
    """
    path = Path(path) if path is not None else DEFAULT_INSTRUMENT
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InstrumentError(path, f"cannot read the instrument: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise InstrumentError(path, "the instrument is not UTF-8 text") from None
    try:
        doc = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))   # libyaml: 6x faster
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        raise InstrumentError(path, f"not valid YAML: {getattr(exc, 'problem', exc)}", row=row) from None
    return parse_instrument(doc, path)
