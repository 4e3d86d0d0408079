"""Real Qualtrics exports new in session 14 (tests/fixtures/real, see SOURCES.md): one survey's 25 responses
as a choice-text CSV and as the .sav Qualtrics' own SPSS writer makes, and a numeric export with "no
opinion" answers recoded -1 and -2.  Each is checked against an independent reading (pandas, pyreadstat),
and the forms of damage met in the wild are checked on copies written to tmp_path: string variables with
value labels, a .sav cut short, a column holding both wordings and numbers, times without seconds."""

from __future__ import annotations

import csv
import io
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from iur_survey.errors import OutOfRangeError, ReadError, UnknownLabelError
from iur_survey.instrument import load_instrument, parse_instrument
from iur_survey.read import read_export
from iur_survey.read.assemble import MixedAnswersWarning

REAL = Path(__file__).resolve().parent.parent / "fixtures" / "real"
CSV = REAL / "qualtrics_student_satisfaction_choice_text.csv"
SAV = REAL / "qualtrics_student_satisfaction.sav"
ITEMS = {"Q1": "HLP1", "Q4": "HLP2", "Q8": "SAT1", "Q13": "SAT2", "Q2": "EAS1", "Q10": "EAS2"}


def inst_of(name: str, **changes):
    inst = load_instrument(REAL / "instruments" / f"{name}.yaml")
    return parse_instrument({**inst.raw, **changes}, inst.path) if changes else inst


def expected_from_labels() -> pd.DataFrame:
    """The instrument's raw codes of the six items, from pyreadstat's value labels (not the package)."""
    inst = inst_of("qualtrics_student_satisfaction")
    df, meta = pyreadstat.read_sav(str(SAV), apply_value_formats=True)
    return pd.DataFrame({code: [float(inst.code_for_label(v)) for v in df[col]] for col, code in ITEMS.items()})


# -- the same responses as choice text and as Qualtrics' .sav ----------------------------------------------
def test_choice_text_and_qualtrics_sav_agree_with_the_labels():
    inst = inst_of("qualtrics_student_satisfaction")
    text, sav = read_export(CSV, inst), read_export(SAV, inst)
    assert (text.format, sav.format) == ("qualtrics", "spss")
    expect = expected_from_labels()
    for raw in (text, sav):
        np.testing.assert_array_equal(raw.frame[list(ITEMS.values())].to_numpy(dtype=float), expect.to_numpy())
        assert raw.frame["nps"].tolist()[:3] == ["passive", "promoter", "detractor"]
        assert (raw.frame["_status"] == "Survey Test").all() and len(raw.frame) == 25
    # by hand, first response: Q1 'Slightly unhelpful' = 3, Q10 'Neither easy nor difficult' = 4
    assert text.frame.loc[0, ["HLP1", "EAS2"]].tolist() == [3.0, 4.0]
    # Qualtrics codes 1 = Extremely helpful: the labels reverse the codes, and the report lists it
    rec = {r["column"]: r["codes"] for r in sav.recodes}
    assert rec["Q1"] == {str(k): float(8 - k) for k in range(1, 8)} and set(rec) == {"Q1", "Q2", "Q4", "Q10"}
    assert text.frame["_row"].tolist()[:2] == [5, 6] and sav.frame["_row"].tolist()[:2] == [2, 3]
    assert {"RecipientEmail", "LocationLatitude", "LocationLongitude"} <= set(text.dropped_columns)


def test_clean_of_both_forms_writes_the_same_clean_data(tmp_path):
    from iur_survey.clean.config import CleanConfig
    from iur_survey.clean.pipeline import clean
    inst = inst_of("qualtrics_student_satisfaction")
    cfg = CleanConfig.from_dict({"disable": ["status", "speeder"]})   # Qualtrics' test responses, 0 s each
    a, b = (clean(read_export(p, inst), inst, cfg) for p in (CSV, SAV))
    assert a.report["n_raw"] == b.report["n_raw"] == 25
    pd.testing.assert_frame_equal(a.clean.reset_index(drop=True), b.clean.reset_index(drop=True))
    assert (a.clean["EAS2"].to_numpy(dtype=float) == 8 - expected_from_labels()["EAS2"].to_numpy()).all()


# -- string variables with value labels ---------------------------------------------------------------------
def _as_strings(tmp_path, codes=lambda k: str(int(k)), group_codes=lambda k: str(int(k))):
    df, meta = pyreadstat.read_sav(str(SAV))
    labels = dict(meta.variable_value_labels)
    df["Q1"] = df["Q1"].map(codes)
    df["Q15_NPS_GROUP"] = df["Q15_NPS_GROUP"].map(group_codes)
    labels["Q1"] = {codes(k): v for k, v in labels["Q1"].items()}
    labels["Q15_NPS_GROUP"] = {group_codes(k): v for k, v in labels["Q15_NPS_GROUP"].items()}
    p = tmp_path / "strings.sav"
    pyreadstat.write_sav(df, str(p), variable_value_labels=labels)
    return p


