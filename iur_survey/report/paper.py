"""Publication tables of a results.json (``iur-survey fit``), as DataFrames and as DOCX, LaTeX, Markdown, CSV, HTML.

One function per table, each taking the parsed ``results.json`` (a dict, as written by ``iur-survey fit``)
and returning an :class:`~iur_survey.report.tables.APATable` whose ``.frame`` is the DataFrame (every cell a
formatted string, APA 7th ed.).  The numbers are formatted by the same functions the book uses
(:mod:`iur_survey.report.format`, :mod:`iur_survey.report.sem_tables`); the statistics come from the
package (:mod:`iur_survey.measure` for alpha, omega, AVE, HTMT; the fit for everything else).

* :func:`fit_apa`            fit of one or more models (a scaled fit: the robust row first, the unscaled under it)
* :func:`measurement_apa`    loadings with alpha, omega, CR and AVE per construct
* :func:`discriminant_apa`   Fornell-Larcker (CFA results) and HTMT (with bootstrap CIs from a pls.json)
* :func:`thresholds_apa`     thresholds of the ordered items (WLSMV), estimate (*SE*) per item and threshold
* :func:`residual_covariances_apa` residual covariances (``~~`` of two observed variables) with *r*
* :func:`paths_apa`          structural paths: *b*, *SE*, 95% CI, β, *p* (one block per group)
* :func:`effects_apa`        ``:=`` effects (indirect, total) with their CIs (bootstrap when bootstrapped) and
                             standardized CIs when results.json has them
* :func:`simple_slopes_apa`  simple slopes of a latent interaction at −1 SD, mean, +1 SD; Johnson-Neyman bounds
* :func:`invariance_apa`     the measurement-invariance steps
* :func:`paths_by_group_apa` β of every path side by side per group
* :func:`paper_tables`       all that apply to a list of results; :func:`write_tables` writes them

>>> res = {"n": 100, "estimator": "ML", "fit": {"chisq": 3.2, "df": 2, "pvalue": 0.2, "cfi": 0.99,
...        "tli": 0.98, "rmsea": 0.03, "rmsea.ci.lower": 0.0, "rmsea.ci.upper": 0.1, "srmr": 0.02},
...        "estimates": [{"lhs": "y", "op": "~", "rhs": "x", "label": "b", "est": 0.5, "se": 0.1, "z": 5.0,
...                       "pvalue": 1e-6, "ci.lower": 0.3, "ci.upper": 0.7, "std.lv": 0.5, "std.all": 0.45}]}
>>> paths_apa(res).frame[["Path", "*b*", "95% CI", "β"]].values.tolist()
[['x → y', '0.500', '[0.300, 0.700]', '.450***']]
>>> print(to_markdown([paths_apa(res)]).splitlines()[2])
| Path | *b* | *SE* | 95% CI | β | *p* |
"""

from __future__ import annotations

import csv
import html
import io
import math
import re
import unicodedata
import warnings
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import DataError, InstrumentMovedError, IURSurveyError
from ..measure import (ave, composite_reliability, cronbach_alpha, fornell_larcker_verdict, htmt,
                       improper_constructs)
from ..measure._common import Measurement
from ..measure.reliability import IMPROPER_WARNING, MISSING_CODES_WARNING, MIXED_OMEGA_WARNING
from ..sem.mediation import defined_effects, shared_effects_by_group
from ..sem.table import is_fiml
from ..sem.results import NotConvergedError, missing_words, require_converged  # noqa: F401 (NotConvergedError)
from ..sem.results_file import group_tests, load_results_file, require_fitted_data, stat_group_of
from ..sem.table import group_text
from .format import (DASH, cardinal, chisq, ci_text, delta_fit, estimate_text, group_caption, group_prose,
                     group_wordings, instrument_wordings, integer, merged_caption, num, p_rel, pval, quantity, stars)
from .sem_tables import ALPHA_CI_NOTE, mixed_scale_alpha_note  # the notes on α, shared with the book's table
from .sem_tables import fit_row, improper_legend, improper_note, improper_solution  # noqa: F401 (their home)
from .sem_tables import defined_title
from .tables import CODE, APATable, code_span
from .terminal import ci_kind as _ci_kind, terminal_summary  # noqa: F401 (terminal_summary: __all__)

__all__ = ["load_results", "estimates_frame", "fit_apa", "measurement_apa", "discriminant_apa", "paths_apa",
           "product_blocks", "thresholds_apa", "residual_covariances_apa", "simple_slopes_apa",
           "effects_apa", "invariance_apa", "paths_by_group_apa", "paper_tables", "write_tables", "to_markdown",
           "to_latex", "to_html", "to_csv", "to_docx", "terminal_summary", "opposite_sign_note", "FORMATS"]

FORMATS = ("docx", "tex", "md", "csv", "html")
STARS_NOTE = "* *p* < .05. ** *p* < .01. *** *p* < .001."


def se_p_note(results: Mapping, p: bool = True) -> str:
    """What the *SE* and *p* of a path or effect table are, when they are not the plain ML ones (``p=False``:
    the *SE* only, for a table without *p*).

    >>> print(se_p_note({"estimator": "MLR"}))
     *SE*: robust (Huber-White; lavaan's MLR).
    >>> se_p_note({"estimator": "ML", "bootstrap": {"B": 500, "ci": "percentile"}}).startswith(" *SE*: bootstrap (B = 500). *p*: z test")
    True
    >>> se_p_note({"estimator": "WLSMV", "bootstrap": {"B": 50, "successful": 36}})[:68]
    ' *SE*: bootstrap (36 of B = 50 draws; the others failed: left out). '
    >>> se_p_note({"bootstrap": {"B": 40, "successful": 23, "failed": 0, "nonconverged": 17}}, p=False)
    ' *SE*: bootstrap (23 of B = 40 draws; 17 did not converge: left out).'
    """
    out = ""
    est = str(results.get("estimator", "")).upper()
    b = results.get("bootstrap")
    if isinstance(b, Mapping) and b:
        ok = b.get("successful")
        why = [f"{b[k]} {w}" for k, w in (("nonconverged", "did not converge"), ("failed", "failed"))
               if b.get(k)]
        used = (f"B = {b.get('B')}" if ok is None or ok == b.get("B")
                else f"{ok} of B = {b.get('B')} draws; " + (", ".join(why) if why else "the others failed")
                + ": left out")
        out += f" *SE*: bootstrap ({used})." + (" *p*: z test of the estimate over its bootstrap *SE*, as "
                                                  "lavaan's; it can disagree with the bootstrap CI, which is the "
                                                  "one to read." if p else "")
    elif est == "MLR":
        out += " *SE*: robust (Huber-White; lavaan's MLR)."
    elif est in ("WLSMV", "DWLS"):
        out += " *SE*: robust (lavaan's WLSMV)."
    return out


# ----------------------------------------------------------------------------------------------- inputs
def load_results(path: str | Path) -> dict:
    """Read a results.json (of ``iur-survey fit`` or ``iur-survey pls``), checked once
    (:func:`~iur_survey.sem.results_file.load_results_file`: typed one-line errors naming the file and the key)."""
    return load_results_file(path, pls=True)


def is_pls(results: Mapping) -> bool:
    """True for a pls.json of ``iur-survey pls`` (it has the HTMT with bootstrap CIs)."""
    return "htmt" in results and "estimates" not in results


def estimates_frame(results: Mapping) -> pd.DataFrame:
    """The ``estimates`` of a results.json as lavaan's parameterEstimates table (group: its label or "").
    A fit that did not converge is refused (:func:`require_converged`)."""
    require_converged(results)
    est = pd.DataFrame(results.get("estimates") or [])
    if est.empty:
        raise IURSurveyError(results.get("_path"), "results.json has no estimates")
    if "group" not in est.columns:
        est["group"] = ""
    est["group"] = est["group"].fillna("").astype(str)
    for c in ("est", "se", "z", "pvalue", "ci.lower", "ci.upper", "std.lv", "std.all"):
        if c in est.columns:
            est[c] = pd.to_numeric(est[c], errors="coerce")
    if "label" not in est.columns:
        est["label"] = ""
    est["label"] = est["label"].fillna("")
    return est


def _groups(est: pd.DataFrame) -> list[str]:
    """The groups of the estimates in the fit's order ("" for a one-group fit; the ``:=`` rows of a multi-group
    fit have no group and are not one)."""
    named = [g for g in dict.fromkeys(est["group"]) if g]
    return named or [""]


def effect_groups(est: pd.DataFrame) -> dict[str, str]:
    """The group of each ``:=`` effect of a multi-group fit: the group of the labelled parameters its
    definition uses (``ind_GOV.g1 := a1.g1*b.g1`` -> the group whose paths carry ``a1.g1`` and ``b.g1``);
    "" when they span several groups or none (a contrast, shared labels).

    >>> est = pd.DataFrame({"lhs": ["M", "Y", "M", "Y", "ind.g1", "ind.g2"], "op": ["~"] * 4 + [":="] * 2,
    ...                     "rhs": ["X", "M", "X", "M", "a.g1*b.g1", "a.g2*b.g2"],
    ...                     "group": ["gov", "gov", "uni", "uni", "", ""],
    ...                     "label": ["a.g1", "b.g1", "a.g2", "b.g2", "ind.g1", "ind.g2"]})
    >>> effect_groups(est)
    {'ind.g1': 'gov', 'ind.g2': 'uni'}
    """
    where: dict[str, set] = {}
    for lab, g in zip(est["label"].astype(str), est["group"].astype(str)):
        if lab and g:
            where.setdefault(lab, set()).add(g)
    out = {}
    for lhs, rhs in zip(est.loc[est["op"] == ":=", "lhs"], est.loc[est["op"] == ":=", "rhs"]):
        gs = set().union(*[where.get(t, set()) for t in re.findall(r"[A-Za-z_.][A-Za-z0-9_.]*", str(rhs))] or [set()])
        out[str(lhs)] = next(iter(gs)) if len(gs) == 1 else ""
    return out


def group_equal(results: Mapping) -> list[str]:
    """The ``--equal`` constraints of a multi-group fit (lavaan's ``group.equal``), from results.json's call."""
    return list((((results.get("call") or {}).get("options") or {}).get("group_equal")) or [])


def group_variable(results: Mapping) -> str | None:
    """The group column of a multi-group results.json (``call.options.group``, or its invariance block's), which
    names a numeric group code wherever a group is shown (:func:`~iur_survey.report.format.group_caption`).

    >>> group_variable({"call": {"options": {"group": "sex"}}}), group_variable({})
    ('sex', None)
    """
    opts = (results.get("call") or {}).get("options") or {}
    return opts.get("group") or (results.get("invariance_info") or {}).get("group") or None


def groups_merged(results: Mapping) -> dict[str, str]:
    """The merges of groups made before fitting (``--merge-groups``): {old label: its label in the fit}, from
    ``call.options.merge_groups`` or the results' ``groups_merged``; {} when none.

    >>> groups_merged({"groups_merged": {"east": "south"}}), groups_merged({})
    ({'east': 'south'}, {})
    """
    opts = (results.get("call") or {}).get("options") or {}
    return {str(a): str(b) for a, b in dict(opts.get("merge_groups") or results.get("groups_merged") or {}).items()}


def group_partial(results: Mapping) -> list[str]:
    """The parameters a multi-group fit freed from its ``--equal`` constraints (``--free``, lavaan's
    ``group.partial``), from results.json's ``group_partial``, else its call.

    >>> group_partial({"group_partial": ["x3 ~ 1"]}), group_partial({"call": {"options": {"group_partial": ["F =~ x2"]}}})
    (['x3 ~ 1'], ['F =~ x2'])
    """
    got = results.get("group_partial")
    if got is None:
        got = ((results.get("call") or {}).get("options") or {}).get("group_partial")
    return [str(x) for x in got or []]


def _constraints_note(results: Mapping) -> str:
    """The tables' note on the equality constraints across groups (``--equal``) and the parameters freed from them
    (``--free``).

    >>> _constraints_note({"call": {"options": {"group_equal": ["loadings", "intercepts"]}},
    ...                    "group_partial": ["x3 ~ 1", "x7 ~ 1"]})
    ' Equality constraints across groups (lavaan group.equal): loadings, intercepts; freed from them (lavaan group.partial): x3 ~ 1, x7 ~ 1.'

    A table note is copied into a paper: it names lavaan's arguments, never this package's command-line options.
    """
    ge = group_equal(results)
    if not ge:
        return ""
    gp = group_partial(results)
    return (f" Equality constraints across groups (lavaan group.equal): {', '.join(ge)}"
            + (f"; freed from them (lavaan group.partial): {', '.join(gp)}" if gp else "") + ".")


_GROUP_EQUAL_LABEL = re.compile(r"\.p\d+\.")


def _fixed_rows(rows: pd.DataFrame) -> pd.Series:
    """Which rows of an estimates frame are fixed by the model (lavaan's parameterEstimates: *SE* 0, no *p*), not
    estimated: a path ``0*x`` or ``-0.2*x``, a marker loading.  An unknown *SE* (null: ``se = "none"``) is not
    taken for fixed."""
    se = pd.to_numeric(rows["se"], errors="coerce") if "se" in rows else pd.Series(np.nan, rows.index)
    p = pd.to_numeric(rows["pvalue"], errors="coerce") if "pvalue" in rows else pd.Series(np.nan, rows.index)
    return (se == 0) & p.isna()


def fixed_paths(results: Mapping) -> dict[tuple[str, str], list[tuple[str, float]]]:
    """The ``~`` paths the model fixes (``0*x``, ``-0.2*x``: *SE* 0 and no *p* in every group), {(lhs, rhs):
    [(group, value), ...]}: not estimated, so neither "held equal across groups" nor "estimated freely".

    >>> est = [{"lhs": "y", "op": "~", "rhs": x, "group": g, "est": v, "se": se, "pvalue": p, "label": ""}
    ...        for g in ("a", "b") for x, v, se, p in (("x1", .4, .1, .01), ("x2", -.2, 0.0, None))]
    >>> fixed_paths({"estimates": est})
    {('y', 'x2'): [('a', -0.2), ('b', -0.2)]}
    """
    est = estimates_frame(results)
    reg = est[est["op"] == "~"]
    fixed = _fixed_rows(reg)
    out = {}
    for key, d in reg.groupby(["lhs", "rhs"], sort=False):
        if fixed[d.index].all():
            out[(str(key[0]), str(key[1]))] = [(str(g), float(v)) for g, v in zip(d["group"], d["est"])]
    return out


def _fixed_paths_note(results: Mapping, name=lambda lhs, rhs: f"{rhs} → {lhs}", fixed=None) -> str:
    """The paths tables' sentence on the paths the model fixes (:func:`fixed_paths`): their value, no *SE*, CI or
    *p* ("" when none); ``fixed``: :func:`fixed_paths` of ``results`` when the caller has it.

    >>> est = [{"lhs": "y", "op": "~", "rhs": "x", "est": -.2, "se": 0.0, "pvalue": None}]
    >>> _fixed_paths_note({"estimates": est})
    ' Fixed by the model (not estimated; no *SE*, CI or *p*): x → y at −0.200.'
    """
    fixed = fixed_paths(results) if fixed is None else fixed
    if not fixed:
        return ""
    var = group_variable(results)

    def value(vals):
        shown = list(dict.fromkeys(estimate_text(v) for _, v in vals))
        if len(shown) == 1:
            return f"at {shown[0]}"
        return "at " + ", ".join(f"{estimate_text(v)} ({group_caption(g, var)})" for g, v in vals)
    return (" Fixed by the model (not estimated; no *SE*, CI or *p*): "
            + ", ".join(f"{name(lhs, rhs)} {value(vals)}" for (lhs, rhs), vals in fixed.items()) + ".")


def equal_paths(results: Mapping) -> dict[tuple[str, str], str]:
    """The ``~`` paths of a multi-group fit held equal across its groups, {(lhs, rhs): how}: one label in every
    group (lavaan's rule: a label names one parameter; ``"group.equal"`` when it is lavaan's own ``.pN.`` label of
    ``group.equal``, else ``"label a1"``), or an unlabelled path under ``group.equal = "regressions"`` that
    ``group.partial`` does not free.  {} for one group.  The constraints a reader of the paths cannot see: the
    groups' *b* are then equal by constraint, not by estimate (``SEMResult.summary()``'s "Equal across groups").

    >>> est = [{"lhs": "y", "op": "~", "rhs": x, "group": g, "label": lab, "est": 1}
    ...        for g in ("a", "b") for x, lab in (("x1", "c1"), ("x2", f"c2.{g}"), ("x3", ".p9."), ("x4", ""))]
    >>> equal_paths({"estimates": est})
    {('y', 'x1'): 'label c1', ('y', 'x3'): 'group.equal'}
    >>> equal_paths({"estimates": est, "call": {"options": {"group_equal": ["regressions"]}}})[("y", "x4")]
    'group.equal'
    """
    est = estimates_frame(results)
    groups = _groups(est)
    if len(groups) < 2:
        return {}
    reg = est[(est["op"] == "~") & est["group"].isin(groups)]
    by_ge = "regressions" in group_equal(results)
    freed = (reg["group_partial"].map(lambda v: v is True) if "group_partial" in reg.columns
             else pd.Series(False, index=reg.index))
    fixed = _fixed_rows(reg)
    out = {}
    for key, d in reg.groupby(["lhs", "rhs"], sort=False):
        labels = set(d["label"].astype(str))
        if set(d["group"]) != set(groups) or len(labels) != 1 or fixed[d.index].all():
            continue        # a path the model fixes is not estimated: no "one estimate" held equal
        lab = next(iter(labels))
        if lab:
            out[(str(key[0]), str(key[1]))] = "group.equal" if _GROUP_EQUAL_LABEL.fullmatch(lab) else f"label {lab}"
        elif by_ge and not freed[d.index].any():
            out[(str(key[0]), str(key[1]))] = "group.equal"
    return out


def partly_equal_paths(results: Mapping) -> dict[tuple[str, str], tuple[str, list[str]]]:
    """The ``~`` paths of a multi-group fit that a label holds equal in some of its groups but not all,
    {(lhs, rhs): (label, groups)}: ``c(a, a, b)*x`` makes the path one parameter in the first two groups (lavaan's
    rule), which :func:`equal_paths` (equal in every group) does not list.  {} for one group.

    >>> est = [{"lhs": "y", "op": "~", "rhs": "x", "group": g, "label": lab, "est": 1}
    ...        for g, lab in (("g1", "a"), ("g2", "a"), ("g3", "b"))]
    >>> partly_equal_paths({"estimates": est}), equal_paths({"estimates": est})
    ({('y', 'x'): ('a', ['g1', 'g2'])}, {})
    """
    est = estimates_frame(results)
    groups = _groups(est)
    if len(groups) < 3:
        return {}
    reg = est[(est["op"] == "~") & est["group"].isin(groups)]
    full = equal_paths(results)
    out = {}
    for key, d in reg.groupby(["lhs", "rhs"], sort=False):
        key = (str(key[0]), str(key[1]))
        if key in full:
            continue
        for lab, g in d.groupby(d["label"].astype(str), sort=False)["group"]:
            shared = list(dict.fromkeys(g.astype(str)))
            if lab and len(shared) > 1:
                out[key] = (lab, shared)
                break
    return out


def _equal_paths_note(results: Mapping, name=lambda lhs, rhs: f"{rhs} → {lhs}") -> str:
    """The paths tables' sentence on the paths held equal across the groups (:func:`equal_paths`), or that none
    is, so that a reader knows whether the groups' paths differ by estimate or are equal by constraint; "" for
    one group.  ``name``: how the table names a path.

    >>> est = [{"lhs": "y", "op": "~", "rhs": x, "group": g, "label": lab, "est": 1}
    ...        for g in ("a", "b") for x, lab in (("x1", "c1"), ("x2", f"c2.{g}"))]
    >>> _equal_paths_note({"estimates": est})
    " Held equal across groups (one estimate for every group): by a label shared by the groups (lavaan's rule), x1 → y (c1). The other paths are estimated freely in each group."
    >>> _equal_paths_note({"estimates": est[::2]})
    " Every path is held equal across groups (one estimate for every group: a label shared by the groups, lavaan's rule)."
    >>> _equal_paths_note({"estimates": est[1::2]})
    ' No path is held equal across groups: each is estimated freely in each group.'

    A label shared by some groups only (``c(a, a, b)*x``) is said too, with the groups:

    >>> est = [{"lhs": "y", "op": "~", "rhs": "x", "group": g, "label": lab, "est": 1}
    ...        for g, lab in (("g1", "a"), ("g2", "a"), ("g3", "b"))]
    >>> _equal_paths_note({"estimates": est})
    " Held equal in some groups only, by a label those groups share (lavaan's rule): x → y (a: g1, g2)."
    """
    est = estimates_frame(results)
    if len(_groups(est)) < 2 or not (est["op"] == "~").any():
        return ""
    eq = equal_paths(results)
    part = partly_equal_paths(results)
    fixed = fixed_paths(results)
    fixed_s = _fixed_paths_note(results, name, fixed)
    some = (" Held equal in some groups only, by a label those groups share (lavaan's rule): "
            + ", ".join(f"{name(lhs, rhs)} ({lab}: "
                        f"{', '.join(merged_caption(g, group_variable(results), groups_merged(results)) for g in gs)})"
                        for (lhs, rhs), (lab, gs) in part.items())
            + "." if part else "")
    n_paths = len(est.loc[est["op"] == "~", ["lhs", "rhs"]].drop_duplicates())
    if len(fixed) == n_paths:
        return fixed_s
    if not eq:
        return (some or (" No estimated path is held equal across groups: each is estimated freely in each group."
                         if fixed else " No path is held equal across groups: each is estimated freely in each "
                                       "group.")) + fixed_s
    by_ge = [name(lhs, rhs) for (lhs, rhs), why in eq.items() if why == "group.equal"]
    by_label = [f"{name(lhs, rhs)} ({why.split(' ', 1)[1]})" for (lhs, rhs), why in eq.items() if why != "group.equal"]
    if len(eq) + len(fixed) == n_paths:
        how = [w for w, hit in (("lavaan group.equal", by_ge), ("a label shared by the groups, lavaan's rule",
                                                                 by_label)) if hit]
        return (f" Every {'estimated ' if fixed else ''}path is held equal across groups (one estimate for every "
                f"group: {' and '.join(how)}).") + fixed_s
    parts = ([f"by lavaan group.equal, {', '.join(by_ge)}"] if by_ge else []) + (
        [f"by a label shared by the groups (lavaan's rule), {', '.join(by_label)}"] if by_label else [])
    return (" Held equal across groups (one estimate for every group): " + "; ".join(parts) + "." + some
            + fixed_s + " The other paths are estimated freely in each group.")


