"""lavaan's parameter table, with the defaults of lavaan's ``sem()`` / ``cfa()``.

:func:`build_partable` turns parsed syntax (:func:`~iur_survey.sem.syntax.parse_model`)
into a :class:`ParTable` whose rows, their order and the columns ``id lhs op rhs
user block group free ustart exo label plabel`` are those of lavaan 0.6.14's
``parTable()`` (so that ``parameterEstimates()`` lines up row by row):

1. the rows the user wrote, in the order written (covariances re-oriented as
   lavaan does: the variable that comes first in ``c(lv.names, ov.names)`` on
   the left);
2. then lavaan's default rows: residual variances of the non-exogenous observed
   variables, variances of the latent variables, covariances among exogenous
   latent variables (``auto.cov.lv.x``) and among purely endogenous variables
   (``auto.cov.y``), the (fixed.x) variances/covariances of exogenous observed
   covariates, and with a mean structure the intercepts;
3. ``:=`` / ``==`` / ``<`` / ``>`` rows, then lavaan's own ``==`` rows for
   shared labels (``user == 2``).

The first loading of every factor is fixed to 1 (``auto.fix.first``), the
residual variance of a single indicator that loads on nothing else is fixed
to 0 (``auto.fix.single``), latent means are fixed to 0, observed intercepts
are free (``int.ov.free``), and with ``fixed_x=True`` the variances,
covariances and means of exogenous observed covariates are not free
parameters (``exo == 1``; the fit fills in their sample values).

Shared labels impose equality: the rows keep their own lavaan ``free``
number (as lavaan with ``ceq.simple = FALSE``) but map to one estimated
parameter (:attr:`ParTable.par_index`).

>>> from iur_survey.sem.syntax import parse_model
>>> pt = build_partable(parse_model("F =~ x1 + x2 + x3\\ny ~ F + z"))
>>> print(pt.to_frame()[["lhs", "op", "rhs", "user", "free", "ustart", "exo"]].to_string())
   lhs  op rhs  user  free  ustart  exo
0    F  =~  x1     1     0     1.0    0
1    F  =~  x2     1     1     NaN    0
2    F  =~  x3     1     2     NaN    0
3    y   ~   F     1     3     NaN    0
4    y   ~   z     1     4     NaN    0
5   x1  ~~  x1     0     5     NaN    0
6   x2  ~~  x2     0     6     NaN    0
7   x3  ~~  x3     0     7     NaN    0
8    y  ~~   y     0     8     NaN    0
9    F  ~~   F     0     9     NaN    0
10   z  ~~   z     0     0     NaN    1
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from ..errors import ModelSyntaxError
from .syntax import Constraint, ParsedModel, Term, expression_names, parse_model

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ParTable", "build_partable", "vnames", "term_labels", "group_equal_class", "group_equal_reach", "group_warnings",
           "SINGLE_LABEL_WARNING"]

_CON_OPS = (":=", "==", "<", ">")


# ----------------------------------------------------------------------------- variable names
def _unique(seq) -> list:
    out, seen = [], set()
    for x in seq:
        if x not in seen:
            seen.add(x)
            out.append(x)
    return out


def vnames(lhs: Sequence[str], op: Sequence[str], rhs: Sequence[str],
           user: Sequence[int] | None = None, exo: Sequence[int] | None = None) -> dict[str, list[str]]:
    """lavaan's ``lav_partable_vnames`` for one block: ``ov``, ``ov.x``, ``ov.nox``,
    ``ov.y``, ``ov.ind``, ``lv``, ``lv.x``, ``lv.y``, ``eqs.y``, ``eqs.x``.

    >>> v = vnames(["F", "F", "y", "y"], ["=~", "=~", "~", "~"], ["a", "b", "F", "x"])
    >>> v["ov"], v["ov.x"], v["lv.x"], v["ov.y"]
    (['a', 'b', 'y', 'x'], ['x'], ['F'], ['y'])
    """
    n = len(lhs)
    user = [1] * n if user is None else list(user)
    exo = [0] * n if exo is None else list(exo)
    lv = _unique(l for l, o in zip(lhs, op) if o in ("=~", "<~"))
    lvset = set(lv)
    eqs_y = _unique(l for l, o in zip(lhs, op) if o == "~")
    eqs_x = _unique(r for r, o in zip(rhs, op) if o in ("~", "<~"))
    v_ind = _unique(r for r, o in zip(rhs, op) if o == "=~")
    ov_ind = [v for v in v_ind if v not in lvset]
    ov_y = [v for v in eqs_y if v not in lvset and v not in ov_ind]
    ov_x = [v for v in eqs_x if v not in lvset and v not in ov_ind and v not in ov_y]
    ov_cov = ([l for l, o in zip(lhs, op) if o == "~~" and l not in lvset]
              + [r for r, o in zip(rhs, op) if o == "~~" and r not in lvset])
    ov_int = [l for l, o in zip(lhs, op) if o in ("~1", "|") and l not in lvset]
    ov_tmp = ov_ind + ov_y + ov_x
    extra = _unique(ov_cov + ov_int)
    ov = ov_tmp + [v for v in extra if v not in ov_tmp]
    # ov.x: exogenous covariates without user-specified (co)variances/intercepts
    uvars = set(l for l, o, u in zip(lhs, op, user) if o in ("~1", "~~") and u == 1)
    uvars |= set(r for r, o, u in zip(rhs, op, user) if o == "~~" and u == 1)
    ov_x2 = [v for v in ov_x if v not in uvars]
    exo_extra = _unique([l for l, o, e in zip(lhs, op, exo) if o == "~~" and e == 1]
                        + [r for r, o, e in zip(rhs, op, exo) if o == "~~" and e == 1]
                        + [l for l, o, e in zip(lhs, op, exo) if o == "~1" and e == 1])
    ov_names_x = ov_x2 + [v for v in exo_extra if v not in ov_x2]
    ov_nox = [v for v in ov if v not in set(ov_names_x)]
    lv_x = [v for v in lv if v not in set(v_ind) and v not in set(eqs_y)]
    tmp_y = [v for v in eqs_y if v not in set(v_ind) and v not in set(eqs_x) and v not in lvset]
    ov_y2 = [v for v in ov if v in set(tmp_y)]
    tmp_ly = [v for v in eqs_y if v not in set(v_ind) and v not in set(eqs_x) and v in lvset]
    lv_y = [v for v in lv if v in set(tmp_ly)]
    return {"ov": ov, "ov.x": ov_names_x, "ov.nox": ov_nox, "ov.y": ov_y2, "ov.ind": ov_ind,
            "lv": lv, "lv.x": lv_x, "lv.y": lv_y, "eqs.y": eqs_y, "eqs.x": eqs_x}


# ----------------------------------------------------------------------------- the table
@dataclass
class ParTable:
    """lavaan's parameter table (see the module docstring).

    Columns are plain lists / arrays; :meth:`to_frame` gives the DataFrame.
    ``par_index[i]`` is the index of row ``i`` in the vector of estimated
    parameters (-1 for a fixed row), shared by rows with equal labels.
    """

    id: list[int]
    lhs: list[str]
    op: list[str]
    rhs: list[str]
    user: list[int]
    block: list[int]
    group: list[int]
    free: list[int]
    ustart: list[float]
    exo: list[int]
    label: list[str]
    plabel: list[str]
    start: list[float] = field(default_factory=list)
    par_index: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    ngroups: int = 1
    group_labels: list[str] = field(default_factory=list)
    meanstructure: bool = False
    fixed_x: bool = True
    ov_names: list[list[str]] = field(default_factory=list)      # per block, lavaan's order
    lv_names: list[list[str]] = field(default_factory=list)
    ov_x_names: list[list[str]] = field(default_factory=list)
    #: the observed exogenous covariates whatever fixed_x (lavaan's "ov.x"); ov_x_names is empty without fixed.x
    ov_x_all: list[list[str]] = field(default_factory=list)
    constraints: list[Constraint] = field(default_factory=list)   # user :=, ==, <, > (parsed)
    equality: list[Constraint] = field(default_factory=list)      # '==' not reducible to shared labels
    syntax: str = ""
    source: str = "<model syntax>"

    def __len__(self) -> int:
        return len(self.lhs)

    @property
    def npar(self) -> int:
        """The number of estimated parameters (equality-constrained rows count once)."""
        return int(self.par_index.max()) + 1 if len(self.par_index) and self.par_index.max() >= 0 else 0

    @property
    def nfree(self) -> int:
        """lavaan's count of free rows (before equality constraints)."""
        return int(max(self.free)) if self.free else 0

    @property
    def model_rows(self) -> np.ndarray:
        """Indices of the rows that are model parameters (not :=, ==, <, >)."""
        return np.array([i for i, o in enumerate(self.op) if o not in _CON_OPS], dtype=int)

    @property
    def def_rows(self) -> np.ndarray:
        return np.array([i for i, o in enumerate(self.op) if o == ":="], dtype=int)

    def ov_x(self, g: int) -> list[str]:
        """lavaan's ``ov.x`` of block ``g`` (0-based): the observed exogenous covariates whatever ``fixed_x``
        (``ov_x_names`` is empty without fixed.x).

        >>> build_partable(parse_model("y ~ x1 + x2"), fixed_x=False).ov_x(0)
        ['x1', 'x2']
        """
        return list(self.ov_x_all[g] if len(self.ov_x_all) > g else self.ov_x_names[g])

    def ov_all(self) -> list[str]:
        """Every observed variable the model uses (over blocks, first-seen order)."""
        return _unique(v for names in self.ov_names for v in names)

    def to_frame(self) -> pd.DataFrame:
        """The table as a DataFrame with lavaan's column names.

        >>> pt = build_partable(parse_model("F =~ x1 + x2 + x3"))
        >>> list(pt.to_frame().columns)
        ['id', 'lhs', 'op', 'rhs', 'user', 'block', 'group', 'free', 'ustart', 'exo', 'label', 'plabel']
        """
        import pandas as pd

        return pd.DataFrame({
            "id": self.id, "lhs": self.lhs, "op": self.op, "rhs": self.rhs, "user": self.user,
            "block": self.block, "group": self.group, "free": self.free, "ustart": self.ustart,
            "exo": self.exo, "label": self.label, "plabel": self.plabel})


