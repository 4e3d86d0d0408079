"""Group-specific labels under group_equal, and group_partial: lavaan's numbers, said out loud.

lavaan's rule is that a user label overrides group.equal, so ``c(a.g1, a.g2)*x`` (the form ``fit --group
--print-model`` writes) stays free under ``group_equal`` / ``--equal`` / the invariance steps.  The package keeps
lavaan's numbers but warns, naming the parameters left free, and the invariance table says what a step really
constrained ("5 of 6 loadings").  A ``group_partial`` entry that is no parameter of the model is an error, and so
is one naming the fixed marker loading (nothing to free; std_lv=True): lavaan ignores it silently.

References: tests/sem/invariance_refs/group_labels_refs.json, written by make_group_labels_refs.R in that folder
(lavaan 0.6.14 on tests/reference/data/hs1939.csv).  Tolerance: 1e-5 relative on chi-square, 1e-4 on estimates.
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
from iur_survey.report.groups import invariance_summary, invariance_table
from iur_survey.sem import sem
from iur_survey.sem.invariance import measurement_invariance
from iur_survey.sem.partable import SINGLE_LABEL_WARNING

ROOT = Path(__file__).parents[1]
REFS = json.loads((Path(__file__).parent / "invariance_refs" / "group_labels_refs.json").read_text())
HS = ROOT / "reference" / "data" / "hs1939.csv"
MEAS = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"
M_PATHS = MEAS + "textual ~ c(a.g1, a.g2)*visual\nspeed ~ c(b.g1, b.g2)*textual + visual"
M_LAB2 = "visual =~ x1 + c(l2a, l2b)*x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"


@lru_cache(maxsize=None)
def hs() -> pd.DataFrame:
    return pd.read_csv(HS)


def quiet(fn, *a, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*a, **kw)


def test_labelled_paths_stay_free_under_equal_regressions_and_are_named():
    ref = REFS["paths_equal_regressions"]
    res = quiet(sem, M_PATHS, hs(), group="school", group_equal=["regressions"])
    fm = res.fit_measures()
    assert int(fm["df"]) == ref["df"] and int(fm["npar"]) == ref["npar"]
    assert fm["chisq"] == pytest.approx(ref["chisq"], rel=1e-5)
    pe = res.parameter_estimates()
    np.testing.assert_allclose(pe.loc[pe.op == "~", "est"].to_numpy(float), ref["paths"]["est"], rtol=1e-4)
    msg = [w for w in res.warnings if w.startswith('group.equal "regressions"')]
    assert len(msg) == 1
    assert "constrains 1 of 3 regressions" in msg[0]
    assert "textual~visual (labels a.g1, a.g2)" in msg[0] and "speed~textual (labels b.g1, b.g2)" in msg[0]
    assert "speed~visual" not in msg[0]


def test_invariance_says_how_many_loadings_a_step_constrained():
    ref = REFS["lab2"]
    inv = quiet(measurement_invariance, M_LAB2, hs(), "school")
    tab = inv.table.set_index("step")
    for step, r in ref.items():
        assert int(tab.loc[step, "df"]) == r["df"]
        assert tab.loc[step, "chisq"] == pytest.approx(r["chisq"], rel=1e-5)
    assert tab.loc["configural", "constrained"] == ""
    assert tab.loc["metric", "constrained"] == "5 of 6 loadings"
    assert tab.loc["metric", "decision"] == "supported"             # lavaan's numbers, the same verdict ...
    items = {x["step"]: x for x in inv.to_dict()["invariance"]}
    assert items["metric"]["constrained"] == "5 of 6 loadings"       # ... said with what it covers
    assert "constrained" not in items["configural"]
    assert "supported (5 of 6 loadings equal)" in inv.summary()
    frame = invariance_table(invariance_summary(inv)).frame.set_index("")
    assert frame.loc["Decision", "Metric"] == "supported (5 of 6 loadings equal)"
    named = [w for w in inv.warnings if "visual=~x2 (labels l2a, l2b)" in w]
    assert len(named) == 1 and "5 of 6 loadings" in named[0]


def test_full_invariance_has_no_constraint_note():
    inv = quiet(measurement_invariance, MEAS, hs(), "school", steps=("configural", "metric"))
    assert inv.table["constrained"].tolist() == ["", ""]
    assert not any("group.equal" in w for w in inv.warnings)


def test_group_partial_on_a_missing_parameter_is_an_error():
    with pytest.raises(ModelSyntaxError, match=r"group.partial.*'visual =~ x9' is not a parameter of the model"):
        quiet(measurement_invariance, MEAS, hs(), "school", group_partial=["visual =~ x9"])


def test_group_partial_on_the_marker_loading_is_an_error_and_std_lv_frees_it():
    # lavaan frees nothing (REFS["partial_marker"] is its full metric step) and says nothing: an error here
    assert REFS["partial_marker"]["df"] == REFS["metric"]["df"]
    with pytest.raises(ModelSyntaxError, match=r"'visual=~x1' names a parameter fixed in every group.*std_lv=True"):
        quiet(measurement_invariance, MEAS, hs(), "school", group_partial=["visual=~x1"],
              steps=("configural", "metric"))
    inv = quiet(measurement_invariance, MEAS, hs(), "school", group_partial=["visual=~x1"], std_lv=True,
                steps=("configural", "metric"))
    r = inv.table.set_index("step").loc["metric"]
    assert int(r["df"]) == REFS["partial_std_lv"]["df"]
    assert r["chisq"] == pytest.approx(REFS["partial_std_lv"]["chisq"], rel=1e-5)
    assert r["constrained"] == "8 of 9 loadings"
    assert not any("fixed in every group" in w for w in inv.warnings)


def test_cli_single_label_gives_one_warning(tmp_path):
    model = tmp_path / "lab1.lav"
    model.write_text("visual =~ x1 + l2*x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n")
    out = tmp_path / "results.json"
    assert main(["fit", str(HS), "--model", str(model), "--group", "school", "--out", str(out)]) == 0
    warns = json.loads(out.read_text())["warnings"]
    assert SINGLE_LABEL_WARNING not in warns
    assert sum("label" in w and "shared by all 2 groups" in w for w in warns) == 1


def test_cli_equal_regressions_names_the_free_paths(tmp_path):
    model = tmp_path / "paths.lav"
    model.write_text(M_PATHS + "\n")
    out = tmp_path / "results.json"
    assert main(["fit", str(HS), "--model", str(model), "--group", "school", "--equal", "regressions",
                 "--out", str(out)]) == 0
    res = json.loads(out.read_text())
    assert res["fit"]["df"] == REFS["paths_equal_regressions"]["df"]
    assert any("constrains 1 of 3 regressions" in w and "textual~visual" in w for w in res["warnings"])
