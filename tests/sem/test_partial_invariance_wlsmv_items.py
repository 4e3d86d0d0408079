"""group.partial entries in the ordinal invariance sequence (Wu & Estabrook 2016) that change an item's own
intercept and scale rules, against semTools 0.5-6's ``measEq.syntax(..., group.partial =)`` fitted by lavaan
0.6.14: a binary item's threshold or intercept freed, and all but one or every threshold of a five-point item
freed (semTools counts the item's thresholds left equal, :func:`iur_survey.sem.wlsmv_invariance.we_item_free`).

References: tests/sem/partial_refs/partial_item_refs.json, written by make_partial_item_refs.R beside it, on
tests/sem/ordinal_refs/bfi_bin_937.csv and wlsmv_groups_630.csv.  Read only.  Tolerances as
test_partial_invariance_wlsmv.py: npar and df exact, chisq.scaled and the difference tests 1e-4 relative, other
fit measures 1e-3, the last step's estimates 1e-4 and SEs 0.5 %.
"""

from __future__ import annotations

import json
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.errors import EstimationError
from iur_survey.sem.wlsmv_invariance import we_item_free, we_lavaan_syntaxes, we_partial, ordinal_invariance
from tests.sem._ordinal_common import assert_estimates_equal_lavaan, assert_sequence_equals_lavaan

HERE = Path(__file__).parent
REFS = json.loads((HERE / "partial_refs" / "partial_item_refs.json").read_text(encoding="utf-8"))
FILES = {"bin": "bfi_bin_937.csv", "poly": "wlsmv_groups_630.csv"}
CASES = [(k, pz) for k, v in REFS.items() if isinstance(v, dict) for pz in ("delta", "theta") if pz in v]
OPS = ("=~", "~~", "|", "~*~", "~1")


@lru_cache(maxsize=None)
def data(which: str) -> pd.DataFrame:
    return pd.read_csv(HERE / "ordinal_refs" / FILES[which])


