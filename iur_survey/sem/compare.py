"""Comparing fitted models: chi-square difference (likelihood-ratio) tests and Wald tests, as lavaan 0.6.14.

* :func:`lrt` is lavaan's ``lavTestLRT(fit1, fit2, ...)``: the models are sorted by their degrees of
  freedom and each one is compared with the next less restricted one.  For ML (complete data or FIML) the
  difference of the standard chi-squares with its RMSEA (lavaan's ``RMSEA`` column); when the fits carry a
  scaled test (``estimator="MLR"``: Yuan-Bentler, Mplus variant) the scaled difference test of Satorra &
  Bentler (2001), lavaan's default, or with ``method="satorra.bentler.2010"`` the strictly positive version of
  Satorra & Bentler (2010), which evaluates the less restricted model at the estimates of the more restricted
  one (lavaan's ``M10``).  For WLSMV fits (ordered items: the scaled-shifted test) lavaan's default is the
  scaled-shifted difference test of Satorra (2000) (``method="satorra.2000"``), as here;
  ``"satorra.bentler.2001"`` can be asked for.
* :func:`wald_test` is lavaan's ``lavTestWald(fit, constraints)``: ``W = r' (J V J')^-1 r`` for constraints
  ``r(theta) = 0`` written as ``"a1.g1 == a1.g2; a1.g1 == a1.g3"`` (labels, lavaan's ``.pN.`` names and
  ``:=`` names), ``J`` their Jacobian, ``V`` the fit's covariance matrix of the estimates (robust for MLR).
* :func:`wald_equal_paths` tests, for each structural path of a multi-group fit, that it is the same in every
  group (``G - 1`` constraints, df = G - 1), without any label to write.
* :func:`group_specific_labels` rewrites a syntax whose labels would force equality across groups
  (``COL ~ a1*GOV``: in a multi-group lavaan model one label means one parameter) into one label per group
  (``c(a1.g1, a1.g2, ...)*GOV``), ``:=`` and ``==`` lines expanded per group.

>>> import numpy as np, pandas as pd
>>> from iur_survey.sem import sem
>>> rng = np.random.default_rng(11)
>>> f = rng.standard_normal((400, 1))
>>> X = f @ [[1.0, 0.9, 0.8, 0.7]] + rng.standard_normal((400, 4)) * 0.7
>>> d = pd.DataFrame(X, columns=["x1", "x2", "x3", "x4"])
>>> free = sem("F =~ x1 + x2 + x3 + x4", d)
>>> tau = sem("F =~ x1 + a*x2 + a*x3 + a*x4", d)
>>> tab = lrt(free, tau, model_names=["congeneric", "tau"])
>>> list(tab.columns)
['Df', 'AIC', 'BIC', 'Chisq', 'Chisq diff', 'RMSEA', 'Df diff', 'Pr(>Chisq)']
>>> int(tab.loc["tau", "Df diff"]), bool(tab.loc["tau", "Chisq diff"] > 0)
(2, True)
"""

from __future__ import annotations

import re
import warnings as _warnings
from types import SimpleNamespace
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from .._threads import blas_threads
from ..errors import EstimationError, ModelSyntaxError
from .defined import DefinedFunction, from_partable
from .fitmeasures import chisq_pvalue, rmsea
from .results import SEMResult
from .syntax import parse_expression, split_pairs
from .table import fitted_data, group_text  # noqa: F401 (fitted_data re-exported)

__all__ = ["lrt", "lav_test_diff_satorra2000", "wald_test", "wald_equal_paths", "equal_paths_summary",
           "group_path_tests", "group_specific_labels", "holm",
           "LRT_METHODS", "SATORRA2000_SCALED_SHIFTED", "lavtestlrt_args"]

#: the difference-test methods :func:`lrt` knows (lavaan's names)
LRT_METHODS = ("default", "standard", "satorra.bentler.2001", "satorra.bentler.2010", "satorra.2000")
#: lavaan's scaled tests whose default difference test is Satorra-Bentler (2001); any other scaled test
#: (WLSMV's "scaled.shifted") defaults to Satorra (2000)
_SB_TESTS = ("satorra.bentler", "yuan.bentler", "yuan.bentler.mplus")
#: the name results.json gives the difference test of the ordinal (WLSMV) invariance sequence: Satorra (2000),
#: scaled-shifted (:func:`lav_test_diff_satorra2000`); the ML/MLR sequence writes :func:`lrt`'s method names
SATORRA2000_SCALED_SHIFTED = "satorra.2000 (scaled.shifted)"


def lavtestlrt_args(method: str | None) -> dict:
    """lavaan's ``lavTestLRT()`` arguments (after the fits) for a difference-test name this package writes:
    one of :data:`LRT_METHODS` or ``"satorra.2000 (scaled.shifted)"`` / ``"satorra.2000 (scaled)"``.
    ``"default"`` and ``"standard"`` (what :func:`lrt` reports for unscaled, ML, fits) ask for nothing:
    lavaan's default.  Any other name is a ``ValueError``.

    >>> lavtestlrt_args(SATORRA2000_SCALED_SHIFTED)
    {'method': 'satorra.2000', 'scaled.shifted': True}
    >>> lavtestlrt_args("satorra.bentler.2001"), lavtestlrt_args("standard")
    ({'method': 'satorra.bentler.2001'}, {})
    """
    m = "default" if method is None else str(method).strip().lower()
    base, _, variant = m.partition(" ")
    variant = variant.strip("() ")
    if base in ("default", "standard") and not variant:
        return {}
    if base in ("satorra.bentler.2001", "satorra.bentler.2010") and not variant:
        return {"method": base}
    if base == "satorra.2000" and variant in ("", "scaled.shifted", "scaled"):
        return {"method": "satorra.2000", "scaled.shifted": variant != "scaled"}
    raise ValueError(f"difference-test method {method!r}: not one of {', '.join(LRT_METHODS)}, "
                     f"{SATORRA2000_SCALED_SHIFTED!r}, 'satorra.2000 (scaled)'")

