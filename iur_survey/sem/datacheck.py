"""Checks of the data and the model before a fit: what would otherwise crash deep in the
estimator, churn for a minute, or give a silently wrong result.

:func:`check_model_data` runs once per fit (one line in :func:`iur_survey.sem.api.sem`'s path) on
the model's observed variables.  Errors (typed, one line, naming the column and a row) for:

* a value that is not a finite number (``inf``) or is absurdly large (``1e300``: its square overflows);
* a column with fewer than two values (entirely blank), or with no variance (constant): no
  covariance matrix can be positive definite then (lavaan stops too); with groups, a column with
  fewer than two values in one group (lavaan stops too, with "infinite or missing values in 'x'");
* missing-value codes (``-99``, ``-999``, ``99`` ...) left among small item codes: they would be
  analysed as answers;
* a variance fixed at a negative value (``GOV1 ~~ -1*GOV1``).

Warnings (returned, shown with the fit's warnings) for pairwise coverage below 10 % (lavaan's), and for a
pair of columns never observed together (in the data, or in one group; a planned-missing design): lavaan
fits it with a 0 % coverage warning, and so do we (:func:`judge_never_together`: the model alone gives
that covariance; the FIML-corrected robust CFI/RMSEA are NA), and for a non-recursive model (``G ~ F`` and
``F ~ G``, or any longer cycle of regressions): lavaan 0.6.14 fits it and, when it is not
identified, says "Could not compute standard errors! The information matrix could not be
inverted. This may be a symptom that the model is not identified."

>>> import pandas as pd
>>> d = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 2, 2, 2]})
>>> check_model_data(d, ["a", "b"])
Traceback (most recent call last):
...
iur_survey.errors.DataError: b: the column is constant (every value is 2): it has no variance, so the covariance matrix is not positive definite; leave b out of the model
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import numpy as np

from ..errors import DataError, ModelSyntaxError
from .matrices import numeric_positions, post_check_failures
from .table import is_table, never_together, pair_counts

if TYPE_CHECKING:
    import pandas as pd

    from .matrices import Model
    from .partable import ParTable

#: values above this (in absolute value) are not survey data (their squares lose all precision)
MAX_ABS_VALUE = 1e15
#: codes survey tools use for "missing" / "not applicable" that must not be analysed as answers
MISSING_CODES = (-9, -99, -999, -9999, 99, 999, 9999, -8, -98, -998, 98, 998)
#: a column looks like item codes when its other values span at most this range
ITEM_CODE_SPAN = 20
#: lavaan's pairwise-coverage warning threshold (lav_data_missing_patterns: coverage < 0.1)
MIN_COVERAGE = 0.1


def _line(i: int) -> int:
    """The file line of data row ``i`` (0-based; the header is line 1)."""
    return int(i) + 2


def numeric_column(data, column: str, *, file: str | Path | None = None) -> np.ndarray:
    """Column ``column`` of ``data`` (a DataFrame or CsvTable) as floats, empty cells NaN; a cell that is not a
    number is a :class:`~iur_survey.errors.DataError` naming the row, the column and the cell.

    >>> import pandas as pd
    >>> numeric_column(pd.DataFrame({"x": ["1", None, "#N/A"]}), "x", file="d.csv")
    Traceback (most recent call last):
    ...
    iur_survey.errors.DataError: d.csv:4:x: holds the text '#N/A', not a number: only an empty cell is missing; make it empty or give the number
    """
    if is_table(data):
        x = data.numeric(column)
        if x is not None:
            return x
        data = data.to_frame()
    import pandas as pd

    col = data[column]
    if pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype):
        return col.to_numpy(dtype=float)
    if pd.api.types.is_bool_dtype(col.dtype):          # a column of True/False: text, not answers
        num, bad = col.astype(float) * np.nan, col.notna().to_numpy()
    else:
        num = pd.to_numeric(col, errors="coerce")
        bad = (num.isna() & col.notna()).to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        label = data.index[i]
        row = _line(label) if isinstance(label, (int, np.integer)) else None
        raise DataError(file, f"holds the text {str(col.iloc[i])!r}, not a number: only an empty cell is missing; "
                              "make it empty or give the number", row=row, column=str(column))
    return num.to_numpy(dtype=float)


def _numeric(data: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    import pandas as pd

    out = {}
    for c in names:
        col = data[c]
        if pd.api.types.is_bool_dtype(col.dtype) or not pd.api.types.is_numeric_dtype(col.dtype):
            col = pd.to_numeric(col, errors="coerce")     # non-numeric cells: reported by the caller
        out[c] = col.astype(float)
    return pd.DataFrame(out, index=data.index)


def check_finite(x: np.ndarray, column: str, *, file: str | None = None, row=None) -> None:
    """Refuse a value of ``x`` (column ``column``) that is not finite or is too large to be a response
    (:data:`MAX_ABS_VALUE`); ``row(mask)`` gives the file line of the first
    True of a mask (or None).

    >>> check_finite(np.array([1.0, np.inf]), "x", file="d.csv", row=lambda m: 3)
    Traceback (most recent call last):
    ...
    iur_survey.errors.DataError: d.csv:3:x: holds inf, not a finite number
    """
    row = row or (lambda mask: None)
    bad = np.isinf(x)
    if bad.any():
        raise DataError(file, f"holds {x[bad][0]:g}, not a finite number", row=row(bad), column=column)
    big = np.abs(np.nan_to_num(x)) > MAX_ABS_VALUE
    if big.any():
        raise DataError(file, f"holds {x[big][0]:g}, too large to be a response", row=row(big), column=column)


def _row(data: pd.DataFrame, mask: np.ndarray) -> int | None:
    """The line of the first True of ``mask`` in the CSV the frame was read from (header = line 1),
    when the frame still has read_csv's row index; else None.  (A CsvTable's rows are the file's.)"""
    if is_table(data):
        return int(np.flatnonzero(mask)[0]) + 2
    label = data.index[int(np.flatnonzero(mask)[0])]
    return int(label) + 2 if isinstance(label, (int, np.integer)) else None


