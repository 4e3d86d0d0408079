"""The model's matrices (LISREL all-y representation), implied moments and analytic Delta.

For every group, :class:`Model` lays the parameter table out as lavaan's
LISREL "all-y" representation::

    eta   = alpha + B eta + zeta,        Var(zeta) = Psi
    y     = nu + Lambda eta + eps,       Var(eps)  = Theta
    Sigma = Lambda (I - B)^-1 Psi (I - B)^-T Lambda' + Theta
    mu    = nu + Lambda (I - B)^-1 alpha

``eta`` holds the latent variables followed by one "dummy" latent variable for
each observed variable that takes part in a regression (either side) or
covaries with a latent or dummy variable (lavaan does the same); such an
observed variable has a fixed unit loading on its dummy, a zero residual
variance, and its (residual) variance, intercept and paths live in Psi,
alpha and B.

Conventions of the SEM contract: the moment vector is ``m = [mu; vech(Sigma)]``
(``vech`` column-wise lower triangle, lavaan's ``lav_matrix_vech``), without
``mu`` when there is no mean structure, and ``Delta = dm/dtheta`` (rows =
moments, columns = free parameters; rows with shared labels are one
parameter).

Derivatives are analytic.  Each free matrix element ``x`` changes Sigma by a
symmetric rank-2 term ``s (u v' + v u')`` (e.g. a loading lambda_ij gives
``u = e_i``, ``v = (A Psi A' Lambda')_j``), so the gradient, the expected
information and Delta are formed from two p x k matrices U and V without
ever building a Kronecker product.

>>> import numpy as np
>>> from iur_survey.sem.partable import build_partable
>>> pt = build_partable("F =~ x1 + x2 + x3")
>>> mod = Model(pt)
>>> theta = np.array([0.8, 0.6, 0.5, 0.4, 0.3, 1.0])   # 2 loadings, 3 residual variances, var(F)
>>> Sigma, mu = mod.implied(theta)
>>> Sigma.round(2).tolist()
[[1.5, 0.8, 0.6], [0.8, 1.04, 0.48], [0.6, 0.48, 0.66]]
>>> mod.delta(theta).shape          # 6 moments x 6 parameters
(6, 6)
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from ..errors import EstimationError
from .partable import ParTable

__all__ = ["Model", "GroupModel", "BatchLayout", "vech_indices", "vech", "vech_to_sym", "nonadmissible",
           "fabin3_loadings"]

LAMBDA, THETA, PSI, BETA, NU, ALPHA = range(6)
_KIND_NAMES = ("lambda", "theta", "psi", "beta", "nu", "alpha")


def vech_indices(p: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column indices of lavaan's vech (lower triangle, column by column).

    >>> r, c = vech_indices(3)
    >>> list(zip(r.tolist(), c.tolist()))
    [(0, 0), (1, 0), (2, 0), (1, 1), (2, 1), (2, 2)]
    """
    rows, cols = _vech_indices(int(p))
    return rows.copy(), cols.copy()


@lru_cache(maxsize=None)
def _vech_indices(p: int) -> tuple[np.ndarray, np.ndarray]:
    cols, rows = np.triu_indices(p)          # upper triangle row-major == lower column-major transposed
    return rows.astype(int), cols.astype(int)


def vech(a: np.ndarray) -> np.ndarray:
    """lavaan's ``lav_matrix_vech``.

    >>> vech(np.array([[1., 2.], [2., 3.]])).tolist()
    [1.0, 2.0, 3.0]
    """
    a = np.asarray(a)
    r, c = vech_indices(a.shape[0])
    return a[r, c]


def vech_to_sym(v: np.ndarray, p: int | None = None) -> np.ndarray:
    """Inverse of :func:`vech` for a symmetric matrix (``p`` inferred from the length when None).

    >>> vech_to_sym(np.array([1., 2., 3.]), 2).tolist()
    [[1.0, 2.0], [2.0, 3.0]]
    >>> vech_to_sym(np.array([1., 2., 3.])).tolist()
    [[1.0, 2.0], [2.0, 3.0]]
    """
    v = np.asarray(v, dtype=float)
    if p is None:
        p = int(round((np.sqrt(8 * v.size + 1) - 1) / 2))
    r, c = vech_indices(p)
    out = np.zeros((p, p))
    out[r, c] = v
    out[c, r] = v
    return out


@dataclass
class GroupModel:
    """Index maps of one group (block) of the model; built once by :class:`Model`."""

    group: int                      # 0-based
    ov: list[str]
    eta: list[str]                  # latent variables, then dummies
    n_lv: int
    dummy_ov: list[str]
    base: list[np.ndarray]          # fixed-value templates: Lambda Theta Psi Beta nu alpha
    # free entries of this group (partable row order)
    e_kind: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    e_i: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    e_j: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    e_par: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    e_row: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    # every (fixed or free) partable row of this group -> matrix element
    r_row: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    r_kind: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    r_i: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    r_j: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    exo_rows: list[int] = field(default_factory=list)
    has_beta: bool = False

    @property
    def p(self) -> int:
        return len(self.ov)

    @property
    def m(self) -> int:
        return len(self.eta)