_NOTE = ('The "Chisq" column contains standard test statistics, not the robust test that should be reported '
         'per model. A robust difference test is a function of two standard (not robust) statistics.')


# ============================================================================================ helpers
def _fm(res: SEMResult, key: str, default=float("nan")) -> float:
    f = res.fit_measures()
    return float(f[key]) if key in f.index else default


def _is_scaled(res: SEMResult) -> bool:
    return "chisq.scaling.factor" in res.fit_measures().index


def _test_name(res: SEMResult) -> str:
    """lavaan's name of a fit's robust test (:meth:`SEMResult.test_name`)."""
    return res.test_name()


def _wlsmv_parts(res: SEMResult):
    """What :func:`lav_test_diff_satorra2000` reads of a WLSMV fit (``chisq``, ``df``,
    ``delta``, ``e_inv`` and the per-group sample statistics ``stats``), for one group or several."""
    meta = res.meta if isinstance(res.meta, dict) else {}
    groups = meta.get("wlsmv_groups")
    if groups is not None and groups.delta is not None and groups.e_inv is not None and groups.stats:
        return groups
    one = meta.get("wlsmv")
    if one is None or one.delta is None or one.e_inv is None or one.stats is None:
        raise EstimationError(None, 'method = "satorra.2000" needs WLSMV fits of iur_survey.sem.sem '
                                    "(ordered items) that keep their estimation record")
    return SimpleNamespace(chisq=_fm(res, "chisq"), df=int(one.df), delta=one.delta, e_inv=one.e_inv,
                           stats=[one.stats])


def _satorra2000(m1: SEMResult, m0: SEMResult) -> dict:
    """Satorra's (2000) scaled-shifted difference test of ``m0`` (restricted) against ``m1``, lavaan's
    ``lav_test_diff_Satorra2000(m1, m0, H1 = TRUE, A.method = "delta", scaled.shifted = TRUE)``: both fits
    must rest on the same sample statistics (same data, rows, items and groups)."""
    p1, p0 = _wlsmv_parts(m1), _wlsmv_parts(m0)
    same = len(p1.stats) == len(p0.stats) and all(
        a.n == b.n and a.wls_obs.shape == b.wls_obs.shape and np.allclose(a.wls_obs, b.wls_obs, rtol=0, atol=1e-12)
        for a, b in zip(p1.stats, p0.stats))
    if not same:
        raise EstimationError(None, 'method = "satorra.2000": the two WLSMV fits do not rest on the same sample '
                                    "statistics (different data, rows, items or groups): the models are not nested")
    return lav_test_diff_satorra2000(p1, p0)


def lav_test_diff_satorra2000(res1, res0) -> dict:
    """lavaan's scaled-shifted difference test of Satorra (2000) (``lav_test_diff_Satorra2000(m1, m0, H1 =
    TRUE, A.method = "delta", scaled.shifted = TRUE)``, lavTestLRT's default for WLSMV) of a restricted WLSMV
    estimation record ``res0`` against ``res1``: objects with ``chisq`` and ``df`` (the standard test),
    ``delta`` (the stacked Jacobian of the sample statistics, in the fit's free parameters), ``e_inv`` (the
    inverse of ``sum_g f_g Delta_g' W_g Delta_g``) and ``stats`` (per group: ``n``, ``wls_vd``, ``gamma``), e.g.
    :class:`~iur_survey.sem.wlsmv_groups.WLSMVGroupsFit` (a fit's ``meta["wlsmv_groups"]``); :func:`lrt`
    builds them for one-group fits too.

    ``A`` is the orthogonal complement of ``H = Delta1^+ Delta0`` (the restrictions, lavaan's ``A.method =
    "delta"``), ``U = W Delta1 P^-1 A' (A P^-1 A')^+ A P^-1 Delta1' W``; ``T = a (T0 - T1) + b`` with
    ``a = sqrt(m / tr((U Gamma)^2))``, ``b = m - a tr(U Gamma)``, ``m`` the df difference.

    Returns ``chisq_diff``, ``df_diff``, ``pvalue``, ``a``, ``b``, ``trace_ugamma``, ``trace_ugamma2``
    (NaN statistic and p when a model is not identified: no finite ``e_inv``, or no positive trace).

    >>> from iur_survey.sem import sem
    >>> rng = np.random.default_rng(12)
    >>> y = rng.normal(size=(500, 1)) @ [[.8, .7, .6, .7]] + rng.normal(size=(500, 4)) * .6
    >>> d = pd.DataFrame(np.digitize(y, [-1, 0, 1]), columns=["a", "b", "c", "e"])
    >>> d["G"] = np.where(np.arange(500) < 300, "x", "y")
    >>> m1 = sem("F =~ a + b + c + e", d, ordered=True, group="G")
    >>> m0 = sem("F =~ a + b + c + e", d, ordered=True, group="G", group_equal=["loadings"])
    >>> t = lav_test_diff_satorra2000(m1.meta["wlsmv_groups"], m0.meta["wlsmv_groups"])
    >>> t["df_diff"], bool(0 <= t["pvalue"] <= 1)
    (3, True)
    """
    with blas_threads():
        return _satorra2000_diff(res1, res0)


