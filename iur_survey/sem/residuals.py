"""Residuals of a fitted SEM, as lavaan 0.6.14's ``residuals(fit, type = ...)`` and ``lavResiduals(fit)``.

Source followed: lavaan 0.6.14's lav_residuals.R (``lav_residuals``, ``lav_residuals_rescale``,
``lav_residuals_acov``, ``lav_residuals_se``, ``lav_residuals_summary``, ``lav_residuals_summary_rms``)
and ``lav_model_h1_acov``.  Per group, the residuals are the observed moments minus the model-implied ones:

* ``raw``: ``S - Sigma`` (and ``M - mu`` with a mean structure), ``S``/``M`` the sample moments (divisor N),
  under FIML the EM estimates of the saturated (h1) model; with ordered items (WLSMV / DWLS, one group or several,
  delta or theta parameterization) the polychoric minus the implied correlations, ``th`` the sample minus the
  implied thresholds, ``mean`` minus the implied means of y* (zeros but with free latent means), as lavaan;
  their ACOV is lavaan's for categorical data: ``NACOV_g / N`` with the total ``N`` in every group;
* ``cor.bollen`` (``cor``): both sides rescaled to correlations, each by its own variances (observed by the
  observed, implied by the implied; the means by the observed SDs);
* ``cor.bentler``: both sides rescaled by the *observed* variances (lavaan's ``srmr``);
* ``normalized``: raw / sqrt(diag ACOV of the sample moments) (lavaan's ``lav_model_h1_acov``: the inverse
  unstructured h1 information over N_g, with robust standard errors (MLR) the sandwich ``A^-1 B A^-1 / N_g``);
* ``standardized``: raw / its delta-method standard error: ``ACOV(res) = Q ACOV(obs) Q'`` with
  ``Q = I - w_g Delta_g A0^-1 Delta_g' A1_g`` (``A1_g``: the structured h1 information, lavaan's ``information``
  choice, ``A0 = sum_g w_g Delta_g' A1_g Delta_g``: the model's information, equality constraints included).
  This is lavaan's ``"standardized"``; Mplus' variant (``"standardized.mplus"``, ``ACOV(obs) - Delta V Delta'``)
  is not offered.

In every rescaled or standardized matrix a cell whose numerator is below 1e-5 in absolute value keeps its raw
value (lavaan's rule); the z-statistics of :func:`lav_residuals` use 1e-4.  The summary (lavaan's
``lav_residuals_summary``) is the root mean square of the residuals (``srmr``, ``crmr`` or ``rmr`` after the
type), its standard error, the exact-fit z test, and the bias-corrected ("unbiased") value with its se, 90% CI
and the close-fit z test of H0: value <= .05 (Maydeu-Olivares 2017).

The one formula of the root mean square lives in :func:`~iur_survey.sem.fitmeasures.residual_rms`, which
``fitMeasures``' srmr / crmr / rmr use too.

>>> import numpy as np, pandas as pd
>>> from iur_survey.sem import sem
>>> rng = np.random.default_rng(3)
>>> f = rng.standard_normal((300, 1))
>>> d = pd.DataFrame(f @ [[1.0, 0.8, 0.7, 0.6]] + rng.standard_normal((300, 4)) * 0.7, columns=list("abcd"))
>>> res = sem("F =~ a + b + c + d", d)
>>> r = residuals(res, type="cor")
>>> r["type"], r["cov"].shape
('cor.bollen', (4, 4))
>>> lr = lav_residuals(res)
>>> list(lr)
['type', 'cov', 'cov.z', 'summary']
>>> float(lr["summary"].loc["srmr", "cov"]) == float(res.fit_measures()["srmr"])
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from ..errors import EstimationError
from .fitmeasures import moment_residuals, residual_rms
from .matrices import vech_indices

__all__ = ["residuals", "lav_residuals", "residual_acov", "RESIDUAL_TYPES", "largest_residuals", "ResidualsError"]

#: the types of :func:`residuals` (``cor`` is ``cor.bollen``, as lavaan without mimic = "EQS")
RESIDUAL_TYPES = ("raw", "cor", "cor.bollen", "cor.bentler", "normalized", "standardized")
_ALIASES = {"cor": "cor.bollen", "cor.eqs": "cor.bentler", "rmr": "raw", "srmr": "cor.bentler",
            "crmr": "cor.bollen"}
_SUMMARY_NAME = {"raw": "rmr", "cor.bentler": "srmr", "cor.bollen": "crmr"}


class ResidualsError(EstimationError):
    """Residuals (or their standard errors) that this package does not compute for this fit."""


def _refuse(msg: str):
    raise ResidualsError(None, msg)


def _check_type(type: str) -> str:
    t = str(type).lower()
    if t == "standardized.mplus":
        _refuse("type 'standardized.mplus' is not offered; 'standardized' is lavaan's default (delta-method ACOV)")
    t = _ALIASES.get(t, t)
    if t not in RESIDUAL_TYPES:
        _refuse(f"unknown residual type {type!r}: one of {', '.join(RESIDUAL_TYPES)}")
    return t


# ----------------------------------------------------------------------------- the moments
@dataclass
class _Group:
    names: list[str]
    obs: dict[str, np.ndarray]          # "cov", ["mean"], ["th"]
    est: dict[str, np.ndarray]
    th_names: list[str] | None = None


def _ordinal_record(res: Any):
    """The fit's WLSMV record: one group (``meta["wlsmv"]``) or several / theta (``meta["wlsmv_groups"]``)."""
    meta = res.meta if isinstance(res.meta, dict) else {}
    wl = meta.get("wlsmv_groups") or meta.get("wlsmv")
    if wl is None or meta.get("mixed"):
        _refuse("residuals with ordered items are covered when every model variable is ordered (lavaan gives no "
                "standard errors with continuous items among them)")
    return wl


