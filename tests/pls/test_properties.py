"""Validation (c): properties the PLS solution must have, checked with independent code (statsmodels OLS,
plain numpy on the raw data, the semTools-validated iur_survey.measure functions)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from iur_survey.instrument import load_instrument
from iur_survey.pls import EXAMPLE_MODEL, example_data, fit_batch, pls_model, pls_sem
from iur_survey.pls.bootstrap import resample_indices
from iur_survey.study import default_model

DATA = Path(__file__).resolve().parents[1] / "reference" / "data"
MODEL = default_model()                  # the study's model: pls/ takes it from the caller


@pytest.fixture(scope="module")
def data800() -> pd.DataFrame:
    return pd.read_csv(DATA / "complete_800.csv")


@pytest.fixture(scope="module")
def res800(data800):
    return pls_sem(data800, MODEL)


def _z(x: np.ndarray) -> np.ndarray:
    return (x - x.mean(axis=0)) / x.std(axis=0, ddof=1)


def test_single_indicators_give_ols(data800):
    """One indicator per construct: the composites are the standardized items and PLS is OLS on them."""
    syntax = "\n".join(f"{c} =~ {c}1" for c in ("GOV", "MKT", "BEN", "VAL", "TAL", "COL", "INT"))
    syntax += "\nCOL ~ GOV + MKT + BEN + VAL + TAL\nINT ~ COL + GOV + MKT + BEN + VAL + TAL"
    res = pls_sem(data800, model=syntax)
    assert np.allclose(res.outer_weights()["weight"], 1.0)
    z = pd.DataFrame(_z(data800[[f"{c}1" for c in res.model.constructs]].to_numpy(float)),
                     columns=list(res.model.constructs))
    pc = res.path_coefficients()
    for target in ("COL", "INT"):
        preds = list(res.model.predecessors[target])
        ols = sm.OLS(z[target], sm.add_constant(z[preds])).fit()
        got = pc[pc["lhs"] == target].set_index("rhs")["est"]
        assert np.allclose(got[preds].to_numpy(), ols.params[preds].to_numpy(), atol=1e-12)
        assert abs(res.r_squared().set_index("construct").loc[target, "r2"] - ols.rsquared) < 1e-12


def test_scores_standardized_loadings_are_correlations(data800, res800):
    S = res800.construct_scores()
    assert np.allclose(S.mean(), 0, atol=1e-12) and np.allclose(S.std(ddof=1), 1, atol=1e-12)
    items = data800[list(res800.model.items)].to_numpy(float)
    cor = np.corrcoef(np.column_stack([items, S.to_numpy()]), rowvar=False)[:28, 28:]
    assert np.allclose(res800.cross_loadings().to_numpy(), cor, atol=1e-12)
    lo = res800.outer_loadings()
    assert np.allclose(lo["loading"], [cor[k, res800.model.block_index[k]] for k in range(28)], atol=1e-12)
    # scores are the weighted sums of the standardized items
    assert np.allclose(S.to_numpy(), _z(items) @ (res800.fit.weights[0][:, None] * res800.model.membership))


def test_paths_are_ols_on_the_scores(res800):
    S = res800.construct_scores()
    pc = res800.path_coefficients()
    for target, preds in res800.model.predecessors.items():
        ols = sm.OLS(S[target], sm.add_constant(S[list(preds)])).fit()
        got = pc[pc["lhs"] == target].set_index("rhs")["est"][list(preds)]
        assert np.allclose(got.to_numpy(), ols.params[list(preds)].to_numpy(), atol=1e-12)
        r2 = res800.r_squared().set_index("construct").loc[target]
        assert abs(r2["r2"] - ols.rsquared) < 1e-12 and abs(r2["r2_adj"] - ols.rsquared_adj) < 1e-12


@pytest.mark.parametrize("scheme", ["path", "factorial", "centroid"])
def test_mode_a_weights_are_covariances_with_the_inner_proxy(data800, scheme):
    """At convergence w_j is proportional to cov(x_k, inner proxy of j), the proxy built from the scores
    with the scheme's inner weights (regressions by statsmodels / correlations / their signs)."""
    res = pls_sem(data800, MODEL, scheme=scheme, tol=1e-12)
    S = res.construct_scores()
    R = S.corr()
    Z = _z(data800[list(res.model.items)].to_numpy(float))
    w = res.fit.weights[0]
    for j, c in enumerate(res.model.constructs):
        proxy = np.zeros(len(S))
        preds = list(res.model.predecessors.get(c, ()))
        succs = [t for s, t in res.model.paths if s == c]
        if scheme == "path" and preds:
            ols = sm.OLS(S[c], S[preds]).fit()
            proxy += S[preds].to_numpy() @ ols.params.to_numpy()
        else:
            for p in preds:
                proxy += (np.sign(R.loc[c, p]) if scheme == "centroid" else R.loc[c, p]) * S[p]
        for s in succs:
            proxy += (np.sign(R.loc[c, s]) if scheme == "centroid" else R.loc[c, s]) * S[s]
        ix = res.model.block_index == j
        cov = Z[:, ix].T @ (proxy - proxy.mean()) / (len(proxy) - 1)
        assert np.allclose(w[ix] / np.linalg.norm(w[ix]), cov / np.linalg.norm(cov), atol=1e-9), c


