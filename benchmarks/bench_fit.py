"""Benchmark: fitting the study's default SEM (28 items, 7 factors, N = 800) against semopy and lavaan.

Cases (a registry; each case names how every engine fits it, an engine may sit a case out):

* ``ML``        complete data, ML, expected-information SEs                  ours | semopy | lavaan
* ``MLR``       complete data, robust SEs + Yuan-Bentler test                ours |   -    | lavaan
* ``FIML``      3% MCAR cells, full-information ML (observed information)   ours |  (*)   | lavaan
* ``MLR+FIML``  3% MCAR cells, MLR                                           ours |   -    | lavaan

Times, best of ``--repeat`` runs:

* ``ours``: ``iur_survey.sem.sem(...)`` in this process (the whole fit: checks, estimates, SEs, every fit
  measure, standardized solution, R2);
* ``semopy``: ``semopy.Model(desc).fit(data)`` with its defaults (MLW objective, SLSQP; ``obj="FIML"`` for FIML),
  i.e. estimates only -- no fit measures;
* ``lavaan``: ``sem(model, data, ...)`` measured inside R (``proc.time``), and the whole ``Rscript`` process
  (start-up, library(lavaan), read the CSV, one fit, fitMeasures);
* ``ours (process)``: the whole ``iur-survey fit`` process, for the same comparison.

(*) semopy's FIML (``obj="FIML"``) did not finish within 25 minutes on this model; it runs only with
``--semopy-fiml``.

Ratios > 1 mean the peer is slower.  The data come from the project's simulator
(``iur_survey.simulate.simulate(n, seed, contamination=Contamination.none())``, reverse-scored).

Start-up (``--startup``): the whole ``iur-survey fit`` process for a small model (ML, N = 350, 28 items)
against a whole ``Rscript`` running lavaan's ``sem()`` on the same CSV, alternated, best of ``--repeat``;
target ratio <= 0.7.  ``--startup-fiml`` adds the same comparison on the data with 3% missing cells (FIML;
lavaan's ``missing = "ml"``), the common case of a real export.

Usage: ``python benchmarks/bench_fit.py [--n 800] [--seed 1] [--repeat 5] [--cases ML,FIML] [--no-r] [--no-semopy]
[--semopy-fiml] [--startup] [--startup-fiml]``
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
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from iur_survey.instrument import load_instrument  # noqa: E402
from iur_survey.scoring import reverse_score  # noqa: E402
from iur_survey.sem import sem  # noqa: E402
from iur_survey.study import default_model
from iur_survey.simulate import Contamination, simulate  # noqa: E402

#: name -> (our sem() kwargs, semopy fit kwargs or None, lavaan sem() arguments or None, incomplete data?)
CASES: dict[str, tuple[dict, dict | None, str | None, bool]] = {
    "ML": ({}, {}, "", False),
    "MLR": ({"estimator": "MLR"}, None, ', estimator = "MLR"', False),
    "FIML": ({"missing": "fiml"}, {"obj": "FIML"}, ', missing = "ml"', True),
    "MLR+FIML": ({"estimator": "MLR", "missing": "fiml"}, None, ', estimator = "MLR", missing = "ml"', True),
}

R_SCRIPT = r"""
suppressPackageStartupMessages(library(lavaan))
args <- commandArgs(TRUE)
d <- read.csv(args[1]); model <- paste(readLines(args[2]), collapse = "\n")
reps <- as.integer(args[3]); extra <- args[4]
fitit <- function() eval(parse(text = paste0("sem(model, data = d", extra, ")")))
f <- fitit()                                   # warm-up (and the result we report)
best <- Inf
for (r in seq_len(reps)) { t <- proc.time()[["elapsed"]]; f <- fitit(); best <- min(best, proc.time()[["elapsed"]] - t) }
fm <- fitMeasures(f, c("chisq", "df", "cfi", "rmsea"))
cat(jsonlite::toJSON(list(seconds = best, chisq = fm[["chisq"]], converged = lavInspect(f, "converged")),
                     auto_unbox = TRUE, digits = NA))
