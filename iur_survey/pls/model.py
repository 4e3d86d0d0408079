"""The PLS path model: composites (outer model) and paths (inner model).

A :class:`PLSModel` is built from lavaan syntax (``=~`` defines a composite and its indicators, ``~`` a
structural path, ``:=`` a derived effect) by :func:`pls_model`.  The caller hands it the model (the
command line and the book hand it the same syntax as the CB-SEM's, so PLS-SEM and CB-SEM estimate the
same constructs and paths); pls/ has no default model.
Every composite is estimated in mode A (reflective, correlation weights); modifiers (fixed loadings,
start values) are ignored, labels are kept to name the paths and to evaluate ``:=`` definitions.

>>> m = pls_model("X =~ x1 + x2\\nM =~ m1 + m2\\nY =~ y1 + y2 + y3\\nM ~ a*X\\nY ~ b*M + c*X\\n"
...               "ind := a*b\\ntot := c + a*b")
>>> m.constructs
('X', 'M', 'Y')
>>> len(m.items), m.blocks["Y"]
(7, ('y1', 'y2', 'y3'))
>>> m.paths[:2], m.labels[("X", "M")]
((('X', 'M'), ('M', 'Y')), 'a')
>>> m.endogenous, m.predecessors["Y"]
(('M', 'Y'), ('M', 'X'))
>>> [name for name, _ in m.defined], m.defined_text["tot"]
(['ind', 'tot'], 'c+a*b')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from ..errors import ModelSyntaxError
from ..sem.syntax import parse_model

__all__ = ["PLSModel", "pls_model"]


@dataclass(frozen=True)
class PLSModel:
    """Composites (each a mode-A block of indicators) and directed paths between them.

    ``blocks`` maps each construct to its indicators (every indicator in one block); ``paths`` lists
    ``(source, target)`` pairs; ``labels`` names paths (``(source, target) -> label``); ``defined``
    holds ``(name, expression tree)`` pairs of ``:=`` statements (evaluated with the path labels).
    """

    blocks: dict[str, tuple[str, ...]]
    paths: tuple[tuple[str, str], ...]
    labels: dict[tuple[str, str], str] = field(default_factory=dict)
    defined: tuple[tuple[str, Any], ...] = ()
    defined_text: dict[str, str] = field(default_factory=dict)
    syntax: str = ""

    def __post_init__(self):
        cons = list(self.blocks)
        if len(cons) < 2:
            raise ModelSyntaxError(None, "a PLS path model needs at least two composites")
        seen: dict[str, str] = {}
        for c, items in self.blocks.items():
            if not items:
                raise ModelSyntaxError(None, f"composite {c!r} has no indicators")
            for it in items:
                if it in self.blocks:
                    raise ModelSyntaxError(None, f"indicator {it!r} of {c!r} is itself a composite "
                                                 "(higher-order models are not supported)")
                if it in seen:
                    raise ModelSyntaxError(None, f"indicator {it!r} is in two composites "
                                                 f"({seen[it]!r} and {c!r})")
                seen[it] = c
        if not self.paths:
            raise ModelSyntaxError(None, "the model has no structural path (~)")
        for s, t in self.paths:
            for name in (s, t):
                if name not in self.blocks:
                    raise ModelSyntaxError(None, f"{name!r} in the path {s} -> {t} is not a composite "
                                                 "(define it with =~)")
        linked = {n for p in self.paths for n in p}
        lonely = [c for c in cons if c not in linked]
        if lonely:
            raise ModelSyntaxError(None, f"composite(s) {lonely} take part in no structural path")
        self.topological_order  # raises on a cycle

    # -- derived views ---------------------------------------------------------------------------
    @property
    def constructs(self) -> tuple[str, ...]:
        return tuple(self.blocks)

    @property
    def items(self) -> tuple[str, ...]:
        return tuple(i for items in self.blocks.values() for i in items)

    @cached_property
    def block_index(self) -> np.ndarray:
        """For each indicator (in :attr:`items` order) the position of its construct."""
        pos = {c: k for k, c in enumerate(self.constructs)}
        return np.array([pos[c] for c, items in self.blocks.items() for _ in items], dtype=np.intp)

    @cached_property
    def membership(self) -> np.ndarray:
        """Indicator x construct 0/1 matrix."""
        m = np.zeros((len(self.items), len(self.constructs)))
        m[np.arange(len(self.items)), self.block_index] = 1.0
        return m

    @cached_property
    def path_matrix(self) -> np.ndarray:
        """``P[i, j] = 1`` when construct i points to construct j."""
        pos = {c: k for k, c in enumerate(self.constructs)}
        p = np.zeros((len(pos), len(pos)))
        for s, t in self.paths:
            p[pos[s], pos[t]] = 1.0
        return p

    @cached_property
    def predecessors(self) -> dict[str, tuple[str, ...]]:
        """Each endogenous construct's direct antecedents, in the order the paths were given."""
        out: dict[str, list[str]] = {}
        for s, t in self.paths:
            out.setdefault(t, []).append(s)
        return {t: tuple(v) for t, v in out.items()}

    @property
    def endogenous(self) -> tuple[str, ...]:
        return tuple(c for c in self.constructs if c in self.predecessors)

    @property
    def exogenous(self) -> tuple[str, ...]:
        return tuple(c for c in self.constructs if c not in self.predecessors)

    @cached_property
    def topological_order(self) -> tuple[str, ...]:
        """Constructs ordered so that every path goes forward (a recursive model)."""
        order: list[str] = []
        remaining = list(self.constructs)
        while remaining:
            ready = [c for c in remaining if all(s in order for s in self.predecessors.get(c, ()))]
            if not ready:
                raise ModelSyntaxError(None, f"the structural model has a cycle among {remaining}; "
                                             "PLS path models must be recursive")
            order.extend(ready)
            remaining = [c for c in remaining if c not in ready]
        return tuple(order)

    @cached_property
    def mediated_paths(self) -> tuple[tuple[str, ...], ...]:
        """Every directed chain of two or more paths (``(X, M, ..., Y)``): the specific indirect effects."""
        succ: dict[str, list[str]] = {}
        for s, t in self.paths:
            succ.setdefault(s, []).append(t)
        out: list[tuple[str, ...]] = []

        def walk(chain: tuple[str, ...]):
            for nxt in succ.get(chain[-1], ()):
                longer = chain + (nxt,)
                if len(longer) >= 3:
                    out.append(longer)
                walk(longer)
        for c in self.constructs:
            walk((c,))
        return tuple(out)


