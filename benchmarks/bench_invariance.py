"""Measurement invariance (configural -> metric -> scalar -> strict + chi-square difference tests)
against lavaan in the same run.

    python benchmarks/bench_invariance.py

Data: tests/reference/data/groups_1200.csv (4 roles), model: the seven-factor CFA
(tests/reference/models/cfa.lav), ML.  Times the four fits and the LRT in each program
(import / R start-up excluded from the ratio, printed separately) and checks that the
four chi-squares agree.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "reference" / "data" / "groups_1200.csv"
MODEL = ROOT / "tests" / "reference" / "models" / "cfa.lav"

R_SCRIPT = r"""
suppressMessages(library(lavaan))
d <- read.csv("{data}")
m <- paste(readLines("{model}"), collapse = "\n")
t <- system.time({{
  f1 <- cfa(m, d, group = "role")
  f2 <- cfa(m, d, group = "role", group.equal = "loadings")
  f3 <- cfa(m, d, group = "role", group.equal = c("loadings", "intercepts"))
  f4 <- cfa(m, d, group = "role", group.equal = c("loadings", "intercepts", "residuals"))
  x <- lavTestLRT(f1, f2, f3, f4)
}})["elapsed"]
cat(sprintf("%.6f\n", t))
cat(sprintf("%.6f\n", sapply(list(f1, f2, f3, f4), fitMeasures, "chisq")))
"""


def main() -> int:
    t0 = time.perf_counter()
    from iur_survey.sem.invariance import measurement_invariance
    data, model = pd.read_csv(DATA), MODEL.read_text(encoding="utf-8")
    t1 = time.perf_counter()
    inv = measurement_invariance(model, data, "role", estimator="ML", missing="listwise", warn=False)
    ours = time.perf_counter() - t1
    print(f"bench_invariance: groups_1200 (N={len(data)}, 4 groups), seven-factor CFA, ML, 4 steps + LRT")
    print(f"  ours    {ours:8.3f} s   (imports {t1 - t0:.2f} s)")
    if not shutil.which("Rscript"):
        print("  lavaan  not measured: Rscript is not installed (make refs installs it)")
        return 0
    with tempfile.NamedTemporaryFile("w", suffix=".R", delete=False) as fh:
        fh.write(R_SCRIPT.format(data=DATA, model=MODEL))
    t2 = time.perf_counter()
    out = subprocess.run(["Rscript", fh.name], capture_output=True, text=True, check=True).stdout.split()
    whole = time.perf_counter() - t2
    lav, lav_chisq = float(out[0]), [float(x) for x in out[1:5]]
    print(f"  lavaan  {lav:8.3f} s   (whole Rscript process {whole:.2f} s)")
    print(f"  ratio ours / lavaan = {ours / lav:.3f}")
    diffs = [abs(a - b) / b for a, b in zip(inv.table["chisq"], lav_chisq)]
    print(f"  chisq per step, max relative difference from lavaan: {max(diffs):.1e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
