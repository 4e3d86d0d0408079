"""Measurement invariance of ordinal items (Wu & Estabrook 2016) under WLSMV, as lavaan + semTools.

The sequence is semTools' ``measEq.syntax(..., ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016",
parameterization = "delta")`` (or ``"theta"``) fitted by lavaan's ``cfa(..., ordered = ..., estimator =
"WLSMV", parameterization = ...)``:

* **configural**: loadings and thresholds free in every group; item intercepts 0, scales (delta) or residual
  variances (theta) 1, latent means 0 and latent variances 1 in every group;
* **thresholds**: thresholds equal; item intercepts and scales (theta: residual variances) free after the
  first group (a binary item, with one threshold: its intercept only; its scale / residual variance stays 1
  until the intercepts are equal -- Wu & Estabrook's rules for binary items, as semTools' ``measEq.syntax``);
* **thresholds + loadings**: loadings equal too; latent variances free after the first group;
* **thresholds + loadings + intercepts**: item intercepts equal (0); latent means free after the first
  group (the same model as lavaan's ``group.equal = c("thresholds", "loadings")``); the binary items'
  scales (residual variances) free after the first group.  That step is identified when every factor has an
  item of three or more categories (its equal thresholds fix the factor's mean and variance in the later
  groups; the binary scales then follow from the loadings): it is fitted, as lavaan + semTools fit it.  A
  factor measured by binary items only is not identified there (its mean, variance and the binary scales
  trade off): the step is "not evaluated", with the factor named (:func:`binary_only_factors`).

Each step is compared with the one before by lavaan's ``lavTestLRT()`` for WLSMV: the scaled-shifted
difference test of Satorra (2000) (:func:`lrt_satorra2000`; lavaan's ``lav_test_diff_Satorra2000``
with ``A.method = "delta"``, ``scaled.shifted = TRUE``), and by the changes of the scaled CFI and
RMSEA and of the SRMR, judged by Chen's (2007) cut-offs (:func:`iur_survey.sem.invariance.chen_decision`;
the thresholds and thresholds + loadings steps with the metric cut-offs, + intercepts with the scalar
ones; the small-sample set when N <= 300).  ``level`` is the last step of an unbroken run of supported
steps.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from ..errors import EstimationError
from .compare import SATORRA2000_SCALED_SHIFTED, lav_test_diff_satorra2000
from .invariance import (CHEN_2007, CHEN_2007_SMALL, chen_decision, fit_sequence, fixed, group_chisq_lines,
                         group_size_table, level_text, lrt_disagreement, merge_groups, sequence_decisions,
                         sequence_level, skipped_text, step_warnings)
from .parallel import SKIPPED
from .partable import build_partable
from .table import group_text, refuse_personal_group
from .wlsmv_groups import boundary_text, ordinal_groups_fit, ordinal_stats_cache

__all__ = ["WE_STEPS", "WE_LAVAAN_OPTIONS", "we_syntax", "we_lavaan_syntaxes", "item_thresholds", "we_item_free", "free_scales", "lrt_satorra2000", "ordinal_invariance", "OrdinalInvariance"]

#: the steps and their lavaan group.equal
WE_STEPS = {
    "configural": [],
    "thresholds": ["thresholds"],
    "thresholds_loadings": ["thresholds", "loadings"],
    "thresholds_loadings_intercepts": ["thresholds", "loadings", "intercepts"],
}
#: which of Chen's (2007) cut-off sets judges each step
_CHEN_STEP = {"thresholds": "metric", "thresholds_loadings": "metric", "thresholds_loadings_intercepts": "scalar"}


def _refuse_what_the_steps_would_free(pt) -> None:
    """The Wu & Estabrook steps write their own loadings, labels and factor covariances: a loading fixed at a
    value (other than a first loading at 1, the default), a fixed factor covariance or a label of the model would
    be lost, and another model fitted.  Refused in one line instead.

    >>> from iur_survey.sem.partable import build_partable
    >>> _refuse_what_the_steps_would_free(build_partable("F =~ 1*a + b + c"))
    >>> _refuse_what_the_steps_would_free(build_partable("F =~ a + b + 0.5*c"))
    Traceback (most recent call last):
    iur_survey.errors.EstimationError: ordinal invariance: the model's F =~ 0.5*c would be freed by the Wu & Estabrook steps (they write their own loadings, labels and factor covariances); fit the sequence on a model without it
    """
    first: set[str] = set()
    for i in range(len(pt)):
        if pt.group[i] != 1 or pt.op[i] not in ("=~", "~~"):
            continue
        what = None
        if pt.op[i] == "=~":
            is_first = pt.lhs[i] not in first
            first.add(pt.lhs[i])
            if pt.free[i] == 0 and not (is_first and pt.ustart[i] == 1.0):
                what = f"{pt.lhs[i]} =~ {_r_num(pt.ustart[i])}*{pt.rhs[i]}"
        elif pt.lhs[i] != pt.rhs[i] and pt.lhs[i] in pt.lv_names[0] and pt.free[i] == 0 and pt.user[i]:
            what = f"{pt.lhs[i]} ~~ {_r_num(pt.ustart[i])}*{pt.rhs[i]}"
        if pt.label[i] and pt.op[i] in ("=~", "~~"):
            what = f"the label {pt.label[i]} of {pt.lhs[i]} {pt.op[i]} {pt.rhs[i]}"
        if what:
            raise EstimationError(None, f"ordinal invariance: the model's {what} would be freed by the Wu & Estabrook "
                                        "steps (they write their own loadings, labels and factor covariances); fit "
                                        "the sequence on a model without it")


def _r_num(x: float) -> str:
    """A fixed value as lavaan syntax reads it back exactly (``0``, ``0.3``)."""
    return format(float(x), ".17g")


def we_syntax(syntax: str, ngroups: int, group_equal, parameterization: str = "delta",
              free_scale=None, thresholds=None, partial=(), free_int=None) -> str:
    """The engine syntax of a Wu & Estabrook (2016) step (without the thresholds and, in the delta
    parameterization, the scales, which the fit takes as flags); measurement models only (``=~``, factor
    covariances, and the model's residual covariances of items, ``a ~~ b``, free in every group or fixed at
    their value, as semTools' ``measEq.syntax`` keeps them).  In the theta parameterization the items' residual variances are written: 1 in the first
    group, free after it where ``free_scale`` (item -> bool; default: every item when the thresholds are
    equal) says so, as semTools' ``measEq.syntax(..., parameterization = "theta")``.

    ``thresholds`` (item -> its number of thresholds, :func:`item_thresholds`): the complete lavaan syntax of
    the step instead, the model the package fits: also the thresholds (``|``, equal by label or free), the
    scales ``~*~`` (delta), the factor covariances and ``NA*`` on every free loading; lavaan fits it with
    ``lavaan(..., ordered =, parameterization =, estimator = "WLSMV", group =)`` and :data:`WE_LAVAAN_OPTIONS`
    (the same model as semTools' ``measEq.syntax`` fitted by ``cfa()``).

    >>> print(we_syntax("F =~ a + b", 2, ["thresholds", "loadings"]))
    F =~ c(L1_1, L1_1)*a + c(L1_2, L1_2)*b
    a ~ c(0, NA)*1
    b ~ c(0, NA)*1
    F ~ c(0, 0)*1
    F ~~ c(1, NA)*F
    >>> print(we_syntax("F =~ a + b", 2, ["thresholds"], "theta", {"a": True, "b": False}).splitlines()[-2:])
    ['a ~~ c(1, NA)*a', 'b ~~ c(1, 1)*b']
    >>> print(we_syntax("F =~ a + b + c\\nb ~~ 0.5*b", 2, [], "theta").splitlines()[-3:])
    ['a ~~ c(1, 1)*a', 'b ~~ c(0.5, 0.5)*b', 'c ~~ c(1, 1)*c']

    ``partial``: the parameters group.partial frees in this step (keys ``"F=~b"``, ``"b~1"``, ``"b|t2"``,
    :func:`we_partial`): estimated in every group (a loading, a threshold) or after the first (an intercept), as
    semTools' ``measEq.syntax(..., group.partial =)`` writes them.  Which item intercepts are free after the
    first group: ``free_int`` (item -> bool), else with ``thresholds`` given :func:`we_item_free`, else those of
    the items the step holds by their thresholds and not by their intercepts.

    >>> print(we_syntax("F =~ a + b", 2, ["thresholds", "loadings", "intercepts"], partial={"F=~b", "b~1"}))
    F =~ c(L1_1, L1_1)*a + c(NA, NA)*b
    a ~ c(0, 0)*1
    b ~ c(0, NA)*1
    F ~ c(0, NA)*1
    F ~~ c(1, NA)*F
    >>> print(we_syntax("F =~ a + b", 2, ["thresholds", "loadings"], thresholds={"a": 1, "b": 2}))
    F =~ c(NA, NA)*a + c(L1_1, L1_1)*a + c(NA, NA)*b + c(L1_2, L1_2)*b
    a ~ c(0, NA)*1
    b ~ c(0, NA)*1
    F ~ c(0, 0)*1
    F ~~ c(1, NA)*F
    a | c(a.thr1, a.thr1)*t1
    b | c(b.thr1, b.thr1)*t1 + c(b.thr2, b.thr2)*t2
    a ~*~ c(1, 1)*a
    b ~*~ c(1, NA)*b
    """
    pt = build_partable(syntax, ngroups=ngroups, meanstructure=True)
    lv = list(pt.lv_names[0])
    G = ngroups
    eq = set(group_equal)
    _refuse_what_the_steps_would_free(pt)
    # the model's own `y ~~ y` lines of the items: free, or fixed under delta, a typed error naming the line (as
    # sem()); fixed under theta, the item's residual variance in each group where the step does not free it
    # (semTools' measEq.syntax keeps the configural model's values)
    from .ordinal import ordered_variance_lines
    from .syntax import parse_model
    own_var = {}
    if ordered_variance_lines(parse_model(syntax), list(pt.ov_names[0]), parameterization, G):
        own_var = {pt.lhs[i]: [_r_num(pt.ustart[j]) for j in range(len(pt)) if pt.op[j] == "~~"
                               and pt.lhs[j] == pt.rhs[j] == pt.lhs[i]]
                   for i in range(len(pt)) if pt.op[i] == "~~" and pt.lhs[i] == pt.rhs[i] and pt.user[i] == 1
                   and pt.group[i] == 1 and pt.lhs[i] in pt.ov_names[0]}

    full = thresholds is not None
    if full and any(x not in thresholds for x in pt.ov_names[0]):
        raise EstimationError(None, "we_syntax: the number of thresholds of "
                              + ", ".join(x for x in pt.ov_names[0] if x not in thresholds) + " is not given")

    def vec(first, rest):
        return "c(" + ", ".join([first] + [rest] * (G - 1)) + ")"
    lines = []
    for f_i, f in enumerate(lv):
        inds = [pt.rhs[i] for i in range(len(pt)) if pt.op[i] == "=~" and pt.lhs[i] == f and pt.group[i] == 1]
        terms = []
        for j, x in enumerate(inds):
            if "loadings" in eq and f"{f}=~{x}" not in partial:
                lab = f"L{f_i + 1}_{j + 1}"
                if full:           # a label alone does not free a first loading under lavaan's auto.fix.first
                    terms.append(vec("NA", "NA") + f"*{x}")
                terms.append("c(" + ", ".join([lab] * G) + f")*{x}")
            else:
                terms.append("c(" + ", ".join(["NA"] * G) + f")*{x}")
        lines.append(f"{f} =~ " + " + ".join(terms))
    ov = list(pt.ov_names[0])
    th = "thresholds" in eq
    rules = we_item_free(ov, thresholds, eq, partial) if full else {}
    for x in ov:
        if free_int is not None:
            int_free = bool(free_int.get(x))
        elif full:
            int_free = rules[x][0]
        else:
            int_free = th and ("intercepts" not in eq or f"{x}~1" in partial)
        lines.append(f"{x} ~ {vec('0', 'NA' if int_free else '0')}*1")
    for f in lv:
        lines.append(f"{f} ~ {vec('0', 'NA' if 'intercepts' in eq else '0')}*1")
    for f in lv:
        lines.append(f"{f} ~~ {vec('1', 'NA' if 'loadings' in eq else '1')}*{f}")
    if full:
        for a in range(len(lv)):
            for b in range(a + 1, len(lv)):
                lines.append(f"{lv[a]} ~~ {vec('NA', 'NA')}*{lv[b]}")
        for x in ov:
            k = int(thresholds[x])
            lines.append(f"{x} | " + " + ".join(
                ("c(" + ", ".join([f"{x}.thr{t}"] * G) + ")" if th and f"{x}|t{t}" not in partial
                 else vec("NA", "NA")) + f"*t{t}"
                for t in range(1, k + 1)))
    for i in range(len(pt)):             # the model's residual covariances of items: free (or fixed) in every group
        if pt.op[i] == "~~" and pt.group[i] == 1 and pt.lhs[i] != pt.rhs[i] and pt.lhs[i] in ov and pt.rhs[i] in ov:
            fixed = pt.free[i] == 0 and np.isfinite(pt.ustart[i])
            lines.append(f"{pt.lhs[i]} ~~ {vec(_r_num(pt.ustart[i]), _r_num(pt.ustart[i])) if fixed else vec('NA', 'NA')}"
                         f"*{pt.rhs[i]}")
    for x in ov:
        free = (rules[x][1] if full else th) if free_scale is None else bool(free_scale.get(x, th))
        if parameterization == "theta":
            v = own_var.get(x, ["1"] * G)
            lines.append(f"{x} ~~ c(" + ", ".join([v[0]] + ["NA" if free else w for w in v[1:]]) + f")*{x}")
        elif full:
            lines.append(f"{x} ~*~ {vec('1', 'NA' if free else '1')}*{x}")
    return "\n".join(lines)


#: the options of ``lavaan()`` with which the complete syntax of a step (``we_syntax(..., thresholds=)``) is the
#: model the package fits (its engine's defaults there: ``std_lv``, no automatic free intercepts); ``cfa()``
#: differs in ``std.lv = FALSE``, ``auto.fix.first = TRUE`` and ``int.ov.free = TRUE``, which the syntax makes moot
#: (every loading carries ``NA*``, every item intercept and factor variance is written)
WE_LAVAAN_OPTIONS = {"meanstructure": True, "std.lv": True, "int.ov.free": False, "int.lv.free": False,
                     "auto.fix.first": False, "auto.fix.single": True, "auto.var": True, "auto.cov.lv.x": True,
                     "auto.cov.y": True, "auto.th": True, "auto.delta": True, "auto.efa": True}


def item_thresholds(data: pd.DataFrame, items) -> dict:
    """The number of thresholds of each item over the whole data (lavaan's ``ov.levels`` minus 1).

    >>> item_thresholds(pd.DataFrame({"a": [1, 2, 3, None], "b": [0, 1, 1, 0]}), ["a", "b"])
    {'a': 2, 'b': 1}
    """
    return {v: int(data[v].dropna().nunique()) - 1 for v in items if v in data.columns}


def binary_only_factors(syntax: str, n_th: dict, ngroups: int = 1) -> dict:
    """The factors whose indicators are all binary (one threshold), factor -> its items: in the
    thresholds + loadings + intercepts step of Wu & Estabrook (2016) the binary items' scales are free, and only
    an indicator with two or more thresholds (equal across groups) fixes the location and scale of its y* in the
    later groups, hence the factor's mean and variance there (a binary item's scale then follows from its
    loading).  A factor without one is not identified in that step.

    >>> binary_only_factors("F =~ a + b + c\\nG =~ d + e + f", {"a": 1, "b": 1, "c": 4, "d": 1, "e": 1, "f": 1})
    {'G': ['d', 'e', 'f']}
    """
    pt = build_partable(syntax, ngroups=ngroups)
    ind: dict[str, list[str]] = {}
    for lhs, op, rhs, g in zip(pt.lhs, pt.op, pt.rhs, pt.group):
        if op == "=~" and g == 1:
            ind.setdefault(lhs, []).append(rhs)
    return {f: v for f, v in ind.items() if v and all(n_th.get(x, 2) < 2 for x in v)}


def we_item_free(items, n_th: dict, group_equal, partial=()) -> dict:
    """Item -> (its intercept free after the first group, its scale (delta) or residual variance (theta) free
    after the first group) in a Wu & Estabrook step, by semTools' ``measEq.syntax(ID.cat = "Wu.Estabrook.2016")``
    rules on the item's thresholds held equal across groups (``n_eq``: its thresholds less those ``partial``
    frees, none unless the step holds the thresholds equal): the intercept is free when ``n_eq >= 1`` and the
    intercepts are not held equal (or ``"x~1"`` is freed); the scale when ``n_eq >= 2``, or ``n_eq >= 1`` with
    the intercept held equal.  A binary item (one threshold) thus keeps its scale at 1 until the intercepts are
    equal; an item whose every threshold is freed keeps its intercept at 0 and its scale at 1.

    >>> we_item_free(["a", "b"], {"a": 1, "b": 4}, ["thresholds"])
    {'a': (True, False), 'b': (True, True)}
    >>> we_item_free(["a", "b"], {"a": 1, "b": 4}, ["thresholds", "loadings", "intercepts"], {"a|t1", "b|t1", "b|t2", "b|t3"})
    {'a': (False, False), 'b': (False, True)}
    """
    th, ints = "thresholds" in group_equal, "intercepts" in group_equal
    out = {}
    for x in items:
        n = int(n_th.get(x, 2))
        n_eq = n - sum(f"{x}|t{t}" in partial for t in range(1, n + 1)) if th else 0
        eq_int = ints and f"{x}~1" not in partial
        out[x] = (n_eq >= 1 and not eq_int, n_eq >= 2 or (n_eq >= 1 and eq_int))
    return out


def free_scales(items, n_th: dict, group_equal, partial=()) -> dict:
    """Which items' scales (delta) or residual variances (theta) are free after the first group in a step:
    all when the thresholds are equal, except a binary item's (one threshold) until the intercepts are equal too
    (Wu & Estabrook's rules, as semTools' ``measEq.syntax``; with ``partial``, :func:`we_item_free`).

    >>> free_scales(["a", "b"], {"a": 1, "b": 4}, ["thresholds"])
    {'a': False, 'b': True}
    """
    return {x: v[1] for x, v in we_item_free(items, n_th, group_equal, partial).items()}


def equivalent_frees(n_th: dict, partial) -> dict:
    """Step -> the thresholds group.partial frees in it that only re-express its model: a binary item's only
    threshold, freed where semTools' rules (:func:`we_item_free`) then fix the item's intercept that the equal
    threshold left free (its scale unchanged).  A binary item's threshold and intercept enter the model only as
    their difference, so the step's model is the one with the threshold held equal (the same df and χ²; Wu &
    Estabrook 2016); semTools' ``measEq.syntax`` frees it all the same, and so do the fits here.  ``partial``:
    step -> the keys it frees (:func:`we_partial`).

    >>> equivalent_frees({"a": 1, "b": 4}, {"thresholds": ["a|t1", "b|t1"], "thresholds_loadings_intercepts": ["a|t1"]})
    {'thresholds': ['a|t1']}
    """
    out = {}
    for s, keys in partial.items():
        same = []
        for k in keys:
            item, bar, _ = str(k).partition("|")
            if not bar or int(n_th.get(item, 0)) != 1:
                continue
            with_it = we_item_free([item], n_th, WE_STEPS[s], set(keys))[item]
            without = we_item_free([item], n_th, WE_STEPS[s], set(keys) - {k})[item]
            if without[0] and not with_it[0] and without[1] == with_it[1]:
                same.append(k)
        if same:
            out[s] = same
    return out


#: the class of a group.partial entry in the Wu & Estabrook steps (the classes they constrain)
_PARTIAL_CLASS = {"|": "thresholds", "=~": "loadings", "~1": "intercepts"}


def we_partial(syntax: str, n_th: dict, group_partial, steps=tuple(WE_STEPS), ngroups: int = 1) -> dict:
    """group.partial in the Wu & Estabrook steps (semTools' ``measEq.syntax(..., group.partial =)``): step -> the
    keys it frees (``"F=~b"``, ``"b~1"``, ``"b|t2"``; lavaan's matching, spaces removed), each entry in every step
    that constrains its class (thresholds, loadings, intercepts).  An entry that frees nothing is a one-line
    :class:`~iur_survey.errors.ModelSyntaxError`; a step the entries leave without identification an
    :class:`~iur_survey.errors.EstimationError` naming it: a factor needs an equal loading while its variance is
    free, and an item whose intercept and thresholds stay equal (two or more where its scale is free) while
    its mean is free.  An item's
    own intercept and scale follow semTools' rules on its thresholds left equal (:func:`we_item_free`: a binary
    item's freed threshold, or every threshold of an item freed, keeps its intercept at 0 and its scale at 1).

    >>> we_partial("F =~ a + b + c", {"a": 4, "b": 4, "c": 4}, ["F =~ b", "a | t2", "c ~1"])["thresholds_loadings"]
    ['F=~b', 'a|t2']
    >>> we_partial("F =~ a + b + c", {"a": 1, "b": 4, "c": 4}, ["a | t1", "b ~ 1"])["thresholds_loadings_intercepts"]
    ['a|t1', 'b~1']
    >>> we_partial("F =~ a + b + c", {"a": 4, "b": 4, "c": 4}, ["a ~ 1", "b ~ 1", "c ~ 1"])
    Traceback (most recent call last):
    ...
    iur_survey.errors.EstimationError: group.partial in the thresholds_loadings_intercepts step: no item of F keeps its intercept and its thresholds equal (two or more where its scale is free) while the mean of F is free after the first group: the step is not identified; free fewer intercepts or thresholds of its items
    """
    from ..errors import ModelSyntaxError
    from .partable import _partial_key

    entries = [str(p) for p in group_partial if str(p).strip()]
    out = {s: [] for s in steps}
    if not entries:
        return out
    pt = build_partable(syntax, ngroups=ngroups, meanstructure=True)
    items = list(pt.ov_names[0])
    loads = {}
    for lhs, op, rhs, g in zip(pt.lhs, pt.op, pt.rhs, pt.group):
        if op == "=~" and g == 1:
            loads.setdefault(lhs, []).append(rhs)
    keys: list[tuple[str, str]] = []
    for p in entries:
        k = _partial_key(p)
        if "|" in k:
            item, _, t = k.partition("|")
            n = int(n_th.get(item, 0)) if item in items else 0
            if not (t.startswith("t") and t[1:].isdigit() and 1 <= int(t[1:]) <= n):
                raise ModelSyntaxError("group.partial", f"{p!r} is not a threshold of the model"
                                       + (f" ({item} has {n} threshold{'s' if n != 1 else ''})" if n else ""))
            cls = "thresholds"
        elif "=~" in k:
            f, _, x = k.partition("=~")
            if x not in loads.get(f, []):
                raise ModelSyntaxError("group.partial", f"{p!r} is not a loading of the model")
            cls = "loadings"
        elif k.endswith("~1") and k[:-2] in items:
            item, cls = k[:-2], "intercepts"
        else:
            raise ModelSyntaxError("group.partial", f"{p!r}: the Wu & Estabrook steps hold thresholds "
                                                    "('x1 | t2'), loadings ('F =~ x1') and item intercepts "
                                                    "('x1 ~ 1') equal; this entry is none of them (or not a "
                                                    "parameter of the model): it frees nothing")
        if (k, cls) not in keys:
            keys.append((k, cls))
    for s in steps:
        eq = WE_STEPS[s]
        out[s] = [k for k, cls in keys if cls in eq]
        if not out[s]:
            continue
        free = set(out[s])

        def pins(x, freed):
            # an item pins its factor's mean after the first group: its intercept held (0), and more thresholds
            # equal than its scale's one free parameter (Wu & Estabrook)
            int_free, scale_free = we_item_free([x], n_th, eq, freed)[x]
            n = int(n_th.get(x, 2))
            n_eq = n - sum(f"{x}|t{t}" in freed for t in range(1, n + 1))
            return not int_free and n_eq >= 1 + int(scale_free)
        for f, xs in loads.items():
            if "loadings" in eq and all(f"{f}=~{x}" in free for x in xs):
                raise EstimationError(None, f"group.partial in the {s} step: every loading of {f} is freed while "
                                            "its variance is free after the first group: the step is not "
                                            "identified; keep one of its loadings equal")
            if ("intercepts" in eq and not any(pins(x, free) for x in xs)
                    and any(pins(x, set()) for x in xs)):
                raise EstimationError(None, f"group.partial in the {s} step: no item of {f} keeps its intercept "
                                            "and its thresholds equal (two or more where its scale is free) "
                                            f"while the mean of {f} is free after the first group: the step is "
                                            "not identified; free fewer intercepts or thresholds of its items")
    return out


def we_lavaan_syntaxes(syntax: str, data: pd.DataFrame, group: str, parameterization: str = "delta",
                       steps=tuple(WE_STEPS), group_partial=()) -> dict:
    """Step -> the complete lavaan syntax of that step of :func:`ordinal_invariance` on ``data`` (groups
    already merged; rows without a group are dropped): ``we_syntax(..., thresholds=)``; ``group_partial`` as
    :func:`ordinal_invariance`.

    >>> d = pd.DataFrame({"a": [0, 1, 2, 1], "b": [1, 0, 1, 0], "G": ["x", "y", "x", None]})
    >>> print(we_lavaan_syntaxes("F =~ a + b", d, "G", steps=["thresholds"])["thresholds"])
    F =~ c(NA, NA)*a + c(NA, NA)*b
    a ~ c(0, NA)*1
    b ~ c(0, NA)*1
    F ~ c(0, 0)*1
    F ~~ c(1, 1)*F
    a | c(a.thr1, a.thr1)*t1 + c(a.thr2, a.thr2)*t2
    b | c(b.thr1, b.thr1)*t1
    a ~*~ c(1, NA)*a
    b ~*~ c(1, 1)*b
    """
    if group not in data.columns:
        raise EstimationError(None, f"group column {group!r} is not in the data")
    data = data.loc[data[group].notna().to_numpy()]
    G = len(pd.unique(group_text(data[group]).to_numpy().astype(str)))
    items = list(build_partable(syntax, ngroups=G, meanstructure=True).ov_names[0])
    n_th = item_thresholds(data, items)
    part = we_partial(syntax, n_th, group_partial, steps, ngroups=G)       # group.partial, per step
    return {s: we_syntax(syntax, G, WE_STEPS[s], parameterization,
                         free_scales(items, n_th, WE_STEPS[s], set(part[s])), thresholds=n_th,
                         partial=set(part[s])) for s in steps}


#: lavaan's scaled-shifted difference test of two WLSMV fits (one implementation, in :mod:`~iur_survey.sem.compare`)
lrt_satorra2000 = lav_test_diff_satorra2000


class OrdinalInvariance:
    """The fitted sequence: ``table`` (one row per step), ``fits`` (step -> OrdinalSEMResult)."""

    def __init__(self, steps, fits, table, group, missing, warnings=None, merge=None, parameterization="delta",
                 group_partial=None, equivalent=None):
        self.steps, self.fits, self.table, self.group, self.missing = steps, fits, table, group, missing
        #: step -> the parameters group.partial freed from its constraints ("F1 =~ a2", "a1 | t2"); none: full
        self.group_partial = {k: tuple(v) for k, v in (group_partial or {}).items()}
        #: step -> those of them that only re-express the step's model (:func:`equivalent_frees`: a binary item's
        #: only threshold), freed as semTools frees them
        self.equivalent = {k: tuple(v) for k, v in (equivalent or {}).items() if v}
        self.warnings = list(warnings or [])
        self.cutoffs_name = "Chen (2007)"
        #: the groups merged before fitting, {old label: new label} (empty: none)
        self.merge = dict(merge or {})
        self.parameterization = parameterization

    @property
    def level(self) -> str | None:
        """The last step of the unbroken run of steps Chen's cut-offs support (``"configural"`` if none; ``None``
        where the configural model was not evaluated)."""
        return sequence_level(list(self.table["step"]), list(self.table["decision"]))

    @property
    def level_text(self) -> str | None:
        """The verdict, "partial thresholds_loadings invariance (freed: F1 =~ a2)" when group.partial freed
        parameters of its step (:func:`iur_survey.sem.invariance.level_text`); ``None`` with no level."""
        if self.level is None:
            return None
        text = level_text(list(self.table["step"]), list(self.table["decision"]), self.level, self.group_partial)
        same = self.equivalent.get(self.level)
        if same:      # freed as semTools frees them, though the model is the one with them held equal
            text += (f"; {', '.join(same)} {'is' if len(same) == 1 else 'are'} freed as semTools' syntax frees "
                     f"{'it' if len(same) == 1 else 'them'}, but the {self.level} model is the same with "
                     f"{'it' if len(same) == 1 else 'them'} held equal (a binary item's only threshold)")
        return text

    def to_dict(self) -> dict:
        """``{"invariance": [...], "invariance_info": {...}}`` for results.json (NaN -> None)."""
        def num(x):
            return None if x is None or (isinstance(x, float) and not np.isfinite(x)) else float(x)
        items = []
        for k, r in enumerate(self.table.to_dict("records")):
            item = {"step": r["step"], "group_equal": list(WE_STEPS[r["step"]]),
                    "converged": bool(r["converged"]),
                    "fit": {key: num(r[key]) for key in ("npar", "chisq", "df", "chisq.scaled", "pvalue.scaled",
                                                         "cfi.scaled", "tli.scaled", "rmsea.scaled", "srmr")}}
            if k == 0:
                item["test"] = item["delta"] = None
            else:
                ddf = num(r["df.diff"])
                item["test"] = {"chisq.diff": num(r["chisq.diff"]), "df.diff": None if ddf is None else int(ddf),
                                "pvalue": num(r["pvalue.diff"]), "method": SATORRA2000_SCALED_SHIFTED,
                                "versus": self.steps[k - 1]}
                item["delta"] = {"cfi.scaled": num(r["delta.cfi.scaled"]),
                                 "rmsea.scaled": num(r["delta.rmsea.scaled"]), "srmr": num(r["delta.srmr"])}
            if r.get("stat.group"):
                item["stat.group"] = dict(r["stat.group"])   # {test name: {group: its part}}, lavaan's stat.group
            item["decision"] = r["decision"]
            if self.group_partial.get(r["step"]):
                item["group_partial"] = list(self.group_partial[r["step"]])   # freed from this step's group_equal
            if self.equivalent.get(r["step"]):     # of them, those the step's model is the same without
                item["group_partial_equivalent"] = list(self.equivalent[r["step"]])
            items.append(item)
        first = next((f for f in self.fits.values() if f is not None), None)
        info = {"group": self.group, "estimator": "WLSMV", "missing": self.missing, "level": self.level,
                "identification": f"Wu.Estabrook.2016 (std.lv, {self.parameterization})",
                "parameterization": self.parameterization, "merged": dict(self.merge),
                "groups": {} if first is None else {lab: int(n) for lab, n in zip(first.partable.group_labels,
                                                                                  first.nobs)},
                "cutoffs": self.cutoffs_name, "warnings": list(self.warnings)}
        if any(self.group_partial.values()):
            info["group_partial"] = list(dict.fromkeys(x for v in self.group_partial.values() for x in v))
            info["level_text"] = self.level_text
        return {"invariance": items, "invariance_info": info}

    def summary(self, caption: Callable[[str], str] = str) -> str:
        """The step table; ``caption`` shows a group label (as :meth:`InvarianceResult.summary`)."""
        cols = ["step", "chisq.scaled", "df", "cfi.scaled", "rmsea.scaled", "chisq.diff", "df.diff", "pvalue.diff",
                "delta.cfi.scaled", "delta.rmsea.scaled", "decision"]
        shown = self.table[cols].astype({"df": "Int64", "df.diff": "Int64"}, errors="ignore")
        merged = ("merged: " + ", ".join(f"{caption(a)} -> {caption(b)}" for a, b in self.merge.items()) + "\n") if self.merge else ""
        parts = []                     # each group's part of each step's chisq.scaled (lavaan's stat.group)
        for r in self.table.to_dict("records"):
            lines = group_chisq_lines(r.get("stat.group"), True, caption, width=24)
            if lines:
                parts.append(f"{r['step']}:")
                parts.extend(lines)
        parts = (["each group's part of chisq.scaled (lavaan's stat.group; the parts add up to it):"] + parts
                 if parts else [])
        steps, decisions = list(self.table["step"]), list(self.table["decision"])
        clash = lrt_disagreement(steps, decisions, list(self.table["pvalue.diff"]))
        return (f"ordinal invariance (WLSMV, Wu & Estabrook 2016, {self.parameterization} parameterization):\n"
                + merged + shown.to_string(
            index=False, float_format=lambda v: fixed(v, 1)) + "".join("\n" + x for x in parts)
            + "".join(f"\nfreed in {k} (lavaan's group.partial): {', '.join(v)}"
                      + (f" ({', '.join(self.equivalent[k])}: a binary item's only threshold; the {k} model is "
                         "the same with it held equal, same df and chisq)" if self.equivalent.get(k) else "")
                      for k, v in self.group_partial.items() if v)
            + f"\nlevel: {self.level_text or 'none (the configural model did not converge)'}"
            + (f"\nnote: {clash} (the decisions follow the cut-offs)" if clash else "")
            + "".join("\n  warning: " + w for w in self.warnings))


def _unfitted_row(step: str) -> dict:
    """The table row of a step that was not fitted (no fit measures, no test, no decision)."""
    return {"step": step, "group_equal": ",".join(WE_STEPS[step]), "converged": False,
            **{k: np.nan for k in ("npar", "chisq", "df", "chisq.scaled", "pvalue.scaled", "cfi.scaled",
                                   "tli.scaled", "rmsea.scaled", "srmr", "chisq.diff", "df.diff", "pvalue.diff",
                                   "delta.cfi.scaled", "delta.rmsea.scaled", "delta.srmr")},
            "stat.group": {}, "decision": "not evaluated"}


def _fit_we_step(payload, task):
    """One step of the sequence (a task of :func:`ordinal_invariance`: the step's name and its free scales,
    :func:`we_item_free`, and the keys group.partial frees): its Wu & Estabrook model fitted."""
    syntax, data, group, labels, gvals, missing, parameterization, cache = payload
    step, rules, partial = task
    ge = WE_STEPS[step]
    free = {x: v[1] for x, v in rules.items()}
    return ordinal_groups_fit(we_syntax(syntax, len(labels), ge, parameterization, free, partial=set(partial),
                                        free_int={x: v[0] for x, v in rules.items()}), data,
                              group, labels, gvals, missing=missing, std_lv=True, auto_rules=False,
                              th_equal="thresholds" in ge, delta_free=False if parameterization == "theta" else free,
                              parameterization=parameterization, stats_cache=cache,
                              th_free=[k for k in partial if "|" in k])


def ordinal_invariance(syntax: str, data: pd.DataFrame, group: str, *, missing: str = "pairwise",
                       steps=("configural", "thresholds", "thresholds_loadings",
                              "thresholds_loadings_intercepts"), parameterization: str = "delta",
                       merge=None, workers: int = 1, scheduler=None,
                       progress: bool | str | None = None, group_partial=()) -> OrdinalInvariance:
    """Fit the Wu & Estabrook (2016) sequence (module docstring) and test each step against the previous.

    ``parameterization``: lavaan's ``"delta"`` (default) or ``"theta"`` (semTools' ``measEq.syntax(...,
    parameterization = "theta")``: residual variances instead of scales).  ``merge``: groups to merge before
    fitting, as :func:`iur_survey.sem.invariance.merge_groups` (a mapping, ``"FROM=INTO,..."`` or
    ``"smallest"`` by the small-group rule of :func:`~iur_survey.sem.invariance.group_size_table`); the mapping
    applied is the result's ``merge`` (``"merged"`` in :meth:`OrdinalInvariance.to_dict`).  ``workers``,
    ``scheduler``, ``progress``: the steps are independent fits, run as
    :func:`iur_survey.sem.parallel.map_chunks` runs tasks (``workers > 1``: local processes; a Dask
    ``scheduler`` address or client: a cluster); the groups' sample statistics (polychoric correlations and
    their weight matrices) are computed once, before, and shared by the steps.  ``group_partial`` (lavaan's
    group.partial, as semTools' ``measEq.syntax(..., group.partial =)``): thresholds (``"a | t2"``), loadings
    and item intercepts freed in every step that holds their class equal (:func:`we_partial`); the verdict then
    reads "partial ... invariance (freed: ...)".

    >>> rng = np.random.default_rng(11)
    >>> f = rng.normal(size=(600, 1))
    >>> y = f @ [[.8, .7, .6, .7]] + rng.normal(size=(600, 4)) * .6
    >>> d = pd.DataFrame(np.digitize(y, [-1, 0, 1]), columns=["a", "b", "c", "e"])
    >>> d["G"] = np.where(np.arange(600) < 350, "x", "y")
    >>> inv = ordinal_invariance("F =~ a + b + c + e", d, "G")
    >>> inv.table["df"].tolist()
    [4, 8, 11, 14]
    """
    if parameterization not in ("delta", "theta"):
        raise EstimationError(None, f"parameterization={parameterization!r}: use 'delta' or 'theta'")
    if group not in data.columns:
        raise EstimationError(None, f"group column {group!r} is not in the data")
    refuse_personal_group(data, group)      # its labels reach the steps' results, as sem()'s group does
    mapping: dict = {}
    if merge is not None:
        sizes = group_size_table(data, group, syntax) if isinstance(merge, str) else None
        data, mapping = merge_groups(data, group, merge, sizes=sizes)
    gcol = data[group]
    keep = gcol.notna().to_numpy()
    data = data.loc[keep]
    gvals = group_text(data[group]).to_numpy().astype(str)
    labels = [str(x) for x in pd.unique(gvals)]
    fits = {}
    rows = []
    prev, prev_identified = None, True
    warns: list[str] = []
    seen: set[str] = set()
    n_used = None
    G = len(labels)
    items = list(build_partable(syntax, ngroups=G, meanstructure=True).ov_names[0])
    # thresholds per item over the whole data (lavaan's ov.levels): Wu & Estabrook's rules for a binary item
    # (one threshold) keep its scale fixed at 1 until the intercepts are equal too (semTools' measEq.syntax)
    n_th = item_thresholds(data, items)
    # ---- which steps are fitted: with the intercepts equal, Wu & Estabrook free the binary items' scales; a
    # factor measured only by binary items then has no item whose two or more equal thresholds fix its y* metric
    # in the later groups, and its mean, variance and the binary scales trade off along a ridge (on every such
    # data set checked, tests/sem/invariance_audit_refs: extreme values, lavaan's default optimizer fails or
    # stops at an arbitrary point): the step is not fitted, and the reason is given.  A factor with one item of
    # three or more categories is identified (the binary scales follow from the loadings): fitted.
    # a fixed y ~~ y line of an item under delta: not used (lavaan, semTools), said (the steps' syntax omits it)
    from .ordinal import drop_ignored_variance_lines
    from .syntax import parse_model
    warns.extend(drop_ignored_variance_lines(parse_model(syntax), items, parameterization)[1])
    partial = we_partial(syntax, n_th, group_partial, steps, ngroups=G)   # step -> the keys it frees there
    unpinned = {s: binary_only_factors(syntax, n_th, G) if ("intercepts" in WE_STEPS[s] and "thresholds" in
                                                         WE_STEPS[s]) else {} for s in steps}
    fitted = [s for s in steps if not unpinned[s]]
    # ---- the fits: independent models, one task each; the groups' sample statistics computed once, shared
    cache = ordinal_stats_cache(data, items, labels, gvals, missing) if fitted else {}
    payload = (syntax, data, group, labels, gvals, missing, parameterization, cache)
    tasks = [(s, we_item_free(items, n_th, WE_STEPS[s], set(partial[s])), tuple(partial[s])) for s in fitted]
    # a configural model that does not converge ends the sequence, as the ML one (fit_sequence): the later steps
    # are not started, and those running are ended (their verdict is "not evaluated" whatever their fit)
    baseline = bool(fitted) and fitted[0] == steps[0]
    done = dict(zip(fitted, fit_sequence(_fit_we_step, tasks, payload=payload,
                                         failed=lambda out: baseline and not out.converged, workers=workers,
                                         scheduler=scheduler, progress=progress, desc="ordinal invariance")))
    skipped = [s for s in fitted if done[s] is SKIPPED]
    for s in steps:
        ge = WE_STEPS[s]
        if s in skipped:
            fits[s] = None
            rows.append(_unfitted_row(s))
            prev, prev_identified = s, False
            continue
        if unpinned[s]:
            what = "; ".join(f"{f} ({', '.join(v)})" for f, v in unpinned[s].items())
            warns.append(f"the {s} step is not evaluated: it frees the binary items' "
                         + ("residual variances" if parameterization == "theta" else "scales")
                         + f" (Wu & Estabrook 2016), and a factor measured by binary items only ({what}) has no "
                         "item with two or more thresholds to pin its mean and variance in the later groups (the "
                         "estimates drift to extreme values; lavaan's default optimizer fails, or stops on the "
                         "ridge, on the same model); give each factor an item of three or more categories, or "
                         "treat the items as continuous")
            fits[s] = None
            rows.append(_unfitted_row(s))
            prev, prev_identified = s, False
            continue
        res = done[s]
        fits[s] = res
        if n_used is None:             # the cases the fits use (lavaan's nobs), not the rows with a group value
            n_used = int(sum(res.nobs))
        step_warnings(warns, seen, s, res.warnings)
        identified = bool(np.all(np.isfinite(res.meta["wlsmv_groups"].e_inv)))
        if not res.converged:           # no fit measures (lavaan refuses them): nothing to test or decide
            warns.append(f"the {s} model did not converge: no fit measures, no difference test and no decision "
                         "for it")
            identified = False
        elif not identified and res.meta["wlsmv_groups"].boundary_only:
            # a theta solution run off to a Heywood case's boundary: singular there, in those items alone
            warns.append(f"the {s} model's solution is on the boundary of a Heywood case (the residual variance of "
                         f"{boundary_text(res.meta['wlsmv_groups'].boundary)} runs to 0 in the theta "
                         "parameterization), where its information matrix cannot be inverted: no difference test "
                         "and no decision for it; parameterization='delta' shows the Heywood case")
        elif not identified:
            warns.append(f"the {s} model is not identified by these data (its information matrix cannot be "
                         "inverted): no difference test and no decision for it")
        f = res.fit_measures() if res.converged else res.fit        # res.fit: all NaN when it did not converge
        row = {"step": s, "group_equal": ",".join(ge), "converged": res.converged, "npar": f["npar"],
               "chisq": f["chisq"], "df": int(f["df"]) if res.converged else np.nan, "chisq.scaled": f["chisq.scaled"],
               "pvalue.scaled": f["pvalue.scaled"], "cfi.scaled": f["cfi.scaled"], "tli.scaled": f["tli.scaled"],
               "rmsea.scaled": f["rmsea.scaled"], "srmr": f["srmr"], "chisq.diff": np.nan, "df.diff": 0,
               "pvalue.diff": np.nan, "delta.cfi.scaled": np.nan, "delta.rmsea.scaled": np.nan,
               "delta.srmr": np.nan, "decision": "",
               # each group's part of the step's tests, lavaan's stat.group ({test name: {group: statistic}})
               "stat.group": res.group_tests() if res.converged else {}}
        if prev is None:                # the configural model: the baseline, as the ML sequence says
            row["decision"] = "baseline" if res.converged and identified else "not evaluated"
        elif fits[prev] is None or not (identified and prev_identified):
            row["decision"] = "not evaluated"   # no test, no deltas: a step missing, or one the data do not identify
            if fits[prev] is not None:
                row["df.diff"] = abs(int(res.meta["wlsmv_groups"].df - fits[prev].meta["wlsmv_groups"].df))
        else:
            g1, g0 = fits[prev].meta["wlsmv_groups"], res.meta["wlsmv_groups"]
            if g0.df < g1.df:          # lavTestLRT orders the pair by df (binary items: +intercepts frees scales)
                g1, g0 = g0, g1
            lrt = lrt_satorra2000(g1, g0)
            pf = fits[prev].fit_measures()
            row.update({"chisq.diff": lrt["chisq_diff"], "df.diff": lrt["df_diff"], "pvalue.diff": lrt["pvalue"],
                        "delta.cfi.scaled": f["cfi.scaled"] - pf["cfi.scaled"],
                        "delta.rmsea.scaled": f["rmsea.scaled"] - pf["rmsea.scaled"],
                        "delta.srmr": f["srmr"] - pf["srmr"]})
            if int(lrt["df_diff"]) == 0:     # lavTestLRT: "some models have the same degrees of freedom"
                warns.append(f"the {s} step has the degrees of freedom of the {prev} step: with items of two or "
                             f"three categories its constraints only re-express the {prev} model (Wu & Estabrook "
                             "2016), so its difference test and its decision hold by construction, not as evidence "
                             "of invariance")
            cut = (CHEN_2007_SMALL if n_used <= 300 else CHEN_2007)[_CHEN_STEP[s]]
            row["decision"] = chen_decision(row["delta.cfi.scaled"], row["delta.rmsea.scaled"], row["delta.srmr"], cut)
        if not identified:             # no scaled statistic of a model the data do not identify
            row.update({k: np.nan for k in ("chisq.scaled", "pvalue.scaled", "cfi.scaled", "tli.scaled",
                                            "rmsea.scaled")})
            row["stat.group"] = {k: v for k, v in row["stat.group"].items() if k == "standard"}
        rows.append(row)
        prev, prev_identified = s, identified
    if skipped:
        warns.append(skipped_text(steps[0], skipped, "did not converge"))
    table = pd.DataFrame(rows)
    table["judgement"] = table["decision"]         # the cut-offs' verdict alone; the sequence stops at a failure
    table["decision"] = sequence_decisions(list(table["step"]), table["judgement"].tolist())
    from .partable import partial_display
    same = equivalent_frees(n_th, {s: partial[s] for s in steps})
    for key in dict.fromkeys(k for v in same.values() for k in v):
        where = [s for s in steps if key in same.get(s, ())]
        later = [s for s in steps if key in partial[s] and s not in where]
        item = key.partition("|")[0]
        warns.append(f"{partial_display(key)} is freed in the {' and '.join(where)} step{'s' if len(where) > 1 else ''} "
                     "as semTools' measEq.syntax frees it, but there it only re-expresses the model: the only "
                     f"threshold of the binary item {item} trades places with its intercept, so the "
                     f"{'models are' if len(where) > 1 else 'model is'} the same as with it held equal (same df and "
                     "chi-square; Wu & Estabrook 2016)"
                     + (f"; from the {later[0]} step on, freeing it changes the model" if later else ""))
    out = OrdinalInvariance(list(steps), fits, table, group, missing, warns, merge=mapping,
                            parameterization=parameterization,
                            group_partial={s: [partial_display(k) for k in partial[s]] for s in steps if partial[s]},
                            equivalent={s: [partial_display(k) for k in v] for s, v in same.items()})
    out.cutoffs_name = ("Chen (2007) small-sample (total N <= 300)" if n_used is not None and n_used <= 300
                        else "Chen (2007)")
    return out