def model_constraints(results: Mapping) -> list[str]:
    """The equality constraints a reader of the tables cannot see: a label the model gives to more than one
    parameter (lavaan's rule: they are one parameter, ``a1*y2`` and ``a1*y6``) and the ``==`` lines of the model
    syntax (results.json's ``call.model.syntax``).  ``--equal`` (group.equal) is said by its own note.

    >>> est = [{"lhs": "F", "op": "=~", "rhs": r, "label": lab} for r, lab in (("y2", "a1"), ("y6", "a1"), ("y3", ""))]
    >>> model_constraints({"estimates": est, "call": {"model": {"syntax": "F =~ y1 + a1*y2\\nv2 == v6 # same\\n"}}})
    ['a1: F =~ y2 = F =~ y6', 'v2 == v6']
    """
    rows: dict[str, list[str]] = {}
    for e in results.get("estimates") or []:
        lab = str(e.get("label") or "")
        if lab and not lab.startswith(".") and e.get("op") != ":=":
            what = f"{e['lhs']} {e['op']} {e['rhs']}"
            if what not in rows.setdefault(lab, []):
                rows[lab].append(what)
    out = [f"{lab}: {' = '.join(w)}" for lab, w in rows.items() if len(w) > 1]
    syntax = (((results.get("call") or {}).get("model") or {}).get("syntax")) or ""
    for line in str(syntax).splitlines():
        line = line.split("#")[0].strip()
        if "==" in line:
            out.append(" ".join(line.split()))
    return out


def _group_data(results: Mapping, data: pd.DataFrame | None, group: str) -> tuple[pd.DataFrame | None, str]:
    """The rows of one group (multi-group results: the group column recorded in ``call.options.group``,
    after the recorded merges), and why there are none ("" otherwise) for the table notes.

    >>> fit = {"call": {"options": {"group": "role"}}, "groups": {"a": 2, "b": 1}}
    >>> d = pd.DataFrame({"x": [1, 2, 3], "role": ["a", "a", "b"]})
    >>> len(_group_data(fit, d, "a")[0]), _group_data(fit, d.drop(columns="role"), "a")[1]
    (2, "the data file has no column 'role', the fit's group column")
    """
    if data is None or not group:
        return data, ""
    opts = (results.get("call") or {}).get("options") or {}
    col = opts.get("group")
    if not col and not results.get("groups"):       # one group labelled "1" (a theta-parameterization fit's)
        return data, ""
    if not col:
        return None, "results.json does not record the fit's group column"
    if col not in data.columns:       # said in the notes (it read "no data of this group")
        return None, f"the data file has no column {col!r}, the fit's group column"
    merged = groups_merged(results)
    values = group_text(data[col]).map(lambda v: merged.get(v, v), na_action="ignore")
    return data[values == group], ""


def total_scale_std(est: pd.DataFrame) -> pd.DataFrame:
    """``est`` with its ``est`` column = the completely standardized values in one metric, the total variances:
    std.all, except that a covariance (``~~``, lhs ≠ rhs) is multiplied by the square roots of its two std.all
    variances.  lavaan's std.all of a covariance is scaled by the two *residual* variances (standardizedSolution's
    cov.std = TRUE: a residual correlation, of two items or of two endogenous factors) while that of a (residual)
    variance is scaled by the total variance; an exogenous variable's std.all variance is 1, so its covariances
    stay as they are.  A covariance whose variances are not in the table or are negative is NaN.

    >>> est = pd.DataFrame({"lhs": ["F", "G", "F", "a", "b", "a"], "op": ["~~"] * 6,
    ...                     "rhs": ["F", "G", "G", "a", "b", "b"], "std.all": [1, 1, .5, .36, .25, .2]})
    >>> total_scale_std(est)["est"].round(3).tolist()
    [1.0, 1.0, 0.5, 0.36, 0.25, 0.06]
    """
    out = est.assign(est=est["std.all"].astype(float))
    cov = (out["op"] == "~~").to_numpy()
    grp = out["group"] if "group" in out.columns else pd.Series("", index=out.index)
    var = {(g, a): float(v) for g, a, b, v, c in zip(grp, out["lhs"], out["rhs"], out["est"], cov) if c and a == b}
    vals = out["est"].to_numpy(copy=True)
    for k, (g, a, b, c) in enumerate(zip(grp, out["lhs"], out["rhs"], cov)):
        if c and a != b:
            scale = var.get((g, a), math.nan) * var.get((g, b), math.nan)
            vals[k] = vals[k] * math.sqrt(scale) if scale >= 0 else math.nan
    return out.assign(est=vals)


def latent_correlations(est: pd.DataFrame) -> pd.DataFrame:
    """The model-implied correlations of the latent variables from the completely standardized solution:
    (I − B)⁻¹ Ψ (I − B)⁻ᵀ with B the std.all regressions (``~``) and higher-order loadings (``g =~ F``: F on g)
    and Ψ the std.all (residual) variances and covariances, the covariances on the total-variance scale
    (:func:`total_scale_std`: lavaan's std.all of a residual covariance of two endogenous factors is a residual
    correlation) (lavaan's ``lavInspect(fit, "cor.lv")``).  An indicator in a ``~`` row is a node tied to its
    factors by its loadings (lavaan's phantom latent, :meth:`~iur_survey.measure._common.Measurement.cov_lv`).  An observed
    variable in the structural part (a covariate: ``F ~ age``, lavaan's ov.x with its std.all variance 1) is a
    node of B too, so the variance of a factor it predicts counts its share; only the factors are returned.

    >>> est = pd.DataFrame({"lhs": ["F", "G", "F", "G"], "op": ["=~", "=~", "~~", "~~"],
    ...                     "rhs": ["a", "b", "F", "G"], "std.all": [0.8, 0.8, 1.0, 0.75]})
    >>> est = pd.concat([est, pd.DataFrame({"lhs": ["G"], "op": ["~"], "rhs": ["F"], "std.all": [0.5]})])
    >>> float(latent_correlations(est).round(3).loc["G", "F"])
    0.5

    G ~ F + age with age uncorrelated with F: r(F, G) = .5, not .5 / sqrt(.25 + .45) (age left out):

    >>> cov = pd.DataFrame({"lhs": ["G", "age", "G"], "op": ["~", "~~", "~~"], "rhs": ["age", "age", "G"],
    ...                     "std.all": [0.548, 1.0, 0.45]})
    >>> float(latent_correlations(pd.concat([est.iloc[:3], est.iloc[4:], cov])).round(3).loc["G", "F"])
    0.5

    A second-order factor g =~ F + G: r(F, G) = .8 × .6, r(g, F) = .8:

    >>> ho = pd.DataFrame({"lhs": ["F", "G", "g", "g", "g", "F", "G"], "op": ["=~"] * 4 + ["~~"] * 3,
    ...                    "rhs": ["a", "b", "F", "G", "g", "F", "G"], "std.all": [0.8, 0.8, 0.8, 0.6, 1.0, 0.36, 0.64]})
    >>> latent_correlations(ho).round(3).loc[["F", "G"], ["G", "g"]].values.tolist()
    [[0.48, 0.8], [1.0, 0.6]]

    A factor with a negative variance (std.all NaN) has no correlations; the others keep theirs:

    G and H both regressed on F with a residual correlation .5 (std.all; residual variances .75 and .64):
    r(G, H) = .5 × .6 + .5 × √(.75 × .64) = .300 + .346 (not .300 + .5):

    >>> rc = pd.DataFrame({"lhs": ["F", "G", "H", "G", "H", "F", "G", "H", "G"], "op": ["=~"] * 3 + ["~"] * 2 + ["~~"] * 4,
    ...                    "rhs": ["a", "b", "c", "F", "F", "F", "G", "H", "H"],
    ...                    "std.all": [0.8, 0.8, 0.8, 0.5, 0.6, 1.0, 0.75, 0.64, 0.5]})
    >>> round(float(latent_correlations(rc).loc["G", "H"]), 3)
    0.646

    >>> est = pd.DataFrame({"lhs": ["F", "G", "H", "F", "G", "H", "F", "F"], "op": ["=~"] * 3 + ["~~"] * 5,
    ...                     "rhs": ["a", "b", "c", "F", "G", "H", "G", "H"],
    ...                     "std.all": [0.8, 0.8, 0.8, 1.0, 1.0, None, 0.3, -0.2]})
    >>> latent_correlations(est).round(3).values.tolist()
    [[1.0, 0.3, nan], [0.3, 1.0, nan], [nan, nan, nan]]
    """
    C = Measurement(total_scale_std(est)).cov_lv()       # (I − B)⁻¹ Ψ (I − B)⁻ᵀ of the std.all values
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.sqrt(np.diag(C.to_numpy()))
        return C / np.outer(sd, sd)


class DataMovedWarning(UserWarning):
    """The data file results.json records is not there: alpha and HTMT are left out (—) until ``--data`` gives it."""


class InstrumentUnreadWarning(UserWarning):
    """The instrument a fit records is not there or cannot be read: the tables show its group codes, not its
    wordings (:func:`group_words`)."""


def fitted_instrument(results: Mapping, instrument: str | Path | None = None) -> str | Path | None:
    """The instrument to read the fitted data with: ``instrument`` when given, else the one results.json records
    (``call.options.instrument``, `fit --instrument`) when that file is there, else ``None`` (the study's).
    A 7-point instrument's data read with the study's 1-5 scale would be refused as off the scale.

    >>> fitted_instrument({"call": {"options": {"instrument": None}}}) is None
    True
    >>> fitted_instrument({"call": {"options": {"instrument": "/no/such.yaml"}}}, "mine.yaml")
    'mine.yaml'
    """
    if instrument is not None:
        return instrument
    rec = ((results.get("call") or {}).get("options") or {}).get("instrument")
    return rec if rec and Path(rec).is_file() else None


def data_instrument(results: Mapping, instrument: str | Path | None = None) -> str | Path | None:
    """The instrument to read a fit's data with (:func:`fitted_instrument`), never the study's in place of the
    one results.json records: when that has moved (and no ``instrument`` is given), an
    :class:`~iur_survey.errors.InstrumentMovedError` naming it (the study's scale and missing codes would judge
    the data's cells: a 7-point fit's data refused as "off the scale 1-5", or checked against codes it was not
    fitted with).

    >>> data_instrument({"call": {"options": {"instrument": None}}}) is None
    True
    >>> data_instrument({"call": {"options": {"instrument": "/no/such.yaml"}}})
    Traceback (most recent call last):
    ...
    iur_survey.errors.InstrumentMovedError: /no/such.yaml: the instrument results.json records (fit --instrument) is not there (moved or deleted): the data is not read with another instrument in its place; give the fit's instrument with --instrument FILE
    >>> data_instrument({"call": {"options": {"instrument": "/no/such.yaml"}}}, "mine.yaml")
    'mine.yaml'
    """
    path = fitted_instrument(results, instrument)
    rec = ((results.get("call") or {}).get("options") or {}).get("instrument")
    if path is None and rec:
        raise InstrumentMovedError(rec, "the instrument results.json records (fit --instrument) is not there (moved "
                                        "or deleted): the data is not read with another instrument in its place; "
                                        "give the fit's instrument with --instrument FILE")
    return path


def _data_of(results: Mapping, instrument: str | Path | None = None) -> tuple[pd.DataFrame | None, str]:
    """The fitted data when results.json records it (``call.data.path``) and it is still there, unchanged, and
    why not otherwise (for the table notes): a recorded file that is not there is said loudly
    (:class:`DataMovedWarning`), a changed one refused.

    >>> import warnings
    >>> _data_of({"call": {}})
    (None, 'results.json does not record the data file; give --data')
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     _data_of({"call": {"data": {"path": "/no/such/clean.csv"}}})[1]
    ...     print(w[0].message)
    'the data file results.json records (/no/such/clean.csv) is not there; give --data'
    /no/such/clean.csv: the data file results.json records is not there (moved or deleted): alpha and HTMT are left out (—); give --data

    A recorded instrument that has moved leaves the data unread too, said as loudly (:class:`InstrumentUnreadWarning`
    naming it; :func:`data_instrument`), never read with the study's instrument in its place:

    >>> import os, tempfile
    >>> with tempfile.TemporaryDirectory() as d, warnings.catch_warnings(record=True) as w:
    ...     _ = Path(d, "clean.csv").write_text("GOV1\\n6\\n")
    ...     warnings.simplefilter("always")
    ...     _data_of({"call": {"data": {"path": os.path.join(d, "clean.csv")},
    ...                        "options": {"instrument": "/no/such.yaml"}}})
    ...     print(w[0].message)
    (None, 'the instrument results.json records (/no/such.yaml) is not there; give --instrument')
    /no/such.yaml: the instrument results.json records is not there (moved or deleted): alpha and HTMT are left out (—), the data not being read with another instrument in its place; give --instrument
    """
    rec = (results.get("call") or {}).get("data") or {}
    p = rec.get("path")
    if not p:
        return None, "results.json does not record the data file; give --data"
    if not Path(p).is_file():
        import warnings
        warnings.warn(f"{p}: the data file results.json records is not there (moved or deleted): alpha and HTMT "
                      f"are left out (—); give --data", DataMovedWarning, stacklevel=3)
        return None, f"the data file results.json records ({p}) is not there; give --data"
    require_fitted_data(results, p)
    try:
        inst = data_instrument(results, instrument)
    except InstrumentMovedError as e:
        import warnings
        warnings.warn(f"{e.file}: the instrument results.json records is not there (moved or deleted): alpha and "
                      "HTMT are left out (—), the data not being read with another instrument in its place; give "
                      "--instrument", InstrumentUnreadWarning, stacklevel=3)
        return None, f"the instrument results.json records ({e.file}) is not there; give --instrument"
    from ..datafile import load_data
    return load_data(p, fitted_columns([results]), instrument=inst), ""


def fitted_columns(results: Sequence[Mapping]) -> list[str] | None:
    """The data columns the fits' models name (``call.model.syntax`` of each results.json; a pls.json is
    skipped), for :func:`~iur_survey.datafile.load_data`: the tables check the cells of those columns only, as
    ``fit`` did (a text cell in a column no model uses is no reason to refuse the file); None (every item-like
    column is checked) when a results file does not record its model or none is a fit.

    >>> fitted_columns([{"call": {"model": {"syntax": "F =~ x1 + x2"}}}, {"call": {"model": {"syntax": "y ~ x1"}}}])
    ['F', 'x1', 'x2', 'y']
    >>> fitted_columns([{"call": {}}]) is None
    True
    """
    from ..datafile import model_columns

    fits = [r for r in results if not is_pls(r)]
    out: list[str] = []
    for r in fits:
        model = (r.get("call") or {}).get("model") or {}
        if not model.get("syntax"):
            return None
        out.extend(model_columns(model["syntax"], model.get("source") or "<model syntax>"))
    return list(dict.fromkeys(out)) if fits else None


def _label(results: Mapping, k: int) -> str:
    p = results.get("_path")
    return Path(p).stem if p else f"Model {k}"


def model_labels(results: Sequence[Mapping]) -> list[str]:
    """One distinct label per results file: its file name without the extension, with as many parent folders
    as it takes to tell files of the same name apart ("a/results", "b/results"); "Model k" when there is no
    path; the same file given twice: " (2)" on the second.  Never two equal labels, so no model is dropped.

    >>> model_labels([{"_path": "x/a/results.json"}, {"_path": "y/b/results.json"}, {"_path": "mlr.json"}, {}])
    ['a/results', 'b/results', 'mlr', 'Model 4']
    >>> model_labels([{"_path": "a/results.json"}, {"_path": "/b/results.json"}, {"_path": "a/results.json"}])
    ['a/results', 'b/results', 'a/results (2)']
    """
    paths = [Path(r["_path"]).with_suffix("") if r.get("_path") else None for r in results]
    depth = [1] * len(paths)
    while True:
        labs = ["/".join(p.parts[-d:]) if p is not None else f"Model {k}"
                for k, (p, d) in enumerate(zip(paths, depth), 1)]
        clash = [i for i, lab in enumerate(labs) if paths[i] is not None and depth[i] < len(paths[i].parts) - bool(paths[i].anchor)
                 and any(labs[j] == lab and paths[j] != paths[i] for j in range(len(labs)) if j != i)]
        if not clash:
            break
        for i in clash:
            depth[i] += 1
    out: list[str] = []
    for lab in labs:
        out.append(lab if lab not in out else f"{lab} ({sum(o == lab or o.startswith(lab + ' (') for o in out) + 1})")
    return out


def model_kind(results: Mapping) -> str:
    """What a fit's model is, as the fit table of a single results file names it: a structural model (factors
    and paths), a measurement model (factors only: a CFA), a path model (paths among observed variables).

    >>> model_kind({"estimates": [{"op": "=~"}, {"op": "~"}]}), model_kind({"estimates": [{"op": "=~"}]})
    ('Structural model', 'Measurement model (CFA)')
    >>> model_kind({"estimates": [{"op": "~"}]}), model_kind({"estimates": []})
    ('Path model', 'Model')
    """
    ops = {e.get("op") for e in results.get("estimates") or []}
    if "=~" in ops:
        return "Structural model" if "~" in ops else "Measurement model (CFA)"
    return "Path model" if "~" in ops else "Model"


#: lavaan's scaled tests (its ``test =`` names) in words, for the notes that say which χ² a scaled row holds
SCALED_TEST_WORDS = {
    "satorra.bentler": "Satorra–Bentler scaled χ²",
    "yuan.bentler": "Yuan–Bentler scaled χ²",
    "yuan.bentler.mplus": "Yuan–Bentler scaled χ² (Mplus variant)",
    "mean.var.adjusted": "mean- and variance-adjusted χ² (Satterthwaite)",
    "scaled.shifted": "mean- and variance-adjusted χ² (scaled-shifted)",
}
#: lavaan's scaled test of an estimator, for a results.json that does not record its tests
_ESTIMATOR_SCALED_TEST = {"MLR": "yuan.bentler.mplus", "MLM": "satorra.bentler", "WLSMV": "scaled.shifted"}


def scaled_test_words(results: Mapping) -> str | None:
    """Which scaled test a fit's chisq.scaled is, in words with lavaan's name (the ``test`` block of
    results.json; else lavaan's test of the estimator); None for a fit without one.

    >>> print(scaled_test_words({"estimator": "MLR", "test": {"standard": {}, "yuan.bentler.mplus": {}}}))
    Yuan–Bentler scaled χ² (Mplus variant; lavaan's test = "yuan.bentler.mplus")
    >>> print(scaled_test_words({"estimator": "WLSMV"}))
    mean- and variance-adjusted χ² (scaled-shifted; lavaan's test = "scaled.shifted")
    >>> scaled_test_words({"estimator": "ML", "test": {"standard": {}}}) is None
    True
    """
    names = [k for k in (results.get("test") or {}) if k != "standard"]
    est = str(results.get("estimator") or (results.get("invariance_info") or {}).get("estimator") or "").upper()
    name = names[0] if names else _ESTIMATOR_SCALED_TEST.get(est)
    if name is None:
        return None
    words = SCALED_TEST_WORDS.get(name)
    if words is None:
        return f'lavaan\'s test = "{name}"'
    return (words[:-1] + f'; lavaan\'s test = "{name}")' if words.endswith(")")
            else words + f' (lavaan\'s test = "{name}")')


#: the label of a scaled fit's second row in the fit table (:func:`fit_apa`): lavaan's standard test and indices
UNSCALED = "(unscaled)"


