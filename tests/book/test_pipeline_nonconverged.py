"""The book's pipeline marks a fit that did not converge as a failed step (audit s19 semaudit B1): the fit step
raises an IURSurveyError saying so (the runner turns it into ``failed`` with that reason), never a ValueError from
the summary; the summary of such a fit prints lavaan's banner."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from iur_survey import pipeline
from iur_survey.errors import IURSurveyError
from iur_survey.instrument import load_instrument
from iur_survey.sem import sem
from iur_survey.sem.results import NotConvergedError, SEMFitWarning


MODEL = "F =~ a + b + c\nG =~ d + e + f\nG ~ F"


@pytest.fixture(scope="module")
def nonconverged():
    rng = np.random.default_rng(11)
    f = rng.standard_normal((100, 2))
    d = pd.DataFrame(f @ [[1.0, 0.8, 0.7, 0, 0, 0], [0, 0, 0, 1.0, 0.8, 0.7]] + 0.6 * rng.standard_normal((100, 6)),
                     columns=["a", "b", "c", "d", "e", "f"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SEMFitWarning)
        res = sem(MODEL, d, control={"max_iter": 1})       # the iteration cap: no start value survives it
    assert not res.converged
    return res


def test_summarise_fit_refuses_it_with_a_typed_error(nonconverged):
    with pytest.raises(NotConvergedError, match="did not converge") as exc:
        pipeline.summarise_fit(nonconverged, MODEL, "ML", "auto")
    assert isinstance(exc.value, IURSurveyError)           # the runner's contract: the step is marked failed
    assert "NOT end normally" in nonconverged.summary()    # and the summary itself no longer crashes


def test_a_fit_step_that_did_not_converge_is_failed_not_a_crash(nonconverged, monkeypatch):
    monkeypatch.setattr(pipeline, "sem", lambda *a, **k: nonconverged)
    ctx = {"instrument": load_instrument(), "clean": None}
    for step in ("sem", "sem_mlr", "sem_listwise"):
        with pytest.raises(IURSurveyError, match="the model did not converge"):
            pipeline._RUNNERS[step](ctx)
