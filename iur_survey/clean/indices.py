"""Careless-responding indices: one function per index, on a plain response matrix.

In the spirit of R's ``careless`` package: every function takes ``x`` (respondents x
items, ``NaN`` = missing, in questionnaire order) and returns one value per respondent
(a NumPy array).  The screening *rules* of :mod:`iur_survey.clean.rules` turn them into
flags.  Where ``careless`` has the same index the definition is its own and
``tests/clean/test_indices.py`` compares the values with careless 1.2.2's own code
(vendored unchanged in ``tests/clean/r/careless/``, run by
``tests/clean/r/careless_reference.R``), on complete answers and on answers with holes.
Where careless' code differs on missing answers the function's docstring says how:
``mahad`` (the observed sub-matrix, not careless' mean imputation) and ``longstring``
and ``irv`` of a row with no answer.

================  ========================================  ===========================
function          index                                      reference
================  ========================================  ===========================
longstring        longest run of identical answers           careless::longstring; Johnson 2005
longpattern       longest periodic string (zig-zag, ...)     longstring generalised; Curran 2016
longpattern_      how often the person's own answers, in a   permutation (runs) test: Wald &
own_p             random order, agree L items back as often  Wolfowitz 1940; Mood 1940; min-p:
                                                             Westfall & Young 1993
max_identical     how often the most frequent answer is      Kim et al. 2019 (maximum identical
                  given, wherever it stands                  rating; straight-lining)
irv               intra-individual response variability      careless::irv; Dunn et al. 2018
mahad             Mahalanobis D² (pairwise covariance)       careless::mahad (complete rows)
mahad_beta_p      D²'s finite-sample p (scaled Beta)         Wilks 1963; Gnanadesikan & Kettenring 1972
mahad_new_p       the same for a row outside the estimation  Penny 1996 (Hotelling's T² of one
                  sample (scaled F)                          new observation)
psychsyn          psychometric synonyms                      careless::psychsyn; Meade & Craig 2012
psychant          psychometric antonyms                      careless::psychant; Meade & Craig 2012
evenodd           even-odd consistency (negated, as careless) careless::evenodd; Johnson 2005
split_half        resampled even-odd: mean over every        Curran 2016 (resampled individual
                  balanced split of each short scale          reliability)
person_total      person-total correlation                   Curran 2016; Donlon & Fischer 1968
guttman_normed    normed polytomous Guttman errors G^p_N     Emons 2008; Molenaar 1991
construct_        within-construct residual variance         inter-item SD within a scale:
residual_var      (answers about the item means, around       Marjanovic et al. 2015; Curran
                  the person's construct mean)                2016 (individual consistency)
ipsatize          each person's answers centred on their     Cattell 1944; Fischer 2004
                  own mean, scaled by their own SD            (response-style correction)
mahad_ipsatized   D² of the ipsatized answers (acquiescent   Fischer 2004; Meade & Craig 2012
                  and extreme style drop out)                 (D² for random responding)
mahad_quotient    D² per unit of squared deviation,          Mahalanobis 1936; Curran 2016
                  z' R^-1 z / z' z (Rayleigh quotient)        (D² screening)
answer_draws      honest answers drawn from an answer model   (draws for laws beyond
                  (item thresholds, Gaussian copula)         normality)
mahad_sim_        same-sample D² quantile over such draws    Wilks 1963's law, simulated
quantile
random_lr         likelihood ratio of uniform random         Neyman & Pearson 1933; lz*:
                  answers against the sample's answer         Snijders 2001; styles: Böckenholt
                  model, the person's style profiled out      2012 (IRTree midpoint node),
                  (shift, stretch, midpoint propensity)       Baumgartner & Steenkamp 2001
random_tail_lr    the same for answers that turn random      Page 1954 (CUSUM); Yu & Cheng
                  from some item on (a change point)          2019 (back random responding)
random_           the tail against its predictive given     Yu & Cheng 2019; the style a
predictive_       the careful head (the style learnt from   nuisance with a uniform prior
tail_lr           the head, integrated over the grid)       (a Bayes predictive)
invariant_tail_lr generalised likelihood ratio of answers    longstring (Johnson 2005) as a
                  that repeat one answer or a short motif     change point (Yu & Cheng 2019);
                  from some item on, styles profiled out      styles: Böckenholt 2012
================  ========================================  ===========================

>>> x = np.array([[1, 2, 3, 4, 5, 4], [3, 3, 3, 3, 3, 4.0]])
>>> longstring(x).tolist(), np.round(irv(x), 3).tolist()
([1, 5], [1.472, 0.408])
"""

from __future__ import annotations

import itertools
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import linalg, special

from .missing import pattern_index

__all__ = ["longstring", "longpattern", "longpattern_own_p", "max_identical", "most_frequent_of", "row_hash", "irv", "mahad", "mahad_beta_p", "item_pairs", "psychsyn", "psychant", "evenodd",
           "split_half", "person_total", "guttman_normed", "row_correlation", "mahalanobis_d2", "pairwise_corr",
           "mahad_beta_crit", "mahad_new_p", "mahad_new_crit", "answer_draws", "mahad_sim_quantile",
           "mahad_quotient_new_crit", "construct_residual_var", "ipsatize", "mahad_ipsatized", "mahad_quotient",
           "rayleigh_quotient", "mahad_quotient_crit", "mahad_quotient_crits", "standardised_corr",
           "category_scores", "answer_model", "scale_midpoint", "copula_item_loglik", "random_lr", "random_tail_lr",
           "integrated_lr",
           "random_change_lr", "random_predictive_tail_lr", "random_lrs", "random_lr_quantiles", "midpoint_item_loglik",
           "tail_periods", "invariant_tail_lr", "walk_motifs", "walk_tail_lr", "page_lines", "page_line_spread",
           "page_line_tail", "band_pairs", "band_pair_chunks", "stratum_shares", "match_tail"]


def nanmean_quiet(x: np.ndarray, axis: int) -> np.ndarray:
    """``np.nanmean`` without its warning where a slice is all missing (``NaN`` there).

    Thread-safe: no warnings filter is touched (the cleaning runs rules side by side in
    threads; ``numpy.testing.suppress_warnings`` swaps a process-wide hook and crashed a
    cleaning when another thread warned meanwhile).

    >>> nanmean_quiet(np.array([[1.0, np.nan], [3.0, np.nan]]), axis=0).tolist()
    [2.0, nan]
    """
    x = np.asarray(x, dtype=float)
    n = (~np.isnan(x)).sum(axis=axis)
    total = np.nansum(x, axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, total / np.maximum(n, 1), np.nan)


