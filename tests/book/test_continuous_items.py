"""An instrument with continuous items (``scale: continuous``): the book's WLSMV robustness fit keeps them
continuous (lavaan's ``ordered = c(<Likert items>)``), and the ordinal invariance sequence, which treats every
item as ordered, is not run on them.  References: ``continuous_refs/make_continuous_refs.R`` (lavaan 0.6.14)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from iur_survey.instrument import load_instrument
from iur_survey.pipeline import Pending, _step_invariance_ordinal, _step_sem_wlsmv, ordered_items

HERE = Path(__file__).resolve().parent / "continuous_refs"


@pytest.fixture(scope="module")
def ctx():
    inst = load_instrument(HERE / "instrument.yaml")
    return {"instrument": inst, "clean": pd.read_csv(HERE / "data.csv")}


def test_ordered_items_leave_the_continuous_items_out(ctx):
    inst = ctx["instrument"]
    assert inst.continuous_items == ("INT1", "INT2", "INT3")
    likert = ordered_items(inst)
    assert len(likert) == 13 and not set(likert) & set(inst.continuous_items)
    assert ordered_items(load_instrument()) is True            # the study's instrument: every item ordered


def test_book_wlsmv_fit_of_continuous_items_equals_lavaan_mixed(ctx):
    ref = json.loads((HERE / "continuous_refs.json").read_text())
    out = _step_sem_wlsmv(ctx)
    fit = out["fit"]
    # with INT1-3 as ordinal (one category per distinct value) this was chi-square 207.2 on 513 thresholds
    assert fit["chisq.scaled"] == pytest.approx(ref["fit"]["chisq.scaled"], rel=1e-4)
    assert fit["df"] == ref["fit"]["df.scaled"]
    assert fit["pvalue.scaled"] == pytest.approx(ref["fit"]["pvalue.scaled"], abs=1e-4)
    est = out["estimates"].set_index(["lhs", "op", "rhs"])
    thresholds = (out["estimates"]["op"] == "|").sum()
    assert thresholds == ref["nthresholds"]
    for r in ref["estimates"]:
        row = est.loc[(r["lhs"], r["op"], r["rhs"])]
        assert row["est"] == pytest.approx(r["est"], abs=1e-4), (r["lhs"], r["op"], r["rhs"])
        if r["se"]:
            assert row["se"] == pytest.approx(r["se"], rel=5e-3), (r["lhs"], r["op"], r["rhs"])


def test_ordinal_invariance_is_not_run_on_continuous_items(ctx):
    with pytest.raises(Pending, match="continuous items"):
        _step_invariance_ordinal({**ctx, "values": {"invariance": {"group": "role", "model": ""}}})
