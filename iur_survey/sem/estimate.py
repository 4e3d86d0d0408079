"""The optimiser: Fisher scoring with a line search, then Newton polishing.

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

__all__ = ["OptimResult", "minimize", "numerical_hessian"]


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
