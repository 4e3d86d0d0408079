"""Outside audit of the power module against lavaan 0.6.14 on models it was not built on (references:
audit_refs/make_audit_ref.R, outputs committed; the replication data sets audit_refs/make_audit_data.py).

Deterministic pieces only: the population a results.json makes (PoliticalDemocracy), every recorded value of
replications fitted on the stored data sets power_analysis draws (FIML with MCAR cells, ML on Likert codes),
lavaan's post.check as the admissibility flag, the Wilson interval of a power estimate (prop.test)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.errors import ModelSyntaxError
from iur_survey.power import PopulationModel, power_analysis
from iur_survey.power.montecarlo import admissible, draw_replication
from iur_survey.power.summary import smallest_n, wilson_interval
from iur_survey.sem import sem

HERE = Path(__file__).resolve().parent / "audit_refs"
CASES = {"med_mcar15": ("med_pop.lav", "med_model.lav", 100, 13, 5, 0.15),
         "likert": ("lik_pop.lav", "lik_model.lav", 150, 14, 3, 0.0)}


def _read(name: str) -> str:
    return (HERE / name).read_text(encoding="utf-8")


def test_population_from_a_results_file_is_lavaans_implied_covariance():
    """PoliticalDemocracy fitted by the engine, its to_dict() (what results.json holds) as the population: the
    covariance matrix drawn from is lavaan's implied one (to the engine's convergence tolerance), means 0."""
    fit = sem(_read("pd_model.lav"), pd.read_csv(HERE / "pd_data.csv"))
    pm = PopulationModel.from_results(fit.to_dict())
    ref = pd.read_csv(HERE / "pd_implied.csv").pivot(index="row", columns="col", values="value")
    got = pd.DataFrame(pm.sigma, index=pm.names, columns=pm.names).loc[ref.index, ref.columns]
    np.testing.assert_allclose(got.to_numpy(), ref.to_numpy(), rtol=1e-4, atol=1e-4)
    assert not pm.likert and np.all(pm.mu == 0)


@pytest.mark.parametrize("case", list(CASES))
def test_replications_record_what_lavaan_estimates_on_the_same_data(case):
    """power_analysis' per-replication est / se / p value, converged and admissible flags = lavaan's fit of the
    stored data set of that replication (draw_replication is checked to give the stored data first)."""
    pop, model, n, seed, reps, rate = CASES[case]
    pm = PopulationModel.from_lavaan(_read(pop))
    data = pd.read_csv(HERE / "reps_data.csv")
    data = data[data["case"] == case]
    for r in range(reps):
        stored = data[data["rep"] == r].pivot(index="row", columns="variable", values="value")
        drawn = draw_replication(pm, n, seed, r, rate)
        stored = stored[list(drawn.columns)].to_numpy(float)
        assert np.array_equal(np.isnan(stored), np.isnan(drawn.to_numpy()))
        np.testing.assert_allclose(drawn.to_numpy(), stored, rtol=0, atol=1e-9, equal_nan=True)
    res = power_analysis(pm, _read(model), n=[n], reps=reps, seed=seed, missing_rate=rate, parameters="all",
                         scheduler="serial", progress=False)
    ref = pd.read_csv(HERE / "reps_ref.csv")
    ref = ref[ref["case"] == case].fillna({"rhs": ""}).assign(parameter=lambda x: np.where(
        x["op"] == ":=", x["lhs"], x["lhs"] + x["op"] + x["rhs"]))
    got = res.reps.merge(ref, on=["rep", "parameter"], suffixes=("", "_R"), how="left")
    assert got["est_R"].notna().all() and len(got) == reps * res.table["parameter"].nunique()
    assert (got["converged"] == got["converged_R"]).all()
    assert (got["admissible"] == got["post_check"]).all()
    for col in ("est", "se", "pvalue"):
        np.testing.assert_allclose(got[col], got[col + "_R"], rtol=0, atol=2e-5, err_msg=col)


def test_power_interval_is_wilsons():
    """power_ci.lower / upper = prop.test(k, m, correct = FALSE)'s interval (not empty at a power of 0 or 1)."""
    ref = pd.read_csv(HERE / "wilson_ref.csv")
    lo, hi = wilson_interval(ref["k"].to_numpy(), ref["m"].to_numpy())
    np.testing.assert_allclose(lo, ref["lower"], atol=1e-10)
    np.testing.assert_allclose(hi, ref["upper"], atol=1e-10)


def test_admissible_reads_only_lavaans_post_check_warnings():
    """A converged fit is inadmissible only by lavaan's post-check warnings: a warning about the start values'
    Sigma (or the degrees of freedom) that happens to say 'not positive definite' / 'negative' is not one."""
    assert not admissible(["covariance matrix of latent variables is not positive definite"])
    assert not admissible(["some estimated lv variances are negative (F)"])
    assert admissible(["lavaan's start values imply a Sigma that is not positive definite: the fit stepped out "
                       "of it down the gradient at the pseudo-inverted Sigma"])
    assert admissible(["the model has negative degrees of freedom (df = -1): it is not identified"])


def test_population_without_a_covariate_variance_names_it():
    """An observed covariate's variance left out of the population syntax is named (it used to be refused as
    'the population covariance matrix is not positive definite')."""
    with pytest.raises(ModelSyntaxError, match=r"observed covariates .*not given: x ~~ x"):
        PopulationModel.from_lavaan("m ~ 0.3*x\ny ~ 0.3*m\nm ~~ 0.91*m\ny ~~ 0.91*y")
    assert PopulationModel.from_lavaan(_read("med_pop.lav")).names == ("m", "y", "x")


