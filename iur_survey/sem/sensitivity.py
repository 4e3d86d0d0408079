"""Sensitivity of the structural results to the flagged-but-kept respondents.

The cleaning (:func:`iur_survey.clean.clean`) excludes a response flagged by a
careless-responding index only on convergent evidence; the others stay in the analysis,
flagged (``CleanResult.flags``, ``flags.csv``).  Whether they matter is an empirical
question (Curran 2016, *J Exp Soc Psychol* 66:4-19, and Meade & Craig 2012 recommend
reporting results with and without them): :func:`flag_sensitivity` fits the same model
to the analysed sample and to the sample without the flagged respondents (by default
those one evidence group short of exclusion, ``n_evidence >= 1``; with ``rules=``, everyone
chosen indices flagged), and sets the key structural paths and indirect effects side by side.

>>> rng = np.random.default_rng(3)
>>> x = rng.standard_normal(300)
>>> m = 0.5 * x + rng.standard_normal(300)
>>> d = pd.DataFrame({"x": x, "m": m, "y": 0.4 * m + rng.standard_normal(300)})
>>> flags = pd.DataFrame({"n_evidence": (rng.random(300) < 0.1).astype(int)})
>>> tab = flag_sensitivity(d, flags, "m ~ a*x\\ny ~ b*m\\nind := a*b")
>>> tab.columns.tolist()[:6]
['lhs', 'op', 'rhs', 'label', 'est_all', 'se_all']
>>> bool((tab["n_without"] < tab["n_all"]).all()), tab.loc[tab["label"] == "b", "op"].item()
(True, '~')
"""

from __future__ import annotations

import warnings
from typing import Sequence

import numpy as np
import pandas as pd

from ..errors import IURSurveyError
from .api import sem

__all__ = ["flag_sensitivity", "KEY_OPS", "SensitivityWarning"]

#: the rows of the parameter table the comparison keeps: regressions and defined effects
KEY_OPS = ("~", ":=")
#: how the two fits are named in the warnings
FIT_NAMES = {"all": "the fit to all analysed respondents", "without": "the fit without the flagged respondents"}


class SensitivityWarning(UserWarning):
    """One of the two fits of :func:`flag_sensitivity` did not converge or warned (an improper solution...)."""


def flag_sensitivity(clean: pd.DataFrame, flags: pd.DataFrame, model: str | None = None, *,
                     rules: Sequence[str] | None = None, min_flags: int = 1, estimator: str = "ML",
                     missing: str = "auto") -> pd.DataFrame:
    """Key paths and indirect effects with and without the flagged-but-kept respondents.

    ``clean``: the analysed sample (``CleanResult.clean``); ``flags``: its flags
    (``CleanResult.flags`` or ``flags.csv``: ``response_id``, a 0/1 column per index rule
    and ``n_evidence``, same rows in the same order).  By default a respondent counts as
    flagged when an evidence group of the cleaning's decision counts against them
    (``n_evidence >= 1``: one more and they would have been excluded; single noisy
    inconsistency flags below the group's quorum do not count).  With ``rules`` given: when
    at least ``min_flags`` of those index columns flagged them.  ``model``:
    lavaan syntax, given by the caller.

    Returns one row per regression (``~``) and defined parameter (``:=``, the indirect
    and total effects): ``lhs op rhs label``, ``est_all se_all pvalue_all`` (everyone
    analysed), ``est_without se_without pvalue_without`` (flagged respondents left out),
    ``diff`` (without - all), ``diff_se_units`` (``diff / se_all``), ``sign_change``,
    ``significance_change`` (at .05), ``n_all``, ``n_without``.  A fit that did not converge
    leaves its columns empty, and the change columns with them (``<NA>``, not False); its warnings and those of a fit that did (negative variances, a
    covariance matrix not positive definite...) are in ``attrs["warnings"]``, each also raised
    as a :class:`SensitivityWarning`: a table to read with them, or not at all.
    """
    if len(flags) != len(clean) or ("response_id" in flags and "response_id" in clean
                                    and not (flags["response_id"].astype(str).to_numpy()
                                             == clean["response_id"].astype(str).to_numpy()).all()):
        raise IURSurveyError(None, "the flags do not belong to this clean data (rows or response ids differ)")
    if rules is None and "n_evidence" in flags.columns:
        flagged = flags["n_evidence"].to_numpy() >= 1
    else:
        meta = {"response_id", "row", "n_flags", "n_evidence"}
        cols = [c for c in flags.columns if c not in meta] if rules is None else list(rules)
        unknown = [c for c in cols if c not in flags.columns]
        if unknown:
            raise IURSurveyError(None, f"no flag column {', '.join(unknown)}")
        hits = flags[cols].to_numpy(dtype=float).sum(axis=1) if cols else np.zeros(len(flags))
        flagged = hits >= min_flags
    if flagged.all():
        raise IURSurveyError(None, "every analysed respondent is flagged: nothing is left to compare with")
    if not model:
        raise IURSurveyError(None, "flag_sensitivity(): give the model (lavaan syntax)")
    syntax = model
    data = clean.reset_index(drop=True)
    # warn=False: each fit's warnings are raised below as SensitivityWarning, naming the fit
    fits = {"all": sem(syntax, data, estimator=estimator, missing=missing, warn=False),
            "without": sem(syntax, data.loc[~flagged].reset_index(drop=True), estimator=estimator, missing=missing,
                           warn=False)}
    parts, notes = [], []
    for name, res in fits.items():
        who = FIT_NAMES[name]
        pe = res.parameter_estimates(standardized=False)
        pe = pe[pe["op"].isin(KEY_OPS)][["lhs", "op", "rhs", "label", "est", "se", "pvalue"]].copy()
        if not getattr(res, "converged", True):
            pe[["est", "se", "pvalue"]] = np.nan
            notes.append(f"{who} did not converge: its columns are empty")
        notes.extend(f"{who}: {w}" for w in getattr(res, "warnings", None) or [])
        parts.append(pe.rename(columns={c: f"{c}_{name}" for c in ("est", "se", "pvalue")}))
    out = parts[0].merge(parts[1], on=["lhs", "op", "rhs", "label"], how="left", sort=False)
    out["diff"] = out["est_without"] - out["est_all"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["diff_se_units"] = out["diff"] / out["se_all"]
    both = out["est_without"].notna() & out["est_all"].notna()
    # a row without both estimates (a fit that did not converge) has no answer: empty (<NA>), not False
    out["sign_change"] = (np.sign(out["est_without"]) != np.sign(out["est_all"])).astype("boolean").mask(~both)
    out["significance_change"] = (((out["pvalue_without"] < 0.05) != (out["pvalue_all"] < 0.05))
                                  .astype("boolean").mask(~both))
    out["n_all"] = len(data)
    out["n_without"] = int((~flagged).sum())
    out = out.reset_index(drop=True)
    out.attrs["warnings"] = notes
    for n in notes:
        warnings.warn("flag_sensitivity: " + n, SensitivityWarning, stacklevel=2)
    return out
