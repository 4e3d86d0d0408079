"""CB-SEM's side of an indirect or total effect in the PLS comparison judged by the bootstrap the mediation
chapter uses (percentile interval excluding 0), not by the delta-method p; paths keep the Wald test.  The
book's H7d: delta p = .068 ("no") but percentile interval [0.0003, 0.069] ("yes" in chapter 6), so Table 8.3
counted VAL -> COL -> INT as a disagreement with a PLS effect that is significant."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from iur_survey.pls.compare import agreement, with_cb_bootstrap
from iur_survey.report.pls_tables import pls_comparison_table


def _compare() -> pd.DataFrame:
    """A compare_with_cbsem-shaped frame: two paths, two indirect effects, one total effect."""
    return pd.DataFrame({
        "lhs": ["COL", "INT", "ind_VAL", "ind_GOV", "tot_VAL"], "op": ["~", "~", ":=", ":=", ":="],
        "rhs": ["VAL", "COL", "a5*b", "a1*b", "c5+ind_VAL"], "label": ["a5", "b", "ind_VAL", "ind_GOV", "tot_VAL"],
        "pls_est": [0.20, 0.30, 0.06, 0.02, 0.15], "pls_ci.lower": [0.10, 0.2, 0.02, -0.01, 0.05],
        "pls_ci.upper": [0.30, 0.4, 0.10, 0.05, 0.25], "pls_pvalue": [0.001, 0.0, 0.01, 0.2, 0.004],
        "cb_std": [0.12, 0.35, 0.04, 0.05, 0.10], "cb_est": [0.10, 0.31, 0.031, 0.040, 0.12],
        "cb_pvalue": [0.058, 0.0, 0.068, 0.03, 0.01],
        "cb_std.ci.lower": [-0.004, 0.25, -0.003, 0.004, 0.02], "cb_std.ci.upper": [0.24, 0.45, 0.083, 0.096, 0.18],
        "pls_significant": [True, True, True, False, True], "cb_significant": [False, True, False, True, True],
        "cb_test": ["wald", "wald", "delta", "delta", "delta"],
        "agree": [False, True, False, False, True]})


def _effects(**lower) -> pd.DataFrame:
    eff = pd.DataFrame({"effect": ["ind_VAL", "ind_GOV", "tot_VAL"], "est": [0.031, 0.040, 0.12],
                        "perc.lower": [0.0003, -0.002, 0.01], "perc.upper": [0.069, 0.09, 0.23]})
    for k, v in lower.items():
        eff.loc[eff["effect"] == k, "perc.lower"] = v
    return eff


def test_the_bootstrap_decides_the_indirect_effects_and_the_paths_keep_their_test():
    before = agreement(_compare())
    out = with_cb_bootstrap(_compare(), _effects(), 0.95)
    row = out.set_index("lhs")
    # H7d: delta p .068 ("not significant") but the percentile interval excludes 0: significant, agrees with PLS
    assert row.loc["ind_VAL", "cb_test"] == "bootstrap" and bool(row.loc["ind_VAL", "cb_significant"]) is True
    assert bool(row.loc["ind_VAL", "agree"]) is True
    assert row.loc["ind_VAL", "cb_boot.ci.lower"] == pytest.approx(0.0003)
    # the other way: delta p .03 but the interval covers 0 -> not significant (agrees with PLS's "not")
    assert bool(row.loc["ind_GOV", "cb_significant"]) is False and bool(row.loc["ind_GOV", "agree"]) is True
    # paths: the Wald p still decides (COL ~ VAL, p = .058, stays a disagreement); no bootstrap interval on them
    assert row.loc["COL", "cb_test"] == "wald" and bool(row.loc["COL", "agree"]) is False
    assert np.isnan(row.loc["COL", "cb_boot.ci.lower"])
    # the delta p shown in the table is left as it is
    assert row.loc["ind_VAL", "cb_pvalue"] == pytest.approx(0.068)
    after = agreement(out)
    assert (before["n"], before["agree"]) == (5, 2)
    assert (after["n"], after["agree"], after["disagree"]) == (5, 4, [("COL", "~", "VAL")])
    assert (after["n_paths"], after["agree_paths"]) == (before["n_paths"], before["agree_paths"])


def test_a_significant_effect_of_the_opposite_sign_does_not_agree():
    eff = _effects()
    eff.loc[eff["effect"] == "ind_VAL", ["est", "perc.lower", "perc.upper"]] = [-0.031, -0.07, -0.001]
    cmp = _compare()
    cmp.loc[cmp["lhs"] == "ind_VAL", ["cb_est", "cb_std"]] = [-0.031, -0.04]
    out = with_cb_bootstrap(cmp, eff, 0.95).set_index("lhs")
    assert bool(out.loc["ind_VAL", "cb_significant"]) is True and bool(out.loc["ind_VAL", "agree"]) is False


def test_an_effect_the_bootstrap_lacks_keeps_the_delta_method_with_a_warning():
    eff = _effects().iloc[[0, 2]]
    with pytest.warns(UserWarning, match="no bootstrap interval of ind_GOV"):
        out = with_cb_bootstrap(_compare(), eff, 0.95).set_index("lhs")
    assert out.loc["ind_GOV", "cb_test"] == "delta" and bool(out.loc["ind_GOV", "cb_significant"]) is True
    assert out.loc["ind_VAL", "cb_test"] == "bootstrap"


def test_a_bootstrap_of_another_fit_or_level_is_refused():
    eff = _effects()
    eff.loc[0, "est"] = 0.05                       # not the compared fit's estimate 0.031
    with pytest.raises(ValueError, match="not of the compared CB-SEM fit.*ind_VAL"):
        with_cb_bootstrap(_compare(), eff, 0.95)
    with pytest.raises(ValueError, match="90% ones"):
        with_cb_bootstrap(_compare(), _effects(), 0.90)
    with pytest.raises(ValueError, match="perc.lower"):
        with_cb_bootstrap(_compare(), _effects().drop(columns="perc.lower"), 0.95)


def test_a_frame_without_cb_test_gets_one():
    """A cached compare frame of an older compare_with_cbsem (no cb_test column) is judged the same way."""
    out = with_cb_bootstrap(_compare().drop(columns="cb_test"), _effects(), 0.95)
    assert out["cb_test"].tolist() == ["wald", "wald", "bootstrap", "bootstrap", "bootstrap"]


def test_the_note_says_which_test_each_row_uses():
    plain = pls_comparison_table(_compare()).note
    assert "whatever its delta-method" not in plain
    full = pls_comparison_table(with_cb_bootstrap(_compare(), _effects(), 0.95), cb_boot="chapter 6's 200 bootstrap "
                                "resamples").note
    assert ("For CB-SEM, an indirect or total effect is significant when the percentile 95% interval of its "
            "unstandardized estimate from chapter 6's 200 bootstrap resamples excludes 0") in full
    assert "a path, when its *p* < .05" in full
    with pytest.warns(UserWarning):
        some = pls_comparison_table(with_cb_bootstrap(_compare(), _effects().iloc[[0]], 0.95)).note
    assert ("For CB-SEM, VAL → COL → INT is significant when the percentile 95% interval of its unstandardized "
            "estimate") in some
    assert "the other effects and the paths, when their *p* < .05" in some
    with pytest.warns(UserWarning):
        two = pls_comparison_table(with_cb_bootstrap(_compare(), _effects().iloc[[0, 2]], 0.95)).note
    assert "VAL → COL → INT, VAL → INT (total) are significant when the percentile 95% interval of their" in two


def test_compare_with_cbsem_takes_the_bootstrap_directly():
    from iur_survey.pls import EXAMPLE_MODEL, example_data, pls_sem
    from iur_survey.pls.compare import compare_with_cbsem
    res = pls_sem(example_data(), model=EXAMPLE_MODEL).bootstrap(100, seed=3)
    cb = pd.DataFrame({"lhs": ["M", "Y", "Y", "ind"], "op": ["~", "~", "~", ":="], "rhs": ["X", "M", "X", "a*b"],
                       "label": ["a", "b", "c", "ind"], "est": [0.62, 0.45, 0.2, 0.279], "se": [0.07, 0.08, 0.09, 0.2],
                       "pvalue": [0.0, 0.0, 0.026, 0.16], "ci.lower": [0.48, 0.29, 0.02, -0.11],
                       "ci.upper": [0.76, 0.61, 0.38, 0.67], "std.all": [0.57, 0.43, 0.19, 0.245],
                       "std.all.se": [0.05, 0.06, 0.08, 0.2], "std.all.ci.lower": [0.47, 0.31, 0.03, -0.15],
                       "std.all.ci.upper": [0.67, 0.55, 0.35, 0.64]})
    eff = pd.DataFrame({"effect": ["ind"], "est": [0.279], "perc.lower": [0.17], "perc.upper": [0.39]})
    plain = compare_with_cbsem(res, cb)
    assert plain["cb_test"].tolist() == ["wald", "wald", "wald", "delta"]
    assert bool(plain.iloc[3]["cb_significant"]) is False
    direct = compare_with_cbsem(res, cb, cb_bootstrap=eff, cb_bootstrap_level=0.95)
    pd.testing.assert_frame_equal(direct, with_cb_bootstrap(plain, eff, 0.95))
    assert direct.iloc[3]["cb_test"] == "bootstrap" and bool(direct.iloc[3]["cb_significant"]) is True
    with pytest.raises(ValueError, match="cb_bootstrap_level"):
        compare_with_cbsem(res, cb, cb_bootstrap=eff)
