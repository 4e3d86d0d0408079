"""A fit that converges only from lavaan's "simple" start, against lavaan 0.6.14.

HolzingerSwineford1939 in three groups (Pasteur 156, "Small" = the first 30 Grant-White rows, Grant-White 115),
the 3-factor CFA, configural.  From lavaan's default start both lavaan's nlminb (its first attempt) and our
optimiser run off (a loading of x8 grows while the x8 residual variance goes negative); lavaan's third
attempt (``optim.attempts``: ``start = "simple"``, free loadings 0.7, free variances 1, the rest 0) converges
to a Heywood case (x9 in Small, -0.26), and so do we now, from the same start, after our own fallbacks from
the default start fail.

Reference: tests/sem/converge_refs/simple_start_hs3.json, written by make_simple_start_ref.R.  Read only.
"""

from __future__ import annotations

import json
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

HERE = Path(__file__).parent
REF = json.loads((HERE / "converge_refs" / "simple_start_hs3.json").read_text(encoding="utf-8"))
DATA = HERE.parent / "reference" / "data" / "hs1939.csv"


def _data() -> pd.DataFrame:
    """hs1939 with g3: school, the first ``small`` Grant-White rows relabelled "Small" (as the R script)."""
    d = pd.read_csv(DATA)
    gw = np.flatnonzero(d["school"].to_numpy() == "Grant-White")[:REF["small"]]
    d["g3"] = d["school"]
    d.loc[d.index[gw], "g3"] = "Small"
    return d


def _keys(pt) -> list[tuple]:
    """lavaan's (lhs, op, rhs, group) of each free parameter, in our theta order."""
    keys = [None] * pt.npar
    for i in range(len(pt)):
        if pt.free[i] > 0:
            keys[pt.par_index[i]] = (pt.lhs[i], pt.op[i], pt.rhs[i], int(pt.group[i]))
    return keys


def _ref_keys() -> list[tuple]:
    e = REF["est"]
    return [(a, o, "" if b is None else b, int(g)) for a, o, b, g in zip(e["lhs"], e["op"], e["rhs"], e["group"])]


def test_simple_start_is_lavaans():
    from iur_survey.sem.matrices import Model
    from iur_survey.sem.partable import build_partable
    from iur_survey.sem.syntax import parse_model

    pt = build_partable(parse_model(REF["model"]), ngroups=3, group_labels=REF["groups"], meanstructure=True)
    x = Model(pt).start([np.eye(9)] * 3, [np.zeros(9)] * 3, kind="simple")
    ours = dict(zip(_keys(pt), x))
    ref = dict(zip(_ref_keys(), REF["simple_start"]))
    assert set(ours) == set(ref)
    assert all(ours[k] == pytest.approx(ref[k], abs=1e-12) for k in ref)


def test_the_simple_start_comes_after_the_default_starts_and_before_the_marker_start():
    """lavaan's order: its default start (our first attempt, then our quasi-Newton path from it), then its
    "simple" start; our marker start last.  The first fit that converges is kept."""
    from iur_survey.sem.api import _with_fallback_start

    class Opt:
        def __init__(self, converged, tag):
            self.converged, self.tag, self.history, self.ran_off = converged, tag, [tag], False
            self.message = "converged" if converged else "no convergence (max |gradient| = 0.5)"

    for converges, kept, ran_want in [({"simple", "marker"}, "simple", ["first", "qn", "simple"]),
                                      ({"marker"}, "marker", ["first", "qn", "simple", "marker"]),
                                      ({"qn", "simple"}, "qn", ["first", "qn"])]:
        ran = []

        def run(x, scoring=True, runaway=None):
            tag = {0.0: "first" if scoring else "qn", 2.0: "simple", 1.0: "marker"}[float(x[0])]
            ran.append(tag)
            return Opt(tag in converges, tag)

        opt = _with_fallback_start(run, np.zeros(2), lambda: np.ones(2), simple=lambda: np.full(2, 2.0))
        assert (opt.tag, opt.converged, ran) == (kept, True, ran_want)
        assert {"qn": "refit: quasi-Newton from lavaan's start values", "simple": "refit: lavaan's simple start",
                "marker": "refit: the fallback start"}[kept] in opt.history[0]


@lru_cache(maxsize=None)
def _fit():
    from iur_survey.sem import cfa

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cfa(REF["model"], _data(), group="g3")


@pytest.mark.slow
def test_configural_fit_with_a_30_case_group_converges_to_lavaans_solution():
    res = _fit()
    ref = REF["fit"]
    assert REF["first_attempt"]["converged"] is False and ref["converged"] is True
    assert res.converged
    # the refit from lavaan's simple start values reaches lavaan's solution (a Heywood case, so nlminb's own
    # trust-region path from those starts runs too: sem.api, every path improper)
    history = res.meta["optimizer_history"][0]
    assert "refit: " in history and "lavaan's simple start values" in history.split("refit: ", 1)[1]
    fm = res.fit_measures(["chisq", "df", "npar", "logl"])
    assert fm["chisq"] == pytest.approx(ref["chisq"], rel=1e-6)
    assert fm["logl"] >= ref["logl"] - 1e-6 * abs(ref["logl"])          # the same optimum, not a worse one
    assert (fm["df"], fm["npar"]) == (ref["df"], ref["npar"])
    # lavaan's Heywood warning, and ours on the group with no more cases than its free parameters (30 for 30)
    assert res.warnings == ["group 'Small' of 'g3' has 30 cases in the fit for the 30 free parameters of its own: "
                            "fewer cases than parameters, its estimates are unstable (lavaan fits it without a "
                            "warning); merge it with another group, or collect more responses",
                            "some estimated ov variances are negative (x9): a Heywood case"]
    pe = res.parameter_estimates(standardized=False)
    ours = {(r.lhs, r.op, r.rhs if isinstance(r.rhs, str) else "", int(r.group)): (r.est, r.se)
            for r in pe.itertuples()}
    e = REF["est"]
    for key, est, se in zip(_ref_keys(), e["est"], e["se"]):
        o_est, o_se = ours[key]
        # lavaan's nlminb stops early along the flat direction of the Small group's speed factor (SE 11-28 on
        # its x8/x9 loadings): those estimates differ by ~1e-3, far below their SE; the rest by < 1e-4
        assert abs(o_est - est) <= 1e-4 + 1e-3 * se, (key, o_est, est)
        assert o_se == pytest.approx(se, rel=1e-3), (key, o_se, se)


@pytest.mark.slow
def test_the_fiml_heywood_case_that_ran_off_now_reaches_lavaans_optimum():
    """tests/sem/converge_refs/cases.json's HS_fiml_G3_k12_s1_ML (a group of 12 rows, FIML): lavaan converges to
    a Heywood case; from lavaan's default start we ran off, from its simple start we reach the same optimum."""
    from tests.sem.test_small_group_convergence import _cases, classify, fit_case

    case = _cases()["HS_fiml_G3_k12_s1_ML"]
    res = fit_case(case)
    assert case["converged"] and not case["admissible"]
    assert res.converged and "refit: lavaan's simple start values" in res.meta["optimizer_history"][0]
    assert classify(case, res) in ("same", "flat")
