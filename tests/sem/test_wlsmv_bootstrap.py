"""WLSMV bootstrap (lavaan's se = "bootstrap" with ordered items): seeded, parallel, and its standard errors
against lavaan's bootstrap SEs (wlsmv_boot_single.json, B = 1000 / wlsmv_boot_groups.json, B = 300, written by make_wlsmv_boot_refs.R) within the
Monte Carlo error of both runs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scipy.special import ndtri as special_ndtri

from iur_survey.sem import sem
from iur_survey.sem.bootstrap import percentile_ci
from iur_survey.sem.wlsmv_bootstrap import wlsmv_bootstrap, with_wlsmv_bootstrap

HERE = Path(__file__).parent / "ordinal_refs"
TWO = "F1 =~ a1 + a2 + a3 + a4\nF2 =~ b1 + b2 + b3 + b4"


@pytest.fixture(scope="module")
def data():
    return pd.read_csv(HERE / "wlsmv_groups_630.csv")


def _se_ratio(res, ref):
    R = pd.DataFrame(ref["estimates"])
    if "group" not in R.columns:
        R["group"] = 1
    R["rhs"] = R["rhs"].fillna("")
    R = R[(R["se"] > 1e-8) & R["op"].isin(["=~", "~~", "|", "~*~", "~1"])].set_index(["lhs", "op", "rhs", "group"])
    pe = res.parameter_estimates()
    if "group" not in pe.columns:
        pe = pe.assign(group=1)
    O = pe.set_index(["lhs", "op", "rhs", "group"]).loc[R.index]
    return O["se"].to_numpy(float) / R["se"].to_numpy(float)


def test_bootstrap_se_matches_lavaan_within_mc_error(data):
    ref = json.loads((HERE / "wlsmv_boot_single.json").read_text())
    res = with_wlsmv_bootstrap(sem(TWO, data, ordered=True), 200, data=data, seed=2022, workers=1, progress=False)
    assert res.boot.n_ok == 200
    q = _se_ratio(res, ref)
    # sd of the ratio ~ sqrt(1/(2*200) + 1/(2*1000)) = 5.5 %
    assert np.mean(np.abs(q - 1)) < 0.08
    assert np.max(np.abs(q - 1)) < 0.25
    pe = res.parameter_estimates()
    free = pe["se"] > 0
    assert (pe.loc[free, "ci.lower"] < pe.loc[free, "est"]).all() and (pe.loc[free, "ci.upper"] > pe.loc[free, "est"]).all()
    out = res.to_dict()
    assert out["bootstrap"]["B"] == 200 and out["bootstrap"]["seed"] == 2022


@pytest.mark.slow
def test_multigroup_bootstrap_se_matches_lavaan(data):
    ref = json.loads((HERE / "wlsmv_boot_groups.json").read_text())
    fit = sem(TWO, data, ordered=True, group="G", group_equal=["thresholds", "loadings"])
    res = with_wlsmv_bootstrap(fit, 300, data=data, seed=7, workers=2, progress=False)
    assert res.boot.n_ok + res.boot.n_failed + res.boot.n_nonconverged == 300
    q = _se_ratio(res, ref)
    assert np.mean(np.abs(q - 1)) < 0.08
    assert np.max(np.abs(q - 1)) < 0.25


def test_draws_do_not_depend_on_workers(data):
    fit = sem(TWO, data, ordered=True, group="G")
    a = wlsmv_bootstrap(fit, 8, seed=3, data=data, workers=1, progress=False, chunk_size=3)
    b = wlsmv_bootstrap(fit, 8, seed=3, data=data, workers=2, scheduler="threads", progress=False, chunk_size=2)
    assert np.array_equal(a.status, b.status)
    ok = a.status == 0
    np.testing.assert_allclose(a.est[ok], b.est[ok], rtol=0, atol=1e-12)


def test_failed_draws_are_counted_and_warned(data):
    # a tiny group: some draws miss a category of an item (lavaan: "some categories ... are empty")
    d = pd.concat([data[data.G == "g1"].head(200), data[data.G == "g3"].head(45)])
    fit = sem(TWO, d, ordered=True, group="G")
    bt = wlsmv_bootstrap(fit, 20, seed=5, data=d, workers=1, progress=False)
    assert bt.n_failed > 0
    assert any("bootstrap draws failed" in w for w in bt.warnings)
    assert np.isnan(bt.est[bt.status != 0]).all()


DEF = json.loads((HERE / "wlsmv_boot_groups_def.json").read_text())


@pytest.fixture(scope="module")
def def_fit(data):
    return sem(DEF["model"], data, ordered=True, group="G")


def _lavaan_draws(fit):
    """lavaan's successful draws (make_wlsmv_boot_def_refs.R) in the columns of our theta."""
    b = DEF["boot"]
    L = np.array(b["draws"], dtype=float)
    tab = fit.table.assign(group=fit.table["group"].astype(int))
    par = np.asarray(fit.meta["wlsmv_groups"].table_par)
    where = {(r.lhs, r.op, r.rhs, r.group): par[k] for k, r in enumerate(tab.itertuples())}
    E = np.full((len(L), fit.theta.size), np.nan)
    for j, key in enumerate(zip(b["lhs"], b["op"], b["rhs"], b["group"])):
        E[:, where[key]] = L[:, j]               # a KeyError: a lavaan parameter we do not have
    assert np.isfinite(E).all()                   # and every one of ours is one of lavaan's
    return E


