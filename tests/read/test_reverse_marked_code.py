"""A heading that is an item's code with a reverse mark, under an instrument whose items have question text.

The refusal of ``B3 (R)`` (an analyst's reversed copy, which the cleaning step would reverse again) was reached
only through the question-text index, so it fired only for an instrument whose items have no wording. With the
study's instrument (every item worded) ``GOV3 (R)`` was reported as a missing column instead, with the advice to
map a header, and nothing about the reversal.
"""

from __future__ import annotations

import pandas as pd
import pytest

from iur_survey.errors import ReadError
from iur_survey.instrument import load_instrument
from iur_survey.read import read_export


def _export(tmp_path, rename):
    inst = load_instrument()
    rows = []
    for i in range(6):
        row = {"ResponseId": f"R{i}", "role": "Enterprise"}
        row.update({c: 1 + (i + j) % 5 for j, c in enumerate(inst.item_codes)})
        row["ATT1"] = 4
        rows.append(row)
    df = pd.DataFrame(rows).rename(columns=rename)
    p = tmp_path / "x.csv"
    df.to_csv(p, index=False)
    return p, inst


@pytest.mark.parametrize("head", ["GOV3 (R)", "GOV3（反向）", "gov3 [reversed]"])
def test_code_with_reverse_mark_is_refused_with_worded_items(tmp_path, head):
    p, inst = _export(tmp_path, {"GOV3": head})
    with pytest.raises(ReadError, match=r"x\.csv:.*the heading is item GOV3's code with a reverse mark.*"
                                        r"take GOV3 out of its construct's reverse: list"):
        read_export(p, inst)


def test_raw_item_beside_its_marked_copy_is_still_read(tmp_path):
    """The raw column and the analyst's copy side by side: the raw one is the item, the copy is dropped."""
    p, inst = _export(tmp_path, {})
    df = pd.read_csv(p)
    df["GOV3 (R)"] = 6 - df["GOV3"]
    df.to_csv(p, index=False)
    raw = read_export(p, inst)
    assert raw.frame["GOV3"].tolist() == df["GOV3"].astype(float).tolist()
    assert raw.column_map.get("GOV3 (R)") is None


def test_mapped_marked_copy_is_read_as_told(tmp_path):
    p, inst = _export(tmp_path, {"GOV3": "GOV3 (R)"})
    inst2 = load_instrument()
    inst2.columns["GOV3 (R)"] = "GOV3"
    raw = read_export(p, inst2)
    assert raw.column_map["GOV3 (R)"] == "GOV3"
