"""sem()/cfa() behaviour around the estimates: warnings are never silent, inputs are checked, results render."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from iur_survey.errors import EstimationError, ModelSyntaxError
from iur_survey.sem import cfa, sem
from iur_survey.study import default_model
from iur_survey.replication.rscript import lavaan_syntax_for

DATA = pd.read_csv("tests/reference/data/complete_800.csv")
MISSING = pd.read_csv("tests/reference/data/missing_800.csv")


def test_default_model_follows_the_contract():
    m = default_model()
    assert m.count("=~") == 7
    assert "COL ~ a1*GOV + a2*MKT + a3*BEN + a4*VAL + a5*TAL" in m
    assert "INT ~ b*COL + c1*GOV + c2*MKT + c3*BEN + c4*VAL + c5*TAL" in m
    for k, x in enumerate(["GOV", "MKT", "BEN", "VAL", "TAL"], 1):
        assert f"ind_{x} := a{k}*b" in m and f"tot_{x} := c{k} + a{k}*b" in m


def test_non_convergence_is_reported():
    res = sem(default_model(), DATA, control={"max_iter": 1})
    assert res.converged is False
    assert res.warnings[0].startswith("the optimizer did not converge")
    assert res.to_dict()["converged"] is False


def test_unidentified_model_warns():
    res = sem("F =~ GOV1 + GOV2", DATA)
    assert any("negative degrees of freedom" in w for w in res.warnings)
    assert any("Could not compute standard errors" in w for w in res.warnings)
    assert np.isnan(res.parameter_estimates()["se"].iloc[1])


def test_non_positive_definite_latent_covariance_warns():
    # two factors on the same items with a free correlation: the latent correlation runs above 1
    model = "F =~ GOV1 + GOV2 + COL1\nG =~ GOV3 + GOV4 + COL2"
    d = DATA.copy()
    d["COL1"] = d["GOV1"] + d["GOV3"] + np.random.default_rng(0).normal(0, 0.3, len(d))
    d["COL2"] = d["GOV2"] + d["GOV4"] + np.random.default_rng(1).normal(0, 0.3, len(d))
    res = sem(model, d)
    cov_lv = res.model.eta_cov(res.theta)[:2, :2]
    if np.linalg.eigvalsh(cov_lv).min() < 0:
        assert any("latent variables is not positive definite" in w or "lv variances are negative" in w
                   for w in res.warnings)
    else:
        assert not any("latent variables" in w for w in res.warnings)


def test_missing_values_switch_to_fiml_unless_listwise():
    m = "GOV =~ GOV1 + GOV2 + GOV3 + GOV4"
    assert sem(m, MISSING).missing == "fiml"
    lw = sem(m, MISSING, missing="listwise")
    assert lw.missing == "listwise" and lw.n == MISSING[["GOV1", "GOV2", "GOV3", "GOV4"]].dropna().shape[0]
    assert sem(m, DATA).missing == "listwise"          # complete data: plain ML


@pytest.mark.parametrize("kwargs, exc, text", [
    ({"estimator": "WLS"}, EstimationError, "estimator"),
    ({"missing": "pairwise"}, EstimationError, "missing"),
    ({"group": "nope"}, EstimationError, "group column"),
    ({"se": "bootstrap"}, EstimationError, "se="),
    ({"control": {"iter": 3}}, EstimationError, "control"),
])
def test_bad_arguments(kwargs, exc, text):
    with pytest.raises(exc, match=text):
        sem("GOV =~ GOV1 + GOV2 + GOV3", DATA, **kwargs)


def test_model_errors_point_into_the_syntax():
    with pytest.raises(ModelSyntaxError) as e:
        sem("GOV =~ GOV1 + GOV2 + GOV3\nCOL =~ COL1 + NOPE1 + NOPE2", DATA, source="m.lav")
    assert (e.value.row, e.value.column) == (2, "15") and "NOPE1" in e.value.message
    with pytest.raises(ModelSyntaxError, match="also a column"):
        sem("GOV1 =~ GOV2 + GOV3 + GOV4", DATA)


def test_non_numeric_and_degenerate_data():
    d = DATA.copy()
    d["GOV2"] = d["GOV2"].astype(str)
    d.loc[3, "GOV2"] = "agree"
    with pytest.raises(EstimationError, match="holds the text 'agree', not a number") as e:
        sem("GOV =~ GOV1 + GOV2 + GOV3", d)
    assert (e.value.row, e.value.column) == (5, "GOV2")          # line 5 of a CSV read into DATA
    d = DATA.copy()
    d["GOV3"] = 3.0
    with pytest.raises(EstimationError, match="not positive definite.*GOV3"):
        sem("GOV =~ GOV1 + GOV2 + GOV3", d)


def test_groups_use_the_labels_of_the_data():
    res = cfa("GOV =~ GOV1 + GOV2 + GOV3", DATA, group="role", group_equal=["loadings"])
    assert res.partable.group_labels == list(pd.unique(DATA["role"]))
    pe = res.parameter_estimates()
    assert {"block", "group"} <= set(pe.columns)
    loads = pe[(pe.op == "=~") & (pe.rhs == "GOV2")]
    assert loads["est"].nunique() == 1 and (loads["label"] == ".p2.").all()
    d = res.to_dict()
    assert set(d["groups"]) == set(DATA["role"]) and set(d["r2"]) == set(DATA["role"])


def test_to_dict_is_json_and_summary_renders():
    res = sem(default_model(), DATA)
    text = json.dumps(res.to_dict())
    back = json.loads(text)
    assert back["fit"]["df"] == 329 and len(back["estimates"]) == len(res.parameter_estimates())
    s = res.summary()
    assert "Defined Parameters:" in s and "(a1)" in s
    assert res.vcov().shape == (77, 77)


def test_lavaan_call_for_the_appendix():
    res = sem(default_model(), MISSING, estimator="MLR")
    call = lavaan_syntax_for(res, "clean")
    assert call.splitlines()[-1] == 'fit <- sem(model, data = clean, estimator = "MLR", missing = "ml")'
    assert "ind_GOV := a1*b" in call
