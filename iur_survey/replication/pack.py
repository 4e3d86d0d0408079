"""Build a replication pack from a fit: data, model, our tables, an R script that refits and compares.

:func:`build_pack` reads the ``results.json`` of ``iur-survey fit``, finds the
data, the model syntax and the options (from its ``call`` block when present;
otherwise from ``data=`` / ``model=`` / ``group=`` / ``group_equal=`` and by
inference: the study's default model when its parameters are exactly those of
the results, the group column whose values are the result's groups, the
``group.equal`` classes from the shared ``.pN.`` labels), **refits with our
engine and refuses to build a pack whose refit does not reproduce the
results**, then writes into the pack directory:

* ``data.csv``     the model's observed variables (+ the group column) only -- no ids, no
  metadata, nothing personal; rows without a group value are dropped (the fit drops them too);
* ``model.lav``    the lavaan syntax fitted;
* ``ours.json``    our tables (parameter estimates with standardized columns, every fit
  measure, R2), the options, and the tolerances of the comparison;
* ``results.json`` the original results file, its file paths cut to file names (a folder such as
  ``/home/<user>/...`` names its author); everything else unchanged, the original's sha256 in README.md;
* ``measurement.lav`` (``fit --invariance``, ML / MLR) the measurement part, which replicate.R refits with
  ``cfa(..., group.equal =)`` for each step; or ``invariance/<step>.lav`` (the ordinal sequence, WLSMV) the
  complete lavaan syntax of each step (Wu & Estabrook 2016, as semTools' ``measEq.syntax``), which replicate.R
  fits with ``lavaan()`` and the options of the package's fits; the difference tests with ``lavTestLRT()`` and
  the method results.json names (:func:`iur_survey.sem.compare.lavtestlrt_args`);
* ``replicate.R``  see :mod:`iur_survey.replication.rscript`;
* ``environment.lock``, ``README.md``, and ``MANIFEST.sha256`` (``sha256sum -c`` format).

Tolerances (the project's lavaan proof): estimates and standardized values
1e-4 absolute plus 1e-3 of lavaan's SE (its optimizer's own precision in a flat
likelihood), standard errors 0.5% relative, CI limits and p values what
those imply, fit measures max(1e-3, 1e-4 x |value|), R2 1e-4.  With bootstrap
standard errors lavaan draws other resamples, so SEs and CIs are compared
within the Monte Carlo error of two independent runs (:func:`tolerances`).
The standardized solution's inference (results.json's ``std.all.se`` ``std.all.z``
``std.all.pvalue`` ``std.all.ci.lower`` ``std.all.ci.upper``, lavaan's
``standardizedSolution(fit)``) is compared too, its tolerance scaled as that of
``std.all`` and ``se`` (a bootstrap fit's: on the bootstrap covariance, as lavaan).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import IURSurveyError
from ..sem.defined import fixed_labels_in_definitions, lavaan_fixed_label_syntax
from ..sem.table import is_fiml, keeps_x_rows
from ..sem.invariance import measurement_part
from ..sem.results import json_number, missing_words, require_converged
from ..sem.results_file import load_results_file
from .environment import environment_lock
from .manifest import MANIFEST, sha256_file, write_manifest
from .rscript import replicate_script, sem_call

__all__ = ["FitCall", "ReplicationPack", "build_pack", "resolve_call", "tolerances", "PACK_FILES"]

PACK_FILES = ("data.csv", "model.lav", "ours.json", "results.json", "replicate.R", "environment.lock",
              "README.md", MANIFEST)
#: fit measures every comparison must include
#: Monte Carlo SDs of the difference of two bootstrap runs that a bootstrap SE or CI limit may differ from lavaan's
#: by (100-800 rows are compared at once: P(|z| > 4.5) = 7e-6 per row)
BOOT_Z = 4.5
FIT_REQUIRED = ("npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper",
                "srmr", "logl", "aic", "bic")
_GE_CLASSES = ("loadings", "intercepts", "means", "thresholds", "regressions", "residuals",
               "residual.covariances", "lv.variances", "lv.covariances")


@dataclass
class FitCall:
    """What produced a results.json: data file, model syntax, options."""

    data_path: Path
    data_sha256: str | None
    syntax: str
    model_source: str
    options: dict[str, Any]
    inferred: list[str] = field(default_factory=list)      # what was not recorded but inferred


@dataclass
class ReplicationPack:
    """A written pack: its directory, files, the fit call and our refit."""

    directory: Path
    files: list[str]
    call: FitCall
    result: Any            # the SEMResult of the refit

    def __repr__(self) -> str:
        return f"<ReplicationPack {self.directory} ({len(self.files)} files)>"


def _err(path, msg: str) -> IURSurveyError:
    return IURSurveyError(path, msg)


def _key(e: Mapping[str, Any]) -> tuple:
    op = e["op"]
    g = e.get("group")
    return (e["lhs"], op, "" if op == ":=" else e["rhs"], "" if (op == ":=" or g is None) else str(g))


def _infer_group_equal(estimates: list[Mapping[str, Any]]) -> list[str]:
    """lavaan ``group.equal`` classes from automatic ``.pN.`` labels shared by several groups."""
    lvs = {e["lhs"] for e in estimates if e["op"] == "=~"}
    seen: dict[str, set] = {}
    for e in estimates:
        lab = str(e.get("label") or "")
        if lab.startswith(".p") and lab.endswith("."):
            seen.setdefault(lab, set()).add(str(e.get("group")))
    shared = {lab for lab, gs in seen.items() if len(gs) > 1}
    out = set()
    for e in estimates:
        if str(e.get("label") or "") not in shared:
            continue
        op, lhs, rhs = e["op"], e["lhs"], e["rhs"]
        if op == "=~":
            out.add("loadings")
        elif op == "~":
            out.add("regressions")
        elif op == "~1":
            out.add("means" if lhs in lvs else "intercepts")
        elif op == "|":
            out.add("thresholds")
        elif op == "~~":
            lv = lhs in lvs
            out.add(("lv.variances" if lv else "residuals") if lhs == rhs else
                    ("lv.covariances" if lv else "residual.covariances"))
    return [c for c in _GE_CLASSES if c in out]


def resolve_call(results: Mapping[str, Any], results_path: str | Path | None = None, *,
                 data: str | Path | None = None, model: str | Path | None = None, group: str | None = None,
                 group_equal: Sequence[str] | None = None) -> FitCall:
    """Data path, syntax and options of the fit behind ``results`` (see the module docstring).

    Explicit arguments override what results.json records.  ``model`` is a path to a
    lavaan syntax file.
    """
    call = results.get("call") or {}
    rec_data = call.get("data") or {}
    rec_model = call.get("model") or {}
    rec_opt = dict(call.get("options") or {})
    inferred: list[str] = []
    base = Path(results_path).resolve().parent if results_path else Path.cwd()

    # ---- data
    if data is not None:
        data_path = Path(data)
    elif rec_data.get("path"):
        data_path = Path(rec_data["path"])
        if not data_path.is_absolute() and not data_path.exists():
            data_path = base / data_path
    else:
        raise _err(results_path, "results.json does not record its data file (no call.data.path): "
                                 "give the data with --data DATA.csv")
    if not data_path.is_file():
        raise _err(data_path, "the data file is not there")
    sha = rec_data.get("sha256")
    if sha and data is None and sha256_file(data_path) != sha:
        raise _err(data_path, "the data file changed since the fit (its sha256 differs from results.json's "
                              "call.data.sha256)")
    # ---- model
    if model is not None:
        syntax = Path(model).read_text(encoding="utf-8")
        source = str(model)
    elif rec_model.get("syntax"):
        syntax = rec_model["syntax"]
        source = rec_model.get("source") or "<results.json call.model>"
    else:
        syntax, source = _default_if_matching(results, results_path)
        inferred.append("model: the study's default model (its parameters are exactly those of results.json)")
    # ---- options
    opts = {"estimator": str(rec_opt.get("estimator") or results.get("estimator") or "ML").upper(),
            "missing": rec_opt.get("missing") or results.get("missing") or "auto",
            "group": rec_opt.get("group"), "group_equal": list(rec_opt.get("group_equal") or []),
            "group_partial": list(rec_opt.get("group_partial") or []),
            "se": rec_opt.get("se"), "information": rec_opt.get("information"),
            "bootstrap": rec_opt.get("bootstrap"),
            "ordered": rec_opt.get("ordered") or results.get("ordered") or None,
            "merge_groups": dict(rec_opt.get("merge_groups") or results.get("groups_merged") or {})}
    par = rec_opt.get("parameterization") or (results.get("invariance_info") or {}).get("parameterization")
    if opts["ordered"] and par and par != "delta":      # ordered items: lavaan's parameterization (theta)
        opts["parameterization"] = par
    # the missing-data method actually used is what results.json reports
    if results.get("missing") in ("fiml", "ml.x", "listwise", "pairwise"):      # (WLSMV's "auto" is pairwise)
        opts["missing"] = results["missing"]
    if is_fiml(opts["missing"]):             # lavaan's names and ours: "fiml" or "ml.x" (rows missing an x kept)
        opts["missing"] = "ml.x" if keeps_x_rows(opts["missing"]) else "fiml"
    if not opts["bootstrap"] and isinstance(results.get("bootstrap"), Mapping):
        b = results["bootstrap"]           # the fit's bootstrap block (iur_survey.sem.bootstrap)
        opts["bootstrap"] = {"R": int(b.get("B") or b.get("R") or 1000), "seed": b.get("seed"),
                             "ci": b.get("ci") or "percentile", "level": b.get("level", 0.95)}
        opts["se"] = "bootstrap"
    if group is not None:
        opts["group"] = group
    if group_equal is not None:
        opts["group_equal"] = list(group_equal)
    groups = results.get("groups")
    if groups and not opts["group"]:
        opts["group"] = _infer_group_column(data_path, list(groups), results_path, opts["merge_groups"])
        inferred.append(f"group: column {opts['group']!r} (its values are the results' groups)")
    if groups and group_equal is None and not rec_opt.get("group_equal"):
        opts["group_equal"] = _infer_group_equal(results.get("estimates") or [])
        if opts["group_equal"]:
            inferred.append("group.equal: " + ", ".join(opts["group_equal"]) + " (shared .pN. labels)")
    return FitCall(data_path=data_path, data_sha256=sha or sha256_file(data_path), syntax=syntax,
                   model_source=source, options=opts, inferred=inferred)


def _default_if_matching(results: Mapping[str, Any], results_path) -> tuple[str, str]:
    from ..study import default_model
    from ..sem.partable import build_partable
    from ..sem.syntax import parse_model

    syntax = default_model()
    pt = build_partable(parse_model(syntax))

    def shape(lhs, op, rhs) -> tuple | None:
        # what defines the model: loadings, regressions, covariances between variables, defined parameters
        # (variances, intercepts, thresholds and scale factors follow from the estimator and options)
        if op in ("=~", "~") or (op == "~~" and lhs != rhs):
            return (lhs, op, rhs)
        return (lhs, op, "") if op == ":=" else None
    ours = {shape(pt.lhs[i], pt.op[i], pt.rhs[i]) for i in range(len(pt))} - {None}
    theirs = {shape(e["lhs"], e["op"], e["rhs"]) for e in results.get("estimates") or []} - {None}
    if ours != theirs:
        raise _err(results_path, "results.json does not record its model (no call.model.syntax) and it is not "
                                 "the study's default model: give the syntax with --model FILE.lav")
    return syntax, "<default model>"


def _merge(values: pd.Series, mapping: Mapping[str, str]) -> pd.Series:
    """Group labels after the fit's ``--merge-groups`` (``{from: into}``)."""
    if not mapping:
        return values
    return values.map(lambda v: mapping.get(str(v), v) if pd.notna(v) else v)


