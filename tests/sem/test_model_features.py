"""Model features beyond the study's model, fitted against lavaan (tests/sem/fixtures/lavaan_fits.json,
made by tests/sem/make_fixtures.R on tests/reference/data/complete_800.csv): exogenous observed covariates
(fixed.x: logl, baseline and std.nox), user intercepts and fixed latent variances, NA* first loadings,
single indicators, higher-order factors, std.lv, several endogenous variables (auto.cov.y), shared labels."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.sem import sem
from iur_survey.sem.defined import DefinedFunction
from iur_survey.sem.syntax import parse_expression
from tests.reference.compare import assert_estimates_close, assert_fit_close

FIX = Path(__file__).resolve().parent / "fixtures"
MODELS = json.loads((FIX / "partable_models.json").read_text())
FITS = json.loads((FIX / "lavaan_fits.json").read_text())
DATA = pd.read_csv("tests/reference/data/complete_800.csv")

_cache: dict = {}


def fitted(name):
    if name not in _cache:
        opts = MODELS[name]["options"]
        kw = {"std_lv": bool(opts.get("std.lv", False))}
        if "meanstructure" in opts:
            kw["meanstructure"] = bool(opts["meanstructure"])
        ref = dict(FITS[name], case=name)
        _cache[name] = (ref, sem(MODELS[name]["model"], DATA, **kw))
    return _cache[name]


@pytest.mark.parametrize("name", sorted(FITS))
def test_fit_against_lavaan(name):
    ref, res = fitted(name)
    assert res.converged and ref["converged"]
    assert_estimates_close(res.parameter_estimates(), ref,
                           cols=("est", "se", "ci.lower", "ci.upper", "std.lv", "std.all", "std.nox"))
    fm = res.fit_measures()
    assert_fit_close(fm, ref, keys=[k for k in ref["fit"] if k != "fmin"])
    assert list(fm.index) == list(ref["fit"])
    assert list(res.r2().index) == list(ref["r2"])
    assert np.allclose(res.r2().to_numpy(), np.array(list(ref["r2"].values()), float), atol=1e-4)


def test_fixed_x_rows_hold_the_sample_moments():
    ref, res = fitted("observed_regressors")
    pe = res.parameter_estimates()
    x = pe[(pe.lhs == "GOV1") & (pe.op == "~~") & (pe.rhs == "GOV1")].iloc[0]
    assert x.est == pytest.approx(DATA["GOV1"].var(ddof=0)) and x.se == 0 and np.isnan(x.z)
    assert res.partable.npar == 13          # the 3 exogenous (co)variances are not parameters


def test_defined_parameter_delta_method_by_hand():
    ref, res = fitted("shared_labels")
    pe = res.parameter_estimates()
    ind = pe[pe.op == ":="].iloc[0]          # ind := a1*2
    a1 = pe[pe.label == "a1"].iloc[0]
    assert ind.est == pytest.approx(2 * a1.est)
    assert ind.se == pytest.approx(2 * a1.se, rel=1e-10)


def test_defined_function_uses_constants_for_fixed_labels_and_earlier_definitions():
    fn = DefinedFunction([("d", parse_expression("a*k + 1")), ("e", parse_expression("d^2"))],
                         {"a": 0}, {"k": 3.0})
    theta = np.array([2.0])
    assert fn(theta).tolist() == [7.0, 49.0]
    assert np.allclose(fn.jacobian(theta), [[3.0], [2 * 7.0 * 3.0]])
