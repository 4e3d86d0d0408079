"""The optimisers: :func:`minimize` for one fit (Fisher scoring with a line search, then Newton polishing) and
:func:`minimize_batch` for a stack of refits of one model (bootstrap draws), which hands back the rows it does
not finish so that the caller refits them with :func:`minimize`.

:func:`minimize` minimises a discrepancy function given callables for its
value, its gradient and a positive-definite curvature matrix (the expected
information for ML; any approximation of the Hessian works):

1. Fisher scoring ``theta <- theta - a I^-1 g`` with backtracking on ``a``
   (a step that leaves the admissible region, e.g. a non positive-definite
   Sigma, counts as an increase);
2. when scoring stalls, scipy's BFGS with the analytic gradient takes over;
3. near the optimum a few Newton steps with the Hessian obtained by
   differencing the analytic gradient drive the gradient to ~1e-12, so that
   estimates agree with lavaan's to well below 1e-6.

Variances are not bounded (as in lavaan): a Heywood case comes out negative
and the caller warns about it.

>>> import numpy as np
>>> f = lambda x: float((x[0] - 1) ** 2 + 10 * (x[1] + 2) ** 2 + x[0] ** 4)
>>> g = lambda x: np.array([2 * (x[0] - 1) + 4 * x[0] ** 3, 20 * (x[1] + 2)])
>>> h = lambda x: np.diag([2 + 12 * x[0] ** 2, 20.0])
>>> res = minimize(f, g, h, np.zeros(2))
>>> res.converged, np.round(res.x, 6).tolist()
(True, [0.589755, -2.0])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from scipy import linalg

__all__ = ["OptimResult", "minimize", "minimize_batch", "numerical_hessian", "OK", "FAILED", "NONCONVERGED"]


@dataclass
class OptimResult:
    x: np.ndarray
    fun: float
    grad: np.ndarray
    converged: bool
    iterations: int
    message: str = ""
    history: list[str] = field(default_factory=list)


def numerical_hessian(grad: Callable[[np.ndarray], np.ndarray], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Symmetrised central-difference Jacobian of an analytic gradient.

    >>> H = numerical_hessian(lambda x: np.array([2 * x[0] + x[1], x[0] + 6 * x[1]]), np.zeros(2))
    >>> np.round(H, 6).tolist()
    [[2.0, 1.0], [1.0, 6.0]]
    """
    x = np.asarray(x, float)
    n = x.size
    H = np.empty((n, n))
    for i in range(n):
        step = h * max(1.0, abs(x[i]))
        e = np.zeros(n)
        e[i] = step
        H[:, i] = (grad(x + e) - grad(x - e)) / (2 * step)
    return 0.5 * (H + H.T)


def _solve(A: np.ndarray, b: np.ndarray) -> np.ndarray | None:
    try:
        return linalg.cho_solve(linalg.cho_factor(A, lower=True, check_finite=False), b, check_finite=False)
    except (np.linalg.LinAlgError, ValueError):
        pass
    try:
        x = np.linalg.lstsq(A, b, rcond=1e-12)[0]
        return x if np.all(np.isfinite(x)) else None
    except np.linalg.LinAlgError:
        return None


