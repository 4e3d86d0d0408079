"""Measurement invariance across groups: configural, metric, scalar and strict models, as lavaan + semTools.

:func:`measurement_invariance` fits the measurement model in every group with growing equality constraints
(lavaan's ``group.equal``):

==========  ===========================================  =====================================
step        group_equal                                  what is equal across groups
==========  ===========================================  =====================================
configural  (none)                                       the factor structure only
metric      loadings                                     factor loadings ("weak")
scalar      loadings, intercepts                         + item intercepts ("strong")
strict      loadings, intercepts, residuals              + item residual variances
==========  ===========================================  =====================================

and compares each step with the previous one by

* the chi-square difference test (:func:`iur_survey.sem.compare.lrt`, lavaan's ``lavTestLRT``: the plain
  difference for ML, Satorra-Bentler 2001 scaled difference for MLR);
* the changes in CFI, RMSEA and SRMR (semTools' ``compareFit(..., nested = TRUE)`` differences, later step
  minus earlier step) judged by Chen's (2007) cut-offs.

Chen (2007, Structural Equation Modeling 14, 464-504) recommends, for total N > 300 with roughly equal
groups, that **non-invariance** is indicated by ``ΔCFI <= -.010`` supplemented by ``ΔRMSEA >= .015`` or
``ΔSRMR >= .030`` (loadings) / ``ΔSRMR >= .010`` (intercepts, residuals); for small (total N <= 300) and
unequal groups the stricter ``ΔCFI <= -.005`` with ``ΔRMSEA >= .010`` or ``ΔSRMR >= .025`` (loadings) /
``.005`` (intercepts, residuals).  The changes themselves are smaller when groups are unequal, so with very
unequal groups the cut-offs are lenient.  A change that reaches its cut-off counts against invariance, as
Chen writes it (a tie included: ``ΔCFI = -.010`` exactly is a drop of .010).  Decisions: ``"supported"`` when
no change reaches its cut-off (``ΔCFI > -c``, ``ΔRMSEA < r``, ``ΔSRMR < s``), ``"not supported"`` when CFI
drops to ``-c`` or below and RMSEA or SRMR rises to its cut-off or above (Chen's pattern), ``"unclear"``
otherwise (one index at or past its cut-off alone); ``"baseline"`` for the configural model.  The sequence stops at its first step not supported: every
later step is ``"not reached (<step> <decision>)"`` (:func:`sequence_decisions`; the table's ``judgement``
column keeps the cut-offs' verdict of each change alone).  With MLR the robust CFI and RMSEA (Brosseau-Liard &
Savalei) are used (``indices="auto"``).

Small groups.  Every group estimates its own configural parameters (``q`` per group: loadings, intercepts,
residual variances, factor (co)variances).  The rule here: a group needs ``n_g >= max(100, q)`` cases
(``min_group_size`` overrides it); below that a warning names the group and suggests merging; a group with
``n_g <= p`` (number of observed variables) cannot have a positive-definite covariance matrix and is an error
unless merged.  ``merge={"government": "research_institute"}`` relabels groups before fitting (several
groups may go to one label, new labels allowed); ``merge="smallest"`` repeatedly merges the smallest group
into the next smallest while the smallest is below the rule and more than two groups remain (label
``"a+b"``).

>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(1)
>>> n = 600
>>> f = rng.standard_normal((n, 1))
>>> X = 3 + f @ [[1.0, 0.8, 0.7, 0.6]] + rng.standard_normal((n, 4)) * 0.6
>>> d = pd.DataFrame(X, columns=["y1", "y2", "y3", "y4"]).assign(g=np.repeat(["a", "b"], n // 2))
>>> inv = measurement_invariance("F =~ y1 + y2 + y3 + y4", d, "g")
>>> inv.table[["step", "df", "decision"]].to_dict("list")
{'step': ['configural', 'metric', 'scalar', 'strict'], 'df': [4, 7, 10, 14], 'decision': ['baseline', 'supported', 'supported', 'supported']}
"""

from __future__ import annotations

import difflib
import math
import re
import shlex
import warnings as _warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import EstimationError
from .compare import lrt
from .parallel import SKIPPED, map_chunks
from .results import json_number
from .partable import GROUP_EQUAL_NAMES  # noqa: F401 (re-exported: the CLI checks --equal with it)
from .partable import partial_display
from .results import SEMResult
from .syntax import split_pairs
from .table import group_text, refuse_personal_group

__all__ = ["measurement_invariance", "fit_sequence", "skipped_text", "models_named", "InvarianceResult", "STEPS", "CHEN_2007", "CHEN_2007_SMALL",
           "GROUP_EQUAL_NAMES", "chen_decision", "sequence_decisions", "sequence_level", "level_text", "lrt_disagreement", "NOT_REACHED",
           "compare_decisions", "group_size_table", "merge_groups", "prepare_groups",
           "measurement_part", "measurement_split", "small_group_warnings", "fitted_group_sizes", "merge_steps",
           "merge_step_notes", "group_chisq_lines"]

#: lavaan's group.equal names the engine implements

#: the standard sequence of nested models: step -> lavaan group.equal
STEPS: dict[str, tuple[str, ...]] = {
    "configural": (),
    "metric": ("loadings",),
    "scalar": ("loadings", "intercepts"),
    "strict": ("loadings", "intercepts", "residuals"),
}

#: Chen (2007) cut-offs, total N > 300: step -> (ΔCFI lower bound, ΔRMSEA upper bound, ΔSRMR upper bound)
CHEN_2007: dict[str, tuple[float, float, float]] = {
    "metric": (-0.010, 0.015, 0.030),
    "scalar": (-0.010, 0.015, 0.010),
    "strict": (-0.010, 0.015, 0.010),
}
#: Chen (2007) cut-offs for small (total N <= 300) and unequal groups
CHEN_2007_SMALL: dict[str, tuple[float, float, float]] = {
    "metric": (-0.005, 0.010, 0.025),
    "scalar": (-0.005, 0.010, 0.005),
    "strict": (-0.005, 0.010, 0.005),
}

_FIT_KEYS = ["npar", "chisq", "df", "pvalue", "chisq.scaled", "df.scaled", "pvalue.scaled",
             "chisq.scaling.factor", "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "srmr",
             "cfi.scaled", "tli.scaled", "rmsea.scaled", "cfi.robust", "tli.robust", "rmsea.robust", "aic", "bic"]
_INDICES = {"standard": ("cfi", "rmsea"), "scaled": ("cfi.scaled", "rmsea.scaled"),
            "robust": ("cfi.robust", "rmsea.robust")}


# ============================================================================================ helpers
def measurement_part(model: str) -> str:
    """The measurement model of a lavaan syntax: its ``=~`` statements, the ``~~`` terms among the factors
    and their indicators and the ``==`` constraints among their labels (regressions, intercepts, ``:=``, other
    constraints and the (co)variances of variables outside the measurement model dropped), so that the factors
    correlate freely as in a CFA.  Statements are read as
    lavaan reads them: several on a line (``;``), one continued over lines; ``group:`` block headers are kept.

    >>> measurement_part("F =~ a + b + c\\nG =~ d + e + f\\nG ~ b1*F\\nind := b1*2")
    'F =~ a + b + c\\nG =~ d + e + f'
    >>> measurement_part("F =~ a + b +\\n  c; y ~ F\\ny ~~ y\\na ~~ c(v1, v2)*b + y")
    'F =~ a + b + c\\na ~~ c(v1, v2)*b'
    >>> measurement_part("F =~ a + c(l1, l2)*b + c\\ny ~ c(r1, r2)*F\\nl1 == l2\\nr1 == r2")
    'F =~ a + c(l1, l2)*b + c\\nl1 == l2'
    """
    return "\n".join(measurement_split(model)[0])


