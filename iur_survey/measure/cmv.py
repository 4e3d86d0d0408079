"""Common-method variance: Harman's single-factor test and the common latent (method) factor comparison.

Harman's test is reported two ways, both classic: (1) the share of total variance of the first unrotated
principal component of the item correlation matrix (the SPSS-style "unrotated PCA" version; with missing
answers the pairwise-complete correlations, as ``psych::principal``'s default ``use = "pairwise"``) and (2) a
one-factor ML CFA (all items on one factor): its fit and the mean squared standardised loading (the share
of item variance the single factor explains).  Either share below 50% is the usual "no dominant method
factor" reading.  The CFA is fitted by our engine (``fit=True``) or passed in (``single_factor=``), e.g. a
lavaan reference.

The common latent factor (CLF / ULMC, Podsakoff et al. 2003): the CFA plus a METHOD factor on every item,
orthogonal to the substantive factors, METHOD variance fixed to 1 and one equal loading ``m`` on all items
(free method loadings next to correlated traits are empirically under-identified).  Exact syntax:
:func:`clf_model_syntax`.  :func:`common_latent_factor` compares the fits (chi-square difference test as
lavaan's ``lavTestLRT`` for ML) and reports the method-variance share.
"""

from __future__ import annotations

import warnings as _warnings
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import DataError
from ..sem.fitmeasures import chisq_pvalue, rmsea
from ..sem.table import is_fiml
from ._common import Constructs, construct_map, fit_parts, item_frame

HARMAN_CUTOFF = 0.50
METHOD_VARIANCE_CUTOFF = 0.25
LOADING_CHANGE_CUTOFF = 0.20
FIT_COLUMNS = ("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "srmr", "aic",
               "bic")
#: fit columns that have no difference between two fits (the "difference" row leaves them empty)
_NO_DIFFERENCE = ("rmsea.ci.lower", "rmsea.ci.upper")


def _items(items: Sequence[str] | Constructs) -> list[str]:
    if hasattr(items, "constructs") or hasattr(items, "keys"):
        return [i for v in construct_map(items).values() for i in v]
    return [str(i) for i in items]


def harman_model_syntax(items: Sequence[str] | Constructs, factor: str = "F") -> str:
    """lavaan syntax of Harman's one-factor CFA.

    >>> harman_model_syntax(["x1", "x2", "x3"])
    'F =~ x1 + x2 + x3'
    """
    return f"{factor} =~ " + " + ".join(_items(items))


def clf_model_syntax(constructs: Constructs, method: str = "METHOD", label: str = "m") -> str:
    """lavaan syntax of the CFA plus a common latent (method) factor with one equal loading.

    >>> print(clf_model_syntax({"A": ["a1", "a2"], "B": ["b1", "b2"]}))
    A =~ a1 + a2
    B =~ b1 + b2
    METHOD =~ NA*a1 + m*a1 + m*a2 + m*b1 + m*b2
    METHOD ~~ 1*METHOD
    METHOD ~~ 0*A + 0*B
    """
    cmap = construct_map(constructs)
    items = [i for v in cmap.values() for i in v]
    lines = [f"{c} =~ " + " + ".join(it) for c, it in cmap.items()]
    lines.append(f"{method} =~ NA*{items[0]} + " + " + ".join(f"{label}*{i}" for i in items))
    lines.append(f"{method} ~~ 1*{method}")
    lines.append(f"{method} ~~ " + " + ".join(f"0*{c}" for c in cmap))
    return "\n".join(lines)


def _fit_row(fm: pd.Series) -> dict:
    return {k: float(fm.get(k, np.nan)) for k in FIT_COLUMNS}


#: how :func:`harman_single_factor` builds the correlation matrix of the principal components
HARMAN_MISSING = ("pairwise", "listwise")


