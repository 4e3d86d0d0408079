"""Stakeholder groups for the book: measurement invariance and the structural paths by group.

:func:`invariance_summary` keeps what the chapter shows of an
:class:`~iur_survey.sem.invariance.InvarianceResult` (plain, picklable objects);
:func:`invariance_table` is its APA table (fit of every step, the χ² difference test and the changes in CFI,
RMSEA and SRMR judged by Chen's cut-offs); :func:`group_label` prints a group's name;
:func:`group_paths_table` and :func:`group_path_frame` show the paths of a multi-group structural model with
:func:`iur_survey.sem.compare.wald_equal_paths`' test of their equality, Holm-adjusted
(:func:`iur_survey.sem.compare.holm`).

>>> group_label("government+research_institute")
'government + research institute'
>>> [round(p, 3) for p in holm([0.01, 0.04, 0.03])]
[0.03, 0.06, 0.06]
"""

from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

import numpy as np  # noqa: F401 (the examples use it)
import pandas as pd

from ..sem.compare import equal_paths_summary, holm
from ..sem.invariance import NOT_REACHED, compare_decisions, models_named, sequence_decisions
from ..sem.results_file import stat_group_of
from .codebook import points_text
from .format import (DASH, cardinal, chisq, delta_fit, estimate_text, group_caption, instrument_wordings, integer,
                     num, p_rel, pval, set_group_wordings, stars, worded)
from .tables import APATable

__all__ = ["invariance_summary", "invariance_table", "group_label", "use_group_wordings", "group_header", "group_sizes_table",
           "group_path_frame", "group_paths_table", "decision_text", "INVARIANCE_NAMES", "groups_glue",
           "ordinal_invariance_glue", "ORDINAL_STEP_NAMES", "NO_GROUPS_REASON"]

#: how the chapter names the invariance steps
INVARIANCE_NAMES = {"configural": "Configural", "metric": "Metric (loadings)",
                    "scalar": "Scalar (+ intercepts)", "strict": "Strict (+ residual variances)"}


def use_group_wordings(instrument=None) -> None:
    """From here on :func:`group_label` (the tables and prose of the groups chapter, the role tables) shows a
    group code by the instrument's wording (:func:`~iur_survey.read.recode.group_wording`: ``Research institute``
    for ``research_institute``), each code of a merged group by its own; a code without one as before.
    ``None``: the codes again.  A chapter's kernel calls it once, with the book's instrument.  The wordings go
    into the one registry of group wordings (:func:`~iur_survey.report.format.set_group_wordings`, under the
    instrument's group column), which the captions of that column (:func:`~iur_survey.report.format.group_caption`)
    read too.

    >>> from iur_survey.instrument import load_instrument
    >>> use_group_wordings(load_instrument())
    >>> group_label("government+research_institute"), group_label("other_org")
    ('Government + Research institute', 'other org')
    >>> use_group_wordings(None)
    >>> group_label("research_institute")
    'research institute'
    """
    words = instrument_wordings(instrument)
    set_group_wordings(words, next(iter(words), None))


def _spaced(code: str) -> str:
    """A code without a wording as a label shows it: underscores to spaces."""
    return code.replace("_", " ")


def group_label(g: Any, prose: bool = False) -> str:
    """A group code as a table shows it: the instrument's wording (:func:`use_group_wordings`), else underscores
    to spaces; merged groups ``a+b`` as ``a + b`` (:func:`~iur_survey.report.format.worded`).  ``prose``: as a
    sentence shows it, each wording in its mid-sentence form (:func:`~iur_survey.report.format.mid_sentence`:
    ``research institute``, an acronym as it is).

    >>> group_label("research_institute")
    'research institute'
    >>> from iur_survey.instrument import load_instrument
    >>> use_group_wordings(load_instrument())
    >>> group_label("government+research_institute"), group_label("government+research_institute", prose=True)
    ('Government + Research institute', 'government + research institute')
    >>> use_group_wordings(None)
    """
    return worded(g, otherwise=_spaced, prose=prose)


def _named(g: Any) -> str:
    """A group as a sentence names it: :func:`group_label` with ``prose=True``."""
    return group_label(g, prose=True)


def group_header(g: Any, width: int = 18) -> str:
    """A column header for a group: :func:`group_label`, or its initials when that is longer than ``width``.

    >>> group_header("university"), group_header("government+research_institute")
    ('university', 'G + RI')
    """
    lab = group_label(g)
    if len(lab) <= width:
        return lab
    return " + ".join("".join(w[0].upper() for w in part.split()) for part in lab.split(" + "))


def invariance_summary(inv) -> dict[str, Any]:
    """The parts of an :class:`~iur_survey.sem.invariance.InvarianceResult` the book shows (no fitted models):
    ``table``, ``group`` (the group column), ``groups`` (sizes after merging), ``merge``, ``level``, ``cutoffs``,
    ``cutoffs_name``, ``indices``, ``lrt_method``, ``estimator``, ``missing``, ``warnings``, ``errors``,
    ``to_dict``, ``summary``; ``level_text`` (the verdict: "partial scalar invariance (freed: ...)" when
    group.partial freed parameters) and ``group_partial`` (step -> the parameters freed)."""
    return {"table": inv.table.copy(), "group": inv.group, "groups": inv.groups.copy(), "merge": dict(inv.merge),
            "level": inv.level, "level_text": inv.level_text,
            "group_partial": {k: list(v) for k, v in getattr(inv, "group_partial", {}).items()},
            "cutoffs": dict(inv.cutoffs), "cutoffs_name": inv.cutoffs_name, "indices": inv.indices,
            "lrt_method": inv.lrt_method, "estimator": inv.estimator, "missing": inv.missing,
            "warnings": list(inv.warnings), "errors": dict(inv.errors), "to_dict": inv.to_dict(),
            "summary": inv.summary(caption=lambda g: group_caption(g, inv.group))}


def _idx(indices: str) -> tuple[str, str, str]:
    return {"standard": ("cfi", "tli", "rmsea"), "robust": ("cfi.robust", "tli.robust", "rmsea.robust"),
            "scaled": ("cfi.scaled", "tli.scaled", "rmsea.scaled")}[indices]


def _delta(x, cut=None, low: bool = False) -> str:
    """A change in a fit index: three decimals, no leading zero, an explicit sign (``+.001``, ``−.002``), none
    on a change that rounds to zero (``.000``; :func:`~iur_survey.report.format.delta_fit`); ``cut``: the step's
    cut-off for it, which a change just inside is not rounded onto (``−.00996``, not ``−.010`` beside
    "supported")."""
    if x is None or pd.isna(x):
        return DASH
    return delta_fit(x, plus=True, cut=None if cut is None or pd.isna(cut) else float(cut), low=low)


