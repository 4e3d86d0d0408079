"""Tables of SEM results (lavaan-named parameter tables and fit measures) in APA style.

Every function takes what :meth:`iur_survey.sem` results give (``parameter_estimates()``:
lhs, op, rhs, label, est, se, z, pvalue, ci.lower, ci.upper, std.lv, std.all;
``fit_measures()``: a Series named as lavaan's ``fitMeasures``) and returns a tidy DataFrame
or an :class:`~iur_survey.report.tables.APATable`.

>>> import pandas as pd
>>> fit = pd.Series({"chisq": 512.3, "df": 329, "pvalue": 0.0, "cfi": 0.981, "tli": 0.978,
...                  "rmsea": 0.027, "rmsea.ci.lower": 0.022, "rmsea.ci.upper": 0.031, "srmr": 0.031})
>>> t = fit_table({"CFA": fit})
>>> t.frame.iloc[0][["χ²", "CFI", "RMSEA [90% CI]"]].tolist()
['512.30', '.981', '.027 [.022, .031]']
"""

from __future__ import annotations

import math
from typing import Any, Mapping

import pandas as pd

from ..sem.fitmeasures import chisq_pvalue
from ..study import INDIRECT, MECHANISMS, OUTCOMES, effect_source
from . import format as _format
from .format import DASH, chisq, ci_text, estimate_text, group_caption, num, p_rel, pval, stars
from .tables import APATable, apa_table, code_span

MEDIATOR, OUTCOME = OUTCOMES


def hypothesis_map(mechanisms=MECHANISMS) -> dict[str, tuple[str, str, str, str | None]]:
    """The study's hypotheses for a list of mechanisms: id -> (kind, lhs, op, rhs).

    H1..Hk: mechanism -> COL; H(k+1): COL -> INT; H(k+2)a..: the indirect effects ind_X.

    >>> list(hypothesis_map())[:2], list(hypothesis_map())[5:8]
    (['H1', 'H2'], ['H6', 'H7a', 'H7b'])
    """
    k = len(mechanisms)
    out = {f"H{i}": ("path", MEDIATOR, "~", m) for i, m in enumerate(mechanisms, 1)}
    out[f"H{k + 1}"] = ("path", OUTCOME, "~", MEDIATOR)
    out.update({f"H{k + 2}{chr(96 + i)}": ("indirect", f"{INDIRECT}{m}", ":=", None) for i, m in enumerate(mechanisms, 1)})
    return out


#: the study's hypotheses (five mechanisms): id -> (kind, lhs, op, rhs)
HYPOTHESES = hypothesis_map()


def id_range(ids) -> str:
    """The hypotheses ``ids`` (in order) as the prose names them: ``H1–H5``, ``H7a–e``, or the one id.

    >>> id_range(["H1", "H2", "H3"]), id_range(["H5a", "H5b", "H5c"]), id_range(["H4"])
    ('H1–H3', 'H5a–c', 'H4')
    """
    ids = [str(i) for i in ids]
    if len(ids) <= 1:
        return "".join(ids)
    first, last = ids[0], ids[-1]
    if first[-1].isalpha() and first[:-1] == last[:-1]:
        return f"{first}–{last[-1]}"
    return f"{first}–{last}"


def hypothesis_labels(mechanisms=MECHANISMS) -> dict[str, str]:
    """The ids of the study's hypotheses for a list of mechanisms, as the prose names them (one numbering,
    :func:`hypothesis_map`): ``paths`` (mechanism -> mediator), ``b`` (mediator -> outcome), ``indirect`` (the
    indirect effects), ``structural`` (the paths and ``b``) and ``all``.

    >>> hypothesis_labels()
    {'paths': 'H1–H5', 'b': 'H6', 'indirect': 'H7a–e', 'structural': 'H1–H6', 'all': 'H1–H7e'}
    >>> hypothesis_labels(("TRU", "COM", "RES"))["indirect"], hypothesis_labels(("A",))["paths"]
    ('H5a–c', 'H1')
    """
    ids = list(hypothesis_map(tuple(mechanisms)))
    k = len(mechanisms)
    return {"paths": id_range(ids[:k]), "b": ids[k], "indirect": id_range(ids[k + 1:]),
            "structural": id_range(ids[:k + 1]), "all": f"{ids[0]}–{ids[-1]}"}


def mechanisms_of(estimates: pd.DataFrame) -> tuple[str, ...]:
    """The mechanisms of a fitted default model: the predictors of COL, in model order."""
    reg = estimates[(estimates["op"] == "~") & (estimates["lhs"] == MEDIATOR)]
    return tuple(reg["rhs"]) or MECHANISMS


def _get(fit: Mapping, key: str, default=math.nan):
    try:
        v = fit[key]
    except (KeyError, IndexError):
        return default
    return default if v is None else v


def fit_row(fit: Mapping, scaled: bool = False) -> dict[str, str]:
    """One model's fit in APA style: χ², df, p, CFI, TLI, RMSEA [90% CI], SRMR, AIC, BIC.

    ``scaled`` uses the robust (MLR) versions: chisq.scaled, cfi.robust, tli.robust, rmsea.robust.
    """
    sfx = ".scaled" if scaled else ""
    rob = ".robust" if scaled else ""
    lo, hi = _get(fit, f"rmsea.ci.lower{rob}"), _get(fit, f"rmsea.ci.upper{rob}")
    ci = "" if (pd.isna(lo) or pd.isna(hi)) else f" [{num(lo, 3, False)}, {num(hi, 3, False)}]"
    return {"χ²": chisq(_get(fit, f"chisq{sfx}")), "df": num(_get(fit, f"df{sfx}" if scaled else "df"), 0),
            "*p*": pval(_get(fit, f"pvalue{sfx}")), "CFI": num(_get(fit, f"cfi{rob}"), 3, False),
            "TLI": num(_get(fit, f"tli{rob}"), 3, False),
            "RMSEA [90% CI]": num(_get(fit, f"rmsea{rob}"), 3, False) + ci,
            "SRMR": num(_get(fit, "srmr"), 3, False), "AIC": num(_get(fit, "aic"), 1),
            "BIC": num(_get(fit, "bic"), 1)}


_INFO = ("AIC", "BIC")


