"""Shared plumbing of the measurement-quality functions: construct maps, parameter tables, covariances.

Every function of :mod:`iur_survey.measure` that works on a fitted CFA takes the parameter table in lavaan's
``parameterEstimates()`` format (columns ``lhs op rhs est`` and, where named, ``std.lv std.all``), so the same
code runs on our engine's ``SEMResult.parameter_estimates()`` and on a lavaan reference JSON.
"""

from __future__ import annotations

from typing import Any, Mapping, Protocol, Sequence, Union

import numpy as np
import pandas as pd

from ..errors import DataError

ConstructMap = Mapping[str, Sequence[str]]


class HasConstructs(Protocol):
    """An instrument (:class:`iur_survey.instrument.Instrument`): ``constructs`` maps each code to an object
    with the construct's ``items``.  measure/ reads only that, so it does not import the instrument module."""

    constructs: Mapping[str, Any]


#: what the measurement functions accept as the constructs: an instrument or ``{construct: [items]}``
Constructs = Union[HasConstructs, ConstructMap]


def construct_map(constructs: Constructs) -> dict[str, list[str]]:
    """``{construct: [items]}`` from an instrument (anything with a ``constructs`` mapping of objects with
    ``items``, as :class:`iur_survey.instrument.Instrument`) or a mapping.

    >>> from iur_survey.instrument import load_instrument
    >>> construct_map(load_instrument())["GOV"]
    ['GOV1', 'GOV2', 'GOV3', 'GOV4']
    >>> construct_map({"F": ("a", "b")})
    {'F': ['a', 'b']}
    >>> construct_map({"F": "ab"})
    Traceback (most recent call last):
    ...
    ValueError: construct 'F': give its items as a list, not the string 'ab'
    """
    if hasattr(constructs, "constructs"):
        return {str(code): [str(i) for i in c.items] for code, c in constructs.constructs.items()}
    out = {}
    for k, v in dict(constructs).items():
        if isinstance(v, str):
            raise ValueError(f"construct {k!r}: give its items as a list, not the string {v!r}")
        out[str(k)] = [str(i) for i in v]
    if not out:
        raise ValueError("no constructs given")
    for k, v in out.items():
        if len(v) == 0:
            raise ValueError(f"construct {k!r} has no items")
    return out


def item_frame(data: pd.DataFrame, items: Sequence[str]) -> pd.DataFrame:
    """The item columns as floats: a clear error when some are absent, and a one-line
    :class:`~iur_survey.errors.DataError` naming the first item with a cell that is not a number (a text cell is
    never silently turned into a missing value, as the EFA refuses it too).

    >>> item_frame(pd.DataFrame({"a": [1, "2", None]}), ["a"])["a"].tolist()
    [1.0, 2.0, nan]
    >>> item_frame(pd.DataFrame({"a": [1, "n/a", "n/a"]}), ["a"])
    Traceback (most recent call last):
    ...
    iur_survey.errors.DataError: a: 2 cell(s) are not numbers (first: 'n/a'); recode or blank them first
    """
    absent = [c for c in items if c not in data.columns]
    if absent:
        raise KeyError(f"items not in the data: {absent}")
    raw = data[list(items)]
    num = raw.apply(pd.to_numeric, errors="coerce").astype(float)
    for c in num.columns:
        bad = num[c].isna() & raw[c].notna()
        if bad.any():
            first = raw[c][bad].iloc[0]
            raise DataError(None, f"{int(bad.sum())} cell(s) are not numbers (first: {str(first)!r}); recode or "
                                  "blank them first", column=str(c))
    return num


def constant_items(x: pd.DataFrame) -> list[str]:
    """The columns of ``x`` that do not vary (one distinct value, or none) over its rows.

    >>> constant_items(pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 3.0]}))
    ['b']
    """
    return [str(c) for c in x.columns if x[c].nunique(dropna=True) < 2]


def refuse_constant(x: pd.DataFrame, what: str) -> None:
    """A one-line :class:`~iur_survey.errors.DataError` naming the first item of ``x`` without variance in the rows
    ``what`` uses (psych drops such an item with a warning; lavaan/semTools refuse it, and so does the package,
    here as in the EFA and Harman's test: a constant item lowers alpha and has no correlations).

    >>> refuse_constant(pd.DataFrame({"a": [1.0, 2.0], "g4": [3.0, 3.0]}), "alpha of G")
    Traceback (most recent call last):
    ...
    iur_survey.errors.DataError: g4: item has no variance in the rows used (alpha of G); drop it from the construct
    """
    flat = constant_items(x)
    if flat:
        raise DataError(None, f"item has no variance in the rows used ({what}); drop it from the construct",
                        column=flat[0])