def _infer_group_column(data_path: Path, labels: list[str], results_path, merge: Mapping[str, str]) -> str:
    head = pd.read_csv(data_path, dtype=str)
    want = set(map(str, labels))
    hits = [c for c in head.columns if set(_merge(head[c], merge).dropna().unique()) == want]
    if len(hits) != 1:
        raise _err(results_path, "results.json has several groups but does not record the group column"
                                 + (f" (candidates: {', '.join(hits)})" if hits else "") + ": give --group COLUMN")
    return hits[0]


def tolerances(options: Mapping[str, Any]) -> dict[str, Any]:
    """The tolerances replicate.R applies (see the module docstring).

    Estimates: ``est_abs`` plus ``est_se`` (1e-3) of lavaan's SE -- where the likelihood is flat (a small group)
    lavaan's optimizer stops that far from the optimum (4e-4 SE measured), far below any inference.

    A bootstrap fit is compared with lavaan's own bootstrap, other draws: the SEs and percentile limits of the
    two runs differ by sqrt(2) times the Monte Carlo SD of one run, and each is allowed ``boot_z`` (4.5) of
    those SDs (many rows are compared at once).  Here the normal-theory floor (SD of an SD from B draws:
    SE / sqrt(2B); of a 2.5 % quantile: sqrt(.025 x .975 / B) / phi(1.96) SE); replicate.R widens it row by row
    with the kurtosis and the density of lavaan's draws.

    >>> t = tolerances({"bootstrap": None})
    >>> t["est_abs"], t["est_se"], t["se_rel"], t["fit_abs"], t["fit_rel"]
    (0.0001, 0.001, 0.005, 0.001, 0.0001)
    >>> t = tolerances({"bootstrap": {"R": 1000}})
    >>> round(t["se_rel"], 4), round(t["ci_se"], 3), t["boot_z"]       # 4.5 / sqrt(B)
    (0.1423, 0.538, 4.5)
    """
    t = {"est_abs": 1e-4, "std_abs": 1e-4, "est_se": 1e-3, "se_rel": 0.005, "se_abs": 1e-6, "pvalue_abs": 1e-4,
         "fit_abs": 1e-3, "fit_rel": 1e-4, "r2_abs": 1e-4, "fit_required": list(FIT_REQUIRED)}
    boot = options.get("bootstrap")
    if boot:
        B = int(boot.get("R") or boot.get("B") or 1000)
        z = BOOT_Z * math.sqrt(2.0)                        # two independent runs
        t["boot_z"] = BOOT_Z
        t["se_rel"] = z / math.sqrt(2.0 * B)              # MC SD of an SD from B (normal) draws: 1 / sqrt(2B)
        # MC SD of a 2.5% / 97.5% quantile of B normal draws, in units of the SE
        from scipy.stats import norm
        t["ci_se"] = float(z * math.sqrt(0.025 * 0.975 / B) / norm.pdf(norm.ppf(0.975)))
        t["bootstrap_draws"] = B
        # lavaan's "bca" estimates the acceleration otherwise (and needs B >= N): CIs not compared then
        t["ci_compare"] = (boot.get("ci") or "percentile") in ("percentile", "perc", "bca.simple")
    else:
        t["ci_se"] = 1.959963984540054 * t["se_rel"]
    return t


