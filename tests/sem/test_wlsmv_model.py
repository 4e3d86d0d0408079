"""WLSMV through the engine's own Model (partable.py + matrices.py) and wlsmv_from_model, against lavaan.

The full default model (seven factors, eleven regressions, ten := rows), parameterEstimates() row by row
(order, labels, est, se, z, pvalue, CI) and every fitMeasures() entry.  References: the references helper's
tests/reference/json/wlsmv_600.json and tests/sem/ordinal_refs/wlsmv_default_misfit_600.json (a misspecified
model, so the scaled / robust indices are away from their bounds).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.sem.matrices import Model
from iur_survey.sem.ordinal import ordinal_sample_stats
from iur_survey.sem.partable import build_partable
from iur_survey.sem.wlsmv import WLSMV_FIT_NAMES, wlsmv_from_model

HERE = Path(__file__).resolve().parent
REFDIR = HERE.parent / "reference"
DEFAULT = (REFDIR / "models" / "default.lav").read_text()


def _ref_600():
    path = REFDIR / "json" / "wlsmv_600.json"
    if not path.exists():
        pytest.skip("tests/reference/json/wlsmv_600.json not generated yet")
    return json.loads(path.read_text()), pd.read_csv(REFDIR / "data" / "ordinal_600.csv")


def _ref_misfit():
    return (json.loads((HERE / "ordinal_refs" / "wlsmv_default_misfit_600.json").read_text()),
            pd.read_csv(HERE / "ordinal_refs" / "misfit_600.csv"))


@pytest.fixture(scope="module", params=["wlsmv_600", "default_misfit_600"])
def fitted(request):
    ref, data = _ref_600() if request.param == "wlsmv_600" else _ref_misfit()
    model = Model(build_partable(DEFAULT))
    st = ordinal_sample_stats(data[model.groups[0].ov])
    res, pe = wlsmv_from_model(model, st)
    refpe = pd.DataFrame(ref["estimates"])
    refpe["label"] = refpe["label"].fillna("")
    return res, pe, refpe, ref


def test_converged_without_warnings(fitted):
    res, _, _, ref = fitted
    assert res.converged and ref["converged"]
    assert res.warnings == [] and not ref["warnings"]


def test_rows_in_lavaan_order(fitted):
    _, pe, refpe, _ = fitted
    assert len(pe) == len(refpe)
    np.testing.assert_array_equal(pe[["lhs", "op", "rhs"]].to_numpy(), refpe[["lhs", "op", "rhs"]].to_numpy())
    np.testing.assert_array_equal(pe["label"].to_numpy(), refpe["label"].to_numpy())


def test_estimates_and_ses(fitted):
    _, pe, refpe, _ = fitted
    np.testing.assert_allclose(pe["est"], refpe["est"], atol=1e-4, rtol=0)
    for c in ("ci.lower", "ci.upper"):
        np.testing.assert_allclose(pe[c], refpe[c], atol=1e-4, rtol=0)
    free = refpe["se"].to_numpy() > 0
    np.testing.assert_array_equal(pe["se"].to_numpy() > 0, free)
    np.testing.assert_allclose(pe["se"][free], refpe["se"][free], rtol=5e-3)
    np.testing.assert_allclose(pe["z"][free], refpe["z"][free], rtol=5e-3)
    np.testing.assert_allclose(pe["pvalue"][free], refpe["pvalue"][free], atol=1e-4)


def test_all_fit_measures(fitted):
    res, _, _, ref = fitted
    fm = res.fit_measures
    assert list(fm.index) == list(ref["fit"]) == list(WLSMV_FIT_NAMES)
    for k, v in fm.items():
        w = ref["fit"][k]
        if w is None:
            assert np.isnan(v), k
        elif k in ("chisq", "chisq.scaled", "baseline.chisq", "baseline.chisq.scaled", "cn_05", "cn_01"):
            assert v == pytest.approx(w, rel=1e-4), k
        else:
            assert v == pytest.approx(w, abs=1e-3), k


def test_scaled_shifted_test_list(fitted):
    res, _, _, ref = fitted
    t = ref["test"]["scaled.shifted"]
    assert res.test["stat"] == pytest.approx(t["stat"], rel=1e-4)
    assert res.test["scaling_factor"] == pytest.approx(t["scaling.factor"], rel=1e-4)
    assert res.test["shift_parameter"] == pytest.approx(t["shift.parameter"], rel=1e-4)
    assert res.test["df"] == t["df"]


def test_standardized_columns(fitted):
    _, pe, refpe, _ = fitted
    for c in ("std.lv", "std.all", "std.nox"):
        np.testing.assert_allclose(pe[c], refpe[c], atol=1e-4, rtol=0, err_msg=c)


def test_r2_is_one_minus_std_residual_variance(fitted):
    res, pe, refpe, ref = fitted
    items = res.stats.names
    rv = refpe[(refpe["op"] == "~~") & (refpe["lhs"] == refpe["rhs"]) & refpe["lhs"].isin(items)]
    want = dict(zip(rv["lhs"], 1 - rv["std.all"]))
    got = res.r2
    for v in items:
        assert got[v] == pytest.approx(want[v], abs=1e-4), v
    if ref.get("r2"):                       # the references helper stores lavInspect(fit, "r2")
        for k, v in ref["r2"].items():
            assert got[k] == pytest.approx(v, abs=1e-4), k


def test_just_identified_model_fit_measures():
    """df = 0: lavaan's NA / 0 / 1 conventions (robust c-hat = ks/0 = Inf, not NA)."""
    ref = json.loads((HERE / "ordinal_refs" / "wlsmv_justid_300.json").read_text())
    model = Model(build_partable(ref["model"]))
    st = ordinal_sample_stats(pd.read_csv(HERE / "ordinal_refs" / "edge_300.csv")[model.groups[0].ov])
    res, pe = wlsmv_from_model(model, st)
    assert res.df == 0 and st.n == ref["n"] == 299
    refpe = pd.DataFrame(ref["estimates"])
    np.testing.assert_allclose(pe["est"], refpe["est"], atol=1e-4)
    for k, v in res.fit_measures.items():
        w = ref["fit"][k]
        if k in ("cn_05", "cn_01"):
            continue      # lavaan: NA only if chisq < eps; its optimizer leaves ~1e-10 (-> 1), ours 0 (-> NA)
        if w is None:
            assert np.isnan(v), k
        else:
            assert v == pytest.approx(w, abs=1e-6, rel=1e-4), k
