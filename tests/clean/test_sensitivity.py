"""flag_sensitivity: the same model with and without the flagged-but-kept respondents."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from iur_survey.clean import clean
from iur_survey.errors import IURSurveyError
from iur_survey.instrument import load_instrument
from iur_survey.read.base import RawResponses
from iur_survey.sem import sem
from iur_survey.study import default_model
from iur_survey.sem.sensitivity import flag_sensitivity
from iur_survey.simulate import Contamination, simulate

INST = load_instrument()


@pytest.fixture(scope="module")
def cleaned():
    sim = simulate(600, seed=8, contamination=Contamination(item_nonresponse_cells=0.0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return clean(RawResponses(sim.frame, "x.csv", "csv", "0" * 64), INST)


def test_side_by_side_equals_two_separate_fits(cleaned):
    tab = flag_sensitivity(cleaned.clean, cleaned.flags, default_model())
    flagged = cleaned.flags["n_evidence"].to_numpy() >= 1
    assert 0 < flagged.sum() < len(flagged)
    ref_all = sem(default_model(), cleaned.clean).parameter_estimates(standardized=False)
    ref_wo = sem(default_model(), cleaned.clean[~flagged].reset_index(drop=True)).parameter_estimates(standardized=False)
    for ref, col in ((ref_all, "est_all"), (ref_wo, "est_without")):
        r = ref[ref["op"].isin(["~", ":="])].set_index("label")["est"]
        np.testing.assert_allclose(tab.set_index("label").loc[r.index, col], r, rtol=1e-10)
    assert set(tab["op"]) == {"~", ":="} and {"ind_GOV", "b"} <= set(tab["label"])
    assert (tab["n_all"] == len(cleaned.clean)).all() and (tab["n_without"] == (~flagged).sum()).all()
    np.testing.assert_allclose(tab["diff"], tab["est_without"] - tab["est_all"])


def test_flags_by_rule_and_mismatched_flags_are_refused(cleaned):
    tab = flag_sensitivity(cleaned.clean, cleaned.flags, default_model(), rules=["mahalanobis"])
    assert tab["n_without"].iloc[0] == len(cleaned.clean) - cleaned.flags["mahalanobis"].sum()
    with pytest.raises(IURSurveyError, match="do not belong"):
        flag_sensitivity(cleaned.clean.iloc[1:], cleaned.flags)
    with pytest.raises(IURSurveyError, match="no flag column"):
        flag_sensitivity(cleaned.clean, cleaned.flags, rules=["nope"])
