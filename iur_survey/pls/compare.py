"""PLS-SEM beside CB-SEM: the side-by-side table of structural effects for the robustness chapter.

:func:`compare_with_cbsem` takes a :class:`~iur_survey.pls.results.PLSResult` and the CB-SEM parameter
table in lavaan's ``parameterEstimates()`` layout (our engine's ``SEMResult.parameter_estimates()``, a
lavaan reference JSON's table, or the ``estimates`` list of ``iur-survey fit``'s results.json): columns
``lhs op rhs (label) est se pvalue ci.lower ci.upper std.all``.  A ``standardizedSolution()`` table
(``est.std`` instead of ``est``/``std.all``) works too; its CI is then already standardized.

Rows: every structural path of the PLS model (``lhs ~ rhs``) and every ``:=`` row of the CB-SEM table
(indirect and total effects), the latter evaluated for PLS with the same expression, the CB-SEM labels
standing for the PLS path coefficients (and their bootstrap draws).  A CB-SEM table of another model (a PLS
path it lacks, a ``:=`` row on parameters PLS does not estimate) gives a warning.

CB-SEM's CI (``ci.lower``/``ci.upper``) is in the unstandardized metric of ``est``; ``cb_std.se``,
``cb_std.ci.lower``/``cb_std.ci.upper`` are lavaan's ``standardizedSolution()`` se and interval of std.all
(delta method), taken from, in this order: the ``standardized=`` table, the results.json fields
``std.all.se``/``std.all.ci.lower``/``std.all.ci.upper``, a standardizedSolution-style table given as the
CB-SEM table, or the fit itself when an :class:`~iur_survey.sem.results.SEMResult` is passed.  A table with none
of them leaves the standardized interval NaN (with a warning): rescaling the unstandardized interval by
``std.all / est`` is not the standardized interval and is never done.

Which test decides CB-SEM's side (``cb_test``): a path, the Wald test of ``est`` (``pvalue``); an indirect or
total effect, the delta method's ``pvalue`` unless a CB-SEM bootstrap of the ``:=`` effects is given
(``cb_bootstrap=`` or :func:`with_cb_bootstrap`): then its percentile interval excluding 0 decides, the same
rule as the PLS side and as a mediation chapter that judges indirect effects by the bootstrap.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from ..errors import EstimationError
from ..sem.defined import evaluate
from ..sem.syntax import parse_expression
from .bootstrap import summarize_draws

__all__ = ["compare_with_cbsem", "with_cb_bootstrap", "agreement", "measurement_verdict"]


#: results.json's names of the standardizedSolution() columns (SEMResult.STD_ALL_JSON) -> ours
_STD_FIELDS = {"std.all.se": "_std_se", "std.all.ci.lower": "_std_lo", "std.all.ci.upper": "_std_hi"}


def _merge_standardized(tab: pd.DataFrame, std: Any) -> pd.DataFrame:
    """``tab`` with the se / ci of a standardizedSolution() table (``lhs op rhs est.std se ci.lower
    ci.upper``) in ``_std_se _std_lo _std_hi``, matched on ``lhs op rhs``."""
    std = std if isinstance(std, pd.DataFrame) else pd.DataFrame(list(std))
    need = {"lhs", "op", "rhs", "se", "ci.lower", "ci.upper"}
    if not need <= set(std.columns):
        raise ValueError(f"the standardized table needs columns {sorted(need)}; it has {list(std.columns)}")
    if "group" in std.columns and std.loc[std["op"] != ":=", "group"].nunique() > 1:
        raise ValueError("compare_with_cbsem takes a single-group standardized table")
    std = std[["lhs", "op", "rhs", "se", "ci.lower", "ci.upper"]].drop_duplicates(["lhs", "op", "rhs"])
    std = std.rename(columns={"se": "_std_se", "ci.lower": "_std_lo", "ci.upper": "_std_hi"})
    tab = tab.drop(columns=[c for c in ("_std_se", "_std_lo", "_std_hi") if c in tab.columns])
    return tab.merge(std, on=["lhs", "op", "rhs"], how="left")


def _as_table(est: Any, standardized: Any = None) -> pd.DataFrame:
    if hasattr(est, "standardized_solution") and hasattr(est, "parameter_estimates"):    # an SEMResult
        if standardized is None:
            try:
                standardized = est.standardized_solution("std.all")
            except EstimationError:             # no standardized SEs (se = "none"): NaN + warning
                standardized = None
        est = est.parameter_estimates()
    tab = est if isinstance(est, pd.DataFrame) else pd.DataFrame(list(est))
    need = {"lhs", "op", "rhs"}
    if not need <= set(tab.columns):
        raise ValueError(f"the CB-SEM table needs columns {sorted(need)}; it has {list(tab.columns)}")
    if "group" in tab.columns and tab["group"].nunique() > 1:
        raise EstimationError(None, "the PLS comparison takes a single-group CB-SEM fit: this results.json has "
                                    f"{tab['group'].nunique()} groups (fit the model without --group to compare)")
    tab = tab.copy()
    if "est.std" in tab.columns and "std.all" not in tab.columns:       # standardizedSolution()
        tab["std.all"] = tab["est.std"]
        tab["est"] = tab["est.std"]
        for c, k in (("se", "_std_se"), ("ci.lower", "_std_lo"), ("ci.upper", "_std_hi")):
            tab[k] = tab[c] if c in tab.columns else np.nan
    else:
        for f, k in _STD_FIELDS.items():                                 # results.json (or NaN)
            tab[k] = pd.to_numeric(tab[f], errors="coerce") if f in tab.columns else np.nan
    if standardized is not None:
        tab = _merge_standardized(tab, standardized)
    for c in ("label", "est", "se", "pvalue", "ci.lower", "ci.upper", "std.all"):
        if c not in tab.columns:
            tab[c] = "" if c == "label" else np.nan
    tab["label"] = tab["label"].fillna("").astype(str)
    return tab


def compare_with_cbsem(pls_result, sem_parameter_estimates, *, alpha: float = 0.05,
                       standardized: Any = None, cb_bootstrap: pd.DataFrame | None = None,
                       cb_bootstrap_level: float | None = None) -> pd.DataFrame:
    """Structural paths and ``:=`` effects: PLS estimate (bootstrap CI, p) next to CB-SEM's std.all (CI, p).

    ``sem_parameter_estimates``: a fitted :class:`~iur_survey.sem.results.SEMResult` or a table (see the module
    docstring); ``standardized``: lavaan's ``standardizedSolution(fit)`` table (or
    ``SEMResult.standardized_solution()``) giving the standardized se and interval.

    Columns: ``lhs op rhs label``; ``pls_est pls_se pls_pvalue pls_ci.lower pls_ci.upper`` (bootstrap
    columns NaN when the PLS result has no bootstrap); ``cb_std cb_est cb_se cb_pvalue cb_ci.lower cb_ci.upper
    cb_std.se cb_std.ci.lower cb_std.ci.upper`` (``cb_pvalue``: the Wald test of the unstandardized
    estimate, as ``parameterEstimates()``); ``diff`` (pls_est - cb_std), ``same_sign``, ``pls_significant``,
    ``cb_significant`` (p < ``alpha``) and ``agree`` (the same conclusion: both not significant, or both
    significant with the same sign; NaN without a PLS bootstrap).  ``pls_significant`` of a path is its
    p < ``alpha``; of a ``:=`` effect, its percentile interval excluding 0 (when the bootstrap's level is
    1 - ``alpha``), as Hair et al. (2021) judge an indirect effect.  ``cb_test`` says which test gives
    ``cb_significant``: ``"wald"`` (a path), ``"delta"`` (a ``:=`` effect by its delta-method p) or
    ``"bootstrap"`` (a ``:=`` effect by the percentile interval of ``cb_bootstrap``, see
    :func:`with_cb_bootstrap`, which also adds ``cb_boot.ci.lower``/``cb_boot.ci.upper``).

    >>> import pandas as pd
    >>> from iur_survey.pls import pls_sem, example_data, EXAMPLE_MODEL
    >>> res = pls_sem(example_data(), model=EXAMPLE_MODEL).bootstrap(200, seed=1)
    >>> cb = pd.DataFrame({"lhs": ["M", "Y", "Y", "ind"], "op": ["~", "~", "~", ":="],
    ...                    "rhs": ["X", "M", "X", "a*b"], "label": ["a", "b", "c", "ind"],
    ...                    "est": [0.62, 0.45, 0.2, 0.279], "se": [0.07, 0.08, 0.09, 0.05],
    ...                    "pvalue": [0.0, 0.0, 0.026, 0.0], "ci.lower": [0.48, 0.29, 0.02, 0.181],
    ...                    "ci.upper": [0.76, 0.61, 0.38, 0.377], "std.all": [0.57, 0.43, 0.19, 0.245],
    ...                    "std.all.se": [0.05, 0.06, 0.08, 0.04], "std.all.ci.lower": [0.472, 0.312, 0.033, 0.167],
    ...                    "std.all.ci.upper": [0.668, 0.548, 0.347, 0.323]})
    >>> tab = compare_with_cbsem(res, cb)
    >>> tab[["lhs", "op", "rhs", "pls_est", "cb_std", "cb_std.ci.lower", "agree"]].round(3)
       lhs  op  rhs  pls_est  cb_std  cb_std.ci.lower  agree
    0    M   ~    X    0.493   0.570            0.472   True
    1    Y   ~    M    0.348   0.430            0.312   True
    2    Y   ~    X    0.167   0.190            0.033   True
    3  ind  :=  a*b    0.172   0.245            0.167   True
    """
    tab = _as_table(sem_parameter_estimates, standardized)
    model = pls_result.model
    paths = list(model.paths)
    pls_paths = pls_result.estimates["paths"][0]
    boot = pls_result.boot
    draws = boot.draws["paths"] if boot is not None else None
    level = boot.level if boot is not None else 1.0 - alpha

    def pls_stats(est: float, d: np.ndarray | None) -> dict:
        if d is None:
            return {"pls_est": est, "pls_se": np.nan, "pls_pvalue": np.nan, "pls_ci.lower": np.nan,
                    "pls_ci.upper": np.nan}
        s = summarize_draws(np.array([est]), d[:, None], level).iloc[0]
        return {"pls_est": est, "pls_se": s["se"], "pls_pvalue": s["pvalue"], "pls_ci.lower": s["ci.lower"],
                "pls_ci.upper": s["ci.upper"]}

    def cb_stats(row) -> dict:
        if row is None:
            return {k: np.nan for k in ("cb_std", "cb_est", "cb_se", "cb_pvalue", "cb_ci.lower", "cb_ci.upper",
                                        "cb_std.se", "cb_std.ci.lower", "cb_std.ci.upper")}
        return {"cb_std": float(row["std.all"]), "cb_est": float(row["est"]), "cb_se": float(row["se"]),
                "cb_pvalue": float(row["pvalue"]), "cb_ci.lower": float(row["ci.lower"]),
                "cb_ci.upper": float(row["ci.upper"]), "cb_std.se": float(row["_std_se"]),
                "cb_std.ci.lower": float(row["_std_lo"]), "cb_std.ci.upper": float(row["_std_hi"])}

    reg = tab[tab["op"] == "~"]
    rows = []
    env_est: dict[str, float] = {}
    env_draw: dict[str, np.ndarray] = {}
    for k, (s, t) in enumerate(paths):
        hit = reg[(reg["lhs"] == t) & (reg["rhs"] == s)]
        row = hit.iloc[0] if len(hit) else None
        label = (row["label"] if row is not None else "") or model.labels.get((s, t), "")
        if row is not None and row["label"]:
            env_est.setdefault(row["label"], pls_paths[k])
            if draws is not None:
                env_draw.setdefault(row["label"], draws[:, k])
        rows.append({"lhs": t, "op": "~", "rhs": s, "label": label,
                     **pls_stats(pls_paths[k], None if draws is None else draws[:, k]), **cb_stats(row)})
    skipped: list[str] = []
    for _, row in tab[tab["op"] == ":="].iterrows():
        node = parse_expression(str(row["rhs"]))
        try:
            est = float(evaluate(node, env_est))
            d = np.asarray(evaluate(node, env_draw), float) if draws is not None else None
        except Exception:  # noqa: BLE001 - the definition uses a parameter PLS does not estimate
            skipped.append(str(row["lhs"]))
            continue
        env_est[row["lhs"]] = est
        if d is not None:
            env_draw[row["lhs"]] = d
        rows.append({"lhs": row["lhs"], "op": ":=", "rhs": row["rhs"], "label": row["label"] or row["lhs"],
                     **pls_stats(est, d), **cb_stats(row)})
    out = pd.DataFrame(rows)
    lacking = out["cb_std"].notna() & out["cb_std.ci.lower"].isna()
    if lacking.any():
        warnings.warn(f"compare_with_cbsem: no standardized interval for {int(lacking.sum())} CB-SEM row(s) "
                      "(the table has no standardizedSolution se/ci): cb_std.ci.lower/upper left NaN; pass the "
                      "fit, its results.json estimates or standardized=", UserWarning, stacklevel=2)
    unmatched = out.loc[(out["op"] == "~") & out["cb_est"].isna()]
    if len(unmatched) or skipped:
        what = [f"{r.lhs} ~ {r.rhs}" for r in unmatched.itertuples()]
        warnings.warn("compare_with_cbsem: the CB-SEM table is not of the same model: "
                      + (f"no CB-SEM estimate of the PLS path(s) {', '.join(what)} (left NaN)" if what else "")
                      + ("; " if what and skipped else "")
                      + (f"the := row(s) {', '.join(skipped)} use parameters PLS does not estimate (left out)"
                         if skipped else ""), UserWarning, stacklevel=2)
    out["diff"] = out["pls_est"] - out["cb_std"]
    same = (np.sign(out["pls_est"]) == np.sign(out["cb_std"])).to_numpy()
    out["same_sign"] = pd.Series(same, index=out.index).where(
        out["pls_est"].notna() & out["cb_std"].notna())                 # unknown (NaN), not False, without one
    pls_sig = (out["pls_pvalue"] < alpha).to_numpy()
    if draws is not None and abs(level - (1.0 - alpha)) < 1e-9:
        # a defined (indirect, total) effect: its percentile interval decides (Hair et al. 2021; Preacher & Hayes
        # 2008): a product's bootstrap distribution is skewed, and its p from t = est / SE can disagree with
        # the interval shown beside it (ind_TAL: p = .060, 95% CI [.002, .071])
        ci = (out["op"] == ":=").to_numpy() & out["pls_ci.lower"].notna().to_numpy()
        pls_sig[ci] = ((out["pls_ci.lower"] > 0) | (out["pls_ci.upper"] < 0)).to_numpy()[ci]
    out["pls_significant"] = pd.Series(pls_sig, index=out.index).where(out["pls_pvalue"].notna())
    out["cb_significant"] = (out["cb_pvalue"] < alpha).where(out["cb_pvalue"].notna())
    out["cb_test"] = np.where(out["op"] == ":=", "delta", "wald")
    out["agree"] = _agree(out)
    if cb_bootstrap is not None:
        if cb_bootstrap_level is None:
            raise ValueError("compare_with_cbsem: cb_bootstrap= needs cb_bootstrap_level= (the level of its "
                             "percentile intervals)")
        out = with_cb_bootstrap(out, cb_bootstrap, cb_bootstrap_level, alpha=alpha)
    return out


def _agree(out: pd.DataFrame) -> pd.Series:
    """The same conclusion from ``pls_significant`` and ``cb_significant``: both not significant, or both
    significant with the same sign (of ``pls_est`` and ``cb_std``); NaN where either verdict is unknown."""
    both = out["pls_significant"].notna() & out["cb_significant"].notna()
    pls_sig = out["pls_significant"].where(both, False).astype(bool).to_numpy()
    cb_sig = out["cb_significant"].where(both, False).astype(bool).to_numpy()
    same = (np.sign(out["pls_est"]) == np.sign(out["cb_std"])).to_numpy()
    return pd.Series((pls_sig == cb_sig) & (same | ~cb_sig), index=out.index).where(both)


def with_cb_bootstrap(compare: pd.DataFrame, effects: pd.DataFrame, level: float, *,
                      alpha: float = 0.05) -> pd.DataFrame:
    """:func:`compare_with_cbsem`'s frame with CB-SEM's indirect and total effects judged by a bootstrap of the
    CB-SEM fit, as a mediation analysis judges them: significant when the percentile interval excludes 0.

    ``effects``: one row per ``:=`` effect with ``effect`` (its name, the ``lhs``), ``est``, ``perc.lower`` and
    ``perc.upper`` (:func:`iur_survey.sem.mediation.bootstrap_effects`); ``level``: the level of those intervals,
    which must be 1 - ``alpha`` (else the intervals are another test: ValueError).  For each ``:=`` row found in
    ``effects``: ``cb_boot.ci.lower``/``cb_boot.ci.upper`` (unstandardized, the metric of ``cb_est``),
    ``cb_significant`` from them, ``cb_test = "bootstrap"`` and ``agree`` again.  Paths keep the Wald test; a
    ``:=`` row the bootstrap lacks keeps the delta method (with a warning), and a bootstrap whose point estimate
    is not ``cb_est`` (a bootstrap of another fit) is refused.  ``cb_pvalue`` stays the delta method's.

    >>> cmp = pd.DataFrame({"lhs": ["COL", "ind_VAL"], "op": ["~", ":="], "rhs": ["VAL", "a5*b"],
    ...                     "pls_est": [0.2, 0.05], "cb_std": [0.15, 0.03], "cb_est": [0.2, 0.031],
    ...                     "cb_pvalue": [0.001, 0.068], "pls_pvalue": [0.0, 0.01],
    ...                     "pls_significant": [True, True], "cb_significant": [True, False]})
    >>> eff = pd.DataFrame({"effect": ["ind_VAL"], "est": [0.031], "perc.lower": [0.0003], "perc.upper": [0.069]})
    >>> out = with_cb_bootstrap(cmp, eff, 0.95)
    >>> out[["lhs", "cb_test", "cb_significant", "agree"]].values.tolist()
    [['COL', 'wald', True, True], ['ind_VAL', 'bootstrap', True, True]]
    """
    if abs(float(level) - (1.0 - alpha)) > 1e-9:
        raise ValueError(f"with_cb_bootstrap: the bootstrap intervals are {100 * level:g}% ones; judging at "
                         f"alpha = {alpha:g} needs {100 * (1 - alpha):g}% intervals")
    need = {"effect", "est", "perc.lower", "perc.upper"}
    if not need <= set(effects.columns):
        raise ValueError(f"with_cb_bootstrap: the bootstrap effects need columns {sorted(need)}; they have "
                         f"{list(effects.columns)}")
    out = compare.copy()
    if "cb_test" not in out.columns:             # a frame of an older compare_with_cbsem
        out["cb_test"] = np.where(out["op"] == ":=", "delta", "wald")
    for c in ("cb_boot.ci.lower", "cb_boot.ci.upper"):
        if c not in out.columns:
            out[c] = np.nan
    out["cb_significant"] = out["cb_significant"].astype(object)
    boot = effects.drop_duplicates("effect").set_index("effect")
    missing, other = [], []
    for i in out.index[out["op"] == ":="]:
        name = out.at[i, "lhs"]
        if name not in boot.index:
            missing.append(str(name))
            continue
        b = boot.loc[name]
        if not np.isclose(float(b["est"]), float(out.at[i, "cb_est"]), rtol=1e-4, atol=1e-6):
            other.append(f"{name} ({float(b['est']):.4g} vs {float(out.at[i, 'cb_est']):.4g})")
            continue
        lo, hi = float(b["perc.lower"]), float(b["perc.upper"])
        out.at[i, "cb_boot.ci.lower"], out.at[i, "cb_boot.ci.upper"] = lo, hi
        out.at[i, "cb_test"] = "bootstrap"
        out.at[i, "cb_significant"] = (bool(lo > 0 or hi < 0) if not (np.isnan(lo) or np.isnan(hi)) else np.nan)
    if other:
        raise ValueError("with_cb_bootstrap: the bootstrap is not of the compared CB-SEM fit: its estimate differs "
                         f"for {', '.join(other)}")
    if missing:
        warnings.warn(f"with_cb_bootstrap: no bootstrap interval of {', '.join(missing)}: judged by the delta "
                      "method", UserWarning, stacklevel=2)
    out["agree"] = _agree(out)
    return out


def agreement(compare: pd.DataFrame) -> dict[str, Any]:
    """How often PLS-SEM and CB-SEM reach the same conclusion (``agree`` of :func:`compare_with_cbsem`): rows
    compared, rows agreeing, the ``(lhs, op, rhs)`` of the rows that disagree, and the same for the structural
    paths alone.

    >>> cmp = pd.DataFrame({"lhs": ["COL", "COL", "ind_GOV"], "op": ["~", "~", ":="], "rhs": ["GOV", "MKT", "a*b"],
    ...                     "agree": [True, False, None]})
    >>> agreement(cmp)
    {'n': 2, 'agree': 1, 'disagree': [('COL', '~', 'MKT')], 'n_paths': 2, 'agree_paths': 1}
    """
    known = compare[compare["agree"].notna()]
    paths = known[known["op"] == "~"]
    return {"n": int(len(known)), "agree": int(known["agree"].astype(bool).sum()),
            "disagree": [(r["lhs"], r["op"], r["rhs"]) for _, r in known.iterrows() if not bool(r["agree"])],
            "n_paths": int(len(paths)), "agree_paths": int(paths["agree"].astype(bool).sum())}


def measurement_verdict(reliability: pd.DataFrame, htmt: pd.DataFrame) -> dict[str, Any]:
    """The PLS measurement model against the three usual criteria (Hair et al.): every composite reliability
    rho_C >= .70 (``rho_c_ok``), every AVE >= .50 (``ave_ok``), every HTMT < .85 (``below_085``), from
    :meth:`~iur_survey.pls.results.PLSResult.reliability` and ``.htmt()``: the extremes, the pair with the
    largest HTMT and ``meets_all``.

    >>> rel = pd.DataFrame({"construct": ["A", "B"], "rho_c": [0.8, 0.9], "ave": [0.6, 0.55],
    ...                     "rho_c_ok": [True, True], "ave_ok": [True, True]})
    >>> ht = pd.DataFrame({"construct_1": ["A"], "construct_2": ["B"], "htmt": [0.9], "below_085": [False]})
    >>> v = measurement_verdict(rel, ht)
    >>> v["meets_all"], v["htmt_pair"], v["rho_c_min"]
    (False, ('A', 'B'), 0.8)
    """
    top = htmt.loc[htmt["htmt"].idxmax()] if len(htmt) else None
    return {"rho_c_min": float(reliability["rho_c"].min()), "rho_c_max": float(reliability["rho_c"].max()),
            "ave_min": float(reliability["ave"].min()),
            "htmt_max": float(htmt["htmt"].max()) if len(htmt) else float("nan"),
            "htmt_pair": (top["construct_1"], top["construct_2"]) if top is not None else None,
            "meets_all": bool(reliability["rho_c_ok"].all() and reliability["ave_ok"].all()
                              and htmt["below_085"].fillna(False).astype(bool).all())}   # NaN HTMT: not met