def measurement_split(model: str) -> tuple[list[str], list[str]]:
    """The statements of :func:`measurement_part` and those it leaves out (a ``~~`` statement with terms on both
    sides: each left-out term as ``lhs ~~ term``), in the user's own text.

    >>> measurement_split("F =~ a + b + c; y ~ F\\na ~~ b + y")
    (['F =~ a + b + c', 'a ~~ b'], ['y ~ F', 'a ~~ y'])
    """
    from .syntax import _REL_OPS, _statements

    lines = model.replace("\u02dc", "~").splitlines()

    def text(toks) -> str:                       # the user's own text of the tokens, line by line
        out, run = [], []
        for t in list(toks) + [None]:
            if run and (t is None or t.line != run[0].line):
                a, b = run[0], run[-1]
                out.append(lines[a.line - 1][a.col - 1:b.col - 1 + len(b.text)])
                run = []
            if t is not None:
                run.append(t)
        return " ".join(out)

    def terms(toks) -> list:                     # the right-hand side split at its top-level '+'
        out, depth, cur = [], 0, []
        for t in toks:
            depth += (t.text == "(") - (t.text == ")")
            if t.text == "+" and depth == 0:
                out.append(cur)
                cur = []
            else:
                cur.append(t)
        return [x for x in out + [cur] if x]

    stmts = []
    for toks in _statements(model, "<model syntax>"):
        k = next(i for i, t in enumerate(toks) if t.kind == "op" and t.text in _REL_OPS)
        stmts.append((toks, k, toks[k].text))
    measured = {toks[0].text for toks, k, op in stmts if op == "=~"}
    measured |= {tt[-1].text for toks, k, op in stmts if op == "=~" for tt in terms(toks[k + 1:])}
    keep, left = [], []
    for toks, k, op in stmts:
        if op in ("=~", ":"):
            keep.append(text(toks))
        elif op == "~~" and k == 1 and toks[0].text in measured:
            rhs = terms(toks[k + 1:])
            inside = [tt for tt in rhs if tt[-1].kind == "name" and tt[-1].text in measured]
            if len(inside) == len(rhs):
                keep.append(text(toks))
                continue
            if inside:
                keep.append(f"{text(toks[:k + 1])} " + " + ".join(text(tt) for tt in inside))
            left.extend(f"{text(toks[:k + 1])} {text(tt)}" for tt in rhs if not any(tt is x for x in inside))
        elif op == "==":
            left.append(toks)         # decided below, once the kept statements' labels are known
        else:
            left.append(text(toks))
    if not any(op == "=~" for _, _, op in stmts):
        raise EstimationError(None, "the model has no measurement part (no =~ line)")
    # an '==' line among the kept statements' labels is part of the measurement model: without it, labels
    # given per group would free their parameter of the group.equal constraints (another model)
    if all(isinstance(x, str) for x in left):
        return keep, left
    labels = _model_labels("\n".join(keep))
    left_text = []
    for x in left:
        if isinstance(x, str):
            left_text.append(x)
            continue
        names = {t.text for j, t in enumerate(x) if t.kind == "name"
                 and not (j + 1 < len(x) and x[j + 1].text == "(")}
        (keep if names and names <= labels else left_text).append(text(x))
    return keep, left_text


def _model_labels(model: str) -> set[str]:
    """The parameter labels a lavaan syntax gives (``c(l1, l2)*b``: l1, l2).

    >>> sorted(_model_labels("F =~ a + c(l1, l2)*b + l3*c"))
    ['l1', 'l2', 'l3']
    """
    from .syntax import parse_model

    return {lab for t in parse_model(model).terms for lab in (t.labels or ()) if lab}


def _tied_left_out(kept_model: str, left_out) -> list[str]:
    """The left-out ``==`` statements (:func:`measurement_split`) that name a label of the kept measurement
    model.

    >>> _tied_left_out("F =~ a + c(l1, l2)*b + c", ["y ~ c(r1, r2)*F", "l1 == r1", "r1 == r2"])
    ['l1 == r1']
    """
    if not any("==" in x for x in left_out):
        return []
    labels = _model_labels(kept_model)
    return [x for x in left_out if "==" in x
            and labels & set(re.findall(r"[A-Za-z_.][A-Za-z0-9_.]*", x))]


def chen_decision(delta_cfi: float, delta_rmsea: float, delta_srmr: float,
                  cutoffs: tuple[float, float, float]) -> str:
    """Chen's (2007) judgement of one step: ``"supported"``, ``"not supported"`` or ``"unclear"``.

    ``cutoffs`` = (ΔCFI lower bound, ΔRMSEA upper bound, ΔSRMR upper bound), e.g. ``CHEN_2007["metric"]``.

    >>> chen_decision(-0.002, 0.001, 0.004, CHEN_2007["metric"])
    'supported'
    >>> chen_decision(-0.015, 0.020, 0.004, CHEN_2007["scalar"])
    'not supported'
    >>> chen_decision(-0.015, 0.004, 0.004, CHEN_2007["scalar"])
    'unclear'

    A change at its cut-off counts against invariance, as Chen (2007) states it (ΔCFI <= -.010, ΔRMSEA >= .015):

    >>> chen_decision(-0.010, 0.015, 0.0, CHEN_2007["scalar"]), chen_decision(-0.0099, 0.0149, 0.0, CHEN_2007["scalar"])
    ('not supported', 'supported')
    """
    c, r, s = cutoffs
    vals = (delta_cfi, delta_rmsea, delta_srmr)
    if any(v is None or not math.isfinite(v) for v in vals):
        return "not evaluated"
    # a tie counts against invariance; 1e-12 keeps a tie computed as -0.00999999999999 one
    cfi_ok = delta_cfi > c + 1e-12
    rmsea_ok = delta_rmsea < r - 1e-12
    srmr_ok = delta_srmr < s - 1e-12
    if cfi_ok and rmsea_ok and srmr_ok:
        return "supported"
    if not cfi_ok and (not rmsea_ok or not srmr_ok):
        return "not supported"
    return "unclear"


#: the decision of a step after the first step not supported: the sequence stopped before it
NOT_REACHED = "not reached"


def sequence_decisions(steps: Sequence[str], decisions: Sequence[Any]) -> list[str]:
    """The decisions of a nested invariance sequence as it is read (lavaan / semTools users stop at the first
    failure): the first step is the baseline; the first later step that is not ``"supported"`` (``"not
    supported"``, ``"unclear"``, ``"not evaluated"``) ends the sequence, and every step after it is ``"not
    reached (<that step> <its decision>)"`` whatever the cut-offs say of its own change, which compares two
    models the sequence already rejected.  A configural model that was not evaluated ends it at once.  The one
    rule of the package: the invariance fits, their results.json, the report tables and the book apply it
    (to a results.json written before it, too; applying it twice changes nothing).

    >>> sequence_decisions(["configural", "metric", "scalar", "strict"],
    ...                    ["baseline", "supported", "not supported", "supported"])
    ['baseline', 'supported', 'not supported', 'not reached (scalar not supported)']
    >>> sequence_decisions(["configural", "metric", "scalar"], ["", "unclear", "not supported"])
    ['', 'unclear', 'not reached (metric unclear)']
    """
    out: list[str] = []
    stop = None
    for k, (s, d) in enumerate(zip(steps, decisions)):
        d = "" if d is None or (isinstance(d, float) and math.isnan(d)) else str(d)
        if stop is not None:
            out.append(f"{NOT_REACHED} ({stop})")
            continue
        out.append(d)
        if (k > 0 and d != "supported") or (k == 0 and d == "not evaluated"):
            stop = f"{s} {d}"
    return out


def level_text(steps: Sequence[str], decisions: Sequence[Any], level: str,
               freed: Mapping[str, Sequence[str]] | None = None) -> str:
    """The highest level supported as the summaries print it, saying why the sequence stopped there when the next
    step was not *rejected* but could not be judged ("not evaluated", "unclear"): "configural" alone would read
    as metric invariance rejected.  ``freed`` (step -> the parameters group.partial freed in it): a level whose
    step freed some is *partial* invariance, named with them.

    >>> level_text(["configural", "metric", "scalar"], ["baseline", "not evaluated", "supported"], "configural")
    'configural (metric not evaluated)'
    >>> level_text(["configural", "metric", "scalar"], ["baseline", "supported", "not supported"], "metric")
    'metric'
    >>> level_text(["configural", "metric", "scalar"], ["baseline", "supported", "supported"], "scalar",
    ...            {"metric": [], "scalar": ["x3 ~ 1", "x7 ~ 1"]})
    'partial scalar invariance (freed: x3 ~ 1, x7 ~ 1)'
    """
    steps = [str(s) for s in steps]
    decs = sequence_decisions(steps, decisions)
    free = list((freed or {}).get(level) or [])
    text = f"partial {level} invariance (freed: {', '.join(free)})" if free else level
    if level in steps:
        k = steps.index(level) + 1
        if k < len(steps) and decs[k] in ("not evaluated", "unclear"):
            return f"{text} ({steps[k]} {decs[k]})"
    return text


def lrt_disagreement(steps: Sequence[str], decisions: Sequence[Any], pvalues: Sequence[Any],
                     alpha: float = 0.05) -> str:
    """The sentence a summary adds when a step is "supported" by Chen's changes in fit while its χ² difference
    test rejects the equality constraints (p < ``alpha``): a reader of the decision column alone would not know
    that the test disagrees.  "" when they agree.

    >>> lrt_disagreement(["configural", "metric", "scalar"], ["baseline", "supported", "supported"],
    ...                  [None, 0.0201, 0.4])
    'the chi-square difference test rejects the constraints of metric (p = .020), which the changes in fit support'
    >>> lrt_disagreement(["configural", "metric"], ["baseline", "not supported"], [None, 0.001])
    ''
    """
    decs = sequence_decisions([str(x) for x in steps], decisions)
    hits = []
    for s, d, p in zip(steps, decs, pvalues):
        p = json_number(p)
        if d == "supported" and p is not None and p < alpha:
            hits.append(f"{s} (p {'< .001' if p < 0.001 else '= ' + format(p, '.3f').lstrip('0')})")
    if not hits:
        return ""
    return ("the chi-square difference test rejects the constraints of " + ", ".join(hits)
            + ", which the changes in fit support")


