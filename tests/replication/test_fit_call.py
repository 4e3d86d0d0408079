"""`iur-survey fit` records its call in results.json, so `export-replication RESULTS.json` works on fit's own
output without --data/--model, and the pack covers the invariance tests (replicate.R refits them in lavaan)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from iur_survey.cli import main

DATA = Path("tests/reference/data/groups_1200.csv")


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("call")
    data = tmp / "groups.csv"
    shutil.copyfile(DATA, data)
    out = tmp / "results.json"
    assert main(["fit", str(data), "--group", "role", "--invariance", "--out", str(out)]) == 0
    return tmp, data, out


def test_call_block(fitted):
    _, data, out = fitted
    call = json.loads(out.read_text())["call"]
    assert call["data"]["path"] == str(data.resolve())
    assert call["options"]["group"] == "role" and call["options"]["invariance"] is True
    assert "c(a1.g1, a1.g2, a1.g3, a1.g4)*GOV" in call["model"]["syntax"]
    assert call["argv"][:3] == ["fit", str(data), "--group"] and call["version"]


def test_pack_from_fit_output_alone(fitted, capsys):
    tmp, _, out = fitted
    pack = tmp / "pack"
    assert main(["export-replication", str(out), "--out", str(pack)]) == 0
    text = capsys.readouterr().out
    assert "inferred" not in text                       # everything came from the call block
    ours = json.loads((pack / "ours.json").read_text())
    assert [s["step"] for s in ours["invariance"]] == ["configural", "metric", "scalar", "strict"]
    assert (pack / "measurement.lav").read_text().count("=~") == 7
    assert "PASS invariance" not in text


def test_changed_data_is_refused(fitted, capsys):
    tmp, data, out = fitted
    copy = tmp / "r2.json"
    res = json.loads(out.read_text())
    res["call"]["data"]["sha256"] = "0" * 64
    copy.write_text(json.dumps(res))
    assert main(["export-replication", str(copy), "--out", str(tmp / "pack2")]) == 2
    assert "changed since the fit" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.needs_r                   # runs the exported replicate.R in R (skipped without R)
def test_pack_passes_in_r(fitted):
    tmp, _, out = fitted
    pack = tmp / "pack_r"
    assert main(["export-replication", str(out), "--out", str(pack)]) == 0
    proc = subprocess.run(["Rscript", "--vanilla", str(pack / "replicate.R")], capture_output=True, text=True,
                          timeout=1200)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "PASS invariance" in proc.stdout and "ALL PASS" in proc.stdout
