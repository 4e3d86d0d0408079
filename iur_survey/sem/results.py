"""The result of a fit: :class:`SEMResult` (estimates, fit measures, R2, summary, JSON).

Built by :func:`iur_survey.sem.api.sem`; every table mirrors its lavaan
counterpart: :meth:`SEMResult.parameter_estimates` is
``parameterEstimates(fit, standardized = TRUE)`` (same rows, same order, ``:=``
rows included, ``==`` rows dropped), :meth:`SEMResult.fit_measures` is
``fitMeasures(fit)``, :meth:`SEMResult.r2` is ``lavInspect(fit, "r2")`` and
:meth:`SEMResult.summary` reads like ``summary(fit, fit.measures = TRUE,
standardized = TRUE)``.
"""

from __future__ import annotations

import contextlib
import json
import math
import sys
import warnings as _warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import special

from .. import __version__
from ..errors import EstimationError
from .matrices import Model
from .partable import ParTable
from .standardized import check_std_type, r2_series, standardized_se
from .syntax import render_syntax
from .fitmeasures import na_when_df_negative
from .table import is_fiml, lazy_series_property, raw_field

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SEMResult", "SEMFitWarning", "NotConvergedError", "require_converged", "require_converged_fit",
           "missing_words",
           "unconverged_se", "z_pvalue", "z_critical"]

#: fit measures written to results.json (the contract), in this order when present
JSON_FIT = ["npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper",
            "rmsea.pvalue", "srmr", "aic", "bic", "bic2", "logl", "unrestricted.logl", "ntotal",
            "baseline.chisq", "baseline.df", "chisq.scaled", "df.scaled", "pvalue.scaled",
            "chisq.scaling.factor", "cfi.scaled", "tli.scaled", "cfi.robust", "tli.robust", "rmsea.scaled",
            "rmsea.robust", "rmsea.ci.lower.robust", "rmsea.ci.upper.robust"]


#: the fit measures of :meth:`SEMResult.summary` (lavaan's summary(fit, fit.measures = TRUE) wording and layout):
#: block titles, blank lines (None) and rows ``(label, standard, scaled, when)``: the fitMeasures names of the
#: "Standard" and "Scaled" columns (None: that cell is empty; a fit without a scaled test prints one column, with
#: the scaled name where the standard one is None); ``when`` is None (always), "scaled" (only with a scaled test)
#: or "has" (only when the fit has the scaled-column measure; a None label is then a blank line)
SUMMARY_FIT = (
    "Model Test Baseline Model:", None,
    ("Test statistic", "baseline.chisq", "baseline.chisq.scaled", None),
    ("Degrees of freedom", "baseline.df", "baseline.df.scaled", None),
    ("P-value", "baseline.pvalue", "baseline.pvalue.scaled", None),
    ("Scaling correction factor", None, "baseline.chisq.scaling.factor", "scaled"),
    None, "User Model versus Baseline Model:", None,
    ("Comparative Fit Index (CFI)", "cfi", "cfi.scaled", None), ("Tucker-Lewis Index (TLI)", "tli", "tli.scaled", None),
    (None, None, "cfi.robust", "has"),
    ("Robust Comparative Fit Index (CFI)", None, "cfi.robust", "has"),
    ("Robust Tucker-Lewis Index (TLI)", None, "tli.robust", "has"),
    None, "Loglikelihood and Information Criteria:", None,
    ("Loglikelihood user model (H0)", "logl", "logl", None),
    ("Scaling correction factor", None, "scaling.factor.h0", "mlr"),
    ("    for the MLR correction", None, None, "mlr"),
    ("Loglikelihood unrestricted model (H1)", "unrestricted.logl", "unrestricted.logl", None),
    ("Scaling correction factor", None, "scaling.factor.h1", "mlr"),
    ("    for the MLR correction", None, None, "mlr"),
    None,
    ("Akaike (AIC)", "aic", "aic", None), ("Bayesian (BIC)", "bic", "bic", None),
    ("Sample-size adjusted Bayesian (SABIC)", "bic2", "bic2", None),
    None, "Root Mean Square Error of Approximation:", None,
    ("RMSEA", "rmsea", "rmsea.scaled", None),
    ("90 Percent confidence interval - lower", "rmsea.ci.lower", "rmsea.ci.lower.scaled", None),
    ("90 Percent confidence interval - upper", "rmsea.ci.upper", "rmsea.ci.upper.scaled", None),
    ("P-value H_0: RMSEA <= 0.050", "rmsea.pvalue", "rmsea.pvalue.scaled", None),
    ("P-value H_0: RMSEA >= 0.080", "rmsea.notclose.pvalue", "rmsea.notclose.pvalue.scaled", None),
    (None, None, "rmsea.robust", "has"), ("Robust RMSEA", None, "rmsea.robust", "has"),
    ("90 Percent confidence interval - lower", None, "rmsea.ci.lower.robust", "has"),
    ("90 Percent confidence interval - upper", None, "rmsea.ci.upper.robust", "has"),
    ("P-value H_0: Robust RMSEA <= 0.050", None, "rmsea.pvalue.robust", "has"),
    ("P-value H_0: Robust RMSEA >= 0.080", None, "rmsea.notclose.pvalue.robust", "has"),
    None, "Standardized Root Mean Square Residual:", None, ("SRMR", "srmr", "srmr", None), None)


#: results.json's "missing" in words (with lavaan's argument), for table notes and the replication README
MISSING_WORDS = {"fiml": 'full-information ML (lavaan missing = "ml")',
                 "ml": 'full-information ML (lavaan missing = "ml")',
                 "ml.x": 'full-information ML, rows missing an exogenous covariate kept (lavaan missing = "ml.x")',
                 "listwise": "listwise deletion",
                 "pairwise": 'pairwise (lavaan missing = "pairwise": each polychoric/polyserial correlation from the '
                             "rows answering both items)"}


def missing_words(missing: Any, n: Any = None, norig: Any = None) -> str:
    """How a fit treated missing values, in words: results.json's ``missing`` and, when rows were dropped
    (``norig`` > ``n``), how many.  The one wording of the tables and the replication pack.

    >>> missing_words("fiml")
    'full-information ML (lavaan missing = "ml")'
    >>> missing_words("ml.x")
    'full-information ML, rows missing an exogenous covariate kept (lavaan missing = "ml.x")'
    >>> missing_words("listwise", 301, 320)
    'listwise deletion (19 of 320 rows dropped)'
    >>> missing_words("listwise", 301, 301)
    'listwise deletion (no row had a missing value)'
    >>> missing_words("fiml", 65, 75)
    'full-information ML (lavaan missing = "ml") (10 of 75 rows dropped: empty, or missing an observed covariate under fixed.x; missing = "ml.x" keeps the latter)'
    """
    m = str(missing or "").lower()
    out = MISSING_WORDS.get(m, m or "not recorded")
    try:
        dropped = int(norig) - int(n)
    except (TypeError, ValueError):
        return out
    if m == "listwise":
        out += f" ({dropped} of {int(norig)} rows dropped)" if dropped > 0 else " (no row had a missing value)"
    elif m in ("fiml", "ml") and dropped > 0:
        out += (f" ({dropped} of {int(norig)} rows dropped: empty, or missing an observed covariate under fixed.x; "
                'missing = "ml.x" keeps the latter)')
    elif m == "ml.x" and dropped > 0:
        out += f" ({dropped} of {int(norig)} rows dropped: no value on any model variable)"
    return out


def summary_line(k: str, v: Any, width: int = 54) -> str:
    """One ``key ... value`` line of a lavaan-like summary, the value right-aligned at ``width``
    (floats with 3 decimals).

    >>> summary_line("Estimator", "ML", 20)
    '  Estimator       ML'
    """
    v = f"{v:.3f}" if isinstance(v, float) else str(v)
    return f"  {k}{' ' * max(1, width - 2 - len(k) - len(v))}{v}"


def summary_pair(label: str, a: Any, b: Any = None, *, two: bool = True, fmt: str = ".3f") -> str:
    """One row of lavaan's two-column ("Standard", "Scaled") summary: the label, then the values right-aligned at
    columns 54 and 66 (one column when ``two`` is False); None is an empty cell, NA / NaN prints "NA" as lavaan,
    ``fmt = "d"`` an integer.

    >>> summary_pair("Degrees of freedom", 24, 24.0, fmt="d")
    '  Degrees of freedom                                24          24'
    >>> summary_pair("Scaling correction factor", None, float("nan"))
    '  Scaling correction factor                                     NA'
    """
    def cell(x):
        if x is None:
            return ""
        if not np.isfinite(float(x)):
            return "NA"                 # lavaan's print of a missing statistic
        if isinstance(x, (int, np.integer)) or fmt == "d":
            return f"{int(x)}"
        return f"{float(x):{fmt}}"
    return f"  {label:<40}{cell(a):>12}{cell(b) if two else '':>12}".rstrip()


