"""Benchmark: the FIML likelihood pieces (iur_survey/sem/fiml.py) against lavaan 0.6.14's own functions.

Per data set (N x p, missing cells):

* pattern statistics: ``SampleStats(X)`` vs ``lav_data_missing_patterns`` + ``lav_samplestats_missing_patterns``;
* one objective + gradient evaluation (what an optimiser iteration needs): ``fiml_gradient(..., return_loglik=True)``
  vs ``lav_mvnorm_missing_loglik_samplestats`` + ``lav_mvnorm_missing_dlogl_dmu_samplestats`` +
  ``lav_mvnorm_missing_dlogl_dvechSigma_samplestats`` (the functions behind lavaan's FIML objective/gradient);
* the saturated H1 model by EM (lavaan's defaults): ``em_saturated`` vs
  ``lav_mvnorm_missing_h1_estimate_moments``;
* the analytic Hessian on m: ``fiml_hessian_m`` vs ``lav_mvnorm_missing_logl_hessian_samplestats``.

Both sides are evaluated at the same Sigma/mu (the EM estimates) and their log-likelihoods are printed side by
side.  Best of ``--repeat`` runs; ours with one BLAS thread (as the engine runs).

Data: tests/reference/data/missing_800.csv (the project's 28 items, N = 800, 2.9% missing cells) and a
simulated N = 800, p = 28 data set with 3% MCAR cells (``--seed``).

Usage: ``python benchmarks/bench_fiml.py [--repeat 5] [--seed 1]``
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

from iur_survey.sem.fiml import (  # noqa: E402
    SampleStats,
    em_saturated,
    fiml_gradient,
    fiml_hessian_m,
)

R_SCRIPT = r"""
suppressPackageStartupMessages(library(lavaan))
args <- commandArgs(TRUE)
Y <- as.matrix(read.csv(args[1]))
reps <- as.integer(args[2]); nev <- as.integer(args[3])
best <- function(f, n = 1L) { b <- Inf; for (r in seq_len(reps)) { t <- proc.time()[["elapsed"]];
  for (i in seq_len(n)) f(); b <- min(b, (proc.time()[["elapsed"]] - t) / n) }; b }
t_stats <- best(function() { Mp <- lavaan:::lav_data_missing_patterns(Y)
                             lavaan:::lav_samplestats_missing_patterns(Y = Y, Mp = Mp) })
Mp <- lavaan:::lav_data_missing_patterns(Y)
Yp <- lavaan:::lav_samplestats_missing_patterns(Y = Y, Mp = Mp)
t_em <- best(function() lavaan:::lav_mvnorm_missing_h1_estimate_moments(Y = Y, Mp = Mp, Yp = Yp))
h1 <- lavaan:::lav_mvnorm_missing_h1_estimate_moments(Y = Y, Mp = Mp, Yp = Yp)
S <- h1$Sigma; M <- h1$Mu
f_eval <- function() { ll <- lavaan:::lav_mvnorm_missing_loglik_samplestats(Yp = Yp, Mu = M, Sigma = S)
  g1 <- lavaan:::lav_mvnorm_missing_dlogl_dmu_samplestats(Yp = Yp, Mu = M, Sigma = S)
  g2 <- lavaan:::lav_mvnorm_missing_dlogl_dvechSigma_samplestats(Yp = Yp, Mu = M, Sigma = S) }
t_eval <- best(f_eval, nev)
t_hess <- best(function() lavaan:::lav_mvnorm_missing_logl_hessian_samplestats(Yp = Yp, Mu = M, Sigma = S))
ll <- lavaan:::lav_mvnorm_missing_loglik_samplestats(Yp = Yp, Mu = M, Sigma = S)
cat(sprintf('{"stats": %.6g, "em": %.6g, "eval": %.6g, "hessian": %.6g, "logl": %.12g, "npatterns": %d}\n',
            t_stats, t_em, t_eval, t_hess, ll, length(Yp)))
