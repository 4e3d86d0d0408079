"""Writes regions_510.csv: three regions (90 / 160 / 260 cases, rows shuffled), two factors of four items each with a
non-invariant loading (east, a3) and intercept (south, b2), a covariate x and an outcome y of both factors.
Run from the repository root: python tests/sem/invariance_refs/make_regions_510.py"""
import numpy as np
import pandas as pd

rng = np.random.default_rng(26)
rows = []
for gi, (g, n) in enumerate({"north": 90, "south": 160, "east": 260}.items()):
    F = rng.multivariate_normal([0.0, 0.2 * gi], [[1.0, 0.4], [0.4, 1.0 + 0.2 * gi]], size=n)
    lam1, lam2 = np.array([1.0, 0.8, 0.7, 0.9]), np.array([1.0, 0.7, 0.6, 0.8])
    if g == "east":
        lam1[2] = 1.1
    nu1, nu2 = np.array([3.0, 2.8, 3.1, 2.9]), np.array([2.5, 2.7, 2.6, 2.4])
    if g == "south":
        nu2[1] += 0.5
    X1 = nu1 + F[:, :1] * lam1 + rng.standard_normal((n, 4)) * 0.6
    X2 = nu2 + F[:, 1:] * lam2 + rng.standard_normal((n, 4)) * 0.7
    x = rng.standard_normal(n)
    y = 0.5 * F[:, 0] + 0.3 * F[:, 1] + 0.2 * x + rng.standard_normal(n) * 0.8
    d = pd.DataFrame(np.hstack([X1, X2]), columns=[f"a{i}" for i in range(1, 5)] + [f"b{i}" for i in range(1, 5)])
    d["y"], d["x"], d["region"] = y, x, g
    rows.append(d)
d = pd.concat(rows, ignore_index=True).sample(frac=1, random_state=3).reset_index(drop=True)
d.round(4).to_csv("tests/sem/invariance_refs/regions_510.csv", index=False)
