"""alpha (semTools' compRelSEM(tau.eq = TRUE)) and the total composite (compRelSEM(return.total = TRUE)) of fits
with ordered items, and the measurement table's alpha of such fits.

References: tests/measure/ordalpha_refs/ordalpha_refs.json, written by make_ordalpha_refs.R next to it (lavaan
0.6.14, semTools 0.5-6, psych): HolzingerSwineford1939 cut into 4 categories (delta and theta parameterizations,
two groups), x1-x3 and x9 continuous with x4-x8 ordered, the same with x1 coded 1, 3, 4, 7 and blank cells in x2
and x5 (listwise, and pairwise), and the study's structural model on ordinal_600.csv.  semTools' alpha of ordered
items (ord.scale = TRUE) is that of cov(lavInspect(fit, "data")), the codes 1..K of the rows the fit used,
divided by the scales; with ord.scale = FALSE that of the polychoric sampstat (or the fitted matrix, obs.var =
FALSE).  The formulas are checked on lavaan's estimates and sampstat to 1e-6 (they agree to ~1e-14).
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import pandas as pd
import pytest

from iur_survey.measure import composite_reliability
from iur_survey.measure.reliability import (MISSING_CODES_WARNING, MIXED_ALPHA_WARNING, MIXED_TOTAL_WARNING,
                                            ordinal_codes)
from iur_survey.report import paper
from iur_survey.report.format import num

TESTS = Path(__file__).resolve().parents[1]
REFS = {k: v for k, v in json.loads((TESTS / "measure" / "ordalpha_refs" / "ordalpha_refs.json").read_text(
    encoding="utf-8")).items() if isinstance(v, dict)}
ONE = [k for k, v in REFS.items() if not v["groups"]]
TOL = 1e-6


def _m2df(m) -> pd.DataFrame:
    return pd.DataFrame(m["values"], index=m["rownames"], columns=m["colnames"], dtype=float)


def _rows(ref, group=None) -> pd.DataFrame:
    """The rows the fit used (lavInspect(fit, "data")): the model's items, listwise unless pairwise."""
    d = pd.read_csv(TESTS / ref["data"])
    if group is not None:
        d = d[d[ref["group"]] == group]
    est = pd.DataFrame(ref["estimates"])
    items = list(dict.fromkeys(est.loc[est["op"] == "=~", "rhs"]))
    return d[items].dropna() if ref["missing"] == "listwise" else d[items]


def _same(ours: pd.Series, ref: dict, tol: float = TOL) -> None:
    assert set(ours.index) == set(ref), (list(ours.index), list(ref))
    for f, v in ref.items():
        if v is None:                       # semTools: NA
            assert math.isnan(ours[f]), (f, ours[f])
        else:
            assert ours[f] == pytest.approx(v, abs=tol), (f, ours[f], v)


def _quiet(fn, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kw)


# (entry in the references, arguments of composite_reliability besides the estimates)
CALLS = {"alpha": dict(tau_eq=True, cov="sampstat", data=True),
         "alpha_ord_scale_false": dict(tau_eq=True, ord_scale=False, cov="sampstat"),
         "alpha_ord_scale_false_obs_var_false": dict(tau_eq=True, ord_scale=False),
         "total_ord_scale_false": dict(return_total=True, ord_scale=False, cov="sampstat"),
         "total_obs_var_false": dict(return_total=True, ord_scale=False),
         "alpha_total": dict(tau_eq=True, return_total=True, cov="sampstat", data=True),
         "alpha_total_ord_scale_false": dict(tau_eq=True, return_total=True, ord_scale=False, cov="sampstat")}


def _call(ref, kw, group=None):
    kw = dict(kw)
    est = pd.DataFrame(ref["estimates"])
    if group is not None:
        est = est[est["group"] == group].drop(columns=["group"])
    if kw.pop("cov", None):
        kw["cov"] = _m2df(ref["sampstat"] if group is None else ref["sampstat"][group])
    if kw.pop("data", None):
        kw["data"] = _rows(ref, group)
    out = _quiet(composite_reliability, est, **kw)
    return out["alpha" if kw.get("tau_eq") else "omega"]


@pytest.mark.parametrize("name", ONE)
@pytest.mark.parametrize("call", list(CALLS))
def test_alpha_and_total_are_semtools_on_lavaans_estimates(name, call):
    ref = REFS[name]
    want = dict(ref[call])
    ours = _call(ref, CALLS[call])
    if "total" in call and "total" not in want:     # both kinds of items: semTools leaves the total out; NaN
        assert math.isnan(ours.pop("total"))
    _same(ours, want)


@pytest.mark.parametrize("call", list(CALLS))
def test_each_group_of_a_two_group_fit(call):
    ref = REFS["hs4_groups"]
    for g in ref["groups"]:
        _same(_call(ref, CALLS[call], g), ref[call][g])