# ----------------------------------------------------------------------------------------------- tables
def fit_apa(results: Mapping[str, Mapping] | Sequence[Mapping], number=None, title: str = "Model fit") -> APATable:
    """Fit of each model (rows), APA style.  ``results``: label -> results dict, or a list (labelled by file
    name), or one results dict (its ``estimates`` a list: a label -> results mapping may have a model labelled
    "fit", the name of a results file fit.json).

    >>> r = {"n": 10, "estimator": "ML", "fit": {"chisq": 1.0, "df": 1}, "estimates": []}
    >>> fit_apa({"fit": r}).frame["Model"].tolist(), fit_apa(r).frame["Model"].tolist()
    (['fit'], ['Model 1'])

    A fit with a scaled test (MLR, WLSMV): the model's row, the first, is the one to report, the scaled χ²
    (chisq.scaled) with the robust CFI, TLI and RMSEA (cfi.robust ...); lavaan's standard test and indices
    (chisq, cfi ...) follow in a row labelled unscaled:

    >>> mlr = {"n": 2749, "estimator": "MLR", "estimates": [], "fit": {"chisq": 4641.702, "df": 267,
    ...        "cfi": .778, "chisq.scaled": 4039.754, "df.scaled": 267, "cfi.robust": .779}}
    >>> fit_apa({"m": mlr}).frame[["Model", "Estimator", "χ²", "CFI"]].values.tolist()
    [['m', 'MLR', '4,039.75', '.779'], ['m (unscaled)', '', '4,641.70', '.778']]
    """
    if not isinstance(results, Mapping) or isinstance(results.get("estimates"), list):
        fits = [results] if isinstance(results, Mapping) else list(results)
        results = dict(zip(model_labels(fits), fits))
    rows, scaled_any, by_group = [], False, []
    for lab, r in results.items():
        fit = r.get("fit") or {}
        n = r.get("n")          # with its thousands separator, as the group rows below and every table's counts
        parts = group_tests(r)          # a multi-group fit: each group's part of the test (lavaan's stat.group)
        if parts:
            by_group.append(lab)
        # a fit with a scaled test (MLR, WLSMV): the row an author copies, the one with the model's label, is the
        # scaled test with the robust indices (what lavaan's users report); the standard test and its indices
        # follow in a row labelled unscaled.  One that could not be computed (null) shows —.
        scaled = "chisq.scaled" in fit
        scaled_any = scaled_any or scaled
        for k, robust in enumerate((True, False) if scaled else (False,)):
            row = lab if k == 0 else f"{lab} {UNSCALED}"
            rows.append({"Model": row, "*N*": "" if k else integer(n) if isinstance(n, (int, float)) else str(n or ""),
                         "Estimator": "" if k else str(r.get("estimator", "")),
                         **{c: v for c, v in fit_row(fit, scaled=robust).items() if c not in ("AIC", "BIC")}})
            rows.extend(_group_test_rows(r, row, stat_group_of(parts, robust)))
    frame = pd.DataFrame(rows).fillna("")
    dwls = any(str(r.get("estimator", "")).upper() == "WLSMV" for r in results.values())
    note = (("χ²: the test of the model (likelihood ratio; the unscaled row of a WLSMV fit: the DWLS statistic, not "
             "chi-square distributed for ordinal data)" if dwls else "χ²: likelihood-ratio test of the model")
            + "; CFI, TLI, RMSEA with its 90% CI and SRMR as lavaan's fitMeasures().")
    if by_group:
        note += (" Rows of a group" + (f" ({', '.join(by_group)})" if len(by_group) < len(results) else "")
                 + ": its part of the χ² above them (lavaan's stat.group; the parts add up to the model's χ²) "
                 "and its *n*; df, *p* and the indices are of the whole model.")
    if scaled_any:
        named = {lab: scaled_test_words(r) for lab, r in results.items() if "chisq.scaled" in (r.get("fit") or {})}
        which = ("; ".join(f"{lab}: {w}" for lab, w in named.items() if w) if len(set(named.values())) > 1
                 else next(iter(named.values()), None))
        note += (f" A fit with a scaled test: its row (the model's, to report) holds the scaled test statistic "
                 f"(chisq.scaled{f'; {which}' if which else ''}) and the robust CFI, TLI and RMSEA (cfi.robust, "
                 f"tli.robust, rmsea.robust); the row \"{UNSCALED}\" under it the standard test and its indices "
                 "(chisq, cfi, tli, rmsea), for comparison only.")
        for lab, r in results.items():   # WLSMV: lavaan's scaled indices are others again (the invariance steps')
            fit = r.get("fit") or {}
            if (str(r.get("estimator", "")).upper() == "WLSMV" and fit.get("cfi.robust") is not None
                    and fit.get("cfi.scaled") is not None):
                note += (f" lavaan's scaled indices{f' of {lab}' if len(results) > 1 else ''} (cfi.scaled, "
                         "tli.scaled, rmsea.scaled" + ("; the measurement invariance table compares these"
                                                       if r.get("invariance") else "")
                         + "), not the robust ones: " + ", ".join(
                             f"{k} = {quantity(fit[k], 'cfi' if k != 'rmsea.scaled' else 'rmsea')}"
                             for k in ("cfi.scaled", "tli.scaled", "rmsea.scaled") if fit.get(k) is not None) + ".")
        for lab, r in results.items():
            fit = r.get("fit") or {}
            gone = [k for k in ("chisq.scaled", "cfi.robust", "tli.robust", "rmsea.robust")
                    if "chisq.scaled" in fit and fit.get(k) is None]
            if not gone:
                continue
            who = f" of {lab}" if len(results) > 1 else ""
            # only a warning about the scaled test or the robust indices says why (a small group's does not)
            if any(re.search(r"robust|scaled", str(w), re.I) for w in r.get("warnings") or []):
                note += f" —{who}: could not be computed (the fit's warnings below say why)."
                continue
            # no warning: lavaan 0.6.14 itself reports NA (e.g. robust indices of a multi-group fit of ordered
            # items); its scaled indices, when there, are the ones to report
            scaled = [f"{k} = {quantity(fit[k], 'cfi' if k != 'rmsea.scaled' else 'rmsea')}"
                      for k in ("cfi.scaled", "tli.scaled", "rmsea.scaled") if fit.get(k) is not None]
            note += (f" —{who}: {', '.join(gone)} not defined for this fit (lavaan 0.6.14 reports NA)"
                     + (f"; lavaan's scaled indices: {', '.join(scaled)}" if scaled else "") + ".")
    how = {lab: missing_words(r.get("missing"), r.get("n"), r.get("norig")) for lab, r in results.items()}
    if len(set(how.values())) == 1:
        note += f" Missing data: {next(iter(how.values()))}."
    else:
        note += " Missing data: " + "; ".join(f"{lab}: {h}" for lab, h in how.items()) + "."
    for lab, r in results.items():      # constraints the tables do not show
        eq = model_constraints(r)
        if eq:
            note += (f" Equality constraints of the model{f' {lab}' if len(results) > 1 else ''} (one estimate "
                     "each): " + "; ".join(code_span(c) for c in eq) + ".")
    for lab, r in results.items():      # a multi-group fit: each group's n (results.json "groups")
        sizes = r.get("groups")
        if isinstance(sizes, Mapping) and len(sizes) > 1:
            note += (f" Group sizes{f' of {lab}' if len(results) > 1 else ''}: " + ", ".join(
                f"{merged_caption(g, group_variable(r), groups_merged(r))} *n* = {integer(n)}"
                for g, n in sizes.items()) + ".")
    for lab, r in results.items():      # what the fit warned about belongs beside its numbers, as facts
        said = list(dict.fromkeys(w for w in (syntax_spans(paper_warning(w, r)) for w in r.get("warnings") or [])
                                  if w))
        if said:
            note += f" Warnings of the fit{f' {lab}' if len(results) > 1 else ''}: " + "; ".join(said) + "."
    return APATable(frame, title, number=number, note=note,
                    numeric=tuple(c for c in frame.columns if c not in ("Model", "Estimator")), wrap=("Model",))


def _group_test_rows(results: Mapping, row: str, parts: Mapping[str, Any] | None) -> list[dict[str, str]]:
    """The fit table's rows of each group of a multi-group fit under the model's row ``row``: "row: group" (its
    caption), the group's *n* and its part of that row's χ² (``parts``: {group label: statistic},
    :func:`group_tests`); none when the results.json has no per-group statistics (one group, or written by an
    older version)."""
    if not parts:
        return []
    sizes = results.get("groups") if isinstance(results.get("groups"), Mapping) else {}
    var = group_variable(results)
    return [{"Model": f"{row}: {group_caption(g, var)}", "*N*": integer(sizes[g]) if g in sizes else "",
             "χ²": chisq(math.nan if v is None else v)} for g, v in parts.items()]


#: the first word of a clause of a warning that tells the analyst what to do (the command line's advice), not
#: what the fit is: such a clause is left out of a table note, which a paper carries
_ADVICE = re.compile(r"(?:or\s+)?(?:consider|sort|give|write|use|rerun|re-run|run|refit|re-fit|pass|merge|add|try|"
                     r"see|check|fix|drop|remove|set|specify|increase|raise|edit|rename|recode|rescale|divide)\b", re.I)
#: an option of the command line or a command of this package in a clause
_COMMAND = re.compile(r"(?<![\w-])--[a-z]|iur-survey\b")
#: a file named at the start of a warning ("model.lav: ...", "/home/u/m.lav:3:1: ...")
_FILE_PREFIX = re.compile(r"^\s*(?:[A-Za-z]:)?[^\s:;]*\.(?:lav|txt|model|csv|json|ya?ml)(?::\d+){0,2}:\s+")


def _top_level_split(text: str, sep: str) -> list[str]:
    """``text`` split at ``sep`` outside brackets and code spans."""
    parts, depth, code, start, k = [], 0, False, 0, 0
    while k < len(text):
        c = text[k]
        if c == "`":
            code = not code
        elif not code and c in "([{":
            depth += 1
        elif not code and c in ")]}":
            depth = max(0, depth - 1)
        elif not code and depth == 0 and text.startswith(sep, k):
            parts.append(text[start:k])
            start = k + len(sep)
            k = start
            continue
        k += 1
    return parts + [text[start:]]


def paper_warning(text: str, results: Mapping | None = None) -> str:
    """A warning of the fit as a table note carries it into a paper: what the fit is, not what to type.  A clause
    (between ``; ``, or the last one after ``: ``) that gives advice (``consider --merge-groups ...``, ``sort the
    data by ...``, ``write c(...) ...``) or names a command-line option or command is left out, and so is a
    bracket that does; a model file named at its start is left out (its folders are a user's); a group named by
    its code (``group 'government' of 'role'``) is named as the tables name it (``group Government``).  The
    results.json keeps the warning whole.

    >>> w = ("group 'government' of 'role' has 95 cases, fewer than the 105 the small-group rule asks (n >= "
    ...      "max(100, q)): its estimates are unstable; consider --merge-groups government=research_institute "
    ...      "(or --merge-groups smallest)")
    >>> paper_warning(w, {"call": {"options": {"group": "role"}}})
    'group government has 95 cases, fewer than the 105 the small-group rule asks (n >= max(100, q)): its estimates are unstable'
    >>> paper_warning("/home/li/m.lav: a label written once (e.g. `a1*GOV`) names ONE parameter shared by all 3 "
    ...               "groups, so those parameters are constrained equal across groups; write `c(a1.g1, a1.g2, ...)*GOV` "
    ...               "for group-specific ones (`iur-survey fit DATA --group G --print-model` prints it)")
    'a label written once (e.g. `a1*GOV`) names ONE parameter shared by all 3 groups, so those parameters are constrained equal across groups'
    >>> paper_warning("the groups of 'wave' are coded 1..2 but numbered by first appearance: group 1 is code '2'; "
    ...               "group numbers are positions, not codes: sort the data by 'wave' to make them agree.")
    "the groups of 'wave' are coded 1..2 but numbered by first appearance: group 1 is code '2'; group numbers are positions, not codes"
    """
    text = _FILE_PREFIX.sub("", str(text).strip()).rstrip(".")
    keep = []
    for clause in _top_level_split(text, "; "):
        if _ADVICE.match(clause.strip()):
            continue
        if _COMMAND.search(clause):
            # a bracket that names a command goes; a clause that still names one is advice
            clause = re.sub(r"\s*\([^()]*(?:--[a-z]|iur-survey)[^()]*\)", "", clause)
            if _COMMAND.search(clause):
                *head, last = _top_level_split(clause, ": ")
                if not head or _COMMAND.search(": ".join(head)):
                    continue
                clause = ": ".join(head)
        *head, last = _top_level_split(clause, ": ")
        if head and _ADVICE.match(last.strip()):
            clause = ": ".join(head)
        keep.append(clause.strip())
    out = "; ".join(c for c in keep if c)
    var = group_variable(results or {})
    if var:
        out = re.sub(rf"\bgroup '([^']*)' of '{re.escape(var)}'",
                     lambda m: "group " + group_prose(m.group(1), var), out)
    return out


#: a word of lavaan syntax with an asterisk (``a1*GOV``, ``c(a1.g1, a1.g2)*GOV``'s ``...)*GOV``)
_SYNTAX_WORD = re.compile(r"[^\s(`]*\*[^\s,;:`]*")


def syntax_spans(text: str) -> str:
    """``text`` (a warning) with each word of lavaan syntax that holds an asterisk as a code span, so that no
    writer reads its ``*`` as italics; the code spans ``text`` already has are kept.

    >>> syntax_spans("a label written once (e.g. a1*GOV) ... c(a1.g1, a1.g2, ...)*GOV, see `fit --print-model`")
    'a label written once (e.g. `a1*GOV`) ... c(a1.g1, a1.g2, `...)*GOV`, see `fit --print-model`'
    >>> _plain(syntax_spans("e.g. a1*GOV and b*x"))
    'e.g. a1*GOV and b*x'
    """
    def span(m: re.Match) -> str:
        word = m.group(0)
        core = word.rstrip(").")                 # "(e.g. a1*GOV)." : the closing bracket and stop stay outside
        return code_span(core) + word[len(core):]

    return "".join(f"`{p}`" if k % 2 else _SYNTAX_WORD.sub(span, p) for k, p in enumerate(CODE.split(str(text))))


def _std_measurement(est: pd.DataFrame) -> pd.DataFrame:
    """The measurement part in the completely standardized metric: loadings = std.all, factor variances 1,
    factor covariances = the latent correlations (:func:`latent_correlations`, lavaan's cor.lv), residual
    variances = std.all and residual covariances in the items' total-variance metric (lavaan's std.all of a
    residual covariance is a residual correlation, cov.std = TRUE: times the square roots of the two std.all
    residual variances).  Its composite reliability is semTools' ``compRelSEM(obs.var = FALSE)`` of the
    standardized solution, (Σβ)² over the sum of the model-implied correlations of the factor's items (the
    tables' CR; their AVE is semTools' ``AVE`` of the fit itself, :func:`fit_ave`).

    >>> est = pd.DataFrame({"lhs": ["F", "F", "G", "G", "F", "G", "F", "a", "b", "a"], "op": ["=~"] * 4 + ["~~"] * 6,
    ...                     "rhs": ["a", "b", "b", "c", "F", "G", "G", "a", "b", "b"],
    ...                     "std.all": [.8, .5, .4, .7, 1, 1, .5, .36, .25, .2]})
    >>> _std_measurement(est).query("op == '~~' and lhs != rhs")[["lhs", "rhs", "est"]].round(3).values.tolist()
    [['F', 'G', 0.5], ['a', 'b', 0.06]]

    A second-order factor g =~ F + G: F and G keep variance 1 and their correlation through g (.8 × .6); g's
    loadings are not item loadings:

    >>> ho = pd.DataFrame({"lhs": ["F", "G", "g", "g", "g", "F", "G"], "op": ["=~"] * 4 + ["~~"] * 3,
    ...                    "rhs": ["a", "b", "F", "G", "g", "F", "G"], "std.all": [.8, .8, .8, .6, 1, .36, .64]})
    >>> _std_measurement(ho).query("op == '=~' or lhs == 'F'")[["lhs", "op", "rhs", "est"]].round(3).values.tolist()
    [['F', '=~', 'a', 0.8], ['G', '=~', 'b', 0.8], ['F', '~~', 'F', 1.0], ['F', '~~', 'G', 0.48], ['F', '~~', 'g', 0.8]]
    """
    lam = est[est["op"] == "=~"]
    facs = list(dict.fromkeys(lam["lhs"]))
    items = set(lam["rhs"]) - set(facs)
    # a higher-order loading (g =~ F) is not a loading of an item: F's correlations with the others (cor.lv)
    # already count g, and F's variance is 1 in this metric
    lam = lam[lam["rhs"].isin(items)]
    rows = [{"lhs": a, "op": "=~", "rhs": b, "est": float(s)} for a, b, s in zip(lam["lhs"], lam["rhs"], lam["std.all"])]
    rows += [{"lhs": f, "op": "~~", "rhs": f, "est": 1.0} for f in facs]
    cor = latent_correlations(est)
    rows += [{"lhs": f, "op": "~~", "rhs": g, "est": float(cor.loc[f, g])} for k, f in enumerate(facs) for g in facs[k + 1:]]
    res = total_scale_std(est[(est["op"] == "~~") & est["lhs"].isin(items) & est["rhs"].isin(items)])
    rows += [{"lhs": a, "op": "~~", "rhs": b, "est": float(v)} for a, b, v in zip(res["lhs"], res["rhs"], res["est"])]
    return pd.DataFrame(rows)


def _cross_loading(est: pd.DataFrame) -> dict[str, list[str]]:
    """Item -> the factors it loads on, for items loading on more than one factor."""
    lam = est[est["op"] == "=~"]
    on = {i: list(dict.fromkeys(lam.loc[lam["rhs"] == i, "lhs"])) for i in dict.fromkeys(lam["rhs"])}
    return {i: f for i, f in on.items() if len(f) > 1}


def _cross_loading_note(est: pd.DataFrame, what: str) -> str:
    """Why ``what`` is — for constructs with a cross-loading indicator ("" when there is none)."""
    xl = _cross_loading(est)
    if not xl:
        return ""
    facs = list(dict.fromkeys(f for fs in xl.values() for f in fs))
    items = "; ".join(f"{i} on {', '.join(fs)}" for i, fs in xl.items())
    return (f" {what} of {', '.join(facs)}: — (cross-loading item: {items}; an item's explained variance is not due "
            "to one construct alone, so AVE is not defined, as semTools' AVE() gives NA).")


class FitMoments:
    """lavaan's ``lavInspect(fit, "sampstat")`` covariance of each group of the fit behind a results.json (the
    denominator of semTools' ``compRelSEM``): the sample covariance (divisor N) of the rows the fit used, or
    under FIML (``missing = "ml"``) the EM estimate of the saturated (h1) covariance of all the model's
    observed variables.  results.json stores them (``sampstat``, written by ``fit``); a results.json written
    before it did has them rebuilt by refitting its recorded call (data file, syntax, options) with our engine;
    the refit must reproduce results.json (n, estimates, SEs: :mod:`iur_survey.replication.pack`), else there
    are no moments and ``reason`` says why.

    ``cov``: group label ("" for a one-group fit) -> DataFrame, or None; ``reason``: why None; ``ordered``: the
    fit treats its items as ordered categories (then ``cov`` holds lavaan's sampstat of such a fit, the
    polychoric correlations, which semTools' categorical ω divides by).
    """

    def __init__(self, cov: dict[str, pd.DataFrame] | None, reason: str | None = None, *, ordered: bool = False):
        self.cov = cov
        self.reason = reason
        self.ordered = ordered

    @classmethod
    def of(cls, results: Mapping, data_path: str | Path | None = None) -> "FitMoments":
        opts = ((results.get("call") or {}).get("options") or {})
        ordered = bool(opts.get("ordered") or results.get("ordered")
                       or str(results.get("estimator", "")).upper() in ("WLSMV", "DWLS"))
        stored = results.get("sampstat")
        if isinstance(stored, Mapping) and stored:
            return cls({str(g): pd.DataFrame(np.asarray(v["cov"], dtype=float), index=v["names"], columns=v["names"])
                        for g, v in stored.items()}, ordered=ordered)
        from ..replication.pack import check_consistent, refit, resolve_call
        try:
            call = resolve_call(results, results.get("_path"), data=data_path)
            res, _ = refit(call)
            check_consistent(res, results, call, results.get("_path"))
        except (IURSurveyError, OSError, ValueError, KeyError) as exc:
            return cls(None, f"the fit's sample moments could not be rebuilt ({exc})", ordered=ordered)
        labels = list(res.partable.group_labels) if res.partable.ngroups > 1 else [""]
        return cls({g: res.sample_statistics(k)["cov"] for k, g in enumerate(labels)}, ordered=ordered)


def fit_ave(est: pd.DataFrame, cov: pd.DataFrame | None = None, *, ordered: bool = False) -> pd.Series:
    """semTools' ``AVE(fit)`` of one group's estimates, by :func:`~iur_survey.measure.ave` (the one AVE of the
    package, also the book's): Σλ²·var(η) over the sum of the items' variances in ``cov``, lavaan's sampstat
    (semTools' default obs.var = TRUE; under FIML the EM estimate of the saturated model).  Ordered items
    (``ordered``): semTools divides the polychoric sampstat by the latent responses' scales, whose diagonal is
    then their model-implied variances, so without ``cov`` :func:`~iur_survey.measure.ave` takes those
    (obs.var = FALSE: the same number; with continuous items too, ``cov`` gives theirs).  NaN for every factor
    when neither applies (no sample moments: the caller says why; or the model-implied variances cannot be
    built: ``attrs["reason"]`` says why), and for a factor with a cross-loading item (semTools: NA).

    >>> est = pd.DataFrame({"lhs": ["F", "F", "a", "b", "F"], "op": ["=~", "=~", "~~", "~~", "~~"],
    ...                     "rhs": ["a", "b", "a", "b", "F"], "est": [1.0, 1.0, 0.5, 1.0, 1.0]})
    >>> S = pd.DataFrame([[1.4, 1.0], [1.0, 1.6]], index=["a", "b"], columns=["a", "b"])
    >>> fit_ave(est, S).round(4).to_dict()                   # (1 + 1) / (1.4 + 1.6): sample variances
    {'F': 0.6667}
    >>> fit_ave(est, ordered=True).round(4).to_dict()        # (1 + 1) / (1.5 + 2): model-implied
    {'F': 0.5714}
    >>> bool(fit_ave(est).isna().all())           # no sample moments: NaN, never obs.var = FALSE
    True
    """
    est = est.drop(columns=["group"], errors="ignore")
    facs = list(dict.fromkeys(est.loc[est["op"] == "=~", "lhs"]))
    out = pd.Series(math.nan, index=facs, dtype=float)
    if cov is None and not ordered:
        return out
    try:
        with warnings.catch_warnings():     # an improper construct: its callers blank it and say so in a note
            warnings.filterwarnings("ignore", message=IMPROPER_WARNING)
            out.update(ave(est, cov)["ave"])
    except (ValueError, KeyError) as exc:
        out.attrs["reason"] = ("the latent responses' model-implied variances cannot be built (a factor regressed on "
                               "an observed variable) and the fit's polychoric correlations are not at hand"
                               if ordered and "regressed on an observed" in str(exc) else str(exc).strip("'\""))
    return out


def observed_constructs(cmap: Mapping[str, Sequence[str]], data: pd.DataFrame | None) -> tuple[dict, list[str]]:
    """The constructs whose items are all columns of ``data`` (what alpha and HTMT can use), and the others: a
    higher-order factor (measured by factors) or a latent interaction (its product indicators are made by the
    fit), which have no items in the data.

    >>> observed_constructs({"F": ["a", "b"], "g": ["F", "G"]}, pd.DataFrame(columns=["a", "b"]))
    ({'F': ['a', 'b']}, ['g'])
    """
    cols = set(data.columns) if data is not None else set()
    keep = {f: list(v) for f, v in cmap.items() if all(i in cols for i in v)}
    return keep, [f for f in cmap if f not in keep]


