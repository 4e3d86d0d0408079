"""The careless-responding indices against R careless 1.2.2's own code.

``tests/clean/r/careless_reference.R`` (run by hand; its outputs are committed and only
read here) sources careless' R files (vendored unchanged in ``tests/clean/r/careless/``)
and computes longstring, irv, mahad, psychsyn, psychant and evenodd on four inputs: our
261 simulated responses, complete (``careless_input.csv``) and with missing answers
(``careless_input_na.csv``: 6 % of the answers at random plus rows with no answer, one
answer, a scale unanswered, every even item unanswered, three and two synonym pairs);
and careless' own example data sets ``careless_dataset`` (200 x 50, 10 scales of 5) and
``careless_dataset2`` (1000 x 100, 10 scales of 10, answers 1-7), with the settings of
careless' help pages.
Where careless' code differs on missing answers (mahad's mean imputation, longstring and
irv of a row without answers, evenodd called on a matrix, psychant's resampling), the
difference itself is checked.  Tolerances: relative 1e-10 (D² 1e-8) with an absolute
1e-12 near 0; the measured maximum differences are about 1e-14.  Plus properties of the
indices careless does not have.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pytest

from iur_survey.clean import indices as I
from iur_survey.instrument import load_instrument

HERE = Path(__file__).parent / "r"
INST = load_instrument()
ITEMS = list(INST.item_codes)
TOL = {"rtol": 1e-10, "atol": 1e-12, "equal_nan": True}
# input file, recode our reverse-keyed items, scale lengths, synonym and antonym critical values (as in the R script)
SETS = {
    "": ("careless_input.csv", True, [4] * 7, 0.45, 0.30),
    "_na": ("careless_input_na.csv", True, [4] * 7, 0.45, 0.30),
    "_dataset": ("careless_dataset.csv.gz", False, [5] * 10, 0.60, None),
    "_dataset2": ("careless_dataset2.csv.gz", False, [10] * 10, 0.60, 0.50),
}


class Set(NamedTuple):
    x: np.ndarray          # answers as given
    xs: np.ndarray         # reverse-keyed items recoded
    ref: pd.DataFrame      # careless' values
    pairs: pd.DataFrame    # careless' item pairs (1-based)
    factors: list
    syn_crit: float
    ant_crit: float | None


def _read(suffix):
    name, recode, factors, syn_crit, ant_crit = SETS[suffix]
    frame = pd.read_csv(HERE / name)
    x = (frame[ITEMS] if recode else frame).to_numpy(dtype=float)
    xs = x.copy()
    if recode:
        rev = [ITEMS.index(c) for c in INST.reverse_items]
        xs[:, rev] = 6 - xs[:, rev]
    ref = pd.read_csv(HERE / f"careless_reference{suffix}.csv")
    pairs = pd.read_csv(HERE / f"careless_pairs{suffix}.csv")
    assert len(ref) == len(x) and sum(factors) == x.shape[1]
    return Set(x, xs, ref, pairs, factors, syn_crit, ant_crit)


@pytest.fixture(scope="module", params=list(SETS),
                ids=["ours", "ours_missing", "careless_dataset", "careless_dataset2"])
def data(request):
    return _read(request.param)


@pytest.fixture(scope="module")
def data_complete():
    return _read("")


def test_the_missing_answers_input_takes_every_na_path():
    x, ref = _read("_na").x, _read("_na").ref
    answered = (~np.isnan(x)).sum(axis=1)
    assert answered[0] == 0 and answered[1] == 1 and (answered < 28).mean() > 0.7 and (answered == 28).sum() > 30
    for col in ("irv", "mahad", "psychsyn", "psychant", "evenodd"):
        assert ref[col].isna().any() and ref[col].notna().sum() > 200, col


def test_longstring_and_irv(data):
    x, ref = data.x, data.ref
    has = (~np.isnan(x)).any(axis=1)
    np.testing.assert_array_equal(I.longstring(x)[has], ref["longstring"].to_numpy()[has])
    # a row without answers: 0 here, 1 in careless (rle counts a missing answer as a run of one)
    assert (I.longstring(x)[~has] == 0).all() and (ref["longstring"][~has] == 1).all()
    np.testing.assert_allclose(I.irv(x), ref["irv"].to_numpy(), **TOL)


def test_mahad(data):
    xs, ref = data.xs, data.ref
    got = I.mahad(xs)
    complete = ~np.isnan(xs).any(axis=1)
    np.testing.assert_allclose(got[complete], ref["mahad"].to_numpy()[complete], rtol=1e-8)
    # with missing answers: the D² of the answered items with the sub-matrix (base R, stats::mahalanobis) ...
    np.testing.assert_allclose(got, ref["mahad_observed"].to_numpy(), rtol=1e-8, equal_nan=True)
    # ... while careless (psych::outlier) sets the centred missing answers to 0 with the whole inverse:
    # the same means and pairwise covariance, only the missing-data treatment differs
    d = np.where(np.isnan(xs), 0.0, xs - np.nanmean(xs, axis=0))
    psych = ((d @ np.linalg.inv(pd.DataFrame(xs).cov().to_numpy())) * d).sum(axis=1)
    has = ~np.isnan(xs).all(axis=1)
    np.testing.assert_allclose(psych[has], ref["mahad"].to_numpy()[has], rtol=1e-8)
    assert np.isnan(ref["mahad"][~has]).all() and np.isnan(got[~has]).all()
    assert (got[has] <= psych[has] * (1 + 1e-9)).all()


@pytest.mark.parametrize("kind", ["psychsyn", "psychant"])
def test_psychometric_synonyms_and_antonyms(data, kind):
    critval = data.syn_crit if kind == "psychsyn" else data.ant_crit
    if critval is None:
        # careless stops ("No Psychometric Antonyms found", at .30 too); no pair here either
        assert data.ref[kind].isna().all() and not (data.pairs["kind"] == kind).any()
        assert len(I.item_pairs(data.x, 0.30, anto=True)) == 0
        return
    m = data.xs if kind == "psychsyn" else data.x
    p = I.item_pairs(m, critval, anto=kind == "psychant")
    want = data.pairs[data.pairs["kind"] == kind][["first", "second"]].to_numpy() - 1   # R is 1-based
    assert len(want) >= 8
    np.testing.assert_array_equal(p, want)  # the same pairs, in the same order
    got = I.psychsyn(m, critval) if kind == "psychsyn" else I.psychant(m, critval)
    np.testing.assert_allclose(got, data.ref[kind].to_numpy(), **TOL)


def test_careless_psychant_resamples_only_where_the_score_is_undefined(data):
    # careless::psychant passes resample_na = TRUE: random swaps within pairs where the value is NA
    det, res = data.ref["psychant"].to_numpy(), data.ref["psychant_resampled"].to_numpy()
    same = np.isclose(det, res, rtol=1e-12, equal_nan=True)
    assert np.isnan(det[~same]).all()


def test_evenodd(data):
    np.testing.assert_allclose(I.evenodd(data.xs, data.factors), data.ref["evenodd"].to_numpy(), **TOL)


def test_careless_evenodd_on_a_matrix_uses_the_first_two_items_of_each_scale(data):
    # careless 1.2.2: x[i, start:end] of a matrix has no colnames, so seq(1:length(NULL)) is 1:2
    f, ref = data.factors, data.ref
    first_two = [s + j for s in np.cumsum([0] + f[:-1]) for j in (0, 1)]
    np.testing.assert_allclose(I.evenodd(data.xs[:, first_two], [2] * len(f)), ref["evenodd_matrix"].to_numpy(),
                               **TOL)
    assert np.nanmax(np.abs(ref["evenodd_matrix"] - ref["evenodd"])) > 1


def test_split_half_first_split_is_evenodd_and_resampling_is_less_noisy(data_complete):
    xs = data_complete.xs
    sh = I.split_half(xs, [4] * 7)
    eo = -I.evenodd(xs, [4] * 7)
    assert np.corrcoef(np.nan_to_num(sh), np.nan_to_num(eo))[0, 1] > 0.6
    # the honest majority: the mean over three splits varies less than one split
    assert np.nanstd(sh[:200]) < np.nanstd(eo[:200])


def test_mahad_beta_p_is_uniform_for_normal_data():
    rng = np.random.default_rng(4)
    ps = []
    for _ in range(20):
        x = rng.normal(size=(60, 10))
        ps.append(I.mahad_beta_p(I.mahad(x), 60, 10))
    ps = np.concatenate(ps)
    # the exact finite-sample law: deciles of the p-values are about 10 % each
    counts = np.histogram(ps, bins=10, range=(0, 1))[0] / len(ps)
    assert np.all(np.abs(counts - 0.1) < 0.03)
    assert I.mahad_beta_p(np.array([(60 - 1) ** 2 / 60]), 60, 10)[0] == 0.0  # the bound of D²


def test_person_total_and_guttman_on_a_perfect_and_a_reversed_pattern():
    rng = np.random.default_rng(1)
    theta = rng.normal(size=300)
    diff = np.linspace(-1.5, 1.5, 12)
    x = np.clip(np.round(3 + theta[:, None] - diff[None, :] + rng.normal(scale=.5, size=(300, 12))), 1, 5)
    x[0] = np.clip(np.round(3 + diff), 1, 5)  # runs against the item means
    pt = I.person_total(x)
    g = I.guttman_normed(x, 1, 5)
    assert pt[0] < -0.8 and np.nanmedian(pt[1:]) > 0.5
    assert g[0] > np.quantile(g[1:], 0.95) and np.median(g[1:]) < 0.2


def test_longpattern_finds_zigzag_diagonal_and_short_repeats():
    zig = np.resize([1, 2, 3, 4, 5, 4, 3, 2], 28)
    diag = np.resize([1, 2, 3, 4, 5], 28)
    rep = np.resize([2, 4], 28)
    honest = np.array([4, 4, 2, 5, 4, 3, 4, 4, 3, 4, 5, 4, 2, 4, 4, 3, 4, 5, 5, 4, 3, 4, 4, 2, 4, 3, 5, 4])
    length, period, _ = I.longpattern(np.vstack([zig, diag, rep, honest]).astype(float))
    assert length[:3].tolist() == [28, 28, 28] and period[:3].tolist() == [8, 5, 2]
    assert length[3] < 10



def test_longpattern_own_p_is_a_valid_permutation_p_that_keeps_strata_and_holes():
    # exchangeable answers (independent draws from one narrow distribution, mostly 4 and 5): the
    # permutation p is valid, P(p <= a) <= a, whatever the distribution
    rng = np.random.default_rng(11)
    x = 1.0 + rng.choice(5, size=(300, 28), p=[.03, .05, .12, .4, .4])
    p = I.longpattern_own_p(x, draws=499)
    for a in (0.05, 0.2):
        assert np.mean(p <= a) <= a + 3 * np.sqrt(a * (1 - a) / len(p))
    assert np.mean(p <= 0.5) > 0.3                                   # and not stuck at 1
    # every column its own stratum: no other order, every order ties with the row, p = 1
    row = np.array([[1, 2, 3, 4, 1, 2, 3, 4.0]])
    assert I.longpattern_own_p(row, strata=list("abcdefgh"), draws=99).tolist() == [1.0]
    # two strata: 1, 2, 1, 2 permuted among the a columns, 3, 4, 3, 4 among the b columns; the min-p over
    # lags 2-4 against a plain enumeration of all 36 orders (the share of orders whose least tail is as small)
    p2 = I.longpattern_own_p(row, strata=list("aabbaabb"), draws=3999)[0]
    import itertools
    orders = []
    for pa in set(itertools.permutations([1, 2, 1, 2])):
        for pb in set(itertools.permutations([3, 4, 3, 4])):
            orders.append([pa[0], pa[1], pb[0], pb[1], pa[2], pa[3], pb[2], pb[3]])
    orders = np.array(orders, dtype=float)
    counts = {lag: (orders[:, lag:] == orders[:, :-lag]).sum(1) for lag in (2, 3, 4)}
    tail = np.column_stack([(counts[g][None, :] >= counts[g][:, None]).mean(1) for g in (2, 3, 4)]).min(1)
    obs = [np.mean(counts[g] >= (row[0, g:] == row[0, :-g]).sum()) for g in (2, 3, 4)]
    assert abs(p2 - np.mean(tail <= min(obs))) < 0.03
    # a missing answer keeps its place and agrees with nothing; no answers: nothing is unusual, p = 1
    holed = np.array([[1, 2, np.nan, 4, 1, 2, 3, 4, 1, 2, 3, 4.0]])
    assert I.longpattern_own_p(holed, draws=199)[0] < 0.1
    assert I.longpattern_own_p(np.full((1, 12), np.nan), draws=9).tolist() == [1.0]
    # a pattern, and one an answered check breaks in two: p at its least, 1 / (draws + 1)
    zig = np.resize([1, 2, 3, 4, 5, 4, 3, 2], 28).astype(float)
    broken = np.r_[np.resize([4, 3.0], 16), np.resize([3, 4.0], 12)]
    assert I.longpattern_own_p(np.vstack([zig, broken]), draws=999).tolist() == [0.001, 0.001]



def test_longpattern_own_p_equals_a_plain_per_row_permutation_test_whatever_the_rows_around_it():
    # the batched computation (each distinct row once, all shuffles at once) against the plain one:
    # per row, the seeded shuffles one by one, each lag's share of shuffles agreeing at least as often
    def plain(row, strata, draws, seed, lags=range(2, 9)):
        labels = np.unique(strata, return_inverse=True)[1]
        keys = np.random.default_rng(seed).random((draws, len(row)))
        shuffled = np.tile(row, (draws + 1, 1))
        for lab in np.unique(labels):
            free = np.flatnonzero((labels == lab) & ~np.isnan(row))
            if len(free) > 1:
                shuffled[1:, free] = row[free][np.argsort(keys[:, free], axis=1)]
        agree = np.column_stack([(shuffled[:, g:] == shuffled[:, :-g]).sum(1) for g in lags])
        share = (agree[None, 1:, :] >= agree[:, None, :]).mean(1).min(1)
        return (1 + np.sum(share[1:] <= share[0])) / (1 + draws)

    rng = np.random.default_rng(3)
    rows = [rng.integers(1, 6, 20).astype(float), rng.choice([4.0, 5.0], 20), np.resize([1, 2, 3, 2.0], 20),
            np.r_[rng.integers(1, 6, 8), np.resize([3, 4, 4, 5.0], 12)], rng.choice([3.0, 4.0, 5.0], 20)]
    rows[1][[3, 11]] = np.nan
    x = np.vstack(rows + [rows[0], 6 - rows[2], rows[4] * 10])      # a repeat, relabelled answers, another scale
    strata = ["f"] * 20
    strata[4] = strata[13] = "r"
    strata[9] = "check"
    p = I.longpattern_own_p(x, strata=strata, draws=300, seed=7)
    assert p.tolist() == [plain(r, np.array(strata), 300, 7) for r in x]
    assert p[5] == p[0] and p[6] == p[2] and p[7] == p[4]           # only which answers are equal matters
    # a row's p does not depend on the rows beside it
    assert [I.longpattern_own_p(x[[i]], strata=strata, draws=300, seed=7)[0] for i in range(len(x))] == p.tolist()

def test_construct_residual_var_separates_random_halves_from_consistent_ones():
    from iur_survey.clean.indices import construct_residual_var

    rng = np.random.default_rng(5)
    n, labels = 400, np.repeat(np.arange(4), 4)
    trait = rng.normal(size=(n, 4)).repeat(4, axis=1)
    x = np.clip(np.round(3 + trait + rng.normal(scale=0.6, size=(n, 16))), 1, 5)
    x[:50, 8:] = rng.integers(1, 6, size=(50, 8))        # the second half at random
    mu = np.nanmean(x, axis=0)
    first = construct_residual_var(x[:, :8], labels[:8], mu[:8])
    second = construct_residual_var(x[:, 8:], labels[8:], mu[8:])
    change = np.log((second + 0.05) / (first + 0.05))
    assert np.median(change[:50]) > np.quantile(change[50:], 0.75)
    # a missing answer is left out; a construct with one answer carries no information
    y = x[:2, :8].copy()
    y[0, 1] = np.nan
    y[1, [0, 1, 2]] = np.nan
    out = construct_residual_var(y, labels[:8], mu[:8])
    assert np.isfinite(out).all()
    assert np.isnan(construct_residual_var(x[:1, :2], [0, 1])).all()
    with pytest.raises(ValueError):
        construct_residual_var(x, labels[:3])


def test_mahad_quotient_times_squared_z_is_careless_mahad(data_complete):
    # Q = z' R^-1 z / z' z, so Q |z|² is D², and D² of standardised answers with R is D² with the covariance
    xs, ref = data_complete.xs, data_complete.ref
    q = I.mahad_quotient(xs)
    z = (xs - xs.mean(axis=0)) / xs.std(axis=0, ddof=1)
    np.testing.assert_allclose(q * (z * z).sum(axis=1), ref["mahad"].to_numpy(), rtol=1e-8)


def test_mahad_quotient_is_scale_free_and_separates_unstructured_answers():
    for seed in (1, 2, 3):
        rng = np.random.default_rng(seed)
        f = np.repeat(rng.normal(size=(1000, 4)), 4, axis=1)
        x = 3 + f + rng.normal(scale=.7, size=(1000, 16))
        ref = np.arange(1000) >= 75                                          # the rows changed below are not
        x[:25] = rng.uniform(0.5, 5.5, size=(25, 16))                      # no structure
        mu = x[ref].mean(axis=0)
        y = x.copy()
        y[25:50] = mu + 2.5 * (x[25:50] - mu)                                # the same directions, further out
        y[50:75] = mu + 0.3 * (x[50:75] - mu)                                # ... and nearer the middle
        qx, qy = I.mahad_quotient(x, ref), I.mahad_quotient(y, ref)
        np.testing.assert_allclose(qy[25:75], qx[25:75], rtol=1e-9)         # Q does not see the scale
        d2 = I.mahad(y)
        assert np.median(d2[25:50]) > 3 * np.median(d2[100:])               # D² does (extreme style)
        assert np.median(qx[100:]) == pytest.approx(1.0, abs=0.1)          # honest: about 1
        assert np.median(qx[:25]) > 2 * np.median(qx[100:])                # no structure: about tr(R^-1)/p
        # ipsatized: a shift of a row in the questionnaire direction (acquiescence) changes nothing
        s = x.copy()
        s[60] = x[60] + 0.8
        qs, q0 = I.mahad_quotient(s, ref, ipsatized=True), I.mahad_quotient(x, ref, ipsatized=True)
        assert qs[60] == pytest.approx(q0[60], rel=1e-9)


def test_mahad_quotient_missing_items_use_the_sub_matrix():
    rng = np.random.default_rng(4)
    x = 3 + np.repeat(rng.normal(size=(400, 2)), 3, axis=1) + rng.normal(scale=.8, size=(400, 6))
    x[0, [1, 4]] = np.nan
    x[1, :5] = np.nan                       # one answer: NaN
    q = I.mahad_quotient(x, reference=~np.isnan(x).any(axis=1))
    full = x[2:]
    z = (x[0] - full.mean(axis=0)) / full.std(axis=0, ddof=1)
    r = np.corrcoef(full, rowvar=False)
    o = ~np.isnan(z)
    want = z[o] @ np.linalg.solve(r[np.ix_(o, o)], z[o]) / (z[o] @ z[o])
    assert q[0] == pytest.approx(want, rel=1e-9)
    assert np.isnan(q[1])


def test_mahad_quotient_crits_equal_the_direct_quantile_of_every_sub_matrix():
    rng = np.random.default_rng(11)
    p = 12
    a = rng.normal(size=(p, 3))
    r = a @ a.T + np.diag(rng.uniform(0.5, 1.5, size=p))
    d = np.sqrt(np.diag(r))
    r = r / d[:, None] / d[None, :]
    u = rng.normal(size=(3000, p))
    masks = rng.random((40, p)) > rng.uniform(0.05, 0.6, size=(40, 1))
    masks[0] = True
    masks[1] = False
    masks[2, 2:] = False                                   # two observed items: the smallest usable pattern
    masks[3, 1:] = False                                   # one observed item: not usable
    got = I.mahad_quotient_crits(r, masks, 0.02, u)
    for m, c in zip(masks, got):
        if m.sum() < 2:
            assert np.isnan(c)
            continue
        v, rr = u[:, m], r[np.ix_(m, m)]
        assert c == pytest.approx(np.quantile((v * v).sum(1) / ((v @ rr) * v).sum(1), 0.98), rel=1e-9)


def test_midpoint_item_loglik_is_the_copula_of_the_answers_outside_the_middle():
    """The midpoint node against a direct computation: the middle answers' mixture probabilities times the
    multivariate normal density of the other answers' scores (their block of R), per style and propensity."""
    from scipy import stats
    from scipy.special import ndtr, ndtri

    rng = np.random.default_rng(4)
    f = np.repeat(rng.normal(size=(2000, 2)), 3, axis=1)
    x = ((f + rng.normal(scale=.8, size=(2000, 6)))[:, :, None] > np.array([-1.8, -1.5, -1.2, -0.3])).sum(axis=2)
    x[:20, ::2] = 2                                                   # middle answers on half the items
    tau, r = I.answer_model(x, 5)
    rows = x[:40]
    shifts, scales, props = np.array([-0.5, 0.5]), np.array([0.7, 1.4]), np.array([0.2, 0.6])
    ll = I.midpoint_item_loglik(rows, tau, r, shifts, scales, props)
    assert ll.shape == (4, 3, 40, 6)
    assert np.allclose(ll[:, 0], I.copula_item_loglik(rows, tau, r, shifts, scales))   # propensity 0 first
    piv = I.scale_midpoint(tau)[:, None]
    for g, (mu, sc) in enumerate((a, b) for a in shifts for b in scales):
        cdf = ndtr((tau - mu - piv) / sc + piv)                       # the style's cumulative probabilities
        prob = np.diff(cdf, axis=1)
        score = ndtri((cdf[:, :-1] + cdf[:, 1:]) / 2)
        for q, p in enumerate(props):
            for i, row in enumerate(rows):
                mid, o = row == 2, np.flatnonzero(row != 2)
                z = score[o, row[o]]
                want = np.log(p + (1 - p) * prob[mid, 2]).sum() + (np.log(1 - p) + np.log(prob[o, row[o]])).sum()
                if len(o):
                    want += stats.multivariate_normal(np.zeros(len(o)), r[np.ix_(o, o)]).logpdf(z) \
                        - stats.norm.logpdf(z).sum()
                assert ll[g, q + 1, i].sum() == pytest.approx(want, abs=1e-8)
    # the whole ratio from the sums (no items' array) is the ratio of these values
    want = -6 * np.log(5) - ll.sum(axis=3).reshape(-1, 40).max(axis=0)
    assert np.allclose(I.random_lr(rows, tau, r, shifts, scales, midpoint=props), want)
    # the tail ratio: every style, with no propensity or with the one the whole questionnaire picks
    full = I.midpoint_item_loglik(x[:300], tau, r, I.LR_SHIFTS, I.LR_SCALES, I.LR_MIDPOINT)  # styles x 6 x rows x k
    tails = np.cumsum(-np.log(5) - full[..., ::-1], axis=3)[..., 3:].max(axis=3).min(axis=0)  # 6 x rows, 4-6 items
    own = full.sum(axis=3).max(axis=0).argmax(axis=0)                           # the whole profile's propensity
    want = np.minimum(tails[0], tails[own, np.arange(300)])
    assert (own[:20] > 0).all() and np.allclose(I.random_tail_lr(x[:300], tau, r, 4), want)
    assert np.allclose(I.random_lrs(x[:300], tau, r, 4)[:, 1], want)
    # a row without a middle answer: the style's copula, each answer (1 - p) times as likely
    plain = np.flatnonzero((rows != 2).all(axis=1))
    assert len(plain) and np.allclose(ll[:, 1:, plain], np.log1p(-props)[None, :, None, None] + ll[:, :1, plain])
    # an even number of categories has no middle answer: the styles only
    tau4, r4 = I.answer_model(np.minimum(x, 3), 4)
    assert I.midpoint_item_loglik(np.minimum(rows, 3), tau4, r4, shifts, scales, props).shape == (4, 1, 40, 6)
    # the statistic profiles the propensity: never above the ratio without it, far below on midpoint answers
    lr = I.random_lr(x, tau, r)
    no_node = I.random_lr(x, tau, r, midpoint=())
    assert np.all(lr <= no_node + 1e-9) and np.median(no_node[:20] - lr[:20]) > 3