def _num_or_none(x):
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _step_cut(summary: Mapping[str, Any], step, k: int):
    """The ``k``-th cut-off (0 ΔCFI, 1 ΔRMSEA, 2 ΔSRMR) of ``step`` in an invariance summary, or ``None``."""
    c = (summary.get("cutoffs") or {}).get(str(step))
    try:
        return float(c[k])
    except (TypeError, ValueError, IndexError, KeyError):
        return None


def _group_name(g: Any, variable: str | None = None) -> str:
    """A group in the invariance table: a numeric code with its variable (``sex = 2``,
    :func:`~iur_survey.report.format.group_caption`), a text label as prose (:func:`group_label`).

    >>> _group_name("2", "sex"), _group_name("research_institute", "role")
    ('sex = 2', 'research institute')
    """
    lab = group_caption(g, variable)
    return group_label(g) if lab == str(g) else lab


def _constrained(r) -> str:
    """`` (5 of 6 loadings equal)`` when a step's group_equal left some parameters free (group-specific
    labels, group.partial: the table's ``constrained`` column), with the parameters group.partial freed
    (``; freed: x3 ~ 1``, its ``group_partial`` column), else ``""``
    (:func:`~iur_survey.sem.invariance.constrained_note`).

    >>> _constrained({"constrained": "7 of 9 intercepts", "group_partial": "x3 ~ 1, x7 ~ 1"})
    ' (7 of 9 intercepts equal; freed: x3 ~ 1, x7 ~ 1)'
    """
    from ..sem.invariance import constrained_note
    if not hasattr(r, "get"):
        return ""
    return constrained_note(r.get("constrained"), r.get("group_partial"))


def invariance_table(summary: Mapping[str, Any], number=None,
                     title: str = "Measurement invariance across stakeholder groups") -> APATable:
    """The steps of :func:`invariance_summary` as an APA table with one column per model (configural ->
    strict): χ², df, CFI, TLI, RMSEA, SRMR; the χ² difference test against the previous model; ΔCFI,
    ΔRMSEA, ΔSRMR; Chen's decision.

    >>> t = pd.DataFrame({"step": ["configural", "metric"], "chisq": [100.0, 110.0], "df": [50, 56],
    ...                   "cfi": [0.98, 0.978], "tli": [0.97, 0.97], "rmsea": [0.03, 0.031], "srmr": [0.04, 0.045],
    ...                   "chisq.diff": [np.nan, 10.0], "df.diff": [np.nan, 6], "pvalue.diff": [np.nan, 0.12],
    ...                   "delta.cfi": [np.nan, -0.002], "delta.rmsea": [np.nan, 0.001], "delta.srmr": [np.nan, 0.005],
    ...                   "decision": ["baseline", "supported"]})
    >>> s = {"table": t, "indices": "standard", "cutoffs_name": "Chen (2007)", "lrt_method": "standard",
    ...      "cutoffs": {"metric": (-0.01, 0.015, 0.03)}}
    >>> f = invariance_table(s).frame.set_index("")
    >>> f.loc[["Δχ² (Δdf)", "ΔCFI", "Decision"], "Metric"].tolist()
    ['10.00 (6)', '−.002', 'supported']

    What the summary does not record is said, not assumed (a summary cached by an earlier version):

    >>> note = invariance_table({"table": t, "cutoffs": {}}).note
    >>> note.split("against the previous model ")[1].split(".")[0]
    '(method not recorded)'
    >>> "which ones the decisions used is not recorded" in note
    True
    """
    tab = _sequenced(summary["table"])
    # what the summary records, never assumed: the standard indices are shown when it does not say which the
    # decisions used, and the note says so
    cfi, tli, rmsea = _idx(summary.get("indices") or "standard")
    # MLR: the scaled χ² (lavaan's chisq.scaled), the statistic the scaled Δχ² is made of
    chi = "chisq.scaled" if "chisq.scaled" in tab.columns and tab["chisq.scaled"].notna().any() else "chisq"
    chi_name = "Scaled χ²" if chi == "chisq.scaled" else "χ²"
    # each group's part of each step's χ² (lavaan's stat.group), a row per group under the χ²
    parts = [stat_group_of(r.get("stat.group"), chi == "chisq.scaled") or {} for _, r in tab.iterrows()]
    groups = list(dict.fromkeys(g for p in parts for g in p))
    by_group = [(f"{chi_name}: {_group_name(g, summary.get('group'))}", lambda r, g=g: chisq(
        (stat_group_of(r.get("stat.group"), chi == "chisq.scaled") or {}).get(g, np.nan))) for g in groups]
    stats = [("*Fit*", None), (chi_name, lambda r: chisq(r[chi])), *by_group,
             ("df", lambda r: num(r["df"], 0)),
             ("CFI", lambda r: num(r[cfi], 3, False)), ("TLI", lambda r: num(r[tli], 3, False)),
             ("RMSEA", lambda r: num(r[rmsea], 3, False)), ("SRMR", lambda r: num(r["srmr"], 3, False)),
             ("*Change from the previous model*", None),
             ("Δχ² (Δdf)", lambda r: DASH if pd.isna(r["chisq.diff"]) else
              f"{chisq(r['chisq.diff'])} ({num(r['df.diff'], 0)})"),
             ("*p*", lambda r: pval(r["pvalue.diff"])),
             ("ΔCFI", lambda r: _delta(r["delta.cfi"], _step_cut(summary, r["step"], 0), low=True)),
             ("ΔRMSEA", lambda r: _delta(r["delta.rmsea"], _step_cut(summary, r["step"], 1))),
             ("ΔSRMR", lambda r: _delta(r["delta.srmr"], _step_cut(summary, r["step"], 2))),
             ("Decision", lambda r: str(r["decision"]) + _constrained(r))]
    cols = [INVARIANCE_NAMES.get(s, s).split(" ")[0] for s in tab["step"]]
    rows = []
    for name, f in stats:
        row = {"": name}
        for col, (_, r) in zip(cols, tab.iterrows()):
            row[col] = "" if f is None else f(r)
        rows.append(row)
    frame = pd.DataFrame(rows)
    cut = summary.get("cutoffs") or {}
    cuts = "; ".join(f"{s}: ΔCFI ≤ {num(c[0], 3, False)}, ΔRMSEA ≥ {num(c[1], 3, False)}, "
                     f"ΔSRMR ≥ {num(c[2], 3, False)}" for s, c in cut.items())
    robust = summary.get("indices") == "robust"
    note = ("Each model adds equality constraints across the groups to the one before it: configural, the same "
            "factor structure; metric, equal loadings; scalar, also equal item intercepts; strict, also equal "
            "residual variances. Δχ² (Δdf): χ² difference (likelihood-ratio) test against the previous model "
            f"({summary.get('lrt_method') or 'method not recorded'}). Δ: the model minus the previous one"
            f"{' (robust CFI, TLI and RMSEA)' if robust else ''}"
            f"{'' if summary.get('indices') else ' (standard CFI, TLI and RMSEA; which ones the decisions used is not recorded)'}"
            f"{'; scaled χ²: lavaan chisq.scaled' if chi == 'chisq.scaled' else ''}"
            + (f"; {chi_name}: *group*: that group's part of the model's {chi_name} (lavaan's stat.group; the "
               "parts add up to it)" if groups else "") +
            ". Decision by the cut-offs of "
            f"{summary.get('cutoffs_name', 'Chen (2007)')} ({cuts}; a change reaching its cut-off "
            "counts against invariance): supported when no change reaches its cut-off, not supported when CFI "
            "reaches its cut-off together with RMSEA or SRMR, unclear otherwise.")
    unfitted = not_fitted_after_baseline(tab)
    if unfitted:
        note += (f" The first model, the baseline of the sequence, was not evaluated (it did not fit), so the "
                 f"{cardinal(len(unfitted))} model{'s' if len(unfitted) > 1 else ''} after it "
                 f"{'were' if len(unfitted) > 1 else 'was'} not fitted (—) and not reached.")
    elif tab["decision"].astype(str).str.startswith(NOT_REACHED).any():
        note += (" The first step not supported ends the sequence (as lavaan / semTools users read it): the models "
                 "after it are not reached, their fit and changes are shown but not judged.")
    return APATable(frame, title, number=number, note=note, numeric=tuple(cols), wrap=())


