"""A pandas-free table of a plain CSV, and Series made on first use, for the start-up of a plain fit (issue 10).

``iur-survey fit`` on a clean CSV needs only the model's columns as numbers; importing pandas to read them
costs more than the fit.  :class:`CsvTable` holds the cells of a CSV that is *plainly* simple (UTF-8 without
a BOM, comma-separated, no quote character, a unique non-empty header, every row as long as the header,
no blank line) and gives a column as floats only when every cell is blank or a plain decimal number of at
most 15 significant digits (for those, Python's and pandas' number parsers give the same double).
Anything else is left to pandas: :meth:`CsvTable.parse` returns None for a file that is not plainly
simple, :meth:`CsvTable.numeric` returns None for a column that is not plainly numeric, and
:meth:`CsvTable.to_frame` is exactly ``pandas.read_csv`` of the same bytes -- what the engine then uses, so
nothing changes but the time.

>>> t = CsvTable.parse(b"id,a,b\\nx,1,2.5\\ny,,-3\\n", dtype={"id": str})
>>> t.columns, len(t), t.numeric("a").tolist(), t.numeric("id")
(['id', 'a', 'b'], 2, [1.0, nan], None)
>>> t.matrix(["a", "b"]).tolist()
[[1.0, 2.5], [nan, -3.0]]
>>> CsvTable.parse(b'id,a\\n"x",1\\n') is None         # quoted cells: pandas reads it
True
"""

from __future__ import annotations

import io
import re
import shlex
from typing import Any, Sequence

import numpy as np

#: the most significant digits a plain cell may have (then both parsers round the same way)
MAX_DIGITS = 15
#: a column of plain numbers (optional minus, digits, optional decimals: no exponent, no space, no plus) and
#: blanks, joined by newlines (one regex call per column)
_PLAIN_COLUMN = re.compile(r"(?:-?[0-9]+(?:\.[0-9]+)?)?(?:\n(?:-?[0-9]+(?:\.[0-9]+)?)?)*")


def _plain_floats(cells: Sequence[str]) -> np.ndarray | None:
    """``cells`` as floats (blank = NaN) when every one is blank or a plain number of at most
    :data:`MAX_DIGITS` digits and none is a negative zero (pandas reads "-0" as 0); else None.

    >>> _plain_floats(["1", "", "-2.50"]).tolist(), _plain_floats(["1", "-0"]), _plain_floats(["1e3"])
    ([1.0, nan, -2.5], None, None)
    """
    if not _PLAIN_COLUMN.fullmatch("\n".join(cells)):
        return None
    if any(len(c) - c.count("-") - c.count(".") > MAX_DIGITS for c in cells if len(c) > MAX_DIGITS):
        return None
    out = np.array([float(c) if c else np.nan for c in cells], dtype=float)
    if any(c.startswith("-") and v == 0.0 for c, v in zip(cells, out.tolist()) if c[:2] == "-0"):
        return None
    return out


def is_table(data: Any) -> bool:
    """True for a :class:`CsvTable` (the engine's cheap check; a DataFrame is detected without pandas).

    >>> is_table(CsvTable.parse(b"a\\n1\\n")), is_table([1])
    (True, False)
    """
    return getattr(type(data), "_csv_table", False)     # not isinstance: true of a reloaded module's too


def is_frame(data: Any) -> bool:
    """True for a pandas DataFrame, checked without importing pandas (a DataFrame exists only if it is).

    >>> is_frame({"a": [1]})
    False
    """
    import sys

    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(data, pd.DataFrame)


