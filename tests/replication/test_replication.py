"""Replication packs: files, manifest, refusal of inconsistent inputs, and the R script against lavaan."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.cli import main
from iur_survey.errors import IURSurveyError
from iur_survey.replication import build_pack, sha256_file, verify_manifest
from iur_survey.study import default_model

DATA = Path(__file__).resolve().parents[1] / "reference" / "data"
RSCRIPT = shutil.which("Rscript")
SHA256SUM = shutil.which("sha256sum")
#: runs the pack's replicate.R in R (an integration check of the script the package exports; skipped without R,
#: see tests/conftest.py)
needs_r = pytest.mark.needs_r
ITEMS = [i for line in default_model().splitlines() if "=~" in line
         for i in line.split("=~")[1].replace(" ", "").split("+")]
MG_MODEL = "GOV =~ GOV1 + GOV2 + GOV3 + GOV4\nCOL =~ COL1 + COL2 + COL3 + COL4\nCOL ~ b*GOV\n"


def fit(tmp: Path, data: Path, *extra: str) -> Path:
    out = tmp / "fit" / "results.json"
    assert main(["fit", str(data), "--out", str(out), *extra]) == 0
    return out


def without_call(results: Path) -> Path:
    """An older results.json: no "call" block (the pack must then be told or infer data and model)."""
    res = json.loads(results.read_text())
    res.pop("call", None)
    results.write_text(json.dumps(res))
    return results


def run_r(pack: Path, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([RSCRIPT, "--vanilla", str(pack / "replicate.R")], cwd=cwd, capture_output=True,
                          text=True, timeout=600)


@pytest.fixture(scope="module")
def complete_pack(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("complete")
    results = fit(tmp, DATA / "complete_800.csv")
    pack = build_pack(results, tmp / "pack", data=DATA / "complete_800.csv", r_versions=False)
    return pack, results


def test_pack_files_and_manifest(complete_pack):
    pack, results = complete_pack
    d = pack.directory
    assert pack.files == sorted(["MANIFEST.sha256", "README.md", "data.csv", "environment.lock", "model.lav",
                                 "ours.json", "replicate.R", "results.json"])
    check = verify_manifest(d)
    assert check["ok"].all() and set(check["file"]) == set(pack.files) - {"MANIFEST.sha256"}
    if SHA256SUM:
        proc = subprocess.run([SHA256SUM, "-c", "MANIFEST.sha256"], cwd=d, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    # the data: only the model's 28 items, every row, the values of the source
    data = pd.read_csv(d / "data.csv")
    src = pd.read_csv(DATA / "complete_800.csv")
    assert list(data.columns) == ITEMS and "response_id" not in data.columns
    pd.testing.assert_frame_equal(data, src[ITEMS], check_dtype=False)
    assert (d / "model.lav").read_text() == default_model() + "\n"
    # results.json: the original with its file paths cut to file names (no folder of the author's machine)
    orig, copied = json.loads(results.read_text()), json.loads((d / "results.json").read_text())
    assert "/" in orig["call"]["data"]["path"] and copied["call"]["data"]["path"] == Path(orig["call"]["data"]["path"]).name
    assert not any("/" in str(a) for a in copied["call"].get("argv") or [])
    assert {k: v for k, v in copied.items() if k != "call"} == {k: v for k, v in orig.items() if k != "call"}
    assert hashlib.sha256(results.read_bytes()).hexdigest() in (d / "README.md").read_text()
    ours = json.loads((d / "ours.json").read_text())
    assert ours["n"] == 800 and ours["options"]["missing"] == "listwise"
    assert ours["tolerances"]["est_abs"] == 1e-4 and ours["tolerances"]["se_rel"] == 0.005
    # ours.json = the reported results (refit), with every fit measure and the standardized columns
    reported = {(e["lhs"], e["op"], e["rhs"]): e for e in json.loads(results.read_text())["estimates"]}
    for e in ours["estimates"]:
        r = reported[(e["lhs"], e["op"], e["rhs"])]
        assert e["est"] == pytest.approx(r["est"], abs=1e-9) and e["std.all"] == pytest.approx(r["std.all"], abs=1e-9)
    assert {"chisq", "cfi", "rmsea", "srmr", "gfi", "ecvi"} <= set(ours["fit"])
    readme = (d / "README.md").read_text()
    assert "Rscript replicate.R" in readme and "sha256sum -c MANIFEST.sha256" in readme
    lock = (d / "environment.lock").read_text()
    assert "[pip-freeze]" in lock and "lavaan == 0.6.14" in lock and sha256_file(DATA / "complete_800.csv") in lock
    # tampering is caught
    bad = d.parent / "tampered"
    shutil.copytree(d, bad)
    (bad / "data.csv").write_text((bad / "data.csv").read_text().replace("\n3,", "\n2,", 1))
    assert not verify_manifest(bad)["ok"].all()


@needs_r
def test_replicate_r_passes_and_detects_a_difference(complete_pack, tmp_path):
    pack, _ = complete_pack
    proc = run_r(pack.directory, cwd=tmp_path)            # run from elsewhere: the script finds its files
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert [ln.split()[:2] for ln in lines if ln.startswith(("PASS", "FAIL"))] == [
        ["PASS", "estimates"], ["PASS", "fit"], ["PASS", "r2"]]
    assert "ALL PASS" in proc.stdout
    lav = json.loads((pack.directory / "lavaan" / "lavaan.json").read_text())
    assert lav["lavaan"] == "0.6.14" and len(lav["estimates"]) == 94
    assert (pack.directory / "lavaan" / "estimates.csv").exists()
    # an estimate 2e-4 off, and a CFI 2e-3 off: both tables FAIL, exit status 1
    bad = tmp_path / "bad"
    shutil.copytree(pack.directory, bad)
    ours = json.loads((bad / "ours.json").read_text())
    i = next(k for k, e in enumerate(ours["estimates"]) if e["op"] == "~")
    ours["estimates"][i]["est"] += 2e-4
    ours["fit"]["cfi"] -= 2e-3
    (bad / "ours.json").write_text(json.dumps(ours))
    proc = run_r(bad, cwd=tmp_path)
    assert proc.returncode == 1
    assert "FAIL estimates" in proc.stdout and "FAIL fit" in proc.stdout and "PASS r2" in proc.stdout
    assert "COL|~|GOV| est" in proc.stdout and "cfi:" in proc.stdout


def test_fiml_pack(tmp_path):
    results = fit(tmp_path, DATA / "missing_800.csv")
    pack = build_pack(results, tmp_path / "pack", data=DATA / "missing_800.csv", r_versions=False)
    ours = json.loads((pack.directory / "ours.json").read_text())
    assert ours["options"]["missing"] == "fiml"
    assert 'missing = "ml"' in (pack.directory / "replicate.R").read_text()
    data = pd.read_csv(pack.directory / "data.csv")
    src = pd.read_csv(DATA / "missing_800.csv")
    assert data.isna().sum().sum() == src[ITEMS].isna().sum().sum() > 0
    assert verify_manifest(pack.directory)["ok"].all()
    # building again into the same directory replaces the previous pack
    again = build_pack(results, tmp_path / "pack", data=DATA / "missing_800.csv", r_versions=False)
    assert again.files == pack.files


@needs_r
@pytest.mark.slow
@pytest.mark.parametrize("estimator", ["ML", "MLR"])
def test_fiml_pack_replicates_in_lavaan(tmp_path, estimator):
    """lavaan's FIML fit of the 28-item model takes tens of seconds."""
    results = fit(tmp_path, DATA / "missing_800.csv", "--estimator", estimator)
    pack = build_pack(results, tmp_path / "pack", data=DATA / "missing_800.csv", r_versions=False)
    assert f'estimator = "{estimator}", missing = "ml"' in (pack.directory / "replicate.R").read_text()
    proc = run_r(pack.directory, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ALL PASS" in proc.stdout


def test_refuses_results_that_the_data_do_not_reproduce(tmp_path):
    results = without_call(fit(tmp_path, DATA / "complete_800.csv"))
    with pytest.raises(IURSurveyError, match="does not reproduce results.json"):
        build_pack(results, tmp_path / "pack", data=DATA / "complete_250.csv", r_versions=False)
    assert not (tmp_path / "pack").exists()
    with pytest.raises(IURSurveyError, match="give the data with --data"):
        build_pack(results, tmp_path / "pack", r_versions=False)
    # a model other than the default one must be named
    model = tmp_path / "m.lav"
    model.write_text(MG_MODEL)
    other = tmp_path / "other"
    other.mkdir()
    res2 = other / "results.json"
    assert main(["fit", str(DATA / "complete_800.csv"), "--model", str(model), "--out", str(res2)]) == 0
    without_call(res2)
    with pytest.raises(IURSurveyError, match="--model FILE.lav"):
        build_pack(res2, tmp_path / "pack2", data=DATA / "complete_800.csv", r_versions=False)
    pack = build_pack(res2, tmp_path / "pack2", data=DATA / "complete_800.csv", model=model, r_versions=False)
    assert list(pd.read_csv(pack.directory / "data.csv").columns) == ["GOV1", "GOV2", "GOV3", "GOV4", "COL1",
                                                                       "COL2", "COL3", "COL4"]
    # an unrelated, non-empty output directory is left alone
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "keep.txt").write_text("x")
    with pytest.raises(IURSurveyError, match="not a replication pack"):
        build_pack(res2, tmp_path / "busy", data=DATA / "complete_800.csv", model=model, r_versions=False)


