"""Each screening rule against hand-made frames and independent (naive) re-implementations."""

from __future__ import annotations

import dataclasses
import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from scipy.spatial.distance import mahalanobis as scipy_mahalanobis

from iur_survey.clean import rules
from iur_survey.clean.rules import (RULES, attention, duplicate_answers_ip, duplicate_id, even_odd,
                                    even_odd_consistency, irv, longest_run, longstring, mahalanobis,
                                    mahalanobis_d2, missing_inputs, out_of_range, speeder, status,
                                    unfinished)

from iur_survey.instrument import load_instrument

INST = load_instrument()
ITEMS = list(INST.item_codes)


def flagged(series: pd.Series) -> list:
    return series.index[series.notna()].tolist()


# -- status ------------------------------------------------------------------------------
def test_status_default_kinds_and_configurable(inst):
    df = pd.DataFrame({"_status": ["IP Address", "Survey Preview", "Survey Test", "Spam", "Imported",
                                   "Offline", None]})
    assert flagged(status(df, inst)) == [1, 2, 3]
    assert flagged(status(df, inst, exclude=["imported", "offline"])) == [4, 5]
    assert flagged(status(df, inst, exclude=[])) == []
    with pytest.raises(ValueError, match="unknown status kind"):
        status(df, inst, exclude=["previews"])


def test_status_numeric_qualtrics_codes(inst):
    df = pd.DataFrame({"_status": [0, 1, 2, 4, 8, 9, 16, 17]})
    out = status(df, inst)
    assert flagged(out) == [1, 2, 4, 5, 7]
    assert out[5] == "status '9' (preview, spam)"


def test_status_without_column_flags_nobody(inst):
    out = status(pd.DataFrame({"GOV1": [1.0, 2.0]}, index=[10, 11]), inst)
    assert out.isna().all() and out.index.tolist() == [10, 11] and str(out.dtype) == "string"


# -- unfinished --------------------------------------------------------------------------
def test_unfinished_progress_threshold(inst):
    df = pd.DataFrame({"_finished": pd.array([True, True, False, pd.NA, pd.NA], dtype="boolean"),
                       "_progress": [100.0, 95.0, 100.0, np.nan, 60.0]})
    assert flagged(unfinished(df, inst)) == [1, 2, 4]
    assert flagged(unfinished(df, inst, min_progress=90)) == [2, 4]
    assert unfinished(df, inst)[2] == "Finished=False"


def test_unfinished_break_off_inferred_only_without_completion_metadata(inst):
    rows = []
    for k in (0, 3, 4, 12, 28):  # number of trailing items left unanswered
        rows.append([3.0] * (len(ITEMS) - k) + [np.nan] * k)
    df = pd.DataFrame(rows, columns=ITEMS)
    df.loc[0, ["GOV2", "MKT3", "INT1"]] = np.nan  # scattered skips: not a break-off
    assert flagged(unfinished(df, inst)) == [2, 3, 4]
    assert unfinished(df, inst)[3] == "no Finished/Progress recorded; last 12 items unanswered (TAL1-INT4)"
    assert flagged(unfinished(df, inst, min_trailing_missing=3)) == [1, 2, 3, 4]
    # a row whose Finished or Progress is known is judged by those alone
    df["_finished"] = pd.array([pd.NA, pd.NA, True, pd.NA, pd.NA], dtype="boolean")
    df["_progress"] = [np.nan, np.nan, np.nan, 100.0, np.nan]
    assert flagged(unfinished(df, inst)) == [4]


# -- duplicates --------------------------------------------------------------------------
def test_duplicate_id_keeps_first_complete_by_submission_time(inst):
    df = pd.DataFrame({
        "response_id": ["A", "B", "A", "A", None, None],
        "_row": [2, 3, 4, 5, 6, 7],
        "_finished": pd.array([True] * 6, dtype="boolean"),
        "_submitted": pd.to_datetime(["2024-01-03", "2024-01-01", "2024-01-02", "2024-01-04",
                                      "2024-01-01", "2024-01-01"]),
    })
    out = duplicate_id(df, inst)
    # row 4 (index 2) was submitted first among the A's: kept; missing ids never duplicate
    assert flagged(out) == [0, 3]
    assert out[0].startswith("response_id 'A' repeated; first submission row 4 (")


def test_duplicate_id_prefers_eligible_rows(inst):
    df = pd.DataFrame({"response_id": ["A", "A", "A"], "_row": [2, 3, 4]})
    assert flagged(duplicate_id(df, inst)) == [1, 2]
    assert flagged(duplicate_id(df, inst, eligible=np.array([False, False, True]))) == [0, 1]


def test_duplicate_answers_ip_needs_same_ip_and_same_answers(inst):
    df = pd.DataFrame({
        "_ip": ["1.1.1.1", "1.1.1.1", "1.1.1.1", "2.2.2.2", None, None, "1.1.1.1"],
        "GOV1": [3.0, 3.0, 4.0, 3.0, 3.0, 3.0, np.nan],
        "GOV2": [np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan],
        "ATT1": [4.0, 4.0, 4.0, 4.0, 4.0, 4.0, np.nan],
        "_row": range(2, 9),
    })
    out = duplicate_answers_ip(df, inst)
    assert flagged(out) == [1]  # NaN equals NaN; no IP -> never; nothing answered -> never
    assert "1.1.1.1" not in out[1]


def test_duplicate_answers_ip_differs_in_attention_only(inst):
    df = pd.DataFrame({"_ip": ["9.9.9.9"] * 2, "GOV1": [3.0, 3.0], "ATT1": [4.0, 2.0]})
    assert duplicate_answers_ip(df, inst).isna().all()


# -- out of range / attention --------------------------------------------------------------
def test_out_of_range_names_every_cell(inst):
    df = pd.DataFrame({"GOV1": [1.0, 5.0, 0.0, 3.5], "INT4": [6.0, 5.0, 9.0, 2.0], "ATT1": [4, 4, -1, 4.0]})
    out = out_of_range(df, inst)
    assert flagged(out) == [0, 2, 3]
    assert out[2] == "GOV1=0, INT4=9, ATT1=-1 not on the scale 1-5"
    assert out[3] == "GOV1=3.5 not on the scale 1-5"


def test_attention_wrong_and_missing(inst):
    df = pd.DataFrame({"ATT1": [4.0, 3.0, np.nan, 9.0]})
    assert flagged(attention(df, inst)) == [1, 2, 3]
    assert flagged(attention(df, inst, missing_fails=False)) == [1, 3]
    assert attention(pd.DataFrame({"GOV1": [1.0]}), inst).isna().all()


# -- speeder -------------------------------------------------------------------------------
def test_speeder_relative_and_absolute_cutoffs(inst):
    n_q = len(ITEMS) + 1
    df = pd.DataFrame({c: [3.0] * 6 for c in ITEMS} | {"ATT1": [4.0] * 6,
                      "_duration": [1000.0, 1000.0, 1000.0, 299.0, 301.0, np.nan]})
    out = speeder(df, inst)
    assert flagged(out) == [3]  # median 1000, 30% = 300
    # the per-item floor alone: 10.35 s x 29 questions = 300.15 s, 10.4 x 29 = 301.6 s
    assert n_q == 29
    only_floor = speeder(df, inst, fraction=0.1, seconds_per_item=10.35)
    assert flagged(only_floor) == [3]
    assert only_floor[3] == "duration 299 s < 10.35 s x 29 questions = 300.15 s [far beyond the cut-off]"
    # under 15 % of the median is far beyond the cut-off; between 15 % and 30 % only flagged
    assert "[far beyond" not in out[3]
    assert flagged(speeder(df, inst, fraction=0.1, seconds_per_item=10.4)) == [3, 4]
    assert speeder(df.drop(columns="_duration"), inst).isna().all()


# -- longstring ------------------------------------------------------------------------------
def naive_longest(row):
    best, cur, prev = 0, 0, None
    for v in row:
        if v != v:  # NaN breaks the run
            cur, prev = 0, None
            continue
        cur = cur + 1 if v == prev else 1
        prev = v
        best = max(best, cur)
    return best


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from([1.0, 2.0, 3.0, np.nan]), min_size=6, max_size=6), min_size=1, max_size=12))
def test_longest_run_matches_naive(rows):
    x = np.array(rows, dtype=float)
    best, val, start = longest_run(x)
    assert best.tolist() == [naive_longest(r) for r in rows]
    for b, v, s, r in zip(best, val, start, x):
        if b > 0:
            assert np.all(r[s:s + b] == v)


