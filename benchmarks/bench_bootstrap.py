"""Benchmark: the nonparametric bootstrap of the default SEM (28 items, 7 factors, 10 ``:=`` effects) against
lavaan's ``se = "bootstrap"``, timed in the same run, with the confidence intervals side by side.

Data: ``tests/reference/data/complete_800.csv`` (800 complete cases) and ``tests/reference/models/default.lav``
(``--case fiml``: ``missing_800.csv`` with full-information ML, lavaan ``missing = "ml"``).

Timings (best of ``--repeat``; wall clock, the machine's other load included -- both peers share it):

* ``ours``: ``bootstrap(res, B, workers=W)`` in this process, for each local mode: ``serial`` (workers=1, no Dask),
  ``processes`` and ``threads`` (Dask's local schedulers, W workers); the fit of the full sample is not included;
* ``ours (process)``: a whole ``python`` process: imports, read the CSV, ``sem()``, the bootstrap with W
  workers in the default mode (Dask threads);
* ``lavaan (fit)``: ``sem(model, data, se = "bootstrap", bootstrap = B, parallel = "multicore", ncpus = W,
  iseed = 2022)`` timed inside R (``proc.time``) -- the full-sample fit plus the B refits;
* ``lavaan (process)``: the whole ``Rscript`` process (start-up, library(lavaan), read the CSV, the call above,
  parameterEstimates).

Ratios are ours / lavaan (< 1: we are faster).  The target is ours <= 0.1 x lavaan.  Then the table of the
regressions and ``:=`` effects: bootstrap SE and percentile CI (lavaan's ``boot.ci.type = "perc"``) from both
(different random draws, so they agree within Monte Carlo error: ~3% for SEs at B = 1000), and the Monte Carlo
error of our bounds.

Usage: ``python benchmarks/bench_bootstrap.py [--B 1000] [--workers 2] [--repeat 1] [--case complete|fiml]
[--modes serial,processes,threads] [--no-r] [--json OUT]``
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from iur_survey.sem import sem  # noqa: E402
from iur_survey.sem.bootstrap import bootstrap  # noqa: E402

CASES = {"complete": ("complete_800.csv", ""), "fiml": ("missing_800.csv", ', missing = "ml"')}
MODEL = ROOT / "tests" / "reference" / "models" / "default.lav"

R_SCRIPT = r"""
suppressPackageStartupMessages({library(lavaan); library(jsonlite)})
args <- commandArgs(TRUE)
d <- read.csv(args[1]); model <- paste(readLines(args[2]), collapse = "\n")
B <- as.integer(args[3]); W <- as.integer(args[4]); extra <- args[5]
call <- paste0("sem(model, data = d, se = 'bootstrap', bootstrap = B, iseed = 2022L",
               if (W > 1) ", parallel = 'multicore', ncpus = W" else "", extra, ")")
t <- proc.time()[["elapsed"]]
fit <- eval(parse(text = call))
secs <- proc.time()[["elapsed"]] - t
pe <- parameterEstimates(fit, boot.ci.type = "perc")
BOOT <- lavInspect(fit, "boot")
cat(toJSON(list(seconds = secs, failed = length(attr(BOOT, "error.idx")), nboot = nrow(BOOT),
                lhs = pe$lhs, op = pe$op, rhs = pe$rhs, est = pe$est, se = pe$se,
                ci.lower = pe$ci.lower, ci.upper = pe$ci.upper), digits = NA))
