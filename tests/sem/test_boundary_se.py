"""A parameter at a point where the moments do not move to first order: the equal loading m of a common method
factor estimated at its bound 0 (Sigma holds m^2).  Delta's column of m is 0 there, but the observed information
(FIML's default, or information = "observed") still curves along m, and lavaan 0.6.14 gives m a finite SE with
no warning.  References: boundary_refs/make_refs.R (data from make_data.py)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.sem import cfa

HERE = Path(__file__).parent / "boundary_refs"
REFS = json.loads((HERE / "refs.json").read_text())
DATA = pd.read_csv(HERE / "data.csv")


@pytest.mark.parametrize("case", ["fiml", "observed"])
def test_method_loading_at_zero_has_lavaans_observed_information_se(case):
    ref = REFS[case]
    data, kw = (DATA, {"missing": "fiml"}) if case == "fiml" else (DATA.dropna(), {"information": "observed"})
    res = cfa(REFS["model"], data, warn=False, **kw)
    assert not [w for w in res.warnings if "not identified" in w or "could not be computed" in w], res.warnings
    pe = res.parameter_estimates()
    assert abs(pe.loc[pe["label"] == "m", "est"].iloc[0]) < 1e-4 and abs(ref["m"]) < 1e-4
    ours = {(r.lhs, r.op, r.rhs): (r.est, r.se) for r in pe.itertuples(index=False)}
    for row in ref["estimates"]:
        est, se = ours[(row["lhs"], row["op"], row["rhs"])]
        assert est == pytest.approx(row["est"], abs=2e-4)
        assert se == pytest.approx(row["se"], rel=2e-3, abs=1e-6), (row["lhs"], row["op"], row["rhs"])
    assert res.fit_measures()["chisq"] == pytest.approx(ref["fit"]["chisq"], rel=1e-6)
    # scoring creeps towards m = 0 (its curvature vanishes there) and hands over to quasi-Newton: 90 iterations
    # for the FIML case where it used 539 (500 of scoring) before
    assert res.iterations < 250, res.meta.get("optimizer_history")
    if case == "fiml":
        assert res.fit_measures()["cfi.robust"] == pytest.approx(ref["fit"]["cfi.robust"], abs=1e-6)


def test_a_flat_direction_stays_not_identified_under_the_observed_information():
    # two indicators, a factor uncorrelated with everything: F's loading and variance trade off exactly
    d = DATA.dropna()
    res = cfa("F =~ a1 + a2\nG =~ b1 + b2 + b3\nF ~~ 0*G", d, warn=False, information="observed")
    assert any("not identified" in w or "could not be inverted" in w for w in res.warnings)
    pe = res.parameter_estimates()
    assert np.isnan(pe.loc[(pe["lhs"] == "F") & (pe["op"] == "=~") & (pe["rhs"] == "a2"), "se"].iloc[0])
