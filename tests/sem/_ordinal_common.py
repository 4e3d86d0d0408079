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


def assert_sequence_equals_lavaan(table: pd.DataFrame, ref: dict) -> None:
    """An ordinal invariance sequence's table (one row per step) against lavaan's per-step fit and LRT (``ref``:
    step -> {"fit": {...}, "lrt": {...}}, from the R scripts): df and npar exact, scaled χ² to 1e-4, CFI/RMSEA/SRMR
    to 1e-3, the LRT's df, χ² difference and p."""
    import numpy as np

    tab = table.set_index("step")
    assert list(tab.index) == list(ref)
    for s, r in ref.items():
        f = r["fit"]
        assert int(tab.at[s, "df"]) == int(f["df"]) and int(tab.at[s, "npar"]) == int(f["npar"]), s
        np.testing.assert_allclose(tab.at[s, "chisq.scaled"], f["chisq.scaled"], rtol=1e-4, err_msg=s)
        for k in ("cfi.scaled", "rmsea.scaled", "srmr"):
            np.testing.assert_allclose(tab.at[s, k], f[k], atol=1e-3, err_msg=f"{s} {k}")
        if "lrt" in r:
            assert int(tab.at[s, "df.diff"]) == int(r["lrt"]["df.diff"]), s
            np.testing.assert_allclose(tab.at[s, "chisq.diff"], r["lrt"]["chisq.diff"], rtol=1e-4, err_msg=s)
            np.testing.assert_allclose(tab.at[s, "pvalue.diff"], r["lrt"]["pvalue"], rtol=1e-3, atol=1e-7)


def assert_estimates_equal_lavaan(fit, estimates: list, ops) -> pd.DataFrame:
    """A fit's parameter estimates of the operators ``ops`` against lavaan's table (``estimates``: records with
    lhs, op, rhs, group, est, se, from the R scripts): every lavaan row present, est to 1e-4, se (where lavaan's is
    not 0) to 5e-3 relative.  Returns ours, aligned to lavaan's rows, indexed by lhs, op, rhs, group."""
    import numpy as np

    R = pd.DataFrame(estimates)
    R = R[R["op"].isin(ops)].copy()
    R["rhs"] = R["rhs"].fillna("")
    R = R.set_index(["lhs", "op", "rhs", "group"])
    O = fit.parameter_estimates()
    O = O[O["op"].isin(ops)].set_index(["lhs", "op", "rhs", "group"])
    assert len(R.index.difference(O.index)) == 0
    O = O.loc[R.index]
    np.testing.assert_allclose(O["est"].to_numpy(float), R["est"].to_numpy(float), atol=1e-4)
    ok = R["se"].to_numpy(float) > 1e-8
    np.testing.assert_allclose(O["se"].to_numpy(float)[ok], R["se"].to_numpy(float)[ok], rtol=5e-3)
    O.attrs["lavaan_se_zero"] = ~ok
    return O