@lru_cache(maxsize=None)
def sequence(case: str, pz: str):
    c = REFS[case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ordinal_invariance(c["model"], data(c["data"]), c["group"], missing=c["missing"],
                                  parameterization=pz, group_partial=list(np.atleast_1d(c["partial"])))


@pytest.mark.parametrize("case, pz", CASES)
def test_steps_and_lrt_as_semtools(case, pz):
    ref = REFS[case][pz]
    inv = sequence(case, pz)
    for s, r in ref.items():
        assert r["converged"] and inv.fits[s].converged, s
    assert_sequence_equals_lavaan(inv.table, ref)
    assert not any("not evaluated" in w for w in inv.warnings)


@pytest.mark.parametrize("case, pz", CASES)
def test_last_step_estimates_as_semtools(case, pz):
    O = assert_estimates_equal_lavaan(sequence(case, pz).fits["thresholds_loadings_intercepts"],
                                      REFS[case][pz]["thresholds_loadings_intercepts"]["estimates"], OPS)
    assert np.all(O["se"].to_numpy(float)[O.attrs["lavaan_se_zero"]] < 1e-8)


def test_item_rules_are_semtools_rules():
    n_th = {"a": 1, "b": 4}
    ge = ["thresholds", "loadings", "intercepts"]
    # nothing freed: the binary item's scale free only with the intercepts equal
    assert we_item_free(["a", "b"], n_th, ["thresholds"]) == {"a": (True, False), "b": (True, True)}
    assert we_item_free(["a", "b"], n_th, ge) == {"a": (False, True), "b": (False, True)}
    # a binary threshold freed: intercept 0, scale 1; its intercept freed: intercept free, scale 1
    assert we_item_free(["a"], n_th, ge, {"a|t1"}) == {"a": (False, False)}
    assert we_item_free(["a"], n_th, ge, {"a~1"}) == {"a": (True, False)}
    # one threshold of four left equal: intercept free or scale free, not both; none left: neither
    assert we_item_free(["b"], n_th, ["thresholds"], {"b|t1", "b|t2", "b|t3"}) == {"b": (True, False)}
    assert we_item_free(["b"], n_th, ge, {"b|t1", "b|t2", "b|t3"}) == {"b": (False, True)}
    assert we_item_free(["b"], n_th, ge, {"b|t1", "b|t2", "b|t3", "b|t4"}) == {"b": (False, False)}


def test_replication_syntax_writes_the_item_rules():
    c = REFS["bin_both"]
    syn = we_lavaan_syntaxes(c["model"], data("bin"), "gender", steps=["thresholds_loadings_intercepts"],
                             group_partial=c["partial"])["thresholds_loadings_intercepts"].splitlines()
    assert "A1 | c(NA, NA)*t1" in syn and "A1 ~ c(0, 0)*1" in syn and "A1 ~*~ c(1, 1)*A1" in syn
    assert "A2 | c(A2.thr1, A2.thr1)*t1" in syn and "A2 ~*~ c(1, NA)*A2" in syn


@pytest.mark.parametrize("partial, msg", [
    (["a1 ~ 1", "a2 ~ 1", "a3 ~ 1", "a4 ~ 1"], "no item of F1 keeps its intercept and its thresholds equal"),
    (["a1 | t1", "a1 | t2", "a1 | t3", "a2 ~ 1", "a3 ~ 1", "a4 ~ 1"], "no item of F1 keeps its intercept"),
])
def test_factor_mean_left_unpinned_is_one_line_error(partial, msg):
    n_th = {x: 4 for x in ("a1", "a2", "a3", "a4", "b1", "b2", "b3", "b4")}
    with pytest.raises(EstimationError) as e:
        we_partial(REFS["poly_all"]["model"], n_th, partial)
    assert msg in str(e.value) and "thresholds_loadings_intercepts step" in str(e.value)
    assert "\n" not in str(e.value)


def test_a_binary_items_freed_threshold_is_said_to_change_nothing_where_it_does_not():
    """Left-out s23: A1 | t1 (binary A1) freed in the thresholds and thresholds_loadings steps was listed as
    "freed" as semTools' syntax frees it, though there it only trades places with A1's intercept: the model is the
    one with it held equal (same df and chi-square as the full sequence).  The listing now says so; the numbers
    are semTools' (test_steps_and_lrt_as_semtools)."""
    from iur_survey.report.paper import invariance_apa
    inv = sequence("bin_threshold", "delta")
    assert inv.equivalent == {"thresholds": ("A1 | t1",), "thresholds_loadings": ("A1 | t1",)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        full = ordinal_invariance(REFS["bin_threshold"]["model"], data("bin"), "gender",
                                  missing=REFS["bin_threshold"]["missing"])
    a, b = full.table.set_index("step"), inv.table.set_index("step")
    for s in ("thresholds", "thresholds_loadings"):          # the same model: the same df and chi-square
        assert a.loc[s, "df"] == b.loc[s, "df"]
        assert b.loc[s, "chisq.scaled"] == pytest.approx(a.loc[s, "chisq.scaled"], rel=1e-6)
    assert b.loc["thresholds_loadings_intercepts", "chisq.scaled"] != \
        pytest.approx(a.loc["thresholds_loadings_intercepts", "chisq.scaled"], rel=1e-4)
    said = [w for w in inv.warnings if w.startswith("A1 | t1 is freed in the thresholds and thresholds_loadings "
                                                     "steps")]
    assert len(said) == 1 and "the same as with it held equal" in said[0] and \
        said[0].endswith("from the thresholds_loadings_intercepts step on, freeing it changes the model")
    assert "(A1 | t1: a binary item's only threshold; the thresholds model is the same with it held equal" \
        in inv.summary()
    steps = inv.to_dict()["invariance"]
    assert [s.get("group_partial_equivalent") for s in steps] == [None, ["A1 | t1"], ["A1 | t1"], None]
    dec = invariance_apa({**inv.to_dict(), "estimates": []}).frame.set_index("Step")["Decision"]
    assert dec["thresholds"].endswith("(freed: A1 | t1; the same model as with A1 | t1 equal: a binary item's "
                                      "only threshold)")
    assert dec["thresholds_loadings_intercepts"].endswith("(freed: A1 | t1)")


def test_a_polytomous_items_freed_threshold_is_not_called_equivalent():
    assert sequence("poly_three", "delta").equivalent == {}
