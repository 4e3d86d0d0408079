"""Graded speed: a moderately fast duration (the slower half of speeder's flag band) is no piece of evidence by
itself; the answers must carry the exclusion (iur_survey.clean.rules.speeder, iur_survey.clean.decision)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from iur_survey.clean import clean, rules
from iur_survey.clean.config import CleanConfig
from iur_survey.clean.decision import decide, evidence
from iur_survey.errors import IURSurveyError
from iur_survey.read.base import RawResponses

from .conftest import ITEMS, build_frame


def test_speeder_marks_the_slower_half_of_its_flag_band(inst):
    # median 1000 s; flag below 300 s, far below 150 s; the band's geometric middle sqrt(.15 x .3) = 21.2 %
    dur = [1000.0] * 7 + [299.0, 213.0, 211.0, 151.0, 149.0, np.nan]
    df = pd.DataFrame({c: [3.0] * len(dur) for c in ITEMS} | {"ATT1": [4.0] * len(dur), "_duration": dur})
    out = speeder(df, inst)
    assert out.notna().tolist()[7:] == [True, True, True, True, True, False]
    moderate = out.fillna("").str.contains(rules.MODERATE, regex=False).tolist()[7:]
    far = out.fillna("").str.contains(rules.FAR, regex=False).tolist()[7:]
    assert moderate == [True, True, False, False, False, False]
    assert far == [False, False, False, False, True, False]
    assert out[7] == "duration 299 s < 30% of median 1000 s [moderately fast]"
    # the previous rule: no flag is moderate
    assert not speeder(df, inst, strong_fraction=0.3).fillna("").str.contains(rules.MODERATE).any()
    # a set split point: 25 % of the median
    assert speeder(df, inst, strong_fraction=0.25).fillna("").str.contains(rules.MODERATE).tolist()[7:9] == [True, False]


def speeder(df, inst, **kw):
    return rules.speeder(df, inst, **kw)


def test_moderately_fast_needs_two_answer_groups_and_strong_speed_one():
    moderate = "duration 250 s < 30% of median 1000 s [moderately fast]"
    strong = "duration 180 s < 30% of median 1000 s"
    flags = {"speeder": pd.Series([moderate, moderate, strong, moderate, pd.NA], dtype="string"),
             "mahalanobis_quotient": pd.Series(["structure Q 2"] * 5, dtype="string"),
             "psychsyn": pd.Series([pd.NA, "r -0.2", pd.NA, pd.NA, "r -0.2"], dtype="string"),
             "psychant": pd.Series([pd.NA, "r 0.3", pd.NA, pd.NA, "r 0.3"], dtype="string"),
             "even_odd": pd.Series([pd.NA, "r -0.4", pd.NA, pd.NA, "r -0.4"], dtype="string"),
             "tool_speed": pd.Series([pd.NA, pd.NA, pd.NA, "TIME_RSI 6 > 2", pd.NA], dtype="string")}
    ex, basis = decide(flags)
    # 0: moderately fast + structure alone: kept (an honest fast reader's structure flag is its .975 quantile)
    # 1: moderately fast + structure + inconsistency: the answers carry it (both count beside speed)
    # 2: strongly fast + structure: as before
    # 3: the survey tool's own speed index says fast too: not moderate
    # 4: no speed: structure and inconsistency count beside speed only
    assert ex.tolist() == [False, True, True, True, False]
    assert basis[1] == "convergent evidence: speed + structure + inconsistency"
    assert basis[2] == "convergent evidence: speed + structure"
    groups = evidence(flags)
    assert groups["speed"].tolist() == [False, True, True, True, False]
    assert groups["structure"].tolist() == [True, True, True, True, False]
    # with three pieces asked for, a moderately fast response needs three answer-based groups
    assert decide(flags, min_evidence=3)[0].tolist() == [False, False, False, False, False]
    # a far flag still excludes alone
    flags["speeder"] = pd.Series([f"duration 90 s [{rules.FAR}]"] + [pd.NA] * 4, dtype="string")
    assert decide(flags)[1][0] == "far beyond the cut-off: speeder"


def test_strong_fraction_is_checked_and_restores_the_previous_rule():
    assert CleanConfig().speeder_strong_fraction is None
    assert CleanConfig.from_dict({"speeder": {"strong_fraction": 0.3}}).params("speeder")["strong_fraction"] == 0.3
    for bad, msg in ((0.1, "must lie from speeder_far_fraction"), (0.35, "must lie from speeder_far_fraction"),
                     (1.5, "between 0 and 1")):
        with pytest.raises(IURSurveyError, match=msg):
            CleanConfig.from_dict({"speeder": {"strong_fraction": bad}})
    with pytest.raises(IURSurveyError, match=r"speeder_strong_fraction \(0.28\) must lie from .* to speeder_fraction "
                                             r"\(0.25\)"):
        CleanConfig.from_dict({"speeder": {"fraction": 0.25, "strong_fraction": 0.28}})


def test_the_tools_speed_index_is_graded_as_speeder_is(inst):
    """SoSci Survey's TIME_RSI (times faster than the typical respondent) at or below 1 / 0.212 = 4.71 is moderate
    unless DEG_TIME says too fast: otherwise a fast careful reader in a SoSci export, whom speeder grades moderate,
    would count as fast beside any one group again."""
    checks = {"TIME_RSI": np.array([2.5, 4.5, 4.8, 2.5, np.nan]), "DEG_TIME": np.array([0, 0, 0, 150, 150.0])}
    df = pd.DataFrame({"GOV1": [3.0] * 5})
    out = rules.tool_speed(df, inst, checks=checks)
    assert out.fillna("").str.contains(rules.MODERATE, regex=False).tolist() == [True, True, False, False, False]
    assert out.notna().all()
    assert not rules.tool_speed(df, inst, checks=checks, rsi_strong=2.0).fillna("").str.contains(rules.MODERATE).any()
    moderate = "duration 250 s < 30% of median 1000 s [moderately fast]"
    q = pd.Series(["structure Q 2"] * 3, dtype="string")
    flags = {"speeder": pd.Series([moderate, moderate, pd.NA], dtype="string"),
             "tool_speed": pd.Series([out[0], out[2], out[1]], dtype="string"), "mahalanobis_quotient": q}
    # both moderate: kept; the tool's index strong: speed + structure; the tool's index alone, moderate: kept
    assert decide(flags)[0].tolist() == [False, True, False]
    assert CleanConfig.from_dict({"tool_speed": {"rsi_strong": 3}}).params("tool_speed")["rsi_strong"] == 3
    with pytest.raises(IURSurveyError, match=r"tool_speed_rsi_strong \(1.5\) must not be below tool_speed_rsi_above"):
        CleanConfig.from_dict({"tool_speed": {"rsi_strong": 1.5}})


def _fast_careful_frame(seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """1,200 honest respondents (conftest's factor model); 400 of them fast careful readers at 21.5-29 % of the
    median time (their answers as honest as anyone's)."""
    df, _ = build_frame(1200, seed=seed)
    rng = np.random.default_rng(100 + seed)
    fast = np.zeros(len(df), dtype=bool)
    fast[:400] = True
    med = float(np.median(df["_duration"]))
    df.loc[fast, "_duration"] = med * rng.uniform(0.215, 0.29, size=400)
    return df, fast


def test_fast_careful_readers_are_no_longer_excluded_on_speed_and_one_group(inst):
    """Honest fast careful readers in the slower half of the flag band: with speed beside any one group
    (``speeder: {strong_fraction: 0.3}``, the previous rule) their exclusions are the sum of the answer groups'
    honest flag rates; graded, only where two answer-based groups agree."""
    count = {"graded": 0, "previous": 0}
    for seed in (1, 2):
        df, fast = _fast_careful_frame(seed)
        raw = RawResponses(frame=df, source="export.csv", format="csv", sha256="ab" * 32)
        rows = {}
        for name, cfg in (("graded", CleanConfig()),
                          ("previous", CleanConfig.from_dict({"speeder": {"strong_fraction": 0.3}}))):
            ex = clean(raw, inst, cfg).exclusions
            rows[name] = np.isin(df["_row"].to_numpy(), ex.loc[ex["action"] == "excluded", "row"].to_numpy())
            count[name] += int(rows[name][fast].sum())
        # the other honest respondents are decided as before
        assert (rows["graded"][~fast] == rows["previous"][~fast]).all()
    # measured, of 800 fast readers: previous 6 + 4, graded 0 + 0 (seeds 3 and 4: previous 9 + 2, graded 3 + 0)
    assert count["graded"] <= 4 and count["previous"] >= count["graded"] + 5, count
