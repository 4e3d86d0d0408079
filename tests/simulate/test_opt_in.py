"""The simulator's opt-in kinds: off by default without a trace, and what each one is when switched on."""

from __future__ import annotations

import importlib
import re
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from iur_survey.instrument import load_instrument
from iur_survey.scoring import reverse_score
from iur_survey.simulate import KINDS, Contamination, simulate
from iur_survey.simulate.contamination import (KIND_RULES, OPT_IN_KINDS, STYLE_KINDS, StyleStrengths)
from iur_survey.simulate.respondents import DURATION_MEDIAN, SPEEDER_CUT

INST = load_instrument()
ITEMS = list(INST.item_codes)
sim_module = importlib.import_module("iur_survey.simulate.respondents")    # the package exports the function's name
CARELESS = ("random_marginal", "mild_random", "partial_late", "speeder_straight", "page_line", "keyed_line",
            "near_copy")
STYLES = ("narrow", "slow_careful", "high_trait", "skipped_items", "extreme_scaled", "disacquiescent")
REVERSE = np.array([c in INST.reverse_items for c in ITEMS])
ON = {**{k: 0.03 for k in CARELESS}, **{k: 0.05 for k in STYLES}}


@pytest.fixture(scope="module")
def on():
    return simulate(8000, seed=31, contamination=Contamination.from_dict(ON))


def rows(sim, kind):
    t = sim.truth
    return sim.frame.iloc[t.loc[(t["kind"] == kind) & t["primary"], "position"].to_numpy()]


def plain_honest(sim):
    """Honest rows with no style and no item nonresponse."""
    return sim.frame[~sim.frame.index.isin(sim.truth["position"])]


# -- off by default ---------------------------------------------------------------------------------------
def test_the_opt_in_kinds_are_declared_and_off():
    assert set(OPT_IN_KINDS) == set(CARELESS) | set(STYLES) | {"adjacent", "lean_random"}  # those two: test_satisficing
    assert set(OPT_IN_KINDS) <= set(KINDS)
    assert KINDS[-len(OPT_IN_KINDS):] == OPT_IN_KINDS      # appended: the others keep their random streams
    assert set(STYLES) <= set(STYLE_KINDS)
    c = Contamination()
    assert all(getattr(c, k) == 0 for k in OPT_IN_KINDS)
    assert not set(c.to_dict()) & set(OPT_IN_KINDS) and not set(c.shown_kinds()) & set(OPT_IN_KINDS)
    for k in CARELESS:
        assert KIND_RULES[k]                                # careless: a correct cleaning excludes them
    for k in STYLES:
        assert KIND_RULES[k] == ()                          # honest: kept


def test_the_default_path_never_runs_the_opt_in_kinds(monkeypatch):
    def boom(*args, **kwargs):
        raise AssertionError("an opt-in kind ran at rate 0")

    for name in ("_random_marginal", "_mild_random", "_partial_late", "_speeder_straight", "_page_line", "_keyed_line",
                 "_near_copy"):
        monkeypatch.setattr(sim_module, name, boom)
    monkeypatch.setattr(sim_module, "_OPT_IN_STYLE", {k: boom for k in STYLES})
    sim = simulate(400, seed=5, styles=StyleStrengths.drawn(5))
    assert not set(sim.truth["kind"]) & set(OPT_IN_KINDS)
    assert not set(sim.kind_counts().index) & set(OPT_IN_KINDS)


def test_explicit_zeros_are_the_default_sample():
    a = simulate(300, seed=9)
    b = simulate(300, seed=9, contamination=replace(Contamination(), **{k: 0.0 for k in OPT_IN_KINDS}))
    pd.testing.assert_frame_equal(a.frame, b.frame)
    pd.testing.assert_frame_equal(a.truth, b.truth)


