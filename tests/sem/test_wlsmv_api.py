"""WLSMV through the public API: sem(..., ordered=True), OrdinalSEMResult, and `iur-survey fit --estimator WLSMV`.

References: tests/reference/json/wlsmv_600.json (lavaan 0.6.14 `sem(default.lav, ordinal_600, ordered = TRUE,
estimator = "WLSMV")`) and tests/sem/wlsmv_api_refs/ (make_refs.R there: the same model by estimator = "DWLS",
and by WLSMV on ordinal_600 with cells blanked, listwise).  Tolerances as the proof's: estimates 1e-4, SEs 0.5%,
fit indices 1e-3 (chi-squares relative 1e-4).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.cli import main
from iur_survey.errors import EstimationError
from iur_survey.sem import sem
from iur_survey.sem.wlsmv import WLSMV_FIT_NAMES
from iur_survey.sem.ordinal_result import DWLS_FIT_NAMES, OrdinalSEMResult
from tests.reference.compare import (assert_estimates_close, assert_fit_close, load_reference, reference_data,
                                     reference_fit)

HERE = Path(__file__).resolve().parent
REFS = HERE / "wlsmv_api_refs"
MODEL_FILE = HERE.parent / "reference" / "models" / "default.lav"
CHISQ_KEYS = ("chisq", "chisq.scaled", "baseline.chisq", "baseline.chisq.scaled", "cn_05", "cn_01")


@pytest.fixture(scope="module")
def ref():
    return load_reference("wlsmv_600")


@pytest.fixture(scope="module")
def data(ref):
    return reference_data(ref)


@pytest.fixture(scope="module")
def fitted(ref, data):
    return sem(ref["model"], data, ordered=True)


def _blank(data: pd.DataFrame, modulus: int) -> pd.DataFrame:
    """make_refs.R's pattern: item cell (i, j) (1-based) is NA when (7 i + 3 j) % modulus == 0."""
    d = data.copy()
    items = list(d.columns[2:])
    assert len(items) == 28
    i = np.arange(1, len(d) + 1)[:, None]
    j = np.arange(1, 29)[None, :]
    vals = d[items].to_numpy(dtype=float)
    vals[(7 * i + 3 * j) % modulus == 0] = np.nan
    d[items] = vals
    return d


# ----------------------------------------------------------------------------- the default WLSMV fit
def test_result_type_and_options(fitted):
    assert isinstance(fitted, OrdinalSEMResult)
    assert (fitted.estimator, fitted.missing, fitted.se_type, fitted.information) == \
        ("WLSMV", "listwise", "robust.sem", "expected")
    assert fitted.converged and fitted.warnings == []
    assert fitted.n == 600 and len(fitted.ordered) == 28


def test_estimates_equal_lavaan(fitted, ref):
    pe = fitted.parameter_estimates()
    assert_estimates_close(pe, ref, cols=("est", "se", "z", "ci.lower", "ci.upper", "std.lv", "std.all",
                                          "std.nox"))
    refpe = pd.DataFrame(ref["estimates"])
    assert pe[["lhs", "op", "rhs"]].values.tolist() == refpe[["lhs", "op", "rhs"]].values.tolist()


def test_fit_measures_equal_lavaan(fitted, ref):
    fm = fitted.fit_measures()
    assert list(fm.index) == list(WLSMV_FIT_NAMES) == list(reference_fit(ref).index)
    assert not {"logl", "aic", "bic"} & set(fm.index)
    assert_fit_close(fm, ref, keys=list(fm.index), rel_keys=CHISQ_KEYS)


def test_r2_vcov_and_level(fitted, ref):
    r2 = fitted.r2()
    for k, v in ref["r2"].items():
        assert r2[k] == pytest.approx(v, abs=1e-4), k
    V = fitted.vcov()
    pe = fitted.parameter_estimates()
    free = pe[(pe["se"] > 0) & (pe["op"] != ":=")]
    assert V.shape == (len(free), len(free)) == (161, 161)           # lavaan: npar 161
    np.testing.assert_allclose(np.sqrt(np.diag(V)), free["se"], rtol=1e-12)
    assert "GOV1|t1" in V.index and "a1" in V.index
    pe90 = fitted.parameter_estimates(level=0.90)
    row = pe90.index[(pe90["lhs"] == "COL") & (pe90["rhs"] == "GOV")][0]
    assert pe90.loc[row, "ci.upper"] - pe90.loc[row, "est"] == pytest.approx(1.644854 * pe90.loc[row, "se"], rel=1e-6)


