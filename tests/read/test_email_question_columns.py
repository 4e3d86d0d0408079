"""A Wenjuanxing e-mail question ("34、您的电子邮箱：") is an e-mail column for the duplicate rule, as Qualtrics'
RecipientEmail is (outside audit 8).  The e-mail headers were compared without taking the question number and the
"您的" off, so the Chinese headers of that list never matched a Wenjuanxing download: the same person sending the
same answers twice (another IP address) was kept twice."""

from __future__ import annotations

import warnings

import pandas as pd

from iur_survey.instrument import load_instrument
from iur_survey.read import read_export


def _wjx(path, emails):
    ins = load_instrument()
    n = len(emails)
    d = {"序号": list(range(1, n + 1)), "提交答卷时间": [f"2026/3/{i + 1} 10:00:00" for i in range(n)],
         "所用时间": ["180秒"] * n, "来源": ["手机提交"] * n, "来源详情": ["直接访问"] * n,
         "来自IP": [f"10.0.0.{i + 1}(北京-北京)" for i in range(n)],
         f"1、{ins.role_question['zh']}": ["企业", "高校", "企业", "政府部门"][:n]}
    q = 2
    for k, it in enumerate(ins.item_codes):
        d[f"{q}、{ins.items[it].zh}"] = ["同意", "一般", "同意", "不同意"][:n]
        q += 1
    d[f"{q}、{ins.attention_items['ATT1']['zh']}"] = ["同意"] * n
    d[f"{q + 1}、您的电子邮箱："] = emails
    pd.DataFrame(d).to_csv(path, index=False, encoding="gb18030")
    return ins


def test_wjx_email_question_is_an_email_column(tmp_path):
    p = tmp_path / "wjx.csv"
    ins = _wjx(p, ["wang@x.cn", "li@y.cn", "Wang@x.cn", ""])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw = read_export(p, ins)
    assert raw.format == "wjx"
    (header, codes), = raw.email_groups
    assert header.endswith("您的电子邮箱：")
    assert codes[0] == codes[2] != codes[1] and codes[3] == -1
