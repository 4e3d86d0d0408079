"""PLS-SEM on data the sample fit handles but resamples, folds or blocks make degenerate (an outside audit).

References: ``reference/make_pls_refs.py`` (numpy only: a plain data-matrix implementation of Lohmoeller's
algorithm, no project code) -> ``reference/pls_refs.json`` with its two data sets, and
``reference/make_plspm_ref.py`` (the PyPI package plspm 0.5.7, run in a separate environment; never imported
here, not a dependency) -> ``reference/plspm_refs.json``.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.cli import main
from iur_survey.errors import EstimationError
from iur_survey.pls import EXAMPLE_MODEL, compare_with_cbsem, example_data, pls_predict, pls_sem
from iur_survey.pls.predict import kfold_splits

REF = Path(__file__).parent / "reference"
DATA = Path(__file__).parents[1] / "reference" / "data"
REFS = json.loads((REF / "pls_refs.json").read_text())


def _boot_columns(res):
    pc, ol = res.path_coefficients(), res.outer_loadings()
    return {k: np.r_[pc[k], ol[k]] for k in ("se", "ci.lower", "ci.upper")} | {"est": np.r_[pc["est"], ol["loading"]]}


@pytest.mark.parametrize("case", ["rare_item_40", "yesno_30"])
def test_bootstrap_leaves_out_exactly_the_resamples_that_cannot_be_fitted(case):
    """rare_item_40: b2 is 5 for 2 of 40 respondents, constant in 238 of 2000 resamples; the package dropped
    only 19 of them (a rounding residue passed for a variance) and fitted the others on garbage correlations:
    b2's loading had se .259 and CI [-.000, .931] instead of .134 and [.434, .933].  yesno_30: two single-item
    constructs are the same variable in 66 of 500 resamples; one of them stopped the whole bootstrap."""
    ref = REFS[case]
    res = pls_sem(pd.read_csv(REF / f"{case}.csv"), ref["model"]).bootstrap(ref["B"], seed=ref["seed"])
    assert res.boot.n_failed == ref["left_out"]
    assert res.boot.draws["paths"].shape[0] == ref["kept"]
    got = _boot_columns(res)
    for key in ("est", "se", "ci.lower", "ci.upper"):
        np.testing.assert_allclose(got[key], ref[key], atol=1e-5, err_msg=key)


def test_a_singular_path_regression_still_fails_the_point_estimate():
    d = pd.read_csv(REF / "yesno_30.csv").assign(z=lambda f: f["x"])
    with pytest.raises(EstimationError, match="collinear"):
        pls_sem(d, REFS["yesno_30"]["model"])


@pytest.mark.parametrize("case", ["poldem", "hs1939"])
@pytest.mark.parametrize("scheme", ["path", "factorial", "centroid"])
def test_loadings_and_paths_equal_plspm(case, scheme):
    ref = json.loads((REF / "plspm_refs.json").read_text())[case]
    res = pls_sem(pd.read_csv(DATA / f"{case}.csv"), ref["model"], scheme=scheme, tol=1e-10)
    got = res.outer_loadings().set_index("item")["loading"]
    for item, v in ref[scheme]["loadings"].items():
        assert got[item] == pytest.approx(v, abs=1e-7)
    for r in res.path_coefficients().itertuples():
        assert r.est == pytest.approx(ref[scheme]["paths"][f"{r.lhs} ~ {r.rhs}"], abs=1e-7)


def _collinear():
    d = example_data()
    return d.assign(x3=2 * d["x1"] + 1)


def test_collinear_indicators_are_said_and_their_outer_vif_is_infinite():
    """x3 = 2 x1 + 1: the fit said nothing and outer_vif() raised LinAlgError; with n = 3 cases the VIFs were
    -9e13 (np.linalg.inv of a singular matrix)."""
    with pytest.warns(UserWarning, match=r"perfectly collinear indicators in block X: x1, x3"):
        res = pls_sem(_collinear(), EXAMPLE_MODEL)
    vif = res.outer_vif().set_index("item")["vif"]
    assert np.isinf(vif["x1"]) and np.isinf(vif["x3"])
    r = np.corrcoef(res.data_matrix[:, :2], rowvar=False)[0, 1]          # x2 on span(x1, x3) = span(x1)
    assert vif["x2"] == pytest.approx(1 / (1 - r ** 2), rel=1e-9)
    with pytest.warns(UserWarning, match="collinear"):
        small = pls_sem(example_data().iloc[:3], "X =~ x1 + x2 + x3\nY =~ y1\nY ~ X")
    vif = small.outer_vif()["vif"].iloc[:3]                              # 3 cases: rows 0-2 make x2 = x1 - 2
    assert np.isinf(vif).sum() == 2 and (vif >= 1).all()


def test_pls_predict_with_collinear_indicators_uses_least_squares():
    """The LM benchmark solved the normal equations: a singular matrix traceback (`pls --predict`, exit 1)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        res = pls_sem(_collinear(), EXAMPLE_MODEL)
    folds = [kfold_splits(res.n, 5, np.random.default_rng(3))]
    tab = pls_predict(res, folds=folds)
    X = res.data_matrix
    items = list(res.model.items)
    xi = [items.index("x1"), items.index("x2")]                          # x3 adds nothing to the column space
    sse = 0.0
    yi = items.index("y1")
    for test in folds[0]:
        train = np.setdiff1d(np.arange(res.n), test)
        A = np.column_stack([np.ones(len(train)), X[np.ix_(train, xi)]])
        beta = np.linalg.lstsq(A, X[train, yi], rcond=None)[0]
        e = X[test, yi] - np.column_stack([np.ones(len(test)), X[np.ix_(test, xi)]]) @ beta
        sse += e @ e
    assert tab.set_index("item").loc["y1", "rmse_lm"] == pytest.approx(np.sqrt(sse / res.n), rel=1e-9)


