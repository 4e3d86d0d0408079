"""The ``real`` evaluation generator: honest respondents are rows of psych's bfi (committed fixture)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.clean.evaluate import evaluate, generator_instrument, tables

HERE = Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location("_real_generator_test", HERE / "real_generator.py")
rg = importlib.util.module_from_spec(spec)
spec.loader.exec_module(rg)

pytestmark = pytest.mark.skipif(not (rg.REAL / "bfi.csv").is_file(), reason="tests/fixtures/real/bfi.csv missing")


def test_honest_rows_are_real_bfi_rows_and_careless_cases_are_labelled():
    inst = generator_instrument("real")
    items = list(inst.item_codes)
    frame, truth = rg.generate(300, 4, instrument=inst)
    assert len(frame) == 330 and frame["response_id"].is_unique and frame["_ip"].is_unique
    x = frame[items].to_numpy(dtype=float)
    assert np.isin(x, np.arange(1, 7)).all()
    pool = {tuple(r) for r in rg.pool(inst)[0]}
    careless = truth.loc[truth["kind"].isin(rg.CARELESS), "position"].to_numpy()
    honest = np.setdiff1d(np.arange(len(frame)), careless)
    assert len(careless) == 30 and all(tuple(r) in pool for r in x[honest])
    assert set(truth["kind"]) <= set(rg.CARELESS) | {"acquiescent", "extreme", "midpoint"}
    part = truth.loc[truth["kind"] == "partial", "position"].to_numpy()
    # a partly careless respondent's first half is a real respondent's (careless only after it)
    assert all(tuple(r) in {p[:12] for p in pool} for r in map(tuple, x[part, :12]))


def test_real_generator_runs_through_the_evaluation():
    res = evaluate([300], [1], ["csv", "spss"], "real")
    assert set(res["format"]) == {"csv", "spss"}
    a, b = (res.loc[res["format"] == f, ["label", "excluded"]].reset_index(drop=True) for f in ("csv", "spss"))
    assert a.equals(b)                             # the same rows, read back from either export, cleaned alike
    rec, hon = tables(res)
    assert rec.loc["straightliner", 300].startswith("1.000")
    honest = res[~res["label"].isin(rg.CARELESS)]
    assert honest["excluded"].mean() < 0.05     # real people, default decision (measured 1.3 %)
