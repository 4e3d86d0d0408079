"""Benchmark: reading 100,000-respondent exports, per format, against the bare parser.

Writes one simulated sample (100,000 honest respondents plus contamination) in every
export format, then times :func:`iur_survey.read.read_export` (detection, decoding,
column matching, recoding, the standard frame) against the bare parse a user would
otherwise do (``pandas.read_csv(dtype=str)``, ``pyreadstat.read_sav``,
``openpyxl``'s read-only mode for workbooks, on the same 100,000-row file, run once as it
is slow).  Workbooks are read with python-calamine; the target is 100,000 rows in about 3 s.
Prints wall and CPU seconds (best of ``--repeat``) and the ratio to the peer.

    python benchmarks/bench_read.py [--n 100000] [--repeat 3] [--formats qualtrics,wjx_csv,...]
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from pathlib import Path

import pandas as pd

from iur_survey.instrument import load_instrument
from iur_survey.read import read_export
from iur_survey.simulate import simulate
from iur_survey.simulate.writers import write_export

EXT = {"qualtrics": ".csv", "wjx_csv": ".csv", "wjx_xlsx": ".xlsx", "spss": ".sav", "csv": ".csv", "xlsx": ".xlsx"}


def best(fn, repeat):
    walls, cpus = [], []
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return min(walls), min(cpus)


def peer(fmt, path, header_rows):
    if fmt in ("qualtrics", "wjx_csv", "csv"):
        data = path.read_bytes()
        enc = "gb18030" if fmt == "wjx_csv" else "utf-8-sig"
        return lambda: pd.read_csv(io.BytesIO(data), header=None, skiprows=header_rows, dtype=str,
                                   keep_default_na=False, encoding=enc)
    if fmt == "spss":
        import pyreadstat
        return lambda: pyreadstat.read_sav(str(path))
    import openpyxl
    return lambda: list(openpyxl.load_workbook(path, read_only=True).active.iter_rows(values_only=True))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--formats", default="qualtrics,wjx_csv,csv,spss,wjx_xlsx,xlsx")
    ap.add_argument("--labels", default="text", choices=["text", "codes"])
    args = ap.parse_args(argv)
    inst = load_instrument()
    frame = simulate(args.n, seed=1).frame
    print(f"{len(frame)} rows ({args.n} honest), labels={args.labels}, language=zh; best of {args.repeat}")
    print(f"{'format':10s} {'MB':>6s} {'read wall':>10s} {'read cpu':>9s} {'peer wall':>10s} {'ratio':>6s}  peer")
    with tempfile.TemporaryDirectory() as d:
        for fmt in args.formats.split(","):
            path = Path(d) / f"{fmt}{EXT[fmt]}"
            write_export(frame, inst, fmt, path, labels=args.labels, language="zh")
            wall, cpu = best(lambda: read_export(path, inst), args.repeat)
            if EXT[fmt] == ".xlsx":   # openpyxl is slow: the same file, once
                pwall, _ = best(peer(fmt, path, 1), 1)
                ratio = wall / pwall
                note = f"openpyxl load_workbook(read_only=True).iter_rows(values_only=True), {len(frame)} rows"
            else:
                hr = 3 if fmt == "qualtrics" else 1
                pwall, _ = best(peer(fmt, path, hr), args.repeat)
                ratio = wall / pwall
                note = "pandas.read_csv(dtype=str), all columns" if fmt != "spss" else "pyreadstat.read_sav"
            mb = path.stat().st_size / 1e6
            print(f"{fmt:10s} {mb:6.1f} {wall:9.2f}s {cpu:8.2f}s {pwall:9.2f}s {ratio:6.2f}  {note}")


if __name__ == "__main__":
    main()
