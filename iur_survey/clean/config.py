"""The cleaning configuration: which rules run, and every rule's thresholds.

:class:`CleanConfig` has one field per rule parameter, named ``<rule>_<parameter>``
after the keyword arguments of :mod:`iur_survey.clean.rules` (whose docstrings give
the literature behind each default), plus ``rules``, the rules that run.  A file
(YAML or JSON; ``iur-survey clean --config FILE``) may give the parameters flat or
nested by rule, each once, and may list ``rules`` (exactly these) or ``disable`` (all but
these; with ``rules``: those but these)::

    rules: [status, unfinished, duplicate_id, attention, speeder, longstring]
    speeder: {fraction: 0.25}
    mahalanobis_alpha: 0.0001

A value that would switch a rule off or make every hit "far beyond the cut-off" is an
error, not a silent change: numbers must be finite (no ``.nan``, ``.inf``); probabilities,
fractions and ``critval`` lie strictly between 0 and 1, correlation cut-offs (``min_r``,
``max_r``) strictly between -1 and 1, standard deviations, seconds and likelihood ratios are
not negative (``seconds_per_item`` at most 60, ``person_fit.max_g`` in [0, 1),
``unfinished.min_progress`` in (0, 100]); a run, pattern period or invariant tail needs 2
answers, ``even_odd.min_constructs`` 2 constructs; a count of items is at most
:data:`MAX_COUNT` (the configuration does not know the questionnaire:
:meth:`CleanConfig.check_instrument` holds the counts to its items), ``decision.min_evidence``
at most the 9 evidence groups and ``min_inconsistency`` the 4 inconsistency indices; every
"far" threshold lies beyond or at its cut-off (``speeder.far_fraction <= fraction``,
``irv.far_sd <= min_sd``, ``far_alpha <= alpha``, ``far_run >= min_run``, ``far_ratio >=
min_ratio``), checked once the file and the defaults are merged.  YAML reads ``1e9`` as
text; a number field takes such text as the number.

>>> CleanConfig.from_dict({"speeder": {"fraction": 0.2, "far_fraction": 0.3}}, source="c.yaml")
Traceback (most recent call last):
...
iur_survey.errors.IURSurveyError: c.yaml: speeder_far_fraction (0.3) must not be above speeder_fraction (0.2): far beyond the cut-off means faster still
>>> CleanConfig.from_dict({"person_total": {"min_spread": "1e-1"}}).person_total_min_spread
0.1

>>> cfg = CleanConfig.from_dict({"speeder": {"fraction": 0.25}, "disable": ["irv"]})
>>> cfg.speeder_fraction, "irv" in cfg.rules
(0.25, False)
>>> cfg.params("speeder")
{'fraction': 0.25, 'seconds_per_item': 1.0, 'far_fraction': 0.15, 'strong_fraction': None}

Careless-responding indices only flag; a flagged response is excluded on convergent
evidence (:mod:`iur_survey.clean.decision`).  ``decision: {exclude_alone: [mahalanobis]}``
restores a single index as an exclusion on its own::

    decision: {min_evidence: 2, exclude_alone: [mahalanobis]}

Some evidence groups count only beside certain others (by default ``structure`` beside
``speed``, ``direction`` beside ``speed``, ``inconsistency`` beside ``speed`` or the
random-answer ratios ``random_likelihood`` and ``mixture_likelihood``: a partner may be one
index rule of another group).  ``decision: {beside: {}}`` lets every group count beside any other;
``beside`` replaces the whole default mapping, so list every group that should keep a partner::

    decision: {beside: {structure: [speed]}}

"""

from __future__ import annotations

import dataclasses
import inspect
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

from ..errors import IURSurveyError
from ..instrument import Instrument
from .decision import BESIDE, DISTANCE_ONCE, EVIDENCE_GROUPS, GUARD_ANTONYMS
from .rules import _STATUS_WORDS, ACCEPTABLE_STATUSES, DEFAULT_RULES, RULE_ORDER, RULES

#: keyword arguments of rules that are wiring, not thresholds (set by the pipeline)
_WIRING = {"eligible", "reference", "order", "not_shown", "answered_later", "email_groups", "completion_note",
           "checks", "resolution"}


def rule_parameters(rule: str) -> dict[str, Any]:
    """A rule's threshold parameters and their defaults, from its signature.

    >>> rule_parameters("unfinished")
    {'min_progress': 100.0, 'min_trailing_missing': None, 'accept': ()}
    """
    sig = inspect.signature(RULES[rule])
    return {name: p.default for name, p in sig.parameters.items()
            if p.kind is inspect.Parameter.KEYWORD_ONLY and name not in _WIRING}


