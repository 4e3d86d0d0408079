"""The unfinished rule on real export layouts (audit s18 A3, probes K1, K2, E2): skip logic, export order,
Google Forms' optional last questions, 问卷星's submitted answer sheets (outside measure 7)."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from iur_survey.clean import CleanConfig, clean
from iur_survey.instrument import load_instrument
from iur_survey.read import read_export

ZH = {1: "非常不同意", 2: "不同意", 3: "一般", 4: "同意", 5: "非常同意"}
ROLES = ["企业", "高校", "科研院所", "政府"]
SCREEN = CleanConfig.from_dict({"rules": ["status", "unfinished", "duplicate_id", "out_of_range"]})


@pytest.fixture(scope="module")
def inst():
    return load_instrument()


def _wjx(tmp_path, inst, order, cell, n=40, name="w.csv", submitted=lambda i: "2024/03/01 09:00:00"):
    """A 问卷星 CSV; ``submitted(i)``: row i's 提交答卷时间 ("" for none: an export whose times were removed)."""
    rng = np.random.default_rng(7)
    head = ["序号", "提交答卷时间", "所用时间", "来自IP", "1、" + inst.role_question["zh"],
            *[f"{2 + k // 4}、({inst.items[c].zh})" for k, c in enumerate(order)]]
    rows = [head]
    for i in range(n):
        role = ROLES[i % 4]
        rows.append([str(i + 1), submitted(i), "600秒", "1.1.1.1", role,
                     *[ZH[int(v)] if (x := cell(role, c, i)) is None else x
                       for c, v in zip(order, rng.integers(2, 6, size=len(order)))]])
    p = tmp_path / name
    p.write_bytes(("\r\n".join(",".join(r) for r in rows) + "\r\n").encode("gbk"))
    return p


def test_skip_logic_hidden_last_block_is_not_a_breakoff(tmp_path, inst):
    """K1: all 13 government respondents (INT block hidden, '(跳过)') were excluded as unfinished, silently."""
    p = _wjx(tmp_path, inst, inst.item_codes, lambda r, c, i: "(跳过)" if r == "政府" and c.startswith("INT") else None)
    raw = read_export(p, inst)
    assert sorted(raw.not_shown) == ["INT1", "INT2", "INT3", "INT4"] and raw.not_shown["INT1"].sum() == 10
    res = clean(raw, inst, SCREEN)
    assert res.report["hits_by_rule"].get("unfinished", 0) == 0
    assert res.clean["role"].value_counts()["government"] == 10


NO_TIME = {"submitted": lambda i: ""}   # 提交答卷时间 removed: nothing says the rows were submitted


def test_blank_last_block_of_one_group_warns(tmp_path, inst):
    """K1 with blank cells instead of '(跳过)', in an export without submission times: the rule cannot tell, and
    says so loudly for the whole group."""
    p = _wjx(tmp_path, inst, inst.item_codes, lambda r, c, i: "" if r == "政府" and c.startswith("INT") else None,
             **NO_TIME)
    with pytest.warns(UserWarning, match="excludes all 10 'government' responses as break-offs"):
        res = clean(read_export(p, inst), inst, SCREEN)
    assert res.report["hits_by_rule"]["unfinished"] == 10
    assert any("all 10 'government'" in w for w in res.report["warnings"])


def test_breakoff_is_judged_in_the_exports_order(tmp_path, inst):
    """K2: the form asks INT first; 5 respondents stopped before the last page (COL) and were kept."""
    order = [*inst.item_codes[-4:], *inst.item_codes[:-4]]
    p = _wjx(tmp_path, inst, order, lambda r, c, i: "" if i < 5 and c.startswith("COL") else None, **NO_TIME)
    raw = read_export(p, inst)
    assert raw.item_order == order
    flags = clean(raw, inst, SCREEN).exclusions
    unf = flags[flags["rule"] == "unfinished"]
    assert unf["response_id"].tolist() == ["1", "2", "3", "4", "5"]
    assert unf["detail"].str.contains(r"\(COL1-COL4\)").all()


def test_google_forms_optional_last_items_are_not_breakoffs(tmp_path, inst):
    """E2: Google Forms keeps submitted responses only; three with blank optional last items were excluded."""
    head = ["Timestamp", inst.role_question["en"], *[f"Rate [{inst.items[c].en}]" for c in inst.item_codes]]
    rows = [[f"2024/01/18 4:36:{i:02d} PM GMT+8", "Enterprise", *(["Agree"] * 24 + ([""] * 4 if i < 3 else ["Agree"] * 4))]
            for i in range(12)]
    p = tmp_path / "g.csv"
    with open(p, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows([head, *rows])
    raw = read_export(p, inst)
    assert raw.frame["_finished"].all() and raw.column_map["(every row a submitted form)"] == "_finished"
    assert clean(raw, inst, SCREEN).report["hits_by_rule"].get("unfinished", 0) == 0


def test_wjx_submitted_sheets_blank_last_page_is_item_nonresponse(tmp_path, inst):
    """Outside measure 7: a 问卷星 download holds submitted answer sheets only (each with its 提交答卷时间), so
    an honest respondent who left the last page blank ('(空)') was excluded as unfinished for nothing; the row is
    finished, and its blank items are item nonresponse, reported as such."""
    p = _wjx(tmp_path, inst, inst.item_codes, lambda r, c, i: "(空)" if i < 5 and c.startswith("INT") else None)
    raw = read_export(p, inst)
    assert raw.frame["_finished"].all() and raw.column_map["提交答卷时间 (a submitted answer sheet)"] == "_finished"
    res = clean(raw, inst, SCREEN)
    assert res.report["hits_by_rule"].get("unfinished", 0) == 0 and len(res.clean) == 40
    assert "unfinished" not in res.report["rule_notes"]
    missing = res.report["missing"]
    assert missing["n_rows_with_missing"] == 5 and all(missing["per_item"][f"INT{k}"] == 5 for k in range(1, 5))


def test_wjx_row_without_submission_time_is_not_read_as_submitted(tmp_path, inst):
    """A 问卷星 row with no 提交答卷时间 (which the tool writes for every submitted sheet) is not called finished:
    the reader says so, and the unfinished rule infers its break-off from its blank last page, as before."""
    p = _wjx(tmp_path, inst, inst.item_codes, lambda r, c, i: "(空)" if i < 5 and c.startswith("INT") else None,
             submitted=lambda i: "" if i in (0, 7) else "2024/03/01 09:00:00")
    with pytest.warns(UserWarning, match="2 of 40 row\\(s\\) have no '提交答卷时间'"):
        raw = read_export(p, inst)
    assert raw.frame["_finished"].isna().tolist() == [i in (0, 7) for i in range(40)]
    assert any("have no '提交答卷时间'" in w for w in raw.warnings)
    flags = clean(raw, inst, SCREEN).exclusions
    unf = flags[flags["rule"] == "unfinished"]
    assert unf["response_id"].tolist() == ["1"]          # row 8 answered its last page
    assert unf["detail"].str.startswith("no Finished/Progress recorded; last 4 items unanswered").all()
