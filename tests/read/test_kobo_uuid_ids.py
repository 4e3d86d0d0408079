"""KoBoToolbox's ``_uuid`` as the response id (real30).

A KoBoToolbox export (REACH's water-services survey, impact-initiatives/cleaningtools ``data-raw/data.xlsx``, 632
submissions) identifies each submission by a random UUID (``_uuid``; ODK writes ``uuid:`` before it).  About 1
UUID in 120 has digit-only groups that a phone pattern reads as a number written with dashes
(``b2e8f69f-9814-4328-9622-...``, ``04301938-0851-...``): on 24ab5ff the reader refused the whole file, "the
response id holds a phone number" (4 of the 632 ids; a file of 600 random UUIDs is refused 99 times in 100).
The data here are written in the test, in the layout of a KoBoToolbox .xlsx download.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from iur_survey.errors import ReadError
from iur_survey.instrument import parse_instrument
from iur_survey.read import read_export

LEVELS = ["very_poor", "poor", "adequate", "good", "excellent"]
#: invented UUIDs of the shapes that looked like phone numbers, and ordinary ones
UUIDS = ["b1e7f59a-9813-4327-9621-9478697993fa", "04301937-0852-4ceb-a437-9176b16d61e0",
         "7d2c11e0-3f5e-4a8b-9c1d-2e3f4a5b6c7d", "c856748a-7957-4902-9635-1dd296cc3d9a",
         "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "5f6e7d8c-9b0a-4c1d-8e2f-3a4b5c6d7e8f"]


def _inst(id_column="_uuid"):
    return parse_instrument({"scale": {"min": 1, "max": 5, "labels": {k + 1: [w] for k, w in enumerate(LEVELS)}},
                             "id_column": id_column,
                             "columns": {"_status": "ignore"},
                             "constructs": {"SVC": {"items": ["SVC1", "SVC2", "SVC3"]}}}, "kobo.yaml")


def _export(tmp_path, ids):
    rng = np.random.default_rng(7)
    n = len(ids)
    df = pd.DataFrame({"start": ["2021-07-05T10:58:34.147+03:00"] * n, "end": ["2021-07-05T11:36:41.138+03:00"] * n,
                       **{f"SVC{k}": rng.choice(LEVELS, n) for k in (1, 2, 3)},
                       "_id": [190999000 + k for k in range(n)], "_uuid": ids,
                       "_submission_time": ["2021-07-05T08:40:12"] * n, "_status": ["submitted_via_web"] * n,
                       "_index": range(1, n + 1)})
    p = tmp_path / "kobo.xlsx"
    df.to_excel(p, index=False, sheet_name="water_survey")
    return p


@pytest.mark.parametrize("prefix", ["", "uuid:"])
def test_uuids_are_ids_not_phone_numbers(tmp_path, prefix):
    ids = [prefix + u for u in UUIDS]
    raw = read_export(_export(tmp_path, ids), _inst())
    assert raw.frame["response_id"].tolist() == ids


def test_a_phone_number_as_the_id_is_still_refused(tmp_path):
    ids = UUIDS[:3] + ["+964 770 123 4567"] + UUIDS[4:]
    with pytest.raises(ReadError, match="the response id holds a phone number") as ei:
        read_export(_export(tmp_path, ids), _inst())
    assert ei.value.row == 5 and "770" not in str(ei.value)


def test_a_uuid_with_a_phone_number_inside_is_no_uuid(tmp_path):
    """Only a whole UUID passes: a phone number written beside one is still refused."""
    ids = UUIDS[:2] + [UUIDS[2] + " 138-1003-5003"] + UUIDS[3:]
    with pytest.raises(ReadError, match="the response id holds a phone number"):
        read_export(_export(tmp_path, ids), _inst())