def user_test_rows(f, scaled: bool, scaled_rows: list[str] = ()) -> list[str]:
    """The rows of "Model Test User Model:" as lavaan's lav_test_print writes them: "Test statistic" ("Test
    Statistic" beside a scaled column) and "Degrees of freedom"; then, unless df = 0, the p-value ("P-value
    (Unknown)" when df < 0, where the statistic is NA) and the scaled test's ``scaled_rows``.

    >>> print("\\n".join(user_test_rows({"chisq": 0.0, "df": 0, "pvalue": float("nan")}, False)))
      Test statistic                                 0.000
      Degrees of freedom                                 0
    >>> user_test_rows({"chisq": float("nan"), "df": -2, "pvalue": float("nan")}, False)[2]
    '  P-value (Unknown)                                 NA'
    """
    df = float(f["df"])
    two = scaled and "chisq.scaled" in f

    def row(label, key, fmt=".3f"):
        return summary_pair(label, f[key], f.get(key + ".scaled") if two else None, two=two, fmt=fmt)
    L = [row("Test Statistic" if two else "Test statistic", "chisq"), row("Degrees of freedom", "df", "d")]
    if df == 0 or math.isnan(df):
        return L
    L.append(row("P-value (Unknown)" if df < 0 else "P-value (Chi-square)", "pvalue"))
    return L + (list(scaled_rows) if two else [])


#: R's vowels of abbreviate() for a text that is not ASCII (wstripchars' table, its 0x2e, ".", included)
_R_WIDE_VOWELS = frozenset(map(chr, (
    0x61, 0x65, 0x69, 0x6f, 0x75, 0xe0, 0xe1, 0x2e, 0xe3, 0xe4, 0xe5, 0xe8, 0xe9, 0xea, 0xeb, 0xec, 0xed, 0xee,
    0xef, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0x101, 0x103, 0x105, 0x113, 0x115, 0x117,
    0x118, 0x11b, 0x129, 0x12b, 0x12d, 0x12f, 0x131, 0x14d, 0x14f, 0x151, 0x169, 0x16b, 0x16d, 0x16f, 0x171,
    0x173)))


def r_abbreviate(text: str, minlength: int) -> str:
    """R's ``abbreviate(text, minlength, strict = TRUE)`` (use.classes, R 4.2's stripchars): outer spaces
    dropped; a longer text loses, from its end and until ``minlength`` characters are left, first lower-case
    vowels ending a word, then lower-case vowels inside words, then lower-case letters ending a word, then
    inside words, then any character but a word's first; the inner spaces go last.  What lavaan's summary
    does to a constraint's name over 41 characters (``.makeConNames``).

    >>> r_abbreviate("loading_of_dem60_on_y2 - (loading_of_dem65_on_y6)", 41)
    'loading_of_dem60_on_y2-(ldng_f_dm65_n_y6)'
    >>> r_abbreviate("short - (name)", 41)
    'short - (name)'
    """
    s = list(text.strip(" "))
    if len(s) <= minlength:
        return "".join(s)
    vowels = frozenset("aeiou") if text.isascii() else _R_WIDE_VOWELS

    def at(i: int) -> str:
        return s[i] if i < len(s) else "\0"

    def space(c: str) -> bool:
        return c in " \t\n\v\f\r"

    def first(i: int) -> bool:                          # the first character of a word
        return space(s[i - 1])

    def last(i: int) -> bool:                           # the last character of a word
        return not space(s[i - 1]) and (at(i + 1) == "\0" or space(at(i + 1)))

    def lower(c: str) -> bool:                          # C's islower(): ASCII only
        return "a" <= c <= "z"

    nspace = 0
    done = False
    trailing = True
    for i in range(len(s) - 1, 0, -1):                  # spaces: trailing ones cut, inner ones counted
        if space(s[i]):
            if trailing:
                del s[i:]
            else:
                nspace += 1
        else:
            trailing = False
        if len(s) - nspace <= minlength:
            done = True
            break
    rules = (lambda i: at(i) in vowels and last(i), lambda i: at(i) in vowels and not first(i),
             lambda i: lower(at(i)) and last(i), lambda i: lower(at(i)) and not first(i),
             lambda i: not first(i) and not space(at(i)))
    for rule in rules:
        if done:
            break
        for i in range(len(s) - 1, 0, -1):
            if rule(i):
                del s[i]
            if len(s) - nspace <= minlength:
                done = True
                break
    if len(s) > minlength:
        s = s[:1] + [c for c in s[1:] if not space(c)]
    return "".join(s)


def scaled_stat_group(stat_group, scaling_factor: Any, df: Any, nobs, shift: Any = None) -> list[float]:
    """Each group's contribution to the scaled test, lavaan 0.6.14's ``stat.group`` of it: the standard
    contribution over the scaling factor (Yuan-Bentler / Satorra-Bentler: lav_test_yuan_bentler), plus, for the
    scaled-shifted test (WLSMV), the group's share ``n_g / N`` of the shift parameter (lav_test_satorra_bentler).
    With df <= 0 the "scaled" test is the standard one (lavaan); a missing scaling factor gives NaN.

    >>> [round(v, 3) for v in scaled_stat_group([68.825, 55.219], 0.98449, 54, [156, 145])]
    [69.909, 56.089]
    >>> [round(v, 3) for v in scaled_stat_group([32.038, 30.164], 0.739824, 48, [156, 145], shift=9.970748)]
    [48.472, 45.575]
    >>> scaled_stat_group([0.0, 0.0], float("nan"), 0, [50, 50])
    [0.0, 0.0]
    """
    std = np.asarray(stat_group, dtype=float)
    if df is not None and float(df) <= 0:
        return std.tolist()
    c = float("nan") if scaling_factor is None else float(scaling_factor)
    out = std / c
    if shift is not None:
        n = np.asarray(nobs, dtype=float)
        out = out + n / n.sum() * float(shift)
    return out.tolist()


#: lavaan's label of a scaled test (``fit@test[[2]]$label``), the line its summary prints under the test
TEST_LABELS = {"yuan.bentler.mplus": "Yuan-Bentler correction (Mplus variant)",
               "scaled.shifted": "simple second-order correction"}


def group_test_rows(labels, standard, scaled=None) -> list[str]:
    """lavaan's "Test statistic for each group:" rows under "Model Test User Model:" of a multi-group fit
    (lav_test_print): per group its contribution to the standard test, beside it to the scaled one when there
    is one (:func:`scaled_stat_group`).

    >>> print("\\n".join(group_test_rows(["Pasteur", "Grant-White"], [64.30911, 51.54224])))
      Test statistic for each group:
        Pasteur                                     64.309
        Grant-White                                 51.542
    >>> group_test_rows(["Pasteur"], [68.825], [69.909])[1]
    '    Pasteur                                     68.825      69.909'
    """
    two = scaled is not None
    return ["  Test statistic for each group:"] + [
        summary_pair("  " + str(lab), standard[k], scaled[k] if two else None, two=two)
        for k, lab in enumerate(labels)]


def z_pvalue(z):
    """Two-sided normal p-value of a Wald z, ``2 * (1 - pnorm(|z|))`` as lavaan's parameterEstimates
    (NaN stays NaN).  The package's one spelling of it.

    >>> z_pvalue(np.array([1.959964, 0.0])).round(4).tolist()
    [0.05, 1.0]
    """
    return 2 * special.ndtr(-np.abs(z))


def z_critical(level: float = 0.95) -> float:
    """The normal quantile of a two-sided ``level`` interval (``qnorm(1 - (1 - level) / 2)``).

    >>> round(z_critical(0.95), 4)
    1.96
    """
    return float(special.ndtri(1 - (1 - level) / 2))


def json_number(x: Any):
    """A value for JSON: ``None`` for None / NA / NaN / inf, bools and integers as they are, other numbers as
    floats, anything else unchanged.  (The package's one JSON number rule.)

    >>> json_number(float("nan")), json_number(np.int64(3)), json_number(np.float32(0.5)), json_number("x")
    (None, 3, 0.5, 'x')
    """
    pd = sys.modules.get("pandas")          # pd.NA exists only if pandas is loaded
    if x is None or (pd is not None and x is pd.NA):
        return None
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    try:
        f = float(x)
    except (TypeError, ValueError):
        return x
    return f if math.isfinite(f) else None


