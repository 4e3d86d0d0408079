"""WLSMV bootstrap (lavaan's se = "bootstrap" with ordered items): seeded, parallel, and its standard errors
against lavaan's bootstrap SEs (wlsmv_boot_single.json, B = 1000 / wlsmv_boot_groups.json, B = 300, written by make_wlsmv_boot_refs.R) within the
Monte Carlo error of both runs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.sem import sem
from iur_survey.sem.wlsmv_bootstrap import wlsmv_bootstrap, with_wlsmv_bootstrap

HERE = Path(__file__).parent / "ordinal_refs"
TWO = "F1 =~ a1 + a2 + a3 + a4\nF2 =~ b1 + b2 + b3 + b4"


@pytest.fixture(scope="module")
def data():
    return pd.read_csv(HERE / "wlsmv_groups_630.csv")


def _se_ratio(res, ref):
    R = pd.DataFrame(ref["estimates"])
    if "group" not in R.columns:
        R["group"] = 1
    R["rhs"] = R["rhs"].fillna("")
    R = R[(R["se"] > 1e-8) & R["op"].isin(["=~", "~~", "|", "~*~", "~1"])].set_index(["lhs", "op", "rhs", "group"])
    pe = res.parameter_estimates()
    if "group" not in pe.columns:
        pe = pe.assign(group=1)
    O = pe.set_index(["lhs", "op", "rhs", "group"]).loc[R.index]
    return O["se"].to_numpy(float) / R["se"].to_numpy(float)


def test_bootstrap_se_matches_lavaan_within_mc_error(data):
    ref = json.loads((HERE / "wlsmv_boot_single.json").read_text())
    res = with_wlsmv_bootstrap(sem(TWO, data, ordered=True), 200, data=data, seed=2022, workers=1, progress=False)
    assert res.boot.n_ok == 200
    q = _se_ratio(res, ref)
    # sd of the ratio ~ sqrt(1/(2*200) + 1/(2*1000)) = 5.5 %
    assert np.mean(np.abs(q - 1)) < 0.08
    assert np.max(np.abs(q - 1)) < 0.25
    pe = res.parameter_estimates()
    free = pe["se"] > 0
    assert (pe.loc[free, "ci.lower"] < pe.loc[free, "est"]).all() and (pe.loc[free, "ci.upper"] > pe.loc[free, "est"]).all()
    out = res.to_dict()
    assert out["bootstrap"]["B"] == 200 and out["bootstrap"]["seed"] == 2022


@pytest.mark.slow
def test_multigroup_bootstrap_se_matches_lavaan(data):
    ref = json.loads((HERE / "wlsmv_boot_groups.json").read_text())
    fit = sem(TWO, data, ordered=True, group="G", group_equal=["thresholds", "loadings"])
    res = with_wlsmv_bootstrap(fit, 300, data=data, seed=7, workers=2, progress=False)
    assert res.boot.n_ok + res.boot.n_failed + res.boot.n_nonconverged == 300
    q = _se_ratio(res, ref)
    assert np.mean(np.abs(q - 1)) < 0.08
    assert np.max(np.abs(q - 1)) < 0.25


def test_draws_do_not_depend_on_workers(data):
    fit = sem(TWO, data, ordered=True, group="G")
    a = wlsmv_bootstrap(fit, 8, seed=3, data=data, workers=1, progress=False, chunk_size=3)
    b = wlsmv_bootstrap(fit, 8, seed=3, data=data, workers=2, scheduler="threads", progress=False, chunk_size=2)
    assert np.array_equal(a.status, b.status)
    ok = a.status == 0
    np.testing.assert_allclose(a.est[ok], b.est[ok], rtol=0, atol=1e-12)


def test_failed_draws_are_counted_and_warned(data):
    # a tiny group: some draws miss a category of an item (lavaan: "some categories ... are empty")
    d = pd.concat([data[data.G == "g1"].head(200), data[data.G == "g3"].head(45)])
    fit = sem(TWO, d, ordered=True, group="G")
    bt = wlsmv_bootstrap(fit, 20, seed=5, data=d, workers=1, progress=False)
    assert bt.n_failed > 0
    assert any("bootstrap draws failed" in w for w in bt.warnings)
    assert np.isnan(bt.est[bt.status != 0]).all()


def test_multigroup_effects_without_bootstrap_say_so(data):
    """The := effects of a multi-group WLSMV fit are not bootstrapped: their SE and CI stay empty, and a warning says
    so (they were left empty in silence)."""
    model = TWO + "\nF2 ~ c(a1, a2, a3)*F1\nhalf := a1 / 2"
    fit = sem(model, data, ordered=True, group="G")
    res = with_wlsmv_bootstrap(fit, 6, data=data, seed=3, workers=1, progress=False)
    pe = res.parameter_estimates()
    assert pe.loc[pe["op"] == ":=", "se"].isna().all()
    assert any("defined effects (:=) of a multi-group WLSMV fit get no bootstrap SE" in w for w in res.warnings)
