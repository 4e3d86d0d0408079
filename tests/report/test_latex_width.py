"""LaTeX tables fit an article's text block: each tabular is in graphicx's \\resizebox, shrunk only when wider
than \\linewidth (audit s25 paperout C6: fit 70 pt and invariance 300 pt over), and the header line names the
packages a plain article needs."""

from __future__ import annotations

import re
import shutil
import subprocess

import pandas as pd
import pytest

from iur_survey.report.paper import to_latex
from iur_survey.report.tables import APATable

WIDE = APATable(pd.DataFrame({f"Column heading {k}": [f"{k}.123456 [0.1, 0.2]"] for k in range(14)}),
                "A very wide table", 1)
NARROW = APATable(pd.DataFrame({"Model": ["A"], "CFI": [".950"]}), "Fit", 2, numeric=("CFI",))


def test_every_tabular_in_a_shrink_only_resizebox():
    tex = to_latex([WIDE, NARROW])
    head = tex.splitlines()[0]
    for pkg in ("booktabs", "caption", "graphicx"):
        assert f"\\usepackage{{{pkg}}}" in head
    boxes = re.findall(r"\\resizebox\{(.*?)\}\{!\}\{%\n\\begin\{tabular\}", tex)
    assert boxes == [r"\ifdim\width>\linewidth\linewidth\else\width\fi"] * 2
    assert tex.count("\\end{tabular}\n}\n") == 2


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="no pdflatex")
def test_plain_article_compiles_without_overfull_boxes(tmp_path):
    body = to_latex([WIDE, NARROW])
    doc = tmp_path / "doc.tex"
    doc.write_text("\\documentclass{article}\n\\usepackage{booktabs}\n\\usepackage{caption}\n"
                   "\\usepackage{graphicx}\n\\begin{document}\n" + body + "\n\\end{document}\n", encoding="utf-8")
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", doc.name], cwd=tmp_path,
                         capture_output=True, text=True, timeout=300)
    log = (tmp_path / "doc.log").read_text(errors="replace")
    assert run.returncode == 0, log[-2000:]
    assert "Overfull \\hbox" not in log
