"""Non-admissible draws of a WLSMV bootstrap against lavaan 0.6.14: the same draws (wlsboot_refs/nonadm_draws.json,
the package's resample indices, made by make_wlsmv_nonadm_draws.py) refitted by lavaan as lav_bootstrap_internal
does (make_wlsmv_nonadm_ref.R -> nonadm_ref.json).  lavaan flags a converged draw whose
``lavInspect(fit.boot, "post.check")`` is FALSE (a negative variance, a latent covariance matrix that is not
positive definite), lists it in ``attr(, "nonadmissible")`` and keeps it in the SEs; the failed draws (an empty
category) are its ``"error.idx"`` and are dropped.  Four fits whose draws often are not admissible: one factor with
a Heywood-prone item (delta; one group and two), two factors correlated near 1 (theta; one group and two)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.sem import sem
from iur_survey.sem.wlsmv_bootstrap import (WLSMVBootstrap, _boot_result, _problem, _single_table_par,
                                            admissible_draw, wlsmv_bootstrap)

HERE = Path(__file__).parent / "wlsboot_refs"
DRAWS = {c["name"]: c for c in json.loads((HERE / "nonadm_draws.json").read_text())["cases"]}
REF = json.loads((HERE / "nonadm_ref.json").read_text())["cases"]
FAST = ["one_delta", "two_theta"]
SLOW = ["one_groups_delta", "two_groups_theta"]


def _data(case):
    d = pd.read_csv(HERE / case["data"])
    return d.query(case["rows"]) if case["rows"] else d


def _fit(case, d):
    items = [v for v in d.columns if v != "g"]
    kw = {"group": case["group"]} if case["group"] else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")        # the full-sample fits themselves may warn (a Heywood case)
        return sem(case["model"], d, ordered=items, parameterization=case["parameterization"], **kw)


def _run(name):
    case = DRAWS[name]
    d = _data(case)
    fit = _fit(case, d)
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        bt = wlsmv_bootstrap(fit, case["B"], data=d, seed=case["seed"], workers=1, progress=False)
    return fit, bt, [str(w.message) for w in said]


def _lavaan_table(ref):
    return pd.DataFrame({k: ref[k] for k in ("lhs", "op", "rhs", "group", "est", "se")})


def _ours(fit, bt):
    pe = _boot_result(fit, bt).parameter_estimates()
    return pe if "group" in pe.columns else pe.assign(group=1)


def _check_against_lavaan(name):
    fit, bt, said = _run(name)
    ref = REF[name]
    # the same draws failed (an empty category: lavaan's error.idx) and the same ones are not admissible
    assert [int(b) + 1 for b in np.flatnonzero(bt.status != 0)] == ref["error_idx"]
    assert bt.nonadmissible_idx == ref["nonadmissible"]
    assert bt.n_nonadmissible == len(ref["nonadmissible"]) >= 10
    # kept, as lavaan: every one is a successful draw, in the SEs
    assert (bt.status[bt.nonadmissible] == 0).all() and np.isfinite(bt.est[bt.nonadmissible]).all()
    assert any(f"{bt.n_nonadmissible} bootstrap runs resulted in nonadmissible solutions" in w for w in said)
    res = _boot_result(fit, bt)
    assert res.to_dict()["bootstrap"]["nonadmissible"] == bt.n_nonadmissible
    text = res.summary(fit_measures=False)        # lavaan's lines; the non-admissible draws among the warnings
    assert f"  Number of successful bootstrap draws{bt.n_ok:>16}" in text and "  Information" not in text
    assert f"{bt.n_nonadmissible} bootstrap runs resulted in nonadmissible solutions" in text
    lav = _lavaan_table(ref)
    m = lav.merge(_ours(fit, bt), on=["lhs", "op", "rhs", "group"], suffixes=("_lav", ""), validate="one_to_one")
    assert len(m) == len(lav)
    np.testing.assert_allclose(m["est"], m["est_lav"], rtol=0, atol=1e-4)
    # lavaan's SEs (the non-admissible draws kept): the two refits of each draw agree to ~1e-6
    np.testing.assert_allclose(m["se"], m["se_lav"], rtol=1e-4)
    # ... and they matter: without them the SEs are not lavaan's
    keep = (bt.status == 0) & ~bt.nonadmissible
    dropped = WLSMVBootstrap(est=bt.est, status=np.where(keep, 0, 1), theta=bt.theta, seed=bt.seed, ci=bt.ci,
                             level=bt.level, seconds=0.0, workers=1, nobs=bt.nobs, ngroups=bt.ngroups)
    m2 = lav.merge(_ours(fit, dropped), on=["lhs", "op", "rhs", "group"], suffixes=("_lav", ""))
    assert np.max(np.abs(m2["se"] / m2["se_lav"] - 1)) > 0.1


@pytest.mark.parametrize("name", FAST)
def test_nonadmissible_draws_equal_lavaans(name):
    _check_against_lavaan(name)


@pytest.mark.slow
@pytest.mark.parametrize("name", SLOW)
def test_nonadmissible_draws_equal_lavaans_several_groups(name):
    _check_against_lavaan(name)


def _theta_columns(fit, ref):
    """Per lavaan free parameter (ref order), its column of our theta."""
    groups = fit.meta.get("wlsmv_groups")
    par = np.asarray(groups.table_par if groups is not None else _single_table_par(fit))
    tab = fit.table if "group" in fit.table.columns else fit.table.assign(group=1)
    where = {(r.lhs, r.op, r.rhs, int(r.group)): par[k] for k, r in enumerate(tab.itertuples())}
    return [where[k] for k in zip(ref["lhs"], ref["op"], ref["rhs"], ref["group"])]


@pytest.mark.parametrize("name", FAST + SLOW)
def test_check_flags_lavaans_nonadmissible_solutions(name):
    """The check alone, on lavaan's own parameters of its non-admissible draws (no refit): each one is flagged, the
    full-sample solutions of the theta cases are not (and a delta case's full sample is itself a Heywood case or
    near one)."""
    case, ref = DRAWS[name], REF[name]
    d = _data(case)
    fit = _fit(case, d)
    prob = _problem(fit, d, 0)
    cols = _theta_columns(fit, ref)
    C = np.asarray(ref["coef_nonadm"], float)
    assert len(C) == len(ref["nonadmissible"])
    for row in C:
        t = np.full(fit.theta.size, np.nan)
        t[cols] = row
        assert np.isfinite(t).all()
        assert not admissible_draw(prob, t)
    if case["parameterization"] == "theta":
        assert admissible_draw(prob, np.asarray(fit.theta, float))


def test_cli_writes_and_prints_the_nonadmissible_count(tmp_path, capsys):
    """`fit --estimator WLSMV --bootstrap 100 --seed 11` on the one-group case: the same draws, results.json's
    bootstrap block and the printed line carry lavaan's count, the warning names it."""
    from iur_survey.cli import main
    case = DRAWS["one_delta"]
    data = tmp_path / "d.csv"
    _data(case).drop(columns="g").to_csv(data, index=False)
    model = tmp_path / "m.lav"
    model.write_text(case["model"] + "\n", encoding="utf-8")
    out = tmp_path / "r.json"
    assert main(["fit", str(data), "--model", str(model), "--estimator", "WLSMV", "--bootstrap", "100", "--seed", "11",
                 "--workers", "1", "--quiet", "--out", str(out)]) == 0
    n = len(REF["one_delta"]["nonadmissible"])
    got = json.loads(out.read_text(encoding="utf-8"))["bootstrap"]
    assert (got["successful"], got["failed"], got["nonadmissible"]) == (97, 3, n)
    said = capsys.readouterr()
    assert f"nonadmissible={n} (kept)" in said.out
    assert f"{n} bootstrap runs resulted in nonadmissible solutions" in said.err
