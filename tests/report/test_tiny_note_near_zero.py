"""The structural-paths note said "the variables' scales differ by orders of magnitude; rescale them" for an effect
near zero in one group (outside audit: MLR by role, Research institute TAL → COL b = 3.0e-04, SE = 0.101, printed
"0.000 | 0.101 | [−0.198, 0.199] | .000 | .998"): a near-zero b beside an SE that prints is reported as it is."""

from __future__ import annotations

import pandas as pd

from iur_survey.report.paper import _tiny_note


def _name(r):
    return f"{r['rhs']} → {r['lhs']}"


def test_near_zero_effect_with_a_printing_se_has_no_scale_note():
    reg = pd.DataFrame({"lhs": ["COL", "COL"], "rhs": ["TAL", "GOV"], "est": [3.0e-4, 0.32], "se": [0.101, 0.06]})
    assert _tiny_note(reg, _name) == ""


def test_tiny_se_still_named():
    """The case the note is for: x7-x9 divided by 30 (tests/report/test_paper_structure.py)."""
    reg = pd.DataFrame({"lhs": ["speed"], "rhs": ["visual"], "est": [3.3e-4], "se": [8.7e-5]})
    assert "(visual → speed: b = 3.3e-04, SE = 8.7e-05)" in _tiny_note(reg, _name)


def test_tiny_b_without_se_still_named():
    reg = pd.DataFrame({"lhs": ["y"], "rhs": ["a"], "est": [2e-4], "se": [0.0]})
    assert "a → y" in _tiny_note(reg, _name)
