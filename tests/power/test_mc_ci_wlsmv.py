"""The Monte Carlo CI test of := effects (``mc_ci``) under WLSMV, against lavaan 0.6.14 + semTools' monteCarloCI on
the same data (mc_ci_wlsmv_refs/make_mc_ci_wlsmv_ref.R, output committed; the data: make_mc_ci_wlsmv_data.py):
the ingredients (estimates and robust covariance matrix) to lavaan's precision, the intervals within Monte Carlo
error, and the draws read every label at its column of ``theta`` (a WLSMV fit's ``theta_index()``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.power import PopulationModel, power_analysis
from iur_survey.power.montecarlo import draw_replication, mc_ci_rng, monte_carlo_ci
from iur_survey.errors import ModelSyntaxError
from iur_survey.sem import sem

HERE = Path(__file__).resolve().parent / "mc_ci_wlsmv_refs"


def _data(rep: int) -> pd.DataFrame:
    d = pd.read_csv(HERE / "mc_ci_wlsmv_data.csv")
    return d[d["rep"] == rep].drop(columns="rep").reset_index(drop=True)


def test_stored_data_are_what_power_analysis_draws():
    pm = PopulationModel.from_lavaan((HERE / "pop.lav").read_text())
    for rep in (0, 1):
        np.testing.assert_array_equal(draw_replication(pm, 300, seed=5, rep=rep).to_numpy(), _data(rep).to_numpy())


@pytest.mark.parametrize("model", ["model.lav", "model_r.lav"])
def test_estimates_and_robust_vcov_the_draws_come_from_are_lavaans(model):
    ref = pd.read_csv(HERE / "mc_ci_wlsmv_vcov.csv")
    ref = ref[ref["model"] == model]
    for rep in (0, 1):
        res = sem((HERE / model).read_text(), _data(rep), ordered=True, estimator="WLSMV")
        V = res.vcov()
        pe = res.parameter_estimates()
        r = ref[ref["rep"] == rep]
        for _, row in r.iterrows():
            est = float(pe.loc[pe["label"] == row["row"], "est"].iloc[0])
            assert est == pytest.approx(row["est.row"], abs=2e-5)
            assert float(V.loc[row["row"], row["col"]]) == pytest.approx(row["vcov"], rel=2e-3, abs=1e-7)


def test_power_analysis_monte_carlo_intervals_match_semtools_within_mc_error():
    """One replication's interval per := row (power_analysis, 50000 draws) vs monteCarloCI (2e5 draws): the
    2.5% / 97.5% quantiles' Monte Carlo SD is about .012 SE and .006 SE; the margin is 0.08 SE."""
    ref = pd.read_csv(HERE / "mc_ci_wlsmv_ref.csv")
    ref = ref[ref["model"] == "model_r.lav"]
    pm = PopulationModel.from_lavaan((HERE / "pop.lav").read_text())
    res = power_analysis(pm, (HERE / "model_r.lav").read_text(), n=[300], reps=2, seed=5, estimator="WLSMV",
                         mc_ci=50000, scheduler="serial", progress=False)
    got = res.reps[res.reps["op"] == ":="]
    assert len(got) == 6
    for _, g in got.iterrows():
        r = ref[(ref["rep"] == g["rep"]) & (ref["parameter"] == g["parameter"])].iloc[0]
        assert g["est"] == pytest.approx(r["est"], abs=2e-5)
        assert g["se"] == pytest.approx(r["se"], rel=2e-3)
        for side in ("mc.lower", "mc.upper"):
            assert abs(g[side] - r[side]) < 0.08 * r["se"], (g["rep"], g["parameter"], side, g[side], r[side])


def test_draws_read_each_label_at_its_theta_column():
    """Each label's column of the draws is its column of ``theta`` (``theta_index()``), and the intervals stay
    around the estimates.  A free row outside a WLSMV fit's theta before a label once shifted the columns (an
    ordered item's residual variance stated first: ind_GOV [-0.048, 0.003] around -0.017 for an estimate of
    0.029); the engine now refuses that line as lavaan's unidentified model, so no accepted model has the shift:
    both are checked."""
    with pytest.raises(ModelSyntaxError, match="frees the residual variance of ordered item 'GOV1'"):
        sem("GOV1 ~~ GOV1\n" + (HERE / "model_r.lav").read_text(), _data(0), ordered=True, estimator="WLSMV")
    res = sem((HERE / "model_r.lav").read_text(), _data(0), ordered=True, estimator="WLSMV")
    pe = res.parameter_estimates()
    est = pe.loc[pe["op"] == ":=", "est"].to_numpy(float)
    se = pe.loc[pe["op"] == ":=", "se"].to_numpy(float)
    ci = monte_carlo_ci(res, 40000, mc_ci_rng(5, 300, 0))
    mid = ci.mean(axis=1)
    assert np.all(ci[:, 0] < est) and np.all(est < ci[:, 1])
    assert np.all(np.abs(mid - est) < 0.5 * se)
