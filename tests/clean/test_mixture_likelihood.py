"""The intermittent-randomness ratio (:func:`iur_survey.clean.indices.mixture_lr`) and its opt-in rule."""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from iur_survey.clean import indices as I
from iur_survey.clean import rules
from iur_survey.clean.config import CleanConfig
from iur_survey.clean.decision import EVIDENCE_GROUPS, decide
from iur_survey.instrument import load_instrument


def _sample(seed: int = 11, n: int = 1500) -> np.ndarray:
    rng = np.random.default_rng(seed)
    f = np.repeat(rng.normal(size=(n, 2)), 6, axis=1)                     # two scales of six items
    return np.clip(np.round(2 + f + rng.normal(scale=.6, size=(n, 12))), 0, 4).astype(int)


def _direct_conditional(x: np.ndarray, tau: np.ndarray, r: np.ndarray, shift: float, stretch: float) -> np.ndarray:
    """Each answer's probability given the others, item by item with the partitioned normal (no precision matrix):
    ``mu = R_j,-j R_-j,-j^-1 z_-j``, ``var = 1 - R_j,-j R_-j,-j^-1 R_-j,j``, thresholds moved by the style."""
    k = x.shape[1]
    mid = I.scale_midpoint(tau)
    t = (tau - shift - mid[:, None]) / stretch + mid[:, None]             # the style's thresholds, honest latent scale
    cum = stats.norm.cdf(t)
    j = np.arange(k)
    z = stats.norm.ppf((cum[j, x] + cum[j, x + 1]) / 2)                   # the answers' mid-point scores in the style
    out = np.empty(x.shape)
    for i in range(len(x)):
        for a in range(k):
            o = np.delete(j, a)
            w = np.linalg.solve(r[np.ix_(o, o)], r[o, a])
            mu, sd = w @ z[i, o], np.sqrt(1 - r[a, o] @ w)
            out[i, a] = stats.norm.cdf((t[a, x[i, a] + 1] - mu) / sd) - stats.norm.cdf((t[a, x[i, a]] - mu) / sd)
    return out


def test_conditional_probabilities_are_the_partitioned_normal_ones():
    x = _sample()
    tau, r = I.answer_model(x, 5)
    for shift, stretch in ((0.0, 1.0), (0.5, 1.6), (-0.5, 0.6)):
        got = np.exp(I.conditional_item_logp(x[:40], tau, r, np.array([shift]), np.array([stretch]))[0])
        assert np.allclose(got, _direct_conditional(x[:40], tau, r, shift, stretch), atol=1e-8)


def test_the_ratio_is_the_smallest_over_styles_of_the_best_mixture_against_none():
    x = _sample()
    tau, r = I.answer_model(x, 5)
    rows = x[:25]
    best = np.full(len(rows), np.inf)
    for shift in I.LR_SHIFTS:
        for stretch in I.LR_SCALES:
            p = _direct_conditional(rows, tau, r, shift, stretch)
            gain = np.max([np.log((1 - pi) * p + pi / 5).sum(axis=1) for pi in I.MIX_PIS], axis=0)
            best = np.minimum(best, np.maximum(gain - np.log(p).sum(axis=1), 0))
    assert np.allclose(I.mixture_lr(rows, tau, r), best, atol=1e-6)


def test_partly_random_answers_score_higher_than_honest_and_styled_ones():
    for seed in (1, 2, 3):
        rng = np.random.default_rng(seed)
        f = np.repeat(rng.normal(size=(1500, 4)), 6, axis=1)                # four scales of six items
        x = np.clip(np.round(2 + f + rng.normal(scale=.6, size=(1500, 24))), 0, 4).astype(int)
        x[:30] = np.where(rng.random((30, 24)) < .4, rng.integers(0, 5, (30, 24)), x[:30])   # 40 % random
        x[30] = 4                                                              # extreme, consistent
        x[31] = [0] * 12 + [4] * 12                                            # two scales at each end
        x[32] = np.where(x[32] < 2, 0, np.where(x[32] > 2, 4, 2))              # the own answers, stretched
        tau, r = I.answer_model(x, 5)
        lr = I.mixture_lr(x, tau, r)
        cut = np.quantile(lr[33:], .99)                                        # 0 for most honest rows
        assert (lr[:30] > cut).mean() > 0.3, (lr[:30] > cut).mean()            # .47-.70 over seeds 1-5
        assert (lr[30:33] <= cut + 0.05).all() and (lr[30:33] < np.median(lr[:30][lr[:30] > cut])).all()


def test_the_bound_and_the_quantiles_are_exact_where_they_matter():
    x = _sample()
    tau, r = I.answer_model(x, 5)
    full = I.mixture_lr(x, tau, r)
    cut = np.quantile(full, .97)
    pruned = I.mixture_lr(x, tau, r, above=cut)
    assert np.allclose(pruned[full > cut], full[full > cut])
    assert np.all(pruned >= full - 1e-12)                                   # the others keep an upper bound
    assert np.allclose(I.mixture_lr_quantiles(x, tau, r, [.99, .995]), np.quantile(full, [.99, .995]))


def test_missing_answers_are_not_evaluated():
    x = _sample()
    tau, r = I.answer_model(x, 5)
    c = x[:3].copy()
    c[1, 4] = -1
    assert np.isnan(I.mixture_lr(c, tau, r)).tolist() == [False, True, False]


def test_the_rule_is_off_by_default_and_counts_as_likelihood_evidence():
    assert "mixture_likelihood" not in CleanConfig().rules
    assert "mixture_likelihood" not in rules.DEFAULT_RULES
    cfg = CleanConfig.from_dict({"rules": list(rules.DEFAULT_RULES) + ["mixture_likelihood"],
                                 "mixture_likelihood": {"far": False}})
    assert cfg.params("mixture_likelihood") == {"alpha": 0.005, "far_alpha": 0.001, "far": False, "refit": True}
    assert "mixture_likelihood" in EVIDENCE_GROUPS["likelihood"]
    flags = {"mixture_likelihood": pd.Series(["ratio 5"], dtype="string"),
             "psychsyn": pd.Series(["r"], dtype="string"), "psychant": pd.Series(["r"], dtype="string"),
             "even_odd": pd.Series(["r"], dtype="string")}
    assert decide(flags)[1] == ["convergent evidence: likelihood + inconsistency"]


def test_the_rule_flags_partly_random_rows_and_few_honest_ones():
    rng = np.random.default_rng(4)
    inst = load_instrument()
    cols = [c for c in inst.item_codes if c[:3] in ("GOV", "MKT", "BEN", "VAL")]
    f = np.repeat(rng.normal(size=(1000, 4)), 4, axis=1)
    x = np.clip(np.round(3 + f + rng.normal(scale=.5, size=(1000, 16))), 1, 5)
    x[:20] = np.where(rng.random((20, 16)) < .45, rng.integers(1, 6, size=(20, 16)), x[:20])
    x[20, 3] = np.nan                                                         # not judged: an item missing
    df = pd.DataFrame(x, columns=cols)
    hit = rules.mixture_likelihood(df, inst)
    assert hit[:20].notna().sum() >= 10 and hit[21:].notna().mean() < 0.015 and pd.isna(hit[20])
    nofar = rules.mixture_likelihood(df, inst, far=False)
    assert not nofar.dropna().str.contains(rules.FAR, regex=False).any()
    assert nofar.notna().tolist() == hit.notna().tolist()
