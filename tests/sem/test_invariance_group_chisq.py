"""Each group's part of the test statistic of every invariance step, against lavaan 0.6.14's
``fit@test[[k]]$stat.group`` (HS1939 by school: ML and MLR with group.equal; the ordered HS1939 items by WLSMV
in Wu & Estabrook's steps): the sequence's table, its results.json block, the text summaries and the tables of
``tables`` and of the book.

References: tests/sem/invariance_refs/make_group_chisq_refs.R (group_chisq_refs.json).  Tolerance 1e-4 relative.
"""

from __future__ import annotations

import json
import warnings
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pytest

from iur_survey.sem.invariance import measurement_invariance
from iur_survey.sem.wlsmv_invariance import ordinal_invariance

HERE = Path(__file__).parent
REFS = json.loads((HERE / "invariance_refs" / "group_chisq_refs.json").read_text(encoding="utf-8"))
MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
HS = HERE.parent / "reference" / "data" / "hs1939.csv"
HO = HERE / "groupsum_refs" / "hs1939_ordered4.csv"


@lru_cache(maxsize=None)
def sequence(case: str):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if case == "wlsmv":
            return ordinal_invariance(MODEL, pd.read_csv(HO), "school")
        return measurement_invariance(MODEL, pd.read_csv(HS), "school", estimator=case.upper())


@pytest.mark.parametrize("case", ["ml", "mlr", "wlsmv"])
def test_each_steps_group_parts_equal_lavaan(case):
    inv = sequence(case)
    ref = REFS[case]
    tab = inv.table.set_index("step")
    assert list(tab.index) == list(ref)
    for step, want in ref.items():
        got = tab.loc[step, "stat.group"]
        assert list(got) == list(want["tests"])           # standard, then yuan.bentler.mplus / scaled.shifted
        for name, t in want["tests"].items():
            assert list(got[name]) == want["group_label"]    # the fit's group order, lavaan's labels
            assert list(got[name].values()) == pytest.approx(t["stat.group"], rel=1e-4), (step, name)
            assert sum(got[name].values()) == pytest.approx(t["stat"], rel=1e-4)
        # the parts add up to the step's chisq (and chisq.scaled) of the table
        assert sum(got["standard"].values()) == pytest.approx(tab.loc[step, "chisq"], rel=1e-9)
        scaled = [k for k in got if k != "standard"]
        if scaled:
            assert sum(got[scaled[0]].values()) == pytest.approx(tab.loc[step, "chisq.scaled"], rel=1e-9)


@pytest.mark.parametrize("case", ["mlr", "wlsmv"])
def test_results_json_block_and_summary(case):
    inv = sequence(case)
    items = inv.to_dict()["invariance"]
    ref = REFS[case]
    for item in items:
        sg = item["stat.group"]
        json.dumps(sg)                                       # plain numbers
        for name, t in ref[item["step"]]["tests"].items():
            assert list(sg[name].values()) == pytest.approx(t["stat.group"], rel=1e-4)
    text = inv.summary()
    last = list(ref)[-1]
    scaled = [k for k in ref[last]["tests"] if k != "standard"][0]
    for g, v in zip(ref[last]["group_label"], ref[last]["tests"][scaled]["stat.group"]):
        assert f"  {g}" in text and f"{v:.2f}" in text     # each group's part of the scaled χ² shown


def test_paper_table_rows_of_each_group():
    from iur_survey.report.paper import invariance_apa
    inv = sequence("mlr")
    doc = {**inv.to_dict(), "call": {"options": {"group": "school"}}}
    frame = invariance_apa(doc).frame.set_index("Step")
    ref = REFS["mlr"]["scalar"]
    # the table shows the scaled χ²: each group's row its part of it (lavaan's yuan.bentler.mplus stat.group)
    for g, v in zip(ref["group_label"], ref["tests"]["yuan.bentler.mplus"]["stat.group"]):
        assert frame.loc[f"scalar: {g}", "Scaled χ²"] == f"{v:.2f}"
    assert "stat.group" in invariance_apa(doc).note
    # an older results.json without the block: no group rows, no note about them
    old = {**doc, "invariance": [{k: v for k, v in s.items() if k != "stat.group"} for s in doc["invariance"]]}
    t = invariance_apa(old)
    assert len(t.frame) == 4 and "stat.group" not in t.note


def test_book_table_rows_of_each_group():
    from iur_survey.report.groups import invariance_summary, invariance_table
    inv = sequence("ml")
    frame = invariance_table(invariance_summary(inv)).frame.set_index("")
    ref = REFS["ml"]
    for step, col in (("configural", "Configural"), ("strict", "Strict")):
        for g, v in zip(ref[step]["group_label"], ref[step]["tests"]["standard"]["stat.group"]):
            assert frame.loc[f"χ²: {g}", col] == f"{v:.2f}"
    # a table cached before the column: no group rows
    summ = invariance_summary(inv)
    summ["table"] = summ["table"].drop(columns="stat.group")
    assert not any(str(i).startswith("χ²:") for i in invariance_table(summ).frame[""])


def test_fit_invariance_results_json_then_tables(tmp_path, capsys):
    from iur_survey.cli import main
    from iur_survey.errors import IURSurveyError
    from iur_survey.sem.results_file import load_results_file
    model = tmp_path / "hs.lav"
    model.write_text(MODEL + "\n", encoding="utf-8")
    out = tmp_path / "results.json"
    assert main(["fit", str(HS), "--model", str(model), "--group", "school", "--estimator", "MLR", "--invariance",
                 "--quiet", "--out", str(out)]) == 0
    doc = load_results_file(out)
    for item in doc["invariance"]:
        for name, t in REFS["mlr"][item["step"]]["tests"].items():
            assert list(item["stat.group"][name].values()) == pytest.approx(t["stat.group"], rel=1e-4)
    assert main(["tables", str(out), "--format", "md", "--out", str(tmp_path / "t.md")]) == 0
    text = (tmp_path / "t.md").read_text(encoding="utf-8")
    assert "| metric: Grant-White | 56.09 |" in text       # lavaan: 56.0886 (yuan.bentler.mplus stat.group)
    # a hand-edited part is refused when the file is read, naming the step and the test
    doc = json.loads(out.read_text(encoding="utf-8"))
    doc["invariance"][1]["stat.group"]["standard"]["Pasteur"] = "high"
    out.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(IURSurveyError, match=r"invariance\[metric\]\.standard\.stat\.group"):
        load_results_file(out)


def test_book_table_names_a_numeric_group_with_its_variable():
    """A numeric group code is never shown bare: "χ²: school = 1", as every other group caption."""
    from iur_survey.report.groups import invariance_summary, invariance_table
    d = pd.read_csv(HS).assign(school=lambda x: (x["school"] == "Pasteur").map({True: 1, False: 2}))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inv = measurement_invariance(MODEL, d, "school", steps=["configural", "metric"])
    rows = invariance_table(invariance_summary(inv)).frame[""].tolist()
    assert "χ²: school = 1" in rows and "χ²: school = 2" in rows
    assert f"{REFS['ml']['metric']['tests']['standard']['stat.group'][0]:.2f}" in invariance_table(
        invariance_summary(inv)).frame.set_index("").loc["χ²: school = 1", "Metric"]