def _satorra2000_diff(res1, res0) -> dict:
    from scipy import linalg                               # lazy: scipy stays off the plain-fit import path

    T1, r1 = res1.chisq, res1.df
    T0, r0 = res0.chisq, res0.df
    m = r0 - r1
    if m == 0:
        return {"chisq_diff": T0 - T1, "df_diff": 0, "pvalue": np.nan, "a": np.nan, "b": np.nan}
    if not (np.all(np.isfinite(res1.e_inv)) and np.all(np.isfinite(res0.e_inv))):   # a model not identified
        return {"chisq_diff": np.nan, "df_diff": int(m), "pvalue": np.nan, "a": np.nan, "b": np.nan}
    D1, D0 = res1.delta, res0.delta
    H = np.linalg.lstsq(D1, D0, rcond=None)[0]            # (D1'D1)^-1 D1' D0
    A = linalg.null_space(H.T).T                          # orthogonal complement of span(H)
    Pinv = res1.e_inv
    APA = A @ Pinv @ A.T
    M = Pinv @ A.T @ np.linalg.pinv(APA) @ A @ Pinv
    st = res1.stats
    ng = np.array([s.n for s in st], dtype=float)
    fg = ng / ng.sum()
    off = np.cumsum([0] + [s.wls_obs.size for s in st])
    tr1 = 0.0
    for g, s in enumerate(st):
        Dg = D1[off[g]:off[g + 1]]
        W = s.wls_vd
        WG = W[:, None] * s.gamma * W[None, :]
        tr1 += fg[g] * float(np.sum(WG * (Dg @ M @ Dg.T).T))
    V = np.concatenate([s.wls_vd for s in st])
    Gam = linalg.block_diag(*[fg[g] * st[g].gamma for g in range(len(st))])
    U = V[:, None] * (D1 @ M @ D1.T) * V[None, :]
    UG = U @ Gam
    tr2 = float(np.sum(UG * UG.T))
    if not (np.isfinite(tr2) and tr2 > 0):      # no scaling (e.g. a model not identified): no test, never a crash
        return {"chisq_diff": np.nan, "df_diff": int(m), "pvalue": np.nan, "a": np.nan, "b": np.nan,
                "trace_ugamma": tr1, "trace_ugamma2": tr2}
    a = np.sqrt(m / tr2)
    b = m - a * tr1
    T = (T0 - T1) * a + b
    return {"chisq_diff": float(T), "df_diff": int(m), "pvalue": chisq_pvalue(T, m), "a": float(a),
            "b": float(b), "trace_ugamma": tr1, "trace_ugamma2": tr2}



def _rmsea_delta(X2: np.ndarray, df: np.ndarray, N: float, G: int) -> np.ndarray:
    """lavaan's lav_fit_rmsea(X2, df, N, G) per row (:func:`iur_survey.sem.fitmeasures.rmsea`)."""
    return np.array([rmsea(x, d, N, G=G) for x, d in zip(X2, df)], dtype=float)


def _theta_at(res1: SEMResult, res0: SEMResult) -> np.ndarray:
    """res1's free-parameter vector holding res0's estimates (rows matched by lhs, op, rhs, group), as
    lavaan's ``lav_test_diff_m10`` starts M1 from M0's estimates.  A free parameter of res1 that res0's table
    lacks (a path or covariance res0 leaves out: fixed at zero there) is 0, lavaan's start of the rows of
    ``lav_partable_full(M0, start = TRUE)``: M10 is M1 at M0's solution, whose implied moments are M0's."""
    pt1, pt0 = res1.partable, res0.partable
    est0 = {(pt0.lhs[i], pt0.op[i], pt0.rhs[i], pt0.group[i]): res0.est[i] for i in range(len(pt0))
            if pt0.op[i] not in (":=", "==", "<", ">")}
    theta = np.array(res1.theta, float, copy=True)
    cols = res1.theta_index()
    for i in range(len(pt1)):
        k = cols[i]
        if k < 0:
            continue
        key = (pt1.lhs[i], pt1.op[i], pt1.rhs[i], pt1.group[i])
        rev = (pt1.rhs[i], pt1.op[i], pt1.lhs[i], pt1.group[i])
        if key in est0:
            theta[k] = est0[key]
        elif pt1.op[i] == "~~" and rev in est0:
            theta[k] = est0[rev]
        else:
            theta[k] = 0.0
    return theta


def _scaling_factor_at(res: SEMResult, theta: np.ndarray, Xg: list[np.ndarray], chisq: float, df: float
                       ) -> tuple[float, bool]:
    """The Yuan-Bentler (Mplus) scaling factor of ``res``'s model evaluated at ``theta`` (lavaan's M10 test:
    the same information choices as the fit: observed (Hessian) or expected, structured first-order meat), and
    whether that information matrix is positive definite (lavaan's check in lav_test_diff_SatorraBentler2010:
    no eigenvalue below ``-eps^(3/4)``; the observed information away from the fit's own optimum need not be)."""
    from .api import _observed_information, _x_all_idx
    from .constraints import LinearConstraints
    from .fiml import SampleStats
    from .fiml import information_expected as fiml_info_expected
    from .table import is_fiml
    from .ml import complete_stats, ml_information_expected
    from .robust import robust_measures

    pt, model = res.partable, res.model
    G = pt.ngroups
    ms = bool(pt.meanstructure)
    rp = LinearConstraints(pt, model.row_values(theta))
    implied = model.implied_all(theta)
    fiml = is_fiml(res.missing)
    stats = [SampleStats(X) for X in Xg]
    if fiml or ms:
        mus = [m for _, m in implied]
    else:
        cs = complete_stats(Xg)
        mus = [cs.mean[g] for g in range(G)]
    if res.information == "observed":
        info = _observed_information(model, theta, stats, mus, ms or fiml)
    elif fiml:
        N = float(sum(s.n for s in stats))
        info = sum((s.n / N) * (lambda D: D.T @ fiml_info_expected(s, *implied[g], meanstructure=True) @ D)(
            model.delta(theta, g, meanstructure=True)) for g, s in enumerate(stats))
    else:
        info = ml_information_expected(model, theta, complete_stats(Xg))
    Deltas = [model.delta(theta, g, meanstructure=(True if fiml else None)) @ rp.K for g in range(G)]
    one = (lambda x: x) if G > 1 else (lambda x: x[0])
    data = stats if fiml else [np.asarray(X, float) for X in Xg]
    rob = robust_measures(one(data), Sigma=one([s for s, _ in implied]),
                          mu=one([m for _, m in implied]) if (ms or fiml) else one([None] * G),
                          Delta=one(Deltas), information=rp.info(info), chisq=chisq, df=int(df),
                          estimator="MLR", meanstructure=ms or fiml, npar_h0=pt.nfree,
                          x_idx=[_x_all_idx(pt, g) for g in range(G)], fixed_x=pt.fixed_x,
                          fiml=True if fiml else None, information_type=res.information)
    ev = np.linalg.eigvalsh(0.5 * (info + info.T)) if np.all(np.isfinite(info)) else np.array([np.nan])
    return float(rob.test.scaling_factor), bool(np.all(ev >= -np.finfo(float).eps ** 0.75))


