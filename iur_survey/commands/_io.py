"""Input/output shared by the CLI commands: read a model, check outputs, write JSON atomically (data files:
:mod:`iur_survey.datafile`)."""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Iterable

from ..inputs import input_file
from ..errors import ModelSyntaxError
from ..outputs import output_dir, output_file



def print_warnings(command: str, texts: Iterable[str]) -> None:
    """Each warning text once, one line on stderr: ``iur-survey COMMAND: warning: TEXT`` (not Python's
    two-line form with the source line)."""
    import sys

    for text in dict.fromkeys(texts):
        print(f"iur-survey {command}: warning: {text}", file=sys.stderr)


def say_caught(command: str, caught: Iterable, prefix: str = "") -> None:
    """The Python warnings a command caught (``warnings.catch_warnings(record=True)``): each user-facing one
    (a ``UserWarning`` or ``RuntimeWarning``) once, as one :func:`print_warnings` line on stderr, whichever
    lines of the package raised it; any other category (a library's deprecation) is re-issued as it was.

    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as said:
    ...     warnings.simplefilter("always")
    ...     for _ in range(2):
    ...         warnings.warn("omega: opposite signs")
    >>> import contextlib, io, sys
    >>> err = io.StringIO()
    >>> with contextlib.redirect_stderr(err):
    ...     say_caught("tables", said)
    >>> err.getvalue()
    'iur-survey tables: warning: omega: opposite signs\\n'
    """
    import warnings

    caught = list(caught)
    print_warnings(command, (prefix + str(w.message) for w in caught
                             if issubclass(w.category, (UserWarning, RuntimeWarning))))
    for w in caught:
        if not issubclass(w.category, (UserWarning, RuntimeWarning)):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


def add_instrument_option(parser) -> None:
    """``--instrument FILE``, one declaration for every command that reads the codebook."""
    parser.add_argument("--instrument", metavar="FILE",
                        help="instrument (codebook) YAML; default: the study's data/instrument.yaml")


def add_results_argument(parser) -> None:
    """The ``RESULTS.json`` argument of the commands that read the results of a fit."""
    parser.add_argument("results", metavar="RESULTS.json", help="results.json written by `iur-survey fit`")


def model_syntax(model: str | Path | None, instrument: str | Path | None) -> tuple[str, str]:
    """The model syntax and its source name: ``--model FILE.lav`` or the instrument's default model."""
    from ..instrument import load_instrument
    from ..study import default_model

    if model:
        path = input_file(model, "model")
        syntax, source = read_model_text(path), str(path)
    else:
        syntax, source = default_model(load_instrument(instrument)), "<default model>"
    if not syntax.strip():
        raise ModelSyntaxError(source, "the model file is empty")
    return syntax, source


#: encodings a model file may be in, tried in this order (GB18030 covers GBK/GB2312 files saved on Chinese Windows)
MODEL_ENCODINGS = ("utf-8-sig", "gb18030")


def read_model_text(path: str | Path) -> str:
    r"""A lavaan model file's text: UTF-8 (with or without BOM), else GB18030 (GBK); anything else is a
    typed error saying which encodings are expected.

    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "m.lav")
    >>> _ = open(p, "wb").write("# 政府引导\nGOV =~ GOV1 + GOV2\n".encode("gbk"))
    >>> read_model_text(p).splitlines()[1]
    'GOV =~ GOV1 + GOV2'
    """
    data = Path(path).read_bytes()
    for enc in MODEL_ENCODINGS:
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ModelSyntaxError(path, "the model file is neither UTF-8 nor GB18030/GBK text; save it as UTF-8")


def check_output(out: str | Path, *inputs: str | Path | None, names: Iterable[str] | None = None) -> Path:
    """The one check of every output of every command, before anything is written: ``out`` (a file, or with
    ``names`` a folder and the files to be written into it) is not one of the command's ``inputs`` (``None``
    ones are skipped) and not an empty, dangling or unwritable path (:mod:`iur_survey.outputs`); else a typed
    one-line error ("refusing to overwrite an input file").

    >>> import tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> data = os.path.join(d, "clean.csv")
    >>> _ = open(data, "w").write("x\\n1\\n")
    >>> check_output(os.path.join(d, "efa.json"), data, None).name
    'efa.json'
    >>> check_output(data, data)
    Traceback (most recent call last):
    ...
    iur_survey.errors.IURSurveyError: ...clean.csv: refusing to overwrite an input file (write the outputs to another --out)
    """
    protect = [p for p in inputs if p]
    if names is not None:
        return output_dir(out, names, protect=protect)
    return output_file(out, protect=protect)


def write_json_atomic(payload: Any, out: str | Path, *, protect: Iterable[str | Path | None] = ()) -> Path:
    """Write ``payload`` as JSON so that ``out`` appears complete or not at all; never over an input
    (``protect``) and never to an empty, dangling or unwritable path (:func:`check_output`)."""
    out = check_output(out, *protect)
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


def whole_number(minimum: int, advice: str = ""):
    """An argparse ``type``: a whole number of at least ``minimum`` (``advice`` follows the refusal).

    >>> whole_number(1, "1 = no Dask")("3")
    3
    >>> whole_number(1, "1 = no Dask")("0")
    Traceback (most recent call last):
    argparse.ArgumentTypeError: must be >= 1, got 0 (1 = no Dask)
    """
    def parse(text: str) -> int:
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if v < minimum:
            raise argparse.ArgumentTypeError(f"must be >= {minimum}, got {v}" + (f" ({advice})" if advice else ""))
        return v

    return parse


def call_head(program: str, args) -> dict:
    """The start of a written file's "call" record (results.json's, pls.json's): the program, the package version
    (a file read by another version is said on stderr, :func:`~iur_survey.sem.results_file.version_note`), the
    arguments and the data file with its sha256 (None where it is not a file).

    >>> import argparse
    >>> from iur_survey import __version__
    >>> c = call_head("iur-survey pls", argparse.Namespace(data="/no/such.csv", _argv=["pls", "/no/such.csv"]))
    >>> c["program"], c["version"] == __version__, c["argv"], c["data"]["sha256"]
    ('iur-survey pls', True, ['pls', '/no/such.csv'], None)
    """
    from pathlib import Path

    from .. import __version__
    from ..read.base import sha256_file

    argv = getattr(args, "_argv", None)
    data = Path(args.data)
    return {"program": program, "version": __version__, "argv": None if argv is None else list(argv),
            "data": {"path": str(data.resolve()), "sha256": sha256_file(data) if data.is_file() else None}}
