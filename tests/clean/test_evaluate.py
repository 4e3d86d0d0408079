"""recovery(): recall/precision bookkeeping on hand-made truth and ledgers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from iur_survey.clean.evaluate import recovery


def table(rec):
    """Index by name; a name that is both a kind and a rule (duplicate_id, attention, ...) keeps the kind."""
    return rec.drop_duplicates("name", keep="first").set_index("name")


def test_recovery_by_response_id():
    truth = pd.DataFrame({"response_id": ["a", "b", "c", "d", "e"],
                          "kind": ["preview", "straightliner", "random", "unfinished", "item_nonresponse"]})
    ledger = pd.DataFrame({"response_id": ["a", "b", "b", "d", "d", "h"], "row": [2, 3, 3, 5, 5, 8],
                           "rule": ["status", "longstring", "speeder", "unfinished", "attention", "mahalanobis"]})
    rec = table(recovery(truth, ledger, response_ids=list("abcdefgh")))
    assert rec.loc["straightliner", ["n_true", "n_hit", "recall"]].tolist() == [1, 1, 1.0]
    assert rec.loc["random", "recall"] == 0 and rec.loc["random", "recall_any"] == 0
    assert rec.loc["speeder", "precision"] == 1.0 and rec.loc["speeder", "precision_kind"] == 0.0
    assert rec.loc["attention", "precision"] == 1.0 and rec.loc["attention", "precision_kind"] == 0.0
    assert rec.loc["mahalanobis", "precision"] == 0.0
    # e (item nonresponse only), f, g, h are honest; h was excluded
    assert rec.loc["honest", ["n_true", "n_hit"]].tolist() == [4, 1]
    assert rec.loc["honest", "recall"] == pytest.approx(0.25)
    assert rec.loc["all", ["n_true", "n_flagged", "n_hit"]].tolist() == [4, 4, 3]
    assert "item_nonresponse" not in rec.index


def test_recovery_by_position_tells_repeated_ids_apart():
    # rows 2 and 4 share id "x"; the truth says the repeat is the later one (position 2)
    truth = pd.DataFrame({"response_id": ["x"], "kind": ["duplicate_id"], "position": [2]})
    wrong = pd.DataFrame({"response_id": ["x"], "row": [2], "rule": ["duplicate_id"]})
    right = pd.DataFrame({"response_id": ["x"], "row": [4], "rule": ["duplicate_id"]})
    rows = [2, 3, 4]
    assert table(recovery(truth, right, rows=rows)).loc["duplicate_id", "recall"] == 1.0
    bad = table(recovery(truth, wrong, rows=rows))
    assert bad.loc["duplicate_id", "recall"] == 0.0 and bad.loc["honest", "n_hit"] == 1
    # by id the two are indistinguishable
    assert table(recovery(truth, wrong)).loc["duplicate_id", "recall"] == 1.0
    with pytest.raises(ValueError, match="not in `rows`"):
        recovery(truth, pd.DataFrame({"response_id": ["x"], "row": [99], "rule": ["status"]}), rows=rows)


def test_separability_reports_the_default_decision_and_each_statistic():
    from iur_survey.clean.evaluate import SEPARABILITY_STATS, separability

    tab = separability("simulator", ns=(300,), seeds=(1,), fprs=(0.01,))
    assert tab["statistic"].iloc[0] == "(default decision)"
    assert set(tab["statistic"].iloc[1:]) == set(SEPARABILITY_STATS)
    assert len(tab) == 1 + 2 * len(SEPARABILITY_STATS)
    rates = tab[["recall random", "recall partial", "recall speeder", "honest excluded"]].to_numpy()
    assert ((rates >= 0) & (rates <= 1)).all()
    # adding exclusions never lowers a recall or the honest exclusion rate below the default's
    base = tab.iloc[0]
    for col in ("recall random", "recall partial", "recall speeder", "honest excluded"):
        assert (tab[col].iloc[1:] >= base[col] - 1e-12).all()


def test_the_varied_generator_runs_at_a_tiny_n(capsys):
    from iur_survey.clean.evaluate import GENERATORS, VARIED_RATES, evaluate, main, tables
    from iur_survey.simulate.contamination import OPT_IN_KINDS

    # adjacent and lean_random (session 27) are measured by dedicated simulations: the varied generator's
    # samples, which other comparisons use, stay what they were
    kinds = set(OPT_IN_KINDS) - {"adjacent", "lean_random"}
    assert set(VARIED_RATES) == kinds and all(0 < r < 0.1 for r in VARIED_RATES.values())
    frame, truth = GENERATORS["varied"](150, 2)
    assert kinds <= set(truth["kind"])
    res = evaluate((150,), (2,), ("csv",), "varied")
    assert len(res) == len(frame) and kinds <= set(res["label"])
    rec, hon = tables(res)
    assert {"random_marginal", "mild_random", "partial_late", "speeder_straight", "page_line", "keyed_line"} <= \
        set(rec.index)
    assert {"narrow", "slow_careful", "high_trait", "skipped_items", "extreme_scaled", "disacquiescent"} <= \
        set(hon.index)
    assert main(["--generator", "varied", "--n", "150", "--seeds", "2", "--formats", "csv"]) == 0
    out = capsys.readouterr().out
    assert "== generator: varied" in out and "partial_late" in out and "skipped_items" in out
