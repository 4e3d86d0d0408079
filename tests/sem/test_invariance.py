"""iur_survey.sem.invariance: the configural/metric/scalar/strict sequence against lavaan 0.6.14 + semTools 0.5-6
(tests/reference/json/mg_compare*.json: lavTestLRT and compareFit(nested = TRUE)), Chen's decisions, small groups
and merging, the JSON output.

Tolerances: fit indices 1e-3 absolute (the proof's), chisq/aic/bic 1e-4 relative; changes in CFI/RMSEA/SRMR 1e-4
absolute (they are differences of indices that agree to ~1e-8).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from iur_survey.errors import EstimationError
from iur_survey.sem.invariance import (CHEN_2007, CHEN_2007_SMALL, chen_decision, group_size_table,
                                       measurement_invariance, measurement_part, merge_groups, prepare_groups)
from tests.sem._invariance_common import compare_ref, invariance, rows_frame

STEPS = ["configural", "metric", "scalar", "strict"]
REL = ("chisq", "aic", "bic", "chisq.scaled")


@pytest.mark.parametrize("family", ["ml", "mlr", "fiml"])
def test_steps_match_lavaan_fit_measures(family):
    inv = invariance(family)
    ref = rows_frame(compare_ref(family)["compareFit"]["fit"])
    tab = inv.table.set_index("step")
    assert list(tab.index) == STEPS
    assert tab["converged"].all()
    keys = ["npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "aic", "bic"]
    if family == "mlr":
        keys += ["chisq.scaled", "pvalue.scaled", "chisq.scaling.factor", "cfi.scaled", "rmsea.scaled",
                 "cfi.robust", "tli.robust", "rmsea.robust"]
    if family == "fiml":
        keys += ["cfi.robust", "rmsea.robust"]
    for k in keys:
        a = tab[k].to_numpy(float)
        b = ref.loc[STEPS, k].to_numpy(float)
        if k in REL:
            np.testing.assert_allclose(a, b, rtol=1e-4, err_msg=k)
        else:
            np.testing.assert_allclose(a, b, atol=1e-3, rtol=0, err_msg=k)


@pytest.mark.parametrize("family", ["ml", "mlr", "fiml"])
def test_difference_tests_and_deltas_match_lavaan(family):
    inv = invariance(family)
    tab = inv.table.set_index("step")
    lr = rows_frame(compare_ref(family)["lavTestLRT"]["rows"])
    np.testing.assert_allclose(tab["chisq.diff"].to_numpy(float)[1:], lr["Chisq diff"].to_numpy(float)[1:],
                               rtol=1e-4)
    np.testing.assert_array_equal(tab["df.diff"].to_numpy(float)[1:], lr["Df diff"].to_numpy(float)[1:])
    np.testing.assert_allclose(tab["pvalue.diff"].to_numpy(float)[1:], lr["Pr(>Chisq)"].to_numpy(float)[1:],
                               rtol=1e-3, atol=1e-6)
    assert inv.lrt_method == ("satorra.bentler.2001" if family == "mlr" else "standard")
    fd = pd.DataFrame(compare_ref(family)["compareFit"]["fit_diff"])
    cfi, rmsea = ("cfi.robust", "rmsea.robust") if family == "mlr" else ("cfi", "rmsea")
    assert inv.indices == ("robust" if family == "mlr" else "standard")
    np.testing.assert_allclose(tab["delta.cfi"].to_numpy(float)[1:], fd[cfi].to_numpy(float), atol=1e-4)
    np.testing.assert_allclose(tab["delta.rmsea"].to_numpy(float)[1:], fd[rmsea].to_numpy(float), atol=1e-4)
    np.testing.assert_allclose(tab["delta.srmr"].to_numpy(float)[1:], fd["srmr"].to_numpy(float), atol=1e-4)
    # decisions follow from lavaan's own changes and Chen's cut-offs (total N = 1200: the standard set)
    assert inv.cutoffs_name == "Chen (2007)"
    want = ["baseline"] + [chen_decision(fd.loc[k, cfi], fd.loc[k, rmsea], fd.loc[k, "srmr"], CHEN_2007[s])
                           for k, s in enumerate(STEPS[1:])]
    assert tab["decision"].tolist() == want


def test_small_group_warning_on_the_reference_data():
    inv = invariance("ml")
    assert inv.groups.set_index("group").loc["government", "status"] == "small"
    assert inv.groups["q"].iloc[0] == 105 and inv.groups["p"].iloc[0] == 28   # 21 + 28 + 28 + 7 + 21
    assert any("'government'" in w and "--merge-groups government=" in w for w in inv.warnings)


def test_to_dict_is_the_json_contract():
    inv = invariance("mlr")
    d = json.loads(json.dumps(inv.to_dict(), allow_nan=False))
    items = d["invariance"]
    assert [x["step"] for x in items] == STEPS
    assert items[0]["test"] is None and items[0]["delta"] is None and items[0]["decision"] == "baseline"
    assert items[2]["group_equal"] == ["loadings", "intercepts"]
    for x in items[1:]:
        assert set(x["test"]) == {"chisq.diff", "df.diff", "pvalue", "method", "versus"}
        assert x["test"]["method"] == "satorra.bentler.2001"
        assert set(x["delta"]) == {"cfi", "rmsea", "srmr"}
        assert x["decision"] in ("supported", "not supported", "unclear")
        assert set(x["cutoffs"]) == {"cfi", "rmsea", "srmr"}
    assert {"chisq", "df", "cfi", "rmsea", "srmr", "chisq.scaled", "cfi.robust"} <= set(items[1]["fit"])
    assert items[1]["test"]["versus"] == "configural"
    assert items[1]["test"]["df.diff"] == 63 and isinstance(items[1]["fit"]["df"], int)
    assert items[1]["fit"]["npar"] == 357
    info = d["invariance_info"]
    assert info["groups"] == {"enterprise": 480, "research_institute": 280, "university": 360, "government": 80}
    assert info["indices"] == "robust" and info["level"] in STEPS
    text = inv.summary()
    assert "configural" in text and "Chen (2007)" in text and "robust CFI" in text


# ============================================================================================ decisions
def test_chen_decision_rules():
    m, s = CHEN_2007["metric"], CHEN_2007["scalar"]
    assert chen_decision(-0.010, 0.015, 0.030, m) == "not supported"        # a tie counts against (Chen 2007)
    assert chen_decision(-0.0099, 0.0149, 0.0299, m) == "supported"
    assert chen_decision(-0.0101, 0.016, 0.0, m) == "not supported"
    assert chen_decision(-0.0101, 0.0, 0.031, m) == "not supported"
    assert chen_decision(-0.0101, 0.0, 0.0, m) == "unclear"                 # CFI alone
    assert chen_decision(0.0, 0.02, 0.0, m) == "unclear"                    # RMSEA alone
    assert chen_decision(0.0, 0.0, 0.02, m) == "supported"                  # .02 is fine for loadings ...
    assert chen_decision(0.0, 0.0, 0.02, s) == "unclear"                    # ... not for intercepts
    assert chen_decision(float("nan"), 0.0, 0.0, s) == "not evaluated"
    assert CHEN_2007_SMALL["metric"] == (-0.005, 0.010, 0.025)


def _two_group_data(n_a: int, n_b: int, *, shift_b: float = 0.0, seed: int = 3, n_c: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = n_a + n_b + n_c
    f = rng.standard_normal((n, 1))
    X = 3 + f @ [[1.0, 0.8, 0.7, 0.6]] + rng.standard_normal((n, 4)) * 0.6
    g = np.array(["a"] * n_a + ["b"] * n_b + ["c"] * n_c)
    X[g == "b", 0] += shift_b          # a non-invariant intercept in group b
    return pd.DataFrame(X, columns=["y1", "y2", "y3", "y4"]).assign(g=g)


def test_intercept_shift_is_detected_at_the_scalar_step():
    d = _two_group_data(400, 400, shift_b=0.8)
    inv = measurement_invariance("F =~ y1 + y2 + y3 + y4", d, "g", warn=False)
    dec = inv.table.set_index("step")["decision"]
    assert dec["metric"] == "supported"
    assert dec["scalar"] == "not supported"
    assert inv.level == "metric"
    assert inv.table.set_index("step").loc["scalar", "pvalue.diff"] < 1e-6


def test_steps_fitted_in_parallel_equal_serial_ones_and_progress_counts_models(capsys):
    """The steps are independent fits: on Dask workers (threads here) the table is the serial one, and
    ``progress="lines"`` says how many of the models are fitted and how long they took."""
    d = _two_group_data(300, 300, shift_b=0.5)
    serial = measurement_invariance("F =~ y1 + y2 + y3 + y4", d, "g", warn=False, progress=False)
    assert capsys.readouterr().err == ""
    par = measurement_invariance("F =~ y1 + y2 + y3 + y4", d, "g", warn=False, workers=2, scheduler="threads",
                                 progress="lines")
    pd.testing.assert_frame_equal(serial.table, par.table, check_exact=False, rtol=1e-9, atol=1e-12)
    lines = capsys.readouterr().err.splitlines()
    assert lines[-1].startswith("invariance: 4/4 models in ")


def test_cutoffs_auto_small_sample_and_custom():
    d = _two_group_data(130, 120)
    inv = measurement_invariance("F =~ y1 + y2 + y3 + y4", d, "g", warn=False, steps=("configural", "metric"))
    assert inv.cutoffs_name.startswith("Chen (2007) small-sample")
    assert inv.cutoffs["metric"] == CHEN_2007_SMALL["metric"]
    inv2 = measurement_invariance("F =~ y1 + y2 + y3 + y4", d, "g", warn=False, steps=("configural", "metric"),
                                  cutoffs={"metric": (-0.5, 0.5, 0.5)})
    assert inv2.cutoffs_name == "user" and inv2.table["decision"].tolist()[1] == "supported"
    with pytest.raises(ValueError):
        measurement_invariance("F =~ y1 + y2 + y3 + y4", d, "g", cutoffs="hu-bentler")


def test_custom_steps_and_validation():
    d = _two_group_data(300, 300)
    inv = measurement_invariance("F =~ y1 + y2 + y3 + y4", d, "g", warn=False,
                                 steps=["configural", "metric", ("means", ["loadings", "intercepts", "means"])])
    assert inv.steps == ["configural", "metric", "means"]
    # 4 intercepts equal and, unlike scalar, the latent mean of group b stays fixed at 0: 4 more df than metric
    assert inv.table.set_index("step").loc["means", "df.diff"] == 4
    with pytest.raises(ValueError, match="unknown group_equal"):
        measurement_invariance("F =~ y1 + y2 + y3 + y4", d, "g", steps=["configural", ("x", ["loading"])])
    with pytest.raises(ValueError, match="unknown step"):
        measurement_invariance("F =~ y1 + y2 + y3 + y4", d, "g", steps=["configural", "weak"])


def test_measurement_part_and_default_model():
    from iur_survey.study import default_model
    m = measurement_part(default_model())
    assert m.count("=~") == 7 and "~ " not in m.replace("=~", "") and ":=" not in m
    with pytest.raises(EstimationError):
        measurement_part("y ~ x")


# ============================================================================================ small groups
def test_tiny_group_errors_with_merge_advice_then_merged_run_works():
    d = _two_group_data(200, 180, n_c=3)               # group c: 3 cases for 4 variables
    with pytest.raises(EstimationError, match=r"1 of the 3 groups of 'g' has no more cases than the 4 observed "
                                              r"variables \(the smallest: 3 cases\).*--merge-groups smallest") as err:
        measurement_invariance("F =~ y1 + y2 + y3 + y4", d, "g")
    assert "'c'" not in str(err.value)      # no group value reaches the terminal (a group column may hold names)
    with pytest.warns(UserWarning, match="small-group rule"):
        inv = measurement_invariance("F =~ y1 + y2 + y3 + y4", d, "g", merge={"c": "b"},
                                     steps=("configural", "metric"), min_group_size=190)
    assert inv.merge == {"c": "b"}
    assert inv.groups[["group", "n"]].values.tolist() == [["a", 200], ["b", 183]]
    assert inv.table["converged"].all()
    inv2 = measurement_invariance("F =~ y1 + y2 + y3 + y4", d, "g", merge="smallest", warn=False,
                                  steps=("configural", "metric"))
    assert inv2.merge == {"c": "c+b", "b": "c+b"}
    assert sorted(inv2.groups["n"].tolist()) == [183, 200]
    d2, _, mapping, _ = prepare_groups(d, "g", "F =~ y1 + y2 + y3 + y4", merge="c=a")
    assert mapping == {"c": "a"} and d2["g"].value_counts()["a"] == 203


def test_small_group_warns_and_still_fits():
    d = _two_group_data(300, 60)
    with pytest.warns(UserWarning, match=r"group 'b' of 'g' has 60 cases"):
        inv = measurement_invariance("F =~ y1 + y2 + y3 + y4", d, "g", steps=("configural", "metric"))
    assert inv.table["converged"].all()
    sizes = group_size_table(d, "g", "F =~ y1 + y2 + y3 + y4")
    assert sizes["status"].tolist() == ["ok", "small"]
    assert sizes["q"].tolist() == [12, 12] and sizes["min_n"].tolist() == [100, 100]
    assert group_size_table(d, "g", "F =~ y1 + y2 + y3 + y4", min_group_size=50)["status"].tolist() == ["ok", "ok"]


def test_merge_groups_checks():
    d = _two_group_data(50, 50)
    with pytest.raises(EstimationError, match="'zz' is not a group"):
        merge_groups(d, "g", {"zz": "a"})
    with pytest.raises(EstimationError, match="'bb' is not a group.*did you mean 'b'"):
        merge_groups(d, "g", {"a": "bb"})              # a typo in INTO would make a new group
    with pytest.raises(EstimationError):
        prepare_groups(d, "g", "F =~ y1 + y2 + y3 + y4", merge="a")   # neither 'smallest' nor FROM=INTO
    with pytest.raises(EstimationError, match="only one group"):
        prepare_groups(d, "g", "F =~ y1 + y2 + y3 + y4", merge={"a": "b"})
    with pytest.raises(EstimationError, match="at least two groups"):
        measurement_invariance("F =~ y1 + y2 + y3 + y4", d.assign(g="a"), "g")
    out, mapping = merge_groups(d.assign(g=d["g"].where(d.index != 0)), "g", {"a": "b"})
    assert out["g"].isna().sum() == 1 and mapping == {"a": "b"}
    # new labels are allowed: two groups into one new label
    out, _ = merge_groups(_two_group_data(10, 10, n_c=10), "g", {"b": "bc", "c": "bc"})
    assert out["g"].value_counts().to_dict() == {"a": 10, "bc": 20}


def test_failed_step_is_reported_not_raised(monkeypatch):
    """A step the engine cannot fit (here forced) is 'not evaluated' with its error, the others go on."""
    from iur_survey.sem import api
    real = api.sem

    def flaky(model, data, **kw):
        if tuple(kw.get("group_equal", ())) == ("loadings", "intercepts"):
            raise EstimationError(None, "the sample covariance matrix is not positive definite")
        return real(model, data, **kw)
    monkeypatch.setattr(api, "sem", flaky)
    d = _two_group_data(200, 200)
    inv = measurement_invariance("F =~ y1 + y2 + y3 + y4", d, "g", warn=False)
    dec = inv.table.set_index("step")["decision"]
    assert dec.tolist() == ["baseline", "supported", "not evaluated", "not reached (scalar not evaluated)"]
    assert inv.table["judgement"].tolist()[2:] == ["not evaluated", "not evaluated"]
    assert inv.fits["scalar"] is None and "positive definite" in inv.errors["scalar"]
    assert inv.level == "metric"
    assert any("scalar model could not be fitted" in w for w in inv.warnings)
    d = inv.to_dict()["invariance"]
    assert d[2]["error"].startswith("the sample covariance") and d[2]["converged"] is False
    json.dumps(inv.to_dict(), allow_nan=False)


def test_a_cascade_of_smallest_merges_says_each_step_and_why(tmp_path, capsys):
    """C4 (journey audit): government 9 -> + research institute 65 -> + university 137 merged in silence
    (`warnings: []`); each step, its sizes and the minimum reach results.json, the terminal and the book."""
    from iur_survey.cli import main
    from iur_survey.report.groups import _merge_text

    rng = np.random.default_rng(7)
    sizes_in = {"e": 170, "g": 9, "r": 65, "u": 137}
    g = np.repeat(list(sizes_in), list(sizes_in.values()))
    f = rng.standard_normal((len(g), 1))
    d = pd.DataFrame(3 + f @ [[1.0, 0.8, 0.7, 0.6]] + rng.standard_normal((len(g), 4)) * 0.6,
                     columns=["y1", "y2", "y3", "y4"]).assign(g=g)
    d2, sizes, mapping, notes = prepare_groups(d, "g", "F =~ y1 + y2 + y3 + y4", merge="smallest")
    assert mapping == {"g": "g+r+u", "r": "g+r+u", "u": "g+r+u"}
    assert notes[:2] == [
        "--merge-groups smallest, step 1: group 'g' of 'g' (n = 9) is the smallest and below the small-group minimum "
        "of 100, so it was merged with the next smallest, 'r' (n = 65): 'g+r' (n = 74)",
        "--merge-groups smallest, step 2: group 'g+r' of 'g' (n = 74) is the smallest and below the small-group "
        "minimum of 100, so it was merged with the next smallest, 'u' (n = 137): 'g+r+u' (n = 211)"]
    assert len(notes) == 2 and sizes.attrs["merge_notes"] == notes        # both groups left meet the rule
    assert merge_groups(d, "g", "smallest", sizes=group_size_table(d, "g", "F =~ y1 + y2 + y3 + y4"))[1] == mapping

    data, model, out = tmp_path / "d.csv", tmp_path / "m.lav", tmp_path / "r.json"
    d.to_csv(data, index=False)
    model.write_text("F =~ y1 + y2 + y3 + y4\n")
    assert main(["fit", str(data), "--model", str(model), "--group", "g", "--merge-groups", "smallest",
                 "--out", str(out)]) == 0
    printed = capsys.readouterr().err            # warnings: on stderr
    res = json.loads(out.read_text())
    assert [w for w in res["warnings"] if w.startswith("--merge-groups smallest")] == notes
    assert all(n in printed for n in notes)

    before = group_size_table(d, "g", "F =~ y1 + y2 + y3 + y4")
    text = _merge_text(before, {"groups": sizes, "merge": mapping})
    assert "twice: first g (*n* = 9) with r (*n* = 65), giving g + r (*n* = 74), still below 100; then g + r " \
           "with u (*n* = 137), giving **g + r + u** (*n* = 211)" in text
    one = _merge_text(before.iloc[[0, 1, 3]], {"groups": sizes, "merge": {"g": "g+u", "u": "g+u"}})
    assert "the smallest group, g (*n* = 9), was merged with the next smallest, u (*n* = 137)" in one
    assert "merged as set: g → e" in _merge_text(before, {"groups": sizes, "merge": {"g": "e"}})


def test_merge_text_says_when_merged_groups_are_still_too_small():
    """Three small roles merged into two groups that are both still below the rule (an outside audit: the prose went
    on with "The analyses below compare 2 groups" as if merging had cured it)."""
    from iur_survey.report.groups import _merge_text
    before = pd.DataFrame({"group": ["startup", "incumbent", "lab"], "n": [43, 31, 22], "min_n": 100,
                           "status": ["small"] * 3})
    main = {"groups": pd.DataFrame({"group": ["startup", "incumbent+lab"], "n": [43, 53]}),
            "merge": {"incumbent": "incumbent+lab", "lab": "incumbent+lab"}}
    text = _merge_text(before, main)
    assert "The startup group (*n* = 43), the incumbent group (*n* = 31) and the lab group (*n* = 22) are" in text
    assert ("Even after merging, startup (*n* = 43) and incumbent + lab (*n* = 53) are below the minimum of 100"
            in text)
    ok = {"groups": pd.DataFrame({"group": ["startup", "incumbent+lab"], "n": [143, 153]}), "merge": main["merge"]}
    assert "Even after merging" not in _merge_text(before.assign(n=[143, 101, 52]), ok)


def test_unmerged_text_when_the_unmerged_configural_model_did_not_converge():
    """Table 7.4's configural step "not evaluated" (its groups too small to converge): the chapter said the
    decisions "agree for 0 of the 3 steps" and that the conclusions "depend on the merging"; nothing was compared."""
    from iur_survey.report.groups import _unmerged_text
    steps = ["configural", "metric", "scalar", "strict"]
    merged = pd.DataFrame({"step": steps, "decision": ["baseline", "supported", "supported", "not supported"]})
    unmerged = pd.DataFrame({"step": steps, "decision": ["not evaluated"] * 4})
    groups = pd.DataFrame({"group": ["a", "b", "c"], "n": [43, 31, 22]})
    iv = {"main": {"table": merged}, "unmerged": {"table": unmerged, "groups": groups, "level": "none"},
          "merge_rule": True, "unmerged_error": None}
    text = _unmerged_text(iv)
    assert text.startswith("Without merging, with all three groups as they are, the configural model did not converge")
    assert "depend" not in text
    iv["unmerged"]["table"] = merged
    assert "the decisions agree with the merged analysis for all three steps" in _unmerged_text(iv)


@pytest.mark.parametrize("scheduler", [None, "threads"])
def test_a_configural_model_that_cannot_be_fitted_ends_the_sequence(monkeypatch, scheduler):
    """Left-out s23: a configural model that did not fit still had its later steps fitted (109 s on singular
    data) before they were reported "not evaluated".  Now they are not started (in order: configural first),
    and the result says why, the same serially and on workers."""
    import time

    from iur_survey.sem import api
    real = api.sem
    calls = []

    def flaky(model, data, **kw):
        ge = tuple(kw.get("group_equal", ()))
        calls.append(ge)
        if ge == ():
            raise EstimationError(None, "the sample covariance matrix is not positive definite")
        time.sleep(0.5)          # a later step takes longer than the configural one
        return real(model, data, **kw)
    monkeypatch.setattr(api, "sem", flaky)
    d = _two_group_data(200, 200)
    inv = measurement_invariance("F =~ y1 + y2 + y3 + y4", d, "g", warn=False, workers=2 if scheduler else 1,
                                 scheduler=scheduler, progress=False)
    assert ("loadings", "intercepts") not in calls and ("loadings", "intercepts", "residuals") not in calls
    assert calls[0] == () and len(calls) <= (2 if scheduler else 1)
    assert [inv.fits[s] for s in STEPS] == [None] * 4
    assert inv.table["decision"].tolist() == ["not evaluated"] + ["not reached (configural not evaluated)"] * 3
    assert inv.level is None
    assert "the metric, scalar and strict models were not fitted: the configural model, the baseline of the " \
           "sequence, could not be fitted" in inv.warnings
    json.dumps(inv.to_dict(), allow_nan=False)


def test_a_configural_model_that_does_not_converge_ends_the_sequence(monkeypatch):
    from iur_survey.sem import api
    real = api.sem
    calls = []

    def counted(model, data, **kw):
        calls.append(tuple(kw.get("group_equal", ())))
        return real(model, data, **kw)
    monkeypatch.setattr(api, "sem", counted)
    d = _two_group_data(200, 200)
    inv = measurement_invariance("F =~ y1 + y2 + y3 + y4", d, "g", warn=False, control={"max_iter": 1})
    assert calls == [()]
    assert inv.fits["configural"] is not None and not inv.fits["configural"].converged
    assert [inv.fits[s] for s in STEPS[1:]] == [None] * 3
    assert inv.table["decision"].tolist() == ["not evaluated"] + ["not reached (configural not evaluated)"] * 3
    assert any(w.startswith("the metric, scalar and strict models were not fitted: the configural model, the "
                            "baseline of the sequence, did not converge") for w in inv.warnings)
