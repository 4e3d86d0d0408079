"""Benchmark: read + clean + write 100,000 simulated responses from a CSV export.

Target (2 cores): under 5 s wall and under 1 GB peak RSS for read_export + clean +
CleanResult.write.  Every step runs in its own child process started by a small parent
(Linux keeps ``ru_maxrss`` across exec, so the parent must stay small): the peak RSS
(``resource.getrusage``, and ``VmHWM``) is that of the pipeline alone, not of the
simulation that made the file.  Peers measured in the same run:

* the floor: ``pandas.read_csv`` of the same file, alone, in its own child process;
* the same two rules (speeder + longstring) written the naive way, a pandas row-wise
  ``apply``, against the vectorised rules of :mod:`iur_survey.clean.rules`.

Then (unless ``--no-tables``) the screening's accuracy: :func:`iur_survey.clean.evaluate.evaluate`
over seeds, N = 300, 800 and 3,000 and every export format, for the package's simulator
(response-style strengths drawn per seed) and for the independent graded-response
generator of ``tests/clean/grm_generator.py``: recall by careless kind and the share of
honest respondents excluded by response style (the same tables as
``python -m iur_survey.clean.evaluate``).

Usage: ``python benchmarks/bench_clean.py [--n 100000] [--seed 1] [--format csv] [--no-tables] [--quick]``
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def child_pipeline(path: str, out: str) -> dict:
    from iur_survey.clean import clean
    from iur_survey.instrument import load_instrument
    from iur_survey.read import read_export

    inst = load_instrument()
    t0, c0 = time.perf_counter(), cpu_seconds()
    raw = read_export(path, inst)
    t1, c1 = time.perf_counter(), cpu_seconds()
    res = clean(raw, inst)
    t2, c2 = time.perf_counter(), cpu_seconds()
    res.write(out)
    t3, c3 = time.perf_counter(), cpu_seconds()
    return {"read": t1 - t0, "clean": t2 - t1, "write": t3 - t2, "total": t3 - t0,
            "cpu": {"read": c1 - c0, "clean": c2 - c1, "write": c3 - c2, "total": c3 - c0},
            "n_raw": res.report["n_raw"], "n_kept": res.report["n_kept"]}


def cpu_seconds() -> float:
    """CPU time of this process so far, all threads (user + system): less sensitive than wall time to a
    shared machine's load, but it counts work done side by side in two threads twice."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def child_read_csv(path: str) -> dict:
    import pandas as pd

    t0 = time.perf_counter()
    df = pd.read_csv(path)
    t1 = time.perf_counter()
    return {"total": t1 - t0, "rows": len(df)}


