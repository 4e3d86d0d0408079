"""Linear equality constraints (``==``) by reparametrisation: ``theta = theta0 + K z``.

Shared labels and ``a == b`` between two labels are merged into one parameter
when the table is built; any other ``==`` (``a == 2*b``, ``c1 + c2 == 0``,
``b == 0.5``, constraints on ``:=`` parameters) must be *linear* in the free
parameters.  Its Jacobian ``A`` (complex-step, as lavaan's constraint
Jacobian) and the offset ``c`` give ``A theta + c = 0``; ``K`` spans the null
space of ``A`` and ``theta0`` is a particular solution.  Estimation runs on
``z``; the covariance matrix of theta is ``K Var(z) K'`` -- the same matrix as
lavaan's augmented-information inverse for equality constraints -- and the
number of parameters is ``npar - rank(A)`` (lavaan's ``npar - neq``).
Non-linear constraints and inequalities (``<``, ``>``) are refused with a
:class:`~iur_survey.errors.ModelSyntaxError`.

>>> import numpy as np
>>> from iur_survey.sem.partable import build_partable
>>> pt = build_partable("y ~ a*x1 + b*x2 + c*x3\\na == 2*b\\nc == 0.5")
>>> lc = LinearConstraints(pt, np.zeros(len(pt)))
>>> lc.nz, pt.npar                       # 4 free parameters (a, b, c, var y), 2 constraints
(2, 4)
>>> th = lc.theta(np.array([0.3, 1.0]))
>>> bool(abs(th[0] - 2 * th[1]) < 1e-12 and abs(th[2] - 0.5) < 1e-12)
True
"""

from __future__ import annotations

import numpy as np

from ..errors import ModelSyntaxError
from .defined import DefinedFunction, from_partable
from .partable import ParTable

__all__ = ["LinearConstraints"]


class LinearConstraints:
    """``theta = theta0 + K z`` for the table's general ``==`` constraints (identity when there are none)."""

    def __init__(self, pt: ParTable, values: np.ndarray):
        q = pt.npar
        self.q = q
        self.identity = not pt.equality
        if self.identity:
            self.K = np.eye(q)
            self.theta0 = np.zeros(q)
            self.nz = q
            self.rank = 0
            return
        base = from_partable(pt, values)
        cons = [(f"__ceq{k}", ("bin", "-", c.lhs_expr, c.rhs_expr)) for k, c in enumerate(pt.equality)]
        fn = DefinedFunction(base.defs + cons, base.index, base.constants, base.rows)
        ncon = len(cons)

        def h(theta):
            return fn(theta)[-ncon:]

        rng = np.random.default_rng(20220)
        ta, tb = rng.normal(0.5, 0.3, q), rng.normal(-0.2, 0.4, q)
        A = fn.jacobian(ta)[-ncon:]
        Ab = fn.jacobian(tb)[-ncon:]
        lin = np.allclose(A, Ab, atol=1e-10) and np.allclose(h(tb) - h(ta), A @ (tb - ta), atol=1e-9)
        if not lin:
            bad = next((pt.equality[k] for k in range(ncon) if not np.allclose(A[k], Ab[k], atol=1e-10)),
                       pt.equality[0])
            raise ModelSyntaxError(pt.source, f"the constraint {bad.lhs} == {bad.rhs} is not linear in the "
                                              "parameters; only linear equality constraints are supported",
                                   row=bad.line, column=str(bad.col))
        c = h(ta) - A @ ta
        if not np.any(A):
            raise ModelSyntaxError(pt.source, f"the constraint {pt.equality[0].lhs} == {pt.equality[0].rhs} "
                                              "involves no free parameter", row=pt.equality[0].line,
                                   column=str(pt.equality[0].col))
        U, s, Vt = np.linalg.svd(A)
        tol = max(A.shape) * np.finfo(float).eps * (s[0] if s.size else 0.0) * 100
        rank = int((s > tol).sum())
        self.rank = rank
        self.K = Vt[rank:].T.copy()
        self.theta0 = np.linalg.lstsq(A, -c, rcond=None)[0]
        if not np.allclose(A @ self.theta0 + c, 0.0, atol=1e-8):
            raise ModelSyntaxError(pt.source, "the equality constraints contradict each other")
        self.nz = q - rank
        self.A, self.c = A, c

    def theta(self, z: np.ndarray) -> np.ndarray:
        return z if self.identity else self.theta0 + self.K @ z

    def z(self, theta: np.ndarray) -> np.ndarray:
        """The z whose theta is closest to ``theta`` (a projection onto the constraints)."""
        return theta if self.identity else self.K.T @ (theta - self.theta0)

    def project(self, theta: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        """The theta on the constraints closest to ``theta`` in the metric ``sum weights * d^2``: with
        ``weights`` the number of table rows of each parameter (:meth:`Model.row_weights`) this is lavaan's
        packing of its per-row start values (``z = K'(x - k0)``, K orthonormal over the table's free rows).

        >>> import numpy as np
        >>> from iur_survey.sem.partable import build_partable
        >>> pt = build_partable("y ~ a*x1 + b*x2\\na == 2*b")
        >>> lc = LinearConstraints(pt, np.zeros(len(pt)))
        >>> lc.project(np.array([1.0, 1.0, 0.5]), np.array([3.0, 1.0, 1.0])).round(4).tolist()
        [1.0769, 0.5385, 0.5]
        """
        theta = np.asarray(theta, float)
        if self.identity:
            return theta
        w = np.sqrt(np.ones(self.q) if weights is None else np.asarray(weights, float))
        z = np.linalg.lstsq(w[:, None] * self.K, w * (theta - self.theta0), rcond=None)[0]
        return self.theta0 + self.K @ z

    def grad(self, g: np.ndarray) -> np.ndarray:
        return g if self.identity else self.K.T @ g

    def info(self, info: np.ndarray) -> np.ndarray:
        return info if self.identity else self.K.T @ info @ self.K

    def vcov(self, Vz: np.ndarray) -> np.ndarray:
        return Vz if self.identity else self.K @ Vz @ self.K.T
