"""Mediation for the book: bootstrap indirect and total effects beside their delta-method tests.

The statistics are :mod:`iur_survey.sem.mediation`'s (:func:`~iur_survey.sem.mediation.bootstrap_effects`:
one tidy row per ``:=`` effect, bootstrap beside delta method; :func:`~iur_survey.sem.mediation.mediation_type`).
:func:`mediation_hypotheses` judges H7a-e by the percentile interval, :func:`mediation_table` and
:func:`mediation_hypotheses_table` are the APA tables and :func:`interval_frame` the long frame of the
forest plot.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import pandas as pd

from ..sem.mediation import mediation_type
from ..study import effect_source
from .format import DASH, ci_text, estimate_text, num, pval
from .sem_tables import MECHANISMS, MEDIATOR, OUTCOME, defined_title, hypothesis_map, id_range
from .tables import APATable

__all__ = ["mediation_hypotheses", "mediation_table", "mediation_hypotheses_table", "interval_frame", "ci_text"]

#: the interval columns of :func:`bootstrap_effects`: name -> (lower, upper)
INTERVALS = {"percentile": ("perc.lower", "perc.upper"), "BCa": ("bca.lower", "bca.upper"),
             "delta method": ("delta.lower", "delta.upper")}


def _excludes_zero_above(lo: float, hi: float) -> bool:
    return bool(np.isfinite(lo) and np.isfinite(hi) and lo > 0)


def mediation_hypotheses(effects: pd.DataFrame, mechanisms: Sequence[str] = MECHANISMS,
                         boot_estimates: pd.DataFrame | None = None) -> pd.DataFrame:
    """H7a-e (mechanism -> COL -> INT) judged by the bootstrap: supported when the 95% percentile interval
    of the indirect effect lies entirely above zero (a positive effect, as hypothesised).  The BCa and the
    delta-method verdicts (interval above zero; delta: estimate > 0 and *p* < .05) are given beside it.
    With ``boot_estimates`` (the bootstrap's parameter table, percentile intervals) the direct effect
    (``INT ~ mechanism``) and the type of mediation (:func:`mediation_type`) are added.

    >>> eff = pd.DataFrame({"effect": ["ind_GOV", "ind_MKT"], "est": [0.1, 0.02], "perc.lower": [0.05, -0.01],
    ...                     "perc.upper": [0.16, 0.06], "bca.lower": [0.06, 0.001], "bca.upper": [0.17, 0.07],
    ...                     "delta.pvalue": [0.001, 0.2]})
    >>> mediation_hypotheses(eff, ["GOV", "MKT"])[["hypothesis", "supported", "bca_supported"]].values.tolist()
    [['H4a', 'yes', 'yes'], ['H4b', 'no', 'yes']]
    """
    rows = []
    by_name = effects.set_index("effect")
    for h, (kind, lhs, _op, _rhs) in hypothesis_map(tuple(mechanisms)).items():
        if kind != "indirect" or lhs not in by_name.index:
            continue
        r = by_name.loc[lhs]
        delta_ok = bool(r["est"] > 0 and r.get("delta.pvalue", math.nan) < 0.05)
        rows.append({"hypothesis": h, "effect": f"{effect_source(lhs)} → {MEDIATOR} → {OUTCOME}", "parameter": lhs,
                     "est": float(r["est"]), "perc.lower": float(r["perc.lower"]),
                     "perc.upper": float(r["perc.upper"]),
                     "supported": "yes" if _excludes_zero_above(r["perc.lower"], r["perc.upper"]) else "no",
                     "bca_supported": ("yes" if _excludes_zero_above(r["bca.lower"], r["bca.upper"]) else "no")
                     if np.isfinite(r.get("bca.lower", math.nan)) else DASH,
                     "delta_supported": "yes" if delta_ok else "no"})
        if boot_estimates is not None:
            src = effect_source(lhs)
            c = boot_estimates[(boot_estimates["lhs"] == OUTCOME) & (boot_estimates["op"] == "~")
                               & (boot_estimates["rhs"] == src)]
            if len(c):
                c = c.iloc[0]
                rows[-1].update({"direct.est": float(c["est"]), "direct.lower": float(c["ci.lower"]),
                                 "direct.upper": float(c["ci.upper"]),
                                 "type": mediation_type((r["perc.lower"], r["perc.upper"]),
                                                        (c["ci.lower"], c["ci.upper"]), c["est"], r["est"])})
    return pd.DataFrame(rows)


def mediation_table(effects: pd.DataFrame, number=None, B: int | None = None, n_ok: int | None = None,
                    title: str | None = None) -> APATable:
    """:func:`bootstrap_effects` as an APA table in two panels, indirect then total effects: for each mechanism
    the estimate, bootstrap *SE*, percentile and BCa intervals, and the delta-method interval.  ``title`` None:
    by what the rows are (:func:`~.sem_tables.defined_title`), "Indirect and total effects: bootstrap and delta
    method" for the study's.

    >>> eff = pd.DataFrame({"effect": ["ind_A", "tot_A"], "kind": ["indirect", "total"], "source": ["A", "A"],
    ...                     "est": [0.1, 0.3], "boot.se": [0.02, 0.05], "perc.lower": [0.06, 0.2],
    ...                     "perc.upper": [0.14, 0.4], "bca.lower": [0.07, 0.21], "bca.upper": [0.15, 0.41],
    ...                     "delta.se": [0.021, 0.05], "delta.lower": [0.059, 0.2], "delta.upper": [0.141, 0.4]})
    >>> t = mediation_table(eff)
    >>> t.frame["Mechanism"].tolist(), t.title
    (['*Indirect effects (a·b, via COL)*', 'A', '*Total effects (c + a·b)*', 'A'], 'Indirect and total effects: bootstrap and delta method')
    """
    title = f"{defined_title(effects['kind'])}: bootstrap and delta method" if title is None else title
    order = {"indirect": 0, "total": 1, "other": 2}
    eff = effects.assign(_k=effects["kind"].map(order)).sort_values("_k", kind="stable")
    panel = {"indirect": f"*Indirect effects (a·b, via {MEDIATOR})*", "total": "*Total effects (c + a·b)*",
             "other": "*Other defined effects*"}
    has_bca = eff["bca.lower"].notna().any()
    rows = []
    for kind, sub in eff.groupby("_k", sort=True):
        k = sub["kind"].iloc[0]
        rows.append({"Mechanism": panel[k]})
        for _, r in sub.iterrows():
            row = {"Mechanism": r["source"] if k != "other" else r["effect"], "*b*": estimate_text(r["est"]),
                   "*SE* (boot)": estimate_text(r["boot.se"]),
                   "95% CI percentile": ci_text(r["perc.lower"], r["perc.upper"])}
            if has_bca:
                row["95% CI BCa"] = ci_text(r["bca.lower"], r["bca.upper"])
            row["95% CI delta"] = ci_text(r["delta.lower"], r["delta.upper"])
            rows.append(row)
    frame = pd.DataFrame(rows).fillna("")
    draws = "" if B is None else (f" from {B:,} bootstrap resamples of the respondents"
                                  + ("" if n_ok is None or n_ok == B else f" ({n_ok:,} successful)"))
    note = ("*b*: unstandardized effect of the mechanism on deep integration (INT). Bootstrap: the standard "
            f"deviation and the 2.5th and 97.5th percentiles of the effect's draws{draws}"
            + ("; BCa: bias-corrected and accelerated interval (acceleration from the jackknife)" if has_bca else "")
            + ". Delta method: the normal-theory (Wald) interval from the delta-method standard error, as lavaan "
              "reports it for defined parameters.")
    return APATable(frame, title, number=number, note=note,
                    numeric=tuple(c for c in frame.columns if c != "Mechanism"), wrap=("Mechanism",))


def mediation_hypotheses_table(hyp: pd.DataFrame, number=None,
                               title: str | None = None) -> APATable:
    """:func:`mediation_hypotheses` as an APA table (the BCa and delta-method verdicts are left to the prose).
    The title and note name the hypotheses of ``hyp`` (``H7a–e`` for the study's five mechanisms).

    >>> hyp = pd.DataFrame({"hypothesis": ["H7a"], "effect": ["GOV → COL → INT"], "est": [0.1],
    ...                     "perc.lower": [0.06], "perc.upper": [0.16], "supported": ["yes"]})
    >>> t = mediation_hypotheses_table(hyp)
    >>> t.frame.iloc[0].tolist(), t.title
    (['H7a (GOV)', '0.100 [0.060, 0.160]', 'yes'], 'Mediation hypotheses H7a')
    """
    ids = id_range(hyp["hypothesis"])
    title = f"Mediation hypotheses {ids}" if title is None else title
    frame = pd.DataFrame({"Hypothesis": [f"{h} ({e.split(' ')[0]})" for h, e in zip(hyp["hypothesis"], hyp["effect"])],
                          "Indirect *a*·*b* [95% CI]": [f"{estimate_text(e)} {ci_text(a, b)}" for e, a, b in
                                                        zip(hyp["est"], hyp["perc.lower"], hyp["perc.upper"])]})
    typed = "type" in hyp.columns
    if typed:
        frame["Direct *c* [95% CI]"] = [f"{estimate_text(e)} {ci_text(a, b)}" for e, a, b in
                                        zip(hyp["direct.est"], hyp["direct.lower"], hyp["direct.upper"])]
        frame["Mediation"] = hyp["type"]
    frame["Supported"] = hyp["supported"]
    note = (f"{ids}: the mechanism's effect on {OUTCOME} through {MEDIATOR}. Effects are unstandardized with their "
            "percentile bootstrap intervals. Supported: the interval of the indirect effect lies entirely above zero."
            + (" Direct *c*: the mechanism's direct path to INT. Mediation: the type of Zhao et al. (2010): "
               "indirect-only (only *a*·*b* differs from zero), complementary (*a*·*b* and *c* both differ from "
               "zero, same sign), competitive (opposite signs), direct-only, or no effect." if typed else ""))
    return APATable(frame, title, number=number, note=note,
                    numeric=("Indirect *a*·*b* [95% CI]",) + (("Direct *c* [95% CI]",) if typed else ()),
                    wrap=())


def interval_frame(effects: pd.DataFrame, kind: str = "indirect",
                   methods: Sequence[str] = ("percentile", "BCa", "delta method")) -> pd.DataFrame:
    """The long frame for a forest plot: one row per effect of ``kind`` and interval method
    (``label est ci.lower ci.upper method``); methods without values (BCa not run) are left out.

    >>> eff = pd.DataFrame({"effect": ["ind_A"], "kind": ["indirect"], "source": ["A"], "est": [0.1],
    ...                     "perc.lower": [0.05], "perc.upper": [0.2], "bca.lower": [np.nan],
    ...                     "bca.upper": [np.nan], "delta.lower": [0.02], "delta.upper": [0.18]})
    >>> interval_frame(eff)[["label", "method", "ci.lower"]].values.tolist()
    [['A → COL → INT', 'percentile', 0.05], ['A → COL → INT', 'delta method', 0.02]]
    """
    sub = effects[effects["kind"] == kind]
    rows = []
    for _, r in sub.iterrows():
        lab = f"{r['source']} → {MEDIATOR} → {OUTCOME}" if kind == "indirect" else f"{r['source']} → {OUTCOME}"
        for m in methods:
            lo_c, hi_c = INTERVALS[m]
            if not (np.isfinite(r[lo_c]) and np.isfinite(r[hi_c])):
                continue
            rows.append({"label": lab, "est": float(r["est"]), "ci.lower": float(r[lo_c]),
                         "ci.upper": float(r[hi_c]), "method": m})
    return pd.DataFrame(rows, columns=["label", "est", "ci.lower", "ci.upper", "method"])
