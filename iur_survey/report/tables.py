"""Publication-style (APA 7th ed.) tables for the book.

:func:`apa_table` formats a DataFrame column by column (decimals fixed per column so the
decimal points align in the right-aligned numeric columns; leading zeros dropped where APA
drops them) and returns an :class:`APATable` that renders as HTML in a notebook: "Table N"
in bold, the title in italics, rules above and below the header and under the body only, and
the note under the table ("*Note.* ...").  Text in the title, headers and note may use
``*italic*``.

Column formats: an ``int`` (that many decimals, leading zero kept), ``"r2"``/``"r3"`` (two or
three decimals without the leading zero: correlations, standardized coefficients, CFI...),
``"p"`` (APA *p* value), ``"int"`` (count with thousands separator), ``"text"`` or a callable.

>>> import pandas as pd
>>> t = apa_table(pd.DataFrame({"Item": ["GOV1", "GOV2"], "λ": [0.812, -0.05], "p": [0.0001, 0.2]}),
...               "Loadings", number=1, formats={"λ": "r2", "p": "p"}, note="Standardized.")
>>> t.frame["λ"].tolist(), t.frame["p"].tolist()
(['.81', '−.05'], ['< .001', '.200'])
>>> "<em>Note.</em> Standardized." in t._repr_html_()
True
"""

from __future__ import annotations

import html
import re
from typing import Any, Callable, Mapping

import pandas as pd

from .format import DASH, integer, num, pval, quantity

Format = Any  # int | str | Callable[[Any], str]


#: a Markdown code span of a note (```iur-survey pls```): code in HTML and LaTeX, plain text elsewhere; its
#: content is verbatim in every format (no ``*italic*`` rule inside it)
CODE = re.compile(r"`([^`\n]+)`")


def code_span(text: Any) -> str:
    """``text`` (a lavaan formula, ``a*b/(c+a*b)``) as a code span of a table cell or note: every writer
    shows it verbatim (Markdown and HTML as code, LaTeX as ``\\texttt``, Word and CSV as plain text), so its
    ``*`` are never read as italics.  A lavaan formula has no backtick or line break; text that has one
    cannot be a code span and is refused (ValueError) rather than shown garbled.

    >>> code_span("a*d*b")
    '`a*d*b`'
    """
    text = str(text)
    if "`" in text or "\n" in text:
        raise ValueError(f"not a one-line formula without backticks: {text!r}")
    return f"`{text}`"


def _italics(text: str) -> str:
    """Escape ``text`` for HTML and turn ``*x*`` into ``<em>x</em>`` and a code span into ``<code>``.

    >>> _italics("from `iur-survey pls` (*p* < .05)")
    'from <code>iur-survey pls</code> (<em>p</em> &lt; .05)'
    """
    parts = CODE.split(str(text))
    return "".join(f"<code>{html.escape(p)}</code>" if k % 2 else
                   re.sub(r"\*([^*\s](?:[^*]*[^*\s])?)\*", r"<em>\1</em>", html.escape(p))   # ".30***" keeps stars
                   for k, p in enumerate(parts))


def formatter(spec: Format) -> Callable[[Any], str]:
    """The cell formatter for a column format spec (see the module docstring).

    >>> formatter(2)(0.5), formatter("r3")(0.5), formatter("p")(0.01), formatter("int")(1200)
    ('0.50', '.500', '.010', '1,200')
    """
    if callable(spec):
        return spec
    if isinstance(spec, int) and not isinstance(spec, bool):
        return lambda x: num(x, spec)
    if spec == "p":
        return pval
    if spec == "int":
        return lambda x: DASH if pd.isna(x) else integer(x)
    if spec == "text":
        return lambda x: "" if x is None or (isinstance(x, float) and pd.isna(x)) else str(x)
    m = re.fullmatch(r"r(\d)", str(spec))
    if m:
        d = int(m.group(1))
        return lambda x: num(x, d, leading_zero=False)
    raise ValueError(f"unknown column format {spec!r}")


