"""Build the book of executed notebooks for an export, without editing any notebook.

The pipeline (read -> clean -> CFA -> structural model by FIML, MLR and listwise) runs
once into a work dir; then Jupyter Book executes every chapter, which loads those results
and computes its own tables and figures.  The build fails on any cell error or Sphinx
warning.  Without --data it builds the demo book on the bundled demo export.

The book reads offline: MathJax is vendored from npm (once, cached in .cache/mathjax),
nothing is loaded from a CDN.

examples:
  iur-survey book                                   # the demo book -> _build/html/index.html
  iur-survey book --data my_export.csv --out mybook # your export -> mybook/html/index.html
  iur-survey book --data wjx.xlsx --instrument my_instrument.yaml
  iur-survey book --format pdf                      # one PDF -> _build/pdf/book.pdf (headless Chromium)
  iur-survey book --data my_export.csv --merge-groups government=university   # chapter 7's groups, as fit's

The export is read and cleaned first, as `iur-survey clean` does: an export that cannot be read,
or whose cleaning keeps no response or no more responses than the instrument has items, stops the
command with that one-line error (exit status 2) before any notebook runs; the previous build stays.
So do an instrument the study's model cannot be built from and a measurement or structural model
that does not converge on the export.

Progress: one line per pipeline step and per executed chapter, with timings;
--verbose shows the whole Sphinx and kernel log instead.  --format pdf builds
the single-page HTML from the same executed notebooks and prints it with
headless Chromium (Debian chromium, fonts-noto-cjk for Chinese): a page break
before each chapter, tables and figures unbroken.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from pathlib import Path

from ..errors import IURSurveyError
from ._io import print_warnings

NAME = "book"
HELP = "build the Jupyter Book (executed notebooks) for an export"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from ..book import DEFAULT_DATA, FORMATS
    parser.add_argument("--data", metavar="EXPORT", type=Path, default=None,
                        help=f"the raw export to analyse (default: the demo export {DEFAULT_DATA.name} in data/demo/)")
    parser.add_argument("--instrument", metavar="FILE", type=Path, default=None,
                        help="the instrument YAML (default: data/instrument.yaml)")
    parser.add_argument("--out", metavar="DIR", type=Path, default=None,
                        help="build folder; the HTML goes to DIR/html (default: _build)")
    parser.add_argument("--format", metavar="F", choices=FORMATS, default="html",
                        help=f"output format: {', '.join(FORMATS)} (default: html)")
    parser.add_argument("--encoding", metavar="ENC", default=None,
                        help="the export's text encoding, as `clean --encoding` (default: detected)")
    parser.add_argument("--sheet", metavar="NAME|N", default=None,
                        help="the workbook sheet to read, as `clean --sheet`")
    parser.add_argument("--hidden-rows", choices=("refuse", "read"), default=None,
                        help="rows hidden in a workbook: refuse them (default) or read them, as `clean --hidden-rows`")
    parser.add_argument("--merge-groups", metavar="SPEC", default=None,
                        help="merge groups before comparing them (chapter 7), as `fit --merge-groups`: 'smallest' or "
                             "FROM=INTO[,FROM=INTO] (default: the small-group rule merges the smallest groups "
                             "when a group is below it)")
    parser.add_argument("--quiet", "-q", action="store_true", help="print only the result line and errors")
    parser.add_argument("--verbose", "-v", action="store_true",
                        help="show the whole Sphinx / kernel log (default: one line per step and chapter, timed)")


def run(args: argparse.Namespace) -> int:
    from ..book import (DEFAULT_DATA, DEFAULT_OUT, FORMATS, BookSettings, build_book, failure_summary,
                        network_assets, plain_log)
    from ..instrument import DEFAULT_INSTRUMENT, load_instrument
    from ..pipeline import ENV_READ
    from ._io import check_output

    data = (args.data or DEFAULT_DATA).resolve()
    instrument = (args.instrument or DEFAULT_INSTRUMENT).resolve()
    out = (args.out or DEFAULT_OUT).resolve()
    if args.data is not None and not data.is_file():
        raise IURSurveyError(data, "no such export file")
    # before any work: --out is a folder that can be made, and the folders a build replaces hold no input
    replaced = (".iur-survey", ".doctrees", "jupyter_execute", *FORMATS)
    check_output(out, data, instrument, names=replaced)
    for src in (data, instrument):
        if any(src.is_relative_to(out / sub) for sub in replaced):
            raise IURSurveyError(src, f"lies inside {out}, in a folder the book build replaces: give another --out")
    load_instrument(instrument)              # a broken instrument fails here, in one line
    settings = BookSettings(data, instrument, out / ".iur-survey")
    if args.merge_groups is not None:        # the same merge as fit --merge-groups (checked here, before any step)
        from ..pipeline import ENV_MERGE_GROUPS
        from ..sem.invariance import _parse_merge
        spec = args.merge_groups.strip()
        if not spec:
            raise IURSurveyError(None, "--merge-groups is empty: give 'smallest' or FROM=INTO[,FROM=INTO]")
        if spec != "smallest":
            _parse_merge(spec)
        os.environ[ENV_MERGE_GROUPS] = spec     # the pipeline, its cache key and the kernels read it from here
    given = {"encoding": args.encoding, "sheet": args.sheet, "hidden_rows": args.hidden_rows}
    if any(v is not None for v in given.values()):    # the kernels and the results cache read them from here
        os.environ[ENV_READ] = json.dumps({k: v for k, v in given.items() if v is not None})
    echo = None if args.quiet else (lambda line: print(line, flush=True))
    # the export is read and cleaned first (the pipeline's first steps, the code `clean` runs): an export that
    # cannot be read or keeps too few responses stops here with that one line (BookInputError, exit 2), before
    # any notebook runs.  The pipeline's warnings print as one line each (not Python's form with a source line).
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always", UserWarning)      # (Python's own ResourceWarning etc. stay ignored)
        try:
            result = build_book(settings, out=out, fmt=args.format, echo=echo, verbose=args.verbose)
        finally:
            print_warnings("book", (str(w.message) for w in said))
    if not result.ok:
        tail = "\n".join(plain_log(result.log).strip().splitlines()[-25:])
        if not args.verbose:
            print(tail, file=sys.stderr)
        why = failure_summary(result.log)
        print(f"iur-survey book: error: the build failed (exit {result.returncode})"
              + (f": {why}" if why else "") + "; see the log above", file=sys.stderr)
        return 1
    remote = network_assets(result.output)
    if remote:
        for page, url in remote[:10]:
            print(f"iur-survey book: error: {page} loads {url} from the network", file=sys.stderr)
        return 1
    index = result.output / ("book.pdf" if args.format == "pdf" else "index.html")
    print(f"book built in {result.seconds:.0f} s: {index}")
    return 0
