"""Refit one model to many case weightings of its data at once (bootstrap draws, jackknife leave-one-outs).

lavaan's bootstrap calls the whole of ``lavaan()`` once per draw; here the draws of a chunk are refitted
*together* by the same engine: the objective, gradient and information of :mod:`iur_survey.sem.ml`
(:class:`~iur_survey.sem.ml.CompleteMLBatch`) or :mod:`iur_survey.sem.fiml`
(:class:`~iur_survey.sem.fiml.FimlBatch`), minimised by the one optimiser,
:func:`iur_survey.sem.estimate.optimize` (the single fit's too), from the full-sample solution: quasi-Newton
started from the inverse expected information there, then, for the draws it does not finish, Fisher
scoring, quasi-Newton and Newton polish (:func:`iur_survey.sem.estimate.warm_stages`); a draw whose estimates
run off along a ridge is stopped as not converged (``runaway``, :data:`iur_survey.sem.estimate.RUNAWAY`), so is
one that used its evaluation budget (:func:`iur_survey.sem.estimate.draw_budget`: a draw that converges does
so well within it, one that creeps along a ridge would spend nlminb's ``eval.max``, 20,000), and a
quasi-Newton stage that makes no progress hands a draw on to the next stage early
(:data:`iur_survey.sem.estimate.STALL`);
a draw that ran off is refitted once along nlminb's path from the same warm start (the trust-region stage,
lavaan's one attempt at a draw): on 40-row resamples of the study model the warm path's fallback scoring ran off
from draws whose minimum lies near the start, where lavaan converges (3 of 20 draws; the trust region reaches
lavaan's estimates, to lavaan's tolerance, in 160-230 iterations, and runs off where lavaan does not converge);
every solution gets lavaan's admissibility check (:func:`iur_survey.sem.matrices.nonadmissible`).

Nothing here draws random numbers: the caller (:mod:`iur_survey.sem.bootstrap`) gives the case counts.

>>> import numpy as np, pandas as pd
>>> from iur_survey.sem import sem
>>> from iur_survey.sem.compare import fitted_data
>>> rng = np.random.default_rng(1)
>>> x = rng.standard_normal((100, 1))
>>> d = pd.DataFrame(np.hstack([x, 0.5 * x + rng.standard_normal((100, 1))]), columns=["x", "y"])
>>> res = sem("y ~ x", d)
>>> problem = RefitProblem.from_fit(res, fitted_data(res, d))
>>> out = refit(problem, [np.ones((1, 100), np.int64)])       # the full sample itself
>>> bool(np.allclose(out["est"][0], res.theta, atol=1e-6)), out["status"].tolist()
(True, [0])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .constraints import LinearConstraints
from .estimate import OK, RUNAWAY, STALL, draw_budget, optimize, warm_stages
from .fiml import FimlBatch
from .matrices import Model, nonadmissible
from .ml import CompleteMLBatch
from .table import is_fiml

__all__ = ["RefitProblem", "refit", "Reparametrized"]


class Reparametrized:
    """A batch kernel on ``z`` for models with general linear ``==`` constraints: ``theta = c + K z``
    (:class:`iur_survey.sem.constraints.LinearConstraints`)."""

    def __init__(self, kernel, K: np.ndarray, c: np.ndarray):
        self.kernel, self.K, self.c = kernel, K, c
        self.model = kernel.model
        self.npar = K.shape[1]

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


def _invert(I: np.ndarray) -> np.ndarray:
    """Inverse of the start curvature (identity when it is not positive definite)."""
    try:
        ev = np.linalg.eigvalsh(I)
        if ev.min() <= 1e-10 * max(ev.max(), 1e-300):
            raise np.linalg.LinAlgError
        return np.linalg.inv(I)
    except np.linalg.LinAlgError:
        return np.eye(I.shape[0])


@dataclass
class RefitProblem:
    """Everything a worker needs to refit chunks of case weightings (built once, pickled once per task)."""

    model: Model
    Xg: list[np.ndarray]
    theta0: np.ndarray
    H0inv: np.ndarray
    kind: str                      # "complete" | "fiml"
    gtol: float = 1e-9
    max_iter: int = 100
    fallback_iter: int = 200
    max_evals: int | None = None           # a draw's evaluation budget (None: draw_budget(q))
    K: np.ndarray | None = None            # linear == constraints: theta = c + K z (None: theta = z)
    c: np.ndarray | None = None
    _kernel: Any = field(default=None, repr=False)

    @classmethod
    def from_fit(cls, res, Xg: list[np.ndarray], *, gtol: float = 1e-9, max_iter: int = 100,
                 fallback_iter: int = 200, max_evals: int | None = None) -> "RefitProblem":
        """The problem of a fitted :class:`~iur_survey.sem.results.SEMResult` and its data (one matrix per
        group, :func:`iur_survey.sem.compare.fitted_data`): warm start at its solution, first curvature the
        expected information there; ``max_evals`` a draw's evaluation budget (None:
        :func:`iur_survey.sem.estimate.draw_budget` of the free parameters; 20000: nlminb's ``eval.max``)."""
        model = res.model
        kind = "fiml" if is_fiml(res.missing) else "complete"
        theta0 = np.asarray(res.theta, float)
        Kc = cc = None
        if getattr(res.partable, "equality", None):
            lc = LinearConstraints(res.partable, res.est)
            if not lc.identity:
                Kc, cc = lc.K, lc.theta0
        out = cls(model=model, Xg=Xg, theta0=theta0, H0inv=np.eye(1), kind=kind, gtol=float(gtol),
                  max_iter=int(max_iter), fallback_iter=int(fallback_iter),
                  max_evals=None if max_evals is None else int(max_evals), K=Kc, c=cc)
        if kind == "complete":
            kern = CompleteMLBatch(model, Xg)
            mom = kern.moments([np.ones((1, X.shape[0]), np.int64) for X in Xg])
            I0 = kern.evaluate(theta0[None], mom, np.array([0]), info=True)[2][0]
        else:
            n = np.array([X.shape[0] for X in Xg], float)
            I0 = model.expected_information(theta0, n / n.sum())
        I0 = 0.5 * (I0 + I0.T)
        if Kc is not None:
            I0 = Kc.T @ I0 @ Kc
        out.H0inv = _invert(I0)
        return out

    def kernel(self):
        if self._kernel is None:
            k = (CompleteMLBatch if self.kind == "complete" else FimlBatch)(self.model, self.Xg)
            self._kernel = k if self.K is None else Reparametrized(k, self.K, self.c)
        return self._kernel

    def draw_evals(self) -> int:
        """A draw's evaluation budget: ``max_evals``, else :func:`iur_survey.sem.estimate.draw_budget` of the
        free parameters (of ``z`` under linear ``==`` constraints)."""
        q = self.theta0.size if self.K is None else self.K.shape[1]
        return draw_budget(q) if self.max_evals is None else int(self.max_evals)

    def z0(self) -> np.ndarray:
        return self.theta0 if self.K is None else self.K.T @ (self.theta0 - self.c)

    def theta(self, Z: np.ndarray) -> np.ndarray:
        return Z if self.K is None else self.c + Z @ self.K.T

    def __getstate__(self):
        d = dict(self.__dict__)
        d["_kernel"] = None
        return d