def refit(call: FitCall):
    """Fit again what results.json's call records (data file, model, options): ``(result, data)``."""
    from ..sem import sem

    try:
        data = pd.read_csv(call.data_path, dtype={"response_id": str})
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise _err(call.data_path, f"cannot read the data as CSV: {exc}") from None
    o = call.options
    if o.get("group") and o.get("merge_groups"):
        if o["group"] not in data.columns:
            raise _err(call.data_path, f"group column {o['group']!r} is not in the data")
        data[o["group"]] = _merge(data[o["group"]], o["merge_groups"])
    kw: dict[str, Any] = {"estimator": o["estimator"], "missing": o["missing"], "group": o["group"],
                          "group_equal": o["group_equal"] or ()}
    if o.get("ordered"):
        kw["ordered"] = o["ordered"]
        if o.get("parameterization"):      # theta (the refit was delta, and refused)
            kw["parameterization"] = o["parameterization"]
    if o.get("group_partial"):
        kw["group_partial"] = o["group_partial"]
    if o.get("se") and o["se"] != "bootstrap":
        kw["se"] = o["se"]
    if o.get("information"):
        kw["information"] = o["information"]
    # warn=False: the refit's warnings are the recorded fit's (results.json "warnings"), compared, not re-raised
    return sem(call.syntax, data, source=call.model_source, warn=False, **kw), data


