"""The reference fixtures themselves: data sets as specified, JSONs complete and sane, comparison helpers strict."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

HERE = Path(__file__).resolve().parent


def _module(name: str):
    spec = importlib.util.spec_from_file_location(f"_ref_{name}", HERE / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


cmp = _module("compare")
make_data = _module("make_data")

ITEMS = [f"{c}{k}" for c in ("GOV", "MKT", "BEN", "VAL", "TAL", "COL", "INT") for k in range(1, 5)]
SETS = ["complete_800", "missing_800", "complete_250", "missing_300", "heywood_150", "ordinal_600",
        "groups_1200", "groups_missing_1200"]
CASES = [
    "ml_complete_800", "ml_complete_250", "cfa_complete_800", "fiml_missing_800", "fiml_missing_300",
    "listwise_missing_800", "mlr_complete_800", "mlr_fiml_missing_800", "heywood_150", "hs_cfa", "hs_cfa_fiml",
    "hs_cfa_mlr", "poldem", "wlsmv_600", "boot_complete_800",
    *[f"mg_{k}{s}" for s in ("", "_mlr", "_fiml") for k in ("configural", "metric", "scalar", "strict")],
]


def read(name: str) -> pd.DataFrame:
    return pd.read_csv(HERE / "data" / f"{name}.csv")


# ------------------------------------------------------------------------------------------------ data sets
def test_make_data_matches_the_committed_csvs_up_to_cpu_noise():
    """make_data.py, rerun in memory, gives the committed CSVs (the CSVs are what R and the tests read).

    Not bit for bit: a continuous draw lying within rounding of a threshold may land in the next
    Likert category on another CPU's floating-point kernels.  Ids and roles must agree exactly;
    at most 0.5 % of the item cells may differ, and then by one category or in missingness only.
    """
    for name, df in make_data.build().items():
        on_disk = read(name)
        assert list(on_disk.columns) == ["response_id", "role", *ITEMS], name
        df = df.reset_index(drop=True)
        assert df["response_id"].astype(str).tolist() == on_disk["response_id"].astype(str).tolist(), name
        assert df["role"].tolist() == on_disk["role"].tolist(), name
        a, b = df[ITEMS].to_numpy(float), on_disk[ITEMS].to_numpy(float)
        differ = ~((a == b) | (np.isnan(a) & np.isnan(b)))
        assert differ.mean() <= 0.005, (name, int(differ.sum()))
        both = ~np.isnan(a) & ~np.isnan(b)
        assert np.all(np.abs(a - b)[both] <= 1), name


@pytest.mark.parametrize("name", SETS)
def test_data_sets_are_likert_with_the_specified_missingness(name):
    df = read(name)
    x = df[ITEMS]
    vals = set(np.unique(x.stack().to_numpy()))
    assert vals <= {1, 2, 3, 4, 5} and len(vals) == 5
    rate = x.isna().to_numpy().mean()
    expected = {"missing_800": 0.03, "missing_300": 0.06, "groups_missing_1200": 0.03}.get(name, 0.0)
    assert abs(rate - expected) < 0.005, rate
    assert not x.isna().all(axis=1).any()
    assert df["response_id"].is_unique
    assert set(df["role"]) == {"enterprise", "university", "research_institute", "government"}


def test_missing_800_is_complete_800_with_cells_deleted():
    a, b = read("complete_800"), read("missing_800")
    mask = b[ITEMS].notna()
    assert (a[ITEMS][mask] == b[ITEMS][mask]).to_numpy()[mask.to_numpy()].all()
    # MAR part: respondents with low GOV1 skip COL/INT/TAL more often
    low = a["GOV1"] <= 3
    miss = b[[c for c in ITEMS if c[:3] in ("COL", "INT", "TAL")]].isna().mean(axis=1)
    assert miss[low].mean() > 2 * miss[~low].mean()


def test_groups_have_unequal_sizes_and_a_small_government_group():
    n = read("groups_1200")["role"].value_counts()
    assert n["government"] == 80 and n.sum() == 1200 and n.nunique() == 4


def test_hs_missing_copy_deletes_about_five_percent_of_x_cells():
    hs, hsm = read("hs1939"), read("hs1939_missing")
    xs = [f"x{i}" for i in range(1, 10)]
    assert hs.shape == (301, 15) and hsm.shape == hs.shape
    assert 0.04 < hsm[xs].isna().to_numpy().mean() < 0.06
    assert hs[xs].notna().all().all()


# ------------------------------------------------------------------------------------------------ JSONs
@pytest.mark.parametrize("case", CASES)
def test_reference_case_is_complete(case):
    ref = cmp.load_reference(case)
    assert ref["versions"]["lavaan"] == "0.6.14"
    assert ref["converged"] is True
    est = cmp.reference_estimates(ref)
    assert {"lhs", "op", "rhs", "est", "se", "std.lv", "std.all"} <= set(est.columns)
    fit = cmp.reference_fit(ref)
    assert fit["npar"] == ref["npar"] and fit.get("ntotal", ref["n"]) == ref["n"]
    assert isinstance(ref["warnings"], list)
    assert ref["timing"]["elapsed"] > 0
    if ref.get("vcov") is not None:
        v = cmp.reference_vcov(ref).to_numpy()
        assert v.shape == (ref["npar"], ref["npar"]) or v.shape[0] >= ref["npar"]  # labelled equalities repeat
        np.testing.assert_allclose(v, v.T, atol=1e-12)
        free = est[(est["se"] > 0) & (est["op"] != ":=")]
        if len(v) == len(free) and ref["options"]["se"] != "bootstrap":
            np.testing.assert_allclose(np.sqrt(np.diag(v)), free["se"].to_numpy(), rtol=1e-8)


def test_heywood_case_has_a_negative_residual_variance_and_lavaans_warning():
    ref = cmp.load_reference("heywood_150")
    est = cmp.reference_estimates(ref)
    tal1 = est.query("lhs == 'TAL1' and op == '~~' and rhs == 'TAL1'")["est"].item()
    assert tal1 < 0
    assert any("variances are negative" in w for w in ref["warnings"])
    others = [c for c in CASES if c not in ("heywood_150", "mg_configural_mlr", "mg_metric_mlr")]
    for c in others:
        assert cmp.load_reference(c)["warnings"] == [], c


def test_scalar_invariance_is_rejected_in_the_groups_data():
    lrt = {r["model"]: r for r in cmp.load_reference("mg_compare")["lavTestLRT"]["rows"]}
    assert lrt["metric"]["Pr(>Chisq)"] > 0.05  # loadings invariant
    assert lrt["scalar"]["Pr(>Chisq)"] < 0.001  # the shifted MKT3 intercept of the enterprise group


def test_options_recorded_as_requested():
    assert cmp.load_reference("fiml_missing_800")["options"]["missing"] == "ml"
    assert cmp.load_reference("listwise_missing_800")["n"] < 800
    assert cmp.load_reference("mlr_complete_800")["options"]["se"] == "robust.huber.white"
    boot = cmp.load_reference("boot_complete_800")
    assert boot["options"]["se"] == "bootstrap" and boot["options"]["iseed"] == 2022
    assert boot["boot"]["nrow"] >= 990
    wl = cmp.load_reference("wlsmv_600")
    assert wl["options"]["estimator"] == "DWLS" and (cmp.reference_estimates(wl)["op"] == "|").sum() == 28 * 4


def test_reference_folder_stays_small():
    size = sum(p.stat().st_size for p in HERE.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    assert size < 5.5e6, size


# ------------------------------------------------------------------------------------------------ helpers
def test_assert_estimates_close_catches_each_kind_of_difference():
    ref = cmp.load_reference("poldem")
    base = cmp.reference_estimates(ref)
    cmp.assert_estimates_close(base, ref)
    i = base.index[(base.lhs == "dem65") & (base.op == "~") & (base.rhs == "dem60")][0]
    bad = base.copy()
    bad.loc[i, "est"] += 2e-4
    with pytest.raises(AssertionError, match="dem65"):
        cmp.assert_estimates_close(bad, ref)
    ok = base.copy()
    ok.loc[i, "est"] += 5e-5
    ok.loc[i, "se"] *= 1.004
    cmp.assert_estimates_close(ok, ref)
    bad = base.copy()
    bad.loc[i, "se"] *= 1.006
    with pytest.raises(AssertionError, match="se"):
        cmp.assert_estimates_close(bad, ref)
    with pytest.raises(AssertionError, match="not ours"):
        cmp.assert_estimates_close(base.drop(index=i), ref)
    extra = pd.concat([base, base.iloc[[0]].assign(rhs="zz")])
    with pytest.raises(AssertionError, match="not lavaan"):
        cmp.assert_estimates_close(extra, ref)
    nan = base.copy()
    nan.loc[i, "std.all"] = np.nan
    with pytest.raises(AssertionError, match="std.all"):
        cmp.assert_estimates_close(nan, ref)
    with pytest.raises(AssertionError, match="lack column"):
        cmp.assert_estimates_close(base.drop(columns="std.lv"), ref)


def test_defined_parameters_match_by_name_and_fixed_se_zero_matches_nan():
    ref = cmp.load_reference("ml_complete_800")
    est = cmp.reference_estimates(ref)
    est.loc[est.op == ":=", "rhs"] = "spelled differently"
    est.loc[est.se == 0, "se"] = np.nan
    cmp.assert_estimates_close(est, ref)


def test_groups_match_by_label_or_number():
    ref = cmp.load_reference("mg_scalar")
    est = cmp.reference_estimates(ref)
    cmp.assert_estimates_close(est, ref)
    labels = ref["group_labels"]
    named = est.assign(group=[labels[g - 1] for g in est["group"]])
    cmp.assert_estimates_close(named, ref)
    swapped = est.copy()
    swapped["group"] = swapped["group"].replace({1: 2, 2: 1})
    with pytest.raises(AssertionError):
        cmp.assert_estimates_close(swapped, ref)


def test_assert_fit_close_tolerances():
    ref = cmp.load_reference("mlr_complete_800")
    fm = cmp.reference_fit(ref)
    cmp.assert_fit_close(fm, ref)
    assert "cfi.robust" in cmp.FIT_KEYS + cmp.ROBUST_FIT_KEYS
    off = fm.copy()
    off["chisq"] *= 1 + 2e-4
    with pytest.raises(AssertionError, match="chisq"):
        cmp.assert_fit_close(off, ref)
    off = fm.copy()
    off["cfi.robust"] += 2e-3
    with pytest.raises(AssertionError, match="cfi.robust"):
        cmp.assert_fit_close(off, ref)
    with pytest.raises(AssertionError, match="missing on our side"):
        cmp.assert_fit_close(fm.drop("srmr"), ref)


def test_json_null_is_nan():
    ref = cmp.load_reference("heywood_150")
    assert ref["r2"]["TAL1"] is None  # lavaan gives NA for a negative-variance indicator
    raw = json.loads((HERE / "json" / "hs_cfa.json").read_text())
    assert raw["estimates"][0]["z"] is None
    assert np.isnan(cmp.reference_estimates("hs_cfa")["z"].iloc[0])