def test_recorded_call_block_is_used(tmp_path):
    """When results.json records data/model/options (the fit command's "call"), nothing needs to be given."""
    src = tmp_path / "clean.csv"
    shutil.copyfile(DATA / "complete_250.csv", src)
    results = fit(tmp_path, src)
    doc = json.loads(results.read_text())
    doc["call"] = {"data": {"path": str(src), "sha256": sha256_file(src)},
                   "model": {"syntax": default_model(), "source": "<default model>"},
                   "options": {"estimator": "ML", "missing": "auto", "group": None, "group_equal": [],
                               "se": "standard", "information": "expected", "bootstrap": None}}
    results.write_text(json.dumps(doc))
    pack = build_pack(results, tmp_path / "pack", r_versions=False)
    assert pack.call.inferred == [] and pack.call.data_path == src
    # the data changed after the fit: refused
    lines = src.read_text().splitlines()
    src.write_text("\n".join(lines + [lines[1]]) + "\n")
    with pytest.raises(IURSurveyError, match="changed since the fit"):
        build_pack(results, tmp_path / "pack3", r_versions=False)


# Each pack below is built once (a module fixture) for two tests: one checks the pack without R, the other
# (``needs_r``) runs its replicate.R; the pair shares one worker (``--dist loadgroup``), so the pack is built once.
@pytest.fixture(scope="module")
def mg_pack(tmp_path_factory):
    from iur_survey.sem import sem
    tmp = tmp_path_factory.mktemp("mg")
    data = pd.read_csv(DATA / "groups_1200.csv", dtype={"response_id": str})
    res = sem(MG_MODEL, data, group="role", group_equal=["loadings", "intercepts"])
    results = tmp / "results.json"
    results.write_text(json.dumps(res.to_dict()))
    model = tmp / "mg.lav"
    model.write_text(MG_MODEL)
    pack = build_pack(results, tmp / "pack", data=DATA / "groups_1200.csv", model=model, r_versions=False)
    return pack, results, model