def pls_model(syntax: str, source: str = "<model syntax>") -> PLSModel:
    """A :class:`PLSModel` from lavaan syntax: ``=~`` composites, ``~`` paths, ``:=`` derived effects.

    Residual covariances (``~~``) and intercepts have no place in a PLS path model and are rejected.

    >>> m = pls_model("X =~ x1 + x2\\nY =~ y1 + y2\\nY ~ b*X\\nb2 := b^2")
    >>> m.blocks, m.paths, m.labels, m.defined_text
    ({'X': ('x1', 'x2'), 'Y': ('y1', 'y2')}, (('X', 'Y'),), {('X', 'Y'): 'b'}, {'b2': 'b^2'})
    >>> pls_model("X =~ x1\\nY =~ y1\\nY ~ X\\nx1 ~~ y1")
    Traceback (most recent call last):
    ...
    iur_survey.errors.ModelSyntaxError: <model syntax>: PLS path models take only =~, ~ and := (found x1 ~~ y1 on line 4)
    """
    pm = parse_model(syntax, source)
    if pm.blocks:
        raise ModelSyntaxError(source, "multi-group syntax (group:) is not supported by PLS-SEM here")
    blocks: dict[str, list[str]] = {}
    paths: list[tuple[str, str]] = []
    labels: dict[tuple[str, str], str] = {}
    for t in pm.terms:
        if t.op == "=~":
            blocks.setdefault(t.lhs, []).append(t.rhs)
        elif t.op == "~":
            paths.append((t.rhs, t.lhs))
            if t.label:
                labels[(t.rhs, t.lhs)] = t.label
        else:
            shown = f"{t.lhs} {t.op} {t.rhs}".strip()
            raise ModelSyntaxError(source, f"PLS path models take only =~, ~ and := (found {shown} on line {t.line})")
    defined = []
    text = {}
    for c in pm.constraints:
        if c.op != ":=":
            raise ModelSyntaxError(source, f"constraints ({c.lhs} {c.op} {c.rhs}) are not supported by PLS-SEM")
        defined.append((c.lhs, c.rhs_expr))
        text[c.lhs] = c.rhs
    try:
        return PLSModel({k: tuple(v) for k, v in blocks.items()}, tuple(paths), labels, tuple(defined), text,
                        syntax)
    except ModelSyntaxError as exc:
        raise ModelSyntaxError(source, exc.message) from None