def test_alpha_of_the_codes_is_psychs_alpha_in_the_delta_parameterization_only():
    """psych::alpha of lavInspect(fit, "data") is semTools' alpha when the scales are 1; theta divides by them.
    ord_scale=False is the "ordinal alpha" (psych's alpha of its polychoric correlations, which differ from
    lavaan's in the fifth decimal)."""
    for name in ("hs4", "hs4_gaps", "hs4_mixed", "study"):
        ref = REFS[name]
        assert ref["psych_alpha"] == pytest.approx(ref["alpha"], abs=1e-12)
        _same(_call(ref, CALLS["alpha"]), ref["psych_alpha"])
        for f, v in ref["psych_ordinal_alpha"].items():
            if v is not None:
                assert ref["alpha_ord_scale_false"][f] == pytest.approx(v, abs=1e-4)
    theta = REFS["hs4_theta"]
    assert abs(theta["alpha"]["speed"] - theta["psych_alpha"]["speed"]) > 0.03


def test_codes_are_the_ranks_of_the_observed_values():
    """x1 coded 1, 3, 4, 7: lavaan's codes are 1-4, so alpha is that of hs1939_ord4's x1 on the same rows."""
    ref = REFS["hs4_gaps"]
    rows = _rows(ref)
    assert sorted(rows["x1"].unique()) == [1, 3, 4, 7]
    plain = pd.read_csv(TESTS / REFS["hs4"]["data"]).loc[rows.index, rows.columns]
    pd.testing.assert_series_equal(ordinal_codes(rows, ["x1"])["x1"], plain["x1"].astype(float))
    assert len(rows) == ref["nobs"] == 277


def test_missing_cells_in_the_fits_data_make_alpha_nan_with_the_reason():
    """missing = "pairwise": lavInspect(fit, "data") holds NA, and semTools' scaling spreads it to every alpha
    (speed's items have no blank cell, yet its alpha is NA too)."""
    ref = REFS["hs4_pairwise"]
    assert set(ref["alpha"].values()) == {None} and set(ref["alpha_total"].values()) == {None}
    est = pd.DataFrame(ref["estimates"])
    with pytest.warns(UserWarning, match=MISSING_CODES_WARNING.replace("(", r"\(").replace(")", r"\)")
                      + r" \(x2, x5: missing = 'pairwise'\?\)"):
        out = composite_reliability(est, tau_eq=True, return_total=True, data=_rows(ref))
    assert out["alpha"].isna().all() and out["meets_cutoff"].isna().all()


def test_mixed_kinds_of_items_give_semtools_nas_with_warnings():
    ref = REFS["hs4_mixed"]
    assert "total" not in ref["total_ord_scale_false"] and ref["messages"]["total_ord_scale_false"] == []
    est, S = pd.DataFrame(ref["estimates"]), _m2df(ref["sampstat"])
    with pytest.warns(UserWarning) as said:
        out = composite_reliability(est, S, tau_eq=True, ord_scale=False, return_total=True)
    text = [str(w.message) for w in said]
    assert any(t.startswith(MIXED_ALPHA_WARNING) and "speed (x7, x8 ordered; x9 continuous)" in t for t in text)
    assert any(t.startswith(MIXED_TOTAL_WARNING) for t in text)
    assert math.isnan(out.loc["speed", "alpha"]) and math.isnan(out.loc["total", "alpha"])
    assert out.loc["total", "n_items"] == 9


def test_what_semtools_fails_on_is_refused():
    """The categorical omega of the total (semTools 0.5-6: "non-conformable arguments"), alpha of ordered items
    without the fit's data, and alpha of a higher-order factor."""
    ref = REFS["hs4"]
    assert "non-conformable" in ref["total_error"]
    est, S = pd.DataFrame(ref["estimates"]), _m2df(ref["sampstat"])
    with pytest.raises(ValueError, match="total composite of ordered items.*non-conformable"):
        composite_reliability(est, S, return_total=True)
    with pytest.raises(ValueError, match="needs the fit's data"):
        composite_reliability(est, S, tau_eq=True)
    with pytest.raises(ValueError, match="higher= with tau_eq"):
        composite_reliability(est, S, tau_eq=True, ord_scale=False, higher=["g"])


def test_alpha_of_the_sampstat_does_not_depend_on_the_estimates():
    """alpha of the data or of sampstat is not flagged improper (only omega and AVE use the estimates)."""
    ref = REFS["hs4"]
    est = pd.DataFrame(ref["estimates"])
    bad = est.copy()
    bad.loc[(bad["op"] == "~~") & (bad["lhs"] == "x3") & (bad["rhs"] == "x3"), "est"] = -0.1
    out = composite_reliability(bad, _m2df(ref["sampstat"]), tau_eq=True, ord_scale=False)
    assert (out["improper"] == "").all() and out.loc["visual", "meets_cutoff"] is not pd.NA


