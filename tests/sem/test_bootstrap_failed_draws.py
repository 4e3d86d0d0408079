"""The bootstrap when some draws do not converge, against lavaan 0.6.14's rules (se = "bootstrap").

Reference: boot_fail_refs/boot_fail_refs.json, written by boot_fail_refs/make_boot_fail_refs.R: the first
40 rows of HolzingerSwineford1939, the 3-factor CFA with ab := a*b, B = 100; lavaan's draws (45 failed or
did not converge, 40 non-admissible), its warnings and its parameterEstimates() (perc, bca.simple).

lavaan's rules, which the package follows:
* a draw that fails or does not converge is dropped (attr(boot, "error.idx")) from every SE and CI, and
  counted in a warning ("45 bootstrap runs failed or did not converge"); non-admissible draws are kept
  and counted in a second warning;
* free-parameter SE: SD of the successful draws, divisor = their number; CIs: norm.inter quantiles of the
  successful draws (:= rows too);
* := SE: lavaan 0.6.14 reports NA as soon as a draw failed: it applies cov() to the draws with their NA
  rows (its bug #273, fixed in lavaan 0.6-16 by dropping them first).  Here it is the SD (divisor n - 1) of
  the successful draws, the fixed rule; the reference records that value too.

Part 1 applies the package's formulas to lavaan's own draws (exact); part 2 runs the package's bootstrap
(its own draws: the counts are checked against the rules, not against lavaan's numbers).
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.sem import cfa
from iur_survey.sem.bootstrap import BootstrapResult, bootstrap, with_bootstrap
from iur_survey.sem.estimate import NONCONVERGED, OK
from iur_survey.sem.results import SEMFitWarning

HERE = Path(__file__).resolve().parent
REF = json.loads((HERE / "boot_fail_refs" / "boot_fail_refs.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(HERE / "std_refs" / "hs.csv").iloc[:REF["n"]].reset_index(drop=True)


@pytest.fixture(scope="module")
def fit(data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SEMFitWarning)          # the Heywood case (x3), as lavaan warns
        res = cfa(REF["model"], data)
    assert res.converged
    return res


def test_reference_shows_lavaans_rules():
    n_bad = len(REF["error_idx"])
    assert n_bad == 45 and REF["B"] == 100
    assert f"lavaan WARNING: {n_bad} bootstrap runs failed or did not converge." in REF["warnings"]
    assert any("bootstrap runs resulted in nonadmissible solutions" in w for w in REF["warnings"])
    assert REF["successful_line"].split()[-1] == str(REF["B"] - n_bad)
    assert all(REF["boot"][i - 1][0] is None for i in REF["error_idx"])
    assert not set(REF["nonadmissible"]) & set(REF["error_idx"])       # kept: not among the dropped
    # lavaan 0.6.14: the := SE, z (and p) are NA once a draw failed; its CI is there
    ab = next(r for r in REF["perc"] if r["op"] == ":=")
    assert ab["se"] is None and ab["z"] is None and ab["ci.lower"] is not None


# ------------------------------------------------------------------------------ part 1: lavaan's own draws
@pytest.fixture(scope="module")
def lavaan_draws(fit):
    """lavaan's draws in a BootstrapResult of our fit: the same rows, our column order, status from error.idx."""
    cols = list(REF["columns"])
    D = np.array([[np.nan if v is None else v for v in row] if row[0] is not None else [np.nan] * len(cols)
                  for row in REF["boot"]], dtype=float)
    from iur_survey.sem.bootstrap import _param_names, _with_defined
    from iur_survey.sem.defined import from_partable
    names = _param_names(fit.partable)
    assert sorted(names) == sorted(cols)
    E = D[:, [cols.index(n) for n in names]]
    defs = from_partable(fit.partable, fit.est)
    E = _with_defined(E, defs)
    status = np.full(REF["B"], OK)
    status[np.asarray(REF["error_idx"]) - 1] = NONCONVERGED
    nonadm = np.zeros(REF["B"], bool)
    nonadm[np.asarray(REF["nonadmissible"]) - 1] = True
    return BootstrapResult(fit=fit, estimates=E, columns=names + list(defs.names), n_free=fit.model.npar,
                           status=status, nonadmissible=nonadm, iterations=np.zeros(REF["B"], int),
                           ci="percentile", level=0.95, seed=0, workers=1, scheduler="sync")