def higher_order_factors(cmap: Mapping[str, Sequence[str]]) -> list[str]:
    """The factors measured by factors only (``g =~ F1 + F2 + F3``).

    >>> higher_order_factors({"F": ["a", "b"], "G": ["c", "d"], "g": ["F", "G"]})
    ['g']
    """
    return [f for f, v in cmap.items() if v and all(i in cmap for i in v)]


def _no_items_note(left: Sequence[str], what: str) -> str:
    """Why ``what`` is — for constructs without items in the data (:func:`observed_constructs`)."""
    return (f" {what} of {', '.join(left)}: — (indicators that are not columns of the data: factors of a "
            "higher-order factor, or the product indicators of a latent interaction)." if left else "")


def product_blocks(results: Mapping, est: pd.DataFrame | None = None) -> dict[str, dict]:
    """The product factors of a fit's latent interactions (results.json's ``"interaction"``), as a paper names
    them: latent (``A.B``) -> ``{"name": "A × B", "term": "A:B", "items": {product: "a1 × b1"}}``.  The items
    of each product are read from the two factors' loadings in ``est`` (the order the products are made in:
    the focal's items outer, as semTools' indProd), never by splitting the product's name; a product whose
    name is not theirs keeps its name.

    >>> est = pd.DataFrame({"lhs": ["A", "A", "B"], "op": "=~", "rhs": ["a1", "a2", "b1"]})
    >>> r = {"interaction": [{"term": "A:B", "latent": "A.B", "outcome": "Y", "products": ["a1.b1", "a2.b1"]}]}
    >>> product_blocks(r, est)
    {'A.B': {'name': 'A × B', 'term': 'A:B', 'items': {'a1.b1': 'a1 × b1', 'a2.b1': 'a2 × b1'}}}
    """
    out: dict[str, dict] = {}
    for r in results.get("interaction") or []:
        lat = r.get("latent")
        if not lat or lat in out or ":" not in str(r.get("term", "")):
            continue
        a, b = str(r["term"]).split(":", 1)
        prods = list(r.get("products") or [])
        items = {p: p for p in prods}
        if est is not None and len(est):
            lam = est[est["op"] == "=~"]
            ia = list(dict.fromkeys(lam.loc[lam["lhs"] == a, "rhs"]))
            ib = list(dict.fromkeys(lam.loc[lam["lhs"] == b, "rhs"]))
            pairs = [(x, y) for x in ia for y in ib]
            if len(pairs) == len(prods) and all(f"{x}.{y}" == p for (x, y), p in zip(pairs, prods)):
                items = {p: f"{x} × {y}" for (x, y), p in zip(pairs, prods)}
        out[lat] = {"name": f"{a} × {b}", "term": f"{a}:{b}", "items": items}
    return out


def _product_note(blocks: Mapping[str, Mapping], what: str) -> str:
    """The tables' sentence on the product factors of latent interactions (:func:`product_blocks`)."""
    if not blocks:
        return ""
    names = ", ".join(f"{b['name']} ({lat} in results.json)" for lat, b in blocks.items())
    return (f" {names}: the product factor of the latent interaction{'s' if len(blocks) > 1 else ''}, measured by "
            "the products of the centred items of its two factors, each product centred again (double-mean-"
            f"centred product indicators, semTools' indProd); {what}")


def fit_rows(results: Mapping, data: pd.DataFrame | None, est: pd.DataFrame, group: str = ""
             ) -> tuple[pd.DataFrame | None, str]:
    """The rows of ``data`` (one group's) that a fit of ordered items used, the model's observed variables only
    (lavaan's ``lavInspect(fit, "data")``, what semTools' alpha of ordered items takes): under
    ``missing = "listwise"`` the rows complete on them, else (``"pairwise"``) the rows with any of them observed
    (lavaan drops empty rows).  ``(None, why)`` when their number is not the fit's (results.json's ``n``, or the
    group's in ``groups``): never alpha of other rows.

    >>> est = pd.DataFrame({"lhs": ["F", "F"], "op": ["=~", "=~"], "rhs": ["a", "b"]})
    >>> d = pd.DataFrame({"a": [1, 2, None, 3], "b": [2, 2, 3, 1], "id": [1, 2, 3, 4]})
    >>> fit_rows({"n": 3, "missing": "listwise"}, d, est)[0].to_dict("list")
    {'a': [1.0, 2.0, 3.0], 'b': [2, 2, 1]}
    >>> fit_rows({"n": 4, "missing": "listwise"}, d, est)[1][:42]
    'the data file has 3 rows complete on the m'
    """
    if data is None:
        return None, ""
    lat = set(est.loc[est["op"] == "=~", "lhs"])
    names = [c for c in dict.fromkeys(list(est["lhs"]) + list(est["rhs"])) if c in data.columns and c not in lat]
    X = data[names]
    listwise = str(results.get("missing") or "listwise").lower() == "listwise"
    X = X.dropna() if listwise else X[X.notna().any(axis=1)]
    want = (results.get("groups") or {}).get(group) if group and results.get("groups") else results.get("n")
    if want is not None and int(want) != len(X):
        return None, (f"the data file has {len(X)} rows {'complete on' if listwise else 'answering any of'} the "
                      f"model's variables{f' in group {group!r}' if group else ''}, the fit used {int(want)}: not the "
                      "fit's data")
    return X, ""


def alpha_boot_note(B: int, seed: int) -> str:
    """The measurement table's words on α's 95% CI when it is the bootstrapped one (``tables --alpha-boot``).

    >>> alpha_boot_note(1000, 2022)[:61]
    '95% CI: bootstrap percentile interval of α, 1,000 resamples o'
    """
    return (f"95% CI: bootstrap percentile interval of α, {cardinal(B)} resamples of the same complete rows (seed {seed}), "
            "the 2.5th and 97.5th percentiles of their α (psych's alpha(n.iter = B) bootstrapped boundaries)")


def construct_reliability(est: pd.DataFrame, data: pd.DataFrame | None = None,
                          cov: pd.DataFrame | None = None, *, ordered: bool = False, alpha_boot: int | None = None,
                          alpha_seed: Any = None) -> pd.DataFrame:
    """Per factor (rows) of one group's estimates: ``alpha`` (:func:`~iur_survey.measure.cronbach_alpha` of
    ``data``; for a fit of ordered items (``ordered``) ``data`` are the rows the fit used
    (:func:`fit_rows`) and alpha is semTools' ``compRelSEM(fit, tau.eq = TRUE)``, the alpha of the item codes:
    :func:`~iur_survey.measure.composite_reliability` with ``tau_eq=True``), ``omega``
    (:func:`~iur_survey.measure.composite_reliability` with ``cov``, lavaan's sampstat: semTools'
    ``compRelSEM``), ``CR`` (of the completely standardized solution, :func:`_std_measurement`: it
    counts the factor correlations of cross-loading items and the residual covariances) and ``AVE``
    (semTools' ``AVE``, :func:`fit_ave` with ``cov`` and ``ordered``), and ``alpha.lower`` / ``alpha.upper``: the
    95% confidence interval of alpha by Feldt (cronbach_alpha's ``feldt.lower`` / ``feldt.upper``; not for ordered
    items), or with ``alpha_boot=B`` psych's bootstrapped interval (cronbach_alpha's ``boot.lower`` /
    ``boot.upper`` of ``boot=B, seed=alpha_seed``; ``attrs["alpha_boot"]``: B and the seed).  NaN where the input
    is not given; when
    the data refuse alpha (a text cell, a constant item; for ordered items a missing cell in the fit's rows,
    where semTools gives NA) ``attrs["alpha_reason"]`` says why, and ``attrs["omega_error"]`` why ω could not be
    computed from ``cov`` (an item it lacks).

    >>> est = pd.DataFrame({"lhs": ["F", "F", "a", "b", "F"], "op": ["=~", "=~", "~~", "~~", "~~"],
    ...                     "rhs": ["a", "b", "a", "b", "F"], "est": [1.0, 1.0, 0.5, 0.5, 1.0],
    ...                     "std.all": [0.816, 0.816, 0.333, 0.333, 1.0]})
    >>> S = pd.DataFrame([[1.5, 1.0], [1.0, 1.5]], index=["a", "b"], columns=["a", "b"])
    >>> construct_reliability(est, cov=S).round(3).values.tolist()      # omega = 4 / 5, AVE = 2 / 3
    [[0.8, 0.667, nan, 0.8, nan, nan]]
    >>> construct_reliability(est, cov=S.loc[["a"], ["a"]]).attrs["omega_error"]
    "['b'] not in index"
    """
    lam = est[est["op"] == "=~"]
    cmap = {f: list(lam.loc[lam["lhs"] == f, "rhs"]) for f in dict.fromkeys(lam["lhs"])}
    std = _std_measurement(est)
    out = pd.DataFrame(index=list(cmap))
    with warnings.catch_warnings():         # an improper construct: measurement_apa blanks it and says so
        warnings.filterwarnings("ignore", message=IMPROPER_WARNING)
        out["CR"] = composite_reliability(std)["omega"]
    a = fit_ave(est, cov, ordered=ordered)
    out["AVE"] = a
    if a.attrs.get("reason"):
        out.attrs["ave_reason"] = a.attrs["reason"]
    out["alpha"] = math.nan
    out["omega"] = math.nan
    out["alpha.lower"] = out["alpha.upper"] = math.nan
    # alpha of the constructs whose items are data columns (not a higher-order factor, not an interaction)
    observed = observed_constructs(cmap, data)[0]
    if data is not None and observed and ordered:
        try:
            with warnings.catch_warnings(record=True) as said:
                warnings.simplefilter("always")
                out["alpha"] = composite_reliability(est.drop(columns=["group"], errors="ignore"), cov, tau_eq=True,
                                                     data=data)["alpha"]
            for w in said:
                if str(w.message).startswith(MISSING_CODES_WARNING):
                    out.attrs["alpha_reason"] = ("semTools' compRelSEM(tau.eq = TRUE) is NA: the rows the fit used "
                                                 "hold missing cells (missing = \"pairwise\"), and the alpha of the "
                                                 "item codes needs complete rows")
                elif not re.match(IMPROPER_WARNING, str(w.message)) and "opposite signs" not in str(w.message):
                    warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        except (ValueError, KeyError, DataError) as exc:
            out.attrs["alpha_reason"] = str(exc).strip("'\"")
    elif data is not None and observed:
        try:
            ca = cronbach_alpha(data, observed, boot=alpha_boot, seed=alpha_seed)
            out["alpha"] = ca["alpha"]
            if alpha_boot:                  # psych's alpha(n.iter = B) bootstrapped boundaries
                out["alpha.lower"], out["alpha.upper"] = ca["boot.lower"], ca["boot.upper"]
                out.attrs["alpha_boot"] = {"B": ca.attrs["boot"]["B"], "seed": ca.attrs["boot"]["seed"]}
            else:
                out["alpha.lower"], out["alpha.upper"] = ca["feldt.lower"], ca["feldt.upper"]   # psych's "Feldt" row
            out.attrs["alpha_std"] = ca["alpha_std"].to_dict()      # for items on scales of different lengths
        except DataError as exc:
            out.attrs["alpha_reason"] = str(exc)
    if cov is not None:
        try:
            with warnings.catch_warnings(record=True) as said:  # an improper construct: measurement_apa blanks it
                warnings.simplefilter("always")
                e = est.drop(columns=["group"], errors="ignore")
                try:                    # a higher-order factor: semTools' compRelSEM(higher =), continuous items
                    om = composite_reliability(e, cov, higher=higher_order_factors(cmap))["omega"]
                except ValueError:
                    om = composite_reliability(e, cov)["omega"]
                out["omega"] = om
            for w in said:                      # a factor of ordered and continuous items: semTools' NA, say why
                if str(w.message).startswith(MIXED_OMEGA_WARNING):
                    out.attrs["omega_reason"] = str(w.message)[len(MIXED_OMEGA_WARNING):].strip(" :").replace(
                        "; NaN", "")
                elif not re.match(IMPROPER_WARNING, str(w.message)):
                    warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        except (ValueError, KeyError) as exc:     # ω not computed: the note says why (it was blank in silence)
            out.attrs["omega_error"] = str(exc).strip("'\"")
    return out


#: the measurement table's α of a fit with ordered items (semTools' compRelSEM(tau.eq = TRUE), ord.scale = TRUE)
_ORDERED_ALPHA_NOTE = ("α: semTools' compRelSEM(fit, tau.eq = TRUE), Cronbach's alpha of the item codes 1..K of the "
                       "rows the fit used (lavInspect(fit, \"data\"); psych's alpha of them), not the \"ordinal "
                       "alpha\" of the polychoric correlations")
#: ... in the theta parameterization (lavaan's scales are not 1)
_THETA_ALPHA_NOTE = ("; their covariances divided by the items' scales (lavaan's ~*~, theta parameterization), as "
                     "semTools does, so it is not psych's alpha")


def _has_scales(est: pd.DataFrame) -> bool:
    """Whether a fit's ordered items have scales other than 1 (``~*~`` rows; the theta parameterization)."""
    sc = est[(est["op"] == "~*~") & (est["lhs"] == est["rhs"])]
    return bool(len(sc)) and bool((pd.to_numeric(sc["est"], errors="coerce") - 1.0).abs().max() > 1e-12)


#: the measurement table's ω of a fit with ordered items (semTools' compRelSEM default ord.scale = TRUE)
_ORDERED_OMEGA_NOTE = ("ω: semTools' compRelSEM(fit); for ordered items Green and Yang's (2009) categorical ω "
                       "(semTools' omegaCat), the reliability of the sum of the item codes, from the thresholds, "
                       "(Σλ)²·var(η) and the polychoric correlations of lavInspect(fit, \"sampstat\")")


def opposite_sign_note(lam: pd.DataFrame) -> str:
    """The measurement table's sentence on constructs whose items load with opposite signs (a reverse-keyed item
    not recoded): their α, ω and CR sum signed items and are low whatever the items' reliability (the
    warnings of :func:`~iur_survey.measure.cronbach_alpha` / :func:`~iur_survey.measure.composite_reliability`
    went to the terminal only).

    >>> lam = pd.DataFrame({"lhs": ["A", "A", "A", "B", "B"], "rhs": ["a1", "a2", "a3", "b1", "b2"],
    ...                     "est": [1.0, -0.8, 0.9, 1.0, 0.7]})
    >>> opposite_sign_note(lam)[:43]
    ' Items loading with opposite signs: A (a2).'
    """
    parts = []
    for f in dict.fromkeys(lam["lhs"]):
        sub = lam[lam["lhs"] == f]
        v = pd.to_numeric(sub["est"], errors="coerce").to_numpy(dtype=float)
        neg, pos = v < 0, v > 0
        if neg.any() and pos.any():
            minority = neg if neg.sum() <= pos.sum() else pos
            parts.append(f"{f} ({', '.join(str(i) for i, m in zip(sub['rhs'], minority) if m)})")
    if not parts:
        return ""
    return (" Items loading with opposite signs: " + "; ".join(parts) + ". α, ω and CR of such a construct sum "
            "items scored in opposite directions, so they are low whatever the items' reliability (reverse-keyed "
            "items not recoded?); AVE, of squared loadings, is not affected.")


def _ave_note(fiml: bool, ordered: bool) -> str:
    """How the tables' AVE is defined (:func:`fit_ave`), the wording shared by the measurement and the
    discriminant-validity tables."""
    if ordered:
        return ("AVE: semTools' AVE(fit), Σλ²·var(η) over the sum of the latent responses' variances (the "
                "polychoric sampstat divided by lavaan's scales: the model-implied variances; a continuous item's "
                "own variance).")
    return ("AVE: semTools' AVE(fit) (Fornell & Larcker, 1981), Σλ²·var(η) over the sum of the items' variances "
            "from lavInspect(fit, \"sampstat\") (its default obs.var = TRUE"
            + ("; under FIML the EM estimate" if fiml else "") + "), as in the book.")


def _fixed_loadings(lam: pd.DataFrame, blocks: Mapping | None = None) -> str:
    """How the loadings of the measurement table are identified, from the table itself: the fixed ones (no *SE*)
    are each construct's first loading at 1 (lavaan's default, the usual words), or named with their values;
    a construct with no fixed loading is identified by its variance (lavaan's std.lv or ``F ~~ 1*F``).

    >>> lam = pd.DataFrame({"lhs": ["F", "F", "G", "G"], "rhs": ["a", "b", "c", "d"], "est": [1.0, .7, 1.0, .5],
    ...                     "se": [0.0, .1, 0.0, .1]})
    >>> _fixed_loadings(lam)
    'first loading of each construct fixed to 1, no *SE*'
    >>> _fixed_loadings(lam.assign(se=[0.0, 0.0, .1, .1], est=[1.0, .5, .9, .5]))
    'fixed, no *SE*: F =~ a 1.000, F =~ b 0.500; every loading of G free: identified by its variance'
    """
    names = {f: blocks[f]["name"] for f in (blocks or {})}
    fixed = ~(pd.to_numeric(lam["se"], errors="coerce").fillna(0) > 0)
    facs = list(dict.fromkeys(lam["lhs"]))
    firsts = {f: lam.index[lam["lhs"] == f][0] for f in facs}
    if set(lam.index[fixed]) == set(firsts.values()) and all(float(lam.loc[i, "est"]) == 1.0 for i in firsts.values()):
        return "first loading of each construct fixed to 1, no *SE*"
    parts = []
    shown = lam[fixed]
    if len(shown):
        parts.append("fixed, no *SE*: " + ", ".join(f"{names.get(a, a)} =~ {b} {estimate_text(v)}" for a, b, v in
                                                    zip(shown["lhs"], shown["rhs"], shown["est"])))
    free = [names.get(f, f) for f in facs if not fixed[lam["lhs"] == f].any()]
    if free:
        parts.append(f"every loading of {', '.join(free)} free: "
                     + ("identified by its variance" if len(free) == 1 else "each identified by its variance"))
    return "; ".join(parts)


def measurement_apa(results: Mapping, data: pd.DataFrame | None = None, number=None,
                    title: str = "Measurement model: loadings, reliability and convergent validity", *,
                    group: str | None = None, moments: FitMoments | None = None,
                    instrument: str | Path | None = None, alpha_boot: int | None = None,
                    alpha_seed: Any = None) -> APATable:
    """Per item its loading (*b*, *SE*, β); per construct alpha, omega, CR and AVE (first row of the construct).
    alpha's 95% CI is Feldt's, or with ``alpha_boot=B`` psych's bootstrapped one (B resamples of the complete
    rows, seed ``alpha_seed``: :func:`~iur_survey.measure.cronbach_alpha`'s ``boot``); the note says which.

    ``group``: which group of a multi-group fit (default: the first).  alpha needs the data (``data`` or the
    file results.json records, ``call.data``); omega needs the fit's sample moments (``moments``, by default
    :meth:`FitMoments.of` the results: a refit of the recorded call); else "—" and the note says why.
    """
    est = estimates_frame(results)
    groups = _groups(est)
    g0 = groups[0] if group is None else group
    if g0 not in groups:
        raise IURSurveyError(results.get("_path"), f"group {g0!r} is not a group of this fit "
                                                   f"(groups: {', '.join(g for g in groups if g) or 'none'})")
    est = est[est["group"] == g0]
    no_data = ""
    if data is None:
        data, no_data = _data_of(results, instrument)
    data, no_group = _group_data(results, data, g0)
    no_data = no_data or no_group
    if moments is None:
        moments = FitMoments.of(results)
    cov = (moments.cov or {}).get(g0)
    used, rows_reason = data, ""
    if moments.ordered and data is not None:        # semTools' alpha of ordered items: the rows the fit used
        used, rows_reason = fit_rows(results, data, est, g0)
    rel = construct_reliability(est, used, cov, ordered=moments.ordered, alpha_boot=alpha_boot, alpha_seed=alpha_seed)
    if rows_reason:
        rel.attrs["alpha_reason"] = rows_reason
    improper = improper_constructs(est)
    for f in improper:
        if f in rel.index:
            rel.loc[f, ["omega", "CR", "AVE"]] = math.nan
    lam = est[est["op"] == "=~"]
    blocks = product_blocks(results, est)
    for f in blocks:                          # a product factor is no construct: no reliability, no AVE
        if f in rel.index:
            rel.loc[f, ["alpha", "alpha.lower", "alpha.upper", "omega", "CR", "AVE"]] = math.nan
    rows = []
    for f in dict.fromkeys(lam["lhs"]):
        sub = lam[lam["lhs"] == f]
        block = blocks.get(f)
        for k in range(len(sub)):
            fixed = not (float(sub["se"].iloc[k] or 0) > 0)
            item = sub["rhs"].iloc[k]
            rows.append({"Construct": ("" if k else f"{block['name']} (product indicators)" if block else f),
                         "Item": block["items"].get(item, item) if block else item,
                         "*b*": estimate_text(sub["est"].iloc[k]),
                         "*SE*": DASH if fixed else estimate_text(sub["se"].iloc[k]),
                         "β": num(sub["std.all"].iloc[k], 3, False),
                         "α": num(rel.loc[f, "alpha"], 3, False) if k == 0 else "",
                         "95% CI": (ci_text(rel.loc[f, "alpha.lower"], rel.loc[f, "alpha.upper"], 3, False)
                                    if k == 0 and np.isfinite(rel.loc[f, "alpha"]) else ""),
                         "ω": num(rel.loc[f, "omega"], 3, False) if k == 0 else "",
                         "CR": num(rel.loc[f, "CR"], 3, False) if k == 0 else "",
                         "AVE": num(rel.loc[f, "AVE"], 3, False) if k == 0 else ""})
    frame = pd.DataFrame(rows)
    fiml = is_fiml(results.get("missing"))
    note = (f"*b*: unstandardized loading ({_fixed_loadings(lam, blocks)}); β: completely "
            "standardized loading (lavaan's std.all). "
            + (_ORDERED_ALPHA_NOTE + (_THETA_ALPHA_NOTE if _has_scales(est) else "")
               + "; its 95% CI: — (Feldt's interval is computed for Cronbach's alpha of continuous items). "
               if moments.ordered else
               "α: Cronbach's alpha of the rows complete on the construct's items (listwise"
               + ("; with missing cells it is not semTools' compRelSEM(tau.eq = TRUE), which uses the EM moments"
                  if fiml else "") + "); " + (alpha_boot_note(**rel.attrs["alpha_boot"]) if rel.attrs.get("alpha_boot")
                                              else ALPHA_CI_NOTE) + ". ")
            + (_ORDERED_OMEGA_NOTE if moments.ordered else
               "ω: semTools' compRelSEM(fit): (Σλ)²·var(η) over the sum of the items' covariance matrix from "
               "lavInspect(fit, \"sampstat\")"
               + (" (under FIML the EM estimate of the saturated model's covariance, all cases)" if fiml else ""))
            + ". CR: composite reliability of the completely standardized solution, (Σβ)² over the sum of the "
            "model-implied correlations of the construct's items (semTools' compRelSEM(obs.var = FALSE) on the "
            "standardized solution; it counts residual covariances and, for a cross-loading item, the factor "
            "correlations; with neither it is (Σβ)² / ((Σβ)² + Σ(1 − β²))); CR needs no data (and is not "
            "compRelSEM(fit, obs.var = FALSE) of the unstandardized solution, which weighs the items by their "
            "variances: the two differ where the items' variances do). "
            + _ave_note(fiml, moments.ordered)
            + _cross_loading_note(est, "AVE"))
    if improper:
        note += (" ω, CR and AVE of a construct with an improper estimate (lavaan warns; semTools reports them "
                 "without a word): — (" + "; ".join(
            f"{f}: {w}" for f, w in improper.items()) + ").")
    note += opposite_sign_note(lam[~lam["lhs"].isin(list(blocks))])
    if rel.attrs.get("alpha_std"):
        note += mixed_scale_alpha_note(rel.attrs["alpha_std"], {f: list(lam.loc[lam["lhs"] == f, "rhs"]) for f in
                                                               dict.fromkeys(lam["lhs"]) if f not in blocks},
                                       _instrument_of(results, instrument))
    if rel.attrs.get("alpha_reason"):
        note += f" α: — ({rel.attrs['alpha_reason']})."
    elif data is not None:
        note += _no_items_note([f for f in observed_constructs(
            {f: list(lam.loc[lam["lhs"] == f, "rhs"]) for f in dict.fromkeys(lam["lhs"])}, data)[1]
            if f not in blocks], "α")
    note += _product_note(blocks, "its loadings are shown (item a × b: the product of a and b), its α, ω, CR and "
                                  "AVE are not: it measures the interaction term, not a construct of the "
                                  "questionnaire.")
    higher = [f for f in higher_order_factors({f: list(lam.loc[lam["lhs"] == f, "rhs"]) for f in dict.fromkeys(
        lam["lhs"])}) if f in rel.index]
    if higher:
        done = [f for f in higher if np.isfinite(rel.loc[f, "omega"])]
        if done:
            note += (f" ω of {', '.join(done)}: semTools' compRelSEM(fit, higher = ...), the reliability of the sum "
                     "of the first-order factors' items due to the higher-order factor.")
        note += (f" CR and AVE of {', '.join(higher)}: — (a higher-order factor has no items of its own).")
    if data is None:
        note += f" α needs the data: — ({no_data or 'no data of this group'})."
    if cov is None:
        note += f" ω: — ({moments.reason or 'no sample moments of this group'})."
        if not moments.ordered:
            note += " AVE: — (it needs the same sample moments)."
    if rel.attrs.get("omega_reason"):
        note += (f" ω of {rel.attrs['omega_reason']}: — (ordered and continuous items in one construct: "
                 "semTools' compRelSEM gives NA, as neither ω applies to their sum).")
    if rel.attrs.get("ave_reason"):
        note += f" AVE: — ({rel.attrs['ave_reason']})."
    if rel.attrs.get("omega_error"):
        note += f" ω: — (it could not be computed from the sample moments: {rel.attrs['omega_error']})."
    single = [f for f in dict.fromkeys(lam["lhs"]) if f not in blocks and (lam["lhs"] == f).sum() == 1]
    if single:
        note += (f" {', '.join(single)}: one item; α, ω, CR and AVE (and HTMT) need at least two: —.")
    if g0:
        note += f" Group {merged_caption(g0, group_variable(results), groups_merged(results))}."
    note += se_p_note(results, p=False) + _constraints_note(results) + improper_note(est, group_variable(results))
    return APATable(frame, title, number=number, note=note,
                    numeric=("*b*", "*SE*", "β", "α", "95% CI", "ω", "CR", "AVE"))


