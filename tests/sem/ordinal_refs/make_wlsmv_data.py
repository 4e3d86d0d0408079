"""Writes wlsmv_groups_630.csv: eight 5-point items, three groups of unequal size, missing cells.

Two correlated factors (F1: a1-a4, F2: b1-b4), groups g1 (320), g2 (190), g3 (120).  Group g2 has
shifted thresholds on a2 and b3 and a weaker loading on b4 (non-invariance to detect); group g3 a
latent mean shift.  About 7 % of the cells are missing completely at random, and three rows miss
every item (lavaan drops such rows under missing = "pairwise").  Deterministic (seed 15).
Run: python tests/sem/ordinal_refs/make_wlsmv_data.py
"""
from pathlib import Path

import numpy as np
import pandas as pd

rng = np.random.default_rng(15)
sizes = {"g1": 320, "g2": 190, "g3": 120}
cuts = np.array([-1.4, -0.5, 0.4, 1.3])
lam = np.array([0.8, 0.7, 0.75, 0.6, 0.7, 0.8, 0.65, 0.7])
frames = []
for g, n in sizes.items():
    phi = np.array([[1.0, 0.45], [0.45, 1.0]])
    f = rng.multivariate_normal([0.3, 0.0] if g == "g3" else [0.0, 0.0], phi, n)
    lg = lam.copy()
    if g == "g2":
        lg[7] = 0.45
    load = np.zeros((8, 2))
    load[:4, 0] = lg[:4]
    load[4:, 1] = lg[4:]
    ystar = f @ load.T + rng.normal(size=(n, 8)) * np.sqrt(1 - lg**2)
    y = np.empty((n, 8))
    for j in range(8):
        c = cuts + (0.35 if g == "g2" and j in (1, 6) else 0.0)
        y[:, j] = 1 + np.searchsorted(c, ystar[:, j])
    d = pd.DataFrame(y, columns=[f"a{k}" for k in range(1, 5)] + [f"b{k}" for k in range(1, 5)])
    d.insert(0, "G", g)
    frames.append(d)
d = pd.concat(frames, ignore_index=True)
items = d.columns[1:]
mask = rng.random((len(d), len(items))) < 0.07
vals = d[items].to_numpy()
vals[mask] = np.nan
vals[[5, 333, 600]] = np.nan
d[items] = vals
d.to_csv(Path(__file__).with_name("wlsmv_groups_630.csv"), index=False, na_rep="")