def test_summary_and_to_dict(fitted, ref):
    s = fitted.summary()
    for text in ("Estimator                                       DWLS", "Shift parameter", "Thresholds:",
                 "GOV1|t1", "Scales y*:", "Robust.sem", "Robust RMSEA", "Defined Parameters:"):
        assert text in s, text
    assert "Loglikelihood" not in s
    out = json.loads(fitted.to_json())
    assert out["estimator"] == "WLSMV" and out["missing"] == "listwise" and out["n"] == 600
    f = out["fit"]
    assert f["aic"] is None and f["bic"] is None and f["logl"] is None
    rf = reference_fit(ref)
    for k in ("chisq.scaled", "cfi.scaled", "tli.scaled", "rmsea.scaled", "cfi.robust", "rmsea.robust", "srmr"):
        assert f[k] == pytest.approx(rf[k], abs=1e-3, rel=1e-4), k
    assert f["chisq.shift.parameter"] == pytest.approx(ref["test"]["scaled.shifted"]["shift.parameter"], rel=1e-4)
    assert_estimates_close(pd.DataFrame(out["estimates"]), ref, cols=("est", "se", "std.all"))


def test_ordered_list_and_ordered_categoricals_give_the_same_fit(ref, data, fitted):
    items = list(fitted.ordered)
    by_list = sem(ref["model"], data, ordered=items, estimator="wlsmv")
    cat = data.copy()
    for c in items:
        cat[c] = pd.Categorical(cat[c], ordered=True)
    by_dtype = sem(ref["model"], cat)
    for res in (by_list, by_dtype):
        assert res.estimator == "WLSMV"
        np.testing.assert_allclose(res.parameter_estimates()["est"], fitted.parameter_estimates()["est"], atol=1e-9)


# ----------------------------------------------------------------------------- DWLS and missing data vs lavaan
def _check_against(res, path: Path, fit_keys):
    want = json.loads(path.read_text())
    assert res.n == want["n"] and res.n_input == want["norig"]
    refpe = pd.DataFrame(want["estimates"])
    refpe["label"] = refpe["label"].fillna("")
    pe = res.parameter_estimates()
    assert pe[["lhs", "op", "rhs"]].values.tolist() == refpe[["lhs", "op", "rhs"]].values.tolist()
    np.testing.assert_allclose(pe["est"], refpe["est"], atol=1e-4, rtol=0)
    np.testing.assert_allclose(pe["std.all"], refpe["std.all"], atol=1e-4, rtol=0)
    free = refpe["se"].to_numpy() > 0
    np.testing.assert_array_equal(pe["se"].to_numpy() > 0, free)
    np.testing.assert_allclose(pe["se"][free], refpe["se"][free], rtol=5e-3)
    fm = res.fit_measures()
    assert list(fm.index) == list(want["fit"])
    for k in fit_keys:
        w = want["fit"][k]
        if w is None:
            assert np.isnan(fm[k]), k
        else:
            assert fm[k] == pytest.approx(w, rel=1e-4 if k in CHISQ_KEYS else 0, abs=0 if k in CHISQ_KEYS else 1e-3), k
    for k, v in want["r2"].items():
        assert res.r2()[k] == pytest.approx(v, abs=1e-4), k


def test_dwls_equals_lavaan(ref, data):
    res = sem(ref["model"], data, ordered=True, estimator="DWLS")
    assert (res.estimator, res.se_type) == ("DWLS", "standard")
    assert list(res.fit_measures().index) == list(DWLS_FIT_NAMES)
    _check_against(res, REFS / "dwls_600.json", DWLS_FIT_NAMES)


