"""Reporting for the book: APA-style numbers and tables, path diagrams, forest plots, glue.

The chapters of the book only call these; the statistics come from the rest of the package.
:mod:`.results` runs the pipeline once for the book and caches what the chapters show.
"""

from .diagram import figure_png, forest_plot, path_diagram
from .format import integer, num, p_clause, percent, pval, stars
from .glue import glue_figure, glue_markdown, glue_text, notice, show_figure
from .tables import APATable, apa_table

__all__ = ["APATable", "apa_table", "figure_png", "forest_plot", "glue_figure", "glue_markdown", "glue_text",
           "integer", "notice", "num", "p_clause", "path_diagram", "percent", "pval", "show_figure", "stars"]
