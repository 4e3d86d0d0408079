"""Monte Carlo power of the SEM at several sample sizes (on Dask workers).

For each sample size in --n and each of --reps replications: draw a sample
from the population model, fit the analysis model with the lavaan-equivalent
engine (ML, or --estimator MLR; with --missing-rate, MCAR cells and FIML, or
--missing ml.x | listwise; --estimator WLSMV: the codes fitted as ordered items,
lavaan's sem(..., ordered = TRUE, estimator = "WLSMV")) and record every
regression path and defined (indirect/total) effect: estimate, SE, p value,
95% Wald CI.  The aggregate per n and parameter: power (share of converged
replications with p < --alpha; its Monte Carlo 95% Wilson interval power_ci.lower /
power_ci.upper), convergence rate, bias and relative bias against
the true values, coverage of the 95% Wald CI (est ± 1.96 SE, whatever --alpha; coverage_mc: of
the 1 - alpha Monte Carlo CI), mean SE / SD of the estimates.

Null and near-zero true values (columns null, near_zero of power.csv):
  null       the standardized true value is 0 (|std.all| < 1e-6): the power column
             is the type I error rate; no n for .80 power;
  near zero  0 < |std.all| < .01 (NULL_STD): not a null, but its rejection rate is
             about the type I error rate (it rises above alpha as n grows); labelled
             "near zero (|std| < .01): rejection rate ≈ type I error", n for .80
             given when the simulated n reach it.

Defined (:=) effects (indirect, total) are tested by the delta-method z test
(the Sobel test for a*b), which is conservative for a product: their power is
understated, most at small n.  --mc-ci DRAWS adds the Monte Carlo CI test
(Preacher & Selig 2012; semTools' monteCarloCI): per replication DRAWS draws of
the estimates from N(est, vcov), the (1 - alpha) percentile interval of each :=
effect; power_mc = share of intervals excluding 0 (its own seed stream per
replication: the data and fits do not change).

Inadmissible solutions (negative variance, non-positive-definite matrix: Heywood
cases) among the converged fits are counted (inadmissible; admissible_of_converged
is a share of the converged fits, convergence_rate one of all replications) and
INCLUDED in power, bias and coverage; power_admissible / coverage_admissible
leave them out.  The summary reports both.

Population (what the data are drawn from), by default the simulator's
Population.default() as Likert codes (--continuous: the latent responses y*):
  --population FILE.json   a population as `iur-survey simulate` writes (population.json, or
                           Population.to_dict()); codes from its instrument's lowest code (scale.min,
                           else 1);
  --population FILE.lav    lavaan syntax with a fixed value for every parameter (optional
                           "x | -1.2*t1 + ..." threshold lines make Likert codes);
  --from-results FILE      the estimates of `iur-survey fit` (results.json), continuous
                           (a fit that did not converge is refused, exit status 3); of a
                           WLSMV fit of ordered items: its y* cut at its fitted thresholds
                           into each item's own observed codes (e.g. 0..10), fitted by WLSMV as
                           that analysis was (--continuous:
                           its y* drawn continuous instead, fitted by --estimator, ML by
                           default); of a partly ordered fit (some items ordered): only
                           with --continuous (its y* and the continuous items drawn
                           continuous), else refused in one line.
True values are the analysis model fitted to the exact population moments (WLSMV:
to the population's thresholds and polychoric correlations, with the population's DWLS
weights: what WLSMV estimates in the limit).  When the analysis model does not reproduce
the population (misspecified, or Likert codes analysed as continuous) they are
pseudo-true values, and the summary and power.json (settings: true_values, misfit,
misspecified) say so.

WLSMV: a category nobody chose in a replication is no category of its fit, as in
lavaan (the item gets fewer thresholds); the summary counts those replications
(power_reps.csv: collapsed); an item left with a single category cannot be fitted
(the replication counts as not converged).

Analysis model: --model FILE.lav, else the model stored in --from-results, else
the study's default model.  Replication r at sample size n uses its own seed
stream SeedSequence(--seed, spawn_key=(n, r)): results do not depend on
--workers.  Runs on a local Dask cluster (--workers processes, one thread
each) or on a running one (--scheduler tcp://HOST:PORT; its workers need the
same iur-survey installed); --workers 0 runs a plain loop in this process.

Writes DIR/power.csv (one row per n and parameter), DIR/power.json,
DIR/power_curve.png and DIR/power_reps.csv (every replication).

Analytic power by RMSEA (no simulation; MacCallum, Browne & Sugawara 1996; MacCallum, Browne & Cai 2006;
semTools' findRMSEApower / findRMSEAsamplesize / findRMSEApowernested / findRMSEAsamplesizenested):
  --rmsea R0 RA [RA ...]   the test of close fit (R0 < RA; exact fit with R0 = 0) or of not-close fit (R0 > RA):
                           power at each --n (total N over --groups groups) and the smallest N whose power
                           exceeds --target-power (default .80);
  --nested-df DFA DFB --nested-rmsea R1A R1B [R0A R0B]
                           the chi-square difference test of nested models A (more restricted) and B: H1's RMSEAs
                           R1A, R1B; H0's R0A, R0B (default 0, 0: no difference);
  the model's df: --df DF, or the df of --model FILE.lav (as `iur-survey fit` counts it, continuous variables),
  or that of the fit in --from-results (with its number of groups and, when --n is not given, its N).
  Noncentrality (n - 1)·df·rmsea²/groups, as semTools.  Prints a summary; with --out DIR writes
  DIR/rmsea_power.json (settings and the tables) and DIR/rmsea_power.csv (the power table).

examples:
  iur-survey power --n 200,300,500,800 --reps 1000 --out results/power
  iur-survey power --rmsea 0.05 0.08 --df 24 --n 200,400
  iur-survey power --rmsea 0 0.05 0.08 --from-results results/fit/results.json --out results/rmsea
  iur-survey power --nested-df 22 20 --nested-rmsea 0.06 0.05 --n 300
  iur-survey power --n 150,300 --reps 500 --from-results results/fit/results.json --out power_fit
  iur-survey power --n 150,300 --reps 500 --estimator WLSMV --out power_wlsmv
  iur-survey power --n 300 --reps 200 --missing-rate 0.05 --scheduler tcp://10.0.0.5:8786 --out p
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

NAME = "power"
HELP = "Monte Carlo power of the SEM by sample size (Dask)"


def _sizes(text: str) -> list[int]:
    try:
        out = [int(x) for x in text.replace(" ", "").split(",") if x]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--n: give sample sizes like 200,300,500 (got {text!r})") from None
    if not out or min(out) < 2:
        raise argparse.ArgumentTypeError("--n: sample sizes must be integers >= 2")
    return out


def _df_arg(text: str) -> int | float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"give a number of degrees of freedom (got {text!r})") from None
    return int(v) if v.is_integer() else v


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--n", type=_sizes, default=None, metavar="N1,N2,...",
                        help="sample sizes (default 200,300,500,800; with --rmsea and --from-results: the fit's N)")
    parser.add_argument("--reps", type=int, default=None, help="replications per sample size (default 1000)")
    parser.add_argument("--model", metavar="FILE.lav", help="analysis model (lavaan syntax); default: the study's")
    src = parser.add_mutually_exclusive_group()
    src.add_argument("--population", metavar="FILE", help="population: .json (simulator) or lavaan syntax "
                                                          "with fixed values")
    src.add_argument("--from-results", metavar="RESULTS.json", help="population = the estimates of a fit")
    parser.add_argument("--continuous", action="store_true", help="draw continuous y* instead of Likert codes")
    parser.add_argument("--missing-rate", type=float, default=0.0, metavar="P",
                        help="blank each cell with probability P (MCAR) and fit by FIML (default 0)")
    parser.add_argument("--missing", choices=["fiml", "ml.x", "listwise", "pairwise"], default=None, type=str.lower,
                        help="with --missing-rate: fiml (default; lavaan's 'ml': rows missing a fixed.x covariate "
                             "are dropped), ml.x (those rows kept) or listwise; with WLSMV: listwise (default) or "
                             "pairwise")
    parser.add_argument("--estimator", choices=["ML", "MLR", "WLSMV", "DWLS"], default=None, type=str.upper,
                        help="ML (default), MLR (robust SEs: better coverage on Likert codes, slower), or WLSMV / "
                             "DWLS: the codes as ordered items (default with --from-results of a WLSMV fit)")
    parser.add_argument("--alpha", type=float, default=0.05, help="significance level (default .05)")
    parser.add_argument("--parameters", default=None, metavar="LIST",
                        help="'paths' (default: ~ and := rows), 'all', or names like a1,b,ind_GOV,COL~GOV")
    parser.add_argument("--mc-ci", type=int, default=0, metavar="DRAWS",
                        help="also test := effects by a Monte Carlo CI with DRAWS draws per replication (e.g. "
                             "20000; default 0: only the delta-method/Sobel z test, conservative for a*b)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--workers", type=int, default=None,
                        help="local Dask worker processes (default: the available cores; 0 = no Dask)")
    parser.add_argument("--scheduler", metavar="tcp://HOST:PORT", default=None,
                        help="run on this running Dask cluster instead of a local one")
    parser.add_argument("--chunk-size", type=int, default=None, help="replications per task (default: automatic)")
    rm = parser.add_argument_group("analytic power by RMSEA (no simulation)")
    rm.add_argument("--rmsea", type=float, nargs="+", metavar="R", default=None,
                    help="R0 RA [RA ...]: null RMSEA R0 (0: exact fit) and alternative RMSEA(s)")
    rm.add_argument("--df", type=_df_arg, default=None, metavar="DF",
                    help="the model's degrees of freedom (else from --model or --from-results)")
    rm.add_argument("--groups", type=int, default=None, metavar="G",
                    help="number of groups (semTools' group; default: --from-results' groups, else 1)")
    rm.add_argument("--target-power", type=float, default=None, metavar="P",
                    help="the power the N needed is found for (default .80)")
    rm.add_argument("--nested-df", type=_df_arg, nargs=2, metavar=("DFA", "DFB"), default=None,
                    help="nested models: df of A (more restricted) and of B")
    rm.add_argument("--nested-rmsea", type=float, nargs="+", metavar="R", default=None,
                    help="R1A R1B [R0A R0B]: the RMSEAs of A and B under H1 (and under H0; default 0 0)")
    parser.add_argument("--out", metavar="DIR", default=None,
                        help="output directory (required for the Monte Carlo power)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar, only the file list")


def run(args: argparse.Namespace) -> int:
    from ..datafile import naming_model
    from ..errors import IURSurveyError, ModelSyntaxError
    from ..power import PopulationModel, power_analysis

    if args.rmsea is not None or args.nested_df is not None or args.nested_rmsea is not None:
        return run_rmsea(args)
    if args.out is None:
        raise IURSurveyError(None, "--out DIR is required for the Monte Carlo power")
    for name, given in (("--df", args.df), ("--groups", args.groups), ("--target-power", args.target_power)):
        if given is not None:
            raise IURSurveyError(None, f"{name} is for the analytic power by RMSEA (give --rmsea R0 RA)")
    if args.n is None:
        args.n = [200, 300, 500, 800]
    if args.reps is None:
        args.reps = 1000
    if args.reps < 1:
        raise IURSurveyError(None, "--reps must be at least 1")
    if not 0 <= args.missing_rate < 1:
        raise IURSurveyError(None, "--missing-rate must be in [0, 1)")
    if not 0 < args.alpha < 1:
        raise IURSurveyError(None, "--alpha must be in (0, 1)")
    if args.mc_ci < 0 or 0 < args.mc_ci < 1000:
        raise IURSurveyError(None, "--mc-ci must be 0 (off) or at least 1000 draws")
    from ..power.results import OUTPUT_FILES
    from ..sem.results import SEMFitWarning
    from ._io import check_output, print_warnings, say_caught
    check_output(args.out, args.model, args.population, args.from_results, names=OUTPUT_FILES.values())
    likert = False if args.continuous else None
    model = None
    if args.model:
        model = Path(args.model).read_text(encoding="utf-8")
        if not model.strip():
            raise ModelSyntaxError(args.model, "the model file is empty")
    if args.from_results:
        from ..sem.results import NotConvergedError, require_converged
        from ..sem.results_file import load_results_file, version_note
        from .fit import EXIT_NOT_CONVERGED
        path = Path(args.from_results)
        doc = load_results_file(path)
        print_warnings("power", filter(None, [version_note(doc)]))   # another version's results.json: read, said
        try:            # never a population from a fit that did not converge: exit 3, as tables / diagram
            require_converged(doc, "no population from a fit that did not converge")
        except NotConvergedError as exc:
            print(f"iur-survey power: error: {exc}", file=sys.stderr)
            return EXIT_NOT_CONVERGED
        pop = PopulationModel.from_results(doc, source=str(path))
        ordinal_fit = bool(doc.get("ordered")) or any(e.get("op") == "|" for e in doc.get("estimates") or [])
        if pop.partly_ordered and not args.continuous:
            from ..errors import PowerInputError
            ordered, cont = pop.partly_ordered
            raise PowerInputError(path, f"a partly ordered fit ({', '.join(ordered)} ordered; {', '.join(cont)} "
                                        "continuous): power draws codes for every item (WLSMV) or continuous y* "
                                        "for every item, not a mix; give --continuous to draw its y* and the "
                                        "continuous items continuous (fitted by --estimator, ML by default)")
        if model is None:
            model = ((doc.get("call") or {}).get("model") or {}).get("syntax")
        if ordinal_fit and not args.continuous and not pop.partly_ordered:
            # the analysis that was fitted: its y* cut at its thresholds into codes, fitted as ordered items
            likert = True
            if args.estimator is None:
                fitted = str(doc.get("estimator") or "WLSMV").upper()
                args.estimator = fitted if fitted in ("WLSMV", "DWLS") else "WLSMV"
        if likert is None:
            likert = False
    elif args.population:
        path = Path(args.population)
        text = path.read_text(encoding="utf-8")
        if path.suffix.lower() == ".json":
            from ..simulate.population import Population
            try:
                doc = json.loads(text)
                pop_doc = doc.get("population", doc)
                population = Population.from_dict(pop_doc)
            except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
                raise IURSurveyError(path, f"not a population JSON ({type(exc).__name__}: {exc})") from None
            scale = doc.get("scale") if isinstance(doc.get("scale"), dict) else {}
            lo = scale.get("min", 1)        # the instrument's lowest code (population.json of iur-survey simulate)
            if not isinstance(lo, (int, float)) or isinstance(lo, bool):
                raise IURSurveyError(path, f"scale.min must be a number (got {lo!r})")
            pop = PopulationModel.from_population(population, likert=not args.continuous, scale_min=float(lo))
        else:
            pop = PopulationModel.from_lavaan(text, likert=likert, source=str(path))
    else:
        pop = None
    if args.estimator is None:
        args.estimator = "ML"
    if args.missing is None:
        args.missing = "listwise" if args.estimator in ("WLSMV", "DWLS") else "fiml"
    if args.workers is not None and args.workers < 0:
        raise IURSurveyError(None, "--workers must be >= 0")
    scheduler = args.scheduler
    if scheduler is None and args.workers == 0:
        scheduler = "serial"
    try:
        # a model error names the --model file, not "<model syntax>" (as `fit`); lavaan's warnings about the fit
        # of the truth are collected
        with naming_model(args.model), warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always", SEMFitWarning)
            res = power_analysis(pop, model, n=args.n, reps=args.reps, seed=args.seed, alpha=args.alpha,
                                 likert=likert, missing_rate=args.missing_rate, missing=args.missing,
                                 parameters=args.parameters,
                                 estimator=args.estimator, mc_ci=args.mc_ci,
                                 workers=args.workers or None, scheduler=scheduler, chunk_size=args.chunk_size,
                                 progress=False if args.quiet else None)
    except IURSurveyError:      # e.g. sem.parallel's ClusterError: one line already, the address shown unmasked
        raise
    except (ValueError, RuntimeError) as exc:
        raise IURSurveyError(None, str(exc)) from None
    except OSError as exc:      # e.g. no scheduler at --scheduler
        raise IURSurveyError(None, f"cannot reach the Dask scheduler {scheduler}: {exc}") from None
    # one line each, once (not Python's two-line form with power/truth.py's source line), as clean and tables
    print_warnings("power", (f"the analysis model fitted to the population: {w.message}" for w in said
                             if issubclass(w.category, SEMFitWarning)))
    say_caught("power", (w for w in said if not issubclass(w.category, SEMFitWarning)))
    paths = res.write(args.out)
    print_warnings("power", res.unconverged_notes())       # (on stderr, with --quiet too)
    if not args.quiet:
        print(res.summary())
        print()
    t = res.timing
    print(f"power: {len(res.settings['n'])} sample sizes x {res.settings['reps']} replications in "
          f"{t['total']:.1f}s ({t['fits_per_second']:.1f} fits/s on {res.settings['workers']} worker(s))")
    for p in paths.values():
        print(f"  wrote {p}")
    sys.stdout.flush()
    return 0


#: the files ``--rmsea`` writes into --out
RMSEA_FILES = {"json": "rmsea_power.json", "csv": "rmsea_power.csv"}


def run_rmsea(args: argparse.Namespace) -> int:
    """The analytic power by RMSEA (iur_survey.power.rmsea): a summary on stdout, rmsea_power.json/.csv in --out."""
    import warnings as _w

    import pandas as pd

    from ..errors import IURSurveyError
    from ..power.rmsea import (df_from_results, rmsea_power, rmsea_power_nested, rmsea_samplesize,
                               rmsea_samplesize_nested, summary_text, to_json_dict)
    from ._io import check_output, print_warnings, say_caught

    mc_only = [name for name, used in (("--population", args.population), ("--reps", args.reps is not None),
                                       ("--continuous", args.continuous), ("--missing-rate", args.missing_rate),
                                       ("--mc-ci", args.mc_ci), ("--scheduler", args.scheduler),
                                       ("--workers", args.workers is not None), ("--parameters", args.parameters),
                                       ("--chunk-size", args.chunk_size),
                                       (f"--estimator {args.estimator}", args.estimator not in (None, "ML"))) if used]
    if mc_only:
        raise IURSurveyError(None, f"{', '.join(mc_only)}: Monte Carlo option(s), not used by the analytic power by "
                                   "RMSEA (--rmsea / --nested-*): leave them out")
    if not 0 < args.alpha < 1:
        raise IURSurveyError(None, "--alpha must be in (0, 1)")
    if args.target_power is None:
        args.target_power = 0.80
    if (args.nested_df is None) != (args.nested_rmsea is None):
        raise IURSurveyError(None, "the nested comparison needs both --nested-df DFA DFB and --nested-rmsea R1A R1B")
    if args.nested_rmsea is not None and len(args.nested_rmsea) not in (2, 4):
        raise IURSurveyError(None, "--nested-rmsea takes R1A R1B, or R1A R1B R0A R0B")
    if args.rmsea is not None and len(args.rmsea) < 2:
        raise IURSurveyError(None, "--rmsea takes R0 RA [RA ...]: the null RMSEA and at least one alternative")
    if args.out:
        check_output(args.out, args.model, args.from_results, names=RMSEA_FILES.values())
    settings: dict = {"alpha": args.alpha, "target_power": args.target_power}
    df, df_source, group, n = args.df, "--df" if args.df is not None else None, 1, args.n
    notes: list[str] = []
    if args.from_results:
        from ..sem.results_file import load_results_file, version_note
        doc = load_results_file(args.from_results)
        notes.extend(filter(None, [version_note(doc)]))
        got = df_from_results(doc, args.from_results)
        group = got["group"]
        if df is None:
            df, df_source = got["df"], f"{args.from_results} (fit.df)"
        if n is None and got["n"]:
            n = [got["n"]]
            settings["n_source"] = f"{args.from_results} (n)"
        if doc.get("ordered") or str(doc.get("estimator", "")).upper() in ("WLSMV", "DWLS"):
            notes.append(f"{args.from_results} is a {doc.get('estimator', 'WLSMV')} fit of ordered items: the power "
                         f"is that of the normal-theory (ML) chi-square test with its df, not of the scaled test")
        if args.groups is not None and args.groups != group:
            notes.append(f"--groups {args.groups} overrides the {group} group(s) of {args.from_results}")
    if df is None and args.model:
        from pathlib import Path as _P

        from ..sem.api import model_df
        text = _P(args.model).read_text(encoding="utf-8")
        df = model_df(text, ngroups=args.groups or 1, source=args.model)
        df_source = f"{args.model} (the model's df)"
    if args.groups is not None:
        group = args.groups
    if args.rmsea is not None and df is None:
        raise IURSurveyError(None, "--rmsea needs the model's df: --df DF, --model FILE.lav or --from-results")
    if n is None:
        n = [200, 300, 500, 800]
    settings.update({"df": df, "df_source": df_source, "groups": group, "n": n})
    tables: dict = {}
    with _w.catch_warnings(record=True) as said:
        _w.simplefilter("always")
        if args.rmsea is not None:
            r0, ra = args.rmsea[0], args.rmsea[1:]
            settings.update({"rmsea0": r0, "rmseaA": ra})
            tables["power"] = rmsea_power(df, n, r0, ra, args.alpha, group)
            tables["samplesize"] = rmsea_samplesize(df, r0, ra, args.target_power, args.alpha, group)
        if args.nested_df is not None:
            dA, dB = args.nested_df
            r1A, r1B, *r0 = args.nested_rmsea
            r0A, r0B = r0 or (0.0, 0.0)
            settings["nested"] = {"dfA": dA, "dfB": dB, "rmsea1A": r1A, "rmsea1B": r1B, "rmsea0A": r0A,
                                  "rmsea0B": r0B}
            tables["nested"] = rmsea_power_nested(dA, dB, n, r1A, r1B, r0A, r0B, args.alpha, group)
            tables["nested_samplesize"] = rmsea_samplesize_nested(dA, dB, r1A, r1B, r0A, r0B, args.target_power,
                                                                  args.alpha, group)
    print_warnings("power", notes)
    say_caught("power", said)
    if "power" in tables:
        print(f"df from {df_source}")
        print(summary_text(tables["power"], tables["samplesize"]))
    if "nested" in tables:
        t, s = tables["nested"], tables["nested_samplesize"].iloc[0]
        pw = ", ".join(f"{p:.3f} at N = {x:g}" for x, p in zip(t["n"], t["power"]))
        per = f" ({s['n.group']:g} per group)" if group > 1 else ""
        print(f"nested models (MacCallum, Browne & Cai 2006), df {t['dfA'].iloc[0]:g} vs {t['dfB'].iloc[0]:g}, "
              f"alpha = {args.alpha:g}, {group} group(s):\n  H0 rmsea A = {s['rmsea0A']:g}, B = {s['rmsea0B']:g}; "
              f"H1 rmsea A = {s['rmsea1A']:g}, B = {s['rmsea1B']:g}: power {pw}; N for power > "
              f"{s['power']:.2f}: {'<= ' if s['at.min'] else ''}{s['n']}{per}")
    if args.out:
        from pathlib import Path as _P

        from ._io import write_json_atomic
        out = _P(args.out)
        out.mkdir(parents=True, exist_ok=True)
        doc = to_json_dict(settings, **tables)
        p_json = write_json_atomic(doc, out / RMSEA_FILES["json"], protect=[args.model, args.from_results])
        p_csv = out / RMSEA_FILES["csv"]
        pd.concat([tables[k].assign(table=k) for k in ("power", "nested") if k in tables],
                  ignore_index=True).to_csv(p_csv, index=False)
        print(f"  wrote {p_json}")
        print(f"  wrote {p_csv}")
    sys.stdout.flush()
    return 0
