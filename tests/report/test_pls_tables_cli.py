"""`iur-survey tables RESULTS.json pls.json` writes the PLS tables too (the PLS reliability, the path coefficients
and defined effects with their bootstrap statistics, PLS beside the CB-SEM fit of `pls --compare`): before, a
pls.json gave only the HTMT intervals and the PLS numbers reached no table.  Every number as pls.json and
results.json hold it, to the printed digit.  And a results file named fit.json is tabulated (it was refused)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iur_survey.cli import main
from iur_survey.report.format import ci_text, num, pval

HS = Path(__file__).resolve().parents[1] / "reference" / "data" / "hs1939.csv"
MODEL = ("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"
         "textual ~ a*visual\nspeed ~ b*textual + c*visual\nind := a*b\n")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    d = tmp_path_factory.mktemp("plstab")
    lav = d / "m.lav"
    lav.write_text(MODEL, encoding="utf-8")
    assert main(["fit", str(HS), "--model", str(lav), "--out", str(d / "fit.json")]) == 0
    assert main(["pls", str(HS), "--model", str(lav), "--bootstrap", "60", "--seed", "3",
                 "--compare", str(d / "fit.json"), "--out", str(d / "pls.json")]) == 0
    assert main(["tables", str(d / "fit.json"), str(d / "pls.json"), "--format", "md", "--out", str(d / "t.md")]) == 0
    return (json.loads((d / "fit.json").read_text()), json.loads((d / "pls.json").read_text()),
            (d / "t.md").read_text(encoding="utf-8"))


def _table(md: str, title: str) -> list[list[str]]:
    block = md.split(f"*{title}*", 1)[1].split("*Note.*", 1)[0]
    rows = [ln.strip().strip("|").split("|") for ln in block.splitlines() if ln.startswith("|")]
    return [[c.strip().replace("\\*", "*") for c in r] for r in rows[2:]]


def test_the_pls_tables_are_written(run):
    _, _, md = run
    for title in ("PLS-SEM reliability and convergent validity", "PLS-SEM path coefficients and effects",
                  "PLS-SEM and CB-SEM side by side"):
        assert f"*{title}*" in md


def test_pls_paths_as_pls_json(run):
    _, pls, md = run
    rows = {r[0]: r for r in _table(md, "PLS-SEM path coefficients and effects")}
    for p in pls["paths"]:
        r = rows[f"{p['rhs']} → {p['lhs']}"]
        assert r[1:6] == [num(p["est"], 3, False), num(p["se"], 3), num(p["t"], 2), pval(p["pvalue"]),
                          ci_text(p["ci.lower"], p["ci.upper"], 3, False)]
    d = pls["defined"][0]
    r = rows["ind := `a*b`"]
    assert r[1] == num(d["est"], 3, False) and r[5] == ci_text(d["ci.lower"], d["ci.upper"], 3, False)
    note = md.split("*PLS-SEM path coefficients and effects*", 1)[1].split("*Note.*", 1)[1].split("\n", 1)[0]
    assert "60 bootstrap resamples (seed 3)" in note and "percentile 95% CI" in note


def test_reliability_as_pls_json(run):
    _, pls, md = run
    rows = {r[0]: r for r in _table(md, "PLS-SEM reliability and convergent validity")}
    for r in pls["reliability"]:
        assert rows[r["construct"]][2:] == [num(r[k], 3, False) for k in ("alpha", "rho_a", "rho_c", "ave")]


def test_comparison_names_the_compared_fit_and_its_numbers(run):
    fit, pls, md = run
    rows = {r[0]: r for r in _table(md, "PLS-SEM and CB-SEM side by side")}
    std = {(e["lhs"], e["rhs"]): e["std.all"] for e in fit["estimates"] if e["op"] == "~"}
    assert rows["visual → textual"][4] == num(std[("textual", "visual")], 3, False)
    note = md.split("*PLS-SEM and CB-SEM side by side*", 1)[1].split("*Note.*", 1)[1].split("\n", 1)[0]
    assert "the CB-SEM fit fit.json" in note and "Table 5.2" not in note


def test_a_pls_json_alone_is_still_refused(run, tmp_path, capsys):
    _, pls, _ = run
    p = tmp_path / "pls.json"
    p.write_text(json.dumps(pls), encoding="utf-8")
    assert main(["tables", str(p), "--format", "md", "--out", str(tmp_path / "t.md")]) == 2
    assert "no results.json of `iur-survey fit` among the inputs" in capsys.readouterr().err


def test_a_results_file_named_fit_json_is_tabulated(run):
    """The fixture's fit is fit.json: its label "fit" was taken for a results dict's "fit" key and `tables`
    stopped with "the fit table lost a model"."""
    _, _, md = run
    assert any(line.startswith("| ") and "| 301 | ML |" in line for line in md.splitlines())


def test_a_path_missing_from_the_compared_model_is_explained(run):
    """`pls --compare` with a fit of another model leaves that path's CB-SEM columns empty (a warning on stderr
    then); the table's dashes say why."""
    from iur_survey.report.paper import pls_apa
    _, pls, _ = run
    pls = json.loads(json.dumps(pls))
    pls["comparison"][0].update({"cb_std": None, "cb_std.ci.lower": None, "cb_std.ci.upper": None,
                                 "cb_pvalue": None, "agree": None})
    t = [t for t in pls_apa(pls) if t.title == "PLS-SEM and CB-SEM side by side"][0]
    assert t.frame.iloc[0]["CB-SEM β"] == "—"
    assert "CB-SEM —: visual → textual not in the model of fit.json" in t.note
