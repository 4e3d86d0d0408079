"""The random-tail ratio's cut-off is a quantile of the *largest* tail ratio over every start (a change point,
Yu & Cheng 2019, Psychol Methods 24:658-674), taken on seeded honest draws: so the maximum over the starts is
calibrated, where the cut-off of one fixed tail is exceeded by the maximum about three times too often."""
import numpy as np

from iur_survey.clean import indices as I


def _model(seed: int):
    rng = np.random.default_rng(seed)
    f = np.repeat(rng.normal(size=(3000, 5)), 4, axis=1)
    x = ((0.9 * f + rng.normal(scale=.6, size=(3000, 20)))[:, :, None] > np.array([-1.6, -0.7, 0.2, 1.1])).sum(axis=2)
    return I.answer_model(x, 5)


def test_the_largest_tail_ratio_over_every_start_is_calibrated_on_fresh_honest_answers():
    plain = (np.zeros(1), np.ones(1))                       # the style-free ratio: the property, at a small cost
    for seed in (1, 2):
        tau, r = _model(seed)
        null = I.answer_draws(tau, r, n=6000, seed=1936)     # the cut-off's draws (as random_likelihood takes them)
        fresh = I.answer_draws(tau, r, n=6000, seed=seed + 10)
        crit = np.quantile(I.random_tail_lr(null, tau, r, 4, *plain, midpoint=()), 0.99)
        over = (I.random_tail_lr(fresh, tau, r, 4, *plain, midpoint=()) > crit).mean()
        assert 0.005 < over < 0.016, over                    # nominal .01; binomial SD .0013
        # one fixed tail's cut-off (the last 8 items) is no cut-off for the largest over the starts
        ll = I.copula_item_loglik(null, tau, r)[0]
        last8 = -(ll[:, -8:].sum(axis=1) + 8 * np.log(5))           # random against honest, the last 8
        fixed = np.quantile(last8, 0.99)
        assert (I.random_tail_lr(fresh, tau, r, 4, *plain, midpoint=()) > fixed).mean() > 0.02   # measured .029, .031


def test_a_random_tail_after_a_careful_head_lies_beyond_the_cut_off_more_often_the_longer_it_is():
    tau, r = _model(3)
    rng = np.random.default_rng(9)
    null = I.answer_draws(tau, r, n=4000, seed=1936)
    crit = np.quantile(I.random_tail_lr(null, tau, r, 4), 0.995)
    rates = []
    for t in (4, 8, 12):
        x = I.answer_draws(tau, r, n=600, seed=20 + t)
        x[:, -t:] = rng.integers(0, 5, size=(600, t))
        rates.append((I.random_tail_lr(x, tau, r, 4) > crit).mean())
    assert rates[0] < rates[1] < rates[2] and rates[2] > 0.4, rates            # measured .26, .49, .63