def _err(pm: ParsedModel, msg: str, line: int = 0, col: int = 0) -> ModelSyntaxError:
    if line:
        return ModelSyntaxError(pm.source, msg, row=line, column=str(col))
    return ModelSyntaxError(pm.source, msg)


def _reorder_covariances(terms: list[Term]) -> list[Term]:
    """lavaan's lav_partable_covariance_reorder: lhs of a covariance comes first in c(lv, ov)."""
    v = vnames([t.lhs for t in terms], [t.op for t in terms], [t.rhs for t in terms])
    order = {name: i for i, name in enumerate(_unique(v["lv"] + v["ov"]))}
    out = []
    for t in terms:
        if t.op == "~~" and t.lhs != t.rhs and order.get(t.lhs, 0) > order.get(t.rhs, 0):
            t = Term(t.rhs, t.op, t.lhs, t.block, t.fixed, t.start, t.labels, t.lower, t.upper, t.line, t.col)
        out.append(t)
    return out


def term_labels(t: Term) -> tuple[str, ...] | None:
    """The labels of a term as lavaan 0.6.14 applies them: an ``NA`` in a label vector is dropped (so
    ``c(a, NA)*x`` is the single label ``a``, recycled to every group), and no label is left as None.

    >>> from iur_survey.sem.syntax import parse_model
    >>> [term_labels(t) for t in parse_model("F =~ x1 + c(a, NA)*x2 + c(NA, NA)*x3 + c(b, d)*x4").terms]
    [None, ('a',), None, ('b', 'd')]
    """
    if t.labels is None:
        return None
    kept = tuple(x for x in t.labels if x)
    return kept or None


