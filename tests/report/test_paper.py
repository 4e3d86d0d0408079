"""`iur-survey tables`: the publication tables hold every structural estimate of results.json, in every format,
on a model the project never fitted for its study (Bollen's PoliticalDemocracy, lavaan's tutorial)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from iur_survey.cli import main
from iur_survey.report import paper
from iur_survey.report.format import num, pval

DATA = Path("tests/reference/data/poldem.csv")
MODEL = """ind60 =~ x1 + x2 + x3
dem60 =~ y1 + y2 + y3 + y4
dem65 =~ y5 + y6 + y7 + y8
dem60 ~ a1*ind60
dem65 ~ c1*ind60 + b1*dem60
y1 ~~ y5
y2 ~~ y4 + y6
y3 ~~ y7
y4 ~~ y8
y6 ~~ y8
ind := a1*b1
total := c1 + a1*b1
"""


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("poldem")
    model = tmp / "poldem.lav"
    model.write_text(MODEL)
    out = tmp / "results.json"
    assert main(["fit", str(DATA), "--model", str(model), "--out", str(out)]) == 0
    return tmp, out, json.loads(out.read_text())


def _structural(res):
    return [e for e in res["estimates"] if e["op"] in ("~", ":=")]


def test_results_record_their_call(fitted):
    _, _, res = fitted
    call = res["call"]
    assert call["data"]["path"] == str(DATA.resolve()) and len(call["data"]["sha256"]) == 64
    assert call["model"]["syntax"] == MODEL and call["options"]["estimator"] == "ML"
    assert call["version"] and call["options"]["bootstrap"] is None


@pytest.mark.parametrize("fmt", ["md", "tex", "csv", "html", "docx"])
def test_every_structural_estimate_is_in_the_tables(fitted, fmt, tmp_path):
    _, out, res = fitted
    target = tmp_path / f"tables.{fmt}"
    assert main(["tables", str(out), "--out", str(target)]) == 0
    if fmt == "docx":
        from docx import Document
        doc = Document(str(target))
        cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
        text = "\n".join(cells + [p.text for p in doc.paragraphs])
        # fit, measurement, discriminant, residual covariances (y1 ~~ y5 ...), paths, effects
        assert len(doc.tables) == 6
        assert any(p.text.startswith("Note.") for p in doc.paragraphs)
        # APA rules: the header row has a top and a bottom border, body cells no vertical ones
        xml = doc.tables[0].rows[0].cells[0]._tc.xml
        assert 'w:top w:val="single"' in xml and 'w:bottom w:val="single"' in xml and 'w:left w:val="nil"' in xml
    else:
        text = target.read_text(encoding="utf-8")
    if fmt == "tex":
        assert "\\toprule" in text and "\\midrule" in text and "\\bottomrule" in text
        text = text.replace("$-$", "−").replace("$\\rightarrow$", "→")
    for e in _structural(res):
        assert num(e["est"], 3) in text, (e["lhs"], e["rhs"], "est")
        assert num(e["se"], 3) in text, (e["lhs"], e["rhs"], "se")
        assert num(e["std.all"], 3, False) in text, (e["lhs"], e["rhs"], "std.all")
        assert f"[{num(e['ci.lower'], 3)}, {num(e['ci.upper'], 3)}]" in text
    f = res["fit"]
    assert num(f["chisq"], 2) in text and num(f["cfi"], 3, False) in text and num(f["srmr"], 3, False) in text


def test_python_api_tables_are_dataframes_equal_to_results(fitted):
    _, out, res = fitted
    r = paper.load_results(out)
    paths = paper.paths_apa(r).frame
    reg = [e for e in res["estimates"] if e["op"] == "~"]
    assert paths["Path"].tolist() == [f"{e['rhs']} → {e['lhs']}" for e in reg]
    assert paths["*b*"].tolist() == [num(e["est"], 3) for e in reg]
    assert paths["*p*"].tolist() == [pval(e["pvalue"]) for e in reg]
    eff = paper.effects_apa(r)
    assert eff.frame["Effect"].tolist() == ["ind", "total"]
    # results.json's std.all.ci.lower/upper (standardizedSolution's delta-method interval) fill β 95% CI
    defs = [e for e in res["estimates"] if e["op"] == ":="]
    assert eff.frame["β 95% CI"].tolist() == [f"[{num(e['std.all.ci.lower'], 3, False)}, "
                                              f"{num(e['std.all.ci.upper'], 3, False)}]" for e in defs]
    assert "standardizedSolution() interval of std.all (delta method)" in eff.note
    meas = paper.measurement_apa(r).frame
    assert meas["Item"].tolist() == ["x1", "x2", "x3", "y1", "y2", "y3", "y4", "y5", "y6", "y7", "y8"]
    assert meas.loc[0, "α"] != "—" and meas.loc[0, "ω"] != "—"     # the data file is recorded in the call
    disc = paper.discriminant_apa(r).frame
    assert disc["Pair"].tolist() == ["ind60 – dem60", "ind60 – dem65", "dem60 – dem65"]
    # the latent correlation of ind60 and dem60 = their standardized path (only path between them)
    b = next(e for e in reg if e["lhs"] == "dem60")["std.all"]
    assert disc.loc[0, "*r*"] == num(b, 3, False)
    # an HTMT from a pls.json: its note says on which rows (PLS replaces missing values by the item mean)
    pls = {"n": 75, "missing": "mean", "n_imputed": 12,
           "htmt": [{"construct_1": "ind60", "construct_2": "dem60", "htmt": 0.5, "ci.lower": 0.3, "ci.upper": 0.7}]}
    note = paper.discriminant_apa(r, pls=pls).note
    assert "from the PLS bootstrap (N = 75; 12 missing values replaced by the item mean, as PLS does)." in note


def test_wlsmv_effects_carry_the_standardized_interval(tmp_path):
    """A WLSMV fit's results.json has lavaan's standardizedSolution() interval (std.all.ci.lower/upper), so the
    effects table fills β 95% CI and its note says whose interval it is (it said "not computed for WLSMV")."""
    model = tmp_path / "hs.lav"
    model.write_text("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"
                     "textual ~ a*visual\nspeed ~ b*textual + c*visual\nind := a*b\ntot := c + a*b\n")
    out = tmp_path / "results.json"
    assert main(["fit", "tests/sem/std_refs/hs_ord.csv", "--model", str(model), "--estimator", "WLSMV",
                 "--out", str(out)]) == 0
    r = paper.load_results(out)
    defs = [e for e in r["estimates"] if e["op"] == ":="]
    eff = paper.effects_apa(r)
    assert eff.frame["β 95% CI"].tolist() == [f"[{num(e['std.all.ci.lower'], 3, False)}, "
                                              f"{num(e['std.all.ci.upper'], 3, False)}]" for e in defs]
    assert "standardizedSolution() interval of std.all (delta method)" in eff.note
    assert "not computed" not in eff.note and "robust (lavaan's WLSMV)" in eff.note
    # a results.json without the interval (an older file, se = "none"): said as such
    bare = dict(r, estimates=[{k: v for k, v in e.items() if not k.startswith("std.all.")} for e in r["estimates"]])
    assert "results.json has no interval of the standardized effects (—)" in paper.effects_apa(bare).note
    assert main(["tables", str(out), "--out", str(tmp_path / "t.md")]) == 0


def test_multigroup_and_invariance_tables():
    r = {"n": 20, "estimator": "ML", "fit": {"chisq": 1.0, "df": 1},
         "estimates": [{"lhs": "y", "op": "~", "rhs": "x", "group": g, "label": "", "est": v, "se": 0.1, "z": 1.0,
                        "pvalue": 0.01, "ci.lower": v - 0.2, "ci.upper": v + 0.2, "std.all": v / 2}
                       for g, v in (("a", 0.4), ("b", 0.8))],
         "invariance": [{"step": "configural", "fit": {"chisq": 10.0, "df": 4, "cfi": 0.99}, "test": None,
                         "delta": None, "decision": "baseline"},
                        {"step": "metric", "fit": {"chisq": 12.0, "df": 6, "cfi": 0.985},
                         "test": {"chisq.diff": 2.0, "df.diff": 2, "pvalue": 0.37},
                         "delta": {"cfi": -0.005, "rmsea": 0.001, "srmr": 0.002}, "decision": "holds"}]}
    g = paper.paths_by_group_apa(r).frame
    assert g.columns.tolist() == ["Path", "a", "b"] and g.loc[0, "b"] == "0.800 (β .400)*"
    inv = paper.invariance_apa(r).frame
    assert inv["Step"].tolist() == ["configural", "metric"] and inv.loc[1, "Δχ² (Δdf)"] == "2.00 (2)"


def test_paper_tables_say_what_an_audit_found_unsaid():
    """A CFA by group got an empty "Structural paths by group" table (its LaTeX did not compile); the invariance
    table did not say where the sequence stops; a WLSMV fit's χ² was called a likelihood-ratio test."""
    cfa = {"n": 20, "estimator": "ML", "fit": {"chisq": 1.0, "df": 1},
           "estimates": [{"lhs": "F", "op": "=~", "rhs": "x", "group": g, "label": "", "est": 1.0, "se": 0.1,
                          "z": 1.0, "pvalue": 0.01, "ci.lower": 0.8, "ci.upper": 1.2, "std.all": 0.7}
                         for g in ("a", "b")],
           "invariance_info": {"level": "metric", "estimator": "ML"},
           "invariance": [{"step": "configural", "fit": {"chisq": 10.0, "df": 4}, "test": None, "delta": None,
                           "decision": "baseline"},
                          {"step": "metric", "fit": {"chisq": 12.0, "df": 6, "chisq.scaled": None},
                           "test": {"chisq.diff": 2.0, "df.diff": 2, "pvalue": 0.37},
                           "delta": {"cfi": -0.005, "rmsea": 0.001, "srmr": 0.002}, "decision": "supported"}]}
    assert paper.paths_by_group_apa(cfa) is None
    inv = paper.invariance_apa(cfa)
    assert "Highest level supported: metric" in inv.note and "χ²" in inv.frame.columns   # no blank scaled column
    assert "*SE*: robust (Huber-White" in paper.se_p_note({"estimator": "MLR"}, p=False)
    assert "*p*" not in paper.se_p_note({"estimator": "ML", "bootstrap": {"B": 9}}, p=False)
    wl = dict(cfa, estimator="WLSMV")
    assert "not chi-square distributed" in paper.fit_apa(wl).note
    assert "not chi-square" not in paper.fit_apa(cfa).note