def sample_covariance(data: pd.DataFrame, items: Sequence[str]) -> pd.DataFrame:
    """Listwise-complete covariance with divisor N (lavaan's ``lavInspect(fit, "sampstat")`` for complete data).

    >>> df = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [1.0, 3.0, 2.0]})
    >>> sample_covariance(df, ["a", "b"]).round(4).values.tolist()
    [[0.6667, 0.3333], [0.3333, 0.6667]]
    """
    x = item_frame(data, items).dropna().to_numpy()
    if len(x) < 2:
        raise ValueError("fewer than two complete rows")
    xc = x - x.mean(axis=0)
    return pd.DataFrame(xc.T @ xc / len(x), index=list(items), columns=list(items))


def as_cov(cov: Any) -> pd.DataFrame | None:
    """A labelled covariance DataFrame from a DataFrame or a make_refs.R matrix dict ({rownames, colnames, values})."""
    if cov is None:
        return None
    if isinstance(cov, pd.DataFrame):
        return cov.astype(float)
    if isinstance(cov, Mapping) and "values" in cov:
        vals = np.array([[np.nan if v is None else v for v in row] for row in cov["values"]], dtype=float)
        return pd.DataFrame(vals, index=cov["rownames"], columns=cov["colnames"])
    raise TypeError("cov must be a DataFrame (or a {rownames, colnames, values} dict)")


def estimates_frame(estimates: Any) -> pd.DataFrame:
    """A parameter table in lavaan's format from a DataFrame, a list of row dicts or a results object."""
    if hasattr(estimates, "parameter_estimates"):
        estimates = estimates.parameter_estimates()
    df = pd.DataFrame(estimates).copy()
    for col in ("lhs", "op", "rhs", "est"):
        if col not in df.columns:
            raise KeyError(f"parameter table lacks column {col!r} (lavaan parameterEstimates format expected)")
    for col in ("est", "se", "std.lv", "std.all", "std.nox"):
        if col in df.columns:
            df[col] = pd.to_numeric(df[col], errors="coerce").astype(float)
    if "group" in df.columns and df["group"].nunique() > 1:
        raise ValueError("multi-group parameter table: select one group first (rows with group == g)")
    return df


def fit_parts(fit: Any) -> tuple[pd.DataFrame, pd.Series]:
    """(parameter table, fit measures) from a results object or a mapping with ``estimates`` and ``fit``."""
    if hasattr(fit, "parameter_estimates") and hasattr(fit, "fit_measures"):
        est = fit.parameter_estimates()
        # a fit that did not converge has no fit measures (fit_measures() refuses them): NaN here, its warnings say why
        fm = fit.fit_measures() if getattr(fit, "converged", True) else pd.Series(np.nan, index=fit.fit.index)
    elif isinstance(fit, Mapping) and "estimates" in fit and "fit" in fit:
        est, fm = fit["estimates"], fit["fit"]
    else:
        raise TypeError("expected a fitted result (parameter_estimates(), fit_measures()) or {'estimates', 'fit'}")
    fm = pd.Series({k: (np.nan if v is None else float(v)) for k, v in dict(fm).items()}, dtype=float)
    return estimates_frame(est), fm


def improper_constructs(estimates: Any) -> dict[str, str]:
    """Factor -> why its reliability and validity statistics (omega, CR, AVE, sqrt(AVE)) are not interpretable:
    an indicator with a standardized loading beyond +-1 or a negative residual variance (a Heywood case), or the
    factor's own negative variance (lavaan warns on each; semTools' compRelSEM and AVE report their numbers
    without a word).  Empty for a proper solution.  The package's one per-construct test: the measure
    functions flag with it, the paper tables and the book blank with it.

    >>> est = pd.DataFrame({"lhs": ["F", "F", "G", "G", "a"], "op": ["=~"] * 4 + ["~~"],
    ...                     "rhs": ["a", "b", "c", "d", "a"], "est": [1, 1, 1, 1, -0.1],
    ...                     "std.all": [1.04, 0.9, 0.7, 0.6, -0.08]})
    >>> improper_constructs(est)
    {'F': 'standardized loading of a 1.040, negative residual variance of a'}
    """
    est = estimates_frame(estimates)
    lam = est[est["op"] == "=~"]
    facs = list(dict.fromkeys(lam["lhs"]))
    why: dict[str, list[str]] = {}
    for r in est.to_dict("records"):
        e, s = pd.to_numeric(r.get("est"), errors="coerce"), pd.to_numeric(r.get("std.all"), errors="coerce")
        if r["op"] == "=~" and abs(s) > 1:
            why.setdefault(r["lhs"], []).append(f"standardized loading of {r['rhs']} {s:.3f}")
        elif r["op"] == "~~" and r["lhs"] == r["rhs"] and e < 0:
            if r["lhs"] in facs:
                why.setdefault(r["lhs"], []).append(f"negative variance of {r['lhs']}")
            else:
                for f in lam.loc[lam["rhs"] == r["lhs"], "lhs"]:
                    why.setdefault(f, []).append(f"negative residual variance of {r['lhs']}")
    return {f: ", ".join(v) for f, v in why.items()}


