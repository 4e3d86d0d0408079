"""Analytic power by RMSEA: the tests of exact, close and not-close fit (MacCallum, Browne & Sugawara 1996,
Psychological Methods 1, 130-149) and the comparison of nested models (MacCallum, Browne & Cai 2006,
Psychological Methods 11, 19-35), as semTools' ``findRMSEApower``, ``findRMSEAsamplesize``,
``findRMSEApowernested`` and ``findRMSEAsamplesizenested`` (equal to 1e-10 in power and exactly in N on a grid:
tests/power/rmsea_refs).

A model with ``df`` degrees of freedom and population RMSEA ε, fitted to ``n`` cases (the TOTAL over ``group``
groups), has a chi-square test statistic distributed (approximately) as noncentral chi-square with ``df`` degrees of
freedom and noncentrality

    λ = (n - 1) · df · ε² / group

(semTools' convention: N - 1, and the multiple-group RMSEA of Steiger 1998, ε = √group · √(F / df), so that the
same ε means a misfit F per group divided by the number of groups).  lavaan's own RMSEA of a G-group fit,
√max(X²/(N·df) − 1/N, 0)·√G, takes N = the total N for ML (normal likelihood) and N − G otherwise (wishart,
WLSMV), i.e. a noncentrality N·df·ε²/G or (N − G)·df·ε²/G: at df 20, N 300, G 3, close fit .05 vs .08 the power
is .2434 / .2412 beside semTools' (N − 1) .2426 -- far below the large-sample approximation's own error, so
semTools' N − 1 is kept (for every G).  The test of H0: ε <= rmsea0 against
rmseaA > rmsea0 (close fit; exact fit when rmsea0 = 0) rejects when the statistic exceeds the upper ``alpha``
quantile of the null distribution; the test of not-close fit (H0: ε >= rmsea0, rmseaA < rmsea0) rejects when it is
below the lower ``alpha`` quantile.  Power is the alternative distribution's probability of rejection.

Nested models A (more restricted, dfA) and B (dfB < dfA): the difference statistic has dfA - dfB degrees of
freedom and noncentrality (n - 1)·(dfA·εA² - dfB·εB²)/group, under H0 (rmsea0A, rmsea0B; 0, 0 = no difference)
and under H1 (rmsea1A, rmsea1B); the test rejects above the upper ``alpha`` quantile under H0.

The sample size for a target power is the smallest integer total N (from ``n_min``, semTools' 5) whose power
EXCEEDS the target (semTools' ``pow > power``), found by a root finder (brentq) on the exact power function and
checked at N - 1 and N; semTools returns N / group (column ``n.group``; not an integer when group does not divide N).
(semTools scans N = 5..500, then 505..1000, 1005..1500, ...: it never looks at N = 501..504, 1001..1004, ..., and
where the smallest N is one of those it returns the next block's start, up to 4 too many; here N is the smallest.
It also loops for ever where the power never exceeds the target, e.g. rmsea0 == rmseaA: refused here.)
These N rest on the large-sample chi-square distributions: with many degrees of freedom they can be far smaller than
what the model needs to be estimated (more cases than observed variables) or for its chi-square test to hold
(which rejects too often at small N), so read them as lower bounds.

Every function returns a tidy DataFrame, one row per combination of its arguments (each may be a number or a
list), with lavaan/semTools names (``rmsea0``, ``rmseaA``, ``df``, ``n``, ``alpha``, ``group``).
"""

from __future__ import annotations

import itertools
import math
import warnings
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd
from scipy import optimize, stats

from ..errors import PowerInputError

__all__ = ["RMSEAPowerWarning", "df_from_results", "rmsea_power", "rmsea_power_nested", "rmsea_samplesize",
           "rmsea_samplesize_nested", "summary_text", "to_json_dict"]

#: semTools' first N when it looks for a sample size
N_MIN = 5
#: the largest total N :func:`rmsea_samplesize` looks at
N_MAX = 10 ** 9