# ============================================================================================ lrt
def lrt(*fits: SEMResult, method: str = "default", model_names: Sequence[str] | None = None,
        data: pd.DataFrame | None = None, warn: bool = True) -> pd.DataFrame:
    """Chi-square difference tests of nested models: lavaan's ``lavTestLRT(fit1, fit2, ...)``.

    The fits are sorted by their degrees of freedom (as lavaan) and each is tested against the one before
    it.  Returns a DataFrame indexed by model name with lavaan's columns ``Df AIC BIC Chisq "Chisq diff"
    ["RMSEA"] "Df diff" "Pr(>Chisq)"``; the ``RMSEA`` column (the RMSEA of the difference, lavaan's
    ``lav_fit_rmsea(Chisq diff, Df diff, N, G)``) exists only for the unscaled test, as in lavaan.
    ``Chisq`` is always the *standard* statistic of each model.

    ``method``: ``"default"`` (lavaan's choice by the first fit's test: standard difference for ML;
    ``"satorra.bentler.2001"`` when the fits have a Yuan-Bentler / Satorra-Bentler scaled test, i.e.
    ``estimator="MLR"``; ``"satorra.2000"`` for WLSMV's scaled-shifted test), ``"satorra.2000"`` (Satorra's
    2000 scaled-shifted difference test, :func:`lav_test_diff_satorra2000`, WLSMV fits only; ``table.attrs``
    then also holds lavaan's ``scale`` (a) and ``shift`` (b) per row), ``"standard"`` (plain difference
    even for MLR... lavaan refuses this: here it is allowed for the record), ``"satorra.bentler.2001"``:
    ``T = (T0 - T1) / cd``, ``cd = (df0 c0 - df1 c1) / (df0 - df1)``, or ``"satorra.bentler.2010"``: ``cd =
    (df0 c0 - df1 c10) / (df0 - df1)`` with ``c10`` the scaling factor of the less restricted model evaluated
    at the more restricted model's estimates (needs the data: ``data=`` the DataFrame given to ``sem()``,
    unless the fits keep it in ``meta["data"]``; MLR fits only).  A method this module does not have for
    the fits' estimator (``"satorra.2000"`` on MLR fits, ``"satorra.bentler.2010"`` on WLSMV fits) stops
    with an :class:`~iur_survey.errors.EstimationError`.

    ``model_names`` name the fits in the order given (default ``model1``, ``model2``, ...).  lavaan's
    warnings (a restricted model fitting better, equal df, models that did not converge, different
    variables) are issued as Python warnings (``warn=True``) and kept in ``table.attrs["warnings"]``;
    ``table.attrs`` also holds ``method`` and ``heading``.

    >>> import numpy as np, pandas as pd
    >>> from iur_survey.sem import sem
    >>> rng = np.random.default_rng(5)
    >>> X = rng.standard_normal((300, 1)) @ [[1.0, 0.8, 0.6]] + rng.standard_normal((300, 3)) * 0.6
    >>> d = pd.DataFrame(X, columns=["a", "b", "c"])
    >>> t = lrt(sem("F =~ a + b + c", d), sem("F =~ a + 1*b + 1*c", d), model_names=["free", "fixed"])
    >>> t[["Df", "Df diff"]].to_dict("list")
    {'Df': [0, 2], 'Df diff': [nan, 2.0]}
    """
    if len(fits) < 2:
        raise EstimationError(None, "lrt() compares two or more fitted models")
    for f in fits:
        if not isinstance(f, SEMResult):
            raise TypeError("lrt() takes SEMResult objects (fits of iur_survey.sem.sem)")
    names = list(model_names) if model_names is not None else [f"model{k + 1}" for k in range(len(fits))]
    if len(names) != len(fits) or len(set(names)) != len(names):
        raise ValueError("model_names needs one distinct name per fit")
    meth = str(method).lower().replace("_", ".").replace("-", ".")
    if meth not in LRT_METHODS:
        raise ValueError(f"method={method!r}: use one of {', '.join(LRT_METHODS)}")
    warns: list[str] = []
    first = fits[0]
    from .table import is_fiml, keeps_x_rows
    kept = {keeps_x_rows(f.missing) for f in fits if is_fiml(f.missing)}
    if len(kept) > 1 and len({tuple(int(n) for n in f.nobs) for f in fits}) > 1:
        raise EstimationError(None, "the fits do not use the same rows: missing='fiml' (lavaan's 'ml') deletes the "
                                    "rows missing an observed covariate, 'ml.x' keeps them (nobs "
                                    f"{', '.join(str(list(f.nobs)) for f in fits)}); refit with the same missing=")
    ntotal = float(first.n)
    ngroups = first.partable.ngroups
    dfs = np.array([_fm(f, "df") for f in fits])
    order = np.argsort(dfs, kind="stable")
    mods = [fits[k] for k in order]
    names = [names[k] for k in order]
    ndf = dfs[order]
    ovs = [sorted(m.partable.ov_all()) for m in mods]
    if any(o != ovs[0] for o in ovs):
        warns.append("some models are based on a different set of observed variables")
    if not all(m.converged for m in mods):
        warns.append("not all models converged")
    scaled_flags = np.array([_is_scaled(m) for m in mods])
    if np.all(scaled_flags | (ndf == 0)) and scaled_flags.any():
        scaled = True
    elif not scaled_flags.any():
        scaled = False
    else:
        raise EstimationError(None, "some models (but not all) have scaled test statistics")
    test = _test_name(first)                     # lavaan: object@test[[2]]$test of the first fit given
    if meth == "default":
        meth = ("satorra.bentler.2001" if test in _SB_TESTS else "satorra.2000") if scaled else "standard"
    elif meth in ("satorra.bentler.2001", "satorra.bentler.2010", "satorra.2000") and not scaled:
        warns.append(f'method = "{meth}" but no robust test statistics were used; switching to the standard '
                     "chi-square difference test")
        meth = "standard"
    if scaled and meth == "satorra.2000" and test in _SB_TESTS:
        raise EstimationError(None, 'method = "satorra.2000" is available here for WLSMV fits (ordered items) only; '
                                    'for MLR fits use "satorra.bentler.2001" (lavaan\'s default) or '
                                    '"satorra.bentler.2010"')
    if scaled and meth == "satorra.bentler.2010" and test not in _SB_TESTS:
        raise EstimationError(None, 'method = "satorra.bentler.2010" is available here for MLR fits only; for '
                                    'WLSMV fits use "satorra.2000" (lavaan\'s default) or "satorra.bentler.2001"')
    if meth == "standard":
        scaled = False
    ms = [bool(m.partable.meanstructure) for m in mods]
    if any(ms) and not all(ms):
        raise EstimationError(None, "some models (but not all) have a meanstructure")
    stat = np.array([_fm(m, "chisq") for m in mods])
    stat_d = np.concatenate([[np.nan], np.diff(stat)])
    df_d = np.concatenate([[np.nan], np.diff(ndf)])
    rmsea_d = None
    if not scaled:
        rmsea_d = np.concatenate([[np.nan], _rmsea_delta(stat_d[1:], df_d[1:], ntotal, ngroups)])
    if np.any(stat_d[1:] < -np.finfo(float).eps ** (1 / 3)):
        warns.append("Some restricted models fit better than less restricted models; either these models are "
                     "not nested, or the less restricted model failed to reach a global optimum. Smallest "
                     f"difference = {np.nanmin(stat_d[1:])}")
    a_d = np.full(len(mods), np.nan)
    b_d = np.full(len(mods), np.nan)
    if scaled and meth == "satorra.2000":
        for k in range(len(mods) - 1):
            out_k = _satorra2000(mods[k], mods[k + 1])
            stat_d[k + 1], df_d[k + 1] = out_k["chisq_diff"], out_k["df_diff"]
            if out_k["df_diff"] and not np.isfinite(out_k["chisq_diff"]):
                warns.append(f"the scaled-shifted difference test of {names[k + 1]} against {names[k]} cannot be "
                             "computed (is a model not identified?)")
            a_d[k + 1], b_d[k + 1] = out_k["a"], out_k["b"]
    elif scaled:
        cache: dict[int, list[np.ndarray]] = {}
        for k in range(len(mods) - 1):
            m1, m0 = mods[k], mods[k + 1]
            T1, r1, c1 = stat[k], ndf[k], _fm(m1, "chisq.scaling.factor")
            T0, r0, c0 = stat[k + 1], ndf[k + 1], _fm(m0, "chisq.scaling.factor")
            if r1 == 0:
                c1 = 1.0
            m = r0 - r1
            if m == 0:
                stat_d[k + 1], df_d[k + 1] = T0 - T1, 0.0
                continue
            if meth == "satorra.bentler.2001":
                cd = (r0 * c0 - r1 * c1) / m
                if cd < 0:
                    warns.append("scaling factor is negative")
                    cd = float("nan")
            else:  # satorra.bentler.2010
                if r0 == 0:
                    c0 = 1.0
                if id(m1) not in cache:
                    cache[id(m1)] = fitted_data(m1, data)
                c10, pd_info = _scaling_factor_at(m1, _theta_at(m1, m0), cache[id(m1)], T0, r1)
                if not pd_info:             # lavaan's warning, its wording
                    warns.append(f"information matrix of the M10 model is not positive definite ({names[k]} "
                                 f"evaluated at the estimates of {names[k + 1]}): the scaled difference may be "
                                 "negative or meaningless")
                cd = (r0 * c0 - r1 * c10) / m
            stat_d[k + 1] = (T0 - T1) / cd if np.isfinite(cd) else float("nan")
            if not np.isfinite(cd) and not (np.isfinite(c0) and np.isfinite(c1)):
                bad = [n for n, c in ((names[k], c1), (names[k + 1], c0)) if not np.isfinite(c)]
                warns.append(f"the scaled difference test of {names[k + 1]} against {names[k]} cannot be computed: "
                             f"{' and '.join(bad)} {'has' if len(bad) == 1 else 'have'} no scaling factor "
                             "(chisq.scaled is NA: see the fit's warnings)")
            df_d[k + 1] = m
    pval = np.atleast_1d(chisq_pvalue(stat_d, df_d))
    pval[0] = np.nan
    aic = np.array([_fm(m, "aic") for m in mods])
    bic = np.array([_fm(m, "bic") for m in mods])
    cols = {"Df": ndf.astype(int), "AIC": aic, "BIC": bic, "Chisq": stat, "Chisq diff": stat_d}
    if rmsea_d is not None:
        cols["RMSEA"] = rmsea_d
    cols["Df diff"] = df_d
    cols["Pr(>Chisq)"] = pval
    out = pd.DataFrame(cols, index=pd.Index(names, name="model"))
    same = np.flatnonzero(out["Df diff"].to_numpy() == 0)
    if len(same):
        out.iloc[same, out.columns.get_loc("Pr(>Chisq)")] = np.nan
        warns.append("some models have the same degrees of freedom")
    if scaled:
        heading = f'Scaled Chi-Squared Difference Test (method = "{meth}")\n\nlavaan NOTE:\n  {_NOTE}'
    else:
        heading = "Chi-Squared Difference Test"
    out.attrs["method"] = meth
    out.attrs["heading"] = heading
    if scaled and meth == "satorra.2000":           # lavaan's attributes "scale" (a) and "shift" (b)
        out.attrs["scale"] = a_d.tolist()
        out.attrs["shift"] = b_d.tolist()
    out.attrs["warnings"] = warns
    if warn:
        for w in warns:
            _warnings.warn(w, stacklevel=2)
    return out