def sequence_level(steps: Sequence[str], decisions: Sequence[Any]) -> str | None:
    """The last step of the unbroken run of ``"supported"`` steps after the first (the baseline): the highest
    level of invariance the sequence supports; ``None`` where the baseline itself was not evaluated (a
    configural model that did not converge supports no level, not "configural").

    >>> sequence_level(["configural", "metric", "scalar", "strict"], ["baseline", "supported", "unclear", "supported"])
    'metric'
    >>> sequence_level(["configural", "metric"], ["not evaluated", "not evaluated"]) is None
    True
    """
    if not len(steps) or str(decisions[0]) == "not evaluated":
        return None
    level = steps[0]
    for s, d in zip(steps[1:], sequence_decisions(steps, decisions)[1:]):
        if d != "supported":
            break
        level = s
    return level


def _free_per_group(model: str, ngroups: int = 1) -> tuple[int, int]:
    """(p, q): observed variables and free parameters of one group's configural model (with means); the model
    is read with ``ngroups`` groups (a ``c(a1, a2, ...)*`` label modifier has one value per group)."""
    from .partable import build_partable
    from .syntax import parse_model
    pt = build_partable(parse_model(model), meanstructure=True, ngroups=max(1, ngroups))
    first = {int(pt.par_index[i]) for i in range(len(pt)) if pt.group[i] == 1 and pt.free[i] > 0}
    return len(pt.ov_names[0]), len(first)


def group_size_table(data: pd.DataFrame, group: str, model: str, *,
                     min_group_size: int | None = None) -> pd.DataFrame:
    """Cases per group against the small-group rule (see the module docstring).

    Columns: ``group``, ``n``, ``p`` (observed variables), ``q`` (free parameters per group in the
    configural model), ``min_n`` (``min_group_size`` or ``max(100, q)``), ``status`` (``"ok"``, ``"small"``:
    ``n < min_n``, ``"too small"``: ``n <= p``).  Groups in order of appearance (lavaan's order).

    >>> d = pd.DataFrame({"g": ["a"] * 150 + ["b"] * 40 + ["c"] * 3, "x1": 0.0, "x2": 0.0, "x3": 0.0})
    >>> group_size_table(d, "g", "F =~ x1 + x2 + x3")[["group", "n", "q", "min_n", "status"]].to_dict("list")
    {'group': ['a', 'b', 'c'], 'n': [150, 40, 3], 'q': [9, 9, 9], 'min_n': [100, 100, 100], 'status': ['ok', 'small', 'too small']}
    """
    if group not in data.columns:
        raise EstimationError(None, f"group column {group!r} is not in the data")
    refuse_personal_group(data, group)      # the table's labels reach the invariance results, as sem()'s do
    g = group_text(data[group]).dropna()
    labels = list(pd.unique(g))
    p, q = _free_per_group(model, len(labels))
    counts = g.value_counts()
    min_n = int(min_group_size) if min_group_size is not None else max(100, q)
    rows = []
    for lab in labels:
        n = int(counts[lab])
        status = "too small" if n <= p else ("small" if n < min_n else "ok")
        rows.append({"group": lab, "n": n, "p": p, "q": q, "min_n": min_n, "status": status})
    return pd.DataFrame(rows, columns=["group", "n", "p", "q", "min_n", "status"])   # (the columns even with no group)


def merge_groups(data: pd.DataFrame, group: str, merge: Mapping[str, str] | str | None, *,
                 sizes: pd.DataFrame | None = None) -> tuple[pd.DataFrame, dict[str, str]]:
    """Relabel groups before fitting; returns ``(data copy, {old label: new label})``.

    ``merge``: a mapping ``{"government": "research_institute"}`` or ``"smallest"`` (uses ``sizes`` from
    :func:`group_size_table`: the smallest group goes into the next smallest while the smallest is below
    ``min_n`` and more than two groups remain; the merged label is ``"small+next"``).

    >>> d = pd.DataFrame({"g": ["a"] * 5 + ["b"] * 3 + ["c"] * 2})
    >>> merge_groups(d, "g", {"c": "b"})[0]["g"].value_counts().to_dict()
    {'a': 5, 'b': 5}
    >>> sizes = pd.DataFrame({"group": ["a", "b", "c"], "n": [5, 3, 2], "min_n": [4, 4, 4]})
    >>> merge_groups(d, "g", "smallest", sizes=sizes)[1]
    {'c': 'c+b', 'b': 'c+b'}

    A swap or a chain would relabel groups, not merge them (group ``b`` reported under ``c``'s label):

    >>> merge_groups(d, "g", {"c": "b", "b": "c"})
    Traceback (most recent call last):
    ...
    iur_survey.errors.EstimationError: --merge-groups: c=b and b=c swap the two labels instead of merging the groups; write one of them
    """
    if merge is None:
        return data, {}
    out = data.copy()
    col = group_text(out[group])
    labels = [x for x in pd.unique(col.dropna())]
    mapping: dict[str, str] = {}
    if isinstance(merge, str) and merge.strip() != "smallest":
        merge = _parse_merge(merge)
    if isinstance(merge, str):
        if sizes is None:
            raise ValueError("merge='smallest' needs the group sizes")
        members = {str(g): [str(g)] for g in sizes["group"]}
        for st in merge_steps(sizes):
            members[st["label"]] = members.pop(st["group"]) + members.pop(st["into"])
        for new, olds in members.items():
            for old in olds:
                if old != new:
                    mapping[old] = new
    else:
        # FROM must be a group, and so must INTO unless two or more groups are combined into a new label:
        # a typo in INTO (government=research) would otherwise silently make a new group
        # --merge-groups strips blanks around names: a label with surrounding blanks ("pasteur ") is meant when
        # it is the only label equal to the name once stripped
        def resolve(name: str) -> str:
            same = [lab for lab in labels if lab.strip() == name]
            return same[0] if name not in labels and len(same) == 1 else name
        merge = {resolve(str(k)): resolve(str(v)) for k, v in merge.items()}
        into = [str(v) for v in merge.values()]
        for name in [str(k) for k in merge] + [v for v in into if into.count(v) < 2]:
            if name not in labels:
                close = difflib.get_close_matches(name, labels, n=1, cutoff=0.3)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise EstimationError(None, f"--merge-groups: {name!r} is not a group of {group!r} (groups: "
                                            f"{', '.join(labels)}){hint} Write FROM=INTO with two of these, "
                                            "e.g. --merge-groups " + shlex.quote(f"{labels[-1]}={labels[0]}"))
        mapping = {str(k): str(v) for k, v in merge.items() if str(k) != str(v)}
        both = [k for k in mapping if k in mapping.values()]
        if both:     # a swap (a=b,b=a) or a chain (a=b,b=c): applied at once it relabels groups, never merges them
            k = both[0]
            src = next(f for f, t in mapping.items() if t == k)
            if src == mapping[k]:
                raise EstimationError(None, f"--merge-groups: {k}={src} and {src}={k} swap the two labels instead "
                                            "of merging the groups; write one of them")
            raise EstimationError(None, f"--merge-groups: {k!r} is merged ({k}={mapping[k]}) and merged into "
                                        f"({src}={k}): a chain would relabel groups instead of merging them; merge "
                                        "into a group that is not merged itself, e.g. --merge-groups "
                                        + shlex.quote(f"{src}={mapping[k]},{k}={mapping[k]}"))
    out[group] = col.map(lambda v: mapping.get(v, v) if isinstance(v, str) else v)
    return out, mapping


def merge_steps(sizes: pd.DataFrame) -> list[dict]:
    """The steps of ``merge="smallest"`` on ``sizes`` (:func:`group_size_table`), in order, each with its reason:
    ``{"group", "n", "into", "n_into", "label", "n_label", "min_n"}`` (the smallest group ``group`` had ``n`` <
    ``min_n`` and more than two groups were left, so it went into the next smallest ``into``, giving ``label``).

    >>> sizes = pd.DataFrame({"group": ["e", "g", "r", "u"], "n": [168, 9, 65, 137], "min_n": 100})
    >>> [(s["group"], s["n"], s["into"], s["n_into"], s["n_label"]) for s in merge_steps(sizes)]
    [('g', 9, 'r', 65, 74), ('g+r', 74, 'u', 137, 211)]
    """
    n = {str(r["group"]): int(r["n"]) for _, r in sizes.iterrows()}
    min_n = int(sizes["min_n"].iloc[0]) if len(sizes) else 0
    steps = []
    while len(n) > 2:
        order = sorted(n, key=lambda k: (n[k], k))
        small, nxt = order[0], order[1]
        if n[small] >= min_n:
            break
        new = f"{small}+{nxt}"
        steps.append({"group": small, "n": n[small], "into": nxt, "n_into": n[nxt], "label": new,
                      "n_label": n[small] + n[nxt], "min_n": min_n})
        n[new] = n.pop(small) + n.pop(nxt)
    return steps


