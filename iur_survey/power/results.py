"""The outcome of a power simulation: :class:`PowerResult` (tables, summary, files, plot).

``write(out_dir)`` writes ``power.csv`` (the aggregate table), ``power.json``
(settings, population, true values, the table, timing), ``power_curve.png`` and
``power_reps.csv`` (every replication, for re-analysis).
"""

from __future__ import annotations

import json
import platform
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import __version__
from ..sem.results import json_number
from .population import PopulationModel
from .summary import NEAR_ZERO_LABEL, null_notes, parameter_names, power_table, smallest_n

__all__ = ["PowerResult", "curve_panels", "plot_power_curve"]


def _records(df: pd.DataFrame) -> list[dict]:
    return [{k: json_number(v) for k, v in r.items()} for r in df.to_dict("records")]


#: the files :meth:`PowerResult.write` writes into its folder
OUTPUT_FILES = {"csv": "power.csv", "json": "power.json", "png": "power_curve.png", "reps": "power_reps.csv"}


@dataclass
class PowerResult:
    """Tables of a power simulation.

    ``table`` (one row per n and parameter: power, convergence, bias, coverage, SE
    accuracy; see :mod:`iur_survey.power.summary`), ``reps`` (one row per n, replication
    and parameter), ``truth`` (the analysis model fitted to the population moments),
    ``selected`` (rows of ``truth`` recorded), ``model`` (analysis syntax), ``population``,
    ``settings`` and ``timing`` (seconds; ``fits_per_second``).
    """

    table: pd.DataFrame
    reps: pd.DataFrame
    truth: pd.DataFrame
    selected: np.ndarray
    model: str
    population: PopulationModel
    settings: dict[str, Any]
    timing: dict[str, float] = field(default_factory=dict)

    def power(self) -> pd.DataFrame:
        """Power as parameters x sample sizes."""
        return power_table(self.table)

    def smallest_n(self, target: float = 0.80) -> pd.Series:
        """The smallest simulated n from which each (non-null) parameter's power stays >= target."""
        return smallest_n(self.table, target)

    def unconverged_notes(self) -> list[str]:
        """One warning per sample size at which NO replication converged: power, bias and coverage are
        undefined there (NaN in power.csv), with the most frequent reason the fits gave.

        >>> t = pd.DataFrame({"n": [5, 300], "reps": [2, 2], "converged": [0, 2]})
        >>> reps = pd.DataFrame({"n": [5, 5], "error": ["EstimationError: not positive definite"] * 2})
        >>> PowerResult(t, reps, pd.DataFrame(), np.array([]), "", None, {}).unconverged_notes()
        ['at n = 5 no replication converged (0 of 2): power, bias and coverage are undefined (NaN); the fits said: EstimationError: not positive definite']
        >>> reps["error"] = ""                  # the fits ran, but without a finite SE: say so, not "the fits said: "
        >>> PowerResult(t, reps, pd.DataFrame(), np.array([]), "", None, {}).unconverged_notes()[0].split('; ')[1]
        'no fit raised an error: each gave a recorded parameter no finite, positive standard error (e.g. a := effect that is infinite), which counts as not converged'
        """
        out = []
        per_n = self.table.drop_duplicates("n")
        for n, reps in zip(per_n.loc[per_n["converged"] == 0, "n"], per_n.loc[per_n["converged"] == 0, "reps"]):
            why = ("; no fit raised an error: each gave a recorded parameter no finite, positive standard error "
                   "(e.g. a := effect that is infinite), which counts as not converged")
            if "error" in self.reps.columns:
                errs = self.reps.loc[self.reps["n"] == n, "error"].dropna()
                errs = errs[errs.astype(str).str.strip() != ""]      # "" is no error (the fit ran)
                if len(errs):
                    why = f"; the fits said: {errs.value_counts().index[0]}"
            out.append(f"at n = {int(n)} no replication converged (0 of {int(reps)}): power, bias and coverage are "
                       f"undefined (NaN){why}")
        return out

    def summary(self) -> str:
        """Plain-text report: settings, power by n (null / near-zero parameters labelled, with the rule), the
        test of := effects, convergence and inadmissible solutions, coverage, smallest n for .80."""
        s = self.settings
        t = self.table
        data = "Likert codes" if s["likert"] else "continuous y*"
        if s.get("ordered"):
            data += " as ordered items (thresholds and polychoric correlations)"
        miss = (f", {100 * s['missing_rate']:.0f}% MCAR cells ({s['missing']})" if s["missing_rate"] > 0 else "")
        L = [f"Monte Carlo power: {s['reps']} replications per n, seed {s['seed']}, alpha {s['alpha']}, "
             f"{s['estimator']}, {data}{miss}",
             f"population: {self.population.source}; run on {s['scheduler']} with {s['workers']} worker(s), "
             f"{self.timing.get('fits_per_second', float('nan')):.1f} fits/s"
             + (f", {self.timing['seconds_per_replication']:.3f} s per replication (draw and fit, in its worker)"
                if np.isfinite(self.timing.get("seconds_per_replication", float("nan"))) else "")]
        if s.get("true_values"):
            L.append(f"true values (bias, coverage): {s['true_values']}"
                     + (f"; the analysis model does not reproduce the population (misfit {s['misfit']:.3g}: "
                        "misspecified, or Likert codes analysed as continuous): these are pseudo-true values, not the "
                        "population's generating values" if s.get("misspecified") else ""))
        L.append("")
        first = t.drop_duplicates("parameter").set_index("parameter")
        pw = self.power()
        pw.insert(0, "true", first["true"])
        if "true_std" in first.columns:
            pw.insert(1, "std", first["true_std"])
        n_min = int(t["n"].min())
        pw["n(.80)"] = [_n_text(x, n_min) for x in self.smallest_n()]
        if "power_ci.lower" in t.columns:       # the search's Monte Carlo uncertainty: the n at either end of the CI
            n_max = int(t["n"].max())
            pw["n(.80) CI"] = [_n_range(a, b, n_min, n_max) for a, b in zip(smallest_n(t, 0.80, "power_ci.upper"),
                                                                     smallest_n(t, 0.80, "power_ci.lower"))]
        null = set(t.loc[t["null"], "parameter"])
        near = set(t.loc[t["near_zero"], "parameter"]) if "near_zero" in t.columns else set()
        pw.index = [f"{p} (null: type I error)" if p in null else f"{p} ({NEAR_ZERO_LABEL})" if p in near else p
                    for p in pw.index]
        alpha = s.get("alpha", 0.05)
        with pd.option_context("display.width", 200, "display.max_columns", 20):
            L.append("Power (share of converged replications with p < alpha):")
            L.append(pw.round(3).to_string())
            if "power_mcse" in t.columns and t["power_mcse"].notna().any():
                L.append(f"Monte Carlo error: the power's standard error is at most {t['power_mcse'].max():.3f} "
                         "(sqrt(p (1 - p) / converged)); 95% Wilson intervals in power.csv (power_ci.lower, "
                         "power_ci.upper). n(.80) is the smallest simulated n from which the estimated power stays "
                         ">= .80 ('<=' at the smallest simulated n: it may be reached below); n(.80) CI: the same "
                         "read off the upper and the lower end of those intervals ('>' = beyond the simulated n).")
            L += null_notes(t, alpha)
            if (t["op"] == ":=").any():
                L.append("Defined (:=) effects are tested by the delta-method z test (Sobel for a*b), which is "
                         "conservative for a product: their power is understated, most at small n."
                         + ("" if "power_mc" in t.columns else
                            " A Monte Carlo CI test (Preacher & Selig 2012) is available: --mc-ci DRAWS "
                            "(power_analysis(mc_ci=DRAWS))."))
            if "power_mc" in t.columns:
                L += ["", f"Defined effects, Monte Carlo CI test ({s.get('mc_ci')} draws per replication, "
                          f"{100 * (1 - alpha):g}% interval excludes 0):",
                      power_table(t[t["op"] == ":="], "power_mc").round(3).to_string(),
                      f"coverage_mc in power.csv: share of these {100 * (1 - alpha):g}% Monte Carlo intervals containing "
                      "the true value (coverage: of the 95% Wald intervals)."]
            L.append("")
            conv = t.groupby("n").agg(reps=("reps", "first"), converged=("converged", "first"),
                                      convergence_rate=("convergence_rate", "first"),
                                      inadmissible=("inadmissible", "first"),
                                      admissible_of_converged=("admissible_of_converged", "first"))
            cov = t.groupby("n")["coverage"].agg(["min", "mean", "max"])
            cov.columns = ["coverage.min", "coverage.mean", "coverage.max"]
            L.append("Convergence (share of all replications), inadmissible solutions (count among the converged) "
                     "and coverage of the 95% Wald CI (est ± 1.96 SE):")
            L.append(conv.join(cov).round(3).to_string())
            L += [f"WARNING: {note}" for note in self.unconverged_notes()]
            if s.get("collapsed_reps") is not None:
                col = s["collapsed_reps"]
                L.append("Categories nobody chose: replications in which some item lost a category: "
                         + ", ".join(f"{col.get(str(n), 0)} of {s['reps']} at n = {n}" for n in s["n"])
                         + ". As lavaan, such an item is fitted with its observed categories (fewer thresholds); "
                           "the replication is kept, but not its thresholds of that item (they estimate other "
                           "population thresholds); an item left with one category cannot be fitted (not "
                           "converged). power_reps.csv: collapsed = the number of such items.")
            bad = int(conv["inadmissible"].sum())
            if bad:
                L.append(f"{bad} of {int(conv['converged'].sum())} converged fits are inadmissible (a negative "
                         "variance or a non-positive-definite matrix: Heywood cases). They are INCLUDED in the power, "
                         "bias and coverage above; without them (power_admissible, coverage_admissible in "
                         "power.csv):")
                L.append(power_table(t, "power_admissible").round(3).to_string())
            else:
                L.append("No converged fit is inadmissible (no negative variance, no non-positive-definite matrix).")
        return "\n".join(L)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: settings, population, true values of the recorded parameters, table, timing."""
        t = self.truth.iloc[self.selected].copy()
        t.insert(0, "parameter", parameter_names(t))
        pop = self.population.to_dict()
        return {"iur_survey": __version__, "python": platform.python_version(),
                "settings": {k: json_number(v) if not isinstance(v, (list, dict, str, type(None))) else v
                             for k, v in self.settings.items()},
                "model": self.model,
                "population": {"source": pop["source"], "likert": pop["likert"], "names": pop["names"],
                               "syntax": pop["syntax"]},
                "truth": _records(t.drop(columns=[c for c in ("free",) if c in t.columns])),
                "table": _records(self.table),
                "timing": {k: json_number(v) for k, v in self.timing.items()}}

    def write(self, out_dir: str | Path) -> dict[str, Path]:
        """Write power.csv, power.json, power_curve.png and power_reps.csv into ``out_dir``."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = {k: out / name for k, name in OUTPUT_FILES.items()}
        self.table.to_csv(paths["csv"], index=False)
        paths["json"].write_text(json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        self.reps.to_csv(paths["reps"], index=False)
        plot_power_curve(self.table, paths["png"], alpha=self.settings.get("alpha", 0.05),
                         title=f"Monte Carlo power ({self.settings['reps']} replications per n)")
        return paths


def _n_text(x: float, n_min: int) -> str:
    """An n(.80) as the summary shows it: ``"<=n"`` at the smallest simulated n (the power may reach the target
    below it), ``""`` for NaN.

    >>> _n_text(200.0, 100), _n_text(100.0, 100), _n_text(float("nan"), 100)
    ('200', '<=100', '')
    """
    if not np.isfinite(x):
        return ""
    return f"<={int(x)}" if int(x) <= n_min else f"{int(x)}"


def _n_range(lo: float, hi: float, n_min: int, n_max: int) -> str:
    """``"lo..hi"`` of two n (NaN: beyond the simulated n, ``">n_max"``; both NaN: ``""``; the smallest n:
    ``"<=n_min"``).

    >>> _n_range(200.0, 300.0, 100, 400), _n_range(100.0, float("nan"), 100, 400)
    ('200..300', '<=100..>400')
    """
    if not np.isfinite(lo) and not np.isfinite(hi):
        return ""
    f = lambda x: _n_text(x, n_min) if np.isfinite(x) else f">{n_max}"
    return f"{f(lo)}..{f(hi)}"


def curve_panels(table: pd.DataFrame) -> list[tuple[str, str]]:
    """The panels of :func:`plot_power_curve`: ``(op, title)``, regressions, defined effects (the title names
    their test: the delta-method z test, and the Monte Carlo CI test when ``power_mc`` is in the table), other.

    >>> t = pd.DataFrame({"n": [100, 100], "parameter": ["b", "ind"], "op": ["~", ":="], "power": [0.5, 0.2],
    ...                   "power_mc": [float("nan"), 0.3]})
    >>> curve_panels(t)[1]
    (':=', 'Defined effects: delta-method z test (solid), Monte Carlo CI (dash-dot)')
    """
    mc = "power_mc" in table.columns and bool(table.loc[table["op"] == ":=", "power_mc"].notna().any())
    kinds = [("~", "Regression paths"),
             (":=", "Defined effects: delta-method z test" + (" (solid), Monte Carlo CI (dash-dot)" if mc else
                                                               " (Sobel for a*b)"))]
    if (~table["op"].isin(["~", ":="])).any():
        kinds.append(("other", "Other parameters"))
    return [(op, lab) for op, lab in kinds if op == "other" or (table["op"] == op).any()]


def plot_power_curve(table: pd.DataFrame, path: str | Path, *, target: float = 0.80, alpha: float = 0.05,
                     title: str = "Monte Carlo power") -> Path:
    """Power against n, one line per parameter; regressions and defined effects in separate panels
    (:func:`curve_panels`; a defined effect's Monte Carlo CI power, ``power_mc``, dash-dot beside its z test's),
    a dashed line at ``target``; null effects (type I error) drawn grey dotted, near-zero ones grey dashed.

    >>> import tempfile, os
    >>> t = pd.DataFrame({"n": [100, 200], "parameter": ["b", "b"], "op": ["~", "~"], "power": [0.5, 0.9],
    ...                   "null": [False, False]})
    >>> with tempfile.TemporaryDirectory() as d:
    ...     os.path.getsize(plot_power_curve(t, os.path.join(d, "p.png"))) > 1000
    True
    """
    import matplotlib
    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    other = table[~table["op"].isin(["~", ":="])]
    panels = curve_panels(table)
    fig, axes = plt.subplots(1, len(panels), figsize=(6.2 * len(panels), 5.6), squeeze=False, sharey=True)
    tab20 = plt.get_cmap("tab20").colors          # dark shades first, then light; grey (14, 15) is for nulls
    colours = [tab20[i] for i in list(range(0, 20, 2)) + list(range(1, 20, 2)) if i not in (14, 15)]
    for ax, (op, lab) in zip(axes[0], panels):
        sub = other if op == "other" else table[table["op"] == op]
        for k, (name, g) in enumerate(sub.groupby("parameter", sort=False)):
            g = g.sort_values("n")
            null = bool(g["null"].iloc[0]) if "null" in g.columns else False
            near = bool(g["near_zero"].iloc[0]) if "near_zero" in g.columns else False
            ax.plot(g["n"], g["power"], marker="o", ms=3.5, lw=1.3,
                    color="0.55" if null or near else colours[k % len(colours)],
                    ls=":" if null else "--" if near else "-",
                    label=f"{name} (null)" if null else f"{name} (near zero)" if near else name)
            if op == ":=" and "power_mc" in g.columns and g["power_mc"].notna().any():
                ax.plot(g["n"], g["power_mc"], marker="s", ms=3.5, lw=1.1, ls="-.",
                        color="0.55" if null or near else colours[k % len(colours)], label=f"{name} (Monte Carlo CI)")
        ax.axhline(target, color="k", ls="--", lw=1)
        ax.axhline(alpha, color="0.5", ls=":", lw=0.8)
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel("sample size n")
        ax.set_title(lab)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.13), frameon=False)
    axes[0][0].set_ylabel("power (share of converged replications with p < alpha)")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return Path(path)
