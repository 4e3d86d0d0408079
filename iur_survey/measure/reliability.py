"""Reliability and convergent validity: Cronbach's alpha, composite reliability (omega), AVE.

Definitions follow semTools 0.5-6 (``compRelSEM``, ``AVE``; alpha as ``compRelSEM(tau.eq=TRUE)``), checked
against it in tests/measure/.  The CFA-based statistics take lavaan's ``parameterEstimates`` table (our
engine's ``parameter_estimates()`` or a lavaan reference) plus, optionally, the covariance matrix that forms
the denominator:

* the sample covariance (divisor N, lavaan's ``sampstat``) -> semTools' default ``obs.var=TRUE``;
* nothing -> the model-implied covariance rebuilt from the estimates (``obs.var=FALSE``; CFA models only).
"""

from __future__ import annotations

import warnings as _warnings
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..errors import DataError
from ._common import (Constructs, Measurement, as_cov, construct_map, flag, improper_constructs, item_frame,
                      refuse_constant)

ALPHA_CUTOFF = 0.70
OMEGA_CUTOFF = 0.70
AVE_CUTOFF = 0.50


def _alpha(cov: np.ndarray) -> float:
    k = cov.shape[0]
    return k / (k - 1) * (1.0 - np.trace(cov) / cov.sum())


def _std(cov: np.ndarray) -> np.ndarray:
    sd = np.sqrt(np.diag(cov))
    return cov / np.outer(sd, sd)


