"""Fit measures of models with observed exogenous covariates (lavaan's ov.x, "control variables") against lavaan
0.6.14: ML and MLR, listwise and FIML (on complete and incomplete data), fixed.x TRUE and FALSE, one and two
groups, on HolzingerSwineford1939 (covariates ageyr, sex) and on the study's simulated respondents with a 0/1
control variable; and FIML with ``information="expected"`` (HS, with and without covariates).  References: tests/sem/fixedx_refs/make_fixedx_refs.R -> fixedx_refs.json (only read here).

Every fit measure lavaan reports must be reported, equal to 1e-6 (relative, absolute below 1); the MLR scaled
statistics depend on the estimates through the first-order information, and lavaan's estimates stop ~1e-5 short
of the optimum along flat directions (the package's logl is equal or higher), so those get 3e-5.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pytest

from iur_survey.sem import sem

HERE = Path(__file__).parent
REFDATA = HERE.parent / "reference" / "data"
REFS = json.loads((HERE / "fixedx_refs" / "fixedx_refs.json").read_text())
FILES = {"hs_complete": "hs1939.csv", "hs_missing": "hs1939_missing.csv",
         "study_complete": "complete_800.csv", "study_missing": "missing_800.csv"}
#: measures that move with the estimates along flat directions of the likelihood (see the module docstring)
SCALED = {"chisq.scaled", "chisq.scaling.factor", "pvalue.scaled", "scaling.factor.h0", "rmsea.pvalue.scaled",
          "rmsea.notclose.pvalue.scaled", "rmsea.pvalue.robust", "tli.scaled", "nnfi.scaled", "rfi.scaled",
          "cfi.scaled", "rni.scaled", "nfi.scaled", "ifi.scaled", "pnfi.scaled"}


@lru_cache(maxsize=None)
def _data(key: str) -> pd.DataFrame:
    d = pd.read_csv(REFDATA / FILES[key])
    if key.startswith("study"):
        d["ent"] = (d["role"] == "enterprise").astype(int)
    return d


@pytest.mark.parametrize("case", sorted(REFS))
def test_fit_measures_equal_lavaan(case):
    ref = REFS[case]
    fit = sem(ref["model"], _data(ref["data"]), estimator=ref["estimator"],
              missing="fiml" if ref["missing"] == "ml" else ref["missing"], fixed_x=ref["fixed_x"],
              group=ref.get("group") or None, information=ref.get("information") or None)
    fm = fit.fit_measures()
    assert fit.n == ref["nobs"]
    missing = [k for k in ref["fit"] if k not in fm.index]
    assert not missing, f"not reported: {missing}"
    bad = []
    for key, lav in ref["fit"].items():
        if lav is None:
            continue
        tol = 3e-5 if key in SCALED else 1e-6
        if abs(float(fm[key]) - lav) > tol * max(abs(lav), 1.0):
            bad.append((key, lav, float(fm[key])))
    assert not bad, bad


def test_fixed_x_logl_is_conditional_under_fiml():
    """FIML with fixed.x: logl and unrestricted.logl are conditional on the covariates (lavaan), on complete
    data the same numbers as listwise ML (AIC/BIC differ by the intercepts FIML adds)."""
    ref = REFS["hs_ML_complete_ml_fx_g1"]
    d = _data("hs_complete")
    a = sem(ref["model"], d, missing="fiml").fit_measures()
    b = sem(ref["model"], d, missing="listwise").fit_measures()
    for key in ("logl", "unrestricted.logl", "baseline.chisq", "baseline.df", "cfi", "tli"):
        assert a[key] == pytest.approx(b[key], rel=1e-7), key
    assert a["logl"] == pytest.approx(ref["fit"]["logl"], rel=1e-9)


WARN_REFS = json.loads((HERE / "fixedx_refs" / "fixedx_warning_refs.json").read_text())


def _lavaan_words(msg: str) -> str:
    """A warning without lavaan's prefix, final period and 'cases' / 'case(s)' spelling."""
    return msg.replace("lavaan WARNING: ", "").replace("case(s)", "cases").rstrip(".")


@pytest.mark.parametrize("case,kw", [("one", {}), ("groups", {"group": "G"}), ("fixed_x_false", {"fixed_x": False})])
def test_fiml_deletes_cases_missing_a_covariate_and_says_so_as_lavaan(case, kw):
    """FIML with fixed.x covariates: the cases missing a covariate (an empty case among them) are deleted, with
    lavaan's warning per group (make_fixedx_warning_refs.R); without fixed.x only the empty cases go."""
    import numpy as np
    ref = WARN_REFS[case]
    d = pd.read_csv(REFDATA / "poldem.csv")
    d["G"] = np.where(np.arange(len(d)) < 40, "a", "b")
    d.loc[[2, 9, 19, 49], "x1"] = np.nan
    d.loc[[4, 5], "y1"] = np.nan
    d.loc[[59, 60], ["y1", "y2", "x1", "x2"]] = np.nan
    res = sem("y1 ~ x1 + x2\ny2 ~ y1 + x2", d, missing="fiml", **kw)
    nobs = ref["nobs"] if isinstance(ref["nobs"], list) else [ref["nobs"]]
    assert list(res.nobs) == nobs
    fm = res.fit_measures()
    for k in ("npar", "df", "chisq", "logl"):
        assert fm[k] == pytest.approx(ref["fit"][k], rel=1e-6, abs=1e-8)
    if case == "fixed_x_false":            # lavaan names the empty rows (by their number in the data)
        assert [_lavaan_words(w) for w in res.warnings if "empty" in w] == \
            [_lavaan_words(w) for w in ref["warnings"]] == ["some cases are empty and will be ignored: 60 61"]
        assert not any("exogenous" in w for w in res.warnings)
    else:
        assert [_lavaan_words(w) for w in res.warnings if "exogenous" in w] == \
            [_lavaan_words(w) for w in ref["warnings"]]
        assert not any("empty" in w for w in res.warnings)
