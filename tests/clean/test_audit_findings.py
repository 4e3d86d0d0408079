"""What an outside audit of the cleaning ledger found silent, made loud (each test names the finding)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from iur_survey.clean import CleanConfig, clean
from iur_survey.clean.decision import basis_rules
from iur_survey.clean.indices import max_identical
from iur_survey.clean.missing import item_columns
from iur_survey.clean.pipeline import ScreeningWarning, careless_by_group
from iur_survey.clean.rules import longstring
from iur_survey.errors import EstimationError, IURSurveyError
from iur_survey.instrument import load_instrument
from iur_survey.read.base import RawResponses
from iur_survey.simulate import simulate

INST = load_instrument()


@pytest.fixture(scope="module")
def sim():
    return simulate(500, seed=11)


def _raw(frame: pd.DataFrame) -> RawResponses:
    frame = frame.reset_index(drop=True).copy()
    frame["_row"] = np.arange(2, len(frame) + 2)
    return RawResponses(frame=frame, source="x.csv", format="csv", sha256="0")


def _clean(frame: pd.DataFrame, config: CleanConfig | None = None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return clean(_raw(frame), INST, config)


def test_an_item_most_did_not_answer_excludes_nobody(sim):
    """One item blank for 90 % (display logic): the distance rules measured with it excluded 40 honest respondents."""
    frame = sim.frame.copy()
    rng = np.random.default_rng(1)
    frame.loc[rng.random(len(frame)) < 0.9, "GOV1"] = np.nan
    base, sparse = _clean(sim.frame), _clean(frame)
    assert abs(sparse.report["n_excluded_careless"] - base.report["n_excluded_careless"]) <= 3
    assert "GOV1" in next(iter(sparse.report["rule_notes"].values()))
    assert not sparse.exclusions["detail"].str.contains(r"D² \d{5,}", regex=True).any()


def test_every_rule_that_could_not_judge_anyone_is_reported(sim):
    """A 45-row sample: every rule that needs a reference sample says so, not only mahalanobis."""
    res = _clean(sim.frame.iloc[:45])
    gone = res.report["rules_not_evaluated"]
    for rule in ("mahalanobis", "mahalanobis_direction", "mahalanobis_quotient", "random_likelihood",
                 "invariant_tail"):
        assert "reference responses" in gone[rule], rule
    assert "not evaluated" in res.summary()


def test_a_resubmitted_id_with_other_answers_is_excluded_loudly(sim):
    frame = sim.frame.copy()
    items = list(INST.item_codes)
    dup = frame.iloc[[20]].copy()
    dup[items] = 6 - dup[items].to_numpy()
    dup["_submitted"] = frame["_submitted"].max() + pd.Timedelta(days=1)
    res = _clean(pd.concat([frame, dup]))
    row = res.exclusions[(res.exclusions["rule"] == "duplicate_id") & (res.exclusions["row"] == len(frame) + 2)]
    assert row["detail"].str.contains("first submission row 22").all() and row["detail"].str.contains("differ").all()
    assert any("repeat a response id with different answers" in w for w in res.report["warnings"])


def test_an_id_column_that_does_not_identify_respondents_is_refused(sim):
    frame = sim.frame.copy()
    frame["response_id"] = "R_same"
    with pytest.raises(IURSurveyError, match="'R_same' is on .* rows: the column taken for the id does not identify"):
        _clean(frame)


def test_kept_data_with_one_role_warns(sim):
    frame = sim.frame.copy()
    frame[INST.group_column] = "university"
    res = _clean(frame)
    assert any("one role only, 'university'" in w for w in res.report["warnings"])


def test_an_exclusions_primary_rule_is_one_its_basis_rests_on(sim):
    res = _clean(sim.frame)
    led = res.exclusions[(res.exclusions["action"] == "excluded") & (res.exclusions["basis"] != "screening rule")]
    firsts = led.groupby("row").head(1)        # ledger order: the primary rule credited in the report comes first
    credited = {}
    for row, g in led.groupby("row"):
        named = basis_rules(g["basis"].iloc[0])
        credited[row] = next(r for r in g["rule"] if r in named)
    counts = pd.Series(list(credited.values())).value_counts().to_dict()
    for rule, k in counts.items():
        assert res.report["excluded_by_primary_rule"].get(rule, 0) >= k
    assert sum(res.report["excluded_by_primary_rule"].values()) == res.report["n_excluded"]
    assert len(firsts) == res.report["n_excluded_careless"]


@pytest.mark.parametrize("roles", [["university"], [None]])
def test_fit_group_needs_two_groups(sim, roles):
    from iur_survey.sem.invariance import prepare_groups
    data = pd.DataFrame({"role": roles * 300, "x1": np.arange(300.0), "x2": 1.0, "x3": 2.0})
    with pytest.raises(EstimationError, match="a multi-group fit needs at least two groups"):
        prepare_groups(data, "role", "F =~ x1 + x2 + x3")


def test_an_item_answered_by_almost_nobody_is_no_division_by_zero(sim):
    """One item answered by 2 respondents: the covariance of the distance rules rested on 0 rows (ZeroDivisionError
    in mahad_beta_crit); the item is now left out of them, and the critical value of an empty sample is NaN."""
    from iur_survey.clean.indices import mahad_beta_crit
    assert np.isnan(mahad_beta_crit(0.01, 0, 28)) and np.isnan(mahad_beta_crit(0.01, 1, np.array([3, 4]))).all()
    frame = sim.frame.copy()
    frame.loc[frame.index[2:], "GOV1"] = np.nan
    res = _clean(frame)
    assert "GOV1" in next(iter(res.report["rule_notes"].values()))


# -- an outside test of the screening with respondents from its own generator --------------------------------------

def _clean_caught(frame: pd.DataFrame):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = clean(_raw(frame), INST)
    return res, caught


def test_max_identical_counts_the_most_frequent_answer_wherever_it_stands():
    x = np.array([[4, 4, 4, 1, 4, 4, 4.0], [1, 2, 3, 4, 5, 1, 2], [3, np.nan, 3, 3, np.nan, 3, 2]])
    n, v = max_identical(x)
    assert n.tolist() == [6, 2, 4] and v.tolist() == [4.0, 1.0, 3.0]


def _near_straight(sim, rows: int, odd_at: int, odd: float = 1.0) -> tuple[pd.DataFrame, list[int]]:
    """``rows`` honest-looking rows of the export turned into one answer (4) to every item but one."""
    frame = sim.frame.copy()
    cols = item_columns(frame, INST)
    careless_pos = set(sim.truth["position"])
    pick = [i for i in range(len(frame)) if i not in careless_pos][:rows]
    for i in pick:
        frame.loc[i, cols] = 4.0
        frame.loc[i, cols[odd_at]] = odd
        for a in INST.attention_checks:
            if a in frame.columns:
                frame.loc[i, a] = frame[a].mode().iloc[0]      # they pass the attention check
    return frame, pick


@pytest.mark.parametrize("odd_at", [9, 14, 20])
def test_one_answer_to_all_items_but_one_is_excluded(sim, odd_at):
    """27 of 28 answers "4" and one "1": a run of 16 at most, IRV above its far cut-off, the attention check
    passed; flagged by longstring and invariant_tail (one evidence group), and kept."""
    frame, pick = _near_straight(sim, 6, odd_at)
    res, _ = _clean_caught(frame)
    ex = res.exclusions
    got = ex[ex["row"].isin([p + 2 for p in pick]) & (ex["rule"] == "longstring")]
    assert len(got) == len(pick)
    assert (got["action"] == "excluded").all()
    assert got["detail"].str.contains("27 of 28 answers are 4", regex=False).all()


def test_all_but_one_stays_off_where_honest_answers_do_it_by_chance():
    """A sample whose every answer is a 4 or 5 (a ceiling): honest draws of its model give one answer to all items
    but one often enough, and the rule does not fire on them."""
    rng = np.random.default_rng(5)
    cols = [f"{c}{k}" for c in ("GOV", "MKT", "BEN", "VAL", "TAL", "COL", "INT") for k in (1, 2, 3, 4)]
    x = np.where(rng.random((400, 28)) < 0.97, 5.0, 4.0)
    frame = pd.DataFrame(x, columns=cols)
    hits = longstring(frame, INST)
    near = hits.dropna()
    assert not near.str.contains("answers are", regex=False).any()


def test_a_duration_of_zero_seconds_is_said(sim):
    frame = sim.frame.copy()
    honest = [i for i in range(len(frame)) if i not in set(sim.truth["position"])]
    frame.loc[honest[:3], "_duration"] = 0.0
    frame.loc[honest[3:5], "_duration"] = np.nan
    res, caught = _clean_caught(frame)
    text = " ".join(res.report["warnings"])
    assert "3 response(s) have a duration of 0 s" in text
    assert "2 of " in text and "have no duration: the speeder rule cannot judge them" in text
    assert any(issubclass(w.category, ScreeningWarning) and "0 s" in str(w.message) for w in caught)


def test_no_duration_warning_on_an_ordinary_export(sim):
    res, _ = _clean_caught(sim.frame)
    assert not any("duration" in w for w in res.report["warnings"])


def test_the_role_warning_names_both_causes():
    """The warning said only "a role that answers differently ..." when that role's excluded were all careless."""
    role = np.array(["government"] * 60 + ["enterprise"] * 240, dtype=object)
    sub = pd.DataFrame({"role": role})
    drop = np.zeros(300, dtype=bool)
    drop[:20] = True                                # 20 of 60 government responses, none of the others
    _, text = careless_by_group(sub, INST, drop)
    assert "either more of them answered carelessly" in text and "basis column" in text


