"""lavaan's warning for an ordered variable with more than 12 levels ("some ordered categorical variable(s) have
more than 12 levels: INT1 INT2 INT3", lavaan 0.6.14 on tests/book/continuous_refs/data.csv with ordered = TRUE):
a continuous score fitted as one category per value was silent here."""

from __future__ import annotations

import numpy as np
import pandas as pd

from iur_survey.sem import sem

WARNING = "some ordered categorical variable(s) have more than 12 levels"


def _data(seed=3, n=300):
    rng = np.random.default_rng(seed)
    f = rng.standard_normal(n)
    y = np.column_stack([0.8 * f + 0.6 * rng.standard_normal(n) for _ in range(3)])
    d = pd.DataFrame({"a": np.digitize(y[:, 0], [-1, 0, 1]), "b": np.digitize(y[:, 1], [-1, 0, 1]),
                      "c": np.digitize(y[:, 2], np.linspace(-2, 2, 19))})      # c: 20 levels
    return d


def test_ordered_variable_with_many_levels_is_warned():
    res = sem("F =~ a + b + c", _data(), ordered=True)
    assert f"{WARNING}: c" in res.warnings


def test_few_levels_or_continuous_is_not_warned():
    d = _data()
    assert not any(WARNING in w for w in sem("F =~ a + b + c", d, ordered=["a", "b"]).warnings)
    d["c"] = np.digitize(d["c"], [5, 10, 15])
    assert not any(WARNING in w for w in sem("F =~ a + b + c", d, ordered=True).warnings)