class BatchLayout:
    """Where every free parameter (and every fixed.x value) of one group goes in the six matrices.

    Every formula of the implied moments and their derivatives is written once, here, over a stack of
    parameter vectors (a leading batch axis K): a single fit is a batch of one (:meth:`Model._core`), the
    bootstrap a batch of draws.  ``S`` / ``ybar`` (K x p x p, K x p) give the fixed.x values of each row of
    the stack; without them the values set by :meth:`Model.set_sample_stats` are used.

    >>> from iur_survey.sem.partable import build_partable
    >>> lay = Model(build_partable("F =~ x1 + x2 + x3")).layout(0)
    >>> c = lay.core(np.array([[0.8, 0.6, 0.5, 0.4, 0.3, 1.0], [1.0, 1.0, 1.0, 1.0, 1.0, 1.0]]))
    >>> c["Sigma"].shape, round(float(c["Sigma"][0, 0, 0]), 2), round(float(c["Sigma"][1, 0, 0]), 2)
    ((2, 3, 3), 1.5, 2.0)
    """

    def __init__(self, model: Model, g: int):
        gm = model.groups[g]
        pt = model.partable
        self.p, self.m, self.n_lv = gm.p, gm.m, gm.n_lv
        self.has_beta = bool(gm.has_beta)
        self.base = [np.array(b, float) for b in gm.base]
        ncol = [self.m, self.p, self.m, self.m, 1, 1]
        flat: list[list[int]] = [[] for _ in range(6)]
        par: list[list[int]] = [[] for _ in range(6)]
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
        # one flat buffer for the six matrices: a copy of the fixed values and one scatter per evaluation
        self._shapes = [(self.p, self.m), (self.p, self.p), (self.m, self.m), (self.m, self.m), (self.p,), (self.m,)]
        sizes = [int(np.prod(sh)) for sh in self._shapes]
        self._offs = np.concatenate([[0], np.cumsum(sizes)]).astype(np.intp)
        self._buf = np.concatenate([b.ravel() for b in self.base])
        self._flat_all = np.concatenate([self._offs[k] + self.flat[k] for k in range(6)]).astype(np.intp)
        self._par_all = np.concatenate(self.par).astype(np.intp)
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
        self.exo_rows = list(gm.exo_rows)
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
        self.sel = {kind: np.flatnonzero(self.e_kind == kind) for kind in range(6)}
        dummy = set(gm.dummy_ov)
        self.real_ov = np.array([k for k, v in enumerate(gm.ov) if v not in dummy], np.intp)

    def exo_values(self, S: np.ndarray, ybar: np.ndarray) -> np.ndarray:
        """The fixed.x values (K x this group's fixed.x rows) of a stack of sample moments."""
        return np.stack([S[:, a, b] if b >= 0 else ybar[:, a] for _, _, _, a, b in self.exo], axis=1) \
            if self.exo else np.zeros((S.shape[0], 0))

    def fill(self, Theta: np.ndarray, S: np.ndarray | None = None, ybar: np.ndarray | None = None):
        """The six matrices for every row of ``Theta`` (K x npar): arrays with a leading K axis.

        The fixed.x rows take their values from ``S`` / ``ybar`` (each row's sample moments), else from
        :meth:`Model.set_sample_stats`."""
        K = Theta.shape[0]
        buf = np.repeat(self._buf[None], K, axis=0)
        buf[:, self._flat_all] = Theta[:, self._par_all]
        if self.exo and S is not None:
            exo = self.exo_values(S, ybar)
            for x, (kind, f, mirror, a, b) in enumerate(self.exo):
                buf[:, self._offs[kind] + f] = exo[:, x]
                if mirror >= 0:
                    buf[:, self._offs[kind] + mirror] = exo[:, x]
        o = self._offs
        return [buf[:, o[k]:o[k + 1]].reshape((K,) + self._shapes[k]) for k in range(6)]

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
        Aal = (A @ al[:, :, None])[:, :, 0]
        mu = nu + (L @ Aal[:, :, None])[:, :, 0]
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

    def entry_information(self, c, Si: np.ndarray, meanstructure: bool) -> np.ndarray:
        """The unit expected information of the normal model over this group's free entries (K x e x e):
        ``0.5 tr(Sigma^-1 dSigma_a Sigma^-1 dSigma_b) + dmu_a' Sigma^-1 dmu_b`` with ``dSigma = s (u v' + v u')``
        (:meth:`uv`), so the trace is ``s_a s_b (Q * Q' + P * R)`` with ``P = U'Si U``, ``Q = U'Si V``,
        ``R = V'Si V``.  The one implementation; parameters are reached by ``T' I_e T``."""
        U, V, Dmu = self.uv(c)
        SU, SV = Si @ U, Si @ V
        Ut, Vt = np.swapaxes(U, 1, 2), np.swapaxes(V, 1, 2)
        P, Q, R = Ut @ SU, Ut @ SV, Vt @ SV
        Ie = np.outer(self.scale, self.scale)[None] * (Q * np.swapaxes(Q, 1, 2) + P * R)
        if meanstructure:
            Ie = Ie + np.swapaxes(Dmu, 1, 2) @ Si @ Dmu
        return Ie

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


