"""The ordinal invariance sequence (Wu & Estabrook 2016) in lavaan's THETA parameterization, and the merged
groups an invariance result records.

References: tests/sem/ordinal_refs/wlsmv_theta_invariance_refs.json, written by
make_wlsmv_theta_invariance_refs.R (lavaan 0.6.14, semTools 0.5-6: measEq.syntax(..., parameterization = "theta",
ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016") fitted by cfa(..., parameterization = "theta"), lavTestLRT
between steps) on wlsmv_groups_630.csv and ../invariance_audit_refs/binary_630.csv.  Read only.
Tolerances: fit measures and difference tests 1e-5 relative (1e-8 absolute near zero: RMSEA 0, CFI 1),
estimates 5e-4, SEs 0.1 %.
"""

from __future__ import annotations

import json
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.cli import main
from iur_survey.errors import EstimationError
from iur_survey.report.paper import invariance_apa
from iur_survey.sem.wlsmv_invariance import ordinal_invariance

HERE = Path(__file__).parent / "ordinal_refs"
REFS = json.loads((HERE / "wlsmv_theta_invariance_refs.json").read_text(encoding="utf-8"))
TWO = "F1 =~ a1 + a2 + a3 + a4\nF2 =~ b1 + b2 + b3 + b4"
CASES = {"two": ("wlsmv_groups_630.csv", TWO),
         "one": ("wlsmv_groups_630.csv", "F =~ a1 + a2 + a3 + a4 + b1 + b2 + b3 + b4"),
         "mixed": ("../invariance_audit_refs/binary_630.csv", TWO)}
FIT_KEYS = ("npar", "df", "chisq", "chisq.scaled", "chisq.scaling.factor", "cfi", "rmsea", "cfi.scaled",
            "tli.scaled", "rmsea.scaled", "cfi.robust", "rmsea.robust", "srmr")


def close(ours, ref, rel=1e-5, floor=1e-3):
    if ref is None:                         # lavaan NA (e.g. the robust CFI when it has none): ours NaN too
        return not np.isfinite(float(ours))
    return abs(float(ours) - float(ref)) <= rel * max(abs(float(ref)), floor)