def _per_group(values: tuple | None, ngroups: int, t: Term, what: str, pm: ParsedModel):
    if values is None:
        return None
    if len(values) == 1:
        return list(values) * ngroups
    if len(values) != ngroups:
        raise _err(pm, f"{what} modifier of {t.lhs} {t.op} {t.rhs} has {len(values)} values "
                       f"but the model has {ngroups} group(s)", t.line, t.col)
    return list(values)


#: lavaan's group.equal names that the table implements ("thresholds" needs ordinal multi-group)
GROUP_EQUAL_NAMES = ("loadings", "intercepts", "means", "regressions", "residuals", "residual.covariances",
                     "lv.variances", "lv.covariances")


@dataclass(frozen=True)
class _AutoRules:
    """The ``sem()`` / ``cfa()`` options that decide which default rows are free or fixed."""

    auto_var: bool
    std_lv: bool
    auto_fix_first: bool
    auto_fix_single: bool
    orthogonal: bool
    meanstructure: bool
    int_ov_free: bool
    int_lv_free: bool
    fixed_x: bool
    group_equal: tuple[str, ...]


def _partable_default_rows(terms: list[Term], meanstructure: bool, auto_cov_lv_x: bool, auto_cov_y: bool):
    """The user's rows of one block followed by lavaan's default rows (lav_partable_flat): (residual)
    variances, covariances of exogenous latents / of endogenous variables, the fixed.x block, intercepts.
    Returns ``(lhs, op, rhs, user, the Term of each user row (None for a default row), vnames)``."""
    L = [t.lhs for t in terms]
    O = [t.op for t in terms]
    R = [t.rhs for t in terms]
    v = vnames(L, O, R)
    lv, ov, ovx, ovnox = v["lv"], v["ov"], v["ov.x"], v["ov.nox"]
    lv_x, lv_y, ov_y = v["lv.x"], v["lv.y"], v["ov.y"]
    dl, dr = [], []
    dl += ovnox + lv
    dr += ovnox + lv
    if auto_cov_lv_x and len(lv_x) > 1:
        for a, b in combinations(lv_x, 2):
            dl.append(a)
            dr.append(b)
    lvov_y = lv_y + ov_y
    if auto_cov_y and len(lvov_y) > 1:
        for a, b in combinations(lvov_y, 2):
            dl.append(a)
            dr.append(b)
    nx = len(ovx)
    for j in range(nx):
        for i in range(j, nx):
            dl.append(ovx[j])
            dr.append(ovx[i])
    dop = ["~~"] * len(dl)
    if meanstructure:
        for name in ov + lv:
            dl.append(name)
            dr.append("")
            dop.append("~1")
    user_keys = {(t.lhs, t.op, t.rhs) for t in terms}
    keep = [k for k in range(len(dl)) if (dl[k], dop[k], dr[k]) not in user_keys]
    L2 = L + [dl[k] for k in keep]
    O2 = O + [dop[k] for k in keep]
    R2 = R + [dr[k] for k in keep]
    U2 = [1] * len(terms) + [0] * len(keep)
    mods: list[Term | None] = list(terms) + [None] * len(keep)
    return L2, O2, R2, U2, mods, v


def _partable_free_fixed(L2: list[str], O2: list[str], R2: list[str], U2: list[int], v: dict, g: int,
                         rules: _AutoRules) -> tuple[list[int], list[float], list[int]]:
    """``free`` / ``ustart`` / ``exo`` of the rows of one block (0-based group ``g``) by lavaan's auto.* rules
    (auto.var, std.lv, auto.fix.first, auto.fix.single, orthogonal, intercepts, fixed.x, group.equal)."""
    lv, ov, ovx = v["lv"], v["ov"], v["ov.x"]
    auto_var, std_lv, auto_fix_first = rules.auto_var, rules.std_lv, rules.auto_fix_first
    auto_fix_single, orthogonal, meanstructure = rules.auto_fix_single, rules.orthogonal, rules.meanstructure
    int_ov_free, int_lv_free, fixed_x = rules.int_ov_free, rules.int_lv_free, rules.fixed_x
    group_equal = rules.group_equal
    n = len(L2)
    free = [1] * n
    ustart = [math.nan] * n
    exo = [0] * n
    if not auto_var:
        for i in range(n):
            if O2[i] == "~~" and L2[i] == R2[i] and U2[i] == 0:
                free[i], ustart[i] = 0, 0.0
    if std_lv:
        for i in range(n):
            if O2[i] == "~~" and L2[i] == R2[i] and L2[i] in lv:
                free[i], ustart[i] = 0, 1.0
    if auto_fix_first:
        seen_lv = set()
        for i in range(n):
            if O2[i] == "=~" and L2[i] not in seen_lv:
                seen_lv.add(L2[i])
                free[i], ustart[i] = 0, 1.0
    if auto_var and auto_fix_single:
        mm = [i for i in range(n) if O2[i] == "=~"]
        counts: dict[str, int] = {}
        for i in mm:
            counts[L2[i]] = counts.get(L2[i], 0) + 1
        rhs_mm = [R2[i] for i in mm]
        single = [R2[i] for i in mm if counts[L2[i]] == 1 and L2[i] != R2[i] and rhs_mm.count(R2[i]) == 1]
        for i in range(n):
            if O2[i] == "~~" and L2[i] == R2[i] and L2[i] in single and U2[i] == 0:
                free[i], ustart[i] = 0, 0.0
    if orthogonal:
        for i in range(n):
            if O2[i] == "~~" and L2[i] in lv and R2[i] in lv and L2[i] != R2[i] and U2[i] == 0:
                free[i], ustart[i] = 0, 0.0
    if meanstructure:
        for i in range(n):
            if O2[i] == "~1" and U2[i] == 0:
                if (L2[i] in ov and L2[i] not in lv and not int_ov_free) or (L2[i] in lv and not int_lv_free):
                    free[i], ustart[i] = 0, 0.0
        if g > 0 and not int_lv_free and "intercepts" in group_equal and "means" not in group_equal:
            for i in range(n):
                if O2[i] == "~1" and L2[i] in lv and U2[i] == 0:
                    free[i], ustart[i] = 1, math.nan
    if fixed_x and ovx:
        sx = set(ovx)
        for i in range(n):
            if O2[i] == "~~" and L2[i] in sx and R2[i] in sx and U2[i] == 0:
                free[i], ustart[i], exo[i] = 0, math.nan, 1
            if O2[i] == "~1" and L2[i] in sx and U2[i] == 0:
                free[i], ustart[i], exo[i] = 0, math.nan, 1
    if std_lv and g > 0 and "loadings" in group_equal and "lv.variances" not in group_equal:
        for i in range(n):
            if O2[i] == "~~" and L2[i] in lv and L2[i] == R2[i] and U2[i] == 0:
                free[i], ustart[i] = 1, math.nan
    return free, ustart, exo


