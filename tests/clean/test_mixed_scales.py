"""Instruments whose constructs or items are answered on scales of their own (``scale: {min, max, labels}``).

The fixtures are made here (instrument documents and exports in ``tmp_path``), independent of the
simulator (which draws every item on one scale and refuses such an instrument): GOV..VAL on 1-5,
TAL on 1-4 (no middle), COL and INT on 1-7 (or INT on 0-10), the reverse-keyed items GOV3, BEN4, TAL3
and INT3 written as a respondent reading the reversed wording answers.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy.special import ndtr

from iur_survey.clean import CleanConfig, clean
from iur_survey.clean import rules
from iur_survey.errors import InstrumentError, IURSurveyError
from iur_survey.instrument import load_instrument, parse_instrument
from iur_survey.read import read_export
from iur_survey.scoring import reverse_score

STUDY = load_instrument()
W5 = {1: ["Strongly disagree"], 2: ["Disagree"], 3: ["Neither agree nor disagree"], 4: ["Agree"],
      5: ["Strongly agree"]}
W4 = {1: ["Strongly disagree"], 2: ["Disagree"], 3: ["Agree"], 4: ["Strongly agree"]}
W7 = {1: ["Strongly disagree"], 2: ["Disagree"], 3: ["Somewhat disagree"], 4: ["Neither agree nor disagree"],
      5: ["Somewhat agree"], 6: ["Agree"], 7: ["Strongly agree"]}
MIXED = {"TAL": (1, 4, W4), "COL": (1, 7, W7), "INT": (1, 7, W7)}


def _doc(scales: dict | None = None) -> dict:
    """The study's instrument document, with ``scales`` (construct -> (min, max, labels or None)) of their own."""
    doc = copy.deepcopy(STUDY.raw)
    for con, (lo, hi, words) in (scales or {}).items():
        doc["constructs"][con]["scale"] = {"min": lo, "max": hi, **({"labels": words} if words else {})}
    return doc