def _ordinal_groups(wl) -> list[tuple]:
    """Per group ``(stats, implied thresholds, implied correlations, implied means of y*, rows of the stacked
    Delta)``; the means are 0 but with free latent means (several groups, equal thresholds)."""
    if hasattr(wl, "th_par"):                          # several groups (or the theta parameterization)
        off = np.cumsum([0] + [s.wls_obs.size for s in wl.stats])
        return [(st, th, R, mu, slice(off[g], off[g + 1]))
                for g, (st, (th, R, mu)) in enumerate(zip(wl.stats, wl.implied))]
    st = wl.stats
    return [(st, np.asarray(wl.wls_est[:st.nth], float), np.asarray(wl.sigma, float), np.zeros(st.p), slice(None))]


def _is_ordinal(res: Any) -> bool:
    return bool(getattr(res, "ordered", None)) or str(res.estimator).upper() in ("WLSMV", "DWLS")


def _groups(res: Any) -> list[_Group]:
    """Observed and implied moments per group (lavaan's ``lavInspect(fit, "sampstat")`` / ``"implied"``)."""
    if _is_ordinal(res):
        out = []
        for st, th, R, mu, _ in _ordinal_groups(_ordinal_record(res)):
            obs = {"cov": st.cor.to_numpy(float), "mean": np.zeros(st.p), "th": st.th.to_numpy(float)}
            est = {"cov": R, "mean": mu, "th": th}
            out.append(_Group(list(st.names), obs, est, list(st.th.index)))
        return out
    if str(res.estimator).upper() not in ("ML", "MLR"):
        _refuse(f"residuals are covered for estimators ML, MLR, WLSMV and DWLS (this fit: {res.estimator})")
    sampstat = res.meta.get("sampstat") if isinstance(res.meta, dict) else None
    if not sampstat:
        _refuse("the fit holds no sample statistics (refit with iur_survey.sem.sem)")
    pt, model = res.partable, res.model
    out = []
    for g in range(pt.ngroups):
        S, M = (np.asarray(x, float) for x in sampstat[g])
        Sigma, mu = model.implied(res.theta, g)
        obs, est = {"cov": S}, {"cov": np.asarray(Sigma, float)}
        if model.meanstructure:
            obs["mean"], est["mean"] = M, np.asarray(mu, float)
        out.append(_Group(list(pt.ov_names[g]), obs, est))
    return out


