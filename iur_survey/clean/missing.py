"""Item nonresponse: reported, never a reason to exclude.

>>> from iur_survey.instrument import load_instrument
>>> df = pd.DataFrame({"GOV1": [1.0, None, 3.0], "GOV2": [2.0, None, None]})
>>> item_missing(df, load_instrument())
   item  n_missing  pct_missing
0  GOV1          1    33.333333
1  GOV2          2    66.666667
>>> s = missing_summary(df, load_instrument())
>>> s["n_missing_cells"], s["per_respondent"], s["patterns"][0]
(3, {'0': 1, '1': 1, '2': 1}, {'missing': ['GOV2'], 'n': 1})
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..instrument import Instrument


def pattern_index(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of a boolean matrix and, per row, which one it is (fast for 100k rows).

    Rows are packed into integers (up to 62 columns), so this sorts one integer per row
    instead of comparing whole rows.

    >>> masks, inverse = pattern_index(np.array([[True, False], [False, False], [True, False]]))
    >>> masks.tolist(), inverse.tolist()
    ([[False, False], [True, False]], [1, 0, 1])
    """
    n, p = mask.shape
    if p <= 62:
        key = mask.astype(np.int64) @ (np.int64(1) << np.arange(p, dtype=np.int64))
        keys, inverse = np.unique(key, return_inverse=True)
        masks = ((keys[:, None] >> np.arange(p)) & 1).astype(bool)
    else:  # pragma: no cover - more than 62 items
        masks, inverse = np.unique(mask, axis=0, return_inverse=True)
    return masks, np.asarray(inverse).ravel()


def item_columns(frame: pd.DataFrame, instrument: Instrument) -> list[str]:
    """The instrument's item codes present in ``frame``, in questionnaire (codebook) order."""
    return [c for c in instrument.item_codes if c in frame.columns]


def item_missing(frame: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """Missing answers per item: ``item``, ``n_missing``, ``pct_missing`` (of the rows of ``frame``)."""
    cols = item_columns(frame, instrument)
    n = frame[cols].isna().sum().to_numpy()
    return pd.DataFrame({"item": cols, "n_missing": n.astype(int),
                         "pct_missing": 100.0 * n / max(len(frame), 1)})


def missing_patterns(frame: pd.DataFrame, instrument: Instrument, top: int | None = 10) -> pd.DataFrame:
    """The missing-data patterns (the set of unanswered items) and how many rows have each, commonest first.

    >>> from iur_survey.instrument import load_instrument
    >>> df = pd.DataFrame({"GOV1": [1.0, None, None], "GOV2": [2.0, 1.0, 3.0]})
    >>> missing_patterns(df, load_instrument())
      missing  n
    0    GOV1  2
    1          1
    """
    cols = item_columns(frame, instrument)
    miss = frame[cols].isna().to_numpy()
    if len(miss) == 0:
        return pd.DataFrame({"missing": pd.Series(dtype=str), "n": pd.Series(dtype=int)})
    pats, inverse = pattern_index(miss)
    counts = np.bincount(inverse, minlength=len(pats))
    order = np.lexsort((pats.sum(axis=1), -counts))
    if top is not None:
        order = order[:top]
    names = np.array(cols)
    return pd.DataFrame({"missing": [" ".join(names[pats[i]]) for i in order],
                         "n": counts[order].astype(int)})


def missing_summary(frame: pd.DataFrame, instrument: Instrument, top: int = 10, not_shown=None) -> dict[str, Any]:
    """A JSON-ready summary of item nonresponse in ``frame`` (the report's ``missing`` entry).

    Keys: ``n_rows``, ``n_items``, ``n_cells``, ``n_missing_cells``, ``pct_missing_cells``,
    ``n_rows_with_missing``, ``per_item`` ({item: n_missing}), ``per_respondent``
    ({number of missing items: rows}), ``patterns`` (the ``top`` commonest patterns
    with at least one missing item).  Every missing cell counts (FIML reads them all as missing); with
    ``not_shown`` (item code -> bool per row of ``frame``: the export's "question not shown" marks, 问卷星's -3 /
    (跳过)) also ``n_not_shown_cells``, those of them skip logic hid: not item nonresponse.

    >>> from iur_survey.instrument import load_instrument
    >>> f = pd.DataFrame({"GOV1": [1.0, np.nan, np.nan], "GOV2": [2.0, 3.0, np.nan]})
    >>> m = missing_summary(f, load_instrument(), not_shown={"GOV1": np.array([False, True, False])})
    >>> m["n_missing_cells"], m["n_not_shown_cells"]
    (3, 1)
    """
    cols = item_columns(frame, instrument)
    miss = frame[cols].isna().to_numpy()
    hidden = 0
    for c, m in (not_shown or {}).items():
        m = np.asarray(m, dtype=bool)
        if c in cols and len(m) == len(frame):
            hidden += int((m & miss[:, cols.index(c)]).sum())
    per_row = miss.sum(axis=1)
    n_cells = int(miss.size)
    pats = missing_patterns(frame, instrument, top=None)
    pats = pats[pats["missing"] != ""].head(top)
    counts = np.bincount(per_row, minlength=1) if len(per_row) else np.zeros(1, dtype=int)
    return {
        "n_rows": int(len(frame)),
        "n_items": len(cols),
        "n_cells": n_cells,
        "n_missing_cells": int(miss.sum()),
        "pct_missing_cells": round(100.0 * miss.sum() / n_cells, 4) if n_cells else 0.0,
        "n_rows_with_missing": int((per_row > 0).sum()),
        "per_item": {c: int(v) for c, v in zip(cols, miss.sum(axis=0))},
        "per_respondent": {str(k): int(v) for k, v in enumerate(counts) if v},
        "patterns": [{"missing": p.split(), "n": int(n)} for p, n in zip(pats["missing"], pats["n"])],
        **({"n_not_shown_cells": hidden} if not_shown else {}),
    }