"""


def _best(f, repeat: int, n: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        for _ in range(n):
            f()
        best = min(best, (time.perf_counter() - t) / n)
    return best


def _simulated(n: int, p: int, miss: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    k = 7
    L = np.zeros((p, k))
    for j in range(p):
        L[j, j * k // p] = rng.uniform(0.6, 0.85)
    Phi = np.full((k, k), 0.35) + 0.65 * np.eye(k)
    Sigma = L @ Phi @ L.T
    Sigma += np.diag(1 - np.diag(Sigma))
    X = rng.multivariate_normal(np.full(p, 3.0), Sigma, size=n)
    X[rng.random(X.shape) < miss] = np.nan
    X[np.isnan(X).all(axis=1), 0] = 3.0
    return X


def bench_one(name: str, X: np.ndarray, repeat: int, n_eval: int, rscript: str | None) -> dict:
    try:
        from threadpoolctl import threadpool_limits
        ctx = threadpool_limits(1, "blas")
    except ImportError:  # pragma: no cover
        from contextlib import nullcontext
        ctx = nullcontext()
    with ctx:
        t_stats = _best(lambda: SampleStats(X), repeat)
        st = SampleStats(X)
        t_em = _best(lambda: em_saturated(st), repeat)
        S, m, ll_em, it = em_saturated(st)
        t_eval = _best(lambda: fiml_gradient(st, S, m, return_loglik=True), repeat, n_eval)
        t_hess = _best(lambda: fiml_hessian_m(st, S, m), repeat)
        ll = fiml_gradient(st, S, m, return_loglik=True)[0]
    ours = {"stats": t_stats, "em": t_em, "eval": t_eval, "hessian": t_hess, "logl": ll,
            "npatterns": len(st.patterns), "em_iterations": it}
    lav = None
    if rscript:
        with tempfile.TemporaryDirectory() as tmp:
            csv = Path(tmp) / "y.csv"
            pd.DataFrame(X).to_csv(csv, index=False, na_rep="NA")
            rfile = Path(tmp) / "bench.R"
            rfile.write_text(R_SCRIPT)
            out = subprocess.run([rscript, str(rfile), str(csv), str(repeat), str(max(1, n_eval // 10))],
                                 capture_output=True, text=True, check=True)
            lav = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"\n{name}: N = {st.n}, p = {st.p}, {np.isnan(X).mean():.1%} missing cells, "
          f"{len(st.patterns)} patterns, EM iterations {it}")
    print(f"  {'piece':<34}{'ours':>12}{'lavaan':>12}{'ratio':>9}")
    rows = [("pattern statistics", "stats"), ("EM (H1, lavaan defaults)", "em"),
            ("logl + gradient (one evaluation)", "eval"), ("Hessian on m (analytic)", "hessian")]
    for label, key in rows:
        o = ours[key]
        if lav is not None:
            lv = lav[key]
            print(f"  {label:<34}{o * 1e3:>10.2f}ms{lv * 1e3:>10.2f}ms{o / lv:>9.3f}")
        else:
            print(f"  {label:<34}{o * 1e3:>10.2f}ms{'-':>12}")
    print(f"  evaluations per second (ours): {1 / ours['eval']:.0f}"
          + (f"   (lavaan: {1 / lav['eval']:.0f})" if lav else ""))
    if lav is not None:
        print(f"  logl at the EM estimates: ours {ll:.10f}  lavaan {lav['logl']:.10f}  "
              f"rel.diff {abs(ll - lav['logl']) / abs(lav['logl']):.1e}")
    return {"ours": ours, "lavaan": lav}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--evals", type=int, default=100, help="evaluations per timing of ours (lavaan: /10)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-r", action="store_true", help="skip lavaan")
    args = ap.parse_args(argv)
    rscript = None if args.no_r else shutil.which("Rscript")
    items = [f"{c}{k}" for c in ("GOV", "MKT", "BEN", "VAL", "TAL", "COL", "INT") for k in range(1, 5)]
    X1 = pd.read_csv(ROOT / "tests" / "reference" / "data" / "missing_800.csv")[items].to_numpy(float)
    bench_one("tests/reference/data/missing_800.csv", X1, args.repeat, args.evals, rscript)
    X2 = _simulated(800, 28, 0.03, args.seed)
    bench_one(f"simulated 7-factor data, 3% MCAR (seed {args.seed})", X2, args.repeat, args.evals, rscript)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
