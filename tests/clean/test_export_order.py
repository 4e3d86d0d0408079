"""The run, pattern, tail and half indices read the items in the order the export asked them (outside audit s24
carelessaudit A1): with the construct blocks shown in another order than the codebook's, a zig-zag, diagonal
or repeated sequence clicked down the screen was read in codebook order, no pattern, and kept (6 of 6 per
kind).  An export in codebook order is judged exactly as before."""

from __future__ import annotations

import csv
import dataclasses

import numpy as np
import pandas as pd
import pytest

from iur_survey.clean import clean
from iur_survey.instrument import load_instrument
from iur_survey.read import read_export

INST = load_instrument()
ITEMS = list(INST.item_codes)
BLOCKS = [ITEMS[i:i + 4] for i in range(0, len(ITEMS), 4)]
INTERLEAVED = [c for b in (0, 2, 4, 6, 1, 3, 5) for c in BLOCKS[b]]
PATTERNS = [[1, 2, 3, 4, 5, 4, 3, 2], [1, 2, 3, 4, 5], [3, 4, 5], [2, 4]]   # zig-zag, diagonal, repeats


def honest_answers(rng: np.random.Generator, n: int) -> np.ndarray:
    """Seven correlated factors, loadings .75, agreement-skewed thresholds; reverse-keyed items answered reversed."""
    k = len(INST.constructs)
    eta = rng.multivariate_normal(np.zeros(k), np.full((k, k), 0.35) + np.eye(k) * 0.65, size=n,
                                  method="cholesky")   # the SVD basis of a repeated eigenvalue is CPU-dependent
    cidx = np.array([list(INST.constructs).index(INST.items[c].construct) for c in ITEMS])
    ystar = 0.75 * eta[:, cidx] + np.sqrt(1 - 0.75 ** 2) * rng.normal(size=(n, len(ITEMS)))
    codes = 1 + (ystar[:, :, None] > np.array([-1.75, -1.08, -0.31, 0.71])).sum(axis=2)
    rev = [i for i, c in enumerate(ITEMS) if c in INST.reverse_items]
    codes[:, rev] = 6 - codes[:, rev]
    return codes


def _export(tmp_path, order, seed, n=400, n_pattern=12):
    """Plain CSV, items in ``order``; ``n`` honest rows (h...) and ``n_pattern`` sequences down the screen (p...)."""
    rng = np.random.default_rng(seed)
    x = honest_answers(rng, n)
    rows = [[f"h{i}", ("Enterprise", "University")[i % 2], 4, *[int(v) for v in pd.Series(x[i], index=ITEMS)[order]]] for i in range(n)]
    for j in range(n_pattern):
        seq = PATTERNS[j % len(PATTERNS)]
        rows.append([f"p{j}", ("Enterprise", "University")[j % 2], 4, *[seq[(k + j) % len(seq)] for k in range(len(order))]])
    p = tmp_path / f"export_{seed}.csv"
    with open(p, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["ResponseId", "role", "ATT1", *order])
        w.writerows(rows)
    return p


@pytest.mark.parametrize("seed", [3, 4])
def test_patterns_down_the_screen_are_read_in_the_exports_order(tmp_path, seed):
    raw = read_export(_export(tmp_path, INTERLEAVED, seed), INST)
    assert raw.item_order == INTERLEAVED
    res = clean(raw, INST)
    kept = set(res.clean["response_id"])
    assert not {r for r in kept if r.startswith("p")}             # before the fix: 7-8 of the 12 kept
    ex = res.exclusions
    lp = set(ex.loc[ex["rule"] == "longpattern", "response_id"])
    assert {f"p{j}" for j in range(12)} <= lp
    assert ex.loc[ex["rule"] == "longpattern", "detail"].str.startswith("periodic string of 28 answers").sum() >= 12
    honest_out = 400 - sum(r.startswith("h") for r in kept)
    assert honest_out <= 12                                          # 3 %: about 1 % measured


def test_export_in_codebook_order_is_judged_as_before(tmp_path):
    raw = read_export(_export(tmp_path, ITEMS, 5, n=300, n_pattern=4), INST)
    assert raw.item_order == ITEMS
    with_order = clean(raw, INST)
    without = clean(dataclasses.replace(raw, item_order=[]), INST)
    pd.testing.assert_frame_equal(with_order.exclusions, without.exclusions)
    pd.testing.assert_frame_equal(with_order.clean, without.clean)


def _export_with_check(tmp_path, seed, n=400, n_pattern=12, at=16):
    """Plain CSV, the attention check ATT1 (answer 4) shown after item ``at``; zig-zags clicked down the whole screen,
    the check included (each in the phase that answers it right, so that it passes the check)."""
    rng = np.random.default_rng(seed)
    x = honest_answers(rng, n)
    screen = [*ITEMS[:at], "ATT1", *ITEMS[at:]]
    zig = PATTERNS[0]
    rows = [[f"h{i}", ("Enterprise", "University")[i % 2], *x[i, :at].tolist(), 4, *x[i, at:].tolist()] for i in range(n)]
    for j in range(n_pattern):
        start = 8 + j % 4                               # careful answers first, the zig-zag from item 9-12 on
        phase = next(p for p in range(8) if zig[(at - start + p) % 8] == 4)
        seq = [*x[j, :start].tolist(), *[zig[(k - start + phase) % 8] for k in range(start, len(screen))]]
        rows.append([f"p{j}", ("Enterprise", "University")[j % 2], *seq])
    p = tmp_path / f"check_{seed}.csv"
    with open(p, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["ResponseId", "role", *screen])
        w.writerows(rows)
    return p


@pytest.mark.parametrize("seed", [6, 7])
def test_a_pattern_runs_through_the_attention_check(tmp_path, seed):
    """Outside audit s24 carelessaudit: a zig-zag clicked through the check (answered right by its phase) was read
    without it, two stretches out of step, and 1 in 6 kept; it is read with the check in its place."""
    raw = read_export(_export_with_check(tmp_path, seed), INST)
    assert raw.screen_order[16] == "ATT1" and raw.item_order == ITEMS
    res = clean(raw, INST)
    lp = res.exclusions[res.exclusions["rule"] == "longpattern"].set_index("response_id")["detail"]
    patterned = {f"p{j}" for j in range(12)}
    assert patterned <= set(lp.index)
    assert lp[sorted(patterned)].str.contains("through the attention check ATT1").all()
    assert not patterned & set(res.clean["response_id"])
    honest_out = 400 - res.clean["response_id"].str.startswith("h").sum()
    assert honest_out <= 12
    # the reading before: 7 and 6 of the 12 flagged, 12 and 11 kept (seeds 6, 7)
    items_only = clean(dataclasses.replace(raw, screen_order=[]), INST).exclusions
    assert len(patterned & set(items_only.loc[items_only["rule"] == "longpattern", "response_id"])) < 12