"""

R_ONCE = r"""
suppressPackageStartupMessages(library(lavaan))
args <- commandArgs(TRUE)
d <- read.csv(args[1]); model <- paste(readLines(args[2]), collapse = "\n")
f <- eval(parse(text = paste0("sem(model, data = d", args[3], ")")))
invisible(fitMeasures(f))
"""


def make_data(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    inst = load_instrument()
    sim = simulate(n, seed=seed, contamination=Contamination.none())
    frame = reverse_score(sim.frame, inst)
    items = list(inst.item_codes)
    complete = frame[["response_id", "role"] + items].dropna(subset=items).reset_index(drop=True)
    rng = np.random.default_rng(seed + 1000)
    miss = complete.copy()
    mask = rng.random((len(miss), len(items))) < 0.03
    vals = miss[items].to_numpy(float)
    vals[mask] = np.nan
    miss[items] = vals
    return complete, miss


def best_of(fn, repeat: int) -> tuple[float, object]:
    out, best = None, np.inf
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def time_ours(data: pd.DataFrame, kw: dict, repeat: int):
    model = default_model()
    sem(model, data, **kw)                                           # warm-up (imports, caches)
    return best_of(lambda: sem(model, data, **kw), repeat)


def time_semopy(data: pd.DataFrame, kw: dict, repeat: int):
    import semopy
    desc = "\n".join(line for line in default_model().splitlines() if ":=" not in line)
    items = [c for c in data.columns if c not in ("response_id", "role")]
    X = data[items]

    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m = semopy.Model(desc)
            return m.fit(X, **kw)
    run()
    return best_of(run, repeat)


def time_lavaan(csv: Path, model_file: Path, extra: str, repeat: int, tmp: Path) -> dict:
    script = tmp / "bench.R"
    script.write_text(R_SCRIPT)
    out = subprocess.run(["Rscript", str(script), str(csv), str(model_file), str(repeat), extra],
                         capture_output=True, text=True, check=True)
    res = json.loads(out.stdout.strip().splitlines()[-1])
    once = tmp / "once.R"
    once.write_text(R_ONCE)
    res["process"], _ = best_of(lambda: subprocess.run(["Rscript", str(once), str(csv), str(model_file), extra],
                                                       capture_output=True, check=True), max(1, repeat // 2))
    return res


def time_ours_process(csv: Path, kw: dict, repeat: int, tmp: Path) -> float:
    exe = shutil.which("iur-survey") or str(Path(sys.executable).with_name("iur-survey"))
    args = [exe, "fit", str(csv), "--out", str(tmp / "results.json")]
    if kw.get("estimator"):
        args += ["--estimator", kw["estimator"]]
    if kw.get("missing"):
        args += ["--missing", kw["missing"]]
    t, _ = best_of(lambda: subprocess.run(args, capture_output=True, check=True), max(1, repeat // 2))
    return t


#: the start-up target: a whole ``iur-survey fit`` process at most this fraction of a whole Rscript/lavaan one
STARTUP_TARGET = 0.7


def startup(n: int = 350, seed: int = 1, repeat: int = 5, fiml: bool = False) -> dict:
    """Whole-process start-up: ``iur-survey fit`` (ML, default model, ``n`` complete cases, 28 items)
    against ``Rscript`` running lavaan's ``sem()`` + ``fitMeasures()`` on the same CSV, alternating the
    two so both see the same machine load; best of ``repeat`` each.  ``fiml``: the same cases with 3% of
    the cells missing (FIML; lavaan's ``missing = "ml"``)."""
    complete, incomplete = make_data(n, seed)
    complete = (incomplete if fiml else complete).iloc[:n]
    exe = shutil.which("iur-survey") or str(Path(sys.executable).with_name("iur-survey"))
    with tempfile.TemporaryDirectory() as tmpd:
        tmp = Path(tmpd)
        csv, model_file, once = tmp / "data.csv", tmp / "model.lav", tmp / "once.R"
        complete.to_csv(csv, index=False)
        model_file.write_text(default_model())
        once.write_text(R_ONCE)
        ours_cmd = [exe, "fit", str(csv), "--out", str(tmp / "results.json")]
        r_cmd = ["Rscript", str(once), str(csv), str(model_file), ', missing = "ml"' if fiml else ""]
        # as installed by pip (which byte-compiles the package): let the warm-up run write __pycache__
        # even where PYTHONDONTWRITEBYTECODE is set, so the timed runs do not recompile every module
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        subprocess.run(ours_cmd, capture_output=True, check=True, env=env)  # warm the file cache once each
        subprocess.run(r_cmd, capture_output=True, check=True)
        ours, lav = np.inf, np.inf
        for _ in range(repeat):
            t = time.perf_counter()
            subprocess.run(ours_cmd, capture_output=True, check=True, env=env)
            ours = min(ours, time.perf_counter() - t)
            t = time.perf_counter()
            subprocess.run(r_cmd, capture_output=True, check=True)
            lav = min(lav, time.perf_counter() - t)
        t = time.perf_counter()
        subprocess.run([exe, "--help"], capture_output=True, check=True)
        helps = time.perf_counter() - t
    return {"n": len(complete), "ours": ours, "lavaan": lav, "ratio": ours / lav, "help": helps,
            "command": " ".join(["iur-survey", "fit", "data.csv", "--out", "results.json"])}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=800)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--no-r", action="store_true")
    ap.add_argument("--no-semopy", action="store_true")
    ap.add_argument("--semopy-fiml", action="store_true", help="also time semopy's FIML (very slow)")
    ap.add_argument("--startup", action="store_true",
                    help=f"only the start-up case: whole `iur-survey fit` process (ML, N = 350) against a whole "
                         f"Rscript/lavaan process, target ratio <= {STARTUP_TARGET}")
    ap.add_argument("--startup-fiml", action="store_true",
                    help="with --startup: also the start-up case with 3%% missing cells (FIML)")
    args = ap.parse_args(argv)
    if args.startup:
        if shutil.which("Rscript") is None:
            print("startup: Rscript not found; nothing to compare against")
            return 0
        for fiml in ([False, True] if args.startup_fiml else [False]):
            s = startup(350, args.seed, args.repeat, fiml=fiml)
            print(f"start-up, whole process, best of {args.repeat} (alternating): N = {s['n']}, "
                  f"{'FIML, 3% missing cells' if fiml else 'ML'}, 28 items")
            print(f"  iur-survey fit  {s['ours']:.3f} s")
            print(f"  Rscript lavaan  {s['lavaan']:.3f} s")
            print(f"  ratio ours / lavaan = {s['ratio']:.2f} (target <= {STARTUP_TARGET}: "
                  f"{'met' if s['ratio'] <= STARTUP_TARGET else 'NOT met'}); iur-survey --help {s['help']:.3f} s")
        return 0
    complete, incomplete = make_data(args.n, args.seed)
    have_r = shutil.which("Rscript") is not None and not args.no_r
    try:
        import semopy  # noqa: F401
        have_semopy = not args.no_semopy
    except ImportError:
        have_semopy = False
    print(f"data: N = {len(complete)}, 28 items (simulated, seed {args.seed}); incomplete copy: "
          f"{np.isnan(incomplete.iloc[:, 2:].to_numpy(float)).mean():.1%} MCAR cells; best of {args.repeat}", flush=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmpd:
        tmp = Path(tmpd)
        model_file = tmp / "model.lav"
        model_file.write_text(default_model())
        for name in [c.strip() for c in args.cases.split(",") if c.strip()]:
            ours_kw, semopy_kw, lav_extra, incomplete_data = CASES[name]
            data = incomplete if incomplete_data else complete
            csv = tmp / f"{name.replace('+', '_')}.csv"
            data.to_csv(csv, index=False)
            t_ours, res = time_ours(data, ours_kw, args.repeat)
            row = {"case": name, "ours": t_ours, "chisq": float(res.fit_measures()["chisq"])}
            if have_semopy and semopy_kw is not None and (not incomplete_data or args.semopy_fiml):
                try:
                    row["semopy"], _ = time_semopy(data, semopy_kw, max(1, min(args.repeat, 3)))
                except Exception as exc:                      # pragma: no cover - depends on semopy
                    print(f"  semopy failed on {name}: {exc}")
            if have_r and lav_extra is not None:
                lav = time_lavaan(csv, model_file, lav_extra, args.repeat, tmp)
                row.update({"lavaan": lav["seconds"], "lavaan_process": lav["process"],
                            "lavaan_chisq": lav["chisq"]})
                row["ours_process"] = time_ours_process(csv, ours_kw, args.repeat, tmp)
            rows.append(row)
            print(f"  {name}: done", flush=True)
    print()
    head = (f"{'case':<10}{'ours s':>9}{'semopy s':>10}{'x':>7}{'lavaan s':>10}{'x':>7}"
            f"{'ours proc':>11}{'lavaan proc':>13}{'x':>7}  chisq ours / lavaan")
    print(head)
    print("-" * len(head))
    for r in rows:
        def cell(key, w):
            return f"{r[key]:>{w}.3f}" if key in r else f"{'-':>{w}}"

        def ratio(key):
            return f"{r[key] / r['ours']:>7.1f}" if key in r else f"{'-':>7}"
        proc_ratio = (f"{r['lavaan_process'] / r['ours_process']:>7.1f}" if "ours_process" in r else f"{'-':>7}")
        chis = f"{r['chisq']:.4f}" + (f" / {r['lavaan_chisq']:.4f}" if "lavaan_chisq" in r else "")
        print(f"{r['case']:<10}{cell('ours', 9)}{cell('semopy', 10)}{ratio('semopy')}{cell('lavaan', 10)}"
              f"{ratio('lavaan')}{cell('ours_process', 11)}{cell('lavaan_process', 13)}{proc_ratio}  {chis}")
    print("\nx = peer time / our time (higher: we are faster).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