def test_random_change_lr_profiles_each_hypothesis_on_its_own():
    rng = np.random.default_rng(8)
    f = np.repeat(rng.normal(size=(600, 2)), 4, axis=1)
    x = ((f + rng.normal(scale=.7, size=(600, 8)))[:, :, None] > np.array([-1.5, -0.6, 0.3, 1.2])).sum(axis=2)
    x[:10, 4:] = rng.integers(0, 5, size=(10, 4))                     # careful, then random for the last half
    tau, r = I.answer_model(x, 5)
    shifts, scales, props = np.array([-0.5, 0.0, 0.5]), np.array([0.7, 1.0, 1.4]), np.array([0.3])
    ll = I.midpoint_item_loglik(x, tau, r, shifts, scales, props).reshape(-1, 600, 8)     # styles x rows x items
    honest = ll.sum(axis=2).max(axis=0)
    # careless: the head's own best style (h = 0: no head), then t random answers, t = 3 .. 8
    heads = [np.zeros(600) if h == 0 else ll[:, :, :h].sum(axis=2).max(axis=0) for h in range(6)]
    want = np.max([heads[h] - (8 - h) * np.log(5) for h in range(6)], axis=0) - honest
    got = I.random_change_lr(x, tau, r, 3, shifts, scales, props)
    assert np.allclose(got, want)
    # the whole form is one of the tails: never below the whole ratio; and not below the one-style tail ratio
    assert np.all(got >= I.random_lr(x, tau, r, shifts, scales, midpoint=props) - 1e-9)
    assert np.all(got >= I.random_tail_lr(x, tau, r, 3, shifts, scales, midpoint=props) - 1e-9)
    assert np.median(got[:10]) > np.median(got[10:])
    part = x.copy()
    part[0, 2] = -1                                                    # a missing answer: not evaluated
    assert np.isnan(I.random_change_lr(part, tau, r, 3, shifts, scales, props)[0])
    with pytest.raises(ValueError, match="min_tail"):
        I.random_change_lr(x, tau, r, min_tail=9)


