"""Benchmark: WLSMV fit of the default model (28 five-category items, N = 600) against lavaan 0.6.14.

Ours: ordinal sample statistics (thresholds, 378 polychoric correlations, their 490 x 490 asymptotic
covariance) + DWLS estimation + robust SEs + scaled-shifted test + every fitMeasures() entry +
the parameterEstimates() table (``wlsmv_from_model`` on the engine's Model).
lavaan: ``sem(model, data, ordered = TRUE, estimator = "WLSMV")`` + ``parameterEstimates()`` +
``fitMeasures()``.

Two comparisons, best of ``--repeat``:

* in-process: the statistics-to-results work only (R: inside one R session, after ``library(lavaan)``
  and ``read.csv``);
* whole process: a fresh ``python`` / ``Rscript`` that imports, reads the CSV, fits and
  prints (what a user waits for).

Usage: ``python benchmarks/bench_wlsmv.py [--data tests/reference/data/ordinal_600.csv] [--repeat 5]``

``--part groups``: multi-group WLSMV (three groups of 319/189/119 rows with missing cells, pairwise,
``group.equal = c("thresholds", "loadings")``, tests/sem/ordinal_refs/wlsmv_groups_630.csv) against
lavaan's ``sem(..., group = "G", group.equal = ...)``, warm in-process fit time, best of ``--repeat``
(target: ours <= 0.2 x lavaan).

``--part boot``: a WLSMV bootstrap of B = 1000 draws (``--boot-model single``, the default: the two-factor
model on all 627 usable rows, pairwise; ``groups``: the multi-group model above) on 2 workers against
lavaan's ``se = "bootstrap"`` with ``parallel = "multicore", ncpus = 2`` (lavaan 0.6.14 wants
``estimator = "DWLS", test = "scaled.shifted"`` for that: the same fit; target: ours <= 0.1 x lavaan);
run once each.
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

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "tests" / "reference" / "models" / "default.lav"

R_SCRIPT = r"""
t0 <- proc.time()[["elapsed"]]
suppressPackageStartupMessages(library(lavaan))
d <- read.csv(commandArgs(TRUE)[1])
m <- paste(readLines(commandArgs(TRUE)[2]), collapse = "\n")
reps <- as.integer(commandArgs(TRUE)[3])
inproc <- numeric(reps)
for (r in seq_len(reps)) {
  t1 <- proc.time()[["elapsed"]]
  fit <- sem(m, data = d, ordered = TRUE, estimator = "WLSMV")
  pe <- parameterEstimates(fit)
  fm <- fitMeasures(fit)
  inproc[r] <- proc.time()[["elapsed"]] - t1
}
cat(sprintf('{"inproc": [%s], "chisq_scaled": %.10g, "total": %.6f}\n',
            paste(inproc, collapse = ","), fm[["chisq.scaled"]], proc.time()[["elapsed"]] - t0))
"""

PY_CHILD = r"""
import sys, time, json
t0 = time.perf_counter()
import pandas as pd
from iur_survey.sem.matrices import Model
from iur_survey.sem.ordinal import ordinal_sample_stats
from iur_survey.sem.partable import build_partable
from iur_survey.sem.wlsmv import wlsmv_from_model
d = pd.read_csv(sys.argv[1])
m = open(sys.argv[2]).read()
reps = int(sys.argv[3])
inproc = []
for _ in range(reps):
    t1 = time.perf_counter()
    model = Model(build_partable(m))
    st = ordinal_sample_stats(d[model.groups[0].ov])
    res, pe = wlsmv_from_model(model, st)
    fm = res.fit_measures
    inproc.append(time.perf_counter() - t1)
print(json.dumps({"inproc": inproc, "chisq_scaled": float(fm["chisq.scaled"]),
                  "total": time.perf_counter() - t0}))
"""


def run(cmd: list[str]) -> tuple[dict, float]:
    t = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t
    return json.loads(out.stdout.strip().splitlines()[-1]), wall


GROUPS_DATA = ROOT / "tests" / "sem" / "ordinal_refs" / "wlsmv_groups_630.csv"
GROUPS_MODEL = "F1 =~ a1 + a2 + a3 + a4\nF2 =~ b1 + b2 + b3 + b4"

R_GROUPS = r"""
suppressPackageStartupMessages(library(lavaan))
d <- read.csv(commandArgs(TRUE)[1])
m <- "F1 =~ a1 + a2 + a3 + a4\nF2 =~ b1 + b2 + b3 + b4"
reps <- as.integer(commandArgs(TRUE)[2]); B <- as.integer(commandArgs(TRUE)[3])
grp <- commandArgs(TRUE)[4] == "groups"
t <- numeric(reps)
for (r in seq_len(reps)) {
  t1 <- proc.time()[["elapsed"]]
  fit <- suppressWarnings(sem(m, d, ordered = TRUE, estimator = "WLSMV", missing = "pairwise", group = "G",
                              group.equal = c("thresholds", "loadings")))
  pe <- parameterEstimates(fit); fm <- fitMeasures(fit)
  t[r] <- proc.time()[["elapsed"]] - t1
}
tb <- NA; seb <- NA
if (B > 0) {
  t1 <- proc.time()[["elapsed"]]
  if (grp) {
    fb <- suppressWarnings(sem(m, d, ordered = TRUE, estimator = "DWLS", test = "scaled.shifted",
                               missing = "pairwise", group = "G",
                               group.equal = c("thresholds", "loadings"), se = "bootstrap", bootstrap = B,
                               parallel = "multicore", ncpus = 2L, iseed = 1L))
  } else {
    fb <- suppressWarnings(sem(m, d, ordered = TRUE, estimator = "DWLS", test = "scaled.shifted",
                               missing = "pairwise", se = "bootstrap", bootstrap = B,
                               parallel = "multicore", ncpus = 2L, iseed = 1L))
  }
  tb <- proc.time()[["elapsed"]] - t1
  seb <- parameterEstimates(fb)$se[2]
}
cat(sprintf('{"fit": [%s], "chisq_scaled": %.10g, "boot": %s, "se2": %s}\n', paste(t, collapse = ","),
            fm[["chisq.scaled"]], ifelse(is.na(tb), "null", tb), ifelse(is.na(seb), "null", seb)))
