"""An export without an id column: the ids are data-row numbers, so duplicate_id cannot judge anyone and the
report says so (audit s25 cliaudit C3): it was listed as run with 0 hits while repeated submissions were kept."""

from __future__ import annotations

import json

import pandas as pd

from iur_survey.cli import main


def test_duplicate_id_not_evaluated_without_ids(tmp_path, capsys):
    assert main(["simulate", "--n", "60", "--seed", "3", "--format", "csv", "--tags", "codes",
                 "--out", str(tmp_path / "sim")]) == 0
    frame = pd.read_csv(tmp_path / "sim" / "export.csv", dtype=str, keep_default_na=False)
    noid = tmp_path / "noid.csv"
    frame.drop(columns=["ResponseId"]).to_csv(noid, index=False)
    assert main(["clean", str(noid), "--out", str(tmp_path / "c")]) == 0
    out = capsys.readouterr().out
    report = json.loads((tmp_path / "c" / "report.json").read_text(encoding="utf-8"))
    assert report["rules_not_evaluated"]["duplicate_id"].startswith("no id column")
    assert "duplicate_id" in out
    # with the ids, the rule runs as before
    assert main(["clean", str(tmp_path / "sim" / "export.csv"), "--out", str(tmp_path / "c2")]) == 0
    report = json.loads((tmp_path / "c2" / "report.json").read_text(encoding="utf-8"))
    assert "duplicate_id" not in report["rules_not_evaluated"]
