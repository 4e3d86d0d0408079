"""lavaan's start values as its optimizer sees them (audit s23 syntaxaudit B2).

lavaan 0.6.14 gives every row of a shared label / group.equal its own start value (``parTable()$start``, after
``lav_start_check_cov``) and starts nlminb from their projection onto the equality constraints (``K z + k0``):
the mean of the rows of a shared parameter.  We took the first row's value: on the B2 model the shared label
``a`` (a loading and a residual covariance) then started at 0.7 for the covariance, Sigma was not positive
definite and the fit stopped with "the start values are not admissible" where lavaan converges.  References:
tests/sem/converge_refs/make_start_packing_ref.R -> start_packing.json."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.sem import api, cfa

REF = json.loads((Path(__file__).parent / "converge_refs" / "start_packing.json").read_text())
OPTS = {"std.lv": "std_lv", "group": "group", "group.equal": "group_equal"}


def _data():
    return pd.read_csv("tests/reference/data/hs1939.csv")


def _kw(case):
    return {OPTS[k]: ([v] if k == "group.equal" and isinstance(v, str) else v) for k, v in (case["options"] or {}).items()}


def _keys(rows):
    return list(zip(rows["lhs"], rows["op"], rows["rhs"], [int(g) for g in rows["group"]]))


def _our_starts(case, monkeypatch):
    """(per-row start, packed start) by table row key, from the fit's own call of api._lavaan_start."""
    seen = {}
    orig = api._lavaan_start

    def spy(model, pt, *a, **kw):
        x0, rp = orig(model, pt, *a, **kw)
        rows = model.start_rows(*a[:3])
        packed = model.row_values(x0)
        seen.update({(pt.lhs[i], pt.op[i], pt.rhs[i], int(pt.group[i])): (rows[i], packed[i])
                     for i in range(len(pt)) if pt.free[i] > 0})
        return x0, rp

    monkeypatch.setattr(api, "_lavaan_start", spy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cfa(case["model"], _data(), control={"max_iter": 1}, **_kw(case))
    return seen


@pytest.mark.parametrize("name", sorted(REF))
def test_start_values_per_row_and_packed_are_lavaans(name, monkeypatch):
    case = REF[name]
    ours = _our_starts(case, monkeypatch)
    keys = _keys(case["rows"])
    assert set(ours) == set(keys)
    for k, start, packed in zip(keys, case["rows"]["start"], case["rows"]["packed"]):
        assert ours[k][0] == pytest.approx(start, rel=1e-6, abs=1e-9), (k, "start")
        assert ours[k][1] == pytest.approx(packed, rel=1e-6, abs=1e-9), (k, "packed")


def test_check_start_warnings_are_lavaans():
    case = REF["checkcov"]
    res = cfa(case["model"], _data(), warn=False)
    said = [w for w in res.warnings if "correlation larger than 1" in w]
    theirs = [" ".join(w.replace("lavaan WARNING: ", "").split()) for w in case["warnings"] if "larger than 1" in w]
    assert [" ".join(w.split()) for w in said] == theirs


@pytest.mark.parametrize("name", ["b2", "linear"])
def test_the_fit_reaches_lavaans_optimum(name):
    case = REF[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = cfa(case["model"], _data(), warn=False, **_kw(case))
    assert res.converged and case["converged"]
    fm = res.fit_measures()
    for k in ("npar", "df", "chisq", "logl"):
        assert fm[k] == pytest.approx(case["fit"][k], rel=1e-6), k
    pe = res.parameter_estimates(standardized=False)
    ours = {(r.lhs, r.op, r.rhs, int(getattr(r, "group", 1))): r.est for r in pe.itertuples()}
    e = case["est"]
    for k, est in zip(_keys(e), e["est"]):
        assert ours[k] == pytest.approx(est, abs=1e-3), k


def test_a_start_that_is_not_admissible_is_divided_by_ten(unit_box_run):
    """A start where the objective is not finite and no step out of it is given (``step_out``; a FIML fit): the
    start / 10 (lav_model_estimate's rule, which lavaan 0.6.14 never takes: its objective counts 1e20 there;
    tests/sem/test_step_out.py)."""
    run, seen = unit_box_run
    opt = api._with_fallback_start(run, np.array([5.0, -3.0]), lambda: np.ones(2), shrink=lambda x: x / 10)
    assert opt.converged and np.allclose(opt.x, [0.5, -0.3]) and len(seen) == 2
    assert "the start values / 10" in opt.history[0]


def test_a_lower_heywood_minimum_gives_way_to_lavaans_proper_one_with_a_warning():
    """checkcov: from lavaan's start (correlations above 1) the scoring path may reach a negative factor variance
    at f 0.0611; lavaan's nlminb, and our paths from the simple start, the proper solution at f 0.1815 (chi-square
    109.244).  The proper one is kept on every CPU.  Which minimum the first path reaches depends on the CPU's
    floating point (here it reaches the Heywood one; under OPENBLAS_CORETYPE=Prescott with numpy's baseline SIMD
    the proper one directly; under OPENBLAS_CORETYPE=SandyBridge every default and quasi-Newton path reached the
    Heywood one, chi-square 36.8, and only nlminb's trust-region path finds the proper one), so the warning naming
    the other minimum is checked when it is given, and the exploration itself by the next tests."""
    case = REF["checkcov"]
    res = cfa(case["model"], _data(), warn=False)
    assert res.converged
    assert res.fit_measures()["chisq"] == pytest.approx(case["fit"]["chisq"], rel=1e-6)
    assert not any("negative" in w for w in res.warnings)
    for w in res.warnings:
        if "more than one local minimum" in w:
            assert "reached 0.18146833 (kept: the lowest found without a Heywood case)" in w
            assert "0.061139011 (a Heywood case)" in w


def test_an_improper_first_minimum_is_explored_and_the_proper_one_kept_with_a_warning(monkeypatch):
    """The exploration after an improper first solution, on a stand-in optimizer (no CPU dependence): the first
    path stops at a Heywood case with the lower f, the path from the simple start at a proper one; the proper
    one is kept and the warning names both."""
    class Opt:
        def __init__(self, x, fun):
            self.converged, self.message, self.history, self.ran_off = True, "converged", [], False
            self.x, self.fun = x, fun

    def run(x, scoring=True, runaway=None):
        return Opt(x, 0.061139011 if x[0] == 5.0 else 0.18146833)

    warned: list[str] = []
    opt = api._with_fallback_start(run, np.array([5.0]), lambda: np.array([1.0]), simple=lambda: np.array([2.0]),
                                   improper=lambda o: 2 if o.fun < 0.1 else 0, warnings=warned)
    assert opt.fun == 0.18146833 and opt.x[0] == 2.0
    assert len(warned) == 1 and "more than one local minimum" in warned[0]
    assert "0.061139011 (a Heywood case)" in warned[0] and "reached 0.18146833" in warned[0]


def test_when_every_path_stops_at_a_heywood_case_nlminbs_path_is_run_too():
    """The exploration's last resort, on a stand-in optimizer: every default and quasi-Newton path stops at the
    Heywood case (f .0611, as under OPENBLAS_CORETYPE=SandyBridge), nlminb's trust-region path reaches the proper
    minimum (f .1815): that one is kept and the warning names both; without a proper one the Heywood case stays."""
    class Opt:
        def __init__(self, x, fun):
            self.converged, self.message, self.history, self.ran_off = True, "converged", [], False
            self.x, self.fun = x, fun

    trusted: list[float] = []

    def run(x, scoring=True, runaway=None, trust=False):
        if trust:
            trusted.append(float(x[0]))
            return Opt(x, 0.18146833)
        return Opt(x, 0.061139011)

    warned: list[str] = []
    opt = api._with_fallback_start(run, np.array([5.0]), lambda: np.array([1.0]), simple=lambda: np.array([2.0]),
                                   improper=lambda o: 2 if o.fun < 0.1 else 0, warnings=warned)
    assert opt.fun == 0.18146833 and trusted == [5.0, 2.0]
    assert len(warned) == 1 and "nlminb's path (trust region) from lavaan's start values reached 0.18146833" \
        in warned[0]
    assert "0.061139011 (a Heywood case)" in warned[0]

    def heywood_only(x, scoring=True, runaway=None, trust=False):
        return Opt(x, 0.061139011)

    opt = api._with_fallback_start(heywood_only, np.array([5.0]), lambda: np.array([1.0]),
                                   simple=lambda: np.array([2.0]), improper=lambda o: 2, warnings=(w := []))
    assert opt.fun == 0.061139011 and w == []