class RMSEAPowerWarning(UserWarning):
    """A result the reader must qualify (the target power already reached at the smallest N looked at)."""


def _grid(**kw: Any) -> list[dict[str, Any]]:
    """Every combination of the arguments (a number or a list each), in order."""
    keys = list(kw)
    vals = [list(v) if isinstance(v, (list, tuple, np.ndarray, pd.Series, range)) else [v] for v in kw.values()]
    for k, v in zip(keys, vals):
        if not v:
            raise PowerInputError(None, f"{k}: an empty list")
    return [dict(zip(keys, c)) for c in itertools.product(*vals)]


def _number(name: str, x: Any) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise PowerInputError(None, f"{name} must be a number (got {x!r})") from None
    if not math.isfinite(v):
        raise PowerInputError(None, f"{name} must be finite (got {x!r})")
    return v


def _int(x: float) -> int | float:
    """A whole number as int (df), else as it is."""
    return int(x) if float(x).is_integer() else x


def _check_df(name: str, df: Any) -> float:
    v = _number(name, df)
    if v <= 0:
        raise PowerInputError(None, f"{name} = {df!r}: the RMSEA tests need a model with positive degrees of freedom "
                                    "(a saturated model, df = 0, has no test of fit)")
    return v


def _check_common(n: Any, alpha: Any, group: Any) -> tuple[float | None, float, int]:
    a = _number("alpha", alpha)
    if not 0 < a < 1:
        raise PowerInputError(None, f"alpha = {alpha!r} must be in (0, 1)")
    g = _number("group", group)
    if g < 1 or g != int(g):
        raise PowerInputError(None, f"group = {group!r} must be a positive integer (the number of groups)")
    nn = None
    if n is not None:
        nn = _number("n", n)
        if nn < 2 or nn != int(nn):
            raise PowerInputError(None, f"n = {n!r} must be an integer >= 2 (the total sample size over the groups)")
    return nn, a, int(g)


def _check_rmsea(name: str, x: Any) -> float:
    v = _number(name, x)
    if v < 0:
        raise PowerInputError(None, f"{name} = {x!r}: an RMSEA is >= 0")
    return v


def _test_name(rmsea0: float, rmseaA: float) -> str:
    if rmsea0 == rmseaA:
        raise PowerInputError(None, f"rmsea0 = rmseaA = {rmsea0:g}: the null and the alternative RMSEA must differ "
                                    "(the power would be alpha at every N)")
    if rmsea0 < rmseaA:
        return "exact fit" if rmsea0 == 0 else "close fit"
    return "not-close fit"


def _power_arrays(df, n, rmsea0, rmseaA, alpha, group) -> dict[str, np.ndarray]:
    """semTools' findRMSEApower, elementwise over broadcast arrays (n may be fractional inside the root finder):
    the upper alpha quantile under H0 and the alternative's upper tail where rmsea0 < rmseaA, else the lower
    quantile and lower tail (scipy's chi-square where a noncentrality is 0)."""
    df, n, r0, rA, a, g = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in
                                                 (df, n, rmsea0, rmseaA, alpha, group)))
    ncp0 = (n - 1) * df * r0 ** 2 / g
    ncpA = (n - 1) * df * rA ** 2 / g
    close = r0 < rA
    crit = np.empty(df.shape)
    power = np.empty(df.shape)
    c, o = close, ~close
    crit[c] = stats.ncx2.isf(a[c], df[c], ncp0[c])
    power[c] = stats.ncx2.sf(crit[c], df[c], ncpA[c])
    crit[o] = stats.ncx2.ppf(a[o], df[o], ncp0[o])
    power[o] = stats.ncx2.cdf(crit[o], df[o], ncpA[o])
    return {"ncp0": ncp0, "ncpA": ncpA, "crit": crit, "power": power}