def row_correlation(a: np.ndarray, b: np.ndarray, min_n: int = 3) -> np.ndarray:
    """Per row, the Pearson correlation of ``a[i]`` and ``b[i]`` over pairwise-complete columns.

    ``NaN`` when fewer than ``min_n`` complete pairs or when either side does not vary.

    >>> row_correlation(np.array([[1, 2, 3.0], [1, 1, 1]]), np.array([[2, 4, 7.0], [1, 2, 3]])).round(4).tolist()
    [0.9934, nan]
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    miss = np.isnan(a)
    miss |= np.isnan(b)
    with np.errstate(invalid="ignore", divide="ignore"):
        if not miss.any():  # the common case: no masks needed
            k = np.full(len(a), a.shape[1])
            da = a - a.mean(1, keepdims=True)
            db = b - b.mean(1, keepdims=True)
        else:               # (in place: the values of np.where(ok, x0 - mean, 0.0), fewer temporaries)
            k = a.shape[1] - miss.sum(1)
            da, db = np.where(miss, 0.0, a), np.where(miss, 0.0, b)
            da -= (da.sum(1) / k)[:, None]
            db -= (db.sum(1) / k)[:, None]
            da[miss] = 0.0
            db[miss] = 0.0
        sxx, syy = np.einsum("ij,ij->i", da, da), np.einsum("ij,ij->i", db, db)
        r = np.einsum("ij,ij->i", da, db) / np.sqrt(sxx * syy)
    bad = (k < min_n) | (sxx < 1e-12) | (syy < 1e-12)
    return np.where(bad, np.nan, np.clip(r, -1.0, 1.0))


def longstring(x: np.ndarray) -> np.ndarray:
    """Longest run of identical consecutive answers (``careless::longstring``; a missing answer breaks a run).

    A row without any answer gives 0 (careless gives 1: ``rle`` counts a missing answer
    as a run of length one).

    >>> longstring(np.array([[1, 1, 2, 2, 2.0]])).tolist()
    [3]
    """
    x = np.asarray(x, dtype=float)
    n, k = x.shape
    if k == 0:
        return np.zeros(n, dtype=np.int64)
    cur = np.where(np.isnan(x[:, 0]), 0, 1)
    best = cur.copy()
    for j in range(1, k):
        cur = np.where(x[:, j] == x[:, j - 1], cur + 1, np.where(np.isnan(x[:, j]), 0, 1))
        best = np.maximum(best, cur)
    return best.astype(np.int64)


def longpattern(x: np.ndarray, max_period: int = 8, max_share: float = 0.6, min_length: int = 0,
                agrees: np.ndarray | None = None, cycle_period: int | None = None, cycle_share: float | None = None
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Longest periodic string: per row, the longest stretch that repeats itself every ``L`` answers.

    For each period ``L = 2 .. max_period`` the longest run of ``x[j] == x[j - L]`` (a
    missing answer breaks it) plus ``L`` (the first period), the best over ``L``; with
    its period and start column.  Longstring (Johnson 2005) is the period-1 case; a
    zig-zag ``1 2 3 4 5 4 3 2 ...`` has period 8, a diagonal ``1 2 3 4 5 1 ...`` period 5.
    A stretch counts only if it repeats in full at least once (length ``>= 2L``), its
    motif varies and no single answer makes up more than ``max_share`` of it (mostly one
    answer with a few others is near-straight-lining, longstring's and IRV's business,
    and what a consistent honest respondent with few categories can produce).
    ``min_length``: rows whose repeats at a period are too few to reach it are skipped
    for that period (a screening rule only needs the long stretches; 0 = exact for all).
    ``agrees``: one flag per column; a flagged column agrees with the answer ``L`` back and ahead
    whatever it holds (an attention check answered as told: its answer is the instruction's, not
    the pattern's, and a pattern clicked through it goes on after it).  ``agrees`` and ``cycle_share``
    (a ``max_share`` of its own) apply to the periods up to ``cycle_period`` only (default: every period),
    the short cycles (2-3 answers) that an answered check most often puts out of step and whose motif
    often holds one answer twice (3-5-5).

    >>> longpattern(np.array([[1, 2, 1, 2, 1, 2, 5, 3.0], [3, 3, 3, 3, 3, 3, 3, 3], [5, 5, 4, 5, 5, 4, 5, 5]]))
    (array([6, 0, 0]), array([2, 0, 0]), array([0, 0, 0]))
    >>> longpattern(np.array([[5, 5, 4, 5, 5, 4, 5, 5, 4.0]]), cycle_period=3, cycle_share=0.7)[0]  # 2/3 one
    array([9])
    >>> six = np.array([[5, 5, 4, 5, 5, 3, 5, 5, 4, 5, 5, 3.0]])                       # period 6, 2/3 one
    >>> longpattern(six, max_share=0.7)[0], longpattern(six, cycle_period=3, cycle_share=0.7)[0]
    (array([12]), array([0]))
    >>> longpattern(np.array([[3, 4, 3, 4, 4, 4, 3, 4, 3, 4.0]]), agrees=np.arange(10) == 4)[0]   # the 5th agrees
    array([10])
    """
    x = np.asarray(x, dtype=float)
    n, k = x.shape
    best = np.zeros(n, dtype=np.int64)
    best_p = np.zeros(n, dtype=np.int64)
    best_s = np.zeros(n, dtype=np.int64)
    if k < 4:
        return best, best_p, best_s
    values = np.unique(x[~np.isnan(x)])
    if len(values) > 20:  # not a rating scale: no pattern check by answer
        values = values[:0]
    for per in range(2, min(max_period, k // 2) + 1):
        with np.errstate(invalid="ignore"):
            same = x[:, per:] == x[:, :-per]
        short = cycle_period is None or per <= cycle_period
        share = cycle_share if short and cycle_share is not None else max_share
        if agrees is not None and short:
            wild = np.asarray(agrees, dtype=bool)
            same = same | (wild[per:] | wild[:-per])[None, :]
        m = same.shape[1]
        p_len = np.zeros(n, dtype=np.int64)
        p_start = np.zeros(n, dtype=np.int64)
        live = np.flatnonzero(same.sum(1) + per >= max(min_length, 2 * per))
        if len(live):
            idx = np.arange(m)
            last_break = np.maximum.accumulate(np.where(same[live], -1, idx), axis=1)
            run = idx - last_break                      # length of the run of repeats ending at j
            end = run.argmax(axis=1)
            cur = run[np.arange(len(live)), end]
            p_start[live] = end - cur + 1
            p_len[live] = np.where(cur >= per, cur + per, 0)  # at least one full repeat
        cand = np.flatnonzero(p_len > best)  # only stretches that could beat the best so far
        if len(values) and len(cand):
            st, sp = p_start[cand], p_start[cand] + p_len[cand]
            xc = x[cand]
            r = np.arange(len(cand))
            top = np.zeros(len(cand), dtype=np.int64)
            for v in values:
                pc = np.concatenate([np.zeros((len(cand), 1), dtype=np.int32),
                                     np.cumsum(xc == v, axis=1, dtype=np.int32)], axis=1)
                top = np.maximum(top, pc[r, sp] - pc[r, st])
            # a motif that varies, not mostly one answer (a straight line has share 1)
            p_len[cand[top > share * p_len[cand]]] = 0
        better = p_len > best
        best = np.where(better, p_len, best)
        best_p = np.where(better, per, best_p)
        best_s = np.where(better, p_start, best_s)
    return best, best_p, best_s


def longpattern_own_p(x: np.ndarray, max_period: int = 8, strata: Sequence | None = None, draws: int = 20000,
                      seed: int = 1940) -> np.ndarray:
    """Per row, a permutation p of the answer order given the person's own answers: how often those answers,
    put in a random order, agree with the answer ``L`` items back as often as the row does, at its most
    unusual period ``L = 2 .. max_period``.

    The null of :func:`longpattern`'s honest draws is the sample's answer model; a respondent
    who gives mostly 4 and 5 (an acquiescent or extreme style) repeats an answer ``L`` items
    back far more often than it does, and an arbitrary 8-answer motif that repeats once (16
    answers, only 8 coincidences) is then no longer rare.  Conditioning on the person's own
    answers, as the runs test does (Wald & Wolfowitz 1940, *Ann Math Stat* 11:147-162; runs of
    several kinds given their counts: Mood 1940, *Ann Math Stat* 11:367-392), takes the style
    out: only the order is tested.  The statistic at each period is the count of answers equal
    to the one ``L`` items back over the whole row (a pattern that an attention check breaks in
    two still agrees almost everywhere; the longest stretch alone would see half of it); the
    periods are combined by the least per-period tail probability, its law taken from the same
    permutations (single-step min-p, Westfall & Young 1993, *Resampling-Based Multiple
    Testing*, Wiley, ch. 2).  ``strata`` (one label per column) restricts the permutations to
    columns of the same label (restricted permutations: Anderson & ter Braak 2003, *J Stat
    Comput Simul* 73:85-113): the answers to reverse-keyed items, where an honest respondent
    disagrees, stay on reverse-keyed items (their places are the questionnaire's, not the
    person's), and a column with a label of its own (an attention check read in its place)
    keeps its answer.  Missing answers keep their places and agree with nothing.  A Monte Carlo
    p, ``(1 + k) / (1 + draws)`` (Dwass 1957, *Ann Math Stat* 28:181-187; never 0: Phipson &
    Smyth 2010, *Stat Appl Genet Mol Biol* 9:39); the same seeded orders for every row, so a
    row's p depends on its own answers only.  It depends only on which of them are equal and
    where answers are missing, so each distinct row is tested once, all its shuffles at once
    (answers as small codes, a shuffle per column; no loop over shuffles): 264 rows of a
    100,000-row export, 45 distinct, take about 0.1 s.

    >>> zig = np.tile([1, 2, 3, 4, 5, 4, 3, 2.0], 4)[:28]                # a zig-zag through 28 items
    >>> seesaw = np.r_[np.resize([4, 3.0], 16), np.resize([3, 4.0], 12)]  # broken once (a check answered)
    >>> motif = np.array([4, 5, 5, 4, 4, 5, 5, 1, 4, 5, 5, 4, 4, 5, 5, 1, 5, 4, 4, 5, 4, 5, 5, 4, 4, 4, 5, 5.0])
    >>> x = np.vstack([zig, seesaw, motif])            # mostly 4 and 5: an 8-answer motif repeated once
    >>> longpattern(x)[0].tolist(), longpattern_own_p(x).round(4).tolist()
    ([28, 16, 16], [0.0, 0.0, 0.1221])
    """
    x = np.asarray(x, dtype=float)
    n, k = x.shape
    out = np.full(n, np.nan)
    lags = np.arange(2, min(max_period, k // 2) + 1)
    if not len(lags) or not n:
        return out
    labels = np.zeros(k, dtype=np.int64) if strata is None else np.unique(np.asarray(strata), return_inverse=True)[1]
    # the p depends only on which answers are equal and where answers are missing: an answer's code
    # is the place where it first appears (a missing answer's is its own place, equal to nothing),
    # and each distinct row is tested once
    missing, codes = np.isnan(x), np.tile(np.arange(k, dtype=np.int8 if k < 128 else np.int32), (n, 1))
    for j in range(k - 1, -1, -1):
        codes[x == x[:, j:j + 1]] = j
    _, one, back = np.unique(np.where(missing, -1, codes), axis=0, return_index=True, return_inverse=True)
    codes, missing = codes[one], missing[one]
    observed = np.stack([np.count_nonzero(codes[:, lag:] == codes[:, :-lag], axis=1) for lag in lags], axis=1)
    p = np.empty(len(one))
    holes, group = np.unique(missing, axis=0, return_inverse=True)
    for g, hole in enumerate(holes):
        orders = _own_orders(labels.tobytes(), hole.tobytes(), k, draws, seed)
        rows = np.flatnonzero(group.ravel() == g)
        for chunk in np.array_split(rows, -(-len(rows) * draws * k // 2 ** 21)):      # ~2 MB of shuffles
            p[chunk] = _own_p(np.take(codes[chunk], orders, axis=1), observed[chunk], lags, draws)
    out[:] = p[back.ravel()]
    return out


def _own_orders(labels: bytes, hole: bytes, k: int, draws: int, seed: int) -> np.ndarray:
    """:func:`longpattern_own_p`'s seeded orders, as column indices (``k`` x ``draws``): the
    columns of each label shuffled among themselves, a missing answer in its place; the same for
    every row with the same missing answers, whatever the rows around it."""
    key = (labels, hole, k, draws, seed)
    if key not in _OWN_ORDERS:
        if len(_OWN_ORDERS) >= 8:
            _OWN_ORDERS.pop(next(iter(_OWN_ORDERS)))
        lab, missing = np.frombuffer(labels, dtype=np.int64), np.frombuffer(hole, dtype=bool)
        keys = np.random.default_rng(seed).random((draws, k))
        orders = np.tile(np.arange(k), (draws, 1))
        for one in np.unique(lab):
            free = np.flatnonzero((lab == one) & ~missing)
            if len(free) > 1:
                orders[:, free] = free[np.argsort(keys[:, free], axis=1)]
        orders = np.ascontiguousarray(orders.T)            # a shuffle per column: sums run along items
        orders.setflags(write=False)
        _OWN_ORDERS[key] = orders
    return _OWN_ORDERS[key]


_OWN_ORDERS: dict = {}


def _agree(shuffled: np.ndarray, lag: int) -> np.ndarray:
    """Per row and shuffle (rows x items x draws), how many answers equal the one ``lag`` items back."""
    r, k, draws = shuffled.shape
    count, same = np.zeros((r, draws), dtype=np.int8 if k < 128 else np.int32), np.empty((r, draws), dtype=bool)
    for j in range(lag, k):
        count += np.equal(shuffled[:, j], shuffled[:, j - lag], out=same).view(np.int8)
    return count


def _own_p(shuffled: np.ndarray, observed: np.ndarray, lags: np.ndarray, draws: int) -> np.ndarray:
    """The min-p permutation p of :func:`longpattern_own_p` for a block of rows: ``shuffled`` is
    rows x items x draws (answer codes), ``observed`` rows x lags (the rows' agreement counts)."""
    m, k, _ = shuffled.shape
    agree = [_agree(shuffled, lag) for lag in lags]
    # per row and lag, how many shuffles agree at least v times (v = 0 .. k); the row's share of
    # shuffles, the least over lags, is ``least``; a shuffle's own share is at most that exactly
    # where it agrees, at some lag, at least as often as the least count whose share is at most
    # ``least`` (``reach``)
    offset = np.arange(m)[:, None] * (k + 1)
    at_least = np.stack([np.bincount((offset + a).ravel(), minlength=m * (k + 1)).reshape(m, k + 1) for a in agree],
                        axis=1)[:, :, ::-1].cumsum(axis=2)[:, :, ::-1]                  # m x lags x (k + 1)
    least = np.take_along_axis(at_least, observed[:, :, None], axis=2).min(axis=(1, 2))
    reach = np.count_nonzero(at_least > least[:, None, None], axis=2)                   # m x lags
    beyond = np.zeros(agree[0].shape, dtype=bool)
    for c, a in enumerate(agree):
        beyond |= a >= reach[:, c, None]
    return (1 + np.count_nonzero(beyond, axis=1)) / (1 + draws)


def max_identical(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The count of a respondent's most frequent answer, and that answer (``NaN`` if none).

    The *maximum identical rating* of Kim, Dykema, Stevenson, Black & Moberg (2019,
    *Soc Sci Comput Rev* 37:214-233), one of the straight-lining indicators they compare,
    as a count: unlike :func:`longstring` it is not broken by one answer in between.  A
    tie goes to the lowest code.  Missing answers are not counted.

    >>> n, v = max_identical(np.array([[4, 4, 1, 4, 4.0], [1, 2, 2, 1, np.nan], [np.nan] * 5]))
    >>> n.tolist(), v.tolist()
    ([4, 2, 0], [4.0, 1.0, nan])
    """
    x = np.asarray(x, dtype=float)
    if x.size and x.ndim == 2:
        # the answers are nearly always a few whole codes: try each whole value from the least to the largest (the
        # order np.unique gives) without sorting every answer; an answer off them (a fraction, -0.0) falls back
        with np.errstate(invalid="ignore"):
            lo, hi = np.fmin.reduce(x, axis=None), np.fmax.reduce(x, axis=None)
        if (np.isfinite(lo) and np.isfinite(hi) and hi - lo <= _WHOLE_SPAN and lo == np.floor(lo)
                and not (lo <= 0 <= hi and np.any(np.signbit(x) & (x == 0)))):
            best, val, seen = most_frequent_of(x, np.arange(lo, hi + 1))
            if seen == x.size - int(np.isnan(x).sum()):
                return best, val
    return most_frequent_of(x, np.unique(x[~np.isnan(x)]))[:2]


def most_frequent_of(x: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Per row of ``x``, the count of its most frequent answer among ``values`` (in their order: a tie goes to
    the first), that answer (``NaN`` if none), and how many answers of ``x`` were among ``values``.

    >>> n, v, seen = most_frequent_of(np.array([[4, 4, 1, 4.0], [2, 1, 1, 2]]), np.array([1.0, 2.0, 4.0]))
    >>> n.tolist(), v.tolist(), seen
    ([3, 2], [4.0, 1.0], 8)
    """
    best = np.zeros(len(x), dtype=np.int64)
    val = np.full(len(x), np.nan)
    seen = 0
    for v in values:
        k = (x == v).sum(axis=1)
        seen += int(k.sum())
        more = k > best
        best = np.where(more, k, best)
        val = np.where(more, v, val)
    return best, val, seen


#: :func:`max_identical` tries each whole value between the least and the largest answer when they are at most
#: this far apart (else, or with another answer, the distinct answers of np.unique)
_WHOLE_SPAN = 64


def page_lines(x: np.ndarray, pages: list[np.ndarray]) -> np.ndarray:
    """Per respondent and page (a grid of items: ``pages`` holds each page's column indices into ``x``), the one
    answer given to every item of the page, or ``NaN`` where the page has a missing or a different answer.

    Kim, Dykema, Stevenson, Black & Moberg (2019, *Soc Sci Comput Rev* 37:214-233) and Zhang & Conrad (2014,
    *Surv Res Methods* 8:127-135) measure straight-lining within each grid: the same answer to every statement
    of a page.

    >>> page_lines(np.array([[2, 2, 2, 5, 5, 5], [1, 2, 1, 4, 4, np.nan]]), [np.arange(3), np.arange(3, 6)]).tolist()
    [[2.0, 5.0], [nan, nan]]
    """
    xt = np.ascontiguousarray(np.asarray(x, dtype=float).T)         # an item's answers side by side
    out = np.full((len(pages), xt.shape[1]), np.nan)
    for j, idx in enumerate(pages):
        first = xt[idx[0]]
        line = ~np.isnan(first)
        for k in idx[1:]:
            line &= xt[k] == first                  # NaN never equals: a skipped item breaks the line
        out[j, line] = first[line]
    return out.T


def page_line_spread(lines: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The pages answered with one answer throughout (``lines``: :func:`page_lines`), and how many of them carry
    another answer than the person's most frequent page answer: ``(straight, spread)``.

    An honest midpoint or extreme responder who answers a page with one answer mostly answers his other straight
    pages with that same answer; one answer per page, a different one on each page, is the grid straight-liner's.

    >>> s, m = page_line_spread(np.array([[1, 3, 3, 5, np.nan], [3, 3, 3, np.nan, 3], [np.nan] * 5]))
    >>> s.tolist(), m.tolist()
    ([4, 4, 0], [2, 0, 0])
    """
    straight = (~np.isnan(lines)).sum(axis=1)
    spread = np.zeros(len(lines), dtype=np.int64)
    some = np.flatnonzero(straight >= 2)                 # one straight page or none: no spread
    spread[some] = straight[some] - max_identical(lines[some])[0]
    return straight, spread


def page_line_tail(lines: np.ndarray, ref: np.ndarray, n_draws: int = 20000, seed: int = 0) -> np.ndarray:
    """``tail[m]``: the share of honest respondents whose :func:`page_line_spread` is ``m`` or more, for ``m`` = 0
    ... pages, by drawing each page of ``n_draws`` respondents independently from the page answers of the ``ref``
    rows (a line at any value, or none).

    The pages are drawn apart: the respondent's style, which makes one honest person straight-line several pages
    with the *same* answer (a midpoint responder's "3", an extreme one's "5"), is left out, and with it the reason an
    honest person's straight pages agree; the spread of page answers is therefore larger in the draws than among
    honest people, and the tail conservative.  A ``(count + 1) / (n_draws + 1)`` share: never 0.

    >>> rng = np.random.default_rng(1)
    >>> honest = np.where(rng.random((500, 7)) < 0.1, rng.integers(1, 6, (500, 7)), np.nan)
    >>> tail = page_line_tail(honest, np.ones(500, dtype=bool))
    >>> float(tail[0]), bool(tail[1] > 0.01), bool(tail[3] < 0.001)
    (1.0, True, True)
    """
    rng = np.random.default_rng(seed)
    ref = np.flatnonzero(np.asarray(ref, dtype=bool))
    n_pages = lines.shape[1]
    if not len(ref):
        return np.ones(n_pages + 1)
    pick = ref[rng.integers(0, len(ref), size=(n_draws, n_pages))]
    draws = lines[pick, np.arange(n_pages)[None, :]]
    spread = page_line_spread(draws)[1]
    at_least = np.cumsum(np.bincount(spread, minlength=n_pages + 1)[::-1])[::-1]
    return (at_least + 1) / (n_draws + 1)


def irv(x: np.ndarray) -> np.ndarray:
    """Intra-individual response variability: the SD (n - 1) of a respondent's answers (``careless::irv``).

    Missing answers are left out (careless' ``na.rm = TRUE``); ``NaN`` with fewer than two answers.

    >>> irv(np.array([[1, 2, 3.0, np.nan], [2, np.nan, np.nan, np.nan], [np.nan] * 4])).round(4).tolist()
    [1.0, nan, nan]
    """
    x = np.asarray(x, dtype=float)
    n_ans = (~np.isnan(x)).sum(1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nansum(x, 1) / n_ans
        sd = np.sqrt(np.nansum((x - mean[:, None]) ** 2, 1) / (n_ans - 1))
    return np.where(n_ans < 2, np.nan, sd)


def mahad(x: np.ndarray) -> np.ndarray:
    """Mahalanobis D² of each row from the column means, with the pairwise-complete covariance.

    On complete rows the definition of ``careless::mahad`` (``psych::outlier``): column
    means and ``cov(x, use = "pairwise")``.  A row with missing answers is measured over
    its answered items with the matching mean and sub-matrix ``S_OO`` (the D² whose law
    has the number of answered items as degrees of freedom, :func:`mahad_beta_p`).
    careless differs there: ``psych::outlier`` sums ``d_i (S^-1)_ij d_j`` over the answered
    ``i, j`` with the inverse of the *whole* matrix, i.e. sets the centred missing answers
    to 0 (mean imputation), which gives a larger D² (the tests measure both).

    >>> x = np.array([[1, 2.0], [2, 1], [3, 4], [4, 3], [5, 5]])
    >>> mahad(x).round(3).tolist()
    [2.0, 2.0, 1.111, 1.111, 1.778]
    """
    x = np.asarray(x, dtype=float)
    mu = np.nanmean(x, axis=0)
    cov = pd.DataFrame(x).cov(min_periods=2).to_numpy()
    return mahalanobis_d2(x, mu, cov)[0]


def mahad_beta_p(d2: np.ndarray, n: int, p: np.ndarray | int) -> np.ndarray:
    """Upper-tail p of D² when the mean and covariance come from the same ``n`` rows.

    Then ``n D² / (n - 1)²`` follows a Beta(``p/2``, ``(n - p - 1)/2``) distribution
    (Wilks 1963; Gnanadesikan & Kettenring 1972, *Biometrics* 28:81-124), not chi-square(p):
    D² is bounded by ``(n - 1)² / n`` and the chi-square tail overstates extreme values in
    small samples (the bounded Beta tail is lighter: at the extremes chi-square is
    conservative for the same-sample D², which the Beta corrects).

    >>> from scipy import stats
    >>> round(float(mahad_beta_p(np.array([40.0]), 200, 20)[0]), 5), round(float(stats.chi2.sf(40, 20)), 5)
    (0.00248, 0.005)
    """
    d2 = np.asarray(d2, dtype=float)
    p = np.broadcast_to(np.asarray(p, dtype=float), d2.shape)
    u = np.clip(n * d2 / (n - 1) ** 2, 0.0, 1.0)
    with np.errstate(invalid="ignore"):
        out = special.betaincc(p / 2, (n - p - 1) / 2, u)
    return np.where(np.isnan(d2) | (p < 1) | (n - p - 1 <= 0), np.nan, out)


def mahad_new_p(d2: np.ndarray, n: int, p: np.ndarray | int) -> np.ndarray:
    """Upper-tail p of D² of a row that is *not* among the ``n`` rows the mean and covariance come from.

    For a new normal observation ``n (n - p) D² / ((n + 1) p (n - 1))`` follows
    F(``p``, ``n - p``) (Hotelling's T² for one new observation; Penny 1996, *J R Stat Soc C*
    45:73-81, gives both laws): heavier than :func:`mahad_beta_p`'s law for a row of the
    estimation sample, markedly so when ``n`` is not much larger than ``p`` (e.g. a
    covariance from the few complete cases of an export with item nonresponse, measured on
    the incomplete rows).

    >>> round(float(mahad_new_p(np.array([40.0]), 200, 20)[0]), 4) > round(float(mahad_beta_p(np.array([40.0]), 200, 20)[0]), 4)
    True
    """
    d2 = np.asarray(d2, dtype=float)
    p = np.broadcast_to(np.asarray(p, dtype=float), d2.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        f = n * (n - p) * d2 / ((n + 1) * p * (n - 1))
        out = special.fdtrc(p, n - p, np.maximum(f, 0.0))
    return np.where(np.isnan(d2) | (p < 1) | (n - p <= 0), np.nan, out)


def mahad_new_crit(alpha: float, n: int, p: np.ndarray | int) -> np.ndarray:
    """The D² above which :func:`mahad_new_p` is below ``alpha``.

    >>> d = mahad_new_crit(0.001, 200, 20)
    >>> round(float(mahad_new_p(d, 200, 20)), 6)
    0.001
    """
    p = np.asarray(p, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        f = special.fdtri(p, n - p, 1 - alpha)
        d2 = f * (n + 1) * p * (n - 1) / (n * (n - p))
    return np.where((p < 1) | (n - p <= 0), np.nan, d2)


def pairwise_corr(x: np.ndarray, min_periods: int = 3) -> np.ndarray:
    """Pearson correlations of the columns over pairwise-complete rows (``cor(use = "pairwise")``).

    Matrix products over the observed-value mask instead of a loop over column pairs.

    >>> x = np.array([[1, 2, np.nan], [2, 1, 1], [3, 4, 2], [4, 3, 3.0]])
    >>> np.round(pairwise_corr(x), 3).tolist()
    [[1.0, 0.6, 1.0], [0.6, 1.0, 0.655], [1.0, 0.655, 1.0]]
    """
    m = (~np.isnan(x)).astype(float)
    x0 = np.where(m > 0, x, 0.0)
    n = m.T @ m
    sx = x0.T @ m                      # sum of column i over rows where j is observed
    sxx = (x0 * x0).T @ m
    sxy = x0.T @ x0
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = sxy - sx * sx.T / n
        vx = sxx - sx * sx / n
        r = cov / np.sqrt(vx * vx.T)
    r[n < min_periods] = np.nan
    return np.clip(r, -1.0, 1.0)


def mahad_beta_crit(alpha: float, n: int, p: np.ndarray | int) -> np.ndarray:
    """The D² above which :func:`mahad_beta_p` is below ``alpha``: ``(n - 1)² / n`` times the Beta quantile.

    >>> round(float(mahad_beta_crit(0.001, 200, 20)), 2)
    42.46
    """
    p = np.asarray(p, dtype=float)
    n = float(n)
    if n < 2:      # no estimable covariance: no critical value (never a division by zero)
        return np.full(p.shape, np.nan)
    with np.errstate(invalid="ignore"):
        q = special.betainccinv(p / 2, (n - p - 1) / 2, alpha)
    return np.where((p < 1) | (n - p - 1 <= 0), np.nan, (n - 1) ** 2 / n * q)


def item_pairs(x: np.ndarray | None, critval: float = 0.60, anto: bool = False,
               allowed: np.ndarray | None = None, corr: np.ndarray | None = None) -> np.ndarray:
    """Item pairs ``(j, k)``, ``j > k``, whose sample correlation exceeds ``critval`` (below ``-critval`` for antonyms).

    As ``careless``' helper: pairwise-complete Pearson correlations, pairs taken from the
    lower triangle in column-major order.  ``allowed`` (items x items, bool) restricts the
    pairs (e.g. to items of the same construct).  ``corr``: :func:`pairwise_corr` of ``x``
    when the caller has it (``x`` is then not used).

    >>> x = np.array([[1, 1, 5], [2, 2, 4], [3, 4, 2], [5, 4, 1.0]])
    >>> item_pairs(x, .6).tolist(), item_pairs(x, .6, anto=True).tolist()
    ([[1, 0]], [[2, 0], [2, 1]])
    """
    r = pairwise_corr(np.asarray(x, dtype=float)) if corr is None else corr
    crit = abs(critval)
    hit = (r < -crit) if anto else (r > crit)
    hit &= np.tril(np.ones_like(hit, dtype=bool), k=-1)
    if allowed is not None:
        hit &= np.asarray(allowed, dtype=bool)
    cols, rows = np.nonzero(hit.T)  # column-major order of the lower triangle
    return np.column_stack([rows, cols]).astype(np.int64) if len(rows) else np.empty((0, 2), dtype=np.int64)


def psychsyn(x: np.ndarray, critval: float = 0.60, pairs: np.ndarray | None = None,
             anto: bool = False) -> np.ndarray:
    """Psychometric synonyms: the within-person correlation across highly correlated item pairs.

    Meade & Craig (2012): item pairs whose sample correlation exceeds ``critval`` are
    found (:func:`item_pairs`, or given as ``pairs``); each respondent's answers to the
    first items of the pairs are correlated with those to the second.  Careful respondents
    answer synonyms alike (high values); careless ones do not.  ``NaN`` with fewer than
    three usable pairs or no variation (``careless::psychsyn`` with ``resample_na = FALSE``;
    careless' default ``resample_na = TRUE`` swaps answers within pairs at random where the
    value would be ``NaN``).

    >>> x = np.array([[1, 1, 2, 2, 5, 5], [1, 5, 2, 4, 5, 1], [3, 3, 4, 4, 2, 2], [2, 2, 5, 5, 3, 3.0]])
    >>> psychsyn(x, pairs=np.array([[1, 0], [3, 2], [5, 4]])).round(3).tolist()
    [1.0, -1.0, 1.0, 1.0]
    """
    x = np.asarray(x, dtype=float)
    if pairs is None:
        pairs = item_pairs(x, critval, anto)
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    if len(pairs) == 0:
        return np.full(len(x), np.nan)
    return row_correlation(x[:, pairs[:, 0]], x[:, pairs[:, 1]])


def psychant(x: np.ndarray, critval: float = 0.60, pairs: np.ndarray | None = None) -> np.ndarray:
    """Psychometric antonyms: the within-person correlation across strongly *negatively* correlated pairs.

    On raw codes a reverse-keyed item and its construct's other items are antonyms: a
    careful respondent gives opposite answers (values near -1); a careless one does not.
    ``careless::psychsyn(x, critval, anto = TRUE, resample_na = FALSE)``; the wrapper
    ``careless::psychant`` resamples (see :func:`psychsyn`).

    >>> x = np.array([[1, 5, 2, 4, 4, 2], [1, 1, 2, 2, 4, 4], [3, 3, 4, 2, 2, 4], [5, 1, 1, 5, 3, 3.0]])
    >>> psychant(x, pairs=np.array([[1, 0], [3, 2], [5, 4]])).round(3).tolist()
    [-1.0, 1.0, -1.0, -1.0]
    """
    x = np.asarray(x, dtype=float)
    if pairs is None:
        pairs = item_pairs(x, critval, anto=True)
    return psychsyn(x, pairs=pairs)


def _half_means(x: np.ndarray, factors: Sequence[int], halves: Sequence[tuple[np.ndarray, np.ndarray]]
                ) -> tuple[np.ndarray, np.ndarray]:
    ok = ~np.isnan(x)
    x0 = np.where(ok, x, 0.0)
    starts = np.concatenate([[0], np.cumsum(factors)[:-1]]).astype(np.int64)
    sizes = {(len(ia), len(ib)) for ia, ib in halves}
    if len(sizes) == 1:  # every scale split alike: one gather per half for all scales
        out = []
        for side in (0, 1):
            cols = np.stack([st + np.asarray(h[side], dtype=np.int64) for st, h in zip(starts, halves)])
            with np.errstate(invalid="ignore", divide="ignore"):
                out.append(x0[:, cols].sum(2) / ok[:, cols].sum(2))
        return out[0], out[1]
    a, b = [], []
    start = 0
    for f, (ia, ib) in zip(factors, halves):
        for out, ix in ((a, ia), (b, ib)):
            cols = start + np.asarray(ix, dtype=np.int64)
            with np.errstate(invalid="ignore", divide="ignore"):
                out.append(x0[:, cols].sum(1) / ok[:, cols].sum(1))
        start += f
    return np.column_stack(a), np.column_stack(b)


def _spearman_brown(r: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        sb = 2 * r / (1 + r)
    return np.where(np.isnan(r), np.nan, np.where(r <= -1 + 1e-12, -1.0, np.maximum(sb, -1.0)))


def evenodd(x: np.ndarray, factors: Sequence[int]) -> np.ndarray:
    """Even-odd consistency as ``careless::evenodd`` reports it (*negated*: higher = more careless).

    The columns are ``factors`` consecutive scales; in each, the mean of the even-numbered
    items (2nd, 4th, ...) and of the odd-numbered ones; across scales the two are
    correlated within the person and stepped up ``2r / (1 + r)`` (clipped at -1); the
    result is the negative (Johnson 2005).  Reverse-keyed items must be recoded first.
    A half with no answer in a scale leaves that scale out.  careless 1.2.2 computes this
    on a data frame; given a *matrix* it silently uses only the first two items of each
    scale (``colnames`` of a matrix row are ``NULL``).

    >>> x = np.array([[1, 1, 3, 3, 5, 5], [1, 5, 5, 1, 3, 3.0]])
    >>> evenodd(x, [2, 2, 2]).round(3).tolist()
    [-1.0, 1.0]
    """
    x = np.asarray(x, dtype=float)
    halves = [(np.arange(1, f, 2), np.arange(0, f, 2)) for f in factors]
    e, o = _half_means(x, factors, halves)
    return -_spearman_brown(row_correlation(e, o, min_n=2))


def split_half(x: np.ndarray, factors: Sequence[int]) -> np.ndarray:
    """Resampled even-odd consistency: the mean Spearman-Brown split-half over *every* balanced split.

    Even-odd consistency uses one split of each scale; on short scales (4 items) it is
    noisy.  Curran (2016, *J Exp Soc Psychol* 66:4-19) recommends resampling the split
    ("resampled individual reliability"); with scales of 4 items there are only three
    balanced splits ({1,2|3,4}, {1,3|2,4}, {1,4|2,3}), so this averages over all of them
    (for longer scales, over up to 10 splits, the same for every respondent).  Higher =
    more consistent (not negated).  Reverse-keyed items must be recoded first.

    >>> x = np.array([[1, 1, 1, 1, 3, 3, 3, 3, 5, 5, 5, 5], [1, 5, 3, 2, 4, 1, 5, 3, 2, 2, 5, 1.0]])
    >>> split_half(x, [4, 4, 4]).round(3).tolist()
    [1.0, -0.991]
    """
    x = np.asarray(x, dtype=float)
    per_scale = []
    for f in factors:
        ix = np.arange(f)
        splits = [np.array(c) for c in itertools.combinations(ix, f // 2) if 0 in c][:10] if f >= 2 else []
        per_scale.append([(c, np.setdiff1d(ix, c)) for c in splits])
    n_splits = max((len(s) for s in per_scale), default=0)
    if n_splits == 0:
        return np.full(len(x), np.nan)
    vals = []
    for t in range(n_splits):
        halves = [s[t % len(s)] if s else (np.arange(0), np.arange(0)) for s in per_scale]
        a, b = _half_means(x, factors, halves)
        vals.append(_spearman_brown(row_correlation(a, b, min_n=2)))
    return nanmean_quiet(np.column_stack(vals), axis=1)


def person_total(x: np.ndarray) -> np.ndarray:
    """Person-total correlation: a respondent's answers correlated with the item means of everyone else.

    Curran (2016) after Donlon & Fischer (1968): across items, a careful respondent's
    answers follow the sample's item means (items most agree with, they agree with more);
    a careless one's do not.  The means leave the respondent out.  Reverse-keyed items
    must be recoded first (the item means then spread more).

    >>> x = np.array([[1, 2, 4, 5], [2, 2, 4, 4], [1, 3, 3, 5], [5, 4, 2, 1.0]])
    >>> person_total(x).round(3).tolist()
    [0.894, 0.707, 0.707, -0.997]
    """
    x = np.asarray(x, dtype=float)
    ok = ~np.isnan(x)
    s = np.where(ok, x, 0.0).sum(0)
    c = ok.sum(0)
    with np.errstate(invalid="ignore", divide="ignore"):
        others = (s[None, :] - np.where(ok, x, 0.0)) / (c[None, :] - ok)
    return row_correlation(x, others)


def construct_residual_var(x: np.ndarray, constructs: Sequence[int],
                           item_means: np.ndarray | None = None) -> np.ndarray:
    """Within-construct residual variance: how far a person's answers scatter inside each scale.

    Every answer is centred on its item's mean (``item_means``, default the column means
    of ``x``), then on the person's mean of the same construct (``constructs``: a label
    per column); the squared deviations are pooled over the constructs with 2+ answers
    and divided by their degrees of freedom (answers - 1 per construct).  A careful
    respondent answers the items of one scale alike (small); uniform random answers
    scatter (about the variance of the scale's categories).  It grows with a person's
    use of the scale's ends, so compare it within the person (e.g. the second half of the
    questionnaire against the first: a respondent who stopped reading halfway) rather
    than with other people.  Reverse-keyed items must be recoded first.  ``NaN`` without
    a construct with two answers.  Related to the inter-item standard deviation within a
    scale (Marjanovic et al. 2015, *Pers Individ Dif* 84:79-83) and to Curran's (2016)
    individual consistency indices.

    >>> x = np.array([[4, 4, 2, 2], [5, 1, 1, 5], [3, 3, 3, 3.0]])
    >>> construct_residual_var(x, [0, 0, 1, 1], item_means=np.full(4, 3.0)).tolist()
    [0.0, 8.0, 0.0]
    """
    x = np.asarray(x, dtype=float)
    labels = np.asarray(constructs)
    if x.ndim != 2 or labels.shape != (x.shape[1],):
        raise ValueError("construct_residual_var: one construct label per column of x")
    mu = nanmean_quiet(x, axis=0) if item_means is None else np.asarray(item_means, dtype=float)
    z = x - mu[None, :]
    ss = np.zeros(len(x))
    df = np.zeros(len(x))
    for c in np.unique(labels):
        blk = z[:, labels == c]
        ok = ~np.isnan(blk)
        k = ok.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            m = np.where(ok, blk, 0.0).sum(axis=1) / k
        dev = np.where(ok, blk - m[:, None], 0.0)
        use = k >= 2
        ss += np.where(use, (dev ** 2).sum(axis=1), 0.0)
        df += np.where(use, k - 1, 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(df > 0, ss / np.where(df > 0, df, 1), np.nan)


def guttman_normed(x: np.ndarray, lo: int | np.ndarray, hi: int | np.ndarray, popularity: np.ndarray | None = None) -> np.ndarray:
    """Normed polytomous Guttman errors G^p_N (Molenaar 1991; Emons 2008, *Appl Psychol Meas* 32:224-247).

    Each item of the ``lo..hi`` scale is split into ``hi - lo`` steps (``x >= lo + 1``, ...);
    the steps of all items are ordered by popularity (the share of the sample passing
    them, or ``popularity`` given).  A Guttman error is a pair of steps where the
    respondent passes the less popular step and fails the more popular one.  The count is
    normed by its maximum for the respondent's number of passed steps, ``X (S - X)`` with
    ``S`` steps answered (an upper bound that ignores the nesting of an item's own steps,
    so G^p_N here is slightly smaller than Emons' exact norm).  0 = a perfect Guttman
    pattern, 1 = the reverse.  Reverse-keyed items must be recoded first.  Respondents
    with missing answers are normed over their answered items' steps.

    >>> x = np.array([[5, 4, 3, 2, 1], [1, 2, 3, 4, 5.0], [3, 3, 3, 3, 3]])
    >>> guttman_normed(x, 1, 5).round(3).tolist()
    [0.09, 0.27, 0.0]

    ``lo`` and ``hi`` may be one per item (items on different scales; a step beyond an item's top is none):

    >>> bool(np.allclose(guttman_normed(x, np.ones(5), np.full(5, 5.0)), guttman_normed(x, 1, 5)))
    True
    """
    x = np.asarray(x, dtype=float)
    n, k = x.shape
    if np.ndim(lo) or np.ndim(hi):          # items on scales of their own: each has its own steps
        lo_i, hi_i = np.broadcast_to(lo, (k,)).astype(float), np.broadcast_to(hi, (k,)).astype(float)
        steps = np.arange(int(np.max(hi_i - lo_i)), dtype=float)
        cuts2 = lo_i[:, None] + 1 + steps[None, :]                          # k x m; beyond an item's top: no step
        real = steps[None, :] < (hi_i - lo_i)[:, None]
        with np.errstate(invalid="ignore"):
            passed = ((x[:, :, None] >= cuts2[None]) & real[None]).reshape(n, -1)
        answered = ((~np.isnan(x))[:, :, None] & real[None]).reshape(n, -1)
    else:
        cuts = np.arange(lo + 1, hi + 1, dtype=float)
        with np.errstate(invalid="ignore"):
            passed = (x[:, :, None] >= cuts[None, None, :]).reshape(n, -1)   # n x (k * m) steps
        answered = np.repeat(~np.isnan(x), len(cuts), axis=1)
    passed &= answered
    if popularity is None:
        # ties broken by the position of the step (items in order, then their steps), so that
        # a pattern that follows item order ties to zero errors
        popularity = passed.sum(0) / np.maximum(answered.sum(0), 1)
    order = np.lexsort((np.arange(passed.shape[1]), -np.asarray(popularity, dtype=float)))
    p = passed[:, order]
    a = answered[:, order]
    fails = (a & ~p).astype(np.int16)
    # errors = sum over steps b of [passed b] x [failed steps more popular than b]
    failed_before = np.cumsum(fails, axis=1, dtype=np.int16) - fails
    errors = np.where(p, failed_before, 0).sum(1, dtype=np.int64).astype(float)
    X = p.sum(1, dtype=np.int64)
    S = a.sum(1, dtype=np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        g = errors / (X * (S - X))
    return np.where((X == 0) | (X == S), 0.0, g)


def mahalanobis_d2(x: np.ndarray, mean: np.ndarray, cov: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Squared Mahalanobis distance of each row over its observed columns, and that count.

    A row with missing values is measured with the matching sub-vector of ``mean`` and
    sub-matrix ``S_OO`` of ``cov``.  When ``cov`` is positive definite this needs no
    inverse per missing-data pattern: with ``P = cov^-1``, the row's centred values ``d``
    (zero where missing) and ``u = P d``,
    ``d_O' S_OO^-1 d_O = d' u - u_M' (P_MM)^-1 u_M`` (the inverse of a partitioned
    matrix), and the small ``P_MM`` systems are solved in batches of rows with the same
    number of missing items.  A singular ``cov`` falls back to a pseudo-inverse per pattern.

    >>> x = np.array([[0.0, 0.0], [2.0, np.nan], [np.nan, np.nan]])
    >>> d2, p = mahalanobis_d2(x, np.zeros(2), np.array([[1.0, 0.5], [0.5, 1.0]]))
    >>> np.round(d2, 6).tolist(), p.tolist()
    ([0.0, 4.0, nan], [2, 1, 0])
    """
    n, p = x.shape
    obs = ~np.isnan(x)
    n_obs = obs.sum(axis=1)
    try:
        np.linalg.cholesky(cov)
        prec = np.linalg.inv(cov)
    except np.linalg.LinAlgError:
        return _mahalanobis_d2_patterns(x, obs, mean, cov), n_obs
    d = np.where(obs, x - mean, 0.0)
    u = d @ prec
    d2 = (d * u).sum(axis=1)
    n_miss = p - n_obs
    for k in np.unique(n_miss):
        if k == 0:
            continue
        rows = np.flatnonzero(n_miss == k)
        if k == p:
            d2[rows] = np.nan
            continue
        # column indices of the k missing items of each row (rows x k)
        idx = np.argsort(obs[rows], axis=1, kind="stable")[:, :k]
        u_m = np.take_along_axis(u[rows], idx, axis=1)
        p_mm = prec[idx[:, :, None], idx[:, None, :]]
        d2[rows] -= (u_m * np.linalg.solve(p_mm, u_m[:, :, None])[:, :, 0]).sum(axis=1)
    return d2, n_obs


def _mahalanobis_d2_patterns(x: np.ndarray, obs: np.ndarray, mean: np.ndarray, cov: np.ndarray) -> np.ndarray:
    """D² per missing-data pattern with a pseudo-inverse of each sub-covariance (singular ``cov``)."""
    d2 = np.full(len(x), np.nan)
    masks, inverse = pattern_index(obs)
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(len(masks) + 1))
    for k, m in enumerate(masks):  # one pass per pattern, vectorised over its rows
        if not m.any():
            continue
        rows = order[bounds[k]:bounds[k + 1]]
        diff = x[np.ix_(rows, np.flatnonzero(m))] - mean[m]
        inv = np.linalg.pinv(cov[np.ix_(m, m)], hermitian=True)
        d2[rows] = ((diff @ inv) * diff).sum(axis=1)
    return d2


def ipsatize(x: np.ndarray) -> np.ndarray:
    """Each row centred on its own mean and divided by its own SD (n - 1), over its answered items.

    Within-subject standardisation (Cattell 1944, *Psychol Rev* 51:292-303; Fischer 2004,
    *J Cross-Cult Psychol* 35:263-282, as a correction for response styles): a person who
    agrees more with everything (acquiescence) has a larger mean, one who answers at the
    ends of the scale (extreme responding) a larger SD, one at the middle a smaller SD; what
    is left is the person's *profile* over the items.  Give it the answers in the raw
    (questionnaire) direction: acquiescence is agreement regardless of keying.  A row with
    no spread (all answers equal) or fewer than two answers is ``NaN``.

    >>> ipsatize(np.array([[1, 2, 3.0], [2, 4, 6], [3, 3, 3]])).tolist()
    [[-1.0, 0.0, 1.0], [-1.0, 0.0, 1.0], [nan, nan, nan]]
    """
    x = np.asarray(x, dtype=float)
    n_ans = (~np.isnan(x)).sum(1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nansum(x, 1) / n_ans
        sd = irv(x)
        z = (x - mean[:, None]) / sd[:, None]
    return np.where(((sd > 0) & (n_ans >= 2))[:, None], z, np.nan)


def mahad_ipsatized(x: np.ndarray, reference: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Mahalanobis D² of the ipsatized answers (:func:`ipsatize`), and its degrees of freedom.

    The D² of :func:`mahad` grows with the *size* of a person's answers: an honest extreme
    responder is far from the centroid.  Ipsatized first, every person has mean 0 and SD 1
    over the items, so acquiescent, extreme and midpoint styles drop out (Fischer 2004)
    and D² asks only whether the *profile* is one the sample's item correlations make
    likely; random and patterned answers break it (Meade & Craig 2012 found D² among the
    most sensitive indices to random responding).  A complete ipsatized row sums to zero,
    so the covariance has rank ``p - 1``: the last item is left out (D² does not depend on
    which one) and the degrees of freedom are the answered items among the others
    (``p - 1`` for a complete row).  Mean and covariance come
    from the complete ``reference`` rows (default: all); rows with missing answers are
    measured over their answered items (:func:`mahalanobis_d2`).  Rows :func:`ipsatize`
    leaves ``NaN`` (no spread) get ``NaN`` and 0 degrees of freedom.  Use the raw
    (questionnaire) direction of the answers.

    >>> rng = np.random.default_rng(3)
    >>> f = rng.normal(size=(500, 3))                # three scales of four items
    >>> x = np.clip(np.round(3 + np.repeat(f, 4, axis=1) + rng.normal(scale=.6, size=(500, 12))), 1, 5)
    >>> x[0] = [1, 5, 1, 5] * 3                      # zig-zag: the items of a scale disagree
    >>> x[1] = np.where(x[2] > 3, 5, np.where(x[2] < 3, 1, 3))   # row 2's profile, answered at the ends
    >>> d2, df = mahad_ipsatized(x)
    >>> bool(d2[0] > np.nanquantile(d2, .95)), bool(d2[1] < np.nanquantile(d2, .9)), int(df[3])
    (True, True, 11)
    """
    z = ipsatize(x)
    ok = ~np.isnan(z).all(axis=1)
    ref = ok if reference is None else (np.asarray(reference, dtype=bool) & ok)
    full = ref & ~np.isnan(z).any(axis=1)
    if full.sum() < z.shape[1] + 1:
        return np.full(len(z), np.nan), np.zeros(len(z), dtype=np.int64)
    zz = z[:, :-1]
    sub = zz[full]
    d2, n_obs = mahalanobis_d2(zz, sub.mean(axis=0), np.atleast_2d(np.cov(sub, rowvar=False)))
    d2 = np.where(ok, d2, np.nan)
    return d2, np.where(ok, n_obs, 0)


def mahad_quotient(x: np.ndarray, reference: np.ndarray | None = None, ipsatized: bool = False) -> np.ndarray:
    """Rayleigh quotient of the Mahalanobis distance: ``Q = z' R^-1 z / z' z`` per row.

    ``z`` is the row standardised by the item means and SDs and ``R`` the item correlation
    matrix (pairwise-complete, as :func:`mahad`; eigenvalues clipped to keep it positive
    definite), both from the ``reference`` rows (default: all).  D² = ``Q |z|²`` (Mahalanobis
    1936; D² as a careless-responding screen: Curran 2016, *J Exp Soc Psychol* 66:4-19)
    mixes two things: how far a person is from the centroid (``|z|²``, large for an honest
    extreme responder, small for a midpoint responder) and how far the *direction* of the
    deviation is from the correlation structure.  ``Q`` keeps only the second: it is the
    Rayleigh quotient of ``R^-1`` at ``z``, between the smallest and largest eigenvalues of
    ``R^-1``, and unchanged when a row's deviation from the item means is stretched or
    shrunk by any factor.  For deviations drawn from N(0, s²R) its distribution depends on
    ``R`` only (the mean is near 1 whatever ``s``); for answers without structure
    (``z`` ~ (0, I)) it is about ``tr(R^-1) / p`` > 1.  ``ipsatized``: each row is first
    centred on its own mean (give the answers in the questionnaire direction: agreement
    regardless of keying, acquiescence, drops out; the last item is then left out as it is
    determined by the others).  Rows with fewer than 2 answered items, or exactly at the
    item means, are ``NaN``; missing items are left out of both ``z' R^-1 z`` (the
    sub-matrix of ``R``, :func:`mahalanobis_d2`) and ``z' z``.

    >>> rng = np.random.default_rng(3)
    >>> f = rng.normal(size=(800, 3))                # three scales of four items
    >>> x = np.clip(np.round(3 + np.repeat(f, 4, axis=1) + rng.normal(scale=.6, size=(800, 12))), 1, 5)
    >>> x[:20] = rng.integers(1, 6, size=(20, 12))   # 20 random rows
    >>> q = mahad_quotient(x)
    >>> round(float(np.median(q[20:])), 1), round(float(np.median(q[:20])), 1)
    (1.0, 2.3)
    >>> ref = np.arange(800) != 25
    >>> y = x.copy(); y[25] = x[ref].mean(axis=0) + 2 * (x[25] - x[ref].mean(axis=0))  # twice as far, same direction
    >>> bool(np.isclose(mahad_quotient(y, ref)[25], mahad_quotient(x, ref)[25]))
    True
    """
    x = np.asarray(x, dtype=float)
    if ipsatized:
        with np.errstate(invalid="ignore"):
            x = (x - np.nanmean(x, axis=1, keepdims=True))[:, :-1]
    return rayleigh_quotient(*standardised_corr(x, reference))


def rayleigh_quotient(z: np.ndarray, r: np.ndarray) -> np.ndarray:
    """``z' R^-1 z / z' z`` per row of standardised answers ``z`` (missing items left out of both).

    The formula of :func:`mahad_quotient`, for ``z`` and ``R`` already computed
    (:func:`standardised_corr`).  ``NaN`` below 2 answered items or at the item means.

    >>> r = np.array([[1.0, 0.5], [0.5, 1.0]])
    >>> rayleigh_quotient(np.array([[1.0, 1.0], [1.0, -1.0], [2.0, np.nan]]), r).round(3).tolist()
    [0.667, 2.0, nan]
    """
    num, n_obs = mahalanobis_d2(z, np.zeros(z.shape[1]), r)
    den = np.nansum(z * z, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        q = num / den
    return np.where((n_obs >= 2) & (den > 0), q, np.nan)


def standardised_corr(x: np.ndarray, reference: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``x`` standardised by the item means and SDs of the ``reference`` rows, and their correlation matrix.

    Pairwise-complete correlations (:func:`pairwise_corr`) with the eigenvalues clipped at
    1e-6 so that the matrix is positive definite (as pairwise covariances need not be).

    >>> z, r = standardised_corr(np.array([[1, 2.0], [2, 1], [3, 4], [4, 3], [5, 5]]))
    >>> z[:, 0].round(3).tolist(), round(float(r[0, 1]), 2)
    ([-1.265, -0.632, 0.0, 0.632, 1.265], 0.8)
    """
    x = np.asarray(x, dtype=float)
    ref = np.ones(len(x), dtype=bool) if reference is None else np.asarray(reference, dtype=bool)
    sub = x[ref]
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (x - np.nanmean(sub, axis=0)) / np.nanstd(sub, axis=0, ddof=1)
    r = np.nan_to_num(pairwise_corr(z[ref]))
    np.fill_diagonal(r, 1.0)
    w, v = np.linalg.eigh(r)
    return z, (v * np.clip(w, 1e-6, None)) @ v.T


def mahad_quotient_crit(r: np.ndarray, alpha: float, draws: int = 20000, seed: int = 1936,
                        normals: np.ndarray | None = None) -> float:
    """The ``1 - alpha`` quantile of :func:`mahad_quotient` for honest answers, by parametric simulation.

    For deviations ``z = s R^(1/2) u`` with ``u`` ~ N(0, I) and any person scale ``s``,
    ``Q = u'u / u'Ru``: its law depends on ``R`` only (not on the response style), so the
    cut-off is the quantile of ``draws`` such values (a fixed ``seed``: the same data give
    the same cut-off).  On 5- and 6-point answers (simulated, and psych's ``bfi``) the
    99 % quantile of the honest respondents' Q was within 0.08 of this one.  ``normals``
    (draws x at least p standard normals) replaces the seeded draws (the first p columns
    are used).  :func:`mahad_quotient_crits` gives the cut-offs of many sub-matrices at once.

    >>> r = np.full((10, 10), .5) + .5 * np.eye(10)
    >>> round(mahad_quotient_crit(r, .01), 1), round(mahad_quotient_crit(np.eye(10), .01), 1)
    (2.0, 1.0)
    """
    r = np.asarray(r, dtype=float)
    if normals is None:
        u = np.random.default_rng(seed).normal(size=(int(draws), r.shape[0]))
    else:
        u = np.asarray(normals, dtype=float)[:, :r.shape[0]]
    return float(mahad_quotient_crits(r, np.ones((1, r.shape[0]), dtype=bool), alpha, u)[0])


def mahad_quotient_crits(r: np.ndarray, masks: np.ndarray, alpha: float, normals: np.ndarray) -> np.ndarray:
    """:func:`mahad_quotient_crit` of every sub-matrix ``R[m, m]``, ``m`` a row of ``masks``, from one set of draws.

    Row ``m`` uses the draws of its observed items, ``u_m``: ``Q = u_m'u_m / u_m'R_mm u_m``.
    With ``a = uR`` computed once, ``u_m'R_mm u_m = u'a - 2 u_M'a_M + u_M'R_MM u_M`` over the
    few missing items ``M``: a missing-data pattern costs ``draws x |M|²``, not
    ``draws x p²`` (the cleaning meets hundreds of patterns).  Masks with fewer than 2
    observed items give ``NaN``.

    >>> rng = np.random.default_rng(0)
    >>> r = np.full((6, 6), .4) + .6 * np.eye(6)
    >>> u = rng.normal(size=(4000, 6))
    >>> masks = np.array([[True] * 6, [True] * 4 + [False] * 2])
    >>> c = mahad_quotient_crits(r, masks, .05, u)
    >>> direct = [np.quantile((v * v).sum(1) / ((v @ rr) * v).sum(1), .95)
    ...           for v, rr in ((u, r), (u[:, :4], r[:4, :4]))]
    >>> bool(np.allclose(c, direct))
    True
    """
    r = np.asarray(r, dtype=float)
    u = np.asarray(normals, dtype=float)
    masks = np.asarray(masks, dtype=bool)
    ut, at = np.ascontiguousarray(u.T), np.ascontiguousarray((u @ r).T)        # items x draws
    full_num, full_den = (ut * ut).sum(axis=0), (ut * at).sum(axis=0)
    out = np.full(len(masks), np.nan)
    n_miss = (~masks).sum(axis=1)
    ok = masks.sum(axis=1) >= 2
    for k in np.unique(n_miss[ok]):
        pats = np.flatnonzero(ok & (n_miss == k))
        if k == 0:
            out[pats] = np.quantile(full_num / full_den, 1 - alpha)
            continue
        for chunk in np.array_split(pats, -(-len(pats) // 256)):  # patterns x k x draws at a time
            miss = np.argsort(masks[chunk], axis=1, kind="stable")[:, :k]      # patterns x k
            um, am = ut[miss], at[miss]                                          # patterns x k x draws
            rmm = r[miss[:, :, None], miss[:, None, :]]                          # patterns x k x k
            num = full_num - (um * um).sum(axis=1)
            den = full_den - 2 * (um * am).sum(axis=1) + (um * np.matmul(rmm, um)).sum(axis=1)
            out[chunk] = np.quantile(num / den, 1 - alpha, axis=1)
    return out


#: the response styles profiled out by :func:`random_lr`: shifts (acquiescence, in SD units of the
#: latent response) and stretches about each item's scale midpoint (below 1 midpoint, above 1 extreme
#: responding) of a person's answers (:func:`copula_item_loglik`)
LR_SHIFTS = np.linspace(-1.0, 1.0, 5)
LR_SCALES = np.exp(np.linspace(np.log(0.4), np.log(2.5), 7))
#: the midpoint propensities profiled out by :func:`random_lr` beside the styles (:func:`midpoint_item_loglik`):
#: the probability that a person gives the scale's middle answer whatever the item says, over its range in
#: steps of 0.2 (0, the styles alone, is always profiled too; steps of 0.1 or 0.05 changed no rate of flagged
#: midpoint, honest or careless respondents by more than 2 in 74 on skewed and balanced exports of 1,500)
LR_MIDPOINT = np.linspace(0.1, 0.9, 5)
#: the extremity propensities of :func:`irtree_item_loglik` (``random_likelihood: {irtree: true}``): the
#: probability of the end category of the side a person answers on, whatever the item says
LR_EXTREME = np.linspace(0.1, 0.9, 5)


def category_scores(codes: np.ndarray, categories: int, smooth: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Each item's category shares (items x categories) and the categories' normal scores.

    The score of a category is ``Phi^-1`` of the share below it plus half its own (its mid-point
    on the normal scale).  ``codes``: complete answers, 0-based.  ``smooth`` is added to every
    share before they are normalised (so that no category is impossible).

    >>> shares, z = category_scores(np.array([[0], [1], [1], [2]]), 3)
    >>> shares.tolist(), np.round(z, 3).tolist()
    ([[0.25, 0.5, 0.25]], [[-1.15, 0.0, 1.15]])
    """
    codes = np.asarray(codes, dtype=np.int64)
    n, k = codes.shape
    if codes.size and (codes.min() < 0 or codes.max() >= categories):
        raise ValueError(f"codes must be complete answers 0 .. {categories - 1}")
    counts = np.bincount((codes + categories * np.arange(k)).ravel(), minlength=k * categories)
    shares = counts.reshape(k, categories) / max(n, 1) + smooth
    shares /= shares.sum(axis=1, keepdims=True)
    return shares, special.ndtri(np.clip(np.cumsum(shares, axis=1) - shares / 2, 1e-12, 1 - 1e-12))


def answer_model(codes: np.ndarray, categories: int, reference: np.ndarray | None = None
                 ) -> tuple[np.ndarray, np.ndarray]:
    """The sample's answer model for :func:`random_lr`: item thresholds and the normal-score correlations.

    A Gaussian copula of the answers (the polychoric idea with midpoint normal scores):
    each item's category shares (``reference`` rows with every answer, 1e-4 added to each
    category so that none is impossible) give its thresholds on the standard normal
    scale, ``tau`` (items x categories + 1, from ``-inf`` to ``inf``); the answers' normal
    scores (``Phi^-1`` of the share below the answer plus half its own) give ``R`` (a
    constant item correlates 0 with the others; eigenvalues clipped at 1e-6, so ``R`` is
    positive definite).  ``codes``: 0-based category codes, ``-1`` = missing.

    >>> tau, r = answer_model(np.array([[0, 0], [1, 1], [1, 2], [2, 2]]), 3)
    >>> np.round(tau[0, 1:-1], 2).tolist(), round(float(r[0, 1]), 2)
    ([-0.67, 0.67], 0.85)
    """
    codes = np.asarray(codes, dtype=np.int64)
    ref = np.ones(len(codes), dtype=bool) if reference is None else np.asarray(reference, dtype=bool)
    use = codes[ref & (codes >= 0).all(axis=1)]
    k = codes.shape[1]
    shares, scores = category_scores(use, categories, smooth=1e-4)
    inner = special.ndtri(np.clip(np.cumsum(shares, axis=1)[:, :-1], 1e-12, 1 - 1e-12))
    tau = np.concatenate([np.full((k, 1), -np.inf), inner, np.full((k, 1), np.inf)], axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.nan_to_num(np.atleast_2d(np.corrcoef(scores[np.arange(k), use], rowvar=False)))  # a constant item: 0
    np.fill_diagonal(r, 1.0)
    w, v = np.linalg.eigh(r)
    return tau, (v * np.clip(w, 1e-6, None)) @ v.T


def item_categories(tau: np.ndarray) -> int | np.ndarray:
    """Each item's number of categories, from its thresholds: ``tau.shape[1] - 1`` (an int) when every item has
    that many, else an array (items).  Items on scales of their own share one array of thresholds as wide as the
    widest scale; an item with fewer categories has ``+inf`` thresholds above its top (none of its answers lies
    there).

    >>> tau = np.array([[-np.inf, -1.0, 0.0, 0.5, 1.5, np.inf], [-np.inf, -0.5, 0.5, 1.0, np.inf, np.inf]])
    >>> item_categories(tau[:1]), item_categories(tau).tolist()
    (5, [5, 4])
    """
    m = tau.shape[1] - 1
    own = np.isfinite(tau[:, 1:-1]).sum(axis=1) + 1
    return m if (own == m).all() else own.astype(np.int64)


def scale_midpoint(tau: np.ndarray) -> np.ndarray:
    """Each item's latent position of its scale's midpoint: the middle of the middle category, or the threshold
    between the two middle categories (an even number of categories), each item on its own scale
    (:func:`item_categories`).

    >>> tau = np.array([[-np.inf, -1.0, 0.0, 0.5, 1.5, np.inf], [-np.inf, -0.5, 0.5, 1.0, np.inf, np.inf]])
    >>> scale_midpoint(tau[:1]).tolist(), scale_midpoint(tau[1:, :5]).tolist(), scale_midpoint(tau).tolist()
    ([0.25], [0.5], [0.25, 0.5])
    """
    m = item_categories(tau)
    if np.ndim(m):                                   # items on scales of their own: each its own middle
        j = np.arange(len(tau))
        return np.where(m % 2 == 1, (tau[j, (m - 1) // 2] + tau[j, (m + 1) // 2]) / 2, tau[j, m // 2])
    return (tau[:, (m - 1) // 2] + tau[:, (m + 1) // 2]) / 2 if m % 2 else tau[:, m // 2]


def _log_uniform(m: int | np.ndarray, k: int) -> float:
    """The log-likelihood of ``k`` uniform random answers, ``-k log m``; with each item's own number of categories
    (an array, :func:`item_categories`), ``-sum_j log m_j``."""
    return -np.log(m).sum() if np.ndim(m) else -k * np.log(m)


def _log_uniform_tails(m: int | np.ndarray, k: int, lengths: np.ndarray) -> np.ndarray:
    """``log m`` times each tail length of ``lengths`` (the log-likelihood of a tail of that many items under a
    uniform random answer, negated); with each item's own ``m``, the sum of ``log m_j`` over the last items."""
    if not np.ndim(m):
        return np.log(m) * lengths
    return np.concatenate([[0.0], np.cumsum(np.log(m)[::-1])])[lengths]


def _middle_answers(codes: np.ndarray, m: int | np.ndarray) -> np.ndarray:
    """Where ``codes`` are the middle answer of their item's scale (rows x items; none on an item with an even
    number of categories, which has none)."""
    if np.ndim(m):
        return (codes == m // 2) & (m % 2 == 1)
    return codes == m // 2


def copula_item_loglik(codes: np.ndarray, tau: np.ndarray, r: np.ndarray, shifts: np.ndarray = np.zeros(1),
                       scales: np.ndarray = np.ones(1)) -> np.ndarray:
    """Each answer's log-likelihood given the answers before it, under the answer model in each response style.

    The Gaussian copula of :func:`answer_model` factored item by item in questionnaire
    order: with ``R = LL'`` (Cholesky) and ``e = L^-1 z``, the log-density of the latent
    scores is ``sum_j -e_j^2/2 - log L_jj`` (up to ``-log 2pi / 2`` per item), so item
    ``j`` adds ``log P_j(c) - (e_j^2 - z_j^2)/2 - log L_jj``: its own category
    probability and what the copula adds given the earlier items.  The sum over the
    first ``h`` items is the log-likelihood of those items alone (their block of ``R``),
    so every head and tail of the questionnaire comes from one pass (:func:`random_tail_lr`).
    For a style ``(m, s)`` the person's latent response to item ``j`` is
    ``c_j + m + s (z - c_j)``: a shift ``m`` (acquiescence) and a stretch ``s`` about the
    item's scale midpoint ``c_j`` (:func:`scale_midpoint`; ``s < 1`` midpoint, ``s > 1``
    extreme responding, both defined by the scale's middle and ends, Baumgartner &
    Steenkamp 2001, *J Mark Res* 38:143-156, not by the sample's typical answer, which
    on a skewed item sits near an end).  Answer ``c`` then has probability
    ``Phi(t(tau_j,c+1)) - Phi(t(tau_j,c))`` with ``t(tau) = (tau - m - c_j)/s + c_j``, and
    the latent score ``z = Phi^-1`` of the mid-point of that interval.  ``codes``:
    complete rows, 0-based.  Returns styles (``shifts`` x ``scales``, shift-major) x rows x items.

    >>> tau, r = answer_model(np.array([[0, 0], [1, 1], [1, 2], [2, 2]]), 3)
    >>> ll = copula_item_loglik(np.array([[0, 0], [0, 2]]), tau, r)
    >>> ll.shape, bool(ll[0, 0].sum() > ll[0, 1].sum())        # answers that agree are likelier
    ((1, 2, 2), True)
    """
    codes = np.asarray(codes, dtype=np.int64)
    k = tau.shape[0]
    low = np.linalg.cholesky(r)
    logp, z = _style_answers(codes, tau, shifts, scales)              # styles x rows x items
    e = (z.reshape(-1, k) @ linalg.solve_triangular(low, np.eye(k), lower=True).T).reshape(z.shape)  # L^-1 z
    return _copula_terms(logp, e, z, np.log(np.diag(low)))


def _copula_terms(logp: np.ndarray, e: np.ndarray, z: np.ndarray, log_diag: np.ndarray) -> np.ndarray:
    """``logp - 0.5 * (e * e - z * z) - log_diag``, worked out in the space of ``logp``, ``e`` and ``z`` (fresh
    arrays of the caller, overwritten): the same operations in the same order, without four temporaries as large.

    >>> _copula_terms(np.array([-1.0]), np.array([2.0]), np.array([1.0]), np.array([0.5])).tolist()
    [-3.0]
    """
    e *= e
    z *= z
    e -= z
    e *= 0.5
    logp -= e
    logp -= log_diag
    return logp


def _style_categories(tau: np.ndarray, shifts: np.ndarray, scales: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each category's log-probability and latent mid-point score in each style (styles x items x categories)."""
    lo, hi = tau[None, None, :, :-1], tau[None, None, :, 1:]
    mu, sc = np.asarray(shifts)[:, None, None, None], np.asarray(scales)[None, :, None, None]
    piv = scale_midpoint(tau)[None, None, :, None]
    plo, phi = special.ndtr((lo - mu - piv) / sc + piv), special.ndtr((hi - mu - piv) / sc + piv)
    g, (k, m) = len(shifts) * len(scales), (tau.shape[0], tau.shape[1] - 1)
    logp = np.log(np.clip(phi - plo, 1e-300, None)).reshape(g, k, m)
    return logp, special.ndtri(np.clip((plo + phi) / 2, 1e-12, 1 - 1e-12)).reshape(g, k, m)


def _style_answers(codes: np.ndarray, tau: np.ndarray, shifts: np.ndarray, scales: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray]:
    """The answers' log-probabilities and latent scores in each style (styles x rows x items)."""
    logp, zt = _style_categories(tau, shifts, scales)
    g, k, m = logp.shape
    flat = np.arange(k) * m + codes                                  # rows x items
    return np.take(logp.reshape(g, k * m), flat, axis=1), np.take(zt.reshape(g, k * m), flat, axis=1)


def midpoint_item_loglik(codes: np.ndarray, tau: np.ndarray, r: np.ndarray, shifts: np.ndarray = np.zeros(1),
                         scales: np.ndarray = np.ones(1), midpoint: np.ndarray = LR_MIDPOINT) -> np.ndarray:
    """:func:`copula_item_loglik` with a person's midpoint propensity as one more style parameter.

    Midpoint responding is a person's tendency to the scale's middle answer whatever the
    item (Baumgartner & Steenkamp 2001, *J Mark Res* 38:143-156: the share of middle
    answers), the first node of an IRTree (Böckenholt 2012, *Psychol Methods* 17:665-678:
    "middle or not" by a person's midpoint propensity, the trait deciding only the answers
    that are not middle ones).  A stretch of the latent response (:func:`copula_item_loglik`)
    cannot produce it where the middle category is rare: on items most people answer 4 or 5
    of 5 it lies in a narrow band of the latent scale, and a stretch that makes it likely on
    60 % of the items makes the 4s and 5s of the other 40 % unlikely.  With propensity ``p``
    each answer is the middle one with probability ``p``, else the style's answer: a middle
    answer has probability ``p + (1 - p) P_j(middle)`` and says nothing about the trait (it
    leaves the copula: the other answers are conditioned only on each other, the block
    ``R_OO`` of the items not answered in the middle), any other answer ``c`` has
    ``(1 - p) P_j(c)`` times its copula factor.  ``P_j`` is the style's category probability
    of item ``j``.  With no middle answer ``p > 0`` only lowers the likelihood.  An even
    number of categories has no middle answer: only the first block.  Returns styles
    (``shifts`` x ``scales``, shift-major) x (propensity 0, i.e. :func:`copula_item_loglik`,
    then ``midpoint``) x rows x items.

    >>> tau, r = answer_model(np.array([[0, 0, 0], [1, 1, 1], [1, 2, 2], [2, 2, 2], [2, 2, 1]]), 3)
    >>> ll = midpoint_item_loglik(np.array([[1, 1, 2], [0, 2, 1]]), tau, r, midpoint=np.array([0.5]))
    >>> ll.shape, bool(np.allclose(ll[:, 0], copula_item_loglik(np.array([[1, 1, 2], [0, 2, 1]]), tau, r)))
    ((1, 2, 2, 3), True)
    >>> bool(ll[0, 1, 0].sum() > ll[0, 0, 0].sum())                # two middle answers of three: p = .5 is likelier
    True
    """
    codes = np.asarray(codes, dtype=np.int64)
    midpoint = np.asarray(midpoint, dtype=float)
    first = copula_item_loglik(codes, tau, r, shifts, scales)[:, None]
    if not np.any(item_categories(tau) % 2) or not len(midpoint) or not len(codes):
        return first
    return np.concatenate([first, _midpoint_items(*_midpoint_parts(codes, tau, r, shifts, scales, midpoint),
                                                  midpoint, _odd_items(tau))], axis=1)


def irtree_item_loglik(codes: np.ndarray, tau: np.ndarray, r: np.ndarray, shifts: np.ndarray = np.zeros(1),
                       scales: np.ndarray = np.ones(1), midpoint: np.ndarray = LR_MIDPOINT,
                       extreme: np.ndarray = LR_EXTREME) -> np.ndarray:
    """Each answer's log-likelihood under an IRTree reading of the answer model, per person-style.

    Böckenholt's (2012, *Psychol Methods* 17:665-678) IRTree splits an answer into three
    decisions: the middle answer or not (a person's midpoint propensity, as in
    :func:`midpoint_item_loglik`), the side, agree or disagree (the trait: here the answer
    model's copula of the sides, with the person's shift for acquiescence and a stretch for how
    firmly the trait decides the side), and, on that side,
    the end category or not (a person's extremity propensity ``e``, whatever the item says:
    ``e`` for the end category, ``(1 - e) / (h - 1)`` for each of the side's other ``h - 1``
    categories).  A stretch of the latent response (:func:`copula_item_loglik`) makes the end
    answers those of the strongest latent responses; in the IRTree the extremity is the
    person's, and an answer of 5 beside a 4 on an item of the same construct says nothing about
    the trait.  The sides are the answers coarsened to below / middle / above the scale's middle
    (an even number of categories: below / above), their thresholds those of the answer model.
    ``codes``: complete rows, 0-based.  Returns (``shifts`` x ``scales`` x propensities (0, then
    ``midpoint``; none for an even number of categories) x ``extreme``) x rows x items.

    >>> tau, r = answer_model(np.array([[0, 0, 1], [1, 1, 1], [3, 4, 4], [4, 3, 4], [2, 2, 2], [1, 0, 0]]), 5)
    >>> ll = irtree_item_loglik(np.array([[4, 4, 3], [0, 1, 1]]), tau, r, extreme=np.array([0.2, 0.8]))
    >>> ll.shape                                                   # 1 style x 6 propensities x 2, 2 rows, 3 items
    (12, 2, 3)
    >>> bool(ll[1, 0].sum() > ll[0, 0].sum())                     # two end answers of three: e = .8 is likelier
    True
    """
    codes = np.asarray(codes, dtype=np.int64)
    extreme = np.asarray(extreme, dtype=float)
    m = tau.shape[1] - 1
    if np.ndim(item_categories(tau)):
        return _irtree_own_scales(codes, tau, r, shifts, scales, midpoint, extreme)
    h = m // 2                                                       # categories on a side
    if m % 2:
        side = np.where(codes < h, 0, np.where(codes == h, 1, 2))
        ll = midpoint_item_loglik(side, tau[:, [0, h, h + 1, m]], r, shifts, scales, midpoint)
        middle = codes == h
    else:
        side = (codes >= h).astype(np.int64)
        ll = copula_item_loglik(side, tau[:, [0, h, m]], r, shifts, scales)[:, None]
        middle = np.zeros(codes.shape, dtype=bool)
    end = (codes == 0) | (codes == m - 1)
    if h > 1:
        node = np.where(end[None], np.log(extreme)[:, None, None], np.log((1 - extreme) / (h - 1))[:, None, None])
        node = np.where(middle[None], 0.0, node)                     # extremes x rows x items
    else:                                                            # a side of one category: no extremity node
        node = np.zeros((len(extreme),) + codes.shape)
    return (ll[:, :, None] + node[None, None]).reshape(-1, *codes.shape)


def _irtree_own_scales(codes: np.ndarray, tau: np.ndarray, r: np.ndarray, shifts: np.ndarray, scales: np.ndarray,
                       midpoint: np.ndarray, extreme: np.ndarray) -> np.ndarray:
    """:func:`irtree_item_loglik` with each item on its own scale (:func:`item_categories`): each item's sides
    (below / middle / above its own middle, or below / above without one), its own middle node (only where the
    scale has a middle answer) and extremity node over its own side's categories.

    >>> tau = np.array([[-np.inf, -1.0, 0.0, 0.5, 1.5, np.inf], [-np.inf, -0.5, 0.5, 1.0, np.inf, np.inf]])
    >>> ll = irtree_item_loglik(np.array([[4, 3], [2, 0]]), tau, np.eye(2), extreme=np.array([0.5]))
    >>> ll.shape, bool(np.isfinite(ll).all())                     # 1 style x 6 propensities x 1, 2 rows, 2 items
    ((6, 2, 2), True)
    """
    k = tau.shape[0]
    m = item_categories(tau)
    h, odd = m // 2, m % 2 == 1
    j = np.arange(k)
    side = np.where(codes < h, 0, np.where(odd & (codes == h), 1, np.where(odd, 2, 1)))
    side_tau = np.full((k, 4), np.inf)
    side_tau[:, 0] = -np.inf
    side_tau[:, 1] = tau[j, h]
    side_tau[odd, 2] = tau[j[odd], h[odd] + 1]
    if odd.any():
        ll = midpoint_item_loglik(side, side_tau, r, shifts, scales, midpoint)
    else:
        ll = copula_item_loglik(side, side_tau[:, :3], r, shifts, scales)[:, None]
    middle = odd & (codes == h)
    end = (codes == 0) | (codes == m - 1)
    node = np.where(end[None], np.log(extreme)[:, None, None],
                    np.log((1 - extreme)[:, None, None] / np.maximum(h - 1, 1)))
    node = np.where(middle[None] | (h <= 1), 0.0, node)              # a side of one category: no extremity node
    return (ll[:, :, None] + node[None, None]).reshape(-1, *codes.shape)


def _midpoint_parts(codes: np.ndarray, tau: np.ndarray, r: np.ndarray, shifts: np.ndarray, scales: np.ndarray,
                    midpoint: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pieces of :func:`midpoint_item_loglik`'s propensities above 0 (odd number of categories, complete rows):
    the styles' item log-likelihoods with the middle answers out of the copula (0 there; styles x rows x items),
    the middle answers (rows x items) and ``log(p + (1 - p) P_j(middle))`` (styles x propensities x items)."""
    k, m = tau.shape[0], item_categories(tau)
    middle = _middle_answers(codes, m)                               # rows x items
    keep = ~middle
    rr = r[None] * (keep[:, :, None] & keep[:, None, :])             # the middle answers uncorrelated, so that
    rr[:, np.arange(k), np.arange(k)] = 1.0                          # L's middle columns are unit vectors and
    low = np.linalg.cholesky(rr)                                     # the others' factors those of R_OO
    logp, z = _style_answers(codes, tau, shifts, scales)             # styles x rows x items
    z = np.where(middle, 0.0, z)
    e = np.linalg.solve(low, z.transpose(1, 2, 0)).transpose(2, 0, 1)   # L^-1 z, per row
    other = np.where(middle, 0.0, _copula_terms(logp, e, z, np.log(np.diagonal(low, axis1=1, axis2=2))))
    p_mid = np.exp(_style_categories(tau, shifts, scales)[0][:, np.arange(k), m // 2] if np.ndim(m) else
                   _style_categories(tau, shifts, scales)[0][:, :, m // 2])   # styles x items
    p = np.asarray(midpoint, dtype=float)[None, :, None]
    return other, middle, np.log(p + (1 - p) * p_mid[:, None, :])


def _midpoint_items(other: np.ndarray, middle: np.ndarray, log_mid: np.ndarray, midpoint: np.ndarray,
                    odd: np.ndarray | None = None) -> np.ndarray:
    """:func:`midpoint_item_loglik`'s propensities above 0 from :func:`_midpoint_parts` (styles x propensities x
    rows x items).  ``odd``: the items with a middle answer (None: all); the others' answers are the style's
    alone, without the factor ``1 - p`` (the middle node of the IRTree is not offered there)."""
    p = np.asarray(midpoint, dtype=float)[None, :, None, None]
    if odd is not None:
        return np.where(middle, log_mid[:, :, None, :], np.log1p(-p) * odd + other[:, None])
    return np.where(middle, log_mid[:, :, None, :], np.log1p(-p) + other[:, None])


def _midpoint_totals(other: np.ndarray, middle: np.ndarray, log_mid: np.ndarray, midpoint: np.ndarray,
                     odd: np.ndarray | None = None) -> np.ndarray:
    """The sums over the items of :func:`_midpoint_items` (styles x propensities x rows), without its array."""
    g, n = other.shape[:2]
    total = (log_mid.reshape(-1, middle.shape[1]) @ middle.T.astype(float)).reshape(g, -1, n)
    offered = ~middle if odd is None else ~middle & odd          # the answers that are not a middle one offered
    total += offered.sum(axis=1)[None, None, :] * np.log1p(-np.asarray(midpoint, dtype=float))[None, :, None]
    total += other.sum(axis=2)[:, None, :]
    return total


def _copula_totals(codes: np.ndarray, tau: np.ndarray, r: np.ndarray, shifts: np.ndarray, scales: np.ndarray
                   ) -> np.ndarray:
    """The sums over the items of :func:`copula_item_loglik` (styles x rows), without its array:
    ``sum_j log P_j - (z'R^-1 z - z'z) / 2 - log|R| / 2``."""
    logp, z = _style_answers(codes, tau, shifts, scales)
    quad = np.einsum("gnk,gnk->gn", z @ np.linalg.inv(r), z)
    return logp.sum(axis=2) - 0.5 * (quad - (z * z).sum(axis=2)) - 0.5 * np.linalg.slogdet(r)[1]


def _complete(codes: np.ndarray, m: int | np.ndarray) -> np.ndarray:
    return np.flatnonzero((codes >= 0).all(axis=1) & (codes < m).all(axis=1))


def _odd_items(tau: np.ndarray) -> np.ndarray | None:
    """The items with a middle answer when the items' numbers of categories differ, else None (all or none)."""
    m = item_categories(tau)
    return (m % 2 == 1) if np.ndim(m) else None


def random_lr(codes: np.ndarray, tau: np.ndarray, r: np.ndarray, shifts: np.ndarray = LR_SHIFTS,
              scales: np.ndarray = LR_SCALES, chunk: int = 2048, above: float | None = None,
              midpoint: np.ndarray = LR_MIDPOINT, extreme: np.ndarray = ()) -> np.ndarray:
    """Likelihood ratio of random answers against the sample's answer model, the person's style profiled out.

    ``log P(x | uniform random) - max over (shift, scale) log P(x | honest, style)``: the
    Neyman-Pearson statistic (Neyman & Pearson 1933) of a random responder against an honest
    one, with the honest model fitted to the sample (:func:`answer_model`: item thresholds
    ``tau`` and a Gaussian copula ``R``, :func:`copula_item_loglik`) and each person's
    response style as nuisance parameters, as a person-fit statistic does (lz*, Snijders
    2001; response styles as a shift and a stretch of the person's thresholds: Böckenholt
    2012's IRTree reading, Jin & Wang 2014), and a midpoint propensity: the probability of
    the scale's middle answer whatever the item (the first node of Böckenholt 2012's IRTree,
    :func:`midpoint_item_loglik`; a stretch cannot give a person many middle answers where the
    middle category is rare, e.g. on items most people answer 4 or 5 of 5).  Large = more
    like uniform random answers than like any styled honest respondent.  The copula with
    mid-point scores is an approximation: the profile takes most, not all, of a strong
    extreme style's effect away
    (``tests/clean/test_indices.py``).  ``codes``: 0-based (``-1`` missing: ``NaN``, not
    evaluated); the grid of styles is :data:`LR_SHIFTS` x :data:`LR_SCALES` (a grid of 9 x 11
    changed no exclusion rate of the evaluation by more than 0.006) x :data:`LR_MIDPOINT`
    (with propensity 0; ``midpoint=()``: the shift and stretch alone; an even number of
    categories has no middle answer and no propensity).  ``above``: profile only the rows
    whose style-free ratio (the style (0, 1) with propensity 0, always on the grid, so an
    upper bound) exceeds it, and the propensity only where the shift and stretch alone
    (again an upper bound) leave it above; the others keep that bound, which is exact
    wherever the profiled ratio could exceed ``above``.  ``extreme`` (off: empty): also the
    IRTree reading of :func:`irtree_item_loglik` with these extremity propensities
    (:data:`LR_EXTREME`), the lower ratio kept.

    >>> rng = np.random.default_rng(5)
    >>> f = rng.normal(size=(600, 1))
    >>> x = np.clip(np.round(2 + f + rng.normal(scale=.6, size=(600, 6))), 0, 4).astype(int)
    >>> x[0] = [4, 0, 3, 0, 4, 1]                                 # answers that ignore the items' agreement
    >>> x[1] = [4, 4, 4, 4, 4, 4]                                 # an extreme but consistent respondent
    >>> tau, r = answer_model(x, 5)
    >>> lr = random_lr(x, tau, r)
    >>> bool(lr[0] > np.quantile(lr, .99)), bool(lr[1] < np.median(lr))
    (True, True)
    """
    return _profiled(codes, tau, r, (_whole_ratio,), (above,), shifts, scales, chunk, midpoint, extreme)[:, 0]


def integrated_lr(codes: np.ndarray, tau: np.ndarray, r: np.ndarray, shifts: np.ndarray = LR_SHIFTS,
                  scales: np.ndarray = LR_SCALES, chunk: int = 2048) -> np.ndarray:
    """Likelihood ratio of random answers against the sample's answer model, the person's style integrated out.

    ``log P(x | uniform random) - log mean over (shift, scale) P(x | honest, style)``: as
    :func:`random_lr`, but the style is a nuisance parameter with a uniform prior over the grid
    ``shifts`` x ``scales`` (:func:`copula_item_loglik`, its sums over the items), averaged
    instead of maximised: the Neyman-Pearson statistic of uniform random answers against honest
    answers whose style is drawn from that prior (Neyman & Pearson 1933; a nuisance parameter
    integrated out as in Berger, Liseo & Wolpert 1999, *Stat Sci* 14:1-28).  It lies between the
    profiled ratio (no midpoint propensity) and that ratio plus ``log`` of the number of styles:
    a style that fits a random row only at one corner of the grid (the stretch of about 2 that
    uniform answers pick) counts for one style's share of the prior.  No midpoint propensity
    (:data:`LR_MIDPOINT`) enters the average.  ``codes``: 0-based, ``-1`` missing (``NaN``, not
    evaluated).  Every complete row is evaluated (no bound prunes it).

    >>> rng = np.random.default_rng(5)
    >>> f = rng.normal(size=(600, 1))
    >>> x = np.clip(np.round(2 + f + rng.normal(scale=.6, size=(600, 6))), 0, 4).astype(int)
    >>> x[0] = [4, 0, 3, 0, 4, 1]                                 # answers that ignore the items' agreement
    >>> tau, r = answer_model(x, 5)
    >>> lr = integrated_lr(x, tau, r)
    >>> bool(lr[0] > np.quantile(lr, .99))
    True
    >>> prof = random_lr(x, tau, r, midpoint=())                  # the maximum over the same grid
    >>> bool(np.all(lr >= prof - 1e-9) and np.all(lr <= prof + np.log(35) + 1e-9))
    True
    """
    codes = np.asarray(codes, dtype=np.int64)
    m = item_categories(tau)
    out = np.full(len(codes), np.nan)
    ok = _complete(codes, m)
    g = len(shifts) * len(scales)
    step = max(1, chunk * 32 // g)
    for start in range(0, len(ok), step):
        rows = ok[start:start + step]
        total = _copula_totals(codes[rows], tau, r, np.asarray(shifts), np.asarray(scales))   # styles x rows
        out[rows] = _log_uniform(m, tau.shape[0]) - (special.logsumexp(total, axis=0) - np.log(g))
    return out


def correlation_lr(codes: np.ndarray, tau: np.ndarray, r: np.ndarray, shifts: np.ndarray = LR_SHIFTS,
                   scales: np.ndarray = LR_SCALES, chunk: int = 2048, above: float | None = None) -> np.ndarray:
    """Likelihood ratio of answers that ignore the item correlations against the sample's answer model.

    ``log P(x | independent items, the sample's category shares) - max over (shift, scale)
    log P(x | answer model, style)``: the Neyman-Pearson statistic (Neyman & Pearson 1933) of
    random answers that *match each item's honest distribution* against the honest answer model
    (:func:`answer_model`, :func:`copula_item_loglik`), the person's response style profiled out
    as in :func:`random_lr` (the same grid, :data:`LR_SHIFTS` x :data:`LR_SCALES`).  Unlike
    :func:`random_lr`, whose alternative is uniform random codes, the alternative here has the
    honest marginals, so only the item correlations tell the two apart.  At the style-free
    point (shift 0, stretch 1) the item probabilities cancel and the ratio is the Gaussian one
    on the answers' normal scores ``z`` (the mid-points of their categories),
    ``z'(R^-1 - I) z / 2 + log|R| / 2``: the log density of ``z`` under independence against
    its density under the correlation ``R`` (the multivariate normal log-likelihood, Anderson
    2003, *An Introduction to Multivariate Statistical Analysis*, 3rd ed., sect. 3.2).  Its
    mean is ``log|R| / 2 < 0`` under honest answers and ``(tr R^-1 - p + log|R|) / 2 > 0``
    under answers that ignore the correlations (a Kullback-Leibler divergence).  Unlike D² =
    ``z'R^-1 z`` it subtracts the deviation's own size ``z'z``, so answers far from the centre
    in the direction the correlations favour (an honest extreme responder on the same side of
    correlated items) lower it, and a stretch of the answers is profiled out.  ``codes``: 0-based, ``-1``
    missing (the row is ``NaN``).  Large = more like answers without correlations.  ``above``: the
    profiled ratio is at most the style-free one (shift 0 and stretch 1 are on the grid), so a row
    whose style-free ratio is at most ``above`` holds that bound, not profiled (exact wherever the
    profiled ratio could exceed ``above``; a rule's cut-off).

    >>> rng = np.random.default_rng(5)
    >>> f = rng.normal(size=(800, 1))
    >>> x = np.clip(np.round(2 + f + rng.normal(scale=.6, size=(800, 6))), 0, 4).astype(int)
    >>> x[:20] = x[rng.integers(20, 800, size=(20, 6)), np.arange(6)]   # random, each item's own shares
    >>> x[20] = [4, 4, 4, 4, 4, 4]                                 # extreme but following the correlations
    >>> tau, r = answer_model(x, 5)
    >>> lr = correlation_lr(x, tau, r)
    >>> bool(np.median(lr[:20]) > np.quantile(lr[21:], .9)), bool(lr[20] < np.median(lr[21:]))
    (True, True)
    >>> z = _style_answers(x[:3], tau, np.zeros(1), np.ones(1))[1][0]    # style-free: the Gaussian formula
    >>> gauss = 0.5 * ((z @ np.linalg.inv(r)) * z - z * z).sum(1) + 0.5 * np.linalg.slogdet(r)[1]
    >>> bool(np.allclose(correlation_lr(x[:3], tau, r, np.zeros(1), np.ones(1)), gauss))
    True
    """
    codes = np.asarray(codes, dtype=np.int64)
    out = np.full(len(codes), np.nan)
    rows = np.flatnonzero((codes >= 0).all(axis=1))
    if above is not None:
        if not (np.any(np.asarray(shifts) == 0) and np.any(np.asarray(scales) == 1)):
            raise ValueError("correlation_lr: 'above' needs shift 0 and stretch 1 on the grid (the bound)")
        out[rows] = correlation_lr(codes[rows], tau, r, np.zeros(1), np.ones(1), chunk)
        rows = rows[out[rows] > above]
    for part in np.array_split(rows, max(1, -(-len(rows) // chunk))):
        if not len(part):
            continue
        own = _style_answers(codes[part], tau, np.zeros(1), np.ones(1))[0][0].sum(axis=1)   # the sample's shares
        honest = copula_item_loglik(codes[part], tau, r, shifts, scales).sum(axis=2).max(axis=0)
        out[part] = own - honest
    return out


def correlation_lr_quantiles(codes: np.ndarray, tau: np.ndarray, r: np.ndarray, probs: Sequence[float],
                             shifts: np.ndarray = LR_SHIFTS, scales: np.ndarray = LR_SCALES) -> np.ndarray:
    """Upper quantiles (``probs`` near 1) of :func:`correlation_lr` over complete ``codes``, profiling as few rows
    as exactness allows (the profiled ratio is at most the style-free one, as in :func:`random_lr_quantiles`).

    >>> rng = np.random.default_rng(3)
    >>> c = np.clip(np.round(2 + rng.normal(size=(2000, 1)) + rng.normal(scale=.7, size=(2000, 8))), 0, 4).astype(int)
    >>> tau, r = answer_model(c, 5)
    >>> bool(np.allclose(correlation_lr_quantiles(c, tau, r, [.99, .999]), np.quantile(correlation_lr(c, tau, r), [.99, .999])))
    True
    """
    codes = np.asarray(codes, dtype=np.int64)
    free = correlation_lr(codes, tau, r, np.zeros(1), np.ones(1))
    if len(shifts) == 1 and len(scales) == 1 and shifts[0] == 0 and scales[0] == 1:
        return np.quantile(free, probs)
    start = int(len(codes) * (1 - min(probs)) * 4)
    return _top_quantiles(free[:, None], lambda rows: correlation_lr(codes[rows], tau, r, shifts, scales)[:, None],
                          probs, start)[0][0]


#: the per-item random-answer probabilities ``pi`` over which :func:`mixture_lr` profiles (0, honest, is the null)
MIX_PIS = np.array([0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0])


def conditional_item_logp(codes: np.ndarray, tau: np.ndarray, r: np.ndarray, shifts: np.ndarray = np.zeros(1),
                          scales: np.ndarray = np.ones(1)) -> np.ndarray:
    """Each answer's log-probability given the person's other answers, under the answer model in each response style.

    The Gaussian copula of :func:`answer_model` read item by item given the rest (Besag's 1975
    pseudo-likelihood, *The Statistician* 24:179-195): with ``Q = R^-1``, the latent score of
    item ``j`` given the others' is normal with mean ``mu_j = z_j - (Qz)_j / Q_jj`` and variance
    ``1 / Q_jj`` (Anderson 2003, *An Introduction to Multivariate Statistical Analysis*, 3rd
    ed., thm 2.5.1), the others' latent scores taken at the mid-points ``z`` of their
    categories; the answer ``c`` then has probability ``Phi((t_c+1 - mu_j) sqrt(Q_jj)) -
    Phi((t_c - mu_j) sqrt(Q_jj))``, with ``t`` the item's thresholds in the style, as in
    :func:`copula_item_loglik` (a shift ``m`` and a stretch ``s`` about the scale's midpoint:
    ``t(tau) = (tau - m - c_j)/s + c_j``).  ``codes``: complete rows, 0-based.  Returns styles
    (``shifts`` x ``scales``, shift-major) x rows x items.

    >>> tau, r = answer_model(np.array([[0, 0], [1, 1], [1, 2], [2, 2]]), 3)
    >>> lp = conditional_item_logp(np.array([[2, 2], [0, 2]]), tau, r)[0]
    >>> bool(lp[0, 0] > lp[1, 0])                  # an answer that agrees with its construct-mate is likelier
    True
    """
    return np.log(_conditional_item_p(codes, tau, r, shifts, scales))


def _conditional_item_p(codes: np.ndarray, tau: np.ndarray, r: np.ndarray, shifts: np.ndarray, scales: np.ndarray
                        ) -> np.ndarray:
    """The probabilities of :func:`conditional_item_logp` (at least 1e-300)."""
    codes = np.asarray(codes, dtype=np.int64)
    k, m = tau.shape[0], tau.shape[1] - 1
    _, z = _style_answers(codes, tau, shifts, scales)                        # styles x rows x items
    q = np.linalg.inv(r)
    prec = np.diag(q)
    mu = z - (z @ q) / prec                                                  # the conditional means
    mu *= np.sqrt(prec)
    lo, hi = tau[None, None, :, :-1], tau[None, None, :, 1:]
    sh, sc = np.asarray(shifts)[:, None, None, None], np.asarray(scales)[None, :, None, None]
    piv = scale_midpoint(tau)[None, None, :, None]
    g = len(shifts) * len(scales)
    with np.errstate(invalid="ignore"):                                      # inf - inf above an item's top
        tl = (((lo - sh - piv) / sc + piv) * np.sqrt(prec)[:, None]).reshape(g, k * m)
        th = (((hi - sh - piv) / sc + piv) * np.sqrt(prec)[:, None]).reshape(g, k * m)
    flat = np.arange(k) * m + codes
    a, b = np.take(tl, flat, axis=1) - mu, np.take(th, flat, axis=1) - mu    # styles x rows x items
    up = a > 0                      # both ends above the mean: the upper tails' difference (no cancellation)
    a[up], b[up] = -b[up], -a[up]
    p = special.ndtr(b)
    p -= special.ndtr(a)
    return np.clip(p, 1e-300, None, out=p)


def mixture_lr(codes: np.ndarray, tau: np.ndarray, r: np.ndarray, shifts: np.ndarray = LR_SHIFTS,
               scales: np.ndarray = LR_SCALES, pis: np.ndarray = MIX_PIS, chunk: int = 2048,
               above: float | None = None) -> np.ndarray:
    """Likelihood ratio of answers each random with some probability ``pi`` against the answer model, in every style.

    Intermittent carelessness: each answer is the person's own with probability ``1 - pi`` and
    a uniform random one with probability ``pi`` (a mixture per item, as item-level models of
    careless responding read it: Ulitzsch et al. 2022, *Psychometrika* 87:593-619).  With each answer's probability given the person's other answers ``p_j``
    (:func:`conditional_item_logp`, a pseudo-likelihood) and ``m_j`` categories, the
    log-likelihood in a response style is ``S(pi) = sum_j log((1 - pi) p_j + pi / m_j)``,
    concave in ``pi``; the ratio in that style is ``max over pi of S(pi) - S(0)`` (``>= 0``,
    ``pi`` on the grid ``pis``), and the statistic is its minimum over the styles of
    :data:`LR_SHIFTS` x :data:`LR_SCALES`: answers more like partly random ones than like
    honest ones in *every* style (as :func:`random_tail_lr` takes a tail), so a style that
    moves all answers together is not evidence, answers that break from the items they
    should agree with are.  ``codes``: 0-based, ``-1`` missing (``NaN``, not evaluated).
    ``above``: profile the styles only on rows whose style-free ratio (the style (0, 1),
    on the grid: an upper bound) exceeds it; the others keep that bound, exact wherever the
    profiled ratio could exceed ``above``.  Large = more like partly random answers.

    >>> rng = np.random.default_rng(5)
    >>> f = np.repeat(rng.normal(size=(800, 2)), 6, axis=1)
    >>> x = np.clip(np.round(2 + f + rng.normal(scale=.5, size=(800, 12))), 0, 4).astype(int)
    >>> x[:20] = np.where(rng.random((20, 12)) < .4, rng.integers(0, 5, (20, 12)), x[:20])   # 40 % random
    >>> x[20] = 4                                                   # extreme but consistent
    >>> tau, r = answer_model(x, 5)
    >>> lr = mixture_lr(x, tau, r)
    >>> bool(np.median(lr[:20]) > np.quantile(lr[21:], .9)), float(lr[20])     # the consistent one: no evidence
    (True, 0.0)
    >>> lp = conditional_item_logp(x[:3], tau, r, LR_SHIFTS, LR_SCALES)     # the formula, directly
    >>> s = np.log((1 - MIX_PIS[:, None, None, None]) * np.exp(lp) + MIX_PIS[:, None, None, None] / 5).sum(3)
    >>> bool(np.allclose(mixture_lr(x[:3], tau, r), np.maximum(s.max(0) - lp.sum(2), 0).min(0)))
    True
    >>> bool(np.allclose(mixture_lr(x, tau, r, above=2.0)[lr > 2], lr[lr > 2]))
    True
    """
    codes = np.asarray(codes, dtype=np.int64)
    out = np.full(len(codes), np.nan)
    rows = _complete(codes, item_categories(tau))
    if above is not None:                                # the style-free ratio, or a bound on it at most above
        out[rows] = _mixture_gains(codes[rows], tau, r, np.zeros(1), np.ones(1), pis, chunk * 16, above)
        with np.errstate(invalid="ignore"):
            rows = rows[out[rows] > above]
    out[rows] = _mixture_gains(codes[rows], tau, r, shifts, scales, pis, chunk)
    return out


def _mixture_gains(codes: np.ndarray, tau: np.ndarray, r: np.ndarray, shifts: np.ndarray, scales: np.ndarray,
                   pis: np.ndarray, chunk: int, cap: float | None = None) -> np.ndarray:
    """:func:`mixture_lr` of complete rows; with ``cap``, an upper bound ``sum_j max(0, -log(m_j p_j))`` (each term
    ``log((1 - pi) p + pi / m)`` is at most ``max(log p, -log m)``) where that bound is at most ``cap``."""
    m = item_categories(tau)
    inv_m, log_m, pis = 1.0 / np.asarray(m, dtype=float), np.log(m), np.asarray(pis, dtype=float)
    out = np.empty(len(codes))
    step = max(1, chunk // (len(shifts) * len(scales)))
    for start in range(0, len(codes), step):
        p = _conditional_item_p(codes[start:start + step], tau, r, shifts, scales)    # styles x rows x items
        lp = np.log(p)
        honest = lp.sum(axis=2)
        gain = np.maximum(-log_m - lp, 0).sum(axis=2)
        some = (inv_m / p).sum(axis=2) > p.shape[2]      # S rises at pi = 0: elsewhere S is falling, the gain 0
        gain[~some] = 0
        if cap is not None:
            some &= gain > cap
        if some.any():
            ps = p[some]
            best = np.full(len(ps), -np.inf)
            for pi in pis:
                best = np.maximum(best, np.log((1 - pi) * ps + pi * inv_m).sum(axis=1))
            gain[some] = np.maximum(best - honest[some], 0)
        out[start:start + step] = gain.min(axis=0)
    return out


def mixture_lr_quantiles(codes: np.ndarray, tau: np.ndarray, r: np.ndarray, probs: Sequence[float]
                         ) -> np.ndarray:
    """Upper quantiles (``probs`` near 1) of :func:`mixture_lr` over ``codes``, profiling as few rows as exactness
    allows (the style-free ratio is an upper bound, as in :func:`random_lr_quantiles`).

    >>> rng = np.random.default_rng(3)
    >>> c = np.clip(np.round(2 + rng.normal(size=(2000, 1)) + rng.normal(scale=.7, size=(2000, 8))), 0, 4).astype(int)
    >>> tau, r = answer_model(c, 5)
    >>> bool(np.allclose(mixture_lr_quantiles(c, tau, r, [.99]), np.quantile(mixture_lr(c, tau, r), [.99])))
    True
    """
    codes = np.asarray(codes, dtype=np.int64)
    upper = mixture_lr(codes, tau, r, np.zeros(1), np.ones(1), chunk=32768)[:, None]
    start = int(len(codes) * (1 - min(probs)) * 4)
    return _top_quantiles(upper, lambda rows: mixture_lr(codes[rows], tau, r)[:, None], probs, start)[0][0]

def random_tail_lr(codes: np.ndarray, tau: np.ndarray, r: np.ndarray, min_tail: int = 4,
                   shifts: np.ndarray = LR_SHIFTS, scales: np.ndarray = LR_SCALES, chunk: int = 2048,
                   above: float | None = None, midpoint: np.ndarray = LR_MIDPOINT) -> np.ndarray:
    """Likelihood ratio of answers that turn random from some item on, the person's style profiled out.

    Partial carelessness: a respondent answers with care, then at random from an unknown
    item on (the change point of a CUSUM, Page 1954; as a person-fit statistic, the
    change-point test for "back random responding" of Yu & Cheng 2019, *Psychol Methods*
    24:658-674).  For each style, the log-likelihood ratio of a random tail against the
    answer model's tail given the head, ``sum_{j >= h} (-log m - l_j)`` with ``l_j`` of
    :func:`copula_item_loglik`, is maximised over the start ``h`` of the tail (tails of
    ``min_tail`` items up to all of them); the statistic is the minimum of that over the
    styles of :data:`LR_SHIFTS` x :data:`LR_SCALES`, with no midpoint propensity or with the
    person's own, the one of :data:`LR_MIDPOINT` that the whole questionnaire's profile picks
    (as in :func:`random_lr`; fitted to a random tail alone, a propensity would take up its
    middle answers however few the careful head gives): a tail more random than honest in
    every style.  The whole questionnaire is one of the tails,
    but as the largest of many tails the statistic lies higher than :func:`random_lr` for
    everybody, and its cut-off is its own.  Items in questionnaire order; ``codes``
    0-based, ``-1`` missing (``NaN``, not evaluated); ``above``: as in :func:`random_lr`
    (the style-free statistic is an upper bound).

    >>> rng = np.random.default_rng(5)
    >>> f = rng.normal(size=(800, 1))
    >>> x = np.clip(np.round(2 + f + rng.normal(scale=.5, size=(800, 16))), 0, 4).astype(int)
    >>> x[0, 8:] = [4, 0, 3, 0, 4, 1, 0, 2]                       # careful, then random over the last half
    >>> tau, r = answer_model(x, 5)
    >>> tail = random_tail_lr(x, tau, r)
    >>> bool(tail[0] > np.quantile(tail, .99)), bool(random_lr(x, tau, r)[0] < tail[0])
    (True, True)
    """
    return _profiled(codes, tau, r, (_tail_ratio(min_tail, tau.shape[0]),), (above,), shifts, scales, chunk,
                     midpoint)[:, 0]


def _whole_ratio(ll: np.ndarray, m: int) -> np.ndarray:
    """:func:`random_lr` from the item log-likelihoods (styles x rows x items)."""
    return _whole_from_totals(ll.sum(axis=2), ll.shape[2], m)


def _whole_from_totals(total: np.ndarray, k: int, m: int) -> np.ndarray:
    """:func:`random_lr` from the styles' log-likelihoods of the ``k`` answers (styles x rows)."""
    return _log_uniform(m, k) - total.max(axis=0)


def _tail_ratio(min_tail: int, k: int):
    """:func:`random_tail_lr` from the item log-likelihoods, for tails of ``min_tail`` items or more."""
    if not 1 <= min_tail <= k:
        raise ValueError(f"min_tail must be between 1 and the {k} items, not {min_tail}")

    def ratio(ll: np.ndarray, m: int) -> np.ndarray:
        tails = np.cumsum(ll[:, :, ::-1], axis=2)[:, :, min_tail - 1:]   # log-likelihoods of the last min_tail..k
        tails += _log_uniform_tails(m, ll.shape[2], np.arange(min_tail, ll.shape[2] + 1))  # items, minus random
        return -tails.min(axis=2).max(axis=0)
    ratio.min_tail = min_tail
    return ratio


def _statistics(tau: np.ndarray, min_tail: int | None) -> tuple:
    return (_whole_ratio,) if min_tail is None else (_whole_ratio, _tail_ratio(min_tail, tau.shape[0]))


def _profiled(codes, tau, r, stats, above, shifts=LR_SHIFTS, scales=LR_SCALES, chunk=2048,
              midpoint=LR_MIDPOINT, extreme=()) -> np.ndarray:
    """Likelihood-ratio statistics ``stat(item log-likelihoods, categories)`` of the complete rows (rows x stats).

    One pass of :func:`copula_item_loglik` serves every statistic; with ``midpoint`` (an odd
    number of categories), one of the propensities above 0 (:func:`_midpoint_profiled`) on the
    rows with a middle answer, the lower value kept.  ``above`` (one per statistic, or
    ``None``): profile the styles only on rows whose style-free value of some statistic
    exceeds its ``above``, and the propensities only where the styles leave it above (the
    style (0, 1) with propensity 0 is on the grid, so each is an upper bound of the next, and
    exact wherever the profiled one could exceed ``above``).  ``extreme`` (propensities, or
    empty): also the IRTree reading of :func:`irtree_item_loglik` (over ``shifts``, ``scales``,
    ``midpoint`` and ``extreme``), the lower value kept, where the others leave a statistic above ``above``.
    """
    codes = np.asarray(codes, dtype=np.int64)
    m = item_categories(tau)
    midpoint = np.asarray(midpoint, dtype=float) if np.any(m % 2) else np.zeros(0)   # no middle answer: none
    none = (None,) * len(stats)
    if any(a is not None for a in above):
        out = _profiled(codes, tau, r, stats, none, np.zeros(1), np.ones(1), chunk, ())
        lim = np.array([np.inf if a is None else a for a in above])
        with np.errstate(invalid="ignore"):
            rows = np.flatnonzero((out > lim).any(axis=1))
            out[rows] = _profiled(codes[rows], tau, r, stats, none, shifts, scales, chunk, ())   # the styles
            rows = rows[(out[rows] > lim).any(axis=1)]        # the propensity where they leave it above (a bound)
        if len(midpoint):
            out[rows] = np.fmin(out[rows], _midpoint_profiled(codes[rows], tau, r, stats, shifts, scales, chunk,
                                                              midpoint))
        if len(extreme):
            with np.errstate(invalid="ignore"):
                rows = rows[(out[rows] > lim).any(axis=1)]
            out[rows] = np.fmin(out[rows], _irtree_profiled(codes[rows], tau, r, stats, shifts, scales, chunk,
                                                            midpoint, extreme))
        return out
    out = np.full((len(codes), len(stats)), np.nan)
    ok = _complete(codes, m)
    step = max(1, chunk * 32 // (len(shifts) * len(scales)))           # rows x styles per chunk: about 32 x chunk
    for start in range(0, len(ok), step):
        rows = ok[start:start + step]
        ll = copula_item_loglik(codes[rows], tau, r, shifts, scales)
        out[rows] = np.column_stack([stat(ll, m) for stat in stats])
    if len(midpoint):
        out[ok] = np.fmin(out[ok], _midpoint_profiled(codes[ok], tau, r, stats, shifts, scales, chunk, midpoint))
    if len(extreme):
        out[ok] = np.fmin(out[ok], _irtree_profiled(codes[ok], tau, r, stats, shifts, scales, chunk, midpoint,
                                                    extreme))
    return out


def _irtree_profiled(codes, tau, r, stats, shifts, scales, chunk, midpoint, extreme) -> np.ndarray:
    """The statistics of :func:`_profiled` over the IRTree reading of :func:`irtree_item_loglik` alone (complete
    rows; rows x stats)."""
    out = np.full((len(codes), len(stats)), np.nan)
    m = item_categories(tau)
    g = len(shifts) * len(scales) * (1 + len(midpoint)) * len(extreme)
    step = max(1, chunk * 32 // g)
    for start in range(0, len(codes), step):
        ll = irtree_item_loglik(codes[start:start + step], tau, r, shifts, scales, midpoint, extreme)
        out[start:start + step] = np.column_stack([stat(ll, m) for stat in stats])
    return out


def _midpoint_profiled(codes, tau, r, stats, shifts, scales, chunk, midpoint) -> np.ndarray:
    """The statistics of :func:`_profiled` over the styles with a midpoint propensity above 0 only (complete rows;
    rows x stats; ``inf`` on a row without a middle answer, where a propensity only lowers every item's
    likelihood).  The whole ratio over every propensity; a tail ratio (:func:`random_tail_lr`) with the person's
    propensity, the one the whole questionnaire's profile picks (``inf`` where that is 0)."""
    k, m = tau.shape[0], item_categories(tau)
    odd = _odd_items(tau)
    out = np.full((len(codes), len(stats)), np.inf)
    part = np.flatnonzero(_middle_answers(codes, m).any(axis=1))
    g = len(shifts) * len(scales)
    step = max(1, chunk * 32 // (g * len(midpoint)))
    for start in range(0, len(part), step):
        rows = part[start:start + step]
        other, middle, log_mid = pieces = _midpoint_parts(codes[rows], tau, r, shifts, scales, midpoint)
        total = _midpoint_totals(*pieces, midpoint, odd)               # styles x propensities x rows
        best = total.max(axis=0)                                       # propensities x rows
        q = best.argmax(axis=0)
        own = np.flatnonzero(best[q, np.arange(len(rows))] > _copula_totals(codes[rows], tau, r, shifts,
                                                                            scales).max(axis=0))
        for j, stat in enumerate(stats):
            if stat is _whole_ratio:
                out[rows, j] = _whole_from_totals(total.reshape(-1, len(rows)), k, m)
            elif len(own):                                             # the styles with the person's propensity
                factor = np.log1p(-midpoint[q[own]])[None, :, None]
                items = np.where(middle[own], log_mid[:, q[own]], (factor if odd is None else factor * odd)
                                 + other[:, own])                      # as _midpoint_items, one propensity a row
                out[rows[own], j] = stat(items, m)
    return out


def tail_periods(codes: np.ndarray, min_tail: int = 6, max_period: int = 8) -> np.ndarray:
    """Per row and tail length ``t``: the shortest period of the last ``t`` answers (rows x ``k + 1``; 0 = none).

    Period 1: the last ``t`` answers are one answer (a straight tail); ``L`` (up to
    ``max_period``): they repeat a motif of ``L`` answers, ``x[j] == x[j - L]`` throughout,
    seen repeated at least ``min(L, 4)`` times over (``t >= L + min(L, 4)``).  Tails
    shorter than ``min_tail`` have none.  ``codes``: complete rows, any numbers.

    >>> tail_periods(np.array([[3, 1, 2, 2, 2, 2, 2, 2], [4, 1, 2, 1, 2, 1, 2, 1]]), min_tail=5)[:, 5:].tolist()
    [[1, 1, 0, 0], [2, 2, 2, 0]]
    """
    codes = np.asarray(codes)
    n, k = codes.shape
    out = np.zeros((n, k + 1), dtype=np.int64)
    t = np.arange(k + 1)[None, :]
    for per in range(min(max_period, k - 1), 0, -1):                  # shortest period last: it wins
        same = codes[:, :per - 1:-1] == codes[:, k - 1 - per::-1]      # x[j] == x[j - per], from the last j back
        longest = per + np.where(same.all(axis=1), k - per, same.argmin(axis=1))   # the longest periodic tail
        out = np.where((t >= max(min_tail, per + min(per, 4))) & (t <= longest[:, None]), per, out)
    return out


def invariant_tail_lr(codes: np.ndarray, tau: np.ndarray, r: np.ndarray, min_tail: int = 6, max_period: int = 8,
                      shifts: np.ndarray = LR_SHIFTS, scales: np.ndarray = LR_SCALES,
                      midpoint: np.ndarray = LR_MIDPOINT, chunk: int = 256, readings: Sequence[np.ndarray] = ()
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Generalised likelihood ratio of a tail that repeats one answer or a short motif, against honest answers.

    Partial carelessness that ends in straight-lining or a pattern (a careful first part,
    then the same answer, or 1-2-3-4-5-4-3-2, to the end): longstring (Johnson 2005) as
    a change point, as :func:`random_tail_lr` is for a random tail (Yu & Cheng 2019).
    Careless: the answers before item ``h`` honest, the tail from ``h`` on the repetition of
    a motif of ``L`` answers (:func:`tail_periods`, the shortest one), the period uniform over
    ``1 .. max_period`` and the motif uniform over the ``m ** L`` of its length: probability
    ``m ** -L / max_period``.  Honest: the whole questionnaire in the answer model
    (:func:`midpoint_item_loglik`, a shift, stretch and midpoint propensity per person).
    The style is profiled out of each hypothesis on its own (Neyman & Pearson's generalised
    ratio), so a consistent style that gives one answer throughout explains a straight
    tail as well as the head, and a straight tail after a varied head does not.  The
    ratio is maximised over the tails of ``min_tail`` items or more with a period (the
    whole questionnaire is one of them); ``-inf`` where no tail repeats.  ``codes``:
    0-based, questionnaire order, ``-1`` missing (``NaN``, not evaluated, as in
    :func:`random_lr`).  Returns the ratio, the tail's length and its period (0 where none).
    ``readings`` (items on scales of their own): other readings of the same answers (arrays like
    ``codes``: the number as written, the place counted from the top) in which a repeated answer
    counts too; the careless hypothesis is spread evenly over the ``R`` readings, so a tail that
    repeats in ``n`` of them has ``n / R`` of its probability (a tail within one scale, repeated
    in all, loses nothing; one that repeats in one reading only pays ``log R``).

    >>> rng = np.random.default_rng(5)
    >>> f = rng.normal(size=(600, 1))
    >>> x = np.clip(np.round(2 + f + rng.normal(scale=.6, size=(600, 16))), 0, 4).astype(int)
    >>> x[0] = [3, 4, 3, 3, 4, 3, 4, 3, 3, 0, 0, 0, 0, 0, 0, 0]   # agrees, then "1" to the end
    >>> x[1, 8:] = [0, 1, 2, 3, 4, 3, 2, 1]                       # half a zig-zag: no repeat seen
    >>> x[2, 4:] = [0, 1, 2, 3, 4, 3, 2, 1, 0, 1, 2, 3]           # a zig-zag seen again
    >>> tau, r = answer_model(x, 5)
    >>> lr, t, per = invariant_tail_lr(x, tau, r)
    >>> bool(lr[0] > 3), int(t[0]), int(per[0]), bool(np.isinf(lr[1])), bool(lr[2] > 3), int(t[2]), int(per[2])
    (True, 7, 1, True, True, 12, 8)
    >>> bool(np.mean(lr[3:] > 3) < 0.01), bool(np.isnan(invariant_tail_lr(np.where(x[:1] < 4, x[:1], -1), tau, r)[0][0]))
    (True, True)
    """
    codes = np.asarray(codes, dtype=np.int64)
    n, k = codes.shape
    m = item_categories(tau)
    ok = _complete(codes, m)
    per = np.zeros((n, k + 1), dtype=np.int64)
    per[ok] = tail_periods(codes[ok], min_tail, max_period)
    share = None
    if len(readings):                     # the shortest period of any reading; log(n / R) of the readings
        each = np.stack([per[ok]] + [tail_periods(np.asarray(v)[ok], min_tail, max_period) for v in readings])
        count = (each > 0).sum(axis=0)
        per[ok] = np.where(count > 0, np.where(each > 0, each, max_period + 1).min(axis=0), 0)
        share = np.zeros((n, k + 1))
        with np.errstate(divide="ignore"):
            share[ok] = np.log(count / len(each))
    out = np.full(n, np.nan)
    out[ok] = -np.inf
    length = np.zeros(n, dtype=np.int64)
    period = np.zeros(n, dtype=np.int64)
    cand = np.flatnonzero((per > 0).any(axis=1))
    t = np.arange(k + 1)
    for start in range(0, len(cand), chunk):
        rows = cand[start:start + chunk]
        head = _head_logliks(codes[rows], tau, r, shifts, scales, midpoint)
        p = per[rows]
        with np.errstate(invalid="ignore"):
            lr = np.where(p > 0, head[:, k - t] - _log_motif(m, k, t, p) - np.log(max_period), -np.inf)
            if share is not None:
                lr = lr + share[rows]
        best = lr.argmax(axis=1)
        ix = np.arange(len(rows))
        out[rows] = lr[ix, best] - head[:, k]
        length[rows], period[rows] = best, p[ix, best]
    return out, length, period


def _log_motif(m: int | np.ndarray, k: int, t: np.ndarray, p: np.ndarray) -> np.ndarray:
    """``p log m``: minus the log-probability of a uniform motif of ``p`` answers (rows x tail lengths ``t``); with
    each item's own ``m`` (an array), the sum of ``log m_j`` over the motif's items, the first ``p`` of the tail of
    ``t`` (``p <= t``)."""
    if not np.ndim(m):
        return p * np.log(m)
    c = np.concatenate([[0.0], np.cumsum(np.log(m))])
    return c[np.minimum(k - t[None, :] + p, k)] - c[k - t][None, :]


def walk_motifs(m: int, seesaws: bool = False, gap: int = 2) -> list[np.ndarray]:
    """The scale-walking patterns of careless responding on an ``m``-point scale, each one period (0-based codes).

    A zig-zag that bounces between two answers ``lo`` and ``hi`` (1-2-3-4-5-4-3-2-..., 2-3-4-3-...)
    and a ramp that climbs or falls from one to the other and starts again (1-2-3-4-5-1-...,
    5-4-3-2-1-5-...; the "diagonal" pattern), over at least three answers: the patterned
    answers Meade & Craig (2012) and Curran (2016) name, and the ones a careless respondent
    makes by moving the pointer one step a time down a grid.  Every step is one category,
    bar a ramp's restart; two answers alternating (4-5-4-5) are not here (an honest
    respondent between "agree" and "strongly agree" gives them).  With ``seesaws``, also a
    seesaw between two answers at least two categories apart (1-5-1-5-..., 2-4-2-4-...,
    after the zig-zags and ramps): the alternating pattern of the same authors (and of
    DeSimone, Harms & DeSimone 2015, *J Organ Behav* 36:171-181), which an honest respondent
    gives only by answering the same construct's items a scale's width apart in turn (``gap``: the
    least distance of the two answers, 2).

    >>> [x.tolist() for x in walk_motifs(3)]
    [[0, 1, 2, 1], [0, 1, 2], [2, 1, 0]]
    >>> len(walk_motifs(5)), [x.tolist() for x in walk_motifs(5, seesaws=True)[18:]]
    (18, [[0, 2], [0, 3], [0, 4], [1, 3], [1, 4], [2, 4]])
    >>> [x.tolist() for x in walk_motifs(3, seesaws=True, gap=1)[3:]]
    [[0, 1], [0, 2], [1, 2]]
    """
    out = []
    for lo in range(m):
        for hi in range(lo + 2, m):
            up = list(range(lo, hi + 1))
            out += [np.array(up + up[-2:0:-1]), np.array(up), np.array(up[::-1])]
    if seesaws:
        out += [np.array([lo, hi]) for lo in range(m) for hi in range(lo + max(1, gap), m)]
    return out


def walk_tail_lr(codes: np.ndarray, tau: np.ndarray, r: np.ndarray, min_tail: int = 8,
                 shifts: np.ndarray = LR_SHIFTS, scales: np.ndarray = LR_SCALES,
                 midpoint: np.ndarray = LR_MIDPOINT, chunk: int = 256, offsets: Sequence[np.ndarray] = (),
                 seesaws: bool = False, gap: int = 2) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Generalised likelihood ratio of a tail that walks the scale (a zig-zag or a ramp), against honest answers.

    Partial carelessness that ends in a pattern: a careful first part, then
    1-2-3-4-5-4-3-2-... to the end (:func:`walk_motifs`).  As :func:`invariant_tail_lr` for
    a straight tail (a change point, Yu & Cheng 2019): careless, the answers before item
    ``h`` honest, the tail from ``h`` on one of the ``W`` phases of the walking patterns,
    each with probability ``1 / W`` (``W`` = 76 on a 5-point scale); honest, the whole
    questionnaire in the answer model (:func:`midpoint_item_loglik`, the person's shift,
    stretch and midpoint propensity profiled out of each hypothesis on its own).  Unlike a
    motif of :func:`tail_periods`, a walk need not be seen twice: the pattern is known, so
    a tail of ``min_tail`` (8) answers that follows one is evidence however short its
    period.  Maximised over the walking tails of ``min_tail`` items or more; ``-inf`` where
    none, ``NaN`` where an answer is missing.  Returns the ratio, the tail's length and the
    pattern's index in :func:`walk_motifs` (``-1`` where none).  Items with scales of their own
    (:func:`item_categories`): the walks and ``W`` are those of the widest scale (a walk past an item's top is
    never matched, and the larger ``W`` makes the ratio of a walk no larger).  ``offsets`` (items on scales of
    their own): the places at which each item's scale is read on the widest one (one integer an item: 0, its
    lowest category on the lowest; the number as written; its top on the top; its middle on the middle), each a
    reading of its own, the codes themselves one more: in a reading an item whose scale ends before the walk turns
    is answered at its end (a zig-zag 1-2-3-4-5-4-3-2 down a 1-4 block reads 1-2-3-4-4-4-3-2), and the careless
    hypothesis is spread evenly over the ``R`` readings (``log R`` more against it).  ``seesaws``: also the seesaws
    of :func:`walk_motifs` (1-5-1-5-..., two answers at least ``gap`` categories apart; ``W`` = 88 on a 5-point
    scale with ``gap`` 2).

    >>> rng = np.random.default_rng(5)
    >>> f = rng.normal(size=(600, 1))
    >>> x = np.clip(np.round(2 + f + rng.normal(scale=.6, size=(600, 16))), 0, 4).astype(int)
    >>> x[0, 7:] = [0, 1, 2, 3, 4, 3, 2, 1, 0]                    # careful, then a zig-zag for nine items
    >>> tau, r = answer_model(x, 5)
    >>> lr, t, which = walk_tail_lr(x, tau, r)
    >>> bool(lr[0] > 6.9), int(t[0]), walk_motifs(5)[which[0]].tolist()
    (True, 10, [0, 1, 2, 3, 4, 3, 2, 1])
    >>> bool(np.mean(lr[1:] > 3) < 0.01)
    True

    Four items on 4 categories (the last): a zig-zag whose turn at the fifth category the 4-category item
    answers at its end (1-2-3-4 | 4-4-3-2) is seen with ``offsets`` only (the codes read with each item's
    scale clamped):

    >>> x2 = np.clip(np.round(2 + f + rng.normal(scale=.6, size=(600, 16))), 0, 4).astype(int)
    >>> x2[:, 12:] = np.minimum(x2[:, 12:], 3)
    >>> x2[0, 7:] = [0, 0, 1, 2, 3, 3, 3, 2, 1]
    >>> tau2, r2 = answer_model(x2, 5)
    >>> tau2[12:, 4:] = np.inf
    >>> int(walk_tail_lr(x2, tau2, r2)[1][0]), int(walk_tail_lr(x2, tau2, r2, offsets=[np.zeros(16, int)])[1][0])
    (0, 8)
    """
    codes = np.asarray(codes, dtype=np.int64)
    n, k = codes.shape
    m = tau.shape[1] - 1                          # the widest scale's walks
    ok = np.zeros(n, dtype=bool)
    ok[_complete(codes, item_categories(tau))] = True
    motifs = walk_motifs(m, seesaws, gap)
    spread = min(2, max(1, gap)) if seesaws else 2            # the least range of the answers in a walking tail
    n_phases = sum(len(p) for p in motifs)
    longest = np.zeros(n, dtype=np.int64)
    which = np.full(n, -1, dtype=np.int64)
    if len(offsets):
        _walks_read(codes, item_categories(tau), min_tail, motifs, offsets, longest, which, spread)
    else:
        last = codes[:, k - min(min_tail, k):]    # a walking tail changes its answer at every step: few rows can
        maybe = np.flatnonzero((np.diff(last, axis=1) != 0).all(axis=1) & (np.ptp(last, axis=1) >= spread))
        _walk_runs(codes[maybe, ::-1], motifs, np.zeros(k, dtype=np.int64), None, min(min_tail, k),
                   maybe, longest, which)
    out = np.full(n, np.nan)
    out[ok] = -np.inf
    cand = np.flatnonzero(ok & (longest >= min_tail))
    length = np.where(ok & (longest >= min_tail), longest, 0)
    which = np.where(length > 0, which, -1)
    log_w = np.log(n_phases * (len(offsets) + 1 if len(offsets) else 1))
    for start in range(0, len(cand), chunk):
        rows = cand[start:start + chunk]
        head = _head_logliks(codes[rows], tau, r, shifts, scales, midpoint)
        t = np.arange(k + 1)[None, :]
        with np.errstate(invalid="ignore"):
            lr = np.where((t >= min_tail) & (t <= longest[rows, None]), head[:, k - t[0]] - log_w, -np.inf)
        out[rows] = lr.max(axis=1) - head[:, k]
    return out, length, which


def _walks_read(codes: np.ndarray, m: int | np.ndarray, min_tail: int, motifs: list, offsets: Sequence[np.ndarray],
                longest: np.ndarray, which: np.ndarray, spread: int = 2) -> int:
    """:func:`walk_tail_lr`'s longest walking tail of each row (in place) in the codes and in each reading of
    ``offsets``: the walk's value ``w`` on the widest scale is answered ``clip(w - o_j, 0, m_j - 1)`` on item ``j``.
    Returns the (row, phase) pairs followed (:func:`_walk_runs`)."""
    n, k = codes.shape
    m = np.broadcast_to(np.asarray(m, dtype=np.int64), (k,))
    w = min(min_tail, k)
    pairs = 0
    for o in [np.zeros(k, dtype=np.int64)] + [np.asarray(v, dtype=np.int64) for v in offsets]:
        read = codes + o[None, :]
        lo, hi = o, o + m - 1
        last, step = read[:, k - w:], np.diff(read[:, k - w:], axis=1)
        # a walk moves its answer at every step, but where an item's scale ends before the walk turns (at most
        # under half the steps: a walk held at an end is a straight line)
        end = ((last[:, 1:] == lo[None, k - w + 1:]) | (last[:, 1:] == hi[None, k - w + 1:]))
        maybe = np.flatnonzero(((step != 0) | end).all(axis=1) & ((step == 0).sum(axis=1) < (w - 1) / 2)
                               & (np.ptp(last, axis=1) >= spread))
        if len(maybe):
            pairs += _walk_runs(codes[maybe, ::-1], motifs, o, m, w, maybe, longest, which)
    return pairs


def row_hash(x: np.ndarray, start=0) -> np.ndarray:
    """A 64-bit rolling hash of each row of ``x`` (values read as unsigned 64-bit words: codes, or the bits of
    floats), from ``start`` (a number, or one per row): ``h = h * P + x[:, j]`` with FNV's prime ``P``.  Equal
    rows give equal hashes; unequal rows rarely do, so a caller that groups by it compares the rows themselves.

    >>> h = row_hash(np.array([[1, 2, 3], [1, 2, 3], [3, 2, 1]]), start=7)
    >>> bool(h[0] == h[1]), bool(h[0] == h[2])
    (True, False)
    """
    h = np.full(len(x), start, dtype=np.uint64) if np.ndim(start) == 0 else np.asarray(start).astype(np.uint64)
    with np.errstate(over="ignore"):
        for j in range(x.shape[1]):
            h = h * _FNV_PRIME + x[:, j].astype(np.uint64)
    return h


#: FNV's 64-bit prime (Fowler, Noll & Vo), the multiplier of :func:`row_hash`
_FNV_PRIME = np.uint64(0x100000001B3)


def _walk_runs(back: np.ndarray, motifs: list, o: np.ndarray, m: np.ndarray | None, w: int, rows: np.ndarray,
               longest: np.ndarray, which: np.ndarray, block: int = 1 << 17) -> int:
    """Each of ``rows``' longest run of the phases of ``motifs`` (:func:`walk_tail_lr`), in place as one pass over
    the phases in order would leave it: ``longest`` raised where a phase follows the row (``back``: its answers
    read backwards from the last item) for more items, ``which`` the motif of the first phase that does.  Runs
    of fewer than ``w`` items are not recorded (:func:`walk_tail_lr` counts none).  ``o`` the walk's reading
    (its value ``v`` answered ``clip(v - o_j, 0, m_j - 1)``, unclipped where ``m`` is None).

    The phases are not tried one by one on every row (696,300 of them on a 101-point slider: minutes): each
    phase's last ``w`` answers are hashed, in blocks of phases, and only the rows that end as a phase does (the
    hash equal, the answers then compared) are followed further, so that the work is the phases' count times
    ``w`` in arrays plus the pairs that match; returns the number of (row, phase) pairs followed (compared on
    every item).

    >>> back = np.array([[2, 1, 0, 1, 2, 1, 0, 1, 2], [2, 2, 2, 2, 2, 2, 2, 2, 2]])   # a zig-zag 0-1-2-1-...
    >>> longest, which = np.zeros(2, dtype=np.int64), np.full(2, -1)
    >>> _walk_runs(back, walk_motifs(3), np.zeros(9, dtype=np.int64), None, 8, np.arange(2), longest, which)
    1
    >>> longest.tolist(), which.tolist()
    ([9, 0], [0, -1])
    """
    n_rows, k = back.shape
    if not n_rows or not motifs:
        return 0
    items = np.arange(k)
    period = np.array([len(p) for p in motifs], dtype=np.int64)
    table = np.full((len(motifs), int(period.max())), -1, dtype=np.int64)
    for i, p in enumerate(motifs):
        table[i, :len(p)] = p
    motif_of = np.repeat(np.arange(len(motifs)), period)              # the phases in walk_tail_lr's order:
    shift = np.arange(len(motif_of)) - np.repeat(np.cumsum(period) - period, period)   # motif by motif, shift s

    rows_hash = row_hash(back[:, :w])                                 # each row's last w answers, hashed
    best = np.zeros(n_rows, dtype=np.int64)
    first = np.full(n_rows, -1, dtype=np.int64)
    pairs = 0

    def want(mo: np.ndarray, sh: np.ndarray, j: np.ndarray) -> np.ndarray:    # the phases' answers to items j
        v = table[mo[:, None], (j[None, :] + sh[:, None]) % period[mo][:, None]] - o[None, j]
        return v if m is None else np.clip(v, 0, m[None, j] - 1)
    for a in range(0, len(motif_of), block):                          # blocks of phases in order: the first wins
        mo, sh = motif_of[a:a + block], shift[a:a + block]
        ph_hash = row_hash(want(mo, sh, items[::-1][:w]))
        order = np.argsort(ph_hash, kind="stable")
        sorted_hash = ph_hash[order]
        lo_i, hi_i = np.searchsorted(sorted_hash, rows_hash, "left"), np.searchsorted(sorted_hash, rows_hash, "right")
        count = hi_i - lo_i
        if not count.sum():
            continue
        r = np.repeat(np.arange(n_rows), count)                       # the (row, phase) pairs whose hashes agree
        q = order[np.repeat(lo_i - np.cumsum(count) + count, count) + np.arange(count.sum())]
        same = back[r] == want(mo[q], sh[q], items[::-1])
        pairs += len(r)
        run = np.where(same.all(axis=1), k, same.argmin(axis=1))
        keep = run >= w
        r, q, run = r[keep], q[keep], run[keep]
        if not len(r):
            continue
        pick = np.lexsort((q, -run, r))                               # each row: its longest run, then first phase
        r, q, run = r[pick], q[pick], run[pick]
        head = np.ones(len(r), dtype=bool)
        head[1:] = r[1:] != r[:-1]
        r, q, run = r[head], q[head], run[head]
        better = run > best[r]
        best[r[better]], first[r[better]] = run[better], mo[q[better]]
    better = best > longest[rows]
    longest[rows[better]], which[rows[better]] = best[better], first[better]
    return pairs


def _head_logliks(codes: np.ndarray, tau: np.ndarray, r: np.ndarray, shifts: np.ndarray, scales: np.ndarray,
                  midpoint: np.ndarray) -> np.ndarray:
    """The log-likelihood of each row's first ``h`` answers in its best style for them (:func:`midpoint_item_loglik`
    profiled over the styles for that head alone), ``h = 0 .. k`` (rows x ``k + 1``; complete rows)."""
    k = tau.shape[0]
    ll = midpoint_item_loglik(codes, tau, r, shifts, scales, midpoint).reshape(-1, len(codes), k)
    return np.concatenate([np.zeros(ll.shape[:2] + (1,)), np.cumsum(ll, axis=2)], axis=2).max(axis=0)


def random_change_lr(codes: np.ndarray, tau: np.ndarray, r: np.ndarray, min_tail: int = 4,
                     shifts: np.ndarray = LR_SHIFTS, scales: np.ndarray = LR_SCALES,
                     midpoint: np.ndarray = LR_MIDPOINT, chunk: int = 256) -> np.ndarray:
    """Change-point likelihood ratio of answers that turn random from some item on, each hypothesis's style its own.

    Partial carelessness, "back random responding" (Yu & Cheng 2019, *Psychol Methods*
    24:658-674; a change point in a person's answer process, as in Bradlow, Weiss & Cho
    1998, *J Am Stat Assoc* 93:910-919): careless, the answers before item ``h`` honest in the
    person's best style *for them* and the rest uniform random; honest, the whole
    questionnaire in its own best style (:func:`midpoint_item_loglik`: shift, stretch,
    midpoint propensity).  The generalised ratio (Neyman & Pearson's, as
    :func:`invariant_tail_lr` does for a straight tail) maximised over the start ``h``,
    tails of ``min_tail`` items up to all of them::

        max_h [max_style log P(x_1..x_{h-1} | style) - (k - h + 1) log m] - max_style log P(x | style)

    :func:`random_tail_lr` profiles one style for both parts (the style that makes the tail
    least random, however badly it fits the careful head); here a head that a style fits
    and a tail that no style fitting the head explains count as the evidence they are.
    Never below :func:`random_lr` (the whole questionnaire is one of the tails).  Items in
    questionnaire order; ``codes`` 0-based, ``-1`` missing (``NaN``, not evaluated).  Every
    complete row is profiled (no bound prunes it): 0.2-0.6 ms a row on 28 items.

    >>> rng = np.random.default_rng(5)
    >>> f = rng.normal(size=(800, 1))
    >>> x = np.clip(np.round(2 + f + rng.normal(scale=.5, size=(800, 16))), 0, 4).astype(int)
    >>> x[0, 8:] = [4, 0, 3, 0, 4, 1, 0, 2]                       # careful, then random over the last half
    >>> tau, r = answer_model(x, 5)
    >>> cp = random_change_lr(x, tau, r)
    >>> bool(cp[0] > np.quantile(cp, .98)), bool(np.all(cp[1:] >= random_lr(x[1:], tau, r) - 1e-9))
    (True, True)
    """
    codes = np.asarray(codes, dtype=np.int64)
    n, k = codes.shape
    m = item_categories(tau)
    if not 1 <= min_tail <= k:
        raise ValueError(f"min_tail must be between 1 and the {k} items, not {min_tail}")
    ok = _complete(codes, m)
    out = np.full(n, np.nan)
    t = np.arange(min_tail, k + 1)                                    # tail lengths
    for start in range(0, len(ok), chunk):
        rows = ok[start:start + chunk]
        head = _head_logliks(codes[rows], tau, r, shifts, scales, midpoint)
        out[rows] = (head[:, k - t] - (t * np.log(m) if not np.ndim(m) else _log_uniform_tails(m, k, t))
                     ).max(axis=1) - head[:, k]
    return out


def random_predictive_tail_lr(codes: np.ndarray, tau: np.ndarray, r: np.ndarray, min_tail: int = 4,
                              min_head: int = 4, shifts: np.ndarray = LR_SHIFTS, scales: np.ndarray = LR_SCALES,
                              chunk: int = 2048) -> np.ndarray:
    """Likelihood ratio of answers that turn random from some item on, the tail predicted from the person's head.

    Partial carelessness as in :func:`random_tail_lr` (careful, then random from an unknown
    item ``h`` on), but the honest tail is the answer model's *predictive* one given the head:
    the person's style (shift and stretch on the grid ``shifts`` x ``scales``, uniform over it)
    learnt from the head alone, ``P(tail | head) = sum_s P(head, tail | s) / sum_s P(head | s)``
    (:func:`copula_item_loglik`), so a tail counts as random when it is unlike what the careful
    head predicts, not when no style at all fits it (a stretched honest responder's head shows
    the stretch, and the tail is predicted in it).  The statistic is
    ``max_h [-(k - h) log m - log P(x_h..x_k | x_1..x_{h-1})]`` over heads of ``min_head``
    items or more and tails of ``min_tail`` or more.  Its honest quantiles hardly depend on the
    style: on answers drawn from a fitted model (an outside generator, 28 items, N 1,515, seeds
    1-3) with the latent response stretched 1.84 or 2.5 times, 0.1-0.8 % lie beyond the
    style-free .999 quantile (:func:`random_tail_lr`: 2.5-11.5 %).  No midpoint propensity.  A
    plug-in style (the head's best one on the grid) instead overfits short heads: its ratio's
    honest .999 quantile was 45-115 and the partly random answers it separated fewer.  Every
    complete row is computed (no bound prunes it).  Items in questionnaire order; ``codes``
    0-based, ``-1`` missing (``NaN``, not evaluated).

    >>> rng = np.random.default_rng(5)
    >>> f = rng.normal(size=(800, 1))
    >>> x = np.clip(np.round(2 + f + rng.normal(scale=.5, size=(800, 16))), 0, 4).astype(int)
    >>> x[0, 8:] = [4, 0, 3, 0, 4, 1, 0, 2]                       # careful, then random over the last half
    >>> tau, r = answer_model(x, 5)
    >>> pt = random_predictive_tail_lr(x, tau, r)
    >>> bool(pt[0] > np.quantile(pt, .99))
    True
    """
    codes = np.asarray(codes, dtype=np.int64)
    n, k = codes.shape
    m = item_categories(tau)
    if not 1 <= min_tail <= k - min_head:
        raise ValueError(f"min_tail must be between 1 and the {k} items less the {min_head} of the head, "
                         f"not {min_tail}")
    ok = _complete(codes, m)
    out = np.full(n, np.nan)
    h = np.arange(min_head, k - min_tail + 1)                         # the tail's first item (0-based)
    random_tail = _log_uniform_tails(m, k, k - h)                     # minus the tails' uniform log-likelihoods
    step = max(1, chunk * 32 // (len(shifts) * len(scales)))
    for start in range(0, len(ok), step):
        rows = ok[start:start + step]
        ll = copula_item_loglik(codes[rows], tau, r, shifts, scales)  # styles x rows x items
        heads = np.cumsum(ll, axis=2)[:, :, np.append(h - 1, k - 1)]  # styles x rows x (the heads, the whole)
        top = heads.max(axis=0)                                       # log of the sums over the styles, each
        np.exp(heads - top, out=heads)                                # term below its largest (as logsumexp,
        sums = np.log(heads.sum(axis=0)) + top                        # about four times faster here)
        out[rows] = (sums[:, :-1] - sums[:, -1:] - random_tail).max(axis=1)
    return out


def random_lrs(codes: np.ndarray, tau: np.ndarray, r: np.ndarray, min_tail: int = 4,
               above: Sequence[float | None] = (None, None), midpoint: np.ndarray = LR_MIDPOINT,
               extreme: np.ndarray = ()) -> np.ndarray:
    """:func:`random_lr` and :func:`random_tail_lr` of the same rows (rows x 2), from one pass over them.

    >>> rng = np.random.default_rng(5)
    >>> x = np.clip(np.round(2 + rng.normal(size=(300, 1)) + rng.normal(scale=.5, size=(300, 8))), 0, 4).astype(int)
    >>> tau, r = answer_model(x, 5)
    >>> both = random_lrs(x, tau, r)
    >>> bool(np.allclose(both[:, 0], random_lr(x, tau, r))), bool(np.allclose(both[:, 1], random_tail_lr(x, tau, r)))
    (True, True)
    """
    return _profiled(codes, tau, r, _statistics(tau, min_tail), tuple(above), midpoint=midpoint, extreme=extreme)


def random_lr_quantiles(codes: np.ndarray, tau: np.ndarray, r: np.ndarray, probs: Sequence[float],
                        min_tail: int | None = None, midpoint: np.ndarray = LR_MIDPOINT,
                        extreme: np.ndarray = (), scale: float = 1.0) -> np.ndarray:
    """Upper quantiles (``probs`` near 1) of :func:`random_lr` over ``codes``, profiling as few rows as exactness allows.

    The profiled ratio is at most the style-free one, so rows whose style-free ratio lies
    below the quantiles found among the profiled top rows cannot change them.  ``scale``: the
    stretch whose ratio (shift 0, no propensity) bounds the profiled one (a tighter bound on
    answers drawn with that stretch, :func:`styled_answer_draws`; it must be on the grid).  With
    ``min_tail``: the quantiles of :func:`random_lr` and of :func:`random_tail_lr`
    (2 x probs), from shared passes.

    >>> rng = np.random.default_rng(3)
    >>> c = np.clip(np.round(2 + rng.normal(size=(2000, 1)) + rng.normal(scale=.7, size=(2000, 8))), 0, 4).astype(int)
    >>> tau, r = answer_model(c, 5)
    >>> bool(np.allclose(random_lr_quantiles(c, tau, r, [.99]), np.quantile(random_lr(c, tau, r), [.99])))
    True
    >>> bool(np.allclose(random_lr_quantiles(c, tau, r, [.99], min_tail=4)[1],
    ...                  np.quantile(random_tail_lr(c, tau, r), [.99])))
    True
    """
    codes = np.asarray(codes, dtype=np.int64)
    stats = _statistics(tau, min_tail)
    none = (None,) * len(stats)
    upper = _profiled(codes, tau, r, stats, none, np.zeros(1), np.array([scale]), midpoint=())
    start = int(len(codes) * (1 - min(probs)) * 4)
    if np.any(item_categories(tau) % 2) and len(midpoint):   # odd numbers of categories: first the styles alone,
        _, rows, styled = _top_quantiles(upper, lambda rows: _profiled(codes[rows], tau, r, stats, none, midpoint=()),
                                         probs, start)
        upper[rows] = styled                      # a closer bound where they were profiled
    qs = _top_quantiles(upper, lambda rows: _profiled(codes[rows], tau, r, stats, none, midpoint=midpoint,
                                                      extreme=extreme), probs, start)[0]
    return qs[0] if min_tail is None else qs


def _top_quantiles(upper: np.ndarray, exact, probs: Sequence[float], start: int
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Upper quantiles (stats x probs) of the values ``exact(rows)`` (rows x stats), each at most ``upper``, computed
    for as few rows as exactness allows: the top ``start`` rows by ``upper``, more while a row left out could reach
    the quantiles.  Also the rows computed and their values."""
    n = len(upper)
    order = np.argsort(-upper, axis=0)
    top = np.full(upper.shape[1], max(1, min(n, start)))
    while True:
        rows = np.unique(np.concatenate([order[:t, s] for s, t in enumerate(top)]))
        val = np.full(upper.shape, -np.inf)
        val[rows] = exact(rows)
        qs = np.quantile(val, probs, axis=0).T                             # stats x probs
        short = [s for s, t in enumerate(top) if t < n and upper[order[t, s], s] > qs[s].min()]
        if not short:
            return qs, rows, val[rows]
        for s in short:
            top[s] = min(n, 4 * top[s])


def answer_draws(tau: np.ndarray, r: np.ndarray, n: int = 20000, seed: int = 1936) -> np.ndarray:
    """``n`` honest answers drawn from an :func:`answer_model` (item thresholds ``tau``, copula ``R``): 0-based codes.

    Normal draws with correlation ``R`` cut at each item's thresholds: answers with the
    sample's own category shares and no response style.  ``R`` is the correlation of the
    sample's normal *scores*, and cutting attenuates a correlation, so the draws' own
    scores correlate somewhat less than the sample's (on the study's 28 items by 0.02 on
    average and up to 0.06): cut-offs set on them are conservative (0.1-0.2 % of the
    simulator's and the graded-response generator's honest respondents have a profiled
    random-answer likelihood ratio beyond the draws' .995 quantile).  Drawing instead with
    the latent correlation whose cut draws reproduce ``R`` (a fixed point, three steps)
    made those cut-offs nearly exact and caught more careless answers (simulator, N 3000:
    random 0.967 -> 0.978, partly random 0.822 -> 0.856; graded response 0.907 -> 0.918,
    0.160 -> 0.191), but the style profile does not explain every extreme responder, and
    their exclusion rose 3.1 -> 4.7 % (5.3 -> 6.7 % on a generator with 70 % end answers
    and roles): the margin stays.  Seeded: the same model gives the same draws.

    >>> tau, r = answer_model(np.array([[0, 0], [1, 1], [1, 2], [2, 2]]), 3)
    >>> d = answer_draws(tau, r, n=4000)
    >>> d.shape, bool(np.allclose([(d[:, 1] == c).mean() for c in range(3)], [0.25, 0.25, 0.5], atol=0.03))
    ((4000, 2), True)
    """
    return styled_answer_draws(tau, r, 1.0, n, seed)


def styled_answer_draws(tau: np.ndarray, r: np.ndarray, scale: float, n: int = 20000, seed: int = 1936) -> np.ndarray:
    """:func:`answer_draws` with every latent response stretched by ``scale`` about its item's scale midpoint
    (the stretch of :func:`copula_item_loglik`: extreme responding above 1); the same latent draws for every scale.

    >>> tau, r = answer_model(np.array([[0, 0], [1, 1], [1, 2], [2, 2]]), 3)
    >>> bool((styled_answer_draws(tau, r, 1.0, n=500) == answer_draws(tau, r, n=500)).all())
    True
    >>> drawn = answer_draws(tau, r, n=4000), styled_answer_draws(tau, r, 3.0, n=4000)
    >>> ends = [np.isin(d, [0, 2]).mean() for d in drawn]
    >>> bool(ends[1] > ends[0])                                   # a stretch: more end answers
    True
    """
    k = len(tau)
    z = np.random.default_rng(seed).standard_normal((n, k)) @ np.linalg.cholesky(r + 1e-9 * np.eye(k)).T
    if scale != 1.0:
        piv = scale_midpoint(tau)[None, :]
        z = (z - piv) * scale + piv
    return (z[:, :, None] > tau[None, :, 1:-1]).sum(axis=2)


def profiled_stretch(codes: np.ndarray, tau: np.ndarray, r: np.ndarray, chunk: int = 2048) -> np.ndarray:
    """Each complete row's profiled stretch: the :data:`LR_SCALES` value of its likeliest style (shift and stretch).

    The style (shift, stretch) on the grid :data:`LR_SHIFTS` x :data:`LR_SCALES` that gives the row's answers the
    highest copula likelihood (:func:`copula_item_loglik`), as :func:`random_lr` profiles it (without the
    midpoint propensity).  ``codes``: complete rows, 0-based.

    >>> tau, r = answer_model(np.array([[0, 1, 0], [1, 1, 2], [1, 2, 1], [2, 1, 2], [2, 2, 2], [0, 0, 1]]), 3)
    >>> s = profiled_stretch(np.array([[1, 1, 1], [0, 2, 0]]), tau, r)
    >>> bool(s[0] < 1 < s[1])                   # middle answers: shrunk; end answers: stretched
    True
    """
    codes = np.asarray(codes, dtype=np.int64)
    best = [_copula_totals(codes[i:i + chunk], tau, r, LR_SHIFTS, LR_SCALES).argmax(axis=0) % len(LR_SCALES)
            for i in range(0, len(codes), chunk)]
    return LR_SCALES[np.concatenate(best)] if best else np.zeros(0)


def sample_stretch_quantiles(codes: np.ndarray, tau: np.ndarray, r: np.ndarray, flag: Sequence[float],
                             probs: Sequence[float], min_tail: int | None = None, n: int = 2000, seed: int = 1936,
                             midpoint: np.ndarray = LR_MIDPOINT, extreme: np.ndarray = (), max_rows: int = 20000
                             ) -> tuple[np.ndarray, np.ndarray]:
    """Quantiles of :func:`random_lr` (and :func:`random_tail_lr` with ``min_tail``) over honest answers whose
    stretches are mixed as in the sample, and the mixture's weights (one per :data:`LR_SCALES`).

    The stretch distribution is estimated from the complete rows of ``codes`` whose ratios all lie at or
    below ``flag`` (one level per ratio: rows beyond a flag level, most random answers among them, do not
    count, so random answers do not pass for stretched honest ones): the shares of their
    :func:`profiled_stretch` (out of all complete rows) are matched, by non-negative least squares, with
    the same shares in ``n`` honest answers drawn at each stretch (:func:`styled_answer_draws`, read with
    the same flag levels), which undoes both the profile's noise and the flag's truncation.  The
    quantile ``probs[i]`` of ratio ``i`` is then taken over the draws, each stretch's weighted by its
    estimated share.  A sample without stretched answering puts its weight near 1 and gives about the
    style-free quantile; a sample with extreme responders gives a higher one.  Exact where a quantile
    exceeds its flag level (rows and draws below it are profiled only as far as that needs).  Of more than
    ``max_rows`` complete rows, that many spread evenly over them give the shares (every row's profile cost 9 s
    of CPU on 100,000 responses of 28 items, 1 s on 20,000; a share from 20,000 rows has a standard error below
    .004, smaller than that of the ``n`` draws it is matched with).

    >>> rng = np.random.default_rng(4)
    >>> f = rng.normal(size=(1500, 1))
    >>> plain = np.clip(np.round(2 + f + rng.normal(scale=.8, size=(1500, 8))), 0, 4).astype(int)
    >>> tau, r = answer_model(plain, 5)
    >>> q, w = sample_stretch_quantiles(plain, tau, r, [np.inf], [.999], n=1000)
    >>> bool(w[LR_SCALES > 1.5].sum() < .1)                         # no extreme responders: little weight
    True
    >>> ext = plain.copy()
    >>> ext[:300] = np.clip(np.round(2 + 2.5 * (f[:300] + rng.normal(scale=.8, size=(300, 8)))), 0, 4)
    >>> tau2, r2 = answer_model(ext, 5)
    >>> q2, w2 = sample_stretch_quantiles(ext, tau2, r2, [np.inf], [.999], n=1000)
    >>> bool(w2[LR_SCALES > 1.5].sum() > .1)                       # a fifth stretched: weight on the stretches
    True
    """
    from scipy.optimize import nnls
    codes = np.asarray(codes, dtype=np.int64)
    stats = _statistics(tau, min_tail)
    flag = np.asarray(flag, dtype=float)
    above = tuple(None if not np.isfinite(f) else float(f) for f in flag)
    whole = _complete(codes, item_categories(tau))
    if not len(whole):
        raise ValueError("no complete rows to estimate the sample's stretches from")
    if len(whole) > max_rows:                                               # spread evenly over the file
        whole = whole[np.linspace(0, len(whole) - 1, max_rows).astype(np.int64)]
    rows = codes[whole]

    def shares(x):
        lr = _profiled(x, tau, r, stats, above, midpoint=midpoint, extreme=extreme)
        keep = (lr <= flag[None, :]).all(axis=1)
        st = np.searchsorted(LR_SCALES, profiled_stretch(x[keep], tau, r))
        return np.bincount(st, minlength=len(LR_SCALES)) / len(x), lr

    obs = shares(rows)[0]
    drawn = [shares(styled_answer_draws(tau, r, float(sc), n=n, seed=seed)) for sc in LR_SCALES]
    w = nnls(np.array([a for a, _ in drawn]).T, obs)[0]
    w = w / w.sum() if w.sum() > 0 else (LR_SCALES == 1).astype(float)
    vals = np.concatenate([lr for _, lr in drawn])                          # draws x stats
    wts = np.repeat(w / n, n)
    out = []
    for j, p in enumerate(probs):
        o = np.argsort(vals[:, j])
        cum = np.cumsum(wts[o])
        out.append(float(vals[o, j][min(np.searchsorted(cum, p * cum[-1]), len(o) - 1)]))
    return np.array(out), w


def mahad_sim_quantile(draws: np.ndarray, n: int, q: float) -> float:
    """The ``q`` quantile of same-sample D² over honest ``draws`` split into samples of ``n`` rows.

    Each sample of ``n`` draws gives its rows' D² from its own mean and covariance (as
    :func:`mahad_beta_p`'s law: the row is one of the ``n`` it is measured against), so the
    quantile is the finite-sample one under the model the draws come from, whatever its
    category shares (a skewed or nearly constant item gives D² a heavier tail than the
    normal-theory Beta law).  Samples larger than the draws are one sample of all draws.

    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(20000, 5))
    >>> round(mahad_sim_quantile(x, 200, 0.99) / float(mahad_beta_crit(0.01, 200, 5)), 1)
    1.0
    """
    draws = np.asarray(draws, dtype=float)
    n = int(min(max(n, draws.shape[1] + 2), len(draws)))
    d2 = []
    for b in range(len(draws) // n):
        blk = draws[b * n:(b + 1) * n]
        d2.append(mahalanobis_d2(blk, blk.mean(axis=0), np.atleast_2d(np.cov(blk, rowvar=False)))[0])   # one item: 1 x 1
    return float(np.nanquantile(np.concatenate(d2), q))


def mahad_quotient_new_crit(r: np.ndarray, n: int, alpha: float, reps: int = 10, per: int = 2000,
                            seed: int = 1936, max_n: int = 5000) -> float:
    """The ``1 - alpha`` quantile of :func:`mahad_quotient` for an honest row *outside* the ``n`` rows it is measured against.

    :func:`mahad_quotient_crit` takes ``R`` as known.  A row of the estimation sample is
    measured with estimates that partly fit it; any other row (in the cleaning: one that a
    blatant-case rule such as ``speeder`` kept out of the reference, e.g. a fast careful
    reader) meets the estimation error of the means, SDs and ``R`` in full, and its Q has
    a heavier tail when ``n`` is not large against the number of items (28 items: honest
    normal rows outside 150 reference rows beyond the known-``R`` .975 quantile 16 % of the
    time, outside 800 rows 3.9 %).  By parametric simulation: ``reps`` samples of ``n``
    normal rows with correlation ``R`` (at most ``max_n``: beyond it the error is negligible
    and the excess over the known-``R`` quantile scaled by ``max_n / n``: the estimation error
    shrinks as ``1 / n``) give estimates, ``per`` new rows each give Q.

    >>> r = np.full((10, 10), .5) + .5 * np.eye(10)
    >>> bool(mahad_quotient_new_crit(r, 60, .01) > mahad_quotient_crit(r, .01) > 1.9)
    True
    """
    r = np.asarray(r, dtype=float)
    p = r.shape[0]
    chol = np.linalg.cholesky(r + 1e-9 * np.eye(p))
    rng = np.random.default_rng(seed)
    m = int(min(max(n, p + 2), max_n))
    out = []
    for _ in range(int(reps)):
        ref = rng.standard_normal((m, p)) @ chol.T
        new = rng.standard_normal((int(per), p)) @ chol.T
        mu, sd = ref.mean(axis=0), ref.std(axis=0, ddof=1)
        rhat = np.corrcoef((ref - mu) / sd, rowvar=False)
        out.append(rayleigh_quotient((new - mu) / sd, rhat))
    crit = float(np.nanquantile(np.concatenate(out), 1 - alpha))
    if n > m:
        known = mahad_quotient_crit(r, alpha, normals=rng.standard_normal((int(reps) * int(per), p)))
        crit = known + max(crit - known, 0.0) * m / n
    return crit


def band_pairs(cat: np.ndarray, rank: np.ndarray, bands: int = 8, max_bucket: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """Candidate (later, earlier) row pairs for near copies, without comparing every pair: pigeonhole blocking.

    The items (columns of ``cat``, integer answer codes, ``-1`` blank) are dealt into ``bands`` bands (item ``j``
    into band ``j mod bands``); two rows that differ in fewer than ``bands - 1`` items agree exactly on at least two
    whole bands, so every pair of bands is a key (hashed with NumPy), and only rows with an equal key are paired,
    each with the earlier ones (``rank``: the submission order) of its bucket.  A bucket of more than
    ``max_bucket`` rows is not paired in full: a pattern that common (a constant line, the most popular answers)
    is no evidence of copying, and pairing all of it would cost O(N^2); each of its rows is paired with the one
    before it in submission order only, so a ring of copies of one sheet (which fills such buckets) is still
    compared, at a cost linear in N.  Pairs may repeat (one per shared key), in no particular order, as 32-bit
    positions below 2**31 rows.  Cost: ``bands * (bands - 1) / 2`` hashings of N keys (``pandas.factorize``) and
    stable sorts of the rows whose key repeats.

    >>> cat = np.array([[1, 2, 3, 4, 1, 2, 3, 4], [0, 0, 1, 1, 2, 2, 3, 3], [1, 2, 3, 4, 1, 2, 0, 0]])
    >>> later, earlier = band_pairs(cat, np.arange(3), bands=4)
    >>> sorted(set(zip(later.tolist(), earlier.tolist())))
    [(2, 0)]
    """
    chunks = list(band_pair_chunks(cat, rank, bands, max_bucket))
    if not chunks:
        pos = np.int32 if len(cat) < 1 << 31 else np.int64
        return np.zeros(0, dtype=pos), np.zeros(0, dtype=pos)
    later = np.concatenate([a for a, _ in chunks])
    return later, np.concatenate([z for _, z in chunks])


def band_pair_chunks(cat: np.ndarray, rank: np.ndarray, bands: int = 8, max_bucket: int = 8):
    """:func:`band_pairs`' pairs a piece at a time: ``(later, earlier)`` arrays, one per key and distance within the
    bucket, so a caller that reduces them (:func:`~iur_survey.clean.rules.near_duplicate`) never holds them all.

    >>> cat = np.array([[1, 2, 3, 4, 1, 2, 3, 4], [0, 0, 1, 1, 2, 2, 3, 3], [1, 2, 3, 4, 1, 2, 0, 0]])
    >>> [(a.tolist(), z.tolist()) for a, z in band_pair_chunks(cat, np.arange(3), bands=4)]
    [([2], [0])]
    """
    n, k = cat.shape
    b = max(2, min(int(bands), k))
    pos = np.int32 if n < 1 << 31 else np.int64               # the positions (half the memory of int64)
    order = np.argsort(rank, kind="stable").astype(pos)
    c = cat[order].astype(np.int64).astype(np.uint64) + np.uint64(1)
    hb = [row_hash(c[:, t::b], start=t + 1) for t in range(b)]
    for t, u in itertools.combinations(range(b), 2):
        with np.errstate(over="ignore"):                          # (not held across the yields below)
            key = (hb[t] * np.uint64(0x9E3779B97F4A7C15)) ^ (hb[u] + np.uint64(0x632BE59BD9B4E019))
        # only rows whose key is shared by 2..max_bucket rows pair in full: found by hashing (linear), so the
        # sort below is of the rows whose key repeats, not of all N keys
        codes = pd.factorize(key)[0]
        count = np.bincount(codes)
        size = count[codes]
        rep = np.flatnonzero(size >= 2).astype(pos)           # in submission order
        if not len(rep):
            continue
        shared = count >= 2
        dense = (np.cumsum(shared) - 1)[codes[rep]]           # the repeated keys numbered 0, 1, ...
        if np.count_nonzero(shared) <= 1 << 16:
            dense = dense.astype(np.uint16)                   # (a stable sort of 16-bit codes is a radix sort)
        by = np.argsort(dense, kind="stable")
        s, ds = rep[by], dense[by]                            # by bucket, then submission order
        small = size[s] <= max_bucket
        # a bucket of 2..max_bucket rows: every pair (``lag`` apart within the bucket); a larger bucket: each
        # row with the one before it in submission order only (a ring of copies of one sheet shares its bands
        # too; one pair per row keeps the cost linear)
        for lag in range(1, max_bucket):
            eq = ds[lag:] == ds[:-lag]
            same = np.flatnonzero(eq if lag == 1 else eq & small[lag:])
            if not len(same):
                break
            yield order[s[same + lag]], order[s[same]]


def stratum_shares(cat: np.ndarray, categories: int, strata: np.ndarray, prior: float = 4.0) -> np.ndarray:
    """``p[s, j, c]``: the share of answer ``c`` to item ``j`` among the rows of stratum ``s`` (``strata``, one
    integer per row), shrunk towards the item's share in the whole sample by ``prior`` pseudo-rows.

    >>> cat = np.array([[0, 1], [0, 1], [1, 1], [1, -1]])
    >>> stratum_shares(cat, 2, np.array([0, 0, 1, 1]), prior=0.0)[:, :, 1].tolist()
    [[0.0, 1.0], [1.0, 1.0]]
    """
    n, k = cat.shape
    s_n = int(strata.max()) + 1 if len(strata) else 1
    obs = cat >= 0
    idx = (strata[:, None] * k + np.arange(k)[None, :]) * categories + np.where(obs, cat, 0)
    counts = np.bincount(idx[obs], minlength=s_n * k * categories).reshape(s_n, k, categories).astype(float)
    whole = counts.sum(axis=0)
    whole = whole / np.maximum(whole.sum(axis=1, keepdims=True), 1)
    return (counts + prior * whole) / np.maximum(counts.sum(axis=2, keepdims=True) + prior, 1e-12)


def match_tail(q: np.ndarray, m: np.ndarray) -> np.ndarray:
    """P(M >= m) for M the number of matches among independent items matching with probabilities ``q`` (pairs x
    items; 0 where an item is not compared): the Poisson-binomial upper tail, by recursion over the items.

    >>> match_tail(np.array([[0.5, 0.5, 0.5], [0.5, 0.5, 0.0]]), np.array([3, 1])).tolist()
    [0.125, 0.75]
    """
    q = np.asarray(q, dtype=float)
    p_n, k = q.shape
    dist = np.zeros((p_n, k + 1))
    dist[:, 0] = 1.0
    for j in range(k):
        qj = q[:, j:j + 1]
        dist[:, 1:] = dist[:, 1:] * (1 - qj) + dist[:, :-1] * qj
        dist[:, 0] *= 1 - q[:, j]
    tail = np.cumsum(dist[:, ::-1], axis=1)[:, ::-1]
    return np.minimum(tail[np.arange(p_n), np.clip(m, 0, k)], 1.0)