def first_component_share(x: pd.DataFrame, missing: str = "pairwise") -> tuple[float, int, str]:
    """Share of total variance of the first unrotated principal component of the items' correlation matrix
    (first eigenvalue / p), with the rows and moments it rests on: ``(share, n, basis)``.

    ``missing="pairwise"`` (``psych::principal``'s default ``use = "pairwise"``): each correlation from the
    rows answering both items; ``n`` = rows answering at least one item.  ``"listwise"``: the complete rows
    only (``n`` of them).  A correlation that cannot be computed (an item with no variance, a pair of items
    answered together by fewer than 3 rows, fewer than 3 complete rows) stops with a one-line
    :class:`~iur_survey.errors.DataError` naming the items; a pairwise matrix that is not positive
    semi-definite gives a warning (the share is still psych's).

    >>> x = pd.DataFrame({"a": [1, 2, 3, 4, None, 5, 2], "b": [2, 1, 4, None, 5, 5, 3], "c": [None, 2, 3, 4, 4, 5, 1]})
    >>> share, n, basis = first_component_share(x)      # psych::principal(x, 1, rotate = "none")$values[1] / 3
    >>> round(share, 6), n, basis
    (0.903295, 7, 'pairwise-complete correlations, 5 to 5 rows per pair')
    """
    if missing not in HARMAN_MISSING:
        raise ValueError(f"missing={missing!r}: use one of {', '.join(HARMAN_MISSING)}")
    items = list(x.columns)
    p = len(items)
    if p < 2:
        raise DataError(None, f"Harman's test needs two or more items, got {p}")
    seen = x.notna().to_numpy()
    nrows = len(x)
    if missing == "listwise":
        x = x.dropna()
        if len(x) < 3:
            raise DataError(None, f"Harman's test: {len(x)} of {nrows} rows answer all {p} items; the listwise "
                                  "correlation matrix cannot be computed (use missing='pairwise')")
        n, basis = len(x), f"complete rows (listwise), {len(x)} of {nrows}"
        counts = np.full((p, p), len(x))
    else:
        counts = seen.T.astype(int) @ seen.astype(int)
        n = int(seen.any(axis=1).sum())
    iu = np.triu_indices(p, 1)
    low = np.flatnonzero(counts[iu] < 3)
    if low.size:
        i, j = iu[0][low[0]], iu[1][low[0]]
        raise DataError(None, f"Harman's test: items {items[i]!r} and {items[j]!r} are answered together by "
                              f"{counts[i, j]} row(s); their correlation cannot be computed")
    R = x.corr().to_numpy()                                 # pandas: pairwise-complete Pearson correlations
    bad = np.argwhere(~np.isfinite(R))
    if bad.size:
        flat = [c for c in items if x[c].nunique() < 2]
        if flat:
            raise DataError(None, f"Harman's test: item {flat[0]!r} has no variance; its correlations cannot be "
                                  "computed")
        i, j = bad[0]
        raise DataError(None, f"Harman's test: items {items[i]!r} and {items[j]!r}: one of them does not vary in the "
                              f"{counts[i, j]} rows answering both; their correlation cannot be computed")
    ev = np.linalg.eigvalsh(R)[::-1]
    if missing == "pairwise":
        basis = (f"complete data, {nrows} rows" if seen.all() else
                 f"pairwise-complete correlations, {counts[iu].min()} to {counts[iu].max()} rows per pair")
        if ev[-1] < -1e-8:
            _warnings.warn(f"Harman's test: the pairwise-complete correlation matrix is not positive semi-definite "
                           f"(smallest eigenvalue {ev[-1]:.3g}); the first-component share is psych::principal's "
                           "but rests on inconsistent correlations", stacklevel=3)
    return float(ev[0] / p), int(n), basis


def _fit_basis(fit: Any, fm: pd.Series) -> tuple[float, str]:
    """The rows (``n``) and the estimation (``basis``) of a given one-factor CFA."""
    n = getattr(fit, "n", None)
    if n is None:
        n = fm.get("ntotal", np.nan)
    miss = getattr(fit, "missing", None)
    miss = "fiml" if is_fiml(miss) else miss          # "ml.x" too
    basis = {"fiml": "one-factor CFA, FIML (rows with an observed item)",
             "listwise": "one-factor CFA, complete rows (listwise)"}.get(miss, "one-factor CFA (given fit)")
    return float(n) if n is not None else np.nan, basis


