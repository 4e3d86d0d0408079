"""iur_survey.sem.compare.wald_test / wald_equal_paths on WLSMV (ordered-item) fits against lavaan 0.6.14's
lavTestWald: a WLSMV ``theta`` is laid out [kept model parameters, thresholds, scales], so each labelled row
must be read at its own column (``fit.theta_index()``), not at its ``par_index`` (which gave 91.5 for 2.49 on
a group-2 path).  The ``:=`` standard errors use the same map.

References: tests/sem/compare_refs/wlsmv_wald.json, made by make_wlsmv_wald_refs.R in that folder (bfi,
A and C items, 800 complete cases, by gender).  Tolerance: 1e-4 relative on the statistics, 1e-4 absolute
on p.
"""

from __future__ import annotations

import json
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.sem import sem
from iur_survey.sem.compare import wald_equal_paths, wald_test

HERE = Path(__file__).parent / "compare_refs"
ITEMS = [f"A{i}" for i in range(1, 6)] + [f"C{i}" for i in range(1, 6)]
MEAS = "A =~ A1 + A2 + A3 + A4 + A5\nC =~ C1 + C2 + C3 + C4 + C5\n"
M_GROUPS = MEAS + "C ~ c(b1, b2)*A\nA ~~ c(va1, va2)*A\nd := b1 - b2"
M_ONE = "A =~ A1 + l2*A2 + A3 + A4 + A5\nC =~ C1 + C2 + C3 + C4 + C5\nC ~ b*A\nA ~~ va*A\nr := b * va"
CASES = {"groups_delta": (M_GROUPS, {"group": "gender"}),
         "groups_theta": (M_GROUPS, {"group": "gender", "parameterization": "theta"}),
         "groups_thresholds_loadings": (M_GROUPS, {"group": "gender", "group_equal": ["thresholds", "loadings"]}),
         "one": (M_ONE, {})}


@lru_cache(maxsize=None)
def refs() -> dict:
    return json.loads((HERE / "wlsmv_wald.json").read_text())


@lru_cache(maxsize=None)
def fit(case: str):
    model, kw = CASES[case]
    d = pd.read_csv(HERE / "bfi_cc_800.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sem(model, d, ordered=ITEMS, estimator="WLSMV", **kw)


@pytest.mark.parametrize("case", list(CASES))
def test_wald_matches_lavaan(case):
    res = fit(case)
    assert res.converged
    for ref in refs()[case]["wald"]:
        w = wald_test(res, ref["constraints"])
        assert int(w["df"]) == ref["df"]
        assert float(w["stat"]) == pytest.approx(ref["stat"], rel=1e-4), ref["constraints"]
        assert float(w["p.value"]) == pytest.approx(ref["p.value"], rel=1e-3, abs=1e-4)


@pytest.mark.parametrize("case", [c for c in CASES if c.startswith("groups")])
def test_wald_equal_paths_matches_lavaan(case):
    """The per-path test of C ~ A across the groups = lavTestWald("b1 == b2"), also joint."""
    ref = refs()[case]["wald"][0]
    tab = wald_equal_paths(fit(case), "C ~ A", joint=True)
    assert tab.loc[0, "Wald"] == pytest.approx(ref["stat"], rel=1e-4)
    assert tab.loc[0, "pvalue"] == pytest.approx(ref["p.value"], rel=1e-3, abs=1e-4)
    assert tab.loc[1, "Wald"] == pytest.approx(ref["stat"], rel=1e-4)


@pytest.mark.parametrize("case", list(CASES))
def test_defined_se_matches_lavaan(case):
    ref = refs()[case]["defined"]
    tab = fit(case).table
    got = tab[tab["op"] == ":="]
    assert got["lhs"].tolist() == [ref["lhs"]]
    np.testing.assert_allclose(got["est"].to_numpy(float), [ref["est"]], rtol=1e-4)
    np.testing.assert_allclose(got["se"].to_numpy(float), [ref["se"]], rtol=1e-3)


def test_theta_index_reads_theta_at_each_row():
    """Every free, estimated row's estimate is theta at its theta_index() column, in every group."""
    for case in CASES:
        res = fit(case)
        cols = res.theta_index()
        pt = res.partable
        rows = [i for i in range(len(pt)) if cols[i] >= 0]
        assert rows
        np.testing.assert_allclose(np.asarray(res.theta)[cols[rows]], res.est[rows], rtol=1e-10, atol=1e-12)
