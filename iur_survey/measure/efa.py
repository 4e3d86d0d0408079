"""Exploratory factor analysis: extraction, rotation, number of factors, sampling adequacy.

One function per step, each as the R reference it is checked against (tests/measure/efa_refs/make_refs.R):

* :func:`efa` (data, k, rotation, extraction, cor)  the whole analysis -> :class:`EFAResult`
  - ``extraction="ml"``: maximum likelihood (the uniquenesses by L-BFGS-B on the concentrated likelihood,
    as R's ``factanal``, bounded below by 0.005; on Pearson correlations the solution of lavaan's ``efa()``
    and ``psych::fa(fm = "ml")``), with lavaan's fit: ``chisq = N F_ML``, ``df``, ``pvalue``, ``rmsea``,
    ``tli``, ``cfi``.  With a uniqueness at the 0.005 bound (a Heywood case; a warning says so) lavaan lets
    it go to ~0, so the fit then differs slightly from lavaan's (e.g. chisq 248.194 vs 248.146);
  - ``extraction="pa"``: principal axes, iterated from squared multiple correlations until the sum of the
    communalities changes by less than 0.001 (psych's ``fm = "pa"`` rule);
  - ``cor="pearson"`` (listwise) or ``"polychoric"`` (lavaan's two-step polychoric correlations,
    :func:`iur_survey.sem.ordinal.polychoric`).  Polychoric: the extraction runs on the polychoric matrix
    as on a Pearson one, so the loadings are ``psych::fa(cor = "poly", fm = "ml")``'s (or ``"pa"``), not
    lavaan's ``efa(ordered = TRUE)`` (DWLS/WLSMV).  ``N F_ML`` of a polychoric matrix is not
    chi-square distributed, and neither is Bartlett's statistic: the fit (chisq df pvalue rmsea tli cfi
    fmin) and Bartlett's test are NaN (null in efa.json) and ``notes`` says why; KMO, a descriptive index,
    is kept (computed from the polychoric matrix, as ``psych::KMO`` of it);
* :func:`rotate` (loadings, method)  ``geomin`` (oblique, epsilon 0.001, lavaan's default rotation, with
  random starts: the best of 30 by the criterion), ``oblimin`` (quartimin, GPArotation's), ``varimax``
  (Kaiser-normalized, R's ``stats::varimax``), ``promax`` (power 4 on varimax, psych's ``Promax``);
  the gradient projection algorithm is statsmodels' ``factor_rotation.GPA``;
* factors are reflected to a positive sum of loadings and ordered as lavaan (``order.lv.by = "index"``:
  by the first item on which each factor has its largest loading); unrotated (``"none"``) by decreasing
  variance, F1 the largest (psych's order);
* improper or doubtful solutions are named in ``warnings``: a uniqueness at the ML bound, a principal-axes
  communality of .995 or more (an ultra-Heywood case above 1, as psych warns), parallel analysis finding no
  factor (``"auto"`` then fits one), polychoric correlations of items with more than 8 categories;
* :func:`kmo` (Kaiser-Meyer-Olkin MSA, psych ``KMO``), :func:`bartlett` (psych ``cortest.bartlett``;
  Pearson correlations only in :func:`efa`);
* :func:`parallel_analysis` (Horn): eigenvalues of the observed correlation matrix (and of its reduced
  form, squared multiple correlations on the diagonal) against the 95th percentiles of those of random
  data of the same size: normal data (Pearson), or the items' answers permuted column by column (polychoric:
  psych's resampling baseline); :func:`scree_plot` draws both.

An EFA is exploratory: choose the number of factors and the items on one part of the data and confirm the
structure with a CFA on another (the book's split-half step).

>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(1)
>>> F = rng.multivariate_normal([0, 0], [[1, .3], [.3, 1]], 500)
>>> L = np.array([[.8, 0], [.7, 0], [.6, .1], [0, .8], [0, .7], [.1, .6]])
>>> d = pd.DataFrame(F @ L.T + rng.standard_normal((500, 6)) * .55, columns=[f"y{i}" for i in range(1, 7)])
>>> res = efa(d, 2)
>>> res.loadings.abs().idxmax(axis=1).tolist(), round(float(res.loadings.loc["y1", "F1"]), 1)
(['F1', 'F1', 'F1', 'F2', 'F2', 'F2'], 0.8)
>>> round(float(res.phi.iloc[0, 1]), 2), int(res.fit["df"])
(0.25, 4)
>>> poly = efa((d * 2).round().clip(-3, 3).astype(int), 2, cor="polychoric")
>>> bool(poly.fit.isna().all()), bool(poly.bartlett.isna().all(axis=None)), poly.to_dict()["fit"]["chisq"]
(True, True, None)
>>> poly.notes[0].split(":")[0]
'polychoric correlations'
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd

from .._threads import blas_threads
from ..errors import EstimationError
from ..sem.fitmeasures import cfi, chisq_pvalue, rmsea, tli
from ..sem.ordinal import polychoric

__all__ = ["efa", "EFAResult", "split_half", "item_assignment", "rotate", "extract_ml", "extract_pa", "kmo", "bartlett", "parallel_analysis",
           "scree_plot", "correlation_matrix", "max_factors", "ROTATIONS"]

ROTATIONS = ("geomin", "oblimin", "promax", "varimax", "none")
_OBLIQUE = {"geomin", "oblimin", "promax"}


# ----------------------------------------------------------------------------- data -> correlations
def _numeric_items(data: pd.DataFrame) -> pd.DataFrame:
    """The item columns as numbers; a text cell is a DataError naming its row, column and value (never NaN)."""
    from ..sem.datacheck import numeric_column

    return pd.DataFrame({c: numeric_column(data, c) for c in data.columns}, index=data.index)


def _polychoric(X: pd.DataFrame) -> pd.DataFrame:
    """lavaan's polychoric correlations of complete rows of whole-number answers."""
    return polychoric(X.astype(int) if (X % 1 == 0).all().all() else X)


