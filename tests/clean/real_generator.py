"""An evaluation generator whose honest respondents are REAL people: rows of psych's ``bfi``.

The honest pool is the complete cases of psych's ``bfi`` (2,800 people, 25 Big-Five items
on a 1-6 scale; ``tests/fixtures/real/bfi.csv``, written by R's ``write.csv``, see
``tests/fixtures/real/SOURCES.md``): their answers keep their own response styles, item
distributions and correlations, none of which any simulator of ours drew.  ``generate(n,
seed)`` draws ``careless_rate * n`` careless cases and ``n`` honest respondents, each pool person at most
once (without replacement): the partly careless cases' donors first, the honest respondents from the
rest; ``n`` above the rest of the pool (2,411 less about ``0.035 n`` donors: N 3,000 gives about 2,300
honest rows) takes all of them, so the export has fewer honest rows than ``n``.  No honest person is in the
export twice, and no partly careless case repeats an honest respondent's first half: either would be a
near copy of an honest row by construction, which no real export has (and which ``near_duplicate``
rightly flags).  The careless cases are:

* ``random``: each answer drawn uniformly, or from that item's own distribution in the pool
  (marginal-matched: same means and spreads as real people, no correlations);
* ``pattern``: a seesaw (1-2-...-6-5-...-2) or a repeated motif of 2-8 codes;
* ``straightliner``: one code with 0-2 answers one step off;
* ``partial``: a real respondent's own answers up to a random point in the second half of
  the questionnaire, random answers after it.

Everyone answers at an ordinary speed (``bfi`` has no durations; speeders are not a kind
here).  The truth names each careless case and, for honest respondents, an *observed*
style: ``extreme`` (the pool's top decile of answers at the scale's ends), ``midpoint``
(top decile of answers at the two middle codes) and ``acquiescent`` (top decile of the mean
raw agreement over the items of both keyings), in that priority; the rest are ``honest``.
The pool leaves out the 4 complete cases that give one answer to all 25 items (both keyings:
straight lines, Johnson 2005) and 21 repeat submissions (a row within 30 ids of an earlier one with the same
gender and age and 20 or more of the 25 answers identical: one person taking the web questionnaire again;
the first is kept); its other careless respondents, if any, count as honest, so
the honest exclusion rate is an upper bound.

Used by ``python -m iur_survey.clean.evaluate --generator real`` (imported by path) and
``tests/clean/test_real_generator.py``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from iur_survey.instrument import load_instrument, parse_instrument
from iur_survey.simulate.respondents import answers_frame

REAL = Path(__file__).resolve().parent.parent / "fixtures" / "real"
INSTRUMENT = REAL / "instruments" / "bfi.yaml"
CARELESS = ("random", "pattern", "straightliner", "partial")


def instrument():
    """The instrument of the pool: ``bfi.yaml`` with a role question (the export writers head the group column with it)."""
    inst = load_instrument(INSTRUMENT)
    return parse_instrument({**inst.raw, "role_question": {"en": "Gender", "zh": "性别"}}, inst.path)


def pool(inst=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The complete cases of ``bfi`` but straight lines: items (raw codes, instrument order), gender code, style."""
    inst = inst or instrument()
    items = list(inst.item_codes)
    df = pd.read_csv(REAL / "bfi.csv", index_col=0)
    df = df.dropna(subset=items)
    x = df[items].to_numpy(dtype=float)
    # the same answer to all 25 items, across both keyings, is no one's opinion (4 rows: all 1s or all 5s)
    line = (x == x[:, :1]).all(axis=1)
    df, x = df[~line], x[~line]
    # one person taking the questionnaire again (SAPA is a public web site): a row within 30 ids of an earlier one
    # with the same gender and age and at least 20 of the 25 answers identical is that person's repeat, no new
    # person (21 rows; with them, they were the only rows near_duplicate flagged among the pool's people, 19 of
    # 19-22 at three orders of the pool): the first is kept
    again = _repeats(df, x)
    df, x = df[~again], x[~again]
    lo, hi = inst.scale_min, inst.scale_max
    ends = np.mean((x == lo) | (x == hi), axis=1)
    mid = (lo + hi) / 2
    middle = np.mean(np.abs(x - mid) < 1, axis=1)
    agree = x.mean(axis=1)
    style = np.full(len(x), "", dtype=object)
    for name, v in (("acquiescent", agree), ("midpoint", middle), ("extreme", ends)):  # later wins
        style[v >= np.quantile(v, 0.9)] = name
    return x, df["gender"].to_numpy(), style


