"""The ``iur-survey`` console script.

Each command lives in its own module under :mod:`iur_survey.commands` and
exposes ``NAME``, ``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``.
Errors of iur-survey print as one line on stderr and exit with status 2; no
traceback reaches the user unless ``IUR_SURVEY_DEBUG=1`` is set.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from . import __version__
from .errors import IURSurveyError

#: command modules, in the order ``--help`` lists them (data flows one way)
COMMANDS = ["simulate", "clean", "efa", "fit", "pls", "power", "export_replication", "book"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="iur-survey",
        description="Turn stakeholder-survey exports into a lavaan-verified SEM of "
                    "industry-university-research collaboration.")
    parser.add_argument("--version", action="version", version=f"iur-survey {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            mod = importlib.import_module(f"iur_survey.commands.{name}")
        except ModuleNotFoundError as exc:  # a command whose module has not landed yet
            if exc.name != f"iur_survey.commands.{name}":
                raise
            continue
        p = sub.add_parser(mod.NAME, help=mod.HELP, description=mod.__doc__,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        mod.add_arguments(p)
        p.set_defaults(_run=mod.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 1
    try:
        return int(args._run(args) or 0)
    except IURSurveyError as exc:
        if os.environ.get("IUR_SURVEY_DEBUG"):
            raise
        print(f"iur-survey {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        if os.environ.get("IUR_SURVEY_DEBUG"):
            raise
        print(f"iur-survey {args.command}: error: {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
