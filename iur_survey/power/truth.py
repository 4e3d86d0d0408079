"""True values of an analysis model under a population: its fit to the exact population moments.

Maximum likelihood estimates converge to the minimiser of the ML discrepancy
between the population moments and the model (the "pseudo-true" values).  For
a correctly specified model of continuous data they are the generating values
(in the analysis model's metric, e.g. with the first loading fixed to 1); for
Likert codes they are what ML on the codes estimates in the limit, which is
the right target for bias and coverage of a simulation on Likert data.

The fit goes through the public engine (:func:`iur_survey.sem.sem`) on a data
set built to have *exactly* the population means and (biased, /N) covariance
matrix: ML estimates depend on the data only through those moments.

>>> import numpy as np
>>> from iur_survey.power.population import PopulationModel
>>> pm = PopulationModel.from_lavaan("F =~ 0.8*x1 + 0.6*x2 + 0.5*x3\\nF ~~ 1*F\\n"
...                                 "x1 ~~ 0.36*x1\\nx2 ~~ 0.64*x2\\nx3 ~~ 0.75*x3")
>>> tv = true_values("F =~ x1 + x2 + x3", pm)
>>> tv.loc[tv.op == "=~", "est"].round(6).tolist()        # 0.6/0.8, 0.5/0.8
[1.0, 0.75, 0.625]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .population import PopulationModel

__all__ = ["exact_moment_data", "true_values"]


def exact_moment_data(sigma: np.ndarray, mu: np.ndarray, names, n: int = 1000, seed: int = 0) -> pd.DataFrame:
    """``n`` rows whose sample means are ``mu`` and biased (/n) covariance matrix is ``sigma``, exactly.

    >>> d = exact_moment_data(np.array([[2.0, 0.5], [0.5, 1.0]]), np.array([1.0, 0.0]), ["a", "b"], n=50)
    >>> np.allclose(np.cov(d.T, bias=True), [[2.0, 0.5], [0.5, 1.0]]), np.allclose(d.mean(), [1, 0])
    (True, True)
    """
    sigma = np.asarray(sigma, float)
    p = sigma.shape[0]
    if n <= p:
        raise ValueError("n must exceed the number of variables")
    z = np.random.default_rng(seed).standard_normal((n, p))
    z -= z.mean(axis=0)
    Lz = np.linalg.cholesky(z.T @ z / n)
    w = np.linalg.solve(Lz, z.T).T                      # biased covariance exactly I
    x = w @ np.linalg.cholesky(sigma).T + np.asarray(mu, float)
    return pd.DataFrame(x, columns=list(names))


def true_values(model: str, population: PopulationModel, *, meanstructure: bool | None = None,
                estimator: str = "ML") -> pd.DataFrame:
    """The analysis model fitted to the population's exact moments: ``parameterEstimates`` columns
    ``lhs op rhs label est std.lv std.all`` plus ``free`` (an estimated or defined parameter),
    rows as the engine orders them, ``:=`` rows included.

    Raises :class:`~iur_survey.errors.EstimationError` when that fit does not converge
    (the analysis model cannot represent the population at all).
    """
    from ..errors import EstimationError
    from ..sem import sem

    S, m = population.moments()
    data = exact_moment_data(S, m, population.names, n=max(1000, 10 * len(population.names)))
    res = sem(model, data, estimator=estimator, missing="listwise", meanstructure=meanstructure)
    if not res.converged:
        raise EstimationError(None, "the analysis model did not converge on the population moments: "
                                    + "; ".join(res.warnings))
    pe = res.parameter_estimates()
    cols = [c for c in ("lhs", "op", "rhs", "block", "group", "label", "est", "std.lv", "std.all")
            if c in pe.columns]
    out = pe[cols].reset_index(drop=True)
    out["free"] = (pe["se"].to_numpy() > 0) | (pe["op"].to_numpy() == ":=")
    return out
