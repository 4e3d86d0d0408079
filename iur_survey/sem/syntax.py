"""lavaan model syntax: parse it, and render a parameter table back to it.

:func:`parse_model` reads the lavaan 0.6.14 model syntax and returns a
:class:`ParsedModel`: the *flat* list of model elements (lavaan's ``FLAT``
table: one :class:`Term` per ``lhs op rhs`` with its modifiers) and the list
of :class:`Constraint` statements (``:=`` definitions, ``==``, ``<``, ``>``).
The defaults (auto variances, first loadings fixed to 1, ...) are added later
by :mod:`iur_survey.sem.partable`.

Supported, as in lavaan:

* operators ``=~`` (measured by), ``~`` (regressed on), ``~~`` (covariance),
  ``~ 1`` (intercept), ``:=`` (defined parameter), ``==``, ``<``, ``>``
  (constraints) and block lines ``group: <label>``;
* modifiers ``a1*X`` (label), ``1*X`` / ``0*X`` (fixed value), ``NA*X`` (free a
  parameter the defaults would fix), ``start(0.5)*X`` / ``0.5?X`` (start value),
  ``label("a")*X``, ``equal("a")*X``,
  ``c(a, b)*X`` / ``c(1, NA)*X`` (one value per group; as lavaan, an ``NA`` in a
  *label* vector is dropped, so ``c(a, NA)*X`` is the single label ``a`` shared by
  every group);
* several modifiers on one term, chained (``NA*a1*X``) or repeated
  (``NA*X + a1*X``);
* comments (``#`` and ``!`` to the end of the line), ``;`` separators, and a
  statement continued on the next line(s): a line without an operator
  continues the statement above it (``F =~ x1 + x2`` newline ``+ x3``).

Not supported (a clear :class:`~iur_survey.errors.ModelSyntaxError`): formative
``<~``, thresholds ``|``, scaling ``~*~``, ``%``, interaction terms ``x:z``,
``efa()``/``prior()``/``rv()`` modifiers; ``lower()`` / ``upper()`` bounds are
parsed but refused when the parameter table is built (the fit has no bounds).

One deliberate difference from lavaan 0.6.14: chained modifiers all apply
(``NA*a1*X`` frees the loading *and* labels it); lavaan 0.6.14's R-formula
parser silently keeps only the label in that case.  A fit says so
(:func:`chained_modifier_warnings`); repeated terms (``NA*X + a1*X``) mean the
same in both.

Every error names the line and column in the syntax:

>>> parse_model("F =~ x1 + x2\\nF ~ 2x")
Traceback (most recent call last):
...
iur_survey.errors.ModelSyntaxError: <model syntax>:2:6: unexpected 'x' after the number '2' (a modifier needs '*', e.g. 2*x)

>>> pm = parse_model('''
... # measurement
... GOV =~ GOV1 + a*GOV2 +
...        GOV3
... COL ~ b1*GOV; ind := a*b1
... ''')
>>> [(t.lhs, t.op, t.rhs, t.label) for t in pm.terms]
[('GOV', '=~', 'GOV1', ''), ('GOV', '=~', 'GOV2', 'a'), ('GOV', '=~', 'GOV3', ''), ('COL', '~', 'GOV', 'b1')]
>>> [(c.lhs, c.op, c.rhs) for c in pm.constraints]
[('ind', ':=', 'a*b1')]
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Collection, Iterable, Sequence

from ..errors import ModelSyntaxError

__all__ = [
    "Term", "Constraint", "ParsedModel", "parse_model", "parse_expression",
    "expression_names", "render_syntax", "split_pairs", "chained_modifier_warnings",
]

#: operators that make a line a statement (lavaan's list), longest first for tokenising
_REL_OPS = ("~*~", "=~", "<~", "~~", "==", ":=", "~", "<", ">", ":", "|", "%")
_MODEL_OPS = ("=~", "~", "~~")           # supported model operators
_UNSUPPORTED_OPS = {"<~": "formative indicators (<~)", "|": "thresholds (|)",
                    "~*~": "scaling factors (~*~)", "%": "group weights (%)"}
_CON_OPS = (":=", "==", "<", ">")
_R_RESERVED = {"if", "else", "repeat", "while", "function", "for", "in", "next", "break",
               "TRUE", "FALSE", "NULL", "Inf", "NaN", "NA", "NA_integer_", "NA_real_",
               "NA_character_", "T", "F"} - {"T", "F"}
_BLOCK_KINDS = ("group", "level", "block", "class")
#: functions allowed in ``:=`` / constraint expressions
FUNCTIONS = ("sqrt", "exp", "log", "log10", "abs", "sin", "cos", "tan", "asin", "acos", "atan",
             "sinh", "cosh", "tanh")

_TOKEN_RE = re.compile(r"""
    (?P<ws>[ \t\r\f\v]+)
  | (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>(?:[^\W\d]|\.(?![0-9]))[\w.]*)
  | (?P<str>"[^"\n]*"|'[^'\n]*')
  | (?P<op>~\*~|=~|<~|~~|==|:=|\*\*|[~<>:|%+\-*/^?(),=])
