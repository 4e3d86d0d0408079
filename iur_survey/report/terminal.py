"""The short human summary ``iur-survey fit`` prints, from its results.json payload (a dict).

Plain Python on purpose: a plain fit imports no pandas (issue 10, start-up); the rows are read as
:func:`iur_survey.report.paper.estimates_frame` reads them (numbers coerced, NaN for a missing cell, group
label or "").  :mod:`iur_survey.report.paper` hands on :func:`terminal_summary`.
"""

from __future__ import annotations

import math
import re
from typing import Any, Mapping

from ..errors import IURSurveyError
from .format import DASH, ci_text, group_caption, num, pval, stars

__all__ = ["terminal_summary", "ci_kind", "group_path_test_lines"]

#: the numeric columns of a results.json estimate (coerced to float, NaN when missing or not a number)
NUMERIC = ("est", "se", "z", "pvalue", "ci.lower", "ci.upper", "std.lv", "std.all")


def ci_kind(results: Mapping) -> str:
    """The kind of CI a results.json holds.

    >>> ci_kind({}), ci_kind({"bootstrap": {"ci": "bca", "B": 500}})
    ('Wald 95% CI', 'bootstrap bca 95% CI (B = 500)')
    >>> ci_kind({"bootstrap": {"ci": "norm", "B": 500}})
    'bootstrap normal (bias-corrected, lavaan norm) 95% CI (B = 500)'
    >>> ci_kind({"bootstrap": {"ci": "percentile", "B": 40, "successful": 23}})
    'bootstrap percentile 95% CI (B = 40, 23 draws used)'
    """
    b = results.get("bootstrap")
    if isinstance(b, Mapping) and b:
        kind = b.get("ci", "percentile")
        kind = {"norm": "normal (bias-corrected, lavaan norm)"}.get(kind, kind)
        ok = b.get("successful")
        used = "" if ok is None or ok == b.get("B") else f", {ok} draws used"
        return f"bootstrap {kind} 95% CI (B = {b.get('B')}{used})"
    return "Wald 95% CI"


#: a per-group label or effect name as group_specific_labels writes it (a1.g1, ind_GOV.g2)
_GROUP_SUFFIX = re.compile(r"\.g\d+$")


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _float(v: Any) -> float:
    if v is None:
        return math.nan
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def estimate_rows(results: Mapping) -> list[dict]:
    """The ``estimates`` of a results.json as rows with every key any row has (missing = NaN / None), the
    numbers as floats, ``group`` its label or "" and ``label`` "" when absent.

    >>> estimate_rows({"estimates": [{"lhs": "y", "op": "~", "rhs": "x", "est": 0.5, "group": None}]})
    [{'lhs': 'y', 'op': '~', 'rhs': 'x', 'est': 0.5, 'group': '', 'label': ''}]
    """
    raw = list(results.get("estimates") or [])
    if not raw:
        raise IURSurveyError(results.get("_path"), "results.json has no estimates")
    keys = list(dict.fromkeys(k for r in raw for k in r))
    rows = []
    for r in raw:
        row = {k: r.get(k) for k in keys}
        row["group"] = "" if _missing(row.get("group")) else str(row["group"])
        for c in NUMERIC:
            if c in row:
                row[c] = _float(row[c])
        row["label"] = "" if _missing(row.get("label")) else row["label"]
        rows.append(row)
    return rows


def _groups(rows: list[dict]) -> list[str]:
    return list(dict.fromkeys(r["group"] for r in rows)) or [""]


def _pad(text: str, width: int) -> str:
    """``text`` cut ("…") or padded to ``width`` terminal columns, a wide (CJK) character counting two.

    >>> [len(_pad("速度 ~ 视觉", 12)), len(_pad("speed ~ visual", 12))]      # 4 wide characters: 8 columns
    [8, 12]
    >>> _pad("a_very_long_name ~ other", 10)
    'a_very_lo…'
    """
    import unicodedata

    def w(c: str) -> int:
        return 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1
    if sum(w(c) for c in text) > width:
        out, used = "", 0
        for c in text:
            if used + w(c) > width - 1:
                break
            out, used = out + c, used + w(c)
        return out + "…" + " " * (width - 1 - used)
    return text + " " * (width - sum(w(c) for c in text))


