"""Predictive relevance of a PLS path model: PLSpredict and blindfolding.

* :func:`pls_predict` -- PLSpredict (Shmueli et al. 2016, 2019; Hair et al. 2021, ch. 6): k-fold cross-validation
  repeated ``repeats`` times.  In every fold the model is refitted on the training cases (all folds of all
  repetitions in one batched run); the test cases' endogenous indicators are predicted from the training
  weights, paths and loadings, on the training means/SDs.  ``technique="EA"`` (earliest antecedents,
  Shmueli et al. 2016's default, SmartPLS) propagates the exogenous composites through the paths;
  ``"DA"`` (direct antecedents, seminr's default) uses the test cases' own composites of each
  construct's direct antecedents.  The LM benchmark regresses each endogenous indicator on the indicators
  of all exogenous constructs (EA; Shmueli et al. 2019) or of its construct's direct antecedents (DA),
  as seminr.  Q2_predict = 1 - SSE(PLS) / SSE(training-sample mean).  Metrics are computed per
  repetition and averaged.
* :func:`blindfolding` -- Stone-Geisser Q-squared, cross-validated redundancy (Hair et al. 2017, ch. 6;
  SmartPLS 3): for each endogenous construct, omission distance D: round d omits every D-th data point of
  the construct's indicator block (cases x indicators read row by row), replaces it by the indicator's mean
  of the remaining cases, refits the model, and predicts the omitted values as loading x (sum of path x
  predecessor composite) on the round's standardized scale, taken back to the raw scale.  Errors and the
  SSO are measured on the indicators standardized with the full sample: Q2 = 1 - SSE / SSO over all
  omitted points.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import EstimationError
from .engine import COLLINEAR_MESSAGE, fit_batch

__all__ = ["pls_predict", "blindfolding", "check_omission_distance", "kfold_splits"]


def kfold_splits(n: int, k: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Test-row index arrays of one random k-fold split (contiguous blocks of a permutation).

    >>> [len(f) for f in kfold_splits(23, 5, np.random.default_rng(0))]
    [5, 5, 5, 4, 4]
    """
    return np.array_split(rng.permutation(n), k)


def _composite_predictions(scores: np.ndarray, B: np.ndarray, model, technique: str) -> np.ndarray:
    """Predicted composites (n x J) from the test composites ``scores`` and the training paths ``B``."""
    pos = {c: k for k, c in enumerate(model.constructs)}
    pred = scores.copy()
    if technique == "DA":
        for c in model.endogenous:
            j = pos[c]
            pred[:, j] = scores @ B[:, j]
        return pred
    for c in model.endogenous:
        pred[:, pos[c]] = 0.0
    for c in model.topological_order:
        if c in model.predecessors:
            j = pos[c]
            pred[:, j] = pred @ B[:, j]
    return pred