def _pls_missing_words(pls: Mapping | None) -> str:
    """How the PLS run behind an HTMT treated missing values, for the note (its data are not the CFA's rows):
    :func:`~iur_survey.report.pls_tables.pls_sample_words` in parentheses.

    >>> _pls_missing_words({"n": 510, "missing": "mean", "n_imputed": 140})
    ' (N = 510; 140 missing values replaced by the item mean, as PLS does)'
    >>> _pls_missing_words({"n": 435, "missing": "listwise"})
    ' (N = 435; listwise deletion)'
    >>> _pls_missing_words({})
    ''
    """
    from .pls_tables import pls_sample_words
    words = pls_sample_words(pls)
    return f" ({words})" if words else ""


def _rows_of(rows: tuple) -> str:
    """"57 of 500 " for the HTMT note: the rows the correlations rest on, of all ("" when unknown); counts as a
    note's prose writes them (:func:`~iur_survey.report.format.cardinal`).

    >>> _rows_of((57, 500)), _rows_of((None, None)), _rows_of((7, 9)), _rows_of((7, 1200))
    ('57 of 500 ', '', 'seven of nine ', '7 of 1,200 ')
    """
    k, n = rows
    return "" if k is None or n is None else f"{cardinal(k, among=[n])} of {cardinal(n, among=[k])} "


def discriminant_apa(results: Mapping, data: pd.DataFrame | None = None, pls: Mapping | None = None, number=None,
                     title: str = "Discriminant validity", *, group: str | None = None,
                     moments: FitMoments | None = None, instrument: str | Path | None = None) -> APATable:
    """One row per pair of constructs: their latent correlation (CFA results) against the square roots of
    their AVEs (Fornell-Larcker; AVE as :func:`measurement_apa`, semTools' ``AVE`` by :func:`fit_ave`, so
    ``moments`` as there), and the HTMT with its bootstrap 95% CI (from a pls.json of ``iur-survey pls`` when
    given; the HTMT point value from the data otherwise).  ``group``: which group of a multi-group fit
    (default: the first)."""
    est = estimates_frame(results)
    g0 = _groups(est)[0] if group is None else group
    est = est[est["group"] == g0]
    lam = est[est["op"] == "=~"]
    blocks = product_blocks(results, est)          # a product factor is no construct: left out, said in the note
    lam = lam[~lam["lhs"].isin(list(blocks))]
    cmap = {f: list(lam.loc[lam["lhs"] == f, "rhs"]) for f in dict.fromkeys(lam["lhs"])}
    names = list(cmap)
    no_data = ""
    if data is None:
        data, no_data = _data_of(results, instrument)
    data, no_group = _group_data(results, data, g0)
    no_data = no_data or no_group
    if moments is None:
        moments = FitMoments.of(results)
    cov = (moments.cov or {}).get(g0)
    # Fornell-Larcker: sqrt(AVE) (semTools' AVE, the measurement table's) against the latent correlations
    lc = latent_correlations(est)
    av = fit_ave(est, cov, ordered=moments.ordered)
    improper = improper_constructs(est)
    sq = pd.Series([math.nan if f in improper else math.sqrt(av[f]) if f in av.index else math.nan for f in names],
                   index=names)
    shared = {i: [c for c in names if i in cmap[c]] for i in dict.fromkeys(i for v in cmap.values() for i in v)}
    shared = {i: cs for i, cs in shared.items() if len(cs) > 1}
    ht = {}
    ci = {}
    ht_reason = ""
    ht_rows = (None, None)
    pls_whole = ""             # a pls.json given for a group of a multi-group fit: its HTMT is of the whole sample
    if pls is not None and pls.get("htmt") and len(_groups(estimates_frame(results))) > 1:
        pls_whole = (" The HTMT of the pls.json is of the whole sample" + _pls_missing_words(pls) + ", not of this "
                     "group: not shown here (PLS fits no groups); this column is the group's own, without a CI.")
        pls = None
    if pls is not None and pls.get("htmt"):
        for r in pls["htmt"]:
            key = frozenset((r.get("construct_1") or r.get("lhs"), r.get("construct_2") or r.get("rhs")))
            ht[key] = r.get("htmt", r.get("est"))
            if r.get("ci.lower") is not None:
                ci[key] = (r["ci.lower"], r["ci.upper"])
    elif data is not None and len(observed_constructs(cmap, data)[0]) > 1:
        try:
            h = htmt(data, observed_constructs(cmap, data)[0])
            ht = {frozenset((a, b)): v for a, b, v in zip(h["construct_1"], h["construct_2"], h["htmt"])}
            ht_rows = (h.attrs.get("n_complete"), h.attrs.get("n_rows"))
        except DataError as exc:
            ht_reason = str(exc)
    rows = []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            key = frozenset((a, b))
            r = float(lc.loc[a, b])
            rows.append({"Pair": f"{a} – {b}", "*r*": num(r, 3, False),
                         "√AVE": f"{num(sq[a], 3, False)}, {num(sq[b], 3, False)}",
                         "Fornell–Larcker": fornell_larcker_verdict(r, sq[a], sq[b]),
                         "HTMT": quantity(ht.get(key), "htmt"),
                         "HTMT 95% CI": (f"[{quantity(ci[key][0], 'htmt')}, {quantity(ci[key][1], 'htmt')}]"
                                         if key in ci else DASH)})
    frame = pd.DataFrame(rows)
    note = ("*r*: model-implied latent correlation (lavaan's lavInspect(fit, \"cor.lv\"), from the standardized "
            "solution); √AVE of the two constructs (AVE: semTools' AVE(fit), as in the measurement table); "
            "Fornell–Larcker is met "
            "when |*r*| is below both (\"not computable\" when one of them is unknown). HTMT: heterotrait–monotrait "
            "ratio (Henseler et al., 2015; cut-offs 0.85/0.90; HTMT can exceed 1, so it keeps its leading zero)"
            + ("" if ci else (f": the classic HTMT (htmt2 = FALSE) on the {_rows_of(ht_rows)}rows complete on every item"
                              if shared else
                              f": semTools' htmt(htmt2 = FALSE) on the {_rows_of(ht_rows)}rows complete on every item "
                              "(its default missing = \"listwise\")")) + ".")
    if ht and ht_rows[0] is not None and ht_rows[1] and ht_rows[0] < ht_rows[1] / 2:
        note += (f" Only {cardinal(ht_rows[0], among=[ht_rows[1]])} of the {cardinal(ht_rows[1], among=[ht_rows[0]])} "
                 "rows answer every item: the HTMT rests on a small part "
                 "of the sample (the other columns use every row).")
    if shared and not ci:
        note += (" " + "; ".join(f"{i} is an item of {' and '.join(cs)}" for i, cs in shared.items())
                 + ": its correlation with itself (1) is left out of their heterotrait mean, which HTMT defines over "
                 "pairs of different items; semTools' htmt() refuses such a model.")
    note += _cross_loading_note(est, "AVE, √AVE and Fornell–Larcker")
    note += _product_note(blocks, "left out: discriminant validity concerns the constructs of the questionnaire.")
    if data is not None and not ht_reason and not (pls is not None and pls.get("htmt")):
        note += _no_items_note(observed_constructs(cmap, data)[1], "HTMT")
    if cov is None and not moments.ordered:
        note += (f" √AVE: — and Fornell–Larcker not computable (AVE needs the fit's sample moments: "
                 f"{moments.reason or 'none for this group'}).")
    elif av.attrs.get("reason"):
        note += f" √AVE: — and Fornell–Larcker not computable ({av.attrs['reason']})."
    single = [f for f in names if len(cmap[f]) < 2]
    if single:
        note += f" √AVE of {', '.join(single)}: — (a single item; AVE needs two or more)."
    if improper:
        note += (" √AVE of a construct with an improper estimate: — and Fornell–Larcker not computable ("
                 + "; ".join(f"{f}: {w}" for f, w in improper.items()) + ").")
    if ht and any(v is None or not np.isfinite(float(v)) for v in ht.values()):
        note += " HTMT —: not computable (a construct with a single item has no monotrait correlation)."
    if ht_reason:
        note += f" HTMT: — ({ht_reason})."
    if moments.ordered and ht and not (pls is not None and pls.get("htmt")):
        note += (" With ordered items the HTMT rests on the Pearson correlations of the item codes (semTools' "
                 "htmt() default), not on the polychoric correlations of the fit (htmt(ordered =)).")
    if g0:
        note += f" Group {merged_caption(g0, group_variable(results), groups_merged(results))}."
    note += improper_note(est, group_variable(results))
    if pls_whole:
        note += pls_whole
    elif not ci:
        note += (" HTMT without a confidence interval (no bootstrap of it)"
                 + ("" if ht or ht_reason else f"; the HTMT needs the data: — ({no_data or 'no data of this group'})")
                 + ".")
    else:
        note += " HTMT and its percentile bootstrap 95% CI from the PLS bootstrap" + _pls_missing_words(pls) + "."
    return APATable(frame, title, number=number, note=note,
                    numeric=("*r*", "√AVE", "HTMT", "HTMT 95% CI"))


def _path_namer(blocks: Mapping):
    """How the paths tables name a ``~`` path: ``rhs → lhs``, a product-indicator block (a latent interaction) by
    its name.

    >>> _path_namer({"AB": {"name": "A × B"}})("y", "AB"), _path_namer({})("y", "x")
    ('A × B → y', 'x → y')
    """
    return lambda lhs, rhs: f"{blocks[rhs]['name'] if rhs in blocks else rhs} → {lhs}"


def paths_apa(results: Mapping, number=None, title: str = "Structural paths") -> APATable:
    """The ``~`` rows: path, *b*, *SE*, 95% CI (bootstrap when bootstrapped), β with stars, *p*; multi-group
    results get a Group column."""
    est = estimates_frame(results)
    reg = est[est["op"] == "~"]
    multi = len(_groups(est)) > 1
    blocks = product_blocks(results)
    name = _path_namer(blocks)
    rows = []
    fixed = _fixed_rows(reg)
    for i, r in zip(reg.index, reg.to_dict("records")):
        row = {"Group": group_caption(r["group"], group_variable(results))} if multi else {}
        row.update({"Path": name(r["lhs"], r["rhs"]), "*b*": estimate_text(r["est"]),
                    "*SE*": DASH if fixed[i] else estimate_text(r["se"]),       # fixed by the model: no SE, no CI
                    "95% CI": DASH if fixed[i] else ci_text(r['ci.lower'], r['ci.upper']),
                    "β": num(r["std.all"], 3, False) + stars(r["pvalue"]), "*p*": pval(r["pvalue"])})
        rows.append(row)
    frame = pd.DataFrame(rows)
    note = (f"*b*: unstandardized estimate, its *SE* and {_ci_kind(results)}; β: completely standardized "
            f"(std.all). {STARS_NOTE}" + _r2_note(results, reg)
            + _tiny_note(reg, lambda r: f"{r['rhs']} → {r['lhs']}") + se_p_note(results) + _constraints_note(results)
            + (_equal_paths_note(results, name) if multi else _fixed_paths_note(results, name))
            + improper_note(est, group_variable(results)))
    for r in results.get("interaction") or []:
        if r.get("standardized") is not None:
            where = (f" ({group_caption(r['group'], group_variable(results))})" if r.get("group") is not None
                     else "")
            note += (f" {name(r['outcome'], r['latent'])}{where}: the latent interaction {r['term']} (the product factor "
                     f"{r['latent']}); its β is lavaan's std.all (per SD of the product factor), the standardized "
                     f"interaction of Wen, Marsh and Hau (2010) is {num(r['standardized'], 3, False)}.")
    return APATable(frame, title, number=number, note=note, numeric=("*b*", "*SE*", "95% CI", "β", "*p*"))


def _latent_names(est: pd.DataFrame) -> set[str]:
    """The latent variables of a fit's estimates: the left of its ``=~`` rows."""
    return set(est.loc[est["op"] == "=~", "lhs"].astype(str))


def _threshold_index(rhs: Any) -> int:
    """The k of lavaan's threshold name ``tk`` (``t1``, ``t2``, ...) for ordering them; a name of another form last."""
    m = re.fullmatch(r"t(\d+)", str(rhs))
    return int(m.group(1)) if m else 10 ** 6


def thresholds_apa(results: Mapping, number=None, title: str = "Thresholds of the ordered items",
                   instrument=None) -> APATable | None:
    """The thresholds of the ordered items (lavaan's ``item | t1`` rows of a WLSMV fit): one row per item (per
    group of a multi-group fit), one column per threshold by lavaan's name (t1, t2, ...), each cell the estimate
    and its *SE* in parentheses (no *p*: a threshold is not tested against 0).  None without ordered items.
    ``instrument`` (an :class:`~iur_survey.instrument.Instrument`, optional): with items on scales of their
    own, the note says an empty cell can be a shorter scale and names the items with fewer categories in the
    data than their scale has (without it, every empty cell is read as categories missing from the data).

    >>> est = [{"lhs": "x1", "op": "|", "rhs": t, "est": e, "se": .08, "pvalue": None, "std.all": e}
    ...        for t, e in (("t1", -0.674), ("t2", 0.1), ("t3", 0.7))]
    >>> t = thresholds_apa({"estimates": est, "estimator": "WLSMV"})
    >>> t.frame.to_dict("records")
    [{'Item': 'x1', 't1': '−0.674 (0.080)', 't2': '0.100 (0.080)', 't3': '0.700 (0.080)'}]
    """
    est = estimates_frame(results)
    th = est[est["op"] == "|"]
    if th.empty:
        return None
    var = group_variable(results)
    multi = len(_groups(est)) > 1
    names = sorted(dict.fromkeys(th["rhs"].astype(str)), key=_threshold_index)
    rows: dict[tuple[str, str], dict[str, str]] = {}
    for r in th.to_dict("records"):
        row = rows.setdefault((r["group"], str(r["lhs"])), {
            **({"Group": group_caption(r["group"], var)} if multi else {}), "Item": str(r["lhs"]),
            **{t: "" for t in names}})
        row[str(r["rhs"])] = f"{estimate_text(r['est'])} ({estimate_text(r['se'])})"
    frame = pd.DataFrame(list(rows.values()))
    theta = str(((results.get("call") or {}).get("options") or {}).get("parameterization") or "delta") == "theta"
    note = ("Estimate (*SE*) of each threshold (lavaan's `item | t1`, `| t2`, ...: where the latent response "
            "y* of the item crosses from one category into the next; t1 between its first and second category), "
            + _ystar_scale_note(est, set(th["lhs"].astype(str)), theta, var)
            + (_empty_threshold_note(frame, names, multi, instrument) if (frame[names] == "").to_numpy().any()
               else "")
            + se_p_note(results, p=False) + _constraints_note(results))
    return APATable(frame, title, number=number, note=note, numeric=tuple(names))


def _ystar_scale_note(est: pd.DataFrame, items: set[str], theta: bool, var: str | None = None) -> str:
    """The scale of y* the thresholds are on, said per group where it differs: in the delta parameterization y*
    has variance 1 unless the item's scale factor (lavaan's ``item ~*~ item``, Δ = 1/SD(y*)) is estimated, in
    the theta one the residual variance of y* (``item ~~ item``) is fixed at 1 unless estimated.  lavaan
    estimates them in every group but the first when the thresholds are equal across groups (``--equal
    thresholds``), so "variance 1" is then true of the first group only.  A parameter counts as estimated when
    it has an *SE* above 0 or a value other than 1.

    >>> est = pd.DataFrame({"lhs": ["x1", "x1"], "op": ["~*~", "~*~"], "rhs": ["x1", "x1"], "group": ["a", "b"],
    ...                     "est": [1.0, 0.92], "se": [0.0, 0.13]})
    >>> print(_ystar_scale_note(est, {"x1"}, theta=False))
    on the scale of y* (delta parameterization: y* has variance 1 in a; in b the scale factors Δ of the items (lavaan's `~*~`) are estimated, so y* has variance 1/Δ² there and its thresholds are in those units).
    >>> _ystar_scale_note(est.assign(est=1.0, se=0.0), {"x1"}, theta=False)
    'on the scale of y* (delta parameterization: y* has variance 1).'
    """
    if theta:
        rows = est[(est["op"] == "~~") & (est["lhs"] == est["rhs"]) & est["lhs"].astype(str).isin(items)]
    else:
        rows = est[(est["op"] == "~*~") & est["lhs"].astype(str).isin(items)]
    se = pd.to_numeric(rows["se"], errors="coerce").fillna(0.0) if "se" in rows else pd.Series(0.0, rows.index)
    free = (se > 0) | ((pd.to_numeric(rows["est"], errors="coerce") - 1.0).abs() > 1e-9)
    groups = [g for g in dict.fromkeys(est["group"].astype(str)) if g]
    estimated = [g for g in groups if free[rows["group"].astype(str) == g].any()]
    fixed = [g for g in groups if g not in estimated]
    if not estimated or not fixed:
        return ("theta parameterization (residual variance of y* fixed at 1)." if theta
                else "on the scale of y* (delta parameterization: y* has variance 1).")
    fixed_s = ", ".join(group_caption(g, var) for g in fixed)
    free_s = ", ".join(group_caption(g, var) for g in estimated)
    if theta:
        return (f"theta parameterization (residual variance of y* fixed at 1 in {fixed_s}; in {free_s} it is "
                "estimated (lavaan's `item ~~ item`), and the thresholds are in the units of that group's y*).")
    return (f"on the scale of y* (delta parameterization: y* has variance 1 in {fixed_s}; in {free_s} the scale "
            "factors Δ of the items (lavaan's `~*~`) are estimated, so y* has variance 1/Δ² there and its "
            "thresholds are in those units).")


