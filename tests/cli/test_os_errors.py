"""An operating-system error on an output path is a one-line error with exit status 2, never a traceback
(audit s25 cliaudit B2): `export-replication --out` under a file or in a read-only folder raised
FileExistsError / OSError (exit 1, which its help reserves for a failed --verify), and an --out name longer
than the file system allows (ENAMETOOLONG) was a traceback in clean, fit and export-replication."""

from __future__ import annotations

import pytest

from iur_survey.cli import main

DATA = "tests/sem/ordinal_refs/wlsmv_groups_630.csv"
LONG = "a" * 300


@pytest.fixture(scope="module")
def results(small_results):
    return small_results


def _one_line(capsys, code, says):
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert err.count("\n") == 0 and "Traceback" not in err and says in err


def test_replication_out_under_a_file(results, tmp_path, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    code = main(["export-replication", str(results), "--out", str(blocker / "pack")])
    _one_line(capsys, code, "is a file")
    assert blocker.read_text() == "x"


@pytest.mark.parametrize("command", ["fit", "export-replication", "clean"])
def test_name_too_long(results, tmp_path, capsys, command):
    out = str(tmp_path / LONG)
    argv = {"fit": ["fit", DATA, "--model", str(results.parent / "m.lav"), "--out", out + ".json"],
            "export-replication": ["export-replication", str(results), "--out", out],
            "clean": ["clean", "data/demo/export.csv", "--out", out]}[command]
    _one_line(capsys, main(argv), "File name too long")
