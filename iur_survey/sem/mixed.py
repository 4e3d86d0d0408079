"""Sample statistics for a mix of ordered and continuous items (lavaan's ``muthen1984`` with numeric variables).

lavaan 0.6.14, ``sem(model, data, ordered = c(...), estimator = "WLSMV")`` with some
model variables continuous, one group, listwise or pairwise deletion:

* step 1 (``lav_samplestats_step1``): per ordered item its thresholds; per continuous
  item its mean and its ML variance (divisor N, ``lav_uvreg_fit``);
* step 2 (``lav_samplestats_step2``): Pearson correlations between continuous items
  (``lav_bvreg``), two-step polyserial correlations between a continuous and an
  ordered item (``lav_bvmix``: the continuous item's mean/variance and the ordered
  item's thresholds held at their step-1 values; ML of ``P(y2 | y1)``), polychoric
  correlations between ordered items (:mod:`iur_survey.sem.ordinal`);
* the statistics vector ``wls.obs``: the "thresholds" in model-variable order (an
  ordered item's thresholds, for a continuous item minus its mean), then the
  variances of the continuous items, then the off-diagonal ``vech`` of the
  covariance matrix (correlations rescaled by the continuous items' SDs);
* its NACOV (``N`` times lavaan's ``WLS.W``) from the casewise scores: ``B^-1 (SC'SC)
  B^-T`` with lavaan's block-diagonal ``A11``, its ``A21`` cross-products and
  diagonal ``A22``, then the delta-method matrix ``H`` from correlations to
  covariances, and the sign flip of the mean rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.special import ndtr

from iur_survey.errors import EstimationError

from .ordinal import _BIG, _codes, bivariate_normal_cdf, bivariate_normal_pdf, blas_threads, pair_index, \
    stats_from_codes
from .wlsmv import (dwls_constraints, dwls_chisq_measures, dwls_dropped, dwls_estimate, dwls_estimates_table,
                    dwls_parameters, dwls_start_values, dwls_theta_names)

__all__ = ["MixedSampleStats", "mixed_sample_stats", "MIXED_FIT_NAMES", "mixed_fit_measures", "wlsmv_mixed_from_model"]

_EPS = np.finfo(float).eps


def _dnorm(x):
    return np.exp(-0.5 * x * x) / np.sqrt(2.0 * np.pi)


@dataclass
class MixedSampleStats:
    """lavaan's sample statistics of one group with ordered and continuous items.

    ``names`` (model-variable order), ``ordered`` (bool per variable), ``n``,
    ``th`` (Series: ``item|t1`` ... for ordered items, ``item~1`` = minus the mean
    for continuous ones, in lavaan's ``wls.obs`` order), ``th_item`` (0-based
    variable of each entry), ``var`` (variances; 1 for ordered items), ``cor``
    (correlation matrix: Pearson / polyserial / polychoric), ``cov``,
    ``wls_obs``, ``gamma`` (NACOV), ``wls_vd`` (``1 / diag(gamma)``).
    """

    names: list[str]
    ordered: np.ndarray
    n: int
    th: pd.Series
    th_item: np.ndarray
    var: np.ndarray
    cor: pd.DataFrame
    cov: pd.DataFrame
    wls_obs: np.ndarray
    gamma: np.ndarray
    wls_vd: np.ndarray
    n_dropped: int = 0
    warnings: list[str] = field(default_factory=list)
    missing: str = "listwise"

    @property
    def p(self) -> int:
        return len(self.names)

    @property
    def nth(self) -> int:
        return int(self.th.size)

    @property
    def num_idx(self) -> np.ndarray:
        return np.flatnonzero(~self.ordered)

    def wls_obs_names(self) -> list[str]:
        """lavaan's names of ``wls.obs`` (``a1|t1`` ..., ``a3~1``, ``a3~~a3``, ``a1~~a2`` ...)."""
        ii, jj = pair_index(self.p)
        return (list(self.th.index) + [f"{self.names[k]}~~{self.names[k]}" for k in self.num_idx]
                + [f"{self.names[j]}~~{self.names[i]}" for i, j in zip(ii, jj)])


