"""True values of an analysis model under a population: its fit to the exact population moments.

Maximum likelihood estimates converge to the minimiser of the ML discrepancy
between the population moments and the model (the "pseudo-true" values).  For
a correctly specified model of continuous data they are the generating values
(in the analysis model's metric, e.g. with the first loading fixed to 1); for
Likert codes they are what ML on the codes estimates in the limit, which is
the right target for bias and coverage of a simulation on Likert data.

For a WLSMV analysis of the codes (``estimator="WLSMV"`` or ``"DWLS"``, ordered
items) the sample statistics are the thresholds and polychoric correlations,
which converge to the population's standardized thresholds ``(t - mu) / sd``
and the correlation matrix of ``y*``: the true values are the analysis model's
DWLS fit to those (:func:`population_ordinal_stats`), lavaan's delta
parameterization (``y*`` variances 1).  For a correctly specified model that
fit is exact (misfit 0) whatever the weights; for a misspecified one the
pseudo-true values depend on the weights: a WLSMV fit's own weights (``1 /
diag(gamma)`` of its sample) converge to the population's, ``1 / diag`` of the
population's asymptotic covariance matrix of the thresholds and polychoric
correlations (:func:`~iur_survey.sem.ordinal.population_gamma_diagonal`), so the
DWLS fit with those weights is what WLSMV estimates in the limit, and the truth
(lavaan on one sample of 400000: tests/power/misspec_refs); a warning says the
model is misspecified.

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

__all__ = ["exact_moment_data", "true_values", "population_ordinal_stats"]

#: estimators that analyse ordered items (thresholds and polychoric correlations)
ORDINAL_ESTIMATORS = ("WLSMV", "DWLS")


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


def population_ordinal_stats(population: PopulationModel, names=None):
    """The population's WLSMV sample statistics (an :class:`~iur_survey.sem.ordinal.OrdinalSampleStats`): the
    standardized thresholds ``(t - mu) / sd`` and the correlation matrix of ``y*``, with the population's DWLS
    weights (``wls_vd = 1 / diag(gamma)``, ``gamma`` diagonal: :func:`~iur_survey.sem.ordinal.population_gamma_diagonal`,
    the limit of a sample's), items in ``names`` order (default the population's).

    >>> pm = PopulationModel.from_lavaan("F =~ 0.8*a + 0.6*b\\nF ~~ 1*F\\na ~~ 0.36*a\\nb ~~ 0.64*b\\n"
    ...                                  "a | -1*t1 + 0.5*t2\\nb | 0*t1")
    >>> st = population_ordinal_stats(pm)
    >>> st.th.to_dict(), round(float(st.cor.loc["a", "b"]), 6)
    ({'a|t1': -1.0, 'a|t2': 0.5, 'b|t1': 0.0}, 0.48)
    """
    from ..sem.ordinal import OrdinalSampleStats, pair_index, population_gamma_diagonal

    if population.thresholds is None:
        raise ValueError(f"{population.source}: a WLSMV analysis needs a population with thresholds")
    names = list(population.names if names is None else names)
    pos = [population.names.index(v) for v in names]
    S = population.sigma[np.ix_(pos, pos)]
    sd = np.sqrt(np.diag(S))
    R = S / np.outer(sd, sd)
    th_names, th_vals, th_item = [], [], []
    for j, i in enumerate(pos):
        t = (np.asarray(population.thresholds[i], float) - population.mu[i]) / sd[j]
        th_names += [f"{names[j]}|t{k + 1}" for k in range(t.size)]
        th_vals += t.tolist()
        th_item += [j] * t.size
    ii, jj = pair_index(len(names))
    th = pd.Series(th_vals, index=th_names, name="th", dtype=float)
    obs = np.concatenate([th.to_numpy(), R[ii, jj]])
    levels = [np.arange(len(population.thresholds[i]) + 1, dtype=float) + population.scale_min
              if population.levels is None else np.asarray(population.levels[i], float) for i in pos]
    std_th = [(np.asarray(population.thresholds[i], float) - population.mu[i]) / sd[j] for j, i in enumerate(pos)]
    gd = population_gamma_diagonal(std_th, R)
    return OrdinalSampleStats(names=names, n=100000, levels=levels, th=th, th_item=np.array(th_item, dtype=int),
                              cor=pd.DataFrame(R, index=names, columns=names), wls_obs=obs,
                              gamma=np.diag(gd), wls_vd=1.0 / gd)


def _ordinal_true_values(model: str, population: PopulationModel) -> tuple[pd.DataFrame, float]:
    """The analysis model's DWLS fit to :func:`population_ordinal_stats`: its estimates table and its misfit."""
    from ..errors import EstimationError
    from ..sem.matrices import Model
    from ..sem.partable import build_partable
    from ..sem.syntax import parse_model
    from ..sem.wlsmv import wlsmv_from_model

    pt = build_partable(parse_model(model, "<analysis model>"), meanstructure=False)
    m = Model(pt)
    ov = list(m.groups[0].ov)
    missing = [v for v in ov if v not in population.names]
    if missing:
        raise EstimationError(None, f"the analysis model's variable {missing[0]!r} is not in the population")
    res, table = wlsmv_from_model(m, population_ordinal_stats(population, ov))
    if not res.converged:
        raise EstimationError(None, "the analysis model did not converge on the population's thresholds and "
                                    "polychoric correlations: " + "; ".join(res.warnings))
    return table, float(res.fmin)


