"""Neyman-Pearson bounds for careless-response screening: the most a per-person index can catch.

For a simple honest model against a simple careless model, the likelihood-ratio test is
the most powerful test at every level (Neyman & Pearson 1933).  Given the *true* model of
the honest respondents, the power of that test at an honest exclusion rate ``alpha`` is
therefore an upper bound on the recall of *any* statistic of one person's answers (every
careless index, any combination of them, any cut-off) at that exclusion rate.  A method
that estimates the model from the sample, or must cover several careless models at
once, can only do worse.  Screening that also uses durations or attention checks is not
bounded by it (those are not answers to the items).  The bound holds for the honest
population the model describes: a style-free model bounds screening among style-free
respondents; honest response styles need them in the model (``styles=`` of
:func:`grm_model` and :func:`simulator_model`).

================  ==============================================  ===================================
function          bound                                           model of the honest respondents
================  ==============================================  ===================================
gaussian_bound    likelihood ratio, exact (simulated draws)       z ~ N(0, R), continuous answers
ordinal_loglik    log P(x | honest), importance sampling over     ordinal items, conditionally
                  the traits (per-person t proposal, Sobol)       independent given correlated traits
ordinal_bound     likelihood ratio with ordinal_loglik            as ordinal_loglik: grm_model
                                                                  (Samejima 1969), probit_model,
                                                                  simulator_model; with response
                                                                  styles: a MixtureModel of
                                                                  OrdinalModel.styled components
copula_bound      likelihood ratio under a Gaussian copula        an APPROXIMATION fitted to real
                  (real respondents, no true model)               answers (normal scores)
================  ==============================================  ===================================

The careless models (``kind`` in the tables): ``random_uniform`` (every code equally
likely on every item), ``random_marginal`` (each item's code drawn independently from
that item's honest marginal shares: random answers that look like honest ones item by
item), ``partial_uniform`` (honest answers up to a known point, uniform codes on the
last ``tail`` items) and, for the continuous model, ``partial_marginal`` (independent
N(0, 1) answers on the tail).  For a mixture of careless kinds or change points the bound of
each component is at least the power of the best test against the mixture, so the
known change point gives an upper bound for unknown ones too.

Every table has one row per careless kind, tail and ``alpha``: the honest (1 - alpha)
quantile of the log likelihood ratio (``cutoff``), the ``power`` (share of careless
draws beyond it: the best recall at that honest exclusion rate) and its Monte Carlo
standard error ``se`` (binomial, careless draws only).

>>> r = np.full((8, 8), 0.49)
>>> np.fill_diagonal(r, 1.0)
>>> tab = gaussian_bound(r, tails=(None, 4), alphas=(0.01,), draws=20_000, seed=1)
>>> tab[["kind", "tail", "alpha", "draws"]].to_dict("list")
{'kind': ['random_marginal', 'partial_marginal'], 'tail': [8, 4], 'alpha': [0.01, 0.01], 'draws': [20000, 20000]}
>>> bool(tab["power"].between(0.05, 1).all())
True
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass, replace
from typing import Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.special import chdtri, expit, gammaln, logsumexp, ndtr, ndtri

from .._threads import blas_threads
from ..instrument import Instrument, load_instrument
from .indices import answer_model, category_scores, copula_item_loglik
from ..simulate.contamination import Contamination, StyleStrengths
from ..simulate.population import EXOGENOUS, MEDIATOR, OUTCOME, Population
from ..simulate.respondents import _latent, _setup

#: honest exclusion rates of the tables (issue 12 allows 1.5 %)
ALPHAS = (0.005, 0.01, 0.015)


def _one_blas_thread(func):
    """Run ``func`` with one BLAS thread (small matrices; spinning BLAS threads stall a busy machine)."""
    @functools.wraps(func)
    def run(*args, **kwargs):
        with blas_threads():
            return func(*args, **kwargs)
    return run


def _tails(tails: Iterable[int | None], k: int) -> list[int]:
    out = []
    for t in tails:
        t = k if t is None else int(t)
        if not 0 < t <= k:
            raise ValueError(f"a tail must have 1 to {k} items, got {t}")
        out.append(t)
    return out


def _powers(kind: str, tail: int, h_stat: np.ndarray, c_stat: np.ndarray, alphas: Sequence[float],
            **extra) -> list[dict]:
    """The level-alpha likelihood-ratio test: reject beyond the honest (1 - alpha) quantile, randomised on ties.

    Values within 1e-9 of the cut-off are ties (a discrete statistic, or the same model twice): the
    test rejects a tie with the probability that brings the honest rejection rate to alpha (the
    Neyman-Pearson lemma's randomised test), so the power is comparable across models.
    """
    rows = []
    for a in alphas:
        if not 0 < a < 1:
            raise ValueError(f"alpha must be in (0, 1), got {a}")
        cut = float(np.quantile(h_stat, 1 - a))
        tol = 1e-9 * (1 + abs(cut))
        h_above, h_tie = np.mean(h_stat > cut + tol), np.mean(np.abs(h_stat - cut) <= tol)
        gamma = min(1.0, max(0.0, (a - h_above) / h_tie)) if h_tie > 0 else 0.0
        p = float(np.mean(c_stat > cut + tol) + gamma * np.mean(np.abs(c_stat - cut) <= tol))
        rows.append({"kind": kind, "tail": tail, "alpha": a, "cutoff": cut, "power": p,
                     "se": float(np.sqrt(p * (1 - p) / len(c_stat))),
                     "honest_beyond": float(h_above + gamma * h_tie),
                     "n_honest": len(h_stat), "n_careless": len(c_stat), **extra})
    return rows


# -- continuous answers ----------------------------------------------------------------------------
@_one_blas_thread
def gaussian_bound(r: np.ndarray, tails: Iterable[int | None] = (None, 14, 10), alphas: Sequence[float] = ALPHAS,
                   draws: int = 200_000, seed: int = 0, chunk: int = 50_000) -> pd.DataFrame:
    """The Neyman-Pearson bound for honest answers z ~ N(0, ``r``) against random ones (continuous model).

    Careless: the last ``tail`` items (``None``: all) replaced by independent N(0, 1)
    draws (random answers with the honest marginals), the items before them honest.
    With the change point known, the log likelihood ratio of careless to honest is
    0.5 (D²_{T|c} - z_T'z_T) + 0.5 log(|R| / |R_cc|), D²_{T|c} = z'R⁻¹z - z_c'R_cc⁻¹z_c
    (the Mahalanobis distance of the tail given the head ``c``).  ``draws`` honest and as
    many careless draws per tail, in chunks of ``chunk`` (one child of ``seed``'s
    SeedSequence per chunk).  Columns: ``kind`` (``random_marginal`` for the whole
    questionnaire, ``partial_marginal`` otherwise), ``tail``, ``alpha``, ``cutoff``,
    ``power``, ``se``, ``honest_beyond``, ``n_honest``, ``n_careless``, ``draws``.
    With R = I the two models are the same and the power is ``alpha``.

    >>> tab = gaussian_bound(np.eye(5), tails=(None,), alphas=(0.05,), draws=40_000, seed=3)
    >>> bool(abs(tab.loc[0, "power"] - 0.05) < 0.01)
    True
    """
    r = np.asarray(r, dtype=float)
    k = len(r)
    if r.shape != (k, k) or not np.allclose(r, r.T):
        raise ValueError("r must be a symmetric square matrix")
    try:
        chol = np.linalg.cholesky(r)
    except np.linalg.LinAlgError:
        raise ValueError("r is not positive definite") from None
    ts = _tails(tails, k)
    r_inv = np.linalg.inv(r)
    logdet = np.linalg.slogdet(r)[1]
    heads = {}
    for t in ts:
        h = k - t
        if h:
            heads[t] = (np.linalg.inv(r[:h, :h]), 0.5 * (logdet - np.linalg.slogdet(r[:h, :h])[1]))
        else:
            heads[t] = (None, 0.5 * logdet)

    def stat(z: np.ndarray, t: int) -> np.ndarray:
        h = k - t
        c_inv, const = heads[t]
        d2 = np.einsum("ij,jk,ik->i", z, r_inv, z)
        if h:
            d2 -= np.einsum("ij,jk,ik->i", z[:, :h], c_inv, z[:, :h])
        return 0.5 * (d2 - (z[:, h:] ** 2).sum(1)) + const

    sizes = [min(chunk, draws - i) for i in range(0, draws, chunk)]
    honest = {t: [] for t in ts}
    careless = {t: [] for t in ts}
    for m, ss in zip(sizes, np.random.SeedSequence(seed).spawn(len(sizes))):
        rng = np.random.default_rng(ss)
        zh = rng.standard_normal((m, k)) @ chol.T
        e = rng.standard_normal((m, k))
        for t in ts:
            h = k - t
            # chol is lower triangular: the head of e @ chol.T is an honest head, the tail is N(0, I)
            zc = np.concatenate([e[:, :h] @ chol[:h, :h].T, e[:, h:]], axis=1)
            honest[t].append(stat(zh, t))
            careless[t].append(stat(zc, t))
    rows = []
    for t in ts:
        rows += _powers("random_marginal" if t == k else "partial_marginal", t, np.concatenate(honest[t]),
                        np.concatenate(careless[t]), alphas, draws=draws)
    return pd.DataFrame(rows)


# -- ordinal answers ---------------------------------------------------------------------------------
_LINKS = {"logit": (expit,), "probit": (ndtr,)}


@dataclass(frozen=True)
class OrdinalModel:
    """Ordinal items, conditionally independent given correlated traits: an honest respondent without a style.

    P(score >= c | eta) = F(slope_j eta_{trait(j)} - intercept_{j,c}) for c = 1 .. categories - 1
    (codes 0 .. categories - 1, scored direction; F the ``link``: ``logit`` or ``probit``).
    The traits are N(0, ``corr``), or, when ``prior`` is given, draws ``prior(rng, m)``
    with log density ``log_prior(eta)``.

    A response style of person-level strength g ~ U(``strength``): the person's intercepts
    are ``intercept + g * strength_slope``; g's normal score z (g = lo + (hi - lo) Phi(z)) is
    then one more (last) trait column, N(0, 1) and independent of the traits (a smooth
    integrand for the importance sampler).

    >>> m = probit_model(np.array([0.7, 0.7]), np.array([[-0.5, 0.5]] * 2), np.array([0, 0]), corr=np.eye(1))
    >>> m.n_items, m.categories, m.draw(5, np.random.default_rng(1)).shape
    (2, 3, (5, 2))
    >>> acq = m.styled(np.full((2, 2), -1.0), (0.2, 1.0), "acquiescent")
    >>> bool(acq.draw(4000, np.random.default_rng(2)).mean() > m.draw(4000, np.random.default_rng(2)).mean())
    True
    """

    slope: np.ndarray
    intercept: np.ndarray
    item_trait: np.ndarray
    link: str = "probit"
    corr: np.ndarray | None = None
    prior: Callable[[np.random.Generator, int], np.ndarray] | None = None
    log_prior: Callable[[np.ndarray], np.ndarray] | None = None
    name: str = "ordinal"
    strength_slope: np.ndarray | None = None
    strength: tuple[float, float] | None = None

    @property
    def n_items(self) -> int:
        return len(self.item_trait)

    @property
    def categories(self) -> int:
        return self.intercept.shape[1] + 1

    def styled(self, strength_slope: np.ndarray, strength: tuple[float, float], name: str,
               intercept: np.ndarray | None = None) -> "OrdinalModel":
        """This model with a response style (see the class docstring), optionally with other base ``intercept`` s."""
        lo, hi = map(float, strength)
        if not lo < hi:
            raise ValueError(f"a style's strength range must have lo < hi, got {strength!r}")
        return replace(self, strength_slope=np.broadcast_to(np.asarray(strength_slope, dtype=float),
                                                            self.intercept.shape).copy(),
                       strength=(lo, hi), name=name,
                       intercept=self.intercept if intercept is None else np.asarray(intercept, dtype=float))

    def traits(self, m: int, rng: np.random.Generator) -> np.ndarray:
        """``m`` draws of the traits (and the style strength, last)."""
        if self.prior is not None:
            eta = self.prior(rng, m)
        else:
            eta = rng.standard_normal((m, len(self.corr))) @ np.linalg.cholesky(self.corr).T
        if self.strength is not None:   # the strength as a normal score: g = lo + (hi - lo) Phi(z), z ~ N(0, 1)
            eta = np.column_stack([eta, rng.standard_normal(m)])
        return eta

    def log_density(self, eta: np.ndarray) -> np.ndarray:
        """log density of the traits at ``eta`` (rows)."""
        base = eta if self.strength is None else eta[..., :-1]
        out = self.log_prior(base) if self.log_prior is not None else _mvn_logpdf(base, np.zeros(len(self.corr)),
                                                                                   self.corr)
        if self.strength is not None:
            out = out + _norm_logpdf(eta[..., -1], 0.0, 1.0)
        return out

    def _cuts(self, eta: np.ndarray) -> np.ndarray:
        """Intercepts: items x cuts, or (with a style) eta's rows x items x cuts."""
        if self.strength is None:
            return self.intercept
        lo, hi = self.strength
        g = lo + (hi - lo) * ndtr(eta[..., -1])
        return self.intercept + g[..., None, None] * self.strength_slope

    def upper(self, eta: np.ndarray) -> np.ndarray:
        """P(score >= c | eta), c = 1 .. categories - 1: rows x items x (categories - 1)."""
        lin = self.slope * eta[..., self.item_trait]
        return _LINKS[self.link][0](lin[..., None] - self._cuts(eta))

    def probabilities(self, eta: np.ndarray) -> np.ndarray:
        """P(score = c | eta): rows x items x categories."""
        up = self.upper(eta)
        one = np.ones(up.shape[:-1] + (1,))
        full = np.concatenate([one, up, 0 * one], axis=-1)
        return np.clip(full[..., :-1] - full[..., 1:], 0.0, 1.0)

    def draw(self, m: int, rng: np.random.Generator) -> np.ndarray:
        """``m`` honest respondents' codes (0-based, scored direction)."""
        up = self.upper(self.traits(m, rng))
        u = rng.random(up.shape[:2])
        return (u[:, :, None] < up).sum(2)

    def log_conditional(self, x: np.ndarray, eta: np.ndarray, items: np.ndarray | None = None) -> np.ndarray:
        """sum over ``items`` of log P(x_j | eta): ``x`` persons x items, ``eta`` persons x nodes x traits."""
        sel = np.arange(self.n_items) if items is None else np.flatnonzero(items)
        big = np.full((len(sel), 1), np.inf)
        cuts = np.concatenate([-big, self.intercept[sel], big], axis=1)      # items x (categories + 1)
        xs, at = x[:, sel], np.arange(len(sel))
        lo, hi = cuts[at, xs][:, None, :], cuts[at, xs + 1][:, None, :]     # persons x 1 x items
        if self.strength is not None:                                       # + g * slope, g per person and node
            zero = np.zeros((len(sel), 1))
            step = np.concatenate([zero, self.strength_slope[sel], zero], axis=1)
            g = self.strength[0] + (self.strength[1] - self.strength[0]) * ndtr(eta[:, :, -1])
            lo = lo + g[:, :, None] * step[at, xs][:, None, :]
            hi = hi + g[:, :, None] * step[at, xs + 1][:, None, :]
        lin = self.slope[sel] * eta[:, :, self.item_trait[sel]]             # persons x nodes x items
        f = _LINKS[self.link][0]
        u, v = lin - lo, lin - hi                                           # P = F(u) - F(v), u > v
        # both arguments positive: take the difference of the upper tails (no cancellation near 1)
        sign = np.where(v > 0, -1.0, 1.0)
        with np.errstate(invalid="ignore"):
            p = sign * (f(sign * u) - f(sign * v))
        return np.log(np.maximum(np.nan_to_num(p), 1e-300)).sum(axis=2)


@dataclass(frozen=True)
class MixtureModel:
    """Honest respondents as a mixture of :class:`OrdinalModel` s (no style, and each response style).

    >>> base = grm_model(np.full(2, 1.5), np.array([[-1.0, 1.0]] * 2), np.eye(1), np.array([0, 0]))
    >>> mix = MixtureModel((0.8, 0.2), (base, base.styled(np.full((2, 2), -1.5), (0.2, 1.0), "acquiescent")))
    >>> mix.n_items, mix.categories, mix.draw(4, np.random.default_rng(1)).shape
    (2, 3, (4, 2))
    """

    weights: tuple[float, ...]
    components: tuple[OrdinalModel, ...]

    def __post_init__(self):
        w = np.asarray(self.weights, dtype=float)
        if len(w) != len(self.components) or (w < 0).any() or not np.isclose(w.sum(), 1.0):
            raise ValueError("a mixture needs one weight per component, weights >= 0 summing to 1")

    @property
    def n_items(self) -> int:
        return self.components[0].n_items

    @property
    def categories(self) -> int:
        return self.components[0].categories

    def draw(self, m: int, rng: np.random.Generator) -> np.ndarray:
        """``m`` honest respondents' codes, each from a component drawn with its weight."""
        counts = rng.multinomial(m, np.asarray(self.weights, dtype=float))
        x = np.concatenate([c.draw(k, rng) for c, k in zip(self.components, counts)])
        return x[rng.permutation(m)]


def _mvn_logpdf(x: np.ndarray, mean: np.ndarray, cov: np.ndarray) -> np.ndarray:
    chol_inv = np.linalg.inv(np.linalg.cholesky(cov))
    z = (x - mean) @ chol_inv.T
    return -0.5 * (z ** 2).sum(-1) + np.log(np.diag(chol_inv)).sum() - 0.5 * len(mean) * np.log(2 * np.pi)


def grm_model(a: np.ndarray, b: np.ndarray, r: np.ndarray, item_trait: np.ndarray, *,
              styles: Mapping[str, tuple[float, tuple[float, float]]] | None = None,
              reverse: np.ndarray | None = None) -> OrdinalModel | MixtureModel:
    """Samejima's graded response model: P(score >= c | theta) = logistic(a (theta_trait - b_c)), theta ~ N(0, r).

    ``styles`` (name -> (share, (lo, hi))): honest response styles as person-specific
    thresholds b' = b * stretch - shift * s (s = -1 on the ``reverse`` items, else 1), as
    ``tests/clean/grm_generator.py`` draws them: ``acquiescent`` shift ~ U(lo, hi),
    ``extreme`` / ``midpoint`` stretch ~ U(lo, hi); the result is a :class:`MixtureModel`
    with the unstyled model's share 1 - sum of the shares.

    >>> m = grm_model(np.array([1.5, 2.0]), np.array([[-1.0, 0.5], [0.0, 1.0]]), np.eye(1), np.array([0, 0]))
    >>> np.round(m.probabilities(np.zeros((1, 1)))[0], 3).tolist()
    [[0.182, 0.497, 0.321], [0.5, 0.381, 0.119]]
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    base = OrdinalModel(a, a[:, None] * b, np.asarray(item_trait, dtype=int), "logit",
                        corr=np.asarray(r, dtype=float), name="graded response model")
    if not styles:
        return base
    sign = np.where(np.zeros(len(a), dtype=bool) if reverse is None else np.asarray(reverse, dtype=bool), -1.0, 1.0)
    comps, weights = [], []
    for name, (share, rng_) in styles.items():
        if name == "acquiescent":
            comps.append(base.styled(-(a * sign)[:, None], rng_, name))
        elif name in ("extreme", "midpoint"):
            comps.append(base.styled(a[:, None] * b, rng_, name, intercept=np.zeros_like(b)))
        else:
            raise ValueError(f"unknown response style {name!r} (acquiescent, extreme, midpoint)")
        weights.append(float(share))
    return MixtureModel((1.0 - sum(weights), *weights), (base, *comps))


def probit_model(loadings: np.ndarray, thresholds: np.ndarray, item_trait: np.ndarray, *,
                 corr: np.ndarray | None = None, prior=None, log_prior=None) -> OrdinalModel:
    """Cut normal responses y* = lambda eta + sqrt(1 - lambda²) e (the package simulator's honest answers).

    P(score >= c | eta) = Phi((lambda eta - tau_c) / sqrt(1 - lambda²)).

    >>> m = probit_model(np.array([0.6]), np.array([[-0.5, 0.5]]), np.array([0]), corr=np.eye(1))
    >>> np.round(m.probabilities(np.zeros((1, 1)))[0], 3).tolist()
    [[0.266, 0.468, 0.266]]
    """
    lam = np.asarray(loadings, dtype=float)
    sd = np.sqrt(1 - lam ** 2)
    return OrdinalModel(lam / sd, np.asarray(thresholds, dtype=float) / sd[:, None], np.asarray(item_trait, dtype=int),
                        "probit", corr=None if corr is None else np.asarray(corr, dtype=float), prior=prior,
                        log_prior=log_prior, name="probit thresholds")


def simulator_model(instrument: Instrument | None = None, population: Population | None = None, *,
                    styles: StyleStrengths | None = None, contamination: Contamination | None = None,
                    signal: float = 1.0) -> OrdinalModel | MixtureModel:
    """The package simulator's honest respondents (:mod:`iur_survey.simulate`) as an :class:`OrdinalModel`.

    The latent scores are drawn by the simulator's own ``_latent`` (role mixture, structural
    model with the interaction); their log density is the role mixture of
    N(role_effect * role means, phi) x N(COL | its structural mean, psi_COL) x N(INT | ..., psi_INT).
    Without ``styles``: the respondents without a response style.  With ``styles`` (the
    strength ranges) a :class:`MixtureModel`: the acquiescent, extreme and midpoint
    respondents at ``contamination`` 's rates (default :class:`Contamination` ()), their
    person-level strength g ~ U(range) moving the latent response (acquiescent: + g toward
    agreement in the raw direction) or the outer / next-to-middle thresholds (by g times
    the neighbouring category's width), as the simulator's ``_styles`` does; fast careful
    readers answer as the unstyled.  ``signal``: the loadings times ``signal``, as the
    simulator's hasty answers (its speeders answer with :data:`~iur_survey.simulate.respondents.SPEEDER_SIGNAL`).

    >>> m = simulator_model()
    >>> m.categories, m.n_items, m.traits(3, np.random.default_rng(1)).shape
    (5, 28, (3, 7))
    >>> mix = simulator_model(styles=StyleStrengths())
    >>> [c.name for c in mix.components], round(mix.weights[0], 2)
    (['probit thresholds', 'acquiescent', 'extreme', 'midpoint'], 0.81)
    """
    s = _setup(instrument or load_instrument(), population or Population.default())
    pop = s.pop
    phi = pop.phi()
    shifts = np.array([[pop.role_means.get(r, {}).get(f, 0.0) for f in EXOGENOUS] for r in s.roles])
    abc = [pop.structural(r) for r in s.roles]
    psi = pop.residual_variances()

    def prior(rng: np.random.Generator, m: int) -> np.ndarray:
        return _latent(rng, s, rng.choice(len(s.roles), size=m, p=s.role_p))

    def log_prior(eta: np.ndarray) -> np.ndarray:
        x, col, intg = eta[..., :len(EXOGENOUS)], eta[..., len(EXOGENOUS)], eta[..., len(EXOGENOUS) + 1]
        inter = pop.interaction_scores(x.reshape(-1, len(EXOGENOUS))).reshape(col.shape)
        parts = []
        for r, (a, b, c) in enumerate(abc):
            mu_col = x @ a + inter
            parts.append(np.log(s.role_p[r]) + _mvn_logpdf(x, pop.role_effect * shifts[r], phi)
                         + _norm_logpdf(col, mu_col, psi[MEDIATOR]) + _norm_logpdf(intg, b * col + x @ c, psi[OUTCOME]))
        return logsumexp(np.stack(parts), axis=0)

    lam = s.loadings * signal
    base = probit_model(lam, s.thresholds, s.construct_idx, prior=prior, log_prior=log_prior)
    if styles is None:
        return base
    cont = contamination or Contamination()
    sd = np.sqrt(1 - lam ** 2)[:, None]
    thr = s.thresholds
    k = thr.shape[1]
    sign = np.where(s.reverse, -1.0, 1.0)[:, None]
    acq = np.broadcast_to(-sign / sd, thr.shape)
    ext, mid = np.zeros(thr.shape), np.zeros(thr.shape)
    if k >= 4:
        ext[:, 0], ext[:, k - 1] = thr[:, 1] - thr[:, 0], -(thr[:, k - 1] - thr[:, k - 2])
        mid[:, 1], mid[:, k - 2] = -(thr[:, 1] - thr[:, 0]), thr[:, k - 1] - thr[:, k - 2]
    comps = [base.styled(acq, styles.acquiescent, "acquiescent"),
             base.styled(ext / sd, styles.extreme, "extreme"), base.styled(mid / sd, styles.midpoint, "midpoint")]
    w = [cont.acquiescent, cont.extreme, cont.midpoint]
    return MixtureModel((1.0 - sum(w), *w), (base, *comps))


def _norm_logpdf(x: np.ndarray, mean: np.ndarray, var: float) -> np.ndarray:
    return -0.5 * ((x - mean) ** 2 / var + np.log(2 * np.pi * var))


#: degrees of freedom of the multivariate t proposal (heavy tails keep the weights bounded)
_DF = 5.0


class _Integrator:
    """log P(x_items | honest) by importance sampling over the traits, one proposal per person.

    The proposal is a multivariate t (``_DF`` df) centred at a linear-Gaussian guess of the
    person's traits from the normal scores of their answers (a regression fitted on
    ``n_fit`` draws from the model, one per item mask), scaled ``scale`` times the residual
    spread; ``nodes`` scrambled Sobol points are shared by every person.  Unbiased for
    P(x) whatever the guess; a good guess only makes it precise.
    """

    def __init__(self, model: OrdinalModel, nodes: int, rng: np.random.Generator, n_fit: int = 20_000,
                 scale: float = 1.3):
        from scipy.stats import qmc as _qmc

        self.model, self.nodes, self.scale = model, nodes, scale
        self.eta = model.traits(n_fit, rng)
        up = model.upper(self.eta)
        x = (rng.random(up.shape[:2])[:, :, None] < up).sum(2)
        _shares, self.zmap = category_scores(x, model.categories, smooth=1e-4)   # items x categories
        self.z = self.zmap[np.arange(model.n_items), x]                     # n_fit x items
        q = self.eta.shape[1]
        with warnings.catch_warnings():  # nodes need not be a power of 2
            warnings.simplefilter("ignore", UserWarning)
            u = np.clip(_qmc.Sobol(d=q + 1, scramble=True, seed=rng).random(nodes), 1e-12, 1 - 1e-12)
        w = chdtri(_DF, 1 - u[:, q]) / _DF                                  # chi-square(df) / df
        self.tz = ndtri(u[:, :q]) / np.sqrt(w)[:, None]                     # nodes x traits: t_df
        self.log_t = (-0.5 * (_DF + q) * np.log1p((self.tz ** 2).sum(1) / _DF) + gammaln((_DF + q) / 2)
                      - gammaln(_DF / 2) - 0.5 * q * np.log(_DF * np.pi))
        self._fits: dict[bytes, tuple[np.ndarray, np.ndarray]] = {}

    def _fit(self, items: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        key = items.tobytes()
        if key not in self._fits:
            design = np.column_stack([np.ones(len(self.z)), self.z[:, items]])
            coef = np.linalg.solve(design.T @ design + 1e-9 * np.eye(design.shape[1]), design.T @ self.eta)
            sigma = np.cov(self.eta - design @ coef, rowvar=False) + 1e-6 * np.eye(self.eta.shape[1])
            self._fits[key] = (coef, self.scale * np.linalg.cholesky(sigma))
        return self._fits[key]

    def sums(self, x: np.ndarray, items: np.ndarray, rows: int = 512) -> tuple[np.ndarray, np.ndarray]:
        """log mean w and log mean w² / nodes per person (w = p(x, eta) / q(eta) at the nodes)."""
        if not items.any():
            return np.zeros(len(x)), np.full(len(x), -np.log(self.nodes))
        coef, chol = self._fit(items)
        steps = self.tz @ chol.T
        log_q = self.log_t - np.log(np.diag(chol)).sum()
        s1, s2 = np.empty(len(x)), np.empty(len(x))
        sel = np.flatnonzero(items)
        for i in range(0, len(x), rows):
            xb = x[i:i + rows]
            centre = coef[0] + self.zmap[sel, xb[:, sel]] @ coef[1:]
            eta = centre[:, None, :] + steps                                 # persons x nodes x traits
            lw = self.model.log_conditional(xb, eta, items) + self.model.log_density(eta) - log_q
            s1[i:i + rows] = logsumexp(lw, axis=1) - np.log(self.nodes)
            s2[i:i + rows] = logsumexp(2 * lw, axis=1) - 2 * np.log(self.nodes)
        return s1, s2

    def loglik(self, x: np.ndarray, items: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """log P(x_items | honest) per person, and the effective number of nodes."""
        s1, s2 = self.sums(x, items)
        return s1, np.exp(2 * s1 - s2)


class _MixtureIntegrator:
    """log P(x | honest) of a :class:`MixtureModel`: the weighted sum of its components' estimates."""

    def __init__(self, model: MixtureModel, nodes: int, rng: np.random.Generator, n_fit: int = 20_000):
        self.log_w = np.log(np.asarray(model.weights, dtype=float))
        self.parts = [_Integrator(c, nodes, rng, n_fit) for c in model.components]

    def loglik(self, x: np.ndarray, items: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        sums = [p.sums(x, items) for p in self.parts]
        with np.errstate(divide="ignore"):
            ll = logsumexp(np.stack([lw + s1 for lw, (s1, _) in zip(self.log_w, sums)]), axis=0)
            sq = logsumexp(np.stack([2 * lw + s2 for lw, (_, s2) in zip(self.log_w, sums)]), axis=0)
        return ll, np.exp(2 * ll - sq)


def _integrator(model, nodes: int, rng: np.random.Generator, n_fit: int = 20_000):
    return (_MixtureIntegrator if isinstance(model, MixtureModel) else _Integrator)(model, nodes, rng, n_fit)


def _codes(model: OrdinalModel, x) -> np.ndarray:
    x = np.asarray(x)
    if x.ndim != 2 or x.shape[1] != model.n_items:
        raise ValueError(f"x must be respondents x {model.n_items} items")
    if np.any((x < 0) | (x >= model.categories)) or not np.all(x == np.round(x)):
        raise ValueError(f"x must hold the codes 0 .. {model.categories - 1}")
    return x.astype(np.int64)


@_one_blas_thread
def ordinal_loglik(model: OrdinalModel, x: np.ndarray, items: np.ndarray | None = None, nodes: int = 64,
                   seed: int = 0) -> pd.DataFrame:
    """log P(x | honest) of each respondent under ``model``, by importance sampling over the traits.

    ``x``: respondents x items, 0-based codes in the scored direction; ``items``: a boolean
    mask of the items to use (the marginal likelihood of those answers; default all).
    Each person's proposal is a multivariate t (5 df) around a linear-Gaussian guess of
    their traits from the normal scores of their answers (fitted on draws from the model),
    with ``nodes`` scrambled Sobol points; the estimate is unbiased for P(x) whatever the
    guess.  Columns ``loglik`` and ``ess`` (the effective number of nodes, (sum w)² / sum
    w²: a small one means a noisy estimate).

    >>> m = probit_model(np.array([0.7, 0.7]), np.array([[0.0], [0.0]]), np.array([0, 0]), corr=np.eye(1))
    >>> ll = ordinal_loglik(m, np.array([[1, 1], [0, 1]]), nodes=1024)
    >>> np.round(np.exp(ll["loglik"]), 2).tolist()   # P(both above the median) = 1/4 + asin(.49)/(2 pi) = .3315
    [0.33, 0.17]
    """
    x = _codes(model, x)
    items = np.ones(model.n_items, dtype=bool) if items is None else np.asarray(items, dtype=bool)
    ll, ess = _integrator(model, nodes, np.random.default_rng(seed)).loglik(x, items)
    return pd.DataFrame({"loglik": ll, "ess": ess})


@_one_blas_thread
def ordinal_bound(model: OrdinalModel | MixtureModel, tails: Iterable[int] = (14, 10),
                  alphas: Sequence[float] = ALPHAS, n: int = 5000, nodes: int = 64, seed: int = 0,
                  calibrate: Mapping[str, np.ndarray] | None = None, shares: np.ndarray | None = None,
                  careless_models: Mapping[str, OrdinalModel] | None = None) -> pd.DataFrame:
    """The Neyman-Pearson bound for ``model``'s honest respondents against random answers.

    ``n`` honest respondents drawn from ``model`` (an :class:`OrdinalModel` is the oracle for
    respondents without a response style; a :class:`MixtureModel` with styled components
    for a population with those styles) and ``n`` careless ones of
    each kind: ``random_uniform``, ``random_marginal`` (each item's honest marginal
    shares, estimated from 100,000 draws of the model) and ``partial_uniform`` (an honest
    respondent's answers, uniform codes on the last ``tail`` items).  log P(x | honest) by
    :func:`ordinal_loglik` with ``nodes`` nodes; the log likelihood ratios are
    sum log P(x | careless) - log P(x | honest), with the head's marginal likelihood for the
    partial kind.  Columns as :func:`gaussian_bound`'s plus ``honest`` (``model``) and
    ``ess_median`` / ``ess_min``: the effective number of nodes over the honest and careless
    respondents of the row (a noisy likelihood is a weaker test: a small one understates
    the bound).  Seeds: children of ``seed``.

    ``shares`` (items x categories, scored direction): also a kind ``random_shares``, codes
    drawn independently from these shares (e.g. a generator's fixed answer shares).

    ``careless_models``: more careless kinds, each a model of its own (name -> :class:`OrdinalModel`
    with the same items and categories, e.g. hasty answers whose loadings are weaker:
    :func:`simulator_model` with ``signal``); the statistic is log P(x | that model) - log
    P(x | honest), both by :func:`ordinal_loglik`'s integration.

    ``calibrate``: more honest samples (name -> respondents x items, 0-based scored codes),
    e.g. respondents with response styles; for each, rows (``honest`` = name) with the cut-off
    of the SAME statistic set on that sample.  Those are no longer bounds (the optimal test
    against a population with styles needs the styles in the model); they show what a
    style-free statistic gives up when honest people have styles.

    >>> m = grm_model(np.full(6, 2.0), np.tile([-1.0, 0.0, 1.0], (6, 1)), np.eye(2), np.repeat([0, 1], 3))
    >>> tab = ordinal_bound(m, tails=(3,), alphas=(0.01,), n=1000, nodes=64, seed=1)
    >>> tab["kind"].tolist()
    ['random_uniform', 'random_marginal', 'partial_uniform']
    >>> bool(tab["power"].between(0.05, 1).all())
    True
    """
    k, c = model.n_items, model.categories
    ts = _tails(tails, k)
    rng_ll, rng_marg, rng_h, rng_u, rng_m, rng_p, rng_s, rng_c = (np.random.default_rng(s)
                                                                  for s in np.random.SeedSequence(seed).spawn(8))
    xs = model.draw(100_000, rng_marg)
    marg = np.stack([(xs == v).mean(axis=0) for v in range(c)], axis=1)        # items x categories
    del xs
    with np.errstate(divide="ignore"):
        log_marg = np.log(marg)
    honest = {"model": model.draw(n, rng_h)}
    for name, xh in (calibrate or {}).items():
        honest[name] = _codes(model, xh)
    xu = rng_u.integers(0, c, size=(n, k))
    cum = np.cumsum(marg, axis=1)
    xm = np.minimum((rng_m.random((n, k))[:, :, None] > cum[None, :, :-1]).sum(2), c - 1)
    xp0 = model.draw(n, rng_p)
    tail_codes = rng_p.integers(0, c, size=(n, k))
    cols = np.arange(k)
    every = np.ones(k, dtype=bool)
    ll = _integrator(model, nodes, rng_ll, n_fit=min(20_000, max(5_000, 4 * n))).loglik

    def marginal(x):
        return log_marg[cols, x].sum(1)

    # careless statistics, then every honest sample's
    full_u, ess_u = ll(xu, every)
    full_m, ess_m = ll(xm, every)
    careless = {("random_uniform", k): (-k * np.log(c) - full_u, ess_u),
                ("random_marginal", k): (marginal(xm) - full_m, ess_m)}
    if shares is not None:
        shares = np.asarray(shares, dtype=float)
        if shares.shape != (k, c) or not np.allclose(shares.sum(1), 1) or (shares < 0).any():
            raise ValueError(f"shares must be {k} items x {c} categories of shares summing to 1")
        with np.errstate(divide="ignore"):
            log_s = np.log(shares)
        xs = np.minimum((rng_s.random((n, k))[:, :, None] > np.cumsum(shares, 1)[None, :, :-1]).sum(2), c - 1)
        full_s, ess_s = ll(xs, every)
        careless[("random_shares", k)] = (log_s[cols, xs].sum(1) - full_s, ess_s)
    others = {}
    for name, other in (careless_models or {}).items():
        if other.n_items != k or other.categories != c:
            raise ValueError(f"careless model {name!r} must have {k} items of {c} categories")
        others[name] = _integrator(other, nodes, rng_c, n_fit=min(20_000, max(5_000, 4 * n))).loglik
        xo = other.draw(n, rng_c)
        (own, e1), (full_o, e2) = others[name](xo, every), ll(xo, every)
        careless[(name, k)] = (own - full_o, np.concatenate([e1, e2]))
    for t in ts:
        head = cols < k - t
        xp = np.where(head[None], xp0, tail_codes)
        (head_p, e1), (full_p, e2) = ll(xp, head), ll(xp, every)
        careless[("partial_uniform", t)] = (head_p - t * np.log(c) - full_p, np.concatenate([e1, e2]))
    rows = []
    for name, xh in honest.items():
        full_h, ess_h = ll(xh, every)
        stats = {("random_uniform", k): (-k * np.log(c) - full_h, ess_h),
                 ("random_marginal", k): (marginal(xh) - full_h, ess_h)}
        if shares is not None:
            stats[("random_shares", k)] = (log_s[cols, xh].sum(1) - full_h, ess_h)
        for other, other_ll in others.items():
            own, e1 = other_ll(xh, every)
            stats[(other, k)] = (own - full_h, np.concatenate([ess_h, e1]))
        for t in ts:
            head_h, e1 = ll(xh, cols < k - t)
            stats[("partial_uniform", t)] = (head_h - t * np.log(c) - full_h, np.concatenate([ess_h, e1]))
        for (kind, t), (car, e_car) in careless.items():
            hon, e_hon = stats[(kind, t)]
            e = np.concatenate([e_hon, e_car])
            rows += _powers(kind, t, hon, car, alphas, honest=name, ess_median=float(np.median(e)),
                            ess_min=float(e.min()))
    return pd.DataFrame(rows)


# -- real respondents: a Gaussian copula approximation ---------------------------------------------
@_one_blas_thread
def copula_bound(pool: np.ndarray, categories: int, tails: Iterable[int] = (13, 8, 4),
                 alphas: Sequence[float] = ALPHAS, n_careless: int = 20_000, seed: int = 0) -> pd.DataFrame:
    """An APPROXIMATE Neyman-Pearson bound for real honest respondents, for whom no true model exists.

    ``pool``: the honest respondents' codes (respondents x items, 0-based).  Their model is
    approximated by the Gaussian copula the cleaning fits (:func:`~iur_survey.clean.indices.answer_model`:
    each item's shares p_j, 1e-4 added to each, and the correlation R of the mid-point normal
    scores z), log f(x) = sum_j log p_j(x_j) - 0.5 log|R| - 0.5 z'(R⁻¹ - I)z, a head of items
    by the head's block of R (:func:`~iur_survey.clean.indices.copula_item_loglik`, summed
    over the head's items).  The honest
    distribution of the likelihood ratio is that of the pool's own rows (real people, with
    their styles, in-sample: R is fitted to the same rows); careless draws are made as
    ``tests/clean/real_generator.py`` makes them (``random_uniform``, ``random_marginal``
    from the pool's shares, ``partial_uniform``: a pool row's head and uniform codes on the
    last ``tail`` items), ``n_careless`` of each.  Not an oracle: a better model of the
    people could do better or worse.  Columns as :func:`gaussian_bound`'s.

    >>> rng = np.random.default_rng(2)
    >>> pool = np.clip(np.round(1.5 + rng.standard_normal((1500, 1)) + 0.6 * rng.standard_normal((1500, 6))), 0, 3)
    >>> tab = copula_bound(pool.astype(int), 4, tails=(3,), alphas=(0.01,), n_careless=2000, seed=1)
    >>> tab["kind"].tolist(), bool(tab["power"].between(0.05, 1).all())
    (['random_uniform', 'random_marginal', 'partial_uniform'], True)
    """
    pool = np.asarray(pool)
    if pool.ndim != 2 or not np.isfinite(pool).all() or (pool < 0).any() or (pool >= categories).any() \
            or not np.all(pool == np.round(pool)):
        raise ValueError(f"pool must be respondents x items of the codes 0 .. {categories - 1}, no missing answers")
    pool = pool.astype(np.int64)
    n, k = pool.shape
    ts = _tails(tails, k)
    tau, r = answer_model(pool, categories)
    shares = np.diff(ndtr(tau), axis=1)                     # items x categories
    cols = np.arange(k)
    log_p = np.log(shares)

    def loglik(x: np.ndarray) -> np.ndarray:
        """Cumulative log-likelihood of the first h items, h = 0 .. k (rows x k + 1)."""
        ll = copula_item_loglik(x, tau, r)[0]
        return np.concatenate([np.zeros((len(x), 1)), np.cumsum(ll, axis=1)], axis=1)

    ss = np.random.SeedSequence(seed).spawn(3)
    rng_u, rng_m, rng_p = (np.random.default_rng(s) for s in ss)
    xu = rng_u.integers(0, categories, size=(n_careless, k))
    cum = np.cumsum(shares, axis=1)
    xm = np.minimum((rng_m.random((n_careless, k))[:, :, None] > cum[None, :, :-1]).sum(2), categories - 1)
    pool_ll = loglik(pool)
    full_h = pool_ll[:, k]
    with np.errstate(invalid="ignore"):
        rows = _powers("random_uniform", k, -k * np.log(categories) - full_h,
                       -k * np.log(categories) - loglik(xu)[:, k], alphas)
        rows += _powers("random_marginal", k, log_p[cols, pool].sum(1) - full_h,
                        log_p[cols, xm].sum(1) - loglik(xm)[:, k], alphas)
        xp0 = pool[rng_p.integers(0, n, size=n_careless)]
        tail_codes = rng_p.integers(0, categories, size=(n_careless, k))
        for t in ts:
            h = k - t
            xp = np.concatenate([xp0[:, :h], tail_codes[:, h:]], axis=1)
            xp_ll = loglik(xp)
            hon = pool_ll[:, h] - t * np.log(categories) - full_h
            car = xp_ll[:, h] - t * np.log(categories) - xp_ll[:, k]
            rows += _powers("partial_uniform", t, hon, car, alphas)
    return pd.DataFrame(rows)