def refit(problem: RefitProblem, counts: list[np.ndarray]) -> dict:
    """Refit the model to K case weightings (``counts``: per group, K x N_g case counts).

    Returns ``{"est": K x npar (NaN rows where not OK), "status", "iters", "evals", "nonadmissible"}`` (``evals``:
    the evaluations each draw used, against its budget :meth:`RefitProblem.draw_evals`).
    """
    kern = problem.kernel()
    mom = kern.moments(counts)
    K = counts[0].shape[0]
    if problem.kind == "complete":
        start_ok = np.all([m["ok"] for m in mom], axis=0)
    else:
        start_ok = np.array([ok for _, ok in mom], bool)
    budget = problem.draw_evals()
    with np.errstate(all="ignore"):
        opt = optimize(kern, mom, problem.z0(), start_ok, gtol=problem.gtol, H0inv=problem.H0inv,
                       stages=warm_stages(problem.max_iter, problem.fallback_iter), runaway=RUNAWAY,
                       stall=STALL, max_evals=budget)
    status, iters, evals = opt.status.copy(), opt.iterations.copy(), opt.evaluations.copy()
    Z = opt.x.copy()
    # a draw whose path ran off (not one that spent its budget creeping): nlminb's path from the same warm start,
    # as lavaan refits a draw (one attempt); only draws not converged are refitted, the others are not touched
    redo = np.flatnonzero((status != OK) & opt.ran_off)
    if redo.size:
        sub = kern.moments([c[redo] for c in counts])
        with np.errstate(all="ignore"):
            tr = optimize(kern, sub, problem.z0(), start_ok[redo], gtol=problem.gtol,
                          stages=(("trust-region", budget), ("polish", 6)), runaway=RUNAWAY, stall=STALL,
                          max_evals=budget)
        iters[redo] += tr.iterations
        evals[redo] += tr.evaluations
        fix = tr.status == OK
        Z[redo[fix]], status[redo[fix]] = tr.x[fix], OK
    X = problem.theta(Z)
    X[status != OK] = np.nan
    nonadm = np.zeros(K, bool)
    good = np.flatnonzero(status == OK)
    if good.size:
        nonadm[good] = nonadmissible(problem.model, X[good])
    return {"est": X, "status": status, "iters": iters, "evals": evals, "nonadmissible": nonadm}