@pytest.mark.xdist_group("replication_mg_pack")
def test_multigroup_options_are_inferred(mg_pack, tmp_path):
    pack, results, model = mg_pack
    assert pack.call.options["group"] == "role"
    assert pack.call.options["group_equal"] == ["loadings", "intercepts"]
    script = (pack.directory / "replicate.R").read_text()
    assert 'group = "role", group.equal = c("loadings", "intercepts")' in script
    assert list(pd.read_csv(pack.directory / "data.csv").columns)[-1] == "role"
    # the wrong constraints do not reproduce the results
    with pytest.raises(IURSurveyError, match="does not reproduce"):
        build_pack(results, tmp_path / "pack2", data=DATA / "groups_1200.csv", model=model,
                   group_equal=["loadings"], r_versions=False)


@needs_r
@pytest.mark.xdist_group("replication_mg_pack")
def test_multigroup_pack_replicates_in_lavaan(mg_pack, tmp_path):
    pack, _, _ = mg_pack
    proc = run_r(pack.directory, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def results_250(tmp_path_factory) -> Path:
    """The default model's fit of complete_250.csv, as an older results.json (no "call" block)."""
    return without_call(fit(tmp_path_factory.mktemp("r250"), DATA / "complete_250.csv"))


def _export(results: Path, out: Path, capsys, *extra: str) -> str:
    rc = main(["export-replication", str(results), "--data", str(DATA / "complete_250.csv"), "--out", str(out),
               *extra])
    text = capsys.readouterr().out
    assert rc == 0, text
    assert "refit reproduces results.json" in text and "inferred model" in text
    assert (out / "MANIFEST.sha256").exists()
    return text


@pytest.mark.xdist_group("replication_r250")
def test_export_replication_command(results_250, tmp_path, capsys):
    text = _export(results_250, tmp_path / "pack", capsys)
    assert "ALL PASS" not in text                     # no --verify: R is not run
    assert main(["export-replication", str(tmp_path / "nope.json"), "--out", str(tmp_path / "x")]) == 2


@needs_r
@pytest.mark.xdist_group("replication_r250")
def test_export_replication_command_verifies_in_lavaan(results_250, tmp_path, capsys):
    text = _export(results_250, tmp_path / "pack", capsys, "--verify")
    assert "manifest: OK" in text and "ALL PASS" in text


@pytest.fixture(scope="module")
def boot_pack(tmp_path_factory):
    from iur_survey.sem import bootstrap, sem
    tmp = tmp_path_factory.mktemp("boot")
    model = MG_MODEL + "bb := 2*b\n"
    data = pd.read_csv(DATA / "complete_250.csv", dtype={"response_id": str})
    res = bootstrap.with_bootstrap(sem(model, data), 200, data=data, seed=11, progress=False, workers=1)
    results = tmp / "results.json"
    results.write_text(json.dumps(res.to_dict()))
    (tmp / "m.lav").write_text(model)
    pack = build_pack(results, tmp / "pack", data=DATA / "complete_250.csv", model=tmp / "m.lav", r_versions=False)
    return pack, res


@pytest.mark.xdist_group("replication_boot_pack")
def test_bootstrap_fit_pack(boot_pack):
    """A fit with bootstrap SEs: R is asked for its own bootstrap (se/bootstrap/iseed) and SEs and CIs are
    compared within Monte Carlo error; estimates as tightly as ever."""
    pack, res = boot_pack
    script = (pack.directory / "replicate.R").read_text()
    assert 'se = "bootstrap", bootstrap = 200L, iseed = 11L' in script and 'boot.ci.type = "perc"' in script
    ours = json.loads((pack.directory / "ours.json").read_text())
    assert ours["tolerances"]["se_rel"] == pytest.approx(4.5 / 200 ** 0.5)  # 4.5 MC SDs of two runs' difference
    reported = {(e["lhs"], e["op"], e["rhs"]): e["se"] for e in res.to_dict()["estimates"]}
    assert all(e["se"] == reported[(e["lhs"], e["op"], e["rhs"])] for e in ours["estimates"])


@needs_r
@pytest.mark.xdist_group("replication_boot_pack")
def test_bootstrap_fit_pack_replicates_in_lavaan(boot_pack, tmp_path):
    pack, _ = boot_pack
    proc = run_r(pack.directory, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def ordinal_packs(tmp_path_factory):
    """WLSMV packs of complete and of incomplete ordinal data, and the pack of a fit with merged groups."""
    tmp_path = tmp_path_factory.mktemp("ordinal")
    w = fit(tmp_path / "w", DATA / "ordinal_600.csv", "--estimator", "WLSMV")
    pw = build_pack(w, tmp_path / "pw", data=DATA / "ordinal_600.csv", r_versions=False)
    ordinal = pd.read_csv(DATA / "ordinal_600.csv")
    ordinal.loc[ordinal.index[::9], "GOV2"] = np.nan
    holes = tmp_path / "ordinal_holes.csv"
    ordinal.to_csv(holes, index=False)
    wh = fit(tmp_path / "wh", holes, "--estimator", "WLSMV")
    ph = build_pack(wh, tmp_path / "ph", data=holes, r_versions=False)
    model = tmp_path / "mg.lav"
    model.write_text(MG_MODEL)
    m = fit(tmp_path / "m", DATA / "groups_1200.csv", "--model", str(model), "--group", "role",
            "--merge-groups", "government=research_institute")
    pm = build_pack(m, tmp_path / "pm", data=DATA / "groups_1200.csv", model=model, r_versions=False)
    return pw, (wh, ph), pm


@pytest.mark.xdist_group("replication_ordinal_packs")
def test_wlsmv_and_merged_groups(ordinal_packs):
    """Ordinal items (WLSMV, lavaan ordered =) and a fit whose small group was merged into another."""
    pw, (wh, ph), pm = ordinal_packs
    script = (pw.directory / "replicate.R").read_text()
    assert 'estimator = "WLSMV", ordered = c("GOV1"' in script
    ours = json.loads((pw.directory / "ours.json").read_text())
    assert "logl" not in ours["tolerances"]["fit_required"] and "chisq" in ours["tolerances"]["fit_required"]
    # incomplete ordinal data: the fit's "auto" was pairwise, and lavaan must be told so (its default is listwise)
    assert json.loads(Path(wh).read_text())["missing"] == "pairwise"
    assert 'missing = "pairwise"' in (ph.directory / "replicate.R").read_text()
    assert pm.call.options["merge_groups"] == {"government": "research_institute"}
    roles = pd.read_csv(pm.directory / "data.csv")["role"]
    assert "government" not in set(roles) and len(roles) == 1200


@needs_r
@pytest.mark.xdist_group("replication_ordinal_packs")
def test_wlsmv_and_merged_groups_packs_replicate_in_lavaan(ordinal_packs, tmp_path):
    pw, (_, ph), pm = ordinal_packs
    for pack in (pw, ph, pm):
        proc = run_r(pack.directory, cwd=tmp_path)
        assert proc.returncode == 0, proc.stdout + proc.stderr
