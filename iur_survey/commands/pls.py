"""PLS-SEM robustness check (SmartPLS-style) of the same model as the CB-SEM.

Fits the model by partial least squares path modelling (mode A outer weights,
path weighting scheme by default) on clean data, with bootstrapped percentile
CIs, and writes path coefficients, loadings, reliability (alpha, rho_A, rho_C,
AVE), HTMT, R-squared (and adjusted), f-squared, VIFs and the effects to JSON.
With --compare RESULTS.json (from `iur-survey fit`) it adds a side-by-side
table of PLS against CB-SEM for every structural path and := effect (a fit that
did not converge is refused with exit status 3, and so is DATA.csv when it is not
the file the fit recorded: call.data.sha256).
--predict [K] adds PLSpredict (K-fold out-of-sample Q²_predict, RMSE and MAE
against the linear-model benchmark) and --blindfolding [D] the Stone-Geisser
Q² (omission distance D).  The bootstrap seed defaults to 2022, as `fit`'s.
The data are read as `fit` reads them: only an empty cell is missing (and
then mean-replaced or dropped by --missing, said on stderr with the count);
a text cell, a value off the instrument's scale or one of its missing_codes is
refused.  Warnings (a negative loading, collinear indicators, bootstrap
resamples that could not be fitted, a --compare fit of another model) are
said once each on stderr.

examples:
  iur-survey pls clean.csv --bootstrap 5000 --seed 2022 --out pls.json
  iur-survey pls clean.csv --compare results.json --predict --blindfolding --out pls.json --summary
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings

from ._io import add_instrument_option
from .fit import DEFAULT_SEED

NAME = "pls"
HELP = "PLS-SEM robustness check (SmartPLS-style) of the same model"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("data", metavar="DATA.csv", help="clean data (from `iur-survey clean`)")
    parser.add_argument("--model", metavar="FILE.lav",
                        help="lavaan model syntax (=~, ~, :=); default: the study's model")
    add_instrument_option(parser)
    parser.add_argument("--scheme", choices=["path", "factorial", "centroid"], default="path",
                        help="inner weighting scheme (default: path)")
    parser.add_argument("--missing", choices=["mean", "listwise"], default="mean",
                        help="mean replacement (SmartPLS/seminr default) or listwise deletion")
    parser.add_argument("--bootstrap", "--boot", dest="boot", type=int, default=5000, metavar="B",
                        help="bootstrap resamples for CIs (default 5000; 0 for none; --boot is the old name)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                        help=f"bootstrap seed (default {DEFAULT_SEED}, as `fit`: reproducible draws)")
    parser.add_argument("--compare", metavar="RESULTS.json",
                        help="results.json of `iur-survey fit`: add a PLS vs CB-SEM table")
    parser.add_argument("--predict", metavar="K", type=int, nargs="?", const=10, default=None,
                        help="PLSpredict: K-fold (default 10) out-of-sample prediction of the endogenous items, "
                             "10 repetitions, against the linear-model benchmark (seeded by --seed)")
    parser.add_argument("--blindfolding", metavar="D", type=int, nargs="?", const=7, default=None,
                        help="blindfolding: Stone-Geisser Q² of each endogenous construct, omission distance D "
                             "(default 7)")
    parser.add_argument("--out", metavar="FILE", required=True, help="where to write pls.json")
    parser.add_argument("--summary", action="store_true",
                        help="print a summary: paths with CIs, R², f², VIF, loadings, reliability, HTMT and the "
                             "CB-SEM comparison (with --compare)")


def run(args: argparse.Namespace) -> int:
    from ..pls import compare_with_cbsem, pls_sem
    from ..datafile import load_data, naming_file
    from ..pls.model import pls_model
    from ._io import call_head, check_output, model_syntax, print_warnings, write_json_atomic

    from ..errors import EstimationError

    inputs = (args.data, args.model, args.instrument, args.compare)
    check_output(args.out, *inputs)               # never over an input: before the work, as `fit`
    for flag, value, least in (("--bootstrap", args.boot, 2), ("--predict", args.predict, 2),
                               ("--blindfolding", args.blindfolding, 2)):
        if value is not None and value < least and not (flag == "--bootstrap" and value == 0):
            raise EstimationError(None, f"{flag} {value}: must be at least {least}"
                                        + (" (0 for no bootstrap)" if flag == "--bootstrap" else ""))
    if args.compare:                              # a bad results.json fails before the bootstrap
        from ..sem.results import NotConvergedError
        from ..sem.results_file import version_note
        from .fit import EXIT_NOT_CONVERGED
        try:
            cb = compare_results(args.compare, args.data)
        except NotConvergedError as exc:          # never beside a fit that did not converge: exit 3, as `tables`
            print(f"iur-survey pls: error: {exc}", file=sys.stderr)
            return EXIT_NOT_CONVERGED
        print_warnings("pls", filter(None, [version_note(cb)]))      # another version's results.json: read, said
    syntax, source = model_syntax(args.model, args.instrument)
    model = pls_model(syntax, source)             # an error names the .lav file and line, as `fit`'s
    data = load_data(args.data, model.items, instrument=args.instrument)
    with warnings.catch_warnings(record=True) as caught:       # said once below, as "pls: warning: ..."
        warnings.simplefilter("always", UserWarning)
        with naming_file(args.data):
            res = pls_sem(data, model=model, scheme=args.scheme, missing=args.missing)
            if args.predict is not None and args.predict > res.n:       # before the bootstrap's work
                raise EstimationError(None, f"--predict {args.predict}: more folds than the {res.n} cases used")
            if args.blindfolding is not None:                           # before the bootstrap's work too
                from ..pls.predict import check_omission_distance
                check_omission_distance(res.model, args.blindfolding, res.n)
            if args.boot:
                res = res.bootstrap(args.boot, seed=args.seed)
        out = {**res.to_dict(), "call": call_head("iur-survey pls", args)}     # what wrote it, as results.json
        extra: dict = {}
        with naming_file(args.data):            # an indicator without variance in a fold or round: the data's
            if args.predict is not None:
                extra["PLSpredict"] = res.predict(k=args.predict, seed=args.seed)
                out["predict"] = json.loads(extra["PLSpredict"].to_json(orient="records"))
            if args.blindfolding is not None:
                extra["Blindfolding (Q²)"] = res.blindfolding(omission_distance=args.blindfolding)
                out["blindfolding"] = json.loads(extra["Blindfolding (Q²)"].to_json(orient="records"))
        comparison = None
        cb_missing = None
        if args.compare:
            cb = compare_results(args.compare, args.data)
            cb_missing = cb.get("missing")
            comparison = compare_with_cbsem(res, cb["estimates"])
            out["comparison"] = json.loads(comparison.to_json(orient="records"))
    path = write_json_atomic(out, args.out, protect=inputs)
    said = set(res.warnings)
    print_warnings("pls", res.warnings)     # on stderr, with --summary too (stdout may be piped into a file)
    for w in caught:                # the others (PLSpredict, blindfolding, the comparison), once each
        text = str(w.message).split(": ", 1)[1] if str(w.message).startswith(("pls_sem: ", "blindfolding: ",
                                                                              "compare_with_cbsem: ")) else str(w.message)
        if issubclass(w.category, UserWarning) and text not in said:
            said.add(text)
            print_warnings("pls", [text])
    for note in run_notes(res, compare_missing=cb_missing):
        print(f"pls: {note}", file=sys.stderr)
    if args.summary:
        print(pls_summary(res, comparison, extra))
    print(f"pls: scheme={args.scheme} bootstrap={args.boot} seed={args.seed}; wrote {path}")
    return 0


def run_notes(res, compare_missing=None) -> list[str]:
    """What the run did with the data that the results file alone does not show: the missing cells replaced by
    the item mean (or the cases dropped), against the CB-SEM fit's own treatment, and the bootstrap resamples
    that could not be fitted.

    >>> from iur_survey.pls import pls_sem, example_data, EXAMPLE_MODEL
    >>> d = example_data()
    >>> d.iloc[:5, 0] = float("nan")
    >>> run_notes(pls_sem(d, EXAMPLE_MODEL), compare_missing="fiml")
    ['note: 5 missing cells replaced by the item mean (seminr/SmartPLS default; --missing listwise drops the cases instead); the CB-SEM fit of --compare used missing = fiml']
    """
    notes = []
    if res.n_imputed:
        notes.append(f"note: {res.n_imputed:,} missing cell{'s' if res.n_imputed != 1 else ''} replaced by the item "
                     "mean (seminr/SmartPLS default; --missing listwise drops the cases instead)")
    elif res.n_input != res.n:
        notes.append(f"note: {res.n_input - res.n:,} cases with a missing value dropped (--missing listwise)")
    if notes and compare_missing:
        notes[-1] += f"; the CB-SEM fit of --compare used missing = {compare_missing}"
    if res.boot is not None and res.boot.n_failed:
        notes.append(f"warning: {res.boot.n_failed:,} of {res.boot.n_boot:,} bootstrap resamples could not be fitted "
                     "(an indicator without variance, or collinear construct scores, in the resample) and were left "
                     "out of the standard errors and intervals")
    return notes


def compare_results(path, data) -> dict:
    """The results.json of ``--compare``, read by the one loader of results files, of a fit that converged
    (else exit status 3, as ``tables``) on ``data`` itself (its sha256 is the one the fit recorded)."""
    from ..sem.results import require_converged
    from ..sem.results_file import load_results_file, require_fitted_data

    res = load_results_file(path)
    require_converged(res, "no comparison with a fit that did not converge")
    require_fitted_data(res, data)
    return res


def pls_summary(res, comparison=None, extra=None) -> str:
    """The --summary text: the result's own summary plus f², VIF, outer loadings, the CB-SEM comparison and
    PLSpredict / blindfolding when computed."""
    def table(df) -> str:
        return df.to_string(index=False, float_format="{:.3f}".format)
    parts = [res.summary()]
    parts += ["", "Effect sizes f²:", table(res.f_squared())]
    parts += ["", "Inner VIF:", table(res.inner_vif())]
    parts += ["", "Outer loadings:", table(res.outer_loadings())]
    if comparison is not None:
        cols = [c for c in ("lhs", "op", "rhs", "pls_est", "pls_ci.lower", "pls_ci.upper", "cb_std", "cb_est",
                            "cb_pvalue", "same_sign", "agree") if c in comparison.columns]
        parts += ["", "PLS-SEM against CB-SEM (results.json; cb_std: standardized CB-SEM estimate):",
                  table(comparison[cols])]
    for name, frame in (extra or {}).items():
        parts += ["", f"{name}:", table(frame)]
    return "\n".join(parts)