def check_model_data(data: pd.DataFrame, names: Sequence[str], *, file: str | None = None,
                     partable=None, groups: np.ndarray | None = None, group: str | None = None) -> list[str]:
    """Check the model's observed variables ``names`` in ``data`` (and the parameter table); returns
    warnings, raises :class:`~iur_survey.errors.DataError` / ``ModelSyntaxError``.  ``groups``: the group
    label of every row of ``data`` (a multi-group fit; ``group`` names the column): each group is checked
    too (:func:`check_group_data`)."""
    warnings: list[str] = []
    if partable is not None:
        warnings += _check_partable(partable)
    names = list(dict.fromkeys(names))
    if not names or data.shape[0] == 0:
        return warnings
    X = data.matrix(names) if is_table(data) else _numeric(data, names).to_numpy()
    for j, c in enumerate(names):
        x = X[:, j]
        check_finite(x, c, file=file, row=lambda mask: _row(data, mask))
        obs = x[~np.isnan(x)]
        if obs.size < 2:
            raise DataError(file, f"the column has {'no value' if obs.size == 0 else 'a single value'}: "
                                  "it cannot be in the model", column=c)
        if np.all(obs == obs[0]):
            raise DataError(file, f"the column is constant (every value is {obs[0]:g}): it has no variance, so "
                                  f"the covariance matrix is not positive definite; leave {c} out of the model",
                                  column=c)
        codes = np.isin(x, MISSING_CODES)
        if codes.any():
            rest = x[~codes & ~np.isnan(x)]
            if rest.size and rest.max() - rest.min() <= ITEM_CODE_SPAN and \
                    np.all((x[codes] < rest.min()) | (x[codes] > rest.max())):
                raise DataError(file, f"{int(codes.sum())} cell(s) hold "
                                            f"{', '.join(f'{v:g}' for v in np.unique(x[codes]))} among item codes "
                                            f"{rest.min():g}..{rest.max():g}: missing-value codes? Make them "
                                            "blank cells (or recode them) before fitting",
                                      row=_row(data, codes), column=c)
    obs = ~np.isnan(X)
    if not obs.all():
        both = pair_counts(obs)                     # cases observed on both variables of each pair
        i, j = np.unravel_index(np.argmin(both), both.shape)
        cov = both.min() / X.shape[0]
        if never_together(both):
            warnings.append(judge_never_together(names, both, n=X.shape[0], file=file))
        elif cov < MIN_COVERAGE:
            warnings.append(f"due to missing values, some pairwise combinations have less than "
                            f"{MIN_COVERAGE:.0%} coverage (lowest: {names[i]!r} and {names[j]!r}, "
                            f"{int(both[i, j])} of {X.shape[0]} cases)")
    if groups is not None:
        check_group_data(X, names, groups, group=group, file=file, warnings=warnings)
    return warnings


