"""SurveyMonkey exports published by FiveThirtyEight (tests/fixtures/real, see SOURCES.md), each read with an
instrument written for it as a new user would, and checked cell by cell against an independent reading with
pandas: the characters and cuisines by their wording (never by position), the "unfamiliar" answers never read
as answers, reverse keying applied once, and a scale whose wordings the instrument only half lists refused.

The Star Wars file keeps SurveyMonkey's two header rows (the characters are named in the second) but only
``RespondentID`` of its metadata columns: it was read as a plain CSV, and refused for the matrix columns'
blank first-row headings.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.clean import CleanConfig, clean
from iur_survey.errors import ReadError, UnknownLabelError
from iur_survey.instrument import load_instrument, parse_instrument
from iur_survey.read import detect_format, read_export

REAL = Path(__file__).resolve().parent.parent / "fixtures" / "real"
STAR_WARS = REAL / "surveymonkey_538_star_wars.csv"
FOOD = REAL / "surveymonkey_538_food_world_cup.csv"
FLYING = REAL / "surveymonkey_538_flying_etiquette.csv"
SCREEN = CleanConfig.from_dict({"rules": ["status", "unfinished", "duplicate_id", "out_of_range"]})
FAVOUR = {"Very unfavorably": 1, "Somewhat unfavorably": 2, "Neither favorably nor unfavorably (neutral)": 3,
          "Somewhat favorably": 4, "Very favorably": 5, "Unfamiliar (N/A)": np.nan, "": np.nan}


def inst_of(name: str, **changes):
    inst = load_instrument(REAL / "instruments" / f"{name}.yaml")
    return parse_instrument({**inst.raw, **changes}, inst.path) if changes else inst


def _read(path, inst, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_export(path, inst, **kw)


def _star_wars_by_pandas(inst) -> pd.DataFrame:
    """The items and gender as pandas reads them, each character's column found by its name in row 2."""
    raw = pd.read_csv(STAR_WARS, encoding="latin-1", header=None, dtype=str, keep_default_na=False)
    top, sub, data = raw.iloc[0].tolist(), raw.iloc[1].tolist(), raw.iloc[2:].reset_index(drop=True)
    out = pd.DataFrame({"response_id": data[0]})
    for code, item in inst.raw["items"].items():
        (j,) = [i for i, s in enumerate(sub) if s.strip() == item["en"]]
        out[code] = data[j].map(lambda s: FAVOUR[s.strip()])
    out["gender"] = data[top.index("Gender")].map({"Male": "male", "Female": "female"})
    return out


def test_star_wars_two_header_rows_are_surveymonkey_without_its_metadata_columns():
    """RespondentID and a second row of 'Response' cells and statements: SurveyMonkey, not a plain CSV
    (on main: 'csv', then 'the export lacks 9 column(s)... an empty header')."""
    inst = inst_of("surveymonkey_538_star_wars")
    assert detect_format(STAR_WARS, inst) == "surveymonkey"


def test_star_wars_read_cell_by_cell():
    inst = inst_of("surveymonkey_538_star_wars")
    raw = _read(STAR_WARS, inst, encoding="mac_roman")
    theirs = _star_wars_by_pandas(inst)
    assert raw.format == "surveymonkey" and len(raw.frame) == len(theirs) == 1186
    assert raw.frame["response_id"].tolist() == theirs["response_id"].tolist()
    codes = list(inst.raw["items"])
    np.testing.assert_array_equal(raw.frame[codes].to_numpy(dtype=float), theirs[codes].to_numpy(dtype=float))
    assert raw.frame["gender"].astype(object).fillna("-").tolist() == theirs["gender"].fillna("-").tolist()
    # "Unfamiliar (N/A)" is no answer: 109 respondents did not know Boba Fett and none of them got a code
    boba = theirs["VILL3"].isna() & (raw.frame["VILL3"].isna())
    assert boba.sum() == theirs["VILL3"].isna().sum() and theirs["VILL3"].isna().sum() > 400