@lru_cache(maxsize=None)
def theta_sequence(case: str):
    path, model = CASES[case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ordinal_invariance(model, pd.read_csv(HERE / path), "G", parameterization="theta")


@pytest.mark.parametrize("case", list(CASES))
def test_theta_sequence_against_lavaan(case):
    inv = theta_sequence(case)
    tab = inv.table.set_index("step")
    for step, ref in REFS[case].items():
        if not ref["converged"]:
            continue                        # the binary +intercepts step: below
        assert inv.fits[step].converged
        fm = inv.fits[step].fit_measures()
        for k in FIT_KEYS:
            assert close(fm[k], ref["fit"][k]), (case, step, k, fm[k], ref["fit"][k])
        if "lrt" in ref:
            row, lrt = tab.loc[step], ref["lrt"]
            assert int(row["df.diff"]) == lrt["df_diff"]
            assert close(row["chisq.diff"], lrt["chisq_diff"]), (case, step)
            assert close(row["pvalue.diff"], lrt["pvalue"], floor=1e-12), (case, step)


@pytest.mark.parametrize("case", ["two", "mixed"])
def test_theta_estimates_are_lavaans(case):
    """The fits are the theta models (residual variances of y*, scales derived), not the delta ones."""
    inv = theta_sequence(case)
    for step, ref in REFS[case].items():
        if not ref["converged"]:
            continue
        pe = pd.DataFrame(ref["estimates"])
        pe["rhs"] = pe["rhs"].fillna("")
        ours = inv.fits[step].parameter_estimates()
        m = pe.merge(ours, on=["lhs", "op", "rhs", "group"], how="left", suffixes=("", "_o"))
        assert not m["est_o"].isna().any(), (case, step)
        assert np.max(np.abs(m["est_o"] - m["est"])) < 5e-4, (case, step)
        ok = m["se"] > 1e-8
        assert np.max(np.abs(m.loc[ok, "se_o"] / m.loc[ok, "se"] - 1)) < 1e-3, (case, step)
        # free residual variances of the items after the first group once the thresholds are equal
        rv = m[(m["op"] == "~~") & (m["lhs"] == "b1") & (m["rhs"] == "b1")].set_index("group")["est_o"]
        assert rv[1] == 1.0 and (step == "configural") == bool(rv[2] == 1.0)


def test_theta_binary_intercepts_step_not_evaluated_as_lavaan_fails():
    inv = theta_sequence("mixed")
    assert REFS["mixed"]["thresholds_loadings_intercepts"]["converged"] is False
    row = inv.table.set_index("step").loc["thresholds_loadings_intercepts"]
    assert row["decision"] == "not evaluated" and not np.isfinite(row["chisq.scaled"])
    assert any("frees the binary items' residual variances" in w and "binary items only (F1" in w
               for w in inv.warnings)


def test_theta_is_recorded_and_unknown_parameterization_refused():
    d = theta_sequence("two").to_dict()["invariance_info"]
    assert d["parameterization"] == "theta" and d["identification"] == "Wu.Estabrook.2016 (std.lv, theta)"
    assert "theta parameterization" in theta_sequence("two").summary()
    with pytest.raises(EstimationError, match="parameterization"):
        ordinal_invariance(TWO, pd.read_csv(HERE / "wlsmv_groups_630.csv"), "G", parameterization="Theta")


def test_cli_invariance_honours_theta(tmp_path, capsys):
    model = tmp_path / "two.lav"
    model.write_text(TWO + "\n")
    out = tmp_path / "r.json"
    rc = main(["fit", str(HERE / "wlsmv_groups_630.csv"), "--model", str(model), "--estimator", "WLSMV",
               "--group", "G", "--invariance", "--parameterization", "theta", "--out", str(out)])
    assert rc == 0
    got = json.loads(out.read_text())
    assert got["invariance_info"]["parameterization"] == "theta"
    for item in got["invariance"]:
        ref = REFS["two"][item["step"]]
        assert close(item["fit"]["chisq.scaled"], ref["fit"]["chisq.scaled"])
        if item["test"]:
            assert close(item["test"]["chisq.diff"], ref["lrt"]["chisq_diff"])
    assert "theta parameterization" in capsys.readouterr().out
    assert "Theta parameterization" in invariance_apa(got).note


# ------------------------------------------------------------------------------------------ merged groups
def test_ordinal_invariance_records_the_merge():
    d = pd.read_csv(HERE / "wlsmv_groups_630.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inv = ordinal_invariance(TWO, d, "G", merge="g3=g2", steps=("configural", "thresholds"))
    info = inv.to_dict()["invariance_info"]
    assert info["merged"] == {"g3": "g2"}
    assert info["groups"] == {"g1": 319, "g2": 308}
    assert "merged: g3 -> g2" in inv.summary()
    # "smallest": the rule of group_size_table (g3 cut to 60 rows is below max(100, q))
    small = pd.concat([d[d.G != "g3"], d[d.G == "g3"].head(60)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inv = ordinal_invariance(TWO, small, "G", merge="smallest", steps=("configural",))
    assert inv.merge == {"g3": "g3+g2", "g2": "g3+g2"}
    assert inv.to_dict()["invariance_info"]["merged"] == inv.merge
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert ordinal_invariance(TWO, d, "G", steps=("configural",)).to_dict()["invariance_info"]["merged"] == {}


@pytest.mark.parametrize("ordinal", [False, True])
def test_cli_invariance_merged_in_results_json(tmp_path, capsys, ordinal):
    model = tmp_path / "two.lav"
    model.write_text(TWO + "\n")
    out = tmp_path / "r.json"
    rc = main(["fit", str(HERE / "wlsmv_groups_630.csv"), "--model", str(model), "--group", "G", "--invariance",
               "--merge-groups", "g3=g2", "--out", str(out)] + (["--estimator", "WLSMV"] if ordinal else
                                                               ["--missing", "listwise"]))
    assert rc == 0
    got = json.loads(out.read_text())
    assert got["groups_merged"] == {"g3": "g2"}
    assert got["invariance_info"]["merged"] == {"g3": "g2"}
    assert set(got["invariance_info"]["groups"]) == {"g1", "g2"}
    printed = capsys.readouterr().out
    assert ("merged: g3 -> g2" if ordinal else "Merged: g3 -> g2") in printed
    assert "Groups merged before fitting: g3 → g2." in invariance_apa(got).note
