"""What the invariance / multi-group audit found, fixed: each against lavaan 0.6.14 / semTools 0.5-6.

References: tests/sem/invariance_audit_refs/invariance_audit_refs.json, written by
make_invariance_audit_refs.R (with the data it reads: hs1939_na6.csv, binary_630.csv).  Read only.
"""

from __future__ import annotations

import json
import shlex
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.cli import main
from iur_survey.report.groups import _ordinal_verdict, ordinal_invariance_glue
from iur_survey.report.paper import invariance_apa
from iur_survey.sem import sem
from iur_survey.sem.invariance import CHEN_2007_SMALL, chen_decision, measurement_invariance, merge_groups
from iur_survey.sem.score_test import lav_test_score
from iur_survey.sem.wlsmv_invariance import ordinal_invariance

HERE = Path(__file__).parent / "invariance_audit_refs"
REFS = json.loads((HERE / "invariance_audit_refs.json").read_text(encoding="utf-8"))
HS_DATA = Path(__file__).parents[1] / "reference" / "data" / "hs1939.csv"
HS = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
MODELS = {"binary": "F1 =~ a1 + a2 + a3 + a4\nF2 =~ bb1 + bb2 + bb3 + bb4",
          "mixed": "F1 =~ a1 + a2 + a3 + a4\nF2 =~ b1 + b2 + b3 + b4"}


@lru_cache(maxsize=None)
def hs() -> pd.DataFrame:
    return pd.read_csv(HS_DATA)


@lru_cache(maxsize=None)
def ordinal(kind: str):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ordinal_invariance(MODELS[kind], pd.read_csv(HERE / "binary_630.csv"), "G")


# ---------------------------------------------------------------------------------------------- A1
def test_a1_group_sizes_and_chen_set_from_the_cases_the_fit_used():
    ref = REFS["a1"]
    d = pd.read_csv(HERE / "hs1939_na6.csv")
    inv = measurement_invariance(HS, d, "school", missing="listwise", warn=False)
    info = inv.to_dict()["invariance_info"]
    assert info["groups"] == dict(zip(ref["configural"]["labels"], ref["configural"]["nobs"]))   # 153/142, not 156/145
    assert sum(ref["configural"]["nobs"]) <= 300 < len(d)
    assert "small-sample" in info["cutoffs"]                      # N = 295 cases in the fit -> Chen's N <= 300 set
    for prev, step in (("configural", "metric"), ("metric", "scalar"), ("scalar", "strict")):
        a, b = ref[prev]["fit"], ref[step]["fit"]
        want = chen_decision(b["cfi"] - a["cfi"], b["rmsea"] - a["rmsea"], b["srmr"] - a["srmr"],
                             CHEN_2007_SMALL[step])
        assert inv.table.set_index("step").loc[step, "judgement"] == want       # the cut-offs' verdict alone
    # the sequence stops at scalar (not supported): strict is not reached, whatever its own change says
    assert inv.table["decision"].tolist()[2:] == ["not supported", "not reached (scalar not supported)"]
    assert "not reached (scalar not supported)" in inv.summary()          # the terminal of fit --invariance
    assert inv.level == "metric"
    assert "n = 153" in inv.summary()


def test_a1_small_group_rule_on_the_analysed_cases():
    d = hs().copy()
    d.loc[d.index[d["school"] == "Grant-White"][:60], "x1"] = np.nan     # 145 rows, 85 cases after listwise
    inv = measurement_invariance(HS, d, "school", missing="listwise", steps=("configural", "metric"), warn=False)
    assert dict(zip(inv.groups["group"], inv.groups["n"]))["Grant-White"] == 85
    assert any("'Grant-White'" in w and "85 cases in the fit" in w for w in inv.warnings)


