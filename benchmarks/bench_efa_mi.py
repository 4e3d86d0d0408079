"""Modification indices and exploratory factor analysis against lavaan and psych in the same run.

    python benchmarks/bench_efa_mi.py

* modindices: the study's seven-factor model on tests/reference/data/complete_800.csv (ML, N = 800),
  and the three-factor Holzinger-Swineford CFA with FIML on tests/sem/mi_refs/data_hsmiss.csv; the fit
  is done first on both sides, only ``modindices()`` is timed;
* EFA: HS (9 items, 3 factors) and bfi (25 items, 5 factors; tests/measure/efa_refs/data_bfi.csv):
  geomin ML (ours vs lavaan ``efa()``, whole analysis: fit + 30 random starts) and oblimin ML (ours
  vs ``psych::fa``).
Times are in-process (imports and R start-up excluded); each is the best of 3 runs (EFA geomin: 1 run).
The script also prints the largest difference of the results, as a sanity check.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "tests" / "reference" / "data" / "complete_800.csv"
HSM = ROOT / "tests" / "sem" / "mi_refs" / "data_hsmiss.csv"
HS = ROOT / "tests" / "measure" / "efa_refs" / "data_hs.csv"
BFI = ROOT / "tests" / "measure" / "efa_refs" / "data_bfi.csv"
HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"

R_SCRIPT = r"""
suppressMessages({{library(lavaan); library(psych); library(GPArotation); library(jsonlite)}})
best <- function(f, k = 3) {{ t <- Inf; for (i in seq_len(k)) t <- min(t, system.time(r <- f())["elapsed"]);
                              attr(t, "value") <- r; t }}
demo <- read.csv("{demo}"); hsm <- read.csv("{hsm}"); hs <- read.csv("{hs}"); bfi <- read.csv("{bfi}")
m_demo <- paste(readLines("{demo_model}"), collapse = "\n")
f1 <- sem(m_demo, demo); f2 <- cfa("{hs_model}", hsm, missing = "ml")
out <- list()
t <- best(function() modindices(f1, sort. = TRUE)); out$mi_demo <- c(t); out$mi_demo_top <- attr(t, "value")$mi[1]
t <- best(function() modindices(f2, sort. = TRUE)); out$mi_hsm <- c(t); out$mi_hsm_top <- attr(t, "value")$mi[1]
out$efa_hs_lavaan <- c(best(function() efa(hs, nfactors = 3, output = "lavaan"), 1))
out$efa_bfi_lavaan <- c(best(function() efa(bfi, nfactors = 5, output = "lavaan"), 1))
out$efa_hs_psych <- c(best(function() fa(hs, 3, rotate = "oblimin", fm = "ml")))
out$efa_bfi_psych <- c(best(function() fa(bfi, 5, rotate = "oblimin", fm = "ml")))
cat(toJSON(out, auto_unbox = TRUE, digits = NA))
"""


def _best(fn, k=3):
    t = []
    for _ in range(k):
        t0 = time.perf_counter()
        out = fn()
        t.append(time.perf_counter() - t0)
    return min(t), out


def main() -> int:
    from iur_survey.measure.efa import efa
    from iur_survey.sem import sem
    from iur_survey.study import default_model
    from iur_survey.sem.modindices import modindices

    demo, hsm = pd.read_csv(DEMO), pd.read_csv(HSM)
    hs, bfi = pd.read_csv(HS), pd.read_csv(BFI)
    f1 = sem(default_model(), demo)
    f2 = sem(HS_MODEL, hsm, missing="fiml")
    ours = {}
    ours["mi_demo"], mi1 = _best(lambda: modindices(f1))
    ours["mi_hsm"], mi2 = _best(lambda: modindices(f2, hsm))
    ours["efa_hs_lavaan"], _ = _best(lambda: efa(hs, 3), 1)
    ours["efa_bfi_lavaan"], _ = _best(lambda: efa(bfi, 5), 1)
    ours["efa_hs_psych"], _ = _best(lambda: efa(hs, 3, rotation="oblimin"))
    ours["efa_bfi_psych"], _ = _best(lambda: efa(bfi, 5, rotation="oblimin"))
    if not shutil.which("Rscript"):
        for k, v in ours.items():
            print(f"  {k:16s} ours {v:8.3f} s   (R not installed: no ratio)")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        model_file = Path(tmp) / "demo.lav"
        model_file.write_text(default_model() + "\n")
        script = Path(tmp) / "bench.R"
        script.write_text(R_SCRIPT.format(demo=DEMO, hsm=HSM, hs=HS, bfi=BFI, demo_model=model_file,
                                          hs_model=HS_MODEL.replace("\n", "\\n")))
        r = subprocess.run(["Rscript", str(script)], capture_output=True, text=True)
        if r.returncode:
            print(r.stderr, file=sys.stderr)
            return 1
    theirs = json.loads(r.stdout.strip().splitlines()[-1])
    peer = {"mi_demo": "lavaan modindices", "mi_hsm": "lavaan modindices", "efa_hs_lavaan": "lavaan efa",
            "efa_bfi_lavaan": "lavaan efa", "efa_hs_psych": "psych fa", "efa_bfi_psych": "psych fa"}
    what = {"mi_demo": "modindices, 7-factor SEM, N=800, ML", "mi_hsm": "modindices, HS CFA, FIML",
            "efa_hs_lavaan": "EFA geomin ML, HS 9 items k=3", "efa_bfi_lavaan": "EFA geomin ML, bfi 25 items k=5",
            "efa_hs_psych": "EFA oblimin ML, HS 9 items k=3", "efa_bfi_psych": "EFA oblimin ML, bfi 25 items k=5"}
    print("bench_efa_mi: ours vs R in the same run (in-process seconds; ratio = ours / R)")
    for k in ours:
        print(f"  {what[k]:36s} ours {ours[k]:8.3f} s   {peer[k]:18s} {theirs[k]:8.3f} s   "
              f"ratio {ours[k] / max(theirs[k], 1e-9):6.2f}")
    print(f"  check: largest mi ours {mi1['mi'].iloc[0]:.4f} / lavaan {theirs['mi_demo_top']:.4f}; "
          f"FIML {mi2['mi'].iloc[0]:.4f} / {theirs['mi_hsm_top']:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