@pytest.mark.parametrize("codes", [lambda k: str(int(k)), lambda k: f"A{int(k)}"], ids=["numbers", "letters"])
def test_string_codes_are_read_through_their_value_labels(tmp_path, codes):
    inst = inst_of("qualtrics_student_satisfaction")
    p = _as_strings(tmp_path, codes, group_codes=lambda k: f"G{int(k)}" if codes(1) == "A1" else str(int(k)))
    raw = read_export(p, inst)
    np.testing.assert_array_equal(raw.frame["HLP1"].to_numpy(dtype=float), expected_from_labels()["HLP1"])
    assert raw.frame["nps"].tolist()[:3] == ["passive", "promoter", "detractor"]


def test_string_group_code_listed_under_another_group_is_refused(tmp_path):
    inst = inst_of("qualtrics_student_satisfaction",
                   groups={"detractor": ["3"], "passive": ["2"], "promoter": ["1"]})   # the file: 1 = Detractor
    with pytest.raises(UnknownLabelError, match="group code 1 is labelled 'Detractor' .* lists 1 under promoter"):
        read_export(_as_strings(tmp_path), inst)


# -- a .sav cut short ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("cut", [448, 4448, 44448])
def test_qualtrics_sav_cut_short_is_refused(tmp_path, cut):
    p = tmp_path / "cut.sav"
    p.write_bytes(SAV.read_bytes()[:-cut])
    assert len(pyreadstat.read_sav(str(p))[0]) < 25          # what a reader sees: fewer cases, no error
    with pytest.raises(ReadError, match=r"cut.sav: the file ends inside case \d+ .*cut short") as ei:
        read_export(p, inst_of("qualtrics_student_satisfaction"))
    assert "\n" not in str(ei.value)


# -- wordings and numbers in one column ---------------------------------------------------------------------
def test_wordings_and_numbers_in_one_column_are_named(tmp_path):
    rows = list(csv.reader(io.StringIO(CSV.read_text(encoding="utf-8"))))
    df, _ = pyreadstat.read_sav(str(SAV))
    j = rows[0].index("Q1")
    for k in range(15, len(rows)):                            # the last 13 responses: Qualtrics' numeric values
        rows[k][j] = f"{df['Q1'].iloc[k - 3]:g}"
    p = tmp_path / "pasted.csv"
    with open(p, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    with pytest.warns(MixedAnswersWarning, match=r"item column Q1 \('Slightly unhelpful', row 5; '\d', row 17\) mixes"):
        raw = read_export(p, inst_of("qualtrics_student_satisfaction"))
    assert any("mixes scale wordings and bare numbers" in w for w in raw.warnings)
    with warnings.catch_warnings():
        warnings.simplefilter("error", MixedAnswersWarning)
        read_export(CSV, inst_of("qualtrics_student_satisfaction"))       # all wordings: no warning


# -- numeric values with "no opinion" codes (QualtricsTools sample) -----------------------------------------
@pytest.mark.parametrize("name", ["qualtrics_no_basis_insights.csv", "qualtrics_no_basis_legacy.csv"])
def test_no_opinion_codes_are_missing(name):
    inst = inst_of("qualtrics_no_basis")
    raw = read_export(REAL / name, inst)
    skip = 3 if "insights" in name else 2
    theirs = pd.read_csv(REAL / name, skiprows=range(1, skip), encoding="utf-8-sig")
    cols = [f"Q{q}_{i}" for q in (3, 4) for i in range(1, 5)]
    x = theirs[cols].to_numpy(dtype=float)
    x[x < 0] = np.nan                                         # -1 No Opinion, -2 Never tried it
    got = raw.frame[[c for c in inst.item_codes]].to_numpy(dtype=float)
    np.testing.assert_array_equal(got, x)                     # raw codes: VA4 is reversed later, by clean
    assert len(raw.frame) == 15 and np.isnan(got).sum() == (theirs[cols].to_numpy() < 0).sum()


def test_no_opinion_codes_not_declared_are_refused():
    inst = inst_of("qualtrics_no_basis", missing_codes=[])
    with pytest.raises(OutOfRangeError, match="code -1 is outside the scale 1-3 .*missing_codes"):
        read_export(REAL / "qualtrics_no_basis_insights.csv", inst)


# -- start and end times without seconds --------------------------------------------------------------------
def test_times_without_seconds_are_named(tmp_path):
    inst = parse_instrument({"scale": {"min": 1, "max": 5, "labels": {1: ["Disagree"], 5: ["Agree"]}},
                             "id_column": "Respondent ID", "constructs": {"A": {"items": ["A1", "A2"]}},
                             "items": {"A1": {"en": "I like A"}, "A2": {"en": "A is useful"}}}, "sm.yaml")
    head = ("Respondent ID,Collector ID,Start Date,End Date,IP Address,How much do you agree?,\n"
            ",,,,,I like A,A is useful\n")
    body = "".join(f"{i},C1,3/{i}/2023 9:{i:02d},3/{i}/2023 9:{i + 1:02d},,Agree,Disagree\n" for i in range(1, 8))
    p = tmp_path / "sm.csv"
    p.write_text(head + body, encoding="utf-8")
    with pytest.warns(UserWarning, match="Start Date and End Date have no seconds"):
        raw = read_export(p, inst)
    assert raw.format == "surveymonkey" and (raw.frame["_duration"] == 60).all()


def test_wrong_format_names_the_spss_file_with_its_article():
    with pytest.raises(ReadError, match="looks like an SPSS export, not Qualtrics"):
        read_export(SAV, inst_of("qualtrics_student_satisfaction"), format="qualtrics")