def not_fitted_after_baseline(table: pd.DataFrame) -> list[str]:
    """The steps of an invariance table that were not fitted because the first model, the baseline, was not
    evaluated (:func:`~iur_survey.sem.invariance.fit_sequence` does not start them: no χ²); ``[]`` when the
    baseline was evaluated, or for a table whose later steps were fitted all the same (cached before that rule).

    >>> t = pd.DataFrame({"step": ["configural", "metric", "scalar"], "decision": ["not evaluated", "", ""],
    ...                   "chisq": [np.nan, np.nan, np.nan]})
    >>> not_fitted_after_baseline(t), not_fitted_after_baseline(t.assign(chisq=[np.nan, 80.0, 90.0]))
    (['metric', 'scalar'], [])
    """
    if len(table) < 2 or str(table["decision"].iloc[0]) != "not evaluated" or "chisq" not in table.columns:
        return []
    later = table.iloc[1:]
    return [str(s) for s in later["step"]] if later["chisq"].isna().all() else []


def _sequenced(table: pd.DataFrame) -> pd.DataFrame:
    """An invariance table with the sequence's decisions (:func:`~iur_survey.sem.invariance.sequence_decisions`:
    a step after the first failure is "not reached"), also for a table cached before that rule."""
    out = table.copy()
    out["decision"] = sequence_decisions(list(out["step"]), list(out["decision"]))
    return out


def decision_text(summary: Mapping[str, Any], step: str) -> str:
    """The decision of one step (``"supported"``, ``"not supported"``, ...) or ``"not fitted"``; a step after
    the first one not supported is not reached (:func:`~iur_survey.sem.invariance.sequence_decisions`).

    >>> decision_text({"table": pd.DataFrame({"step": ["metric"], "decision": ["supported"]})}, "metric")
    'supported'
    >>> t = pd.DataFrame({"step": ["configural", "metric", "scalar"], "decision": ["baseline", "unclear", "supported"]})
    >>> decision_text({"table": t}, "scalar")
    'not reached (metric unclear)'
    """
    t = _sequenced(summary["table"]).set_index("step")
    return str(t.loc[step, "decision"]) if step in t.index else "not fitted"


def group_sizes_table(before: pd.DataFrame, merge: Mapping[str, str], number=None,
                      title: str = "Group sizes and the small-group rule") -> APATable:
    """The groups before merging (:func:`iur_survey.sem.invariance.group_size_table`) with the rule's
    minimum and verdict, and the group each was analysed in.

    >>> b = pd.DataFrame({"group": ["a", "b"], "n": [300, 60], "p": [8, 8], "q": [40, 40], "min_n": [100, 100],
    ...                   "status": ["ok", "small"]})
    >>> group_sizes_table(b, {"b": "a+b", "a": "a+b"}).frame["Analysed as"].tolist()
    ['a + b', 'a + b']
    """
    frame = pd.DataFrame({"Group": [group_label(g) for g in before["group"]],
                          "*n*": [f"{int(v):,}" for v in before["n"]],
                          "Minimum *n*": [f"{int(v):,}" for v in before["min_n"]],
                          "Rule": [{"ok": "met", "small": "below", "too small": "below (n ≤ p)"}.get(s, s)
                                   for s in before["status"]],
                          "Analysed as": [group_label(merge.get(str(g), g)) for g in before["group"]]})
    q = int(before["q"].iloc[0]) if len(before) else 0
    p = int(before["p"].iloc[0]) if len(before) else 0
    return APATable(frame, title, number=number, numeric=("*n*", "Minimum *n*"),
                    note=f"Minimum *n*: the small-group rule, *n* ≥ max(100, *q*) with *q* = {q} free parameters per "
                         f"group in the configural measurement model ({cardinal(p)} items). Groups below it are merged into "
                         "the next smallest group until every group meets the rule or two groups remain.")


