"""Latent interactions (double-mean-centred product indicators) against semTools + lavaan
(tests/sem/interaction_refs/make_refs.R), and a Monte Carlo recovery check on the simulator."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import special

from iur_survey.errors import EstimationError, ModelSyntaxError
from iur_survey.sem import sem
from iur_survey.sem.interaction import (jn_plot, johnson_neyman, product_indicators, simple_slopes,
                                        standardized_interaction)
from iur_survey.simulate.contamination import Contamination
from iur_survey.simulate.population import Population
from iur_survey.simulate.simulate import simulate

REFS = Path(__file__).parent / "interaction_refs"
REF = json.loads((REFS / "interaction_refs.json").read_text())


def _key(df):
    return [(a, o, b) if o != "~~" else (min(a, b), o, max(a, b)) for a, o, b in zip(df.lhs, df.op, df.rhs)]


@pytest.mark.parametrize("case", ["hs", "demo"])
def test_estimates_equal_lavaan_on_semtools_products(case):
    c = REF[case]
    data = pd.read_csv(REFS / c["data"])
    res = sem(c["user_model"], data)
    assert res.converged
    pe = res.parameter_estimates()
    ref = pd.DataFrame(c["pe"])
    pe.index, ref.index = _key(pe), _key(ref)
    assert sorted(pe.index) == sorted(ref.index)
    m = ref.join(pe[["est", "se"]], rsuffix="_o")
    np.testing.assert_allclose(m["est_o"], m["est"], atol=1e-4)
    np.testing.assert_allclose(m["se_o"], m["se"], atol=1e-3)
    assert res.fit_measures()["chisq"] == pytest.approx(c["fit"]["chisq"], abs=1e-3)
    # the product indicators themselves (semTools indProd)
    rec = res.meta["interaction"][0]
    assert rec["products"] == c["products"]
    ia = list(dict.fromkeys(p.split(".")[0] for p in rec["products"]))
    ib = list(dict.fromkeys(p.split(".")[1] for p in rec["products"]))
    prods = product_indicators(data, ia, ib)
    np.testing.assert_allclose(prods.to_numpy()[:5], np.array(c["products_head"]), atol=1e-12)
    # simple slopes: semTools probe2WayMC at -1/0/+1 SD of the moderator
    ss = simple_slopes(res)
    probe = pd.DataFrame(c["probe"])
    np.testing.assert_allclose(ss["moderator"], probe.iloc[:, 0], atol=1e-4)
    np.testing.assert_allclose(ss["slope"], probe["est"], atol=1e-4)
    np.testing.assert_allclose(ss["se"], probe["se"], atol=1e-4)


def test_johnson_neyman_bounds_are_where_the_ci_touches_zero(tmp_path):
    c = REF["hs"]
    res = sem(c["user_model"], pd.read_csv(REFS / c["data"]))
    jn = johnson_neyman(res)
    assert jn["lower_sd"] is not None and jn["inside_significant"] is True
    ss = simple_slopes(res, "visual:speed", [jn["lower_sd"], jn["upper_sd"]])
    crit = float(special.ndtri(0.975))
    np.testing.assert_allclose(np.abs(ss["z"]), crit, atol=1e-8)
    fig = jn_plot(res, path=tmp_path / "jn.svg")
    assert (tmp_path / "jn.svg").stat().st_size > 0 and fig is not None


def test_errors():
    d = pd.DataFrame(np.random.default_rng(0).standard_normal((100, 5)), columns=["a1", "a2", "a3", "x", "y"])
    with pytest.raises(ModelSyntaxError, match="observed variable"):
        sem("A =~ a1 + a2 + a3\ny ~ A + x + A:x", d)
    with pytest.raises(EstimationError, match="no latent interaction"):
        simple_slopes(sem("A =~ a1 + a2 + a3\ny ~ A", d))
    rng = np.random.default_rng(1)
    d2 = pd.DataFrame(rng.standard_normal((400, 7)), columns=["a1", "a2", "b1", "b2", "b3", "y", "a3"])
    d2["g"] = ["u", "v"] * 200
    res = sem("A =~ a1 + a2 + a3\nB =~ b1 + b2 + b3\ny ~ A + B + A:B", d2, group="g")
    with pytest.raises(EstimationError, match="multi-group"):
        simple_slopes(res)


def test_planted_interaction_is_recovered():
    """The simulator plants COL ~ 0.20 * GOV:MKT (standardized latents, N = 5000, five-point items);
    the standardized estimate is within 0.05 of 0.20 for every seed, and their mean within 0.025."""
    pop = replace(Population.default("none"), interactions={"GOV:MKT": 0.2})
    model = ("GOV =~ GOV1 + GOV2 + GOV3 + GOV4\nMKT =~ MKT1 + MKT2 + MKT3 + MKT4\n"
             "COL =~ COL1 + COL2 + COL3 + COL4\nCOL ~ GOV + MKT + GOV:MKT")
    est = []
    for seed in (1, 2, 3, 4, 5):
        sim = simulate(5000, seed=seed, population=pop, contamination=Contamination.none())
        res = sem(model, sim.frame)
        assert res.converged
        est.append(standardized_interaction(res))
    est = np.array(est)
    assert np.all(np.abs(est - 0.2) < 0.05), est
    assert abs(est.mean() - 0.2) < 0.025, est


def test_fit_command_reports_the_interaction(tmp_path):
    from iur_survey.cli import main
    model = tmp_path / "m.lav"
    model.write_text(REF["demo"]["user_model"] + "\n")
    out = tmp_path / "results.json"
    assert main(["fit", "tests/reference/data/complete_800.csv", "--model", str(model), "--out", str(out)]) == 0
    got = json.loads(out.read_text())
    inter = got["interaction"][0]
    assert inter["term"] == "GOV:MKT" and len(inter["simple_slopes"]) == 3
    probe = pd.DataFrame(REF["demo"]["probe"])
    np.testing.assert_allclose([r["slope"] for r in inter["simple_slopes"]], probe["est"], atol=1e-4)
    assert any(e["rhs"] == "GOV.MKT" and e["op"] == "~" for e in got["estimates"])


def _compare_pe(res, c, atol_est=1e-4, atol_se=1e-3):
    pe = res.parameter_estimates()
    ref = pd.DataFrame(c["pe"])
    pe.index, ref.index = _key(pe), _key(ref)
    assert sorted(pe.index) == sorted(ref.index)
    m = ref.join(pe[["est", "se"]], rsuffix="_o")
    np.testing.assert_allclose(m["est_o"], m["est"], atol=atol_est)
    np.testing.assert_allclose(m["se_o"], m["se"], atol=atol_se)
    fm = res.fit_measures()
    assert fm["df"] == c["fit"]["df"]
    assert fm["chisq"] == pytest.approx(c["fit"]["chisq"], abs=1e-3)


def _compare_probe(res, probe, outcome):
    ss = simple_slopes(res, "A:B", outcome=outcome)
    assert (ss["outcome"] == outcome).all()
    np.testing.assert_allclose(ss["moderator"], probe["moderator"], atol=1e-4)
    np.testing.assert_allclose(ss["slope"], probe["slope"], atol=1e-4)
    np.testing.assert_allclose(ss["se"], probe["se"], atol=1e-4)
    jn = johnson_neyman(res, "A:B", outcome=outcome)
    np.testing.assert_allclose([jn["lower"], jn["upper"]], probe["jn"], atol=1e-3)


def test_item_names_with_dots_give_lavaans_model():
    """Items a.1, b.1 (R's read.csv turns a space into a dot): the products a.1.b.1 ... covary as semTools'
    (two products sharing an item), not all of them (audit s23 A1: the items were read back from the name)."""
    c = REF["dots"]
    res = sem(c["user_model"], pd.read_csv(REFS / c["data"]))
    assert res.converged and res.meta["interaction"][0]["products"] == c["products"]
    _compare_pe(res, c)
    _compare_probe(res, c["probe"]["Y"], "Y")


def test_same_interaction_in_two_regressions_probes_each_outcome():
    c = REF["two_outcomes"]
    res = sem(c["user_model"], pd.read_csv(REFS / c["data"]))
    _compare_pe(res, c)
    for y in ("Y", "Z"):
        _compare_probe(res, c["probe"][y], y)
    with pytest.raises(EstimationError, match="outcome="):
        simple_slopes(res)                  # two outcomes: which one is never guessed


def test_slopes_refused_unless_the_factors_are_scaled_by_markers():
    """With std.lv (or a factor scaled by a fixed variance) A.B is not on the scale of A x B: b_focal +
    b_interaction x m is then no slope of A (moderation overstated by sqrt(1 + r^2)); refused (audit s23 A2)."""
    c = REF["hs"]
    data = pd.read_csv(REFS / c["data"])
    for res in (sem(c["user_model"], data, std_lv=True),
                sem(c["user_model"].replace("visual =~ x1", "visual =~ NA*x1") + "\nvisual ~~ 1*visual", data)):
        for f in (simple_slopes, johnson_neyman, standardized_interaction):
            with pytest.raises(EstimationError, match="first indicator"):
                f(res)


def test_a_factor_of_factors_as_moderator_is_refused_clearly():
    d = pd.DataFrame(np.random.default_rng(2).standard_normal((200, 7)), columns=["a1", "a2", "a3", "b1", "b2",
                                                                                  "b3", "y"])
    with pytest.raises(ModelSyntaxError, match="measured by the factor"):
        sem("A =~ a1 + a2 + a3\nB1 =~ b1 + b2\nB2 =~ b3 + y\nB =~ B1 + B2\ny ~ A + B + A:B", d)


def test_fit_and_tables_commands_with_an_interaction(tmp_path):
    """`fit` prints and records every outcome's slopes; a multi-group fit or std.lv-like scaling says why there
    are none; `tables` names the standardized interaction under the paths."""
    from iur_survey.cli import main
    c = REF["two_outcomes"]
    data = REFS / c["data"]
    model = tmp_path / "m.lav"
    model.write_text(c["user_model"] + "\n")
    out = tmp_path / "results.json"
    assert main(["fit", str(data), "--model", str(model), "--out", str(out)]) == 0
    got = json.loads(out.read_text())
    assert [(r["term"], r["outcome"]) for r in got["interaction"]] == [("A:B", "Y"), ("A:B", "Z")]
    np.testing.assert_allclose([r["slope"] for r in got["interaction"][1]["simple_slopes"]],
                               c["probe"]["Z"]["slope"], atol=1e-4)
    tab = tmp_path / "tables.md"
    assert main(["tables", str(out), "--format", "md", "--out", str(tab)]) == 0
    text = tab.read_text()
    assert "A.B → Z: the latent interaction A:B" in text
    # two groups: the entry says why there are no slopes
    d = pd.read_csv(data)
    d["g"] = np.where(np.arange(len(d)) % 2 == 0, "u", "v")
    d.to_csv(tmp_path / "d.csv", index=False)
    model.write_text(REF["dots"]["user_model"] + "\n")
    assert main(["fit", str(tmp_path / "d.csv"), "--model", str(model), "--group", "g", "--out", str(out)]) == 0
    got = json.loads(out.read_text())
    assert "multi-group" in got["interaction"][0]["note"] and "simple_slopes" not in got["interaction"][0]
    assert any("multi-group" in w for w in got["warnings"])


def test_bootstrap_of_an_interaction_is_refused_clearly():
    from iur_survey.sem.bootstrap import bootstrap
    c = REF["hs"]
    data = pd.read_csv(REFS / c["data"])
    with pytest.raises(EstimationError, match="latent interaction .* not supported yet"):
        bootstrap(sem(c["user_model"], data), 5, data=data, workers=1, progress=False)
