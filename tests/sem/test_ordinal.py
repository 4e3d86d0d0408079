"""Ordinal sample statistics against lavaan 0.6.14 (tests/sem/ordinal_refs/, made by make_ordinal_refs.R)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import integrate
from scipy.special import ndtr

from iur_survey.errors import EstimationError
from iur_survey.sem.ordinal import (
    bivariate_normal_cdf,
    ordinal_sample_stats,
    pair_index,
    polychoric,
    thresholds,
)
from tests.sem._ordinal_common import load_data, load_json


CASES = [("ordinal_600", "stats_ordinal_600.json"), ("misfit_600", "stats_misfit_600.json"),
         ("edge_300", "stats_edge_300.json")]


@pytest.fixture(scope="module", params=CASES, ids=[c[0] for c in CASES])
def case(request):
    kind, ref_name = request.param
    ref = load_json(ref_name)
    stats = ordinal_sample_stats(load_data(kind)[ref["ov"]])
    return stats, ref


def test_sample_size_and_labels(case):
    st, ref = case
    assert st.n == ref["n"]
    assert list(st.th.index) == ref["th_names"]
    assert st.names == ref["ov"]


def test_thresholds_match_lavaan(case):
    st, ref = case
    np.testing.assert_allclose(st.th.to_numpy(), ref["th"], atol=1e-9, rtol=0)


def test_polychoric_match_lavaan(case):
    st, ref = case
    # lavaan stops nlminb at ~3e-8 from the optimum; ours is the exact root
    np.testing.assert_allclose(st.cor.to_numpy(), np.array(ref["cor"]), atol=1e-6, rtol=0)


def test_dwls_weights_match_lavaan(case):
    st, ref = case
    np.testing.assert_allclose(st.wls_vd, ref["wls_v"], rtol=1e-6)


def test_gamma_match_lavaan(case):
    st, ref = case
    G_ref = np.array(ref["gamma"])
    keep = [st.names.index(v) for v in ref["gamma_items"]]
    th_rows = np.flatnonzero(np.isin(st.th_item, keep))
    ii, jj = pair_index(st.p)
    pair_rows = st.nth + np.flatnonzero(np.isin(ii, keep) & np.isin(jj, keep))
    idx = np.concatenate([th_rows, pair_rows])
    G = st.gamma[np.ix_(idx, idx)]
    assert G.shape == G_ref.shape
    np.testing.assert_allclose(G, G_ref, rtol=1e-6, atol=1e-6 * np.abs(G_ref).max())


def test_zero_cell_tables_as_lavaan(case):
    st, ref = case
    zt = ref["zero_cell_tables"]
    ref_pairs = [tuple(r) for r in zt] if zt else []
    assert st.zero_cell_tables == ref_pairs


def test_polychoric_is_likelihood_root():
    """Independent check of the optimiser: the score of rho is zero at the estimate."""
    d = load_data("misfit_600").iloc[:, :6]
    st = ordinal_sample_stats(d, gamma=False)
    from iur_survey.sem import ordinal as o
    Y, levels, _ = o._codes(d)
    ncat = np.array([lv.size for lv in levels])
    tau = o._univariate(Y, ncat)
    ii, jj = pair_index(6)
    pairs = o._Pairs(tau, ii, jj)
    freq = o._bivariate_tables(Y, ii, jj, int(ncat.max()))
    rho = st.cor.to_numpy()[ii, jj]
    h = 1e-6
    ll = [o.logl_sub(pairs, freq, np.clip(rho + s, -1, 1)) for s in (-h, 0.0, h)]
    assert np.all(ll[1] >= ll[0]) and np.all(ll[1] >= ll[2])


@pytest.mark.parametrize("rho", [-0.999, -0.96, -0.93, -0.8, -0.5, -0.2, 0.0, 0.1, 0.4, 0.76,
                                 0.9249, 0.93, 0.97, 0.9995])
def test_bivariate_normal_cdf_against_quadrature(rho):
    pts = [(-1.3, 0.4), (0.2, 0.2), (1.7, -2.1), (-2.5, -2.2), (0.9, 1.6)]
    x = np.array([p[0] for p in pts])
    y = np.array([p[1] for p in pts])
    got = bivariate_normal_cdf(x, y, rho)
    s = np.sqrt(1 - rho * rho)
    for k, (a, b) in enumerate(pts):
        want, _ = integrate.quad(lambda t: np.exp(-t * t / 2) / np.sqrt(2 * np.pi)
                                 * ndtr((b - rho * t) / s), -np.inf, a, epsabs=1e-14, epsrel=1e-13)
        assert abs(got[k] - want) < 1e-12, (a, b, rho, got[k], want)


def test_bivariate_normal_cdf_limits():
    assert bivariate_normal_cdf(-np.inf, 0.3, 0.5) == 0.0
    assert bivariate_normal_cdf(np.inf, np.inf, 0.5) == 1.0
    assert bivariate_normal_cdf(np.inf, 0.3, 0.5) == pytest.approx(ndtr(0.3), abs=1e-15)
    assert bivariate_normal_cdf(0.3, np.inf, -0.5) == pytest.approx(ndtr(0.3), abs=1e-15)
    # perfect correlation: P(X<=x, X<=y) = Phi(min)
    assert bivariate_normal_cdf(0.3, -0.2, 1.0) == pytest.approx(ndtr(-0.2), abs=1e-14)
    assert bivariate_normal_cdf(0.3, 0.2, -1.0) == pytest.approx(max(0.0, ndtr(0.3) - ndtr(-0.2)), abs=1e-14)


def test_wrappers_and_labels():
    d = load_data("edge_300")
    th = thresholds(d)
    assert th.index[0] == "b1|t1" and th.index[-1] == "z|t3"     # z has 4 observed codes
    R = polychoric(d)
    assert R.shape == (6, 6) and np.allclose(np.diag(R), 1.0) and np.allclose(R, R.T)


def test_listwise_deletion_and_codes_from_full_data():
    d = load_data("edge_300")
    st = ordinal_sample_stats(d, gamma=False)
    assert st.n_dropped == 2 and st.n == 298
    assert st.levels[5].tolist() == [1.0, 2.0, 4.0, 5.0]


def test_ordered_categorical_columns_give_the_same_statistics():
    d = load_data("edge_300").dropna()
    cat = d.apply(lambda s: pd.Categorical(s, ordered=True))
    a = ordinal_sample_stats(d, gamma=False)
    b = ordinal_sample_stats(cat, gamma=False)
    np.testing.assert_allclose(a.wls_obs, b.wls_obs, atol=1e-14)


def test_empty_category_after_listwise_deletion_is_an_error():
    # code 3 of "a" is observed (so it is a category, as R's ordered() sees it) but only on rows that
    # listwise deletion drops -> lavaan stops with "some categories of variable `a' are empty"
    d = pd.DataFrame({"a": [1, 2, 1, 2, 3, 3], "b": [1, 2, 2, 1, np.nan, np.nan]})
    with pytest.raises(EstimationError, match="empty"):
        ordinal_sample_stats(d)


def test_constant_item_is_an_error():
    with pytest.raises(EstimationError, match="fewer than two"):
        ordinal_sample_stats(pd.DataFrame({"a": [1, 1, 1], "b": [1, 2, 1]}))


def test_two_by_two_special_cases_as_lavaan():
    """lavaan's closed forms for 2 x 2 tables (values from lavCor(d, ordered = names(d)), lavaan 0.6.14).

    a, b split 50/50 (both thresholds 0): rho = -cos(2 pi f11 / N) = 0.809016994375;
    a x c has f11 f22 == f12 f21: rho = 0 exactly; e has an empty cell against a and b (0.5 added keeping
    the margins) -> 0.856201431106.
    """
    a = np.r_[np.ones(50), 2 * np.ones(50)]
    b = np.r_[np.ones(40), 2 * np.ones(10), np.ones(10), 2 * np.ones(40)]
    c = np.r_[np.ones(20), 2 * np.ones(30), np.ones(20), 2 * np.ones(30)]
    e = np.r_[np.ones(50), np.ones(30), 2 * np.ones(20)]
    R = ordinal_sample_stats(pd.DataFrame({"a": a, "b": b, "c": c, "e": e})).cor
    want = np.array([[1, 0.809016994375, 0, 0.856201431106],
                     [0.809016994375, 1, 0.607072812946, 0.856201431106],
                     [0, 0.607072812946, 1, 0.787011494809],
                     [0.856201431106, 0.856201431106, 0.787011494809, 1]])
    np.testing.assert_allclose(R.to_numpy(), want, atol=1e-9)
    assert R.loc["a", "c"] == 0.0


def test_text_codes_are_an_error_not_silently_missing():
    with pytest.raises(EstimationError, match="non-numeric"):
        ordinal_sample_stats(pd.DataFrame({"a": ["1", "2", "Agree", "1"], "b": [1, 2, 2, 1]}))
