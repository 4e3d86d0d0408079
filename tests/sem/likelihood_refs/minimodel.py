"""A tiny, test-only LISREL (all-y) model built from a lavaan parameter table, with an analytic Delta.

Used by tests/sem/test_fiml*.py and test_robust*.py to check the likelihood side against full lavaan fits
without depending on the model side of the engine.  Supports =~, ~, ~~ and ~1 rows of single-group models
without equality constraints (exactly what the reference fits in this directory use).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import optimize

from iur_survey.sem.fiml import (
    SampleStats,
    fiml_gradient,
    fiml_loglik,
    vech_indices,
)

HERE = Path(__file__).resolve().parent


def load(name: str) -> dict:
    return json.loads((HERE / f"{name}.json").read_text())


class MiniModel:
    def __init__(self, partable: dict, meanstructure: bool = True, group: int | None = None):
        full = pd.DataFrame(partable)
        npar_total = int(full.free.max())
        pt = full
        if group is not None:
            pt = pt[pt.group == group]
        pt = pt[pt.op.isin(["=~", "~", "~~", "~1"])].reset_index(drop=True)
        lv = list(dict.fromkeys(pt.loc[pt.op == "=~", "lhs"]))
        ov = list(dict.fromkeys(pt.loc[pt.op == "=~", "rhs"]))
        self.ov, self.lv = ov, lv
        p, m = len(ov), len(lv)
        self.p, self.m = p, m
        self.meanstructure = meanstructure
        self.L0 = np.zeros((p, m))
        self.B0 = np.zeros((m, m))
        self.P0 = np.zeros((m, m))
        self.T0 = np.zeros((p, p))
        self.n0 = np.zeros(p)
        self.a0 = np.zeros(m)
        free = full[full.free > 0].sort_values("free")
        self.npar = npar_total
        assert len(free) == npar_total, "equality-constrained parameter tables are not supported"
        self.theta_lavaan = free.est.to_numpy(float)
        self.se_lavaan = free.se.to_numpy(float) if "se" in free else None
        self.labels = [f"{r.lhs}{r.op}{r.rhs}" for r in free.itertuples()]
        k = self.npar
        self.dL = np.zeros((k, p, m))
        self.dB = np.zeros((k, m, m))
        self.dP = np.zeros((k, m, m))
        self.dT = np.zeros((k, p, p))
        self.dn = np.zeros((k, p))
        self.da = np.zeros((k, m))
        for r in pt.itertuples():
            j = int(r.free) - 1
            fixed = r.free == 0
            val = r.est
            if r.op == "=~":
                M0, dM, cells = self.L0, self.dL, [(ov.index(r.rhs), lv.index(r.lhs))]
            elif r.op == "~":
                M0, dM, cells = self.B0, self.dB, [(lv.index(r.lhs), lv.index(r.rhs))]
            elif r.op == "~~":
                names, M0, dM = (lv, self.P0, self.dP) if r.lhs in lv else (ov, self.T0, self.dT)
                a, b = names.index(r.lhs), names.index(r.rhs)
                cells = [(a, b), (b, a)]
            elif r.op == "~1":
                names, M0, dM = (lv, self.a0, self.da) if r.lhs in lv else (ov, self.n0, self.dn)
                cells = [(names.index(r.lhs),)]
            else:
                continue
            for cell in cells:          # a fixed value goes into the constant part, a free one into d/dtheta_j
                if fixed:
                    M0[cell] = val
                else:
                    dM[(j,) + cell] = 1.0

    def matrices(self, theta):
        t = np.asarray(theta, float)
        L = self.L0 + np.einsum("k,kab->ab", t, self.dL)
        B = self.B0 + np.einsum("k,kab->ab", t, self.dB)
        P = self.P0 + np.einsum("k,kab->ab", t, self.dP)
        T = self.T0 + np.einsum("k,kab->ab", t, self.dT)
        nu = self.n0 + t @ self.dn
        al = self.a0 + t @ self.da
        return L, B, P, T, nu, al

    def implied(self, theta):
        L, B, P, T, nu, al = self.matrices(theta)
        IB = np.linalg.inv(np.eye(self.m) - B)
        A = IB @ P @ IB.T
        Sigma = L @ A @ L.T + T
        mu = nu + L @ IB @ al
        return Sigma, mu

    def delta(self, theta):
        L, B, P, T, nu, al = self.matrices(theta)
        IB = np.linalg.inv(np.eye(self.m) - B)
        A = IB @ P @ IB.T
        dIB = IB[None] @ self.dB @ IB[None]
        dA = dIB @ P[None] @ IB.T[None] + IB[None] @ self.dP @ IB.T[None]
        dA = dA + np.swapaxes(dIB @ P[None] @ IB.T[None], 1, 2)
        LA = L @ A
        dS = self.dL @ LA.T[None] + L[None] @ dA @ L.T[None]
        dS = dS + np.swapaxes(self.dL @ LA.T[None], 1, 2) + self.dT
        vi, vj = vech_indices(self.p)
        Ds = dS[:, vi, vj].T
        if not self.meanstructure:
            return Ds
        dmu = self.dn + np.einsum("kab,b->ka", self.dL, IB @ al) + np.einsum("ab,kbc,c->ka", L, dIB, al)
        dmu = dmu + np.einsum("ab,kb->ka", L @ IB, self.da)
        return np.vstack([dmu.T, Ds])

    # --- objective = lavaan's unit objective (-logl/N + const) ------------------------------------------------
    def objective(self, stats: SampleStats, theta):
        Sigma, mu = self.implied(theta)
        if not self.meanstructure:
            mu = stats.mean
        ll = fiml_loglik(stats, Sigma, mu)
        return -ll / stats.n if np.isfinite(ll) else np.inf

    def gradient(self, stats: SampleStats, theta):
        Sigma, mu = self.implied(theta)
        if not self.meanstructure:
            mu = stats.mean
        g = fiml_gradient(stats, Sigma, mu)
        if not self.meanstructure:
            g = g[self.p:]
        return -(self.delta(theta).T @ g) / stats.n

    def fit(self, stats: SampleStats, start=None):
        x0 = self.theta_lavaan if start is None else start
        res = optimize.minimize(lambda t: self.objective(stats, t), x0, jac=lambda t: self.gradient(stats, t),
                                method="BFGS", options={"gtol": 1e-10, "maxiter": 2000})
        return res.x, res


def data_matrix(name: str, columns) -> np.ndarray:
    path = HERE / f"{name}.csv"
    if not path.exists():
        path = HERE.parent.parent / "reference" / "data" / f"{name}.csv"
    return pd.read_csv(path)[list(columns)].to_numpy(float)


def relmax(a, b) -> float:
    """The largest absolute difference relative to the largest absolute reference value."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