def test_longstring_on_raw_codes_default_half(inst):
    straight = np.full(len(ITEMS), 4.0)
    honest = np.full(len(ITEMS), 4.0)
    rev = [ITEMS.index(c) for c in INST.reverse_items]
    honest[rev] = 2.0  # consistent agreement: raw codes differ on reverse-keyed items
    df = pd.DataFrame([straight, honest], columns=ITEMS)
    out = longstring(df, inst)
    assert flagged(out) == [0]
    assert out[0] == "longest run 28 x code 4 from GOV1 (>= 14) [far beyond the cut-off]"
    # the honest row's longest run is 8 (MKT1..BEN3 between GOV3 and BEN4)
    assert longest_run(df.to_numpy())[0].tolist() == [28, 8]
    assert flagged(longstring(df, inst, min_run=8)) == [0, 1]


# -- irv -------------------------------------------------------------------------------------
def test_irv_matches_pandas_std(make_frame, inst):
    df, _ = make_frame(60, seed=3, straightliner=5)
    df.loc[0, ITEMS[:20]] = np.nan  # too few answers: not evaluated
    sd = df[ITEMS].std(axis=1, ddof=1)
    n_ans = df[ITEMS].notna().sum(axis=1)
    expect = df.index[(sd < 0.9) & (n_ans >= 14)].tolist()
    assert flagged(irv(df, inst, min_sd=0.9)) == expect
    assert len(expect) >= 5


# -- mahalanobis -----------------------------------------------------------------------------
def test_mahalanobis_d2_matches_scipy_with_missing_patterns():
    rng = np.random.default_rng(7)
    a = rng.normal(size=(5, 5))
    cov = a @ a.T + np.eye(5)
    mean = rng.normal(size=5)
    x = rng.normal(size=(40, 5))
    x[rng.random((40, 5)) < 0.2] = np.nan
    d2, p = mahalanobis_d2(x, mean, cov)
    for i in range(40):
        m = ~np.isnan(x[i])
        if not m.any():
            assert np.isnan(d2[i]) and p[i] == 0
            continue
        ref = scipy_mahalanobis(x[i, m], mean[m], np.linalg.inv(cov[np.ix_(m, m)])) ** 2
        assert d2[i] == pytest.approx(ref, rel=1e-9)
        assert p[i] == m.sum()


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_mahalanobis_flags_against_the_finite_sample_beta(make_frame, inst, seed):
    """Same flags as D² from scipy referred to the scaled Beta; most random rows among them.

    The flag set is compared exactly (both sides computed here); the share of random rows
    caught is asserted with a margin and over three seeds (one seed's count moves with the
    CPU's floating point on the boundary).
    """
    df, truth = make_frame(500, seed=seed, random=25)
    out = mahalanobis(df, inst, alpha=0.001, halves=False, by_group=False)
    x = df[ITEMS].to_numpy(dtype=float).copy()
    rev = [ITEMS.index(c) for c in INST.reverse_items]
    x[:, rev] = 6 - x[:, rev]
    n, p = x.shape
    mu, s_inv = x.mean(0), np.linalg.inv(np.cov(x, rowvar=False))
    d2 = np.array([scipy_mahalanobis(r, mu, s_inv) ** 2 for r in x])
    pval = stats.beta.sf(n * d2 / (n - 1) ** 2, p / 2, (n - p - 1) / 2)
    # the level tested: 0.001, or the stricter one honest answers drawn from the sample's answer model call for
    levels = {float(re.search(r"< ([0-9.e-]+)", d).group(1)) for d in out.dropna()}
    assert len(levels) == 1 and 0.0001 < next(iter(levels)) <= 0.001
    level = next(iter(levels))
    clear = np.abs(np.log(pval / level)) > 0.03  # away from the boundary (the level is printed to 2 digits)
    expect = np.flatnonzero(pval < level)
    got = np.array(flagged(out))
    assert set(got[clear[got]]) == set(expect[clear[expect]])
    random_idx = set(df.index[df.response_id.isin(truth.response_id)])
    # of 25: 19-23 at the Beta law's .001, 13-20 at the level that holds .001 on honest answers drawn from
    # the sample's answer model (these rounded normal answers pass the Beta law's .001 cut 3 times as often)
    assert len(random_idx & set(got)) >= 10
    assert len(set(got) - random_idx) <= 5   # honest rows at p < .001: about 0.5 expected


def test_mahalanobis_reference_rows_change_the_estimate(make_frame, inst):
    df, _ = make_frame(300, seed=2, random=60)
    honest = np.r_[np.ones(300, bool), np.zeros(60, bool)]
    a = mahalanobis(df, inst).notna().sum()
    b = mahalanobis(df, inst, reference=honest).notna().sum()
    assert b > a  # random rows inflate the covariance and mask each other


def test_mahalanobis_handles_sparse_missing(make_frame, inst):
    df, _ = make_frame(120, seed=5)
    rng = np.random.default_rng(0)
    x = df[ITEMS].to_numpy()
    x[rng.random(x.shape) < 0.3] = np.nan  # almost no complete case: pairwise estimate
    df[ITEMS] = x
    assert df[ITEMS].notna().all(axis=1).sum() < 56
    out = mahalanobis(df, inst, alpha=0.5)
    assert out.index.equals(df.index)
    assert 0 < out.notna().sum() < len(df)  # evaluated: about half flagged at alpha .5
    assert mahalanobis(df.iloc[:55], inst, alpha=0.5).isna().all()  # fewer than 2p rows: not evaluated


# -- even-odd ----------------------------------------------------------------------------------
def naive_even_odd(row_by_construct):
    odd = [np.nanmean(v[0::2]) for v in row_by_construct]
    even = [np.nanmean(v[1::2]) for v in row_by_construct]
    o, e = np.array(odd), np.array(even)
    ok = ~np.isnan(o) & ~np.isnan(e)
    if ok.sum() < 2 or np.std(o[ok]) == 0 or np.std(e[ok]) == 0:
        return np.nan
    r = np.corrcoef(o[ok], e[ok])[0, 1]
    return max(-1.0, 2 * r / (1 + r)) if r > -1 + 1e-12 else -1.0


@pytest.mark.filterwarnings("ignore:Mean of empty slice")
def test_even_odd_matches_naive(make_frame, inst):
    df, _ = make_frame(80, seed=4, random=20)
    df.loc[3, ["GOV2", "GOV4"]] = np.nan  # a construct with no even half
    sb, k = even_odd_consistency(df, inst)
    rev = set(INST.reverse_items)
    for i in range(len(df)):
        by_con = []
        for con in INST.constructs.values():
            v = np.array([6 - df.at[i, c] if c in rev else df.at[i, c] for c in con.items], dtype=float)
            by_con.append(v)
        ref = naive_even_odd(by_con)
        if np.isnan(ref):
            assert np.isnan(sb[i])
        else:
            assert sb[i] == pytest.approx(ref, abs=1e-9)
    assert k[3] == 6 and k[0] == 7


def test_even_odd_works_on_the_short_form_and_is_inert_below_min_constructs(make_frame, inst):
    df, truth = make_frame(200, seed=8, random=40)
    assert even_odd(df, inst, min_constructs=10).isna().all()  # 7 constructs < 10
    hits = even_odd(df, inst)  # resampled split halves: usable with 7 constructs of 4 items
    rnd = df["response_id"].isin(truth["response_id"]).to_numpy()
    assert hits[rnd].notna().mean() > 3 * hits[~rnd].notna().mean()


# -- generic contract ------------------------------------------------------------------------------
@pytest.mark.parametrize("rule", list(RULES))
def test_every_rule_returns_string_series_aligned_and_leaves_frame_alone(rule, make_frame, inst):
    df, _ = make_frame(120, seed=1, preview=3, unfinished=3, duplicate_id=2, duplicate_ip=2, speeder=3,
                       straightliner=3, random=3, attention=3, out_of_range=2, item_nonresponse=10)
    df.index = df.index * 7 + 100  # a non-default index
    before = df.copy()
    out = RULES[rule](df, inst)
    assert isinstance(out, pd.Series) and str(out.dtype) == "string"
    assert out.index.equals(df.index)
    pd.testing.assert_frame_equal(df, before)
    assert out.dropna().str.len().min() > 0 if out.notna().any() else True


