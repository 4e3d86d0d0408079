"""Writes edge_300.csv: six ordinal items built to hit lavaan's special cases.

b1 b2 b3 binary (a 2x2 table with one empty cell -> zero.add 0.5 keeping margins; b1 x b3 too),
x3 three categories, y7 seven categories, z coded 1 2 4 5 (code 3 never used -> 4 categories),
two rows with a missing cell (listwise deletion).  Deterministic (seed 5).
Run: python tests/sem/ordinal_refs/make_edge_data.py
"""
from pathlib import Path

import numpy as np
import pandas as pd

rng = np.random.default_rng(5)
N = 300
f = rng.normal(size=N)


def item(lam, cuts):
    return 1 + np.searchsorted(np.array(cuts), lam * f + np.sqrt(1 - lam**2) * rng.normal(size=N))


d = pd.DataFrame({
    "b1": item(.8, [1.9]), "b2": item(.7, [-1.2]), "b3": item(.6, [0.0]),
    "x3": item(.7, [-.5, .6]), "y7": item(.75, [-1.5, -1, -.5, 0, .5, 1.2]),
    "z": item(.65, [-1, 0, 1]),
})
d["z"] = d["z"].map({1: 1, 2: 2, 3: 4, 4: 5})
d.loc[(d.b1 == 2) & (d.b2 == 1), "b2"] = 2          # empty cell in the b1 x b2 table
d = d.astype(float)
d.iloc[3, 2] = np.nan
d.iloc[10, 4] = np.nan
if __name__ == "__main__":     # pytest --doctest-modules imports this file: never write then
    d.to_csv(Path(__file__).with_name("edge_300.csv"), index=False)