def _polyserial(z: np.ndarray, up: np.ndarray, lo: np.ndarray) -> float:
    """Two-step polyserial correlation: ML of sum log P(y2 | y1) over rho in [-0.995, 0.995].

    (lavaan's objective also floors ``dnorm(y1) P(y2 | y1)`` at ``sqrt(eps)``, but its gradient does not,
    and its nlminb follows the gradient: on a continuous item scaled by 1e5 lavaan still returns the
    scale-free ML value, which is what this function returns.)
    """
    from scipy.optimize import minimize_scalar

    def negll(rho):
        R = np.sqrt(1.0 - rho * rho)
        p = ndtr((up - rho * z) / R) - ndtr((lo - rho * z) / R)
        return -np.sum(np.log(np.maximum(p, _EPS)))

    r = minimize_scalar(negll, bounds=(-0.995, 0.995), method="bounded", options={"xatol": 1e-12})
    return float(r.x)


def _mix_scores(rho, z, sd, var, up, lo, y, nth):
    """lavaan's lav_bvmix_cor_scores: d/d(mu, var) of the continuous item, d/d thresholds, d/d rho."""
    R = np.sqrt(1.0 - rho * rho)
    a1 = (up - rho * z) / R
    a2 = (lo - rho * z) / R
    d1, d2 = _dnorm(a1), _dnorm(a2)
    pyx = np.maximum(ndtr(a1) - ndtr(a2), _EPS)
    inv = 1.0 / pyx
    dd = d1 - d2
    mu = 1.0 / sd * (z + inv * (rho / R) * dd)
    vv = 1.0 / (2.0 * var) * ((z * z - 1.0) + (inv * rho * z / R) * dd)
    th = np.zeros((z.size, nth))
    rows = np.arange(z.size)
    m1 = y < nth
    th[rows[m1], y[m1]] += d1[m1] / R * inv[m1]
    m2 = y >= 1
    th[rows[m2], y[m2] - 1] -= d2[m2] / R * inv[m2]
    taj = d1 * (up * rho - z)
    taj1 = d2 * (lo * rho - z)
    drho = inv / (R * R * R) * (taj - taj1)
    return mu, vv, th, drho


def _ord_scores(rho, y1, y2, e1, e2, nth1, nth2):
    """Casewise scores of a polychoric correlation (lav_bvord_cor_scores): d/d th of both items, d/d rho."""
    R = np.sqrt(1.0 - rho * rho)
    u1, u0 = e1[y1 + 1], e1[y1]
    v1, v0 = e2[y2 + 1], e2[y2]
    lik = (bivariate_normal_cdf(u1, v1, rho) - bivariate_normal_cdf(u0, v1, rho)
           - bivariate_normal_cdf(u1, v0, rho) + bivariate_normal_cdf(u0, v0, rho))
    lik = np.maximum(lik, _EPS)
    drho = (bivariate_normal_pdf(u1, v1, rho) - bivariate_normal_pdf(u0, v1, rho)
            - bivariate_normal_pdf(u1, v0, rho) + bivariate_normal_pdf(u0, v0, rho)) / lik
    n = y1.size
    rows = np.arange(n)

    def dth(y, a1_, a0_, b1_, b0_, nth):
        out = np.zeros((n, nth))
        g1 = _dnorm(a1_) * (ndtr((b1_ - rho * a1_) / R) - ndtr((b0_ - rho * a1_) / R)) / lik
        g0 = _dnorm(a0_) * (ndtr((b1_ - rho * a0_) / R) - ndtr((b0_ - rho * a0_) / R)) / lik
        m1 = y < nth
        out[rows[m1], y[m1]] += g1[m1]
        m0 = y >= 1
        out[rows[m0], y[m0] - 1] -= g0[m0]
        return out

    return dth(y1, u1, u0, v1, v0, nth1), dth(y2, v1, v0, u1, u0, nth2), drho