@pytest.mark.parametrize("rule", list(RULES))
def test_every_rule_documents_a_reference_and_example(rule):
    doc = RULES[rule].__doc__
    assert ">>>" in doc
    assert any(str(y) in doc for y in range(1976, 2026)) or "Qualtrics" in doc


def test_missing_inputs_reports_unevaluable_rules(inst):
    df = pd.DataFrame({"response_id": ["a"], "GOV1": [1.0], "_duration": [np.nan]})
    out = missing_inputs(df, inst)
    assert set(out) == {"status", "duplicate_answers_ip", "speeder", "attention"}
    # without an attention check the analyst is told what it costs (session 28's outside12: recall .898 -> .761
    # on a form whose check was switched off)
    assert out["attention"].startswith("no attention-check column: careless answers at an ordinary speed are left "
                                       "to the careless-responding indices, which catch fewer of them")
    bare = dataclasses.replace(inst, attention_checks={})
    assert missing_inputs(df, bare)["attention"].startswith("no attention-check column (the instrument has no "
                                                            "attention check): careless answers")


def test_default_min_run_is_half_the_items():
    assert rules._default_min_run(28) == 14 and rules._default_min_run(7) == 4
    assert math.ceil(len(ITEMS) / 2) == 14


def test_mahalanobis_d2_singular_covariance_falls_back_to_pseudo_inverse():
    rng = np.random.default_rng(3)
    z = rng.normal(size=(50, 3))
    x = np.column_stack([z, z[:, 0]])  # a duplicated column: singular covariance
    cov = np.cov(x, rowvar=False)
    mean = x.mean(axis=0)
    x[5, 1] = np.nan
    d2, p = mahalanobis_d2(x, mean, cov)
    for i in (0, 5):
        m = ~np.isnan(x[i])
        diff = x[i, m] - mean[m]
        assert d2[i] == pytest.approx(diff @ np.linalg.pinv(cov[np.ix_(m, m)]) @ diff, rel=1e-6)
    assert np.isfinite(d2).all()


def test_duplicate_answers_ip_matches_naive_groupby(make_frame, inst):
    df, _ = make_frame(300, seed=9, duplicate_ip=20, duplicate_id=10, item_nonresponse=40)
    rng = np.random.default_rng(0)
    df["_ip"] = rng.choice(["a", "b", "c", None], size=len(df))  # few IPs: many same-IP groups
    df.loc[rng.choice(len(df), 30), ITEMS] = 3.0  # identical straight-lined vectors across IPs
    cols = ITEMS + ["ATT1"]
    order = np.lexsort((np.arange(len(df)), df["_submitted"].to_numpy()))
    seen, expect = set(), []
    for i in order:  # first submission of each (IP, answers) is kept; the rest are repeats
        if df.at[i, "_ip"] is None:
            continue
        key = (df.at[i, "_ip"],) + tuple("NA" if pd.isna(v) else v for v in df.loc[i, cols])
        if key in seen:
            expect.append(i)
        seen.add(key)
    got = flagged(duplicate_answers_ip(df, inst, eligible=np.ones(len(df), bool)))
    assert sorted(got) == sorted(expect) and len(expect) >= 10


# -- ipsatized D² (profile) and the scale-aware zig-zag period -----------------------------------
def test_mahad_ipsatized_is_blind_to_acquiescence_and_extremity_and_equals_a_naive_computation():
    from iur_survey.clean.indices import ipsatize, mahad_ipsatized

    rng = np.random.default_rng(7)
    f = np.repeat(rng.normal(size=(600, 4)), 4, axis=1)
    x = np.clip(np.round(3 + f + rng.normal(scale=.7, size=(600, 16))), 1, 5)
    d2, df = mahad_ipsatized(x)
    # naive: ipsatize, drop the last column, D² with numpy's inverse
    z = ipsatize(x)[:, :-1]
    ok = ~np.isnan(z).any(axis=1)
    s_inv = np.linalg.inv(np.cov(z[ok], rowvar=False))
    c = z - z[ok].mean(axis=0)
    naive = np.einsum("ij,jk,ik->i", c, s_inv, c)
    np.testing.assert_allclose(d2[ok], naive[ok], rtol=1e-9)
    assert (df[ok] == 15).all() and np.isnan(d2[~ok]).all()
    # the same profile shifted (acquiescence) or stretched (extremity) keeps its ipsatized D²
    ref = ok.copy()
    y = x.copy()
    y[0] = x[1] + 0.5           # any affine change of a row leaves its ipsatized answers as they were
    y[2] = 3 + 2 * (x[1] - 3)
    d2y, _ = mahad_ipsatized(y, reference=ref & (np.arange(600) > 2))
    d2x, _ = mahad_ipsatized(x, reference=ref & (np.arange(600) > 2))
    assert ok[1]
    assert d2y[0] == pytest.approx(d2x[1]) and d2y[2] == pytest.approx(d2x[1])


def test_profile_rule_is_opt_in_and_counts_as_its_own_evidence_group():
    from iur_survey.clean.config import CleanConfig
    from iur_survey.clean.decision import EVIDENCE_GROUPS, decide

    assert "mahalanobis_ipsatized" not in CleanConfig().rules
    assert "mahalanobis_ipsatized" in CleanConfig.from_dict({"rules": list(rules.DEFAULT_RULES) + [
        "mahalanobis_ipsatized"]}).rules
    assert EVIDENCE_GROUPS["profile"] == ("mahalanobis_ipsatized",)
    f = {"mahalanobis_ipsatized": pd.Series(["profile D² 60", "profile D² 60"], dtype="string"),
         "mahalanobis": pd.Series(["D² 80", pd.NA], dtype="string")}
    ex, basis = decide(f)
    assert ex.tolist() == [True, False] and basis[0] == "convergent evidence: size + profile"



def test_structure_rule_supports_speed_is_calibrated_and_blind_to_extreme_and_midpoint_styles():
    from iur_survey.clean.config import CleanConfig
    from iur_survey.clean.decision import EVIDENCE_GROUPS, decide

    assert "mahalanobis_quotient" in CleanConfig().rules
    assert EVIDENCE_GROUPS["structure"] == ("mahalanobis_quotient",)
    q = pd.Series(["structure Q 3"] * 3, dtype="string")
    size = pd.Series(["D² 80", pd.NA, pd.NA], dtype="string")
    fast = pd.Series([pd.NA, "duration 90 s < 30% of median 540 s", pd.NA], dtype="string")
    flags = {"mahalanobis_quotient": q, "mahalanobis": size, "speeder": fast}
    ex, basis = decide(flags)                                     # by default beside speed only
    assert ex.tolist() == [False, True, False] and basis[1] == "convergent evidence: speed + structure"
    ex, basis = decide(flags, beside={})                          # decision: {beside: {}}
    assert ex.tolist() == [True, True, False] and basis[0] == "convergent evidence: size + structure"
    # 7 scales of 4 items; honest answers with a person scale from midpoint (0.4) to extreme (2.5)
    lab = np.repeat(np.arange(7), 4)
    for seed in (1, 2, 3):
        rng = np.random.default_rng(seed)
        n = 2000
        dev = rng.normal(size=(n, 7))[:, lab] + rng.normal(scale=.7, size=(n, 28))
        s = np.where(np.arange(n) < 300, 2.5, np.where(np.arange(n) < 600, 0.4, 1.0))
        x = 3 + s[:, None] * dev
        x[-40:] = rng.uniform(1, 5, size=(40, 28))                    # no structure
        df = pd.DataFrame(x, columns=ITEMS)
        df[list(INST.reverse_items)] = 6 - df[list(INST.reverse_items)]   # questionnaire direction
        hit = rules.mahalanobis_quotient(df, INST).notna().to_numpy()
        assert hit[600:-40].mean() < 0.045                          # calibrated: about alpha = .025
        assert hit[:300].mean() < 0.05 and hit[300:600].mean() < 0.05   # styles are not punished
        assert hit[-40:].mean() > 0.5
        d2 = rules.mahalanobis(df, INST).notna().to_numpy()
        assert d2[:300].mean() > 0.2                                # plain D² punishes the extreme style
    x = df.to_numpy(dtype=float)
    x[5, :3] = np.nan                                               # missing answers: the sub-matrix's null
    assert rules.mahalanobis_quotient(pd.DataFrame(x, columns=ITEMS), INST).notna().iloc[-40:].mean() > 0.5