# ============================================================================================ Wald
def _split_constraints(constraints: str | Iterable[str]) -> list[tuple[str, str]]:
    if isinstance(constraints, str):
        parts = re.split(r"[;\n]", constraints)
    else:
        parts = list(constraints)
    messages = {"form": "constraint {!r}: write one 'lhs == rhs' per constraint",
                "empty": "constraint {!r} has an empty side", "none": "the constraints are empty"}
    return split_pairs((c.split("#", 1)[0] for c in parts), "==",
                       lambda kind, c: ModelSyntaxError(None, messages[kind].format(c)))


def _wald(theta: np.ndarray, V: np.ndarray, r: np.ndarray, J: np.ndarray) -> float:
    info_r = J @ V @ J.T
    try:
        sol = np.linalg.solve(info_r, r)
    except np.linalg.LinAlgError:
        raise EstimationError(None, "the constraints are redundant or involve parameters the model already "
                                    "constrains (J V J' is singular)") from None
    return float(r @ sol)


def wald_test(fit: SEMResult, constraints: str | Iterable[str]) -> pd.Series:
    """lavaan's ``lavTestWald(fit, constraints)``: Wald test of equality constraints on the estimates.

    ``constraints``: ``"a == b; c == 0"`` (``;`` or new lines between constraints) or a list of
    ``"lhs == rhs"`` strings; each side an expression of parameter labels (user labels, lavaan's
    ``.pN.`` names, ``:=`` names), numbers and ``+ - * / ^``.  ``W = r' (J V J')^-1 r`` with ``r`` the
    constraints' values at the estimates, ``J`` their Jacobian (complex step, as lavaan) and ``V`` the fit's
    covariance matrix of the estimates (robust for MLR); ``df`` the number of constraints.

    Returns a Series ``stat``, ``df``, ``p.value``, ``se`` (lavaan's names).

    >>> import numpy as np, pandas as pd
    >>> from iur_survey.sem import sem
    >>> rng = np.random.default_rng(3)
    >>> X = rng.standard_normal((500, 2))
    >>> d = pd.DataFrame({"x1": X[:, 0], "x2": X[:, 1], "y": 0.5 * X[:, 0] + 0.5 * X[:, 1] + rng.standard_normal(500)})
    >>> w = wald_test(sem("y ~ b1*x1 + b2*x2", d), "b1 == b2")
    >>> int(w["df"]), bool(w["p.value"] > 0.01)
    (1, True)
    """
    if fit.iterations and not fit.converged:
        raise EstimationError(None, "the model did not converge")
    pairs = _split_constraints(constraints)
    pt = fit.partable
    base = from_partable(pt, fit.est, fit.theta_index())     # each label's column of theta / vcov_theta
    cons = [(f"__wald{k}", ("bin", "-", parse_expression(lhs), parse_expression(rhs)))
            for k, (lhs, rhs) in enumerate(pairs)]
    known = set(base.index) | set(base.constants) | set(base.names)
    for (lhs, rhs) in pairs:
        for side in (lhs, rhs):
            for name in _names(parse_expression(side)):
                if name not in known:
                    raise ModelSyntaxError(None, f"unknown label {name!r} in constraint {lhs} == {rhs} "
                                                 "(use the model's labels, e.g. c(a1.g1, a1.g2)*x)")
    fn = DefinedFunction(base.defs + cons, base.index, base.constants, base.rows)
    k = len(cons)
    theta = np.asarray(fit.theta, float)
    r = fn(theta)[-k:]
    J = fn.jacobian(theta)[-k:]
    V = np.asarray(fit.vcov_theta, float)
    if V.size == 0 or not np.all(np.isfinite(V)):
        raise EstimationError(None, "the fit has no covariance matrix of the estimates (se='none' or failed)")
    W = _wald(theta, V, r, J)
    return pd.Series({"stat": W, "df": k, "p.value": chisq_pvalue(W, k), "se": fit.se_type},
                     dtype=object)