def fit_table(fits: Mapping[str, Mapping], title: str = "Model fit", number=None, note: str | None = None,
              scaled: Mapping[str, bool] | None = None, information: bool = False) -> APATable:
    """Fit measures of one or more models, one row each (``fits``: model label -> fit measures);
    ``information=True`` adds AIC and BIC."""
    rows = []
    for label, fit in fits.items():
        row = {"Model": label}
        row.update({k: v for k, v in fit_row(fit, scaled=bool((scaled or {}).get(label))).items()
                    if information or k not in _INFO})
        rows.append(row)
    frame = pd.DataFrame(rows)
    return APATable(frame, title, number=number, note=note, numeric=tuple(c for c in frame.columns if c != "Model"),
                    wrap=("Model",))


def loadings(estimates: pd.DataFrame) -> pd.DataFrame:
    """The factor loadings (``=~`` rows): construct, item, est, se, z, pvalue, std.all.

    >>> est = pd.DataFrame({"lhs": ["F", "F"], "op": ["=~", "=~"], "rhs": ["a", "b"], "est": [1.0, 0.8],
    ...                     "se": [0.0, 0.1], "z": [float("nan"), 8.0], "pvalue": [float("nan"), 0.0],
    ...                     "std.all": [0.7, 0.6]})
    >>> loadings(est)["item"].tolist()
    ['a', 'b']
    """
    lam = estimates[estimates["op"] == "=~"]
    return pd.DataFrame({"construct": lam["lhs"].to_numpy(), "item": lam["rhs"].to_numpy(),
                         "est": lam["est"].to_numpy(), "se": lam["se"].to_numpy(), "z": lam["z"].to_numpy(),
                         "pvalue": lam["pvalue"].to_numpy(), "std.all": lam["std.all"].to_numpy()})


def loadings_table(estimates: pd.DataFrame, number=None, title: str = "Factor loadings") -> APATable:
    """APA table of the loadings: unstandardized *b* (SE) and standardized β; fixed markers shown as 1."""
    lam = loadings(estimates)
    fixed = (lam["se"].fillna(0) == 0) & lam["z"].isna()
    first = ~lam["construct"].duplicated()
    frame = pd.DataFrame({
        "Construct": [c if f else "" for c, f in zip(lam["construct"], first)], "Item": lam["item"],
        "*b*": [estimate_text(v) for v in lam["est"]],
        "*SE*": [DASH if f else estimate_text(v) for v, f in zip(lam["se"], fixed)],
        "*z*": [DASH if f else num(v, 2) for v, f in zip(lam["z"], fixed)],
        "*p*": [DASH if f else pval(v) for v, f in zip(lam["pvalue"], fixed)],
        "β": [num(v, 3, False) for v in lam["std.all"]]})
    return APATable(frame, title, number=number, numeric=("*b*", "*SE*", "*z*", "*p*", "β"),
                    note="*b*: unstandardized loading; the first loading of each construct is fixed to 1 to set "
                         "its scale (no *SE*). β: completely standardized loading (lavaan's std.all)."
                         + improper_note(estimates))


def efa_loadings_table(loadings: pd.DataFrame, communalities: pd.Series | None = None, number=None,
                       title: str = "Exploratory factor analysis", cutoff: float = 0.30,
                       note: str | None = None) -> APATable:
    """APA table of an EFA's pattern loadings (``loadings``: items x factors, e.g. :class:`EFAResult`'s):
    one row per item, named in an ``Item`` column, a dash where ``|loading| < cutoff``, and the item's
    communality h² (``communalities``, e.g. ``EFAResult.communalities``) in the last column when given.

    >>> L = pd.DataFrame({"F1": [0.71, 0.05], "F2": [-0.12, 0.64]}, index=["a1", "b1"])
    >>> t = efa_loadings_table(L, pd.Series([0.52, 0.43], index=["a1", "b1"]))
    >>> t.frame.values.tolist()
    [['a1', '0.71', '—', '0.52'], ['b1', '—', '0.64', '0.43']]
    >>> list(t.frame.columns)
    ['Item', 'F1', 'F2', 'h²']
    """
    frame = pd.DataFrame({"Item": [str(i) for i in loadings.index]})
    for col in loadings.columns:
        frame[str(col)] = [num(v, 2) if abs(v) >= cutoff else DASH for v in loadings[col].astype(float)]
    if communalities is not None:
        frame["h²"] = [num(v, 2) for v in communalities.reindex(loadings.index).astype(float)]
    numeric = tuple(c for c in frame.columns if c != "Item")
    return APATable(frame, title, number=number, numeric=numeric, note=note)


def latent_correlations(estimates: pd.DataFrame, constructs) -> pd.DataFrame:
    """The constructs' correlation matrix from the standardized ``~~`` rows of a CFA."""
    constructs = list(constructs)
    m = pd.DataFrame(1.0, index=constructs, columns=constructs)
    cov = estimates[(estimates["op"] == "~~") & estimates["lhs"].isin(constructs) & estimates["rhs"].isin(constructs)
                    & (estimates["lhs"] != estimates["rhs"])]
    for _, r in cov.iterrows():
        m.loc[r["lhs"], r["rhs"]] = m.loc[r["rhs"], r["lhs"]] = float(r["std.all"])
    return m


def regressions(estimates: pd.DataFrame) -> pd.DataFrame:
    """The structural paths (``~`` rows) with a readable ``path`` column."""
    reg = estimates[estimates["op"] == "~"].copy()
    reg.insert(0, "path", reg["rhs"] + " → " + reg["lhs"])
    return reg.reset_index(drop=True)


def defined(estimates: pd.DataFrame) -> pd.DataFrame:
    """The defined parameters (``:=`` rows: indirect and total effects)."""
    return estimates[estimates["op"] == ":="].reset_index(drop=True)


def defined_title(kinds) -> str:
    """The title of a table of defined (``:=``) parameters by what its rows are (``kinds``:
    :func:`~iur_survey.sem.mediation.defined_effects`' ``indirect`` / ``total`` / ``other``, read from each
    definition): never "Indirect and total effects" over a contrast ``a1 - a2`` or a ratio.

    >>> defined_title(["indirect", "total"]), defined_title(["indirect", "indirect"]), defined_title(["total"])
    ('Indirect and total effects', 'Indirect effects', 'Total effects')
    >>> defined_title(["indirect", "total", "other"]), defined_title(["other"]), defined_title([])
    ('Indirect and total effects and other defined parameters', 'Defined parameters', 'Defined parameters')
    """
    kinds = set(kinds)
    effects = [k for k in ("indirect", "total") if k in kinds]
    if not effects:
        return "Defined parameters"
    title = " and ".join(effects).capitalize() + " effects"
    return title + " and other defined parameters" if kinds - {"indirect", "total"} else title


