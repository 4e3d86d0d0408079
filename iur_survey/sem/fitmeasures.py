"""lavaan's ``fitMeasures()`` for ML: every index, its name and its formula as in lavaan 0.6.14.

Sources (lavaan 0.6.14): lav_fit_measures.R (the list and its order),
lav_fit_cfi.R (cfi tli nnfi rfi nfi pnfi ifi rni; CFI truncated to [0, 1] via
``max(., 0)``, TLI/NNFI *not* truncated), lav_fit_rmsea.R (RMSEA with N, not
N - 1; 90% CI by root finding on the noncentral chi-square; ``rmsea.pvalue``
for H0: RMSEA <= .05 and ``rmsea.notclose.pvalue`` for H0: RMSEA >= .08),
lav_fit_aic.R (aic bic bic2), lav_fit_srmr.R + lav_residuals.R (rmr, srmr =
Bentler's SRMR including the means when there is a mean structure, crmr =
Bollen's, srmr_mplus), lav_fit_gfi.R (gfi agfi pgfi with the structured ML
weight matrix), lav_fit_other.R (cn_05 cn_01 mfi ecvi).

:func:`fit_measures` takes a :class:`FitInputs` and returns a Series in
lavaan's order; robust / scaled measures computed elsewhere are slotted in at
their lavaan positions.

>>> round(cfi(85.3, 24, 918.9, 36), 6), round(tli(85.3, 24, 918.9, 36), 6)   # lavaan: 0.930570 0.895855
(0.93057, 0.895855)
>>> round(rmsea(85.3, 24, 301), 6)                                               # lavaan: 0.092117
0.092117
>>> [round(x, 6) for x in rmsea_ci(85.3, 24, 301)]                              # lavaan: 0.071414 0.113674
[0.071414, 0.113674]
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from scipy import special

from .matrices import vech_indices

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "FitInputs", "fit_measures", "FIT_ORDER", "cfi", "tli", "nnfi", "rfi", "nfi", "pnfi", "ifi", "rni",
    "rmsea", "rmsea_ci", "rmsea_close_pvalue", "rmsea_notclose_pvalue", "rmsea_measures", "srmr_family", "gfi_family",
    "moment_residuals", "residual_rms", "rescale_cov", "rescale_mean",
    "chisq_pvalue", "na_when_df_negative", "DEFINED_WHEN_DF_NEGATIVE",
]

#: lavaan 0.6.14's order of fitMeasures(fit) for ML (with the scaled / robust names where they go)
FIT_ORDER = [
    "npar", "fmin", "chisq", "df", "pvalue",
    "chisq.scaled", "df.scaled", "pvalue.scaled", "chisq.scaling.factor",
    "baseline.chisq", "baseline.df", "baseline.pvalue",
    "baseline.chisq.scaled", "baseline.df.scaled", "baseline.pvalue.scaled", "baseline.chisq.scaling.factor",
    "cfi", "tli", "cfi.scaled", "tli.scaled", "cfi.robust", "tli.robust",
    "nnfi", "rfi", "nfi", "pnfi", "ifi", "rni",
    "nnfi.scaled", "rfi.scaled", "nfi.scaled", "pnfi.scaled", "ifi.scaled", "rni.scaled",
    "nnfi.robust", "rni.robust",
    "logl", "unrestricted.logl", "aic", "bic", "ntotal", "bic2", "scaling.factor.h1", "scaling.factor.h0",
    "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.ci.level", "rmsea.pvalue", "rmsea.close.h0",
    "rmsea.notclose.pvalue", "rmsea.notclose.h0",
    "rmsea.scaled", "rmsea.ci.lower.scaled", "rmsea.ci.upper.scaled", "rmsea.pvalue.scaled",
    "rmsea.notclose.pvalue.scaled",
    "rmsea.robust", "rmsea.ci.lower.robust", "rmsea.ci.upper.robust", "rmsea.pvalue.robust",
    "rmsea.notclose.pvalue.robust",
    "rmr", "rmr_nomean", "srmr", "srmr_bentler", "srmr_bentler_nomean", "crmr", "crmr_nomean",
    "srmr_mplus", "srmr_mplus_nomean",
    "cn_05", "cn_01", "gfi", "agfi", "pgfi", "mfi", "ecvi",
]


def _nan(*xs) -> bool:
    return any(x is None or (isinstance(x, float) and math.isnan(x)) for x in xs)


def _unscaled(c_hat):
    """``None`` means no scaling correction: c_hat = 1 (robust.py's convention)."""
    return 1.0 if c_hat is None else c_hat


def _nan_if_missing(index):
    """The first line of lavaan's two-chi-square indices (rfi nfi pnfi ifi): a missing input gives NA."""
    @functools.wraps(index)
    def checked(X2, df, X2_null, df_null) -> float:
        return math.nan if _nan(X2, df, X2_null, df_null) else index(X2, df, X2_null, df_null)
    return checked


def _noncentralities(X2, df, X2_null, df_null, c_hat, c_hat_null) -> tuple[float, float] | None:
    """``(X2 - c*df, X2_null - c_null*df_null)`` of lavaan's cfi / tli / rni: the robust form (c_hat,
    c_hat_null) only when df > 0 and both differ from 1, else c = 1; None when an input is missing."""
    c_hat, c_hat_null = _unscaled(c_hat), _unscaled(c_hat_null)
    if _nan(X2, df, X2_null, df_null, c_hat, c_hat_null):
        return None
    if df > 0 and c_hat != 1 and c_hat_null != 1:
        return X2 - c_hat * df, X2_null - c_hat_null * df_null
    return X2 - df, X2_null - df_null


def _all_equal0(x: float) -> bool:
    """R's isTRUE(all.equal(x, 0)) for a scalar: |x| < 1.5e-8 (absolute, the target being 0)."""
    return abs(x) < 1.5e-8


# ----------------------------------------------------------------------------- incremental indices
def cfi(X2, df, X2_null, df_null, c_hat: float | None = 1.0, c_hat_null: float | None = 1.0) -> float:
    """lavaan's lav_fit_cfi (the robust form when both c_hat differ from 1).

    >>> cfi(10.0, 12, 500.0, 20)
    1.0
    """
    nc = _noncentralities(X2, df, X2_null, df_null, c_hat, c_hat_null)
    if nc is None:
        return math.nan
    t1, t2 = max(nc[0], 0.0), max(nc[0], nc[1], 0.0)
    if _all_equal0(t1) and _all_equal0(t2):
        return 1.0
    return 1.0 - t1 / t2


def tli(X2, df, X2_null, df_null, c_hat: float | None = 1.0, c_hat_null: float | None = 1.0) -> float:
    """lavaan's lav_fit_tli (= NNFI; not truncated).

    >>> round(tli(10.0, 12, 500.0, 20), 6)      # lavaan 1.006944
    1.006944
    """
    nc = _noncentralities(X2, df, X2_null, df_null, c_hat, c_hat_null)
    if nc is None:
        return math.nan
    t1, t2 = nc[0] * df_null, nc[1] * df
    if df > 0 and abs(t2) > 0:
        return 1.0 - t1 / t2
    if not (math.isfinite(t1) and math.isfinite(t2)):
        return math.nan
    return 1.0


nnfi = tli


@_nan_if_missing
def rfi(X2, df, X2_null, df_null) -> float:
    """lavaan's lav_fit_rfi (Bollen's relative fit index).

    >>> round(rfi(30.0, 12, 500.0, 20), 4)
    0.9
    """
    if df > df_null:
        return math.nan
    if df > 0 and df_null > 0:
        t1 = X2_null / df_null - X2 / df
        t2 = X2_null / df_null
        if not (math.isfinite(t1) and math.isfinite(t2)):
            return math.nan
        if t1 < 0 or t2 < 0:
            return 1.0
        return t1 / t2
    return 1.0


@_nan_if_missing
def nfi(X2, df, X2_null, df_null) -> float:
    """lavaan's lav_fit_nfi (Bentler-Bonett normed fit index).

    >>> nfi(50.0, 12, 500.0, 20)
    0.9
    """
    if df > df_null or abs(X2_null) < 1.5e-8:
        return math.nan
    if df > 0:
        return (X2_null - X2) / X2_null
    return 1.0


@_nan_if_missing
def pnfi(X2, df, X2_null, df_null) -> float:
    """lavaan's lav_fit_pnfi (parsimony NFI).

    >>> pnfi(50.0, 12, 500.0, 20)
    0.54
    """
    if df_null > 0 and X2_null > 0:
        return (df / df_null) * ((X2_null - X2) / X2_null)
    return math.nan


@_nan_if_missing
def ifi(X2, df, X2_null, df_null) -> float:
    """lavaan's lav_fit_ifi (Bollen's incremental fit index).

    >>> round(ifi(50.0, 12, 500.0, 20), 6)      # lavaan 0.9221311
    0.922131
    """
    t1 = X2_null - X2
    t2 = X2_null - df
    if not (math.isfinite(t1) and math.isfinite(t2)):
        return math.nan
    if t2 < 0:
        return 1.0
    if _all_equal0(t2):
        return math.nan
    return t1 / t2


def rni(X2, df, X2_null, df_null, c_hat: float | None = 1.0, c_hat_null: float | None = 1.0) -> float:
    """lavaan's lav_fit_rni (relative noncentrality index; not truncated).

    >>> round(rni(50.0, 12, 500.0, 20), 6)
    0.920833
    """
    nc = _noncentralities(X2, df, X2_null, df_null, c_hat, c_hat_null)
    if nc is None:
        return math.nan
    t1, t2 = nc
    if _all_equal0(t2) or not (math.isfinite(t1) and math.isfinite(t2)):
        return math.nan
    return 1.0 - t1 / t2


def chisq_pvalue(X2, df):
    """Upper-tail chi-square p-value; NaN when df <= 0 or an input is missing, as lavaan (fitMeasures'
    ``pvalue``, the scaled tests, and lavTestLRT's ``Pr(>Chisq)`` for models with the same df).  Scalars
    give a float, arrays an array.

    >>> round(chisq_pvalue(3.84, 1), 3)
    0.05
    >>> chisq_pvalue(np.array([3.3, 3.84]), np.array([0, 1])).round(3).tolist()
    [nan, 0.05]
    """
    x = np.asarray(X2, float)
    d = np.asarray(df, float)
    shape = np.broadcast(x, d).shape
    x, d = np.broadcast_to(x, shape), np.broadcast_to(d, shape)
    out = np.full(shape, np.nan)
    ok = ~np.isnan(x) & ~np.isnan(d) & (d > 0)
    out[ok] = special.chdtrc(d[ok], x[ok])
    return float(out) if out.ndim == 0 else out


# ----------------------------------------------------------------------------- RMSEA
def rmsea(X2, df, N, G: int = 1, c_hat: float = 1.0) -> float:
    """lavaan's lav_fit_rmsea: ``sqrt(max(X2/N/df - c_hat/N, 0)) * sqrt(G)`` when df > 0, else 0 whatever the
    other inputs (its ``ifelse(df > 0, ., 0)``: the robust RMSEA of a saturated MLR fit, whose c_hat is NA, is 0;
    so is the RMSEA at df < 0, whose chi-square is NA); NA when df is.

    >>> rmsea(10.0, 12, 300), rmsea(0.0, 0, 300, c_hat=math.nan), rmsea(math.nan, -2, 300)
    (0.0, 0.0, 0.0)
    """
    if _nan(df):
        return math.nan
    if df > 0:
        if _nan(X2, N, c_hat):
            return math.nan
        return math.sqrt(max((X2 / N) / df - c_hat / N, 0.0)) * math.sqrt(G)
    return 0.0


def _pchisq(x: float, df: float, ncp: float) -> float:
    """The (noncentral) chi-square CDF, clipped to [0, 1] (chndtr's series can overshoot 1 by ~1e-12,
    which made 1 - p a negative rmsea.pvalue where lavaan gives 0).

    >>> _pchisq(500.0, 30, 20.0), _pchisq(0.0, 10, 2.0)      # chndtr alone gives 1.0000000000000033
    (1.0, 0.0)
    """
    p = float(special.chdtr(df, x)) if ncp <= 0 else float(special.chndtr(x, df, ncp))
    return min(max(p, 0.0), 1.0) if p == p else p


def _ncp(X2: float, df: float, p: float, hi: float) -> float:
    """The noncentrality ``lam`` in [0, hi] with ``pchisq(X2, df, lam) = p`` (what lavaan's uniroot finds):
    scipy's inverse of the noncentral chi-square in ``lam`` (``special.chndtrinc``, cdflib), which agrees with a
    Brent root to ~1e-11 relative and keeps scipy.optimize off the fit's import path.  ValueError when there is
    no such root in the interval.

    >>> round(_ncp(300.0, 100, 0.05, 1e4), 6), round(_pchisq(300.0, 100, _ncp(300.0, 100, 0.05, 1e4)), 12)
    (255.878982, 0.05)
    """
    lam = float(special.chndtrinc(X2, df, p))
    if not (math.isfinite(lam) and -1e-12 <= lam <= hi * (1 + 1e-12)):
        raise ValueError(f"no noncentrality in [0, {hi}] gives pchisq({X2}, {df}, lam) = {p}")
    return min(max(lam, 0.0), hi)


def rmsea_ci(X2, df, N, G: int = 1, c_hat: float = 1.0, level: float = 0.90) -> tuple[float, float]:
    """lavaan's lav_fit_rmsea_ci (lower, upper); the roots are found to full precision
    (lavaan's uniroot stops at ~1e-4 on the noncentrality, a difference below 1e-6 in RMSEA).

    >>> [round(x, 6) for x in rmsea_ci(10.0, 12, 300)]    # lavaan 0 0.05042212
    [0.0, 0.050422]
    """
    if _nan(X2, df, N) or not all(map(math.isfinite, (X2, df, N))):
        return math.nan, math.nan
    upper_perc = 1 - (1 - level) / 2
    lower_perc = (1 - level) / 2

    def lower_lambda(lam):
        return _pchisq(X2, df, lam) - upper_perc

    def upper_lambda(lam):
        return _pchisq(X2, df, lam) - lower_perc

    def rmsea_where(p, bound):
        """The RMSEA of the noncentrality in [0, bound] at which pchisq(X2) = p (NaN without a root)."""
        try:
            lam = _ncp(X2, df, p, bound)
        except (ValueError, RuntimeError):
            return math.nan
        return math.sqrt((c_hat * lam) / (N * df)) * (math.sqrt(G) if G > 1 else 1.0)

    lo = 0.0 if df < 1 or lower_lambda(0.0) < 0 else rmsea_where(upper_perc, X2)
    n_rmsea = max(N, X2 * 4)
    hi = (0.0 if df < 1 or upper_lambda(n_rmsea) > 0 or upper_lambda(0.0) < 0
          else rmsea_where(lower_perc, n_rmsea))
    return lo, hi


def rmsea_close_pvalue(X2, df, N, G: int = 1, c_hat: float = 1.0, h0: float = 0.05) -> float:
    """P-value of H0: RMSEA <= h0 (lavaan's rmsea.pvalue).

    >>> round(rmsea_close_pvalue(10.0, 12, 300), 6)      # lavaan 0.948071
    0.948071
    """
    return 1.0 - _rmsea_h0_cdf(X2, df, N, G, c_hat, h0)


def rmsea_notclose_pvalue(X2, df, N, G: int = 1, c_hat: float = 1.0, h0: float = 0.08) -> float:
    """P-value of H0: RMSEA >= h0 (lavaan's rmsea.notclose.pvalue).

    >>> round(rmsea_notclose_pvalue(10.0, 12, 300), 6)   # lavaan 0.001122
    0.001122
    """
    return _rmsea_h0_cdf(X2, df, N, G, c_hat, h0)


def _rmsea_h0_cdf(X2, df, N, G, c_hat, h0) -> float:
    """P(chi-square <= X2) when the population RMSEA is h0 (noncentrality ``N df h0^2 / (c_hat G)``),
    the test of both lavaan p-values; NaN when df <= 0 or an input is missing."""
    if _nan(X2, df, N) or df <= 0:
        return math.nan
    return _pchisq(X2, df, (N * df * 1 / c_hat * h0 ** 2) / G)


def rmsea_measures(X2, df, N, G: int = 1, c_hat: float = 1.0, *, level: float = 0.90, close_h0: float = 0.05,
                   notclose_h0: float = 0.08, X2_test: float | None = None, suffix: str = "") -> dict[str, float]:
    """The RMSEA of ``X2`` with its interval and its two tests on ``X2_test`` (default ``X2``; lavaan's
    robust RMSEA takes its interval and tests from the scaled statistic), named as lavaan names them with
    ``suffix`` (``""``, ``".scaled"``, ``".robust"``).

    >>> m = rmsea_measures(85.3, 24, 301, suffix=".scaled")
    >>> list(m)[3:]
    ['rmsea.pvalue.scaled', 'rmsea.notclose.pvalue.scaled']
    >>> [round(m[k], 6) for k in ("rmsea.scaled", "rmsea.ci.lower.scaled", "rmsea.ci.upper.scaled")]
    [0.092117, 0.071414, 0.113674]
    """
    Xt = X2 if X2_test is None else X2_test
    lo, hi = rmsea_ci(Xt, df, N, G=G, c_hat=c_hat, level=level)
    out = {"rmsea": rmsea(X2, df, N, G=G, c_hat=c_hat), "rmsea.ci.lower": lo, "rmsea.ci.upper": hi,
           "rmsea.pvalue": rmsea_close_pvalue(Xt, df, N, G=G, c_hat=c_hat, h0=close_h0),
           "rmsea.notclose.pvalue": rmsea_notclose_pvalue(Xt, df, N, G=G, c_hat=c_hat, h0=notclose_h0)}
    return {k + suffix: v for k, v in out.items()}


# ----------------------------------------------------------------------------- residual-based
def residual_rms(res: np.ndarray, pstar: float) -> float:
    """The root mean square of residuals, ``sqrt(sum(res^2) / pstar)`` (lavaan's lav_residuals_summary_rms):
    rmr, srmr and crmr here and in :func:`iur_survey.sem.residuals.lav_residuals`.

    >>> residual_rms(np.array([0.3, -0.4, 0.0]), 2)
    0.3535533905932738
    """
    res = np.asarray(res, float)
    return math.sqrt(float(res @ res) / pstar)


def rescale_cov(C: np.ndarray, diag: np.ndarray) -> np.ndarray:
    """lav_residuals_rescale for a covariance matrix: divide by sqrt(d_i d_j), except near-zero cells.

    >>> rescale_cov(np.array([[4.0, 1.0], [1.0, 1.0]]), np.array([4.0, 1.0])).tolist()
    [[1.0, 0.5], [0.5, 1.0]]
    """
    d = np.where(np.isfinite(diag) & (diag >= np.finfo(float).eps), diag, np.nan)
    scale = 1.0 / np.sqrt(np.outer(d, d))
    scale = np.where(np.abs(C) < 1e-5, 1.0, scale)
    return C * scale


def rescale_mean(m: np.ndarray, diag: np.ndarray) -> np.ndarray:
    """lav_residuals_rescale for a mean vector: divide by sqrt(d_i), except near-zero entries.

    >>> rescale_mean(np.array([2.0, 0.0]), np.array([4.0, 9.0])).tolist()
    [1.0, 0.0]
    """
    d = np.where(np.isfinite(diag) & (diag >= np.finfo(float).eps), diag, np.nan)
    scale = 1.0 / np.sqrt(d)
    scale = np.where(np.abs(m) < 1e-5, 1.0, scale)
    return m * scale


def moment_residuals(S: np.ndarray, M: np.ndarray | None, Sigma: np.ndarray, mu: np.ndarray | None,
                     type: str = "raw") -> tuple[np.ndarray, np.ndarray | None]:
    """One group's residual covariance matrix and mean vector, lavaan's ``lav_residuals`` for ``type`` raw,
    cor.bentler (both sides divided by the observed SDs) or cor.bollen (each side by its own SDs; the means by
    the observed SDs); ``M``/``mu`` None: no mean residuals.

    >>> C, m = moment_residuals(np.array([[4.0, 1.0], [1.0, 1.0]]), None, np.eye(2), None, "cor.bollen")
    >>> C.tolist(), m
    ([[0.0, 0.5], [0.5, 0.0]], None)
    """
    if type == "raw":
        return S - Sigma, (None if M is None else M - mu)
    var_obs = np.diag(S)
    var_est = var_obs if type == "cor.bentler" else np.diag(Sigma)
    C = rescale_cov(S, var_obs) - rescale_cov(Sigma, var_est)
    return C, (None if M is None else rescale_mean(M, var_obs) - rescale_mean(mu, var_obs))


def srmr_family(S: np.ndarray, M: np.ndarray, Sigma: np.ndarray, mu: np.ndarray,
                meanstructure: bool) -> dict[str, float]:
    """rmr, srmr (Bentler), crmr (Bollen) with and without means, and srmr_mplus, for one group.

    ``S``, ``M`` are the observed moments (the EM estimates for incomplete data).

    >>> S = np.array([[1.0, 0.5], [0.5, 1.0]])
    >>> out = srmr_family(S, np.zeros(2), np.eye(2), np.zeros(2), False)
    >>> round(out["srmr"], 6), round(out["crmr"], 6)
    (0.288675, 0.5)
    """
    p = S.shape[0]
    r, c = vech_indices(p)
    out: dict[str, float] = {}
    for key, type in (("rmr", "raw"), ("srmr_bentler", "cor.bentler"), ("crmr", "cor.bollen")):
        C, m = moment_residuals(S, M, Sigma, mu, type)
        v = C[r, c]
        drop = p if type == "cor.bollen" else 0          # crmr: the diagonal is not counted
        out[key + "_nomean"] = residual_rms(v, len(v) - drop) if len(v) > drop else math.nan
        out[key] = (residual_rms(np.concatenate([m, v]), p + len(v) - drop) if meanstructure
                    else out[key + "_nomean"])
    var_obs, var_est = np.diag(S), np.diag(Sigma)
    # srmr_mplus
    sd_s, sd_e = np.sqrt(var_obs), np.sqrt(var_est)
    Rc = S / np.outer(sd_s, sd_s) - Sigma / np.outer(sd_e, sd_e)
    low = Rc[np.tril_indices(p, -1)]
    vterm = np.sum(((var_obs - var_est) / var_obs) ** 2)
    e0 = p * (p + 1) / 2
    nomean = math.sqrt((np.sum(low ** 2) + vterm) / e0)
    out["srmr_mplus_nomean"] = nomean
    if meanstructure:
        rm = M / sd_s - mu / sd_e
        out["srmr_mplus"] = math.sqrt((np.sum(low ** 2) + np.sum(rm ** 2) + vterm) / (e0 + p))
    else:
        out["srmr_mplus"] = nomean
    out["srmr"] = out["srmr_bentler"]
    return out


def gfi_family(S: np.ndarray, M: np.ndarray, Sigma: np.ndarray, mu: np.ndarray, meanstructure: bool,
               x_idx: np.ndarray | None = None, wls_v: np.ndarray | None = None) -> tuple[float, int]:
    """(GFI, number of sample statistics) of one group, lavaan's lav_fit_gfi with the ML weight
    matrix (the structured expected information at the implied Sigma, exogenous-x block zeroed).

    >>> S = np.array([[1.0, 0.5], [0.5, 1.0]])
    >>> round(float(gfi_family(S, np.zeros(2), np.eye(2), np.zeros(2), False)[0]), 6)
    0.8
    """
    p = S.shape[0]
    if wls_v is not None:
        # an explicit weight matrix on [mu; vech(Sigma)] (FIML: the missing-data expected information)
        r, c = vech_indices(p)
        obs = np.concatenate([M, S[r, c]]) if meanstructure else S[r, c]
        est = np.concatenate([mu, Sigma[r, c]]) if meanstructure else Sigma[r, c]
        keep = np.ones(len(obs), bool)
        if x_idx is not None and len(x_idx):
            xs = set(int(i) for i in x_idx)
            cov_x = np.array([(int(a) in xs and int(b) in xs) for a, b in zip(r, c)])
            keep = np.concatenate([[int(i) not in xs for i in range(p)], ~cov_x]) if meanstructure else ~cov_x
        Vw = np.where(np.outer(keep, keep), wls_v, 0.0)
        dd = obs - est
        return float(1.0 - (dd @ Vw @ dd) / (obs @ Vw @ obs)), len(obs)
    Si = np.linalg.inv(Sigma)
    E = S - Sigma
    S0 = S.copy()
    m0 = M.copy()
    d = M - mu
    if x_idx is not None and len(x_idx):
        ix = np.ix_(x_idx, x_idx)
        E = E.copy()
        E[ix] = 0.0
        S0[ix] = 0.0
        m0[x_idx] = 0.0
        d = d.copy()
        d[x_idx] = 0.0
    SiE = Si @ E
    SiS = Si @ S0
    t1 = 0.5 * np.sum(SiE * SiE.T)
    t2 = 0.5 * np.sum(SiS * SiS.T)
    nel = p * (p + 1) // 2
    if meanstructure:
        t1 += float(d @ Si @ d)
        t2 += float(m0 @ Si @ m0)
        nel += p
    return float(1.0 - t1 / t2), nel


# ----------------------------------------------------------------------------- df < 0
#: the measures lavaan 0.6.14 still reports when df < 0 (its test statistic is then NA: lav_model_test): the
#: count, logl and information criteria, the RMSEA (0: lav_fit_rmsea's ``ifelse(df > 0, ., 0)``) with its settings,
#: the residual-based measures and GFI / AGFI / PGFI; everything computed from a chi-square is NA (the baseline
#: block included: lav_fit_cfi_lavobject returns NA for all of it when X2 is not finite; cn_05 / cn_01 NaN,
#: mfi, ecvi, wrmr NA).  With a scaled test (MLR, WLSMV) lavaan's fitMeasures() stops with an error there: no
#: scaled or robust value either.
DEFINED_WHEN_DF_NEGATIVE = frozenset({
    "npar", "fmin", "df", "df.scaled", "logl", "unrestricted.logl", "aic", "bic", "ntotal", "bic2",
    "rmsea", "rmsea.ci.level", "rmsea.close.h0", "rmsea.notclose.h0",
    "rmr", "rmr_nomean", "srmr", "srmr_bentler", "srmr_bentler_nomean", "crmr", "crmr_nomean",
    "srmr_mplus", "srmr_mplus_nomean", "gfi", "agfi", "pgfi"})


def na_when_df_negative(fit):
    """``fit`` (a dict or Series of fit measures) with lavaan's NA for every measure it does not define when the
    model has negative degrees of freedom (see :data:`DEFINED_WHEN_DF_NEGATIVE`); unchanged when df >= 0.

    >>> out = na_when_df_negative({"npar": 5.0, "chisq": 0.0, "df": -2.0, "cfi": 0.93, "rmsea": 0.0})
    >>> out
    {'npar': 5.0, 'chisq': nan, 'df': -2.0, 'cfi': nan, 'rmsea': 0.0}
    """
    df = fit.get("df") if hasattr(fit, "get") else None
    if df is None or _nan(float(df)) or float(df) >= 0:
        return fit
    if isinstance(fit, dict):
        return {k: (v if k in DEFINED_WHEN_DF_NEGATIVE else math.nan) for k, v in fit.items()}
    out = fit.copy()
    out[[k for k in out.index if k not in DEFINED_WHEN_DF_NEGATIVE]] = math.nan
    return out


# ----------------------------------------------------------------------------- the whole set
@dataclass
class FitInputs:
    """What :func:`fit_measures` needs, per fit (lists are per group)."""

    chisq: float
    df: int
    npar: int
    ntotal: int
    nobs: list[int]
    fmin: float
    baseline_chisq: float
    baseline_df: int
    logl: float
    unrestricted_logl: float
    S: list[np.ndarray]                  # observed (or EM) covariance
    M: list[np.ndarray]                  # observed (or EM) means
    Sigma: list[np.ndarray]              # implied
    mu: list[np.ndarray]                 # implied (sample means when no mean structure)
    meanstructure: bool
    x_idx: list[np.ndarray] = field(default_factory=list)
    extra: dict[str, float] = field(default_factory=dict)   # scaled / robust measures (lavaan names)
    wls_v: list[np.ndarray] | None = None     # GFI weight per group when not the complete-data one (FIML)
    wls_obs: list[tuple[np.ndarray, np.ndarray]] | None = None   # GFI's (S, M) when not S, M (FIML)


def fit_measures(fi: FitInputs, *, ci_level: float = 0.90, close_h0: float = 0.05,
                 notclose_h0: float = 0.08) -> pd.Series:
    """lavaan's ``fitMeasures(fit)`` (all of them, lavaan's order) as a Series."""
    import pandas as pd

    return pd.Series(fit_measures_dict(fi, ci_level=ci_level, close_h0=close_h0, notclose_h0=notclose_h0),
                     dtype=float)


def fit_measures_dict(fi: FitInputs, *, ci_level: float = 0.90, close_h0: float = 0.05,
                      notclose_h0: float = 0.08) -> dict[str, float]:
    """:func:`fit_measures` as a dict (lavaan's names in lavaan's order; no pandas on a plain fit's path)."""
    X2, df, N, G = fi.chisq, fi.df, fi.ntotal, len(fi.nobs)
    X2n, dfn = fi.baseline_chisq, fi.baseline_df
    v: dict[str, float] = {
        "npar": fi.npar, "fmin": fi.fmin, "chisq": X2, "df": df, "pvalue": chisq_pvalue(X2, df),
        "baseline.chisq": X2n, "baseline.df": dfn, "baseline.pvalue": chisq_pvalue(X2n, dfn),
        "cfi": cfi(X2, df, X2n, dfn), "tli": tli(X2, df, X2n, dfn), "nnfi": nnfi(X2, df, X2n, dfn),
        "rfi": rfi(X2, df, X2n, dfn), "nfi": nfi(X2, df, X2n, dfn), "pnfi": pnfi(X2, df, X2n, dfn),
        "ifi": ifi(X2, df, X2n, dfn), "rni": rni(X2, df, X2n, dfn),
        "logl": fi.logl, "unrestricted.logl": fi.unrestricted_logl,
        "aic": -2 * fi.logl + 2 * fi.npar, "bic": -2 * fi.logl + fi.npar * math.log(N), "ntotal": N,
        "bic2": -2 * fi.logl + fi.npar * math.log((N + 2) / 24),
        **rmsea_measures(X2, df, N, G, level=ci_level, close_h0=close_h0, notclose_h0=notclose_h0),
        "rmsea.ci.level": ci_level, "rmsea.close.h0": close_h0, "rmsea.notclose.h0": notclose_h0,
    }
    w = np.asarray(fi.nobs, float) / N
    fam = [srmr_family(fi.S[g], fi.M[g], fi.Sigma[g], fi.mu[g], fi.meanstructure) for g in range(G)]
    for key in ("rmr", "rmr_nomean", "srmr", "srmr_bentler", "srmr_bentler_nomean", "crmr", "crmr_nomean",
                "srmr_mplus", "srmr_mplus_nomean"):
        v[key] = float(sum(w[g] * fam[g][key] for g in range(G)))
    gfis, nel = [], 0
    for g in range(G):
        xg = fi.x_idx[g] if fi.x_idx else None
        So, Mo = fi.wls_obs[g] if fi.wls_obs else (fi.S[g], fi.M[g])
        gv, ng = gfi_family(So, Mo, fi.Sigma[g], fi.mu[g], fi.meanstructure, xg,
                            fi.wls_v[g] if fi.wls_v else None)
        gfis.append(gv)
        nel += ng
    gfi = float(np.dot(w, gfis)) if G > 1 else gfis[0]
    v["cn_05"] = (math.nan if (df == 0 and X2 < np.finfo(float).eps)
                  else float(special.chdtri(df, 0.05)) / (X2 / N) + 1 if X2 > 0 else math.inf)
    v["cn_01"] = (math.nan if (df == 0 and X2 < np.finfo(float).eps)
                  else float(special.chdtri(df, 0.01)) / (X2 / N) + 1 if X2 > 0 else math.inf)
    v["gfi"] = gfi
    v["agfi"] = (1 - (nel / df) * (1 - gfi)) if df > 0 else 1.0
    v["pgfi"] = (df / nel) * gfi if nel else math.nan
    v["mfi"] = math.exp(-0.5 * (X2 - df) / N)
    v["ecvi"] = X2 / N + (2 * fi.npar) / N
    v.update(fi.extra)
    return na_when_df_negative({k: float(v[k]) for k in FIT_ORDER if k in v})