def group_path_frame(estimates: pd.DataFrame, groups: Sequence[str]) -> pd.DataFrame:
    """The structural paths of a multi-group fit in long form for a forest plot:
    ``path group est ci.lower ci.upper pvalue std.all`` (``group``: :func:`group_label` of each group).

    >>> est = pd.DataFrame({"lhs": ["COL", "COL"], "op": ["~", "~"], "rhs": ["GOV", "GOV"], "group": [1, 2],
    ...                     "est": [0.3, 0.4], "ci.lower": [0.1, 0.2], "ci.upper": [0.5, 0.6],
    ...                     "pvalue": [0.01, 0.001], "std.all": [0.3, 0.35]})
    >>> group_path_frame(est, ["a", "b_c"])[["path", "group", "est"]].values.tolist()
    [['GOV → COL', 'a', 0.3], ['GOV → COL', 'b c', 0.4]]
    """
    reg = estimates[estimates["op"] == "~"]
    out = pd.DataFrame({"path": reg["rhs"] + " → " + reg["lhs"],
                        "group": [group_label(groups[int(g) - 1]) for g in reg["group"]],
                        "est": reg["est"], "ci.lower": reg["ci.lower"], "ci.upper": reg["ci.upper"],
                        "pvalue": reg["pvalue"], "std.all": reg["std.all"]})
    return out.reset_index(drop=True)


def group_paths_table(wald: pd.DataFrame, groups: Sequence[str], estimates: pd.DataFrame | None = None,
                      number=None, title: str = "Unstandardized structural paths by stakeholder group",
                      level: str = "metric") -> APATable:
    """One row per path: the unstandardized estimate in every group (stars from that group's *z* test), the
    Wald test that the path is equal in all groups, its *p* and the Holm-adjusted *p* over the paths.
    ``wald`` is :func:`iur_survey.sem.compare.wald_equal_paths`; its joint ``(all)`` row, if any, goes into
    the note.

    >>> w = pd.DataFrame({"lhs": ["COL", "(all)"], "op": ["~", ""], "rhs": ["GOV", ""], "est.a": [0.3, np.nan],
    ...                   "est.b_c": [0.5, np.nan], "Wald": [4.1, 4.1], "df": [1, 1], "pvalue": [0.043, 0.043]})
    >>> t = group_paths_table(w, ["a", "b_c"])
    >>> t.frame.columns.tolist(), t.frame.iloc[0].tolist()
    (['Path', 'a', 'b c', 'Wald χ²(1)', '*p*', '*p* Holm'], ['GOV → COL', '0.300', '0.500', '4.10', '.043', '.043'])
    """
    paths = wald[wald["lhs"] != "(all)"]
    joint = wald[wald["lhs"] == "(all)"]
    pv = {}
    if estimates is not None:
        reg = estimates[estimates["op"] == "~"]
        pv = {(r["lhs"], r["rhs"], int(r["group"])): float(r["pvalue"]) for _, r in reg.iterrows()}
    frame = pd.DataFrame({"Path": (paths["rhs"] + " → " + paths["lhs"]).to_numpy()})
    keys = []
    for k, g in enumerate(groups, 1):
        if group_header(g) != group_label(g):
            keys.append(f"{group_header(g)}: {group_label(g, prose=True)}")     # a note's words: mid-sentence
        frame[group_header(g)] = [estimate_text(r[f"est.{g}"]) + stars(pv.get((r["lhs"], r["rhs"], k)))
                                 for _, r in paths.iterrows()]
    dfs = sorted(set(int(d) for d in paths["df"]))
    one_df = len(dfs) == 1
    wcol = f"Wald χ²({dfs[0]})" if one_df else "Wald χ² (df)"
    frame[wcol] = [chisq(w) if one_df else f"{chisq(w)} ({int(d)})" for w, d in zip(paths["Wald"], paths["df"])]
    frame["*p*"] = [pval(v) for v in paths["pvalue"]]
    frame["*p* Holm"] = [pval(v) for v in holm(paths["pvalue"])]
    eq = {"metric": "the loadings constrained equal across the groups (metric invariance)",
          "configural": "no equality constraints (only configural invariance holds, so the paths are not strictly "
                        "comparable)"}.get(level, f"the {level} constraints")
    jtxt = ""
    if len(joint):
        j = joint.iloc[0]
        jtxt = f" All paths equal at once: Wald χ²({int(j['df'])}) = {chisq(j['Wald'])}, *p* = {pval(j['pvalue'])}."
        jtxt = jtxt.replace("= <", "<")
    note = (f"Multi-group structural model (ML, FIML) with {eq}; every structural path is estimated freely in each "
            "group. Columns by group" + (f" ({'; '.join(keys)})" if keys else "") + ": the unstandardized path, "
            "with the *z* test of the path within the group: "
            "\u2217 *p* < .05, \u2217\u2217 *p* < .01, \u2217\u2217\u2217 *p* < .001. Wald χ²: test that the path is "
            "equal in all groups (df = groups − 1). *p* Holm: adjusted for the number of paths tested." + jtxt)
    return APATable(frame, title, number=number, note=note, numeric=tuple(c for c in frame.columns if c != "Path"))


# ---------------------------------------------------------------------------- the chapter's glued prose
#: the steps whose decision, changes and LRT chapter 7 glues
_GLUED_STEPS = ("metric", "scalar", "strict")


def _md_reason(text: str) -> str:
    """An error message as MyST prose: its command-line options as code, so ``--merge-groups`` is not typeset
    with an en dash.

    >>> _md_reason("it needs --merge-groups a=b (or --merge-groups smallest)")
    'it needs `--merge-groups` a=b (or `--merge-groups` smallest)'
    """
    import re
    return re.sub(r"(?<![`\w])(--[a-z][a-z0-9-]*)", r"`\1`", str(text))


def _not_computed(what: str, reason: str, verb: str = "computed") -> str:
    """One sentence saying what chapter 7 could not compute and why (the step's reason), never a bare n/a.

    >>> _not_computed("The invariance analysis", "needs the clean step, which is failed.")
    'The invariance analysis was not computed: it needs the clean step, which is failed.'
    """
    reason = _md_reason(str(reason or "its input is not available").strip().rstrip("."))
    if reason.startswith("needs "):           # the pipeline's words for a step whose input step did not run
        reason = "it " + reason
    return f"{what} was not {verb}: {reason}."