def _partable_modifiers(mods: list, free: list[int], ustart: list[float], g: int, ngroups: int,
                        nblk_syntax: bool, pm: ParsedModel) -> list[str]:
    """The user's modifiers (fixed values, start(), labels; one per group, or one for all when the syntax
    has group: blocks) applied to ``free`` / ``ustart`` in place; returns the labels."""
    n = len(mods)
    labels = [""] * n
    for i, t in enumerate(mods):
        if t is None:
            continue
        fixed = _per_group(t.fixed, ngroups if not nblk_syntax else 1, t, "fixed-value", pm)
        start = _per_group(t.start, ngroups if not nblk_syntax else 1, t, "start()", pm)
        labs = _per_group(term_labels(t), ngroups if not nblk_syntax else 1, t, "label", pm)
        gi = 0 if nblk_syntax else g
        if fixed is not None:
            val = fixed[gi]
            if math.isnan(val):
                free[i], ustart[i] = 1, math.nan
            else:
                free[i], ustart[i] = 0, float(val)
        if start is not None:
            ustart[i] = float(start[gi])
        if labs is not None:
            labels[i] = labs[gi]
    return labels


def build_partable(model: ParsedModel | str, *, meanstructure: bool = False, fixed_x: bool = True,
                   std_lv: bool = False, int_ov_free: bool = True, int_lv_free: bool = False,
                   auto_fix_first: bool | None = None, auto_fix_single: bool = True,
                   auto_var: bool = True, auto_cov_lv_x: bool = True, auto_cov_y: bool = True,
                   orthogonal: bool = False, ngroups: int = 1, group_labels: Sequence[str] | None = None,
                   group_equal: Sequence[str] = (), group_partial: Sequence[str] = ()) -> ParTable:
    """Build lavaan's parameter table with ``sem()`` / ``cfa()`` defaults.

    ``model`` is a :class:`~iur_survey.sem.syntax.ParsedModel` or syntax text.
    ``meanstructure`` adds intercepts (it is switched on anyway when the
    syntax has a ``~ 1`` term).  ``ngroups`` > 1 repeats the model per group
    (lavaan's layout: all rows of group 1, then group 2, ...); ``group_equal``
    takes lavaan's names ("loadings", "intercepts", "regressions", "residuals",
    "residual.covariances", "lv.variances", "lv.covariances", "means"), and
    ``group_partial`` frees single parameters again (``"GOV =~ GOV2"``, ``"GOV1 ~ 1"``).

    >>> pt = build_partable("F =~ x1 + x2 + x3", meanstructure=True)
    >>> [f"{l}{o}{r}" for l, o, r in zip(pt.lhs, pt.op, pt.rhs)][-4:]
    ['x1~1', 'x2~1', 'x3~1', 'F~1']
    >>> pt.npar
    9
    """
    unknown = [g for g in group_equal if g not in GROUP_EQUAL_NAMES]
    if unknown:
        raise ModelSyntaxError("group.equal", f"unknown or unsupported name(s) {', '.join(map(repr, unknown))}; "
                               f"use {', '.join(GROUP_EQUAL_NAMES)}")
    pm = parse_model(model) if isinstance(model, str) else model
    if auto_fix_first is None:
        auto_fix_first = not std_lv
    # ---- blocks from syntax (group: lines) or from ngroups
    nblk_syntax = len(pm.blocks)
    if nblk_syntax:
        if ngroups not in (1, nblk_syntax) and ngroups != nblk_syntax:
            raise _err(pm, f"the syntax defines {nblk_syntax} groups but the data has {ngroups}")
        ngroups = nblk_syntax
        group_labels = [lab for _, lab in pm.blocks]
    group_labels = list(group_labels) if group_labels is not None else [str(g + 1) for g in range(ngroups)]
    if any(t.op == "~1" for t in pm.terms):
        meanstructure = True
    for c in pm.constraints:
        if c.op in ("<", ">"):
            raise _err(pm, f"inequality constraints ({c.op}) are not supported by this engine", c.line, c.col)
    for t in pm.terms:
        if t.lower is not None or t.upper is not None:
            kind = "lower()" if t.lower is not None else "upper()"
            shown = f"{t.lhs} {t.op if t.op != '~1' else '~'} {t.rhs or '1'}"
            raise _err(pm, f"{kind} bounds ({shown}) are not supported by this engine: lavaan keeps the estimate "
                           "within the bound, this fit would ignore it", t.line, t.col)

    rules = _AutoRules(auto_var=auto_var, std_lv=std_lv, auto_fix_first=auto_fix_first,
                       auto_fix_single=auto_fix_single, orthogonal=orthogonal, meanstructure=meanstructure,
                       int_ov_free=int_ov_free, int_lv_free=int_lv_free, fixed_x=fixed_x,
                       group_equal=tuple(group_equal))
    rows: dict[str, list] = {k: [] for k in ("lhs", "op", "rhs", "user", "block", "group", "free", "ustart",
                                             "exo", "label", "mod")}
    ov_names_b, lv_names_b, ovx_b, ovx_all_b = [], [], [], []
    blocks_terms = ([[t for t in pm.terms if t.block == b + 1] for b in range(ngroups)] if nblk_syntax
                    else [pm.terms] * ngroups)
    for g in range(ngroups):
        terms = _reorder_covariances(blocks_terms[g])
        if not terms:
            raise _err(pm, f"group {group_labels[g]!r} has no model statement")
        L2, O2, R2, U2, mods, v = _partable_default_rows(terms, meanstructure, auto_cov_lv_x, auto_cov_y)
        lv, ov, ovx = v["lv"], v["ov"], v["ov.x"]
        free, ustart, exo = _partable_free_fixed(L2, O2, R2, U2, v, g, rules)
        labels = _partable_modifiers(mods, free, ustart, g, ngroups, bool(nblk_syntax), pm)
        n = len(L2)
        for i in range(n):
            rows["lhs"].append(L2[i])
            rows["op"].append(O2[i])
            rows["rhs"].append(R2[i])
            rows["user"].append(U2[i])
            rows["block"].append(g + 1)
            rows["group"].append(g + 1)
            rows["free"].append(free[i])
            rows["ustart"].append(ustart[i])
            rows["exo"].append(exo[i])
            rows["label"].append(labels[i])
            rows["mod"].append(mods[i])
        ov_names_b.append(ov)
        lv_names_b.append(lv)
        ovx_b.append(ovx if fixed_x else [])
        ovx_all_b.append(list(ovx))

    # group.equal reaches lavaan's ov.nox: the observed variables that are not exogenous covariates, whatever
    # fixed.x (with fixed.x = FALSE a covariate's mean and variance stay free in every group)
    LABEL = _partable_labels(rows, ngroups, group_equal, group_partial, lv_names_b, ov_names_b, ovx_all_b)
    plabel = [f".p{i + 1}." for i in range(len(rows["lhs"]))]
    sys_con, eq_groups, user_eq, general_eq = _partable_equalities(rows, LABEL, plabel, pm)
    par_index = _partable_free(rows["free"], eq_groups, user_eq)
    _partable_check_labels(pm, rows["label"], plabel)
    ids, par_index = _partable_constraint_rows(rows, plabel, par_index, pm, sys_con)
    lhs, op, rhs, user, blk, grp = (rows[k] for k in ("lhs", "op", "rhs", "user", "block", "group"))
    free, ustart, exo, label = (rows[k] for k in ("free", "ustart", "exo", "label"))
    return ParTable(id=ids, lhs=lhs, op=op, rhs=rhs, user=user, block=blk, group=grp, free=free,
                    ustart=ustart, exo=exo, label=label, plabel=plabel, par_index=par_index,
                    ngroups=ngroups, group_labels=group_labels, meanstructure=meanstructure,
                    fixed_x=fixed_x, ov_names=ov_names_b, lv_names=lv_names_b, ov_x_names=ovx_b,
                    ov_x_all=ovx_all_b, constraints=list(pm.constraints), equality=general_eq, syntax=pm.syntax, source=pm.source)