def test_switching_careless_kinds_on_adds_rows_and_changes_nothing_else():
    base = simulate(600, seed=4)
    more = simulate(600, seed=4, contamination=Contamination.from_dict({k: 0.02 for k in CARELESS}))
    assert len(more.frame) == len(base.frame) + len(CARELESS) * 12
    a = base.frame.drop(columns="_row").set_index("response_id")
    b = more.frame.drop(columns="_row").set_index("response_id")
    a, b = a[~a.index.duplicated()], b[~b.index.duplicated()]
    assert set(a.index) <= set(b.index)
    pd.testing.assert_frame_equal(a, b.loc[a.index])
    old = more.truth[~more.truth["kind"].isin(CARELESS) & ~more.truth["detail"].str.contains("secondary to ")]
    assert sorted(map(tuple, old[["response_id", "kind"]].to_numpy())) == \
        sorted(map(tuple, base.truth.loc[~base.truth["detail"].str.contains("secondary to "),
                                         ["response_id", "kind"]].to_numpy()))


def test_switching_styles_on_leaves_the_other_honest_respondents():
    base = simulate(600, seed=6)
    more = simulate(600, seed=6, contamination=Contamination.from_dict({k: 0.05 for k in STYLES}))
    new = set(more.truth.loc[more.truth["kind"].isin(STYLES), "response_id"])
    assert len(new) == len(STYLES) * 30
    keep = base.expected_clean().to_numpy()
    a = base.frame[keep].set_index("response_id")
    b = more.frame[more.expected_clean().to_numpy()].set_index("response_id")
    assert set(a.index) == set(b.index)                     # the same honest people
    same = a.index.difference(list(new))
    cols = ITEMS + ["ATT1", "_duration", "_ip", "role"]
    pd.testing.assert_frame_equal(a.loc[same, cols], b.loc[same, cols])
    # the old styles: the same people with the same strengths
    cols = ["response_id", "kind", "detail"]
    old_styles = ["acquiescent", "extreme", "midpoint", "fast_careful"]
    old = base.truth.loc[base.truth["kind"].isin(old_styles), cols].reset_index(drop=True)
    got = more.truth.loc[more.truth["kind"].isin(old_styles), cols]
    pd.testing.assert_frame_equal(got.set_index("response_id").loc[old["response_id"]].reset_index(), old)


def test_drawn_strengths_keep_the_old_ranges():
    s = StyleStrengths.drawn(3)
    assert 0.6 <= s.narrow[0] < s.narrow[1] <= 1.0 and 1.8 <= s.slow_careful[0] < s.slow_careful[1] <= 4.5
    assert s.skipped_items[0] == 1 and 2 <= s.skipped_items[1] <= 5
    with pytest.raises(ValueError, match="narrow"):
        StyleStrengths(narrow=(0.5, 1.5))


# -- switched on: counts and truth -----------------------------------------------------------------------
def test_counts_and_truth(on):
    counts = on.kind_counts()["primary"]
    for k in ON:
        assert counts[k] == int(ON[k] * on.n + 0.5), k
    extra = sum(counts[k] for k in counts.index if KIND_RULES[k])
    assert len(on.frame) == on.n + extra and on.expected_clean().sum() == on.n
    t = on.truth
    prim = t[t["primary"]]
    injected = prim.loc[prim["kind"].isin(CARELESS), "position"]
    assert injected.is_unique and not set(injected) & set(prim.loc[~prim["kind"].isin(CARELESS), "position"])
    styled = t[t["kind"].isin(STYLE_KINDS)]
    assert styled["position"].is_unique                     # one style per person, old and new
    assert set(on.contamination.to_dict()) >= set(ON)
    # the secondary rows: every fast straight-liner is a speeder too
    ss = prim.loc[prim["kind"] == "speeder_straight", "position"]
    assert set(ss) <= set(t.loc[(t["kind"] == "speeder") & ~t["primary"], "position"])