#: the one line a fit that did not converge carries (results.json "message", the CLI's stderr)
NONCONVERGED_MESSAGE = ("the model did not converge: no fit measures (lavaan refuses them); the estimates are "
                        "the optimizer's last iterate and must not be interpreted")


#: lavaan's fit-time warning of a fit that did not converge (lavaan 0.6.14's lav_model_estimate wording)
LAVAAN_NONCONVERGED = "the optimizer warns that a solution has NOT been found!"
#: lavaan's refusal of fit measures of a fit that did not converge (its fitMeasures() error)
NO_FIT_MEASURES = "fit measures not available if model did not converge"
#: how lavaan's post-estimation checks (lav_object_post_check) word an inadmissible solution: the fit's
#: warnings that start with one of these are raised as :class:`SEMFitWarning` at fit time
INADMISSIBLE_WARNINGS = ("some estimated ov variances are negative", "some estimated lv variances are negative",
                         "covariance matrix of latent variables is not positive definite",
                         "the covariance matrix of the residuals of the observed variables (theta) is not positive "
                         "definite")
#: the package's own check of a converged fit, raised with them: a factor scaled by a marker that barely measures
#: it (:func:`~iur_survey.sem.datacheck.weak_marker_warnings`; lavaan 0.6.14 says nothing, and its optimizer
#: often does not converge on such a model)
WEAK_MARKER_WARNING = "empirical underidentification: "


class SEMFitWarning(UserWarning):
    """lavaan warns about this fit: it did not converge, or its solution is inadmissible (a negative variance, a
    covariance matrix that is not positive definite), or a multi-group model holds parameters equal across groups
    by its labels (lavaan's single-label warning) or numbers its groups otherwise than their codes.  Raised by :func:`iur_survey.sem.sem` when it fits (unless
    ``warn=False``, lavaan's ``warn = FALSE``), and by the estimates tables of a fit that did not converge."""


class NotConvergedError(EstimationError):
    """A fit that did not converge was asked for what lavaan refuses (its fit measures), or its results.json was
    given to a command that must not use its estimates (``iur-survey tables`` / ``diagram`` /
    ``export-replication`` exit with status 3, as ``fit`` does)."""


def require_converged(results: Any, refused: str = "no tables or diagram of a fit that did not converge") -> None:
    """Raise :class:`NotConvergedError` when results.json says the fit did not converge (``"converged": false``
    or ``"estimates_interpretable": false``, as ``iur-survey fit`` writes it); ``refused`` ends the message
    (what is not made of it).  The one check of every command that reads a results.json.

    >>> require_converged({"converged": True})
    >>> require_converged({"_path": "nc.json", "converged": False})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    iur_survey.sem.results.NotConvergedError: nc.json: the model did not converge: ... no tables or diagram of a fit that did not converge
    """
    if results.get("converged") is False or results.get("estimates_interpretable") is False:
        raise NotConvergedError(results.get("_path"), f"{NONCONVERGED_MESSAGE}; {refused}")


def require_converged_fit(res: Any, refused: str = "", what: str = "the model") -> None:
    """Raise :class:`NotConvergedError` when the fit ``res`` did not converge; ``refused`` says what is not made
    of it (lavaan computes no vcov of such a fit: no bootstrap, no standard errors), ``what`` names the fit.

    >>> class R: converged = False
    >>> require_converged_fit(R(), "no bootstrap")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    iur_survey.sem.results.NotConvergedError: the model did not converge: ...; no bootstrap
    >>> require_converged_fit(R(), what="the CFA")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    iur_survey.sem.results.NotConvergedError: the CFA did not converge: no fit measures ... must not be interpreted
    """
    if not getattr(res, "converged", True):
        message = NONCONVERGED_MESSAGE.replace("the model", what, 1)
        raise NotConvergedError(None, f"{message}; {refused}" if refused else message)


def fit_warnings(res: Any) -> list[str]:
    """The warnings lavaan gives when it fits ``res`` about its solution: :data:`LAVAAN_NONCONVERGED` (with the
    optimizer's message) when it did not converge, else each inadmissible-solution warning of ``res.warnings``
    (:data:`INADMISSIBLE_WARNINGS`) and the package's weak-marker warning (:data:`WEAK_MARKER_WARNING`); before
    them, the multi-group model's warnings (:func:`is_group_model_warning`).  Empty for a proper converged fit.

    >>> class R: converged, warnings = False, ["the optimizer did not converge: 500 iterations", "a note"]
    >>> fit_warnings(R())
    ['the optimizer warns that a solution has NOT been found! (the optimizer did not converge: 500 iterations)']
    >>> R.converged, R.warnings = True, ["a note", "some estimated ov variances are negative (x1): a Heywood case"]
    >>> fit_warnings(R())
    ['some estimated ov variances are negative (x1): a Heywood case']
    """
    warns = list(getattr(res, "warnings", None) or [])
    groups = [w for w in warns if is_group_model_warning(w)]     # what the groups' parameters are: said first
    if not res.converged:       # lavaan checks the solution of a converged fit only: the last iterate is not one
        why = next((w for w in warns if "did not converge" in w), "")
        return groups + [LAVAAN_NONCONVERGED + (f" ({why})" if why else "")]
    return groups + [w for w in warns if w.startswith(INADMISSIBLE_WARNINGS + (WEAK_MARKER_WARNING,))]


def is_group_model_warning(w: str) -> bool:
    """Whether ``w`` says which parameters a multi-group model holds equal across groups, or how its groups are
    numbered (:func:`~iur_survey.sem.partable.group_warnings`: lavaan's single-label warning, which lavaan gives
    with ``warning()`` at fit time; a ``c(a, NA)`` label vector shared by every group; a ``group.equal`` class a
    label per group overrides; :func:`~iur_survey.sem.table.position_code_warnings`; a group with fewer cases than
    parameters, :func:`~iur_survey.sem.api.few_cases_warnings`): raised at fit time as
    :class:`SEMFitWarning` too, so that a Python caller is not left with groups silently equal.

    >>> from iur_survey.sem.partable import SINGLE_LABEL_WARNING
    >>> is_group_model_warning(SINGLE_LABEL_WARNING), is_group_model_warning("10 of 300 rows dropped by listwise deletion")
    (True, False)
    """
    from .partable import SINGLE_LABEL_WARNING
    return (w == SINGLE_LABEL_WARNING or w.startswith('group.equal "')
            or (w.startswith("c(") and "is shared by every group" in w)
            or (w.startswith("the groups of ") and "numbered by first appearance" in w)
            or (w.startswith("group ") and "free parameters of its own: fewer cases than parameters" in w))


def warn_fit(res: Any, stacklevel: int = 2) -> None:
    """Raise each of :func:`fit_warnings` as a :class:`SEMFitWarning` (what :func:`iur_survey.sem.sem` does at fit
    time, as lavaan warns when it fits)."""
    for w in fit_warnings(res):
        _warnings.warn(w, SEMFitWarning, stacklevel=stacklevel + 1)


def mark_nonconverged(payload: dict[str, Any]) -> dict[str, Any]:
    """Strip the fit measures from a results.json payload whose fit did not converge and mark its estimates.

    >>> mark_nonconverged({"converged": False, "fit": {"cfi": 0.99}})["fit"]
    {}
    >>> mark_nonconverged({"converged": True, "fit": {"cfi": 0.99}})
    {'converged': True, 'fit': {'cfi': 0.99}}
    """
    if not payload.get("converged", True):
        payload["fit"] = {}
        payload.pop("test", None)
        payload["estimates_interpretable"] = False
        payload["message"] = NONCONVERGED_MESSAGE
    return payload


def unconverged_se(se: np.ndarray) -> np.ndarray:
    """The standard errors lavaan reports for a fit that did not converge: it computes no vcov then
    (``lav_model_vcov_se`` with ``VCOV = NULL``), so every estimated row (a free parameter, or a ``:=`` of
    free parameters) has se NA, and so z, pvalue and the CI; a fixed row keeps se 0 (ci = est).  lavaan 0.6.14
    gives a ``:=`` row se 0 there (its fixed-row marker, as if the value were exact, with a zero-width CI);
    here it is NaN as well: a defined parameter of free ones is estimated, not fixed.

    >>> unconverged_se(np.array([0.0, 0.12, np.nan, 0.03])).tolist()
    [0.0, nan, nan, nan]
    """
    se = np.asarray(se, dtype=float)
    return np.where(se == 0, 0.0, np.nan)


