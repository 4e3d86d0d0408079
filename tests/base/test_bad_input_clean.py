"""Bad input to ``iur-survey clean`` found by fuzzing from outside (issue 10): each is refused with a typed
one-line error (exit status 2, no traceback), and the raw export is never written."""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from iur_survey.cli import main
from iur_survey.errors import mask_pii

PII = "Other: someone@example.org, 13812345678"
PII_PARTS = ("someone@example.org", "13812345678", "10.1.2.3")


@pytest.fixture(scope="module")
def sim(tmp_path_factory) -> Path:
    """``iur-survey simulate --n 300 --seed 7 --format csv --out sim/`` (once per module)."""
    d = tmp_path_factory.mktemp("sim")
    assert main(["simulate", "--n", "300", "--seed", "7", "--format", "csv", "--out", str(d)]) == 0
    return d / "export.csv"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_line_error(capsys, rc: int) -> str:
    err = capsys.readouterr().err.strip()
    assert rc == 2, err
    assert err.startswith("iur-survey clean: error:") and "\n" not in err and "Traceback" not in err, err
    return err


def edit(src: Path, dest: Path, row: int, column: str, value: str) -> Path:
    rows = list(csv.reader(src.open(encoding="utf-8-sig", newline="")))
    rows[row][rows[0].index(column)] = value
    with dest.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return dest


# ------------------------------------------------------------------ the raw export is never written
@pytest.mark.parametrize("name", ["clean.csv", "exclusions.csv", "report.json"])
def test_an_output_that_is_the_raw_export_is_refused(sim, tmp_path, capsys, name):
    d1 = tmp_path / "d1"
    d1.mkdir()
    raw = d1 / name
    shutil.copy(sim, raw)
    before = sha(raw)
    one_line_error(capsys, main(["clean", str(raw), "--out", str(d1)]))
    assert sha(raw) == before and sorted(p.name for p in d1.iterdir()) == [name]


def test_the_raw_export_reached_through_a_symlink_is_refused(sim, tmp_path, capsys):
    d1 = tmp_path / "d1"
    d1.mkdir()
    raw = tmp_path / "export.csv"
    shutil.copy(sim, raw)
    (d1 / "clean.csv").symlink_to(raw)
    one_line_error(capsys, main(["clean", str(raw), "--out", str(d1)]))
    assert sha(raw) == sha(sim)


def test_a_copy_of_the_raw_export_in_out_is_not_overwritten(sim, tmp_path, capsys):
    """Not the input path, but the export's exact content: the writer itself refuses (by construction)."""
    from iur_survey.clean import clean
    from iur_survey.errors import IURSurveyError
    from iur_survey.instrument import load_instrument
    from iur_survey.read import read_export

    inst = load_instrument()
    res = clean(read_export(sim, inst), inst)
    out = tmp_path / "out"
    out.mkdir()
    shutil.copy(sim, out / "report.json")
    with pytest.raises(IURSurveyError, match="raw export"):
        res.write(out)
    assert sha(out / "report.json") == sha(sim)


# ------------------------------------------------------------------ personal data never echoed
def test_mask_pii_patterns():
    assert mask_pii(PII) == "Other: <e-mail>, <phone>"
    assert mask_pii("ip 192.168.0.17, ssn-like 123-45-6789, id 110105194912310021") == \
        "ip <ip>, ssn-like <phone>, id <id-number>"
    for keep in ("Strongly agree", "2022-04-05 16:17:26", "row 351, column Q5_1", "value 1e300", "-99", "3.5"):
        assert mask_pii(keep) == keep


def test_a_role_cell_with_pii_never_reaches_stderr(sim, tmp_path, capsys):
    raw = edit(sim, tmp_path / "pii.csv", 5, "role", PII.removeprefix("Other: "))
    err = one_line_error(capsys, main(["clean", str(raw), "--out", str(tmp_path / "out")]))
    assert "role" in err and "<e-mail>" in err
    assert not any(p in err for p in PII_PARTS)


