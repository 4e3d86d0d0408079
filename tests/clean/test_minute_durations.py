"""Durations from start and end times that carry whole minutes only (a SurveyMonkey export re-saved by a
spreadsheet, ``7/10/14 18:37``): a respondent who started and ended in one clock minute reads 0 s, which means
"0 to 59 s", not "no time at all"; the speeder rule judges the longest duration the times allow."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from iur_survey.clean import clean
from iur_survey.instrument import parse_instrument
from iur_survey.read import read_export

ITEMS = ("A1", "A2", "A3")
INST = parse_instrument({"scale": {"min": 1, "max": 5, "labels": {1: ["Disagree"], 5: ["Agree"]}},
                         "id_column": "Respondent ID", "constructs": {"A": {"items": list(ITEMS)}},
                         "items": {c: {"en": f"I like {c}"} for c in ITEMS}}, "sm.yaml")
WORDS = {1: "Disagree", 2: "2", 3: "3", 4: "4", 5: "Agree"}


def _export(path, minutes, *, seconds: bool = False, seed: int = 1):
    """A SurveyMonkey CSV whose row ``i`` took ``minutes[i]`` clock minutes (start at second 10 when ``seconds``:
    the same durations written with seconds)."""
    rng = np.random.default_rng(seed)
    head = ("Respondent ID,Collector ID,Start Date,End Date,IP Address,How much do you agree?,,\n"
            ",,,," + "," + ",".join(f"I like {c}" for c in ITEMS) + "\n")
    body = []
    for i, m in enumerate(minutes):
        h, mm = divmod(i, 50)
        s = ":10" if seconds else ""
        start = f"3/{1 + h}/2023 9:{mm:02d}{s}"
        e_h, e_m = divmod(mm + m, 60)
        end = f"3/{1 + h}/2023 {9 + e_h}:{e_m:02d}{s}"
        answers = ",".join(WORDS[int(v)] for v in rng.integers(1, 6, len(ITEMS)))
        body.append(f"{1000 + i},C1,{start},{end},,{answers}\n")
    path.write_text(head + "".join(body), encoding="utf-8")
    return path


def _clean(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw = read_export(path, INST)
        return raw, clean(raw, INST)


def test_the_reader_records_that_times_carry_whole_minutes(tmp_path):
    raw, _ = _clean(_export(tmp_path / "m.csv", [0, 1, 2, 2, 3, 2, 2]))
    assert raw.duration_resolution == 60 and raw.frame["_duration"].tolist()[:2] == [0, 60]
    raw, _ = _clean(_export(tmp_path / "s.csv", [0, 1, 2, 2, 3, 2, 2], seconds=True))
    assert raw.duration_resolution is None


def test_one_clock_minute_is_not_excluded_as_a_zero_second_response(tmp_path):
    # median 2 minutes: the cut-offs (30 % of 120 s = 36 s; 1 s x 3 questions) are under the 59 s a 0 can mean
    minutes = [0] * 12 + [2] * 60 + [3] * 28
    _, res = _clean(_export(tmp_path / "m.csv", minutes))
    speeder = res.exclusions[res.exclusions["rule"] == "speeder"]
    assert speeder.empty and res.report["n_excluded"] == 0
    why = res.report["rules_not_evaluated"]["speeder"]
    assert why.startswith("start and end times in whole minutes") and "median 120 s" in why
    assert not any("duration of 0 s" in w for w in res.report["warnings"])
    assert any("no seconds" in w and "longest" in w for w in res.report["warnings"])


def test_the_same_durations_with_seconds_are_judged_as_before(tmp_path):
    minutes = [0] * 12 + [2] * 60 + [3] * 28
    _, res = _clean(_export(tmp_path / "s.csv", minutes, seconds=True))
    speeder = res.exclusions[res.exclusions["rule"] == "speeder"]
    assert len(speeder) == 12 and (speeder["action"] == "excluded").all()
    assert speeder["detail"].str.startswith("duration 0 s <").all()
    assert "speeder" not in res.report["rules_not_evaluated"]


@pytest.mark.parametrize("seed", [1, 2])
def test_whole_minutes_judge_the_longest_duration_where_the_cut_off_allows(tmp_path, seed):
    # median 10 minutes: a 0 (at most 59 s) is under 15 % of 600 s = 90 s, far beyond; a 2 (at most 179 s) is
    # under 30 % (180 s) only, a flag; a 3 (at most 239 s) is not judged fast
    minutes = [0] * 3 + [2] * 3 + [3] * 3 + [10] * 60 + [12] * 31
    _, res = _clean(_export(tmp_path / "m.csv", minutes, seed=seed))
    speeder = res.exclusions[res.exclusions["rule"] == "speeder"]
    ids = speeder["response_id"].astype(str)
    assert set(ids) == {str(1000 + i) for i in range(6)}
    far = speeder[ids.isin({str(1000 + i) for i in range(3)})]
    assert len(far) == 3
    assert far["detail"].str.startswith("duration at most 59 s (0 s in whole minutes)").all()
    assert (far["action"] == "excluded").all()
    assert "speeder" not in res.report["rules_not_evaluated"]