def _power_one(df: float, n: float, rmsea0: float, rmseaA: float, alpha: float, group: int) -> dict[str, float]:
    """:func:`_power_arrays` at one point."""
    return {k: float(v) for k, v in _power_arrays(df, n, rmsea0, rmseaA, alpha, group).items()}


def rmsea_power(df: Any, n: Any, rmsea0: Any = 0.05, rmseaA: Any = 0.08, alpha: Any = 0.05,
                group: Any = 1) -> pd.DataFrame:
    """Power of the RMSEA test of exact (rmsea0 = 0), close (rmsea0 < rmseaA) or not-close (rmsea0 > rmseaA) fit
    (MacCallum, Browne & Sugawara 1996; semTools' ``findRMSEApower``), one row per combination of the arguments.

    ``n`` is the total sample size over ``group`` groups.  Columns: ``test``, the arguments, ``ncp0`` / ``ncpA``
    (noncentrality under H0 / H1), ``crit`` (the critical chi-square: reject above it for exact and close fit,
    below it for not-close fit) and ``power``.  rmsea0 == rmseaA and df <= 0 are refused
    (:class:`~iur_survey.errors.PowerInputError`).

    >>> rmsea_power(df=20, n=200, rmsea0=0.05, rmseaA=0.08)[["test", "ncp0", "ncpA", "crit", "power"]].round(4)
            test  ncp0    ncpA     crit   power
    0  close fit  9.95  25.472  45.9312  0.4544
    >>> rmsea_power(df=20, n=[200, 400], rmsea0=0.05, rmseaA=0.01)[["test", "n", "power"]].round(4)
                test    n   power
    0  not-close fit  200  0.3138
    1  not-close fit  400  0.6955
    """
    rows = []
    for p in _grid(df=df, n=n, rmsea0=rmsea0, rmseaA=rmseaA, alpha=alpha, group=group):
        d = _check_df("df", p["df"])
        nn, a, g = _check_common(p["n"], p["alpha"], p["group"])
        r0, rA = _check_rmsea("rmsea0", p["rmsea0"]), _check_rmsea("rmseaA", p["rmseaA"])
        test = _test_name(r0, rA)
        rows.append({"test": test, "df": p["df"], "n": p["n"], "group": g, "rmsea0": r0, "rmseaA": rA, "alpha": a,
                     **_power_one(d, nn, r0, rA, a, g)})
    return pd.DataFrame(rows)


def _check_target(power: Any, alpha: float) -> float:
    t = _number("power", power)
    if not alpha < t < 1:
        raise PowerInputError(None, f"power = {power!r}: the target power must be in (alpha, 1) = ({alpha:g}, 1)")
    return t


def _smallest_n(fn: Callable[[float], float], target: float, n_min: int, what: str) -> tuple[int, bool]:
    """The smallest integer N >= n_min with fn(N) > target (fn increasing in N), by brentq on the exact function
    then checked at N - 1 and N; ``(n_min, True)`` when fn(n_min) already exceeds the target."""
    if fn(n_min) > target:
        return n_min, True
    hi = max(2 * n_min, 64)
    while fn(hi) <= target:
        if hi >= N_MAX:
            raise PowerInputError(None, f"{what}: the power stays at or below {target:g} up to N = {N_MAX:.0e}")
        hi = min(2 * hi, N_MAX)
    # only the integer N counts: a bracket of 0.25 is enough, N - 1 and N are then checked on the exact function
    root = optimize.brentq(lambda x: fn(x) - target, n_min, hi, xtol=0.25, maxiter=500)
    n = max(n_min, math.ceil(root))
    while n > n_min and fn(n - 1) > target:     # the root finder's last digits: N - 1 and N decide
        n -= 1
    while fn(n) <= target:
        n += 1
    return n, False


