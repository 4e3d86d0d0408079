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
from iur_survey.simulate.respondents import simulate

REFS = Path(__file__).parent / "interaction_refs"
REF = json.loads((REFS / "interaction_refs.json").read_text())
GREF = json.loads((REFS / "group_refs.json").read_text())        # make_group_refs.R


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
    c = GREF
    res = sem(c["user_model"], pd.read_csv(REFS / c["data"]), group="g")
    for f in (johnson_neyman, standardized_interaction):
        with pytest.raises(EstimationError, match="say which group with group="):
            f(res)
    with pytest.raises(EstimationError, match="the groups are 'north', 'south'"):
        simple_slopes(res, group="east")


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


def test_slopes_per_group_equal_semtools_probe2waymc():
    """Two groups (products centred on the whole sample, as semTools' indProd): the fit equals lavaan's, and each
    group's slopes at -1/0/+1 SD of B in that group equal probe2WayMC(group = g) (make_group_refs.R); the
    Johnson-Neyman roots and the standardized interaction equal the same formulas on lavaan's coef / vcov."""
    c = GREF
    res = sem(c["user_model"], pd.read_csv(REFS / c["data"]), group="g")
    assert res.converged and res.meta["interaction"][0]["products"] == c["products"]
    pe = res.parameter_estimates()
    ref = pd.DataFrame(c["groups"]["pe"])
    key = lambda df: [k + (int(g),) for k, g in zip(_key(df), df["group"])]      # noqa: E731
    pe.index, ref.index = key(pe), key(ref)
    m = ref.join(pe[["est", "se"]], rsuffix="_o", how="inner")
    assert len(m) == len(ref) == len(pe)
    np.testing.assert_allclose(m["est_o"], m["est"], atol=1e-4)
    np.testing.assert_allclose(m["se_o"], m["se"], atol=1e-3)
    ss = simple_slopes(res)
    assert list(ss["group"]) == ["north"] * 3 + ["south"] * 3
    for g, probe in c["groups"]["probe"].items():
        one = simple_slopes(res, group=g)
        pd.testing.assert_frame_equal(one, ss[ss["group"] == g].reset_index(drop=True))
        for col, key in (("moderator", "moderator"), ("slope", "slope"), ("se", "se"), ("z", "z"),
                         ("pvalue", "pvalue")):
            np.testing.assert_allclose(one[col], probe[key], atol=1e-4, err_msg=f"{g} {col}")
        jn = johnson_neyman(res, group=g)
        assert jn["group"] == g
        np.testing.assert_allclose([jn["lower"], jn["upper"]], probe["jn"], rtol=1e-3, atol=1e-3)
        assert standardized_interaction(res, group=g) == pytest.approx(probe["standardized"], abs=1e-4)
    assert simple_slopes(res, group=2)["group"].eq("south").all()       # probe2WayMC's group number


@pytest.mark.parametrize("case", ["one", "two"])
def test_std_lv_slopes_are_per_unit_of_the_product(case):
    """std.lv: the coefficient of A.B is per SD of the product latent; the slopes use c b3 with c = l_a1 l_b1 / l_a1.b1
    (delta-method SE): lavaan's := of the std.lv fit (make_group_refs.R, which checks them against the marker fit);
    probe2WayMC's raw reading differs (the refs keep it, to show the rescaling matters)."""
    c = GREF
    data = pd.read_csv(REFS / c["data"])
    if case == "one":
        res = sem(c["user_model"], data[data["g"] == "north"], std_lv=True)
    else:
        res = sem(c["user_model"], data, group="g", std_lv=True)
    assert res.converged
    for k, probe in enumerate(c["stdlv"][case]["probe"]):
        group = k + 1 if case == "two" else None
        ss = simple_slopes(res, group=group)
        np.testing.assert_allclose(ss["moderator"], probe["moderator"], atol=1e-4)
        np.testing.assert_allclose(ss["slope"], probe["slope"], atol=1e-4)
        np.testing.assert_allclose(ss["se"], probe["se"], atol=1e-4)
        assert np.max(np.abs(np.array(probe["raw_probe_slope"]) - probe["slope"])) > 1e-4
        jn = johnson_neyman(res, group=group)
        np.testing.assert_allclose([jn["lower"], jn["upper"]], probe["jn"], rtol=1e-3, atol=1e-3)
        assert standardized_interaction(res, group=group) == pytest.approx(probe["standardized"], abs=1e-4)