def _raw_residuals(grp: _Group, type: str) -> dict[str, np.ndarray]:
    """The residuals of one group for type raw / cor.bentler / cor.bollen (normalized and standardized divide
    the raw ones); thresholds are not rescaled (lavaan)."""
    base = "raw" if type in ("normalized", "standardized") else type
    C, m = moment_residuals(grp.obs["cov"], grp.obs.get("mean"), grp.est["cov"], grp.est.get("mean"), base)
    out = {"cov": C}
    if m is not None:
        out["mean"] = m
    if "th" in grp.obs:
        out["th"] = grp.obs["th"] - grp.est["th"]
    return out


# ----------------------------------------------------------------------------- the ACOV
def _constrained_inverse(A: np.ndarray, K: np.ndarray) -> np.ndarray:
    """lavaan's augmented, inverted information (``use.ginv = TRUE``): ``K (K' A K)^+ K'``."""
    M = K.T @ A @ K
    return K @ np.linalg.pinv(0.5 * (M + M.T)) @ K.T


def _sym_inverse(A: np.ndarray) -> np.ndarray:
    """lavaan's ``lav_matrix_symmetric_inverse``: the inverse of the rows / columns that are not all zero (the
    fixed.x block of an h1 information), zeros elsewhere."""
    A = 0.5 * (A + A.T)
    zero = (A.sum(axis=0) == 0) & (np.diag(A) == 0) & (A.sum(axis=1) == 0)
    keep = np.flatnonzero(~zero)
    out = np.zeros_like(A)
    out[np.ix_(keep, keep)] = np.linalg.inv(A[np.ix_(keep, keep)])
    return out


def _ml_parts(res: Any, data):
    """Per group ``(ACOV_obs, A1, Delta, w)`` and the inverted model information, for ML / MLR / FIML."""
    from .constraints import LinearConstraints
    from .fiml import SampleStats, information_expected, information_observed
    from .robust import _zero_rows_cols, fixed_x_elements, h1_information
    from .table import fitted_data, is_fiml

    pt, model, theta = res.partable, res.model, res.theta
    ms = bool(model.meanstructure)
    if is_fiml(res.missing) and not ms:
        _refuse("FIML without a mean structure is not covered")
    robust = res.se_type in ("robust.huber.white", "robust.mlr", "robust")
    if res.se_type not in ("standard", "robust.huber.white", "robust.mlr", "robust", "none"):
        _refuse(f"standard errors of residuals are covered for se 'standard' and robust (MLR) (this fit: "
                f"{res.se_type})")
    info = str(res.information).lower()
    if info not in ("expected", "observed"):
        _refuse(f"standard errors of residuals need information 'expected' or 'observed' (this fit: {info})")
    sampstat = res.meta["sampstat"]
    need_data = is_fiml(res.missing) or robust or info == "observed"
    Xg = fitted_data(res, data) if need_data else None
    N = float(sum(res.nobs))
    parts = []
    for g in range(pt.ngroups):
        Sigma, mu = model.implied(theta, g)
        p = Sigma.shape[0]
        ng = float(res.nobs[g])
        S, M = (np.asarray(x, float) for x in sampstat[g])
        stats = SampleStats(Xg[g]) if Xg is not None else None
        # ACOV of the sample moments (lav_model_h1_acov, h1.information = "unstructured": at S, M; FIML: the EM
        # moments; complete data: observed = expected information there)
        if stats is None or stats.complete:
            A1u = information_expected(None, S, meanstructure=ms)
        elif info == "observed":
            A1u = information_observed(stats, S, M, meanstructure=ms)
        else:
            A1u = information_expected(stats, S, M, meanstructure=ms)
        # lavaan's fixed.x rule: the h1 information has no rows / columns for the moments of the covariates
        xi = [pt.ov_names[g].index(v) for v in pt.ov_x_names[g]] if pt.fixed_x and pt.ov_x_names else []
        xel = fixed_x_elements(p, xi, meanstructure=ms)
        Ai = _sym_inverse(_zero_rows_cols(A1u, xel))
        if robust:
            B1u = h1_information(stats, meanstructure=ms, h1=None if stats.complete else (S, M))[1]
            B1u = _zero_rows_cols(B1u, xel)
            acov_obs = Ai @ B1u @ Ai / ng
        else:
            acov_obs = Ai / ng
        # the structured h1 information at the implied moments (lav_model_h1_information)
        if info == "expected":
            A1 = information_expected(stats if (stats is not None and not stats.complete) else None, Sigma, mu,
                                      meanstructure=ms)
        else:
            m_eval = mu if ms else stats.mean
            A1 = information_observed(stats, Sigma, m_eval, meanstructure=ms)
        A1 = _zero_rows_cols(A1, xel)
        D = model.delta(theta, g, meanstructure=ms)
        parts.append((acov_obs, A1, D, ng / N))
    A0 = sum(w * D.T @ A1 @ D for _, A1, D, w in parts)
    K = LinearConstraints(pt, res.est).K
    return parts, _constrained_inverse(A0, K)