def _at_min_warning(rows: list[dict], n_min: int) -> None:
    hit = [r for r in rows if r["at.min"]]
    if hit:
        warnings.warn(f"the target power is already exceeded at the smallest N looked at (n_min = {n_min}) in "
                      f"{len(hit)} of {len(rows)} row(s): the N needed is at most {n_min} there (column at.min; "
                      f"semTools says 'Sample Size <= {n_min}')", RMSEAPowerWarning, stacklevel=3)


def rmsea_samplesize(df: Any, rmsea0: Any = 0.05, rmseaA: Any = 0.08, power: Any = 0.80, alpha: Any = 0.05,
                     group: Any = 1, *, n_min: int = N_MIN) -> pd.DataFrame:
    """The smallest total N whose power in the RMSEA test (:func:`rmsea_power`) exceeds ``power`` (semTools'
    ``findRMSEAsamplesize``), one row per combination of the arguments.

    Columns: ``test``, the arguments (``power`` the target), ``n`` (total N, integer), ``n.group`` (n / group:
    what semTools returns, the N of each group when the groups are of equal size; not rounded up),
    ``power.n`` (the power at ``n``) and ``at.min`` (True: ``n_min`` already exceeds the target, the N needed may
    be smaller; a :class:`RMSEAPowerWarning` says so).  N is searched from ``n_min`` (semTools' 5).

    >>> rmsea_samplesize(df=20, rmsea0=0.05, rmseaA=0.08, power=0.80)[["test", "n", "n.group", "power.n"]].round(4)
            test    n  n.group  power.n
    0  close fit  434    434.0   0.8004
    >>> rmsea_samplesize(df=20, rmsea0=0, rmseaA=0.08, group=[1, 2])[["test", "group", "n", "n.group"]]
            test  group    n  n.group
    0  exact fit      1  165    165.0
    1  exact fit      2  329    164.5
    """
    rows = []
    for p in _grid(df=df, rmsea0=rmsea0, rmseaA=rmseaA, power=power, alpha=alpha, group=group):
        d = _check_df("df", p["df"])
        _, a, g = _check_common(None, p["alpha"], p["group"])
        r0, rA = _check_rmsea("rmsea0", p["rmsea0"]), _check_rmsea("rmseaA", p["rmseaA"])
        test = _test_name(r0, rA)
        t = _check_target(p["power"], a)
        n, at_min = _smallest_n(lambda x: _power_one(d, x, r0, rA, a, g)["power"], t, int(n_min),
                                f"df = {p['df']}, rmsea0 = {r0:g}, rmseaA = {rA:g}")
        rows.append({"test": test, "df": p["df"], "group": g, "rmsea0": r0, "rmseaA": rA, "alpha": a, "power": t,
                     "n": n, "n.group": n / g, "power.n": _power_one(d, n, r0, rA, a, g)["power"], "at.min": at_min})
    _at_min_warning(rows, int(n_min))
    return pd.DataFrame(rows)


def _nested_parts(p: Mapping[str, Any]) -> dict[str, float]:
    """Checked arguments of a nested comparison (semTools' checks, and H1's misfit difference above H0's)."""
    dA, dB = _check_df("dfA", p["dfA"]), _number("dfB", p["dfB"])
    if dB < 0:
        raise PowerInputError(None, f"dfB = {p['dfB']!r}: degrees of freedom are >= 0")
    if dA <= dB:
        raise PowerInputError(None, f"dfA = {p['dfA']!r} <= dfB = {p['dfB']!r}: model A (the more restricted) must "
                                    "have more degrees of freedom than model B")
    r = {k: _check_rmsea(k, p[k]) for k in ("rmsea0A", "rmsea0B", "rmsea1A", "rmsea1B")}
    if r["rmsea0A"] < r["rmsea0B"]:
        raise PowerInputError(None, f"rmsea0A = {r['rmsea0A']:g} < rmsea0B = {r['rmsea0B']:g}: under H0 the more "
                                    "restricted model A cannot fit better than B")
    if r["rmsea1A"] < r["rmsea1B"]:
        raise PowerInputError(None, f"rmsea1A = {r['rmsea1A']:g} < rmsea1B = {r['rmsea1B']:g}: under H1 the more "
                                    "restricted model A cannot fit better than B")
    f0 = dA * r["rmsea0A"] ** 2 - dB * r["rmsea0B"] ** 2
    f1 = dA * r["rmsea1A"] ** 2 - dB * r["rmsea1B"] ** 2
    if f1 <= f0:
        raise PowerInputError(None, f"the misfit difference under H1 (dfA*rmsea1A^2 - dfB*rmsea1B^2 = {f1:.6g}) is not "
                                    f"larger than under H0 ({f0:.6g}): the power would be alpha or less at every N")
    return {"dfA": dA, "dfB": dB, **r}