# ------------------------------------------------------------------------------------------- the steps
# build_partable's steps after the rows of every block are laid out (lavaan's lav_partable_labels,
# lav_partable_constraints / equality, lav_partable_free and the constraint rows of lav_partable_flat)
def group_equal_class(lhs: str, op: str, rhs: str, lv_names, ov_nox) -> str | None:
    """The ``group.equal`` name (lavaan's) whose equality constraints reach a row ``lhs op rhs``, or None:
    ``lv_names`` the latent variables, ``ov_nox`` the observed variables that are not fixed.x covariates.

    >>> group_equal_class("F", "=~", "x1", {"F"}, {"x1"}), group_equal_class("x1", "~1", "", {"F"}, {"x1"})
    ('loadings', 'intercepts')
    """
    if op == "=~":
        return "loadings"
    if op == "~":
        return "regressions"
    if op == "~1":
        return "intercepts" if lhs in ov_nox else "means" if lhs in lv_names else None
    if op == "~~" and lhs in ov_nox:
        return "residuals" if lhs == rhs else "residual.covariances"
    if op == "~~" and lhs in lv_names:
        return "lv.variances" if lhs == rhs else "lv.covariances"
    return None


def _partial_key(text: str) -> str:
    return "".join(str(text).split())


def group_equal_reach(pt: "ParTable", group_equal: Sequence[str], group_partial: Sequence[str] = ()) -> dict:
    """What the ``group.equal`` classes of a multi-group table really constrain.  Per class (lavaan's name):
    ``equal`` (parameters ``lhs op rhs`` equal in every group), ``of`` (those free in some group), ``partial``
    (freed by ``group.partial``) and ``labelled`` (left free by group-specific labels, ``c(a.g1, a.g2)*x``:
    lavaan's rule is that a user label overrides ``group.equal``), each a list of ``"lhs op rhs"`` names
    (``labelled``: name -> its labels).

    >>> pt = build_partable("F =~ x1 + c(a, b)*x2 + x3", ngroups=2, group_equal=["loadings"])
    >>> r = group_equal_reach(pt, ["loadings"])["loadings"]
    >>> len(r["equal"]), len(r["of"]), r["labelled"]
    (1, 2, {'F=~x2': ['a', 'b']})
    """
    out: dict = {}
    if pt.ngroups < 2:
        return out
    lvset = set(pt.lv_names[0])
    ovnox = set(v for v in pt.ov_names[0] if v not in set(pt.ov_x(0)))
    partial = {_partial_key(x) for x in group_partial}
    rows: dict[tuple, list[int]] = {}
    for i in range(len(pt)):
        if pt.op[i] in (":=", "==", "<", ">"):
            continue
        cls = group_equal_class(pt.lhs[i], pt.op[i], pt.rhs[i], lvset, ovnox)
        if cls in group_equal:
            rows.setdefault((cls, pt.lhs[i], pt.op[i], pt.rhs[i]), []).append(i)
    for (cls, lhs, op, rhs), idx in rows.items():
        rec = out.setdefault(cls, {"equal": [], "of": [], "partial": [], "labelled": {}})
        if not any(pt.free[i] > 0 for i in idx):
            continue                                   # fixed in every group (a marker loading): nothing to equate
        name = f"{lhs}{op}{rhs}"
        rec["of"].append(name)
        pars = {int(pt.par_index[i]) for i in idx}
        if len(idx) == pt.ngroups and len(pars) == 1 and min(pars) >= 0:
            rec["equal"].append(name)
        elif name in partial:
            rec["partial"].append(name)
        else:
            labs = [pt.label[i] for i in idx if pt.label[i] and not pt.label[i].startswith(".")]
            if labs:
                rec["labelled"][name] = list(dict.fromkeys(labs))
    return out