def _ordinal_parts(res: Any):
    """Per group ``(ACOV_obs, A1, Delta, w)`` and the inverted information, as lavaan's lav_residuals_acov for
    categorical data: ``ACOV_obs = NACOV_g / N`` (the total N, also with several groups), ``A1`` the diagonal
    weights, ``w = N_g / N``."""
    wl = _ordinal_record(res)
    groups = _ordinal_groups(wl)
    if any(st.gamma is None or st.wls_vd is None for st, *_ in groups):
        _refuse("the fit holds no asymptotic covariance of its polychorics (NACOV)")
    D = np.asarray(wl.delta, float)
    N = float(sum(st.n for st, *_ in groups))
    parts = [(np.asarray(st.gamma, float) / N, np.diag(np.asarray(st.wls_vd, float)), D[rows], st.n / N)
             for st, _, _, _, rows in groups]
    return parts, np.asarray(wl.e_inv, float)


def _cov2cor_b(S: np.ndarray) -> np.ndarray:
    """lavaan's ``lav_deriv_cov2corB`` (vech by vech), literally: ``0.5 D' (A2 + B2 + diag(vec(s s'))) D``."""
    p = S.shape[0]
    dinv = 1.0 / np.diag(S)
    sd = np.sqrt(np.diag(S))
    R = S / np.outer(sd, sd)
    A = -np.kron(R, 0.5 * np.diag(dinv))
    B = -np.kron(0.5 * np.diag(dinv), R)
    DD = np.diag(np.eye(p).reshape(-1, order="F"))
    out = A @ DD + B @ DD + np.diag(np.outer(np.sqrt(dinv), np.sqrt(dinv)).reshape(-1, order="F"))
    r, c = vech_indices(p)
    Dup = np.zeros((p * p, len(r)))
    for k, (i, j) in enumerate(zip(r, c)):
        Dup[j * p + i, k] = 1.0
        Dup[i * p + j, k] = 1.0
    return 0.5 * (Dup.T @ out @ Dup)


