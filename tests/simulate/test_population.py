"""The population model: plausible values, internal consistency, lavaan agreement."""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pytest

from iur_survey.instrument import load_instrument
from iur_survey.simulate.population import EXOGENOUS, LATENTS, Population, lavaan_syntax

POP = Population.default()
INST = load_instrument()


def test_values_are_in_the_briefed_ranges():
    off = [v for v in POP.factor_correlations.values()]
    assert len(off) == 10 and all(0.2 <= v <= 0.45 for v in off)
    a, b, c = POP.structural()
    assert all(0.10 <= x <= 0.35 for x in a)
    assert b == pytest.approx(0.45)
    assert all(0 <= x <= 0.15 for x in c) and (c == 0).sum() >= 1   # small, some zero
    assert set(POP.loadings) == set(INST.item_codes)
    assert all(0.6 <= v <= 0.85 for v in POP.loadings.values())
    assert POP.role_mix == {"enterprise": 0.40, "university": 0.30, "research_institute": 0.18, "government": 0.12}


def test_latent_variances_are_one():
    # recompute var(COL) and var(INT) by hand from the path formulas, not by the class
    phi = POP.phi()
    a, b, c = POP.structural()
    psi = POP.residual_variances()
    var_col = a @ phi @ a + psi["COL"]
    cov_col_x = phi @ a
    var_int = b * b * var_col + c @ phi @ c + 2 * b * (c @ cov_col_x) + psi["INT"]
    assert var_col == pytest.approx(1.0) and var_int == pytest.approx(1.0)
    cov = POP.latent_covariance().to_numpy()
    assert np.allclose(np.diag(cov), 1.0)
    assert cov[LATENTS.index("COL"), LATENTS.index("INT")] == pytest.approx(b + c @ cov_col_x)
    assert 0.2 < POP.r_squared()["COL"] < 0.7 and 0.2 < POP.r_squared()["INT"] < 0.7


def test_thresholds_skew_toward_agreement():
    p = POP.category_probabilities()
    assert np.allclose(p.sum(axis=1), 1.0)
    agree = p[[4, 5]].sum(axis=1)
    disagree = p[[1, 2]].sum(axis=1)
    assert (agree > disagree + 0.2).all()
    # reverse-keyed items are less agreed with once scored back (acquiescence)
    rev = list(INST.reverse_items)
    assert agree[rev].mean() < agree.drop(rev).mean()


def test_role_means_are_centred_and_scaled_by_role_effect():
    pop = Population.default("means")
    for f in EXOGENOUS:
        assert sum(pop.role_mix[r] * pop.role_means[r][f] for r in pop.role_mix) == pytest.approx(0, abs=2e-3)
    assert pop.role_means["government"]["GOV"] > 0.2
    none = Population.default("none")
    assert none.role_means == {} and none.role_paths == {}
    mp = Population.default("means+paths")
    assert mp.paths_for("government")["COL~GOV"] == 0.45
    assert mp.paths_for("enterprise")["COL~GOV"] == 0.25
    half = Population.from_dict({**mp.to_dict(), "role_effect": 0.5})
    assert half.paths_for("government")["COL~GOV"] == pytest.approx(0.35)


def test_round_trip_and_json():
    for kind in ("none", "means", "means+paths"):
        pop = Population.default(kind)
        doc = json.loads(json.dumps(pop.to_dict()))
        assert Population.from_dict(doc) == pop
    d = POP.to_dict()
    assert d["derived"]["indirect_effects"]["BEN"] == pytest.approx(0.30 * 0.45)
    assert d["derived"]["total_effects"]["VAL"] == pytest.approx(0.15 + 0.15 * 0.45)


@pytest.mark.parametrize("change, message", [
    (dict(factor_correlations={**POP.factor_correlations, "GOV~~MKT": 0.99, "GOV~~BEN": -0.99}), "positive definite"),
    (dict(loadings={**POP.loadings, "GOV1": 1.2}), "GOV1"),
    (dict(thresholds={**POP.thresholds, "GOV1": (0.5, 0.1, 0.2, 0.3)}), "increasing"),
    (dict(role_mix={"enterprise": 0.5, "university": 0.3}), "summing to 1"),
    (dict(paths={**POP.paths, "COL~GOV": 0.9, "COL~BEN": 0.9}), "explain more"),
    (dict(role_paths={"government": {"COL~XYZ": 0.3}}), "unknown path"),
])
def test_invalid_populations_are_refused(change, message):
    doc = {**POP.to_dict(derived=False), **{k: v for k, v in change.items()}}
    with pytest.raises(ValueError, match=message):
        Population.from_dict(doc)


def test_lavaan_syntax_names_every_parameter():
    text = lavaan_syntax()
    for item, lam in POP.loadings.items():
        assert f"{lam:.6g}*{item}" in text
        assert f"{item} ~~ " in text
    assert "COL ~ 0.25*GOV + 0.2*MKT + 0.3*BEN + 0.15*VAL + 0.1*TAL" in text
    assert "INT ~ 0.45*COL + 0*GOV + 0.1*MKT + 0*BEN + 0.15*VAL + 0.05*TAL" in text
    free = POP.to_lavaan(values=False)
    assert "*" not in free and "~~" not in free
    assert POP.to_lavaan(thresholds=True).count("|") == 28


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("Rscript") is None, reason="needs R with lavaan")
def test_lavaan_implied_covariance_matches(tmp_path):
    """lavaan's implied covariance of the fully fixed population model is our item correlation matrix."""
    (tmp_path / "pop.lav").write_text(lavaan_syntax(), encoding="utf-8")
    r = POP.item_correlations()
    r.to_csv(tmp_path / "r.csv")
    script = f"""
suppressMessages(library(lavaan))
m <- paste(readLines("{tmp_path}/pop.lav"), collapse = "\\n")
r <- as.matrix(read.csv("{tmp_path}/r.csv", row.names = 1))
fit <- sem(m, sample.cov = r, sample.nobs = 500, do.fit = FALSE)
imp <- lavInspect(fit, "implied")$cov
items <- rownames(r)
cat(sprintf("%.3e %d", max(abs(imp[items, items] - r[items, items])), sum(lavInspect(fit, "free")$lambda)))
"""
    out = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    diff, nfree = out.stdout.split()
    assert float(diff) < 1e-8 and int(nfree) == 0
