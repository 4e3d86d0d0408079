"""Analytic power by RMSEA (iur_survey.power.rmsea) against semTools 0.5-6.

References: rmsea_refs/make_rmsea_ref.R (its output stored next to it; see that script's header).
Tolerances: power 1e-10 absolute (measured: 1.3e-12 on the 11,856 rows of power_ref.csv, the worst at df = 300,
where R's and scipy's noncentral chi-square quantiles differ in the last digits); N exactly.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.cli import main
from iur_survey.errors import ModelSyntaxError, PowerInputError
from iur_survey.power.rmsea import (RMSEAPowerWarning, _nested_arrays, _power_arrays, df_from_results,
                                    rmsea_power, rmsea_power_nested, rmsea_samplesize, rmsea_samplesize_nested)
from iur_survey.sem import sem
from iur_survey.sem.api import model_df

REF = Path(__file__).parent / "rmsea_refs"
POWER_TOL = 1e-10


def _ref(name: str) -> pd.DataFrame:
    return pd.read_csv(REF / name, skipinitialspace=True, na_values=["NA"], float_precision="round_trip")


def test_power_equals_semtools_on_the_grid():
    r = _ref("power_ref.csv")
    assert len(r) > 11000 and set(r["group"]) == {1, 2, 3} and r["df"].max() == 300
    got = _power_arrays(*(r[c].to_numpy() for c in ("df", "n", "rmsea0", "rmseaA", "alpha", "group")))["power"]
    diff = np.abs(got - r["power"].to_numpy())
    assert diff.max() < POWER_TOL, r.assign(diff=diff).sort_values("diff").tail(3)


def test_public_power_function_on_a_slice_of_the_grid():
    """rmsea_power (checks, product of the arguments, the test's name) gives the grid's numbers."""
    r = _ref("power_ref.csv")
    sl = r[(r["df"].isin([1, 20, 300])) & (r["n"].isin([50, 2000])) & (r["alpha"] == 0.05) & (r["rmsea0"] == 0.05)]
    got = rmsea_power(df=[1, 20, 300], n=[50, 2000], rmsea0=0.05, rmseaA=[0.01, 0.04, 0.06, 0.10], alpha=0.05,
                      group=[1, 2, 3])
    m = got.merge(sl, on=["df", "n", "rmsea0", "rmseaA", "alpha", "group"], suffixes=("", ".ref"))
    assert len(m) == len(got) == 3 * 2 * 4 * 3
    assert np.abs(m["power"] - m["power.ref"]).max() < POWER_TOL
    assert set(m.loc[m["rmseaA"] < 0.05, "test"]) == {"not-close fit"}
    assert set(m.loc[m["rmseaA"] > 0.05, "test"]) == {"close fit"}
    assert set(rmsea_power(10, 100, 0, [0.05, 0.08])["test"]) == {"exact fit"}


def _check_sizes(ref: pd.DataFrame, got: pd.DataFrame, keys: list[str]) -> int:
    """Our N against semTools' (n / group, times group: the total N, exactly).  Where semTools' scan skipped
    the smallest N (it never looks at N = 501..504, 1001..1004, ...: its own power at N - 1, power.m1, already
    exceeds the target) ours is the first of N - 4 .. N - 1 whose semTools power exceeds the target.  Returns the
    number of such rows."""
    m = got.merge(ref, on=keys, suffixes=("", ".ref"))
    assert len(m) == len(ref)
    at_min = m["at_min"].astype(bool)
    assert (m["at.min"] == at_min).all()
    assert (m.loc[at_min, "n"] == 5).all()
    s = m.loc[~at_min]
    total = np.round(s["n.group.ref"] * s["group"]).astype(int)
    skipped = s["power.m1"] > s["power"]
    assert ((total[skipped] - 5) % 500 == 0).all()          # only at a block's start: 505, 1005, ...
    want = total.copy()
    for i in s.index[skipped]:
        below = [k for k in (4, 3, 2, 1) if s.at[i, f"power.m{k}"] > s.at[i, "power"]]
        want[i] = total[i] - below[0]
    bad = s[s["n"] != want]
    assert bad.empty, bad
    assert np.allclose(s.loc[~skipped, "n.group"], s.loc[~skipped, "n.group.ref"], rtol=0, atol=1e-9)
    assert (m["power.n"] > m["power"]).all()
    return int(skipped.sum())


def _samplesize(rows: pd.DataFrame) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RMSEAPowerWarning)
        return pd.concat([rmsea_samplesize(r.df, r.rmsea0, r.rmseaA, r.power, r.alpha, r.group)
                          for r in rows.itertuples()], ignore_index=True)


def test_samplesize_equals_semtools():
    r = _ref("samplesize_ref.csv")
    assert r["at_min"].sum() == 2 and len(r) > 500
    skipped = _check_sizes(r, _samplesize(r), ["df", "rmsea0", "rmseaA", "power", "alpha", "group"])
    assert skipped >= 1         # e.g. df 300, 2 groups, rmsea .05 vs .03, alpha .01, power .90: N 501, semTools 505


def test_nested_power_equals_semtools():
    r = _ref("nested_ref.csv")
    cols = ("dfA", "dfB", "rmsea0A", "rmsea0B", "rmsea1A", "rmsea1B", "n", "alpha", "group")
    got = _nested_arrays(*(r[c].to_numpy() for c in cols))["power"]
    assert np.abs(got - r["power"].to_numpy()).max() < POWER_TOL
    one = r.iloc[len(r) // 2]
    pub = rmsea_power_nested(one.dfA, one.dfB, one.n, one.rmsea1A, one.rmsea1B, one.rmsea0A, one.rmsea0B,
                             one.alpha, one.group)
    assert abs(pub["power"].item() - one.power) < POWER_TOL


def test_nested_samplesize_equals_semtools():
    r = _ref("nested_samplesize_ref.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RMSEAPowerWarning)
        got = pd.concat([rmsea_samplesize_nested(x.dfA, x.dfB, x.rmsea1A, x.rmsea1B, x.rmsea0A, x.rmsea0B, x.power,
                                                 x.alpha, x.group) for x in r.itertuples()], ignore_index=True)
    _check_sizes(r, got, ["dfA", "dfB", "rmsea0A", "rmsea0B", "rmsea1A", "rmsea1B", "power", "alpha", "group"])


def test_model_df_equals_lavaan():
    models = (REF / "df_models.lav").read_text(encoding="utf-8").split("\n---\n")
    ref = _ref("df_ref.csv")
    assert [model_df(m) for m in models] == [int(x) for x in ref["df"]]


def test_model_df_is_the_fit_df():
    """model_df counts as the fit does (one group and two, equal loadings), on data."""
    data = pd.read_csv("tests/reference/data/complete_250.csv")
    m = "F =~ GOV1 + GOV2 + GOV4\nG =~ COL1 + COL2 + COL3\nG ~ F"
    assert model_df(m) == sem(m, data).fit["df"]
    data["grp"] = np.where(np.arange(len(data)) % 2, "a", "b")
    fit = sem(m, data, group="grp", group_equal=["loadings"])
    assert model_df(m, ngroups=2, group_equal=["loadings"]) == fit.fit["df"]
    with pytest.raises(ModelSyntaxError, match="interaction"):
        model_df("F =~ a + b + c\nG =~ d + e + f\nH =~ g + h + i\nH ~ F + G + F:G")


def test_refusals_are_typed():
    with pytest.raises(PowerInputError, match="rmsea0 = rmseaA"):
        rmsea_power(20, 200, 0.05, 0.05)
    with pytest.raises(PowerInputError, match="rmsea0 = rmseaA"):
        rmsea_samplesize(20, 0.05, 0.05)     # semTools loops for ever here (power = alpha at every N)
    with pytest.raises(PowerInputError, match="positive degrees of freedom"):
        rmsea_power(0, 200, 0.05, 0.08)
    with pytest.raises(PowerInputError, match="positive degrees of freedom"):
        rmsea_samplesize(0, 0.05, 0.08)
    with pytest.raises(PowerInputError, match="integer >= 2"):
        rmsea_power(20, 200.5, 0.05, 0.08)
    with pytest.raises(PowerInputError, match="positive integer"):
        rmsea_power(20, 200, 0.05, 0.08, group=0)
    with pytest.raises(PowerInputError, match=r"\(alpha, 1\)"):
        rmsea_samplesize(20, 0.05, 0.08, power=0.04)
    with pytest.raises(PowerInputError, match="RMSEA is >= 0"):
        rmsea_power(20, 200, -0.01, 0.08)
    with pytest.raises(PowerInputError, match="dfA = 20 <= dfB = 22"):
        rmsea_power_nested(20, 22, 200, 0.08, 0.05)
    with pytest.raises(PowerInputError, match="not larger than under H0"):   # semTools: power <= alpha, or a hang
        rmsea_samplesize_nested(22, 20, 0.06, 0.05, rmsea0A=0.06, rmsea0B=0.05)
    with pytest.raises(PowerInputError, match="rmsea1A = 0.04 < rmsea1B = 0.05"):
        rmsea_power_nested(22, 20, 200, 0.04, 0.05)


def test_target_reached_at_the_smallest_n():
    with pytest.warns(RMSEAPowerWarning, match="already exceeded at the smallest N"):
        t = rmsea_samplesize(300, 0, 0.30, power=0.80)     # df 300, N = 5 already: power .985
    assert t["n"].item() == 5 and bool(t["at.min"].item()) and t["power.n"].item() > 0.80
    with warnings.catch_warnings():
        warnings.simplefilter("error", RMSEAPowerWarning)       # a target not reached at 5: no warning
        t = rmsea_samplesize(20, 0.05, 0.08)
    assert not t["at.min"].item()


def test_df_from_results():
    assert df_from_results({"n": 250, "fit": {"df": 8.0}}) == {"df": 8, "group": 1, "n": 250}
    with pytest.raises(PowerInputError, match="saturated"):
        df_from_results({"n": 250, "fit": {"df": 0.0}}, "r.json")
    with pytest.raises(PowerInputError, match="no model df"):
        df_from_results({"n": 250, "fit": {}}, "r.json")


def test_power_command_rmsea(tmp_path, capsys):
    assert main(["power", "--rmsea", "0.05", "0.08", "0.01", "--df", "20", "--n", "200,400"]) == 0
    out = capsys.readouterr().out
    p = rmsea_power(20, [200, 400], 0.05, [0.08, 0.01])
    n = rmsea_samplesize(20, 0.05, [0.08, 0.01])
    close = p[p["rmseaA"] == 0.08]["power"].tolist()
    assert f"power {close[0]:.3f} at N = 200, {close[1]:.3f} at N = 400; N for power > 0.80: {n['n'][0]}" in out
    assert "not-close fit  H0 rmsea >= 0.05, H1 rmsea = 0.01" in out
    # from a results.json: its df, its N; JSON written
    data = pd.read_csv("tests/reference/data/complete_250.csv")
    res = sem("F =~ GOV1 + GOV2 + GOV4\nG =~ COL1 + COL2 + COL3\nG ~ b*F", data)
    rpath = tmp_path / "results.json"
    rpath.write_text(json.dumps(res.to_dict()), encoding="utf-8")
    assert main(["power", "--rmsea", "0", "0.05", "--from-results", str(rpath), "--nested-df", "9", "8",
                 "--nested-rmsea", "0.08", "0.05", "--out", str(tmp_path / "o")]) == 0
    doc = json.loads((tmp_path / "o" / "rmsea_power.json").read_text())
    assert doc["settings"]["df"] == int(res.fit["df"]) == 8 and doc["settings"]["n"] == [len(data)]
    assert doc["power"][0]["power"] == pytest.approx(rmsea_power(8, len(data), 0, 0.05)["power"].item(), abs=1e-15)
    assert doc["samplesize"][0]["n"] == rmsea_samplesize(8, 0, 0.05)["n"].item()
    assert doc["nested"][0]["power"] == pytest.approx(
        rmsea_power_nested(9, 8, len(data), 0.08, 0.05)["power"].item(), abs=1e-15)
    assert len(pd.read_csv(tmp_path / "o" / "rmsea_power.csv")) == 2
    assert "nested models (MacCallum, Browne & Cai 2006), df 9 vs 8" in capsys.readouterr().out
    # a model file: its df as the fit counts it
    mpath = tmp_path / "m.lav"
    mpath.write_text("F =~ GOV1 + GOV2 + GOV4\nG =~ COL1 + COL2 + COL3\nG ~ F", encoding="utf-8")
    assert main(["power", "--rmsea", "0.05", "0.08", "--model", str(mpath), "--n", "300"]) == 0
    assert "df = 8, alpha = 0.05, 1 group(s)" in capsys.readouterr().out


@pytest.mark.parametrize("argv, msg", [
    (["--rmsea", "0.05", "0.05", "--df", "3"], "rmsea0 = rmseaA = 0.05"),
    (["--rmsea", "0.05", "0.08", "--df", "0"], "df = 0: the RMSEA tests need"),
    (["--rmsea", "0.05", "0.08"], "needs the model's df"),
    (["--rmsea", "0.05"], "at least one alternative"),
    (["--rmsea", "0.05", "0.08", "--df", "3", "--reps", "10"], "--reps: Monte Carlo option"),
    (["--nested-df", "3", "2"], "needs both"),
    (["--rmsea", "0.05", "0.08", "--df", "3", "--estimator", "MLR"], "--estimator MLR: Monte Carlo option"),
    (["--n", "100", "--reps", "2", "--target-power", "0.9", "--out", "x"], "--target-power is for the analytic"),
    (["--n", "100", "--reps", "2"], "--out DIR is required"),
    (["--n", "100", "--reps", "2", "--df", "3", "--out", "x"], "--df is for the analytic power"),
])
def test_power_command_rmsea_refusals(argv, msg, capsys):
    assert main(["power", *argv]) == 2
    assert msg in capsys.readouterr().err


def test_the_book_sentence_gives_the_package_numbers():
    """Chapter 4's sentence on the power of the RMSEA tests (report.sem_tables.fit_power_text) glues these numbers."""
    from iur_survey.report.sem_tables import fit_power_text

    t = fit_power_text(24, 300)
    p = rmsea_power(24, 300, 0.05, [0.08, 0.01])["power"]
    n = rmsea_samplesize(24, 0.05, [0.08, 0.01])["n"]
    assert f"power = {p[0]:.2f}".replace("0.", ".") in t and f"power = {p[1]:.2f}".replace("0.", ".") in t
    assert f"*N* = {n[0]:,} and {n[1]:,} respectively" in t
    assert fit_power_text(0, 300) == "" and fit_power_text(float("nan"), 300) == ""