@dataclass
class CleanConfig:
    """All cleaning parameters (see the module docstring); defaults = the rules' defaults."""

    rules: tuple[str, ...] = DEFAULT_RULES
    status_exclude: tuple[str, ...] = ("preview", "test", "spam")
    unfinished_min_progress: float = 100.0
    unfinished_min_trailing_missing: int | None = None
    unfinished_accept: tuple[str, ...] = ()
    duplicate_id_by_email: bool = True
    attention_missing_fails: bool = True
    speeder_fraction: float = 0.3
    speeder_seconds_per_item: float = 1.0
    speeder_far_fraction: float = 0.15
    speeder_strong_fraction: float | None = None
    longstring_min_run: int | None = None
    longstring_far_run: int | None = None
    longstring_honest_far_alpha: float = 0.001
    longstring_midpoint_consistent: int | None = None
    longstring_midpoint_off: int | None = 3
    longstring_midpoint_popular: int | None = 2
    longstring_keyed_lines: bool = True
    longstring_keyed_agree: bool = False
    longstring_keyed_far: bool = True
    longstring_near_spike: float | None = 2.0
    longstring_near_keyed: bool = False
    longstring_chance_lines: bool = True
    longstring_line_pace: float | None = 0.5
    longpattern_min_run: int | None = None
    longpattern_far_run: int | None = None
    longpattern_max_period: int | None = None
    longpattern_honest_alpha: float = 0.01
    longpattern_honest_far_alpha: float = 0.001
    longpattern_own_order: bool = True
    longpattern_cycle_period: int = 3
    longpattern_cycle_share: float = 0.7
    irv_min_sd: float = 0.4
    irv_far_sd: float = 0.35
    irv_min_items: int | None = None
    irv_midpoint_consistent: int | None = None
    irv_midpoint_off: int | None = 3
    irv_midpoint_popular: int | None = 2
    irv_chance_lines: bool = True
    irv_honest_far_alpha: float = 0.001
    irv_line_pace: float | None = 0.5
    mahalanobis_alpha: float = 0.01
    mahalanobis_halves: bool = True
    mahalanobis_style_check: bool = True
    mahalanobis_style_quantile: float = 0.9
    mahalanobis_shape_quantile: float | None = None
    mahalanobis_keyed_lines: bool = True
    mahalanobis_keyed_agree: bool = False
    mahalanobis_by_group: bool = False
    mahalanobis_min_items: int | None = None
    mahalanobis_direction_alpha: float = 0.005
    mahalanobis_direction_halves: bool = True
    mahalanobis_direction_by_group: bool = False
    mahalanobis_direction_min_items: int | None = None
    mahalanobis_ipsatized_alpha: float = 0.005
    mahalanobis_ipsatized_min_items: int | None = None
    mahalanobis_quotient_alpha: float = 0.025
    mahalanobis_quotient_min_items: int | None = None
    random_likelihood_alpha: float = 0.005
    random_likelihood_far_alpha: float = 0.001
    random_likelihood_tails: bool = True
    random_likelihood_min_tail: int = 4
    random_likelihood_change_point: bool = False
    random_likelihood_irtree: bool = False
    random_likelihood_far_styles_alpha: float | None = 0.02
    random_likelihood_integrated: bool = False
    random_likelihood_far_styles_sample: bool = False
    random_likelihood_predictive: bool = True
    random_likelihood_predictive_screen: float | None = 0.95
    correlation_likelihood_alpha: float = 0.005
    correlation_likelihood_far_alpha: float = 0.001
    correlation_likelihood_styles: bool = True
    correlation_likelihood_far: bool = False
    mixture_likelihood_alpha: float = 0.005
    mixture_likelihood_far_alpha: float = 0.001
    mixture_likelihood_far: bool = True
    mixture_likelihood_refit: bool = True
    invariant_tail_alpha: float = 0.005
    invariant_tail_far_alpha: float = 0.001
    invariant_tail_min_tail: int = 6
    invariant_tail_max_period: int = 1
    invariant_tail_min_ratio: float = 3.0
    invariant_tail_far_ratio: float = 6.9
    invariant_tail_walks: bool = True
    invariant_tail_min_walk: int = 8
    invariant_tail_seesaws: bool = True
    invariant_tail_seesaw_gap: int = 2
    page_line_alpha: float = 0.005
    page_line_far_alpha: float = 0.001
    page_line_min_items: int = 3
    page_line_min_pages: int = 3
    page_line_min_share: float = 0.5
    page_line_far_share: float = 0.75
    # near_duplicate (default since session 27): flag below 1e-3, exclude alone below 1e-4 (Bonferroni over the
    # earlier rows; evidence in rules.near_duplicate: no honest row excluded by it on any evaluation generator)
    near_duplicate_alpha: float = 1e-3
    near_duplicate_far_alpha: float = 1e-4
    near_duplicate_bands: int = 8
    near_duplicate_max_bucket: int = 8
    near_duplicate_min_items: int = 10
    psychsyn_min_r: float = 0.0
    psychsyn_critval: float = 0.2
    psychant_max_r: float = 0.0
    psychant_critval: float = 0.2
    even_odd_min_r: float = 0.0
    even_odd_min_constructs: int = 4
    person_total_min_r: float = -0.1
    person_total_min_spread: float = 0.1
    person_fit_max_g: float = 0.3
    tool_bot_recaptcha_below: float = 0.5
    tool_bot_fraud_from: float = 30.0
    tool_speed_rsi_above: float = 2.0
    tool_speed_deg_time_above: float = 100.0
    tool_speed_rsi_strong: float | None = None
    tool_duplicate_score_from: float = 75.0
    #: the convergent-evidence decision (:mod:`iur_survey.clean.decision`)
    decision_min_evidence: int = 2
    decision_min_inconsistency: int = 3
    decision_exclude_alone: tuple[str, ...] = ()
    #: evidence group -> the groups it counts beside (only), as pairs; a mapping is accepted
    decision_beside: tuple[tuple[str, tuple[str, ...]], ...] = tuple((g, tuple(p)) for g, p in BESIDE.items())
    #: beside a moderately fast duration the distances of the same answers count once (:mod:`iur_survey.clean.decision`)
    decision_distance_once: bool = DISTANCE_ONCE
    #: a whole-form random-answer ratio within the style guard is far beyond beside psychant (:mod:`~iur_survey.clean.decision`)
    decision_guard_antonyms: bool = GUARD_ANTONYMS
    source: str | None = field(default=None, compare=False)  # the file it was read from

    def __post_init__(self) -> None:
        self.rules = tuple(self.rules)
        self.status_exclude = tuple(self.status_exclude)
        self.unfinished_accept = tuple(_name_list(self.unfinished_accept, self.source, "unfinished accept"))
        self.decision_exclude_alone = tuple(self.decision_exclude_alone)
        self.decision_beside = _beside_pairs(self.decision_beside, self.source)
        for f in dataclasses.fields(self):                 # built directly, not only from a file
            if f.name not in ("source", "rules", "status_exclude", "decision_exclude_alone", "decision_beside",
                              "unfinished_accept"):
                setattr(self, f.name, _coerce(f.name, getattr(self, f.name), f, self.source))
        _check_far_pairs(self)                             # after defaults and file are merged
        bad = [r for r in self.decision_exclude_alone if r not in RULES]
        if bad:
            raise IURSurveyError(self.source, f"decision exclude_alone: unknown rule(s) {', '.join(bad)}")
        unknown = [r for r in self.rules if r not in RULES]
        if unknown:
            raise IURSurveyError(self.source, f"unknown rule(s) {', '.join(unknown)}; "
                                              f"known: {', '.join(RULE_ORDER)}")
        bad_accept = sorted({a.lower() for a in self.unfinished_accept} - set(ACCEPTABLE_STATUSES))
        if bad_accept:
            raise IURSurveyError(self.source, f"unfinished accept: unknown status(es) {', '.join(bad_accept)}; "
                                              f"known: {', '.join(ACCEPTABLE_STATUSES)}")
        bad_status = sorted(set(self.status_exclude) - set(_STATUS_WORDS.values()))
        if bad_status:
            raise IURSurveyError(self.source, f"status: unknown status kind(s) {', '.join(map(str, bad_status))}; "
                                              f"known: {', '.join(sorted(set(_STATUS_WORDS.values())))}")
        # keep pipeline order whatever order the user listed them in
        self.rules = tuple(r for r in RULE_ORDER if r in set(self.rules))

    # -- views -----------------------------------------------------------------------
    def params(self, rule: str) -> dict[str, Any]:
        """The keyword arguments this configuration passes to ``rule``."""
        return {name: getattr(self, f"{rule}_{name}") for name in rule_parameters(rule)}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, nested by rule (the form the report records).

        >>> CleanConfig().to_dict()["speeder"]
        {'fraction': 0.3, 'seconds_per_item': 1.0, 'far_fraction': 0.15, 'strong_fraction': None}
        """
        out: dict[str, Any] = {"rules": list(self.rules)}
        for rule in RULE_ORDER:
            p = self.params(rule)
            if p:
                out[rule] = {k: list(v) if isinstance(v, tuple) else v for k, v in p.items()}
        out["decision"] = {"min_evidence": self.decision_min_evidence,
                           "min_inconsistency": self.decision_min_inconsistency,
                           "exclude_alone": list(self.decision_exclude_alone),
                           "beside": {g: list(p) for g, p in self.decision_beside},
                           "distance_once": self.decision_distance_once,
                           "guard_antonyms": self.decision_guard_antonyms}
        return out

    def check_instrument(self, instrument: Instrument) -> None:
        """Refuse settings that no export of ``instrument`` can meet (its items, constructs and scale).

        The configuration alone does not know the questionnaire, so it only bounds counts by
        :data:`MAX_COUNT`; a caller holding the instrument can refuse a count above its items
        (the rule would judge nobody) or a threshold beyond its scale (nobody or everyone).

        >>> from iur_survey.instrument import load_instrument
        >>> CleanConfig(irv_min_items=100).check_instrument(load_instrument())
        Traceback (most recent call last):
        ...
        iur_survey.errors.IURSurveyError: irv_min_items: 100 is more than the instrument's 28 items: the rule would judge nobody
        >>> CleanConfig().check_instrument(load_instrument())
        """
        n_items = len(instrument.item_codes)
        n_constructs = sum(len(c.items) >= 2 for c in instrument.constructs.values())
        spread = (instrument.scale_max - instrument.scale_min) / 2     # the most any SD of answers can reach
        defaults = {f.name: f.default for f in dataclasses.fields(type(self))}
        for name in _COUNTS:
            value = getattr(self, name)
            if value == defaults.get(name):     # a default fits any questionnaire (a rule says itself when not)
                continue
            if name in _ROW_COUNTS:             # a number of rows, not of items: any value from its least fits
                continue
            if name == "even_odd_min_constructs":
                if value > n_constructs:
                    raise IURSurveyError(self.source, f"{name}: {value} is more than the instrument's {n_constructs} "
                                                      f"constructs with 2+ items: the rule would judge nobody")
            elif value is not None and value > n_items:
                why = ("no pattern repeats over more answers than there are" if name.endswith("_max_period")
                       else "the rule would judge nobody")
                raise IURSurveyError(self.source, f"{name}: {value} is more than the instrument's {n_items} items: "
                                                  f"{why}")
        for name in ("irv_min_sd", "person_total_min_spread"):
            if getattr(self, name) != defaults.get(name) and getattr(self, name) > spread:
                raise IURSurveyError(self.source, f"{name}: {_show(getattr(self, name))} is more than half the "
                                                  f"scale's range ({_show(spread)}), about the largest SD answers "
                                                  f"on it can have: the rule would flag "
                                                  f"{'nobody' if name == 'person_total_min_spread' else 'everyone'}")

    # -- construction ----------------------------------------------------------------
    @classmethod
    def from_dict(cls, doc: Mapping[str, Any] | None, source: str | Path | None = None) -> "CleanConfig":
        """Build from a mapping (flat ``speeder_fraction`` or nested ``speeder: {fraction}``).

        >>> CleanConfig.from_dict({"speedr": {"fraction": 0.2}})
        Traceback (most recent call last):
        ...
        iur_survey.errors.IURSurveyError: unknown setting 'speedr'; known: rules, disable, decision, status, unfinished, duplicate_id, duplicate_answers_ip, out_of_range, attention, speeder, longstring, longpattern, irv, mahalanobis, mahalanobis_direction, mahalanobis_ipsatized, mahalanobis_quotient, random_likelihood, correlation_likelihood, mixture_likelihood, invariant_tail, page_line, near_duplicate, psychsyn, psychant, even_odd, person_total, person_fit, tool_bot, tool_speed, tool_duplicate or a flat <rule>_<parameter> name
        """
        src = None if source is None else str(source)
        if doc is None:
            doc = {}
        if not isinstance(doc, Mapping):
            raise IURSurveyError(src, "the cleaning configuration must be a mapping")
        fields = {f.name: f for f in dataclasses.fields(cls) if f.name not in ("source",)}
        kwargs: dict[str, Any] = {}
        given: dict[str, str] = {}               # field -> how the file named it: one setting, one value

        def put(name: str, value: Any, how: str) -> None:
            if name in given:
                raise IURSurveyError(src, f"{name} is given twice ({given[name]} and {how}); keep one")
            given[name] = how
            kwargs[name] = value

        off: list[str] = []
        for key, value in doc.items():
            key = str(key)
            if key == "disable":
                off = _name_list(value, src, "disable")
                bad = [r for r in off if r not in RULES]
                if bad:
                    raise IURSurveyError(src, f"disable: unknown rule(s) {', '.join(bad)}")
            elif key == "rules":
                put("rules", tuple(_name_list(value, src, "rules")), "rules")
            elif key == "decision":
                if value is None:
                    continue
                if not isinstance(value, Mapping):
                    raise IURSurveyError(src, "decision: expected a mapping of parameters")
                for pname, pval in value.items():
                    if pname == "speed_only":       # the key before the general form
                        raise IURSurveyError(src, "decision: speed_only is now beside, a mapping of group -> the "
                                                  "groups it counts beside (speed_only: [structure] is beside: "
                                                  "{structure: [speed]}; beside: {} lets every group count)")
                    if f"decision_{pname}" not in fields:
                        raise IURSurveyError(src, f"decision: unknown parameter {pname!r}; known: "
                                                  f"min_evidence, min_inconsistency, exclude_alone, beside, distance_once, "
                                                  f"guard_antonyms")
                    put(f"decision_{pname}", pval, f"decision: {{{pname}}}")
            elif key in RULES:
                if value is None:
                    continue
                if not isinstance(value, Mapping):
                    raise IURSurveyError(src, f"{key}: expected a mapping of parameters")
                known = rule_parameters(key)
                for pname, pval in value.items():
                    if pname not in known:
                        raise IURSurveyError(src, f"{key}: unknown parameter {pname!r}; "
                                                  f"known: {', '.join(known) or 'none'}")
                    put(f"{key}_{pname}", pval, f"{key}: {{{pname}}}")
            elif key in fields:
                put(key, value, key)
            else:
                raise IURSurveyError(src, f"unknown setting {key!r}; known: rules, disable, decision, "
                                          f"{', '.join(RULE_ORDER)} or a flat <rule>_<parameter> name")
        for name, value in kwargs.items():
            kwargs[name] = _coerce(name, value, fields[name], src)
        if off:                                  # disable takes from rules, wherever either is written
            kwargs["rules"] = tuple(r for r in kwargs.get("rules", DEFAULT_RULES) if r not in off)
        return cls(**kwargs, source=src)

    @classmethod
    def from_file(cls, path: str | Path) -> "CleanConfig":
        """Read a YAML or JSON configuration file.

        >>> CleanConfig.from_file("/no/such/clean.yaml")
        Traceback (most recent call last):
        ...
        iur_survey.errors.IURSurveyError: /no/such/clean.yaml: cannot read the cleaning configuration: No such file or directory
        """
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise IURSurveyError(path, f"cannot read the cleaning configuration: {exc.strerror}") from None
        except UnicodeDecodeError:          # as the instrument's loader
            raise IURSurveyError(path, "the cleaning configuration is not UTF-8 text") from None
        try:
            doc = (json.loads(text, object_pairs_hook=_unique_pairs) if path.suffix.lower() == ".json"
                   else yaml.load(text, Loader=_UniqueKeyLoader))
        except _DuplicateKey as exc:
            raise IURSurveyError(path, f"{exc.key!r} is given twice{exc.where}; keep one") from None
        except (ValueError, yaml.YAMLError) as exc:
            raise IURSurveyError(path, f"not valid {'JSON' if path.suffix.lower() == '.json' else 'YAML'}: "
                                       f"{str(exc).splitlines()[0]}") from None
        return cls.from_dict(doc, source=path)


_FIELDS = {f.name: f for f in dataclasses.fields(CleanConfig)}


class _DuplicateKey(Exception):
    def __init__(self, key: Any, where: str = ""):
        super().__init__(key)
        self.key, self.where = key, where


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refusing a key given twice (``json`` keeps the last silently)."""
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise _DuplicateKey(k)
        out[k] = v
    return out


