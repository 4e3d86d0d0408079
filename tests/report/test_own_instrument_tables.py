"""`iur-survey tables` of a fit made with an analyst's own instrument (a 7-point scale): the data is read with the
instrument the fit records (it was refused as "off the instrument's scale 1-5", so no DOCX/LaTeX table at all).
References: refs/own7/make_own7_refs.R (semTools 0.5-6, lavaan 0.6.14)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iur_survey.cli import main
from iur_survey.report import paper
from iur_survey.report.format import num

OWN7 = Path(__file__).resolve().parent / "refs" / "own7"


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("own7")
    out = tmp / "results.json"
    assert main(["fit", str(OWN7 / "data.csv"), "--instrument", str(OWN7 / "instrument.yaml"), "--quiet",
                 "--out", str(out)]) == 0
    return out


def test_tables_read_the_data_with_the_recorded_instrument(fitted, tmp_path):
    ref = json.loads((OWN7 / "own7_refs.json").read_text())
    for fmt in ("docx", "tex", "md"):
        assert main(["tables", str(fitted), "--format", fmt, "--out", str(tmp_path / f"t.{fmt}")]) == 0
    tables = paper.paper_tables([paper.load_results(fitted)])
    meas = next(t for t in tables if t.title.startswith("Measurement model"))
    firsts = meas.frame[meas.frame["Construct"] != ""].set_index("Construct")
    for c in ("TRU", "GOV", "COL", "INT"):
        assert firsts.loc[c, "α"] == num(ref["alpha"][c], 3, False)
        assert firsts.loc[c, "ω"] == num(ref["omega"][c], 3, False)
        assert firsts.loc[c, "AVE"] == num(ref["ave"][c], 3, False)


def test_tables_data_and_instrument_options(fitted, tmp_path):
    # --data is read with the recorded instrument too; --instrument names it when it has moved
    assert main(["tables", str(fitted), "--data", str(OWN7 / "data.csv"), "--format", "md",
                 "--out", str(tmp_path / "a.md")]) == 0
    assert main(["tables", str(fitted), "--data", str(OWN7 / "data.csv"), "--instrument",
                 str(OWN7 / "instrument.yaml"), "--format", "md", "--out", str(tmp_path / "b.md")]) == 0
    assert (tmp_path / "a.md").read_text() == (tmp_path / "b.md").read_text()
    assert paper.fitted_instrument(paper.load_results(fitted)) == str(OWN7 / "instrument.yaml")


def test_latex_with_chinese_names_says_what_it_needs():
    import pandas as pd
    from iur_survey.report.tables import APATable

    zh = APATable(pd.DataFrame({"Path": ["TRU → COL"], "企业": ["0.778"], "高校": ["0.456"]}), "Paths by group", 1)
    en = APATable(pd.DataFrame({"Path": ["TRU → COL"], "firm": ["0.778"]}), "Paths by group", 1)
    assert "xeCJK" in paper.to_latex([zh]).splitlines()[0]
    assert "xeCJK" not in paper.to_latex([en])
