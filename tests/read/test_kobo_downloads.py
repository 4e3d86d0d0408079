"""KoBoToolbox downloads (real30): ``_uuid`` as the response id, and every row a finalised submission.

A KoBoToolbox export (REACH's water-services survey, impact-initiatives/cleaningtools ``data-raw/data.xlsx``, 632
submissions) identifies each submission by a random UUID (``_uuid``; ODK writes ``uuid:`` before it).  About 1
UUID in 120 has digit-only groups that a phone pattern reads as a number written with dashes
(``b2e8f69f-9814-4328-9622-...``, ``04301938-0851-...``): on 24ab5ff the reader refused the whole file, "the
response id holds a phone number" (4 of the 632 ids; a file of 600 random UUIDs is refused 99 times in 100).

The same file has no Finished or Progress: on 24ab5ff the rows whose items the form's relevance logic hid (the
households without piped water) had their break-off inferred from blank last items, and 38 of the 632 (6.0 %) were
excluded as ``unfinished``, although they answered the 53 later questions every household answered (a column every
row fills is read as saying nothing).  Kobo's server holds finalised submissions only: a download read as a plain
CSV or workbook with Kobo's system columns (``_uuid``, ``_submission_time``, ``_index``, or ``X_uuid``... as R's
``read.csv`` renames them) has every row finished, as a Google Forms sheet does.
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


def _inst(id_column="_uuid", status="_status"):
    return parse_instrument({"scale": {"min": 1, "max": 5, "labels": {k + 1: [w] for k, w in enumerate(LEVELS)}},
                             "id_column": id_column,
                             "columns": {status: "ignore"},
                             "constructs": {"SVC": {"items": ["SVC1", "SVC2", "SVC3"]}}}, "kobo.yaml")


def _export(tmp_path, ids, hidden=(), prefix="_", system=("_id", "_uuid", "_submission_time", "_status", "_index")):
    """A Kobo download: start, end, the three items (blank on the rows ``hidden``: the form did not ask them),
    a later question every household answered, and Kobo's system columns (named with ``prefix``)."""
    rng = np.random.default_rng(7)
    n = len(ids)
    items = {f"SVC{k}": [None if r in hidden else v for r, v in enumerate(rng.choice(LEVELS, n))] for k in (1, 2, 3)}
    cols = {"_id": [190999000 + k for k in range(n)], "_uuid": ids, "_submission_time": ["2021-07-05T08:40:12"] * n,
            "_status": ["submitted_via_web"] * n, "_index": range(1, n + 1)}
    df = pd.DataFrame({"start": ["2021-07-05T10:58:34.147+03:00"] * n, "end": ["2021-07-05T11:36:41.138+03:00"] * n,
                       **items, "trust_water_office": rng.choice(["yes", "no", "dont_know"], n),
                       **{prefix + k[1:]: cols[k] for k in system}})
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


@pytest.mark.parametrize("prefix", ["_", "X_"])
def test_every_row_of_a_kobo_download_is_a_submission(tmp_path, prefix):
    """Rows 2 and 4 were not asked the items (blank), then answered the question every household answered:
    finished, not break-offs; also under the names R's read.csv gives Kobo's columns."""
    raw = read_export(_export(tmp_path, UUIDS, hidden=(2, 4), prefix=prefix), _inst(prefix + "uuid", prefix + "status"))
    assert raw.frame["_finished"].tolist() == [True] * len(UUIDS)
    assert raw.frame["SVC1"].isna().tolist() == [False, False, True, False, True, False]


def test_without_kobo_marks_the_break_off_is_still_inferred(tmp_path):
    """A plain workbook with a _uuid column but not Kobo's other system columns is no Kobo download: no
    Finished is known, and the unfinished rule infers break-offs as before."""
    raw = read_export(_export(tmp_path, UUIDS, hidden=(2, 4), system=("_uuid",)), _inst())
    assert raw.frame["_finished"].isna().all()
