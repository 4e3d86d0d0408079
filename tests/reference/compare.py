"""Load the lavaan/semTools reference outputs and compare our results with them.

The references are JSON files written by ``make_refs.R`` (see README.md); this module only reads them.

>>> ref = load_reference("hs_cfa")
>>> ref["versions"]["lavaan"], ref["n"], ref["converged"]
('0.6.14', 301, True)
>>> est = reference_estimates(ref)
>>> est.loc[(est.lhs == "visual") & (est.rhs == "x2"), "est"].round(3).tolist()
[0.554]
>>> assert_estimates_close(est, ref)          # a reference equals itself
>>> assert_fit_close(reference_fit(ref), ref)

Usage from a test (run pytest from the repository root, ``python -m pytest``)::

    from tests.reference.compare import load_reference, reference_data, assert_estimates_close, assert_fit_close
    ref = load_reference("ml_complete_800")
    res = sem(ref["model"], reference_data(ref), **ref["call_options"])
    assert_estimates_close(res.parameter_estimates(), ref)
    assert_fit_close(res.fit_measures(), ref)
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
JSON_DIR = HERE / "json"
DATA_DIR = HERE / "data"
MODEL_DIR = HERE / "models"

#: the fit measures every ML-family comparison checks by default (names as lavaan's fitMeasures)
FIT_KEYS = (
    "npar", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df", "cfi", "tli", "rmsea", "rmsea.ci.lower",
    "rmsea.ci.upper", "rmsea.pvalue", "srmr", "logl", "unrestricted.logl", "aic", "bic", "bic2", "ntotal",
)
#: extra keys for robust estimators (MLR; WLSMV has no logl/aic/bic: pass keys explicitly there)
ROBUST_FIT_KEYS = (
    "chisq.scaled", "df.scaled", "pvalue.scaled", "chisq.scaling.factor", "baseline.chisq.scaled",
    "baseline.df.scaled", "baseline.chisq.scaling.factor", "cfi.scaled", "tli.scaled", "rmsea.scaled",
    "rmsea.ci.lower.scaled", "rmsea.ci.upper.scaled", "cfi.robust", "tli.robust", "rmsea.robust",
    "rmsea.ci.lower.robust", "rmsea.ci.upper.robust",
)
REL_KEYS = ("chisq", "aic", "bic", "bic2", "logl", "unrestricted.logl", "baseline.chisq")
KEY_COLUMNS = ("lhs", "op", "rhs")
NUMERIC_COLUMNS = ("est", "se", "z", "pvalue", "ci.lower", "ci.upper", "std.lv", "std.all", "std.nox")


def list_references() -> list[str]:
    """Names of every reference case.

    >>> {"ml_complete_800", "hs_cfa", "poldem"} <= set(list_references())
    True
    """
    return sorted(p.stem for p in JSON_DIR.glob("*.json"))


@lru_cache(maxsize=64)
def _load(name: str) -> str:
    path = JSON_DIR / f"{name}.json"
    if not path.exists():
        raise FileNotFoundError(
            f"no reference {name!r} in {JSON_DIR} (have: {', '.join(list_references())}); "
            "regenerate with `make refs` (Rscript tests/reference/make_refs.R)"
        )
    return path.read_text(encoding="utf-8")


def load_reference(name: str) -> dict:
    """The parsed JSON of reference ``name`` (a fresh copy each call; ``null`` -> None).

    >>> load_reference("poldem")["options"]["estimator"]
    'ML'
    """
    return json.loads(_load(name))


def _ref(ref: Mapping | str) -> Mapping:
    return load_reference(ref) if isinstance(ref, str) else ref


def reference_data(ref: Mapping | str) -> pd.DataFrame:
    """The CSV a reference was fitted on (empty cells -> NaN; item columns as float).

    >>> reference_data("poldem").shape
    (75, 11)
    """
    ref = _ref(ref)
    return pd.read_csv(DATA_DIR / f"{ref['dataset']}.csv")


def reference_estimates(ref: Mapping | str, table: str = "estimates") -> pd.DataFrame:
    """lavaan's parameterEstimates(fit, standardized=TRUE) as a DataFrame (None -> NaN, label "" when absent).

    ``table`` picks another table of the same format (``"estimates_bca_simple"`` of boot_complete_800,
    ``clf`` estimates of a semtools case via ``reference_estimates(ref["clf"])``).

    >>> reference_estimates("poldem").query("label == 'a'")[["lhs", "rhs"]].values.tolist()
    [['dem60', 'y2'], ['dem65', 'y6']]
    """
    ref = _ref(ref)
    df = pd.DataFrame(ref[table])
    if "label" not in df.columns:
        df.insert(3, "label", "")
    df["label"] = df["label"].fillna("")
    for c in df.columns:
        if c in NUMERIC_COLUMNS:
            df[c] = pd.to_numeric(df[c], errors="coerce").astype(float)
    return df


def reference_fit(ref: Mapping | str) -> pd.Series:
    """lavaan's fitMeasures(fit) as a float Series (None -> NaN).

    >>> round(float(reference_fit("hs_cfa")["chisq"]), 3)
    85.306
    """
    ref = _ref(ref)
    return pd.Series({k: (np.nan if v is None else float(v)) for k, v in ref["fit"].items()}, dtype=float)


def reference_matrix(obj: Mapping) -> pd.DataFrame:
    """A matrix stored by make_refs.R ({rownames, colnames, values}) as a labelled DataFrame.

    >>> reference_matrix(load_reference("hs_cfa")["implied"]["cov"]).shape
    (9, 9)
    """
    vals = np.array([[np.nan if v is None else v for v in row] for row in obj["values"]], dtype=float)
    return pd.DataFrame(vals, index=obj["rownames"], columns=obj["colnames"])


def reference_vcov(ref: Mapping | str) -> pd.DataFrame:
    """vcov(fit) with lavaan's row names (labels for labelled parameters; None for big multi-group models).

    >>> reference_vcov("hs_cfa").shape
    (21, 21)
    """
    ref = _ref(ref)
    if not ref.get("vcov"):
        raise KeyError(f"reference {ref['case']!r} stores no vcov (npar too large)")
    return reference_matrix(ref["vcov"])


# ---------------------------------------------------------------------------------------------- comparisons
def _group_key(ours: pd.DataFrame, ref: Mapping, refdf: pd.DataFrame) -> list[str]:
    """Key columns: lhs op rhs (+ group when the reference has several groups)."""
    keys = list(KEY_COLUMNS)
    if "group" in refdf.columns and refdf["group"].nunique() > 1:
        if "group" not in ours.columns:
            raise AssertionError("reference has several groups but our estimates have no 'group' column")
        keys.append("group")
    return keys


def _normalise_groups(ours: pd.DataFrame, ref: Mapping) -> pd.DataFrame:
    """Map group labels (e.g. 'enterprise') to lavaan's 1-based group numbers when needed."""
    if "group" not in ours.columns:
        return ours
    g = ours["group"]
    if pd.api.types.is_numeric_dtype(g):
        return ours.assign(group=g.astype(int))
    labels = ref.get("group_labels") or []
    if isinstance(labels, str):
        labels = [labels]
    mapping = {lab: i + 1 for i, lab in enumerate(labels)}
    unknown = set(g.unique()) - set(mapping)
    if unknown:
        raise AssertionError(f"group labels {sorted(unknown)} not among the reference's {labels}")
    return ours.assign(group=g.map(mapping).astype(int))


