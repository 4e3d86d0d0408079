"""A 金数据 (jinshuju.net) .xlsx export read as a plain workbook (real31).

Its first column is ``序号``, the form's number of each entry; the rows of a real download
(WindStation/QuestionnaireFilter, Source/测试问卷1.xlsx, 151 entries) are in no order of it (101, 104, 40, 98 ...).
Before this fix the plain reader did not take ``序号`` for the id (only the Wenjuanxing reader did): it dropped the
column and numbered the rows, so ``response_id`` 1 was the entry whose 序号 is 101, and a merge of clean.csv with the
export (or with another download of the form) by 序号 joined other people's rows, without a word.  The layout is the
real export's (序号, the questions, WeChat OpenID, 提交时间, 修改时间, 测评时长, 填写地区, IP); every file is built here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from iur_survey.read import read_export

ROLES = ["企业", "高校", "科研院所", "政府"]


def _jinshuju(tmp_path, inst, serials, *, name="jinshuju.xlsx"):
    rng = np.random.default_rng(7)
    n = len(serials)
    data = {"序号": serials, "1." + inst.role_question["zh"]: [ROLES[i % 4] for i in range(n)]}
    for code in inst.item_codes:
        data[code] = rng.integers(inst.scale_min, inst.scale_max + 1, size=n)
    data.update({"微信OpenID": [f"orNMsw{i:06d}xyzXYZ" for i in range(n)],
                 "提交时间": [f"2023-08-05 10:{i:02d}:11" for i in range(n)],
                 "修改时间": [f"2023-08-05 10:{i:02d}:20" for i in range(n)],
                 "测评时长": ["1分11秒" if i % 2 else "37秒" for i in range(n)],
                 "填写地区": ["中国 山西省 太原市"] * n,
                 "IP": [f"110.176.87.{i}" for i in range(n)]})
    frame = pd.DataFrame(data)
    p = tmp_path / name
    frame.to_excel(p, index=False)
    return p, frame


def test_the_entry_number_is_the_response_id(tmp_path, inst):
    serials = [101, 104, 40, 98, 65, 86, 145, 77, 88, 79, 97, 67]
    p, frame = _jinshuju(tmp_path, inst, serials)
    raw = read_export(p, inst)
    assert raw.format == "xlsx"
    assert raw.column_map["序号"] == "response_id"
    assert raw.frame["response_id"].tolist() == [str(s) for s in serials]
    # each id carries its own row's answers and its physical row
    assert raw.frame["GOV1"].tolist() == [float(v) for v in frame["GOV1"]]
    assert raw.frame["_row"].tolist() == list(range(2, len(serials) + 2))
    assert "微信OpenID" not in raw.frame.columns


def test_a_repeated_entry_number_goes_to_the_duplicate_rule(tmp_path, inst):
    from iur_survey.clean.pipeline import clean

    serials = list(range(1, 31))
    serials[12] = 5                     # the export was pasted together from two downloads
    p, _ = _jinshuju(tmp_path, inst, serials)
    with pytest.warns(UserWarning, match="repeat a response id"):
        res = clean(read_export(p, inst), inst)
    dup = res.exclusions[res.exclusions["rule"] == "duplicate_id"]
    assert dup["response_id"].tolist() == ["5"] and dup["row"].tolist() == [14]
