"""Validation (b): cross-check against the peer package on PyPI, the seminr Python port (seminr==0.2.1).

seminr is GPL-3, so it is a test-only dependency (never imported by iur_survey).  Without it this module
is skipped.  Checked on three data sets / models: the full ECSI model on mobi (7 constructs, a single-item
construct, mediation chains), the study's default model on tests/reference/data/complete_800.csv, and the
same model on missing_800.csv (mean replacement); both inner weighting schemes seminr has.
Everything (weights, loadings, paths, R2, reliability, HTMT, VIFs, f2, total effects, the bootstrap on the
same resample indices, PLSpredict on the same folds) must agree to 1e-6 or better.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("seminr")

import importlib.util  # noqa: E402

_spec = importlib.util.spec_from_file_location("_seminr_py", Path(__file__).with_name("_seminr_py.py"))
sp = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sp)

from seminr import bootstrap_model, predict_DA, predict_EA, predict_pls, summarize  # noqa: E402
from seminr.datasets import load_mobi  # noqa: E402
from seminr.predict.metrics import summarize_pls_predict  # noqa: E402
from seminr.predict.predict_pls import cut_folds  # noqa: E402

from iur_survey.pls import pls_predict, pls_sem  # noqa: E402
from iur_survey.pls.bootstrap import resample_indices  # noqa: E402
from iur_survey.study import default_model  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "reference" / "data"
TOL = 1e-6

ECSI = """
Image =~ IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5
Expectation =~ CUEX1 + CUEX2 + CUEX3
Quality =~ PERQ1 + PERQ2 + PERQ3 + PERQ4 + PERQ5 + PERQ6 + PERQ7
Value =~ PERV1 + PERV2
Satisfaction =~ CUSA1 + CUSA2 + CUSA3
Complaints =~ CUSCO
Loyalty =~ CUSL1 + CUSL2 + CUSL3
Expectation ~ Image
Quality ~ Expectation
Value ~ Expectation + Quality
Satisfaction ~ Image + Expectation + Quality + Value
Complaints ~ Satisfaction
Loyalty ~ Image + Satisfaction + Complaints
"""


def _mobi() -> pd.DataFrame:
    ds = load_mobi()
    return pd.DataFrame(np.asarray(ds.values, float), columns=list(ds.columns))


CASES = {
    "ecsi_mobi": (_mobi, ECSI),
    "default_complete_800": (lambda: pd.read_csv(DATA / "complete_800.csv"), default_model()),
    "default_missing_800": (lambda: pd.read_csv(DATA / "missing_800.csv"), default_model()),
}


@functools.lru_cache(maxsize=None)
def _pair(case: str, scheme: str):
    load, syntax = CASES[case]
    data = load()
    ours = pls_sem(data, model=syntax, scheme=scheme)
    theirs = sp.fit(data, ours.model, scheme)
    return data, ours, theirs, scheme


@pytest.fixture(params=[(c, s) for c in CASES for s in ("path", "factorial")], ids=lambda p: f"{p[0]}-{p[1]}")
def pair(request):
    return _pair(*request.param)


@pytest.fixture(params=list(CASES))
def path_pair(request):
    return _pair(request.param, "path")


def _diff(a, b) -> float:
    return float(np.nanmax(np.abs(np.asarray(a, float) - np.asarray(b, float))))


def _lookup_items(table: pd.DataFrame, frame: pd.DataFrame, col: str) -> tuple[list, list]:
    ours = table[col].tolist()
    theirs = [frame.loc[i, c] for c, i in table[["construct", "item"]].itertuples(index=False)]
    return ours, theirs


def _lookup_paths(table: pd.DataFrame, frame: pd.DataFrame) -> tuple[list, list]:
    return table["est"].tolist(), [frame.loc[r, l] for l, r in table[["lhs", "rhs"]].itertuples(index=False)]


def test_outer_model(pair):
    _, ours, theirs, _ = pair
    assert _diff(*_lookup_items(ours.outer_weights(), sp.frame(theirs.outer_weights), "weight")) < TOL
    assert _diff(*_lookup_items(ours.outer_loadings(), sp.frame(theirs.outer_loadings), "loading")) < TOL
    scores = sp.frame(theirs.construct_scores)
    assert _diff(ours.construct_scores().to_numpy(), scores[list(ours.model.constructs)].to_numpy()) < TOL


def test_inner_model(pair):
    _, ours, theirs, _ = pair
    assert _diff(*_lookup_paths(ours.path_coefficients(), sp.frame(theirs.path_coef))) < TOL
    r2 = sp.frame(theirs.r_squared)
    tab = ours.r_squared()
    assert _diff(tab["r2"], [r2.loc["Rsq", c] for c in tab["construct"]]) < TOL
    assert _diff(tab["r2_adj"], [r2.loc["AdjRsq", c] for c in tab["construct"]]) < TOL


def test_summary_statistics(pair):
    _, ours, theirs, _ = pair
    s = summarize(theirs)
    rel = sp.frame(s.reliability)
    mine = ours.reliability().set_index("construct")
    for ours_col, their_col in (("alpha", "alpha"), ("rho_c", "rhoC"), ("ave", "AVE"), ("rho_a", "rhoA")):
        assert _diff(mine[ours_col], rel.loc[list(mine.index), their_col]) < TOL, ours_col
    ht = sp.frame(s.validity.htmt)          # lower triangle: row = later construct
    tab = ours.htmt()
    assert _diff(tab["htmt"], [ht.loc[b, a] for a, b in tab[["construct_1", "construct_2"]].itertuples(index=False)]) < TOL
    iv = ours.inner_vif()
    assert _diff(iv["vif"], [np.nan if len(ours.model.predecessors[l]) == 1 else s.vif_antecedents[l][r]
                             for l, r in iv[["lhs", "rhs"]].itertuples(index=False)]) < TOL
    ov = ours.outer_vif()
    assert _diff(ov["vif"], [s.validity.vif_items[c][i] for c, i in ov[["construct", "item"]].itertuples(index=False)]) < TOL
    te = sp.frame(s.total_effects)
    tot = ours.total_effects()
    assert _diff(tot["est"], [te.loc[a, b] for a, b in tot[["source", "target"]].itertuples(index=False)]) < TOL
    ti = sp.frame(s.total_indirect_effects)
    ind = ours.indirect_effects()
    assert _diff(ind["est"], [ti.loc[a, b] for a, b in ind[["source", "target"]].itertuples(index=False)]) < TOL


def test_f_squared(path_pair):
    _, ours, theirs, _ = path_pair
    fs = sp.frame(summarize(theirs).f_square)
    tab = ours.f_squared()
    assert _diff(tab["f2"], [fs.loc[r, l] for l, r in tab[["lhs", "rhs"]].itertuples(index=False)]) < TOL


@pytest.mark.parametrize("case", ["ecsi_mobi", "default_complete_800"])
def test_bootstrap_same_resamples(case):
    """Same resample rows -> the same draws: seminr refits each resample from unit weights, we refit all of
    them in one batch warm-started from the sample weights; both stop at 1e-7.  (Complete data only: with
    missing cells seminr re-imputes within each resample, we resample the imputed data.)"""
    data, ours, theirs, _ = _pair(case, "path")
    n_boot = 60
    idx = np.vstack(list(resample_indices(ours.n, n_boot, seed=11)))
    boot = ours.bootstrap(n_boot, seed=11)
    their = bootstrap_model(theirs, n_boot, indices=idx)
    pos = {c: k for k, c in enumerate(their.boot_paths[0].cols)}
    mine = boot.boot.draws["paths"]
    for k, (s, t) in enumerate(ours.model.paths):
        d = [rep.values[pos[s], pos[t]] for rep in their.boot_paths]
        assert _diff(mine[:, k], d) < 1e-5
    desc = sp.frame(their.paths_descriptives)       # rows: source; columns "<target> Boot Mean" / "Boot SD"
    tab = boot.path_coefficients()
    assert _diff(tab["boot_mean"], [desc.loc[r, f"{l} Boot Mean"] for l, r in tab[["lhs", "rhs"]].itertuples(index=False)]) < 1e-6
    assert _diff(tab["se"], [desc.loc[r, f"{l} Boot SD"] for l, r in tab[["lhs", "rhs"]].itertuples(index=False)]) < 1e-6


@pytest.mark.parametrize("technique", ["DA", "EA"])
def test_plspredict_same_folds(technique):
    """PLSpredict on the same 10 folds as seminr's predict_pls: item RMSE/MAE of PLS and of the LM benchmark."""
    data = _mobi()
    ours = pls_sem(data, model=ECSI)
    theirs = sp.fit(data, ours.model)
    n, k = ours.n, 10
    order = np.random.default_rng(5).permutation(n)
    folds = np.array(cut_folds(n, k))
    test_sets = [order[folds == f] for f in range(1, k + 1)]
    tab = pls_predict(ours, technique=technique, folds=[test_sets])
    pred = predict_pls(theirs, technique=predict_DA if technique == "DA" else predict_EA, no_folds=k,
                       ordering=order.tolist())
    summ = summarize_pls_predict(pred)
    pls_oos = sp.frame(summ.pls_out_of_sample)
    lm_oos = sp.frame(summ.lm_out_of_sample)
    items = tab["item"].tolist()
    assert _diff(tab["rmse_pls"], pls_oos.loc["RMSE", items]) < TOL
    assert _diff(tab["mae_pls"], pls_oos.loc["MAE", items]) < TOL
    assert _diff(tab["rmse_lm"], lm_oos.loc["RMSE", items]) < TOL
    assert _diff(tab["mae_lm"], lm_oos.loc["MAE", items]) < TOL
