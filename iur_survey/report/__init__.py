"""Reporting for the book: APA-style numbers and tables, path diagrams, forest plots, glue.

The chapters of the book only call these; the statistics come from the rest of the package.
:mod:`iur_survey.pipeline` (not here: it runs the analysis, it does not format) caches what the chapters show.

The names below are loaded on first use (PEP 562), so that a command that only formats numbers
(``iur-survey fit``'s terminal summary, ``iur-survey tables``) does not import matplotlib.
"""

from importlib import import_module

_WHERE = {
    "figure_png": "diagram", "forest_plot": "diagram", "path_diagram": "diagram",
    "cardinal": "format", "chisq": "format", "counted": "format", "integer": "format", "num": "format", "p_clause": "format", "percent": "format", "pval": "format",
    "quantity": "format", "stars": "format",
    "glue_all": "glue", "glue_figure": "glue", "glue_markdown": "glue", "glue_text": "glue", "notice": "glue", "show_figure": "glue",
    "APATable": "tables", "apa_table": "tables",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name in _WHERE:
        value = getattr(import_module(f".{_WHERE[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__)