def _names(node) -> list[str]:
    kind = node[0]
    if kind == "var":
        return [node[1]]
    if kind == "neg":
        return _names(node[1])
    if kind == "bin":
        return _names(node[2]) + _names(node[3])
    if kind == "call":
        return _names(node[2])
    return []


_PATH = re.compile(r"^\s*([A-Za-z_.][\w.]*)\s*(=~|~~|~)\s*([A-Za-z_.][\w.]*)\s*$")


def _path_keys(fit: SEMResult, params) -> list[tuple[str, str, str]]:
    pt = fit.partable
    if params is None:
        keys = []
        for i in range(len(pt)):
            if pt.group[i] == 1 and pt.op[i] == "~":
                key = (pt.lhs[i], "~", pt.rhs[i])
                if key not in keys:
                    keys.append(key)
        if not keys:
            raise EstimationError(None, "the model has no structural path (~) to compare across groups")
        return keys
    if isinstance(params, str):
        params = [params]
    keys = []
    for p in params:
        m = _PATH.match(p)
        if m:
            key = (m.group(1), m.group(2), m.group(3))
        else:
            rows = [i for i in range(len(pt)) if pt.label[i] == p.strip() and pt.op[i] not in (":=", "==")]
            if not rows:
                raise ModelSyntaxError(None, f"{p!r} is neither a path ('COL ~ GOV') nor a label of the model")
            key = (pt.lhs[rows[0]], pt.op[rows[0]], pt.rhs[rows[0]])
        if key not in keys:
            keys.append(key)
    return keys