def _nested_arrays(dfA, dfB, rmsea0A, rmsea0B, rmsea1A, rmsea1B, n, alpha, group) -> dict[str, np.ndarray]:
    """semTools' findRMSEApowernested, elementwise over broadcast arrays."""
    dA, dB, a0, b0, a1, b1, n, a, g = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in
                                                           (dfA, dfB, rmsea0A, rmsea0B, rmsea1A, rmsea1B, n, alpha,
                                                            group)))
    ddiff = dA - dB
    ncp0 = (n - 1) * ((dA * a0 ** 2) / g - (dB * b0 ** 2) / g)
    ncp1 = (n - 1) * ((dA * a1 ** 2) / g - (dB * b1 ** 2) / g)
    crit = stats.ncx2.isf(a, ddiff, ncp0)
    return {"ncp0": ncp0, "ncp1": ncp1, "crit": crit, "power": stats.ncx2.sf(crit, ddiff, ncp1)}


def _nested_one(q: Mapping[str, float], n: float, alpha: float, group: int) -> dict[str, float]:
    """:func:`_nested_arrays` at one point (``q``: :func:`_nested_parts`)."""
    return {k: float(v) for k, v in _nested_arrays(q["dfA"], q["dfB"], q["rmsea0A"], q["rmsea0B"], q["rmsea1A"],
                                                   q["rmsea1B"], n, alpha, group).items()}


def rmsea_power_nested(dfA: Any, dfB: Any, n: Any, rmsea1A: Any, rmsea1B: Any = 0.0, rmsea0A: Any = 0.0,
                       rmsea0B: Any = 0.0, alpha: Any = 0.05, group: Any = 1) -> pd.DataFrame:
    """Power of the chi-square difference test of nested models A (dfA, more restricted) and B (dfB) by their
    RMSEAs (MacCallum, Browne & Cai 2006; semTools' ``findRMSEApowernested``): H0 says the RMSEAs are rmsea0A,
    rmsea0B (both 0 by default: no difference), H1 rmsea1A, rmsea1B; one row per combination of the arguments.

    ``n`` is the total sample size over ``group`` groups.  Columns: the arguments, ``df.diff``, ``ncp0`` / ``ncp1``,
    ``crit`` (reject above it) and ``power``.  H1's misfit difference must exceed H0's
    (dfA·rmsea1A² - dfB·rmsea1B² > dfA·rmsea0A² - dfB·rmsea0B²; else the power is alpha or less:
    :class:`~iur_survey.errors.PowerInputError`, as are semTools' own refusals).

    >>> rmsea_power_nested(dfA=22, dfB=20, n=200, rmsea0A=0.06, rmsea0B=0.05, rmsea1A=0.08, rmsea1B=0.05)[
    ...     ["df.diff", "ncp0", "ncp1", "power"]].round(4)
       df.diff    ncp0     ncp1   power
    0        2  5.8108  18.0692  0.5625
    """
    rows = []
    for p in _grid(dfA=dfA, dfB=dfB, n=n, rmsea0A=rmsea0A, rmsea0B=rmsea0B, rmsea1A=rmsea1A, rmsea1B=rmsea1B,
                   alpha=alpha, group=group):
        q = _nested_parts(p)
        nn, a, g = _check_common(p["n"], p["alpha"], p["group"])
        rows.append({"dfA": p["dfA"], "dfB": p["dfB"], "df.diff": _int(q["dfA"] - q["dfB"]), "n": p["n"], "group": g,
                     "rmsea0A": q["rmsea0A"], "rmsea0B": q["rmsea0B"], "rmsea1A": q["rmsea1A"],
                     "rmsea1B": q["rmsea1B"], "alpha": a, **_nested_one(q, nn, a, g)})
    return pd.DataFrame(rows)


