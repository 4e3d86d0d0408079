"""Partial invariance: lavaan's group.partial (``sem(..., group_partial=)``, ``fit --free``), its numbers and its words.

``group_partial`` frees parameters from the ``group_equal`` constraints.  Every number equals lavaan 0.6.14's
``cfa(..., group.equal =, group.partial =)``: each estimate and SE and the fit measures of one fit, and each step
of the invariance sequence with ``lavTestLRT`` between consecutive steps (the sequence passes the entries to every
step, as semTools does: an entry is freed where its class is constrained), on two data sets: HS1939 complete (ML)
and HS1939 with missing cells (MLR, FIML).  An entry that frees nothing is an error here (lavaan ignores it).

References: tests/sem/partial_refs/partial_refs.json, written by make_partial_refs.R in that folder.  Tolerances:
chi-square and the other fit measures 1e-5 relative (1e-6 absolute) under ML, 1e-4 under MLR with FIML (the
project's tolerance there: the scaled statistics and their difference test amplify the last digits of the
scaling factors; measured 5e-5 on the scaled Δχ² of metric), estimates 1e-4 absolute, SEs 1e-3 relative.
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
from iur_survey.errors import ModelSyntaxError
from iur_survey.report import paper
from iur_survey.report.groups import invariance_summary, invariance_table
from iur_survey.sem import sem
from iur_survey.sem.invariance import measurement_invariance

HERE = Path(__file__).parent
REFS = json.loads((HERE / "partial_refs" / "partial_refs.json").read_text())
DATA = HERE.parent / "reference" / "data"
MODEL = REFS["model"]
PARTIAL = REFS["group.partial"]                       # ["speed =~ x9", "x3 ~ 1", "x7 ~1"]: lavaan's spelling
SHOWN = ["speed =~ x9", "x3 ~ 1", "x7 ~ 1"]
CASES = {"ml": {}, "mlr_fiml": {"estimator": "MLR", "missing": "fiml"}}
REL = {"ml": 1e-5, "mlr_fiml": 1e-4}
FIT_KEYS = ("npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "logl", "aic", "bic", "chisq.scaled",
            "df.scaled", "pvalue.scaled", "chisq.scaling.factor", "cfi.robust", "rmsea.robust")


@lru_cache(maxsize=None)
def data(case: str) -> pd.DataFrame:
    return pd.read_csv(DATA / REFS[case]["file"])


def quiet(fn, *a, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*a, **kw)


@lru_cache(maxsize=None)
def fitted(case: str):
    return quiet(sem, MODEL, data(case), group="school", group_equal=REFS[case]["group.equal"],
                 group_partial=PARTIAL, **CASES[case])


@lru_cache(maxsize=None)
def sequence(case: str):
    return quiet(measurement_invariance, MODEL, data(case), "school", group_partial=PARTIAL, **CASES[case])


def same_fit(got, ref: dict, rel: float = 1e-5) -> None:
    keys = [k for k in FIT_KEYS if k in ref and k in got]         # an invariance step keeps no logl
    assert {"npar", "chisq", "df", "cfi", "rmsea", "srmr"} <= set(keys)
    if "chisq.scaled" in ref:
        assert {"chisq.scaled", "cfi.robust", "rmsea.robust"} <= set(keys)
    for k in keys:
        assert float(got[k]) == pytest.approx(ref[k], rel=rel, abs=1e-6), k


@pytest.mark.parametrize("case", list(CASES))
def test_a_partial_fit_is_lavaans(case):
    res = fitted(case)
    ref = REFS[case]
    same_fit(res.fit_measures(), ref["fit"], REL[case])
    pe = res.parameter_estimates()
    mine = {(r["lhs"], r["op"], r["rhs"], int(r["group"])): r for r in pe.to_dict("records")}
    e = ref["estimates"]
    n = 0
    for lhs, op, rhs, g, est, se in zip(e["lhs"], e["op"], e["rhs"], e["group"], e["est"], e["se"]):
        r = mine[(lhs, op, rhs, int(g))]
        assert r["est"] == pytest.approx(est, abs=1e-4), (lhs, op, rhs, g)
        if se:
            assert r["se"] == pytest.approx(se, rel=1e-3), (lhs, op, rhs, g)
        n += 1
    assert n == len(pe[pe["op"] != "=="]) == 72
    # the freed parameters differ across groups, the others of their classes are one parameter
    est = pe.set_index(["lhs", "op", "rhs", "group"])["est"]
    for lhs, op, rhs in (("speed", "=~", "x9"), ("x3", "~1", ""), ("x7", "~1", "")):
        assert abs(est[(lhs, op, rhs, 1)] - est[(lhs, op, rhs, 2)]) > 1e-3
    assert est[("x2", "~1", "", 1)] == est[("x2", "~1", "", 2)]


@pytest.mark.parametrize("case", list(CASES))
def test_the_partial_invariance_sequence_is_lavaans(case):
    inv = sequence(case)
    ref = REFS[case]
    tab = inv.table.set_index("step")
    for step, r in ref["steps"].items():
        same_fit(tab.loc[step], r, REL[case])
    for step, t in ref["lrt"].items():
        assert tab.loc[step, "chisq.diff"] == pytest.approx(t["chisq.diff"], rel=REL[case], abs=1e-6), step
        assert int(tab.loc[step, "df.diff"]) == t["df.diff"]
        assert tab.loc[step, "pvalue.diff"] == pytest.approx(t["pvalue"], rel=10 * REL[case], abs=1e-7), step
    # each entry is freed in the steps that constrain its class, and said so
    assert inv.group_partial == {"configural": (), "metric": ("speed =~ x9",), "scalar": tuple(SHOWN),
                                 "strict": tuple(SHOWN)}
    assert tab["group_partial"].tolist() == ["", "speed =~ x9", ", ".join(SHOWN), ", ".join(SHOWN)]
    assert tab.loc["metric", "constrained"] == "5 of 6 loadings"
    assert tab.loc["scalar", "constrained"] == "5 of 6 loadings; 7 of 9 intercepts"
    d = inv.to_dict()
    items = {x["step"]: x for x in d["invariance"]}
    assert "group_partial" not in items["configural"] and items["scalar"]["group_partial"] == SHOWN
    assert d["invariance_info"]["group_partial"] == SHOWN
    level = inv.level
    assert level in ("metric", "scalar", "strict")
    assert d["invariance_info"]["level_text"] == inv.level_text
    assert inv.level_text.startswith(f"partial {level} invariance (freed: speed =~ x9")
    assert f"Highest level supported: partial {level} invariance (freed: " in inv.summary()
    assert "supported (5 of 6 loadings equal; freed: speed =~ x9)" in inv.summary()


def test_the_book_table_and_the_results_tables_name_the_freed_parameters():
    inv = sequence("ml")
    frame = invariance_table(invariance_summary(inv)).frame.set_index("")
    assert frame.loc["Decision", "Metric"].endswith("(5 of 6 loadings equal; freed: speed =~ x9)")
    t = paper.invariance_apa(inv.to_dict())
    assert t.frame.set_index("Step").loc["scalar", "Decision"].endswith(
        "equal; freed: speed =~ x9, x3 ~ 1, x7 ~ 1)")
    assert "Highest level supported: partial " in t.note and "invariance (freed: speed =~ x9" in t.note


def test_full_invariance_keeps_its_words():
    inv = quiet(measurement_invariance, MODEL, data("ml"), "school", steps=("configural", "metric"))
    assert inv.group_partial == {"configural": (), "metric": ()}
    assert inv.level_text == inv.level == "metric"
    assert "group_partial" not in inv.to_dict()["invariance_info"]
    assert "freed" not in inv.summary()


@pytest.mark.parametrize("entries,group_equal,match", [
    (["visual =~ x10"], ["loadings"], r"'visual =~ x10' is not a parameter of the model"),
    (["x3 ~ 1"], ["loadings"], r"'x3 ~ 1' is an intercept, which group.equal \(loadings\) does not constrain: it "
                               r"frees nothing \(lavaan ignores such an entry; here it is an error\)"),
    (["visual ~~ textual"], ["loadings", "intercepts"], r"is a latent covariance, which group.equal"),
    (["visual =~ x1"], ["loadings"], r"fixed in every group"),
    (["visual =~ x2"], [], r"no group.equal is given"),
])
def test_an_entry_that_frees_nothing_is_a_one_line_error(entries, group_equal, match):
    with pytest.raises(ModelSyntaxError, match=match) as exc:
        quiet(sem, MODEL, data("ml"), group="school", group_equal=group_equal, group_partial=entries)
    assert "\n" not in str(exc.value) and str(exc.value).startswith("group.partial: ")


def test_a_labelled_parameter_and_one_group_are_errors():
    m = MODEL.replace("x2 +", "c(a, a)*x2 +")          # one label shared: lavaan keeps it equal whatever partial says
    with pytest.raises(ModelSyntaxError, match=r"'visual =~ x2' carries the label a, shared by the groups, which "
                                                r"holds it equal"):
        quiet(sem, m, data("ml"), group="school", group_equal=["loadings"], group_partial=["visual =~ x2"])
    m = MODEL.replace("x2 +", "c(a, b)*x2 +")          # one label per group: free already
    with pytest.raises(ModelSyntaxError, match=r"'visual =~ x2' carries one label per group \(a, b\), which "
                                                r"already keeps it free"):
        quiet(sem, m, data("ml"), group="school", group_equal=["loadings"], group_partial=["visual =~ x2"])
    with pytest.raises(ModelSyntaxError, match=r"this fit has one group"):
        quiet(sem, MODEL, data("ml"), group_partial=["visual =~ x2"])


def test_the_sequence_refuses_an_entry_no_step_constrains():
    with pytest.raises(ModelSyntaxError, match=r"'visual ~~ visual' is a latent variance"):
        quiet(measurement_invariance, MODEL, data("ml"), "school", group_partial=["visual ~~ visual"])
    with pytest.raises(ModelSyntaxError, match=r"'x3 ~ 1' is an intercept, which group.equal \(loadings\)"):
        quiet(measurement_invariance, MODEL, data("ml"), "school", group_partial=["x3 ~ 1"],
              steps=("configural", "metric"))


def _model_file(tmp_path) -> Path:
    f = tmp_path / "meas.lav"
    f.write_text(MODEL)
    return f


def test_cli_free_with_equal(tmp_path, capsys):
    out = tmp_path / "results.json"
    assert main(["fit", str(DATA / "hs1939.csv"), "--model", str(_model_file(tmp_path)), "--group", "school",
                 "--equal", "loadings,intercepts", "--free", "speed =~ x9; x3~1, x7 ~ 1", "--summary",
                 "--out", str(out)]) == 0
    res = json.loads(out.read_text())
    same_fit(res["fit"], REFS["ml"]["fit"])
    assert res["group_partial"] == SHOWN and res["call"]["options"]["group_partial"] == SHOWN
    freed = sorted((e["lhs"], e["op"], e["rhs"], e["group"]) for e in res["estimates"] if e.get("group_partial"))
    assert freed == sorted((lhs, op, rhs, g) for lhs, op, rhs in (("speed", "=~", "x9"), ("x3", "~1", ""),
                                                                    ("x7", "~1", "")) for g in ("Pasteur", "Grant-White"))
    said = capsys.readouterr().out
    assert sum("speed =~ x9 (freed)" in ln for ln in said.splitlines()) == 2
    assert ("equal across groups (--equal): loadings, intercepts; freed from it (--free, lavaan's group.partial): "
            "speed =~ x9, x3 ~ 1, x7 ~ 1") in said
    note = paper.paths_by_group_apa(res)          # no ~ paths: None; the measurement table's note says it
    assert note is None
    assert "freed from them (lavaan group.partial): speed =~ x9, x3 ~ 1, x7 ~ 1" in \
        paper._constraints_note(res)


def test_cli_free_with_invariance(tmp_path, capsys):
    out = tmp_path / "results.json"
    assert main(["fit", str(DATA / "hs1939_missing.csv"), "--model", str(_model_file(tmp_path)), "--group",
                 "school", "--estimator", "MLR", "--invariance", "--free", "speed =~ x9; x3 ~ 1; x7 ~1", "--quiet",
                 "--out", str(out)]) == 0
    res = json.loads(out.read_text())
    assert "group_partial" not in res and res["call"]["options"]["group_partial"] == []   # the fit: no --equal
    steps = {s["step"]: s for s in res["invariance"]}
    for step, r in REFS["mlr_fiml"]["steps"].items():
        same_fit(steps[step]["fit"], r, REL["mlr_fiml"])
    for step, t in REFS["mlr_fiml"]["lrt"].items():
        assert steps[step]["test"]["chisq.diff"] == pytest.approx(t["chisq.diff"], rel=REL["mlr_fiml"])
    assert steps["metric"]["group_partial"] == ["speed =~ x9"] and steps["strict"]["group_partial"] == SHOWN
    said = capsys.readouterr().out
    assert "Highest level supported: partial " in said and " invariance (freed: speed =~ x9" in said


@pytest.mark.parametrize("extra,match", [
    (["--equal", "loadings", "--free", "x3 ~ 1"], "--free: 'x3 ~ 1' is an intercept"),
    (["--equal", "loadings", "--free", "visual =~ x1"], "--free: 'visual =~ x1' names a parameter fixed"),
    (["--invariance", "--free", "visual =~ x10"], "--free: 'visual =~ x10' is not a parameter of the model"),
    (["--free", "visual =~ x2"], "--free visual =~ x2: frees parameters from --equal"),
    # with --equal the fit's constraints must be the ones an entry frees, --invariance or not
    (["--equal", "loadings", "--invariance", "--free", "x3 ~ 1"], "--free: 'x3 ~ 1' is an intercept"),
])
def test_cli_free_that_frees_nothing_is_one_line_exit_2(tmp_path, capsys, extra, match):
    out = tmp_path / "results.json"
    code = main(["fit", str(DATA / "hs1939.csv"), "--model", str(_model_file(tmp_path)), "--group", "school",
                 *extra, "--out", str(out)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and match in err[0], err
    assert not out.exists()


def test_cli_free_needs_group(tmp_path, capsys):
    assert main(["fit", str(DATA / "hs1939.csv"), "--model", str(_model_file(tmp_path)), "--free", "x3 ~ 1",
                 "--out", str(tmp_path / "r.json")]) == 2
    assert "need --group" in capsys.readouterr().err


def test_a_change_that_rounds_to_zero_prints_unsigned():
    """The terminal invariance table printed ``-0.000`` for a ΔCFI of -0.0002 (the module's own example)."""
    rng = np.random.default_rng(1)
    n = 600
    f = rng.standard_normal((n, 1))
    X = 3 + f @ [[1.0, 0.8, 0.7, 0.6]] + rng.standard_normal((n, 4)) * 0.6
    d = pd.DataFrame(X, columns=["y1", "y2", "y3", "y4"]).assign(g=np.repeat(["a", "b"], n // 2))
    inv = quiet(measurement_invariance, "F =~ y1 + y2 + y3 + y4", d, "g")
    tab = inv.table.set_index("step")
    assert -5e-4 < tab.loc["metric", "delta.cfi"] < 0                # rounds to zero at three decimals
    text = inv.summary()
    assert "-0.000" not in text
    row = next(line for line in text.splitlines() if line.startswith("metric "))
    assert row.split()[9] == "0.000"                                  # the ΔCFI column
