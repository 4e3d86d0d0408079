"""Defined parameters (``:=``): values, delta-method standard errors, z, p and CI.

Expressions are parsed by :func:`iur_survey.sem.syntax.parse_expression` into a
small tree and evaluated here -- arithmetic (``+ - * / ^``), parentheses,
numbers, parameter labels, earlier ``:=`` names and a few functions (``sqrt
exp log ...``); nothing is ``eval``-ed.

As lavaan (lav_partable_constraints_def): a label stands for the value of the
first parameter-table row that carries it.  A label of a fixed parameter is a
constant here (its value, no variance; in a standardized column its row's
standardized value): the numbers lavaan gives for the same model with the
parameter free and pinned by ``==`` (``m ~ a*x`` with ``a == 0.3``; a marker
loading ``NA*x1 + l1*x1`` with ``l1 == 1``), tests/sem/fixed_label_refs.
lavaan 0.6.14 refuses the fixed label itself ("non-free parameter(s) in variable
definition(s)"), and :func:`fixed_label_warnings` says so.  The Jacobian of the definitions with respect to the free parameters
is computed by complex-step differentiation (lavaan's
``lav_func_jacobian_complex``), exact to machine precision, and
``Var(def) = J V J'``.

>>> import numpy as np
>>> from iur_survey.sem.syntax import parse_expression
>>> defs = [("ind", parse_expression("a*b")), ("tot", parse_expression("c + ind"))]
>>> fn = DefinedFunction(defs, {"a": 0, "b": 1, "c": 2}, {})
>>> fn(np.array([0.5, 0.4, 0.1])).tolist()
[0.2, 0.30000000000000004]
>>> fn.jacobian(np.array([0.5, 0.4, 0.1])).round(12).tolist()
[[0.4, 0.5, 0.0], [0.4, 0.5, 1.0]]
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..errors import ModelSyntaxError
from .syntax import expression_names

__all__ = ["DefinedFunction", "evaluate", "from_partable", "theta_columns", "fixed_label_warnings",
           "fixed_labels_in_definitions", "lavaan_fixed_label_syntax"]

_FUNCS = {
    "sqrt": np.sqrt, "exp": np.exp, "log": np.log, "log10": np.log10, "abs": None,
    "sin": np.sin, "cos": np.cos, "tan": np.tan, "asin": np.arcsin, "acos": np.arccos, "atan": np.arctan,
    "sinh": np.sinh, "cosh": np.cosh, "tanh": np.tanh,
}


def evaluate(node, env: dict):
    """Evaluate an expression tree with ``env`` (name -> number, real or complex).

    >>> from iur_survey.sem.syntax import parse_expression
    >>> evaluate(parse_expression("-a^2 + 2*(b - 1)/4"), {"a": 3.0, "b": 5.0})
    -7.0
    >>> float(evaluate(parse_expression("a/b"), {"a": 0.4, "b": 0.0}))     # R's Inf, not ZeroDivisionError
    inf
    """
    kind = node[0]
    if kind == "num":
        return node[1]
    if kind == "var":
        try:
            return env[node[1]]
        except KeyError:
            raise ModelSyntaxError(None, f"unknown label {node[1]!r}", row=node[2], column=str(node[3])) from None
    if kind == "neg":
        return -evaluate(node[1], env)
    if kind == "bin":
        a, b = evaluate(node[2], env), evaluate(node[3], env)
        op = node[1]
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "/":
            if isinstance(b, (int, float)) and b == 0:      # a plain 0: R's (lavaan's) a/0 = Inf, 0/0 = NaN
                with np.errstate(divide="ignore", invalid="ignore"):
                    return np.divide(a, np.float64(b))
            return a / b
        if op == "^":
            return a ** b
        raise ValueError(op)
    if kind == "call":
        x = evaluate(node[2], env)
        if node[1] == "abs":
            # analytic continuation used by complex-step: abs(x) = x * sign(Re x)
            if isinstance(x, complex) or np.iscomplexobj(x):
                return x * np.where(np.real(x) >= 0, 1.0, -1.0)
            return abs(x)
        return _FUNCS[node[1]](x)
    raise ValueError(f"bad expression node {node!r}")


class DefinedFunction:
    """``theta -> values of the := parameters`` (in definition order).

    ``index``: label -> position in theta (free parameters); ``constants``:
    label -> value (fixed parameters).
    """

    def __init__(self, defs: Sequence[tuple[str, object]], index: dict[str, int], constants: dict[str, float],
                 rows: dict[str, int] | None = None):
        self.defs = list(defs)
        self.index = dict(index)
        self.constants = dict(constants)
        self.rows = dict(rows or {})
        self.names = [name for name, _ in self.defs]

    def at_rows(self, row_values: np.ndarray) -> np.ndarray:
        """The definitions evaluated with each label taking the value of its first table row in ``row_values``
        (lavaan's rule for the standardized columns of := rows).  A label of a fixed parameter takes its row's
        value too, its standardized value in a standardized column: lavaan gives the same for the model with the
        parameter free and pinned by ``==`` (it refuses the fixed label itself), e.g. ``a*b`` with ``a`` fixed at
        0.3 standardizes as ``(0.3 * sd(x) / sd(m)) * b_std``, not ``0.3 * b_std``.

        >>> fn = DefinedFunction([("ind", ("bin", "*", ("var", "a", 1, 1), ("var", "b", 1, 3)))], {"b": 0},
        ...                      {"a": 0.3}, {"a": 0, "b": 1})
        >>> round(float(fn.at_rows(np.array([0.15, 0.5]))[0]), 3)       # a's row standardized: 0.15
        0.075
        """
        env: dict = dict(self.constants)
        for lab, i in self.rows.items():
            env[lab] = row_values[i]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):     # a/0: inf (lavaan's Inf), no warning
            return np.array(self._in_order(env), dtype=float)

    def _in_order(self, env: dict) -> list:
        """Each definition evaluated in turn, later ones seeing the earlier (``env`` gains their names)."""
        out = []
        for name, node in self.defs:
            val = evaluate(node, env)
            env[name] = val
            out.append(val)
        return out

    def __len__(self) -> int:
        return len(self.defs)

    def __call__(self, theta: np.ndarray) -> np.ndarray:
        env: dict = dict(self.constants)
        for lab, k in self.index.items():
            env[lab] = theta[k]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):     # a/0: inf (lavaan's Inf), no warning
            return np.array(self._in_order(env), dtype=np.asarray(theta).dtype if np.iscomplexobj(theta) else float)

    def jacobian(self, theta: np.ndarray, h: float = 1e-20) -> np.ndarray:
        """Complex-step Jacobian (definitions x parameters); central differences if that fails."""
        theta = np.asarray(theta, float)
        q = theta.size
        J = np.zeros((len(self.defs), q))
        try:
            with np.errstate(all="raise"):
                # all q complex steps at once: every label's value is a length-q vector
                Z = theta[:, None] + 1j * h * np.eye(q)
                env: dict = {k: np.full(q, v, dtype=complex) for k, v in self.constants.items()}
                for lab, k in self.index.items():
                    env[lab] = Z[k]
                for i, val in enumerate(self._in_order(env)):
                    J[i] = np.imag(np.broadcast_to(val, (q,))) / h
            if np.all(np.isfinite(J)):
                return J
        except (FloatingPointError, ValueError, ZeroDivisionError, OverflowError):
            pass
        for k in range(q):
            step = 1e-6 * max(1.0, abs(theta[k]))
            e = np.zeros(q)
            e[k] = step
            with np.errstate(invalid="ignore"):     # inf - inf (a := a/0): NaN, no SE, no warning
                J[:, k] = (self(theta + e) - self(theta - e)) / (2 * step)
        return J


def theta_columns(par_index, kept=None) -> np.ndarray:
    """Per parameter-table row, its column of a fit's ``theta`` and ``vcov_theta`` (-1: not an entry of
    ``theta``): the one map from a table row to the estimates vector every fit uses (Wald tests, ``:=``
    standard errors, ``vcov()``).

    ``par_index`` is the table's :attr:`~iur_survey.sem.partable.ParTable.par_index` (the engine's
    parameter of each row).  ``kept``: the engine parameters that are the first entries of ``theta``, in
    that order (WLSMV fits: ``theta`` = kept model parameters, thresholds, scales; the residual variances
    of ordered items in the delta parameterization are not in it); None: ``theta`` is the engine's
    parameter vector itself (ML, MLR).

    >>> theta_columns(np.array([0, 1, -1, 2, 3]), kept=np.array([0, 1, 3])).tolist()
    [0, 1, -1, -1, 2]
    >>> theta_columns(np.array([0, -1, 1])).tolist()
    [0, -1, 1]
    """
    par_index = np.asarray(par_index, dtype=int)
    if kept is None:
        return par_index.copy()
    col = np.full(int(par_index.max(initial=-1)) + 1, -1, dtype=int)
    kept = np.asarray(kept, dtype=int)
    col[kept] = np.arange(kept.size)
    return np.where(par_index >= 0, col[np.maximum(par_index, 0)], -1)


def _fixed_labels(pt) -> dict[str, int]:
    """Label -> its first row, of the labels that only fixed parameters carry (no free row has them)."""
    free = {pt.label[i] for i in range(len(pt)) if pt.label[i] and pt.free[i] > 0 and pt.op[i] not in (":=", "==", "<", ">")}
    fixed: dict[str, int] = {}
    for i in range(len(pt)):
        lab = pt.label[i]
        if lab and lab not in free and lab not in fixed and pt.op[i] not in (":=", "==", "<", ">"):
            fixed[lab] = i
    return fixed


def fixed_labels_in_definitions(pt) -> dict[str, int]:
    """Label -> row of each fixed parameter's label that a ``:=`` definition uses (what lavaan 0.6.14 refuses:
    "non-free parameter(s) in variable definition(s)"); {} when none.

    >>> from iur_survey.sem.partable import build_partable
    >>> fixed_labels_in_definitions(build_partable("F =~ a*x1 + b*x2 + x3\\nd := 2*a + b"))
    {'a': 0}
    """
    fixed = _fixed_labels(pt)
    used = {n for c in pt.constraints if c.op == ":=" for n in expression_names(c.rhs_expr)}
    return {lab: i for lab, i in fixed.items() if lab in used}


def lavaan_fixed_label_syntax(pt) -> str | None:
    """The model of ``pt`` as lavaan 0.6.14 fits it when a ``:=`` definition uses the label of a fixed parameter
    (lavaan refuses that model as written): every row carrying such a label free, and pinned at its value by
    ``==`` (``label == value``), the same estimates, standard errors and standardized values as this engine's
    fit of the model as written (tests/sem/fixed_label_refs); written by
    :func:`~iur_survey.sem.syntax.render_syntax`.  None when no definition uses a fixed label (the syntax as
    written is the one to give lavaan).

    >>> from iur_survey.sem.partable import build_partable
    >>> print(lavaan_fixed_label_syntax(build_partable("m ~ a*x + 0.3*x\\ny ~ b*m\\nind := a*b")))
    m ~ a*x
    y ~ b*m
    ind := a*b
    a == 0.3
    >>> lavaan_fixed_label_syntax(build_partable("m ~ a*x\\ny ~ b*m\\nind := a*b")) is None
    True
    """
    from .syntax import render_syntax

    used = fixed_labels_in_definitions(pt)
    if not used:
        return None
    df = pt.to_frame()
    pin = [f"{lab} == {_r_value(pt.ustart[i])}" for lab, i in used.items()]
    rows = df["label"].isin(list(used)) & ~df["op"].isin([":=", "==", "<", ">"])
    df.loc[rows, "free"] = 1
    df.loc[rows, "user"] = 1
    return render_syntax(df) + "\n" + "\n".join(pin)


def fixed_label_warnings(pt) -> list[str]:
    """One warning per ``:=`` definition that uses the label of a fixed parameter only (no free row carries
    it): it is a constant here, and lavaan 0.6.14 stops on the same model.

    >>> from iur_survey.sem.partable import build_partable
    >>> print(fixed_label_warnings(build_partable("F =~ a*x1 + b*x2 + x3\\nd := 2*a + b"))[0])
    d := 2*a+b: a labels a fixed parameter (F =~ x1, fixed at 1.0), used here as that constant (no variance; standardized in the standardized columns), as lavaan estimates the model with the parameter free and pinned by '==' (a == 1); lavaan 0.6.14 refuses the model as written ("non-free parameter(s) in variable definition(s): a")
    """
    fixed = _fixed_labels(pt)
    out = []
    for c in pt.constraints:
        if c.op != ":=":
            continue
        used = [n for n in expression_names(c.rhs_expr) if n in fixed]
        if used:
            what = "; ".join(f"{n} labels a fixed parameter ({pt.lhs[fixed[n]]} {pt.op[fixed[n]]} {pt.rhs[fixed[n]]}, "
                             f"fixed at {pt.ustart[fixed[n]] if pt.ustart[fixed[n]] is not None else 'its value'}"
                             f"{'' if pt.ngroups == 1 else f' in group {pt.group[fixed[n]]}'})" for n in used)
            out.append(f"{c.lhs} := {c.rhs}: {what}, used here as that constant (no variance; standardized in the "
                       f"standardized columns), as lavaan estimates the model with the parameter free and pinned by "
                       f"'==' ({', '.join(f'{n} == {_r_value(pt.ustart[fixed[n]])}' for n in used)}); lavaan 0.6.14 "
                       f"refuses the model as written (\"non-free parameter(s) in variable definition(s): "
                       f"{', '.join(used)}\")")
    return out


def _r_value(x) -> str:
    """A fixed value as the syntax writes it (``1``, ``0.3``); ``<value>`` when the table has none."""
    if x is None:
        return "<value>"
    return f"{float(x):g}"


def from_partable(pt, values: np.ndarray, columns=None) -> DefinedFunction:
    """Build the :class:`DefinedFunction` of a parameter table.

    ``values`` are the current row values (used for the labels of fixed rows).  ``columns``: per row, its
    column of the parameter vector the function takes (:func:`theta_columns`; a fit's
    ``theta_index()``); default the table's ``par_index``.  A free row without a column is a constant
    (its value in ``values``).
    """
    cols = np.asarray(pt.par_index if columns is None else columns, dtype=int)
    index: dict[str, int] = {}
    rows: dict[str, int] = {}
    constants: dict[str, float] = {}
    for i in range(len(pt)):
        if pt.op[i] in (":=", "==", "<", ">"):
            continue
        for lab in (pt.label[i], pt.plabel[i]):
            if not lab or lab in index or lab in constants:
                continue
            rows[lab] = i                # at_rows: every label at its row (a fixed one too, standardized)
            if pt.free[i] > 0 and cols[i] >= 0:
                index[lab] = int(cols[i])
            else:
                constants[lab] = float(values[i])
    defs = [(c.lhs, c.rhs_expr) for c in pt.constraints if c.op == ":="]
    return DefinedFunction(defs, index, constants, rows)

