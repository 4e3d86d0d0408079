"""Fixtures of the bad-input tests: a simulated export, cleaned, as the clean.csv the analysis commands read."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from iur_survey.cli import main


@pytest.fixture(scope="session")
def simulated_clean_csv(tmp_path_factory):
    """A maker of clean.csv files: ``simulate --n N --seed SEED --format csv`` then ``clean``, in a fresh
    temporary folder named ``name``."""
    def make(name: str, n: int, seed: int) -> Path:
        folder = tmp_path_factory.mktemp(name)
        assert main(["simulate", "--n", str(n), "--seed", str(seed), "--format", "csv",
                     "--out", str(folder / "sim")]) == 0
        assert main(["clean", str(folder / "sim" / "export.csv"), "--out", str(folder / "clean")]) == 0
        return folder / "clean" / "clean.csv"
    return make


@pytest.fixture()
def frame(clean_csv) -> pd.DataFrame:
    """The module's ``clean_csv`` as a DataFrame (ids as text)."""
    return pd.read_csv(clean_csv, dtype={"response_id": str})
