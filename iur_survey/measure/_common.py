"""Shared plumbing of the measurement-quality functions: construct maps, parameter tables, covariances.

Every function of :mod:`iur_survey.measure` that works on a fitted CFA takes the parameter table in lavaan's
``parameterEstimates()`` format (columns ``lhs op rhs est`` and, where named, ``std.lv std.all``), so the same
code runs on our engine's ``SEMResult.parameter_estimates()`` and on a lavaan reference JSON.
"""

from __future__ import annotations

from typing import Any, Mapping, Protocol, Sequence, Union

import numpy as np
import pandas as pd

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
    """The item columns as floats (a clear error when some are missing)."""
    absent = [c for c in items if c not in data.columns]
    if absent:
        raise KeyError(f"items not in the data: {absent}")
    return data[list(items)].apply(pd.to_numeric, errors="coerce").astype(float)


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
        est, fm = fit.parameter_estimates(), fit.fit_measures()
    elif isinstance(fit, Mapping) and "estimates" in fit and "fit" in fit:
        est, fm = fit["estimates"], fit["fit"]
    else:
        raise TypeError("expected a fitted result (parameter_estimates(), fit_measures()) or {'estimates', 'fit'}")
    fm = pd.Series({k: (np.nan if v is None else float(v)) for k, v in dict(fm).items()}, dtype=float)
    return estimates_frame(est), fm


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
        self.endogenous = set(pe.loc[(pe["op"] == "~") & pe["lhs"].isin(self.factors), "lhs"])
        cov = pe[pe["op"] == "~~"]
        self._cov = {(r.lhs, r.rhs): float(r.est) for r in cov.itertuples(index=False)}

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

    def implied_cov(self) -> pd.DataFrame:
        """Lambda Phi Lambda' + Theta of the items (CFA models; structural models need the implied cov passed)."""
        if self.endogenous:
            raise ValueError("structural model (endogenous factors): pass the model-implied or sample covariance")
        lam = self.lam.to_numpy()
        sig = lam @ self.phi().to_numpy() @ lam.T + self.theta().to_numpy()
        return pd.DataFrame(sig, index=self.items, columns=self.items)

    def cor_lv(self) -> pd.DataFrame:
        phi = self.phi().to_numpy()
        sd = np.sqrt(np.diag(phi))
        return pd.DataFrame(phi / np.outer(sd, sd), index=self.factors, columns=self.factors)


def flag(values: pd.Series, cutoff: float, *, below: bool = False) -> pd.Series:
    """``values >= cutoff`` (or ``< cutoff`` when ``below``); NaN never meets a cut-off."""
    v = values.astype(float)
    ok = v < cutoff if below else v >= cutoff
    return ok & v.notna()