def _table(ref, tmp_path, **kw):
    from iur_survey.sem import sem

    data = pd.read_csv(TESTS / ref["data"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sem(ref["model"], data, ordered=ref["ordered"], estimator="WLSMV", **kw)
    out = tmp_path / "results.json"
    out.write_text(json.dumps(res.to_dict()), encoding="utf-8")
    results = paper.load_results(out)
    t = paper.measurement_apa(results, data=data)
    return t, t.frame[t.frame["Construct"] != ""].set_index("Construct")


@pytest.mark.parametrize("name, kw", [("hs4", {}), ("hs4_theta", {"parameterization": "theta"}),
                                      ("hs4_gaps", {"missing": "listwise"}), ("hs4_mixed", {})])
def test_the_measurement_tables_alpha_of_an_ordered_fit_is_semtools(name, kw, tmp_path):
    """Our engine's WLSMV fit -> results.json -> the measurement table: α is compRelSEM(fit, tau.eq = TRUE)."""
    ref = REFS[name]
    t, firsts = _table(ref, tmp_path, **kw)
    assert [firsts.loc[f, "α"] for f in ref["alpha"]] == [num(v, 3, False) for v in ref["alpha"].values()]
    assert "α: semTools' compRelSEM(fit, tau.eq = TRUE), Cronbach's alpha of the item codes" in t.note
    assert ("theta parameterization" in t.note) == (name == "hs4_theta")


def test_the_measurement_table_says_why_alpha_is_missing_under_pairwise(tmp_path):
    """The engine's default for ordered items with blank cells is pairwise (lavaan's missing = "pairwise"):
    semTools' alpha is NA, so α is — and the note says why."""
    ref = REFS["hs4_pairwise"]
    t, firsts = _table(ref, tmp_path)
    assert set(firsts["α"]) == {"—"}
    assert "α: — (semTools' compRelSEM(tau.eq = TRUE) is NA: the rows the fit used hold missing cells" in t.note


def test_rows_that_are_not_the_fits_give_no_alpha():
    ref = REFS["hs4_gaps"]
    est = pd.DataFrame(ref["estimates"])
    d = pd.read_csv(TESTS / ref["data"])
    rows, why = paper.fit_rows({"n": 277, "missing": "listwise"}, d, est)
    assert why == "" and len(rows) == 277 and list(rows.columns) == [f"x{k}" for k in range(1, 10)]
    rows, why = paper.fit_rows({"n": 300, "missing": "listwise"}, d, est)
    assert rows is None and "277 rows complete on the model's variables, the fit used 300" in why


@pytest.mark.slow
def test_the_study_model_on_ordinal_600_through_the_commands(tmp_path):
    """`iur-survey fit --estimator WLSMV --ordered` then `tables`: the measurement table's α is semTools'
    compRelSEM(fit, tau.eq = TRUE) of lavaan's fit (psych's alpha of the item codes)."""
    from iur_survey.cli import main

    ref = REFS["study"]
    out = tmp_path / "wlsmv.json"
    assert main(["fit", str(TESTS / ref["data"]), "--estimator", "WLSMV", "--ordered", "--out", str(out),
                 "--quiet"]) == 0
    meas = next(t for t in paper.paper_tables([paper.load_results(out)]) if t.title.startswith("Measurement model"))
    firsts = meas.frame[meas.frame["Construct"] != ""].set_index("Construct")
    assert [firsts.loc[f, "α"] for f in ref["alpha"]] == [num(v, 3, False) for v in ref["alpha"].values()]
    assert "compRelSEM(fit, tau.eq = TRUE)" in meas.note


def test_the_measurement_table_of_each_group(tmp_path):
    """Two groups: each group's α is its compRelSEM(fit, tau.eq = TRUE) (the group's rows of the data)."""
    from iur_survey.sem import sem

    ref = REFS["hs4_groups"]
    data = pd.read_csv(TESTS / ref["data"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sem(ref["model"], data, ordered=ref["ordered"], estimator="WLSMV", group=ref["group"])
    results = json.loads(json.dumps(res.to_dict()))
    results["call"] = {"options": {"group": ref["group"]}}
    for g in ref["groups"]:
        t = paper.measurement_apa(results, data=data, group=g)
        firsts = t.frame[t.frame["Construct"] != ""].set_index("Construct")
        assert [firsts.loc[f, "α"] for f in ref["alpha"][g]] == [num(v, 3, False) for v in ref["alpha"][g].values()]