def mixed_sample_stats(data: pd.DataFrame, ordered, *, missing: str = "listwise") -> MixedSampleStats:
    """Thresholds, means, variances, Pearson/polyserial/polychoric correlations and NACOV, as lavaan.

    ``data``: the model variables in the model's order; ``ordered``: the names of
    the ordered ones (the others are continuous).  ``missing="listwise"`` (lavaan
    0.6.14's default for categorical data) or ``"pairwise"`` (lavaan's ``missing =
    "pairwise"``: every non-empty row; means, variances and thresholds from the rows
    where the item is present; each correlation from the rows where both are, the
    univariate statistics held fixed -- for two continuous items with a missing
    cell that is lavaan's ML correlation with fixed margins, not the pairwise
    Pearson; casewise scores of missing cells are zero).

    >>> rng = np.random.default_rng(3)
    >>> z = rng.multivariate_normal([0, 0, 0], [[1, .5, .4], [.5, 1, .3], [.4, .3, 1]], 400)
    >>> df = pd.DataFrame({"x": 10 + 2 * z[:, 0], "a": np.digitize(z[:, 1], [-1, 0, 1]),
    ...                    "b": np.digitize(z[:, 2], [-.5, .5])})
    >>> st = mixed_sample_stats(df, ["a", "b"])
    >>> st.wls_obs_names()
    ['x~1', 'a|t1', 'a|t2', 'a|t3', 'b|t1', 'b|t2', 'x~~x', 'x~~a', 'x~~b', 'a~~b']
    >>> st.gamma.shape, round(float(st.cor.loc["x", "a"]), 3)   # lavaan: 0.4854377001
    ((10, 10), 0.485)
    """
    if missing not in ("listwise", "pairwise"):
        raise EstimationError(None, f"missing={missing!r} with a mix of ordered and continuous items: "
                                    "use 'listwise' or 'pairwise'")
    with blas_threads():
        return _mixed_sample_stats(data, list(ordered), missing)


def _pearson_fixed_margins(z1: np.ndarray, z2: np.ndarray) -> float:
    """lavaan's lav_bvreg_cor_twostep_fit with missing values: ML correlation of the rows where both are
    present, the means and variances held at their univariate values (``z`` standardized by them)."""
    from scipy.optimize import minimize_scalar

    a, b, c = float(z1 @ z1), float(z1 @ z2), float(z2 @ z2)
    m = z1.size

    def negll(r):
        R = 1.0 - r * r
        return 0.5 * m * np.log(R) + (a - 2 * r * b + c) / (2 * R)

    return float(minimize_scalar(negll, bounds=(-0.999, 0.999), method="bounded",
                                 options={"xatol": 1e-12}).x)


