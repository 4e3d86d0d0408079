"""Standard errors lavaan reports as NA in WLSMV / DWLS fits (ordinal and mixed), and its warnings.

References: tests/sem/ordinal_refs/make_na_se_refs.R -> na_se_refs.json (lavaan 0.6.14), read only.  Every
case is a model that is not identified: lavaan's ``solve()`` of the information fails, it warns "Could not
compute standard errors!" (and, for WLSMV, that the robust test needs the same inverse), and every free
parameter's SE is NA (a ``:=`` row's SE too here, where lavaan writes 0: see the test).  A negative variance on the diagonal of the sandwich (SE NA in lavaan's
``lav_model_vcov_se``) could not be produced from lavaan with data (the robust.sem sandwich is positive
semi-definite in exact arithmetic; a negative diagonal needs a near-singular information that R's ``solve()``
still accepts, which depends on rounding): that rule is unit-tested on a given matrix.
"""

from __future__ import annotations

import numpy as np
import pytest

from iur_survey.sem import sem
from iur_survey.sem.datacheck import CANNOT_INVERT
from iur_survey.sem.wlsmv import CANNOT_INVERT_TEST, defined_se, dwls_se
from tests.sem._ordinal_common import load_data, load_json

@pytest.fixture(scope="module")
def refs():
    return load_json("na_se_refs.json")


@pytest.fixture(scope="module")
def data():
    return load_data("misfit_600")


def _fit(case, data):
    ordered = True if case["ordered"] == "all" else list(case["ordered"])
    return sem(case["model"], data, ordered=ordered, estimator=case["estimator"])


CASES = ["zero_cov", "nonrec", "two_pairs", "zero_cov_dwls", "zero_cov_mixed"]


@pytest.mark.parametrize("name", CASES)
def test_na_se_pattern_and_warnings_as_lavaan(name, refs, data):
    case = refs[name]
    res = _fit(case, data)
    assert res.converged is True and case["converged"] is True
    warns = case["warnings"] if isinstance(case["warnings"], list) else [case["warnings"]]
    assert any("Could not compute standard errors" in w for w in warns)
    assert CANNOT_INVERT in res.warnings
    assert (CANNOT_INVERT_TEST in res.warnings) == any("robust test statistic" in w for w in warns)
    # the standard chi-square is the minimum of the discrepancy: unique even where the estimates are not
    fm = res.fit_measures()
    assert fm["df"] == case["df"]
    assert fm["chisq"] == pytest.approx(case["chisq"], rel=1e-5, abs=1e-6)
    if case["estimator"] == "WLSMV":
        assert np.isnan(fm["chisq.scaled"]) and np.isnan(fm["cfi.robust"])
    pe = res.parameter_estimates()
    ours = {(r.lhs, r.op, r.rhs): r for r in pe.itertuples(index=False)}
    na_rows = 0
    for row in case["estimates"]:
        key = (row["lhs"], row["op"], row["rhs"])
        r = ours.get(key)
        assert r is not None, key
        if row["op"] == ":=":
            # deliberate difference: with vcov NULL lavaan fills every row with free == 0 -- the := rows
            # included -- with se 0 (lav_model_vcov_se, "0. special case"), a claim of perfect precision for
            # a function of parameters whose SEs are NA.  Ours is NA, as in the ML fits.
            assert row["se"] == 0 and np.isnan(r.se), key
        elif row["se"] is None:
            na_rows += 1
            assert np.isnan(r.se), key
            assert np.isnan(r.z) and np.isnan(r.pvalue) and np.isnan(r[pe.columns.get_loc("ci.lower")]), key
        else:
            assert r.se == pytest.approx(row["se"], abs=1e-12), key           # fixed rows: 0
    assert na_rows > 0
    assert len(ours) == len(case["estimates"])
    assert np.all(np.isnan(res.vcov().to_numpy())) and case["vcov_null"] is True
    # JSON: an NA SE is null
    est = {(e["lhs"], e["op"], e["rhs"]): e for e in res.to_dict()["estimates"]}
    for row in case["estimates"]:
        if row["se"] is None:
            e = est[(row["lhs"], row["op"], row["rhs"])]
            assert e["se"] is None and e["z"] is None and e["pvalue"] is None and e["ci.lower"] is None


