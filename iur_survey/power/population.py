"""The data-generating model of a power simulation: :class:`PopulationModel`.

A population is the joint normal distribution of the continuous item responses
``y*`` (covariance ``sigma``, means ``mu``) and, for Likert data, each item's
thresholds: the code is ``scale_min + (number of thresholds below y*)``, exactly
as the survey simulator (:mod:`iur_survey.simulate.respondents`) writes answers in
the scored direction.  Three sources:

* :meth:`PopulationModel.from_population` -- the simulator's
  :class:`~iur_survey.simulate.population.Population` (default
  ``Population.default()``): standardized ``y*`` and its thresholds (Likert by
  default).  Role differences (latent mean shifts, role-specific paths) are
  left out: the power analysis is about the single-group analysis model, so
  the pooled paths are used;
* :meth:`PopulationModel.from_lavaan` -- lavaan syntax in which *every*
  parameter has a fixed value (``F =~ 0.8*x1 + ...``, ``F ~~ 1*F``,
  ``x1 ~~ 0.36*x1``); optional ``x1 | -1.2*t1 + 0.3*t2`` lines give thresholds
  (Likert), unstated intercepts are 0;
* :meth:`PopulationModel.from_results` -- the estimates of a fitted model (the
  ``results.json`` of ``iur-survey fit``), continuous.

:meth:`PopulationModel.moments` gives the exact population mean vector and
covariance matrix of what :meth:`PopulationModel.draw` draws -- for Likert
codes by bivariate-normal orthant probabilities (:func:`iur_survey.sem.ordinal.bivariate_normal_cdf`) -- so the true values
of any analysis model are its fit to those moments (:mod:`.truth`).

>>> pm = PopulationModel.from_lavaan("F =~ 0.8*x1 + 0.7*x2 + 0.6*x3\\nF ~~ 1*F\\n"
...     "x1 ~~ 0.36*x1\\nx2 ~~ 0.51*x2\\nx3 ~~ 0.64*x3")
>>> pm.names, pm.likert
(('x1', 'x2', 'x3'), False)
>>> round(float(pm.sigma[0, 1]), 12)
0.56
>>> pm.draw(4, np.random.default_rng(1)).shape
(4, 3)
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd
from scipy.special import ndtr

from ..errors import ModelSyntaxError
from ..sem.ordinal import bivariate_normal_cdf  # the package's one bivariate normal CDF

__all__ = ["PopulationModel", "likert_moments", "bivariate_normal_cdf", "fixed_value_syntax"]

_THRESHOLD_LINE = re.compile(r"^\s*([A-Za-z_.][A-Za-z0-9_.]*)\s*\|\s*(.+?)\s*$")
_THRESHOLD_TERM = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*\*\s*t(\d+)\s*$")


def likert_moments(sigma: np.ndarray, mu: np.ndarray, thresholds: list[np.ndarray],
                   scale_min: float = 1.0, levels: list[np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Exact mean vector and covariance matrix of Likert codes cut from ``y* ~ N(mu, sigma)``.

    Item ``i``'s code is ``scale_min + sum_k [y*_i > t_ik]``, so its mean is
    ``scale_min + sum_k P(y*_i > t_ik)`` and the covariance of two codes is
    ``sum_{k,l} P(y*_i > t_ik, y*_j > t_jl) - P(y*_i > t_ik) P(y*_j > t_jl)``.  With ``levels`` (per item the
    code of each category, e.g. ``0..10`` for a 0-10 item) the code is ``levels_i[0] + sum_k w_ik [y*_i > t_ik]``
    with steps ``w_ik = levels_i[k] - levels_i[k-1]``, and the sums are weighted by them.

    >>> S, m = likert_moments(np.eye(2), np.zeros(2), [np.array([0.0]), np.array([0.0])])
    >>> m.tolist(), S.round(4).tolist()        # two independent coin flips
    ([1.5, 1.5], [[0.25, 0.0], [0.0, 0.25]])
    >>> S, m = likert_moments(np.eye(2), np.zeros(2), [np.array([0.0]), np.array([0.0])],
    ...                       levels=[np.array([0.0, 10.0]), np.array([1.0, 2.0])])
    >>> m.tolist(), S.round(4).tolist()
    ([5.0, 1.5], [[25.0, 0.0], [0.0, 0.25]])
    """
    sigma = np.asarray(sigma, float)
    mu = np.asarray(mu, float)
    p = len(mu)
    sd = np.sqrt(np.diag(sigma))
    corr = sigma / np.outer(sd, sd)
    # standardized "upper" limits: P(y*_i > t) = Phi((mu_i - t) / sd_i)
    z = [(mu[i] - np.asarray(thresholds[i], float)) / sd[i] for i in range(p)]
    marg = [ndtr(zi) for zi in z]
    if levels is None:
        base = np.full(p, float(scale_min))
        steps = [np.ones(len(t)) for t in thresholds]
    else:
        base = np.array([float(lv[0]) for lv in levels])
        steps = [np.diff(np.asarray(lv, float)) for lv in levels]
    mean = base + np.array([(w * m).sum() for w, m in zip(steps, marg)])
    cov = np.empty((p, p))
    for i in range(p):
        zi, mi, wi = z[i], marg[i], steps[i]
        # variance: P(y > max(t_k, t_l)) = Phi(min(z_k, z_l))
        cov[i, i] = float((np.outer(wi, wi) * (ndtr(np.minimum.outer(zi, zi)) - np.outer(mi, mi))).sum())
        for j in range(i + 1, p):
            zj, mj, wj = z[j], marg[j], steps[j]
            hk = bivariate_normal_cdf(zi[:, None], zj[None, :], corr[i, j])
            cov[i, j] = cov[j, i] = float((np.outer(wi, wj) * (hk - np.outer(mi, mj))).sum())
    return cov, mean


