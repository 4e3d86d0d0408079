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
speeder            duration < 30 % of the honest median         speeder
straightliner      the same raw code on all or nearly all       longstring
                   items
random             uniformly random codes                       mahalanobis, even_odd, irv
attention          a careful respondent who misses ATT1         attention
out_of_range       one item coded 0, 6 or 9                     out_of_range
item_nonresponse   an honest respondent who skipped 1-14 items  (none: recorded only)
=================  ===========================================  ==========================

>>> c = Contamination()
>>> c.speeder, c.duplicate_id + c.duplicate_ip
(0.03, 0.015)
>>> Contamination.none().total_extra_rate()
0.0
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Mapping

from ..clean.evaluate import KIND_RULES as _CLEAN_KIND_RULES

#: every kind of injected case, in the order the truth file lists them
KINDS = ("preview", "test", "spam", "unfinished", "duplicate_id", "duplicate_ip", "speeder",
         "straightliner", "random", "attention", "out_of_range", "item_nonresponse")

#: the cleaning rule(s) expected to catch each kind (``()``: not an exclusion); the cleaning
#: side owns the mapping (it is what the recovery evaluation measures)
KIND_RULES: dict[str, tuple[str, ...]] = {**_CLEAN_KIND_RULES, "item_nonresponse": ()}

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

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise ValueError(f"Contamination.{f.name} must be a proportion in [0, 1], got {value!r}")
        if self.item_nonresponse_cells > 0 and self.item_nonresponse_respondents == 0:
            raise ValueError("item_nonresponse_cells > 0 needs item_nonresponse_respondents > 0")

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
        """The rates by name (JSON-ready)."""
        return asdict(self)

    def extra_kinds(self) -> tuple[str, ...]:
        """The kinds that add rows (every kind but item_nonresponse)."""
        return tuple(k for k in KINDS if k != "item_nonresponse")

    def total_extra_rate(self) -> float:
        """Extra rows per honest respondent.

        >>> round(Contamination().total_extra_rate(), 4)
        0.168
        """
        return float(sum(getattr(self, k) for k in self.extra_kinds()))

    def counts(self, n: int) -> dict[str, int]:
        """The number of injected cases of each kind for ``n`` honest respondents.

        >>> Contamination().counts(800)["speeder"]
        24
        """
        out = {k: _round(getattr(self, k) * n) for k in self.extra_kinds()}
        out["item_nonresponse"] = _round(self.item_nonresponse_respondents * n) if self.item_nonresponse_cells else 0
        return {k: out[k] for k in KINDS}


def _round(x: float) -> int:
    """Round half up (not to even), so counts do not jump with parity."""
    return int(x + 0.5 + 1e-9)
