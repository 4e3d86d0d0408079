"""PLS-SEM beside CB-SEM for the robustness chapter: the comparison table and the PLS measurement quality
(reliability, HTMT) in APA style (the agreement count is :func:`iur_survey.pls.compare.agreement`).

They take what :mod:`iur_survey.pls` returns: :func:`iur_survey.pls.compare_with_cbsem`'s side-by-side frame
and :meth:`~iur_survey.pls.PLSResult.reliability` / :meth:`~iur_survey.pls.PLSResult.htmt`.

>>> cmp = pd.DataFrame({"lhs": ["COL", "ind_GOV"], "op": ["~", ":="], "rhs": ["GOV", "a1*b"],
...                     "pls_est": [0.25, 0.07], "pls_ci.lower": [0.2, 0.05], "pls_ci.upper": [0.31, 0.09],
...                     "pls_pvalue": [0.0, 0.0], "cb_std": [0.30, 0.11], "cb_std.ci.lower": [0.22, 0.06],
...                     "cb_std.ci.upper": [0.38, 0.16], "cb_pvalue": [0.0, 0.2], "agree": [True, False]})
>>> pls_comparison_table(cmp).frame["Agree"].tolist()
['yes', 'no']
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from .format import DASH, ci_text, estimate_text, num, pval, quantity
from ..study import INDIRECT, TOTAL, effect_source
from .sem_tables import MEDIATOR, OUTCOME
from .tables import APATable, triangle_table

__all__ = ["effect_name", "pls_comparison_table", "pls_reliability_table", "pls_htmt_table", "pls_paths_table",
           "pls_sample_words", "pls_sample_sentence"]


def effect_name(lhs: str, op: str, rhs: str, study: bool = True) -> str:
    """A readable name of a comparison row: ``GOV → COL`` for a path, ``GOV → COL → INT`` for ``ind_GOV``,
    ``GOV → INT (total)`` for ``tot_GOV`` (the study's effects; ``study=False``, another model: the name).

    >>> effect_name("COL", "~", "GOV"), effect_name("ind_GOV", ":=", "a1*b"), effect_name("tot_TAL", ":=", "")
    ('GOV → COL', 'GOV → COL → INT', 'TAL → INT (total)')
    >>> effect_name("ind_ind60", ":=", "a*b", study=False)
    'ind_ind60'
    """
    if op == "~":
        return f"{rhs} → {lhs}"
    if not study:
        return lhs
    if lhs.startswith(INDIRECT):
        return f"{effect_source(lhs)} → {MEDIATOR} → {OUTCOME}"
    if lhs.startswith(TOTAL):
        return f"{effect_source(lhs)} → {OUTCOME} (total)"
    return lhs


def _ci(lo, hi) -> str:
    """A β interval with two decimals (:func:`~iur_survey.report.format.ci_text`: a bound of an interval that
    excludes zero never reads as zero)."""
    return ci_text(lo, hi, 2, False)


def pls_comparison_table(compare: pd.DataFrame, number=None, B: int | None = None,
                         title: str = "PLS-SEM and CB-SEM side by side",
                         cb_model: str = "the ML model with FIML (Table 5.2)",
                         cb_test: str = "the unstandardized Wald test (delta method for indirect and total effects)",
                         cb_boot: str = "the CB-SEM bootstrap of the mediation chapter") -> APATable:
    """:func:`iur_survey.pls.compare_with_cbsem` as an APA table: for every path and defined effect the PLS
    estimate with its bootstrap interval and *p*, the CB-SEM standardized estimate with its interval and *p*,
    and whether the two reach the same conclusion.  ``cb_model`` and ``cb_test`` say in the note which CB-SEM
    fit it is and what its *p* is (the defaults are the book's; a bootstrap fit's *p* is the z test over the
    bootstrap *SE*).  Where ``compare`` judges CB-SEM's indirect and total effects by a bootstrap
    (``cb_test == "bootstrap"``, :func:`iur_survey.pls.compare.with_cb_bootstrap`), the note says so and names
    ``cb_boot``, the bootstrap they come from.

    >>> cmp = pd.DataFrame({"lhs": ["COL", "ind_VAL"], "op": ["~", ":="], "rhs": ["VAL", "a5*b"],
    ...                     "pls_est": [0.2, 0.05], "pls_ci.lower": [0.1, 0.01], "pls_ci.upper": [0.3, 0.09],
    ...                     "pls_pvalue": [0.0, 0.02], "cb_std": [0.15, 0.03], "cb_std.ci.lower": [0.05, -0.002],
    ...                     "cb_std.ci.upper": [0.25, 0.06], "cb_pvalue": [0.001, 0.068], "agree": [True, True],
    ...                     "cb_test": ["wald", "bootstrap"]})
    >>> "excludes 0, whatever its delta-method *p*" in pls_comparison_table(cmp).note
    True
    """
    paths = compare[compare["op"] == "~"]
    study = {MEDIATOR, OUTCOME} <= set(paths["lhs"]) | set(paths["rhs"])     # the study's model: its effect names
    frame = pd.DataFrame({
        "Effect": [effect_name(a, o, b, study) for a, o, b in zip(compare["lhs"], compare["op"], compare["rhs"])],
        "PLS β": [num(v, 3, False) for v in compare["pls_est"]],
        "PLS 95% CI": [_ci(a, b) for a, b in zip(compare["pls_ci.lower"], compare["pls_ci.upper"])],
        "PLS *p*": [pval(v) for v in compare["pls_pvalue"]],
        "CB-SEM β": [num(v, 3, False) for v in compare["cb_std"]],
        "CB-SEM 95% CI": [_ci(a, b) for a, b in zip(compare["cb_std.ci.lower"], compare["cb_std.ci.upper"])],
        "CB-SEM *p*": [pval(v) for v in compare["cb_pvalue"]],
        "Agree": [DASH if pd.isna(v) else ("yes" if bool(v) else "no") for v in compare["agree"]]})
    boot = f"{B:,} bootstrap resamples" if B else "the bootstrap"
    tests = compare["cb_test"] if "cb_test" in compare.columns else pd.Series("", index=compare.index)
    by_boot = compare.loc[tests == "bootstrap"]
    by_delta = compare.loc[(tests != "bootstrap") & (compare["op"] == ":=")]
    if len(by_boot):
        names = [effect_name(a, o, b, study) for a, o, b in zip(by_boot["lhs"], by_boot["op"], by_boot["rhs"])]
        if not len(by_delta):
            cb_rule = (f" For CB-SEM, an indirect or total effect is significant when the percentile 95% interval of "
                       f"its unstandardized estimate from {cb_boot} excludes 0, whatever its delta-method *p* (the "
                       "test the mediation hypotheses use); a path, when its *p* < .05.")
        else:
            one = len(names) == 1
            cb_rule = (f" For CB-SEM, {', '.join(names)} {'is' if one else 'are'} significant when the percentile "
                       f"95% interval of {'its' if one else 'their'} unstandardized estimate from {cb_boot} excludes "
                       f"0, whatever {'its' if one else 'their'} delta-method *p* (the test the mediation hypotheses "
                       "use); the other effects and the paths, when their *p* < .05.")
    else:
        cb_rule = ""
    note = ("PLS β: PLS-SEM path coefficient (standardized composites; indirect and total effects as products and "
            f"sums of them), with the percentile 95% interval and the *p* value of *t* = β/*SE* from {boot}. "
            f"CB-SEM β: completely standardized estimate of {cb_model} with its 95% interval "
            f"(delta method, as lavaan's standardizedSolution) and the *p* of {cb_test}. Agree: "
            "the same conclusion, both significant at .05 with the same sign, or both not significant; a PLS "
            "indirect or total effect is significant when its percentile interval excludes 0 (Hair et al., 2021), "
            "whatever its *p*." + cb_rule)
    return APATable(frame, title, number=number, note=note,
                    numeric=tuple(c for c in frame.columns if c not in ("Effect", "Agree")))


def pls_sample_words(pls: Mapping | None) -> str:
    """The rows a PLS run (a pls.json) used and how it treated missing values: "N = 806; 224 missing values
    replaced by the item mean, as PLS does" (or "listwise deletion", "no missing values"); "" when it records no N.

    >>> pls_sample_words({"n": 510, "missing": "mean", "n_imputed": 140}), pls_sample_words({"n": 9, "missing": "mean"})
    ('N = 510; 140 missing values replaced by the item mean, as PLS does', 'N = 9; no missing values')
    """
    if not pls or pls.get("n") is None:
        return ""
    how = pls.get("missing")
    imputed = pls.get("n_imputed")
    words = ("listwise deletion" if how == "listwise" else
             f"{imputed:,} missing values replaced by the item mean, as PLS does" if how == "mean" and imputed else
             "no missing values" if how == "mean" else "")
    return f"N = {int(pls['n']):,}" + (f"; {words}" if words else "")


def pls_sample_sentence(pls: Mapping | None) -> str:
    """The PLS tables' sentence on their data (:func:`pls_sample_words`), "" when the run records no N.

    >>> pls_sample_sentence({"n": 435, "missing": "listwise"})
    ' PLS data: N = 435; listwise deletion.'
    """
    words = pls_sample_words(pls)
    return f" PLS data: {words}." if words else ""


def pls_reliability_table(rel: pd.DataFrame, number=None,
                          title: str = "PLS-SEM reliability and convergent validity", *,
                          pls: Mapping | None = None) -> APATable:
    """:meth:`iur_survey.pls.PLSResult.reliability` as an APA table (α, ρ_A, ρ_C, AVE); ``pls`` (the pls.json)
    adds its N and treatment of missing values to the note (:func:`pls_sample_sentence`).

    >>> rel = pd.DataFrame({"construct": ["A"], "n_items": [4], "alpha": [0.77], "rho_a": [0.78],
    ...                     "rho_c": [0.85], "ave": [0.59], "rho_c_ok": [True], "ave_ok": [True]})
    >>> pls_reliability_table(rel).frame.values.tolist()
    [['A', '4', '.770', '.780', '.850', '.590']]
    """
    frame = pd.DataFrame({"Construct": rel["construct"], "Items": [str(int(v)) for v in rel["n_items"]],
                          "α": [num(v, 3, False) for v in rel["alpha"]],
                          "ρA": [num(v, 3, False) for v in rel["rho_a"]],
                          "ρC": [num(v, 3, False) for v in rel["rho_c"]],
                          "AVE": [num(v, 3, False) for v in rel["ave"]]})
    note = ("From the PLS composites (Hair et al., 2021): Cronbach's α, Dijkstra–Henseler's ρA, "
            "composite reliability ρC (≥ .70 wanted) and average variance extracted (AVE, ≥ .50 wanted). "
            "α here is the standardized α (from the items' correlations) on the rows PLS uses, after its treatment "
            "of missing answers, as seminr and SmartPLS compute it; it is not the raw α of each construct's "
            "complete responses (iur_survey.measure.cronbach_alpha, the measurement chapter's α), so the two can "
            "differ in the third decimal.")
    neg = rel["negative_loadings"].fillna("") if "negative_loadings" in rel.columns else pd.Series([], dtype=str)
    bad = [f"{item} ({c})" for c, items in zip(rel["construct"], neg) if items for item in items.split(", ")]
    if bad:
        note += (f" Negative outer loading: {', '.join(bad)} (a reverse-keyed item not reversed?); α and ρC "
                 "of that construct are not interpretable.")
    note += pls_sample_sentence(pls)
    return APATable(frame, title, number=number, numeric=("Items", "α", "ρA", "ρC", "AVE"), note=note)


def pls_htmt_table(htmt: pd.DataFrame, number=None, title: str = "PLS-SEM heterotrait–monotrait ratios") -> APATable:
    """The HTMT pairs of :meth:`iur_survey.pls.PLSResult.htmt` as a lower-triangle APA table."""
    names = list(dict.fromkeys(list(htmt["construct_1"]) + list(htmt["construct_2"])))
    sq = pd.DataFrame(np.nan, index=names, columns=names)
    for a, b, v in zip(htmt["construct_1"], htmt["construct_2"], htmt["htmt"]):
        sq.loc[a, b] = sq.loc[b, a] = float(v)
    upper = ""
    if "ci.upper" in htmt.columns:
        upper = (f" The largest upper limit of the bootstrap 95% intervals is "
                 f"{quantity(htmt['ci.upper'].max(), 'htmt', 2)}.")
    return triangle_table(sq, title, number=number, kind="htmt",
                          note="Heterotrait–monotrait ratio of correlations (Henseler et al., 2015); values below 0.85 "
                               "indicate discriminant validity." + upper)


_SCHEMES = {"path": "path weighting scheme", "factorial": "factorial scheme", "centroid": "centroid scheme"}


def pls_paths_table(pls, number=None, title: str = "PLS-SEM path coefficients and effects") -> APATable:
    """The structural part of a pls.json of ``iur-survey pls`` as an APA table: each path coefficient (β) and each
    defined effect (lavaan ``:=``) with its bootstrap *SE*, *t* = β/*SE*, *p* (two-sided, *t* distribution with
    B − 1 df, as SmartPLS) and percentile 95% interval, and the path's f²; R² and adjusted R² in the note.

    >>> pls = {"scheme": "path", "bootstrap": {"n_boot": 500, "seed": 7, "level": 0.95},
    ...        "paths": [{"lhs": "Y", "op": "~", "rhs": "X", "est": 0.35, "se": 0.056, "t": 6.26, "pvalue": 1e-9,
    ...                   "ci.lower": 0.25, "ci.upper": 0.45}],
    ...        "defined": [{"name": "ind", "expression": "a*b", "est": 0.0417, "se": 0.0257, "t": 1.62,
    ...                     "pvalue": 0.106, "ci.lower": 0.0011, "ci.upper": 0.101}],
    ...        "f_squared": [{"lhs": "Y", "rhs": "X", "f2": 0.139, "size": "small"}],
    ...        "r2": [{"construct": "Y", "r2": 0.122, "r2_adj": 0.119}]}
    >>> t = pls_paths_table(pls)
    >>> t.frame.values.tolist()
    [['X → Y', '.350', '0.056', '6.26', '< .001', '[.250, .450]', '0.139'], ['ind := `a*b`', '.042', '0.026', '1.62', '.106', '[.001, .101]', '—']]
    >>> "500 bootstrap resamples (seed 7)" in t.note and "R² (adjusted): Y .122 (.119)" in t.note
    True
    """
    boot = pls.get("bootstrap") or {}
    B = boot.get("n_boot")
    f2 = {(r["lhs"], r["rhs"]): r.get("f2") for r in pls.get("f_squared") or []}
    rows = []
    for r in pls.get("paths") or []:
        rows.append({"Effect": f"{r['rhs']} → {r['lhs']}", "β": num(r["est"], 3, False), "*SE*": estimate_text(r.get("se")),
                     "*t*": num(r.get("t"), 2), "*p*": pval(r.get("pvalue")),
                     "95% CI": ci_text(r.get("ci.lower"), r.get("ci.upper"), 3, False),
                     "f²": num(f2.get((r["lhs"], r["rhs"])), 3)})
    for r in pls.get("defined") or []:
        rows.append({"Effect": f"{r['name']} := `{r['expression']}`", "β": num(r["est"], 3, False),
                     "*SE*": estimate_text(r.get("se")), "*t*": num(r.get("t"), 2), "*p*": pval(r.get("pvalue")),
                     "95% CI": ci_text(r.get("ci.lower"), r.get("ci.upper"), 3, False), "f²": DASH})
    frame = pd.DataFrame(rows, columns=["Effect", "β", "*SE*", "*t*", "*p*", "95% CI", "f²"])
    level = boot.get("level") or 0.95
    scheme = _SCHEMES.get(str(pls.get("scheme")), str(pls.get("scheme") or "path weighting scheme"))
    note = (f"β: PLS-SEM path coefficient (standardized composites, mode A, {scheme}); a defined effect (lavaan "
            "`:=`) is its definition computed from them (an indirect effect: the product of its paths). ")
    if B:
        seed = f" (seed {boot['seed']})" if boot.get("seed") is not None else ""
        failed, slow = int(boot.get("n_failed") or 0), int(boot.get("n_not_converged") or 0)
        if failed:
            seed += f"; {failed} could not be fitted and are left out"
        if slow:
            seed += f"; {slow} did not converge and are kept, as SmartPLS does"
        note += (f"*SE*, *t* = β/*SE*, two-sided *p* (*t* distribution, B − 1 df) and the percentile "
                 f"{round(100 * float(level))}% CI from {int(B):,} bootstrap resamples{seed}; an indirect effect is "
                 "significant when its interval excludes 0 (Hair et al., 2021), whatever its *p*.")
    else:
        note += "No bootstrap: no *SE*, *t*, *p* or interval."
    note += (" f²: the effect size of the predictor on the outcome's R² (0.02 small, 0.15 medium, 0.35 large).")
    r2 = pls.get("r2") or []
    if r2:
        note += " R² (adjusted): " + ", ".join(f"{r['construct']} {num(r['r2'], 3, False)} "
                                                f"({num(r.get('r2_adj'), 3, False)})" for r in r2) + "."
    note += pls_sample_sentence(pls)
    return APATable(frame, title, number=number, note=note, numeric=("β", "*SE*", "*t*", "*p*", "95% CI", "f²"))
