"""The Neyman-Pearson bounds of iur_survey.clean.oracle against exact values and the generators they describe."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from numpy.polynomial.hermite_e import hermegauss
from scipy.special import logsumexp, ndtri

from iur_survey.clean import oracle
from iur_survey.instrument import load_instrument
from iur_survey.simulate.population import Population
from iur_survey.simulate.respondents import _setup

HERE = Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location("_grm_generator_oracle_test", HERE / "grm_generator.py")
grm = importlib.util.module_from_spec(spec)
spec.loader.exec_module(grm)


def one_factor(k: int, loading: float) -> np.ndarray:
    r = np.full((k, k), loading ** 2)
    np.fill_diagonal(r, 1.0)
    return r


# -- the continuous model ------------------------------------------------------------------------
def test_gaussian_identity_gives_alpha():
    """R = I: honest and random answers have the same distribution, every test has power alpha."""
    tab = oracle.gaussian_bound(np.eye(10), tails=(None, 4), alphas=(0.01, 0.05), draws=20_000, seed=5)
    assert np.allclose(tab["power"], tab["alpha"], atol=0.005)
    assert np.allclose(tab["honest_beyond"], tab["alpha"], atol=0.002)


def test_gaussian_power_increases_with_loadings_and_tail():
    powers = [oracle.gaussian_bound(one_factor(12, lam), tails=(None,), alphas=(0.01,), draws=20_000,
                                    seed=2).loc[0, "power"] for lam in (0.4, 0.6, 0.8)]
    assert powers[0] > 0.02 and powers[1] > powers[0] + 0.1 and powers[2] > powers[1] + 0.1
    tab = oracle.gaussian_bound(one_factor(12, 0.7), tails=(3, 6, 12), alphas=(0.01,), draws=20_000, seed=3)
    p = tab.set_index("tail")["power"]
    assert p[3] > 0.02 and p[6] > p[3] + 0.05 and p[12] > p[6] + 0.015
    assert (tab["honest_beyond"] - 0.01).abs().max() < 0.002


def test_gaussian_rejects_bad_input():
    with pytest.raises(ValueError, match="positive definite"):
        oracle.gaussian_bound(np.array([[1.0, 2.0], [2.0, 1.0]]), draws=10)
    with pytest.raises(ValueError, match="tail"):
        oracle.gaussian_bound(np.eye(3), tails=(4,), draws=10)


# -- the ordinal models against brute force ------------------------------------------------------------
def tiny_models():
    """4 items x 3 categories, one trait: a probit and a graded-response version."""
    it = np.zeros(4, dtype=int)
    probit = oracle.probit_model(np.array([0.8, 0.7, 0.6, 0.75]),
                                 np.array([[-1.0, 0.3], [-0.5, 0.8], [-0.2, 1.0], [-1.2, 0.0]]), it, corr=np.eye(1))
    logit = oracle.grm_model(np.array([2.0, 1.5, 1.0, 2.5]),
                             np.array([[-1.0, 0.2], [-0.3, 0.9], [-1.5, 0.5], [0.0, 1.2]]), np.eye(1), it)
    return [probit, logit]


def exact_probabilities(model, patterns, items=None):
    """P(x_items) by 80-point Gauss-Hermite quadrature over the one N(0, 1) trait."""
    nodes, weights = hermegauss(80)
    p = model.probabilities(nodes[:, None])                      # nodes x items x categories
    sel = np.arange(model.n_items) if items is None else np.flatnonzero(items)
    cond = np.prod(p[:, sel[None, :], patterns[:, sel]], axis=2)  # nodes x patterns
    return weights @ cond / np.sqrt(2 * np.pi)


def all_patterns(k=4, c=3):
    return np.array(np.meshgrid(*[np.arange(c)] * k, indexing="ij")).reshape(k, -1).T


def exact_power(p_honest, p_careless, alpha):
    """The randomised Neyman-Pearson test on a finite sample space."""
    llr = np.log(p_careless) - np.log(p_honest)
    order = np.argsort(-llr, kind="stable")
    llr, ph, pc = llr[order], p_honest[order], p_careless[order]
    power, size = 0.0, 0.0
    for v in np.unique(llr)[::-1]:
        at = np.abs(llr - v) < 1e-12
        if size + ph[at].sum() <= alpha:
            size += ph[at].sum()
            power += pc[at].sum()
        else:
            return power + (alpha - size) / ph[at].sum() * pc[at].sum()
    return power


@pytest.mark.parametrize("which", [0, 1])
def test_ordinal_loglik_equals_quadrature(which):
    model = tiny_models()[which]
    x = all_patterns()
    exact = exact_probabilities(model, x)
    assert exact.sum() == pytest.approx(1.0, abs=1e-10)
    ll = oracle.ordinal_loglik(model, x, nodes=256, seed=1)
    assert np.abs(ll["loglik"] - np.log(exact)).max() < 0.03
    head = np.array([True, True, False, False])
    ll_head = oracle.ordinal_loglik(model, x, items=head, nodes=256, seed=2)
    assert np.abs(ll_head["loglik"] - np.log(exact_probabilities(model, x, head))).max() < 0.03
    assert ll["ess"].min() > 50


@pytest.mark.parametrize("which", [0, 1])
def test_ordinal_bound_equals_enumeration(which):
    """The simulated bound equals the exact randomised likelihood-ratio test on all 81 answer patterns."""
    model = tiny_models()[which]
    x = all_patterns()
    p = exact_probabilities(model, x)
    uniform = np.full(len(x), 1 / 81)
    marg = model.probabilities(hermegauss(80)[0][:, None])
    marg = np.einsum("g,gjc->jc", hermegauss(80)[1] / np.sqrt(2 * np.pi), marg)
    marginal = np.prod(marg[np.arange(4), x], axis=1)
    head = np.array([True, True, False, False])
    partial = exact_probabilities(model, x, head) / 9
    shares = np.tile([0.2, 0.3, 0.5], (4, 1))
    fixed = np.prod(shares[np.arange(4), x], axis=1)
    other = tiny_models()[1 - which]                               # a careless kind given as a model of its own
    tab = oracle.ordinal_bound(model, tails=(2,), alphas=(0.05, 0.1), n=20_000, nodes=32, seed=4, shares=shares,
                               careless_models={"other": other})
    assert set(tab["honest"]) == {"model"}
    for kind, pc in (("random_uniform", uniform), ("random_marginal", marginal), ("random_shares", fixed),
                     ("partial_uniform", partial), ("other", exact_probabilities(other, x))):
        for alpha in (0.05, 0.1):
            got = tab.loc[(tab["kind"] == kind) & (tab["alpha"] == alpha)].iloc[0]
            assert got["power"] == pytest.approx(exact_power(p, pc, alpha), abs=0.035), (kind, alpha)
            assert got["honest_beyond"] == pytest.approx(alpha, abs=0.005)


def test_style_mixture_loglik_equals_quadrature():
    """A graded response model with 30 % acquiescent respondents (shift ~ U(.2, 1)): P(x) by 2-D quadrature."""
    a, b = np.array([2.0, 1.5, 1.0, 2.5]), np.array([[-1.0, 0.2], [-0.3, 0.9], [-1.5, 0.5], [0.0, 1.2]])
    rev = np.array([False, True, False, False])
    mix = oracle.grm_model(a, b, np.eye(1), np.zeros(4, dtype=int), styles={"acquiescent": (0.3, (0.2, 1.0))},
                           reverse=rev)
    x = all_patterns()
    t, wt = hermegauss(60)
    g, wg = np.polynomial.legendre.leggauss(40)
    g = 0.6 + 0.4 * g                                              # U(.2, 1): nodes and weights / (hi - lo)
    styled = mix.components[1]
    eta = np.stack(np.meshgrid(t, ndtri((g - 0.2) / 0.8), indexing="ij"), -1).reshape(-1, 2)   # (theta, z(g))
    w = (wt[:, None] / np.sqrt(2 * np.pi) * wg[None, :] * 0.4 / 0.8).ravel()
    p_sty = w @ np.prod(styled.probabilities(eta)[:, np.arange(4)[None, :], x], axis=2)
    exact = 0.7 * exact_probabilities(mix.components[0], x) + 0.3 * p_sty
    assert exact.sum() == pytest.approx(1.0, abs=1e-8)
    ll = oracle.ordinal_loglik(mix, x, nodes=256, seed=1)
    assert np.abs(ll["loglik"] - np.log(exact)).max() < 0.02


def test_ordinal_rejects_codes_out_of_range():
    with pytest.raises(ValueError, match="codes 0 .. 2"):
        oracle.ordinal_loglik(tiny_models()[0], np.array([[0, 1, 2, 3]]))


# -- the package simulator's model -------------------------------------------------------------------
def test_simulator_prior_density_integrates_to_one():
    """E_q[p(eta) / q(eta)] = 1 for a Gaussian q wider than the simulator's latent scores."""
    model = oracle.simulator_model()
    rng = np.random.default_rng(7)
    eta = model.traits(20_000, rng)
    mean, cov = eta.mean(0), np.cov(eta, rowvar=False) * 1.5
    draws = rng.multivariate_normal(mean, cov, size=100_000)
    ratio = np.exp(model.log_density(draws) - oracle._mvn_logpdf(draws, mean, cov))
    assert ratio.mean() == pytest.approx(1.0, abs=0.02)


