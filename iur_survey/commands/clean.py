"""Screen a raw survey export and write the clean data, the exclusion ledger and a report.

Reads RAW (Qualtrics, Wenjuanxing CSV/XLSX, SPSS .sav, plain CSV/XLSX), applies the
screening rules in two stages and writes three files into --out DIR:

  clean.csv       one row per kept response: response_id, role, the 28 item codes
                  with reverse-keyed items reversed; no metadata, no personal data
  flags.csv       per kept response (clean.csv's order): the careless-responding
                  indices that flagged it (0/1 columns), for a sensitivity analysis
  exclusions.csv  the ledger: response_id, row (1-based raw-file row), rule, detail,
                  action (excluded / flagged), basis; one row per rule hit
  report.json     counts (raw, kept, excluded; hits per rule and by primary rule),
                  sha256 of RAW, the configuration used, item nonresponse summary

Stage 1 on every raw row (a hit excludes): status (preview/test/spam), unfinished,
duplicate_id, duplicate_answers_ip, out_of_range, attention.  Stage 2 on the rows that
pass (a hit flags): speeder, longstring, longpattern, irv, mahalanobis,
mahalanobis_direction, mahalanobis_ipsatized, mahalanobis_quotient, random_likelihood,
invariant_tail, page_line, psychsyn, psychant, even_odd, person_total, person_fit (and, when listed in
the configuration's rules, correlation_likelihood, mixture_likelihood, near_duplicate); a flagged response is excluded on convergent evidence (two independent indices, or one far beyond
its cut-off).  Every raw row is either kept or ledgered.  RAW is only read: an --out that
would overwrite it (or any input) is refused.  The files appear all together or not at
all.  When no response is kept, nothing is written and the command fails (exit status 2)
with the counts by rule.

Thresholds and the set of rules come from --config FILE (YAML or JSON), e.g.

  disable: [even_odd]
  speeder: {fraction: 0.25, seconds_per_item: 2}   # 2 s per question far beyond (default 1)
  mahalanobis: {alpha: 0.001}
  decision: {exclude_alone: [mahalanobis]}   # restore one index as an exclusion

examples:
  iur-survey clean export.csv --out results/clean
  iur-survey clean wjx.xlsx --format wjx --config clean.yaml --out results/clean
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

from ..errors import NoRowsKeptError, no_rows_kept_message
from ..outputs import output_dir
from ._io import add_instrument_option, input_file, print_warnings

NAME = "clean"
HELP = "screen a raw export: clean data + exclusion ledger + report"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("raw", metavar="RAW", help="the raw export file (never modified)")
    add_instrument_option(parser)
    parser.add_argument("--format", metavar="F", default=None,
                        help="the export's format (qualtrics, wjx, spss, surveymonkey, google_forms, limesurvey, "
                             "redcap, sosci, alchemer, csv, xlsx); default: detected")
    parser.add_argument("--config", metavar="FILE",
                        help="cleaning configuration (YAML/JSON): which rules run and their thresholds")
    parser.add_argument("--encoding", metavar="ENC", default=None,
                        help="the text encoding of a CSV export (e.g. cp1252, big5, gb18030); default: detected "
                             "(UTF-8 with or without BOM, UTF-16 with BOM, then GB18030)")
    parser.add_argument("--sheet", metavar="NAME|N", default=None,
                        help="the workbook sheet to read: its name or its position counted from 1; default: the "
                             "only sheet with cells, or the one whose header is a survey export's")
    parser.add_argument("--hidden-rows", choices=("refuse", "read"), default="refuse",
                        help="data rows a workbook hides (test or pilot responses set aside, a filter): refuse the "
                             "workbook (default) or read them as responses")
    parser.add_argument("--role-column", metavar="HEADER", default=None,
                        help="the export header of the stakeholder-group (role) question, when no header names "
                             "it and several columns hold group answers")
    parser.add_argument("--strict", action="store_true",
                        help="make the reader fail on out-of-range codes instead of ledgering them")
    parser.add_argument("--out", metavar="DIR", required=True,
                        help="output directory for clean.csv, flags.csv, exclusions.csv, report.json")


def _unsaid(text: str, summary: str, file_name: str) -> bool:
    """Whether the summary lacks a warning (the reader's warnings start with the file's name)."""
    head, _, rest = text.partition(": ")
    return (rest if rest and head.endswith(file_name) else text) not in summary


def run(args: argparse.Namespace) -> int:
    from ..clean import CleanConfig, clean
    from ..clean.pipeline import OUTPUT_FILES
    from ..instrument import load_instrument
    from ..read import read_export

    inputs = [input_file(args.raw, "raw export")] + [Path(p) for p in (args.instrument, args.config) if p]
    output_dir(args.out, OUTPUT_FILES, protect=inputs)          # a bad --out fails before the reading
    instrument = load_instrument(args.instrument)
    config = CleanConfig.from_file(args.config) if args.config else CleanConfig()
    with warnings.catch_warnings(record=True) as said:     # the summary prints the report's warnings
        warnings.simplefilter("always")
        raw = read_export(args.raw, instrument, format=args.format, strict=args.strict, encoding=args.encoding,
                          sheet=args.sheet, hidden_rows=args.hidden_rows, role_column=args.role_column)
        result = clean(raw, instrument, config)
    if result.report["n_kept"] == 0:
        raise NoRowsKeptError(args.raw, no_rows_kept_message(result.report))
    out = result.write(args.out, protect=tuple(inputs))
    summary = result.summary()
    print(summary)
    print_warnings("clean", (text for text in (str(w.message).removeprefix("iur-survey clean: ") for w in said)
                             if _unsaid(text, summary, Path(args.raw).name)))
    print(f"  wrote {out}/clean.csv, flags.csv, exclusions.csv, report.json")
    return 0