class Model:
    """A parameter table laid out as matrices; see the module docstring.

    ``theta`` is the vector of estimated parameters (:attr:`ParTable.par_index`
    order: shared labels are one parameter).  Rows fixed by ``fixed.x`` take
    their values from :meth:`set_sample_stats`.
    """

    def __init__(self, partable: ParTable):
        self.partable = pt = partable
        self.npar = pt.npar
        self.meanstructure = pt.meanstructure
        self.ngroups = pt.ngroups
        self.groups: list[GroupModel] = [self._build_group(g) for g in range(pt.ngroups)]
        # entries -> parameters, compactly: the group's own parameters u and a one-hot entries x u map
        self._u: list[np.ndarray] = []
        self._Tc: list[np.ndarray] = []
        for gm in self.groups:
            u, inv = np.unique(gm.e_par, return_inverse=True)
            Tc = np.zeros((len(gm.e_par), len(u)))
            Tc[np.arange(len(gm.e_par)), inv.ravel()] = 1.0
            self._u.append(u)
            self._Tc.append(Tc)
        self._vech = [vech_indices(gm.p) for gm in self.groups]

    # ------------------------------------------------------------------ construction
    def _build_group(self, g: int) -> GroupModel:
        pt = self.partable
        ov = list(pt.ov_names[g])
        lv = list(pt.lv_names[g])
        rows = [i for i in range(len(pt)) if pt.group[i] == g + 1 and pt.op[i] not in (":=", "==", "<", ">")]
        ovset, lvset = set(ov), set(lv)
        dummy: list[str] = []

        def add(v):
            if v in ovset and v not in dummy:
                dummy.append(v)
        for i in rows:
            if pt.op[i] == "~":
                add(pt.lhs[i])
                add(pt.rhs[i])
            elif pt.op[i] == "=~" and pt.rhs[i] in ovset and pt.lhs[i] in ovset:
                raise EstimationError(None, f"{pt.lhs[i]} is observed and cannot be measured by =~")
        changed = True
        while changed:
            changed = False
            for i in rows:
                if pt.op[i] == "~~" and pt.lhs[i] != pt.rhs[i]:
                    a, b = pt.lhs[i], pt.rhs[i]
                    ina = a in lvset or a in dummy
                    inb = b in lvset or b in dummy
                    if ina != inb:
                        add(a if not ina else b)
                        changed = True
        dummy = [v for v in ov if v in dummy]            # keep lavaan's ov order
        eta = lv + dummy
        p, m = len(ov), len(eta)
        oi = {v: k for k, v in enumerate(ov)}
        ei = {v: k for k, v in enumerate(eta)}
        L = np.zeros((p, m))
        Th = np.zeros((p, p))
        Ps = np.zeros((m, m))
        B = np.zeros((m, m))
        nu = np.zeros(p)
        al = np.zeros(m)
        for v in dummy:
            L[oi[v], ei[v]] = 1.0
        base = [L, Th, Ps, B, nu, al]
        r_row, r_kind, r_i, r_j = [], [], [], []
        e_kind, e_i, e_j, e_par, e_row = [], [], [], [], []
        exo_rows = []
        has_beta = False
        for i in rows:
            o, a, b = pt.op[i], pt.lhs[i], pt.rhs[i]
            if o == "=~":
                if b in ei:
                    kind, ii, jj = BETA, ei[b], ei[a]
                    has_beta = True
                else:
                    kind, ii, jj = LAMBDA, oi[b], ei[a]
            elif o == "~":
                kind, ii, jj = BETA, ei[a], ei[b]
                has_beta = True
            elif o == "~~":
                if a in ei and b in ei:
                    kind, ii, jj = PSI, ei[a], ei[b]
                else:
                    kind, ii, jj = THETA, oi[a], oi[b]
                if ii < jj:
                    ii, jj = jj, ii
            elif o == "~1":
                if a in ei:
                    kind, ii, jj = ALPHA, ei[a], 0
                else:
                    kind, ii, jj = NU, oi[a], 0
            else:
                raise EstimationError(None, f"operator {o!r} is not supported by this engine")
            r_row.append(i)
            r_kind.append(kind)
            r_i.append(ii)
            r_j.append(jj)
            if pt.free[i] > 0:
                e_kind.append(kind)
                e_i.append(ii)
                e_j.append(jj)
                e_par.append(int(pt.par_index[i]))
                e_row.append(i)
            elif pt.exo[i] == 1:
                exo_rows.append(i)
            else:
                val = pt.ustart[i]
                if np.isnan(val):
                    raise EstimationError(None, f"fixed parameter {a} {o} {b} has no value")
                self._put(base, kind, ii, jj, val)
        gm = GroupModel(g, ov, eta, len(lv), dummy, base,
                        np.array(e_kind, int), np.array(e_i, int), np.array(e_j, int), np.array(e_par, int),
                        np.array(e_row, int), np.array(r_row, int), np.array(r_kind, int), np.array(r_i, int),
                        np.array(r_j, int), exo_rows, has_beta)
        return gm

    @staticmethod
    def _put(mats: list[np.ndarray], kind: int, i: int, j: int, val: float) -> None:
        if kind in (NU, ALPHA):
            mats[kind][i] = val
        else:
            mats[kind][i, j] = val
            if kind in (THETA, PSI):
                mats[kind][j, i] = val

    def set_sample_stats(self, covs: list[np.ndarray], means: list[np.ndarray]) -> None:
        """Fill the fixed.x rows (exogenous covariates) with the sample (co)variances and means.

        ``covs[g]`` / ``means[g]`` are over the group's observed variables in
        :attr:`GroupModel.ov` order (biased covariance, divisor N, as lavaan).
        """
        pt = self.partable
        self.exo_values: dict[int, float] = {}
        for g, gm in enumerate(self.groups):
            oi = {v: k for k, v in enumerate(gm.ov)}
            for i in gm.exo_rows:
                a, o, b = pt.lhs[i], pt.op[i], pt.rhs[i]
                val = float(means[g][oi[a]]) if o == "~1" else float(covs[g][oi[a], oi[b]])
                self.exo_values[i] = val
                k = int(np.nonzero(gm.r_row == i)[0][0])
                self._put(gm.base, int(gm.r_kind[k]), int(gm.r_i[k]), int(gm.r_j[k]), val)
        self.__dict__.pop("_layouts", None)

    # ------------------------------------------------------------------ values
    def layout(self, group: int) -> BatchLayout:
        """The group's :class:`BatchLayout` (built once; rebuilt after :meth:`set_sample_stats`)."""
        cache = self.__dict__.setdefault("_layouts", {})
        lay = cache.get(group)
        if lay is None:
            lay = cache[group] = BatchLayout(self, group)
        return lay

    def matrices(self, theta: np.ndarray, group: int = 0) -> dict[str, np.ndarray]:
        """The six matrices of a group at ``theta`` (fresh arrays).

        >>> from iur_survey.sem.partable import build_partable
        >>> mod = Model(build_partable("F =~ x1 + x2 + x3"))
        >>> sorted(mod.matrices(np.ones(6)))
        ['alpha', 'beta', 'lambda', 'nu', 'psi', 'theta']
        """
        mats = self.layout(group).fill(np.asarray(theta, float)[None])
        return {name: mats[k][0] for k, name in enumerate(_KIND_NAMES)}

    def _core(self, theta: np.ndarray, group: int) -> dict:
        """The implied moments and their building blocks at one ``theta``: the batch of one of
        :meth:`BatchLayout.core`."""
        try:
            c = self.layout(group).core(np.asarray(theta, float)[None])
        except np.linalg.LinAlgError:
            raise EstimationError(None, "I - B is singular (the regressions are not identified)") from None
        return {k: v[0] for k, v in c.items()}

    def implied(self, theta: np.ndarray, group: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """Model-implied ``(Sigma, mu)`` of one group at ``theta``."""
        c = self._core(theta, group)
        return c["Sigma"], c["mu"]

    def implied_all(self, theta: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """``[(Sigma_g, mu_g) for each group]``."""
        return [self.implied(theta, g) for g in range(self.ngroups)]

    def eta_cov(self, theta: np.ndarray, group: int = 0) -> np.ndarray:
        """Model-implied covariance matrix of eta (latent variables, then dummies)."""
        return self._core(theta, group)["Pm"]

    def row_values(self, theta: np.ndarray) -> np.ndarray:
        """The value of every parameter-table row at ``theta`` (NaN for :=, ==, <, > rows)."""
        pt = self.partable
        out = np.full(len(pt), np.nan)
        theta = np.asarray(theta, float)
        for i in range(len(pt)):
            if pt.op[i] in (":=", "==", "<", ">"):
                continue
            if pt.free[i] > 0:
                out[i] = theta[pt.par_index[i]]
            elif pt.exo[i] == 1:
                out[i] = getattr(self, "exo_values", {}).get(i, np.nan)
            else:
                out[i] = pt.ustart[i]
        return out

    # ------------------------------------------------------------------ derivatives
    def _uv(self, c: dict, gm: GroupModel) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """U, V (p x k), scale (k) of dSigma = s (u v' + v u') and Dmu (p x k) per free entry: the batch
        of one of :meth:`BatchLayout.uv`."""
        lay = self.layout(gm.group)
        U, V, Dmu = lay.uv({k: c[k][None] for k in ("M", "G", "Aal")})
        return U[0], V[0], lay.scale, Dmu[0]

    def delta(self, theta: np.ndarray, group: int = 0, meanstructure: bool | None = None) -> np.ndarray:
        """Analytic ``Delta = d m / d theta`` of one group (moments x parameters).

        ``meanstructure`` (default: the model's) decides whether the ``mu`` rows lead.
        """
        gm = self.groups[group]
        c = self._core(theta, group)
        U, V, s, Dmu = self._uv(c, gm)
        r, cc = self._vech[group]
        Dsig = (U[r] * V[cc] + V[r] * U[cc]) * s
        ms = self.meanstructure if meanstructure is None else meanstructure
        De = np.vstack([Dmu, Dsig]) if ms else Dsig
        out = np.zeros((De.shape[0], self.npar))
        out[:, self._u[group]] = De @ self._Tc[group]
        return out

    def delta_t_dot(self, theta: np.ndarray, group: int, gvec: np.ndarray,
                    meanstructure: bool | None = None) -> np.ndarray:
        """``Delta(theta)' gvec`` without forming Delta (gvec in the contract's moment convention).

        This is the chain rule from a gradient on the moments to one on theta.
        """
        gm = self.groups[group]
        c = self._core(theta, group)
        U, V, s, Dmu = self._uv(c, gm)
        ms = self.meanstructure if meanstructure is None else meanstructure
        p = gm.p
        gvec = np.asarray(gvec, float)
        gs = gvec[p:] if ms else gvec
        r, cc = self._vech[group]
        W = np.zeros((p, p))
        half = np.where(r == cc, 1.0, 0.5) * gs
        W[r, cc] = half
        W[cc, r] = half
        out_e = 2.0 * s * np.einsum("ik,ik->k", U, W @ V)
        if ms:
            out_e = out_e + gvec[:p] @ Dmu
        return np.bincount(gm.e_par, weights=out_e, minlength=self.npar)

    def expected_information(self, theta: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        """Unit expected (Fisher) information of the normal model at theta,
        ``sum_g w_g [0.5 tr(Sigma^-1 dSigma_a Sigma^-1 dSigma_b) + dmu_a' Sigma^-1 dmu_b]`` (data-free)."""
        w = np.full(self.ngroups, 1.0 / self.ngroups) if weights is None else np.asarray(weights, float)
        info = np.zeros((self.npar, self.npar))
        for g, gm in enumerate(self.groups):
            c = self._core(theta, g)
            try:
                Si = np.linalg.inv(c["Sigma"])
            except np.linalg.LinAlgError:
                return np.full((self.npar, self.npar), np.nan)
            I_e = self.layout(gm.group).entry_information({k: c[k][None] for k in ("M", "G", "Aal")}, Si[None],
                                                           bool(self.meanstructure))[0]
            self.add_entry_info(info, g, I_e, w[g])
        return info

    def add_entry_info(self, out: np.ndarray, group: int, I_e: np.ndarray, weight: float = 1.0) -> None:
        """``out += weight * T' I_e T`` for an entries x entries matrix of a group (T: entries -> parameters)."""
        Tc, u = self._Tc[group], self._u[group]
        out[np.ix_(u, u)] += weight * (Tc.T @ I_e @ Tc)

    def delta_all(self, theta: np.ndarray, meanstructure: bool | None = None) -> list[np.ndarray]:
        return [self.delta(theta, g, meanstructure) for g in range(self.ngroups)]

    # ------------------------------------------------------------------ start values
    def start(self, covs: list[np.ndarray], means: list[np.ndarray],
              ov_vars: list[np.ndarray] | None = None, *, kind: str = "lavaan",
              ordered: Collection[str] = (), notes: list[str] | None = None) -> np.ndarray:
        """lavaan's default start values (``lav_start``, ``start = "default"``), one per parameter: the
        mean of the start values of its rows (:meth:`start_rows`; a label shared by rows, group.equal), as
        lavaan's ``lav_model_estimate`` packs its per-row start values into the free parameters of its
        equality constraints (an orthogonal projection: their mean).

        Free loadings: FABIN3 on the covariances of the factor's indicators when they are all observed
        (:func:`fabin3_loadings`; 1 otherwise), scaled by the factor's variance with a fixed one;
        latent (residual) variances 0.05 (a single-indicator exogenous factor: its indicator's variance
        less the indicator's fixed residual variance); observed residual variances half the sample
        variance (the whole variance for an exogenous regressor); regressions and covariances 0
        (exogenous covariates: their sample covariances); observed intercepts the sample means, latent
        means 0.  ``ov_vars`` (per group) replaces the diagonal of ``covs`` for the residual variances
        (with missing data lavaan halves the available-case variances, N - 1 over N, while the loadings
        and intercepts come from the EM moments ``covs`` / ``means``).  A ``start()`` modifier wins.  The optimizer then starts where lavaan's nlminb starts,
        which on small samples decides which local optimum (or runaway Heywood ridge) a fit ends in.

        ``ordered`` (the ordered items of a WLSMV fit; ``covs`` then hold their polychoric correlations)
        adds lavaan's rules for categorical data to ``kind="lavaan"``: a free loading that FABIN3 does not
        set starts at 0.7 (a second-order loading), an ordered item's free residual variance (theta
        parameterization) at 1.

        ``kind="marker"`` is the fallback start of a fit that does not converge from lavaan's: a free
        loading is the ratio of the sums of its indicator's and the marker's covariances with the factor's
        other indicators (1 if it cannot be formed or exceeds 10 in size), a latent variance the mean of
        the marker's covariances with the others over their loadings (at least 0.05; half that for an
        endogenous factor).

        ``kind="simple"`` is lavaan's ``start = "simple"`` of ``lav_model_estimate`` (the start of its third
        attempt, ``optim.attempts``, when nlminb does not converge from the default start): every free
        loading 0.7, every free variance 1, every other free parameter 0 (intercepts too); the data and a
        ``start()`` modifier play no part.

        >>> from iur_survey.sem.partable import build_partable
        >>> mod = Model(build_partable("F =~ x1 + x2 + x3 + x4"))
        >>> S = np.array([[1.0, .5, .4, .3], [.5, 1.0, .35, .3], [.4, .35, 1.0, .25], [.3, .3, .25, 1.0]])
        >>> np.round(mod.start([S], [np.zeros(4)]), 4).tolist()
        [0.9145, 0.724, 0.6083, 0.5, 0.5, 0.5, 0.5, 0.05]
        >>> np.round(mod.start([S], [np.zeros(4)], kind="marker"), 4).tolist()
        [0.9286, 0.75, 0.6111, 0.5, 0.5, 0.5, 0.5, 0.5209]
        >>> mod.start([S], [np.zeros(4)], kind="simple").tolist()
        [0.7, 0.7, 0.7, 1.0, 1.0, 1.0, 1.0, 1.0]
        >>> np.round(mod.start([S], [np.zeros(4)], ordered=["x1", "x2", "x3", "x4"]), 4).tolist()
        [0.9145, 0.724, 0.6083, 1.0, 1.0, 1.0, 1.0, 0.05]
        """
        return self.pack_rows(self.start_rows(covs, means, ov_vars, kind=kind, ordered=ordered, notes=notes))

    def free_rows(self) -> np.ndarray:
        """The free rows of the table (those with a parameter index).

        >>> from iur_survey.sem.partable import build_partable
        >>> Model(build_partable("F =~ x1 + a*x2 + a*x3")).free_rows().tolist()
        [1, 2, 3, 4, 5, 6]
        """
        pt = self.partable
        return np.array([i for i in range(len(pt)) if pt.free[i] > 0 and pt.par_index[i] >= 0], int)

    def row_weights(self) -> np.ndarray:
        """Per parameter, the number of free table rows it stands for (a shared label, group.equal: more
        than one; lavaan's ``ceq.simple = FALSE`` gives each its own free parameter).

        >>> from iur_survey.sem.partable import build_partable
        >>> Model(build_partable("F =~ x1 + a*x2 + a*x3")).row_weights().tolist()
        [2.0, 1.0, 1.0, 1.0, 1.0]
        """
        fr = self.free_rows()
        return np.bincount(self.partable.par_index[fr], minlength=self.npar).astype(float)

    def pack_rows(self, rows: np.ndarray) -> np.ndarray:
        """Per parameter, the mean of the values of its free rows (``rows``: one value per table row).

        >>> from iur_survey.sem.partable import build_partable
        >>> m = Model(build_partable("F =~ x1 + a*x2 + a*x3"))
        >>> m.pack_rows(np.array([1.0, 0.4, 0.8, 1, 1, 1, 1])).round(3).tolist()
        [0.6, 1.0, 1.0, 1.0, 1.0]
        """
        fr = self.free_rows()
        k = self.partable.par_index[fr]
        tot = np.bincount(k, weights=np.asarray(rows, float)[fr], minlength=self.npar)
        with np.errstate(invalid="ignore", divide="ignore"):
            theta = tot / np.bincount(k, minlength=self.npar)
        theta[~np.isfinite(theta)] = 0.0
        return theta

    def implied_rows(self, rows: np.ndarray, group: int = 0) -> np.ndarray:
        """The implied Sigma of a group from one value per table row (:meth:`start_rows`: the rows of a
        shared parameter may differ), as lavaan's ``computeSigmaHat`` at its per-row start values.

        >>> from iur_survey.sem.partable import build_partable
        >>> m = Model(build_partable("F =~ x1 + a*x2 + a*x3"))
        >>> m.implied_rows(np.array([1.0, 0.5, 2.0, 1, 1, 1, 1.0]))[0].tolist()
        [2.0, 0.5, 2.0]
        """
        gm = self.groups[group]
        mats = [m.copy() for m in gm.base]
        for kind, i, j, r in zip(gm.e_kind, gm.e_i, gm.e_j, gm.e_row):
            self._put(mats, int(kind), int(i), int(j), float(rows[r]))
        L, Th, Ps, Bm = mats[:4]
        A = np.linalg.inv(np.eye(gm.m) - Bm)
        Sigma = L @ A @ Ps @ A.T @ L.T + Th
        return 0.5 * (Sigma + Sigma.T)

    def start_rows(self, covs: list[np.ndarray], means: list[np.ndarray],
                   ov_vars: list[np.ndarray] | None = None, *, kind: str = "lavaan",
                   ordered: Collection[str] = (), notes: list[str] | None = None) -> np.ndarray:
        """The start value of every table row (:meth:`start`, before packing): free rows by lavaan's
        rules, fixed rows their value (NaN for ``:=`` / ``==`` rows).  With ``kind="lavaan"`` the start
        values are then checked as lavaan's ``lav_start_check_cov`` does (``check.start``): a covariance
        implying a correlation above 1 is shrunk (or the variance grown), a free covariance of a variable
        with a zero variance is set to 0; lavaan's warnings go to ``notes``.

        >>> from iur_survey.sem.partable import build_partable
        >>> m = Model(build_partable("F =~ x1 + x2\\nx1 ~~ 2*x2"))
        >>> S = np.array([[1.0, .5], [.5, 1.0]])
        >>> notes = []
        >>> m.start_rows([S], [np.zeros(2)], notes=notes).round(4).tolist()
        [1.0, 0.5, 2.0, 0.5, 9.68, 0.05]
        >>> notes
        ['starting values imply a correlation larger than 1; variables involved are: x1 x2']
        """
        pt = self.partable
        out = np.full(len(pt), np.nan)
        exo_vals = getattr(self, "exo_values", {})
        for i in range(len(pt)):
            if pt.op[i] in (":=", "==", "<", ">") or pt.free[i] > 0:
                continue
            out[i] = exo_vals.get(i, np.nan) if pt.exo[i] == 1 else pt.ustart[i]
        ordset = set(ordered)
        if kind == "simple":
            for i in range(len(pt)):
                if pt.free[i] > 0:
                    out[i] = 0.7 if pt.op[i] == "=~" else 1.0 if (pt.op[i] == "~~" and pt.lhs[i] == pt.rhs[i]) \
                        else 0.0
            return out
        for g, gm in enumerate(self.groups):
            S, ybar = covs[g], means[g]
            oi = {v: k for k, v in enumerate(gm.ov)}
            lvset = set(pt.lv_names[g])
            rows = [i for i in range(len(pt)) if pt.group[i] == g + 1]
            # lavaan: FABIN3 per factor whose indicators are all observed (marker first, partable order)
            loading: dict[int, float] = {}
            lv_var: dict[str, float] = {}
            if kind == "marker":
                loading, lv_var = _marker_start(pt, rows, S, oi)
            elif kind != "lavaan":
                raise ValueError(f"unknown start kind {kind!r} (use 'lavaan', 'marker' or 'simple')")
            for f in pt.lv_names[g] if kind == "lavaan" else ():
                lam = [i for i in rows if pt.op[i] == "=~" and pt.lhs[i] == f]
                if not lam or any(pt.rhs[i] not in oi for i in lam):
                    continue
                var_f = [i for i in rows if pt.op[i] == "~~" and pt.lhs[i] == f and pt.rhs[i] == f]
                std_lv = bool(var_f) and all(pt.free[i] == 0 and pt.ustart[i] == 1 for i in var_f)
                idx = [oi[pt.rhs[i]] for i in lam]
                vals = fabin3_loadings(S[np.ix_(idx, idx)], std_lv=std_lv)
                loading.update(zip(lam, vals))
            for i in rows:
                if pt.free[i] == 0:
                    continue
                if not np.isnan(pt.ustart[i]):
                    out[i] = pt.ustart[i]
                    continue
                o, a, b = pt.op[i], pt.lhs[i], pt.rhs[i]
                val = 0.0
                if o == "=~":
                    val = loading.get(i, 0.7 if ordset and kind == "lavaan" else 1.0)
                elif o == "~~" and a == b:
                    if a in ordset and kind == "lavaan":
                        val = 1.0
                    elif a in lvset and kind == "marker":
                        val = lv_var.get(a, 0.05)
                        if any(pt.op[r] == "~" and pt.lhs[r] == a for r in rows):
                            val = max(0.5 * val, 0.05)
                    elif a in lvset:
                        val = self._single_indicator_var(g, a, rows, S, oi)
                    elif a in oi:
                        endo = any(pt.op[r] == "~" and pt.lhs[r] == a for r in rows)
                        exo_reg = a in gm.dummy_ov and not endo and not any(
                            pt.op[r] == "=~" and pt.rhs[r] == a for r in rows)
                        val = (S[oi[a], oi[a]] if ov_vars is None else ov_vars[g][oi[a]]) * \
                            (1.0 if exo_reg else 0.5)
                    else:
                        val = 0.05
                elif o == "~~":
                    if a in gm.dummy_ov and b in gm.dummy_ov and a in oi and b in oi:
                        exo_a = not any(pt.op[r] in ("~",) and pt.lhs[r] in (a, b) for r in rows)
                        val = S[oi[a], oi[b]] if exo_a else 0.0
                    else:
                        val = 0.0
                elif o == "~1":
                    val = float(ybar[oi[a]]) if a in oi else 0.0
                out[i] = val
        free = np.array([pt.free[i] > 0 for i in range(len(pt))], bool)
        out[free & np.isnan(out)] = 0.0
        if kind == "lavaan":
            out = _check_start_cov(pt, out, notes)
        return out

    def _single_indicator_var(self, g: int, f: str, rows: list[int], S: np.ndarray, oi: dict) -> float:
        """lavaan's start of a latent variance: 0.05, or for an exogenous factor with one observed
        indicator ``(1 - v0 / var) * var`` (``v0`` the indicator's fixed residual variance, else 1), at
        least 0.05."""
        pt = self.partable
        if any(pt.op[r] == "~" and pt.lhs[r] == f for r in rows):
            return 0.05
        ind = [r for r in rows if pt.op[r] == "=~" and pt.lhs[r] == f]
        if len(ind) != 1 or pt.rhs[ind[0]] not in oi:
            return 0.05
        y = pt.rhs[ind[0]]
        res = [r for r in rows if pt.op[r] == "~~" and pt.lhs[r] == y and pt.rhs[r] == y]
        v0 = pt.ustart[res[0]] if res and not np.isnan(pt.ustart[res[0]]) else 1.0
        ov_var = S[oi[y], oi[y]]
        val = (1.0 - v0 / ov_var) * ov_var
        return float(val) if np.isfinite(val) and val >= 0.05 else 0.05


def _check_start_cov(pt: ParTable, start: np.ndarray, notes: list[str] | None = None) -> np.ndarray:
    """lavaan 0.6.14's ``lav_start_check_cov`` on per-row start values: for every non-exogenous
    covariance row with a nonzero start, in table order, a zero variance sets a free covariance to 0;
    a correlation above 1 in size shrinks the covariance (free, no user start) to ``cov / (1.1 r)``, else
    grows the smaller variance (free, no user start), else the larger one, else (ignoring user starts)
    the covariance, the smaller, the larger variance; lavaan's warning text goes to ``notes``.
    (lavaan stops with an error for a fixed nonzero covariance of a variable with a zero variance; the
    fit then fails on its non positive-definite Sigma.)"""
    start = start.copy()
    ng = pt.ngroups
    var_row: dict[tuple[int, str], int] = {}
    for i in range(len(pt)):
        if pt.op[i] == "~~" and pt.lhs[i] == pt.rhs[i]:
            var_row.setdefault((pt.group[i], pt.lhs[i]), i)
    for i in range(len(pt)):
        if not (pt.op[i] == "~~" and pt.lhs[i] != pt.rhs[i] and pt.exo[i] != 1 and start[i] != 0
                and np.isfinite(start[i])):
            continue
        g = pt.group[i]
        a, b = var_row.get((g, pt.lhs[i])), var_row.get((g, pt.rhs[i]))
        if a is None or b is None:
            continue
        where = f" [in block {g}]" if ng > 1 else ""
        who = f"variables involved are: {pt.lhs[i]} {pt.rhs[i]}{where}"
        va, vb = start[a], start[b]
        if va == 0 or vb == 0:
            if pt.free[i] > 0:
                if notes is not None:
                    notes.append(f"non-zero covariance element set to zero, due to fixed-to-zero variances; {who}")
                start[i] = 0.0
            continue
        lo, hi = (a, b) if abs(va) < abs(vb) else (b, a)
        with np.errstate(invalid="ignore", divide="ignore"):
            r = start[i] / np.sqrt(va * vb)
        if not np.isfinite(r):
            if notes is not None:
                notes.append(f"starting values imply NaN for a correlation value; {who}")
            start[a] = start[b] = 1.0
            start[i] = 0.0
            continue
        if abs(r) <= 1:
            continue
        if notes is not None:
            notes.append(f"starting values imply a correlation larger than 1; {who}")
        user = lambda k: not np.isnan(pt.ustart[k])     # noqa: E731
        for k, strict in ((i, True), (lo, True), (hi, True), (i, False), (lo, False), (hi, False)):
            if pt.free[k] > 0 and not (strict and user(k)):
                if k == i:
                    start[i] = start[i] / (r * 1.1)
                else:
                    start[k] = start[k] * (r * 1.1) ** 2
                break
    return start


def _marker_start(pt, rows: list[int], S: np.ndarray, oi: dict) -> tuple[dict[int, float], dict[str, float]]:
    """The loadings (by partable row) and latent variances of :meth:`Model.start`'s ``kind="marker"``."""
    inds: dict[str, list[int]] = {}
    for i in rows:
        if pt.op[i] == "=~" and pt.rhs[i] in oi:
            inds.setdefault(pt.lhs[i], []).append(i)
    loading: dict[int, float] = {}
    lv_var: dict[str, float] = {}
    for f, lam in inds.items():
        mk = oi[pt.rhs[lam[0]]]
        for i in lam[1:]:
            j = oi[pt.rhs[i]]
            others = [oi[pt.rhs[r]] for r in lam if oi[pt.rhs[r]] not in (mk, j)]
            val = 1.0
            if others:
                den = S[mk, others].sum()
                val = S[j, others].sum() / den if abs(den) > 1e-8 else 1.0
                if not np.isfinite(val) or abs(val) > 10:
                    val = 1.0
            loading[i] = val
        ests = [S[mk, oi[pt.rhs[i]]] / loading[i] for i in lam[1:] if abs(loading[i]) > 1e-8]
        v = float(np.mean(ests)) if ests else 0.5 * S[mk, mk]
        lv_var[f] = max(v, 0.05)
    return loading, lv_var


def _one_factor_3ind(S: np.ndarray, std_lv: bool) -> tuple[np.ndarray, bool]:
    """lavaan's ``lav_cfa_1fac_3ind`` (bounds on): the closed-form loadings of a one-factor model with at
    most three indicators, and whether the product of the three covariances is negative."""
    n = S.shape[0]
    if n == 1:
        S = np.ones((3, 3))
    elif n == 2:
        extra = np.array([np.mean(np.diag(S)), S[1, 0]])
        S = np.block([[S, extra[:, None]], [extra[None, :], np.array([[np.max(np.diag(S))]])]])
    s11, s22, s33 = S[0, 0], S[1, 1], S[2, 2]
    s21, s31, s32 = S[1, 0], S[2, 0], S[2, 1]
    neg = s21 * s31 * s32 < 0
    with np.errstate(divide="ignore", invalid="ignore"):
        psi = s21 * s31 / s32
        l2, l3 = s32 / s31, s32 / s21
    lower = s11 - 0.9 * s11
    psi = min(max(psi, lower), s11)
    b2, b3 = np.sqrt(s22 / lower), np.sqrt(s33 / lower)
    l2, l3 = min(max(-b2, l2), b2), min(max(-b3, l3), b3)
    lam = np.array([1.0, l2, l3])
    if std_lv:
        lam = lam * np.sign(psi) * np.sqrt(abs(psi))
    return lam[:n], bool(neg)


def fabin3_loadings(S: np.ndarray, std_lv: bool = False) -> np.ndarray:
    """lavaan's start values of one factor's loadings (``lav_cfa_1fac_fabin``, method "fabin3", bounds
    on; the first indicator is the marker): closed form for up to three indicators (all 1, or 0.7 with
    ``std_lv``, when the three covariances have a negative product), FABIN3 instrumental-variable ratios
    for four or more, clamped to +/- sqrt(s_ii / (0.1 s_11)); a ratio that cannot be formed is 1.

    >>> S = np.array([[1.0, .5, .4], [.5, 1.0, .3], [.4, .3, 1.0]])
    >>> np.round(fabin3_loadings(S), 4).tolist()
    [1.0, 0.75, 0.6]
    """
    S = np.asarray(S, float)
    n = S.shape[0]
    if not (np.all(np.isfinite(S)) and np.all(np.diag(S) > 0)):
        return np.ones(n)
    if std_lv or n < 4:
        if n < 4:
            lam, neg = _one_factor_3ind(S, std_lv)
        else:
            lam, neg = _fabin3_full(S)
        lam = np.where(np.isfinite(lam), lam, 1.0)
        return np.full(n, 0.7 if std_lv else 1.0) if neg else lam
    lam = _fabin3_lambda(S)
    return np.where(np.isfinite(lam), lam, 1.0)


def _fabin3_lambda(S: np.ndarray) -> np.ndarray:
    n = S.shape[0]
    lam = np.ones(n)
    for i in range(1, n):
        idx3 = [j for j in range(n) if j not in (0, i)]
        s23, s31 = S[i, idx3], S[idx3, 0]
        try:
            tmp = np.linalg.solve(S[np.ix_(idx3, idx3)], s31)
            with np.errstate(divide="ignore", invalid="ignore"):
                lam[i] = (s23 @ tmp) / (s31 @ tmp)
        except np.linalg.LinAlgError:
            with np.errstate(divide="ignore", invalid="ignore"):
                lam[i] = (s23 @ s31) / (s31 @ s31)
    lower = S[0, 0] - 0.9 * S[0, 0]
    bound = np.sqrt(np.diag(S) / lower)
    lam[1:] = np.minimum(np.maximum(-bound[1:], lam[1:]), bound[1:])
    return lam


def _fabin3_full(S: np.ndarray) -> tuple[np.ndarray, bool]:
    """FABIN3 with std.lv (lavaan computes psi then: the loadings scaled by sqrt|psi|)."""
    lam = _fabin3_lambda(S)
    lam = np.where(np.isfinite(lam), lam, 1.0)
    n = S.shape[0]
    D = np.outer(lam, lam) / (lam @ lam)
    try:
        th = np.linalg.solve(np.eye(n) - D * D, np.diag(S - D @ S @ D))
    except np.linalg.LinAlgError:
        return lam, False
    S1 = S - np.diag(th)
    l2 = lam @ lam
    psi = (lam @ S1 @ lam) / (l2 * l2)
    return lam * np.sign(psi) * np.sqrt(abs(psi)), False


def _min_eig(A: np.ndarray) -> np.ndarray:
    """Smallest eigenvalue of each symmetric matrix of a stack (the diagonal when they are diagonal)."""
    K, n, _ = A.shape
    off = A.reshape(K, -1)[:, ~np.eye(n, dtype=bool).ravel()]
    if not np.any(off):
        return np.diagonal(A, axis1=1, axis2=2).min(axis=1, initial=np.inf)
    return np.linalg.eigvalsh(A)[:, 0]


#: lavaan's tolerance of its post-fit eigenvalue checks (``-.Machine$double.eps^(3/4)``)
POST_CHECK_TOL = float(np.finfo(float).eps) ** 0.75


def numeric_positions(model: Model, ordered: Collection[str]) -> list[list[int]]:
    """Per group, the positions (in the group's observed variables) of the continuous ones: lavaan's ``num.idx``.

    >>> from iur_survey.sem.partable import build_partable
    >>> numeric_positions(Model(build_partable("F =~ x1 + x2 + x3")), ["x2"])
    [[0, 2]]
    """
    ordered = set(ordered)
    return [[j for j, v in enumerate(gm.ov) if v not in ordered] for gm in model.groups]


def post_check_failures(model: Model, Theta: np.ndarray, numeric: Sequence[Sequence[int]] | None = None
                        ) -> dict[str, np.ndarray]:
    """lavaan's post-fit checks (``lav_object_post_check``), each for each row of a stack of solutions and each
    group: ``(K, G)`` boolean arrays ``ov_variance`` (a negative residual variance of an observed variable),
    ``lv_variance`` (a negative latent variance), ``cov_lv`` (the latent covariance matrix not positive definite)
    and ``theta`` (the residual covariance matrix of the continuous observed variables not positive definite),
    the eigenvalue checks at ``-POST_CHECK_TOL``.

    ``numeric``: per group, the positions (in the group's observed variables) of the continuous ones
    (:func:`numeric_positions`), the only ones whose residual covariance matrix lavaan checks for positive
    definiteness (its ``num.idx``: none in a model of ordered items only); None: every observed variable (all
    continuous).  Ordered items: ``Theta`` holds their residual variances (the delta parameterization's
    ``1/Delta^2 - diag(Lambda Psi Lambda')`` filled in), whose sign is checked as any.

    >>> from iur_survey.sem.partable import build_partable
    >>> mod = Model(build_partable("F =~ x1 + x2 + x3\\nx1 ~~ x2"))      # theta not PD, its diagonal positive
    >>> {k: v.tolist() for k, v in post_check_failures(mod, np.array([[0.8, 0.6, 0.5, 0.4, 0.3, 1.0, 0.9]])).items()}
    {'ov_variance': [[False]], 'lv_variance': [[False]], 'cov_lv': [[False]], 'theta': [[True]]}
    """
    Theta = np.atleast_2d(np.asarray(Theta, float))
    K, G = Theta.shape[0], model.ngroups
    out = {k: np.zeros((K, G), bool) for k in ("ov_variance", "lv_variance", "cov_lv", "theta")}
    for g in range(G):
        lay = model.layout(g)
        c = lay.core(Theta)
        Th, Ps = c["Th"], c["Ps"]
        ro = lay.real_ov
        if ro.size:
            out["ov_variance"][:, g] = (np.diagonal(Th, axis1=1, axis2=2)[:, ro] < 0).any(axis=1)
            num = ro if numeric is None else np.intersect1d(ro, np.asarray(numeric[g], np.intp))
            if num.size:
                out["theta"][:, g] = _min_eig(Th[:, num[:, None], num[None, :]]) < -POST_CHECK_TOL
        if lay.n_lv:
            nl = lay.n_lv
            out["lv_variance"][:, g] = (np.diagonal(Ps, axis1=1, axis2=2)[:, :nl] < 0).any(axis=1)
            out["cov_lv"][:, g] = _min_eig(c["Pm"][:, :nl, :nl]) < -POST_CHECK_TOL
    return out


def nonadmissible(model: Model, Theta: np.ndarray, numeric: Sequence[Sequence[int]] | None = None) -> np.ndarray:
    """Whether each row of a stack of solutions fails any of lavaan's post-fit checks
    (:func:`post_check_failures`): a negative (ov or lv) variance, or a latent / residual covariance matrix that
    is not positive definite.

    >>> from iur_survey.sem.partable import build_partable
    >>> mod = Model(build_partable("F =~ x1 + x2 + x3"))
    >>> nonadmissible(mod, np.array([[0.8, 0.6, 0.5, 0.4, 0.3, 1.0], [0.8, 0.6, -0.5, 0.4, 0.3, 1.0]])).tolist()
    [False, True]
    >>> mod = Model(build_partable("F =~ x1 + x2 + x3\\nx1 ~~ x2"))      # theta not PD, its diagonal positive
    >>> bad = np.array([[0.8, 0.6, 0.5, 0.4, 0.3, 1.0, 0.9]])
    >>> nonadmissible(mod, bad).tolist(), nonadmissible(mod, bad, numeric=[[]]).tolist()
    ([True], [False])
    """
    fails = post_check_failures(model, Theta, numeric)
    return np.logical_or.reduce([f.any(axis=1) for f in fails.values()])