def _empty_threshold_note(frame: pd.DataFrame, names: Sequence[str], multi: bool, instrument=None) -> str:
    """What an empty cell of the thresholds table means: categories missing from the data, or with items on
    scales of their own (``instrument.mixed_scales``) also a scale with fewer points, naming the items whose
    thresholds are fewer than their scale has (an unanswered category).

    >>> f = pd.DataFrame({"Item": ["a", "b"], "t1": ["x", "x"], "t2": ["x", ""]})
    >>> _empty_threshold_note(f, ["t1", "t2"], False)
    ' An empty cell: the item has no such threshold (fewer categories in the data).'
    """
    if instrument is None or not getattr(instrument, "mixed_scales", False):
        return " An empty cell: the item has no such threshold (fewer categories in the data" + (
            " of that group)." if multi else ").")
    short = []
    for _, row in frame.iterrows():
        item = str(row["Item"])
        if item not in instrument.items or instrument.items[item].continuous:
            continue
        have = int((row[list(names)] != "").sum())
        want = instrument.scale_of(item).n_points - 1
        if have < want:
            where = f" in {row['Group']}" if multi and "Group" in row else ""
            short.append(f"{item}{where} {have} of {want}")
    return (" An empty cell: the item has no such threshold: its scale has fewer points (the scales: "
            f"{instrument.scales_text})"
            + (f", or categories of its scale were not answered{' in that group' if multi else ''} "
               f"(thresholds estimated of those its scale has: {', '.join(short)})" if short else "") + ".")


def residual_covariances_apa(results: Mapping, number=None, title: str = "Residual covariances"
                             ) -> APATable | None:
    """The ``~~`` rows between two different observed variables (a residual covariance of the model: ``x1 ~~
    x4``): *b*, *SE*, 95% CI, *r* (lavaan's std.all of the row: the residual correlation) with stars and *p*;
    a Group column for several groups.  The covariances of exogenous observed covariates that lavaan fixes at
    their sample values (fixed.x: no *SE*) are left out.  None when the model has none.

    >>> row = {"lhs": "x1", "op": "~~", "rhs": "x4", "est": .12, "se": .04, "pvalue": .003, "std.all": .21,
    ...        "ci.lower": .04, "ci.upper": .2}
    >>> t = residual_covariances_apa({"estimates": [row], "estimator": "ML"})
    >>> t.frame.iloc[0].tolist()
    ['x1 ↔ x4', '0.120', '0.040', '[0.040, 0.200]', '.210**', '.003']
    """
    est = estimates_frame(results)
    lat = _latent_names(est)
    cov = est[(est["op"] == "~~") & (est["lhs"] != est["rhs"]) & ~est["lhs"].isin(lat) & ~est["rhs"].isin(lat)]
    # fixed.x: a covariance of two exogenous observed covariates (on the right of `~` only), fixed (no SE)
    exo = set(est.loc[est["op"] == "~", "rhs"].astype(str)) - set(est.loc[est["op"].isin(("~", "=~")), "lhs"]) \
        - set(est.loc[est["op"] == "=~", "rhs"].astype(str))
    cov = cov[[not (a in exo and b in exo and not (_given(se) and float(se) > 0))
               for a, b, se in zip(cov["lhs"].astype(str), cov["rhs"].astype(str), cov["se"])]]
    if cov.empty:
        return None
    var = group_variable(results)
    multi = len(_groups(est)) > 1
    rows = []
    for r in cov.to_dict("records"):
        rows.append({**({"Group": group_caption(r["group"], var)} if multi else {}),
                     "Residual covariance": f"{r['lhs']} ↔ {r['rhs']}", "*b*": estimate_text(r["est"]),
                     "*SE*": estimate_text(r["se"]), "95% CI": ci_text(r.get('ci.lower'), r.get('ci.upper')),
                     "*r*": num(r["std.all"], 3, False) + stars(r["pvalue"]), "*p*": pval(r["pvalue"])})
    frame = pd.DataFrame(rows)
    note = (f"lavaan's `~~` rows between two observed variables: *b*, the covariance of their residuals (what "
            f"the model leaves unexplained of each), its *SE* and {_ci_kind(results)}; *r*: the residual "
            f"correlation (lavaan's std.all of the row). {STARS_NOTE}"
            + _tiny_note(cov, lambda r: f"{r['lhs']} ↔ {r['rhs']}") + se_p_note(results) + _constraints_note(results)
            + improper_note(est, var))
    return APATable(frame, title, number=number, note=note, numeric=("*b*", "*SE*", "95% CI", "*r*", "*p*"))


def _sd_words(at: Any) -> str:
    """A moderator value in its standard deviations as the simple-slopes table names it: "mean", "+1 SD",
    "−1 SD", "+1.5 SD"."""
    at = float(at)
    if at == 0:
        return "mean"
    return ("+" if at > 0 else "−") + f"{abs(at):g} SD"


def _jn_sentence(rec: Mapping, path: str) -> str:
    """The Johnson-Neyman bounds of one latent interaction (results.json's ``interaction[k].johnson_neyman``) in
    words: where the focal slope is significant at its level, in the moderator's units and SDs."""
    jn = rec.get("johnson_neyman") or {}
    mod = str(jn.get("moderator") or rec["term"].split(":")[-1])
    level = float(jn.get("level") or 0.95)
    alpha = num(1 - level, 2, False)
    if jn.get("always_significant") is not None and jn.get("lower") is None:
        return (f" {path}: significant (*p* < {alpha}) at every value of {mod}" if jn["always_significant"]
                else f" {path}: significant (*p* < {alpha}) at no value of {mod}") + " (Johnson–Neyman: no bounds)."
    if jn.get("lower") is None:
        return ""
    inside = bool(jn.get("inside_significant"))
    sd = (f" ({num(jn['lower_sd'], 2)} and {num(jn['upper_sd'], 2)} SD)"
          if jn.get("lower_sd") is not None and jn.get("upper_sd") is not None else "")
    return (f" {path}: significant (*p* < {alpha}) for {mod} {'between' if inside else 'below'} "
            f"{estimate_text(jn['lower'])} and {'' if inside else 'above '}{estimate_text(jn['upper'])}{sd} (Johnson–Neyman "
            "bounds).")


def simple_slopes_apa(results: Mapping, number=None, title: str = "Simple slopes of the latent interactions"
                      ) -> APATable | None:
    """The simple slopes of each latent interaction ``Y ~ A + B + A:B`` (results.json's ``interaction``, as
    ``iur-survey fit`` writes it: semTools' probe2WayMC): the slope of the focal latent A on the outcome at the
    moderator B's mean and ±1 SD, *b*, *SE*, 95% CI, *p*, a Group column for several groups; the
    Johnson-Neyman bounds in the note.  None without an interaction.

    >>> rec = {"term": "A:B", "outcome": "Y", "latent": "A.B",
    ...        "simple_slopes": [{"at": a, "moderator": .6 * a, "slope": .45 + .15 * a, "se": .11, "z": 4.0,
    ...                           "pvalue": 1e-4, "ci.lower": .25 + .15 * a, "ci.upper": .65 + .15 * a}
    ...                          for a in (-1.0, 0.0, 1.0)],
    ...        "johnson_neyman": {"moderator": "B", "sd": .6, "level": .95, "lower": -2.9, "upper": 14.0,
    ...                           "lower_sd": -4.8, "upper_sd": 23.3, "inside_significant": True}}
    >>> t = simple_slopes_apa({"interaction": [rec], "estimates": []})
    >>> t.frame.iloc[0].tolist()
    ['A → Y', 'B −1 SD', '−0.600', '0.300', '0.110', '[0.100, 0.500]', '< .001']
    >>> t.note.split(". ")[-1]
    'A → Y: significant (*p* < .05) for B between −2.900 and 14.000 (−4.80 and 23.30 SD) (Johnson–Neyman bounds).'
    """
    recs = [r for r in results.get("interaction") or [] if isinstance(r, Mapping)]
    if not recs:
        return None
    var = group_variable(results)
    multi = any(r.get("group") is not None for r in recs)
    rows, jn, said = [], "", ""
    for rec in recs:
        focal, mod = (str(rec["term"]).split(":") + [""])[:2]
        path = f"{focal} → {rec['outcome']}"
        where = f" ({group_caption(rec['group'], var)})" if rec.get("group") is not None else ""
        if rec.get("note"):
            said += f" {rec['note']}."
            continue
        for s in rec.get("simple_slopes") or []:
            rows.append({**({"Group": group_caption(rec.get("group"), var)} if multi else {}), "Path": path,
                         "Moderator": f"{mod} {_sd_words(s['at'])}" if mod else _sd_words(s["at"]),
                         "Value": estimate_text(s.get("moderator")), "*b*": estimate_text(s.get("slope")),
                         "*SE*": estimate_text(s.get("se")),
                         "95% CI": ci_text(s.get('ci.lower'), s.get('ci.upper')),
                         "*p*": pval(s.get("pvalue"))})
        jn += _jn_sentence(rec, path + where)
    if not rows and not said:
        return None
    frame = pd.DataFrame(rows)
    note = ("*b*: the slope of the focal latent on the outcome (its units per unit of the focal latent) at the "
            "moderator's mean and one standard deviation (its model-implied SD) below and above; Value: the "
            "moderator there, in its units; *SE*, 95% CI and *p* from the covariance of the two coefficients "
            "(z test; semTools' probe2WayMC).") + jn + said
    return APATable(frame, title, number=number, note=note, numeric=("Value", "*b*", "*SE*", "95% CI", "*p*"))


def _tiny_note(rows: pd.DataFrame, name) -> str:
    """A sentence for the estimates whose *SE* is not zero but prints as 0.000 at 3 decimals (variables on very
    different scales), or whose *b* does so without an *SE* to show its scale, with their values to 2 significant
    digits; "" when there is none.  A *b* near zero beside an *SE* that prints (``0.000 | 0.101``: an effect
    near zero in a group) is no sign of scales: it is reported as it is, without the note.

    >>> reg = pd.DataFrame({"lhs": ["y", "y"], "rhs": ["a", "b"], "est": [0.00041, 0.3], "se": [0.00011, 0.1]})
    >>> _tiny_note(reg, lambda r: f"{r['rhs']} → {r['lhs']}").split(":")[:2]
    [' *b* or *SE* of a → y print as 0.000 but are not zero (a → y', ' b = 4.1e-04, SE = 1.1e-04)']
    >>> _tiny_note(reg.iloc[1:], str), _tiny_note(pd.DataFrame({"lhs": ["y"], "est": [3e-4], "se": [0.101]}), str)
    ('', '')
    """
    tiny = []

    def small(v):
        return _given(v) and v != 0 and abs(float(v)) < 5e-4
    for r in rows.to_dict("records"):
        vals = {k: r.get(c) for k, c in (("b", "est"), ("SE", "se"))}
        se = vals["SE"]
        if small(se) or (small(vals["b"]) and not (_given(se) and se != 0)):
            tiny.append((name(r), ", ".join(f"{k} = {float(v):.1e}" for k, v in vals.items() if _given(v))))
    if not tiny:
        return ""
    return (f" *b* or *SE* of {', '.join(n for n, _ in tiny)} print as 0.000 but are not zero ("
            + "; ".join(f"{n}: {v}" for n, v in tiny) + "): the variables' scales differ by orders of magnitude; "
            "rescale them (e.g. divide by a power of 10) to report them.")


def _r2_note(results: Mapping, reg: pd.DataFrame) -> str:
    """R² of the outcomes of the ``~`` rows (results.json's ``r2``, lavaan's ``lavInspect(fit, "r2")``), per
    group in a multi-group fit; "" when results.json has none.

    >>> reg = pd.DataFrame({"lhs": ["y", "y"], "op": ["~", "~"], "rhs": ["a", "b"], "group": ["", ""]})
    >>> print(_r2_note({"r2": {"x1": 0.5, "y": 0.2534}}, reg))
     R² (lavaan's lavInspect(fit, "r2")): y .253.
    """
    r2 = results.get("r2") or {}
    if not r2 or reg.empty:
        return ""
    outcomes = list(dict.fromkeys(reg["lhs"]))

    def part(vals: Mapping) -> str:
        return ", ".join(f"{v} {num(vals[v], 3, False)}" for v in outcomes if _given(vals.get(v)))

    if all(isinstance(v, Mapping) for v in r2.values()):           # per group
        parts = [f"{group_caption(g, group_variable(results))}: {part(v)}" for g, v in r2.items() if part(v)]
        text = "; ".join(parts)
    else:
        text = part(r2)
    return f" R² (lavaan's lavInspect(fit, \"r2\")): {text}." if text else ""


def _given(v: Any) -> bool:
    """A number results.json gives: neither null nor NaN."""
    return v is not None and not (isinstance(v, float) and math.isnan(v))


def _std_ci(r: Mapping) -> tuple[Any, Any] | None:
    for lo, hi in (("std.all.ci.lower", "std.all.ci.upper"), ("std.ci.lower", "std.ci.upper")):
        if _given(r.get(lo)):
            return r[lo], r[hi]
    return None


def effects_apa(results: Mapping, number=None, title: str | None = None) -> APATable:
    """The ``:=`` rows: estimate, *SE*, 95% CI (bootstrap when bootstrapped), β, standardized 95% CI (results.json's
    ``std.all.ci.lower`` / ``std.all.ci.upper``, lavaan's standardizedSolution() interval of any estimator, or
    the bootstrap of the standardized effects; "—" when it has neither), *p*.  ``title`` None: by what the rows
    are (:func:`effects_title`: "Indirect and total effects", "Defined parameters" for a contrast)."""
    est = estimates_frame(results)
    title = effects_title(est) if title is None else title
    d = est[est["op"] == ":="]
    eg = effect_groups(est) if len(_groups(est)) > 1 else {}
    shared = shared_effects_by_group(est) if eg else {}
    rows, has_std_ci = [], False
    for r in d.to_dict("records"):
        sci = _std_ci(r)
        has_std_ci |= sci is not None
        by = shared.get(str(r["lhs"])) or {}
        rows.append({**({"Group": ALL_GROUPS if len(by) > 1 else
                         group_caption(next(iter(by)) if by else eg.get(str(r["lhs"])), group_variable(results))
                         or DASH}
                        if eg else {}),
                     "Effect": r["lhs"], "Definition": code_span(r["rhs"]),      # code: never the italic rule
                     "*b*": estimate_text(r["est"]), "*SE*": estimate_text(r["se"]),
                     "95% CI": ci_text(r['ci.lower'], r['ci.upper']),
                     "β": num(r["std.all"], 3, False, thousands=True) + stars(r["pvalue"]),
                     "β 95% CI": DASH if sci is None else ci_text(sci[0], sci[1], 3, False),
                     "*p*": pval(r["pvalue"])})
    frame = pd.DataFrame(rows)
    boot = isinstance(results.get("bootstrap"), Mapping) and results.get("bootstrap")
    note = (f"*b*: the defined parameter (lavaan `:=`, as its Definition says), its *SE* and {_ci_kind(results)}"
            + ("" if boot else " (delta method)")
            + f"; β: completely standardized. {STARS_NOTE}" + _tiny_note(d, lambda r: str(r["lhs"])))
    if not has_std_ci:
        note += " β 95% CI: results.json has no interval of the standardized effects (—)."
    elif any(_given(r.get("std.all.ci.lower")) for r in d.to_dict("records")):
        note += (" β 95% CI: lavaan's standardizedSolution() interval of std.all (delta method"
                 + (" on the bootstrap covariance" if boot else "") + ").")
    if eg:
        note += (" Group: the group whose parameters the effect's definition uses (.g1, .g2, ... number the groups "
                 "in the fit's order: " + ", ".join(f"g{k}: {group_caption(g, group_variable(results))}"
                                                 for k, g in enumerate(_groups(est), 1)) + ").")
    note += shared_effects_note(shared, group_variable(results))
    note += se_p_note(results) + _constraints_note(results)
    return APATable(frame, title, number=number, note=note,
                    numeric=("*b*", "*SE*", "95% CI", "β", "β 95% CI", "*p*"))


#: the Group cell of an effect whose labels the groups share (one *b* for every group)
ALL_GROUPS = "all groups"


def shared_effects_note(shared: Mapping[str, Mapping[str, float]], variable: str | None = None) -> str:
    """The note on the β of effects that use a label the groups share (:func:`~iur_survey.sem.mediation.
    shared_effects_by_group`): lavaan standardizes such a label with the first group's parameters.  An effect
    of shared labels only ("all groups") has the first group's β, and the note gives it standardized in each
    group; an effect of one group's labels and a shared one (``a1.g2*b``) has a β that mixes groups, and the
    note gives it standardized within its group.  "" when there is none.

    >>> print(shared_effects_note({"ind": {"2": 0.129, "1": 0.082}}, "sex"))
     All groups: an effect of labels the groups share (written once: one *b* for every group). Its β and β 95% CI are lavaan's standardizedSolution(), which evaluates the definition on the first group's standardized parameters: they are the β of sex = 2 only (the groups' variances differ). The effect standardized in each group: ind: sex = 2 .129, sex = 1 .082.
    >>> print(shared_effects_note({"ind.g2": {"1": 0.125}}, "sex"))
     β of ind.g2: its definition also uses a label the groups share, which lavaan's standardizedSolution() standardizes with the first group's parameters, so β and β 95% CI mix groups; the effect standardized within its group: ind.g2 (sex = 1) .125.
    """
    if not shared:
        return ""
    every = {k: v for k, v in shared.items() if len(v) > 1}
    one = {k: v for k, v in shared.items() if len(v) == 1}
    out = ""
    if every:
        first = group_caption(next(iter(next(iter(every.values())))), variable)
        each = "; ".join(f"{name}: " + ", ".join(f"{group_caption(g, variable)} {num(v, 3, False)}"
                                                 for g, v in by.items()) for name, by in every.items())
        out += (" All groups: an effect of labels the groups share (written once: one *b* for every group). Its β "
                "and β 95% CI are lavaan's standardizedSolution(), which evaluates the definition on the first "
                f"group's standardized parameters: they are the β of {first} only (the groups' variances differ). "
                f"The effect standardized in each group: {each}.")
    if one:
        names = ", ".join(one)
        each = ", ".join(f"{name} ({group_caption(g, variable)}) {num(v, 3, False)}"
                         for name, by in one.items() for g, v in by.items())
        out += (f" β of {names}: {'its definition also uses' if len(one) == 1 else 'their definitions also use'} "
                "a label the groups share, which lavaan's standardizedSolution() standardizes with the first "
                "group's parameters, so β and β 95% CI mix groups; the effect standardized within its group: "
                f"{each}.")
    return out


def effects_title(est: pd.DataFrame) -> str:
    """The title of the ``:=`` table of an estimates frame (:func:`estimates_frame`): what its rows are, read from
    each definition (:func:`~iur_survey.sem.mediation.defined_effects`, :func:`~.sem_tables.defined_title`).

    >>> est = pd.DataFrame({"lhs": ["m", "y", "ind", "diff"], "op": ["~", "~", ":=", ":="],
    ...                     "rhs": ["x", "m", "a*b", "a - b"], "label": ["a", "b", "", ""]})
    >>> effects_title(est), effects_title(est.iloc[:3]), effects_title(est.assign(rhs=["x", "m", "a*b", "pnorm(a)"]))
    ('Indirect effects and other defined parameters', 'Indirect effects', 'Defined parameters')
    """
    try:
        return defined_title(defined_effects(est)["kind"])
    except IURSurveyError:        # a definition the parser does not read: what every row is, without its kind
        return defined_title(["other"])


#: which CFI / RMSEA an invariance block's decisions use (its ``indices``): fit keys, header prefix, note words
_INV_INDICES = {"standard": ("cfi", "rmsea", "", "CFI and RMSEA"),
                "robust": ("cfi.robust", "rmsea.robust", "Robust ",
                           "robust CFI and RMSEA (Brosseau-Liard & Savalei; lavaan's cfi.robust, rmsea.robust)"),
                "scaled": ("cfi.scaled", "rmsea.scaled", "Scaled ",
                           "scaled CFI and RMSEA (lavaan's cfi.scaled, rmsea.scaled)")}


def _cut(step: Mapping, which: str) -> float | None:
    """An invariance step's cut-off for the change of ``which`` (results.json's ``cutoffs``), or ``None``."""
    try:
        return float((step.get("cutoffs") or {})[which])
    except (TypeError, ValueError, KeyError):
        return None