def improper_solution(est: pd.DataFrame, variable: str | None = None) -> list[str]:
    """What makes the solution improper (lavaan warns on each): negative variances of latent or observed
    variables and completely standardized loadings beyond ±1 (a Heywood case); one phrase each, with the group
    of a multi-group table (``variable``: the group column, which names a numeric group code,
    :func:`~iur_survey.report.format.group_caption`).

    >>> est = pd.DataFrame({"lhs": ["F", "F", "F", "a"], "op": ["=~", "=~", "~~", "~~"],
    ...                     "rhs": ["a", "b", "F", "a"], "est": [1, 1.2, -0.3, -0.1],
    ...                     "std.all": [1.04, 0.9, None, -0.08]})
    >>> improper_solution(est)
    ['standardized loading of a on F beyond ±1 (1.040)', 'negative variance of latent F', 'negative residual variance of a']
    """
    if "group" not in est.columns:
        est = est.assign(group="")
    lv = set(est.loc[est["op"] == "=~", "lhs"])
    out = []
    for r in est.to_dict("records"):
        g = f" (group {group_caption(r['group'], variable)})" if r.get("group") else ""
        e, s = pd.to_numeric(r.get("est"), errors="coerce"), pd.to_numeric(r.get("std.all"), errors="coerce")
        if r["op"] == "~~" and r["lhs"] == r["rhs"] and e < 0:
            out.append(f"negative variance of latent {r['lhs']}{g}" if r["lhs"] in lv
                       else f"negative residual variance of {r['lhs']}{g}")
        elif r["op"] == "=~" and abs(s) > 1:
            out.append(f"standardized loading of {r['rhs']} on {r['lhs']} beyond ±1 ({s:.3f}){g}")
    return out


def improper_note(est: pd.DataFrame, variable: str | None = None) -> str:
    """The table note of an improper solution ("" for a proper one)."""
    bad = improper_solution(est, variable)
    if not bad:
        return ""
    return (" IMPROPER SOLUTION (lavaan warns): " + "; ".join(bad) + ". Estimates involving these variables are "
            "not interpretable; values that need their standard deviation are —.")


def improper_legend(est: pd.DataFrame, variable: str | None = None) -> list[str]:
    """The legend lines of a path diagram of an improper solution (:func:`improper_solution`), one per problem
    (``iur-survey diagram`` and the book draw them; ``variable`` as there).

    >>> improper_legend(pd.DataFrame({"lhs": ["a"], "op": ["~~"], "rhs": ["a"], "est": [-0.1], "std.all": [-0.1]}))
    ['IMPROPER SOLUTION (lavaan warns): negative residual variance of a.']
    """
    return [f"IMPROPER SOLUTION (lavaan warns): {w}." for w in improper_solution(est, variable)]


def improper_fits(fits: Mapping[str, pd.DataFrame]) -> str:
    """One paragraph naming every fit (label -> estimates table) whose solution is improper
    (:func:`improper_solution`), for a chapter's warning box; "" when every solution is proper.

    >>> bad = pd.DataFrame({"lhs": ["a"], "op": ["~~"], "rhs": ["a"], "est": [-0.1], "std.all": [-0.1]})
    >>> improper_fits({"ML": bad, "MLR": bad.assign(est=0.1)})
    'IMPROPER SOLUTION (lavaan warns) of ML: negative residual variance of a. Estimates, tests and verdicts from it are not interpretable.'
    """
    parts = [f"{label}: {'; '.join(bad)}" for label, est in fits.items() if (bad := improper_solution(est))]
    if not parts:
        return ""
    return ("IMPROPER SOLUTION (lavaan warns) of " + " | ".join(parts) + ". Estimates, tests and verdicts from it "
            "are not interpretable.")