def test_longpattern_default_period_covers_the_zig_zag_of_a_six_point_scale():
    from iur_survey.instrument import parse_instrument

    six = parse_instrument({**INST.raw, "scale": {"min": 1, "max": 6}}, INST.path)
    zig = [1, 2, 3, 4, 5, 6, 5, 4, 3, 2]                       # period 10
    row = (zig * 3)[:len(ITEMS)]
    df = pd.DataFrame([row], columns=ITEMS, dtype=float)
    hit = rules.longpattern(df, six)
    assert hit.notna().all() and "period 10" in hit[0]
    assert rules.longpattern(df, six, max_period=8).isna().all()      # the old default missed it
    five = [1, 2, 3, 4, 5, 4, 3, 2]
    df5 = pd.DataFrame([(five * 4)[:len(ITEMS)]], columns=ITEMS, dtype=float)
    assert "period 8" in rules.longpattern(df5, INST)[0]



def test_longpattern_far_beyond_needs_a_string_rare_in_the_persons_own_answers():
    # an outside generator's honest acquiescent respondents: mostly 4 and 5, an arbitrary 8-answer motif
    # repeated once (16 answers, 8 coincidences), excluded on it alone; their own answers in a random order
    # agree with themselves 8 items back as often in about 10 % of orders
    lab = np.repeat(np.arange(7), 4)
    sign = np.where(np.isin(ITEMS, list(INST.reverse_items)), -1.0, 1.0)
    cuts = np.array([-1.6, -0.8, 0.1, 1.0])
    motif = [4, 5, 5, 4, 4, 5, 5, 1, 4, 5, 5, 4, 4, 5, 5, 1, 5, 4, 4, 5, 4, 5, 5, 4, 4, 4, 5, 5]
    zig = np.resize([1, 2, 3, 4, 5, 4, 3, 2], 28).tolist()
    seesaw = np.resize([4, 5], 28).tolist()                          # two habitual answers, alternated
    repeat = np.resize([3, 4, 4, 5], 28).tolist()
    for seed in (1, 2, 3):
        rng = np.random.default_rng(seed)
        y = (rng.normal(size=(1500, 7))[:, lab] * 0.8 + rng.normal(scale=.6, size=(1500, 28))) * sign
        x = 1.0 + (y[:, :, None] > cuts).sum(axis=2)
        partial = x[0].copy()
        partial[12:] = np.resize([1, 5], 16)                          # careful, then 16 answers of a seesaw
        broken = np.r_[np.resize([4, 3], 16), np.resize([3, 4], 12)]  # a seesaw an answered check breaks
        df = pd.DataFrame(np.vstack([x, [motif, zig, seesaw, repeat, partial, broken]]), columns=ITEMS)
        got = rules.longpattern(df, INST)
        far = got.fillna("").str.contains(rules.FAR).to_numpy()
        assert got.iloc[-6].startswith("periodic string of 16 answers (period 8: 4-5-5-4-4-5-5-1)")
        assert not far[-6] and "own answers in a random order repeat themselves as often in 0." in got.iloc[-6]
        assert far[-5:].all()                                        # patterns stay far beyond
        assert far[:-6].mean() < 0.002                               # honest answers: about .001 or fewer
        old = rules.longpattern(df, INST, own_order=False).fillna("").str.contains(rules.FAR).to_numpy()
        assert old[-6] and old[-5:].all()                            # the old rule excluded the motif
        assert (far <= old).all()                                    # the new one never adds a far hit
    from iur_survey.clean.config import CleanConfig, rule_parameters

    assert rule_parameters("longpattern")["own_order"] is True
    assert CleanConfig.from_dict({"longpattern": {"own_order": False}}).longpattern_own_order is False


def test_random_likelihood_is_calibrated_blind_to_styles_and_exact_where_it_skips_work():
    from iur_survey.clean.decision import EVIDENCE_GROUPS, decide
    from iur_survey.clean.indices import answer_model, random_lr, random_lr_quantiles

    assert EVIDENCE_GROUPS["likelihood"] == ("random_likelihood", "correlation_likelihood",
                                             "mixture_likelihood")  # the last two: opt-in
    lab = np.repeat(np.arange(7), 4)
    sign = np.where(np.isin(ITEMS, list(INST.reverse_items)), -1.0, 1.0)
    cuts = np.array([-1.6, -0.8, 0.1, 1.0])
    for seed in (1, 2, 3):
        rng = np.random.default_rng(seed)
        n = 2500
        y = (rng.normal(size=(n, 7))[:, lab] * 0.8 + rng.normal(scale=.6, size=(n, 28))) * sign   # raw direction
        s = np.where(np.arange(n) < 300, 2.2, np.where(np.arange(n) < 600, 0.45, 1.0))
        y = y * s[:, None] + np.where((np.arange(n) >= 600) & (np.arange(n) < 900), 0.8, 0.0)[:, None]
        x = 1.0 + (y[:, :, None] > cuts).sum(axis=2)
        x[-50:] = rng.integers(1, 6, size=(50, 28))                     # uniform random answers
        df = pd.DataFrame(x, columns=ITEMS)
        hit = rules.random_likelihood(df, INST).notna().to_numpy()
        assert hit[900:-50].mean() < 0.012                               # about alpha = .005
        assert hit[:300].mean() < 0.12                                  # extreme: mostly profiled away
        assert hit[300:600].mean() < 0.02 and hit[600:900].mean() < 0.02  # midpoint, acquiescent
        assert hit[-50:].mean() > 0.6
    # the cut-offs found profiling only the top rows equal those of profiling all
    codes = (x - 1).astype(int)
    tau, r = answer_model(codes, 5)
    probs = [0.995, 0.999]
    assert np.allclose(random_lr_quantiles(codes, tau, r, probs), np.quantile(random_lr(codes, tau, r), probs))
    free = random_lr(codes, tau, r, shifts=np.zeros(1), scales=np.ones(1), midpoint=())
    cut = np.quantile(free, 0.9)
    skip = random_lr(codes, tau, r, above=cut)                        # profiled only where free > cut
    over, full = free > cut, random_lr(codes, tau, r)
    styles = random_lr(codes, tau, r, midpoint=())                    # the midpoint propensity only where the
    assert np.array_equal(skip[~over], free[~over])                   # styles alone leave it above the cut
    assert np.allclose(skip[over], np.where(styles[over] > cut, full[over], styles[over]))
    assert np.all(skip >= full - 1e-9) and np.array_equal(skip > cut, full > cut)
    # a hit far beyond its cut-off excludes alone; a plain hit is one group
    f = {"random_likelihood": pd.Series(["random-answer likelihood ratio 9 [far beyond the cut-off]",
                                         "random-answer likelihood ratio 3", "random-answer likelihood ratio 3"],
                                        dtype="string"),
         "mahalanobis": pd.Series([pd.NA, pd.NA, "D² 80"], dtype="string")}
    ex, basis = decide(f)                                                 # size does not count beside it
    assert ex.tolist() == [True, False, False] and basis[2] == ""
    f["speeder"] = pd.Series([pd.NA, pd.NA, "duration 90 s < 30% of median"], dtype="string")
    assert decide(f)[1][2] == "convergent evidence: speed + size + likelihood"
    df.iloc[0, 3] = np.nan                                                # a row with a missing answer: not judged
    assert pd.isna(rules.random_likelihood(df, INST)[0])


