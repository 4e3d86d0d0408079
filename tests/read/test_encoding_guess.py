"""A text export that is not UTF-8 and has no BOM is guessed to be GB18030 (问卷星's default), which decodes
most single-byte Western text too: the guess is kept only where the headers and the item/group cells read as
Chinese; otherwise the reader stops, naming the column and each reading, and ``encoding=`` settles it."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from iur_survey.errors import EncodingError
from iur_survey.instrument import load_instrument
from iur_survey.read import read_export
from iur_survey.read.source import not_chinese, read_table

REAL = Path(__file__).resolve().parent.parent / "fixtures" / "real"
STAR_WARS = REAL / "surveymonkey_538_star_wars.csv"
CODES = [f"{c}{i}" for c in ("GOV", "MKT", "BEN", "VAL", "TAL", "COL", "INT") for i in range(1, 5)]


def _write(tmp_path, text: str, encoding: str) -> Path:
    p = tmp_path / "x.csv"
    p.write_bytes(text.encode(encoding))
    return p


def _read(path, inst=None, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_export(path, inst or load_instrument(), **kw)


def test_star_wars_garbled_header_is_refused_naming_it():
    """Bytes 8C E6 after "...the Expanded Universe?" read as GB18030 '屾' (on main: read silently)."""
    inst = load_instrument(REAL / "instruments" / "surveymonkey_538_star_wars.yaml")
    with pytest.raises(EncodingError) as err:
        _read(STAR_WARS, inst)
    msg = str(err.value)
    assert msg.startswith(f"{STAR_WARS}:1:")
    assert "Expanded Universe?屾" in msg and "Universe?Œæ" in msg and "Universe?åÊ" in msg
    assert "--encoding" in msg and len(msg.splitlines()) == 1
    table = read_table(STAR_WARS, header_rows=2, encoding="mac_roman")
    assert "Do you consider yourself to be a fan of the Expanded Universe?åÊ" in table.headers[0]


@pytest.mark.parametrize("label, enc", [("Très d'accord", "cp1252"), ("Très d'accord", "mac_roman")])
def test_western_item_labels_refused_naming_column_and_row(tmp_path, label, enc):
    rows = [f"R{k},enterprise," + ",".join(["3"] * 28) for k in range(1, 4)]
    rows[1] = "R2,enterprise," + ",".join([label] + ["3"] * 27)
    p = _write(tmp_path, "ResponseId,role," + ",".join(CODES) + "\n" + "\n".join(rows) + "\n", enc)
    with pytest.raises(EncodingError, match=r"x\.csv:3:GOV1: .*Très d'accord.*--encoding"):
        _read(p)


def test_accented_header_refused(tmp_path):
    """'ção' reads as the common character 玢 between Latin letters."""
    head = "ResponseId,role," + ",".join(CODES) + ",Avaliação"
    row = "R1,enterprise," + ",".join(["3"] * 28) + ",x"
    p = _write(tmp_path, head + "\n" + row + "\n", "cp1252")
    with pytest.raises(EncodingError, match=r":1:Avalia玢o: .*as Windows cp1252 it reads 'Avaliação'"):
        _read(p)
    raw = _read(p, encoding="cp1252")
    assert raw.frame["GOV1"].tolist() == [3.0]


def test_chinese_gb18030_still_read_without_a_word(tmp_path):
    head = "序号,您的单位类型," + ",".join(CODES) + ",其他意见"
    rows = ["1,企业," + ",".join(["3"] * 28) + ",很好", "2,政府," + ",".join(["4"] * 28) + ",（无）"]
    p = _write(tmp_path, head + "\n" + "\n".join(rows) + "\n", "gb18030")
    raw = _read(p)
    assert raw.frame["role"].tolist() == ["enterprise", "government"] and raw.frame["GOV1"].tolist() == [3.0, 4.0]


def test_gbk_traditional_characters_in_a_header_still_read(tmp_path):
    head = "序号,您的单位类型," + ",".join(CODES) + ",您對本調查的意見"
    rows = ["1,企业," + ",".join(["3"] * 28) + ",好"]
    p = _write(tmp_path, head + "\n" + "\n".join(rows) + "\n", "gbk")
    assert _read(p).frame["GOV1"].tolist() == [3.0]


def test_western_free_text_outside_the_study_is_not_judged(tmp_path):
    """The doubt only matters where the study reads: a comment column it drops may hold any bytes."""
    head = "ResponseId,role," + ",".join(CODES) + ",comment"
    rows = ["R1,enterprise," + ",".join(["3"] * 28) + ",Très bien", "R2,enterprise," + ",".join(["4"] * 28) + ",ok"]
    p = _write(tmp_path, head + "\n" + "\n".join(rows) + "\n", "cp1252")
    raw = _read(p)
    assert raw.frame["GOV1"].tolist() == [3.0, 4.0] and "comment" not in raw.frame


def test_utf8_head_with_a_gb18030_tail_keeps_the_guess(tmp_path):
    """A body past the first megabyte that is not UTF-8 is decoded again: the table still says GB18030 (on main
    it said utf-8) and its cells are judged."""
    head = "ResponseId,role," + ",".join(CODES)
    filler = "\n".join(f"R{k},enterprise," + ",".join(["3"] * 28) for k in range(1, 20001))
    tail = "R0,enterprise," + ",".join(["Très d'accord"] + ["3"] * 27)
    p = _write(tmp_path, head + "\n" + filler + "\n" + tail + "\n", "cp1252")
    assert p.stat().st_size > (1 << 20)
    assert read_table(p, header_rows=1).encoding == "gb18030"
    with pytest.raises(EncodingError, match=r"x\.csv:20002:GOV1:"):
        _read(p)


def test_gbk_dash_and_middle_dot_read_as_chinese(tmp_path):
    """GB2312's dash and middle dot decode (GBK, GB18030) as U+2014 and U+00B7, which Python's gb2312 codec maps
    elsewhere: a 问卷星 CSV whose matrix headers read ``5、title—statement`` was refused as not Chinese (on main)."""
    from iur_survey.simulate import simulate
    from iur_survey.simulate.writers import expected_frame, write_export
    inst = load_instrument()
    frame = simulate(30, seed=2).frame
    p = write_export(frame, inst, "wjx_csv", tmp_path / "wjx.csv", labels="text", language="zh",
                     matrix_style="dash")
    assert "—".encode("gb18030") in p.read_bytes()
    raw = _read(p, inst)
    assert raw.format == "wjx"
    assert raw.frame.drop(columns="_row").equals(expected_frame(frame, inst, "wjx_csv"))
    assert not_chinese("约翰·史密斯") is None
    assert "not a common" in not_chinese("Tr鑣 d'accord—")      # the Western signature still refuses


def test_not_chinese_signatures():
    assert not_chinese("非常同意") is None and not_chinese("（跳过）") is None and not_chinese("Q1") is None
    assert "not a common" in not_chinese("Tr鑣 d'accord")
    assert "between Latin letters" in not_chinese("Avalia琰o")
    assert not_chinese("您對此的看法") is None                  # a traditional (GBK) character inside a word
    assert "not a common" in not_chinese("\ue4ceola")          # "¡H" of "¡Hola" is a private-use GBK code


def test_data_file_for_fit_judged_too(tmp_path):
    """A data file handed to fit is decoded as an export is: Western group labels are refused, Chinese ones read."""
    from iur_survey.datafile import load_data

    p = tmp_path / "d.csv"
    p.write_bytes("response_id,role,GOV1\nr1,Sociétés,3\nr2,Sociétés,4\n".encode("cp1252"))
    with pytest.raises(EncodingError, match=r"d\.csv:2:role: .*'Sociétés'.*CSV UTF-8"):
        load_data(p, ["GOV1"])
    p.write_bytes("response_id,role,GOV1\nr1,企业,3\nr2,政府,4\n".encode("gbk"))
    assert load_data(p, ["GOV1"])["role"].tolist() == ["企业", "政府"]
