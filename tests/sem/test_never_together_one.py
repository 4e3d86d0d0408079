"""Pairs of variables never observed together: one implementation (sem/table.py's ``pair_counts`` and
``never_together``) behind the data checks (datacheck), FIML's sample statistics (fiml.SampleStats) and the
polychoric step of ordered items (ordinal, missing = "pairwise"); the three say the same pairs."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.errors import DataError
from iur_survey.sem import datacheck, fiml, ordinal, table
from iur_survey.sem.fiml import SampleStats
from iur_survey.sem.ordinal import ordinal_sample_stats
from iur_survey.sem.table import never_together, pair_counts


def _planned_missing(seed: int) -> np.ndarray:
    """Three forms: each row leaves out one block of two of six items, and form 1 leaves out y1 too: y1 is
    seen only with form 2, which leaves out y5 and y6."""
    rng = np.random.default_rng(seed)
    X = rng.integers(1, 5, size=(240, 6)).astype(float)
    form = np.arange(240) % 3
    X[form == 0, 0:2] = np.nan
    X[form == 1, 2:4] = np.nan
    X[form == 2, 4:6] = np.nan
    X[form == 1, 0] = np.nan
    return X


@pytest.mark.parametrize("seed", [0, 1])
def test_the_three_readers_name_the_same_pairs(seed):
    X = _planned_missing(seed)
    names = [f"y{k}" for k in range(1, 7)]
    want = never_together(pair_counts(~np.isnan(X)))
    assert want and (0, 4) in want
    # FIML's sample statistics (patterns with counts) give the same pairs
    assert SampleStats(X).never_together() == want
    # the data check's warning names the first three of them, in that order
    w = datacheck.judge_never_together(names, pair_counts(~np.isnan(X)))
    assert w.split(": ", 1)[1].startswith("; ".join(f"{names[i]!r} and {names[j]!r}" for i, j in want[:3]))
    # the polychoric step refuses naming the first, and counts them all
    with pytest.raises(DataError, match=rf"{names[want[0][0]]!r} and {names[want[0][1]]!r} are never observed "
                                        rf"together \({len(want)} such pairs?\)"):
        ordinal_sample_stats(pd.DataFrame(X, columns=names), missing="pairwise")


def test_weighted_counts_are_the_rows_they_stand_for():
    rows = np.array([[1, 0, 1], [1, 0, 1], [0, 1, 1]], dtype=bool)
    np.testing.assert_array_equal(pair_counts(rows), pair_counts(rows[1:], weights=np.array([2, 1])))


def test_no_other_module_counts_the_pairs_itself():
    """The formula (``.T @`` of an observed mask, then the zeros above the diagonal) is written once."""
    for mod in (datacheck, fiml, ordinal):
        src = Path(mod.__file__).read_text(encoding="utf-8")
        tree = ast.parse(src)
        triu_zero = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "triu"
                     and "== 0" in ast.unparse(n)]
        assert not triu_zero, (mod.__name__, [ast.unparse(n) for n in triu_zero])
    assert "np.triu" in Path(table.__file__).read_text(encoding="utf-8")