def residual_acov(res: Any, data: pd.DataFrame | None = None, *, type: str = "raw",
                  z_type: str = "standardized") -> list[np.ndarray]:
    """lavaan's ``lav_residuals_acov``: per group the asymptotic covariance of the residual vector
    (``[mean; vech(cov)]``, or ``[th; vech(cov) without diagonal]`` with ordered items).

    ``z_type = "normalized"`` gives the ACOV of the sample moments only; ``"standardized"`` that of the
    residuals (see the module docstring), for ``type`` raw, cor.bentler or cor.bollen (continuous items).
    ``data`` is needed for FIML, MLR and observed-information fits.

    >>> import numpy as np, pandas as pd
    >>> from iur_survey.sem import sem
    >>> rng = np.random.default_rng(1)
    >>> d = pd.DataFrame(rng.standard_normal((100, 1)) @ [[1, .8, .7]] + rng.standard_normal((100, 3)),
    ...                  columns=list("abc"))
    >>> [a.shape for a in residual_acov(sem("F =~ a + b + c", d))]
    [(6, 6)]
    """
    type = _check_type(type)
    if z_type not in ("normalized", "standardized"):
        _refuse(f"z_type must be 'normalized' or 'standardized' (not {z_type!r})")
    if z_type == "normalized" and type != "raw":
        _refuse("z_type 'normalized' can only be used with type 'raw' (lavaan)")
    if not res.converged:
        _refuse("no standard errors of residuals for a model that did not converge")
    ordinal = _is_ordinal(res)
    parts, A0inv = _ordinal_parts(res) if ordinal else _ml_parts(res, data)
    out = []
    for g, (acov_obs, A1, D, w) in enumerate(parts):
        if z_type == "normalized":
            out.append(acov_obs)
            continue
        Q = np.eye(acov_obs.shape[0]) - (w * (D @ A0inv @ D.T)) @ A1
        R = Q @ acov_obs @ Q.T
        if type in ("cor.bentler", "cor.bollen") and not ordinal:
            S = np.asarray(res.meta["sampstat"][g][0], float)
            ss = 1.0 / np.sqrt(np.diag(S))
            ms = bool(res.model.meanstructure)
            if type == "cor.bentler":
                r, c = vech_indices(S.shape[0])
                gg = np.concatenate([ss, (ss[r] * ss[c])]) if ms else ss[r] * ss[c]
                R = gg[:, None] * R * gg[None, :]
            else:
                F1 = _cov2cor_b(S)
                F = np.block([[np.diag(ss), np.zeros((len(ss), F1.shape[1]))],
                              [np.zeros((F1.shape[0], len(ss))), F1]]) if ms else F1
                R = F @ R @ F.T
        out.append(R)
    return out


def _se_parts(res: Any, grp: _Group, acov: np.ndarray, ordinal: bool) -> dict[str, np.ndarray]:
    """lavaan's ``lav_residuals_se``: the square roots of the ACOV's diagonal, shaped as the residuals."""
    d = np.diag(acov).copy()
    d[~np.isfinite(d) | (d < 0)] = np.nan
    p = len(grp.names)
    if ordinal:
        from .ordinal import pair_index
        nth = len(grp.th_names)
        cov = np.zeros((p, p))
        i, j = pair_index(p)
        cov[i, j] = cov[j, i] = np.sqrt(d[nth:])
        return {"cov": cov, "mean": np.full(p, np.nan), "th": np.sqrt(d[:nth])}
    r, c = vech_indices(p)
    off = p if "mean" in grp.obs else 0
    cov = np.zeros((p, p))
    cov[r, c] = cov[c, r] = np.sqrt(d[off:])
    out = {"cov": cov}
    if off:
        out["mean"] = np.sqrt(d[:p])
    return out


def _divide(A: np.ndarray, B: np.ndarray, small: float) -> np.ndarray:
    B = np.where(np.abs(A) < small, 1.0, B)
    with np.errstate(divide="ignore", invalid="ignore"):
        return A / B


def _frame(grp: _Group, parts: dict[str, np.ndarray], suffix: str = "") -> dict:
    out = {}
    for k, v in parts.items():
        if k == "cov":
            out[k + suffix] = pd.DataFrame(v, index=grp.names, columns=grp.names)
        elif k == "th":
            out[k + suffix] = pd.Series(v, index=grp.th_names)
        else:
            out[k + suffix] = pd.Series(v, index=grp.names)
    return out


