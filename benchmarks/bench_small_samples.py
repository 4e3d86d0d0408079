"""Benchmark: single fits on small samples, where some fits do not converge -- our verdict and time against lavaan's.

The 3-factor Holzinger-Swineford CFA (9 items) is fitted to ``--fits`` resamples of N = ``--n`` rows of
``tests/reference/data/hs1939.csv`` (rows drawn with replacement, ``numpy.random.default_rng(--seed)``),
by our ``sem()`` (in this process, CPU seconds per fit) and by lavaan 0.6.14's ``sem()`` (one ``Rscript``
looping over the same CSV files, ``system.time`` per fit), with both engines' defaults.

Printed:

* the convergence verdicts side by side (both / neither / ours only / lavaan only) and, where both converge,
  the largest difference of the estimates and the range of ``fmin`` ours minus lavaan's (which optimum is lower);
* the time per fit, converged and not converged apart, and the ratio ours / lavaan (< 1: we are faster).

A non-converging fit runs each optimiser to its iteration limit (ours: scoring, then L-BFGS up to
``20 * max_iter``, then a Newton polish; lavaan: ``nlminb`` up to ``iter.max = 10000``), so this is the worst
case of a single fit's time.

Usage: ``python benchmarks/bench_small_samples.py [--fits 40] [--n 40] [--seed 7]``
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from iur_survey.sem import sem  # noqa: E402

MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"

R_LOOP = r"""
suppressPackageStartupMessages(library(lavaan))
args <- commandArgs(trailingOnly = TRUE)
files <- readLines(args[1]); model <- readLines(args[2])
out <- lapply(files, function(f) {
  d <- read.csv(f)
  t <- system.time(fit <- tryCatch(suppressWarnings(sem(paste(model, collapse = "\n"), d)),
                                   error = function(e) NULL))[["elapsed"]]
  if (is.null(fit)) return(list(file = f, seconds = t, converged = FALSE, est = list()))
  conv <- lavInspect(fit, "converged")
  pe <- parameterEstimates(fit)
  list(file = f, seconds = t, converged = conv, fmin = if (conv) fitMeasures(fit, "fmin")[[1]] else NA,
       est = as.list(setNames(pe$est, paste(pe$lhs, pe$op, pe$rhs))))
})
writeLines(jsonlite::toJSON(out, auto_unbox = TRUE, digits = NA), args[3])
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fits", type=int, default=40)
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    hs = pd.read_csv(ROOT / "tests" / "reference" / "data" / "hs1939.csv")
    rng = np.random.default_rng(args.seed)
    warnings.simplefilter("ignore")
    with tempfile.TemporaryDirectory() as tmpd:
        tmp = Path(tmpd)
        files, ours = [], []
        for r in range(args.fits):
            d = hs.iloc[rng.integers(0, len(hs), args.n)][[f"x{i}" for i in range(1, 10)]]
            f = tmp / f"resample_{r:03d}.csv"
            d.to_csv(f, index=False)
            files.append(str(f))
            t = time.process_time()
            try:
                res = sem(MODEL, d)
                pe = res.parameter_estimates()
                ours.append((res.converged, time.process_time() - t,
                             {f"{a.lhs} {a.op} {a.rhs}": a.est for a in pe.itertuples()},
                             res.fit_measures()["fmin"] if res.converged else np.nan))
            except Exception:            # a typed refusal counts as "not converged"
                ours.append((False, time.process_time() - t, {}, np.nan))
            print(f"\r  ours: {r + 1}/{args.fits} fits", end="", file=sys.stderr, flush=True)
        print(file=sys.stderr)
        lav = None
        if shutil.which("Rscript"):
            (tmp / "files.txt").write_text("\n".join(files) + "\n")
            (tmp / "model.lav").write_text(MODEL + "\n")
            (tmp / "loop.R").write_text(R_LOOP)
            subprocess.run(["Rscript", str(tmp / "loop.R"), str(tmp / "files.txt"), str(tmp / "model.lav"),
                            str(tmp / "out.json")], check=True, capture_output=True)
            lav = json.loads((tmp / "out.json").read_text())
    print(f"HS 3-factor CFA, {args.fits} resamples of N = {args.n} (seed {args.seed}), ML, default settings")
    oc = np.array([o[0] for o in ours])
    ot = np.array([o[1] for o in ours])
    if lav is None:
        print(f"  ours: {oc.sum()} converged, {(~oc).sum()} not; mean CPU {ot[oc].mean():.3f} s converged, "
              f"{ot[~oc].mean() if (~oc).any() else float('nan'):.3f} s not converged (Rscript not found)")
        return 0
    lc = np.array([bool(x["converged"]) for x in lav])
    lt = np.array([float(x["seconds"]) for x in lav])
    both = oc & lc
    diffs = [max(abs(ours[i][2][k] - v) for k, v in lav[i]["est"].items() if k in ours[i][2])
             for i in np.flatnonzero(both)]
    print(f"  verdicts: both converged {both.sum()}, neither {(~oc & ~lc).sum()}, ours only {(oc & ~lc).sum()}, "
          f"lavaan only {(~oc & lc).sum()}")
    if diffs:
        dfmin = [ours[i][3] - float(lav[i]["fmin"]) for i in np.flatnonzero(both)]
        print(f"  both converged: max |est ours - est lavaan| = {max(diffs):.2e}; fmin ours - fmin lavaan from "
              f"{min(dfmin):.2e} to {max(dfmin):.2e} (< 0: our optimum is lower)")
    print(f"{'':28}{'ours (s)':>10}{'lavaan (s)':>12}{'ours/lavaan':>13}")
    for name, m_o, m_l in (("fit, converged (mean)", oc, lc), ("fit, not converged (mean)", ~oc, ~lc),
                           ("all fits (total)", np.ones_like(oc), np.ones_like(lc))):
        if not m_o.any() or not m_l.any():
            continue
        a = ot[m_o].sum() if name.startswith("all") else ot[m_o].mean()
        b = lt[m_l].sum() if name.startswith("all") else lt[m_l].mean()
        print(f"  {name:26}{a:>10.3f}{b:>12.3f}{a / b:>13.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