def true_values(model: str, population: PopulationModel, *, meanstructure: bool | None = None,
                estimator: str = "ML") -> pd.DataFrame:
    """The analysis model fitted to the population's exact moments: ``parameterEstimates`` columns
    ``lhs op rhs label est std.lv std.all`` plus ``free`` (an estimated or defined parameter), ``attrs``
    ``misfit`` (the fit's minimum: 0 for a correctly specified model) and ``truth`` (what the values are),
    rows as the engine orders them, ``:=`` rows included.  With ``estimator`` "WLSMV" / "DWLS" (ordered
    items): its DWLS fit to the population's thresholds and polychoric correlations (see the module
    docstring), threshold rows included.

    Raises :class:`~iur_survey.errors.EstimationError` when that fit does not converge
    (the analysis model cannot represent the population at all).

    >>> pm = PopulationModel.from_lavaan("F =~ 0.8*a + 0.6*b + 0.7*c\\nF ~~ 1*F\\na ~~ 0.36*a\\nb ~~ 0.64*b\\n"
    ...                                  "c ~~ 0.51*c\\na | -1*t1\\nb | 0.5*t1\\nc | 0*t1 + 1*t2")
    >>> tv = true_values("F =~ a + b + c", pm, estimator="WLSMV")
    >>> tv.loc[tv.op.isin(["=~", "|"]), "est"].round(6).tolist()     # 0.6/0.8, 0.7/0.8; the thresholds
    [1.0, 0.75, 0.875, -1.0, 0.5, 0.0, 1.0]
    """
    from ..errors import EstimationError
    from ..sem import sem

    if str(estimator).upper() in ORDINAL_ESTIMATORS:
        import warnings

        pe, fmin = _ordinal_true_values(model, population)
        if fmin > 1e-10:
            warnings.warn(f"the analysis model does not reproduce the population's thresholds and polychoric "
                          f"correlations (DWLS misfit {fmin:.3g}): it is misspecified, and its true values (bias, "
                          f"coverage) are the pseudo-true values WLSMV estimates in the limit: the DWLS fit to them "
                          f"with the population's weights", stacklevel=2)
        cols = [c for c in ("lhs", "op", "rhs", "block", "group", "label", "est", "std.lv", "std.all")
                if c in pe.columns]
        out = pe[cols].reset_index(drop=True)
        out["free"] = (pe["se"].to_numpy() > 0) | (pe["op"].to_numpy() == ":=")
        out.attrs["misfit"] = fmin
        out.attrs["truth"] = ("the DWLS fit to the population's thresholds and polychoric correlations with the "
                              "population's weights (what WLSMV estimates in the limit)")
        return out

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
    fit = getattr(res, "fit", None)
    out.attrs["misfit"] = float(fit.get("fmin", np.nan)) if hasattr(fit, "get") else float("nan")
    out.attrs["truth"] = (f"the {str(estimator).upper()} fit to the exact population moments (what the estimator "
                          "converges to)")
    return out
