"""Benchmark: PLS-SEM of the study's default model (28 items, 7 composites) against the seminr Python port.

Times (best of ``--repeat`` runs, in this process):

* ``fit``: ``iur_survey.pls.pls_sem(data, model=...)`` (checks, algorithm, every estimate) vs
  ``seminr.estimate_pls`` (seminr==0.2.1, path weighting, the same stop rule);
* ``bootstrap``: ``PLSResult.bootstrap(B, seed=1)`` (all resamples refitted in one batched run) vs
  ``seminr.bootstrap_model(model, B', indices=...)`` on the first B' of the same resamples (sequential, one
  core; its time is scaled to B);
* ``plspredict``: ``PLSResult.predict(k=10, repeats=1)`` vs ``seminr.predict_pls(..., no_folds=10)``.

The data: tests/reference/data/complete_800.csv (N = 800) or ``--n`` rows drawn from it with replacement.
Ratios > 1 mean the peer is slower.  seminr is GPL-3 and only a test/benchmark peer; without it only our
times are printed.

Usage: ``python benchmarks/bench_pls.py [--n 800] [--boot 5000] [--peer-boot 200] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from iur_survey.pls import pls_model, pls_sem  # noqa: E402
from iur_survey.study import default_model  # noqa: E402
from iur_survey.pls.bootstrap import resample_indices  # noqa: E402


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=800)
    ap.add_argument("--boot", type=int, default=5000)
    ap.add_argument("--peer-boot", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)

    data = pd.read_csv(ROOT / "tests" / "reference" / "data" / "complete_800.csv")
    if args.n != len(data):
        data = data.iloc[np.random.default_rng(1).integers(0, len(data), args.n)].reset_index(drop=True)
    model = pls_model(default_model())
    res = pls_sem(data, model=model)
    rows = []
    t_fit = best(lambda: pls_sem(data, model=model), args.repeat)
    t_boot = best(lambda: res.bootstrap(args.boot, seed=1, progress=False), max(1, args.repeat - 1))
    t_pred = best(lambda: res.predict(k=10, repeats=1, seed=1), args.repeat)
    try:
        import importlib.util
        if importlib.util.find_spec("seminr") is None:
            raise ImportError("seminr")
        sys.path.insert(0, str(ROOT / "tests" / "pls"))
        import _seminr_py as sp
        from seminr import bootstrap_model, predict_pls
        theirs = sp.fit(data, model)
        s_fit = best(lambda: sp.fit(data, model), args.repeat)
        idx = np.vstack(list(resample_indices(len(data), args.peer_boot, seed=1)))
        s_boot = best(lambda: bootstrap_model(theirs, args.peer_boot, indices=idx), 1) * args.boot / args.peer_boot
        s_pred = best(lambda: predict_pls(theirs, no_folds=10, seed=1), 1)
    except ImportError:
        s_fit = s_boot = s_pred = float("nan")
    rows.append(("fit", t_fit, s_fit))
    rows.append((f"bootstrap B={args.boot}", t_boot, s_boot))
    rows.append(("plspredict k=10", t_pred, s_pred))
    print(f"PLS-SEM, default model: N = {len(data)}, {len(model.items)} items, {len(model.constructs)} composites")
    print(f"{'case':<22}{'ours (s)':>12}{'seminr-py (s)':>16}{'ratio':>10}")
    for name, ours, peer in rows:
        print(f"{name:<22}{ours:>12.4f}{peer:>16.4f}{peer / ours:>10.1f}")
    print(f"(seminr-py bootstrap timed on {args.peer_boot} resamples and scaled to {args.boot})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
