"""The cleaning configuration: which rules run, and every rule's thresholds.

:class:`CleanConfig` has one field per rule parameter, named ``<rule>_<parameter>``
after the keyword arguments of :mod:`iur_survey.clean.rules` (whose docstrings give
the literature behind each default), plus ``rules``, the rules that run.  A file
(YAML or JSON; ``iur-survey clean --config FILE``) may give the parameters flat or
nested by rule, and may list ``rules`` (exactly these) or ``disable`` (all but these)::

    rules: [status, unfinished, duplicate_id, attention, speeder, longstring]
    speeder: {fraction: 0.25}
    mahalanobis_alpha: 0.0001

>>> cfg = CleanConfig.from_dict({"speeder": {"fraction": 0.25}, "disable": ["irv"]})
>>> cfg.speeder_fraction, "irv" in cfg.rules
(0.25, False)
>>> cfg.params("speeder")
{'fraction': 0.25, 'seconds_per_item': 2.0, 'far_fraction': 0.15}

Careless-responding indices only flag; a flagged response is excluded on convergent
evidence (:mod:`iur_survey.clean.decision`).  ``decision: {exclude_alone: [mahalanobis]}``
restores a single index as an exclusion on its own::

    decision: {min_evidence: 2, exclude_alone: [mahalanobis]}

Some evidence groups count only beside certain others (by default ``structure`` beside
``speed``, ``direction`` beside ``speed`` or ``size``, ``inconsistency`` beside ``speed`` or
``likelihood``).  ``decision: {beside: {}}`` lets every group count beside any other;
``beside`` replaces the whole default mapping, so list every group that should keep a partner::

    decision: {beside: {structure: [speed]}}

"""

from __future__ import annotations

import dataclasses
import inspect
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

from ..errors import IURSurveyError
from .decision import BESIDE, EVIDENCE_GROUPS
from .rules import _STATUS_WORDS, DEFAULT_RULES, RULE_ORDER, RULES

#: keyword arguments of rules that are wiring, not thresholds (set by the pipeline)
_WIRING = {"eligible", "reference"}


def rule_parameters(rule: str) -> dict[str, Any]:
    """A rule's threshold parameters and their defaults, from its signature.

    >>> rule_parameters("unfinished")
    {'min_progress': 100.0, 'min_trailing_missing': None}
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
    attention_missing_fails: bool = True
    speeder_fraction: float = 0.3
    speeder_seconds_per_item: float = 2.0
    speeder_far_fraction: float = 0.15
    longstring_min_run: int | None = None
    longstring_far_run: int | None = None
    longpattern_min_run: int | None = None
    longpattern_far_run: int | None = None
    longpattern_max_period: int | None = None
    longpattern_honest_alpha: float = 0.01
    longpattern_honest_far_alpha: float = 0.001
    irv_min_sd: float = 0.4
    irv_far_sd: float = 0.35
    irv_min_items: int | None = None
    mahalanobis_alpha: float = 0.01
    mahalanobis_halves: bool = True
    mahalanobis_style_check: bool = True
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
    invariant_tail_alpha: float = 0.005
    invariant_tail_far_alpha: float = 0.001
    invariant_tail_min_tail: int = 6
    invariant_tail_max_period: int = 1
    invariant_tail_min_ratio: float = 3.0
    invariant_tail_far_ratio: float = 6.9
    psychsyn_min_r: float = 0.0
    psychsyn_critval: float = 0.2
    psychant_max_r: float = 0.0
    psychant_critval: float = 0.2
    even_odd_min_r: float = 0.0
    even_odd_min_constructs: int = 4
    person_total_min_r: float = -0.1
    person_total_min_spread: float = 0.1
    person_fit_max_g: float = 0.3
    #: the convergent-evidence decision (:mod:`iur_survey.clean.decision`)
    decision_min_evidence: int = 2
    decision_min_inconsistency: int = 3
    decision_exclude_alone: tuple[str, ...] = ()
    #: evidence group -> the groups it counts beside (only), as pairs; a mapping is accepted
    decision_beside: tuple[tuple[str, tuple[str, ...]], ...] = tuple((g, tuple(p)) for g, p in BESIDE.items())
    source: str | None = field(default=None, compare=False)  # the file it was read from

    def __post_init__(self) -> None:
        self.rules = tuple(self.rules)
        self.status_exclude = tuple(self.status_exclude)
        self.decision_exclude_alone = tuple(self.decision_exclude_alone)
        self.decision_beside = _beside_pairs(self.decision_beside, self.source)
        bad = [r for r in self.decision_exclude_alone if r not in RULES]
        if bad:
            raise IURSurveyError(self.source, f"decision exclude_alone: unknown rule(s) {', '.join(bad)}")
        unknown = [r for r in self.rules if r not in RULES]
        if unknown:
            raise IURSurveyError(self.source, f"unknown rule(s) {', '.join(unknown)}; "
                                              f"known: {', '.join(RULE_ORDER)}")
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
        {'fraction': 0.3, 'seconds_per_item': 2.0, 'far_fraction': 0.15}
        """
        out: dict[str, Any] = {"rules": list(self.rules)}
        for rule in RULE_ORDER:
            p = self.params(rule)
            if p:
                out[rule] = {k: list(v) if isinstance(v, tuple) else v for k, v in p.items()}
        out["decision"] = {"min_evidence": self.decision_min_evidence,
                           "min_inconsistency": self.decision_min_inconsistency,
                           "exclude_alone": list(self.decision_exclude_alone),
                           "beside": {g: list(p) for g, p in self.decision_beside}}
        return out

    # -- construction ----------------------------------------------------------------
    @classmethod
    def from_dict(cls, doc: Mapping[str, Any] | None, source: str | Path | None = None) -> "CleanConfig":
        """Build from a mapping (flat ``speeder_fraction`` or nested ``speeder: {fraction}``).

        >>> CleanConfig.from_dict({"speedr": {"fraction": 0.2}})
        Traceback (most recent call last):
        ...
        iur_survey.errors.IURSurveyError: unknown setting 'speedr'; known: rules, disable, decision, status, unfinished, duplicate_id, duplicate_answers_ip, out_of_range, attention, speeder, longstring, longpattern, irv, mahalanobis, mahalanobis_direction, mahalanobis_ipsatized, mahalanobis_quotient, random_likelihood, invariant_tail, psychsyn, psychant, even_odd, person_total, person_fit or a flat <rule>_<parameter> name
        """
        src = None if source is None else str(source)
        if doc is None:
            doc = {}
        if not isinstance(doc, Mapping):
            raise IURSurveyError(src, "the cleaning configuration must be a mapping")
        fields = {f.name: f for f in dataclasses.fields(cls) if f.name not in ("source",)}
        kwargs: dict[str, Any] = {}
        for key, value in doc.items():
            key = str(key)
            if key == "disable":
                off = _name_list(value, src, "disable")
                bad = [r for r in off if r not in RULES]
                if bad:
                    raise IURSurveyError(src, f"disable: unknown rule(s) {', '.join(bad)}")
                base = kwargs.get("rules", DEFAULT_RULES)
                kwargs["rules"] = tuple(r for r in base if r not in off)
            elif key == "rules":
                kwargs["rules"] = tuple(_name_list(value, src, "rules"))
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
                                                  f"min_evidence, min_inconsistency, exclude_alone, beside")
                    kwargs[f"decision_{pname}"] = pval
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
                    kwargs[f"{key}_{pname}"] = pval
            elif key in fields:
                kwargs[key] = value
            else:
                raise IURSurveyError(src, f"unknown setting {key!r}; known: rules, disable, decision, "
                                          f"{', '.join(RULE_ORDER)} or a flat <rule>_<parameter> name")
        for name, value in kwargs.items():
            kwargs[name] = _coerce(name, value, fields[name], src)
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
        try:
            doc = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
        except (ValueError, yaml.YAMLError) as exc:
            raise IURSurveyError(path, f"not valid {'JSON' if path.suffix.lower() == '.json' else 'YAML'}: "
                                       f"{str(exc).splitlines()[0]}") from None
        return cls.from_dict(doc, source=path)


