"""iur_survey.sem.compare.lrt on WLSMV (ordered-item) fits against lavaan 0.6.14's lavTestLRT: the default
difference test of WLSMV's scaled-shifted test is Satorra (2000) (lavaan's ``method = "satorra.2000"``), not
Satorra-Bentler (2001), which stays selectable.

References: tests/sem/compare_refs/wlsmv_lrt.json, made by make_wlsmv_lrt_refs.R in that folder from
tests/sem/ordinal_refs/wlsmv_groups_630.csv.  Tolerance: 1e-4 relative on statistics, 1e-4 absolute on p.
"""

from __future__ import annotations

import json
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.errors import EstimationError
from iur_survey.sem import sem
from iur_survey.sem.compare import lrt

HERE = Path(__file__).parent
ITEMS = [f"a{i}" for i in range(1, 5)] + [f"b{i}" for i in range(1, 5)]
M_FREE = "F1 =~ a1 + a2 + a3 + a4\nF2 =~ b1 + b2 + b3 + b4"
M_EQ = "F1 =~ a1 + l*a2 + l*a3 + a4\nF2 =~ b1 + b2 + b3 + b4"
M_ORTH = M_EQ + "\nF1 ~~ 0*F2"


@lru_cache(maxsize=None)
def refs() -> dict:
    return json.loads((HERE / "compare_refs" / "wlsmv_lrt.json").read_text())


@lru_cache(maxsize=None)
def data() -> pd.DataFrame:
    return pd.read_csv(HERE / "ordinal_refs" / "wlsmv_groups_630.csv")


@lru_cache(maxsize=None)
def fit(syntax: str, ordered: tuple = tuple(ITEMS), group: str | None = None, equal: tuple = (),
        missing: str = "auto"):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sem(syntax, data(), ordered=list(ordered), group=group, group_equal=list(equal), missing=missing)


def check(tab: pd.DataFrame, ref: dict) -> None:
    assert list(tab.index) == ref["model"]
    assert tab["Df"].tolist() == ref["Df"]
    for col in ("Chisq", "Chisq diff", "Df diff"):
        want = np.array([np.nan if v is None else v for v in ref[col]], float)
        got = tab[col].to_numpy(float)
        assert np.array_equal(np.isnan(got), np.isnan(want)), col
        np.testing.assert_allclose(got[1:], want[1:], rtol=1e-4, err_msg=col)
    want = np.array([np.nan if v is None else v for v in ref["Pr(>Chisq)"]], float)
    np.testing.assert_allclose(tab["Pr(>Chisq)"].to_numpy(float)[1:], want[1:], rtol=1e-3, atol=1e-4)


def test_default_is_satorra2000_one_group():
    ref = refs()["single"]["default"]
    tab = lrt(fit(M_FREE), fit(M_EQ), fit(M_ORTH), model_names=["free", "eq", "orth"], warn=False)
    assert tab.attrs["method"] == "satorra.2000"
    assert 'method = "satorra.2000"' in tab.attrs["heading"]
    assert "RMSEA" not in tab.columns                       # as lavaan's scaled table
    check(tab, ref)
    np.testing.assert_allclose(tab.attrs["scale"][1:], ref["scale"][1:], rtol=1e-4)
    np.testing.assert_allclose(tab.attrs["shift"][1:], ref["shift"][1:], atol=1e-6)


def test_pair_in_any_order():
    tab = lrt(fit(M_ORTH), fit(M_FREE), model_names=["orth", "free"], warn=False)
    check(tab, refs()["single"]["pair_free_orth"])


def test_satorra_bentler_2001_still_selectable():
    tab = lrt(fit(M_FREE), fit(M_EQ), model_names=["free", "eq"], method="satorra.bentler.2001", warn=False)
    assert tab.attrs["method"] == "satorra.bentler.2001"
    check(tab, refs()["single"]["sb2001"])
    default = lrt(fit(M_FREE), fit(M_EQ), warn=False)
    assert abs(default["Chisq diff"].iat[1] - tab["Chisq diff"].iat[1]) > 0.1     # not the same test


def test_default_is_satorra2000_groups():
    steps = ["configural", "loadings", "thresholds"]
    fits = [fit(M_FREE, group="G"), fit(M_FREE, group="G", equal=("loadings",)),
            fit(M_FREE, group="G", equal=("loadings", "thresholds"))]
    tab = lrt(*fits, model_names=steps, warn=False)
    assert tab.attrs["method"] == "satorra.2000"
    check(tab, refs()["groups"]["default"])


def test_default_is_satorra2000_mixed_items():
    ordered = ("a1", "a2", "b1", "b2")
    tab = lrt(fit(M_FREE, ordered, missing="listwise"), fit(M_EQ, ordered, missing="listwise"),
              model_names=["free", "eq"], warn=False)
    check(tab, refs()["mixed"]["default"])


def test_methods_this_estimator_lacks_are_refused():
    with pytest.raises(EstimationError, match="satorra.bentler.2010"):
        lrt(fit(M_FREE), fit(M_EQ), method="satorra.bentler.2010", warn=False)


def test_fits_on_different_data_are_refused():
    other = data().iloc[:500]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f0 = sem(M_EQ, other, ordered=ITEMS)
    with pytest.raises(EstimationError, match="same sample statistics"):
        lrt(fit(M_FREE), f0, warn=False)


def test_satorra2000_on_mlr_fits_is_refused():
    d = data().dropna()
    f1, f0 = (sem(m, d, estimator="MLR") for m in (M_FREE, M_EQ))
    assert lrt(f1, f0, warn=False).attrs["method"] == "satorra.bentler.2001"        # MLR's default is unchanged
    with pytest.raises(EstimationError, match="WLSMV fits"):
        lrt(f1, f0, method="satorra.2000", warn=False)
