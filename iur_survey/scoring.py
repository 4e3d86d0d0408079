"""Scoring: reverse-keyed items.

>>> import pandas as pd
>>> from iur_survey.instrument import load_instrument
>>> inst = load_instrument()
>>> df = pd.DataFrame({"GOV3": [1.0, 5.0, None], "GOV1": [2.0, 2.0, 2.0]})
>>> reverse_score(df, inst)["GOV3"].tolist()
[5.0, 1.0, nan]
"""

from __future__ import annotations

import pandas as pd

from .instrument import Instrument


def reverse_score(frame: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """A copy of ``frame`` with every reverse-keyed item present recoded ``min + max - x`` on the item's own scale.

    >>> from iur_survey.instrument import parse_instrument
    >>> mixed = parse_instrument({"scale": {"min": 1, "max": 5}, "constructs": {
    ...     "A": {"items": ["A1", "A2"], "reverse": ["A2"]},
    ...     "B": {"items": ["B1", "B2"], "reverse": ["B2"], "scale": {"min": 1, "max": 7}}}})
    >>> reverse_score(pd.DataFrame({"A2": [1.0, 5.0], "B2": [1.0, 7.0]}), mixed).to_dict("list")
    {'A2': [5.0, 1.0], 'B2': [7.0, 1.0]}
    """
    out = frame.copy()
    for code in instrument.reverse_items:
        if code in out.columns:
            out[code] = instrument.reverse_score(out[code], code)
    return out
