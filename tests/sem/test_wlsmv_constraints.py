"""General (linear) ``==`` constraints with ordered items, one group: lavaan's ``sem(model, data, ordered = TRUE)``
with e.g. ``l2 == 2*l3 - 0.9`` (sem/wlsmv.py: the fit runs on ``theta = theta0 + B z``, the covariance is
``B Var(z) B'``, the df and npar count the constraints' rank, the identification rule stacks their Jacobian).

References: tests/sem/ordinal_refs/make_na_se_refs.R -> na_se_refs.json (lavaan 0.6.14), read only.
"""

from __future__ import annotations

import numpy as np
import pytest

from iur_survey.errors import EstimationError, ModelSyntaxError
from iur_survey.sem import sem
from iur_survey.sem.datacheck import CANNOT_INVERT
from iur_survey.sem.wlsmv_bootstrap import wlsmv_bootstrap
from tests.sem._ordinal_common import load_data, load_json


@pytest.fixture(scope="module")
def refs():
    return load_json("na_se_refs.json")


@pytest.fixture(scope="module")
def items():
    """The 600 x 28 five-point items of the misfit data set."""
    return load_data("misfit_600")


@pytest.mark.parametrize("name", ["wlsmv_eq_two_pairs", "wlsmv_eq_def", "dwls_eq_def", "mixed_eq_def"])
def test_equality_constraint_matches_lavaan(name, refs, items):
    case = refs[name]
    ordered = True if case["ordered"] == "all" else list(case["ordered"])      # mixed: GOV2, GOV4 continuous
    res = sem(case["model"], items, ordered=ordered, estimator=case["estimator"])
    assert res.converged and case["warnings"] == [] and res.warnings == []
    pe = res.parameter_estimates()
    ours = {(r.lhs, r.op, r.rhs): (r.est, r.se) for r in pe.itertuples(index=False)}
    assert len(ours) == len(case["estimates"])
    for row in case["estimates"]:
        est, se = ours[(row["lhs"], row["op"], row["rhs"])]
        assert est == pytest.approx(row["est"], abs=2e-5), row
        assert se == pytest.approx(row["se"], rel=2e-3, abs=2e-6), row
    l2 = pe.loc[pe.label == "l2", "est"].iloc[0]
    l3 = pe.loc[pe.label == "l3", "est"].iloc[0]
    assert l2 == pytest.approx(2 * l3 - 0.9, abs=1e-10)
    fm = res.fit_measures()
    for k, v in case["fit"].items():
        if v is None:                                  # lavaan: NA (no robust indices for mixed data)
            assert np.isnan(fm[k]), k
        else:
            assert fm[k] == pytest.approx(v, rel=1e-3, abs=1e-5), k


def test_equality_constraint_unidentified_block_is_na(refs, items):
    """F1 (two indicators, no covariance) is not identified; the constraint sits on F2.  lavaan's solve()
    happened to succeed: a vcov warning and SEs for F1 that mean nothing.  Ours: NA, with a warning."""
    case = refs["wlsmv_eq_zero_cov"]
    assert "does not appear to be positive definite" in case["warnings"]
    res = sem(case["model"], items, ordered=True)
    fm = res.fit_measures()
    assert fm["chisq"] == pytest.approx(case["chisq"], rel=1e-5) and fm["df"] == case["df"]
    assert fm["npar"] == case["fit"]["npar"]
    assert any(w == CANNOT_INVERT or "are not identified" in w for w in res.warnings)
    se = {(r.lhs, r.op, r.rhs): r.se for r in res.parameter_estimates().itertuples(index=False)}
    for key in [("F1", "=~", "GOV2"), ("F1", "~~", "F1")]:
        assert np.isnan(se[key]), key


def test_constraint_on_a_parameter_the_delta_parameterization_fixes_is_refused(items):
    # the labelled line frees the residual variance (lavaan: not identified): refused at the line
    with pytest.raises(ModelSyntaxError, match="residual variance of ordered item 'GOV1'.*'==' constraint"):
        sem("F =~ GOV1 + GOV2 + GOV3\nGOV1 ~~ v*GOV1\nv == 0.5", items, ordered=True)


def test_bootstrap_of_a_constrained_fit_is_refused(refs, items):
    """The bootstrap refits without the constraints: it must refuse rather than resample another model."""
    res = sem(refs["wlsmv_eq_def"]["model"], items, ordered=True)
    with pytest.raises(EstimationError, match="'==' constraints"):
        wlsmv_bootstrap(res, 5, data=items, seed=1)


def test_equality_constraint_across_groups_matches_lavaan(refs):
    """A general '==' across groups (it was counted in the df but not imposed before)."""
    case = refs["groups_eq"]
    d = load_data("wlsmv_groups_630")
    res = sem(case["model"], d, ordered=True, group=case["group"], missing=case["missing"])
    assert res.converged
    pe = res.parameter_estimates()
    labels = list(res.partable.group_labels)
    ours = {(r.lhs, r.op, r.rhs, int(r.group)): (r.est, r.se) for r in pe.itertuples(index=False)}
    n = 0
    for row in case["estimates"]:
        if row["op"] == "==" or row["group"] == 0:
            continue
        est, se = ours[(row["lhs"], row["op"], row["rhs"], int(row["group"]))]
        assert est == pytest.approx(row["est"], abs=2e-5), row
        assert se == pytest.approx(row["se"], rel=2e-3, abs=2e-6), row
        n += 1
    assert n > 90 and labels == ["g1", "g2", "g3"]
    get = {r.label: r.est for r in pe.itertuples(index=False) if r.label}
    assert get["l2"] == pytest.approx(0.5 * get["l3"] + get["l2b"], abs=1e-10)
    fm = res.fit_measures()
    for k, v in case["fit"].items():
        assert fm[k] == pytest.approx(v, rel=1e-3, abs=1e-5), k
