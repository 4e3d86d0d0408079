"""Benchmark: the bootstrap on a tiny sample, where many draws do not converge -- whole process against lavaan
0.6.14 in the same run, and which draws fail on each side.

Data: the first ``--n`` (40) rows of ``tests/reference/data/missing_800.csv`` (the study's 28 items, some cells
missing, so FIML: lavaan ``missing = "ml"``) with ``tests/reference/models/default.lav`` (7 factors, 105 free
parameters, 10 ``:=`` effects), written to a temporary folder, never into the tree.  About half the draws of 40
rows do not converge on either side, and a draw that creeps along a ridge is what costs the time.

Printed (wall clock and CPU seconds of whole processes; the machine's other load is shared by both):

* ``ours``: ``python -m iur_survey fit DATA --model default.lav --bootstrap B --seed S --workers 1 --quiet``
  (start-up, imports, read, the fit, the B refits, the tables; ``--tree DIR`` runs another checkout, e.g. the
  main branch for a before/after pair);
* ``lavaan``: ``Rscript`` doing ``sem(model, d, missing = "ml", se = "bootstrap", bootstrap = B, iseed = S)``
  and ``parameterEstimates`` (its own random draws);
* ``ratio`` ours / lavaan (< 1: we are faster), for each of ``--repeat`` runs (ours and lavaan alternate);
* with ``--same-draws``: lavaan refitting *our* resamples one by one as ``lav_bootstrap_internal`` does (start
  at the full-sample estimates, one optimizer attempt, ``converged`` from nlminb and lavaan's gradient check),
  and the draws each side drops (both / ours only / lavaan only / neither), the largest estimate difference
  where both converge.

Usage: ``python benchmarks/bench_tiny_bootstrap.py [--B 20] [--n 40] [--seed 1] [--repeat 1] [--tree DIR]
[--same-draws] [--no-r]``
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "reference" / "data" / "missing_800.csv"
MODEL = ROOT / "tests" / "reference" / "models" / "default.lav"

R_BOOT = r"""
suppressPackageStartupMessages(library(lavaan))
a <- commandArgs(TRUE); d <- read.csv(a[1]); m <- paste(readLines(a[2]), collapse = "\n")
f <- suppressWarnings(sem(m, data = d, missing = "ml", se = "bootstrap", bootstrap = as.integer(a[3]),
                          iseed = as.integer(a[4])))
# lavInspect(f, "boot") is NULL when no draw converged and stops when one did (a vector, not a matrix)
BOOT <- tryCatch(lavInspect(f, "boot"), error = function(e) matrix(0, 1L, 1L))
if (!is.null(BOOT) && nrow(BOOT) > 1L) pe <- parameterEstimates(f)
cat(if (is.null(BOOT)) 0L else nrow(BOOT), "\n")
"""

#: lavaan 0.6.14's lav_bootstrap_internal (type "ordinary", FUN "coef") on given resamples (rows of a draws file,
#: 1-based): the script that makes tests/sem/boot_rescue_refs, run with DATA MODEL DRAWS OUT
R_SAME = ROOT / "tests" / "sem" / "boot_rescue_refs" / "make_refs.R"

PY_IDX = r"""
import sys, numpy as np, pandas as pd, warnings
warnings.simplefilter("ignore")
from iur_survey.sem import sem
from iur_survey.sem.compare import fitted_data
from iur_survey.sem.bootstrap import draw_indices
d = pd.read_csv(sys.argv[1]); res = sem(open(sys.argv[2]).read(), d)
n = fitted_data(res, d)[0].shape[0]
assert n == len(d), "every row is fitted"
np.savetxt(sys.argv[5], np.array([draw_indices(int(sys.argv[3]), b, [n])[0] + 1 for b in range(int(sys.argv[4]))]),
           fmt="%d", delimiter=",")
