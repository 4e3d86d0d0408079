"""WLSMV with missing cells (pairwise), several groups and the ordinal invariance sequence, against lavaan.

References: tests/sem/ordinal_refs/wlsmv_refs.json, written by make_wlsmv_refs.R (lavaan 0.6.14, semTools
0.5-6) on wlsmv_groups_630.csv (three groups of 319/189/119 usable rows, ~7 % missing cells).  Read
only.  Tolerances: estimates 1e-4, SEs 0.5 %, fit measures 1e-3.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.errors import EstimationError
from iur_survey.sem import sem
from iur_survey.sem.wlsmv_invariance import ordinal_invariance

HERE = Path(__file__).parent / "ordinal_refs"
REFS = json.loads((HERE / "wlsmv_refs.json").read_text())
TWO = "F1 =~ a1 + a2 + a3 + a4\nF2 =~ b1 + b2 + b3 + b4"
ONE = "F =~ a1 + a2 + a3 + a4 + b1 + b2 + b3 + b4"
MODEL_OPS = ("=~", "~~", "|", "~*~", "~1")


@pytest.fixture(scope="module")
def data():
    return pd.read_csv(HERE / "wlsmv_groups_630.csv")


def _ref_table(ref):
    pe = pd.DataFrame(ref["estimates"])
    pe = pe[pe["op"].isin(MODEL_OPS)].copy()
    if "group" not in pe.columns:
        pe["group"] = 1
    pe["rhs"] = pe["rhs"].fillna("")
    return pe.set_index(["lhs", "op", "rhs", "group"])


def _ours_table(res):
    pe = res.parameter_estimates()
    if "group" not in pe.columns:
        pe = pe.assign(group=1)
    pe = pe[pe["op"].isin(MODEL_OPS)]
    return pe.set_index(["lhs", "op", "rhs", "group"])


def compare(res, ref):
    """Max |diff| of estimates, max relative diff of SEs (SE > 1e-8), max |diff| of fit measures and of std.all."""
    R, O = _ref_table(ref), _ours_table(res)
    missing = R.index.difference(O.index)
    assert len(missing) == 0, f"rows lavaan reports and we do not: {list(missing)[:5]}"
    O = O.loc[R.index]
    d_est = float(np.max(np.abs(O["est"].to_numpy(float) - R["est"].to_numpy(float))))
    se_r = R["se"].to_numpy(float)
    ok = se_r > 1e-8
    d_se = float(np.max(np.abs(O["se"].to_numpy(float)[ok] / se_r[ok] - 1)))
    std_r = R["std.all"].to_numpy(float)       # thresholds: tau / SD(y*); scales: 1 (lavaan's standardizedSolution)
    both = np.isfinite(std_r)
    d_std = float(np.max(np.abs(O["std.all"].to_numpy(float)[both] - std_r[both])))
    f = res.fit_measures()
    d_fit = 0.0
    for k in ref["fit"]:              # every measure lavaan reports (gfi, rmr, cn_05, nnfi, ... included)
        rv = ref["fit"][k]
        assert k in f.index, f"{k}: lavaan {rv}, ours missing"
        if rv is None:
            assert not np.isfinite(f[k]), f"{k}: lavaan NA, ours {f[k]}"
            continue
        assert np.isfinite(f[k]), f"{k}: lavaan {rv}, ours {f[k]}"     # (max() would drop a NaN silently)
        d_fit = max(d_fit, abs(float(f[k]) - float(rv)))
    return d_est, d_se, d_fit, d_std


CASES = [
    ("pairwise_two", dict(model=TWO, missing="pairwise")),
    ("pairwise_one", dict(model=ONE, missing="auto")),
    ("listwise_one", dict(model=ONE, missing="listwise")),
    ("groups_configural", dict(model=TWO, group="G")),
    ("groups_th_load", dict(model=TWO, group="G", group_equal=["thresholds", "loadings"])),
    ("groups_th_load_one", dict(model=ONE, group="G", group_equal=["thresholds", "loadings"])),
    ("groups_th_load_theta", dict(model=TWO, group="G", group_equal=["thresholds", "loadings"],
                                  parameterization="theta")),
    ("groups_th_load_res_theta", dict(model=TWO, group="G", group_equal=["thresholds", "loadings", "residuals"],
                                      parameterization="theta")),
    ("groups_configural_theta", dict(model=TWO, group="G", parameterization="theta")),
]


@pytest.mark.parametrize("case,kw", CASES, ids=[c for c, _ in CASES])
def test_against_lavaan(data, case, kw):
    kw = dict(kw)
    model = kw.pop("model")
    res = sem(model, data, ordered=True, **kw)
    ref = REFS[case]
    nobs = ref["nobs"]
    assert res.nobs == (nobs if isinstance(nobs, list) else [nobs])
    assert res.converged
    d_est, d_se, d_fit, d_std = compare(res, ref)
    assert d_est < 1e-4
    assert d_se < 5e-3
    assert d_fit < 1e-3
    assert d_std < 1e-4


@pytest.mark.parametrize("case,kw", CASES, ids=[c for c, _ in CASES])
def test_rows_in_lavaan_order(data, case, kw):
    """parameterEstimates' rows in lavaan's order, so that a reviewer can compare them line by line."""
    kw = dict(kw)
    res = sem(kw.pop("model"), data, ordered=True, **kw)
    pe, ref = res.parameter_estimates(), pd.DataFrame(REFS[case]["estimates"])
    key = [c for c in ("lhs", "op", "rhs", "group") if c in pe and c in ref]
    ours = pe[key].fillna("").astype(str).agg(" ".join, axis=1).tolist()
    ref = ref[ref["op"] != ":="][key].fillna("").astype(str).agg(" ".join, axis=1).tolist()
    assert ours == ref


def test_auto_is_pairwise_and_listwise_on_request(data):
    res = sem(ONE, data, ordered=True)
    assert res.missing == "pairwise" and res.n == 627
    assert any("3 of 630 rows" in w for w in res.warnings)
    lw = sem(ONE, data, ordered=True, missing="listwise")
    assert lw.missing == "listwise" and lw.n == REFS["listwise_one"]["nobs"]


def test_pairwise_refused_for_continuous_items(data):
    with pytest.raises(EstimationError, match="pairwise"):
        sem(TWO, data.drop(columns="G"), missing="pairwise")


def test_empty_category_in_a_group_is_an_error(data):
    d = data.copy()
    d.loc[(d.G == "g3") & (d.a1 == 1), "a1"] = 2
    with pytest.raises(EstimationError, match="empty in group 'g3'"):
        sem(TWO, d, ordered=True, group="G")


@pytest.mark.parametrize("name,model", [("two", TWO), ("one", ONE)])
def test_invariance_sequence_against_lavaan(data, name, model):
    inv = ordinal_invariance(model, data, "G")
    ref = REFS[f"invariance_{name}"]
    tab = inv.table.set_index("step")
    for step, r in ref.items():
        row = tab.loc[step]
        assert inv.fits[step].converged
        assert int(row["df"]) == r["fit"]["df"]
        for k in ("chisq", "chisq.scaled", "cfi.scaled", "rmsea.scaled", "tli.scaled"):
            assert abs(row[k] - r["fit"][k]) < 1e-3, (step, k)
        if "lrt" in r:
            assert abs(row["chisq.diff"] - r["lrt"]["chisq_diff"]) < 1e-3
            assert int(row["df.diff"]) == r["lrt"]["df_diff"]
            assert abs(row["pvalue.diff"] - r["lrt"]["pvalue"]) < 1e-4
    d = inv.to_dict()
    assert [s["group_equal"] for s in d["invariance"]] == [r["group_equal"] if isinstance(r["group_equal"], list)
                                                          else [r["group_equal"]] for r in ref.values()]


def test_cli_ordinal_invariance_and_groups(tmp_path, capsys):
    from iur_survey.cli import main
    model = tmp_path / "two.lav"
    model.write_text(TWO + "\n")
    out = tmp_path / "r.json"
    rc = main(["fit", str(HERE / "wlsmv_groups_630.csv"), "--model", str(model), "--estimator", "WLSMV",
               "--group", "G", "--equal", "thresholds,loadings", "--invariance", "--out", str(out)])
    assert rc == 0
    got = json.loads(out.read_text())
    assert got["missing"] == "pairwise" and got["groups"] == {"g1": 319, "g2": 189, "g3": 119}
    ref = REFS["groups_th_load"]["fit"]
    assert abs(got["fit"]["chisq.scaled"] - ref["chisq.scaled"]) < 1e-3
    steps = got["invariance"]
    assert [s["group_equal"] for s in steps] == [[], ["thresholds"], ["thresholds", "loadings"],
                                                 ["thresholds", "loadings", "intercepts"]]
    lrt = REFS["invariance_two"]["thresholds_loadings"]["lrt"]
    assert abs(steps[2]["test"]["chisq.diff"] - lrt["chisq_diff"]) < 1e-3
    assert got["invariance_info"]["estimator"] == "WLSMV"
    assert "ordinal invariance" in capsys.readouterr().out


def test_cli_refuses_a_mix_of_ordered_and_continuous(tmp_path, capsys):
    # one group is fitted (tests/sem/test_wlsmv_mixed.py); several groups are not yet
    from iur_survey.cli import main
    model = tmp_path / "two.lav"
    model.write_text(TWO + "\n")
    rc = main(["fit", str(HERE / "wlsmv_groups_630.csv"), "--model", str(model), "--ordered", "a1,a2",
               "--group", "G", "--out", str(tmp_path / "r.json")])
    assert rc != 0
    assert "mix of ordered and continuous" in capsys.readouterr().err
    assert not (tmp_path / "r.json").exists()


BFI = ("A =~ A1 + A2 + A3 + A4 + A5\nC =~ C1 + C2 + C3 + C4 + C5\nE =~ E1 + E2 + E3 + E4 + E5\n"
       "N =~ N1 + N2 + N3 + N4 + N5\nO =~ O1 + O2 + O3 + O4 + O5")


@pytest.mark.parametrize("case", ["one", "groups"])
def test_bfi_pairwise_against_lavaan(case):
    """psych's bfi (make_bfi_refs.R): 2800 rows, six-point items, missing cells; one group and by gender."""
    ref = json.loads((HERE / "wlsmv_bfi.json").read_text())[case]
    d = pd.read_csv(HERE / "bfi_2800.csv")
    kw = {"group": "gender", "group_equal": ["thresholds", "loadings"]} if case == "groups" else {}
    res = sem(BFI, d, ordered=list(d.columns[:25]), missing="pairwise", **kw)
    nobs = ref["nobs"]
    assert res.nobs == (nobs if isinstance(nobs, list) else [nobs])
    pe = res.parameter_estimates()
    if "group" not in pe.columns:
        pe = pe.assign(group=1)
    pe = pe.assign(rhs=pe["rhs"].fillna("")).set_index(["lhs", "op", "rhs", "group"])
    keep = [i for i, o in enumerate(ref["op"]) if o in MODEL_OPS]
    idx = [(ref["lhs"][i], ref["op"][i], ref["rhs"][i] or "", ref["group"][i]) for i in keep]
    got = pe.loc[idx]
    est, se = np.array(ref["est"])[keep], np.array(ref["se"])[keep]
    assert np.max(np.abs(got["est"].to_numpy() - est)) < 1e-4
    ok = se > 1e-8
    assert np.max(np.abs(got["se"].to_numpy()[ok] / se[ok] - 1)) < 5e-3
    f = res.fit_measures()
    for k in ("chisq", "chisq.scaled", "cfi.scaled", "tli.scaled", "rmsea.scaled", "srmr", "cfi.robust",
              "rmsea.robust"):
        rv = ref["fit"][k]
        if rv == "NA" or rv is None:
            assert not np.isfinite(f[k])
        else:
            assert abs(f[k] - rv) < 1e-3, k