def wald_equal_paths(fit: SEMResult, params: str | Sequence[str] | None = None, *,
                     joint: bool = False) -> pd.DataFrame:
    """Is each path the same in every group?  One Wald test per path on a multi-group fit.

    For a path estimated in G groups the G - 1 constraints ``p.g1 == p.gk`` (k = 2..G) are tested with
    the fit's covariance matrix of the estimates (robust for MLR): the same statistic as lavaan's
    ``lavTestWald(fit, "a1.g1 == a1.g2; a1.g1 == a1.g3; ...")`` on a model with one label per group, and
    ``df = G - 1``.  ``params``: None (every structural path ``~`` of the model), or paths written
    ``"COL ~ GOV"`` (any of ``~ =~ ~~``) or labels of the model (the path carrying the label).  With
    ``joint=True`` a last row ``"(all)"`` tests every listed path at once.

    A path the model already constrains to be equal (a single label shared by every group, ``group_equal``,
    or an ``==`` line of the model: a difference without sampling variance) cannot be tested: its row has
    ``df = 0`` and a note; refit with :func:`group_specific_labels`.

    Returns one row per path: ``lhs op rhs``, ``est.<group>`` for every group, ``Wald``, ``df``, ``pvalue``
    and ``note``.

    >>> import numpy as np, pandas as pd
    >>> from iur_survey.sem import sem
    >>> rng = np.random.default_rng(4)
    >>> x = rng.standard_normal(600)
    >>> g = np.repeat(["a", "b"], 300)
    >>> y = np.where(g == "a", 0.2, 0.6) * x + rng.standard_normal(600)
    >>> res = sem("y ~ x", pd.DataFrame({"x": x, "y": y, "g": g}), group="g")
    >>> tab = wald_equal_paths(res)
    >>> tab[["lhs", "op", "rhs", "df"]].to_dict("records"), bool(tab.loc[0, "pvalue"] < 0.01)
    ([{'lhs': 'y', 'op': '~', 'rhs': 'x', 'df': 1}], True)
    """
    pt = fit.partable
    G = pt.ngroups
    if G < 2:
        raise EstimationError(None, "wald_equal_paths() needs a multi-group fit (sem(..., group=...))")
    if fit.iterations and not fit.converged:
        raise EstimationError(None, "the model did not converge")
    V = np.asarray(fit.vcov_theta, float)
    if V.size == 0 or not np.all(np.isfinite(V)):
        raise EstimationError(None, "the fit has no covariance matrix of the estimates (se='none' or failed)")
    theta = np.asarray(fit.theta, float)
    q = theta.size
    labels = [str(x) for x in pt.group_labels]
    where = {(pt.lhs[i], pt.op[i], pt.rhs[i], pt.group[i]): i for i in range(len(pt))}
    cols = fit.theta_index()            # a row's column of theta / vcov_theta (not par_index for WLSMV)
    recs = []
    all_rows = []
    for key in _path_keys(fit, params):
        rows = [where.get(key + (g,)) for g in range(1, G + 1)]
        if any(r is None for r in rows):
            raise EstimationError(None, f"{' '.join(key)} is not in every group of the model")
        rec = {"lhs": key[0], "op": key[1], "rhs": key[2]}
        for lab, r in zip(labels, rows):
            rec[f"est.{lab}"] = float(fit.est[r])
        idx = [int(cols[r]) for r in rows]
        R = []
        fixed = [lab for lab, k in zip(labels, idx) if k < 0]
        for k in idx[1:]:
            if idx[0] >= 0 and k >= 0 and k != idx[0]:
                row = np.zeros(q)
                row[idx[0]] += 1.0
                row[k] -= 1.0
                # a difference a model '==' line (not a shared label) already imposes: no sampling variance
                if row @ V @ row <= 1e-10 * (V[idx[0], idx[0]] + V[k, k]):
                    continue
                R.append(row)
        note = ""
        if fixed:
            note = f"fixed in group(s) {', '.join(fixed)}"
        elif len(R) < G - 1:
            note = ("constrained equal across groups by the model" if not R else
                    "partly constrained equal across groups by the model")
        if R:
            R = np.array(R)
            r = R @ theta
            W = _wald(theta, V, r, R)
            rec.update({"Wald": W, "df": len(R), "pvalue": chisq_pvalue(W, len(R)), "note": note})
            all_rows.extend(R)
        else:
            rec.update({"Wald": float("nan"), "df": 0, "pvalue": float("nan"), "note": note})
        recs.append(rec)
    if joint:
        rec = {"lhs": "(all)", "op": "", "rhs": ""}
        rec.update({f"est.{lab}": float("nan") for lab in labels})
        if all_rows:
            R = np.array(all_rows)
            W = _wald(theta, V, R @ theta, R)
            rec.update({"Wald": W, "df": len(R), "pvalue": chisq_pvalue(W, len(R)), "note": ""})
        else:
            rec.update({"Wald": float("nan"), "df": 0, "pvalue": float("nan"), "note": "nothing to test"})
        recs.append(rec)
    out = pd.DataFrame(recs)
    out["df"] = out["df"].astype(int)
    out.attrs["se"] = fit.se_type
    return out




