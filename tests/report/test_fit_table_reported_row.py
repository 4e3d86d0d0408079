"""The fit table a paper author copies (session 28).

1. A fit with a scaled test (WLSMV, MLR): the row that carries the model's label and estimator, the first, is the
   one to report: the scaled χ² (lavaan's chisq.scaled) with the robust CFI, TLI and RMSEA (cfi.robust ...).  The
   standard test and its indices (chisq, cfi ...) follow in a row labelled "(unscaled)".  Before, the first row
   was the unscaled one: on psych's bfi (WLSMV, N = 2,749) it read CFI .908 / TLI .897 where lavaan's robust CFI is
   .749.  Every number stays lavaan's; only the order and the labels changed.
2. A χ² of 1,000 or more has its thousands separator (APA 6.38): 4,641.70, not 4641.70; its df has none.
3. The by-group table's β has three decimals, as every other table's.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from iur_survey.report import paper

HS = Path("tests/reference/data/hs1939.csv")
HS_MLR = Path("tests/sem/likelihood_refs/hs_complete_mlr.json")
CFA3 = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"

#: lavaan 0.6.14's fitMeasures of the bfi model of out28 (/work/notes/s28/out28.md, Rscript bfi/refw.R): WLSMV
BFI_WLSMV = {"chisq": 7153.581, "df": 267, "pvalue": 0.0, "cfi": .908, "tli": .897, "rmsea": .097,
             "rmsea.ci.lower": .095, "rmsea.ci.upper": .099, "srmr": .085, "chisq.scaled": 6873.213,
             "df.scaled": 267, "pvalue.scaled": 0.0, "cfi.robust": .749, "tli.robust": .718, "rmsea.robust": .094,
             "rmsea.ci.lower.robust": .092, "rmsea.ci.upper.robust": .096, "cfi.scaled": .821, "tli.scaled": .799,
             "rmsea.scaled": .095}
#: and ML / MLR of the same model (Rscript bfi/ref.R): the MLR fit's standard test is the ML one
BFI_MLR = {"chisq": 4641.702, "df": 267, "pvalue": 0.0, "cfi": .778, "tli": .751, "rmsea": .077,
           "rmsea.ci.lower": .075, "rmsea.ci.upper": .079, "srmr": .075, "chisq.scaled": 4039.754, "df.scaled": 267,
           "pvalue.scaled": 0.0, "cfi.robust": .779, "tli.robust": .752, "rmsea.robust": .077,
           "rmsea.ci.lower.robust": .075, "rmsea.ci.upper.robust": .079}


def _results(estimator: str, fit: dict) -> dict:
    return {"n": 2749, "estimator": estimator, "missing": "ml", "fit": dict(fit), "estimates": []}


@pytest.mark.parametrize("estimator, fit, report, unscaled", [
    ("WLSMV", BFI_WLSMV, ["6,873.21", "267", ".749", ".718", ".094 [.092, .096]"],
     ["7,153.58", "267", ".908", ".897", ".097 [.095, .099]"]),
    ("MLR", BFI_MLR, ["4,039.75", "267", ".779", ".752", ".077 [.075, .079]"],
     ["4,641.70", "267", ".778", ".751", ".077 [.075, .079]"])])
def test_the_models_row_is_the_scaled_robust_one(estimator, fit, report, unscaled):
    """Before: row 1 "Structural model | WLSMV | 7153.58 ... .908 .897", row 2 "(scaled/robust) ... .749"."""
    t = paper.fit_apa({"Structural model": _results(estimator, fit)})
    cols = ["χ²", "df", "CFI", "TLI", "RMSEA [90% CI]"]
    first, second = t.frame.iloc[0], t.frame.iloc[1]
    assert [first["Model"], first["*N*"], first["Estimator"]] == ["Structural model", "2,749", estimator]
    assert first[cols].tolist() == report
    assert [second["Model"], second["*N*"], second["Estimator"]] == ["Structural model (unscaled)", "", ""]
    assert second[cols].tolist() == unscaled
    assert len(t.frame) == 2
    # the note names lavaan's measures of each row and says which one to report
    assert "its row (the model's, to report) holds the scaled test statistic (chisq.scaled" in t.note
    assert "(cfi.robust, tli.robust, rmsea.robust)" in t.note and "(chisq, cfi, tli, rmsea)" in t.note
    assert "first row of such a fit is the standard" not in t.note


def test_every_format_puts_the_reported_row_first():
    """Markdown, LaTeX, CSV and DOCX show the frame's order: the model's label on the robust row."""
    t = paper.fit_apa({"Structural model": _results("WLSMV", BFI_WLSMV)}, number=1)
    md = paper.to_markdown([t])
    assert "| Structural model | 2,749 | WLSMV | 6,873.21 | 267 | < .001 | .749 | .718 |" in md
    assert md.index("6,873.21") < md.index("| Structural model (unscaled) |  |  | 7,153.58 |")
    tex = paper.to_latex([t])
    assert "Structural model & 2,749 & WLSMV & 6,873.21 & 267" in tex
    assert tex.index("6,873.21") < tex.index("Structural model (unscaled) &  &  & 7,153.58")
    rows = [r for r in csv.reader(io.StringIO(paper.to_csv([t]))) if r and r[0].startswith("Structural model")]
    assert [r[:4] + r[6:7] for r in rows] == [["Structural model", "2,749", "WLSMV", "6,873.21", ".749"],
                                              ["Structural model (unscaled)", "", "", "7,153.58", ".908"]]


def test_docx_puts_the_reported_row_first(tmp_path):
    docx = pytest.importorskip("docx")
    t = paper.fit_apa({"Structural model": _results("MLR", BFI_MLR)}, number=1)
    out = paper.write_tables([t], tmp_path / "t.docx")
    cells = [[c.text for c in r.cells] for r in docx.Document(str(out)).tables[0].rows]
    assert cells[1][:4] == ["Structural model", "2,749", "MLR", "4,039.75"] and cells[1][6] == ".779"
    assert cells[2][:4] == ["Structural model (unscaled)", "", "", "4,641.70"] and cells[2][6] == ".778"


def test_ml_fit_has_one_row_with_the_separator():
    """An ML fit has no scaled test: one row, no "(unscaled)" row; χ² 4,641.70, its df as it is."""
    ml = {k: v for k, v in BFI_MLR.items() if "scaled" not in k and "robust" not in k}
    t = paper.fit_apa({"Structural model": _results("ML", ml)})
    assert t.frame[["Model", "χ²", "df", "CFI"]].values.tolist() == [["Structural model", "4,641.70", "267", ".778"]]
    assert "unscaled" not in t.note


def test_a_group_rows_follow_their_statistics_row():
    """A multi-group MLR fit: the groups' parts of the scaled test under the model's row, those of the standard
    test under the unscaled row; a part of 1,000 or more with its separator."""
    r = _results("MLR", BFI_MLR)
    r["groups"] = {"Male": 898, "Female": 1851}
    r["test"] = {"standard": {"stat.group": {"Male": 1813.93, "Female": 2827.772}},
                 "yuan.bentler.mplus": {"stat.group": {"Male": 1578.5, "Female": 2461.254}}}
    frame = paper.fit_apa({"m": r}).frame
    assert frame[["Model", "*N*", "χ²"]].values.tolist() == [
        ["m", "2,749", "4,039.75"], ["m: Male", "898", "1,578.50"], ["m: Female", "1,851", "2,461.25"],
        ["m (unscaled)", "", "4,641.70"], ["m (unscaled): Male", "898", "1,813.93"],
        ["m (unscaled): Female", "1,851", "2,827.77"]]


def test_tables_command_on_an_mlr_fit_reports_lavaans_robust_row(tmp_path):
    """`iur-survey tables` of an MLR fit (Holzinger–Swineford CFA, complete data): Table 1's first row, labelled
    with the model, is lavaan's chisq.scaled / cfi.robust / tli.robust / rmsea.robust (the stored reference of
    lavaan 0.6.14, tests/sem/likelihood_refs/hs_complete_mlr.json), the unscaled row its chisq / cfi."""
    from iur_survey.cli import main

    lav = json.loads(HS_MLR.read_text(encoding="utf-8"))["mlr"]["fit"]
    (tmp_path / "m.lav").write_text(CFA3, encoding="utf-8")
    res, out = tmp_path / "results.json", tmp_path / "t.md"
    assert main(["fit", str(HS), "--model", str(tmp_path / "m.lav"), "--estimator", "MLR", "--missing", "listwise",
                 "--out", str(res), "--quiet"]) == 0
    assert main(["tables", str(res), "--format", "md", "--out", str(out)]) == 0
    lines = [ln for ln in out.read_text(encoding="utf-8").split("**Table 2**")[0].splitlines()
             if ln.startswith("| Measurement model")]
    cells = [[c.strip() for c in ln.strip("|").split("|")] for ln in lines]
    assert [c[0] for c in cells] == ["Measurement model (CFA)", "Measurement model (CFA) (unscaled)"]
    assert cells[0][2] == "MLR" and cells[1][2] == ""
    for row, chi, cfi, tli, rmsea in ((cells[0], "chisq.scaled", "cfi.robust", "tli.robust", "rmsea.robust"),
                                      (cells[1], "chisq", "cfi", "tli", "rmsea")):
        assert float(row[3].replace(",", "")) == pytest.approx(lav[chi], abs=0.006)
        for cell, key in ((row[6], cfi), (row[7], tli), (row[8].split()[0], rmsea)):
            assert float(cell) == pytest.approx(lav[key], abs=0.0006), key


@pytest.mark.parametrize("x, decimals, text", [(4641.702, 2, "4,641.70"), (999.994, 2, "999.99"),
                                               (999.996, 2, "1,000.00"), (12345.66, 1, "12,345.7"),
                                               (-1500.0, 2, "\u22121,500.00"), (float("nan"), 2, "\u2014")])
def test_chisq_formatter(x, decimals, text):
    from iur_survey.report.format import chisq

    assert chisq(x, decimals) == text


def test_invariance_and_difference_texts_use_the_separator():
    """The invariance table (χ², Δχ²), the book's difference text and its Bartlett text: one formatter."""
    from iur_survey.report.sem_tables import chisq_difference_text, factorability_text

    r = {"invariance": [{"step": "configural", "fit": {"chisq": 1521.44, "df": 1316, "cfi": .972}, "test": None,
                         "delta": None, "decision": "baseline"},
                        {"step": "metric", "fit": {"chisq": 2599.27, "df": 1379, "cfi": .969},
                         "test": {"chisq.diff": 1077.83, "df.diff": 63, "pvalue": 0.0},
                         "delta": {"cfi": -0.003, "rmsea": 0.001, "srmr": 0.005}, "decision": "supported"}],
         "invariance_info": {"estimator": "ML", "indices": "standard"}}
    frame = paper.invariance_apa(r).frame
    assert frame["χ²"].tolist() == ["1,521.44", "2,599.27"] and frame["df"].tolist() == ["1316", "1379"]
    assert frame.loc[1, "Δχ² (Δdf)"] == "1,077.83 (63)"
    assert chisq_difference_text(1077.83, 63, 0.0).startswith("Δχ²(63) = 1,077.83, ")
    assert "χ²(378) = 2,500.4" in factorability_text(0.91, 2500.4, 378, 0.0)


def test_paths_by_group_beta_has_three_decimals():
    """Before: "0.319 (β .68)***" beside the paths table's β .682."""
    r = {"n": 20, "estimator": "ML", "fit": {"chisq": 1.0, "df": 1},
         "estimates": [{"lhs": "A", "op": "~", "rhs": "E", "group": g, "label": "", "est": 0.319, "se": 0.02,
                        "z": 15.0, "pvalue": 0.0, "ci.lower": 0.28, "ci.upper": 0.36, "std.all": s}
                       for g, s in (("Male", 0.68249), ("Female", 0.63152))]}
    g = paper.paths_by_group_apa(r).frame
    assert g.loc[0, "Male"] == "0.319 (β .682)***" and g.loc[0, "Female"] == "0.319 (β .632)***"
