"""WLSMV for ordinal items: DWLS estimation, robust SEs, mean-and-variance adjusted test, fit measures.

lavaan's ``sem(model, data, ordered = TRUE, estimator = "WLSMV")`` is
``estimator = "DWLS"``, ``se = "robust.sem"``, ``test = "scaled.shifted"``
with the sample statistics of :mod:`iur_survey.sem.ordinal` (thresholds and
polychoric correlations ``s``, their asymptotic covariance ``Gamma`` and the
diagonal weights ``w = 1 / diag(Gamma)``).  This module holds the pieces, each
exactly as lavaan 0.6.14 computes it:

* the statistics of the model (:func:`wls_moments`, :func:`wls_delta`): in the
  delta parameterization (lavaan's default) the implied thresholds are the
  threshold parameters and the implied polychoric correlations are the
  off-diagonal elements of the model-implied covariance matrix of ``y*``
  (residual variances of ordinal items are not free: they are
  ``1 - diag(Lambda Phi Lambda')``, so ``diag(Sigma*) = 1``).  ``Delta`` is
  ``[d thresholds / d theta; d vech_offdiag(Sigma) / d theta]``, i.e. the
  off-diagonal rows of the continuous model's ``Delta`` plus an identity block
  for the thresholds;
* the fit function (:func:`dwls_fmin`): lavaan's ``fmin =
  0.5 (N-1)/N sum w (s - sigma(theta))^2``, chi-square ``2 N fmin``;
* :func:`fit_dwls`: a Levenberg-Marquardt / Gauss-Newton minimiser taking
  ``moments_fn(theta)`` and ``delta_fn(theta)`` (the model side supplies them);
* :func:`robust_vcov`: lavaan's ``robust.sem`` sandwich
  ``(D'WD)^-1 D'W Gamma W D (D'WD)^-1 / (N - 1)``;
* :func:`scaled_shifted_test`: the mean-and-variance adjusted ("simple
  second-order", Asparouhov & Muthen 2010) test lavaan calls
  ``scaled.shifted``: ``T = a T_dwls + b`` with ``a = sqrt(df / tr((U Gamma)^2))``,
  ``b = df - a tr(U Gamma)``, ``U = W - W D (D'WD)^-1 D'W``; ``scaling.factor = 1/a``;
* :func:`baseline_test`: the independence model (free thresholds,
  zero correlations) with its own scaled-shifted test;
* :func:`catml_robust`: lavaan 0.6.14's ``cfi.robust`` / ``tli.robust`` /
  ``rmsea.robust`` for categorical data (Savalei 2021, lavaan's
  ``lav_fit_catml_dwls``): the normal-theory ML discrepancy of the polychoric
  matrix at the DWLS solution, rescaled by ``c = tr(U' V U Gamma) / df``;
* :func:`wlsmv_fit_measures`: every measure lavaan's ``fitMeasures()`` reports
  for a WLSMV fit, with lavaan's names and order.

Only one group is handled (lavaan's multi-group ordinal models add ``~*~``
scaling parameters that this module does not model).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd
from scipy import stats

from iur_survey.errors import EstimationError
from .fitmeasures import chisq_pvalue as _chisq_pvalue
from .results import z_critical, z_pvalue

from . import fitmeasures as _fm
from .ordinal import OrdinalSampleStats, blas_threads, pair_index

__all__ = [
    "offdiag_vech_index",
    "wls_moments",
    "wls_delta",
    "dwls_fmin",
    "DWLSFit",
    "fit_dwls",
    "dwls_information",
    "robust_vcov",
    "scaled_shifted_test",
    "baseline_test",
    "catml_robust",
    "residual_summary",
    "wlsmv_fit_measures",
    "WLSMV_FIT_NAMES",
    "WLSMVResult",
    "wlsmv_fit",
    "wlsmv_from_model",
]


# ---------------------------------------------------------------------------
# the model's statistics in the delta parameterization
# ---------------------------------------------------------------------------

def offdiag_vech_index(p: int) -> np.ndarray:
    """Positions, within lavaan's vech (diagonal included), of the off-diagonal elements.

    Taking these rows of a ``d vech(Sigma) / d theta`` matrix gives the rows of
    the polychoric correlations in lavaan's order (vech without diagonal).

    >>> offdiag_vech_index(3).tolist()      # vech = (11, 21, 31, 22, 32, 33)
    [1, 2, 4]
    """
    cols, rows = np.triu_indices(p)          # lavaan vech: column-major lower triangle
    return np.flatnonzero(rows != cols)


def wls_moments(th: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """Implied WLS statistics ``[thresholds; vech_offdiag(Sigma*)]`` (delta parameterization).

    >>> wls_moments(np.array([-1.0, 0.5]), np.array([[1, .3, .2], [.3, 1, .1], [.2, .1, 1]])).tolist()
    [-1.0, 0.5, 0.3, 0.2, 0.1]
    """
    ii, jj = pair_index(sigma.shape[0])
    return np.concatenate([np.asarray(th, float), sigma[ii, jj]])


def wls_delta(delta_vech: np.ndarray, p: int, th_cols: np.ndarray) -> np.ndarray:
    """``Delta`` of the WLS statistics from the continuous model's ``d vech(Sigma) / d theta``.

    ``delta_vech``: (p(p+1)/2) x npar (contract convention, no mean rows),
    zero in the threshold columns; ``th_cols``: for each threshold (in the
    order of the sample thresholds) the column of ``theta`` that is its
    parameter.  Rows: thresholds, then the correlations.

    >>> D = np.arange(6 * 3, dtype=float).reshape(6, 3); D[:, 2] = 0
    >>> wls_delta(D, 3, np.array([2])).tolist()
    [[0.0, 0.0, 1.0], [3.0, 4.0, 0.0], [6.0, 7.0, 0.0], [12.0, 13.0, 0.0]]
    """
    th_cols = np.asarray(th_cols, dtype=int)
    npar = delta_vech.shape[1]
    top = np.zeros((th_cols.size, npar))
    np.add.at(top, (np.arange(th_cols.size), th_cols), 1.0)
    return np.vstack([top, delta_vech[offdiag_vech_index(p)]])


def dwls_fmin(wls_obs: np.ndarray, wls_est: np.ndarray, wls_vd: np.ndarray, n: int) -> float:
    """lavaan's DWLS objective ``0.5 (N-1)/N sum w (s - sigma)^2`` (``fmin``; chisq = 2 N fmin).

    >>> round(dwls_fmin(np.array([1.0, 0.5]), np.array([0.8, 0.5]), np.array([2.0, 1.0]), 101), 10)
    0.0396039604
    """
    d = np.asarray(wls_obs) - np.asarray(wls_est)
    return float(0.5 * (n - 1) / n * np.sum(wls_vd * d * d))


# ---------------------------------------------------------------------------
# estimation
# ---------------------------------------------------------------------------

@dataclass
class DWLSFit:
    """Result of :func:`fit_dwls`."""

    theta: np.ndarray
    fmin: float
    converged: bool
    iterations: int
    gradient_max: float
    message: str = ""
    warnings: list[str] = field(default_factory=list)


def fit_dwls(moments_fn: Callable[[np.ndarray], np.ndarray],
             delta_fn: Callable[[np.ndarray], np.ndarray],
             theta0: np.ndarray, wls_obs: np.ndarray, wls_vd: np.ndarray, n: int, *,
             max_iter: int = 500, gtol: float = 1e-9) -> DWLSFit:
    """Minimise the DWLS discrepancy by Levenberg-Marquardt (Gauss-Newton near the optimum).

    ``moments_fn(theta)`` returns the implied WLS statistics (thresholds then
    correlations, :func:`wls_moments`), ``delta_fn(theta)`` their Jacobian
    (:func:`wls_delta`).  Convergence: the largest absolute gradient of
    ``fmin`` below ``gtol`` (lavaan stops nlminb at a relative change of 1e-10
    in ``fmin``, which leaves its estimates within about 1e-6 of this optimum).
    A non-finite implied statistic (e.g. a singular ``I - B``) counts as a
    failed step.

    >>> # toy: one threshold tau and one correlation r = l^2 (two items with equal loadings l)
    >>> s = np.array([0.3, 0.49]); w = np.array([50.0, 80.0])
    >>> mom = lambda t: np.array([t[0], t[1] ** 2])
    >>> dlt = lambda t: np.array([[1.0, 0.0], [0.0, 2 * t[1]]])
    >>> fit = fit_dwls(mom, dlt, np.array([0.0, 0.5]), s, w, 300)
    >>> fit.converged, round(fit.fmin, 12), fit.theta.round(6).tolist()
    (True, 0.0, [0.3, 0.7])
    """
    theta = np.asarray(theta0, dtype=float).copy()
    sw = np.sqrt(wls_vd)

    def resid(t):
        try:
            m = moments_fn(t)
        except (EstimationError, np.linalg.LinAlgError, FloatingPointError):
            return None
        if not np.all(np.isfinite(m)):
            return None
        return sw * (wls_obs - m)

    r = resid(theta)
    if r is None:
        raise EstimationError(None, "DWLS: the model's statistics are not finite at the start values")
    F = float(r @ r)
    lam = 1e-3
    c = 0.5 * (n - 1) / n
    it = 0
    gmax = np.inf
    converged = False
    msg = ""
    for it in range(1, max_iter + 1):
        J = sw[:, None] * delta_fn(theta)            # d (sqrt(w) m) / d theta
        g = J.T @ r                                  # -0.5 dF/dtheta
        gmax = float(np.max(np.abs(2 * c * g))) if g.size else 0.0
        if gmax < gtol:
            converged = True
            break
        H = J.T @ J
        dH = np.diag(H).copy()
        dH[dH <= 0] = 1.0
        accepted = False
        for _ in range(40):
            try:
                step = np.linalg.solve(H + lam * np.diag(dH), g)
            except np.linalg.LinAlgError:
                lam *= 10.0
                continue
            new = theta + step
            rn = resid(new)
            if rn is not None:
                Fn = float(rn @ rn)
                if Fn <= F:
                    accepted = True
                    break
            lam *= 10.0
        if not accepted:
            msg = "no step decreases the DWLS discrepancy"
            break
        dF = F - Fn
        theta, r, F = new, rn, Fn
        lam = max(lam / 10.0, 1e-12)
        if dF <= 1e-16 * max(F, 1e-300) and np.max(np.abs(step)) < 1e-12:
            # no further progress possible at machine precision
            J = sw[:, None] * delta_fn(theta)
            gmax = float(np.max(np.abs(2 * c * (J.T @ r)))) if theta.size else 0.0
            converged = gmax < 1e-6
            break
    else:
        msg = f"no convergence in {max_iter} iterations"
    return DWLSFit(theta=theta, fmin=c * F, converged=converged, iterations=it,
                   gradient_max=gmax, message=msg)


# ---------------------------------------------------------------------------
# standard errors and tests
# ---------------------------------------------------------------------------

def dwls_information(delta: np.ndarray, wls_vd: np.ndarray) -> np.ndarray:
    """lavaan's expected information for DWLS: ``Delta' W Delta`` (one group).

    >>> dwls_information(np.array([[1.0], [2.0]]), np.array([3.0, 0.5])).tolist()
    [[5.0]]
    """
    D2 = np.sqrt(wls_vd)[:, None] * delta
    return D2.T @ D2


def _inv_information(delta, wls_vd):
    E = dwls_information(delta, wls_vd)
    try:
        return np.linalg.inv(E)
    except np.linalg.LinAlgError:
        raise EstimationError(None, "the information matrix cannot be inverted (the model may "
                                    "not be identified)") from None


def robust_vcov(delta: np.ndarray, wls_vd: np.ndarray, gamma: np.ndarray, n: int, *,
                e_inv: np.ndarray | None = None) -> np.ndarray:
    """Covariance matrix of the estimates, lavaan's ``se = "robust.sem"`` for DWLS.

    ``E^-1 (Delta' W Gamma W Delta) E^-1 / (N - 1)`` with ``E = Delta' W Delta``
    (lavaan divides by ``ntotal - ngroups`` for non-ML estimators).

    >>> D = np.array([[1.0], [1.0]]); w = np.array([1.0, 1.0]); G = np.eye(2)
    >>> robust_vcov(D, w, G, 11).tolist()       # (1/2)(2)(1/2)/10
    [[0.05]]
    """
    Einv = _inv_information(delta, wls_vd) if e_inv is None else e_inv
    WD = wls_vd[:, None] * delta
    middle = WD.T @ (gamma @ WD)
    return Einv @ middle @ Einv / (n - 1)


def scaled_shifted_test(chisq: float, df: int, delta: np.ndarray, wls_vd: np.ndarray,
                        gamma: np.ndarray, *, e_inv: np.ndarray | None = None) -> dict:
    """lavaan's ``scaled.shifted`` test (mean-and-variance adjusted chi-square of WLSMV).

    Returns ``stat``, ``df``, ``pvalue``, ``scaling_factor`` (``1/a``),
    ``shift_parameter`` (``b``), ``trace_ugamma``, ``trace_ugamma2``; the
    adjusted statistic is ``a * chisq + b``.  ``delta`` may have no columns
    (a model without free parameters).

    >>> G = np.diag([2.0, 2.0, 2.0]); w = 1 / np.diag(G); D = np.zeros((3, 0))
    >>> t = scaled_shifted_test(6.0, 3, D, w, G)
    >>> round(t["stat"], 6), round(t["scaling_factor"], 6), round(t["shift_parameter"], 6)
    (6.0, 1.0, 0.0)
    """
    # U = V - A E^-1 A' with V = diag(w), A = V Delta; the traces without forming U Gamma:
    #   tr(U G)   = sum(w diag G) - tr(E^-1 C),                     C = A' G A
    #   tr(U G U G) = sum(w w' o G o G) - 2 tr(E^-1 B' V B) + tr(E^-1 C E^-1 C),   B = G A
    tr1 = float(np.sum(wls_vd * np.diag(gamma)))
    tr2 = float(np.sum((wls_vd[:, None] * gamma) * (gamma * wls_vd[None, :])))
    if delta.shape[1]:
        Einv = _inv_information(delta, wls_vd) if e_inv is None else e_inv
        A = wls_vd[:, None] * delta
        B = gamma @ A
        C = A.T @ B
        EC = Einv @ C
        tr1 -= float(np.trace(EC))
        tr2 += -2.0 * float(np.sum(Einv * (B.T @ (wls_vd[:, None] * B)))) + float(np.sum(EC * EC.T))
    out = {"test": "scaled.shifted", "df": df, "trace_ugamma": tr1, "trace_ugamma2": tr2}
    if df <= 0:
        out.update(stat=chisq, pvalue=np.nan, scaling_factor=np.nan, shift_parameter=np.nan)
        return out
    a = np.sqrt(df / tr2)
    b = df - a * tr1
    stat = chisq * a + b
    out.update(stat=float(stat), pvalue=float(_chisq_pvalue(stat, df)),
               scaling_factor=float(1 / a) if a > 0 else np.nan, shift_parameter=float(b))
    return out


def baseline_test(st: OrdinalSampleStats) -> dict:
    """The independence (baseline) model of lavaan for ordinal data, and its scaled-shifted test.

    Thresholds free, all correlations zero: the DWLS solution reproduces the
    thresholds, so ``chisq = (N-1) sum_pairs w r^2`` on ``p(p-1)/2`` df, and
    ``Delta = [I; 0]`` for its scaled-shifted test.

    >>> from iur_survey.sem.ordinal import ordinal_sample_stats
    >>> rng = np.random.default_rng(2)
    >>> z = rng.multivariate_normal([0, 0], [[1, .5], [.5, 1]], 400)
    >>> b = baseline_test(ordinal_sample_stats(pd.DataFrame(np.digitize(z, [-1, 0, 1]))))
    >>> b["df"], round(b["trace_ugamma"], 10)   # tr(U Gamma) = number of correlations
    (1, 1.0)
    """
    nth = st.nth
    r = st.wls_obs[nth:]
    n = st.n
    chisq = float((n - 1) * np.sum(st.wls_vd[nth:] * r * r))
    df = r.size
    D = np.zeros((st.wls_obs.size, nth))
    D[np.arange(nth), np.arange(nth)] = 1.0
    out = scaled_shifted_test(chisq, df, D, st.wls_vd, st.gamma)
    out["chisq"] = chisq
    out["standard_pvalue"] = float(_chisq_pvalue(chisq, df))
    return out


def catml_robust(st: OrdinalSampleStats, sigma: np.ndarray, delta: np.ndarray, df: int, *,
                 e_inv: np.ndarray | None = None) -> dict:
    """The catML statistics lavaan 0.6.14 uses for cfi/tli/rmsea ``.robust`` with ordinal data.

    ``sigma``: the implied correlation matrix of ``y*`` at the DWLS estimates
    (unit diagonal); ``delta``: the DWLS ``Delta`` (all rows); ``df``: the
    model's degrees of freedom.  As lavaan's ``lav_fit_catml_dwls``:

    * ``XX3 = N [log|Sigma| - log|R| + tr(R Sigma^-1) - p]`` (ML discrepancy of
      the polychoric matrix ``R`` at the DWLS solution, no refit);
    * ``c_hat3 = tr(U' V U Gamma_r) / df`` with ``U = I - Delta_r E^-1 Delta_r' W_r``
      (``r`` = the correlation rows), ``V`` the normal-theory ML weight of a
      correlation structure at ``Sigma`` (``V[ij,kl] = s_ik s_jl + s_il s_jk``,
      ``s = Sigma^-1``), ``E = Delta' W Delta``;
    * the baseline: ``XX3_null = -N log|R|``, ``c_hat3_null = tr(Gamma_r) / (p(p-1)/2)``.

    Returns NaNs (as lavaan does) when ``R`` is not positive definite.
    """
    nan = {"XX3": np.nan, "df3": np.nan, "c_hat3": np.nan, "XX3_scaled": np.nan,
           "XX3_null": np.nan, "df3_null": np.nan, "c_hat3_null": np.nan}
    R = st.cor.to_numpy()
    p = R.shape[0]
    ev = np.linalg.eigvalsh(R)
    if np.any(ev < np.sqrt(np.finfo(float).eps)):
        return nan
    n = st.n
    _, logdet_r = np.linalg.slogdet(R)
    sign_s, logdet_s = np.linalg.slogdet(sigma)
    if sign_s <= 0:
        return nan
    S_inv = np.linalg.inv(sigma)
    F = logdet_s - logdet_r + float(np.sum(R * S_inv)) - p
    XX3 = n * max(F, 0.0)
    nth = st.nth
    ii, jj = pair_index(p)
    V = S_inv[np.ix_(ii, ii)] * S_inv[np.ix_(jj, jj)] + S_inv[np.ix_(ii, jj)] * S_inv[np.ix_(jj, ii)]
    Dr = delta[nth:]
    Wr = st.wls_vd[nth:]
    Gr = st.gamma[nth:, nth:]
    Einv = _inv_information(delta, st.wls_vd) if e_inv is None else e_inv
    # ks = tr(U' V U G) with U = I - Dr K, K = E^-1 Dr' Wr (rank npar): expand instead of forming U
    K = Einv @ (Dr.T * Wr[None, :])
    KG = K @ Gr
    VD = V @ Dr
    ks = (float(np.sum(V * Gr)) - 2.0 * float(np.sum(VD * KG.T))
          + float(np.sum((Dr.T @ VD) * (KG @ K.T))))
    # df = 0: lavaan divides by zero; its ks is round-off (never exactly 0) -> c_hat = Inf
    c3 = ks / df if df > 0 else np.inf
    df_null = ii.size
    XX3_null = n * max(-logdet_r, 0.0)
    c3_null = float(np.trace(Gr)) / df_null
    with np.errstate(divide="ignore", invalid="ignore"):
        XX3_scaled = float(np.float64(XX3) / c3)
    return {"XX3": XX3, "df3": df, "c_hat3": c3, "XX3_scaled": XX3_scaled,
            "XX3_null": XX3_null, "df3_null": df_null, "c_hat3_null": c3_null}


# ---------------------------------------------------------------------------
# fit measures
# ---------------------------------------------------------------------------

WLSMV_FIT_NAMES = (
    "npar", "fmin", "chisq", "df", "pvalue", "chisq.scaled", "df.scaled", "pvalue.scaled",
    "chisq.scaling.factor", "baseline.chisq", "baseline.df", "baseline.pvalue",
    "baseline.chisq.scaled", "baseline.df.scaled", "baseline.pvalue.scaled",
    "baseline.chisq.scaling.factor", "cfi", "tli", "cfi.scaled", "tli.scaled", "cfi.robust",
    "tli.robust", "nnfi", "rfi", "nfi", "pnfi", "ifi", "rni", "nnfi.scaled", "rfi.scaled",
    "nfi.scaled", "pnfi.scaled", "ifi.scaled", "rni.scaled", "nnfi.robust", "rni.robust",
    "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.ci.level", "rmsea.pvalue",
    "rmsea.close.h0", "rmsea.notclose.pvalue", "rmsea.notclose.h0", "rmsea.scaled",
    "rmsea.ci.lower.scaled", "rmsea.ci.upper.scaled", "rmsea.pvalue.scaled",
    "rmsea.notclose.pvalue.scaled", "rmsea.robust", "rmsea.ci.lower.robust",
    "rmsea.ci.upper.robust", "rmsea.pvalue.robust", "rmsea.notclose.pvalue.robust", "rmr",
    "rmr_nomean", "srmr", "srmr_bentler", "srmr_bentler_nomean", "crmr", "crmr_nomean",
    "srmr_mplus", "srmr_mplus_nomean", "cn_05", "cn_01", "gfi", "agfi", "pgfi", "mfi", "wrmr",
)


# lavaan's incremental indices and RMSEA family: one implementation, in fitmeasures.py.
_cfi, _tli, _rni = _fm.cfi, _fm.tli, _fm.rni
_rfi, _nfi, _pnfi, _ifi = _fm.rfi, _fm.nfi, _fm.pnfi, _fm.ifi


def _rmsea(X2, df, N, c=1.0):
    return _fm.rmsea(X2, df, N, c_hat=c)


def _rmsea_ci(X2, df, N, c=1.0, level=0.90):
    return _fm.rmsea_ci(X2, df, N, c_hat=c, level=level)


def _rmsea_p(X2, df, N, c=1.0, h0=0.05, close=True):
    fn = _fm.rmsea_close_pvalue if close else _fm.rmsea_notclose_pvalue
    return fn(X2, df, N, c_hat=c, h0=h0)


def residual_summary(st: OrdinalSampleStats, th_hat: np.ndarray, sigma: np.ndarray) -> dict:
    """lavaan's rmr/srmr/crmr for ordinal data (residual correlations; thresholds as "means").

    Correlations have unit variances, so rmr = srmr_bentler; ``_nomean``
    variants leave the thresholds out, ``crmr`` leaves the diagonal out.
    """
    R = st.cor.to_numpy()
    p = R.shape[0]
    ii, jj = pair_index(p)
    e = R[ii, jj] - sigma[ii, jj]
    ss = float(np.sum(e * e))
    th_e = st.th.to_numpy() - np.asarray(th_hat)
    ss_th = float(np.sum(th_e * th_e))
    nth = st.nth
    pstar = p * (p + 1) // 2
    npairs = ii.size
    srmr_nomean = np.sqrt(ss / pstar)
    srmr = np.sqrt((ss + ss_th) / (pstar + nth))
    crmr_nomean = np.sqrt(ss / npairs) if npairs else np.nan
    crmr = np.sqrt((ss + ss_th) / (npairs + nth)) if npairs + nth else np.nan
    return {"rmr": srmr, "rmr_nomean": srmr_nomean, "srmr": srmr_nomean, "srmr_bentler": srmr,
            "srmr_bentler_nomean": srmr_nomean, "crmr": crmr, "crmr_nomean": crmr_nomean,
            "srmr_mplus": np.nan, "srmr_mplus_nomean": np.nan}


def wlsmv_fit_measures(st: OrdinalSampleStats, *, npar: int, fmin: float, df: int,
                       wls_est: np.ndarray, sigma: np.ndarray, delta: np.ndarray,
                       test: dict | None = None, baseline: dict | None = None,
                       e_inv: np.ndarray | None = None) -> pd.Series:
    """Every fit measure lavaan's ``fitMeasures()`` reports for a WLSMV fit, same names and order.

    ``st``: the sample statistics; ``npar``: free parameters (thresholds
    included); ``fmin``: the DWLS minimum (:func:`dwls_fmin`); ``df``:
    ``len(wls_obs) - npar`` (plus equality constraints); ``wls_est``: implied
    statistics; ``sigma``: implied correlation matrix of ``y*`` (unit diagonal);
    ``delta``: the DWLS Jacobian at the solution.  ``test`` / ``baseline`` are
    computed when not given.

    lavaan's conventions are kept, including its degenerate ones: with
    ``df = 0`` the robust c-hat is infinite (cfi.robust = 1, rmsea.robust =
    0) and ``cn_05`` / ``cn_01`` are NA only when chisq < machine epsilon
    (lavaan's optimiser usually leaves chisq near 1e-10 there and reports 1;
    ours reaches 0 and reports NaN).
    """
    n = st.n
    X2 = max(2 * n * fmin, 0.0)
    Einv = _inv_information(delta, st.wls_vd) if e_inv is None else e_inv
    if test is None:
        test = scaled_shifted_test(X2, df, delta, st.wls_vd, st.gamma, e_inv=Einv)
    if baseline is None:
        baseline = baseline_test(st)
    X2s, dfs = test["stat"], df
    X2n, dfn = baseline["chisq"], baseline["df"]
    X2ns, dfns = baseline["stat"], baseline["df"]
    cat = catml_robust(st, sigma, delta, df, e_inv=Einv)
    XX3, df3, c3 = cat["XX3"], cat["df3"], cat["c_hat3"]
    XX3n, c3n = cat["XX3_null"], cat["c_hat3_null"]
    XX3s = cat["XX3_scaled"]
    pv = float(_chisq_pvalue(X2, df))

    out: dict[str, float] = {
        "npar": npar, "fmin": fmin, "chisq": X2, "df": df, "pvalue": pv,
        "chisq.scaled": X2s, "df.scaled": dfs, "pvalue.scaled": test["pvalue"],
        "chisq.scaling.factor": test["scaling_factor"],
        "baseline.chisq": X2n, "baseline.df": dfn, "baseline.pvalue": baseline["standard_pvalue"],
        "baseline.chisq.scaled": X2ns, "baseline.df.scaled": dfns,
        "baseline.pvalue.scaled": baseline["pvalue"],
        "baseline.chisq.scaling.factor": baseline["scaling_factor"],
        "cfi": _cfi(X2, df, X2n, dfn), "tli": _tli(X2, df, X2n, dfn),
        "cfi.scaled": _cfi(X2s, dfs, X2ns, dfns), "tli.scaled": _tli(X2s, dfs, X2ns, dfns),
        "cfi.robust": _cfi(XX3, df, XX3n, dfn, c3, c3n),
        "tli.robust": _tli(XX3, df, XX3n, dfn, c3, c3n),
        "nnfi": _tli(X2, df, X2n, dfn), "rfi": _rfi(X2, df, X2n, dfn),
        "nfi": _nfi(X2, df, X2n, dfn), "pnfi": _pnfi(X2, df, X2n, dfn),
        "ifi": _ifi(X2, df, X2n, dfn), "rni": _rni(X2, df, X2n, dfn),
        "nnfi.scaled": _tli(X2s, dfs, X2ns, dfns), "rfi.scaled": _rfi(X2s, dfs, X2ns, dfns),
        "nfi.scaled": _nfi(X2s, dfs, X2ns, dfns), "pnfi.scaled": _pnfi(X2s, dfs, X2ns, dfns),
        "ifi.scaled": _ifi(X2s, dfs, X2ns, dfns), "rni.scaled": _rni(X2s, dfs, X2ns, dfns),
        "nnfi.robust": _tli(XX3, df, XX3n, dfn, c3, c3n),
        "rni.robust": _rni(XX3, df, XX3n, dfn, c3, c3n),
    }
    N = n - 1            # lavaan's lav_utils_get_ntotal: ntotal - ngroups for DWLS
    lo, hi = _rmsea_ci(X2, df, N)
    lo_s, hi_s = _rmsea_ci(X2s, dfs, N)
    lo_r, hi_r = _rmsea_ci(XX3s, df3, N, c3)
    out.update({
        "rmsea": _rmsea(X2, df, N), "rmsea.ci.lower": lo, "rmsea.ci.upper": hi,
        "rmsea.ci.level": 0.90, "rmsea.pvalue": _rmsea_p(X2, df, N), "rmsea.close.h0": 0.05,
        "rmsea.notclose.pvalue": _rmsea_p(X2, df, N, h0=0.08, close=False),
        "rmsea.notclose.h0": 0.08,
        "rmsea.scaled": _rmsea(X2s, dfs, N), "rmsea.ci.lower.scaled": lo_s,
        "rmsea.ci.upper.scaled": hi_s, "rmsea.pvalue.scaled": _rmsea_p(X2s, dfs, N),
        "rmsea.notclose.pvalue.scaled": _rmsea_p(X2s, dfs, N, h0=0.08, close=False),
        "rmsea.robust": _rmsea(XX3, df3, N, c3), "rmsea.ci.lower.robust": lo_r,
        "rmsea.ci.upper.robust": hi_r, "rmsea.pvalue.robust": _rmsea_p(XX3s, df3, N, c3),
        "rmsea.notclose.pvalue.robust": _rmsea_p(XX3s, df3, N, c3, h0=0.08, close=False),
    })
    th_hat = wls_est[: st.nth]
    out.update(residual_summary(st, th_hat, sigma))
    if df == 0 and X2 < np.finfo(float).eps:
        cn05 = cn01 = np.nan
    else:
        cn05 = float(stats.chi2.ppf(0.95, df) / (X2 / N) + 1) if X2 > 0 else np.inf
        cn01 = float(stats.chi2.ppf(0.99, df) / (X2 / N) + 1) if X2 > 0 else np.inf
    d = st.wls_obs - wls_est
    gfi = 1.0 - float(np.sum(st.wls_vd * d * d)) / float(np.sum(st.wls_vd * st.wls_obs ** 2))
    nel = st.wls_obs.size
    out.update({
        "cn_05": cn05, "cn_01": cn01, "gfi": gfi,
        "agfi": 1 - (nel / df) * (1 - gfi) if df > 0 else 1.0,
        "pgfi": (df / nel) * gfi if nel else np.nan,
        "mfi": float(np.exp(-0.5 * (X2 - df) / N)),
        "wrmr": float(np.sqrt(X2 / nel)) if nel else np.nan,
    })
    return pd.Series({k: out[k] for k in WLSMV_FIT_NAMES}, dtype=float)


# ---------------------------------------------------------------------------
# everything at once, for the engine
# ---------------------------------------------------------------------------

@dataclass
class WLSMVResult:
    """Outcome of :func:`wlsmv_fit` (one group).

    ``theta``: estimates (the caller's parameter order); ``vcov``: robust.sem
    covariance; ``se``; ``sigma``: implied correlation matrix of ``y*`` (unit
    diagonal); ``residual_variances``: ``1 - diag(Sigma_model)`` for each item
    (lavaan reports these on the ``y ~~ y`` rows, with se 0, in the delta
    parameterization); ``wls_est``; ``delta``; ``e_inv`` (inverse DWLS
    information); ``test`` (scaled-shifted); ``baseline``; ``fit_measures``
    (Series, lavaan's names and order); ``converged``; ``iterations``;
    ``warnings``.
    """

    theta: np.ndarray
    vcov: np.ndarray
    se: np.ndarray
    fmin: float
    df: int
    sigma: np.ndarray
    residual_variances: np.ndarray
    wls_est: np.ndarray
    delta: np.ndarray
    e_inv: np.ndarray
    test: dict
    baseline: dict
    fit_measures: pd.Series
    converged: bool
    iterations: int
    stats: OrdinalSampleStats
    warnings: list[str] = field(default_factory=list)
    r2: pd.Series | None = None


def wlsmv_fit(st: OrdinalSampleStats, cov_fn: Callable[[np.ndarray], np.ndarray],
              cov_delta_fn: Callable[[np.ndarray], np.ndarray], theta0: np.ndarray,
              th_cols: np.ndarray, *, n_eq: int = 0) -> WLSMVResult:
    """Estimate a model for ordinal items by WLSMV, exactly as lavaan's defaults.

    ``cov_fn(theta)``: the model-implied covariance matrix of ``y*`` (items in
    ``st.names`` order) WITHOUT the residual variances of the items (i.e.
    with them at 0): its diagonal only gives ``residual_variances = 1 -
    diag``, the fit uses the off-diagonal elements (the delta
    parameterization makes the diagonal 1); ``cov_delta_fn(theta)``:
    ``d vech(Sigma) / d theta`` (contract convention, no mean rows; columns
    of thresholds and of the ordinal residual variances are zero);
    ``theta0``: start values; ``th_cols``: the position in ``theta`` of each
    sample threshold (``st.th`` order); ``n_eq``: equality constraints not
    already removed from ``theta`` (they add to the df).

    >>> from iur_survey.sem.ordinal import ordinal_sample_stats
    >>> rng = np.random.default_rng(4)
    >>> f = rng.normal(size=500)
    >>> ys = np.outer(f, [.8, .7, .6]) + rng.normal(size=(500, 3)) * np.sqrt(1 - np.array([.64, .49, .36]))
    >>> st = ordinal_sample_stats(pd.DataFrame(np.digitize(ys, [-.5, .5]), columns=["a", "b", "c"]))
    >>> # one factor, loadings free (factor variance 1): theta = [l1, l2, l3, 6 thresholds]
    >>> cov = lambda t: np.outer(t[:3], t[:3])
    >>> def dcov(t):
    ...     l = t[:3]; r, c = np.triu_indices(3)[1], np.triu_indices(3)[0]
    ...     D = np.zeros((6, 9))
    ...     for k in range(3):
    ...         D[:, k] = (r == k) * l[c] + (c == k) * l[r]
    ...     return D
    >>> res = wlsmv_fit(st, cov, dcov, np.r_[.5, .5, .5, st.th.to_numpy()], np.arange(3, 9))
    >>> res.df, res.converged, res.theta[:3].round(4).tolist()   # lavaan: .8569 .6117 .6043
    (0, True, [0.8569, 0.6117, 0.6043])
    """
    with blas_threads():
        return _wlsmv_fit(st, cov_fn, cov_delta_fn, theta0, th_cols, n_eq)


def _wlsmv_fit(st, cov_fn, cov_delta_fn, theta0, th_cols, n_eq) -> WLSMVResult:
    theta0 = np.asarray(theta0, dtype=float)
    th_cols = np.asarray(th_cols, dtype=int)
    p = st.p

    def moments(t):
        return wls_moments(t[th_cols], cov_fn(t))

    def delta_fn(t):
        return wls_delta(cov_delta_fn(t), p, th_cols)

    fit = fit_dwls(moments, delta_fn, theta0, st.wls_obs, st.wls_vd, st.n)
    warnings: list[str] = list(st.warnings)
    if not fit.converged:
        warnings.append("the optimizer did not converge" + (f" ({fit.message})" if fit.message else ""))
    theta = fit.theta
    D = delta_fn(theta)
    Einv = _inv_information(D, st.wls_vd)
    vcov = robust_vcov(D, st.wls_vd, st.gamma, st.n, e_inv=Einv)
    S_model = cov_fn(theta)
    resvar = 1.0 - np.diag(S_model)
    sigma = S_model.copy()
    np.fill_diagonal(sigma, 1.0)
    if np.any(resvar < 0):
        warnings.append("some estimated ov variances are negative")
    npar = theta.size
    df = st.wls_obs.size - npar + n_eq
    wls_est = moments(theta)
    chisq = max(2 * st.n * fit.fmin, 0.0)
    test = scaled_shifted_test(chisq, df, D, st.wls_vd, st.gamma, e_inv=Einv)
    base = baseline_test(st)
    fm = wlsmv_fit_measures(st, npar=npar, fmin=fit.fmin, df=df, wls_est=wls_est, sigma=sigma,
                            delta=D, test=test, baseline=base, e_inv=Einv)
    se = np.sqrt(np.clip(np.diag(vcov), 0, None))
    return WLSMVResult(theta=theta, vcov=vcov, se=se, fmin=fit.fmin, df=df, sigma=sigma,
                       residual_variances=resvar, wls_est=wls_est, delta=D, e_inv=Einv, test=test,
                       baseline=base, fit_measures=fm, converged=fit.converged,
                       iterations=fit.iterations, stats=st, warnings=warnings)


# ---------------------------------------------------------------------------
# adapter for the engine's Model (matrices.Model built from a continuous parameter table)
# ---------------------------------------------------------------------------

_CON_OPS = (":=", "==", "<", ">")


def dwls_dropped(model, ordinal: set[str]) -> np.ndarray:
    """Mask of the model parameters a single-group DWLS fit leaves out of its own parameter vector:
    the observed intercepts (the thresholds, or -means, stand in for them) and the residual variances of
    the ordinal items (fixed by the delta parameterization)."""
    pt = model.partable
    drop = np.zeros(model.npar, dtype=bool)
    for i in range(len(pt)):
        k = int(pt.par_index[i])
        if k < 0 or pt.op[i] in _CON_OPS:
            continue
        if pt.op[i] == "~1" or (pt.op[i] == "~~" and pt.lhs[i] == pt.rhs[i] and pt.lhs[i] in ordinal):
            drop[k] = True
    return drop


def wlsmv_from_model(model, st: OrdinalSampleStats, theta0: np.ndarray | None = None
                     ) -> tuple[WLSMVResult, pd.DataFrame]:
    """WLSMV fit of an engine :class:`~iur_survey.sem.matrices.Model`, lavaan-style estimates table.

    ``model`` is built from the model's ordinary (continuous) parameter table;
    ``st`` holds the sample statistics of its observed variables in the
    model's order (``model.groups[0].ov``), all ordinal.  The adapter applies
    lavaan's delta parameterization: the residual variances of the items and
    any intercepts are not estimated (the former become ``1 - diag(model
    part)``, the latter 0), and one threshold parameter per sample threshold
    is added.  Only single-group models.

    Returns the :class:`WLSMVResult` (``theta`` = estimated model parameters
    without the dropped ones, then the thresholds; ``r2`` filled in) and a
    DataFrame shaped as lavaan's ``parameterEstimates(standardized = TRUE)``
    (columns ``lhs op rhs label est se z pvalue ci.lower ci.upper std.lv
    std.all std.nox``; rows: user rows, thresholds, the other default rows,
    ``~*~``, intercepts and latent means, then ``:=``).
    """
    from .defined import from_partable
    from .standardized import r_squared, standardize

    pt = model.partable
    if model.ngroups != 1:
        raise EstimationError(None, "WLSMV for ordinal items supports a single group only")
    ov = list(model.groups[0].ov)
    if list(st.names) != ov:
        raise EstimationError(None, "the ordinal statistics must cover the model's observed variables "
                                    f"in the model's order {ov}")
    ordinal = set(ov)
    nmod = model.npar
    drop = dwls_dropped(model, ordinal)
    kept = np.flatnonzero(~drop)
    nk = kept.size
    nth = st.nth
    th_cols = np.arange(nk, nk + nth)
    E = np.zeros((nmod, nk + nth))                 # d theta_model / d theta
    E[kept, np.arange(nk)] = 1.0
    base = np.zeros(nmod)      # dropped residual variances at 0: diag(Sigma) = the model part

    def expand(t):
        full = base.copy()
        full[kept] = t[:nk]
        return full

    def cov_fn(t):
        return model.implied(expand(t))[0]

    def cov_delta_fn(t):
        return model.delta(expand(t), meanstructure=False) @ E

    if theta0 is None:
        start = model.start([st.cor.to_numpy()], [np.zeros(st.p)])
        theta0 = np.concatenate([start[kept], st.th.to_numpy()])
    res = wlsmv_fit(st, cov_fn, cov_delta_fn, theta0, th_cols)

    # ---- estimates table in lavaan's order
    full = expand(res.theta)
    values = model.row_values(full)
    # the model with its delta-parameterization residual variances filled in (unit diagonal of Sigma*)
    full_std = full.copy()
    for i in range(len(pt)):
        k = int(pt.par_index[i])
        if k >= 0 and drop[k] and pt.op[i] == "~~":
            full_std[k] = float(res.residual_variances[ov.index(pt.lhs[i])])
    values_std = model.row_values(full_std)
    std = standardize(pt, model, full_std, values_std)
    res.r2 = r_squared(pt, std["std.all"])
    z975 = z_critical(0.95)
    rows: list[dict] = []

    def add(lhs, op, rhs, label, est, se, std_lv=None, std_all=None, std_nox=None):
        z = est / se if se > 0 else np.nan
        pv = np.nan            # filled in below, vectorised
        std_lv = est if std_lv is None else std_lv
        std_all = std_lv if std_all is None else std_all
        std_nox = std_all if std_nox is None else std_nox
        rows.append({"lhs": lhs, "op": op, "rhs": rhs, "label": label, "est": est, "se": se,
                     "z": z, "pvalue": pv, "ci.lower": est - z975 * se, "ci.upper": est + z975 * se,
                     "std.lv": std_lv, "std.all": std_all, "std.nox": std_nox})

    def stds(i):
        return (float(std["std.lv"][i]), float(std["std.all"][i]), float(std["std.nox"][i]))

    col_of = {int(k): j for j, k in enumerate(kept)}
    resvar = dict(zip(ov, res.residual_variances))

    def add_row(i):
        k = int(pt.par_index[i])
        if pt.op[i] == "~~" and pt.lhs[i] == pt.rhs[i] and pt.lhs[i] in ordinal:
            add(pt.lhs[i], "~~", pt.rhs[i], pt.label[i], float(resvar[pt.lhs[i]]), 0.0, *stds(i))
        elif k >= 0 and k in col_of:
            add(pt.lhs[i], pt.op[i], pt.rhs[i], pt.label[i], float(res.theta[col_of[k]]),
                float(res.se[col_of[k]]), *stds(i))
        else:
            add(pt.lhs[i], pt.op[i], pt.rhs[i], pt.label[i], float(values[i]), 0.0, *stds(i))

    model_rows = [i for i in range(len(pt)) if pt.op[i] not in _CON_OPS and pt.op[i] != "~1"]
    for i in model_rows:
        if pt.user[i] == 1:
            add_row(i)
    for j, name in enumerate(st.th.index):
        item, t = name.split("|")
        add(item, "|", t, "", float(res.theta[nk + j]), float(res.se[nk + j]))
    for i in model_rows:
        if pt.user[i] != 1:
            add_row(i)
    for v in ov:
        add(v, "~*~", v, "", 1.0, 0.0)
    for v in ov:
        add(v, "~1", "", "", 0.0, 0.0)
    for v in (pt.lv_names[0] if pt.lv_names else []):
        add(v, "~1", "", "", 0.0, 0.0)
    defs = [c for c in pt.constraints if c.op == ":="]
    if defs:
        fn = from_partable(pt, values)
        vals = fn(full)
        J = fn.jacobian(full) @ E
        V = J @ res.vcov @ J.T
        drows = list(pt.def_rows)
        for c, v, var, i in zip(defs, vals, np.diag(V), drows):
            add(c.lhs, ":=", c.rhs, c.lhs, float(v), float(np.sqrt(max(var, 0.0))), *stds(i))
    table = pd.DataFrame(rows)
    table["pvalue"] = z_pvalue(table["z"].to_numpy())
    return res, table