def test_multigroup_effects_on_lavaans_draws_equal_lavaan(def_fit):
    """The := rows of a multi-group WLSMV bootstrap (labels of several groups, c(p1, p2, p3)*, an earlier :=), put
    through our code with lavaan's own 92 successful draws (B = 100, 8 failed on an empty category): lavaan's
    percentile CIs and its bootstrap SE formula (lav_model_vcov_se: SD of the draws' def.function values, divisor
    B - 1), to 1e-9 relative (the draws are stored with 15 digits).  The other rows too: lavaan's vcov of a DWLS
    bootstrap is the draws' covariance (divisor B) times N / (N - G) = 627 / 624."""
    from iur_survey.sem.wlsmv_bootstrap import WLSMVBootstrap, _boot_result, defined_draws

    E = _lavaan_draws(def_fit)
    status = np.zeros(len(E), dtype=int)
    bt = WLSMVBootstrap(est=E, status=status, theta=np.asarray(def_fit.theta), seed=0, ci="percentile", level=0.95,
                        seconds=0.0, workers=1, nobs=sum(DEF["nobs"]), ngroups=3,
                        defined=defined_draws(def_fit, E, status))
    pe = _boot_result(def_fit, bt).parameter_estimates()
    lav = pd.DataFrame(DEF["estimates"]).assign(se_ok=DEF["se_ok"])
    m = pe.merge(lav, on=["lhs", "op", "rhs", "group"], suffixes=("", "_lav"), validate="one_to_one")
    assert len(m) == len(lav) == len(pe)
    d = m[m["op"] == ":="]
    assert list(d["lhs"]) == ["diff12", "prod13", "ratio", "both"]
    # lavaan 0.6.14 leaves the := se empty when a draw failed (module docstring); se_ok is its formula on the rest
    assert len(DEF["error_idx"]) == 8 and d["se_lav"].isna().all()
    np.testing.assert_allclose(d["se"], d["se_ok"], rtol=1e-9, atol=1e-12)
    for c in ("ci.lower", "ci.upper"):
        np.testing.assert_allclose(d[c], d[c + "_lav"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(d["est"], d["est_lav"], rtol=0, atol=2e-4)     # the two fits (not the draws)
    free = m[(m["op"] != ":=") & (m["se_ok"] > 0)]
    assert len(free) == len(DEF["boot"]["lhs"])
    np.testing.assert_allclose(free["se"], free["se_lav"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(free["se"], free["se_ok"] * np.sqrt(627 / 624), rtol=1e-9, atol=1e-12)
    for c in ("ci.lower", "ci.upper"):
        np.testing.assert_allclose(free[c], free[c + "_lav"], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("ci", ["norm", "basic"])
def test_norm_and_basic_on_lavaans_draws_equal_lavaan(def_fit, ci):
    """boot.ci.type = "norm" / "basic" of the same multi-group DWLS bootstrap (lavaan's 92 successful draws through
    our code, make_wlsmv_boot_def_refs.R): every free row's bounds and the := rows' "basic" bounds equal lavaan's.
    lavaan's "norm" bounds of the := rows are NA (its := se is NA when a draw failed, see the test above): ours are
    its formula with se_ok, 2 est - def(mean draw) -/+ z se_ok.  The y* residual variances (delta, se 0) keep
    ci = est (lavaan's "norm": 2 est - their value at the mean draw; the module docstring)."""
    from iur_survey.sem.wlsmv_bootstrap import WLSMVBootstrap, _boot_result, defined_draws

    E = _lavaan_draws(def_fit)
    status = np.zeros(len(E), dtype=int)
    bt = WLSMVBootstrap(est=E, status=status, theta=np.asarray(def_fit.theta), seed=0, ci=ci, level=0.95,
                        seconds=0.0, workers=1, nobs=sum(DEF["nobs"]), ngroups=3,
                        defined=defined_draws(def_fit, E, status))
    pe = _boot_result(def_fit, bt).parameter_estimates()
    lav = pd.DataFrame(DEF["estimates"]).assign(se_ok=DEF["se_ok"])
    bounds = pd.DataFrame(DEF[f"ci_{ci}"])
    lav["lo"], lav["hi"] = bounds["ci.lower"], bounds["ci.upper"]
    m = pe.merge(lav, on=["lhs", "op", "rhs", "group"], suffixes=("", "_lav"), validate="one_to_one")
    assert len(m) == len(lav) == len(pe)
    # both bounds are 2 est - (a function of the draws): compared net of 2 est, the two fits' est differing by
    # ~1e-4 (test above), the draws being the same
    for c, lc in (("ci.lower", "lo"), ("ci.upper", "hi")):
        m[c + ".net"] = m[c] - 2 * m["est"]
        m[lc + ".net"] = m[lc] - 2 * m["est_lav"]
    free = m[(m["op"] != ":=") & (m["se_ok"] > 0)]
    assert len(free) == len(DEF["boot"]["lhs"])
    np.testing.assert_allclose(free["ci.lower.net"], free["lo.net"], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(free["ci.upper.net"], free["hi.net"], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(free[["ci.lower", "ci.upper"]], free[["lo", "hi"]], atol=5e-4)
    d = m[m["op"] == ":="]
    if ci == "basic":
        np.testing.assert_allclose(d["ci.lower.net"], d["lo.net"], rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(d["ci.upper.net"], d["hi.net"], rtol=1e-9, atol=1e-9)
    else:
        assert d["lo"].isna().all()
        centre = defined_draws(def_fit, E.mean(axis=0)[None, :], np.zeros(1, int))[0]
        z = special_ndtri(0.975)
        np.testing.assert_allclose(d["ci.lower"], 2 * d["est"] - centre - z * d["se_ok"], rtol=1e-9)
        np.testing.assert_allclose(d["ci.upper"], 2 * d["est"] - centre + z * d["se_ok"], rtol=1e-9)
    fixed = m[(m["op"] != ":=") & ~(m["se_ok"] > 0)]
    assert (fixed["ci.lower"] == fixed["est"]).all() and (fixed["ci.upper"] == fixed["est"]).all()


def test_wlsmv_bootstrap_refuses_bca_clearly(data):
    from iur_survey.errors import EstimationError
    fit = sem(TWO, data, ordered=True)
    with pytest.raises(EstimationError, match="'percentile' \\(or 'perc'\\), 'bca.simple', 'norm' or 'basic'"):
        wlsmv_bootstrap(fit, 5, data=data, ci="bca", workers=1, progress=False)


def test_multigroup_effects_are_the_draws_effects(data, def_fit):
    """Our own draws: every := value of a draw is its definition of THAT draw's group parameters (p1 of group 1,
    p2 of group 2, ...), the := SE their SD and the CI their percentiles; no warning left about := rows."""
    res = with_wlsmv_bootstrap(def_fit, 12, data=data, seed=3, workers=1, progress=False)
    bt = res.boot
    assert (bt.nobs, bt.ngroups) == (sum(DEF["nobs"]), 3)        # lavaan's ntotal
    ok = bt.status == 0
    assert ok.sum() >= 8
    tab = def_fit.table
    par = np.asarray(def_fit.meta["wlsmv_groups"].table_par)

    def col(lhs, op, rhs, g):
        return par[np.flatnonzero((tab.lhs == lhs) & (tab.op == op) & (tab.rhs == rhs) & (tab.group == g))[0]]
    p1, p2, p3 = (bt.est[ok, col("F2", "~", "F1", g)] for g in (1, 2, 3))
    l1, l2 = (bt.est[ok, col("F1", "=~", "a2", g)] for g in (1, 2))
    want = np.column_stack([p1 - p2, p1 * p3, l1 / l2, p1 - p2 + p1 * p3])
    np.testing.assert_allclose(bt.defined[ok], want, rtol=1e-12, atol=1e-14)
    assert np.isnan(bt.defined[~ok]).all()
    pe = res.parameter_estimates()
    d = pe[pe["op"] == ":="]
    np.testing.assert_allclose(d["se"], want.std(axis=0, ddof=1), rtol=1e-12)
    ci = np.array([percentile_ci(want[:, k], 0.95) for k in range(4)])     # lavaan's "perc" (test above)
    np.testing.assert_allclose(d[["ci.lower", "ci.upper"]].to_numpy(float), ci, rtol=1e-12)
    assert d["pvalue"].notna().all()
    assert not any("defined effects" in w for w in res.warnings)
    out = res.to_dict()
    rows = [e for e in out["estimates"] if e["op"] == ":="]
    assert len(rows) == 4 and all(e["se"] > 0 and e["ci.lower"] < e["ci.upper"] for e in rows)


@pytest.mark.slow
def test_multigroup_effect_se_match_lavaan_within_mc_error(data, def_fit):
    """Our own B = 300 draws against lavaan's bootstrap of the same fit (wlsmv_boot_groups_def_mc.json, B = 1000):
    the := SEs within Monte Carlo error (sd of the ratio of two SDs ~ sqrt(1/(2*300) + 1/(2*1000)) = 4.7 % for
    normal draws, more for the heavy-tailed l1 / l2)."""
    mc = json.loads((HERE / "wlsmv_boot_groups_def_mc.json").read_text())
    res = with_wlsmv_bootstrap(def_fit, 300, data=data, seed=11, workers=2, progress=False)
    pe = res.parameter_estimates()
    se = pe.loc[pe["op"] == ":=", "se"].to_numpy(float)
    ref = np.array(mc["se_ok"], dtype=float)[(pd.DataFrame(mc["estimates"])["op"] == ":=").to_numpy()]
    q = se / ref
    assert np.mean(np.abs(q - 1)) < 0.12, q
    assert np.max(np.abs(q - 1)) < 0.25, q


def test_cli_multigroup_wlsmv_bootstrap_writes_and_tables_the_effects(tmp_path, capsys):
    """`fit --estimator WLSMV --group G --bootstrap B` with a model of per-group labels: the := rows of results.json
    have their bootstrap SE and CI (no warning about them, none about labels written once), and `tables` shows
    them in the effects table."""
    from iur_survey.cli import main
    model = tmp_path / "m.lav"
    model.write_text(DEF["model"] + "\n", encoding="utf-8")
    out = tmp_path / "r.json"
    rc = main(["fit", str(HERE / "wlsmv_groups_630.csv"), "--model", str(model), "--estimator", "WLSMV", "--group", "G",
               "--bootstrap", "12", "--seed", "4", "--workers", "1", "--quiet", "--out", str(out)])
    assert rc == 0
    got = json.loads(out.read_text(encoding="utf-8"))
    assert got["bootstrap"]["B"] == 12 and got["groups"] == {"g1": 319, "g2": 189, "g3": 119}
    rows = {e["lhs"]: e for e in got["estimates"] if e["op"] == ":="}
    assert sorted(rows) == ["both", "diff12", "prod13", "ratio"]
    for e in rows.values():
        assert e["se"] > 0 and e["ci.lower"] < e["ci.upper"] and e["pvalue"] is not None
    assert rows["diff12"]["ci.lower"] != pytest.approx(rows["diff12"]["est"] - 1.959964 * rows["diff12"]["se"])
    assert not any("defined effects" in w or "label written once" in w for w in got["warnings"])
    capsys.readouterr()
    assert main(["tables", str(out), "--format", "md", "--out", "-"]) == 0
    text = capsys.readouterr().out
    eff = text[text.index("*Defined parameters*"):]          # contrasts, a ratio: no indirect or total effect
    r = rows["prod13"]
    assert f"[{r['ci.lower']:.3f}, {r['ci.upper']:.3f}]" in eff.split("\n\n*Note.*")[0]