class CsvTable:
    """The header and cells (strings) of a plainly simple CSV; see the module docstring."""

    _csv_table = True

    def __init__(self, header: list[str], cells: list[list[str]], raw: bytes, read_csv_kw: dict | None = None):
        self.columns = list(header)
        self._cells = cells                 # rows of strings
        self._raw = raw
        self._kw = dict(read_csv_kw or {})
        self._num: dict[str, np.ndarray | None] = {}
        self._by_column: list[tuple[str, ...]] | None = None

    @classmethod
    def parse(cls, raw: bytes, **read_csv_kw) -> CsvTable | None:
        """The table of ``raw`` (a CSV file's bytes), or None when pandas must read it (see the module
        docstring); ``read_csv_kw`` are the ``pandas.read_csv`` options :meth:`to_frame` uses."""
        if raw.startswith(b"\xef\xbb\xbf") or b'"' in raw or b"\r" in raw:
            return None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return None
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        if len(lines) < 2 or any(not ln for ln in lines):
            return None
        header = lines[0].split(",")
        if len(set(header)) != len(header) or any(not h or h != h.strip() for h in header):
            return None
        k = len(header)
        cells = [ln.split(",") for ln in lines[1:]]
        if any(len(r) != k for r in cells):
            return None
        return cls(header, cells, raw, read_csv_kw)

    def __len__(self) -> int:
        return len(self._cells)

    @property
    def shape(self) -> tuple[int, int]:
        return len(self._cells), len(self.columns)

    def numeric(self, name: str) -> np.ndarray | None:
        """Column ``name`` as floats (blank = NaN), or None when a cell is not a plain number."""
        if name not in self._num:
            if self._by_column is None:
                self._by_column = list(zip(*self._cells))
            col = self._by_column[self.columns.index(name)]
            self._num[name] = _plain_floats(col)
        return self._num[name]

    def plain_numeric(self, names: Sequence[str]) -> bool:
        """True when every column of ``names`` is plainly numeric (:meth:`numeric` is not None)."""
        return all(n in self.columns and self.numeric(n) is not None for n in names)

    def matrix(self, names: Sequence[str]) -> np.ndarray:
        """The columns ``names`` (plainly numeric) as an n x len(names) float matrix."""
        cols = [self.numeric(n) for n in names]
        if any(c is None for c in cols):
            raise ValueError("not every column is plainly numeric: use to_frame()")
        return np.column_stack(cols) if cols else np.empty((len(self), 0))

    def to_frame(self):
        """The DataFrame pandas reads from the same bytes (``pandas.read_csv(raw, **read_csv_kw)``)."""
        import pandas as pd

        return pd.read_csv(io.BytesIO(self._raw), **self._kw)


def lazy_series_property(name: str, make, doc: str) -> property:
    """A dataclass field ``name`` that may be given as a dict (so that a plain fit never imports pandas) and is
    turned into its pandas Series by ``make(obj, the_dict)`` on first read; :func:`raw_field` reads it
    without that.

    >>> class R:
    ...     x = lazy_series_property("x", lambda obj, d: sorted(d), "doc")
    >>> r = R(); r.x = {"b": 1, "a": 2}
    >>> raw_field(r, "x"), r.x, raw_field(r, "x")
    ({'b': 1, 'a': 2}, ['a', 'b'], ['a', 'b'])
    """
    key = "_" + name

    def get(obj):
        v = obj.__dict__.get(key)
        if isinstance(v, dict):
            v = obj.__dict__[key] = make(obj, v)
        return v

    def set_(obj, v):
        obj.__dict__[key] = v

    return property(get, set_, doc=doc)


def raw_field(obj: Any, name: str):
    """What a :func:`lazy_series_property` holds: the dict it was given, or its Series once made."""
    return obj.__dict__.get("_" + name)


def group_label(value: Any) -> str:
    """One group value as text, as R's ``as.character`` makes lavaan's group labels: a whole-number float
    without ``.0`` (a numeric column with a blank cell is read as floats, 7 -> 7.0, and must still be group
    ``"7"``), other numbers with 15 significant digits, anything else ``str()``.

    >>> [group_label(v) for v in (7.0, 8, 7.5, "pasteur", np.float64(12.0))]
    ['7', '8', '7.5', 'pasteur', '12']
    """
    if isinstance(value, (float, np.floating)) and np.isfinite(value):
        return format(float(value), ".15g")
    return str(value)


def group_text(col):
    """A group column (pandas Series) as text labels (:func:`group_label`; missing values stay missing):
    the one place group codes become labels (fits, group sizes, merging, per-group tables).

    >>> import pandas as pd
    >>> group_text(pd.Series([7.0, 8.0, None, 7.0])).tolist()
    ['7', '8', nan, '7']
    """
    out = col.astype(object).map(group_label, na_action="ignore")
    return out.where(col.notna(), np.nan)


#: headers of a column naming the person who collected or entered a response (compared as the reader compares
#: its personal headers): such a column has many cases per name, so the group-size check lets it through
STAFF_HEADERS = ("interviewer", "interviewername", "enumerator", "enumeratorname", "surveyor", "fieldworker",
                 "datacollector", "collector", "访员", "访问员", "调查员", "采访人", "采集人", "录入员", "录入人",
                 "督导", "督导员")


