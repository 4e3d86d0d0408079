"""Simulate a realistic survey export from the population SEM, with known bad cases.

Draws --n honest respondents from the population model (five correlated mechanisms
GOV MKT BEN VAL TAL -> collaborative innovation COL -> deep integration INT; Likert
items cut from continuous responses, reverse-keyed items answered reversed, an
attention check ATT1 whose careful answer is 4) and adds, ON TOP of them, the cases a
real export contains.  A perfect cleaning therefore keeps exactly --n rows.  Writes
into --out DIR:

  export.csv|.xlsx|.sav  the export in --format (Qualtrics CSV, Wenjuanxing CSV/XLSX,
                         SPSS .sav, plain CSV/XLSX), with fake personal data (names,
                         e-mails, phones, IPs, locations, comments) as real exports have
  truth.csv              one row per injected case: response_id, kind, detail, primary,
                         position (0-based data row; tells the two rows of a repeated id
                         apart).  primary=False rows record what a careless case trips
                         as well (a fast random responder is also a speeder)
  population.json        true parameters, contamination rates and counts, seed, n,
                         the iur-survey version, the command line, the export's sha256

Kinds of injected case (default rate per honest respondent; --rate KIND=RATE changes one):
  preview 0.01, test 0.005, spam 0.005   _status Survey Preview / Survey Test / Spam
  unfinished 0.03                        Finished False, Progress < 100, later questions blank
  duplicate_id 0.0075                    an exact repeat of an honest row (same response id)
  duplicate_ip 0.0075                    an honest respondent's answers again: same IP, new id
  speeder 0.03                           duration < 30% of the honest median (about 9 min)
  straightliner 0.02                     the same raw code on all or nearly all items
  random 0.02                            uniformly random codes
  attention 0.03                         careful, but ATT1 answered wrong
  out_of_range 0.003                     one item coded 0, 6 or 9
  pattern 0.01                           zig-zag, diagonal or repeated short sequences
  partial 0.01                           careful first 40-60 %, then random/one code/pattern
  item_nonresponse_cells 0.01            of honest item cells left blank, spread over
  item_nonresponse_respondents 0.15      of honest respondents (recorded, not an exclusion)
Honest response styles (shares of the honest respondents, named in truth.csv, kept):
  acquiescent 0.06, extreme 0.08, midpoint 0.05, fast_careful 0.05
Opt-in kinds (rate 0 unless --rate sets one; listed in the outputs only then):
  random_marginal                        random answers following each item's answer shares
  mild_random                            careful, but half of the questions answered at random
  partial_late                           careful first 62-72 % (from about 2/3), then careless
  speeder_straight                       a speeder who straight-lines
  page_line                              grid straight-lining: one answer per page, another on
                                         the next page
  keyed_line                             a line at the disagree end held on reverse-keyed items
                                         too, 1-4 slips
  near_copy                              an honest respondent's answers again, 3-6 items
                                         changed, new id, IP and contact details, later
  adjacent                               satisficing between two neighbouring codes on every
                                         item, 4 % a step outside, checks passed
  lean_random                            uniform on the upper or lower three codes, both
                                         keyings, checks passed, at an ordinary speed
  narrow, slow_careful, high_trait,      honest styles: never the end points; 2-4 x the median
  skipped_items                          time; latent level +1.2-2.0 SD; 1-4 items left blank
  extreme_scaled                         honest extreme style as threshold scaling: thresholds
                                         x 0.4-0.7 about the scale's centre (Jin & Wang 2014)
  disacquiescent                         honest style: disagrees more whatever the keying (the
                                         mirror of acquiescent; raw latent response -0.3-0.9 SD)

The same command with the same versions reproduces every file byte for byte.

examples:
  iur-survey simulate --n 800 --seed 2022 --format qualtrics --labels text --out sim/
  iur-survey simulate --n 500 --seed 1 --format wjx_xlsx --language zh --out sim_wjx/
  iur-survey simulate --n 2000 --seed 7 --format spss --no-contamination --out clean_sim/
  iur-survey simulate --n 800 --seed 2022 --format csv --rate random=0.1 --rate speeder=0 --out sim/
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import tempfile
from pathlib import Path

from ._io import add_instrument_option, whole_number

NAME = "simulate"
HELP = "simulate a realistic export from the population SEM, with a truth file"

#: --format -> the export's file name in --out
EXPORT_NAMES = {"qualtrics": "export.csv", "wjx_csv": "export.csv", "wjx_xlsx": "export.xlsx",
                "spss": "export.sav", "csv": "export.csv", "xlsx": "export.xlsx"}


def _rate(text: str) -> tuple[str, float]:
    name, sep, value = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected KIND=RATE, got {text!r}")
    try:
        rate = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"rate for {name!r} is not a number: {value!r}") from None
    return name.strip(), rate


_nonneg_int = whole_number(0)


_pos_int = whole_number(1)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--n", type=_pos_int, default=800, metavar="N",
                        help="honest respondents to draw; bad cases are added on top (default 800)")
    parser.add_argument("--seed", type=_nonneg_int, default=2022, metavar="SEED",
                        help="random seed; fixes every value of every file (default 2022)")
    parser.add_argument("--format", choices=sorted(EXPORT_NAMES), default="qualtrics",
                        help="export format (default qualtrics)")
    parser.add_argument("--labels", choices=("codes", "text"), default="codes",
                        help="write answers as numeric codes or as their wording (default codes)")
    parser.add_argument("--language", choices=("en", "zh"), default="en",
                        help="language of question texts and labels (default en)")
    parser.add_argument("--tags", choices=("qnum", "codes"), default="qnum",
                        help="column names: the platform's question numbers or the item codes (default qnum)")
    parser.add_argument("--role-differences", choices=("none", "means", "means+paths"), default="means",
                        help="how stakeholder roles differ: not at all, by latent means of the mechanisms "
                             "(default), or also a stronger government-guidance path for government staff")
    parser.add_argument("--no-contamination", action="store_true",
                        help="no bad cases and no item nonresponse: exactly N clean rows")
    parser.add_argument("--rate", type=_rate, action="append", default=[], metavar="KIND=RATE",
                        help="override one contamination rate (a proportion of N), e.g. random=0.05; "
                             "repeatable; applied after --no-contamination")
    add_instrument_option(parser)
    parser.add_argument("--out", metavar="DIR", required=True,
                        help="output directory for the export, truth.csv and population.json")


def command_line(args: argparse.Namespace) -> str:
    """The canonical command that reproduces ``args`` (every choice spelled out)."""
    parts = ["iur-survey", "simulate", "--n", str(args.n), "--seed", str(args.seed), "--format", args.format,
             "--labels", args.labels, "--language", args.language, "--tags", args.tags]
    if args.role_differences != "means":
        parts += ["--role-differences", args.role_differences]
    if args.no_contamination:
        parts.append("--no-contamination")
    for name, rate in args.rate:
        parts += ["--rate", f"{name}={rate:g}"]
    if args.instrument:
        parts += ["--instrument", args.instrument]
    parts += ["--out", args.out]
    return " ".join(shlex.quote(p) for p in parts)


def run(args: argparse.Namespace) -> int:
    import numpy as np
    import pandas as pd

    from .. import __version__
    from ..errors import IURSurveyError
    from ..instrument import load_instrument
    from ..simulate import simulate as sim_mod
    from ..simulate.respondents import (DURATION_FLOOR, DURATION_MEDIAN, DURATION_SIGMA, FIELD_START, INTERRUPTED,
                                     SHARED_IP, SPEEDER_CUT)
    from ..simulate.contamination import Contamination
    from ..simulate.population import Population

    from ._io import check_output
    # a bad --out (an existing file, ...) or one over the instrument fails before the simulation
    check_output(args.out, args.instrument, names=(EXPORT_NAMES[args.format], "truth.csv", "population.json"))
    base = Contamination.none() if args.no_contamination else Contamination()
    try:
        contamination = Contamination.from_dict(dict(args.rate), base) if args.rate else base
    except ValueError as exc:
        raise IURSurveyError(None, f"--rate: {exc}") from None
    instrument = load_instrument(args.instrument)
    try:
        from ..simulate.writers import write_export
    except ImportError as exc:  # pragma: no cover - only before the writers exist
        raise IURSurveyError(None, f"the export writers are not available: {exc}") from None
    population = Population.default(args.role_differences)
    sim = sim_mod(args.n, seed=args.seed, instrument=instrument, population=population,
                           contamination=contamination)

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    name = EXPORT_NAMES[args.format]
    # write into a scratch directory beside DIR, then move: the files appear together or not at all
    tmp = Path(tempfile.mkdtemp(prefix=".simulate-", dir=out))
    try:
        export = Path(write_export(sim.frame, instrument, args.format, tmp / name, labels=args.labels,
                                   language=args.language, tags=args.tags, seed=args.seed))
        sim.truth.to_csv(tmp / "truth.csv", index=False, lineterminator="\n")
        from ..read.base import sha256_file
        doc = {
            "iur_survey_version": __version__,
            "command": command_line(args),
            "seed": args.seed,
            "n_honest": args.n,
            "n_rows": len(sim.frame),
            "n_to_exclude": int((~sim.expected_clean()).sum()),
            "export": {"file": export.name, "format": args.format, "labels": args.labels,
                       "language": args.language, "tags": args.tags, "sha256": sha256_file(export)},
            "versions": {"numpy": np.__version__, "pandas": pd.__version__},
            "counts": {k: {"primary": int(r.primary), "secondary": int(r.secondary)}
                       for k, r in sim.kind_counts().iterrows()},
            "contamination": contamination.to_dict(),
            "behaviour": {"duration_median_s": DURATION_MEDIAN, "duration_sigma": DURATION_SIGMA,
                          "duration_floor": DURATION_FLOOR, "speeder_cut": SPEEDER_CUT,
                          "interrupted_share": INTERRUPTED, "shared_ip_share": SHARED_IP,
                          "field_start": str(FIELD_START)},
            "population": population.to_dict(),
            # the codes the items were written on (iur-survey power --population draws the same)
            "scale": {"min": instrument.scale_min, "max": instrument.scale_max},
            "lavaan": population.to_lavaan(values=True),
        }
        (tmp / "population.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n",
                                             encoding="utf-8")
        written = [export.name, "truth.csv", "population.json"]
        for f in written:
            os.replace(tmp / f, out / f)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(sim.summary())
    print(f"  wrote {out}/{', '.join(written)}")
    return 0
