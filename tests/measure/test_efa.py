"""Exploratory factor analysis against lavaan 0.6.14 efa() and psych::fa (tests/measure/efa_refs/make_refs.R)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.cli import main
from iur_survey.errors import EstimationError
from iur_survey.measure.efa import bartlett, efa, kmo, parallel_analysis

REFS = Path(__file__).parent / "efa_refs"
REF = json.loads((REFS / "efa_refs.json").read_text())
DATA = {"hs": pd.read_csv(REFS / "data_hs.csv"), "bfi": pd.read_csv(REFS / "data_bfi.csv")}


def _align(P: np.ndarray, ref: np.ndarray) -> tuple[np.ndarray, tuple, np.ndarray]:
    """P's columns permuted and reflected to best match ref."""
    best = None
    for perm in itertools.permutations(range(P.shape[1])):
        Q = P[:, perm]
        s = np.where(np.sum(Q * ref, axis=0) < 0, -1.0, 1.0)
        d = np.abs(Q * s - ref).max()
        if best is None or d < best[0]:
            best = (d, perm, s)
    _, perm, s = best
    return P[:, perm] * s, perm, s


def _check(res, ref, tol):
    Lref = np.array(ref["loadings"]["values"], float)
    assert list(res.loadings.index) == ref["loadings"]["rows"]
    P, perm, s = _align(res.loadings.to_numpy(), Lref)
    np.testing.assert_allclose(P, Lref, atol=tol)
    Phi = res.phi.to_numpy()[np.ix_(perm, perm)] * np.outer(s, s)
    np.testing.assert_allclose(Phi, np.array(ref["phi"], float), atol=tol)


@pytest.mark.parametrize("case,data,k", [("lavaan_hs_3", "hs", 3), ("lavaan_hs_2", "hs", 2),
                                         ("lavaan_bfi_5", "bfi", 5)])
def test_geomin_equals_lavaan_efa(case, data, k):
    ref = REF[case]
    res = efa(DATA[data], k)                       # geomin, ML, Pearson: lavaan's defaults
    _check(res, ref, 2e-3)
    for m in ("chisq", "df", "rmsea", "tli", "cfi"):
        assert res.fit[m] == pytest.approx(ref["fit"][m], abs=1e-4), m
    np.testing.assert_allclose(res.uniquenesses, ref["theta"], atol=2e-3)
    assert (res.loadings.sum(axis=0) > 0).all()     # reflected


@pytest.mark.parametrize("rotation", ["oblimin", "promax", "varimax"])
@pytest.mark.parametrize("fm", ["ml", "pa"])
def test_rotations_equal_psych(rotation, fm):
    ref = REF[f"psych_hs_3_{rotation}_{fm}"]
    res = efa(DATA["hs"], 3, rotation=rotation, extraction=fm)
    _check(res, ref, 2e-3)
    np.testing.assert_allclose(res.communalities, ref["communality"], atol=2e-3)


@pytest.mark.parametrize("case,kw", [("psych_bfi_5_oblimin_ml", {"rotation": "oblimin"}),
                                     ("psych_bfi_5_varimax_ml", {"rotation": "varimax"}),
                                     ("psych_bfi_poly_5_oblimin_ml", {"rotation": "oblimin", "cor": "polychoric"}),
                                     ("psych_bfi_poly_5_oblimin_pa", {"rotation": "oblimin", "cor": "polychoric",
                                                                      "extraction": "pa"})])
def test_five_factors_and_polychoric_equal_psych(case, kw):
    res = efa(DATA["bfi"], 5, **kw)
    _check(res, REF[case], 2e-3)


@pytest.mark.parametrize("name", ["hs", "bfi"])
def test_kmo_and_bartlett_equal_psych(name):
    ref = REF[f"adequacy_{name}"]
    K = kmo(DATA[name])
    assert K.loc["overall", "MSA"] == pytest.approx(ref["MSA"], abs=1e-10)
    np.testing.assert_allclose(K["MSA"].to_numpy()[:-1], ref["MSAi"], atol=1e-10)
    B = bartlett(DATA[name])
    assert B["chisq"].iloc[0] == pytest.approx(ref["chisq"], rel=1e-10)
    assert B["df"].iloc[0] == ref["df"]
    pa = parallel_analysis(DATA[name], n_iter=10)
    np.testing.assert_allclose(pa["pc"], ref["eigen"], atol=1e-10)


def test_parallel_analysis_finds_the_planted_factors():
    for seed in (1, 2, 3):
        rng = np.random.default_rng(seed)
        F = rng.standard_normal((600, 3))
        X = np.repeat(F, 4, axis=1) * 0.7 + rng.standard_normal((600, 12)) * 0.7
        res = efa(pd.DataFrame(X, columns=[f"i{j}" for j in range(12)]), "auto", rotation="oblimin")
        assert res.k == 3 and res.parallel.attrs["n_factors"] == 3


def test_errors():
    with pytest.raises(EstimationError, match="between 1 and 5"):
        efa(DATA["hs"], 6)
    with pytest.raises(EstimationError, match="rotation"):
        efa(DATA["hs"], 2, rotation="quartimax")
    bad = DATA["hs"].copy()
    bad["x10"] = 1.0
    with pytest.raises(EstimationError, match="no variance"):
        efa(bad, 2)


def test_efa_command(tmp_path, capsys):
    out = tmp_path / "efa.json"
    scree = tmp_path / "scree.svg"
    code = main(["efa", str(REFS / "data_hs.csv"), "--factors", "3", "--parallel", "--out", str(out),
                 "--scree", str(scree)])
    assert code == 0 and scree.stat().st_size > 0
    got = json.loads(out.read_text())
    assert list(got["loadings"][0]) == ["item", "F1", "F2", "F3"] and len(got["loadings"]) == 9
    P = np.array([[r[f"F{j}"] for j in (1, 2, 3)] for r in got["loadings"]])
    P, _, _ = _align(P, np.array(REF["lavaan_hs_3"]["loadings"]["values"]))
    np.testing.assert_allclose(P, REF["lavaan_hs_3"]["loadings"]["values"], atol=2e-3)
    assert got["fit"]["chisq"] == pytest.approx(REF["lavaan_hs_3"]["fit"]["chisq"], abs=1e-3)
    assert got["parallel"]["n_factors"] >= 1 and "overall" in got["kmo"]
    assert "EFA: 3 factor(s)" in capsys.readouterr().out
    code = main(["efa", str(REFS / "data_hs.csv"), "--items", "x", "--factors", "2", "--rotation", "varimax",
                 "--extraction", "pa", "--out", str(out)])
    assert code == 0 and json.loads(out.read_text())["rotation"] == "varimax"
    assert main(["efa", str(REFS / "data_hs.csv"), "--items", "nope", "--out", str(out)]) == 2


def test_pairwise_correlations_equal_psych_default():
    data = pd.read_csv(REFS / "data_bfi_missing.csv")
    res = efa(data, 5, rotation="oblimin", missing="pairwise")
    _check(res, REF["psych_bfimiss_5_oblimin_ml"], 2e-3)
    assert res.n < len(data) and any("pairwise" in w for w in res.warnings)
    with pytest.raises(EstimationError, match="Pearson only"):
        efa(data, 5, cor="polychoric", missing="pairwise")