def mat(x) -> np.ndarray:
    return np.array(x, dtype=float)


def solve(fit_json: dict, data_name: str, columns=None, *, meanstructure: bool = True,
          information: str = "numeric") -> dict:
    """Fit a reference fit's model with FIML/ML (our likelihood) and return what the robust side needs."""
    from iur_survey.sem.fiml import em_saturated, observed_information_delta, observed_information_theta

    mm = MiniModel(fit_json["partable"], meanstructure=meanstructure)
    X = data_matrix(data_name, mm.ov if columns is None else columns)
    st = SampleStats(X)
    S1, m1, logl1, it = em_saturated(st)
    theta, res = mm.fit(st)
    Sigma, mu = mm.implied(theta)
    mu_eval = mu if meanstructure else st.mean
    logl = fiml_loglik(st, Sigma, mu_eval)
    D = mm.delta(theta)
    if information == "numeric":
        A = observed_information_theta(lambda t: mm.gradient(st, t), theta)
    else:
        A = observed_information_delta(st, Sigma, mu if meanstructure else None, D, mm.delta, theta,
                                       meanstructure=meanstructure)
    return dict(model=mm, stats=st, theta=theta, optim=res, Sigma=Sigma, mu=mu if meanstructure else None,
                logl=logl, h1=(S1, m1), logl_h1=logl1, em_iterations=it, chisq=2 * (logl1 - logl), Delta=D,
                A=A, df=int(fit_json["fit"]["df"]))


class MultiGroup:
    """Several MiniModels (one per group) sharing one parameter vector; objective = -sum_g logl_g / N."""

    def __init__(self, partable: dict, meanstructure: bool = True):
        groups = sorted(set(pd.DataFrame(partable)["group"]))
        self.models = [MiniModel(partable, meanstructure, group=g) for g in groups]
        self.theta_lavaan = self.models[0].theta_lavaan
        self.se_lavaan = self.models[0].se_lavaan
        self.meanstructure = meanstructure

    def objective(self, stats, theta):
        N = sum(st.n for st in stats)
        return sum(m.objective(st, theta) * st.n for m, st in zip(self.models, stats)) / N

    def gradient(self, stats, theta):
        N = sum(st.n for st in stats)
        return sum(m.gradient(st, theta) * st.n for m, st in zip(self.models, stats)) / N

    def fit(self, stats, start=None):
        x0 = self.theta_lavaan if start is None else start
        res = optimize.minimize(lambda t: self.objective(stats, t), x0, jac=lambda t: self.gradient(stats, t),
                                method="BFGS", options={"gtol": 1e-10, "maxiter": 2000})
        return res.x, res


def solve_groups(fit_json: dict, data_name: str, columns, group_column: str, *, meanstructure: bool = True,
                 at_lavaan: bool = False) -> dict:
    """Fit a multi-group reference (or, with ``at_lavaan``, evaluate everything at lavaan's estimates)."""
    from iur_survey.sem.fiml import em_saturated, observed_information_theta

    mg = MultiGroup(fit_json["partable"], meanstructure)
    path = HERE / f"{data_name}.csv"
    df = pd.read_csv(path)
    stats = [SampleStats(df.loc[df[group_column] == lab, list(columns)].to_numpy(float))
             for lab in fit_json["group_labels"]]
    if at_lavaan:
        theta, res = mg.theta_lavaan.copy(), None
    else:
        theta, res = mg.fit(stats)
    imp = [m.implied(theta) for m in mg.models]
    Sigmas = [s for s, _ in imp]
    mus = [m if meanstructure else st.mean for (_, m), st in zip(imp, stats)]
    h1 = [em_saturated(st) for st in stats]
    logl = sum(fiml_loglik(st, S, m) for st, S, m in zip(stats, Sigmas, mus))
    logl_h1 = sum(h[2] for h in h1)
    A = observed_information_theta(lambda t: mg.gradient(stats, t), theta)
    return dict(model=mg, stats=stats, theta=theta, optim=res, Sigma=Sigmas,
                mu=mus if meanstructure else [None] * len(stats), logl=logl, h1=[(h[0], h[1]) for h in h1],
                logl_h1=logl_h1, chisq=2 * (logl_h1 - logl), Delta=[m.delta(theta) for m in mg.models], A=A,
                df=int(fit_json["fit"]["df"]))
