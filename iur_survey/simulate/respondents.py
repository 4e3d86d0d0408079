"""Draw a realistic survey sample from the population SEM and inject what goes wrong.

:func:`simulate` draws ``n`` honest respondents from a
:class:`~iur_survey.simulate.population.Population`, then adds, *on top*, the
bad cases a :class:`~iur_survey.simulate.contamination.Contamination` asks for
(previews, tests, spam, unfinished, duplicates, speeders, straightliners, random
responders, patterned and partly careless responders, failed attention checks,
out-of-range codes), blanks a few honest cells (item nonresponse) and gives some
honest respondents a response style (acquiescent, extreme, midpoint, fast careful
reader), as real respondents have.  A perfect cleaning therefore keeps exactly
``n`` rows.  The result's ``frame`` is the standard frame every reader returns
(:mod:`iur_survey.read.base`) plus fake personal columns; ``truth`` lists every
injected case.

The export is in submission order (as Qualtrics sorts it).  Each part of the
sample (the honest respondents, each kind of bad case, the item nonresponse)
draws from its own random stream derived from ``seed``, so changing the rate of a
kind of bad case leaves everything else as it was: the honest respondents of
``simulate(n, seed=s)`` are those of ``simulate(n, seed=s, contamination=Contamination.none())``
(before item nonresponse and response styles).  The honest response styles share one
stream (one shuffled list of the honest respondents is cut into the styles in turn), so
changing one style's rate also changes who has each of the later ones.  The opt-in kinds
(:data:`~iur_survey.simulate.contamination.OPT_IN_KINDS`: random answers following the
items' answer shares, half-random, careless from about 2/3, straight-lining speeders, grid
straight-lining, a line at the disagree end held on reverse-keyed items; the narrow, slow careful,
high-trait, item-skipping, threshold-scaled extreme and disacquiescent honest styles) come last and draw nothing
at rate 0: the default sample is the one made before they existed, and switching them on
adds their rows (and styles honest people without a style) without changing anyone else's
answers -- except that ``skipped_items`` leaves rows incomplete, and the duplicates copy
complete rows first, so they may copy other honest rows.

>>> sim = simulate(200, seed=1)
>>> len(sim.frame) > 200, int(sim.expected_clean().sum())
(True, 200)
>>> sorted(set(sim.truth["kind"]))[:4]
['acquiescent', 'attention', 'duplicate_id', 'duplicate_ip']
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from ..errors import InstrumentError
from ..instrument import Instrument, load_instrument
from . import personal
from .contamination import EXCLUSION_KINDS, KIND_RULES, KINDS, STYLE_KINDS, Contamination, StyleStrengths
from .population import EXOGENOUS, LATENTS, MEDIATOR, OUTCOME, Population

#: honest respondents' median time for the 29 items, seconds (lognormal around it)
DURATION_MEDIAN = 540.0
#: log-scale spread of honest durations
DURATION_SIGMA = 0.35
#: honest respondents are never faster than this share of the median (the reading floor)
DURATION_FLOOR = 0.45
#: a speeder takes less than this share of the median
SPEEDER_CUT = 0.30
#: a speeder's answers: the loadings times this (a hasty respondent answers less consistently)
SPEEDER_SIGNAL = 0.6
#: share of honest respondents who were interrupted (duration + exponential, mean 40 min)
INTERRUPTED = 0.04
#: the survey opened on this day; invitation, then reminders (day offset, share of responses)
FIELD_START = np.datetime64("2022-04-11T00:00:00", "s")
WAVES = ((0, 0.55), (9, 0.30), (21, 0.15))
#: share of honest respondents behind a shared organisational IP (NAT)
SHARED_IP = 0.15
#: ``_status`` of an ordinary response (Qualtrics' wording)
STATUS_ORDINARY = "IP Address"

_STREAM = {name: i for i, name in enumerate(("honest",) + KINDS)}


def _rng(seed: int, stream: str) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(_STREAM[stream],))))


# -- the rows of one part of the sample ------------------------------------------------
class _Block:
    """Column arrays of ``m`` rows plus the truth rows about them (local indices)."""

    def __init__(self, m: int, n_items: int, n_att: int):
        self.m = m
        self.response_id = np.empty(m, dtype=object)
        self.role = np.full(m, None, dtype=object)
        self.items = np.full((m, n_items), np.nan)
        self.att = np.full((m, n_att), np.nan)
        self.status = np.full(m, STATUS_ORDINARY, dtype=object)
        self.finished = np.ones(m, dtype=bool)
        self.progress = np.full(m, 100.0)
        self.duration = np.zeros(m)
        self.submitted = np.zeros(m, dtype=np.int64)      # seconds after FIELD_START
        self.ip = np.full(m, None, dtype=object)
        self.email = np.full(m, None, dtype=object)
        self.name = np.full(m, None, dtype=object)
        self.phone = np.full(m, None, dtype=object)
        self.location = np.full(m, None, dtype=object)
        self.comment = np.full(m, None, dtype=object)
        self.latent = np.full((m, len(LATENTS)), np.nan)
        self.ystar = np.full((m, n_items), np.nan)
        self.truth: list[tuple[np.ndarray, str, np.ndarray, bool, np.ndarray]] = []  # rows, kind, details, primary, refs

    COLUMNS = ("response_id", "role", "items", "att", "status", "finished", "progress", "duration",
               "submitted", "ip", "email", "name", "phone", "location", "comment", "latent")

    def note(self, rows, kind: str, details, primary: bool = True, refs=None) -> None:
        rows = np.asarray(rows, dtype=np.int64)
        if isinstance(details, str):
            details = np.full(len(rows), details, dtype=object)
        refs = np.full(len(rows), -1, dtype=np.int64) if refs is None else np.asarray(refs, dtype=np.int64)
        if len(rows):
            self.truth.append((rows, kind, np.asarray(details, dtype=object), primary, refs))


@dataclass
class _Setup:
    inst: Instrument
    pop: Population
    items: tuple[str, ...]
    att: tuple[str, ...]
    careful: np.ndarray            # careful answer of each attention check
    construct_idx: np.ndarray      # LATENTS index of each item
    loadings: np.ndarray
    thresholds: np.ndarray         # items x (points - 1)
    reverse: np.ndarray            # bool per item
    order: tuple[str, ...]         # question order: construct by construct, checks in the middle matrix
    item_page: np.ndarray          # the page (construct matrix, 0-based) of each item
    att_page: np.ndarray           # the page of each attention check
    n_pages: int
    roles: tuple[str, ...]
    role_p: np.ndarray


def _setup(inst: Instrument, pop: Population) -> _Setup:
    items = inst.item_codes
    missing = [i for i in items if i not in pop.loadings]
    if missing:
        raise InstrumentError(inst.path, f"the population model has no loading for {', '.join(missing)}")
    bad = [c for c in inst.construct_codes if c not in LATENTS]
    if bad:
        raise InstrumentError(inst.path, f"the population model has no latent variable {', '.join(bad)}")
    own = [i for i in items if not inst.items[i].continuous and inst.scale_of(i) != inst.scale] + \
        [a for a in inst.attention_checks if inst.scale_of(a) != inst.scale]
    if own and any((inst.scale_of(i).min, inst.scale_of(i).max) != (inst.scale_min, inst.scale_max) for i in own):
        raise InstrumentError(inst.path, f"the simulator draws every item on the top-level scale "
                                         f"{inst.scale_min}-{inst.scale_max}; {', '.join(own[:4])}"
                                         f"{' ...' if len(own) > 4 else ''} {'has' if len(own) == 1 else 'have'} a "
                                         f"scale of {'its' if len(own) == 1 else 'their'} own ({inst.scales_text}): "
                                         f"simulate with one scale")
    npoints = inst.scale_max - inst.scale_min + 1
    if any(len(pop.thresholds[i]) != npoints - 1 for i in items):
        raise InstrumentError(inst.path, f"the population's thresholds do not cut {npoints} scale points")
    unknown = [r for r in pop.role_mix if r not in inst.groups]
    if unknown:
        raise InstrumentError(inst.path, f"the population's roles {unknown} are not groups of the instrument")
    att = tuple(inst.attention_checks)
    # one page (matrix) per construct; the attention checks close the middle matrix, as in
    # real surveys (and where iur_survey.simulate.writers puts them)
    codes = inst.construct_codes
    home = codes[len(codes) // 2]
    page_of = {i: p for p, c in enumerate(codes) for i in inst.constructs[c].items}
    page_of.update({a: codes.index(home) for a in att})
    order = tuple(q for c in codes for q in inst.constructs[c].items + (att if c == home else ()))
    roles = tuple(pop.role_mix)
    return _Setup(inst, pop, items, att, np.array([inst.attention_checks[a] for a in att], dtype=float),
                  np.array([LATENTS.index(inst.items[i].construct) for i in items]),
                  np.array([pop.loadings[i] for i in items]),
                  np.array([pop.thresholds[i] for i in items]),
                  np.array([inst.items[i].reverse for i in items]), order,
                  np.array([page_of[i] for i in items]), np.array([page_of[a] for a in att], dtype=int), len(codes),
                  roles,
                  np.array([pop.role_mix[r] for r in roles]))


# -- drawing from the population -----------------------------------------------------------
def _latent(rng: np.random.Generator, s: _Setup, role_idx: np.ndarray) -> np.ndarray:
    """Latent scores (m x 7) of respondents of the given roles."""
    pop, m, k = s.pop, len(role_idx), len(EXOGENOUS)
    chol = np.linalg.cholesky(pop.phi())
    x = rng.standard_normal((m, k)) @ chol.T
    shifts = np.array([[pop.role_means.get(r, {}).get(f, 0.0) for f in EXOGENOUS] for r in s.roles])
    x += pop.role_effect * shifts[role_idx]
    abc = [pop.structural(r) for r in s.roles]
    a = np.array([t[0] for t in abc])[role_idx]
    b = np.array([t[1] for t in abc])[role_idx]
    c = np.array([t[2] for t in abc])[role_idx]
    psi = pop.residual_variances()
    zeta = rng.standard_normal((m, 2))
    col = (x * a).sum(1) + pop.interaction_scores(x) + np.sqrt(psi[MEDIATOR]) * zeta[:, 0]
    intg = b * col + (x * c).sum(1) + np.sqrt(psi[OUTCOME]) * zeta[:, 1]
    return np.column_stack([x, col, intg])


def _ystar(rng: np.random.Generator, s: _Setup, eta: np.ndarray, signal: float = 1.0) -> np.ndarray:
    """Continuous latent responses (scored direction) from latent scores.

    ``signal`` < 1 weakens the loadings (a hasty respondent answers less consistently).
    """
    lam = s.loadings * signal
    return eta[:, s.construct_idx] * lam + np.sqrt(1 - lam ** 2) * rng.standard_normal((len(eta), len(lam)))


def _cut(s: _Setup, ystar: np.ndarray, thresholds: np.ndarray | None = None) -> np.ndarray:
    """Raw Likert codes (reverse-keyed items written reversed) from latent responses.

    ``thresholds``: items x cuts (default the population's) or rows x items x cuts (a person's own).
    """
    thr = s.thresholds if thresholds is None else thresholds
    codes = np.full(ystar.shape, float(s.inst.scale_min))
    for k in range(thr.shape[-1]):
        codes += ystar > thr[..., k]
    codes[:, s.reverse] = s.inst.scale_min + s.inst.scale_max - codes[:, s.reverse]
    return codes


def _codes(rng: np.random.Generator, s: _Setup, eta: np.ndarray, signal: float = 1.0) -> np.ndarray:
    """Raw Likert codes (reverse-keyed items written reversed) from latent scores."""
    return _cut(s, _ystar(rng, s, eta, signal))


def _respondents(rng: np.random.Generator, s: _Setup, m: int, signal: float = 1.0) -> _Block:
    """``m`` respondents drawn from the population, answering carefully (attention checks right)."""
    blk = _Block(m, len(s.items), len(s.att))
    role_idx = rng.choice(len(s.roles), size=m, p=s.role_p)
    blk.role = np.array(s.roles, dtype=object)[role_idx]
    blk.latent = _latent(rng, s, role_idx)
    blk.ystar = _ystar(rng, s, blk.latent, signal)
    blk.items = _cut(s, blk.ystar)
    blk.att[:] = s.careful
    blk.response_id = personal.response_ids(rng, m)
    blk.submitted = _field_times(rng, m)
    blk.duration = _honest_durations(rng, m)
    blk.ip = personal.ipv4(rng, m)
    blk.location = personal.locations(rng, m)
    blk.email, blk.name, blk.phone = personal.contact_details(rng, m)
    return blk


def _honest_durations(rng: np.random.Generator, m: int) -> np.ndarray:
    """Lognormal around DURATION_MEDIAN, truncated below at the reading floor, some interrupted."""
    lo = ndtr(np.log(DURATION_FLOOR) / DURATION_SIGMA)
    z = ndtri(rng.uniform(lo, 1.0, size=m))
    dur = DURATION_MEDIAN * np.exp(DURATION_SIGMA * z)
    dur += np.where(rng.random(m) < INTERRUPTED, rng.exponential(2400.0, size=m), 0.0)
    return np.round(dur)


def _field_times(rng: np.random.Generator, m: int) -> np.ndarray:
    """Submission times (seconds after FIELD_START): three waves, daytime, decaying after each mail."""
    starts = np.array([w[0] for w in WAVES])
    wave = rng.choice(len(WAVES), size=m, p=np.array([w[1] for w in WAVES]))
    day = starts[wave] + np.floor(rng.exponential(2.0, size=m)).astype(int)
    hour = np.clip(rng.normal(14.5, 3.0, size=m), 7.0, 23.9)
    return (day * 86400 + np.round(hour * 3600)).astype(np.int64)


def _uniform_codes(rng: np.random.Generator, s: _Setup, m: int, k: int) -> np.ndarray:
    return rng.integers(s.inst.scale_min, s.inst.scale_max + 1, size=(m, k)).astype(float)


def _uniform_block(rng: np.random.Generator, s: _Setup, m: int, *, answers: bool = True) -> _Block:
    """A block of ``m`` platform records: new response ids, random roles and (``answers``) uniform codes."""
    blk = _Block(m, len(s.items), len(s.att))
    blk.response_id = personal.response_ids(rng, m)
    blk.role = np.array(s.inst.group_keys, dtype=object)[rng.integers(0, len(s.inst.group_keys), size=m)]
    if answers:
        blk.items = _uniform_codes(rng, s, m, len(s.items))
        blk.att = _uniform_codes(rng, s, m, len(s.att))
    return blk


# -- the parts of the sample -----------------------------------------------------------------
def _honest(seed: int, s: _Setup, n: int) -> _Block:
    rng = _rng(seed, "honest")
    blk = _respondents(rng, s, n)
    # colleagues behind one organisational IP
    shared = np.flatnonzero(rng.random(n) < SHARED_IP)
    if len(shared):
        pool = personal.ipv4(rng, max(1, int(round(n / 25))))
        blk.ip[shared] = pool[rng.integers(0, len(pool), size=len(shared))]
    blk.comment = personal.comments(rng, n, blk.email, blk.phone)
    return blk


def _styles(seed: int, s: _Setup, blk: _Block, counts: dict[str, int], strengths: StyleStrengths) -> None:
    """Give ``counts[style]`` honest respondents each response style (disjoint), with a person-level strength.

    The answers are re-cut from the same latent responses, so a styled respondent is the
    same person answering in their own way; the style draws come from one stream of their own, shared by the
    styles in :data:`STYLE_KINDS` order (changing one style's count changes who has the later ones; the opt-in
    styles come last and draw nothing at rate 0).
    """
    m = sum(counts[k] for k in STYLE_KINDS)
    if m == 0:
        return
    rng = _rng(seed, "acquiescent")
    who = rng.permutation(blk.m)[:min(m, blk.m)]
    at = 0
    thr = s.thresholds
    centre = (thr[:, 1] + thr[:, 2]) / 2 if thr.shape[1] >= 3 else thr.mean(1)
    sign = np.where(s.reverse, -1.0, 1.0)
    for kind in STYLE_KINDS:
        rows = np.sort(who[at:at + counts[kind]])
        at += counts[kind]
        if not len(rows):
            continue
        lo, hi = getattr(strengths, kind)
        if kind == "skipped_items":
            g = rng.integers(int(lo), int(hi) + 1, size=len(rows))
        else:
            g = rng.uniform(lo, hi, size=len(rows))
        y = blk.ystar[rows]
        if kind in _OPT_IN_STYLE:
            _OPT_IN_STYLE[kind](rng, s, blk, rows, g)
            continue
        if kind == "acquiescent":
            y = y + g[:, None] * sign          # toward "agree" in the raw direction, whatever the keying
            text = [f"acquiescent: raw latent response +{v:.2f} SD toward agreement on every item" for v in g]
        elif kind in ("extreme", "midpoint"):
            # the person's own thresholds: an extreme responder narrows the outer categories
            # (2 -> 1, 4 -> 5 more often), a midpoint responder widens the middle one; the
            # order of a person's answers is kept (IRTree-style: the side, then the extremity)
            t = np.broadcast_to(thr, (len(rows),) + thr.shape).copy()
            k = thr.shape[1]
            if k >= 4:
                w = g[:, None]
                if kind == "extreme":
                    t[:, :, 0] = thr[:, 0] + (thr[:, 1] - thr[:, 0]) * w
                    t[:, :, k - 1] = thr[:, k - 1] - (thr[:, k - 1] - thr[:, k - 2]) * w
                else:
                    t[:, :, 1] = thr[:, 1] - (thr[:, 1] - thr[:, 0]) * w
                    t[:, :, k - 2] = thr[:, k - 2] + (thr[:, k - 1] - thr[:, k - 2]) * w
            text = [f"{kind}: {100 * v:.0f}% of the {'outer' if kind == 'extreme' else 'next-to-middle'} "
                    f"categories' width moved to the {'ends' if kind == 'extreme' else 'middle'}" for v in g]
            blk.items[rows] = _cut(s, y, t)
            blk.note(rows, kind, text)
            continue
        else:  # fast_careful
            blk.duration[rows] = np.round(DURATION_MEDIAN * g)
            text = [f"fast careful reader: {d:.0f} s = {100 * v:.0f}% of the honest median, answers as drawn"
                    for d, v in zip(blk.duration[rows], g)]
        if kind != "fast_careful":
            blk.ystar[rows] = y
            blk.items[rows] = _cut(s, y)
        blk.note(rows, kind, text)


def _narrow(rng: np.random.Generator, s: _Setup, blk: _Block, rows: np.ndarray, g: np.ndarray) -> None:
    """Never (or seldom) the end points: an answer 1 or 5 becomes 2 or 4 with the person's probability ``g``."""
    lo, hi = s.inst.scale_min, s.inst.scale_max
    x = blk.items[rows]
    move = ((x == lo) | (x == hi)) & (rng.random(x.shape) < g[:, None])
    n_moved = move.sum(1)
    blk.items[rows] = np.where(move, np.where(x == lo, lo + 1.0, hi - 1.0), x)
    blk.note(rows, "narrow", [f"narrow: an end point ({lo} or {hi}) given as its neighbour with probability "
                              f"{v:.2f} ({k} answer(s) moved)" for v, k in zip(g, n_moved)])