def test_summary_states_the_monte_carlo_error_and_the_n_range():
    """The summary gives the power's Monte Carlo standard error, and n(.80) with the range read off the ends of
    the Wilson intervals; power.csv has the intervals."""
    res = power_analysis(PopulationModel.from_lavaan(_read("med_pop.lav")), _read("med_model.lav"), n=[60, 120],
                         reps=20, seed=5, scheduler="serial", progress=False)
    t = res.table
    assert (t["power_ci.lower"] <= t["power"]).all() and (t["power"] <= t["power_ci.upper"]).all()
    text = res.summary()
    assert "Monte Carlo error: the power's standard error is at most" in text and "n(.80) CI" in text
    import re
    rows = [line for line in text.split("n(.80) CI")[1].splitlines()[1:5]]
    ranges = [line.split()[-1] for line in rows if "null" not in line]
    assert ranges and all(re.fullmatch(r"(<=60|120|>120)\.\.(<=60|120|>120)", r) for r in ranges), rows


def test_population_from_an_ordinal_fit_keeps_its_thresholds():
    """A results.json of a WLSMV fit of ordered items (one 'x | value*tK' row per threshold) used to be refused
    ('thresholds of x1 must be t1, t2, ... in turn'): the population is lavaan's implied y* covariance matrix
    (continuous, as every from_results population) with its thresholds kept (likert=True draws codes)."""
    d = pd.read_csv(HERE / "ordinal_data.csv")
    fit = sem(_read("lik_model.lav"), d, ordered=list(d.columns), estimator="WLSMV")
    pm = PopulationModel.from_results(fit.to_dict())
    ref = pd.read_csv(HERE / "ordinal_ref.csv")
    cov = ref[ref["kind"] == "cov"].pivot(index="row", columns="col", values="value")
    got = pd.DataFrame(pm.sigma, index=pm.names, columns=pm.names).loc[cov.index, cov.columns]
    np.testing.assert_allclose(got.to_numpy(), cov.to_numpy(), atol=1e-4)
    th = ref[ref["kind"] == "th"]
    for v, t in zip(pm.names, pm.thresholds):
        np.testing.assert_allclose(t, th.loc[th["row"] == v, "value"], atol=1e-4)
    assert not pm.likert and power_analysis(pm, _read("lik_model.lav"), n=[80], reps=2, seed=1, likert=True,
                                            scheduler="serial", progress=False).settings["likert"]


def test_population_thresholds_on_several_lines():
    one = PopulationModel.from_lavaan("F =~ 1*a + 1*b\nF ~~ 0.5*F\na ~~ 0.5*a\nb ~~ 0.5*b\n"
                                      "a | -0.5*t1 + 0.5*t2\nb | 0*t1 + 1*t2")
    two = PopulationModel.from_lavaan("F =~ 1*a + 1*b\nF ~~ 0.5*F\na ~~ 0.5*a\nb ~~ 0.5*b\n"
                                      "a | -0.5*t1\na | 0.5*t2\nb | 1*t2\nb | 0*t1")
    assert [t.tolist() for t in one.thresholds] == [t.tolist() for t in two.thresholds]
    with pytest.raises(ModelSyntaxError, match="t1 of a is given twice"):
        PopulationModel.from_lavaan("F =~ 1*a + 1*b\nF ~~ 0.5*F\na ~~ 0.5*a\nb ~~ 0.5*b\na | 0*t1\na | 1*t1\nb | 0*t1")


def test_cli_from_an_ordinal_fit_fits_the_codes_by_wlsmv(tmp_path, capsys):
    """`power --from-results` of a WLSMV fit of ordered items: its y* cut at its fitted thresholds into codes,
    fitted by WLSMV as ordered items (it used to draw y* continuous and fit it by ML, with a warning);
    --continuous keeps that other analysis, explicitly (ML on y*, nothing to warn about)."""
    from iur_survey.cli import main

    d = pd.read_csv(HERE / "ordinal_data.csv")
    fit = sem(_read("lik_model.lav"), d, ordered=list(d.columns), estimator="WLSMV")
    rpath = tmp_path / "results.json"
    rpath.write_text(json.dumps(fit.to_dict()), encoding="utf-8")
    args = ["power", "--n", "150", "--reps", "2", "--workers", "0", "--seed", "1", "--quiet",
            "--from-results", str(rpath), "--model", str(HERE / "lik_model.lav")]
    assert main(args + ["--out", str(tmp_path / "o")]) == 0
    err = capsys.readouterr().err
    assert "fitted by ML" not in err and "latent responses" not in err
    doc = json.loads((tmp_path / "o" / "power.json").read_text(encoding="utf-8"))
    assert doc["settings"]["estimator"] == "WLSMV" and doc["settings"]["likert"] and doc["settings"]["ordered"]
    reps = pd.read_csv(tmp_path / "o" / "power_reps.csv")
    assert reps["converged"].all() and "collapsed" in reps.columns
    # the codes drawn are cut at the fit's thresholds
    pm = PopulationModel.from_results(fit.to_dict())
    np.testing.assert_allclose(pm.thresholds[0], fit.parameter_estimates().query("op == '|' and lhs == 'x1'")["est"])
    assert main(args + ["--continuous", "--out", str(tmp_path / "c")]) == 0
    doc = json.loads((tmp_path / "c" / "power.json").read_text(encoding="utf-8"))
    assert doc["settings"]["estimator"] == "ML" and not doc["settings"]["likert"] and not doc["settings"]["ordered"]
