"""Fit the structural equation model to clean data and write results.json.

Reads DATA.csv as written by `iur-survey clean` (response_id, role, item codes;
extra columns are ignored: the model names the ones it uses) and fits the
model with the lavaan-equivalent engine (every number as lavaan 0.6.14's
sem()).  The model is lavaan syntax from --model FILE.lav, or by default the
study's model built from the instrument: seven factors, COL on the five
mechanisms, INT on COL and the mechanisms, indirect and total effects.
fit, efa and pls read the data by one rule (iur_survey.datafile): only an
empty cell is missing; a text cell in a model column (#N/A, NA, null too), a
duplicated header, a value off the instrument's scale or one of its
missing_codes in an item column is refused, naming file, row and column.

Missing values are handled by full-information ML when any model variable has
one (--missing fiml, lavaan's missing = "ml"; rows missing an observed
covariate are deleted, or kept with --missing ml.x, lavaan's "ml.x"), or by
listwise deletion (--missing listwise).  --estimator MLR gives robust (Huber-White) standard
errors and the Yuan-Bentler scaled test.  --group role fits the model per
stakeholder group; with the default model every structural path is free in
each group (group-specific labels c(a1.g1, a1.g2, ...), indirect and total
effects per group), --equal regressions makes them equal across groups, and
--print-model prints the model to edit and pass back with --model (in a model
file, a path with one label per group stays free under --equal: lavaan's rule;
a warning names it).  --ordered treats every model item as ordinal (lavaan's
ordered = TRUE) and fits it by WLSMV (--estimator WLSMV implies --ordered):
thresholds and polychoric correlations, robust SEs, the mean-and-variance
adjusted test; missing cells are handled pairwise (lavaan's missing =
"pairwise"; --missing listwise drops incomplete rows); with --group, --equal
takes thresholds too and --parameterization delta|theta; --invariance then
runs the ordinal sequence of Wu & Estabrook (2016): configural, thresholds,
thresholds+loadings, +intercepts, with lavaan's scaled-shifted difference test
(in the --parameterization given: semTools' measEq.syntax for delta or theta).
With --group, --equal loadings,intercepts constrains those parameters equal
across groups (lavaan's group.equal); --invariance adds the measurement-
invariance sequence of the measurement model (configural, metric, scalar,
strict: chi-square difference tests, changes in CFI/RMSEA/SRMR, Chen's 2007
decisions) to results.json under "invariance"; --merge-groups smallest or
FROM=INTO[,FROM=INTO] merges small groups first (a group with no more cases
than observed variables is an error that names the merge to use; the mapping
applied is "groups_merged" and the invariance block's "merged").
--free 'speed =~ x9; x3 ~ 1' frees those parameters from the --equal constraints
(lavaan's group.partial; entries as lavaan writes them, separated by ';' or ','):
partial invariance.  With --invariance each entry is freed in every step that
constrains its class (a loading from metric on, an intercept from scalar on), and
the verdict says "partial scalar invariance (freed: ...)".  With ordered items
(WLSMV) an entry may be a threshold, 'x1 | t2' (--equal thresholds,loadings, as
lavaan: the threshold is estimated in every group); in the ordinal sequence (Wu &
Estabrook, semTools' measEq.syntax group.partial) thresholds, loadings and item
intercepts are freed, and a step the entries leave unidentified (an item with
fewer equal thresholds than free location and scale parameters) is an error.  An entry that frees
nothing (no such parameter; a class --equal / the steps do not constrain; the
marker loading, fixed at 1; a labelled parameter) is an error: lavaan ignores it
silently.  results.json lists the freed parameters under "group_partial" (their
estimates rows have "group_partial": true; each invariance step lists its own);
the summaries and tables name them.
--bootstrap B replaces the standard errors and CIs by a nonparametric
bootstrap (lavaan's se = "bootstrap": B case resamples; --ci percentile,
bca.simple, norm or basic as lavaan's boot.ci.type, or bca (jackknife
acceleration; ML/MLR only); --seed S makes the draws reproducible; --workers N, or
--scheduler tcp://host:port for a Dask cluster; --quiet hides the progress
bar); results.json then has a "bootstrap" block (B, successful, failed, ...).

results.json holds: n, estimator, missing, converged, warnings, fit (chisq df
pvalue cfi tli rmsea + 90% CI, srmr, aic, bic, logl, ...), estimates (one
object per parameter: lhs op rhs label est se z pvalue ci.lower ci.upper
std.lv std.all, then std.all.se std.all.z std.all.pvalue std.all.ci.lower
std.all.ci.upper: lavaan's standardizedSolution() delta method, ML, MLR and
WLSMV alike), r2, seconds.  With WLSMV, fit holds lavaan's WLSMV measures
(chisq and chisq.scaled, df.scaled, chisq.scaling.factor,
chisq.shift.parameter, cfi/tli/rmsea plain, .scaled and .robust, srmr, wrmr)
and aic, bic, logl are null (no likelihood: lavaan reports none); estimates
add the thresholds (op "|"), scales ("~*~") and zero intercepts as lavaan's
parameterEstimates() (std.all.se: a y* variance, fixed in the delta
parameterization, has one once standardized); "ordered" lists the ordinal
items.  Add --summary to print a lavaan-like summary.  Without it the
terminal shows a short summary:
n, estimator, the fit line, the structural paths and := effects with CIs,
standardized estimates and p, R².  results.json records its call ("call": data
path and sha256, model syntax, options, version) for export-replication.
With --group, "group_path_tests" holds, for every structural path, the Wald test
that it is equal in all groups (lavaan's lavTestWald of "p.g1 == p.g2; ...",
df = groups - 1, with the fit's covariance of the estimates: robust for MLR and
WLSMV, bootstrap after --bootstrap), its Holm-adjusted p over the paths and the
joint test of all paths; printed after the paths and shown by `tables`: a path
significant in one group and not in another is no evidence that it differs.
--residuals [N] adds lavaan's lavResiduals() summary per group (srmr and crmr with
se, exact-fit z test, unbiased value, 90% CI, close-fit test) and the N largest
standardized residuals under "residuals".
--modindices [N] adds lavaan's modification
indices (ML, FIML, MLR: lavaan 0.6.14's ordinary score test; WLSMV / DWLS with one group
of ordered items: lavaan's DWLS score test) under "modindices".
With equality constraints (--equal), --modindices also adds lavaan's lavTestScore
under "score_test": the score test of releasing each constraint, to find the
parameters that are not invariant (exploratory: release one, refit, test again).
A latent interaction in the model (COL ~ GOV + MKT + GOV:MKT) is estimated by
double-mean-centred product indicators; results.json then has "interaction", one
entry per term and outcome, and per group with --group ("group": its label):
standardized coefficient, simple slopes at -1/0/+1 SD of the moderator in that group
(semTools' probe2WayMC), Johnson-Neyman bounds; printed too. Under std.lv the
interaction is taken per unit of A x B (the marker fit's slopes in std.lv units). A
moderator or focal factor with a free latent mean (--equal intercepts) has none: the
entry's "note" (and a warning) says why.

exit status: 0 the model converged; 2 bad input (one line on stderr); 3 the model did
NOT converge: results.json says "converged": false, holds no fit measures (lavaan
refuses them) and marks the estimates as not to be interpreted
("estimates_interpretable": false), and one line on stderr says so.

examples:
  iur-survey fit results/clean/clean.csv --out results/fit/results.json
  iur-survey fit clean.csv --model my_model.lav --estimator MLR --out results.json
  iur-survey fit clean.csv --estimator WLSMV --out results_wlsmv.json
  iur-survey fit clean.csv --group role --invariance --out results_groups.json
  iur-survey fit clean.csv --estimator WLSMV --group role --invariance --out results_ordinal_groups.json
  iur-survey fit clean.csv --bootstrap 1000 --seed 2022 --out results_boot.json
  iur-survey fit clean.csv --group role --print-model > by_group.lav
  iur-survey fit clean.csv --modindices 20 --out results.json
  iur-survey fit clean.csv --residuals --out results.json
"""

