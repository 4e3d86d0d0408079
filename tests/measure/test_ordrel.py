"""omega (semTools' compRelSEM) and AVE (semTools' AVE) of fits with ordered items, and of higher-order models.

References: tests/measure/ordrel_refs/ordrel_refs.json, written by make_ordrel_refs.R next to it (lavaan 0.6.14,
semTools 0.5-6): the study's structural model on ordinal_600.csv (WLSMV), HolzingerSwineford1939 cut into 4
categories (CFA in the delta and theta parameterizations, a second-order model, a structural model), x1-x3 and x9
continuous with x4-x8 ordered (the factor speed has both kinds), and the second-order model on the continuous
data (ML).  The formulas are checked on lavaan's own estimates and sampstat to 1e-6 (they agree to ~1e-9, the
JSON's digits); our engine's fits to 2e-6, lavaan's own convergence (its delta and theta fits of one model give
omegas 6e-7 apart).
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.measure import ave, composite_reliability
from iur_survey.measure.reliability import MIXED_OMEGA_WARNING, omega_cat
from iur_survey.report import paper
from iur_survey.report.format import num

TESTS = Path(__file__).resolve().parents[1]
REFS = {k: v for k, v in json.loads((TESTS / "measure" / "ordrel_refs" / "ordrel_refs.json").read_text(
    encoding="utf-8")).items() if isinstance(v, dict)}
GROUPS = REFS.pop("hs4_groups")
TOL = 1e-6


def _m2df(m) -> pd.DataFrame:
    return pd.DataFrame(m["values"], index=m["rownames"], columns=m["colnames"], dtype=float)


def _same(ours: pd.Series, ref: dict, tol: float = TOL) -> None:
    assert set(ref) <= set(ours.index), (list(ours.index), list(ref))
    for f, v in ref.items():
        if v is None:                       # semTools: NA
            assert math.isnan(ours[f]), (f, ours[f])
        else:
            assert ours[f] == pytest.approx(v, abs=tol), (f, ours[f], v)


def _quiet(fn, *args, **kw):
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=MIXED_OMEGA_WARNING.replace("(", r"\(").replace(")", r"\)"))
        return fn(*args, **kw)


@pytest.mark.parametrize("name", list(REFS))
def test_omega_and_ave_are_semtools_on_lavaans_estimates(name):
    """compRelSEM(fit) (ord.scale = TRUE: omegaCat), compRelSEM(obs.var = FALSE), compRelSEM(ord.scale = FALSE),
    AVE(fit), AVE(obs.var = FALSE) from lavaan's parameterEstimates and sampstat."""
    ref = REFS[name]
    est, S = pd.DataFrame(ref["estimates"]), _m2df(ref["sampstat"])
    _same(_quiet(composite_reliability, est, S)["omega"], ref["compRelSEM"])
    _same(_quiet(composite_reliability, est)["omega"], ref["compRelSEM_obs_var_false"])
    _same(_quiet(composite_reliability, est, S, ord_scale=False)["omega"], ref["compRelSEM_ord_scale_false"])
    _same(ave(est, S)["ave"], ref["AVE"])
    _same(ave(est)["ave"], ref["AVE_obs_var_false"])


def test_the_categorical_omega_is_not_the_latent_response_omega():
    """ord.scale matters (by more than the tolerance), so the test above tells the two apart."""
    ref = REFS["hs4"]
    assert max(abs(ref["compRelSEM"][f] - ref["compRelSEM_ord_scale_false"][f]) for f in ref["compRelSEM"]) > 0.03


def test_theta_parameterization_divides_by_the_scales():
    """In the theta parameterization semTools' AVE is on the latent responses' model scale (scales != 1): it
    differs from the delta parameterization's, and so do we; omegaCat does not depend on it."""
    d, t = REFS["hs4"], REFS["hs4_theta"]
    assert abs(d["AVE"]["visual"] - t["AVE"]["visual"]) > 0.05
    assert abs(d["compRelSEM"]["visual"] - t["compRelSEM"]["visual"]) < 1e-5