def cor_smooth(r: np.ndarray, eig_tol: float = 1e-12) -> np.ndarray:
    """psych's ``cor.smooth``: a correlation matrix made positive definite by its eigenvalues.

    Eigenvalues under ``eig_tol`` become ``100 * eig_tol``, all are rescaled to sum to the number of
    variables, the matrix is rebuilt and turned back into a correlation matrix (``cov2cor``).  Only applied to a
    matrix that is not positive definite (psych: smallest eigenvalue under the machine epsilon).

    >>> r = np.array([[1, .9, -.9], [.9, 1, .9], [-.9, .9, 1]])
    >>> s = cor_smooth(r)
    >>> bool(np.linalg.eigvalsh(s).min() > 0), np.round(s[0], 3).tolist()
    (True, [1.0, 0.5, -0.5])
    """
    val, vec = np.linalg.eigh(np.asarray(r, float))
    if val.min() >= np.finfo(float).eps:
        return np.asarray(r, float)
    val = np.where(val < eig_tol, 100 * eig_tol, val)
    val = val * len(val) / val.sum()
    x = (vec * val) @ vec.T
    d = 1 / np.sqrt(np.diag(x))
    return x * np.outer(d, d)


def correlation_matrix(data: pd.DataFrame, cor: str = "pearson", missing: str = "listwise", smooth: bool = False
                       ) -> tuple[pd.DataFrame, int, int]:
    """``(R, n, n_dropped)``: the items' correlation matrix on the listwise-complete rows, or with
    ``missing="pairwise"`` (Pearson only; psych's default ``use = "pairwise"``) each correlation on the
    rows complete on its pair; ``n`` is then the smallest pairwise count (conservative for the chi-square
    and Bartlett's test), ``n_dropped`` the rows with no item at all.

    >>> d = pd.DataFrame({"a": [1, 2, 3, 4, 5, 6.], "b": [2, 1, 4, 3, 6, 5.], "c": [1, 2, None, 4, 4, 5.]})
    >>> R, n, dropped = correlation_matrix(d)
    >>> round(float(R.loc["a", "b"]), 3), n, dropped
    (0.86, 5, 1)
    """
    if not isinstance(data, pd.DataFrame):
        raise EstimationError(None, "an EFA needs a DataFrame of at least three items")
    if data.shape[1] < 3:       # the CLI's --items GOV1,GOV2: say what was given
        got = ", ".join(map(str, data.columns)) or "none"
        raise EstimationError(None, f"an EFA needs at least three items; got {data.shape[1]} ({got})")
    num = _numeric_items(data)
    missing = missing.lower()
    if missing not in ("listwise", "pairwise"):
        raise EstimationError(None, f"missing={missing!r}: use 'listwise' or 'pairwise'")
    if missing == "pairwise":
        if cor.lower() != "pearson":
            raise EstimationError(None, "pairwise correlations are Pearson only; use missing='listwise' with "
                                        "polychoric correlations")
        ok = num.notna().any(axis=1)
        X = num.loc[ok]
        obs = X.notna().to_numpy(float)
        n = int((obs.T @ obs).min())
    else:
        ok = num.notna().all(axis=1)
        X = num.loc[ok]
        n = int(len(X))
    if n < data.shape[1] + 2:
        answered = num.notna().sum()
        why = ""
        if int(answered.min()) < data.shape[1] + 2:
            why = f" (item {answered.idxmin()!r} is answered by {int(answered.min())} row(s))"
        elif missing == "pairwise":
            cnt = obs.T @ obs
            i, j = np.unravel_index(np.argmin(cnt), cnt.shape)
            why = f" (items {X.columns[i]!r} and {X.columns[j]!r} are answered together by {int(cnt[i, j])} row(s))"
        what = "rows answer the least-answered pair of items" if missing == "pairwise" else "complete rows"
        raise EstimationError(None, f"only {n} {what} ({data.shape[1]} items): too few for an EFA{why}")
    const = [c for c in X.columns if X[c].std() == 0]
    if const:
        raise EstimationError(None, f"item {const[0]!r} has no variance")
    cor = cor.lower()
    if cor == "pearson":
        R = X.corr()                    # pairwise-complete when rows are incomplete
    elif cor == "polychoric":
        R = _polychoric(X)
    else:
        raise EstimationError(None, f"cor={cor!r}: use 'pearson' or 'polychoric'")
    ev = np.linalg.eigvalsh(R.to_numpy())
    if ev.min() <= 1e-10:
        if cor == "polychoric" and smooth:          # asked for: psych's polychoric(smooth = TRUE), with a warning
            R = pd.DataFrame(cor_smooth(R.to_numpy()), index=R.index, columns=R.columns)
            R.attrs["smoothed"] = float(ev.min())
            return R, n, int((~ok).sum())
        if cor == "polychoric":
            raise EstimationError(None, f"the polychoric correlation matrix is not positive definite (smallest "
                                        f"eigenvalue {ev.min():.3g}): sparse tables of ordinal items (rare categories, "
                                        "few rows); merge rare categories, drop an item, use cor='pearson', or "
                                        "smooth it as psych does (smooth=True, efa --smooth)")
        if missing == "pairwise" and ev.min() < -1e-10:
            raise EstimationError(None, f"the pairwise correlation matrix is not positive definite (smallest "
                                        f"eigenvalue {ev.min():.3g}): its correlations rest on different rows; use "
                                        "missing='listwise'")
        raise EstimationError(None, "the correlation matrix is not positive definite (collinear items?)")
    return R, n, int((~ok).sum())


def max_factors(p: int) -> int:
    """The largest number of factors an ML EFA of ``p`` items identifies (lavaan's efa() limit).

    >>> max_factors(9), max_factors(25)
    (5, 18)
    """
    pstar = p * (p + 1) / 2
    for k in range(1, p + 1):
        if k * p + k * (k + 1) / 2 + p - k * k > pstar:
            return k - 1
    return p


