"""Aggregate Monte Carlo replications into power, bias, coverage and SE accuracy.

Per sample size ``n`` and parameter, among the *converged* replications
(optimizer converged, finite positive standard errors):

* ``power``: share with ``p < alpha``, with its Monte Carlo standard error
  ``power_mcse = sqrt(power (1 - power) / converged)``, and its 95% Wilson interval
  ``power_ci.lower`` / ``power_ci.upper`` (:func:`wilson_interval`; not empty at a power of 0 or 1).  The test is the fit's z test
  (``est / se``); for a defined ``:=`` effect that ``se`` is the delta method's, i.e. the
  Sobel test for an indirect effect ``a*b``, which is conservative (the product's
  sampling distribution is skewed): its power is understated, most at small n.
  ``power_mc`` (with ``mc_ci`` draws, := rows only): the share whose Monte Carlo
  confidence interval (Preacher & Selig 2012, level ``1 - alpha``) excludes 0; ``coverage_mc`` the share of
  those Monte Carlo intervals containing the true value (level ``1 - alpha``, not the Wald 95% of ``coverage``);
* the true value: ``null`` -- its standardized true value is 0 (``|std.all| <``
  :data:`ZERO_STD`, the precision of the population fit): the power is the type I error
  rate, and no n for .80 is given; ``near_zero`` -- not 0 but ``|std.all| <``
  :data:`NULL_STD` (.01): not a null, but at practical n its rejection rate is about
  the type I error rate (it rises above alpha as n grows); its n for .80 is given when
  the simulated n reach it;
* ``converged``: the converged replications that estimate the parameter (all of them, but for an ordered
  item's threshold in a WLSMV analysis: not those in which the item lost a category);
  ``convergence_rate`` = converged / reps (a share of *all* replications);
  ``inadmissible``: the number of converged fits with a negative variance or a
  non-positive-definite matrix (Heywood cases), ``admissible_of_converged`` = 1 -
  inadmissible / converged (a share of the *converged* fits; called ``admissible_rate``
  before).  Inadmissible fits are *included* in power, bias and coverage (as a
  lavaan-based study that keeps every converged fit); ``power_admissible`` and
  ``coverage_admissible`` exclude them (report both);
* ``bias`` = mean estimate - true value, ``rel_bias`` = bias / true value (NaN
  when the true value is 0), ``rmse``;
* ``coverage``: share of the fit's 95% Wald intervals ``est ± 1.96 se`` (``parameterEstimates``'
  ``ci.lower`` / ``ci.upper``, always 95%, whatever ``alpha``; for ``:=`` the delta method's se) containing
  the true value (``coverage_mcse`` likewise), ``ci_width`` their mean width;
* ``sd_est`` (the empirical SD of the estimates), ``mean_se`` and
  ``se_ratio = mean_se / sd_est`` (1 = the standard errors are right on average).

>>> reps = pd.DataFrame({"n": [50] * 4, "rep": range(4), "parameter": ["b"] * 4, "label": ["b"] * 4,
...                      "op": ["~"] * 4, "converged": [True, True, True, False], "admissible": [True] * 4,
...                      "est": [0.2, 0.4, 0.3, np.nan], "se": [0.1] * 3 + [np.nan],
...                      "pvalue": [0.04, 0.001, 0.2, np.nan], "ci.lower": [0.0, 0.2, 0.1, np.nan],
...                      "ci.upper": [0.25, 0.6, 0.5, np.nan]})
>>> truth = pd.DataFrame({"lhs": ["Y"], "op": ["~"], "rhs": ["X"], "label": ["b"], "est": [0.3], "std.all": [0.3]})
>>> t = summarize(reps, truth.assign(parameter=["b"]))
>>> t[["n", "parameter", "converged", "power", "bias", "coverage", "sd_est"]].round(3).to_dict("records")
[{'n': 50, 'parameter': 'b', 'converged': 3, 'power': 0.667, 'bias': 0.0, 'coverage': 0.667, 'sd_est': 0.1}]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["summarize", "power_table", "smallest_n", "NULL_STD", "ZERO_STD", "null_notes", "wilson_interval"]

#: a non-zero parameter whose true standardized value is below this (absolute) is "near zero": its rejection
#: rate is about the type I error rate at practical n (labelled so, not called a null)
NULL_STD = 0.01
#: a true standardized value below this (absolute) is 0 -- a null effect (the precision of the population fit)
ZERO_STD = 1e-6
#: the label of a near-zero parameter in the summary
NEAR_ZERO_LABEL = f"near zero (|std| < {str(NULL_STD).lstrip('0')}): rejection rate ≈ type I error"


def wilson_interval(k, m, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a binomial proportion ``k / m`` (statsmodels' ``proportion_confint(method="wilson")``,
    R's ``prop.test(k, m, correct = FALSE)``):
    the Monte Carlo confidence interval of a power estimate.  Unlike ``p +- z sqrt(p (1 - p) / m)`` it is not
    empty at ``k = 0`` or ``k = m`` (a power of 1.000 from 300 replications is [0.987, 1]).  NaN where ``m = 0``.

    >>> lo, hi = wilson_interval(np.array([300, 150]), np.array([300, 300]))
    >>> lo.round(4).tolist(), hi.round(4).tolist()
    ([0.9874, 0.4438], [1.0, 0.5562])
    """
    from statsmodels.stats.proportion import proportion_confint
    k, m = np.asarray(k, float), np.asarray(m, float)
    bad = ~(m > 0)
    lo, hi = (np.asarray(v, float) for v in proportion_confint(k, np.where(bad, 1.0, m), alpha=1 - level,
                                                               method="wilson"))
    lo[bad] = hi[bad] = np.nan
    return lo, hi