def pls_predict(result, k: int = 10, repeats: int = 10, *, seed=None, technique: str = "EA",
                benchmark: str | None = None, folds: list[list[np.ndarray]] | None = None) -> pd.DataFrame:
    """PLSpredict table: one row per endogenous indicator.

    Columns ``construct item q2_predict rmse_pls mae_pls rmse_lm mae_lm pls_better`` (``pls_better``: PLS has
    the lower RMSE).  ``benchmark``: ``"exogenous"`` or ``"antecedents"`` (default: as ``technique``, EA ->
    exogenous, DA -> antecedents).  ``folds`` (a list of repetitions, each a list of test-index arrays)
    overrides the random splits drawn with ``seed``.

    >>> from iur_survey.pls import pls_sem, example_data, EXAMPLE_MODEL
    >>> res = pls_sem(example_data(), model=EXAMPLE_MODEL)
    >>> tab = pls_predict(res, k=5, repeats=2, seed=1)
    >>> tab[["construct", "item", "q2_predict"]].round(2).head(2)
      construct item  q2_predict
    0         M   m1        0.17
    1         M   m2        0.16
    """
    if technique not in ("EA", "DA"):
        raise ValueError("technique must be 'EA' or 'DA'")
    benchmark = benchmark or ("exogenous" if technique == "EA" else "antecedents")
    if benchmark not in ("exogenous", "antecedents"):
        raise ValueError("benchmark must be 'exogenous' or 'antecedents'")
    model = result.model
    X = result.data_matrix
    n, p = X.shape
    if folds is None:
        if not 2 <= k <= n:
            raise ValueError(f"k must be between 2 and {n}")
        rng = np.random.default_rng(seed)
        folds = [kfold_splits(n, k, rng) for _ in range(repeats)]
    splits = [(r, np.asarray(test)) for r, rep in enumerate(folds) for test in rep]
    trains = []
    for _, test in splits:
        mask = np.ones(n, bool)
        mask[test] = False
        trains.append(mask)
    for s, ((r, test), train) in enumerate(zip(splits, trains)):
        flat = [model.items[i] for i in np.flatnonzero(np.ptp(X[train], axis=0) == 0)]
        if flat:        # exact check: np.corrcoef would leave a rounding residue for a variance
            raise EstimationError(None, f"PLSpredict: the training cases of fold "
                                        f"{s - sum(len(f) for f in folds[:r]) + 1} (repetition {r + 1}) leave "
                                        f"{', '.join(flat)} without variance (an answer given by very few "
                                        "respondents?): use more folds k (larger training sets), or recode or "
                                        "drop the item")
    Rs = np.stack([np.corrcoef(X[m], rowvar=False) for m in trains])
    fit = fit_batch(Rs, model, result.scheme, result.tol, result.max_iter, start=result.fit.weights[0],
                    allow_failed=True)
    if not fit.ok.all():
        s = int(np.flatnonzero(~fit.ok)[0])
        r = splits[s][0]
        raise EstimationError(None, f"PLSpredict: in fold {s - sum(len(f) for f in folds[:r]) + 1} (repetition "
                                    f"{r + 1}) {COLLINEAR_MESSAGE}")
    blk = model.block_index
    pos = {c: j for j, c in enumerate(model.constructs)}
    endo_items = [i for i, c in enumerate(blk) if model.constructs[c] in model.predecessors]
    n_rep = len(folds)
    shape = (n_rep, len(endo_items))
    sse_pls, sae_pls, sse_lm, sae_lm, sse_naive = (np.zeros(shape) for _ in range(5))
    M = model.membership
    for s, ((r, test), train) in enumerate(zip(splits, trains)):
        Xtr, Xte = X[train], X[test]
        mu, sd = Xtr.mean(axis=0), Xtr.std(axis=0, ddof=1)
        Zte = (Xte - mu) / sd
        W = fit.weights[s][:, None] * M
        scores = Zte @ W
        comp = _composite_predictions(scores, fit.paths[s], model, technique)
        yhat = comp[:, blk] * fit.loadings[s] * sd + mu
        for col, i in enumerate(endo_items):
            e = Xte[:, i] - yhat[:, i]
            sse_pls[r, col] += e @ e
            sae_pls[r, col] += np.abs(e).sum()
            d = Xte[:, i] - mu[i]
            sse_naive[r, col] += d @ d
        # LM benchmark, one design per endogenous construct
        for c in model.endogenous:
            src = model.exogenous if benchmark == "exogenous" else model.predecessors[c]
            xi = [i for i in range(p) if model.constructs[blk[i]] in src]
            yi = [i for i in range(p) if blk[i] == pos[c]]
            A = np.column_stack([np.ones(len(Xtr)), Xtr[:, xi]])
            beta = np.linalg.lstsq(A, Xtr[:, yi], rcond=None)[0]   # least squares (collinear items: same fit)
            pred = np.column_stack([np.ones(len(Xte)), Xte[:, xi]]) @ beta
            for kk, i in enumerate(yi):
                col = endo_items.index(i)
                e = Xte[:, i] - pred[:, kk]
                sse_lm[r, col] += e @ e
                sae_lm[r, col] += np.abs(e).sum()
    out = pd.DataFrame({
        "construct": [model.constructs[blk[i]] for i in endo_items],
        "item": [model.items[i] for i in endo_items],
        "q2_predict": (1.0 - sse_pls / sse_naive).mean(axis=0),
        "rmse_pls": np.sqrt(sse_pls / n).mean(axis=0),
        "mae_pls": (sae_pls / n).mean(axis=0),
        "rmse_lm": np.sqrt(sse_lm / n).mean(axis=0),
        "mae_lm": (sae_lm / n).mean(axis=0),
    })
    out["pls_better"] = out["rmse_pls"] < out["rmse_lm"]
    return out


