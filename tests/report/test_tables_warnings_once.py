"""``iur-survey tables`` says each warning once, as one line on stderr (audit s25 paperout C9: Python's form with
paper.py's path and source line, the ω one twice)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from iur_survey.cli import main

HS = Path(__file__).parents[1] / "fixtures" / "real" / "HolzingerSwineford1939.csv"
CFA3 = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"


def test_tables_warnings_once_each_one_line(tmp_path, capfd):
    d = pd.read_csv(HS)
    d["x5"] = 10 - d["x5"]                               # a reverse-scored item: alpha and omega warn
    csv = tmp_path / "hs_rev.csv"
    d.to_csv(csv, index=False)
    lav = tmp_path / "m.lav"
    lav.write_text(CFA3, encoding="utf-8")
    res = tmp_path / "results.json"
    assert main(["fit", str(csv), "--model", str(lav), "--out", str(res), "--quiet"]) == 0
    capfd.readouterr()
    assert main(["tables", str(res), "--format", "md", "--out", "-"]) == 0
    printed = capfd.readouterr()
    lines = printed.err.splitlines()
    assert lines                                          # the warnings are said, not lost
    assert all(line.startswith("iur-survey tables: warning: ") for line in lines)
    assert len(lines) == len(set(lines))                  # each once
    assert sum("omega" in line and "opposite signs" in line for line in lines) == 1
    assert "UserWarning" not in printed.err and ".py:" not in printed.err
    assert "warning" not in printed.out                   # the tables on stdout are clean
