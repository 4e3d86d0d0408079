"""Warnings of the commands go to stderr, one line each, never lost: stdout may be the summary piped into a file
(audit s25 cliaudit C5: ``fit`` printed them on stdout)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from iur_survey.cli import main

REF = Path(__file__).resolve().parents[1] / "reference"


def test_fit_warnings_on_stderr_not_stdout(tmp_path, capfd):
    """A Heywood case: its warning on stderr (with --summary too), in results.json, not on stdout."""
    out = tmp_path / "r.json"
    assert main(["fit", str(REF / "data" / "heywood_150.csv"), "--model", str(REF / "models" / "heywood.lav"),
                 "--summary", "--out", str(out)]) == 0
    printed = capfd.readouterr()
    said = json.loads(out.read_text())["warnings"]
    assert said                                                  # the case warns (lavaan: negative variance)
    for w in said:
        assert f"iur-survey fit: warning: {w}" in printed.err    # each on stderr, one line
        assert printed.err.count(w) == 1
    assert "warning:" not in printed.out
    assert "Model Test User Model:" in printed.out               # the summary stays on stdout


def test_fit_without_warnings_says_nothing_on_stderr(tmp_path, capfd):
    rng = np.random.default_rng(5)
    x = rng.standard_normal(200)
    pd.DataFrame({"x": x, "y": 0.5 * x + rng.standard_normal(200)}).to_csv(tmp_path / "d.csv", index=False)
    (tmp_path / "m.lav").write_text("y ~ x\n")
    assert main(["fit", str(tmp_path / "d.csv"), "--model", str(tmp_path / "m.lav"),
                 "--out", str(tmp_path / "r.json")]) == 0
    assert capfd.readouterr().err == ""


def test_efa_warnings_on_stderr(tmp_path, capfd):
    """An EFA warning (rows dropped listwise) on stderr, not in the summary on stdout; efa.json keeps it."""
    rng = np.random.default_rng(11)
    f = rng.standard_normal((300, 2))
    d = pd.DataFrame({f"q{j}": 0.7 * f[:, j // 3] + 0.6 * rng.standard_normal(300) for j in range(6)})
    d.loc[:9, "q0"] = np.nan
    d.to_csv(tmp_path / "d.csv", index=False)
    out = tmp_path / "efa.json"
    assert main(["efa", str(tmp_path / "d.csv"), "--factors", "2", "--out", str(out)]) == 0
    printed = capfd.readouterr()
    said = json.loads(out.read_text())["warnings"]
    assert said
    for w in said:
        assert f"iur-survey efa: warning: {w}" in printed.err
    assert "warning:" not in printed.out
    assert "EFA: 2 factor(s)" in printed.out
