"""A results.json written by another version of iur-survey (its ``call.version``) is read by ``tables``,
``diagram``, ``export-replication`` and ``power --from-results`` with one warning line on stderr naming both
versions, never refused; the same version's, or a file that records none, is read without a word."""

from __future__ import annotations

import json

import pytest

from iur_survey import __version__
from iur_survey.cli import main
from tests.conftest import SMALL_DATA


def _other(small_results, tmp_path, version="0.0.1"):
    doc = json.loads(small_results.read_text())
    doc["call"]["version"] = version
    p = tmp_path / "results.json"
    p.write_text(json.dumps(doc))
    return p


def _power_argv(p, out):
    return ["power", "--n", "100", "--reps", "2", "--workers", "0", "--seed", "1", "--quiet", "--from-results",
            str(p), "--out", str(out)]


@pytest.mark.parametrize("command", ["tables", "diagram", "export-replication", "power"])
def test_another_versions_results_warn_once_and_are_read(small_results, tmp_path, capfd, command):
    p = _other(small_results, tmp_path)
    argv = {"tables": ["tables", str(p), "--format", "md", "--out", "-"],
            "diagram": ["diagram", str(p), "--out", str(tmp_path / "d.svg")],
            "export-replication": ["export-replication", str(p), "--out", str(tmp_path / "pack")],
            "power": _power_argv(p, tmp_path / "pw")}[command]
    assert main(argv) == 0
    err = capfd.readouterr().err
    said = [line for line in err.splitlines() if "written by iur-survey" in line]
    assert said == [f"iur-survey {command}: warning: {p}: written by iur-survey 0.0.1, read by iur-survey "
                    f"{__version__}: read as it is (refit with {__version__} if a number looks wrong)"]


def test_same_version_or_none_recorded_says_nothing(small_results, tmp_path, capfd):
    assert main(["tables", str(small_results), "--format", "md", "--out", "-"]) == 0
    doc = json.loads(small_results.read_text())
    del doc["call"]
    (tmp_path / "r.json").write_text(json.dumps(doc))
    assert main(["tables", str(tmp_path / "r.json"), "--format", "md", "--out", "-"]) == 0
    assert "written by iur-survey" not in capfd.readouterr().err


def test_power_from_same_versions_results_says_nothing(small_results, tmp_path, capfd):
    assert main(_power_argv(small_results, tmp_path / "pw")) == 0
    assert "written by iur-survey" not in capfd.readouterr().err


def _pls(small_results, tmp_path, *extra):
    out = tmp_path / "pls.json"
    assert main(["pls", SMALL_DATA, "--model", str(small_results.parent / "m.lav"), "--boot", "0", *extra,
                 "--out", str(out)]) == 0
    return out


def test_pls_json_records_the_version_and_tables_says_another(small_results, tmp_path, capfd):
    """pls.json records ``call.version`` as results.json does; ``tables`` reading one of another version says it
    in one line naming both versions (the one check of results.json, version_note), and reads it."""
    p = _pls(small_results, tmp_path)
    doc = json.loads(p.read_text())
    assert doc["call"]["program"] == "iur-survey pls" and doc["call"]["version"] == __version__
    capfd.readouterr()
    assert main(["tables", str(small_results), str(p), "--format", "md", "--out", "-"]) == 0
    assert "written by iur-survey" not in capfd.readouterr().err          # the same version: no word
    doc["call"]["version"] = "0.0.1"
    p.write_text(json.dumps(doc))
    assert main(["tables", str(small_results), str(p), "--format", "md", "--out", "-"]) == 0
    said = [line for line in capfd.readouterr().err.splitlines() if "written by iur-survey" in line]
    assert said == [f"iur-survey tables: warning: {p}: written by iur-survey 0.0.1, read by iur-survey "
                    f"{__version__}: read as it is (refit with {__version__} if a number looks wrong)"]
    del doc["call"]                                    # a pls.json of an older version, which recorded none
    p.write_text(json.dumps(doc))
    assert main(["tables", str(small_results), str(p), "--format", "md", "--out", "-"]) == 0
    assert "written by iur-survey" not in capfd.readouterr().err


def test_pls_compare_says_another_versions_results(small_results, tmp_path, capfd):
    p = _other(small_results, tmp_path)
    (tmp_path / "m.lav").write_text((small_results.parent / "m.lav").read_text())
    _pls(p, tmp_path, "--compare", str(p))
    said = [line for line in capfd.readouterr().err.splitlines() if "written by iur-survey" in line]
    assert said == [f"iur-survey pls: warning: {p}: written by iur-survey 0.0.1, read by iur-survey "
                    f"{__version__}: read as it is (refit with {__version__} if a number looks wrong)"]
