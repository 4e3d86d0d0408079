"""Nonparametric (case-resampling) bootstrap of a fitted SEM, as lavaan's ``se = "bootstrap"``.

:func:`bootstrap` refits the model to ``B`` resamples of the cases (rows drawn
with replacement, within each group, as lavaan's ``sample.int(nobs, replace =
TRUE)``) and returns a :class:`BootstrapResult`: the ``B x k`` matrix of
estimates (``k`` = free parameters, then the ``:=`` parameters), the counts of
failed / non-converged / non-admissible draws, and lavaan's tables.

lavaan's conventions, reproduced on purpose (lavaan 0.6.14, ``lav_model_nvcov_bootstrap``,
``lav_model_vcov_se`` and ``parameterEstimates``):

* standard error of a free parameter = SD of its draws with divisor ``B``
  (lavaan computes ``cov(COEF) * (B - 1) / B``); of a ``:=`` parameter = SD with
  divisor ``B - 1`` (lavaan takes ``cov()`` of the transformed draws);
* draws that fail or do not converge are dropped from the SEs and CIs (lavaan
  drops them with a warning); here they stay as NaN rows and are *counted*
  (:attr:`BootstrapResult.n_failed`, :attr:`BootstrapResult.n_nonconverged`);
  non-admissible solutions (a negative variance, a non positive-definite latent
  or residual covariance matrix) are kept and counted, as lavaan does;
* ``ci="percentile"`` is lavaan's ``boot.ci.type = "perc"``: the quantiles
  ``(1 -/+ level) / 2`` by the normal-scale interpolation of the order
  statistics that lavaan copies from the boot package (``norm.inter``), not by
  ``quantile()``;
* ``ci="bca.simple"`` is lavaan's ``"bca.simple"``: bias-corrected only
  (``z0 = qnorm(mean(t < t0))``, acceleration 0);
* ``ci="bca"`` is the full BCa interval (Efron 1987) with the acceleration from
  the jackknife (``N`` leave-one-case-out refits).  (lavaan's own ``"bca"``
  estimates the acceleration by regressing the draws on the resampling
  frequencies and needs ``B >= N``; the jackknife is the textbook estimate.)

Speed: nothing is parsed or rebuilt per draw.  The model is laid out once;
for complete data the resample's moments come from the case counts
(``w = bincount(idx) / N``, ``S = X' diag(w) X - m m'``), and whole chunks of
draws are fitted *together*: the implied moments, the analytic gradient and a
BFGS update of each draw's curvature (started from the expected information at
the full-sample solution, the warm start) are batched numpy operations over the
chunk.  Draws that the batched solver does not finish are refitted with the
engine's own optimiser (:func:`iur_survey.sem.estimate.minimize`).  With
missing data (FIML) each draw rebuilds its missing-data patterns and is fitted
with the FIML likelihood of :mod:`iur_survey.sem.fiml` by the same quasi-Newton
iteration.  Standard errors are not computed inside the draws, and the ``:=``
values come from the compiled expressions, vectorised over the draws.

Reproducibility: draw ``b`` uses its own random stream,
``SeedSequence(seed).spawn(B)[b]``, so the draws are the same whatever the
number of workers or the chunking.  Parallelism: see :mod:`iur_survey.sem.parallel`.

>>> import numpy as np, pandas as pd
>>> from iur_survey.sem import sem
>>> rng = np.random.default_rng(1)
>>> f = rng.standard_normal((200, 1))
>>> d = pd.DataFrame(f @ [[1.0, 0.8, 0.7]] + 0.6 * rng.standard_normal((200, 3)), columns=["a", "b", "c"])
>>> bt = bootstrap(sem("F =~ a + l2*b + l3*c\\nr := l2/l3", d), 50, data=d, seed=1, progress=False)
>>> bt.estimates.shape, bt.n_failed, bt.n_nonconverged
((50, 7), 0, 0)
>>> bt.columns
['l2', 'l3', 'a~~a', 'b~~b', 'c~~c', 'F~~F', 'r']
>>> pe = bt.parameter_estimates()          # lavaan's table: se = bootstrap SD, percentile CIs
>>> r = pe[pe["op"] == ":="].iloc[0]
>>> bool(r["ci.lower"] < r["est"] < r["ci.upper"]), bool(r["se"] > 0)
(True, True)
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, fields
from typing import Any, Sequence

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from ..errors import EstimationError
from .compare import fitted_data
from .defined import from_partable
from .estimate import minimize
from .matrices import Model
from .results import SEMResult, _num

__all__ = ["bootstrap", "BootstrapResult", "BootstrapSEMResult", "with_bootstrap", "norm_inter",
           "percentile_ci", "bca_ci", "jackknife_acceleration", "quantile_mc_se", "CI_TYPES"]

#: accepted ``ci`` names -> canonical name
CI_TYPES = {"percentile": "percentile", "perc": "percentile", "bca.simple": "bca.simple", "bca": "bca"}

OK, FAILED, NONCONVERGED = 0, 1, 2
_KINDS = 6
LAMBDA, THETA, PSI, BETA, NU, ALPHA = range(6)


# =============================================================================================== CI formulas
def norm_inter(t: np.ndarray, alpha) -> np.ndarray:
    """Quantiles of ``t`` as lavaan / boot's ``norm.inter``: order statistic ``(B + 1) alpha``,
    interpolated on the normal-quantile scale between neighbouring order statistics.

    Non-finite values of ``t`` are ignored (as lavaan).

    >>> t = np.arange(1.0, 20.0)          # 19 values: (19 + 1) * 0.05 = 1 is an order statistic
    >>> norm_inter(t, [0.05, 0.5, 0.95]).tolist()
    [1.0, 10.0, 19.0]
    >>> round(float(norm_inter(t, [0.1125])[0]), 4)   # rk = 2.25: between t(2) and t(3); R: 2.278282
    2.2783
    """
    t = np.asarray(t, float)
    t = np.sort(t[np.isfinite(t)])
    alpha = np.atleast_1d(np.asarray(alpha, float))
    R = t.size
    out = np.full(alpha.shape, np.nan)
    if R == 0:
        return out
    rk = (R + 1) * alpha
    k = np.trunc(rk).astype(int)
    for j in range(alpha.size):
        kj = k[j]
        if kj <= 0:
            out[j] = t[0]
        elif kj >= R:
            out[j] = t[R - 1]
        elif kj == rk[j]:
            out[j] = t[kj - 1]
        else:
            z1 = ndtri(alpha[j])
            z2 = ndtri(kj / (R + 1))
            z3 = ndtri((kj + 1) / (R + 1))
            tk, tk1 = t[kj - 1], t[kj]
            out[j] = tk + (z1 - z2) / (z3 - z2) * (tk1 - tk)
    return out


def percentile_ci(t: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """lavaan's percentile interval (``boot.ci.type = "perc"``) of the draws ``t``.

    >>> lo, hi = percentile_ci(np.arange(1.0, 40.0), 0.95)   # (39 + 1) * 0.025 = 1, 40 * 0.975 = 39
    >>> round(lo, 10), round(hi, 10)
    (1.0, 39.0)
    """
    a = (1 - level) / 2
    lo, hi = norm_inter(t, [a, 1 - a])
    return float(lo), float(hi)


def bca_ci(t: np.ndarray, t0: float, level: float = 0.95, accel: float = 0.0) -> tuple[float, float]:
    """Bias-corrected (and accelerated) interval of the draws ``t`` around the estimate ``t0``.

    ``z0 = qnorm(#(t < t0) / B)``; the interval is the ``norm_inter`` quantiles at
    ``pnorm(z0 + (z0 + z) / (1 - a (z0 + z)))`` for ``z = qnorm((1 -/+ level) / 2)``.
    ``accel = 0`` is lavaan's ``"bca.simple"``; with the jackknife acceleration
    (:func:`jackknife_acceleration`) it is Efron's BCa.

    >>> t = np.linspace(-2, 2, 200)
    >>> bca_ci(t, 0.0, 0.9) == percentile_ci(t, 0.9)      # no bias (half below t0), no acceleration
    True
    >>> t = np.linspace(-2, 2, 199)
    >>> [round(x, 4) for x in bca_ci(t, 0.3, 0.9)]        # R (boot's norm.inter): -1.613245 1.930443
    [-1.6132, 1.9304]
    """
    t = np.asarray(t, float)
    t = t[np.isfinite(t)]
    if t.size == 0:
        return (math.nan, math.nan)
    a = (1 - level) / 2
    z = ndtri(np.array([a, 1 - a]))
    z0 = ndtri(np.sum(t < t0) / t.size)
    with np.errstate(divide="ignore", invalid="ignore"):
        adj = ndtr(z0 + (z0 + z) / (1 - accel * (z0 + z)))
    lo, hi = norm_inter(t, adj)
    return float(lo), float(hi)


def jackknife_acceleration(jack: np.ndarray) -> np.ndarray:
    """BCa acceleration from leave-one-out estimates (rows = cases, columns = statistics):
    ``a = sum(L^3) / (6 sum(L^2)^1.5)`` with ``L = mean(jack) - jack`` (Efron & Tibshirani 1993, 14.15).

    >>> float(jackknife_acceleration(np.array([[1.0], [2.0], [3.0]]))[0])   # symmetric: no acceleration
    0.0
    >>> round(float(jackknife_acceleration(np.array([[0.0], [0.0], [3.0]]))[0]), 4)   # R: -0.06804138
    -0.068
    """
    J = np.asarray(jack, float)
    if J.ndim == 1:
        J = J[:, None]
    out = np.full(J.shape[1], np.nan)
    for j in range(J.shape[1]):
        x = J[:, j]
        x = x[np.isfinite(x)]
        if x.size < 3:
            continue
        L = x.mean() - x
        den = 6.0 * np.sum(L ** 2) ** 1.5
        out[j] = float(np.sum(L ** 3) / den) if den > 0 else 0.0
    return out


def quantile_mc_se(t: np.ndarray, alpha: float, conf: float = 0.95) -> float:
    """Monte Carlo standard error of the bootstrap ``alpha``-quantile of ``t`` (distribution-free).

    The order statistics ``k -/+ z sqrt(B alpha (1 - alpha))`` bracket the true quantile with
    probability ``conf``; their distance divided by ``2 z`` estimates the standard error of the
    sample quantile (the binomial / order-statistic argument, no density estimate needed).

    >>> t = np.random.default_rng(0).standard_normal(4000)
    >>> se = quantile_mc_se(t, 0.025)        # asymptotic: sqrt(.025 * .975 / 4000) / dnorm(1.96) = 0.042
    >>> 0.03 < se < 0.055
    True
    """
    t = np.sort(np.asarray(t, float)[np.isfinite(t)])
    B = t.size
    if B < 3:
        return math.nan
    z = ndtri(0.5 + conf / 2)
    half = z * math.sqrt(B * alpha * (1 - alpha))
    lo = int(np.clip(math.floor(B * alpha - half), 0, B - 1))
    hi = int(np.clip(math.ceil(B * alpha + half), 0, B - 1))
    return float((t[hi] - t[lo]) / (2 * z))


# =============================================================================================== the fitted data
# =============================================================================================== batched model
class _Layout:
    """Where every free parameter (and every fixed.x value) of one group goes in the six matrices,
    for filling a whole stack of parameter vectors at once."""

    def __init__(self, model: Model, g: int):
        gm = model.groups[g]
        pt = model.partable
        self.p, self.m, self.n_lv = gm.p, gm.m, gm.n_lv
        self.has_beta = bool(gm.has_beta)
        self.base = [np.array(b, float) for b in gm.base]
        ncol = [self.m, self.p, self.m, self.m, 1, 1]
        flat: list[list[int]] = [[] for _ in range(_KINDS)]
        par: list[list[int]] = [[] for _ in range(_KINDS)]
        for kind, i, j, k in zip(gm.e_kind, gm.e_i, gm.e_j, gm.e_par):
            if kind in (NU, ALPHA):
                flat[kind].append(int(i))
                par[kind].append(int(k))
            else:
                flat[kind].append(int(i) * ncol[kind] + int(j))
                par[kind].append(int(k))
                if kind in (THETA, PSI) and i != j:
                    flat[kind].append(int(j) * ncol[kind] + int(i))
                    par[kind].append(int(k))
        self.flat = [np.array(f, np.intp) for f in flat]
        self.par = [np.array(q, np.intp) for q in par]
        # fixed.x rows: their values are the resample's (co)variances / means
        oi = {v: k for k, v in enumerate(gm.ov)}
        exo: list[tuple[int, int, int, int, int]] = []     # kind, flat, flat mirror (-1), var a, var b (-1: mean)
        for r in gm.exo_rows:
            k = int(np.nonzero(gm.r_row == r)[0][0])
            kind, i, j = int(gm.r_kind[k]), int(gm.r_i[k]), int(gm.r_j[k])
            a = oi[pt.lhs[r]]
            b = oi[pt.rhs[r]] if pt.op[r] == "~~" else -1
            if kind in (NU, ALPHA):
                exo.append((kind, i, -1, a, b))
            else:
                mirror = j * ncol[kind] + i if (kind in (THETA, PSI) and i != j) else -1
                exo.append((kind, i * ncol[kind] + j, mirror, a, b))
        self.exo = exo
        # entries -> gradient/information pieces
        self.e_kind = np.asarray(gm.e_kind, int)
        self.e_i = np.asarray(gm.e_i, int)
        self.e_j = np.asarray(gm.e_j, int)
        self.e_par = np.asarray(gm.e_par, int)
        ne = len(self.e_kind)
        self.scale = np.ones(ne)
        diag = (np.isin(self.e_kind, (PSI, THETA))) & (self.e_i == self.e_j)
        self.scale[diag] = 0.5
        self.T = np.zeros((ne, model.npar))
        self.T[np.arange(ne), self.e_par] = 1.0
        self.sel = {kind: np.flatnonzero(self.e_kind == kind) for kind in range(_KINDS)}
        dummy = set(gm.dummy_ov)
        self.real_ov = np.array([k for k, v in enumerate(gm.ov) if v not in dummy], np.intp)

    def fill(self, Theta: np.ndarray, S: np.ndarray | None = None, ybar: np.ndarray | None = None):
        """The six matrices for every row of ``Theta`` (K x npar): arrays with a leading K axis."""
        K = Theta.shape[0]
        mats = []
        for kind in range(_KINDS):
            arr = np.repeat(self.base[kind][None], K, axis=0)
            if self.flat[kind].size:
                arr.reshape(K, -1)[:, self.flat[kind]] = Theta[:, self.par[kind]]
            mats.append(arr)
        if self.exo and S is not None:
            for kind, f, mirror, a, b in self.exo:
                val = S[:, a, b] if b >= 0 else ybar[:, a]
                flat = mats[kind].reshape(K, -1)
                flat[:, f] = val
                if mirror >= 0:
                    flat[:, mirror] = val
        return mats

    def core(self, Theta, S=None, ybar=None):
        L, Th, Ps, Bm, nu, al = self.fill(Theta, S, ybar)
        K = Theta.shape[0]
        if self.has_beta:
            A = np.linalg.inv(np.eye(self.m)[None] - Bm)
        else:
            A = np.broadcast_to(np.eye(self.m), (K, self.m, self.m))
        M = L @ A
        Pm = A @ Ps @ np.swapaxes(A, 1, 2)
        G = Pm @ np.swapaxes(L, 1, 2)
        Sigma = L @ G + Th
        Sigma = 0.5 * (Sigma + np.swapaxes(Sigma, 1, 2))
        Aal = np.einsum("kab,kb->ka", A, al)
        mu = nu + np.einsum("kpa,ka->kp", L, Aal)
        return {"M": M, "Pm": Pm, "G": G, "Sigma": Sigma, "mu": mu, "Aal": Aal, "Th": Th, "Ps": Ps}

    def grad_entries(self, c, Wt: np.ndarray, Sd: np.ndarray | None) -> np.ndarray:
        """``s u'Wt v`` (minus ``Sd' dmu`` with a mean structure) per free entry, without forming U and V
        (the LISREL gradient: Wt G', M'Wt G', M'Wt M, Wt)."""
        M, G, Aal = c["M"], c["G"], c["Aal"]
        K = M.shape[0]
        ge = np.zeros((K, len(self.e_kind)))
        Gt = np.swapaxes(G, 1, 2)
        Mt = np.swapaxes(M, 1, 2)
        WG = None
        cs = self.sel[LAMBDA]
        if cs.size:
            WG = Wt @ Gt
            ge[:, cs] = WG[:, self.e_i[cs], self.e_j[cs]]
        cs = self.sel[BETA]
        if cs.size:
            WG = Wt @ Gt if WG is None else WG
            ge[:, cs] = (Mt @ WG)[:, self.e_i[cs], self.e_j[cs]]
        cs = self.sel[PSI]
        if cs.size:
            ge[:, cs] = self.scale[cs] * (Mt @ Wt @ M)[:, self.e_i[cs], self.e_j[cs]]
        cs = self.sel[THETA]
        if cs.size:
            ge[:, cs] = self.scale[cs] * Wt[:, self.e_i[cs], self.e_j[cs]]
        if Sd is not None:
            MSd = None
            cs = self.sel[LAMBDA]
            if cs.size:
                ge[:, cs] -= Sd[:, self.e_i[cs]] * Aal[:, self.e_j[cs]]
            cs = self.sel[BETA]
            if cs.size:
                MSd = np.einsum("kpa,kp->ka", M, Sd)
                ge[:, cs] -= MSd[:, self.e_i[cs]] * Aal[:, self.e_j[cs]]
            cs = self.sel[NU]
            if cs.size:
                ge[:, cs] -= Sd[:, self.e_i[cs]]
            cs = self.sel[ALPHA]
            if cs.size:
                MSd = np.einsum("kpa,kp->ka", M, Sd) if MSd is None else MSd
                ge[:, cs] -= MSd[:, self.e_i[cs]]
        return ge

    def uv(self, c):
        """U, V (K x p x entries), Dmu (K x p x entries): dSigma = s (u v' + v u'), dmu per entry."""
        M, G, Aal = c["M"], c["G"], c["Aal"]
        K = M.shape[0]
        ne = len(self.e_kind)
        U = np.zeros((K, self.p, ne))
        V = np.zeros((K, self.p, ne))
        Dmu = np.zeros((K, self.p, ne))
        cs = self.sel[LAMBDA]
        if cs.size:
            ei, ej = self.e_i[cs], self.e_j[cs]
            U[:, ei, cs] = 1.0
            V[:, :, cs] = np.swapaxes(G[:, ej, :], 1, 2)
            Dmu[:, ei, cs] = Aal[:, ej]
        cs = self.sel[BETA]
        if cs.size:
            ei, ej = self.e_i[cs], self.e_j[cs]
            U[:, :, cs] = M[:, :, ei]
            V[:, :, cs] = np.swapaxes(G[:, ej, :], 1, 2)
            Dmu[:, :, cs] = M[:, :, ei] * Aal[:, None, ej]
        cs = self.sel[PSI]
        if cs.size:
            U[:, :, cs] = M[:, :, self.e_i[cs]]
            V[:, :, cs] = M[:, :, self.e_j[cs]]
        cs = self.sel[THETA]
        if cs.size:
            U[:, self.e_i[cs], cs] = 1.0
            V[:, self.e_j[cs], cs] = 1.0
        cs = self.sel[NU]
        if cs.size:
            Dmu[:, self.e_i[cs], cs] = 1.0
        cs = self.sel[ALPHA]
        if cs.size:
            Dmu[:, :, cs] = M[:, :, self.e_i[cs]]
        return U, V, Dmu


def _pd_logdet(S: np.ndarray, rel: float = 1e-10) -> tuple[np.ndarray, np.ndarray]:
    """(positive-definite mask, log-determinant) of a stack of symmetric matrices: a batched Cholesky,
    and the smallest eigenvalue (relative to the largest) above ``rel`` -- a resample covariance matrix
    that is numerically singular counts as failed, as lavaan's sample statistics fail on it."""
    K, p, _ = S.shape
    ok = np.all(np.isfinite(S.reshape(K, -1)), axis=1)
    logdet = np.full(K, -np.inf)
    safe = np.where(ok[:, None, None], S, np.eye(p)[None])
    try:
        L = np.linalg.cholesky(safe)
        diag = np.diagonal(L, axis1=1, axis2=2)
        logdet = 2.0 * np.log(diag).sum(axis=1)
        d2 = diag ** 2      # pivots bound the eigenvalues: min eig <= min pivot^2, max eig >= max diag(S)
        suspect = ok & (d2.min(axis=1) <= 1e3 * rel * np.max(np.diagonal(S, axis1=1, axis2=2), axis=1))
    except np.linalg.LinAlgError:
        suspect = ok.copy()
    for k in np.flatnonzero(suspect):
        ev = np.linalg.eigvalsh(S[k])
        if ev[0] <= rel * max(ev[-1], 1.0):
            ok[k] = False
        else:
            logdet[k] = float(np.sum(np.log(ev)))
    logdet[~ok] = -np.inf
    return ok, logdet


