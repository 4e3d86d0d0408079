"""The common latent factor (CFA + one equal method loading) nests the CFA (m = 0), so its ML chi-square is at
most the CFA's.  From the default starting values (lavaan's too: lavaan 0.6.14 gives chi-square 377.9974 with
m = 0.519 on these data, against the CFA's 377.7575) the fit can end in a local minimum above it, and the method
variance read from it (20.7 % here, for data drawn without any method factor) is no estimate.
``fit_common_latent_factor`` refits from the CFA's solution and keeps the lower minimum."""

import warnings

import numpy as np
import pandas as pd
import pytest

from iur_survey.measure import fit_common_latent_factor
from iur_survey.measure.cmv import clf_start_syntax
from iur_survey.sem import cfa

CONSTRUCTS = {c: [f"{c}{i}" for i in range(1, 5)] for c in ("GOV", "MKT", "BEN", "VAL", "TAL", "COL", "INT")}


def _survey(seed=777):
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


def _chisq(fit):
    return float(fit.fit_measures()["chisq"])


def test_the_clf_never_reports_a_minimum_above_the_cfa_it_nests():
    data = _survey()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = fit_common_latent_factor(data, CONSTRUCTS, missing="fiml")
    base, clf = res.loc["cfa", "chisq"], res.loc["cfa+method", "chisq"]
    assert clf <= base + 1e-4                                  # nested: never above
    assert res.loc["cfa+method", "df"] == res.loc["cfa", "df"] - 1
    assert res.loc["difference", "chisq"] >= -1e-4             # no negative chi-square difference
    # no method factor in the population, and none at the ML estimate
    assert res.loc["cfa+method", "method_variance"] < 0.02
    assert res.loc["difference", "max_loading_change"] < 0.02
    # when the default starts ended above the CFA, the refit is said (warning and attrs)
    if res.attrs.get("restarted"):
        assert any("local minimum" in str(w.message) for w in caught)


def test_these_data_end_in_the_local_minimum_from_the_default_starts():
    """The case the refit is for: the default starts give a chi-square above the CFA's (as lavaan does)."""
    data = _survey()
    base = cfa("\n".join(f"{c} =~ " + " + ".join(v) for c, v in CONSTRUCTS.items()), data, missing="fiml", warn=False)
    from iur_survey.measure.cmv import clf_model_syntax
    clf = cfa(clf_model_syntax(CONSTRUCTS), data, missing="fiml", warn=False)
    if _chisq(clf) <= _chisq(base) + 1e-4:
        pytest.skip("these draws did not end in the local minimum here (a platform's random stream)")
    again = cfa(clf_start_syntax(CONSTRUCTS, base), data, missing="fiml", warn=False)
    assert _chisq(again) <= _chisq(base) + 1e-4 < _chisq(clf)
    assert again.fit_measures()["df"] == clf.fit_measures()["df"]
