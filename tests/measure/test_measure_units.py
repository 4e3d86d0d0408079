"""Edge cases of iur_survey.measure, checked against hand computations (no R needed)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from iur_survey.measure import (
    ave,
    common_latent_factor,
    composite_reliability,
    cronbach_alpha,
    fornell_larcker,
    harman_single_factor,
    htmt,
)


def table(rows):
    return pd.DataFrame(rows, columns=["lhs", "op", "rhs", "est"])


TWO_FACTORS = table(
    [
        ("F", "=~", "a", 1.0), ("F", "=~", "b", 0.8), ("F", "=~", "c", 0.6),
        ("G", "=~", "d", 1.0), ("G", "=~", "e", 1.2),
        ("H", "=~", "h", 1.0),  # single indicator: dropped (semTools dropSingle)
        ("a", "~~", "a", 0.5), ("b", "~~", "b", 0.36), ("c", "~~", "c", 0.64),
        ("d", "~~", "d", 0.4), ("e", "~~", "e", 0.3), ("h", "~~", "h", 0.0),
        ("b", "~~", "c", 0.1),  # residual covariance inside F
        ("F", "~~", "F", 1.0), ("G", "~~", "G", 0.5), ("H", "~~", "H", 1.0),
        ("F", "~~", "G", 0.3), ("F", "~~", "H", 0.2), ("G", "~~", "H", 0.1),
    ]
)


def test_omega_hand_computed_with_residual_covariance_and_single_indicator_dropped():
    res = composite_reliability(TWO_FACTORS)
    assert list(res.index) == ["F", "G"]
    # F: (2.4)^2 * 1 / (5.76 + .5 + .36 + .64 + 2 * .1)
    assert res.loc["F", "omega"] == pytest.approx(5.76 / (5.76 + 1.5 + 0.2), abs=1e-12)
    # G: (2.2)^2 * .5 / (2.42 + .7)
    assert res.loc["G", "omega"] == pytest.approx(2.42 / 3.12, abs=1e-12)
    assert res["meets_cutoff"].tolist() == [True, True]


def test_omega_with_a_sample_covariance_uses_its_block_sum():
    s = pd.DataFrame(np.eye(6) * 2.0, index=list("abcdeh"), columns=list("abcdeh"))
    s.loc["a", "b"] = s.loc["b", "a"] = 0.5
    res = composite_reliability(TWO_FACTORS, s)
    assert res.loc["F", "omega"] == pytest.approx(5.76 / (6.0 + 1.0), abs=1e-12)
    assert res.loc["G", "omega"] == pytest.approx(2.42 / 4.0, abs=1e-12)
    a = ave(TWO_FACTORS, s)
    assert a.loc["F", "ave"] == pytest.approx(2.0 / 6.0, abs=1e-12)
    assert a.loc["G", "ave"] == pytest.approx(2.44 * 0.5 / 4.0, abs=1e-12)
    assert a["meets_cutoff"].tolist() == [False, False]


def test_ave_is_nan_for_a_factor_with_a_cross_loading_but_omega_is_not():
    t = pd.concat([TWO_FACTORS, table([("G", "=~", "c", 0.3)])], ignore_index=True)
    a = ave(t)
    assert np.isnan(a.loc["F", "ave"]) and np.isnan(a.loc["G", "ave"])
    assert a.loc["F", "meets_cutoff"] is pd.NA            # not computable, never "below .50"
    assert np.isfinite(composite_reliability(t).loc["F", "omega"])


def test_fornell_larcker_uses_latent_correlations():
    fl = fornell_larcker(TWO_FACTORS)
    r = 0.3 / np.sqrt(0.5)
    assert fl.loc["F", "max_abs_cor"] == pytest.approx(r)
    assert fl.loc["F", "max_cor_with"] == "G"
    tab = fornell_larcker(TWO_FACTORS, matrix=True)
    assert tab.loc["G", "G"] == pytest.approx(np.sqrt(ave(TWO_FACTORS).loc["G", "ave"]))
    assert tab.loc["F", "G"] == pytest.approx(r)


def test_endogenous_factor_variance_comes_from_std_lv():
    t = table([("X", "=~", "a", 1.0), ("X", "=~", "b", 1.0), ("Y", "=~", "c", 1.0), ("Y", "=~", "d", 2.0),
               ("Y", "~", "X", 0.5), ("X", "~~", "X", 1.0), ("Y", "~~", "Y", 0.75),
               ("a", "~~", "a", 1.0), ("b", "~~", "b", 1.0), ("c", "~~", "c", 1.0), ("d", "~~", "d", 1.0)])
    # var(Y) = .5^2 * 1 + .75 = 1; std.lv = est * sd(factor)
    t["std.lv"] = t["est"]  # sd(X) = sd(Y) = 1
    # without a covariance: the model-implied one, the factors' variances from lavaan's cov.lv
    # ((I - B)^-1 Psi (I - B)^-T): Y's block [[1, 2], [2, 4]] + I sums to 11
    assert composite_reliability(t).loc["Y", "omega"] == pytest.approx(9.0 / 11.0)
    # Y ~ z, an observed covariate: its variance counts in Y's (lavaan's cov.lv); not in the table, Y's is unknown
    t_obs = pd.concat([t, table([("Y", "~", "z", 0.3)])], ignore_index=True)
    got = composite_reliability(t_obs)["omega"]
    assert got["X"] == pytest.approx(2 / 3) and np.isnan(got["Y"])
    t_z = pd.concat([t_obs, table([("z", "~~", "z", 2.0)])], ignore_index=True)   # implied var(Y) = 1 + .09 * 2
    assert composite_reliability(t_z).loc["Y", "omega"] == pytest.approx(9 / (9 * 1.18 + 2))   # (std.lv: 1)
    s = pd.DataFrame(np.diag([2.0, 2.0, 2.0, 5.0]), index=list("abcd"), columns=list("abcd"))
    res = composite_reliability(t, s)
    assert res.loc["Y", "omega"] == pytest.approx(9.0 / 7.0)
    t2 = t.copy()
    t2.loc[t2["lhs"] == "Y", "std.lv"] *= 2.0  # var(Y) = 4 now
    assert composite_reliability(t2, s).loc["Y", "omega"] == pytest.approx(36.0 / 7.0)


def test_multigroup_table_is_refused():
    t = pd.concat([TWO_FACTORS.assign(group=1), TWO_FACTORS.assign(group=2)])
    with pytest.raises(ValueError, match="multi-group"):
        ave(t)


def test_alpha_listwise_per_construct_and_hand_value():
    df = pd.DataFrame({"a": [1, 2, 3, 4, np.nan], "b": [2, 2, 4, 4, 5], "c": [1, 3, 3, 5, 5]}, dtype=float)
    res = cronbach_alpha(df, {"F": ["a", "b", "c"], "G": ["b", "c"]})
    assert res.loc["F", "n"] == 4 and res.loc["G", "n"] == 5
    x = df.dropna().to_numpy()
    cov = np.cov(x, rowvar=False)
    assert res.loc["F", "alpha"] == pytest.approx(1.5 * (1 - np.trace(cov) / cov.sum()))
    with pytest.raises(KeyError, match="zz"):
        cronbach_alpha(df, {"F": ["a", "zz"]})


def test_htmt_uses_listwise_complete_rows_and_absolute_correlations():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((200, 4))
    x[:, 1] = x[:, 0] + rng.standard_normal(200)
    x[:, 3] = -(x[:, 2] + rng.standard_normal(200))  # negatively keyed item: absolute value used
    df = pd.DataFrame(x, columns=["a1", "a2", "b1", "b2"])
    df.iloc[5, 0] = np.nan
    r = np.abs(np.corrcoef(df.dropna().to_numpy(), rowvar=False))
    expected = r[np.ix_([0, 1], [2, 3])].mean() / np.sqrt(r[0, 1] * r[2, 3])
    res = htmt(df, {"A": ["a1", "a2"], "B": ["b1", "b2"]})
    assert res.loc[0, "htmt"] == pytest.approx(expected)
    geo = htmt(df, {"A": ["a1", "a2"], "B": ["b1", "b2"]}, htmt2=True)
    block = r[np.ix_([0, 1], [2, 3])]
    assert geo.loc[0, "htmt"] == pytest.approx(np.exp(np.log(block).mean()) / np.sqrt(r[0, 1] * r[2, 3]))


def test_harman_pca_share_is_first_eigenvalue_over_p():
    rng = np.random.default_rng(5)
    f = rng.standard_normal(500)
    df = pd.DataFrame({f"x{i}": 2 * f + rng.standard_normal(500) for i in range(4)})
    res = harman_single_factor(df, list(df.columns))
    ev = np.linalg.eigvalsh(np.corrcoef(df.to_numpy(), rowvar=False))
    assert res.loc["pca_first_component", "share"] == pytest.approx(ev.max() / 4)
    assert not res.loc["pca_first_component", "meets_cutoff"]  # one dominant factor


def test_common_latent_factor_requires_method_loadings():
    base = {"estimates": TWO_FACTORS.assign(**{"std.all": 0.5}), "fit": {"chisq": 10.0, "df": 5}}
    with pytest.raises(ValueError, match="METHOD"):
        common_latent_factor(base, base)
    with pytest.raises(TypeError):
        common_latent_factor(base, [1, 2])