def test_random_likelihood_far_cut_off_holds_for_honest_answers_stretched_by_an_extreme_style():
    # the profiled ratio is not pivotal in the stretch: honest answers whose whole latent response (trait and
    # error) is stretched 1.6-2.6 times lie beyond the style-free .999 quantile 5-7 % of the time; "far beyond"
    # also needs the 1 - far_styles_alpha quantile of honest answers drawn at every stretch of the grid above 1
    lab = np.repeat(np.arange(7), 4)
    sign = np.where(np.isin(ITEMS, list(INST.reverse_items)), -1.0, 1.0)
    far = {None: [], 0.02: []}
    random_far, random_hit = [], []
    for seed in (1, 2, 3):
        rng = np.random.default_rng(seed)
        n = 2000
        lam = rng.uniform(.65, .85, 28)
        cuts = np.array([-1.7, -.75, .15, 1.25]) + rng.normal(0, .15, (28, 1))
        y = (rng.normal(size=(n, 7))[:, lab] * lam + rng.normal(size=(n, 28)) * np.sqrt(1 - lam ** 2)) * sign
        y[:150] = (y[:150] - .3) * rng.uniform(1.6, 2.6, (150, 1)) + .3     # 150 honest extreme responders
        x = 1.0 + (y[:, :, None] > cuts[None]).sum(axis=2)
        x[-60:] = rng.integers(1, 6, size=(60, 28))                           # uniform random answers
        df = pd.DataFrame(x, columns=ITEMS)
        for a in far:
            d = rules.random_likelihood(df, INST, **({} if a else {"far_styles_alpha": None}))
            hit = d.fillna("").str.contains("far beyond the cut-off").to_numpy()
            far[a].append(hit[:150])
            if a:
                random_far.append(hit[-60:])
                random_hit.append(d.notna().to_numpy()[-60:])
    old, new = np.concatenate(far[None]).mean(), np.concatenate(far[0.02]).mean()
    assert old > 0.035 and new < 0.03                                          # measured: .058 -> .018
    assert np.concatenate(random_hit).mean() > 0.8                              # the flag level is unchanged
    assert np.concatenate(random_far).mean() > 0.3                              # random answers: still far (.48)


def test_random_likelihood_survives_a_constant_item_and_too_few_complete_answers(recwarn):
    rng = np.random.default_rng(1)
    x = np.clip(np.round(3 + rng.normal(size=(500, 1)) + rng.normal(size=(500, len(ITEMS)))), 1, 5)
    x[:, 0] = 4                                                   # everyone gives the same answer to one item
    x[:5] = rng.integers(1, 6, size=(5, len(ITEMS)))
    hit = rules.random_likelihood(pd.DataFrame(x, columns=ITEMS), INST)
    assert hit.notna().sum() <= 10 and hit[:5].notna().sum() >= 3
    x[:, 1] = np.nan                    # an item nobody answered is left out (rules.reference_columns): 27 items
    again = rules.random_likelihood(pd.DataFrame(x, columns=ITEMS), INST)
    assert again.notna().sum() <= 10 and again[:5].notna().sum() >= 3
    assert again.dropna().str.contains(f"over {len(ITEMS) - 1} items|over tails").all()
    x[:, 1] = 4.0                       # two items each answered by half, never both: no complete answers,
    x[:250, 2] = np.nan                 # no model, nobody judged (and the report says why)
    x[250:, 3] = np.nan
    none = rules.random_likelihood(pd.DataFrame(x, columns=ITEMS), INST)
    assert none.isna().all() and "not estimable" in none.attrs["not_evaluated"]
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_random_likelihood_finds_answers_that_turn_random_and_its_tail_ratio_is_exact_where_it_skips_work():
    from iur_survey.clean.indices import answer_model, random_lr_quantiles, random_tail_lr

    lab = np.repeat(np.arange(7), 4)
    cuts = np.array([-1.6, -0.8, 0.1, 1.0])
    rates = []
    for seed in (1, 2, 3):
        rng = np.random.default_rng(seed)
        n = 2500
        y = rng.normal(size=(n, 7))[:, lab] * 0.8 + rng.normal(scale=.6, size=(n, 28))
        s = np.where(np.arange(n) < 300, 2.2, np.where(np.arange(n) < 600, 0.45, 1.0))
        y = y * s[:, None] + np.where((np.arange(n) >= 600) & (np.arange(n) < 900), 0.8, 0.0)[:, None]
        x = 1.0 + (y[:, :, None] > cuts).sum(axis=2)
        for i in range(n - 60, n):                                       # careful, then random for 12-16 items
            t = int(rng.integers(12, 17))
            x[i, -t:] = rng.integers(1, 6, size=t)
        df = pd.DataFrame(x, columns=ITEMS)
        hit = rules.random_likelihood(df, INST).notna().to_numpy()
        plain = rules.random_likelihood(df, INST, tails=False).notna().to_numpy()
        assert hit[900:-60].mean() < 0.015                               # two ratios at alpha = .005 each
        assert hit[:300].mean() < 0.12                                  # extreme: mostly profiled away
        assert hit[300:600].mean() < 0.02 and hit[600:900].mean() < 0.02  # midpoint, acquiescent
        rates.append((hit[-60:].mean(), plain[-60:].mean()))
    with_tails, without = np.mean(rates, axis=0)
    assert with_tails > 0.55 and with_tails > without + 0.1, rates      # measured: .68 against .50
    text = rules.random_likelihood(df, INST).dropna()
    assert text.str.contains("random-tail likelihood ratio").any()
    # the tail ratio: profiling only where the style-free one exceeds a cut-off is exact there
    codes = (x - 1).astype(int)
    tau, r = answer_model(codes, 5)
    full = random_tail_lr(codes, tau, r)
    free = random_tail_lr(codes, tau, r, shifts=np.zeros(1), scales=np.ones(1), midpoint=())
    assert (full <= free + 1e-9).all()                                   # the style (0, 1) is on the grid
    cut = np.quantile(free, 0.9)
    skip = random_tail_lr(codes, tau, r, above=cut)
    assert np.array_equal(skip > cut, full > cut)
    assert np.allclose(random_lr_quantiles(codes, tau, r, [0.995, 0.999], min_tail=4)[1],
                       np.quantile(full, [0.995, 0.999]))
    with pytest.raises(ValueError, match="min_tail"):
        random_tail_lr(codes, tau, r, min_tail=0)


@pytest.mark.slow
def test_random_likelihood_change_point_option_finds_random_tails_and_keeps_its_false_alarm_rate():
    from iur_survey.clean.config import CleanConfig
    cols = [c for c in ITEMS if c[:3] in ("GOV", "MKT", "BEN", "VAL")]
    rng = np.random.default_rng(4)
    f = np.repeat(rng.normal(size=(1000, 4)), 4, axis=1)
    x = np.clip(np.round(3.4 + f + rng.normal(scale=.7, size=(1000, 16))), 1, 5)
    x[:400] = np.clip(np.round(3 + 1.8 * (x[:400] - 3)), 1, 5)                  # 400 extreme responders
    for i in range(960, 1000):                                                 # careful, then random for 7-9 items
        t = int(rng.integers(7, 10))
        x[i, -t:] = rng.integers(1, 6, size=t)
    df = pd.DataFrame(x, columns=cols)
    # the predictive ratio on its own (predictive_screen) off in all three: the default with it catches .175 too
    old = {"predictive_screen": None}
    default = rules.random_likelihood(df, INST, **old).notna().to_numpy()      # measured: .125 of the tails
    both = rules.random_likelihood(df, INST, change_point=True, **old)        # .175: the two tail ratios at .0025
    alone = rules.random_likelihood(df, INST, tails=False, change_point=True, **old)  # .300
    for flags in (both, alone):
        hit = flags.notna().to_numpy()
        assert hit[:960].mean() < 0.015 and hit[960:].mean() > default[960:].mean(), (hit[:960].mean(),
                                                                                     hit[960:].mean())
        assert flags.dropna().str.contains("change-point likelihood ratio").any()
    assert both.dropna().str.contains(r"change-point .*its 0.9975 quantile").any()   # half the level each
    assert not alone.dropna().str.contains("random-tail").any()
    assert CleanConfig.from_dict({"random_likelihood": {"change_point": True}}).params("random_likelihood")[
        "change_point"] is True


def test_random_likelihood_irtree_option_adds_the_extremity_node_to_the_profile():
    from iur_survey.clean.config import CleanConfig
    cols = [c for c in ITEMS if c[:3] in ("GOV", "MKT", "BEN", "VAL")]
    rng = np.random.default_rng(2)
    f = np.repeat(rng.normal(size=(800, 4)), 4, axis=1)
    df = pd.DataFrame(np.clip(np.round(3.6 + f + rng.normal(scale=.7, size=(800, 16))), 1, 5), columns=cols)
    df.loc[:7] = rng.integers(1, 6, size=(8, 16))                  # eight random responders
    hit = rules.random_likelihood(df, INST, irtree=True)
    assert hit[:8].notna().sum() >= 6 and hit[8:].notna().mean() < 0.015
    profiled = hit.dropna()[~hit.dropna().str.startswith("predictive-tail")]   # that ratio has no IRTree reading
    assert profiled.str.contains("midpoint propensity or IRTree extremity profiled out").all()
    assert CleanConfig.from_dict({"random_likelihood": {"irtree": True}}).params("random_likelihood")["irtree"] is True
    assert CleanConfig().params("random_likelihood")["irtree"] is False


