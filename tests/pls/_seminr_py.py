"""Adapter to the seminr Python port (seminr==0.2.1, GPL-3; a test-only cross-check, never imported by
iur_survey): fit the same model with seminr and return its estimates as plain numpy/pandas objects."""

from __future__ import annotations

import numpy as np
import pandas as pd

try:
    import seminr  # noqa: F401
except ImportError:                      # collected as a doctest module too: skip cleanly without seminr
    import pytest
    pytest.skip("seminr (test-only peer) is not installed", allow_module_level=True)

from seminr import (composite, constructs, estimate_pls, mode_A, path_factorial, path_weighting,  # noqa: E402
                    paths, relationships)


def fit(data: pd.DataFrame, model, scheme: str = "path"):
    """seminr's ``estimate_pls`` of a :class:`iur_survey.pls.PLSModel` (mode A composites)."""
    mm = constructs(*[composite(c, list(items), weights=mode_A) for c, items in model.blocks.items()])
    sm = relationships(*[paths(from_=s, to=t) for s, t in model.paths])
    cols = list(model.items)
    frame = {c: data[c].astype(float).tolist() for c in cols}
    inner = path_weighting if scheme == "path" else path_factorial
    return estimate_pls(frame, mm, sm, inner_weights=inner)


def frame(nm) -> pd.DataFrame:
    """A seminr NamedMatrix as a DataFrame."""
    return pd.DataFrame(np.asarray(nm.values), index=list(nm.rows), columns=list(nm.cols))