# -- switched on: what each kind is ---------------------------------------------------------------------
def test_random_marginal_follows_the_items_shares(on):
    x = rows(on, "random_marginal")[ITEMS].to_numpy()
    h = on.frame[on.expected_clean()][ITEMS].to_numpy()
    for j in range(len(ITEMS)):
        hs = np.array([(h[:, j] == c).sum() for c in range(1, 6)]) / np.isfinite(h[:, j]).sum()
        xs = np.array([(x[:, j] == c).mean() for c in range(1, 6)])
        assert np.abs(xs - hs).max() < 0.12, ITEMS[j]          # 240 draws: SE of a share <= .032
    pooled = np.array([(x == c).mean() for c in range(1, 6)])
    # not uniform (0.2 each): agreement is common (the honest share of "4" is about .30, a little less with the
    # fixture's disacquiescent respondents)
    assert pooled[3] > 0.25 and pooled[0] < 0.12
    r = np.corrcoef(reverse_score(rows(on, "random_marginal"), INST)[ITEMS].to_numpy(), rowvar=False)
    assert abs(r[np.triu_indices(len(ITEMS), 1)].mean()) < 0.03
    d = rows(on, "random_marginal")["_duration"]
    assert d.min() >= 0.45 * DURATION_MEDIAN - 1                # an ordinary speed


def test_mild_random_is_half_careful(on):
    def mean_r(frame):
        r = np.corrcoef(reverse_score(frame, INST)[ITEMS].dropna().to_numpy(), rowvar=False)
        return r[np.triu_indices(len(ITEMS), 1)].mean()

    mild, honest = mean_r(rows(on, "mild_random")), mean_r(plain_honest(on))
    assert 0.1 * honest < mild < 0.6 * honest
    assert on.truth.loc[on.truth["kind"] == "mild_random", "detail"].str.contains("14 of 29 questions").all()
    assert on.latent.iloc[on.truth.loc[on.truth["kind"] == "mild_random", "position"]].isna().all().all()


def test_partial_late_starts_at_about_two_thirds(on):
    det = on.truth.loc[on.truth["kind"] == "partial_late", "detail"]
    start = det.str.extract(r"careful for questions 1-(\d+) of 29")[0].astype(int)
    assert start.between(18, 21).all() and start.nunique() > 1
    r = rows(on, "partial_late")
    assert (r["_duration"] >= SPEEDER_CUT * DURATION_MEDIAN).all()   # hurried, never speeding


def test_speeder_straight(on):
    r = rows(on, "speeder_straight")
    x = r[ITEMS].to_numpy()
    top = np.array([np.bincount(v.astype(int), minlength=6).max() for v in x])
    assert (top >= len(ITEMS) - 3).all() and (top == len(ITEMS)).mean() > 0.4
    assert (r["_duration"] < SPEEDER_CUT * DURATION_MEDIAN).all()


def test_narrow_never_uses_the_end_points(on):
    x = rows(on, "narrow")[ITEMS].to_numpy()
    assert not np.isin(x, [1, 5]).any()                  # the default strength: never
    assert np.isin(plain_honest(on)[ITEMS].to_numpy(), [1, 5]).mean() > 0.15
    weak = simulate(3000, seed=2, contamination=Contamination.from_dict({"narrow": 0.2}),
                    styles=StyleStrengths(narrow=(0.5, 0.5)))
    w = rows(weak, "narrow")[ITEMS].to_numpy()
    h = plain_honest(weak)[ITEMS].to_numpy()
    assert np.isin(w, [1, 5]).mean() == pytest.approx(0.5 * np.isin(h, [1, 5]).mean(), rel=0.2)


def test_slow_careful_and_high_trait(on):
    d = rows(on, "slow_careful")["_duration"]
    assert d.between(2 * DURATION_MEDIAN - 1, 4 * DURATION_MEDIAN + 1).all()
    hi = reverse_score(rows(on, "high_trait"), INST)[ITEMS].to_numpy()
    ho = reverse_score(plain_honest(on), INST)[ITEMS].to_numpy()
    assert np.nanmean(hi) > np.nanmean(ho) + 0.5 and np.nanmean(hi >= 4) > 0.7
    lat = on.latent.iloc[on.truth.loc[on.truth["kind"] == "high_trait", "position"]]
    assert lat.mean().min() > 1.0                         # their latent scores really are high
    assert (rows(on, "high_trait")["ATT1"] == 4).all()