""", re.VERBOSE | re.UNICODE)


# ----------------------------------------------------------------------------- data
@dataclass(frozen=True)
class Tok:
    kind: str      # num name str op
    text: str
    line: int
    col: int


@dataclass
class Term:
    """One model element of the flat table (lavaan's ``FLAT`` row).

    ``fixed`` / ``start`` / ``lower`` / ``upper`` hold one value per group
    (a single value applies to every group); ``fixed`` uses NaN for ``NA``
    (explicitly free).  ``label`` likewise holds one label per group.
    """

    lhs: str
    op: str
    rhs: str
    block: int = 1
    fixed: tuple[float, ...] | None = None
    start: tuple[float, ...] | None = None
    labels: tuple[str, ...] | None = None
    lower: tuple[float, ...] | None = None
    upper: tuple[float, ...] | None = None
    line: int = 0
    col: int = 0
    chained: str = ""      # the text of a chain of modifiers with a label (NA*a*x), read unlike lavaan

    @property
    def label(self) -> str:
        """The (first) label, '' if none."""
        return self.labels[0] if self.labels else ""

    @property
    def has_modifier(self) -> bool:
        return any(v is not None for v in (self.fixed, self.start, self.labels, self.lower, self.upper))


@dataclass
class Constraint:
    """A ``:=`` definition or an ``==`` / ``<`` / ``>`` constraint.

    ``lhs`` and ``rhs`` are the text as lavaan stores it (whitespace removed);
    ``lhs_expr`` / ``rhs_expr`` the parsed expressions (see :func:`parse_expression`).
    """

    lhs: str
    op: str
    rhs: str
    lhs_expr: Any
    rhs_expr: Any
    line: int = 0
    col: int = 0


@dataclass
class ParsedModel:
    """The result of :func:`parse_model`."""

    terms: list[Term]
    constraints: list[Constraint]
    blocks: list[tuple[str, str]] = field(default_factory=list)   # (kind, label) per block, [] if none
    source: str = "<model syntax>"
    syntax: str = ""

    @property
    def defined(self) -> list[Constraint]:
        return [c for c in self.constraints if c.op == ":="]


# ----------------------------------------------------------------------------- lexing
def _err(source: str, msg: str, line: int, col: int) -> ModelSyntaxError:
    return ModelSyntaxError(source, msg, row=line, column=str(col))


def _outside_quotes(text: str):
    """``(position, character)`` of each character outside quotes (``"..."`` / ``'...'``, quotes excluded).

    >>> "".join(ch for _, ch in _outside_quotes('a "#b" c'))
    'a  c'
    """
    quote = None
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        else:
            yield i, ch


def _strip_comment(text: str) -> str:
    """Cut a line at the first # or ! outside quotes."""
    for i, ch in _outside_quotes(text):
        if ch in "#!":
            return text[:i]
    return text


def _tokenize(text: str, line: int, col0: int, source: str) -> list[Tok]:
    toks: list[Tok] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if not m:
            ch = text[pos]
            raise _err(source, f"unexpected character {ch!r}", line, col0 + pos)
        kind = m.lastgroup
        if kind != "ws":
            s = m.group()
            if kind == "name" and s[0] == "_":
                raise _err(source, f"names cannot start with '_': {s!r}", line, col0 + pos)
            toks.append(Tok(kind, s, line, col0 + pos))
        pos = m.end()
    return toks


def _statements(syntax: str, source: str) -> list[list[Tok]]:
    """Split the syntax into statements (token lists), joining continuation lines."""
    stmts: list[list[Tok]] = []
    for lineno, raw in enumerate(syntax.replace("\u02dc", "~").splitlines(), start=1):
        line = _strip_comment(raw)
        # split at ';' outside quotes, keeping columns
        parts: list[tuple[int, str]] = []
        start = 0
        for i, ch in _outside_quotes(line):
            if ch == ";":
                parts.append((start, line[start:i]))
                start = i + 1
        parts.append((start, line[start:]))
        for off, part in parts:
            toks = _tokenize(part, lineno, off + 1, source)
            if not toks:
                continue
            if any(t.kind == "op" and t.text in _REL_OPS for t in toks):
                stmts.append(toks)
            elif stmts:
                stmts[-1].extend(toks)          # continuation of the statement above
            else:
                t = toks[0]
                raise _err(source, "no operator (=~, ~, ~~, :=, ...) in this line", t.line, t.col)
    return stmts


# ----------------------------------------------------------------------------- expressions
class _Cursor:
    def __init__(self, toks: Sequence[Tok], source: str, end: tuple[int, int]):
        self.toks, self.i, self.source, self.end = list(toks), 0, source, end

    def peek(self, k: int = 0) -> Tok | None:
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else None

    def next(self) -> Tok:
        t = self.peek()
        if t is None:
            raise _err(self.source, "unexpected end of statement", *self.end)
        self.i += 1
        return t

    def at(self, kind: str, text: str | None = None) -> bool:
        t = self.peek()
        return t is not None and t.kind == kind and (text is None or t.text == text)

    def expect(self, kind: str, text: str | None = None, what: str = "") -> Tok:
        t = self.peek()
        if t is None or t.kind != kind or (text is not None and t.text != text):
            want = what or (repr(text) if text else kind)
            if t is None:
                raise _err(self.source, f"expected {want} at the end of the statement", *self.end)
            raise _err(self.source, f"expected {want}, found {t.text!r}", t.line, t.col)
        self.i += 1
        return t

    def fail(self, msg: str, tok: Tok | None = None) -> ModelSyntaxError:
        t = tok or self.peek()
        if t is None:
            return _err(self.source, msg, *self.end)
        return _err(self.source, msg, t.line, t.col)


def _parse_left(cur: _Cursor, ops: tuple[str, str], operand):
    """``operand (op operand)*`` for the operators ``ops``, left-associative."""
    node = operand(cur)
    while cur.at("op", ops[0]) or cur.at("op", ops[1]):
        op = cur.next().text
        node = ("bin", op, node, operand(cur))
    return node


def _parse_expr(cur: _Cursor):
    """expr := term (('+'|'-') term)* ; R precedence: ^ > unary - > * / > + -."""
    return _parse_left(cur, ("+", "-"), _parse_mul)


def _parse_mul(cur: _Cursor):
    return _parse_left(cur, ("*", "/"), _parse_unary)


def _parse_unary(cur: _Cursor):
    if cur.at("op", "-") or cur.at("op", "+"):
        op = cur.next().text
        inner = _parse_unary(cur)
        return ("neg", inner) if op == "-" else inner
    return _parse_pow(cur)


def _parse_pow(cur: _Cursor):
    base = _parse_atom(cur)
    if cur.at("op", "^") or cur.at("op", "**"):
        cur.next()
        return ("bin", "^", base, _parse_unary(cur))   # right-associative, binds tighter than unary minus
    return base


def _parse_atom(cur: _Cursor):
    t = cur.next()
    if t.kind == "num":
        return ("num", float(t.text))
    if t.kind == "name":
        if cur.at("op", "("):
            if t.text not in FUNCTIONS:
                raise cur.fail(f"unknown function {t.text!r} (allowed: {', '.join(FUNCTIONS)})", t)
            cur.next()
            arg = _parse_expr(cur)
            cur.expect("op", ")")
            return ("call", t.text, arg)
        if t.text in _R_RESERVED:
            raise cur.fail(f"{t.text!r} is a reserved word and cannot be a parameter label", t)
        return ("var", t.text, t.line, t.col)
    if t.kind == "op" and t.text == "(":
        node = _parse_expr(cur)
        cur.expect("op", ")")
        return node
    raise cur.fail(f"unexpected {t.text!r} in expression", t)


def parse_expression(text: str, source: str = "<expression>"):
    """Parse an arithmetic expression of labels (``:=`` / constraint syntax) to a small tree.

    >>> parse_expression("a1*b + 2")
    ('bin', '+', ('bin', '*', ('var', 'a1', 1, 1), ('var', 'b', 1, 4)), ('num', 2.0))
    >>> parse_expression("a*")
    Traceback (most recent call last):
    ...
    iur_survey.errors.ModelSyntaxError: <expression>:1:3: unexpected end of statement
    """
    toks = _tokenize(text, 1, 1, source)
    cur = _Cursor(toks, source, (1, len(text) + 1))
    node = _parse_expr(cur)
    if cur.peek() is not None:
        raise cur.fail(f"unexpected {cur.peek().text!r} in expression")
    return node


def split_pairs(parts: Iterable[str], sep: str, fail) -> list[tuple[str, str]]:
    """``(lhs, rhs)`` from text parts written ``lhs SEP rhs`` (blank parts skipped, sides stripped).

    ``fail(kind, part)`` makes the error to raise: ``kind`` is ``"form"`` (not exactly one ``sep``),
    ``"empty"`` (an empty side) or ``"none"`` (no pair at all).

    >>> split_pairs(["a == b", " ", "c==d"], "==", lambda kind, part: ValueError(kind, part))
    [('a', 'b'), ('c', 'd')]
    >>> split_pairs(["a = b = c"], "=", lambda kind, part: ValueError(kind, part))
    Traceback (most recent call last):
    ...
    ValueError: ('form', 'a = b = c')
    """
    out = []
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if part.count(sep) != 1:
            raise fail("form", part)
        lhs, rhs = (x.strip() for x in part.split(sep))
        if not lhs or not rhs:
            raise fail("empty", part)
        out.append((lhs, rhs))
    if not out:
        raise fail("none", "")
    return out


def expression_names(node) -> list[str]:
    """The variable names an expression uses, in order of first appearance.

    >>> expression_names(parse_expression("c1 + a1*b - a1"))
    ['c1', 'a1', 'b']
    """
    out: list[str] = []

    def walk(n):
        kind = n[0]
        if kind == "var":
            if n[1] not in out:
                out.append(n[1])
        elif kind == "neg":
            walk(n[1])
        elif kind == "bin":
            walk(n[2])
            walk(n[3])
        elif kind == "call":
            walk(n[2])
    walk(node)
    return out


# ----------------------------------------------------------------------------- model statements
def _number(cur: _Cursor) -> float:
    sign = 1.0
    while cur.at("op", "-") or cur.at("op", "+"):
        if cur.next().text == "-":
            sign = -sign
    t = cur.peek()
    if t is not None and t.kind == "name" and t.text == "NA":
        cur.next()
        return math.nan
    if t is not None and t.kind == "name" and t.text == "Inf":
        cur.next()
        return sign * math.inf
    t = cur.expect("num", what="a number")
    return sign * float(t.text)


def _values(cur: _Cursor, allow_labels: bool) -> list[Any]:
    """Arguments of start()/c()/label(): numbers, NA, names or strings."""
    vals: list[Any] = []
    cur.expect("op", "(")
    if cur.at("op", ")"):
        raise cur.fail("empty modifier")
    while True:
        t = cur.peek()
        if t is not None and t.kind == "str" and allow_labels:
            vals.append("".join(t.text[1:-1].split()))
            cur.next()
        elif t is not None and t.kind == "name" and t.text not in ("NA", "Inf") and allow_labels:
            vals.append(t.text)
            cur.next()
        else:
            vals.append(_number(cur))
        if cur.at("op", ","):
            cur.next()
            continue
        cur.expect("op", ")", what="',' or ')'")
        return vals


def _merge(mods: dict, key: str, value: tuple, cur: _Cursor, tok: Tok) -> None:
    if key in mods and mods[key] != value:
        raise cur.fail(f"conflicting {key} modifiers for the same parameter", tok)
    mods[key] = value


def _parse_modifier(cur: _Cursor, mods: dict) -> None:
    """One modifier (followed by '*' or '?' which the caller consumes)."""
    t = cur.peek()
    if t is None:
        raise cur.fail("unexpected end of statement")
    if t.kind == "num" or (t.kind == "op" and t.text in "+-"):
        v = _number(cur)
        if math.isinf(v):           # -Inf*x, 1e400*x: no finite model moments (lavaan: estimation FAILED)
            raise cur.fail("a parameter cannot be fixed to an infinite value", t)
        _merge(mods, "fixed", (v,), cur, t)
        return
    if t.kind == "str":
        cur.next()
        _merge(mods, "labels", ("".join(t.text[1:-1].split()),), cur, t)
        return
    if t.kind == "op" and t.text == "(":
        # lavaan's (0.5)?x start value form
        cur.next()
        v = _number(cur)
        cur.expect("op", ")")
        if not cur.at("op", "?"):
            raise cur.fail("a parenthesised number must be followed by '?' (start value) or be written 0.5*x")
        _merge(mods, "start", (v,), cur, t)
        return
    if t.kind != "name":
        raise cur.fail(f"unexpected {t.text!r}", t)
    name = t.text
    nxt = cur.peek(1)
    if nxt is not None and nxt.kind == "op" and nxt.text == "(":
        cur.next()
        if name == "start":
            if cur.peek(1) is not None and cur.peek(1).text == "c" and cur.peek(2) is not None and cur.peek(2).text == "(":
                cur.next()                               # start(c(0.5, 0.6)): one start value per group
                cur.next()
                vals = _values(cur, allow_labels=False)
                cur.expect("op", ")")
            else:
                vals = _values(cur, allow_labels=False)
            _merge(mods, "start", tuple(vals), cur, t)
        elif name in ("label", "equal"):
            vals = _values(cur, allow_labels=True)
            if any(not isinstance(v, str) for v in vals if not (isinstance(v, float) and math.isnan(v))):
                raise cur.fail(f"{name}() takes quoted labels, e.g. {name}(\"a1\")", t)
            _merge(mods, "labels", tuple("" if isinstance(v, float) else v for v in vals), cur, t)
        elif name in ("lower", "upper"):
            vals = _values(cur, allow_labels=False)
            _merge(mods, name, tuple(vals), cur, t)
        elif name == "c":
            vals = _values(cur, allow_labels=True)
            if all(isinstance(v, float) for v in vals):
                _merge(mods, "fixed", tuple(vals), cur, t)
            elif all(isinstance(v, str) or (isinstance(v, float) and math.isnan(v)) for v in vals):
                _merge(mods, "labels", tuple("" if isinstance(v, float) else v for v in vals), cur, t)
            else:
                raise cur.fail("c() mixes labels and numbers", t)
        elif name in ("efa", "prior", "rv"):
            raise cur.fail(f"the {name}() modifier is not supported by this engine", t)
        else:
            raise cur.fail(f"unknown modifier {name}() (use start(), label(), equal(), lower(), upper() or c())", t)
        return
    cur.next()
    if name == "NA":
        _merge(mods, "fixed", (math.nan,), cur, t)
    elif name == "Inf":
        raise cur.fail("a parameter cannot be fixed to Inf", t)
    elif name in _R_RESERVED:
        raise cur.fail(f"{name!r} is a reserved word and cannot be a label", t)
    else:
        _merge(mods, "labels", (name,), cur, t)


def _parse_term(cur: _Cursor, op: str) -> tuple[str, dict, Tok]:
    """modifier* variable -> (rhs name, modifiers, token of the variable).  A chain of several modifiers with a
    label among them (``NA*a*x``) is noted in ``mods["_chain"]`` (its text), for :func:`chained_modifier_warnings`."""
    mods: dict = {}
    first = cur.i
    nmod = 0
    while True:
        t = cur.peek()
        if t is None:
            raise cur.fail("expected a variable name after the operator or '+'")
        if t.kind == "op" and t.text == "+":
            nxt = cur.peek(1)
            if not (nxt is not None and nxt.kind == "num" and cur.peek(2) is not None and cur.peek(2).text in "*?"):
                raise cur.fail("unexpected '+' (an empty term)", t)     # '+ +1*x': a signed value, as lavaan
        # is this token the variable itself (i.e. not followed by * or ?)
        nxt = cur.peek(1)
        is_last = nxt is None or not (nxt.kind == "op" and nxt.text in ("*", "?"))
        if t.kind == "name" and is_last and not (nxt is not None and nxt.kind == "op" and nxt.text == "("):
            cur.next()
            if nxt is not None and nxt.kind == "op" and nxt.text == ":":
                # 'y ~ x:z': an interaction term (latent x latent: iur_survey.sem.interaction)
                other = cur.peek(1)
                if op != "~" or other is None or other.kind != "name":
                    raise cur.fail("interaction terms (x:z) are allowed only on the right of '~', between two "
                                   "names", nxt)
                cur.next()
                cur.next()
                after = cur.peek()
                if after is not None and not (after.kind == "op" and after.text == "+"):
                    raise cur.fail(f"unexpected {after.text!r} after {t.text}:{other.text} (one ':' per term)", after)
                return f"{t.text}:{other.text}", mods, t
            if nxt is not None and not (nxt.kind == "op" and nxt.text == "+"):
                raise cur.fail(f"unexpected {nxt.text!r} after {t.text!r} (terms are separated by '+')", nxt)
            if t.text in _R_RESERVED:
                raise cur.fail(f"{t.text!r} is a reserved word, not a variable name", t)
            if nmod > 1 and "labels" in mods and ("fixed" in mods or "start" in mods):
                mods["_chain"] = "".join(x.text for x in cur.toks[first:cur.i])
            return t.text, mods, t
        if t.kind == "num" and is_last:
            cur.next()
            if nxt is not None and not (nxt.kind == "op" and nxt.text == "+"):
                if nxt.kind == "name":
                    raise cur.fail(f"unexpected {nxt.text!r} after the number {t.text!r} "
                                   f"(a modifier needs '*', e.g. {t.text}*{nxt.text})", nxt)
                raise cur.fail(f"unexpected {nxt.text!r} after {t.text!r}", nxt)
            val = float(t.text)
            if op == "~" and val == 1.0:
                return "", mods, t                       # intercept
            if op == "~" and val == 0.0:
                _merge(mods, "fixed", (0.0,), cur, t)    # y ~ 0: intercept fixed to zero
                return "", mods, t
            raise cur.fail(f"a number ({t.text}) is not a variable; write {t.text}*x to fix a parameter", t)
        if t.kind == "num" and nxt is not None and nxt.kind == "name":
            raise cur.fail(f"unexpected {nxt.text!r} after the number {t.text!r} "
                           f"(a modifier needs '*', e.g. {t.text}*{nxt.text})", nxt)
        _parse_modifier(cur, mods)
        nmod += 1
        sep = cur.peek()
        if sep is not None and sep.kind == "op" and sep.text == "?":
            if "fixed" in mods and len(mods["fixed"]) == 1 and "start" not in mods:
                mods["start"] = mods.pop("fixed")        # 0.5?x means start(0.5)*x
            cur.next()
            continue
        if sep is None or not (sep.kind == "op" and sep.text == "*"):
            raise cur.fail("expected '*' after a modifier", sep)
        cur.next()


def _split_at_op(toks: list[Tok], source: str) -> tuple[list[Tok], Tok, list[Tok]]:
    depth = 0
    found: list[int] = []
    for i, t in enumerate(toks):
        if t.kind == "op" and t.text == "(":
            depth += 1
        elif t.kind == "op" and t.text == ")":
            depth -= 1
        elif t.kind == "op" and t.text in _REL_OPS and depth == 0:
            found.append(i)
    if any(toks[i].text != ":" for i in found):
        found = [i for i in found if toks[i].text != ":"]    # ':' inside a formula is an interaction term
    if not found:
        t = toks[0]
        raise _err(source, "no operator (=~, ~, ~~, :=, ...) in this statement", t.line, t.col)
    if len(found) > 1:
        t = toks[found[1]]
        raise _err(source, f"a second operator {t.text!r} in one statement "
                           "(put each formula on its own line or separate them with ';')", t.line, t.col)
    i = found[0]
    return toks[:i], toks[i], toks[i + 1:]


def _expr_text(toks: Sequence[Tok]) -> str:
    return "".join(t.text.replace('"', "").replace("'", "") for t in toks)


def parse_model(syntax: str, source: str = "<model syntax>") -> ParsedModel:
    """Parse lavaan model syntax into a :class:`ParsedModel` (see the module docstring).

    ``source`` names the syntax in error messages (e.g. the ``.lav`` file).

    >>> pm = parse_model("F =~ NA*x1 + a*x1 + x2; x1 ~~ x2; y ~ 1")
    >>> [(t.lhs, t.op, t.rhs, t.fixed, t.labels) for t in pm.terms]
    [('F', '=~', 'x1', (nan,), ('a',)), ('F', '=~', 'x2', None, None), ('x1', '~~', 'x2', None, None), ('y', '~1', '', None, None)]
    >>> parse_model("F =~ x1 + x2\\nF =~ x3 + x1")
    Traceback (most recent call last):
    ...
    iur_survey.errors.ModelSyntaxError: <model syntax>:2:11: duplicate model element F =~ x1 (first given on line 1)
    """
    if not isinstance(syntax, str) or not syntax.strip():
        raise ModelSyntaxError(source, "empty model syntax")
    stmts = _statements(syntax, source)
    if not stmts:
        raise ModelSyntaxError(source, "the model syntax holds no statement")
    terms: list[Term] = []
    constraints: list[Constraint] = []
    blocks: list[tuple[str, str]] = []
    seen: dict[tuple, Term] = {}
    block = 1
    for toks in stmts:
        last = toks[-1]
        end = (last.line, last.col + len(last.text))
        lhs_t, op_t, rhs_t = _split_at_op(toks, source)
        op = op_t.text
        if op in _UNSUPPORTED_OPS:
            raise _err(source, f"{_UNSUPPORTED_OPS[op]} are not supported by this engine", op_t.line, op_t.col)
        if not lhs_t:
            raise _err(source, f"nothing on the left of {op!r}", op_t.line, op_t.col)
        if not rhs_t:
            raise _err(source, f"nothing on the right of {op!r}", op_t.line, op_t.col)
        if op == ":":
            if len(lhs_t) != 1 or lhs_t[0].kind != "name" or lhs_t[0].text.lower() not in _BLOCK_KINDS:
                t = lhs_t[0]
                raise _err(source, f"unknown block identifier {_expr_text(lhs_t)!r} (use group: <label>)",
                           t.line, t.col)
            bad = next((t for t in rhs_t if t.kind == "op" and t.text not in ("-", ".", "/")), None)
            if bad is not None or (len(rhs_t) > 1 and any(t.kind == "str" for t in rhs_t)):
                t = bad or rhs_t[0]
                raise _err(source, "a block line is 'group: <label>' (quote a label with other characters: "
                                   "group: \"a label\")", t.line, t.col)
            kind = lhs_t[0].text.lower()
            if kind != "group":
                raise _err(source, f"{kind} blocks are not supported by this engine", lhs_t[0].line, lhs_t[0].col)
            if not blocks and terms:
                raise _err(source, "model statements before the first 'group:' line", lhs_t[0].line,
                           lhs_t[0].col)
            blocks.append((kind, rhs_t[0].text.strip("\"'") if len(rhs_t) == 1 else "".join(t.text for t in rhs_t)))
            block = len(blocks)
            continue
        if op in _CON_OPS:
            lcur = _Cursor(lhs_t, source, (op_t.line, op_t.col))
            if op == ":=":
                if len(lhs_t) != 1 or lhs_t[0].kind != "name":
                    t = lhs_t[min(1, len(lhs_t) - 1)]
                    raise _err(source, "the left of ':=' must be one new parameter name", t.line, t.col)
                if lhs_t[0].text in _R_RESERVED:
                    raise _err(source, f"{lhs_t[0].text!r} is a reserved word", lhs_t[0].line, lhs_t[0].col)
                first = next((c for c in constraints if c.op == ":=" and c.lhs == lhs_t[0].text), None)
                if first is not None:       # lavaan 0.6.14 gives both rows the last definition's value
                    raise _err(source, f"{lhs_t[0].text!r} is defined twice (first given on line {first.line}); "
                                       "give each := parameter its own name", lhs_t[0].line, lhs_t[0].col)
                lexpr = None
            else:
                lexpr = _parse_expr(lcur)
                if lcur.peek() is not None:
                    raise lcur.fail(f"unexpected {lcur.peek().text!r}")
            rcur = _Cursor(rhs_t, source, end)
            rexpr = _parse_expr(rcur)
            if rcur.peek() is not None:
                raise rcur.fail(f"unexpected {rcur.peek().text!r} in expression")
            constraints.append(Constraint(_expr_text(lhs_t), op, _expr_text(rhs_t), lexpr, rexpr,
                                          op_t.line, op_t.col))
            continue
        # --- model formula: lhs names
        lhs_names: list[tuple[str, Tok]] = []
        lcur = _Cursor(lhs_t, source, (op_t.line, op_t.col))
        while True:
            t = lcur.peek()
            if t is None:
                raise lcur.fail("expected a variable name before the operator")
            if t.kind == "name" and lcur.peek(1) is not None and lcur.peek(1).text in ("*", "("):
                raise lcur.fail(f"modifiers ({t.text}...) are not allowed on the left-hand side", t)
            if t.kind != "name":
                raise lcur.fail(f"expected a variable name on the left of {op!r}, found {t.text!r}", t)
            if t.text in _R_RESERVED:
                raise lcur.fail(f"{t.text!r} is a reserved word, not a variable name", t)
            lcur.next()
            lhs_names.append((t.text, t))
            if lcur.peek() is None:
                break
            lcur.expect("op", "+", what="'+' or the operator")
        # --- rhs terms
        rcur = _Cursor(rhs_t, source, end)
        if rcur.at("op", "+"):
            rcur.next()       # lavaan tolerates a leading '+' (continued line)
        rhs_terms: list[tuple[str, dict, Tok]] = []
        while True:
            name, mods, tok = _parse_term(rcur, op)
            dup = next((k for k, r in enumerate(rhs_terms) if r[0] == name), None)
            if dup is not None:          # repeated variable in one formula: merge the modifiers
                merged = dict(rhs_terms[dup][1])
                for key, val in mods.items():
                    if key == "_chain":
                        merged.setdefault(key, val)
                        continue
                    _merge(merged, key, val, rcur, tok)
                rhs_terms[dup] = (name, merged, rhs_terms[dup][2])
            else:
                rhs_terms.append((name, mods, tok))
            if rcur.peek() is None:
                break
            rcur.expect("op", "+", what="'+'")
            if rcur.peek() is None:
                raise rcur.fail("the statement ends with '+'")
        for lname, ltok in lhs_names:
            for rname, mods, rtok in rhs_terms:
                top = op
                if op == "=~" and rname == "":
                    raise _err(source, "'=~' needs indicator names on the right", rtok.line, rtok.col)
                if op == "~" and rname == "":
                    top = "~1"
                if op == "=~" and rname == lname:
                    raise _err(source, f"latent variable {lname!r} cannot be measured by itself",
                               rtok.line, rtok.col)
                if op == "~" and rname == lname:
                    raise _err(source, f"{lname!r} is regressed on itself", rtok.line, rtok.col)
                key = (lname, top, rname, block)
                alt = (rname, top, lname, block) if top == "~~" else key
                prev = seen.get(key) or seen.get(alt)
                if prev is not None:
                    shown = f"{lname} {top if top != '~1' else '~'} {rname or '1'}"
                    raise _err(source, f"duplicate model element {shown} (first given on line {prev.line})",
                               rtok.line, rtok.col)
                term = Term(lname, top, rname, block,
                            fixed=mods.get("fixed"), start=mods.get("start"), labels=mods.get("labels"),
                            lower=mods.get("lower"), upper=mods.get("upper"), line=rtok.line, col=rtok.col,
                            chained=mods.get("_chain", ""))
                seen[key] = term
                terms.append(term)
    if not terms:
        raise ModelSyntaxError(source, "the model syntax defines no model element (=~, ~, ~~)")
    return ParsedModel(terms, constraints, blocks, source, syntax)


# ----------------------------------------------------------------------------- rendering
def _fmt(v: float) -> str:
    if isinstance(v, float) and math.isnan(v):
        return "NA"
    if float(v).is_integer() and abs(v) < 1e15:
        return str(int(v))
    return format(float(v), ".15g")


def render_syntax(table, *, explicit: bool = False, header: str | None = None) -> str:
    """Render a parameter table (:class:`~iur_survey.sem.partable.ParTable` or its
    DataFrame) back to lavaan model syntax.

    With ``explicit=False`` only what the user wrote is rendered (``user == 1``
    rows, with their labels and fixed values, plus ``:=`` / ``==`` / ``<`` /
    ``>`` lines): fitting the text again with :func:`iur_survey.sem.sem` or
    lavaan's ``sem()`` gives the same model.  With ``explicit=True`` every
    parameter lavaan adds by default is written out too (fixed first loadings
    as ``1*x``, variances, covariances, intercepts), except the ``fixed.x``
    rows of exogenous observed covariates, which lavaan fixes to their sample
    values by itself.  Multi-group tables write per-group values as ``c(...)``.

    A parameter with both a value and a label is written as two repeated terms (``NA*x1 + a*x1``):
    lavaan 0.6.14 would keep only the label of a chained ``NA*a*x1``.

    >>> from iur_survey.sem.partable import build_partable
    >>> print(render_syntax(build_partable("F =~ NA*x1 + a*x1 + x2 + x3\\nF ~~ 1*F\\ny ~ 0.5*b*F")))
    F =~ NA*x1 + a*x1 + x2 + x3
    F ~~ 1*F
    y ~ 0.5*F + b*F
    >>> print(render_syntax(build_partable("F =~ c(NA, 1)*x1 + x2 + x3", ngroups=2)))
    F =~ c(NA, 1)*x1 + x2 + x3
    >>> pt = build_partable(parse_model("F =~ x1 + a*x2 + NA*x3 + 0.5*x4\\nF ~~ F"))
    >>> print(render_syntax(pt))
    F =~ x1 + a*x2 + x3 + 0.5*x4
    F ~~ F
    >>> print(render_syntax(pt, explicit=True))
    F =~ 1*x1 + a*x2 + x3 + 0.5*x4
    F ~~ F
    x1 ~~ x1
    x2 ~~ x2
    x3 ~~ x3
    x4 ~~ x4
    """
    df = table.to_frame() if hasattr(table, "to_frame") else table
    rows = [r for r in df.to_dict("records")]
    model_rows = [r for r in rows if r["op"] not in (":=", "==", "<", ">")]
    first_loading: dict[tuple, str] = {}
    for r in model_rows:
        if r["op"] == "=~":
            first_loading.setdefault((r.get("block", 1), r["lhs"]), r["rhs"])
    keyed: dict[tuple, list[dict]] = {}
    for r in model_rows:
        if not explicit and int(r["user"]) != 1:
            continue
        if explicit and int(r.get("exo", 0)) == 1:
            continue
        keyed.setdefault((r["lhs"], r["op"], r["rhs"]), []).append(r)

    def value_of(r: dict) -> float | None:
        """The fixed value to write (NaN = write NA*), None = nothing to write."""
        first = r["op"] == "=~" and first_loading.get((r.get("block", 1), r["lhs"])) == r["rhs"]
        if int(r["free"]) > 0:
            return math.nan if first else None
        u = float(r["ustart"])
        if first and u == 1.0 and not explicit:
            return None
        return u

    def label_of(r: dict) -> str:
        lab = str(r.get("label") or "")
        return "" if lab.startswith(".p") else lab

    def term(rs: list[dict], name: str) -> str:
        """``name`` with its modifiers; a value and a label are two repeated terms (``NA*x1 + a*x1``), as
        lavaan 0.6.14 keeps only the label of a chained ``NA*a*x1``."""
        vals = [value_of(r) for r in rs]
        labels = [label_of(r) for r in rs]
        parts = []
        if any(v is not None for v in vals):
            # beside a value: a free row without one is NA, a fixed one (a default marker at 1) its value
            shown = [_fmt(v if v is not None else math.nan if int(r["free"]) > 0 else float(r["ustart"]))
                     for v, r in zip(vals, rs)]
            parts.append(shown[0] if len(set(shown)) == 1 else "c(" + ", ".join(shown) + ")")
        if any(labels):
            parts.append(labels[0] if len(set(labels)) == 1 else "c(" + ", ".join(x or "NA" for x in labels) + ")")
        return " + ".join(f"{p}*{name}" for p in parts) if parts else name

    lines: list[str] = []
    if header:
        lines.extend("# " + h for h in header.splitlines())
    done: set = set()
    order = list(keyed)
    for key in order:
        if key in done:
            continue
        lhs, op, rhs = key
        if op in ("=~", "~"):
            same = [k for k in order if k[0] == lhs and k[1] == op and k not in done]
            lines.append(f"{lhs} {op} " + " + ".join(term(keyed[k], k[2]) for k in same))
            done.update(same)
        elif op == "~~":
            lines.append(f"{lhs} ~~ {term(keyed[key], rhs)}")
            done.add(key)
        elif op == "~1":
            lines.append(f"{lhs} ~ {term(keyed[key], '1')}")
            done.add(key)
    for r in rows:
        if r["op"] in (":=", "==", "<", ">") and int(r["user"]) == 1:
            lines.append(f"{r['lhs']} {r['op']} {r['rhs']}")
    return "\n".join(lines)


def chained_modifier_warnings(pm: ParsedModel) -> list[str]:
    """One warning per chain of modifiers that holds a label and a value (``NA*a*x``, ``0.5*b*x``,
    ``start(1)*a*x``): every modifier applies here, while lavaan 0.6.14 keeps only the label (the parameter stays
    free, the start value is dropped), so lavaan would fit another model from the same text.

    >>> chained_modifier_warnings(parse_model("F =~ NA*a*x1 + x2 + x3"))[0][:60]
    'F =~ NA*a*x1 (line 1): every modifier of the chain applies h'
    >>> chained_modifier_warnings(parse_model("F =~ NA*x1 + a*x1 + x2 + x3"))
    []
    """
    out = []
    for t in pm.terms:
        if t.chained and t.op != "~1":
            out.append(f"{t.lhs} {t.op} {t.chained} (line {t.line}): every modifier of the chain applies here, but "
                       f"lavaan 0.6.14 keeps only the label of a chain (the parameter free, a start value dropped); "
                       f"to give lavaan the same model write the modifiers as repeated terms, e.g. "
                       f"NA*{t.rhs} + label*{t.rhs}")
        elif t.chained:
            out.append(f"{t.lhs} ~ {t.chained} (line {t.line}): every modifier of the chain applies here, but lavaan "
                       "0.6.14 keeps only the label of a chain; write the modifiers as repeated terms")
    return out


def iter_terms(pm: ParsedModel, op: str | Iterable[str]) -> list[Term]:
    """The terms of ``pm`` with the given operator(s).

    >>> [t.rhs for t in iter_terms(parse_model("F =~ a + b; y ~ F"), "=~")]
    ['a', 'b']
    """
    ops = {op} if isinstance(op, str) else set(op)
    return [t for t in pm.terms if t.op in ops]


# ============================================================================================ syntax helper
_LABEL_MOD = re.compile(r"(?<![\w.(\"'])([A-Za-z_.][\w.]*)\s*\*(?=\s*[A-Za-z_.])")
#: words a ``label*`` modifier can be that are not labels (lavaan's modifier functions and R constants)
_LABEL_RESERVED = {"NA", "start", "equal", "label", "c", "TRUE", "FALSE"}


def _one_statement_per_line(model: str) -> str:
    """``model`` with one statement per line: statements joined by ``;`` split, continuation lines joined
    (as :func:`_statements` reads them); a model already written so is returned as it is, comments and all.

    >>> _one_statement_per_line("y ~ a1*x + b; d := a1*2")
    'y ~ a1 * x + b\\nd := a1 * 2'
    """
    codes = [_strip_comment(x) for x in model.splitlines()]
    if not any(";" in c or (c.strip() and not _REL_OP_TEXT.search(c)) for c in codes):
        return model
    return "\n".join(" ".join(t.text for t in toks) for toks in _statements(model, "<model>"))


#: a relation operator in a line of syntax (a line without one continues the statement above)
_REL_OP_TEXT = re.compile("|".join(re.escape(op) for op in _REL_OPS))


def group_specific_labels(model: str, ngroups: int, *, suffix: str = ".g{g}",
                          only: Collection[str] | None = None) -> str:
    """Give every label of ``model`` one name per group, so that a multi-group fit estimates each labelled
    parameter freely in every group (in lavaan a single label means one parameter shared by all groups).

    ``COL ~ a1*GOV`` becomes ``COL ~ c(a1.g1, a1.g2, ...)*GOV``; a ``:=`` or ``==`` line is repeated per
    group with its labels and defined name suffixed (``ind_GOV.g1 := a1.g1*b.g1``).  Fixed values
    (``1*x``), ``NA*x``, ``start()`` and labels already written per group (``c(...)``) are left alone; a
    model without a label written once is returned as it is.  Statements joined by ``;`` or continued on
    the next line are read as the parser reads them.

    >>> print(group_specific_labels("y ~ b1*x1 + 0.5*x2\\nd := b1*2", 2))
    y ~ c(b1.g1, b1.g2)*x1 + 0.5*x2
    d.g1 := b1.g1*2
    d.g2 := b1.g2*2

    ``only``: the labels to write per group (a path freed from equal regressions); the others stay shared, and a
    ``:=`` line is repeated per group only where it uses one of them (or an effect defined from one):

    >>> print(group_specific_labels("m ~ a*x\\ny ~ b*m + c*x\\nind := a*b\\ndir := c*1", 2, only={"a"}))
    m ~ c(a.g1, a.g2)*x
    y ~ b*m + c*x
    ind.g1 := a.g1*b
    ind.g2 := a.g2*b
    dir := c*1
    """
    if ngroups < 1:
        raise ValueError("ngroups must be >= 1")
    sfx = [suffix.format(g=g) for g in range(1, ngroups + 1)]
    lines = _one_statement_per_line(model).splitlines()
    labels: set[str] = set()
    body: list[str] = []
    for line in lines:
        code, sep, comment = line.partition("#")
        if ":=" in code or "==" in code or "<" in code or ">" in code or not re.search(r"=~|~", code):
            body.append(line)
            continue
        rhs_start = re.search(r"=~|~~|~", code).end()

        def repl(m: re.Match) -> str:
            name = m.group(1)
            if name in _LABEL_RESERVED or (only is not None and name not in only):
                return m.group(0)
            labels.add(name)
            return "c(" + ", ".join(name + s for s in sfx) + ")*"
        new = code[:rhs_start] + _LABEL_MOD.sub(repl, code[rhs_start:])
        body.append(new + (sep + comment if sep else ""))
    defined = set()
    for line in lines:
        code = line.split("#", 1)[0]
        if ":=" in code:
            name, expr = code.split(":=", 1)
            # with ``only``: an effect is per group when it uses a relabelled label or an effect that is
            if only is None or any(re.search(r"(?<![\w.])" + re.escape(n) + r"(?![\w.])", expr)
                                   for n in labels | defined):
                defined.add(name.strip())
    names = labels | defined
    if not labels:          # no label written once: every group already has its own (or there is none)
        return model
    word = re.compile(r"(?<![\w.])(" + "|".join(sorted((re.escape(n) for n in names), key=len, reverse=True))
                      + r")(?![\w.])")
    out: list[str] = []
    for line in body:
        code = line.split("#", 1)[0]
        if ":=" in code or "==" in code or re.search(r"(?<![=~])[<>]", code):
            if only is not None and not word.search(code):      # uses no relabelled name: one line, shared
                out.append(line)
                continue
            for s in sfx:
                out.append(word.sub(lambda m: m.group(1) + s, code.rstrip()))
        else:
            out.append(line)
    return "\n".join(out)
