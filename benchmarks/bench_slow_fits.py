"""Benchmark: the two fits an outside audit found slow, whole process against lavaan 0.6.14 in the same run.

* ``bfi``: psych::bfi (2800 rows, 25 items, 223 without ``education``), three factors with single-labelled
  paths, ``--group education`` (5 groups), FIML (lavaan ``missing = "ml"``).  The first attempt from lavaan's
  start values used to be carried by its scoring steps onto a ridge and creep along it for two minutes
  before the quasi-Newton refit from the same start converged.
* ``boot``: lavaan's HolzingerSwineford1939, three factors with group-specific paths and ``:=`` effects,
  ``--group school --bootstrap 1000 --ci bca.simple --seed 3 --workers 1``; the draws whose estimates run
  off along a ridge (lavaan drops them as not converged) each cost ~30 s before.

* ``smallgrp``: tests/sem/missing_refs/smallgrp.csv (HS Pasteur + 30 Grant-White rows, 20 % MCAR), the
  three-factor CFA, ``--group school --missing ml``.  Our first fit converges at lavaan's Heywood case in
  143 iterations (lavaan 144); being improper, every other start path is run too, and the quasi-Newton ones
  used to creep along a ridge for 10,000 iterations each (over a minute; now stopped when they run off).
* ``nonconv``: tests/base/data/nonconverged_51.csv with cfa3.lav, where lavaan does not converge either
  (exit status 3 of ``fit``): the time each side takes to give up.  Every fallback ran 10,000 quasi-Newton
  iterations along a ridge before.

* ``k12`` and ``g4k15``: tests/sem/converge_refs/cases.json's HS_fiml_G3_k12_s1_ML and HS_fiml_G4_k15_s2_ML
  (HolzingerSwineford1939 with 20 % MCAR, tests/reference/data/hs1939_missing.csv, groups of 12 - 15 rows and
  the rest, FIML).  k12 is a Heywood case (lavaan converges there too), so every start path runs and two of
  them converged slowly (4,113 and 5,962 L-BFGS iterations; nlminb's trust region needs 397); g4k15's first
  attempt crept 4,227 iterations along a ridge before it ran off and the quasi-Newton path from lavaan's start
  converged in 340.

bfi and boot are written from R (psych, lavaan) to a temporary folder at benchmark time, never into the
tree; smallgrp and nonconv are copied from the tests' data, k12 and g4k15 are the cases' rows of it (column
``grp`` the cases' groups).  Timings are whole processes, wall clock: ``python -m iur_survey fit ...`` and ``Rscript`` (start-up,
library(lavaan), read the CSV, the fit, write the estimates).  The machine's other load is shared by both.
Ratio = ours / lavaan.  Then the largest |est| difference to lavaan (free and ``:=`` rows, matched by
lhs/op/rhs/group label) and, for ``boot``, the number of draws that failed or did not converge on each
side (different random draws, so counts agree only roughly).

``--tree DIR`` runs the package from another checkout (e.g. the main branch, for a before/after pair).

Usage: ``python benchmarks/bench_slow_fits.py [--case bfi,boot,smallgrp,nonconv,k12,g4k15] [--tree DIR] [--no-r]``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

MODELS = {
    "bfi": """Agr =~ A1 + A2 + A3 + A4 + A5
Con =~ C1 + C2 + C3 + C4 + C5
Neu =~ N1 + N2 + N3 + N4 + N5
Con ~ a*Agr
Neu ~ b*Con + c*Agr
ind := a*b
""",
    "boot": """visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9
textual ~ c(a1,a2)*visual
speed ~ c(b1,b2)*textual + c(c1,c2)*visual
ind1 := a1*b1
ind2 := a2*b2
diff := a1*b1 - a2*b2
""",
}
MODELS["smallgrp"] = MODELS["boot"].split("textual ~")[0]
MODELS["nonconv"] = (ROOT / "tests" / "base" / "data" / "cfa3.lav").read_text()
#: the cases of tests/sem/converge_refs/cases.json (their rows of the tests' data, column grp their groups)
CONVERGE_CASES = {"k12": "HS_fiml_G3_k12_s1_ML", "g4k15": "HS_fiml_G4_k15_s2_ML"}
CONVERGE_REFS = ROOT / "tests" / "sem" / "converge_refs" / "cases.json"
MODELS["k12"] = MODELS["g4k15"] = MODELS["smallgrp"]
#: the cases whose data are the tests' (copied to the temporary folder)
TEST_DATA = {"smallgrp": ROOT / "tests" / "sem" / "missing_refs" / "smallgrp.csv",
             "nonconv": ROOT / "tests" / "base" / "data" / "nonconverged_51.csv"}
ARGS = {
    "smallgrp": ["--group", "school", "--missing", "ml"],
    "nonconv": [],
    "k12": ["--group", "grp", "--missing", "ml"],
    "g4k15": ["--group", "grp", "--missing", "ml"],
    "bfi": ["--group", "education"],
    "boot": ["--group", "school", "--bootstrap", "1000", "--ci", "bca.simple", "--seed", "3", "--workers", "1"],
}

R_DATA = r"""
suppressPackageStartupMessages({library(lavaan); library(psych)})
out <- commandArgs(TRUE)[1]
b <- psych::bfi; b$response_id <- seq_len(nrow(b))
write.csv(b, file.path(out, "bfi.csv"), row.names = FALSE, na = "")
write.csv(HolzingerSwineford1939, file.path(out, "boot.csv"), row.names = FALSE)
"""

R_FIT = r"""
suppressPackageStartupMessages({library(lavaan); library(jsonlite)})
a <- commandArgs(TRUE); d <- read.csv(a[1]); m <- readLines(a[2]); case <- a[3]
if (case == "bfi") {
  f <- suppressWarnings(sem(m, d, group = "education", missing = "ml"))
  bad <- NA
} else if (case == "smallgrp") {
  f <- suppressWarnings(sem(m, d, group = "school", missing = "ml"))
  bad <- NA
} else if (case %in% c("k12", "g4k15")) {
  f <- suppressWarnings(sem(m, d, group = "grp", missing = "ml"))
  bad <- NA
} else if (case == "nonconv") {
  f <- suppressWarnings(sem(m, d))
  bad <- NA
} else {
  set.seed(3)
  f <- suppressWarnings(sem(m, d, group = "school", se = "bootstrap", bootstrap = 1000))
  bad <- length(attr(lavInspect(f, "boot"), "error.idx"))
}
pe <- parameterEstimates(f)
gl <- lavInspect(f, "group.label")
if (is.null(pe$group)) pe$group <- 0L
pe$glabel <- if (length(gl)) ifelse(pe$group > 0, gl[pmax(pe$group, 1)], "") else ""
writeLines(toJSON(list(est = pe[, c("lhs", "op", "rhs", "glabel", "est")], bad = bad,
                       converged = lavInspect(f, "converged")), digits = NA), a[4])