def test_skipped_items(on):
    t = on.truth[on.truth["kind"] == "skipped_items"]
    r = on.frame.iloc[t["position"]]
    for (_, row), detail in zip(r.iterrows(), t["detail"]):
        named = re.match(r"skipped (\d) item\(s\): (.*)", detail)
        items = named.group(2).split(", ")
        assert 1 <= int(named.group(1)) == len(items) <= 4 and row[items].isna().all()
    assert on.expected_clean().iloc[t["position"]].all()


def test_extreme_scaled_is_threshold_scaling():
    """The same person's answers re-cut at thresholds ``c + w (t - c)`` about the scale's centre (Jin & Wang 2014):
    every answer moves outward or stays, middle answers may leave the middle on either side, and each styled answer
    lies where the person's unstyled one allows."""
    base = simulate(2000, seed=8)
    sim = simulate(2000, seed=8, contamination=Contamination.from_dict({"extreme_scaled": 0.1}),
                   styles=StyleStrengths(extreme_scaled=(0.4, 0.6)))
    t = sim.truth[(sim.truth["kind"] == "extreme_scaled") & sim.truth["primary"]]
    w = t["detail"].str.extract(r"thresholds x ([\d.]+)")[0].astype(float).to_numpy()
    assert len(t) == 200 and ((w >= 0.4) & (w <= 0.6)).all()
    styled = reverse_score(sim.frame.iloc[t["position"].to_numpy()], INST)[ITEMS].to_numpy()
    honest = base.frame[base.expected_clean().to_numpy()].set_index("response_id")
    unstyled = reverse_score(honest.loc[t["response_id"]], INST)[ITEMS].to_numpy()
    ok = ~np.isnan(styled) & ~np.isnan(unstyled)
    assert ok.mean() > 0.95
    mid = (INST.scale_min + INST.scale_max) / 2
    up, down = ok & (unstyled > mid), ok & (unstyled < mid)
    assert (styled[up] >= unstyled[up]).all() and (styled[down] <= unstyled[down]).all()   # outward only
    was_mid = ok & (unstyled == mid)
    assert (styled[was_mid] != mid).mean() > 0.1                                              # 3 -> 2 or 4 too
    assert (styled[was_mid] > mid).any() and (styled[was_mid] < mid).any()
    # exactly the re-cut: the unstyled answer's latent interval meets the styled answer's (w is shown to 2 decimals)
    thr = np.array([sim.population.thresholds[c] for c in ITEMS])                        # items x cuts, scored
    c = (thr[:, 1] + thr[:, 2]) / 2
    edges = np.concatenate([np.full((len(ITEMS), 1), -np.inf), thr, np.full((len(ITEMS), 1), np.inf)], axis=1)
    i, j = np.nonzero(ok)
    b, a = unstyled[i, j].astype(int) - INST.scale_min, styled[i, j].astype(int) - INST.scale_min
    person = c[j][:, None] + w[i][:, None] * (edges[j] - c[j][:, None])                   # the person's own edges
    at = np.arange(len(j))
    lo, hi = np.maximum(edges[j, b], person[at, a]), np.minimum(edges[j, b + 1], person[at, a + 1])
    assert (hi - lo > -0.02).all()
    ends = np.isin(styled[ok], [INST.scale_min, INST.scale_max]).mean()
    assert ends > np.isin(plain_honest(sim)[ITEMS].to_numpy(), [1, 5]).mean() + 0.2