def harman_single_factor(
    data: pd.DataFrame,
    items: Sequence[str] | Constructs,
    single_factor: Any = None,
    *,
    fit: bool = False,
    missing: str = "pairwise",
) -> pd.DataFrame:
    """Harman's single-factor test: first unrotated principal component and one-factor CFA.

    Row ``pca_first_component``: first eigenvalue / p of the items' correlation matrix
    (:func:`first_component_share`: pairwise-complete correlations, ``psych::principal``'s default, or with
    ``missing="listwise"`` the complete rows only).
    Row ``single_factor_cfa`` (when ``single_factor`` is given, or ``fit=True`` to fit it with our engine):
    mean squared std.all loading of the one-factor ML CFA (:func:`harman_model_syntax`) and its fit measures.
    ``meets_cutoff``: share < .50 (no single factor dominates).  ``n`` and ``basis``: the rows and the
    moments each share rests on; ``warnings`` (with the CFA row): the CFA fit's own warnings (a Heywood case,
    no convergence), also given as a warning.

    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> f, g = rng.standard_normal((2, 300))
    >>> df = pd.DataFrame({"a1": f + rng.standard_normal(300), "a2": f + rng.standard_normal(300),
    ...                    "b1": g + rng.standard_normal(300), "b2": g + rng.standard_normal(300)})
    >>> harman_single_factor(df, ["a1", "a2", "b1", "b2"]).round(3)  # doctest: +NORMALIZE_WHITESPACE
                         share  cutoff  meets_cutoff    n                    basis
    method
    pca_first_component  0.396     0.5          True  300  complete data, 300 rows
    """
    its = _items(items)
    share, n, basis = first_component_share(item_frame(data, its), missing)
    rows = [{"method": "pca_first_component", "share": share, **_fit_row(pd.Series(dtype=float)),
             "n": n, "basis": basis}]
    if single_factor is None and fit:
        from ..sem import cfa  # the engine; imported lazily (measure must not need it otherwise)

        single_factor = cfa(harman_model_syntax(its), data, warn=False)     # its warnings: below
    if single_factor is not None:
        pe, fm = fit_parts(single_factor)
        load = pe[pe["op"] == "=~"]
        if load["lhs"].nunique() != 1:
            raise ValueError("single_factor must be a one-factor model")
        n_cfa, basis_cfa = _fit_basis(single_factor, fm)
        ws = _fit_warnings(single_factor)
        if ws:
            _warnings.warn(f"Harman's test: the one-factor CFA warns: {'; '.join(ws)} (its variance share is not "
                           "interpretable)", stacklevel=2)
        rows.append({"method": "single_factor_cfa", "share": float((load["std.all"] ** 2).mean()), **_fit_row(fm),
                     "n": n_cfa, "basis": basis_cfa, "warnings": "; ".join(ws)})
    out = pd.DataFrame(rows).set_index("method")
    out.insert(1, "cutoff", HARMAN_CUTOFF)
    out.insert(2, "meets_cutoff", (out["share"] < HARMAN_CUTOFF) & out["share"].notna())
    out["n"] = out["n"].astype("Int64")
    if "single_factor_cfa" not in out.index:
        out = out[["share", "cutoff", "meets_cutoff", "n", "basis"]]
    else:
        out["warnings"] = out["warnings"].fillna("")
    return out


def lrt_rmsea(delta_chisq: float, delta_df: float, n: float, ngroups: int = 1) -> float:
    """RMSEA of a chi-square difference, as lavaan's lavTestLRT: sqrt(max(X2/N/df - 1/N, 0)) * sqrt(G).

    >>> round(lrt_rmsea(30.4086890133277, 1, 301), 6)
    0.312575
    """
    return rmsea(delta_chisq, delta_df, n, ngroups)


