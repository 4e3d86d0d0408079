"""WLSMV (DWLS + robust.sem + scaled.shifted + fit measures) against lavaan 0.6.14.

References: tests/sem/ordinal_refs/wlsmv_*.json (make_ordinal_refs.R).  The model side's matrices are
not used here: a small all-latent LISREL model in the delta parameterization with an analytic Delta
(:class:`TinyOrdinalSEM`, checked against numerical derivatives) feeds the pieces of wlsmv.py, as
the engine's Model will.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from iur_survey.sem.ordinal import ordinal_sample_stats, pair_index
from iur_survey.sem.wlsmv import (
    WLSMV_FIT_NAMES,
    baseline_test,
    dwls_fmin,
    fit_dwls,
    offdiag_vech_index,
    robust_vcov,
    scaled_shifted_test,
    wls_delta,
    wls_moments,
    wlsmv_fit,
    wlsmv_fit_measures,
)
from tests.sem._ordinal_common import load_data, load_json

CONS = ["GOV", "MKT", "BEN", "VAL", "TAL", "COL", "INT"]


class TinyOrdinalSEM:
    """All-latent LISREL model for ordinal items, delta parameterization (test helper)."""
    def __init__(self, factors, indicators, regressions, psi_free, th_names):
        self.factors = list(factors)
        self.items = [v for f in factors for v in indicators[f]]
        p, m = len(self.items), len(self.factors)
        self.p, self.m = p, m
        self.names = []
        self.lam = []   # (item idx, factor idx)
        self.Lfix = np.zeros((p, m))
        for fi, f in enumerate(factors):
            for k, v in enumerate(indicators[f]):
                i = self.items.index(v)
                if k == 0:
                    self.Lfix[i, fi] = 1.0
                else:
                    self.lam.append((i, fi)); self.names.append((f, "=~", v))
        self.beta = [(self.factors.index(l), self.factors.index(r)) for l, r in regressions]
        self.names += [(l, "~", r) for l, r in regressions]
        self.th_names = list(th_names)
        self.names += [tuple(t.split("|")[0:1]) + ("|", t.split("|")[1]) for t in th_names]
        self.psi = [(self.factors.index(a), self.factors.index(b)) for a, b in psi_free]
        self.names += [(a, "~~", b) for a, b in psi_free]
        self.nl, self.nb, self.nth, self.nps = len(self.lam), len(self.beta), len(th_names), len(self.psi)
        self.npar = self.nl + self.nb + self.nth + self.nps
        self.th_cols = np.arange(self.nl + self.nb, self.nl + self.nb + self.nth)
        self.ii, self.jj = pair_index(p)

    def unpack(self, t):
        L = self.Lfix.copy()
        for k, (i, f) in enumerate(self.lam):
            L[i, f] = t[k]
        B = np.zeros((self.m, self.m))
        o = self.nl
        for k, (r, s) in enumerate(self.beta):
            B[r, s] = t[o + k]
        th = t[self.th_cols]
        P = np.zeros((self.m, self.m))
        o = self.nl + self.nb + self.nth
        for k, (r, s) in enumerate(self.psi):
            P[r, s] = P[s, r] = t[o + k]
        return L, B, th, P

    def core(self, t):
        L, B, th, P = self.unpack(t)
        A = np.linalg.inv(np.eye(self.m) - B)
        Phi = A @ P @ A.T
        S = L @ Phi @ L.T
        return L, A, Phi, S, th

    def sigma(self, t):
        *_, S, th = self.core(t)
        S = S.copy(); np.fill_diagonal(S, 1.0)
        return S

    def moments(self, t):
        L, A, Phi, S, th = self.core(t)
        return wls_moments(th, S)

    def _rows(self, t, ii, jj):
        """d Sigma[ii, jj] / d theta (rows = index pairs)."""
        L, A, Phi, S, th = self.core(t)
        G = Phi @ L.T          # m x p
        M = L @ A              # p x m
        R = np.zeros((ii.size, self.npar))
        for k, (i, f) in enumerate(self.lam):
            R[:, k] = (ii == i) * G[f, jj] + (jj == i) * G[f, ii]
        o = self.nl
        for k, (r, s) in enumerate(self.beta):
            R[:, o + k] = M[ii, r] * G[s, jj] + M[jj, r] * G[s, ii]
        o = self.nl + self.nb + self.nth
        for k, (r, s) in enumerate(self.psi):
            if r == s:
                R[:, o + k] = M[ii, r] * M[jj, r]
            else:
                R[:, o + k] = M[ii, r] * M[jj, s] + M[ii, s] * M[jj, r]
        return R

    def delta(self, t):
        D = np.zeros((self.nth + self.ii.size, self.npar))
        D[np.arange(self.nth), self.th_cols] = 1.0
        D[self.nth:] = self._rows(t, self.ii, self.jj)
        return D

    def cov(self, t):
        return self.core(t)[3]

    def cov_delta(self, t):
        """d vech(Sigma) / d theta, lavaan's vech order (the engine's Model.delta without means)."""
        cols, rows = np.triu_indices(self.p)
        return self._rows(t, rows, cols)

    def start(self, th):
        t = np.zeros(self.npar)
        t[: self.nl] = 1.0
        t[self.th_cols] = th
        o = self.nl + self.nb + self.nth
        for k, (r, s) in enumerate(self.psi):
            t[o + k] = 0.5 if r == s else 0.0
        return t

    def residual_variances(self, t):
        *_, S, th = self.core(t)
        return 1.0 - np.diag(S)


def model_spec(kind):
    if kind == "one":
        facs = ["GOV"]
    elif kind == "three":
        facs = ["GOV", "MKT", "BEN"]
    elif kind == "edge":
        return ["f"], {"f": ["b1", "b2", "b3", "x3", "y7", "z"]}, [], [("f", "f")]
    else:
        facs = CONS
    ind = {f: [f"{f}{k}" for k in range(1, 5)] for f in facs}
    if kind == "default":
        exo = CONS[:5]
        regs = [("COL", x) for x in exo] + [("INT", "COL")] + [("INT", x) for x in exo]
        psi = ([(f, f) for f in exo] + [(a, b) for i, a in enumerate(exo) for b in exo[i + 1:]]
               + [("COL", "COL"), ("INT", "INT")])
    else:
        regs = []
        psi = [(f, f) for f in facs] + [(a, b) for i, a in enumerate(facs) for b in facs[i + 1:]]
    return facs, ind, regs, psi


CASES = {
    "one_600": ("one", "ordinal_600", "wlsmv_one_600.json"),
    "three_600": ("three", "ordinal_600", "wlsmv_three_600.json"),
    "three_misfit_600": ("three", "misfit_600", "wlsmv_three_misfit_600.json"),
    "default_600": ("default", "ordinal_600", "wlsmv_default_600.json"),
    "default_misfit_600": ("default", "misfit_600", "wlsmv_default_misfit_600.json"),
    "edge_300": ("edge", "edge_300", "wlsmv_edge_300.json"),
}


class Fitted:
    def __init__(self, case):
        kind, data_name, ref_name = CASES[case]
        facs, ind, regs, psi = model_spec(kind)
        items = [v for f in facs for v in ind[f]]
        self.ref = load_json(ref_name)
        self.st = st = ordinal_sample_stats(load_data(data_name)[items])
        self.mod = mod = TinyOrdinalSEM(facs, ind, regs, psi, list(st.th.index))
        self.fit = fit_dwls(mod.moments, mod.delta, mod.start(st.th.to_numpy()), st.wls_obs,
                            st.wls_vd, st.n)
        self.delta = mod.delta(self.fit.theta)
        self.vcov = robust_vcov(self.delta, st.wls_vd, st.gamma, st.n)
        self.df = st.wls_obs.size - mod.npar
        self.fm = wlsmv_fit_measures(st, npar=mod.npar, fmin=self.fit.fmin, df=self.df,
                                     wls_est=mod.moments(self.fit.theta),
                                     sigma=mod.sigma(self.fit.theta), delta=self.delta)
        pe = pd.DataFrame(self.ref["estimates"])
        self.pe = {(r.lhs, r.op, r.rhs): (r.est, r.se) for r in pe.itertuples()}


@pytest.fixture(scope="module", params=list(CASES))
def fitted(request):
    return Fitted(request.param)


def test_converged(fitted):
    assert fitted.fit.converged and fitted.ref["converged"]


def test_estimates_match_lavaan(fitted):
    est = np.array([fitted.pe[k][0] for k in fitted.mod.names])
    np.testing.assert_allclose(fitted.fit.theta, est, atol=1e-4, rtol=0)


def test_residual_variances_match_lavaan(fitted):
    rv = fitted.mod.residual_variances(fitted.fit.theta)
    want = np.array([fitted.pe[(v, "~~", v)][0] for v in fitted.mod.items])
    np.testing.assert_allclose(rv, want, atol=1e-4, rtol=0)


def test_robust_se_match_lavaan(fitted):
    se = np.sqrt(np.diag(fitted.vcov))
    want = np.array([fitted.pe[k][1] for k in fitted.mod.names])
    np.testing.assert_allclose(se, want, rtol=5e-3)


def test_vcov_matches_lavaan(fitted):
    if not fitted.ref.get("vcov"):
        pytest.skip("vcov not stored for this case")
    names = fitted.ref["vcov_names"]
    ours = []
    for k in fitted.mod.names:          # lavaan labels vcov columns "GOV=~GOV2", "GOV1|t1", "GOV~~MKT"
        lhs, op, rhs = k
        ours.append(f"{lhs}{op}{rhs}")
    idx = [ours.index(nm) for nm in names]
    V = fitted.vcov[np.ix_(idx, idx)]
    W = np.array(fitted.ref["vcov"])
    np.testing.assert_allclose(V, W, rtol=5e-3, atol=5e-3 * np.abs(np.diag(W)).max())


def test_scaled_shifted_internals_match_lavaan(fitted):
    t = fitted.ref["test"]["scaled.shifted"]
    st = fitted.st
    chisq = 2 * st.n * fitted.fit.fmin
    ours = scaled_shifted_test(chisq, fitted.df, fitted.delta, st.wls_vd, st.gamma)
    assert ours["trace_ugamma"] == pytest.approx(t["trace.UGamma"], rel=1e-5)
    assert ours["trace_ugamma2"] == pytest.approx(t["trace.UGamma2"], rel=1e-5)
    assert ours["shift_parameter"] == pytest.approx(t["shift.parameter"], rel=1e-4, abs=1e-6)
    assert ours["scaling_factor"] == pytest.approx(t["scaling.factor"], rel=1e-5)
    assert ours["stat"] == pytest.approx(t["stat"], rel=1e-4)


ABS_FIT = 1e-3
REL_FIT = {"chisq", "chisq.scaled", "baseline.chisq", "baseline.chisq.scaled", "cn_05", "cn_01"}


def test_fit_measures_match_lavaan(fitted):
    ref = fitted.ref["fit"]
    assert list(fitted.fm.index) == list(ref)          # names and order of fitMeasures()
    bad = []
    for k, v in fitted.fm.items():
        w = ref[k]
        if w is None:
            if not np.isnan(v):
                bad.append((k, v, w))
        elif k in REL_FIT:
            if not np.isclose(v, w, rtol=1e-4, atol=0):
                bad.append((k, v, w))
        elif not np.isclose(v, w, rtol=0, atol=ABS_FIT):
            bad.append((k, v, w))
    assert not bad, bad


def test_fit_measures_tight_where_lavaan_is_exact(fitted):
    """Closed-form measures agree far below the 1e-3 tolerance."""
    ref = fitted.ref["fit"]
    for k in ("chisq", "chisq.scaled", "chisq.scaling.factor", "cfi.scaled", "tli.scaled",
              "cfi.robust", "tli.robust", "rmsea.scaled", "rmsea.robust", "srmr", "wrmr", "gfi"):
        assert fitted.fm[k] == pytest.approx(ref[k], rel=1e-5, abs=1e-8), k


def test_tiny_model_delta_is_the_jacobian():
    f, ind, regs, psi = model_spec("default")
    ths = [f"{v}|t{k}" for fac in f for v in ind[fac] for k in range(1, 3)]
    mod = TinyOrdinalSEM(f, ind, regs, psi, ths)
    rng = np.random.default_rng(3)
    t = mod.start(np.tile([-0.5, 0.5], 28)) + rng.normal(0, 0.1, mod.npar)
    D = mod.delta(t)
    h = 1e-6
    num = np.column_stack([(mod.moments(t + h * e) - mod.moments(t - h * e)) / (2 * h)
                           for e in np.eye(mod.npar)])
    np.testing.assert_allclose(D, num, atol=1e-7)


def test_wls_delta_from_continuous_delta():
    """wls_delta picks the off-diagonal vech rows and adds the threshold identity."""
    p = 4
    rng = np.random.default_rng(0)
    Dv = rng.normal(size=(p * (p + 1) // 2, 5))
    Dv[:, 3:] = 0.0
    D = wls_delta(Dv, p, np.array([3, 4, 4]))
    assert D.shape == (3 + 6, 5)
    np.testing.assert_array_equal(D[:3], [[0, 0, 0, 1, 0], [0, 0, 0, 0, 1], [0, 0, 0, 0, 1]])
    r, c = np.triu_indices(p)[1], np.triu_indices(p)[0]
    ii, jj = pair_index(p)
    rows = [np.flatnonzero((r == i) & (c == j))[0] for i, j in zip(ii, jj)]
    np.testing.assert_array_equal(D[3:], Dv[rows])
    np.testing.assert_array_equal(offdiag_vech_index(p), rows)
    S = np.corrcoef(rng.normal(size=(10, p)).T)
    assert wls_moments(np.zeros(0), S).tolist() == S[ii, jj].tolist()


def test_baseline_matches_lavaan():
    st = ordinal_sample_stats(load_data("misfit_600")[[f"{c}{k}" for c in CONS for k in range(1, 5)]])
    ref = load_json("wlsmv_default_misfit_600.json")["fit"]
    b = baseline_test(st)
    assert b["chisq"] == pytest.approx(ref["baseline.chisq"], rel=1e-6)
    assert b["stat"] == pytest.approx(ref["baseline.chisq.scaled"], rel=1e-6)
    assert b["scaling_factor"] == pytest.approx(ref["baseline.chisq.scaling.factor"], rel=1e-6)
    assert b["df"] == ref["baseline.df"]


def test_dwls_fmin_and_fit_names():
    assert dwls_fmin(np.ones(3), np.zeros(3), np.ones(3), 2) == pytest.approx(0.75)
    assert len(WLSMV_FIT_NAMES) == len(set(WLSMV_FIT_NAMES))


@pytest.mark.parametrize("case", ["default_misfit_600", "edge_300"])
def test_wlsmv_fit_end_to_end(case):
    """The one-call entry point the engine uses, fed with d vech(Sigma)/d theta like Model.delta."""
    kind, data_name, ref_name = CASES[case]
    facs, ind, regs, psi = model_spec(kind)
    items = [v for f in facs for v in ind[f]]
    ref = load_json(ref_name)
    st = ordinal_sample_stats(load_data(data_name)[items])
    mod = TinyOrdinalSEM(facs, ind, regs, psi, list(st.th.index))
    res = wlsmv_fit(st, mod.cov, mod.cov_delta, mod.start(st.th.to_numpy()), mod.th_cols)
    pe = {(r.lhs, r.op, r.rhs): (r.est, r.se) for r in pd.DataFrame(ref["estimates"]).itertuples()}
    assert res.converged and not [w for w in res.warnings if "converge" in w]
    np.testing.assert_allclose(res.theta, [pe[k][0] for k in mod.names], atol=1e-4, rtol=0)
    np.testing.assert_allclose(res.se, [pe[k][1] for k in mod.names], rtol=5e-3)
    np.testing.assert_allclose(res.residual_variances, [pe[(v, "~~", v)][0] for v in items], atol=1e-4)
    assert np.allclose(np.diag(res.sigma), 1.0)
    for k in ("chisq", "df", "chisq.scaled", "cfi.scaled", "tli.scaled", "rmsea.scaled", "cfi.robust",
              "tli.robust", "rmsea.robust", "srmr"):
        assert res.fit_measures[k] == pytest.approx(ref["fit"][k], rel=1e-4, abs=1e-6), k


def test_cov_delta_is_the_jacobian():
    f, ind, regs, psi = model_spec("three")
    ths = [f"{v}|t1" for fac in f for v in ind[fac]]
    mod = TinyOrdinalSEM(f, ind, regs, psi, ths)
    t = mod.start(np.zeros(12)) + np.random.default_rng(1).normal(0, 0.1, mod.npar)
    cols, rows = np.triu_indices(mod.p)
    h = 1e-6
    num = np.column_stack([(mod.cov(t + h * e)[rows, cols] - mod.cov(t - h * e)[rows, cols]) / (2 * h)
                           for e in np.eye(mod.npar)])
    np.testing.assert_allclose(mod.cov_delta(t), num, atol=1e-7)
