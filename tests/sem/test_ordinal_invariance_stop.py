"""The ordinal (WLSMV) invariance sequence ends at a configural model that did not converge, as the ML one does
(iur_survey.sem.invariance.fit_sequence, the one rule of both): the later steps are not started, their verdicts
are "not reached (configural not evaluated)", and the warning names them and says why."""

from __future__ import annotations

import json
import time

import numpy as np
import pandas as pd
import pytest

from iur_survey.sem import wlsmv_invariance
from iur_survey.sem.wlsmv_invariance import WE_STEPS, ordinal_invariance

STEPS = list(WE_STEPS)


def _ordinal_data(n: int = 600, seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(n, 1))
    y = f @ [[.8, .7, .6, .7]] + rng.normal(size=(n, 4)) * .6
    d = pd.DataFrame(np.digitize(y, [-1, 0, 1]), columns=["a", "b", "c", "e"])
    d["G"] = np.where(np.arange(n) < n // 2 + 50, "x", "y")
    return d


@pytest.fixture
def configural_fails(monkeypatch):
    """The configural model (thresholds free) comes back not converged; every call is counted."""
    real = wlsmv_invariance.ordinal_groups_fit
    calls = []

    def fit(*args, **kw):
        configural = not kw.get("th_equal")
        calls.append("configural" if configural else "later")
        if not configural:
            time.sleep(0.5)          # a later step takes longer than the configural one
        res = real(*args, **kw)
        if configural:
            res.converged = False
        return res
    monkeypatch.setattr(wlsmv_invariance, "ordinal_groups_fit", fit)
    return calls


@pytest.mark.parametrize("scheduler", [None, "threads"])
def test_a_configural_model_that_does_not_converge_ends_the_ordinal_sequence(configural_fails, scheduler):
    """Left out s32: the ordinal sequence fitted every later step after a configural model that did not
    converge, and showed their fit beside "not reached"."""
    inv = ordinal_invariance("F =~ a + b + c + e", _ordinal_data(), "G", workers=2 if scheduler else 1,
                             scheduler=scheduler, progress=False)
    assert configural_fails[0] == "configural"
    assert len(configural_fails) <= (2 if scheduler else 1)          # serially: only the configural model
    assert [inv.fits[s] is None for s in STEPS] == [False, True, True, True]
    t = inv.table.set_index("step")
    assert t["decision"].tolist() == ["not evaluated"] + ["not reached (configural not evaluated)"] * 3
    assert t.loc[STEPS[1:], ["chisq", "cfi.scaled", "chisq.diff", "delta.cfi.scaled"]].isna().all().all()
    assert inv.level is None
    said = ("the thresholds, thresholds_loadings and thresholds_loadings_intercepts models were not fitted: the "
            "configural model, the baseline of the sequence, did not converge")
    assert said in inv.warnings
    assert said in inv.summary()
    out = inv.to_dict()
    json.dumps(out, allow_nan=False)
    assert [s["decision"] for s in out["invariance"]][1:] == ["not reached (configural not evaluated)"] * 3
    assert said in out["invariance_info"]["warnings"]


def test_a_converged_configural_model_runs_every_step(monkeypatch):
    calls = []
    real = wlsmv_invariance.ordinal_groups_fit
    monkeypatch.setattr(wlsmv_invariance, "ordinal_groups_fit", lambda *a, **k: calls.append(1) or real(*a, **k))
    inv = ordinal_invariance("F =~ a + b + c + e", _ordinal_data(), "G", progress=False)
    assert len(calls) == 4 and all(f is not None for f in inv.fits.values())
    assert not any("were not fitted" in w for w in inv.warnings)
