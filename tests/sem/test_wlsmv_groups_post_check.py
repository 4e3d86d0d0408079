"""lavaan's post-estimation check on multi-group WLSMV fits and the ordinal invariance sequence: a latent
covariance matrix that is not positive definite (a factor correlation above 1) in a group is warned about, in
the groups lavaan names, as the package already does for ML and for one-group WLSMV (one check:
iur_survey.sem.api._post_checks).

References: tests/sem/ordinal_refs/lv_pd_refs.json, written by make_lv_pd_refs.R with its data lv_pd_900.csv
(lavaan 0.6.14, semTools 0.5-6).  Factor correlations: 1e-4 absolute.
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
from iur_survey.sem.results import fit_warnings
from iur_survey.sem.wlsmv_invariance import ordinal_invariance

HERE = Path(__file__).parent / "ordinal_refs"
REFS = json.loads((HERE / "lv_pd_refs.json").read_text(encoding="utf-8"))
MODEL = "F =~ o1 + o2 + o3\nG =~ o4 + o5 + o6"
NOT_PD = "covariance matrix of latent variables is not positive definite in group "


@lru_cache(maxsize=None)
def data() -> pd.DataFrame:
    return pd.read_csv(HERE / "lv_pd_900.csv")


def flagged(messages) -> list[str]:
    return sorted(m.split(NOT_PD, 1)[1].split()[0] for m in messages if NOT_PD in m)


def lavaan_groups(ref) -> list[str]:
    return sorted(REFS["group_labels"][int(g) - 1] for g in ref["groups_not_pd"])


@pytest.mark.parametrize("parameterization", ["delta", "theta"])
def test_multigroup_wlsmv_warns_as_lavaan(parameterization):
    ref = REFS[parameterization]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = sem(MODEL, data(), group="grp", ordered=True, parameterization=parameterization)
    pe = res.parameter_estimates()
    cor = pe[(pe.op == "~~") & (pe.lhs == "F") & (pe.rhs == "G")]["std.all"].to_numpy(float)
    np.testing.assert_allclose(cor, np.ravel(ref["cor"]), atol=1e-4)
    assert flagged(res.warnings) == lavaan_groups(ref) == ["g2", "g3"]
    assert flagged(fit_warnings(res)) == ["g2", "g3"]          # an inadmissible solution, raised at fit time
    assert flagged(str(w.message) for w in caught) == ["g2", "g3"]


def test_invariance_steps_warn_as_lavaan():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inv = ordinal_invariance(MODEL, data(), "grp")
    for step, ref in REFS["steps"].items():
        assert step in inv.fits
        assert flagged(inv.fits[step].warnings) == lavaan_groups(ref), step
    # the sequence's own list names the problem (once per message, prefixed by the first step showing it)
    assert any(NOT_PD + "g2" in w for w in inv.warnings)
    assert any(NOT_PD + "g3" in w for w in inv.warnings)
