"""Straight-lining within each grid (:func:`iur_survey.clean.rules.page_line`) and its formulas."""
from __future__ import annotations

import numpy as np
import pandas as pd

from iur_survey.clean import indices as I
from iur_survey.clean import rules
from iur_survey.clean.config import CleanConfig
from iur_survey.clean.decision import EVIDENCE_GROUPS, decide
from iur_survey.instrument import load_instrument

INST = load_instrument()
ITEMS = list(INST.item_codes)                     # 7 constructs x 4 items, 1-5
REVERSE = np.array([c in INST.reverse_items for c in ITEMS])


def _styled(seed: int, n: int = 1500) -> tuple[np.ndarray, np.ndarray]:
    """Honest answers with strong traits and response styles (a fifth midpoint, a fifth extreme, a fifth
    acquiescent), reverse-keyed items answered in their direction; and the style of each row."""
    rng = np.random.default_rng(seed)
    trait = rng.normal(size=(n, 7)) @ np.linalg.cholesky(0.4 + 0.6 * np.eye(7)).T
    z = np.repeat(trait, 4, axis=1) * 1.1 + rng.normal(0, 0.7, (n, 28))
    z[:, REVERSE] *= -1
    style = rng.choice(["none", "midpoint", "extreme", "acquiescent"], size=n, p=[.4, .2, .2, .2])
    mid, ext, acq = style == "midpoint", style == "extreme", style == "acquiescent"
    z[mid] *= rng.uniform(0.15, 0.4, (mid.sum(), 1))                     # pulled to the middle
    z[ext] *= rng.uniform(2, 4, (ext.sum(), 1))                          # pushed to the ends
    z[acq] += rng.uniform(0.5, 1.2, (acq.sum(), 1))                      # agreeing regardless of keying
    return np.clip(np.round(3 + z), 1, 5), style


def _grid_lines(rng: np.random.Generator, k: int, slips: int = 0) -> np.ndarray:
    """``k`` rows answering each page with one answer of its own; ``slips`` answers off by one."""
    x = np.repeat(rng.integers(1, 6, (k, 7)), 4, axis=1).astype(float)
    for i in range(k):
        j = rng.choice(28, slips, replace=False)
        x[i, j] = np.clip(x[i, j] + rng.choice([-1, 1], slips), 1, 5)
    return x


def test_page_lines_and_spread():
    x = np.array([[1, 1, 1, 2, 2, 2, 3, 3, np.nan], [4, 4, 4, 4, 4, 4, 5, 5, 5]])
    pages = [np.arange(0, 3), np.arange(3, 6), np.arange(6, 9)]
    lines = I.page_lines(x, pages)
    assert np.array_equal(lines, np.array([[1, 2, np.nan], [4, 4, 5.0]]), equal_nan=True)
    assert [v.tolist() for v in I.page_line_spread(lines)] == [[2, 3], [1, 1]]


def test_grid_straight_liners_are_flagged_and_styled_honest_respondents_are_not():
    caught = honest_hits = honest = 0
    for seed in (1, 2, 3):
        x, style = _styled(seed)
        rng = np.random.default_rng(seed + 10)
        careless = _grid_lines(rng, 60)
        frame = pd.DataFrame(np.vstack([x, careless]), columns=ITEMS)
        hit = rules.page_line(frame, INST).notna().to_numpy()
        caught += hit[len(x):].sum()
        honest_hits += hit[:len(x)].sum()
        honest += len(x)
        for s in ("midpoint", "extreme", "acquiescent"):               # no style is singled out
            assert hit[:len(x)][style == s].mean() <= 0.02, s
    assert caught / 180 >= 0.9                                       # a line per page of 5 answers: M >= 2 almost always
    assert honest_hits / honest <= 0.005


def test_far_beyond_only_where_most_pages_are_straight():
    rng = np.random.default_rng(5)
    x, _ = _styled(4)
    lines = _grid_lines(rng, 30)
    half = lines[:10].copy()
    careful = np.isnan(I.page_lines(x, [np.arange(0, 4), np.arange(4, 8), np.arange(8, 12)])).all(axis=1)
    half[:, :12] = x[careful][:10, :12]                              # three careful pages, four straight ones
    frame = pd.DataFrame(np.vstack([x, lines, half]), columns=ITEMS)
    got = rules.page_line(frame, INST)
    far = got.fillna("").str.contains(rules.FAR).to_numpy()
    assert far[len(x):len(x) + 30].mean() >= 0.8
    assert not far[len(x) + 30:].any() and not far[:len(x)].any()
    text = got[len(x):].dropna().iloc[0]
    assert "pages (constructs) answered with one answer each" in text


def test_a_skipped_item_breaks_a_page_line_and_few_pages_are_not_judged():
    x, _ = _styled(6, 400)
    frame = pd.DataFrame(x, columns=ITEMS)
    frame.iloc[0] = np.repeat([1, 2, 3, 4, 5, 1, 2], 4)
    assert pd.notna(rules.page_line(frame, INST)[0])
    frame.iloc[0, [0, 4, 8, 12, 16]] = np.nan                        # five pages with a blank: two lines left
    assert pd.isna(rules.page_line(frame, INST)[0])
    two = rules.page_line(frame[ITEMS[:8]], INST)
    assert two.isna().all() and "pages" in two.attrs["not_evaluated"]
    few = rules.page_line(frame.iloc[:40], INST)                     # 40 rows: too few to draw honest pages from
    assert few.isna().all() and "reference responses" in few.attrs["not_evaluated"]


def test_setting_and_evidence_group():
    assert "page_line" in EVIDENCE_GROUPS["invariance"] and "page_line" in rules.DEFAULT_RULES
    assert "page_line" not in CleanConfig.from_dict({"disable": ["page_line"]}).rules
    cfg = CleanConfig.from_dict({"page_line": {"alpha": 0.01}})
    assert cfg.params("page_line") == {"alpha": 0.01, "far_alpha": 0.001, "min_items": 3, "min_pages": 3,
                                       "min_share": 0.5, "far_share": 0.75}
    s = lambda t: pd.Series([t])  # noqa: E731
    # invariance evidence: with longstring it is one group, beside size a second one
    assert decide({"page_line": s("7 of 7 pages"), "longstring": s("run")})[1] == [""]
    assert decide({"page_line": s("7 of 7 pages"), "mahalanobis": s("D² 80")})[1] != [""]
