"""Where iur-survey may write: one check of every output path before anything is written.

:func:`output_dir` validates an output folder (``--out``) and refuses, with a typed one-line
error, what would go wrong or destroy data: an empty path, a path under a file, a dangling
symlink, a folder that cannot be written, and any output file that *is* an input (the same file
by path or inode, or a file with the raw export's exact content): the raw export is never
overwritten, by construction, because every writer of the package asks here first.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> output_dir(d / "new", ["clean.csv"]) == d / "new"
True
>>> _ = (d / "raw.csv").write_text("x")
>>> output_dir(d, ["raw.csv"], protect=[d / "raw.csv"])
Traceback (most recent call last):
...
iur_survey.errors.IURSurveyError: ...raw.csv: refusing to overwrite an input file (write the outputs to another --out)
>>> output_dir("", ["clean.csv"])
Traceback (most recent call last):
...
iur_survey.errors.IURSurveyError: --out is empty: name an output folder
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Iterable

from .errors import IURSurveyError


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def output_file(path: str | Path, *, protect: Iterable[str | Path] = (), protect_sha256: str | None = None) -> Path:
    """Check one output file: not empty, its folder creatable and writable, not an input."""
    if str(path).strip() == "":
        raise IURSurveyError(None, "--out is empty: name an output file")
    path = Path(path)
    if path.is_symlink() and not path.exists():
        raise IURSurveyError(path, "the output path is a dangling symbolic link")
    if path.exists() and path.is_dir():
        raise IURSurveyError(path, "the output path is a folder, not a file")
    _check_folder(path.absolute().parent)
    _check_not_input(path, protect, protect_sha256)
    return path


def output_dir(out: str | Path, names: Iterable[str], *, protect: Iterable[str | Path] = (),
               protect_sha256: str | None = None) -> Path:
    """Check an output folder and the files ``names`` to be written into it; returns ``Path(out)``."""
    if str(out).strip() == "":
        raise IURSurveyError(None, "--out is empty: name an output folder")
    out = Path(out)
    if out.is_symlink() and not out.exists():
        raise IURSurveyError(out, "the output path is a dangling symbolic link")
    if out.exists() and not out.is_dir():
        raise IURSurveyError(out, "the output path exists and is not a directory")
    _check_folder(out.absolute())
    protect = list(protect)
    for name in names:
        _check_not_input(out / name, protect, protect_sha256)
    return out


def _check_folder(folder: Path) -> None:
    """The folder exists and is writable, or can be created (no file on the way, a writable ancestor)."""
    p = folder
    while not p.exists():
        if p.is_symlink():
            raise IURSurveyError(p, "the output path goes through a dangling symbolic link")
        if p.parent == p:
            break
        p = p.parent
    if p.exists() and not p.is_dir():
        raise IURSurveyError(folder, f"cannot create the output folder: {p} is a file")
    if not os.access(p, os.W_OK | os.X_OK):
        raise IURSurveyError(p, "the output folder is not writable (permission denied)")


def _check_not_input(target: Path, protect: Iterable[str | Path], protect_sha256: str | None) -> None:
    for src in protect:
        if _same(target, Path(src)):
            raise IURSurveyError(target, "refusing to overwrite an input file (write the outputs to another --out)")
    if protect_sha256 and target.is_file() and _sha256(target) == protect_sha256:
        raise IURSurveyError(target, "refusing to overwrite a file with the raw export's content "
                                     "(write the outputs to another --out)")
