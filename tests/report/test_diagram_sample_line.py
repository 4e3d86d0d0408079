"""The diagram states the data its numbers come from, as a table note does (audit, session 34): N (and the drawn
group's n), the estimator and the treatment of missing values. Before, a diagram of `fit --group` on 246 rows with
FIML named the group only: a figure standing alone in a paper gave no N, estimator or missing-data method."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from iur_survey.cli import main
from iur_survey.report.diagram import sample_line

HS = Path(__file__).resolve().parents[1] / "reference" / "data" / "hs1939.csv"
MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\ntextual ~ visual\n"


def test_sample_line_of_a_group_and_of_one_group_fit():
    r = {"n": 246, "estimator": "MLR", "missing": "fiml", "groups": {"2": 156, "1": 90}, "norig": {"2": 156, "1": 90}}
    assert sample_line(r, "1", "g") == ('N = 246 (g = 1: n = 90); estimator MLR; missing data: full-information ML '
                                        '(lavaan missing = "ml")')
    assert sample_line({"n": 290, "estimator": "ML", "missing": "listwise", "norig": 301}).endswith(
        "listwise deletion (11 of 301 rows dropped)")
    assert sample_line({"estimator": "ML"}) is None


def test_diagram_of_a_group_names_n_estimator_and_missing(tmp_path):
    d = pd.read_csv(HS)
    d.loc[np.arange(0, len(d), 7), "x2"] = np.nan          # FIML
    data = tmp_path / "hs.csv"
    d.to_csv(data, index=False)
    lav = tmp_path / "m.lav"
    lav.write_text(MODEL, encoding="utf-8")
    assert main(["fit", str(data), "--model", str(lav), "--group", "school", "--out", str(tmp_path / "r.json")]) == 0
    assert main(["diagram", str(tmp_path / "r.json"), "--group", "Grant-White", "--out", str(tmp_path / "d.svg"),
                 "--dot", str(tmp_path / "d.gv")]) == 0
    src = (tmp_path / "d.gv").read_text(encoding="utf-8")
    n_gw = int((d["school"] == "Grant-White").sum())
    assert f"N = {len(d)} (Grant-White: n = {n_gw}); estimator ML; missing data: full-information ML" in src