def test_simulator_model_matches_the_simulator():
    """Honest codes of the oracle's model have the simulator's item shares (the simulator's own thresholds)."""
    from iur_survey.simulate import Contamination, simulate

    sim = simulate(4000, seed=3, contamination=Contamination.none())
    inst = load_instrument()
    s = _setup(inst, Population.default())
    x = sim.frame[list(inst.item_codes)].to_numpy(dtype=float)
    x[:, s.reverse] = inst.scale_min + inst.scale_max - x[:, s.reverse]
    model = oracle.simulator_model()
    y = model.draw(20_000, np.random.default_rng(1))
    for c in range(5):
        assert np.abs((x == c + 1).mean(0) - (y == c).mean(0)).max() < 0.04


def test_importance_sampling_matches_plain_monte_carlo_in_seven_dimensions():
    """log P(x) by importance sampling equals plain Monte Carlo over the simulator's own latent draws."""
    model = oracle.simulator_model()
    rng = np.random.default_rng(11)
    x = model.draw(3, rng)
    is_ll = oracle.ordinal_loglik(model, x, nodes=256, seed=3)["loglik"].to_numpy()
    parts = [model.log_conditional(x, np.broadcast_to(model.traits(50_000, rng), (3, 50_000, 7)))
             for _ in range(3)]
    lw = np.concatenate(parts, axis=1)
    mc_ll = logsumexp(lw, axis=1) - np.log(lw.shape[1])
    mc_ess = np.exp(2 * logsumexp(lw, axis=1) - logsumexp(2 * lw, axis=1))
    # plain Monte Carlo over the prior is the noisy side: its relative error is about 1 / sqrt(ESS)
    assert (np.abs(is_ll - mc_ll) < 4 / np.sqrt(mc_ess) + 0.02).all()