def merge_step_notes(sizes: pd.DataFrame, group: str) -> list[str]:
    """One line per step of ``merge="smallest"`` (:func:`merge_steps`) saying what was merged and why, and
    one when the rule is still not met because two groups are left (for results.json's warnings).

    >>> print(merge_step_notes(pd.DataFrame({"group": ["a", "b", "c"], "n": [300, 20, 30], "min_n": 100}), "g")[-1])
    --merge-groups smallest stopped with two groups of 'g' left (a merge would leave one), though 'b+c' (n = 50) is still below 100
    >>> sizes = pd.DataFrame({"group": ["e", "g", "r", "u"], "n": [168, 9, 65, 137], "min_n": 100})
    >>> for line in merge_step_notes(sizes, "role"): print(line)
    --merge-groups smallest, step 1: group 'g' of 'role' (n = 9) is the smallest and below the small-group minimum of 100, so it was merged with the next smallest, 'r' (n = 65): 'g+r' (n = 74)
    --merge-groups smallest, step 2: group 'g+r' of 'role' (n = 74) is the smallest and below the small-group minimum of 100, so it was merged with the next smallest, 'u' (n = 137): 'g+r+u' (n = 211)
    """
    steps = merge_steps(sizes)
    out = [f"--merge-groups smallest, step {k}: group {s['group']!r} of {group!r} (n = {s['n']}) is the smallest "
           f"and below the small-group minimum of {s['min_n']}, so it was merged with the next smallest, "
           f"{s['into']!r} (n = {s['n_into']}): {s['label']!r} (n = {s['n_label']})" for k, s in enumerate(steps, 1)]
    left = {str(g): int(n) for g, n in zip(sizes["group"], sizes["n"])}
    for st in steps:
        left[st["label"]] = left.pop(st["group"]) + left.pop(st["into"])
    if steps and len(left) == 2 and min(left.values()) < steps[-1]["min_n"]:
        low = min(left, key=lambda k: (left[k], k))
        out.append(f"--merge-groups smallest stopped with two groups of {group!r} left (a merge would leave one), "
                   f"though {low!r} (n = {left[low]}) is still below {steps[-1]['min_n']}")
    return out


def _parse_merge(spec: str) -> dict[str, str]:
    """``"government=research_institute,x=y"`` -> mapping (the CLI's --merge-groups); a group given twice with
    two targets is refused (the last would win quietly).

    >>> _parse_merge("gov=ri, uni=ri")
    {'gov': 'ri', 'uni': 'ri'}
    >>> _parse_merge("gov=ri,gov=uni")
    Traceback (most recent call last):
    ...
    iur_survey.errors.EstimationError: merge 'gov=ri,gov=uni': group 'gov' is given twice (gov=ri, gov=uni); merge each group into one group only
    """
    messages = {"form": "write 'smallest' or FROM=INTO[,FROM=INTO...]", "empty": "empty group name in {!r}",
                "none": "nothing to merge"}
    def fail(kind: str, part: str) -> EstimationError:
        return EstimationError(None, f"merge {spec!r}: " + messages[kind].format(part))
    pairs = split_pairs(spec.split(","), "=", fail)
    seen: dict[str, str] = {}
    for k, v in pairs:
        if k in seen and seen[k] != v:        # the last would win quietly
            raise EstimationError(None, f"merge {spec!r}: group {k!r} is given twice ({k}={seen[k]}, {k}={v}); "
                                        "merge each group into one group only")
        seen[k] = v
    return seen


def prepare_groups(data: pd.DataFrame, group: str, model: str, *, merge: Mapping[str, str] | str | None = None,
                   min_group_size: int | None = None, measurement_only: bool = True
                   ) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str], list[str]]:
    """Merge groups if asked and apply the small-group rule: ``(data, sizes, mapping, warnings)``.

    ``sizes`` is :func:`group_size_table` after merging.  A group with ``n <= p`` raises
    :class:`~iur_survey.errors.EstimationError` naming the group and the ``merge=`` to use; groups below
    ``min_n`` give one warning each (returned, not issued), after the steps of ``merge="smallest"``
    (:func:`merge_step_notes`: what was merged and why; also ``sizes.attrs["merge_notes"]``).  ``merge`` may also be the CLI's string form
    ``"smallest"`` or ``"FROM=INTO,FROM=INTO"``.  ``model`` is reduced to its measurement part first
    (``measurement_only``).

    >>> d = pd.DataFrame({"g": ["a"] * 150 + ["b"] * 120 + ["c"] * 30, "x1": 0.0, "x2": 0.0, "x3": 0.0})
    >>> d2, sizes, mapping, w = prepare_groups(d, "g", "F =~ x1 + x2 + x3", merge="c=b")
    >>> sizes[["group", "n", "status"]].to_dict("list"), mapping, w
    ({'group': ['a', 'b'], 'n': [150, 150], 'status': ['ok', 'ok']}, {'c': 'b'}, [])
    """
    if measurement_only:
        model = measurement_part(model)
    if group not in data.columns:
        raise EstimationError(None, f"group column {group!r} is not in the data")
    sizes = group_size_table(data, group, model, min_group_size=min_group_size)
    if len(sizes) < 2:        # a comparison across groups asked of data without two groups: never a pooled fit
        have = "no value in any row" if sizes.empty else f"only one group, {str(sizes['group'].iloc[0])!r}"
        raise EstimationError(None, f"group column {group!r} has {have}: a multi-group fit needs at least two "
                                    f"groups; fit without --group (one pooled model), or check the column")
    data2, mapping = merge_groups(data, group, merge, sizes=sizes)
    steps = merge_step_notes(sizes, group) if isinstance(merge, str) and merge.strip() == "smallest" else []
    if mapping:
        sizes = group_size_table(data2, group, model, min_group_size=min_group_size)
    if mapping and len(sizes) < 2:
        raise EstimationError(None, f"after merging {mapping} only one group of {group!r} is left")
    p = int(sizes["p"].iloc[0])
    by_n = [str(g) for g in sizes.sort_values("n", kind="stable")["group"]]
    too_small = sizes[sizes["status"] == "too small"]
    if len(too_small):
        # the group's value is not shown: a group column may hold anything (a column of names or ids gives one
        # group per person), and this message reaches the terminal
        k, smallest = len(too_small), int(too_small["n"].min())
        advice = ("more respondents (with two groups, a merge would leave one), or a fit without --group"
                  if len(by_n) <= 2 else "--merge-groups FROM=INTO (the groups' values, as in the data) or "
                                         "--merge-groups smallest")
        raise EstimationError(None, f"{k} of the {len(sizes)} groups of {group!r} ha{'s' if k == 1 else 've'} no "
                                    f"more cases than the {p} observed variables (the smallest: {smallest} "
                                    f"case{'' if smallest == 1 else 's'}): {'its' if k == 1 else 'their'} covariance "
                                    f"matri{'x' if k == 1 else 'ces'} cannot be positive definite, so the multi-group "
                                    f"model cannot be fitted; it needs {advice}"
                                    + ("; a column with a group per person (names, ids) is no grouping variable"
                                       if smallest == 1 else ""))
    sizes.attrs["merge_notes"] = steps
    return data2, sizes, mapping, steps + small_group_warnings(sizes, group)


def small_group_warnings(sizes: pd.DataFrame, group: str, *, analysed: bool = False) -> list[str]:
    """One warning per group of ``sizes`` (:func:`group_size_table`) whose status is ``"small"``, with the
    merge to consider (shell-quoted, so that it can be typed as shown).  ``analysed``: the ``n`` are the cases
    the fit used (after listwise deletion), not the rows with a group value.

    >>> s = pd.DataFrame({"group": ["a", "b c", "d"], "n": [150, 40, 120], "p": 3, "q": 9, "min_n": 100,
    ...                   "status": ["ok", "small", "ok"]})
    >>> print(small_group_warnings(s, "g")[0].split("; ")[-1])
    consider --merge-groups 'b c=d' (or --merge-groups smallest)
    """
    q = int(sizes["q"].iloc[0]) if len(sizes) else 0
    by_n = [str(g) for g in sizes.sort_values("n", kind="stable")["group"]]
    what = "cases in the fit (after rows with missing values were dropped)" if analysed else "cases"
    warns = []
    for _, r in sizes[sizes["status"] == "small"].iterrows():
        warns.append(f"group {r['group']!r} of {group!r} has {int(r['n'])} {what}, fewer than the "
                     f"{int(r['min_n'])} the small-group rule asks (n >= max(100, q), q = {q} free parameters per "
                     "group in the configural model): its estimates are unstable and Chen's cut-offs were derived "
                     f"for larger groups; consider {_merge_advice(str(r['group']), by_n)}")
    return warns