@pytest.mark.parametrize("n", [5, 30])
def test_a_reference_of_one_item_is_measured_not_a_crash(tmp_path, n):
    # real30: a small export whose other items fewer than half answered left the distance rules one item, and
    # np.cov of one column is 0-d: `clean` died with an IndexError (5 rows) or a LinAlgError (30 rows)
    from iur_survey.instrument import load_instrument
    (tmp_path / "i.yaml").write_text("scale: {min: 1, max: 5}\nconstructs:\n  A: {items: [A1, A2, A3]}\n",
                                     encoding="utf-8")
    inst = load_instrument(tmp_path / "i.yaml")
    rng = np.random.default_rng(1)
    d = pd.DataFrame({"response_id": [f"r{i}" for i in range(n)], "A1": np.nan, "A2": np.nan,
                      "A3": rng.integers(1, 6, n).astype(float)})
    d.loc[:1, "A1"], d.loc[:1, "A2"] = 2.0, 3.0
    d["_row"] = np.arange(2, n + 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = clean(RawResponses(frame=d, source="x.csv", format="csv", sha256="0"), inst)
    excluded = set(res.exclusions.loc[res.exclusions["action"] == "excluded", "row"])
    assert res.report["n_raw"] == n and len(res.clean) + len(excluded) == n
    assert "A1, A2 answered by fewer than half" in " ".join(map(str, res.report["rule_notes"].values()))
