"""``MANIFEST.sha256``: the sha256 of every file of a pack, in ``sha256sum -c`` format.

>>> import tempfile, pathlib
>>> with tempfile.TemporaryDirectory() as d:
...     _ = (pathlib.Path(d) / "a.txt").write_text("hello\\n")
...     _ = write_manifest(d)
...     print((pathlib.Path(d) / MANIFEST).read_text().strip())
...     bool(verify_manifest(d).ok.all())
5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03  a.txt
True
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..read.base import sha256_file

__all__ = ["MANIFEST", "sha256_file", "write_manifest", "verify_manifest"]

MANIFEST = "MANIFEST.sha256"


def write_manifest(directory: str | Path) -> Path:
    """Write ``MANIFEST.sha256`` listing every regular file under ``directory`` (itself excluded),
    sorted, paths relative with forward slashes, two spaces after the hash (``sha256sum`` text mode)."""
    d = Path(directory)
    files = sorted(p for p in d.rglob("*") if p.is_file() and p.name != MANIFEST)
    for p in files:
        rel = p.relative_to(d).as_posix()
        if "\n" in rel or "\\" in rel:
            raise ValueError(f"cannot list {rel!r} in a sha256sum manifest")
    lines = [f"{sha256_file(p)}  {p.relative_to(d).as_posix()}" for p in files]
    out = d / MANIFEST
    out.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")
    return out


def verify_manifest(directory: str | Path) -> pd.DataFrame:
    """Check every line of ``MANIFEST.sha256``: DataFrame ``file expected actual ok`` (actual None when absent)."""
    d = Path(directory)
    rows = []
    for line in (d / MANIFEST).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        digest, name = line.split("  ", 1)
        p = d / name
        actual = sha256_file(p) if p.is_file() else None
        rows.append({"file": name, "expected": digest, "actual": actual, "ok": actual == digest})
    return pd.DataFrame(rows, columns=["file", "expected", "actual", "ok"])
