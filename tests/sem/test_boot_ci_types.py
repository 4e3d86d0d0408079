"""The bootstrap's interval types against lavaan 0.6.14's ``parameterEstimates(boot.ci.type = ...)`` on the
same resamples: tests/sem/boot_ci_refs/make_refs.R (its output refs.json is committed; the tests only read
it) writes lavaan's resample indices (bootstrapLavaan(keep.idx = TRUE), the draws of sem(se = "bootstrap")
with that iseed), which ``bootstrap(..., indices=)`` refits.  The two optimizers stop at slightly different
points (draws within ~1e-5), hence abs 1e-4 on the bounds; "norm" at level 0.90 too.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.errors import EstimationError
from iur_survey.sem import bootstrap as bs
from iur_survey.sem import sem

HERE = Path(__file__).parent
REF = json.loads((HERE / "boot_ci_refs" / "refs.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def boot():
    d = pd.read_csv(HERE / "stdnox_refs" / "data.csv").dropna()
    res = sem(REF["model"], d, warn=False)
    idx = np.array(REF["idx"])
    return bs.bootstrap(res, idx.shape[0], data=d, indices=idx, workers=1, progress=False, warn=False)


def test_same_draws(boot):
    assert boot.n_ok == REF["B"]
    np.testing.assert_allclose(boot.estimates[:, :boot.n_free], np.array(REF["coef"]), atol=1e-4)


@pytest.mark.parametrize("ci,key,level", [("norm", "norm", 0.95), ("basic", "basic", 0.95),
                                          ("percentile", "perc", 0.95), ("bca.simple", "bca.simple", 0.95),
                                          ("norm", "norm90", 0.90)])
def test_intervals_as_lavaan(boot, ci, key, level):
    lav = pd.DataFrame(REF[key]).fillna({"rhs": ""})
    ours = boot.parameter_estimates(ci=ci, level=level, standardized=False)
    m = ours.merge(lav, on=["lhs", "op", "rhs"], suffixes=("", "_lav"), validate="one_to_one")
    assert len(m) == len(ours) == len(lav)
    assert (m["op"] == ":=").sum() == 2
    np.testing.assert_allclose(m["ci.lower"], m["ci.lower_lav"], atol=1e-4)
    np.testing.assert_allclose(m["ci.upper"], m["ci.upper_lav"], atol=1e-4)
    if "se_lav" in m:
        np.testing.assert_allclose(m["se"], m["se_lav"], atol=1e-5)


def test_norm_is_refused_for_standardized_draws(boot):
    with pytest.raises(EstimationError, match="norm"):
        boot.standardized_solution(ci="norm")
    ss = boot.standardized_solution(ci="basic")
    free = ss["se"] > 0
    assert (ss.loc[free, "ci.lower"] < ss.loc[free, "ci.upper"]).all()