class Measurement:
    """The measurement part of a parameter table: loadings, factor (co)variances, residual (co)variances."""

    def __init__(self, estimates: Any):
        pe = estimates_frame(estimates)
        self.table = pe
        load = pe[pe["op"] == "=~"]
        self.factors: list[str] = list(dict.fromkeys(load["lhs"]))
        # indicators that are observed (a factor measured by factors is a higher-order factor: not handled)
        self.items: list[str] = [i for i in dict.fromkeys(load["rhs"]) if i not in self.factors]
        self.lam = pd.DataFrame(0.0, index=self.items, columns=self.factors)
        for r in load.itertuples(index=False):
            if r.rhs in self.items:
                self.lam.loc[r.rhs, r.lhs] = float(r.est)
        # a factor regressed on others, or a first-order factor of a higher-order one (its "~~" row is then a
        # disturbance variance, not its variance: semTools takes lavInspect(fit, "cov.lv"))
        self.endogenous = (set(pe.loc[(pe["op"] == "~") & pe["lhs"].isin(self.factors), "lhs"])
                           | set(load.loc[load["rhs"].isin(self.factors), "rhs"]))
        cov = pe[pe["op"] == "~~"]
        self._cov = {(r.lhs, r.rhs): float(r.est) for r in cov.itertuples(index=False)}
        # ordered items: their thresholds (rows "item | t1" ..., in order) and scales (rows "item ~*~ item")
        th = pe[pe["op"] == "|"]
        self.thresholds: dict[str, np.ndarray] = {
            str(i): th.loc[th["lhs"] == i, "est"].to_numpy(dtype=float) for i in dict.fromkeys(th["lhs"])}
        sc = pe[(pe["op"] == "~*~") & (pe["lhs"] == pe["rhs"])]
        self._scales = {str(a): float(v) for a, v in zip(sc["lhs"], sc["est"])}

    @property
    def ordered(self) -> list[str]:
        """The items with thresholds (ordered categories), in the table's order."""
        return [i for i in self.items if i in self.thresholds]

    def scales(self, items: Sequence[str]) -> np.ndarray:
        """lavaan's scale factors (``~*~`` rows; ``lavInspect(fit, "est")$delta``) of ``items``: 1 for an item
        without one (a continuous item, as lavaan's delta matrix)."""
        return np.array([self._scales.get(i, 1.0) for i in items], dtype=float)

    def indicators(self, factor: str) -> list[str]:
        col = self.lam[factor]
        return [i for i in self.items if col[i] != 0.0]

    def cross_loading(self, item: str) -> bool:
        """True when ``item`` loads on more than one factor (semTools: rounded to 5 decimals)."""
        return int((self.lam.loc[item].round(5) != 0).sum()) > 1

    def factor_variance(self, factor: str) -> float:
        """Model-implied (total) variance of a factor.

        Exogenous factor: its ``~~`` estimate.  Endogenous factor: (std.lv / est)^2 of a non-zero loading, since
        lavaan's std.lv = est * sd(factor).
        """
        if factor not in self.endogenous:
            v = self._cov.get((factor, factor))
            if v is not None:
                return v
        pe = self.table
        if "std.lv" in pe.columns:
            rows = pe[(pe["op"] == "=~") & (pe["lhs"] == factor) & (pe["est"] != 0) & pe["std.lv"].notna()]
            if len(rows):
                return float((rows["std.lv"].iloc[0] / rows["est"].iloc[0]) ** 2)
        try:
            v = float(self.cov_lv().loc[factor, factor])
        except ValueError:
            v = np.nan
        if np.isfinite(v):
            return v
        raise ValueError(f"cannot tell the variance of factor {factor!r} (endogenous factor needs a std.lv column)")

    def factor_cov(self, f: str, g: str) -> float:
        if f == g:
            return self.factor_variance(f)
        if f in self.endogenous or g in self.endogenous:
            raise ValueError(f"covariance of {f!r} and {g!r} is not a parameter (endogenous factor): pass cor_lv")
        for key in ((f, g), (g, f)):
            if key in self._cov:
                return self._cov[key]
        return 0.0  # not in the table: fixed to zero (orthogonal)

    def phi(self) -> pd.DataFrame:
        """Latent covariance matrix (CFA: every factor exogenous)."""
        return pd.DataFrame(
            [[self.factor_cov(f, g) for g in self.factors] for f in self.factors],
            index=self.factors, columns=self.factors,
        )

    def theta(self) -> pd.DataFrame:
        th = pd.DataFrame(0.0, index=self.items, columns=self.items)
        for (a, b), v in self._cov.items():
            if a in self.items and b in self.items:
                th.loc[a, b] = th.loc[b, a] = v
        return th

    def beta(self) -> pd.DataFrame:
        """lavaan's BETA over the factors (row regressed on column): the ``~`` rows among factors and the
        higher-order loadings (``g =~ F``: F on g).  A factor regressed on an observed variable: ValueError."""
        f = self.factors
        pe = self.table
        reg = pe[(pe["op"] == "~") & pe["lhs"].isin(f)]
        if (~reg["rhs"].isin(f)).any():
            raise ValueError("structural model with a factor regressed on an observed variable: pass the "
                             "model-implied or sample covariance")
        B = pd.DataFrame(0.0, index=f, columns=f)
        for r in reg.itertuples(index=False):
            B.loc[r.lhs, r.rhs] = float(r.est)
        for r in pe[(pe["op"] == "=~") & pe["rhs"].isin(f)].itertuples(index=False):
            B.loc[r.rhs, r.lhs] = float(r.est)
        return B

    def cov_lv(self) -> pd.DataFrame:
        """lavaan's ``lavInspect(fit, "cov.lv")``: (I - B)^-1 Psi (I - B)^-T over the factors.

        B holds the ``~`` rows and the higher-order loadings (a factor measured by factors: F on g); its nodes are
        the factors and the observed variables of the ``~`` rows (a covariate ``F ~ age``: its variance, from its
        ``~~`` row, counts in F's; an indicator in a ``~`` row, ``G ~ a`` with ``F =~ a``, is lavaan's phantom
        latent: its loadings are in B, a on F, and its ``~~`` row is its residual variance), Psi the ``~~`` rows.  A covariance not in the table is zero; a node whose
        variance is not in the table or is NaN (a negative variance in a std.all table), or a NaN path into a
        node, makes that node and every node it predicts unknown (NaN); the others are computed without it (one
        NaN does not spread to every cell).  The one implementation of the implied latent covariance from a
        parameter table (:func:`iur_survey.report.paper.latent_correlations` reads it from the std.all column).

        >>> est = pd.DataFrame({"lhs": ["F", "G", "G", "F", "G"], "op": ["=~", "=~", "~", "~~", "~~"],
        ...                     "rhs": ["a", "b", "F", "F", "G"], "est": [1.0, 1.0, 0.5, 2.0, 1.0]})
        >>> Measurement(est).cov_lv().values.tolist()             # var(G) = .25 * 2 + 1
        [[2.0, 1.0], [1.0, 1.5]]
        >>> cov = pd.DataFrame({"lhs": ["G", "age"], "op": ["~", "~~"], "rhs": ["age", "age"], "est": [0.5, 4.0]})
        >>> Measurement(pd.concat([est, cov])).cov_lv().values.tolist()     # + .25 * 4 from the covariate
        [[2.0, 1.0], [1.0, 2.5]]

        An indicator as a predictor (G ~ a, a =~ of F): the route F -> a -> G counts, cov(F, G) = 1 * 2 * .5:

        >>> ind = pd.DataFrame({"lhs": ["G", "a"], "op": ["~", "~~"], "rhs": ["a", "a"], "est": [0.5, 1.0]})
        >>> Measurement(pd.concat([est.iloc[:2], est.iloc[3:], ind])).cov_lv().values.tolist()
        [[2.0, 1.0], [1.0, 1.75]]
        """
        f = self.factors
        pe = self.table
        reg = pe[pe["op"] == "~"]
        nodes = f + [v for v in dict.fromkeys(list(reg["lhs"]) + list(reg["rhs"])) if v not in f]
        k = {v: i for i, v in enumerate(nodes)}
        B = np.zeros((len(nodes), len(nodes)))
        for r in reg.itertuples(index=False):
            B[k[r.lhs], k[r.rhs]] = float(r.est)
        for r in pe[(pe["op"] == "=~") & pe["rhs"].isin(f)].itertuples(index=False):
            B[k[r.rhs], k[r.lhs]] = float(r.est)
        # an indicator in a ``~`` row (speed ~ x1, x1 =~ of visual) is lavaan's phantom latent: its loadings tie
        # it to its factors (x1 on visual) and its ``~~`` row is its residual variance
        for r in pe[(pe["op"] == "=~") & pe["rhs"].isin(nodes[len(f):])].itertuples(index=False):
            B[k[r.rhs], k[r.lhs]] = float(r.est)
        psi = np.array([[self._cov.get((a, b), self._cov.get((b, a), np.nan if a == b else 0.0)) for b in nodes]
                        for a in nodes])
        bad = np.isnan(np.diag(psi)) | np.isnan(B).any(axis=1)
        reach = np.eye(len(nodes), dtype=bool) | (np.nan_to_num(B) != 0)
        for _ in range(len(nodes)):
            reach = reach | ((reach.astype(int) @ reach.astype(int)) > 0)
        bad = (reach & bad[None, :]).any(axis=1)          # reach[a, j]: j is a or one of its predictors
        ib = np.linalg.inv(np.eye(len(nodes)) - np.nan_to_num(B))
        C = ib @ np.nan_to_num(psi) @ ib.T
        C[bad, :] = np.nan
        C[:, bad] = np.nan
        n = len(f)
        return pd.DataFrame(C[:n, :n], index=f, columns=f)

    def implied_cov(self) -> pd.DataFrame:
        """Lambda Phi Lambda' + Theta of the items, Phi = :meth:`cov_lv` (with ``~`` rows among factors or a
        higher-order factor) or :meth:`phi` (a CFA)."""
        lam = self.lam.to_numpy()
        phi = (self.cov_lv() if self.endogenous else self.phi()).to_numpy()
        sig = lam @ np.nan_to_num(phi) @ lam.T + self.theta().to_numpy()
        # an unknown (NaN) factor (co)variance reaches only the items that load on its factors
        nz = (lam != 0).astype(float)
        sig[(nz @ np.isnan(phi).astype(float) @ nz.T) > 0] = np.nan
        return pd.DataFrame(sig, index=self.items, columns=self.items)

    def cor_lv(self) -> pd.DataFrame:
        """lavaan's ``lavInspect(fit, "cor.lv")``: the latent correlations, from :meth:`phi` (a CFA) or, with ``~``
        rows among the factors or a higher-order factor, from :meth:`cov_lv` (their model-implied covariance).

        >>> est = pd.DataFrame({"lhs": ["F", "G", "G", "F", "G"], "op": ["=~", "=~", "~", "~~", "~~"],
        ...                     "rhs": ["a", "b", "F", "F", "G"], "est": [1.0, 1.0, 0.5, 2.0, 1.0]})
        >>> round(float(Measurement(est).cor_lv().loc["F", "G"]), 4)         # 1 / sqrt(2 * 1.5)
        0.5774
        """
        phi = (self.cov_lv() if self.endogenous else self.phi()).to_numpy()
        sd = np.sqrt(np.diag(phi))
        return pd.DataFrame(phi / np.outer(sd, sd), index=self.factors, columns=self.factors)


def flag(values: pd.Series, cutoff: float, *, below: bool = False, unknown: bool = False) -> pd.Series:
    """``values >= cutoff`` (or ``< cutoff`` when ``below``); NaN never meets a cut-off.  With ``unknown=True``
    a NaN value gives <NA> ("not computable", a nullable boolean) instead of False ("fails").

    >>> flag(pd.Series([0.8, float("nan")]), 0.85, below=True).tolist()
    [True, False]
    >>> flag(pd.Series([0.8, float("nan")]), 0.85, below=True, unknown=True).tolist()
    [True, <NA>]
    """
    v = values.astype(float)
    ok = v < cutoff if below else v >= cutoff
    if unknown:
        return ok.astype("boolean").mask(v.isna())
    return ok & v.notna()