def check_omission_distance(model, omission_distance: int, n: int) -> None:
    """Refuse an omission distance D that divides the number of indicators K of an endogenous construct.

    Blindfolding takes a block's data points case by case (case i, indicator k: point i*K + k), so such a D
    omits whole indicators in a round: a constant (mean-replaced) column, whose correlations are undefined.

    >>> from iur_survey.pls import pls_sem, example_data, EXAMPLE_MODEL
    >>> m = pls_sem(example_data(), model=EXAMPLE_MODEL).model
    >>> check_omission_distance(m, 7, 299)
    >>> check_omission_distance(m, 3, 299)
    Traceback (most recent call last):
    iur_survey.errors.EstimationError: blindfolding: the omission distance D = 3 divides the number of indicators of M (3), Y (3): each round would omit whole indicators; choose a D that divides no endogenous block (e.g. 7)
    """
    D = int(omission_distance)
    blk = model.block_index
    pos = {c: j for j, c in enumerate(model.constructs)}
    sizes = {c: int(np.sum(blk == pos[c])) for c in model.endogenous}
    divided = [f"{c} ({K})" for c, K in sizes.items() if K % D == 0]
    if divided:
        ok = [d for d in (7, 5, 6, 8, 9, 10, 11, 12) if all(K % d for K in sizes.values())]
        better = [d for d in ok if n % d] or ok
        hint = f" (e.g. {better[0]})" if better else ""
        raise EstimationError(None, f"blindfolding: the omission distance D = {D} divides the number of indicators of "
                                    f"{', '.join(divided)}: each round would omit whole indicators; choose a D that "
                                    f"divides no endogenous block{hint}")


def blindfolding(result, omission_distance: int = 7) -> pd.DataFrame:
    """Stone-Geisser Q-squared (cross-validated redundancy) of every endogenous construct.

    Columns ``construct sso sse q2``.  The omission distance D should not divide the number of cases
    (Hair et al.: 5 to 12; 7 is the usual choice); a D that does gives a warning.  A D that divides the number
    of indicators of an endogenous construct is refused (the data points are taken case by case, so each round
    would omit whole indicators).

    >>> from iur_survey.pls import pls_sem, example_data, EXAMPLE_MODEL
    >>> blindfolding(pls_sem(example_data(), model=EXAMPLE_MODEL)).round(3)
      construct    sso      sse     q2
    0         M  897.0  760.130  0.153
    1         Y  897.0  782.796  0.127
    """
    D = int(omission_distance)
    if D < 2:
        raise ValueError("omission_distance must be at least 2")
    model = result.model
    X = result.data_matrix
    n, p = X.shape
    if n % D == 0:
        import warnings
        warnings.warn(f"blindfolding: the omission distance D = {D} divides the number of cases ({n}); Hair et al. "
                      "want n / D not to be an integer (choose another D between 5 and 12)", UserWarning, stacklevel=2)
    blk = model.block_index
    pos = {c: j for j, c in enumerate(model.constructs)}
    check_omission_distance(model, D, n)
    rounds = []
    for c in model.endogenous:
        cols = np.flatnonzero(blk == pos[c])
        K = len(cols)
        lin = np.arange(n)[:, None] * K + np.arange(K)[None, :]
        for d in range(D):
            omit = (lin % D) == d
            if not omit.any():
                continue
            Xd = X.copy()
            block = Xd[:, cols]
            for kk in range(K):
                keep = ~omit[:, kk]
                block[omit[:, kk], kk] = block[keep, kk].mean()
            Xd[:, cols] = block
            rounds.append((c, cols, omit, Xd))
    Rs = np.stack([np.corrcoef(r[3], rowvar=False) for r in rounds])
    fit = fit_batch(Rs, model, result.scheme, result.tol, result.max_iter, start=result.fit.weights[0])
    mu0, sd0 = X.mean(axis=0), X.std(axis=0, ddof=1)
    sso = {c: 0.0 for c in model.endogenous}
    sse = {c: 0.0 for c in model.endogenous}
    M = model.membership
    for s, (c, cols, omit, Xd) in enumerate(rounds):
        mu, sd = Xd.mean(axis=0), Xd.std(axis=0, ddof=1)
        Z = (Xd - mu) / sd
        scores = Z @ (fit.weights[s][:, None] * M)
        j = pos[c]
        xi_hat = scores @ fit.paths[s][:, j]
        pred_raw = mu[cols] + sd[cols] * (xi_hat[:, None] * fit.loadings[s][cols][None, :])
        actual = (X[:, cols] - mu0[cols]) / sd0[cols]
        pred = (pred_raw - mu0[cols]) / sd0[cols]
        sso[c] += float((actual[omit] ** 2).sum())
        sse[c] += float(((actual - pred)[omit] ** 2).sum())
    out = pd.DataFrame({"construct": list(model.endogenous), "sso": [sso[c] for c in model.endogenous],
                        "sse": [sse[c] for c in model.endogenous]})
    out["q2"] = 1.0 - out["sse"] / out["sso"]
    return out