def test_a_factor_of_ordered_and_continuous_items_gets_nan_and_a_warning():
    """semTools' compRelSEM gives NA (without its message, which its early return skips); we warn."""
    ref = REFS["hs4_mixed"]
    assert ref["compRelSEM"]["speed"] is None and ref["messages"] == []
    with pytest.warns(UserWarning, match=r"both ordered and continuous indicators .*speed \(x7, x8 ordered; x9 "
                                         r"continuous\)"):
        out = composite_reliability(pd.DataFrame(ref["estimates"]), _m2df(ref["sampstat"]))
    assert math.isnan(out.loc["speed", "omega"]) and out.loc["speed", "meets_cutoff"] is pd.NA  # not computable
    assert out.loc["visual", "omega"] == pytest.approx(ref["compRelSEM"]["visual"], abs=TOL)


def test_higher_order_factor_omega_and_its_first_order_factors():
    """A first-order factor's variance is lavaan's cov.lv (its "~~" row is a disturbance: the omega of visual
    was .145 instead of .612 with it); semTools' higher = "g" for ML; refused for ordered items (semTools
    0.5-6 fails: "non-conformable arguments")."""
    ref = REFS["hs_higher_ml"]
    out = composite_reliability(pd.DataFrame(ref["estimates"]), _m2df(ref["sampstat"]), higher=["g"])["omega"]
    _same(out, ref["compRelSEM_higher"])
    cat = REFS["hs4_higher"]
    assert "non-conformable" in cat["compRelSEM_higher_error"]
    with pytest.raises(ValueError, match="higher-order factor 'g' with ordered items"):
        composite_reliability(pd.DataFrame(cat["estimates"]), _m2df(cat["sampstat"]), higher=["g"])
    with pytest.raises(ValueError, match="not a higher-order factor"):
        composite_reliability(pd.DataFrame(ref["estimates"]), higher=["visual"])


def test_omega_cat_of_one_item_pair_by_hand():
    """Two binary items cut at 0: Φ2(0, 0; r) = 1/4 + asin(r)/(2π), so omega = Σ asin(R_jj') / Σ asin(D_jj')."""
    tv = np.array([[0.6, 0.3], [0.3, 0.5]])
    D = np.array([[2.0, 0.6], [0.6, 0.5]])            # used as a correlation matrix: r = .6 / 1
    got = omega_cat(tv, D, [np.zeros(1), np.zeros(1)], np.ones(2))
    r = D[0, 1] / math.sqrt(D[0, 0] * D[1, 1])
    want = (np.arcsin(0.6) + np.arcsin(0.5) + 2 * np.arcsin(0.3)) / (2 * np.arcsin(1.0) + 2 * np.arcsin(r))
    assert got == pytest.approx(want, abs=1e-12)


