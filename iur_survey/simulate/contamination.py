"""What goes wrong in a real survey export, and how often: :class:`Contamination`.

Every rate is a proportion of ``n``, the number of honest respondents the
simulator draws; each injected case is an *extra* row on top of them (so a
perfect cleaning returns exactly ``n`` rows), except ``item_nonresponse``, which
blanks a few cells of honest respondents and is no reason to exclude anyone.

=================  ===========================================  ==========================
kind               what the row is                              cleaning rule(s) that
                                                                should catch it
=================  ===========================================  ==========================
preview            ``_status`` "Survey Preview" (designer)      status
test               ``_status`` "Survey Test" (generated)        status
spam               ``_status`` "Spam"                            status
unfinished         Finished False, Progress < 100, later        unfinished
                   questions missing
duplicate_id       an exact repeat of an honest row, same id    duplicate_id
duplicate_ip       an honest respondent's answers again, same   duplicate_answers_ip
                   IP, new id, later
speeder            duration < 30 % of the honest median,        speeder (far beyond: < 15 %),
                   answers noisier than a careful reader's      or convergent evidence
straightliner      the same raw code on all or nearly all       longstring, irv
                   items
random             uniformly random codes (most at an ordinary      careless (convergent
                   speed)                                       evidence of the indices)
attention          a careful respondent who misses ATT1         attention
out_of_range       one item coded 0, 6 or 9                     out_of_range
pattern            zig-zag, diagonal or a repeated short        careless (convergent
                   sequence of codes, at an ordinary speed      evidence of the indices)
partial            careful for the first 40-60 % of the items,  careless (convergent
                   then random, one code or a pattern           evidence of the indices)
item_nonresponse   an honest respondent who skipped 1-14 items  (none: recorded only)
=================  ===========================================  ==========================

Opt-in careless kinds (:data:`OPT_IN_KINDS`, rate 0 unless asked for: with them at 0 the
simulator makes exactly the samples it made before they existed, byte for byte; an
outside tester's respondents had them, ``--generator varied`` of
:mod:`iur_survey.clean.evaluate` switches them on):

=================  ===========================================  ==========================
random_marginal    random answers following each item's own     as random
                   answer shares (the honest respondents'),
                   at an ordinary speed
mild_random        a careful respondent who answers half of     as random
                   the questions at random (uniform codes)
partial_late       careful for the first 62-72 % of the         as partial
                   questions (from about 2/3), then random,
                   one code or a pattern
speeder_straight   a speeder (6-25 % of the honest median)      speeder, longstring, irv,
                   who straight-lines (as straightliner)        invariant_tail
page_line          grid straight-lining: one answer to every    page_line, irv, the
                   item of a page (construct), another answer   Mahalanobis rules
                   on the next page (30 %: 1-2 slips one step
                   off), at an ordinary speed
keyed_line         a near-straight line at the disagree end     longstring, irv,
                   (the scale's lowest code) held on the        mahalanobis, invariant_tail
                   reverse-keyed items too, with 1-4 slips
                   (forward items, one or two steps up)
near_copy          an honest respondent's answers again with    near_duplicate
                   3-6 items changed, new id, IP and contact
                   details, later (a person submitting twice,
                   a fabricated record, a panel duplicate)
adjacent           satisficing between two adjacent answers     as random (not caught
                   (2-3, 3-4 or 4-5), the main one 55-95 %,     at the honest styles'
                   4 % a step outside, both keyings, checks     rates: session 27)
                   passed, at an ordinary speed
lean_random        uniform on the upper (3-5) or lower (1-3)    as random (not caught:
                   three codes, both keyings, checks passed,    session 27)
                   at an ordinary speed
=================  ===========================================  ==========================

Half of the page-line and keyed-line respondents answer the attention check as asked (it stands out in
its grid); the others answer it with their line (a failed check when the line is not its answer).

Honest response styles (:data:`STYLE_KINDS`) are shares of the ``n`` honest respondents
too, one style per person, each with a person-level strength drawn from the ranges of
:class:`StyleStrengths`; they are recorded in the truth and are never a reason to exclude:

=================  ======================================================================
acquiescent        agrees more whatever the item's keying (raw latent response + a)
extreme            answers nearer the ends of the scale: the person's outer thresholds move
                   inward (an answer never crosses the middle)
midpoint           answers nearer the middle: the person's middle thresholds move outward
fast_careful       a fast, careful reader: 20-45 % of the honest median time (3.7 s per
                   question or more), answers as consistent as anyone's
=================  ======================================================================

and the opt-in honest styles (rate 0 unless asked for):

=================  ======================================================================
narrow             never (or seldom) the end points: an answer of 1 or 5 is given as 2 or 4
                   with the person's probability g (default 1: never an end point; the
                   "mild" style / low response range of Baumgartner & Steenkamp 2001)
slow_careful       a slow, careful reader: 2-4 x the honest median time, answers as drawn
high_trait         likes the topic: latent level + g SD (1.2-2.0) on every factor, so agrees
                   with most items (reverse-keyed ones disagreed), no style
skipped_items      an honest respondent who leaves 1-4 items blank (on top of the spread
                   item nonresponse)
extreme_scaled     extreme responding as threshold scaling (Jin & Wang 2014, *Educ Psychol
                   Meas* 74:116-138): the person's thresholds are the population's pulled
                   towards the scale's centre by a weight w < 1 (w = 0.4-0.7), i.e. the
                   latent response, noise included, stretched by 1/w about the scale's centre
                   (the middle of the middle category): 2 -> 1 and 4 -> 5 as in ``extreme``,
                   and also 3 -> 2 or 4 (a middle answer leaves the middle)
disacquiescent     disagrees more whatever the item's keying, the mirror of ``acquiescent``
                   (raw latent response - d, d the person's strength)
=================  ======================================================================

>>> c = Contamination()
>>> c.speeder, c.duplicate_id + c.duplicate_ip
(0.03, 0.015)
>>> Contamination.none().total_extra_rate()
0.0
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Mapping

#: the opt-in careless kinds (rate 0 unless asked for)
OPT_IN_CARELESS = ("random_marginal", "mild_random", "partial_late", "speeder_straight", "page_line", "keyed_line",
                   "near_copy", "adjacent", "lean_random")
#: the opt-in honest styles (rate 0 unless asked for)
OPT_IN_STYLES = ("narrow", "slow_careful", "high_trait", "skipped_items", "extreme_scaled", "disacquiescent")
#: kinds whose default rate is 0: listed in the outputs (population.json's rates and counts) only when switched on;
#: in the order they were added (each new one appended, so that the earlier ones keep their random streams)
OPT_IN_KINDS = ("random_marginal", "mild_random", "partial_late", "speeder_straight",
                "narrow", "slow_careful", "high_trait", "skipped_items", "extreme_scaled",
                "page_line", "keyed_line", "disacquiescent", "near_copy", "adjacent", "lean_random")
#: every kind of injected case, in the order the truth file lists them; the opt-in kinds are appended so that the
#: others keep their random streams
KINDS = ("preview", "test", "spam", "unfinished", "duplicate_id", "duplicate_ip", "speeder",
         "straightliner", "random", "attention", "out_of_range", "item_nonresponse", "pattern", "partial",
         "acquiescent", "extreme", "midpoint", "fast_careful") + OPT_IN_KINDS
#: honest response styles (shares of the honest respondents; never an exclusion)
STYLE_KINDS = ("acquiescent", "extreme", "midpoint", "fast_careful") + OPT_IN_STYLES
#: kinds that mark an honest respondent rather than add a row
HONEST_KINDS = ("item_nonresponse",) + STYLE_KINDS

#: truth kind -> the cleaning rules that are meant to catch it (the recovery evaluation,
#: :mod:`iur_survey.clean.evaluate`, measures exactly this; rule names as in clean/rules.py)
CLEANING_RULES: dict[str, tuple[str, ...]] = {
    "preview": ("status",),
    "test": ("status",),
    "spam": ("status",),
    "unfinished": ("unfinished",),
    "duplicate_id": ("duplicate_id",),
    "duplicate_ip": ("duplicate_answers_ip",),
    "speeder": ("speeder", "mahalanobis_quotient"),
    "straightliner": ("longstring", "irv", "invariant_tail"),
    "random": ("mahalanobis", "mahalanobis_direction", "mahalanobis_ipsatized", "mahalanobis_quotient", "random_likelihood",
               "psychsyn", "psychant", "even_odd", "person_total"),
    "attention": ("attention",),
    "out_of_range": ("out_of_range",),
    "pattern": ("longpattern", "mahalanobis", "mahalanobis_direction", "mahalanobis_ipsatized"),
    "partial": ("longstring", "longpattern", "mahalanobis", "mahalanobis_direction", "mahalanobis_ipsatized",
                "mahalanobis_quotient", "random_likelihood", "invariant_tail"),
}
# the opt-in careless kinds are caught (if at all) by the rules of the kinds they vary
CLEANING_RULES["random_marginal"] = CLEANING_RULES["mild_random"] = CLEANING_RULES["random"]
CLEANING_RULES["partial_late"] = CLEANING_RULES["partial"]
CLEANING_RULES["speeder_straight"] = CLEANING_RULES["speeder"] + CLEANING_RULES["straightliner"]
CLEANING_RULES["page_line"] = ("page_line", "irv", "mahalanobis", "mahalanobis_direction", "mahalanobis_ipsatized")
CLEANING_RULES["keyed_line"] = ("longstring", "irv", "mahalanobis", "invariant_tail")
CLEANING_RULES["near_copy"] = ("near_duplicate",)
CLEANING_RULES["adjacent"] = CLEANING_RULES["lean_random"] = CLEANING_RULES["random"]

#: the cleaning rule(s) expected to catch each kind (``()``: not an exclusion)
KIND_RULES: dict[str, tuple[str, ...]] = {**CLEANING_RULES, **{k: () for k in HONEST_KINDS}}

#: kinds whose rows a correct cleaning excludes
EXCLUSION_KINDS = tuple(k for k in KINDS if KIND_RULES[k])


@dataclass(frozen=True)
class Contamination:
    """Rates of injected bad cases, each a proportion of the ``n`` honest respondents.

    ``item_nonresponse_cells`` is the share of all honest item cells left blank,
    spread over ``item_nonresponse_respondents`` (a share of the honest respondents).
    A kind's count is ``round(rate * n)``.

    >>> Contamination(random=0.05).counts(1000)["random"]
    50
    >>> Contamination().counts(800)["item_nonresponse"]    # 15 % of 800 respondents
    120
    """

    item_nonresponse_cells: float = 0.01
    item_nonresponse_respondents: float = 0.15
    unfinished: float = 0.03
    preview: float = 0.01
    test: float = 0.005
    spam: float = 0.005
    duplicate_id: float = 0.0075
    duplicate_ip: float = 0.0075
    speeder: float = 0.03
    straightliner: float = 0.02
    random: float = 0.02
    attention: float = 0.03
    out_of_range: float = 0.003
    pattern: float = 0.01
    partial: float = 0.01
    acquiescent: float = 0.06
    extreme: float = 0.08
    midpoint: float = 0.05
    fast_careful: float = 0.05
    random_marginal: float = 0.0
    mild_random: float = 0.0
    partial_late: float = 0.0
    speeder_straight: float = 0.0
    narrow: float = 0.0
    slow_careful: float = 0.0
    high_trait: float = 0.0
    skipped_items: float = 0.0
    extreme_scaled: float = 0.0
    page_line: float = 0.0
    keyed_line: float = 0.0
    disacquiescent: float = 0.0
    near_copy: float = 0.0
    adjacent: float = 0.0
    lean_random: float = 0.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise ValueError(f"Contamination.{f.name} must be a proportion in [0, 1], got {value!r}")
        if self.item_nonresponse_cells > 0 and self.item_nonresponse_respondents == 0:
            raise ValueError("item_nonresponse_cells > 0 needs item_nonresponse_respondents > 0")
        if sum(getattr(self, k) for k in STYLE_KINDS) > 1:
            raise ValueError("the response-style shares add up to more than 1")

    @classmethod
    def none(cls) -> "Contamination":
        """No injected case at all: ``n`` honest, complete respondents."""
        return cls(**{f.name: 0.0 for f in fields(cls)})

    @classmethod
    def from_dict(cls, rates: Mapping[str, Any], base: "Contamination | None" = None) -> "Contamination":
        """``base`` (default rates) with some rates replaced; unknown names raise ``ValueError``.

        >>> Contamination.from_dict({"spam": 0.1}).spam
        0.1
        """
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(rates) - names)
        if unknown:
            raise ValueError(f"unknown contamination rate(s) {', '.join(unknown)}; "
                             f"known: {', '.join(sorted(names))}")
        return replace(base or cls(), **{k: float(v) for k, v in rates.items()})

    def to_dict(self) -> dict[str, float]:
        """The rates by name (JSON-ready); an opt-in kind (:data:`OPT_IN_KINDS`) only when its rate is not 0.

        >>> "narrow" in Contamination().to_dict(), Contamination(narrow=0.05).to_dict()["narrow"]
        (False, 0.05)
        """
        return {k: v for k, v in asdict(self).items() if k not in OPT_IN_KINDS or v}

    def shown_kinds(self) -> tuple[str, ...]:
        """:data:`KINDS` without the opt-in kinds whose rate is 0 (what the outputs list).

        >>> len(Contamination().shown_kinds()), len(KINDS)
        (18, 33)
        """
        return tuple(k for k in KINDS if k not in OPT_IN_KINDS or getattr(self, k))

    def extra_kinds(self) -> tuple[str, ...]:
        """The kinds that add rows (every kind but item nonresponse and the honest styles)."""
        return tuple(k for k in KINDS if k not in HONEST_KINDS)

    def total_extra_rate(self) -> float:
        """Extra rows per honest respondent.

        >>> round(Contamination().total_extra_rate(), 4)
        0.188
        """
        return float(sum(getattr(self, k) for k in self.extra_kinds()))

    def counts(self, n: int) -> dict[str, int]:
        """The number of injected cases of each kind for ``n`` honest respondents.

        >>> Contamination().counts(800)["speeder"]
        24
        """
        out = {k: _round(getattr(self, k) * n) for k in self.extra_kinds()}
        out["item_nonresponse"] = _round(self.item_nonresponse_respondents * n) if self.item_nonresponse_cells else 0
        for k in STYLE_KINDS:
            out[k] = _round(getattr(self, k) * n)
        return {k: out[k] for k in KINDS}


@dataclass(frozen=True)
class StyleStrengths:
    """Ranges (uniform) of the person-level strength of each honest response style.

    ``acquiescent``: shift of the raw-direction latent response (SD units);
    ``extreme``: the share of the width of the outer categories (1 and 5) that the
    person's own thresholds give to the ends (answers that would be 2 or 4 become 1 or 5);
    ``midpoint``: the share of the width of categories 2 and 4 given to the middle;
    ``fast_careful``: duration as a share of the honest median (from 0.2: about 3.7 s
    per question; the cleaning takes under 1 s per question, or under 15 % of the median, as far beyond).  The opt-in styles:
    ``narrow``: the probability that an answer at an end point (1 or 5) is given as its
    neighbour (1: never an end point); ``slow_careful``: duration as a multiple of the honest
    median; ``high_trait``: shift of every latent score (SD units); ``skipped_items``: the
    number of items left blank (integers, both ends included); ``extreme_scaled``: the weight
    ``w`` of the person's thresholds about the scale's centre (a stretch of ``1 / w``; at
    most 1); ``disacquiescent``: shift of the raw-direction latent response toward disagreement (SD units, the
    mirror of ``acquiescent``).  :meth:`drawn` gives random
    ranges (per seed) so an evaluation does not fit one fixed setting.

    >>> StyleStrengths().extreme
    (0.5, 0.95)
    >>> s = StyleStrengths.drawn(3); 0.0 < s.extreme[0] < s.extreme[1] <= 1.0
    True
    """

    acquiescent: tuple[float, float] = (0.3, 0.9)
    extreme: tuple[float, float] = (0.5, 0.95)
    midpoint: tuple[float, float] = (0.5, 0.95)
    fast_careful: tuple[float, float] = (0.2, 0.45)
    narrow: tuple[float, float] = (1.0, 1.0)
    slow_careful: tuple[float, float] = (2.0, 4.0)
    high_trait: tuple[float, float] = (1.2, 2.0)
    skipped_items: tuple[float, float] = (1, 4)
    extreme_scaled: tuple[float, float] = (0.4, 0.7)
    disacquiescent: tuple[float, float] = (0.3, 0.9)

    def __post_init__(self) -> None:
        for f in fields(self):
            lo, hi = getattr(self, f.name)
            weight = f.name == "extreme_scaled"
            if not 0 <= lo <= hi or (f.name == "narrow" and hi > 1) or (weight and not 0 < lo <= hi <= 1):
                raise ValueError(f"StyleStrengths.{f.name} must be a range {'0 < lo' if weight else '0 <= lo'} <= hi"
                                 f"{' <= 1' if f.name in ('narrow', 'extreme_scaled') else ''}, got {(lo, hi)!r}")

    @classmethod
    def drawn(cls, seed: int) -> "StyleStrengths":
        """Ranges drawn at random around the defaults (for evaluations over seeds)."""
        import numpy as np

        rng = np.random.default_rng([seed, 1207])

        def rng_range(lo, hi, width):
            a = rng.uniform(lo, hi - width)
            return (round(float(a), 3), round(float(a + width), 3))

        old = dict(acquiescent=rng_range(0.2, 1.2, 0.4), extreme=rng_range(0.3, 1.0, 0.3),
                   midpoint=rng_range(0.3, 1.0, 0.3), fast_careful=rng_range(0.2, 0.5, 0.15))
        # the opt-in styles' ranges: drawn after the others, which stay what they were for a seed
        newer = dict(narrow=rng_range(0.6, 1.0, 0.2), slow_careful=rng_range(1.8, 4.5, 1.5),
                     high_trait=rng_range(0.9, 2.2, 0.6), skipped_items=(1, int(rng.integers(2, 6))))
        scaled = rng_range(0.35, 0.8, 0.2)                  # drawn after the others: they stay
        return cls(**old, **newer, extreme_scaled=scaled, disacquiescent=rng_range(0.2, 1.2, 0.4))   # drawn last


def _round(x: float) -> int:
    """Round half up (not to even), so counts do not jump with parity."""
    return int(x + 0.5 + 1e-9)
