"""Robust ML (MLR) and the scaled / robust fit measures, exactly as lavaan 0.6.14 computes them.

lavaan 0.6.14 defaults (``lavInspect(fit, "options")``, and lav_options.R of 0.6.14):

* ``estimator = "MLR"`` -> ``se = "robust.huber.white"``, ``test = "yuan.bentler.mplus"`` (lav_options.R 663-700),
  ``information = c("observed", "observed")`` (lav_options.R 1393-1427: observed whenever
  ``se == "robust.huber.white"`` or ``missing == "ml"``), ``observed.information = c("hessian", "hessian")``
  (lines 1458-1492: with the single test ``yuan.bentler.mplus`` the second element is "hessian"),
  ``h1.information = c("structured", "structured")`` (line 135), ``information.meat = "first.order"`` and
  ``h1.information.meat = "structured"`` (lines 1450-1520).  ``meanstructure`` stays FALSE for complete data.
* ``missing = "ml"`` with ``estimator = "ML"``: ``se = "standard"``, ``test = "standard"``, observed (Hessian)
  information; fitMeasures nevertheless reports ``cfi.robust`` / ``rmsea.robust`` ... from the FIML-corrected
  statistics (lav_fit_utils.R ``lav_fit_fiml_corrected``, version "V6"; "V3" when a scaled test exists).

The pieces (lavaan source file of each):

* :func:`sandwich_vcov` -- lav_model_vcov.R ``lav_model_nvcov_robust_sandwich``: ``A^-1 B0 A^-1 / N`` where
  ``A`` is the unit observed information (numerical Hessian of the objective, see
  :func:`iur_survey.sem.fiml.observed_information_theta`) and ``B0 = Delta' B1 Delta`` the first-order information
  with B1 from casewise scores at the *model-implied* moments (for complete data without mean structure, at the
  sample mean).
* :func:`yuan_bentler_mplus` -- lav_test_yuan_bentler.R: ``c = (tr(A1^-1 B1) - tr(E^-1 B0)) / df`` with A1, B1
  the *unstructured* (saturated) observed and first-order information.
* :func:`lav_fit_cfi` ... :func:`rmsea_ci` -- lav_fit_cfi.R and lav_fit_rmsea.R (with the ``c.hat`` robust
  variants of Brosseau-Liard & Savalei).
* :func:`fiml_corrected` -- lav_fit_utils.R ``lav_fit_fiml_corrected`` (Zhang & Savalei's FIML-corrected
  chi-square and scaling factor, versions V3 and V6).
* :func:`robust_measures` puts everything together for the model side: give it the data, the implied moments,
  Delta, the observed information, chisq and df; it returns the robust vcov, the scaled test, and every
  ``*.scaled`` / ``*.robust`` / ``baseline.*`` fit measure lavaan's ``fitMeasures()`` reports.

Every matrix these statistics invert goes through :func:`checked_inverse`: where R's ``solve()`` fails (lavaan's
own failure points: NA robust CFI/RMSEA with "computation of robust CFI failed.", or an error in the scaled
test) or the matrix is numerically singular (its traces would be rounding noise), the measures built on it are
NA and the result's ``warnings`` say what failed; a scaling factor that is not positive is never used.

>>> import numpy as np
>>> round(lav_fit_cfi(85.3, 24, 918.9, 36), 6)
0.93057
>>> round(lav_fit_rmsea(85.3, 24, 301), 6)
0.092117
"""

from __future__ import annotations

import math

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from . import fitmeasures as _fm
from .datacheck import CANNOT_INVERT, information_inverse
from .fitmeasures import chisq_pvalue
from .fiml import (
    SampleStats,
    _as_stats,
    baseline_moments_x,
    casewise_scores,
    em_saturated,
    fiml_loglik,
    independence_fiml,
    information_expected,
    information_first_order,
    information_observed,
    vech_indices,
)
from .table import lazy_series_property, raw_field

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "sandwich_vcov",
    "h1_information",
    "structured_first_order",
    "first_order_theta",
    "ScaledTest",
    "yuan_bentler_mplus",
    "baseline_delta",
    "lav_fit_cfi",
    "lav_fit_tli",
    "lav_fit_rni",
    "lav_fit_rfi",
    "lav_fit_nfi",
    "lav_fit_pnfi",
    "lav_fit_ifi",
    "lav_fit_rmsea",
    "rmsea_ci",
    "rmsea_closefit_pvalue",
    "rmsea_notclosefit_pvalue",
    "complete_ml_chisq",
    "FIMLCorrected",
    "fiml_corrected",
    "RobustResult",
    "robust_measures",
]


# ---------------------------------------------------------------------------------------------------------------
# standard errors
# ---------------------------------------------------------------------------------------------------------------

def sandwich_vcov(A: np.ndarray, B0: np.ndarray, N: int, *, A_inv: np.ndarray | None = None) -> np.ndarray:
    """lavaan's ``se = "robust.huber.white"``: ``A^-1 B0 A^-1 / N`` (unit informations A and B0 on theta).

    >>> A = np.array([[2.0, 0.0], [0.0, 4.0]]); B = np.array([[1.0, 0.0], [0.0, 4.0]])
    >>> sandwich_vcov(A, B, 100).tolist()
    [[0.0025, 0.0], [0.0, 0.0025]]
    """
    Ei = np.linalg.inv(A) if A_inv is None else A_inv
    V = Ei @ B0 @ Ei / N
    return 0.5 * (V + V.T)