def test_batch_equals_single_fits(data800):
    m = pls_model(EXAMPLE_MODEL)
    rows = [np.random.default_rng(s).integers(0, 300, 300) for s in range(4)]
    d = example_data()
    Rs = np.stack([np.corrcoef(d.iloc[r][list(m.items)].to_numpy(float), rowvar=False) for r in rows])
    batch = fit_batch(Rs, m)
    for k in range(4):
        one = fit_batch(Rs[k:k + 1], m)
        assert np.allclose(batch.weights[k], one.weights[0], atol=1e-14)
        assert batch.iterations[k] == one.iterations[0]


def test_sign_orientation(data800, res800):
    """Negating every item of GOV yields the same composite up to sign: we orient it to its items, so the
    loadings stay positive and the paths from GOV change sign; one unreversed item gets a negative loading
    but does not flip its composite."""
    flipped = data800.copy()
    for i in ("GOV1", "GOV2", "GOV3", "GOV4"):
        flipped[i] = -flipped[i]
    res = pls_sem(flipped, MODEL)
    assert np.allclose(res.outer_loadings()["loading"], res800.outer_loadings()["loading"], atol=1e-9)
    pc, pc0 = res.path_coefficients(), res800.path_coefficients()
    sign = np.where(pc["rhs"] == "GOV", -1.0, 1.0)
    assert np.allclose(pc["est"], sign * pc0["est"], atol=1e-9)
    one = data800.copy()
    one["GOV3"] = 6 - one["GOV3"]
    lo = pls_sem(one, MODEL).outer_loadings().set_index("item")["loading"]
    assert lo["GOV3"] < 0 and (lo[["GOV1", "GOV2", "GOV4"]] > 0).all()


def test_effects_and_definitions(res800):
    """Specific indirect = a*b, total = c + a*b (as the := rows of the CB-SEM model), from the path table."""
    pc = res800.path_coefficients().set_index("label")["est"]
    spec = res800.specific_indirect_effects().set_index("source")["est"]
    tot = res800.total_effects().set_index(["source", "target"])["est"]
    ind = res800.indirect_effects().set_index(["source", "target"])["est"]
    dfn = res800.defined().set_index("name")["est"]
    for k, x in enumerate(("GOV", "MKT", "BEN", "VAL", "TAL"), 1):
        ab = pc[f"a{k}"] * pc["b"]
        assert abs(spec[x] - ab) < 1e-14 and abs(dfn[f"ind_{x}"] - ab) < 1e-14
        assert abs(ind[(x, "INT")] - ab) < 1e-12
        assert abs(tot[(x, "INT")] - (pc[f"c{k}"] + ab)) < 1e-12 and abs(dfn[f"tot_{x}"] - tot[(x, "INT")]) < 1e-12
        assert abs(tot[(x, "COL")] - pc[f"a{k}"]) < 1e-12


def test_default_model_is_the_cbsem_model(res800):
    from iur_survey.sem import sem
    from iur_survey.study import default_model
    inst = load_instrument()
    assert res800.model.constructs == inst.construct_codes
    assert res800.model.items == inst.item_codes
    pe = sem(default_model(inst), pd.read_csv(DATA / "complete_800.csv")).parameter_estimates()
    reg = pe[pe["op"] == "~"]
    assert sorted(zip(reg["rhs"], reg["lhs"])) == sorted(res800.model.paths)


