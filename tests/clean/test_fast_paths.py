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
    best = np.zeros(len(x), dtype=np.int64)
    val = np.full(len(x), np.nan)
    for v in np.unique(x[~np.isnan(x)]):
        k = (x == v).sum(axis=1)
        more = k > best
        best = np.where(more, k, best)
        val = np.where(more, v, val)
    return best, val


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
