"""Fixtures for the cleaning tests: standard frames built here, independent of the simulator.

``make_frame(n, seed, **counts)`` draws ``n`` honest respondents from a 7-factor model
(loadings .75, factor correlations .35, agreement-skewed thresholds; reverse-keyed items
written reversed, as a respondent reading the reversed wording would answer) and adds
injected cases; it returns ``(frame, truth)`` where ``truth`` has one row per injected
response (``response_id``, ``kind``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from iur_survey.instrument import load_instrument

INST = load_instrument()
ITEMS = list(INST.item_codes)
THRESHOLDS = np.array([-1.75, -1.08, -0.31, 0.71])


def keyed_answers(rng: np.random.Generator, n: int) -> np.ndarray:
    """Honest answers to the 28 items: one trait per construct (loading .8, noise SD .6, cut at -1.6, -0.8, 0.1,
    1.0), reverse-keyed items turned back to the questionnaire's direction."""
    lab = np.repeat(np.arange(len(INST.constructs)), 4)
    y = rng.normal(size=(n, len(INST.constructs)))[:, lab] * 0.8 + rng.normal(scale=.6, size=(n, len(ITEMS)))
    x = 1.0 + (y[:, :, None] > np.array([-1.6, -0.8, 0.1, 1.0])).sum(axis=2)
    return np.where(np.isin(ITEMS, list(INST.reverse_items)), 6.0 - x, x)


def honest_answers(rng: np.random.Generator, n: int) -> np.ndarray:
    k = len(INST.constructs)
    corr = np.full((k, k), 0.35) + np.eye(k) * 0.65
    # Cholesky, not numpy's default SVD: ``corr`` has a repeated eigenvalue, so its SVD basis (and with it every
    # draw of the same seed) depends on the CPU's LAPACK kernels; the Cholesky factor is unique.
    eta = rng.multivariate_normal(np.zeros(k), corr, size=n, method="cholesky")
    cons = [INST.items[c].construct for c in ITEMS]
    cidx = np.array([list(INST.constructs).index(c) for c in cons])
    ystar = 0.75 * eta[:, cidx] + np.sqrt(1 - 0.75 ** 2) * rng.normal(size=(n, len(ITEMS)))
    codes = 1.0 + (ystar[:, :, None] > THRESHOLDS).sum(axis=2)
    rev = [i for i, c in enumerate(ITEMS) if c in INST.reverse_items]
    codes[:, rev] = 6 - codes[:, rev]
    return codes


def build_frame(n: int = 400, seed: int = 0, *, preview: int = 0, test: int = 0, spam: int = 0,
                unfinished: int = 0, duplicate_id: int = 0, duplicate_ip: int = 0, speeder: int = 0,
                straightliner: int = 0, random: int = 0, attention: int = 0, out_of_range: int = 0,
                item_nonresponse: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    m = n + preview + test + spam + unfinished + speeder + straightliner + random + attention + out_of_range
    ans = honest_answers(rng, m)
    df = pd.DataFrame(ans, columns=ITEMS)
    df.insert(0, "response_id", [f"R_{seed}_{i:06d}" for i in range(m)])
    df.insert(1, "role", rng.choice(["enterprise", "university", "research_institute", "government"], size=m))
    df["ATT1"] = 4.0
    df["_status"] = "IP Address"
    df["_finished"] = pd.array([True] * m, dtype="boolean")
    df["_progress"] = 100.0
    df["_duration"] = np.exp(rng.normal(np.log(600), 0.35, size=m))
    df["_submitted"] = pd.Timestamp("2024-03-01") + pd.to_timedelta(np.sort(rng.uniform(0, 30 * 86400, m)), unit="s")
    df["_ip"] = [f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}" for i in range(m)]
    truth = []
    at = n

    def take(k, kind):
        nonlocal at
        idx = np.arange(at, at + k)
        at += k
        truth.extend((df.at[i, "response_id"], kind) for i in idx)
        return idx

    for kind, k in (("preview", preview), ("test", test), ("spam", spam)):
        idx = take(k, kind)
        df.loc[idx, "_status"] = {"preview": "Survey Preview", "test": "Survey Test", "spam": "Spam"}[kind]
    idx = take(unfinished, "unfinished")
    for i in idx:
        stop = int(rng.integers(0, len(ITEMS) - 1))
        df.loc[i, ITEMS[stop:] + ["ATT1"]] = np.nan
        df.loc[i, "_progress"] = round(100 * stop / (len(ITEMS) + 1))
        df.loc[i, "_finished"] = False
    idx = take(speeder, "speeder")
    df.loc[idx, "_duration"] = 600 * rng.uniform(0.05, 0.25, size=len(idx))
    idx = take(straightliner, "straightliner")
    df.loc[idx, ITEMS] = np.repeat(rng.integers(1, 6, size=(len(idx), 1)), len(ITEMS), axis=1).astype(float)
    idx = take(random, "random")
    df.loc[idx, ITEMS] = rng.integers(1, 6, size=(len(idx), len(ITEMS))).astype(float)
    idx = take(attention, "attention")
    df.loc[idx, "ATT1"] = rng.choice([1.0, 2.0, 3.0, 5.0], size=len(idx))
    idx = take(out_of_range, "out_of_range")
    for i in idx:
        df.loc[i, ITEMS[int(rng.integers(len(ITEMS)))]] = float(rng.choice([0, 6, 9]))
    extra = []
    src = rng.choice(n, size=duplicate_id + duplicate_ip, replace=False)
    for j, i in enumerate(src):
        row = df.loc[i].copy()
        row["_submitted"] = row["_submitted"] + pd.Timedelta(hours=1)
        if j < duplicate_id:
            truth.append((row["response_id"], "duplicate_id"))
        else:
            row["response_id"] = f"R_{seed}_dupip_{j:04d}"
            truth.append((row["response_id"], "duplicate_ip"))
        extra.append(row)
    if extra:
        df = pd.concat([df, pd.DataFrame(extra)], ignore_index=True)
    for i in rng.choice(n, size=item_nonresponse, replace=False):
        df.loc[i, list(rng.choice(ITEMS, size=int(rng.integers(1, 6)), replace=False))] = np.nan
    df["_finished"] = df["_finished"].astype("boolean")
    df["_row"] = np.arange(2, len(df) + 2)
    return df, pd.DataFrame(truth, columns=["response_id", "kind"])


@pytest.fixture
def inst():
    return INST


@pytest.fixture
def make_frame():
    return build_frame
