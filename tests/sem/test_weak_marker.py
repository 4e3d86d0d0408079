"""A factor scaled by a marker that barely measures it: the fit is lavaan's minimum and warns, loudly.

fuzz31's ``item_in_two.lav`` on the demo data (GOV3 on GOV and, as the marker, on MKT) converged here (chisq 0.71,
df 3, MKT's loadings -8.3 and -8.1, its variance 0.0095, SE 0.0094) where lavaan 0.6.14 stops unconverged after 469
iterations, and nothing said why.  The references (``weak_marker_refs/make_weak_marker_refs.R``) are a simulated
case of the same kind: lavaan does not converge from its start values; with std.lv it converges, and the marker
parameterisation started at that minimum converges there without any warning (lavaan has no check for it).  The
package's own check (:func:`iur_survey.sem.datacheck.weak_marker_warnings`) says that MKT's variance does not differ
from zero while its marker's standardized loading is a fraction of its other indicators'.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.sem import sem
from iur_survey.sem.results import SEMFitWarning

HERE = Path(__file__).parent / "weak_marker_refs"
REF = json.loads((HERE / "weak_marker_refs.json").read_text())
CASES = {c["name"]: c for c in REF["cases"]}


@pytest.fixture(scope="module")
def data():
    return pd.read_csv(HERE / "weak_marker.csv")


def _started(case: dict) -> str:
    """The marker model with lavaan's estimates at its minimum as start values (as the R script starts it)."""
    st = {(e["lhs"], e["op"], e["rhs"]): e["est"] for e in case["estimates"]}
    return (f"GOV =~ GOV1 + start({st['GOV', '=~', 'GOV2']!r})*GOV2 + start({st['GOV', '=~', 'GOV3']!r})*GOV3\n"
            f"MKT =~ GOV3 + start({st['MKT', '=~', 'MKT1']!r})*MKT1 + start({st['MKT', '=~', 'MKT2']!r})*MKT2\n"
            f"GOV ~~ start({st['GOV', '~~', 'GOV']!r})*GOV\nMKT ~~ start({st['MKT', '~~', 'MKT']!r})*MKT\n"
            f"GOV ~~ start({st['GOV', '~~', 'MKT']!r})*MKT")


def _rows(res, case):
    pe = res.parameter_estimates()
    for e in case["estimates"]:
        row = pe[(pe.lhs == e["lhs"]) & (pe.op == e["op"]) & (pe.rhs == e["rhs"])]
        assert len(row) == 1, e
        yield e, row.iloc[0]


def test_reference_case_is_the_one_lavaan_does_not_converge_on():
    assert not CASES["default"]["converged"]
    assert CASES["std.lv"]["converged"] and CASES["marker_from_stdlv_minimum"]["converged"]
    # the same minimum in both parameterisations, and lavaan says nothing about it
    assert CASES["marker_from_stdlv_minimum"]["chisq"] == pytest.approx(CASES["std.lv"]["chisq"], rel=1e-8)
    assert CASES["marker_from_stdlv_minimum"]["warnings"] == [] and CASES["control"]["warnings"] == []
    mkt = {(e["lhs"], e["op"], e["rhs"]): e for e in CASES["marker_from_stdlv_minimum"]["estimates"]}
    assert abs(mkt["MKT", "~~", "MKT"]["z"]) < 1.96 < abs(mkt["MKT", "=~", "MKT1"]["z"])


def test_weak_marker_fit_is_lavaans_minimum_and_warns(data):
    case = CASES["marker_from_stdlv_minimum"]
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        res = sem(_started(case), data)
    assert res.converged
    assert res.fit["chisq"] == pytest.approx(case["chisq"], rel=1e-5)
    for e, row in _rows(res, case):
        assert row.est == pytest.approx(e["est"], rel=1e-4, abs=1e-6), e
        assert row.se == pytest.approx(e["se"], rel=1e-3, abs=1e-6), e
    weak = [w for w in res.warnings if w.startswith("empirical underidentification")]
    assert len(weak) == 1 and res.warnings == weak
    w = weak[0]
    assert "the variance of MKT (0.0129, SE 0.011, z = 1.19)" in w
    assert "its marker GOV3 (loading fixed at 1) has a standardized loading of 0.10 against 0.71-0.77" in w
    assert "MKT1 -7.31, MKT2 -7.27" in w and "std.lv" in w
    # loudly: raised at fit time too
    assert [str(x.message) for x in said if x.category is SEMFitWarning] == weak


