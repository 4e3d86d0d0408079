"""`iur-survey book --format pdf`: the single-page book printed by headless Chromium with a page break before
each chapter, tables unbroken and Chinese text rendered (the print step on a small page; the whole demo book
is built by the slow test)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from iur_survey.book import pdf_pages, print_pdf

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (Debian package `chromium`)")

ROWS = "".join(f"<tr><td>row {i}</td><td>{i}.00</td></tr>" for i in range(30))
PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>t</title></head><body>
<section><h1>Book</h1><p>Front matter.</p></section>
<span id="document-book/01"></span><section><h2>Chapter one</h2><p>合作创新 深度融合</p></section>
<span id="document-book/02"></span><section><h2>Chapter two</h2><div style="height:200mm"></div>
<table><tbody>""" + ROWS + """</tbody></table></section>
</body></html>"""


def test_chapters_start_on_new_pages_and_tables_stay_whole(tmp_path):
    (tmp_path / "book").mkdir()
    (tmp_path / "index.html").write_text('<meta http-equiv="Refresh" content="0; url=book/index.html" />')
    (tmp_path / "book" / "index.html").write_text(PAGE, encoding="utf-8")
    pdf = print_pdf(tmp_path / "index.html", tmp_path / "out" / "book.pdf")
    assert pdf_pages(pdf) == 4     # front matter | chapter one | chapter two | its table (kept whole)
    if shutil.which("pdftotext"):
        pages = [subprocess.run(["pdftotext", "-f", str(k), "-l", str(k), str(pdf), "-"], capture_output=True,
                                text=True).stdout for k in range(1, 5)]
        assert "Chapter one" in pages[1] and "Chapter two" in pages[2]
        assert "合作创新" in pages[1]                        # the CJK text is in the PDF as text
        assert "row 0" in pages[3] and "row 29" in pages[3]  # the whole table on one page
