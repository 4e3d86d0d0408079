"""PLS-SEM robustness check (SmartPLS-style) of the same model as the CB-SEM.

Fits the model by partial least squares path modelling (mode A outer weights,
path weighting scheme by default) on clean data, with bootstrapped percentile
CIs, and writes path coefficients, loadings, reliability (alpha, rho_A, rho_C,
AVE), HTMT, R-squared (and adjusted), f-squared, VIFs and the effects to JSON.
With --compare RESULTS.json (from `iur-survey fit`) it adds a side-by-side
table of PLS against CB-SEM for every structural path and := effect.

examples:
  iur-survey pls clean.csv --bootstrap 5000 --seed 2022 --out pls.json
  iur-survey pls clean.csv --compare results.json --out pls.json --summary
"""

from __future__ import annotations

import argparse
import json

from .fit import DEFAULT_SEED

NAME = "pls"
HELP = "PLS-SEM robustness check (SmartPLS-style) of the same model"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("data", metavar="DATA.csv", help="clean data (from `iur-survey clean`)")
    parser.add_argument("--model", metavar="FILE.lav",
                        help="lavaan model syntax (=~, ~, :=); default: the study's model")
    parser.add_argument("--instrument", metavar="FILE", help="instrument YAML; default: data/instrument.yaml")
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
    parser.add_argument("--out", metavar="FILE", required=True, help="where to write pls.json")
    parser.add_argument("--summary", action="store_true", help="print a summary")


def run(args: argparse.Namespace) -> int:
    from ..pls import compare_with_cbsem, pls_sem
    from ._io import model_syntax, read_clean_csv, write_json_atomic

    data = read_clean_csv(args.data)
    syntax, _ = model_syntax(args.model, args.instrument)
    res = pls_sem(data, model=syntax, scheme=args.scheme, missing=args.missing,
                  n_boot=args.boot, seed=args.seed)
    out = res.to_dict()
    if args.compare:
        with open(args.compare, encoding="utf-8") as fh:
            cb = json.load(fh)["estimates"]
        out["comparison"] = json.loads(compare_with_cbsem(res, cb).to_json(orient="records"))
    path = write_json_atomic(out, args.out)
    if args.summary:
        print(res.summary())
    print(f"pls: scheme={args.scheme} bootstrap={args.boot}; wrote {path}")
    return 0