def common_latent_factor(base: Any, clf: Any, method: str = "METHOD") -> pd.DataFrame:
    """Compare the CFA without (``base``) and with (``clf``) a common latent method factor.

    ``base``/``clf``: fitted results (``parameter_estimates()``, ``fit_measures()``) or mappings with
    ``estimates`` and ``fit`` (a lavaan reference).  Rows:

    * ``cfa``, ``cfa+method``: fit measures; ``method_variance`` = mean squared std.all METHOD loading;
    * ``difference``: chisq/df difference (base - clf), its p-value and RMSEA, as lavaan's ``lavTestLRT(base,
      clf)``: for fits with a scaled test (MLR, WLSMV) fitted by our engine its scaled difference
      (:func:`iur_survey.sem.compare.lrt`: Satorra-Bentler 2001 for MLR, Satorra 2000 for WLSMV; no RMSEA, as
      lavaan); for scaled fits given as mappings the standard difference and a warning; differences (clf - base)
      of the other indices (the fit rows hold the standard chisq, CFI, RMSEA ...), and ``max_loading_change`` =
      largest |change| of a substantive std.all loading.  ``attrs["difference_test"]``: the test used
      (``"standard"``, ``"satorra.bentler.2001"``, ``"satorra.2000"``).

    ``meets_cutoff``: method variance < .25 (cfa+method row) and max loading change < .20 (difference row).
    ``warnings``: each fit's own warnings (its ``warnings`` attribute or key: a Heywood case, a non-positive
    definite matrix ...), joined by "; ", and given as a Python warning too: the method variance and the loading
    change of an improper fit are not interpretable.

    >>> base = {"estimates": [{"lhs": "A", "op": "=~", "rhs": "a", "est": 1.0, "std.all": 0.80}],
    ...         "fit": {"chisq": 120.0, "df": 50, "cfi": 0.95, "ntotal": 300}}
    >>> clf = {"estimates": [{"lhs": "A", "op": "=~", "rhs": "a", "est": 1.0, "std.all": 0.75},
    ...                      {"lhs": "METHOD", "op": "=~", "rhs": "a", "est": 0.3, "std.all": 0.30}],
    ...        "fit": {"chisq": 100.0, "df": 49, "cfi": 0.97, "ntotal": 300}}
    >>> res = common_latent_factor(base, clf)
    >>> res[["chisq", "df", "pvalue", "method_variance", "max_loading_change"]].round(4)  # doctest: +NORMALIZE_WHITESPACE
                  chisq    df  pvalue  method_variance  max_loading_change
    model
    cfa           120.0  50.0     NaN              NaN                 NaN
    cfa+method    100.0  49.0     NaN             0.09                 NaN
    difference     20.0   1.0     0.0              NaN                0.05
    """
    pe0, fm0 = fit_parts(base)
    pe1, fm1 = fit_parts(clf)
    mload = pe1[(pe1["op"] == "=~") & (pe1["lhs"] == method)]
    if mload.empty:
        raise ValueError(f"the clf model has no {method!r} loadings")
    r0, r1 = _fit_row(fm0), _fit_row(fm1)
    diff = {k: np.nan if k in _NO_DIFFERENCE else r1[k] - r0[k] for k in FIT_COLUMNS}
    dchi = r0["chisq"] - r1["chisq"]
    ddf = r0["df"] - r1["df"]
    diff["chisq"], diff["df"] = dchi, ddf
    diff["pvalue"] = chisq_pvalue(dchi, ddf)
    n = float(fm1.get("ntotal", np.nan))
    diff["rmsea"] = lrt_rmsea(dchi, ddf, n) if np.isfinite(n) else np.nan
    test = "standard"
    if _scaled(fm0) or _scaled(fm1):        # MLR / WLSMV: lavaan's lavTestLRT takes the scaled difference
        if _is_engine_fit(base) and _is_engine_fit(clf):
            from ..sem.compare import lrt           # lazily: the engine

            t = lrt(base, clf, warn=False)
            test = str(t.attrs.get("method", "scaled"))
            diff["chisq"], diff["df"] = float(t["Chisq diff"].iloc[-1]), float(t["Df diff"].iloc[-1])
            diff["pvalue"], diff["rmsea"] = float(t["Pr(>Chisq)"].iloc[-1]), np.nan    # lavaan: no RMSEA then
        else:
            _warnings.warn("common latent factor: the fits have a scaled (robust) test, but the chi-square "
                           "difference here is the standard one; lavaan's lavTestLRT(base, clf) gives the scaled "
                           "difference (pass the fits of our engine to get it)", stacklevel=2)
    key = ["lhs", "op", "rhs"]
    sub0 = pe0[pe0["op"] == "=~"].set_index(key)["std.all"]
    sub1 = pe1[(pe1["op"] == "=~") & (pe1["lhs"] != method)].set_index(key)["std.all"]
    common = sub0.index.intersection(sub1.index)
    change = float((sub1[common] - sub0[common]).abs().max()) if len(common) else np.nan
    mv = float((mload["std.all"] ** 2).mean())
    out = pd.DataFrame(
        [
            {"model": "cfa", **r0, "method_variance": np.nan, "max_loading_change": np.nan},
            {"model": "cfa+method", **r1, "method_variance": mv, "max_loading_change": np.nan},
            {"model": "difference", **diff, "method_variance": np.nan, "max_loading_change": change},
        ]
    ).set_index("model")
    meets = pd.array([pd.NA, mv < METHOD_VARIANCE_CUTOFF, change < LOADING_CHANGE_CUTOFF], dtype="boolean")
    if not np.isfinite(change):
        meets[2] = pd.NA
    out["meets_cutoff"] = meets
    out.attrs["difference_test"] = test
    w0, w1 = _fit_warnings(base), _fit_warnings(clf)
    out["warnings"] = ["; ".join(w0), "; ".join(w1), ""]
    for label, ws in (("CFA", w0), ("CFA + method factor", w1)):
        if ws:
            _warnings.warn(f"common latent factor: the {label} fit warns: {'; '.join(ws)} (its method variance and "
                           "loading change are not interpretable)", stacklevel=2)
    return out