def test_random_lr_profiles_the_style_and_is_below_the_style_free_ratio():
    rng = np.random.default_rng(21)
    f = np.repeat(rng.normal(size=(3000, 3)), 4, axis=1)
    y = f + rng.normal(scale=.7, size=(3000, 12))
    cuts = np.array([-1.5, -0.6, 0.3, 1.2])
    honest = (y[:, :, None] > cuts).sum(axis=2)
    tau, r = I.answer_model(honest, 5)
    prof = I.random_lr(honest, tau, r)
    free = I.random_lr(honest, tau, r, shifts=np.zeros(1), scales=np.ones(1), midpoint=())
    assert np.all(prof <= free + 1e-9)                           # no style is one of the styles profiled over
    ext = ((2.2 * y)[:, :, None] > cuts).sum(axis=2)             # the same people, extreme responding
    mid = ((0.45 * y)[:, :, None] > cuts).sum(axis=2)            # midpoint responding
    acq = ((y + 0.8)[:, :, None] > cuts).sum(axis=2)             # acquiescence
    rnd = rng.integers(0, 5, size=(300, 12))
    cut = np.quantile(prof, .99)
    # the profile takes most, not all, of a style's effect away (measured: extreme 33 % -> 7 % beyond the
    # .99 quantile, midpoint 0 %, acquiescent 0.5 % -> 0.1 %)
    for styled, most in ((ext, 0.12), (mid, 0.02), (acq, 0.02)):
        with_profile = np.mean(I.random_lr(styled, tau, r) > cut)
        free_styled = I.random_lr(styled, tau, r, shifts=np.zeros(1), scales=np.ones(1), midpoint=())
        without = np.mean(free_styled > np.quantile(free, .99))
        assert with_profile < most and with_profile <= without
    assert np.mean(I.random_lr(rnd, tau, r) > cut) > 0.5
    missing = honest[:5].copy()
    missing[0, 3] = -1
    assert np.isnan(I.random_lr(missing, tau, r)[0]) and not np.isnan(I.random_lr(missing, tau, r)[1:]).any()