def _name_list(value: Any, src: str | None, where: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise IURSurveyError(src, f"{where}: expected a list of rule names")
    return list(value)


def _coerce(name: str, value: Any, f: dataclasses.Field, src: str | None) -> Any:
    """Check a configured value against the field's default type."""
    if name in ("rules", "status_exclude", "decision_exclude_alone"):
        return tuple(_name_list(value, src, name))
    if name == "decision_beside":
        return _beside_pairs(value, src)
    default = f.default
    if value is None:
        if default is None:
            return None
        raise IURSurveyError(src, f"{name}: a value is required")
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise IURSurveyError(src, f"{name}: expected true or false, got {value!r}")
        return value
    if name.endswith(("_min_run", "_far_run", "_max_period", "_min_items", "_min_constructs",
                      "_min_trailing_missing", "_min_evidence", "_min_inconsistency", "_min_tail")):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise IURSurveyError(src, f"{name}: expected a positive whole number, got {value!r}")
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise IURSurveyError(src, f"{name}: expected a number, got {value!r}")
    value = float(value)
    if name in ("speeder_fraction", "speeder_far_fraction", "mahalanobis_alpha",
                "mahalanobis_direction_alpha", "mahalanobis_ipsatized_alpha",
                "mahalanobis_quotient_alpha", "random_likelihood_alpha", "random_likelihood_far_alpha",
                "invariant_tail_alpha", "invariant_tail_far_alpha",
                "longpattern_honest_alpha", "longpattern_honest_far_alpha") \
            and not 0 < value < 1:
        raise IURSurveyError(src, f"{name}: expected a number between 0 and 1, got {value!r}")
    if name in ("speeder_seconds_per_item", "irv_min_sd", "irv_far_sd", "person_total_min_spread") and value < 0:
        raise IURSurveyError(src, f"{name}: must not be negative, got {value!r}")
    return value


def _beside_pairs(value: Any, src: str | None) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``decision.beside`` as (group, partner groups) pairs, checked against the evidence groups.

    >>> _beside_pairs({"direction": ["speed", "size"]}, None)
    (('direction', ('speed', 'size')),)
    >>> _beside_pairs({"direction": "sped"}, "c.yaml")
    Traceback (most recent call last):
    ...
    iur_survey.errors.IURSurveyError: c.yaml: decision beside: unknown evidence group(s) sped; known: speed, invariance, size, direction, profile, structure, likelihood, inconsistency
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
    names = [g for g, _ in out] + [p for _, ps in out for p in ps]
    bad = [str(g) for g in names if not isinstance(g, str) or g not in EVIDENCE_GROUPS]
    if bad:
        raise IURSurveyError(src, f"decision beside: unknown evidence group(s) {', '.join(dict.fromkeys(bad))}; "
                                  f"known: {', '.join(EVIDENCE_GROUPS)}")
    selfish = [g for g, ps in out if g in ps or not ps]
    if selfish:
        raise IURSurveyError(src, f"decision beside: {', '.join(selfish)} needs partner groups other than itself")
    return tuple(out)
