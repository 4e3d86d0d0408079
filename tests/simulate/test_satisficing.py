"""The opt-in careless kinds ``adjacent`` (two neighbouring codes on every item) and ``lean_random`` (uniform on the
upper or lower three codes), session 27: answers, truth, and the default sample left alone."""

import numpy as np
import pandas as pd
import pytest

from iur_survey.instrument import load_instrument
from iur_survey.simulate import simulate
from iur_survey.simulate.contamination import Contamination

INST = load_instrument()
ITEMS = list(INST.item_codes)


@pytest.fixture(scope="module")
def sim():
    return simulate(1000, seed=27, contamination=Contamination.from_dict({"adjacent": 0.05, "lean_random": 0.05}))


def _rows(sim, kind):
    t = sim.truth
    return sim.frame.iloc[t.loc[(t["kind"] == kind) & t["primary"], "position"].to_numpy()]


def test_adjacent_rows_keep_to_two_neighbouring_codes(sim):
    x = _rows(sim, "adjacent")[ITEMS].to_numpy(dtype=float)
    assert len(x) == 50
    lo = np.array([np.bincount(r.astype(int), minlength=7)[1:6].argmax() + 1 for r in x])   # the main code
    assert (np.abs(x - lo[:, None]) <= 2).all()
    inside = np.array([np.isin(r, (a, a + 1)).mean() if (r == a + 1).sum() >= (r == a - 1).sum() else
                       np.isin(r, (a - 1, a)).mean() for r, a in zip(x, lo)])
    assert inside.mean() > 0.9 and np.median(inside) >= 0.93
    assert set(np.unique(x)) <= {1.0, 2.0, 3.0, 4.0, 5.0} and (x.max(axis=1) - x.min(axis=1) <= 3).all()


def test_lean_random_rows_are_uniform_on_one_side(sim):
    x = _rows(sim, "lean_random")[ITEMS].to_numpy(dtype=float)
    assert len(x) == 50
    up = (x >= 3).all(axis=1)
    down = (x <= 3).all(axis=1)
    assert (up | down).all() and 0.3 < up.mean() < 0.9
    shares = np.bincount(x[up].astype(int).ravel(), minlength=6)[3:] / x[up].size
    assert np.allclose(shares, 1 / 3, atol=0.05)


def test_checks_passed_and_truth_named(sim):
    for kind in ("adjacent", "lean_random"):
        r = _rows(sim, kind)
        for a, correct in INST.attention_checks.items():
            assert (r[a] == correct).all()
        assert sim.truth.loc[sim.truth["kind"] == kind, "detail"].str.len().gt(10).all()


def test_default_sample_left_alone():
    a = simulate(300, seed=9)
    b = simulate(300, seed=9, contamination=Contamination.from_dict({"adjacent": 0.02, "lean_random": 0.02}))
    extra = b.truth.loc[b.truth["kind"].isin(["adjacent", "lean_random"]), "response_id"]
    assert len(extra) == 12
    rest = b.frame[~b.frame["response_id"].isin(extra)]
    cols = [c for c in a.frame.columns if c != "_row"]
    pd.testing.assert_frame_equal(a.frame[cols].reset_index(drop=True), rest[cols].reset_index(drop=True),
                                  check_dtype=False)
