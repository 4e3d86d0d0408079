"""A model's '==' lines together with lavaan's group.equal and group.partial (``sem(..., group_partial=)``,
``measurement_invariance(..., group_partial=)``, ``fit --free``), against lavaan 0.6.14: group.partial frees a
parameter from group.equal only; a parameter given one label per group and tied by a line ``a1 == a2`` stays
equal, in every step of the invariance sequence.

References: tests/sem/partial_refs/partial_constraint_refs.json, written by make_partial_constraint_refs.R beside
it, on tests/reference/data/hs1939.csv (ML).  Read only.  Tolerances as test_partial_invariance.py: npar and df
exact, chisq 1e-6 relative, other fit measures 1e-5, estimates 1e-4, SEs 1e-3 relative.
"""

from __future__ import annotations

import json
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.errors import ModelSyntaxError
from iur_survey.sem import sem
from iur_survey.sem.invariance import measurement_invariance

HERE = Path(__file__).parent
REFS = json.loads((HERE / "partial_refs" / "partial_constraint_refs.json").read_text(encoding="utf-8"))
MODELS = REFS["models"]


@lru_cache(maxsize=None)
def hs() -> pd.DataFrame:
    return pd.read_csv(HERE.parent / "reference" / "data" / "hs1939.csv")


def _list(x) -> list[str]:
    return [str(v) for v in np.atleast_1d(x) if str(v)]


@pytest.mark.parametrize("case", list(REFS["sem"]))
def test_sem_keeps_the_model_constraint_as_lavaan(case):
    ref = REFS["sem"][case]
    res = sem(MODELS[ref["model"]], hs(), group="school", group_equal=_list(ref["group.equal"]),
              group_partial=_list(ref["group.partial"]))
    fm = res.fit_measures()
    assert int(fm["npar"]) == int(ref["fit"]["npar"]) and int(fm["df"]) == int(ref["fit"]["df"])
    assert fm["chisq"] == pytest.approx(ref["fit"]["chisq"], rel=1e-6)
    for k in ("cfi", "rmsea", "srmr"):
        assert fm[k] == pytest.approx(ref["fit"][k], abs=1e-5), k
    R = pd.DataFrame(ref["estimates"])
    R["rhs"] = R["rhs"].fillna("")
    R = R.set_index(["lhs", "op", "rhs", "group"])
    O = res.parameter_estimates().set_index(["lhs", "op", "rhs", "group"]).loc[R.index]
    np.testing.assert_allclose(O["est"].to_numpy(float), R["est"].to_numpy(float), atol=1e-4)
    ok = R["se"].to_numpy(float) > 1e-8
    np.testing.assert_allclose(O["se"].to_numpy(float)[ok], R["se"].to_numpy(float)[ok], rtol=1e-3)


@pytest.mark.parametrize("case", list(REFS["sequence"]))
def test_sequence_keeps_the_model_constraint_in_every_step(case):
    ref = REFS["sequence"][case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inv = measurement_invariance(MODELS[ref["model"]], hs(), group="school",
                                     group_partial=_list(ref["group.partial"]))
    tab = inv.table.set_index("step")
    for s, f in ref["steps"].items():
        assert int(tab.at[s, "npar"]) == int(f["npar"]) and int(tab.at[s, "df"]) == int(f["df"]), s
        assert tab.at[s, "chisq"] == pytest.approx(f["chisq"], rel=1e-6), s
        for k in ("cfi", "rmsea", "srmr"):
            assert tab.at[s, k] == pytest.approx(f[k], abs=1e-5), (s, k)
    assert not any("==" in x for x in inv.left_out)


@pytest.mark.parametrize("model, ge, entry, line", [
    ("loading", ["loadings"], "visual =~ x2", "a1 == a2"),
    ("resvar", ["loadings", "intercepts", "residuals"], "x1 ~~ x1", "v1 == v2"),
    ("path", ["regressions"], "speed ~ visual", "b1 == b2"),
])
def test_partial_entry_tied_by_a_model_line_is_one_line_error(model, ge, entry, line):
    # lavaan keeps the parameter equal (the same npar and df as without the entry): it frees nothing
    with pytest.raises(ModelSyntaxError) as e:
        sem(MODELS[model], hs(), group="school", group_equal=ge, group_partial=[entry])
    msg = str(e.value)
    assert f"the model's {line!r} constrains whatever group.partial says" in msg
    assert "already keeps it free" not in msg and "\n" not in msg


def test_path_held_equal_by_a_general_line_is_not_tested_and_the_others_are():
    # before: a general '==' line (b1 - b2 == 0) made the whole table an error ("J V J' is singular")
    from iur_survey.sem.compare import group_path_tests
    ref = REFS["wald"]
    res = sem(ref["model"], hs(), group="school")
    assert int(res.fit_measures()["df"]) == int(ref["fit"]["df"])
    t = group_path_tests(res)
    rows = {f"{r['lhs']} {r['op']} {r['rhs']}": r for r in t["paths"]}
    assert rows["speed ~ visual"]["df"] == 0 and rows["speed ~ visual"]["Wald"] is None
    assert "constrained equal across groups by the model" in rows["speed ~ visual"]["note"]
    r = rows[ref["path"]]
    assert r["df"] == ref["df"] and r["Wald"] == pytest.approx(ref["stat"], rel=1e-3)
    assert r["pvalue"] == pytest.approx(ref["p.value"], abs=1e-4)
    assert t["joint"]["df"] == 1 and t["joint"]["Wald"] == pytest.approx(ref["stat"], rel=1e-3)


def test_ordered_items_partial_entry_tied_by_model_lines_is_one_line_error():
    d = pd.read_csv(HERE / "ordinal_refs" / "wlsmv_groups_630.csv")
    m = "F1 =~ a1 + c(l1, l2, l3)*a2 + a3 + a4\nF2 =~ b1 + b2 + b3 + b4\nl1 == l2\nl2 == l3"
    with pytest.raises(ModelSyntaxError) as e:
        sem(m, d, ordered=True, estimator="WLSMV", missing="pairwise", group="G",
            group_equal=["thresholds", "loadings"], group_partial=["F1 =~ a2"])
    assert "the model's 'l1 == l2' and 'l2 == l3' constrain whatever" in str(e.value)
    assert "remove those lines to free it" in str(e.value) and "\n" not in str(e.value)


def test_sequence_says_when_a_left_out_line_ties_a_measurement_label():
    m = ("visual =~ x1 + c(a1, a2)*x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"
         "speed ~ c(r1, r2)*visual\na1 == r1\na2 == r2")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inv = measurement_invariance(m, hs(), group="school", steps=("configural", "metric"))
    assert inv.left_out == ["speed ~ c(r1, r2)*visual", "a1 == r1", "a2 == r2"]
    assert any(w.startswith("left out with the structural part: 'a1 == r1'; 'a2 == r2'") for w in inv.warnings)