def _chol_batch(Sigma: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ok mask, Sigma^-1, log|Sigma|) for a stack; non-PD matrices get ok = False."""
    K, p, _ = Sigma.shape
    ok = np.all(np.isfinite(Sigma.reshape(K, -1)), axis=1)
    Sigma = np.where(ok[:, None, None], Sigma, np.eye(p)[None])
    try:
        L = np.linalg.cholesky(Sigma)
    except np.linalg.LinAlgError:
        L = np.empty_like(Sigma)
        for k in range(K):
            try:
                L[k] = np.linalg.cholesky(Sigma[k])
            except np.linalg.LinAlgError:
                ok[k] = False
                L[k] = np.eye(p)
    logdet = 2.0 * np.log(np.diagonal(L, axis1=1, axis2=2)).sum(axis=1)
    Linv = np.linalg.inv(L)
    Si = np.swapaxes(Linv, 1, 2) @ Linv
    return ok, Si, logdet


class _CompleteML:
    """Complete-data ML (lavaan's fmin and its analytic gradient) for a stack of parameter vectors,
    each with its own resample moments."""

    def __init__(self, model: Model, Xg: list[np.ndarray]):
        self.model = model
        self.npar = model.npar
        self.ms = bool(model.meanstructure)
        self.layouts = [_Layout(model, g) for g in range(model.ngroups)]
        self.center = [X.mean(axis=0) for X in Xg]
        self.Xc = [X - c for X, c in zip(Xg, self.center)]
        # per-case outer products: the resample covariance is one matrix product with the weights
        self.outer = [np.einsum("ni,nj->nij", Xc, Xc).reshape(Xc.shape[0], -1) for Xc in self.Xc]
        self.nobs = [X.shape[0] for X in Xg]

    def moments(self, counts: list[np.ndarray]):
        """Resample moments from case counts (list over groups of K x N_g): S (biased), ybar, log|S|, n."""
        out = []
        for g, C in enumerate(counts):
            C = np.asarray(C, float)
            n = C.sum(axis=1)
            w = C / n[:, None]
            d = w @ self.Xc[g]
            p = d.shape[1]
            S = (w @ self.outer[g]).reshape(-1, p, p) - d[:, :, None] * d[:, None, :]
            S = 0.5 * (S + np.swapaxes(S, 1, 2))
            ok, logdet = _pd_logdet(S)
            out.append({"S": S, "ybar": d + self.center[g], "logdetS": logdet, "n": n, "ok": ok})
        return out

    def evaluate(self, Theta: np.ndarray, mom: list[dict], which: np.ndarray, info: bool = False):
        """fmin, gradient (and expected information) of draws ``which`` at the rows of ``Theta``."""
        K = Theta.shape[0]
        N = sum(m["n"][which] for m in mom)
        F = np.zeros(K)
        grad = np.zeros((K, self.npar))
        I = np.zeros((K, self.npar, self.npar)) if info else None
        ok = np.ones(K, bool)
        for g, lay in enumerate(self.layouts):
            mg = mom[g]
            S, ybar, ldS = mg["S"][which], mg["ybar"][which], mg["logdetS"][which]
            w = mg["n"][which] / N
            try:
                c = lay.core(Theta, S, ybar)
            except np.linalg.LinAlgError:
                return np.full(K, np.inf), np.full((K, self.npar), np.nan), I, np.zeros(K, bool)
            okg, Si, ld = _chol_batch(c["Sigma"])
            ok &= okg
            p = lay.p
            Fg = ld + np.einsum("kij,kij->k", Si, S) - ldS - p
            if self.ms:
                dvec = ybar - c["mu"]
                Sd = np.einsum("kij,kj->ki", Si, dvec)
                Fg = Fg + np.einsum("ki,ki->k", dvec, Sd)
                Wm = S + dvec[:, :, None] * dvec[:, None, :]
            else:
                Wm = S
            F += w * 0.5 * Fg
            Wt = Si - Si @ Wm @ Si
            ge = lay.grad_entries(c, Wt, Sd if self.ms else None)
            grad += w[:, None] * (ge @ lay.T)
            if info:
                U, V, Dmu = lay.uv(c)
                SU, SV = Si @ U, Si @ V
                Ut, Vt = np.swapaxes(U, 1, 2), np.swapaxes(V, 1, 2)
                P, Q, R = Ut @ SU, Ut @ SV, Vt @ SV
                Ie = np.outer(lay.scale, lay.scale)[None] * (Q * np.swapaxes(Q, 1, 2) + P * R)
                if self.ms:
                    Ie = Ie + np.swapaxes(Dmu, 1, 2) @ Si @ Dmu
                I += w[:, None, None] * (lay.T.T[None] @ Ie @ lay.T[None])
        F = np.where(ok & np.isfinite(F), F, np.inf)
        grad[~ok] = np.nan
        return F, grad, I, ok


class _Fiml:
    """FIML for a list of resamples (each with its own missing-data patterns), one draw at a time."""

    def __init__(self, model: Model, Xg: list[np.ndarray]):
        self.model = model
        self.npar = model.npar
        self.Xg = Xg
        self.nobs = [X.shape[0] for X in Xg]
        self._base = None

    def moments(self, counts: list[np.ndarray]):
        """Per draw: the missing-data pattern statistics of the resample (``SampleStats.reweighted`` when
        fiml.py offers it, else a rebuild from the repeated rows)."""
        from .fiml import SampleStats
        K = counts[0].shape[0]
        reweight = hasattr(SampleStats, "reweighted")
        if reweight and getattr(self, "_base", None) is None:
            self._base = [SampleStats(X) for X in self.Xg]
        out = []
        for k in range(K):
            sts, ok = [], True
            for g, C in enumerate(counts):
                c = np.asarray(C[k], np.int64)
                try:
                    if reweight:
                        sts.append(self._base[g].reweighted(c))
                    else:
                        sts.append(SampleStats(self.Xg[g][np.repeat(np.arange(self.nobs[g]), c)]))
                except ValueError:
                    ok = False
                    break
            out.append((sts, ok))
        return out

    def evaluate(self, Theta: np.ndarray, mom: list, which: np.ndarray, info: bool = False):
        from .fiml import fiml_gradient
        K = Theta.shape[0]
        F = np.full(K, np.inf)
        grad = np.full((K, self.npar), np.nan)
        ok = np.zeros(K, bool)
        for r in range(K):
            sts, good = mom[which[r]]
            if not good:
                continue
            N = float(sum(s.n for s in sts))
            total = 0.0
            gr = np.zeros(self.npar)
            try:
                for g, s in enumerate(sts):
                    Sigma, mu = self.model.implied(Theta[r], g)
                    ll, gm = fiml_gradient(s, Sigma, mu, return_loglik=True)
                    total += ll
                    gr -= self.model.delta_t_dot(Theta[r], g, gm, meanstructure=True) / N
            except (np.linalg.LinAlgError, ValueError, EstimationError):
                continue
            if np.isfinite(total) and np.all(np.isfinite(gr)):
                F[r], grad[r], ok[r] = -total / N, gr, True
        return F, grad, None, ok


class _Reparam:
    """A kernel on ``z`` for models with general linear ``==`` constraints: ``theta = c + K z``
    (:class:`iur_survey.sem.constraints.LinearConstraints`)."""

    def __init__(self, kernel, K: np.ndarray, c: np.ndarray):
        self.kernel, self.K, self.c = kernel, K, c
        self.model = kernel.model
        self.npar = K.shape[1]
        if hasattr(kernel, "layouts"):
            self.layouts = kernel.layouts

    def theta(self, Z: np.ndarray) -> np.ndarray:
        return self.c + Z @ self.K.T

    def moments(self, counts):
        return self.kernel.moments(counts)

    def evaluate(self, Z, mom, which, info=False):
        F, G, I, ok = self.kernel.evaluate(self.theta(Z), mom, which, info)
        G = G @ self.K
        if I is not None:
            I = self.K.T[None] @ I @ self.K[None]
        return F, G, I, ok


# =============================================================================================== the solver
def _lbfgs_direction(g: np.ndarray, S: np.ndarray, Y: np.ndarray, rho: np.ndarray, count: np.ndarray,
                     H0inv: np.ndarray) -> np.ndarray:
    """``-H g`` for a stack of draws, H the BFGS inverse curvature built from ``H0inv`` and each draw's
    (s, y) pairs (the two-loop recursion; the pairs of draw k are S[k, :count[k]] in order)."""
    r = g.copy()
    top = int(count.max(initial=0))
    alpha = np.zeros((g.shape[0], max(top, 1)))
    for i in range(top - 1, -1, -1):
        valid = count > i
        a_i = np.where(valid, rho[:, i] * np.einsum("ki,ki->k", S[:, i], r), 0.0)
        alpha[:, i] = a_i
        r -= a_i[:, None] * Y[:, i]
    r = r @ H0inv
    for i in range(top):
        valid = count > i
        b_i = np.where(valid, rho[:, i] * np.einsum("ki,ki->k", Y[:, i], r), 0.0)
        r += np.where(valid, alpha[:, i] - b_i, 0.0)[:, None] * S[:, i]
    return -r


def _bfgs_batch(kernel, mom, theta0: np.ndarray, H0inv: np.ndarray, start_ok: np.ndarray, *,
                gtol: float, max_iter: int, memory: int = 40):
    """Quasi-Newton (BFGS on the inverse curvature, started from ``H0inv``, limited to the last
    ``memory`` pairs) for a stack of draws, warm started at ``theta0``, with a backtracking (Armijo)
    line search per draw.

    Returns (Theta, status, iterations): status OK, FAILED (no admissible start), NONCONVERGED.
    """
    K = start_ok.size
    q = theta0.size
    X = np.repeat(theta0[None], K, axis=0)
    status = np.full(K, NONCONVERGED)
    iters = np.zeros(K, int)
    F = np.full(K, np.inf)
    G = np.full((K, q), np.nan)
    live = np.flatnonzero(start_ok)
    status[~start_ok] = FAILED
    if live.size:
        f, g, _, ok = kernel.evaluate(X[live], mom, live)
        F[live], G[live] = f, g
        status[live[~ok]] = FAILED
    gmax = np.where(np.all(np.isfinite(G), axis=1), np.abs(G).max(axis=1, initial=0.0), np.inf)
    status[(status == NONCONVERGED) & (gmax < gtol)] = OK
    active = status == NONCONVERGED
    Sh = np.zeros((K, memory, q))
    Yh = np.zeros((K, memory, q))
    rho = np.zeros((K, memory))
    count = np.zeros(K, int)
    for _ in range(max_iter):
        a = np.flatnonzero(active)
        if a.size == 0:
            break
        step = _lbfgs_direction(G[a], Sh[a], Yh[a], rho[a], count[a], H0inv)
        slope = np.einsum("ki,ki->k", G[a], step)
        bad = ~(slope < 0)
        if bad.any():                       # lost the descent property: restart from H0
            count[a[bad]] = 0
            step[bad] = -(G[a[bad]] @ H0inv)
            slope[bad] = np.einsum("ki,ki->k", G[a[bad]], step[bad])
        t = np.ones(a.size)
        pend = np.arange(a.size)
        Xn = np.empty((a.size, q))
        Fn = np.full(a.size, np.inf)
        Gn = np.full((a.size, q), np.nan)
        acc_all = np.zeros(a.size, bool)
        for _ls in range(40):
            idx = a[pend]
            xt = X[idx] + t[pend, None] * step[pend]
            f, g, _, ok = kernel.evaluate(xt, mom, idx)
            tol = 1e-12 * np.maximum(1.0, np.abs(F[idx]))
            acc = ok & np.isfinite(f) & np.all(np.isfinite(g), axis=1) & \
                (f <= F[idx] + 1e-4 * t[pend] * slope[pend] + tol)
            hit = pend[acc]
            Xn[hit], Fn[hit], Gn[hit] = xt[acc], f[acc], g[acc]
            acc_all[hit] = True
            pend = pend[~acc]
            if pend.size == 0:
                break
            t[pend] *= 0.5
        # draws whose line search failed stay NONCONVERGED and leave the batch (the fallback refits them)
        active[a[~acc_all]] = False
        h = np.flatnonzero(acc_all)
        ah = a[h]
        s = Xn[h] - X[ah]
        y = Gn[h] - G[ah]
        sy = np.einsum("ki,ki->k", s, y)
        upd = sy > 1e-300
        if upd.any():
            au = ah[upd]
            full = count[au] >= memory
            if full.any():                  # forget the oldest pair
                af = au[full]
                Sh[af] = np.roll(Sh[af], -1, axis=1)
                Yh[af] = np.roll(Yh[af], -1, axis=1)
                rho[af] = np.roll(rho[af], -1, axis=1)
                count[af] -= 1
            pos = count[au]
            Sh[au, pos] = s[upd]
            Yh[au, pos] = y[upd]
            rho[au, pos] = 1.0 / sy[upd]
            count[au] += 1
        X[ah], F[ah], G[ah] = Xn[h], Fn[h], Gn[h]
        iters[ah] += 1
        conv = np.abs(Gn[h]).max(axis=1, initial=0.0) < gtol
        status[ah[conv]] = OK
        active[ah[conv]] = False
    return X, status, iters


# =============================================================================================== the problem
@dataclass
class _Problem:
    """Everything a worker needs for a chunk of draws (built once, pickled once per task)."""

    model: Model
    Xg: list[np.ndarray]
    theta0: np.ndarray
    H0inv: np.ndarray
    kind: str                      # "complete" | "fiml"
    entropy: int
    gtol: float
    max_iter: int
    indices: np.ndarray | None = None      # user-given resamples (B x N, one group)
    fallback_iter: int = 200
    K: np.ndarray | None = None            # linear == constraints: theta = c + K z (None: theta = z)
    c: np.ndarray | None = None
    _kernel: Any = field(default=None, repr=False)

    def kernel(self):
        if self._kernel is None:
            k = (_CompleteML if self.kind == "complete" else _Fiml)(self.model, self.Xg)
            self._kernel = k if self.K is None else _Reparam(k, self.K, self.c)
        return self._kernel

    def z0(self) -> np.ndarray:
        return self.theta0 if self.K is None else self.K.T @ (self.theta0 - self.c)

    def theta(self, Z: np.ndarray) -> np.ndarray:
        return Z if self.K is None else self.c + Z @ self.K.T

    def __getstate__(self):
        d = dict(self.__dict__)
        d["_kernel"] = None
        return d

    def counts(self, kind: str, start: int, stop: int) -> list[np.ndarray]:
        """Case counts (per group, K x N_g) of bootstrap draws [start, stop) or jackknife cases."""
        nobs = [X.shape[0] for X in self.Xg]
        K = stop - start
        out = [np.zeros((K, n), np.int64) for n in nobs]
        if kind == "jack":
            offs = np.cumsum([0] + nobs)
            for r, case in enumerate(range(start, stop)):
                for g in range(len(nobs)):
                    out[g][r] = 1
                g = int(np.searchsorted(offs, case, side="right") - 1)
                out[g][r, case - offs[g]] = 0
            return out
        for r, b in enumerate(range(start, stop)):
            if self.indices is not None:
                out[0][r] = np.bincount(np.asarray(self.indices[b], np.intp), minlength=nobs[0])[:nobs[0]]
                continue
            rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(self.entropy, spawn_key=(b,))))
            for g, n in enumerate(nobs):
                out[g][r] = np.bincount(rng.integers(0, n, size=n), minlength=n)
        return out


def draw_indices(entropy: int, b: int, nobs: Sequence[int]) -> list[np.ndarray]:
    """The row indices of bootstrap draw ``b`` (one array per group) for a given seed entropy.

    Draw ``b`` uses the random stream ``SeedSequence(entropy, spawn_key=(b,))``, i.e. the
    ``b``-th child of ``SeedSequence(entropy).spawn(...)``; it does not depend on the other draws.

    >>> a = draw_indices(2022, 5, [10])[0]
    >>> b = np.random.default_rng(np.random.SeedSequence(2022).spawn(6)[5]).integers(0, 10, size=10)
    >>> bool((a == b).all())
    True
    """
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy, spawn_key=(b,))))
    return [rng.integers(0, n, size=n) for n in nobs]


def _run_chunk(problem: _Problem, chunk: tuple[str, int, int]) -> dict:
    """Fit draws [start, stop) of a chunk; returns estimates, status, iterations, non-admissible flags."""
    kind, start, stop = chunk
    kern = problem.kernel()
    counts = problem.counts(kind, start, stop)
    mom = kern.moments(counts)
    K = stop - start
    if problem.kind == "complete":
        start_ok = np.all([m["ok"] for m in mom], axis=0)
    else:
        start_ok = np.array([ok for _, ok in mom], bool)
    X, status, iters = _bfgs_batch(kern, mom, problem.z0(), problem.H0inv, start_ok,
                                   gtol=problem.gtol, max_iter=problem.max_iter)
    # the draws the batched solver did not finish: the engine's own optimiser, from the warm start
    for r in np.flatnonzero(status == NONCONVERGED):
        x, ok_r, it = _fallback(problem, kern, mom, r)
        if x is not None:
            X[r] = x
            iters[r] += it
            status[r] = OK if ok_r else NONCONVERGED
    X = problem.theta(X)
    X[status != OK] = np.nan
    nonadm = np.zeros(K, bool)
    good = np.flatnonzero(status == OK)
    if good.size:
        nonadm[good] = _nonadmissible(problem.model, kern, X[good])
    return {"est": X, "status": status, "iters": iters, "nonadmissible": nonadm}


def _fallback(problem: _Problem, kern, mom, r: int):
    """Refit one draw with :func:`iur_survey.sem.estimate.minimize` (scoring, BFGS, Newton polish)."""
    model = problem.model
    one = np.array([r])

    def fun(x):
        f, _, _, ok = kern.evaluate(x[None], mom, one)
        return float(f[0]) if ok[0] else np.inf

    def grad(x):
        return kern.evaluate(x[None], mom, one)[1][0]

    if problem.kind == "complete":
        def curv(x):
            return kern.evaluate(x[None], mom, one, info=True)[2][0]
    else:
        nobs = np.array([s.n for s in mom[r][0]], float) if mom[r][1] else np.ones(model.ngroups)
        Kc = np.eye(problem.theta0.size) if problem.K is None else problem.K

        def curv(x):
            return Kc.T @ model.expected_information(problem.theta(x[None])[0], nobs / nobs.sum()) @ Kc
    try:
        with np.errstate(all="ignore"):
            opt = minimize(fun, grad, curv, problem.z0(), max_iter=problem.fallback_iter, gtol=problem.gtol)
    except (np.linalg.LinAlgError, ValueError, EstimationError, FloatingPointError):
        return None, False, 0
    if not np.all(np.isfinite(opt.x)):
        return None, False, 0
    g = opt.grad
    ok = bool(opt.converged) or (np.all(np.isfinite(g)) and float(np.max(np.abs(g), initial=0.0)) < 1e-7)
    return opt.x, ok, int(opt.iterations)


def _min_eig(A: np.ndarray) -> np.ndarray:
    """Smallest eigenvalue of each symmetric matrix of a stack (the diagonal when they are diagonal)."""
    K, n, _ = A.shape
    off = A.reshape(K, -1)[:, ~np.eye(n, dtype=bool).ravel()]
    if not np.any(off):
        return np.diagonal(A, axis1=1, axis2=2).min(axis=1, initial=np.inf)
    return np.linalg.eigvalsh(A)[:, 0]


def _nonadmissible(model: Model, kern, X: np.ndarray) -> np.ndarray:
    """lavaan's post-fit check per draw: a negative (ov or lv) variance, or a latent covariance matrix /
    residual covariance matrix that is not positive definite."""
    thr = -np.finfo(float).eps ** 0.75
    bad = np.zeros(X.shape[0], bool)
    layouts = kern.layouts if hasattr(kern, "layouts") else [_Layout(model, g) for g in range(model.ngroups)]
    for lay in layouts:
        c = lay.core(X)
        Th, Ps = c["Th"], c["Ps"]
        ro = lay.real_ov
        if ro.size:
            bad |= (np.diagonal(Th, axis1=1, axis2=2)[:, ro] < 0).any(axis=1)
            bad |= _min_eig(Th[:, ro[:, None], ro[None, :]]) < thr
        if lay.n_lv:
            nl = lay.n_lv
            bad |= (np.diagonal(Ps, axis1=1, axis2=2)[:, :nl] < 0).any(axis=1)
            bad |= _min_eig(c["Pm"][:, :nl, :nl]) < thr
    return bad


# =============================================================================================== results
def _param_names(pt) -> list[str]:
    """lavaan's coef() names of the free parameters, in theta order (label if any, else lhs op rhs,
    ``.gG`` for groups after the first)."""
    names = [""] * pt.npar
    for i in range(len(pt)):
        k = int(pt.par_index[i])
        if k < 0 or names[k]:
            continue
        name = pt.label[i] or f"{pt.lhs[i]}{pt.op[i]}{pt.rhs[i]}"
        if not pt.label[i] and pt.group[i] > 1:
            name += f".g{pt.group[i]}"
        names[k] = name
    return names


@dataclass
class BootstrapResult:
    """The draws of :func:`bootstrap` and lavaan's bootstrap tables.

    ``estimates``: B x k (free parameters in theta order, then the ``:=`` parameters); NaN rows for the
    draws that failed or did not converge.  ``status``: 0 ok, 1 failed, 2 not converged.
    """

    fit: SEMResult
    estimates: np.ndarray
    columns: list[str]
    n_free: int
    status: np.ndarray
    nonadmissible: np.ndarray
    iterations: np.ndarray
    ci: str
    level: float
    seed: int
    workers: int
    scheduler: str
    seconds: float = 0.0
    jackknife: np.ndarray | None = None
    acceleration: np.ndarray | None = None
    warnings: list[str] = field(default_factory=list)

    # ------------------------------------------------------------------ counts
    @property
    def B(self) -> int:
        """Number of draws asked for."""
        return int(self.estimates.shape[0])

    @property
    def n_failed(self) -> int:
        """Draws whose resample or fit failed (e.g. a singular resample covariance matrix)."""
        return int(np.sum(self.status == FAILED))

    @property
    def n_nonconverged(self) -> int:
        """Draws whose optimiser did not converge."""
        return int(np.sum(self.status == NONCONVERGED))

    @property
    def n_ok(self) -> int:
        """Draws used for SEs and CIs (lavaan's ``bootstrap.successful``)."""
        return int(np.sum(self.status == OK))

    @property
    def n_nonadmissible(self) -> int:
        """Converged draws with a non-admissible solution (kept, as lavaan; counted)."""
        return int(np.sum(self.nonadmissible))

    # ------------------------------------------------------------------ statistics
    def _ok(self) -> np.ndarray:
        return self.estimates[self.status == OK]

    def point_estimates(self) -> np.ndarray:
        """The full-sample estimates of the k columns."""
        th = self.fit.theta
        pt = self.fit.partable
        out = list(th)
        if len(pt.def_rows):
            out += list(self.fit.est[pt.def_rows])
        return np.asarray(out, float)

    def se(self) -> pd.Series:
        """Bootstrap standard errors, lavaan's: SD with divisor B for free parameters, B - 1 for ``:=``."""
        E = self._ok()
        out = np.full(E.shape[1], np.nan)
        if E.shape[0] >= 2:
            out[:self.n_free] = np.std(E[:, :self.n_free], axis=0, ddof=0)
            out[self.n_free:] = np.std(E[:, self.n_free:], axis=0, ddof=1)
        return pd.Series(out, index=self.columns, name="se")

    def vcov(self) -> pd.DataFrame:
        """lavaan's bootstrap ``vcov``: covariance of the free-parameter draws with divisor B."""
        E = self._ok()[:, :self.n_free]
        V = np.cov(E, rowvar=False, ddof=0) if E.shape[0] >= 2 else np.full((self.n_free,) * 2, np.nan)
        V = np.atleast_2d(V)
        return pd.DataFrame(V, index=self.columns[:self.n_free], columns=self.columns[:self.n_free])

    def confidence_intervals(self, ci: str | None = None, level: float | None = None) -> pd.DataFrame:
        """Lower / upper bound of every column (``ci``: "percentile" | "bca.simple" | "bca").

        Each bound comes with its Monte Carlo standard error (:func:`quantile_mc_se` at the
        bound's (adjusted) probability).
        """
        kind = _ci_name(ci or self.ci)
        level = self.level if level is None else float(level)
        E = self._ok()
        t0 = self.point_estimates()
        if kind == "bca":
            acc = self.acceleration
            if acc is None:
                raise EstimationError(None, "BCa intervals need the jackknife: run bootstrap(..., ci='bca')")
        else:
            acc = np.zeros(E.shape[1])
        a = (1 - level) / 2
        z = ndtri(np.array([a, 1 - a]))
        rows = []
        for j in range(E.shape[1]):
            t = E[:, j]
            t = t[np.isfinite(t)]
            if t.size == 0:
                rows.append((np.nan, np.nan, np.nan, np.nan))
                continue
            if kind == "percentile":
                probs = np.array([a, 1 - a])
            else:
                # lavaan skips free parameters whose draws do not vary (ci = est)
                if j < self.n_free and np.var(t) == 0:
                    rows.append((t0[j], t0[j], 0.0, 0.0))
                    continue
                z0 = ndtri(np.sum(t < t0[j]) / t.size)
                with np.errstate(divide="ignore", invalid="ignore"):
                    probs = ndtr(z0 + (z0 + z) / (1 - acc[j] * (z0 + z)))
            lo, hi = norm_inter(t, probs)
            se_lo = quantile_mc_se(t, float(np.clip(probs[0], 1e-6, 1 - 1e-6)))
            se_hi = quantile_mc_se(t, float(np.clip(probs[1], 1e-6, 1 - 1e-6)))
            rows.append((lo, hi, se_lo, se_hi))
        return pd.DataFrame(rows, index=self.columns, columns=["ci.lower", "ci.upper", "mcse.lower", "mcse.upper"])

    def parameter_estimates(self, *, ci: str | None = None, level: float | None = None,
                            standardized: bool = True) -> pd.DataFrame:
        """lavaan's ``parameterEstimates()`` after ``se = "bootstrap"`` (``boot.ci.type`` = ``ci``):
        se = bootstrap SD, z = est / se, p from the normal, ci.lower / ci.upper from the draws
        (fixed rows: se 0, ci = est)."""
        level = self.level if level is None else float(level)
        pe = self.fit.parameter_estimates(level=level, standardized=standardized)
        pt = self.fit.partable
        keep = [i for i in range(len(pt)) if pt.op[i] not in ("==", "<", ">")]
        defs = {int(r): k for k, r in enumerate(pt.def_rows)}
        col = []
        for i in keep:
            if pt.op[i] == ":=":
                col.append(self.n_free + defs[i])
            elif pt.par_index[i] >= 0:
                col.append(int(pt.par_index[i]))
            else:
                col.append(-1)
        col = np.asarray(col)
        se_all = self.se().to_numpy()
        cis = self.confidence_intervals(ci, level)
        est = pe["est"].to_numpy(float)
        free = col >= 0
        se = np.zeros(len(keep))
        se[free] = se_all[col[free]]
        lo = est.copy()
        hi = est.copy()
        lo[free] = cis["ci.lower"].to_numpy()[col[free]]
        hi[free] = cis["ci.upper"].to_numpy()[col[free]]
        eps = math.sqrt(np.finfo(float).eps)
        se = np.where(se < eps, 0.0, se)
        with np.errstate(divide="ignore", invalid="ignore"):
            zval = est / np.where(se < eps, np.nan, se)
        pe["se"] = se
        pe["z"] = zval
        pe["pvalue"] = 2 * ndtr(-np.abs(zval))
        pe["ci.lower"] = lo
        pe["ci.upper"] = hi
        return pe

    def summary(self) -> str:
        """A short report: draws, failures, CI type, then the parameter table."""
        ci = _ci_name(self.ci)
        name = {"percentile": "percentile (lavaan's \"perc\")",
                "bca.simple": "bias-corrected (lavaan's \"bca.simple\")",
                "bca": "BCa, jackknife acceleration"}[ci]
        L = [f"Nonparametric bootstrap of the SEM ({self.fit.estimator}, missing = {self.fit.missing})",
             "",
             f"  Bootstrap draws requested                 {self.B:>10d}",
             f"  Successful draws (used)                   {self.n_ok:>10d}",
             f"  Failed draws                              {self.n_failed:>10d}",
             f"  Non-converged draws                       {self.n_nonconverged:>10d}",
             f"  Non-admissible solutions (kept)           {self.n_nonadmissible:>10d}",
             f"  Confidence intervals: {round(self.level * 100, 6):g}% {name}",
             f"  Seed (SeedSequence entropy)               {self.seed:>10}",
             f"  Workers                                   {self.workers:>10d} ({self.scheduler})",
             f"  Seconds                                   {self.seconds:>10.2f}",
             ""]
        pe = self.parameter_estimates(standardized=False)
        show = pe[(pe["se"] > 0) | (pe["op"] == ":=")]
        L.append(f"  {'parameter':<24}{'est':>9}{'boot.se':>9}{'z':>9}{'ci.lower':>10}{'ci.upper':>10}")
        for r in show.to_dict("records"):
            nm = r["label"] or f"{r['lhs']}{r['op']}{r['rhs']}"
            if r["op"] == ":=":
                nm = r["lhs"]
            L.append(f"  {nm[:24]:<24}{r['est']:>9.3f}{r['se']:>9.3f}{r['z']:>9.3f}"
                     f"{r['ci.lower']:>10.3f}{r['ci.upper']:>10.3f}")
        if self.warnings:
            L.append("")
            L.append("Warnings:")
            L.extend("  - " + w for w in self.warnings)
        return "\n".join(L)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: settings, counts, and per column est / se / ci / MC errors of the bounds."""
        cis = self.confidence_intervals()
        se = self.se()
        t0 = self.point_estimates()
        return {
            "B": self.B, "successful": self.n_ok, "failed": self.n_failed,
            "nonconverged": self.n_nonconverged, "nonadmissible": self.n_nonadmissible,
            "ci": _ci_name(self.ci), "level": self.level, "seed": self.seed, "workers": self.workers,
            "scheduler": self.scheduler, "seconds": round(float(self.seconds), 4),
            "warnings": list(self.warnings),
            "parameters": [{"name": c, "est": _num(t0[j]), "se": _num(se.iloc[j]),
                            "ci.lower": _num(cis["ci.lower"].iloc[j]), "ci.upper": _num(cis["ci.upper"].iloc[j]),
                            "mcse.lower": _num(cis["mcse.lower"].iloc[j]),
                            "mcse.upper": _num(cis["mcse.upper"].iloc[j])}
                           for j, c in enumerate(self.columns)],
        }

    def __repr__(self) -> str:
        return (f"<BootstrapResult B={self.B} ok={self.n_ok} failed={self.n_failed} "
                f"nonconverged={self.n_nonconverged} ci={_ci_name(self.ci)} level={self.level}>")


def _ci_name(ci: str) -> str:
    try:
        return CI_TYPES[str(ci).lower()]
    except KeyError:
        raise EstimationError(None, f"ci={ci!r}: use 'percentile' (or 'perc'), 'bca.simple' or 'bca'") from None


# =============================================================================================== entry point
def _information0(model: Model, kind: str, Xg: list[np.ndarray], theta: np.ndarray) -> np.ndarray:
    """The curvature every draw starts from: the expected information at the full-sample solution."""
    if kind == "complete":
        kern = _CompleteML(model, Xg)
        counts = [np.ones((1, X.shape[0]), np.int64) for X in Xg]
        mom = kern.moments(counts)
        I = kern.evaluate(theta[None], mom, np.array([0]), info=True)[2][0]
    else:
        n = np.array([X.shape[0] for X in Xg], float)
        I = model.expected_information(theta, n / n.sum())
    return 0.5 * (I + I.T)


def _invert(I: np.ndarray) -> np.ndarray:
    """Inverse of the start curvature (identity when it is not positive definite)."""
    try:
        ev = np.linalg.eigvalsh(I)
        if ev.min() <= 1e-10 * max(ev.max(), 1e-300):
            raise np.linalg.LinAlgError
        return np.linalg.inv(I)
    except np.linalg.LinAlgError:
        return np.eye(I.shape[0])


#: draws per task; fixed (not derived from the number of workers) so that the draws are bit-for-bit the
#: same whatever runs them: a chunk is fitted as one batch, and batched floating-point sums may round
#: differently with another batch composition (~1e-15)
CHUNK_SIZE = 50


def _chunks(B: int, chunk_size: int | None) -> list[tuple[int, int]]:
    size = CHUNK_SIZE if chunk_size is None else max(1, int(chunk_size))
    return [(s, min(B, s + size)) for s in range(0, B, size)]


def bootstrap(result_or_spec, B: int = 1000, *, ci: str = "percentile", seed=None, workers: int | None = None,
              scheduler=None, progress: bool | None = None, level: float = 0.95, data: pd.DataFrame | None = None,
              indices=None, chunk_size: int | None = None, control: dict | None = None) -> BootstrapResult:
    """Nonparametric bootstrap of a SEM (see the module docstring).

    ``result_or_spec``: a fitted :class:`~iur_survey.sem.results.SEMResult` (then ``data=`` is the
    DataFrame given to :func:`~iur_survey.sem.api.sem`, unless the result carries its data), or a
    dict ``{"model": syntax, "data": DataFrame, **sem_options}`` that is fitted first.
    ``B`` draws; ``ci`` "percentile" (lavaan "perc") | "bca.simple" | "bca" (jackknife BCa);
    ``seed`` int / ``numpy.random.SeedSequence`` / None (fresh entropy, recorded in ``.seed``);
    ``workers`` (default None: every core when B >= 200, else 1; 1: no Dask); ``scheduler`` "threads" (the
    default) | "processes" | "tcp://host:port" | ``distributed.Client``; ``progress`` tqdm bar (None: when stderr
    is a terminal); ``indices`` user-given resamples (B x N row indices, single group);
    ``control`` {"gtol": 1e-9, "max_iter": 100, "fallback_iter": 200} for the per-draw optimisers
    (batched quasi-Newton, then the engine's optimiser for the draws it did not finish); ``chunk_size`` draws per task
    (default :data:`CHUNK_SIZE`; the draws are bit-for-bit identical for any ``workers`` / ``scheduler``,
    another ``chunk_size`` changes them by round-off only).

    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(5)
    >>> x = rng.standard_normal((150, 1))
    >>> d = pd.DataFrame(np.hstack([x, 0.5 * x + rng.standard_normal((150, 1))]), columns=["x", "y"])
    >>> bt = bootstrap({"model": "y ~ b*x", "data": d}, 40, seed=3, progress=False)
    >>> bt.columns, bt.n_ok
    (['b', 'y~~y'], 40)
    """
    t_start = time.perf_counter()
    ci_kind = _ci_name(ci)
    if not (0 < float(level) < 1):
        raise EstimationError(None, f"level={level!r} must be between 0 and 1")
    if isinstance(result_or_spec, SEMResult):
        res = result_or_spec
    elif isinstance(result_or_spec, dict):
        from .api import sem
        spec = dict(result_or_spec)
        try:
            model_syntax = spec.pop("model")
            data = spec.pop("data")
        except KeyError:
            raise EstimationError(None, "a bootstrap spec needs 'model' and 'data'") from None
        res = sem(model_syntax, data, **spec)
    else:
        raise EstimationError(None, "bootstrap() takes a fitted SEMResult or a dict with 'model' and 'data'")
    if res.estimator not in ("ML", "MLR"):
        raise EstimationError(None, f"the bootstrap supports ML/MLR fits, not {res.estimator}")
    Xg = fitted_data(res, data)
    model = res.model
    kind = "fiml" if res.missing == "fiml" else "complete"
    if indices is not None:
        indices = np.asarray(indices, np.intp)
        if len(Xg) != 1:
            raise EstimationError(None, "indices= is for single-group models")
        if indices.ndim != 2 or indices.shape[1] != Xg[0].shape[0]:
            raise EstimationError(None, f"indices must be B x N = ? x {Xg[0].shape[0]}")
        if indices.min() < 0 or indices.max() >= Xg[0].shape[0]:
            raise EstimationError(None, "indices out of range")
        B = indices.shape[0]
    B = int(B)
    if B < 2:
        raise EstimationError(None, f"B={B}: the bootstrap needs at least 2 draws")
    if isinstance(seed, np.random.SeedSequence):
        entropy = int(seed.entropy)
    elif seed is None:
        entropy = int(np.random.SeedSequence().entropy)
    else:
        entropy = int(seed)
    ctl = {"gtol": 1e-9, "max_iter": 100, "fallback_iter": 200}
    bad_ctl = set(control or {}) - set(ctl)
    if bad_ctl:
        raise EstimationError(None, f"unknown control option(s) {sorted(bad_ctl)} (use {', '.join(ctl)})")
    ctl.update(control or {})
    from .parallel import available_cores, map_chunks
    if workers is None:
        workers = available_cores() if (B >= 200 or scheduler is not None) else 1
    workers = max(1, int(workers))
    if scheduler is None and workers > 1:
        # measured (benchmarks/bench_bootstrap.py, 2 cores): threads beat processes for complete data
        # (0.99 vs 1.27 s for B = 1000) and FIML (4.0 vs 4.7 s for B = 200): the time goes to numpy's
        # stacked linear algebra, which releases the GIL, and threads need no pool start-up or pickling
        scheduler = "threads"
    sched_name = ("sync" if workers == 1 and scheduler is None else
                  (scheduler if isinstance(scheduler, str) else
                   ("processes" if scheduler is None else type(scheduler).__name__)))
    theta0 = np.asarray(res.theta, float)
    Kc = cc = None
    if getattr(res.partable, "equality", None):
        from .constraints import LinearConstraints
        lc = LinearConstraints(res.partable, res.est)
        if not lc.identity:
            Kc, cc = lc.K, lc.theta0
    I0 = _information0(model, kind, Xg, theta0)
    if Kc is not None:
        I0 = Kc.T @ I0 @ Kc
    problem = _Problem(model=model, Xg=Xg, theta0=theta0, H0inv=_invert(I0), kind=kind, entropy=entropy,
                       gtol=float(ctl["gtol"]), max_iter=int(ctl["max_iter"]),
                       fallback_iter=int(ctl["fallback_iter"]), indices=indices, K=Kc, c=cc)
    jobs = [("boot", s, e) for s, e in _chunks(B, chunk_size)]
    n_cases = sum(X.shape[0] for X in Xg)
    if ci_kind == "bca":
        jobs += [("jack", s, e) for s, e in _chunks(n_cases, chunk_size)]
    outs = map_chunks(_run_chunk, jobs, payload=problem, workers=workers, scheduler=scheduler,
                      progress=progress, weights=[e - s for _, s, e in jobs], desc="bootstrap")
    boot = [o for j, o in zip(jobs, outs) if j[0] == "boot"]
    est = np.vstack([o["est"] for o in boot])
    status = np.concatenate([o["status"] for o in boot])
    iters = np.concatenate([o["iters"] for o in boot])
    nonadm = np.concatenate([o["nonadmissible"] for o in boot])
    pt = res.partable
    defs = from_partable(pt, res.est)
    columns = _param_names(pt) + list(defs.names)
    est = _with_defined(est, defs)
    jack = acc = None
    if ci_kind == "bca":
        jk = [o for j, o in zip(jobs, outs) if j[0] == "jack"]
        jack = _with_defined(np.vstack([o["est"] for o in jk]), defs)
        acc = jackknife_acceleration(jack)
    warnings = []
    nbad = int(np.sum(status != OK))
    if nbad:
        warnings.append(f"{nbad} bootstrap runs failed or did not converge "
                        f"({int(np.sum(status == FAILED))} failed, {int(np.sum(status == NONCONVERGED))} "
                        "not converged); they are left out of the SEs and CIs")
    if nonadm.any():
        warnings.append(f"{int(nonadm.sum())} bootstrap runs resulted in nonadmissible solutions")
    if ci_kind == "bca" and jack is not None and np.isnan(jack).any(axis=1).any():
        warnings.append(f"{int(np.isnan(jack).any(axis=1).sum())} jackknife refits failed; the acceleration "
                        "uses the others")
    return BootstrapResult(fit=res, estimates=est, columns=columns, n_free=model.npar, status=status,
                           nonadmissible=nonadm, iterations=iters, ci=ci_kind, level=float(level),
                           seed=entropy, workers=workers, scheduler=str(sched_name),
                           seconds=time.perf_counter() - t_start, jackknife=jack, acceleration=acc,
                           warnings=warnings)


def _with_defined(est: np.ndarray, defs) -> np.ndarray:
    if not len(defs):
        return est
    with np.errstate(all="ignore"):
        vals = np.asarray(defs(est.T), float)
    vals = vals.reshape(len(defs), est.shape[0]).T
    return np.hstack([est, vals])


# =============================================================================================== SEMResult with bootstrap SEs
@dataclass(repr=False)
class BootstrapSEMResult(SEMResult):
    """An :class:`~iur_survey.sem.results.SEMResult` whose standard errors and confidence intervals are
    the bootstrap's (lavaan's ``se = "bootstrap"``); ``boot`` holds the :class:`BootstrapResult`."""

    boot: BootstrapResult | None = None

    def parameter_estimates(self, *, level: float | None = None, standardized: bool = True) -> pd.DataFrame:
        """The bootstrap table (:meth:`BootstrapResult.parameter_estimates`); ``level`` defaults to the
        bootstrap's."""
        return self.boot.parameter_estimates(level=level, standardized=standardized)

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        b = self.boot
        out["bootstrap"] = {"B": b.B, "successful": b.n_ok, "failed": b.n_failed,
                            "nonconverged": b.n_nonconverged, "nonadmissible": b.n_nonadmissible,
                            "ci": b.ci, "level": b.level, "seed": b.seed, "workers": b.workers,
                            "seconds": round(float(b.seconds), 4)}
        return out

    def summary(self, *, fit_measures: bool = True, standardized: bool = True) -> str:
        text = super().summary(fit_measures=fit_measures, standardized=standardized)
        b = self.boot

        def kv(k, v, width=54):
            v = str(v)
            return f"  {k}{' ' * max(1, width - 2 - len(k) - len(v))}{v}"
        lines = text.split("\n")
        for i, line in enumerate(lines):
            if line.startswith("  Standard errors"):
                j = i + 1               # lavaan prints no information lines for bootstrap SEs
                while j < len(lines) and lines[j].startswith(("  Information", "  Observed information")):
                    j += 1
                lines[i:j] = [kv("Standard errors", "Bootstrap"),
                              kv("Number of requested bootstrap draws", b.B),
                              kv("Number of successful bootstrap draws", b.n_ok)]
                break
        return "\n".join(lines)


def with_bootstrap(res: SEMResult, B: int = 1000, *, data: pd.DataFrame | None = None, ci: str = "percentile",
                   seed=None, workers: int | None = None, scheduler=None, progress: bool | None = None,
                   level: float = 0.95, **kwargs) -> BootstrapSEMResult:
    """A copy of a fit with lavaan's bootstrap standard errors and CIs (``se = "bootstrap"``).

    ``vcov_theta`` becomes the bootstrap covariance (divisor B), ``se`` the bootstrap SDs (``:=``: divisor
    B - 1), ``parameter_estimates()`` the bootstrap CIs, ``to_dict()`` gains a ``"bootstrap"`` block.

    >>> import numpy as np, pandas as pd
    >>> from iur_survey.sem import sem
    >>> rng = np.random.default_rng(2)
    >>> x = rng.standard_normal((120, 1))
    >>> d = pd.DataFrame(np.hstack([x, x + rng.standard_normal((120, 1))]), columns=["x", "y"])
    >>> r = with_bootstrap(sem("y ~ x", d), 30, data=d, seed=1, progress=False)
    >>> r.se_type, r.to_dict()["bootstrap"]["successful"]
    ('bootstrap', 30)
    """
    bt = bootstrap(res, B, data=data, ci=ci, seed=seed, workers=workers, scheduler=scheduler,
                   progress=progress, level=level, **kwargs)
    vals = {f.name: getattr(res, f.name) for f in fields(SEMResult)}
    pt = res.partable
    se_cols = bt.se().to_numpy()
    se = np.zeros(len(pt))
    for i in range(len(pt)):
        if pt.par_index[i] >= 0:
            se[i] = se_cols[pt.par_index[i]]
    for k, r in enumerate(pt.def_rows):
        se[r] = se_cols[bt.n_free + k]
    vals["se"] = se
    vals["vcov_theta"] = bt.vcov().to_numpy()
    vals["se_type"] = "bootstrap"
    vals["warnings"] = list(res.warnings) + list(bt.warnings)
    vals["meta"] = dict(res.meta, bootstrap={"B": bt.B, "ci": bt.ci, "seed": bt.seed})
    return BootstrapSEMResult(**vals, boot=bt)