class APATable:
    """A formatted table (all cells strings) with its number, title and note."""

    def __init__(self, frame: pd.DataFrame, title: str, number: int | str | None = None,
                 note: str | None = None, numeric: tuple[str, ...] = (), stub: str | None = None,
                 wrap: tuple[str, ...] | None = None):
        self.frame = frame
        if wrap is None:   # long text columns may wrap; everything else stays on one line
            wrap = tuple(c for c in frame.columns if c not in numeric
                         and frame[c].astype(str).str.len().max(skipna=True) > 28) if len(frame) else ()
        self.wrap = tuple(wrap)
        self.title = title
        self.number = number
        self.note = note
        self.numeric = tuple(numeric)
        self.stub = stub

    def __repr__(self) -> str:
        head = f"Table {self.number}. " if self.number is not None else ""
        out = f"{head}{self.title}\n{self.frame.to_string(index=False)}"
        if self.note:
            out += f"\nNote. {self.note}"
        return out

    def _repr_html_(self) -> str:
        cols = list(self.frame.columns)
        parts = ['<div class="apa-table">']
        if self.number is not None:
            parts.append(f'<p class="apa-table-number"><strong>Table {html.escape(str(self.number))}</strong></p>')
        parts.append(f'<p class="apa-table-title"><em>{_italics(self.title).replace("<em>", "").replace("</em>", "")}</em></p>')
        parts.append('<table class="apa"><thead><tr>')
        def cls(c):
            names = (["num"] if c in self.numeric else []) + ([] if c in self.wrap else ["nw"])
            return f' class="{" ".join(names)}"' if names else ""

        for c in cols:
            parts.append(f"<th{cls(c)}>{_italics(c)}</th>")
        parts.append("</tr></thead><tbody>")
        for _, row in self.frame.iterrows():
            parts.append("<tr>")
            for c in cols:
                parts.append(f"<td{cls(c)}>{_italics(row[c])}</td>")
            parts.append("</tr>")
        parts.append("</tbody></table>")
        if self.note:
            parts.append(f'<p class="apa-table-note"><em>Note.</em> {_italics(self.note)}</p>')
        parts.append("</div>")
        return "".join(parts)


def apa_table(frame: pd.DataFrame, title: str, number: int | str | None = None, note: str | None = None,
              formats: Mapping[str, Format] | None = None, default: Format = 2,
              rename: Mapping[str, str] | None = None) -> APATable:
    """Format ``frame`` into an :class:`APATable`.

    Numeric columns without an entry in ``formats`` get ``default`` (two decimals); text columns
    are shown as they are.  ``rename`` relabels columns after formatting (formats use the
    original names).
    """
    formats = dict(formats or {})
    out = pd.DataFrame(index=frame.index)
    numeric = []
    for col in frame.columns:
        series = frame[col]
        spec = formats.get(col)
        if spec is None:
            spec = default if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series) \
                else "text"
        if spec != "text":
            numeric.append(col)
        out[col] = [formatter(spec)(v) for v in series]
    out = out.reset_index(drop=True)
    if rename:
        out = out.rename(columns=dict(rename))
        numeric = [rename.get(c, c) for c in numeric]
    return APATable(out, title, number=number, note=note, numeric=tuple(numeric))


def triangle_table(square: pd.DataFrame, title: str, number=None, note: str | None = None,
                   diagonal: Mapping[str, float] | None = None, decimals: int = 2, kind: str = "r") -> APATable:
    """A symmetric matrix as an APA lower triangle; the diagonal shows ``diagonal`` values (e.g. the square
    root of AVE) or a dash.  ``kind``: the quantity of the cells (:func:`~iur_survey.report.format.quantity`):
    correlations (``"r"``) without leading zeros, ``"htmt"`` (which can exceed 1) with them.

    >>> m = pd.DataFrame([[1.0, 0.5], [0.5, 1.0]], index=["A", "B"], columns=["A", "B"])
    >>> triangle_table(m, "r").frame.values.tolist(), triangle_table(m, "HTMT", kind="htmt").frame["A"].tolist()
    ([['A', '—', ''], ['B', '.50', '—']], ['—', '0.50'])
    """
    names = list(square.index)
    rows = []
    for i, a in enumerate(names):
        row = {"": a}
        for j, b in enumerate(names):
            if j < i:
                row[b] = quantity(square.loc[a, b], kind, decimals)
            elif j == i:
                row[b] = num(diagonal[a], decimals, leading_zero=False) if diagonal is not None else DASH
            else:
                row[b] = ""
        rows.append(row)
    frame = pd.DataFrame(rows)
    return APATable(frame, title, number=number, note=note, numeric=tuple(names))
