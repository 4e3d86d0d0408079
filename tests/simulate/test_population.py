"""The population model: plausible values, internal consistency, lavaan agreement."""

from __future__ import annotations

import json
from pathlib import Path

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


def test_lavaan_implied_covariance_matches():
    """lavaan's implied covariance of the fully fixed population model is our item correlation matrix.

    The reference is stored: tests/simulate/population_refs/make_refs.R ran lavaan 0.6.14 on pop.lav (the text of
    lavaan_syntax() when it was made) and wrote implied.json.  The matrices agree to ~1e-16; 1e-8 leaves room for
    the syntax's printing of the values (6 significant digits), not for a wrong matrix."""
    ref_dir = Path(__file__).parent / "population_refs"
    assert lavaan_syntax() == (ref_dir / "pop.lav").read_text(encoding="utf-8"), \
        "the population changed: rewrite pop.lav and rerun make_refs.R (see its header)"
    ref = json.loads((ref_dir / "implied.json").read_text(encoding="utf-8"))
    assert ref["nfree"] == 0 and ref["nfree_lambda"] == 0
    items = ref["items"]
    assert sorted(items) == sorted(POP.item_correlations().index)
    r = POP.item_correlations().loc[items, items].to_numpy()
    imp = np.array(ref["implied"])
    assert imp.shape == (28, 28)
    assert np.abs(imp - r).max() < 1e-8
