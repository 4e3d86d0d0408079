"""Measurement fixes of the session-10 audit: HTMT with an item in two constructs, one-to-one EFA assignment,
refusals of constant items and text cells (alpha, HTMT), alpha's item statistics against psych::alpha, HTMT
"not computable", and the common latent factor carrying its fit's warnings.

References: tests/measure/refs/make_measurefix_refs.R -> measurefix_refs.json (committed; tests never run R).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.errors import DataError
from iur_survey.measure import common_latent_factor, cronbach_alpha, fit_common_latent_factor, htmt
from iur_survey.measure._common import Measurement
from iur_survey.measure.efa import efa, item_assignment

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent
REFS = json.loads((HERE / "refs" / "measurefix_refs.json").read_text(encoding="utf-8"))
HS = pd.read_csv(TESTS / "reference" / "data" / "hs1939.csv")
BFI = pd.read_csv(HERE / "efa_refs" / "data_bfi.csv")
TOL = 1e-8


def mat(d):
    return pd.DataFrame(np.array(d["values"], float), index=d["rownames"], columns=d["colnames"])


# ------------------------------------------------------------------------------------------ A1: HTMT, shared item
def test_htmt_of_constructs_sharing_an_item_leaves_its_self_correlation_out():
    cmap = {"vis": ["x1", "x2", "x3", "x9"], "text": ["x4", "x5", "x6"], "speed": ["x7", "x8", "x9"]}
    ref = mat(REFS["cfa"]["hs_xl"]["htmt_distinct"])
    ours = htmt(HS, cmap, matrix=True)
    assert np.abs(ours.to_numpy() - ref.loc[ours.index, ours.columns].to_numpy()).max() < TOL
    assert abs(ours.loc["vis", "speed"] - 0.5865) < 5e-4          # .759 with the x9-x9 cell (r = 1) counted
    assert REFS["cfa"]["hs_xl"]["semtools_htmt_error"]           # semTools refuses this model


def test_htmt_without_shared_items_is_unchanged():
    cmap = {"vis": ["x1", "x2", "x3"], "text": ["x4", "x5", "x6"], "speed": ["x7", "x8", "x9"]}
    ref = mat(REFS["cfa"]["hs_ce"]["htmt_distinct"])
    ours = htmt(HS, cmap, matrix=True)
    assert np.abs(ours.to_numpy() - ref.loc[ours.index, ours.columns].to_numpy()).max() < TOL


# ------------------------------------------------------------------------------------------ C6: HTMT NaN
def test_htmt_of_a_single_item_construct_is_not_computable_not_failing():
    res = htmt(HS, {"A": ["x1", "x2"], "B": ["x4"], "C": ["x7", "x8"]}).set_index(["construct_1", "construct_2"])
    assert np.isnan(res.loc[("A", "B"), "htmt"])
    assert res.loc[("A", "B"), "below_085"] is pd.NA and res.loc[("A", "B"), "below_090"] is pd.NA
    assert bool(res.loc[("A", "C"), "below_085"]) is True


# ------------------------------------------------------------------------------------------ A4, C7, C8: refusals
def _with_constant():
    d = HS[["x1", "x2", "x3", "x4", "x5", "x6"]].copy()
    d["g4"] = 3.0
    return d


def test_a_constant_item_is_refused_by_alpha_and_htmt_naming_it():
    d = _with_constant()
    with pytest.raises(DataError, match=r"^g4: item has no variance"):
        cronbach_alpha(d, {"G": ["x1", "x2", "x3", "g4"]})
    with pytest.raises(DataError, match=r"^g4: item has no variance"):
        htmt(d, {"G": ["x1", "x2", "x3", "g4"], "H": ["x4", "x5", "x6"]})
    # the same construct without it is fine
    assert cronbach_alpha(d, {"G": ["x1", "x2", "x3"]})["alpha"].notna().all()


def test_text_cells_are_refused_with_their_count_not_made_missing():
    d = HS[["x1", "x2", "x3", "x4", "x5", "x6"]].astype(object)
    d.loc[:49, "x1"] = "n/a"
    with pytest.raises(DataError, match=r"^x1: 50 cell\(s\) are not numbers \(first: 'n/a'\)"):
        cronbach_alpha(d, {"G": ["x1", "x2", "x3"]})
    with pytest.raises(DataError, match="x1: 50 cell"):
        htmt(d, {"G": ["x1", "x2", "x3"], "H": ["x4", "x5", "x6"]})
    d.loc[:49, "x1"] = "2.5"                      # numbers written as text are numbers
    assert cronbach_alpha(d, {"G": ["x1", "x2", "x3"]})["n"].iloc[0] == len(HS)


def test_alpha_on_fewer_rows_than_items_warns_and_on_one_row_is_refused():
    d = HS[["x1", "x2", "x3"]]
    with pytest.warns(UserWarning, match="2 complete rows for 3 items"):
        cronbach_alpha(d.head(2), {"G": ["x1", "x2", "x3"]})
    with pytest.raises(DataError, match="alpha needs at least two"):
        cronbach_alpha(d.head(1), {"G": ["x1", "x2", "x3"]})
    rng = np.random.default_rng(3)
    f = rng.standard_normal(4)
    d4 = pd.DataFrame({f"x{i}": f + 0.3 * rng.standard_normal(4) for i in (1, 2, 3)})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cronbach_alpha(d4, {"G": ["x1", "x2", "x3"]})["n"].iloc[0] == 4


# ------------------------------------------------------------------------------------------ C1: psych::alpha items
@pytest.mark.parametrize("k", ["A", "C", "E"])
def test_alpha_item_statistics_equal_psych_and_reverse_keyed_items_warn(k):
    ref = REFS["alpha"][k]
    items = ref["items"]
    with pytest.warns(UserWarning, match="correlate\\(s\\) negatively with the sum") as rec:
        tot = cronbach_alpha(BFI, {k: items})
        per = cronbach_alpha(BFI, {k: items}, items=True).loc[k].loc[items]
    assert tot.loc[k, "n"] == ref["n"]
    assert abs(tot.loc[k, "alpha"] - ref["raw_alpha"]) < TOL and abs(tot.loc[k, "alpha_std"] - ref["std_alpha"]) < TOL
    assert np.abs(per["r_drop"].to_numpy() - ref["r_drop"]).max() < TOL
    assert np.abs(per["alpha_drop"].to_numpy() - ref["alpha_drop"]).max() < TOL
    assert np.abs(per["alpha_std_drop"].to_numpy() - ref["alpha_std_drop"]).max() < TOL
    negative = [i for i, r in zip(items, ref["r_drop"]) if r < 0]
    text = str(rec[0].message)
    assert all(repr(i) in text for i in negative)
    assert ref["warnings"]                                    # psych warns on these scales too


def test_alpha_of_recoded_items_does_not_warn():
    d = BFI.copy()
    d["A1"] = 7 - d["A1"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cronbach_alpha(d, {"A": ["A1", "A2", "A3", "A4", "A5"]})


# ------------------------------------------------------------------------------------------ A3: one-to-one
def test_two_constructs_on_one_factor_cannot_both_match():
    L = pd.DataFrame({"F1": [.8, .7, .7, .8, .7, .7, 0, 0, 0], "F2": [0] * 6 + [.8, .7, .7], "F3": [.1] * 9},
                     index=[f"{c}{i}" for c in "ABC" for i in (1, 2, 3)])
    a = item_assignment(L, {i: i[0] for i in L.index}).set_index("item")
    assert a["home"].nunique() == 3
    assert int(a["matches"].sum()) == 6
    assert a.loc[["A1", "A2", "A3"], "matches"].all() != a.loc[["B1", "B2", "B3"], "matches"].all()


@pytest.mark.parametrize("seed", [5, 11])
def test_split_half_style_check_reports_a_merge_of_two_constructs(seed):
    rng = np.random.default_rng(seed)
    n = 400
    C = np.array([[1, .97, .3], [.97, 1, .3], [.3, .3, 1]])
    F = rng.multivariate_normal([0, 0, 0], C, n)
    d = pd.DataFrame({f"{c}{i}": .75 * F[:, j] + rng.standard_normal(n) * .65
                      for j, c in enumerate("ABC") for i in (1, 2, 3)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = efa(d, 3, rotation="geomin")
    a = item_assignment(res.loadings, {c: c[0] for c in d.columns})
    assert a["home"].nunique() == 3
    assert int(a["matches"].sum()) <= 6                       # A or B lost its factor: three exceptions at least


# ------------------------------------------------------------------------------------------ C3: CLF warnings
def test_common_latent_factor_carries_the_fit_warnings_of_a_given_fit():
    base = {"estimates": [{"lhs": "A", "op": "=~", "rhs": "a", "est": 1.0, "std.all": 0.8}],
            "fit": {"chisq": 120.0, "df": 50, "ntotal": 300}}
    clf = {"estimates": [{"lhs": "A", "op": "=~", "rhs": "a", "est": 1.0, "std.all": 0.75},
                         {"lhs": "METHOD", "op": "=~", "rhs": "a", "est": 0.3, "std.all": 0.3}],
           "fit": {"chisq": 100.0, "df": 49, "ntotal": 300}, "warnings": ["some estimated ov variances are negative"]}
    with pytest.warns(UserWarning, match="CFA \\+ method factor fit warns: some estimated ov variances"):
        res = common_latent_factor(base, clf)
    assert res.loc["cfa+method", "warnings"] == "some estimated ov variances are negative"
    assert res.loc["cfa", "warnings"] == ""


def test_fit_common_latent_factor_keeps_the_engines_heywood_warning():
    d = pd.read_csv(HERE / "refs" / "clf_heywood.csv")
    ref = REFS["clf"]
    assert "negative" in str(ref["warnings"]) and ref["c3_residual_variance"] < 0
    cmap = {"A": ["a1", "a2", "a3", "a4"], "B": ["b1", "b2"], "C": ["c1", "c2", "c3"]}
    with pytest.warns(UserWarning, match="negative"):
        res = fit_common_latent_factor(d, cmap)
    assert "c3" in res.loc["cfa+method", "warnings"]
    assert abs(res.loc["cfa+method", "method_variance"] - ref["method_variance"]) < 1e-4
    assert abs(res.loc["difference", "max_loading_change"] - ref["max_loading_change"]) < 1e-4


def test_harman_carries_the_warnings_of_its_one_factor_cfa():
    """Harman's one-factor CFA row carries its fit's warnings (a Heywood case), as the common latent factor does,
    and the APA table's note says its share is not interpretable."""
    from iur_survey.measure import harman_single_factor
    from iur_survey.report.sem_tables import harman_table

    d = pd.DataFrame({"a": [1.0, 2, 3, 4, 5, 2], "b": [2.0, 2, 4, 4, 5, 1], "c": [1.0, 3, 3, 5, 4, 2]})
    single = {"estimates": [{"lhs": "F", "op": "=~", "rhs": r, "est": 1.0, "std.all": v}
                            for r, v in zip("abc", (1.02, 0.7, 0.6))],
              "fit": {"chisq": 0.0, "df": 0, "cfi": 1.0, "ntotal": 6},
              "warnings": ["some estimated ov variances are negative"]}
    with pytest.warns(UserWarning, match="one-factor CFA warns: some estimated ov variances are negative"):
        res = harman_single_factor(d, ["a", "b", "c"], single_factor=single)
    assert res.loc["single_factor_cfa", "warnings"] == "some estimated ov variances are negative"
    assert res.loc["pca_first_component", "warnings"] == ""
    assert "not interpretable" in harman_table(res).note


# ------------------------------------------------------------------------------------------ implied covariance
def test_an_unknown_factor_covariance_reaches_only_its_items():
    est = pd.DataFrame({"lhs": ["F", "F", "G", "G", "F", "G", "F", "a", "b", "c", "d"],
                        "op": ["=~"] * 4 + ["~~"] * 7, "rhs": ["a", "b", "c", "d", "F", "G", "G", "a", "b", "c", "d"],
                        "est": [1, 1, 1, 1, 1, 1, np.nan, .5, .5, .5, .5]})
    sig = Measurement(est).implied_cov()
    assert sig.loc["a", "b"] == 1.0 and sig.loc["a", "a"] == 1.5
    assert np.isnan(sig.loc["a", "c"])