def _key_columns(pt, keep: list[int], *, block: bool) -> dict[str, list]:
    """lavaan's key columns of the ``keep`` rows: ``lhs op rhs`` (``block``) ``group`` (several groups) ``label``."""
    out: dict[str, list] = {"lhs": [pt.lhs[i] for i in keep], "op": [pt.op[i] for i in keep],
                            "rhs": [pt.rhs[i] for i in keep]}
    if pt.ngroups > 1:
        if block:
            out["block"] = [pt.block[i] for i in keep]
        out["group"] = [pt.group[i] for i in keep]
    out["label"] = [pt.label[i] for i in keep]
    return out


@dataclass
class SEMResult:
    """A fitted SEM; see the module docstring.

    Attributes: ``partable`` (:class:`~iur_survey.sem.partable.ParTable`),
    ``model`` (:class:`~iur_survey.sem.matrices.Model`), ``theta`` (estimated
    parameters), ``vcov_theta`` (their covariance matrix), ``est`` / ``se``
    (per table row), ``converged``, ``warnings``, ``n`` (used observations),
    ``estimator``, ``missing``, ``iterations``, ``seconds``.
    """

    partable: ParTable
    model: Model
    theta: np.ndarray
    vcov_theta: np.ndarray
    est: np.ndarray
    se: np.ndarray
    std: dict[str, np.ndarray]
    fit: pd.Series
    r2_values: pd.Series
    converged: bool
    warnings: list[str]
    n: int
    nobs: list[int]
    estimator: str
    missing: str
    se_type: str
    information: str
    iterations: int
    optimizer: str = "Fisher scoring"
    seconds: float = 0.0
    n_input: int = 0
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        if not self.converged:          # lavaan: no vcov, so se / z / pvalue / ci are NA (see unconverged_se)
            self.se = unconverged_se(self.se)
            table = getattr(self, "table", None)        # an ordinal fit's parameterEstimates layout
            if table is not None and "se" in table.columns:
                self.table = table.assign(se=unconverged_se(table["se"].to_numpy(dtype=float)))
        # lavaan refuses fit measures for a model that did not converge: none is kept (all NaN)
        raw = raw_field(self, "fit")
        if not self.converged and isinstance(raw, dict):
            self.fit = dict.fromkeys(raw, np.nan)
        elif not self.converged and _is_series(raw):
            import pandas as pd

            self.fit = pd.Series(np.nan, index=raw.index, dtype=float)
        elif isinstance(raw, dict) or _is_series(raw):
            # df < 0: lavaan's NA for every measure computed from the (NA) chi-square, whatever the estimator
            masked = na_when_df_negative(raw)
            if masked is not raw:
                self.fit = masked

    # ------------------------------------------------------------------ tables
    def parameter_estimates(self, *, level: float = 0.95, standardized: bool = True) -> pd.DataFrame:
        """lavaan's ``parameterEstimates(fit, standardized = TRUE)``.

        Columns ``lhs op rhs [block group] label est se z pvalue ci.lower ci.upper
        std.lv std.all std.nox`` (``block``/``group`` only with several groups).
        """
        import pandas as pd

        self._warn_unconverged("parameter_estimates()")
        return pd.DataFrame(self._pe_columns(level=level, standardized=standardized))

    def _warn_unconverged(self, what: str) -> None:
        """A :class:`SEMFitWarning` when a table of a fit that did not converge is asked for (lavaan gives the
        table, its summary says the estimates are unreliable); none for a fit made with ``warn=False`` (lavaan's
        ``warn = FALSE``: replications, bootstrap draws) nor inside the result's own methods (summary, to_dict)."""
        if not self.converged and self.meta.get("warn", True) and not self.__dict__.get("_quiet"):
            _warnings.warn(f"{what} of a model that did not converge: the estimates are the optimizer's last "
                           "iterate and must not be interpreted", SEMFitWarning, stacklevel=3)

    def _refuse_unconverged_vcov(self) -> None:
        """lavaan's ``vcov(fit)`` of a fit that did not converge stops ("model did not converge")."""
        if not self.converged:
            raise NotConvergedError(None, "no vcov of a model that did not converge (lavaan's vcov(): model did "
                                          "not converge); its standard errors are NA")

    @contextlib.contextmanager
    def _quietly(self):
        """Inside: the tables of a fit that did not converge do not warn (the caller says so itself)."""
        prev = self.__dict__.get("_quiet", False)
        self.__dict__["_quiet"] = True
        try:
            yield self
        finally:
            self.__dict__["_quiet"] = prev

    def _pe_columns(self, *, level: float = 0.95, standardized: bool = True) -> dict[str, Any]:
        """The columns of :meth:`parameter_estimates` (name -> list or array), built without pandas."""
        pt = self.partable
        keep = [i for i in range(len(pt)) if pt.op[i] not in ("==", "<", ">")]
        est = self.est[keep]
        se = self.se[keep].copy()
        eps = math.sqrt(np.finfo(float).eps)
        se = np.where(se < eps, 0.0, se)
        tmp = np.where(se < eps, np.nan, se)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = est / tmp
        pval = z_pvalue(z)
        fac = z_critical(level)
        df: dict[str, Any] = _key_columns(pt, keep, block=True)
        df["est"] = est
        df["se"] = se
        df["z"] = z
        df["pvalue"] = pval
        df["ci.lower"] = est - fac * se
        df["ci.upper"] = est + fac * se
        if standardized:
            df["std.lv"] = self.std["std.lv"][keep]
            df["std.all"] = self.std["std.all"][keep]
            df["std.nox"] = self.std["std.nox"][keep]
        return df

    def standardized_se(self, type: str = "std.all") -> np.ndarray | None:
        """Delta-method SE of every table row's standardized value (:func:`~iur_survey.sem.standardized.
        standardized_se` on this fit's ``vcov_theta``; cached per type), or None where it is not defined:
        ``se = "none"``, or an estimator other than ML/MLR.  A fit with ordered items (WLSMV, DWLS) is an
        :class:`~iur_survey.sem.ordinal_result.OrdinalSEMResult`, whose own method covers it."""
        check_std_type(type)
        if self.se_type == "none" or not str(self.estimator).upper().startswith("ML"):
            return None
        cache = self.__dict__.setdefault("_std_se_cache", {})
        if type not in cache:
            cache[type] = standardized_se(self.partable, self.model, self.theta, self.est, self.vcov_theta, type)
        return cache[type]

    def standardized_solution(self, type: str = "std.all", *, level: float = 0.95) -> pd.DataFrame:
        """lavaan's ``standardizedSolution(fit, type = type, level = level)``: columns ``lhs op rhs [group]
        label est.std se z pvalue ci.lower ci.upper``, the rows of :meth:`parameter_estimates` (``:=`` rows
        included, ``==`` / ``<`` / ``>`` dropped).

        ``se`` is the delta method on the fit's parameter covariance (ML, MLR robust, FIML, or the bootstrap
        covariance after :func:`~iur_survey.sem.bootstrap.with_bootstrap`, as lavaan); ``z = est.std / se``
        (NaN where se is 0: rows that do not vary, e.g. a fixed.x variance), ``pvalue`` two-sided normal,
        ``ci = est.std -/+ qnorm((1 + level) / 2) se``.  With ordered items (WLSMV, DWLS; robust.sem, standard
        or bootstrap covariance) the rows are those of the estimates table, thresholds, scales and y*
        variances included (:mod:`iur_survey.sem.wlsmv_standardized`).  Raises with ``se = "none"``.

        >>> import numpy as np, pandas as pd
        >>> from iur_survey.sem import sem
        >>> rng = np.random.default_rng(4)
        >>> x = rng.standard_normal(200)
        >>> m = 0.5 * x + rng.standard_normal(200)
        >>> d = pd.DataFrame({"x": x, "m": m, "y": 0.4 * m + rng.standard_normal(200)})
        >>> ss = sem("m ~ a*x\\ny ~ b*m\\nab := a*b", d).standardized_solution()
        >>> ss[["lhs", "op", "rhs", "est.std", "se", "ci.lower"]].round(3)
          lhs  op  rhs  est.std     se  ci.lower
        0   m   ~    x    0.430  0.055     0.322
        1   y   ~    m    0.406  0.059     0.291
        2   m  ~~    m    0.815  0.047     0.723
        3   y  ~~    y    0.835  0.048     0.741
        4   x  ~~    x    1.000  0.000     1.000
        5  ab  :=  a*b    0.175  0.035     0.106
        """
        import pandas as pd

        self._warn_unconverged("standardized_solution()")
        return pd.DataFrame(self._standardized_columns(type, level))

    def _standardized_columns(self, type: str = "std.all", level: float = 0.95) -> dict[str, Any]:
        """The columns of :meth:`standardized_solution` as lists and arrays (results.json needs no pandas)."""
        se_all = self.standardized_se(type)
        if se_all is None:
            raise EstimationError(None, f"no standardized standard errors for estimator {self.estimator} / se "
                                        f"{self.se_type!r} (delta method covered for ML, MLR and, with ordered "
                                        "items, WLSMV / DWLS)")
        pt = self.partable
        keep = [i for i in range(len(pt)) if pt.op[i] not in ("==", "<", ">")]
        est = self.std[type][keep]
        se = se_all[keep]
        with np.errstate(divide="ignore", invalid="ignore"):
            z = est / np.where(se == 0, np.nan, se)
        fac = z_critical(level)
        out: dict[str, Any] = _key_columns(pt, keep, block=False)
        out.update({"est.std": est, "se": se, "z": z, "pvalue": z_pvalue(z), "ci.lower": est - fac * se,
                    "ci.upper": est + fac * se})
        return out

    def fit_measures(self, names: list[str] | None = None) -> pd.Series:
        """lavaan's ``fitMeasures(fit)`` (all measures, lavaan's names and order).

        A fit that did not converge has none: :class:`NotConvergedError` (lavaan: "fit measures not available if
        model did not converge"); check ``converged`` first."""
        if not self.converged:
            raise NotConvergedError(None, f"{NO_FIT_MEASURES} (converged is False; warnings says why)")
        if names is None:
            return self.fit
        # lavaan lower-cases the names it is given (fitMeasures(fit, "CFI"))
        return self.fit[names.lower()] if isinstance(names, str) else self.fit[[str(n).lower() for n in names]]

    def residuals(self, type: str = "raw", data: pd.DataFrame | None = None):
        """lavaan's ``residuals(fit, type = type)``: :func:`iur_survey.sem.residuals.residuals` of this fit
        (``data``: the DataFrame given to ``sem()``, needed for the normalized / standardized types of FIML
        and MLR fits).

        >>> import numpy as np, pandas as pd
        >>> from iur_survey.sem import sem
        >>> rng = np.random.default_rng(2)
        >>> d = pd.DataFrame(rng.standard_normal((120, 1)) @ [[1, .8, .7]] + rng.standard_normal((120, 3)),
        ...                  columns=list("abc"))
        >>> sem("F =~ a + b + c", d).residuals("cor")["cov"].shape
        (3, 3)
        """
        from .residuals import residuals

        return residuals(self, type, data)

    def lav_residuals(self, type: str = "cor.bentler", data: pd.DataFrame | None = None, *, se: bool = False,
                      zstat: bool = True, summary: bool = True):
        """lavaan's ``lavResiduals(fit)``: :func:`iur_survey.sem.residuals.lav_residuals` of this fit.

        >>> import numpy as np, pandas as pd
        >>> from iur_survey.sem import sem
        >>> rng = np.random.default_rng(2)
        >>> d = pd.DataFrame(rng.standard_normal((120, 1)) @ [[1, .8, .7]] + rng.standard_normal((120, 3)),
        ...                  columns=list("abc"))
        >>> list(sem("F =~ a + b + c", d).lav_residuals()["summary"].columns)
        ['cov']
        """
        from .residuals import lav_residuals

        return lav_residuals(self, type, data, se=se, zstat=zstat, summary=summary)

    def r2(self) -> pd.Series:
        """lavaan's ``lavInspect(fit, "r2")``: R-squared of indicators and endogenous variables."""
        return self.r2_values

    def sample_statistics(self, group: int = 0) -> dict[str, pd.DataFrame | pd.Series]:
        """lavaan's ``lavInspect(fit, "sampstat")`` for one group: the observed covariance
        (divisor N) and means; under FIML the EM estimates of the saturated (h1) model.

        >>> import numpy as np, pandas as pd
        >>> from iur_survey.sem import cfa
        >>> rng = np.random.default_rng(1)
        >>> f = rng.normal(size=(300, 1))
        >>> df = pd.DataFrame(f @ [[1.0, 0.8, 0.6]] + rng.normal(size=(300, 3)), columns=["x1", "x2", "x3"])
        >>> ss = cfa("F =~ x1 + x2 + x3", df).sample_statistics()
        >>> bool(np.allclose(ss["cov"].to_numpy(), np.cov(df.to_numpy().T, bias=True)))
        True
        """
        import pandas as pd

        cov, mean = self.meta["sampstat"][group]
        names = list(self.partable.ov_names[group])
        return {"cov": pd.DataFrame(np.asarray(cov), index=names, columns=names),
                "mean": pd.Series(np.asarray(mean), index=names)}

    def theta_index(self) -> np.ndarray:
        """Per parameter-table row, its column of ``theta`` and ``vcov_theta`` (-1: not an entry), the one
        map every consumer of ``vcov_theta`` uses (Wald tests, ``:=`` standard errors, :meth:`vcov`);
        :func:`~iur_survey.sem.defined.theta_columns`.  For ML / MLR fits ``theta`` is the engine's
        parameter vector (the table's ``par_index``); a WLSMV fit orders ``theta`` its own way.

        >>> import numpy as np, pandas as pd
        >>> from iur_survey.sem import sem
        >>> d = pd.DataFrame(np.random.default_rng(1).normal(size=(50, 2)), columns=["x", "y"])
        >>> sem("y ~ x", d).theta_index().tolist()
        [0, 1, -1]
        """
        from .defined import theta_columns

        return theta_columns(self.partable.par_index)

    def vcov(self) -> pd.DataFrame:
        """Covariance matrix of the free parameters, lavaan's ``vcov(fit)`` (one row per free
        table row; rows sharing a label are perfectly correlated).  A fit that did not converge has none:
        :class:`NotConvergedError` (lavaan's ``vcov()``: "model did not converge")."""
        import pandas as pd

        self._refuse_unconverged_vcov()
        pt = self.partable
        rows = [i for i in range(len(pt)) if pt.free[i] > 0]
        idx = self.theta_index()[rows]
        V = self.vcov_theta[np.ix_(idx, idx)]
        names = [(pt.label[i] or f"{pt.lhs[i]}{pt.op[i]}{pt.rhs[i]}"
                  + (f".g{pt.group[i]}" if pt.group[i] > 1 else "")) for i in rows]
        return pd.DataFrame(V, index=names, columns=names)

    @property
    def syntax(self) -> str:
        """The model rendered back to lavaan syntax (what the user wrote, canonical form)."""
        return render_syntax(self.partable)

    # ------------------------------------------------------------------ output
    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of ``iur-survey fit`` (see the SEM contract)."""
        columns, records = self._pe_records()
        cols = ["lhs", "op", "rhs", "label", "est", "se", "z", "pvalue", "ci.lower", "ci.upper", "std.lv",
                "std.all"]
        if "group" in columns:
            cols.insert(3, "group")
        estimates = [{k: (json_number(r[k]) if k not in ("lhs", "op", "rhs", "label") else r[k]) for k in cols}
                     for r in records]
        for e, r in zip(estimates, records):
            if "group" in e:
                e["group"] = self.partable.group_labels[int(r["group"]) - 1] if r["group"] else None
        self._add_std_all_inference(estimates)
        fitd = raw_field(self, "fit")
        if not isinstance(fitd, dict):
            fitd = dict(self.fit.items())
        fit = {k: json_number(fitd[k]) for k in JSON_FIT if k in fitd}
        r2d: dict = {}
        for k, val in raw_field(self, "r2_values").items():        # the dict, or the Series once made
            if isinstance(k, tuple):                                # several groups: (group label, variable)
                r2d.setdefault(k[0], {})[k[1]] = json_number(val)
            else:
                r2d[k] = json_number(val)
        out = {"n": int(self.n), "estimator": self.estimator, "missing": self.missing,
               "converged": bool(self.converged), "warnings": list(self.warnings), "fit": fit,
               "estimates": estimates, "r2": r2d, "seconds": round(float(self.seconds), 4)}
        if self.partable.ngroups > 1:
            out["groups"] = {lab: int(n) for lab, n in zip(self.partable.group_labels, self.nobs)}
            # the per-group label suffixes (a1.g1, ind_GOV.g2) number the groups by POSITION: with numeric codes
            # ind_GOV.g1 may be the effect in role = 3
            out["group_suffixes"] = {f".g{k}": lab for k, lab in enumerate(self.partable.group_labels, 1)}
        # lavaan's lavInspect(fit, "norig") (rows read, before any deletion) and its number of missing-data
        # patterns (lavdata@Mp$npatterns, summary's "Number of missing patterns"): a number, or one per group
        for key in ("norig", "npatterns"):
            if self.meta.get(key) is not None:
                out[key] = self._per_group(self.meta[key])
        if self.meta.get("sampstat") is not None:
            out["sampstat"] = self._sampstat_records()
        tests = self._test_records()
        if tests:                       # lavaan's lavInspect(fit, "test"), with each group's part (stat.group)
            out["test"] = tests
        return mark_nonconverged(out)

    def _per_group(self, values) -> int | dict[str, int]:
        """One count per group as results.json writes it: a number for one group, ``{label: n}`` for several."""
        vals = [int(v) for v in np.atleast_1d(values)]
        if self.partable.ngroups > 1:
            return dict(zip(self.partable.group_labels, vals))
        return vals[0]

    #: the results.json fields of lavaan's standardizedSolution(fit) (type "std.all") per estimates row
    STD_ALL_JSON = {"se": "std.all.se", "z": "std.all.z", "pvalue": "std.all.pvalue",
                    "ci.lower": "std.all.ci.lower", "ci.upper": "std.all.ci.upper"}

    def _add_std_all_inference(self, estimates: list[dict[str, Any]]) -> None:
        """``std.all.se`` ``std.all.z`` ``std.all.pvalue`` ``std.all.ci.lower`` ``std.all.ci.upper`` after
        ``std.all`` in every row: lavaan's ``standardizedSolution(fit)`` columns se z pvalue ci.lower ci.upper
        (95%), ML / MLR and WLSMV / DWLS alike; null where not defined (``se = "none"``, se 0 for z / p, a
        vcov with NaN)."""
        try:
            ss = self._standardized_columns("std.all")
        except EstimationError:
            ss = None
        for k, e in enumerate(estimates):
            for col, name in self.STD_ALL_JSON.items():
                e[name] = None if ss is None else json_number(ss[col][k])

    def _sampstat_records(self) -> dict[str, dict[str, Any]]:
        """lavaan's ``lavInspect(fit, "sampstat")`` covariance per group ("" for one group), for results.json:
        what semTools' ``compRelSEM`` divides by (under FIML the EM estimate of the saturated model), so that the
        tables need neither the data nor a refit."""
        labels = list(self.partable.group_labels) if self.partable.ngroups > 1 else [""]
        out = {}
        for k, lab in enumerate(labels):
            cov, _ = self.meta["sampstat"][k]
            out[str(lab)] = {"names": list(self.partable.ov_names[k]),
                             "cov": [[json_number(v) for v in row] for row in np.asarray(cov, dtype=float)]}
        return out

    def _pe_records(self) -> tuple[list[str], list[dict[str, Any]]]:
        """The columns and rows of :meth:`parameter_estimates` (``to_dict("records")``), without pandas
        unless a subclass makes its own table."""
        if type(self).parameter_estimates is not SEMResult.parameter_estimates:
            with self._quietly():           # results.json marks a fit that did not converge itself
                pe = self.parameter_estimates()
            return list(pe.columns), pe.to_dict("records")
        cols = self._pe_columns()
        n = len(cols["lhs"])
        return list(cols), [{k: v[i] for k, v in cols.items()} for i in range(n)]

    def to_json(self, **kw) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, **kw)

    def _summary_header(self) -> list[str]:
        """The first lines of every summary (engine, status, iterations), lavaan's wording."""
        status = "ended normally" if self.converged else "did NOT end normally"
        out = [f"iur-survey {__version__} SEM engine (lavaan 0.6.14 equivalent) {status} "
               f"after {self.iterations} iterations"]
        if not self.converged:
            out.append("** WARNING ** Estimates below are most likely unreliable")
        return out + [""]

    def _summary_no_fit(self, fit_measures: bool) -> list[str]:
        """What a summary of a fit that did not converge shows instead of its test and fit measures (lavaan prints
        neither, and warns when they were asked for)."""
        return ([f"** WARNING ** {NO_FIT_MEASURES}", ""] if fit_measures else [])

    def _summary_parameters(self, npar: int, nest: int) -> list[str]:
        """lavaan's "Number of model parameters" ``npar`` (the free rows of the parameter table: a parameter held
        equal across groups counts once per group) and, when any, "Number of equality constraints" (``npar``
        minus ``nest``, the distinct parameters, plus the ``==`` constraints)."""
        pt = self.partable
        neq = npar - nest + len(pt.equality)
        L = [summary_line("Number of model parameters", npar)]
        return L + ([summary_line("Number of equality constraints", neq)] if neq else [])

    def _summary_observations(self, norig: list[int] | None = None) -> list[str]:
        """lavaan's "Number of observations" lines (per group with several groups; "Used" and "Total" columns
        when rows were dropped: ``norig``, the rows before deletion, by default ``meta["norig"]``) and "Number of
        missing patterns" (per group) when the fit kept incomplete rows (FIML, or pairwise polychorics) and
        counted its patterns."""
        pt = self.partable
        kv = summary_line
        L: list[str] = []
        norig = norig or self.meta.get("norig") or ([self.n_input] if pt.ngroups == 1 else None)
        used_total = norig is not None and any(int(o) != int(n) for o, n in zip(norig, self.nobs))
        if pt.ngroups > 1:              # lavaan's layout: Used / Total columns when rows were dropped
            L.append(kv("Number of observations per group:", "Used") + f"{'Total':>12}" if used_total
                     else kv("Number of observations per group:", ""))
            for k, (lab, n) in enumerate(zip(pt.group_labels, self.nobs)):
                L.append(kv("  " + str(lab), n) + (f"{int(norig[k]):>12}" if used_total else ""))
        elif used_total:
            L.append(kv("", "Used") + f"{'Total':>12}")
            L.append(kv("Number of observations", self.n) + f"{int(norig[0]):>12}")
        else:
            L.append(kv("Number of observations", self.n))
        npat = self.meta.get("npatterns")
        if (is_fiml(self.missing) or self.missing == "pairwise") and npat is not None:
            npat = [int(v) for v in np.atleast_1d(npat)]
            if pt.ngroups > 1:
                L.append(kv("Number of missing patterns per group:", ""))
                for lab, v in zip(pt.group_labels, npat):
                    L.append(kv("  " + str(lab), v))
            else:
                L.append(kv("Number of missing patterns", npat[0]))
        return L

    def _fit_values(self) -> dict:
        """The fit measures as a dict, without making their pandas Series (a plain fit and its results.json
        need no pandas)."""
        fitd = raw_field(self, "fit")
        return fitd if isinstance(fitd, dict) else dict(self.fit.items())

    def test_name(self) -> str:
        """lavaan's name of the fit's robust test (``fit@test[[2]]$test``): ``"scaled.shifted"`` for WLSMV,
        ``"yuan.bentler.mplus"`` for MLR, ``"standard"`` without a scaled test."""
        if "chisq.scaling.factor" not in self._fit_values():
            return "standard"
        test = getattr(self, "test", None)
        if isinstance(test, dict) and test.get("test"):
            return str(test["test"])
        return "yuan.bentler.mplus"

    def _group_stats(self, shift: Any = None, scaled: bool | None = None) -> tuple[list | None, list | None]:
        """Each group's part of the standard test (``meta["chisq_group"]``, lavaan's ``fit@test[[1]]$stat.group``;
        one group: the test itself; NaN per group with df < 0, where lavaan has no test) and, with a scaled test,
        of the scaled one (:func:`scaled_stat_group`; ``shift``: the scaled-shifted test's shift parameter;
        ``scaled``: whether there is a scaled test, by default when the fit has ``chisq.scaled``).  ``(None,
        None)`` when a fit of several groups kept no per-group statistics."""
        std = self.meta.get("chisq_group") if isinstance(self.meta, dict) else None
        f = self._fit_values()
        if self.partable.ngroups == 1 and "chisq" in f:
            std = [float(f["chisq"])]
        if std is None:
            return None, None
        df = float(f.get("df", np.nan))
        if df < 0:                      # lavaan: no test, stat.group NA (lav_model_test)
            std = [float("nan")] * len(std)
        sc = None
        if ("chisq.scaled" in f) if scaled is None else scaled:
            sc = scaled_stat_group(std, f.get("chisq.scaling.factor"), df, self.nobs, shift)
        return [float(v) for v in std], sc

    def _summary_group_tests(self, shift: Any = None, scaled: bool | None = None) -> list[str]:
        """lavaan's "Test statistic for each group:" rows of a multi-group fit (nothing with one group, or when
        the fit kept no per-group statistics): :meth:`_group_stats`."""
        if self.partable.ngroups < 2:
            return []
        std, sc = self._group_stats(shift, scaled)
        return [] if std is None else group_test_rows(self.partable.group_labels, std, sc)

    def lavaan_tests(self) -> dict[str, dict[str, Any]]:
        """lavaan's ``lavInspect(fit, "test")`` of a converged fit: per test (``"standard"`` and, with a scaled
        test, its lavaan name, ``"yuan.bentler.mplus"`` for MLR, ``"scaled.shifted"`` for WLSMV) ``test``, ``stat``,
        ``stat.group`` (each group's part of ``stat``, in the fit's group order: :meth:`_group_stats`; left out
        when a fit of several groups kept none), ``df``, ``pvalue``, and for the scaled test ``scaling.factor``
        (``shift.parameter`` too for the scaled-shifted one) and ``label``.  With df < 0 only ``"standard"``,
        stat.group NaN (lavaan has no test there).  {} when the fit has no test (did not converge, no chisq).

        >>> import numpy as np, pandas as pd
        >>> from iur_survey.sem import cfa
        >>> rng = np.random.default_rng(1)
        >>> x = rng.normal(size=(200, 1)) @ [[0.8, 0.7, 0.6, 0.5]] + rng.normal(size=(200, 4)) * 0.6
        >>> d = pd.DataFrame(x, columns=["a", "b", "c", "e"]).assign(g=np.repeat(["u", "v"], 100))
        >>> tests = cfa("F =~ a + b + c + e", d, group="g", estimator="MLR").lavaan_tests()
        >>> list(tests), [round(v, 3) for v in tests["standard"]["stat.group"]], round(tests["standard"]["stat"], 3)
        (['standard', 'yuan.bentler.mplus'], [0.574, 1.454], 2.028)
        >>> [round(v, 3) for v in tests["yuan.bentler.mplus"]["stat.group"]], tests["yuan.bentler.mplus"]["label"]
        ([0.654, 1.656], 'Yuan-Bentler correction (Mplus variant)')
        """
        f = self._fit_values()
        if not self.converged or "chisq" not in f:
            return {}
        df = float(f.get("df", np.nan))
        name = self.test_name() if "chisq.scaled" in f and not df < 0 else "standard"
        test = getattr(self, "test", None)
        shift = test.get("shift_parameter") if name == "scaled.shifted" and isinstance(test, dict) else None
        std, sc = self._group_stats(shift, name != "standard")
        out = {"standard": {"test": "standard", "stat": float(f["chisq"]), "stat.group": std, "df": df,
                            "pvalue": float(f.get("pvalue", np.nan))}}
        if name != "standard":
            out[name] = {"test": name, "stat": float(f.get("chisq.scaled", np.nan)), "stat.group": sc,
                         "df": float(f.get("df.scaled", df)), "pvalue": float(f.get("pvalue.scaled", np.nan)),
                         "scaling.factor": float(f.get("chisq.scaling.factor", np.nan))}
            if name == "scaled.shifted":
                out[name]["shift.parameter"] = np.nan if shift is None else float(shift)
            if name in TEST_LABELS and df > 0:         # (lavaan labels no "scaled" test of df 0)
                out[name]["label"] = TEST_LABELS[name]
        for t in out.values():
            if t["stat.group"] is None:
                del t["stat.group"]
        return out

    def group_tests(self) -> dict[str, dict[str, float | None]]:
        """Each group's part of each test of a multi-group fit, ``{test name: {group label: statistic}}``
        (lavaan's ``stat.group`` of ``lavInspect(fit, "test")``: :meth:`lavaan_tests`), as results.json's
        ``test`` block gives them (:func:`~iur_survey.sem.results_file.group_tests`); {} for one group, or a fit
        without a test.

        >>> import numpy as np, pandas as pd
        >>> from iur_survey.sem import cfa
        >>> rng = np.random.default_rng(1)
        >>> x = rng.normal(size=(200, 1)) @ [[0.8, 0.7, 0.6, 0.5]] + rng.normal(size=(200, 4)) * 0.6
        >>> d = pd.DataFrame(x, columns=["a", "b", "c", "e"]).assign(g=np.repeat(["u", "v"], 100))
        >>> parts = cfa("F =~ a + b + c + e", d, group="g").group_tests()
        >>> {k: {g: round(v, 3) for g, v in p.items()} for k, p in parts.items()}
        {'standard': {'u': 0.574, 'v': 1.454}}
        """
        from .results_file import group_tests
        return group_tests({"test": self._test_records()})

    def _test_records(self) -> dict[str, dict[str, Any]]:
        """:meth:`lavaan_tests` for results.json ("test"): numbers or null, ``stat.group`` a number for one
        group and ``{label: number}`` for several (as ``groups``, ``norig``)."""
        out = {}
        for name, t in self.lavaan_tests().items():
            rec = {}
            for k, v in t.items():
                if k == "stat.group":
                    vals = [json_number(x) for x in v]
                    rec[k] = (dict(zip(map(str, self.partable.group_labels), vals)) if self.partable.ngroups > 1
                              else vals[0])
                else:
                    rec[k] = v if isinstance(v, str) else json_number(v)
            out[name] = rec
        return out

    def summary(self, *, fit_measures: bool = True, standardized: bool = True) -> str:
        """A lavaan-like summary: header, test statistics and fit indices, then the parameter blocks."""
        pt = self.partable
        f = self.fit
        L = self._summary_header()
        kv = summary_line
        L.append(kv("Estimator", "ML" if self.estimator == "MLR" else self.estimator))   # lavaan: MLR is ML + robust
        L.append(kv("Optimization method", self.optimizer))
        L.extend(self._summary_parameters(pt.nfree, pt.npar))
        L.append("")
        L.extend(self._summary_observations())
        L.append("")
        if not self.converged:
            L.extend(self._summary_no_fit(fit_measures))
        elif "chisq" in f.index:
            scaled = "chisq.scaled" in f.index
            pair = summary_pair
            L.append("Model Test User Model:")
            if scaled:
                L.append(f"{'Standard':>54}{'Scaled':>12}")
            else:
                L.append("")
            L.extend(user_test_rows(f, scaled, [pair("Scaling correction factor", None, f.get("chisq.scaling.factor")),
                                                "    " + TEST_LABELS["yuan.bentler.mplus"]]))
            L.extend(self._summary_group_tests())
            L.append("")
        if fit_measures and self.converged and "cfi" in f.index:
            L.extend(self._summary_fit_rows(f))
        se_name = {"standard": "Standard", "robust.huber.white": "Sandwich", "none": "None"}.get(
            self.se_type, self.se_type)
        L.extend(self._estimates_section(se_name, self.information.capitalize(), "Structured", standardized))
        return "\n".join(L)

    @staticmethod
    def _summary_fit_rows(f) -> list[str]:
        """The fit-measure blocks of the summary (:data:`SUMMARY_FIT`): two columns with a scaled test (MLR), as
        lavaan prints them, else one."""
        scaled = "chisq.scaled" in f.index
        L: list[str] = []
        for item in SUMMARY_FIT:
            if item is None or isinstance(item, str):
                L.append(item or "")
                continue
            label, std, sc, when = item
            if ((when == "scaled" and not scaled) or (when == "has" and sc not in f.index)
                    or (when == "mlr" and "scaling.factor.h1" not in f.index)):     # lavaan: none when df = 0
                continue
            if label is None:
                L.append("")
                continue
            fmt = "d" if (std or sc or "").endswith("df") or (sc or "").endswith("df.scaled") else ".3f"
            a = f.get(std) if std else None
            b = f.get(sc) if sc else None
            if not scaled:
                a, b = (a if std else b), None
            L.append(summary_pair(label, a, b, two=scaled, fmt=fmt))
        return L

    def _estimates_section(self, se_name: str, information: str, h1: str, standardized: bool) -> list[str]:
        """lavaan's "Parameter Estimates:" header (standard errors, information, h1 model) and the blocks."""
        kv = summary_line
        L = ["Parameter Estimates:", "", kv("Standard errors", se_name), kv("Information", information),
             kv("Information saturated (h1) model", h1)]
        if information == "Observed":
            L.append(kv("Observed information based on", "Hessian"))
        L.append("")
        L.extend(self._parameter_blocks(standardized))
        return L

    def _parameter_blocks(self, standardized: bool) -> list[str]:
        pt = self.partable
        with self._quietly():               # the summary's banner says it
            pe = self.parameter_estimates()
        L: list[str] = []
        head = f"{'':19}{'Estimate':>8}{'Std.Err':>9}{'z-value':>9}{'P(>|z|)':>9}"
        if standardized:
            head += f"{'Std.lv':>9}{'Std.all':>9}"
        # which variables are endogenous (dot prefix)
        groups = range(1, pt.ngroups + 1)

        def fmt(v, w=9, na=""):
            return f"{v:>{w}.3f}" if v is not None and np.isfinite(v) else f"{na:>{w}}"

        def line(name: str, r: dict) -> str:
            lab = f"({r['label']})" if r["label"] and not str(r["label"]).startswith(".p") else ""
            if r["label"] and str(r["label"]).startswith(".p"):
                lab = f"({r['label']})"
            s = f"    {name:<10}{lab:>5}" if lab else f"    {name:<15}"
            s = s[:19].ljust(19) if len(s) > 19 and not lab else s.ljust(19)
            se = r["se"]
            if se is not None and not np.isfinite(se):     # an SE that is NA: lavaan prints NA, z and p blank
                s += fmt(r["est"], 8) + fmt(None, na="NA") + fmt(None) * 2
            else:
                s += fmt(r["est"], 8) + (fmt(se) + fmt(r["z"]) + fmt(r["pvalue"]) if se > 0 else " " * 27)
            if standardized:
                s += fmt(r["std.lv"]) + fmt(r["std.all"])
            return s.rstrip()

        for g in groups:
            if pt.ngroups > 1:
                L.append("")
                L.append(f"Group {g} [{pt.group_labels[g - 1]}]:")
                L.append("")
                sub = pe[pe["group"] == g]
            else:
                sub = pe[pe["op"] != ":="]
            lv = set(pt.lv_names[g - 1])
            endo = {pt.rhs[i] for i in range(len(pt)) if pt.op[i] == "=~" and pt.block[i] == g}
            endo |= {pt.lhs[i] for i in range(len(pt)) if pt.op[i] == "~" and pt.block[i] == g}
            ovx = set(pt.ov_x(g - 1))            # lavaan prints no dot before an ov.x, fixed or free

            def dot(v: str) -> str:
                return ("." + v) if (v in endo or (v not in lv and v not in ovx)) else (" " + v)
            rows = sub.to_dict("records")
            for title, op in (("Latent Variables:", "=~"), ("Regressions:", "~"), ("Covariances:", "~~c"),
                              ("Intercepts:", "~1"), ("Thresholds:", "|"), ("Variances:", "~~v"),
                              ("Scales y*:", "~*~")):
                if op == "~~c":
                    rs = [r for r in rows if r["op"] == "~~" and r["lhs"] != r["rhs"]]
                elif op == "~~v":
                    rs = [r for r in rows if r["op"] == "~~" and r["lhs"] == r["rhs"]]
                else:
                    rs = [r for r in rows if r["op"] == op]
                if not rs:
                    continue
                L.append(title)
                L.append(head)
                last = None
                for r in rs:
                    if op in ("=~", "~", "~~c"):
                        if r["lhs"] != last:
                            name = r["lhs"] if op != "~~c" else dot(r["lhs"]).strip()
                            lead = f"  {name} {r['op']}" if op != "~~c" else f" {dot(r['lhs'])} ~~"
                            L.append(lead)
                            last = r["lhs"]
                        nm = r["rhs"] if op != "~~c" else dot(r["rhs"])
                        L.append(line(nm if op != "~~c" else nm, r) if op != "~~c" else
                                 line(nm, r).replace("    ", "   ", 1))
                    elif op == "|":          # ordered items (WLSMV): thresholds, scales y*
                        L.append(line(f"{r['lhs']}|{r['rhs']}", r))
                    elif op == "~*~":
                        L.append(line(r["lhs"], r))
                    else:
                        L.append(line(dot(r["lhs"]), r).replace("    ", "   ", 1))
                L.append("")
        d = pe[pe["op"] == ":="].to_dict("records")
        if d:
            L.append("Defined Parameters:")
            L.append(head)
            for r in d:
                r = dict(r)
                r["label"] = ""
                L.append(line(r["lhs"], r))
            L.append("")
        L.extend(self._summary_constraints())
        L.extend(self._summary_group_equal())
        if self.warnings:
            L.append("Warnings:")
            L.extend("  - " + w for w in self.warnings)
        return L

    def _summary_group_equal(self) -> list[str]:
        """A multi-group fit's block saying which parameters are held equal across the groups (lavaan's summary
        shows it only by the count of equality constraints and the ``.pN.`` labels): the ``group.equal`` classes
        asked, and the parameters a label shared by the groups holds equal (lavaan's rule: a label written once
        names one parameter in every group).  Nothing with one group."""
        pt = self.partable
        if pt.ngroups < 2:
            return []
        ge = list((self.meta or {}).get("group_equal") or [])
        by_label: dict[str, set[int]] = {}
        first: dict[str, str] = {}
        for i in range(len(pt)):
            lab = pt.label[i]
            if lab and not lab.startswith(".p") and pt.op[i] not in (":=", "==", "<", ">") and pt.group[i] > 0:
                by_label.setdefault(lab, set()).add(pt.group[i])
                first.setdefault(lab, f"{pt.lhs[i]} {pt.op[i]} {pt.rhs[i]}".rstrip())
        every = set(range(1, pt.ngroups + 1))
        shared = [f"{first[lab]} ({lab}" + ("" if gs == every else
                                            ": groups " + ", ".join(map(str, sorted(gs)))) + ")"
                  for lab, gs in by_label.items() if len(gs) > 1]
        asked = ", ".join(ge) if ge else "none (lavaan's default)"
        L = ["Equal across groups:", f"  group.equal: {asked}"]
        freed = list((self.meta or {}).get("group_partial") or [])
        if freed:
            L.append("  group.partial (free in each group): " + ", ".join(freed))
        if shared:
            L.append("  by a label shared by the groups (lavaan's rule): " + "; ".join(shared))
        return L + [""]

    def _summary_constraints(self) -> list[str]:
        """lavaan 0.6.14's "Constraints:" block of the summary: per user ``==`` / ``<`` / ``>`` constraint its
        name (``.makeConNames``: ``lhs - (rhs)``, ``rhs - (lhs)`` for ``<``, ``lhs - 0``) and ``|Slack|``, the
        absolute value of that difference at the estimates (0 for an equality met).  Nothing without one."""
        pt = self.partable
        cons = [c for c in pt.constraints if c.op in ("==", "<", ">")]
        if not cons or self.theta is None or not np.size(self.theta):
            return []
        from .defined import DefinedFunction, from_partable
        base = from_partable(pt, self.est, self.theta_index())
        fn = DefinedFunction(base.defs + [(f"__con{k}", ("bin", "-", c.lhs_expr, c.rhs_expr))
                                          for k, c in enumerate(cons)], base.index, base.constants, base.rows)
        slack = np.abs(fn(np.asarray(self.theta, float))[-len(cons):])
        L = ["Constraints:", f"{'':46}{'|Slack|':>8}"]
        for c, s in zip(cons, slack):
            if c.op == "<":
                name = f"{c.rhs} - ({c.lhs})"
            else:
                name = f"{c.lhs} - 0" if c.rhs == "0" else f"{c.lhs} - ({c.rhs})"
            L.append(f"    {r_abbreviate(name, 41):<41} {s:8.3f}")      # lavaan's abbreviate(name, 41, strict)
        L.append("")
        return L

    def __repr__(self) -> str:
        f = self.fit
        bits = [f"n={self.n}", f"estimator={self.estimator}", f"missing={self.missing}",
                f"converged={self.converged}"]
        if self.converged and "chisq" in f.index:
            bits.append(f"chisq={f['chisq']:.3f}, df={int(f['df'])}")
        return f"<SEMResult {', '.join(bits)}>"


def _is_series(x: Any) -> bool:
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(x, pd.Series)


def _fit_series(res: SEMResult, d: dict):
    import pandas as pd

    return pd.Series(list(d.values()), index=list(d), dtype=float)


SEMResult.fit = lazy_series_property("fit", _fit_series, "lavaan's fitMeasures(fit) as a Series (see fit_measures())")
SEMResult.r2_values = lazy_series_property("r2_values", lambda res, d: r2_series(d, res.partable.ngroups > 1),
                                   "lavaan's lavInspect(fit, \"r2\") as a Series (see r2())")