class _UniqueKeyLoader(yaml.SafeLoader):
    """``yaml.safe_load``, refusing a mapping key given twice (PyYAML keeps the last silently).

    >>> yaml.load("speeder: {fraction: 0.3, fraction: 0.9}", Loader=_UniqueKeyLoader)
    Traceback (most recent call last):
    ...
    iur_survey.clean.config._DuplicateKey: fraction
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node)
            if key in seen:
                raise _DuplicateKey(key, f" (lines {seen[key] + 1} and {key_node.start_mark.line + 1})")
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


def _name_list(value: Any, src: str | None, where: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise IURSurveyError(src, f"{where}: expected a list of rule names")
    return list(value)


#: the largest count of items (or constructs) a setting may name: more than any questionnaire the
#: package reads has (the instrument is not known here; :meth:`CleanConfig.check_instrument` knows it)
MAX_COUNT = 999

#: count settings -> their least meaningful value (a "run" or "tail" of one answer is every respondent's,
#: a period of 1 is longstring's, a correlation across one construct does not exist)
_COUNTS: dict[str, int] = {
    "unfinished_min_trailing_missing": 1,
    "longstring_min_run": 2, "longstring_far_run": 2, "longstring_midpoint_consistent": 1,
    "irv_midpoint_consistent": 1, "longstring_midpoint_off": 1, "irv_midpoint_off": 1,
    "longstring_midpoint_popular": 1, "irv_midpoint_popular": 1,
    "longpattern_min_run": 2, "longpattern_far_run": 2, "longpattern_max_period": 2,
    "longpattern_cycle_period": 1,
    "irv_min_items": 1, "mahalanobis_min_items": 1, "mahalanobis_direction_min_items": 1,
    "mahalanobis_ipsatized_min_items": 1, "mahalanobis_quotient_min_items": 1,
    "random_likelihood_min_tail": 1, "invariant_tail_min_tail": 2, "invariant_tail_max_period": 1,
    "invariant_tail_min_walk": 3, "invariant_tail_seesaw_gap": 1,
    "page_line_min_items": 2, "page_line_min_pages": 2,
    "near_duplicate_bands": 2, "near_duplicate_max_bucket": 2, "near_duplicate_min_items": 2,
    "even_odd_min_constructs": 2,
}
#: counts of rows, not items: no questionnaire bounds them
_ROW_COUNTS = ("near_duplicate_max_bucket",)
#: counts of evidence, bounded by what the decision can ever see (:data:`~iur_survey.clean.decision.EVIDENCE_GROUPS`)
_EVIDENCE_COUNTS: dict[str, int] = {
    "decision_min_evidence": len(EVIDENCE_GROUPS),
    "decision_min_inconsistency": len(EVIDENCE_GROUPS["inconsistency"]),
}
#: probabilities, fractions and correlation magnitudes: strictly between 0 and 1
_UNIT = ("speeder_fraction", "speeder_far_fraction", "speeder_strong_fraction", "mahalanobis_alpha", "mahalanobis_direction_alpha",
         "mahalanobis_ipsatized_alpha", "mahalanobis_quotient_alpha", "random_likelihood_alpha",
         "random_likelihood_far_alpha", "random_likelihood_far_styles_alpha", "random_likelihood_predictive_screen",
         "correlation_likelihood_alpha",
         "correlation_likelihood_far_alpha",
         "mixture_likelihood_alpha", "mixture_likelihood_far_alpha",
         "invariant_tail_alpha", "invariant_tail_far_alpha", "page_line_alpha", "page_line_far_alpha",
         "page_line_min_share", "page_line_far_share", "near_duplicate_alpha", "near_duplicate_far_alpha",
         "longpattern_honest_alpha", "longpattern_honest_far_alpha", "longstring_honest_far_alpha", "irv_honest_far_alpha",
         "longpattern_cycle_share",
         "psychsyn_critval", "psychant_critval", "mahalanobis_style_quantile", "mahalanobis_shape_quantile")
#: settings with a default that ``null`` turns off
_OFF_BY_NULL = ("random_likelihood_far_styles_alpha", "random_likelihood_predictive_screen",
                "longstring_midpoint_off", "irv_midpoint_off",
                "longstring_midpoint_popular", "irv_midpoint_popular", "longstring_near_spike",
                "longstring_line_pace", "irv_line_pace")
#: within-person correlation cut-offs: strictly between -1 and 1 (at -1 or 1 a rule flags nobody or everyone)
_CORRELATIONS = ("psychsyn_min_r", "psychant_max_r", "even_odd_min_r", "person_total_min_r")
#: standard deviations, seconds and log likelihood ratios: not negative
_NON_NEGATIVE = ("speeder_seconds_per_item", "irv_min_sd", "irv_far_sd", "person_total_min_spread",
                 "invariant_tail_min_ratio", "invariant_tail_far_ratio", "longstring_line_pace", "irv_line_pace")
#: other numbers' ranges: name -> (low, high, low included, high included, what)
_RANGES: dict[str, tuple[float, float, bool, bool, str]] = {
    "unfinished_min_progress": (0, 100, False, True, "a percentage above 0 and at most 100"),
    "person_fit_max_g": (0, 1, True, False, "normed Guttman errors from 0 to below 1"),
    "speeder_seconds_per_item": (0, 60, True, True,
                                 "from 0 to 60 seconds (no careful reader needs a minute for every item)"),
    "tool_bot_recaptcha_below": (0, 1, False, True, "a reCAPTCHA score above 0 and at most 1"),
    "tool_bot_fraud_from": (0, 100, False, True, "a RelevantID score above 0 and at most 100"),
    "tool_duplicate_score_from": (0, 100, False, True, "a RelevantID score above 0 and at most 100"),
    "tool_speed_rsi_above": (0, float("inf"), False, False, "a speed ratio above 0"),
    "tool_speed_rsi_strong": (0, float("inf"), False, False, "a speed ratio above 0"),
    "tool_speed_deg_time_above": (0, float("inf"), True, False, "degradation points from 0"),
    "longstring_near_spike": (0, float("inf"), False, False, "a ratio above 0"),
}
#: a cut-off and its "far beyond the cut-off" partner: (cut-off, far, far lies above, what far means)
_FAR_PAIRS = (
    ("speeder_fraction", "speeder_far_fraction", False, "faster still"),
    ("longstring_min_run", "longstring_far_run", True, "a longer run"),
    ("longpattern_min_run", "longpattern_far_run", True, "a longer periodic string"),
    ("longpattern_honest_alpha", "longpattern_honest_far_alpha", False, "rarer still"),
    ("irv_min_sd", "irv_far_sd", False, "less variability still"),
    ("random_likelihood_alpha", "random_likelihood_far_alpha", False, "rarer still"),
    ("correlation_likelihood_alpha", "correlation_likelihood_far_alpha", False, "rarer still"),
    ("mixture_likelihood_alpha", "mixture_likelihood_far_alpha", False, "rarer still"),
    ("invariant_tail_alpha", "invariant_tail_far_alpha", False, "rarer still"),
    ("invariant_tail_min_ratio", "invariant_tail_far_ratio", True, "a larger ratio"),
    ("page_line_alpha", "page_line_far_alpha", False, "rarer still"),
    ("page_line_min_share", "page_line_far_share", True, "more pages straight"),
    ("near_duplicate_alpha", "near_duplicate_far_alpha", False, "rarer still"),
)
#: a plain decimal or exponent number written as text (YAML 1.1 reads ``1e9`` and ``1.0e9`` so)
_NUMBER_TEXT = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def _coerce(name: str, value: Any, f: dataclasses.Field, src: str | None) -> Any:
    """Check a configured value against the field's default type and its meaningful range.

    >>> _coerce("speeder_seconds_per_item", "1e1", _FIELDS["speeder_seconds_per_item"], "c.yaml")
    10.0
    >>> _coerce("irv_min_sd", float("nan"), _FIELDS["irv_min_sd"], "c.yaml")
    Traceback (most recent call last):
    ...
    iur_survey.errors.IURSurveyError: c.yaml: irv_min_sd: expected a finite number, got nan
    >>> _coerce("psychsyn_critval", 2, _FIELDS["psychsyn_critval"], "c.yaml")
    Traceback (most recent call last):
    ...
    iur_survey.errors.IURSurveyError: c.yaml: psychsyn_critval: expected a number between 0 and 1 (exclusive), got 2
    """
    if name in ("rules", "status_exclude", "decision_exclude_alone", "unfinished_accept"):
        return tuple(_name_list(value, src, name))
    if name == "decision_beside":
        return _beside_pairs(value, src)
    default = f.default
    if value is None:
        if default is None or name in _OFF_BY_NULL:
            return None
        raise IURSurveyError(src, f"{name}: a value is required")
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise IURSurveyError(src, f"{name}: expected true or false, got {value!r}")
        return value
    if name in _COUNTS or name in _EVIDENCE_COUNTS:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise IURSurveyError(src, f"{name}: expected a positive whole number, got {value!r}")
        least = _COUNTS.get(name, 1)
        most = _EVIDENCE_COUNTS.get(name, MAX_COUNT)
        if value < least:
            raise IURSurveyError(src, f"{name}: expected a whole number of at least {least}, got {value!r}")
        if value > most:
            what = ("evidence groups" if name == "decision_min_evidence" else "inconsistency indices"
                    if name == "decision_min_inconsistency" else "items in any questionnaire")
            raise IURSurveyError(src, f"{name}: expected at most {most} (there are no more {what}), got {value!r}")
        return value
    if isinstance(value, str) and _NUMBER_TEXT.fullmatch(value.strip()):
        value = float(value)                 # YAML reads 1e9 (no dot) and 1.0e9 (no exponent sign) as text
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise IURSurveyError(src, f"{name}: expected a number, got {value!r}")
    shown, value = value, float(value)
    if not math.isfinite(value):
        raise IURSurveyError(src, f"{name}: expected a finite number, got {value!r}")
    if name in _UNIT and not 0 < value < 1:
        raise IURSurveyError(src, f"{name}: expected a number between 0 and 1 (exclusive), got {shown!r}")
    if name in _CORRELATIONS and not -1 < value < 1:
        raise IURSurveyError(src, f"{name}: expected a correlation between -1 and 1 (exclusive; at -1 or 1 "
                                  f"the rule flags nobody or nearly everyone), got {shown!r}")
    if name in _NON_NEGATIVE and value < 0:
        raise IURSurveyError(src, f"{name}: must not be negative, got {shown!r}")
    if name in _RANGES:
        low, high, low_in, high_in, what = _RANGES[name]
        if not ((low <= value) if low_in else (low < value)) or not ((value <= high) if high_in else (value < high)):
            raise IURSurveyError(src, f"{name}: expected {what}, got {shown!r}")
    return value


def _check_far_pairs(cfg: "CleanConfig") -> None:
    """A "far beyond the cut-off" threshold must lie beyond (or at) its cut-off, or every hit is far.

    >>> CleanConfig(longstring_min_run=20, longstring_far_run=5)
    Traceback (most recent call last):
    ...
    iur_survey.errors.IURSurveyError: longstring_far_run (5) must not be below longstring_min_run (20): far beyond the cut-off means a longer run
    """
    for cut, far, above, meaning in _FAR_PAIRS:
        a, b = getattr(cfg, cut), getattr(cfg, far)
        if a is None or b is None:           # a default that depends on the instrument
            continue
        if (b < a) if above else (b > a):
            raise IURSurveyError(cfg.source, f"{far} ({_show(b)}) must not be {'below' if above else 'above'} "
                                             f"{cut} ({_show(a)}): far beyond the cut-off means {meaning}")
    if cfg.tool_speed_rsi_strong is not None and cfg.tool_speed_rsi_strong < cfg.tool_speed_rsi_above:
        raise IURSurveyError(cfg.source, f"tool_speed_rsi_strong ({_show(cfg.tool_speed_rsi_strong)}) must not be "
                                         f"below tool_speed_rsi_above ({_show(cfg.tool_speed_rsi_above)}): "
                                         f"a strong flag is a faster one")
    strong = cfg.speeder_strong_fraction
    if strong is not None and not cfg.speeder_far_fraction <= strong <= cfg.speeder_fraction:
        raise IURSurveyError(cfg.source, f"speeder_strong_fraction ({_show(strong)}) must lie from "
                                         f"speeder_far_fraction ({_show(cfg.speeder_far_fraction)}) to "
                                         f"speeder_fraction ({_show(cfg.speeder_fraction)}): it splits the flag band")


def _show(x: float | int) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def _beside_pairs(value: Any, src: str | None) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``decision.beside`` as (group, partner groups) pairs, checked against the evidence groups (a partner may
    also be one index rule of another group: its own hits, not the whole group's).

    >>> _beside_pairs({"direction": ["speed", "size"]}, None)
    (('direction', ('speed', 'size')),)
    >>> _beside_pairs({"inconsistency": ["speed", "random_likelihood"]}, None)
    (('inconsistency', ('speed', 'random_likelihood')),)
    >>> _beside_pairs({"direction": "sped"}, "c.yaml")
    Traceback (most recent call last):
    ...
    iur_survey.errors.IURSurveyError: c.yaml: decision beside: unknown evidence group(s) sped; known: speed, invariance, size, direction, profile, structure, likelihood, inconsistency, bot, copy (a partner may also be one index rule of another group, e.g. random_likelihood)
    """
    if value is None:
        value = {}
    items = value.items() if isinstance(value, Mapping) else value
    out = []
    try:
        for g, partners in items:
            partners = (partners,) if isinstance(partners, str) else tuple(partners)
            out.append((g, partners))
    except (TypeError, ValueError):
        raise IURSurveyError(src, "decision beside: expected a mapping of evidence group -> list of groups "
                                  "(e.g. {direction: [speed, size]})") from None
    bad = [str(g) for g, _ in out if not isinstance(g, str) or g not in EVIDENCE_GROUPS]
    if bad:
        raise IURSurveyError(src, f"decision beside: unknown evidence group(s) {', '.join(dict.fromkeys(bad))}; "
                                  f"known: {', '.join(EVIDENCE_GROUPS)}")
    members = {r: grp for grp, rs in EVIDENCE_GROUPS.items() for r in rs}
    bad = [str(p) for _, ps in out for p in ps if not isinstance(p, str) or (p not in EVIDENCE_GROUPS and p not in members)]
    if bad:
        raise IURSurveyError(src, f"decision beside: unknown evidence group(s) {', '.join(dict.fromkeys(bad))}; "
                                  f"known: {', '.join(EVIDENCE_GROUPS)} (a partner may also be one index rule of "
                                  "another group, e.g. random_likelihood)")
    selfish = [g for g, ps in out if g in ps or any(members.get(p) == g for p in ps) or not ps]
    if selfish:
        raise IURSurveyError(src, f"decision beside: {', '.join(selfish)} needs partner groups other than itself")
    return tuple(out)
