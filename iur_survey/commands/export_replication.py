"""Export a replication pack of a fit: data, model, our tables and an R script that refits with lavaan.

Reads RESULTS.json (written by `iur-survey fit`), finds the data, the model and
the options (recorded in its "call" block; for an older results.json give
--data/--model, the rest is inferred), refits with our engine -- the pack is
only written if that reproduces RESULTS.json -- and writes into DIR:

  data.csv          the model's variables (+ the group column) only; no ids, nothing personal
  model.lav         the lavaan syntax
  ours.json         our parameter estimates (standardized too), fit measures, R2, tolerances
  results.json      RESULTS.json unchanged
  replicate.R       refits with lavaan (same estimator, missing, group, group.equal, se/bootstrap),
                    writes lavaan's tables to lavaan/*.csv + lavaan.json, compares them with
                    ours.json and prints PASS/FAIL per table (exit status 1 on FAIL)
  environment.lock  Python / platform / pip freeze, R and lavaan versions wanted
  README.md         what is in the pack and how to check it
  MANIFEST.sha256   sha256 of every file (`sha256sum -c MANIFEST.sha256`)

To verify:  cd DIR && sha256sum -c MANIFEST.sha256 && Rscript replicate.R
--verify runs exactly that after writing (needs Rscript).

exit status: 0 the pack was written (and verified); 1 --verify failed; 2 bad input; 3 RESULTS.json is of a fit
that did NOT converge (no pack is written, as `tables` and `diagram` refuse it).

examples:
  iur-survey export-replication results/fit/results.json --out results/replication
  iur-survey export-replication old_results.json --data clean.csv --model model.lav --out pack
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
from pathlib import Path

from ._io import add_results_argument, check_output

NAME = "export-replication"
HELP = "write a replication pack (data, model, lavaan script, checksums) of a fit"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_results_argument(parser)
    parser.add_argument("--out", metavar="DIR", required=True, help="pack directory (new, empty, or a previous pack)")
    parser.add_argument("--data", metavar="DATA.csv", help="the fitted data (when results.json does not record it)")
    parser.add_argument("--model", metavar="FILE.lav", help="the fitted model (when results.json does not record it)")
    parser.add_argument("--group", metavar="COLUMN", help="group column of a multi-group fit (default: recorded "
                                                          "or inferred)")
    parser.add_argument("--group-equal", metavar="LIST", default=None,
                        help="lavaan group.equal classes, comma-separated (default: recorded or inferred)")
    parser.add_argument("--verify", action="store_true",
                        help="after writing, check the manifest and run `Rscript replicate.R`")


def run(args: argparse.Namespace) -> int:
    import sys

    from ..errors import IURSurveyError
    from ..replication import build_pack, verify_manifest
    from ..sem.results import NotConvergedError
    from ..sem.results_file import load_results_file, version_note
    from ._io import print_warnings
    from .fit import EXIT_NOT_CONVERGED

    ge = None if args.group_equal is None else [x.strip() for x in args.group_equal.split(",") if x.strip()]
    check_output(args.out, names=[])     # the folder can be made and written (as every command's --out), before the refit
    # another version's results.json: said before the refit (which may then not reproduce it), not refused
    print_warnings("export-replication", filter(None, [version_note(load_results_file(args.results))]))
    try:
        pack = build_pack(args.results, args.out, data=args.data, model=args.model, group=args.group, group_equal=ge)
    except NotConvergedError as exc:       # never a pack of a fit that did not converge: exit 3, as tables / diagram
        print(f"iur-survey export-replication: error: {exc}", file=sys.stderr)
        return EXIT_NOT_CONVERGED
    o = pack.call.options
    print(f"export-replication: n={pack.result.n} estimator={o['estimator']} missing={o['missing']}"
          + (f" group={o['group']}" if o.get("group") else "") + f"; refit reproduces {Path(args.results).name}")
    for note in pack.call.inferred:
        print(f"  inferred {note}")
    for name in pack.files:
        print(f"  wrote {pack.directory / name}")
    if not args.verify:
        print(f"  verify: cd {pack.directory} && sha256sum -c MANIFEST.sha256 && Rscript replicate.R")
        return 0
    bad = verify_manifest(pack.directory)
    if not bad["ok"].all():  # pragma: no cover - just written
        raise IURSurveyError(pack.directory, "the manifest does not verify")
    print("  manifest: OK")
    exe = shutil.which("Rscript")
    if not exe:
        raise IURSurveyError(None, "--verify needs Rscript on PATH (R with lavaan and jsonlite)")
    proc = subprocess.run([exe, "--vanilla", str(pack.directory / "replicate.R")], capture_output=True, text=True)
    print(proc.stdout.rstrip())
    if proc.returncode != 0:
        if proc.stderr.strip():
            print(proc.stderr.rstrip())
        return 1
    return 0
