"""A generator of respondents to an instrument whose items have scales of their own (``scale: {min, max, labels}``).

Written apart from the screening code and from the package's simulator (which draws every item on the top-level
scale and refuses such an instrument).  Every respondent is drawn once as latent answers and places on a scale,
then cut onto each item's own scale, so the same people can be written on another instrument of the same items
(:func:`generate` with the one-scale instrument gives them on one scale).

Honest answers: a common-factor model (one factor per construct, construct correlations .35, loadings .75),
reverse-keyed items answered the other way, each item's latent response cut into its own number of categories at
equal-probability cuts of N(-0.6, 1) (answers lean to agreement).  Response styles on each item's own scale:
``acquiescent`` (the latent response +1), ``extreme`` (stretched x 2.4 about the cuts' centre), ``midpoint`` (the
middle answer to 60 % of the items; a scale without one, 1-4: the central answer on the person's side),
``narrow`` (shrunk x .35 about a personal anchor), ``fast_careful`` (honest answers at 2.8 s an item).  Careless
kinds (evaluation labels of :mod:`iur_survey.clean.evaluate`): ``random`` (uniform over each item's categories),
``mild_random`` (30-50 % of the items random), ``straightliner`` (one code, clamped to each scale, or one place
of each scale: bottom, quarter, middle, three quarters, top), ``pattern`` (a seesaw of each scale's ends, or a
motif of codes or of places repeated to the end), ``partial`` (careful for the first 40-70 % of the items, then
random), ``partial_straight`` (... then one place of each scale), ``partial_pattern`` (... then a zig-zag of
codes 1-2-3-4-5-4-3-2 clamped to each scale, or a seesaw of each scale's ends).  Careless respondents pass the
attention check (the indices are what is measured) and take as long as honest ones.

``generate(n, seed, instrument) -> (frame, truth)``: the standard frame (:func:`~iur_survey.simulate.respondents.
answers_frame`) and ``truth`` with ``response_id``, ``kind``, ``primary``, ``position``.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
from scipy.stats import norm

from iur_survey.instrument import Instrument, load_instrument, parse_instrument
from iur_survey.simulate.respondents import answers_frame

ROLES = ("enterprise", "university", "research_institute", "government")
W4 = {1: ["Strongly disagree"], 2: ["Disagree"], 3: ["Agree"], 4: ["Strongly agree"]}
W7 = {1: ["Strongly disagree"], 2: ["Disagree"], 3: ["Somewhat disagree"], 4: ["Neither agree nor disagree"],
      5: ["Somewhat agree"], 6: ["Agree"], 7: ["Strongly agree"]}
#: the default instrument's scales of their own (the study's items): TAL 1-4, COL 1-7, INT 0-10
MIXED = {"TAL": (1, 4, W4), "COL": (1, 7, W7), "INT": (0, 10, None)}
#: shares of the honest styles and careless kinds (of N; the rest honest without a style)
STYLES = {"acquiescent": 0.10, "extreme": 0.10, "midpoint": 0.08, "narrow": 0.07, "fast_careful": 0.05}
KINDS = {"random": 0.03, "mild_random": 0.03, "straightliner": 0.04, "pattern": 0.07, "partial": 0.015,
         "partial_straight": 0.015, "partial_pattern": 0.03}
MOTIF_CODES = [(1, 2, 3), (1, 2, 3, 4, 5), (5, 4, 3, 2, 1), (1, 3, 5), (2, 4), (1, 2, 3, 4), (3, 4, 5)]
MOTIF_PLACES = [(0, .5, 1), (0, .25, .5, .75, 1), (1, .75, .5, .25, 0), (0, 1, .5), (.25, .75, 1)]


def instrument(scales: dict | None = None) -> Instrument:
    """The study's instrument with the constructs of ``scales`` (default :data:`MIXED`) on scales of their own."""
    doc = copy.deepcopy(load_instrument().raw)
    for con, (lo, hi, words) in (MIXED if scales is None else scales).items():
        doc["constructs"][con]["scale"] = {"min": lo, "max": hi, **({"labels": words} if words else {})}
    return parse_instrument(doc, "mixed_generator.yaml")


def _cut(y: np.ndarray, n_points: int) -> np.ndarray:
    """Latent -> 0-based category: equal-probability cuts of N(-0.6, 1)."""
    return np.searchsorted(norm.ppf(np.linspace(0, 1, n_points + 1)[1:-1], loc=-0.6), y)


def _place(p, lo: int, hi: int) -> np.ndarray:
    return lo + np.rint(np.asarray(p, dtype=float) * (hi - lo)).astype(int)