def test_irtree_item_loglik_is_the_sides_copula_times_the_extremity_node():
    """Against a direct computation: the copula of the answers' sides (below / middle / above the scale's middle,
    with the midpoint node of midpoint_item_loglik) plus log e for an end answer and log((1 - e) / (h - 1)) for
    another answer off the middle; 4 categories: two sides and no middle; 3 categories: no extremity node."""
    rng = np.random.default_rng(7)
    f = np.repeat(rng.normal(size=(1500, 2)), 3, axis=1)
    y = f + rng.normal(scale=.7, size=(1500, 6))
    shifts, scales, props, ext = np.array([-0.5, 0.0, 0.5]), np.array([0.6, 1.0]), np.array([0.3]), np.array([0.2, 0.7])
    for m, cuts in ((5, [-1.5, -0.5, 0.4, 1.3]), (7, [-1.8, -1.1, -0.4, 0.3, 1.0, 1.7]), (4, [-0.9, 0.0, 0.9]),
                    (3, [-0.5, 0.6])):
        x = (y[:, :, None] > np.array(cuts)).sum(axis=2)
        tau, r = I.answer_model(x, m)
        rows, h = x[:30], m // 2
        ll = I.irtree_item_loglik(rows, tau, r, shifts, scales, props, ext)
        if m % 2:
            side = np.where(rows < h, 0, np.where(rows == h, 1, 2))
            sides = I.midpoint_item_loglik(side, tau[:, [0, h, h + 1, m]], r, shifts, scales, props)
        else:
            sides = I.copula_item_loglik((rows >= h).astype(int), tau[:, [0, h, m]], r, shifts, scales)[:, None]
        g = len(shifts) * len(scales)
        assert ll.shape == (g * sides.shape[1] * len(ext), 30, 6)
        end, off = (rows == 0) | (rows == m - 1), ~((rows == h) & (m % 2 == 1))
        for e_i, e in enumerate(ext):
            node = np.where(end, np.log(e), np.log((1 - e) / max(h - 1, 1))) * off if h > 1 else np.zeros(rows.shape)
            want = sides + node[None, None]
            got = ll.reshape(g, sides.shape[1], len(ext), 30, 6)[:, :, e_i]
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_random_lr_with_the_irtree_reading_is_at_most_the_styles_alone_and_exact_above_its_bound():
    rng = np.random.default_rng(8)
    f = np.repeat(rng.normal(size=(1200, 3)), 4, axis=1)
    x = ((f + rng.normal(scale=.7, size=(1200, 12)))[:, :, None] > np.array([-1.5, -0.6, 0.3, 1.2])).sum(axis=2)
    # IRTree respondents with a weak trait: a side that barely follows it, a 1 or 5 half the time, no middle
    weak = 0.3 * f[:200] + rng.normal(size=(200, 12))
    x[:200] = np.where(weak > 0, np.where(rng.random((200, 12)) < .5, 4, 3), np.where(rng.random((200, 12)) < .5, 0, 1))
    x[200:230] = rng.integers(0, 5, size=(30, 12))                   # uniform random answers
    tau, r = I.answer_model(x, 5)
    styles = I.random_lrs(x, tau, r)
    both = I.random_lrs(x, tau, r, extreme=I.LR_EXTREME)
    assert np.all(both <= styles + 1e-9)
    assert np.any(both < styles - 0.5)                              # and lower for some
    cut = np.quantile(both, .9, axis=0)
    pruned = I.random_lrs(x, tau, r, above=cut, extreme=I.LR_EXTREME)
    above = (pruned > cut).any(axis=1)
    np.testing.assert_allclose(pruned[above], both[above], rtol=1e-12)
    assert np.array_equal(above, (both > cut).any(axis=1))
    q = I.random_lr_quantiles(x, tau, r, [.95, .99], min_tail=4, extreme=I.LR_EXTREME)
    np.testing.assert_allclose(q, np.quantile(both, [.95, .99], axis=0).T, rtol=1e-9)