# ----------------------------------------------------------------------------- extraction
def _ml_obj_grad(psi: np.ndarray, S: np.ndarray, k: int) -> tuple[float, np.ndarray]:
    sc = 1.0 / np.sqrt(psi)
    Ss = S * np.outer(sc, sc)
    val, vec = np.linalg.eigh(Ss)
    val, vec = val[::-1], vec[:, ::-1]
    e = val[k:]
    f = -(np.sum(np.log(e) - e) - k + S.shape[0])
    load = vec[:, :k] * np.sqrt(np.maximum(val[:k] - 1.0, 0.0))
    load = load * np.sqrt(psi)[:, None]
    g = load @ load.T + np.diag(psi) - S
    return float(f), np.diag(g) / psi ** 2


def extract_ml(R: np.ndarray, k: int, *, lower: float = 0.005) -> tuple[np.ndarray, np.ndarray, float, bool]:
    """Maximum-likelihood factor extraction: ``(loadings, uniquenesses, F_ML, converged)``.

    The uniquenesses minimise the concentrated ML discrepancy (R's ``factanal`` objective and gradient;
    bounded below by ``lower``), the loadings are the unrotated ML solution.

    >>> R = np.array([[1, .56, .48], [.56, 1, .42], [.48, .42, 1]])
    >>> L, psi, F, ok = extract_ml(R, 1)
    >>> np.round(np.abs(L[:, 0]), 2).tolist(), ok
    ([0.8, 0.7, 0.6], True)
    """
    from scipy.optimize import minimize

    S = np.asarray(R, float)
    p = S.shape[0]
    start = (1 - 0.5 * k / p) / np.diag(np.linalg.inv(S))
    opt = minimize(_ml_obj_grad, np.clip(start, lower, 1.0), args=(S, k), jac=True, method="L-BFGS-B",
                   bounds=[(lower, 1.0)] * p, options={"ftol": 1e-14, "gtol": 1e-10, "maxiter": 5000})
    psi = opt.x
    sc = 1.0 / np.sqrt(psi)
    val, vec = np.linalg.eigh(S * np.outer(sc, sc))
    val, vec = val[::-1], vec[:, ::-1]
    L = vec[:, :k] * np.sqrt(np.maximum(val[:k] - 1.0, 0.0)) * np.sqrt(psi)[:, None]
    Sigma = L @ L.T + np.diag(psi)
    F = float(np.linalg.slogdet(Sigma)[1] + np.trace(np.linalg.solve(Sigma, S)) - np.linalg.slogdet(S)[1] - p)
    return L, psi, F, bool(opt.success)


def extract_pa(R: np.ndarray, k: int, *, min_err: float = 0.001, max_iter: int = 50
               ) -> tuple[np.ndarray, np.ndarray, bool]:
    """Principal-axis factoring as psych's ``fa(fm = "pa")``: ``(loadings, communalities, converged)``.

    Start from squared multiple correlations on the diagonal; iterate eigen-decompositions until the sum of
    the communalities changes by less than ``min_err`` (or ``max_iter`` steps, then not converged).  The
    loadings are the first ``k`` eigenvectors times the square roots of their eigenvalues: where the reduced
    matrix has fewer than ``k`` positive eigenvalues, a loading would be imaginary, and the extraction stops with
    an :class:`~iur_survey.errors.EstimationError` (psych stops too: "imaginary eigen value condition encountered
    in fa"; the square root of the absolute value would be a number without a meaning).

    >>> R = np.array([[1, .56, .48], [.56, 1, .42], [.48, .42, 1]])
    >>> L, h2, ok = extract_pa(R, 1)
    >>> np.round(np.abs(L[:, 0]), 2).tolist()
    [0.79, 0.7, 0.6]
    >>> extract_pa(R, 2)
    Traceback (most recent call last):
    ...
    iur_survey.errors.EstimationError: principal-axis factoring of 2 factors: the reduced correlation matrix (communalities on its diagonal) has 1 positive eigenvalue at step 1 (the 2nd is -0.115), so a loading would be imaginary (psych: 'imaginary eigen value condition'); extract at most 1 factor, or use the ML extraction
    """
    r = np.asarray(R, float)
    rm = r.copy()
    np.fill_diagonal(rm, 1.0 - 1.0 / np.diag(np.linalg.inv(r)))
    comm = float(np.trace(r))
    converged = False
    L = np.zeros((r.shape[0], k))
    for step in range(max_iter):
        val, vec = np.linalg.eigh(rm)
        val, vec = val[::-1][:k], vec[:, ::-1][:, :k]
        if val[-1] <= 0:
            m = int(np.sum(val > 0))
            raise EstimationError(None, f"principal-axis factoring of {k} factors: the reduced correlation matrix "
                                        f"(communalities on its diagonal) has {m} positive eigenvalue"
                                        f"{'' if m == 1 else 's'} at step {step + 1} (the {_ordinal(m + 1)} is "
                                        f"{val[m]:.3g}), so a loading would be imaginary (psych: 'imaginary eigen "
                                        f"value condition'); extract at most {m} factor{'' if m == 1 else 's'}, or "
                                        f"use the ML extraction")
        L = vec * np.sqrt(val)
        new = np.sum(L ** 2, axis=1)
        comm1 = float(new.sum())
        np.fill_diagonal(rm, new)
        err = abs(comm - comm1)
        comm = comm1
        if err < min_err:
            converged = True
            break
    return L, np.sum(L ** 2, axis=1), converged