def _roles_text(roles: pd.DataFrame | None, instrument=None, reason: str = "") -> str:
    """The paragraph on the roles of the analysed sample: how many, the smallest, those without a role; or
    what is missing and why.

    >>> _roles_text(pd.DataFrame({"Role": ["enterprise", "government", "(not given)"], "n": [120, 31, 4]}))
    'The analysed sample holds respondents from two stakeholder roles. The smallest group is government with 31 respondents. No role was given by 4 respondents, who are left out of the group comparisons.'
    >>> _roles_text(None, None, "the clean step failed")
    'The count of respondents by role was not computed: the clean step failed.'
    """
    if instrument is not None and not instrument.groups:
        return "The instrument defines no stakeholder roles, so the analysed sample is not split by role."
    if roles is None or not len(roles):
        return _not_computed("The count of respondents by role", reason)
    given = roles[roles["Role"] != "(not given)"]
    none = int(roles.loc[roles["Role"] == "(not given)", "n"].sum())
    if not len(given):
        return (f"None of the {integer(none)} analysed respondents gave a stakeholder role, so there are no groups "
                "to compare.")
    small = given.loc[given["n"].idxmin()]
    k = len(given)
    text = (f"The analysed sample holds respondents from {cardinal(k)} stakeholder role{'s' if k != 1 else ''}."
            + (f" The smallest group is {_named(small['Role'])} with {integer(small['n'])} respondents."
               if k > 1 else f" All of them are {_named(small['Role'])} ({integer(small['n'])} respondents), "
                             "so there are no groups to compare."))
    if none:
        text += (f" No role was given by {integer(none)} respondent{'' if none == 1 else 's'}, who "
                 f"{'is' if none == 1 else 'are'} left out of the group comparisons.")
    return text


def _merge_text(before: pd.DataFrame, main: Mapping[str, Any], asked: str | None = None) -> str:
    """The book's sentence on merging: the groups below the rule, and each merge that was made and why
    (``asked``: the merge given to ``book --merge-groups``, made instead of the rule's).

    >>> before = pd.DataFrame({"group": ["enterprise", "government", "research_institute", "university"],
    ...                        "n": [164, 9, 65, 137], "min_n": 105, "status": ["ok", "small", "small", "ok"]})
    >>> main = {"groups": pd.DataFrame({"group": ["enterprise", "government+research_institute+university"],
    ...                                 "n": [164, 211]}),
    ...         "merge": {g: "government+research_institute+university"
    ...                   for g in ("government", "research_institute", "university")}}
    >>> print(_merge_text(before, main))  # doctest: +NORMALIZE_WHITESPACE
    The government group (*n* = 9) and the research institute group (*n* = 65) are below this minimum. Their
    estimates would be unstable, and Chen's cut-offs were derived for larger groups. Following the rule
    (`merge="smallest"` of `iur_survey.sem.invariance`), the smallest group below the minimum was merged with the
    next smallest, twice: first government (*n* = 9) with research institute (*n* = 65), giving government +
    research institute (*n* = 74), still below 105; then government + research institute with university
    (*n* = 137), giving **government + research institute + university** (*n* = 211). The analyses below compare
    two groups: enterprise (*n* = 164); government + research institute + university (*n* = 211).
    >>> main = {"groups": pd.DataFrame({"group": ["enterprise", "government", "university"], "n": [229, 9, 137]}),
    ...         "merge": {"research_institute": "enterprise"}}
    >>> print(_merge_text(before, main, asked="research_institute=enterprise"))  # doctest: +NORMALIZE_WHITESPACE
    Below this minimum before merging: government (*n* = 9); research institute (*n* = 65). The groups were merged as asked (`--merge-groups research_institute=enterprise`): research institute →
    enterprise. The analyses below compare three groups: enterprise (*n* = 229); government (*n* = 9); university
    (*n* = 137). Of them, government (*n* = 9) is below the minimum of 105: the invariance decisions that involve
    it rest on too few cases and are to be read with caution.
    """
    from ..sem.invariance import merge_steps

    low = before[before["status"] != "ok"]
    groups_after = main["groups"]
    if asked and asked != "smallest":       # book --merge-groups FROM=INTO: the user's merge, not the rule's
        said = "; ".join(f"{_named(a)} → {_named(b)}" for a, b in main["merge"].items())
        min_n = int(before["min_n"].max()) if "min_n" in before and len(before) else 0
        still = [f"{_named(g)} (*n* = {int(n):,})" for g, n in zip(groups_after["group"], groups_after["n"])
                 if int(n) < min_n]
        below = "; ".join(f"{_named(g)} (*n* = {int(n):,})" for g, n in zip(low["group"], low["n"]))
        return ((f"Below this minimum before merging: {below}. " if below else "")
                + f"The groups were merged as asked (`--merge-groups {asked}`): {said}. The analyses below compare "
                f"{cardinal(len(groups_after))} groups: "
                + "; ".join(f"{_named(g)} (*n* = {int(n):,})" for g, n in zip(groups_after["group"],
                                                                              groups_after["n"])) + "."
                + (f" Of them, {' and '.join(still)} {'is' if len(still) == 1 else 'are'} below the minimum of "
                   f"{min_n:,}: the invariance decisions that involve {'it' if len(still) == 1 else 'them'} rest on "
                   "too few cases and are to be read with caution." if still else ""))
    if not len(low):
        return (f"Every group meets the rule, so the {cardinal(len(groups_after))} groups are compared as they are; "
                "nothing was merged.")
    names = [_named(g) for g in groups_after["group"]]
    parts = [f"{_named(g)} group (*n* = {int(n):,})" for g, n in zip(low["group"], low["n"])]
    low_txt = parts[0] if len(parts) == 1 else ", the ".join(parts[:-1]) + " and the " + parts[-1]
    one = len(low) == 1
    head = (f"The {low_txt} {'is' if one else 'are'} below this minimum. "
            f"{'Its' if one else 'Their'} estimates would be unstable, and Chen's cut-offs were derived "
            "for larger groups. ")
    tail = (f" The analyses below compare {cardinal(len(groups_after))} groups: "
            + "; ".join(f"{g} (*n* = {int(n):,})" for g, n in zip(names, groups_after["n"])) + ".")
    min_n = int(before["min_n"].max()) if "min_n" in before and len(before) else 0
    still = [(g, int(n)) for g, n in zip(names, groups_after["n"]) if int(n) < min_n]
    if still and main["merge"]:
        tail += (f" Even after merging, {' and '.join(f'{g} (*n* = {n:,})' for g, n in still)} "
                 f"{'is' if len(still) == 1 else 'are'} below the minimum of {min_n:,}: "
                 f"{'its' if len(still) == 1 else 'their'} estimates and the invariance decisions that involve "
                 f"{'it' if len(still) == 1 else 'them'} rest on too few cases and are to be read with caution.")
    steps = merge_steps(before)
    members = {str(g): [str(g)] for g in before["group"]}
    for st in steps:
        members[st["label"]] = members.pop(st["group"]) + members.pop(st["into"])
    by_rule = {old: new for new, olds in members.items() for old in olds if old != new}
    if not main["merge"]:
        return head + "Nothing was merged." + tail
    if not steps or by_rule != dict(main["merge"]):
        return (head + "The groups were merged as set: "
                + "; ".join(f"{_named(a)} → {_named(b)}" for a, b in main["merge"].items()) + "." + tail)
    if len(steps) == 1:
        st = steps[0]
        how = (f"the smallest group, {_named(st['group'])} (*n* = {st['n']:,}), was merged with the next "
               f"smallest, {_named(st['into'])} (*n* = {st['n_into']:,}), into "
               f"**{_named(st['label'])}** (*n* = {st['n_label']:,})")
    else:
        times = {2: "twice"}.get(len(steps), f"{cardinal(len(steps))} times")
        parts = []
        for k, st in enumerate(steps):
            last = k == len(steps) - 1
            lab = f"**{_named(st['label'])}**" if last else _named(st["label"])
            nxt = steps[k + 1]["group"] if not last else None
            still = (f", still below {st['min_n']:,}" if not last and nxt == st["label"] else "")
            what = (f"{_named(st['group'])} (*n* = {st['n']:,})" if k == 0 or steps[k - 1]["label"] != st["group"]
                    else _named(st["group"]))
            parts.append(f"{'first' if k == 0 else 'then'} {what} with {_named(st['into'])} "
                         f"(*n* = {st['n_into']:,}), giving {lab} (*n* = {st['n_label']:,}){still}")
        how = f"the smallest group below the minimum was merged with the next smallest, {times}: " + "; ".join(parts)
    return (head + "Following the rule (`merge=\"smallest\"` of `iur_survey.sem.invariance`), " + how + "."
            + tail)


