"""EFA on foreign data: parallel analysis on polychoric correlations, improper principal axes, unrotated factor
order, refused inputs (references: tests/measure/efaaudit_refs/make_refs.R, psych 2.2.9 / lavaan 0.6.14)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.cli import main
from iur_survey.errors import EstimationError
from iur_survey.measure import composite_reliability
from iur_survey.measure import efa as efa_module
from iur_survey.measure.efa import efa, parallel_analysis

REFS = Path(__file__).parent / "efaaudit_refs"
REF = json.loads((REFS / "refs.json").read_text())


def _data(name: str) -> pd.DataFrame:
    return pd.read_csv(REFS / f"data_{name}.csv")


def test_polychoric_parallel_analysis_uses_permuted_answers():
    """One factor, 12 three-category items, N = 150: a normal-data baseline finds 4 factors (psych's fa.parallel
    too), the items' permuted answers (psych's resampling baseline) 1."""
    one = _data("onefactor_3cat")
    ref = REF["onefactor"]
    assert ref["nfact_resampled"] == 1 and ref["nfact_normal"] == 4
    for seed in (2022, 1, 2):
        pa = parallel_analysis(one, cor="polychoric", n_iter=30, seed=seed)
        assert pa.attrs["baseline"] == "permuted" and pa.attrs["n_factors"] == 1
        # the observed eigenvalues are deterministic: psych's (lavaan's polychoric vs psych's: ~1e-4)
        np.testing.assert_allclose(pa["fa"], ref["fa_values"], atol=5e-3)
        # the random baseline is psych's resampled one within sampling error, far above the normal one
        assert abs(pa["fa_random"].iloc[1] - ref["resampled_fa_95"][1]) < 0.15
        assert pa["fa_random"].iloc[1] > ref["normal_fa_95"][1] + 0.1
    res = efa(one, "auto", cor="polychoric")
    assert res.k == 1 and res.parallel.attrs["n_factors"] == 1
    assert parallel_analysis(one, n_iter=10).attrs["baseline"] == "normal"


def test_principal_axes_ultra_heywood_warns():
    res = efa(_data("heywood"), 2, extraction="pa", rotation="oblimin")
    np.testing.assert_allclose(res.communalities, REF["heywood_pa"]["communality"], atol=1e-6)
    assert "ultra-Heywood" in REF["heywood_warning"]
    assert any("ultra-Heywood" in w and "h1 1.069" in w for w in res.warnings)
    assert "ultra-Heywood" in res.summary()


def test_principal_axes_beyond_the_reduced_matrix_rank_is_refused():
    """HS1939's nine tests: the SMC-reduced matrix has 3 positive eigenvalues; psych::fa(fm = "pa") with 4 or 5
    factors stops ("NaNs produced", "imaginary eigen value condition"); the package took sqrt(|eigenvalue|) and
    returned loadings with only "did not converge" (audit s21 C11)."""
    hs = _data("hs")
    assert efa(hs, 3, extraction="pa").k == 3
    for k in (4, 5):
        with pytest.raises(EstimationError, match=r"has 3 positive eigenvalues .* extract at most 3 factors"):
            efa(hs, k, extraction="pa")


def test_smoothed_polychoric_matrix_is_psychs():
    """Asked for (smooth=True / efa --smooth), a polychoric matrix that is not positive definite is smoothed as
    psych's cor.smooth (reference: efaaudit_refs/make_smooth_refs.R on lavaan's polychoric matrix), with a warning;
    not asked for, it is refused as before."""
    ref = json.loads((REFS / "smooth_refs.json").read_text())
    nb = _data("npd_binary")
    R, n, _ = efa_module.correlation_matrix(nb, "polychoric", smooth=True)
    assert R.attrs["smoothed"] == pytest.approx(ref["min_eigen"], abs=1e-6)
    np.testing.assert_allclose(R.to_numpy(), ref["smoothed"], atol=1e-6)
    res = efa(nb, 1, cor="polychoric", smooth=True, rotation="none")
    assert any("smoothed as psych's cor.smooth" in w for w in res.warnings)
    # (these structureless items put a Heywood case at one item or another: psych's ML solution picks another
    # item than ours, so only the smoothed matrix, the extraction's whole input, is compared)
    with pytest.raises(EstimationError, match="not positive definite.*smooth=True"):
        efa(nb, 1, cor="polychoric")


def test_unrotated_factors_are_ordered_by_variance():
    res = efa(_data("hs"), 3, rotation="none")
    ss = (res.loadings ** 2).sum().to_numpy()
    np.testing.assert_allclose(ss, REF["hs_none"]["ss"], atol=1e-4)
    ref = np.array(REF["hs_none"]["loadings"])
    got = res.loadings.to_numpy() * np.sign(np.sum(res.loadings.to_numpy() * ref, axis=0))
    np.testing.assert_allclose(got, ref, atol=1e-4)


def test_non_positive_definite_polychoric_matrix_is_named():
    with pytest.raises(EstimationError, match="polychoric correlation matrix is not positive definite") as err:
        efa(_data("npd_binary"), 2, cor="polychoric")
    assert f"{REF['npd']['min_eigen_lavaan']:.2f}" in str(err.value) and "collinear" not in str(err.value)


def test_auto_with_no_factor_above_random_warns():
    seen = 0
    for seed in range(4):
        noise = pd.DataFrame(np.random.default_rng(seed).standard_normal((200, 8)), columns=list("abcdefgh"))
        res = efa(noise, "auto")
        if res.parallel.attrs["n_factors"] == 0:
            seen += 1
            assert res.k == 1 and any("no factor above random" in w for w in res.warnings)
    assert seen >= 2


def test_auto_beyond_identifiable_names_parallel_analysis(monkeypatch):
    real = efa_module.parallel_analysis

    def too_many(*args, **kwargs):
        pa = real(*args, **kwargs)
        pa.attrs["n_factors"] = 9
        return pa
    monkeypatch.setattr(efa_module, "parallel_analysis", too_many)
    with pytest.raises(EstimationError, match="parallel analysis suggests 9 factor"):
        efa(_data("hs"), "auto")


def test_unanswered_items_are_named():
    d = _data("hs").assign(m=np.nan)
    with pytest.raises(EstimationError, match="item 'm' is answered by 0 row"):
        efa(d, 3)
    with pytest.raises(EstimationError, match="item 'm' is answered by 0 row"):
        efa(d, 3, missing="pairwise")
    d = _data("hs")
    d.loc[:150, ["x1", "x2", "x3"]] = np.nan
    d.loc[151:, ["x7", "x8", "x9"]] = np.nan
    with pytest.raises(EstimationError, match="'x1' and 'x7' are answered together by 0 row"):
        efa(d, 3, missing="pairwise")


def test_polychoric_of_many_categories_warns():
    res = efa(_data("hs")[["x1", "x2", "x3", "x4", "x5", "x6"]], 2, cor="polychoric")
    assert any("more than 8 categories" in w and "x1: 35" in w for w in res.warnings)


def test_efa_command_refuses_an_identifier_column(tmp_path, capsys):
    d = _data("hs")
    d.insert(0, "id", np.arange(1, len(d) + 1))
    path = tmp_path / "with_id.csv"
    d.to_csv(path, index=False)
    out = tmp_path / "efa.json"
    assert main(["efa", str(path), "--factors", "3", "--out", str(out)]) == 2
    assert "'id' looks like an identifier" in capsys.readouterr().err and not out.exists()
    assert main(["efa", str(path), "--factors", "3", "--items", "x", "--out", str(out)]) == 0


def test_omega_of_mixed_sign_loadings_warns():
    est = pd.DataFrame({"lhs": ["F", "F", "F", "a", "b", "c", "F"], "op": ["=~"] * 3 + ["~~"] * 4,
                        "rhs": ["a", "b", "c", "a", "b", "c", "F"],
                        "est": [1.0, 0.8, -0.6, 0.5, 0.36, 0.64, 1.0]})
    with pytest.warns(UserWarning, match=r"opposite signs, F \(c\)"):
        r = composite_reliability(est)
    assert r.loc["F", "omega"] == pytest.approx(1.2 ** 2 / (1.2 ** 2 + 1.5))      # semTools' number kept
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        composite_reliability(est.assign(est=[1.0, 0.8, 0.6, 0.5, 0.36, 0.64, 1.0]))
