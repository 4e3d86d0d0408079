"""theta_not_pd_300.csv: five 4-category items of one factor, y1 and y2 sharing a second factor at the limit a
positive definite residual matrix allows (loadings .85 and .3 on F, the rest on S), so that the estimate's residual
matrix of y1, y2 is not positive definite (seed 7 of the search that found one).  Run from this folder."""
import numpy as np
import pandas as pd

rng = np.random.default_rng(7)
n = 300
F, S = rng.normal(size=n), rng.normal(size=n)
y = np.column_stack([.85 * F + .527 * S, .3 * F + .954 * S] + [.7 * F + .71 * rng.normal(size=n) for _ in range(3)])
pd.DataFrame(np.digitize(y, [-1, 0, 1]) + 1, columns=[f"y{i}" for i in range(1, 6)]).to_csv(
    "theta_not_pd_300.csv", index=False)