def test_missing_items_listwise_equals_lavaan(ref, data):
    d = _blank(data, 211)
    res = sem(ref["model"], d, ordered=True, missing="listwise")
    assert res.missing == "listwise" and res.n_dropped == 79
    assert res.warnings == ["79 of 600 rows dropped by listwise deletion"]
    _check_against(res, REFS / "wlsmv_missing_600.json", WLSMV_FIT_NAMES)


def test_empty_category_after_listwise_deletion(ref, data):
    # lavaan also refuses: "some categories of variable `GOV1' are empty in group 1; frequencies are
    # [17 80 107 80 0]" (its list puts the empty category last; here it is the lowest code, 1)
    with pytest.raises(EstimationError, match=r"GOV1.*\[0 17 80 107 80\]"):
        sem(ref["model"], _blank(data, 53), ordered=True, missing="listwise")


# ----------------------------------------------------------------------------- errors
SMALL = "F =~ GOV1 + GOV2 + GOV3 + GOV4"


@pytest.mark.parametrize("kwargs, message", [
    ({"ordered": True, "estimator": "ML"}, "'ML' is not available with ordered items"),
    ({"ordered": True, "estimator": "MLR"}, "'MLR' is not available with ordered items"),
    ({"ordered": True, "group": "role", "se": "standard"}, "only estimator 'WLSMV' with se 'robust.sem'"),
    ({"group_equal": ["thresholds"]}, "thresholds. needs ordered items"),
    # a mix of ordered and continuous items is fitted (tests/sem/test_wlsmv_mixed.py); with groups it is not yet
    ({"ordered": ["GOV1", "GOV2"], "group": "role"}, "mix of ordered and continuous.*several groups"),
    ({"ordered": True, "missing": "fiml"}, "not available with ordered items"),
    ({"ordered": True, "missing": "ml"}, "not available with ordered items"),
    ({"estimator": "WLSMV"}, "needs ordered items"),
    ({"ordered": ["NOPE"]}, "not in the data"),
    ({"ordered": True, "se": "robust.huber.white"}, "se="),
    ({"ordered": True, "estimator": "ULS"}, "not supported"),
])
def test_errors(data, kwargs, message):
    with pytest.raises(EstimationError, match=message):
        sem(SMALL, data, **kwargs)


def test_error_observed_covariate(data):
    with pytest.raises(EstimationError, match="exogenous covariates.*MKT1"):
        sem(SMALL + "\nF ~ MKT1", data, ordered=True)


# ----------------------------------------------------------------------------- the CLI
def test_cli_wlsmv_results_json(tmp_path, ref, capsys):
    out = tmp_path / "results.json"
    rc = main(["fit", "tests/reference/data/ordinal_600.csv", "--model", str(MODEL_FILE), "--estimator", "WLSMV",
               "--out", str(out)])
    assert rc == 0
    assert "estimator=WLSMV" in capsys.readouterr().out
    got = json.loads(out.read_text())
    assert got["estimator"] == "WLSMV" and got["missing"] == "listwise" and got["converged"]
    assert len(got["ordered"]) == 28
    assert_estimates_close(pd.DataFrame(got["estimates"]), ref,
                           cols=("est", "se", "z", "ci.lower", "ci.upper", "std.lv", "std.all"))
    f = got["fit"]
    assert {"aic", "bic", "logl"} <= set(f) and f["aic"] is None and f["logl"] is None
    keys = [k for k in f if k in reference_fit(ref).index]
    assert {"chisq", "chisq.scaled", "cfi.scaled", "cfi.robust", "rmsea.robust", "srmr"} <= set(keys)
    assert_fit_close(f, ref, keys=keys, rel_keys=CHISQ_KEYS)


def test_cli_ordered_flag_defaults_to_wlsmv_and_rejects_ml(tmp_path, capsys):
    out = tmp_path / "r.json"
    args = ["fit", "tests/reference/data/ordinal_600.csv", "--model", str(MODEL_FILE), "--out", str(out)]
    assert main(args + ["--ordered"]) == 0
    assert json.loads(out.read_text())["estimator"] == "WLSMV"
    capsys.readouterr()
    assert main(args + ["--ordered", "--estimator", "ML"]) == 2
    assert "not available with ordered items" in capsys.readouterr().err
