"""Times that end with a time-zone abbreviation (real45).

The 2020 Dask user survey (Google Forms, dask/dask-examples ``surveys/data/2020-user-survey-results.csv.gz``)
writes its Timestamp as ``2020/06/05 11:34:01 AM EST``.  On e8a45db pandas read each such time with a warning a
row (239 lines on that file: "Dropping unrecognized timezones is deprecated; in a future version this will
raise"), dropping the zone; its later versions refuse the file.  The data here are written in the test.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from iur_survey.errors import ReadError
from iur_survey.instrument import parse_instrument
from iur_survey.read import read_export

LABELS = {1: ["Not relevant for me"], 2: ["Somewhat useful"], 3: ["Critical to me"]}
Q = "What common feature requests do you care about most?  "


def _inst():
    return parse_instrument({"scale": {"min": 1, "max": 3, "labels": LABELS},
                             "constructs": {"LIB": {"items": ["LIB1", "LIB2", "LIB3"]}},
                             "items": {"LIB1": {"en": "GPUs"}, "LIB2": {"en": "Improve Scaling"},
                                       "LIB3": {"en": "Cloud integration"}}}, "i.yaml")


def _export(tmp_path, stamps):
    rng = np.random.default_rng(3)
    words = [w[0] for w in LABELS.values()]
    df = pd.DataFrame({"Timestamp": stamps})
    for name in ("GPUs", "Improve Scaling", "Cloud integration"):
        df[f"{Q}[{name}]"] = rng.choice(words, len(stamps))
    p = tmp_path / "gf.csv"
    df.to_csv(p, index=False)
    return p


def test_google_forms_zone_abbreviation_reads_without_a_warning_a_row(tmp_path):
    stamps = [f"2020/06/{d:02d} 11:34:01 AM EST" for d in range(1, 21)] + ["2020/08/24 3:17:37 PM EDT"]
    p = _export(tmp_path, stamps)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        raw = read_export(p, _inst())
    assert not [w for w in caught if "timezone" in str(w.message)]
    got = raw.frame["_submitted"]
    assert str(got.iloc[0]) == "2020-06-01 16:34:01"          # EST is UTC-5: as GMT-5 is read
    assert str(got.iloc[-1]) == "2020-08-24 19:17:37"         # EDT is UTC-4
    assert raw.frame["LIB1"].notna().all()


def test_one_unknown_zone_for_the_whole_column_reads_the_clock_times(tmp_path):
    p = _export(tmp_path, [f"2024/01/{d:02d} 4:36:09 PM CST" for d in range(1, 11)])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        raw = read_export(p, _inst())
    assert not [w for w in caught if "timezone" in str(w.message)]
    assert str(raw.frame["_submitted"].iloc[0]) == "2024-01-01 16:36:09"


def test_unknown_zone_beside_other_zones_is_refused(tmp_path):
    stamps = [f"2024/01/{d:02d} 4:36:09 PM EST" for d in range(1, 11)] + ["2024/01/12 5:00:00 PM CST"]
    p = _export(tmp_path, stamps)
    with pytest.raises(ReadError, match=r"gf\.csv:12:Timestamp: the time zone 'CST' of '2024/01/12 5:00:00 PM CST' "
                                        r"names more than one zone"):
        read_export(p, _inst())


def test_zone_prefilter_misses_no_zone():
    """The one search over all the times (:func:`recode._zone_could_end`) says "no zone" only where the per-cell
    pattern finds none: random texts of digits, capitals, letters and white space (line ends too), seeds 0-3."""
    from iur_survey.read import recode

    alphabet = list("0123456789:/ APMESTDGUaz\t\n\u00a0\u3000") + ["EST", "AM", "PM", "CST", "UTC"]
    for seed in range(4):
        rng = np.random.default_rng(seed)
        for _ in range(400):
            texts = ["".join(rng.choice(alphabet, size=rng.integers(0, 12))) for _ in range(rng.integers(1, 4))]
            found = pd.Series(texts, dtype=object).str.extract(recode._ZONE)[1].notna().any()
            assert recode._zone_could_end(texts) or not found, texts
    assert not recode._zone_could_end(["2022-04-05 09:00:31"] * 3)
    assert recode._zone_could_end(["2022-04-05 09:00:31", "2020/06/05 11:34:01 AM EST \u3000"])
