"""What iur-survey may read: one check of every input file before it is opened.

:func:`input_file` refuses, with a typed one-line error, what would hang or exhaust the reader (a folder,
a pipe, a device, a file of gigabytes) or cannot be read (no such file, no permission).  The partner of
:mod:`iur_survey.outputs`; the data files the analyses read are :mod:`iur_survey.datafile`'s.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> input_file(d / "none.csv", "raw export")
Traceback (most recent call last):
...
iur_survey.errors.ReadError: ...none.csv: no such raw export file
>>> input_file(d, "data")
Traceback (most recent call last):
...
iur_survey.errors.ReadError: ...: the data is a folder, not a file
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import ReadError

#: the largest input file a command reads (a survey export is megabytes; this stops /dev/zero-like inputs)
MAX_INPUT_BYTES = 2 << 30


def input_file(path: str | Path, what: str = "input") -> Path:
    """``path`` if it is a regular file of at most :data:`MAX_INPUT_BYTES`, else a typed one-line error
    (a FIFO would hang the reader, a device like /dev/zero would fill the memory)."""
    import stat

    if str(path).strip() == "":
        raise ReadError(None, f"the {what} file name is empty")
    path = Path(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise ReadError(path, f"no such {what} file") from None
    except OSError as exc:
        raise ReadError(path, f"cannot read the {what} file: {exc.strerror}") from None
    if stat.S_ISDIR(st.st_mode):
        raise ReadError(path, f"the {what} is a folder, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise ReadError(path, f"the {what} is not a regular file (a pipe or a device); save the export to a file")
    if st.st_size > MAX_INPUT_BYTES:
        raise ReadError(path, f"the {what} file is {st.st_size / 2**30:.1f} GiB, more than the "
                              f"{MAX_INPUT_BYTES / 2**30:.0f} GiB an export can be")
    if not os.access(path, os.R_OK):
        raise ReadError(path, f"cannot read the {what} file: permission denied")
    return path