"""


def _timed(cmd: list[str], env: dict | None = None, cwd: Path | None = None) -> tuple[float, float, str]:
    """Wall and CPU seconds (user + system of the child) of a whole process, and its stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    out = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed ({out.returncode}): {out.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, out.stdout


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--B", type=int, default=20)
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--tree", default=str(ROOT), help="the checkout whose iur_survey runs (default: this one)")
    ap.add_argument("--same-draws", action="store_true", help="lavaan refits our resamples too")
    ap.add_argument("--no-r", action="store_true", help="skip lavaan")
    a = ap.parse_args(argv)
    r_ok = not a.no_r and shutil.which("Rscript") is not None
    env = dict(os.environ, PYTHONPATH=str(Path(a.tree).resolve()), OPENBLAS_NUM_THREADS="1")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        lines = DATA.read_text(encoding="utf-8").splitlines()
        csv = tmp / "tiny.csv"
        csv.write_text("\n".join(lines[:a.n + 1]) + "\n", encoding="utf-8")
        (tmp / "boot.R").write_text(R_BOOT, encoding="utf-8")
        print(f"tiny bootstrap benchmark: {a.n} rows of {DATA.name}, {MODEL.name}, FIML, B = {a.B}, seed {a.seed}, "
              f"tree {a.tree}")
        ratios = []
        for rep in range(a.repeat):
            w, c, _ = _timed([sys.executable, "-m", "iur_survey", "fit", str(csv), "--model", str(MODEL),
                              "--bootstrap", str(a.B), "--seed", str(a.seed), "--workers", "1", "--quiet",
                              "--out", str(tmp / "ours.json")], env=env, cwd=tmp)
            boot = json.loads((tmp / "ours.json").read_text())["bootstrap"]
            line = (f"  run {rep + 1}: ours {w:7.1f} s wall {c:7.1f} s CPU ({boot['successful']} of {a.B} draws kept, "
                    f"{boot['failed']} failed, {boot['nonconverged']} not converged)")
            if r_ok:
                lw, lc, lout = _timed(["Rscript", str(tmp / "boot.R"), str(csv), str(MODEL), str(a.B), str(a.seed)])
                kept = int(lout.split()[0])
                line += f" | lavaan {lw:7.1f} s wall {lc:7.1f} s CPU ({kept} kept) | ratio wall {w / lw:.2f} CPU {c / lc:.2f}"
                ratios.append((w / lw, c / lc))
            print(line, flush=True)
        if ratios:
            print(f"ratio ours / lavaan (whole process): wall {min(r[0] for r in ratios):.2f}-"
                  f"{max(r[0] for r in ratios):.2f}, CPU {min(r[1] for r in ratios):.2f}-{max(r[1] for r in ratios):.2f}")
        if a.same_draws and r_ok:
            idx = tmp / "idx.csv"
            subprocess.run([sys.executable, "-c", PY_IDX, str(csv), str(MODEL), str(a.seed), str(a.B), str(idx)],
                           env=env, cwd=tmp, check=True, capture_output=True)
            lw, lc, _ = _timed(["Rscript", str(R_SAME), str(csv), str(MODEL), str(idx), str(tmp / "lav.json")])
            lav = json.loads((tmp / "lav.json").read_text())["refits"]
            ours = _our_draws(csv, a, env, tmp)
            _compare(ours, lav, lc)
    return 0


def _our_draws(csv: Path, a, env: dict, tmp: Path) -> list[dict]:
    code = (
        "import sys, json, warnings, pandas as pd\nwarnings.simplefilter('ignore')\n"
        "from iur_survey.sem import sem\nfrom iur_survey.sem.bootstrap import bootstrap\n"
        "d = pd.read_csv(sys.argv[1]); res = sem(open(sys.argv[2]).read(), d)\n"
        "bt = bootstrap(res, int(sys.argv[4]), data=d, seed=int(sys.argv[3]), workers=1, progress=False)\n"
        "print(json.dumps([{'ok': int(s) == 0, 'it': int(i), 'x': [float(v) for v in e[:bt.n_free]]}\n"
        "                  for s, i, e in zip(bt.status, bt.iterations, bt.estimates)]))\n")
    out = subprocess.run([sys.executable, "-c", code, str(csv), str(MODEL), str(a.seed), str(a.B)], env=env, cwd=tmp,
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def _compare(ours: list[dict], lav: list[dict], lav_cpu: float) -> None:
    import numpy as np

    both = [k for k, (o, l) in enumerate(zip(ours, lav)) if o["ok"] and l["converged"]]
    only_o = [k for k, (o, l) in enumerate(zip(ours, lav)) if o["ok"] and not l["converged"]]
    only_l = [k for k, (o, l) in enumerate(zip(ours, lav)) if not o["ok"] and l["converged"]]
    neither = len(ours) - len(both) - len(only_o) - len(only_l)
    dx = max((float(np.max(np.abs(np.array(ours[k]["x"]) - np.array(lav[k]["x"])))) for k in both), default=0.0)
    print(f"same draws, lavaan refitting our resamples ({lav_cpu:.1f} s CPU): converged both {len(both)}, ours only "
          f"{len(only_o)} {only_o}, lavaan only {len(only_l)} {only_l}, neither {neither}; where both: max |est "
          f"ours - lavaan| {dx:.2g}")
    print("  (draw numbers from 0; lavaan's iterations per draw: "
          + ", ".join(f"{k}:{l['iterations']}{'' if l['converged'] else 'x'}" for k, l in enumerate(lav)) + ")")


if __name__ == "__main__":
    raise SystemExit(main())