def _merge_advice(lab: str, by_n: list[str]) -> str:
    """The --merge-groups to suggest for group ``lab`` (``by_n``: the labels, smallest group first)."""
    if len(by_n) <= 2:        # a merge would leave one group: nothing to compare
        return "more respondents (with two groups, a merge would leave one), or a fit without --group"
    other = next(g for g in by_n if g != lab)
    return f"--merge-groups {shlex.quote(f'{lab}={other}')} (or --merge-groups smallest)"


def fitted_group_sizes(sizes: pd.DataFrame, nobs: Mapping[str, int]) -> pd.DataFrame:
    """``sizes`` (:func:`group_size_table`) with ``n`` replaced by the cases a fit used per group (lavaan's
    ``nobs``: rows left after listwise deletion, or with an observed model variable under FIML) and the
    status re-judged on them.

    >>> s = pd.DataFrame({"group": ["a", "b"], "n": [156, 145], "p": 9, "q": 30, "min_n": 100,
    ...                   "status": ["ok", "ok"]})
    >>> fitted_group_sizes(s, {"a": 152, "b": 95})[["n", "status"]].to_dict("list")
    {'n': [152, 95], 'status': ['ok', 'small']}
    """
    out = sizes.copy()
    out["n"] = [int(nobs.get(str(g), n)) for g, n in zip(out["group"], out["n"])]
    out["status"] = ["too small" if n <= p else ("small" if n < m else "ok")
                     for n, p, m in zip(out["n"], out["p"], out["min_n"])]
    return out


def rejudge_group_sizes(sizes: pd.DataFrame, fit, group: str) -> tuple[pd.DataFrame, list[str] | None]:
    """The small-group rule on the cases ``fit`` used (:func:`fitted_group_sizes`): the new table and its
    warnings, or ``sizes`` and None when the fit used every row with a group value."""
    nobs = {str(lab): int(n) for lab, n in zip(fit.partable.group_labels, fit.nobs)}
    if nobs == {str(g): int(n) for g, n in zip(sizes["group"], sizes["n"])}:
        return sizes, None
    used = fitted_group_sizes(sizes, nobs)
    return used, small_group_warnings(used, group, analysed=True)


def _int_or(x, key: str):
    return int(round(x)) if x is not None and key in ("npar", "df", "df.scaled") else x


def group_chisq_lines(parts: Mapping | None, scaled: bool, caption: Callable[[str], str] = str,
                      width: int = 21) -> list[str]:
    """The lines under a step of the text summaries: each group's part of the step's χ² (``parts``: the step's
    ``stat.group``, ``{test name: {group: statistic}}``; ``scaled``: of the scaled test), its number ending in
    the χ² column (``width`` characters in); none without parts.

    >>> print("\\n".join(group_chisq_lines({"standard": {"Pasteur": 64.30911, "Grant-White": 51.54224}}, False)))
      Pasteur       64.31
      Grant-White   51.54
    """
    from .results_file import stat_group_of
    got = stat_group_of(parts, scaled) if isinstance(parts, Mapping) else None
    if not got:
        return []
    out = []
    for g, v in got.items():
        lab = "  " + caption(str(g))
        num = "-" if json_number(v) is None else f"{float(v):.2f}"
        out.append(lab + " " * max(1, width - len(lab) - len(num)) + num)
    return out


def fixed(x, width: int, decimals: int = 3) -> str:
    """A number of the text summaries' tables, right-aligned in ``width`` characters with ``decimals`` decimals;
    ``-`` when missing.  A value that rounds to zero is printed unsigned: a ΔCFI of -0.00004 is ``0.000``, not
    ``-0.000`` (which reads as a drop where there is none at the printed precision); every column of these
    tables (fit indices, their changes, χ², *p*) is read against zero or a cut-off, none is an effect whose
    sign is information.

    >>> fixed(-0.00004, 8), fixed(-0.0123, 8), fixed(12.3456, 9, 2), fixed(float("nan"), 6), fixed(-0.4, 6, 0)
    ('   0.000', '  -0.012', '    12.35', '     -', '     0')
    """
    x = json_number(x)
    if x is None:
        return " " * (width - 1) + "-"
    if round(x, decimals) == 0:
        x = 0.0
    return f"{x:>{width}.{decimals}f}"


def delta_decimals(x, cut, low: bool = False, decimals: int = 3) -> int:
    """The decimals that show a change in a fit index on the side of its cut-off it is on (up to 6): a ΔCFI of
    -0.00996 is not printed -0.010 beside "supported" (:func:`chen_decision`'s tie rule: at the cut-off counts
    against; ``low``: the cut-off is a lower bound, as ΔCFI's).

    >>> delta_decimals(-0.00996, -0.01, low=True), delta_decimals(-0.0104, -0.01, low=True), delta_decimals(0.002, None)
    (5, 3, 3)
    """
    x, cut = json_number(x), json_number(cut)
    if x is None or cut is None:
        return decimals

    def against(v):
        return v <= cut + 1e-12 if low else v >= cut - 1e-12
    while decimals < 6 and against(round(x, decimals)) != against(x):
        decimals += 1
    return decimals


def constrained_note(constrained: str | None, freed: Sequence[str] | str | None = None,
                     same: Sequence[str] | None = None) -> str:
    """What a step's decision adds when its ``group_equal`` left parameters free: the counts of
    :func:`constrained_text` and the parameters group.partial freed (a list, or the table's text); ``same``:
    those of them the step's model is the same without (a binary item's only threshold in the ordinal
    sequence, :func:`~iur_survey.sem.wlsmv_invariance.equivalent_frees`), said.

    >>> constrained_note("8 of 9 loadings", ["speed =~ x9"]), constrained_note("5 of 6 loadings"), constrained_note("")
    (' (8 of 9 loadings equal; freed: speed =~ x9)', ' (5 of 6 loadings equal)', '')
    >>> constrained_note("", ["A1 | t1"], ["A1 | t1"])
    " (freed: A1 | t1; the same model as with A1 | t1 equal: a binary item's only threshold)"
    """
    if not isinstance(constrained, str):         # a table cell: NaN when missing
        constrained = ""
    if not isinstance(freed, (str, list, tuple)):
        freed = None
    if not constrained and not freed:
        return ""
    parts = [f"{constrained} equal"] if constrained else []
    if freed:
        parts.append("freed: " + (freed if isinstance(freed, str) else ", ".join(freed)))
    if freed and isinstance(same, (list, tuple)) and same:
        parts.append(f"the same model as with {', '.join(same)} equal: a binary item's only threshold")
    return " (" + "; ".join(parts) + ")"