def test_fit_table_shows_a_scaled_test_that_could_not_be_computed_as_dashes():
    """MLR whose scaled test and robust indices are NA (null in results.json): the model's row (the scaled
    test and robust indices, the first) stays, with dashes, and the note says why; the warnings follow; the
    unscaled row under it keeps lavaan's standard test."""
    r = {"n": 186, "estimator": "MLR", "warnings": ["computation of robust CFI failed: ... are NA"],
         "fit": {"chisq": 149.13, "df": 48, "pvalue": 1e-12, "cfi": .753, "tli": .630, "rmsea": .151,
                 "rmsea.ci.lower": .123, "rmsea.ci.upper": .178, "srmr": .093, "chisq.scaled": None,
                 "df.scaled": 48, "pvalue.scaled": None, "cfi.robust": None, "tli.robust": None,
                 "rmsea.robust": None}}
    t = paper.fit_apa({"small": r})
    row = t.frame.iloc[0]
    assert row["Model"] == "small" and row["χ²"] == row["CFI"] == row["TLI"] == "—"
    assert t.frame.iloc[1][["Model", "χ²", "CFI"]].tolist() == ["small (unscaled)", "149.13", ".753"]
    assert "—: could not be computed" in t.note and "computation of robust CFI failed" in t.note
    assert "scaled: chisq = —, CFI = —" in paper._line_fit(r)