def test_negative_variance_is_na_not_zero():
    """lavaan's lav_model_vcov_se: ``x.var[x.var < 0] <- NA`` (a clipped 0 would claim perfect precision)."""
    V = np.array([[0.04, 0.001, 0.0], [0.001, -1e-4, 0.0], [0.0, 0.0, 0.09]])
    V2, se, bad, warns = dwls_se(V, [np.eye(3)], ["a", "b", "c"])
    assert se[0] == pytest.approx(0.2) and se[2] == pytest.approx(0.3) and np.isnan(se[1])
    assert len(bad) == 0
    assert len(warns) == 1 and "smaller than zero" in warns[0]
    # := parameters: negative delta-method variance -> NA, and NA when it depends on an NA parameter
    J = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 2.0, 0.0]])
    got = defined_se(J, V)
    assert got[0] == pytest.approx(0.2) and got[1] == pytest.approx(0.3) and np.isnan(got[2])
    V3 = V.copy()
    V3[1, :] = V3[:, 1] = np.nan
    got = defined_se(J, V3)
    assert got[0] == pytest.approx(0.2) and np.isnan(got[2])


def test_unidentified_direction_with_equality_constraint_rows():
    """With ``==`` rows stacked below Delta only the directions that keep the constraints are null: lavaan's
    augmented information [E H'; H 0] is singular exactly then."""
    D = np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]])          # a + b is identified, a - b is not
    _, se, bad, _ = dwls_se(np.eye(3), [D], ["a", "b", "c"])
    assert bad.tolist() == [0, 1] and np.isnan(se[:2]).all()
    _, se, bad, _ = dwls_se(np.eye(3), [D], ["a", "b", "c"], con_jac=np.array([[1.0, -1.0, 0.0]]))   # a == b
    assert bad.tolist() == [] and np.isfinite(se).all()


# ---- the same identification rule in the ML fits with a general '==' constraint (sem/api.py _finish)

def _ml_case(case, data):
    assert case["ordered"] == "none" and case["estimator"] == "ML"
    return sem(case["model"], data.astype(float), estimator="ML")


def test_ml_equality_constraint_identified_model_keeps_its_ses(refs, data):
    """Delta alone has a null direction here, the constraint removes it: lavaan computes every SE, and so
    must the rule (it was skipped with '==' before; stacking the constraints' Jacobian keeps it exact)."""
    case = refs["ml_eq_two_pairs"]
    res = _ml_case(case, data)
    assert case["warnings"] == [] and not any("identified" in w for w in res.warnings)
    pe = res.parameter_estimates()
    ours = {(r.lhs, r.op, r.rhs): (r.est, r.se) for r in pe.itertuples(index=False)}
    for row in case["estimates"]:
        est, se = ours[(row["lhs"], row["op"], row["rhs"])]
        assert est == pytest.approx(row["est"], rel=1e-4, abs=1e-5)
        assert se == pytest.approx(row["se"], rel=1e-3, abs=1e-6)


def test_ml_equality_constraint_unidentified_block_is_na(refs, data):
    """F1 (two indicators, no covariance) stays unidentified under the constraint on F2's loadings.  lavaan's
    solve() happened to succeed here: it warns that vcov is not positive definite (smallest eigenvalue ~5e-19)
    and prints SEs for F1's parameters that mean nothing; ours are NA, with a warning naming the cause."""
    case = refs["ml_eq_zero_cov"]
    warns = case["warnings"] if isinstance(case["warnings"], list) else [case["warnings"]]
    assert any("not appear to be positive definite" in w for w in warns)
    res = _ml_case(case, data)
    assert res.fit_measures()["chisq"] == pytest.approx(case["chisq"], rel=1e-5)
    assert any(w == CANNOT_INVERT or "are not identified" in w for w in res.warnings)
    pe = res.parameter_estimates()
    se = {(r.lhs, r.op, r.rhs): r.se for r in pe.itertuples(index=False)}
    for key in [("F1", "=~", "GOV2"), ("F1", "~~", "F1"), ("GOV1", "~~", "GOV1"), ("GOV2", "~~", "GOV2")]:
        assert np.isnan(se[key]), key