# ============================================================================================ result
@dataclass
class InvarianceResult:
    """What :func:`measurement_invariance` returns.

    ``table``: one row per step (fit, difference test to the previous step, changes, decision);
    ``lrt``: lavaan's ``lavTestLRT`` table of the fitted steps; ``fits``: step -> SEMResult (None when the fit
    failed); ``groups``: :func:`group_size_table` after merging; ``merge``: old -> new group labels;
    ``cutoffs``: the cut-offs used per step and their name; ``indices``: "standard" or "robust" (which CFI /
    RMSEA the changes use); ``level``: the last step of the unbroken run of "supported" steps
    ("configural" when metric is not supported; None when the configural model failed); ``model``: the
    measurement model the steps fitted; ``left_out``: the statements of the given model it left out
    (:func:`measurement_split`: regressions, intercepts, ``:=``, (co)variances outside the measurement model);
    ``group_partial``: step -> the parameters lavaan's ``group.partial`` freed from that step's constraints (a
    step with some is *partial* invariance: :attr:`level_text`).
    """

    model: str
    group: str
    estimator: str
    missing: str
    steps: list[str]
    group_equal: dict[str, tuple[str, ...]]
    fits: dict[str, SEMResult | None]
    table: pd.DataFrame
    lrt: pd.DataFrame | None
    groups: pd.DataFrame
    merge: dict[str, str]
    cutoffs: dict[str, tuple[float, float, float]]
    cutoffs_name: str
    indices: str
    lrt_method: str
    warnings: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    left_out: list[str] = field(default_factory=list)
    #: step -> the parameters group.partial freed from its constraints ("speed =~ x9", "x3 ~ 1"); none: full
    group_partial: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def level(self) -> str | None:
        if self.fits.get(self.steps[0]) is None:
            return None
        dec = self.table.set_index("step")["decision"]
        return sequence_level(self.steps, [dec[s] for s in self.steps])

    @property
    def level_text(self) -> str | None:
        """The verdict: the highest level supported, "partial scalar invariance (freed: x3 ~ 1, x7 ~ 1)" when
        group.partial freed parameters of its step (:func:`level_text`)."""
        level = self.level
        if level is None:
            return None
        return level_text(list(self.table["step"]), list(self.table["decision"]), level, self.group_partial)

    def to_dict(self) -> dict[str, Any]:
        """``{"invariance": [{"step", "group_equal", "fit", "test", "delta", "decision", "cutoffs"}, ...],
        "invariance_info": {...}}`` (JSON-safe: NaN -> None)."""
        items = []
        tab = self.table.set_index("step")
        for k, s in enumerate(self.steps):
            r = tab.loc[s]
            fit = {key: _int_or(json_number(r[key]), key) for key in _FIT_KEYS
                   if key in tab.columns and json_number(r[key]) is not None}
            item: dict[str, Any] = {"step": s, "group_equal": list(self.group_equal[s]),
                                    "converged": bool(r["converged"]) if self.fits.get(s) is not None else False,
                                    "fit": fit}
            if k == 0:
                item["test"] = None
                item["delta"] = None
                item["cutoffs"] = None
            else:
                item["test"] = {"chisq.diff": json_number(r["chisq.diff"]), "df.diff": _int_or(json_number(r["df.diff"]), "df"),
                                "pvalue": json_number(r["pvalue.diff"]), "method": self.lrt_method,
                                "versus": self.steps[k - 1]}
                item["delta"] = {"cfi": json_number(r["delta.cfi"]), "rmsea": json_number(r["delta.rmsea"]),
                                 "srmr": json_number(r["delta.srmr"])}
                c = self.cutoffs.get(s)
                item["cutoffs"] = None if c is None else {"cfi": c[0], "rmsea": c[1], "srmr": c[2]}
            if "stat.group" in tab.columns and r["stat.group"]:
                item["stat.group"] = dict(r["stat.group"])   # {test name: {group: its part}}, lavaan's stat.group
            item["decision"] = r["decision"]
            if "constrained" in tab.columns and r["constrained"]:
                item["constrained"] = r["constrained"]       # e.g. "5 of 6 loadings": labels / partial kept some free
            if self.group_partial.get(s):
                item["group_partial"] = list(self.group_partial[s])     # freed from this step's group_equal
            if s in self.errors:
                item["error"] = self.errors[s]
            items.append(item)
        info = {"group": self.group, "estimator": self.estimator, "missing": self.missing,
                "groups": {str(r["group"]): int(r["n"]) for _, r in self.groups.iterrows()},
                "merged": dict(self.merge), "indices": self.indices, "cutoffs": self.cutoffs_name,
                "lrt_method": self.lrt_method, "level": self.level, "warnings": list(self.warnings),
                "model": self.model, "left_out": list(self.left_out)}
        if any(self.group_partial.values()):
            info["group_partial"] = list(dict.fromkeys(x for v in self.group_partial.values() for x in v))
            info["level_text"] = self.level_text
        return {"invariance": items, "invariance_info": info}

    def summary(self, caption: Callable[[str], str] = str) -> str:
        """A compact text report: groups, the step table and the decisions.  ``caption`` shows a group label
        (the CLI passes :func:`iur_survey.report.format.group_caption` with the variable: ``role = 3``, never a
        bare ``3``)."""
        cfi_k, rmsea_k = _INDICES[self.indices]
        L = [f"Measurement invariance across {self.group!r} ({self.estimator}, missing = {self.missing})", ""]
        L.append("Groups: " + ", ".join(f"{caption(str(r['group']))} (n = {r['n']})" for _, r in self.groups.iterrows()))
        if self.merge:
            L.append("Merged: " + ", ".join(f"{caption(a)} -> {caption(b)}" for a, b in self.merge.items()))
        L.append("Model: " + "; ".join(self.model.splitlines()))
        if self.left_out:
            L.append("Left out (not measurement): " + "; ".join(self.left_out))
        L.append("")
        chi = "chisq.scaled" if "chisq.scaled" in self.table.columns else "chisq"
        head = (f"{'step':<11}{'chisq':>10}{'df':>6}{'CFI':>7}{'RMSEA':>7}{'SRMR':>7}"
                f"{'Δchisq':>9}{'Δdf':>5}{'p':>7}{'ΔCFI':>8}{'ΔRMSEA':>8}{'ΔSRMR':>8}  decision")
        L.append(head)
        L.append("-" * len(head))

        f = fixed
        for _, r in self.table.iterrows():
            cut = (tuple(self.cutoffs.get(r["step"]) or ()) + (None, None, None))[:3]   # a change by its cut-off
            L.append(f"{r['step']:<11}{f(r[chi], 10, 2)}{f(r['df'], 6, 0)}{f(r[cfi_k], 7)}{f(r[rmsea_k], 7)}"
                     f"{f(r['srmr'], 7)}{f(r['chisq.diff'], 9, 2)}{f(r['df.diff'], 5, 0)}{f(r['pvalue.diff'], 7)}"
                     f"{f(r['delta.cfi'], 8, delta_decimals(r['delta.cfi'], cut[0], low=True))}"
                     f"{f(r['delta.rmsea'], 8, delta_decimals(r['delta.rmsea'], cut[1]))}"
                     f"{f(r['delta.srmr'], 8, delta_decimals(r['delta.srmr'], cut[2]))}  {r['decision']}"
                     + constrained_note(r.get("constrained"), self.group_partial.get(r["step"])))
            L.extend(group_chisq_lines(r.get("stat.group"), chi == "chisq.scaled", caption))
        L.append("")
        idx = {"standard": "CFI, RMSEA", "robust": "robust CFI and RMSEA (Brosseau-Liard & Savalei)",
               "scaled": "scaled CFI and RMSEA"}[self.indices]
        if chi == "chisq.scaled":
            L.append("chisq: the scaled (Yuan-Bentler, Mplus variant) statistic of each step.")
        if any(bool(v) for v in self.table.get("stat.group", [])):
            L.append("Under each step: each group's part of its chisq (lavaan's stat.group; the parts add up to it).")
        L.append(f"Changes: later step minus earlier step, {idx}; difference test: {self.lrt_method}.")
        L.append(f"Cut-offs: {self.cutoffs_name}, a change reaching one counts against invariance; " + "; ".join(
            f"{s}: ΔCFI <= {c[0]:.3f}, ΔRMSEA >= {c[1]:.3f}, ΔSRMR >= {c[2]:.3f}" for s, c in self.cutoffs.items()))
        L.append("Highest level supported: " + (self.level_text or "none (the configural model was not fitted "
                                                                    "or did not converge)"))
        clash = lrt_disagreement(list(self.table["step"]), list(self.table["decision"]),
                                 list(self.table["pvalue.diff"]) if "pvalue.diff" in self.table.columns else [])
        if clash:
            L.append(f"Note: {clash} (the decisions follow the cut-offs; the test grows with n; locate a "
                     "non-invariant parameter with --equal ... --modindices: lavTestScore).")
        if self.warnings:
            L.append("")
            L.append("Warnings:")
            L.extend("  - " + w for w in self.warnings)
        return "\n".join(L)

    def __repr__(self) -> str:
        return (f"<InvarianceResult group={self.group!r} steps={self.steps} level={self.level!r} "
                f"estimator={self.estimator}>")


# ============================================================================================ the analysis
def _steps(steps) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for s in steps:
        if isinstance(s, str):
            if s not in STEPS:
                raise ValueError(f"unknown step {s!r} (known: {', '.join(STEPS)}; or give (name, group_equal))")
            out[s] = STEPS[s]
        else:
            name, ge = s
            ge = tuple(x.strip() for x in ([ge] if isinstance(ge, str) else ge))
            bad = [x for x in ge if x not in GROUP_EQUAL_NAMES]
            if bad:
                raise ValueError(f"step {name!r}: unknown group_equal {bad} (known: {', '.join(GROUP_EQUAL_NAMES)})")
            out[str(name)] = ge
    if len(out) < 1:
        raise ValueError("no steps")
    return out


def constrained_text(pt, group_equal: Sequence[str], group_partial: Sequence[str] = ()) -> str:
    """What a step's ``group_equal`` left unconstrained, e.g. ``"5 of 6 loadings"`` (group-specific labels
    or ``group_partial`` keep some free), ``""`` when every parameter of its classes is equal across groups
    (:func:`~iur_survey.sem.partable.group_equal_reach`).

    >>> from iur_survey.sem.partable import build_partable
    >>> constrained_text(build_partable("F =~ x1 + c(a, b)*x2 + x3", ngroups=2, group_equal=["loadings"]), ["loadings"])
    '1 of 2 loadings'
    """
    from .partable import _CLASS_WORDS, group_equal_reach

    reach = group_equal_reach(pt, group_equal, group_partial)
    return "; ".join(f"{len(r['equal'])} of {len(r['of'])} {_CLASS_WORDS.get(c, c)}" for c, r in reach.items()
                     if len(r["equal"]) < len(r["of"]))