def _keyed(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    df = df.copy()
    # `:=` rows are matched by their name only (the rhs expression is spelled differently by each program)
    defined = df["op"] == ":="
    df.loc[defined, "rhs"] = ""
    dup = df.duplicated(keys, keep=False)
    if dup.any():
        raise AssertionError(f"duplicate parameter rows:\n{df.loc[dup, keys].to_string()}")
    return df.set_index(keys)


def _fmt_table(rows: list[dict], limit: int = 40) -> str:
    tab = pd.DataFrame(rows).sort_values("excess", ascending=False)
    more = len(tab) - limit
    text = tab.head(limit).drop(columns="excess").to_string(index=False, float_format=lambda v: f"{v:.6g}")
    return text + (f"\n... and {more} more" if more > 0 else "")


def assert_estimates_close(
    ours: pd.DataFrame,
    ref: Mapping | str,
    est_tol: float = 1e-4,
    se_rtol: float = 5e-3,
    cols: Sequence[str] = ("est", "se", "std.lv", "std.all"),
    *,
    table: str = "estimates",
    ops: Iterable[str] | None = None,
    se_atol: float = 1e-8,
) -> None:
    """Assert our parameter table matches lavaan's, row by row (matched on lhs/op/rhs and group).

    ``est``-like columns (est, std.lv, std.all, std.nox, ci bounds, z) must agree within ``est_tol`` absolutely;
    ``se`` within ``se_rtol`` relative (``se_atol`` absolute floor).  A fixed parameter's SE of 0 in lavaan also
    matches NaN on our side; NaN (lavaan NA) matches NaN.  Every reference row (restricted to ``ops`` when
    given) must be present in ``ours`` and vice versa.  On failure the message shows a diff table sorted by how
    far each cell is outside its tolerance.

    >>> ref = load_reference("hs_cfa")
    >>> mine = reference_estimates(ref)
    >>> mine.loc[1, "se"] *= 1.01                # visual =~ x2
    >>> try:
    ...     assert_estimates_close(mine, ref)
    ... except AssertionError as e:
    ...     print(str(e).splitlines()[0])
    1 of 24 parameters differ from lavaan (hs_cfa; est_tol=0.0001, se_rtol=0.005):
    """
    ref = _ref(ref)
    refdf = reference_estimates(ref, table)
    ours = _normalise_groups(pd.DataFrame(ours), ref)
    if ops is not None:
        ops = set(ops)
        refdf = refdf[refdf["op"].isin(ops)]
        ours = ours[ours["op"].isin(ops)]
    keys = _group_key(ours, ref, refdf)
    missing_cols = [c for c in cols if c not in ours.columns]
    if missing_cols:
        raise AssertionError(f"our estimates lack column(s) {missing_cols}; have {list(ours.columns)}")
    a = _keyed(ours, keys)
    b = _keyed(refdf, keys)
    only_ref = b.index.difference(a.index)
    only_ours = a.index.difference(b.index)
    problems: list[str] = []
    if len(only_ref):
        problems.append(f"rows in lavaan but not ours: {[tuple(i) for i in only_ref][:20]}")
    if len(only_ours):
        problems.append(f"rows in ours but not lavaan: {[tuple(i) for i in only_ours][:20]}")
    common = b.index.intersection(a.index, sort=False)
    bad: list[dict] = []
    for col in cols:
        if col not in b.columns:
            continue
        x = pd.to_numeric(a.loc[common, col], errors="coerce").to_numpy(dtype=float)
        y = b.loc[common, col].to_numpy(dtype=float)
        if col == "se":
            tol = np.maximum(se_rtol * np.abs(y), se_atol)
            ok_nan = (np.isnan(x) & (np.isnan(y) | (y == 0))) | (np.isnan(y) & np.isnan(x))
        else:
            tol = np.full_like(y, est_tol)
            ok_nan = np.isnan(x) & np.isnan(y)
        diff = np.abs(x - y)
        fail = ~ok_nan & ~(diff <= tol)  # NaN on one side only fails
        for i in np.flatnonzero(fail):
            key = common[i]
            row = dict(zip(keys, key if isinstance(key, tuple) else (key,)))
            excess = diff[i] / tol[i] if np.isfinite(diff[i]) else math.inf
            row.update(col=col, ours=x[i], lavaan=y[i], diff=x[i] - y[i], tol=tol[i], excess=excess)
            bad.append(row)
    if bad:
        nrows = len({tuple(r[k] for k in keys) for r in bad})
        problems.insert(
            0,
            f"{nrows} of {len(common)} parameters differ from lavaan ({ref.get('case')}; est_tol={est_tol}, "
            f"se_rtol={se_rtol}):\n{_fmt_table(bad)}",
        )
    if problems:
        raise AssertionError("\n".join(problems))


def assert_fit_close(
    ours: Mapping[str, Any] | pd.Series,
    ref: Mapping | str,
    abs_tol: float = 1e-3,
    rel_keys: Sequence[str] = ("chisq", "aic", "bic", "logl", "unrestricted.logl", "baseline.chisq"),
    rel_tol: float = 1e-4,
    keys: Sequence[str] | None = None,
) -> None:
    """Assert fit measures match lavaan's fitMeasures: ``rel_keys`` relatively (``rel_tol``), others absolutely.

    ``keys`` defaults to :data:`FIT_KEYS` (plus :data:`ROBUST_FIT_KEYS` when the reference has them, e.g. MLR).
    A key lavaan reports as NA must be NaN/None on our side; a key we lack fails.

    >>> ref = load_reference("hs_cfa")
    >>> fm = reference_fit(ref)
    >>> fm["cfi"] += 0.002
    >>> try:
    ...     assert_fit_close(fm, ref)
    ... except AssertionError as e:
    ...     print(str(e).splitlines()[0])
    1 fit measure(s) differ from lavaan (hs_cfa):
    """
    ref = _ref(ref)
    rf = reference_fit(ref)
    if keys is None:
        keys = list(FIT_KEYS) + [k for k in ROBUST_FIT_KEYS if k in rf.index and not np.isnan(rf[k])]
    ours = dict(ours)
    bad: list[dict] = []
    absent = [k for k in keys if k not in ours]
    unknown = [k for k in keys if k not in rf.index]
    for k in keys:
        if k in absent or k in unknown:
            continue
        y = rf[k]
        x = ours[k]
        x = np.nan if x is None else float(x)
        if np.isnan(y) and np.isnan(x):
            continue
        tol = rel_tol * abs(y) if k in rel_keys else abs_tol
        diff = abs(x - y)
        if not diff <= tol:
            bad.append(dict(key=k, ours=x, lavaan=y, diff=x - y, tol=tol,
                            excess=diff / tol if tol > 0 and np.isfinite(diff) else math.inf))
    problems = []
    if bad:
        problems.append(f"{len(bad)} fit measure(s) differ from lavaan ({ref.get('case')}):\n{_fmt_table(bad)}")
    if absent:
        problems.append(f"fit measures missing on our side: {absent}")
    if unknown:
        problems.append(f"keys not in lavaan's fitMeasures: {unknown}")
    if problems:
        raise AssertionError("\n".join(problems))
