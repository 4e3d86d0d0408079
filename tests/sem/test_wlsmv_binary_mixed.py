"""The ordinal invariance sequence (Wu & Estabrook 2016) with binary items on factors that also have items of
three or more categories: the thresholds + loadings + intercepts step frees the binary items' scales (delta) or
residual variances (theta) and is identified -- each factor's mean and variance in group 2 are pinned by its
polytomous items -- so it is fitted and tested, as lavaan + semTools fit it.  A factor measured by binary items
only still has that step refused (with the factor named; tests/sem/test_invariance_audit.py).

References: tests/sem/ordinal_refs/binary_mixed_refs.json, written by make_binary_mixed_refs.R with its data
bfi_bin_937.csv (lavaan 0.6.14, semTools 0.5-6).  Tolerances: fit measures and difference tests 1e-5 relative,
p 1e-5 absolute.
"""

from __future__ import annotations

import json
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.sem.wlsmv_invariance import binary_only_factors, ordinal_invariance

HERE = Path(__file__).parent / "ordinal_refs"
REFS = json.loads((HERE / "binary_mixed_refs.json").read_text(encoding="utf-8"))
MODEL = "A =~ A1 + A2 + A3 + A4 + A5\nC =~ C1 + C2 + C3 + C4 + C5"
KEYS = ("npar", "df", "chisq", "chisq.scaled", "cfi.scaled", "tli.scaled", "rmsea.scaled", "srmr")


@lru_cache(maxsize=None)
def sequence(parameterization: str):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ordinal_invariance(MODEL, pd.read_csv(HERE / "bfi_bin_937.csv"), "gender",
                                  parameterization=parameterization)


@pytest.mark.parametrize("parameterization", ["delta", "theta"])
def test_intercepts_step_with_binary_items_matches_lavaan(parameterization):
    ref = REFS[parameterization]
    inv = sequence(parameterization)
    tab = inv.table.set_index("step")
    for step, r in ref["fit"].items():
        assert r["converged"] and inv.fits[step].converged, step
        fm = inv.fits[step].fit_measures()
        for k in KEYS:
            assert fm[k] == pytest.approx(r[k], rel=1e-5), (step, k)
    for step, r in ref["lrt"].items():
        assert int(tab.loc[step, "df.diff"]) == r["df.diff"]
        assert tab.loc[step, "chisq.diff"] == pytest.approx(r["chisq.diff"], rel=1e-5), step
        assert tab.loc[step, "pvalue.diff"] == pytest.approx(r["pvalue"], abs=1e-5), step
    assert tab.loc["thresholds_loadings_intercepts", "decision"] == "supported"
    assert inv.level == "thresholds_loadings_intercepts"
    assert not any("not evaluated" in w for w in inv.warnings)


def test_binary_only_factor_is_the_rule():
    n_th = {"A1": 1, "A2": 1, "A3": 5, "A4": 5, "A5": 5, "C1": 1, "C2": 5, "C3": 5, "C4": 5, "C5": 5}
    assert binary_only_factors(MODEL, n_th) == {}
    n_th.update(A3=1, A4=1, A5=1)
    assert binary_only_factors(MODEL, n_th) == {"A": ["A1", "A2", "A3", "A4", "A5"]}
