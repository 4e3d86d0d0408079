"""APA-style number formatting for the book's prose and tables.

APA (7th ed., 6.36): no leading zero for numbers that cannot exceed 1 in absolute value
(correlations, standardized loadings, proportions, *p* values, fit indices CFI/TLI/RMSEA/SRMR), a
leading zero for those that can (an SE, *b*, a CI of *b*, HTMT): :func:`quantity` says which is which;
*p* values to three decimals with ``p < .001`` below that; a true minus sign.  A negative value keeps
its sign when it rounds to zero (``−.00``: the sign of a near-zero effect is information, and a table's *b*
``−0.001`` must not sit next to a β ``.00``); an exact zero (also ``-0.0``) has none.  This is the one number
rule of the report tables and prose.  One exception, by the quantity: a *change* in a fit index (ΔCFI, ΔRMSEA,
ΔSRMR between invariance steps, :func:`delta_fit`) that rounds to zero is printed ``.000`` without a sign: it
is read against a cut-off (ΔCFI ≤ −.010 ...), and a ``−.000`` reads as a drop where there is none at the
printed precision (the estimate's sign rule above is about effects, whose direction is information).

>>> num(0.9534, 3), num(-0.25, 2, leading_zero=False), num(12.5, 1), num(float("nan"))
('0.953', '−.25', '12.5', '—')
>>> num(-0.00095, 2, leading_zero=False), num(-0.00095, 3), num(0.0004, 2, False), num(-0.0, 2, False)
('−.00', '−0.001', '.00', '.00')
>>> pval(0.0004), pval(0.0342), pval(0.2), pval(1.0)
('< .001', '.034', '.200', '1.000')
>>> stars(0.0004), stars(0.03), stars(0.2)
('***', '*', '')
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from contextlib import contextmanager

MINUS = "\u2212"
DASH = "\u2014"


def num(x, decimals: int = 2, leading_zero: bool = True, thousands: bool = False) -> str:
    """``x`` rounded to ``decimals``, a true minus sign, optionally without the leading zero; ``thousands``: a
    comma between groups of three digits from 1,000 on (:func:`chisq`)."""
    if x is None:
        return DASH
    try:
        x = float(x)
    except (TypeError, ValueError):
        return str(x)
    if math.isnan(x):
        return DASH
    if math.isinf(x):
        return ("" if x > 0 else MINUS) + "∞"
    s = f"{abs(x):{',' if thousands else ''}.{decimals}f}"
    neg = x < 0            # also when it rounds to zero: "−.00", not ".00" (an exact 0 / -0.0 is unsigned)
    if not leading_zero and s.startswith("0."):
        s = s[1:]
    return (MINUS if neg else "") + s


def chisq(x, decimals: int = 2) -> str:
    """A χ² statistic as APA writes it (7th ed., 6.38: a comma between groups of three digits from 1,000 on):
    the model's χ², a group's part of it, a Δχ², a Wald χ², a Bartlett χ²; the one formatter of them for the
    fit, invariance and by-group tables and the book's prose.  Its degrees of freedom are no such figure (APA
    6.38 excepts them): ``num(df, 0)``.

    >>> chisq(4641.702), chisq(512.3), chisq(1234567.891, 1), chisq(-1012.5), chisq(None)
    ('4,641.70', '512.30', '1,234,567.9', '−1,012.50', '—')
    """
    return num(x, decimals, thousands=True)


def estimate_text(x, decimals: int = 3) -> str:
    """An estimate, its *SE* or a bound of its interval (*b*, *SE*, a slope) as APA writes a number (7th ed.,
    6.38: a comma between groups of three digits from 1,000 on), as :func:`chisq` writes χ² in the same tables:
    an item on a scale of thousands (income, minutes) has a *b* or a variance of 1,000 or more.

    >>> estimate_text(1234.5678), estimate_text(-0.0123), estimate_text(56.4), estimate_text(None)
    ('1,234.568', '−0.012', '56.400', '—')
    """
    return num(x, decimals, thousands=True)


def ci_text(lo: float, hi: float, decimals: int = 3, leading_zero: bool = True) -> str:
    """An interval as APA writes it: ``[0.067, 0.163]``; without the leading zero for a statistic bounded by 1
    (a reliability: ``[.547, .694]``); a dash when a bound is missing.

    >>> ci_text(0.0666, -0.1634), ci_text(0.546503, 0.693753, leading_zero=False), ci_text(float("nan"), 0.7)
    ('[0.067, −0.163]', '[.547, .694]', '—')

    An interval that excludes zero never shows a bound of zero: the bound that rounds to zero gets the decimals
    (up to three more) that tell it from zero, so an interval judged to exclude zero reads so (an interval that
    contains zero keeps its decimals):

    >>> ci_text(0.000292, 0.069016), ci_text(-0.0412, -0.00004), ci_text(-0.0023, 0.0634)
    ('[0.0003, 0.069]', '[−0.041, −0.00004]', '[−0.002, 0.063]')

    Bounds of 1,000 or more have the comma of their estimate (:func:`estimate_text`):

    >>> ci_text(1180.25, 2301.5)
    '[1,180.250, 2,301.500]'
    """
    def bound(x: float) -> str:
        s = num(x, decimals, leading_zero, thousands=True)
        try:
            excludes = float(lo) * float(hi) > 0        # both bounds on one side of zero (NaN: False)
        except (TypeError, ValueError):
            return s
        d = decimals
        while excludes and round(abs(float(x)), d) == 0 and d < decimals + 3:
            d += 1
            s = num(x, d, leading_zero, thousands=True)
        return s
    a, b = bound(lo), bound(hi)
    return DASH if DASH in (a, b) else f"[{a}, {b}]"


def delta_fit(x, plus: bool = False, decimals: int = 3, cut: float | None = None, low: bool = False) -> str:
    """A change in a fit index (ΔCFI, ΔRMSEA, ΔSRMR): ``decimals`` decimals, no leading zero, a true minus for a
    drop, ``+`` for a rise with ``plus``; a change that rounds to zero is ``.000``, unsigned (module docstring).

    >>> delta_fit(-0.0002), delta_fit(0.0004, plus=True), delta_fit(-0.0123), delta_fit(0.015, plus=True)
    ('.000', '.000', '−.012', '+.015')

    ``cut``: the cut-off the change is judged by (Chen's: a change at or beyond it counts against invariance;
    ``low``: at or below it, as a ΔCFI): a change just inside it is not rounded onto it (``−.010`` beside
    "supported"), it gets the decimals that keep it inside, as :func:`pval` does for a *p* by .05:

    >>> delta_fit(-0.00996, cut=-0.01, low=True), delta_fit(-0.0104, cut=-0.01, low=True)
    ('−.00996', '−.010')
    >>> delta_fit(0.01496, plus=True, cut=0.015), delta_fit(0.0151, plus=True, cut=0.015)
    ('+.01496', '+.015')
    """
    if x is None:
        return DASH
    x = float(x)
    if math.isnan(x):
        return DASH
    if cut is not None and math.isfinite(cut):
        from ..sem.invariance import delta_decimals     # one rule, chen_decision's tie, for the terminal and here
        decimals = delta_decimals(x, cut, low=low, decimals=decimals)
    if round(x, decimals) == 0:
        x = 0.0
    s = num(x, decimals, leading_zero=False)
    return "+" + s if plus and x > 0 else s


#: quantities that cannot exceed 1 in absolute value: APA (6.36) writes them without the leading zero (.063)
BOUNDED = frozenset({"r", "r2", "beta", "p", "proportion", "alpha", "omega", "cr", "ave", "cfi", "tli", "rmsea",
                     "srmr", "kmo"})
#: quantities that can exceed 1: they keep the leading zero (0.063), as APA asks
UNBOUNDED = frozenset({"b", "se", "ci", "z", "chisq", "htmt", "slope", "variance"})


def quantity(x, kind: str, decimals: int = 3) -> str:
    """``x`` formatted as the quantity ``kind`` is: without the leading zero when it cannot exceed 1
    (:data:`BOUNDED`: a correlation, a proportion, a *p* value as :func:`pval`), with it otherwise
    (:data:`UNBOUNDED`: an SE, *b*, a CI of *b*, HTMT); an unknown ``kind`` is refused, not guessed.

    >>> quantity(0.063, "se"), quantity(-0.054, "b"), quantity(0.267, "r2"), quantity(0.0387, "p"), quantity(.9, "htmt", 2)
    ('0.063', '−0.054', '.267', '.039', '0.90')
    >>> quantity(0.5, "stderr")
    Traceback (most recent call last):
    ...
    ValueError: unknown quantity 'stderr' (bounded by 1: alpha, ave, beta, cfi, cr, kmo, omega, p, proportion, r, r2, rmsea, srmr, tli; unbounded: b, chisq, ci, htmt, se, slope, variance, z)
    """
    if kind == "p":
        return pval(x, decimals)
    if kind not in BOUNDED and kind not in UNBOUNDED:
        raise ValueError(f"unknown quantity {kind!r} (bounded by 1: {', '.join(sorted(BOUNDED))}; unbounded: "
                         f"{', '.join(sorted(UNBOUNDED))})")
    return num(x, decimals, leading_zero=kind in UNBOUNDED, thousands=kind == "chisq")


def pval(p, decimals: int = 3) -> str:
    """A *p* value as APA writes it: ``.034``, ``< .001`` (no leading zero).  A *p* just under .05 or .01 gets
    the decimals that keep it under (``.0499``, not ``.050`` beside a star: :func:`stars` reads the exact *p*).

    >>> pval(0.0499), pval(0.04996), pval(0.00999), pval(0.0505), pval(0.05)
    ('.0499', '.04996', '.00999', '.051', '.050')
    """
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return DASH
    p = float(p)
    floor = 10 ** -decimals
    if p < floor:
        return "< " + num(floor, decimals, leading_zero=False)
    # a p just under .05 or .01 is not rounded onto it (".050" beside a star): one more decimal until it is under
    while decimals < 6 and any(p < cut <= round(p, decimals) for cut in (0.05, 0.01)):
        decimals += 1
    return num(p, decimals, leading_zero=p >= 1)


def p_clause(p, decimals: int = 3) -> str:
    """``p = .034`` or ``p < .001`` (for prose; italicise *p* in markdown yourself).

    >>> p_clause(0.0342), p_clause(0.00001)
    ('p = .034', 'p < .001')
    """
    s = pval(p, decimals)
    return "p " + s if s.startswith("<") else "p = " + s


def p_rel(p, decimals: int = 3) -> str:
    """The relation and value that follow an italic *p* in prose: ``= .034`` or ``< .001``.

    >>> p_rel(0.0342), p_rel(0.00001)
    ('= .034', '< .001')
    """
    s = pval(p, decimals)
    return s if s.startswith("<") or s == DASH else "= " + s


def stars(p) -> str:
    """Significance stars: ``*`` p < .05, ``**`` p < .01, ``***`` p < .001."""
    if p is None:
        return ""
    p = float(p)
    if math.isnan(p):
        return ""
    return "***" if p < 0.001 else "**" if p < 0.01 else "*" if p < 0.05 else ""


def integer(n) -> str:
    """A count with a thousands separator: ``1,234``.

    >>> integer(1234), integer(7.0)
    ('1,234', '7')
    """
    return f"{int(round(float(n))):,}"


#: counts under 10 in words, as APA style (7th ed., 6.32) writes them in prose; 10 and above in digits
_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def cardinal(n, among=()) -> str:
    """A small count in words for prose (``seven``), larger ones in digits (``13``); ``among``: the other counts
    the sentence compares it with (``Of the 14 paths, 3 differ``), as APA style writes a small count in digits
    beside a larger one that takes digits.

    >>> cardinal(7), cardinal(13), f"{cardinal(5).capitalize()}-factor CFA"
    ('seven', '13', 'Five-factor CFA')
    >>> f"Of the {cardinal(4)} paths, {cardinal(3, among=[4])} differ", cardinal(3, among=[14])
    ('Of the four paths, three differ', '3')
    """
    k = int(round(float(n)))
    small = all(0 <= int(round(float(m))) < len(_WORDS) for m in (k, *among))
    return _WORDS[k] if small else f"{k:,}"


def counted(n, singular: str, plural: str, words: bool = False, among=()) -> str:
    """A count and the word that agrees with it, for prose: ``1 has``, ``2 have``, ``0 have``; ``words``: a small
    count in words (:func:`cardinal`, ``among`` as there), as APA style writes counts under 10 in running text.

    >>> counted(1, "has", "have"), counted(5, "is", "are"), counted(0, "effect", "effects")
    ('1 has', '5 are', '0 effects')
    >>> counted(3, "is", "are", words=True), counted(1, "is", "are", words=True), counted(14, "is", "are", True)
    ('three are', 'one is', '14 are')
    >>> counted(3, "has", "have", words=True, among=[5]), counted(3, "has", "have", words=True, among=[15])
    ('three have', '3 have')
    """
    k = int(round(float(n)))
    return f"{cardinal(k, among) if words else f'{k:,}'} {singular if k == 1 else plural}"


def mid_sentence(text) -> str:
    """A wording as it reads inside a sentence: its capital first letter in lower case when that capital is only
    the wording's (``Research institute`` -> ``research institute``); a wording with another capital (an acronym
    ``SOE``, a proper noun ``Government of Hubei``, ``Tsinghua University``) or none stays as it is.

    >>> mid_sentence("Research institute"), mid_sentence("Enterprise"), mid_sentence("SOE")
    ('research institute', 'enterprise', 'SOE')
    >>> mid_sentence("Government of Hubei"), mid_sentence("Tsinghua University"), mid_sentence("高校")
    ('Government of Hubei', 'Tsinghua University', '高校')
    """
    s = "" if text is None else str(text)
    if len(s) > 1 and s[0].isupper() and s[1].islower() and not any(c.isupper() for c in s[1:]):
        return s[0].lower() + s[1:]
    return s


def percent(part, whole, decimals: int = 1) -> str:
    """``part`` as a percentage of ``whole``: ``12.5%``.

    >>> percent(1, 8), percent(0, 0)
    ('12.5%', '—')
    """
    if not whole:
        return DASH
    return f"{100.0 * float(part) / float(whole):.{decimals}f}%"


_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


#: the one registry of the wordings shown in place of group codes, {group variable: {code: wording}} (the
#: instrument's, :func:`instrument_wordings`): read by :func:`worded` for :func:`group_caption`,
#: :func:`merged_caption` (the tables, :func:`group_wordings`) and :func:`~iur_survey.report.groups.group_label`
#: (the book, :func:`~iur_survey.report.groups.use_group_wordings`)
_WORDINGS: dict[str, dict[str, str]] = {}
#: the group variable whose wordings a label without a variable takes (:func:`worded` with ``variable=None``:
#: the book's group labels), set with the registry by :func:`set_group_wordings`
_DEFAULT: list[str | None] = [None]


def instrument_wordings(instrument) -> dict[str, dict[str, str]]:
    """The instrument's wordings of its group codes as the registry holds them, {group column: {code: wording}}
    (each by :func:`~iur_survey.read.recode.group_wording`); ``{}`` for ``None`` or an instrument without groups.

    >>> from iur_survey.instrument import load_instrument
    >>> instrument_wordings(load_instrument())["role"]["research_institute"], instrument_wordings(None)
    ('Research institute', {})
    """
    if instrument is None or not instrument.groups:
        return {}
    from ..read.recode import group_wording
    return {str(instrument.group_column): {str(k): group_wording(instrument, k) for k in instrument.groups}}


def set_group_wordings(words: Mapping[str, Mapping[str, str]] | None, default: str | None = None) -> None:
    """From here on :func:`worded` (and so every group caption and label) shows a code of variable ``v`` by
    ``words[v][code]``; ``default``: the variable a label without one takes (the book's group column).
    ``None``: the codes again.  :func:`group_wordings` does it for a block.

    >>> set_group_wordings({"role": {"government": "Government"}}, default="role")
    >>> worded("government"), worded("government", "role"), worded("government", "site")
    ('Government', 'Government', None)
    >>> set_group_wordings(None); worded("government") is None
    True
    """
    global _WORDINGS
    _WORDINGS = {str(v): {str(k): str(w) for k, w in m.items()} for v, m in (words or {}).items()}
    _DEFAULT[0] = None if default is None else str(default)


@contextmanager
def group_wordings(words: Mapping[str, Mapping[str, str]] | None):
    """Within the block, :func:`group_caption` and :func:`merged_caption` show a group of variable ``v`` by its
    wording ``words[v][code]`` (the instrument's: ``University`` for ``university``; each code of a merged
    group ``a+b``); a code without a wording stays as it is (:func:`worded`).  The wordings set before come back
    after the block.

    >>> with group_wordings({"role": {"research_institute": "Research institute", "government": "Government"}}):
    ...     group_caption("research_institute", "role"), merged_caption("government+research_institute", "role")
    ('Research institute', 'Government + Research institute')
    >>> group_caption("research_institute", "role")
    'research_institute'
    """
    before, default = _WORDINGS, _DEFAULT[0]
    set_group_wordings(words, default)
    try:
        yield
    finally:
        set_group_wordings(before, default)


def worded(label, variable: str | None = None, *, otherwise=None, prose: bool = False) -> str | None:
    """The one place a group code (or merged codes ``a+b``) becomes its wording: each code by the registered
    wording of group variable ``variable`` (``None``: the default one, :func:`set_group_wordings`), joined by
    ``" + "``.  A code without a wording: ``otherwise(code)`` (the book: underscores to spaces), or as it is;
    without ``otherwise``, ``None`` when no code of ``label`` has a wording (the caller's own label then).
    ``prose``: each part in its mid-sentence form (:func:`mid_sentence`).

    >>> with group_wordings({"role": {"government": "Government", "soe": "SOE"}}):
    ...     worded("government+other_org", "role"), worded("other_org", "role")
    ...     worded("soe+government", "role", prose=True)
    ('Government + other_org', None)
    'SOE + government'
    >>> worded("other_org", "role", otherwise=lambda c: c.replace("_", " "))
    'other org'
    """
    key = _DEFAULT[0] if variable is None else variable
    words = (_WORDINGS.get(str(key)) if key is not None else None) or {}
    parts = str(label).split("+")
    if otherwise is None and not any(words.get(p) for p in parts):
        return None
    out = (words.get(p) or (otherwise(p) if otherwise is not None else p) for p in parts)
    return " + ".join(mid_sentence(w) if prose else w for w in out)


def group_caption(label, variable: str | None = None) -> str:
    """A group's label as a table column, legend or summary shows it: a purely numeric code (lavaan's label of a
    numeric group column, ``"2"``; merged groups ``"1+2"``) with the group variable's name, ``"sex = 2"``, so
    that it is never read as a number; a text label (``"Pasteur"``) as it is.  The label itself (lavaan's
    group order and text) is unchanged.

    >>> group_caption("2", "sex"), group_caption("1+2", "sex"), group_caption("Pasteur", "school")
    ('sex = 2', 'sex = 1+2', 'Pasteur')
    >>> group_caption("2"), group_caption("", "sex")
    ('2', '')
    """
    text = "" if label is None else str(label)
    if not variable or not text:
        return text
    worded_ = worded(text, variable)          # the instrument's wording of the code (group_wordings)
    if worded_ is not None:
        return worded_
    numeric = _NUMBER.fullmatch(text) or all(_NUMBER.fullmatch(p) for p in text.split("+"))
    return f"{variable} = {text}" if numeric else text


def group_prose(label, variable: str | None = None) -> str:
    """A group's label as a sentence (a table's note, the prose) shows it: its wording in the mid-sentence form
    (:func:`worded` with ``prose``), else :func:`group_caption` (``"sex = 2"``, a label without a wording as it
    is).

    >>> with group_wordings({"role": {"research_institute": "Research institute", "soe": "SOE"}}):
    ...     group_prose("research_institute", "role"), group_prose("soe+research_institute", "role")
    ('research institute', 'SOE + research institute')
    >>> group_prose("2", "sex"), group_prose("Pasteur", "school")
    ('sex = 2', 'Pasteur')
    """
    return worded(label, variable, prose=True) or group_caption(label, variable)


def merged_caption(label, variable: str | None = None, merged: Mapping[str, str] | None = None) -> str:
    """:func:`group_caption` of a group of the fit, saying which groups were merged into it before fitting when
    its label does not (``merged``: results.json's ``groups_merged``, {old label: label in the fit}).  A merge
    of "smallest" names its groups in the label (``east+south``); ``east=south`` keeps the label "south".

    >>> merged_caption("south", "site", {"east": "south"})
    'south (east merged into it)'
    >>> merged_caption("east+south", "site", {"east": "east+south", "south": "east+south"})
    'east+south'
    >>> merged_caption("2", "sex", {"3": "2", "4": "2"}), merged_caption("north", "site", {"east": "south"})
    ('sex = 2 (3, 4 merged into it)', 'north')
    """
    text = group_caption(label, variable)
    named = set(str(label).split("+")) | {str(label)}
    olds = [str(a) for a, b in (merged or {}).items() if str(b) == str(label) and str(a) not in named]
    olds = [worded(a, variable) or a for a in olds]
    return f"{text} ({', '.join(olds)} merged into it)" if olds else text