def test_tail_periods_equals_its_definition():
    def naive(c, min_tail, max_period):
        n, k = c.shape
        out = np.zeros((n, k + 1), dtype=int)
        for i in range(n):
            for t in range(k + 1):
                for per in range(1, min(max_period, k - 1) + 1):
                    if t >= max(min_tail, per + min(per, 4)) and all(c[i, j] == c[i, j - per]
                                                                     for j in range(k - t + per, k)):
                        out[i, t] = per
                        break
        return out

    rng = np.random.default_rng(0)
    c = rng.integers(0, 3, size=(300, 12))
    c[:40, 5:] = 1
    c[40:80, 4:] = np.resize([0, 1, 2], 8)
    for min_tail, max_period in ((6, 1), (6, 8), (3, 4), (5, 11)):
        assert (I.tail_periods(c, min_tail, max_period) == naive(c, min_tail, max_period)).all()


def test_integrated_lr_is_the_grid_average_of_the_styles_likelihoods():
    # the style integrated out with a uniform prior over LR_SHIFTS x LR_SCALES: a direct average of the
    # styles' likelihoods (copula_item_loglik summed over the items), between the profile and the profile + log G
    rng = np.random.default_rng(8)
    x = np.clip(np.round(2 + rng.normal(size=(400, 1)) + rng.normal(scale=.7, size=(400, 6))), 0, 4).astype(int)
    x[:5] = rng.integers(0, 5, size=(5, 6))
    tau, r = I.answer_model(x, 5)
    lr = I.integrated_lr(x, tau, r, chunk=8)                     # small chunks: several passes
    ll = I.copula_item_loglik(x, tau, r, I.LR_SHIFTS, I.LR_SCALES).sum(axis=2)   # styles x rows
    direct = -6 * np.log(5) - np.log(np.mean(np.exp(ll), axis=0))
    assert np.allclose(lr, direct, atol=1e-8)
    prof = I.random_lr(x, tau, r, midpoint=())
    g = len(I.LR_SHIFTS) * len(I.LR_SCALES)
    assert np.all(lr >= prof - 1e-9) and np.all(lr <= prof + np.log(g) + 1e-9)
    one = I.integrated_lr(x, tau, r, shifts=np.zeros(1), scales=np.ones(1))   # one style: the style-free ratio
    assert np.allclose(one, I.random_lr(x, tau, r, shifts=np.zeros(1), scales=np.ones(1), midpoint=()))
    y = x.copy()
    y[3, 2] = -1                                                 # a missing answer: not evaluated
    out = I.integrated_lr(y, tau, r)
    assert np.isnan(out[3]) and np.allclose(np.delete(out, 3), np.delete(lr, 3))