def _drop_stats(cov: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per item, as psych::alpha's ``item.stats$r.drop`` and ``alpha.drop``: the correlation of the item with
    the sum of the other items (cov(x_i, Σ_{j≠i} x_j) / sqrt(var x_i · var Σ_{j≠i} x_j)), and alpha (raw and
    standardized) of the other items (NaN when fewer than two are left)."""
    k = cov.shape[0]
    r_drop, a_drop, s_drop = np.full(k, np.nan), np.full(k, np.nan), np.full(k, np.nan)
    for i in range(k):
        keep = np.arange(k) != i
        rest = cov[np.ix_(keep, keep)]
        r_drop[i] = (cov[i].sum() - cov[i, i]) / np.sqrt(cov[i, i] * rest.sum())
        if k > 2:
            a_drop[i], s_drop[i] = _alpha(rest), _alpha(_std(rest))
    return r_drop, a_drop, s_drop


def cronbach_alpha(data: pd.DataFrame, constructs: Constructs, *, items: bool = False) -> pd.DataFrame:
    """Cronbach's alpha of each construct (listwise-complete rows of that construct's items).

    alpha = k/(k-1) * (1 - sum of item variances / variance of the sum score); ``alpha_std`` is the same on
    the item correlation matrix (standardised alpha).  Flag: alpha >= .70.  Equal to psych::alpha on the
    complete rows (``raw_alpha``, ``std.alpha``).

    The items must be scored in one direction: recode reverse-keyed items first (``iur-survey clean`` does so
    from the instrument).  An item that correlates negatively with the sum of the other items of its construct
    gets a warning naming it (psych warns too).  ``items=True`` returns one row per item instead
    (index construct, item): ``r_drop`` (its correlation with the sum of the other items, psych's ``r.drop``)
    and ``alpha_drop`` / ``alpha_std_drop`` (alpha without it, psych's ``alpha.drop``), to find such an item.

    Refused with a one-line :class:`~iur_survey.errors.DataError`: a text cell in an item, an item without
    variance in the complete rows (psych drops it with a warning; it would lower alpha), fewer than two complete
    rows.  A warning when the complete rows are no more than the items (the items' covariance matrix is then
    singular and alpha says little).  A single-item construct: alpha NaN and ``meets_cutoff`` <NA> (not
    computable, never "below .70").

    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> f = rng.standard_normal(500)
    >>> df = pd.DataFrame({f"x{i}": f + rng.standard_normal(500) for i in range(1, 5)})
    >>> res = cronbach_alpha(df, {"F": ["x1", "x2", "x3", "x4"]})
    >>> res.round(3)  # doctest: +NORMALIZE_WHITESPACE
               n_items    n  alpha  alpha_std  cutoff  meets_cutoff
    construct
    F                4  500  0.768      0.768     0.7          True
    >>> cronbach_alpha(df, {"F": ["x1", "x2", "x3", "x4"]}, items=True).round(3)  # doctest: +NORMALIZE_WHITESPACE
                    r_drop  alpha_drop  alpha_std_drop
    construct item
    F         x1     0.587       0.702           0.703
              x2     0.556       0.719           0.719
              x3     0.603       0.694           0.693
              x4     0.528       0.733           0.733
    """
    rows, item_rows = [], []
    for name, its in construct_map(constructs).items():
        x = item_frame(data, its).dropna()
        if len(its) < 2:
            alpha = alpha_std = np.nan
            item_rows.append({"construct": name, "item": its[0], "r_drop": np.nan, "alpha_drop": np.nan,
                              "alpha_std_drop": np.nan})
        else:
            if len(x) < 2:
                raise DataError(None, f"alpha of {name!r}: {len(x)} row(s) answer all its {len(its)} items; "
                                      "alpha needs at least two")
            refuse_constant(x, f"alpha of {name!r}, {len(x)} complete rows")
            tiny = len(x) <= len(its)
            if tiny:
                _warnings.warn(f"alpha of {name!r} rests on {len(x)} complete rows for {len(its)} items: the items' "
                               "covariance matrix is singular and alpha says little", stacklevel=2)
            cov = np.cov(x.to_numpy(), rowvar=False)
            with np.errstate(divide="ignore", invalid="ignore"):
                alpha, alpha_std = _alpha(cov), _alpha(_std(cov))
                r_drop, a_drop, s_drop = _drop_stats(cov)
            neg = [] if tiny else [(i, r) for i, r in zip(its, r_drop) if r < 0]
            if neg:
                _warnings.warn(f"alpha of {name!r}: " + ", ".join(f"{i!r} (r = {r:.2f})" for i, r in neg)
                               + " correlate(s) negatively with the sum of the construct's other items: a reverse-"
                               "keyed item not recoded? (cronbach_alpha(..., items=True) lists r_drop and "
                               "alpha_drop)", stacklevel=2)
            item_rows += [{"construct": name, "item": i, "r_drop": r, "alpha_drop": a, "alpha_std_drop": s}
                          for i, r, a, s in zip(its, r_drop, a_drop, s_drop)]
        rows.append({"construct": name, "n_items": len(its), "n": len(x), "alpha": alpha, "alpha_std": alpha_std})
    if items:
        return pd.DataFrame(item_rows).set_index(["construct", "item"])
    out = pd.DataFrame(rows).set_index("construct")
    out["cutoff"] = ALPHA_CUTOFF
    # a single-item construct has no alpha: <NA> ("not computable"), never False ("below .70")
    out["meets_cutoff"] = flag(out["alpha"], ALPHA_CUTOFF, unknown=bool(out["alpha"].isna().any()))
    return out


def _denominator_cov(m: Measurement, cov: Any) -> pd.DataFrame:
    """semTools' SIGMA: ``cov`` (lavaan's sampstat; for ordered items the polychoric correlations) divided by
    the items' scales, ``cov_ij / (s_i s_j)`` (lavaan's ``~*~`` rows; 1 without one: ML fits are unchanged),
    which puts it on the latent responses' model scale; or, without ``cov``, the model-implied covariance
    (already on that scale: semTools' ``obs.var = FALSE``)."""
    c = as_cov(cov)
    if c is None:
        return m.implied_cov()
    s = m.scales(list(c.index))
    return c / np.outer(s, s) if (s != 1.0).any() else c


def omega_cat(truevar: np.ndarray, denom: np.ndarray, threshold: list[np.ndarray], scales: np.ndarray) -> float:
    """Green & Yang's (2009) categorical omega of ordered items, semTools' ``omegaCat``: the reliability of the
    sum of the observed category codes, from the latent responses' common covariance ``truevar`` (λλ'var(η)),
    the total covariance ``denom`` (used as correlations, ``cov2cor``), each item's thresholds and its scale.
    With ``R = diag(s) truevar diag(s)`` and the standardized thresholds ``t = τ s``, omega is
    Σ_jj' [Σ_cc' Φ2(t_jc, t_j'c'; R_jj') − Σ_c Φ(t_jc) Σ_c' Φ(t_j'c')] over the same with the correlations of
    ``denom`` in Φ2 (Φ2: :func:`~iur_survey.sem.ordinal.bivariate_normal_cdf`).

    >>> # two binary items split at 0, where Φ2(0, 0; r) = 1/4 + asin(r) / 2π: common covariances .5, total
    >>> # correlation .5, so omega = 4 asin(.5) / (2 asin(1) + 2 asin(.5)) = (2π/3) / (4π/3)
    >>> tv = np.array([[0.5, 0.5], [0.5, 0.5]])
    >>> round(omega_cat(tv, np.array([[1.0, 0.5], [0.5, 1.0]]), [np.zeros(1)] * 2, np.ones(2)), 4)
    0.5
    """
    from ..sem.ordinal import bivariate_normal_cdf
    from scipy.special import ndtr

    s = np.asarray(scales, dtype=float)
    R = s[:, None] * np.asarray(truevar, dtype=float) * s[None, :]
    d = np.asarray(denom, dtype=float)
    sd = np.sqrt(np.diag(d))
    d = d / np.outer(sd, sd)
    np.fill_diagonal(d, 1.0)            # as R's cov2cor: exactly 1 (Φ2 near r = 1 is ill-conditioned)
    t = [np.asarray(th, dtype=float) * sj for th, sj in zip(threshold, s)]
    num = den = 0.0
    for j in range(len(t)):
        for jp in range(len(t)):
            a, b = t[j][:, None], t[jp][None, :]
            marg = ndtr(t[j]).sum() * ndtr(t[jp]).sum()
            num += bivariate_normal_cdf(a, b, R[j, jp]).sum() - marg
            den += bivariate_normal_cdf(a, b, d[j, jp]).sum() - marg
    return float(num / den)


#: how the warnings of :func:`composite_reliability` / :func:`ave` on an improper construct begin (a regex, for a
#: caller that blanks those constructs itself and says why in a note)
IMPROPER_WARNING = r"(omega|ave) from an improper solution"
#: how the warning of :func:`composite_reliability` on a factor with both ordered and continuous items begins
MIXED_OMEGA_WARNING = ("omega is not defined for a factor with both ordered and continuous indicators (semTools' "
                       "compRelSEM gives NA)")


def _flag_improper(out: pd.DataFrame, m: Measurement, what: str, cutoff: float) -> pd.DataFrame:
    """Add ``improper`` (why, :func:`~iur_survey.measure.improper_constructs`; "" for a proper construct) and
    ``meets_cutoff`` (<NA> for an improper construct: its value is semTools' number but no verdict), and warn
    once naming them (semTools reports the number of an improper solution without a word)."""
    bad = improper_constructs(m.table)
    why = pd.Series([bad.get(f, "") for f in out.index], index=out.index, dtype=object)
    met = flag(out[what], cutoff, unknown=bool(out[what].isna().any()))     # NaN (AVE of a cross-loading item,
    #                                                                          a mixed factor's omega): <NA>
    hit = why != ""
    if hit.any():
        met = met.astype("boolean").mask(hit)
        _warnings.warn(f"{what} from an improper solution, not interpretable: "
                       + "; ".join(f"{f} ({bad[f]})" for f in out.index[hit]), stacklevel=3)
    out["meets_cutoff"] = met
    out["improper"] = why
    return out


def composite_reliability(estimates: Any, cov: Any = None, *, ord_scale: bool = True,
                          higher: Sequence[str] = ()) -> pd.DataFrame:
    """Composite reliability (omega) of every factor with two or more indicators, semTools' ``compRelSEM``.

    omega_f = (sum_i lambda_if)^2 var(f) / sum of the ``cov`` block of f's indicators, where ``cov`` is the
    sample covariance (semTools' default ``obs.var=TRUE``) or, when omitted, the model-implied covariance, whose
    block sum is (sum lambda)^2 var(f) + sum theta_ii + 2 sum theta_ij (residual covariances) for a
    simple-structure CFA (``obs.var=FALSE``; semTools' ``reliability()`` calls this ``omega``).
    Ordered items (rows ``item | t1`` in the table; ``cov`` then lavaan's sampstat, the polychoric
    correlations, divided by the items' scales as semTools does): with ``ord_scale=True`` (semTools' default)
    a factor of ordered items gets Green & Yang's categorical omega (:func:`omega_cat`, semTools' ``omegaCat``,
    the reliability of the sum of the category codes); with ``ord_scale=False`` the formula above on the
    latent responses' scale.  A factor with both ordered and continuous indicators: NaN and a warning
    (semTools' compRelSEM gives NA).  ``higher``: higher-order factors (``g =~ F1 + F2 + F3``) whose omega is
    wanted too, semTools' ``higher=``: sum(L B Phi B' L') over the sum of the ``cov`` block of the items of
    their first-order factors (L their loadings, B the higher-order loadings, Phi lavaan's ``cov.lv``);
    refused for ordered items (semTools 0.5-6 fails on them).
    Flag: omega >= .70.  Of an improper solution (a negative residual or factor variance, a standardized
    loading beyond +-1: :func:`~iur_survey.measure.improper_constructs`) omega keeps semTools' number, but
    ``improper`` says why, ``meets_cutoff`` is <NA> and a warning names the constructs.  Loadings of opposite
    signs (a reverse-keyed item not recoded) keep semTools' (low) number with a warning naming the minority
    items.

    >>> est = pd.DataFrame({"lhs": ["F", "F", "F", "a", "b", "c", "F"], "op": ["=~"] * 3 + ["~~"] * 4,
    ...                     "rhs": ["a", "b", "c", "a", "b", "c", "F"],
    ...                     "est": [1.0, 0.8, 0.6, 0.5, 0.36, 0.64, 1.0]})
    >>> # omega = (1 + .8 + .6)^2 / ((1 + .8 + .6)^2 + .5 + .36 + .64) = 5.76 / 7.26
    >>> composite_reliability(est).round(4)  # doctest: +NORMALIZE_WHITESPACE
               n_items   omega  cutoff  meets_cutoff improper
    construct
    F                3  0.7934     0.7          True
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as said:       # a Heywood case: 5.76 / 6.42
    ...     warnings.simplefilter("always")
    ...     r = composite_reliability(est.assign(est=[1.0, 0.8, 0.6, 0.5, 0.36, -0.2, 1.0]))
    >>> round(float(r.loc["F", "omega"]), 4), r.loc["F", "meets_cutoff"], r.loc["F", "improper"]
    (0.8972, <NA>, 'negative residual variance of c')
    >>> str(said[0].message)
    'omega from an improper solution, not interpretable: F (negative residual variance of c)'
    """
    m = Measurement(estimates)
    sigma = _denominator_cov(m, cov)
    rows, mixed, kinds = [], [], []
    for f in m.factors:
        ind = m.indicators(f)
        if len(ind) < 2:  # semTools dropSingle
            continue
        lam = m.lam.loc[ind, f].to_numpy()
        if (lam > 0).any() and (lam < 0).any():
            minority = lam < 0 if (lam < 0).sum() <= (lam > 0).sum() else lam > 0
            mixed.append(f"{f} ({', '.join(i for i, b in zip(ind, minority) if b)})")
        cat = [i in m.thresholds for i in ind]
        total = sigma.loc[ind, ind].to_numpy()
        if any(cat) and not all(cat):
            kinds.append(f"{f} ({', '.join(i for i, c in zip(ind, cat) if c)} ordered; "
                         f"{', '.join(i for i, c in zip(ind, cat) if not c)} continuous)")
            value = np.nan
        elif all(cat) and ord_scale:
            value = omega_cat(np.outer(lam, lam) * m.factor_variance(f), total, [m.thresholds[i] for i in ind],
                              m.scales(ind))
        else:
            value = lam.sum() ** 2 * m.factor_variance(f) / total.sum()
        rows.append({"construct": f, "n_items": len(ind), "omega": value})
    for hf in higher:
        rows.append({"construct": hf, **_higher_omega(m, sigma, hf)})
    if kinds:
        _warnings.warn(MIXED_OMEGA_WARNING + ": " + "; ".join(kinds) + "; NaN", stacklevel=2)
    if mixed:
        _warnings.warn("omega of construct(s) whose loadings have opposite signs, " + "; ".join(mixed)
                       + ": omega sums the signed loadings, so it is low whatever the items' reliability; recode "
                         "reverse-keyed items first", stacklevel=2)
    out = pd.DataFrame(rows, columns=["construct", "n_items", "omega"]).set_index("construct")
    out["cutoff"] = OMEGA_CUTOFF
    return _flag_improper(out, m, "omega", OMEGA_CUTOFF)


def _higher_omega(m: Measurement, sigma: pd.DataFrame, hf: str) -> dict[str, Any]:
    """semTools' compRelSEM(higher = hf) of one higher-order factor (see :func:`composite_reliability`)."""
    if hf not in m.factors:
        raise ValueError(f"higher={hf!r}: not a factor of the model")
    B = m.beta()
    lat = [g for g in m.factors if B.loc[g, hf] != 0]
    if not lat:
        raise ValueError(f"higher={hf!r}: no factor loads on it (not a higher-order factor)")
    on = [hf] + lat
    items = [i for i in m.items if (m.lam.loc[i, on] != 0).any()]
    cat = [i for i in items if i in m.thresholds]
    if cat:
        raise ValueError(f"omega of the higher-order factor {hf!r} with ordered items ({', '.join(cat)}): "
                         "semTools 0.5-6's compRelSEM(higher =) fails on them; not computed")
    L = m.lam.loc[items, on].to_numpy()
    b = B.loc[on, on].to_numpy()
    phi = m.cov_lv().loc[on, on].to_numpy()
    common = float((L @ b @ phi @ b.T @ L.T).sum())
    return {"n_items": len(items), "omega": common / float(sigma.loc[items, items].to_numpy().sum())}


#: the same statistic under its other name
omega = composite_reliability


def ave(estimates: Any, cov: Any = None) -> pd.DataFrame:
    """Average variance extracted of every factor with two or more indicators, semTools' ``AVE``.

    ave_f = sum_i lambda_if^2 var(f) / sum_i var(y_i), the variances taken from ``cov`` (lavaan's sampstat:
    semTools' default ``obs.var=TRUE``) or, when omitted, model-implied (``obs.var=FALSE``).  Ordered items:
    the variances of the latent responses, ``cov`` divided by the squared scales as semTools does (1 in
    lavaan's default delta parameterization; in the theta parameterization the model-scale variances).  NaN when an
    indicator of f cross-loads (as semTools).  Flag: ave >= .50 (<NA> when NaN); of an improper construct <NA>, with
    ``improper`` saying why and a warning, as :func:`composite_reliability`.

    The package's one AVE: the book (pipeline step ``measure``), the Fornell-Larcker criterion
    (:func:`~iur_survey.measure.fornell_larcker`) and the tables of ``iur-survey tables``
    (:func:`iur_survey.report.paper.fit_ave`) all take it from here.  It is not the mean squared standardized
    loading (the average of the items' R², every item weighed equally), which differs from semTools' value
    when the items' variances differ.

    >>> est = pd.DataFrame({"lhs": ["F", "F", "F", "a", "b", "c", "F"], "op": ["=~"] * 3 + ["~~"] * 4,
    ...                     "rhs": ["a", "b", "c", "a", "b", "c", "F"],
    ...                     "est": [1.0, 0.8, 0.6, 0.5, 0.36, 0.64, 1.0]})
    >>> # AVE = (1 + .64 + .36) / (1.5 + 1 + 1): implied item variances lambda^2 + theta
    >>> ave(est).round(4)  # doctest: +NORMALIZE_WHITESPACE
               n_items     ave  cutoff  meets_cutoff improper
    construct
    F                3  0.5714     0.5          True
    """
    m = Measurement(estimates)
    sigma = _denominator_cov(m, cov)
    rows = []
    for f in m.factors:
        ind = m.indicators(f)
        if len(ind) < 2:
            continue
        if any(m.cross_loading(i) for i in ind):
            value = np.nan
        else:
            lam = m.lam.loc[ind, f].to_numpy()
            value = (lam**2).sum() * m.factor_variance(f) / np.diag(sigma.loc[ind, ind].to_numpy()).sum()
        rows.append({"construct": f, "n_items": len(ind), "ave": value})
    out = pd.DataFrame(rows, columns=["construct", "n_items", "ave"]).set_index("construct")
    out["cutoff"] = AVE_CUTOFF
    return _flag_improper(out, m, "ave", AVE_CUTOFF)