def hypotheses(estimates: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """H1-H7e against the estimates: the parameter, its estimate, β, *p* and whether the hypothesis
    (a positive effect, significant at ``alpha``) is supported.  Indirect effects (H7) are judged by
    their delta-method test here (lavaan's default for ``:=``); bootstrap intervals are better.
    ``kind`` says what each hypothesis is: ``path`` (a regression path, the mechanisms' and the mediator's)
    or ``indirect``; the ids follow :func:`hypothesis_map`, so they depend on the number of mechanisms.

    >>> est = pd.DataFrame({"lhs": ["COL"], "op": ["~"], "rhs": ["GOV"], "label": ["a1"], "est": [0.3],
    ...                     "se": [0.05], "pvalue": [0.0001], "std.all": [0.28]})
    >>> hypotheses(est).iloc[0][["hypothesis", "kind", "supported"]].tolist()
    ['H1', 'path', 'yes']
    """
    rows = []
    for h, (kind, lhs, op, rhs) in hypothesis_map(mechanisms_of(estimates)).items():
        if kind == "path":
            hit = estimates[(estimates["lhs"] == lhs) & (estimates["op"] == op) & (estimates["rhs"] == rhs)]
            what = f"{rhs} → {lhs}"
        else:
            hit = estimates[(estimates["lhs"] == lhs) & (estimates["op"] == op)]
            what = f"{effect_source(lhs)} → {MEDIATOR} → {OUTCOME}"
        if hit.empty:
            continue
        r = hit.iloc[0]
        p = float(r["pvalue"])
        ok = float(r["est"]) > 0 and p < alpha
        rows.append({"hypothesis": h, "kind": kind, "effect": what, "label": r.get("label", ""), "est": float(r["est"]),
                     "se": float(r["se"]), "std.all": float(r.get("std.all", math.nan)), "pvalue": p,
                     "supported": "yes" if ok else "no"})
    return pd.DataFrame(rows, columns=["hypothesis", "kind", "effect", "label", "est", "se", "std.all", "pvalue",
                                       "supported"])


#: the Supported cell of a verdict judged from an improper solution
IMPROPER_VERDICT = "{} (improper solution)"


def hypotheses_table(estimates: pd.DataFrame, number=None, title: str = "Hypotheses",
                     note: str | None = None) -> APATable:
    """:func:`hypotheses` as an APA table.  Of an improper solution (:func:`improper_solution`) every verdict
    says so ("yes (improper solution)") and the note starts with lavaan's warning: no verdict reads as sound.

    >>> est = pd.DataFrame({"lhs": ["COL", "COL"], "op": ["~", "~~"], "rhs": ["GOV", "COL"], "label": ["a1", ""],
    ...                     "est": [0.3, -0.1], "se": [0.05, 0.02], "pvalue": [0.0001, 0.01], "std.all": [0.28, -0.1]})
    >>> t = hypotheses_table(est)
    >>> t.frame["Supported"].tolist(), t.note.split(":")[0]
    (['yes (improper solution)'], 'The verdicts come from an IMPROPER SOLUTION (lavaan warns)')
    """
    h = hypotheses(estimates)
    bad = improper_solution(estimates)
    supported = [IMPROPER_VERDICT.format(v) for v in h["supported"]] if bad else h["supported"]
    frame = pd.DataFrame({"Hypothesis": h["hypothesis"], "Effect": h["effect"], "Parameter": h["label"],
                          "*b*": [estimate_text(v) for v in h["est"]], "*SE*": [estimate_text(v) for v in h["se"]],
                          "β": [num(v, 3, False) + stars(p) for v, p in zip(h["std.all"], h["pvalue"])],
                          "*p*": [pval(v) for v in h["pvalue"]], "Supported": supported})
    if bad:
        note = ("The verdicts come from an IMPROPER SOLUTION (lavaan warns): " + "; ".join(bad) + ". They are not "
                "interpretable." + (f" {note}" if note else ""))
    return APATable(frame, title, number=number, note=note, numeric=("*b*", "*SE*", "β", "*p*"))


def chisq_difference(fit_restricted: Mapping, fit_full: Mapping) -> dict[str, float]:
    """Likelihood-ratio (χ² difference) test of nested ML models.

    >>> d = chisq_difference({"chisq": 130.0, "df": 20}, {"chisq": 100.0, "df": 15})
    >>> d["delta_chisq"], d["delta_df"], round(d["pvalue"], 6)
    (30.0, 5, 1.5e-05)
    """
    dchi = float(fit_restricted["chisq"]) - float(fit_full["chisq"])
    ddf = int(round(float(fit_restricted["df"]) - float(fit_full["df"])))
    p = float(chisq_pvalue(dchi, ddf))          # the one chi-square tail (NaN at df <= 0, as lavaan)
    return {"delta_chisq": dchi, "delta_df": ddf, "pvalue": p}


def compare_paths(fits: Mapping[str, pd.DataFrame], column: str = "std.all") -> pd.DataFrame:
    """Structural paths of several fits side by side: one row per path, one column per fit
    (``column`` of each), plus each fit's *p* value."""
    out, order = None, []
    for label, est in fits.items():
        reg = regressions(est)[["path", column, "pvalue"]].rename(columns={column: label, "pvalue": f"p ({label})"})
        order += [p for p in reg["path"] if p not in order]
        out = reg if out is None else out.merge(reg, on="path", how="outer")
    if out is None:
        return pd.DataFrame()
    # the model's order (paths to COL, then to INT), not the alphabetical order of an outer merge
    return out.set_index("path").loc[order].reset_index()


def paths_table(estimates: pd.DataFrame, number=None, title: str = "Structural paths") -> APATable:
    """The ``~`` rows as an APA table: path, label, *b*, *SE*, Wald 95% CI, β, *z*, *p*; the note says when the
    solution is improper (:func:`improper_note`)."""
    reg = regressions(estimates)
    frame = pd.DataFrame({"Path": reg["path"], "Parameter": reg["label"] if "label" in reg else "",
                          "*b*": [estimate_text(v) for v in reg["est"]], "*SE*": [estimate_text(v) for v in reg["se"]],
                          "95% CI": [ci_text(a, b) for a, b in zip(reg["ci.lower"], reg["ci.upper"])],
                          "β": [num(v, 3, False) for v in reg["std.all"]], "*z*": [num(v, 2) for v in reg["z"]],
                          "*p*": [pval(v) for v in reg["pvalue"]]})
    return APATable(frame, title, number=number, numeric=("*b*", "*SE*", "95% CI", "β", "*z*", "*p*"),
                    note="*b*: unstandardized estimate with its standard error and Wald 95% confidence interval; "
                         "β: completely standardized (std.all)." + improper_note(estimates))


def defined_table(estimates: pd.DataFrame, number=None,
                  title: str = "Indirect and total effects (delta method, provisional)") -> APATable:
    """The ``:=`` rows (indirect ``ind_X`` and total ``tot_X`` effects) with their delta-method SEs and CIs."""
    d = defined(estimates)
    frame = pd.DataFrame({"Effect": d["lhs"], "Definition": [code_span(v) for v in d["rhs"]],
                          "Estimate": [estimate_text(v) for v in d["est"]], "*SE* (delta)": [estimate_text(v) for v in d["se"]],
                          "95% CI (delta)": [ci_text(a, b) for a, b in zip(d["ci.lower"], d["ci.upper"])],
                          "β": [num(v, 3, False) for v in d["std.all"]], "*z*": [num(v, 2) for v in d["z"]],
                          "*p*": [pval(v) for v in d["pvalue"]]})
    return APATable(frame, title, number=number,
                    numeric=("Estimate", "*SE* (delta)", "95% CI (delta)", "β", "*z*", "*p*"),
                    note="ind_X = a·b, the effect of mechanism X on deep integration through collaborative "
                         "innovation; tot_X = c + a·b. Standard errors by the delta method (normal theory), as "
                         "lavaan computes them for defined parameters. Bootstrap intervals will replace them."
                         + improper_note(estimates))


def robustness_paths_table(fits: Mapping[str, pd.DataFrame], same_estimates: tuple[str, ...] = (), number=None,
                           title: str = "Standardized paths by estimation") -> APATable:
    """Standardized paths and their *p* values under several estimations side by side.  Fits named in
    ``same_estimates`` (MLR: the ML point estimates with other SEs) show only their *p* column."""
    cmp = compare_paths(fits)
    frame = pd.DataFrame({"Path": cmp["path"]})
    for k in fits:
        if k not in same_estimates:
            frame[f"β {k}"] = [num(v, 3, False) for v in cmp[k]]
        frame[f"*p* {k}"] = [pval(v) for v in cmp[f"p ({k})"]]
    return APATable(frame, title, number=number, numeric=tuple(c for c in frame.columns if c != "Path"),
                    note="β: completely standardized estimate (std.all). MLR changes the standard errors and so the "
                         "*p* values, not the estimates.")


def robustness_summary(fits: Mapping[str, pd.DataFrame]) -> dict[str, Any]:
    """How much the paths move across estimations: the largest spread of a standardized path (and which),
    and the paths significant at .05 under some estimations but not others.

    >>> a = pd.DataFrame({"lhs": ["COL", "INT"], "op": ["~", "~"], "rhs": ["GOV", "COL"], "std.all": [0.3, 0.4],
    ...                   "pvalue": [0.01, 0.001]})
    >>> b = a.assign(**{"std.all": [0.2, 0.45], "pvalue": [0.2, 0.001]})
    >>> r = robustness_summary({"ML": a, "listwise": b})
    >>> round(r["max_spread"], 3), r["max_spread_path"], r["significance_differs"]
    (0.1, 'GOV → COL', ['GOV → COL'])
    """
    cmp = compare_paths(fits)
    labels = list(fits)
    spread = cmp[labels].max(axis=1) - cmp[labels].min(axis=1)
    sig = cmp[[f"p ({k})" for k in labels]] < 0.05
    return {"max_spread": float(spread.max()), "max_spread_path": str(cmp.loc[spread.idxmax(), "path"]),
            "significance_differs": list(cmp.loc[sig.nunique(axis=1) > 1, "path"])}


#: the table note's words on the confidence interval of α (the measurement table of ``iur-survey tables`` and the
#: book's reliability table): which interval, as psych::alpha and JASP name it
ALPHA_CI_NOTE = ("95% CI: confidence interval of α by Feldt, Woodruff and Salih (1987), from the F distribution "
                 "with n − 1 and (n − 1)(k − 1) df on the same complete rows (psych's alpha() \"Feldt\" confidence "
                 "boundaries, JASP's analytical interval)")


def mixed_scale_alpha_note(alpha_std: Mapping[str, float], constructs: Mapping[str, Any], instrument) -> str:
    """The table note on Cronbach's α of a construct whose items are on scales of different lengths (``""``
    when there is none, or without an instrument): α weights each item by its variance, so an item on a longer
    scale (0-10 beside 1-5) counts more and α comes out lower than the same answers on one scale would give;
    the standardized α (``alpha_std``: cronbach_alpha's, psych's ``std.alpha``, of the item correlations) is
    named beside it.  ``constructs``: construct -> its items.

    >>> from iur_survey.instrument import load_instrument
    >>> mixed_scale_alpha_note({"INT": 0.79}, {"INT": ["INT1", "INT2"]}, load_instrument())
    ''
    """
    if instrument is None or not getattr(instrument, "mixed_scales", False):
        return ""
    parts = []
    for f, items in constructs.items():
        texts = list(dict.fromkeys(instrument.scale_of(i).text for i in items
                                   if i in instrument.items and not instrument.items[i].continuous))
        v = alpha_std.get(f, math.nan) if hasattr(alpha_std, "get") else math.nan
        if len(texts) > 1 and v is not None and math.isfinite(float(v)):
            parts.append(f"{f} ({' and '.join(texts)}; standardized α = {num(float(v), 3, False)})")
    if not parts:
        return ""
    return (" α of a construct whose items are on scales of different lengths weights each item by its variance: "
            "the items of the longer scale count more and α is lower than the items' correlations imply: "
            + "; ".join(parts) + " (standardized α: psych's std.alpha, from the item correlations).")


def reliability_frame(measures: Mapping[str, pd.DataFrame], constructs) -> pd.DataFrame:
    """One row per construct: items, α with its 95% CI, ω, AVE from :mod:`iur_survey.measure` outputs
    (``alpha``: cronbach_alpha, ``omega``: composite_reliability, ``ave``: ave); NaN where absent.  ω is
    semTools' compRelSEM and AVE semTools' AVE, the ω and AVE of the tables of ``iur-survey tables``; their
    "CR" (of the standardized solution) is another statistic, not shown here.  "95% CI": cronbach_alpha's
    Feldt interval (``feldt.lower``, ``feldt.upper``; :data:`ALPHA_CI_NOTE` says so in the note), as text,
    "—" where absent.

    >>> a = pd.DataFrame({"alpha": [0.626], "feldt.lower": [0.546503], "feldt.upper": [0.693753]},
    ...                  index=pd.Index(["visual"], name="construct"))
    >>> reliability_frame({"alpha": a}, ["visual", "speed"])[["Construct", "α", "95% CI"]].values.tolist()
    [['visual', 0.626, '[.547, .694]'], ['speed', nan, '—']]
    """
    idx = list(constructs)
    out = pd.DataFrame({"Construct": idx})
    for key, col, name in (("alpha", "alpha", "α"), ("omega", "omega", "ω"), ("ave", "ave", "AVE")):
        src = measures.get(key)
        out[name] = src[col].reindex(idx).to_numpy() if src is not None else math.nan
        if key == "alpha":
            lo, up = ((src[c].reindex(idx).to_numpy() if src is not None and c in src.columns
                       else [math.nan] * len(idx)) for c in ("feldt.lower", "feldt.upper"))
            out["95% CI"] = [ci_text(a, b, 3, False) for a, b in zip(lo, up)]
    # a construct of an improper solution (a Heywood case): its ω and AVE are semTools' numbers but not
    # interpretable: blank ("—"), and attrs["improper"] (construct -> why) for the table's note
    why: dict[str, str] = {}
    for key in ("omega", "ave"):
        src = measures.get(key)
        if src is not None and "improper" in src.columns:
            why.update({c: w for c, w in src["improper"].items() if w and c in idx})
    hit = out["Construct"].isin(list(why))
    out.loc[hit, ["ω", "AVE"]] = math.nan
    out.attrs["improper"] = why
    return out


def improper_reliability_note(frame: pd.DataFrame) -> str:
    """The table note of :func:`reliability_frame` when a construct comes from an improper solution ("" else).

    >>> f = pd.DataFrame({"Construct": ["F"], "ω": [float("nan")]})
    >>> f.attrs["improper"] = {"F": "negative residual variance of c"}
    >>> improper_reliability_note(f)
    ' IMPROPER SOLUTION (lavaan warns): ω and AVE of F: — (F: negative residual variance of c; semTools reports a number, which is not interpretable).'
    """
    why = frame.attrs.get("improper") or {}
    if not why:
        return ""
    return (f" IMPROPER SOLUTION (lavaan warns): ω and AVE of {', '.join(why)}: — ("
            + "; ".join(f"{c}: {w}" for c, w in why.items())
            + "; semTools reports a number, which is not interpretable).")


def htmt_matrix(long: pd.DataFrame) -> pd.DataFrame:
    """The square HTMT matrix from :func:`iur_survey.measure.htmt`'s long output (1 on the diagonal).

    >>> m = htmt_matrix(pd.DataFrame({"construct_1": ["A"], "construct_2": ["B"], "htmt": [0.4]}))
    >>> float(m.loc["B", "A"]), float(m.loc["A", "A"])
    (0.4, 1.0)
    """
    names = list(dict.fromkeys(list(long["construct_1"]) + list(long["construct_2"])))
    sq = pd.DataFrame(1.0, index=names, columns=names)
    for a, b, v in zip(long["construct_1"], long["construct_2"], long["htmt"]):
        sq.loc[a, b] = sq.loc[b, a] = float(v)
    return sq


def harman_table(harman: pd.DataFrame, number=None) -> APATable:
    """:func:`iur_survey.measure.harman_single_factor`'s output (index ``pca_first_component`` /
    ``single_factor_cfa``; ``share``, ``meets_cutoff``) as an APA table."""
    names = {"pca_first_component": "first principal component", "single_factor_cfa": "one-factor CFA"}
    frame = pd.DataFrame({"Version": [names.get(i, i) for i in harman.index], "Variance share": harman["share"].to_numpy(),
                          "Below .50": ["yes" if bool(v) else "no" for v in harman["meets_cutoff"]]})
    basis = (harman["basis"].get("pca_first_component") if "basis" in harman.columns else None) or \
        "correlation matrix of the complete responses"
    warned = "; ".join(w for w in harman["warnings"] if w) if "warnings" in harman.columns else ""
    return apa_table(frame, "Harman's single-factor test", number=number, formats={"Variance share": "r3"},
                     note="Share of the items' total variance explained by the first unrotated principal component "
                          f"({basis}), and the mean squared standardized loading "
                          "of a one-factor ML CFA (iur_survey.measure.harman_single_factor)."
                          + (f" The one-factor CFA warns: {warned}; its share is not interpretable." if warned else ""))


def chisq_difference_text(delta_chisq: float, delta_df: float, pvalue: float) -> str:
    """APA text of a χ² difference test.

    >>> chisq_difference_text(30.0, 5, 1.5e-05)
    'Δχ²(5) = 30.00, *p* < .001'
    """
    return f"Δχ²({num(delta_df, 0)}) = {chisq(delta_chisq)}, *p* {p_rel(pvalue)}"



def chisq_fit_reading(pvalue: float, n: int, alpha: float = 0.05) -> str:
    """What the χ² test of exact fit says and why the approximate indices are read beside it, true at any *N*:
    the test's power grows with the sample size (a large sample rejects a trivial misfit, a small one can
    miss a real one), so the sentence gives the *N* and the test's own verdict, never "samples of this size".

    >>> chisq_fit_reading(1e-9, 1200)[:60]
    'The test rejects exact fit. Its power grows with the sample '
    >>> "does not reject" in chisq_fit_reading(0.31, 150) and "*N* = 150" in chisq_fit_reading(0.31, 150)
    True
    """
    n_txt = f"here *N* = {int(n):,}"
    if pvalue is not None and not pd.isna(pvalue) and pvalue < alpha:
        return (f"The test rejects exact fit. Its power grows with the sample size ({n_txt}): a large sample "
                "rejects even a trivial misfit, a small one can miss a real misfit. The approximate fit indices "
                "measure how large the misfit is rather than whether there is any, so they carry the judgement:")
    return (f"The test does not reject exact fit. Its power grows with the sample size ({n_txt}), and a small "
            "sample can miss a real misfit, so the approximate fit indices, which measure how large the misfit is, "
            "are read too:")


def fit_power_text(df: float, n: int, group: int = 1, *, rmsea0: float = 0.05, close: float = 0.08,
                   not_close: float = 0.01, target: float = 0.80, alpha: float = 0.05) -> str:
    """What the RMSEA tests of the fitted model can detect at its *N* (MacCallum, Browne & Sugawara, 1996): the
    power of the test of close fit (H0: RMSEA <= ``rmsea0``) against RMSEA = ``close``, of the test of not-close
    fit (H0: RMSEA >= ``rmsea0``) against RMSEA = ``not_close``, and the *N* each needs for ``target`` power; the
    numbers are :mod:`iur_survey.power.rmsea`'s (semTools' findRMSEApower / findRMSEAsamplesize).  "" without a
    df (a saturated model has no such test).

    >>> t = fit_power_text(20, 200)
    >>> t[t.index("close fit"):t.index(", and")]
    'close fit (H0: RMSEA ≤ .05) rejects a model whose population RMSEA is .08 with power = .45'
    >>> t[t.index("a power of"):t.index(" respectively")]
    'a power of .80 needs *N* = 434 and 474'
    >>> fit_power_text(0, 200)
    ''
    """
    import warnings

    from ..power.rmsea import RMSEAPowerWarning, rmsea_power, rmsea_samplesize

    if df is None or pd.isna(df) or df <= 0 or n is None or pd.isna(n) or n < 2:
        return ""
    p = rmsea_power(df, int(n), rmsea0, [close, not_close], alpha, group)["power"].tolist()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RMSEAPowerWarning)      # said in the text: "at most"
        s = rmsea_samplesize(df, rmsea0, [close, not_close], target, alpha, group)
    need = [f"{'at most ' if m else ''}{int(k):,}" for k, m in zip(s["n"], s["at.min"])]
    f = lambda x: num(x, 2, leading_zero=False)
    pw = lambda x: "> .99" if x > 0.995 else f"= {f(x)}"
    grp = f" in {group} groups" if group > 1 else ""
    return (f"What the RMSEA tests can detect with df = {num(df, 0)} and *N* = {int(n):,}{grp} (MacCallum, Browne & "
            f"Sugawara, 1996): the test of close fit (H0: RMSEA ≤ {f(rmsea0)}) rejects a model whose population RMSEA "
            f"is {f(close)} with power {pw(p[0])}, and the test of not-close fit (H0: RMSEA ≥ {f(rmsea0)}) rejects "
            f"H0 for a model whose RMSEA is {f(not_close)} with power {pw(p[1])}; a power of {f(target)} needs "
            f"*N* = {need[0]} and {need[1]} respectively, by the large-sample χ² distributions these figures rest on "
            f"(at a small *N* for its df the χ² test itself rejects too often; `iur-survey power --rmsea {rmsea0:g} "
            f"{close:g} {not_close:g} --from-results results.json` gives the same numbers).")