def rmsea_samplesize_nested(dfA: Any, dfB: Any, rmsea1A: Any, rmsea1B: Any = 0.0, rmsea0A: Any = 0.0,
                            rmsea0B: Any = 0.0, power: Any = 0.80, alpha: Any = 0.05, group: Any = 1, *,
                            n_min: int = N_MIN) -> pd.DataFrame:
    """The smallest total N whose power in the nested comparison (:func:`rmsea_power_nested`) exceeds ``power``
    (semTools' ``findRMSEAsamplesizenested``); columns as :func:`rmsea_samplesize`'s.

    >>> rmsea_samplesize_nested(dfA=22, dfB=20, rmsea1A=0.06, rmsea1B=0.05)[["df.diff", "n", "n.group", "at.min"]]
       df.diff    n  n.group  at.min
    0        2  331    331.0   False
    """
    rows = []
    for p in _grid(dfA=dfA, dfB=dfB, rmsea0A=rmsea0A, rmsea0B=rmsea0B, rmsea1A=rmsea1A, rmsea1B=rmsea1B,
                   power=power, alpha=alpha, group=group):
        q = _nested_parts(p)
        _, a, g = _check_common(None, p["alpha"], p["group"])
        t = _check_target(p["power"], a)
        n, at_min = _smallest_n(lambda x: _nested_one(q, x, a, g)["power"], t, int(n_min),
                                f"dfA = {p['dfA']}, dfB = {p['dfB']}")
        rows.append({"dfA": p["dfA"], "dfB": p["dfB"], "df.diff": _int(q["dfA"] - q["dfB"]), "group": g,
                     "rmsea0A": q["rmsea0A"], "rmsea0B": q["rmsea0B"], "rmsea1A": q["rmsea1A"],
                     "rmsea1B": q["rmsea1B"], "alpha": a, "power": t, "n": n, "n.group": n / g,
                     "power.n": _nested_one(q, n, a, g)["power"], "at.min": at_min})
    _at_min_warning(rows, int(n_min))
    return pd.DataFrame(rows)


def df_from_results(doc: Mapping[str, Any], source: str | None = None) -> dict[str, Any]:
    """The model's degrees of freedom, number of groups and total N as a results.json (``iur-survey fit``) records
    them: ``{"df", "group", "n"}``; a fit without a df (not converged, or saturated: df = 0) is a typed error.

    >>> df_from_results({"n": 300, "fit": {"df": 24.0}, "groups": {"a": 150, "b": 150}})
    {'df': 24, 'group': 2, 'n': 300}
    """
    fit = doc.get("fit") or {}
    where = source or doc.get("_path")
    d = fit.get("df")
    if d is None or not isinstance(d, (int, float)) or not math.isfinite(d):
        raise PowerInputError(where, "the results record no model df (fit.df): was the fit converged?")
    if d <= 0:
        raise PowerInputError(where, f"the fitted model has df = {d:g}: a saturated model has no RMSEA test")
    groups = doc.get("groups")
    g = len(groups) if isinstance(groups, Mapping) and groups else 1
    n = doc.get("n", fit.get("ntotal"))
    return {"df": int(d) if float(d).is_integer() else float(d), "group": g,
            "n": int(n) if isinstance(n, (int, float)) and math.isfinite(n) else None}