def test_sample_stretch_quantiles_weigh_the_stretches_the_sample_shows():
    # profiled_stretch is the stretch of the likeliest style on the grid (copula_item_loglik summed over the items)
    rng = np.random.default_rng(11)
    f = rng.normal(size=(1200, 1))
    x = np.clip(np.round(2 + f + rng.normal(scale=.8, size=(1200, 8))), 0, 4).astype(int)
    tau, r = I.answer_model(x, 5)
    ll = I.copula_item_loglik(x[:50], tau, r, I.LR_SHIFTS, I.LR_SCALES).sum(axis=2)
    assert np.allclose(I.profiled_stretch(x[:50], tau, r, chunk=7), I.LR_SCALES[ll.argmax(axis=0) % len(I.LR_SCALES)])
    # a style-free sample: the weight sits at and below a stretch of 1, the quantile near the style-free one
    q, w = I.sample_stretch_quantiles(x, tau, r, [np.inf], [.99], n=1000)
    assert np.isclose(w.sum(), 1) and w[I.LR_SCALES > 1.5].sum() < .1
    free = np.quantile(I.random_lr(I.answer_draws(tau, r, n=4000), tau, r), .99)
    big = np.quantile(I.random_lr(I.styled_answer_draws(tau, r, float(I.LR_SCALES[-1]), n=1000), tau, r), .99)
    assert abs(q[0] - free) < abs(q[0] - big)
    # a fifth of extreme responders (stretch 2.5): weight on the stretches and a higher quantile, for either seed
    for seed in (1, 2):
        y = x.copy()
        y[:240] = np.clip(np.round(2 + 2.5 * (f[:240] + rng.normal(scale=.8, size=(240, 8)))), 0, 4)
        tau2, r2 = I.answer_model(y, 5)
        q2, w2 = I.sample_stretch_quantiles(y, tau2, r2, [np.inf], [.99], n=1000, seed=seed)
        assert w2[I.LR_SCALES > 1.5].sum() > .1
        q1, _ = I.sample_stretch_quantiles(x, tau, r, [np.inf], [.99], n=1000, seed=seed)
        assert q2[0] > q1[0]
    # the tail ratio too, and the flag level only removes rows: a row left out cannot raise a share
    q3, w3 = I.sample_stretch_quantiles(x, tau, r, [0.0, 0.0], [.99, .99], min_tail=4, n=500)
    assert q3.shape == (2,) and np.isclose(w3.sum(), 1)