def _mixed_sample_stats(data: pd.DataFrame, ordered: list[str], missing: str = "listwise") -> MixedSampleStats:
    names = [str(c) for c in data.columns]
    unknown = [o for o in ordered if o not in names]
    if unknown:
        raise EstimationError(None, f"ordered item(s) {unknown} are not model variables")
    is_ord = np.array([nm in ordered for nm in names])
    p = len(names)
    ord_names = [nm for nm in names if nm in ordered]
    num_names = [nm for nm in names if nm not in ordered]
    # levels of the ordered items from all rows (R's ordered()), then listwise deletion over every variable
    _, levels_all, _ = _codes(data[ord_names], "pairwise")
    X = pd.DataFrame({nm: pd.to_numeric(data[nm], errors="coerce") for nm in num_names}) if num_names \
        else pd.DataFrame(index=data.index)
    for nm in num_names:
        bad = X[nm].isna() & data[nm].notna()
        if bad.any():
            raise EstimationError(None, f"continuous item {nm!r} holds non-numeric values "
                                        f"(e.g. {data[nm][bad].iloc[0]!r})", column=nm)
    present = data[names].notna().to_numpy()
    keep = present.all(axis=1) if missing == "listwise" else present.any(axis=1)
    n = int(keep.sum())
    if n < 2:
        raise EstimationError(None, "fewer than two usable rows for the model variables")
    Yk, lev_kept, kk = _codes(data.loc[keep, ord_names], "pairwise")   # drops rows without any ordered item
    Yo = np.full((n, len(ord_names)), -1, dtype=Yk.dtype)
    Yo[kk] = Yk
    for nm, la, lk in zip(ord_names, levels_all, lev_kept):
        if la.size != lk.size:
            raise EstimationError(None, f"variable {nm!r} has fewer categories ({lk.size}) than expected "
                                        f"({la.size}) after listwise deletion", column=nm)
    ost = stats_from_codes(Yo, levels_all, ord_names, gamma=False, missing=missing)
    Xn = X.loc[keep].to_numpy(dtype=float)
    pres = present[keep]                         # (n, p): variable present in the row
    nan_n = np.isnan(Xn)
    mean = np.nanmean(Xn, axis=0) if num_names else np.zeros(0)
    var_n = np.nanvar(Xn, axis=0) if num_names else np.zeros(0)
    # missing cells: neutral values for the arithmetic; their scores are zeroed (lavaan's na.rm cross-products)
    Xn = np.where(nan_n, mean[None, :], Xn)
    Yo = np.where(Yo < 0, 0, Yo)
    if np.any(var_n <= 0):
        raise EstimationError(None, "a continuous item has zero variance after listwise deletion")
    sd_n = np.sqrt(var_n)
    Z = (Xn - mean) / sd_n

    # per variable: its "threshold" entries, its codes / standardized values
    pos = {nm: k for k, nm in enumerate(names)}
    opos = {nm: k for k, nm in enumerate(ord_names)}
    npos = {nm: k for k, nm in enumerate(num_names)}
    th_vals, th_names, th_item, th_start, th_len = [], [], [], [], []
    ost_th = ost.th.to_numpy()
    for k, nm in enumerate(names):
        th_start.append(len(th_vals))
        if is_ord[k]:
            sel = np.flatnonzero(ost.th_item == opos[nm])
            th_vals += list(ost_th[sel])
            th_names += list(ost.th.index[sel])
            th_item += [k] * sel.size
            th_len.append(sel.size)
        else:
            th_vals.append(mean[npos[nm]])          # lavaan's TH holds the mean; flipped below
            th_names.append(f"{nm}~1")
            th_item.append(k)
            th_len.append(1)
    nth = len(th_vals)
    num_idx = np.flatnonzero(~is_ord)
    nnum = num_idx.size
    VAR = np.ones(p)
    VAR[num_idx] = var_n

    # extended thresholds (-BIG, t..., +BIG) of the ordered items
    ext = {}
    for nm in ord_names:
        k = pos[nm]
        t = np.array(th_vals[th_start[k]: th_start[k] + th_len[k]])
        ext[nm] = np.concatenate([[-_BIG], t, [_BIG]])

    # correlations
    COR = np.eye(p)
    ii, jj = pair_index(p)
    cor_o = ost.cor.to_numpy()
    Rn = np.corrcoef(Xn, rowvar=False) if nnum > 1 else np.eye(max(nnum, 1))
    for i, j in zip(ii, jj):
        a, b = names[i], names[j]
        if is_ord[i] and is_ord[j]:
            r = cor_o[opos[a], opos[b]]
        elif not is_ord[i] and not is_ord[j]:
            if pres[:, [i, j]].all():
                r = Rn[npos[a], npos[b]]
            else:
                both = pres[:, i] & pres[:, j]
                r = _pearson_fixed_margins(Z[both, npos[a]], Z[both, npos[b]])
        else:
            c, o = (a, b) if not is_ord[i] else (b, a)
            both = pres[:, i] & pres[:, j]
            y = Yo[both, opos[o]]
            e = ext[o]
            r = _polyserial(Z[both, npos[c]], e[y + 1], e[y])
        COR[i, j] = COR[j, i] = r
    warnings = [f"correlation between variables {names[i]} and {names[j]} is (nearly) 1.0"   # ordered pairs: ost's
                for i, j in zip(ii, jj) if abs(COR[i, j]) > 0.99 and not (is_ord[i] and is_ord[j])]

    # ---- casewise scores (lavaan's muthen1984)
    SC_TH = np.zeros((n, nth))
    SC_VAR = np.zeros((n, nnum))
    rows = np.arange(n)
    for k, nm in enumerate(names):
        s = th_start[k]
        if is_ord[k]:
            y = Yo[:, opos[nm]]
            e = ext[nm]
            z1, z2 = e[y + 1], e[y]
            pi = ndtr(z1) - ndtr(z2)
            m1 = y < th_len[k]
            SC_TH[rows[m1], s + y[m1]] += _dnorm(z1[m1]) / pi[m1]
            m2 = y >= 1
            SC_TH[rows[m2], s + y[m2] - 1] -= _dnorm(z2[m2]) / pi[m2]
            SC_TH[~pres[:, k], s: s + th_len[k]] = 0.0
        else:
            q = npos[nm]
            res = Xn[:, q] - mean[q]
            SC_TH[:, s] = res / var_n[q]
            SC_VAR[:, q] = np.where(pres[:, k], -1.0 / (2 * var_n[q]) + res * res / (2 * var_n[q] ** 2), 0.0)
    P = ii.size
    a11 = nth + nnum
    SC_COR = np.zeros((n, P))
    A21 = np.zeros((P, a11))
    H21 = np.zeros((P, a11))
    H22 = np.eye(P)
    var_col = {k: nth + m for m, k in enumerate(num_idx)}
    for q, (i, j) in enumerate(zip(ii, jj)):
        rho = COR[i, j]
        ti = slice(th_start[i], th_start[i] + th_len[i])
        tj = slice(th_start[j], th_start[j] + th_len[j])
        if not is_ord[i] and not is_ord[j]:
            # lav_bvreg_cor_scores with y1 = i, y2 = j
            y1c = Xn[:, npos[names[i]]] - mean[npos[names[i]]]
            y2c = Xn[:, npos[names[j]]] - mean[npos[names[j]]]
            v1, v2 = VAR[i], VAR[j]
            s1, s2 = np.sqrt(v1), np.sqrt(v2)
            R = 1.0 - rho * rho
            mu1 = (2 * y1c / v1 - 2 * rho * y2c / (s1 * s2)) / (2 * R)
            mu2 = -(2 * rho * y1c / (s1 * s2) - 2 * y2c / v2) / (2 * R)
            va1 = -(0.5 / v1 - ((y1c * y1c) / (v1 * v1) - rho * y1c * y2c / (v1 * s1 * s2)) / (2 * R))
            va2 = -(0.5 / v2 + (rho * y1c * y2c / (v2 * s1 * s2) - (y2c * y2c) / (v2 * v2)) / (2 * R))
            zz = (y1c * y1c) / v1 - 2 * rho * y1c * y2c / (s1 * s2) + (y2c * y2c) / v2
            drho = np.where(pres[:, i] & pres[:, j], rho / R + (y1c * y2c / (s1 * s2 * R) - zz * rho / (R * R)), 0.0)
            SC_COR[:, q] = drho
            A21[q, ti] = drho @ mu1
            A21[q, tj] = drho @ mu2
            A21[q, var_col[i]] = drho @ va1
            A21[q, var_col[j]] = drho @ va2
            H21[q, var_col[i]] = np.sqrt(VAR[j]) * rho / (2 * np.sqrt(VAR[i]))
            H21[q, var_col[j]] = np.sqrt(VAR[i]) * rho / (2 * np.sqrt(VAR[j]))
            H22[q, q] = np.sqrt(VAR[i]) * np.sqrt(VAR[j])
        elif is_ord[i] and is_ord[j]:
            a, b = names[i], names[j]
            y1, y2 = Yo[:, opos[a]], Yo[:, opos[b]]
            d1, d2, drho = _ord_scores(rho, y1, y2, ext[a], ext[b], th_len[i], th_len[j])
            drho = np.where(pres[:, i] & pres[:, j], drho, 0.0)
            SC_COR[:, q] = drho
            A21[q, ti] = drho @ d1
            A21[q, tj] = drho @ d2
        else:
            c, o = (i, j) if not is_ord[i] else (j, i)
            tc = slice(th_start[c], th_start[c] + 1)
            to = slice(th_start[o], th_start[o] + th_len[o])
            y = Yo[:, opos[names[o]]]
            e = ext[names[o]]
            qn = npos[names[c]]
            mu, vv, dth, drho = _mix_scores(rho, Z[:, qn], sd_n[qn], var_n[qn], e[y + 1], e[y], y, th_len[o])
            drho = np.where(pres[:, i] & pres[:, j], drho, 0.0)
            SC_COR[:, q] = drho
            A21[q, tc] = drho @ mu
            A21[q, to] = drho @ dth
            A21[q, var_col[c]] = drho @ vv
            H21[q, var_col[c]] = rho / (2 * np.sqrt(VAR[c]))
            H22[q, q] = np.sqrt(VAR[c])
    SC1 = np.hstack([SC_TH, SC_VAR])
    A11inv = np.zeros((a11, a11))
    for k in range(p):
        idx = list(range(th_start[k], th_start[k] + th_len[k]))
        if not is_ord[k]:
            idx.append(var_col[k])
        blk = SC1[:, idx]
        A11inv[np.ix_(idx, idx)] = np.linalg.inv(blk.T @ blk)
    A22d = (SC_COR * SC_COR).sum(axis=0)
    if np.any(A22d == 0):
        raise EstimationError(None, "trouble constructing W matrix: a correlation has zero information")
    A21inv = -(A21 @ A11inv) / A22d[:, None]
    T = np.empty((n, a11 + P))
    T[:, :a11] = SC1 @ A11inv.T
    T[:, a11:] = SC1 @ A21inv.T + SC_COR / A22d[None, :]
    W = T.T @ T
    if nnum:
        H = np.eye(a11 + P)
        H[a11:, :a11] = H21
        H[a11:, a11:] = H22
        W = H @ W @ H.T
    flip = np.array([th_start[k] for k in num_idx], dtype=int)
    W[flip, :] *= -1.0
    W[:, flip] *= -1.0
    gamma = n * W

    sd = np.sqrt(VAR)
    COV = COR * np.outer(sd, sd)
    TH = np.array(th_vals)
    TH[flip] *= -1.0
    wls_obs = np.concatenate([TH, VAR[num_idx], COV[ii, jj]])
    return MixedSampleStats(
        names=names, ordered=is_ord, n=n, th=pd.Series(TH, index=th_names), th_item=np.array(th_item),
        var=VAR, cor=pd.DataFrame(COR, index=names, columns=names),
        cov=pd.DataFrame(COV, index=names, columns=names), wls_obs=wls_obs, gamma=gamma,
        wls_vd=1.0 / np.diag(gamma), n_dropped=int((~keep).sum()), warnings=warnings + list(ost.warnings),
        missing=missing)