def _ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``4th``, ``11th``, ``22nd``."""
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


# ----------------------------------------------------------------------------- rotation
def _vgq_geomin(L: np.ndarray, eps: float) -> tuple[float, np.ndarray]:
    k = L.shape[1]
    L2 = L ** 2 + eps
    pro = np.exp(np.sum(np.log(L2), axis=1) / k)
    return float(pro.sum()), (2.0 / k) * (L / L2) * pro[:, None]


def _vgq_oblimin(L: np.ndarray, gamma: float = 0.0) -> tuple[float, np.ndarray]:
    X = L ** 2 @ (1 - np.eye(L.shape[1]))
    if gamma:
        X = (np.eye(L.shape[0]) - gamma / L.shape[0]) @ X
    return float(np.sum(L ** 2 * X) / 4), L * X


def _varimax(A: np.ndarray, eps: float = 1e-5) -> tuple[np.ndarray, np.ndarray]:
    """R's ``stats::varimax(normalize = TRUE, eps = 1e-5)``: ``(rotated, rotmat)``."""
    sc = np.sqrt(np.sum(A ** 2, axis=1))
    x = A / sc[:, None]
    p, nc = x.shape
    TT = np.eye(nc)
    d = 0.0
    for _ in range(1000):
        z = x @ TT
        B = x.T @ (z ** 3 - z @ np.diag(np.sum(z ** 2, axis=0)) / p)
        u, s, vt = np.linalg.svd(B)
        TT = u @ vt
        dpast, d = d, float(s.sum())
        if d < dpast * (1 + eps):
            break
    return (x @ TT) * sc[:, None], TT


