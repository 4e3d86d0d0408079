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
* :func:`fit_dwls`: the DWLS fit by the package's one optimiser (Gauss-Newton curvature), taking
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
from typing import Callable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from iur_survey.errors import EstimationError

from . import fitmeasures as _fm
from .constraints import LinearConstraints
from .datacheck import (CANNOT_INVERT, information_inverse, unidentified_parameters, unidentified_warning,
                        vcov_warnings)
from .defined import from_partable, theta_columns
from .estimate import RUNAWAY_FIRST, PausedPath, minimize
from .fitmeasures import chisq_pvalue as _chisq_pvalue
from .ordinal import OrdinalSampleStats, blas_threads, pair_index
from .results import z_critical, z_pvalue
from .standardized import r_squared, standardize

__all__ = [
    "offdiag_vech_index",
    "ystar_residual_variances",
    "wls_moments",
    "wls_delta",
    "dwls_fmin",
    "DWLSFit",
    "fit_dwls",
    "DWLS_GTOL",
    "dwls_start_values",
    "fit_dwls_retry",
    "dwls_information",
    "robust_vcov",
    "scaled_shifted_test",
    "baseline_test",
    "catml_robust",
    "residual_summary",
    "dwls_gfi",
    "dwls_other_measures",
    "dwls_chisq_measures",
    "wlsmv_fit_measures",
    "WLSMV_FIT_NAMES",
    "WLSMVFit",
    "dwls_se",
    "dwls_vcov",
    "CANNOT_INVERT_TEST",
    "defined_se",
    "dwls_estimate",
    "wlsmv_fit",
    "dwls_dropped",
    "dwls_theta_names",
    "dwls_table_columns",
    "dwls_estimates_table",
    "dwls_constraints",
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


#: convergence of a DWLS fit: the largest absolute gradient of the DWLS function (:func:`fit_dwls`; the
#: bootstrap's refits use the same, :data:`~iur_survey.sem.wlsmv_bootstrap.GTOL`)
DWLS_GTOL = 1e-9


#: the ``runaway`` of a DWLS fit's optimiser: no run-off stop, the first attempt's quasi-Newton budget of an ML fit
#: (:class:`~iur_survey.sem.estimate.PausedPath`)
DWLS_PAUSE = PausedPath(np.inf)


def fit_dwls(moments_fn: Callable[[np.ndarray], np.ndarray],
             delta_fn: Callable[[np.ndarray], np.ndarray],
             theta0: np.ndarray, wls_obs: np.ndarray, wls_vd: np.ndarray, n: int, *,
             max_iter: int = 500, gtol: float = DWLS_GTOL, runaway: float | None = DWLS_PAUSE) -> DWLSFit:
    """Minimise the DWLS discrepancy with the package's one optimiser (:func:`iur_survey.sem.estimate.minimize`).

    ``moments_fn(theta)`` returns the implied WLS statistics (thresholds then
    correlations, :func:`wls_moments`), ``delta_fn(theta)`` their Jacobian
    (:func:`wls_delta`).  The curvature handed to the optimiser is the Gauss-Newton
    matrix ``2 c J'J`` (``J = sqrt(w) Delta``, ``c = (N-1)/(2N)``): its scoring stage is
    damped Gauss-Newton, the expected-information analogue of ML's Fisher scoring.
    Convergence: the largest absolute gradient of ``fmin`` below ``gtol`` (lavaan stops
    nlminb at a relative change of 1e-10 in ``fmin``, which leaves its estimates within
    about 1e-6 of this optimum).  A non-finite implied statistic (e.g. a singular
    ``I - B``) counts as a failed step.  The quasi-Newton stage stops, not converged, after
    the first attempt's budget of an ML fit (``runaway`` :data:`DWLS_PAUSE`: max(1000, 10 q) iterations; every
    converged DWLS fit of tests/sem took at most 493, where a fit that does not converge crept on for
    10,000: 12 rows of the study model, 58 s against lavaan's 22 s, and each ridge draw of
    tests/sem/test_wlsmv_bootstrap_ridge.py, 90 s); ``runaway`` :data:`~iur_survey.sem.estimate.RUNAWAY_FIRST`
    (:func:`fit_dwls_retry`'s first attempt when another start exists) also stops a path whose estimates run
    off along a ridge.

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
    c = 0.5 * (n - 1) / n

    def resid(t):
        try:
            m = moments_fn(t)
        except (EstimationError, np.linalg.LinAlgError, FloatingPointError):
            return None
        if not np.all(np.isfinite(m)):
            return None
        return sw * (wls_obs - m)

    def fun(t):
        r = resid(t)
        return np.inf if r is None else c * float(r @ r)

    def grad_curv(t):
        r = resid(t)
        if r is None:
            return np.full(t.size, np.nan), np.full((t.size, t.size), np.nan)
        J = sw[:, None] * delta_fn(t)                # d (sqrt(w) m) / d theta
        return -2.0 * c * (J.T @ r), 2.0 * c * (J.T @ J)

    if resid(theta) is None:
        raise EstimationError(None, "DWLS: the model's statistics are not finite at the start values")
    res = minimize(fun, lambda t: grad_curv(t)[0], lambda t: grad_curv(t)[1], theta, max_iter=max_iter,
                   gtol=gtol, fun_grad_curv=grad_curv, runaway=runaway)
    gmax = float(np.max(np.abs(res.grad))) if res.grad.size else 0.0
    return DWLSFit(theta=res.x, fmin=float(res.fun), converged=res.converged, iterations=res.iterations,
                   gradient_max=gmax, message="" if res.converged else res.message)


def dwls_start_values(model, cors: list[np.ndarray], ordered: Sequence[str], kind: str = "lavaan") -> np.ndarray:
    """Start values of the model parameters of a WLSMV fit, one group or several: lavaan's
    (``lav_start`` for categorical data: :meth:`~iur_survey.sem.matrices.Model.start` on the polychoric
    matrices ``cors`` with ``ordered``: FABIN3 loadings, scaled by a factor's fixed variance, 0.7 where
    FABIN3 does not apply, latent variances 0.05, the items' free residual variances 1), or ``kind =
    "marker"``, the start of :func:`fit_dwls_retry`'s second attempt.  The thresholds (the sample ones)
    and the scales (1) are the caller's.

    >>> from iur_survey.sem.matrices import Model
    >>> from iur_survey.sem.partable import build_partable
    >>> m = Model(build_partable("F =~ a + b + c + d", meanstructure=False))
    >>> R = np.array([[1, .2, .15, .1], [.2, 1, .5, .4], [.15, .5, 1, .45], [.1, .4, .45, 1]])
    >>> np.round(dwls_start_values(m, [R], "abcd"), 3).tolist()   # b, c, d; residual variances; var F
    [3.162, 2.618, 2.231, 1.0, 1.0, 1.0, 1.0, 0.05]
    >>> np.round(dwls_start_values(m, [R], "abcd", "marker"), 3).tolist()
    [3.6, 3.167, 2.429, 0.5, 0.5, 0.5, 0.5, 0.05]
    """
    return model.start(list(cors), [np.zeros(np.shape(c)[0]) for c in cors], kind=kind, ordered=ordered)


def fit_dwls_retry(run: Callable[[np.ndarray], DWLSFit], starts: Sequence[Callable[[], np.ndarray]]) -> DWLSFit:
    """The DWLS fit of one group or several from lavaan's start values (``starts[0]()``), then, while it
    does not converge, from each further start (the marker start of :func:`dwls_start_values`), keeping
    the first fit that converges; when none does, the first attempt's (reported as not converged).
    ``run(start)`` fits from one start vector.

    >>> s = np.array([0.3, 0.49]); w = np.array([50.0, 80.0])
    >>> mom = lambda t: np.array([t[0], t[1] ** 2])
    >>> dlt = lambda t: np.array([[1.0, 0.0], [0.0, 2 * t[1]]])
    >>> run = lambda x0, **kw: fit_dwls(mom, dlt, x0, s, w, 300, max_iter=3, **kw)
    >>> fit = fit_dwls_retry(run, [lambda: np.array([9.0, 40.0]), lambda: np.array([0.3, 0.7])])
    >>> fit.converged, fit.theta.round(6).tolist()         # the first start runs out of iterations
    (True, [0.3, 0.7])
    """
    if len(starts) == 1:
        return run(starts[0]())
    # the first attempt stops early when its estimates run off along a ridge (ML's rule for its first attempt,
    # RUNAWAY_FIRST): the differential check of s31 (seed 1111, one group, 19 items) crept 10,000 quasi-Newton
    # iterations (22 s; lavaan 1 s) before the marker start reached lavaan's minimum; when no start converges
    # the first attempt is rerun in full and reported, as before
    first = fit = run(starts[0](), runaway=RUNAWAY_FIRST)
    for make in starts[1:]:
        if fit.converged:
            break
        fit = run(make())
    if fit.converged:
        return fit
    return first if first.converged else run(starts[0]())


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
    a = np.sqrt(df / tr2) if tr2 > 0 else np.nan     # tr(UG)^2 <= 0: a degenerate fit (6 rows), no scaled test
    b = df - a * tr1
    stat = chisq * a + b
    out.update(stat=float(stat), pvalue=float(_chisq_pvalue(stat, df)),
               scaling_factor=float(1 / a) if a > 0 else np.nan, shift_parameter=float(b))
    return out


def baseline_test(st, n_univariate: int | None = None) -> dict:
    """The independence (baseline) model of lavaan for ordinal (or mixed) data, and its scaled-shifted test.

    The univariate statistics free (thresholds; with continuous items also their means and variances:
    ``n_univariate`` = how many leading entries of ``wls_obs`` they are, default ``st.nth``), all
    correlations / covariances zero: the DWLS solution reproduces the univariate statistics, so
    ``chisq = (N-1) sum w s^2`` over the remaining entries, and ``Delta = [I; 0]`` for its
    scaled-shifted test.

    >>> from iur_survey.sem.ordinal import ordinal_sample_stats
    >>> rng = np.random.default_rng(2)
    >>> z = rng.multivariate_normal([0, 0], [[1, .5], [.5, 1]], 400)
    >>> b = baseline_test(ordinal_sample_stats(pd.DataFrame(np.digitize(z, [-1, 0, 1]))))
    >>> b["df"], round(b["trace_ugamma"], 10)   # tr(U Gamma) = number of correlations
    (1, 1.0)
    """
    k = st.nth if n_univariate is None else int(n_univariate)
    r = st.wls_obs[k:]
    chisq = float((st.n - 1) * np.sum(st.wls_vd[k:] * r * r))
    df = r.size
    D = np.zeros((st.wls_obs.size, k))
    D[np.arange(k), np.arange(k)] = 1.0
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
    c3 = np.nan if not np.isfinite(ks) else ks / df if df > 0 else np.inf
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
    th_e = st.th.to_numpy() - np.asarray(th_hat)
    both = np.concatenate([e, th_e])
    nth = st.nth
    pstar = p * (p + 1) // 2
    npairs = ii.size
    rms = _fm.residual_rms                  # the one root-mean-square formula (lav_residuals_summary_rms)
    srmr_nomean = rms(e, pstar)
    srmr = rms(both, pstar + nth)
    crmr_nomean = rms(e, npairs) if npairs else np.nan
    crmr = rms(both, npairs + nth) if npairs + nth else np.nan
    return {"rmr": srmr, "rmr_nomean": srmr_nomean, "srmr": srmr_nomean, "srmr_bentler": srmr,
            "srmr_bentler_nomean": srmr_nomean, "crmr": crmr, "crmr_nomean": crmr_nomean,
            "srmr_mplus": np.nan, "srmr_mplus_nomean": np.nan}


def dwls_gfi(wls_obs: np.ndarray, wls_vd: np.ndarray, wls_est: np.ndarray) -> float:
    """lavaan's GFI of one group of a DWLS fit: ``1 - e' W e / s' W s`` with the diagonal weights ``W``.

    >>> dwls_gfi(np.array([1.0, 0.5]), np.ones(2), np.array([1.0, 0.5]))
    1.0
    """
    d = wls_obs - wls_est
    return 1.0 - float(np.sum(wls_vd * d * d)) / float(np.sum(wls_vd * wls_obs ** 2))


def dwls_other_measures(X2: float, X2s: float, df: int, X2n: float, X2ns: float, dfn: int, N: float,
                        gfi: float, nel: int) -> dict:
    """The fit measures of a DWLS/WLSMV fit (one group or several) that follow from the standard and scaled
    chi-squares of the model (``X2``, ``X2s``) and of the baseline (``X2n``, ``X2ns``), ``N`` (lavaan's
    ``ntotal - ngroups``), the GFI and the number of sample statistics ``nel``: nnfi rfi nfi pnfi ifi rni
    (plain and .scaled), cn_05 cn_01 (NA when ``df = 0`` and chisq < machine epsilon, lavaan's rule), gfi agfi
    pgfi mfi and the RMSEA settings (dict, lavaan's names).

    >>> m = dwls_other_measures(10.0, 9.0, 5, 200.0, 150.0, 10, 299, 0.99, 15)
    >>> round(m["nnfi"], 6), round(m["agfi"], 6), m["rmsea.ci.level"]     # nnfi = (200/10 - 10/5) / (200/10 - 1)
    (0.947368, 0.97, 0.9)
    """
    if df == 0 and X2 < np.finfo(float).eps:
        cn05 = cn01 = np.nan
    else:
        cn05 = float(stats.chi2.ppf(0.95, df) / (X2 / N) + 1) if X2 > 0 else np.inf
        cn01 = float(stats.chi2.ppf(0.99, df) / (X2 / N) + 1) if X2 > 0 else np.inf
    return {
        "nnfi": _tli(X2, df, X2n, dfn), "rfi": _rfi(X2, df, X2n, dfn), "nfi": _nfi(X2, df, X2n, dfn),
        "pnfi": _pnfi(X2, df, X2n, dfn), "ifi": _ifi(X2, df, X2n, dfn), "rni": _rni(X2, df, X2n, dfn),
        "nnfi.scaled": _tli(X2s, df, X2ns, dfn), "rfi.scaled": _rfi(X2s, df, X2ns, dfn),
        "nfi.scaled": _nfi(X2s, df, X2ns, dfn), "pnfi.scaled": _pnfi(X2s, df, X2ns, dfn),
        "ifi.scaled": _ifi(X2s, df, X2ns, dfn), "rni.scaled": _rni(X2s, df, X2ns, dfn),
        "rmsea.ci.level": 0.90, "rmsea.close.h0": 0.05, "rmsea.notclose.h0": 0.08,
        "cn_05": cn05, "cn_01": cn01, "gfi": gfi,
        "agfi": 1 - (nel / df) * (1 - gfi) if df > 0 else 1.0,
        "pgfi": (df / nel) * gfi if nel else np.nan,
        "mfi": float(np.exp(-0.5 * (X2 - df) / N)),
    }


def dwls_chisq_measures(st, *, npar: int, fmin: float, df: int, test: dict, baseline: dict,
                        wls_est: np.ndarray) -> dict:
    """The fit measures of a one-group DWLS/WLSMV fit that follow from the standard and scaled-shifted
    chi-squares and the WLS residuals: the same for ordinal and for mixed data (dict, lavaan's names).

    ``st``: ordinal or mixed sample statistics (``n``, ``wls_obs``, ``wls_vd``); ``test`` /
    ``baseline``: :func:`scaled_shifted_test` / :func:`baseline_test`.  ``cn_05`` / ``cn_01`` are NA
    when ``df = 0`` and chisq < machine epsilon (lavaan's rule).  The robust and residual-based
    measures are added by :func:`wlsmv_fit_measures` (ordinal) and
    :func:`iur_survey.sem.mixed.mixed_fit_measures` (mixed).

    >>> from iur_survey.sem.ordinal import ordinal_sample_stats
    >>> rng = np.random.default_rng(2)
    >>> st = ordinal_sample_stats(pd.DataFrame(np.digitize(rng.normal(size=(300, 3)), [-1, 0, 1])))
    >>> b = baseline_test(st)
    >>> m = dwls_chisq_measures(st, npar=st.nth, fmin=b["chisq"] / (2 * st.n),
    ...                         df=b["df"], test=b, baseline=b, wls_est=np.r_[st.th.to_numpy(), 0, 0, 0])
    >>> round(m["cfi"], 6), m["df"]
    (0.0, 3)
    """
    n = st.n
    X2 = max(2 * n * fmin, 0.0)
    X2s = test["stat"]
    X2n, dfn, X2ns = baseline["chisq"], baseline["df"], baseline["stat"]
    N = n - 1            # lavaan's lav_utils_get_ntotal: ntotal - ngroups for DWLS
    lo, hi = _rmsea_ci(X2, df, N)
    lo_s, hi_s = _rmsea_ci(X2s, df, N)
    nel = st.wls_obs.size
    return {
        "npar": npar, "fmin": fmin, "chisq": X2, "df": df, "pvalue": float(_chisq_pvalue(X2, df)),
        "chisq.scaled": X2s, "df.scaled": df, "pvalue.scaled": test["pvalue"],
        "chisq.scaling.factor": test["scaling_factor"],
        "baseline.chisq": X2n, "baseline.df": dfn, "baseline.pvalue": baseline["standard_pvalue"],
        "baseline.chisq.scaled": X2ns, "baseline.df.scaled": dfn, "baseline.pvalue.scaled": baseline["pvalue"],
        "baseline.chisq.scaling.factor": baseline["scaling_factor"],
        "cfi": _cfi(X2, df, X2n, dfn), "tli": _tli(X2, df, X2n, dfn),
        "cfi.scaled": _cfi(X2s, df, X2ns, dfn), "tli.scaled": _tli(X2s, df, X2ns, dfn),
        "rmsea": _rmsea(X2, df, N), "rmsea.ci.lower": lo, "rmsea.ci.upper": hi,
        "rmsea.pvalue": _rmsea_p(X2, df, N),
        "rmsea.notclose.pvalue": _rmsea_p(X2, df, N, h0=0.08, close=False),
        "rmsea.scaled": _rmsea(X2s, df, N), "rmsea.ci.lower.scaled": lo_s, "rmsea.ci.upper.scaled": hi_s,
        "rmsea.pvalue.scaled": _rmsea_p(X2s, df, N),
        "rmsea.notclose.pvalue.scaled": _rmsea_p(X2s, df, N, h0=0.08, close=False),
        **dwls_other_measures(X2, X2s, df, X2n, X2ns, dfn, N, dwls_gfi(st.wls_obs, st.wls_vd, wls_est), nel),
        "wrmr": float(np.sqrt(X2 / nel)) if nel else np.nan,
    }


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
    X2 = max(2 * st.n * fmin, 0.0)
    Einv = _inv_information(delta, st.wls_vd) if e_inv is None else e_inv
    if test is None:
        test = scaled_shifted_test(X2, df, delta, st.wls_vd, st.gamma, e_inv=Einv)
    if baseline is None:
        baseline = baseline_test(st)
    out = dwls_chisq_measures(st, npar=npar, fmin=fmin, df=df, test=test, baseline=baseline, wls_est=wls_est)
    dfn = baseline["df"]
    cat = catml_robust(st, sigma, delta, df, e_inv=Einv)
    XX3, df3, c3 = cat["XX3"], cat["df3"], cat["c_hat3"]
    XX3n, c3n = cat["XX3_null"], cat["c_hat3_null"]
    XX3s = cat["XX3_scaled"]
    N = st.n - 1            # lavaan's lav_utils_get_ntotal: ntotal - ngroups for DWLS
    lo_r, hi_r = _rmsea_ci(XX3s, df3, N, c3)
    out.update({
        "cfi.robust": _cfi(XX3, df, XX3n, dfn, c3, c3n), "tli.robust": _tli(XX3, df, XX3n, dfn, c3, c3n),
        "nnfi.robust": _tli(XX3, df, XX3n, dfn, c3, c3n), "rni.robust": _rni(XX3, df, XX3n, dfn, c3, c3n),
        "rmsea.robust": _rmsea(XX3, df3, N, c3), "rmsea.ci.lower.robust": lo_r,
        "rmsea.ci.upper.robust": hi_r, "rmsea.pvalue.robust": _rmsea_p(XX3s, df3, N, c3),
        "rmsea.notclose.pvalue.robust": _rmsea_p(XX3s, df3, N, c3, h0=0.08, close=False),
    })
    out.update(residual_summary(st, wls_est[: st.nth], sigma))
    return pd.Series({k: out[k] for k in WLSMV_FIT_NAMES}, dtype=float)


# ---------------------------------------------------------------------------
# everything at once, for the engine
# ---------------------------------------------------------------------------

@dataclass
class WLSMVFit:
    """The estimation record of a one-group WLSMV fit (not the user's result: :func:`iur_survey.sem.sem`
    wraps it in an :class:`~iur_survey.sem.ordinal_result.OrdinalSEMResult`).

    Made by :func:`wlsmv_fit` / :func:`wlsmv_from_model` (ordered items) and by
    :func:`iur_survey.sem.mixed.wlsmv_mixed_from_model` (ordered and continuous items), with the one
    assembly :func:`dwls_estimate`.  ``theta``: estimates (the caller's parameter order); ``vcov``:
    robust.sem covariance (rows and columns NaN for the parameters in :attr:`unidentified`); ``se``
    (NaN where lavaan gives NA: a negative variance, or a parameter that is not identified);
    ``wls_est``; ``delta``; ``e_inv`` (inverse DWLS information); ``test`` (scaled-shifted);
    ``baseline``; ``fit_measures`` (Series, lavaan's names and order); ``converged``; ``iterations``;
    ``warnings``; ``sigma``: implied correlation (covariance) matrix of ``y*`` (unit diagonal for the
    ordered items); ``residual_variances``: per item ``1 - diag(Sigma_model)``, NaN for a continuous
    item (lavaan reports these on the ``y ~~ y`` rows, se 0, in the delta parameterization); after
    :func:`wlsmv_from_model`: ``r2``, ``kept`` (the model parameters in ``theta``: a table row's
    column is :func:`~iur_survey.sem.defined.theta_columns`), ``full`` / ``full_std`` (the model parameters; with the residual
    variances of the ordered items filled in).  With ``==`` constraints ``delta`` and ``e_inv`` are in
    the fit's own parameters ``z`` (``theta = theta0 + B z``, ``B`` kept; ``n_eq`` the constraints'
    rank), everything else in ``theta``.
    """

    theta: np.ndarray
    vcov: np.ndarray
    se: np.ndarray
    fmin: float
    df: int
    wls_est: np.ndarray
    delta: np.ndarray
    e_inv: np.ndarray
    test: dict
    baseline: dict
    converged: bool
    iterations: int
    stats: object
    fit_measures: pd.Series | None = None
    sigma: np.ndarray | None = None
    residual_variances: np.ndarray | None = None
    warnings: list[str] = field(default_factory=list)
    unidentified: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    r2: pd.Series | None = None
    kept: np.ndarray | None = None
    full: np.ndarray | None = None
    full_std: np.ndarray | None = None
    B: np.ndarray | None = None
    n_eq: int = 0


def dwls_se(vcov: np.ndarray, deltas: list[np.ndarray], names: list[str], *,
            con_jac: np.ndarray | None = None, n_eq: int = 0, unidentified: np.ndarray | None = None
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Standard errors from the covariance matrix of the estimates, by lavaan's rules.

    * ``lav_model_vcov_se``: a negative variance gives SE NA (NaN; JSON null), not 0;
    * a parameter that moves along a null direction of ``Delta`` (stacked over ``deltas``; with
      ``con_jac``, the Jacobian of the ``==`` constraints, stacked below it: only directions that keep
      the constraints count, the same null space as lavaan's augmented information) is not identified:
      its row and column of ``vcov`` and its SE are NA, with lavaan's vcov warning naming it
      (:func:`~iur_survey.sem.datacheck.unidentified_parameters`, as the ML fits);
    * otherwise lavaan's ``check.vcov`` warning when ``vcov`` is not positive definite
      (:func:`~iur_survey.sem.datacheck.vcov_warnings`; ``n_eq`` as there).

    ``unidentified``: the parameters already found not identified (then ``deltas`` is not used).
    Returns ``(vcov, se, unidentified, warnings)``.

    >>> V, se, bad, w = dwls_se(np.diag([0.04, -1e-3]), [np.eye(2)], ["a", "b"])
    >>> se.round(3).tolist(), bad.tolist(), w[0][:47]
    ([0.2, nan], [], 'the variance-covariance matrix of the estimated')
    >>> V, se, bad, w = dwls_se(np.eye(3), [np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]])], ["a", "b", "c"])
    >>> se.tolist(), bad.tolist(), "a, b are not identified" in w[0]
    ([nan, nan, 1.0], [0, 1], True)
    """
    V = np.array(vcov, dtype=float)
    blocks = [np.asarray(d, dtype=float) for d in deltas]
    if con_jac is not None and np.size(con_jac):
        blocks.append(np.asarray(con_jac, dtype=float))
    if unidentified is not None:
        bad = np.asarray(unidentified, dtype=np.int64)
    else:
        bad = unidentified_parameters(blocks) if V.size else np.zeros(0, dtype=np.int64)
    warnings: list[str] = []
    if len(bad):
        V[bad, :] = np.nan
        V[:, bad] = np.nan
        warnings.append(unidentified_warning([names[k] for k in bad]))
    else:
        warnings += vcov_warnings(V, n_eq)
    var = np.diag(V).copy()
    var[var < 0] = np.nan                       # lavaan's lav_model_vcov_se: a negative variance is NA
    return V, np.sqrt(var), bad, warnings


def defined_se(J: np.ndarray, vcov: np.ndarray) -> np.ndarray:
    """SEs of defined (``:=``) parameters by the delta method ``diag(J V J')``, lavaan's NA rules: a
    negative variance is NA, and so is a parameter that depends on one whose variance is NA.

    >>> defined_se(np.array([[1.0, 0.0], [1.0, 1.0]]), np.array([[0.04, 0.0], [0.0, np.nan]])).tolist()
    [0.2, nan]
    """
    V = np.asarray(vcov, dtype=float)
    J = np.asarray(J, dtype=float)
    na = ~np.isfinite(np.diag(V)) if V.size else np.zeros(0, dtype=bool)
    Vf = np.where(np.isfinite(V), V, 0.0)
    var = np.diag(J @ Vf @ J.T).copy()
    var[var < 0] = np.nan
    if na.any():
        var[np.any(J[:, na] != 0, axis=1)] = np.nan
    return np.sqrt(var)


#: lavaan's warning when the information needed by the robust (scaled-shifted) test cannot be inverted
CANNOT_INVERT_TEST = "could not invert information matrix needed for robust test statistic"


def dwls_vcov(delta: np.ndarray, wls_vd: np.ndarray, gamma: np.ndarray, n: int, names: list[str], *,
              B: np.ndarray | None = None, delta_theta: np.ndarray | None = None,
              con_jac: np.ndarray | None = None, n_eq: int = 0):
    """The inverse DWLS information and the robust.sem covariance of the estimates, lavaan's way.

    ``E = Delta' W Delta`` is inverted by R's ``solve()`` rule
    (:func:`~iur_survey.sem.datacheck.information_inverse`).  Where that fails, lavaan warns "Could not
    compute standard errors!" (:data:`~iur_survey.sem.datacheck.CANNOT_INVERT`) and that it "could not
    invert information matrix needed for robust test statistic": every SE is NA, and so is everything
    made from ``E^-1`` (the scaled-shifted test, the robust indices) -- here the returned ``E^-1`` is
    all NaN, which carries that through.  Otherwise the covariance goes through :func:`dwls_se`.
    ``n``: as :func:`robust_vcov`.  With ``==`` constraints the fit runs on ``z`` (``theta = theta0 + B
    z``): ``delta`` is then ``d moments / d z``, ``delta_theta`` the Jacobian in ``theta``, ``con_jac``
    the constraints' Jacobian in ``theta`` and ``n_eq`` its rank; the covariance of ``theta`` is ``B
    Var(z) B'`` (lavaan's augmented-information inverse).  Returns ``(e_inv, vcov, se, unidentified,
    warnings)`` with ``e_inv`` in the fit's parameters (``z``), the rest in ``theta``.

    >>> D = np.array([[1.0, 1.0], [2.0, 2.0]]); w = np.array([1.0, 1.0])
    >>> Einv, V, se, bad, warns = dwls_vcov(D, w, np.eye(2), 101, ["a", "b"])
    >>> se.tolist(), warns[0][:40]
    ([nan, nan], 'Could not compute standard errors! The i')
    >>> Einv, V, se, bad, warns = dwls_vcov(D @ [[1.0], [1.0]], w, np.eye(2), 101, ["a", "b"],
    ...                                     B=np.array([[1.0], [1.0]]), delta_theta=D, con_jac=[[1.0, -1.0]], n_eq=1)
    >>> se.round(4).tolist(), bad.tolist(), warns                     # a == b: identified
    ([0.0224, 0.0224], [], [])
    """
    q = delta.shape[1] if B is None else B.shape[0]
    Einv = information_inverse(dwls_information(delta, wls_vd))
    if Einv is None:
        qz = delta.shape[1]
        nan = np.full((q, q), np.nan)
        return np.full((qz, qz), np.nan), nan, np.full(q, np.nan), np.arange(q), [CANNOT_INVERT,
                                                                                   CANNOT_INVERT_TEST]
    Einv = 0.5 * (Einv + Einv.T)
    V = robust_vcov(delta, wls_vd, gamma, n, e_inv=Einv)
    if B is not None:
        V = B @ V @ B.T
        delta = delta_theta
    vcov, se, bad, warns = dwls_se(V, [delta], names, con_jac=con_jac, n_eq=n_eq)
    return Einv, vcov, se, bad, warns


def dwls_estimate(st, moments_fn: Callable[[np.ndarray], np.ndarray],
                  delta_fn: Callable[[np.ndarray], np.ndarray], theta0: np.ndarray, names: list[str], *,
                  n_eq: int = 0, n_univariate: int | None = None,
                  constraints: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
                  retry: np.ndarray | None = None) -> WLSMVFit:
    """The one WLSMV assembly of a one-group fit, ordinal or mixed: DWLS estimates (:func:`fit_dwls`),
    robust.sem covariance with lavaan's SE rules (:func:`dwls_se`), df, the scaled-shifted test and
    the baseline test (``n_univariate``: see :func:`baseline_test`).  The fit measures, ``sigma`` and
    the residual variances are left to the caller (:func:`wlsmv_fit`,
    :func:`iur_survey.sem.mixed.wlsmv_mixed_from_model`).  ``names``: one per entry of ``theta``
    (for the warnings).  ``constraints = (theta0_c, B, A)``: linear ``==`` constraints ``A theta + c =
    0`` solved as ``theta = theta0_c + B z`` (``B`` orthonormal columns spanning the null space of
    ``A``); the fit runs on ``z``, ``n_eq`` is then the rank of ``A`` (it adds to the df) and ``delta`` /
    ``e_inv`` of the result are in ``z`` (``B`` kept in ``res.B``), ``theta`` / ``vcov`` in ``theta``.
    ``retry``: the start of a second attempt when the fit from ``theta0`` does not converge
    (:func:`fit_dwls_retry`).

    >>> s = np.array([0.3, 0.49]); w = np.array([50.0, 80.0])
    >>> from types import SimpleNamespace
    >>> st = SimpleNamespace(wls_obs=s, wls_vd=w, gamma=np.diag(1 / w), n=300, nth=1, warnings=[])
    >>> fit = dwls_estimate(st, lambda t: np.array([t[0], t[1] ** 2]),
    ...                     lambda t: np.array([[1.0, 0.0], [0.0, 2 * t[1]]]), np.array([0.0, 0.5]), ["tau", "l"])
    >>> fit.converged, fit.df, fit.theta.round(6).tolist()
    (True, 0, [0.3, 0.7])
    """
    if constraints is None:
        B = None
        mom, dlt = moments_fn, delta_fn

        def to_fit(x):
            return np.asarray(x, dtype=float)
    else:
        t0c, B, A = (np.asarray(x, dtype=float) for x in constraints)

        def mom(z):
            return moments_fn(t0c + B @ z)

        def dlt(z):
            return delta_fn(t0c + B @ z) @ B

        def to_fit(x):
            return B.T @ (np.asarray(x, dtype=float) - t0c)     # the closest point that keeps them
    starts = [theta0] + ([retry] if retry is not None else [])
    fit = fit_dwls_retry(lambda x, **kw: fit_dwls(mom, dlt, to_fit(x), st.wls_obs, st.wls_vd, st.n, **kw),
                         [lambda x=x: x for x in starts])
    warnings: list[str] = list(st.warnings)
    if not fit.converged:
        warnings.append("the optimizer did not converge" + (f" ({fit.message})" if fit.message else ""))
    D = dlt(fit.theta)
    if B is None:
        theta = fit.theta
        Einv, vcov, se, bad, vw = dwls_vcov(D, st.wls_vd, st.gamma, st.n, names)
    else:
        theta = t0c + B @ fit.theta
        Einv, vcov, se, bad, vw = dwls_vcov(D, st.wls_vd, st.gamma, st.n, names, B=B,
                                            delta_theta=delta_fn(theta), con_jac=A, n_eq=n_eq)
    warnings += vw
    df = st.wls_obs.size - theta.size + n_eq
    chisq = max(2 * st.n * fit.fmin, 0.0)
    test = scaled_shifted_test(chisq, df, D, st.wls_vd, st.gamma, e_inv=Einv)
    if not np.all(np.isfinite(Einv)):         # lavaan: no robust test without E^-1
        test.update(stat=np.nan, pvalue=np.nan, scaling_factor=np.nan, shift_parameter=np.nan)
    base = baseline_test(st, n_univariate)
    return WLSMVFit(theta=theta, vcov=vcov, se=se, fmin=fit.fmin, df=df, wls_est=moments_fn(theta), delta=D,
                    e_inv=Einv, test=test, baseline=base, converged=fit.converged, iterations=fit.iterations,
                    stats=st, warnings=warnings, unidentified=bad, B=B, n_eq=n_eq)


def wlsmv_fit(st: OrdinalSampleStats, cov_fn: Callable[[np.ndarray], np.ndarray],
              cov_delta_fn: Callable[[np.ndarray], np.ndarray], theta0: np.ndarray,
              th_cols: np.ndarray, *, n_eq: int = 0, names: list[str] | None = None,
              constraints: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
              retry: np.ndarray | None = None) -> WLSMVFit:
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
    already removed from ``theta`` (they add to the df); ``names``: of the
    entries of ``theta``, for the warnings (default ``par1``, ...);
    ``constraints``, ``retry``: see :func:`dwls_estimate` (``n_eq`` = the rank of the constraints).

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
        return _wlsmv_fit(st, cov_fn, cov_delta_fn, theta0, th_cols, n_eq, names, constraints, retry)


def _wlsmv_fit(st, cov_fn, cov_delta_fn, theta0, th_cols, n_eq, names, constraints, retry) -> WLSMVFit:
    theta0 = np.asarray(theta0, dtype=float)
    th_cols = np.asarray(th_cols, dtype=int)
    p = st.p
    names = list(names) if names is not None else [f"par{k + 1}" for k in range(theta0.size)]

    def moments(t):
        return wls_moments(t[th_cols], cov_fn(t))

    def delta_fn(t):
        return wls_delta(cov_delta_fn(t), p, th_cols)

    res = dwls_estimate(st, moments, delta_fn, theta0, names, n_eq=n_eq, constraints=constraints, retry=retry)
    S_model = cov_fn(res.theta)
    res.residual_variances = 1.0 - np.diag(S_model)
    sigma = S_model.copy()
    np.fill_diagonal(sigma, 1.0)
    res.sigma = sigma
    if np.any(res.residual_variances < 0):
        res.warnings.append("some estimated ov variances are negative")
    npar = res.theta.size - (n_eq if constraints is not None else 0)      # lavaan: free parameters - neq
    res.fit_measures = wlsmv_fit_measures(st, npar=npar, fmin=res.fmin, df=res.df, wls_est=res.wls_est,
                                          sigma=sigma, delta=res.delta, test=res.test, baseline=res.baseline,
                                          e_inv=res.e_inv)
    return res


# ---------------------------------------------------------------------------
# adapter for the engine's Model (matrices.Model built from a continuous parameter table)
# ---------------------------------------------------------------------------

_CON_OPS = (":=", "==", "<", ">")


def dwls_dropped(model, ordinal: set[str]) -> np.ndarray:
    """Mask of the model parameters a single-group DWLS fit leaves out of its own parameter vector:
    the observed intercepts (the thresholds, or -means, stand in for them) and the residual variances of
    the ordinal items (fixed by the delta parameterization).

    >>> from iur_survey.sem.matrices import Model
    >>> from iur_survey.sem.partable import build_partable
    >>> m = Model(build_partable("F =~ a + b + x", meanstructure=False))
    >>> [f"{m.partable.lhs[i]}{m.partable.op[i]}{m.partable.rhs[i]}" for i in range(len(m.partable))
    ...  if m.partable.par_index[i] >= 0 and dwls_dropped(m, {"a", "b"})[m.partable.par_index[i]]]
    ['a~~a', 'b~~b']
    """
    pt = model.partable
    drop = np.zeros(model.npar, dtype=bool)
    for i in range(len(pt)):
        k = int(pt.par_index[i])
        if k < 0 or pt.op[i] in _CON_OPS:
            continue
        if pt.op[i] == "~1" or (pt.op[i] == "~~" and pt.lhs[i] == pt.rhs[i] and pt.lhs[i] in ordinal):
            drop[k] = True
    return drop


def ystar_residual_variances(model, full: np.ndarray, g: int = 0, scale: np.ndarray | float = 1.0) -> np.ndarray:
    """The delta parameterization's residual variances of the latent responses y* of group ``g``:
    ``1 / Delta^2 - diag(Sigma)``, ``Sigma`` the model part of the implied covariance (``full``: the model
    parameters with the items' residual variances at 0), ``Delta`` the items' scales (``~*~``; 1 unless free in a
    later group).  lavaan's fixed ``y ~~ y`` rows; one below 0 is a Heywood case (lav_object_post_check).

    >>> from iur_survey.sem.matrices import Model
    >>> from iur_survey.sem.partable import build_partable
    >>> m = Model(build_partable("F =~ a + b", meanstructure=False))      # theta: b's loading, a~~a, b~~b, F~~F
    >>> ystar_residual_variances(m, np.array([1.2, 0.0, 0.0, 0.64])).round(4).tolist()
    [0.36, 0.0784]
    >>> ystar_residual_variances(m, np.array([1.2, 0.0, 0.0, 0.64]), scale=np.array([1.0, 0.5])).round(4).tolist()
    [0.36, 3.0784]
    """
    sigma = model._core(np.asarray(full, float), g)["Sigma"]
    return 1.0 / np.asarray(scale, float) ** 2 - np.diag(sigma)


def dwls_parameters(model, drop: np.ndarray, nth: int):
    """A single-group DWLS fit's own parameter vector ``t``: the model parameters :func:`dwls_dropped` keeps, then
    the ``nth`` thresholds.  Returns ``(kept, E, expand)``: the kept model parameters' indices, ``E`` = d theta_model
    / d t (model parameters x t), and ``expand(t)``, the model's parameter vector (the dropped ones at 0:
    diag(Sigma) is then the model part).

    >>> from iur_survey.sem.matrices import Model
    >>> from iur_survey.sem.partable import build_partable
    >>> m = Model(build_partable("F =~ a + b + x", meanstructure=False))
    >>> kept, E, expand = dwls_parameters(m, dwls_dropped(m, {"a", "b"}), 3)
    >>> E.shape, expand(np.arange(1.0, 8.0))[kept].tolist() == list(np.arange(1.0, kept.size + 1))
    ((6, 7), True)
    """
    kept = np.flatnonzero(~np.asarray(drop, dtype=bool))
    nk = kept.size
    E = np.zeros((model.npar, nk + nth))
    E[kept, np.arange(nk)] = 1.0

    def expand(t):
        full = np.zeros(model.npar)
        full[kept] = t[:nk]
        return full

    return kept, E, expand


def dwls_theta_names(pt, kept: np.ndarray, th_names, *, lavaan: bool = False) -> list[str]:
    """``lhs op rhs`` of each entry of a one-group DWLS ``theta``: the kept model parameters (the first
    row of each), then the thresholds (``a|t1``; ``x~1`` for a continuous item's intercept).  ``lavaan=True``:
    the names of lavaan's ``vcov()`` rows instead (the label, else ``lhs op rhs``; ``.g2`` ... after a later
    group's).

    >>> from iur_survey.sem.matrices import Model
    >>> from iur_survey.sem.partable import build_partable
    >>> m = Model(build_partable("F =~ a + b + c", meanstructure=False))
    >>> dwls_theta_names(m.partable, np.flatnonzero(~dwls_dropped(m, {"a", "b", "c"})), ["a|t1"])
    ['F=~b', 'F=~c', 'F~~F', 'a|t1']
    """
    first: dict[int, str] = {}
    for i in range(len(pt)):
        k = int(pt.par_index[i])
        if k >= 0 and pt.op[i] not in _CON_OPS:
            name = f"{pt.lhs[i]}{pt.op[i]}{pt.rhs[i]}"
            if lavaan:
                name = (pt.label[i] or name) + (f".g{int(pt.group[i])}" if int(pt.group[i]) > 1 else "")
            first.setdefault(k, name)
    return [first.get(int(k), f"par{int(k) + 1}") for k in kept] + [str(t) for t in th_names]


def dwls_table_columns(pt, table: pd.DataFrame, kept: np.ndarray, th_names) -> np.ndarray:
    """Per row of a one-group estimates table (:func:`dwls_estimates_table`) its column of ``theta``, -1
    where the row is not an entry of ``theta`` (fixed rows, residual variances of ordered items, ``:=``).
    Matched on ``lhs op rhs``; thresholds ``a|t1`` and continuous intercepts ``x~1`` from ``th_names``.

    >>> from iur_survey.sem.matrices import Model
    >>> from iur_survey.sem.partable import build_partable
    >>> m = Model(build_partable("F =~ a + b", meanstructure=False))
    >>> tab = pd.DataFrame({"lhs": ["F", "F", "a", "a", "F"], "op": ["=~", "=~", "|", "~~", "~~"],
    ...                     "rhs": ["a", "b", "t1", "a", "F"]})
    >>> dwls_table_columns(m.partable, tab, np.flatnonzero(~dwls_dropped(m, {"a", "b"})), ["a|t1"]).tolist()
    [-1, 0, 2, -1, 1]
    """
    col_of = {int(k): j for j, k in enumerate(kept)}
    key: dict[tuple[str, str, str], int] = {}
    for i in range(len(pt)):
        k = int(pt.par_index[i])
        if k in col_of and pt.op[i] not in _CON_OPS and pt.op[i] != "~1":
            key[(pt.lhs[i], pt.op[i], pt.rhs[i])] = col_of[k]
    for j, name in enumerate(th_names):
        if name.endswith("~1"):
            key[(name[:-2], "~1", "")] = kept.size + j
        else:
            item, t = name.split("|", 1)
            key[(item, "|", t)] = kept.size + j
    return np.array([key.get((r.lhs, r.op, r.rhs), -1) for r in table.itertuples(index=False)], dtype=int)


def dwls_estimates_table(model, st, res: WLSMVFit, drop: np.ndarray) -> pd.DataFrame:
    """lavaan's ``parameterEstimates(standardized = TRUE)`` of a one-group WLSMV fit, ordinal or mixed
    (``st.ordered`` marks the ordered items; without it every item is ordered).

    ``res``: the :class:`WLSMVFit` of ``theta = [kept model parameters, thresholds]`` (``drop``:
    :func:`dwls_dropped`).  Rows: the user's rows, the thresholds, the other model rows (an ordered
    item's residual variance is ``1 - diag(model part)``, fixed, se 0), the scales ``~*~`` of the
    ordered items, the intercepts (0 for an ordered item; estimated for a continuous one), the latent
    means, then ``:=``.  Fills ``res.kept``, ``res.full``, ``res.full_std`` and ``res.r2``.
    Called by :func:`wlsmv_from_model` and :func:`iur_survey.sem.mixed.wlsmv_mixed_from_model`.

    >>> from iur_survey.sem.matrices import Model
    >>> from iur_survey.sem.ordinal import ordinal_sample_stats
    >>> from iur_survey.sem.partable import build_partable
    >>> rng = np.random.default_rng(3)
    >>> y = rng.normal(size=(300, 1)) @ [[0.8, 0.7, 0.6]] + rng.normal(size=(300, 3)) * 0.6
    >>> st = ordinal_sample_stats(pd.DataFrame(np.digitize(y, [0]), columns=["a", "b", "c"]))
    >>> m = Model(build_partable("F =~ a + b + c", meanstructure=False))
    >>> res, _ = wlsmv_from_model(m, st)
    >>> tab = dwls_estimates_table(m, st, res, dwls_dropped(m, {"a", "b", "c"}))
    >>> tab.loc[tab.op == "~~", ["lhs", "se"]].assign(se=lambda t: t.se > 0).values.tolist()
    [['a', False], ['b', False], ['c', False], ['F', True]]
    """
    pt = model.partable
    ov = list(model.groups[0].ov)
    ordered = np.asarray(getattr(st, "ordered", np.ones(len(ov), dtype=bool)), dtype=bool)
    ordset = {v for v, o in zip(ov, ordered) if o}
    kept = np.flatnonzero(~drop)
    nk = kept.size
    theta, se = res.theta, res.se
    full = np.zeros(model.npar)                         # dropped residual variances at 0: the model part
    full[kept] = theta[:nk]
    rv = ystar_residual_variances(model, full)
    resvar = {v: rv[k] for k, v in enumerate(ov) if v in ordset}
    full_std = full.copy()                              # with the delta-parameterization residual variances
    for i in range(len(pt)):
        k = int(pt.par_index[i])
        if k >= 0 and drop[k] and pt.op[i] == "~~":
            full_std[k] = float(resvar[pt.lhs[i]])
    values = model.row_values(full)
    std = standardize(pt, model, full_std, model.row_values(full_std))
    sd_star = np.sqrt(np.diag(model.implied(full_std)[0]))
    rows: list[dict] = []

    def add(lhs, op, rhs, label, est, se_, std_lv=None, std_all=None, std_nox=None):
        std_lv = est if std_lv is None else std_lv
        std_all = std_lv if std_all is None else std_all
        std_nox = std_all if std_nox is None else std_nox
        rows.append({"lhs": lhs, "op": op, "rhs": rhs, "label": label, "est": est, "se": se_,
                     "std.lv": std_lv, "std.all": std_all, "std.nox": std_nox})

    def stds(i):
        return (float(std["std.lv"][i]), float(std["std.all"][i]), float(std["std.nox"][i]))

    col_of = {int(k): j for j, k in enumerate(kept)}

    def add_row(i):
        k = int(pt.par_index[i])
        if pt.op[i] == "~~" and pt.lhs[i] == pt.rhs[i] and pt.lhs[i] in ordset:
            add(pt.lhs[i], "~~", pt.rhs[i], pt.label[i], float(resvar[pt.lhs[i]]), 0.0, *stds(i))
        elif k >= 0 and k in col_of:
            add(pt.lhs[i], pt.op[i], pt.rhs[i], pt.label[i], float(theta[col_of[k]]), float(se[col_of[k]]),
                *stds(i))
        else:
            add(pt.lhs[i], pt.op[i], pt.rhs[i], pt.label[i], float(values[i]), 0.0, *stds(i))

    model_rows = [i for i in range(len(pt)) if pt.op[i] not in _CON_OPS and pt.op[i] != "~1"]
    for i in model_rows:
        if pt.user[i] == 1:
            add_row(i)
    th_col = {}
    for j, name in enumerate(st.th.index):
        th_col[name] = nk + j
        if "|" in name:
            item, t = name.split("|")
            add(item, "|", t, "", float(theta[nk + j]), float(se[nk + j]))
    for i in model_rows:
        if pt.user[i] != 1:
            add_row(i)
    for v in ov:
        if v in ordset:
            add(v, "~*~", v, "", 1.0, 0.0)
    for k, v in enumerate(ov):
        if v in ordset:
            add(v, "~1", "", "", 0.0, 0.0)
        else:
            c = th_col[f"{v}~1"]
            e = float(theta[c])
            add(v, "~1", "", "", e, float(se[c]), e, e / sd_star[k], e / sd_star[k])
    for v in (pt.lv_names[0] if pt.lv_names else []):
        add(v, "~1", "", "", 0.0, 0.0)
    defs = [c for c in pt.constraints if c.op == ":="]
    if defs:
        fn = from_partable(pt, values, theta_columns(pt.par_index, kept))      # the fit's theta_index()
        vals = fn(theta)
        se_def = defined_se(fn.jacobian(theta), res.vcov)
        for c, v, s_, i in zip(defs, vals, se_def, list(pt.def_rows)):
            add(c.lhs, ":=", c.rhs, c.lhs, float(v), float(s_), *stds(i))
    table = pd.DataFrame(rows)
    est_col, se_col = table["est"].to_numpy(dtype=float), table["se"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se_col > 0, est_col / se_col, np.nan)
    z975 = z_critical(0.95)
    table.insert(6, "z", z)
    table.insert(7, "pvalue", z_pvalue(z))
    table.insert(8, "ci.lower", est_col - z975 * se_col)
    table.insert(9, "ci.upper", est_col + z975 * se_col)
    res.r2 = r_squared(pt, std["std.all"])
    res.kept, res.full, res.full_std = kept, full, full_std
    return table


def dwls_constraints(model, drop: np.ndarray, start: np.ndarray, nth: int):
    """The table's linear ``==`` constraints (:class:`~iur_survey.sem.constraints.LinearConstraints`) in a
    one-group DWLS ``theta = [kept model parameters, thresholds]``: ``((theta0_c, B, A), rank)`` for
    :func:`dwls_estimate`.  A constraint on a parameter the delta parameterization does not estimate (an
    item intercept, an ordered item's residual variance) stops with a typed error.

    >>> from iur_survey.sem.matrices import Model
    >>> from iur_survey.sem.partable import build_partable
    >>> m = Model(build_partable("F =~ a + l2*b + l3*c\\nl2 == 2*l3", meanstructure=False))
    >>> drop = dwls_dropped(m, {"a", "b", "c"})
    >>> (t0, B, A), rank = dwls_constraints(m, drop, np.zeros(m.npar), 2)
    >>> rank, B.shape, A.tolist()          # theta = [l2, l3, var F, 2 thresholds]; z: 2 + 2
    (1, (5, 4), [[1.0, -2.0, 0.0, 0.0, 0.0]])
    """
    lc = LinearConstraints(model.partable, model.row_values(start))
    if np.any(np.abs(lc.A[:, drop]) > 0):
        raise EstimationError(None, "'==' constraints on item intercepts or on residual variances of ordered "
                                    "items are not supported (the delta parameterization does not estimate them)")
    kept = np.flatnonzero(~drop)
    # the null space of A restricted to the kept parameters (A has no column on the dropped ones)
    Ak = lc.A[:, kept]
    _, sv, vt = np.linalg.svd(Ak)
    rank = int(lc.rank)
    K = vt[rank:].T
    t0 = np.linalg.lstsq(Ak, -lc.c, rcond=None)[0]
    ncon = Ak.shape[0]
    B = np.zeros((kept.size + nth, K.shape[1] + nth))
    B[: kept.size, : K.shape[1]] = K
    B[kept.size:, K.shape[1]:] = np.eye(nth)
    A = np.hstack([Ak, np.zeros((ncon, nth))])
    return (np.concatenate([t0, np.zeros(nth)]), B, A), rank


def wlsmv_from_model(model, st: OrdinalSampleStats, theta0: np.ndarray | None = None
                     ) -> tuple[WLSMVFit, pd.DataFrame]:
    """WLSMV fit of an engine :class:`~iur_survey.sem.matrices.Model`, lavaan-style estimates table.

    ``model`` is built from the model's ordinary (continuous) parameter table;
    ``st`` holds the sample statistics of its observed variables in the
    model's order (``model.groups[0].ov``), all ordinal.  The adapter applies
    lavaan's delta parameterization: the residual variances of the items and
    any intercepts are not estimated (the former become ``1 - diag(model
    part)``, the latter 0), and one threshold parameter per sample threshold
    is added.  Only single-group models.  The fit starts from lavaan's start values
    (:func:`dwls_start_values`), or ``theta0``, and retries from the marker start when it does not
    converge (:func:`fit_dwls_retry`).

    Returns the :class:`WLSMVFit` (``theta`` = estimated model parameters
    without the dropped ones, then the thresholds; ``r2``, ``kept``,
    ``full``, ``full_std`` filled in) and the table of
    :func:`dwls_estimates_table`.

    >>> from iur_survey.sem.matrices import Model
    >>> from iur_survey.sem.ordinal import ordinal_sample_stats
    >>> from iur_survey.sem.partable import build_partable
    >>> rng = np.random.default_rng(7)
    >>> y = rng.normal(size=(400, 1)) @ [[0.8, 0.7, 0.6]] + rng.normal(size=(400, 3)) * 0.6
    >>> m = Model(build_partable("F =~ a + b + c", meanstructure=False))
    >>> res, table = wlsmv_from_model(m, ordinal_sample_stats(pd.DataFrame(np.digitize(y, [-1, 0, 1]),
    ...                                                                    columns=["a", "b", "c"])))
    >>> res.converged, res.df, table.op.tolist()[:4]
    (True, 0, ['=~', '=~', '=~', '|'])
    """
    if model.ngroups != 1:
        raise EstimationError(None, "WLSMV for ordinal items supports a single group only")
    ov = list(model.groups[0].ov)
    if list(st.names) != ov:
        raise EstimationError(None, "the ordinal statistics must cover the model's observed variables "
                                    f"in the model's order {ov}")
    drop = dwls_dropped(model, set(ov))
    kept, E, expand = dwls_parameters(model, drop, st.nth)
    nk = kept.size
    th_cols = np.arange(nk, nk + st.nth)
    start = dwls_start_values(model, [st.cor.to_numpy()], ov)          # lavaan's, the marker start on retry
    constraints, n_eq = None, 0
    if model.partable.equality:
        constraints, n_eq = dwls_constraints(model, drop, start, st.nth)

    def cov_fn(t):
        return model.implied(expand(t))[0]

    def cov_delta_fn(t):
        return model.delta(expand(t), meanstructure=False) @ E

    if theta0 is None:
        theta0 = np.concatenate([start[kept], st.th.to_numpy()])
    retry = np.concatenate([dwls_start_values(model, [st.cor.to_numpy()], ov, "marker")[kept], st.th.to_numpy()])
    res = wlsmv_fit(st, cov_fn, cov_delta_fn, theta0, th_cols, n_eq=n_eq, constraints=constraints,
                    names=dwls_theta_names(model.partable, kept, st.th.index), retry=retry)
    return res, dwls_estimates_table(model, st, res, drop)
