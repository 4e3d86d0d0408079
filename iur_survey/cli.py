"""The ``iur-survey`` console script.

Each command lives in its own module under :mod:`iur_survey.commands` and
exposes ``NAME``, ``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``.
Errors of iur-survey print as one line on stderr and exit with status 2; no
traceback reaches the user unless ``IUR_SURVEY_DEBUG=1`` is set.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import os
import sys

from . import __version__
from ._imports import lean_scientific_imports
from .errors import IURSurveyError

#: command modules, in the order ``--help`` lists them (data flows one way)
COMMANDS = ["simulate", "clean", "efa", "fit", "pls", "power", "tables", "diagram", "export_replication", "book"]


def _suggest(unknown: list[str], parser: argparse.ArgumentParser) -> str:
    """``unrecognized arguments: --boot (did you mean --bootstrap?)``: the closest option names (difflib)."""
    known = [o for a in parser._actions for o in a.option_strings]
    hints = []
    for u in unknown:
        if u.startswith("-"):
            name = u.split("=", 1)[0]
            close = [o for o in known if o.startswith(name)]    # what argparse used to take silently
            close += [o for o in difflib.get_close_matches(name, known, n=2, cutoff=0.5) if o not in close]
            close = close[:2]
            if close:
                hints.append(f"{u}: did you mean {' or '.join(close)}?")
    return "unrecognized arguments: " + " ".join(unknown) + ("; " + "; ".join(hints) if hints else "")


def _chosen(argv: list[str]) -> list[str] | None:
    """The command module named on the command line (the first word that is a command), else None.

    Only that module is imported to run a command (start-up time); ``--help`` alone imports all.

    >>> _chosen(["fit", "x.csv"]), _chosen(["export-replication", "--help"]), _chosen(["--help"])
    (['fit'], ['export_replication'], None)
    """
    for word in argv:
        if not word.startswith("-"):
            name = word.replace("-", "_")
            return [name] if name in COMMANDS else None
    return None


def build_parser(commands: list[str] | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        allow_abbrev=False,
        prog="iur-survey",
        description="Turn stakeholder-survey exports into a lavaan-verified SEM of "
                    "industry-university-research collaboration.")
    parser.add_argument("--version", action="version", version=f"iur-survey {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in commands or COMMANDS:
        mod = importlib.import_module(f"iur_survey.commands.{name}")
        # no silent abbreviations: --boot is not taken for --bootstrap
        p = sub.add_parser(mod.NAME, help=mod.HELP, description=mod.__doc__, allow_abbrev=False,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        mod.add_arguments(p)
        p.set_defaults(_run=mod.run)
    return parser


def _subparser(parser: argparse.ArgumentParser, name: str | None) -> argparse.ArgumentParser | None:
    for a in parser._actions:
        if isinstance(a, argparse._SubParsersAction):
            return a.choices.get(name) if name else None
    return None


def main(argv: list[str] | None = None) -> int:
    if argv is None:                     # the console script: the process ends when main returns
        quick_start()
        try:
            return _main(sys.argv[1:])
        except BrokenPipeError:          # `iur-survey fit ... | head`: the reader left; no traceback
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())     # (Python's advice: no second error when stdout is flushed)
            return 0
        finally:
            fast_exit()
    return _main(list(argv))


def quick_start() -> None:
    """Collect garbage in larger batches in the command's process: importing numpy, pandas and scipy
    otherwise triggers ~170 collections (0.1-0.25 s); cycles are still collected, just less often.

    And one OpenBLAS thread unless the user set ``OPENBLAS_NUM_THREADS``: the estimators run BLAS on one
    thread anyway (:data:`iur_survey._threads.BLAS_THREADS`), and starting the thread pools of numpy's and
    scipy's OpenBLAS (before numpy is imported, which is why it is done here) and letting them spin cost a
    plain ``iur-survey fit`` 0.13-0.17 s of CPU (0.77 -> 0.60 s, median of 6).  Child processes (Dask
    workers, notebook kernels) inherit it, as the thread limit wants."""
    import gc

    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    gc.set_threshold(50_000, 20, 10)


def fast_exit() -> None:
    """Let the ending process skip the garbage collector's final passes over every object numpy, pandas
    and scipy created (0.4-0.6 s of a 1-2 s command on a busy machine); memory goes back to the OS
    anyway.  Only for a process about to exit (the console script), never in a long-lived one."""
    import gc

    gc.freeze()


def _main(argv: list[str]) -> int:
    parser = build_parser(_chosen(argv))
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        # the subcommand's usage and the closest option names, not the top-level usage
        sub = _subparser(parser, getattr(args, "command", None))
        (sub or parser).error(_suggest(unknown, sub or parser))
    args._argv = list(argv)    # what the command was called with (results' call)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 1
    lean_scientific_imports()
    try:
        return int(args._run(args) or 0)
    except IURSurveyError as exc:
        if os.environ.get("IUR_SURVEY_DEBUG"):
            raise
        print(f"iur-survey {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        raise                            # (main: the reader of stdout left)
    except OSError as exc:               # a missing file, no permission, a read-only disk, a name too long, a full disk
        if os.environ.get("IUR_SURVEY_DEBUG"):
            raise
        print(f"iur-survey {args.command}: error: {os_error_text(exc)}", file=sys.stderr)
        return 2


def os_error_text(exc: OSError) -> str:
    """One line for an operating-system error: the file (shortened when very long), then the reason.

    >>> os_error_text(OSError(30, "Read-only file system", "out/pack"))
    'out/pack: Read-only file system'
    >>> os_error_text(OSError(36, "File name too long", "out/" + "a" * 300))[-40:]
    'aaaaaaaaaaaaaaaaa...: File name too long'
    >>> os_error_text(OSError(28, "No space left on device"))
    'No space left on device'
    """
    why = exc.strerror or str(exc)
    if exc.filename is None:
        return why
    name = str(exc.filename)
    return f"{name if len(name) <= 120 else name[:117] + '...'}: {why}"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
