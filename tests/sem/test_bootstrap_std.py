"""Standardized bootstrap solutions against lavaan 0.6.14 (tests/sem/boot_std_refs/boot_std.json, made by
make_boot_std_refs.R: ``bootstrapLavaan(fit, FUN = standardizedSolution)`` on complete_800).

lavaan's draws are put into a :class:`BootstrapResult` (coef() per draw, and each draw's fixed.x values from
its parameter table), so the comparison is exact, not within Monte Carlo error:

* per draw, our std.all of every row (``:=`` effects included) equals lavaan's standardizedSolution();
  fixed.x rows keep the full sample's values in every lavaan draw (parameterEstimates() of the draws shows
  them constant), and so do ours;
* the bootstrap SE (SD of the draws) and the percentile limits (boot's norm.inter, as lavaan's
  parameterEstimates) equal what the R script computed from lavaan's draws;
* ``est.std`` of the full sample equals lavaan's.

Two models: the study's default model (latent predictors, 10 ``:=`` effects) and a model with observed
fixed.x covariates and a ``:=`` product.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.sem import sem
from iur_survey.sem.bootstrap import BootstrapResult, _param_names, _with_defined
from iur_survey.sem.defined import from_partable

REF = json.loads((Path(__file__).parent / "boot_std_refs" / "boot_std.json").read_text(encoding="utf-8"))
DATA = pd.read_csv(Path(__file__).resolve().parents[1] / "reference" / "data" / "complete_800.csv")


def _lavaan_draws(name: str) -> tuple[BootstrapResult, dict]:
    c = REF[name]
    res = sem(c["model"], DATA)
    pt = res.partable
    names = _param_names(pt)
    order = [c["coef_names"].index(n) for n in names]
    theta = np.asarray(c["coef"], float)[:, order]
    defs = from_partable(pt, res.est)
    est = _with_defined(theta, defs)
    pe_keys = list(zip(c["pe_lhs"], c["pe_op"], c["pe_rhs"]))
    exo_rows = [r for g in range(res.model.ngroups) for r in res.model.layout(g).exo_rows]
    cols = [pe_keys.index((pt.lhs[r], pt.op[r], pt.rhs[r])) for r in exo_rows]
    exo = np.asarray(c["est"], float)[:, cols]
    # lavaan's draws keep the fitted sample's fixed.x values: ours use the fit's (res.est) as well
    np.testing.assert_allclose(exo, np.tile(res.est[exo_rows], (len(theta), 1)), rtol=1e-12)
    B = len(theta)
    bt = BootstrapResult(fit=res, estimates=est, columns=names + list(defs.names), n_free=res.model.npar,
                         status=np.zeros(B, int), nonadmissible=np.zeros(B, bool), iterations=np.zeros(B, int),
                         ci="percentile", level=0.95, seed=2022, workers=1, scheduler="sync")
    return bt, c


@pytest.fixture(scope="module", params=["default", "fixedx"])
def case(request):
    return (request.param, *_lavaan_draws(request.param))


def test_the_rows_are_lavaans(case):
    name, bt, c = case
    ss = bt.standardized_solution()
    assert list(zip(ss["lhs"], ss["op"], ss["rhs"])) == list(zip(c["lhs"], c["op"], c["rhs"]))
    if name == "fixedx":
        assert len(bt.fit.model.layout(0).exo_rows) == 3          # var(GOV1), cov(GOV1, MKT1), var(MKT1)


def test_standardized_draws_equal_lavaans(case):
    _, bt, c = case
    ours = bt.standardized_draws("std.all").to_numpy()
    lav = np.asarray(c["std"], float)
    assert ours.shape == lav.shape
    np.testing.assert_allclose(ours, lav, rtol=1e-7, atol=1e-9)


def test_standardized_se_and_percentile_limits_equal_lavaans(case):
    _, bt, c = case
    ss = bt.standardized_solution("std.all", ci="percentile")
    np.testing.assert_allclose(ss["est.std"], c["est_std"], rtol=1e-5, atol=1e-6)     # two fits of the sample
    np.testing.assert_allclose(ss["se"], c["se"], rtol=1e-6, atol=1e-9)
    # limits: lavaan's norm.inter on the draws (the full-sample est.std enters only where draws do not vary)
    varies = np.asarray(c["se"]) > 0
    np.testing.assert_allclose(ss["ci.lower"][varies], np.asarray(c["perc_lo"])[varies], rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(ss["ci.upper"][varies], np.asarray(c["perc_hi"])[varies], rtol=1e-7, atol=1e-9)
    d = ss[ss["op"] == ":="]
    assert len(d) and (d["ci.lower"] < d["est.std"]).all() and (d["est.std"] < d["ci.upper"]).all()


def test_our_own_bootstrap_gives_the_std_columns():
    """A seeded bootstrap of ours: the std draws have one row per draw, the := effects vary, BCa works."""
    from iur_survey.sem.bootstrap import bootstrap
    d = DATA.iloc[:300]
    res = sem(REF["fixedx"]["model"], d)
    bt = bootstrap(res, 30, data=d, seed=3, ci="bca", progress=False)
    draws = bt.standardized_draws()
    assert draws.shape == (30, len(res.parameter_estimates()))
    assert draws["ab:=a*b"].std() > 0
    ss = bt.standardized_solution(ci="bca")
    assert np.isfinite(ss.loc[ss["op"] == ":=", ["ci.lower", "ci.upper"]].to_numpy()).all()