# ---------------------------------------------------------------------------------------------- A2
def test_a2_ordinal_level_thresholds_does_not_support_equal_loadings():
    text = _ordinal_verdict("thresholds", "metric")
    assert "disagree" in text and "does not support them" in text and "supports them and" not in text
    assert _ordinal_verdict("thresholds", "configural").startswith("The two scales agree: neither supports equal")
    assert "both support comparing the structural paths" in _ordinal_verdict("thresholds_loadings", "metric")
    t = pd.DataFrame({"step": ["configural", "thresholds", "thresholds_loadings", "thresholds_loadings_intercepts"],
                      "decision": ["", "supported", "not supported", "supported"], "delta.cfi.scaled": 0.0,
                      "delta.rmsea.scaled": 0.0, "df.diff": 5, "chisq.diff": 105.67, "pvalue.diff": 3e-21})
    g = ordinal_invariance_glue({"table": t, "level": "thresholds", "ml_level": "metric"})
    assert "does not support them" in g["ordinal_text"][1]


# ---------------------------------------------------------------------------------------------- B1
@pytest.mark.parametrize("kind", ["binary", "mixed"])
def test_b1_binary_items_follow_wu_estabrook_as_semtools(kind):
    ref = REFS["binary"][kind]
    tab = ordinal(kind).table.set_index("step")
    for step in ("configural", "thresholds", "thresholds_loadings"):
        f, r = ref["fit"][step], tab.loc[step]
        assert (int(r["npar"]), int(r["df"])) == (f["npar"], f["df"]), step
        assert r["chisq"] == pytest.approx(f["chisq"], rel=1e-5), step
        assert r["chisq.scaled"] == pytest.approx(f["chisq.scaled"], rel=1e-5), step
        assert r["cfi.scaled"] == pytest.approx(f["cfi.scaled"], abs=1e-5), step
        assert r["rmsea.scaled"] == pytest.approx(f["rmsea.scaled"], abs=1e-5), step
    for step in ("thresholds", "thresholds_loadings"):
        t, r = ref["lrt"][step], tab.loc[step]
        assert int(r["df.diff"]) == t["df.diff"]
        if t["df.diff"] > 0:
            assert r["chisq.diff"] == pytest.approx(t["chisq.diff"], rel=1e-4)
            assert r["pvalue.diff"] == pytest.approx(t["p"], abs=1e-4)


@pytest.mark.parametrize("kind", ["binary", "mixed"])
def test_b1_intercepts_step_with_binary_items_is_not_evaluated_and_says_why(kind):
    inv = ordinal(kind)
    r = inv.table.set_index("step").loc["thresholds_loadings_intercepts"]
    # semTools' model of this step (scales of the binary items free): lavaan's nlminb fails at the start, its BFGS
    # stops on the ridge where the estimates drift (the package went 6000-9000 iterations to latent variances
    # of ~1e4): not fitted, not judged, and said so
    assert REFS["binary"][kind]["fit"]["thresholds_loadings_intercepts"]["optimizer"] == "bfgs"
    assert r["decision"] == "not evaluated" and np.isnan(r["chisq.diff"]) and np.isnan(r["chisq.scaled"])
    assert inv.fits["thresholds_loadings_intercepts"] is None
    # refused because factor F1 has binary items only (a factor with a polytomous item is fitted:
    # test_wlsmv_binary_mixed.py)
    assert any("binary items only (F1 (a1, a2, a3, a4)" in w and "not evaluated" in w for w in inv.warnings)
    assert inv.level == "thresholds_loadings"
    assert inv.to_dict()["invariance_info"]["warnings"] == inv.warnings


def test_b1_cli_binary_invariance_exits_cleanly(tmp_path, capsys):
    model = tmp_path / "m.lav"
    model.write_text(MODELS["binary"], encoding="utf-8")
    out = tmp_path / "r.json"
    rc = main(["fit", str(HERE / "binary_630.csv"), "--model", str(model), "--estimator", "WLSMV", "--group", "G",
               "--invariance", "--out", str(out)])
    assert rc == 0
    got = json.loads(out.read_text())
    assert [s["fit"]["df"] for s in got["invariance"]] == [57, 57, 69, None]       # semTools: 57, 57, 69 (65)
    assert got["invariance"][3]["decision"] == "not evaluated"
    assert "not evaluated" in capsys.readouterr().out