def _promax(A: np.ndarray, m: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """psych's ``fa(rotate = "promax")``: ``kaiser(A, "Promax")``, i.e. rows normalized to unit length, the
    power-``m`` target on their varimax solution (R's ``promax``), rows rescaled; ``(pattern, Phi)``."""
    w = np.sqrt(np.sum(A ** 2, axis=1))
    x, rot = _varimax(A / w[:, None])
    Q = x * np.abs(x) ** (m - 1)
    U = np.linalg.lstsq(x, Q, rcond=None)[0]
    d = np.diag(np.linalg.inv(U.T @ U))
    U = U @ np.diag(np.sqrt(d))
    z = x @ U
    U = rot @ U
    ui = np.linalg.inv(U)
    return z * w[:, None], ui @ ui.T


def _random_rotation(rng: np.random.Generator, k: int) -> np.ndarray:
    q, r = np.linalg.qr(rng.standard_normal((k, k)))
    return q * np.sign(np.diag(r))


def rotate(A: np.ndarray, method: str = "geomin", *, geomin_epsilon: float = 0.001, rstarts: int = 30,
           seed: int = 20221, tol: float = 1e-5) -> tuple[np.ndarray, np.ndarray, float]:
    """Rotate unrotated loadings ``A``: ``(pattern, Phi, criterion)`` (see the module docstring).

    >>> A = np.array([[.7, .3], [.6, .35], [.6, -.3], [.5, -.35]])
    >>> P, Phi, f = rotate(A, "varimax")
    >>> np.allclose(P @ P.T, A @ A.T), np.round(Phi, 6).tolist()
    (True, [[1.0, 0.0], [0.0, 1.0]])
    """
    from statsmodels.multivariate.factor_rotation._gpa_rotation import GPA

    A = np.asarray(A, float)
    k = A.shape[1]
    method = method.lower()
    if method not in ROTATIONS:
        raise EstimationError(None, f"rotation {method!r}: use one of {', '.join(ROTATIONS)}")
    if k < 2 or method == "none":
        return A.copy(), np.eye(k), 0.0
    if method == "varimax":
        P, _ = _varimax(A)
        return P, np.eye(k), float("nan")
    if method == "promax":
        P, Phi = _promax(A)
        return P, Phi, float("nan")
    if method == "oblimin":
        vgq = _vgq_oblimin
        starts = [np.eye(k)]
    else:
        def vgq(L):
            return _vgq_geomin(L, geomin_epsilon)
        rng = np.random.default_rng(seed)
        starts = [np.eye(k)] + [_random_rotation(rng, k) for _ in range(rstarts)]
    best = None
    for T0 in starts:
        L, phi, T, _table = GPA(A, vgQ=lambda L: vgq(L), T=T0, rotation_method="oblique", tol=tol,
                                max_tries=10000)
        f = vgq(L)[0]
        if best is None or f < best[2] - 1e-12:
            best = (L, phi, f)
    return best[0], best[1], best[2]


def _reflect_and_order(P: np.ndarray, Phi: np.ndarray, *, by_variance: bool = False
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Reflect each factor to a positive sum of loadings and order them as lavaan (``order.lv.by = "index"``:
    by the first item on which each has its largest loading) or, ``by_variance`` (the unrotated solution),
    by decreasing sum of squared loadings (F1 the largest factor, as psych and factanal)."""
    sign = np.where(P.sum(axis=0) < 0, -1.0, 1.0)
    P = P * sign
    Phi = Phi * np.outer(sign, sign)
    if by_variance:
        order = np.argsort(-np.sum(P ** 2, axis=0), kind="stable")
    else:
        order = np.argsort(np.argmax(np.abs(P), axis=0), kind="stable")
    return P[:, order], Phi[np.ix_(order, order)]


# ----------------------------------------------------------------------------- adequacy
def kmo(data_or_r: pd.DataFrame) -> pd.DataFrame:
    """Kaiser-Meyer-Olkin measure of sampling adequacy (psych ``KMO``): one row per item (``MSAi``) and an
    ``overall`` row; ``adequate`` flags MSA >= .60 (Kaiser's "mediocre" floor).

    Accepts the data (Pearson correlations of the complete rows) or a correlation matrix (square, symmetric,
    unit diagonal).  psych's ``KMO`` of data with missing cells takes pairwise correlations instead, so the two
    differ there (psych::bfi, 2800 rows, 364 incomplete: .8486 here, psych .8459; equal on the complete rows).

    >>> R = pd.DataFrame(np.array([[1, .5, .4], [.5, 1, .3], [.4, .3, 1]]), index=list("abc"), columns=list("abc"))
    >>> kmo(R).round(3)["MSA"].tolist()
    [0.594, 0.624, 0.699, 0.628]
    """
    R = _as_corr(data_or_r)
    r = R.to_numpy()
    Q = np.linalg.inv(r)
    s = 1.0 / np.sqrt(np.diag(Q))
    Q = -Q * np.outer(s, s)
    np.fill_diagonal(Q, 0.0)
    r0 = r.copy()
    np.fill_diagonal(r0, 0.0)
    r2, q2 = r0 ** 2, Q ** 2
    msa = float(r2.sum() / (r2.sum() + q2.sum()))
    msai = r2.sum(axis=0) / (r2.sum(axis=0) + q2.sum(axis=0))
    out = pd.DataFrame({"MSA": list(msai) + [msa]}, index=list(R.columns) + ["overall"])
    out["adequate"] = out["MSA"] >= 0.60
    return out


def bartlett(data_or_r: pd.DataFrame, n: int | None = None) -> pd.DataFrame:
    """Bartlett's test of sphericity (psych ``cortest.bartlett``): ``chisq df p.value``.

    ``n`` is needed when a correlation matrix is given.  Of data: the correlations of the complete rows and ``n``
    their number.  psych's ``cortest.bartlett`` of data with missing cells takes pairwise correlations and
    ``n`` = all rows, incomplete ones too, which overstates the statistic (psych::bfi, 2800 rows, 364
    incomplete: chisq 18146.1 with n = 2436 here, psych 20163.8 with n = 2800; equal on the complete rows).

    >>> R = pd.DataFrame(np.array([[1, .5, .4], [.5, 1, .3], [.4, .3, 1]]), index=list("abc"), columns=list("abc"))
    >>> bartlett(R, n=100).round(3).to_dict("records")
    [{'chisq': 46.449, 'df': 3.0, 'p.value': 0.0}]
    """
    R = _as_corr(data_or_r)
    if n is None:
        if _is_corr(data_or_r):
            raise EstimationError(None, "bartlett(): give n with a correlation matrix")
        n = int(data_or_r.dropna().shape[0])
    p = R.shape[0]
    chisq = -((n - 1) - (2 * p + 5) / 6) * float(np.linalg.slogdet(R.to_numpy())[1])
    df = p * (p - 1) / 2
    return pd.DataFrame({"chisq": [chisq], "df": [df], "p.value": [chisq_pvalue(chisq, df)]})


def _is_corr(x) -> bool:
    return (isinstance(x, pd.DataFrame) and x.shape[0] == x.shape[1] and list(x.index) == list(x.columns)
            and np.allclose(np.diag(x.to_numpy(float)), 1.0))


def _as_corr(x) -> pd.DataFrame:
    if _is_corr(x):
        return x.astype(float)
    return correlation_matrix(x)[0]


# ----------------------------------------------------------------------------- number of factors
def parallel_analysis(data: pd.DataFrame, *, n_iter: int = 50, quantile: float = 0.95, seed: int = 2022,
                      cor: str = "pearson", missing: str = "listwise", smooth: bool = False) -> pd.DataFrame:
    """Horn's parallel analysis: per position, the observed eigenvalues of the correlation matrix
    (``pc``) and of the reduced matrix with squared multiple correlations on the diagonal (``fa``; psych's
    ``fa.parallel(SMC = TRUE)``), and the ``quantile`` of those of ``n_iter`` random data sets of the same size
    (``pc_random``, ``fa_random``).  ``attrs["n_factors"]`` / ``attrs["n_components"]``: the leading positions
    where the observed eigenvalue exceeds the random one.

    The random data sets (``attrs["baseline"]``): with Pearson correlations, normal data (``"normal"``); with
    polychoric correlations, the items' own answers with each column permuted independently, and their
    polychoric correlations (``"permuted"``: psych's resampling baseline, ``fa.parallel(cor = "poly")``'s
    ``fa.simr``).  Polychoric correlations vary far more than Pearson ones of normal data, so a normal baseline
    would count noise as factors (one-factor three-category items: four factors).

    >>> rng = np.random.default_rng(1)
    >>> F = rng.standard_normal((400, 2))
    >>> d = pd.DataFrame(np.repeat(F, 3, axis=1) * .8 + rng.standard_normal((400, 6)) * .6)
    >>> pa = parallel_analysis(d, n_iter=20)
    >>> pa.attrs["n_factors"], pa.attrs["n_components"], pa.attrs["baseline"]
    (2, 2, 'normal')
    >>> o = pd.DataFrame(np.digitize(d, [-.5, .7]))
    >>> pa = parallel_analysis(o, n_iter=20, cor="polychoric")
    >>> pa.attrs["n_factors"], pa.attrs["baseline"]
    (2, 'permuted')
    """
    R, n, _ = correlation_matrix(data, cor, missing, smooth)
    p = R.shape[0]
    rng = np.random.default_rng(seed)

    def eig(r):
        rr = r.copy()
        with np.errstate(divide="ignore", invalid="ignore"):
            smc = 1.0 - 1.0 / np.diag(np.linalg.pinv(r))
        np.fill_diagonal(rr, np.clip(np.nan_to_num(smc, nan=1.0), 0.0, 1.0))     # psych::smc's bounds
        return np.sort(np.linalg.eigvalsh(r))[::-1], np.sort(np.linalg.eigvalsh(rr))[::-1]

    obs_pc, obs_fa = eig(R.to_numpy())
    sims_pc, sims_fa = np.empty((n_iter, p)), np.empty((n_iter, p))
    poly = cor.lower() == "polychoric"
    if poly:
        X = _numeric_items(data).dropna()
        A = X.to_numpy()
    for i in range(n_iter):
        if poly:
            Y = pd.DataFrame(np.column_stack([rng.permutation(A[:, j]) for j in range(p)]), columns=X.columns)
            r = _polychoric(Y).to_numpy()
        else:
            r = np.corrcoef(rng.standard_normal((n, p)), rowvar=False)
        sims_pc[i], sims_fa[i] = eig(r)
    out = pd.DataFrame({"pc": obs_pc, "pc_random": np.quantile(sims_pc, quantile, axis=0),
                        "fa": obs_fa, "fa_random": np.quantile(sims_fa, quantile, axis=0)},
                       index=pd.RangeIndex(1, p + 1, name="position"))

    def lead(a, b):         # a factor also needs a positive eigenvalue (of the reduced matrix: extract_pa)
        k = 0
        while k < p and a[k] > b[k] and a[k] > 0:
            k += 1
        return k
    out.attrs["n_factors"] = lead(out["fa"].to_numpy(), out["fa_random"].to_numpy())
    out.attrs["n_components"] = lead(out["pc"].to_numpy(), out["pc_random"].to_numpy())
    out.attrs["n_iter"], out.attrs["quantile"], out.attrs["seed"] = n_iter, quantile, seed
    out.attrs["baseline"] = "permuted" if poly else "normal"
    return out


def scree_plot(pa: pd.DataFrame, path=None, *, title: str = "Scree plot and parallel analysis"):
    """The scree plot of :func:`parallel_analysis` (observed and random eigenvalues); saved to ``path``
    (SVG/PDF/PNG by its suffix) when given.  Returns the matplotlib figure.

    >>> pa = pd.DataFrame({"pc": [3.0, 1.2, .5], "pc_random": [1.3, 1.1, .9], "fa": [2.5, .7, .1],
    ...                    "fa_random": [.4, .2, .0]}, index=[1, 2, 3])
    >>> fig = scree_plot(pa)
    >>> len(fig.axes[0].lines)       # four series and the eigenvalue-1 line
    5
    """
    from matplotlib.figure import Figure      # no pyplot: no global state, any backend

    fig = Figure(figsize=(6, 4))
    ax = fig.subplots()
    x = np.asarray(pa.index)
    ax.plot(x, pa["pc"], "o-", color="tab:blue", label="components (observed)")
    ax.plot(x, pa["pc_random"], "--", color="tab:blue", alpha=.6, label="components (random, 95%)")
    ax.plot(x, pa["fa"], "s-", color="tab:red", label="factors (observed)")
    ax.plot(x, pa["fa_random"], "--", color="tab:red", alpha=.6, label="factors (random, 95%)")
    ax.axhline(1.0, color="grey", lw=.8)
    ax.set_xlabel("position")
    ax.set_ylabel("eigenvalue")
    ax.set_title(title)
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path)
    return fig


# ----------------------------------------------------------------------------- split-half validation
def split_half(data: pd.DataFrame, seed: int = 2022) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two random halves of the rows (the first has the extra row of an odd count): explore on one,
    confirm on the other.

    >>> a, b = split_half(pd.DataFrame({"x": range(7)}), seed=1)
    >>> len(a), len(b), sorted(a["x"].tolist() + b["x"].tolist()) == list(range(7))
    (4, 3, True)
    """
    order = np.random.default_rng(seed).permutation(len(data))
    cut = (len(data) + 1) // 2
    return data.iloc[np.sort(order[:cut])], data.iloc[np.sort(order[cut:])]


def item_assignment(loadings: pd.DataFrame, construct_of: dict[str, str]) -> pd.DataFrame:
    """Each item's largest loading and whether it sits on its construct's own factor: ``item construct factor
    loading cross home matches``, ``cross`` the largest absolute loading elsewhere, ``home`` the construct's
    factor.

    The constructs get their factors one-to-one (the Hungarian assignment, ``scipy.optimize.linear_sum_assignment``,
    maximizing the summed absolute loadings of each construct's items on its factor): two constructs whose items
    all load on one factor cannot both call it theirs, so the items of the one that does not get it do not
    match (a merge of two constructs is reported, never "all items match").  A construct left without a
    factor (more constructs than factors) has ``home`` None and no matching item.

    >>> L = pd.DataFrame({"F1": [.8, .7, .1, .0, .5], "F2": [.0, .1, .7, .8, .45]},
    ...                  index=["a1", "a2", "b1", "b2", "b3"])
    >>> item_assignment(L, {"a1": "A", "a2": "A", "b1": "B", "b2": "B", "b3": "B"})["matches"].tolist()
    [True, True, True, True, False]

    A and B merged on F1 (C on F2, F3 empty): B gets F3 and none of its items match.

    >>> L = pd.DataFrame({"F1": [.8, .7, .7, .8, 0, 0], "F2": [0, 0, 0, 0, .8, .7], "F3": [.1] * 6},
    ...                  index=["a1", "a2", "b1", "b2", "c1", "c2"])
    >>> a = item_assignment(L, {i: i[0].upper() for i in L.index})
    >>> a["home"].tolist(), a["matches"].tolist()
    (['F1', 'F1', 'F3', 'F3', 'F2', 'F2'], [True, True, False, False, True, True])
    """
    from scipy.optimize import linear_sum_assignment

    top = loadings.abs().idxmax(axis=1)
    constructs = [c for c in dict.fromkeys(construct_of.get(i) for i in loadings.index) if c is not None]
    mass = np.array([[loadings.loc[[i for i in loadings.index if construct_of.get(i) == c], f].abs().sum()
                      for f in loadings.columns] for c in constructs])
    home: dict[str, Any] = {c: None for c in constructs}
    if len(constructs):
        rows_, cols_ = linear_sum_assignment(mass, maximize=True)
        home.update({constructs[r]: loadings.columns[k] for r, k in zip(rows_, cols_)})
    rows = []
    for i in loadings.index:
        f = top[i]
        rest = loadings.loc[i].drop(f).abs()
        h = home.get(construct_of.get(i))
        rows.append({"item": i, "construct": construct_of.get(i), "factor": f, "loading": float(loadings.loc[i, f]),
                     "cross": float(rest.max()) if len(rest) else float("nan"), "home": h,
                     "matches": bool(h is not None and h == f)})
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- the analysis
@dataclass
class EFAResult:
    """An exploratory factor analysis (see :func:`efa`)."""

    loadings: pd.DataFrame          # items x F1..Fk (rotated pattern, standardized)
    phi: pd.DataFrame               # factor correlations
    communalities: pd.Series
    uniquenesses: pd.Series
    fit: pd.Series                  # ML only: chisq df pvalue rmsea tli cfi (lavaan), F_ML; NaN if polychoric
    n: int
    n_dropped: int
    k: int
    rotation: str
    extraction: str
    cor: str
    converged: bool
    kmo: pd.DataFrame
    bartlett: pd.DataFrame          # NaN if polychoric
    parallel: pd.DataFrame | None = None
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """efa.json: ``loadings`` as a list of ``{item, F1, F2, ...}``, ``phi``, ``communalities``, ``fit``,
        ``kmo``, ``bartlett``, ``parallel`` (when run), settings, warnings and notes (fit and Bartlett are
        null with polychoric correlations; ``notes`` says why)."""
        def num(v):
            v = float(v)
            return v if math.isfinite(v) else None
        out: dict[str, Any] = {
            "n": self.n, "n_dropped": self.n_dropped, "factors": self.k, "rotation": self.rotation,
            "extraction": self.extraction, "cor": self.cor, "converged": self.converged,
            "loadings": [{"item": str(i), **{c: num(v) for c, v in row.items()}}
                         for i, row in self.loadings.iterrows()],
            "phi": [[num(v) for v in row] for row in self.phi.to_numpy()],
            "communalities": {str(k): num(v) for k, v in self.communalities.items()},
            "fit": {k: num(v) for k, v in self.fit.items()},
            "kmo": {str(k): num(v) for k, v in self.kmo["MSA"].items()},
            "bartlett": {k: num(v) for k, v in self.bartlett.iloc[0].items()},
            "warnings": list(self.warnings), "notes": list(self.notes)}
        if self.parallel is not None:
            out["parallel"] = {"n_factors": int(self.parallel.attrs["n_factors"]),
                               "n_components": int(self.parallel.attrs["n_components"]),
                               "baseline": self.parallel.attrs.get("baseline", "normal"),
                               "eigenvalues": [{"position": int(i), **{c: num(v) for c, v in r.items()}}
                                               for i, r in self.parallel.iterrows()]}
        return out

    def summary(self, cutoff: float = 0.30, *, with_warnings: bool = True) -> str:
        """The terminal summary: fit, KMO / Bartlett, loadings at or above ``cutoff``, then the warnings (unless
        ``with_warnings`` is False: ``iur-survey efa`` prints them on stderr) and notes."""
        lines = [f"EFA: {self.k} factor(s), {self.extraction.upper()} extraction on {self.cor} correlations, "
                 f"{self.rotation} rotation; n = {self.n}" + (f" ({self.n_dropped} incomplete rows dropped)"
                                                                if self.n_dropped else "")]
        def fmt(v, spec):
            v = float(v)
            return format(v, spec) if math.isfinite(v) else "n/a"
        if len(self.fit):
            f = self.fit
            lines.append(f"  chisq = {fmt(f['chisq'], '.3f')}, df = {fmt(f['df'], '.0f')}, "
                         f"p = {fmt(f['pvalue'], '.3f')}, RMSEA = {fmt(f['rmsea'], '.3f')}, "
                         f"TLI = {fmt(f['tli'], '.3f')}, CFI = {fmt(f['cfi'], '.3f')}")
        b = self.bartlett.iloc[0]
        lines.append(f"  KMO = {self.kmo.loc['overall', 'MSA']:.3f}"
                     + (" (of the polychoric matrix)" if self.cor == "polychoric" else "")
                     + f"; Bartlett chisq = {fmt(b['chisq'], '.1f')}, df = {fmt(b['df'], '.0f')}")
        shown = self.loadings.where(self.loadings.abs() >= cutoff)
        lines.append(shown.round(3).to_string(na_rep="."))
        lines.append(f"  (\".\": |loading| < {cutoff:.2f}; every loading is in efa.json)")
        for w in self.warnings if with_warnings else ():
            lines.append(f"  warning: {w}")
        for m in self.notes:
            lines.append(f"  note: {m}")
        return "\n".join(lines)


def efa(data: pd.DataFrame, k: int | str = "auto", **kwargs) -> EFAResult:
    """Exploratory factor analysis of ``data``'s items (default: every column); see the module docstring.

    ``k`` = number of factors, or ``"auto"`` (parallel analysis: its ``n_factors``, at least 1).
    Keywords: ``rotation`` ("geomin"), ``extraction`` ("ml" | "pa"), ``cor`` ("pearson" | "polychoric"),
    ``items`` (default: every column), ``missing`` ("listwise" | "pairwise"), ``parallel`` (True: store the parallel analysis even with ``k``
    given; always with ``k="auto"``), ``seed`` (of the parallel analysis), ``smooth`` (False: a polychoric
    matrix that is not positive definite is refused; True: smoothed as psych's ``cor.smooth``
    (:func:`cor_smooth`), with a warning).
    """
    with blas_threads(1):          # small matrices: threaded BLAS only adds overhead on shared cores
        return _efa(data, k, **kwargs)


def _efa(data: pd.DataFrame, k: int | str = "auto", *, rotation: str = "geomin", extraction: str = "ml",
        cor: str = "pearson", items: Sequence[str] | None = None, parallel: bool | None = None,
        seed: int = 2022, missing: str = "listwise", smooth: bool = False) -> EFAResult:
    if items is not None:
        absent = [c for c in items if c not in data.columns]
        if absent:
            raise EstimationError(None, f"item {absent[0]!r} is not a column of the data")
        data = data[list(items)]
    rotation, extraction = rotation.lower(), extraction.lower()
    if rotation not in ROTATIONS:
        raise EstimationError(None, f"rotation {rotation!r}: use one of {', '.join(ROTATIONS)}")
    if extraction not in ("ml", "pa"):
        raise EstimationError(None, f"extraction {extraction!r}: use 'ml' or 'pa'")
    cor = cor.lower()
    R, n, dropped = correlation_matrix(data, cor, missing, smooth)
    poly = cor == "polychoric"
    warnings: list[str] = []
    notes: list[str] = []
    if "smoothed" in R.attrs:
        warnings.append(f"the polychoric correlation matrix was not positive definite (smallest eigenvalue "
                        f"{R.attrs['smoothed']:.3g}) and was smoothed as psych's cor.smooth does (smooth=True): "
                        "the solution is that of a matrix the data did not give; merging rare categories is better")
    if dropped:
        warnings.append(f"{dropped} row(s) with a missing item were dropped (listwise)" if missing == "listwise"
                        else f"{dropped} row(s) with no item were dropped")
    if missing == "pairwise":
        warnings.append(f"pairwise correlations: n = {n}, the smallest number of rows complete on a pair")
    if poly:
        many = {c: int(n_cat) for c, n_cat in _numeric_items(data).nunique().items() if n_cat > 8}
        if many:
            warnings.append("polychoric correlations of item(s) with more than 8 categories ("
                            + ", ".join(f"{c}: {m}" for c, m in list(many.items())[:5])
                            + "): psych's polychoric() refuses them; such items are better treated as continuous "
                              "(cor='pearson')")
    pa = None
    if k == "auto" or parallel:
        pa = parallel_analysis(data, cor=cor, seed=seed, missing=missing, smooth=smooth)
    p = R.shape[0]
    kmax = max_factors(p)
    if k == "auto":
        suggested = int(pa.attrs["n_factors"])
        if suggested > kmax:
            raise EstimationError(None, f"parallel analysis suggests {suggested} factor(s), but {p} items identify at "
                                        f"most {kmax}: give --factors K (factors=K)")
        if suggested < 1:
            warnings.append("parallel analysis finds no factor above random data (0 factors); 1 factor was fitted "
                            "anyway: the items may share no common factor")
        k = max(1, suggested)
    k = int(k)
    if k < 1 or k > kmax:
        raise EstimationError(None, f"{k} factor(s) for {p} items: between 1 and {kmax} can be identified")
    r = R.to_numpy()
    fit = pd.Series(dtype=float)
    if extraction == "ml":
        A, psi, F, ok = extract_ml(r, k)
        if np.any(psi <= 0.0051):
            warnings.append("a uniqueness is at its lower bound 0.005 (a Heywood case; R factanal's bound)"
                            + ("" if poly else ": lavaan's efa() lets it go to ~0, so the fit differs slightly "
                                               "from lavaan's"))
        if poly:                # N F_ML of a polychoric matrix is no chi-square: report no fit
            fit = pd.Series({m: math.nan for m in ("chisq", "df", "pvalue", "rmsea", "tli", "cfi", "fmin")})
        else:
            df = ((p - k) ** 2 - (p + k)) / 2
            X2 = n * F
            base = -n * float(np.linalg.slogdet(r)[1])
            base_df = p * (p - 1) / 2
            fit = pd.Series({"chisq": X2, "df": df, "pvalue": chisq_pvalue(X2, df), "rmsea": rmsea(X2, df, n),
                             "tli": tli(X2, df, base, base_df), "cfi": cfi(X2, df, base, base_df),
                             "fmin": F / 2})
    else:
        A, _h2, ok = extract_pa(r, k)
        over = [(str(c), float(h)) for c, h in zip(R.columns, _h2) if h >= 0.995]
        if over:
            kind = "an ultra-Heywood case" if max(h for _, h in over) > 1.0 else "a Heywood case"
            warnings.append(f"{kind}: communality " + ", ".join(f"of {c} {h:.3f}" for c, h in over)
                            + " (uniqueness " + ", ".join(f"{1 - h:.3f}" for _, h in over) + "): the principal-axes "
                              "solution is improper and not interpretable (psych warns too); try fewer factors or ML")
    if poly:
        what = ("no chi-square, df, p, RMSEA, TLI, CFI and no Bartlett's test (null): the ML extraction treats "
                "the polychoric matrix as a Pearson one, so N x F_ML and Bartlett's statistic are not chi-square "
                "distributed" if extraction == "ml" else
                "no Bartlett's test (null): its statistic of a polychoric matrix is not chi-square distributed")
        notes.append(f"polychoric correlations: {what}. The solution is psych::fa(cor = \"poly\", "
                     f"fm = \"{extraction}\")'s (rotated as here), not lavaan's efa(ordered = TRUE) (DWLS "
                     "estimates, WLSMV fit). KMO is computed from the polychoric matrix (a descriptive index).")
    bart = bartlett(R, n)
    if poly:
        bart.loc[:, :] = math.nan
    if not ok:
        warnings.append(f"{extraction.upper()} extraction did not converge")
    P, Phi, _crit = rotate(A, rotation)
    P, Phi = _reflect_and_order(P, Phi, by_variance=rotation == "none")
    names = [f"F{j}" for j in range(1, k + 1)]
    loadings = pd.DataFrame(P, index=R.columns, columns=names)
    h2 = pd.Series(np.einsum("ij,jk,ik->i", P, Phi, P), index=R.columns, name="communality")
    return EFAResult(loadings=loadings, phi=pd.DataFrame(Phi, index=names, columns=names), communalities=h2,
                     uniquenesses=(1 - h2).rename("uniqueness"), fit=fit, n=n, n_dropped=dropped, k=k,
                     rotation=rotation, extraction=extraction, cor=cor, converged=ok, kmo=kmo(R),
                     bartlett=bart, parallel=pa, warnings=warnings, notes=notes)