"""

PY_GROUPS = r"""
import sys, time, json
import pandas as pd
from iur_survey.sem import sem
d = pd.read_csv(sys.argv[1])
m = "F1 =~ a1 + a2 + a3 + a4\nF2 =~ b1 + b2 + b3 + b4"
reps, B = int(sys.argv[2]), int(sys.argv[3])
grp = sys.argv[4] == "groups"
sem(m, d, ordered=True, group="G", group_equal=["thresholds", "loadings"])      # warm the imports
t = []
for _ in range(reps):
    t1 = time.perf_counter()
    res = sem(m, d, ordered=True, group="G", group_equal=["thresholds", "loadings"])
    pe = res.parameter_estimates(); fm = res.fit_measures()
    t.append(time.perf_counter() - t1)
tb = se2 = None
if B:
    from iur_survey.sem.wlsmv_bootstrap import with_wlsmv_bootstrap
    fit = res if grp else sem(m, d, ordered=True)
    t1 = time.perf_counter()
    rb = with_wlsmv_bootstrap(fit, B, data=d, seed=1, workers=2, progress=False)
    tb = time.perf_counter() - t1
    se2 = float(rb.parameter_estimates()["se"].iloc[1])
print(json.dumps({"fit": t, "chisq_scaled": float(fm["chisq.scaled"]), "boot": tb, "se2": se2}))
"""


def bench_groups(repeat: int, B: int, boot_model: str = "single") -> int:
    with tempfile.TemporaryDirectory() as tmp:
        rfile = Path(tmp) / "groups.R"
        rfile.write_text(R_GROUPS)
        pyfile = Path(tmp) / "groups.py"
        pyfile.write_text(PY_GROUPS)
        o_py, _ = run([sys.executable, str(pyfile), str(GROUPS_DATA), str(repeat), str(B), boot_model])
        o_r, _ = run(["Rscript", str(rfile), str(GROUPS_DATA), str(repeat), str(B), boot_model])
    a, b = min(o_py["fit"]), min(o_r["fit"])
    print(f"multi-group WLSMV (3 groups, pairwise, thresholds+loadings equal): chisq.scaled ours "
          f"{o_py['chisq_scaled']:.6f} lavaan {o_r['chisq_scaled']:.6f}")
    print(f"{'':34s}{'ours (s)':>10s}{'lavaan (s)':>12s}{'ours/lavaan':>13s}")
    print(f"{'fit, warm (best of ' + str(repeat) + ')':34s}{a:10.3f}{b:12.3f}{a / b:13.3f}")
    if B:
        print(f"{'bootstrap (' + boot_model + ') B=' + str(B) + ', 2 workers':34s}{o_py['boot']:10.3f}{o_r['boot']:12.3f}"
              f"{o_py['boot'] / o_r['boot']:13.3f}")
        print(f"  bootstrap SE of F1=~a2: ours {o_py['se2']:.4f} lavaan {o_r['se2']:.4f}")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(ROOT / "tests" / "reference" / "data" / "ordinal_600.csv"))
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--part", choices=["single", "groups", "boot"], default="single")
    ap.add_argument("--B", type=int, default=1000)
    ap.add_argument("--boot-model", choices=["single", "groups"], default="single")
    args = ap.parse_args()
    if shutil.which("Rscript") is None:
        print("Rscript not found: lavaan peer unavailable")
        return 1
    if args.part == "groups":
        return bench_groups(args.repeat, 0)
    if args.part == "boot":
        return bench_groups(1, args.B, args.boot_model)
    with tempfile.TemporaryDirectory() as tmp:
        rfile = Path(tmp) / "bench.R"
        rfile.write_text(R_SCRIPT)
        pyfile = Path(tmp) / "bench_child.py"
        pyfile.write_text(PY_CHILD)
        py_in, r_in, py_wall, r_wall = [], [], [], []
        for _ in range(args.repeat):         # interleaved, so machine load hits both alike
            o, w = run([sys.executable, str(pyfile), args.data, str(MODEL), "1"])
            py_in.append(o["inproc"][0])
            py_wall.append(w)
            py_stat = o["chisq_scaled"]
            o, w = run(["Rscript", str(rfile), args.data, str(MODEL), "1"])
            r_in.append(o["inproc"][0])
            r_wall.append(w)
            r_stat = o["chisq_scaled"]
        # warm in-process timings (several fits in one process)
        o, _ = run([sys.executable, str(pyfile), args.data, str(MODEL), str(args.repeat)])
        py_warm = min(o["inproc"])
        o, _ = run(["Rscript", str(rfile), args.data, str(MODEL), str(args.repeat)])
        r_warm = min(o["inproc"])
    print(f"WLSMV default model, {Path(args.data).name}: chisq.scaled ours {py_stat:.6f} lavaan {r_stat:.6f}")
    print(f"{'':28s}{'ours (s)':>10s}{'lavaan (s)':>12s}{'lavaan/ours':>13s}")
    rows = [("fit, warm (best)", py_warm, r_warm),
            ("fit, first in process", min(py_in), min(r_in)),
            ("whole process (best)", min(py_wall), min(r_wall))]
    for name, a, b in rows:
        print(f"{name:28s}{a:10.3f}{b:12.3f}{b / a:13.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
