"""The measurement table says when a construct's items load with opposite signs (a reverse-keyed item not
recoded): its α, ω and CR are low whatever the items' reliability.  Before: only warnings on the terminal."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from iur_survey.cli import main
from iur_survey.measure import cronbach_alpha
from iur_survey.report import paper

HS = Path(__file__).parents[1] / "fixtures" / "real" / "HolzingerSwineford1939.csv"
CFA3 = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"


def _reversed_fit(tmp_path):
    """HS1939 with textual's x5 reverse-scored (not recoded), fitted by the CLI: (data, results.json, model file)."""
    d = pd.read_csv(HS)
    d["x5"] = 10 - d["x5"]
    csv = tmp_path / "hs_rev.csv"
    d.to_csv(csv, index=False)
    lav = tmp_path / "m.lav"
    lav.write_text(CFA3, encoding="utf-8")
    res = tmp_path / "results.json"
    assert main(["fit", str(csv), "--model", str(lav), "--out", str(res), "--quiet"]) == 0
    return d, res, lav


def test_reversed_item_is_named_in_the_note(tmp_path):
    d, res, lav = _reversed_fit(tmp_path)
    results = json.loads(res.read_text(encoding="utf-8"))
    with pytest.warns(UserWarning):                      # alpha and omega warn on the terminal too
        t = paper.measurement_apa(results, d)
    assert "Items loading with opposite signs: textual (x5)." in t.note
    with pytest.warns(UserWarning):
        a = cronbach_alpha(d, {"textual": ["x4", "x5", "x6"]})["alpha"]["textual"]
    assert a < 0.3                                       # the table's α is this low number
    plain = tmp_path / "plain.json"
    assert main(["fit", str(HS), "--model", str(lav), "--out", str(plain), "--quiet"]) == 0
    assert "opposite signs" not in paper.measurement_apa(json.loads(plain.read_text(encoding="utf-8")),
                                                         pd.read_csv(HS)).note


def test_tables_warnings_once_each_one_line(tmp_path, capfd):
    """``iur-survey tables`` says each warning once, as one line on stderr (audit s25 paperout C9: Python's form
    with paper.py's path and source line, the ω one twice)."""
    _, res, _ = _reversed_fit(tmp_path)
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