def _fmt(x: float) -> str:
    return repr(float(x))


def fixed_value_syntax(estimates: list[Mapping[str, Any]]) -> str:
    """lavaan syntax fixing every parameter at its estimate (rows of ``parameterEstimates``).

    ``:=``, ``==``, ``<`` and ``>`` rows are skipped; ``~1`` rows become ``x ~ value*1``.

    >>> print(fixed_value_syntax([{"lhs": "F", "op": "=~", "rhs": "x1", "est": 1.0},
    ...                           {"lhs": "F", "op": "~~", "rhs": "F", "est": 0.5},
    ...                           {"lhs": "x1", "op": "~1", "rhs": "", "est": 3.0}]))
    F =~ 1.0*x1
    F ~~ 0.5*F
    x1 ~ 3.0*1
    """
    lines = []
    for e in estimates:
        op = e["op"]
        if op in ("=~", "~", "~~"):
            lines.append(f"{e['lhs']} {op} {_fmt(e['est'])}*{e['rhs']}")
        elif op == "~1":
            lines.append(f"{e['lhs']} ~ {_fmt(e['est'])}*1")
        elif op == "|":
            lines.append(f"{e['lhs']} | {_fmt(e['est'])}*{e['rhs']}")
    return "\n".join(lines)


def _observed_names(syntax: str) -> set[str]:
    """The observed variables of a fixed-value syntax (threshold lines left out)."""
    from ..sem.partable import build_partable
    from ..sem.syntax import parse_model

    kept = "\n".join(line for line in syntax.splitlines() if " | " not in line)
    return set(build_partable(parse_model(kept, "<population>")).ov_names[0])


