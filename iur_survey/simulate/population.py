"""The population structural-equation model the simulator draws respondents from.

Five mechanisms of Liu (2022, section 4) -- government guidance ``GOV``, market
allocation ``MKT``, benefit-and-risk distribution ``BEN``, shared value ``VAL``
and joint talent training ``TAL`` -- are correlated exogenous latent factors.
Collaborative innovation ``COL`` depends on them, deep integration ``INT`` on
``COL`` and (weakly, partly not at all) directly on the mechanisms::

    COL = a1*GOV + a2*MKT + a3*BEN + a4*VAL + a5*TAL + zeta_COL
    INT = b*COL + c1*GOV + c2*MKT + c3*BEN + c4*VAL + c5*TAL + zeta_INT

Every latent variable has variance 1 (the residual variances of ``COL`` and
``INT`` are whatever makes that true), so every value is standardized.  Each
item is a continuous latent response ``y* = loading * eta + sqrt(1 - loading**2) * eps``
(variance 1) cut by four thresholds into the Likert codes 1..5.  Loadings and
thresholds are stated for the *scored* direction: a reverse-keyed item's
respondent reads the reversed wording, so the simulator writes ``6 - code``
(see :mod:`iur_survey.simulate.respondents`), and :func:`iur_survey.scoring.reverse_score`
turns it back.

Stakeholder roles (enterprise, university, research institute, government)
can differ by latent mean shifts of the mechanisms and by role-specific
structural paths; ``role_effect`` scales both (0 = identical groups).

>>> pop = Population.default()
>>> pop.paths["INT~COL"], pop.loadings["GOV1"]
(0.45, 0.8)
>>> round(pop.residual_variances()["COL"], 4)
0.5258
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
import pandas as pd

#: the exogenous mechanisms, the mediator and the outcome (paper section 4)
EXOGENOUS = ("GOV", "MKT", "BEN", "VAL", "TAL")
MEDIATOR = "COL"
OUTCOME = "INT"
LATENTS = EXOGENOUS + (MEDIATOR, OUTCOME)
ROLES = ("enterprise", "university", "research_institute", "government")

# -- default values ------------------------------------------------------------------
_CORRELATIONS = {
    "GOV~~MKT": 0.25, "GOV~~BEN": 0.30, "GOV~~VAL": 0.25, "GOV~~TAL": 0.35,
    "MKT~~BEN": 0.40, "MKT~~VAL": 0.30, "MKT~~TAL": 0.20,
    "BEN~~VAL": 0.45, "BEN~~TAL": 0.30,
    "VAL~~TAL": 0.35,
}
_PATHS = {
    "COL~GOV": 0.25, "COL~MKT": 0.20, "COL~BEN": 0.30, "COL~VAL": 0.15, "COL~TAL": 0.10,
    "INT~COL": 0.45,
    "INT~GOV": 0.00, "INT~MKT": 0.10, "INT~BEN": 0.00, "INT~VAL": 0.15, "INT~TAL": 0.05,
}
# standardized loadings in the scored direction; reverse-keyed items load weaker
_LOADINGS = {
    "GOV1": 0.80, "GOV2": 0.72, "GOV3": 0.60, "GOV4": 0.76,
    "MKT1": 0.70, "MKT2": 0.78, "MKT3": 0.74, "MKT4": 0.66,
    "BEN1": 0.79, "BEN2": 0.73, "BEN3": 0.75, "BEN4": 0.62,
    "VAL1": 0.82, "VAL2": 0.68, "VAL3": 0.77, "VAL4": 0.71,
    "TAL1": 0.76, "TAL2": 0.70, "TAL3": 0.61, "TAL4": 0.74,
    "COL1": 0.81, "COL2": 0.77, "COL3": 0.72, "COL4": 0.69,
    "INT1": 0.75, "INT2": 0.83, "INT3": 0.63, "INT4": 0.79,
}
# cumulative proportions of codes <= 1, 2, 3, 4 of a typical agreement-skewed item
# (4% / 10% / 24% / 38% / 24%), as normal quantiles, plus a small shift per item;
# acquiescence makes reverse-keyed items less agreed with once they are scored back
_BASE_THRESHOLDS = (-1.75, -1.08, -0.31, 0.71)
_THRESHOLD_SHIFT = {
    "GOV1": -0.05, "GOV2": 0.10, "GOV3": 0.25, "GOV4": 0.00,
    "MKT1": 0.05, "MKT2": -0.10, "MKT3": -0.05, "MKT4": 0.10,
    "BEN1": 0.05, "BEN2": 0.15, "BEN3": 0.00, "BEN4": 0.30,
    "VAL1": -0.15, "VAL2": 0.00, "VAL3": -0.05, "VAL4": 0.05,
    "TAL1": 0.10, "TAL2": 0.15, "TAL3": 0.20, "TAL4": 0.05,
    "COL1": -0.05, "COL2": 0.05, "COL3": 0.00, "COL4": 0.10,
    "INT1": 0.10, "INT2": 0.05, "INT3": 0.25, "INT4": -0.05,
}
_ROLE_MIX = {"enterprise": 0.40, "university": 0.30, "research_institute": 0.18, "government": 0.12}
# raw latent mean shifts of the mechanisms by role, centred in default() so that
# the role-mix-weighted mean of every factor is 0
_ROLE_SHIFTS = {
    "enterprise": {"GOV": -0.10, "MKT": 0.20, "BEN": 0.10},
    "university": {"VAL": 0.10, "TAL": 0.20},
    "research_institute": {"GOV": 0.10, "VAL": 0.15},
    "government": {"GOV": 0.35, "MKT": -0.15, "TAL": -0.10},
}
# role-specific paths used by role_differences="means+paths"
_ROLE_PATHS = {"government": {"COL~GOV": 0.45, "INT~GOV": 0.15}}


def _corr_key(x: str, y: str) -> str:
    return f"{x}~~{y}"


@dataclass
class Population:
    """The population SEM (standardized) and the role mix.

    ``factor_correlations`` keys are ``"GOV~~MKT"`` (each pair once), ``paths`` keys
    ``"COL~GOV"`` / ``"INT~COL"`` / ``"INT~GOV"`` (lavaan's ``lhs~rhs``), ``loadings``
    and ``thresholds`` are keyed by item code (scored direction), ``role_means`` maps
    role -> factor -> latent mean shift, ``role_paths`` role -> path key -> value
    overriding :attr:`paths` for that role, and ``role_effect`` scales the role
    differences (0 = none, 1 = as given).

    >>> pop = Population.default(role_differences="none")
    >>> pop.role_means, pop.role_paths
    ({}, {})
    >>> Population.default().latent_correlations().loc["COL", "INT"].round(3)  # b + c' Phi a
    np.float64(0.58)
    """

    factor_correlations: dict[str, float]
    paths: dict[str, float]
    loadings: dict[str, float]
    thresholds: dict[str, tuple[float, ...]]
    role_mix: dict[str, float] = field(default_factory=lambda: dict(_ROLE_MIX))
    role_means: dict[str, dict[str, float]] = field(default_factory=dict)
    role_paths: dict[str, dict[str, float]] = field(default_factory=dict)
    role_effect: float = 1.0
    #: latent interactions on COL, ``{"GOV:MKT": 0.2}``: COL gains ``0.2 * GOV * MKT`` (its residual variance
    #: shrinks so that its variance stays 1); empty by default
    interactions: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.validate()

    # -- construction ---------------------------------------------------------------
    @classmethod
    def default(cls, role_differences: str = "means") -> "Population":
        """The study's population model.

        ``role_differences``: ``"none"`` (identical roles), ``"means"`` (latent mean
        shifts of the mechanisms by role, the default) or ``"means+paths"`` (also a
        stronger government-guidance effect among government respondents:
        ``COL~GOV`` 0.45 and ``INT~GOV`` 0.15 instead of 0.25 and 0).

        >>> Population.default("means+paths").paths_for("government")["COL~GOV"]
        0.45
        >>> Population.default().role_means["government"]["GOV"]  # 0.35 minus the weighted mean shift 0.02
        0.33
        """
        if role_differences not in ("none", "means", "means+paths"):
            raise ValueError(f"role_differences must be 'none', 'means' or 'means+paths', "
                             f"not {role_differences!r}")
        thresholds = {item: tuple(round(t + _THRESHOLD_SHIFT[item], 2) for t in _BASE_THRESHOLDS)
                      for item in _LOADINGS}
        means: dict[str, dict[str, float]] = {}
        if role_differences != "none":
            centre = {f: sum(_ROLE_MIX[r] * _ROLE_SHIFTS[r].get(f, 0.0) for r in _ROLE_MIX)
                      for f in EXOGENOUS}
            means = {r: {f: round(_ROLE_SHIFTS[r].get(f, 0.0) - centre[f], 3) for f in EXOGENOUS}
                     for r in _ROLE_MIX}
        paths = copy.deepcopy(_ROLE_PATHS) if role_differences == "means+paths" else {}
        return cls(dict(_CORRELATIONS), dict(_PATHS), dict(_LOADINGS), thresholds,
                   dict(_ROLE_MIX), means, paths, 1.0)

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> "Population":
        """Rebuild a population from :meth:`to_dict` output (derived values are ignored).

        >>> pop = Population.default("means+paths")
        >>> Population.from_dict(pop.to_dict()) == pop
        True
        """
        return cls(
            factor_correlations={k: float(v) for k, v in doc["factor_correlations"].items()},
            paths={k: float(v) for k, v in doc["paths"].items()},
            loadings={k: float(v) for k, v in doc["loadings"].items()},
            thresholds={k: tuple(float(t) for t in v) for k, v in doc["thresholds"].items()},
            role_mix={k: float(v) for k, v in doc["role_mix"].items()},
            role_means={r: {f: float(v) for f, v in m.items()} for r, m in (doc.get("role_means") or {}).items()},
            role_paths={r: {p: float(v) for p, v in m.items()} for r, m in (doc.get("role_paths") or {}).items()},
            role_effect=float(doc.get("role_effect", 1.0)),
            interactions={k: float(v) for k, v in (doc.get("interactions") or {}).items()},
        )

    def validate(self) -> None:
        """Raise ``ValueError`` if the model is not a proper standardized population."""
        for a, b in ((x, y) for i, x in enumerate(EXOGENOUS) for y in EXOGENOUS[i + 1:]):
            if _corr_key(a, b) not in self.factor_correlations:
                raise ValueError(f"factor_correlations: missing {_corr_key(a, b)}")
        if np.linalg.eigvalsh(self.phi()).min() <= 0:
            raise ValueError("factor_correlations: the correlation matrix is not positive definite")
        expected = {f"{MEDIATOR}~{f}" for f in EXOGENOUS} | {f"{OUTCOME}~{f}" for f in EXOGENOUS + (MEDIATOR,)}
        if set(self.paths) != expected:
            raise ValueError(f"paths: expected exactly the keys {sorted(expected)}")
        for item, lam in self.loadings.items():
            if not 0 < lam < 1:
                raise ValueError(f"loadings: {item} = {lam} is not in (0, 1)")
            t = self.thresholds.get(item)
            if t is None or len(t) < 1 or any(t2 <= t1 for t1, t2 in zip(t, t[1:])):
                raise ValueError(f"thresholds: {item} needs increasing thresholds, got {t!r}")
        if set(self.thresholds) != set(self.loadings):
            raise ValueError("thresholds and loadings must name the same items")
        if len({len(t) for t in self.thresholds.values()}) != 1:
            raise ValueError("thresholds: every item needs the same number of thresholds")
        if not math.isclose(sum(self.role_mix.values()), 1.0, abs_tol=1e-9) or min(self.role_mix.values()) < 0:
            raise ValueError(f"role_mix must be non-negative proportions summing to 1, got {self.role_mix}")
        for role in list(self.role_means) + list(self.role_paths):
            if role not in self.role_mix:
                raise ValueError(f"role {role!r} has differences but is not in role_mix")
        for role, over in self.role_paths.items():
            for key in over:
                if key not in self.paths:
                    raise ValueError(f"role_paths.{role}: unknown path {key!r}")
        for key in self.interactions:
            parts = key.split(":")
            if len(parts) != 2 or parts[0] == parts[1] or not set(parts) <= set(EXOGENOUS):
                raise ValueError(f"interactions: {key!r} is not 'A:B' with two different mechanisms of {EXOGENOUS}")
        psi = self.residual_variances()
        if min(psi.values()) <= 0:
            raise ValueError(f"the paths explain more than all variance of {min(psi, key=psi.get)}")

    # -- matrices -------------------------------------------------------------------
    def phi(self) -> np.ndarray:
        """The 5 x 5 correlation matrix of the exogenous mechanisms (order :data:`EXOGENOUS`).

        >>> Population.default().phi()[0, 1]
        np.float64(0.25)
        """
        k = len(EXOGENOUS)
        out = np.eye(k)
        for i in range(k):
            for j in range(i + 1, k):
                key = _corr_key(EXOGENOUS[i], EXOGENOUS[j])
                v = self.factor_correlations.get(key, self.factor_correlations.get(_corr_key(EXOGENOUS[j], EXOGENOUS[i])))
                out[i, j] = out[j, i] = float(v)
        return out

    def paths_for(self, role: str | None = None) -> dict[str, float]:
        """The structural paths of one role (pooled :attr:`paths` when ``role`` is None).

        A role's override is applied scaled by :attr:`role_effect`:
        ``pooled + role_effect * (override - pooled)``.

        >>> Population.default().paths_for("government") == Population.default().paths
        True
        """
        out = dict(self.paths)
        for key, value in self.role_paths.get(role, {}).items() if role is not None else ():
            out[key] = out[key] + self.role_effect * (value - out[key])
        return out

    def structural(self, role: str | None = None) -> tuple[np.ndarray, float, np.ndarray]:
        """``(a, b, c)``: COL on the mechanisms, INT on COL, INT on the mechanisms.

        >>> a, b, c = Population.default().structural()
        >>> a.tolist(), b, c.tolist()
        ([0.25, 0.2, 0.3, 0.15, 0.1], 0.45, [0.0, 0.1, 0.0, 0.15, 0.05])
        """
        p = self.paths_for(role)
        a = np.array([p[f"{MEDIATOR}~{f}"] for f in EXOGENOUS])
        c = np.array([p[f"{OUTCOME}~{f}"] for f in EXOGENOUS])
        return a, float(p[f"{OUTCOME}~{MEDIATOR}"]), c

    def interaction_variance(self) -> float:
        """Variance of COL's interaction part ``sum g * A * B`` (normal mechanisms: ``cov(AB, CD) =
        phi_AC phi_BD + phi_AD phi_BC``); 0 without interactions.

        >>> from dataclasses import replace
        >>> Population.default("none").interaction_variance()
        0.0
        >>> round(replace(Population.default("none"), interactions={"GOV:MKT": 0.2}).interaction_variance(), 4)
        0.0425
        """
        phi = self.phi()
        idx = [(EXOGENOUS.index(k.split(":")[0]), EXOGENOUS.index(k.split(":")[1]), g)
               for k, g in self.interactions.items()]
        return float(sum(g * h * (phi[i, k] * phi[j, l] + phi[i, l] * phi[j, k])
                         for i, j, g in idx for k, l, h in idx))

    def interaction_scores(self, x: np.ndarray) -> np.ndarray:
        """COL's interaction part for rows of mechanism scores ``x`` (columns :data:`EXOGENOUS`).

        >>> from dataclasses import replace
        >>> pop = replace(Population.default("none"), interactions={"GOV:MKT": 0.2})
        >>> pop.interaction_scores(np.array([[1.0, 2.0, 0, 0, 0]])).tolist()
        [0.4]
        """
        out = np.zeros(len(x))
        for key, g in self.interactions.items():
            a, b = key.split(":")
            out += g * x[:, EXOGENOUS.index(a)] * x[:, EXOGENOUS.index(b)]
        return out

    def residual_variances(self) -> dict[str, float]:
        """Residual variances of COL and INT that make both latent variances 1.

        They are computed from the pooled paths; a role with its own paths keeps
        these residual variances (so its COL / INT variances differ from 1).

        >>> {k: round(v, 4) for k, v in Population.default().residual_variances().items()}
        {'COL': 0.5258, 'INT': 0.6296}
        """
        a, b, c = self.structural(None)
        phi = self.phi()
        psi_col = 1.0 - float(a @ phi @ a) - self.interaction_variance()
        psi_int = 1.0 - float(b * b + c @ phi @ c + 2 * b * (c @ phi @ a))
        return {MEDIATOR: psi_col, OUTCOME: psi_int}

    def latent_covariance(self, role: str | None = None) -> pd.DataFrame:
        """Model-implied covariance of the seven latent variables (within a role).

        >>> cov = Population.default().latent_covariance()
        >>> bool(np.allclose(np.diag(cov), 1.0))
        True
        """
        a, b, c = self.structural(role)
        psi = self.residual_variances()
        k = len(EXOGENOUS)
        # eta = B eta + zeta  ->  eta = (I - B)^-1 zeta
        beta = np.zeros((k + 2, k + 2))
        beta[k, :k] = a
        beta[k + 1, :k] = c
        beta[k + 1, k] = b
        zeta = np.zeros((k + 2, k + 2))
        zeta[:k, :k] = self.phi()
        zeta[k, k] = psi[MEDIATOR] + self.interaction_variance()   # the interaction is uncorrelated with x
        zeta[k + 1, k + 1] = psi[OUTCOME]
        inv = np.linalg.inv(np.eye(k + 2) - beta)
        return pd.DataFrame(inv @ zeta @ inv.T, index=list(LATENTS), columns=list(LATENTS))

    def latent_correlations(self, role: str | None = None) -> pd.DataFrame:
        """Model-implied correlations of the seven latent variables.

        >>> Population.default().latent_correlations().loc["GOV", "COL"].round(3)
        np.float64(0.462)
        """
        cov = self.latent_covariance(role).to_numpy()
        sd = np.sqrt(np.diag(cov))
        return pd.DataFrame(cov / np.outer(sd, sd), index=list(LATENTS), columns=list(LATENTS))

    def item_correlations(self, items: tuple[str, ...] | None = None, construct_of: Mapping[str, str] | None = None,
                          role: str | None = None) -> pd.DataFrame:
        """Model-implied correlations of the continuous item responses ``y*`` (scored direction).

        ``construct_of`` maps item -> construct; by default the construct is the item code
        without its trailing number (``GOV3`` -> ``GOV``).

        >>> r = Population.default().item_correlations()
        >>> round(float(r.loc["GOV1", "GOV2"]), 3)   # 0.80 * 0.72
        0.576
        """
        items = tuple(items or self.loadings)
        construct_of = construct_of or {i: i.rstrip("0123456789") for i in items}
        cov = self.latent_covariance(role)
        lam = np.array([self.loadings[i] for i in items])
        eta = cov.loc[[construct_of[i] for i in items], [construct_of[i] for i in items]].to_numpy()
        sigma = np.outer(lam, lam) * eta
        np.fill_diagonal(sigma, np.diag(sigma) + (1 - lam ** 2))
        sd = np.sqrt(np.diag(sigma))
        return pd.DataFrame(sigma / np.outer(sd, sd), index=list(items), columns=list(items))

    def effects(self, role: str | None = None) -> pd.DataFrame:
        """Direct, indirect (via COL) and total standardized effects of each mechanism on INT.

        >>> Population.default().effects().loc["BEN"].round(3).tolist()
        [0.3, 0.0, 0.135, 0.135]
        """
        a, b, c = self.structural(role)
        return pd.DataFrame({"on_COL": a, "direct_on_INT": c, "indirect_on_INT": a * b,
                             "total_on_INT": c + a * b}, index=pd.Index(EXOGENOUS, name="mechanism"))

    def r_squared(self, role: str | None = None) -> dict[str, float]:
        """Proportion of COL / INT variance the model explains.

        >>> {k: round(v, 3) for k, v in Population.default().r_squared().items()}
        {'COL': 0.474, 'INT': 0.37}
        """
        cov = self.latent_covariance(role)
        psi = self.residual_variances()
        return {k: 1.0 - psi[k] / float(cov.loc[k, k]) for k in (MEDIATOR, OUTCOME)}

    def category_probabilities(self) -> pd.DataFrame:
        """Marginal probability of each scored code per item (standard-normal ``y*``, no role shifts).

        >>> p = Population.default().category_probabilities()
        >>> p.loc["GOV1"].round(2).tolist()
        [0.04, 0.09, 0.23, 0.39, 0.25]
        """
        from scipy.special import ndtr
        rows = {}
        for item, t in self.thresholds.items():
            cdf = np.concatenate([[0.0], ndtr(np.asarray(t)), [1.0]])
            rows[item] = np.diff(cdf)
        k = len(next(iter(self.thresholds.values()))) + 1
        return pd.DataFrame.from_dict(rows, orient="index", columns=list(range(1, k + 1)))

    # -- serialisation ----------------------------------------------------------------
    def to_dict(self, derived: bool = True) -> dict[str, Any]:
        """JSON-ready parameters (the truth file); ``derived`` adds R^2, effects, implied correlations.

        >>> d = Population.default().to_dict()
        >>> d["paths"]["INT~COL"], d["derived"]["residual_variances"]["COL"]
        (0.45, 0.52575)
        """
        out: dict[str, Any] = {
            "latent_variables": {"exogenous": list(EXOGENOUS), "mediator": MEDIATOR, "outcome": OUTCOME},
            "factor_correlations": dict(self.factor_correlations),
            "paths": dict(self.paths),
            "loadings": dict(self.loadings),
            "thresholds": {k: list(v) for k, v in self.thresholds.items()},
            "role_mix": dict(self.role_mix),
            "role_means": {r: dict(m) for r, m in self.role_means.items()},
            "role_paths": {r: dict(m) for r, m in self.role_paths.items()},
            "role_effect": self.role_effect,
            **({"interactions": dict(self.interactions)} if self.interactions else {}),
            "notes": ("standardized: every latent variable has variance 1 (pooled paths); loadings and "
                      "thresholds refer to the reverse-scored items; a role's latent means are "
                      "role_effect * role_means; a role's paths are paths + role_effect * "
                      "(role_paths - paths), with the pooled residual variances"),
        }
        if derived:
            eff = self.effects()
            out["derived"] = {
                "residual_variances": {k: round(v, 6) for k, v in self.residual_variances().items()},
                "item_residual_variances": {k: round(1 - v * v, 6) for k, v in self.loadings.items()},
                "r_squared": {k: round(v, 6) for k, v in self.r_squared().items()},
                "indirect_effects": {f: round(float(eff.loc[f, "indirect_on_INT"]), 6) for f in EXOGENOUS},
                "total_effects": {f: round(float(eff.loc[f, "total_on_INT"]), 6) for f in EXOGENOUS},
                "latent_correlations": {f"{x}~~{y}": round(float(v), 6)
                                        for (x, y), v in self.latent_correlations().stack().items()
                                        if LATENTS.index(x) < LATENTS.index(y)},
            }
        return out

    def to_lavaan(self, values: bool = True, thresholds: bool = False) -> str:
        """The population model as lavaan syntax.

        ``values=True`` fixes every parameter at its true value (a model with zero free
        parameters whose implied covariance is the population's); ``values=False`` gives
        the same model with free parameters (lavaan's default marker/variance settings).
        ``thresholds=True`` adds the item thresholds (``GOV1 | -1.8*t1 + ...``) for an
        ordinal fit.  Items are the reverse-scored ones.

        >>> print(Population.default().to_lavaan().splitlines()[1])
        GOV =~ 0.8*GOV1 + 0.72*GOV2 + 0.6*GOV3 + 0.76*GOV4
        >>> print(Population.default().to_lavaan(values=False).splitlines()[9])
        COL ~ GOV + MKT + BEN + VAL + TAL
        """
        def v(x: float) -> str:
            return f"{x:.6g}*" if values else ""

        by_construct: dict[str, list[str]] = {}
        for item in self.loadings:
            by_construct.setdefault(item.rstrip("0123456789"), []).append(item)
        a, b, c = self.structural(None)
        lines = ["# measurement model (loadings of the reverse-scored items)"]
        for f in LATENTS:
            lines.append(f"{f} =~ " + " + ".join(f"{v(self.loadings[i])}{i}" for i in by_construct.get(f, [])))
        lines.append("# structural model")
        lines.append(f"{MEDIATOR} ~ " + " + ".join(f"{v(x)}{f}" for x, f in zip(a, EXOGENOUS)))
        for key, g in self.interactions.items():
            lines.append(f"# interaction (not in the covariance structure): {MEDIATOR} ~ {g:.6g}*{key}")
        lines.append(f"{OUTCOME} ~ {v(b)}{MEDIATOR} + " + " + ".join(f"{v(x)}{f}" for x, f in zip(c, EXOGENOUS)))
        if values:
            psi = self.residual_variances()
            lines.append("# exogenous factor variances and correlations")
            phi = self.phi()
            for i, x in enumerate(EXOGENOUS):
                lines.append(f"{x} ~~ 1*{x}")
            for i, x in enumerate(EXOGENOUS):
                for j in range(i + 1, len(EXOGENOUS)):
                    lines.append(f"{x} ~~ {phi[i, j]:.6g}*{EXOGENOUS[j]}")
            lines.append("# residual variances")
            lines.append(f"{MEDIATOR} ~~ {psi[MEDIATOR]:.10g}*{MEDIATOR}")
            lines.append(f"{OUTCOME} ~~ {psi[OUTCOME]:.10g}*{OUTCOME}")
            for item, lam in self.loadings.items():
                lines.append(f"{item} ~~ {1 - lam * lam:.10g}*{item}")
        if thresholds:
            lines.append("# thresholds")
            for item, ts in self.thresholds.items():
                lines.append(f"{item} | " + " + ".join(f"{v(t)}t{k + 1}" for k, t in enumerate(ts)))
        return "\n".join(lines) + "\n"


def lavaan_syntax(population: Population | None = None, values: bool = True, thresholds: bool = False) -> str:
    """The population model as lavaan syntax (see :meth:`Population.to_lavaan`).

    >>> "INT ~ 0.45*COL" in lavaan_syntax()
    True
    """
    return (population or Population.default()).to_lavaan(values=values, thresholds=thresholds)
