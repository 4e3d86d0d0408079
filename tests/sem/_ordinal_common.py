"""The ordinal reference files of tests/sem/test_ordinal.py and test_wlsmv.py (ordinal_refs/, written by the
R scripts there; read only)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

REFS = Path(__file__).resolve().parent / "ordinal_refs"
DATA = Path(__file__).resolve().parents[1] / "reference" / "data"


def load_json(name: str) -> dict:
    return json.loads((REFS / name).read_text())


def load_data(name: str) -> pd.DataFrame:
    """``ordinal_600`` is the shared reference data set; the others live beside the ordinal references."""
    if name == "ordinal_600":
        return pd.read_csv(DATA / "ordinal_600.csv")
    return pd.read_csv(REFS / f"{name}.csv")
