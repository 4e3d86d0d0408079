"""Monte Carlo power: population moments, true values, reproducibility on Dask, recovery, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import multivariate_normal

from iur_survey.cli import main
from iur_survey.errors import ModelSyntaxError
from iur_survey.power import PopulationModel, power_analysis, true_values
from iur_survey.power.montecarlo import draw_replication, select_parameters
from iur_survey.power.summary import NULL_STD, smallest_n, summarize
from iur_survey.power.population import bivariate_normal_cdf, likert_moments
from iur_survey.sem import sem
from iur_survey.study import default_model
from iur_survey.simulate import Population

# a small two-factor population: fits take ~20 ms, so replications are cheap
SMALL_POP = """
F =~ 1*x1 + 0.8*x2 + 0.7*x3
G =~ 1*y1 + 0.8*y2 + 0.7*y3
G ~ {b}*F
F ~~ 1*F
G ~~ 1*G
x1 ~~ 0.5*x1
x2 ~~ 0.5*x2
x3 ~~ 0.5*x3
y1 ~~ 0.5*y1
y2 ~~ 0.5*y2
y3 ~~ 0.5*y3
"""
SMALL_MODEL = "F =~ x1 + x2 + x3\nG =~ y1 + y2 + y3\nG ~ b*F\nbb := 2*b"


def small_pop(b: float = 0.25, thresholds: bool = False) -> PopulationModel:
    text = SMALL_POP.format(b=b)
    if thresholds:
        text += "".join(f"{v} | -1.5*t1 + -0.5*t2 + 0.4*t3 + 1.3*t4\n" for v in
                        ("x1", "x2", "x3", "y1", "y2", "y3"))
    return PopulationModel.from_lavaan(text)


# ------------------------------------------------------------------------------------ population
def test_bivariate_normal_cdf_matches_scipy():
    rng = np.random.default_rng(11)
    h = np.concatenate([rng.normal(0, 1.5, 60), [0.0, 0.0, 2.0, -1.0]])
    k = np.concatenate([rng.normal(0, 1.5, 60), [0.0, 1.0, 0.0, 0.0]])
    r = np.concatenate([rng.uniform(-0.95, 0.95, 60), [0.3, -0.6, 0.9, 0.0]])
    ours = bivariate_normal_cdf(h, k, r)
    ref = [multivariate_normal(mean=[0, 0], cov=[[1, ri], [ri, 1]]).cdf([hi, ki]) for hi, ki, ri in zip(h, k, r)]
    np.testing.assert_allclose(ours, ref, atol=1e-7)


def test_likert_moments_equal_brute_force_cell_probabilities():
    """Mean/covariance of two cut normals from the joint cell probabilities (rectangles of the mvn CDF)."""
    S = np.array([[1.3, 0.6], [0.6, 0.8]])
    mu = np.array([0.2, -0.1])
    t = [np.array([-1.0, 0.1, 0.9]), np.array([-0.4, 0.7])]
    cov, mean = likert_moments(S, mu, t, scale_min=1)
    mvn = multivariate_normal(mean=mu, cov=S)
    e1 = np.concatenate([[-np.inf], t[0], [np.inf]])
    e2 = np.concatenate([[-np.inf], t[1], [np.inf]])
    big = 50.0

    def F(a, b):
        return mvn.cdf([np.clip(a, -big, big), np.clip(b, -big, big)])
    P = np.array([[F(e1[i + 1], e2[j + 1]) - F(e1[i], e2[j + 1]) - F(e1[i + 1], e2[j]) + F(e1[i], e2[j])
                   for j in range(3)] for i in range(4)])
    c1, c2 = np.arange(1, 5), np.arange(1, 4)
    m1, m2 = P.sum(1) @ c1, P.sum(0) @ c2
    v1 = P.sum(1) @ c1 ** 2 - m1 ** 2
    v2 = P.sum(0) @ c2 ** 2 - m2 ** 2
    c12 = c1 @ P @ c2 - m1 * m2
    np.testing.assert_allclose(mean, [m1, m2], atol=1e-6)
    np.testing.assert_allclose(cov, [[v1, c12], [c12, v2]], atol=1e-6)


def test_default_population_draws_match_its_moments_and_category_shares():
    pm = PopulationModel.from_population()
    S, m = pm.moments()
    d = pm.draw(100_000, np.random.default_rng(5)).to_numpy()
    assert set(np.unique(d)) == {1.0, 2.0, 3.0, 4.0, 5.0}
    np.testing.assert_allclose(d.mean(0), m, atol=0.02)
    np.testing.assert_allclose(np.cov(d.T, bias=True), S, atol=0.03)
    # the simulator's own category probabilities (scored direction)
    probs = Population.default().category_probabilities().loc[list(pm.names)].to_numpy()
    shares = np.stack([(d == c).mean(0) for c in range(1, 6)], axis=1)
    np.testing.assert_allclose(shares, probs, atol=0.01)


def test_population_syntax_needs_fixed_values_and_all_thresholds():
    with pytest.raises(ModelSyntaxError, match="fixed value for every parameter"):
        PopulationModel.from_lavaan("F =~ 1*a + 0.5*b + c\nF ~~ 1*F\na ~~ 1*a\nb ~~ 1*b\nc ~~ 1*c")
    with pytest.raises(ModelSyntaxError, match="for all or none"):
        PopulationModel.from_lavaan(SMALL_POP.format(b=0.3) + "x1 | 0*t1\n")
    with pytest.raises(ModelSyntaxError, match="Likert data need thresholds"):
        PopulationModel.from_lavaan(SMALL_POP.format(b=0.3), likert=True)


# ------------------------------------------------------------------------------------ true values
def test_true_values_of_default_model_are_the_population_paths():
    """Continuous y*: the default model fitted to the population moments gives the simulator's
    standardized paths exactly (all latent variances are 1 there)."""
    pop = Population.default()
    tv = true_values(default_model(), PopulationModel.from_population(pop, likert=False))
    paths = tv[tv.op == "~"]
    for lhs, rhs, std in zip(paths.lhs, paths.rhs, paths["std.all"]):
        assert std == pytest.approx(pop.paths[f"{lhs}~{rhs}"], abs=1e-6), (lhs, rhs)
    eff = pop.effects()
    ind = tv.set_index("lhs").loc[[f"ind_{x}" for x in eff.index], "std.all"].to_numpy()
    np.testing.assert_allclose(ind, eff["indirect_on_INT"], atol=1e-6)
    # unstandardized: the marker metric, COL~GOV = a1 * lambda(COL1) / lambda(GOV1)
    a1 = tv.loc[(tv.lhs == "COL") & (tv.rhs == "GOV"), "est"].item()
    assert a1 == pytest.approx(0.25 * pop.loadings["COL1"] / pop.loadings["GOV1"], abs=1e-6)


def test_true_values_of_likert_codes_differ_from_continuous():
    pm = PopulationModel.from_population()
    lik = true_values(default_model(), pm)
    con = true_values(default_model(), pm.continuous())
    b_l = lik.loc[(lik.lhs == "INT") & (lik.rhs == "COL"), "std.all"].item()
    b_c = con.loc[(con.lhs == "INT") & (con.rhs == "COL"), "std.all"].item()
    assert b_c == pytest.approx(0.45, abs=1e-6)
    assert 0.40 < b_l < 0.45          # categorisation attenuates a little, not much


def test_population_from_results_reproduces_the_fit():
    data = pd.read_csv("tests/reference/data/complete_250.csv")
    res = sem(SMALL_MODEL.replace("x1", "GOV1").replace("x2", "GOV2").replace("x3", "GOV4")
              .replace("y1", "COL1").replace("y2", "COL2").replace("y3", "COL3"), data)
    pm = PopulationModel.from_results(res.to_dict())
    tv = true_values(res.syntax, pm)
    np.testing.assert_allclose(tv["est"], res.parameter_estimates()["est"], atol=1e-6)


# ------------------------------------------------------------------------------------ replications
def test_draws_depend_on_seed_n_and_rep_only():
    pm = small_pop()
    a = draw_replication(pm, 30, seed=4, rep=2)
    assert a.equals(draw_replication(pm, 30, seed=4, rep=2))
    assert not a.equals(draw_replication(pm, 30, seed=4, rep=3))
    assert not a.equals(draw_replication(pm, 30, seed=5, rep=2))
    m = draw_replication(pm, 200, seed=4, rep=2, missing_rate=0.1)
    assert 0.05 < m.isna().to_numpy().mean() < 0.15


def test_select_parameters():
    tv = true_values(SMALL_MODEL, small_pop())
    names = lambda rows: [f"{tv.lhs[i]}{tv.op[i]}{tv.rhs[i]}" for i in rows]  # noqa: E731
    assert names(select_parameters(tv)) == ["G~F", "bb:=2*b"]
    assert names(select_parameters(tv, "b,bb")) == ["G~F", "bb:=2*b"]
    assert len(select_parameters(tv, "all")) == 4 + 1 + 2 + 6 + 1   # free loadings, b, factor vars, resid, :=
    with pytest.raises(ValueError, match="not in the analysis model"):
        select_parameters(tv, ["nope"])


def test_local_cluster_threads_equal_serial_run():
    kw = dict(n=[60, 120], reps=20, seed=9, parameters="all")
    serial = power_analysis(small_pop(), SMALL_MODEL, scheduler="serial", progress=False, **kw)
    dask = power_analysis(small_pop(), SMALL_MODEL, workers=2, processes=False, chunk_size=3, progress=False,
                          **kw)
    assert dask.settings["scheduler"] == "LocalCluster" and dask.settings["workers"] == 2
    assert dask.settings["tasks"] == 2 * 7
    pd.testing.assert_frame_equal(serial.reps, dask.reps, check_exact=True)
    pd.testing.assert_frame_equal(serial.table, dask.table, check_exact=True)
    assert serial.reps["converged"].all()
    # a sample size's replications do not depend on the other sample sizes run
    only = power_analysis(small_pop(), SMALL_MODEL, n=[120], reps=20, seed=9, parameters="all",
                          scheduler="serial", progress=False)
    pd.testing.assert_frame_equal(only.reps, serial.reps[serial.reps.n == 120].reset_index(drop=True),
                                  check_exact=True)


def test_local_cluster_processes_equal_serial_run():
    kw = dict(n=[80, 150], reps=12, seed=21)
    serial = power_analysis(small_pop(thresholds=True), SMALL_MODEL, scheduler="serial", progress=False, **kw)
    dask = power_analysis(small_pop(thresholds=True), SMALL_MODEL, workers=2, processes=True, progress=False,
                          **kw)
    assert dask.settings["processes"] is True and dask.settings["workers"] == 2
    pd.testing.assert_frame_equal(serial.reps, dask.reps, check_exact=True)
    pd.testing.assert_frame_equal(serial.table, dask.table, check_exact=True)


def test_existing_cluster_by_client():
    from distributed import Client, LocalCluster
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None,
                      scheduler_kwargs={"dashboard": False, "dashboard_address": ":0"}) as cluster, \
            Client(cluster) as client:
        via = power_analysis(small_pop(), SMALL_MODEL, n=[70], reps=6, seed=2, scheduler=client, progress=False)
        by_address = power_analysis(small_pop(), SMALL_MODEL, n=[70], reps=6, seed=2,
                                    scheduler=cluster.scheduler_address, progress=False)
    serial = power_analysis(small_pop(), SMALL_MODEL, n=[70], reps=6, seed=2, scheduler="serial", progress=False)
    pd.testing.assert_frame_equal(via.reps, serial.reps, check_exact=True)
    pd.testing.assert_frame_equal(by_address.reps, serial.reps, check_exact=True)


def test_recovery_bias_coverage_and_se():
    """Continuous data, correct model: bias within MC error, 95% CI coverage near .95, SE ~ SD."""
    R = 200
    res = power_analysis(small_pop(), SMALL_MODEL, n=[300], reps=R, seed=3, parameters="all",
                         scheduler="serial", progress=False)
    t = res.table
    assert (t["convergence_rate"] == 1).all()
    mcse_est = t["sd_est"] / np.sqrt(R)
    assert (t["bias"].abs() < 4 * mcse_est + 0.02 * t["true"].abs()).all(), t[["parameter", "bias"]]
    half = 4 * np.sqrt(0.95 * 0.05 / R)
    assert (t["coverage"].between(0.95 - half, 0.95 + half)).all(), t[["parameter", "coverage"]]
    assert abs(t["coverage"].mean() - 0.95) < 0.03
    assert t["se_ratio"].between(0.8, 1.2).all()
    # b = 0.25 in a population with unit factor variances: in the analysis model's metric too
    assert t.loc[t.parameter == "G~F", "true"].item() == pytest.approx(0.25, abs=1e-6)


def test_power_increases_with_n():
    res = power_analysis(small_pop(b=0.25), SMALL_MODEL, n=[40, 100, 250], reps=60, seed=8,
                         parameters=["b"], scheduler="serial", progress=False)
    p = res.table.set_index("n")["power"]
    assert p[40] < p[100] < p[250]
    assert p[250] > 0.8 and p[40] < 0.6
    # a null path keeps its rejection rate near alpha
    null = power_analysis(small_pop(b=0.0), SMALL_MODEL, n=[150], reps=60, seed=8, parameters=["b"],
                          scheduler="serial", progress=False).table
    assert bool(null["null"].item()) and null["power"].item() <= 0.15


def test_missing_rate_uses_fiml():
    res = power_analysis(small_pop(), SMALL_MODEL, n=[120], reps=3, seed=1, missing_rate=0.1,
                         parameters=["b"], scheduler="serial", progress=False)
    assert res.settings["missing"] == "fiml"
    assert res.reps["converged"].all() and res.reps["est"].notna().all()
    complete = power_analysis(small_pop(), SMALL_MODEL, n=[120], reps=3, seed=1, parameters=["b"],
                              scheduler="serial", progress=False)
    assert not np.allclose(res.reps["est"], complete.reps["est"])


def test_missing_ml_x_keeps_rows_missing_a_covariate():
    """missing="ml.x" (lavaan's name; the engine's ml.x is checked against lavaan in tests/sem/mlx_refs): each
    replication is the fit sem(missing="ml.x") gives on the same draw, with the rows missing the fixed.x
    covariate kept; "fiml" (lavaan's "ml") drops them, as lavaan does."""
    pop = PopulationModel.from_lavaan("F =~ 0.8*x1 + 0.7*x2 + 0.6*x3\nF ~ 0.4*z\nF ~~ 0.84*F\nz ~~ 1*z\n"
                                      "x1 ~~ 0.36*x1\nx2 ~~ 0.51*x2\nx3 ~~ 0.64*x3")
    model = "F =~ x1 + x2 + x3\nF ~ b*z"
    for m, n_used in (("fiml", 104), ("ml.x", 120)):
        res = power_analysis(pop, model, n=[120], reps=2, seed=1, missing_rate=0.15, missing=m, parameters=["b"],
                             scheduler="serial", progress=False)
        assert res.settings["missing"] == m
        for rep in (0, 1):
            d = draw_replication(pop, 120, 1, rep, 0.15)
            fit = sem(model, d, missing=m, meanstructure=True)
            b = fit.parameter_estimates().query("label == 'b'")
            got = res.reps.query("rep == @rep")
            np.testing.assert_allclose(got[["est", "se"]].to_numpy(), b[["est", "se"]].to_numpy(), rtol=1e-6)
            if rep == 0:
                assert fit.n == n_used          # 16 rows miss z on this draw
    with pytest.raises(ValueError, match="missing='pairwise': use 'fiml'"):
        power_analysis(pop, model, n=[120], reps=2, missing_rate=0.1, missing="pairwise", scheduler="serial")


def test_default_population_and_model_likert():
    res = power_analysis(n=[200], reps=3, seed=5, scheduler="serial", progress=False)
    t = res.table
    assert len(t) == 11 + 10 and res.settings["likert"]
    # the population's zero paths have pseudo-true values of ~.002 on Likert codes: near zero, not null
    assert set(t.loc[t["near_zero"], "parameter"]) == {"INT~GOV", "INT~BEN"} and not t["null"].any()
    assert (t["converged"] == 3).all()
    text = res.summary()
    assert "Power (share of converged" in text
    assert "INT~GOV (near zero (|std| < .01): rejection rate ≈ type I error)" in text
    assert "delta-method z test (Sobel for a*b), which is conservative" in text


# ------------------------------------------------------------------------------------ CLI
def test_power_command_writes_files(tmp_path, capsys):
    pop = tmp_path / "pop.lav"
    pop.write_text(SMALL_POP.format(b=0.3), encoding="utf-8")
    model = tmp_path / "model.lav"
    model.write_text(SMALL_MODEL, encoding="utf-8")
    out = tmp_path / "out"
    rc = main(["power", "--n", "60,120", "--reps", "4", "--workers", "0", "--population", str(pop),
               "--model", str(model), "--seed", "3", "--quiet", "--out", str(out)])
    assert rc == 0
    for name in ("power.csv", "power.json", "power_curve.png", "power_reps.csv"):
        assert (out / name).stat().st_size > 0
    table = pd.read_csv(out / "power.csv")
    assert list(table["n"]) == [60, 60, 120, 120] and set(table["parameter"]) == {"G~F", "bb"}
    doc = json.loads((out / "power.json").read_text())
    assert doc["settings"]["reps"] == 4 and doc["settings"]["seed"] == 3
    assert doc["truth"][0]["parameter"] == "G~F" and doc["truth"][0]["est"] == pytest.approx(0.3)
    assert "wrote" in capsys.readouterr().out
    # same seed, same numbers
    main(["power", "--n", "60,120", "--reps", "4", "--workers", "0", "--population", str(pop),
          "--model", str(model), "--seed", "3", "--quiet", "--out", str(tmp_path / "again")])
    pd.testing.assert_frame_equal(table, pd.read_csv(tmp_path / "again" / "power.csv"))


def test_power_command_from_results_and_errors(tmp_path, capsys):
    data = pd.read_csv("tests/reference/data/complete_250.csv")
    res = sem("F =~ GOV1 + GOV2 + GOV4\nG =~ COL1 + COL2 + COL3\nG ~ b*F", data)
    rpath = tmp_path / "results.json"
    rpath.write_text(json.dumps(res.to_dict()), encoding="utf-8")
    model = tmp_path / "m.lav"
    model.write_text("F =~ GOV1 + GOV2 + GOV4\nG =~ COL1 + COL2 + COL3\nG ~ b*F", encoding="utf-8")
    rc = main(["power", "--n", "100", "--reps", "2", "--workers", "0", "--from-results", str(rpath),
               "--model", str(model), "--quiet", "--out", str(tmp_path / "o")])
    assert rc == 0
    doc = json.loads((tmp_path / "o" / "power.json").read_text())
    b = res.parameter_estimates().query("op == '~'")["est"].item()
    assert doc["truth"][0]["est"] == pytest.approx(b, abs=1e-6) and doc["population"]["likert"] is False
    rc = main(["power", "--n", "100", "--reps", "2", "--workers", "0", "--from-results", str(rpath),
               "--model", str(model), "--missing-rate", "0.1", "--missing", "ML.X", "--quiet", "--out",
               str(tmp_path / "mx")])
    assert rc == 0 and json.loads((tmp_path / "mx" / "power.json").read_text())["settings"]["missing"] == "ml.x"
    assert main(["power", "--n", "100", "--reps", "0", "--out", str(tmp_path / "x")]) == 2
    assert "--reps must be at least 1" in capsys.readouterr().err


def test_power_command_population_json(tmp_path):
    """A population.json as `iur-survey simulate` writes it, with a changed path."""
    pop = Population.default("none")
    pop.paths["INT~COL"] = 0.6
    path = tmp_path / "population.json"
    path.write_text(json.dumps({"population": pop.to_dict(), "lavaan": pop.to_lavaan()}), encoding="utf-8")
    out = tmp_path / "o"
    assert main(["power", "--n", "100", "--reps", "2", "--workers", "0", "--population", str(path),
                 "--continuous", "--parameters", "b", "--quiet", "--out", str(out)]) == 0
    doc = json.loads((out / "power.json").read_text())
    assert doc["population"]["likert"] is False and doc["population"]["source"] == "Population"
    assert doc["truth"][0]["parameter"] == "INT~COL" and doc["truth"][0]["std.all"] == pytest.approx(0.6, abs=1e-6)


@pytest.mark.slow
def test_default_model_recovery_on_worker_processes():
    """The study's model, 2 worker processes.  Continuous y*: true values recovered and 95% CI coverage ~ .95.
    Likert codes: the pseudo-true values are recovered (ML's normal-theory SEs are ~10% too small there,
    so coverage is not asserted; that is what the power table shows for the survey).  Both studies run on one
    local cluster of 2 worker processes (starting one takes seconds)."""
    from iur_survey.power.cluster import dask_client
    from iur_survey.power.montecarlo import _warm_up

    R = 150
    with dask_client(workers=2, warm_up=_warm_up) as client:
        con_res = power_analysis(n=[500], reps=R, seed=17, likert=False, scheduler=client, progress=False)
        lik = power_analysis(n=[500], reps=R, seed=18, scheduler=client, progress=False).table
    assert con_res.settings["workers"] == 2
    con = con_res.table
    assert con["convergence_rate"].min() >= 0.98
    assert (con["bias"].abs() < 4 * con["sd_est"] / np.sqrt(R) + 0.01).all(), con[["parameter", "bias"]]
    assert abs(con["coverage"].mean() - 0.95) < 0.02
    assert con["coverage"].min() > 0.95 - 4 * np.sqrt(0.95 * 0.05 / R)
    assert con["se_ratio"].between(0.85, 1.15).all()
    assert (lik["bias"].abs() < 4 * lik["sd_est"] / np.sqrt(R) + 0.01).all(), lik[["parameter", "bias"]]
    assert lik["coverage"].mean() > 0.90


def test_mlr_estimator():
    res = power_analysis(small_pop(thresholds=True), SMALL_MODEL, n=[150], reps=3, seed=4, estimator="MLR",
                         parameters=["b"], scheduler="serial", progress=False)
    ml = power_analysis(small_pop(thresholds=True), SMALL_MODEL, n=[150], reps=3, seed=4, parameters=["b"],
                        scheduler="serial", progress=False)
    assert res.settings["estimator"] == "MLR" and res.reps["converged"].all()
    np.testing.assert_allclose(res.reps["est"], ml.reps["est"], atol=1e-6)      # same estimates,
    assert not np.allclose(res.reps["se"], ml.reps["se"])                       # other SEs


# ------------------------------------------------------------------------------------ audit: labels and counts
def _reps(true_std: float, pvalues, admissible=None, n: int = 100) -> tuple[pd.DataFrame, pd.DataFrame]:
    k = len(pvalues)
    reps = pd.DataFrame({"n": [n] * k, "rep": range(k), "parameter": ["p"] * k, "label": [""] * k, "op": ["~"] * k,
                         "converged": [True] * k, "admissible": admissible if admissible is not None else [True] * k,
                         "est": [0.1] * k, "se": [0.05] * k, "pvalue": pvalues, "ci.lower": [-0.1] * k,
                         "ci.upper": [0.2] * k})
    truth = pd.DataFrame({"parameter": ["p"], "lhs": ["Y"], "op": ["~"], "rhs": ["X"], "label": [""],
                          "est": [true_std], "std.all": [true_std]})
    return reps, truth


def test_null_is_an_exact_zero_and_a_small_nonzero_is_near_zero():
    """An audit: INT~GOV with a true std .0029 (from --from-results) was called "(null: type I error)" and got no
    n for .80, by an unstated |std| < .01 rule."""
    for std, null, near in ((0.0, True, False), (-1e-9, True, False), (0.0029, False, True), (-0.0099, False, True),
                            (NULL_STD, False, False), (0.3, False, False)):
        row = summarize(*_reps(std, [0.01] * 10)).iloc[0]
        assert (bool(row["null"]), bool(row["near_zero"])) == (null, near), std
    # a near-zero path gets its n(.80) when the grid reaches it; a null does not
    both = pd.concat([summarize(*_reps(0.005, [0.5] * 10, n=100)), summarize(*_reps(0.005, [0.01] * 10, n=90000))])
    assert smallest_n(both).item() == 90000
    zero = pd.concat([summarize(*_reps(0.0, [0.5] * 10, n=100)), summarize(*_reps(0.0, [0.01] * 10, n=90000))])
    assert np.isnan(smallest_n(zero).item())


def test_power_summary_states_the_rule_for_null_and_near_zero_paths():
    null = power_analysis(small_pop(b=0.0), SMALL_MODEL, n=[100], reps=3, seed=2, scheduler="serial", progress=False)
    near = power_analysis(small_pop(b=0.004), SMALL_MODEL, n=[100], reps=3, seed=2, scheduler="serial",
                          progress=False)
    t0, t1 = null.table.set_index("parameter"), near.table.set_index("parameter")
    assert t0.loc["G~F", "null"] and not t0.loc["G~F", "near_zero"]
    assert t1.loc["G~F", "near_zero"] and not t1.loc["G~F", "null"]
    assert 0 < t1.loc["G~F", "true_std"] < NULL_STD
    s0, s1 = null.summary(), near.summary()
    assert "G~F (null: type I error)" in s0 and "the true value is 0 (|std.all| < 1e-06)" in s0
    assert "G~F (near zero (|std| < .01): rejection rate ≈ type I error)" in s1 and "(null" not in s1
    assert "|std.all| < 0.01 (NULL_STD)" in s1
    assert near.settings["null_std"] == NULL_STD and near.to_dict()["settings"]["zero_std"] == 1e-6


def test_inadmissible_fits_are_counted_included_and_also_left_out():
    """An audit: admissible_rate (a share of the converged fits) sat beside convergence_rate (a share of all reps),
    and nothing said that the Heywood cases are in the power."""
    reps, truth = _reps(0.3, [0.01, 0.01, 0.5, 0.5, 0.01], admissible=[True, True, True, False, False])
    reps.loc[4, ["converged"]] = False                      # a non-converged, inadmissible fit: not counted
    row = summarize(reps, truth).iloc[0]
    assert row["converged"] == 4 and row["convergence_rate"] == pytest.approx(0.8)
    assert row["inadmissible"] == 1 and row["admissible_of_converged"] == pytest.approx(0.75)
    assert row["power"] == pytest.approx(0.5) and row["power_admissible"] == pytest.approx(2 / 3)
    assert "admissible_rate" not in row.index
    import dataclasses
    res = power_analysis(small_pop(), SMALL_MODEL, n=[100], reps=3, seed=2, scheduler="serial", progress=False)
    assert "No converged fit is inadmissible" in res.summary()
    bad = res.table.copy()
    bad["inadmissible"] = 1
    text = dataclasses.replace(res, table=bad).summary()
    assert "1 of 3 converged fits are inadmissible" in text and "INCLUDED in the power" in text


def test_monte_carlo_ci_of_defined_effects_matches_semtools():
    """--mc-ci: per replication the Monte Carlo CI of ind := a*b and tot := c + a*b equals semTools'
    monteCarloCI (10^6 draws, mc_ci_refs/make_mc_ci_ref.R on exactly the replications' data) within the Monte
    Carlo error of 50 000 draws (~.012 SE); the data and fits are those of the run without it."""
    here = Path(__file__).resolve().parent / "mc_ci_refs"
    pm = PopulationModel.from_lavaan((here / "pop.lav").read_text())
    data = pd.read_csv(here / "mc_ci_data.csv")
    for r in (0, 19):
        np.testing.assert_allclose(data[data.rep == r].drop(columns="rep").to_numpy(),
                                   draw_replication(pm, 60, seed=11, rep=r).to_numpy(), rtol=1e-10, atol=1e-10)
    model = (here / "model.lav").read_text()
    kw = dict(n=[60], reps=20, seed=11, scheduler="serial", progress=False)
    res = power_analysis(pm, model, mc_ci=50_000, **kw)
    plain = power_analysis(pm, model, **kw)
    np.testing.assert_allclose(res.reps["est"], plain.reps["est"], atol=1e-10)
    assert "mc.lower" not in plain.reps.columns and "power_mc" not in plain.table.columns
    ref = pd.read_csv(here / "mc_ci_ref.csv")
    got = res.reps[res.reps.op == ":="].merge(ref, on=["rep", "parameter"], suffixes=("", "_R"))
    assert len(got) == 40 and got["converged"].all() and got["converged_R"].all()
    np.testing.assert_allclose(got["est"], got["est_R"], atol=1e-4)
    for side in ("mc.lower", "mc.upper"):
        assert ((got[side] - got[side + "_R"]).abs() < 0.1 * got["se_R"]).all(), got[[side, side + "_R"]]
    ours = (got["mc.lower"] > 0) | (got["mc.upper"] < 0)
    theirs = (got["mc.lower_R"] > 0) | (got["mc.upper_R"] < 0)
    clear = np.minimum(got["mc.lower_R"].abs(), got["mc.upper_R"].abs()) > 0.1 * got["se_R"]
    assert (ours == theirs)[clear].all()
    t = res.table.set_index("parameter")
    assert np.isnan(t.loc["M~X", "power_mc"]) and t.loc["ind", "power_mc"] == pytest.approx(ours[got.parameter == "ind"].mean())
    assert t.loc["ind", "power_mc"] >= t.loc["ind", "power"]          # the Sobel test is the conservative one
    assert "Monte Carlo CI test (50000 draws" in res.summary()
    # the same seed gives the same intervals
    again = power_analysis(pm, model, mc_ci=50_000, **dict(kw, reps=2))
    np.testing.assert_allclose(again.reps["mc.lower"], res.reps[res.reps.rep < 2]["mc.lower"], atol=1e-12)
    with pytest.raises(ValueError, match="at least 1000"):
        power_analysis(pm, model, mc_ci=10, **kw)


def test_power_help_states_the_null_rule_and_the_defined_test(capsys):
    with pytest.raises(SystemExit):
        main(["power", "--help"])
    out = capsys.readouterr().out
    assert "0 < |std.all| < .01 (NULL_STD)" in out and "Sobel test for a*b), which is conservative" in out
    assert "--mc-ci DRAWS" in out and "admissible_of_converged" in out


def test_replications_are_counted_not_warned_about(monkeypatch):
    """Replications that do not converge or are inadmissible are counted in the table; the Python API's
    SEMFitWarning (audit s19 C2) stays out of the power study (lavaan's warn = FALSE inside simsem, too).

    At n = 15 (seed 2) 6 of the first 9 replications end in a Heywood case, each fitted in about a second.  The
    replications of these draws that do not converge run every fallback start to the iteration limit (about
    half a minute each), so the fits that do not converge are made by capping the optimizer's iterations: the
    power study only counts them, whatever stopped the optimizer."""
    import warnings

    from iur_survey.power import montecarlo
    from iur_survey.sem.results import SEMFitWarning

    kw = dict(n=[15], seed=2, scheduler="serial", progress=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", SEMFitWarning)
        res = power_analysis(small_pop(), SMALL_MODEL, reps=9, **kw)
    reps = res.reps.drop_duplicates(["n", "rep"])
    assert reps["converged"].all()
    assert (~reps["admissible"]).sum() >= 3          # 6 of 9 here: the quiet path is exercised
    assert (res.table["inadmissible"] == (~reps["admissible"]).sum()).all()

    fit = montecarlo.sem
    monkeypatch.setattr(montecarlo, "sem", lambda *a, **k: fit(*a, control={"max_iter": 1}, **k))
    with warnings.catch_warnings():
        warnings.simplefilter("error", SEMFitWarning)
        stopped = power_analysis(small_pop(), SMALL_MODEL, reps=3, **kw)
    reps = stopped.reps.drop_duplicates(["n", "rep"])
    assert not reps["converged"].any() and (reps["error"] == "").all()
    assert (stopped.table["converged"] == 0).all() and (stopped.table["convergence_rate"] == 0).all()


def test_coverage_names_its_interval_and_the_plot_names_the_defined_test():
    """Audit s22 C2/C3: coverage is of the 95% Wald interval whatever alpha, coverage_mc of the 1 - alpha Monte
    Carlo interval -- the summary and power.json say which; the plot's defined-effects panel names its test and
    draws the Monte Carlo CI power when it was computed."""
    from iur_survey.power.results import curve_panels
    kw = dict(n=[80], reps=3, seed=2, scheduler="serial", progress=False, alpha=0.10)
    res = power_analysis(small_pop(), SMALL_MODEL, mc_ci=1000, **kw)
    text = res.summary()
    assert "coverage of the 95% Wald CI (est ± 1.96 SE)" in text
    assert "90% interval excludes 0" in text and "share of these 90% Monte Carlo intervals" in text
    assert res.to_dict()["settings"]["coverage_ci"] == "Wald 95% (est ± 1.96 se)"
    assert res.settings["coverage_mc_ci"] == "Monte Carlo 90% percentile"
    assert curve_panels(res.table) == [("~", "Regression paths"), (":=", "Defined effects: delta-method z test "
                                                                        "(solid), Monte Carlo CI (dash-dot)")]
    plain = power_analysis(small_pop(), SMALL_MODEL, **kw)
    assert plain.settings["coverage_mc_ci"] is None
    assert curve_panels(plain.table)[1] == (":=", "Defined effects: delta-method z test (Sobel for a*b)")
