"""Multi-group fits through the Python API (``iur_survey.sem.sem(..., group=...)``), as an analyst or the book
calls it, held to what the command line holds ``fit --group`` to.

* lavaan 0.6.14 numbers the groups by first appearance in the data, a factor's too (``lav_data_full``:
  ``unique(as.character(data[[group]]))``): group k, its ``.gk`` labels and the k-th value of ``c(...)`` are that
  group.  A pandas Categorical's group column was numbered by its categories' order, so ``c(0.5, NA)*x2`` fixed
  the loading in another group than lavaan did (same data, same syntax): silently another model.
* Group codes 1..G that the data give in another order: group 1 is then not code 1; said at fit time.
* A column of names, e-mail addresses or phones is refused as a group (its labels reach summary(), the tables and
  the diagram), as ``fit --group`` refuses it; so is a column giving each row a group of its own (ids, names under
  another header), before any check that would quote a label.
* lavaan's single-label warning (a label written once holds the parameter equal across groups) and a group with
  no more cases than its free parameters are raised as :class:`SEMFitWarning` when the model is fitted, not only
  kept in ``res.warnings``.
* Estimates, SEs and fit indices of 2- and 3-group fits (HS1939; psych's bfi: FIML, MLR, group.equal) equal
  lavaan's, row by row with lavaan's names (lhs op rhs group label est se; README tolerances: estimates 1e-4,
  SEs 0.5 %, fit indices 1e-3, chi-square and logLik 1e-4 relative).

References: tests/sem/api_group_refs/refs.json, written by make_refs.R in that folder (lavaan 0.6.14).
"""

from __future__ import annotations

import json
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.errors import DataError, EstimationError
from iur_survey.sem import SEMFitWarning, sem
from iur_survey.sem.partable import SINGLE_LABEL_WARNING

ROOT = Path(__file__).parents[1]
REFS = json.loads((Path(__file__).parent / "api_group_refs" / "refs.json").read_text())
HSM = "visual =~ x1 + c(0.5, NA)*x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
BFM = "agree =~ A1 + A2 + A3 + A4 + A5\nneuro =~ N1 + N2 + N3 + N4 + N5"


@lru_cache(maxsize=None)
def hs() -> pd.DataFrame:
    return pd.read_csv(ROOT / "reference" / "data" / "hs1939.csv")


@lru_cache(maxsize=None)
def bfi() -> pd.DataFrame:
    d = pd.read_csv(ROOT / "fixtures" / "real" / "bfi.csv", index_col=0)
    return d[d["education"].isin([3, 4, 5])]


def fit(*a, **kw):
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        res = sem(*a, **kw)
    return res, [str(w.message) for w in said if w.category is SEMFitWarning]


def same_as_lavaan(res, ref):
    assert list(res.partable.group_labels) == ref["group_label"]
    assert list(res.nobs) == ref["nobs"]
    pe = res.parameter_estimates()
    lav = pd.DataFrame(ref["pe"])
    key = ["lhs", "op", "rhs", "group"]
    both = lav.merge(pe[key + ["label", "est", "se"]], on=key, suffixes=("_lav", ""), how="left", validate="1:1")
    assert len(both) == len(lav) and both["est"].notna().all()
    assert (both["label"].fillna("") == both["label_lav"].fillna("")).all()
    np.testing.assert_allclose(both["est"], both["est_lav"], atol=1e-4)
    se = both["se_lav"] > 0
    np.testing.assert_allclose(both.loc[se, "se"], both.loc[se, "se_lav"], rtol=5e-3)
    fm = res.fit_measures()
    for k in ("chisq", "logl", "bic"):
        assert fm[k] == pytest.approx(ref["fit"][k], rel=1e-4), k
    for k in ("df", "npar"):
        assert int(fm[k]) == ref["fit"][k], k
    for k in ("cfi", "tli", "rmsea", "srmr", "pvalue", "cfi.robust", "tli.robust", "rmsea.robust"):
        if k in ref["fit"]:
            assert fm[k] == pytest.approx(ref["fit"][k], abs=1e-3), k
    for k in ("chisq.scaled", "chisq.scaling.factor"):
        if k in ref["fit"]:
            assert fm[k] == pytest.approx(ref["fit"][k], rel=1e-4), k


