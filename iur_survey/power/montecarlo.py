"""Monte Carlo power of an SEM: draw, fit, record, on Dask workers or in this process.

For every sample size ``n`` and replication ``rep``: draw ``n`` cases from the
population (:class:`~iur_survey.power.population.PopulationModel`; Likert codes
by default), optionally blank cells MCAR (``missing_rate``, then FIML), fit the
analysis model with the engine (:func:`iur_survey.sem.sem`, ML) and record for
each parameter of interest (default: every regression path ``~`` and every
defined effect ``:=``) the estimate, standard error, p value and 95% CI.
:func:`~iur_survey.power.summary.summarize` turns that into power, convergence,
bias, coverage and SE accuracy per parameter and ``n``.

WLSMV (``estimator="WLSMV"``, or ``"DWLS"``): the analysis of ordered codes.  Each
replication draws ``y*`` from the population and cuts it at the population's
thresholds into codes (for a population from a WLSMV fit: the fitted thresholds),
then fits the analysis model with every item ordered (lavaan's ``sem(...,
ordered = TRUE, estimator = "WLSMV")``: thresholds and polychoric correlations,
DWLS, robust.sem SEs).  A category nobody chose in a replication is no category
of that fit, as in lavaan (R's ``ordered()`` keeps the observed values): the item
has fewer thresholds; the replication is counted (``collapsed``: the number of its
items that lost a category) and its threshold rows of those items, which no longer
estimate the population's thresholds of the same names, are not recorded (NaN); its
other parameters are.  An item with a single observed category cannot be fitted
(lavaan stops too): that replication counts as not converged, its error recorded.
The true values are the model's fit to the population's thresholds and polychoric
correlations (:func:`~iur_survey.power.truth.true_values`).

Defined (``:=``) effects are tested by the fit's delta-method z test (the Sobel
test for ``a*b``: conservative, so their power is understated, most at small n).
With ``mc_ci = D`` > 0, each replication also gets the Monte Carlo confidence
interval of every recorded ``:=`` row (Preacher & Selig 2012; semTools'
``monteCarloCI``): ``D`` draws of the free parameters from ``N(est, vcov)``, the
definitions evaluated on each draw, the ``alpha/2`` and ``1 - alpha/2`` quantiles
(:func:`monte_carlo_ci`); ``power_mc`` is the share of intervals excluding 0.

Reproducibility: replication ``rep`` at sample size ``n`` draws from its own
stream, ``SeedSequence(seed, spawn_key=(n, rep))`` (one child per (n, rep)), so
results do not depend on how the replications are cut into tasks, on the number
of workers, or on which other sample sizes are run; its Monte Carlo CI draws come
from ``SeedSequence(seed, spawn_key=(n, rep, 1))`` (:func:`mc_ci_rng`), so adding
them leaves the data and the fits unchanged.

Parallelism: replications are cut into chunks (tasks) and handed to
:func:`iur_survey.sem.parallel.map_chunks` with a ``distributed.Client``
(:func:`~iur_survey.power.cluster.dask_client`: a LocalCluster by default, or the
cluster at ``scheduler="tcp://..."``), or run in a plain loop (``scheduler="serial"``).

>>> pm = PopulationModel.from_lavaan("F =~ 1*x1 + 0.8*x2 + 0.6*x3\\nG =~ 1*y1 + 0.8*y2\\nG ~ 0.3*F\\n"
...     "F ~~ 0.5*F\\nG ~~ 0.5*G\\nx1 ~~ 0.5*x1\\nx2 ~~ 0.5*x2\\nx3 ~~ 0.5*x3\\ny1 ~~ 0.5*y1\\ny2 ~~ 0.5*y2")
>>> res = power_analysis(pm, "F =~ x1 + x2 + x3\\nG =~ y1 + y2\\nG ~ b*F", n=[100], reps=4, seed=1,
...                      scheduler="serial", progress=False)
>>> res.table[["n", "parameter", "reps", "converged"]].to_dict("records")
[{'n': 100, 'parameter': 'G~F', 'reps': 4, 'converged': 4}]
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..errors import IURSurveyError
from ..sem import sem
from ..sem.defined import from_partable
from ..sem.parallel import available_cores, map_chunks, one_blas_thread
from ..sem.results import INADMISSIBLE_WARNINGS
from ..sem.syntax import parse_model
from ..sem.table import FIML_NAMES
from ..study import default_model
from .cluster import dask_client, warm_up
from .population import PopulationModel
from .results import PowerResult
from .summary import NULL_STD, ZERO_STD, parameter_names, summarize
from .truth import ORDINAL_ESTIMATORS, true_values

__all__ = ["power_analysis", "replication_rng", "draw_replication", "select_parameters", "mc_ci_rng",
           "monte_carlo_ci", "admissible"]

#: columns recorded per replication and parameter
REP_VALUES = ("est", "se", "pvalue", "ci.lower", "ci.upper")
#: a population fit's minimum above this: the analysis model is misspecified (its true values are pseudo-true)
MISFIT_TOL = 1e-8


def replication_rng(seed: int, n: int, rep: int) -> np.random.Generator:
    """The random stream of replication ``rep`` at sample size ``n``: ``SeedSequence(seed, spawn_key=(n, rep))``.

    >>> a = replication_rng(7, 200, 3).standard_normal()
    >>> b = replication_rng(7, 200, 3).standard_normal()
    >>> a == b, a == replication_rng(7, 300, 3).standard_normal()
    (True, False)
    """
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(int(seed), spawn_key=(int(n), int(rep)))))


def mc_ci_rng(seed: int, n: int, rep: int) -> np.random.Generator:
    """The stream of replication ``rep``'s Monte Carlo CI draws: ``SeedSequence(seed, spawn_key=(n, rep, 1))``
    (separate from the data's :func:`replication_rng`).

    >>> mc_ci_rng(7, 200, 3).standard_normal() == replication_rng(7, 200, 3).standard_normal()
    False
    """
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(int(seed), spawn_key=(int(n), int(rep), 1))))


def monte_carlo_ci(res, draws: int, rng: np.random.Generator, level: float = 0.95) -> np.ndarray:
    """Monte Carlo confidence intervals of the ``:=`` parameters of a fit (Preacher & Selig 2012; semTools'
    ``monteCarloCI``): ``draws`` vectors of the free parameters from ``N(theta, vcov_theta)``, every
    definition evaluated on each, the ``(1 - level)/2`` and ``(1 + level)/2`` quantiles (R's type 7).  For a
    WLSMV fit ``theta`` holds the kept model parameters and the thresholds and ``vcov_theta`` is the robust
    (sandwich) covariance matrix, as lavaan's ``coef()`` / ``vcov()`` that semTools draws from.

    Returns (definitions x 2) in definition order; NaN rows when the covariance matrix is not finite.

    >>> from iur_survey.sem import sem
    >>> from iur_survey.power.population import PopulationModel
    >>> pm = PopulationModel.from_lavaan("X =~ 1*x1 + 0.8*x2\\nY =~ 1*y1 + 0.8*y2\\nM =~ 1*m1 + 0.8*m2\\n"
    ...     "M ~ 0.4*X\\nY ~ 0.3*M\\nX ~~ 1*X\\nM ~~ 0.84*M\\nY ~~ 0.91*Y\\n"
    ...     + "".join(f"{v} ~~ 0.4*{v}\\n" for v in ("x1", "x2", "m1", "m2", "y1", "y2")))
    >>> fit = sem("X =~ x1 + x2\\nM =~ m1 + m2\\nY =~ y1 + y2\\nM ~ a*X\\nY ~ b*M\\nind := a*b",
    ...           draw_replication(pm, 200, seed=1, rep=0))
    >>> ci = monte_carlo_ci(fit, 20000, mc_ci_rng(1, 200, 0))
    >>> ci.shape, bool(ci[0, 0] < fit.est[-1] < ci[0, 1])
    ((1, 2), True)
    """
    # each label's column of theta / vcov_theta: the fit's theta_index(), not the table's par_index (a WLSMV fit's
    # theta leaves out the ordered items' residual variances, so the two differ after the first of those rows)
    fn = from_partable(res.partable, res.est, res.theta_index())
    out = np.full((len(fn), 2), np.nan)
    theta = np.asarray(res.theta, float)
    V = np.asarray(res.vcov_theta, float)
    if not len(fn) or V.shape != (theta.size, theta.size) or not np.all(np.isfinite(V)):
        return out
    w, U = np.linalg.eigh((V + V.T) / 2)
    L = U * np.sqrt(np.clip(w, 0.0, None))            # V = L L' (positive semi-definite: eigen, as MASS::mvrnorm)
    sample = theta[:, None] + L @ rng.standard_normal((theta.size, int(draws)))
    with np.errstate(all="ignore"):
        vals = np.asarray([np.broadcast_to(v, (int(draws),)) for v in fn(sample)], float)
    q = [(1 - level) / 2, (1 + level) / 2]
    for i, v in enumerate(vals):
        v = v[np.isfinite(v)]                         # na.rm = TRUE, as semTools
        if v.size:
            out[i] = np.quantile(v, q)
    return out


def draw_replication(population: PopulationModel, n: int, seed: int, rep: int,
                     missing_rate: float = 0.0) -> pd.DataFrame:
    """The data set of one replication (exactly what :func:`power_analysis` fits).

    >>> pm = PopulationModel.from_population()
    >>> d1, d2 = (draw_replication(pm, 50, seed=3, rep=9) for _ in range(2))
    >>> d1.equals(d2), d1.shape
    (True, (50, 28))
    """
    return population.draw(n, replication_rng(seed, n, rep), missing_rate)


def select_parameters(truth: pd.DataFrame, parameters: str | Sequence[str] | None = None) -> np.ndarray:
    """Row indices of ``truth`` (a :func:`~iur_survey.power.truth.true_values` table) to record.

    ``None`` / ``"paths"``: regressions (``~``) and defined parameters (``:=``);
    ``"all"``: every estimated or defined parameter; a list: names as ``"COL~GOV"`` /
    ``"ind_GOV"`` or labels (``"a1"``).

    >>> t = pd.DataFrame({"lhs": ["F", "G", "ab"], "op": ["=~", "~", ":="], "rhs": ["x", "F", "a*b"],
    ...                   "label": ["", "a", "ab"], "free": [True, True, True]})
    >>> select_parameters(t).tolist(), select_parameters(t, ["a"]).tolist(), select_parameters(t, "all").tolist()
    ([1, 2], [1], [0, 1, 2])
    """
    names = parameter_names(truth)
    if parameters is None or parameters == "paths":
        rows = np.flatnonzero(truth["op"].isin(["~", ":="]).to_numpy())
    elif parameters == "all":
        rows = np.flatnonzero(truth["free"].to_numpy())
    else:
        if isinstance(parameters, str):
            parameters = [p.strip() for p in parameters.split(",") if p.strip()]
        want = [str(p).replace(" ", "") for p in parameters]
        labels = truth["label"].fillna("").astype(str).tolist()
        rows_l = []
        for w in want:
            hit = [i for i in range(len(truth)) if names[i] == w or (labels[i] and labels[i] == w)]
            if not hit:
                raise ValueError(f"parameter {w!r} is not in the analysis model "
                                 f"(e.g. {', '.join(names[i] for i in range(min(3, len(names))))})")
            rows_l.extend(h for h in hit if h not in rows_l)
        rows = np.array(rows_l, dtype=int)
    if len(rows) == 0:
        raise ValueError("no parameter of the analysis model to record")
    return rows


def admissible(warnings: Sequence[str]) -> bool:
    """Whether a converged fit's solution passes lavaan's post-fit checks (``lavInspect(fit, "post.check")``):
    none of its warnings is one of lavaan's inadmissible-solution warnings
    (:data:`~iur_survey.sem.results.INADMISSIBLE_WARNINGS`: a negative variance, a latent or residual covariance
    matrix not positive definite).  Other warnings that name a negative number or a matrix that is not positive
    definite (the start values', the degrees of freedom's) say nothing of the solution.

    >>> admissible(["some estimated ov variances are negative (x1): a Heywood case"])
    False
    >>> admissible(["lavaan's start values (and their tenth) imply a Sigma that is not positive definite: this "
    ...             "fit comes from other start values"])
    True
    """
    return not any(str(w).startswith(INADMISSIBLE_WARNINGS) for w in warnings)


def _warm_up() -> bool:
    """:func:`~iur_survey.power.cluster.warm_up` from this module, so that the workers import it too."""
    return warm_up()


@dataclass(frozen=True)
class _Plan:
    """What every task needs (sent once to each worker)."""

    syntax: str
    population: PopulationModel
    seed: int
    missing_rate: float
    missing: str
    estimator: str
    meanstructure: bool | None
    rows: tuple[int, ...]
    keys: tuple[tuple[str, str, str], ...]
    mc_ci: int = 0
    level: float = 0.95
    #: positions (in ``rows``) of the recorded := rows and their index among the model's definitions
    def_pos: tuple[int, ...] = ()
    def_index: tuple[int, ...] = ()
    #: fit every item as ordered (WLSMV / DWLS); the number of categories of each population item
    ordered: bool = False
    ncat: tuple[int, ...] = ()


def _lost_categories(data: pd.DataFrame, ncat: Sequence[int]) -> list[str]:
    """The items of a replication's codes with fewer observed categories than the population has.

    >>> _lost_categories(pd.DataFrame({"a": [1, 2, 3], "b": [1, 1, 3]}), (3, 3))
    ['b']
    """
    return [c for c, k in zip(data.columns, ncat) if data[c].nunique() < k]


def _run_chunk(plan: _Plan, chunk: tuple[int, int, int]) -> dict[str, Any]:
    """Fit replications ``start .. stop-1`` at sample size ``n``; arrays per replication."""
    n, start, stop = chunk
    R, k = stop - start, len(plan.rows)
    out: dict[str, Any] = {
        "n": np.full(R, n, dtype=np.int64), "rep": np.arange(start, stop, dtype=np.int64),
        "converged": np.zeros(R, bool), "admissible": np.zeros(R, bool),
        "iterations": np.zeros(R, np.int64), "error": np.full(R, "", dtype=object),
        "values": np.full((R, k, len(REP_VALUES)), np.nan), "mc": np.full((R, k, 2), np.nan),
        "collapsed": np.zeros(R, np.int64), "seconds": np.zeros(R)}
    pm = parse_model(plan.syntax)
    rows = list(plan.rows)
    for j, rep in enumerate(range(start, stop)):
        t_rep = time.perf_counter()
        data = draw_replication(plan.population, n, plan.seed, rep, plan.missing_rate)
        lost: list[str] = []
        try:
            # warn=False: non-converged and inadmissible replications are counted, not warned about one by one
            if plan.ordered:
                lost = _lost_categories(data, plan.ncat)
                out["collapsed"][j] = len(lost)
                res = sem(pm, data, estimator=plan.estimator, missing=plan.missing, ordered=True, warn=False)
            else:
                res = sem(pm, data, estimator=plan.estimator, missing=plan.missing,
                          meanstructure=plan.meanstructure, warn=False)
        except (IURSurveyError, np.linalg.LinAlgError, ValueError, FloatingPointError) as exc:
            out["error"][j] = f"{type(exc).__name__}: {exc}"
            out["seconds"][j] = time.perf_counter() - t_rep
            continue
        pe = res.parameter_estimates(standardized=False)
        if plan.ordered:
            # by name: an item that lost a category has fewer threshold rows, so positions shift
            at = {key: i for i, key in enumerate(zip(pe["lhs"], pe["op"], pe["rhs"]))}
            pos = [at.get(key, -1) for key in plan.keys]
            vals = np.full((len(rows), len(REP_VALUES)), np.nan)
            for i, (key, q) in enumerate(zip(plan.keys, pos)):
                # a threshold of an item that lost a category estimates another population threshold
                if q >= 0 and not (key[1] == "|" and key[0] in lost):
                    vals[i] = pe.iloc[q][list(REP_VALUES)].to_numpy(dtype=float)
            rec = [i for i, key in enumerate(plan.keys) if key[1] != "|"]      # what decides "converged"
        else:
            sub = pe.iloc[rows]
            got = tuple(zip(sub["lhs"], sub["op"], sub["rhs"]))
            if got != plan.keys:      # pragma: no cover - the same syntax gives the same table
                raise RuntimeError("the parameter table of a replication differs from the population fit's")
            vals = sub[list(REP_VALUES)].to_numpy(dtype=float)
            rec = list(range(len(rows)))
        out["values"][j] = vals
        se = vals[rec, 1]
        out["converged"][j] = bool(res.converged) and bool(np.all(np.isfinite(se) & (se > 0)))
        out["admissible"][j] = admissible(res.warnings)
        out["iterations"][j] = int(res.iterations)
        if plan.mc_ci and plan.def_pos and out["converged"][j]:
            ci = monte_carlo_ci(res, plan.mc_ci, mc_ci_rng(plan.seed, n, rep), plan.level)
            out["mc"][j, list(plan.def_pos)] = ci[list(plan.def_index)]
        out["seconds"][j] = time.perf_counter() - t_rep
    return out


def _chunks(ns: Sequence[int], reps: int, size: int) -> list[tuple[int, int, int]]:
    return [(n, s, min(s + size, reps)) for n in ns for s in range(0, reps, size)]


def _default_chunk_size(reps: int, n_sizes: int, workers: int) -> int:
    # several tasks per worker (load balance), not so many that scheduling overhead shows
    per = math.ceil(reps * n_sizes / (4 * max(1, workers)))
    return int(min(50, max(5, math.ceil(per / n_sizes)), reps))


def _assemble(parts: list[dict[str, Any]], truth: pd.DataFrame, rows: np.ndarray, mc: bool = False) -> pd.DataFrame:
    """Long table: one row per (n, rep, parameter)."""
    if not parts:
        return pd.DataFrame()
    cat = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    order = np.lexsort((cat["rep"], cat["n"]))
    cat = {k: v[order] for k, v in cat.items()}
    R, k = len(cat["n"]), len(rows)
    names = np.array(parameter_names(truth.iloc[rows]), dtype=object)
    labels = truth["label"].fillna("").astype(str).to_numpy()[rows]
    ops = truth["op"].to_numpy()[rows]
    df = pd.DataFrame({
        "n": np.repeat(cat["n"], k), "rep": np.repeat(cat["rep"], k),
        "parameter": np.tile(names, R), "label": np.tile(labels, R), "op": np.tile(ops, R),
        "converged": np.repeat(cat["converged"], k), "admissible": np.repeat(cat["admissible"], k),
        "iterations": np.repeat(cat["iterations"], k), "error": np.repeat(cat["error"], k),
        "collapsed": np.repeat(cat["collapsed"], k)})
    vals = cat["values"].reshape(R * k, len(REP_VALUES))
    for i, c in enumerate(REP_VALUES):
        df[c] = vals[:, i]
    if mc:
        mcv = cat["mc"].reshape(R * k, 2)
        df["mc.lower"], df["mc.upper"] = mcv[:, 0], mcv[:, 1]
    return df


def power_analysis(population: PopulationModel | Any = None, model: str | None = None,
                   n: Sequence[int] = (200, 300, 500, 800), reps: int = 1000, *, seed: int = 1,
                   alpha: float = 0.05, likert: bool | None = None, missing_rate: float = 0.0,
                   missing: str = "fiml", estimator: str = "ML", parameters: str | Sequence[str] | None = None,
                   workers: int | None = None, scheduler: Any = None, processes: bool = True,
                   chunk_size: int | None = None, progress: bool | None = None, mc_ci: int = 0):
    """Monte Carlo power of ``model`` under ``population`` (see the module docstring).

    ``population``: a :class:`PopulationModel`, a simulator
    :class:`~iur_survey.simulate.population.Population`, lavaan syntax with fixed values, or
    None (``Population.default()``); ``likert`` overrides whether codes (True) or ``y*``
    (False) are drawn.  ``model``: the analysis model's lavaan syntax (default: the study's
    :func:`~iur_survey.study.default_model`).  ``missing_rate`` > 0 blanks cells MCAR and fits
    by ``missing``: "fiml" (lavaan's "ml": rows missing a ``fixed.x`` covariate dropped, as lavaan), "ml.x"
    (those rows kept, the covariates' distribution joining the likelihood) or "listwise".  ``scheduler``: None (a LocalCluster with
    ``workers`` processes, or threads with ``processes=False``), ``"serial"``, a
    ``"tcp://host:port"`` address or a ``distributed.Client``.  ``mc_ci``: draws of the Monte
    Carlo CI of the recorded ``:=`` rows (0, the default: only the delta-method z test; e.g.
    20000), at level ``1 - alpha``.  ``estimator``: "ML" (default), "MLR", or "WLSMV" / "DWLS" -- the analysis
    of ordered codes (every item ordered; the population must draw codes; ``missing`` "listwise" or "pairwise"
    with ``missing_rate`` > 0).  Returns a :class:`~iur_survey.power.results.PowerResult`.

    >>> pm = PopulationModel.from_lavaan("F =~ 0.8*x1 + 0.7*x2 + 0.6*x3\\nG =~ 0.8*y1 + 0.7*y2 + 0.6*y3\\n"
    ...     "G ~ 0.4*F\\nF ~~ 1*F\\nG ~~ 0.84*G\\n" + "".join(f"{v} ~~ {1 - l * l:.2f}*{v}\\n{v} | -1.5*t1 + 0*t2\\n"
    ...     for v, l in [("x1", .8), ("x2", .7), ("x3", .6), ("y1", .8), ("y2", .7), ("y3", .6)]))
    >>> res = power_analysis(pm, "F =~ x1 + x2 + x3\\nG =~ y1 + y2 + y3\\nG ~ F", n=[150], reps=2, seed=1,
    ...                      estimator="WLSMV", scheduler="serial", progress=False)
    >>> res.settings["estimator"], res.table[["parameter", "converged"]].to_dict("records")
    ('WLSMV', [{'parameter': 'G~F', 'converged': 2}])
    """

    t0 = time.perf_counter()
    pop = _as_population(population, likert)
    syntax = model if model is not None else default_model()
    ns = sorted({int(x) for x in n})
    if not ns or ns[0] < 2:
        raise ValueError("sample sizes must be integers >= 2")
    if int(reps) < 1:
        raise ValueError("reps must be at least 1")
    if not 0 <= missing_rate < 1:
        raise ValueError("missing_rate must be in [0, 1)")
    if not 0 < alpha < 1:
        raise ValueError("alpha must be in (0, 1)")
    m_name = str(missing).lower()
    est_name = str(estimator).upper()
    ordered = est_name in ORDINAL_ESTIMATORS
    if est_name not in ("ML", "MLR") + ORDINAL_ESTIMATORS:
        raise ValueError(f"estimator {estimator!r}: use 'ML', 'MLR', or 'WLSMV' / 'DWLS' (ordered codes)")
    if ordered:
        if not pop.likert:
            raise ValueError(f"estimator {est_name} analyses ordered codes: the population ({pop.source}) draws "
                             "continuous y*; give it thresholds (likert=True)")
        if missing_rate > 0 and m_name not in ("listwise", "pairwise"):
            raise ValueError(f"missing={missing!r} with estimator {est_name}: use 'listwise' or 'pairwise' "
                             "(FIML is for continuous data)")
    elif m_name != "listwise" and m_name not in FIML_NAMES:
        raise ValueError(f"missing={missing!r}: use 'fiml' (lavaan's 'ml'), 'ml.x' (rows missing a fixed.x "
                         "covariate kept) or 'listwise'")
    if int(mc_ci) < 0 or 0 < int(mc_ci) < 1000:
        raise ValueError("mc_ci (Monte Carlo CI draws) must be 0 (off) or at least 1000")
    reps = int(reps)
    fiml = missing_rate > 0 and m_name != "listwise" and not ordered
    meanstructure = True if fiml else None
    truth = true_values(syntax, pop, meanstructure=meanstructure, estimator=est_name)
    rows = select_parameters(truth, parameters)
    keys = tuple(zip(truth["lhs"].iloc[rows], truth["op"].iloc[rows], truth["rhs"].iloc[rows]))
    def_rows = np.flatnonzero(truth["op"].to_numpy() == ":=")          # definition order = table order
    def_pos = tuple(int(j) for j, r in enumerate(rows) if r in set(def_rows.tolist()))
    def_index = tuple(int(np.flatnonzero(def_rows == rows[j])[0]) for j in def_pos)
    if ordered:
        miss_used = m_name if missing_rate > 0 else "listwise"
    else:
        miss_used = FIML_NAMES[m_name] if fiml else "listwise"
    plan = _Plan(syntax=syntax, population=pop, seed=int(seed), missing_rate=float(missing_rate),
                 missing=miss_used, estimator=est_name, meanstructure=meanstructure,
                 rows=tuple(int(r) for r in rows), keys=keys, mc_ci=int(mc_ci), level=1.0 - float(alpha),
                 def_pos=def_pos, def_index=def_index, ordered=ordered,
                 ncat=tuple(len(t) + 1 for t in pop.thresholds) if ordered else ())
    n_workers = 1 if scheduler == "serial" else int(workers or available_cores())
    size = int(chunk_size) if chunk_size else _default_chunk_size(reps, len(ns), n_workers)
    chunks = _chunks(ns, reps, size)
    t1 = time.perf_counter()
    with dask_client(workers=n_workers, scheduler=scheduler, processes=processes, warm_up=_warm_up) as client:
        if client is not None:
            n_workers = len(client.scheduler_info().get("workers", {})) or n_workers
        t2 = time.perf_counter()
        # one BLAS thread in this process too: worker *threads* (processes=False) share threadpoolctl's
        # process-wide limit, and a thread restoring it while another fits would change the results
        with one_blas_thread():
            parts = map_chunks(_run_chunk, chunks, payload=plan, workers=1, scheduler=client,
                               progress=progress, weights=[c[2] - c[1] for c in chunks], desc="power", unit="replications")
        t3 = time.perf_counter()
    reps_df = _assemble(parts, truth, rows, mc=bool(mc_ci) and bool(def_pos))
    table = summarize(reps_df, truth.iloc[rows], alpha=alpha)
    per_rep = reps_df.drop_duplicates(["n", "rep"]) if len(reps_df) else reps_df
    settings = {"n": ns, "reps": reps, "seed": int(seed), "alpha": float(alpha), "likert": pop.likert,
                "missing_rate": float(missing_rate), "missing": plan.missing if missing_rate > 0 else "none",
                "estimator": est_name, "ordered": ordered, "parameters": parameters if parameters is None or isinstance(parameters, str)
                else list(parameters), "chunk_size": size, "tasks": len(chunks),
                "scheduler": ("serial" if client is None else
                              (scheduler if isinstance(scheduler, str) else
                               "LocalCluster" if scheduler is None else "distributed.Client")),
                "workers": n_workers, "processes": bool(processes) if scheduler is None else None,
                "defined_test": "delta-method z (Sobel)" + (f" + Monte Carlo CI ({int(mc_ci)} draws)"
                                                            if mc_ci else ""),
                "mc_ci": int(mc_ci), "null_std": NULL_STD, "zero_std": ZERO_STD,
                "coverage_ci": "Wald 95% (est ± 1.96 se)",
                # what bias and coverage are measured against, and whether the analysis model is misspecified
                "true_values": truth.attrs.get("truth"),
                "misfit": truth.attrs.get("misfit"),
                "misspecified": (bool(truth.attrs["misfit"] > MISFIT_TOL) if "misfit" in truth.attrs else None),
                "coverage_mc_ci": f"Monte Carlo {100 * (1 - float(alpha)):g}% percentile" if mc_ci else None,
                # replications in which some item lost a category (ordered analyses), per n
                "collapsed_reps": ({str(int(k)): int(v) for k, v in
                                    per_rep.groupby("n")["collapsed"].apply(lambda c: int((c > 0).sum())).items()}
                                   if ordered else None)}
    timing = {"total": time.perf_counter() - t0, "setup": t1 - t0, "cluster_start": t2 - t1, "fits": t3 - t2,
              "fits_per_second": len(ns) * reps / (t3 - t2) if t3 > t2 else float("nan"),
              # draw + fit of one replication, inside its worker (mean over all replications)
              # (not in the replications' table: that depends only on the seed)
              "seconds_per_replication": (float(np.concatenate([p["seconds"] for p in parts]).mean()) if parts
                                          else float("nan"))}
    return PowerResult(table=table, reps=reps_df, truth=truth, selected=rows, model=syntax, population=pop,
                       settings=settings, timing=timing)


def _as_population(population: Any, likert: bool | None) -> PopulationModel:
    if population is None:
        return PopulationModel.from_population(likert=True if likert is None else likert)
    if isinstance(population, PopulationModel):
        pm = population
    elif isinstance(population, str):
        pm = PopulationModel.from_lavaan(population, likert=likert)
    elif hasattr(population, "item_correlations") and hasattr(population, "thresholds"):
        pm = PopulationModel.from_population(population, likert=True if likert is None else likert)
    else:
        raise TypeError(f"population: expected a PopulationModel, Population, lavaan syntax or None, "
                        f"not {type(population).__name__}")
    if likert is False and pm.likert:
        pm = pm.continuous()
    elif likert and not pm.likert:
        if pm.thresholds is None:
            raise ValueError(f"{pm.source}: Likert data need thresholds")
        from dataclasses import replace
        pm = replace(pm, likert=True)
    return pm