@pytest.mark.parametrize("case", ["groups_configural", "groups_th_load"])
def test_vcov_rows_are_named_as_lavaan(data, case):
    """vcov() of a several-group WLSMV fit names its rows as lavaan's (``F1=~a2``, ``a1|t1``, ``.g2`` after a later
    group's, an equal parameter's label ``.p2.``), not ``par1 ...``; its diagonal gives the SE column."""
    kw = dict(dict(CASES)[case])
    res = sem(kw.pop("model"), data, ordered=True, **kw)
    V = res.vcov()
    names = list(V.index)
    assert not any(n.startswith("par") for n in names) and len(set(names)) == len(names)
    assert "a1|t1" in names and "F1~~F1.g2" in names
    assert ("F1=~a2.g2" in names) == ("a1|t1.g2" in names) == (case == "groups_configural")
    assert ("a1~*~a1.g2" in names) == (case == "groups_th_load")       # scales free once thresholds are equal
    pe = res.parameter_estimates()
    row = pe[(pe["lhs"] == "F1") & (pe["op"] == "~~") & (pe["rhs"] == "F1") & (pe["group"] == 2)].iloc[0]
    assert np.sqrt(V.loc["F1~~F1.g2", "F1~~F1.g2"]) == pytest.approx(row["se"], rel=1e-9)
