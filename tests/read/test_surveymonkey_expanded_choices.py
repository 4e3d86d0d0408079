"""SurveyMonkey's expanded layout: a single-answer question written as one column per choice (real45).

FiveThirtyEight's region survey (fivethirtyeight/data ``region-survey/MIDWEST.csv``, SurveyMonkey Audience 2014)
writes "How much, if at all, do you personally identify as a Midwesterner?" as four columns, ``A lot``, ``Some``,
``Not much``, ``Not at all`` in row 2, each data row holding its choice in the column of that choice.  On e8a45db
an item worded as the question was refused ("two columns map to MW1 ... map the right one"), though no one
column is right.  The exports here are written in the test.
"""
from __future__ import annotations

import csv
import warnings

import numpy as np
import pytest

from iur_survey.errors import IURSurveyError
from iur_survey.instrument import parse_instrument
from iur_survey.read import read_export

CHOICES = ["A lot", "Some", "Not much", "Not at all"]
CODE = {"A lot": 4, "Some": 3, "Not much": 2, "Not at all": 1}
QS = ["How much do you identify as a Midwesterner?", "How much do you identify as a Southerner?"]


def _inst():
    return parse_instrument({"scale": {"min": 1, "max": 4, "labels": {v: [k] for k, v in CODE.items()}},
                             "id_column": "RespondentID", "group_column": "gender",
                             "groups": {"male": ["Male"], "female": ["Female"]},
                             "constructs": {"ID": {"items": ["ID1", "ID2"]}},
                             "items": {"ID1": {"en": QS[0]}, "ID2": {"en": QS[1]}}}, "i.yaml")


def _export(tmp_path, n=30, seed=4, extra=None):
    rng = np.random.default_rng(seed)
    top = ["RespondentID", QS[0], "", "", "", QS[1], "", "", "", "Which states are Midwestern?", "", "Gender", "",
           "Age", "Household Income"]
    sub = ["", *CHOICES, *CHOICES, "Ohio", "Iowa", "Male", "Female", "Response", "Response"]
    rows, want = [top, sub], []
    for i in range(n):
        picks = [CHOICES[rng.integers(4)], CHOICES[rng.integers(4)]]
        if i == 3:
            picks[1] = None                                   # ID2 left unanswered
        row = [str(5000 + i)]
        for p in picks:
            row += [c if c == p else "" for c in CHOICES]
        male = bool(i % 3)                                    # the group question in the same layout, as in the file
        row += ["Ohio", "Iowa" if i % 2 else "", "Male" if male else "", "" if male else "Female", "30-44",
                "$0 - $24,999"]
        rows.append(row)
        want.append([CODE.get(p, np.nan) if p else np.nan for p in picks])
    if extra:
        extra(rows)
    p = tmp_path / "sm.csv"
    with open(p, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return p, np.array(want, dtype=float)


def _read(p):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_export(p, _inst())


def test_single_answer_question_over_choice_columns_is_one_item(tmp_path):
    p, want = _export(tmp_path)
    raw = _read(p)
    got = raw.frame[["ID1", "ID2"]].to_numpy(float)
    assert np.array_equal(np.isnan(got), np.isnan(want)) and np.allclose(got[~np.isnan(got)], want[~np.isnan(want)])
    assert raw.frame["response_id"].tolist()[:2] == ["5000", "5001"]
    assert raw.frame["gender"].tolist()[:3] == ["female", "male", "male"]


def test_two_choices_in_one_row_is_not_merged(tmp_path):
    def twice(rows):
        rows[5][1] = "A lot"                   # this row also ticked 'A lot' for ID1: not a single answer
        rows[5][2] = "Some"
        rows[5][3] = rows[5][4] = ""
    p, _ = _export(tmp_path, extra=twice)
    with pytest.raises(IURSurveyError, match=r"two columns map to ID1"):
        _read(p)


def test_a_cell_that_is_not_its_columns_choice_is_not_merged(tmp_path):
    def other(rows):
        rows[7][1:5] = ["", "Not much", "", ""]       # 'Not much' under the 'Some' column
    p, _ = _export(tmp_path, extra=other)
    with pytest.raises(IURSurveyError, match=r"two columns map to ID1"):
        _read(p)
