"""Writes misfit_600.csv: 28 five-category items GOV1..INT4 that the default model does NOT fit.

The population is the default model (five correlated mechanisms -> COL -> INT, four items each) plus
misspecifications the default model omits: four cross-loadings (GOV4, BEN2, TAL2, INT3 on the next
construct) and a shared residual factor of VAL2 and VAL3.  Some items have a sparse low end
(empty cells in bivariate tables).  WLSMV tests then have chisq >> df, so the scaled / robust
CFI, TLI and RMSEA are away from their bounds.  Deterministic (seed 7).
Run: python tests/sem/ordinal_refs/make_misfit_data.py
"""
from pathlib import Path

import numpy as np
import pandas as pd

rng = np.random.default_rng(7)
N = 600
CONS = ["GOV", "MKT", "BEN", "VAL", "TAL", "COL", "INT"]
PHI = 0.3 * np.ones((5, 5)) + 0.7 * np.eye(5)
X = rng.multivariate_normal(np.zeros(5), PHI, size=N)
col = X @ np.array([0.25, 0.2, 0.15, 0.2, 0.1]) + rng.normal(0, 0.7, N)
intg = 0.5 * col + X @ np.array([0.1, 0.05, 0.0, 0.1, 0.05]) + rng.normal(0, 0.6, N)
F = np.column_stack([X, col, intg])
F = F / F.std(axis=0)
shared = rng.normal(size=N)
data = {}
for j, cn in enumerate(CONS):
    for i in range(4):
        lam = [0.8, 0.7, 0.75, 0.6][i]
        ystar = lam * F[:, j] + np.sqrt(1 - lam**2) * rng.normal(size=N)
        if (j * 4 + i) in (3, 9, 21, 26):
            ystar = ystar + 0.45 * F[:, (j + 1) % 7]
        if (j * 4 + i) in (13, 14):
            ystar = ystar + 0.5 * shared
        th = np.array([-1.8, -0.9, 0.1, 1.0]) + rng.normal(0, 0.4)
        if (j * 4 + i) % 9 == 0:
            th = np.array([-2.6, -1.9, -0.8, 0.5])
        data[f"{cn}{i + 1}"] = 1 + np.searchsorted(th, ystar)
if __name__ == "__main__":     # pytest --doctest-modules imports this file: never write then
    pd.DataFrame(data).to_csv(Path(__file__).with_name("misfit_600.csv"), index=False)
