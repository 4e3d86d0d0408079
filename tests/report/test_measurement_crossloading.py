"""The measurement and discriminant tables (report/paper.py) on a CFA with a cross-loading item, a residual
covariance and a Heywood case: CR of the standardized solution (semTools' compRelSEM(obs.var = FALSE) on it,
factor correlations and residual covariances included), AVE / Fornell-Larcker "—" with the reason, HTMT over
distinct items, and improper constructs never "met".

References: tests/measure/refs/measurefix_refs.json (make_measurefix_refs.R, lavaan 0.6.14 / semTools) and
tests/reference/json/heywood_150.json.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.report import paper
from iur_survey.report.format import num

TESTS = Path(__file__).resolve().parents[1]
REFS = json.loads((TESTS / "measure" / "refs" / "measurefix_refs.json").read_text(encoding="utf-8"))
HEYWOOD = json.loads((TESTS / "reference" / "json" / "heywood_150.json").read_text(encoding="utf-8"))
HS = pd.read_csv(TESTS / "reference" / "data" / "hs1939.csv")
NO_MOMENTS = paper.FitMoments(None, "not needed here")


def _m2df(m):
    return pd.DataFrame(m["values"], index=m["rownames"], columns=m["colnames"], dtype=float)


# lavaan's sampstat of the fits (AVE is semTools' AVE(fit): it needs them): HS complete, divisor N
HS_MOMENTS = paper.FitMoments({"": HS[[f"x{i}" for i in range(1, 10)]].cov(ddof=0)})
HEYWOOD_MOMENTS = paper.FitMoments({"": _m2df(HEYWOOD["h1"]["cov"])})


def results(case):
    return {"estimates": REFS["cfa"][case]["estimates"], "converged": True, "estimator": "ML", "n": 301}


@pytest.mark.parametrize("case", ["hs_xl", "hs_ce"])
def test_cr_is_comprelsem_of_the_standardized_solution(case):
    ref = REFS["cfa"][case]
    rel = paper.construct_reliability(pd.DataFrame(ref["estimates"]))
    for f, v in ref["cr_std"].items():
        assert abs(rel.loc[f, "CR"] - v) < 1e-8
        assert abs(rel.loc[f, "CR"] - ref["cr_std_semtools"][f]) < 1e-6      # compRelSEM on the std solution
    t = paper.measurement_apa(results(case), HS, moments=NO_MOMENTS)
    firsts = t.frame[t.frame["Construct"] != ""].set_index("Construct")
    for f, v in ref["cr_std"].items():
        assert firsts.loc[f, "CR"] == num(v, 3, False)
    assert "model-implied correlations" in t.note and "compRelSEM(obs.var = FALSE)" in t.note


def test_cross_loading_constructs_say_why_ave_and_fornell_larcker_are_missing():
    t = paper.measurement_apa(results("hs_xl"), HS, moments=HS_MOMENTS)
    firsts = t.frame[t.frame["Construct"] != ""].set_index("Construct")
    assert firsts.loc["vis", "AVE"] == firsts.loc["speed", "AVE"] == "—" and firsts.loc["text", "AVE"] != "—"
    assert "AVE of vis, speed: — (cross-loading item: x9 on vis, speed" in t.note
    d = paper.discriminant_apa(results("hs_xl"), HS, moments=HS_MOMENTS)
    assert "AVE, √AVE and Fornell–Larcker of vis, speed: —" in d.note
    fl = d.frame.set_index("Pair")["Fornell–Larcker"]
    assert fl["vis – speed"] == fl["vis – text"] == "not computable"


def test_htmt_of_constructs_sharing_an_item_in_the_table():
    d = paper.discriminant_apa(results("hs_xl"), HS)
    ref = REFS["cfa"]["hs_xl"]["htmt_distinct"]
    R = pd.DataFrame(ref["values"], index=ref["rownames"], columns=ref["colnames"])
    ht = d.frame.set_index("Pair")["HTMT"]
    assert ht["vis – speed"] == num(R.loc["vis", "speed"], 3) == "0.587"      # HTMT can exceed 1: leading zero
    assert "semTools' htmt(htmt2 = FALSE)" not in d.note
    assert "x9 is an item of vis and speed" in d.note and "semTools' htmt() refuses" in d.note
    # a model without a shared item keeps the semTools wording
    assert "semTools' htmt(htmt2 = FALSE)" in paper.discriminant_apa(results("hs_ce"), HS).note


def test_a_heywood_case_gets_no_cr_ave_or_met():
    res = {"estimates": HEYWOOD["estimates"], "converged": True, "estimator": "ML", "n": HEYWOOD["n"]}
    t = paper.measurement_apa(res, moments=HEYWOOD_MOMENTS)
    firsts = t.frame[t.frame["Construct"] != ""].set_index("Construct")
    assert firsts.loc["TAL", "CR"] == firsts.loc["TAL", "AVE"] == "—"
    assert firsts.loc["VAL", "CR"] != "—" and firsts.loc["COL", "AVE"] != "—"
    assert "TAL: standardized loading of TAL1 1.081, negative residual variance of TAL1" in t.note
    d = paper.discriminant_apa(res, moments=HEYWOOD_MOMENTS)
    fl = d.frame.set_index("Pair")
    assert fl.loc["VAL – TAL", "Fornell–Larcker"] == fl.loc["TAL – COL", "Fornell–Larcker"] == "not computable"
    assert fl.loc["VAL – COL", "Fornell–Larcker"] == "met"
    assert "√AVE of a construct with an improper estimate: —" in d.note


def test_a_constant_item_leaves_alpha_and_htmt_out_with_the_reason():
    data = HS.copy()
    data["x2"] = 5.0
    t = paper.measurement_apa(results("hs_ce"), data, moments=NO_MOMENTS)
    assert t.frame.loc[0, "α"] == "—" and "α: — (x2: item has no variance" in t.note
    d = paper.discriminant_apa(results("hs_ce"), data)
    assert (d.frame["HTMT"] == "—").all() and "HTMT: — (x2: item has no variance" in d.note


def test_a_single_item_construct_has_htmt_not_computable():
    est = pd.DataFrame(REFS["cfa"]["hs_ce"]["estimates"])
    est = est[~((est["op"] == "=~") & (est["lhs"] == "text") & est["rhs"].isin(["x5", "x6"]))]
    d = paper.discriminant_apa({"estimates": est.to_dict("records"), "converged": True}, HS, moments=HS_MOMENTS)
    assert d.frame.set_index("Pair").loc["vis – text", "HTMT"] == "—"
    assert "HTMT —: not computable" in d.note and "√AVE of text: — (a single item" in d.note
    assert d.frame.set_index("Pair").loc["vis – text", "Fornell–Larcker"] == "not computable"
    assert np.isfinite(float("0" + d.frame.set_index("Pair").loc["vis – speed", "HTMT"]))
