"""The correlation-aware random-answer ratio (:func:`iur_survey.clean.indices.correlation_lr`) and its rule."""
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
    return np.clip(np.round(2 + f + rng.normal(scale=.7, size=(n, 12))), 0, 4).astype(int)


def test_style_free_ratio_is_the_multivariate_normal_log_likelihood_ratio():
    # reference: scipy's multivariate normal log densities of the answers' mid-point normal scores
    x = _sample()
    tau, r = I.answer_model(x, 5)
    cum = stats.norm.cdf(tau)                                            # items x (categories + 1)
    j = np.arange(x.shape[1])
    z = stats.norm.ppf((cum[j, x] + cum[j, x + 1]) / 2)
    k = x.shape[1]
    ref = (stats.multivariate_normal(np.zeros(k), np.eye(k)).logpdf(z[:50])
           - stats.multivariate_normal(np.zeros(k), r).logpdf(z[:50]))
    got = I.correlation_lr(x[:50], tau, r, np.zeros(1), np.ones(1))
    assert np.allclose(got, ref, atol=1e-6)


def test_answers_without_correlations_score_higher_and_the_profile_is_a_lower_bound():
    x = _sample()
    rng = np.random.default_rng(3)
    tau, r = I.answer_model(x, 5)
    shuffled = np.column_stack([rng.permutation(c) for c in x.T])         # same shares, no correlation
    free = lambda c: I.correlation_lr(c, tau, r, np.zeros(1), np.ones(1))  # noqa: E731
    lam = np.linalg.eigvalsh(r)
    expected = 0.5 * (np.sum(1 / lam) - len(lam))             # E(ratio | independent) - E(ratio | R) = (tr R^-1 - p) / 2
    gap = free(shuffled).mean() - free(x).mean()
    assert 0.7 * expected < gap < 1.3 * expected
    assert np.all(I.correlation_lr(shuffled[:300], tau, r) <= free(shuffled[:300]) + 1e-9)


def test_extreme_answers_that_follow_the_correlations_are_not_like_random_ones():
    x = _sample()
    x[0] = 4                                                              # all top answers: one side, correlated
    x[1] = [0] * 6 + [4] * 6                                              # each scale at its own end
    tau, r = I.answer_model(x, 5)
    for grid in ((np.zeros(1), np.ones(1)), (I.LR_SHIFTS, I.LR_SCALES)):
        lr = I.correlation_lr(x, tau, r, *grid)
        assert lr[0] < np.median(lr[2:]) and lr[1] < np.median(lr[2:])


def test_missing_answers_are_not_evaluated():
    x = _sample()
    tau, r = I.answer_model(x, 5)
    c = x[:3].copy()
    c[1, 4] = -1
    assert np.isnan(I.correlation_lr(c, tau, r)).tolist() == [False, True, False]


def test_the_rule_runs_by_default_as_evidence_only_and_counts_as_likelihood_evidence():
    cfg = CleanConfig()
    assert "correlation_likelihood" in cfg.rules
    assert cfg.params("correlation_likelihood") == {"alpha": 0.005, "far_alpha": 0.001, "styles": True, "far": False}
    assert CleanConfig.from_dict({"correlation_likelihood": {"far": True}}).correlation_likelihood_far
    assert "correlation_likelihood" in EVIDENCE_GROUPS["likelihood"]
    s = lambda v: pd.Series([v], dtype="string")  # noqa: E731
    incons = {"psychsyn": s("r"), "psychant": s("r"), "even_odd": s("r")}
    # the inconsistency indices and this ratio both read whether the answers follow the item correlations:
    # one piece of evidence, not two; beside the uniform-random ratio or speed they count
    assert decide({"correlation_likelihood": s("ratio 5"), **incons})[1] == [""]
    assert decide({"random_likelihood": s("ratio 5"), **incons})[1] == ["convergent evidence: likelihood + inconsistency"]
    assert decide({"correlation_likelihood": s("ratio 5"), "speeder": s("fast"), **incons})[1] == [
        "convergent evidence: speed + likelihood + inconsistency"]
    assert decide({"correlation_likelihood": s("ratio 5"), "mahalanobis": s("D² 80"), "mahalanobis_quotient": s("Q"),
                   **incons})[1] == ["convergent evidence: size (beside structure, inconsistency) + likelihood"]
    prev = {"inconsistency": ("speed", "likelihood")}                       # the previous rule, by configuration
    assert decide({"correlation_likelihood": s("ratio 5"), **incons}, beside=prev)[1] == [
        "convergent evidence: likelihood + inconsistency"]


def test_the_rule_flags_few_honest_rows_and_never_far_without_far():
    rng = np.random.default_rng(2)
    inst = load_instrument()
    cols = [c for c in inst.item_codes if c[:3] in ("GOV", "MKT", "BEN", "VAL")]
    f = np.repeat(rng.normal(size=(800, 2)), 8, axis=1)
    df = pd.DataFrame(np.clip(np.round(3 + f + rng.normal(scale=.6, size=(800, 16))), 1, 5), columns=cols)
    df.loc[:9] = df.to_numpy()[rng.integers(10, 800, size=(10, 16)), np.arange(16)]
    hit = rules.correlation_likelihood(df, inst, styles=False, far=False)
    assert hit[:10].notna().sum() >= 5 and hit[10:].notna().mean() < 0.015
    assert not hit.dropna().str.contains(rules.FAR, regex=False).any()
    assert hit[:10].notna().sum() >= rules.correlation_likelihood(df, inst)[:10].notna().sum()


def test_the_profile_is_computed_only_where_it_could_pass_the_cut_off_and_is_exact_there():
    for seed in (11, 12, 13):
        x = _sample(seed)
        rng = np.random.default_rng(seed)
        x[:60] = np.column_stack([rng.permutation(c) for c in x.T])[:60]        # same shares, no correlation
        tau, r = I.answer_model(x, 5)
        full = I.correlation_lr(x, tau, r)
        cut = np.quantile(full, .9)
        fast = I.correlation_lr(x, tau, r, above=cut)
        over = fast > cut
        assert np.array_equal(over, full > cut)                              # the same rows pass the cut-off
        assert np.allclose(fast[over], full[over])                           # exact there
        assert np.all(fast[~over] >= full[~over] - 1e-9)                     # a bound elsewhere
        qs = I.correlation_lr_quantiles(x, tau, r, [.995, .999])
        assert np.allclose(qs, np.quantile(full, [.995, .999]))