def refuse_personal_group(data, column: str, path=None, option: str = "group=") -> None:
    """Refuse a group column that holds personal data (``iur-survey fit --group``, and :func:`iur_survey.sem.sem`'s
    ``group``, the Python API the book and analysts call): its labels would go into the terminal lines,
    results.json, ``summary()``, the tables and the diagram.  ``option`` is how the message names the column
    (``"--group "`` for the command line).  A column is personal as the reader judges an export's columns
    (:func:`iur_survey.read.assemble.personal_header_kind`: a header of names, e-mail addresses or phone numbers,
    e.g. "name", "姓名", "Email") or by a value (:func:`iur_survey.errors.personal_kind`: an e-mail or IP address,
    a phone or ID-card number).  The error quotes no value.  A column that gives each person a group of their
    own (names under another header, ids) is refused by the group-size check, which gives counts only.

    >>> import pandas as pd
    >>> refuse_personal_group(pd.DataFrame({"sex": ["f", "m"], "role": ["firm", "university"]}), "sex")
    >>> refuse_personal_group(pd.DataFrame({"Your name": ["Li Na", "Wang Fang"]}), "Your name", "d.csv")
    Traceback (most recent call last):
    iur_survey.errors.DataError: d.csv:Your name: group='Your name' is, by its header, a column of names (personal data): its labels would be printed and written into results.json, the tables and the diagram; group by a column of categories (e.g. role, sex, country), or by a copy of this one that holds codes under a header that names no person (e.g. interviewer_code)
    >>> refuse_personal_group(pd.DataFrame({"访问员": ["a"]}), "访问员")
    Traceback (most recent call last):
    iur_survey.errors.DataError: 访问员: group='访问员' is, by its header, a column of names (of the interviewers or data collectors) (personal data): its labels would be printed and written into results.json, the tables and the diagram; group by a column of categories (e.g. role, sex, country), or by a copy of this one that holds codes under a header that names no person (e.g. interviewer_code)
    >>> refuse_personal_group(pd.DataFrame({"contact": ["firm", "a@b.org", "a@b.org"]}), "contact", "d.csv")
    Traceback (most recent call last):
    iur_survey.errors.DataError: d.csv:3:contact: group='contact' holds an e-mail address (1 of its 2 distinct values; the first in this row): personal data is no grouping variable: its labels would be printed and written into results.json, the tables and the diagram; group by a column of categories (e.g. role, sex, country), or by a copy of this one that holds codes under a header that names no person (e.g. interviewer_code)
    """
    row_line = 2         # the file line of data row 0 (the header is line 1), as datacheck._line
    from ..errors import DataError, personal_kind
    from ..read.assemble import _header_key, personal_header_kind

    advice = ("its labels would be printed and written into results.json, the tables and the diagram; group by a "
              "column of categories (e.g. role, sex, country), or by a copy of this one that holds codes under a "
              "header that names no person (e.g. interviewer_code)")
    kind = personal_header_kind(column)
    if not kind and _header_key(column) in {_header_key(h) for h in STAFF_HEADERS}:
        kind = "names (of the interviewers or data collectors)"
    if kind:
        raise DataError(path, f"{option}{column!r} is, by its header, a column of {kind} (personal data): {advice}",
                        column=column)
    frame = data.to_frame() if is_table(data) else data
    if column not in getattr(frame, "columns", ()):
        return                                   # the group check names a missing column
    values = frame[column].astype("string")
    distinct = list(values.dropna().unique())
    hits = [(v, k) for v in distinct for k in [personal_kind(v)] if k]
    if hits:
        first, kind = hits[0]
        row = int(values.fillna("").eq(first).to_numpy().argmax())
        raise DataError(path, f"{option}{column!r} holds {kind} ({len(hits)} of its {len(distinct)} distinct values; "
                              f"the first in this row): personal data is no grouping variable: {advice}",
                        row=row + row_line, column=column)