def _scaled(fm: pd.Series) -> bool:
    """True when fit measures have a scaled test (lavaan's ``chisq.scaled``: MLR, WLSMV ...)."""
    return bool(np.isfinite(float(fm.get("chisq.scaled", np.nan))))


def _is_engine_fit(fit: Any) -> bool:
    """A fit of our engine (what :func:`iur_survey.sem.compare.lrt` takes), not a mapping (a lavaan reference)."""
    return hasattr(fit, "partable") and hasattr(fit, "fit_measures")


def _fit_warnings(fit: Any) -> list[str]:
    """The warnings a fit recorded (a results object's ``warnings`` or a mapping's ``"warnings"``)."""
    w = fit.get("warnings") if isinstance(fit, Mapping) else getattr(fit, "warnings", None)
    if w is None:
        return []
    return [str(w)] if isinstance(w, str) else [str(x) for x in w]


def fit_common_latent_factor(
    data: pd.DataFrame, constructs: Constructs, **fit_options: Any
) -> pd.DataFrame:
    """Fit the CFA and the CFA + method factor with our engine and compare them (:func:`common_latent_factor`;
    the fits' own warnings, e.g. a Heywood case, are in its ``warnings`` column and are given as warnings)."""
    from ..sem import cfa  # lazily: the engine

    cmap = construct_map(constructs)
    base_syntax = "\n".join(f"{c} =~ " + " + ".join(it) for c, it in cmap.items())
    quiet = {"warn": False, **fit_options}          # the fits' warnings are given by common_latent_factor
    base = cfa(base_syntax, data, **quiet)
    clf = cfa(clf_model_syntax(cmap), data, **quiet)
    restarted = ""
    if _above_nested(clf, base):
        # The CFA is the CLF with m = 0, so the CLF's minimum is at most the CFA's chi-square.  Above it, the
        # default starts (lavaan's too) ended in a local minimum: its method variance is no estimate.  Start
        # again from the CFA's solution (m near 0) and keep the lower minimum, the ML estimate.
        again = cfa(clf_start_syntax(cmap, base), data, **quiet)
        if again.converged and not _above_nested(again, base):
            restarted = (f"the CFA + method factor fit from the default starting values (lavaan's) ended in a "
                         f"local minimum (chi-square {_chisq(clf):.2f}, above the CFA's {_chisq(base):.2f}, which "
                         f"it nests); refitted from the CFA's solution: chi-square {_chisq(again):.2f}")
            clf = again
    out = common_latent_factor(base, clf)
    if restarted:
        out.attrs["restarted"] = restarted
        _warnings.warn(f"common latent factor: {restarted}", stacklevel=2)
    elif _above_nested(clf, base):
        out.attrs["restarted"] = ""
        out.loc["cfa+method", "meets_cutoff"] = pd.NA
        msg = (f"the CFA + method factor fit (chi-square {_chisq(clf):.2f}) stays above the CFA it nests "
               f"({_chisq(base):.2f}), also from the CFA's solution: a local minimum, so its method variance and "
               "loading change are not estimates")
        out.loc["cfa+method", "warnings"] = "; ".join(x for x in (out.loc["cfa+method", "warnings"], msg) if x)
        _warnings.warn(f"common latent factor: {msg}", stacklevel=2)
    return out


