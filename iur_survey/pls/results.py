"""The results object of a PLS-SEM fit: tidy tables (one method per statistic) and ``summary()``.

Every table is a pandas DataFrame in long (tidy) form; after :meth:`PLSResult.bootstrap` the tables of
bootstrapped estimates gain the columns ``boot_mean se t pvalue ci.lower ci.upper`` (percentile limits).

>>> from iur_survey.pls import pls_sem, example_data, EXAMPLE_MODEL
>>> res = pls_sem(example_data(), model=EXAMPLE_MODEL).bootstrap(200, seed=1)
>>> res.path_coefficients()[["lhs", "rhs", "est", "ci.lower", "ci.upper"]].round(2)
  lhs rhs   est  ci.lower  ci.upper
0   M   X  0.49      0.41      0.57
1   Y   M  0.35      0.24      0.45
2   Y   X  0.17      0.07      0.28
>>> res.specific_indirect_effects()[["path", "est", "ci.lower", "ci.upper"]].round(2)
          path   est  ci.lower  ci.upper
0  X -> M -> Y  0.17      0.11      0.24
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..measure._common import flag
from ..measure.validity import HTMT_CUTOFFS
from .bootstrap import PLSBootstrap, run_bootstrap
from .engine import PLSFit, fit_batch
from .estimates import keys
from .model import PLSModel
from .quality import alpha, inner_vif, negative_loadings, outer_vif, rho_a, rho_c_ave

__all__ = ["PLSResult"]

RELIABILITY_CUTOFF = 0.70
AVE_CUTOFF = 0.50


def _effect_size(f2: float) -> str:
    if not np.isfinite(f2):
        return ""
    if f2 >= 0.35:
        return "large"
    if f2 >= 0.15:
        return "medium"
    if f2 >= 0.02:
        return "small"
    return "none"


@dataclass
class PLSResult:
    """A fitted PLS path model; build it with :func:`iur_survey.pls.pls_sem`.

    Attributes: ``model`` (:class:`~iur_survey.pls.model.PLSModel`), ``scheme``, ``tol``, ``max_iter``,
    ``missing``, ``n`` (cases used), ``n_input`` (cases given), ``n_imputed`` (cells mean-replaced),
    ``iterations``, ``converged``, ``warnings``, ``boot`` (:class:`~iur_survey.pls.bootstrap.PLSBootstrap`
    or None), ``R`` (indicator correlations) and ``data_matrix`` (the indicators as used).
    """

    model: PLSModel
    scheme: str
    tol: float
    max_iter: int
    missing: str
    data_matrix: np.ndarray = field(repr=False)
    index: pd.Index = field(repr=False)
    n_input: int
    n_imputed: int
    R: np.ndarray = field(repr=False)
    fit: PLSFit = field(repr=False)
    estimates: dict[str, np.ndarray] = field(repr=False)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    boot: PLSBootstrap | None = field(default=None, repr=False)

    # -- basics -------------------------------------------------------------------------------------
    @property
    def n(self) -> int:
        return int(self.data_matrix.shape[0])

    @property
    def converged(self) -> bool:
        return bool(self.fit.converged[0])

    @property
    def iterations(self) -> int:
        return int(self.fit.iterations[0])

    def _est(self, kind: str) -> np.ndarray:
        return self.estimates[kind][0]

    def _with_boot(self, frame: pd.DataFrame, kind: str, est: np.ndarray | None = None) -> pd.DataFrame:
        if self.boot is None:
            return frame
        est = self._est(kind) if est is None else est
        extra = self.boot.summary_of(kind, est)
        extra.index = frame.index
        return pd.concat([frame, extra], axis=1)

    def bootstrap(self, n_boot: int = 5000, *, seed=None, level: float = 0.95, chunk_size: int = 500,
                  progress: bool | None = None) -> "PLSResult":
        """A copy of this result with ``n_boot`` bootstrap resamples attached (seeded, reproducible).

        All resamples are refitted together by the batched algorithm warm-started from the sample weights;
        ``progress`` shows a tqdm bar (default: only on a terminal).  Bootstrapped: paths, weights,
        loadings, R-squared, total/indirect/specific indirect effects, ``:=`` definitions and HTMT.

        >>> from iur_survey.pls import pls_sem, example_data, EXAMPLE_MODEL
        >>> res = pls_sem(example_data(), model=EXAMPLE_MODEL)
        >>> a = res.bootstrap(100, seed=3).path_coefficients()["se"]
        >>> b = res.bootstrap(100, seed=3, chunk_size=7).path_coefficients()["se"]
        >>> bool(np.allclose(a, b, atol=1e-9)), res.boot is None
        (True, True)
        """
        boot = run_bootstrap(self, n_boot, seed=seed, level=level, chunk_size=chunk_size, progress=progress)
        return dataclasses.replace(self, boot=boot)

    # -- outer model --------------------------------------------------------------------------------
    def _item_frame(self) -> pd.DataFrame:
        cons = self.model.constructs
        return pd.DataFrame({"construct": [cons[j] for j in self.model.block_index],
                             "item": list(self.model.items)})

    def outer_weights(self) -> pd.DataFrame:
        """Outer weights (composites of standardized indicators with unit variance).

        >>> from iur_survey.pls import pls_sem, example_data, EXAMPLE_MODEL
        >>> pls_sem(example_data(), model=EXAMPLE_MODEL).outer_weights().head(3).round(3)
          construct item  weight
        0         X   x1   0.496
        1         X   x2   0.387
        2         X   x3   0.364
        """
        out = self._item_frame()
        out["weight"] = self._est("weights")
        return self._with_boot(out, "weights")

    def outer_loadings(self) -> pd.DataFrame:
        """Outer loadings (indicator-composite correlations) and indicator reliability (loading squared).

        >>> from iur_survey.pls import pls_sem, example_data, EXAMPLE_MODEL
        >>> pls_sem(example_data(), model=EXAMPLE_MODEL).outer_loadings().head(3).round(3)
          construct item  loading  reliability
        0         X   x1    0.847        0.718
        1         X   x2    0.786        0.618
        2         X   x3    0.756        0.571
        """
        out = self._item_frame()
        lam = self._est("loadings")
        out["loading"] = lam
        out["reliability"] = lam ** 2
        if self.boot is None:
            return out
        extra = self.boot.summary_of("loadings", lam)
        extra.index = out.index
        return pd.concat([out, extra], axis=1)

    def cross_loadings(self) -> pd.DataFrame:
        """Correlation of every indicator with every composite (items x constructs)."""
        return pd.DataFrame(self.fit.cross_loadings[0], index=list(self.model.items),
                            columns=list(self.model.constructs))

    def outer_vif(self) -> pd.DataFrame:
        """Collinearity of the indicators within each block (VIF; SmartPLS's outer VIF)."""
        out = self._item_frame()
        out["vif"] = outer_vif(self.R, self.model)
        return out

    def reliability(self) -> pd.DataFrame:
        """Cronbach's alpha, rho_A, rho_C and AVE of every construct (Hair et al. 2021, ch. 4).

        Flags: rho_C >= .70 (``rho_c_ok``) and AVE >= .50 (``ave_ok``).  ``negative_loadings``: the
        indicators of the block with a negative outer loading ("" when none; a reverse-keyed item not
        reversed? the fit warns, and alpha / rho_C, seminr's formulas, are then not interpretable).

        >>> from iur_survey.pls import pls_sem, example_data, EXAMPLE_MODEL
        >>> rel = pls_sem(example_data(), model=EXAMPLE_MODEL).reliability()
        >>> rel.drop(columns="negative_loadings").round(3)
          construct  n_items  alpha  rho_a  rho_c    ave  rho_c_ok  ave_ok
        0         X        3  0.716  0.736  0.839  0.635      True    True
        1         M        3  0.757  0.762  0.860  0.672      True    True
        2         Y        3  0.756  0.757  0.860  0.673      True    True
        >>> rel["negative_loadings"].tolist()
        ['', '', '']
        """
        rows = []
        blk = self.model.block_index
        w = self._est("weights")
        lam = self._est("loadings")
        for j, c in enumerate(self.model.constructs):
            ix = np.flatnonzero(blk == j)
            Rb = self.R[np.ix_(ix, ix)]
            rc, ave = rho_c_ave(lam[ix])
            rows.append({"construct": c, "n_items": len(ix), "alpha": alpha(Rb), "rho_a": rho_a(Rb, w[ix]),
                         "rho_c": rc, "ave": ave})
        out = pd.DataFrame(rows)
        out["rho_c_ok"] = out["rho_c"] >= RELIABILITY_CUTOFF
        out["ave_ok"] = out["ave"] >= AVE_CUTOFF
        neg: dict[str, list[str]] = {}
        for c, item, _ in negative_loadings(lam, self.model):
            neg.setdefault(c, []).append(item)
        out["negative_loadings"] = [", ".join(neg.get(c, [])) for c in out["construct"]]
        return out

    def htmt(self, matrix: bool = False) -> pd.DataFrame:
        """Heterotrait-monotrait ratio of every construct pair (absolute correlations).

        Flags ``below_085``/``below_090``; with a bootstrap, also its percentile CI (Henseler et al. 2015:
        discriminant validity when the upper limit is below 1 or the chosen threshold).
        ``matrix=True`` gives the constructs x constructs table (lower triangle).

        >>> from iur_survey.pls import pls_sem, example_data, EXAMPLE_MODEL
        >>> pls_sem(example_data(), model=EXAMPLE_MODEL).htmt().round(3)
          construct_1 construct_2   htmt  below_085  below_090
        0           X           M  0.661       True       True
        1           X           Y  0.448       True       True
        2           M           Y  0.563       True       True
        """
        pairs = keys(self.model)["htmt"]
        val = self._est("htmt")
        if matrix:
            cons = list(self.model.constructs)
            out = pd.DataFrame(np.nan, index=cons, columns=cons)
            for (a, b), v in zip(pairs, val):
                out.loc[b, a] = v
            return out
        out = pd.DataFrame({"construct_1": [a for a, _ in pairs], "construct_2": [b for _, b in pairs],
                            "htmt": val})
        out["below_085"] = flag(out["htmt"], HTMT_CUTOFFS[0], below=True, unknown=True)   # NaN: <NA>, not computable
        out["below_090"] = flag(out["htmt"], HTMT_CUTOFFS[1], below=True, unknown=True)
        return self._with_boot(out, "htmt")

    def fornell_larcker(self) -> pd.DataFrame:
        """Fornell-Larcker table: sqrt(AVE) on the diagonal, composite correlations below it."""
        cons = list(self.model.constructs)
        C = self.fit.composite_cor[0]
        out = pd.DataFrame(np.tril(C, -1), index=cons, columns=cons).where(np.tril(np.ones_like(C), -1) > 0)
        ave = self.reliability()["ave"].to_numpy()
        for k, c in enumerate(cons):
            out.loc[c, c] = math.sqrt(ave[k])
        return out

    def construct_scores(self) -> pd.DataFrame:
        """The composite scores (mean 0, SD 1 with divisor N - 1), indexed like the rows used."""
        X = self.data_matrix
        Z = (X - X.mean(axis=0)) / X.std(axis=0, ddof=1)
        S = Z @ (self.fit.weights[0][:, None] * self.model.membership)
        return pd.DataFrame(S, index=self.index, columns=list(self.model.constructs))

    # -- inner model --------------------------------------------------------------------------------
    def path_coefficients(self) -> pd.DataFrame:
        """Standardized path coefficients (lavaan layout ``lhs ~ rhs``: lhs the outcome).

        >>> from iur_survey.pls import pls_sem, example_data, EXAMPLE_MODEL
        >>> pls_sem(example_data(), model=EXAMPLE_MODEL).path_coefficients().round(3)
          lhs op rhs label    est
        0   M  ~   X     a  0.493
        1   Y  ~   M     b  0.348
        2   Y  ~   X     c  0.167
        """
        paths = self.model.paths
        out = pd.DataFrame({"lhs": [t for _, t in paths], "op": "~", "rhs": [s for s, _ in paths],
                            "label": [self.model.labels.get(p, "") for p in paths],
                            "est": self._est("paths")})
        return self._with_boot(out, "paths")

    def r_squared(self) -> pd.DataFrame:
        """R-squared and adjusted R-squared of every endogenous construct."""
        n = self.n
        k = np.array([len(self.model.predecessors[c]) for c in self.model.endogenous])
        r2 = self._est("r2")
        out = pd.DataFrame({"construct": list(self.model.endogenous), "r2": r2,
                            "r2_adj": 1.0 - (1.0 - r2) * (n - 1) / (n - k - 1), "n_predictors": k})
        return self._with_boot(out, "r2")

    def _effect_frame(self, kind: str) -> pd.DataFrame:
        pairs = keys(self.model)[kind]
        out = pd.DataFrame({"source": [s for s, _ in pairs], "target": [t for _, t in pairs],
                            "est": self._est(kind)})
        return self._with_boot(out, kind)

    def total_effects(self) -> pd.DataFrame:
        """Total effect of every construct on every construct it reaches (direct + all indirect)."""
        return self._effect_frame("total")

    def indirect_effects(self) -> pd.DataFrame:
        """Total indirect effects (total minus direct) of every pair joined by a chain of two or more paths."""
        return self._effect_frame("indirect")

    def specific_indirect_effects(self) -> pd.DataFrame:
        """Every specific indirect effect (X -> M ... -> Y: the product of the chain's paths)."""
        chains = keys(self.model)["specific"]
        out = pd.DataFrame({"path": [" -> ".join(c) for c in chains], "source": [c[0] for c in chains],
                            "through": [" -> ".join(c[1:-1]) for c in chains], "target": [c[-1] for c in chains],
                            "est": self._est("specific")})
        return self._with_boot(out, "specific")

    def defined(self) -> pd.DataFrame:
        """The model's ``:=`` definitions evaluated with the PLS path coefficients (e.g. ``ind_GOV := a1*b``)."""
        names = keys(self.model)["defined"]
        out = pd.DataFrame({"name": names, "expression": [self.model.defined_text.get(n, "") for n in names],
                            "est": self._est("defined")})
        return self._with_boot(out, "defined")

    def inner_vif(self) -> pd.DataFrame:
        """Collinearity of each endogenous construct's predictors (inner VIF)."""
        rows = inner_vif(self.fit.composite_cor[0], self.model)
        return pd.DataFrame(rows, columns=["lhs", "rhs", "vif"])

    def f_squared(self, method: str = "reestimate") -> pd.DataFrame:
        """Cohen's f-squared of every path: ``(R2_incl - R2_excl) / (1 - R2_incl)``.

        ``method="reestimate"`` (default; seminr, Hair et al. 2021) refits the PLS model without the path for
        R2_excl (constructs left without any path are dropped from that refit, as seminr does);
        ``"scores"`` regresses on the composite scores of the full model instead.
        Size: .02 small, .15 medium, .35 large.

        >>> from iur_survey.pls import pls_sem, example_data, EXAMPLE_MODEL
        >>> pls_sem(example_data(), model=EXAMPLE_MODEL).f_squared().round(3)
          lhs rhs     f2    size
        0   M   X  0.320  medium
        1   Y   M  0.115   small
        2   Y   X  0.027   small
        """
        if method not in ("reestimate", "scores"):
            raise ValueError("method must be 'reestimate' or 'scores'")
        pos = {c: k for k, c in enumerate(self.model.constructs)}
        r2_full = self.fit.r2[0]
        C = self.fit.composite_cor[0]
        rows = []
        for s, t in self.model.paths:
            incl = r2_full[pos[t]]
            rest = [p for p in self.model.predecessors[t] if p != s]
            excl = None
            if method == "reestimate":
                excl = self._r2_without(s, t) if rest else 0.0
            if excl is None:
                if rest:
                    idx = [pos[p] for p in rest]
                    b = np.linalg.solve(C[np.ix_(idx, idx)], C[idx, pos[t]])
                    excl = float(b @ C[idx, pos[t]])
                else:
                    excl = 0.0
            f2 = (incl - excl) / (1.0 - incl)
            rows.append({"lhs": t, "rhs": s, "f2": f2, "size": _effect_size(f2)})
        return pd.DataFrame(rows)

    def _r2_without(self, source: str, target: str) -> float:
        """R-squared of ``target`` in the PLS model refitted without the path source -> target."""
        paths = tuple(p for p in self.model.paths if p != (source, target))
        linked = {c for p in paths for c in p}
        blocks = {c: items for c, items in self.model.blocks.items() if c in linked}
        reduced = PLSModel(blocks, paths)
        where = [self.model.items.index(i) for i in reduced.items]
        f = fit_batch(self.R[np.ix_(where, where)][None], reduced, self.scheme, self.tol, self.max_iter,
                      start=self.fit.weights[0][where])
        return float(f.r2[0, reduced.constructs.index(target)])

    # -- prediction -------------------------------------------------------------------------------
    def predict(self, k: int = 10, repeats: int = 10, *, seed=None, technique: str = "EA",
                benchmark: str | None = None) -> pd.DataFrame:
        """PLSpredict (Shmueli et al. 2019): k-fold out-of-sample prediction of the endogenous indicators.

        See :func:`iur_survey.pls.predict.pls_predict` (``benchmark``: by default the one of ``technique``, EA ->
        exogenous, DA -> antecedents).
        """
        from .predict import pls_predict
        return pls_predict(self, k, repeats, seed=seed, technique=technique, benchmark=benchmark)

    def blindfolding(self, omission_distance: int = 7) -> pd.DataFrame:
        """Stone-Geisser Q-squared by blindfolding (cross-validated redundancy); see
        :func:`iur_survey.pls.predict.blindfolding`."""
        from .predict import blindfolding
        return blindfolding(self, omission_distance)

    # -- reports ----------------------------------------------------------------------------------
    def summary(self, digits: int = 3) -> str:
        """A plain-text report: settings, paths (with bootstrap CIs), R-squared, reliability, HTMT.

        >>> from iur_survey.pls import pls_sem, example_data, EXAMPLE_MODEL
        >>> print(pls_sem(example_data(), model=EXAMPLE_MODEL).summary().splitlines()[0])
        PLS-SEM (path weighting scheme, mode A), N = 300, converged in 6 iterations
        """
        fmt = f"{{:.{digits}f}}".format

        def table(df: pd.DataFrame) -> str:
            return df.to_string(index=False, float_format=fmt)

        head = (f"PLS-SEM ({self.scheme} weighting scheme, mode A), N = {self.n}, "
                f"{'converged' if self.converged else 'NOT converged'} in {self.iterations} iterations")
        lines = [head,
                 f"Missing data: {'mean replacement' if self.missing == 'mean' else 'listwise deletion'}" + (f" ({self.n_imputed} cells replaced)" if self.n_imputed else "")
                 + (f"; {self.n_input - self.n} cases dropped" if self.n_input != self.n else "")]
        if self.boot is not None:
            lines.append(f"Bootstrap: {self.boot.n_boot} resamples (seed {self.boot.seed}), "
                         f"{self.boot.level:.0%} percentile CIs"
                         + (f"; {self.boot.n_failed} failed" if self.boot.n_failed else "")
                         + (f"; {self.boot.n_not_converged} not converged" if self.boot.n_not_converged else ""))
        for w in self.warnings:
            lines.append(f"Warning: {w}")
        cols = ["lhs", "op", "rhs", "est"] + (["se", "t", "pvalue", "ci.lower", "ci.upper"] if self.boot else [])
        lines += ["", "Path coefficients:", table(self.path_coefficients()[cols])]
        lines += ["", "R-squared:", table(self.r_squared()[["construct", "r2", "r2_adj"]])]
        if self.model.mediated_paths:
            cols = ["path", "est"] + (["se", "pvalue", "ci.lower", "ci.upper"] if self.boot else [])
            lines += ["", "Specific indirect effects:", table(self.specific_indirect_effects()[cols])]
        lines += ["", "Construct reliability and validity:",
                  table(self.reliability()[["construct", "alpha", "rho_a", "rho_c", "ave"]])]
        lines += ["", "HTMT:", table(self.htmt()[["construct_1", "construct_2", "htmt"]])]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of the settings and every table (NaN as None).

        >>> from iur_survey.pls import pls_sem, example_data, EXAMPLE_MODEL
        >>> d = pls_sem(example_data(), model=EXAMPLE_MODEL).to_dict()
        >>> d["n"], d["paths"][0]["lhs"], sorted(d)[:4]
        (300, 'M', ['converged', 'defined', 'f_squared', 'htmt'])
        """
        def records(df: pd.DataFrame) -> list[dict]:
            return json.loads(df.to_json(orient="records"))

        out = {"n": self.n, "scheme": self.scheme, "missing": self.missing, "n_imputed": self.n_imputed,
               "converged": self.converged, "iterations": self.iterations, "warnings": list(self.warnings),
               "paths": records(self.path_coefficients()), "r2": records(self.r_squared()),
               "weights": records(self.outer_weights()), "loadings": records(self.outer_loadings()),
               "reliability": records(self.reliability()), "htmt": records(self.htmt()),
               "f_squared": records(self.f_squared()), "inner_vif": records(self.inner_vif()),
               "total_effects": records(self.total_effects()),
               "specific_indirect_effects": records(self.specific_indirect_effects()),
               "defined": records(self.defined())}
        if self.boot is not None:
            out["bootstrap"] = {"n_boot": self.boot.n_boot, "seed": self.boot.seed, "level": self.boot.level,
                                "n_failed": self.boot.n_failed, "n_not_converged": self.boot.n_not_converged}
        return out