def test_measure_module_agrees(data800, res800):
    """HTMT and standardized alpha equal the semTools-validated iur_survey.measure functions."""
    from iur_survey.measure import cronbach_alpha, htmt
    inst = load_instrument()
    h = htmt(data800, inst).set_index(["construct_1", "construct_2"])["htmt"]
    ours = res800.htmt().set_index(["construct_1", "construct_2"])["htmt"]
    assert np.allclose(ours.to_numpy(), h.loc[ours.index].to_numpy(), atol=1e-12)
    a = cronbach_alpha(data800, inst)["alpha_std"]
    assert np.allclose(res800.reliability().set_index("construct")["alpha"], a[list(inst.construct_codes)], atol=1e-12)


def test_bootstrap_reproducible_and_exact(data800, res800):
    a = res800.bootstrap(40, seed=7)
    b = res800.bootstrap(40, seed=7, chunk_size=13)
    c = res800.bootstrap(40, seed=8)
    for kind in ("paths", "weights", "loadings", "specific", "htmt", "r2"):
        assert np.allclose(a.boot.draws[kind], b.boot.draws[kind], atol=1e-9), kind
    assert not np.allclose(a.boot.draws["paths"], c.boot.draws["paths"])
    # resample 5 is a fresh fit of those rows
    idx = np.vstack(list(resample_indices(800, 40, seed=7)))[5]
    fresh = pls_sem(data800.iloc[idx], MODEL)
    assert np.allclose(a.boot.draws["paths"][5], fresh.path_coefficients()["est"], atol=1e-6)
    assert np.allclose(a.boot.draws["weights"][5], fresh.outer_weights()["weight"], atol=1e-6)
    assert np.allclose(a.boot.draws["htmt"][5], fresh.htmt()["htmt"], atol=1e-12)
    # summary columns from the draws (percentile CI = numpy quantile)
    tab = a.path_coefficients()
    d = a.boot.draws["paths"]
    assert np.allclose(tab["se"], d.std(axis=0, ddof=1)) and np.allclose(tab["ci.lower"], np.quantile(d, 0.025, axis=0))
    assert a.boot.n_failed == 0 and a.boot.n_not_converged == 0


def test_bootstrap_progress_bar(capsys, res800):
    res800.bootstrap(20, seed=1, progress=True)
    assert "PLS bootstrap" in capsys.readouterr().err
    res800.bootstrap(20, seed=1)             # not a terminal under pytest: no bar
    assert "PLS bootstrap" not in capsys.readouterr().err


def test_missing_data_handling():
    d = example_data()
    holes = d.copy()
    rng = np.random.default_rng(3)
    for col in ("x1", "m2", "y3"):
        holes.loc[rng.choice(300, 20, replace=False), col] = np.nan
    mean = pls_sem(holes, model=EXAMPLE_MODEL)
    manual = pls_sem(holes.fillna(holes.mean()), model=EXAMPLE_MODEL)
    assert mean.n_imputed == 60 and mean.n == 300
    assert np.allclose(mean.path_coefficients()["est"], manual.path_coefficients()["est"], atol=1e-14)
    lw = pls_sem(holes, model=EXAMPLE_MODEL, missing="listwise")
    ref = pls_sem(holes.dropna(), model=EXAMPLE_MODEL)
    assert lw.n == len(holes.dropna()) < 300
    assert np.allclose(lw.path_coefficients()["est"], ref.path_coefficients()["est"], atol=1e-14)
    assert list(lw.construct_scores().index) == list(holes.dropna().index)


def test_convergence_reporting():
    res = pls_sem(example_data(), model=EXAMPLE_MODEL, max_iter=1)
    assert not res.converged and res.warnings and "NOT converged" in res.summary()


def test_blindfolding_properties(res800):
    bf = res800.blindfolding(7)
    assert list(bf["construct"]) == ["COL", "INT"]
    assert np.allclose(bf["sso"], 4 * (800 - 1))         # every point omitted once, full-sample z scores
    assert ((bf["q2"] > 0) & (bf["q2"] < res800.r_squared()["r2"].to_numpy())).all()
    assert not np.allclose(res800.blindfolding(5)["q2"], bf["q2"])


def test_plspredict_properties(res800):
    a = res800.predict(k=10, repeats=2, seed=4)
    b = res800.predict(k=10, repeats=2, seed=4)
    pd.testing.assert_frame_equal(a, b)
    assert list(a["item"]) == [f"COL{i}" for i in range(1, 5)] + [f"INT{i}" for i in range(1, 5)]
    assert (a["q2_predict"] > 0).all() and (a["rmse_pls"] > a["mae_pls"]).all()
    da = res800.predict(k=10, repeats=2, seed=4, technique="DA")
    assert not np.allclose(da["rmse_pls"], a["rmse_pls"])
