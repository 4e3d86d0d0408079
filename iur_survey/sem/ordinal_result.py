"""The result of a fit with ordered items: :class:`OrdinalSEMResult` (WLSMV / DWLS).

Built by :func:`iur_survey.sem.api.sem` when a model variable is ordered
(``ordered=True`` or a list of names, or an ordered categorical column), as
lavaan's ``sem(model, data, ordered = TRUE)``.  It is an
:class:`~iur_survey.sem.results.SEMResult` whose tables follow lavaan's
categorical layout:

* :meth:`~OrdinalSEMResult.parameter_estimates` has lavaan's rows for ordered
  items: the user's rows, the thresholds (``GOV1 | t1`` ...), the other model
  rows (residual variances of the items are ``1 - R2`` in the delta
  parameterization, fixed, se 0), the scales ``~*~`` (1), the intercepts
  (fixed at 0) and the ``:=`` rows;
* :meth:`~OrdinalSEMResult.fit_measures` is lavaan's ``fitMeasures()`` of a
  WLSMV fit (``chisq`` ... ``chisq.scaled``, ``cfi.scaled``, ``cfi.robust``,
  ``rmsea.robust``, ``srmr``, ``wrmr``; no ``logl``/``aic``/``bic``: there is
  no likelihood) or of a DWLS fit (the unscaled measures only);
* :meth:`~OrdinalSEMResult.vcov` covers the model parameters and thresholds;
* :meth:`~OrdinalSEMResult.standardized_solution` is lavaan's ``standardizedSolution()`` of those rows
  (delta-method se, z, p, CI; :mod:`iur_survey.sem.wlsmv_standardized`), and ``to_dict`` writes its std.all
  inference (``std.all.se`` ...) in every estimates row;
* :meth:`~OrdinalSEMResult.to_dict` writes ``aic``, ``bic`` and ``logl`` as
  ``null`` in the ``fit`` block (the contract names them; lavaan does not
  report them for WLSMV) and adds the scaled / robust measures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import EstimationError
from .results import (TEST_LABELS, SEMResult, json_number, mark_nonconverged, summary_line, summary_pair,
                      user_test_rows, z_critical, z_pvalue)
from .standardized import check_std_type

__all__ = ["OrdinalSEMResult", "DWLS_FIT_NAMES", "JSON_FIT_ORDINAL"]

#: lavaan 0.6.14's fitMeasures() names for estimator = "DWLS" (test = "standard")
DWLS_FIT_NAMES = (
    "npar", "fmin", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df", "baseline.pvalue", "cfi",
    "tli", "nnfi", "rfi", "nfi", "pnfi", "ifi", "rni", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper",
    "rmsea.ci.level", "rmsea.pvalue", "rmsea.close.h0", "rmsea.notclose.pvalue", "rmsea.notclose.h0", "rmr",
    "rmr_nomean", "srmr", "srmr_bentler", "srmr_bentler_nomean", "crmr", "crmr_nomean", "srmr_mplus",
    "srmr_mplus_nomean", "cn_05", "cn_01", "gfi", "agfi", "pgfi", "mfi", "wrmr",
)

#: fit measures written to results.json for ordered items, in this order when present; "aic", "bic" and
#: "logl" are always written, as null (the contract names them; WLSMV has no likelihood)
JSON_FIT_ORDINAL = [
    "npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper",
    "rmsea.pvalue", "srmr", "aic", "bic", "logl", "ntotal", "baseline.chisq", "baseline.df",
    "chisq.scaled", "df.scaled", "pvalue.scaled", "chisq.scaling.factor", "chisq.shift.parameter",
    "baseline.chisq.scaled", "baseline.df.scaled", "baseline.chisq.scaling.factor", "cfi.scaled",
    "tli.scaled", "cfi.robust", "tli.robust", "rmsea.scaled", "rmsea.ci.lower.scaled",
    "rmsea.ci.upper.scaled", "rmsea.robust", "rmsea.ci.lower.robust", "rmsea.ci.upper.robust", "wrmr",
]
_NULL_KEYS = ("aic", "bic", "logl")


@dataclass
class OrdinalSEMResult(SEMResult):
    """A fit with ordered items (WLSMV, or DWLS); see the module docstring.

    On top of :class:`~iur_survey.sem.results.SEMResult`: ``table`` (lavaan's
    parameterEstimates layout), ``ordered`` (the ordered variables), ``test``
    (the scaled-shifted test: ``stat``, ``scaling_factor``,
    ``shift_parameter`` ...), ``theta_names`` / ``theta_cols`` (``vcov`` row
    names in lavaan's order, one per free row, and each row's column of
    ``theta``) and ``n_dropped`` (rows
    dropped by listwise deletion).  ``theta`` / ``vcov_theta`` hold the
    estimated model parameters and thresholds (not the fixed residual
    variances of the items).

    >>> import numpy as np, pandas as pd
    >>> from iur_survey.sem import sem
    >>> rng = np.random.default_rng(5)
    >>> f = rng.normal(size=(400, 1))
    >>> y = f @ [[0.8, 0.7, 0.6]] + rng.normal(size=(400, 3)) * 0.6
    >>> d = pd.DataFrame(np.digitize(y, [-1, 0, 1]) + 1, columns=["a", "b", "c"])
    >>> res = sem("F =~ a + b + c", d, ordered=True)
    >>> res.estimator, res.missing, res.se_type
    ('WLSMV', 'listwise', 'robust.sem')
    >>> pe = res.parameter_estimates()
    >>> pe.loc[pe.op == "|", "rhs"].tolist()[:3]
    ['t1', 't2', 't3']
    >>> "logl" in res.fit_measures().index, res.to_dict()["fit"]["logl"]
    (False, None)
    """

    table: pd.DataFrame | None = None
    ordered: list[str] = field(default_factory=list)
    test: dict = field(default_factory=dict)
    theta_names: list[str] = field(default_factory=list)
    theta_cols: list[int] = field(default_factory=list)
    n_dropped: int = 0
    optimizer: str = "Gauss-Newton scoring"

    # ------------------------------------------------------------------ tables
    def parameter_estimates(self, *, level: float = 0.95, standardized: bool = True) -> pd.DataFrame:
        """lavaan's ``parameterEstimates(fit, standardized = TRUE)`` for ordered items
        (columns ``lhs op rhs label est se z pvalue ci.lower ci.upper std.lv std.all std.nox``)."""
        self._warn_unconverged("parameter_estimates()")
        df = self.table.copy()
        se = df["se"].to_numpy(dtype=float)
        if self.se_type == "none":
            se = np.full_like(se, np.nan)
        eps = np.sqrt(np.finfo(float).eps)
        se = np.where(se < eps, 0.0, se)
        est = df["est"].to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = est / np.where(se < eps, np.nan, se)
        fac = z_critical(level)
        df["se"] = se
        df["z"] = z
        df["pvalue"] = z_pvalue(z)
        df["ci.lower"] = est - fac * se
        df["ci.upper"] = est + fac * se
        if not standardized:
            df = df.drop(columns=["std.lv", "std.all", "std.nox"])
        return df

    def standardized_se(self, type: str = "std.all") -> np.ndarray | None:
        """Delta-method SE of every estimates-table row's standardized value (the rows of
        :meth:`parameter_estimates`: thresholds, scales, y* variances and ``:=`` included), lavaan's
        ``standardizedSolution(fit, type = type)$se`` for ordered items
        (:func:`~iur_survey.sem.wlsmv_standardized.ordinal_standardized_se` on ``vcov_theta``: robust.sem,
        standard for DWLS, the bootstrap covariance after a bootstrap; cached per type); None with
        ``se = "none"``."""
        check_std_type(type)
        if self.se_type == "none":
            return None
        cache = self.__dict__.setdefault("_std_se_cache", {})
        if type not in cache:
            from .wlsmv_standardized import ordinal_std_map, ordinal_standardized_se

            cache[type] = ordinal_standardized_se(ordinal_std_map(self), self.theta, self.vcov_theta, type)
        return cache[type]

    def _standardized_columns(self, type: str = "std.all", level: float = 0.95) -> dict[str, Any]:
        """The columns of :meth:`standardized_solution` for ordered items: the rows of the estimates table
        (lavaan's layout), ``est.std`` its std.lv / std.all / std.nox column.

        >>> import numpy as np, pandas as pd
        >>> from iur_survey.sem import sem
        >>> rng = np.random.default_rng(5)
        >>> y = rng.normal(size=(400, 1)) @ [[0.8, 0.7, 0.6]] + rng.normal(size=(400, 3)) * 0.6
        >>> d = pd.DataFrame(np.digitize(y, [-1, 0, 1]), columns=["a", "b", "c"])
        >>> ss = sem("F =~ a + b + c", d, ordered=True).standardized_solution()
        >>> ss.iloc[[0, 3, 12, 16]].round(3)          # a loading, a threshold, a y* variance (1 - R2), a scale
           lhs   op rhs label  est.std     se       z  pvalue  ci.lower  ci.upper
        0    F   =~   a          0.767  0.039  19.683     0.0     0.691     0.844
        3    a    |  t1         -1.005  0.076 -13.268     0.0    -1.153    -0.856
        12   a   ~~   a          0.411  0.060   6.871     0.0     0.294     0.528
        16   a  ~*~   a          1.000  0.000     NaN     NaN     1.000     1.000
        """
        se = self.standardized_se(type)
        if se is None:
            raise EstimationError(None, f"no standardized standard errors with se {self.se_type!r}")
        tab = self.table
        est = tab[type].to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = est / np.where(se == 0, np.nan, se)
        fac = z_critical(level)
        out: dict[str, Any] = {k: tab[k].tolist() for k in ("lhs", "op", "rhs")}
        if self.partable.ngroups > 1:
            out["group"] = tab["group"].tolist()
        out["label"] = tab["label"].tolist()
        out.update({"est.std": est, "se": se, "z": z, "pvalue": z_pvalue(z), "ci.lower": est - fac * se,
                    "ci.upper": est + fac * se})
        return out

    def theta_index(self) -> np.ndarray:
        """Per parameter-table row, its column of ``theta`` / ``vcov_theta`` (-1: not an entry).  ``theta``
        starts with the kept model parameters (the estimation record's ``kept``: not the residual variances
        of ordered items in the delta parameterization), then thresholds (and scales with several groups),
        so a row's column is not its ``par_index`` (:func:`~iur_survey.sem.defined.theta_columns`).

        >>> import numpy as np, pandas as pd
        >>> from iur_survey.sem import sem
        >>> rng = np.random.default_rng(5)
        >>> y = rng.normal(size=(400, 1)) @ [[0.8, 0.7, 0.6]] + rng.normal(size=(400, 3)) * 0.6
        >>> d = pd.DataFrame(np.digitize(y, [-1, 0, 1]), columns=["a", "b", "c"])
        >>> res = sem("F =~ a + b + c", d, ordered=True)
        >>> res.partable.par_index.tolist(), res.theta_index().tolist()
        ([-1, 0, 1, 2, 3, 4, 5], [-1, 0, 1, -1, -1, -1, 2])
        """
        from .defined import theta_columns

        meta = self.meta if isinstance(self.meta, dict) else {}
        rec = meta.get("wlsmv_groups")
        kept = getattr(rec if rec is not None else meta.get("wlsmv"), "kept", None)
        if kept is None:
            raise EstimationError(None, "this ordinal fit keeps no estimation record: its parameters cannot be "
                                        "matched to their covariance matrix")
        return theta_columns(self.partable.par_index, kept)

    def _table_theta_columns(self) -> np.ndarray | None:
        """Per row of the estimates table its column of ``theta`` (-1: not estimated; None when the fit keeps
        no estimation record): a parameter held equal across groups is a row per group with one column."""
        meta = self.meta if isinstance(self.meta, dict) else {}
        rec = meta.get("wlsmv_groups")
        if rec is not None:
            return None if rec.table_par is None else np.asarray(rec.table_par, dtype=int)
        wl = meta.get("wlsmv")
        if wl is None or self.table is None or getattr(wl, "stats", None) is None:
            return None
        from .wlsmv import dwls_table_columns

        return dwls_table_columns(self.partable, self.table, np.asarray(wl.kept, int), wl.stats.th.index)

    def vcov(self) -> pd.DataFrame:
        """lavaan's ``vcov(fit)``: the free model parameters and the thresholds (``GOV1|t1``); none of a fit
        that did not converge (:class:`~iur_survey.sem.results.NotConvergedError`, as lavaan).  Rows are named
        as lavaan's (a later group's with ``.g2`` ...; an equal parameter by its label, ``.p2.``); with several
        groups a parameter held equal across groups is one row (lavaan repeats it per group), and the rows
        come model parameters first, then thresholds, then scales."""
        self._refuse_unconverged_vcov()
        idx = np.asarray(self.theta_cols, dtype=int)
        V = self.vcov_theta[np.ix_(idx, idx)]
        return pd.DataFrame(V, index=self.theta_names, columns=self.theta_names)

    def sample_statistics(self, group: int = 0) -> dict[str, pd.DataFrame | pd.Series]:
        """lavaan's ``lavInspect(fit, "sampstat")`` for one group of a fit with ordered items: ``cov``, the
        polychoric correlations (with continuous items: their variances and covariances, polyserial
        correlations times their standard deviations), in the model's variable order, and ``th``, the sample
        thresholds.  What semTools' ``compRelSEM`` and ``AVE`` divide by for ordered items.

        >>> import numpy as np, pandas as pd
        >>> from iur_survey.sem import sem
        >>> rng = np.random.default_rng(5)
        >>> y = rng.normal(size=(400, 1)) @ [[0.8, 0.7, 0.6]] + rng.normal(size=(400, 3)) * 0.6
        >>> d = pd.DataFrame(np.digitize(y, [-1, 0, 1]), columns=["a", "b", "c"])
        >>> ss = sem("F =~ a + b + c", d, ordered=True).sample_statistics()
        >>> ss["cov"].round(3).values.tolist()[0], ss["th"].index[:2].tolist()
        ([1.0, 0.638, 0.519], ['a|t1', 'a|t2'])
        """
        meta = self.meta if isinstance(self.meta, dict) else {}
        rec = meta.get("wlsmv_groups")
        st = rec.stats[group] if rec is not None else meta["wlsmv"].stats
        cov = getattr(st, "cov", None)
        cov = st.cor if cov is None else cov
        names = [v for v in self.partable.ov_names[group] if v in cov.index]
        return {"cov": cov.loc[names, names].astype(float), "th": st.th.astype(float)}

    def _item_levels(self) -> dict[str, list[float]] | None:
        """Per ordered item its observed codes (the categories of the fit), one-group fits; None otherwise."""
        meta = self.meta if isinstance(self.meta, dict) else {}
        if meta.get("wlsmv_groups") is not None or meta.get("wlsmv") is None:
            return None
        st = getattr(meta["wlsmv"], "stats", None)
        if st is None or getattr(st, "levels", None) is None:
            return None
        return {str(v): [json_number(float(x)) for x in np.asarray(lv, float)]
                for v, lv in zip(st.names, st.levels) if v in set(self.ordered)}

    # ------------------------------------------------------------------ output
    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of ``iur-survey fit``; ``fit`` holds the WLSMV measures (see the module
        docstring: ``aic``, ``bic``, ``logl`` are null), plus ``ordered`` (the ordered items)."""
        out = super().to_dict()
        f = self.fit
        fit = {}
        for k in JSON_FIT_ORDINAL:
            if k in _NULL_KEYS:
                fit[k] = None
            elif k == "ntotal":
                fit[k] = int(self.n)
            elif k == "chisq.shift.parameter":
                if "chisq.scaled" in f.index:
                    fit[k] = json_number(self.test.get("shift_parameter"))
            elif k in f.index:
                fit[k] = json_number(f[k])
        out["fit"] = fit
        out["ordered"] = list(self.ordered)
        # each ordered item's observed codes (one per category, e.g. 0..10 for a 0-10 item): a population drawn
        # from this fit (iur-survey power --from-results) writes them, not 1..K
        levels = self._item_levels()
        if levels:
            out["levels"] = levels
        # lavaan's sampstat (polychoric correlations): what compRelSEM / AVE of the tables divide by
        # the estimates rows' group labels (a one-group theta-parameterization fit writes "1" there)
        labels = list(dict.fromkeys(str(r.get("group", "")) for r in out.get("estimates") or []))
        if len(labels) != self.partable.ngroups:
            labels = list(self.partable.group_labels) if self.partable.ngroups > 1 else [""]
        try:
            covs = [self.sample_statistics(k)["cov"] for k in range(len(labels))]
        except (KeyError, AttributeError, IndexError, TypeError):
            covs = None                       # a result without its sample statistics (none to write)
        if covs is not None:
            out["sampstat"] = {str(lab): {"names": list(c.index),
                                          "cov": [[json_number(v) for v in row] for row in c.to_numpy()]}
                               for lab, c in zip(labels, covs)}
        return mark_nonconverged(out)         # no fit measures of a fit that did not converge

    def summary(self, *, fit_measures: bool = True, standardized: bool = True) -> str:
        """A lavaan-like summary of a WLSMV (DWLS) fit: header, standard and scaled tests, fit indices
        side by side, then the parameter blocks (with thresholds and scales y*)."""
        f = self.fit
        scaled = "chisq.scaled" in f.index
        L = self._summary_header()
        kv = summary_line

        def two(label: str, a: Any, b: Any = None, fmt: str = ".3f") -> str:
            return summary_pair(label, a, b, two=scaled, fmt=fmt)

        L.append(kv("Estimator", "DWLS"))
        L.append(kv("Optimization method", self.optimizer))
        cols = self._table_theta_columns()
        if cols is not None:        # lavaan's count: thresholds, scales, a parameter per group it is free in
            free = cols[cols >= 0]
            L.extend(self._summary_parameters(int(free.size), int(np.unique(free).size)))
        else:
            L.append(kv("Number of model parameters", int(self.partable.nfree) if not self.converged
                        else int(f["npar"])))
        L.append("")
        L.extend(self._summary_observations(None if self.partable.ngroups > 1 else [self.n + self.n_dropped]))
        L.append("")
        if not self.converged:          # lavaan prints no test and no fit measures (and warns if asked for them)
            L.extend(self._summary_no_fit(fit_measures))
            fit_measures = False
        else:
            # df < 0: lavaan has no scaled test (lav_model_test returns before it), one column of NA
            scaled_test = scaled and not float(f["df"]) < 0
            L.append("Model Test User Model:")
            L.append(f"{'Standard':>54}{'Scaled':>12}" if scaled_test else "")
            L.extend(user_test_rows(f, scaled_test,
                                    [two("Scaling correction factor", None, f.get("chisq.scaling.factor")),
                                     two("Shift parameter", None, self.test.get("shift_parameter")),
                                     "    " + TEST_LABELS["scaled.shifted"]]))
            L.extend(self._summary_group_tests(self.test.get("shift_parameter")
                                               if self.test.get("test") == "scaled.shifted" else None, scaled_test))
            L.append("")
        if fit_measures:
            L.append("Model Test Baseline Model:")
            L.append("")
            L.append(two("Test statistic", f["baseline.chisq"], f.get("baseline.chisq.scaled")))
            L.append(two("Degrees of freedom", f["baseline.df"], f.get("baseline.df.scaled"), "d"))
            L.append(two("P-value", f["baseline.pvalue"], f.get("baseline.pvalue.scaled")))
            if scaled:
                L.append(two("Scaling correction factor", None, f["baseline.chisq.scaling.factor"]))
            L.append("")
            L.append("User Model versus Baseline Model:")
            L.append("")
            L.append(two("Comparative Fit Index (CFI)", f["cfi"], f.get("cfi.scaled")))
            L.append(two("Tucker-Lewis Index (TLI)", f["tli"], f.get("tli.scaled")))
            if scaled:
                L.append("")
                L.append(two("Robust Comparative Fit Index (CFI)", None, f["cfi.robust"]))
                L.append(two("Robust Tucker-Lewis Index (TLI)", None, f["tli.robust"]))
            L.append("")
            L.append("Root Mean Square Error of Approximation:")
            L.append("")
            L.append(two("RMSEA", f["rmsea"], f.get("rmsea.scaled")))
            L.append(two("90 Percent confidence interval - lower", f["rmsea.ci.lower"],
                         f.get("rmsea.ci.lower.scaled")))
            L.append(two("90 Percent confidence interval - upper", f["rmsea.ci.upper"],
                         f.get("rmsea.ci.upper.scaled")))
            L.append(two("P-value H_0: RMSEA <= 0.050", f["rmsea.pvalue"], f.get("rmsea.pvalue.scaled")))
            L.append(two("P-value H_0: RMSEA >= 0.080", f["rmsea.notclose.pvalue"],
                         f.get("rmsea.notclose.pvalue.scaled")))
            if scaled:
                L.append("")
                L.append(two("Robust RMSEA", None, f["rmsea.robust"]))
                L.append(two("90 Percent confidence interval - lower", None, f["rmsea.ci.lower.robust"]))
                L.append(two("90 Percent confidence interval - upper", None, f["rmsea.ci.upper.robust"]))
                L.append(two("P-value H_0: Robust RMSEA <= 0.050", None, f["rmsea.pvalue.robust"]))
                L.append(two("P-value H_0: Robust RMSEA >= 0.080", None, f["rmsea.notclose.pvalue.robust"]))
            L.append("")
            L.append("Standardized Root Mean Square Residual:")
            L.append("")
            L.append(two("SRMR", f["srmr"], f["srmr"] if scaled else None))
            L.append("")
        se_name = {"robust.sem": "Robust.sem", "standard": "Standard", "none": "None"}.get(
            self.se_type, self.se_type)
        L.extend(self._estimates_section(se_name, "Expected", "Unstructured", standardized))
        return "\n".join(L)

    def __repr__(self) -> str:
        f = self.fit
        bits = [f"n={self.n}", f"estimator={self.estimator}", f"ordered={len(self.ordered)} items",
                f"converged={self.converged}"]
        if self.converged:
            bits.append(f"chisq={f['chisq']:.3f}, df={int(f['df'])}")
        if self.converged and "chisq.scaled" in f.index:
            bits.append(f"chisq.scaled={f['chisq.scaled']:.3f}")
        return f"<OrdinalSEMResult {', '.join(bits)}>"
