"""Findings of the audit of real-layout exports (session 10, s18/exports): each probe's case, built in tmp_path."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest

from iur_survey.errors import ReadError
from iur_survey.read import read_export
from iur_survey.simulate import simulate
from iur_survey.simulate.writers import write_export


def _to_tsv_utf16(src, dst):
    rows = list(csv.reader(io.StringIO(src.read_text(encoding="utf-8-sig"), newline="")))
    buf = io.StringIO()
    csv.writer(buf, delimiter="\t", lineterminator="\r\n").writerows(rows)
    dst.write_bytes(buf.getvalue().encode("utf-16"))
    return dst


def test_qualtrics_utf16_tsv_is_read_like_its_csv(tmp_path, inst):
    """B2, probe H_q_utf16.tsv: before, 'separated by TAB, not ','' with no option to read it."""
    p = write_export(simulate(30, seed=3).frame, inst, "qualtrics", tmp_path / "q.csv", labels="text")
    ref = read_export(p, inst)
    tsv = read_export(_to_tsv_utf16(p, tmp_path / "q.tsv"), inst)
    assert tsv.format == "qualtrics"
    pd.testing.assert_frame_equal(tsv.frame, ref.frame)


def test_chinese_google_forms_timestamp(tmp_path, inst):
    """B1, probes G1/G3: '2025-12-5 上午10:22:10' was refused; the error named a 'Timestamp' column not in the file."""
    head = ["时间戳记", "您所在的单位属于以下哪一类？", *inst.item_codes]
    body = [["2025-12-5 上午10:22:10", "企业", *["3"] * 28], ["2024/1/18 下午4:36:09", "高校", *["4"] * 28]]
    p = tmp_path / "g.csv"
    p.write_text("\n".join(",".join(r) for r in [head, *body]) + "\n", encoding="utf-8")
    raw = read_export(p, inst)
    assert raw.format == "google_forms" and raw.column_map["时间戳记"] == "_submitted"
    assert [str(t) for t in raw.frame["_submitted"]] == ["2025-12-05 10:22:10", "2024-01-18 16:36:09"]
    p.write_text("\n".join(",".join(r) for r in [head, body[0], ["昨天", *body[1][1:]]]) + "\n", encoding="utf-8")
    with pytest.raises(ReadError, match="cannot read '昨天'") as ei:
        read_export(p, inst)
    assert ei.value.column == "时间戳记" and ei.value.row == 3
