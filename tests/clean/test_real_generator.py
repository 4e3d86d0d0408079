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


def test_no_person_twice_and_no_partial_case_repeats_an_honest_row():
    # N 3,000 is more than the pool: every pool person at most once, fewer honest rows than n (issue 12 s27)
    inst = generator_instrument("real")
    items = list(inst.item_codes)
    x_pool = rg.pool(inst)[0]
    frame, truth = rg.generate(3000, 2, instrument=inst)
    x = frame[items].to_numpy(dtype=float)
    careless = truth.loc[truth["kind"].isin(rg.CARELESS), "position"].to_numpy()
    honest = np.setdiff1d(np.arange(len(frame)), careless)
    assert len(honest) < 3000 and len(honest) + (truth["kind"] == "partial").sum() <= len(x_pool)
    assert not pd.DataFrame(x[honest]).duplicated().any()
    part = truth.loc[truth["kind"] == "partial", "position"].to_numpy()
    # each partly careless case's first half is a pool person's who is not among the honest rows (its donor)
    used = {tuple(r) for r in x[honest]}
    free = {tuple(r[:12]) for r in x_pool if tuple(r) not in used}
    assert all(tuple(r[:12]) in free for r in x[part])


def test_pool_leaves_out_repeat_submissions_and_near_duplicate_finds_no_copy_in_it():
    from iur_survey.clean.rules import near_duplicate

    inst = generator_instrument("real")
    items = list(inst.item_codes)
    x_pool = rg.pool(inst)[0]
    assert len(x_pool) == 2411                      # 2,436 complete cases - 4 straight lines - 21 repeats
    for seed in (1, 2):
        x = x_pool[np.random.default_rng(seed).permutation(len(x_pool))]
        df = pd.DataFrame(x, columns=items).assign(response_id=[f"P{i}" for i in range(len(x))])
        assert near_duplicate(df, inst).notna().sum() <= 3    # 0-1 measured: the chance level at alpha 1e-3
