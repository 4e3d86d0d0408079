"""fitMeasures() and the summary's test block at the edges of the degrees of freedom, against lavaan 0.6.14.

References: tests/sem/fitedge_refs/fitedge_refs.json, written by make_fitedge_refs.R next to it (with the data).

* df < 0 (ML, two groups, FIML): lavaan's test statistic is NA, so is everything computed from it (baseline
  chi-square included: lav_fit_cfi_lavobject returns NA for the whole block), while npar, logl, aic, bic, the
  RMSEA (0), the residual-based measures and gfi / agfi / pgfi stay.  With MLR lavaan's fitMeasures() stops
  ("subscript out of bounds"): every scaled and robust measure is NA here.
* df = 0 under MLR: lavaan's scaled test is the standard one (chisq.scaled = chisq, scaling factor NA), so
  cfi.scaled = 1, rmsea.scaled NA (no trace.UGamma), rmsea.robust 0 with its interval 0, 0, and no
  scaling.factor.h1 / h0; under FIML c.hat3 = k / 0 = Inf: cfi.robust = 1, rmsea.robust = 0.
* The summary's "Model Test User Model:" rows as lavaan's lav_test_print: no p-value row when df = 0,
  "P-value (Unknown)  NA" when df < 0.

Tolerances: 1e-6 relative (1e-6 absolute near 0: lavaan's saturated fits stop at srmr ~ 1e-8 where ours reach
1e-14).  cn_05 / cn_01 are skipped at df = 0: NA or 1 there depends on whether the optimizer leaves chisq
below machine epsilon (ours does; lavaan's nlminb leaves 4e-13 and reports 1).
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest

from iur_survey.sem import sem
from iur_survey.sem.fitmeasures import DEFINED_WHEN_DF_NEGATIVE

HERE = Path(__file__).resolve().parent / "fitedge_refs"
REF = json.loads((HERE / "fitedge_refs.json").read_text())
DATA = {"dfneg_fiml": "hs_edge_miss.csv", "df0_fiml": "hs_edge_miss.csv", "df0_fiml_mlr": "hs_edge_miss.csv",
        "df0_mlr": "pd_edge.csv", "df0_mlr_fixedx": "pd_edge.csv"}


@pytest.fixture(scope="module")
def fits():
    out = {}
    for case, ref in REF.items():
        opts = dict(ref["options"] or {})
        out[case] = sem(ref["model"], pd.read_csv(HERE / DATA.get(case, "hs_edge.csv")), warn=False, **opts)
    return out


def _close(ours: float, theirs: float) -> bool:
    return abs(ours - theirs) <= max(1e-6 * abs(theirs), 1e-6)


@pytest.mark.parametrize("case", [c for c in REF if REF[c]["fm"] is not None])
def test_fit_measures_match_lavaan_names_values_and_na(fits, case):
    res, ref = fits[case], REF[case]
    assert res.converged
    fm = res.fit_measures()
    assert set(fm.index) == set(ref["fm"]), set(fm.index) ^ set(ref["fm"])
    for name, theirs in ref["fm"].items():
        if ref["df"] == 0 and name in ("cn_05", "cn_01"):
            continue
        ours = float(fm[name])
        if theirs is None:
            assert math.isnan(ours), (name, ours)
        else:
            assert not math.isnan(ours) and _close(ours, theirs), (name, ours, theirs)


def test_negative_df_with_a_scaled_test_reports_no_chi_square_based_measure(fits):
    """lavaan 0.6.14's fitMeasures() stops on this MLR fit (its test statistic is NA): none is given here."""
    ref = REF["dfneg_mlr"]
    assert ref["fm"] is None and ref["stat"] is None and ref["df"] == -2
    fm = fits["dfneg_mlr"].fit_measures()
    defined = {k for k in fm.index if not math.isnan(float(fm[k]))}
    assert defined == set(fm.index) & DEFINED_WHEN_DF_NEGATIVE
    assert {"chisq", "chisq.scaled", "cfi", "cfi.scaled", "cfi.robust", "rmsea.robust", "baseline.chisq"} <= (
        set(fm.index) - defined)
    assert fm["rmsea"] == 0.0 and fm["df"] == -2


@pytest.mark.parametrize("case", [c for c in REF if c != "dfneg_mlr"])
def test_summary_test_block_is_lavaans(fits, case):
    text = fits[case].summary().splitlines()
    i = text.index("Model Test User Model:")
    block = []
    for line in text[i + 1:]:
        if not line.strip() and block:
            break
        if line.strip():
            block.append(re.sub(r"\s+", " ", line).strip())
    assert block == REF[case]["test_block"]


def test_results_json_has_null_where_lavaan_has_na(fits):
    fit = fits["dfneg_ml"].to_dict()["fit"]
    assert fit["df"] == -2 and fit["npar"] == 5
    assert all(fit[k] is None for k in ("chisq", "pvalue", "cfi", "tli", "rmsea.ci.lower", "baseline.chisq"))
    scaled = fits["df0_mlr"].to_dict()["fit"]
    assert scaled["chisq.scaled"] == pytest.approx(0.0, abs=1e-9) and scaled["cfi.scaled"] == 1.0
    assert scaled["rmsea.scaled"] is None and scaled["rmsea.robust"] == 0.0


def test_fit_measure_names_are_case_insensitive_as_lavaan(fits):
    """lavaan's fitMeasures(fit, c("CFI", "RMSEA")) lower-cases the names."""
    res = fits["df0_mlr"]
    assert list(res.fit_measures(["CFI", "RMSEA.robust"]).index) == ["cfi", "rmsea.robust"]
    assert res.fit_measures("SRMR") == res.fit_measures()["srmr"]


def test_summary_names_the_mlr_estimator_as_lavaan(fits):
    """lavaan 0.6.14's summary of an MLR fit says "Estimator  ML" (the robust SEs and test are named below it)."""
    lines = [re.sub(r"\s+", " ", x).strip() for x in fits["df0_mlr"].summary().splitlines()]
    assert "Estimator ML" in lines and "Standard errors Sandwich" in lines