def position_code_warnings(labels: Sequence[str], group: str) -> list[str]:
    """A warning when the group codes are the numbers 1..G but the data do not give them in that order: lavaan
    numbers the groups by first appearance, so group 1 (the ``group`` column of ``parameter_estimates()``, a
    ``.g1`` label, the first value of ``c(...)``, "Group 1 [2]" in ``summary()``) is then not code 1.

    >>> position_code_warnings(["1", "2", "3"], "wave"), position_code_warnings(["7", "8"], "grade")
    ([], [])
    >>> print(position_code_warnings(["2", "1"], "wave")[0])
    the groups of 'wave' are coded 1..2 but numbered by first appearance in the data, as lavaan numbers them: group 1 is code '2', group 2 is code '1'; group numbers (the group column of the parameter table, .g1 label suffixes, the k-th value of c(...)) are positions, not codes: sort the data by 'wave' to make them agree
    """
    codes = [str(x) for x in labels]
    if len(codes) < 2 or sorted(codes, key=lambda c: (len(c), c)) != [str(k) for k in range(1, len(codes) + 1)] \
            or codes == [str(k) for k in range(1, len(codes) + 1)]:
        return []
    moved = ", ".join(f"group {k} is code {c!r}" for k, c in enumerate(codes, 1) if c != str(k))
    return [f"the groups of {group!r} are coded 1..{len(codes)} but numbered by first appearance in the data, as "
            f"lavaan numbers them: {moved}; group numbers (the group column of the parameter table, .g1 label "
            f"suffixes, the k-th value of c(...)) are positions, not codes: sort the data by {group!r} to make them "
            "agree"]


def near_duplicate_labels(labels: Sequence[str], group: str, counts: dict | None = None) -> list[str]:
    """Warnings for group labels that differ only by letter case or surrounding blanks ("Pasteur" and
    "pasteur "): lavaan keeps them apart, so they are fitted as separate groups, but they are most likely one
    group mistyped.  Each warning names the labels and a typeable (shell-quoted) ``--merge-groups`` that
    joins them into the most frequent one (``counts``: label -> rows).

    >>> w = near_duplicate_labels(["Pasteur", "Grant-White", "pasteur "], "school", {"Pasteur": 150, "pasteur ": 6})
    >>> print(w[0])
    group labels 'Pasteur', 'pasteur ' of 'school' differ only by letter case or surrounding blanks: they are fitted as separate groups; if they are one group, merge them: --merge-groups 'pasteur =Pasteur'
    """
    by_key: dict[str, list[str]] = {}
    for lab in labels:
        by_key.setdefault(" ".join(str(lab).split()).casefold(), []).append(str(lab))
    out = []
    for same in by_key.values():
        if len(same) < 2:
            continue
        into = max(same, key=lambda lab: (counts or {}).get(lab, 0))
        merge = ",".join(f"{lab}={into}" for lab in same if lab != into)
        out.append(f"group labels {', '.join(map(repr, same))} of {group!r} differ only by letter case or "
                   "surrounding blanks: they are fitted as separate groups; if they are one group, merge them: "
                   f"--merge-groups {shlex.quote(merge)}")
    return out