def variance_warnings(data: pd.DataFrame, names: Sequence[str]) -> list[str]:
    """lavaan's two warnings on the variances of the continuous, non-exogenous observed variables ``names``
    (``lav_data_full``, lavaan's ``varTable``: ``var(x, na.rm = TRUE)`` over every row of the data): one
    variance at least 1000 times another (the optimizer and the information matrix then work on numbers of
    very different sizes), and a variance above 1,000,000 (a missing-value code such as -999999?).  The
    variables are named.

    >>> import pandas as pd
    >>> d = pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [10.0, 25, 30, 42], "c": [1e4, 3e4, 2e4, 9e4]})
    >>> variance_warnings(d, ["a", "b"])
    []
    >>> for w in variance_warnings(d, ["a", "c"]):
    ...     print(w[:64])
    some observed variances are (at least) a factor 1000 times large
    some observed variances are larger than 1000000 (c 1.3e+09): a m
    """
    names = list(dict.fromkeys(names))
    if not names or data.shape[0] < 2:
        return []
    X = data.matrix(names) if is_table(data) else _numeric(data, names).to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        v = np.array([np.nanvar(X[:, j], ddof=1) if np.sum(~np.isnan(X[:, j])) > 1 else np.nan
                      for j in range(len(names))])
    ok = np.isfinite(v)
    if not ok.any():
        return []
    hi, lo = int(np.nanargmax(np.where(ok, v, -np.inf))), int(np.nanargmin(np.where(ok, v, np.inf)))
    out = []
    if v[lo] > 0 and v[hi] / v[lo] > 1000:
        out.append(f"some observed variances are (at least) a factor 1000 times larger than others ({names[hi]} "
                   f"{v[hi]:.2g} against {names[lo]} {v[lo]:.2g}; lavaan warns the same): rescale the variables "
                   "(e.g. divide by a power of 10) so that their variances are of similar size")
    if v[hi] > 1e6:
        out.append(f"some observed variances are larger than 1000000 ({names[hi]} {v[hi]:.2g}): a missing-value "
                   "code, or a variable on a scale too large for the optimizer? (lavaan warns the same)")
    return out


def judge_never_together(names: Sequence[str], both: np.ndarray, where: str = "", *, n: int | None = None,
                           file: str | None = None) -> str:
    """lavaan's 0 % coverage warning naming the pairs, or the error of data too sparse for it (``both``: cases
    observed on both of each pair; ``n``: the rows).  Pairs never observed together are a planned-missing design (forms that leave out different
    blocks of items) when the other pairs are well covered: lavaan fits it, and so does FIML here.  When the
    other pairs are sparse too (a pair observed together in fewer than :data:`MIN_COVERAGE` of the rows),
    the data are too thin for FIML (on 290 rows with 90 % of the cells blank it iterated 90 s and did not
    converge): a :class:`~iur_survey.errors.DataError` instead.

    >>> print(judge_never_together(["x1", "x2", "x4"], np.array([[5, 3, 0], [3, 6, 2], [0, 2, 4]])))
    due to missing values, some pairwise combinations have 0% coverage: 'x1' and 'x4' are never observed together (a planned-missing design?); their covariance comes from the model alone (the unrestricted model does not identify it), and the FIML-corrected robust CFI and RMSEA are not computed
    >>> judge_never_together(["x1", "x2", "x4"], np.array([[50, 3, 0], [3, 60, 20], [0, 20, 40]]), n=100)
    Traceback (most recent call last):
    ...
    iur_survey.errors.DataError: columns 'x1' and 'x4' are never observed together, and 'x1' and 'x2' only in 3 of 100 rows (less than 10%): the data are too sparse for FIML (a planned-missing design leaves the other pairs well covered); leave items out of the model, or collect more complete responses
    """
    both = np.asarray(both)
    never = never_together(both)
    (i, j) = never[0]
    if n is not None:
        seen = np.where(np.triu(np.ones_like(both, dtype=bool), 1) & (both > 0), both, np.inf)
        a, b = np.unravel_index(np.argmin(seen), seen.shape)
        if np.isfinite(seen[a, b]) and seen[a, b] < MIN_COVERAGE * n:
            raise DataError(file, f"columns {names[i]!r} and {names[j]!r} are never observed together{where}, "
                                  f"and {names[a]!r} and {names[b]!r} only in {int(seen[a, b])} of {n} rows (less "
                                  f"than {MIN_COVERAGE:.0%}): the data are too sparse for FIML (a planned-missing "
                                  "design leaves the other pairs well covered); leave items out of the model, or "
                                  "collect more complete responses")
    pairs = [f"{names[a]!r} and {names[b]!r}" for a, b in never]
    more = f" (and {len(pairs) - 3} more pairs)" if len(pairs) > 3 else ""
    return (f"due to missing values, some pairwise combinations have 0% coverage{where}: {'; '.join(pairs[:3])}{more} "
            "are never observed together (a planned-missing design?); "
            "their covariance comes from the model alone (the unrestricted model does not identify it), and the "
            "FIML-corrected robust CFI and RMSEA are not computed")


