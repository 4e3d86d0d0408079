"""The decision on a random responder's flags at an ordinary speed against an honest extreme responder's
(clean.decision's docstring: why such a random responder can be kept, and what each change would cost)."""
import pandas as pd
import pytest

from iur_survey.clean.decision import BESIDE, decide

INCONSISTENCY = ("psychsyn", "psychant", "even_odd", "person_total")


def _flags(rows):
    """rows: one set of flagged index rules per response -> aligned detail Series (<NA> = not flagged)."""
    rules = sorted({r for row in rows for r in row} | set(INCONSISTENCY))
    return {r: pd.Series([f"{r} detail" if r in row else pd.NA for row in rows], dtype="string") for r in rules}


RANDOM = {"mahalanobis", "mahalanobis_direction", "random_likelihood", "psychant", "person_total"}
EXTREME = {"mahalanobis", "mahalanobis_direction", "random_likelihood", "person_total"}


def test_random_and_extreme_kept_by_default():
    ex, basis = decide(_flags([RANDOM, EXTREME]))
    assert ex.tolist() == [False, False]
    assert basis == ["", ""]


def test_inconsistency_two_of_four_takes_the_random_one_only():
    ex, basis = decide(_flags([RANDOM, EXTREME]), min_inconsistency=2)
    assert ex.tolist() == [True, False]
    assert basis[0] == "convergent evidence: size + likelihood + inconsistency"


@pytest.mark.parametrize("group", ["size", "direction"])
def test_a_distance_beside_likelihood_takes_both(group):
    beside = {g: tuple(p) for g, p in BESIDE.items()}
    beside[group] = beside[group] + ("likelihood",)
    ex, basis = decide(_flags([RANDOM, EXTREME]), beside=beside)
    assert ex.tolist() == [True, True]
    assert all(group in b and "likelihood" in b for b in basis)


def test_a_style_explained_distance_does_not_count_beside_likelihood():
    """A D² a response style explains counts beside speed only, whatever else counts."""
    flags = _flags([EXTREME])
    flags["mahalanobis"] = pd.Series(["D² 80 [a response style explains it]"], dtype="string")
    beside = {g: tuple(p) for g, p in BESIDE.items()}
    beside["size"] = beside["size"] + ("likelihood",)
    assert decide(flags, beside=beside)[0].tolist() == [False]
