"""The paper's thresholds table (WLSMV: lavaan's ``item | t1`` rows) and residual-covariances table (``~~`` of
two observed variables) against lavaan 0.6.14's parameterEstimates() / standardizedSolution()
(tests/report/refs/make_thresholds_rescov_refs.R -> thresholds_rescov_refs.json): every printed number within
half a printed unit of lavaan's; fixed.x covariances of exogenous covariates are left out; in every format."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import pandas as pd
import pytest

from iur_survey.report import paper
from iur_survey.sem import sem

HERE = Path(__file__).parent
REFS = json.loads((HERE / "refs" / "thresholds_rescov_refs.json").read_text())
DATA = {"hs1939.csv": HERE.parent / "reference" / "data" / "hs1939.csv",
        "hs1939_ordered4.csv": HERE.parent / "sem" / "groupsum_refs" / "hs1939_ordered4.csv"}
_DOCS: dict = {}


def results(case: str) -> dict:
    """Our results.json (as ``fit`` writes it) of a reference case, once."""
    if case not in _DOCS:
        ref = REFS[case]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = sem(ref["model"], pd.read_csv(DATA[ref["data"]]), ordered=ref["ordered"] or None,
                      group=ref.get("group"))
        _DOCS[case] = json.loads(res.to_json())
    return _DOCS[case]


def _nums(cell: str) -> list[float]:
    return [float(x.replace("−", "-")) for x in re.findall(r"−?\d*\.\d+", cell)]


def _close(printed: float, lav: float, decimals: int) -> None:
    assert abs(printed - lav) <= 0.5 * 10 ** -decimals + 2e-4, (printed, lav)


def test_thresholds_as_lavaan():
    t = paper.thresholds_apa(results("wlsmv_groups"))
    lav = [r for r in REFS["wlsmv_groups"]["rows"] if r["op"] == "|"]
    assert list(t.frame.columns) == ["Group", "Item", "t1", "t2", "t3"]
    assert len(t.frame) == 18                               # 9 items x 2 schools
    frame = t.frame.set_index(["Group", "Item"])
    for r in lav:
        est, se = _nums(frame.loc[(r["group"], r["lhs"]), r["rhs"]])
        _close(est, r["est"], 3)
        _close(se, r["se"], 3)
    assert "*p*" not in t.frame.columns and "delta parameterization" in t.note


@pytest.mark.parametrize("case", ["wlsmv_groups", "ml_rescov", "path_fixedx"])
def test_residual_covariances_as_lavaan(case):
    t = paper.residual_covariances_apa(results(case))
    lav = [r for r in REFS[case]["rows"] if r["op"] == "~~" and r["se"]]      # fixed.x (SE 0): not shown
    assert len(t.frame) == len(lav)
    for row, r in zip(t.frame.to_dict("records"), lav):
        assert row["Residual covariance"] == f"{r['lhs']} ↔ {r['rhs']}"
        assert row.get("Group", "") == r["group"]
        _close(_nums(row["*b*"])[0], r["est"], 3)
        _close(_nums(row["*SE*"])[0], r["se"], 3)
        lo, hi = _nums(row["95% CI"])
        _close(lo, r["ci.lower"], 3)
        _close(hi, r["ci.upper"], 3)
        _close(_nums(row["*r*"])[0], r["std.all"], 3)
    if case == "path_fixedx":
        assert "x1 ↔ x2" not in set(t.frame["Residual covariance"])


def test_in_paper_tables_and_every_format(tmp_path):
    """Both tables are among the paper tables, before the structural paths, and reach every format."""
    tables = paper.paper_tables([results("wlsmv_groups")])
    titles = [t.title for t in tables]
    assert "Thresholds of the ordered items" in titles and "Residual covariances" in titles
    assert paper.thresholds_apa(results("ml_rescov")) is None
    assert paper.residual_covariances_apa(results("path_fixedx")) is not None
    md = paper.to_markdown(tables)
    assert "| Pasteur | x1 |" in md and "x1 ↔ x9" in md
    assert r"x1 $\leftrightarrow$ x9" in paper.to_latex(tables) and "x1 ↔ x9" in paper.to_html(tables)
    assert "x1 ↔ x9" in paper.to_csv(tables)
    docx = pytest.importorskip("docx")
    path = paper.to_docx(tables, tmp_path / "t.docx")
    cells = {c.text for tb in docx.Document(str(path)).tables for row in tb.rows for c in row.cells}
    assert "x1 ↔ x9" in cells and "t3" in cells


def test_an_item_without_a_category_has_an_empty_cell():
    """An item with one category fewer in the data: its last cell empty, and the note says why (only then)."""
    doc = json.loads(json.dumps(results("wlsmv_groups")))
    doc["estimates"] = [e for e in doc["estimates"]
                        if not (e["op"] == "|" and e["lhs"] == "x2" and e["rhs"] == "t3" and e["group"] == "Pasteur")]
    t = paper.thresholds_apa(doc)
    assert t.frame.set_index(["Group", "Item"]).loc[("Pasteur", "x2"), "t3"] == ""
    assert "no such threshold" in t.note
    assert "no such threshold" not in paper.thresholds_apa(results("wlsmv_groups")).note