def check_group_data(X: np.ndarray, names: Sequence[str], groups: np.ndarray, *, group: str | None = None,
                     file: str | None = None, warnings: list[str] | None = None) -> None:
    """Per group of a multi-group fit: every model variable needs two values in every group, else the group's
    variances cannot be estimated (the estimator would stop with an unnamed column).  ``X``: the model
    variables (columns ``names``), one row per entry of ``groups`` (the group labels).  Raises a one-line
    :class:`~iur_survey.errors.DataError` naming the variable(s), the group and the group column.  A pair of
    variables never observed together in a group adds :func:`judge_never_together` to ``warnings``.

    >>> X = np.array([[1.0, 2.0], [2.0, 1.0], [3.0, np.nan], [1.0, np.nan]])
    >>> check_group_data(X, ["GOV1", "TAL4"], np.array(["firm", "firm", "gov", "gov"]), group="role")
    Traceback (most recent call last):
    ...
    iur_survey.errors.DataError: TAL4: has no value in group 'gov' of 'role' (2 rows): its variance and covariances cannot be estimated in that group; leave TAL4 out of the model, or the group out of the data

    A variable every case of a group answered alike is refused as lavaan 0.6.14 refuses it ("some variables have
    no variance in group 2: TAL4"):

    >>> X[2:, 1] = 3.0
    >>> check_group_data(X, ["GOV1", "TAL4"], np.array(["firm", "firm", "gov", "gov"]), group="role")
    Traceback (most recent call last):
    ...
    iur_survey.errors.DataError: TAL4: has no variance in group 'gov' of 'role' (every value is 3, 2 rows): its variance cannot be estimated in that group; leave TAL4 out of the model, or merge the group with another (--merge-groups)
    """
    X = np.asarray(X, dtype=float)
    groups = np.asarray(groups).astype(str)
    if X.shape[0] != groups.shape[0]:
        raise ValueError("check_group_data: one group label per row of X")
    of = f" of {group!r}" if group is not None else ""
    for g in dict.fromkeys(groups.tolist()):
        obs = ~np.isnan(X[groups == g])
        nrow = obs.shape[0]
        count = obs.sum(axis=0)
        low = np.flatnonzero(count < 2)
        if low.size:
            c = names[low[0]]
            what = "no value" if count[low[0]] == 0 else "a single value"
            more = (f" (so do {', '.join(repr(names[k]) for k in low[1:4])}{' ...' if low.size > 4 else ''})"
                    if low.size > 1 else "")
            raise DataError(file, f"has {what} in group {g!r}{of} ({nrow} rows){more}: its variance and covariances "
                                  f"cannot be estimated in that group; leave {c} out of the model, or the group "
                                  "out of the data", column=c)
        Xg = X[groups == g]
        lo, hi = np.nanmin(Xg, axis=0), np.nanmax(Xg, axis=0)
        flat = np.flatnonzero(lo == hi)
        if flat.size:      # lavaan: "some variables have no variance in group 1" (the estimator would hit a singular matrix)
            c = names[flat[0]]
            more = (f" (nor do {', '.join(repr(names[k]) for k in flat[1:4])}{' ...' if flat.size > 4 else ''})"
                    if flat.size > 1 else "")
            same = "the group column itself" if c == group else f"every value is {lo[flat[0]]:g}"
            raise DataError(file, f"has no variance in group {g!r}{of} ({same}, {int(count[flat[0]])} rows){more}: "
                                  f"its variance cannot be estimated in that group; leave {c} out of the model, or "
                                  "merge the group with another (--merge-groups)", column=c)
        if obs.all():
            continue
        both = pair_counts(obs)
        if never_together(both):
            w = judge_never_together(names, both, f" in group {g!r}{of}", n=nrow, file=file)
            if warnings is not None and w not in warnings:
                warnings.append(w)