"""

PY_PROCESS = r"""
import sys, pandas as pd
from iur_survey.sem import sem
from iur_survey.sem.bootstrap import bootstrap
d = pd.read_csv(sys.argv[1]); model = open(sys.argv[2]).read()
res = sem(model, d)
bt = bootstrap(res, int(sys.argv[3]), data=d, seed=2022, workers=int(sys.argv[4]), progress=False)
bt.parameter_estimates()
print(bt.n_ok)
"""


def _time(fn, repeat: int):
    best, out = np.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--B", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--case", choices=sorted(CASES), default="complete")
    ap.add_argument("--modes", default="serial,processes,threads")
    ap.add_argument("--no-r", action="store_true", help="skip lavaan")
    ap.add_argument("--json", metavar="OUT", help="also write the figures as JSON")
    a = ap.parse_args(argv)
    csv = ROOT / "tests" / "reference" / "data" / CASES[a.case][0]
    data = pd.read_csv(csv)
    res = sem(MODEL.read_text(encoding="utf-8"), data)
    print(f"bootstrap benchmark: case {a.case} (N = {res.n}, {res.missing}), {res.model.npar} free parameters "
          f"+ 10 := effects, B = {a.B}, {a.workers} workers")
    figures: dict = {"case": a.case, "B": a.B, "workers": a.workers, "n": res.n}
    ours: dict[str, float] = {}
    boot = None
    for mode in [m for m in a.modes.split(",") if m]:
        kw = {"workers": 1} if mode == "serial" else {"workers": a.workers, "scheduler": mode}
        secs, bt = _time(lambda: bootstrap(res, a.B, data=data, seed=2022, progress=False, **kw), a.repeat)
        ours[mode] = secs
        boot = boot or bt
        print(f"  ours  {mode:<10} {secs:8.2f} s   ({bt.n_ok} ok, {bt.n_failed} failed, "
              f"{bt.n_nonconverged} not converged; {1000 * secs / a.B:.2f} ms per draw)")
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", PY_PROCESS, str(csv), str(MODEL), str(a.B), str(a.workers)], check=True,
                   capture_output=True, cwd=ROOT)
    ours["process"] = time.perf_counter() - t
    print(f"  ours  process    {ours['process']:8.2f} s   (python start-up, imports, read, sem(), bootstrap "
          f"with {a.workers} workers)")
    figures["ours"] = ours
    lav = None
    if not a.no_r and shutil.which("Rscript"):
        with tempfile.TemporaryDirectory() as tmp:
            script = Path(tmp) / "boot.R"
            script.write_text(R_SCRIPT, encoding="utf-8")
            t = time.perf_counter()
            out = subprocess.run(["Rscript", str(script), str(csv), str(MODEL), str(a.B), str(a.workers),
                                  CASES[a.case][1]], check=True, capture_output=True, text=True)
            whole = time.perf_counter() - t
        lav = json.loads(out.stdout)
        lav_fit = float(lav["seconds"][0] if isinstance(lav["seconds"], list) else lav["seconds"])
        failed = int(np.ravel(lav["failed"])[0]) if np.size(lav["failed"]) else 0
        print(f"  lavaan fit       {lav_fit:8.2f} s   (sem(..., se = 'bootstrap', bootstrap = {a.B}, "
              f"parallel = 'multicore', ncpus = {a.workers}); {a.B - failed} successful draws)")
        print(f"  lavaan process   {whole:8.2f} s")
        best_local = min(v for k, v in ours.items() if k != "process")
        mode = "threads"                                                # bootstrap()'s default for W > 1
        default_mode = ours.get(mode, best_local)
        print(f"ratio ours / lavaan: fit {default_mode / lav_fit:.3f} ({mode}, the default), "
              f"{best_local / lav_fit:.3f} (best local mode); whole process {ours['process'] / whole:.3f}   "
              "(target <= 0.1)")
        figures["lavaan"] = {"fit": lav_fit, "process": whole}
        figures["ratio"] = {"fit_default": default_mode / lav_fit, "fit_best": best_local / lav_fit,
                            "process": ours["process"] / whole}
    if boot is not None:
        pe = boot.parameter_estimates()
        cis = boot.confidence_intervals()
        show = pe[pe["op"].isin(["~", ":="])].copy()
        rows = []
        for r in show.itertuples():
            name = r.lhs if r.op == ":=" else (r.label or f"{r.lhs}~{r.rhs}")
            j = boot.columns.index(name)
            row = {"param": name, "est": r.est, "se": r.se, "lo": pe.loc[r.Index, "ci.lower"],
                   "hi": pe.loc[r.Index, "ci.upper"], "mc_lo": cis["mcse.lower"].iloc[j],
                   "mc_hi": cis["mcse.upper"].iloc[j]}
            if lav is not None:
                k = next(i for i in range(len(lav["lhs"]))
                         if (lav["lhs"][i], lav["op"][i], lav["rhs"][i]) == (r.lhs, r.op, r.rhs))
                row.update(se_lav=lav["se"][k], lo_lav=lav["ci.lower"][k], hi_lav=lav["ci.upper"][k])
            rows.append(row)
        tab = pd.DataFrame(rows)
        print("\npercentile 95% CIs (ours from seed 2022 with numpy's SeedSequence; lavaan iseed = 2022: "
              "different draws)")
        head = f"{'param':<9}{'est':>8}{'se':>8}{'se.lav':>8}  {'ci ours':>17}  {'ci lavaan':>17}  {'MC se of bounds':>16}"
        print(head)
        for r in tab.to_dict("records"):
            lv = (f"{r['se_lav']:8.4f}  [{r['lo_lav']:7.4f},{r['hi_lav']:7.4f}]" if lav is not None
                  else f"{'':8}  {'':17}")
            print(f"{r['param']:<9}{r['est']:8.4f}{r['se']:8.4f}{lv[:8]}  [{r['lo']:7.4f},{r['hi']:7.4f}]  "
                  f"{lv[8:]:>17}  {r['mc_lo']:7.4f} {r['mc_hi']:7.4f}")
        if lav is not None:
            full = pe.merge(pd.DataFrame({k: lav[k] for k in ("lhs", "op", "rhs", "se", "ci.lower", "ci.upper")}),
                            on=["lhs", "op", "rhs"], suffixes=("", "_lav"))
            full = full[full["se_lav"] > 0]
            rel = full["se"] / full["se_lav"] - 1
            print(f"\nall {len(full)} free and := parameters: SE relative difference RMS {np.sqrt(np.mean(rel ** 2)):.3f}, "
                  f"max {rel.abs().max():.3f} (two independent B = {a.B} estimates: expected RMS "
                  f"~{np.sqrt(1 / a.B):.3f})")
            figures["se_rel_rms"] = float(np.sqrt(np.mean(rel ** 2)))
            figures["se_rel_max"] = float(rel.abs().max())
        figures["table"] = tab.to_dict("records")
    if a.json:
        Path(a.json).write_text(json.dumps(figures, indent=2, default=float), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
