"""The built pages in headless Chromium: every page renders (a screenshot that is not blank) and the
math is typeset by the vendored MathJax (mjx-container elements in the DOM), with no network."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("book")]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
         "--virtual-time-budget=5000"]


def chromium(*args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (Debian package `chromium`; `make sysdeps` installs it)")
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True,
                              text=True, timeout=timeout)


def test_every_page_renders_something(book_pages, tmp_path):
    from matplotlib.image import imread

    for page in book_pages:
        shot = tmp_path / (page.stem + ".png")
        proc = chromium("--window-size=1280,1600", f"--screenshot={shot}", page.as_uri())
        assert shot.is_file() and shot.stat().st_size > 5000, f"no screenshot of {page.name}: {proc.stderr[-2000:]}"
        img = imread(shot)[..., :3]
        assert img.std() > 0.05, f"{page.name} renders blank (pixel sd {img.std():.4f})"
        # text, not just a frame: a good share of the page differs from the background colour
        assert (np.abs(img - img[5, 5]).sum(axis=-1) > 0.3).mean() > 0.01, f"{page.name} looks empty"


def test_math_is_typeset_offline(demo_book):
    page = demo_book.html / "book" / "01_introduction.html"
    proc = chromium("--dump-dom", page.as_uri())
    dom = proc.stdout
    assert "<mjx-container" in dom, "MathJax did not typeset the formulas"
    assert dom.count("<mjx-container") >= 8
    assert "<mjx-merror" not in dom, "MathJax reported a TeX error"