# ---------------------------------------------------------------------------
# the model side: DWLS with ordered and continuous items (delta parameterization, one group)
# ---------------------------------------------------------------------------

MIXED_FIT_NAMES = (
    "npar", "fmin", "chisq", "df", "pvalue", "chisq.scaled", "df.scaled", "pvalue.scaled",
    "chisq.scaling.factor", "baseline.chisq", "baseline.df", "baseline.pvalue",
    "baseline.chisq.scaled", "baseline.df.scaled", "baseline.pvalue.scaled",
    "baseline.chisq.scaling.factor", "cfi", "tli", "cfi.scaled", "tli.scaled",
    "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.pvalue",
    "nnfi", "rfi", "nfi", "pnfi", "ifi", "rni", "nnfi.scaled", "rfi.scaled", "nfi.scaled", "pnfi.scaled",
    "ifi.scaled", "rni.scaled", "rmsea.ci.level", "rmsea.close.h0", "rmsea.notclose.pvalue", "rmsea.notclose.h0",
    "rmsea.scaled", "rmsea.ci.lower.scaled", "rmsea.ci.upper.scaled", "rmsea.pvalue.scaled",
    "rmsea.notclose.pvalue.scaled", "rmr", "rmr_nomean", "srmr", "srmr_bentler", "srmr_bentler_nomean",
    "crmr", "crmr_nomean", "cn_05", "cn_01", "gfi", "agfi", "pgfi", "mfi", "wrmr",
)


