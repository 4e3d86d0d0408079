"""Benchmark: Monte Carlo power fits per second by number of Dask workers, against a serial loop.

Runs :func:`iur_survey.power.power_analysis` on the study's population and default model
(28 Likert items, 7 factors, ML) with the same seed:

* ``serial``: a plain loop in this process, no Dask (``scheduler="serial"``) -- the peer;
* ``dask x1`` / ``dask x2`` ...: a ``distributed.LocalCluster`` with that many worker processes
  (one thread each, BLAS 1 thread).

``fits/s`` counts replications fitted per second of the fitting phase (the cluster already up and its
workers warmed up); ``cpu/wall`` the CPU seconds the fitting processes got per second (how many cores
they really had: on a busy machine less than the worker count), ``fits/cpu-s`` fits per CPU second
(Dask's per-fit overhead shows there, whatever the load); ``start`` is the cluster start-up,
``wall`` the whole run including start-up and shut-down.  Ratios > 1 mean faster than the reference.  Every run must give the same table
(checked: results do not depend on the number of workers).

Usage: ``python benchmarks/bench_power.py [--n 300] [--reps 120] [--workers 1,2] [--repeat 1] [--continuous]``
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from iur_survey.power import power_analysis  # noqa: E402
from iur_survey.power.cluster import dask_client  # noqa: E402
from iur_survey.sem.parallel import available_cores  # noqa: E402


def _cpu() -> float:
    return time.process_time()


def one(label: str, reference: pd.DataFrame | None, workers: int | None, **kw) -> tuple[dict, pd.DataFrame]:
    """One run; ``workers=None`` is the serial loop.  CPU seconds are summed over the processes that fit."""
    t0 = time.perf_counter()
    if workers is None:
        c0 = _cpu()
        res = power_analysis(progress=False, scheduler="serial", **kw)
        cpu = _cpu() - c0
        start = 0.0
    else:
        with dask_client(workers=workers) as client:
            start = time.perf_counter() - t0
            c0 = sum(client.run(_cpu).values())
            res = power_analysis(progress=False, scheduler=client, **kw)
            cpu = sum(client.run(_cpu).values()) - c0
    wall = time.perf_counter() - t0
    if reference is not None:
        pd.testing.assert_frame_equal(reference, res.table, check_exact=True)
    t = res.timing
    return ({"run": label, "workers": workers or 1, "tasks": res.settings["tasks"],
             "fits": len(res.reps.drop_duplicates(["n", "rep"])), "fits/s": t["fits_per_second"],
             "cpu/wall": cpu / t["fits"], "fits/cpu-s": len(res.reps.drop_duplicates(["n", "rep"])) / cpu,
             "start (s)": start, "fitting (s)": t["fits"], "wall (s)": wall},
            res.table)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=300, help="sample size of every replication (default 300)")
    ap.add_argument("--reps", type=int, default=120, help="replications (default 120)")
    ap.add_argument("--workers", default="1,2", help="worker counts to run (default 1,2)")
    ap.add_argument("--repeat", type=int, default=2, help="rounds over the configurations; the best run of each "
                                                         "is kept (default 2)")
    ap.add_argument("--continuous", action="store_true", help="continuous y* instead of Likert codes")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    workers = [int(x) for x in args.workers.split(",") if x]
    kw = dict(n=[args.n], reps=args.reps, seed=args.seed, likert=not args.continuous)

    print(f"bench_power: default model, {'continuous' if args.continuous else 'Likert'} data, n={args.n}, "
          f"{args.reps} replications; {available_cores()} cores available, load average "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    ref = None
    configs = [("serial (no Dask)", None)] + [(f"dask LocalCluster x{w}", w) for w in workers]
    best: dict[str, dict] = {}
    # round robin (serial, x1, x2, serial, ...): a change in the machine's load hits every configuration
    for r in range(max(1, args.repeat)):
        for label, w in configs:
            row, table = one(label, ref, w, **kw)
            ref = table if ref is None else ref
            if label not in best or row["fits/s"] > best[label]["fits/s"]:
                best[label] = row
            print(f"  [{r + 1}] {label:<24} {row['fits/s']:7.2f} fits/s  cpu/wall {row['cpu/wall']:.2f}  "
                  f"(start {row['start (s)']:.1f}s, fitting {row['fitting (s)']:.1f}s)", flush=True)
    rows = [best[label] for label, _ in configs]
    df = pd.DataFrame(rows).set_index("run")
    serial = df["fits/s"].iloc[0]
    one_w = df["fits/s"].get("dask LocalCluster x1", float("nan"))
    df["vs serial"] = df["fits/s"] / serial
    df["vs 1 worker"] = df["fits/s"] / one_w
    print()
    with pd.option_context("display.width", 140, "display.float_format", "{:.2f}".format):
        print(df[["workers", "tasks", "fits", "fits/s", "vs 1 worker", "vs serial", "cpu/wall", "fits/cpu-s",
                  "start (s)", "fitting (s)", "wall (s)"]].to_string())
    print("\ncpu/wall: CPU seconds of the fitting processes per second of fitting (2.0 = two cores busy); "
          "below the worker count the machine had no idle core for them; fits/cpu-s: fits per CPU second "
          "(the per-fit cost, independent of how busy the machine is)")
    print("\nall runs gave identical tables (seeded per (n, rep), independent of the workers)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