def test_a_fixed_focal_variance_gives_the_marker_fits_slopes_in_its_units():
    """visual scaled by a fixed variance (its first loading free): the slopes are the marker fit's times the
    loading of x1 (the unit of visual); the standardized interaction is the marker fit's (audit s23 A2 refused it)."""
    c = REF["hs"]
    data = pd.read_csv(REFS / c["data"])
    mark = sem(c["user_model"], data)
    res = sem(c["user_model"].replace("visual =~ x1", "visual =~ NA*x1") + "\nvisual ~~ 1*visual", data)
    lam = float(res.parameter_estimates().query("lhs == 'visual' and rhs == 'x1'")["est"].iloc[0])
    np.testing.assert_allclose(simple_slopes(res)["slope"], simple_slopes(mark)["slope"] * lam, atol=1e-5)
    assert standardized_interaction(res) == pytest.approx(standardized_interaction(mark), abs=1e-5)
    # (their SEs, hence the Johnson-Neyman bounds, differ by a few per cent: a Wald test is not invariant to the
    # nonlinear rescaling by the estimated loading; the std.lv references above are lavaan's := in this scaling)
    jr = johnson_neyman(res)
    ss = simple_slopes(res, at=[jr["lower_sd"], jr["upper_sd"]])
    np.testing.assert_allclose(np.abs(ss["z"]), special.ndtri(0.975), atol=1e-8)


def test_a_free_latent_mean_is_refused_per_group():
    """--equal intercepts frees the latent means of the second group: the products, centred on the whole sample,
    are then no product of latents centred in that group; refused with a clear message, never probed off-centre."""
    c = GREF
    res = sem(c["user_model"], pd.read_csv(REFS / c["data"]), group="g", group_equal=["loadings", "intercepts"])
    assert len(simple_slopes(res, group="north")) == 3
    with pytest.raises(EstimationError, match="in group 'south': the mean of A is free"):
        simple_slopes(res, group="south")


def test_a_factor_of_factors_as_moderator_is_refused_clearly():
    d = pd.DataFrame(np.random.default_rng(2).standard_normal((200, 7)), columns=["a1", "a2", "a3", "b1", "b2",
                                                                                  "b3", "y"])
    with pytest.raises(ModelSyntaxError, match="measured by the factor"):
        sem("A =~ a1 + a2 + a3\nB1 =~ b1 + b2\nB2 =~ b3 + y\nB =~ B1 + B2\ny ~ A + B + A:B", d)


def test_fit_and_tables_commands_with_an_interaction(tmp_path):
    """`fit` prints and records every outcome's (and group's) slopes; a group with a free latent mean says why it
    has none; `tables` names the standardized interaction under the paths."""
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
    assert "A × B → Z: the latent interaction A:B (the product factor A.B)" in text
    # two groups: one entry per group, probe2WayMC(group = g)'s slopes; with --equal intercepts the second group's
    # latent means are free: its entry says why it has none
    model.write_text(GREF["user_model"] + "\n")
    assert main(["fit", str(REFS / GREF["data"]), "--model", str(model), "--group", "g", "--out", str(out)]) == 0
    got = json.loads(out.read_text())
    assert [(r["outcome"], r["group"]) for r in got["interaction"]] == [("Y", "north"), ("Y", "south")]
    for r in got["interaction"]:
        np.testing.assert_allclose([s["slope"] for s in r["simple_slopes"]], GREF["groups"]["probe"][r["group"]]["slope"],
                                   atol=1e-4)
    assert main(["tables", str(out), "--format", "md", "--out", str(tab)]) == 0
    assert "A × B → Y (south): the latent interaction A:B" in tab.read_text()
    assert main(["fit", str(REFS / GREF["data"]), "--model", str(model), "--group", "g", "--equal",
                 "loadings,intercepts", "--out", str(out)]) == 0
    got = json.loads(out.read_text())
    assert "simple_slopes" in got["interaction"][0] and "simple_slopes" not in got["interaction"][1]
    assert "in group south" in got["interaction"][1]["note"]
    assert any("the mean of A is free" in w for w in got["warnings"])


def test_bootstrap_of_an_interaction_is_refused_clearly():
    from iur_survey.sem.bootstrap import bootstrap
    c = REF["hs"]
    data = pd.read_csv(REFS / c["data"])
    with pytest.raises(EstimationError, match="latent interaction .* not supported yet"):
        bootstrap(sem(c["user_model"], data), 5, data=data, workers=1, progress=False)
