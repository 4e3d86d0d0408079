"""Fornell-Larcker keeps a single-item construct and takes structural / second-order models; the common latent
factor under MLR takes lavaan's scaled difference test; alpha of a single item is "not computable".

References: tests/measure/flaudit_refs/make_refs.R -> refs.json (lavaan 0.6.14, semTools 0.5-6).  The AVE
reference is the formula (semTools 0.5-6's AVE() gives NA for a factor listed after a single-item factor).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.measure import cronbach_alpha, fornell_larcker

HERE = Path(__file__).parent / "flaudit_refs"
REF = json.loads((HERE / "refs.json").read_text())


def _case(name):
    r = REF[name]
    est = pd.DataFrame(r["estimates"])
    cov = pd.DataFrame(np.array(r["sampstat"], float), index=r["ov"], columns=r["ov"])
    cor = pd.DataFrame(np.array(r["cor_lv"], float), index=r["lv"], columns=r["lv"])
    return r, est, cov, cor


def test_single_item_construct_counts_against_the_others():
    r, est, cov, cor = _case("single")
    fl = fornell_larcker(est, cov)
    assert list(fl.index) == ["A", "B", "G"]
    assert fl.loc["A", "sqrt_ave"] == pytest.approx(np.sqrt(r["ave"]["A"]), abs=1e-6)
    assert np.isnan(fl.loc["B", "sqrt_ave"]) and fl.loc["B", "meets_criterion"] is None
    # r(A, B) = .85 > sqrt(AVE of A) = .58: A fails whatever B's AVE (before: B was dropped and A "met")
    assert fl.loc["A", "max_cor_with"] == "B"
    assert fl.loc["A", "max_abs_cor"] == pytest.approx(abs(cor.loc["A", "B"]), abs=1e-4)
    assert fl.loc["A", "meets_criterion"] is False or fl.loc["A", "meets_criterion"] == False  # noqa: E712
    assert bool(fl.loc["G", "meets_criterion"])
    mat = fornell_larcker(est, cov, matrix=True)
    assert list(mat.index) == ["A", "B", "G"] and np.isnan(mat.loc["B", "B"])
    off = ~np.eye(3, dtype=bool)
    assert np.abs(mat.to_numpy()[off] - cor.loc[mat.index, mat.index].to_numpy()[off]).max() < 1e-4


@pytest.mark.parametrize("name", ["political", "higher"])
def test_structural_and_second_order_models_use_lavaans_cor_lv(name):
    r, est, cov, cor = _case(name)
    fl = fornell_larcker(est, cov, matrix=True)          # before: ValueError (endogenous factor: pass cor_lv)
    names = list(fl.index)
    assert names == [f for f in r["lv"] if f in r["ave"]]      # the higher-order g (no items) is no construct
    off = ~np.eye(len(names), dtype=bool)
    assert np.abs(fl.to_numpy()[off] - cor.loc[names, names].to_numpy()[off]).max() < 1e-4
    for f in names:
        assert fl.loc[f, f] == pytest.approx(np.sqrt(r["ave"][f]), abs=1e-6)
    given, rebuilt = fornell_larcker(est, cov, cor_lv=cor), fornell_larcker(est, cov)
    assert given["meets_criterion"].tolist() == rebuilt["meets_criterion"].tolist()
    assert np.allclose(given["max_abs_cor"], rebuilt["max_abs_cor"], atol=1e-4)


def test_alpha_of_a_single_item_is_not_computable():
    d = pd.read_csv(HERE / "single.csv")
    a = cronbach_alpha(d, {"A": ["a1", "a2", "a3"], "B": ["b"]})
    assert a.loc["B", "meets_cutoff"] is pd.NA and not a.loc["A", "meets_cutoff"]
    assert cronbach_alpha(d, {"A": ["a1", "a2", "a3"]})["meets_cutoff"].dtype == bool


def test_common_latent_factor_mlr_takes_lavaans_scaled_difference():
    from iur_survey.measure import fit_common_latent_factor

    hs = pd.read_csv(Path(__file__).parents[1] / "fixtures" / "real" / "HolzingerSwineford1939.csv")
    cmap = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"], "speed": ["x7", "x8", "x9"]}
    with pytest.warns(UserWarning, match="not positive definite"):     # the CLF fit's own warning
        res = fit_common_latent_factor(hs, cmap, estimator="MLR")
    ref = REF["clf_mlr"]
    d = res.loc["difference"]
    assert res.attrs["difference_test"] == "satorra.bentler.2001"
    assert d["chisq"] == pytest.approx(ref["chisq_diff"], abs=1e-3)          # 30.316, not the standard 30.409
    assert d["df"] == ref["df_diff"] and d["pvalue"] == pytest.approx(ref["pvalue"], rel=1e-3)
    assert np.isnan(d["rmsea"])                                              # lavaan: no RMSEA for a scaled test
    assert abs(ref["standard_diff"] - ref["chisq_diff"]) > 0.05             # the two tests differ here


def test_scaled_fits_given_as_mappings_warn():
    from iur_survey.measure import common_latent_factor

    est = [{"lhs": "A", "op": "=~", "rhs": "a", "est": 1.0, "std.all": 0.8}]
    base = {"estimates": est, "fit": {"chisq": 120.0, "df": 50, "chisq.scaled": 110.0, "ntotal": 300}}
    clf = {"estimates": est + [{"lhs": "METHOD", "op": "=~", "rhs": "a", "est": 0.3, "std.all": 0.3}],
           "fit": {"chisq": 100.0, "df": 49, "chisq.scaled": 95.0, "ntotal": 300}}
    with pytest.warns(UserWarning, match="scaled"):
        res = common_latent_factor(base, clf)
    assert res.attrs["difference_test"] == "standard" and res.loc["difference", "chisq"] == 20.0