def test_paths_by_group_keeps_the_sign_of_a_beta_that_rounds_to_zero():
    """An audit's Table 12 showed "−0.001 (β .00)" for std.all −0.00095: b kept its sign, β lost it (β now has
    three decimals, as every other table's: −0.00045 rounds to zero there)."""
    r = {"n": 20, "estimator": "ML", "fit": {"chisq": 1.0, "df": 1},
         "estimates": [{"lhs": "INT", "op": "~", "rhs": "BEN", "group": g, "label": "", "est": v, "se": 0.1,
                        "z": 0.0, "pvalue": 0.99, "ci.lower": v - 0.2, "ci.upper": v + 0.2, "std.all": s}
                       for g, v, s in (("a", -0.00104, -0.00045), ("b", 0.00104, 0.00045))]}
    g = paper.paths_by_group_apa(r).frame
    assert g.loc[0, "a"] == "\u22120.001 (β \u2212.000)" and g.loc[0, "b"] == "0.001 (β .000)"


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("libreoffice"), reason="LibreOffice not installed")
def test_docx_opens_in_libreoffice(fitted, tmp_path):
    _, out, _ = fitted
    docx = tmp_path / "t.docx"
    assert main(["tables", str(out), "--out", str(docx)]) == 0
    proc = subprocess.run(["libreoffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                           "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx)],
                          capture_output=True, text=True, timeout=300)
    assert (tmp_path / "t.pdf").stat().st_size > 1000, proc.stderr


def test_a_table_file_without_an_extension_is_refused_saying_so(tmp_path):
    from iur_survey.errors import IURSurveyError
    from iur_survey.report.paper import write_tables

    with pytest.raises(IURSurveyError, match="no table format: the file name has no extension") as e:
        write_tables([], tmp_path / "tables")
    assert "--format" in str(e.value) and ".docx" in str(e.value)
    assert not (tmp_path / "tables").exists()
