"""The summary's "Constraints:" block (|Slack|) against lavaan 0.6.14's summary() (constraints_summary_refs/)."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.sem import sem

REFS = Path(__file__).parent / "constraints_summary_refs"


def _block(text: str) -> list[str]:
    lines = text.splitlines()
    i = lines.index("Constraints:")
    j = next((k for k in range(i, len(lines)) if not lines[k].strip()), len(lines))
    return lines[i:j]


@pytest.fixture(scope="module")
def fitted():
    ref = json.loads((REFS / "constraints_summary.json").read_text())
    data = pd.read_csv(REFS / "PoliticalDemocracy.csv")
    return ref, sem(ref["model"], data)


def test_constraints_block_as_lavaan(fitted):
    ref, res = fitted
    assert res.fit["chisq"] == pytest.approx(ref["chisq"], rel=1e-6)
    ours = _block(res.summary())
    theirs = _block((REFS / "constraints_summary.txt").read_text())
    assert ours[:2] == theirs[:2]                        # title and the |Slack| header, in lavaan's columns
    assert len(ours) == len(theirs) == 2 + len(ref["constraints"])
    for o, t, c in zip(ours[2:], theirs[2:], ref["constraints"]):
        assert o[:45] == t[:45]                          # the name: "b - (2*c-1)", "e-f - (0.1)"
        assert len(o) == len(t)                          # the slack right-aligned at lavaan's column
        assert float(o[45:]) == pytest.approx(abs(c["est"]), abs=1e-6)


def test_constraints_block_after_parameters(fitted):
    _, res = fitted
    text = res.summary()
    assert text.index("Variances:") < text.index("Constraints:")
    assert text.count("Constraints:") == 1


def test_no_block_without_constraints():
    rng = np.random.default_rng(3)
    d = pd.DataFrame(rng.normal(size=(80, 2)), columns=["x", "y"])
    assert "Constraints:" not in sem("y ~ x", d).summary()


def test_r_abbreviate_as_r():
    """R 4.2.2's abbreviate(x, 41, strict = TRUE) of texts of every kind (make_constraints_abbrev_ref.R)."""
    from iur_survey.sem.results import r_abbreviate

    ref = json.loads((REFS / "constraints_abbrev.json").read_text())
    assert [r_abbreviate(x, 41) for x in ref["x"]] == ref["abbr"]


def test_long_constraint_names_abbreviated_as_lavaan():
    """Names over 41 characters are abbreviated as lavaan's summary does (its R abbreviate); 39 and 40 stay."""
    ref = json.loads((REFS / "constraints_abbrev.json").read_text())
    res = sem(ref["model"], pd.read_csv(REFS / "PoliticalDemocracy.csv"))
    assert res.fit["chisq"] == pytest.approx(ref["chisq"], rel=1e-6)
    ours = _block(res.summary())
    theirs = _block((REFS / "constraints_abbrev_summary.txt").read_text())
    assert [o[:45] for o in ours] == [t[:45] for t in theirs]
    assert [len(o) for o in ours] == [len(t) for t in theirs]
    assert "ResidualVarianceOfItmY2-(RsdlVrncOfItmY6)" in ours[2]