_CLASS_WORDS = {"means": "latent means", "residuals": "residual variances", "residual.covariances": "residual covariances",
                "lv.variances": "latent variances", "lv.covariances": "latent covariances"}

#: lavaan's warning for a label written once in a multi-group model (one parameter shared by every group)
SINGLE_LABEL_WARNING = ("using a single label per parameter in a multiple group setting implies imposing equality "
                        "constraints across all the groups; if this is not intended, remove the label(s) or give one "
                        "label per group, e.g. c(a1, a2, a3, a4)*x")


def group_warnings(pm: ParsedModel, pt: "ParTable", group_equal: Sequence[str] = (),
                   group_partial: Sequence[str] = ()) -> list[str]:
    """The warnings of a multi-group model (every estimator): lavaan's single-label warning; the parameters a
    ``group.equal`` class leaves free because they carry group-specific labels (lavaan's rule, kept, but said,
    with the count the class really constrained).  A ``group.partial`` entry that frees nothing is a
    :class:`~iur_survey.errors.ModelSyntaxError` (:func:`group_partial_freed`).

    >>> pm = parse_model("F =~ x1 + c(a, b)*x2 + x3")
    >>> print(group_warnings(pm, build_partable(pm, ngroups=2, group_equal=["loadings"]), ["loadings"])[0])
    group.equal "loadings" constrains 1 of 2 loadings: F=~x2 (labels a, b) stays free across groups, because a label given per group overrides group.equal (lavaan's rule); give it one label shared by the groups, or no label, to constrain it
    """
    if pt.ngroups < 2:
        group_partial_freed(pt, group_equal, group_partial)     # one group: nothing to free, an error if given
        return []
    out = []
    # lavaan (lav_model_partable) says it only when group.equal is empty
    if not pm.blocks and not group_equal and any(term_labels(t) is not None and len(term_labels(t)) == 1
                                                 for t in pm.terms):
        out.append(SINGLE_LABEL_WARNING)
    for t in pm.terms:
        labs = term_labels(t)
        if not pm.blocks and t.labels is not None and len(t.labels) > 1 and labs is not None and len(labs) == 1:
            out.append(f"c({', '.join(x or 'NA' for x in t.labels)})*{t.rhs or '1'} (line {t.line}): as lavaan, the NA "
                       f"is dropped from a label vector, so the one label {labs[0]!r} is shared by every group "
                       "(the parameter is equal across groups); give each group its own label, e.g. "
                       f"c({labs[0]}, {labs[0]}2), to estimate it per group")
    group_partial_freed(pt, group_equal, group_partial)     # every entry frees something, or an error
    for cls, rec in group_equal_reach(pt, group_equal, group_partial).items():
        if rec["labelled"]:
            what = "; ".join(f"{k} (labels {', '.join(v)})" for k, v in rec["labelled"].items())
            n = len(rec["labelled"])
            kind = _CLASS_WORDS.get(cls, cls)
            out.append(f"group.equal \"{cls}\" constrains {len(rec['equal'])} of {len(rec['of'])} {kind}: {what} "
                       f"{'stays' if n == 1 else 'stay'} free across groups, because a label given per group "
                       f"overrides group.equal (lavaan's rule); give {'it' if n == 1 else 'them'} one label shared "
                       "by the groups, or no label, to constrain "
                       f"{'it' if n == 1 else 'them'}")
    return out


def partial_display(key: str) -> str:
    """A parameter ``lhs op rhs`` key (``"F=~x2"``, ``"x3~1"``) written as lavaan's summary writes it.

    >>> partial_display("F=~x2"), partial_display("x3~1"), partial_display("x1~~x2"), partial_display("x1|t2")
    ('F =~ x2', 'x3 ~ 1', 'x1 ~~ x2', 'x1 | t2')
    """
    for op in ("=~", "~~", "~1", "~", "|"):
        if op in key:
            lhs, rhs = key.split(op, 1)
            return f"{lhs} ~ 1" if op == "~1" and not rhs else f"{lhs} {op} {rhs}"
    return key