def group_path_tests(fit: SEMResult) -> dict | None:
    """results.json's ``group_path_tests`` of a multi-group fit: :func:`wald_equal_paths` (``joint=True``) as plain
    values, so that a table of the paths by group can say which paths *differ* between the groups (a path
    significant in one group and not in another is no evidence of a difference).

    Returns None for one group or a model without ``~`` paths; otherwise ``{"test": "wald", "se": the covariance
    the statistic used, "paths": [{lhs, op, rhs, Wald, df, pvalue, pvalue.holm, note}], "joint": {Wald, df,
    pvalue, note}}``; a path the model constrains equal across groups has ``df`` 0, ``Wald``/``pvalue`` None
    and its note.  ``pvalue.holm``: Holm-adjusted over the tested paths (:func:`holm`).  A fit whose paths
    cannot be tested (no covariance matrix of the estimates, a path missing from a group) gives
    ``{"error": why}`` instead of the tests.

    >>> import numpy as np, pandas as pd
    >>> from iur_survey.sem import sem
    >>> rng = np.random.default_rng(4)
    >>> x = rng.standard_normal(600)
    >>> g = np.repeat(["a", "b"], 300)
    >>> y = np.where(g == "a", 0.2, 0.6) * x + rng.standard_normal(600)
    >>> t = group_path_tests(sem("y ~ x", pd.DataFrame({"x": x, "y": y, "g": g}), group="g"))
    >>> [(r["lhs"], r["rhs"], r["df"]) for r in t["paths"]], t["paths"][0]["pvalue"] < 0.01, t["joint"]["df"]
    ([('y', 'x', 1)], True, 1)
    """
    pt = fit.partable
    if pt.ngroups < 2 or not any(op == "~" for op in pt.op):
        return None

    def val(v):
        v = float(v)
        return v if np.isfinite(v) else None
    try:
        tab = wald_equal_paths(fit, joint=True)
    except EstimationError as e:
        return {"test": "wald", "error": e.message}
    summary = equal_paths_summary(tab)
    recs = [{"lhs": r["lhs"], "op": r["op"], "rhs": r["rhs"], "Wald": val(r["Wald"]), "df": int(r["df"]),
             "pvalue": val(r["pvalue"]), "pvalue.holm": val(r["holm"]), "note": str(r["note"] or "")}
            for _, r in summary["paths"].iterrows()]
    j = summary["joint"]
    return {"test": "wald", "se": str(tab.attrs.get("se", fit.se_type)), "paths": recs,
            "joint": {"Wald": val(j["Wald"]), "df": int(j["df"]), "pvalue": val(j["pvalue"]),
                      "note": str(j["note"] or "")}}


def holm(pvalues) -> list[float]:
    """Holm's (1979) step-down adjusted *p* values over the finite ones (NaN stays NaN and is not counted),
    by statsmodels' ``multipletests(method="holm")`` (R's ``p.adjust(method = "holm")``).

    >>> holm([0.01, float("nan"), 0.02])
    [0.02, nan, 0.02]
    """
    from statsmodels.stats.multitest import multipletests     # only here: keep statsmodels off the fit path

    p = np.asarray(pvalues, float)
    out = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    if ok.any():
        out[ok] = multipletests(p[ok], method="holm")[1]
    return out.tolist()


def equal_paths_summary(wald: pd.DataFrame, alpha: float = 0.05) -> dict:
    """What the per-path equality tests of :func:`wald_equal_paths` (``joint=True``) conclude: ``paths`` (one
    row per path, with the Holm-adjusted *p* over the paths in ``holm``), ``n_tested``, ``differ`` (the paths
    with *p* < ``alpha``), ``n_differ_holm`` (Holm-adjusted *p* < ``alpha``) and ``joint`` (the joint test's
    row, or None).

    >>> w = pd.DataFrame({"lhs": ["COL", "INT", "(all)"], "op": ["~", "~", ""], "rhs": ["GOV", "COL", ""],
    ...                   "Wald": [5.0, 1.0, 6.0], "df": [1, 1, 2], "pvalue": [0.02, 0.3, 0.05]})
    >>> s = equal_paths_summary(w)
    >>> s["n_tested"], s["differ"]["rhs"].tolist(), s["n_differ_holm"], round(float(s["joint"]["Wald"]), 1)
    (2, ['GOV'], 1, 6.0)
    """
    paths = wald[wald["lhs"] != "(all)"].copy()
    paths["holm"] = holm(paths["pvalue"])
    joint = wald[wald["lhs"] == "(all)"]
    return {"paths": paths, "n_tested": int(len(paths)), "differ": paths[paths["pvalue"] < alpha],
            "n_differ_holm": int((paths["holm"] < alpha).sum()), "joint": joint.iloc[0] if len(joint) else None}
