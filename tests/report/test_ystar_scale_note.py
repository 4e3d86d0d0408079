"""The thresholds table says on which scale of y* its thresholds are (tests/report/refs/make_ystar_scale_refs.R
-> ystar_scale_refs.json, lavaan 0.6.14).  With ordered items equal across groups (``--equal
thresholds,loadings``) lavaan estimates the scale factors (delta, ``~*~``) or the residual variances of y*
(theta) in every group but the first; the note once said "delta parameterization: y* has variance 1" of every
group, which the reference shows is false of the second school (its x1 ~*~ x1 = 0.921)."""

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
REFS = json.loads((HERE / "refs" / "ystar_scale_refs.json").read_text())
DATA = HERE.parent / "sem" / "groupsum_refs" / "hs1939_ordered4.csv"
_DOCS: dict = {}


def results(case: str) -> dict:
    """Our results.json of a reference case (as ``fit`` writes it, with the call's parameterization), once."""
    if case not in _DOCS:
        ref = REFS[case]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = sem(ref["model"], pd.read_csv(DATA), ordered=ref["ordered"], group=ref["group"],
                      group_equal=ref["group_equal"], parameterization=ref["parameterization"])
        doc = json.loads(res.to_json())
        doc.setdefault("call", {}).setdefault("options", {}).update(
            group=ref["group"], group_equal=ref["group_equal"], parameterization=ref["parameterization"])
        _DOCS[case] = doc
    return _DOCS[case]


def _lavaan(case: str, op: str, group: str) -> list[dict]:
    return [r for r in REFS[case]["rows"] if r["op"] == op and r["group"] == group]


def test_reference_frees_the_scale_of_the_second_group_only():
    """What the note must say, as lavaan has it: fixed at 1 in Pasteur, estimated in Grant-White."""
    for case, op in (("delta_equal", "~*~"), ("theta_equal", "~~")):
        assert all(r["est"] == 1 and r["se"] == 0 for r in _lavaan(case, op, "Pasteur"))
        assert all(r["se"] > 0 for r in _lavaan(case, op, "Grant-White"))
        assert any(abs(r["est"] - 1) > 0.05 for r in _lavaan(case, op, "Grant-White"))
    assert all(r["est"] == 1 for g in ("Pasteur", "Grant-White") for r in _lavaan("delta_free", "~*~", g))


def test_delta_with_equal_thresholds_names_the_group_whose_ystar_is_not_unit_variance():
    t = paper.thresholds_apa(results("delta_equal"))
    assert "y* has variance 1 in Pasteur; in Grant-White the scale factors" in t.note
    assert "y* has variance 1)." not in t.note


def test_theta_with_equal_thresholds_names_the_group_whose_residual_variance_is_estimated():
    t = paper.thresholds_apa(results("theta_equal"))
    assert "residual variance of y* fixed at 1 in Pasteur; in Grant-White it is estimated" in t.note


def test_without_constraints_every_group_has_unit_variance():
    t = paper.thresholds_apa(results("delta_free"))
    assert "on the scale of y* (delta parameterization: y* has variance 1)." in t.note
    assert "Grant-White the scale" not in t.note


@pytest.mark.parametrize("case", ["delta_equal", "theta_equal"])
def test_thresholds_and_scales_as_lavaan(case):
    """The printed thresholds (and SEs) within half a printed unit of lavaan's, and our ~*~ / ~~ rows behind the
    note within 1e-3 of lavaan's."""
    doc = results(case)
    frame = paper.thresholds_apa(doc).frame.set_index(["Group", "Item"])
    ours = {(e["group"], e["lhs"], e["op"], e["rhs"]): e for e in doc["estimates"]}
    for r in REFS[case]["rows"]:
        if r["op"] == "|":
            est, se = (float(x.replace("−", "-")) for x in re.findall(r"−?\d*\.\d+", frame.loc[(r["group"], r["lhs"]), r["rhs"]]))
            assert abs(est - r["est"]) <= 5e-4 + 2e-4 and abs(se - r["se"]) <= 5e-4 + 2e-4, r
        else:
            e = ours[(r["group"], r["lhs"], r["op"], r["rhs"])]
            assert abs(e["est"] - r["est"]) < 1e-3 and abs((e["se"] or 0) - r["se"]) < 1e-3, r


@pytest.mark.parametrize("case", ["delta_equal", "delta_free"])
def test_terminal_says_why_the_robust_indices_are_missing(case):
    """lavaan defines no robust CFI/RMSEA for the two-group WLSMV fit with equal thresholds (NA): the summary's
    dashes come with the reason and the scaled indices (as lavaan's, to the printed digit); a fit that has them
    shows no such words."""
    from iur_survey.report.terminal import terminal_summary
    ref = REFS[case]["fit"]
    head = terminal_summary(results(case)).splitlines()[0]
    if ref["cfi.robust"] is None:
        assert "cfi.robust=— rmsea.robust=— (robust indices not defined for this fit, lavaan: NA; scaled: " in head
        for k in ("cfi.scaled", "tli.scaled", "rmsea.scaled"):
            assert f"{k}={ref[k]:.3f}" in head
    else:
        assert "not defined" not in head and f"cfi.robust={ref['cfi.robust']:.3f}" in head