def minimize(fun: Callable[[np.ndarray], float], grad: Callable[[np.ndarray], np.ndarray],
             curvature: Callable[[np.ndarray], np.ndarray], x0: np.ndarray, *,
             max_iter: int = 500, gtol: float = 1e-10, polish: bool = True,
             fun_grad_curv: Callable | None = None) -> OptimResult:
    """Minimise ``fun``; see the module docstring.

    ``curvature(x)`` returns a (positive-definite) curvature matrix; when
    ``fun_grad_curv(x) -> (g, C)`` is given it is used to get both at once.
    Convergence: max |gradient| < ``gtol`` (or, at the limit of floating-point
    precision, no further decrease with max |gradient| < 1e-7).
    """
    x = np.asarray(x0, float).copy()
    hist: list[str] = []
    f = fun(x)
    if not np.isfinite(f):
        return OptimResult(x, f, np.full_like(x, np.nan), False, 0, "the start values are not admissible",
                           hist)
    it = 0
    status = "max_iter"
    g = np.full_like(x, np.nan)
    while it < max_iter:
        if fun_grad_curv is not None:
            g, C = fun_grad_curv(x)
        else:
            g, C = grad(x), curvature(x)
        if not np.all(np.isfinite(g)):
            status = "nan"
            break
        gmax = float(np.max(np.abs(g))) if g.size else 0.0
        if gmax < gtol:
            status = "converged"
            break
        it += 1
        step = _solve(C, -g) if np.all(np.isfinite(C)) else None
        if step is None or float(g @ step) >= 0:
            step = -g
        slope = float(g @ step)
        if -slope < 1e-12 * max(1.0, abs(f)):
            # the predicted decrease is below the resolution of f: judge the full step by the gradient
            xn = x + step
            fn = fun(xn)
            if np.isfinite(fn) and fn <= f + 1e-12 * max(1.0, abs(f)):
                gn = grad(xn)
                if np.all(np.isfinite(gn)) and np.max(np.abs(gn)) < 0.9 * gmax:
                    x, f = xn, min(f, fn)
                    continue
            status = "floor" if gmax < 1e-7 else "stalled"
            break
        a = 1.0
        accepted = False
        for _ in range(50):
            xn = x + a * step
            fn = fun(xn)
            if np.isfinite(fn) and fn <= f + 1e-4 * a * slope:
                accepted = True
                break
            a *= 0.5
        if not accepted:
            status = "floor" if gmax < 1e-7 else "stalled"
            break
        x, f = xn, fn
    hist.append(f"scoring: {it} iterations, f={f:.12g}, status {status}")
    if status in ("stalled", "nan", "max_iter"):
        from scipy import optimize      # the fallback only: keep the import off the common path
        res = optimize.minimize(fun, x, jac=grad, method="BFGS",
                                options={"gtol": gtol, "maxiter": 20 * max_iter if max_iter > 10 else max_iter})
        if np.isfinite(res.fun) and res.fun <= f + 1e-12 * max(1.0, abs(f)):
            x, f = res.x, float(res.fun)
        hist.append(f"BFGS: {res.nit} iterations, f={f:.12g} ({res.message})")
        it += int(res.nit)
        g = grad(x)
        if polish and np.all(np.isfinite(g)):
            for _ in range(min(6, max_iter)):
                if np.max(np.abs(g)) < gtol:
                    break
                step = _solve(numerical_hessian(grad, x), -g)
                if step is None:
                    break
                a, ok = 1.0, False
                for _ in range(30):
                    xn = x + a * step
                    fn = fun(xn)
                    gn = grad(xn) if np.isfinite(fn) else None
                    if gn is not None and np.all(np.isfinite(gn)) and fn <= f + 1e-12 * max(1.0, abs(f)):
                        ok = True
                        break
                    a *= 0.5
                if not ok:
                    break
                x, f, g = xn, fn, gn
            hist.append(f"newton polish: max|g|={np.max(np.abs(g)):.3g}")
    gmax = float(np.max(np.abs(g))) if np.all(np.isfinite(g)) and g.size else (0.0 if not g.size else np.inf)
    converged = gmax < 1e-7
    msg = "converged" if converged else f"no convergence (max |gradient| = {gmax:.3g})"
    return OptimResult(x, float(f), g, converged, it, msg, hist)


# ------------------------------------------------------------------ many fits at once
#: status of each row of :func:`minimize_batch`
OK, FAILED, NONCONVERGED = 0, 1, 2


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


def minimize_batch(kernel, mom, theta0: np.ndarray, H0inv: np.ndarray, start_ok: np.ndarray, *,
                   gtol: float, max_iter: int, memory: int = 40):
    """Quasi-Newton (BFGS on the inverse curvature, started from ``H0inv``, limited to the last
    ``memory`` pairs) for a stack of draws, warm started at ``theta0``, with a backtracking (Armijo)
    line search per draw.

    ``kernel.evaluate(Theta, mom, which) -> (F, grad, info, ok)`` gives the objective and gradient of the
    rows ``which`` of the stack at the rows of ``Theta`` (:class:`iur_survey.sem.ml.CompleteMLBatch`,
    :class:`iur_survey.sem.fiml.FimlBatch`).  Returns (Theta, status, iterations): status OK, FAILED (no
    admissible start), NONCONVERGED (the caller refits those with :func:`minimize`).

    >>> class Quad:          # F_k(x) = |x - c_k|^2 / 2 for two rows with their own centres c_k
    ...     c = np.array([[1.0, -2.0], [0.5, 3.0]])
    ...     def evaluate(self, X, mom, which, info=False):
    ...         d = X - self.c[which]
    ...         return 0.5 * (d ** 2).sum(axis=1), d, None, np.ones(len(which), bool)
    >>> X, status, it = minimize_batch(Quad(), None, np.zeros(2), np.eye(2), np.ones(2, bool), gtol=1e-10,
    ...                                max_iter=50)
    >>> X.round(6).tolist(), status.tolist()
    ([[1.0, -2.0], [0.5, 3.0]], [0, 0])
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