# ---------------------------------------------------------------------------------------------- C1
def test_c1_terminal_modification_indices_name_the_group(tmp_path, capsys):
    data = tmp_path / "hs.csv"
    hs().to_csv(data, index=False)
    model = tmp_path / "m.lav"
    model.write_text(HS, encoding="utf-8")
    rc = main(["fit", str(data), "--model", str(model), "--group", "school", "--equal", "loadings,intercepts",
               "--modindices", "5", "--out", str(tmp_path / "r.json")])
    assert rc == 0
    lines = capsys.readouterr().out.split("largest modification indices")[1].splitlines()[1:6]
    assert lines[0].strip().startswith("visual =~ x9 [Grant-White]: mi=19.55")     # lavaan: 19.548 in group 2
    assert any(x.strip().startswith("visual =~ x9 [Pasteur]: mi=9.19") for x in lines)


# ---------------------------------------------------------------------------------------------- C2
def test_c2_whole_number_group_codes_are_integer_labels():
    ref = REFS["c2"]
    assert hs()["grade"].isna().sum() == 1 and hs()["grade"].dtype == float
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sem(HS, hs(), group="grade")
    assert list(res.partable.group_labels) == ref["labels"] == ["7", "8"]
    assert res.nobs == ref["nobs"]
    merged, mapping = merge_groups(hs(), "grade", "8=7")
    assert mapping == {"8": "7"} and set(merged["grade"].dropna()) == {"7"}


# ---------------------------------------------------------------------------------------------- C3
def test_c3_labels_differing_by_case_or_blanks_are_warned_with_a_typeable_merge():
    d = hs().copy()
    d.loc[d.index[:60], "school"] = "pasteur "
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sem(HS, d, group="school")
    w = [x for x in res.warnings if "differ only by letter case" in x]
    assert len(w) == 1 and "'Pasteur'" in w[0] and "'pasteur '" in w[0]
    arg = shlex.split(w[0].split("--merge-groups ", 1)[1])[0]         # as a shell would pass it
    assert arg == "pasteur =Pasteur"
    merged, mapping = merge_groups(d, "school", arg)
    assert mapping == {"pasteur ": "Pasteur"} and merged["school"].value_counts()["Pasteur"] == 156


# ---------------------------------------------------------------------------------------------- C4
def test_c4_theta_parameterization_reports_robust_cfi_rmsea():
    d = pd.read_csv(Path(__file__).parent / "ordinal_refs" / "wlsmv_groups_630.csv")
    one = "F =~ a1 + a2 + a3 + a4 + b1 + b2 + b3 + b4"
    for p in ("delta", "theta"):
        ref = REFS["theta"][p]
        f = sem(one, d, group="G", ordered=True, parameterization=p).fit_measures()
        for k in ("cfi.robust", "tli.robust", "rmsea.robust", "rmsea.ci.lower.robust", "rmsea.ci.upper.robust"):
            assert f[k] == pytest.approx(ref[k], abs=1e-5), (p, k)


