"""The Fornell-Larcker comparison is coded once (measure.fornell_larcker_verdict): measure.fornell_larcker, the
paper tables and the book judge by it, and an unknown value is "not computable", never "not met"."""

from __future__ import annotations

import math

import pandas as pd

from iur_survey import measure
from iur_survey.report import paper


def test_one_comparison():
    v = measure.fornell_larcker_verdict
    assert paper.fornell_larcker_verdict is v
    assert v(0.5, 0.8, 0.7) == "met" and v(-0.75, 0.8, 0.7) == "not met" and v(0.7, 0.7) == "not met"
    assert v(math.nan, 0.8) == v(0.5, math.nan) == v(0.5, None, 0.9) == v(0.5) == "not computable"


def _two_factors(cov_fg: float, cross: bool = False) -> pd.DataFrame:
    rows = [("F", "=~", "a", 1.0), ("F", "=~", "b", 1.0), ("G", "=~", "c", 1.0), ("G", "=~", "d", 1.0),
            ("a", "~~", "a", 0.5), ("b", "~~", "b", 0.5), ("c", "~~", "c", 0.5), ("d", "~~", "d", 0.5),
            ("F", "~~", "F", 1.0), ("G", "~~", "G", 1.0), ("F", "~~", "G", cov_fg)]
    if cross:
        rows.append(("G", "=~", "b", 0.3))
    return pd.DataFrame(rows, columns=["lhs", "op", "rhs", "est"])


def test_long_form_judges_by_the_verdict():
    fl = measure.fornell_larcker(_two_factors(0.6))
    assert fl["meets_criterion"].tolist() == [True, True]        # sqrt(2/3) = .816 > .6
    fl = measure.fornell_larcker(_two_factors(0.9))
    assert fl["meets_criterion"].tolist() == [False, False]
    mat = measure.fornell_larcker(_two_factors(0.9), matrix=True)
    for c in mat.index:          # the matrix the book shows gives the same verdicts
        others = mat.loc[c].drop(c).abs().max()
        assert (measure.fornell_larcker_verdict(others, mat.loc[c, c]) == "met") == fl.loc[c, "meets_criterion"]


def test_unknown_ave_is_not_computable_never_not_met():
    fl = measure.fornell_larcker(_two_factors(0.2, cross=True))   # a cross-loading item: AVE not defined (NaN)
    unknown = fl[fl["sqrt_ave"].isna()]
    assert len(unknown) >= 1
    assert all(m is None for m in unknown["meets_criterion"])
