"""The ordinal invariance sequence keeps the model's residual covariances of items (``a1 ~~ a2``).

Before, :func:`iur_survey.sem.wlsmv_invariance.we_syntax` wrote the loadings, intercepts and variances of each
Wu & Estabrook step and dropped ``a1 ~~ a2`` without a word: another model (df 57 where lavaan has 51).
References: tests/sem/ordinal_refs/wlsmv_rescov_invariance_refs.json, written by
make_wlsmv_rescov_invariance_refs.R (lavaan 0.6.14 / semTools 0.5-6 measEq.syntax fitted by cfa(), delta and
theta).  Read only.  Tolerances: fit measures and difference tests 1e-5 relative; residual covariances 5e-4
absolute, their SEs 0.1 %.
"""

from __future__ import annotations

import json
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.sem.wlsmv_invariance import ordinal_invariance, we_syntax

HERE = Path(__file__).parent / "ordinal_refs"
REFS = json.loads((HERE / "wlsmv_rescov_invariance_refs.json").read_text(encoding="utf-8"))


def close(ours, ref, rel=1e-5, floor=1e-3):
    return abs(float(ours) - float(ref)) <= rel * max(abs(float(ref)), floor)


@lru_cache(maxsize=None)
def sequence(parameterization: str):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ordinal_invariance(REFS["model"], pd.read_csv(HERE / "wlsmv_groups_630.csv"), "G",
                                  parameterization=parameterization)


@pytest.mark.parametrize("parameterization", ["delta", "theta"])
def test_residual_covariances_are_in_every_step_as_lavaan(parameterization):
    inv = sequence(parameterization)
    tab = inv.table.set_index("step")
    for step, ref in REFS[parameterization].items():
        fm = inv.fits[step].fit_measures()
        for k, v in ref["fit"].items():
            assert close(fm[k], v), (parameterization, step, k, fm[k], v)
        if "lrt" in ref:
            assert int(tab.loc[step, "df.diff"]) == ref["lrt"]["df_diff"]
            assert close(tab.loc[step, "chisq.diff"], ref["lrt"]["chisq_diff"])
        rc = pd.DataFrame(ref["rescov"])
        ours = inv.fits[step].parameter_estimates()
        m = rc.merge(ours, on=["lhs", "rhs", "group"], how="left", suffixes=("", "_o"))
        assert len(m) == 6 and not m["est_o"].isna().any()          # 2 covariances x 3 groups
        assert np.max(np.abs(m["est_o"] - m["est"])) < 5e-4
        assert np.max(np.abs(m["se_o"] / m["se"] - 1)) < 1e-3


def test_a_fixed_residual_covariance_stays_fixed_in_every_group():
    syn = we_syntax("F =~ a + b + c\na ~~ 0.25*b\nb ~~ c", 2, ["thresholds"])
    assert "a ~~ c(0.25, 0.25)*b" in syn.splitlines()
    assert "b ~~ c(NA, NA)*c" in syn.splitlines()


@pytest.mark.parametrize("model, what", [("F1 =~ a1 + a2 + 0.5*a3 + a4", "F1 =~ 0.5\\*a3"),
                                         ("F1 =~ a1 + a2 + a3 + a4\nF2 =~ b1 + b2 + b3 + b4\nF1 ~~ 0*F2",
                                          "F1 ~~ 0\\*F2"),
                                         ("F1 =~ a1 + l*a2 + l*a3 + a4", "the label l")])
def test_what_the_steps_would_free_is_refused(model, what):
    """A fixed loading, a fixed factor covariance or a label would be lost by the steps: refused, not freed."""
    from iur_survey.errors import EstimationError
    with pytest.raises(EstimationError, match=what):
        ordinal_invariance(model, pd.read_csv(HERE / "wlsmv_groups_630.csv"), "G")