def factorability_text(kmo: float, chisq: float, df: float, pvalue: float, alpha: float = 0.05) -> str:
    """Whether the items suit a factor analysis, from the overall KMO (Kaiser, 1974: .60 or more) and Bartlett's
    test of sphericity, worded by what the numbers say.

    >>> factorability_text(0.91, 2500.4, 378, 0.0)
    "The items suit a factor analysis: KMO = .91 (.60 or more wanted), and Bartlett's test rejects uncorrelated items (χ²(378) = 2,500.4, *p* < .001)."
    >>> factorability_text(0.52, 30.1, 28, 0.36)[:70]
    'The items are poorly suited to a factor analysis: KMO = .52 (.60 or mo'

    A number not computed (Bartlett's test of polychoric correlations) gives no verdict:

    >>> factorability_text(0.83, float("nan"), float("nan"), float("nan"))
    "KMO = .83 (.60 or more wanted). Bartlett's test is not available, so whether the items suit a factor analysis is not judged here."
    """
    known = lambda v: v is not None and not pd.isna(v)              # noqa: E731
    kmo_txt = f"KMO = {num(kmo, 2, False)} (.60 or more wanted)"
    if not known(kmo) or not known(pvalue):
        # no number, no verdict (Bartlett's test is not computed on polychoric correlations): never "poorly suited"
        parts = ([kmo_txt] if known(kmo) else []) + (
            [f"Bartlett's test {'rejects' if pvalue < alpha else 'does not reject'} uncorrelated items "
             f"(χ²({num(df, 0)}) = {_format.chisq(chisq, 1)}, *p* {p_rel(pvalue)})"] if known(pvalue) else [])
        gone = [w for w, v in (("the KMO", kmo), ("Bartlett's test", pvalue)) if not known(v)]
        what = " and ".join(gone)
        return ((" and ".join(parts) + ". " if parts else "") + f"{what[0].upper() + what[1:]} "
                f"{'is' if len(gone) == 1 else 'are'} not available, so whether the items suit a factor analysis "
                "is not judged here.")
    bart = f"χ²({num(df, 0)}) = {_format.chisq(chisq, 1)}, *p* {p_rel(pvalue)}"
    good_kmo = kmo >= 0.60
    rejects = pvalue < alpha
    if good_kmo and rejects:
        return f"The items suit a factor analysis: {kmo_txt}, and Bartlett's test rejects uncorrelated items ({bart})."
    return ("The items are poorly suited to a factor analysis: " + kmo_txt
            + (", but" if good_kmo or rejects else ", and") + " Bartlett's test "
            + ("rejects" if rejects else "does not reject") + f" uncorrelated items ({bart}). The EFA below is to be "
            "read with that caution.")



