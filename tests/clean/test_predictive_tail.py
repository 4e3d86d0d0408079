"""The tail predicted from the careful head (:func:`random_predictive_tail_lr`) and ``random_likelihood``'s
``predictive`` option."""
import numpy as np
import pandas as pd
import pytest
from scipy import special

from iur_survey.clean import indices as I
from iur_survey.clean import rules
from iur_survey.clean.config import CleanConfig
from iur_survey.instrument import load_instrument

INST = load_instrument()
ITEMS = list(INST.item_codes)


def _answers(rng, n, k, extreme=1.0):
    f = np.repeat(rng.normal(size=(n, (k + 3) // 4)), 4, axis=1)[:, :k]
    z = f + rng.normal(scale=.7, size=(n, k))
    return ((extreme * z)[:, :, None] > np.array([-1.5, -0.6, 0.3, 1.2])).sum(axis=2)


def test_the_predictive_tail_ratio_is_the_tail_against_its_predictive_given_the_head():
    rng = np.random.default_rng(8)
    x = _answers(rng, 600, 10)
    x[:10, 5:] = rng.integers(0, 5, size=(10, 5))                      # careful, then random for the last half
    tau, r = I.answer_model(x, 5)
    shifts, scales = np.array([-0.5, 0.0, 0.5]), np.array([0.7, 1.0, 1.4])
    ll = I.copula_item_loglik(x, tau, r, shifts, scales)               # styles x rows x items
    whole = special.logsumexp(ll.sum(axis=2), axis=0)
    # heads of 3 items or more, tails of 3 or more: h = 3 .. 7
    want = np.max([special.logsumexp(ll[:, :, :h].sum(axis=2), axis=0) - whole - (10 - h) * np.log(5)
                   for h in range(3, 8)], axis=0)
    got = I.random_predictive_tail_lr(x, tau, r, 3, 3, shifts, scales)
    np.testing.assert_allclose(got, want, atol=1e-9)
    assert np.median(got[:10]) > np.quantile(got[10:], .9)
    part = x.copy()
    part[0, 2] = -1                                                    # a missing answer: not evaluated
    assert np.isnan(I.random_predictive_tail_lr(part, tau, r)[0])
    with pytest.raises(ValueError, match="min_tail"):
        I.random_predictive_tail_lr(x, tau, r, min_tail=7, min_head=4)


def test_its_honest_quantiles_hardly_move_with_a_stretch_unlike_the_profiled_tail_ratio():
    # answers drawn from a fitted model with the latent response stretched 2 times, beyond the style-free .99
    # quantile (measured, seeds 1-3: predictive .010-.017, the profiled tail ratio .07-.11)
    for seed in (1, 2):
        rng = np.random.default_rng(seed)
        tau, r = I.answer_model(_answers(rng, 2000, 16), 5)
        free, wide = I.answer_draws(tau, r, n=3000, seed=seed), I.styled_answer_draws(tau, r, 2.0, n=3000, seed=seed)
        pred = [I.random_predictive_tail_lr(d, tau, r) for d in (free, wide)]
        tail = [I.random_tail_lr(d, tau, r) for d in (free, wide)]
        beyond_pred = (pred[1] > np.quantile(pred[0], .99)).mean()
        beyond_tail = (tail[1] > np.quantile(tail[0], .99)).mean()
        assert beyond_pred < 0.03 and beyond_tail > 2 * beyond_pred, (beyond_pred, beyond_tail)


def test_random_likelihood_predictive_option_makes_random_tails_far_beyond():
    cols = [c for c in ITEMS if c[:3] in ("GOV", "MKT", "BEN", "VAL")]
    rng = np.random.default_rng(4)
    x = 1 + _answers(rng, 1200, 16).astype(float)
    for i in range(1160, 1200):                                        # careful, then random for 8-10 items
        t = int(rng.integers(8, 11))
        x[i, -t:] = rng.integers(1, 6, size=t)
    df = pd.DataFrame(x, columns=cols)
    far = [rules.random_likelihood(df, INST, predictive=p).fillna("").str.contains(rules.FAR, regex=False)
           .to_numpy() for p in (False, True)]
    assert far[1][1160:].sum() > far[0][1160:].sum() and far[1][:1160].mean() < 0.005, (
        far[0][1160:].sum(), far[1][1160:].sum(), far[1][:1160].mean())
    assert np.all(far[1] >= far[0])                                    # it only adds a way to be far beyond
    text = rules.random_likelihood(df, INST, predictive=True).dropna()
    assert text.str.contains("predictive-tail likelihood ratio").any()
    assert CleanConfig.from_dict({"random_likelihood": {"predictive": True}}).params("random_likelihood")[
        "predictive"] is True


def _partly_random(seed, n=1200, careless=40):
    cols = [c for c in ITEMS if c[:3] in ("GOV", "MKT", "BEN", "VAL")]
    rng = np.random.default_rng(seed)
    x = 1 + _answers(rng, n, 16).astype(float)
    for i in range(n - careless, n):                                   # careful, then random for 6-10 items
        t = int(rng.integers(6, 11))
        x[i, -t:] = rng.integers(1, 6, size=t)
    return pd.DataFrame(x, columns=cols)


@pytest.mark.parametrize("seed", [4, 5])
def test_the_screened_predictive_ratio_only_adds_far_random_tails(seed):
    # predictive_screen: the predictive ratio far beyond on its own, wherever the tail ratio passes the screen
    # (its .95 quantile on the draws, the profile exact there), its cut-off from the draws screened the same way; null: only where the tail
    # ratio flags (the earlier rule).  The screened cut-off is at most the unscreened one, so only additions.
    df = _partly_random(seed)
    text = [rules.random_likelihood(df, INST, predictive_screen=s).fillna("") for s in (None, 0.95)]
    far = [t.str.contains(rules.FAR, regex=False).to_numpy() for t in text]
    assert np.all(far[1] >= far[0])
    assert far[1][1160:].sum() > far[0][1160:].sum() and far[1][:1160].mean() < 0.005, (
        far[0][1160:].sum(), far[1][1160:].sum(), far[1][:1160].mean())
    alone = text[1].str.startswith("predictive-tail likelihood ratio")
    assert not alone[far[0]].any()                                      # the new text only where nothing was far
    assert (text[1][alone].str.contains(rules.FAR, regex=False)).all()


def test_the_screened_predictive_ratio_is_far_beyond_for_few_honest_answers():
    # answers drawn from the fitted model itself: the predictive ratio alone is far beyond at its .999 level on the
    # screened draws, so about 0.1 % of honest answers (margin: under 0.5 %, two seeds)
    for seed in (1, 2):
        rng = np.random.default_rng(seed)
        cols = [c for c in ITEMS if c[:3] in ("GOV", "MKT", "BEN", "VAL")]
        tau, r = I.answer_model(_answers(rng, 3000, 16), 5)
        df = pd.DataFrame(1 + I.answer_draws(tau, r, n=3000, seed=seed + 10), columns=cols)
        text = rules.random_likelihood(df, INST).fillna("")
        alone = text.str.contains("predictive-tail likelihood ratio") & text.str.contains(rules.FAR, regex=False)
        assert alone.mean() < 0.005, alone.mean()


def test_the_predictive_screen_setting():
    assert CleanConfig.from_dict({}).params("random_likelihood")["predictive_screen"] == 0.95
    assert CleanConfig.from_dict({"random_likelihood": {"predictive_screen": None}}).params(
        "random_likelihood")["predictive_screen"] is None
    with pytest.raises(Exception, match="random_likelihood_predictive_screen: expected a number between 0 and 1"):
        CleanConfig.from_dict({"random_likelihood": {"predictive_screen": 1.5}})