# -- grid straight-lining, a keyed line at the disagree end, disacquiescence --------------------------------
def _pages():
    return [np.array([ITEMS.index(i) for i in INST.constructs[c].items]) for c in INST.construct_codes]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_page_line_is_one_answer_per_page_and_another_on_the_next(seed):
    from iur_survey.clean import indices

    sim = simulate(1500, seed=seed, contamination=Contamination.from_dict({"page_line": 0.04}))
    r = rows(sim, "page_line")
    assert len(r) == 60
    x = r[ITEMS].to_numpy()
    lines = indices.page_lines(x, _pages())                      # a page's answer, NaN where it is not straight
    straight = np.isfinite(lines).sum(1)
    slips = sim.truth.loc[(sim.truth["kind"] == "page_line"), "detail"].str.extract(r"(\d) slip")[0]
    n_slip = slips.fillna(0).astype(int).to_numpy()
    assert (straight >= len(_pages()) - n_slip).all() and (n_slip <= 2).all()
    assert 0.1 < (n_slip > 0).mean() < 0.5                       # 30 % slip: 60 rows, SE .06
    full = lines[straight == len(_pages())]
    assert (np.diff(full, axis=1) != 0).all()                    # the next page: another answer
    assert (np.nanmax(lines, 1) - np.nanmin(lines, 1) >= 1).all()
    # the attention check: about half as asked, the others with the middle page's line
    att = r["ATT1"].to_numpy()
    asked = att == INST.attention_checks["ATT1"]
    assert 0.3 < asked.mean() < 0.85                             # half + the lines that happen to be 4
    assert r["_duration"].median() > 0.5 * DURATION_MEDIAN       # an ordinary speed
    assert sim.latent.iloc[sim.truth.loc[sim.truth["kind"] == "page_line", "position"]].isna().all().all()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_keyed_line_is_a_disagree_line_held_on_the_reverse_keyed_items(seed):
    from iur_survey.clean import rules

    sim = simulate(1500, seed=seed, contamination=Contamination.from_dict({"keyed_line": 0.04}))
    r = rows(sim, "keyed_line")
    x = r[ITEMS].to_numpy()
    assert len(r) == 60 and (x[:, REVERSE] == INST.scale_min).all()      # held on every reverse-keyed item
    off = (x != INST.scale_min).sum(1)
    assert off.min() >= 1 and off.max() <= 4 and len(set(off)) >= 3       # 1-4 slips, varied
    assert (x[x != INST.scale_min] <= INST.scale_min + 2).all()           # one or two steps up
    assert rules.keyed_line(x, ITEMS, INST)[0].all()                      # what the rule is for
    h = sim.frame[sim.expected_clean().to_numpy()][ITEMS].to_numpy()
    assert not rules.keyed_line(np.nan_to_num(h, nan=3.0), ITEMS, INST)[0].any()
    asked = (r["ATT1"] == INST.attention_checks["ATT1"]).mean()
    assert 0.3 < asked < 0.7


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_disacquiescent_disagrees_more_whatever_the_keying(seed):
    base = simulate(2000, seed=seed)
    sim = simulate(2000, seed=seed, contamination=Contamination.from_dict({"disacquiescent": 0.1}),
                   styles=StyleStrengths(disacquiescent=(0.5, 0.9)))
    t = sim.truth[(sim.truth["kind"] == "disacquiescent") & sim.truth["primary"]]
    g = t["detail"].str.extract(r"response -([\d.]+) SD")[0].astype(float)
    assert len(t) == 200 and g.between(0.5, 0.9).all()
    styled = sim.frame.iloc[t["position"].to_numpy()][ITEMS].to_numpy()
    honest = base.frame[base.expected_clean().to_numpy()].set_index("response_id")
    unstyled = honest.loc[t["response_id"], ITEMS].to_numpy()
    ok = ~np.isnan(styled) & ~np.isnan(unstyled)
    assert ok.mean() > 0.95
    assert (styled[ok] <= unstyled[ok]).all()                    # the same person, the raw answer never higher
    for keyed in (~REVERSE, REVERSE):                            # lower on forward and reverse-keyed items alike
        gap = np.nanmean(unstyled[:, keyed]) - np.nanmean(styled[:, keyed])
        assert 0.3 < gap < 1.2
    assert sim.expected_clean().iloc[t["position"]].all()        # honest: kept
    assert (sim.frame.iloc[t["position"].to_numpy()]["ATT1"] == 4).all()


def test_drawn_strengths_add_disacquiescence_last():
    for seed in (1, 2, 3):
        s = StyleStrengths.drawn(seed)
        assert 0.2 <= s.disacquiescent[0] < s.disacquiescent[1] <= 1.2
    assert StyleStrengths().disacquiescent == (0.3, 0.9)