@pytest.mark.parametrize("name", ["hs4", "hs4_theta", "hs4_sem", "hs4_mixed", "hs4_higher"])
def test_engine_fits_and_their_results_json_give_semtools_figures(name, tmp_path):
    """Our engine's fit -> sample_statistics() (lavaan's polychoric sampstat) -> the same omega and AVE; its
    results.json stores that sampstat, and the measurement table prints compRelSEM's and AVE's figures."""
    from iur_survey.sem import sem

    ref = REFS[name]
    data = pd.read_csv(TESTS / ref["data"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sem(ref["model"], data, ordered=ref["ordered"], estimator="WLSMV",
                  parameterization=ref["parameterization"])
    S = res.sample_statistics()["cov"]
    np.testing.assert_allclose(S.to_numpy(), _m2df(ref["sampstat"]).loc[S.index, S.index].to_numpy(), atol=1e-6)
    est = res.parameter_estimates()
    _same(_quiet(composite_reliability, est, S)["omega"], ref["compRelSEM"], 2e-6)
    _same(ave(est, S)["ave"], ref["AVE"], 2e-6)
    out = tmp_path / "results.json"
    out.write_text(json.dumps(res.to_dict()), encoding="utf-8")
    results = paper.load_results(out)
    moments = paper.FitMoments.of(results)
    assert moments.ordered and len(moments.cov) == 1
    t = paper.measurement_apa(results, moments=moments)
    firsts = t.frame[t.frame["Construct"] != ""].set_index("Construct")
    for f, v in ref["compRelSEM"].items():
        assert firsts.loc[f, "ω"] == ("—" if v is None else num(v, 3, False)), (f, firsts.loc[f, "ω"], v)
    for f, v in ref["AVE"].items():
        assert firsts.loc[f, "AVE"] == num(v, 3, False)
    assert "Green and Yang's (2009) categorical ω" in t.note and "not implemented" not in t.note
    if name == "hs4_mixed":
        assert "ω of speed (x7, x8 ordered; x9 continuous): — (ordered and continuous items" in t.note


def test_each_group_of_a_multigroup_fit_gets_semtools_figures(tmp_path):
    """Two groups (school): lavaan's per-group estimates and sampstat give compRelSEM's and AVE's rows, and so
    does our engine's fit through results.json and the measurement table of each group."""
    from iur_survey.sem import sem

    ref = GROUPS
    est = pd.DataFrame(ref["estimates"])
    for g in ref["groups"]:
        one = est[est["group"] == g].drop(columns=["group"])
        S = _m2df(ref["sampstat"][g])
        _same(composite_reliability(one, S)["omega"], ref["compRelSEM"][g])
        _same(ave(one, S)["ave"], ref["AVE"][g])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sem(ref["model"], pd.read_csv(TESTS / ref["data"]), ordered=ref["ordered"], estimator="WLSMV",
                  group=ref["group"])
    out = tmp_path / "results.json"
    out.write_text(json.dumps(res.to_dict()), encoding="utf-8")
    results = paper.load_results(out)
    moments = paper.FitMoments.of(results)
    assert moments.ordered and set(moments.cov) == set(ref["groups"])
    for g in ref["groups"]:
        t = paper.measurement_apa(results, group=g, moments=moments)
        firsts = t.frame[t.frame["Construct"] != ""].set_index("Construct")
        assert [firsts.loc[f, "ω"] for f in ref["compRelSEM"][g]] == [num(v, 3, False)
                                                                       for v in ref["compRelSEM"][g].values()]
        assert [firsts.loc[f, "AVE"] for f in ref["AVE"][g]] == [num(v, 3, False) for v in ref["AVE"][g].values()]


def test_a_results_json_without_sampstat_is_refitted():
    """A WLSMV results.json written before it stored sampstat: the polychoric correlations come from a refit of
    the recorded call (as the ML fits' moments)."""
    from iur_survey.sem import sem

    ref = REFS["hs4"]
    path = TESTS / ref["data"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sem(ref["model"], pd.read_csv(path), ordered=True, estimator="WLSMV")
    results = res.to_dict()
    results.pop("sampstat")
    results["call"] = {"data": {"path": str(path)}, "model": {"syntax": ref["model"]},
                       "options": {"ordered": True, "estimator": "WLSMV"}}
    moments = paper.FitMoments.of(results)
    assert moments.ordered, moments.reason
    if moments.cov is None:                 # the refit could not be replayed: a reason, never a number
        assert moments.reason
        return
    _same(composite_reliability(res.parameter_estimates(), moments.cov[""])["omega"], ref["compRelSEM"], 2e-6)


@pytest.mark.slow
def test_the_study_model_on_ordinal_600_through_the_commands(tmp_path):
    """`iur-survey fit --estimator WLSMV --ordered` then `tables`: the measurement table's ω and AVE are
    semTools' compRelSEM(fit) and AVE(fit) of lavaan's fit (the discriminant table's √AVE too)."""
    from iur_survey.cli import main

    ref = REFS["study"]
    out = tmp_path / "wlsmv.json"
    assert main(["fit", str(TESTS / ref["data"]), "--estimator", "WLSMV", "--ordered", "--out", str(out),
                 "--quiet"]) == 0
    results = paper.load_results(out)
    est = paper.estimates_frame(results)
    est = est[est["group"] == ""].drop(columns=["group"])
    S = paper.FitMoments.of(results).cov[""]
    _same(composite_reliability(est, S)["omega"], ref["compRelSEM"], 2e-6)
    _same(ave(est, S)["ave"], ref["AVE"], 2e-6)
    tables = paper.paper_tables([results])
    meas = next(t for t in tables if t.title.startswith("Measurement model")).frame
    firsts = meas[meas["Construct"] != ""].set_index("Construct")
    assert [firsts.loc[f, "ω"] for f in ref["compRelSEM"]] == [num(v, 3, False) for v in ref["compRelSEM"].values()]
    assert [firsts.loc[f, "AVE"] for f in ref["AVE"]] == [num(v, 3, False) for v in ref["AVE"].values()]
    disc = next(t for t in tables if t.title.startswith("Discriminant")).frame.set_index("Pair")
    assert disc.loc["GOV – MKT", "√AVE"] == (f"{num(math.sqrt(ref['AVE']['GOV']), 3, False)}, "
                                             f"{num(math.sqrt(ref['AVE']['MKT']), 3, False)}")
