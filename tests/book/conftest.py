"""Shared fixture of the book tests: the demo book, built once per session from scratch."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]


@dataclass
class BuiltBook:
    out: Path
    html: Path
    log: str
    seconds: float
    returncode: int


@pytest.fixture(scope="session")
def demo_book(tmp_path_factory) -> BuiltBook:
    """``iur-survey book --out TMP`` on the demo export, in a fresh process whose environment says
    ``MPLBACKEND=Agg`` on purpose (the build must override it, or figures would silently vanish)."""
    out = tmp_path_factory.mktemp("demo_book")
    env = dict(os.environ, MPLBACKEND="Agg")
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "iur_survey", "book", "--out", str(out)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=1500)
    book = BuiltBook(out, out / "html", proc.stdout + proc.stderr, time.perf_counter() - t0, proc.returncode)
    if proc.returncode != 0:
        pytest.fail(f"the demo book did not build (exit {proc.returncode}):\n{book.log[-6000:]}")
    return book


def toc_files() -> list[str]:
    """The book's documents in _toc.yml order (root first), as paths without suffix."""
    toc = yaml.safe_load((REPO / "_toc.yml").read_text(encoding="utf-8"))
    return [toc["root"]] + [c["file"] for c in toc["chapters"]]


@pytest.fixture(scope="session")
def book_pages(demo_book) -> list[Path]:
    """The HTML page of every document of the table of contents."""
    return [demo_book.html / f"{f}.html" for f in toc_files()]


@pytest.fixture(scope="session")
def toc_sources() -> list[Path]:
    return [REPO / f"{f}.md" for f in toc_files()]
