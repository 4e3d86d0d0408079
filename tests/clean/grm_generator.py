"""An independent generator of survey responses: ordinal IRT (graded response model).

Not the package's simulator (:mod:`iur_survey.simulate`): honest respondents answer by
Samejima's graded response model with item discriminations and thresholds drawn per
seed, correlated traits with a correlation matrix drawn per seed, and *person-specific*
thresholds (each person's category boundaries are shifted and stretched: acquiescent,
extreme and midpoint styles arise from that, with strengths drawn per person).
Careless cases are made by code written separately from the simulator's.  Used by
``tests/clean/test_styles.py`` and ``python -m iur_survey.clean.evaluate --generator grm``
(which imports it by path) to check that the cleaning is not tuned to one simulator.

``generate(n, seed) -> (frame, truth)``: the standard frame of :mod:`iur_survey.read.base`
plus the personal columns the export writers expect; ``truth`` has ``position``,
``response_id``, ``kind`` (a careless kind, or an honest respondent's style) and ``primary``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from iur_survey.instrument import load_instrument
from iur_survey.simulate.respondents import answers_frame

CARELESS = ("random", "pattern", "straightliner", "partial", "speeder")
STYLES = ("acquiescent", "extreme", "midpoint", "fast_careful")
#: the category shares (raw direction, lowest code first) of half the random responders: not any item's own
RANDOM_SHARES = (.1, .15, .25, .3, .2)
#: person-level strength ranges (uniform) of the styles that change answers: threshold shift toward
#: agreement (raw direction) and threshold stretch (extreme < 1 < midpoint); fast careful readers answer as drawn
STYLE_RANGES = {"acquiescent": (0.2, 1.0), "extreme": (0.25, 0.6), "midpoint": (1.6, 2.8)}


def _draw_parameters(rng: np.random.Generator, inst) -> dict:
    """The first draws of :func:`generate`: trait correlation and item parameters (scored direction)."""
    items = list(inst.item_codes)
    k = len(items)
    cons = list(inst.constructs)
    m_cat = inst.scale_max - inst.scale_min
    # traits: a random correlation matrix with moderate correlations
    q = len(cons)
    base = rng.uniform(0.15, 0.55)
    r = np.full((q, q), base) + rng.uniform(-0.1, 0.1, size=(q, q))
    r = (r + r.T) / 2
    np.fill_diagonal(r, 1.0)
    w, v = np.linalg.eigh(r)
    r = (v * np.clip(w, 0.05, None)) @ v.T
    d = np.sqrt(np.diag(r))
    r = r / d[:, None] / d[None, :]
    # item parameters (scored direction): discrimination, ordered thresholds skewed to agreement
    a = rng.uniform(0.9, 2.6, size=k)
    loc = rng.normal(-0.6, 0.3, size=k)
    gaps = rng.uniform(0.5, 1.2, size=(k, m_cat))
    b = loc[:, None] + np.cumsum(gaps, axis=1) - gaps.sum(1, keepdims=True) / 2
    return {"a": a, "b": b, "r": r, "item_trait": np.array([cons.index(inst.items[c].construct) for c in items]),
            "reverse": np.array([c in inst.reverse_items for c in items])}


def parameters(seed: int, *, instrument=None) -> dict:
    """The true model of :func:`generate` ``(n, seed)``'s honest style-free respondents (same draws, any ``n``).

    ``a`` (discrimination per item), ``b`` (items x thresholds, scored direction:
    P(score >= lo + c + 1 | theta) = logistic(a (theta - b[c]))), ``r`` (trait correlation),
    ``item_trait`` (trait index per item), ``reverse`` (items written reversed in the raw codes).
    """
    inst = instrument or load_instrument()
    return _draw_parameters(np.random.default_rng([seed, 8675309]), inst)


def styles(style_rate: float = 0.30) -> dict:
    """The styles of :func:`generate` that change answers: name -> (share of the honest respondents, strength range)."""
    return {k: (style_rate / len(STYLES), v) for k, v in STYLE_RANGES.items()}


def generate(n: int, seed: int, *, careless_rate: float = 0.10, style_rate: float = 0.30, instrument=None):
    inst = instrument or load_instrument()
    rng = np.random.default_rng([seed, 8675309])
    items = list(inst.item_codes)
    k = len(items)
    lo, hi = inst.scale_min, inst.scale_max
    m_cat = hi - lo
    par = _draw_parameters(rng, inst)
    a, b, r, cidx, rev = par["a"], par["b"], par["r"], par["item_trait"], par["reverse"]
    q = len(r)
    n_care = int(round(careless_rate * n))
    total = n + n_care
    theta = rng.multivariate_normal(np.zeros(q), r, size=total)

    def answer(th, shift, stretch):
        """GRM codes (raw direction) with person-specific threshold shift (raw agreement) and stretch."""
        eta = a * th[:, cidx]                                           # rows x items
        s = np.where(rev, -1.0, 1.0)
        bp = (b[None, :, :] * stretch[:, None, None]) - (shift[:, None] * s[None, :])[:, :, None] / 1.0
        p = 1 / (1 + np.exp(-(eta[:, :, None] - a[None, :, None] * bp)))   # P(X >= k+1)
        u = rng.random(eta.shape)
        score = lo + (u[:, :, None] < p).sum(2)
        score = np.where(rev, lo + hi - score, score)
        return score.astype(float)

    style = np.full(total, "", dtype=object)
    shift = np.zeros(total)
    stretch = np.ones(total)
    honest_idx = np.arange(n)
    pick = rng.permutation(honest_idx)[: int(round(style_rate * n))]
    for j, who in enumerate(np.array_split(pick, len(STYLES))):
        st = STYLES[j]
        style[who] = st
        if st == "acquiescent":
            shift[who] = rng.uniform(*STYLE_RANGES[st], size=len(who))
        elif st in ("extreme", "midpoint"):
            stretch[who] = rng.uniform(*STYLE_RANGES[st], size=len(who))
    x = answer(theta, shift, stretch)
    med = 480.0 * rng.uniform(0.8, 1.3)
    dur = med * np.exp(rng.normal(0, 0.3, size=total))
    fast = style == "fast_careful"
    dur[fast] = med * rng.uniform(0.2, 0.5, size=fast.sum())
    att = np.full(total, float(next(iter(inst.attention_checks.values()))) if inst.attention_checks else np.nan)
    kinds = np.full(total, "", dtype=object)
    care = np.arange(n, total)
    which = rng.choice(len(CARELESS), size=n_care, p=[0.3, 0.15, 0.15, 0.2, 0.2])
    for i, c in zip(care, which):
        kind = CARELESS[c]
        kinds[i] = kind
        if kind == "random":  # uniform, or drawn from the sample's overall category shares
            if rng.random() < 0.5:
                x[i] = rng.integers(lo, hi + 1, size=k)
            else:
                x[i] = rng.choice(np.arange(lo, hi + 1), size=k, p=np.array(RANDOM_SHARES)[:m_cat + 1])
            att[i] = rng.integers(lo, hi + 1)
        elif kind == "pattern":
            period = int(rng.integers(2, 9))
            motif = rng.integers(lo, hi + 1, size=period).astype(float)
            if np.all(motif == motif[0]):
                motif[-1] = lo + (motif[0] - lo + 2) % (m_cat + 1)
            if rng.random() < 0.5:  # a seesaw
                motif = np.concatenate([np.arange(lo, hi + 1), np.arange(hi - 1, lo, -1)]).astype(float)
            x[i] = np.resize(np.roll(motif, -int(rng.integers(0, len(motif)))), k)
        elif kind == "straightliner":
            x[i] = float(rng.integers(lo, hi + 1))
            off = rng.choice(k, size=int(rng.integers(0, 3)), replace=False)
            x[i, off] = np.clip(x[i, off] + rng.choice([-1, 1], size=len(off)), lo, hi)
        elif kind == "partial":  # careful first part (already drawn), the last third to half random
            start = int(rng.integers(k // 2, 2 * k // 3 + 1))
            x[i, start:] = rng.integers(lo, hi + 1, size=k - start)
        elif kind == "speeder":  # fast and random or nearly straight
            dur[i] = med * rng.uniform(0.05, 0.2)
            if rng.random() < 0.5:
                x[i] = rng.integers(lo, hi + 1, size=k)
            else:
                x[i] = float(rng.integers(3, hi + 1))
                x[i, rng.choice(k, size=4, replace=False)] = rng.integers(lo, hi + 1, size=4)
        if kind in ("random", "pattern", "partial") and rng.random() < 0.8:
            dur[i] = med * np.exp(rng.normal(0, 0.3))     # at an ordinary speed
    order = rng.permutation(total)
    ids = np.array([f"G_{seed}_{i:06d}" for i in range(total)], dtype=object)
    groups = rng.choice(inst.group_keys, size=total)
    ips = [f"192.0.2.{i % 250}" if i % 7 == 0 else f"198.51.{i // 250 % 250}.{i % 250}" for i in range(total)]
    frame = answers_frame(ids[order], groups, x[order], inst, att[order], dur[order], rng, ips=ips)
    pos = np.empty(total, dtype=np.int64)
    pos[order] = np.arange(total)
    lab = np.where(kinds != "", kinds, style)
    t = np.flatnonzero(lab != "")
    truth = pd.DataFrame({"response_id": ids[t], "kind": lab[t], "primary": True, "position": pos[t]})
    truth = truth.sort_values("position", kind="stable").reset_index(drop=True)
    return frame, truth
