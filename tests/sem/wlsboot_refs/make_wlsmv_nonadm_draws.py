"""The data and the resample indices of the WLSMV non-admissible-draws reference (test_wlsmv_bootstrap_nonadm.py).

Writes nonadm_one.csv (one factor, four 3-category items, N = 110 + 110 in groups g1 / g2; y1's loading 0.9: a
Heywood case in many draws), nonadm_two.csv (two factors of three 3-category items, N = 120 + 120 in groups g1 / g2,
correlated 0.97 / 0.9: a latent correlation above 1 in many draws) and nonadm_draws.json: per case the model and options and the rows of each of B = 100 draws, made with
iur_survey.sem.bootstrap.draw_indices (0-based, per group, in the groups' order), so that lavaan refits the very
draws ours does (make_wlsmv_nonadm_ref.R).  Run from this directory:
    python make_wlsmv_nonadm_draws.py && Rscript make_wlsmv_nonadm_ref.R
"""

import json

import numpy as np
import pandas as pd

from iur_survey.sem.bootstrap import draw_indices

B, SEED = 100, 11


def one_factor(seed, n):
    rng = np.random.default_rng(seed)
    lam = np.array([.9, .75, .65, .55])
    y = rng.normal(size=(n, 1)) * lam + rng.normal(size=(n, 4)) * np.sqrt(1 - lam ** 2)
    cuts = [(-0.5, 0.6)] * 3 + [(-0.3, 1.9)]          # y4's third category is rare: some draws miss it (failed)
    return pd.DataFrame(np.column_stack([np.digitize(y[:, j], cuts[j]) + 1 for j in range(4)]),
                        columns=["y1", "y2", "y3", "y4"])


def two_factors(seed, n, r=0.97):
    rng = np.random.default_rng(seed)
    F = rng.multivariate_normal([0, 0], [[1, r], [r, 1]], size=n)
    lam = np.array([.75, .7, .65])
    y = np.column_stack([F[:, :1] * lam, F[:, 1:] * lam]) + rng.normal(size=(n, 6)) * np.sqrt(1 - np.r_[lam, lam] ** 2)
    return pd.DataFrame(np.digitize(y, (-0.4, 0.7)) + 1, columns=["a1", "a2", "a3", "b1", "b2", "b3"])


def main():
    one = pd.concat([one_factor(2, 110).assign(g="g1"), one_factor(6, 110).assign(g="g2")], ignore_index=True)
    one.to_csv("nonadm_one.csv", index=False)
    two = pd.concat([two_factors(2, 120).assign(g="g1"), two_factors(4, 120, 0.9).assign(g="g2")], ignore_index=True)
    two.to_csv("nonadm_two.csv", index=False)
    cases = [
        {"name": "one_delta", "data": "nonadm_one.csv", "rows": "g == 'g1'", "model": "F =~ y1 + y2 + y3 + y4",
         "group": None, "parameterization": "delta", "labels": ["1"], "nobs": [110]},
        {"name": "one_groups_delta", "data": "nonadm_one.csv", "rows": None, "model": "F =~ y1 + y2 + y3 + y4",
         "group": "g", "parameterization": "delta", "labels": ["g1", "g2"], "nobs": [110, 110]},
        {"name": "two_theta", "data": "nonadm_two.csv", "rows": "g == 'g1'", "model": "A =~ a1 + a2 + a3\nB =~ b1 + b2 + b3",
         "group": None, "parameterization": "theta", "labels": ["1"], "nobs": [120]},
        {"name": "two_groups_theta", "data": "nonadm_two.csv", "rows": None,
         "model": "A =~ a1 + a2 + a3\nB =~ b1 + b2 + b3", "group": "g", "parameterization": "theta",
         "labels": ["g1", "g2"], "nobs": [120, 120]},
    ]
    for c in cases:
        c.update(B=B, seed=SEED, idx=[[ix.tolist() for ix in draw_indices(SEED, b, c["nobs"])] for b in range(B)])
    with open("nonadm_draws.json", "w") as f:
        json.dump({"cases": cases}, f, separators=(",", ":"))


if __name__ == "__main__":
    main()
