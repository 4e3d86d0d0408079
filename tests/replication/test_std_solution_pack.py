"""replicate.R checks the standardized solution's inference (lavaan's standardizedSolution(fit): se, z, pvalue,
ci.lower, ci.upper) against results.json's std.all.se ... columns as reported; no R is run here (the R runs of the
packs are in tests/replication/test_replication.py and the note of this change)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from iur_survey.cli import main
from iur_survey.replication import build_pack
from iur_survey.replication.rscript import replicate_script

DATA = Path(__file__).resolve().parents[1] / "reference" / "data"
MODEL = "GOV =~ GOV1 + GOV2 + GOV3 + GOV4\nCOL =~ COL1 + COL2 + COL3 + COL4\nCOL ~ b*GOV\nbb := 2*b\n"
STD = ("std.all.se", "std.all.z", "std.all.pvalue", "std.all.ci.lower", "std.all.ci.upper")


def key(e):
    return e["lhs"], e["op"], e["rhs"], e.get("group")


def fitted(tmp: Path, *extra: str) -> Path:
    (tmp / "m.lav").write_text(MODEL)
    out = tmp / "results.json"
    assert main(["fit", str(DATA / "complete_250.csv"), "--model", str(tmp / "m.lav"), "--out", str(out),
                 *extra]) == 0
    return out


@pytest.mark.parametrize("extra", [(), ("--estimator", "MLR"), ("--group", "role")])
def test_ours_json_carries_the_reported_std_inference(tmp_path, extra):
    """ours.json's std.all.se ... are results.json's: a std.all.se 5 % off reaches replicate.R (which FAILs it)."""
    results = fitted(tmp_path, *extra)
    rj = json.loads(results.read_text())
    i = next(k for k, e in enumerate(rj["estimates"]) if e["op"] == ":=")
    rj["estimates"][i]["std.all.se"] *= 1.05
    results.write_text(json.dumps(rj))
    pack = build_pack(results, tmp_path / "pack", r_versions=False)
    ours = {key(e): e for e in json.loads((pack.directory / "ours.json").read_text())["estimates"]}
    assert len(ours) == len(rj["estimates"])
    for e in rj["estimates"]:
        o = ours[key(e)]
        assert all(o[c] == e[c] for c in STD), key(e)
    assert any(o["std.all.se"] is not None and o["std.all.se"] > 0 for o in ours.values())


def test_bootstrap_std_inference_is_the_reported_one(tmp_path):
    """A bootstrap fit's std.all.se is on its bootstrap covariance (as lavaan's standardizedSolution): ours.json
    keeps results.json's, not the refit's normal-theory one; without them in results.json none (R says so)."""
    from iur_survey.sem import bootstrap, sem
    data = pd.read_csv(DATA / "complete_250.csv", dtype={"response_id": str})
    plain = sem(MODEL, data)
    res = bootstrap.with_bootstrap(plain, 100, data=data, seed=3, progress=False, workers=1)
    rj = res.to_dict()
    results = tmp_path / "results.json"
    results.write_text(json.dumps(rj))
    (tmp_path / "m.lav").write_text(MODEL)
    kw = dict(data=DATA / "complete_250.csv", model=tmp_path / "m.lav", r_versions=False)
    ours = json.loads((build_pack(results, tmp_path / "p1", **kw).directory / "ours.json").read_text())["estimates"]
    reported = {key(e): e["std.all.se"] for e in rj["estimates"]}
    normal = {key(e): e["std.all.se"] for e in plain.to_dict()["estimates"]}
    assert all(e["std.all.se"] == reported[key(e)] for e in ours)
    assert any(e["std.all.se"] and abs(e["std.all.se"] - normal[key(e)]) > 1e-4 for e in ours)
    for e in rj["estimates"]:
        for c in STD:
            e.pop(c, None)
    results.write_text(json.dumps(rj))
    ours = json.loads((build_pack(results, tmp_path / "p2", **kw).directory / "ours.json").read_text())["estimates"]
    assert not any(c in e for e in ours for c in STD)


def test_script_compares_standardized_solution_or_says_why_not():
    s = replicate_script({"estimator": "ML", "missing": "fiml", "group": "role", "group_equal": [],
                          "se": "standard", "information": None, "bootstrap": None})
    assert 'standardizedSolution(fit, type = "std.all")' in s
    for c in STD:
        assert f'check_col("{c}"' in s
    assert "NOT compared:" in s                      # never a silent pass
    assert "zb * mc_se[m] * ssl" in s                # bootstrap: the Monte Carlo rule of the se column


def test_one_preamble_for_every_script():
    """replicate.R and the short refit scripts take their library call and data reading from r_preamble."""
    from iur_survey.replication.rscript import fit_script, r_preamble
    s = replicate_script({"estimator": "ML", "missing": "fiml", "group": None, "group_equal": [],
                          "se": "standard", "information": None, "bootstrap": None}, lavaan_version="0.6.14")
    assert r_preamble(read_csv="data.csv", lavaan_version="0.6.14", pack=True) in s
    assert s.count("library(lavaan)") == 1 and s.count("read.csv(") == 1 and s.count("absdiff <- function") == 1
    f = fit_script("F =~ a + b", {"estimator": "ML"}, data="dat", read_csv="c.csv", lavaan_version="0.6.14")
    assert f.startswith(r_preamble(data="dat", read_csv="c.csv", lavaan_version="0.6.14"))