def _slow_careful(rng: np.random.Generator, s: _Setup, blk: _Block, rows: np.ndarray, g: np.ndarray) -> None:
    """A slow, careful reader: ``g`` times the honest median time, answers as drawn."""
    blk.duration[rows] = np.round(DURATION_MEDIAN * g)
    blk.note(rows, "slow_careful", [f"slow careful reader: {d:.0f} s = {v:.1f} x the honest median, answers as drawn"
                                    for d, v in zip(blk.duration[rows], g)])


def _high_trait(rng: np.random.Generator, s: _Setup, blk: _Block, rows: np.ndarray, g: np.ndarray) -> None:
    """Likes the topic: every latent score + ``g`` SD; the same person's latent responses move by ``g`` x loading."""
    blk.latent[rows] = blk.latent[rows] + g[:, None]
    blk.ystar[rows] = blk.ystar[rows] + g[:, None] * s.loadings
    blk.items[rows] = _cut(s, blk.ystar[rows])
    blk.note(rows, "high_trait", [f"high trait: every latent score +{v:.2f} SD (agrees with most items), no style"
                                  for v in g])


def _skipped_items(rng: np.random.Generator, s: _Setup, blk: _Block, rows: np.ndarray, g: np.ndarray) -> None:
    """An honest respondent who leaves ``g`` items blank (at most half of them)."""
    k = len(s.items)
    per = np.minimum(g, k // 2)
    mask = rng.random((len(rows), k)).argsort(1).argsort(1) < per[:, None]
    sub = blk.items[rows]
    sub[mask] = np.nan
    blk.items[rows] = sub
    blk.note(rows, "skipped_items", [f"skipped {int(p)} item(s): " + ", ".join(np.array(s.items)[r])
                                     for p, r in zip(per, mask)])


def _extreme_scaled(rng: np.random.Generator, s: _Setup, blk: _Block, rows: np.ndarray, g: np.ndarray) -> None:
    """Extreme responding as threshold scaling (Jin & Wang 2014): the person's thresholds are ``c + g (t - c)``,
    ``t`` the population's and ``c`` the scale's centre on the latent scale (the middle of the middle category, or
    the middle threshold), each item's own; the same answers as the latent response stretched by ``1 / g`` about
    ``c``.  Draws nothing from ``rng``."""
    thr = s.thresholds                                                  # items x cuts (scored direction)
    k = thr.shape[1]
    c = (thr[:, k // 2 - 1] + thr[:, k // 2]) / 2 if k % 2 == 0 else thr[:, k // 2]
    t = c[None, :, None] + g[:, None, None] * (thr[None] - c[None, :, None])   # rows x items x cuts
    blk.items[rows] = _cut(s, blk.ystar[rows], t)
    blk.note(rows, "extreme_scaled", [f"extreme (threshold scaling): the person's thresholds x {v:.2f} about the "
                                      f"scale's centre (the latent response stretched x {1 / v:.2f})" for v in g])


def _disacquiescent(rng: np.random.Generator, s: _Setup, blk: _Block, rows: np.ndarray, g: np.ndarray) -> None:
    """Disagrees more whatever the item's keying (the mirror of acquiescence): the raw-direction latent response
    moves ``g`` SD toward disagreement on every item.  Draws nothing from ``rng``."""
    sign = np.where(s.reverse, -1.0, 1.0)
    blk.ystar[rows] = blk.ystar[rows] - g[:, None] * sign
    blk.items[rows] = _cut(s, blk.ystar[rows])
    blk.note(rows, "disacquiescent", [f"disacquiescent: raw latent response -{v:.2f} SD toward disagreement on "
                                      f"every item" for v in g])


#: the opt-in honest styles (drawn after the others from the styles' stream)
_OPT_IN_STYLE = {"narrow": _narrow, "slow_careful": _slow_careful, "high_trait": _high_trait,
                 "skipped_items": _skipped_items, "extreme_scaled": _extreme_scaled, "disacquiescent": _disacquiescent}


def _item_nonresponse(seed: int, s: _Setup, blk: _Block, c: Contamination, count: int) -> None:
    """Blank ``item_nonresponse_cells`` of all honest item cells, spread over ``count`` respondents."""
    if count == 0:
        return
    rng = _rng(seed, "item_nonresponse")
    k = len(s.items)
    who = np.sort(rng.choice(blk.m, size=min(count, blk.m), replace=False))
    cells = max(len(who), int(round(c.item_nonresponse_cells * k * blk.m)))
    per = 1 + rng.multinomial(cells - len(who), np.full(len(who), 1 / len(who)))
    per = np.minimum(per, k // 2)
    rank = rng.random((len(who), k)).argsort(1).argsort(1)
    mask = rank < per[:, None]
    sub = blk.items[who]
    sub[mask] = np.nan
    blk.items[who] = sub
    details = [f"{int(p)} item(s) left blank: " + ", ".join(np.array(s.items)[row])
               for p, row in zip(mask.sum(1), mask)]
    blk.note(who, "item_nonresponse", details)


def _preview(seed: int, s: _Setup, m: int) -> _Block:
    rng = _rng(seed, "preview")
    blk = _uniform_block(rng, s, m, answers=False)
    style = rng.choice(3, size=m, p=[0.5, 0.3, 0.2])      # click-through / constant / abandoned
    blk.items = _uniform_codes(rng, s, m, len(s.items))
    blk.att = _uniform_codes(rng, s, m, len(s.att))
    const = rng.choice([3.0, 4.0], size=m)
    blk.items[style == 1] = const[style == 1, None]
    blk.att[style == 1] = const[style == 1, None]
    _cut_off(rng, s, blk, np.flatnonzero(style == 2))
    blk.status[:] = "Survey Preview"
    blk.duration = np.round(rng.uniform(20, 400, size=m))
    blk.submitted = (rng.integers(-6, 0, size=m) * 86400 + rng.integers(9 * 3600, 18 * 3600, size=m)).astype(np.int64)
    designer = personal.ipv4(rng, 2)
    blk.ip = designer[rng.integers(0, 2, size=m)]
    blk.location = np.full(m, personal.locations(rng, 1)[0], dtype=object)
    blk.comment = np.where(rng.random(m) < 0.3, "test", None).astype(object)
    blk.note(np.arange(m), "preview", "status 'Survey Preview': the designer trying the survey out")
    return blk


def _test(seed: int, s: _Setup, m: int) -> _Block:
    rng = _rng(seed, "test")
    blk = _uniform_block(rng, s, m)
    blk.status[:] = "Survey Test"
    blk.duration = rng.integers(1, 30, size=m).astype(float)
    blk.submitted = (-2 * 86400 + 15 * 3600 + np.arange(m) * 2).astype(np.int64)  # one generated batch
    words = np.array(["Lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit"])
    blk.comment = np.array([" ".join(rng.choice(words, size=4)) for _ in range(m)], dtype=object)
    blk.note(np.arange(m), "test", "status 'Survey Test': a generated test response")
    return blk


def _spam(seed: int, s: _Setup, m: int) -> _Block:
    rng = _rng(seed, "spam")
    blk = _uniform_block(rng, s, m)
    straight = rng.random(m) < 0.5
    code = _uniform_codes(rng, s, m, 1)
    blk.items[straight] = code[straight]
    blk.att[straight] = code[straight]
    blk.status[:] = "Spam"
    blk.duration = np.round(rng.uniform(8, 90, size=m))
    blk.submitted = _field_times(rng, m)
    blk.ip = personal.ipv4(rng, m, foreign=True)
    junk = rng.integers(0, 26, size=(m, 8))
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    blk.email = np.array(["".join(letters[r]) + "@example.net" for r in junk], dtype=object)
    blk.comment = np.array(personal.SPAM_COMMENTS, dtype=object)[rng.integers(0, len(personal.SPAM_COMMENTS), size=m)]
    blk.note(np.arange(m), "spam", "status 'Spam': flagged as spam by the survey platform")
    return blk


def _cut_off(rng: np.random.Generator, s: _Setup, blk: _Block, rows: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Make ``rows`` abandoned responses: only their first k pages (construct matrices) submitted.

    Returns ``(k, answered, progress)``: pages submitted (0 .. pages - 1), questions answered
    (the role question not counted) and Progress = 100 * (1 + answered) / (1 + questions).
    """
    q = len(s.order)
    k = rng.integers(0, s.n_pages, size=len(rows))
    items, att = blk.items[rows], blk.att[rows]
    items[s.item_page[None, :] >= k[:, None]] = np.nan
    att[s.att_page[None, :] >= k[:, None]] = np.nan
    blk.items[rows], blk.att[rows] = items, att
    answered = (s.item_page[None, :] < k[:, None]).sum(1) + (s.att_page[None, :] < k[:, None]).sum(1)
    progress = np.floor(100 * (1 + answered) / (q + 1))
    blk.finished[rows] = False
    blk.progress[rows] = progress
    for col in (blk.email, blk.name, blk.phone, blk.comment):
        col[rows] = None
    return k, answered, progress


def _unfinished(seed: int, s: _Setup, m: int) -> _Block:
    rng = _rng(seed, "unfinished")
    blk = _respondents(rng, s, m)
    q = len(s.order)
    k, answered, progress = _cut_off(rng, s, blk, np.arange(m))
    blk.duration = np.maximum(5.0, np.round(blk.duration * (answered + 1) / (q + 1) * rng.uniform(0.8, 1.2, size=m)))
    blk.note(np.arange(m), "unfinished",
             [f"left after {p} of {s.n_pages} matrix pages ({a} of {q} questions answered, progress {g:.0f})"
              for p, a, g in zip(k, answered, progress)])
    return blk


def _pick_originals(rng: np.random.Generator, honest: _Block, m: int, avoid: set[int]) -> np.ndarray:
    """Honest rows to duplicate: complete ones first, none chosen twice."""
    complete = ~np.isnan(honest.items).any(1)
    pool = np.array([i for i in np.flatnonzero(complete) if i not in avoid], dtype=int)
    if len(pool) < m:
        pool = np.array([i for i in range(honest.m) if i not in avoid], dtype=int)
    return np.sort(rng.choice(pool, size=min(m, len(pool)), replace=False))


def _copy_rows(src: _Block, rows: np.ndarray) -> _Block:
    blk = _Block(len(rows), src.items.shape[1], src.att.shape[1])
    for name in _Block.COLUMNS:
        setattr(blk, name, getattr(src, name)[rows].copy())
    return blk


def _duplicate_id(seed: int, s: _Setup, m: int, honest: _Block, avoid: set[int]) -> tuple[_Block, np.ndarray]:
    rng = _rng(seed, "duplicate_id")
    orig = _pick_originals(rng, honest, m, avoid)
    blk = _copy_rows(honest, orig)
    blk.note(np.arange(len(orig)), "duplicate_id",
             "exact repeat (same response_id, answers and metadata) of the row at position {ref}", refs=orig)
    return blk, orig


def _duplicate_ip(seed: int, s: _Setup, m: int, honest: _Block, avoid: set[int]) -> tuple[_Block, np.ndarray]:
    rng = _rng(seed, "duplicate_ip")
    orig = _pick_originals(rng, honest, m, avoid)
    blk = _copy_rows(honest, orig)
    blk.response_id = personal.response_ids(rng, len(orig))
    blk.duration = _honest_durations(rng, len(orig))
    lag = rng.integers(600, 48 * 3600, size=len(orig))
    blk.submitted = blk.submitted + lag
    blk.comment[:] = None
    blk.note(np.arange(len(orig)), "duplicate_ip",
             [f"same answers and IP as {honest.response_id[o]} (position {{ref}}), submitted "
              f"{lg / 3600:.1f} h later" for o, lg in zip(orig, lag)], refs=orig)
    return blk, orig


def _near_copy(seed: int, s: _Setup, m: int, honest: _Block) -> _Block:
    """An honest respondent's answers again with 3-6 items changed, under a new id, IP and contact details, later
    (a person submitting twice with small changes, a fabricated record, a panel duplicate)."""
    rng = _rng(seed, "near_copy")
    orig = _pick_originals(rng, honest, m, set())
    blk = _copy_rows(honest, orig)
    k = len(s.items)
    blk.response_id = personal.response_ids(rng, len(orig))
    blk.ip = personal.ipv4(rng, len(orig))
    blk.email, blk.name, blk.phone = personal.contact_details(rng, len(orig))
    blk.comment[:] = None
    blk.duration = _honest_durations(rng, len(orig))
    lag = rng.integers(600, 48 * 3600, size=len(orig))
    blk.submitted = blk.submitted + lag
    details = []
    for i, o in enumerate(orig):
        change = rng.choice(k, size=min(k, int(rng.integers(3, 7))), replace=False)
        for j in change:
            lo, hi = s.inst.bounds([s.items[j]])
            lo, hi = int(np.ravel(lo)[0]), int(np.ravel(hi)[0])
            old = blk.items[i, j]
            other = [c for c in range(lo, hi + 1) if c != old]
            blk.items[i, j] = float(other[int(rng.integers(0, len(other)))])
        details.append(f"answers of {honest.response_id[o]} (position {{ref}}) with {len(change)} items changed, "
                       f"submitted {lag[i] / 3600:.1f} h later")
    blk.note(np.arange(len(orig)), "near_copy", details, refs=orig)
    _secondary(blk, s, "near_copy", np.zeros(len(orig), dtype=bool))
    return blk


def _speeder(seed: int, s: _Setup, m: int) -> _Block:
    rng = _rng(seed, "speeder")
    blk = _respondents(rng, s, m, signal=SPEEDER_SIGNAL)
    blk.duration = np.round(DURATION_MEDIAN * rng.uniform(0.06, 0.25, size=m))
    blk.email, blk.name, blk.phone = personal.contact_details(rng, m, email_rate=0.3)
    blk.note(np.arange(m), "speeder",
             [f"duration {d:.0f} s = {100 * d / DURATION_MEDIAN:.0f}% of the honest median "
              f"({DURATION_MEDIAN:.0f} s)" for d in blk.duration])
    return blk


def _ordinary_duration(rng: np.random.Generator, m: int, fast_share: float) -> tuple[np.ndarray, np.ndarray]:
    """Durations of careless respondents at an ordinary speed (honest durations), a few speeding."""
    fast = rng.random(m) < fast_share
    dur = np.where(fast, np.round(DURATION_MEDIAN * rng.uniform(0.08, 0.25, size=m)), _honest_durations(rng, m))
    return dur, fast


def _careless_duration(rng: np.random.Generator, m: int, fast_share: float) -> tuple[np.ndarray, np.ndarray]:
    """Durations of careless respondents: some clearly speeding, the rest hurried but above the cut."""
    fast = rng.random(m) < fast_share
    share = np.where(fast, rng.uniform(0.08, 0.25, size=m), rng.uniform(0.40, 0.85, size=m))
    return np.round(DURATION_MEDIAN * share), fast


def _careless(rng: np.random.Generator, s: _Setup, m: int) -> _Block:
    blk = _Block(m, len(s.items), len(s.att))
    role_idx = rng.choice(len(s.roles), size=m, p=s.role_p)
    blk.role = np.array(s.roles, dtype=object)[role_idx]
    blk.response_id = personal.response_ids(rng, m)
    blk.submitted = _field_times(rng, m)
    blk.ip = personal.ipv4(rng, m)
    blk.location = personal.locations(rng, m)
    blk.email, blk.name, blk.phone = personal.contact_details(rng, m, email_rate=0.25)
    return blk


def _secondary(blk: _Block, s: _Setup, kind: str, fast: np.ndarray) -> None:
    """Record what else a careless row trips by construction (speeding, failed checks)."""
    fast_rows = np.flatnonzero(fast)
    blk.note(fast_rows, "speeder", [f"secondary to {kind}: duration {d:.0f} s = {100 * d / DURATION_MEDIAN:.0f}% "
                                    f"of the honest median" for d in blk.duration[fast_rows]], primary=False)
    wrong = np.flatnonzero((blk.att != s.careful).any(1))
    blk.note(wrong, "attention",
             [f"secondary to {kind}: " + ", ".join(f"{a} = {v:.0f} (careful answer {c:.0f})"
                                                   for a, v, c in zip(s.att, blk.att[i], s.careful) if v != c)
              for i in wrong], primary=False)


def _straightliner(seed: int, s: _Setup, m: int) -> _Block:
    rng = _rng(seed, "straightliner")
    blk = _careless(rng, s, m)
    details = _straight_codes(rng, s, blk)
    blk.duration, fast = _careless_duration(rng, m, 0.35)
    blk.note(np.arange(m), "straightliner", details)
    _secondary(blk, s, "straightliner", fast)
    return blk


def _speeder_straight(seed: int, s: _Setup, m: int) -> _Block:
    """A speeder (6-25 % of the honest median time) who straight-lines as :func:`_straightliner`'s do."""
    rng = _rng(seed, "speeder_straight")
    blk = _careless(rng, s, m)
    details = _straight_codes(rng, s, blk)
    blk.duration = np.round(DURATION_MEDIAN * rng.uniform(0.06, 0.25, size=m))
    blk.note(np.arange(m), "speeder_straight",
             [f"{d}, in {t:.0f} s = {100 * t / DURATION_MEDIAN:.0f}% of the honest median"
              for d, t in zip(details, blk.duration)])
    _secondary(blk, s, "speeder_straight", np.ones(m, dtype=bool))
    return blk


def _straight_codes(rng: np.random.Generator, s: _Setup, blk: _Block) -> list[str]:
    """One raw code on every question of each row (40 %: all but 1-3 items one step off); the details."""
    m = blk.m
    lo, hi = s.inst.scale_min, s.inst.scale_max
    points = np.arange(lo, hi + 1)
    p = np.array([0.05, 0.05, 0.30, 0.40, 0.20]) if len(points) == 5 else np.full(len(points), 1 / len(points))
    code = rng.choice(points, size=m, p=p).astype(float)
    blk.items[:] = code[:, None]
    blk.att[:] = code[:, None]
    k = len(s.items)
    nearly = rng.random(m) < 0.4
    n_off = np.where(nearly, rng.integers(1, 4, size=m), 0)
    details = []
    for i in range(m):
        if n_off[i]:
            cols = rng.choice(k, size=n_off[i], replace=False)
            step = rng.choice([-1.0, 1.0], size=n_off[i])
            step[code[i] + step < lo] = 1.0
            step[code[i] + step > hi] = -1.0
            blk.items[i, cols] = code[i] + step
        same = int((blk.items[i] == code[i]).sum())
        details.append(f"raw code {code[i]:.0f} on {'all ' if same == k else ''}{same} of {k} items")
    return details


def _random(seed: int, s: _Setup, m: int) -> _Block:
    rng = _rng(seed, "random")
    blk = _careless(rng, s, m)
    blk.items = _uniform_codes(rng, s, m, len(s.items))
    blk.att = _uniform_codes(rng, s, m, len(s.att))
    blk.duration, fast = _ordinary_duration(rng, m, 0.20)
    blk.note(np.arange(m), "random", "uniformly random codes on every item")
    _secondary(blk, s, "random", fast)
    return blk


def _random_marginal(seed: int, s: _Setup, m: int, honest: _Block) -> _Block:
    """Random answers following each item's answer shares among the honest respondents, at an ordinary speed.

    Each item's code is an answer drawn from the honest respondents' answers to that item
    (raw direction); an attention check is answered like an item (a code drawn from all
    honest answers), so it is often right by chance.
    """
    rng = _rng(seed, "random_marginal")
    blk = _careless(rng, s, m)
    for j in range(len(s.items)):
        seen = honest.items[:, j][~np.isnan(honest.items[:, j])]
        blk.items[:, j] = seen[rng.integers(0, len(seen), size=m)] if len(seen) else _uniform_codes(rng, s, m, 1)[:, 0]
    pooled = honest.items[~np.isnan(honest.items)]
    blk.att = (pooled[rng.integers(0, len(pooled), size=(m, len(s.att)))] if len(pooled)
               else _uniform_codes(rng, s, m, len(s.att)))
    blk.duration = _honest_durations(rng, m)
    blk.note(np.arange(m), "random_marginal", "random codes following each item's answer shares among the honest "
                                              "respondents, at an ordinary speed")
    _secondary(blk, s, "random_marginal", np.zeros(m, dtype=bool))
    return blk


def _check_answers(rng: np.random.Generator, s: _Setup, blk: _Block, line: np.ndarray) -> np.ndarray:
    """Attention checks of line answerers: half answer them as asked (a check stands out in its grid), the others
    with ``line`` (rows x checks).  Returns who answered as asked."""
    asked = rng.random(blk.m) < 0.5
    blk.att[:] = np.where(asked[:, None], s.careful[None, :], line)
    return asked


def _page_line(seed: int, s: _Setup, m: int) -> _Block:
    """Grid straight-lining: one answer to every item of a page (construct), another one on the next page; 30 % of
    them slip one step off on 1-2 items; at an ordinary speed (15 % speeding)."""
    rng = _rng(seed, "page_line")
    blk = _careless(rng, s, m)
    lo, hi = s.inst.scale_min, s.inst.scale_max
    k = hi - lo + 1
    code = np.empty((m, s.n_pages))
    code[:, 0] = rng.integers(lo, hi + 1, size=m)
    for p in range(1, s.n_pages):           # another answer than the previous page's
        code[:, p] = lo + (code[:, p - 1] - lo + rng.integers(1, k, size=m)) % k
    blk.items = code[:, s.item_page].copy()
    slips = np.where(rng.random(m) < 0.3, rng.integers(1, 3, size=m), 0)
    details = []
    for i in range(m):
        if slips[i]:
            cols = rng.choice(len(s.items), size=slips[i], replace=False)
            step = rng.choice([-1.0, 1.0], size=slips[i])
            v = blk.items[i, cols]
            step[v + step < lo] = 1.0
            step[v + step > hi] = -1.0
            blk.items[i, cols] = v + step
        details.append(f"one answer per page: {' '.join(f'{c:.0f}' for c in code[i])}"
                       f"{f', {slips[i]} slip(s) one step off' if slips[i] else ''}")
    _check_answers(rng, s, blk, code[:, s.att_page])
    blk.duration, fast = _ordinary_duration(rng, m, 0.15)
    blk.note(np.arange(m), "page_line", details)
    _secondary(blk, s, "page_line", fast)
    return blk


def _keyed_line(seed: int, s: _Setup, m: int) -> _Block:
    """A near-straight line at the disagree end (the scale's lowest code) on every item, the reverse-keyed ones
    too (after reverse scoring: agreeing and disagreeing with one construct), with 1-4 slips on forward items one or
    two steps up; at an ordinary speed (15 % speeding)."""
    rng = _rng(seed, "keyed_line")
    blk = _careless(rng, s, m)
    lo = float(s.inst.scale_min)
    blk.items[:] = lo
    fwd = np.flatnonzero(~s.reverse)
    n_slip = rng.integers(1, 5, size=m)
    details = []
    for i in range(m):
        cols = rng.choice(fwd, size=min(n_slip[i], len(fwd)), replace=False)
        blk.items[i, cols] = np.minimum(lo + rng.integers(1, 3, size=len(cols)), s.inst.scale_max)
        details.append(f"code {lo:.0f} on {len(s.items) - len(cols)} of {len(s.items)} items "
                       f"({int(s.reverse.sum())} reverse-keyed among them), {len(cols)} slip(s)")
    _check_answers(rng, s, blk, np.full((m, len(s.att)), lo))
    blk.duration, fast = _ordinary_duration(rng, m, 0.15)
    blk.note(np.arange(m), "keyed_line", details)
    _secondary(blk, s, "keyed_line", fast)
    return blk


def _adjacent(seed: int, s: _Setup, m: int) -> _Block:
    """Satisficing between two adjacent answers (Krosnick 1991, weak satisficing): every item, both keyings, in one
    of two neighbouring codes (a pair of the upper or middle codes: 2-3, 3-4 or 4-5 on a 1-5 scale), the main one
    with the person's probability 0.55-0.95, 4 % of answers a step outside the pair (as ``5444...46455``); the
    attention checks answered as asked, at an ordinary speed (10 % speeding)."""
    rng = _rng(seed, "adjacent")
    blk = _careless(rng, s, m)
    lo_s, hi_s = int(s.inst.scale_min), int(s.inst.scale_max)
    k = len(s.items)
    low = rng.integers(max(lo_s + 1, hi_s - 3), hi_s, size=m)          # the pair's lower code: 2, 3 or 4 of 1-5
    p = rng.uniform(0.55, 0.95, size=(m, 1))
    top = rng.random((m, 1)) < 0.7
    main, other = np.where(top, low[:, None] + 1, low[:, None]), np.where(top, low[:, None], low[:, None] + 1)
    x = np.where(rng.random((m, k)) < p, main, other).astype(float)
    out = rng.random((m, k)) < 0.04
    x[out] = np.clip(np.where(x[out] == low[np.nonzero(out)[0]], x[out] - 1, x[out] + 1), lo_s, hi_s)
    blk.items = x
    blk.att[:] = s.careful[None, :]
    blk.duration, fast = _ordinary_duration(rng, m, 0.10)
    blk.note(np.arange(m), "adjacent", [f"codes {a:.0f}-{a + 1:.0f} on every item, mostly {b:.0f} ({q:.0%}), "
                                        f"{int(o)} a step outside" for a, b, q, o in
                                        zip(low, main[:, 0], p[:, 0], out.sum(axis=1))])
    _secondary(blk, s, "adjacent", fast)
    return blk


def _lean_random(seed: int, s: _Setup, m: int) -> _Block:
    """Random answers leaning to one side: uniform on the upper three codes (3-5 of 1-5; 60 %) or the lower three
    (1-3), every item, both keyings; the attention checks answered as asked, at an ordinary speed (10 % speeding)."""
    rng = _rng(seed, "lean_random")
    blk = _careless(rng, s, m)
    lo_s, hi_s = int(s.inst.scale_min), int(s.inst.scale_max)
    up = rng.random(m) < 0.6
    start = np.where(up, hi_s - 2, lo_s)
    blk.items = (start[:, None] + rng.integers(0, 3, size=(m, len(s.items)))).astype(float)
    blk.att[:] = s.careful[None, :]
    blk.duration, fast = _ordinary_duration(rng, m, 0.10)
    blk.note(np.arange(m), "lean_random", [f"uniform codes {a}-{a + 2} on every item, at an ordinary speed"
                                           for a in start])
    _secondary(blk, s, "lean_random", fast)
    return blk


def _mild_random(seed: int, s: _Setup, m: int) -> _Block:
    """Careful respondents who answer half of the questions (any of them, attention checks too) at random."""
    rng = _rng(seed, "mild_random")
    blk = _respondents(rng, s, m)
    blk.latent[:] = np.nan  # only half of the answers came from the latent scores
    q = len(s.order)
    h = q // 2
    details = []
    for i in range(m):
        where = np.sort(rng.choice(q, size=h, replace=False))
        _write_order(s, blk, i, rng.integers(s.inst.scale_min, s.inst.scale_max + 1, size=h).astype(float), where)
        details.append(f"careful, but {h} of {q} questions answered at random (uniform codes), at an ordinary speed")
    blk.note(np.arange(m), "mild_random", details)
    _secondary(blk, s, "mild_random", np.zeros(m, dtype=bool))
    return blk


_PATTERNS = ("zig-zag", "diagonal", "repeated sequence")


def _pattern_codes(rng: np.random.Generator, lo: int, hi: int, length: int) -> tuple[np.ndarray, str]:
    """One patterned answer string (questionnaire order) and its description."""
    points = np.arange(lo, hi + 1, dtype=float)
    kind = _PATTERNS[rng.integers(0, 3)]
    if kind == "zig-zag":          # 1 2 3 4 5 4 3 2 1 2 ...
        cycle = np.concatenate([points, points[-2:0:-1]])
    elif kind == "diagonal":       # 1 2 3 4 5 1 2 3 4 5 ...
        cycle = points.copy()
    else:                          # a short sequence repeated: 2 4 2 4 ..., 3 4 5 3 4 5 ...
        cycle = rng.choice(points, size=int(rng.integers(2, 5)), replace=False)
    if kind != "repeated sequence" and rng.random() < 0.5:
        cycle = cycle[::-1]
    start = int(rng.integers(0, len(cycle)))
    seq = np.resize(np.roll(cycle, -start), length)
    return seq, f"{kind} {'-'.join(f'{v:.0f}' for v in cycle)}"


def _write_order(s: _Setup, blk: _Block, i: int, seq: np.ndarray, positions: np.ndarray) -> None:
    """Put answers ``seq`` into the questions at ``positions`` (questionnaire order) of row ``i``."""
    col = {q: j for j, q in enumerate(s.items)}
    att = {q: j for j, q in enumerate(s.att)}
    for v, p in zip(seq, positions):
        q = s.order[p]
        if q in col:
            blk.items[i, col[q]] = v
        else:
            blk.att[i, att[q]] = v


def _pattern(seed: int, s: _Setup, m: int) -> _Block:
    rng = _rng(seed, "pattern")
    blk = _careless(rng, s, m)
    q = len(s.order)
    details = []
    for i in range(m):
        seq, text = _pattern_codes(rng, s.inst.scale_min, s.inst.scale_max, q)
        _write_order(s, blk, i, seq, np.arange(q))
        details.append(f"patterned answers: {text} through the questionnaire")
    blk.duration, fast = _ordinary_duration(rng, m, 0.15)
    blk.note(np.arange(m), "pattern", details)
    _secondary(blk, s, "pattern", fast)
    return blk


def _partial(seed: int, s: _Setup, m: int) -> _Block:
    """Careful for the first 40-60 % of the questions, then random (60 %), one code (20 %) or a pattern (20 %)."""
    return _partly(_rng(seed, "partial"), s, m, "partial", (0.4, 0.6))


def _partial_late(seed: int, s: _Setup, m: int) -> _Block:
    """Careful for the first 62-72 % of the questions (from about 2/3), then as :func:`_partial`'s."""
    return _partly(_rng(seed, "partial_late"), s, m, "partial_late", (0.62, 0.72))


def _partly(rng: np.random.Generator, s: _Setup, m: int, kind: str, share: tuple[float, float]) -> _Block:
    """Careful for the first ``share`` of the questions (a range), then random, one code or a pattern."""
    blk = _respondents(rng, s, m)
    blk.latent[:] = np.nan  # only the first part was answered from the latent scores
    q = len(s.order)
    lo, hi = s.inst.scale_min, s.inst.scale_max
    details = []
    for i in range(m):
        start = int(rng.integers(int(round(share[0] * q)), int(round(share[1] * q)) + 1))
        rest = np.arange(start, q)
        mode = rng.choice(3, p=[0.6, 0.2, 0.2])
        if mode == 0:
            seq, text = rng.integers(lo, hi + 1, size=len(rest)).astype(float), "random codes"
        elif mode == 1:
            code = float(rng.integers(lo, hi + 1))
            seq, text = np.full(len(rest), code), f"code {code:.0f} throughout"
        else:
            seq, text = _pattern_codes(rng, lo, hi, len(rest))
        _write_order(s, blk, i, seq, rest)
        details.append(f"careful for questions 1-{start} of {q}, then {text}")
    blk.duration = np.round(blk.duration * rng.uniform(0.7, 0.95, size=m))  # hurried, never speeding
    blk.note(np.arange(m), kind, details)
    _secondary(blk, s, kind, np.zeros(m, dtype=bool))
    return blk


def _attention(seed: int, s: _Setup, m: int) -> _Block:
    rng = _rng(seed, "attention")
    blk = _respondents(rng, s, m)
    blk.comment = personal.comments(rng, m, blk.email, blk.phone)
    if not s.att:
        return blk
    which = rng.integers(0, len(s.att), size=m)
    points = np.arange(s.inst.scale_min, s.inst.scale_max + 1, dtype=float)
    for j in range(len(s.att)):
        rows = np.flatnonzero(which == j)
        wrong = points[points != s.careful[j]]
        # they answer the check like an ordinary item: mostly agreeing, near the right answer
        w = 1.0 / (1.0 + np.abs(wrong - s.careful[j])) * np.where(wrong >= s.careful[j], 1.5, 1.0)
        blk.att[rows, j] = rng.choice(wrong, size=len(rows), p=w / w.sum())
    got = blk.att[np.arange(m), which]
    blk.note(np.arange(m), "attention",
             [f"{s.att[j]} = {v:.0f} (careful answer {s.careful[j]:.0f}); otherwise careful" for j, v in zip(which, got)])
    return blk


def _out_of_range(seed: int, s: _Setup, m: int) -> _Block:
    rng = _rng(seed, "out_of_range")
    blk = _respondents(rng, s, m)
    col = rng.integers(0, len(s.items), size=m)
    lo, hi = s.inst.scale_min, s.inst.scale_max
    value = rng.choice([lo - 1.0, hi + 1.0, 9.0 if hi < 9 else hi + 4.0], size=m, p=[0.2, 0.3, 0.5])
    blk.items[np.arange(m), col] = value
    blk.note(np.arange(m), "out_of_range",
             [f"{s.items[c]} = {v:.0f} (scale {lo}-{hi})" for c, v in zip(col, value)])
    return blk


# -- the result ---------------------------------------------------------------------------------
@dataclass
class Simulation:
    """A simulated export: the standard ``frame``, the ``truth`` about it, and what made it.

    ``truth`` has one row per injected case (``primary`` True) plus rows for what a
    careless case trips as well (``primary`` False): columns ``response_id``, ``kind``,
    ``detail``, ``primary`` and ``position`` (0-based row of ``frame``; needed to tell the
    two rows of a ``duplicate_id`` apart -- the later one is the injected repeat).
    ``latent`` holds the true latent scores of every row drawn from the population
    (NaN for rows that were not: random, straightlining, preview, test and spam rows).
    """

    frame: pd.DataFrame
    truth: pd.DataFrame
    latent: pd.DataFrame
    population: Population
    contamination: Contamination
    instrument: Instrument
    seed: int
    n: int

    def expected_clean(self) -> pd.Series:
        """True for the rows a correct cleaning keeps (no exclusion kind in ``truth``).

        >>> sim = simulate(100, seed=3)
        >>> int(sim.expected_clean().sum())
        100
        """
        bad = self.truth.loc[self.truth["kind"].isin(EXCLUSION_KINDS), "position"].to_numpy()
        keep = np.ones(len(self.frame), dtype=bool)
        keep[bad] = False
        return pd.Series(keep, index=self.frame.index, name="expected_clean")

    def kind_counts(self) -> pd.DataFrame:
        """Injected cases per kind: primary and secondary counts, rate per honest respondent, rules.

        >>> simulate(1000, seed=3).kind_counts().loc["speeder", "primary"]
        np.int64(30)
        """
        t = self.truth
        prim = t[t["primary"]].groupby("kind").size()
        sec = t[~t["primary"]].groupby("kind").size()
        kinds = self.contamination.shown_kinds()     # an opt-in kind only when switched on
        out = pd.DataFrame(index=pd.Index(kinds, name="kind"))
        out["primary"] = prim.reindex(kinds, fill_value=0).astype("int64")
        out["secondary"] = sec.reindex(kinds, fill_value=0).astype("int64")
        out["rate"] = out["primary"] / self.n
        out["rules"] = [", ".join(KIND_RULES[k]) or "(kept)" for k in kinds]
        return out

    def summary(self) -> str:
        """A plain-text report of the sample and its contamination."""
        lines = [f"Simulated survey: seed {self.seed}, {self.n} honest respondents, {len(self.frame)} rows "
                 f"({int((~self.expected_clean()).sum())} to exclude)", ""]
        lines.append(self.kind_counts().to_string())
        return "\n".join(lines)


def _frame(blocks: list[_Block], s: _Setup) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Concatenate blocks in submission order; return the frame, the permutation and the latent scores."""
    def cat(name):
        return np.concatenate([getattr(b, name) for b in blocks])

    submitted = cat("submitted")
    order = np.argsort(submitted, kind="stable")
    inst = s.inst
    front = pd.DataFrame({"response_id": cat("response_id")[order], inst.group_column: cat("role")[order]})
    answers = pd.DataFrame(np.concatenate([cat("items"), cat("att")], axis=1)[order],
                           columns=list(s.items) + list(s.att))
    data: dict[str, object] = {"_row": np.arange(1, len(order) + 1)}
    data["_status"] = cat("status")[order]
    data["_finished"] = pd.array(cat("finished")[order], dtype="boolean")
    data["_progress"] = cat("progress")[order]
    data["_duration"] = cat("duration")[order]
    data["_submitted"] = (FIELD_START + submitted[order].astype("timedelta64[s]")).astype("datetime64[ns]")
    for name in ("ip", "email", "name", "phone", "location", "comment"):
        data[f"_{name}"] = cat(name)[order]
    # three blocks joined side by side: no per-column copies of the answer matrix
    frame = pd.concat([front, answers, pd.DataFrame(data)], axis=1)
    return frame, order, cat("latent")[order]


def simulate(n: int, *, seed: int, instrument: Instrument | None = None, population: Population | None = None,
             contamination: Contamination | None = None, styles: StyleStrengths | None = None) -> Simulation:
    """Draw ``n`` honest respondents and add the contamination on top.

    ``instrument`` defaults to the study's (``data/instrument.yaml``), ``population`` to
    :meth:`Population.default`, ``contamination`` to :class:`Contamination` () (the default
    rates); pass ``Contamination.none()`` for a clean sample.  ``styles`` sets the ranges of
    the honest response styles' person-level strengths (default :class:`StyleStrengths` ()).

    >>> sim = simulate(50, seed=7, contamination=Contamination.none())
    >>> len(sim.frame), len(sim.truth), sim.frame["_status"].unique().tolist()
    (50, 0, ['IP Address'])
    >>> sim.frame.loc[0, "response_id"][:2], sim.frame["ATT1"].unique().tolist()
    ('R_', [4.0])
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    n, seed = int(n), int(seed)
    inst = instrument or load_instrument()
    pop = population or Population.default()
    cont = contamination or Contamination()
    s = _setup(inst, pop)
    counts = cont.counts(n)

    honest = _honest(seed, s, n)
    _styles(seed, s, honest, counts, styles or StyleStrengths())
    _item_nonresponse(seed, s, honest, cont, counts["item_nonresponse"])
    dup_id, orig_id = _duplicate_id(seed, s, counts["duplicate_id"], honest, set())
    dup_ip, _ = _duplicate_ip(seed, s, counts["duplicate_ip"], honest, set(orig_id.tolist()))
    blocks = [honest, _preview(seed, s, counts["preview"]), _test(seed, s, counts["test"]),
              _spam(seed, s, counts["spam"]), _unfinished(seed, s, counts["unfinished"]), dup_id, dup_ip,
              _speeder(seed, s, counts["speeder"]), _straightliner(seed, s, counts["straightliner"]),
              _random(seed, s, counts["random"]), _attention(seed, s, counts["attention"]),
              _out_of_range(seed, s, counts["out_of_range"]), _pattern(seed, s, counts["pattern"]),
              _partial(seed, s, counts["partial"])]
    # the opt-in careless kinds: a block only when asked for (the default sample stays what it was)
    opt_in = {"random_marginal": lambda m: _random_marginal(seed, s, m, honest),
              "mild_random": lambda m: _mild_random(seed, s, m), "partial_late": lambda m: _partial_late(seed, s, m),
              "speeder_straight": lambda m: _speeder_straight(seed, s, m), "page_line": lambda m: _page_line(seed, s, m),
              "keyed_line": lambda m: _keyed_line(seed, s, m), "near_copy": lambda m: _near_copy(seed, s, m, honest),
              "adjacent": lambda m: _adjacent(seed, s, m), "lean_random": lambda m: _lean_random(seed, s, m)}
    blocks += [make(counts[k]) for k, make in opt_in.items() if counts[k]]

    frame, order, latent = _frame(blocks, s)
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    # ids must be unique across parts, except the intended repeats
    ids = np.concatenate([b.response_id for b in blocks])
    offsets = np.cumsum([0] + [b.m for b in blocks])
    not_repeat = np.ones(len(ids), dtype=bool)
    not_repeat[offsets[5]:offsets[6]] = False
    if len(set(ids[not_repeat].tolist())) != int(not_repeat.sum()):  # pragma: no cover - 62**15 possible ids
        raise RuntimeError("response id collision; choose another seed")

    parts = {"g": [], "kind": [], "detail": [], "primary": []}
    for b, off in zip(blocks, offsets):
        for rows, kind, details, primary, refs in b.truth:
            has_ref = refs >= 0          # refs point into the honest block (offset 0)
            if has_ref.any():
                details = details.copy()
                for i in np.flatnonzero(has_ref):
                    details[i] = details[i].format(ref=int(position[refs[i]]))
            parts["g"].append(off + rows)
            parts["kind"].append(np.full(len(rows), kind, dtype=object))
            parts["detail"].append(details)
            parts["primary"].append(np.full(len(rows), primary))
    if parts["g"]:
        g = np.concatenate(parts["g"])
        kind = np.concatenate(parts["kind"])
        primary = np.concatenate(parts["primary"])
        rank = {k: i for i, k in enumerate(KINDS)}
        key = np.lexsort((np.array([rank[k] for k in kind]), ~primary, position[g]))
        truth = pd.DataFrame({"response_id": ids[g][key], "kind": kind[key],
                              "detail": np.concatenate(parts["detail"])[key], "primary": primary[key],
                              "position": position[g][key]})
    else:
        truth = pd.DataFrame({"response_id": pd.Series(dtype=object), "kind": pd.Series(dtype=object),
                              "detail": pd.Series(dtype=object), "primary": pd.Series(dtype=bool),
                              "position": pd.Series(dtype=np.int64)})
    latent_df = pd.DataFrame(latent, columns=list(LATENTS), index=frame.index)
    return Simulation(frame, truth, latent_df, pop, cont, inst, seed, n)


def answers_frame(ids: np.ndarray, groups: np.ndarray, answers: np.ndarray, instrument: Instrument,
                  attention: np.ndarray | None, durations: np.ndarray, rng: np.random.Generator, *,
                  start: str = "2023-05-02 09:00", ips: list[str] | None = None) -> pd.DataFrame:
    """A standard frame of completed web responses around answers made elsewhere (a generator of one's own).

    ``answers``: respondents x the instrument's items (raw codes); ``attention``: each
    respondent's answer to every attention check (or None); ``durations`` in seconds
    (rounded); submission times spread over 20 days from ``start`` (sorted; one draw of
    ``rng``); IP addresses ``ips`` or distinct documentation addresses (198.51.x.y); no
    personal data.  The export writers (:func:`~iur_survey.simulate.writers.write_export`)
    take the result.

    >>> from iur_survey.instrument import load_instrument
    >>> inst = load_instrument()
    >>> f = answers_frame(np.array(["a", "b"]), np.array(["university", "government"]), np.full((2, 28), 3.0), inst,
    ...                   np.array([4.0, 2.0]), np.array([600.2, 59.8]), np.random.default_rng(1))
    >>> f[["response_id", "GOV1", "ATT1", "_duration", "_ip"]].values.tolist()
    [['a', 3.0, 4.0, 600.0, '198.51.0.0'], ['b', 3.0, 2.0, 60.0, '198.51.0.1']]
    """
    total = len(ids)
    frame = pd.DataFrame({"response_id": ids, instrument.group_column: groups})
    frame = pd.concat([frame, pd.DataFrame(answers, columns=list(instrument.item_codes))], axis=1)
    for col in instrument.attention_checks:
        frame[col] = attention
    frame["_row"] = np.arange(1, total + 1)
    frame["_status"] = "IP Address"
    frame["_finished"] = pd.array(np.ones(total, dtype=bool), dtype="boolean")
    frame["_progress"] = 100.0
    frame["_duration"] = np.round(durations)
    frame["_submitted"] = (pd.Timestamp(start) + pd.to_timedelta(
        np.sort(rng.uniform(0, 20 * 86400, size=total)), unit="s")).astype("datetime64[ns]")
    frame["_ip"] = ips if ips is not None else [f"198.51.{i // 250 % 250}.{i % 250}" for i in range(total)]
    for col in ("_email", "_name", "_phone", "_location", "_comment"):
        frame[col] = None
    return frame