def moderation_conclusion(pvalue: float, low: float, high: float, focal: str = "GOV", moderator: str = "MKT",
                          outcome: str = "COL", alpha: float = 0.05) -> str:
    """The answer of an exploratory moderation test, drawn from its numbers (:func:`moderation_text` gives them
    just before): the interaction's *p* and the focal effect at one SD below (``low``) and above (``high``) the
    moderator's mean
    (:func:`iur_survey.sem.interaction.simple_slopes`).  Not significant: no evidence of moderation, said as such (not evidence of no moderation).

    >>> moderation_conclusion(0.004, 0.41, 0.12)[:92]
    'The interaction is significant at .05: the effect of GOV on COL is weaker where MKT is high.'
    >>> moderation_conclusion(0.004, -0.12, -0.41)[:93]     # more negative where MKT is high: stronger
    'The interaction is significant at .05: the effect of GOV on COL is stronger where MKT is high'
    >>> moderation_conclusion(0.004, 0.25, -0.2)[:105]
    'The interaction is significant at .05: the effect of GOV on COL is of the opposite sign where MKT is high'
    >>> moderation_conclusion(0.41, 0.30, 0.33)[:93]
    'The interaction is not significant at .05: these data give no evidence that the effect of GOV'
    """
    if pvalue is not None and not pd.isna(pvalue) and pvalue < alpha:
        # stronger/weaker by size: a negative effect that grows more negative is stronger, not weaker
        how = ("of the opposite sign" if low * high < 0 else
               "stronger" if abs(high) > abs(low) else "weaker")
        return (f"The interaction is significant at .05: the effect of {focal} on {outcome} is {how} where "
                f"{moderator} is high. As an exploratory finding on the data that suggested it, it needs new data to "
                "be confirmed.")
    return (f"The interaction is not significant at .05: these data give no evidence that the effect of {focal} on "
            f"{outcome} depends on {moderator}, the two slopes differ by no more than chance. That is not evidence "
            "that the effect is the same everywhere: the test may lack the power to detect a small moderation.")



