"""A third, foreign generator of survey responses: a rounded factor model with roles and strong styles.

Neither the package's simulator (:mod:`iur_survey.simulate`) nor the graded response model of
``grm_generator.py``: honest answers are a common-factor model per role (construct means and
correlations per role, loadings drawn per item), continuous latent responses cut at item
thresholds made from drawn category shares.  Response styles act on the *raw answers*
(questionnaire direction), at strengths well beyond the other generators': acquiescence of
+1.5 categories, extreme responders with 50-70 % of their answers pushed to the end on
their side, midpoint responders with 50-70 % in the middle, acquiescent-and-extreme
respondents, fast careful readers (20-45 % of the median time).  Careless cases: uniform
random, random with the sample's own marginals (``random_marginal``), straight-lining,
zig-zag patterns, partial carelessness (a random last third to half), partial straight-lining
(``partial_straight``: a careful start, then one answer to the last third to half) and speeders
(fast, random).  It was written for a robustness sweep of the default cleaning (issue 12) and is
used by ``python -m iur_survey.clean.evaluate --generator foreign`` (the default scenario,
:data:`DEFAULT`: roles with different means, one small role with a correlation structure
of its own, strong styles) and by the scenarios of :data:`SCENARIOS`.

``generate(n, seed) -> (frame, truth)``: the standard frame of :mod:`iur_survey.read.base`
plus the personal columns the export writers expect; ``truth`` has ``position``,
``response_id``, ``kind`` (a careless kind, or an honest respondent's style) and ``primary``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special

from iur_survey.instrument import Instrument, load_instrument
from iur_survey.simulate.respondents import answers_frame

ROLES = ("enterprise", "university", "research_institute", "government")
#: the sweep's style names -> the evaluation's labels
STYLE_LABELS = {"acq": "acquiescent", "acqmild": "acquiescent", "ext": "extreme", "mid": "midpoint",
                "acq+ext": "acquiescent+extreme", "fast": "fast_careful"}
STYLES_STRONG = {"acq": 0.08, "ext": 0.08, "mid": 0.08, "acq+ext": 0.08, "fast": 0.05}
STYLES_MILD = {"acqmild": 0.05, "ext": 0.05, "mid": 0.05, "fast": 0.05}


@dataclass
class Spec:
    """One scenario: what differs from an ordinary sample."""
    role_shares: tuple = (0.4, 0.3, 0.2, 0.1)
    role_mean_sd: float = 0.0           # size of role mean differences (SD units) on a third of the constructs
    small_role_structure: bool = False  # the last role (10 %) has a correlation structure of its own
    base_r: float = 0.4                 # construct correlation
    loading: tuple = (0.6, 0.85)
    skew: str = "agree"                 # "agree" (usual), "ceiling" (most answers 4-5 of 5), "none"
    near_constant: int = 0              # items with ~97 % one answer
    styles: dict = field(default_factory=dict)   # style -> share of honest respondents
    careless_rate: float = 0.06
    missing_rate: float = 0.0           # share of cells missing among honest respondents
    missing_last: bool = False          # missingness concentrated on the last items
    fast_share: float = 0.0
    ext_p: tuple = (0.5, 0.7)           # share of an extreme responder's answers pushed to the end
    mid_p: tuple = (0.5, 0.7)           # share of a midpoint responder's answers pushed to the middle


#: the default scenario of ``generate``: roles whose means differ, a small role with its own structure, strong styles
DEFAULT = Spec(role_mean_sd=0.75, small_role_structure=True, styles=STYLES_STRONG)
#: the robustness sweep's scenarios on the study's instrument (the sweep also ran 7- and 4-point scales, a 3 x 3 short
#: form and 60 items: ``generate_spec`` takes any instrument)
SCENARIOS = {
    "base": Spec(styles=STYLES_MILD),
    "roles_mean": Spec(role_mean_sd=1.0, styles=STYLES_MILD),
    "roles_struct": Spec(role_mean_sd=0.75, small_role_structure=True, styles=STYLES_MILD),
    "ceiling": Spec(skew="ceiling", styles=STYLES_MILD),
    "nearconst": Spec(near_constant=3, styles=STYLES_MILD),
    "strong": Spec(styles=STYLES_STRONG),
    "strong_roles": DEFAULT,
    "miss_mcar": Spec(missing_rate=0.075, styles=STYLES_MILD),
    "miss_last": Spec(missing_rate=0.075, missing_last=True, styles=STYLES_MILD),
}


def generate(n: int, seed: int, instrument: Instrument | None = None, spec: Spec = DEFAULT
             ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``n`` honest respondents (and 6 % careless ones on top) of the scenario ``spec``: ``(frame, truth)``."""
    frame, truth, _ = generate_spec(spec, n, seed, instrument)
    return frame, truth


