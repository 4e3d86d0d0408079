"""An interval that excludes zero never reads as touching zero.

The demo book's H7d (VAL -> COL -> INT) has the percentile interval [0.000292, 0.069016]: it excludes zero, the
hypothesis is "supported", yet the table and the text printed "[0.000, 0.069]" beside "yes".  The bound that rounds
to zero now gets the decimals that tell it from zero; an interval that contains zero is printed as before.
"""
import math

import pandas as pd

from iur_survey.report.format import ci_text
from iur_survey.report.mediation import mediation_table


def test_bound_that_rounds_to_zero_keeps_its_sign_and_digits():
    assert ci_text(0.000292, 0.069016) == "[0.0003, 0.069]"
    assert ci_text(0.000239, 0.069003) == "[0.0002, 0.069]"
    assert ci_text(-0.069, -0.00004) == "[−0.069, −0.00004]"
    assert ci_text(0.0004, 0.3, 2, False) == "[.0004, .30]"       # a bounded statistic, two decimals


def test_interval_containing_zero_or_plain_is_unchanged():
    assert ci_text(-0.00228, 0.06345) == "[−0.002, 0.063]"
    assert ci_text(0.0, 0.5) == "[0.000, 0.500]"                    # an exact zero bound is zero
    assert ci_text(0.074017, 0.188251) == "[0.074, 0.188]"
    assert ci_text(0.546503, 0.693753, leading_zero=False) == "[.547, .694]"
    assert ci_text(math.nan, 0.7) == "—" and ci_text(None, 0.7) == "—"


def test_at_most_three_more_decimals():
    assert ci_text(1e-9, 0.5) == "[0.000000, 0.500]"


def test_mediation_table_shows_the_excluding_bound():
    eff = pd.DataFrame({"effect": ["ind_VAL"], "kind": ["indirect"], "source": ["VAL"], "definition": ["a4*b"],
                        "est": [0.030585], "std.all": [0.032342], "boot.se": [0.01787],
                        "perc.lower": [0.000292], "perc.upper": [0.069016], "bca.lower": [0.000239],
                        "bca.upper": [0.069003], "delta.se": [0.016768], "delta.lower": [-0.00228],
                        "delta.upper": [0.06345], "delta.pvalue": [0.068151]})
    text = mediation_table(eff).to_html() if hasattr(mediation_table(eff), "to_html") else str(mediation_table(eff))
    assert "[0.0003, 0.069]" in text and "[0.0002, 0.069]" in text and "[−0.002, 0.063]" in text
    assert "[0.000, 0.069]" not in text


def test_pls_comparison_intervals_use_the_same_rule():
    from iur_survey.report.pls_tables import _ci
    assert _ci(0.0031, 0.16) == "[.003, .16]"
    assert _ci(-0.0031, 0.16) == "[−.00, .16]"                      # contains zero: as before
    assert _ci(float("nan"), 0.16) == "—" and _ci(None, 0.1) == "—"