"""


def _converge_case(cid: str, out: Path) -> None:
    """The rows of a converge_refs case (in its order) with its groups as column ``grp``."""
    import csv

    case = next(c for c in json.loads(CONVERGE_REFS.read_text()) if c["id"] == cid)
    with open(ROOT / "tests" / "reference" / "data" / case["data"], newline="") as fh:
        rows = list(csv.reader(fh))
    with open(out, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(rows[0] + ["grp"])
        for r, g in zip(case["rows"], case["groups"]):
            w.writerow(rows[r] + [g])


def _run(cmd: list[str], env: dict | None = None, cwd: Path | None = None, ok: tuple[int, ...] = (0,)) -> float:
    t = time.perf_counter()
    rc = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    if rc not in ok:
        raise subprocess.CalledProcessError(rc, cmd)
    return time.perf_counter() - t


def _ours(case: str, tmp: Path, tree: Path) -> tuple[float, dict]:
    out = tmp / f"{case}_{tree.name}.json"
    env = dict(os.environ, PYTHONPATH=str(tree))
    secs = _run([sys.executable, "-m", "iur_survey", "fit", str(tmp / f"{case}.csv"), "--model",
                 str(tmp / f"{case}.lav"), *ARGS[case], "--quiet", "--out", str(out)], env, cwd=tmp,
                ok=(0, 3))                      # 3: the model did not converge (nonconv, as in lavaan)
    # (cwd: ``python -m`` puts the working directory first on sys.path, before PYTHONPATH)
    return secs, json.loads(out.read_text())


def _lavaan(case: str, tmp: Path) -> tuple[float, dict]:
    script, out = tmp / "fit.R", tmp / f"{case}_lavaan.json"
    script.write_text(R_FIT)
    secs = _run(["Rscript", str(script), str(tmp / f"{case}.csv"), str(tmp / f"{case}.lav"), case, str(out)])
    return secs, json.loads(out.read_text())


def _max_diff(ours: dict, lav: dict) -> float:
    ref = {(r["lhs"], r["op"], r["rhs"], str(r["glabel"])): r["est"] for r in lav["est"]}
    diffs = []
    for r in ours["estimates"]:
        key = (r["lhs"], r["op"], r["rhs"], "" if r["op"] == ":=" else str(r.get("group") or ""))
        if key in ref and r["est"] is not None:
            diffs.append(abs(r["est"] - ref[key]))
    return max(diffs) if diffs else float("nan")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--case", default="bfi,boot,smallgrp,nonconv")
    ap.add_argument("--tree", default=str(ROOT), help="the checkout whose package runs (default: this one)")
    ap.add_argument("--no-r", action="store_true")
    args = ap.parse_args(argv)
    if not args.no_r and shutil.which("Rscript") is None:
        sys.exit("Rscript not found (use --no-r)")
    tree = Path(args.tree).resolve()
    with tempfile.TemporaryDirectory() as td:
        tmp = Path(td)
        (tmp / "data.R").write_text(R_DATA)
        subprocess.run(["Rscript", str(tmp / "data.R"), str(tmp)], check=True)
        for case in args.case.split(","):
            (tmp / f"{case}.lav").write_text(MODELS[case])
            if case in TEST_DATA:
                shutil.copyfile(TEST_DATA[case], tmp / f"{case}.csv")
            elif case in CONVERGE_CASES:
                _converge_case(CONVERGE_CASES[case], tmp / f"{case}.csv")
            s_ours, ours = _ours(case, tmp, tree)
            line = f"{case:8s} ours {s_ours:7.1f} s (converged {ours['converged']}"
            if "bootstrap" in ours:
                bt = ours["bootstrap"]
                line += f", draws not converged/failed {bt['nonconverged']}/{bt['failed']}"
            line += f"; package from {tree})"
            print(line, flush=True)
            if args.no_r:
                continue
            s_lav, lav = _lavaan(case, tmp)
            extra = f", draws failed or not converged {lav['bad'][0]}" if case == "boot" else ""
            print(f"{'':8s} lavaan {s_lav:5.1f} s (converged {lav['converged'][0]}{extra})\n"
                  f"{'':8s} ratio ours/lavaan {s_ours / s_lav:.2f}; max |est - lavaan est| "
                  f"{_max_diff(ours, lav):.2g}", flush=True)


if __name__ == "__main__":
    main()
