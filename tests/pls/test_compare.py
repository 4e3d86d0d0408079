"""compare_with_cbsem on every shape the CB-SEM estimates come in: our engine's parameter_estimates(), a
lavaan 0.6.14 reference (bootstrap CIs), the estimates list of `iur-survey fit`'s JSON, and a
standardizedSolution()-style table."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.pls import compare_with_cbsem, pls_sem
from iur_survey.sem import sem
from iur_survey.study import default_model

REF = Path(__file__).resolve().parents[1] / "reference"


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(REF / "data" / "complete_800.csv")


@pytest.fixture(scope="module")
def pls(data):
    return pls_sem(data, default_model(), n_boot=300, seed=2022)


@pytest.fixture(scope="module")
def cb(data):
    return sem(default_model(), data).parameter_estimates()


@pytest.fixture(scope="module")
def cb_fit(data):
    return sem(default_model(), data)


def test_engine_table(pls, cb, cb_fit):
    tab = compare_with_cbsem(pls, cb_fit)                     # the fit: its standardizedSolution interval
    assert list(tab["op"]) == ["~"] * 11 + [":="] * 10
    paths = tab[tab["op"] == "~"]
    # CB-SEM side copied from the table; the standardized interval is standardizedSolution()'s, not the
    # unstandardized interval rescaled by std.all / est
    reg = cb[cb["op"] == "~"].set_index(["lhs", "rhs"])
    ss = cb_fit.standardized_solution().set_index(["lhs", "op", "rhs"])
    for row in tab.itertuples(index=False):
        want = ss.loc[(row.lhs, row.op, row.rhs)]
        assert row.cb_std == pytest.approx(want["est.std"], abs=1e-12)
        assert tab.loc[tab["lhs"].eq(row.lhs) & tab["rhs"].eq(row.rhs), "cb_std.ci.lower"].item() == want["ci.lower"]
        assert tab.loc[tab["lhs"].eq(row.lhs) & tab["rhs"].eq(row.rhs), "cb_std.ci.upper"].item() == want["ci.upper"]
        assert tab.loc[tab["lhs"].eq(row.lhs) & tab["rhs"].eq(row.rhs), "cb_std.se"].item() == want["se"]
    for row in paths.itertuples(index=False):
        src = reg.loc[(row.lhs, row.rhs)]
        assert row.cb_std == src["std.all"] and row.cb_pvalue == src["pvalue"] and row.label == src["label"]
    # the same from the fit's results.json estimates, and from the table plus standardized=
    records = cb_fit.to_dict()["estimates"]
    for other in (compare_with_cbsem(pls, records), compare_with_cbsem(pls, cb, standardized=ss.reset_index())):
        np.testing.assert_allclose(other["cb_std.ci.lower"], tab["cb_std.ci.lower"], rtol=1e-12)
        np.testing.assert_allclose(other["cb_std.se"], tab["cb_std.se"], rtol=1e-12)
    # a parameterEstimates() table alone has no standardized interval: NaN and a warning, never a rescaling
    with pytest.warns(UserWarning, match="no standardized interval"):
        bare = compare_with_cbsem(pls, cb)
    assert bare["cb_std.ci.lower"].isna().all() and np.allclose(bare["cb_std"], tab["cb_std"])
    # PLS side equals the PLS tables
    pc = pls.path_coefficients()
    assert np.allclose(paths["pls_est"], pc["est"]) and np.allclose(paths["pls_ci.lower"], pc["ci.lower"])
    defs = tab[tab["op"] == ":="].set_index("lhs")
    mine = pls.defined().set_index("name")
    assert np.allclose(defs["pls_est"], mine.loc[defs.index, "est"], atol=1e-14)
    assert np.allclose(defs["pls_ci.upper"], mine.loc[defs.index, "ci.upper"], atol=1e-14)
    assert np.allclose(defs["diff"], defs["pls_est"] - defs["cb_std"])
    # the study's model on these data: PLS and CB-SEM agree on sign and significance of most effects
    assert tab["same_sign"].mean() > 0.9


def test_lavaan_reference_bootstrap_table(pls):
    ref = json.loads((REF / "json" / "boot_complete_800.json").read_text())
    with pytest.warns(UserWarning, match="no standardized interval"):   # lavaan's parameterEstimates() only
        tab = compare_with_cbsem(pls, ref["estimates"])      # a list of dicts, as in the JSON
    est = pd.DataFrame(ref["estimates"])
    row = tab[(tab["lhs"] == "INT") & (tab["rhs"] == "COL")].iloc[0]
    src = est[(est["lhs"] == "INT") & (est["op"] == "~") & (est["rhs"] == "COL")].iloc[0]
    assert row["cb_ci.lower"] == src["ci.lower"] and row["cb_std"] == src["std.all"]
    assert len(tab) == 21


def test_fit_command_json_shape(pls, cb):
    records = json.loads(cb.to_json(orient="records"))
    with pytest.warns(UserWarning, match="no standardized interval"):
        a = compare_with_cbsem(pls, records)
        b = compare_with_cbsem(pls, cb)
    pd.testing.assert_frame_equal(a, b)


def test_standardized_solution_shape(pls):
    std = pd.DataFrame({"lhs": ["COL", "INT", "ind"], "op": ["~", "~", ":="], "rhs": ["GOV", "COL", "a1*b"],
                        "label": ["a1", "b", "ind"], "est.std": [0.28, 0.41, 0.115], "se": [0.04, 0.06, 0.02],
                        "pvalue": [1e-9, 1e-9, 1e-6], "ci.lower": [0.2, 0.29, 0.075],
                        "ci.upper": [0.36, 0.53, 0.155]})
    tab = compare_with_cbsem(pls, std)
    row = tab[(tab["lhs"] == "INT") & (tab["rhs"] == "COL")].iloc[0]
    assert row["cb_std"] == 0.41 and row["cb_std.ci.lower"] == 0.29 and row["cb_est"] == 0.41
    ind = tab[tab["op"] == ":="].iloc[0]
    pc = pls.path_coefficients().set_index("label")["est"]
    assert np.isclose(ind["pls_est"], pc["a1"] * pc["b"])
    # paths of the PLS model absent from the CB table stay, with NaN on the CB side
    missing = tab[(tab["lhs"] == "COL") & (tab["rhs"] == "MKT")].iloc[0]
    assert np.isnan(missing["cb_std"]) and pd.isna(missing["agree"])


def test_without_bootstrap_and_errors(data, cb):
    plain = pls_sem(data, default_model())
    with pytest.warns(UserWarning, match="no standardized interval"):
        tab = compare_with_cbsem(plain, cb)
    assert tab["pls_pvalue"].isna().all() and tab["agree"].isna().all()
    assert tab["cb_significant"].notna().all()
    with pytest.raises(ValueError, match="columns"):
        compare_with_cbsem(plain, pd.DataFrame({"x": [1]}))
    two = pd.concat([cb.assign(group=1), cb.assign(group=2)])
    from iur_survey.errors import EstimationError
    with pytest.raises(EstimationError, match="single-group"):     # a typed one-line error (the CLI printed a traceback)
        compare_with_cbsem(plain, two)



def test_a_nan_htmt_is_not_computable_and_does_not_meet_the_criterion():
    """A single-item construct has no HTMT (NaN): its flags are <NA> ("not computable"), not False ("fails"),
    and the measurement verdict does not count it as met (as measure.validity.htmt does)."""
    from iur_survey.pls import example_data
    from iur_survey.pls.compare import measurement_verdict

    model = "X =~ x1 + x2 + x3\nM =~ m1\nY =~ y1 + y2 + y3\nM ~ X\nY ~ M + X"
    res = pls_sem(example_data(), model=model)
    ht = res.htmt().set_index(["construct_1", "construct_2"])
    assert np.isnan(ht.loc[("X", "M"), "htmt"]) and pd.isna(ht.loc[("X", "M"), "below_085"])
    assert bool(ht.loc[("X", "Y"), "below_085"]) is True
    verdict = measurement_verdict(res.reliability(), res.htmt())
    assert verdict["meets_all"] is False


def test_a_defined_effect_is_judged_by_its_percentile_interval(pls, cb):
    """Hair et al. (2021): an indirect effect is significant when its bootstrap percentile interval excludes 0,
    whatever the p of t = est / SE (the two can disagree for a skewed product); a path keeps its p."""
    tab = compare_with_cbsem(pls, cb)
    ind = tab[tab["op"] == ":="]
    excl = (ind["pls_ci.lower"] > 0) | (ind["pls_ci.upper"] < 0)
    assert (ind["pls_significant"].astype(bool) == excl).all()
    paths = tab[tab["op"] == "~"]
    assert (paths["pls_significant"].astype(bool) == (paths["pls_pvalue"] < 0.05)).all()