def generate(n: int, seed: int, instrument: Instrument | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``n`` respondents (:data:`STYLES`, :data:`KINDS`) on ``instrument`` (default: :func:`instrument`)."""
    inst = instrument if instrument is not None else globals()["instrument"]()
    rng = np.random.default_rng(seed)
    items = [c for c in inst.item_codes if not inst.items[c].continuous]
    if len(items) != len(inst.item_codes):
        raise ValueError("the mixed-scale generator draws Likert items only")
    k = len(items)
    cons = list(inst.constructs)
    label = []
    for name, share in {**STYLES, **KINDS}.items():
        label += [name] * int(round(share * n))
    label = np.array((label + ["honest"] * n)[:n], dtype=object)
    rng.shuffle(label)
    corr = np.full((len(cons), len(cons)), 0.35) + np.eye(len(cons)) * 0.65
    eta = rng.multivariate_normal(np.zeros(len(cons)), corr, size=n, method="cholesky")
    cidx = np.array([cons.index(inst.items[c].construct) for c in items])
    y = 0.75 * eta[:, cidx] + np.sqrt(1 - 0.75 ** 2) * rng.normal(size=(n, k))
    rev = [j for j, c in enumerate(items) if c in inst.reverse_items]
    y[:, rev] = -y[:, rev]
    u, pick = rng.random((n, k)), rng.random((n, k))
    anchor = rng.normal(0.3, 0.4, n)
    line_code = rng.choice([1, 2, 3, 4, 5], n, p=[.1, .15, .3, .3, .15])
    line_place = rng.choice([0.0, 0.25, 0.5, 0.75, 1.0], n, p=[.1, .15, .3, .3, .15])
    variant = rng.integers(0, 3, n)
    first = rng.integers(0, 2, n)
    m_code, m_place = rng.integers(0, len(MOTIF_CODES), n), rng.integers(0, len(MOTIF_PLACES), n)
    some = rng.random((n, k)) < rng.uniform(0.3, 0.5, n)[:, None]
    start = rng.integers(int(0.4 * k), int(0.7 * k) + 1, n)
    x = np.zeros((n, k))
    for j, c in enumerate(items):
        sc = inst.scale_of(c)
        lo, hi, m = sc.min, sc.max, sc.n_points
        yj = y[:, j]
        col = lo + _cut(yj, m)
        col = np.where(label == "acquiescent", lo + _cut(yj + 1.0, m), col)
        col = np.where(label == "extreme", lo + _cut((yj + 0.6) * 2.4 - 0.6, m), col)
        col = np.where(label == "narrow", lo + _cut((yj + 0.6) * 0.35 - 0.6 + anchor, m), col)
        middle = (lo + hi) // 2 + ((m % 2 == 0) & (yj > -0.6))        # no middle: the central answer on its side
        col = np.where((label == "midpoint") & (pick[:, j] < 0.6), middle, col)
        rand = lo + np.minimum((u[:, j] * m).astype(int), m - 1)
        col = np.where((label == "random") | ((label == "mild_random") & some[:, j]), rand, col)
        line = np.where(variant == 0, np.clip(line_code, lo, hi), _place(line_place, lo, hi))
        col = np.where(label == "straightliner", line, col)
        seesaw = np.where((j + first) % 2, hi, lo)
        motif_c = np.clip([MOTIF_CODES[i][j % len(MOTIF_CODES[i])] for i in m_code], lo, hi)
        motif_p = _place([MOTIF_PLACES[i][j % len(MOTIF_PLACES[i])] for i in m_place], lo, hi)
        col = np.where(label == "pattern", np.choose(variant, [seesaw, motif_c, motif_p]), col)
        tail = j >= start
        col = np.where((label == "partial") & tail, rand, col)
        col = np.where((label == "partial_straight") & tail, _place(line_place, lo, hi), col)
        t = j - start
        zigzag = np.clip(np.array([1, 2, 3, 4, 5, 4, 3, 2])[t % 8], lo, hi)
        seesaw_t = np.where((t + first) % 2, hi, lo)
        col = np.where((label == "partial_pattern") & tail, np.where(first == 0, zigzag, seesaw_t), col)
        x[:, j] = col
    att = (np.array([float(v) for v in inst.attention_checks.values()]) if inst.attention_checks else None)
    dur = np.exp(rng.normal(np.log(15.0 * k), 0.35, n))
    fast = label == "fast_careful"
    dur[fast] = np.exp(rng.normal(np.log(2.8 * k), 0.15, fast.sum()))
    ids = np.array([f"M_{seed}_{i:06d}" for i in range(n)], dtype=object)
    frame = answers_frame(ids, np.array(ROLES)[rng.integers(0, len(ROLES), n)], x, inst,
                          None if att is None else np.full(n, att[0]), dur, rng, start="2024-05-01 09:00")
    t = np.flatnonzero(label != "honest")
    truth = pd.DataFrame({"response_id": ids[t], "kind": label[t], "primary": True, "position": t})
    return frame, truth