def terminal_summary(results: Mapping, full: bool = False) -> str:
    """The short human summary ``iur-survey fit`` prints: n, estimator, the fit line, the structural paths and
    ``:=`` effects with their CIs, R².  ``full`` adds every parameter (loadings, variances...) with CIs and
    the standardized solution.

    >>> r = {"n": 50, "estimator": "ML", "missing": "listwise", "converged": True, "fit": {"chisq": 0.0, "df": 0},
    ...      "estimates": [{"lhs": "y", "op": "~", "rhs": "x", "est": 0.5, "se": 0.1, "pvalue": 0.001,
    ...                     "ci.lower": 0.3, "ci.upper": 0.7, "std.all": 0.4}], "r2": {"y": 0.16}}
    >>> print(terminal_summary(r).splitlines()[0])
    fit: n=50 estimator=ML missing=listwise converged; chisq=0.000 df=0 cfi=— tli=— rmsea=— srmr=—

    A multi-group fit with ``--equal`` says what is constrained equal across groups:

    >>> r2 = dict(r, groups={"a": 25, "b": 25}, call={"options": {"group": "g", "group_equal": ["loadings"]}})
    >>> print(terminal_summary(r2).splitlines()[2])
      equal across groups (--equal): loadings

    and with ``--free`` (lavaan's group.partial) names the parameters freed from it:

    >>> r.update(groups={"a": 25, "b": 25}, group_partial=["x3 ~ 1"],
    ...          call={"options": {"group": "g", "group_equal": ["loadings", "intercepts"]}})
    >>> print(terminal_summary(r).splitlines()[2])
      equal across groups (--equal): loadings, intercepts; freed from it (--free, lavaan's group.partial): x3 ~ 1

    and ``full`` marks their rows:

    >>> r["estimates"] = [{"lhs": "x3", "op": "~1", "rhs": "", "group": g, "est": 2.0, "se": 0.1, "pvalue": 0.0,
    ...                    "ci.lower": 1.8, "ci.upper": 2.2, "std.all": 2.1, "group_partial": True} for g in "ab"]
    >>> [ln.split()[:3] for ln in terminal_summary(r, full=True).splitlines() if "x3 ~1" in ln]
    [['x3', '~1', '(freed)'], ['x3', '~1', '(freed)']]
    """
    est = estimate_rows(results)
    groups = results.get("groups")
    var = ((results.get("call") or {}).get("options") or {}).get("group")

    def cap(g) -> str:                  # a numeric group code with its variable: "sex = 2", never a bare "2"
        return group_caption(g, var)
    f = results.get("fit") or {}
    status = "converged" if results.get("converged", True) else "DID NOT CONVERGE"

    def kv(k: str, fmt: str = ".3f") -> str:
        v = f.get(k)
        return f"{k}={DASH if v is None else format(float(v), fmt)}"
    head = (f"fit: n={results.get('n')} estimator={results.get('estimator')} missing={results.get('missing')} "
            f"{status}" + (f" in {float(results['seconds']):.2f}s" if results.get("seconds") is not None else ""))
    plain = " ".join([kv("chisq"), kv("df", ".0f"), kv("cfi"), kv("tli"), kv("rmsea"), kv("srmr")])
    scaled = " ".join([kv("chisq.scaled"), kv("cfi.robust"), kv("rmsea.robust")])
    wlsmv = str(results.get("estimator", "")).upper() == "WLSMV"
    if "chisq.scaled" in f and (wlsmv or f.get("chisq.scaled") is not None):
        # a scaled test is the one to report (MLR, MLM: robust to non-normality; WLSMV: the DWLS statistic is
        # not chi-square distributed for ordinal data), so it comes first, as in the tables' first row
        if f.get("cfi.robust") is None and f.get("cfi.scaled") is not None:
            # lavaan 0.6.14 defines no robust CFI/RMSEA here (e.g. several groups): say so, with the scaled ones
            scaled += (" (robust indices not defined for this fit, lavaan: NA; scaled: "
                       + " ".join([kv("cfi.scaled"), kv("tli.scaled"), kv("rmsea.scaled")]) + ")")
        head += f"; scaled (report): {scaled}; unscaled{' DWLS' if wlsmv else ''}: {plain}"
    else:
        head += "; " + plain
        if "chisq.scaled" in f:         # a scaled test that could not be computed shows as a dash (null)
            head += "; scaled: " + scaled
    if groups:
        head += "\n  groups: " + ", ".join(f"{cap(g)} (n={n})" for g, n in groups.items())
        if len(groups) > 1 and any(_GROUP_SUFFIX.search(str(r.get(k) or "")) for r in est for k in ("label", "lhs")):
            # a1.g1, ind_GOV.g2: the suffix is the group's POSITION (1 = the first group above), not its code
            head += ("\n  label suffixes .g1, .g2, ... number the groups in this order: "
                     + ", ".join(f".g{k}: {cap(g)}" for k, g in enumerate(groups, 1)))
    freed = results.get("group_partial")
    ge = ((results.get("call") or {}).get("options") or {}).get("group_equal") or []
    if groups and (ge or freed):        # the constraints (--equal) and what --free released from them, at the top
        head += f"\n  equal across groups (--equal): {', '.join(ge)}"
        if freed:
            head += f"; freed from it (--free, lavaan's group.partial): {', '.join(map(str, freed))}"
    L = [head]
    ci = ci_kind(results)
    latent = {r["lhs"] for r in est if r["op"] == "=~"}
    # structural: regressions, defined parameters and a higher-order factor's loadings (g =~ F, F a factor)
    show = est if full else [r for r in est if r["op"] in ("~", ":=") or (r["op"] == "=~" and r["rhs"] in latent)]
    if len(show):
        L.append(f"  {'estimates' if full else 'structural paths and effects'} (est, SE, {ci}, std.all, p):")
        multi = len(_groups(show)) > 1
        # each column is as wide as its widest entry (the CI's after a negative bound, a large b), so the columns
        # after it line up
        cis = {id(r): ci_text(r["ci.lower"], r["ci.upper"]) for r in show}
        ciw = max(len(c) for c in cis.values())

        def n3(x):      # the thousands comma of the CI's bounds (ci_text), so est, SE and CI read alike
            return num(x, 3, thousands=True)
        estw = max([7] + [len(n3(r["est"])) for r in show])
        sew = max([6] + [len(n3(r["se"])) for r in show])
        stdw = max([7] + [len(n3(r.get("std.all"))) for r in show])
        for g in _groups(show):
            sub = [r for r in show if r["group"] == g]
            if multi:
                L.append(f"  [{cap(g) or 'defined parameters'}]")
            for r in sub:
                name = (f"{r['lhs']} := {r['rhs']}" if r["op"] == ":=" else f"{r['lhs']} {r['op']} {r['rhs']}")
                if r.get("group_partial") is True:          # freed from --equal by --free (lavaan's group.partial)
                    name = name.rstrip() + " (freed)"
                name = _pad(name, 30)
                L.append(f"    {name} {n3(r['est']):>{estw}} {n3(r['se']):>{sew}} "
                         f"{cis[id(r)]:<{ciw}}"
                         f" {n3(r.get('std.all')):>{stdw}}{stars(r['pvalue']):<3} p {pval(r['pvalue'])}")
        L.extend(shared_effect_lines(show, cap))
    L.extend(group_path_test_lines(results))
    r2 = results.get("r2") or {}
    if r2:
        endogenous = {r["lhs"] for r in est if r["op"] == "~"} | {r["rhs"] for r in est if r["op"] == "=~"
                                                                 and r["rhs"] in latent}
        if groups and all(isinstance(v, Mapping) for v in r2.values()):
            for g, vals in r2.items():
                lat = {k: v for k, v in vals.items() if k in endogenous} or vals
                L.append(f"  R² [{cap(g)}]: " + ", ".join(f"{k} {num(v, 3, False)}" for k, v in lat.items()))
        else:
            lat = {k: v for k, v in r2.items() if k in endogenous}
            items = r2 if full else (lat or r2)
            L.append("  R²: " + ", ".join(f"{k} {num(v, 3, False)}" for k, v in items.items()))
    return "\n".join(L)


