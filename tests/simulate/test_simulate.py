"""The simulator: determinism, contamination at its rates, truth that matches the rows, recovery."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from iur_survey.errors import InstrumentError
from iur_survey.instrument import load_instrument, parse_instrument
from iur_survey.read.base import META_COLUMNS
from iur_survey.scoring import reverse_score
from dataclasses import replace

from iur_survey.simulate import EXCLUSION_KINDS, KINDS, Contamination, Population, simulate
from iur_survey.simulate.contamination import HONEST_KINDS, OPT_IN_KINDS, STYLE_KINDS
from iur_survey.simulate.respondents import DURATION_FLOOR, DURATION_MEDIAN, SPEEDER_CUT

INST = load_instrument()
ITEMS = list(INST.item_codes)
PERSONAL = ["_email", "_name", "_phone", "_location", "_comment"]


@pytest.fixture(scope="module")
def big():
    return simulate(20_000, seed=11)


@pytest.fixture(scope="module")
def clean_big():
    return simulate(20_000, seed=12, population=Population.default("none"), contamination=Contamination.none())


def primary(sim, kind):
    t = sim.truth
    return t[(t["kind"] == kind) & t["primary"]]


def rows(sim, kind):
    return sim.frame.iloc[primary(sim, kind)["position"].to_numpy()]


def honest(sim):
    """Honest rows with no style and no item nonresponse."""
    return sim.frame[~sim.frame.index.isin(sim.truth["position"])]


def styles_only(c: Contamination) -> Contamination:
    """No contamination, but the response styles of ``c``."""
    return replace(Contamination.none(), **{k: getattr(c, k) for k in STYLE_KINDS})


# -- determinism ---------------------------------------------------------------------------
def test_same_seed_same_everything():
    a, b = simulate(300, seed=5), simulate(300, seed=5)
    pd.testing.assert_frame_equal(a.frame, b.frame)
    pd.testing.assert_frame_equal(a.truth, b.truth)
    pd.testing.assert_frame_equal(a.latent, b.latent)


def test_different_seed_different_sample():
    a, b = simulate(300, seed=5), simulate(300, seed=6)
    assert not set(a.frame["response_id"]) & set(b.frame["response_id"])
    assert not np.array_equal(a.frame[ITEMS].to_numpy(), b.frame[ITEMS].to_numpy())


def test_contamination_does_not_change_the_honest_respondents():
    dirty = simulate(500, seed=3)
    clean = simulate(500, seed=3, contamination=styles_only(Contamination()))
    d = dirty.frame.set_index("response_id")
    c = clean.frame.set_index("response_id")
    assert set(c.index) <= set(d.index)
    common = d.loc[~d.index.duplicated()].loc[c.index]
    x, y = common[ITEMS].to_numpy(), c[ITEMS].to_numpy()
    seen = ~np.isnan(x)                       # item nonresponse blanks a few cells
    assert np.array_equal(x[seen], y[seen]) and seen.mean() > 0.98
    assert (common["_ip"] == c["_ip"]).all() and (common["_duration"] == c["_duration"]).all()


# -- the frame follows the reader contract -----------------------------------------------------
def test_frame_columns_and_types():
    sim = simulate(400, seed=2)
    f = sim.frame
    assert list(f.columns[:2]) == ["response_id", INST.group_column]
    assert set(ITEMS + ["ATT1"] + list(META_COLUMNS) + PERSONAL) <= set(f.columns)
    assert all(f[c].dtype == float for c in ITEMS + ["ATT1", "_progress", "_duration"])
    assert str(f["_finished"].dtype) == "boolean"
    assert str(f["_submitted"].dtype) == "datetime64[ns]"
    assert f["_row"].tolist() == list(range(1, len(f) + 1))
    assert f["_submitted"].is_monotonic_increasing
    assert set(f["role"]) <= set(INST.group_keys) and f["role"].notna().all()
    assert f["response_id"].map(lambda s: bool(re.fullmatch(r"R_[0-9A-Za-z]{15}", s))).all()
    repeated = f["response_id"][f["response_id"].duplicated()]
    assert set(repeated) == set(primary(sim, "duplicate_id")["response_id"])


def test_personal_columns_look_real():
    f = simulate(2000, seed=4).frame
    ok = f["_status"] == "IP Address"
    email = f["_email"].dropna()
    assert len(email) > 0.4 * len(f) and email.str.fullmatch(r"[a-z_.0-9]+@[a-z.]+").all()
    assert f["_name"].dropna().str.fullmatch(r"[\u4e00-\u9fff]{2,3}").all() and f["_name"].notna().sum() > 500
    assert f["_phone"].dropna().str.replace(r"\D", "", regex=True).str.len().isin([11, 13]).all()
    loc = f.loc[ok, "_location"].str.split(",", expand=True).astype(float)
    assert loc[0].between(38, 43).all() and loc[1].between(120, 126).all()
    ip = f.loc[ok, "_ip"]
    assert ip.str.fullmatch(r"\d{1,3}(\.\d{1,3}){3}").all()
    assert f["_comment"].notna().sum() > 100
    assert f["_comment"].dropna().str.contains("@|1[3-8]\\d", regex=True).any()   # some comments hold contacts


# -- contamination: every kind at its rate, with the features that make it that kind --------------
def test_every_kind_at_its_rate(big):
    c = Contamination()
    counts = big.kind_counts()["primary"]
    n = big.n
    assert not set(OPT_IN_KINDS) & set(counts.index)      # opt-in kinds at rate 0 are not listed
    for kind in c.shown_kinds():
        rate = c.item_nonresponse_respondents if kind == "item_nonresponse" else getattr(c, kind)
        assert counts[kind] == int(rate * n + 0.5), kind
    assert len(big.frame) == n + counts.drop(list(HONEST_KINDS), errors="ignore").sum()
    assert big.expected_clean().sum() == n


def test_truth_points_at_real_rows(big):
    t = big.truth
    assert set(t["kind"]) == set(KINDS) - set(OPT_IN_KINDS)
    assert (big.frame["response_id"].to_numpy()[t["position"]] == t["response_id"].to_numpy()).all()
    injected = t[t["primary"] & t["kind"].isin(EXCLUSION_KINDS)]
    assert injected["position"].is_unique                     # one primary kind per injected case
    styled = t[t["kind"].isin(STYLE_KINDS)]
    assert styled["position"].is_unique and not set(styled["position"]) & set(injected["position"])
    assert set(t.loc[~t["primary"], "position"]) <= set(t.loc[t["primary"], "position"])


def test_status_kinds(big):
    f = big.frame
    for kind, status in (("preview", "Survey Preview"), ("test", "Survey Test"), ("spam", "Spam")):
        assert (rows(big, kind)["_status"] == status).all()
        assert (f["_status"] == status).sum() == len(primary(big, kind))
    assert rows(big, "test")["_ip"].isna().all()


def test_unfinished(big):
    r = rows(big, "unfinished")
    assert (~r["_finished"]).all() and (r["_progress"] < 100).all()
    order = ITEMS[:16] + ["ATT1"] + ITEMS[16:]     # the check closes the VAL matrix
    answered = r[order].notna().to_numpy()
    # answered questions form a prefix of the questionnaire: nothing after the first blank
    assert (np.diff(answered.astype(int), axis=1) <= 0).all()
    # respondents leave at a page (matrix) boundary: a construct is all answered or all blank
    for c in INST.construct_codes:
        n_ans = r[list(INST.constructs[c].items)].notna().sum(axis=1)
        assert n_ans.isin([0, 4]).all(), c
    assert (answered.sum(axis=1) < len(order)).all()
    assert r[PERSONAL[:3]].isna().all().all()
    ordinary = big.frame[big.frame["_status"] == "IP Address"]
    assert (~ordinary["_finished"]).sum() == len(r)


def test_duplicates(big):
    f = big.frame
    for _, t in primary(big, "duplicate_id").iterrows():
        same = f[f["response_id"] == t["response_id"]]
        assert len(same) == 2 and same.index[1] == t["position"]
        a, b = same.drop(columns="_row").iloc[0], same.drop(columns="_row").iloc[1]
        assert a.equals(b)
    for _, t in primary(big, "duplicate_ip").iterrows():
        row = f.iloc[t["position"]]
        mates = f[(f["_ip"] == row["_ip"]) & (f.index != t["position"])]
        twin = mates[(mates[ITEMS + ["ATT1", "role"]] == row[ITEMS + ["ATT1", "role"]]).all(axis=1)]
        assert len(twin) == 1 and twin["_submitted"].iloc[0] < row["_submitted"]
        assert twin["response_id"].iloc[0] != row["response_id"]


def test_speeders_and_honest_durations(big):
    h = honest(big)
    med = h["_duration"].median()
    assert med == pytest.approx(DURATION_MEDIAN, rel=0.05)
    assert h["_duration"].min() >= DURATION_FLOOR * DURATION_MEDIAN - 1
    sp = big.truth[big.truth["kind"] == "speeder"]
    assert (big.frame["_duration"].to_numpy()[sp["position"]] < SPEEDER_CUT * med).all()
    # fast careful readers: well under the median, some under the speeder cut
    fc = big.frame["_duration"].to_numpy()[big.truth.loc[big.truth["kind"] == "fast_careful", "position"]]
    assert fc.max() < 0.5 * med and (fc < SPEEDER_CUT * med).mean() > 0.2
    # and nobody else below the cut among finished ordinary responses
    # (an exact duplicate of a fast careful reader is as fast)
    others = big.frame.drop(index=big.truth.loc[big.truth["kind"].isin(["speeder", "fast_careful", "duplicate_id"]),
                                                "position"])
    others = others[(others["_status"] == "IP Address") & others["_finished"].astype(bool)]
    assert (others["_duration"] >= SPEEDER_CUT * med).all()


def test_straightliners(big):
    x = rows(big, "straightliner")[ITEMS].to_numpy()
    top = np.array([np.bincount(r.astype(int), minlength=6).max() for r in x])
    assert (top >= len(ITEMS) - 3).all() and (top == len(ITEMS)).mean() > 0.4
    hx = honest(big)[ITEMS].to_numpy()
    htop = np.array([np.bincount(r.astype(int), minlength=6).max() for r in hx])
    assert htop.max() < len(ITEMS) - 3


def test_random_responders(big):
    x = rows(big, "random")[ITEMS].to_numpy()
    freq = np.bincount(x.ravel().astype(int), minlength=6)[1:] / x.size
    assert np.allclose(freq, 0.2, atol=0.02)
    r = np.corrcoef(x, rowvar=False)[np.triu_indices(len(ITEMS), 1)]
    assert abs(r.mean()) < 0.03
    hr = np.corrcoef(reverse_score(honest(big), INST)[ITEMS].dropna().to_numpy(), rowvar=False)
    assert hr[np.triu_indices(len(ITEMS), 1)].mean() > 0.15


def test_attention_and_out_of_range(big):
    att = rows(big, "attention")
    assert (att["ATT1"] != 4).all() and att["ATT1"].between(1, 5).all()
    assert att[ITEMS].isin([1, 2, 3, 4, 5]).all().all()
    oor = rows(big, "out_of_range")
    outside = (~oor[ITEMS].isin([1, 2, 3, 4, 5])).sum(axis=1)
    assert (outside == 1).all() and set(np.unique(oor[ITEMS].to_numpy())) - {1, 2, 3, 4, 5} <= {0, 6, 9}
    # the secondary attention rows are exactly the other wrong ATT1 answers
    wrong = set(np.flatnonzero(big.frame["ATT1"].notna() & (big.frame["ATT1"] != 4)))
    t = big.truth
    marked = set(t.loc[t["kind"] == "attention", "position"])
    status_or_unfinished = set(t.loc[t["kind"].isin(["preview", "test", "spam"]), "position"])
    assert wrong - status_or_unfinished == marked


def test_item_nonresponse(big):
    h = big.frame.iloc[primary(big, "item_nonresponse")["position"]]
    blanks = h[ITEMS].isna().sum(axis=1)
    assert (blanks >= 1).all() and (blanks <= 14).all()
    honest_rows = big.frame[big.expected_clean()]
    cells = honest_rows[ITEMS].isna().to_numpy().sum()
    assert cells / (len(honest_rows) * len(ITEMS)) == pytest.approx(0.01, rel=0.1)
    assert (honest_rows[ITEMS].isna().any(axis=1)).mean() == pytest.approx(0.15, abs=0.005)


def test_honest_rows_are_clean(big):
    h = honest(big)
    marked = big.truth.loc[big.truth["kind"].isin(HONEST_KINDS), "position"].nunique()
    assert len(h) == big.n - marked
    assert (h["ATT1"] == 4).all() and h[ITEMS].isin([1, 2, 3, 4, 5]).all().all()
    assert (h["_status"] == "IP Address").all() and h["_finished"].all() and (h["_progress"] == 100).all()


# -- recovery of the population --------------------------------------------------------------------------
def test_item_correlations_follow_the_population(clean_big):
    scored = reverse_score(clean_big.frame, INST)[ITEMS].to_numpy()
    obs = np.corrcoef(scored, rowvar=False)
    implied = clean_big.population.item_correlations(tuple(ITEMS)).to_numpy()
    iu = np.triu_indices(len(ITEMS), 1)
    # Pearson correlations of 5-point codes are those of y* attenuated by ~5-12 %
    ratio = obs[iu].sum() / implied[iu].sum()
    assert 0.85 < ratio < 0.97
    assert np.abs(obs[iu] - ratio * implied[iu]).max() < 0.05
    raw = np.corrcoef(clean_big.frame[["GOV1", "GOV3"]].to_numpy(), rowvar=False)[0, 1]
    assert raw < -0.3                                   # GOV3 is written reversed


def test_category_proportions_follow_the_thresholds(clean_big):
    scored = reverse_score(clean_big.frame, INST)
    expect = clean_big.population.category_probabilities()
    for item in ("GOV1", "GOV3", "MKT2", "INT3"):
        got = scored[item].value_counts(normalize=True).sort_index().to_numpy()
        assert np.abs(got - expect.loc[item].to_numpy()).max() < 0.015, item


def test_latent_paths_recovered(clean_big):
    lat = clean_big.latent
    x = np.column_stack([np.ones(len(lat)), lat[["GOV", "MKT", "BEN", "VAL", "TAL"]].to_numpy()])
    a_hat = np.linalg.lstsq(x, lat["COL"].to_numpy(), rcond=None)[0][1:]
    a, b, c = clean_big.population.structural()
    assert np.abs(a_hat - a).max() < 0.03
    x2 = np.column_stack([x, lat["COL"].to_numpy()])
    coef = np.linalg.lstsq(x2, lat["INT"].to_numpy(), rcond=None)[0]
    assert abs(coef[-1] - b) < 0.03 and np.abs(coef[1:6] - c).max() < 0.03
    assert np.allclose(np.corrcoef(lat[["GOV", "MKT"]].to_numpy(), rowvar=False)[0, 1], 0.25, atol=0.03)


def test_factor_score_regression_direction(clean_big):
    scored = reverse_score(clean_big.frame, INST)
    score = pd.DataFrame({c: scored[list(INST.constructs[c].items)].mean(axis=1) for c in INST.construct_codes})
    z = (score - score.mean()) / score.std()
    x = np.column_stack([np.ones(len(z)), z[["GOV", "MKT", "BEN", "VAL", "TAL"]].to_numpy()])
    a_hat = np.linalg.lstsq(x, z["COL"].to_numpy(), rcond=None)[0][1:]
    assert (a_hat > 0).all() and np.argmax(a_hat) == 2     # BEN has the largest path (0.30)
    coef = np.linalg.lstsq(np.column_stack([x, z["COL"]]), z["INT"].to_numpy(), rcond=None)[0]
    assert np.argmax(coef[1:]) == 5                         # COL -> INT dominates


def test_roles(big):
    f = honest(big)
    share = f["role"].value_counts(normalize=True)
    for role, p in Population.default().role_mix.items():
        assert share[role] == pytest.approx(p, abs=0.012)
    lat = big.latent.loc[f.index]
    gov_mean = lat.groupby(f["role"])["GOV"].mean()
    assert gov_mean["government"] - gov_mean["enterprise"] == pytest.approx(0.45, abs=0.08)


def test_role_specific_paths():
    sim = simulate(20_000, seed=8, population=Population.default("means+paths"), contamination=Contamination.none())
    lat, role = sim.latent, sim.frame["role"]
    for r, expect in (("government", 0.45), ("enterprise", 0.25)):
        sub = lat[role == r]
        x = np.column_stack([np.ones(len(sub)), sub[["GOV", "MKT", "BEN", "VAL", "TAL"]].to_numpy()])
        a_gov = np.linalg.lstsq(x, sub["COL"].to_numpy(), rcond=None)[0][1]
        assert a_gov == pytest.approx(expect, abs=0.05), r


# -- arguments ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("n, seed", [(0, 1), (-5, 1), (10, -1), (2.5, 1), (10, 1.5)])
def test_bad_arguments(n, seed):
    with pytest.raises(ValueError):
        simulate(n, seed=seed)


def test_bad_contamination():
    with pytest.raises(ValueError, match="proportion"):
        Contamination(random=1.5)
    with pytest.raises(ValueError, match="unknown"):
        Contamination.from_dict({"randomness": 0.1})


def test_instrument_without_population_items_is_refused():
    doc = dict(INST.raw)
    doc["constructs"] = {**doc["constructs"], "NEW": {"items": ["NEW1", "NEW2"]}}
    with pytest.raises(InstrumentError, match="NEW1"):
        simulate(10, seed=1, instrument=parse_instrument(doc))


def test_small_samples_work():
    sim = simulate(1, seed=0)
    assert len(sim.frame) == 1 and sim.expected_clean().all()
    sim = simulate(40, seed=0, contamination=Contamination(random=0.5, attention=0.25))
    assert sim.kind_counts().loc[["random", "attention"], "primary"].tolist() == [20, 10]