def _thresholds(rng, k, m, skew):
    """Per item thresholds (k x m-1) on the latent normal scale from drawn category shares."""
    if skew == "ceiling":
        base = np.r_[np.full(m - 2, 0.03), 0.25, 0.6]
        base = base / base.sum()
        base = base[-m:] if len(base) > m else base
    elif skew == "agree":
        base = np.exp(-0.5 * ((np.arange(m) - 0.65 * (m - 1)) / (0.35 * m)) ** 2)
        base = base / base.sum()
    else:
        base = np.full(m, 1.0 / m)
    out = np.empty((k, m - 1))
    for j in range(k):
        p = rng.dirichlet(base * 40 + 0.5)
        out[j] = special.ndtri(np.clip(np.cumsum(p)[:-1], 1e-4, 1 - 1e-4))
    return np.sort(out, axis=1)


def generate_spec(spec: Spec, n: int, seed: int, inst: Instrument | None = None
                  ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``(frame, truth, detail)`` of one scenario: ``detail`` has each row's raw ``kind`` ('' honest), ``style``
    (the sweep's short names; ``none``) and ``role``, in frame order."""
    rng = np.random.default_rng([seed, 424242])
    inst = inst or load_instrument()
    items = list(inst.item_codes)
    k = len(items)
    lo, hi = inst.scale_min, inst.scale_max
    m = hi - lo + 1
    cons = list(inst.constructs)
    q = len(cons)
    cidx = np.array([cons.index(inst.items[c].construct) for c in items])
    rev = np.array([c in inst.reverse_items for c in items])
    lam = rng.uniform(*spec.loading, size=k)
    tau = _thresholds(rng, k, m, spec.skew)
    for j in rng.choice(k, size=spec.near_constant, replace=False):
        p = np.r_[np.full(m - 1, 0.03 / (m - 1)), 0.97]          # 97 % give the top (scored) answer
        tau[j] = special.ndtri(np.cumsum(p)[:-1])
    # roles
    shares = np.array(spec.role_shares) / np.sum(spec.role_shares)
    n_care = int(round(spec.careless_rate * n))
    total = n + n_care
    role = rng.choice(len(ROLES), size=total, p=shares)
    mu = np.zeros((len(ROLES), q))
    if spec.role_mean_sd:
        for g in range(1, len(ROLES)):
            which = rng.choice(q, size=max(1, q // 3), replace=False)
            mu[g, which] = rng.choice([-1, 1], size=len(which)) * rng.uniform(0.5, 1.0, size=len(which)) * \
                spec.role_mean_sd
    base = np.full((q, q), spec.base_r) + rng.uniform(-0.1, 0.1, size=(q, q))
    base = (base + base.T) / 2
    np.fill_diagonal(base, 1)
    phis = [base] * len(ROLES)
    lams = [lam] * len(ROLES)
    if spec.small_role_structure:
        alt = base.copy()
        half = q // 2
        alt[:half, half:] *= -1
        alt[half:, :half] *= -1                   # two blocks of constructs opposed in this role
        w, v = np.linalg.eigh(alt)
        alt = (v * np.clip(w, 0.05, None)) @ v.T
        d = np.sqrt(np.diag(alt))
        alt = alt / d[:, None] / d[None, :]
        phis = phis[:-1] + [alt]
        lam2 = lam.copy()
        lam2[::3] = 0.25                          # every third item hardly measures its construct here
        lams = lams[:-1] + [lam2]
    eta = np.empty((total, q))
    y = np.empty((total, k))
    for g in range(len(ROLES)):
        sel = role == g
        eta[sel] = rng.multivariate_normal(mu[g], phis[g], size=sel.sum())
        L = lams[g]
        y[sel] = eta[sel][:, cidx] * L + rng.normal(size=(sel.sum(), k)) * np.sqrt(1 - L ** 2)
    score = (y[:, :, None] > tau[None]).sum(axis=2)       # 0..m-1 scored direction
    raw = np.where(rev, m - 1 - score, score).astype(float)  # 0-based raw direction
    # continuous raw-direction latent position for sides
    yraw = np.where(rev, -y, y)
    mid_lo, mid_hi = (m - 1) // 2, m // 2                   # middle category(ies), 0-based
    style = np.full(total, "", dtype=object)
    honest = np.arange(n)
    pick = rng.permutation(honest)
    start = 0
    for st, share in spec.styles.items():
        cnt = int(round(share * n))
        who = pick[start:start + cnt]
        start += cnt
        style[who] = st
        parts = st.split("+")
        for part in parts:
            if part == "acq":            # +1.5 categories on average (1 or 2 per answer), raw direction
                s = rng.uniform(1.0, 2.0, size=len(who))[:, None]
                step = np.floor(s) + (rng.random((len(who), k)) < (s - np.floor(s)))
                raw[who] = np.minimum(raw[who] + step, m - 1)
            elif part == "acqmild":
                s = rng.uniform(0.3, 1.0, size=len(who))[:, None]
                step = np.floor(s) + (rng.random((len(who), k)) < (s - np.floor(s)))
                raw[who] = np.minimum(raw[who] + step, m - 1)
            elif part == "ext":          # about 70 % of answers at an end, on the answer's side
                p = rng.uniform(*spec.ext_p, size=len(who))[:, None]
                r = raw[who]
                side = np.where(r > mid_hi, 1, np.where(r < mid_lo, -1, np.where(yraw[who] > 0, 1, -1)))
                go = rng.random(r.shape) < p
                raw[who] = np.where(go, np.where(side > 0, m - 1, 0), r)
            elif part == "mid":          # about 70 % of answers in the middle (its side on an even scale)
                p = rng.uniform(*spec.mid_p, size=len(who))[:, None]
                r = raw[who]
                target = mid_lo if mid_lo == mid_hi else np.where(r >= mid_hi, mid_hi, mid_lo)
                go = rng.random(r.shape) < p
                raw[who] = np.where(go, target, r)
            elif part == "fast":
                pass
    # careless
    kinds = np.full(total, "", dtype=object)
    med = 15.0 * (k + len(inst.attention_checks))   # 15 s per question
    dur = med * np.exp(rng.normal(0, 0.35, size=total))
    fast = np.array(["fast" in str(s).split("+") for s in style])
    dur[fast] = med * rng.uniform(0.2, 0.45, size=fast.sum())
    if spec.fast_share:
        extra = rng.choice(np.flatnonzero(style == ""), size=int(spec.fast_share * n), replace=False)
        style[extra] = "fast"
        dur[extra] = med * rng.uniform(0.2, 0.45, size=len(extra))
    care = ["random", "random_marginal", "straightliner", "pattern", "partial", "partial_straight", "speeder"]
    for i in range(n, total):
        kind = care[rng.choice(len(care), p=[0.20, 0.15, 0.125, 0.125, 0.15, 0.10, 0.15])]
        kinds[i] = kind
        if kind == "random":
            raw[i] = rng.integers(0, m, size=k)
        elif kind == "random_marginal":
            pool = raw[:n]
            raw[i] = pool[rng.integers(0, n, size=k), np.arange(k)]
        elif kind == "straightliner":
            raw[i] = float(rng.integers(0, m))
        elif kind == "pattern":
            motif = np.r_[np.arange(m), np.arange(m - 2, 0, -1)].astype(float)
            raw[i] = np.resize(np.roll(motif, -int(rng.integers(0, len(motif)))), k)
        elif kind == "partial":
            s0 = int(rng.integers(k // 2, 2 * k // 3 + 1))
            raw[i, s0:] = rng.integers(0, m, size=k - s0)
        elif kind == "partial_straight":
            s0 = int(rng.integers(k // 2, 2 * k // 3 + 1))
            raw[i, s0:] = float(rng.integers(0, m))
        elif kind == "speeder":
            dur[i] = med * rng.uniform(0.05, 0.2)
            raw[i] = rng.integers(0, m, size=k)
    # missing cells (honest respondents only)
    x = raw + lo
    if spec.missing_rate:
        if spec.missing_last:
            w = np.linspace(0.2, 1.8, k) ** 2
            w = w / w.mean()
        else:
            w = np.ones(k)
        miss = rng.random((n, k)) < np.clip(spec.missing_rate * w, 0, 0.9)
        x[:n][miss] = np.nan
    att = np.full(total, float(next(iter(inst.attention_checks.values())))) if inst.attention_checks else None
    if att is not None:
        for i in range(n, total):
            if kinds[i] in ("random", "random_marginal", "speeder") and rng.random() < 0.5:
                att[i] = float(rng.integers(lo, hi + 1))
    order = rng.permutation(total)
    ids = np.array([f"F_{seed}_{i:06d}" for i in range(total)], dtype=object)
    frame = answers_frame(ids[order], np.array(ROLES)[role[order]], x[order], inst,
                          None if att is None else att[order], dur[order], rng, start="2024-03-01 09:00")
    detail = pd.DataFrame({"kind": kinds[order], "style": style[order], "role": np.array(ROLES)[role[order]]})
    detail["style"] = detail["style"].where(detail["style"] != "", "none")
    label = np.where(detail["kind"] != "", detail["kind"], detail["style"].map(STYLE_LABELS).fillna(""))
    t = np.flatnonzero(label != "")
    truth = pd.DataFrame({"response_id": frame["response_id"].to_numpy()[t], "kind": label[t], "primary": True,
                          "position": t})
    return frame, truth, detail