def step_partials(model: str, spec: Mapping[str, Sequence[str]], group_partial: Sequence[str], ngroups: int,
                  **sem_kwargs) -> dict[str, tuple[str, ...]]:
    """Each step's ``group_partial`` (lavaan's ``group.partial``, whitespace removed: ``"x3~1"``): the entries
    whose class the step's ``group_equal`` constrains.  Every entry must free a parameter in some step
    (:func:`~iur_survey.sem.partable.group_partial_freed` on the table of all the steps' classes), else a
    :class:`~iur_survey.errors.ModelSyntaxError`, before any fit.  ``sem_kwargs``: the fits' options that shape
    the table (``std_lv``: the first loading is free; ``fixed_x``, ``orthogonal``).

    >>> step_partials("F =~ x1 + x2 + x3", {"configural": (), "metric": ("loadings",),
    ...               "scalar": ("loadings", "intercepts")}, ["x3 ~ 1", "F =~ x2"], 2)
    {'configural': (), 'metric': ('F=~x2',), 'scalar': ('x3~1', 'F=~x2')}
    """
    from .partable import build_partable, group_equal_class, group_partial_freed, _partial_key

    entries = [_partial_key(p) for p in group_partial if str(p).strip()]
    if not entries:
        return {s: () for s in spec}
    every = tuple(dict.fromkeys(c for ge in spec.values() for c in ge))
    shape = {k: sem_kwargs[k] for k in ("std_lv", "fixed_x", "orthogonal") if k in sem_kwargs}
    pt = build_partable(model, meanstructure=True, ngroups=max(2, ngroups), group_equal=every,
                        group_partial=entries, **shape)
    group_partial_freed(pt, every, list(group_partial))
    lvset = set(pt.lv_names[0])
    ovnox = set(v for v in pt.ov_names[0] if v not in set(pt.ov_x(0)))
    cls = {f"{pt.lhs[i]}{pt.op[i]}{pt.rhs[i]}": group_equal_class(pt.lhs[i], pt.op[i], pt.rhs[i], lvset, ovnox)
           for i in range(len(pt))}
    return {s: tuple(dict.fromkeys(k for k in entries if cls.get(k) in ge)) for s, ge in spec.items()}


def step_warnings(warns: list[str], seen: set[str], step: str, messages) -> None:
    """Add a step's fit warnings to ``warns`` as ``"step: message"``; a message every step repeats (rows
    dropped, labels) is given once, with the first step that gave it.

    >>> warns, seen = [], set()
    >>> step_warnings(warns, seen, "configural", ["5 rows dropped"])
    >>> step_warnings(warns, seen, "metric", ["5 rows dropped", "a Heywood case"])
    >>> warns
    ['configural: 5 rows dropped', 'metric: a Heywood case']
    """
    for w in messages:
        if w not in seen:
            seen.add(w)
            warns.append(f"{step}: {w}")


def _fit_step(payload: tuple, task: tuple) -> SEMResult | str:
    """One step of :func:`measurement_invariance` (``task``: its group_equal and group_partial): the fit, or the
    message of the error that stopped it."""
    from .api import sem

    model, data, kwargs = payload
    group_equal, group_partial = task
    try:
        return sem(model, data, group_equal=group_equal, group_partial=group_partial,
                   warn=False, **kwargs)                                        # the steps' warnings: reported
    except EstimationError as exc:                                                  # by the caller
        return exc.message if hasattr(exc, "message") else str(exc)


def _failed(out) -> bool:
    """Whether a step's outcome (:func:`_fit_step`) is no converged fit."""
    return isinstance(out, str) or out is SKIPPED or not out.converged


def models_named(steps: Sequence[str]) -> str:
    """``"the metric, scalar and strict models"`` (the warnings and the book's prose name the steps so).

    >>> models_named(["metric"]), models_named(["metric", "scalar", "strict"])
    ('the metric model', 'the metric, scalar and strict models')
    """
    steps = list(steps)
    if len(steps) == 1:
        return f"the {steps[0]} model"
    return f"the {', '.join(steps[:-1])} and {steps[-1]} models"


def fit_sequence(func: Callable[[Any, Any], Any], tasks: Sequence[Any], *, payload: Any, failed: Callable[[Any], bool],
                 workers: int = 1, scheduler: Any = None, progress: bool | str | None = None,
                 desc: str = "invariance") -> list:
    """``[func(payload, task) for task in tasks]``, the fits of an invariance sequence's steps, as
    :func:`iur_survey.sem.parallel.map_chunks` runs them; a first step (the baseline: the configural model)
    whose outcome ``failed`` answers True for (it did not converge, or could not be fitted) ends the sequence:
    the later steps are not started, those running are ended, and every one of them is
    :data:`~iur_survey.sem.parallel.SKIPPED` (the same result whatever ran before the stop).  The one rule of
    the ML and the ordinal (WLSMV) sequences; :func:`skipped_text` says it.

    >>> fit_sequence(lambda p, t: p * t, [0, 1, 2], payload=10, failed=lambda out: out == 0, progress=False)
    [0, SKIPPED, SKIPPED]
    >>> fit_sequence(lambda p, t: p * t, [1, 0, 2], payload=10, failed=lambda out: out == 0, progress=False)
    [10, 0, 20]
    """
    done = map_chunks(func, list(tasks), payload=payload, workers=workers, scheduler=scheduler, progress=progress,
                      desc=desc, unit="models", stop=lambda i, out: i == 0 and failed(out))
    if len(done) > 1 and failed(done[0]):
        done = [done[0]] + [SKIPPED] * (len(done) - 1)
    return done


def skipped_text(first: str, skipped: Sequence[str], why: str) -> str:
    """The warning of a sequence that :func:`fit_sequence` ended at its baseline ``first``: which steps were not
    fitted, and ``why`` (``"did not converge"``, ``"could not be fitted"``).

    >>> skipped_text("configural", ["metric", "scalar"], "did not converge")
    'the metric and scalar models were not fitted: the configural model, the baseline of the sequence, did not converge'
    """
    skipped = list(skipped)
    return (f"{models_named(skipped)} {'was' if len(skipped) == 1 else 'were'} not fitted: the {first} model, the baseline "
            f"of the sequence, {why}")


