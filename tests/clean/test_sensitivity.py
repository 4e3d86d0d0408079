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


def test_a_without_fit_with_warnings_is_said_not_shown_silently(cleaned):
    """An outside audit: a 45-row "without" sample with negative variances went into the table in silence
    (COL ~ VAL 2.06, SE 6.4). Its warnings now ride along (attrs and SensitivityWarning)."""
    from iur_survey.sem.sensitivity import SensitivityWarning

    flags = cleaned.flags.copy()
    flags["n_evidence"] = 1
    flags.loc[flags.index[:45], "n_evidence"] = 0
    wo = sem(default_model(), cleaned.clean.iloc[:45].reset_index(drop=True))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tab = flag_sensitivity(cleaned.clean, flags, default_model())
    said = tab.attrs["warnings"]
    if not wo.converged:
        assert any("did not converge" in w for w in said) and tab["est_without"].isna().all()
        assert not tab["sign_change"].any() and not tab["significance_change"].any()
    assert len(said) >= len(wo.warnings) > 0 or not wo.converged
    assert all(w.startswith("the fit without the flagged respondents") for w in said)
    assert sum(issubclass(c.category, SensitivityWarning) for c in caught) == len(said)
