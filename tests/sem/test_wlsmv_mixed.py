"""Mixed ordered + continuous items under WLSMV (lavaan ``ordered = c(...)``), one group, listwise / pairwise.

References: tests/sem/ordinal_refs/make_mixed_refs.R -> mixed_refs.json (lavaan 0.6.14), read only.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.errors import EstimationError
from iur_survey.sem import sem
from iur_survey.sem.mixed import MIXED_FIT_NAMES, mixed_sample_stats

REFS = Path(__file__).parent / "ordinal_refs"
ORDERED = ["a1", "a2", "b1", "b2"]
MODELS = {"mixed_two": "F1 =~ a1 + a2 + a3 + a4\nF2 =~ b1 + b2 + b3 + b4",
          "mixed_one": "F =~ a1 + a2 + a3 + a4 + b1 + b2 + b3 + b4"}
MODELS["mixed_two_scaled"] = MODELS["mixed_two"]       # a3, b3 times 1000 (see the R script)
MODELS["mixed_two_pairwise"] = MODELS["mixed_two"]     # missing = "pairwise"
MODELS["mixed_one_pairwise"] = MODELS["mixed_one"]


MODELS["bfi_pairwise"] = "A =~ A1 + A2 + A3 + A4 + A5\nC =~ C1 + C2 + C3 + C4 + C5"   # psych's bfi


def _ordered(case):
    return [f"A{i}" for i in range(1, 6)] if case.startswith("bfi") else ORDERED


def _missing(case):
    return "pairwise" if case.endswith("_pairwise") else "listwise"


def _data_for(case, data):
    if case.startswith("bfi"):
        return pd.read_csv(REFS / "bfi_2800.csv")
    if case.endswith("_scaled"):
        data = data.copy()
        data["a3"] *= 1000
        data["b3"] *= 1000
    return data


@pytest.fixture(scope="module")
def refs():
    return json.loads((REFS / "mixed_refs.json").read_text())


@pytest.fixture(scope="module")
def data():
    return pd.read_csv(REFS / "wlsmv_groups_630.csv")


@pytest.mark.parametrize("case", ["mixed_two", "mixed_two_scaled", "mixed_two_pairwise", "bfi_pairwise"])
def test_sample_statistics(refs, data, case):
    r = refs[case]
    st = mixed_sample_stats(_data_for(case, data)[r["ov"]], _ordered(case), missing=_missing(case))
    assert st.n == r["nobs"]
    assert st.wls_obs_names() == r["wls_obs_names"]
    np.testing.assert_allclose(st.wls_obs, r["wls_obs"], rtol=1e-6, atol=1e-6)
    G = np.array(r["gamma"])
    assert np.max(np.abs(st.gamma - G)) < 1e-5 * np.max(np.abs(G))


@pytest.mark.parametrize("case", sorted(MODELS))
def test_fit_equals_lavaan(refs, data, case):
    r = refs[case]
    res = sem(MODELS[case], _data_for(case, data), ordered=_ordered(case), missing=_missing(case))
    assert res.converged and res.n == r["nobs"]
    pe = res.parameter_estimates()
    ref = pd.DataFrame(r["estimates"])
    key = lambda df: (df["lhs"] + df["op"] + df["rhs"]).tolist()  # noqa: E731
    assert key(pe) == key(ref)
    # 1e-4, relative for values above 1 (the *_scaled case has variances near 1e6)
    np.testing.assert_allclose(pe["est"], ref["est"], rtol=1e-4, atol=1e-4)
    se_ref = ref["se"].to_numpy(float)
    free = se_ref > 0
    np.testing.assert_allclose(pe["se"].to_numpy()[free], se_ref[free], rtol=5e-3)
    assert np.all(pe["se"].to_numpy()[~free] == 0)
    for c in ("std.lv", "std.all"):
        np.testing.assert_allclose(pe[c], ref[c], rtol=1e-4, atol=1e-4)
    fm = res.fit_measures()
    for k in MIXED_FIT_NAMES:
        want = r["fit"][k]
        assert want is not None, k
        assert abs(fm[k] - want) < 1e-3 * max(1.0, abs(want)), (k, fm[k], want)
    # lavaan reports no robust (catML) indices for mixed data
    assert r["fit"]["cfi.robust"] is None and np.isnan(fm["cfi.robust"])


def test_unsupported_mixed_cases_are_named(data):
    m = "F =~ a1 + a2 + a3"
    with pytest.raises(EstimationError, match="mix of ordered and continuous.*several groups"):
        sem(m, data, ordered=["a1"], group="G", missing="listwise")
    with pytest.raises(EstimationError, match="mix of ordered and continuous.*'fiml'"):
        sem(m, data, ordered=["a1"], missing="fiml")
    with pytest.raises(EstimationError, match="mix of ordered and continuous.*theta"):
        sem(m, data, ordered=["a1"], missing="listwise", parameterization="theta")


def test_cli_fits_a_mix(tmp_path, refs, capsys):
    from iur_survey.cli import main
    model = tmp_path / "two.lav"
    model.write_text(MODELS["mixed_two"] + "\n")
    out = tmp_path / "r.json"
    rc = main(["fit", str(REFS / "wlsmv_groups_630.csv"), "--model", str(model), "--ordered", ",".join(ORDERED),
               "--missing", "listwise", "--out", str(out)])
    assert rc == 0
    got = json.loads(out.read_text())
    assert got["ordered"] == ORDERED
    assert abs(got["fit"]["chisq.scaled"] - refs["mixed_two"]["fit"]["chisq.scaled"]) < 1e-3
    rc = main(["fit", str(REFS / "wlsmv_groups_630.csv"), "--model", str(model), "--ordered", ",".join(ORDERED),
               "--missing", "listwise", "--bootstrap", "20", "--out", str(tmp_path / "b.json")])
    assert rc != 0 and not (tmp_path / "b.json").exists()
    assert "bootstrap of a WLSMV fit with a mix of ordered and continuous" in capsys.readouterr().err


def test_polyserial_is_scale_free(data):
    # lavaan 0.6.14 on a3 x 1e5 (its baseline model fails there): cov(a1, a3) 6.434210e+04,
    # var(a3) 1.193095e+10 -> polyserial 0.58905, the value on the original scale
    cols = ["a1", "a2", "a3"]
    r0 = mixed_sample_stats(data[cols], ["a1", "a2"]).cor.to_numpy()
    big = data[cols].copy()
    big["a3"] *= 1e5
    r1 = mixed_sample_stats(big, ["a1", "a2"]).cor.to_numpy()
    np.testing.assert_allclose(r1, r0, atol=1e-6)
    assert abs(r1[2, 0] - 6.434210e+04 / np.sqrt(1.193095e+10)) < 1e-4


def test_auto_is_pairwise_with_missing_cells(refs, data):
    res = sem(MODELS["mixed_two"], data, ordered=ORDERED)
    assert res.missing == "pairwise" and res.n == refs["mixed_two_pairwise"]["nobs"]
    assert abs(res.fit_measures()["chisq.scaled"] - refs["mixed_two_pairwise"]["fit"]["chisq.scaled"]) < 1e-3


def test_nearly_one_correlation_of_two_ordered_items_is_warned_once():
    # the ordered pair's warning came twice: from the polychoric statistics and again from the mixed correlation
    # matrix (lavaan warns once per pair)
    from iur_survey.sem.mixed import mixed_sample_stats
    rng = np.random.default_rng(1)
    f = rng.normal(size=300)
    d = pd.DataFrame({"a": np.digitize(f + rng.normal(scale=.01, size=300), [-1, 0, 1]),
                      "b": np.digitize(f + rng.normal(scale=.01, size=300), [-1, 0, 1]),
                      "c": f + rng.normal(size=300), "d": f + rng.normal(size=300)})
    assert mixed_sample_stats(d, ["a", "b"]).warnings == ["correlation between variables b and a is (nearly) 1.0"]
