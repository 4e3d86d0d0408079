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
    """A copy of ``frame`` with every reverse-keyed item present recoded ``min + max - x``."""
    out = frame.copy()
    for code in instrument.reverse_items:
        if code in out.columns:
            out[code] = instrument.scale_min + instrument.scale_max - out[code]
    return out
