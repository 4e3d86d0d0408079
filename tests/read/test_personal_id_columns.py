"""A response id is written to the clean data, the flags and the ledger, so an id column that holds names is
refused, never quoted: a column the analyst maps as the id (``columns:`` or ``id_column``) whose header names it a
name, phone or e-mail column, and ids that are words rather than codes ("王芳", "Zhang San"), which no survey
platform writes.  Before, both went into clean.csv, flags.csv and exclusions.csv in silence (outside audit s28)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml

from iur_survey.cli import main
from iur_survey.errors import ReadError
from iur_survey.instrument import load_instrument, parse_instrument
from iur_survey.read import read_export

ANSWERS = [["Agree", "Disagree"], ["Strongly agree", "Agree"], ["Neutral", "Neutral"],
           ["Disagree", "Agree"], ["Agree", "Strongly disagree"], ["Strongly agree", "Disagree"]]


def _doc(**columns):
    return {"scale": {"min": 1, "max": 5, "labels": {1: ["Strongly disagree"], 2: ["Disagree"], 3: ["Neutral"],
                                                     4: ["Agree"], 5: ["Strongly agree"]}},
            "constructs": {"CRS": {"items": ["CRS1", "CRS2"], "reverse": []}},
            "columns": {"I enjoy the course.": "CRS1", "The course is too hard.": "CRS2", **columns}}


def _export(path: Path, id_header: str, ids: list[str]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([id_header, "I enjoy the course.", "The course is too hard."])
        for i, a in zip(ids, ANSWERS):
            w.writerow([i, *a])
    return path


@pytest.mark.parametrize("header", ["Name", "姓名", "2、您的姓名（选填）：", "Your name (optional)", "微信昵称",
                                    "3、您的手机号码（选填，便于回访）：", "Email Address"])
def test_a_personal_column_mapped_as_the_id_is_refused_by_its_header(tmp_path, header):
    """The values hold a digit (namesakes told apart, a nickname), so no pattern sees a name: the header does."""
    ids = ["Li Na 1", "Wang Fang 2", "Zhang Wei 3", "Li Na 4", "Chen Jie 5", "Liu Yang 6"]
    path = _export(tmp_path / "e.csv", header, ids)
    with pytest.raises(ReadError, match=r"the response id column is, by its header, a column of .*personal data") as ei:
        read_export(path, parse_instrument(_doc(**{header: "id"}), "i.yaml"))
    assert ei.value.column == header and not any(i in str(ei.value) for i in ids)


def test_id_column_naming_the_name_column_is_refused(tmp_path):
    doc = _doc()
    doc["id_column"] = "姓名"
    path = _export(tmp_path / "e.csv", "姓名", [f"王芳{k}" for k in range(6)])
    with pytest.raises(ReadError, match="by its header, a column of names"):
        read_export(path, parse_instrument(doc, "i.yaml"))


@pytest.mark.parametrize("names", [["王芳", "李娜", "张伟", "刘洋", "陈杰", "杨静"],
                                   ["Wang Fang", "Li Na", "Zhang Wei", "Liu Yang", "Chen Jie", "Yang Jing"],
                                   ["R_1a", "R_2b", "R_3c", "R_4d", "阿卜杜拉·买买提", "R_6f"]])
def test_names_as_ids_under_an_anonymous_header_are_refused(tmp_path, names):
    path = _export(tmp_path / "e.csv", "ResponseId", names)
    with pytest.raises(ReadError, match=r"the response id is words, not a code \(a person's name\?\)") as ei:
        read_export(path, parse_instrument(_doc(), "i.yaml"))
    k = next(k for k, v in enumerate(names) if not v.startswith("R_"))
    assert ei.value.row == k + 2 and ei.value.column == "ResponseId"
    assert not any(n in str(ei.value) for n in names)


@pytest.mark.parametrize("ids", [["R_abcDEFghiJKLmno", "R_3kT9a0Bc1dE2fG", "R_x", "R_y", "R_z", "R_w"],
                                 ["114047938547", "114047938548", "7", "8", "9", "10"],
                                 ["企业01", "高校02", "政府03", "科研04", "企业05", "高校06"],
                                 ["anon", "pilot", "P 17", "P-18", "case_19", "X"]])
def test_codes_stay_ids(tmp_path, ids):
    """Platform ids (a Qualtrics id may hold no digit), numbers, an analyst's codes with a number, single words."""
    raw = read_export(_export(tmp_path / "e.csv", "ResponseId", ids), parse_instrument(_doc(), "i.yaml"))
    assert raw.frame["response_id"].tolist() == ids


def test_clean_writes_nothing_for_name_ids_and_never_quotes_them(tmp_path, capsys):
    """The command's path: exit status 2, no clean data, the names in no message."""
    inst = load_instrument()
    items = [*inst.item_codes, *inst.attention_checks]
    names = ["王芳", "李娜", "张伟", "刘洋", "陈杰", "杨静", "赵磊", "黄敏"]
    with (tmp_path / "e.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["ResponseId", "role", *items])
        for k, n in enumerate(names):
            w.writerow([n, "enterprise", *[(k + j) % 5 + 1 for j in range(len(items))]])
    out = tmp_path / "out"
    assert main(["clean", str(tmp_path / "e.csv"), "--out", str(out)]) == 2
    said = capsys.readouterr()
    assert "the response id is words" in said.err and ":2:ResponseId:" in said.err
    assert not any(n in said.out + said.err for n in names)
    assert not (out / "clean.csv").exists()


def test_an_instrument_file_mapping_a_name_column_as_the_id(tmp_path):
    """The same refusal through an instrument YAML file, as an analyst writes one."""
    doc = _doc(**{"Respondent name": "id"})
    (tmp_path / "i.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    from iur_survey.instrument import load_instrument as load
    path = _export(tmp_path / "e.csv", "Respondent name", [f"Li Na {k}" for k in range(6)])
    with pytest.raises(ReadError, match="by its header, a column of names"):
        read_export(path, load(tmp_path / "i.yaml"))