def test_random_likelihood_reads_midpoint_responding_from_the_scale_midpoint_on_a_ceiling_export():
    """Styles pivot on the scale's midpoint, not on the items' median: on items most people answer 4 or 5, a
    respondent who gives the middle answer to 60 % of them is a midpoint responder, not a random one
    (measured: flagged 30-36 % when the stretch pivoted on the median, 4-6 % pivoting on the midpoint, 0-0.5 %
    with the midpoint propensity profiled too)."""
    lab = np.repeat(np.arange(7), 4)
    cuts = np.array([-1.88, -1.55, -1.34, -0.41])          # 3 % of answers in each of 1-3, 25 % 4, 66 % 5
    sign = np.where(np.isin(ITEMS, list(INST.reverse_items)), -1.0, 1.0)
    for seed in (1, 2, 3):
        rng = np.random.default_rng(seed)
        n = 2000
        y = rng.normal(size=(n, 7))[:, lab] * 0.8 + rng.normal(scale=.6, size=(n, 28))
        scored = 1.0 + (y[:, :, None] > cuts).sum(axis=2)
        push = (np.arange(n) < 200)[:, None] & (rng.random((n, 28)) < 0.6)
        scored[push] = 3.0
        raw = np.where(sign > 0, scored, 6.0 - scored)
        hit = rules.random_likelihood(pd.DataFrame(raw, columns=ITEMS), INST).notna().to_numpy()
        assert hit[:200].mean() < 0.12 and hit[200:].mean() < 0.015


def test_random_likelihood_profiles_a_midpoint_propensity_on_a_ceiling_export_with_few_middle_answers():
    """Issue 12: where only about 3 % of answers are the middle one and 5 % of the people are midpoint responders
    (50-70 % middle answers, the rest by their trait: 4s and 5s), no shift or stretch of the latent response makes
    both likely: without a midpoint propensity (the first node of an IRTree) 57-72 % of them were flagged and a
    third far beyond the cut-off (a stretch grid reaching 0.05 and shifts of 2 SD changed nothing); with it 0-1.3 %
    (none far beyond), random answers still 90-93 %."""
    lab = np.repeat(np.arange(7), 4)
    sign = np.where(np.isin(ITEMS, list(INST.reverse_items)), -1.0, 1.0)
    for seed in (1, 2, 3):
        rng = np.random.default_rng(seed)
        n = 1500
        lam = rng.uniform(0.6, 0.85, size=28)
        y = rng.normal(size=(n, 7))[:, lab] * lam + rng.normal(size=(n, 28)) * np.sqrt(1 - lam ** 2)
        cuts = np.sort(rng.normal([-1.9, -1.65, -1.4, -0.4], 0.06, size=(28, 4)), axis=1)  # ~3 % each of 1-3
        scored = 1.0 + (y[:, :, None] > cuts).sum(axis=2)
        push = (np.arange(n) < 75)[:, None] & (rng.random((n, 28)) < rng.uniform(0.5, 0.7, size=(n, 1)))
        scored[push] = 3.0
        raw = np.where(sign > 0, scored, 6.0 - scored)
        raw[-30:] = rng.integers(1, 6, size=(30, 28))                   # uniform random answers
        hit = rules.random_likelihood(pd.DataFrame(raw, columns=ITEMS), INST).notna().to_numpy()
        assert hit[:75].mean() < 0.05                                   # measured 0-1.3 % (57-72 % without it)
        assert hit[75:-30].mean() < 0.012                               # alpha = .005 on each of two ratios
        assert hit[-30:].mean() > 0.75                                  # measured .90-.93 (.93-.97 without)


def _extreme_and_random(seed: int, n: int = 1500) -> pd.DataFrame:
    """Answers to the 28 items: 150 extreme responders (latent stretched x 2.4) first, 30 random ones last."""
    lab = np.repeat(np.arange(7), 4)
    cuts = np.array([-1.6, -0.8, 0.1, 1.0])
    sign = np.where(np.isin(ITEMS, list(INST.reverse_items)), -1.0, 1.0)
    rng = np.random.default_rng(seed)
    y = rng.normal(size=(n, 7))[:, lab] * 0.8 + rng.normal(scale=.6, size=(n, 28))
    y[:150] *= 2.4                                                  # extreme responders
    x = 1.0 + (y[:, :, None] > cuts).sum(axis=2)
    x = np.where(sign > 0, x, 6.0 - x)
    x[-30:] = rng.integers(1, 6, size=(30, 28))                     # random responders
    return pd.DataFrame(x, columns=ITEMS)


def test_a_distance_a_response_style_explains_counts_beside_speed_only():
    from iur_survey.clean.decision import decide

    marked, plain = [], []
    for seed in (1, 2, 3):
        df = _extreme_and_random(seed)
        f = rules.mahalanobis(df, INST)
        styled = f.fillna("").str.contains(rules.STYLED).to_numpy()
        hit = f.notna().to_numpy()
        marked.append(styled[:150].sum() / max(hit[:150].sum(), 1))
        plain.append(styled[-30:].mean())
        g = rules.mahalanobis(df, INST, style_check=False)           # the same flags, only marked
        assert g.notna().equals(f.notna()) and (f[~styled].fillna("") == g[~styled].fillna("")).all()
    assert np.mean(marked) > 0.2 and np.mean(plain) < 0.1, (marked, plain)     # measured: .37 and 0
    # a marked distance is no evidence, unless beside speed; unmarked it is
    t = "D² 80 over 28 items (all items), finite-sample p = 1e-05 < 0.01"
    flags = {"speeder": pd.Series([pd.NA, "duration 90 s < 30% of median", pd.NA], dtype="string"),
             "mahalanobis": pd.Series([rules._styled(t), rules._styled(t), t], dtype="string"),
             "random_likelihood": pd.Series(["LR 9", pd.NA, "LR 9"], dtype="string")}
    ex, basis = decide(flags)
    assert ex.tolist() == [False, True, False] and basis[1] == "convergent evidence: speed + size"
    # unmarked, it counts beside invariance (and speed, profile, structure, inconsistency), not beside likelihood
    flags["longstring"] = pd.Series([pd.NA, pd.NA, "run of 9"], dtype="string")
    assert decide(flags)[1][2] == "convergent evidence: invariance + size + likelihood"



def test_the_style_marks_wider_settings_mark_more_and_flag_the_same():
    """``style_quantile`` above the median (.9, the default) and ``shape_quantile`` (D² = Q |z|², an ordinary Q)
    mark a superset of the median's marks among the same flags; extreme responders gain marks, random responders
    stay unmarked."""
    gained, random_marked = [], []
    for seed in (4, 5):
        df = _extreme_and_random(seed)
        base = rules.mahalanobis(df, INST)
        hit = base.notna().to_numpy()
        marks = {}
        for kw in ({"style_quantile": 0.5}, {}, {"style_quantile": 0.5, "shape_quantile": 0.75}):
            f = rules.mahalanobis(df, INST, **kw)
            assert (f.notna().to_numpy() == hit).all()                 # the same flags, only marked
            marks[tuple(kw)] = f.fillna("").str.contains(rules.STYLED).to_numpy()
        median = marks[("style_quantile",)]
        for k in ((), ("style_quantile", "shape_quantile")):
            assert (marks[k] >= median).all()                           # a superset of the median's marks
            gained.append(marks[k][:150].sum() - median[:150].sum())
            random_marked.append(marks[k][-30:].mean())
    assert min(gained) > 0 and max(random_marked) < 0.1, (gained, random_marked)

