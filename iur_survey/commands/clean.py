"""Screen a raw survey export and write the clean data, the exclusion ledger and a report.

Reads RAW (Qualtrics, Wenjuanxing CSV/XLSX, SPSS .sav, plain CSV/XLSX), applies the
screening rules in two stages and writes three files into --out DIR:

  clean.csv       one row per kept response: response_id, role, the 28 item codes
                  with reverse-keyed items reversed; no metadata, no personal data
  exclusions.csv  the ledger: response_id, row (1-based raw-file row), rule, detail;
                  one row per rule hit, so a response can appear several times
  report.json     counts (raw, kept, excluded; hits per rule and by primary rule),
                  sha256 of RAW, the configuration used, item nonresponse summary

Stage 1 on every raw row: status (preview/test/spam), unfinished, duplicate_id,
duplicate_answers_ip, out_of_range, attention.  Stage 2 on the rows that pass:
speeder, longstring, irv, mahalanobis, even_odd.  Every raw row is either kept or
ledgered.  RAW is only read.  The files appear all together or not at all.

Thresholds and the set of rules come from --config FILE (YAML or JSON), e.g.

  disable: [even_odd]
  speeder: {fraction: 0.25, seconds_per_item: 2}
  mahalanobis: {alpha: 0.001}

examples:
  iur-survey clean export.csv --out results/clean
  iur-survey clean wjx.xlsx --format wjx --config clean.yaml --out results/clean
"""

from __future__ import annotations

import argparse

NAME = "clean"
HELP = "screen a raw export: clean data + exclusion ledger + report"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("raw", metavar="RAW", help="the raw export file (never modified)")
    parser.add_argument("--instrument", metavar="FILE",
                        help="instrument (codebook) YAML; default: the study's data/instrument.yaml")
    parser.add_argument("--format", metavar="F", default=None,
                        help="the export's format (qualtrics, wjx, spss, surveymonkey, google_forms, limesurvey, "
                             "csv, xlsx); default: detected")
    parser.add_argument("--config", metavar="FILE",
                        help="cleaning configuration (YAML/JSON): which rules run and their thresholds")
    parser.add_argument("--strict", action="store_true",
                        help="make the reader fail on out-of-range codes instead of ledgering them")
    parser.add_argument("--out", metavar="DIR", required=True,
                        help="output directory for clean.csv, exclusions.csv, report.json")


def run(args: argparse.Namespace) -> int:
    from ..clean import CleanConfig, clean
    from ..instrument import load_instrument
    from ..read import read_export

    instrument = load_instrument(args.instrument)
    config = CleanConfig.from_file(args.config) if args.config else CleanConfig()
    raw = read_export(args.raw, instrument, format=args.format, strict=args.strict)
    result = clean(raw, instrument, config)
    out = result.write(args.out)
    print(result.summary())
    print(f"  wrote {out}/clean.csv, exclusions.csv, report.json")
    return 0