def check_consistent(res, results: Mapping[str, Any], call: FitCall, results_path) -> None:
    """The refit must reproduce results.json (estimates, SEs unless bootstrap, n)."""
    mine = {_key(e): e for e in res.to_dict()["estimates"]}
    theirs = results.get("estimates") or []
    problems = []
    if int(results.get("n", res.n)) != res.n:
        problems.append(f"n {results.get('n')} in results.json, {res.n} in the refit")
    missing = [k for k in map(_key, theirs) if k not in mine]
    if missing or len(mine) != len(theirs):
        problems.append(f"{len(theirs)} parameters in results.json, {len(mine)} in the refit"
                        + (f" (e.g. {' '.join(missing[0][:3])} not in the refit)" if missing else ""))
    worst = (0.0, None)
    cols = ("est",) if call.options.get("bootstrap") else ("est", "se")
    for e in theirs:
        m = mine.get(_key(e))
        if m is None:
            continue
        for c in cols:
            a, b = e.get(c), m.get(c)
            if a is None and b is None:
                continue
            if a is None or b is None:
                d = math.inf
            else:
                d = abs(float(a) - float(b)) / (1.0 + abs(float(a)))
            if d > worst[0]:
                worst = (d, f"{e['lhs']} {e['op']} {e['rhs']} {c}: results.json {a}, refit {b}")
    if worst[0] > 1e-6:
        problems.append(worst[1])
    if problems:
        raise _err(results_path, "refitting with our engine does not reproduce results.json -- the data, model "
                                 "or options differ (or the engine changed: re-run `iur-survey fit`): "
                                 + "; ".join(problems))


