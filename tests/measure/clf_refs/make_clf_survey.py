"""The data of test_clf_local_minimum.py: four roles of one seven-construct model, no method factor.

    python tests/measure/clf_refs/make_clf_survey.py

Writes clf_survey.csv next to this script (500 rows, 28 five-point items, 7 % of the answers missing).  The
draws are stored, not redrawn by the test: numpy's multivariate_normal factors the covariance matrix by an SVD,
and the equicorrelated matrix below has four equal eigenvalues, so the LAPACK of another CPU (OpenBLAS's
Haswell or Prescott kernels instead of SkylakeX) returns other eigenvectors of that eigenspace and the same seed
gives different data (chi-square 358.4 instead of 377.8, and no local minimum: the test skipped itself there).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

CONSTRUCTS = {c: [f"{c}{i}" for i in range(1, 5)] for c in ("GOV", "MKT", "BEN", "VAL", "TAL", "COL", "INT")}


def survey(seed: int = 777) -> pd.DataFrame:
    """Four roles of one seven-construct model (no method factor), 5-point items, 7 % of answers missing."""
    rng = np.random.default_rng(seed)
    parts = []
    for role, n in (("enterprise", 200), ("university", 180), ("research_institute", 108), ("government", 12)):
        R = np.full((5, 5), 0.35)
        np.fill_diagonal(R, 1)
        X = rng.multivariate_normal(np.zeros(5), R, size=n)
        a1 = {"enterprise": 0.10, "university": 0.45}.get(role, 0.3)
        col = a1 * X[:, 0] + 0.2 * X[:, 1] + 0.15 * X[:, 2] + 0.15 * X[:, 3] + 0.2 * X[:, 4] + rng.normal(0, 0.7, n)
        it = 0.5 * col + 0.15 * X[:, 0] + 0.1 * X[:, 4] + rng.normal(0, 0.75, n)
        F = np.column_stack([X, col, it])
        obs = {}
        for j, (c, items) in enumerate(CONSTRUCTS.items()):
            for i, lam in zip(items, (0.8, 0.75, 0.7, 0.72)):
                y = lam * F[:, j] / F[:, j].std() + rng.normal(0, 0.6, n)
                obs[i] = (np.digitize(y, [-1.3, -0.5, 0.3, 1.1]) + 1).astype(float)
        parts.append(pd.DataFrame(obs))
    df = pd.concat(parts, ignore_index=True).sample(frac=1, random_state=3).reset_index(drop=True)
    for c in df.columns:
        df.loc[rng.random(len(df)) < 0.07, c] = np.nan
    return df


if __name__ == "__main__":
    survey().to_csv(Path(__file__).resolve().parent / "clf_survey.csv", index=False, float_format="%g")