def summary_text(table: pd.DataFrame, sizes: pd.DataFrame | None = None) -> str:
    """A short human summary of :func:`rmsea_power` (and :func:`rmsea_samplesize`) rows.

    >>> print(summary_text(rmsea_power(20, [200, 400], 0.05, 0.08), rmsea_samplesize(20, 0.05, 0.08)))
    RMSEA power (MacCallum, Browne & Sugawara 1996), df = 20, alpha = 0.05, 1 group(s):
      close fit  H0 rmsea <= 0.05, H1 rmsea = 0.08: power 0.454 at N = 200, 0.766 at N = 400; N for power > 0.80: 434
    """
    lines = []
    keys = ["df", "alpha", "group"]
    for (d, a, g), part in table.groupby(keys, sort=False):
        lines.append(f"RMSEA power (MacCallum, Browne & Sugawara 1996), df = {d:g}, alpha = {a:g}, {g} group(s):")
        for (test, r0, rA), sub in part.groupby(["test", "rmsea0", "rmseaA"], sort=False):
            h0 = {"exact fit": "rmsea = 0", "close fit": f"rmsea <= {r0:g}",
                  "not-close fit": f"rmsea >= {r0:g}"}[test]
            pw = ", ".join(f"{p:.3f} at N = {n:g}" for n, p in zip(sub["n"], sub["power"]))
            line = f"  {test}  H0 {h0}, H1 rmsea = {rA:g}: power {pw}"
            if sizes is not None:
                s = sizes[(sizes["df"] == d) & (sizes["alpha"] == a) & (sizes["group"] == g)
                          & (sizes["rmsea0"] == r0) & (sizes["rmseaA"] == rA)]
                for _, r in s.iterrows():
                    n_txt = f"<= {r['n']}" if r["at.min"] else f"{r['n']}"
                    per = f" ({r['n.group']:g} per group)" if g > 1 else ""
                    line += f"; N for power > {r['power']:.2f}: {n_txt}{per}"
            lines.append(line)
    return "\n".join(lines)


def _records(df: pd.DataFrame) -> list[dict]:
    from ..sem.results import json_number
    return [{k: (json_number(v) if not isinstance(v, (str, bool, np.bool_)) else
                 (bool(v) if isinstance(v, (bool, np.bool_)) else v)) for k, v in r.items()}
            for r in df.to_dict("records")]


def to_json_dict(settings: Mapping[str, Any], power: pd.DataFrame | None = None,
                 samplesize: pd.DataFrame | None = None, nested: pd.DataFrame | None = None,
                 nested_samplesize: pd.DataFrame | None = None) -> dict[str, Any]:
    """The JSON document ``iur-survey power --rmsea`` writes (rmsea_power.json): as power.json, version, settings
    and the tables (records; absent tables left out).

    >>> d = to_json_dict({"df": 20}, power=rmsea_power(20, 200, 0.05, 0.08))
    >>> sorted(d), d["power"][0]["test"], round(d["power"][0]["power"], 4)
    (['iur_survey', 'method', 'power', 'python', 'settings'], 'close fit', 0.4544)
    """
    import platform

    from .. import __version__
    out: dict[str, Any] = {"iur_survey": __version__, "python": platform.python_version(),
                           "method": "analytic power by RMSEA (MacCallum, Browne & Sugawara 1996; MacCallum, Browne "
                                     "& Cai 2006), as semTools' findRMSEApower / findRMSEAsamplesize / "
                                     "findRMSEApowernested / findRMSEAsamplesizenested",
                           "settings": {k: v for k, v in settings.items()}}
    for k, t in (("power", power), ("samplesize", samplesize), ("nested", nested),
                 ("nested_samplesize", nested_samplesize)):
        if t is not None:
            out[k] = _records(t)
    return out
