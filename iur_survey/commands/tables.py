"""Publication tables (APA 7th ed.) of one or more results files, as Word, LaTeX, Markdown, CSV or HTML.

Reads RESULTS.json of `iur-survey fit` (several: one fit row each, e.g. CFA,
ML and MLR) and optionally the pls.json of `iur-survey pls` (its HTMT
bootstrap CIs, and its own tables), and writes every table that applies:

  fit                 chi-square, df, p, CFI, TLI, RMSEA [90% CI], SRMR (MLR, WLSMV: the model's row is the
                      scaled test with the robust indices, to report; the unscaled one under it)
  measurement         loadings (b, SE, beta) with alpha, omega, CR and AVE per construct
  discriminant        Fornell-Larcker (from CFA results) and HTMT (bootstrap CIs from a pls.json of the same
                      data and measurement model, else refused; a group of a multi-group fit: its own HTMT)
  structural paths    b, SE, 95% CI (bootstrap when bootstrapped), beta, p
  effects             := indirect and total effects with CIs (bootstrap), standardized CIs when recorded
  paths by group      multi-group fits
  invariance          the steps of `fit --invariance`
  PLS (pls.json)      PLS reliability (alpha, rho_A, rho_C, AVE); path coefficients and := effects with
                      bootstrap SE, t, p, percentile CI, f2, R2; PLS beside the CB-SEM fit of `pls --compare`

alpha and HTMT need the data (with ordered items alpha is semTools' compRelSEM(tau.eq = TRUE), of the
item codes of the rows the fit used); omega the fit's sample moments (lavaan's sampstat:
under FIML the EM moments; with ordered items the polychoric correlations, for semTools'
categorical omega), which results.json stores ("sampstat"; a results.json
written before it did has them rebuilt by refitting the call it records:
call.data, call.model, call.options). The data is read with the instrument the fit records
(`fit --instrument`, call.options.instrument; --instrument when it has moved), never with the study's in its
place: a recorded instrument that has moved is an error naming it with --data, and leaves alpha and HTMT
out (a warning naming it) without. Give --data when the data file has moved (a recorded
file that is not there is a warning on stderr; one that changed since the fit, or a --data file that is
not the fitted one, is refused: its sha256 differs from call.data.sha256).
--alpha-boot B: the measurement table's 95% CI of alpha is psych's bootstrapped interval (B resamples of the
construct's complete rows, --alpha-seed, default 2022; the 2.5th and 97.5th percentiles) instead of Feldt's; items
fitted as ordered get no CI of alpha either way.
A fit that did not converge is refused (exit status 3, as `iur-survey fit`).
With one results file the fit table names its model (structural, measurement (CFA) or
path model); with several, models are labelled by file name (with the parent folder when two files share a
name). A fit's groups are shown by the instrument's wordings (University, not university) when its
group column is the instrument's. LaTeX output needs the LaTeX packages booktabs and caption.  The numbers are formatted by the book's own
functions; in Python: iur_survey.report.paper (one function per table, each
returning a table whose .frame is a DataFrame).

examples:
  iur-survey tables results.json --format docx --out tables.docx
  iur-survey tables cfa.json results.json results_mlr.json pls.json --out tables.tex
  iur-survey tables results.json --format md --out -            # to stdout
"""

from __future__ import annotations

import argparse
import sys
import warnings

from ._io import whole_number

NAME = "tables"
HELP = "publication tables (DOCX, LaTeX, Markdown, CSV, HTML) of results.json files"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("results", metavar="RESULTS.json", nargs="+",
                        help="results.json of `iur-survey fit` (one or more) and optionally pls.json of `iur-survey pls`")
    parser.add_argument("--format", choices=["docx", "tex", "md", "csv", "html"], default=None,
                        help="output format (default: from the --out extension)")
    parser.add_argument("--out", metavar="FILE", required=True, help="where to write the tables ('-': stdout, "
                                                                    "not for docx)")
    parser.add_argument("--data", metavar="DATA.csv", default=None,
                        help="the fitted data, for alpha, omega and HTMT (default: the file results.json records)")
    parser.add_argument("--instrument", metavar="FILE", default=None,
                        help="the instrument the data is read with (default: the one results.json records, "
                             "`fit --instrument`; else the study's)")
    parser.add_argument("--alpha-boot", metavar="B", type=whole_number(2, "the bootstrap needs at least 2 draws"),
                        default=None, help="the measurement table's 95%% CI of alpha: psych's bootstrapped interval "
                                           "of B resamples (alpha(n.iter = B)) instead of Feldt's (continuous items)")
    parser.add_argument("--alpha-seed", metavar="S", type=int, default=None,
                        help="seed of --alpha-boot (default 2022, as `fit --bootstrap`)")


def run(args: argparse.Namespace) -> int:
    from ..errors import IURSurveyError
    from ..report.paper import (DataMovedWarning, NotConvergedError, data_instrument, fitted_columns, is_pls,
                                load_results, paper_tables, to_csv, to_html, to_latex, to_markdown, write_tables)
    from ..datafile import load_data
    from ..sem.results_file import version_note
    from ._io import check_output, print_warnings, say_caught
    from .fit import DEFAULT_SEED, EXIT_NOT_CONVERGED

    if args.out != "-":
        check_output(args.out, *args.results, args.data)      # never over an input
    results = [load_results(p) for p in args.results]
    print_warnings("tables", filter(None, map(version_note, results)))     # another version's file: read, said
    data = load_data(args.data, fitted_columns(results),      # never with the study's in place of a moved one
                     instrument=data_instrument(next((r for r in results if not is_pls(r)), results[0]),
                                                args.instrument)) if args.data else None
    try:
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always", DataMovedWarning)
            tables = paper_tables(results, data=data, data_path=args.data, instrument=args.instrument,
                                  alpha_boot=args.alpha_boot,
                                  alpha_seed=DEFAULT_SEED if args.alpha_seed is None else args.alpha_seed)
    except NotConvergedError as exc:             # never tables of a fit that did not converge: exit 3, as `fit`
        print(f"iur-survey tables: error: {exc}", file=sys.stderr)
        return EXIT_NOT_CONVERGED
    # each once, one line on stderr (not Python's form with paper.py's source line; the ω one came twice)
    say_caught("tables", sorted(said, key=lambda w: not issubclass(w.category, DataMovedWarning)))
    if args.out == "-":
        fmt = args.format or "md"
        if fmt == "docx":
            raise IURSurveyError(None, "--format docx needs --out FILE.docx")
        sys.stdout.write({"tex": to_latex, "md": to_markdown, "csv": to_csv, "html": to_html}[fmt](tables))
        return 0
    out = write_tables(tables, args.out, args.format)
    print(f"tables: {len(tables)} tables (" + "; ".join(f"{t.number}. {t.title}" for t in tables) + f")")
    print(f"  wrote {out}")
    return 0