def _repeats(df: pd.DataFrame, x: np.ndarray, lag: int = 30, min_same: int = 20) -> np.ndarray:
    """Rows that repeat an earlier row's person: ids at most ``lag`` apart (in id order), same gender and age, at
    least ``min_same`` identical answers."""
    order = np.argsort(df.index.to_numpy(), kind="stable")
    ids, xs = df.index.to_numpy()[order], x[order]
    who = df[["gender", "age"]].to_numpy(dtype=float)[order]
    rep = np.zeros(len(x), dtype=bool)
    for d in range(1, lag + 1):
        near = (ids[d:] - ids[:-d] <= lag) & (who[d:] == who[:-d]).all(axis=1)
        rep[d:] |= near & ((xs[d:] == xs[:-d]).sum(axis=1) >= min_same)
    out = np.zeros(len(x), dtype=bool)
    out[order] = rep
    return out


def generate(n: int, seed: int, *, careless_rate: float = 0.10, instrument=None):
    inst = instrument or globals()["instrument"]()
    items = list(inst.item_codes)
    k = len(items)
    lo, hi = int(inst.scale_min), int(inst.scale_max)
    codes = np.arange(lo, hi + 1)
    x_pool, gender_pool, style_pool = pool(inst)
    rng = np.random.default_rng([seed, 20121101])
    m = len(x_pool)
    n_care = int(round(careless_rate * n))
    which = rng.choice(len(CARELESS), size=n_care, p=[0.35, 0.15, 0.15, 0.35])
    # every pool person appears at most once: the partly careless cases' donors first, the honest sample from
    # the others (a person twice, or a donor also answering honestly, is a near copy of an honest row by
    # construction, which no real export has); n above the rest of the pool: all of them, fewer rows than n
    perm = rng.permutation(m)
    n_part = int(np.sum(which == CARELESS.index("partial")))
    donors, pick = perm[:n_part], perm[n_part:n_part + n]
    x = x_pool[pick].copy()
    gender = gender_pool[pick].copy()
    label = style_pool[pick].copy()
    shares = np.stack([(x_pool == c).mean(axis=0) for c in codes], axis=1)   # item x code
    cx = np.empty((n_care, k))
    ckind = np.empty(n_care, dtype=object)
    for j, c in enumerate(which):
        kind = CARELESS[c]
        ckind[j] = kind
        row = x_pool[donors[n_part - 1]].copy() if kind == "partial" else np.empty(k)
        if kind == "partial":
            n_part -= 1
        if kind == "random":
            if rng.random() < 0.5:
                row = rng.integers(lo, hi + 1, size=k).astype(float)
            else:
                row = np.array([rng.choice(codes, p=shares[i]) for i in range(k)], dtype=float)
        elif kind == "pattern":
            if rng.random() < 0.5:
                motif = np.concatenate([codes, codes[-2:0:-1]]).astype(float)
            else:
                motif = rng.integers(lo, hi + 1, size=int(rng.integers(2, 9))).astype(float)
                if np.all(motif == motif[0]):
                    motif[-1] = lo + (motif[0] - lo + 2) % len(codes)
            row = np.resize(np.roll(motif, -int(rng.integers(0, len(motif)))), k)
        elif kind == "straightliner":
            row = np.full(k, float(rng.integers(lo, hi + 1)))
            off = rng.choice(k, size=int(rng.integers(0, 3)), replace=False)
            row[off] = np.clip(row[off] + rng.choice([-1, 1], size=len(off)), lo, hi)
        elif kind == "partial":  # careless from a random point in the second half
            start = int(rng.integers(k // 2, k - 3))
            row[start:] = rng.integers(lo, hi + 1, size=k - start)
        cx[j] = row
    total = len(pick) + n_care
    x = np.vstack([x, cx])
    gender = np.concatenate([gender, gender_pool[rng.integers(0, m, size=n_care)]])
    label = np.concatenate([label, ckind])
    order = rng.permutation(total)
    ids = np.array([f"B_{seed}_{i:06d}" for i in range(total)], dtype=object)
    keys = {"1": "male", "2": "female"}
    groups = [keys[str(int(g))] for g in gender[order]]
    durations = 300.0 * np.exp(rng.normal(0, 0.3, size=total))
    ips = [f"198.51.{i // 250 % 250}.{i % 250}" if i < 62500 else f"203.0.{i // 250 % 250}.{i % 250}"
           for i in range(total)]
    frame = answers_frame(ids[order], groups, x[order], inst, None, durations, rng, ips=ips)
    pos = np.empty(total, dtype=np.int64)
    pos[order] = np.arange(total)
    t = np.flatnonzero(label != "")
    truth = pd.DataFrame({"response_id": ids[t], "kind": label[t], "primary": True, "position": pos[t]})
    truth = truth.sort_values("position", kind="stable").reset_index(drop=True)
    return frame, truth
