"""A notebook whose cell raises must fail the build (the project's own _config.yml, a one-chapter book)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from iur_survey.book import build_command, kernel_environment, BookSettings

REPO = Path(__file__).resolve().parents[2]
# ~10 s per test on 2 cores: fast enough for the default run.  The chapter reads no result, so the build's
# pipeline (run by the book's Sphinx extension before any chapter) is given an export that is not there: every
# step is pending at once.  On the demo export it ran the whole analysis, bootstrap included (~50 s per test).

NOTEBOOK = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# A chapter

```{{code-cell}} ipython3
x = {value}
```

The value is computed above.
"""


def _book(root: Path, value: str) -> Path:
    (root / "book" / "_static").mkdir(parents=True)
    shutil.copy(REPO / "_config.yml", root / "_config.yml")
    shutil.copy(REPO / "book" / "_static" / "apa.css", root / "book" / "_static" / "apa.css")
    (root / "_toc.yml").write_text("format: jb-book\nroot: book/index\nchapters:\n  - file: book/ch\n")
    (root / "book" / "index.md").write_text("# Test book\n\n```{tableofcontents}\n```\n")
    (root / "book" / "ch.md").write_text(NOTEBOOK.format(value=value))
    return root


def _build(root: Path) -> subprocess.CompletedProcess:
    env = kernel_environment(BookSettings.from_env({"IUR_SURVEY_WORKDIR": str(root / "work"),   # not the checkout's
                                                    "IUR_SURVEY_DATA": str(root / "no_export.csv")}))
    return subprocess.run(build_command(root, root / "_build"), cwd=root, env=env, capture_output=True, text=True,
                          timeout=600)


@pytest.mark.xdist_group("book")        # a kernel: never beside another build's (see test_prose_any_data.py)
def test_a_failing_cell_fails_the_build(tmp_path):
    proc = _build(_book(tmp_path, "1 / 0"))
    assert proc.returncode != 0
    assert "ZeroDivisionError" in proc.stdout + proc.stderr


@pytest.mark.xdist_group("book")        # a kernel: never beside another build's (see test_prose_any_data.py)
def test_the_same_book_without_the_error_builds(tmp_path):
    proc = _build(_book(tmp_path, "1 / 1"))
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    assert (tmp_path / "_build" / "html" / "book" / "ch.html").is_file()
