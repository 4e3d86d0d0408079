"""The replication pack re-checks a multi-group fit's ``group_path_tests`` and its partial invariance in lavaan.

``replicate.R`` recomputes the Wald test that each structural path is equal in every group with lavaan's
``lavTestWald()`` (the same constraints: the path's row in group 1 == its row in group k, by lavaan's plabels, where
neither a label nor group.equal already holds them equal), Holm's adjustment (``p.adjust``) and the joint test, and
compares them with ours.json (table ``paths_eq``).  A fit with ``--free`` (lavaan's group.partial) is refitted with
``group.partial``, and each invariance step with the parameters it freed.

Data: HS1939 (tests/reference/data/hs1939.csv), groups = school; the R run is marked ``needs_r``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from iur_survey.cli import main
from iur_survey.replication import build_pack

HS = Path(__file__).resolve().parents[1] / "reference" / "data" / "hs1939.csv"
MODEL = ("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"
         "textual ~ visual\nspeed ~ textual + visual\n")


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("gpt")
    model = tmp / "paths.lav"
    model.write_text(MODEL)
    results = tmp / "results.json"
    assert main(["fit", str(HS), "--model", str(model), "--group", "school", "--equal", "loadings,intercepts",
                 "--free", "x3 ~ 1; x7 ~ 1", "--invariance", "--quiet", "--out", str(results)]) == 0
    return build_pack(results, tmp / "pack", r_versions=False), json.loads(results.read_text())


def test_the_pack_carries_the_tests_and_the_check(pack):
    p, results = pack
    ours = json.loads((p.directory / "ours.json").read_text())
    assert ours["group_path_tests"] == results["group_path_tests"]
    assert [x["df"] for x in ours["group_path_tests"]["paths"]] == [1, 1, 1]
    assert ours["options"]["group_partial"] == ["x3 ~ 1", "x7 ~ 1"]
    assert {s["step"]: s["group_partial"] for s in ours["invariance"]} == {
        "configural": [], "metric": [], "scalar": ["x3 ~ 1", "x7 ~ 1"], "strict": ["x3 ~ 1", "x7 ~ 1"]}
    script = (p.directory / "replicate.R").read_text()
    assert 'group.partial = c("x3 ~ 1", "x7 ~ 1")' in script
    assert "gpt <- ours$group_path_tests" in script
    assert "w <- lavTestWald(fit, paste(con, collapse = \"\\n\"))" in script
    assert 'p.adjust(pv[tested], method = "holm")' in script
    assert "wj <- lavTestWald(fit, paste(all_con, collapse = \"\\n\"))" in script
    assert 'report("paths_eq"' in script
    assert "list(group.partial = gp)" in script
    readme = (p.directory / "README.md").read_text()
    assert "lavTestWald()" in readme and "group.partial (freed from group.equal) = x3 ~ 1, x7 ~ 1" in readme


def run_r(directory: Path, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([shutil.which("Rscript") or "Rscript", "--vanilla", str(directory / "replicate.R")],
                          cwd=cwd, capture_output=True, text=True, timeout=600)


@pytest.mark.needs_r
def test_replicate_r_checks_the_path_tests_and_the_partial_steps(pack, tmp_path):
    p, _ = pack
    proc = run_r(p.directory, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    tables = [ln.split()[:2] for ln in proc.stdout.splitlines() if ln.startswith(("PASS", "FAIL"))]
    assert tables == [["PASS", "estimates"], ["PASS", "fit"], ["PASS", "r2"], ["PASS", "paths_eq"],
                      ["PASS", "invariance"]]
    assert "3 paths (3 tested): Wald tests of equality across groups, Holm, joint (lavTestWald)" in proc.stdout
    # a Wald statistic 3% off, a joint df wrong and the partial steps refitted without their freed parameters: FAIL
    bad = tmp_path / "bad"
    shutil.copytree(p.directory, bad)
    ours = json.loads((bad / "ours.json").read_text())
    ours["group_path_tests"]["paths"][1]["Wald"] *= 1.03
    ours["group_path_tests"]["joint"]["df"] = 2
    for s in ours["invariance"]:
        s["group_partial"] = []
    (bad / "ours.json").write_text(json.dumps(ours))
    proc = run_r(bad, tmp_path)
    assert proc.returncode == 1
    assert "FAIL paths_eq" in proc.stdout and "FAIL invariance" in proc.stdout and "PASS estimates" in proc.stdout
    assert "speed ~ textual Wald: ours" in proc.stdout and "joint df: ours 2 lavaan 3" in proc.stdout
    assert "scalar chisq: ours" in proc.stdout


@pytest.mark.needs_r
def test_paths_held_equal_by_group_equal_are_not_tested_in_lavaan_either(tmp_path):
    """--equal regressions holds every path equal (lavaan: one .pN. label per path); --free frees one of them,
    the only one tested, in both."""
    model = tmp_path / "paths.lav"
    model.write_text(MODEL)
    results = tmp_path / "results.json"
    assert main(["fit", str(HS), "--model", str(model), "--group", "school", "--equal", "regressions",
                 "--free", "speed ~ visual", "--out", str(results)]) == 0
    tests = json.loads(results.read_text())["group_path_tests"]
    assert [(x["rhs"], x["df"]) for x in tests["paths"]] == [("visual", 0), ("textual", 0), ("visual", 1)]
    p = build_pack(results, tmp_path / "pack", r_versions=False)
    proc = run_r(p.directory, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "PASS paths_eq   3 paths (1 tested)" in proc.stdout


@pytest.mark.needs_r
@pytest.mark.parametrize("line", ["b1 == b2", "b1 - b2 == 0"])
def test_paths_held_equal_by_a_model_line_are_not_tested_in_lavaan_either(tmp_path, line):
    """A path held equal by the model's own '==' line (one label per group): not tested in ours (a simple line
    shares the estimate, a general one leaves the difference without sampling variance) nor in replicate.R (its
    difference has no variance in lavaan's vcov).  Before, R stopped ("missing value where TRUE/FALSE needed")."""
    model = tmp_path / "paths.lav"
    model.write_text("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"
                     f"speed ~ c(b1, b2)*visual + textual\n{line}\n")
    results = tmp_path / "results.json"
    assert main(["fit", str(HS), "--model", str(model), "--group", "school", "--quiet", "--out", str(results)]) == 0
    tests = json.loads(results.read_text())["group_path_tests"]
    assert [(x["rhs"], x["df"]) for x in tests["paths"]] == [("visual", 0), ("textual", 1)]
    p = build_pack(results, tmp_path / "pack", r_versions=False)
    proc = run_r(p.directory, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "PASS paths_eq   2 paths (1 tested)" in proc.stdout