# -- invariant_tail -------------------------------------------------------------------------
def _styled_answers(seed: int, n: int = 2500) -> np.ndarray:
    """Honest answers to the study's 28 items in raw direction: extreme (0-299), midpoint (300-599) and
    acquiescent (600-899) styles, the rest without one."""
    lab = np.repeat(np.arange(7), 4)
    sign = np.where(np.isin(ITEMS, list(INST.reverse_items)), -1.0, 1.0)
    cuts = np.array([-1.6, -0.8, 0.1, 1.0])
    rng = np.random.default_rng(seed)
    y = (rng.normal(size=(n, 7))[:, lab] * 0.8 + rng.normal(scale=.6, size=(n, 28))) * sign
    s = np.where(np.arange(n) < 300, 2.2, np.where(np.arange(n) < 600, 0.45, 1.0))
    y = y * s[:, None] + np.where((np.arange(n) >= 600) & (np.arange(n) < 900), 0.8, 0.0)[:, None]
    return 1.0 + (y[:, :, None] > cuts).sum(axis=2)


def test_invariant_tail_finds_straight_lining_after_a_careful_start_and_spares_styles():
    from iur_survey.clean.decision import EVIDENCE_GROUPS

    assert "invariant_tail" in EVIDENCE_GROUPS["invariance"] and "invariant_tail" in rules.DEFAULT_RULES
    caught, far, honest, styled = [], [], [], []
    for seed in (1, 2, 3):
        rng = np.random.default_rng(seed + 10)
        x = _styled_answers(seed)
        for i in range(-60, 0):                                   # the last 9 to 14 answers one answer
            t = int(rng.integers(9, 15))
            x[i, -t:] = 3.0 if i >= -20 else float(rng.integers(1, 6))
        f = rules.invariant_tail(pd.DataFrame(x, columns=ITEMS), INST)
        hit = f.notna().to_numpy()
        caught.append(hit[-60:].mean())
        far.append(f[-60:].fillna("").str.contains(rules.FAR, regex=False).mean())
        honest.append(hit[900:-60].mean())
        styled.append(hit[:900].mean())
    # measured: caught 0.99-1.0, far beyond 0.87-0.93, honest 0-0.1 %, styled 0-0.2 %
    assert min(caught) > 0.9 and min(far) > 0.7, (caught, far)
    assert max(honest) < 0.005 and max(styled) < 0.01, (honest, styled)