def mixed_fit_measures(st: MixedSampleStats, *, npar: int, fmin: float, df: int, test: dict,
                       baseline: dict, wls_est: np.ndarray, sigma: np.ndarray) -> pd.Series:
    """The fit measures of a mixed WLSMV fit checked against lavaan (:data:`MIXED_FIT_NAMES`).

    lavaan 0.6.14 reports no ``.robust`` indices (nor ``srmr_mplus``) for mixed data.
    The residual-based measures as lavaan's: ``rmr`` from the covariance residuals,
    ``srmr`` (= ``srmr_bentler_nomean``) from the residuals standardized by the sample
    SDs, ``crmr`` from the correlation residuals (diagonal left out); the versions with
    means add the ordered items' threshold residuals and count them in the denominator
    (lavaan counts the thresholds only, not the continuous items' means: checked with
    3 and 4 ordered items).  ``sigma``: the implied covariance matrix with unit
    diagonal for the ordered items.  Usually called by :func:`wlsmv_mixed_from_model`.

    >>> MIXED_FIT_NAMES[:4]
    ('npar', 'fmin', 'chisq', 'df')
    """
    out = dwls_chisq_measures(st, npar=npar, fmin=fmin, df=df, test=test, baseline=baseline, wls_est=wls_est)
    S = st.cov.to_numpy()
    p = S.shape[0]
    li = np.tril_indices(p)
    off = np.tril_indices(p, -1)
    E = S - sigma
    sd_s = np.sqrt(np.diag(S))
    sd_m = np.sqrt(np.diag(sigma))
    Es = E / np.outer(sd_s, sd_s)
    Ec = S / np.outer(sd_s, sd_s) - sigma / np.outer(sd_m, sd_m)
    th_ord = np.array([st.ordered[k] for k in st.th_item])
    e_th = (st.wls_obs[: st.nth] - wls_est[: st.nth])[th_ord]
    ss_th, k_th = float(e_th @ e_th), int(th_ord.sum())
    pstar, npairs = p * (p + 1) // 2, p * (p - 1) // 2
    ss_raw, ss_std, ss_cor = float(np.sum(E[li] ** 2)), float(np.sum(Es[li] ** 2)), float(np.sum(Ec[off] ** 2))
    out.update({"rmr": np.sqrt((ss_raw + ss_th) / (pstar + k_th)), "rmr_nomean": np.sqrt(ss_raw / pstar),
                "srmr": np.sqrt(ss_std / pstar), "srmr_bentler": np.sqrt((ss_std + ss_th) / (pstar + k_th)),
                "srmr_bentler_nomean": np.sqrt(ss_std / pstar),
                "crmr": np.sqrt((ss_cor + ss_th) / (npairs + k_th)) if npairs + k_th else np.nan,
                "crmr_nomean": np.sqrt(ss_cor / npairs) if npairs else np.nan})
    return pd.Series({k: out[k] for k in MIXED_FIT_NAMES}, dtype=float)