def half_cfa_text(fit: Mapping[str, Any] | None, n: int) -> str:
    """The split-half check's last sentence: the CFA's fit on the second half, or that it did not converge there
    (``fit`` None: a fit that did not converge has no fit measures).

    >>> half_cfa_text({"cfi": 0.962, "rmsea": 0.041}, 402)
    'On the other half, the CFA fits with CFI = .962 and RMSEA = .041.'
    >>> half_cfa_text(None, 75)[:60]
    'On the other half (75 respondents), the CFA did not converge'
    """
    if fit is None:
        return (f"On the other half ({n:,} respondents), the CFA did not converge, so the structure cannot be "
                "confirmed there: the half is too small or the model does not suit it.")
    return f"On the other half, the CFA fits with CFI = {num(fit['cfi'], 3, False)} and RMSEA = {num(fit['rmsea'], 3, False)}."



def split_half_text(ef, assignment: pd.DataFrame | None, half_fit: Mapping[str, Any] | None, n_b: int,
                    error: str = "", n_a: int | None = None) -> str:
    """Chapter 4's split-half results, worded from the numbers: the halves' sizes, KMO and Bartlett
    (:func:`factorability_text`), parallel analysis, the EFA's factors and how many items load most on their own
    construct's factor (``assignment``: :func:`iur_survey.measure.efa.item_assignment`), and the CFA on the other
    half (:func:`half_cfa_text`); or, ``ef`` None, that the check was not computed and why (``error``).
    ``n_a``: the first half's rows, of which the EFA uses the complete ones (``ef.n``); the CFA uses all ``n_b``
    of the second half (FIML).  "The first half has 343 complete respondents and the second 402" read as halves
    of unequal size, the first's count being its complete rows only.

    >>> split_half_text(None, None, None, 0, "the first half has 40 complete rows, fewer than the 56 needed")
    'The split-half check was not computed: the first half has 40 complete rows, fewer than the 56 needed.'
    """
    if ef is None:
        return f"The split-half check was not computed: {str(error or 'its input is not available').rstrip('.')}."
    b = ef.bartlett.iloc[0]
    n_pa = int(ef.parallel.attrs["n_factors"]) if ef.parallel is not None else None
    match = int(assignment["matches"].sum())
    miss = ", ".join(assignment.loc[~assignment["matches"], "item"]) or "none"
    sizes = (f"The first half has {int(ef.n):,} complete respondents and the second {int(n_b):,}. " if n_a is None
             else f"The halves have {int(n_a):,} and {int(n_b):,} respondents; the EFA uses the {int(ef.n):,} of "
                  f"the first half who answered every item, the CFA all {int(n_b):,} of the second (FIML). ")
    return (sizes
            + factorability_text(ef.kmo.loc["overall", "MSA"], b["chisq"], b["df"], b["p.value"])
            + (f" Parallel analysis suggests {n_pa} factor{'s' if n_pa != 1 else ''}." if n_pa is not None else "")
            + f" The EFA extracts the instrument's {int(ef.k)} (RMSEA = {num(ef.fit['rmsea'], 3, False)}), and "
            f"{match} of the {len(assignment)} items load most strongly on their own construct's factor (constructs "
            "and factors are matched one to one, so two constructs merged into one factor show up here; exceptions: "
            f"{miss}). " + half_cfa_text(half_fit, n_b))