def test_invariant_tail_cut_offs_are_floored_where_the_draws_have_no_straight_tail():
    # honest draws almost never end in six equal answers: the draws' quantiles are -inf, the cut-offs the floors
    # (an interpolated quantile of -inf values is NaN, and a NaN cut-off would flag nobody)
    x = _styled_answers(4, n=1500)
    x[0] = [4, 5, 4, 2, 1, 5, 4, 4, 2, 5, 4, 1, 5, 4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
    f = rules.invariant_tail(pd.DataFrame(x, columns=ITEMS), INST)
    assert f[0].startswith("straight tail of 14 answers (1) from VAL3: likelihood ratio ")
    cut = float(re.search(r"> ([0-9.]+)", f[0]).group(1))
    assert cut >= 3.0 and rules.FAR in f[0]
    assert rules.invariant_tail(pd.DataFrame(x, columns=ITEMS), INST, min_ratio=50, far_ratio=60).isna().all()
    x[0, 3] = np.nan                                                  # a row with a missing answer: not judged
    assert pd.isna(rules.invariant_tail(pd.DataFrame(x, columns=ITEMS), INST)[0])


def test_invariant_tail_finds_a_zig_zag_or_ramp_after_a_careful_start_and_spares_styles():
    """A careful start, then the last 8 to 14 answers walk the scale (1-2-3-4-5-4-3-2-..., 2-3-4-2-3-4-... as a
    ramp): caught as a walking tail; styled and style-free honest respondents are not flagged more than by the
    straight tails alone (``walks=False``)."""
    motifs = [[1, 2, 3, 4, 5, 4, 3, 2], [5, 4, 3, 2, 1, 2, 3, 4], [1, 2, 3, 4, 5], [2, 3, 4, 3], [5, 4, 3]]
    caught, far, extra_honest = [], [], []
    for seed in (1, 2, 3):
        rng = np.random.default_rng(seed + 20)
        x = _styled_answers(seed)
        for i in range(-50, 0):
            t, m = int(rng.integers(8, 15)), motifs[i % len(motifs)]
            x[i, -t:] = np.resize(np.roll(m, -int(rng.integers(len(m)))), t)
        df = pd.DataFrame(x, columns=ITEMS)
        f, plain = rules.invariant_tail(df, INST), rules.invariant_tail(df, INST, walks=False)
        caught.append(f[-50:].notna().mean())
        far.append(f[-50:].fillna("").str.contains(rules.FAR, regex=False).mean())
        extra_honest.append((f[:-50].notna() & plain[:-50].isna()).mean())
        assert plain[-50:].notna().mean() < 0.5                        # the straight-tail ratio alone misses them
    # measured: caught 1.0 (straight-tail ratio alone 0), far beyond .90-1.0, honest flagged in addition 0 of 2,450
    assert min(caught) > 0.9 and min(far) > 0.7, (caught, far)
    assert max(extra_honest) < 0.003, extra_honest
    one = _styled_answers(4, n=1500)
    one[0] = [4, 5, 4, 2, 1, 5, 4, 4, 2, 5, 4, 1, 5, 4, 4, 1, 2, 3, 4, 5, 4, 3, 2, 1, 2, 3, 4, 5]
    text = rules.invariant_tail(pd.DataFrame(one, columns=ITEMS), INST)[0]
    assert text.startswith("zig-zag tail of 13 answers (1-2-3-4-5-4-3-2-1-...) from VAL4: likelihood ratio "), text


def test_invariant_tail_finds_a_seesaw_after_a_careful_start_and_spares_styles():
    """A careful start, then the last 8 to 14 answers see-saw between two answers at least two categories apart
    (1-5-1-5-..., 2-4-2-4-..., 4-1-4-1-...): caught as a walking tail; the zig-zags and ramps alone
    (``seesaws=False``, the rule before) miss them, and styled and style-free honest respondents are not flagged
    more.  (Outside generators: such tails after a careful start were excluded 19-26 % -> 94-98 % on one scale.)"""
    pairs = [(1, 5), (2, 4), (4, 1), (5, 3), (1, 3), (5, 2)]
    caught, old, extra_honest = [], [], []
    for seed in (1, 2, 3):
        rng = np.random.default_rng(seed + 40)
        x = _styled_answers(seed)
        for i in range(-50, 0):
            t, (a, b) = int(rng.integers(8, 15)), pairs[i % len(pairs)]
            x[i, -t:] = np.resize([a, b], t)
        df = pd.DataFrame(x, columns=ITEMS)
        f, before = rules.invariant_tail(df, INST), rules.invariant_tail(df, INST, seesaws=False)
        caught.append(f[-50:].fillna("").str.contains("seesaw tail", regex=False).mean())
        old.append(before[-50:].notna().mean())
        extra_honest.append((f[:-50].notna() & before[:-50].isna()).mean())
    # measured: caught 1.0 (before: 0), honest flagged in addition 0 of 2,450
    assert min(caught) > 0.9 and max(old) < 0.3, (caught, old)
    assert max(extra_honest) < 0.003, extra_honest
    one = _styled_answers(4, n=1500)
    one[0] = [4, 5, 4, 2, 1, 5, 4, 4, 2, 5, 4, 1, 5, 4, 4, 2, 3, 1, 5, 1, 5, 1, 5, 1, 5, 1, 5, 1]
    text = rules.invariant_tail(pd.DataFrame(one, columns=ITEMS), INST)[0]
    assert text.startswith("seesaw tail of 11 answers (1-5-1-5-1-5-1-5-1-...) from TAL2: likelihood ratio "), text
    assert rules.FAR in text
    one[0, 17:] = np.resize([4, 5], 11)             # two neighbouring answers in turn: read with seesaw_gap 1 only
    df = pd.DataFrame(one, columns=ITEMS)
    assert "seesaw" not in str(rules.invariant_tail(df, INST)[0])
    assert str(rules.invariant_tail(df, INST, seesaw_gap=1)[0]).startswith("seesaw tail of 11 answers (4-5-4-5-")


def test_invariant_tail_walks_on_a_101_point_slider_follow_only_the_phases_a_row_can_match(monkeypatch):
    """A 0-100 slider has 696,300 walking phases (76 on 1-5): tried one by one on each row whose last eight
    answers all differ, as before, ``clean`` of 209 real rows took 15 minutes.  Now only the (row, phase) pairs
    whose last eight answers agree are followed: a ramp and a zig-zag of steps of one after a careful start
    are still caught (a climb within one zig-zag is named by the first pattern it follows, as before), and the
    work is a few thousand pairs, not the phases times the rows."""
    from iur_survey.clean import indices as I
    from iur_survey.instrument import parse_instrument
    slider = parse_instrument({**INST.raw, "scale": {"min": 0, "max": 100}}, INST.path)
    assert sum(len(p) for p in I.walk_motifs(101, True)) == 696_300 + 9_900      # the seesaws: 4,950 pairs, two phases each
    y = _styled_answers(7, n=400) - 3.0                              # honest sliders: 0-100 around the middle
    rng = np.random.default_rng(7)
    x = np.clip(np.round(50 + 14 * y + rng.normal(scale=6, size=y.shape)), 0, 100)
    x[-1, -13:] = [5, *range(40, 52)]                                  # a ramp of twelve steps of one
    x[-2, -11:] = [20, 60, 61, 62, 61, 60, 59, 58, 59, 60, 61]         # a zig-zag between 58 and 62
    followed, rows = [], []
    # the module the rules call (a doctest run may import indices.py a second time under the same name)
    home = rules.invariant_tail_lr.__globals__
    walk_runs = home["_walk_runs"]

    def counting(back, *args, **kwargs):
        rows.append(len(back))
        followed.append(walk_runs(back, *args, **kwargs))
        return followed[-1]
    monkeypatch.setitem(home, "_walk_runs", counting)
    f = rules.invariant_tail(pd.DataFrame(x, columns=ITEMS), slider)
    assert re.match(r"(ramp|zig-zag) tail of 12 answers \(40-41-42-", str(f.iloc[-1])), f.iloc[-1]  # the 1st pattern
    assert str(f.iloc[-2]).startswith("zig-zag tail of 10 answers (60-61-62-61-"), f.iloc[-2]
    # measured: 17,805 rows of the draws and 347 of the data reach the walks (every last step changes), 4,539
    # pairs followed (the two walkers' phases), 0.7 s; before, each of those rows met all 706,200 phases
    assert sum(rows) > 1000 and sum(followed) < 50_000, (sum(rows), sum(followed))
    assert f.iloc[:-2].notna().mean() < 0.015


def test_random_likelihood_integrated_option_averages_the_style_and_drops_the_stretched_guard():
    from iur_survey.clean.indices import answer_draws, integrated_lr
    lab = np.repeat(np.arange(7), 4)
    sign = np.where(np.isin(ITEMS, list(INST.reverse_items)), -1.0, 1.0)
    rng = np.random.default_rng(4)
    n = 1500
    y = (rng.normal(size=(n, 7))[:, lab] * 0.8 + rng.normal(scale=.6, size=(n, 28))) * sign
    x = 1.0 + (y[:, :, None] > np.array([-1.6, -0.8, 0.1, 1.0])).sum(axis=2)
    x[:40] = rng.integers(1, 6, size=(40, 28))                          # uniform random answers
    df = pd.DataFrame(x, columns=ITEMS)
    on = rules.random_likelihood(df, INST, integrated=True)
    off = rules.random_likelihood(df, INST)
    assert on[:40].notna().mean() > 0.8 and on[40:].notna().mean() < 0.012
    whole = on.dropna().str.extract(r"random-answer likelihood ratio (-?[\d.]+) .*? > (-?[\d.]+), its")
    assert on.dropna().str.contains("integrated out, uniform over the grid").any()
    assert not off.dropna().str.contains("integrated out").any()
    # the ratio and its cut-offs: integrated_lr of the rows and of the draws from the same model (no guard)
    cols, (tau, r, _) = rules._reference_model(df, INST, None)           # the rule's own model and codes
    codes = rules._scale_codes(df, INST, cols)
    lr = integrated_lr(codes, tau, r)
    cut, far = np.quantile(integrated_lr(answer_draws(tau, r), tau, r), [0.995, 0.999])
    got = whole.dropna().astype(float)
    assert np.allclose(got[0], lr[got.index], atol=0.006) and np.allclose(got[1], cut, atol=0.006)
    hit = on.fillna("").str.contains(r"random-answer likelihood ratio [^;]*> " + f"{far:.2f}, its 0.999 quantile")
    near = np.abs(lr - far) < 0.01                                      # rounding of the printed cut-off
    assert np.array_equal(hit.to_numpy()[~near], (lr > far)[~near]) and hit[:40].mean() > 0.5


def test_random_likelihood_far_styles_sample_lowers_the_guard_only_where_the_sample_has_no_stretch():
    lab = np.repeat(np.arange(7), 4)
    sign = np.where(np.isin(ITEMS, list(INST.reverse_items)), -1.0, 1.0)
    rng = np.random.default_rng(4)
    n = 1500
    f = rng.normal(size=(n, 7))[:, lab] * 0.8
    e = rng.normal(scale=.6, size=(n, 28))
    cuts = np.array([-1.6, -0.8, 0.1, 1.0])

    def far_levels(s):                      # the printed far level of the whole-form ratio, one per exclusion
        got = s.dropna().str.extract(r"random-answer likelihood ratio [^;]*? and > (-?[\d.]+), "
                                     r"(?:its 0.999|the guard for stretched)")[0]
        return got.dropna().astype(float).unique()

    x = 1.0 + (((f + e) * sign)[:, :, None] > cuts).sum(axis=2)
    x[:40] = rng.integers(1, 6, size=(40, 28))                          # uniform random answers
    df = pd.DataFrame(x, columns=ITEMS)
    on = rules.random_likelihood(df, INST, far_styles_sample=True)
    off = rules.random_likelihood(df, INST)
    free = rules.random_likelihood(df, INST, far_styles_alpha=None)     # the style-free far level alone
    lo, hi, base = far_levels(on), far_levels(off), far_levels(free)
    assert len(lo) == len(hi) == len(base) == 1 and base[0] <= lo[0] < hi[0]   # style-free sample: a lower guard
    assert on.notna().equals(off.notna())                               # the flag level is unchanged
    far = on.fillna("").str.contains("far beyond")
    assert far[:40].sum() >= off.fillna("").str.contains("far beyond")[:40].sum() and far[40:].mean() < 0.005
    # a quarter of honest respondents stretching every answer (extreme responding): the guard is kept
    y = x.copy()
    y[40:415] = 1.0 + (((2.2 * (f[40:415] + e[40:415])) * sign)[:, :, None] > cuts).sum(axis=2)
    dy = pd.DataFrame(y, columns=ITEMS)
    on, off = (rules.random_likelihood(dy, INST, far_styles_sample=s) for s in (True, False))
    assert np.allclose(far_levels(on), far_levels(off))


def test_a_far_level_set_by_the_stretched_styles_guard_is_not_called_the_quantile():
    """C (guard helper): "far beyond" said "> X, its 0.999 quantile" where X was the guard from honest answers drawn
    with stretched styles, above the 0.999 quantile; it now says which, with the quantile beside it."""
    lab = np.repeat(np.arange(7), 4)
    sign = np.where(np.isin(ITEMS, list(INST.reverse_items)), -1.0, 1.0)
    rng = np.random.default_rng(4)
    y = (rng.normal(size=(1500, 7))[:, lab] * 0.8 + rng.normal(scale=.6, size=(1500, 28))) * sign
    x = 1.0 + (y[:, :, None] > np.array([-1.6, -0.8, 0.1, 1.0])).sum(axis=2)
    x[:40] = rng.integers(1, 6, size=(40, 28))                          # uniform random answers
    far = rules.random_likelihood(pd.DataFrame(x, columns=ITEMS), INST).dropna()
    far = far[far.str.contains("far beyond")]
    got = far.str.extract(r"and > (-?[\d.]+), the guard for stretched answer styles \(above its 0\.999 quantile "
                          r"(-?[\d.]+)\)").dropna().astype(float)
    assert len(got) > 10 and (got[0] > got[1]).all()
    assert not far.str.contains(r"random-answer likelihood ratio [^;]*, and > [-\d.]+, its 0\.999 quantile").any()
