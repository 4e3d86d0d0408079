"""Chapters 1, 5 and 6 name COL and INT with the instrument's own labels (an analyst's "Joint problem solving" was
called "collaborative innovation" in the prose while the diagram used the instrument's label)."""

from __future__ import annotations

from pathlib import Path

from iur_survey.instrument import load_instrument
from iur_survey.report.codebook import outcome_words

OWN7 = Path(__file__).resolve().parents[1] / "report" / "refs" / "own7" / "instrument.yaml"


def test_own_labels_for_an_own_instrument():
    w = outcome_words(load_instrument(OWN7))
    assert (w["COL"], w["Col"], w["INT"]) == ("joint problem solving", "Joint problem solving",
                                              "partnership performance")


def test_the_study_keeps_its_words():
    w = outcome_words(load_instrument())
    assert (w["COL"], w["INT"], w["Col"]) == ("collaborative innovation", "deep integration",
                                              "Collaborative innovation")
