"""PLS-SEM on data the sample fit handles but resamples, folds or blocks make degenerate (an outside audit).

References: ``reference/make_pls_refs.py`` (numpy only: a plain data-matrix implementation of Lohmoeller's
algorithm, no project code) -> ``reference/pls_refs.json`` with its two data sets.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.errors import EstimationError
from iur_survey.pls import EXAMPLE_MODEL, example_data, pls_sem

REF = Path(__file__).parent / "reference"
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