@pytest.mark.parametrize("ci,table", [("percentile", "perc"), ("bca.simple", "bca_simple")])
def test_same_draws_give_lavaans_ses_and_intervals(lavaan_draws, ci, table):
    pe = lavaan_draws.parameter_estimates(ci=ci, standardized=False)
    lav = {(r["lhs"], r["op"], r["rhs"]): r for r in REF[table]}
    assert len(pe) == len(lav)
    for r in pe.to_dict("records"):
        ref = lav[(r["lhs"], r["op"], r["rhs"])]
        assert r["est"] == pytest.approx(ref["est"], rel=2e-5, abs=2e-5)      # the Heywood optimum is flat
        for c in ("ci.lower", "ci.upper"):
            assert r[c] == pytest.approx(ref[c], rel=1e-6, abs=5e-5), (r["lhs"], r["op"], r["rhs"], c)
        if r["op"] == ":=":          # lavaan 0.6.14: NA (bug #273); ours: its fixed rule (failed rows dropped)
            assert ref["se"] is None
            assert r["se"] == pytest.approx(REF["def_se_failed_rows_dropped"], rel=1e-10)
        else:
            assert r["se"] == pytest.approx(ref["se"], rel=1e-10, abs=1e-12), (r["lhs"], r["op"], r["rhs"])


def test_counts_of_lavaans_draws(lavaan_draws):
    assert lavaan_draws.n_ok == REF["B"] - len(REF["error_idx"]) == 55
    assert lavaan_draws.n_nonconverged == 45 and lavaan_draws.n_failed == 0
    assert lavaan_draws.n_nonadmissible == len(REF["nonadmissible"])
    se = lavaan_draws.se().to_numpy()[:lavaan_draws.n_free]
    assert np.allclose(se, REF["free_se_rule"], rtol=1e-10)     # divisor: the successful draws


# ------------------------------------------------------------------------------ part 2: the package's draws
@pytest.fixture(scope="module")
def ours(fit, data):
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        res = with_bootstrap(fit, 30, data=data, seed=11, workers=1, progress=False)
    return res, [str(w.message) for w in said if w.category is SEMFitWarning]


def test_failed_draws_are_dropped_counted_and_warned(ours):
    res, said = ours
    bt = res.boot
    n_bad = bt.n_failed + bt.n_nonconverged
    assert n_bad > 0 and bt.n_ok + n_bad == bt.B == 30
    assert np.isnan(bt.estimates[bt.status != OK]).all()
    assert np.isfinite(bt.estimates[bt.status == OK][:, :bt.n_free]).all()
    assert any(f"{n_bad} bootstrap runs failed or did not converge" in w and "B = 30" in w for w in said)
    assert any(f"{n_bad} bootstrap runs failed or did not converge" in w for w in res.warnings)
    doc = res.to_dict()
    assert doc["bootstrap"]["successful"] == bt.n_ok and doc["bootstrap"]["nonconverged"] == bt.n_nonconverged
    line = next(s for s in res.summary().splitlines() if "successful bootstrap draws" in s).strip()
    assert line.split()[-1] == str(bt.n_ok) and len(line) == len(REF["successful_line"])   # lavaan's layout


def test_ses_and_intervals_come_from_the_successful_draws(ours):
    bt = ours[0].boot
    E = bt.estimates[bt.status == OK]
    se = bt.se().to_numpy()
    assert np.allclose(se[:bt.n_free], E[:, :bt.n_free].std(axis=0, ddof=0))
    assert np.allclose(se[bt.n_free:], E[:, bt.n_free:].std(axis=0, ddof=1))
    assert np.isfinite(se).all()
    pe = bt.parameter_estimates()
    ab = pe[pe["op"] == ":="].iloc[0]
    assert math.isfinite(ab["se"]) and ab["ci.lower"] <= ab["est"] <= ab["ci.upper"]
    assert ab["ci.lower"] >= E[:, -1].min() and ab["ci.upper"] <= E[:, -1].max()


def test_nonadmissible_draws_are_kept(ours):
    res, said = ours
    bt = res.boot
    if bt.n_nonadmissible:                                     # the x3 Heywood case recurs in most draws
        assert (bt.status[bt.nonadmissible] == OK).all()
        assert any("nonadmissible solutions" in w for w in said)


def test_warn_false_is_quiet(fit, data):
    with warnings.catch_warnings():
        warnings.simplefilter("error", SEMFitWarning)
        bt = bootstrap(fit, 8, data=data, seed=11, workers=1, progress=False, warn=False)
    assert bt.warnings                                          # still counted