def h1_information(data, *, meanstructure: bool = True, h1: tuple[np.ndarray, np.ndarray] | None = None
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Unit "unstructured" (saturated) information matrices ``(A1, B1)`` on m, as lavaan's YB-Mplus test uses.

    Complete data: ``A1 = bdiag(S^-1, 0.5 D'(S^-1 (x) S^-1) D)`` (observed = expected at the saturated
    estimates) and ``B1`` the first-order information at ``(ybar, S)``.  Missing data: ``A1 = -H(m)/N`` and B1 the
    first-order information, both at the EM estimates ``h1 = (Sigma_em, mu_em)`` (computed when not given).

    >>> X = np.array([[0.0, 1.0], [1.0, 2.0], [2.0, 4.0], [3.0, 3.0]])
    >>> A1, B1 = h1_information(X, meanstructure=False)
    >>> A1.shape, B1.shape
    ((3, 3), (3, 3))
    """
    stats = _as_stats(data)
    if stats.complete:
        S, m = stats.cov, stats.mean
        A1 = information_expected(None, S, meanstructure=meanstructure)
        B1 = information_first_order(stats, S, m, meanstructure=meanstructure)
        return A1, B1
    if h1 is None:
        S, m, _, _ = em_saturated(stats)
    else:
        S, m = h1
    A1 = information_observed(stats, S, m)
    B1 = information_first_order(stats, S, m)
    return A1, B1


def structured_first_order(data, Sigma: np.ndarray, mu: np.ndarray | None, *, meanstructure: bool = True
                           ) -> np.ndarray:
    """The "structured" B1 of lavaan's MLR sandwich: first-order information at the model-implied moments.

    Without a mean structure (complete data) lavaan uses the sample mean, and so does this function when
    ``mu`` is None or ``meanstructure`` is False.

    >>> X = np.array([[0.0, 1.0], [1.0, 2.0], [2.0, 4.0], [3.0, 3.0]])
    >>> structured_first_order(X, np.eye(2), None, meanstructure=False).shape
    (3, 3)
    """
    stats = _as_stats(data)
    if not meanstructure or mu is None:
        if not stats.complete:
            raise ValueError("incomplete data need a mean structure (FIML)")
        return information_first_order(stats, Sigma, stats.mean, meanstructure=False)
    return information_first_order(stats, Sigma, mu, meanstructure=True)


def first_order_theta(data, Sigma: np.ndarray, mu: np.ndarray | None, Delta: np.ndarray, *,
                      meanstructure: bool = True) -> np.ndarray:
    """``B0 = Delta' B1 Delta`` with B1 the structured first-order information (lavaan's MLR meat), computed as
    ``crossprod(scores @ Delta) / N``.

    >>> X = np.array([[0.0, 1.0], [1.0, 2.0], [2.0, 4.0], [3.0, 3.0]])
    >>> D = np.eye(5)[:, :2]
    >>> bool(np.allclose(first_order_theta(X, np.eye(2), np.zeros(2), D),
    ...                  D.T @ structured_first_order(X, np.eye(2), np.zeros(2)) @ D))
    True
    """
    stats = _as_stats(data)
    if not meanstructure or mu is None:
        if not stats.complete:
            raise ValueError("incomplete data need a mean structure (FIML)")
        sc = casewise_scores(stats, Sigma, stats.mean, meanstructure=False)
    else:
        sc = casewise_scores(stats, Sigma, mu, meanstructure=True)
    T = sc @ np.asarray(Delta, dtype=float)
    return T.T @ T / stats.n


def _baseline_observed_information(stats: SampleStats, Sb: np.ndarray, mb: np.ndarray, *,
                                   meanstructure: bool = True) -> np.ndarray:
    """Unit observed information of the independence model on its parameters (means, then variances).

    Per variable j with n_j observed values: ``d2/dmu2 = -n_j/s``, ``d2/dmu ds = -sum(y - mu)/s^2``,
    ``d2/ds2 = n_j/(2 s^2) - sum((y - mu)^2)/s^3`` (s = variance); the model is linear in its parameters, so this
    is exactly lavaan's numerical Hessian of the baseline objective.
    """
    Y = stats.X[stats.rows]
    obs = ~np.isnan(Y)
    s = np.diag(Sb)
    m = np.asarray(mb if (meanstructure and mb is not None) else np.nanmean(Y, axis=0), dtype=float)
    E = np.where(obs, Y - m, 0.0)
    nj = obs.sum(axis=0)
    h_mm = -nj / s
    h_ms = -E.sum(axis=0) / s ** 2
    h_ss = nj / (2 * s ** 2) - (E ** 2).sum(axis=0) / s ** 3
    p = stats.p
    if not meanstructure:
        return np.diag(-h_ss) / stats.n
    H = np.zeros((2 * p, 2 * p))
    i = np.arange(p)
    H[i, i] = h_mm
    H[p + i, p + i] = h_ss
    H[i, p + i] = H[p + i, i] = h_ms
    return -H / stats.n


def fixed_x_elements(p: int, x_idx, *, meanstructure: bool = True) -> np.ndarray:
    """Positions in ``[mu; vech(Sigma)]`` that belong to the fixed x's alone (lavaan's ``!eliminate.pstar.idx``):
    the x means and the (co)variances among the x's.

    >>> fixed_x_elements(3, [2]).tolist()
    [2, 8]
    """
    x = np.asarray(x_idx, dtype=int)
    vi, vj = vech_indices(p)
    cov_el = np.flatnonzero(np.isin(vi, x) & np.isin(vj, x))
    if not meanstructure:
        return cov_el
    return np.concatenate([x, p + cov_el])


def _zero_rows_cols(A: np.ndarray, el: np.ndarray) -> np.ndarray:
    A = np.array(A, dtype=float, copy=True)
    A[el, :] = 0.0
    A[:, el] = 0.0
    return A


def gamma_fixed_x(Y: np.ndarray, x_idx, *, meanstructure: bool = True) -> np.ndarray:
    """lavaan's ``lav_samplestats_Gamma(Y, x.idx, fixed.x = TRUE)`` (complete data, not model based): the
    asymptotic covariance of the moments with the x part taken out through the regression of the y's on the x's.

    >>> rng = np.random.default_rng(1)
    >>> gamma_fixed_x(rng.normal(size=(50, 3)), [2]).shape
    (9, 9)
    """
    Y = np.asarray(Y, dtype=float)
    N, p = Y.shape
    x = np.asarray(x_idx, dtype=int)
    y = np.setdiff1d(np.arange(p), x)
    Xd = np.column_stack([np.ones(N), Y[:, x]])
    coef, *_ = np.linalg.lstsq(Xd, Y[:, y], rcond=None)
    YHAT = Y.copy()
    YHAT[:, y] = Xd @ coef
    vi, vj = vech_indices(p)
    Yc = Y - Y.mean(axis=0)
    Hc = YHAT - YHAT.mean(axis=0)
    Z = Yc[:, vi] * Yc[:, vj] - Hc[:, vi] * Hc[:, vj]
    if meanstructure:
        Z = np.column_stack([Y - YHAT, Z])
    Zc = Z - Z.mean(axis=0)
    return Zc.T @ Zc / N


def baseline_delta_x(p: int, x_idx, *, fixed_x: bool = True, meanstructure: bool = True) -> np.ndarray:
    """Delta of lavaan's independence model with observed covariates: free means and variances of the non-x
    variables; the x block (means, variances, covariances) kept at the sample values (``fixed_x``) or free.

    >>> baseline_delta_x(3, [2], fixed_x=True).shape, baseline_delta_x(3, [2], fixed_x=False).shape
    ((9, 4), (9, 6))
    """
    x = np.asarray(x_idx, dtype=int)
    y = np.setdiff1d(np.arange(p), x)
    D = baseline_delta(p, meanstructure=meanstructure)
    keep = np.concatenate([y, p + y]) if meanstructure else y
    D = D[:, keep]
    if fixed_x or not x.size:
        return D
    el = fixed_x_elements(p, x, meanstructure=meanstructure)
    Dx = np.zeros((D.shape[0], el.size))
    Dx[el, np.arange(el.size)] = 1.0
    return np.hstack([D, Dx])


# ---------------------------------------------------------------------------------------------------------------
# Yuan-Bentler (Mplus variant) scaled test
# ---------------------------------------------------------------------------------------------------------------

@dataclass
class ScaledTest:
    """A scaled test statistic (lavaan's ``lavInspect(fit, "test")$yuan.bentler.mplus``)."""

    stat: float
    df: float
    pvalue: float
    scaling_factor: float
    trace_UGamma: float
    trace_h1: float
    trace_h0: float
    scaling_factor_h1: float
    scaling_factor_h0: float
    test: str = "yuan.bentler.mplus"


#: an inverse that the robust statistics need is refused (NA, with a warning) where its rounding error can exceed
#: this: the condition number (1-norm) of the matrix scaled to a unit diagonal, times the machine epsilon.  On
#: the data lavaan agrees with the conditions stay below 1e4; where they reach 1e12 - 1e14, a relative change of
#: 1e-14 in one matrix moves the trace of the scaled test by 2 % (measured: lavaan's own A1 and B1 inverted by
#: R's solve() and by numpy give traces 47.20 and 45.66), and lavaan's chisq.scaled is rounding noise there.
ROUNDING_TOL = 1e-6
#: lavaan's warning when the information matrix cannot be inverted for the scaled test (lav_test_yuan_bentler)
CANNOT_INVERT_TEST = "could not invert information matrix needed for robust test statistic"


def checked_inverse(M: np.ndarray, what: str = "the matrix") -> tuple[np.ndarray | None, str]:
    """The inverse of a matrix the robust statistics need, with zero-diagonal (fixed-x) rows and columns masked
    (zero in the inverse, as lavaan), or ``(None, why)`` where it is not to be trusted:

    * R's ``solve()`` fails (:func:`iur_survey.sem.datacheck.information_inverse`: lavaan's own failure point,
      "system is computationally singular"), or the matrix has a non-finite entry;
    * it is numerically singular: the condition number of the matrix scaled to a unit diagonal, times the
      machine epsilon, exceeds :data:`ROUNDING_TOL` (the traces built on the inverse are then rounding noise).

    >>> inv, why = checked_inverse(np.diag([2.0, 0.0, 4.0]))
    >>> inv.diagonal().tolist(), why
    ([0.5, 0.0, 0.25], '')
    >>> checked_inverse(np.array([[1.0, 1.0], [1.0, 1.0 + 1e-12]]), "A1")[1]
    'A1 is numerically singular (condition number 4.0e+12)'
    """
    A = np.asarray(M, dtype=float)
    n = A.shape[0]
    keep = np.flatnonzero(np.diag(A) != 0) if n else np.zeros(0, int)
    out = np.zeros_like(A)
    if not keep.size:
        return out, ""
    a = A[np.ix_(keep, keep)]
    if not np.all(np.isfinite(a)):
        return None, f"{what} has non-finite entries"
    inv = information_inverse(a)
    if inv is None:
        return None, f"{what} cannot be inverted (R's solve(): system is computationally singular)"
    d = 1.0 / np.sqrt(np.abs(np.diag(a)))
    scaled_inv = inv / d[:, None] / d[None, :]
    cond = float(np.abs(a * d[:, None] * d[None, :]).sum(axis=0).max() * np.abs(scaled_inv).sum(axis=0).max())
    if not cond * np.finfo(float).eps <= ROUNDING_TOL:
        return None, f"{what} is numerically singular (condition number {cond:.1e})"
    out[np.ix_(keep, keep)] = inv
    return out, ""


def _inv_masked(A1: np.ndarray) -> tuple[np.ndarray, int]:
    """Inverse of A1 with zero-diagonal (fixed-x) rows/columns masked, as lavaan; and the number of kept rows.
    A matrix :func:`checked_inverse` refuses gives an inverse of NaN."""
    A1 = np.asarray(A1, dtype=float)
    inv, _ = checked_inverse(A1)
    return (np.full_like(A1, np.nan) if inv is None else inv), int(np.sum(np.diag(A1) != 0))


def _scaled_test(chisq: float, df: float, trace_h1: float, trace_h0: float, ndat: int, npar: int
                 ) -> ScaledTest:
    trace = trace_h1 - trace_h0
    c = trace / df if df > 0 else float("nan")
    if not c > 0 or not np.isfinite(c):     # lavaan: NA when negative; zero or non-finite is no scaling either
        c = float("nan")
    # df = 0: lavaan's scaled test is the standard one (stat = chisq) with scaling.factor NA (lav_test_yuan_bentler)
    stat = chisq / c if np.isfinite(c) else chisq if df == 0 else float("nan")
    return ScaledTest(stat=stat, df=df, pvalue=chisq_pvalue(stat, df), scaling_factor=c,
                      trace_UGamma=trace, trace_h1=trace_h1, trace_h0=trace_h0,
                      scaling_factor_h1=trace_h1 / ndat, scaling_factor_h0=trace_h0 / npar)


def yuan_bentler_mplus(chisq: float, df: int, *, A1, B1, B0: np.ndarray, E_inv: np.ndarray,
                       A1_inv=None, npar: int | None = None) -> ScaledTest:
    """lavaan's ``test = "yuan.bentler.mplus"`` (lav_test_yuan_bentler.R, ``lav_test_yuan_bentler_mplus_trace``).

    ``A1``, ``B1``: unstructured unit information on m (:func:`h1_information`), one matrix or one per group;
    ``B0``: first-order unit information on theta (``sum_g f_g Delta_g' B1_g,structured Delta_g``); ``E_inv``:
    inverse of the unit information used for the SEs (observed/Hessian for MLR).
    ``trace.UGamma = sum_g tr(A1_g^-1 B1_g) - tr(E_inv B0)``, scaling factor ``c = trace.UGamma / df``,
    ``stat = chisq / c``, df unchanged.  ``npar`` only sets the denominator of ``scaling.factor.h0`` (lavaan
    divides by ``nx.free``, the free parameters *before* equality constraints; default: the columns of B0).

    >>> I = np.eye(3)
    >>> t = yuan_bentler_mplus(10.0, 2, A1=I, B1=2 * I, B0=np.eye(1), E_inv=np.eye(1))
    >>> t.scaling_factor, t.stat
    (2.5, 4.0)
    """
    A1s = A1 if isinstance(A1, (list, tuple)) else [A1]
    B1s = B1 if isinstance(B1, (list, tuple)) else [B1]
    if A1_inv is None:
        invs = [_inv_masked(a) for a in A1s]
    else:
        A1_invs = A1_inv if isinstance(A1_inv, (list, tuple)) else [A1_inv]
        invs = [(ai, int(np.sum(np.diag(a) != 0))) for ai, a in zip(A1_invs, A1s)]
    trace_h1 = float(sum(np.sum(b * ai.T) for b, (ai, _) in zip(B1s, invs)))
    ndat = int(sum(nd for _, nd in invs))
    trace_h0 = float(np.sum(B0 * np.asarray(E_inv).T))
    return _scaled_test(chisq, df, trace_h1, trace_h0, ndat, B0.shape[0] if npar is None else npar)


# ---------------------------------------------------------------------------------------------------------------
# lav_fit_cfi.R / lav_fit_rmsea.R
# ---------------------------------------------------------------------------------------------------------------

# The formulas live in fitmeasures.py (one implementation of lavaan's lav_fit_cfi.R / lav_fit_rmsea.R);
# this module keeps lavaan's function names for them.
lav_fit_cfi = _fm.cfi
lav_fit_tli = _fm.tli
lav_fit_rni = _fm.rni
lav_fit_rfi = _fm.rfi
lav_fit_nfi = _fm.nfi
lav_fit_pnfi = _fm.pnfi
lav_fit_ifi = _fm.ifi
lav_fit_rmsea = _fm.rmsea
#: the incremental indices by lavaan name (nnfi is tli)
_INCREMENTAL = {"cfi": _fm.cfi, "tli": _fm.tli, "nnfi": _fm.tli, "rfi": _fm.rfi, "nfi": _fm.nfi,
                "pnfi": _fm.pnfi, "ifi": _fm.ifi, "rni": _fm.rni}
rmsea_ci = _fm.rmsea_ci
rmsea_closefit_pvalue = _fm.rmsea_close_pvalue
rmsea_notclosefit_pvalue = _fm.rmsea_notclose_pvalue


# ---------------------------------------------------------------------------------------------------------------
# baseline model and the FIML-corrected statistics
# ---------------------------------------------------------------------------------------------------------------

def baseline_delta(p: int, *, meanstructure: bool = True) -> np.ndarray:
    """Delta of the independence model (free means when ``meanstructure``, then the p variances).

    >>> baseline_delta(2, meanstructure=False).tolist()
    [[1.0, 0.0], [0.0, 0.0], [0.0, 1.0]]
    """
    vi, vj = vech_indices(p)
    pstar = vi.size
    diag_pos = np.flatnonzero(vi == vj)
    if meanstructure:
        D = np.zeros((p + pstar, 2 * p))
        D[np.arange(p), np.arange(p)] = 1.0
        D[p + diag_pos, p + np.arange(p)] = 1.0
    else:
        D = np.zeros((pstar, p))
        D[diag_pos, np.arange(p)] = 1.0
    return D


def complete_ml_chisq(Sigma: np.ndarray, mu: np.ndarray | None, S: np.ndarray, ybar: np.ndarray | None,
                      N: int) -> float:
    """Complete-data ML chi-square ``N * F_ML`` of the moments (Sigma, mu) against sample moments (S, ybar).

    ``F_ML = log|Sigma| + tr(S Sigma^-1) - log|S| - p + (ybar - mu)' Sigma^-1 (ybar - mu)`` (mean term only when
    both means are given).

    >>> complete_ml_chisq(np.eye(2), None, np.eye(2), None, 100)
    0.0
    """
    p = S.shape[0]
    L = np.linalg.cholesky(Sigma)
    Si = np.linalg.inv(Sigma)
    F = 2 * np.sum(np.log(np.diag(L))) + np.sum(S * Si) - np.linalg.slogdet(S)[1] - p
    if mu is not None and ybar is not None:
        d = np.asarray(ybar) - np.asarray(mu)
        F += float(d @ Si @ d)
    return float(N * F)


@dataclass
class FIMLCorrected:
    """lavaan's ``lav_fit_fiml_corrected`` output (names as in lavaan)."""

    XX3: float
    df3: float
    c_hat3: float
    XX3_scaled: float
    XX3_null: float
    df3_null: float
    c_hat3_null: float
    version: str
    #: why the model's part (``c_hat3`` ...) could not be computed ('' when it was); then every field is NA
    failed: str = ""
    #: why the baseline's part (``XX3_null``, ``c_hat3_null``) could not be computed ('' when it was)
    failed_null: str = ""


def _listify(x, G: int) -> list:
    if x is None:
        return [None] * G
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _block_delta(blocks: list[np.ndarray]) -> list[np.ndarray]:
    """Per-group Deltas of a model whose parameters are separate per group (the baseline): zero-padded."""
    ncol = sum(b.shape[1] for b in blocks)
    out, c = [], 0
    for b in blocks:
        D = np.zeros((b.shape[0], ncol))
        D[:, c:c + b.shape[1]] = b
        out.append(D)
        c += b.shape[1]
    return out


def fiml_corrected(data, *, Sigma, mu, Delta, df: int, version: str = "V3", h1=None, baseline=None,
                   A1=None, B1=None, A1_inv=None, x_idx=None, fixed_x: bool = True,
                   information: str = "observed") -> FIMLCorrected:
    """FIML-corrected chi-square and scaling factors of lavaan (Zhang & Savalei 2020; lav_fit_utils.R).

    ``XX3`` is the complete-data ML chi-square of the fitted moments against the EM (saturated) moments;
    ``c_hat3 = k / df`` with ``U = Wm - Wm Delta (Delta' Wm Delta)^-1 Delta' Wm`` and
    V6: ``k = tr(Wc Wm^-1 U Wm^-1)``, V3: ``k = tr(U Wm^-1 Wc Wm^-1 U Gamma)``, ``Gamma = Wm^-1 Jm Wm^-1``,
    where ``Wm`` is the observed FIML information of the saturated model at the EM estimates (= ``A1`` of
    :func:`h1_information`), ``Jm`` its first-order information (``B1``) and ``Wc`` the complete-data information
    at the EM moments.  The same for the independence model (``*_null``).  lavaan uses V3 when a scaled test
    (MLR) is present, V6 otherwise (plain ML with ``missing = "ml"``).

    Several groups: pass lists (one entry per group, each Delta with all the model's columns); the group blocks
    are weighted by ``f_g = n_g / N`` as in lavaan.  The traces are expanded so that only products with the
    (thin) Delta are formed per model: V6 ``k = sum_g tr(Wc_g Wm_g^-1) - tr(E D'Wc D)``, V3
    ``k = sum_g tr(Wc_g Gamma_g) - 2 tr(E D'Wc Wm^-1 Jm D) + tr(E D'Wc D E D'Jm D)`` with ``E = (D'Wm D)^-1``
    and every ``D'X D = sum_g f_g D_g' X_g D_g`` (using ``Wm Gamma Wm = Jm``).

    Observed covariates ``x_idx`` (column positions per group): the baseline keeps their block at the sample
    values (``fixed_x``) or free; with ``fixed_x`` their moments are taken out of ``Wm`` and ``Jm`` (zero
    rows/columns, inverted on the rest) as lavaan does, and out of ``Wc`` always (lavaan's refit on the EM
    moments uses its default fixed.x = TRUE).

    ``information = "expected"`` (the model fitted with lavaan's ``information = "expected"``): lavaan's
    ``E`` is then the inverted *expected* information ``(sum_g f_g D_g' We_g D_g)^-1`` with ``We`` the FIML
    expected information at the EM moments (lavaan's unstructured h1), for the model and for the baseline;
    ``Wm`` stays the observed one.
    """
    version = version.upper()
    if version not in ("V3", "V6"):
        raise ValueError("version must be 'V3' or 'V6'")
    if not isinstance(data, (list, tuple)):
        data, Sigma, mu, Delta, h1, baseline = [data], [Sigma], [mu], [Delta], [h1], [baseline]
        A1, B1, A1_inv = [A1], [B1], [A1_inv]
    stats = [_as_stats(d) for d in data]
    G = len(stats)
    for g, st in enumerate(stats):
        never = st.never_together()
        if never:
            # the saturated model's likelihood does not depend on the covariance of such a pair: its information
            # Wm has a zero row and column, and what an inverse of it gives is arbitrary (lavaan 0.6.14 still
            # prints figures, which change with the EM's stopping point): NA here, and said
            i, j = never[0]
            names = (f"{st.columns[i]!r} and {st.columns[j]!r}" if st.columns is not None
                     else f"observed variables {i + 1} and {j + 1}")
            return _fiml_failed(version, f"{names}{f' (group {g + 1})' if G > 1 else ''} are never observed "
                                         "together (0% coverage), so the saturated model's information (Wm) "
                                         "is singular")
    Sigmas, mus, Deltas = _listify(Sigma, G), _listify(mu, G), _listify(Delta, G)
    h1s, bases = _listify(h1, G), _listify(baseline, G)
    A1s, B1s, A1invs = _listify(A1, G), _listify(B1, G), _listify(A1_inv, G)
    xs = _x_list(x_idx, G)
    nobs = np.array([st.n for st in stats], dtype=float)
    N = float(nobs.sum())
    fg = nobs / N
    parts = []
    tr0 = 0.0
    XX3 = XX3_null = 0.0
    base_blocks = []
    df_null = 0
    em_moments = []
    for g, st in enumerate(stats):
        if h1s[g] is None:
            S_em, m_em, _, _ = em_saturated(st)
        else:
            S_em, m_em = h1s[g]
        em_moments.append((S_em, m_em))
        Wm, Jm = A1s[g], B1s[g]
        if version == "V3" and (Wm is None or Jm is None):
            Wm, Jm = h1_information(st, h1=(S_em, m_em))
        elif Wm is None:
            Wm = information_observed(st, S_em, m_em)
        Wc = information_expected(None, S_em, meanstructure=True)
        el = fixed_x_elements(st.p, xs[g]) if xs[g].size else np.zeros(0, int)
        if el.size:
            # lavaan refits the model on the EM moments with its default fixed.x = TRUE (fit.tilde), so Wc loses
            # the x moments even when the model has fixed.x = FALSE; Wm and Jm only with fixed.x
            Wc = _zero_rows_cols(Wc, el)
            if fixed_x:
                Wm, Jm = (None if M is None else _zero_rows_cols(M, el) for M in (Wm, Jm))
            else:
                el = np.zeros(0, int)
        Wmi = A1invs[g]
        if Wmi is None:
            Wmi, why = checked_inverse(Wm, "the observed information of the saturated model (Wm)"
                                       + (f" of group {g + 1}" if G > 1 else ""))
            if Wmi is None:
                # lavaan 0.6.14 inverts Wm by eigen-decomposition (lav_matrix_symmetric_inverse), which never
                # fails: it prints robust CFI/RMSEA built on this inverse, rounding noise (audit s29: a group of
                # 38 cases for 28 items under FIML, Wm with eigenvalues -1.3e15 ... 3.4e8, lavaan's cfi.robust .986)
                hint = (" (often a group with barely more cases than observed variables: consider --merge-groups)"
                        if G > 1 else "")
                return _fiml_failed(version, why + "; lavaan 0.6.14 inverts it by eigen-decomposition regardless and "
                                          "prints figures here that are rounding noise" + hint)
        T = Wc @ Wmi                                     # Wc Wm^-1
        if version == "V3":
            TJ = T @ Jm                                  # Wc Wm^-1 Jm
            tr0 += float(np.sum(TJ * Wmi.T))             # tr(Wc Gamma)
        else:
            TJ = None
            tr0 += float(np.trace(T))                    # tr(Wc Wm^-1)
        parts.append((fg[g], Wm, Wc, Jm, TJ))
        XX3 += complete_ml_chisq(Sigmas[g], mus[g], S_em, m_em, st.n)
        if bases[g] is None:
            Sb, mb, _ = independence_fiml(st)
            if xs[g].size:
                Sb, mb = baseline_moments_x(st, Sb, mb, xs[g])
        else:
            Sb, mb = bases[g]
        XX3_null += complete_ml_chisq(Sb, mb, S_em, m_em, st.n)
        base_blocks.append(baseline_delta_x(st.p, xs[g], fixed_x=fixed_x, meanstructure=True))
        df_null += _baseline_df(st.p, xs[g].size, True)

    def k_value(Ds: list[np.ndarray], E=None) -> float:
        DWcD = sum(f * D.T @ Wc @ D for (f, _, Wc, _, _), D in zip(parts, Ds))
        if version == "V6":
            return tr0 - float(np.sum(E * DWcD.T))
        DTJD = sum(f * D.T @ TJ @ D for (f, _, _, _, TJ), D in zip(parts, Ds))
        DJD = sum(f * D.T @ Jm @ D for (f, _, _, Jm, _), D in zip(parts, Ds))
        return tr0 - 2.0 * float(np.sum(E * DTJD.T)) + float(np.trace(E @ DWcD @ E @ DJD))

    def information_inv(Dlist, what):
        """lavaan's ``lavTech(., "inverted.information")`` of the model (its solve() not wrapped in try:
        lav_fit_fiml_corrected fails there): observed ``sum_g f_g D' Wm D``, or the expected one.

        Inverted on a unit diagonal and scaled back: the traces of k_value do not change with the scale of a
        column of Delta, and a parameter whose moments move only at second order at the estimate (an equal
        method loading at its bound 0: its column of Delta is 2 m times a fixed one) leaves a diagonal entry of
        order m^2.  lavaan stops at m = -1.5e-6 and its solve() passes; an optimizer that goes on to m = 1e-12
        would fail it, on the same limit (robust CFI .986 either way on the demo's method-factor CFA)."""
        if information == "expected":
            W = sum(f * D.T @ We_g @ D for f, We_g, D in zip(fg, We, Dlist))
        else:
            W = sum(f * D.T @ Wm @ D for (f, Wm, _, _, _), D in zip(parts, Dlist))
        d = np.sqrt(np.abs(np.diag(W)))
        d[~(d > 0)] = 1.0
        inv, why = checked_inverse(W / d[:, None] / d[None, :], what)
        return (None, why) if inv is None else (inv / d[:, None] / d[None, :], "")

    Ds = [np.asarray(D, dtype=float) for D in Deltas]
    DBs = _block_delta(base_blocks)
    if information == "expected":
        We = [information_expected(st, *em_moments[g], meanstructure=True) for g, st in enumerate(stats)]
    E_model, why = information_inv(Ds, f"the {information} information of the model on the EM moments")
    if E_model is None:
        return _fiml_failed(version, why)
    # df = 0: lavaan divides k (round-off, never exactly 0) by 0: c.hat3 = Inf, XX3.scaled = 0, so cfi.robust = 1
    # and rmsea.robust = 0 with its interval 0, 0 (as catml_robust of WLSMV); df < 0: no c.hat3
    c3 = k_value(Ds, E_model) / df if df > 0 else math.inf if df == 0 else math.nan
    if df > 0 and not (np.isfinite(c3) and c3 > 0):
        return _fiml_failed(version, f"its scaling factor c.hat3 = {c3:.4g} is not positive")
    out = FIMLCorrected(XX3=XX3, df3=df, c_hat3=c3, XX3_scaled=XX3 / c3 if df >= 0 else math.nan,
                        XX3_null=XX3_null, df3_null=df_null, c_hat3_null=float("nan"), version=version)
    E_null, why = information_inv(DBs, f"the {information} information of the baseline model on the EM moments")
    if E_null is None:
        if "solve()" in why:                             # lavaan: an error, the whole computation fails
            return _fiml_failed(version, why)
        out.failed_null, out.XX3_null, out.df3_null = why, float("nan"), float("nan")
        return out
    c3_null = k_value(DBs, E_null) / df_null
    if not (np.isfinite(c3_null) and c3_null > 0):
        out.failed_null = f"the baseline model's scaling factor c.hat3.null = {c3_null:.4g} is not positive"
        out.XX3_null = out.df3_null = float("nan")
        return out
    out.c_hat3_null = c3_null
    return out


def _fiml_failed(version: str, why: str) -> FIMLCorrected:
    """lavaan's ``empty.list`` of lav_fit_fiml_corrected (every value NA), with the reason."""
    nan = float("nan")
    return FIMLCorrected(XX3=nan, df3=nan, c_hat3=nan, XX3_scaled=nan, XX3_null=nan, df3_null=nan,
                         c_hat3_null=nan, version=version, failed=why, failed_null=why)


# ---------------------------------------------------------------------------------------------------------------
# everything together
# ---------------------------------------------------------------------------------------------------------------

@dataclass
class RobustResult:
    """What :func:`robust_measures` returns.

    ``vcov``: the robust (sandwich) covariance matrix of the estimates for MLR (or ``robust_se``), else None.
    ``test``: the Yuan-Bentler (Mplus) scaled test for MLR, None for ML.
    ``baseline_test``: the baseline model's scaled test (MLR).  ``fiml``: the FIML-corrected pieces (missing data).
    ``fit``: every scaled / robust / baseline fit measure lavaan's ``fitMeasures()`` reports for this estimator,
    named as lavaan names them.  ``E_inv``, ``B0``: the inverted information and the first-order information on
    theta (unit), for reuse.  ``warnings``: what could not be computed (the measures are then NA), one line each.
    """

    vcov: np.ndarray | None
    test: ScaledTest | None
    baseline_test: ScaledTest | None
    fiml: FIMLCorrected | None
    fit: pd.Series
    E_inv: np.ndarray
    B0: np.ndarray | None
    baseline: dict = field(default_factory=dict)
    #: what could not be computed (NA measures), one line each, for the fit's warnings
    warnings: list[str] = field(default_factory=list)

    @property
    def fit_dict(self) -> dict[str, float]:
        """``fit`` as a dict (lavaan's names), without making the Series."""
        raw = dict(raw_field(self, "fit").items())
        return dict(zip(raw, np.asarray(list(raw.values()), dtype=float).tolist()))   # None -> NaN, as the Series


def _fit_series(res: RobustResult, d: dict):
    import pandas as pd

    return pd.Series(d, dtype=float)


RobustResult.fit = lazy_series_property("fit", _fit_series, "the robust fit measures (lavaan's names) as a Series")


def _x_list(x_idx, G: int) -> list[np.ndarray]:
    if x_idx is None:
        return [np.zeros(0, int)] * G
    if G == 1 and (len(x_idx) == 0 or np.ndim(x_idx[0]) == 0):
        x_idx = [x_idx]
    if len(x_idx) != G:
        raise ValueError("x_idx: one array of covariate positions per group")
    return [np.asarray(x, dtype=int).reshape(-1) for x in x_idx]


def _baseline_df(p: int, px: int, meanstructure: bool) -> int:
    """df of lavaan's independence model with ``px`` observed covariates (their block free or fixed: the same)."""
    return p * (p - 1) // 2 - px * (px - 1) // 2


def _baseline_information_x(st: SampleStats, Sb: np.ndarray, mb: np.ndarray, x_idx, *, fixed_x: bool,
                            meanstructure: bool) -> np.ndarray:
    """Unit observed information of the independence model with covariates, on the columns of
    :func:`baseline_delta_x` (y means, y variances, then the free x block): block diagonal, the y part in closed
    form, the x part the saturated information of the x's."""
    x = np.asarray(x_idx, dtype=int)
    Ib = _baseline_observed_information(st, Sb, mb, meanstructure=meanstructure)
    if not x.size:
        return Ib
    p = st.p
    y = np.setdiff1d(np.arange(p), x)
    keep = np.concatenate([y, p + y]) if meanstructure else y
    Iy = Ib[np.ix_(keep, keep)]
    if fixed_x:
        return Iy
    el = fixed_x_elements(p, x, meanstructure=meanstructure)
    if meanstructure:
        Ifull = information_observed(st, Sb, mb)
    else:
        Ifull = information_expected(None, Sb, meanstructure=False)
    Ix = Ifull[np.ix_(el, el)]
    out = np.zeros((Iy.shape[0] + el.size,) * 2)
    out[:Iy.shape[0], :Iy.shape[0]] = Iy
    out[Iy.shape[0]:, Iy.shape[0]:] = Ix
    return out


def robust_measures(data, *, Sigma, mu, Delta, information: np.ndarray, chisq: float, df: int,
                    estimator: str = "MLR", meanstructure: bool = True, h1=None, baseline=None,
                    ci_level: float = 0.90, close_h0: float = 0.05, notclose_h0: float = 0.08,
                    npar_h0: int | None = None, x_idx=None, fixed_x: bool = True,
                    fiml: bool | None = None, information_type: str = "observed",
                    robust_se: bool | None = None) -> RobustResult:
    """Robust SEs, scaled test and the scaled/robust fit measures of lavaan 0.6.14, for complete data or FIML.

    Parameters
    ----------
    data : SampleStats or array (the data the model was fitted to, NaN = missing); for several groups a list
        with one entry per group, and then ``Sigma``, ``mu``, ``Delta``, ``h1``, ``baseline`` are lists too
    Sigma, mu : model-implied moments at the estimates (``mu`` None without mean structure)
    Delta : ``d m / d theta`` at the estimates (rows ``[mu; vech(Sigma)]``, or ``vech(Sigma)`` only when
        ``meanstructure`` is False); with groups, each group's Delta has a column for every free parameter
    information : the unit information on theta used for the ordinary SEs (Hessian of ``-logl / N``, all groups
        together); lavaan's default for MLR and FIML is the observed one:
        :func:`iur_survey.sem.fiml.observed_information_theta` of the objective's gradient
    chisq, df : the standard test statistic ``2 (logl_h1 - logl)`` and its df
    estimator : "MLR" (sandwich + Yuan-Bentler-Mplus) or "ML" (FIML-corrected robust CFI/RMSEA when data are
        incomplete; nothing but the baseline for complete data)
    h1, baseline : optional precomputed ``(Sigma, mu)`` of the EM saturated model and of the independence model
    npar_h0 : the denominator of ``scaling.factor.h0``: lavaan uses ``nx.free``, the number of free parameters
        *before* equality constraints (e.g. 420 instead of 357 for a 4-group metric model); default: the number
        of columns of Delta.  Nothing else depends on it.
    x_idx, fixed_x : the column positions of the observed covariates (lavaan's ov.x; one array per group) and
        lavaan's ``fixed.x``.  The baseline keeps their block at the sample values (fixed.x) or free (its df
        then counts those parameters); with ``fixed_x`` their own moments leave the unstructured information
        (zero rows/columns, lavaan's ``eliminate.pstar.idx``) and the complete-data ``Gamma`` is lavaan's
        fixed.x one (:func:`gamma_fixed_x`).
    fiml : the model was fitted by FIML (lavaan's ``missing = "ml"``): the robust CFI/RMSEA are then the
        FIML-corrected ones even when no value is missing, as lavaan's; default: whether a value is missing.
    information_type : lavaan's ``information`` of the fit ("observed" or "expected"); with "expected" and
        missing data the unstructured A1 of the Yuan-Bentler trace is the expected FIML information at the EM
        moments, and the FIML-corrected indices use the inverted expected information (as lavaan).
    robust_se : compute the sandwich vcov (lavaan's ``se = "robust.huber.white"``); default: for MLR.  With
        estimator ML it is the only robust piece (lavaan's ``sem(..., se = "robust.huber.white")``).

    Where a matrix these statistics invert is numerically singular (:func:`checked_inverse`), or a scaling
    factor comes out negative or not finite, the measures built on it are NA and ``result.warnings`` says what
    failed (lavaan's "computation of robust CFI failed." / "... robust RMSEA failed." for the FIML-corrected
    indices); a scaling factor that is not positive is never used.

    Returns a :class:`RobustResult`; ``result.fit`` is a Series with lavaan's names, e.g. ``chisq.scaled``,
    ``chisq.scaling.factor``, ``baseline.chisq.scaled``, ``cfi.scaled``, ``cfi.robust``, ``rmsea.robust``,
    ``rmsea.ci.lower.robust`` ... (plus ``baseline.chisq``/``baseline.df`` computed in closed form).
    """
    multi = isinstance(data, (list, tuple))
    if not multi:
        data, Sigma, mu, Delta, h1, baseline = [data], [Sigma], [mu], [Delta], [h1], [baseline]
    stats = [_as_stats(d) for d in data]
    G = len(stats)
    Sigmas, mus = _listify(Sigma, G), _listify(mu, G)
    Deltas = [np.asarray(D, dtype=float) for D in _listify(Delta, G)]
    h1s, bases = _listify(h1, G), _listify(baseline, G)
    xs = _x_list(x_idx, G)
    if len(Sigmas) != G or len(mus) != G or len(Deltas) != G:
        raise ValueError("one Sigma, mu and Delta per group")
    estimator = estimator.upper()
    robust_se = estimator == "MLR" if robust_se is None else bool(robust_se)
    nobs = np.array([st.n for st in stats], dtype=float)
    N = int(nobs.sum())
    fg = nobs / N
    missing = any(not st.complete for st in stats) if fiml is None else bool(fiml)
    if missing and not meanstructure:
        raise ValueError("FIML always has a mean structure")
    notes: list[str] = []
    E_inv = information_inverse(0.5 * (information + information.T))
    if E_inv is None:                   # lavaan: NA SEs and "could not invert information matrix ..." for the test
        E_inv = np.full_like(np.asarray(information, dtype=float), np.nan)
        if estimator == "MLR" or robust_se:
            notes.append(CANNOT_INVERT if robust_se else CANNOT_INVERT_TEST)
            if robust_se and estimator == "MLR":
                notes.append(CANNOT_INVERT_TEST)
    E_inv = 0.5 * (E_inv + E_inv.T)
    # H1 and baseline (independence) models, per group
    H1, BL = [], []
    X2_null = 0.0
    df_null = 0
    for g, st in enumerate(stats):
        if st.complete:
            S_h1, m_h1 = st.cov, st.mean
            logl_h1 = fiml_loglik(st, S_h1, m_h1)
        elif h1s[g] is None:
            S_h1, m_h1, logl_h1, _ = em_saturated(st)
        else:
            S_h1, m_h1 = h1s[g]
            logl_h1 = fiml_loglik(st, S_h1, m_h1)
        if bases[g] is None:
            Sb, mb, logl_b = independence_fiml(st)
            if xs[g].size:
                Sb, mb = baseline_moments_x(st, Sb, mb, xs[g])
                logl_b = fiml_loglik(st, Sb, mb)
        else:
            Sb, mb = bases[g]
            logl_b = fiml_loglik(st, Sb, mb)
        H1.append((S_h1, m_h1))
        BL.append((Sb, mb))
        X2_null += 2.0 * (logl_h1 - logl_b)
        df_null += _baseline_df(st.p, xs[g].size, meanstructure)
    out: dict[str, float] = {}
    bl = {"Sigma": [b[0] for b in BL], "mu": [b[1] for b in BL], "chisq": X2_null, "df": df_null}
    if not multi:
        bl["Sigma"], bl["mu"] = BL[0]

    vcov = test = btest = fiml = None
    B0 = None
    if robust_se:
        B0 = sum(f * first_order_theta(st, Sigmas[g], mus[g], Deltas[g], meanstructure=meanstructure)
                 for g, (f, st) in enumerate(zip(fg, stats)))
        vcov = sandwich_vcov(information, B0, N, A_inv=E_inv)
    if estimator == "MLR":
        A1s, B1s, A1invs = [], [], []
        why_h1 = ""
        for g, st in enumerate(stats):
            A1, B1 = h1_information(st, meanstructure=meanstructure, h1=H1[g])
            if information_type == "expected" and not st.complete:
                A1 = information_expected(st, *H1[g], meanstructure=True)
            el = fixed_x_elements(st.p, xs[g], meanstructure=meanstructure) if (fixed_x and xs[g].size) \
                else np.zeros(0, int)
            if el.size:
                A1 = _zero_rows_cols(A1, el)
                B1 = (A1 @ gamma_fixed_x(st.X[st.rows], xs[g], meanstructure=meanstructure) @ A1
                      if st.complete and not missing else _zero_rows_cols(B1, el))
            Ai, why = checked_inverse(A1, "the unstructured (h1) information A1" + (f" of group {g + 1}" if G > 1
                                                                                     else ""))
            if Ai is None:
                why_h1 = why_h1 or why
            A1s.append(A1)
            B1s.append(B1)
            A1invs.append(None if Ai is None else 0.5 * (Ai + Ai.T))
        if B0 is None:
            B0 = sum(f * first_order_theta(st, Sigmas[g], mus[g], Deltas[g], meanstructure=meanstructure)
                     for g, (f, st) in enumerate(zip(fg, stats)))
        test = yuan_bentler_mplus(chisq, df, A1=A1s, B1=B1s, B0=B0, E_inv=E_inv, npar=npar_h0,
                                  A1_inv=[np.full_like(a, np.nan) if ai is None else ai for a, ai in zip(A1s, A1invs)])
        if why_h1:
            notes.append(f"the scaled test statistic (Yuan-Bentler, Mplus variant) could not be computed: {why_h1} "
                         "(lavaan 0.6.14 stops there: 'system is computationally singular'); chisq.scaled and "
                         "every *.scaled fit measure are NA")
        elif df > 0 and not np.isfinite(test.scaling_factor) and np.all(np.isfinite(E_inv)):
            notes.append(f"the scaled test statistic (Yuan-Bentler, Mplus variant) could not be computed: its "
                         f"scaling factor is {test.trace_UGamma / df:.4g}, not positive (the information matrices "
                         "are numerically unreliable); chisq.scaled and every *.scaled fit measure are NA")
        # baseline model: same H1 pieces, its own (linear, per-group) Delta: its Hessian information is exact
        trace_h0_b = 0.0
        npar_b = 0
        why_b = ""
        for g, st in enumerate(stats):
            Sb, mb = BL[g]
            Db = baseline_delta_x(st.p, xs[g], fixed_x=fixed_x, meanstructure=meanstructure)
            Ib = _baseline_information_x(st, Sb, mb, xs[g], fixed_x=fixed_x, meanstructure=meanstructure)
            B0b = first_order_theta(st, Sb, mb, Db, meanstructure=meanstructure)
            Ibi, why = checked_inverse(Ib, "the information of the baseline model" + (f" of group {g + 1}"
                                                                                     if G > 1 else ""))
            why_b = why_b or why
            # blocks f_g * B0b and f_g * Ib: the weights cancel in tr(B0 E^-1)
            trace_h0_b += float(np.sum(B0b * Ibi.T)) if Ibi is not None else float("nan")
            npar_b += Db.shape[1]
        ndat = int(sum(np.sum(np.diag(a) != 0) for a in A1s))
        btest = _scaled_test(X2_null, df_null, test.trace_h1, trace_h0_b, ndat, npar_b)
        bl["test"] = btest
        if np.isfinite(test.scaling_factor) and not np.isfinite(btest.scaling_factor):
            what = why_b or (f"its scaling factor is {(test.trace_h1 - trace_h0_b) / df_null:.4g}, not positive "
                             "(the information matrices are numerically unreliable)")
            notes.append(f"the baseline model's scaled test statistic could not be computed: {what}; "
                         "baseline.chisq.scaled and the *.scaled incremental indices (cfi.scaled, tli.scaled, ...) "
                         "are NA")
        if missing:
            obs = information_type != "expected"
            fiml = fiml_corrected(stats, Sigma=Sigmas, mu=mus, Delta=Deltas, df=df, version="V3", h1=H1,
                                  baseline=BL, A1=A1s if obs else None, B1=B1s if obs else None,
                                  A1_inv=A1invs if obs else None, x_idx=xs, fixed_x=fixed_x,
                                  information=information_type)
    elif missing:
        fiml = fiml_corrected(stats, Sigma=Sigmas, mu=mus, Delta=Deltas, df=df, version="V6", h1=H1,
                              baseline=BL, x_idx=xs, fixed_x=fixed_x, information=information_type)
    if fiml is not None:
        # lavaan's warnings (lav_fit_cfi_lavobject / lav_fit_rmsea_lavobject), with what failed
        fail = f"the FIML-corrected statistics ({fiml.version}) could not be computed: "
        if fiml.failed_null:
            notes.append(f"computation of robust CFI failed: {fail}{fiml.failed_null}; cfi.robust, tli.robust, "
                         "nnfi.robust and rni.robust are NA")
        if fiml.failed:
            notes.append(f"computation of robust RMSEA failed: {fail}{fiml.failed}; rmsea.robust, its confidence "
                         "interval and p-values are NA")

    out["baseline.chisq"] = X2_null
    out["baseline.df"] = float(df_null)
    out["baseline.pvalue"] = chisq_pvalue(X2_null, df_null)
    if test is not None:
        out["chisq.scaled"] = test.stat
        out["df.scaled"] = float(df)
        out["pvalue.scaled"] = test.pvalue
        out["chisq.scaling.factor"] = test.scaling_factor
        out["baseline.chisq.scaled"] = btest.stat
        out["baseline.df.scaled"] = float(df_null)
        out["baseline.pvalue.scaled"] = btest.pvalue
        out["baseline.chisq.scaling.factor"] = btest.scaling_factor

    # robust ingredients (lav_fit_cfi_lavobject / lav_fit_rmsea_lavobject)
    robust = test is not None or fiml is not None
    if fiml is not None:
        XX3, df3, c3, XX3s = fiml.XX3, fiml.df3, fiml.c_hat3, fiml.XX3_scaled
        XX3n, c3n = fiml.XX3_null, fiml.c_hat3_null
    elif test is not None:
        XX3, df3, c3, XX3s = chisq, df, test.scaling_factor, test.stat
        XX3n, c3n = X2_null, btest.scaling_factor
    X2 = chisq
    # lavaan's order: cfi/tli scaled, robust; then the other indices scaled, robust
    for names in (("cfi", "tli"), ("nnfi", "rfi", "nfi", "pnfi", "ifi", "rni")):
        if test is not None:
            out.update({f"{n}.scaled": _INCREMENTAL[n](test.stat, df, btest.stat, df_null) for n in names})
        if robust:
            out.update({f"{n}.robust": _INCREMENTAL[n](XX3, df, XX3n, df_null, c3, c3n)
                        for n in names if n in ("cfi", "tli", "nnfi", "rni")})
    if test is not None:
        if df > 0:                      # lavaan: no trace.UGamma when df = 0 (its scaled test is the standard one)
            out["scaling.factor.h1"] = test.scaling_factor_h1
            out["scaling.factor.h0"] = test.scaling_factor_h0
        df2 = (test.trace_UGamma if df > 0 and np.isfinite(test.trace_UGamma) and test.trace_UGamma != 0
               else float("nan"))
        out.update(_fm.rmsea_measures(X2, df2, N, G, level=ci_level, close_h0=close_h0, notclose_h0=notclose_h0,
                                      suffix=".scaled"))
    if robust:
        out.update(_fm.rmsea_measures(XX3, df3, N, G, c3, level=ci_level, close_h0=close_h0,
                                      notclose_h0=notclose_h0, X2_test=XX3s, suffix=".robust"))
    return RobustResult(vcov=vcov, test=test, baseline_test=btest, fiml=fiml, fit=dict(out),
                        E_inv=E_inv, B0=B0, baseline=bl, warnings=notes)