def test_sample_stretch_quantiles_reads_a_large_file_from_rows_spread_over_it():
    # of more than max_rows complete rows, that many spread evenly give the shares: nearly the same estimate
    big = I.LR_SCALES > 1.5
    for seed in (12, 13):
        rng = np.random.default_rng(seed)
        f = rng.normal(size=(1600, 1))
        y = np.clip(np.round(2 + f + rng.normal(scale=.8, size=(1600, 8))), 0, 4).astype(int)
        y[::5] = np.clip(np.round(2 + 2.5 * (f[::5] + rng.normal(scale=.8, size=(320, 8)))), 0, 4)  # a fifth stretched
        tau, r = I.answer_model(y, 5)
        q, w = I.sample_stretch_quantiles(y, tau, r, [np.inf], [.99], n=1000)
        q_all, w_all = I.sample_stretch_quantiles(y, tau, r, [np.inf], [.99], n=1000, max_rows=1600)
        assert np.allclose(q, q_all) and np.allclose(w, w_all)              # at or under max_rows: every row
        q_sub, w_sub = I.sample_stretch_quantiles(y, tau, r, [np.inf], [.99], n=1000, max_rows=800)
        assert w_sub[big].sum() > .1 and abs(w_sub[big].sum() - w[big].sum()) < .1   # (seeds 12-14: <= .035)
        assert abs(q_sub[0] - q[0]) < .25                                          # (seeds 12-14: <= .04)


def test_mahad_sim_quantile_takes_one_item():
    # a reference left with one item (the others answered by fewer than half: a 5-row export) crashed `clean`
    # with an IndexError: np.cov of one column is 0-dimensional
    x = np.random.default_rng(4).integers(1, 6, size=(400, 1)).astype(float)
    q = I.mahad_sim_quantile(x, 40, 0.99)
    assert 3.0 < q < 8.0          # about chi2(1)'s .99 quantile (6.63) at n = 40