def _ours(res, results: Mapping[str, Any], call: FitCall) -> dict[str, Any]:
    pe = res.parameter_estimates()
    labels = res.partable.group_labels
    rows = []
    for r in pe.to_dict("records"):
        g = r.get("group")
        row = {"lhs": r["lhs"], "op": r["op"], "rhs": r["rhs"],
               "group": (labels[int(g) - 1] if g else None) if "group" in pe.columns else None,
               "label": r["label"]}
        for c in ("est", "se", "z", "pvalue", "ci.lower", "ci.upper", "std.lv", "std.all"):
            row[c] = json_number(r[c])
        rows.append(row)
    if call.options.get("bootstrap"):
        boot = {_key(e): e for e in results.get("estimates") or []}
        for row in rows:
            e = boot.get(_key(row))
            if e:
                for c in ("se", "z", "pvalue", "ci.lower", "ci.upper"):
                    if c in e:
                        row[c] = e[c]
    _add_std_all_inference(rows, res, results, call)
    r2 = res.r2()
    if isinstance(r2.index, pd.MultiIndex):
        r2_rows = [{"group": str(g), "variable": v, "r2": json_number(x)} for (g, v), x in r2.items()]
    else:
        r2_rows = [{"group": None, "variable": v, "r2": json_number(x)} for v, x in r2.items()]
    tol = tolerances(call.options)
    fit = {k: json_number(v) for k, v in res.fit_measures().items()}
    tol["fit_required"] = [k for k in tol["fit_required"] if fit.get(k) is not None]
    out = _ours_base(res, call, rows, r2_rows, fit, tol)
    if isinstance(results.get("group_path_tests"), Mapping):
        # the Wald tests of equal paths across groups (our numbers, from results.json): replicate.R recomputes them
        # with lavTestWald
        out["group_path_tests"] = results["group_path_tests"]
    if results.get("invariance"):
        # the invariance sequence of `fit --invariance` (our numbers, from results.json): replicate.R refits it,
        # each step with the parameters group.partial (--free) freed in it
        out["invariance"] = [{"step": s["step"], "group_equal": list(s.get("group_equal") or []),
                              "group_partial": list(s.get("group_partial") or []),
                              "converged": s.get("converged"), "fit": s.get("fit") or {}, "test": s.get("test")}
                             for s in results["invariance"]]
    return out


def _add_std_all_inference(rows: list[dict[str, Any]], res, results: Mapping[str, Any], call: FitCall) -> None:
    """``std.all.se`` ``std.all.z`` ``std.all.pvalue`` ``std.all.ci.lower`` ``std.all.ci.upper`` (lavaan's
    ``standardizedSolution(fit)``) into ``rows``: results.json's, as reported (a bootstrap fit's are on its
    bootstrap covariance, which the refit has not), so that replicate.R checks the numbers we published; where
    results.json has none (an older file), the refit's, unless bootstrap: then none, and replicate.R says it."""
    from ..sem.results import SEMResult
    cols = tuple(SEMResult.STD_ALL_JSON.values())
    given = {_key(e): e for e in results.get("estimates") or []}
    mine = ({} if call.options.get("bootstrap") else {_key(e): e for e in res.to_dict()["estimates"]})
    for row in rows:
        e = given.get(_key(row))
        src = e if e is not None and any(c in e for c in cols) else mine.get(_key(row))
        if src is not None:
            for c in cols:
                row[c] = src.get(c)