def shared_effect_lines(rows: list[dict], cap=str) -> list[str]:
    r"""The terminal's lines on ``:=`` effects whose labels the groups share: their std.all is the first group's
    (lavaan's standardizedSolution()), so each group's is given (:func:`~iur_survey.sem.mediation.
    shared_effects_by_group`); none when there is no such effect.

    >>> rows = [{"lhs": "m", "op": "~", "rhs": "x", "group": g, "label": "a", "std.all": s} for g, s in (("u", .5), ("v", .3))]
    >>> rows += [{"lhs": "y", "op": "~", "rhs": "m", "group": g, "label": "b", "std.all": s} for g, s in (("u", .4), ("v", .2))]
    >>> rows.append({"lhs": "ind", "op": ":=", "rhs": "a*b", "group": "", "label": "ind", "std.all": .2})
    >>> print("\n".join(shared_effect_lines(rows)))
      std.all of an effect of labels the groups share is the first group's (u), as lavaan's standardizedSolution(); in each group:
        ind                            u .200, v .060
    >>> shared_effect_lines([{"lhs": "ind", "op": ":=", "rhs": "a*b", "group": "", "label": "ind", "std.all": .2}])
    []
    """
    if not any(r.get("group") for r in rows):
        return []  # one group: nothing is shared, and a plain fit imports no pandas
    import pandas as pd

    from ..sem.mediation import shared_effects_by_group
    shared = shared_effects_by_group(pd.DataFrame(rows))
    every = {k: v for k, v in shared.items() if len(v) > 1}
    one = {k: v for k, v in shared.items() if len(v) == 1}
    L = []
    if every:
        first = cap(next(iter(next(iter(every.values())))))
        L.append(f"  std.all of an effect of labels the groups share is the first group's ({first}), as lavaan's "
                 "standardizedSolution(); in each group:")
        for name, by in every.items():
            L.append(f"    {_pad(name, 30)} " + ", ".join(f"{cap(g)} {num(v, 3, False)}" for g, v in by.items()))
    if one:
        L.append("  std.all of an effect of one group's labels and a shared one mixes groups (lavaan standardizes the "
                 "shared label in the first group); within its group:")
        for name, by in one.items():
            L.append(f"    {_pad(name, 30)} " + ", ".join(f"{cap(g)} {num(v, 3, False)}" for g, v in by.items()))
    return L