def _check_partable(pt) -> list[str]:
    for k in range(len(pt.lhs)):
        if pt.op[k] == "~~" and pt.lhs[k] == pt.rhs[k] and not pt.free[k] and pt.user[k] \
                and pt.ustart[k] is not None and np.isfinite(pt.ustart[k]) and pt.ustart[k] < 0:
            raise ModelSyntaxError(pt.source, f"{pt.lhs[k]} ~~ {pt.ustart[k]:g}*{pt.rhs[k]} fixes a variance at a "
                                              "negative value: a variance cannot be negative")
    edges: dict[str, set[str]] = {}
    for k in range(len(pt.lhs)):
        if pt.op[k] == "~":
            edges.setdefault(pt.rhs[k], set()).add(pt.lhs[k])       # rhs -> lhs (cause -> effect)
    cycle = _find_cycle(edges)
    if cycle:
        path = " ~ ".join(reversed(cycle))
        return [f"the model is non-recursive (a feedback loop of regressions: {path}); it may not be identified: "
                "check that the standard errors exist (lavaan warns 'Could not compute standard errors! The "
                "information matrix could not be inverted. This may be a symptom that the model is not "
                "identified.')"]
    return []


def _find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One directed cycle of ``edges`` as a closed path ``[a, b, ..., a]``, else None.

    >>> _find_cycle({"F": {"G"}, "G": {"F"}})
    ['F', 'G', 'F']
    >>> _find_cycle({"F": {"G"}, "G": {"H"}}) is None
    True
    """
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(v: str) -> list[str] | None:
        state[v] = 1
        stack.append(v)
        for w in sorted(edges.get(v, ())):
            if state.get(w) == 1:
                return stack[stack.index(w):] + [w]
            if w not in state:
                found = visit(w)
                if found:
                    return found
        state[v] = 2
        stack.pop()
        return None

    for v in sorted(edges):
        if v not in state:
            found = visit(v)
            if found:
                return found
    return None


def negative_variances(pt: ParTable, est: np.ndarray) -> list[int]:
    """The rows of ``pt`` that are a variable's variance (``~~`` with itself) and negative in ``est`` (one value
    per row): the improper solutions of :func:`post_checks` (whose warnings make the fit also try the other start
    paths, :func:`iur_survey.sem.api._with_fallback_start`)."""
    return [i for i in range(len(pt)) if pt.op[i] == "~~" and pt.lhs[i] == pt.rhs[i] and est[i] < 0]


def post_checks(pt: ParTable, model: Model, theta: np.ndarray, est: np.ndarray, ordered: Sequence[str] = ()
                ) -> list[str]:
    """lavaan's lav_object_post_check warnings: the negative variances named from the parameter table's rows,
    the matrices' checks those of :func:`~iur_survey.sem.matrices.post_check_failures` (the residual matrix of
    the continuous observed variables only: the ``ordered`` items' are never checked, as lavaan's ``num.idx``)."""
    w: list[str] = []
    ovs = set(pt.ov_all())
    lvs = {v for names in pt.lv_names for v in names}
    neg = negative_variances(pt, est)
    neg_ov = [i for i in neg if pt.lhs[i] in ovs]
    neg_lv = [i for i in neg if pt.lhs[i] in lvs]
    if neg_ov:
        names = ", ".join(sorted({pt.lhs[i] for i in neg_ov}))
        w.append(f"some estimated ov variances are negative ({names}): a Heywood case")
    if neg_lv:
        names = ", ".join(sorted({pt.lhs[i] for i in neg_lv}))
        w.append(f"some estimated lv variances are negative ({names})")
    fails = post_check_failures(model, theta, numeric_positions(model, ordered))
    for g in range(model.ngroups):
        txt = f" in group {pt.group_labels[g]}" if pt.ngroups > 1 else ""
        if not neg_lv and fails["cov_lv"][0, g]:
            w.append(f"covariance matrix of latent variables is not positive definite{txt}")
        if not neg_ov and fails["theta"][0, g]:
            w.append("the covariance matrix of the residuals of the observed variables (theta) "
                     f"is not positive definite{txt}")
    return w


def ordinal_warnings(pt, model, res, warnings: list[str], ordered: Sequence[str], est: np.ndarray | None = None,
                     se: np.ndarray | None = None, std_all: np.ndarray | None = None) -> list[str]:
    """The caller's warnings, then the fit's, then the post-estimation checks of a fit with ``ordered`` items (the
    checks' negative-variance warning names the variables and replaces the fit's plain one); given the per-row
    ``est``, ``se`` and ``std_all``, a converged admissible fit is also checked for a weak marker
    (:func:`weak_marker_warnings`, as ML's fits)."""
    post = post_checks(pt, model, res.full_std, model.row_values(res.full_std), ordered)
    warns = list(warnings) + [w for w in res.warnings if w not in warnings]
    if any(w.startswith("some estimated ov variances are negative (") for w in post):
        warns = [w for w in warns if w != "some estimated ov variances are negative"]
    warns += [w for w in post if w not in warns]
    if est is not None and res.converged and not post:
        warns += [w for w in weak_marker_warnings(pt, est, se, std_all) if w not in warns]
    return warns


def vcov_warnings(V: np.ndarray, n_equality: int = 0) -> list[str]:
    """lavaan's check.vcov (lav_model_vcov): the parameters' covariance matrix must be positive definite,
    else the model may not be identified (e.g. a non-recursive pair).  With equality constraints that are
    not shared labels (``n_equality``: the rank of their Jacobian) lavaan first drops that many smallest
    eigenvalues (the constraints' expected zeros) and checks the rest.

    >>> vcov_warnings(np.diag([1.0, -2.0]))[0][:60]
    'the variance-covariance matrix of the estimated parameters ('
    >>> vcov_warnings(np.eye(2)), vcov_warnings(np.diag([1.0, 0.0]), 1)
    ([], [])
    """
    V = np.asarray(V, dtype=float)
    if V.size == 0 or not np.all(np.isfinite(V)):
        return []
    ev = np.linalg.eigvalsh((V + V.T) / 2)[int(n_equality):]      # ascending: the smallest dropped
    if not ev.size:
        return []
    smallest = float(ev.min())
    if smallest >= np.finfo(float).eps ** 0.75:
        return []
    return [f"the variance-covariance matrix of the estimated parameters (vcov) does not appear to be positive "
            f"definite! The smallest eigenvalue (= {smallest:e}) is {'smaller than zero' if smallest < 0 else 'close to zero'}. "
            f"This may be a symptom that the model is not identified."]


#: a factor variance whose Wald z is below this does not differ from zero (two-sided 5 %)
WEAK_MARKER_Z = 1.959963984540054
#: the marker is weak when its standardized loading is below this share of the smallest of its factor's other ones
WEAK_MARKER_SHARE = 0.5


def weak_marker_warnings(pt: ParTable, est: np.ndarray, se: np.ndarray, std_all: np.ndarray) -> list[str]:
    """Empirical underidentification by the marker (not a lavaan check: lavaan 0.6.14 stays silent): a factor
    whose scale is set by a fixed loading (its marker), whose variance is free and does not differ from zero
    (Wald z below :data:`WEAK_MARKER_Z`) while its marker's standardized loading (std.all) is below
    :data:`WEAK_MARKER_SHARE` of the smallest of its other indicators'.  The factor is measured, but by its
    other indicators: its scale rests on an item that barely measures it, so its variance sits near zero and
    its other loadings are inflated in proportion (Rindskopf 1984; Kenny's "empirical underidentification"),
    unstable in the data: lavaan's optimizer often runs off along the ridge where the variance goes to 0 and
    does not converge (fuzz31's ``item_in_two.lav``: GOV3 on GOV and, as marker, on MKT, std.all -0.086;
    tests/sem/weak_marker_refs).  The standardized solution does not depend on the marker.  Only exogenous
    factors (not on the left of ``~``: their ``~~`` row is their variance) are checked, one warning per factor
    and group; the caller checks a converged, admissible solution only (:func:`post_checks` silent: a Heywood
    case is said already, as in the 30-case group of tests/sem/test_simple_start.py).

    >>> from iur_survey.sem.partable import build_partable
    >>> pt = build_partable("F =~ x1 + x2 + x3")
    >>> est = np.array([1.0, -7.3, -7.2, .9, .6, .5, .013]); se = np.array([0, 3.1, 3.2, .1, .1, .1, .011])
    >>> std = np.array([.10, -.71, -.77, .99, .5, .4, 1.0])
    >>> weak_marker_warnings(pt, est, se, std)[0][:119]
    'empirical underidentification: the variance of F (0.013, SE 0.011, z = 1.18) does not differ from zero while its marker'
    >>> weak_marker_warnings(pt, est, se, np.array([.5, -.71, -.77, .99, .5, .4, 1.0]))     # a marker that loads
    []
    """
    out: list[str] = []
    n = len(pt.lhs)
    for g in sorted(set(pt.group)):
        rows = [i for i in range(n) if pt.group[i] == g]
        endo = {pt.lhs[i] for i in rows if pt.op[i] == "~"}
        factors = list(dict.fromkeys(pt.lhs[i] for i in rows if pt.op[i] == "=~"))
        where = f" in group {pt.group_labels[g - 1]}" if pt.ngroups > 1 and pt.group_labels else ""
        for f in factors:
            if f in endo:
                continue
            loads = [i for i in rows if pt.op[i] == "=~" and pt.lhs[i] == f]
            marker = [i for i in loads if pt.free[i] == 0 and est[i] != 0]
            others = [i for i in loads if pt.free[i] != 0]
            var = [i for i in rows if pt.op[i] == "~~" and pt.lhs[i] == f and pt.rhs[i] == f and pt.free[i] != 0]
            if len(marker) != 1 or not others or len(var) != 1:
                continue
            m, v = marker[0], var[0]
            if not (est[v] > 0 and np.isfinite(se[v]) and se[v] > 0 and est[v] / se[v] < WEAK_MARKER_Z):
                continue
            s_m = abs(std_all[m])
            s_o = np.abs(std_all[others])
            if not (np.isfinite(s_m) and np.all(np.isfinite(s_o)) and s_m < WEAK_MARKER_SHARE * s_o.min()):
                continue
            rng = f"{s_o.min():.2f}" if len(s_o) == 1 or np.isclose(s_o.min(), s_o.max()) else \
                f"{s_o.min():.2f}-{s_o.max():.2f}"
            loadings = ", ".join(f"{pt.rhs[i]} {est[i]:.3g}" for i in others)
            out.append(
                f"empirical underidentification: the variance of {f}{where} ({est[v]:.3g}, SE {se[v]:.2g}, z = "
                f"{est[v] / se[v]:.2f}) does not differ from zero while its marker {pt.rhs[m]} (loading fixed at "
                f"{est[m]:g}) has a standardized loading of {std_all[m]:.2f} against {rng} for {f}'s other "
                f"indicators: {f}'s scale rests on an item that barely measures it, so its variance and its "
                f"unstandardized loadings ({loadings}) are unstable (lavaan 0.6.14's optimizer often runs off and "
                f"does not converge on such a model); its standardized estimates do not depend on the marker. "
                f"Fix {f}'s variance instead (std.lv: '{f} =~ NA*{pt.rhs[m]} + ...' and '{f} ~~ 1*{f}') or take as "
                f"its marker an indicator that loads well")
    return out


# lavaan's tolerances: R's solve() refuses a matrix whose reciprocal condition number (LAPACK dgecon,
# 1-norm) is below .Machine$double.eps; lavaan's eigenvalue checks use .Machine$double.eps^(3/4).
SOLVE_TOL = float(np.finfo(float).eps)
EIGEN_TOL = float(np.finfo(float).eps) ** 0.75
#: a null direction of Delta is flat (not identified) unless the observed information curves along it by more
#: than this share of its norm: far above the 4-point difference's rounding (about 1e-10 relative, h = 1e-6)
CURVATURE_TOL = 1e-7
CANNOT_INVERT = ("Could not compute standard errors! The information matrix could not be inverted. "
                 "This may be a symptom that the model is not identified.")


def information_inverse(info: np.ndarray) -> np.ndarray | None:
    """The inverse of an information matrix by lavaan's rule (``lav_model_information_augment_invert``:
    ``try(solve(information))``), or None where R's ``solve()`` fails: LAPACK ``dgesv`` finds the matrix
    exactly singular, or the reciprocal condition number that ``dgecon`` estimates (1-norm) is below
    ``.Machine$double.eps``.  lavaan then warns :data:`CANNOT_INVERT` and reports every SE as NA.

    >>> information_inverse(np.diag([2.0, 4.0])).diagonal().tolist()
    [0.5, 0.25]
    >>> information_inverse(np.array([[1.0, 1.0], [1.0, 1.0 + 1e-17]])) is None
    True
    """
    from scipy.linalg import lapack

    a = np.asarray(info, dtype=float)
    if a.size == 0:
        return np.zeros((0, 0))
    if not np.all(np.isfinite(a)):
        return None
    lu, piv, status = lapack.dgetrf(a)
    if status != 0:                                     # exactly singular: U[k, k] == 0
        return None
    rcond, status = lapack.dgecon(lu, float(np.abs(a).sum(axis=0).max()), norm="1")
    if status != 0 or not rcond >= SOLVE_TOL:
        return None
    inv, status = lapack.dgetri(lu, piv)
    return inv if status == 0 else None


def unidentified_parameters(deltas: list[np.ndarray], information: np.ndarray | None = None) -> np.ndarray:
    """Indices of the parameters that move along a null direction of the model's Jacobian
    ``Delta = d moments / d theta`` (stacked over groups) at the estimate: the model is not locally
    identified there, and its information matrix is singular in exact arithmetic.

    lavaan inverts that matrix in floating point, so what it reports then depends on rounding: on one data
    set ``solve()`` fails (:data:`CANNOT_INVERT`, every SE NA), on another the inverse is huge and
    indefinite, and the parameters of the null direction get negative variances (SE NA) and the
    vcov warning.  Both are the same fact; we report it without the rounding: these parameters get
    SE NA.  The rank is judged against lavaan's eigenvalue tolerance ``eps^(3/4)`` (relative).

    ``information``: the OBSERVED information the vcov inverts (lavaan's ``information = "observed"``, the
    default with FIML).  A null direction of Delta along which it still curves (its quadratic form above
    :data:`CURVATURE_TOL` of its norm) is identified at second order: a parameter at a point where the moments
    do not move to first order, such as an equal method loading estimated at its bound 0 (the sign of ``m``
    in ``m^2``).  lavaan's observed-information SE is finite there, and so is ours; only the flat directions count.

    >>> D = [np.array([[0.0, 1.0], [0.0, 2.0]])]          # the moments do not move with the first parameter
    >>> unidentified_parameters(D), unidentified_parameters(D, np.diag([0.5, 3.0]))
    (array([0]), array([], dtype=int64))

    >>> unidentified_parameters([np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]])])
    array([0, 1])
    >>> unidentified_parameters([np.eye(3)])
    array([], dtype=int64)
    """
    D = np.vstack([np.asarray(d, dtype=float) for d in deltas])
    q = D.shape[1]
    if q == 0 or not np.all(np.isfinite(D)):
        return np.zeros(0, dtype=np.int64)
    if D.shape[0] > q:                  # same singular values and right vectors, without the tall U
        D = np.linalg.qr(D, mode="r")
    _, s, vt = np.linalg.svd(D, full_matrices=True)
    s = np.concatenate([s, np.zeros(max(0, q - len(s)))])
    null = vt[s <= EIGEN_TOL * max(float(s[0]), 1e-300)]
    if len(null) and information is not None:
        info = np.asarray(information, dtype=float)
        if info.shape == (q, q) and np.all(np.isfinite(info)):
            info = 0.5 * (info + info.T)
            w, u = np.linalg.eigh(null @ info @ null.T)         # the information on the null space
            null = u[:, w <= CURVATURE_TOL * max(float(np.linalg.norm(info, 2)), 1e-300)].T @ null
    if not len(null):
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.sqrt((null ** 2).sum(axis=0)) > 1e-6)


def unidentified_warning(names: list[str]) -> str:
    """lavaan's vcov warning for :func:`unidentified_parameters` (the smallest eigenvalue is a rounding
    artefact there, so the parameters are named instead).

    >>> unidentified_warning(["G~F", "F~G"])[:62]
    'The variance-covariance matrix of the estimated parameters (vc'
    """
    return ("The variance-covariance matrix of the estimated parameters (vcov) does not appear to be positive "
            "definite! The information matrix is singular at the estimate: " + ", ".join(names)
            + " are not identified (their standard errors are NA). This may be a symptom that the model is "
            "not identified.")