def test_a_factor_group_is_numbered_by_first_appearance_as_lavaan():
    d = hs().copy()
    d["school"] = pd.Categorical(d["school"], categories=["Grant-White", "Pasteur"])     # Pasteur comes first
    res, _ = fit(HSM, d, group="school")
    same_as_lavaan(res, REFS["factor_levels"])      # 0.5 fixes Pasteur's x2 loading, as in lavaan
    pe = res.parameter_estimates()
    x2 = pe[(pe.op == "=~") & (pe.rhs == "x2")].set_index("group")
    assert x2.loc[1, "est"] == 0.5 and x2.loc[1, "se"] == 0


def test_codes_1_to_g_out_of_order_are_said_to_be_positions():
    d = hs().copy()
    d["g"] = np.where(d["school"] == "Pasteur", 2, 1)
    res, said = fit(HSM, d, group="g")
    same_as_lavaan(res, REFS["codes_21"])
    assert any("numbered by first appearance" in w and "group 1 is code '2'" in w for w in said)
    d = d.sort_values("g", kind="stable")             # in order: nothing to say
    _, said = fit(HSM, d, group="g")
    assert not any("numbered by first appearance" in w for w in said)


def test_three_groups_fiml_equal_lavaan():
    res, _ = fit(BFM, bfi(), group="education", missing="fiml")
    same_as_lavaan(res, REFS["bfi_fiml3"])


def test_three_groups_mlr_fiml_equal_lavaan():
    res, _ = fit(BFM, bfi(), group="education", missing="fiml", estimator="MLR")
    same_as_lavaan(res, REFS["bfi_mlr3"])


def test_three_groups_group_equal_equal_lavaan():
    res, _ = fit(BFM, bfi(), group="education", missing="listwise", group_equal=["loadings", "intercepts"])
    same_as_lavaan(res, REFS["bfi_eq3"])


@pytest.mark.parametrize("column,values", [
    ("email", ["li.na@example.com", "wang@example.org"]),
    ("Your name", ["Li Na", "Wang Fang"]),
    ("contact", ["li.na@example.com", "wang@example.org"]),      # by a value: the header names no person
    ("phone_or_role", ["firm", "+86 138 1003 5003"]),
])
def test_personal_data_is_no_group_of_the_api(column, values):
    d = hs().copy()
    d[column] = np.where(d["school"] == "Pasteur", values[0], values[1])
    with pytest.raises(DataError) as err:
        sem(HSM, d, group=column)
    msg = str(err.value)
    assert "personal data" in msg and not any(v in msg for v in values)


def test_a_group_per_row_is_refused_by_counts_without_a_label():
    d = hs().head(40).copy()
    d["respondent"] = [f"Zhang San {i}" for i in range(len(d))]
    with pytest.raises(EstimationError, match="40 of the 40 groups of 'respondent' have a single row") as err:
        sem(HSM, d, group="respondent")
    assert "Zhang" not in str(err.value)


def test_single_label_equality_is_raised_when_fitted():
    model = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\ntextual ~ b*visual"
    res, said = fit(model, hs(), group="school")
    assert SINGLE_LABEL_WARNING in said                 # lavaan's warning() at fit time; was res.warnings only
    pe = res.parameter_estimates()
    assert pe.loc[pe.op == "~", "est"].nunique() == 1


def test_a_group_with_fewer_cases_than_parameters_is_said_loudly():
    d = hs()
    d = pd.concat([d[d.school == "Pasteur"], d[d.school == "Grant-White"].head(12)])
    res, said = fit(HSM.replace("c(0.5, NA)*", ""), d, group="school")
    assert any("has 12 cases in the fit for the 30 free parameters of its own" in w for w in said)
    d = hs()
    _, said = fit(HSM.replace("c(0.5, NA)*", ""), d, group="school")
    assert not any("free parameters of its own" in w for w in said)