def moderation_absent_text(absent, constructs) -> str:
    """Chapter 5's moderation section for an instrument without the constructs it asks about (``absent`` of GOV,
    MKT): a short notice that it is not computed and why, in place of the study's prose about them.

    >>> moderation_absent_text(["GOV", "MKT"], ["TRU", "COM", "COL", "INT"])  # doctest: +NORMALIZE_WHITESPACE
    'Not computed for this instrument: this exploratory section asks whether market allocation (MKT) moderates
    the effect of government guidance (GOV), and the instrument has no construct GOV or MKT (its constructs:
    TRU, COM, COL, INT).'
    """
    return ("Not computed for this instrument: this exploratory section asks whether market allocation (MKT) "
            "moderates the effect of government guidance (GOV), and the instrument has no construct "
            f"{' or '.join(absent)} (its constructs: {', '.join(constructs)}).")


#: the caption of chapter 5's Johnson-Neyman figure, for the study's question put to an instrument with GOV and MKT
JN_CAPTION = ("Johnson–Neyman plot: the effect of government guidance (GOV) on collaborative innovation (COL) as a "
              "function of market allocation (MKT), with its 95% confidence band.")


def jn_caption(absent) -> str:
    """The caption of chapter 5's Johnson–Neyman figure: the study's (:data:`JN_CAPTION`), or, for an instrument
    without the constructs (``absent`` of GOV, MKT, COL), one that says the figure is not computed and does not
    describe a plot that is not there.

    >>> jn_caption([]) == JN_CAPTION
    True
    >>> jn_caption(["GOV", "MKT"])
    'Johnson–Neyman plot of the exploratory GOV × MKT moderation: not computed for this instrument.'
    """
    if not absent:
        return JN_CAPTION
    return "Johnson–Neyman plot of the exploratory GOV × MKT moderation: not computed for this instrument."


def moderation_text(n: int | None, b: float, se: float, pvalue: float, std: float, low: float, high: float,
                    jn_bounds, error: str = "", focal: str = "GOV", moderator: str = "MKT",
                    outcome: str = "COL") -> str:
    """Chapter 5's moderation results: the interaction's estimate, its standardized value, the simple slopes at
    ±1 SD, the Johnson–Neyman bounds within ±3 SD (``jn_bounds``, in SD of the moderator) and the conclusion
    (:func:`moderation_conclusion`); ``n`` None: the model was not computed, and why (``error``).

    >>> moderation_text(None, 0, 0, 1, 0, 0, 0, [], "the instrument has no construct MKT")
    'The moderation model was not computed: the instrument has no construct MKT.'
    >>> moderation_text(300, 0.05, 0.04, 0.21, 0.06, 0.3, 0.4, [])[:80]
    'On 300 respondents, the interaction coefficient is 0.050 (SE 0.040, *p* = .210).'
    >>> moderation_text(300, 0.1, 0.04, 0.01, 0.09, 0.3, 0.5, [-1.97, 2.5]).split("significant: ")[1][:20]
    '−1.97 SD; +2.50 SD. '
    """
    from .format import quantity
    if n is None:
        return f"The moderation model was not computed: {str(error or 'its input is not available').rstrip('.')}."
    # a true minus sign, as every other number of the book (was "-1.97 SD" beside "−0.05")
    jn = "; ".join(f"{v:+.2f} SD".replace("-", "−") for v in jn_bounds) if len(jn_bounds) else "none within ±3 SD"
    return (f"On {int(n):,} respondents, the interaction coefficient is {quantity(b, 'b')} (SE {quantity(se, 'se')}, "
            f"*p* {p_rel(pvalue)}). In standard-deviation units of {focal}, {moderator} and {outcome} it is "
            f"{estimate_text(std)}. The effect of {focal} on {outcome} is {num(low, 2)} at one SD below the mean of "
            f"{moderator} and {num(high, 2)} at one SD above it. Johnson–Neyman bounds, the values of {moderator} "
            f"where the effect of {focal} turns from significant to not significant: {jn}. "
            + moderation_conclusion(pvalue, low, high, focal, moderator, outcome))


__all__ = ["ALPHA_CI_NOTE", "chisq_difference_text", "chisq_fit_reading", "factorability_text", "fit_power_text", "moderation_absent_text", "moderation_conclusion", "moderation_text", "half_cfa_text", "split_half_text", "harman_table", "defined_table", "htmt_matrix", "paths_table", "reliability_frame",
           "robustness_paths_table", "robustness_summary", "HYPOTHESES", "hypothesis_labels", "id_range", "hypothesis_map", "mechanisms_of", "apa_table", "chisq_difference", "compare_paths", "defined", "defined_title", "fit_row", "fit_table",
           "hypotheses", "hypotheses_table", "improper_fits", "improper_legend", "improper_note",
           "improper_reliability_note", "improper_solution", "latent_correlations", "efa_loadings_table", "loadings", "loadings_table", "regressions"]
