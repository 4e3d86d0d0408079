"""The package as a user installs it: a wheel carries the instrument, the demo export and the book sources,
and the installed package runs from any folder (issue 10).

Built from a copy of the tracked files in a temporary folder (a build in the checkout would leave
build/ and *.egg-info behind); installed with ``pip install --no-deps --target`` and run with the
current interpreter's dependencies, from a folder outside the checkout.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from iur_survey import resources

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _copy_sources(dest: Path) -> None:
    try:
        files = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
        names = [n for n in files.decode().split("\0") if n]
    except (OSError, subprocess.CalledProcessError):      # not a git checkout: everything but build debris
        names = [p.relative_to(REPO).as_posix() for p in REPO.rglob("*") if p.is_file()
                 and not any(part.startswith((".", "_build", "build")) or part == "__pycache__"
                             for part in p.relative_to(REPO).parts)]
    for name in names:
        src = REPO / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    src, out = tmp / "src", tmp / "dist"
    _copy_sources(src)
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                           "-w", str(out), str(src)], capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    (whl,) = out.glob("iur_survey-*.whl")
    return whl


def test_wheel_ships_the_instrument_demo_and_book(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    bundle = "iur_survey/" + resources.BUNDLE + "/"
    root = resources.checkout_root()
    assert root is not None
    expected = ["data/instrument.yaml", "data/demo/export.csv", "data/demo/truth.csv", "data/demo/population.json",
                "_config.yml", "_toc.yml", "book/_static/apa.css"]
    expected += [p.relative_to(root).as_posix() for p in sorted((root / "book").glob("*.md"))]
    missing = [e for e in expected if bundle + e not in names]
    assert not missing, missing
    assert "iur_survey/resources.py" in names and not any(n.startswith(("tests/", "data/", "book/")) for n in names)


def test_installed_wheel_runs_from_any_folder(wheel, tmp_path):
    site = tmp_path / "site"
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site),
                           str(wheel)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = dict(os.environ, PYTHONPATH=str(site))

    def run(*argv: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "iur_survey", *argv], cwd=work, env=env, capture_output=True,
                              text=True, timeout=900)

    where = subprocess.run([sys.executable, "-c", "import iur_survey, iur_survey.resources as r; "
                            "print(iur_survey.__file__); print(r.root())"],
                           cwd=work, env=env, capture_output=True, text=True, check=True).stdout.split()
    assert where[0].startswith(str(site)) and where[1] == str(site / "iur_survey" / resources.BUNDLE)
    assert run("simulate", "--n", "150", "--seed", "3", "--format", "csv", "--out", "sim").returncode == 0
    p = run("clean", "sim/export.csv", "--out", "clean")
    assert p.returncode == 0, p.stderr
    p = run("fit", "clean/clean.csv", "--out", "results.json")
    assert p.returncode == 0, p.stderr
    assert json.loads((work / "results.json").read_text(encoding="utf-8"))["converged"] is True
    assert sorted(p.name for p in work.iterdir()) == ["clean", "results.json", "sim"]
