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
