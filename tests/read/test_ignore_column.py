"""``columns: {heading: ignore}`` reads a column as nothing: KoBoToolbox's CSV export (the layout of
kobotoolbox/kpi's export tests) has a ``_status`` column (``submitted_via_web``) that the readers would
take for Qualtrics' status and refuse (audit s24 readaudit B3)."""

from __future__ import annotations

import numpy as np
import pytest

from iur_survey.errors import InstrumentError, ReadError, UnknownLabelError
from iur_survey.instrument import parse_instrument
from iur_survey.read import read_export

KOBO = ('"start";"end";"I enjoy the course.";"The course is too hard.";"_id";"_uuid";"_submission_time";'
        '"_validation_status";"_notes";"_status";"_submitted_by";"_tags";"_index"\n'
        '"2017-10-23T05:40:39.000-04:00";"2017-10-23T05:51:13.000-04:00";"Agree";"Disagree";"61";'
        '"48583952-1892-4931-8d9c-869e7b49bafb";"2017-10-23T09:51:19";"";"";"submitted_via_web";"";"";"1"\n'
        '"2017-10-23T05:41:14.000-04:00";"2017-10-23T05:41:32.000-04:00";"Strongly agree";"Strongly agree";"62";'
        '"317ba7b7-bea4-4a8c-8620-a483c3079c4b";"2017-10-23T09:41:38";"";"";"submitted_via_web";"anotheruser";"";"2"\n')


def _doc(**columns):
    return {"scale": {"min": 1, "max": 5, "labels": {1: ["Strongly disagree"], 2: ["Disagree"], 3: ["Neutral"],
                                                     4: ["Agree"], 5: ["Strongly agree"]}},
            "constructs": {"CRS": {"items": ["CRS1", "CRS2"], "reverse": ["CRS2"]}},
            "columns": {"I enjoy the course.": "CRS1", "The course is too hard.": "CRS2", "_id": "id",
                        "start": "start_time", "end": "end_time", **columns}}


def test_kobo_status_column_ignored(tmp_path):
    p = tmp_path / "kobo.csv"
    p.write_text(KOBO, encoding="utf-8")
    with pytest.raises(UnknownLabelError, match=r"map it to ignore in the instrument \(columns: \{'_status': ignore\}\)"):
        read_export(p, parse_instrument(_doc(), "kobo.yaml"))
    raw = read_export(p, parse_instrument(_doc(_status="ignore", _validation_status="ignore"), "kobo.yaml"))
    assert "_status" not in raw.column_map.values() or raw.frame["_status"].isna().all()
    assert "_status" in raw.dropped_columns
    assert raw.frame["response_id"].tolist() == ["61", "62"]
    np.testing.assert_array_equal(raw.frame[["CRS1", "CRS2"]].to_numpy(dtype=float), [[4, 2], [5, 5]])
    assert raw.frame["_duration"].tolist() == [634.0, 18.0]      # end - start, both at -04:00


def test_ignore_is_a_columns_target_only():
    with pytest.raises(InstrumentError, match="nor ignore"):
        parse_instrument(_doc(_status="skip"), "kobo.yaml")
    parse_instrument(_doc(_status="ignore", _tags="ignore", _notes="IGNORE"), "kobo.yaml")   # several may be ignored


def test_kobo_hxl_row_is_refused_by_name(tmp_path):
    """KoBoToolbox's default CSV has a row of HXL hashtags under the header; it was read as a response (audit s24
    readaudit C6: "unknown stakeholder group '#sex'", or an extra empty response)."""
    head, rest = KOBO.split("\n", 1)
    hxl = ";".join('"#likert"' if i in (2, 3) else '""' for i in range(13))
    p = tmp_path / "kobo.csv"
    p.write_text(f"{head}\n{hxl}\n{rest}", encoding="utf-8")
    with pytest.raises(ReadError, match=r"row under the header holds HXL hashtags \('#likert', '#likert'\)") as ei:
        read_export(p, parse_instrument(_doc(_status="ignore"), "kobo.yaml"))
    assert ei.value.row == 2
