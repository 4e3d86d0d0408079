"""The book's pipeline runner: the whole analysis, run once and cached for the chapters.

Not a formatter (``report/`` formats) and not a results class (``sem/results.py`` and its kin are): it calls
read -> clean -> measure -> sem / pls in order and keeps what the chapters show.  It sits beside ``book.py``
(which calls it) and imports nothing from it (the book's settings are handed in).

:func:`prepare_results` runs the pipeline on the book's export (read -> clean -> CFA ->
structural model by FIML, MLR, listwise deletion and WLSMV) and pickles what the chapters show into
the work dir; :func:`load_results` gives the chapters that object (recomputing only when the
data, the instrument or the package's code changed).  Each step is a :class:`Step`:

``ok``       it ran; ``value`` holds its outputs (plain DataFrames, Series, dicts)
``pending``  its input is not there (no export at the data path, an earlier step that did not run;
             ``reason`` says what)
``failed``   it ran and the package raised an :class:`~iur_survey.errors.IURSurveyError` for
             this data (e.g. the model did not converge); ``reason`` is the message

Nothing is ever filled in for a step that did not run.  Any other exception propagates, so a
bug fails the book build loudly instead of hiding in a chapter.

>>> s = Step("pending", reason="needs the clean step, which is failed")
>>> s.ok, s.status
(False, 'pending')
"""

from __future__ import annotations

import hashlib
import os
import pickle
import platform
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from . import __version__
from . import resources
from .clean import clean, item_missing, missing_patterns
from .errors import EstimationError, IURSurveyError, NoRowsKeptError, TooFewRowsError, no_rows_kept_message
from .instrument import load_instrument
from .measure import ave, common_method, composite_reliability, cronbach_alpha, fornell_larcker, htmt
from .measure.reliability import IMPROPER_WARNING
from .pls import compare_with_cbsem, pls_sem
from .read import read_export, sha256_file
from .replication.rscript import fit_script
from .sem import cfa, sem
from .sem.bootstrap import bootstrap
from .sem.compare import wald_equal_paths
from .sem.syntax import group_specific_labels
from .sem.invariance import STEPS as INV_STEPS
from .sem.invariance import group_size_table, measurement_invariance, measurement_part, merge_groups
from .report.groups import invariance_summary
from .sem.mediation import bootstrap_effects
from .sem.parallel import show_progress
from .sem.results import require_converged_fit
from .study import default_model
from .sem.sensitivity import flag_sensitivity
from .sem.wlsmv_invariance import ordinal_invariance

#: the lavaan release the package's reference outputs (tests/reference/) were made with
LAVAAN_REFERENCE_VERSION = "0.6.14"
#: bump when the pickled layout changes
RESULTS_LAYOUT = 2
RESULTS_FILE = "results.pkl"

#: the steps, in pipeline order, and which earlier step each needs
STEPS = ("read", "clean", "cfa", "measure", "common_method", "sem", "sem_mlr", "sem_listwise", "sem_wlsmv",
         "bootstrap", "invariance", "invariance_ordinal", "group_paths", "pls")
NEEDS = {"clean": "read", "cfa": "clean", "measure": "clean", "common_method": "cfa", "sem": "clean",
         "sem_mlr": "clean", "sem_listwise": "clean", "sem_wlsmv": "clean", "bootstrap": "sem",
         "invariance": "clean", "invariance_ordinal": "invariance", "group_paths": "invariance", "pls": "sem"}

#: the book's random-number settings (environment variable, default): the seed of every resampling step
#: (bootstrap of chapter 6, PLS bootstrap of chapter 8) and the number of bootstrap draws (the demo book
#: uses the default; tests may ask for fewer)
ENV_SEED, DEFAULT_SEED = "IUR_SURVEY_SEED", 2022
ENV_BOOTSTRAP_B, DEFAULT_BOOTSTRAP_B = "IUR_SURVEY_BOOTSTRAP_B", 1000


class Pending(Exception):
    """Raised inside a step when its input is not there (no export at the data path, an earlier step that
    did not produce what it needs)."""


@dataclass
class Step:
    """One step's outcome (see the module docstring)."""

    status: str
    value: Any = None
    reason: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass
class BookResults:
    """Everything the chapters show, keyed by step name."""

    key: str
    inputs_key: str
    data_path: str
    data_name: str
    instrument_path: str
    steps: dict[str, Step] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Step:
        return self.steps[name]

    def ok(self, *names: str) -> bool:
        """Whether every named step ran."""
        return all(self.steps[n].ok for n in names)

    def status_table(self) -> pd.DataFrame:
        """One row per step: status, seconds, reason."""
        return pd.DataFrame([{"step": k, "status": s.status, "seconds": round(s.seconds, 2), "reason": s.reason}
                             for k, s in self.steps.items()])


# ---------------------------------------------------------------------------- helpers
def code_fingerprint() -> str:
    """A hash of the package's source files (results are recomputed when the code changes)."""
    root = resources.package_dir()
    h = hashlib.sha256(str(RESULTS_LAYOUT).encode())
    for p in sorted(root.rglob("*.py")):
        h.update(p.relative_to(root).as_posix().encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def inputs_key(data: Path, instrument: Path) -> str:
    """A key of the inputs: the data and instrument contents."""
    parts = [sha256_file(data) if Path(data).is_file() else f"missing:{data}",
             sha256_file(instrument) if Path(instrument).is_file() else f"missing:{instrument}"]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def analysis_options(env=None) -> dict[str, int]:
    """The book's seed and number of bootstrap draws, from ``IUR_SURVEY_SEED`` and
    ``IUR_SURVEY_BOOTSTRAP_B`` (``os.environ`` by default), else the defaults.

    >>> analysis_options({}) == {"seed": DEFAULT_SEED, "bootstrap_B": DEFAULT_BOOTSTRAP_B}
    True
    >>> analysis_options({"IUR_SURVEY_BOOTSTRAP_B": "200", "IUR_SURVEY_SEED": "7"})
    {'seed': 7, 'bootstrap_B': 200}
    """
    env = os.environ if env is None else env
    seed = int(env.get(ENV_SEED) or DEFAULT_SEED)
    B = int(env.get(ENV_BOOTSTRAP_B) or DEFAULT_BOOTSTRAP_B)
    if B < 2:
        raise ValueError(f"{ENV_BOOTSTRAP_B}={B}: the bootstrap needs at least 2 draws")
    return {"seed": seed, "bootstrap_B": B}


#: how the book reads the export: a JSON object of :func:`iur_survey.read.read_export`'s options
ENV_READ = "IUR_SURVEY_READ"
READ_OPTIONS = ("encoding", "sheet", "hidden_rows")


def read_options(env=None) -> dict[str, str]:
    """The options the book passes to :func:`iur_survey.read.read_export` (``IUR_SURVEY_READ``, a JSON object
    with ``encoding``, ``sheet`` and ``hidden_rows``; ``iur-survey book --sheet ...`` sets it).

    >>> read_options({}), read_options({"IUR_SURVEY_READ": '{"sheet": "Data"}'})
    ({}, {'sheet': 'Data'})
    """
    import json

    env = os.environ if env is None else env
    text = env.get(ENV_READ) or ""
    if not text:
        return {}
    try:
        opts = json.loads(text)
    except ValueError:
        raise ValueError(f"{ENV_READ}={text!r}: not a JSON object") from None
    if not isinstance(opts, dict) or set(opts) - set(READ_OPTIONS):
        raise ValueError(f"{ENV_READ}={text!r}: a JSON object with {', '.join(READ_OPTIONS)} only")
    return {k: str(v) for k, v in opts.items() if v is not None}


#: the groups the book merges before comparing them: ``iur-survey book --merge-groups SPEC`` (as ``fit``'s)
ENV_MERGE_GROUPS = "IUR_SURVEY_MERGE_GROUPS"


def merge_option(env=None) -> str | None:
    """The book's ``--merge-groups`` (``IUR_SURVEY_MERGE_GROUPS``): ``"smallest"`` or ``FROM=INTO[,...]``, as
    :func:`iur_survey.sem.invariance.merge_groups` takes it; ``None`` (not set): the small-group rule decides.

    >>> merge_option({}), merge_option({"IUR_SURVEY_MERGE_GROUPS": " government=university "})
    (None, 'government=university')
    """
    env = os.environ if env is None else env
    return (env.get(ENV_MERGE_GROUPS) or "").strip() or None


def results_key(data: Path, instrument: Path) -> str:
    """The cache key: the inputs, the analysis, read and merge options (:func:`analysis_options`,
    :func:`read_options`, :func:`merge_option`) and the package code."""
    opts = ",".join(f"{k}={v}" for k, v in sorted({**analysis_options(), **read_options(),
                                                   "merge_groups": merge_option() or ""}.items()))
    return hashlib.sha256(f"{inputs_key(data, instrument)}|{opts}|{code_fingerprint()}".encode()).hexdigest()


def measurement_syntax(instrument) -> str:
    """lavaan syntax of the measurement model (each construct =~ its items; factors correlate).

    >>> from iur_survey.instrument import load_instrument
    >>> print(measurement_syntax(load_instrument()).splitlines()[0])
    GOV =~ GOV1 + GOV2 + GOV3 + GOV4
    """
    return "\n".join(f"{c.code} =~ {' + '.join(c.items)}" for c in instrument.constructs.values())


def single_factor_syntax(instrument, name: str = "F") -> str:
    """lavaan syntax of Harman's single-factor model: every item loads on one factor.

    >>> from iur_survey.instrument import load_instrument
    >>> single_factor_syntax(load_instrument())[:18]
    'F =~ GOV1 + GOV2 +'
    """
    return f"{name} =~ {' + '.join(instrument.item_codes)}"


def summarise_fit(res, syntax: str, estimator: str, missing: str) -> dict[str, Any]:
    """The parts of an SEM result the book shows, as plain pandas/dict objects (picklable).  A fit that did not
    converge is refused (:func:`~iur_survey.sem.results.require_converged_fit`, a NotConvergedError): its step
    is ``failed``, never shown."""
    require_converged_fit(res)
    out: dict[str, Any] = {"syntax": syntax, "estimator": estimator, "missing_requested": missing}
    out["estimates"] = res.parameter_estimates()
    try:        # lavaan's standardizedSolution(fit): delta-method se / CI of std.all (ML, MLR, WLSMV)
        out["standardized"] = res.standardized_solution("std.all")
    except EstimationError:
        out["standardized"] = None
    out["fit"] = pd.Series(res.fit_measures(), dtype=float)
    try:
        out["r2"] = pd.Series(res.r2(), dtype=float)
    except Exception:   # noqa: BLE001 - a CFA has no R-squared of latent variables to show
        out["r2"] = pd.Series(dtype=float)
    out["converged"] = bool(getattr(res, "converged", True))
    out["warnings"] = list(getattr(res, "warnings", []) or [])
    d = res.to_dict() if hasattr(res, "to_dict") else {}
    out["n"] = d.get("n")
    out["missing"] = d.get("missing", missing)
    out["seconds"] = d.get("seconds")
    out["summary"] = res.summary() if hasattr(res, "summary") else ""
    if hasattr(res, "sample_statistics") and "sampstat" in getattr(res, "meta", {}):
        out["sample_cov"] = res.sample_statistics()["cov"]   # lavaan's sampstat (EM h1 under FIML)
    return out


# ------------------------------------------------------------------------------ steps
def _step_read(ctx):
    data = ctx["data"]
    if not Path(data).is_file():
        raise Pending(f"there is no export at {data} (the demo export is made by `iur-survey simulate`)")
    raw = read_export(data, ctx["instrument"], **ctx.get("read_options", {}))
    ctx["raw"] = raw
    return {"format": raw.format, "n_raw": raw.n_raw, "sha256": raw.sha256,
            "n_columns_mapped": len(raw.column_map), "dropped_columns": list(raw.dropped_columns)}


def require_enough_rows(report: dict, instrument, data=None) -> None:
    """Refuse a cleaning that kept no response (:class:`~iur_survey.errors.NoRowsKeptError`, as ``iur-survey
    clean`` does) or no more responses than the instrument has items (:class:`~iur_survey.errors.TooFewRowsError`:
    the items' covariance matrix is then singular, and no model of the book can be estimated): the clean step
    is then ``failed`` and the book command stops before building.

    >>> from iur_survey.instrument import load_instrument
    >>> require_enough_rows({"n_raw": 10, "n_kept": 4, "excluded_by_primary_rule": {"status": 6}},
    ...                     load_instrument(), "x.csv")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    iur_survey.errors.TooFewRowsError: x.csv: only 4 of the 10 raw rows were kept (excluded: status 6), not more than the 28 items: ...
    """
    n_kept, n_items = int(report.get("n_kept", 0)), len(instrument.item_codes)
    if n_kept == 0:
        raise NoRowsKeptError(data, no_rows_kept_message(report))
    if n_kept <= n_items:
        by = ", ".join(f"{k} {v}" for k, v in sorted((report.get("excluded_by_primary_rule") or {}).items(),
                                                      key=lambda kv: -kv[1]) if v)
        raise TooFewRowsError(data, f"only {n_kept} of the {report.get('n_raw', 0)} raw rows were kept"
                                    + (f" (excluded: {by})" if by else "")
                                    + f", not more than the {n_items} items: no model of the book can be estimated "
                                      f"(the items' covariance matrix is singular); analyse a larger export, or "
                                      f"see the exclusion rules and --config of `iur-survey clean`")


def _step_clean(ctx):
    res = clean(ctx["raw"], ctx["instrument"])
    require_enough_rows(res.report, ctx["instrument"], ctx["data"])
    ctx["clean"] = res.clean
    ctx["clean_flags"] = res.flags
    out = {"clean": res.clean, "report": res.report,
           "ledger": res.exclusions[["rule"]].copy() if "rule" in res.exclusions else pd.DataFrame()}
    out["missing_patterns"] = missing_patterns(res.clean, ctx["instrument"], top=None)
    out["item_missing"] = item_missing(res.clean, ctx["instrument"])
    return out


def _fit(kind: str, syntax: str, ctx, estimator: str = "ML", missing: str = "auto"):
    fn = {"cfa": cfa, "sem": sem}[kind]
    res = fn(syntax, ctx["clean"], estimator=estimator, missing=missing)
    return summarise_fit(res, syntax, estimator, missing)


def _step_cfa(ctx):
    out = _fit("cfa", measurement_syntax(ctx["instrument"]), ctx)
    ctx["cfa_estimates"] = out["estimates"]
    ctx["cfa_sample_cov"] = out.get("sample_cov")
    return out


def _step_measure(ctx):
    """Reliability and validity from :mod:`iur_survey.measure`: alpha and HTMT from the data; composite
    reliability (omega), AVE and the Fornell-Larcker criterion from the CFA's parameter table."""
    inst, data = ctx["instrument"], ctx["clean"]
    out: dict[str, Any] = {"alpha": cronbach_alpha(data, inst), "htmt": htmt(data, inst)}
    pending: list[str] = []
    est = ctx.get("cfa_estimates")
    if est is None:
        pending.append("composite reliability, AVE and Fornell-Larcker need the CFA, which has not run")
    else:
        # semTools' default obs.var = TRUE: the observed (h1) covariance in the denominators
        cov = ctx.get("cfa_sample_cov")
        import warnings as _w
        with _w.catch_warnings():     # an improper construct: chapter 4 blanks its ω / AVE and says why
            _w.filterwarnings("ignore", message=IMPROPER_WARNING)
            out["omega"] = composite_reliability(est, cov)
            out["ave"] = ave(est, cov)
            out["fornell_larcker"] = fornell_larcker(est, cov, matrix=True)
            out["fornell_larcker_criterion"] = fornell_larcker(est, cov)        # per construct: meets_criterion
    out["pending"] = pending
    return out


def _step_common_method(ctx):
    """Common-method checks: :func:`iur_survey.measure.common_method` (Harman's single factor as PCA and
    as a one-factor CFA, and the common latent factor)."""
    return {"measure": common_method(ctx["clean"], ctx["instrument"])}


def _default_model(ctx) -> str:
    return default_model(ctx["instrument"])


def _step_sem(ctx):
    return _fit("sem", _default_model(ctx), ctx)


def _step_sem_mlr(ctx):
    return _fit("sem", _default_model(ctx), ctx, estimator="MLR")


def _step_sem_listwise(ctx):
    return _fit("sem", _default_model(ctx), ctx, missing="listwise")


def ordered_items(instrument):
    """What the book's WLSMV fits treat as ordered categories: lavaan's ``ordered = TRUE`` (``True``) when every
    item is a Likert item, else the Likert items only (lavaan's ``ordered = c(...)``): an item the instrument
    declares continuous (``scale: continuous``, a test score or a 0-100 slider) stays continuous, never one
    category per distinct value.

    >>> from iur_survey.instrument import load_instrument
    >>> ordered_items(load_instrument())
    True
    """
    cont = set(instrument.continuous_items)
    if not cont:
        return True
    likert = [i for i in instrument.item_codes if i not in cont]
    if not likert:
        raise Pending("every item of the instrument is continuous (scale: continuous): there are no ordered "
                      "categories to fit by WLSMV")
    return likert


def _step_sem_wlsmv(ctx):
    """The Likert items as ordered categories: lavaan's ``sem(model, data, ordered = TRUE, missing = "pairwise")``
    (WLSMV; each threshold from the item's answers, each polychoric correlation from the respondents who
    answered both items; only rows without any item are dropped).  Items the instrument declares continuous
    stay continuous (``ordered = c(<the Likert items>)``; :func:`ordered_items`)."""
    syntax = _default_model(ctx)
    res = sem(syntax, ctx["clean"], ordered=ordered_items(ctx["instrument"]), estimator="WLSMV",
              missing="pairwise")
    out = summarise_fit(res, syntax, "WLSMV", res.missing)
    out["n_input"] = int(getattr(res, "n_input", 0) or 0)
    out["n_dropped"] = int(getattr(res, "n_dropped", 0) or 0)
    return out


def _progress_kind() -> bool | str:
    """How a long step of the book command shows its progress: a bar on a terminal, else plain lines (a log)."""
    return True if show_progress(None) else "lines"


def _step_bootstrap(ctx):
    """Chapter 6: the nonparametric bootstrap of the structural model (ML, FIML) with the book's seed and B;
    percentile and BCa (jackknife) intervals of the indirect and total effects beside the delta method."""
    opts = analysis_options()
    syntax = _default_model(ctx)
    bt = bootstrap({"model": syntax, "data": ctx["clean"]}, opts["bootstrap_B"], ci="bca", seed=opts["seed"],
                   progress=_progress_kind() if ctx.get("show_progress") else False,   # the book command's
                   warn=False)          # its warnings are the chapter's notice (n_failed, n_nonconverged)
    return {"syntax": syntax, "B": bt.B, "seed": bt.seed, "level": bt.level, "n_ok": bt.n_ok,
            "n_failed": bt.n_failed, "n_nonconverged": bt.n_nonconverged, "n_nonadmissible": bt.n_nonadmissible,
            "workers": bt.workers, "seconds": bt.seconds, "warnings": list(bt.warnings),
            "effects": bootstrap_effects(bt), "estimates": bt.parameter_estimates(ci="percentile")}


def _step_invariance(ctx):
    """Chapter 7: measurement invariance across the instrument's group column (configural -> strict), after
    the small-group rule: when a group is below it, the smallest groups are merged (``merge="smallest"``)
    and the analysis without merging is kept as a sensitivity check.  ``book --merge-groups SPEC``
    (:func:`merge_option`) merges as asked instead, by the code of ``fit --merge-groups``."""
    import warnings as _w
    if not ctx["instrument"].groups:
        raise Pending("the instrument defines no stakeholder groups (no groups: section): there are no groups to "
                      "compare")
    group = ctx["instrument"].group_column
    model = measurement_part(_default_model(ctx))
    data = ctx["clean"]
    data = data[data[group].notna()] if group in data.columns else data
    sizes = group_size_table(data, group, model)
    asked = merge_option()        # book --merge-groups: the user's merge, the same as fit --merge-groups
    merge = asked or ("smallest" if (sizes["status"] != "ok").any() else None)

    def run(merge_spec):
        with _w.catch_warnings():
            _w.simplefilter("ignore")
            return measurement_invariance(model, data, group, merge=merge_spec, warn=False)
    main = run(merge)
    out = {"group": group, "model": model, "sizes_before": sizes, "merge_rule": merge, "merge_asked": asked,
           "main": invariance_summary(main), "unmerged": None, "unmerged_error": ""}
    if merge is not None:
        try:
            out["unmerged"] = invariance_summary(run(None))
        except IURSurveyError as exc:
            out["unmerged_error"] = str(exc)
    ctx["invariance_merge"] = dict(main.merge)
    ctx["invariance_level"] = main.level
    return out


def _step_invariance_ordinal(ctx):
    """Chapter 7: the invariance sequence on the ordinal scale (Wu & Estabrook 2016; WLSMV, pairwise), on the
    groups of the ML sequence (same merging)."""
    import warnings as _w
    iv = ctx["values"]["invariance"]
    cont = ctx["instrument"].continuous_items
    if cont:
        raise Pending(f"the instrument declares continuous items ({', '.join(cont)}); the ordinal sequence treats "
                      "every item as ordered categories, and a mix of ordered and continuous items is fitted in "
                      "one group only")
    group = iv["group"]
    data = ctx["clean"]
    data = data[data[group].notna()]
    with _w.catch_warnings():
        _w.simplefilter("ignore")
        inv = ordinal_invariance(iv["model"], data, group, merge=ctx.get("invariance_merge") or None)
    info = inv.to_dict()["invariance_info"]
    return {"group": group, "table": inv.table, "level": inv.level, "ml_level": ctx.get("invariance_level"),
            "groups": info["groups"], "merged": info["merged"]}


def _step_group_paths(ctx):
    """Chapter 7: the structural model in every group (one label per group) with the loadings equal across
    groups when metric invariance holds, and a Wald test per path of its equality across the groups."""
    group = ctx["instrument"].group_column
    level = ctx.get("invariance_level")
    if level is None:
        raise Pending("the configural model of the invariance step did not fit")
    data = ctx["clean"]
    data = data[data[group].notna()]
    data, _ = merge_groups(data, group, ctx.get("invariance_merge") or None)
    ngroups = int(data[group].nunique())
    syntax = group_specific_labels(_default_model(ctx), ngroups)
    step = "metric" if level in ("metric", "scalar", "strict") else "configural"
    res = sem(syntax, data, group=group, group_equal=INV_STEPS[step])
    require_converged_fit(res, what="the multi-group structural model")
    wald = wald_equal_paths(res, joint=True)
    return {"syntax": syntax, "level": step, "group_equal": list(INV_STEPS[step]),
            "groups": [str(g) for g in res.partable.group_labels],
            "n": data[group].value_counts().reindex(res.partable.group_labels).astype(int).tolist(),
            "estimates": res.parameter_estimates(), "fit": pd.Series(res.fit_measures(), dtype=float),
            "converged": bool(res.converged), "wald": wald}


def _step_pls(ctx):
    """Chapter 8: PLS-SEM of the same model (mode A composites, path weighting, mean replacement), bootstrapped
    with the book's seed and B, beside the CB-SEM (ML, FIML) estimates."""
    opts = analysis_options()
    res = pls_sem(ctx["clean"], _default_model(ctx), n_boot=opts["bootstrap_B"], seed=opts["seed"], progress=False)
    cb = ctx["values"]["sem"]["estimates"]
    return {"n": res.n, "n_input": res.n_input, "n_imputed": res.n_imputed, "converged": res.converged,
            "iterations": res.iterations, "scheme": res.scheme, "missing": res.missing, "B": opts["bootstrap_B"],
            "seed": opts["seed"], "warnings": list(res.warnings), "reliability": res.reliability(),
            "htmt": res.htmt(), "r2": res.r_squared(),
            "compare": compare_with_cbsem(res, cb, standardized=ctx["values"]["sem"].get("standardized"))}


_RUNNERS = {"read": _step_read, "clean": _step_clean, "cfa": _step_cfa, "measure": _step_measure,
            "common_method": _step_common_method, "sem": _step_sem, "sem_mlr": _step_sem_mlr,
            "sem_listwise": _step_sem_listwise, "sem_wlsmv": _step_sem_wlsmv, "bootstrap": _step_bootstrap,
            "invariance": _step_invariance, "invariance_ordinal": _step_invariance_ordinal,
            "group_paths": _step_group_paths, "pls": _step_pls}


def _step_sensitivity(ctx):
    """Key paths and indirect effects with and without the flagged-but-kept respondents (chapter 3)."""
    table = flag_sensitivity(ctx["clean"], ctx["clean_flags"], _default_model(ctx))
    return {"table": table, "warnings": list(table.attrs.get("warnings", [])),
            "n_flagged": int((ctx["clean_flags"]["n_flags"] > 0).sum()) if "n_flags" in ctx["clean_flags"] else 0}


STEPS = STEPS + ("sensitivity",)
NEEDS["sensitivity"] = "clean"
_RUNNERS["sensitivity"] = _step_sensitivity


# ------------------------------------------------------------------------------- run
def compute_results(settings, progress=None) -> BookResults:
    """Run every step on ``settings.data`` (no caching; see :func:`prepare_results`).

    ``progress(name, step)`` is called before each step (``step`` None) and after it (its :class:`Step`,
    with ``seconds``): the book command prints it."""
    data, instrument_path = Path(settings.data), Path(settings.instrument)
    res = BookResults(key=results_key(data, instrument_path), inputs_key=inputs_key(data, instrument_path),
                      data_path=str(data), data_name=data.name,
                      instrument_path=str(instrument_path))
    instrument = load_instrument(instrument_path)
    ctx: dict[str, Any] = {"data": data, "instrument": instrument, "show_progress": progress is not None,
                           "read_options": read_options()}
    for name in STEPS:
        need = NEEDS.get(name)
        if need and not res.steps[need].ok:
            res.steps[name] = Step("pending", reason=f"needs the {need} step, which is {res.steps[need].status}")
            continue
        t0 = time.perf_counter()
        if progress is not None:
            progress(name, None)
        try:
            value = _RUNNERS[name](ctx)
            res.steps[name] = Step("ok", value=value, seconds=time.perf_counter() - t0)
            ctx.setdefault("values", {})[name] = value      # later steps may use earlier outputs
        except Pending as exc:
            res.steps[name] = Step("pending", reason=str(exc), seconds=time.perf_counter() - t0)
        except IURSurveyError as exc:
            res.steps[name] = Step("failed", reason=str(exc), seconds=time.perf_counter() - t0)
        if progress is not None:
            progress(name, res.steps[name])
    res.meta = {
        "iur_survey_version": __version__,
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "data_sha256": res.steps["read"].value["sha256"] if res.steps["read"].ok else None,
        "instrument_sha256": sha256_file(instrument_path),
        "computed_at": local_time_text(),
        "simulation": simulation_record(data),
        "options": analysis_options(),
        "read_options": ctx["read_options"],
        "merge_groups": merge_option(),
    }
    return res


def local_time_text(t: float | None = None) -> str:
    """The local date and time ``t`` (seconds since the epoch; now by default) with its offset from UTC, as
    the book prints when it was built: ``+08:00``, not the zone's abbreviation (``%Z``), which is ambiguous
    (``CST`` is China's, and America's Central, Standard Time) and, on some systems, a localized name.

    >>> import re
    >>> bool(re.fullmatch(r"\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d[+-]\\d\\d:\\d\\d", local_time_text(0.0)))
    True
    """
    import datetime as _dt

    stamp = _dt.datetime.now() if t is None else _dt.datetime.fromtimestamp(t)
    return stamp.astimezone().isoformat(sep=" ", timespec="seconds")


#: the steps whose failure means the export itself cannot be analysed (the book command stops on it)
INPUT_STEPS = ("read", "clean")


def input_failure(res: BookResults) -> str | None:
    """The reason of the first failed input step (:data:`INPUT_STEPS`: the export cannot be read, or cleaning kept
    no or too few responses), or ``None`` when they ran (or wait for an export that is not there).

    >>> r = BookResults("k", "i", "x.csv", "x.csv", "inst.yaml",
    ...                 {"read": Step("failed", reason="x.csv: the file is empty"), "clean": Step("pending")})
    >>> input_failure(r)
    'x.csv: the file is empty'
    """
    for name in INPUT_STEPS:
        step = res.steps.get(name)
        if step is not None and step.status == "failed":
            return step.reason
    return None


def simulation_record(data: Path) -> dict[str, Any] | None:
    """The seed and command of a simulated export, from the ``population.json`` that ``iur-survey
    simulate`` writes beside it (only when its recorded sha256 is this file's); ``None`` otherwise.

    >>> simulation_record(Path("/no/such/export.csv")) is None
    True
    """
    import json

    meta = Path(data).parent / "population.json"
    if not (meta.is_file() and Path(data).is_file()):
        return None
    try:
        doc = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    export = doc.get("export") or {}
    if not isinstance(export, dict) or export.get("sha256") != sha256_file(Path(data)):
        return None
    return {"seed": doc.get("seed"), "command": doc.get("command"), "version": doc.get("iur_survey_version")}


def results_path(settings) -> Path:
    return Path(settings.workdir) / RESULTS_FILE


def prepare_results(settings, force: bool = False, progress=None) -> BookResults:
    """Compute the results into ``settings.workdir`` unless an up-to-date copy is there
    (``progress``: see :func:`compute_results`)."""
    path = results_path(settings)
    if not force and path.is_file():
        cached = _load(path)
        if cached is not None and cached.key == results_key(Path(settings.data), Path(settings.instrument)):
            return cached
    res = compute_results(settings, progress=progress)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".results.", suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        pickle.dump(res, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)
    return res


def _load(path: Path) -> BookResults | None:
    try:
        with open(path, "rb") as fh:
            obj = pickle.load(fh)
    except Exception:  # noqa: BLE001 - a stale or foreign cache is simply recomputed
        return None
    return obj if isinstance(obj, BookResults) else None


#: set by the book build once the results are computed: chapters then load them as they are, so every
#: chapter of one build shows the same computation even if the package's files change during the build
ENV_FROZEN = "IUR_SURVEY_RESULTS_FROZEN"


def load_results(settings) -> BookResults:
    """The book's results for ``settings`` (the book's ``BookSettings``, e.g. ``BookSettings.from_env()``:
    anything with ``data``, ``instrument`` and ``workdir`` paths).

    Inside a book build (``IUR_SURVEY_RESULTS_FROZEN=1``) the results the build computed at its start
    are used as long as they belong to the same data and instrument; otherwise they are (re)computed
    when missing or out of date.
    """
    if os.environ.get(ENV_FROZEN) == "1":
        cached = _load(results_path(settings))
        if cached is not None and cached.inputs_key == inputs_key(Path(settings.data), Path(settings.instrument)):
            return cached
    return prepare_results(settings)


def r_script(syntax: str, estimator: str = "ML", missing: str = "ml", data: str = "clean/clean.csv") -> str:
    """An R script that refits ``syntax`` with lavaan on the clean data
    (:func:`iur_survey.replication.rscript.fit_script`).

    >>> print(r_script("F =~ a + b + c").splitlines()[-2])
    fit <- sem(model, data = dat, estimator = "ML", missing = "ml")
    """
    return fit_script(syntax, {"estimator": estimator, "missing": missing}, data="dat", read_csv=data, summary=True,
                      lavaan_version=LAVAAN_REFERENCE_VERSION)


def versions() -> dict[str, str]:
    """Versions of the interpreter and the packages the numbers depend on.

    >>> v = versions()
    >>> v["python"] == platform.python_version(), "numpy" in v
    (True, True)
    """
    from importlib import metadata

    out = {"python": platform.python_version(), "iur-survey": __version__}
    for dist in ("numpy", "scipy", "pandas", "statsmodels", "matplotlib", "semopy", "PyYAML", "pyreadstat",
                 "openpyxl", "jupyter-book", "myst-nb", "sphinx"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "not installed"
    return out