def _instrument(tmp_path, scales: dict | None = None, name: str = "inst.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(_doc(scales), allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_instrument(path)


def _latent(n: int, seed: int) -> np.ndarray:
    """Latent responses (n x 28 items) of honest respondents: correlated mechanisms -> COL -> INT."""
    rng = np.random.default_rng(seed)
    k = len(STUDY.constructs)
    corr = np.full((k, k), 0.35) + np.eye(k) * 0.65
    eta = rng.multivariate_normal(np.zeros(k), corr, size=n, method="cholesky")
    items = list(STUDY.item_codes)
    cidx = np.array([list(STUDY.constructs).index(STUDY.items[c].construct) for c in items])
    y = 0.75 * eta[:, cidx] + np.sqrt(1 - 0.75 ** 2) * rng.normal(size=(n, len(items)))
    rev = [i for i, c in enumerate(items) if c in STUDY.reverse_items]
    y[:, rev] = -y[:, rev]                      # the reversed wording: answered the other way
    return y


def _codes(y: np.ndarray, inst) -> pd.DataFrame:
    """Latent responses cut onto each item's own scale (equal-probability-ish cuts with some agreement skew)."""
    out = {}
    for j, code in enumerate(inst.item_codes):
        sc = inst.scale_of(code)
        cuts = np.quantile(np.random.default_rng(0).normal(-0.8, 1, 50_000), np.linspace(0, 1, sc.n_points + 1)[1:-1])
        out[code] = sc.min + np.searchsorted(cuts, y[:, j])
    return pd.DataFrame(out)


def _export(tmp_path, codes: pd.DataFrame, inst, *, labels: bool = False, name: str = "export.csv"):
    df = codes.copy()
    if labels:
        for c in df.columns:
            words = inst.scale_of(c).labels
            df[c] = [words[int(v)][0] for v in df[c]]
    df.insert(0, "role", np.resize(["Enterprise", "University", "Research institute", "Government"], len(df)))
    df.insert(0, "ResponseId", [f"R{i:05d}" for i in range(len(df))])
    df["ATT1"] = 4
    path = tmp_path / name
    df.to_csv(path, index=False)
    return path


# -- the instrument ------------------------------------------------------------------
def test_scales_inherit_and_labels_are_per_scale():
    inst = parse_instrument(_doc({"TAL": (1, 4, W4), "COL": (1, 7, W7), "INT": (0, 10, None)}))
    assert inst.mixed_scales and not STUDY.mixed_scales
    assert inst.scale_of("GOV1") == inst.scale and inst.scale_of("ATT1") == inst.scale
    assert (inst.scale_of("TAL2").text, inst.scale_of("COL4").text, inst.scale_of("INT1").text) == ("1-4", "1-7", "0-10")
    # one wording, a different code on each scale: resolved by the item, never guessed
    assert [inst.code_for_label("Agree", c) for c in ("GOV1", "TAL1", "COL1")] == [4, 3, 6]
    assert inst.code_for_label("Agree", "INT1") is None          # 0-10 has no wordings: none carried over
    assert [inst.reverse_score(1, c) for c in ("GOV3", "TAL3", "INT3")] == [5, 4, 9]
    assert inst.scales_text == "1-5; TAL 1-4; COL 1-7; INT 0-10"


def test_item_scale_overrides_construct_and_same_range_keeps_labels():
    doc = _doc({"COL": (1, 7, W7)})
    doc["items"]["COL2"]["scale"] = {"min": 1, "max": 5}         # the top-level range again: its labels come back
    doc["items"]["GOV2"]["scale"] = {"labels": {1: "Never", 5: "Always"}}   # same range, own wordings
    inst = parse_instrument(doc)
    assert inst.scale_of("COL1").text == "1-7" and inst.scale_of("COL2") == inst.scale
    assert inst.code_for_label("Always", "GOV2") == 5 and inst.code_for_label("Always", "GOV1") is None
    assert inst.code_for_label("Strongly agree", "GOV2") is None


@pytest.mark.parametrize("change, message", [
    (lambda d: d["constructs"]["INT"].update(scale={"min": 0, "max": 10}) or d.update(missing_codes=[0]),
     "missing_codes: 0 lies on the answer scale 0-10 (item INT1)"),
    (lambda d: d["constructs"]["TAL"].update(scale={"min": 1, "max": 4, "labels": {5: "x"}}),
     "constructs.TAL.scale.labels: code 5 outside the scale 1-4"),
    (lambda d: d["constructs"]["TAL"].update(scale={"min": 1, "max": 4, "points": 4}),
     "constructs.TAL.scale: unknown key 'points'"),
    (lambda d: d["constructs"]["TAL"].update(scale={"min": 4, "max": 4}),
     "constructs.TAL.scale: max (4) must exceed min (4)"),
    (lambda d: d.update(attention_checks={"ATT1": {"code": 7}}), "attention_checks.ATT1: code 7 outside the scale 1-5"),
])
def test_bad_scales_are_refused(change, message):
    doc = _doc()
    change(doc)
    with pytest.raises(InstrumentError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_instrument(doc)


def test_attention_check_on_its_own_scale():
    doc = _doc()
    doc["attention_checks"] = {"ATT1": {"code": 6, "scale": {"min": 1, "max": 7, "labels": W7}}}
    inst = parse_instrument(doc)
    assert inst.attention_checks == {"ATT1": 6} and inst.scale_of("ATT1").text == "1-7"
    frame = pd.DataFrame({"ATT1": [6.0, 4.0, 8.0]})
    assert rules.attention(frame, inst).notna().tolist() == [False, True, True]
    assert rules.out_of_range(frame, inst).tolist() == [pd.NA, pd.NA, "ATT1=8 not on its scale 1-7"]


# -- reading: codes, wordings, reverse scoring, range -----------------------------------
def test_codes_and_wordings_read_on_each_items_scale(tmp_path):
    inst = _instrument(tmp_path, MIXED)
    codes = _codes(_latent(120, 1), inst)
    by_code = read_export(_export(tmp_path, codes, inst, name="codes.csv"), inst).frame
    by_word = read_export(_export(tmp_path, codes, inst, labels=True, name="words.csv"), inst).frame
    items = list(inst.item_codes)
    np.testing.assert_array_equal(by_code[items].to_numpy(float), codes[items].to_numpy(float))
    np.testing.assert_array_equal(by_word[items].to_numpy(float), codes[items].to_numpy(float))
    assert set(by_word["TAL1"]) <= {1, 2, 3, 4} and by_word["COL1"].max() == 7


def test_a_mixed_export_on_the_one_scale_instrument_is_refused_not_misread(tmp_path):
    inst = _instrument(tmp_path, MIXED)
    codes = _codes(_latent(120, 2), inst)
    with pytest.raises(IURSurveyError, match="outside the scale 1-5"):
        read_export(_export(tmp_path, codes, inst, name="codes.csv"), STUDY)
    with pytest.raises(IURSurveyError, match="both mean scale code"):
        read_export(_export(tmp_path, codes, inst, labels=True, name="words.csv"), STUDY)


def test_reverse_scoring_and_out_of_range_per_item(tmp_path):
    inst = _instrument(tmp_path, {"TAL": (1, 4, W4), "INT": (0, 10, None)})
    frame = pd.DataFrame({"GOV3": [1.0, 5.0], "TAL3": [1.0, 4.0], "INT3": [0.0, 10.0], "TAL1": [2.0, 3.0]})
    assert reverse_score(frame, inst).to_dict("list") == {"GOV3": [5.0, 1.0], "TAL3": [4.0, 1.0],
                                                          "INT3": [10.0, 0.0], "TAL1": [2.0, 3.0]}
    x = rules._matrix(frame, ["GOV3", "TAL3", "INT3"], inst.reverse_items, inst)
    assert x.tolist() == [[5.0, 4.0, 10.0], [1.0, 1.0, 0.0]]
    oor = pd.DataFrame({"GOV1": [5.0, 5.0, 3.0], "TAL1": [4.0, 5.0, 0.0], "INT1": [10.0, 0.0, 11.0]})
    assert rules.out_of_range(oor, inst).tolist() == [
        pd.NA, "TAL1=5 not on its scale 1-4", "TAL1=0 not on its scale 1-4, INT1=11 not on its scale 0-10"]


def test_clean_reverses_each_item_on_its_own_scale(tmp_path):
    inst = _instrument(tmp_path, MIXED)
    codes = _codes(_latent(300, 3), inst)
    res = clean(read_export(_export(tmp_path, codes, inst), inst), inst)
    kept = codes.set_index(pd.Index([f"R{i:05d}" for i in range(len(codes))])).loc[res.clean["response_id"]]
    for code, top in (("GOV3", 6), ("TAL3", 5), ("INT3", 8)):
        np.testing.assert_array_equal(res.clean[code].to_numpy(float), top - kept[code].to_numpy(float))
    assert res.clean["TAL1"].between(1, 4).all() and res.clean["INT1"].between(1, 7).all()
    assert "out_of_range" not in set(res.exclusions["rule"])


# -- the indices: honest respondents are not flagged more on mixed scales ----------------
def _honest_outcome(tmp_path, seed: int, scales: dict | None, n: int = 700):
    inst = _instrument(tmp_path, scales, name=f"inst{seed}{bool(scales)}.yaml")
    codes = _codes(_latent(n, seed), inst)
    res = clean(read_export(_export(tmp_path, codes, inst, name=f"e{seed}{bool(scales)}.csv"), inst), inst,
                CleanConfig())
    return res.report["n_excluded_careless"], int((res.flags["n_flags"] > 0).sum())


def test_honest_respondents_on_mixed_scales_are_not_flagged_more(tmp_path):
    one, mixed = [], []
    for seed in (11, 12, 13):
        one.append(_honest_outcome(tmp_path, seed, None))
        mixed.append(_honest_outcome(tmp_path, seed, {**MIXED, "INT": (0, 10, None)}))
    (ex1, fl1), (exm, flm) = np.sum(one, axis=0), np.sum(mixed, axis=0)
    n = 3 * 700
    assert exm <= ex1 + 0.004 * n, (one, mixed)               # exclusions: at most 0.4 % of honest people more
    assert flm <= 1.15 * fl1 + 0.01 * n, (one, mixed)         # flags (evidence only): at most 15 % (+1 %) more


def test_random_responders_are_still_caught_on_mixed_scales(tmp_path):
    inst = _instrument(tmp_path, MIXED)
    codes = _codes(_latent(600, 5), inst)
    rng = np.random.default_rng(5)
    for c in inst.item_codes:                  # 30 uniform random responders, each item on its own scale
        sc = inst.scale_of(c)
        codes.loc[:29, c] = rng.integers(sc.min, sc.max + 1, 30)
    res = clean(read_export(_export(tmp_path, codes, inst), inst), inst)
    ids = {f"R{i:05d}" for i in range(30)}
    ex = res.exclusions
    noticed = ids & set(ex["response_id"])                 # excluded, or flagged by some index
    honest = set(ex["response_id"]) - ids
    assert len(noticed) >= 24 and len(honest) < 0.5 * (len(codes) - 30), (len(noticed), len(honest))
    # the likelihood ratio reads every item with its own categories, and names the scales
    detail = ex.loc[ex["rule"] == "random_likelihood", "detail"]
    assert len(detail) and detail.str.contains("over 28 items (each item on its own scale: 16 on 1-5, 4 on 1-4, "
                                               "8 on 1-7)", regex=False).all()


def test_common_scale_and_one_scale_leave_one_scale_instruments_alone():
    x = np.array([[1.0, 5.0], [3.0, np.nan]])
    assert rules.common_scale(x, ["GOV1", "INT1"], STUDY) is x
    assert rules._own_scales_note(["GOV1", "INT1"], STUDY) == ""


# -- the likelihood rules: every item with its own categories ------------------------------
def _careless_frames(tmp_path, seed: int, scales: dict | None):
    """600 respondents: 0-29 uniform random on each item's own scale, 30-59 careful and then one answer (1-4, on
    every scale) to the last 10 items (TAL3 .. INT4: 1-4 and 1-7 on the mixed instrument), 60-89 careful and then
    each of the last 10 items' top answer ("Strongly agree": 4, then 7), the rest honest."""
    inst = _instrument(tmp_path, scales, name=f"c{seed}{bool(scales)}.yaml")
    codes = _codes(_latent(600, seed), inst)
    rng = np.random.default_rng(seed)
    items = list(inst.item_codes)
    for c in items:
        sc = inst.scale_of(c)
        codes.loc[:29, c] = rng.integers(sc.min, sc.max + 1, 30)
    for i in range(30, 60):
        codes.loc[i, items[-10:]] = int(rng.integers(1, 5))
    for c in items[-10:]:
        codes.loc[60:89, c] = inst.scale_of(c).max
    return read_export(_export(tmp_path, codes, inst, name=f"c{seed}{bool(scales)}.csv"), inst).frame, inst


def test_likelihood_rules_read_every_item_on_mixed_scales(tmp_path):
    # before, both read only the 16 items on 1-5: random responders flagged about 2 of 30 a seed (12 with all 28
    # items on 1-5), straight tails on the 1-4 and 1-7 items never
    caught, tops = {False: 0, True: 0}, {False: 0, True: 0}
    for seed in (5, 6, 7):
        for mixed in (False, True):
            frame, inst = _careless_frames(tmp_path, seed, MIXED if mixed else None)
            rl = rules.random_likelihood(frame, inst).notna().to_numpy()
            caught[mixed] += int(rl[:30].sum())
            assert rl[90:].sum() <= 0.01 * 510, (seed, mixed, int(rl[90:].sum()))
            tail = rules.invariant_tail(frame, inst)
            hit = tail.notna().to_numpy()
            tops[mixed] += int(hit[60:90].sum())
            assert hit[30:60].sum() >= 27 and hit[90:].sum() <= 0.01 * 510, (seed, mixed, hit[30:60].sum(),
                                                                               hit[90:].sum())
            if mixed:
                assert tail[hit].str.contains("(each item on its own scale: 16 on 1-5, 4 on 1-4, 8 on 1-7)",
                                              regex=False).all()
    assert caught[True] >= 15 and caught[True] >= 0.6 * caught[False], caught
    # the top of each scale (4 then 7) is a straight tail read from the top: caught as "5" to the end is with
    # one scale (the skewed answers make a tail of top answers weaker evidence than one of "1"s)
    assert tops[True] >= 15 and tops[True] >= 0.6 * tops[False], tops


def test_the_per_item_likelihood_equals_the_one_scale_one_with_equal_scales():
    from iur_survey.clean import indices
    rng = np.random.default_rng(5)
    for m in (4, 5):                                   # thresholds padded with +inf: every item m of m + 1 codes
        x = np.clip(np.round((m - 1) / 2 + rng.normal(size=(500, 1)) + rng.normal(scale=.7, size=(500, 10))),
                    0, m - 1).astype(int)
        x[:10] = rng.integers(0, m, size=(10, 10))
        x[10:15, 4:] = 0
        tau, r = indices.answer_model(x, m)
        pad = np.concatenate([tau, np.full((10, 1), np.inf)], axis=1)
        assert indices.item_categories(tau) == m and indices.item_categories(pad).tolist() == [m] * 10
        for f in (lambda t: indices.random_lrs(x, t, r, 4), lambda t: indices.random_change_lr(x, t, r),
                  lambda t: indices.random_lr(x, t, r, extreme=indices.LR_EXTREME),
                  lambda t: indices.invariant_tail_lr(x, t, r, 6, 3)[0]):
            np.testing.assert_allclose(f(pad), f(tau), atol=1e-9)


def test_the_midpoint_propensity_acts_only_on_items_with_a_middle_answer():
    from iur_survey.clean import indices
    # item 0 on 5 categories, item 1 on 4 (no middle answer); independent items, so each answer's term is its own
    tau = np.array([[-np.inf, -1.0, -0.3, 0.3, 1.0, np.inf], [-np.inf, -0.8, 0.0, 0.8, np.inf, np.inf]])
    assert indices.item_categories(tau).tolist() == [5, 4]
    assert indices.scale_midpoint(tau).tolist() == [0.0, 0.0]
    ll = indices.midpoint_item_loglik(np.array([[2, 1], [4, 2]]), tau, np.eye(2), midpoint=np.array([0.5]))
    # the 4-point item: the same with and without the propensity (no factor 1 - p: no middle node offered)
    np.testing.assert_allclose(ll[0, 1, :, 1], ll[0, 0, :, 1])
    # the 5-point item: its middle answer 0.5 + 0.5 P(middle); another answer 0.5 P(answer)
    p_mid = 0.5 + 0.5 * (ndtr(0.3) - ndtr(-0.3))
    np.testing.assert_allclose(ll[0, 1, 0, 0], np.log(p_mid))
    np.testing.assert_allclose(ll[0, 1, 1, 0], np.log(0.5) + ll[0, 0, 1, 0])


def test_a_tail_repeated_in_one_reading_of_two_pays_log_2():
    from iur_survey.clean import indices
    rng = np.random.default_rng(5)
    x = np.clip(np.round(2 + rng.normal(size=(400, 1)) + rng.normal(scale=.6, size=(400, 12))), 0, 4).astype(int)
    x[:5, 5:] = 0                                        # straight tails
    tau, r = indices.answer_model(x, 5)
    plain = indices.invariant_tail_lr(x, tau, r, 6, 1)[0]
    same = indices.invariant_tail_lr(x, tau, r, 6, 1, readings=[x.copy()])[0]      # repeated in both readings
    np.testing.assert_allclose(same, plain)
    other = indices.invariant_tail_lr(x, tau, r, 6, 1, readings=[np.tile(np.arange(12), (400, 1))])[0]
    np.testing.assert_allclose(other[:5], plain[:5] - np.log(2))    # in one reading of two: half the probability


def test_a_straight_tail_of_middle_answers_across_scales_is_seen(tmp_path):
    # a careful start, then the middle answer to the last 12 items (VAL1 .. INT4): 3 on 1-5, 2 or 3 on 1-4 (no
    # middle: the lower or the upper central answer), 4 on 1-7 and 5 on 0-10.  Neither the same code, the same
    # number nor the same place from the top: before, invariant_tail saw such a tail only within one block
    # (0 of 60 on these seeds), against 57 of 60 with every item on 1-5
    seen, honest = {False: 0, True: 0}, {False: 0, True: 0}
    for seed in (5, 6):
        for mixed in (False, True):
            inst = _instrument(tmp_path, {**MIXED, "INT": (0, 10, None)} if mixed else None,
                               name=f"m{seed}{mixed}.yaml")
            codes = _codes(_latent(600, seed), inst)
            for c in list(inst.item_codes)[-12:]:
                sc = inst.scale_of(c)
                mid = (sc.min + sc.max) // 2
                codes.loc[:14, c] = mid                            # 0-14: the lower central answer on 1-4
                codes.loc[15:29, c] = mid + (sc.n_points % 2 == 0)  # 15-29: the upper one
            frame = read_export(_export(tmp_path, codes, inst, name=f"m{seed}{mixed}.csv"), inst).frame
            hit = rules.invariant_tail(frame, inst).notna().to_numpy()
            seen[mixed] += int(hit[:30].sum())
            honest[mixed] += int(hit[30:].sum())
    assert seen[True] >= 50 and seen[True] >= 0.85 * seen[False], seen
    assert honest[True] <= max(1.5 * honest[False], honest[False] + 0.004 * 1140), honest


def test_the_middle_readings_leave_the_other_readings_alone():
    # one more reading only where it makes other answers equal: scales with one middle in the same place (1-5 and
    # 0-6: the middle is "3" on both, the number as written) add none
    inst = parse_instrument({"scale": {"min": 1, "max": 5}, "constructs": {"A": {"items": ["A1", "A2"]},
                             "B": {"items": ["B1", "B2"], "scale": {"min": 0, "max": 6}}}})
    assert len(rules._tail_readings(["A1", "A2", "B1", "B2"], inst)) == 2
    inst = parse_instrument(_doc({**MIXED, "INT": (0, 10, None)}))
    x = np.array([[2, 2, 1, 1, 3, 3, 5, 5], [2, 2, 2, 2, 3, 3, 5, 5], [4, 4, 3, 3, 6, 6, 10, 10]])
    cols = ["VAL1", "VAL2", "TAL1", "TAL2", "COL1", "COL2", "INT1", "INT2"]
    same = [[bool((v == v[0]).all()) for v in f(x)] for f in rules._tail_readings(cols, inst)]
    # the number as written, from the top, the middle (1-4: lower central), the middle (1-4: upper central)
    assert same == [[False, False, False], [False, False, True], [True, False, False], [False, True, False]]


# -- the evaluation: a generator of answers on each item's own scale -----------------------------------------
def _mixed_generator():
    from iur_survey.clean.evaluate import _tests_module
    return _tests_module("mixed_generator")


@pytest.mark.parametrize("fmt, labels", [("csv", "text"), ("xlsx", "text"), ("qualtrics", "text"),
                                         ("wjx_csv", "text"), ("spss", "codes"), ("spss", "text")])
def test_the_export_writers_write_each_item_with_its_own_scales_wordings(tmp_path, fmt, labels):
    # before, every item was written with the top-level scale's wordings: a 4 of a 1-7 item as "Agree" (6 on 1-7:
    # read back as 6), an SPSS 1-7 item's value labels those of 1-5 (4 "Agree" recoded to 6), a 4 of a 0-10 item
    # as "Agree" (no wording on 0-10: refused)
    from iur_survey.clean.evaluate import EXPORT_FORMATS, _read
    from iur_survey.simulate.writers import write_export
    gen = _mixed_generator()
    inst = gen.instrument()
    frame, _ = gen.generate(120, 3, inst)
    path = write_export(frame, inst, fmt, tmp_path / f"x{EXPORT_FORMATS.get(fmt, '.csv')}", labels=labels)
    back = _read(path, inst).frame
    items = list(inst.item_codes)
    np.testing.assert_array_equal(back[items].to_numpy(float), frame[items].to_numpy(float))


def test_the_mixed_generator_answers_on_each_items_scale_and_the_same_people_on_one_scale():
    gen = _mixed_generator()
    inst = gen.instrument()
    frame, truth = gen.generate(400, 2, inst)
    for c in inst.item_codes:
        sc = inst.scale_of(c)
        assert frame[c].between(sc.min, sc.max).all() and frame[c].nunique() > 2, c
    assert frame["INT1"].max() == 10 and frame["TAL1"].max() == 4 and frame["COL1"].max() == 7
    one, truth1 = gen.generate(400, 2, STUDY)                  # the same people, every item on 1-5
    pd.testing.assert_frame_equal(truth, truth1)
    assert set(one[list(STUDY.item_codes)].stack()) <= {1, 2, 3, 4, 5}
    honest = ~frame.index.isin(truth["position"])
    gov = [c for c in STUDY.item_codes if c.startswith("GOV")]
    np.testing.assert_array_equal(frame.loc[honest, gov], one.loc[honest, gov])   # the 1-5 items: the same answers


@pytest.mark.filterwarnings("ignore:iur-survey clean. the careless-responding indices excluded")
def test_evaluate_runs_on_an_instrument_with_scales_of_their_own_and_refuses_it_elsewhere(tmp_path):
    from iur_survey.clean import evaluate as ev
    inst = _mixed_generator().instrument()
    res = ev.evaluate([300], [1], ["csv"], "mixed")
    rec, hon = ev.tables(res)
    assert {"random", "straightliner", "pattern", "partial_pattern"} <= set(rec.index)
    assert {"honest", "acquiescent", "midpoint", "narrow"} <= set(hon.index)
    # 11 of its 12 lines excluded: the 12th, of the middle answers at an ordinary pace, is flagged (line_pace)
    assert float(rec.loc["straightliner", 300].split()[0]) >= 0.8
    # the simulator and the other generators draw every item on the top-level scale: refused, naming the generator
    for gen in ("simulator", "grm", "foreign"):
        with pytest.raises(InstrumentError, match=f"the {gen} generator draws every item on the top-level scale 1-5"
                                                  r".*\(1-5; TAL 1-4; COL 1-7; INT 0-10\): evaluate it with "
                                                  "--generator mixed"):
            ev.evaluate([300], [1], ["csv"], gen, instrument=inst)
    path = tmp_path / "mixed.yaml"
    path.write_text(yaml.safe_dump(_doc({**MIXED, "INT": (0, 10, None)}), allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    assert ev.main(["--generator", "simulator", "--instrument", str(path), "--n", "300", "--seeds", "1",
                    "--formats", "csv"]) == 2


def test_a_zigzag_tail_across_scales_is_seen(tmp_path):
    # a careful start, then 1-2-3-4-5-4-3-2-... to the last 12 items (VAL1 .. INT4), each answer clamped to the
    # item's own scale (1-4: the turn at 5 answered 4) and written as the number (0-10: 1..5).  Before, the walk was
    # read on the 0-based codes only and never through the clamp: 0 of 60 on these seeds, against 60 of 60 with
    # every item on 1-5
    seen, honest = {False: 0, True: 0}, {False: 0, True: 0}
    zigzag = [1, 2, 3, 4, 5, 4, 3, 2]
    for seed in (5, 6):
        for mixed in (False, True):
            inst = _instrument(tmp_path, {**MIXED, "INT": (0, 10, None)} if mixed else None,
                               name=f"z{seed}{mixed}.yaml")
            codes = _codes(_latent(600, seed), inst)
            for t, c in enumerate(list(inst.item_codes)[-12:]):
                sc = inst.scale_of(c)
                codes.loc[:14, c] = min(max(zigzag[t % 8], sc.min), sc.max)
                codes.loc[15:29, c] = min(max(zigzag[(t + 4) % 8], sc.min), sc.max)    # from 5 down
            frame = read_export(_export(tmp_path, codes, inst, name=f"z{seed}{mixed}.csv"), inst).frame
            tail = rules.invariant_tail(frame, inst)
            hit = tail.notna().to_numpy()
            seen[mixed] += int(hit[:30].sum())
            honest[mixed] += int(hit[30:].sum())
            if mixed:
                assert tail[:30].dropna().str.contains("zig-zag tail").all()
    assert seen[True] >= 50 and seen[True] >= 0.85 * seen[False], seen
    assert honest[True] <= max(1.5 * honest[False], honest[False] + 0.004 * 1140), honest


def test_walk_readings_only_with_scales_of_their_own():
    assert rules._walk_offsets(list(STUDY.item_codes), STUDY) == []
    inst = parse_instrument(_doc({**MIXED, "INT": (0, 10, None)}))
    offsets = rules._walk_offsets(list(inst.item_codes), inst)
    # the number as written (0-10 from 0), the top on the top, the middle on the middle (1-4: lower, upper central)
    assert [(o[0], o[16], o[20], o[24]) for o in offsets] == [(1, 1, 1, 0), (6, 7, 4, 0), (3, 4, 2, 0), (3, 3, 2, 0)]


def test_a_seesaw_tail_of_each_scales_ends_is_seen_with_motifs_on(tmp_path):
    # a careful start, then each item's lowest and highest answer in turn over the last 12 items (1-5-1-5 | 4-1-4-1
    # | 1-7-1-7 | 10-0-10-0), with invariant_tail's motifs on (max_period 8, an option): before, no reading made a
    # 1-4 item's ends equal to a 0-10 item's (0 of 30 on these seeds, against 30 of 30 on all-1-5); each answer's
    # place on the widest scale does
    seen, honest = {False: 0, True: 0}, {False: 0, True: 0}
    for seed in (5, 6):
        for mixed in (False, True):
            inst = _instrument(tmp_path, {**MIXED, "INT": (0, 10, None)} if mixed else None,
                               name=f"s{seed}{mixed}.yaml")
            codes = _codes(_latent(600, seed), inst)
            for t, c in enumerate(list(inst.item_codes)[-12:]):
                sc = inst.scale_of(c)
                codes.loc[:14, c] = sc.max if t % 2 else sc.min
            frame = read_export(_export(tmp_path, codes, inst, name=f"s{seed}{mixed}.csv"), inst).frame
            hit = rules.invariant_tail(frame, inst, max_period=8).notna().to_numpy()
            seen[mixed] += int(hit[:15].sum())
            honest[mixed] += int(hit[15:].sum())
    assert seen[True] >= 25 and seen[True] >= 0.85 * seen[False], seen
    assert honest[True] <= max(1.5 * honest[False], honest[False] + 0.004 * 1170), honest
    # the place reading only with motifs: a straight tail gains nothing from it
    inst = parse_instrument(_doc({**MIXED, "INT": (0, 10, None)}))
    cols = list(inst.item_codes)
    assert len(rules._tail_readings(cols, inst, places=True)) == len(rules._tail_readings(cols, inst)) + 1
    ends = np.array([[0, 4, 0, 3, 0, 6, 0, 10]])
    place = rules._tail_readings(["VAL1", "VAL2", "TAL1", "TAL2", "COL1", "COL2", "INT1", "INT2"], inst, True)[-1]
    assert place(ends).tolist() == [[0, 10, 0, 10, 0, 10, 0, 10]]