def wlsmv_mixed_from_model(model, st: MixedSampleStats):
    """WLSMV fit of an engine Model (continuous parameter table, no mean structure) to mixed data.

    lavaan's delta parameterization: the ordered items' residual variances are
    ``1 - diag(model part)`` (not free), the continuous items keep their free
    residual variances and get a free intercept; thresholds are free.  Implied
    ``wls.obs``: the thresholds (minus the intercept for a continuous item), the
    continuous items' variances, the off-diagonal covariances.  Returns ``(res,
    table)``: the :class:`~iur_survey.sem.wlsmv.WLSMVFit` (the one assembly of the ordinal fits,
    :func:`~iur_survey.sem.wlsmv.dwls_estimate`; ``residual_variances`` NaN for the continuous items) and
    lavaan's ``parameterEstimates(standardized = TRUE)`` layout
    (:func:`~iur_survey.sem.wlsmv.dwls_estimates_table`).  ``sem(..., ordered=[...])``
    calls it when some model variables are not ordered.

    >>> from iur_survey.sem.matrices import Model
    >>> from iur_survey.sem.partable import build_partable
    >>> rng = np.random.default_rng(7)
    >>> f = rng.normal(size=(500, 1))
    >>> y = f @ [[0.8, 0.7, 0.6, 0.7]] + rng.normal(size=(500, 4)) * 0.6
    >>> d = pd.DataFrame({"x1": 3 + y[:, 0], "x2": 2 * y[:, 1], "a": np.digitize(y[:, 2], [-1, 0, 1]),
    ...                   "b": np.digitize(y[:, 3], [-.5, .5])})
    >>> m = Model(build_partable("F =~ x1 + x2 + a + b", meanstructure=False))
    >>> res, table = wlsmv_mixed_from_model(m, mixed_sample_stats(d[list(m.groups[0].ov)], ["a", "b"]))
    >>> res.converged, res.df, table.loc[table.op == "~1", "lhs"].tolist()[:2]
    (True, 2, ['x1', 'x2'])
    """
    pt = model.partable
    if model.ngroups != 1:
        raise EstimationError(None, "WLSMV with a mix of ordered and continuous items: one group only")
    ov = list(model.groups[0].ov)
    if list(st.names) != ov:
        raise EstimationError(None, f"the mixed statistics must cover the model's observed variables {ov}")
    is_ord = st.ordered
    ordset = {v for v, o in zip(ov, is_ord) if o}
    p = len(ov)
    drop = dwls_dropped(model, ordset)
    nth = st.nth
    kept, E, expand = dwls_parameters(model, drop, nth)
    nk = kept.size
    num_idx = st.num_idx
    th_num = np.array([not is_ord[k] for k in st.th_item])        # the entries that are -intercepts
    sgn = np.where(th_num, -1.0, 1.0)
    ii, jj = pair_index(p)
    vcols, vrows = np.triu_indices(p)                  # lavaan vech: column-major lower triangle
    diag_pos = np.array([np.flatnonzero((vrows == k) & (vcols == k))[0] for k in num_idx], dtype=int)
    off_pos = np.flatnonzero(vrows != vcols)

    def moments(t):
        S = model.implied(expand(t))[0]
        return np.concatenate([sgn * t[nk:], S[num_idx, num_idx], S[ii, jj]])

    def delta_fn(t):
        Dv = model.delta(expand(t), meanstructure=False) @ E
        top = np.zeros((nth, nk + nth))
        top[np.arange(nth), nk + np.arange(nth)] = sgn
        return np.vstack([top, Dv[diag_pos], Dv[off_pos]])

    start = dwls_start_values(model, [st.cov.to_numpy()], ordset)        # lavaan's, the marker start on retry
    theta0 = np.concatenate([start[kept], st.th.to_numpy() * sgn])
    retry = np.concatenate([dwls_start_values(model, [st.cov.to_numpy()], ordset, "marker")[kept],
                            st.th.to_numpy() * sgn])
    constraints, n_eq = dwls_constraints(model, drop, start, nth) if pt.equality else (None, 0)
    with blas_threads():
        res = dwls_estimate(st, moments, delta_fn, theta0, dwls_theta_names(pt, kept, st.th.index),
                            n_univariate=nth + int(num_idx.size), constraints=constraints, n_eq=n_eq, retry=retry)
    S_std = model.implied(expand(res.theta))[0]
    resvar = 1.0 - np.diag(S_std)
    res.residual_variances = np.where(is_ord, resvar, np.nan)       # continuous items: free parameters
    if np.any(resvar[is_ord] < 0):
        res.warnings.append("some estimated ov variances are negative")
    np.fill_diagonal(S_std, np.where(is_ord, 1.0, np.diag(S_std)))
    res.sigma = S_std
    res.fit_measures = mixed_fit_measures(st, npar=res.theta.size - n_eq, fmin=res.fmin, df=res.df, test=res.test,
                                          baseline=res.baseline, wls_est=res.wls_est, sigma=S_std)
    return res, dwls_estimates_table(model, st, res, drop)