def is_ordinal_invariance(results: Mapping[str, Any]) -> bool:
    """Does results.json hold the ordinal (Wu & Estabrook 2016, WLSMV) invariance sequence?

    >>> is_ordinal_invariance({"invariance": [{}], "invariance_info": {"identification": "Wu.Estabrook.2016 (std.lv, delta)"}})
    True
    >>> is_ordinal_invariance({"invariance": [{}], "invariance_info": {"estimator": "MLR"}})
    False
    """
    info = results.get("invariance_info") or {}
    return bool(results.get("invariance")) and (str(info.get("identification") or "").startswith("Wu.Estabrook")
                                                or info.get("estimator") == "WLSMV")


def _invariance_plan(results: Mapping[str, Any], call: FitCall, frame: pd.DataFrame, res, results_path):
    """What replicate.R needs of the invariance sequence (:func:`~iur_survey.replication.rscript.replicate_script`'s
    ``invariance``) and, for the ordinal sequence, each step's lavaan syntax (``{file: text}``)."""
    from ..sem.compare import lavtestlrt_args
    steps = results["invariance"]
    lrt = []
    for s in steps:
        meth = (s.get("test") or {}).get("method")
        try:
            lrt.append(lavtestlrt_args(meth) if s.get("test") else {})
        except ValueError as exc:
            raise _err(results_path, f"invariance step {s.get('step')!r}: {exc}") from None
    plan: dict[str, Any] = {"lrt": lrt, "fitted": [any(v is not None for v in (s.get("fit") or {}).values())
                                                   for s in steps]}
    texts: dict[str, str] = {}
    if is_ordinal_invariance(results):
        from ..sem.wlsmv_invariance import WE_STEPS, we_lavaan_syntaxes
        info = results.get("invariance_info") or {}
        par = info.get("parameterization") or call.options.get("parameterization") or "delta"
        group = info.get("group") or call.options.get("group")
        unknown = [s["step"] for s in steps if s["step"] not in WE_STEPS]
        if unknown or not group:
            raise _err(results_path, "the ordinal invariance sequence of results.json has "
                       + (f"unknown steps ({', '.join(unknown)})" if unknown else "no group column"))
        mpart = measurement_part(call.syntax)
        syn = we_lavaan_syntaxes(mpart, frame, group, par, steps=[s["step"] for s in steps],
                                 group_partial=info.get("group_partial") or ())     # --free (group.partial)
        from ..sem.partable import build_partable
        items = list(build_partable(mpart, meanstructure=True).ov_names[0])
        plan["files"] = [f"invariance/{s['step']}.lav" for s in steps]
        plan["ordinal"] = {"ordered": items, "parameterization": par, "group": group,
                           "missing": info.get("missing") or res.missing}
        texts = {f: syn[s["step"]] for f, s in zip(plan["files"], steps)}
    return plan, texts


def _ours_base(res, call: FitCall, rows, r2_rows, fit, tol) -> dict[str, Any]:
    return {"source": "iur-survey (refit of results.json with the data and model of this pack)",
            "n": int(res.n), "converged": bool(res.converged), "warnings": list(res.warnings),
            "options": call.options, "lavaan_call": sem_call(call.options),
            "tolerances": tol, "estimates": rows, "fit": fit, "r2": r2_rows}


