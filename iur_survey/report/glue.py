"""Glue helpers: put computed numbers, formatted text and figures into the book's prose.

In a chapter, ``glue_text("n_kept", n, integer)`` makes ``{glue:text}`n_kept``` print the
formatted count; ``glue_figure("fig_paths", fig)`` makes a ``{glue:figure}`` directive show
``fig`` (as PNG bytes, so the figure never depends on the kernel's matplotlib backend).
Outside a notebook kernel (tests, doctests) the functions only return what they would glue.

>>> glue_text("x", 0.9534, lambda v: f"{v:.2f}")
'0.95'
>>> glue_text("y", None)
'n/a'
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from .diagram import figure_png

#: what a glued name shows when the value it stands for has not been computed
NOT_AVAILABLE = "n/a"


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return False
    return get_ipython() is not None


def _glue(name: str, value: Any) -> None:
    if _in_kernel():
        from myst_nb import glue
        glue(name, value, display=False)


def glue_text(name: str, value: Any, fmt: Callable[[Any], str] = str) -> str:
    """Glue ``fmt(value)`` under ``name`` (``n/a`` when ``value`` is ``None``); returns the text."""
    text = NOT_AVAILABLE if value is None else fmt(value)
    _glue(name, text)
    return text


def glue_markdown(name: str, text: str) -> str:
    """Glue MyST markdown (use ``{glue:md}`name```), e.g. ``"*p* < .001"``."""
    if _in_kernel():
        from IPython.display import Markdown
        _glue(name, Markdown(text))
    return text


def glue_all(names: Mapping[str, tuple[str, Any]]) -> dict[str, str]:
    """Glue a mapping ``name -> (kind, value)`` (kind ``"text"``: :func:`glue_text`; ``"md"``:
    :func:`glue_markdown`; ``None`` is n/a), as a chapter's ``*_glue`` function returns it; returns the texts.

    >>> glue_all({"a": ("text", None), "b": ("md", "*p* < .001"), "c": ("md", None)})
    {'a': 'n/a', 'b': '*p* < .001', 'c': 'n/a'}
    """
    return {name: glue_text(name, value) if kind == "text"
            else glue_markdown(name, NOT_AVAILABLE if value is None else value)
            for name, (kind, value) in names.items()}


def glue_figure(name: str, fig) -> bytes:
    """Glue a matplotlib figure as a PNG image (use the ``{glue:figure}`` directive)."""
    png = figure_png(fig)
    if _in_kernel():
        from IPython.display import Image
        _glue(name, Image(data=png, format="png"))
    return png


def show_figure(fig) -> None:
    """Display a matplotlib figure as PNG in the cell output (backend independent)."""
    from IPython.display import Image, display
    display(Image(data=figure_png(fig), format="png"))


def notice(text: str, kind: str = "warning", title: str | None = None):
    """A MyST admonition as a Markdown display object (for "pending" and similar notes).

    >>> notice("Not built yet.", "note").data.splitlines()[0]
    ':::{note}'
    >>> notice("Not built yet.", "warning", "Pending").data.splitlines()[:2]
    [':::{admonition} Pending', ':class: warning']
    """
    from IPython.display import Markdown
    if title:
        return Markdown(f":::{{admonition}} {title}\n:class: {kind}\n{text}\n:::\n")
    return Markdown(f":::{{{kind}}}\n{text}\n:::\n")
