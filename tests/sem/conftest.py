"""Fixtures shared by the SEM tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.fixture
def mixed_ordered_fit():
    """A one-factor fit of three ordered items (3 categories) and one continuous item (WLSMV): the case the
    residuals and the modification indices of ordered items refuse."""
    from iur_survey.sem import sem

    rng = np.random.default_rng(0)
    y = rng.standard_normal((300, 1)) @ [[0.8, 0.7, 0.6, 0.7]] + rng.standard_normal((300, 4)) * 0.6
    d = pd.DataFrame(y, columns=list("abcd"))
    for v in "abc":
        d[v] = np.digitize(d[v], [-0.5, 0.5]) + 1
    return sem("F =~ a + b + c + d", d, ordered=["a", "b", "c"])