def group_path_test_lines(results: Mapping) -> list[str]:
    r"""The terminal's lines of results.json's ``group_path_tests``: for each structural path, the Wald test that it
    is equal in every group (with the Holm-adjusted *p*), then the joint test; none without the block.

    >>> r = {"group_path_tests": {"test": "wald", "se": "standard", "paths": [
    ...     {"lhs": "COL", "op": "~", "rhs": "MKT", "Wald": 7.93, "df": 3, "pvalue": 0.048, "pvalue.holm": 0.52,
    ...      "note": ""},
    ...     {"lhs": "INT", "op": "~", "rhs": "COL", "Wald": None, "df": 0, "pvalue": None, "pvalue.holm": None,
    ...      "note": "constrained equal across groups by the model"}],
    ...     "joint": {"Wald": 7.93, "df": 3, "pvalue": 0.048, "note": ""}}}
    >>> print("\n".join(group_path_test_lines(r)))
      are the paths equal in every group? (Wald test per path, lavaan's lavTestWald; p Holm: over 1 path)
        COL ~ MKT                      Wald 7.93 df 3 p .048 p Holm .520
        INT ~ COL                      constrained equal across groups by the model
        all paths at once              Wald 7.93 df 3 p .048

    Every path constrained (one label shared by the groups): no test, and no Holm count of zero paths:

    >>> r["group_path_tests"]["paths"] = r["group_path_tests"]["paths"][1:]
    >>> r["group_path_tests"]["joint"] = {"Wald": None, "df": 0, "pvalue": None}
    >>> print("\n".join(group_path_test_lines(r)))
      are the paths equal in every group? no path tested:
        INT ~ COL                      constrained equal across groups by the model
    """
    t = results.get("group_path_tests")
    if not t:
        return []
    if t.get("error"):
        return [f"  are the paths equal in every group? not tested: {t['error']}"]
    paths = t.get("paths") or []
    n = sum(1 for r in paths if r.get("df"))
    L = [f"  are the paths equal in every group? (Wald test per path, lavaan's lavTestWald; p Holm: over {n} "
         f"path{'s' if n != 1 else ''})" if n else "  are the paths equal in every group? no path tested:"]
    for r in paths:
        name = _pad(f"{r['lhs']} {r['op']} {r['rhs']}", 30)
        if r.get("df"):
            L.append(f"    {name} Wald {num(r['Wald'], 2)} df {r['df']} p {pval(r['pvalue'])} "
                     f"p Holm {pval(r.get('pvalue.holm'))}")
        else:
            L.append(f"    {name} {r.get('note') or 'not tested'}")
    j = t.get("joint") or {}
    if j.get("df"):
        L.append(f"    {_pad('all paths at once', 30)} Wald {num(j['Wald'], 2)} df {j['df']} p {pval(j['pvalue'])}")
    return L
