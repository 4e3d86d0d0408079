"""The data of make_refs.R (run once; its output data.csv is committed): three factors of three items, no method
factor, 5 % of the cells missing at random: the CFA plus an equal-loading method factor has m at its bound 0."""
import numpy as np
import pandas as pd

rng = np.random.default_rng(9)
n = 300
F = rng.multivariate_normal(np.zeros(3), [[1, .3, .2], [.3, 1, .25], [.2, .25, 1]], n)
cols = {}
for k, c in enumerate("abc"):
    for j in range(1, 4):
        cols[f"{c}{j}"] = np.round(0.7 * F[:, k] + rng.normal(0, .7, n), 2)
d = pd.DataFrame(cols)
d = d.mask(np.random.default_rng(109).random(d.shape) < 0.05)
d.to_csv("data.csv", index=False)