def share_misfit(observed: np.ndarray, model_draws: np.ndarray, categories: int = 5) -> float:
    """Mean over items x categories of the squared standardised difference of the shares (about 1 if they agree)."""
    o = np.stack([(observed == c).mean(0) for c in range(categories)], 1)
    e = np.stack([(model_draws == c).mean(0) for c in range(categories)], 1)
    return float(((o - e) ** 2 / np.clip(e * (1 - e) / len(observed), 1e-9, None)).mean())


def scored_codes(frame, inst):
    x = frame[list(inst.item_codes)].to_numpy(dtype=float)
    rev = np.isin(list(inst.item_codes), list(inst.reverse_items))
    x[:, rev] = inst.scale_min + inst.scale_max - x[:, rev]
    return (x - inst.scale_min).astype(int)


def test_simulator_style_mixture_matches_the_simulator():
    """Each component of simulator_model(styles=...) gives the answers of the simulator's respondents of that style."""
    from dataclasses import replace

    from iur_survey.simulate import Contamination, simulate
    from iur_survey.simulate.contamination import StyleStrengths

    inst = load_instrument()
    st = StyleStrengths.drawn(1)
    cont = replace(Contamination.none(), acquiescent=0.25, extreme=0.25, midpoint=0.25)
    sim = simulate(2400, seed=2, contamination=cont, styles=st)
    x = scored_codes(sim.frame, inst)
    kind = sim.truth.set_index("position")["kind"].reindex(range(len(x))).fillna("").to_numpy()
    mix = oracle.simulator_model(styles=st, contamination=cont)
    assert mix.weights == pytest.approx((0.25, 0.25, 0.25, 0.25))
    rng = np.random.default_rng(3)
    for comp in mix.components:
        sel = kind == (comp.name if comp.strength is not None else "")
        assert share_misfit(x[sel], comp.draw(50_000, rng)) < 1.8, comp.name
        if comp.strength is not None:   # and the test sees a wrong model
            wrong = comp.styled(-comp.strength_slope, comp.strength, "wrong")
            assert share_misfit(x[sel], wrong.draw(50_000, rng)) > 20