def _unmerged_text(iv: Mapping[str, Any]) -> str:
    main, un = iv["main"], iv["unmerged"]
    if un is not None and str(_sequenced(un["table"])["decision"].iloc[0]) == "not evaluated":
        return (f"Without merging, with all {cardinal(len(un['groups']))} groups as they are, the configural model "
                "did not converge (Table 7.4: \"not evaluated\"): its smallest groups are too small for it, so there "
                "is no baseline to test invariance against and nothing to compare with the merged analysis.")
    if un is not None:
        same = int(compare_decisions(_sequenced(main["table"]), _sequenced(un["table"]))["same"].sum())
        return (f"Without merging, with all {cardinal(len(un['groups']))} groups as they are, the highest level "
                f"supported is **{un['level']}** (Table 7.4); the decisions agree with the merged analysis for "
                f"{'all three steps' if same == 3 else f'{cardinal(same)} of the three steps'}. The conclusions about invariance therefore "
                f"{'do not depend' if same == 3 else 'depend'} on the merging.")
    if iv["merge_rule"] and iv["unmerged_error"]:
        return f"Without merging the model cannot be fitted: {_md_reason(iv['unmerged_error'])}"
    return ""


#: how chapter 7's prose names the ML invariance steps it reports
_ML_STEP_WORDS = {"metric": "Metric invariance", "scalar": "Scalar invariance", "strict": "Strict invariance"}


def _step_sentence(word: str, table: pd.DataFrame, step: str, decision: str, cfi: str, rmsea: str,
                   verb: str = "is", cuts=None) -> str:
    """``"<word> is <decision> (ΔCFI = .., ΔRMSEA = ..; Δχ²(df) = .., *p* ..)."``, or that the step was not
    fitted (a step missing from the sequence's table).  ``cuts``: the step's (ΔCFI, ΔRMSEA, ...) cut-offs, which a
    change just inside is not rounded onto (:func:`~iur_survey.report.format.delta_fit`).

    >>> t = pd.DataFrame({"delta.cfi": [-0.00996], "delta.rmsea": [0.002], "df.diff": [6], "chisq.diff": [9.1],
    ...                   "pvalue.diff": [0.17]}, index=["metric"])
    >>> _step_sentence("Metric invariance", t, "metric", "supported", "delta.cfi", "delta.rmsea",
    ...                cuts=(-0.01, 0.015, 0.03))[:58]
    'Metric invariance is supported (ΔCFI = −.00996, ΔRMSEA = .'
    """
    if step not in table.index:
        return f"{word} was not fitted."
    r = table.loc[step]
    cut = [None, None] if cuts is None else [_num_or_none(c) for c in list(cuts)[:2]]

    def d(x, k):
        return DASH if x is None or pd.isna(x) else delta_fit(x, cut=cut[k], low=k == 0)
    return (f"{word} {verb} {decision} (ΔCFI = {d(r[cfi], 0)}, ΔRMSEA = {d(r[rmsea], 1)}; "
            f"Δχ²({num(r['df.diff'], 0)}) = {chisq(r['chisq.diff'])}, *p* {p_rel(r['pvalue.diff'])}).")


def _rule_text(iv: Mapping[str, Any] | None, reason: str = "") -> str:
    """The small-group rule's paragraph: the free parameters per group, the minimum, what was merged."""
    if not iv:
        return _not_computed("The small-group rule (at least max(100, *q*) respondents per group, *q* the free "
                             "parameters per group of the configural model)", reason, "applied")
    before = iv["sizes_before"]
    return (f"The configural measurement model has {integer(int(before['q'].iloc[0]))} free parameters per group. "
            f"The package's small-group rule asks for at least max(100, *q*) = "
            f"{integer(int(before['min_n'].iloc[0]))} respondents in each group. "
            + _merge_text(before, iv["main"], iv.get("merge_asked")))