def test_star_wars_clean_reverses_jar_jar_once():
    inst = inst_of("surveymonkey_538_star_wars")
    res = clean(_read(STAR_WARS, inst, encoding="mac_roman"), inst, SCREEN)
    theirs = _star_wars_by_pandas(inst).set_index("response_id")
    kept = res.clean.set_index("response_id")
    assert len(kept) > 700
    np.testing.assert_array_equal(kept["HERO6"].to_numpy(dtype=float),
                                  6 - theirs.loc[kept.index, "HERO6"].to_numpy(dtype=float))
    np.testing.assert_array_equal(kept["HERO1"].to_numpy(dtype=float),
                                  theirs.loc[kept.index, "HERO1"].to_numpy(dtype=float))


def test_star_wars_unfamiliar_not_declared_is_refused():
    inst = inst_of("surveymonkey_538_star_wars", missing_codes=[])
    with pytest.raises(UnknownLabelError, match=r"Unfamiliar \(N/A\)"):
        _read(STAR_WARS, inst, encoding="mac_roman")


def test_food_world_cup_question_text_per_country():
    inst = inst_of("surveymonkey_538_food_world_cup")
    raw = _read(FOOD, inst, encoding="mac_roman")
    theirs = pd.read_csv(FOOD, encoding="mac_roman", dtype=str, keep_default_na=False)
    assert raw.format == "csv" and len(raw.frame) == len(theirs) == 1373
    stem = "Please rate how much you like the traditional cuisine of"
    for code, country in {"EUR1": " Italy.", "EUR3": " Spain.", "EUR4": "\xa0Australia.", "EUR5": " the Netherlands.",
                          "ASIA4": " India."}.items():
        want = pd.to_numeric(theirs[stem + country].replace({"N/A": "", "": np.nan}))
        np.testing.assert_array_equal(raw.frame[code].to_numpy(dtype=float), want.to_numpy(dtype=float))
    assert raw.frame["EUR4"].notna().sum() == (theirs[stem + "\xa0Australia."].isin(list("12345"))).sum()


def test_food_world_cup_a_country_not_asked_is_not_matched_to_a_neighbour():
    """Austria is no question of the survey: never read from the Australia column one letter away."""
    inst = inst_of("surveymonkey_538_food_world_cup")
    items = {**inst.raw["items"], "EUR4": {"en": "Please rate how much you like the traditional cuisine of Austria."}}
    with pytest.raises(ReadError, match="EUR4"):
        _read(FOOD, inst_of("surveymonkey_538_food_world_cup", items=items), encoding="mac_roman")


def test_flying_etiquette_two_wordings_of_one_code():
    inst = inst_of("surveymonkey_538_flying_etiquette")
    raw = _read(FLYING, inst, encoding="mac_roman")
    theirs = pd.read_csv(FLYING, encoding="mac_roman", dtype=str, keep_default_na=False)
    words = {w: k for k, ws in inst.raw["scale"]["labels"].items() for w in ws}
    words[""] = np.nan
    for code, item in inst.raw["items"].items():
        want = theirs[item["en"]].map(lambda s: words[s]).to_numpy(dtype=float)
        np.testing.assert_array_equal(raw.frame[code].to_numpy(dtype=float), want)


def test_flying_etiquette_half_listed_wordings_are_refused():
    """Only one of the two 'not rude' wordings listed: the other is refused, never a missing answer."""
    inst = inst_of("surveymonkey_538_flying_etiquette")
    labels = {**inst.raw["scale"]["labels"], 1: ["No, not at all rude"]}
    half = inst_of("surveymonkey_538_flying_etiquette", scale={**inst.raw["scale"], "labels": labels})
    with pytest.raises(UnknownLabelError, match="'No, not rude at all'"):
        _read(FLYING, half, encoding="mac_roman")


