"""Honest response styles are kept, careless kinds are caught: the simulator and an independent generator.

Over several seeds, on the standard frame (the export layer is covered by
test_recovery.py and by ``python -m iur_survey.clean.evaluate``).  The style strengths of
the simulator are drawn per seed (:meth:`StyleStrengths.drawn`); the second generator
(``grm_generator.py``: graded response model, person-specific thresholds) shares no code
with the simulator.  Floors hold with margins below what the evaluation measures.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from iur_survey.clean import clean
from iur_survey.clean.evaluate import GENERATORS, outcomes
from iur_survey.instrument import load_instrument
from iur_survey.read.base import RawResponses

INST = load_instrument()
STYLES = ("acquiescent", "extreme", "midpoint", "fast_careful")


def pooled_outcomes(generator: str) -> pd.DataFrame:
    """Label and exclusion of every row of three samples of 1,500 (seeds 31-33), cleaned with the defaults."""
    out = []
    for seed in (31, 32, 33):
        frame, truth = GENERATORS[generator](1500, seed, INST)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = clean(RawResponses(frame, "x.csv", "csv", "0" * 64), INST)
        out.append(outcomes(truth, res.exclusions, frame["_row"]))
    return pd.concat(out, ignore_index=True)


@pytest.fixture(scope="module", params=["simulator", "grm"])
def pooled(request):
    return request.param, pooled_outcomes(request.param)


def test_honest_respondents_and_every_style_are_kept(pooled):
    gen, o = pooled
    rate = o.groupby("label")["excluded"].mean()
    honest = o[o["label"].isin(("honest",) + STYLES)]
    assert honest["excluded"].mean() <= 0.015, gen
    for style in STYLES:
        assert rate[style] <= 0.05, (gen, style, rate[style])


def test_careless_kinds_are_caught(pooled):
    gen, o = pooled
    rate = o.groupby("label")["excluded"].mean()
    floors = {"straightliner": 0.95, "pattern": 0.9, "random": 0.9 if gen == "simulator" else 0.7}
    for kind, floor in floors.items():
        assert rate[kind] >= floor, (gen, kind, rate[kind])
    bad = o[~o["label"].isin(("honest",) + STYLES)]
    excluded = o[o["excluded"]]
    assert (~excluded["label"].isin(("honest",) + STYLES)).mean() >= 0.93  # precision
    assert bad["excluded"].mean() >= 0.6


def test_style_strengths_vary_with_the_seed():
    from iur_survey.simulate.contamination import StyleStrengths

    a, b = StyleStrengths.drawn(1), StyleStrengths.drawn(2)
    assert a != b and a == StyleStrengths.drawn(1)


def test_the_simulator_names_every_style_and_careless_kind():
    from iur_survey.simulate import simulate

    sim = simulate(1000, seed=4)
    kinds = set(sim.truth["kind"])
    assert set(STYLES) <= kinds and {"pattern", "partial", "random", "speeder", "straightliner"} <= kinds
    t = sim.truth
    ext = sim.frame.iloc[t.loc[t["kind"] == "extreme", "position"]][list(INST.item_codes)].to_numpy()
    plain = sim.frame.drop(index=t["position"])[list(INST.item_codes)].to_numpy()
    ends = lambda x: np.nanmean((x == 1) | (x == 5))  # noqa: E731
    assert ends(ext) > ends(plain) + 0.1  # extreme responders use the ends more
    mid = sim.frame.iloc[t.loc[t["kind"] == "midpoint", "position"]][list(INST.item_codes)].to_numpy()
    assert np.nanmean(mid == 3) > np.nanmean(plain == 3) + 0.1
    fast = sim.frame.iloc[t.loc[t["kind"] == "fast_careful", "position"]]["_duration"]
    assert fast.max() < 0.5 * sim.frame["_duration"].median()


def test_a_third_generator_with_strong_styles_and_roles():
    """``foreign_generator.py`` (rounded factor model, roles that differ in level and structure, styles acting on the
    raw answers at 70 % ends / 70 % middle / +1.5 categories): honest respondents kept, blatant kinds caught.

    Its random, partly random and marginal-matched random answers are caught far less often than the other
    generators' (``python -m iur_survey.clean.evaluate --generator foreign``): only the blatant kinds have floors."""
    o = pooled_outcomes("foreign")
    rate = o.groupby("label")["excluded"].mean()
    styles = STYLES + ("acquiescent+extreme",)
    assert set(styles) | {"random", "random_marginal", "partial", "pattern", "speeder", "straightliner"} <= set(rate.index)
    assert o.loc[o["label"].isin(("honest",) + styles), "excluded"].mean() <= 0.015
    for style in styles:
        assert rate[style] <= 0.08, (style, rate[style])   # measured: extreme 0.047 (seeds 1-3), 0.056 (31-33)
    # its straight lines come at an honest reader's pace; those of the middle answer are flagged, not far (longstring's
    # line_pace): measured .833 pooled (1.000 with line_pace off)
    for kind, floor in {"straightliner": 0.75, "pattern": 0.95, "speeder": 0.85}.items():
        assert rate[kind] >= floor, (kind, rate[kind])