def _per_group(res: Any, outs: list[dict]):
    if res.partable.ngroups == 1:
        return outs[0]
    return dict(zip(res.partable.group_labels, outs))


def residuals(res: Any, type: str = "raw", data: pd.DataFrame | None = None):
    """lavaan's ``residuals(fit, type = type)``: ``{"type", "cov", ["mean"], ["th"]}`` per group
    (DataFrame ``cov`` with the variable names, Series ``mean`` / ``th``); with several groups a dict
    ``{group label: that}``.  ``type``: raw (default), cor (= cor.bollen), cor.bollen, cor.bentler, normalized,
    standardized (see the module docstring).  ``data`` (the DataFrame given to ``sem()``) is needed for the
    normalized and standardized types of FIML and MLR fits.

    >>> import numpy as np, pandas as pd
    >>> from iur_survey.sem import sem
    >>> rng = np.random.default_rng(2)
    >>> d = pd.DataFrame(rng.standard_normal((120, 1)) @ [[1, .8, .7]] + rng.standard_normal((120, 3)),
    ...                  columns=list("abc"))
    >>> r = residuals(sem("F =~ a + b + c", d, meanstructure=True), type="standardized")
    >>> sorted(r), r["mean"].round(6).abs().tolist()
    (['cov', 'mean', 'type'], [0.0, 0.0, 0.0])
    """
    type = _check_type(type)
    res._warn_unconverged("residuals()")
    groups = _groups(res)
    ordinal = _is_ordinal(res)
    outs = []
    if type in ("normalized", "standardized"):
        acovs = residual_acov(res, data, type="raw", z_type=type)
    for g, grp in enumerate(groups):
        parts = _raw_residuals(grp, type)
        if type in ("normalized", "standardized"):
            se = _se_parts(res, grp, acovs[g], ordinal)
            parts = {k: _divide(parts[k], se[k], 1e-5) for k in parts}
        outs.append({"type": type, **_frame(grp, parts)})
    return _per_group(res, outs)


# ----------------------------------------------------------------------------- the summary
_RMS_KEYS = ("", ".se", ".exactfit.z", ".exactfit.pvalue")
_URMS_KEYS = ("", ".se", ".ci.lower", ".ci.upper", ".closefit.h0.value", ".closefit.z", ".closefit.pvalue")