def _invariance_text(iv: Mapping[str, Any] | None, reason: str = "") -> str:
    """The paragraph of the ML invariance decisions (metric, scalar, strict), the level supported and what it
    allows; or what is missing and why.

    >>> _invariance_text(None, "the instrument defines no stakeholder groups (no groups: section)")
    'The invariance sequence was not computed: the instrument defines no stakeholder groups (no groups: section).'
    >>> t = pd.DataFrame({"step": ["configural", "metric"], "decision": ["not evaluated", "not reached"]})
    >>> _invariance_text({"main": {"level": "configural", "table": t}})[:62]
    'The configural model, the baseline of the sequence, did not fi'
    """
    if not iv:
        return _not_computed("The invariance sequence", reason)
    main = iv["main"]
    if main["level"] is None or decision_text(main, "configural") == "not evaluated":
        # a configural model that did not converge supports no level, configural included (it was said to); the
        # later models are then not fitted (fit_sequence), and the text says so
        unfitted = not_fitted_after_baseline(main["table"])
        if unfitted:
            why = "could not be fitted" if "configural" in (main.get("errors") or {}) else "did not converge"
            return (f"The configural model, the baseline of the sequence, {why}, so {models_named(unfitted)} "
                    f"{'were' if len(unfitted) > 1 else 'was'} not fitted and no level of invariance can be "
                    "tested (Table 7.3).")
        return ("The configural model, the baseline of the sequence, did not fit, so no level of invariance can be "
                "tested (Table 7.3).")
    t = _sequenced(main["table"]).set_index("step")
    out = [_step_sentence(_ML_STEP_WORDS[s], t, s, decision_text(main, s), "delta.cfi", "delta.rmsea",
                          cuts=(main.get("cutoffs") or {}).get(s))
           for s in _GLUED_STEPS]
    rank = _ML_RANK.get(main["level"], 0)
    partial = any((main.get("group_partial") or {}).values())
    out.append(f"The highest level supported is **{main['level_text'] if partial else main['level']}**.")
    out.append("So the loadings mean the same in every group and the groups' regression paths can be compared"
               + ("; with equal intercepts, their latent means can be compared too." if rank >= 2 else
                  "; their latent means cannot, because equal intercepts are not supported.")
               if rank >= 1 else
               f"Equal loadings are not established (metric invariance: {decision_text(main, 'metric')}), so the "
               "loadings may mean different things in different groups, "
               "and the comparison of the groups' paths below is to be read with that caution.")
    return " ".join(out)


def _invariance_glue(iv: Mapping[str, Any] | None, reasons: Mapping[str, str]) -> dict[str, tuple[str, Any]]:
    return {"rule_text": ("md", _rule_text(iv, reasons.get("invariance", ""))),
            "invariance_text": ("md", _invariance_text(iv, reasons.get("invariance", ""))),
            "cutoffs_name": ("text", iv["main"]["cutoffs_name"] if iv else "Chen (2007)"),
            "unmerged_text": ("md", _unmerged_text(iv) if iv else "")}


def _group_paths_text(gv: Mapping[str, Any] | None, reason: str = "") -> str:
    """The paragraph of the multi-group structural model: its constraints, the paths that differ across the
    groups (Wald tests, Holm), the joint test; or what is missing and why."""
    if not gv:
        return _not_computed("The multi-group structural model", reason)
    eq = equal_paths_summary(gv["wald"])
    diff, joint, n_holm, k = eq["differ"], eq["joint"], eq["n_differ_holm"], eq["n_tested"]
    cons = ("The loadings are constrained equal across the groups (metric invariance)." if gv["level"] == "metric"
            else "The loadings are left free in each group, because metric invariance is not established, so the "
                 "paths are not strictly comparable.")
    nd = len(diff)
    out = [cons, f"Of the {cardinal(k)} paths, {'none' if nd == 0 else cardinal(nd, among=[k])} "
                 f"differ{'s' if nd == 1 else ''} across the groups at *p* < .05"
                 + (f" ({', '.join(diff['rhs'] + ' → ' + diff['lhs'])})." if nd else ".")]
    if nd:
        out.append(f"After Holm's correction for testing {cardinal(k)} paths, "
                   f"{'none' if n_holm == 0 else cardinal(n_holm, among=[k])} do{'es' if n_holm == 1 else ''}.")
    if joint is not None:
        out.append(f"The joint test that all paths are equal gives χ²({int(joint['df'])}) = {chisq(joint['Wald'])}, "
                   f"*p* {p_rel(joint['pvalue'])}.")
    return " ".join(out)


#: the study's stakeholder roles (Liu 2022): the chapter's opening sentence names them only for this instrument
STUDY_ROLES = ("enterprise", "university", "research_institute", "government")


#: why nothing of chapter 7 is computed for an instrument without groups
NO_GROUPS_REASON = "the instrument defines no stakeholder groups (no `groups:` section)"
#: the opening's second half, when the instrument has groups to compare
_INTRO_QUESTION = (" Whether the mechanisms work the same way for each is the study's comparative question. This "
                   "chapter first checks that the constructs are measured the same way in each group (**measurement "
                   "invariance**). Only then are the groups' structural paths compared.")


def _instrument_glue(instrument) -> dict[str, tuple[str, Any]]:
    """The chapter's words about the instrument: its roles (the opening paragraph), factors, items per construct
    and scale points."""
    if instrument is None:
        return {"partners_sentence": ("md", "No instrument was given, so the stakeholder groups are not known and "
                                            "this chapter's analyses are not computed."),
                "measurement_shape": ("text", "the correlated factors of the instrument"),
                "scale_points": ("text", "Likert")}
    roles = [_named(g) for g in instrument.groups]
    sizes = sorted({len(c.items) for c in instrument.constructs.values()})
    each = (f"{cardinal(sizes[0])} items each" if len(sizes) == 1 else
            f"{cardinal(sizes[0], among=sizes)} to {cardinal(sizes[-1], among=sizes)} items each")
    return {"partners_sentence": ("md", "Liu (2022) sees deep integration as the work of four kinds of partner: "
                                        "enterprises, universities, research institutes and government."
                                  + _INTRO_QUESTION if tuple(instrument.groups) == STUDY_ROLES else
                                  f"The instrument distinguishes {cardinal(len(roles))} stakeholder roles: "
                                  f"{', '.join(roles)}." + _INTRO_QUESTION if roles else
                                  "The instrument defines no stakeholder groups (no `groups:` section), so this "
                                  "chapter has no groups to compare and its analyses are not computed: each section "
                                  "below says what it would show."),
            "measurement_shape": ("text", f"{cardinal(len(instrument.constructs))} correlated factors, {each}"),
            "scale_points": ("text", points_text(instrument))}