def pair_counts(observed: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """The rows observing both variables of each pair (lavaan's ``lavInspect(fit, "coverage")`` times the rows):
    ``observed`` is rows x variables, true (or 1) where a value is observed; ``weights`` (optional) the number
    of rows each row stands for (the count of a missing-data pattern).  The one formula of pairwise coverage
    that the data checks (:mod:`~iur_survey.sem.datacheck`), FIML's sample statistics
    (:class:`~iur_survey.sem.fiml.SampleStats`) and the polychoric step (:mod:`~iur_survey.sem.ordinal`) use.

    >>> pair_counts(np.array([[1, 0, 1], [0, 1, 1], [1, 0, 1]])).astype(int).tolist()
    [[2, 0, 2], [0, 1, 1], [2, 1, 3]]
    >>> pair_counts(np.array([[1, 0, 1], [0, 1, 1]]), weights=np.array([2, 1])).astype(int).tolist()
    [[2, 0, 2], [0, 1, 1], [2, 1, 3]]
    """
    o = np.asarray(observed, dtype=float)
    return o.T @ (o if weights is None else o * np.asarray(weights, dtype=float)[:, None])


def never_together(both: np.ndarray) -> list[tuple[int, int]]:
    """The pairs of variables (positions ``i < j``, row by row) that no row observes together: the zeros above
    the diagonal of :func:`pair_counts` (``both``), lavaan's 0 % coverage.  The data hold no information on
    their covariance (a planned-missing design, or too sparse data).

    >>> never_together(pair_counts(np.array([[1, 0, 1], [0, 1, 1], [1, 0, 0]])))
    [(0, 1)]
    >>> never_together(np.ones((2, 2)))
    []
    """
    i, j = np.nonzero(np.triu(np.asarray(both) == 0, 1))
    return [(int(a), int(b)) for a, b in zip(i, j)]


#: lavaan's names of full-information ML -> the fit's ``missing``: "fiml" (lavaan's missing = "ml": rows missing a
#: fixed.x covariate deleted first) or "ml.x" (lavaan's "ml.x": those rows kept, the covariates' missing values
#: handled by FIML too); :func:`iur_survey.sem.sem` reads its ``missing`` argument through it
FIML_NAMES = {"fiml": "fiml", "ml": "fiml", "direct": "fiml", "ml.x": "ml.x", "fiml.x": "ml.x", "direct.x": "ml.x"}


def is_fiml(missing) -> bool:
    """Whether a fit's ``missing`` (``res.missing``, results.json's "missing", lavaan's argument) is full-information
    ML: the one test every consumer of a fit uses (not ``== "fiml"``, which would miss "ml.x").

    >>> is_fiml("fiml"), is_fiml("ml.x"), is_fiml("ML"), is_fiml("listwise"), is_fiml(None)
    (True, True, True, False, False)
    """
    return str(missing or "").lower() in FIML_NAMES


def keeps_x_rows(missing) -> bool:
    """Whether a FIML fit kept the rows missing a fixed.x covariate (lavaan's "ml.x" and its aliases).

    >>> keeps_x_rows("ml.x"), keeps_x_rows("fiml"), keeps_x_rows("direct.x")
    (True, False, True)
    """
    return FIML_NAMES.get(str(missing or "").lower()) == "ml.x"


def fitted_data(res: Any, data: Any = None) -> list[np.ndarray]:
    """The per-group data matrices a fit used (columns in each group's variable order), rebuilt from
    ``data`` with :func:`iur_survey.sem.sem`'s rules (rows without a group dropped; listwise deletion, or
    under FIML rows with no observed model variable dropped; fixed.x rows with a missing covariate dropped,
    kept under "ml.x"),
    or taken from ``res.meta["data"]`` when the fit stored them.

    >>> import numpy as np, pandas as pd
    >>> from iur_survey.sem import sem
    >>> rng = np.random.default_rng(2)
    >>> d = pd.DataFrame(rng.standard_normal((60, 1)) @ [[1, .8, .7]] + rng.standard_normal((60, 3)) * .6,
    ...                  columns=["a", "b", "c"])
    >>> d.iloc[0, 0] = np.nan
    >>> [X.shape for X in fitted_data(sem("F =~ a + b + c", d, missing="listwise"), d)]
    [(59, 3)]
    """
    from ..errors import EstimationError

    stored = res.meta.get("data") if isinstance(res.meta, dict) else None
    if stored is not None:
        return [np.asarray(X, float) for X in stored]
    if data is None:
        raise EstimationError(None, "this needs the data the model was fitted to: pass data= (the DataFrame "
                                    "given to sem())")
    if is_table(data):      # `iur-survey fit` reads a plain clean CSV as a CsvTable (fit --residuals under FIML)
        data = data.to_frame()
    pt = res.partable
    group = res.meta.get("group")
    gvals = None
    if group is not None:
        if group not in data.columns:
            raise EstimationError(None, f"group column {group!r} is not in the data")
        data = data.loc[data[group].notna()]
        gvals = group_text(data[group]).to_numpy().astype(str)
    ov_all = pt.ov_all()
    absent = [v for v in ov_all if v not in data.columns]
    if absent:
        raise EstimationError(None, f"variable {absent[0]!r} of the model is not in the data")
    import pandas as pd

    X_all = data[ov_all].apply(pd.to_numeric, errors="coerce").to_numpy(float)
    nan = np.isnan(X_all)
    fiml = is_fiml(res.missing)
    keep = ~nan.all(axis=1) if fiml else ~nan.any(axis=1)
    X_all = X_all[keep]
    if gvals is not None:
        gvals = gvals[keep]
    out = []
    for g in range(pt.ngroups):
        cols = [ov_all.index(v) for v in pt.ov_names[g]]
        rows = slice(None) if gvals is None else (gvals == str(pt.group_labels[g]))
        Xg = X_all[rows][:, cols]
        if fiml and not keeps_x_rows(res.missing) and pt.fixed_x and pt.ov_x_names[g]:   # "ml.x" keeps them
            xi = [pt.ov_names[g].index(v) for v in pt.ov_x_names[g]]
            Xg = Xg[~np.isnan(Xg[:, xi]).any(axis=1)]
        out.append(Xg)
    if [X.shape[0] for X in out] != [int(n) for n in res.nobs]:
        raise EstimationError(None, f"the data have {[X.shape[0] for X in out]} usable cases per group but the "
                                    f"fit used {list(res.nobs)}: pass the DataFrame given to sem()")
    return out