def _rms_summary(stats: np.ndarray, acov: np.ndarray | None, pstar: int, name: str, *, level: float = 0.90,
                 test_val: float = 0.05) -> dict[str, float]:
    """lavaan's ``lav_residuals_summary_rms`` with lavResiduals' options (se, z, p, unbiased value, se, CI,
    close-fit z and p), named as lavaan (``srmr``, ``srmr.se`` ..., ``usrmr.closefit.pvalue``; crmr's upper
    bound keeps lavaan's name ``ucrmr.cilupper``)."""
    nan = math.nan
    stats = np.asarray(stats, float)
    out = dict.fromkeys([name + k for k in _RMS_KEYS] + ["u" + name + k for k in _URMS_KEYS], nan)
    out["u" + name + ".closefit.h0.value"] = test_val
    if stats.size == 0 or acov is None:
        out[name] = 0.0 if stats.size == 0 else residual_rms(stats, pstar)
        return _rename(out, name)
    rms = residual_rms(stats, pstar)
    out[name] = rms
    tr2 = float(np.sum(acov * acov.T))
    tr1 = float(np.trace(acov))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        avar = tr2 / (tr1 * 2 * pstar)
        se = math.sqrt(avar) if (math.isfinite(avar) and avar >= np.finfo(float).eps) else nan
        e_rms = math.sqrt(tr1 / pstar) * (4 * tr1 * tr1 - tr2) / (4 * tr1 * tr1) if tr1 > 0 else nan
        z = max(rms - e_rms, 0.0) / se if math.isfinite(se) and math.isfinite(e_rms) else nan
        out[name + ".se"], out[name + ".exactfit.z"] = se, z
        out[name + ".exactfit.pvalue"] = 1.0 - float(special.ndtr(z)) if math.isfinite(z) else nan
        # R's arithmetic (a zero residual vector gives k = -Inf and usrmr 0, as lavaan)
        T = np.float64(stats @ stats)
        eve = np.float64(stats @ acov @ stats)
        k = 1.0 - (tr2 + 2 * eve) / (4 * T * T)
        urms = float((1.0 / k) * np.sqrt(max(T - tr1, 0.0) / pstar))
        uavar = float((1.0 / (k * k)) * (tr2 + 2 * eve) / (2 * pstar * T))
        use = math.sqrt(uavar) if (math.isfinite(uavar) and uavar >= np.finfo(float).eps) else nan
    a = (1 - level) / 2
    fac_lo, fac_hi = float(special.ndtri(a)), float(special.ndtri(1 - a))
    u = "u" + name
    out[u], out[u + ".se"] = urms, use
    out[u + ".ci.lower"], out[u + ".ci.upper"] = urms + use * fac_lo, urms + use * fac_hi
    uz = (urms - test_val) / use if (math.isfinite(use) and math.isfinite(urms)) else nan
    out[u + ".closefit.z"] = uz
    out[u + ".closefit.pvalue"] = 1.0 - float(special.ndtr(uz)) if math.isfinite(uz) else nan
    return _rename(out, name)


def _rename(out: dict, name: str) -> dict:
    if name == "crmr":
        out = {("ucrmr.cilupper" if k == "ucrmr.ci.upper" else k): v for k, v in out.items()}
    return out


def _summary(res: Any, grp: _Group, resid: dict, acov: np.ndarray, type: str, ordinal: bool) -> pd.DataFrame:
    """lavaan's ``lav_residuals_summary`` of one group (columns cov [mean total], or cor thresholds total)."""
    name = _SUMMARY_NAME[type]
    p = len(grp.names)
    cols = {}
    if ordinal:
        from .ordinal import pair_index
        nth = len(grp.th_names)
        i, j = pair_index(p)
        cov = resid["cov"][j, i]
        extra = 0 if type == "cor.bollen" else p
        cols["cor"] = _rms_summary(cov, acov[nth:, nth:], len(cov) + extra, name)
        cols["thresholds"] = _rms_summary(resid["th"], acov[:nth, :nth], nth, name)
        tot = np.concatenate([cov, resid["th"]])          # lavaan: [cov; th] against an ACOV ordered [th; cov]
        cols["total"] = _rms_summary(tot, acov, len(tot) + extra, name)
    else:
        r, c = vech_indices(p)
        cov = resid["cov"][r, c]
        minus = p if type == "cor.bollen" else 0
        ms = "mean" in resid
        cols["cov"] = _rms_summary(cov, acov[p:, p:] if ms else acov, len(cov) - minus, name)
        if ms:
            cols["mean"] = _rms_summary(resid["mean"], acov[:p, :p], p, name)
            tot = np.concatenate([resid["mean"], cov])
            cols["total"] = _rms_summary(tot, acov, len(tot) - minus, name)
    return pd.DataFrame(cols)