def parameter_names(table: pd.DataFrame) -> list[str]:
    """``"COL~GOV"`` style names (``lhs`` alone for ``:=``), group-suffixed for several groups.

    >>> parameter_names(pd.DataFrame({"lhs": ["COL", "ind"], "op": ["~", ":="], "rhs": ["GOV", "a*b"]}))
    ['COL~GOV', 'ind']
    """
    out = []
    grp = table["group"].tolist() if "group" in table.columns else [0] * len(table)
    for lhs, op, rhs, g in zip(table["lhs"], table["op"], table["rhs"], grp):
        base = lhs if op == ":=" else f"{lhs}{op}{rhs}"
        out.append(base + (f".g{g}" if g and int(g) > 1 else ""))
    return out


def summarize(reps: pd.DataFrame, truth: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """The aggregate table (see the module docstring), one row per (n, parameter), ``n`` ascending,
    parameters in the analysis model's order.

    ``truth``: the true-value rows of the recorded parameters (``est``, ``std.all``), in the
    order of their names (column ``parameter`` if present, else as :func:`parameter_names`).
    """
    names = truth["parameter"].tolist() if "parameter" in truth.columns else parameter_names(truth)
    tv = dict(zip(names, truth["est"].to_numpy(float)))
    ts = dict(zip(names, truth["std.all"].to_numpy(float))) if "std.all" in truth.columns else {}
    out = []
    for (n, name), g in reps.groupby(["n", "parameter"], sort=False):
        # a parameter not estimated in a converged replication (an ordered item's threshold after the item lost a
        # category there: NaN) is left out of that parameter's denominator, not counted as "not significant"
        conv = g["converged"].to_numpy(bool) & np.isfinite(g["est"].to_numpy(float))
        c = g[conv]
        m = len(c)
        true = tv[name]
        est = c["est"].to_numpy(float)
        se = c["se"].to_numpy(float)
        power = float(np.mean(c["pvalue"].to_numpy(float) < alpha)) if m else np.nan
        lo, hi = c["ci.lower"].to_numpy(float), c["ci.upper"].to_numpy(float)
        cover = float(np.mean((lo <= true) & (true <= hi))) if m else np.nan
        mean_est = float(est.mean()) if m else np.nan
        sd = float(est.std(ddof=1)) if m > 1 else np.nan
        bias = mean_est - true
        std_true = ts.get(name, np.nan)
        size = abs(std_true) if np.isfinite(std_true) else abs(true)
        adm = c["admissible"].to_numpy(bool)
        ca = c[adm]
        row = {
            "n": int(n), "parameter": name, "label": g["label"].iloc[0], "op": g["op"].iloc[0],
            "true": true, "true_std": std_true, "null": bool(size < ZERO_STD),
            "near_zero": bool(ZERO_STD <= size < NULL_STD),
            "reps": int(len(g)), "converged": int(m), "convergence_rate": m / len(g),
            "inadmissible": int(m - adm.sum()),
            "admissible_of_converged": float(adm.mean()) if m else np.nan,
            "power": power, "power_mcse": float(np.sqrt(power * (1 - power) / m)) if m else np.nan,
            **dict(zip(("power_ci.lower", "power_ci.upper"),
                       (float(v[0]) for v in wilson_interval(np.array([power * m if m else 0.0]), np.array([m]))))),
            "power_admissible": float(np.mean(ca["pvalue"].to_numpy(float) < alpha)) if len(ca) else np.nan,
            "mean_est": mean_est, "bias": bias,
            "rel_bias": bias / true if abs(true) > 1e-8 else np.nan,
            "rmse": float(np.sqrt(np.mean((est - true) ** 2))) if m else np.nan,
            "sd_est": sd, "mean_se": float(se.mean()) if m else np.nan,
            "se_ratio": float(se.mean()) / sd if m > 1 and sd > 0 else np.nan,
            "coverage": cover, "coverage_mcse": float(np.sqrt(cover * (1 - cover) / m)) if m else np.nan,
            "ci_width": float(np.mean(hi - lo)) if m else np.nan,
            "coverage_admissible": float(np.mean((ca["ci.lower"].to_numpy(float) <= true)
                                                 & (true <= ca["ci.upper"].to_numpy(float)))) if len(ca) else np.nan,
        }
        if "mc.lower" in c.columns:
            mlo, mhi = c["mc.lower"].to_numpy(float), c["mc.upper"].to_numpy(float)
            has = bool(m) and bool(np.isfinite(mlo).any())
            row["power_mc"] = float(np.mean((mlo > 0) | (mhi < 0))) if has else np.nan
            row["coverage_mc"] = float(np.mean((mlo <= true) & (true <= mhi))) if has else np.nan
        out.append(row)
    table = pd.DataFrame(out)
    if table.empty:
        return table
    order = {nm: i for i, nm in enumerate(names)}
    table["_o"] = table["parameter"].map(order)
    return table.sort_values(["n", "_o"], kind="stable").drop(columns="_o").reset_index(drop=True)


def power_table(table: pd.DataFrame, value: str = "power") -> pd.DataFrame:
    """Parameters x sample sizes of one column of :func:`summarize` (default the power).

    >>> t = pd.DataFrame({"n": [100, 200, 100, 200], "parameter": ["a", "a", "b", "b"],
    ...                   "power": [0.5, 0.8, 0.9, 1.0]})
    >>> power_table(t).to_dict("index")
    {'a': {100: 0.5, 200: 0.8}, 'b': {100: 0.9, 200: 1.0}}
    """
    order = list(dict.fromkeys(table["parameter"]))
    wide = table.pivot(index="parameter", columns="n", values=value).reindex(order)
    wide.columns.name = None
    wide.index.name = None
    return wide


def smallest_n(table: pd.DataFrame, target: float = 0.80, column: str = "power") -> pd.Series:
    """Per parameter, the smallest simulated ``n`` from which the power stays >= ``target``
    (NaN when no simulated ``n`` reaches it; a null effect -- true value 0 -- is NaN; a near-zero one,
    ``0 < |std| < NULL_STD``, gets its n when the grid reaches the target).  ``column``: the power column
    read (``"power_ci.lower"`` / ``"power_ci.upper"``: the n from which the target is reached even at the
    lower / upper end of the power's Monte Carlo interval: the search's uncertainty).

    >>> t = pd.DataFrame({"n": [100, 200, 400] * 3, "parameter": ["a"] * 3 + ["b"] * 3 + ["c"] * 3,
    ...                   "power": [0.5, 0.85, 0.9, 0.2, 0.3, 0.5, 0.04, 0.06, 0.05],
    ...                   "null": [False] * 6 + [True] * 3})
    >>> smallest_n(t).to_dict()
    {'a': 200.0, 'b': nan, 'c': nan}
    """
    out = {}
    for name, g in table.groupby("parameter", sort=False):
        g = g.sort_values("n")
        if "null" in g.columns and bool(g["null"].iloc[0]):
            out[name] = np.nan
            continue
        ok = (g[column] >= target).to_numpy()
        # the first n from which every larger n also reaches the target
        tail = np.flatnonzero(~ok)
        first = 0 if len(tail) == 0 else tail[-1] + 1
        out[name] = float(g["n"].iloc[first]) if first < len(g) else np.nan
    return pd.Series(out, name=f"n_power_{target:.2f}")


def null_notes(table: pd.DataFrame, alpha: float = 0.05) -> list[str]:
    """The lines that explain the null / near-zero labels of a summary (none when no parameter has one).

    >>> t = pd.DataFrame({"parameter": ["a", "b"], "null": [True, False], "near_zero": [False, True]})
    >>> for line in null_notes(t): print(line)
    null: the true value is 0 (|std.all| < 1e-06): the rejection rate is the type I error rate (alpha 0.05); no n(.80).
    near zero (|std| < .01): rejection rate ≈ type I error -- a non-zero true value with |std.all| < 0.01 (NULL_STD); the rate rises above alpha as n grows, and n(.80) is given when the simulated n reach .80.
    """
    out = []
    if "null" in table.columns and table["null"].any():
        out.append(f"null: the true value is 0 (|std.all| < {ZERO_STD:g}): the rejection rate is the type I error "
                   f"rate (alpha {alpha:g}); no n(.80).")
    if "near_zero" in table.columns and table["near_zero"].any():
        out.append(f"{NEAR_ZERO_LABEL} -- a non-zero true value with |std.all| < {NULL_STD:g} (NULL_STD); the rate "
                   "rises above alpha as n grows, and n(.80) is given when the simulated n reach .80.")
    return out