def test_star_wars_respondent_id_without_id_column():
    """``RespondentID`` (SurveyMonkey's older heading) is the response id with no ``id_column`` given."""
    doc = dict(inst_of("surveymonkey_538_star_wars").raw)
    doc.pop("id_column")
    raw = _read(STAR_WARS, parse_instrument(doc, "i.yaml"), encoding="mac_roman")
    assert raw.frame["response_id"].iloc[:2].tolist() == ["3292879998", "3292879538"]


def test_older_surveymonkey_headings_are_known(tmp_path):
    """RespondentID, CollectorID, StartDate, EndDate (exports before 2016): SurveyMonkey, the second header row
    is no respondent and the duration is End - Start."""
    inst = inst_of("surveymonkey_538_star_wars")
    q = "Please state whether you view the following characters favorably, unfavorably, or are unfamiliar with him/her."
    names = [it["en"] for it in inst.raw["items"].values()]
    top = ["RespondentID", "CollectorID", "StartDate", "EndDate", "Gender", q] + [""] * (len(names) - 1)
    sub = ["", "", "", "", "Response"] + names
    rows = [["11", "7", "06/03/2014 10:00:00", "06/03/2014 10:05:00", "Male"] + ["Very favorably"] * len(names),
            ["12", "7", "06/03/2014 11:00:00", "06/03/2014 11:02:30", "Female"] + ["Unfamiliar (N/A)"] * len(names)]
    p = tmp_path / "old.csv"
    p.write_text("\n".join(",".join(f'"{c}"' for c in r) for r in [top, sub, *rows]) + "\n", encoding="utf-8")
    raw = _read(p, inst)
    assert raw.format == "surveymonkey" and raw.frame["response_id"].tolist() == ["11", "12"]
    assert raw.frame["_duration"].tolist() == [300.0, 150.0]
    assert raw.frame["HERO1"].iloc[0] == 5 and np.isnan(raw.frame["HERO1"].iloc[1])
    assert raw.frame["gender"].tolist() == ["male", "female"]


def test_one_response_word_in_a_data_row_is_no_surveymonkey_header(tmp_path):
    inst = inst_of("surveymonkey_538_food_world_cup")
    assert detect_format(FOOD, inst, encoding="mac_roman") == "csv"


def test_sosci_debug_interviews_are_previews_the_status_rule_excludes(tmp_path):
    """SoSci Survey writes MODE 'debug' for a questionnaire run from the administration area with debug output
    (40 of 143 rows of a real SoSci export, chrisharrisUU/when_biases_beget_biases, Data/Exp3_data.csv: not
    redistributable, so its layout is written here): refused on main ("MODE 'debug' is none of SoSci Survey's
    interview modes"), now read as a preview that the status rule excludes, naming the mode."""
    inst = parse_instrument({"scale": {"min": 1, "max": 5}, "group_column": "gender",
                             "groups": {"male": ["1"], "female": ["2"]}, "columns": {"DM02": "group"},
                             "constructs": {"A": {"items": ["A1", "A2", "A3"]}}}, "i.yaml")
    head = ["CASE", "SERIAL", "REF", "QUESTNNR", "MODE", "STARTED", "A1", "A2", "A3", "DM02", "TIME_SUM",
            "FINISHED"]
    rows = [["4", "", "", "base", "debug", "2017-07-31 15:18:49", "3", "4", "2", "1", "120", "T"],
            ["5", "", "", "base", "interview", "2017-07-31 15:25:27", "2", "-9", "5", "-9", "310", "T"],
            ["9", "", "", "base", "interview", "2017-08-15 11:49:50", "4", "4", "1", "2", "280", "T"]]
    p = tmp_path / "data_base.csv"
    p.write_text("\n".join("\t".join(f'"{c}"' for c in r) for r in [head, *rows]) + "\n", encoding="utf-8")
    raw = _read(p, inst)
    assert raw.format == "sosci" and raw.frame["_status"].tolist() == ["debug (preview)", "interview", "interview"]
    assert np.isnan(raw.frame["A2"].iloc[1]) and raw.frame["gender"].astype(object).fillna("-").tolist() == [
        "male", "-", "female"]
    res = clean(raw, inst, SCREEN)
    assert res.clean["response_id"].tolist() == ["5", "9"]
    assert res.exclusions.loc[res.exclusions["response_id"] == "4", "rule"].tolist() == ["status"]