def lav_residuals(res: Any, type: str = "cor.bentler", data: pd.DataFrame | None = None, *,
                  se: bool = False, zstat: bool = True, summary: bool = True):
    """lavaan's ``lavResiduals(fit, type = type, se = se, zstat = zstat, summary = summary)``: per group
    ``{"type", "cov", ["mean"], ["th"], ["cov.se" ...], "cov.z" ..., "summary"}`` (several groups: a dict by
    group label).  ``type``: cor.bentler (default), cor.bollen / cor, raw.  The standard errors are the
    delta-method ones of the module docstring (robust with MLR: lavaan's sandwich ACOV of the sample moments);
    ``summary`` a DataFrame with lavaan's rows (``srmr``, ``srmr.se``, ``srmr.exactfit.z``, ... ``usrmr``,
    ``usrmr.se``, ``usrmr.ci.lower``, ``usrmr.ci.upper``, ``usrmr.closefit.h0.value``, ``usrmr.closefit.z``,
    ``usrmr.closefit.pvalue``; ``crmr`` / ``rmr`` after the type) and columns ``cov`` [``mean`` ``total``]
    (ordered items: ``cor thresholds total``).  ``data`` as for :func:`residuals`.

    >>> import numpy as np, pandas as pd
    >>> from iur_survey.sem import sem
    >>> rng = np.random.default_rng(7)
    >>> d = pd.DataFrame(rng.standard_normal((200, 1)) @ [[1, .8, .6, .5]] + rng.standard_normal((200, 4)),
    ...                  columns=list("abcd"))
    >>> lr = lav_residuals(sem("F =~ a + b + c + d", d), se=True)
    >>> list(lr), lr["summary"].index[:4].tolist()
    (['type', 'cov', 'cov.se', 'cov.z', 'summary'], ['srmr', 'srmr.se', 'srmr.exactfit.z', 'srmr.exactfit.pvalue'])
    """
    type = _check_type(type)
    if type not in ("raw", "cor.bentler", "cor.bollen"):
        _refuse(f"lav_residuals type must be raw, cor.bentler or cor.bollen (not {type!r})")
    res._warn_unconverged("lav_residuals()")
    groups = _groups(res)
    ordinal = _is_ordinal(res)
    acovs = residual_acov(res, data, type=type) if (se or zstat or summary) else None
    outs = []
    for g, grp in enumerate(groups):
        resid = _raw_residuals(grp, type)
        out = {"type": type, **_frame(grp, resid)}
        if acovs is not None:
            sep = _se_parts(res, grp, acovs[g], ordinal)
            if se:
                out.update(_frame(grp, sep, ".se"))
            if zstat:
                out.update(_frame(grp, {k: _divide(resid[k], sep[k], 1e-4) for k in resid}, ".z"))
            if summary:
                out["summary"] = _summary(res, grp, resid, acovs[g], type, ordinal)
        outs.append(out)
    return _per_group(res, outs)


def largest_residuals(res: Any, n: int = 5, data: pd.DataFrame | None = None) -> pd.DataFrame:
    """The ``n`` largest standardized covariance residuals in absolute value (lavaan's ``residuals(fit,
    type = "standardized")``, off-diagonal and diagonal cells once): columns ``lhs op rhs [group] std.res``.

    >>> import numpy as np, pandas as pd
    >>> from iur_survey.sem import sem
    >>> rng = np.random.default_rng(2)
    >>> d = pd.DataFrame(rng.standard_normal((120, 1)) @ [[1, .8, .7, .6]] + rng.standard_normal((120, 4)),
    ...                  columns=list("abcd"))
    >>> largest_residuals(sem("F =~ a + b + c + d", d), n=2).columns.tolist()
    ['lhs', 'op', 'rhs', 'std.res']
    """
    r = residuals(res, "standardized", data)
    per = r if res.partable.ngroups > 1 else {None: r}
    rows = []
    for lab, gr in per.items():
        C = gr["cov"]
        names = list(C.index)
        rr, cc = vech_indices(len(names))
        for i, j in zip(rr, cc):
            row = {"lhs": names[j], "op": "~~", "rhs": names[i]}
            if lab is not None:
                row["group"] = lab
            row["std.res"] = float(C.iat[i, j])
            rows.append(row)
    out = pd.DataFrame(rows)
    order = np.argsort(-np.abs(out["std.res"].fillna(0).to_numpy()), kind="stable")
    return out.iloc[order[:n]].reset_index(drop=True)