def _readme(call: FitCall, ours: Mapping[str, Any], n_rows: int, columns: list[str],
            inv_files: Sequence[str] = (), results_sha256: str = "", pinned: Sequence[str] = ()) -> str:
    o = call.options
    t = ours["tolerances"]
    boot = (f"\nStandard errors are bootstrap ({t.get('bootstrap_draws')} draws): lavaan draws other resamples, "
            f"so SEs are compared within {100 * t['se_rel']:.1f}% and CI limits within {t['ci_se']:.2f} SE, or "
            f"{t['boot_z']:g} Monte Carlo SDs of the difference of two runs from the kurtosis and density of "
            "lavaan's draws when that is more.\n" if o.get("bootstrap") else "")
    inferred = ("\nNot recorded in results.json, inferred when the pack was built (and confirmed by refitting):\n"
                + "".join(f"- {x}\n" for x in call.inferred)) if call.inferred else ""
    src = call.model_source if call.model_source.startswith("<") else Path(call.model_source).name
    how = missing_words(o["missing"])
    if o.get("group"):
        how += f"; groups by `{o['group']}`"
    if o.get("group_equal"):
        how += "; group.equal = " + ", ".join(o["group_equal"])
    if o.get("group_partial"):
        how += "; group.partial (freed from group.equal) = " + ", ".join(o["group_partial"])
    if o.get("merge_groups"):
        how += ("; groups merged before the fit (data.csv holds the merged labels): "
                + ", ".join(f"{a} -> {b}" for a, b in o["merge_groups"].items()))
    if o.get("ordered"):
        how += "; items treated as ordinal (lavaan ordered =)"
    if inv_files:
        inv_row = "".join(f"\n| {f} | the lavaan syntax of the ordinal invariance step {Path(f).stem} (Wu & Estabrook "
                          "2016, as semTools' measEq.syntax), refitted with lavaan(..., ordered =, parameterization "
                          "=, estimator = \"WLSMV\", group =) and compared (fit measures; lavTestLRT against the "
                          "step before) |" for f in inv_files)
    else:
        inv_row = ("\n| measurement.lav | the measurement part of model.lav: the invariance steps (configural, "
                   "metric, ...) are refitted on it with cfa() and compared |" if ours.get("invariance") else "")
    paths_eq = ("" if not ours.get("group_path_tests") else
                "\nThe Wald tests that each structural path is equal in every group (results.json's group_path_tests: "
                "per path, Holm, joint) are recomputed by lavTestWald() with the same constraints: the fit measures' "
                f"tolerance plus {2 * t['se_rel']:g} of the statistic (what the SE tolerance implies); not with "
                "bootstrap SEs.")
    pin_note = ("" if not pinned else
                f", written for lavaan: its := definitions use the label of a fixed parameter ({', '.join(pinned)}), "
                "which lavaan 0.6.14 refuses (\"non-free parameter(s) in variable definition(s)\"), so the "
                "parameter is free there and pinned at its value by ==, the same model and numbers")
    return f"""# Replication pack

A structural equation model fitted with iur-survey's engine, packed so that anyone with R can refit it
with lavaan and check every number we report.

## Verify

```sh
sha256sum -c MANIFEST.sha256     # the files are those we packed
Rscript replicate.R              # refit with lavaan, compare; prints PASS/FAIL per table, exit status 0 = all pass
```

`replicate.R` needs R (>= 4.2) with the packages lavaan (made against 0.6.14) and jsonlite. It writes lavaan's
tables to `lavaan/` (estimates.csv, fit.csv, r2.csv, lavaan.json) and compares them with `ours.json`.

## Contents

| file | what |
|---|---|
| data.csv | {n_rows} rows, columns {", ".join(columns)} (the model's variables{" and the group column" if o.get("group") else ""} only) |
| model.lav | the lavaan model syntax fitted ({src}){pin_note} |{inv_row}
| ours.json | our tables: parameterEstimates(standardized = TRUE), fitMeasures, R-squared; options; tolerances |
| results.json | the original output of `iur-survey fit`, its file paths cut to file names (the original's sha256: {results_sha256}) |
| replicate.R | the lavaan refit and the comparison |
| environment.lock | Python, platform, pip freeze of the environment that made ours.json; R/lavaan wanted |
| MANIFEST.sha256 | sha256 of every file above |

## The fit

`{ours["lavaan_call"]}` -- n = {ours["n"]}, estimator {o["estimator"]}, missing data: {how}.
{inferred}
## Tolerances

Estimates and standardized estimates: {t["est_abs"]:g} absolute plus {t.get("est_se", 0):g} x lavaan's SE (the
precision of lavaan's optimizer where the likelihood is flat); standard errors: {100 * t["se_rel"]:g}% relative;
CI limits and p values: what those imply; the standardized solution's se (z, p, CI: standardizedSolution(fit)):
{100 * t["se_rel"]:g}% relative and what that implies; fit measures: max({t["fit_abs"]:g}, {t["fit_rel"]:g} x |value|);
R-squared: {t["r2_abs"]:g} absolute.{paths_eq}
{boot}"""


def without_folders(results: dict) -> dict:
    """``results`` with the file paths of its ``call`` (data, model source, instrument, the command line's
    arguments) cut to their file names: the folders on the author's machine are not shared.

    >>> r = {"call": {"data": {"path": "/home/ann/study/clean.csv"}, "argv": ["fit", "/home/ann/study/clean.csv"],
    ...               "options": {"instrument": None}}, "n": 3}
    >>> without_folders(r)["call"]
    {'data': {'path': 'clean.csv'}, 'argv': ['fit', 'clean.csv'], 'options': {'instrument': None}}
    >>> r["call"]["data"]["path"]                       # the argument is not changed
    '/home/ann/study/clean.csv'
    """
    import copy

    def name(v):
        return Path(v).name if isinstance(v, str) and ("/" in v or "\\" in v) else v

    out = copy.deepcopy(results)
    call = out.get("call")
    if not isinstance(call, dict):
        return out
    for key, sub in (("data", "path"), ("model", "source"), ("options", "instrument")):
        if isinstance(call.get(key), dict) and sub in call[key]:
            call[key][sub] = name(call[key][sub])
    if isinstance(call.get("argv"), list):
        call["argv"] = [name(a) for a in call["argv"]]
    return out


