"""The cleaning's shortcuts give exactly what the plain computation gives (session 28, performance only).

Each shortcut is checked against the computation it replaces, on inputs made to hit its edges (answers off the
whole codes, ``-0.0``, ``inf``, blanks, empty frames), so a shortcut can never change a flag.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from iur_survey.clean import indices as I
from iur_survey.clean import rules as R
from iur_survey.instrument import load_instrument


def _max_identical_plain(x):
    """:func:`iur_survey.clean.indices.max_identical` as it was: every distinct answer by ``np.unique``."""
    x = np.asarray(x, dtype=float)
    return I.most_frequent_of(x, np.unique(x[~np.isnan(x)]))[:2]


def _edge_inputs(seed: int):
    rng = np.random.default_rng(seed)
    for case in range(120):
        n, k = int(rng.integers(0, 40)), int(rng.integers(0, 10))
        lo = int(rng.integers(-3, 4))
        x = rng.integers(lo, lo + int(rng.integers(1, 9)), size=(n, k)).astype(float)
        kind = case % 8
        if kind == 1:
            x[rng.random(x.shape) < 0.3] = np.nan
        elif kind == 2 and x.size:
            x.flat[int(rng.integers(0, x.size))] = 2.5                   # an answer off the whole codes
        elif kind == 3:
            x[x == 0] = -0.0                                             # negative zeros
        elif kind == 4:
            x[:] = np.nan
        elif kind == 5 and x.size:
            x.flat[-1] = np.inf
        elif kind == 6 and x.size:
            x.flat[0] = 1000.0                                           # codes far apart
        yield x
    yield np.zeros((3, 0))
    yield np.array([[0.0, -0.0, -0.0]])
    yield np.array([[-0.0, 0.0, 0.0], [1.0, np.nan, 1.0]])


@pytest.mark.parametrize("seed", [1, 2])
def test_max_identical_equals_the_plain_count(seed):
    for x in _edge_inputs(seed):
        got, want = I.max_identical(x), _max_identical_plain(x)
        assert got[0].dtype == want[0].dtype
        np.testing.assert_array_equal(got[0], want[0])
        np.testing.assert_array_equal(got[1], want[1])
        np.testing.assert_array_equal(np.signbit(got[1]), np.signbit(want[1]))      # -0.0 kept as np.unique has it


def test_honest_lines_with_the_callers_indices_equals_without():
    inst = load_instrument()
    cols = list(inst.item_codes)
    rng = np.random.default_rng(3)
    x = np.where(rng.random((400, len(cols))) < 0.85, 1.0, rng.integers(1, 6, (400, len(cols))).astype(float))
    x[rng.random(x.shape) < 0.02] = np.nan
    x[:5] = 1.0
    x[5:8] = 3.0
    frame = pd.DataFrame(x, columns=cols)
    rows = np.zeros(len(x), dtype=bool)
    rows[:12] = True
    for sd in (False, True):
        plain = R._honest_lines(frame, inst, cols, x, rows, sd=sd)
        given = R._honest_lines(frame, inst, cols, x, rows, sd=sd, ident=I.max_identical(x),
                                spread=I.irv(x) if sd else None)
        np.testing.assert_array_equal(plain, given)
        assert np.isfinite(plain[:12]).all() and np.isnan(plain[12:]).all()


def _midpoint_line_plain(x, cols, instrument, min_off, popular=None):
    """:func:`iur_survey.clean.rules.midpoint_line` as it was (``np.isclose``, a copy of the columns, signs)."""
    has_mid, mid = R.middle_columns(cols, instrument)
    x = x[:, has_mid]
    n_ans = (~np.isnan(x)).sum(axis=1)
    n_mid = np.isclose(x, mid).sum(axis=1)
    n_off = n_ans - n_mid
    if not min_off or not has_mid.any():
        return np.zeros(len(x), dtype=bool), n_off
    line = 2 * n_mid >= n_ans
    rows = line & (n_off >= min_off)
    if popular and len(x):
        lean = np.nan_to_num(np.sign(I.nanmean_quiet(x, axis=0) - mid))
        with np.errstate(invalid="ignore"):
            with_lean = (np.sign(x - mid) * lean > 0).sum(axis=1)
        rows |= line & (n_off >= popular) & (with_lean == n_off)
    return rows, n_off


@pytest.mark.parametrize("mixed", [False, True])
def test_midpoint_line_equals_the_plain_count(mixed):
    from iur_survey.instrument import parse_instrument

    inst = (parse_instrument({"scale": {"min": 1, "max": 5}, "constructs": {
        "A": {"items": ["A1", "A2", "A3"]}, "B": {"items": ["B1", "B2", "B3"], "scale": {"min": 1, "max": 4}}}})
        if mixed else load_instrument())
    cols = ["A1", "A2", "A3", "B1", "B2", "B3"] if mixed else list(inst.item_codes)
    rng = np.random.default_rng(4)
    for case in range(40):
        n = int(rng.integers(0, 60))
        x = np.where(rng.random((n, len(cols))) < 0.6, 3.0, rng.integers(1, 6, (n, len(cols))).astype(float))
        x[rng.random(x.shape) < 0.1] = np.nan
        if case % 5 == 1:
            x[rng.random(x.shape) < 0.1] = 3.0 + 1e-6                  # within np.isclose's tolerance of 3
        if case % 5 == 2:
            x[rng.random(x.shape) < 0.05] = np.inf
        if case % 5 == 3:
            x[:, 0] = np.nan                                             # an item nobody answered: no lean
        for min_off, popular in ((3, 2), (3, None), (None, 2), (len(cols) + 1, 2)):
            got = R.midpoint_line(x, cols, inst, min_off, popular)
            want = _midpoint_line_plain(x, cols, inst, min_off, popular)
            np.testing.assert_array_equal(got[0], want[0])
            np.testing.assert_array_equal(got[1], want[1])


def test_max_identical_of_some_rows_is_theirs_among_all():
    """irv counts the most frequent answer on its low-SD rows only: on a row it is the same whatever the other rows
    (without a -0.0 among the answers, where irv counts every row)."""
    for seed in (6, 7):
        for x in _edge_inputs(seed):
            if not len(x) or np.any(np.signbit(x) & (x == 0)):
                continue
            rows = np.random.default_rng(seed).random(len(x)) < 0.3
            count, code = I.max_identical(x)
            sub = I.max_identical(x[rows])
            np.testing.assert_array_equal(sub[0], count[rows])
            np.testing.assert_array_equal(sub[1], code[rows])
