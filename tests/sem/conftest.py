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


@pytest.fixture
def unit_box_run():
    """``(run, seen)``: a stand-in for one optimisation of ``api._with_fallback_start``, converged where every
    start value lies inside (-1, 1) and "start failed" elsewhere; ``seen`` lists the starts it was given."""
    from iur_survey.sem import api

    class Opt:
        def __init__(self, x):
            self.converged = bool(np.all(np.abs(x) < 1))
            self.message = "converged" if self.converged else api.START_FAILED
            self.history, self.ran_off, self.x, self.fun = [], False, x, 0.0

    seen: list[np.ndarray] = []

    def run(x, scoring=True, runaway=None):
        seen.append(x.copy())
        return Opt(x)
    return run, seen
