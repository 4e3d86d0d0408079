"""Input/output shared by the CLI commands: read a clean CSV, write JSON atomically."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from ..errors import EmptyFileError, ModelSyntaxError, ReadError


def read_clean_csv(path: str | Path):
    """Read a clean CSV (``iur-survey clean``'s ``clean.csv``) with typed errors."""
    import pandas as pd

    path = Path(path)
    try:
        data = pd.read_csv(path, dtype={"response_id": str})
    except pd.errors.EmptyDataError:
        raise EmptyFileError(path, "the data file is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ReadError(path, f"cannot read the data as CSV: {exc}") from None
    if data.empty:
        raise EmptyFileError(path, "the data file has a header but no rows")
    return data


def model_syntax(model: str | Path | None, instrument: str | Path | None) -> tuple[str, str]:
    """The model syntax and its source name: ``--model FILE.lav`` or the instrument's default model."""
    from ..instrument import load_instrument
    from ..sem import default_model

    if model:
        path = Path(model)
        syntax, source = path.read_text(encoding="utf-8"), str(path)
    else:
        syntax, source = default_model(load_instrument(instrument)), "<default model>"
    if not syntax.strip():
        raise ModelSyntaxError(source, "the model file is empty")
    return syntax, source


def write_json_atomic(payload: Any, out: str | Path) -> Path:
    """Write ``payload`` as JSON so that ``out`` appears complete or not at all."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.stem}-", suffix=".json", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(payload, fh, ensure_ascii=False, indent=2)
            fh.write("\n")
        os.replace(tmp, out)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return out
