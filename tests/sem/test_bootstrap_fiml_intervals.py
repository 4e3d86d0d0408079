"""A FIML bootstrap's intervals against lavaan 0.6.14 on the same resamples, the jackknife BCa included.

tests/sem/boot_fiml_refs/make_refs.R (its output refs.json is committed; the tests only read it) draws 60
resamples of a data set with missing answers, refits lavaan (missing = "ml") on each and on every
leave-one-case-out sample, and computes with lavaan's own code the intervals of parameterEstimates(
boot.ci.type = "perc" / "bca.simple" / "norm" / "basic") on those draws, and the BCa interval with the jackknife
acceleration that the package's ``ci="bca"`` (the book's chapter 6) reports.  ``bootstrap(..., indices=)``
refits the same resamples.  The two optimizers stop at slightly different points (draws within ~1e-5: the
book's demo bootstrap, 1,000 draws of 803 respondents, agrees with lavaan per draw to 1.8e-5 and its shown
intervals to 6e-6), hence abs 1e-4 on the draws and the bounds.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.sem import bootstrap as bs
from iur_survey.sem import sem

HERE = Path(__file__).parent
REF = json.loads((HERE / "boot_fiml_refs" / "refs.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def boot():
    d = pd.read_csv(HERE / "stdnox_refs" / "data.csv")
    assert d.isna().any(axis=None)                       # FIML: missing answers
    res = sem(REF["model"], d, missing="fiml", warn=False)
    idx = np.array(REF["idx"])
    return bs.bootstrap(res, idx.shape[0], data=d, indices=idx, ci="bca", workers=1, progress=False, warn=False)


def test_same_draws_and_jackknife(boot):
    assert boot.n_ok == REF["B"]
    np.testing.assert_allclose(boot.estimates[:, :boot.n_free], np.array(REF["coef"]), atol=1e-4)
    assert boot.jackknife.shape[0] == REF["N"]
    np.testing.assert_allclose(boot.jackknife[:, :boot.n_free], np.array(REF["jack"]), atol=1e-4)


@pytest.mark.parametrize("ci,key", [("percentile", "perc"), ("bca.simple", "bca.simple"), ("norm", "norm"),
                                    ("basic", "basic")])
def test_intervals_as_lavaan(boot, ci, key):
    lav = pd.DataFrame(REF[key]).fillna({"rhs": ""})
    ours = boot.parameter_estimates(ci=ci, standardized=False)
    m = ours.merge(lav, on=["lhs", "op", "rhs"], suffixes=("", "_lav"), validate="one_to_one")
    assert len(m) == len(lav)
    assert (m["op"] == ":=").sum() == 2
    np.testing.assert_allclose(m["est"], m["est_lav"], atol=1e-5)
    np.testing.assert_allclose(m["se"], m["se_lav"], atol=1e-5)
    np.testing.assert_allclose(m["ci.lower"], m["ci.lower_lav"], atol=1e-4)
    np.testing.assert_allclose(m["ci.upper"], m["ci.upper_lav"], atol=1e-4)


def test_jackknife_bca_as_lavaans_formula(boot):
    ref = pd.DataFrame(REF["bca_jackknife"])
    assert ref["name"].tolist() == boot.columns
    np.testing.assert_allclose(boot.acceleration, ref["accel"], atol=1e-4)
    ci = boot.confidence_intervals("bca")
    np.testing.assert_allclose(ci["ci.lower"], ref["ci.lower"], atol=1e-4)
    np.testing.assert_allclose(ci["ci.upper"], ref["ci.upper"], atol=1e-4)
    # the mediation table's BCa columns are these bounds
    from iur_survey.sem.mediation import bootstrap_effects
    eff = bootstrap_effects(boot).set_index("effect")
    r = ref.set_index("name")
    for name in ("ab", "tot"):
        assert eff.at[name, "bca.lower"] == pytest.approx(r.at[name, "ci.lower"], abs=1e-4)
        assert eff.at[name, "bca.upper"] == pytest.approx(r.at[name, "ci.upper"], abs=1e-4)