def invariance_apa(results: Mapping, number=None, title: str = "Measurement invariance") -> APATable | None:
    """The invariance steps of ``fit --invariance``: χ², df, CFI, RMSEA, SRMR, Δχ² (Δdf) and *p*, ΔCFI,
    ΔRMSEA, ΔSRMR and the decision.  None when results.json has no invariance block.

    The χ², CFI and RMSEA columns are the statistics the block's tests and decisions use, and their headers
    and the note say which: MLR the scaled χ² (lavaan's chisq.scaled) and robust CFI / RMSEA, WLSMV the
    scaled-shifted χ² and scaled CFI / RMSEA, ML the standard ones.

    >>> r = {"invariance": [{"step": "configural", "fit": {"chisq": 115.9, "chisq.scaled": 115.5, "df": 48,
    ...       "cfi.robust": .925, "rmsea.robust": .096, "srmr": .068}, "decision": "baseline"}],
    ...      "invariance_info": {"estimator": "MLR", "indices": "robust", "lrt_method": "satorra.bentler.2001"}}
    >>> t = invariance_apa(r)
    >>> list(t.frame.columns[1:5]), t.frame.iloc[0, 1]
    (['Scaled χ²', 'df', 'Robust CFI', 'Robust RMSEA'], '115.50')

    What results.json does not record is said, not assumed (an older file without ``estimator`` or
    ``lrt_method``):

    >>> print(invariance_apa({"invariance": r["invariance"], "invariance_info": {}}).note.split(" in results")[0])
    Each step against the one before. χ²: the scaled statistic (lavaan's chisq.scaled); Δχ²: the scaled difference test, lavaan's lavTestLRT (the estimator and the difference test's method are not recorded
    """
    steps = results.get("invariance")
    if not steps:
        return None
    info = results.get("invariance_info") or {}
    # what results.json records, never assumed: an older file may record neither the estimator nor the method
    est = str(info.get("estimator") or "").upper() or None
    lrt_method = info.get("lrt_method") or next((str((s.get("test") or {}).get("method")) for s in steps
                                                 if (s.get("test") or {}).get("method")), None)
    ordinal = est == "WLSMV"
    indices = "scaled" if ordinal else str(info.get("indices") or "standard")
    cfi_k, rmsea_k, prefix, words = _INV_INDICES.get(indices, _INV_INDICES["standard"])
    # the scaled χ² where a step has one (the book's invariance_table reads its frame the same way)
    scaled_chi = any(_given((s.get("fit") or {}).get("chisq.scaled")) for s in steps)
    chi_k, chi_h = ("chisq.scaled", "Scaled χ²") if scaled_chi else ("chisq", "χ²")
    d_cfi, d_rmsea = ("cfi.scaled", "rmsea.scaled") if ordinal else ("cfi", "rmsea")
    from ..sem.invariance import (NOT_REACHED, constrained_note, level_text, lrt_disagreement, models_named,
                                  sequence_decisions)
    # the sequence stops at its first failure (a results.json written before the rule, too)
    decisions = sequence_decisions([str(s.get("step")) for s in steps], [s.get("decision") for s in steps])
    rows, by_group = [], False
    for k, s in enumerate(steps):
        f, t, d = s.get("fit") or {}, s.get("test") or {}, s.get("delta") or {}
        decision = decisions[k] or ("baseline" if k == 0 else DASH)
        rows.append({"Step": s["step"], chi_h: chisq(f.get(chi_k)), "df": num(f.get("df"), 0),
                     f"{prefix}CFI": num(f.get(cfi_k), 3, False), f"{prefix}RMSEA": num(f.get(rmsea_k), 3, False),
                     "SRMR": num(f.get("srmr"), 3, False),
                     "Δχ² (Δdf)": (f"{chisq(t.get('chisq.diff'))} ({num(t.get('df.diff'), 0)})" if t else DASH),
                     "*p*": pval(t.get("pvalue")) if t else DASH,
                     # a change just inside its cut-off is not rounded onto it (the step's cutoffs)
                     f"Δ{prefix}CFI": delta_fit(d.get(d_cfi), cut=_cut(s, "cfi"), low=True) if d else DASH,
                     f"Δ{prefix}RMSEA": delta_fit(d.get(d_rmsea), cut=_cut(s, "rmsea")) if d else DASH,
                     "ΔSRMR": delta_fit(d.get("srmr"), cut=_cut(s, "srmr")) if d else DASH,
                     # what the step left free: group-specific labels, group.partial (--free)
                     "Decision": decision + constrained_note(s.get("constrained"), s.get("group_partial"),
                                                             s.get("group_partial_equivalent"))})
        # each group's part of the step's χ² (lavaan's stat.group), a row per group under the step
        parts = stat_group_of(s.get("stat.group"), chi_k == "chisq.scaled") or {}
        by_group = by_group or bool(parts)
        rows.extend({"Step": f"{s['step']}: {group_caption(g, group_variable(results))}",
                     chi_h: chisq(math.nan if v is None else v)} for g, v in parts.items())
    frame = pd.DataFrame(rows).fillna("")
    if ordinal:
        chi_note = ("χ²: the scaled-shifted statistic (WLSMV, lavaan's chisq.scaled); Δχ²: the scaled-shifted "
                    "difference test of Satorra (2000), lavaan's lavTestLRT")
    elif scaled_chi:
        chi_note = (f"χ²: the {(scaled_test_words(results) if est else None) or 'scaled statistic'} "
                    f"({est + ', ' if est else ''}lavaan's chisq.scaled); Δχ²: the scaled difference test"
                    + (f" ({lrt_method})" if lrt_method else "") + ", lavaan's lavTestLRT")
    else:
        chi_note = ("Δχ²: the χ² difference test"
                    + (f" ({lrt_method})" if lrt_method and lrt_method not in ("default", "standard") else "")
                    + ", lavaan's lavTestLRT")
    unrecorded = [w for w, v in (("the estimator", est), ("the difference test's method", lrt_method or ordinal))
                  if not v]
    if unrecorded:
        chi_note += (f" ({' and '.join(unrecorded)} {'are' if len(unrecorded) > 1 else 'is'} not recorded in "
                     "results.json, written by an earlier version: not stated here)")
    if by_group:
        chi_note += (f"; rows of a group: its part of the step's {chi_h} (lavaan's stat.group; the parts add up to "
                     "it)")
    note = (f"Each step against the one before. {chi_note}. CFI, RMSEA and their changes: {words}; the changes "
            "(later step minus earlier step, with ΔSRMR) are judged by Chen's (2007) cut-offs"
            + (f": {info['cutoffs']}" if info.get("cutoffs") not in (None, "", "Chen (2007)") else "") + ".")
    if ordinal and info.get("parameterization") == "theta":
        note += " Theta parameterization (residual variances of the latent responses, as semTools' measEq.syntax)."
    if info.get("merged"):
        note += (" Groups merged before fitting: "
                 + ", ".join(f"{group_prose(a, info.get('group'))} → {group_prose(b, info.get('group'))}"
                             for a, b in dict(info["merged"]).items()) + ".")
    if info.get("level"):
        note += (" Highest level supported: "
                 + level_text([str(s.get("step")) for s in steps], [s.get("decision") for s in steps], info["level"],
                              {str(s.get("step")): s.get("group_partial") or [] for s in steps})
                 + ".")
    clash = lrt_disagreement([str(s.get("step")) for s in steps], [s.get("decision") for s in steps],
                             [(s.get("test") or {}).get("pvalue") for s in steps])
    if clash:
        note += f" Note that {clash}: the decisions follow the cut-offs above."
    # a configural model that was not evaluated: the steps after it were not fitted (fit_sequence), said so
    unfitted = [str(s.get("step")) for s in steps[1:]] if (
        len(steps) > 1 and decisions[0] == "not evaluated"
        and not any(_given((s.get("fit") or {}).get("chisq")) for s in steps[1:])) else []
    if unfitted:
        note += (f" The {steps[0].get('step')} model, the baseline of the sequence, was not evaluated (it did not "
                 f"fit; the warnings say why), so {models_named(unfitted)} {'were' if len(unfitted) > 1 else 'was'} "
                 "not fitted (—) and not reached.")
    elif any(d.startswith(NOT_REACHED) for d in decisions):
        note += (" The first step not supported ends the sequence (as lavaan / semTools users read it): the steps "
                 "after it are not reached, their fit and changes are shown but not judged.")
    note += _sequence_warnings(results, [str(s.get("step")) for s in steps])
    return APATable(frame, title, number=number, note=note,
                    numeric=tuple(c for c in frame.columns if c not in ("Step", "Decision")))


def _sequence_warnings(results: Mapping, steps: Sequence[str]) -> str:
    """The invariance table's sentence on the warnings of its steps (results.json's
    ``invariance_info.warnings``, e.g. a group with fewer cases than the free parameters of the configural and
    scalar models), as the fit table says the fit's (:func:`paper_warning`: facts, no advice); a warning the fit
    table already says (the same text, with or without its step's name) is not said again.

    >>> r = {"warnings": ["group 'c' of 'g' has 60 cases; consider --merge-groups smallest"],
    ...      "call": {"options": {"group": "g"}},
    ...      "invariance_info": {"warnings": ["group 'c' of 'g' has 60 cases; consider --merge-groups smallest",
    ...          "configural: group 'c' of 'g' has 26 cases for the 30 free parameters of its own: fewer cases "
    ...          "than parameters; merge it with another group, or collect more responses",
    ...          "metric: group 'c' of 'g' has 60 cases; consider --merge-groups smallest"]}}
    >>> _sequence_warnings(r, ["configural", "metric"])
    ' Warnings of the steps: configural: group c has 26 cases for the 30 free parameters of its own: fewer cases than parameters.'
    """
    said = {paper_warning(w, results) for w in results.get("warnings") or []}
    out = []
    for w in (results.get("invariance_info") or {}).get("warnings") or []:
        text = paper_warning(w, results)
        bare = next((text[len(st) + 2:] for st in steps if text.startswith(f"{st}: ")), text)
        if text and text not in said and bare not in said:
            out.append(syntax_spans(text))
    out = list(dict.fromkeys(out))
    return f" Warnings of the steps: {'; '.join(out)}." if out else ""


def paths_by_group_apa(results: Mapping, number=None, title: str = "Structural paths by group") -> APATable | None:
    """*b* and β (with stars) of every ``~`` path, one column per group (named by its label); None for one
    group or a model without ``~`` paths.  The ``:=`` effects are in :func:`effects_apa` (with their group)."""
    est = estimates_frame(results)
    groups = _groups(est)
    if len(groups) < 2:
        return None
    reg = est[est["op"] == "~"]
    if reg.empty:                 # a measurement model: no paths to set side by side
        return None
    var = group_variable(results)
    merged = groups_merged(results)         # a group others were merged into says so ("south (east merged into it)")
    head = {g: merged_caption(g, var, merged) for g in groups}  # "sex = 2", never a bare "2"
    name = _path_namer(product_blocks(results))
    rows = []
    for key in dict.fromkeys(zip(reg["lhs"], reg["rhs"])):
        row = {"Path": name(*key)}
        for g in groups:
            hit = reg[(reg["lhs"] == key[0]) & (reg["rhs"] == key[1]) & (reg["group"] == g)]
            row[head[g]] = DASH if hit.empty else (f"{estimate_text(hit['est'].iloc[0])} "
                                                   f"(β {num(hit['std.all'].iloc[0], 3, False)})"
                                             + stars(hit["pvalue"].iloc[0]))
        rows.append(row)
    frame = pd.DataFrame(rows)
    equal = {name(*k) for k in equal_paths(results)}
    test_note = _group_path_tests_columns(frame, results, list(dict.fromkeys(zip(reg["lhs"], reg["rhs"]))),
                                          equal, name)
    note = f"Unstandardized *b* (β: completely standardized, within group). {STARS_NOTE}"
    note += (_equal_paths_note(results, name) + test_note + _constraints_note(results)
             + improper_note(est, var))
    return APATable(frame, title, number=number, note=note,
                    numeric=tuple(c for c in frame.columns if c != "Path"))


def _group_path_tests_columns(frame: pd.DataFrame, results: Mapping, keys: list, equal: set | frozenset = frozenset(),
                              name=lambda lhs, rhs: f"{rhs} → {lhs}") -> str:
    """Add results.json's ``group_path_tests`` (the Wald test that a path is equal in every group,
    :func:`iur_survey.sem.compare.group_path_tests`) to the paths-by-group ``frame`` as columns, in place; return
    the note's sentence on them ("" when the results hold none: a fit written before they were recorded says so).

    >>> f = pd.DataFrame({"Path": ["GOV → COL"], "a": ["0.3"], "b": ["0.5"]})
    >>> r = {"group_path_tests": {"test": "wald", "se": "standard", "paths": [{"lhs": "COL", "op": "~",
    ...      "rhs": "GOV", "Wald": 4.1, "df": 1, "pvalue": 0.043, "pvalue.holm": 0.043, "note": ""}],
    ...      "joint": {"Wald": 4.1, "df": 1, "pvalue": 0.043, "note": ""}}}
    >>> note = _group_path_tests_columns(f, r, [("COL", "GOV")])
    >>> f.columns.tolist(), f.iloc[0].tolist()[3:]
    (['Path', 'a', 'b', 'Wald χ²(1)', '*p*', '*p* Holm'], ['4.10', '.043', '.043'])

    Every path constrained equal (one label shared by the groups): dashes, and the note says why (no Holm
    adjustment "over the 0 paths tested"), once for all the paths of one reason; ``equal``, the paths the note
    names as held equal (:func:`_equal_paths_note`), are not listed again:

    >>> g = pd.DataFrame({"Path": ["GOV → COL", "MKT → COL"], "a": ["0.3", "0.2"], "b": ["0.3", "0.2"]})
    >>> t = {"group_path_tests": {"paths": [{"lhs": "COL", "op": "~", "rhs": r, "df": 0,
    ...      "note": "constrained equal across groups by the model"} for r in ("GOV", "MKT")]}}
    >>> print(_group_path_tests_columns(g, t, [("COL", "GOV"), ("COL", "MKT")]))
     Not tested (—): GOV → COL, MKT → COL (constrained equal across groups by the model).
    >>> print(_group_path_tests_columns(g, t, [("COL", "GOV"), ("COL", "MKT")], {"GOV → COL", "MKT → COL"}))
     Not tested (—): the paths held equal across groups.
    >>> _group_path_tests_columns(pd.DataFrame({"Path": ["GOV → COL"]}), {}, [("COL", "GOV")])[:45]
    ' No test of the equality of the paths across '
    """
    t = results.get("group_path_tests")
    if not t:
        return (" No test of the equality of the paths across the groups is recorded: a path significant in one "
                "group and not in another does not show that the groups differ.")
    if t.get("error"):
        return f" The equality of the paths across the groups could not be tested: {t['error']}."
    by = {(r["lhs"], r["rhs"]): r for r in t.get("paths") or [] if r.get("op") == "~"}
    rows = [by.get(k) for k in keys]
    dfs = sorted({int(r["df"]) for r in rows if r is not None and r.get("df")})
    one_df = len(dfs) == 1
    wcol = f"Wald χ²({dfs[0]})" if one_df else "Wald χ² (df)"

    def wald(r):
        if r is None or not r.get("df"):
            return DASH
        return chisq(r["Wald"]) if one_df else f"{chisq(r['Wald'])} ({int(r['df'])})"
    frame[wcol] = [wald(r) for r in rows]
    frame["*p*"] = [pval(r["pvalue"]) if r is not None and r.get("df") else DASH for r in rows]
    frame["*p* Holm"] = [pval(r.get("pvalue.holm")) if r is not None and r.get("df") else DASH for r in rows]
    se = {"robust.huber.white": "robust", "robust.sem": "robust", "bootstrap": "bootstrap"}.get(str(t.get("se")), "")
    tested = sum(1 for r in rows if r is not None and r.get("df"))
    n_groups = len(results.get("groups") or {})
    # a label shared by some groups (c(a, a, b)*x) leaves fewer contrasts to test: the df says so, not groups − 1
    fewer = bool(n_groups) and any(d != n_groups - 1 for d in dfs)
    note = (f" Wald χ²: lavaan's lavTestWald that the path is equal in every group (df = groups − 1"
            + (", fewer where a label shared by some groups already holds them equal" if fewer else "")
            + (f", {se} covariance of the estimates" if se else "") + "); *p* Holm: adjusted over the "
            f"{cardinal(tested)} path{'s' if tested != 1 else ''} tested. A path significant in one group "
            "and not in another is no evidence that the groups differ: the Wald test is.") if tested else ""
    untested = [(name(k[0], k[1]), r.get("note") or "not tested") for k, r in zip(keys, rows)
                if r is not None and not r.get("df")]
    if untested:
        why_paths: dict[str, list[str]] = {}
        for path, why in untested:
            why_paths.setdefault("the paths held equal across groups" if path in equal else why, []).append(path)
        note += " Not tested (—): " + "; ".join(
            why if why == "the paths held equal across groups" else f"{', '.join(paths)} ({why})"
            for why, paths in why_paths.items()) + "."
    j = t.get("joint") or {}
    if j.get("df"):
        note += (f" All paths equal at once: Wald χ²({int(j['df'])}) = {chisq(j['Wald'])}, "
                 f"*p* {p_rel(j['pvalue'])}.")
    return note


def _threshold_instrument(results: Mapping, instrument: str | Path | None = None):
    """The instrument of an ordinal fit, for its thresholds table's note (:func:`_instrument_of`); None
    without threshold rows."""
    if not any(e.get("op") == "|" for e in results.get("estimates") or []):
        return None
    return _instrument_of(results, instrument)


def _instrument_of(results: Mapping, instrument: str | Path | None = None):
    """The instrument a fit's data is read with (:func:`fitted_instrument`), for the notes on items with scales
    of their own (thresholds, α of mixed scales); None for the study's own instrument.  A recorded instrument
    that is not there, or cannot be read, is said (:class:`InstrumentUnreadWarning`, naming the file: the notes
    are then written as for one scale), never left out in silence (:func:`_read_instrument`).

    >>> import warnings
    >>> _instrument_of({"call": {"options": {}}}) is None
    True
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     _instrument_of({"call": {"options": {"instrument": "/no/such.yaml"}}}) is None
    ...     print(w[0].category.__name__, str(w[0].message)[:63])
    True
    InstrumentUnreadWarning /no/such.yaml: the instrument results.json records is not there
    """
    return _read_instrument(results, instrument, "the notes on items with scales of their own (thresholds, α of "
                                                 "mixed scales) are written as for one scale", study=False)


def _read_instrument(results: Mapping, instrument: str | Path | None, then: str, study: bool = True):
    """The instrument of a fit (:func:`fitted_instrument`), read; None, with an :class:`InstrumentUnreadWarning`
    naming the file and saying ``then`` (what the tables do without it), when the instrument results.json
    records is not there or the file cannot be read.  Without a recorded instrument: the study's (``study``), or
    None.  The one place the tables read a fit's instrument."""
    from ..instrument import load_instrument
    rec = ((results.get("call") or {}).get("options") or {}).get("instrument")
    path = fitted_instrument(results, instrument)
    if path is None and rec:          # the fit's own instrument moved: what it says is not known, said
        warnings.warn(f"{rec}: the instrument results.json records is not there (moved or deleted): {then}; give "
                      "--instrument", InstrumentUnreadWarning, stacklevel=3)
        return None
    if path is None and not study:
        return None
    try:
        return load_instrument(path)
    except Exception as e:            # a broken instrument: said loudly, naming the file
        name = "the study instrument" if path is None else str(path)
        why = str(e).strip() or type(e).__name__
        why = why if name in why else f"{name}: {why}"
        warnings.warn(f"{why} (the instrument cannot be read: {then})", InstrumentUnreadWarning, stacklevel=3)
        return None


def group_words(results: Sequence[Mapping], instrument: str | Path | None = None) -> dict[str, dict[str, str]]:
    """The wordings the tables show for the fits' group codes, {group variable: {code: wording}}
    (:func:`~iur_survey.report.format.group_wordings`): the instrument's (:func:`fitted_instrument`; the study's
    when the fit records none; :func:`~iur_survey.report.format.instrument_wordings`) where a fit's groups are its
    groups (the fit's group column is the instrument's).  Where the recorded instrument is not there, or cannot
    be read, the codes stay, with a warning naming the file (:class:`InstrumentUnreadWarning`).

    >>> group_words([{"call": {"options": {"group": "role"}}}])["role"]["research_institute"]
    'Research institute'
    >>> group_words([{"call": {"options": {"group": "school"}}}]), group_words([{}])
    ({}, {})
    """
    out: dict[str, dict[str, str]] = {}
    for r in results:
        var = group_variable(r)
        if not var or is_pls(r):
            continue
        inst = _read_instrument(r, instrument, f"the tables show the group codes of {var}, not the instrument's "
                                               "wordings")
        if inst is None:
            continue
        words = instrument_wordings(inst)
        if var in words:
            out.setdefault(var, {}).update(words[var])
    return out


def paper_tables(results: Sequence[Mapping], data: pd.DataFrame | None = None,
                 data_path: str | Path | None = None, instrument: str | Path | None = None, *,
                 alpha_boot: int | None = None, alpha_seed: Any = None) -> list[APATable]:
    """Every table that applies to ``results`` (dicts of results.json; a pls.json adds the HTMT CIs and its own
    tables, :func:`pls_apa`), numbered; groups by the instrument's wordings (:func:`group_words`).
    """
    with group_wordings(group_words(results, instrument)):
        return _paper_tables(results, data, data_path, instrument, alpha_boot=alpha_boot, alpha_seed=alpha_seed)


def _paper_tables(results: Sequence[Mapping], data: pd.DataFrame | None = None,
                  data_path: str | Path | None = None, instrument: str | Path | None = None, *,
                  alpha_boot: int | None = None, alpha_seed: Any = None) -> list[APATable]:
    """Every table that applies to ``results`` (dicts of results.json; a pls.json adds the HTMT CIs and its own
    tables, :func:`pls_apa`), numbered.
    A fit that did not converge is refused (:class:`NotConvergedError`), whichever of the inputs it is.
    ``data_path``: the fitted data file when it moved (for ω's sample moments; ``data`` its contents).
    ``instrument``: the instrument the recorded data file is read with (default: the one the fit records,
    :func:`fitted_instrument`).  ``alpha_boot=B``: the measurement tables' CI of α is psych's bootstrapped
    interval (B resamples, seed ``alpha_seed``) instead of Feldt's."""
    fits = [r for r in results if not is_pls(r)]
    pls = next((r for r in results if is_pls(r)), None)
    if not fits:
        raise IURSurveyError(None, "no results.json of `iur-survey fit` among the inputs")
    for r in fits:
        require_converged(r)
    if data_path is not None:                   # --data: the fitted file, never another one beside the fit's numbers
        for r in fits:
            require_fitted_data(r, data_path)
    if pls is not None:
        for r in fits:
            why = pls_mismatch(pls, r)
            if why:
                raise IURSurveyError(pls.get("_path"), f"not a PLS of the fit {r.get('_path') or ''}: {why} (its HTMT "
                                     "and PLS tables would be of something else; rerun `iur-survey pls` on the "
                                     "fitted data with the fitted model)")
    # one fit: the fit table names its model, not its file (the default results.json read "results")
    labels = model_labels(fits) if len(fits) > 1 else [model_kind(fits[0])]
    out: list[APATable] = [fit_apa(dict(zip(labels, fits)))]
    if [m for m in out[0].frame["Model"] if m in labels] != labels:      # one row per model, never dropped
        raise IURSurveyError(None, f"the fit table lost a model ({len(fits)} results files, labels {labels})")
    main = fits[0]
    moments = FitMoments.of(main, data_path)
    cfa = next((r for r in fits if not any(e["op"] == "~" for e in r["estimates"])), None)
    groups = _groups(estimates_frame(main))          # a multi-group fit: the measurement tables of every group
    if not (estimates_frame(main)["op"] == "=~").any():
        groups = []                                  # a path model (observed variables only): no measurement table
    other_moments = None
    other = cfa or main
    for g in groups:
        def suffix(r: Mapping) -> str:      # which fit (several results files) and which group the table is of
            parts = ([labels[next(k for k, f in enumerate(fits) if f is r)]] if len(fits) > 1 else []) + (
                [f"group {merged_caption(g, group_variable(r), groups_merged(r))}"] if g else [])
            return f" ({', '.join(parts)})" if parts else ""
        out.append(measurement_apa(main, data, moments=moments, group=g or None, instrument=instrument,
                                   alpha_boot=alpha_boot, alpha_seed=alpha_seed,
                                   title="Measurement model: loadings, reliability and convergent validity"
                                   + suffix(main)))
        if other is not main and other_moments is None:
            other_moments = FitMoments.of(other, data_path)
        out.append(discriminant_apa(other, data, pls, title="Discriminant validity" + suffix(other),
                                    group=g if g in _groups(estimates_frame(other)) else None,
                                    moments=moments if other is main else other_moments, instrument=instrument))
    others = [lab for lab, r in zip(labels, fits) if r is not main and r is not other
              and any(e["op"] == "=~" for e in r["estimates"])]
    if others and groups:      # several results files: the measurement table is of the first one only
        out[1].note += (f" Loadings and reliability of {', '.join(others)}: not tabulated here (this table is of "
                        f"{labels[0]}; run `iur-survey tables` on each results file for its own).")
    for lab, r in zip(labels, fits):
        est = estimates_frame(r)
        suffix = f" ({lab})" if len(fits) > 1 else ""
        for t in (thresholds_apa(r, title="Thresholds of the ordered items" + suffix,
                                 instrument=_threshold_instrument(r, instrument)),
                  residual_covariances_apa(r, title="Residual covariances" + suffix)):
            if t is not None:
                out.append(t)
        if (est["op"] == "~").any():
            out.append(paths_apa(r, title="Structural paths" + suffix))
        if (est["op"] == ":=").any():
            out.append(effects_apa(r, title=effects_title(est) + suffix))
        slopes = simple_slopes_apa(r, title="Simple slopes of the latent interactions" + suffix)
        if slopes is not None:
            out.append(slopes)
        for t in (paths_by_group_apa(r, title="Structural paths by group" + suffix),
                  invariance_apa(r, title="Measurement invariance" + suffix)):
            if t is not None:
                out.append(t)
    if pls is not None:
        out.extend(pls_apa(pls))
    for k, t in enumerate(out, 1):
        t.number = k
    return out