def groups_glue(roles: pd.DataFrame | None, invariance: Mapping[str, Any] | None,
                group_paths: Mapping[str, Any] | None, instrument=None,
                reasons: Mapping[str, str] | None = None) -> dict[str, tuple[str, Any]]:
    """Every name chapter 7 glues into its prose, ``name -> (kind, text)`` with kind ``"text"``
    (``{glue:text}``) or ``"md"`` (``{glue:md}``).  The same names come back whether a step ran or not: a
    paragraph whose step did not run says what is missing and why (``reasons``: ``"roles"``, ``"invariance"``,
    ``"group_paths"`` -> the step's reason), never n/a, so the chapter lists none of them: it glues the mapping
    (:func:`iur_survey.report.glue.glue_all`).  ``roles``: :func:`iur_survey.report.cleaning.role_counts`;
    ``invariance`` / ``group_paths``: the values of the book pipeline's ``invariance`` and ``group_paths``
    steps (None when they did not run); ``instrument``: its roles, factors, items and scale, as the prose names
    them (the study's own sentence for the study's four roles).

    >>> from iur_survey.instrument import load_instrument
    >>> groups_glue(None, None, None, load_instrument())["measurement_shape"]
    ('text', 'seven correlated factors, four items each')
    >>> g = groups_glue(None, None, None, reasons={"invariance": "needs the clean step, which is failed"})
    >>> g["invariance_text"]
    ('md', 'The invariance sequence was not computed: it needs the clean step, which is failed.')
    >>> roles = pd.DataFrame({"Role": ["enterprise", "government"], "n": [120, 31]})
    >>> groups_glue(roles, None, None)["roles_text"][1]
    'The analysed sample holds respondents from two stakeholder roles. The smallest group is government with 31 respondents.'
    """
    reasons = dict(reasons or {})
    if instrument is not None and not instrument.groups:      # one reason for every step, not "needs the ..."
        reasons = dict.fromkeys(("roles", "invariance", "group_paths"), NO_GROUPS_REASON)
    return {"roles_text": ("md", _roles_text(roles, instrument, reasons.get("roles", ""))),
            **_invariance_glue(invariance, reasons),
            "paths_text": ("md", _group_paths_text(group_paths, reasons.get("group_paths", ""))),
            **_instrument_glue(instrument)}


#: how the chapter names the ordinal (WLSMV) invariance steps
ORDINAL_STEP_NAMES = {"configural": "Configural", "thresholds": "Thresholds", "thresholds_loadings": "+Loadings",
                      "thresholds_loadings_intercepts": "+Intercepts"}
_ORDINAL_GLUED = ("thresholds", "thresholds_loadings", "thresholds_loadings_intercepts")
#: what each level supports: 1 = equal loadings (paths comparable), 2 = equal intercepts (latent means);
#: level "thresholds" = the thresholds step held and the thresholds + loadings step did NOT: no equal loadings
_ORDINAL_RANK = {"configural": 0, "thresholds": 0, "thresholds_loadings": 1, "thresholds_loadings_intercepts": 2}
_ML_RANK = {"configural": 0, "metric": 1, "scalar": 2, "strict": 3}


def _ordinal_verdict(level: str, ml_level: str | None) -> str:
    same, ml = _ORDINAL_RANK[level], _ML_RANK.get(ml_level, 0)
    if (same >= 1) == (ml >= 1):
        return ("The two scales agree: "
                + ("both support comparing the structural paths across the groups (equal loadings), "
                   if same >= 1 and ml >= 1 else "neither supports equal loadings, ")
                + ("and both support comparing latent means (equal intercepts / thresholds)."
                   if same >= 2 and ml >= 2 else "but only the ML scale reaches equal intercepts, so the latent "
                   "means are not compared." if ml >= 2 else "but only the ordinal scale reaches equal intercepts "
                   "(thresholds), not the ML scale." if same >= 2 else "and neither reaches equal intercepts."))
    return ("The two scales disagree on equal loadings: the ordinal analysis, which treats the items as "
            "what they are, "
            + ("supports them and the ML analysis does not; the path comparison above rests on the ordinal "
               "result." if same >= 1 else "does not support them although the ML analysis does; the path "
               "comparison above should be read with that caution."))


#: how chapter 7's prose names the ordinal steps it reports, and the verb each takes
_ORDINAL_WORDS = {"thresholds": ("Equal thresholds", "are"), "thresholds_loadings": ("Adding equal loadings", "is"),
                  "thresholds_loadings_intercepts": ("Adding equal intercepts", "is")}


def ordinal_invariance_glue(ordinal: Mapping[str, Any] | None, reason: str = "") -> dict[str, tuple[str, Any]]:
    """The name chapter 7's ordinal-invariance prose glues, as :func:`groups_glue`: ``ordinal_text``, the
    decisions of the three steps, the level supported on the ordinal scale and how it compares with the ML
    sequence; or what is missing and why (``reason``).  ``ordinal``: the value of the book pipeline's
    ``invariance_ordinal`` step.

    >>> ordinal_invariance_glue(None, "not in these cached results")["ordinal_text"][1]
    'The ordinal invariance sequence was not computed: not in these cached results.'
    >>> _ordinal_verdict("thresholds", "metric")[:40]    # thresholds held, thresholds + loadings did not
    'The two scales disagree on equal loading'
    >>> _ordinal_verdict("thresholds", "configural")[:60]
    'The two scales agree: neither supports equal loadings, and n'
    >>> _ordinal_verdict("thresholds_loadings_intercepts", "metric").split("(equal loadings), ")[1]
    'but only the ordinal scale reaches equal intercepts (thresholds), not the ML scale.'
    """
    if not ordinal:
        return {"ordinal_text": ("md", _not_computed("The ordinal invariance sequence", reason))}
    if ordinal.get("level") is None:
        unfitted = not_fitted_after_baseline(ordinal["table"])
        if unfitted:             # the later models are not fitted after a configural model that did not converge
            k = len(unfitted)
            return {"ordinal_text": ("md", "On the ordinal scale the configural model, the baseline of the sequence, "
                                           f"did not converge, so the {cardinal(k)} later model{'s' if k > 1 else ''} "
                                           f"{'were' if k > 1 else 'was'} not fitted and no level of invariance can "
                                           "be tested (Table 7.6).")}
        return {"ordinal_text": ("md", "On the ordinal scale the configural model, the baseline of the sequence, "
                                       "did not fit, so no level of invariance can be tested (Table 7.6).")}
    ot = _sequenced(ordinal["table"]).set_index("step")
    out = [_step_sentence(word, ot, step, str(ot.loc[step, "decision"]) if step in ot.index else "",
                          "delta.cfi.scaled", "delta.rmsea.scaled", verb)
           for step, (word, verb) in _ORDINAL_WORDS.items()]
    out.append("On the ordinal scale the highest level supported is "
               f"**{ORDINAL_STEP_NAMES[ordinal['level']].lstrip('+').lower()}**.")
    out.append(_ordinal_verdict(ordinal["level"], ordinal["ml_level"]))
    return {"ordinal_text": ("md", " ".join(out))}