from __future__ import annotations

import argparse
import re
import sys
import warnings
from contextlib import contextmanager
from typing import Sequence

from ._io import add_instrument_option, print_warnings, whole_number

#: the bootstrap seed when --seed is not given (the same in `fit` and `pls`)
DEFAULT_SEED = 2022

NAME = "fit"
#: exit status when the model did not converge (results.json is written, marked, without fit measures)
EXIT_NOT_CONVERGED = 3
HELP = "fit the SEM (lavaan-equivalent) to clean data and write results.json"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("data", metavar="DATA.csv", nargs="?",
                        help="clean data (from `iur-survey clean`; not needed with --print-model alone)")
    parser.add_argument("--model", metavar="FILE.lav",
                        help="lavaan model syntax; default: the study's model built from the instrument")
    add_instrument_option(parser)
    parser.add_argument("--estimator", choices=["ML", "MLR", "WLSMV"], default=None, type=str.upper,
                        help="ML (default), MLR (robust SEs, Yuan-Bentler scaled test) or WLSMV "
                             "(ordinal items; the default with --ordered)")
    parser.add_argument("--ordered", nargs="?", const=True, default=None, metavar="ITEMS",
                        help="treat every model item as ordinal (lavaan's ordered = TRUE; implied by WLSMV), "
                             "or only ITEMS (comma-separated; the others stay continuous: one group, "
                             "listwise or pairwise)")
    parser.add_argument("--missing", choices=["auto", "fiml", "ml", "ml.x", "fiml.x", "direct.x", "listwise",
                                              "pairwise"], default="auto",
                        help="auto (default: FIML when a model variable has a missing value; pairwise with "
                             "ordered items), fiml (FIML deletes the rows missing an observed covariate, as "
                             "lavaan's missing = \"ml\"), ml.x (FIML keeping those rows, lavaan's "
                             "missing = \"ml.x\"), listwise, pairwise (ordered items: lavaan's "
                             "missing = \"pairwise\")")
    parser.add_argument("--parameterization", choices=["delta", "theta"], default="delta",
                        help="ordered items: lavaan's parameterization (delta, the default, or theta)")
    parser.add_argument("--group", metavar="COLUMN", default=None,
                        help="fit the model in each group of COLUMN (e.g. role); a column of personal data (by its "
                             "header: names, e-mail addresses, phone numbers, interviewers; or by a value: an e-mail "
                             "or IP address, a phone or ID-card number) is refused, since the group labels go into "
                             "every output")
    parser.add_argument("--equal", metavar="WHAT", default=None,
                        help="with --group: parameters equal across groups (lavaan's group.equal), comma-separated: "
                             "thresholds (ordered items),"
                             "loadings,intercepts,residuals,regressions,means,lv.variances,lv.covariances,"
                             "residual.covariances. A parameter with one label per group (c(a.g1, a.g2)*x, as "
                             "--print-model writes) stays free (lavaan's rule); a warning names it")
    parser.add_argument("--free", metavar="PARAMS", default=None,
                        help="with --group and --equal or --invariance: parameters freed from the equality "
                             "constraints (lavaan's group.partial, partial invariance), as lavaan writes them, "
                             "separated by ';' or ',': e.g. 'speed =~ x9; x3 ~ 1'. An entry that frees nothing is "
                             "an error (lavaan ignores it)")
    parser.add_argument("--invariance", action="store_true",
                        help="with --group: also test measurement invariance (configural/metric/scalar/strict) "
                             "and write it to results.json under \"invariance\"")
    parser.add_argument("--merge-groups", metavar="SPEC", default=None,
                        help="with --group: merge small groups before fitting: 'smallest' or FROM=INTO[,FROM=INTO]")
    parser.add_argument("--bootstrap", metavar="B", type=int, default=None,
                        help="bootstrap SEs and CIs from B case resamples (lavaan's se = \"bootstrap\")")
    parser.add_argument("--ci", choices=["percentile", "bca.simple", "bca", "norm", "basic"], default="percentile",
                        help="bootstrap CI, lavaan's boot.ci.type: percentile (lavaan 'perc', default), bca.simple, "
                             "norm (2 est - mean-draw estimate -/+ z * bootstrap SE), basic (2 est - percentile "
                             "bounds); bca (jackknife acceleration; not with WLSMV)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                        help=f"bootstrap seed (reproducible draws; default {DEFAULT_SEED})")
    parser.add_argument("--workers", type=whole_number(1, "1 = no Dask"), default=None,
                        help="bootstrap workers (default: every core; 1 = no Dask); the --invariance steps' "
                             "workers (default 1)")
    parser.add_argument("--scheduler", metavar="ADDRESS", default=None,
                        help="run the bootstrap or the invariance steps on an existing Dask cluster (tcp://host:port)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar (bootstrap draws, invariance models)")
    parser.add_argument("--out", metavar="FILE", help="where to write results.json (required unless --print-model)")
    parser.add_argument("--summary", action="store_true",
                        help="also print the lavaan-like summary, every parameter with its CI (bootstrap CIs when "
                             "bootstrapped), the standardized solution and R²")
    parser.add_argument("--print-model", action="store_true",
                        help="print the model that would be fitted (the default model for the instrument, --group "
                             "and --equal given; edit it and pass it back with --model) and exit")
    parser.add_argument("--residuals", metavar="N", nargs="?", type=int, const=10, default=None,
                        help="add lavaan's lavResiduals() summary (srmr, crmr with se, exact-fit z and p, the "
                             "unbiased value with its 90%% CI and close-fit test) and the N largest standardized "
                             "residuals (default 10) to results.json under \"residuals\"")
    parser.add_argument("--modindices", metavar="N", nargs="?", type=int, const=0, default=None,
                        help="add lavaan's modification indices (mi epc sepc.lv sepc.all sepc.nox) to results.json "
                             "under \"modindices\", sorted by mi; N keeps the N largest (default: all). "
                             "Exploratory: each assumes the rest of the model stays as it is")


@contextmanager
def free_option():
    """A ``group.partial`` entry that frees nothing is named as the option that gave it (``--free: ...``)."""
    from ..errors import ModelSyntaxError
    try:
        yield
    except ModelSyntaxError as exc:
        if exc.file != "group.partial":
            raise
        raise ModelSyntaxError("--free", exc.message) from None


def _usage_error(msg: str):
    from ..errors import IURSurveyError
    return IURSurveyError(None, msg)


def _structural_free(free: Sequence[str]) -> dict[str, tuple[str, str]]:
    """The ``--free`` entries that name a regression ``Y ~ X``: entry -> (Y, X).

    >>> _structural_free(["COL ~ GOV", "GOV =~ GOV2", "x3 ~ 1", "a ~~ b"])
    {'COL ~ GOV': ('COL', 'GOV')}
    """
    out = {}
    for entry in free:
        key = "".join(str(entry).split())
        if "~" in key and "=~" not in key and "~~" not in key and not key.endswith("~1"):
            lhs, rhs = key.split("~", 1)
            out[entry] = (lhs, rhs)
    return out


def _group_model(args, syntax: str, source: str, ngroups: int, group_equal: list[str],
                 free: Sequence[str] = ()) -> tuple[str, str, list[str], list[str]]:
    """The model of a multi-group fit: the default model with one label per group (free paths, per-group
    ``:=`` effects; shared labels with ``--equal regressions``, except the paths ``--free`` names, which get one
    label per group: the last item returned lists those entries), or the user's model with a loud warning
    when its labels make lavaan's equal-label rule apply."""
    from ..instrument import load_instrument
    from ..study import default_model, path_labels
    from ..sem.syntax import group_specific_labels

    if not args.model:
        eq = "regressions" in group_equal
        inst = load_instrument(args.instrument)
        paths = _structural_free(free) if eq and ngroups > 1 else {}
        model = default_model(inst, ngroups=ngroups, equal_regressions=eq, free_paths=list(paths.values()))
        # the entries that are paths of the model (the others go to group.partial, whose check names them)
        labelled = path_labels(inst)
        relabelled = [e for e, p in paths.items() if p in labelled]
        how = "labels shared by the groups (--equal regressions)" if eq else "group-specific labels"
        if relabelled:
            how += f" but group-specific for {', '.join(relabelled)} (--free)"
        return model, f"<default model, {ngroups} groups, {how}>", [], relabelled
    per_group = group_specific_labels(syntax, ngroups) if "regressions" not in group_equal else syntax
    if per_group != syntax:
        lab, var = _single_label_example(per_group)
        return syntax, source, [
            # the formulas as code spans: a table note keeps them whole (c(a1.g1, a1.g2, ...)*GOV has spaces)
            f"{_file_name(source)}: a label written once (e.g. `{lab}*{var}`) names ONE parameter shared by all "
            f"{ngroups} groups (lavaan's rule), so those parameters are constrained equal across groups; write "
            f"`c({lab}.g1, {lab}.g2, ...)*{var}` for group-specific ones (`iur-survey fit DATA --group G "
            "--print-model` prints the default model written that way)"], []
    return syntax, source, [], []


def _single_label_example(per_group: str) -> tuple[str, str]:
    """A label of the user's model written once and the variable it labels, read from the model with one label per
    group (:func:`~iur_survey.sem.syntax.group_specific_labels`), for the warning's example: the model's own
    words, not the study's (``a1*GOV`` in a model without GOV puzzled a reader of the table note).

    >>> _single_label_example("textual ~ c(b.g1, b.g2)*visual")
    ('b', 'visual')
    >>> _single_label_example("y ~ x")
    ('a1', 'GOV')
    """
    import re
    m = re.search(r"c\(\s*([A-Za-z_.][\w.]*)\.g1\s*,[^)]*\)\s*\*\s*([A-Za-z_.][\w.]*)", per_group)
    return (m.group(1), m.group(2)) if m else ("a1", "GOV")


def _file_name(source: str) -> str:
    """A model file as a warning names it: its name without the folders (the warning reaches the tables' notes,
    and a folder may carry the analyst's user name); ``<default model>`` as it is.

    >>> _file_name("/home/li.na/study/m.lav"), _file_name("<default model>")
    ('m.lav', '<default model>')
    """
    from pathlib import Path
    return source if source.startswith("<") else Path(source).name


def free_entries(text: str | None) -> list[str]:
    """``--free``'s entries (lavaan's ``group.partial``): separated by ``;`` or ``,`` (or new lines), written as
    lavaan's summary writes a parameter (``lhs op rhs``; lavaan matches them without spaces).

    >>> free_entries("speed =~ x9; x3~1, x7  ~ 1")
    ['speed =~ x9', 'x3 ~ 1', 'x7 ~ 1']
    """
    from ..sem.partable import _partial_key, partial_display
    return list(dict.fromkeys(partial_display(_partial_key(x)) for x in re.split(r"[;,\n]", text or "")
                              if x.strip()))


def refuse_personal_group(data, column: str, path=None) -> None:
    """Refuse a ``--group`` column that holds personal data (:func:`iur_survey.sem.table.refuse_personal_group`,
    which :func:`iur_survey.sem.sem` applies to its ``group`` too): its labels would go into the terminal lines,
    results.json, the tables and the diagram.

    >>> import pandas as pd
    >>> refuse_personal_group(pd.DataFrame({"sex": ["f", "m"], "role": ["firm", "university"]}), "sex")
    >>> refuse_personal_group(pd.DataFrame({"Your name": ["Li Na", "Wang Fang"]}), "Your name", "d.csv")
    Traceback (most recent call last):
    iur_survey.errors.DataError: d.csv:Your name: --group 'Your name' is, by its header, a column of names (personal data): its labels would be printed and written into results.json, the tables and the diagram; group by a column of categories (e.g. role, sex, country), or by a copy of this one that holds codes under a header that names no person (e.g. interviewer_code)
    >>> refuse_personal_group(pd.DataFrame({"访问员": ["a"]}), "访问员")
    Traceback (most recent call last):
    iur_survey.errors.DataError: 访问员: --group '访问员' is, by its header, a column of names (of the interviewers or data collectors) (personal data): its labels would be printed and written into results.json, the tables and the diagram; group by a column of categories (e.g. role, sex, country), or by a copy of this one that holds codes under a header that names no person (e.g. interviewer_code)
    >>> refuse_personal_group(pd.DataFrame({"contact": ["firm", "a@b.org", "a@b.org"]}), "contact", "d.csv")
    Traceback (most recent call last):
    iur_survey.errors.DataError: d.csv:3:contact: --group 'contact' holds an e-mail address (1 of its 2 distinct values; the first in this row): personal data is no grouping variable: its labels would be printed and written into results.json, the tables and the diagram; group by a column of categories (e.g. role, sex, country), or by a copy of this one that holds codes under a header that names no person (e.g. interviewer_code)
    """
    from ..sem.table import refuse_personal_group as refuse
    refuse(data, column, path, option="--group ")


def call_record(args, syntax: str, source: str, group_equal: list[str], merged: dict, res,
                group_partial: list[str] = ()) -> dict:
    """What produced results.json ("call"): data path and sha256, model syntax, every option, version.
    ``iur-survey export-replication`` refits from it without --data/--model."""
    from pathlib import Path

    from ._io import call_head

    boot = None
    if args.bootstrap:
        boot = {"R": int(args.bootstrap), "seed": args.seed, "ci": args.ci, "level": 0.95}
    return {**call_head("iur-survey fit", args),
            "model": {"syntax": syntax, "source": source},
            "options": {"estimator": res.estimator, "missing": args.missing, "ordered": res.meta.get("ordered") or None,
                        "group": args.group, "group_equal": list(group_equal),
                        "group_partial": list(group_partial), "merge_groups": dict(merged),
                        "se": "bootstrap" if boot else None, "bootstrap": boot,
                        "instrument": str(Path(args.instrument).resolve()) if args.instrument else None,
                        "invariance": bool(args.invariance), "modindices": getattr(args, "modindices", None),
                        "parameterization": getattr(args, "parameterization", "delta")}}


def run(args: argparse.Namespace) -> int:
    from ..errors import EstimationError
    from ..sem import sem
    from ..sem.results import NONCONVERGED_MESSAGE, mark_nonconverged
    from ..datafile import load_data, missing_word_groups, model_columns, naming_file, naming_model
    from ._io import model_syntax, write_json_atomic

    group_equal = [x.strip() for x in (args.equal or "").split(",") if x.strip()]
    free = free_entries(getattr(args, "free", None))
    if (group_equal or args.invariance or args.merge_groups or free) and not args.group:
        raise EstimationError(None, "--equal, --free, --invariance and --merge-groups need --group COLUMN")
    if free and not (group_equal or args.invariance):
        raise EstimationError(None, f"--free {'; '.join(free)}: frees parameters from --equal (lavaan's "
                                    "group.partial) or from the --invariance steps; give one of them")
    if args.print_model and not args.data and not args.group:
        print(model_syntax(args.model, args.instrument)[0])
        return 0
    if not args.data:
        raise _usage_error("give DATA.csv (clean data from `iur-survey clean`)"
                           + ("; --print-model with --group needs the data to count the groups"
                              if args.print_model else ""))
    if not args.out and not args.print_model:
        raise _usage_error("give --out FILE (where to write results.json)")
    if args.bootstrap is not None and args.bootstrap < 2:      # 0 was silently no bootstrap at all
        raise _usage_error(f"--bootstrap {args.bootstrap}: the bootstrap needs at least 2 draws")
    # a plain fit reads the CSV without pandas (start-up, issue 10); sem() hands it to pandas if it must
    plain = not (args.group or args.bootstrap or args.invariance or args.modindices is not None)
    syntax, source = model_syntax(args.model, args.instrument)
    data = load_data(args.data, model_columns(syntax, source), instrument=args.instrument, plain=plain)
    if isinstance(args.ordered, str):
        ordered = [x.strip() for x in args.ordered.split(",") if x.strip()]
    else:
        ordered = True if (args.ordered or args.estimator == "WLSMV") else None
    # WLSMV / ordered items: --invariance runs the ordinal sequence (Wu & Estabrook 2016)
    ordinal_inv = args.invariance and (args.estimator == "WLSMV" or ordered is not None)
    if args.invariance and not ordinal_inv and (args.estimator or "ML") not in ("ML", "MLR"):
        raise EstimationError(None, "--invariance needs --estimator ML, MLR or WLSMV")
    merged: dict = {}
    group_warnings: list = []
    label_warnings: list = []
    relabelled: list[str] = []          # --free paths of the default model given group-specific labels
    unmerged = data            # the invariance sequence merges the same groups itself (and records the mapping)
    if args.group:
        from ..sem.invariance import GROUP_EQUAL_NAMES, prepare_groups
        bad = [x for x in group_equal if x not in GROUP_EQUAL_NAMES and not (x == "thresholds" and ordered)]
        if bad:
            raise EstimationError(None, f"--equal: unknown {', '.join(bad)} (use {', '.join(GROUP_EQUAL_NAMES)})")
        refuse_personal_group(data, args.group, args.data)  # its labels go into every output: never a name
        words = missing_word_groups(data, args.group)      # 'NA' is a group here: said, not guessed either way
        from ..sem.syntax import parse_model
        # the small-group rule counts the measurement model's items; a path model (no =~) counts its variables
        has_lv = any(t.op == "=~" for t in parse_model(syntax, source).terms)
        with naming_model(source):      # the model file, not "<model syntax>" (the syntax is re-read there)
            data, sizes, merged, size_warnings = prepare_groups(data, args.group, syntax, merge=args.merge_groups,
                                                                measurement_only=has_lv)
        syntax, source, label_warnings, relabelled = _group_model(args, syntax, source, len(sizes), group_equal,
                                                                  free)
        group_warnings = words + label_warnings + size_warnings
    if args.print_model:
        print(syntax)
        return 0
    # --invariance alone: the entries free the steps' constraints; a path of the default model freed from
    # --equal regressions is free through its group-specific labels (relabelled), not group.partial
    fit_free = [k for k in free if k not in relabelled] if group_equal else []
    with free_option(), naming_file(args.data):   # data checks name the column and row; the file is ours to add
        res = sem(syntax, data, estimator=args.estimator, missing=args.missing, group=args.group, source=source,
                  ordered=ordered, group_equal=group_equal, group_partial=fit_free,
                  parameterization=args.parameterization,
                  warn=False)           # the fit's warnings are printed below and written to results.json
    if args.group:        # the small-group rule on the cases the fit used (after listwise deletion), not the rows
        from ..sem.invariance import rejudge_group_sizes
        _, size_warns = rejudge_group_sizes(sizes, res, args.group)
        if size_warns is not None:
            group_warnings = words + label_warnings + sizes.attrs.get("merge_notes", []) + size_warns
    # lavaan's single-label warning is dropped where the shared labels are what was asked (the default model with
    # --equal regressions) or where the model file's own label warning (above, with the fix) says it: one warning
    if args.group and (("regressions" in group_equal and not args.model) or label_warnings):
        from ..sem.partable import SINGLE_LABEL_WARNING
        res.warnings = [w for w in res.warnings if w != SINGLE_LABEL_WARNING]
    if relabelled:       # the default model's --free paths carry labels per group because fit gave them so: the
        # class's "stays free, because a label given per group overrides group.equal" would give a second reason
        # for what results.json's group_partial (below) says
        res.warnings = [w for w in res.warnings if not w.startswith('group.equal "regressions" constrains')]
    if args.group:       # the small-group rule above (n >= max(100, q)) already said it of any group this names
        res.warnings = [w for w in res.warnings if "free parameters of its own: fewer cases than parameters" not in w]
    if args.bootstrap and res.meta.get("interaction"):
        from ..sem.interaction import NO_BOOTSTRAP
        raise EstimationError(None, f"--bootstrap: {NO_BOOTSTRAP}")
    if args.bootstrap and res.meta.get("ordered"):
        from ..sem.wlsmv_bootstrap import with_wlsmv_bootstrap
        res = with_wlsmv_bootstrap(res, args.bootstrap, data=data, ci=args.ci, seed=args.seed, workers=args.workers,
                                   scheduler=args.scheduler, progress=False if args.quiet else None,
                                   warn=False)         # printed below with the fit's warnings
    elif args.bootstrap:
        from ..sem.bootstrap import with_bootstrap
        res = with_bootstrap(res, args.bootstrap, data=data, ci=args.ci, seed=args.seed, workers=args.workers,
                             scheduler=args.scheduler, progress=False if args.quiet else None,
                             warn=False)               # printed below with the fit's warnings
    inv = None
    if ordinal_inv:
        from ..sem.wlsmv_invariance import ordinal_invariance
        from ..sem.invariance import measurement_part
        with free_option():
            inv = ordinal_invariance(measurement_part(syntax), unmerged, args.group, missing=res.missing,
                                     parameterization=args.parameterization, merge=merged or None,
                                     workers=args.workers or 1, scheduler=args.scheduler,
                                     progress=False if args.quiet else None, group_partial=free)
    elif args.invariance:
        from ..sem.invariance import measurement_invariance
        with free_option():
            inv = measurement_invariance(syntax, unmerged, args.group, estimator=args.estimator or "ML",
                                         missing=args.missing, merge=merged or None, warn=False, group_partial=free,
                                         workers=args.workers or 1, scheduler=args.scheduler,
                                         progress=False if args.quiet else None)
    payload = res.to_dict()
    if args.group and res.converged:
        from ..sem.compare import group_path_tests
        tests = group_path_tests(res)        # which paths differ between the groups (lavTestWald per path)
        if tests is not None:
            payload["group_path_tests"] = tests
    if fit_free or relabelled:  # the parameters --free released from --equal (lavaan's group.partial)
        from ..sem.partable import _partial_key, group_partial_freed, partial_display
        th_keys = list(res.meta.get("th_partial") or [])     # ordered items: thresholds ("x1|t2") freed
        keys = group_partial_freed(res.partable, group_equal, [k for k in fit_free if "|" not in k]) + th_keys
        keys += [_partial_key(k) for k in relabelled]       # freed by their group-specific labels
        payload["group_partial"] = [partial_display(k) for k in keys]
        for e in payload["estimates"]:          # and each of their rows says so (lavaan: they have no .pN. label)
            if f"{e['lhs']}{e['op']}{e['rhs']}" in keys and e.get("group") is not None:
                e["group_partial"] = True
    if merged:
        payload["groups_merged"] = merged
    if group_warnings:
        payload["warnings"] = list(payload["warnings"]) + group_warnings
    if inv is not None:
        payload.update(inv.to_dict())      # "invariance" (one entry per step) and "invariance_info"
    payload["call"] = call_record(args, syntax, source, group_equal, merged, res, fit_free)
    if res.meta.get("interaction") and res.converged:                 # no SEs otherwise
        payload["interaction"] = interaction_payload(res)
        payload["warnings"] = list(payload["warnings"]) + [r["note"] for r in payload["interaction"] if r.get("note")]
    top_res = None
    if getattr(args, "residuals", None) is not None and res.converged:
        payload["residuals"], top_res = residuals_payload(res, data, n=args.residuals)
    mi_table = None
    if args.modindices is not None:
        from ..sem.modindices import modindices, modindices_records
        mi_table = modindices(res, data, maximum_number=args.modindices or None)
        payload["modindices"] = modindices_records(mi_table)
        if res.partable.equality or "==" in res.partable.op:
            from ..sem.score_test import lav_test_score
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")         # recorded in the JSON and printed below instead
                payload["score_test"] = lav_test_score(res, data, epc=False).to_dict()
            payload["warnings"] = list(payload["warnings"]) + [f"score test: {w}" for w in
                                                               payload["score_test"]["warnings"]]
    payload = mark_nonconverged(payload)
    out = write_json_atomic(payload, args.out, protect=(args.data, args.model, args.instrument))   # all or nothing
    if not res.converged:                        # never printed like a result: one line, exit status 3
        print(f"iur-survey fit: error: {args.data}: {NONCONVERGED_MESSAGE} (wrote {out})", file=sys.stderr)
        return EXIT_NOT_CONVERGED
    _print_results(res, payload, args, inv, group_warnings)
    if mi_table is not None and len(mi_table):
        print("  largest modification indices (exploratory):")
        labels = res.partable.group_labels
        for r in mi_table.head(5).to_dict("records"):      # a multi-group fit: each line names its group
            where = f" [{labels[int(r['group']) - 1]}]" if "group" in r else ""
            print(f"    {r['lhs']} {r['op']} {r['rhs']}{where}: mi={r['mi']:.2f} epc={r['epc']:.3f}")
    if top_res is not None and len(top_res):
        print("  largest standardized residuals (lavaan's residuals(type = \"standardized\")):")
        for r in top_res.head(5).to_dict("records"):
            where = f" [{r['group']}]" if "group" in r else ""
            print(f"    {r['lhs']} ~~ {r['rhs']}{where}: {r['std.res']:.2f}")
    print_warnings("fit", (f"score test: {w}" for w in (payload.get("score_test") or {}).get("warnings", [])))
    print(f"  wrote {out}")
    return 0


def _print_results(res, payload: dict, args, inv, group_warnings: list) -> None:
    """What the terminal shows: the short human summary (always), the full one with --summary."""
    from ..report.format import group_caption
    from ..report.terminal import terminal_summary

    if args.summary:
        print(res.summary())
        print()
    print(terminal_summary(payload, full=args.summary))
    said = [r["note"] for r in payload.get("interaction") or [] if r.get("note")]
    for r in payload.get("interaction") or []:
        if r.get("simple_slopes") and not r.get("note"):
            ss = r["simple_slopes"]
            jn = r["johnson_neyman"]
            f, m = r["term"].split(":")
            where = f" [{group_caption(r['group'], args.group)}]" if r.get("group") is not None else ""
            print(f"  {r['outcome']} ~ {r['term']}{where}: slope of {f} (unstandardized) at {m} = -1/0/+1 SD: "
                  + ", ".join(f"{s['slope']:.3f} [{s['ci.lower']:.3f}, {s['ci.upper']:.3f}]" for s in ss)
                  + f"; standardized interaction (Wen et al. 2010) {r['standardized']:.3f}")
            if jn["lower"] is None:
                print(f"    Johnson-Neyman: the slope of {f} is "
                      + ("significant" if jn["always_significant"] else "not significant")
                      + f" at every value of {m}")
            else:
                where = "between" if jn["inside_significant"] else "outside"
                print(f"    Johnson-Neyman: the slope of {f} is significant {where} {m} = {jn['lower']:.3f} and "
                      f"{jn['upper']:.3f} ({jn['lower_sd']:.2f} and {jn['upper_sd']:.2f} SD)")
    b = getattr(res, "boot", None)
    if b is not None:
        print(f"  bootstrap: B={b.B} successful={b.n_ok} failed={b.n_failed} nonconverged={b.n_nonconverged} "
              f"nonadmissible={b.n_nonadmissible} (kept) ci={b.ci} seed={b.seed} in {b.seconds:.2f}s")
    # warnings on stderr, one line each (stdout may be the summary piped into a file); results.json keeps them
    print_warnings("fit", said + list(res.warnings) + list(group_warnings))
    if inv is not None:          # a numeric group code as "role = 3", as the lines above (audit s22 C4)
        print(inv.summary(caption=lambda g: group_caption(g, args.group)))


def interaction_payload(res) -> list[dict]:
    """The ``"interaction"`` entry of ``iur-survey fit``: per latent interaction and outcome (and group of a
    multi-group fit: ``"group"``, its label) its term, product latent and indicators, the standardized
    coefficient, the simple slopes at -1/0/+1 SD of the moderator and the Johnson-Neyman bounds
    (:mod:`iur_survey.sem.interaction`: semTools' probe2WayMC per group; under std.lv the interaction per unit
    of A x B); where they cannot be computed ``"note"`` says why (it is also one of the fit's warnings).

    >>> import numpy as np, pandas as pd
    >>> from iur_survey.sem import sem
    >>> rng = np.random.default_rng(4)
    >>> a, b = rng.standard_normal((2, 300))
    >>> y = 0.4 * a + 0.3 * b + 0.3 * a * b + rng.standard_normal(300) * .6
    >>> d = pd.DataFrame({f"{v}{i}": x + rng.standard_normal(300) * .5 for v, x in (("a", a), ("b", b), ("y", y))
    ...                   for i in (1, 2, 3)})
    >>> m = "A =~ a1 + a2 + a3\\nB =~ b1 + b2 + b3\\nY =~ y1 + y2 + y3\\nY ~ A + B + A:B"
    >>> [(r["term"], r["outcome"], len(r["simple_slopes"])) for r in interaction_payload(sem(m, d))]
    [('A:B', 'Y', 3)]
    >>> d["g"] = np.repeat(["u", "v"], 150)
    >>> [(r["group"], len(r["simple_slopes"])) for r in interaction_payload(sem(m, d, group="g"))]
    [('u', 3), ('v', 3)]
    """
    from ..errors import EstimationError
    from ..sem.interaction import interaction_groups, johnson_neyman, simple_slopes, standardized_interaction

    out = []
    multi = res.partable.ngroups > 1
    for r in res.meta["interaction"]:
        for g in interaction_groups(res):
            rec = {"term": f"{r['focal']}:{r['moderator']}", "latent": r["latent"], "outcome": r["lhs"],
                   "products": r["products"]}
            label = str(res.partable.group_labels[g]) if multi else None
            if multi:
                rec["group"] = label
            try:
                rec.update(standardized=standardized_interaction(res, r["latent"], outcome=r["lhs"], group=label),
                           simple_slopes=simple_slopes(res, r["latent"], outcome=r["lhs"], group=label)
                           .drop(columns=["outcome", "focal", "moderator_name"] + (["group"] if multi else []))
                           .to_dict("records"),
                           johnson_neyman=johnson_neyman(res, r["latent"], outcome=r["lhs"], group=label))
            except EstimationError as exc:
                where = f" in group {label}" if multi else ""
                rec["note"] = f"{rec['term']} on {r['lhs']}{where}: no simple slopes: {exc.message}"
            out.append(rec)
    return out


def residuals_payload(res, data=None, n: int = 10):
    """The ``"residuals"`` entry of ``iur-survey fit --residuals``: per group (by label; ``""`` for one group)
    the summaries of :func:`~iur_survey.sem.residuals.lav_residuals` for srmr (cor.bentler) and crmr (cor.bollen) as
    ``{column: {row: value}}`` (NaN as None), and the ``n`` largest standardized residuals
    (:func:`largest_residuals`); returned with that table.

    >>> import numpy as np, pandas as pd
    >>> from iur_survey.sem import sem
    >>> rng = np.random.default_rng(2)
    >>> d = pd.DataFrame(rng.standard_normal((120, 1)) @ [[1, .8, .7, .6]] + rng.standard_normal((120, 4)),
    ...                  columns=list("abcd"))
    >>> rec, top = residuals_payload(sem("F =~ a + b + c + d", d), n=3)
    >>> sorted(rec), sorted(rec["summary"][""]), len(rec["largest_standardized"])
    (['largest_standardized', 'summary'], ['crmr', 'srmr'], 3)
    """
    from ..sem.residuals import largest_residuals, lav_residuals
    from ..sem.results import json_number

    labels = list(res.partable.group_labels) if res.partable.ngroups > 1 else [""]
    summ: dict = {lab: {} for lab in labels}
    for type, name in (("cor.bentler", "srmr"), ("cor.bollen", "crmr")):
        out = lav_residuals(res, type, data, zstat=False)
        per = out if res.partable.ngroups > 1 else {"": out}
        for lab in labels:
            tab = per[lab]["summary"]
            summ[lab][name] = {c: {r: json_number(float(tab.at[r, c])) for r in tab.index} for c in tab.columns}
    top = largest_residuals(res, n, data)
    recs = [{k: (json_number(float(v)) if k == "std.res" else v) for k, v in r.items()}
            for r in top.to_dict("records")]
    return {"summary": summ, "largest_standardized": recs}, top