#: how far (absolute chi-square) the CLF fit may lie above the CFA it nests before it is a local minimum
NESTED_CHISQ_TOL = 1e-4


def _chisq(fit: Any) -> float:
    return float(fit.fit_measures().get("chisq", np.nan))


def _above_nested(clf: Any, base: Any) -> bool:
    """Whether the CLF fit's chi-square exceeds the CFA's (which it nests) by more than :data:`NESTED_CHISQ_TOL`."""
    a, b = _chisq(clf), _chisq(base)
    return bool(np.isfinite(a) and np.isfinite(b) and a > b + NESTED_CHISQ_TOL)


def clf_start_syntax(constructs: Constructs, base: Any, method: str = "METHOD", label: str = "m",
                     m_start: float = 0.05) -> str:
    """:func:`clf_model_syntax` with every CFA parameter started at ``base``'s estimate (lavaan's ``start()``)
    and the equal method loading at ``m_start``: the CLF fitted from the CFA it nests.  The latent means stay
    fixed at 0 (only the items' intercepts get a start), and the start of a labelled loading is a repeated
    term, as lavaan 0.6.14 drops a start value chained with a label (``start(.05)*m*x``).

    >>> import pandas as pd
    >>> class Fit:
    ...     def parameter_estimates(self):
    ...         return pd.DataFrame({"lhs": ["A", "A", "a1", "A"], "op": ["=~", "=~", "~~", "~~"],
    ...                              "rhs": ["a1", "a2", "a1", "A"], "est": [1.0, 0.9, 0.4, 0.7]})
    >>> print(clf_start_syntax({"A": ["a1", "a2"]}, Fit()))
    A =~ start(1)*a1 + start(0.9)*a2
    a1 ~~ start(0.4)*a1
    A ~~ start(0.7)*A
    METHOD =~ NA*a1 + m*a1 + m*a2 + start(0.05)*a1 + start(0.05)*a2
    METHOD ~~ 1*METHOD
    METHOD ~~ 0*A
    """
    cmap = construct_map(constructs)
    pe = base.parameter_estimates()
    est = {(r.lhs, r.op, r.rhs): float(r.est) for r in pe.itertuples() if r.op in ("=~", "~~", "~1")}
    items = [i for v in cmap.values() for i in v]
    lines = [f"{c} =~ " + " + ".join(f"start({est[(c, '=~', i)]:.10g})*{i}" if (c, "=~", i) in est else i
                                      for i in it) for c, it in cmap.items()]
    lines += [f"{lhs} ~~ start({v:.10g})*{rhs}" for (lhs, op, rhs), v in est.items() if op == "~~"]
    lines += [f"{lhs} ~ start({v:.10g})*1" for (lhs, op, rhs), v in est.items() if op == "~1" and lhs in items]
    lines.append(f"{method} =~ NA*{items[0]} + " + " + ".join(f"{label}*{i}" for i in items)
                 + "".join(f" + start({m_start:g})*{i}" for i in items))
    lines.append(f"{method} ~~ 1*{method}")
    lines.append(f"{method} ~~ " + " + ".join(f"0*{c}" for c in cmap))
    return "\n".join(lines)


def common_method(data: pd.DataFrame, constructs: Constructs, **fit_options: Any) -> dict:
    """Both common-method checks with our engine: ``{"harman": ..., "common_latent_factor": ...}``.

    ``harman``: :func:`harman_single_factor` with the one-factor CFA fitted; ``common_latent_factor``:
    :func:`fit_common_latent_factor`.  ``fit_options`` go to the engine's ``cfa()`` (e.g. ``missing="fiml"``).
    """
    from ..sem import cfa  # lazily: the engine

    items = _items(constructs)
    single = cfa(harman_model_syntax(items), data, **{"warn": False, **fit_options})   # harman_single_factor warns
    return {
        "harman": harman_single_factor(data, items, single_factor=single),
        "common_latent_factor": fit_common_latent_factor(data, constructs, **fit_options),
    }