def test_same_minimum_with_a_marker_that_loads_or_with_std_lv_does_not_warn(data):
    control = CASES["control"]
    res = sem(control["model"], data)
    assert res.converged and res.warnings == []
    assert res.fit["chisq"] == pytest.approx(control["chisq"], rel=1e-5)
    for e, row in _rows(res, control):
        assert row.est == pytest.approx(e["est"], rel=1e-4, abs=1e-6), e
    stdlv = sem(CASES["std.lv"]["model"], data, std_lv=True)
    assert stdlv.converged and stdlv.warnings == []
    assert stdlv.fit["chisq"] == pytest.approx(CASES["std.lv"]["chisq"], rel=1e-5)
    # the standardized solution does not depend on the marker: the weak marker's std.all as lavaan's
    ss = stdlv.standardized_solution()
    gov3 = ss[(ss.lhs == "MKT") & (ss.op == "=~") & (ss.rhs == "GOV3")].iloc[0]
    ref = next(e for e in CASES["std.lv"]["std"] if e["lhs"] == "MKT" and e["rhs"] == "GOV3")
    assert gov3["est.std"] == pytest.approx(ref["est"], rel=1e-4)


def test_endogenous_factor_and_groups():
    """An endogenous factor's ``~~`` row is its residual variance (near zero when it is well explained): not
    checked.  In a multi-group fit the warning names the group."""
    from iur_survey.sem.datacheck import weak_marker_warnings
    from iur_survey.sem.partable import build_partable

    pt = build_partable("F =~ x1 + x2 + x3\nF ~ z")
    est = np.array(pt.ustart, float)
    est[[0, 1, 2]] = [1.0, -7.3, -7.2]
    i = next(k for k in range(len(pt.lhs)) if pt.lhs[k] == "F" and pt.op[k] == "~~")
    est[i] = 0.013
    se = np.full(len(est), 0.011)
    std = np.zeros(len(est))
    std[[0, 1, 2]] = [0.1, -0.71, -0.77]
    assert weak_marker_warnings(pt, est, se, std) == []
    pt2 = build_partable("F =~ x1 + x2 + x3", ngroups=2, group_labels=["a", "b"])
    est2 = np.array([1.0, -7.3, -7.2, .9, .6, .5, .013] * 2)
    std2 = np.array([.1, -.71, -.77, .99, .5, .4, 1.0] * 2)
    est2[13], std2[7] = 0.5, 0.6                      # group b: a proper variance, a marker that loads
    said = weak_marker_warnings(pt2, est2, np.full(14, 0.011), std2)
    assert len(said) == 1 and "the variance of F in group a (0.013" in said[0]


def _ordinal(data):
    return data.apply(lambda c: pd.cut(c, [-np.inf, -1, -.3, .3, 1, np.inf], labels=False) + 1)


@pytest.mark.parametrize("ordered", [True, ["GOV1", "GOV2", "GOV3"]])
def test_wlsmv_weak_marker_warns_as_ml(data, ordered):
    """The same check after a WLSMV fit (all items ordered, and some): it ran after ML's fits only (session 32).
    Started at the std.lv minimum, as the ML case above; the std.lv fit itself has nothing to say."""
    o = _ordinal(data)
    if ordered is not True:
        o[["MKT1", "MKT2"]] = data[["MKT1", "MKT2"]]
    m = "GOV =~ GOV1 + GOV2 + GOV3\nMKT =~ GOV3 + MKT1 + MKT2\n"
    lv = sem(m, o, ordered=ordered, std_lv=True)
    assert lv.converged and lv.warnings == []
    pe = lv.parameter_estimates()
    load = {(a, b): e for a, op, b, e in zip(pe.lhs, pe.op, pe.rhs, pe.est) if op == "=~"}
    cov = pe[(pe.lhs == "GOV") & (pe.op == "~~") & (pe.rhs == "MKT")].est.iloc[0]
    lg, lm = load["GOV", "GOV1"], load["MKT", "GOV3"]
    started = (f"GOV =~ GOV1 + start({load['GOV', 'GOV2'] / lg})*GOV2 + start({load['GOV', 'GOV3'] / lg})*GOV3\n"
               f"MKT =~ GOV3 + start({load['MKT', 'MKT1'] / lm})*MKT1 + start({load['MKT', 'MKT2'] / lm})*MKT2\n"
               f"GOV ~~ start({lg ** 2})*GOV\nMKT ~~ start({lm ** 2})*MKT\nGOV ~~ start({cov * lg * lm})*MKT\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SEMFitWarning)
        res = sem(started, o, ordered=ordered)
    assert res.converged and res.fit["chisq"] == pytest.approx(lv.fit["chisq"], rel=1e-5)
    weak = [w for w in res.warnings if w.startswith("empirical underidentification: the variance of MKT")]
    assert len(weak) == 1 and "its marker GOV3 (loading fixed at 1)" in weak[0]