def test_pls_predict_names_the_fold_that_leaves_an_item_without_variance():
    res = pls_sem(pd.read_csv(REF / "rare_item_40.csv"), REFS["rare_item_40"]["model"])
    with pytest.raises(EstimationError, match=r"PLSpredict: the training cases of fold \d+ \(repetition \d+\) "
                                              r"leave b2 without variance"):
        res.predict(k=5, seed=3)


def test_result_predict_takes_the_benchmark_of_its_technique():
    """PLSResult.predict(technique="DA") used the EA benchmark (its own default "exogenous")."""
    syn = EXAMPLE_MODEL.replace("Y ~ b*M + c*X", "Y ~ b*M")
    res = pls_sem(example_data(), syn)
    a = res.predict(k=5, repeats=1, seed=1, technique="DA")
    b = pls_predict(res, k=5, repeats=1, seed=1, technique="DA", benchmark="antecedents")
    np.testing.assert_allclose(a["rmse_lm"], b["rmse_lm"], rtol=1e-12)


def test_blindfolding_warns_when_d_divides_n():
    res = pls_sem(example_data(n=70), EXAMPLE_MODEL)
    with pytest.warns(UserWarning, match="D = 7 divides the number of cases"):
        res.blindfolding(7)


def test_comparison_with_another_model_is_said_and_same_sign_is_unknown():
    res = pls_sem(example_data(), EXAMPLE_MODEL)
    cb = pd.DataFrame({"lhs": ["M", "Y"], "op": ["~", "~"], "rhs": ["X", "M"], "label": ["a", "b"],
                       "est": [0.6, 0.4], "se": [0.1, 0.1], "pvalue": [0.0, 0.0], "ci.lower": [0.4, 0.2],
                       "ci.upper": [0.8, 0.6], "std.all": [0.5, 0.35], "std.all.se": [.05, .05],
                       "std.all.ci.lower": [.4, .25], "std.all.ci.upper": [.6, .45]})
    with pytest.warns(UserWarning, match=r"not of the same model: no CB-SEM estimate of the PLS path\(s\) Y ~ X"):
        tab = compare_with_cbsem(res, cb)
    row = tab.set_index(["lhs", "rhs"]).loc[("Y", "X")]
    assert pd.isna(row["same_sign"]) and pd.isna(row["agree"])
    assert tab.set_index(["lhs", "rhs"]).loc[("M", "X"), "same_sign"] == True  # noqa: E712


def test_pls_table_names_effects_of_another_model_by_their_names():
    from iur_survey.report.pls_tables import pls_comparison_table

    cmp = pd.DataFrame({"lhs": ["dem60", "dem65", "ind_ind60"], "op": ["~", "~", ":="],
                        "rhs": ["ind60", "dem60", "a*b"], "pls_est": [.4, .79, .32], "pls_ci.lower": [.2, .7, .15],
                        "pls_ci.upper": [.6, .87, .45], "pls_pvalue": [0, 0, 0], "cb_std": [.45, .91, .41],
                        "cb_std.ci.lower": [.3, .85, .25], "cb_std.ci.upper": [.6, .97, .57],
                        "cb_pvalue": [0, 0, 0], "agree": [True, True, True]})
    assert pls_comparison_table(cmp).frame["Effect"].tolist() == ["ind60 → dem60", "dem60 → dem65", "ind_ind60"]


@pytest.mark.parametrize("option", [["--bootstrap", "1"], ["--predict", "1"], ["--predict", "999"],
                                    ["--blindfolding", "0"]])
def test_pls_command_refuses_bad_option_values_in_one_line(tmp_path, capsys, option):
    csv = tmp_path / "d.csv"
    example_data().to_csv(csv, index=False)
    lav = tmp_path / "m.lav"
    lav.write_text(EXAMPLE_MODEL)
    assert main(["pls", str(csv), "--model", str(lav), *option, "--out", str(tmp_path / "p.json")]) == 2
    err = capsys.readouterr().err
    assert f"{option[0]} {option[1]}: " in err and "Traceback" not in err
    assert not (tmp_path / "p.json").exists()


def test_pls_command_says_the_mean_replacement(tmp_path, capsys):
    d = example_data()
    d.iloc[:6, 0] = np.nan
    csv = tmp_path / "d.csv"
    d.to_csv(csv, index=False)
    lav = tmp_path / "m.lav"
    lav.write_text(EXAMPLE_MODEL)
    assert main(["pls", str(csv), "--model", str(lav), "--boot", "0", "--out", str(tmp_path / "p.json")]) == 0
    assert "pls: note: 6 missing cells replaced by the item mean" in capsys.readouterr().err
