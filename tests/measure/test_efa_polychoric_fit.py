"""EFA on polychoric correlations reports no chi-square fit and no Bartlett test (audit finding A1).

``N F_ML`` of a polychoric matrix (the ML extraction treats it as a Pearson one) is not chi-square
distributed and is not lavaan's efa(ordered = TRUE) fit (DWLS/WLSMV), and neither is Bartlett's statistic:
both are NaN (null in efa.json, "n/a" on screen) with a note; the loadings remain psych::fa(cor = "poly")'s
(checked against psych in test_efa.py).  Pearson runs are unchanged.  A Heywood case's warning says the fit
then differs slightly from lavaan's.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.cli import main
from iur_survey.measure.efa import bartlett, correlation_matrix, efa, kmo

REFS = Path(__file__).parent / "efa_refs"
BFI = pd.read_csv(REFS / "data_bfi.csv")
ITEMS = ["A1", "A2", "A3", "A4", "A5", "C1", "C2", "C3", "C4", "C5"]
FIT_KEYS = ["chisq", "df", "pvalue", "rmsea", "tli", "cfi", "fmin"]


@pytest.fixture(scope="module")
def poly_ml():
    return efa(BFI, 2, items=ITEMS, rotation="oblimin", cor="polychoric")


def test_polychoric_ml_reports_no_fit_and_no_bartlett(poly_ml):
    res = poly_ml
    assert list(res.fit.index) == FIT_KEYS and res.fit.isna().all()
    assert res.bartlett.isna().all(axis=None)
    assert len(res.notes) == 1
    note = res.notes[0]
    assert 'psych::fa(cor = "poly", fm = "ml")' in note
    assert "not chi-square distributed" in note and "efa(ordered = TRUE)" in note and "KMO" in note
    # KMO kept: psych::KMO of the polychoric matrix
    R = correlation_matrix(BFI[ITEMS], "polychoric")[0]
    np.testing.assert_allclose(res.kmo["MSA"], kmo(R)["MSA"], atol=1e-12)
    assert math.isfinite(res.kmo.loc["overall", "MSA"])
    d = res.to_dict()
    assert d["fit"] == {k: None for k in FIT_KEYS}
    assert d["bartlett"] == {"chisq": None, "df": None, "p.value": None}
    assert d["notes"] == res.notes and d["cor"] == "polychoric"
    assert all(v is not None for r in d["loadings"] for k, v in r.items() if k != "item")
    json.dumps(d, allow_nan=False)              # valid JSON: no NaN
    s = res.summary()
    assert "chisq = n/a" in s and "RMSEA = n/a" in s and "Bartlett chisq = n/a" in s
    assert "KMO = " in s and "polychoric matrix" in s and "note: polychoric correlations" in s


def test_polychoric_pa_reports_no_bartlett():
    res = efa(BFI, 2, items=ITEMS, rotation="oblimin", cor="Polychoric", extraction="pa")
    assert res.cor == "polychoric" and len(res.fit) == 0
    assert res.bartlett.isna().all(axis=None)
    assert len(res.notes) == 1 and 'fm = "pa"' in res.notes[0] and "Bartlett" in res.notes[0]
    assert res.to_dict()["bartlett"]["chisq"] is None
    assert "Bartlett chisq = n/a" in res.summary()


def test_pearson_unchanged():
    res = efa(BFI, 2, items=ITEMS, rotation="oblimin")
    assert res.notes == [] and res.to_dict()["notes"] == []
    assert list(res.fit.index) == FIT_KEYS and np.isfinite(res.fit.to_numpy(float)).all()
    assert res.fit["df"] == ((10 - 2) ** 2 - (10 + 2)) / 2
    B = bartlett(BFI[ITEMS].dropna())
    assert res.bartlett["chisq"].iloc[0] == pytest.approx(B["chisq"].iloc[0], rel=1e-12)
    s = res.summary()
    assert "n/a" not in s and "note:" not in s and f"chisq = {res.fit['chisq']:.3f}" in s


def test_efa_command_polychoric(tmp_path, capsys):
    out = tmp_path / "efa.json"
    code = main(["efa", str(REFS / "data_bfi.csv"), "--items", "A,C", "--factors", "2", "--rotation", "oblimin",
                 "--cor", "polychoric", "--out", str(out)])
    assert code == 0
    got = json.loads(out.read_text())
    assert got["cor"] == "polychoric" and all(v is None for v in got["fit"].values())
    assert all(v is None for v in got["bartlett"].values())
    assert got["kmo"]["overall"] is not None
    assert len(got["notes"]) == 1 and "psych::fa" in got["notes"][0]
    printed = capsys.readouterr().out
    assert "chisq = n/a" in printed and "note: polychoric correlations" in printed


def _heywood_data() -> pd.DataFrame:
    """Four items with exactly these correlations: one factor needs a loading of item a above 1."""
    S = np.array([[1, .8, .7, .6], [.8, 1, .4, .35], [.7, .4, 1, .3], [.6, .35, .3, 1]])
    Z = np.random.default_rng(1).standard_normal((200, 4))
    Z -= Z.mean(axis=0)
    Z = Z @ np.linalg.inv(np.linalg.cholesky(np.cov(Z, rowvar=False)).T)
    return pd.DataFrame(Z @ np.linalg.cholesky(S).T, columns=list("abcd"))


def test_heywood_warning_says_fit_differs_from_lavaan():
    res = efa(_heywood_data(), 1)
    assert res.uniquenesses["a"] == pytest.approx(0.005, abs=1e-4)
    hw = [w for w in res.warnings if "Heywood" in w]
    assert len(hw) == 1 and "0.005" in hw[0] and "differs slightly from lavaan" in hw[0]
    assert np.isfinite(res.fit.to_numpy(float)).all()      # still reported (Pearson)
