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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(ROOT / "tests" / "reference" / "data" / "ordinal_600.csv"))
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    if shutil.which("Rscript") is None:
        print("Rscript not found: lavaan peer unavailable")
        return 1
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