def test_grm_style_mixture_matches_the_generator():
    inst = load_instrument()
    frame, truth = grm.generate(6000, 5, careless_rate=0.0, style_rate=0.6)
    x = scored_codes(frame, inst)
    kind = truth.set_index("position")["kind"].reindex(range(len(x))).fillna("").to_numpy()
    par = grm.parameters(5)
    mix = oracle.grm_model(par["a"], par["b"], par["r"], par["item_trait"], styles=grm.styles(0.6),
                           reverse=par["reverse"])
    assert mix.weights == pytest.approx((0.55, 0.15, 0.15, 0.15))
    rng = np.random.default_rng(4)
    for comp in mix.components:
        sel = np.isin(kind, ["", "fast_careful"]) if comp.strength is None else kind == comp.name
        assert share_misfit(x[sel], comp.draw(50_000, rng)) < 1.8, comp.name


# -- the GRM generator's true parameters --------------------------------------------------------------
@pytest.mark.parametrize("seed", [1, 4])
def test_grm_parameters_reproduce_generate(seed):
    """parameters(seed) and the oracle's GRM reproduce generate()'s honest answers code for code."""
    n = 300
    frame, truth = grm.generate(n, seed, careless_rate=0.0, style_rate=0.0)
    assert truth.empty
    inst = load_instrument()
    par = grm.parameters(seed)
    rng = np.random.default_rng([seed, 8675309])
    again = grm._draw_parameters(rng, inst)                       # the same first draws as generate's
    for key in par:
        assert np.array_equal(par[key], again[key])
    theta = rng.multivariate_normal(np.zeros(len(par["r"])), par["r"], size=n)
    rng.permutation(n)                                             # generate's (empty) pick of styled people
    u = rng.random((n, len(par["a"])))
    model = oracle.grm_model(par["a"], par["b"], par["r"], par["item_trait"])
    scored = (u[:, :, None] < model.upper(theta)).sum(2)
    raw = np.where(par["reverse"], inst.scale_max - scored, inst.scale_min + scored)
    idx = frame["response_id"].str.rsplit("_", n=1).str[1].astype(int).to_numpy()
    got = np.empty_like(raw, dtype=float)
    got[idx] = frame[list(inst.item_codes)].to_numpy(dtype=float)
    assert np.array_equal(got, raw)


# -- real respondents: the copula approximation ----------------------------------------------------------
def test_copula_independent_items_give_alpha():
    """Independent answers: the copula is flat, marginal-matched random answers are indistinguishable."""
    rng = np.random.default_rng(9)
    pool = rng.choice(4, size=(20_000, 6), p=[0.1, 0.2, 0.4, 0.3])
    tab = oracle.copula_bound(pool, 4, tails=(3,), alphas=(0.05,), n_careless=20_000, seed=1)
    row = tab.set_index("kind").loc["random_marginal"]
    assert row["power"] == pytest.approx(0.05, abs=0.02)
    assert tab.set_index("kind").loc["random_uniform", "power"] > 0.2


def test_bound_table_puts_the_bound_beside_the_measured_recall():
    from iur_survey.clean.evaluate import BOUND_TAILS, bound_table

    tab = bound_table("grm", n=300, seed=2, alphas=(0.01,), n_model=500, nodes=16)
    assert list(tab.columns) == ["kind", "tail", "bound 1.0%", "styled bound 1.0%", "styled cut 1.0%", "measured",
                                 "measured past screening", "measured kind", "honest excluded"]
    assert tab["kind"].tolist() == ["random_uniform", "random_marginal", "random_shares"] + ["partial_uniform"] * 3
    assert tab["tail"].tolist() == [28, 28, 28, *BOUND_TAILS["grm"]]
    assert tab["measured kind"].tolist() == ["random"] * 3 + ["partial"] * 3
    assert tab["bound 1.0%"].between(0, 1).all()


def test_copula_rejects_codes_out_of_range():
    with pytest.raises(ValueError, match="codes 0 .. 3"):
        oracle.copula_bound(np.array([[0, 1], [4, 2]]), 4)
    with pytest.raises(ValueError, match="no missing answers"):
        oracle.copula_bound(np.array([[0, 1], [np.nan, 2]]), 4)
