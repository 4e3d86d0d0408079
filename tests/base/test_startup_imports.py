"""Start-up hygiene (issue 10): a plain ML fit, run as the CLI runs it, imports none of the heavy modules it does not
use (pandas included: it reads the clean CSV with :class:`iur_survey.sem.table.CsvTable`), and ``--help`` imports no
numerical library.  Checked on ``sys.modules`` in a fresh process, never timed
(the timing is benchmarks/bench_fit.py --startup)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "reference" / "data" / "complete_250.csv"
MISSING = REPO / "tests" / "reference" / "data" / "missing_300.csv"

#: scipy.optimize is not on it: the RMSEA interval inverts the noncentral chi-square with scipy.special
NOT_ON_THE_FIT_PATH = ("scipy.stats", "scipy.optimize", "matplotlib", "dask", "distributed", "tqdm", "statsmodels",
                       "semopy", "numpy.f2py", "numpy.testing", "iur_survey.sem.robust", "iur_survey.book",
                       "iur_survey.commands.book", "iur_survey.commands.simulate", "iur_survey.commands.power",
                       # a plain fit needs no DataFrame: CSV, results.json and the terminal summary without pandas
                       "pandas", "iur_survey.measure", "iur_survey.report.paper", "iur_survey.report.sem_tables",
                       "iur_survey.report.tables")


def _modules_after(code: str) -> set[str]:
    proc = subprocess.run([sys.executable, "-c", code + "\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
                          cwd=REPO, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return set(json.loads(proc.stdout.strip().splitlines()[-1]))


def test_a_plain_ml_fit_imports_only_what_it_uses(tmp_path):
    out = tmp_path / "results.json"
    mods = _modules_after(f"from iur_survey.cli import main\n"
                          f"assert main(['fit', {str(DATA)!r}, '--out', {str(out)!r}]) == 0")
    assert json.loads(out.read_text(encoding="utf-8"))["converged"] is True
    assert "iur_survey.sem.api" in mods
    loaded = sorted(m for m in mods if any(m == h or m.startswith(h + ".") for h in NOT_ON_THE_FIT_PATH))
    assert not loaded, loaded


def test_a_fiml_or_mlr_fit_imports_no_pandas(tmp_path):
    """Data with missing cells (FIML, the common case of a real export) and MLR: still no DataFrame."""
    out = tmp_path / "results.json"
    mods = _modules_after(f"from iur_survey.cli import main\n"
                          f"assert main(['fit', {str(MISSING)!r}, '--out', {str(out)!r}]) == 0\n"
                          f"assert main(['fit', {str(DATA)!r}, '--estimator', 'MLR', '--out', {str(out)!r}]) == 0")
    assert "iur_survey.sem.robust" in mods
    assert not sorted(m for m in mods if m.split(".")[0] in ("pandas", "matplotlib", "dask")), "pandas imported"


def test_help_imports_no_numerical_library():
    mods = _modules_after("from iur_survey.cli import main\n"
                          "try:\n    main(['--help'])\nexcept SystemExit:\n    pass")
    heavy = sorted(m for m in mods if m.split(".")[0] in ("numpy", "pandas", "scipy", "matplotlib", "dask"))
    assert not heavy, heavy