@dataclass(frozen=True, eq=False)
class PopulationModel:
    """The data-generating distribution (see the module docstring).

    ``names`` the observed variables (column order of drawn data), ``sigma`` /
    ``mu`` the covariance matrix and means of ``y*``, ``thresholds`` one
    increasing array per variable (or None), ``likert`` whether :meth:`draw`
    cuts ``y*`` into codes ``scale_min, scale_min + 1, ...`` -- or, with ``levels`` (per variable the code
    of each category, increasing, one more than its thresholds), into each item's own codes (a 0-10 item
    keeps 0..10 beside 1-5 items) --, ``source`` a description and ``syntax`` the population as lavaan
    syntax (for the record).
    """

    names: tuple[str, ...]
    sigma: np.ndarray
    mu: np.ndarray
    thresholds: tuple[np.ndarray, ...] | None = None
    likert: bool = False
    scale_min: float = 1.0
    source: str = "<population>"
    syntax: str = ""
    levels: tuple[np.ndarray, ...] | None = None

    def __post_init__(self) -> None:
        p = len(self.names)
        if self.sigma.shape != (p, p) or self.mu.shape != (p,):
            raise ValueError("sigma must be p x p and mu of length p for p names")
        if len(set(self.names)) != p:
            raise ValueError("population variable names must be unique")
        ev = np.linalg.eigvalsh(self.sigma)
        if ev.min() <= 1e-12 * max(1.0, ev.max()):
            raise ValueError(f"{self.source}: the population covariance matrix is not positive definite")
        if self.likert and self.thresholds is None:
            raise ValueError(f"{self.source}: Likert data need thresholds (use continuous data)")
        if self.thresholds is not None:
            if len(self.thresholds) != p:
                raise ValueError("one threshold array per variable is needed")
            for v, t in zip(self.names, self.thresholds):
                if len(t) < 1 or np.any(np.diff(t) <= 0):
                    raise ValueError(f"thresholds of {v} must be increasing")
        if self.levels is not None:
            if self.thresholds is None or len(self.levels) != p:
                raise ValueError("levels need thresholds, one array of codes per variable")
            for v, t, lv in zip(self.names, self.thresholds, self.levels):
                lv = np.asarray(lv, float)
                if lv.size != len(t) + 1 or np.any(np.diff(lv) <= 0) or not np.all(np.isfinite(lv)):
                    raise ValueError(f"{v}: {lv.size} codes for {len(t)} thresholds: give {len(t) + 1} increasing "
                                     "codes, one per category")

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_population(cls, population=None, *, likert: bool = True, scale_min: float = 1.0) -> "PopulationModel":
        """The simulator's population (default ``Population.default()``), pooled over roles; codes from
        ``scale_min`` (the instrument's lowest code: 0 for a 0-10 scale, as ``iur-survey simulate`` writes it).

        >>> pm = PopulationModel.from_population()
        >>> len(pm.names), pm.likert, pm.names[0], float(pm.sigma[0, 0])
        (28, True, 'GOV1', 1.0)
        """
        from ..simulate.population import Population
        pop = population if population is not None else Population.default()
        corr = pop.item_correlations()
        names = tuple(corr.index)
        th = tuple(np.asarray(pop.thresholds[v], float) for v in names)
        source = "Population.default()" if population is None else "Population"
        if pop.role_means or pop.role_paths:
            source += " (pooled paths; role differences not simulated)"
        return cls(names=names, sigma=corr.to_numpy(dtype=float), mu=np.zeros(len(names)), thresholds=th,
                   likert=bool(likert), scale_min=float(scale_min), source=source, syntax=pop.to_lavaan(values=True, thresholds=True))

    @classmethod
    def from_lavaan(cls, syntax: str, *, likert: bool | None = None, source: str = "<population syntax>"
                    ) -> "PopulationModel":
        """A population from lavaan syntax with every parameter fixed (see the module docstring).

        ``likert``: None = Likert when the syntax gives thresholds; True requires them.

        >>> s = "F =~ 1*a + 1*b\\nF ~~ 0.5*F\\na ~~ 0.5*a\\nb ~~ 0.5*b\\na | -0.5*t1 + 0.5*t2\\nb | 0*t1 + 1*t2"
        >>> pm = PopulationModel.from_lavaan(s)
        >>> pm.likert, [t.tolist() for t in pm.thresholds]
        (True, [[-0.5, 0.5], [0.0, 1.0]])
        """
        from ..sem.matrices import Model
        from ..sem.partable import build_partable
        from ..sem.syntax import parse_model

        kept, th_lines, th_terms, th_first = [], {}, {}, {}
        for lineno, line in enumerate(syntax.splitlines(), 1):
            code = line.split("#", 1)[0].split("!", 1)[0]
            mt = _THRESHOLD_LINE.match(code)
            if mt:
                # a variable's thresholds may come on one line or several (x | a*t1 + b*t2, or x | a*t1 and
                # x | b*t2 as lavaan's parameter table and fixed_value_syntax write them)
                vals = th_terms.setdefault(mt.group(1), {})
                th_first.setdefault(mt.group(1), lineno)
                for term in mt.group(2).split("+"):
                    mv = _THRESHOLD_TERM.match(term)
                    if not mv:
                        raise ModelSyntaxError(source, f"threshold term {term.strip()!r}: write value*tK "
                                                       "(every threshold needs a fixed value)", row=lineno)
                    if int(mv.group(2)) in vals:
                        raise ModelSyntaxError(source, f"threshold t{mv.group(2)} of {mt.group(1)} is given twice",
                                               row=lineno)
                    vals[int(mv.group(2))] = float(mv.group(1))
                kept.append("")
            else:
                kept.append(line)
        for var, vals in th_terms.items():
            if sorted(vals) != list(range(1, len(vals) + 1)):
                raise ModelSyntaxError(source, f"thresholds of {var} must be t1, t2, ... in turn", row=th_first[var])
            th_lines[var] = np.array([vals[k] for k in sorted(vals)])
        pm = parse_model("\n".join(kept), source)
        if pm.blocks:
            raise ModelSyntaxError(source, "a population with several groups is not supported")
        ms = any(t.op == "~1" for t in pm.terms)
        pt = build_partable(pm, meanstructure=ms)
        free = [i for i in range(len(pt)) if pt.par_index[i] >= 0]
        not_int = [i for i in free if pt.op[i] != "~1"]
        if not_int:
            shown = ", ".join(f"{pt.lhs[i]} {pt.op[i]} {pt.rhs[i]}" for i in not_int[:6])
            more = f" and {len(not_int) - 6} more" if len(not_int) > 6 else ""
            raise ModelSyntaxError(source, "a population model needs a fixed value for every parameter "
                                           f"(e.g. 0.8*x1); free: {shown}{more}")
        # an observed covariate's variance (and covariances) is no model parameter under fixed.x, so it is not
        # "free" above; unstated it has no value (the implied matrix would be singular): name it
        novalue = [i for i in range(len(pt)) if pt.exo[i] and pt.op[i] == "~~" and not np.isfinite(pt.ustart[i])]
        if novalue:
            shown = ", ".join(f"{pt.lhs[i]} ~~ {pt.rhs[i]}" for i in novalue[:6])
            more = f" and {len(novalue) - 6} more" if len(novalue) > 6 else ""
            raise ModelSyntaxError(source, "a population model needs the variances and covariances of its observed "
                                           f"covariates (e.g. x ~~ 1*x, x1 ~~ 0*x2); not given: {shown}{more}")
        model = Model(pt)
        theta = np.zeros(pt.npar)       # unstated intercepts are 0
        S, mu = model.implied(theta, 0)
        names = tuple(pt.ov_names[0])
        unknown = sorted(set(th_lines) - set(names))
        if unknown:
            raise ModelSyntaxError(source, f"thresholds for {', '.join(unknown)}, which the model does not use")
        th = None
        if th_lines:
            lacking = [v for v in names if v not in th_lines]
            if lacking:
                raise ModelSyntaxError(source, f"thresholds are given for some variables but not for "
                                               f"{', '.join(lacking)}: give them for all or none")
            th = tuple(th_lines[v] for v in names)
        if likert and th is None:
            raise ModelSyntaxError(source, "Likert data need thresholds (x | value*t1 + value*t2 ...) "
                                           "in the population syntax")
        use = (th is not None) if likert is None else bool(likert)
        mu = np.zeros(len(names)) if mu is None else np.asarray(mu, float)
        try:
            return cls(names=names, sigma=np.asarray(S, float), mu=mu, thresholds=th, likert=use,
                       source=source, syntax=syntax)
        except ValueError as exc:
            raise ModelSyntaxError(source, str(exc)) from None

    @classmethod
    def from_results(cls, results: Mapping[str, Any] | str | Path, *, source: str | None = None
                     ) -> "PopulationModel":
        """The estimates of a fitted model (``results.json`` of ``iur-survey fit``) as a continuous population
        (of an ordinal fit: its ``y*``, the thresholds kept, so that ``likert=True`` draws codes: each item's own
        observed codes when the results record them, ``levels``, e.g. 0..10 for a 0-10 item; else 1..K).

        >>> import pandas as pd
        >>> from iur_survey.sem import sem
        >>> d = pd.DataFrame(np.random.default_rng(2).standard_normal((80, 3)), columns=["a", "b", "c"])
        >>> pm = PopulationModel.from_results(sem("F =~ a + b + c", d).to_dict())
        >>> pm.names, pm.likert
        (('a', 'b', 'c'), False)
        """
        source = source or (str(results) if isinstance(results, (str, Path)) else "<results>")
        if isinstance(results, (str, Path)):
            results = json.loads(Path(results).read_text(encoding="utf-8"))
        est = results.get("estimates") or []
        if not est:
            raise ModelSyntaxError(source, "the results hold no estimates")
        if results.get("groups") or any(e.get("group") not in (None, "", 0, 1, "1") for e in est):
            raise ModelSyntaxError(source, "a population from a multi-group fit is not supported")
        bad = [e for e in est if e["op"] in ("=~", "~", "~~", "~1") and
               (e.get("est") is None or not math.isfinite(float(e["est"])))]
        if bad:
            raise ModelSyntaxError(source, f"estimate of {bad[0]['lhs']} {bad[0]['op']} {bad[0]['rhs']} is missing")
        syntax = fixed_value_syntax(est)
        ordered = sorted({e["lhs"] for e in est if e["op"] == "|"})
        if ordered:
            observed = {e["rhs"] for e in est if e["op"] == "=~"} | {e["lhs"] for e in est if e["op"] == "~~"}
            continuous = sorted(v for v in observed if v in _observed_names(syntax) and v not in ordered)
            if continuous:
                # a partly ordered fit: its y* (and the continuous items) as a continuous population, no codes
                # (power draws codes for every item or for none); the thresholds are left out
                syntax = "\n".join(line for line in syntax.splitlines() if " | " not in line)
                pm = cls.from_lavaan(syntax, likert=False, source=f"estimates of {source} (partly ordered: "
                                     f"{', '.join(ordered)} ordered, {', '.join(continuous)} continuous)")
                object.__setattr__(pm, "_partly_ordered", (tuple(ordered), tuple(continuous)))
                return pm
        pm = cls.from_lavaan(syntax, likert=False, source=f"estimates of {source}")
        levels = results.get("levels")
        if pm.thresholds is not None and isinstance(levels, Mapping):
            if any(v not in levels for v in pm.names):
                return pm
            lv = tuple(np.asarray(levels[v], float) for v in pm.names)
            try:
                pm = replace(pm, levels=lv)
            except ValueError as exc:
                raise ModelSyntaxError(source, f"the recorded item codes (levels) do not fit the thresholds: {exc}"
                                       ) from None
        return pm

    # ------------------------------------------------------------------ use
    @property
    def partly_ordered(self) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
        """``(ordered, continuous)`` items of the partly ordered fit this population comes from
        (:meth:`from_results`), else None: such a population draws continuous ``y*`` only.

        >>> PopulationModel.from_population().partly_ordered is None
        True
        """
        return self.__dict__.get("_partly_ordered")

    def continuous(self) -> "PopulationModel":
        """The same population, drawing ``y*`` itself (no categorisation).

        >>> PopulationModel.from_population().continuous().likert
        False
        """
        return replace(self, likert=False)

    def moments(self) -> tuple[np.ndarray, np.ndarray]:
        """Exact ``(covariance, means)`` of the drawn variables (codes when :attr:`likert`).

        >>> S, m = PopulationModel.from_population().moments()
        >>> round(float(m[0]), 3), round(float(S[0, 0]), 3)      # GOV1's codes
        (3.73, 1.109)
        """
        if not self.likert:
            return self.sigma.copy(), self.mu.copy()
        return likert_moments(self.sigma, self.mu, list(self.thresholds), self.scale_min,
                              None if self.levels is None else list(self.levels))

    def draw(self, n: int, rng: np.random.Generator, missing_rate: float = 0.0) -> pd.DataFrame:
        """``n`` cases: multivariate normal ``y*`` (cut into codes when :attr:`likert`), then each
        cell blanked with probability ``missing_rate`` (MCAR).

        >>> pm = PopulationModel.from_population()
        >>> d = pm.draw(5, np.random.default_rng(0))
        >>> sorted(set(d.to_numpy().ravel().tolist())) <= [1.0, 2.0, 3.0, 4.0, 5.0]
        True
        """
        L = self._chol()
        p = len(self.names)
        y = rng.standard_normal((int(n), p)) @ L.T + self.mu
        if self.likert:
            k = (y[:, :, None] > self._threshold_grid()[None, :, :]).sum(axis=2)
            if self.levels is None:
                y = self.scale_min + k.astype(float)
            else:       # each item's own codes
                y = np.column_stack([np.asarray(lv, float)[k[:, i]] for i, lv in enumerate(self.levels)])
        if missing_rate > 0:
            y[rng.random(y.shape) < missing_rate] = np.nan
        return pd.DataFrame(y, columns=list(self.names))

    def _chol(self) -> np.ndarray:
        L = self.__dict__.get("_L")
        if L is None:
            L = np.linalg.cholesky(self.sigma)
            object.__setattr__(self, "_L", L)
        return L

    def _threshold_grid(self) -> np.ndarray:
        T = self.__dict__.get("_T")
        if T is None:
            K = max(len(t) for t in self.thresholds)
            T = np.full((len(self.names), K), np.inf)
            for i, t in enumerate(self.thresholds):
                T[i, :len(t)] = t
            object.__setattr__(self, "_T", T)
        return T

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description (names, sigma, mu, thresholds, likert, scale_min, source, syntax, levels).

        >>> sorted(PopulationModel.from_population().to_dict())[:3]
        ['levels', 'likert', 'mu']
        """
        return {"names": list(self.names), "sigma": self.sigma.tolist(), "mu": self.mu.tolist(),
                "thresholds": None if self.thresholds is None else [t.tolist() for t in self.thresholds],
                "likert": self.likert, "scale_min": self.scale_min, "source": self.source, "syntax": self.syntax,
                "levels": None if self.levels is None else [np.asarray(lv, float).tolist() for lv in self.levels]}
