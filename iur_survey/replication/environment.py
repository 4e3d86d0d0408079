"""``environment.lock``: what the pack was made with and what replicating it wants.

Sections: ``[python]`` (version, implementation, executable name), ``[platform]``,
``[iur-survey]``, ``[r]`` (R and lavaan versions wanted, and those found on the
machine that built the pack when Rscript is there), ``[pip-freeze]`` (``pip
freeze`` of the running environment; the installed distributions from
``importlib.metadata`` when pip is not available).

>>> text = environment_lock(r_found=False)
>>> text.splitlines()[0], "[pip-freeze]" in text, "lavaan == 0.6.14" in text
('# environment.lock -- iur-survey replication pack', True, True)
"""

from __future__ import annotations

import platform
import shutil
import subprocess
import sys
from importlib import metadata

from .. import __version__

__all__ = ["environment_lock", "pip_freeze", "r_versions", "WANTED_R"]

#: what replicate.R was checked with
WANTED_R = {"R": ">= 4.2 (checked with 4.2.2)", "lavaan": "== 0.6.14", "jsonlite": ">= 1.8"}


def pip_freeze() -> list[str]:
    """``pip freeze`` lines of this interpreter's environment (sorted, case-insensitively).

    >>> any(line.lower().startswith("numpy==") for line in pip_freeze())
    True
    """
    try:
        out = subprocess.run([sys.executable, "-m", "pip", "freeze", "--all"], capture_output=True, text=True,
                             timeout=120, check=True).stdout
        lines = [ln.strip() for ln in out.splitlines() if ln.strip() and not ln.startswith("#")]
        if lines:
            return sorted(lines, key=str.lower)
    except (OSError, subprocess.SubprocessError):
        pass
    seen = {}
    for dist in metadata.distributions():
        name = dist.metadata.get("Name")
        if name and name.lower() not in seen:
            seen[name.lower()] = f"{name}=={dist.version}"
    return sorted(seen.values(), key=str.lower)


def r_versions(timeout: float = 60.0) -> dict[str, str] | None:
    """R, lavaan and jsonlite versions of the ``Rscript`` on PATH (None without Rscript)."""
    exe = shutil.which("Rscript")
    if not exe:
        return None
    code = ('v <- function(p) tryCatch(as.character(packageVersion(p)), error = function(e) "absent"); '
            'cat(paste(R.version$major, R.version$minor, sep = "."), v("lavaan"), v("jsonlite"), sep = "\\n")')
    try:
        out = subprocess.run([exe, "--vanilla", "-e", code], capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.SubprocessError):
        return None
    parts = out.stdout.split()
    if out.returncode != 0 or len(parts) < 3:
        return None
    return {"R": parts[0], "lavaan": parts[1], "jsonlite": parts[2]}


def environment_lock(*, data_sha256: str | None = None, r_found: bool = True) -> str:
    """The text of ``environment.lock`` (``r_found=False`` skips asking the local R)."""
    uname = platform.uname()
    L = ["# environment.lock -- iur-survey replication pack",
         "# The Python side made ours.json with the environment below; replicate.R needs only R + lavaan.",
         "", "[python]",
         f"version = {platform.python_version()}",
         f"implementation = {platform.python_implementation()}",
         "", "[platform]",
         f"system = {uname.system}", f"release = {uname.release}", f"machine = {uname.machine}",
         f"platform = {platform.platform()}",
         "", "[iur-survey]", f"version = {__version__}"]
    if data_sha256:
        L.append(f"source_data_sha256 = {data_sha256}")
    L += ["", "[r]  # wanted by replicate.R"]
    L += [f"{k} {v}" for k, v in WANTED_R.items()]
    found = r_versions() if r_found else None
    if found:
        L.append("# found where the pack was built: " + ", ".join(f"{k} {v}" for k, v in found.items()))
    L += ["", "[pip-freeze]"] + pip_freeze()
    return "\n".join(L) + "\n"
