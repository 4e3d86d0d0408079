"""A plain export with Qualtrics' StartDate/EndDate/ResponseId whose first response has a date the reader cannot
read was taken for the Qualtrics question-text row: the response vanished (11 raw rows of 12, no ledger row).
A second row whose date cell holds a digit is a response; its date is read or named (fuzz30)."""

from __future__ import annotations

import pytest

from iur_survey.cli import main

INST = "scale: {min: 1, max: 5}\nconstructs:\n  GOV: {items: [GOV1, GOV2, GOV3]}\n  MKT: {items: [MKT1, MKT2, MKT3]}\n"


def _export(path, first_start):
    rows = ["ResponseId,GOV1,GOV2,GOV3,MKT1,MKT2,MKT3,StartDate,EndDate"]
    for i in range(12):
        start = first_start if i == 0 else "2024-01-01 08:00:00"
        rows.append(f"r{i},{1 + i % 5},{1 + (i + 1) % 5},{1 + (i * 2) % 5},{1 + (i + 2) % 5},{1 + i % 3},"
                    f"{2 + i % 3},{start},2024-01-01 09:00:00")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


@pytest.mark.parametrize("first", ["2024-13-45 08:00:00", "2024年1月5日 08:00:00"])
def test_an_unreadable_first_date_is_named_not_a_lost_response(tmp_path, capsys, first):
    (tmp_path / "i.yaml").write_text(INST, encoding="utf-8")
    _export(tmp_path / "x.csv", first)
    assert main(["clean", str(tmp_path / "x.csv"), "--instrument", str(tmp_path / "i.yaml"),
                 "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "x.csv:2:StartDate: cannot read" in err[0]
    assert not (tmp_path / "out").exists()


def test_the_question_text_row_is_still_a_header(tmp_path, capsys):
    (tmp_path / "i.yaml").write_text(INST, encoding="utf-8")
    _export(tmp_path / "x.csv", "2024-01-01 08:00:00")
    lines = (tmp_path / "x.csv").read_text(encoding="utf-8").splitlines()
    lines.insert(1, "Response ID,g1,g2,g3,m1,m2,m3,Start Date,End Date")
    (tmp_path / "x.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["clean", str(tmp_path / "x.csv"), "--instrument", str(tmp_path / "i.yaml"),
                 "--out", str(tmp_path / "out")]) == 0
    assert "12 raw rows" in capsys.readouterr().out