def test_group_equal_as_one_string_is_one_name_as_in_lavaan():
    ref, _ = fit(HSM, hs(), group="school", group_equal=["loadings"])
    res, _ = fit(HSM, hs(), group="school", group_equal="loadings")        # was refused letter by letter
    assert int(res.fit_measures()["df"]) == int(ref.fit_measures()["df"])
    assert res.fit_measures()["chisq"] == pytest.approx(ref.fit_measures()["chisq"], rel=1e-8)


def test_group_equal_without_a_group_is_refused():
    with pytest.raises(EstimationError, match="need group=COLUMN"):
        sem(HSM, hs(), group_equal=["loadings"])          # was a one-group fit without a word


def test_personal_data_is_no_group_of_the_invariance_sequences():
    from iur_survey.sem.invariance import measurement_invariance
    from iur_survey.sem.wlsmv_invariance import ordinal_invariance
    d = hs().copy()
    d["contact"] = np.where(d["school"] == "Pasteur", "li.na@example.com", "wang@example.org")
    # was a table of "not evaluated" steps whose group sizes were keyed by the addresses
    with pytest.raises(DataError, match="personal data"):
        measurement_invariance(HSM.replace("c(0.5, NA)*", ""), d, "contact", steps=["configural", "metric"])
    with pytest.raises(DataError, match="personal data"):
        ordinal_invariance("visual =~ x1 + x2 + x3", d, "contact")


def test_summary_says_which_parameters_are_equal_across_groups():
    res, _ = fit("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\ntextual ~ b*visual", hs(), group="school")
    text = res.summary()
    assert "Equal across groups:\n  group.equal: none (lavaan's default)\n" \
           "  by a label shared by the groups (lavaan's rule): textual ~ visual (b)" in text
    res, _ = fit(HSM.replace("c(0.5, NA)*", ""), hs(), group="school", group_equal=["loadings", "intercepts"])
    text = res.summary()
    assert "  group.equal: loadings, intercepts\n" in text and "by a label shared" not in text
    res, _ = fit(HSM.replace("c(0.5, NA)*", ""), hs())
    assert "Equal across groups" not in res.summary()


def test_summary_names_group_partial_and_the_groups_a_label_joins():
    # the block said group.equal's classes but not the parameters group.partial freed from them, and called a
    # label shared by two of three groups "shared by the groups"
    res, _ = fit(HSM.replace("c(0.5, NA)*", ""), hs(), group="school", group_equal=["loadings"],
                 group_partial=["visual =~ x2"])
    assert "  group.equal: loadings\n  group.partial (free in each group): visual =~ x2\n" in res.summary()
    d = hs().copy()
    d["third"] = np.where(d["school"] == "Pasteur", "P", np.where(np.arange(len(d)) % 2, "G1", "G2"))
    res, _ = fit("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\ntextual ~ c(b, b, c)*visual", d, group="third")
    assert "by a label shared by the groups (lavaan's rule): textual ~ visual (b: groups 1, 2)" in res.summary()


def test_an_ordinal_group_with_fewer_cases_than_parameters_is_said_loudly():
    rng = np.random.default_rng(3)
    f = rng.standard_normal((316, 2)) @ np.linalg.cholesky([[1, .4], [.4, 1]]).T
    x = np.hstack([f[:, :1] * .8 + rng.standard_normal((316, 4)) * .6, f[:, 1:] * .8 + rng.standard_normal((316, 4)) * .6])
    d = pd.DataFrame((x > 0).astype(int) + 1, columns=[f"a{i}" for i in range(1, 5)] + [f"b{i}" for i in range(1, 5)])
    d["G"] = ["x"] * 300 + ["y"] * 16          # binary items: 17 free parameters per group (8 thresholds)
    _, said = fit("F1 =~ a1 + a2 + a3 + a4\nF2 =~ b1 + b2 + b3 + b4", d, ordered=True, group="G")
    assert any("group 'y' of 'G' has 16 cases in the fit for the 17 free parameters" in w for w in said)
