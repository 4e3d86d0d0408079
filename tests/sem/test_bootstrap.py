"""The bootstrap (iur_survey.sem.bootstrap): exact checks, fast.

* the batched kernel equals the engine's ML discrepancy / gradient / information;
* every draw equals a plain sem() fit of the resampled rows (complete data, FIML, groups with a mean
  structure, fixed.x covariates, linear == constraints), and := columns equal the definitions;
* reproducibility whatever the workers, scheduler or chunking; draw b = SeedSequence(seed).spawn()[b];
* failed and non-converged draws are counted, left out of SEs/CIs, reported;
* lavaan's conventions: SE divisors (B for free, B - 1 for :=), percentile / bca.simple / BCa formulas
  on toy statistics against hand computations and R's boot::norm.inter values.
The comparison with lavaan's own bootstrap (B = 1000) is in test_bootstrap_lavaan.py.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from iur_survey.errors import EstimationError
from iur_survey.sem import bootstrap as bs
from iur_survey.sem import sem
from iur_survey.sem.compare import fitted_data
from iur_survey.sem.ml import CompleteMLBatch, complete_stats, ml_fmin, ml_gradient, ml_information_expected
from iur_survey.sem.parallel import map_chunks, show_progress

DATA = pd.read_csv("tests/reference/data/complete_800.csv")
MISSING = pd.read_csv("tests/reference/data/missing_800.csv")
HS = pd.read_csv("tests/reference/data/hs1939.csv")
DEFAULT = open("tests/reference/models/default.lav", encoding="utf-8").read()
HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"


@pytest.fixture(scope="module")
def fit800():
    return sem(DEFAULT, DATA)


@pytest.fixture(scope="module")
def boot800(fit800):
    return bs.bootstrap(fit800, 60, data=DATA, seed=11, progress=False)


def _refit_draw(model, data, seed, b, **kw):
    idx = bs.draw_indices(seed, b, [len(data)])[0]
    return sem(model, data.iloc[idx].reset_index(drop=True), **kw)


# ----------------------------------------------------------------------------------------------- kernel
@pytest.mark.parametrize("model,data,kw", [
    (DEFAULT, DATA, {}),
    (HS_MODEL, HS, {"meanstructure": True}),
    ("visual =~ x1 + x2 + x3\nvisual ~ ageyr + x4\nx1 ~~ x2", HS.dropna(subset=["ageyr"]), {}),
], ids=["default", "hs-meanstructure", "beta-fixed.x-residual-cov"])
def test_batched_kernel_equals_engine_ml(model, data, kw):
    res = sem(model, data, **kw)
    Xg = fitted_data(res, data)
    kern = CompleteMLBatch(res.model, Xg)
    rng = np.random.default_rng(3)
    idx = [rng.integers(0, len(Xg[0]), len(Xg[0])) for _ in range(3)]
    mom = kern.moments([np.vstack([np.bincount(i, minlength=len(Xg[0])) for i in idx])])
    Theta = res.theta + 0.02 * rng.standard_normal((3, res.theta.size))
    F, G, info, ok = kern.evaluate(Theta, mom, np.arange(3), info=True)
    assert ok.all()
    for k in range(3):
        st = complete_stats([Xg[0][idx[k]]])
        res.model.set_sample_stats(st.cov, st.mean)          # fixed.x values of this resample
        assert F[k] == pytest.approx(ml_fmin(res.model, Theta[k], st), rel=1e-12, abs=1e-13)
        np.testing.assert_allclose(G[k], ml_gradient(res.model, Theta[k], st), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(info[k], ml_information_expected(res.model, Theta[k], st), rtol=1e-9,
                                   atol=1e-12)


def test_resample_moments_from_counts():
    X = DATA[[f"GOV{k}" for k in range(1, 5)]].to_numpy(float)
    kern = CompleteMLBatch(sem("GOV =~ GOV1 + GOV2 + GOV3 + GOV4", DATA).model, [X])
    idx = np.random.default_rng(0).integers(0, len(X), len(X))
    m = kern.moments([np.bincount(idx, minlength=len(X))[None]])[0]
    Y = X[idx]
    np.testing.assert_allclose(m["ybar"][0], Y.mean(axis=0), rtol=1e-13)
    np.testing.assert_allclose(m["S"][0], np.cov(Y, rowvar=False, ddof=0), rtol=1e-11, atol=1e-13)
    assert m["logdetS"][0] == pytest.approx(np.linalg.slogdet(np.cov(Y, rowvar=False, ddof=0))[1], rel=1e-11)


# ----------------------------------------------------------------------------------------------- draws = refits
def test_draws_equal_refits_of_the_resampled_rows(fit800, boot800):
    assert boot800.n_ok == 60 and boot800.n_failed == 0 and boot800.n_nonconverged == 0
    q = fit800.model.npar
    for b in (0, 31):
        ref = _refit_draw(DEFAULT, DATA, boot800.seed, b)
        np.testing.assert_allclose(boot800.estimates[b, :q], ref.theta, atol=1e-6)
        # := columns: the definitions at the draw (ind_GOV = a1*b, tot_GOV = c1 + a1*b, ...)
        pe = ref.parameter_estimates()
        defs = pe[pe["op"] == ":="]
        np.testing.assert_allclose(boot800.estimates[b, q:], defs["est"].to_numpy(), atol=1e-6)
    assert boot800.columns[q:] == list(fit800.parameter_estimates().query("op == ':='")["lhs"])


def test_fiml_draws_equal_refits():
    res = sem(DEFAULT, MISSING)
    assert res.missing == "fiml"
    bt = bs.bootstrap(res, 3, data=MISSING, seed=5, progress=False)
    assert bt.n_ok == 3
    ref = _refit_draw(DEFAULT, MISSING, bt.seed, 2)
    assert ref.missing == "fiml"
    np.testing.assert_allclose(bt.estimates[2, :res.model.npar], ref.theta, atol=1e-6)


def test_groups_meanstructure_and_constraints():
    model = "visual =~ x1 + a*x2 + b*x3\ntextual =~ x4 + x5 + x6\na == 2*b - 0.1"
    res = sem(model, HS, group="school")
    bt = bs.bootstrap(res, 6, data=HS, seed=9, progress=False)
    q = res.model.npar
    E = bt.estimates[bt.status == 0]
    assert len(E) >= 5
    # the constraint holds in every draw (a and b are per group: columns of the labelled rows)
    pt = res.partable
    for g in (1, 2):
        ia = next(i for i in range(len(pt)) if pt.group[i] == g and pt.rhs[i] == "x2" and pt.op[i] == "=~")
        ib = next(i for i in range(len(pt)) if pt.group[i] == g and pt.rhs[i] == "x3" and pt.op[i] == "=~")
        np.testing.assert_allclose(E[:, pt.par_index[ia]], 2 * E[:, pt.par_index[ib]] - 0.1, atol=1e-10)
    # draw b resamples each group separately (lavaan: sample.int per group)
    b = int(np.flatnonzero(bt.status == 0)[0])
    idx = bs.draw_indices(bt.seed, b, res.nobs)
    parts = [HS[HS["school"].astype(str) == lab].reset_index(drop=True).iloc[idx[g]]
             for g, lab in enumerate(pt.group_labels)]
    ref = sem(model, pd.concat(parts), group="school")
    assert ref.partable.group_labels == pt.group_labels
    np.testing.assert_allclose(bt.estimates[b, :q], ref.theta, atol=1e-6)


def test_fixed_x_covariates_take_the_resample_moments():
    d = HS.dropna(subset=["ageyr", "grade"])
    model = "visual =~ x1 + x2 + x3\nvisual ~ ageyr + grade"
    res = sem(model, d)
    bt = bs.bootstrap(res, 4, data=d, seed=2, progress=False)
    ref = _refit_draw(model, d, bt.seed, 3)
    np.testing.assert_allclose(bt.estimates[3], ref.theta, atol=1e-6)


def test_data_must_match_the_fit(fit800):
    with pytest.raises(EstimationError, match="needs the data"):
        bs.bootstrap(fit800, 5, progress=False)
    with pytest.raises(EstimationError, match="usable cases"):
        bs.bootstrap(fit800, 5, data=DATA.iloc[:700], progress=False)
    with pytest.raises(EstimationError, match="ci="):
        bs.bootstrap(fit800, 5, data=DATA, ci="studentized", progress=False)
    with pytest.raises(EstimationError, match="control"):
        bs.bootstrap(fit800, 5, data=DATA, control={"tol": 1}, progress=False)


def test_spec_dict_fits_first():
    bt = bs.bootstrap({"model": "GOV =~ GOV1 + GOV2 + GOV3 + GOV4", "data": DATA}, 5, seed=1, progress=False)
    assert bt.fit.n == 800 and bt.n_ok == 5


# ----------------------------------------------------------------------------------------------- reproducibility
def test_draw_b_is_the_b_th_spawned_child():
    kids = np.random.SeedSequence(2022).spawn(8)
    for b in (0, 7):
        want = np.random.default_rng(kids[b]).integers(0, 800, size=800)
        np.testing.assert_array_equal(bs.draw_indices(2022, b, [800])[0], want)


def test_same_seed_same_draws_whatever_the_workers(fit800, boot800):
    kw = dict(data=DATA, seed=11, progress=False)
    two = bs.bootstrap(fit800, 60, workers=2, scheduler="processes", **kw)
    thr = bs.bootstrap(fit800, 60, workers=2, **kw)
    assert boot800.scheduler == "sync" and two.scheduler == "processes" and thr.scheduler == "threads"
    np.testing.assert_array_equal(two.estimates, boot800.estimates)
    np.testing.assert_array_equal(thr.estimates, boot800.estimates)
    # another chunking fits other batches together: the same draws up to round-off
    small = bs.bootstrap(fit800, 60, chunk_size=7, **kw)
    np.testing.assert_allclose(small.estimates, boot800.estimates, rtol=1e-10, atol=1e-12)
    other = bs.bootstrap(fit800, 5, data=DATA, seed=12, progress=False)
    assert not np.allclose(other.estimates, boot800.estimates[:5])


def test_no_seed_records_its_entropy(fit800):
    a = bs.bootstrap(fit800, 4, data=DATA, progress=False)
    b = bs.bootstrap(fit800, 4, data=DATA, seed=a.seed, progress=False)
    np.testing.assert_array_equal(a.estimates, b.estimates)
    c = bs.bootstrap(fit800, 4, data=DATA, seed=np.random.SeedSequence(a.seed), progress=False)
    np.testing.assert_array_equal(a.estimates, c.estimates)


def test_dask_cluster_gives_the_same_draws(fit800, boot800):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        with distributed.Client(cluster, set_as_default=False) as client:
            viaclient = bs.bootstrap(fit800, 60, data=DATA, seed=11, workers=2, scheduler=client,
                                     progress=False)
        viaaddress = bs.bootstrap(fit800, 60, data=DATA, seed=11, workers=2, scheduler=cluster.scheduler_address,
                                  progress=False)
    np.testing.assert_array_equal(viaclient.estimates, boot800.estimates)
    np.testing.assert_array_equal(viaaddress.estimates, boot800.estimates)


# ----------------------------------------------------------------------------------------------- failures
def test_failed_and_nonconverged_draws_are_counted(fit800):
    n = len(DATA)
    rng = np.random.default_rng(4)
    idx = rng.integers(0, n, (8, n))
    idx[2] = 17                    # every row the same case: singular covariance matrix -> failed
    idx[5, : n // 2] = 3           # half the rows one case: still positive definite -> fine
    bt = bs.bootstrap(fit800, indices=idx, data=DATA, progress=False)
    assert bt.B == 8 and bt.n_failed == 1 and bt.status[2] == bs.FAILED
    assert bt.n_nonconverged == 0
    assert np.isnan(bt.estimates[2]).all() and np.isfinite(np.delete(bt.estimates, 2, axis=0)).all()
    # forced non-convergence: one quasi-Newton step and no rescue stages
    bt2 = bs.bootstrap(fit800, indices=idx, data=DATA, progress=False, control={"max_iter": 1, "fallback_iter": 0})
    assert bt2.n_failed == 1 and bt2.n_nonconverged == 7 and bt2.n_ok == 0
    assert any("7 not converged" in w for w in bt2.warnings)
    assert np.isnan(bt2.se()).all()
    # SEs and CIs use the successful draws only; the warning counts the others
    ok = np.flatnonzero(bt.status == 0)
    assert any("1 bootstrap runs failed" in w and "1 failed" in w for w in bt.warnings)
    np.testing.assert_allclose(bt.se().to_numpy()[:3], bt.estimates[ok, :3].std(axis=0, ddof=0))
    assert bt.to_dict()["failed"] == 1 and "Failed draws" in bt.summary()
    # B and the rows of indices= disagree: refused (it silently ran the rows), not one or the other guessed
    with pytest.raises(EstimationError, match="B=3 but indices has 8 rows"):
        bs.bootstrap(fit800, 3, indices=idx, data=DATA, progress=False)


def test_a_real_nonconverging_draw_falls_back_and_is_reported():
    res = sem("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6", HS, group="school")
    bt = bs.bootstrap(res, 20, data=HS, seed=5, progress=False)
    # draw 7 is a Heywood resample on which the engine's own sem() does not converge either
    ref = bs.draw_indices(bt.seed, 7, res.nobs)
    parts = [HS[HS["school"].astype(str) == lab].reset_index(drop=True).iloc[ref[g]]
             for g, lab in enumerate(res.partable.group_labels)]
    refit = sem("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6", pd.concat(parts), group="school")
    assert refit.converged is False
    assert bt.status[7] == bs.NONCONVERGED and bt.n_nonconverged == 1
    assert bt.n_nonadmissible >= 1          # Heywood draws that converged are kept and counted
    assert any("nonadmissible" in w for w in bt.warnings)


# ----------------------------------------------------------------------------------------------- formulas
def test_norm_inter_matches_boot_package_values():
    # values from R: boot:::norm.inter(1:19, 0.1125); t <- seq(-2, 2, length.out = 199), norm.inter(t, c(.05, .95))
    assert bs.norm_inter(np.arange(1.0, 20.0), [0.1125])[0] == pytest.approx(2.278281865, abs=1e-9)
    t = np.linspace(-2, 2, 199)
    np.testing.assert_allclose(bs.norm_inter(t, [0.05, 0.95]), [-1.818181818, 1.818181818], atol=1e-9)
    # integer order statistic, both extremes, NaN ignored
    np.testing.assert_allclose(bs.norm_inter([3.0, 1.0, np.nan, 2.0], [0.5, 0.01, 0.999]), [2.0, 1.0, 3.0])


def test_percentile_and_bca_by_hand():
    t = np.random.default_rng(8).gamma(2.0, 1.0, 999)
    s = np.sort(t)
    # (999 + 1) * 0.025 = 25 and 975 up to rounding: the 25th and 975th order statistics
    lo, hi = bs.percentile_ci(t, 0.95)
    assert lo == pytest.approx(s[24], abs=1e-9) and hi == pytest.approx(s[974], abs=1e-9)
    # bias-corrected: z0 from the share below t0, then the adjusted order statistics by hand
    t0 = 1.7
    z0 = stats.norm.ppf(np.mean(t < t0))
    adj = stats.norm.cdf(2 * z0 + stats.norm.ppf([0.025, 0.975]))
    rk = 1000 * adj
    k = np.floor(rk).astype(int)
    w = (stats.norm.ppf(adj) - stats.norm.ppf(k / 1000)) / (stats.norm.ppf((k + 1) / 1000) - stats.norm.ppf(k / 1000))
    want = s[k - 1] + w * (s[k] - s[k - 1])
    np.testing.assert_allclose(bs.bca_ci(t, t0, 0.95), want, rtol=1e-12)
    # accelerated: alpha' = Phi(z0 + (z0 + z) / (1 - a (z0 + z)))
    a = 0.07
    z = stats.norm.ppf([0.025, 0.975])
    adj = stats.norm.cdf(z0 + (z0 + z) / (1 - a * (z0 + z)))
    np.testing.assert_allclose(bs.bca_ci(t, t0, 0.95, accel=a), bs.norm_inter(t, adj), rtol=1e-12)
    # jackknife acceleration by hand
    jack = np.array([1.0, 1.2, 0.7, 2.5, 1.1])
    L = jack.mean() - jack
    assert bs.jackknife_acceleration(jack[:, None])[0] == pytest.approx(np.sum(L ** 3) / (6 * np.sum(L ** 2) ** 1.5))


def test_quantile_mc_se_is_calibrated():
    # spread of the 2.5% quantile of B = 1000 normal draws over many replications vs the estimated MC SE
    rng = np.random.default_rng(1)
    qs, ses = [], []
    for _ in range(200):
        t = rng.standard_normal(1000)
        qs.append(bs.norm_inter(t, [0.025])[0])
        ses.append(bs.quantile_mc_se(t, 0.025))
    assert np.std(qs) == pytest.approx(np.median(ses), rel=0.25)
    asym = math.sqrt(0.025 * 0.975 / 1000) / stats.norm.pdf(1.96)
    assert np.std(qs) == pytest.approx(asym, rel=0.2)


def test_lavaan_se_divisors_and_table(fit800, boot800):
    q = fit800.model.npar
    E = boot800.estimates
    se = boot800.se().to_numpy()
    np.testing.assert_allclose(se[:q], E[:, :q].std(axis=0, ddof=0), rtol=1e-12)     # cov(COEF) (B-1)/B
    np.testing.assert_allclose(se[q:], E[:, q:].std(axis=0, ddof=1), rtol=1e-12)     # cov(BOOT.def)
    pe = boot800.parameter_estimates()
    base = fit800.parameter_estimates()
    assert list(pe[["lhs", "op", "rhs"]].itertuples(index=False)) == \
        list(base[["lhs", "op", "rhs"]].itertuples(index=False))
    np.testing.assert_array_equal(pe["est"], base["est"])
    fixed = base["se"] == 0
    assert (pe.loc[fixed, "se"] == 0).all()
    assert (pe.loc[fixed, "ci.lower"] == pe.loc[fixed, "est"]).all()
    free = ~fixed
    np.testing.assert_allclose(pe.loc[free, "z"], pe.loc[free, "est"] / pe.loc[free, "se"])
    row = pe[(pe["label"] == "b") & (pe["op"] == "~")].iloc[0]
    col = boot800.columns.index("b")
    assert (row["ci.lower"], row["ci.upper"]) == pytest.approx(bs.percentile_ci(E[:, col]))
    t0 = fit800.theta[col]
    assert (boot800.parameter_estimates(ci="bca.simple").loc[row.name, ["ci.lower", "ci.upper"]].tolist()
            == pytest.approx(bs.bca_ci(E[:, col], t0)))
    with pytest.raises(EstimationError, match="jackknife"):
        boot800.parameter_estimates(ci="bca")
    assert boot800.vcov().shape == (q, q)


def test_bca_uses_the_jackknife():
    d = DATA.iloc[:60]
    model = "GOV =~ GOV1 + g2*GOV2 + g3*GOV3\nratio := g2/g3"
    res = sem(model, d)
    bt = bs.bootstrap(res, 30, data=d, seed=3, ci="bca", progress=False)
    assert bt.jackknife.shape == (60, bt.estimates.shape[1])
    ref = sem(model, d.drop(index=d.index[13]))               # case 14 left out
    np.testing.assert_allclose(bt.jackknife[13, :res.model.npar], ref.theta, atol=1e-6)
    L = np.nanmean(bt.jackknife, axis=0) - bt.jackknife
    np.testing.assert_allclose(bt.acceleration, (L ** 3).sum(0) / (6 * ((L ** 2).sum(0)) ** 1.5))
    j = bt.columns.index("ratio")
    pe = bt.parameter_estimates()
    r = pe[pe["op"] == ":="].iloc[0]
    want = bs.bca_ci(bt.estimates[:, j], r["est"], 0.95, accel=bt.acceleration[j])
    assert (r["ci.lower"], r["ci.upper"]) == pytest.approx(want)


# ----------------------------------------------------------------------------------------------- result objects
def test_with_bootstrap_result(fit800):
    r = bs.with_bootstrap(fit800, 20, data=DATA, seed=4, progress=False, level=0.9)
    assert isinstance(r, bs.BootstrapSEMResult) and r.se_type == "bootstrap"
    d = r.to_dict()
    assert d["bootstrap"]["B"] == 20 and d["bootstrap"]["successful"] == 20 and d["bootstrap"]["seed"] == 4
    est = {(e["lhs"], e["op"], e["rhs"]): e for e in d["estimates"]}
    pe = r.boot.parameter_estimates()
    row = pe[pe["label"] == "a1"].iloc[0]
    assert est[("COL", "~", "GOV")]["se"] == pytest.approx(row["se"])
    assert est[("COL", "~", "GOV")]["ci.lower"] == pytest.approx(row["ci.lower"])
    assert "Bootstrap" in r.summary() and "Number of successful bootstrap draws" in r.summary()
    assert r.vcov_theta.shape == fit800.vcov_theta.shape
    assert "ind_GOV" in r.boot.summary()


def test_progress_bar(fit800, capsys):
    assert show_progress(None) is False        # pytest's stderr is not a terminal
    bs.bootstrap(fit800, 4, data=DATA, seed=1, progress=True)
    err = capsys.readouterr().err
    assert "bootstrap" in err and "draw" in err
    bs.bootstrap(fit800, 4, data=DATA, seed=1, progress=False)
    assert capsys.readouterr().err == ""


def test_map_chunks_keeps_order():
    out = map_chunks(lambda p, c: (p, c), list(range(7)), payload="x", workers=2, scheduler="threads",
                     progress=False)
    assert out == [("x", c) for c in range(7)]
    with pytest.raises(ValueError, match="unknown scheduler"):
        map_chunks(lambda p, c: c, [1, 2], workers=2, scheduler="bogus", progress=False)


@pytest.mark.parametrize("workers", [1, 2])
def test_progress_lines_for_a_log(capsys, workers):
    """progress="lines" (the book command when its output goes to a log): a plain line at each tenth of the
    draws with the time taken and left, not a bar's carriage returns, serial or on Dask's threads."""
    out = map_chunks(lambda p, c: c, list(range(8)), workers=workers, scheduler="threads" if workers > 1 else None,
                     progress="lines", weights=[25] * 8, desc="bootstrap")
    assert out == list(range(8))
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 8 and "\r" not in "".join(lines)            # 200 draws in chunks of 25: 8 tenths reached
    assert lines[0].startswith("bootstrap: 25/200 draws in ") and "left)" in lines[0]
    assert lines[-1].startswith("bootstrap: 200/200 draws in ") and "left" not in lines[-1]