# ---------------------------------------------------------------------------------------------- C5
def test_c5_mlr_score_test_warns_it_is_the_ordinary_test():
    res = sem(HS, hs(), group="school", estimator="MLR", group_equal=["loadings", "intercepts"])
    with pytest.warns(UserWarning, match="falling back to the ordinary score test"):
        st = lav_test_score(res)
    assert st.to_dict()["type"] == "standard" and len(st.to_dict()["warnings"]) == 1
    assert st.test["X2"].iloc[0] == pytest.approx(46.956, abs=1e-3)     # lavaan 0.6.14 (the ML numbers)
    ml = sem(HS, hs(), group="school", group_equal=["loadings", "intercepts"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert lav_test_score(ml).warnings == []


# ---------------------------------------------------------------------------------------------- C6
def test_c6_invariance_table_shows_the_statistics_the_decisions_use():
    ref = REFS["mlr"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inv = measurement_invariance(HS, hs(), "school", estimator="MLR", warn=False)
    t = invariance_apa(inv.to_dict())
    f = t.frame.set_index("Step")
    assert {"Scaled χ²", "Robust CFI", "Robust RMSEA", "ΔRobust CFI"} <= set(f.columns)
    for step in ("configural", "metric", "scalar", "strict"):
        r = ref["fit"][step]
        assert f.loc[step, "Scaled χ²"] == f"{r['chisq.scaled']:.2f}"
        assert f.loc[step, "Robust CFI"] == f"{r['cfi.robust']:.3f}".lstrip("0")
        assert f.loc[step, "Robust RMSEA"] == f"{r['rmsea.robust']:.3f}".lstrip("0")
    steps = ["metric", "scalar", "strict"]
    for k, step in enumerate(steps):
        assert f.loc[step, "Δχ² (Δdf)"] == f"{ref['chisq.diff'][k]:.2f} ({ref['df.diff'][k]})"
        prev = ["configural", *steps][k]
        d = ref["fit"][step]["cfi.robust"] - ref["fit"][prev]["cfi.robust"]
        assert f.loc[step, "ΔRobust CFI"].replace("\u2212", "-") == f"{d:.3f}".replace("0.", ".")
    assert "chisq.scaled" in t.note and "cfi.robust" in t.note


def test_c6_wlsmv_table_has_scaled_cfi_rmsea_and_their_changes():
    inv = ordinal("mixed")
    f = invariance_apa(inv.to_dict() | {"invariance_info": {"estimator": "WLSMV"}}).frame.set_index("Step")
    ref = REFS["binary"]["mixed"]["fit"]
    assert f.loc["configural", "Decision"] == "baseline"
    for step in ("configural", "thresholds", "thresholds_loadings"):
        assert f.loc[step, "Scaled CFI"] == f"{ref[step]['cfi.scaled']:.3f}".lstrip("0")
        assert f.loc[step, "Scaled RMSEA"] == f"{ref[step]['rmsea.scaled']:.3f}".lstrip("0")
        assert f.loc[step, "Scaled χ²"] == f"{ref[step]['chisq.scaled']:.2f}"
    assert f.loc["thresholds_loadings", "ΔScaled CFI"] not in ("", "—")


def test_a1_ordinal_sequence_picks_chen_set_on_the_cases_used():
    d = pd.read_csv(Path(__file__).parent / "ordinal_refs" / "wlsmv_groups_630.csv")
    d = d.groupby("G", group_keys=False).head(103).reset_index(drop=True)        # 309 rows, 3 groups
    items = [c for c in d.columns if c != "G"]
    d.loc[d.index[::30][:12], items] = np.nan                                   # 12 rows without any item
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inv = ordinal_invariance("F1 =~ a1 + a2 + a3 + a4\nF2 =~ b1 + b2 + b3 + b4", d, "G",
                                 steps=("configural", "thresholds"))
    assert sum(inv.fits["configural"].nobs) <= 300 < len(d)
    assert inv.to_dict()["invariance_info"]["cutoffs"].startswith("Chen (2007) small-sample")


def test_ordinal_sequence_says_once_that_rows_were_dropped():
    """A review: the ordinal block filtered 'rows dropped by listwise deletion' out of its warnings by text, so
    nobody was told the invariance fits dropped rows; and a message every step repeats came once per step."""
    import numpy as np
    import pandas as pd

    from iur_survey.sem.wlsmv_invariance import ordinal_invariance

    rng = np.random.default_rng(11)
    y = rng.normal(size=(600, 1)) @ [[.8, .7, .6, .7]] + rng.normal(size=(600, 4)) * .6
    d = pd.DataFrame(np.digitize(y, [-1, 0, 1]), columns=["a", "b", "c", "e"]).astype(float)
    d["G"] = np.where(np.arange(600) < 350, "x", "y")
    d.loc[d.index[::15], "b"] = np.nan
    inv = ordinal_invariance("F =~ a + b + c + e", d, "G", missing="listwise")
    dropped = [w for w in inv.warnings if "dropped by listwise" in w]
    assert len(dropped) == 1 and dropped[0].startswith("configural: ")


def test_ordinal_intercepts_with_ml_metric_not_said_neither():
    """The ordinal sequence reaching equal intercepts beside an ML sequence at metric was said as "and neither
    reaches equal intercepts", the opposite of the ordinal level the sentence before it names."""
    for ml in ("configural", "metric"):
        text = _ordinal_verdict("thresholds_loadings_intercepts", ml)
        assert "neither reaches equal intercepts" not in text
    assert "only the ordinal scale reaches equal intercepts" in _ordinal_verdict("thresholds_loadings_intercepts",
                                                                                 "metric")
    assert "neither reaches equal intercepts" in _ordinal_verdict("thresholds_loadings", "metric")
    assert "only the ML scale reaches" in _ordinal_verdict("thresholds_loadings", "scalar")
