"""References for the PLS-SEM tests of degenerate resamples, made WITHOUT iur_survey (numpy only).

Run from the repository root:  python tests/pls/reference/make_pls_refs.py
Writes tests/pls/reference/rare_item_40.csv, yesno_30.csv and pls_refs.json.

The PLS algorithm here is a plain data-matrix implementation of Lohmoeller's (1989) steps (mode A, path weighting,
unit-variance composites, stop when the summed absolute weight change is below 1e-12, composites oriented
so that their loadings sum to a positive number), written from the published formulas.  The bootstrap resamples
are ``numpy.random.default_rng(seed).integers(0, n, size=(B, n))`` (the documented draws of
iur_survey.pls.bootstrap.resample_indices).  A resample in which an indicator is constant, or in which the
predictors of a path regression are perfectly collinear, cannot be fitted: it is left out (and counted).
"""

import json
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def _standardize(X):
    return (X - X.mean(0)) / X.std(0, ddof=1)


def pls(X, blocks, paths, tol=1e-12, max_iter=1000):
    """Mode-A PLS path model, path weighting: {'B': paths (J x J, i -> j), 'load': [per block], 'W': [...]}."""
    Z = _standardize(np.asarray(X, float))
    J = len(blocks)
    P = np.zeros((J, J))
    for s, t in paths:
        P[s, t] = 1

    def scores(W):
        Y = np.column_stack([Z[:, b] @ w for b, w in zip(blocks, W)])
        sd = Y.std(0, ddof=1)
        return Y / sd, [w / s for w, s in zip(W, sd)]

    Y, W = scores([np.ones(len(b)) for b in blocks])
    for _ in range(max_iter):
        C = np.corrcoef(Y, rowvar=False)
        E = np.zeros((J, J))
        for j in range(J):
            preds = [i for i in range(J) if P[i, j]]
            if preds:
                E[preds, j] = np.linalg.lstsq(Y[:, preds], Y[:, j], rcond=None)[0]
            for i in range(J):
                if P[j, i]:
                    E[i, j] = C[i, j]
        Yt = Y @ E
        Yn, Wn = scores([Z[:, b].T @ Yt[:, j] / (len(Z) - 1) for j, b in enumerate(blocks)])
        diff = sum(np.abs(a - b).sum() for a, b in zip(Wn, W))
        Y, W = Yn, Wn
        if diff < tol:
            break
    for j, b in enumerate(blocks):
        if sum(np.corrcoef(Z[:, k], Y[:, j])[0, 1] for k in b) < 0:
            W[j], Y[:, j] = -W[j], -Y[:, j]
    B = np.zeros((J, J))
    for j in range(J):
        preds = [i for i in range(J) if P[i, j]]
        if preds:
            B[preds, j] = np.linalg.lstsq(Y[:, preds], Y[:, j], rcond=None)[0]
    load = [[float(np.corrcoef(Z[:, k], Y[:, j])[0, 1]) for k in b] for j, b in enumerate(blocks)]
    return {"B": B, "load": load, "W": W}


def lik(z):
    return np.digitize(z, [-1.5, -0.5, 0.5, 1.5]) + 1.0


def rare_item_data():
    """n = 40; A =~ a1 + a2, B =~ b1 + b2, B ~ A; b2 is 1 for 38 respondents and 5 for the 2 highest on B."""
    rng = np.random.default_rng(11)
    n = 40
    f = rng.standard_normal(n)
    g = 0.6 * f + 0.8 * rng.standard_normal(n)
    X = np.column_stack([lik(f + .6 * rng.standard_normal(n)), lik(f + .6 * rng.standard_normal(n)),
                         lik(g + .6 * rng.standard_normal(n)), np.ones(n)])
    X[np.argsort(-g)[:2], 3] = 5.0
    return ["a1", "a2", "b1", "b2"], X


def yesno_data():
    """n = 30; X =~ x, Z =~ z (yes/no items coded 1/5 that differ on 2 cases), Y =~ y1 + y2, Y ~ X + Z."""
    rng = np.random.default_rng(2)
    n = 30
    x = rng.integers(0, 2, n) * 4 + 1.0
    z = x.copy()
    z[:2] = 6 - z[:2]
    y = x + z + 2 * rng.standard_normal(n)
    return ["x", "z", "y1", "y2"], np.column_stack([x, z, y + rng.standard_normal(n), y + rng.standard_normal(n)])


def boot(X, blocks, paths, B, seed, singular_pairs=()):
    n = len(X)
    idx = np.random.default_rng(seed).integers(0, n, size=(B, n))
    draws, left_out = [], 0
    for i in idx:
        Xi = X[i]
        if np.any(np.ptp(Xi, axis=0) == 0) or any(np.array_equal(Xi[:, a], Xi[:, b]) for a, b in singular_pairs):
            left_out += 1
            continue
        h = pls(Xi, blocks, paths)
        draws.append([h["B"][s, t] for s, t in paths] + [v for l in h["load"] for v in l])
    d = np.array(draws)
    lo, hi = np.quantile(d, [0.025, 0.975], axis=0)
    full = pls(X, blocks, paths)
    return {"B": B, "seed": seed, "left_out": left_out, "kept": len(d),
            "est": [full["B"][s, t] for s, t in paths] + [v for l in full["load"] for v in l],
            "se": d.std(0, ddof=1).tolist(), "ci.lower": lo.tolist(), "ci.upper": hi.tolist()}


def write_csv(path, names, X):
    """Write the data and read them back: the references are computed from the numbers as the tests read them."""
    lines = [",".join(names)] + [",".join(repr(float(v)) for v in row) for row in X]
    path.write_text("\n".join(lines) + "\n")
    return np.loadtxt(path, delimiter=",", skiprows=1)


if __name__ == "__main__":
    out = {"numpy": np.__version__,
           "columns": "paths (model order) then loadings (item order)"}
    names, X = rare_item_data()
    X = write_csv(HERE / "rare_item_40.csv", names, X)
    out["rare_item_40"] = {"model": "A =~ a1 + a2\nB =~ b1 + b2\nB ~ A",
                           **boot(X, [[0, 1], [2, 3]], [(0, 1)], 2000, 7)}
    names, X = yesno_data()
    X = write_csv(HERE / "yesno_30.csv", names, X)
    out["yesno_30"] = {"model": "X =~ x\nZ =~ z\nY =~ y1 + y2\nY ~ X + Z",
                       **boot(X, [[0], [1], [2, 3]], [(0, 2), (1, 2)], 500, 1, singular_pairs=[(0, 1)])}
    (HERE / "pls_refs.json").write_text(json.dumps(out, indent=1) + "\n")
    print({k: (v["left_out"], v["kept"]) for k, v in out.items() if isinstance(v, dict)})