def test_an_other_role_with_pii_is_kept_without_a_role_and_never_quoted(sim, tmp_path, capsys):
    """'Other: <what they typed>' is no group of the study: the row is kept without a role and warned about,
    and what the respondent typed reaches neither the terminal nor any output file."""
    raw = edit(sim, tmp_path / "pii.csv", 5, "role", PII)
    out = tmp_path / "out"
    assert main(["clean", str(raw), "--out", str(out)]) == 0
    said = capsys.readouterr()
    assert "none of the study's roles" in said.out + said.err
    written = "".join(f.read_text(encoding="utf-8") for f in out.iterdir())
    assert not any(p in said.out + said.err + written for p in PII_PARTS)


def test_a_status_cell_with_pii_never_reaches_the_ledger(sim, tmp_path, capsys):
    """A status Qualtrics does not write is refused (never read as an ordinary response); the one-line error
    quotes the cell with its personal data masked, and nothing is written."""
    raw = edit(sim, tmp_path / "pii.csv", 9, "Status", "spam from someone@example.org 10.1.2.3 13812345678")
    out = tmp_path / "out"
    err = one_line_error(capsys, main(["clean", str(raw), "--out", str(out)]))
    assert "unknown status" in err and "<e-mail>" in err and "<ip>" in err and "<phone>" in err
    assert not any(p in err for p in PII_PARTS)
    assert not out.exists()


# ------------------------------------------------------------------ clean tracebacks -> one line
def test_out_under_a_file(sim, tmp_path, capsys):
    (tmp_path / "afile").write_text("x")
    err = one_line_error(capsys, main(["clean", str(sim), "--out", str(tmp_path / "afile" / "sub")]))
    assert "is a file" in err


def test_out_a_dangling_symlink(sim, tmp_path, capsys):
    link = tmp_path / "dangling"
    link.symlink_to(tmp_path / "nowhere" / "x")
    err = one_line_error(capsys, main(["clean", str(sim), "--out", str(link)]))
    assert "dangling" in err and not (tmp_path / "nowhere").exists()


def test_out_empty(sim, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    err = one_line_error(capsys, main(["clean", str(sim), "--out", ""]))
    assert "--out is empty" in err and not any(tmp_path.iterdir())


def test_out_unwritable(sim, tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):
            pytest.skip("running as a user who can write anywhere (root): the permission check cannot be shown")
        err = one_line_error(capsys, main(["clean", str(sim), "--out", str(locked / "out")]))
        assert "not writable" in err
    finally:
        locked.chmod(0o700)


def test_config_with_an_unknown_status_kind(sim, tmp_path, capsys):
    cfg = tmp_path / "clean.yaml"
    cfg.write_text("status: {exclude: [preview, bogus]}\n", encoding="utf-8")
    err = one_line_error(capsys, main(["clean", str(sim), "--config", str(cfg), "--out", str(tmp_path / "o")]))
    assert "unknown status kind" in err and "bogus" in err


def test_dev_zero_is_refused_before_reading(tmp_path, capsys):
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    err = one_line_error(capsys, main(["clean", "/dev/zero", "--out", str(tmp_path / "o")]))
    assert "not a regular file" in err


def test_a_fifo_is_refused_without_hanging(tmp_path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    fifo = tmp_path / "export.csv"
    os.mkfifo(fifo)
    proc = subprocess.run([sys.executable, "-m", "iur_survey", "clean", str(fifo), "--out", str(tmp_path / "o")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "not a regular file" in proc.stderr and "Traceback" not in proc.stderr


# ------------------------------------------------------------------ nothing kept is an error
def test_zero_kept_rows_is_an_error(sim, tmp_path, capsys):
    rows = list(csv.reader(sim.open(encoding="utf-8-sig", newline="")))
    col = rows[0].index("Status")
    for r in rows[1:]:
        r[col] = "Survey Preview"
    raw = tmp_path / "all_previews.csv"
    with raw.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    out = tmp_path / "out"
    err = one_line_error(capsys, main(["clean", str(raw), "--out", str(out)]))
    assert "no response kept" in err and f"all {len(rows) - 1} raw rows" in err and "status" in err
    assert not out.exists()