def group_partial_freed(pt: "ParTable", group_equal: Sequence[str], group_partial: Sequence[str]) -> list[str]:
    """The parameters (``lhs op rhs`` keys, lavaan's matching: whitespace removed) that ``group_partial``
    (lavaan's ``group.partial``) frees from the ``group_equal`` constraints of a multi-group table, in the order
    given.  lavaan ignores an entry that frees nothing, silently; here every entry must free a parameter that
    ``group_equal`` constrains, else a :class:`~iur_survey.errors.ModelSyntaxError` says why (one line): no
    parameter of the model; a class ``group_equal`` does not constrain; fixed in every group (the marker
    loading); a parameter whose own labels decide its equality (a label overrides group.equal and
    group.partial: lavaan's rule); a fit of one group.

    >>> pt = build_partable("F =~ x1 + x2 + x3", ngroups=2, meanstructure=True,
    ...                     group_equal=["loadings", "intercepts"], group_partial=["F =~ x2", "x3 ~ 1"])
    >>> group_partial_freed(pt, ["loadings", "intercepts"], ["F =~ x2", "x3 ~ 1"])
    ['F=~x2', 'x3~1']
    >>> group_partial_freed(pt, ["loadings"], ["x3 ~ 1"])
    Traceback (most recent call last):
    ...
    iur_survey.errors.ModelSyntaxError: group.partial: 'x3 ~ 1' is an intercept, which group.equal (loadings) does not constrain: it frees nothing (lavaan ignores such an entry; here it is an error)
    """
    entries = [str(p) for p in group_partial if str(p).strip()]
    if not entries:
        return []
    if pt.ngroups < 2:
        raise ModelSyntaxError("group.partial", f"{entries[0]!r}: group.partial frees parameters from group.equal "
                                                "in a multi-group fit; this fit has one group")
    if not group_equal:
        raise ModelSyntaxError("group.partial", f"{entries[0]!r}: group.partial frees parameters from "
                                                "group.equal, and no group.equal is given: it frees nothing")
    lvset = set(pt.lv_names[0])
    ovnox = set(v for v in pt.ov_names[0] if v not in set(pt.ov_x(0)))
    rows: dict[str, list[int]] = {}
    for i in range(len(pt)):
        if pt.op[i] not in (":=", "==", "<", ">"):
            rows.setdefault(f"{pt.lhs[i]}{pt.op[i]}{pt.rhs[i]}", []).append(i)
    words = {"loadings": "a loading", "intercepts": "an intercept", "means": "a latent mean",
             "regressions": "a regression", "residuals": "a residual variance",
             "residual.covariances": "a residual covariance", "lv.variances": "a latent variance",
             "lv.covariances": "a latent covariance", "thresholds": "a threshold"}
    out: list[str] = []
    for p in entries:
        k = _partial_key(p)
        idx = rows.get(k)
        if not idx:
            raise ModelSyntaxError("group.partial", f"{p!r} is not a parameter of the model (write it as in the "
                                                    "parameter table, e.g. 'F =~ x2' or 'x2 ~ 1')")
        i0 = idx[0]
        cls = group_equal_class(pt.lhs[i0], pt.op[i0], pt.rhs[i0], lvset, ovnox)
        if cls not in group_equal:
            what = words.get(cls, "a parameter no group.equal class reaches") if cls else \
                "a parameter no group.equal class reaches"
            raise ModelSyntaxError("group.partial", f"{p!r} is {what}, which group.equal ({', '.join(group_equal)}) "
                                                    "does not constrain: it frees nothing (lavaan ignores such an "
                                                    "entry; here it is an error)")
        if not any(pt.free[i] > 0 for i in idx):
            raise ModelSyntaxError("group.partial", f"{p!r} names a parameter fixed in every group (a marker "
                                                    "loading: under marker coding the first loading is fixed at 1): "
                                                    "there is nothing to free; to test that loading, identify the "
                                                    "factor by its variance instead (std_lv=True)")
        labs = list(dict.fromkeys(pt.label[i] for i in idx if pt.label[i] and not str(pt.label[i]).startswith(".")))
        if len(labs) == 1:
            raise ModelSyntaxError("group.partial", f"{p!r} carries the label {labs[0]}, shared by the groups, which "
                                                    "holds it equal across groups whatever group.partial says (a "
                                                    "label overrides group.equal and group.partial: lavaan's rule); "
                                                    "give it one label per group, or none, to free it")
        # a model '==' line on those labels still holds them (group.partial lifts group.equal alone)
        tied = [f"{c.lhs} {c.op} {c.rhs}" for c in pt.constraints if c.op == "=="
                and set(labs) & (set(expression_names(c.lhs_expr)) | set(expression_names(c.rhs_expr)))]
        if labs and tied:
            raise ModelSyntaxError("group.partial", f"{p!r} carries one label per group ({', '.join(labs)}), which "
                                                    f"the model's {' and '.join(repr(t) for t in tied)} "
                                                    f"constrain{'s' if len(tied) == 1 else ''} whatever group.partial "
                                                    "says (group.partial lifts group.equal only, not a model's "
                                                    "'==' line: lavaan's rule): it frees nothing; remove "
                                                    f"{'the line' if len(tied) == 1 else 'those lines'} to free it")
        if labs:
            raise ModelSyntaxError("group.partial", f"{p!r} carries one label per group ({', '.join(labs)}), which "
                                                    "already keeps it free of group.equal (lavaan's rule): it frees "
                                                    "nothing")
        if k not in out:
            out.append(k)
    return out


def _partable_labels(rows: dict, ngroups: int, group_equal, group_partial, lv_names_b, ov_names_b,
                     ovx_b) -> list[str]:
    """lavaan's LABEL of every row: the user label, else ``lhs op rhs`` (+ ``.gG``); ``group.equal`` gives the
    rows of later groups the label of group 1 (except ``group.partial``)."""
    lhs, op, rhs, grp, label = rows["lhs"], rows["op"], rows["rhs"], rows["group"], rows["label"]
    n = len(lhs)
    LABEL = [f"{l}{o}{r}" + (f".g{g}" if g > 1 else "") for l, o, r, g in zip(lhs, op, rhs, grp)]
    if ngroups > 1 and group_equal:
        lvset = set(lv_names_b[0])
        ovnox1 = set(v for v in ov_names_b[0] if v not in set(ovx_b[0]))
        partial = {"".join(x.split()) for x in group_partial}
        g1 = {(lhs[i], op[i], rhs[i]): i for i in range(n)
              if grp[i] == 1 and group_equal_class(lhs[i], op[i], rhs[i], lvset, ovnox1) in group_equal
              and f"{lhs[i]}{op[i]}{rhs[i]}" not in partial}
        for i in range(n):
            if grp[i] > 1 and (lhs[i], op[i], rhs[i]) in g1:
                LABEL[i] = LABEL[g1[(lhs[i], op[i], rhs[i])]]
    for i in range(n):
        if label[i]:
            LABEL[i] = label[i]
    return LABEL