def run_child(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def naive_speeder_longstring(frame, items, fraction=0.3, seconds_per_item=2.0, n_questions=29, min_run=14):
    """The same two rules, row by row (what the vectorised versions replace)."""
    import numpy as np

    med = frame["_duration"].median()

    def one(row):
        d = row["_duration"]
        fast = d == d and (d < fraction * med or d < seconds_per_item * n_questions)
        best = cur = 0
        prev = None
        for v in row[items]:
            if v != v:
                cur, prev = 0, None
                continue
            cur = cur + 1 if v == prev else 1
            prev = v
            best = max(best, cur)
        return bool(fast), best >= min_run

    res = frame.apply(one, axis=1, result_type="expand")
    return np.asarray(res[0], dtype=bool), np.asarray(res[1], dtype=bool)


def child_make(path: str, n: str, seed: str, fmt: str) -> dict:
    from iur_survey.instrument import load_instrument
    from iur_survey.simulate import simulate
    from iur_survey.simulate.writers import write_export

    t = time.perf_counter()
    sim = simulate(int(n), seed=int(seed))
    write_export(sim.frame, load_instrument(), fmt, path)
    return {"total": time.perf_counter() - t, "rows": len(sim.frame)}


def child_peer(path: str, peer_rows: str) -> dict:
    import numpy as np

    from iur_survey.clean.rules import longstring, speeder
    from iur_survey.instrument import load_instrument
    from iur_survey.read import read_export

    inst = load_instrument()
    frame = read_export(path, inst).frame.iloc[:int(peer_rows)].copy()  # row-wise apply is slow: a slice
    t = time.perf_counter()
    fast_v = speeder(frame, inst).notna().to_numpy()
    long_v = longstring(frame, inst, near_spike=None).notna().to_numpy()  # the peer writes the runs only, not
    #                                                                   the near lines' spike (sample-wide)
    t_vec = time.perf_counter() - t
    t = time.perf_counter()
    fast_n, long_n = naive_speeder_longstring(frame, list(inst.item_codes))
    t_naive = time.perf_counter() - t
    if not (np.array_equal(fast_v, fast_n) and np.array_equal(long_v, long_n)):
        raise AssertionError("naive and vectorised rules disagree")
    return {"rows": len(frame), "vectorised": t_vec, "naive": t_naive}


def peak_mb() -> tuple[float, float | None]:
    """Peak RSS of this process: ``getrusage`` (kept across exec on Linux) and ``VmHWM``."""
    ru = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    try:
        with open("/proc/self/status") as fh:
            hwm = next(int(line.split()[1]) / 1024 for line in fh if line.startswith("VmHWM:"))
    except (OSError, StopIteration):  # pragma: no cover - not Linux
        hwm = None
    return ru, hwm


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000, help="honest respondents (contamination comes on top)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--format", default="csv", choices=("csv", "qualtrics", "wjx_csv"), help="simulator export layout: csv, qualtrics or wjx_csv")
    ap.add_argument("--peer-rows", type=int, default=10_000, help="rows for the row-wise apply peer")
    ap.add_argument("--no-tables", action="store_true", help="timing only, no accuracy tables")
    ap.add_argument("--quick", action="store_true", help="accuracy tables on N 300 and 800, one seed, two formats")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        kind, *rest = args.child
        result = {"make": child_make, "pipeline": child_pipeline, "read_csv": child_read_csv,
                  "peer": child_peer}[kind](*rest)
        result["maxrss_mb"], result["hwm_mb"] = peak_mb()
        print(json.dumps(result))
        return 0

    # this parent stays small (no pandas), so the children's peak RSS is their own
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / f"export_{args.format}.csv"
        made = run_child("make", str(path), str(args.n), str(args.seed), args.format)
        size_mb = path.stat().st_size / 1e6
        pipe = run_child("pipeline", str(path), str(Path(d) / "out"))
        floor = run_child("read_csv", str(path))
        peer = run_child("peer", str(path), str(args.peer_rows))

    cores = os.cpu_count()
    print(f"bench_clean: {args.n:,} honest respondents -> {pipe['n_raw']:,} rows, {args.format} export "
          f"{size_mb:.1f} MB (made in {made['total']:.1f} s; {cores} cores; "
          f"load average {os.getloadavg()[0]:.1f})")
    cpu = pipe["cpu"]
    print(f"  read_export          {pipe['read']:7.2f} s   (cpu {cpu['read']:.2f} s)")
    print(f"  clean                {pipe['clean']:7.2f} s   (cpu {cpu['clean']:.2f} s; {pipe['n_kept']:,} kept)")
    print(f"  write (3 files)      {pipe['write']:7.2f} s   (cpu {cpu['write']:.2f} s)")
    ok_t = "ok" if pipe["total"] < 5 else "OVER"
    ok_m = "ok" if pipe["maxrss_mb"] < 1024 else "OVER"
    print(f"  total wall           {pipe['total']:7.2f} s   target < 5 s: {ok_t}   (cpu {cpu['total']:.2f} s, "
          f"all threads)")
    print(f"  peak RSS             {pipe['maxrss_mb']:7.0f} MB  (VmHWM {pipe['hwm_mb']:.0f} MB) "
          f"target < 1024 MB: {ok_m}")
    print(f"  peer pandas.read_csv {floor['total']:7.2f} s   peak RSS {floor['maxrss_mb']:.0f} MB; "
          f"pipeline / read_csv = {pipe['total'] / floor['total']:.1f}x, "
          f"clean+write / read_csv = {(pipe['clean'] + pipe['write']) / floor['total']:.1f}x")
    print(f"  speeder+longstring   on {peer['rows']:,} rows: vectorised {peer['vectorised']:.3f} s vs "
          f"row-wise apply {peer['naive']:.2f} s: {peer['naive'] / peer['vectorised']:.0f}x faster (same flags)")
    if not args.no_tables:
        from iur_survey.clean.evaluate import main as evaluate_main

        print("\naccuracy of the screening (python -m iur_survey.clean.evaluate):", flush=True)
        evaluate_main(["--quick"] if args.quick else [])
    return 0


if __name__ == "__main__":
    sys.exit(main())