def build_pack(results_path: str | Path, out_dir: str | Path, *, data: str | Path | None = None,
               model: str | Path | None = None, group: str | None = None,
               group_equal: Sequence[str] | None = None, r_versions: bool = True) -> ReplicationPack:
    """Write the replication pack of ``results_path`` into ``out_dir`` (see the module docstring).

    ``out_dir`` must be absent, empty, or a previous pack (it is replaced).  Returns a
    :class:`ReplicationPack`.  ``r_versions=False`` does not ask the local R for its versions.
    """
    results_path = Path(results_path)
    results = load_results_file(results_path)       # checked once, as tables / diagram / power read it
    results.pop("_path", None)
    if "estimates" not in results:                  # (a fit that did not converge: refused just below)
        raise _err(results_path, "not the results.json of `iur-survey fit` (no estimates)")
    # never a pack of a fit that did not converge (lavaan's replicate.R would stop at its fit measures): the check
    # of `tables` / `diagram`
    require_converged({**results, "_path": str(results_path)}, "no replication pack of a fit that did not converge")
    out = Path(out_dir)
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MANIFEST).exists())):
        raise _err(out, "the output directory exists and is not a replication pack: choose a new or empty one")
    call = resolve_call(results, results_path, data=data, model=model, group=group, group_equal=group_equal)
    res, frame = refit(call)
    check_consistent(res, results, call, results_path)
    ours = _ours(res, results, call)

    cols = list(res.partable.ov_all())
    gcol = call.options.get("group")
    if gcol:
        cols.append(gcol)
        frame = frame.loc[frame[gcol].notna()]
    clean = frame[cols]
    inv_plan, inv_texts = (_invariance_plan(results, call, clean, res, results_path) if ours.get("invariance")
                           else (None, {}))

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        clean.to_csv(tmp / "data.csv", index=False, lineterminator="\n")
        # a := of a fixed parameter's label: lavaan refuses the syntax as written, and fits the same model with
        # the parameter free and pinned by == (lavaan_fixed_label_syntax)
        lav_syntax = lavaan_fixed_label_syntax(res.partable) or call.syntax
        (tmp / "model.lav").write_text(lav_syntax.rstrip("\n") + "\n", encoding="utf-8", newline="\n")
        if inv_texts:
            (tmp / "invariance").mkdir()
            for name, text in inv_texts.items():
                (tmp / name).write_text(text.rstrip("\n") + "\n", encoding="utf-8", newline="\n")
        elif ours.get("invariance"):
            (tmp / "measurement.lav").write_text(measurement_part(call.syntax).rstrip("\n") + "\n",
                                                 encoding="utf-8", newline="\n")
        (tmp / "ours.json").write_text(json.dumps(ours, indent=2, ensure_ascii=False) + "\n", encoding="utf-8",
                                       newline="\n")
        (tmp / "results.json").write_text(json.dumps(without_folders(results), indent=2, ensure_ascii=False) + "\n",
                                          encoding="utf-8", newline="\n")
        (tmp / "replicate.R").write_text(replicate_script(call.options, invariance=inv_plan), encoding="utf-8", newline="\n")
        os.chmod(tmp / "replicate.R", 0o755)
        (tmp / "environment.lock").write_text(environment_lock(data_sha256=call.data_sha256, r_found=r_versions),
                                              encoding="utf-8", newline="\n")
        (tmp / "README.md").write_text(_readme(call, ours, len(clean), cols, list(inv_texts),
                                               sha256_file(results_path),
                                               pinned=list(fixed_labels_in_definitions(res.partable))),
                                       encoding="utf-8", newline="\n")
        write_manifest(tmp)
        os.chmod(tmp, 0o755)
        if out.exists():
            shutil.rmtree(out)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return ReplicationPack(directory=out, files=sorted(p.name for p in out.iterdir()), call=call, result=res)