def test_unknown_label_hint_with_two_wordings_names_each_once():
    """The hint once read "e.g. 'Yes, somewhat rude', 'Yes, very rude', ..., 'Yes, very rude'"."""
    inst = inst_of("surveymonkey_538_flying_etiquette")
    labels = {2: ["Yes, somewhat rude"], 3: ["Yes, very rude"]}
    two = inst_of("surveymonkey_538_flying_etiquette", scale={**inst.raw["scale"], "labels": labels})
    with pytest.raises(UnknownLabelError, match=r"are 'Yes, somewhat rude', 'Yes, very rude' only\)"):
        _read(FLYING, two, encoding="mac_roman")


# -- two-digit years (FiveThirtyEight's sleeping-alone poll writes StartDate '7/10/14 18:37') ----------------------
def _dates(texts):
    from iur_survey.read.recode import recode_submitted
    return [str(pd.Timestamp(x)) for x in recode_submitted(pd.Series(texts), np.arange(2, 2 + len(texts)),
                                                            "StartDate", "s.csv")]


def test_two_digit_year_dates_in_mixed_orders_are_refused():
    """'12/07/14 23:50' then '13/07/14 00:10': on main the first was read month-first (7 December) and the
    second day-first (13 July), a duration of minus five months, without a word."""
    from iur_survey.errors import ReadError
    with pytest.raises(ReadError, match="mix day-first"):
        _dates(["13/07/14 10:00", "07/15/14 11:00"])


def test_two_digit_year_dates_follow_the_day_first_evidence():
    assert _dates(["12/07/14 23:50", "13/07/14 00:10"]) == ["2014-07-12 23:50:00", "2014-07-13 00:10:00"]


def test_two_digit_year_dates_without_evidence_are_read_month_first_with_a_warning():
    from iur_survey.read.recode import AmbiguousDateWarning
    with pytest.warns(AmbiguousDateWarning, match="7/10/14 18:37"):
        assert _dates(["7/10/14 18:37", "7/9/14 20:01"]) == ["2014-07-10 18:37:00", "2014-07-09 20:01:00"]


def test_twelve_hour_times_without_am_pm_are_named(tmp_path):
    """FiveThirtyEight's masculinity poll (raw-responses.csv, 2.2 MB, not copied here) writes StartDate
    '5/13/18 12:58' and EndDate '5/13/18 1:05': a 12-hour clock without AM/PM.  The refusal ("submitted before
    it was started: the times are not in one order or zone") now names the likely cause and the way out."""
    from iur_survey.errors import ReadError
    inst = inst_of("surveymonkey_538_flying_etiquette")
    qs = [it["en"] for it in inst.raw["items"].values()]
    head = ["", "StartDate", "EndDate", "Gender", *qs]
    rows = [["1", "5/10/18 4:01", "5/10/18 4:09", "Male", *["Yes, somewhat rude"] * len(qs)],
            ["2", "5/13/18 12:58", "5/13/18 1:05", "Female", *["Yes, very rude"] * len(qs)],
            ["3", "5/22/18 11:02", "5/22/18 11:12", "Male", *["No, not rude at all"] * len(qs)]]
    p = tmp_path / "raw-responses.csv"
    p.write_text("\n".join(",".join(f'"{c}"' for c in r) for r in [head, *rows]) + "\n", encoding="utf-8")
    with pytest.raises(ReadError, match=r"raw-responses.csv:3:EndDate: .*no hour above 12 and no AM/PM.*ignore"):
        _read(p, inst)
