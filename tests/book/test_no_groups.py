"""An instrument without stakeholder groups (no `groups:`): chapter 7 says so in one sentence and its steps are
pending for that reason (it read "distinguishes zero stakeholder roles: ." and the invariance step failed with
"... fit without --group", an option the book's user never gave)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from iur_survey.instrument import load_instrument
from iur_survey.pipeline import Pending, _step_invariance
from iur_survey.report.groups import _instrument_glue

NOGROUPS = Path(__file__).resolve().parent / "continuous_refs" / "instrument.yaml"


def test_invariance_is_pending_without_groups():
    inst = load_instrument(NOGROUPS)
    assert not inst.groups
    with pytest.raises(Pending, match="defines no stakeholder groups"):
        _step_invariance({"instrument": inst, "clean": pd.DataFrame()})


def test_chapter_7_says_there_are_no_groups():
    text = _instrument_glue(load_instrument(NOGROUPS))["partners_sentence"][1]
    assert "defines no stakeholder groups" in text and "zero" not in text
    assert "four kinds of partner" in _instrument_glue(load_instrument())["partners_sentence"][1]
