"""lavaan's post-fit check looks at the residual matrix of the continuous observed variables only
(``lav_object_post_check``: ``THETA[num.idx, num.idx]``): with ordered items only, a residual matrix of the
items' latent responses that is not positive definite draws no warning, and neither does it here (it did: the
one check, :func:`iur_survey.sem.matrices.post_check_failures`, now takes the continuous items as lavaan does).

Reference: ordinal_refs/theta_pd_refs.json, written by make_theta_pd_refs.R (lavaan 0.6.14) on
theta_not_pd_300.csv (make_theta_not_pd_data.py).  Estimates: 1e-4 absolute.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.sem import sem

HERE = Path(__file__).parent / "ordinal_refs"
REFS = json.loads((HERE / "theta_pd_refs.json").read_text(encoding="utf-8"))
MODEL = "F =~ y1 + y2 + y3 + y4 + y5\ny1 ~~ y2"


@pytest.mark.parametrize("parameterization", ["delta", "theta"])
def test_ordered_items_residual_matrix_is_not_checked(parameterization):
    ref = REFS[parameterization]
    d = pd.read_csv(HERE / "theta_not_pd_300.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sem(MODEL, d, ordered=True, parameterization=parameterization)
    pe = res.parameter_estimates()
    rv = {(a, b): e for a, b, e in pe[pe.op == "~~"][["lhs", "rhs", "est"]].itertuples(index=False)}
    assert rv[("y1", "y2")] == pytest.approx(ref["y1y2"], abs=1e-4)
    block = np.array([[rv[("y1", "y1")], rv[("y1", "y2")]], [rv[("y1", "y2")], rv[("y2", "y2")]]])
    assert np.linalg.eigvalsh(block)[0] < -0.05 and ref["min_eigen_theta"] < -0.05     # not positive definite
    assert ref["post_check"] is True and ref["warnings"] == []
    assert not [w for w in res.warnings if "theta" in w or "positive definite" in w]