def measurement_invariance(model: str | None, data: pd.DataFrame, group: str, *, estimator: str = "ML",
                           missing: str = "auto", steps: Sequence = ("configural", "metric", "scalar", "strict"),
                           min_group_size: int | None = None, merge: Mapping[str, str] | str | None = None,
                           group_partial: Sequence[str] = (), cutoffs: str | Mapping = "auto",
                           indices: str = "auto", lrt_method: str = "default", measurement_only: bool = True,
                           warn: bool = True, workers: int = 1, scheduler: Any = None,
                           progress: bool | str | None = None, **sem_kwargs) -> InvarianceResult:
    """Fit the invariance steps and compare them (see the module docstring).

    Parameters
    ----------
    model : lavaan syntax, given by the caller.  With ``measurement_only`` (default) only the ``=~`` / ``~~``
        lines are used (:func:`measurement_part`): invariance is a property of the measurement model.
    data, group : the data and its group column (e.g. ``"role"``)
    estimator, missing : as :func:`iur_survey.sem.sem` ("ML"/"MLR"; "auto"/"fiml"/"ml.x"/"listwise")
    steps : step names of :data:`STEPS` or ``(name, group_equal)`` pairs, in nesting order
    min_group_size, merge : the small-group rule and group merging (module docstring)
    group_partial : lavaan's ``group.partial`` (e.g. ``["GOV =~ GOV3", "GOV3 ~ 1"]``): each entry is freed in
        every step whose ``group_equal`` constrains its class (a loading from metric on, an intercept from scalar
        on: lavaan's and semTools' reading); an entry that no step constrains, or that names no parameter, the
        marker loading or a labelled parameter, is a :class:`~iur_survey.errors.ModelSyntaxError`
        (:func:`~iur_survey.sem.partable.group_partial_freed`; lavaan would ignore it)
    cutoffs : "auto" (Chen's small-sample set when total N <= 300, else the standard set), "chen2007",
        "chen2007.small", or a mapping step -> (ΔCFI, ΔRMSEA, ΔSRMR); steps without an entry use the scalar
        cut-offs
    indices : "auto" (robust CFI/RMSEA for MLR, standard otherwise), "standard", "scaled", "robust"
    lrt_method : passed to :func:`iur_survey.sem.compare.lrt`
    workers, scheduler, progress : the steps are independent fits, run as
        :func:`iur_survey.sem.parallel.map_chunks` runs tasks (``workers > 1``: local processes; a Dask
        ``scheduler`` address or client: a cluster); ``progress``: a bar counting the fitted models (``None``:
        only on a terminal; ``"lines"``: a line per model with the time taken)
    sem_kwargs : passed to every :func:`iur_survey.sem.sem` call

    Returns an :class:`InvarianceResult`.
    """
    if model is None:
        raise EstimationError(None, "measurement_invariance(): give the model (lavaan syntax)")
    left_out: list[str] = []
    if measurement_only:
        kept, left_out = measurement_split(model)
        model = "\n".join(kept)
    spec = _steps(steps)
    names = list(spec)
    data2, sizes, mapping, warns = prepare_groups(data, group, model, merge=merge, min_group_size=min_group_size,
                                                  measurement_only=False)
    if len(sizes) < 2:
        raise EstimationError(None, f"measurement invariance needs at least two groups in {group!r}")
    tied_out = _tied_left_out(model, left_out)
    if tied_out:           # labels of the measurement model whose '==' line reaches outside it: said
        warns.append("left out with the structural part: " + "; ".join(f"'{x}'" for x in tied_out) + " (it "
                     "ties a label of the measurement model to a parameter outside it); without it the "
                     "labelled parameters are held only by their labels in every step")
    n_size_warns = len(warns)
    if isinstance(cutoffs, str) and cutoffs.lower() not in ("auto", "chen2007", "chen2007.small", "chen2007_small"):
        raise ValueError(f"cutoffs={cutoffs!r}: use 'auto', 'chen2007', 'chen2007.small' or a mapping")
    est_name = str(estimator).upper()
    ind = indices
    if ind == "auto":
        ind = "robust" if est_name == "MLR" else "standard"
    if ind not in _INDICES:
        raise ValueError(f"indices={indices!r}: use 'auto', 'standard', 'scaled' or 'robust'")
    cfi_k, rmsea_k = _INDICES[ind]
    partial = step_partials(model, spec, group_partial, len(sizes), **sem_kwargs)     # checked before any fit
    # ---- fits: the steps are independent models, fitted one per task (in parallel with workers > 1)
    fits: dict[str, SEMResult | None] = {}
    errors: dict[str, str] = {}
    seen: set[str] = set()
    payload = (model, data2, dict(estimator=estimator, missing=missing, group=group, **sem_kwargs))
    # a configural model that does not converge (or cannot be fitted) ends the sequence: the later steps are
    # not started, and those running are ended (their verdict is "not evaluated" whatever their fit)
    done = fit_sequence(_fit_step, [(spec[s], partial[s]) for s in names], payload=payload, failed=_failed,
                        workers=workers, scheduler=scheduler, progress=progress, desc="invariance")
    for s, out in zip(names, done):
        if out is SKIPPED:
            fits[s] = None
            continue
        if isinstance(out, str):
            fits[s] = None
            errors[s] = out
            warns.append(f"the {s} model could not be fitted: {errors[s]}")
            continue
        fits[s] = out
        if not fits[s].converged:
            warns.append(f"the {s} model did not converge")
        step_warnings(warns, seen, s, fits[s].warnings)
    if _failed(done[0]) and len(names) > 1:
        warns.append(skipped_text(names[0], names[1:], "could not be fitted" if isinstance(done[0], str)
                                  else "did not converge"))
    # ---- the cases the fits used (lavaan's nobs: after listwise deletion), not the rows with a group value
    used = next((f for f in fits.values() if f is not None), None)
    if used is not None:
        sizes, size_warns = rejudge_group_sizes(sizes, used, group)     # the small-group rule judged on them, too
        if size_warns is not None:
            warns = size_warns + warns[n_size_warns:]
    # ---- cut-offs
    N = int(sizes["n"].sum())
    if isinstance(cutoffs, str):
        key = cutoffs.lower()
        if key == "auto":
            key = "chen2007.small" if N <= 300 else "chen2007"
        if key == "chen2007":
            base = CHEN_2007
        else:                        # "chen2007.small" / "chen2007_small" (other names are refused above)
            base, key = CHEN_2007_SMALL, "chen2007.small"
        cut_name = f"Chen (2007){' small-sample (total N <= 300)' if key == 'chen2007.small' else ''}"
    else:
        base = {str(k): tuple(float(x) for x in v) for k, v in cutoffs.items()}
        cut_name = "user"
    cut = {s: tuple(base.get(s, base.get("scalar", CHEN_2007["scalar"]))) for s in names[1:]}
    ok = [s for s in names if fits[s] is not None and fits[s].converged]
    lrt_tab = None
    lrt_used = lrt_method
    if len(ok) >= 2:
        with _warnings.catch_warnings():
            _warnings.simplefilter("ignore")
            lrt_tab = lrt(*[fits[s] for s in ok], model_names=ok, method=lrt_method, data=data2, warn=False)
        lrt_used = lrt_tab.attrs["method"]
        warns.extend(f"lavTestLRT: {w}" for w in lrt_tab.attrs["warnings"])
    # ---- the table
    rows = []
    prev = None
    for k, s in enumerate(names):
        res = fits[s]
        row: dict[str, Any] = {"step": s, "group_equal": ",".join(spec[s]),
                               "converged": bool(res.converged) if res is not None else False,
                               "constrained": "" if res is None else constrained_text(res.partable, spec[s],
                                                                                       partial[s]),
                               # the parameters group.partial freed from this step's constraints
                               "group_partial": ", ".join(partial_display(k) for k in partial[s])}
        # a step that did not converge has no fit measures (its fit: all NaN; fit_measures() refuses it)
        fm = pd.Series(dtype=float) if res is None else res.fit_measures() if res.converged else res.fit
        for key in _FIT_KEYS:
            if res is None or key in fm.index:
                row[key] = float(fm[key]) if key in fm.index else float("nan")
        # each group's part of the step's test(s), lavaan's stat.group ({test name: {group: statistic}})
        row["stat.group"] = res.group_tests() if res is not None and res.converged else {}
        row.update({"chisq.diff": np.nan, "df.diff": np.nan, "pvalue.diff": np.nan,
                    "delta.cfi": np.nan, "delta.rmsea": np.nan, "delta.srmr": np.nan})
        if k == 0:
            row["decision"] = "baseline" if res is not None and res.converged else "not evaluated"
        else:
            pres = fits[prev]
            if res is not None and pres is not None and res.converged and pres.converged:
                pf = pres.fit_measures()
                if lrt_tab is not None and s in lrt_tab.index:
                    pos = list(lrt_tab.index).index(s)
                    if pos > 0 and lrt_tab.index[pos - 1] == prev:
                        row["chisq.diff"] = float(lrt_tab.loc[s, "Chisq diff"])
                        row["df.diff"] = float(lrt_tab.loc[s, "Df diff"])
                        row["pvalue.diff"] = float(lrt_tab.loc[s, "Pr(>Chisq)"])
                row["delta.cfi"] = float(fm.get(cfi_k, np.nan) - pf.get(cfi_k, np.nan))
                row["delta.rmsea"] = float(fm.get(rmsea_k, np.nan) - pf.get(rmsea_k, np.nan))
                row["delta.srmr"] = float(fm.get("srmr", np.nan) - pf.get("srmr", np.nan))
                row["decision"] = chen_decision(row["delta.cfi"], row["delta.rmsea"], row["delta.srmr"], cut[s])
            else:
                row["decision"] = "not evaluated"
        rows.append(row)
        prev = s
    table = pd.DataFrame(rows)
    # "judgement": the cut-offs' verdict of each change alone; "decision": the sequence's (stops at the first failure)
    table["judgement"] = table["decision"]
    table["decision"] = sequence_decisions(names, table["judgement"].tolist())
    for col in ("npar", "df", "df.diff"):
        if col in table.columns:
            table[col] = table[col].round().astype("Int64")
    if warn:
        for w in warns:
            _warnings.warn(w, stacklevel=2)
    return InvarianceResult(model=model, group=group, estimator=est_name,
                            missing=next((f.missing for f in fits.values() if f is not None), str(missing)),
                            steps=names, group_equal=spec, fits=fits, table=table, lrt=lrt_tab, groups=sizes,
                            merge=mapping, cutoffs=cut, cutoffs_name=cut_name, indices=ind, lrt_method=lrt_used,
                            warnings=warns, errors=errors, left_out=left_out,
                            group_partial={s: tuple(partial_display(k) for k in partial[s]) for s in names})


def compare_decisions(table: pd.DataFrame, other: pd.DataFrame,
                      steps: tuple[str, ...] = ("metric", "scalar", "strict")) -> pd.DataFrame:
    """The decisions of two invariance analyses of the same model side by side (e.g. with and without merging
    small groups): one row per step, ``decision``, ``other`` (``"not fitted"`` for a step a table lacks) and
    ``same``.

    >>> a = pd.DataFrame({"step": ["metric", "scalar"], "decision": ["supported", "supported"]})
    >>> b = pd.DataFrame({"step": ["metric", "scalar"], "decision": ["supported", "not supported"]})
    >>> compare_decisions(a, b)["same"].tolist()
    [True, False, True]
    """
    def lookup(t: pd.DataFrame) -> list[str]:
        d = dict(zip(t["step"], t["decision"]))
        return [str(d.get(step, "not fitted")) for step in steps]
    out = pd.DataFrame({"step": list(steps), "decision": lookup(table), "other": lookup(other)})
    out["same"] = out["decision"] == out["other"]
    return out