def pls_mismatch(pls: Mapping, results: Mapping) -> str:
    """Why a pls.json is not of the fit ``results`` ("" when it is, or cannot be told): another data file (their
    recorded sha256 differ), or a construct measured by other items (its HTMT is of other items).

    >>> fit = {"call": {"data": {"sha256": "ab"}}, "estimates": [
    ...     {"lhs": "F", "op": "=~", "rhs": "a"}, {"lhs": "F", "op": "=~", "rhs": "b"}]}
    >>> pls_mismatch({"call": {"data": {"sha256": "ab"}}, "loadings": [{"construct": "F", "item": "a"},
    ...               {"construct": "F", "item": "b"}]}, fit)
    ''
    >>> print(pls_mismatch({"call": {"data": {"sha256": "cd"}}}, fit))
    fitted to another data file (sha256 cd… against the fit's ab…)
    >>> pls_mismatch({"loadings": [{"construct": "F", "item": "a"}, {"construct": "F", "item": "c"}]}, fit)
    'construct F has items a, c in the pls.json, a, b in the fit'
    """
    a = ((pls.get("call") or {}).get("data") or {}).get("sha256")
    b = ((results.get("call") or {}).get("data") or {}).get("sha256")
    if a and b and a != b:
        return f"fitted to another data file (sha256 {a[:12]}… against the fit's {b[:12]}…)"
    mine: dict[str, list[str]] = {}
    for e in results.get("estimates") or []:
        if e.get("op") == "=~" and str(e.get("group") or "") == str((results.get("estimates") or [{}])[0].get("group")
                                                                      or ""):
            mine.setdefault(str(e["lhs"]), []).append(str(e["rhs"]))
    theirs: dict[str, list[str]] = {}
    for r in pls.get("loadings") or []:
        theirs.setdefault(str(r.get("construct")), []).append(str(r.get("item")))
    for f in mine:
        if f in theirs and sorted(set(mine[f])) != sorted(set(theirs[f])):
            return (f"construct {f} has items {', '.join(sorted(set(theirs[f])))} in the pls.json, "
                    f"{', '.join(sorted(set(mine[f])))} in the fit")
    return ""


def pls_apa(pls: Mapping) -> list[APATable]:
    """The tables of a pls.json of ``iur-survey pls`` (its HTMT joins the discriminant-validity table): the PLS
    reliability and convergent validity, the path coefficients and defined effects with their bootstrap
    statistics, and, when it was run with ``--compare RESULTS.json``, PLS beside that CB-SEM fit.

    >>> pls = {"n": 100, "scheme": "path", "bootstrap": {"n_boot": 200, "seed": 1, "level": 0.95},
    ...        "reliability": [{"construct": "A", "n_items": 3, "alpha": .7, "rho_a": .72, "rho_c": .8, "ave": .57}],
    ...        "paths": [{"lhs": "B", "op": "~", "rhs": "A", "est": .3, "se": .05, "t": 6, "pvalue": 0,
    ...                   "ci.lower": .2, "ci.upper": .4}], "htmt": []}
    >>> [t.title for t in pls_apa(pls)]
    ['PLS-SEM reliability and convergent validity', 'PLS-SEM path coefficients and effects']
    """
    from .pls_tables import pls_comparison_table, pls_paths_table, pls_reliability_table, pls_sample_sentence
    out: list[APATable] = []
    if pls.get("reliability"):
        out.append(pls_reliability_table(pd.DataFrame(pls["reliability"]), pls=pls))
    if pls.get("paths") or pls.get("defined"):
        out.append(pls_paths_table(pls))
    if pls.get("comparison"):
        argv = list((pls.get("call") or {}).get("argv") or [])
        src = argv[argv.index("--compare") + 1] if "--compare" in argv[:-1] else None
        fit = f"the CB-SEM fit {Path(src).name}" if src else "the CB-SEM fit compared"
        cmp = pd.DataFrame(pls["comparison"])
        t = pls_comparison_table(
            cmp, B=(pls.get("bootstrap") or {}).get("n_boot"), cb_model=fit, cb_boot=f"the bootstrap of {fit}",
            cb_test=("its z test of the unstandardized estimate over its *SE* (lavaan's parameterEstimates; the delta "
                     "method for defined effects)"))
        missing = [f"{r['rhs']} → {r['lhs']}" if r["op"] == "~" else str(r["lhs"])
                   for r in cmp.to_dict("records") if r.get("cb_std") is None or pd.isna(r.get("cb_std"))]
        if missing:
            t.note += (f" CB-SEM —: {', '.join(missing)} not in the model of {Path(src).name if src else 'that fit'} "
                       "(its model is not the PLS one).")
        t.note += pls_sample_sentence(pls)
        out.append(t)
    return out


# ----------------------------------------------------------------------------------------------- writers
#: ``*x*`` is italic when x starts and ends with a non-blank (so ``.30***`` and "* p < .05" stay stars)
ITALIC = re.compile(r"\*([^*\s](?:[^*]*[^*\s])?)\*")


def _chunks(text: str) -> list[tuple[str, str]]:
    """``text`` as ``(kind, piece)`` with kind ``"code"`` (a code span's content, verbatim: a lavaan formula
    ``a*b/(c+a*b)``), ``"italic"`` (``*x*``) or ``"text"``; the ``*italic*`` rule is applied only outside the
    code spans.  Every writer renders from these pieces.

    >>> _chunks("*p*: `a*b/(c+a*b)`")
    [('italic', 'p'), ('text', ': '), ('code', 'a*b/(c+a*b)')]
    """
    out = []
    for j, chunk in enumerate(CODE.split(str(text))):
        if j % 2:
            out.append(("code", chunk))
            continue
        out += [("italic" if k % 2 else "text", p) for k, p in enumerate(ITALIC.split(chunk)) if p]
    return out


def _plain(text: str) -> str:
    """``text`` without its Markdown: ``*x*`` and ```x``` as plain x (CSV, Word); a code span verbatim.

    >>> _plain("HTMT from `iur-survey pls`; *p* < .05")
    'HTMT from iur-survey pls; p < .05'
    >>> _plain("`a*b/(c+a*b)`")
    'a*b/(c+a*b)'
    """
    return "".join(p for _, p in _chunks(text))


def _md(text: str) -> str:
    """Markdown: italics kept, code spans kept (verbatim), every other asterisk (significance stars) escaped.

    >>> print(_md("*b* of `ind := a*d*b` .30***"))
    *b* of `ind := a*d*b` .30\\*\\*\\*
    """
    return "".join(f"*{p}*" if kind == "italic" else f"`{p}`" if kind == "code" else p.replace("*", "\\*")
                   for kind, p in _chunks(text))


def to_markdown(tables: Iterable[APATable]) -> str:
    """Pipe tables, "**Table N**", the title in italics and the note (``*x*`` stays markdown italics)."""
    parts = []
    for t in tables:
        cols = list(t.frame.columns)
        lines = [f"**Table {t.number}**" if t.number is not None else "", "", f"*{_plain(t.title)}*", "",
                 "| " + " | ".join(_md(c) for c in cols) + " |",
                 "|" + "|".join("---:" if c in t.numeric else ":---" for c in cols) + "|"]
        for row in t.frame.itertuples(index=False):
            lines.append("| " + " | ".join(_md(v).replace("|", "\\|") for v in row) + " |")
        if t.note:
            lines += ["", f"*Note.* {_md(t.note)}"]
        parts.append("\n".join(lines[0:1] + lines[1:] if lines[0] else lines[2:]))
    return "\n\n".join(parts) + "\n"


_TEX = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{",
        "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "−": "$-$", "→": r"$\rightarrow$",
        "χ": r"$\chi$", "²": r"\textsuperscript{2}", "β": r"$\beta$", "α": r"$\alpha$", "ω": r"$\omega$",
        "Δ": r"$\Delta$", "√": r"$\surd$", "·": r"$\cdot$", "<": r"$<$", ">": r"$>$", "—": "---", "–": "--"}


_TEX_MATH = {"≥": r"\geq", "≤": r"\leq", "±": r"\pm", "×": r"\times", "≈": r"\approx", "≠": r"\neq",
             "∞": r"\infty", "↔": r"\leftrightarrow", "∑": r"\Sigma", "′": r"\prime"}
#: capital Greek letters with a shape of their own in LaTeX; the others are written as the Latin capital
_TEX_CAPITALS = {"Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega"}
_LATIN_CAPITALS = {"Alpha": "A", "Beta": "B", "Epsilon": "E", "Zeta": "Z", "Eta": "H", "Iota": "I", "Kappa": "K",
                   "Mu": "M", "Nu": "N", "Omicron": "O", "Rho": "P", "Tau": "T", "Chi": "X"}


def _tex_char(ch: str) -> str:
    """One character for LaTeX: escaped, or a Greek letter or math sign as math (``λ`` -> ``$\\lambda$``).

    >>> print("".join(_tex_char(c) for c in "λΣη≥&aΑο"))
    $\\lambda$$\\Sigma$$\\eta$$\\geq$\\&aAo
    """
    if ch in _TEX:
        return _TEX[ch]
    if ch in _TEX_MATH:
        return f"${_TEX_MATH[ch]}$"
    if ord(ch) < 128:
        return ch
    name = unicodedata.name(ch, "")
    kind, _, letter = name.partition(" LETTER ")
    letter = letter.split(" ")[0].capitalize()
    letter = {"Lamda": "Lambda", "Final": "Varsigma"}.get(letter, letter)     # Unicode's spellings, LaTeX's names
    if kind == "GREEK SMALL" and letter:
        return "o" if letter == "Omicron" else f"$\\{letter.lower()}$"
    if kind == "GREEK CAPITAL" and letter:
        return f"$\\{letter}$" if letter in _TEX_CAPITALS else _LATIN_CAPITALS.get(letter, ch)
    return ch


def _tex(text: str) -> str:
    r"""``text`` for LaTeX: ``*x*`` as ``\textit``, a code span ```x``` as ``\texttt`` (never a backtick).

    >>> print(_tex("bootstrap of `iur-survey pls` (*p* < .05)"))
    bootstrap of \texttt{iur-survey pls} (\textit{p} $<$ .05)
    """
    out = []
    for kind, p in _chunks(text):
        tex = "".join(_tex_char(ch) for ch in p)
        out.append(r"\texttt{" + tex + "}" if kind == "code" else r"\textit{" + tex + "}" if kind == "italic"
                   else tex.replace("*", r"\textasteriskcentered{}"))
    return "".join(out)


def to_latex(tables: Iterable[APATable]) -> str:
    """booktabs tables (``\\toprule``, ``\\midrule``, ``\\bottomrule``), one ``table`` float each, the note
    under the rule.  Needs ``\\usepackage{booktabs}``, ``\\usepackage{caption}`` (for ``\\caption*``; no
    ``threeparttable``: the note is a plain paragraph) and ``\\usepackage{graphicx}``: each tabular is in
    graphicx's ``\\resizebox``, which shrinks it to the text width when it is wider (a fit-measures or
    invariance table in an article's text block) and leaves a narrower one at its size.  Greek letters and math
    signs are written as math.  Tables with Chinese text say in their header line that they need ``xeCJK`` and
    XeLaTeX (or ``ctexart``).

    >>> t = APATable(pd.DataFrame({"Model": ["A"], "CFI": [".95"]}), "Fit", 1, numeric=("CFI",))
    >>> print(to_latex([t]).split(chr(10))[0])
    % iur-survey tables: \\usepackage{booktabs}, \\usepackage{caption} (\\caption*), \\usepackage{graphicx} (\\resizebox)
    >>> tex = to_latex([t])
    >>> tex.count("resizebox{"), tex.count("ifdim"), "end{tabular}" + chr(10) + "}" in tex
    (1, 1, True)
    """
    out = ["% iur-survey tables: \\usepackage{booktabs}, \\usepackage{caption} (\\caption*), "
           "\\usepackage{graphicx} (\\resizebox)"]
    for t in tables:
        cols = list(t.frame.columns)
        spec = "".join("r" if c in t.numeric else "l" for c in cols)
        out += [r"\begin{table}[htbp]", r"\centering",
                rf"\caption*{{\textbf{{Table {t.number}}}\\ \textit{{{_tex(_plain(t.title))}}}}}"
                if t.number is not None else rf"\caption*{{\textit{{{_tex(_plain(t.title))}}}}}",
                r"\resizebox{\ifdim\width>\linewidth\linewidth\else\width\fi}{!}{%",   # only shrinks a wide one
                rf"\begin{{tabular}}{{{spec}}}", r"\toprule",
                " & ".join(_tex(c) for c in cols) + r" \\", r"\midrule"]
        for row in t.frame.itertuples(index=False):
            out.append(" & ".join(_tex(v) for v in row) + r" \\")
        out += [r"\bottomrule", r"\end{tabular}", "}"]
        if t.note:
            out.append(rf"\par\smallskip\parbox{{\linewidth}}{{\footnotesize\textit{{Note.}} {_tex(t.note)}}}")
        out += [r"\end{table}", ""]
    if _CJK.search("\n".join(out[1:])):     # Chinese group or construct names: pdflatex cannot set them
        out[0] += "; Chinese text: \\usepackage{xeCJK} and XeLaTeX (or \\documentclass{ctexart})"
    return "\n".join(out)


#: CJK characters (Chinese group names, labels) in a LaTeX table need xeCJK / ctex
_CJK = re.compile("[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")


def to_html(tables: Iterable[APATable]) -> str:
    """A standalone HTML page of the tables (the book's APA table style)."""
    css = ("body{font-family:'Times New Roman',serif;max-width:60em;margin:2em auto}"
           "table.apa{border-collapse:collapse;margin:.5em 0}table.apa th,table.apa td{padding:.2em .6em}"
           "table.apa thead tr{border-top:1.5px solid #000;border-bottom:1px solid #000}"
           "table.apa tbody tr:last-child{border-bottom:1.5px solid #000}.num{text-align:right}.nw{white-space:nowrap}"
           "p.apa-table-number,p.apa-table-title{margin:.2em 0}div.apa-table{margin-bottom:2em}")
    body = "\n".join(t._repr_html_() for t in tables)
    return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Tables</title><style>{css}</style></head>"
            f"<body>\n{body}\n</body></html>\n")


def to_csv(tables: Iterable[APATable]) -> str:
    """One CSV: a line "Table N: title", the header, the rows, the note line, a blank line; per table."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for t in tables:
        w.writerow([f"Table {t.number}: {_plain(t.title)}"])
        w.writerow([_plain(c) for c in t.frame.columns])
        for row in t.frame.itertuples(index=False):
            w.writerow([_plain(v) for v in row])
        if t.note:
            w.writerow([f"Note. {_plain(t.note)}"])
        w.writerow([])
    return buf.getvalue()


def _runs(par, text: str, size=None, bold=False, italic=False) -> None:
    """Add ``text`` to a python-docx paragraph, ``*x*`` as italic runs, a code span (a formula) as a plain
    run of its verbatim text."""
    for kind, piece in _chunks(text):
        run = par.add_run(piece)
        run.italic = italic or kind == "italic"
        run.bold = bold
        if size is not None:
            run.font.size = size


def _tight(par, Pt) -> None:
    """Single-spaced table cells without the paragraph spacing of Word's Normal style."""
    f = par.paragraph_format
    f.space_before = Pt(1)
    f.space_after = Pt(1)
    f.line_spacing = 1.0


def _border(cell, **edges) -> None:
    """Set the borders of a table cell (APA: rules above and below the header and under the body only)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    tcPr = cell._tc.get_or_add_tcPr()
    borders = tcPr.find(qn("w:tcBorders"))
    if borders is None:
        borders = OxmlElement("w:tcBorders")
        tcPr.append(borders)
    for edge in ("top", "left", "bottom", "right"):
        el = OxmlElement(f"w:{edge}")
        sz = edges.get(edge)
        el.set(qn("w:val"), "single" if sz else "nil")
        if sz:
            el.set(qn("w:sz"), str(sz))
            el.set(qn("w:space"), "0")
            el.set(qn("w:color"), "000000")
        borders.append(el)


def to_docx(tables: Iterable[APATable], path: str | Path) -> Path:
    """A Word document with one real table per APATable (python-docx): "Table N" bold, the title in italics,
    horizontal rules above and below the header and under the last row only (APA 7), numbers right-aligned,
    and the note line ("*Note.* ...") under the table."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    doc = Document()
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.LANDSCAPE
    sec.page_width, sec.page_height = sec.page_height, sec.page_width
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(sec, side, Cm(2))
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(11)
    first = True
    for t in tables:
        if not first:
            doc.add_paragraph()
        first = False
        if t.number is not None:
            p = doc.add_paragraph()
            p.paragraph_format.keep_with_next = True
            _runs(p, f"Table {t.number}", bold=True)
        p = doc.add_paragraph()
        p.paragraph_format.keep_with_next = True
        _runs(p, _plain(t.title), italic=True)
        cols = list(t.frame.columns)
        tab = doc.add_table(rows=1 + len(t.frame), cols=len(cols))
        tab.alignment = WD_TABLE_ALIGNMENT.CENTER
        n = len(t.frame)
        for j, c in enumerate(cols):
            cell = tab.rows[0].cells[j]
            p = cell.paragraphs[0]
            _tight(p, Pt)
            p.paragraph_format.keep_with_next = True
            _runs(p, c, size=Pt(10))
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if c in t.numeric else WD_ALIGN_PARAGRAPH.LEFT
            _border(cell, top=12, bottom=6 if n else 12)
        for i, row in enumerate(t.frame.itertuples(index=False), 1):
            for j, v in enumerate(row):
                cell = tab.rows[i].cells[j]
                p = cell.paragraphs[0]
                _tight(p, Pt)
                p.paragraph_format.keep_with_next = True      # the table stays on one page when it fits
                _runs(p, v, size=Pt(10))
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if cols[j] in t.numeric else WD_ALIGN_PARAGRAPH.LEFT
                _border(cell, bottom=12 if i == n else None)
        if t.note:
            p = doc.add_paragraph()
            _runs(p, "*Note.* " + t.note, size=Pt(9))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(path)
    return path


def write_tables(tables: Sequence[APATable], path: str | Path, fmt: str | None = None) -> Path:
    """Write ``tables`` to ``path`` as docx, tex, md, csv or html (``fmt`` or the file's extension)."""
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    fmt = {"latex": "tex", "markdown": "md", "htm": "html"}.get(fmt, fmt)
    if not fmt:
        raise IURSurveyError(path, f"no table format: the file name has no extension (name it .{', .'.join(FORMATS)} "
                                   f"or give --format)")
    if fmt not in FORMATS:
        raise IURSurveyError(path, f"unknown table format {fmt!r} (use {', '.join(FORMATS)})")
    if fmt == "docx":
        return to_docx(tables, path)
    text = {"tex": to_latex, "md": to_markdown, "csv": to_csv, "html": to_html}[fmt](tables)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# ----------------------------------------------------------------------------------------------- terminal
def _line_fit(r: Mapping) -> str:
    f = r.get("fit") or {}
    s = (f"chisq = {num(f.get('chisq'), 2)}, df = {num(f.get('df'), 0)}, p = {pval(f.get('pvalue'))}; "
         f"CFI = {num(f.get('cfi'), 3, False)}, TLI = {num(f.get('tli'), 3, False)}, "
         f"RMSEA = {num(f.get('rmsea'), 3, False)} [{num(f.get('rmsea.ci.lower'), 3, False)}, "
         f"{num(f.get('rmsea.ci.upper'), 3, False)}], SRMR = {num(f.get('srmr'), 3, False)}")
    if "chisq.scaled" in f:
        s += (f"\n  scaled: chisq = {num(f.get('chisq.scaled'), 2)}, CFI = {num(f.get('cfi.robust'), 3, False)}, "
              f"TLI = {num(f.get('tli.robust'), 3, False)}, RMSEA = {num(f.get('rmsea.robust'), 3, False)}")
    return s