def _partable_equalities(rows: dict, LABEL: list[str], plabel: list[str], pm: ParsedModel):
    """Equality through shared labels (and simple ``label == label`` constraints).  Rows sharing a label
    with a fixed row become fixed at its value; free ones form an equality group (``.pN. == .pM.`` system
    constraints).  Returns ``(system constraints, equality groups, user label == label pairs, general ==)``;
    ``rows`` free / ustart / label are updated in place."""
    free, ustart, label = rows["free"], rows["ustart"], rows["label"]
    n = len(free)
    classes: dict[str, list[int]] = {}
    for i in range(n):
        classes.setdefault(LABEL[i], []).append(i)
    sys_con: list[tuple[str, str]] = []
    eq_groups: list[list[int]] = []
    con_at: list[tuple[int, int, str, str]] = []
    for lab, idx in classes.items():
        if len(idx) < 2:
            continue
        fixed_all = [i for i in idx if free[i] == 0]
        if fixed_all:
            val = ustart[fixed_all[0]]
            for i in idx:
                ustart[i] = val
                free[i] = 0
            continue
        for k, o in enumerate(idx[1:]):
            con_at.append((idx[1], k, plabel[idx[0]], plabel[o]))
        for i in idx:
            if not label[i]:
                label[i] = plabel[idx[0]]
        eq_groups.append(idx)
    # lavaan's order of the system rows (lavaanify: unique(LABEL[duplicated(LABEL)])): by the row where a label
    # first repeats, all of one label's rows together: a label shared within group 1 (lam*x7 + lam*x8) comes
    # before the group.equal rows of earlier items, and lavTestScore's numbering (release =) is lavaan's
    sys_con = [(a, b) for _, _, a, b in sorted(con_at)]
    # user '==' between two labels of free parameters: merged like a shared label
    label_rows = {}
    for i in range(n):
        if label[i] and free[i] > 0:
            label_rows.setdefault(label[i], i)
    user_eq: list[tuple[int, int]] = []
    general_eq: list[Constraint] = []
    for c in pm.constraints:
        if c.op != "==":
            continue
        simple = (c.lhs_expr[0] == "var" and c.rhs_expr[0] == "var")
        if simple and c.lhs_expr[1] in label_rows and c.rhs_expr[1] in label_rows:
            user_eq.append((label_rows[c.lhs_expr[1]], label_rows[c.rhs_expr[1]]))
        else:
            general_eq.append(c)         # linear constraints: handled by reparametrisation at fit time
    return sys_con, eq_groups, user_eq, general_eq


def _partable_free(free: list[int], eq_groups: list[list[int]], user_eq: list[tuple[int, int]]) -> np.ndarray:
    """lavaan's free numbering (``free`` renumbered 1.. in place) and our estimated-parameter index: rows in
    one equality group (or joined by a user ``==``) share one index; -1 for fixed rows."""
    n = len(free)
    k = 0
    for i in range(n):
        if free[i] > 0:
            k += 1
            free[i] = k
        else:
            free[i] = 0
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i
    for idx in eq_groups:
        for o in idx[1:]:
            parent[find(o)] = find(idx[0])
    for a, b in user_eq:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    par_index = np.full(n, -1, dtype=int)
    root_to_par: dict[int, int] = {}
    for i in range(n):
        if free[i] > 0:
            r = find(i)
            if r not in root_to_par:
                root_to_par[r] = len(root_to_par)
            par_index[i] = root_to_par[r]
    return par_index


def _partable_check_labels(pm: ParsedModel, label: list[str], plabel: list[str]) -> None:
    """Every label used by ``:=`` / ``==`` exists (a typed error naming the line otherwise)."""
    all_labels = set(label) | set(plabel)
    defined_so_far: set[str] = set()
    for c in pm.constraints:
        if c.op == "==":
            for name in expression_names(c.lhs_expr) + expression_names(c.rhs_expr):
                if name not in all_labels and name not in {d.lhs for d in pm.constraints if d.op == ":="}:
                    raise _err(pm, f"{c.lhs} == {c.rhs}: unknown label {name!r}", c.line, c.col)
        if c.op == ":=":
            for name in expression_names(c.rhs_expr):
                if name not in all_labels and name not in defined_so_far:
                    raise _err(pm, f"{c.lhs} := {c.rhs}: unknown label {name!r} "
                                   f"(label a parameter first, e.g. y ~ {name}*x)", c.line, c.col)
            if c.lhs in all_labels:
                raise _err(pm, f"{c.lhs!r} is already a parameter label", c.line, c.col)
            defined_so_far.add(c.lhs)


def _partable_constraint_rows(rows: dict, plabel: list[str], par_index: np.ndarray, pm: ParsedModel,
                              sys_con: list[tuple[str, str]]) -> tuple[list[int], np.ndarray]:
    """Append the ``:=`` / ``==`` rows (user's, then the system's ``.pN. == .pM.``) to ``rows`` and
    ``plabel``; returns the row ids and the extended parameter index."""
    n = len(rows["lhs"])
    ids = list(range(1, n + 1))
    con_rows = [(c.lhs, c.op, c.rhs, 1) for c in pm.constraints] + [(a, "==", b, 2) for a, b in sys_con]
    for (cl, co, cr, cu) in con_rows:
        ids.append(len(ids) + 1)
        for key, val in (("lhs", cl), ("op", co), ("rhs", cr), ("user", cu), ("block", 0), ("group", 0),
                         ("free", 0), ("ustart", math.nan), ("exo", 0), ("label", cl if co == ":=" else "")):
            rows[key].append(val)
        plabel.append("")
    return ids, np.concatenate([par_index, np.full(len(con_rows), -1, dtype=int)])
