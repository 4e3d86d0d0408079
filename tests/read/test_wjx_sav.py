"""A Wenjuanxing SPSS download (.sav) is read by the SPSS reader: known by its variables (named or labelled 序号,
提交答卷时间, 所用时间), its rows with a 提交答卷时间 are submitted answer sheets, as its CSV/XLSX rows are
(read.assemble.SUBMITTED_FORMATS); a file matching in part is not read as one, and says so."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from iur_survey.clean import CleanConfig, clean
from iur_survey.instrument import load_instrument
from iur_survey.read import read_export

pyreadstat = pytest.importorskip("pyreadstat")
SCREEN = CleanConfig.from_dict({"rules": ["status", "unfinished", "duplicate_id", "out_of_range"]})
ROLES = {1.0: "企业", 2.0: "高校", 3.0: "科研院所", 4.0: "政府"}


@pytest.fixture(scope="module")
def inst():
    return load_instrument()


def _sav(path, inst, labels, n=40, times=lambda i: "2024/03/01 09:00:00", ids=lambda i: str(i + 1)):
    """A .sav laid out as Wenjuanxing's SPSS download (variables index, submittime, totalseconds, then the
    questions), labelled by ``labels``; rows 0-4 leave the last page (the INT items) blank."""
    rng = np.random.default_rng(7)
    d = {"index": [ids(i) for i in range(n)], "submittime": [times(i) for i in range(n)],
         "totalseconds": ["600"] * n, "Q1": [float(1 + i % 4) for i in range(n)]}
    for c in inst.item_codes:
        v = rng.integers(1, 6, size=n).astype(float)
        if c.startswith("INT"):
            v[:5] = np.nan
        d[c] = v
    df = pd.DataFrame(d)
    labels = {**labels, "Q1": "1、" + inst.role_question["zh"]}
    pyreadstat.write_sav(df, str(path), column_labels=[labels.get(c, c) for c in df.columns],
                         variable_value_labels={"Q1": ROLES})
    return path


WJX = {"index": "序号", "submittime": "提交答卷时间", "totalseconds": "所用时间"}


def test_wjx_sav_blank_last_page_is_item_nonresponse(tmp_path, inst):
    """Before: the SPSS reader could not tell the file came from Wenjuanxing; the five honest respondents who
    submitted with the optional last page blank were excluded as unfinished (5 of 40)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)         # a whole match says nothing
        raw = read_export(_sav(tmp_path / "w.sav", inst, WJX), inst)
    assert raw.format == "spss" and raw.frame["_finished"].all()
    assert raw.column_map["submittime (a submitted answer sheet)"] == "_finished"
    res = clean(raw, inst, SCREEN)
    assert res.report["hits_by_rule"].get("unfinished", 0) == 0 and len(res.clean) == 40
    assert res.report["missing"]["n_rows_with_missing"] == 5


def test_wjx_sav_id_is_its_labelled_index(tmp_path, inst):
    """The download's 序号 is a variable named ``index`` labelled 序号: it is the response id.  Before, no header
    named an id, so the ids were the data-row numbers: in a filtered download (序号 101, 102, ...) the ledger's
    response "1" was 序号 101, and a repeated 序号 went unseen (duplicate_id "not evaluated")."""
    ids = lambda i: str(101 + i) if i != 39 else "101"       # row 40 repeats 序号 101 (two downloads merged)
    raw = read_export(_sav(tmp_path / "w.sav", inst, WJX, ids=ids), inst)
    assert raw.column_map["index"] == "response_id"
    assert raw.frame["response_id"].tolist()[:3] == ["101", "102", "103"]
    with pytest.warns(UserWarning, match="repeat a response id with different answers"):
        res = clean(raw, inst, SCREEN)
    dup = res.exclusions.query("rule == 'duplicate_id'")
    assert dup["response_id"].tolist() == ["101"] and dup["row"].tolist() == [41]


def test_wjx_sav_row_without_submission_time_keeps_the_inference(tmp_path, inst):
    p = _sav(tmp_path / "w.sav", inst, WJX, times=lambda i: "" if i in (0, 7) else "2024/03/01 09:00:00")
    with pytest.warns(UserWarning, match=r"2 of 40 row\(s\) have no 'submittime'"):
        raw = read_export(p, inst)
    assert raw.frame["_finished"].isna().tolist() == [i in (0, 7) for i in range(40)]
    unf = clean(raw, inst, SCREEN).exclusions.query("rule == 'unfinished'")
    assert unf["response_id"].tolist() == ["1"]             # row 8 answered its last page


@pytest.mark.parametrize("labels, missing", [
    ({"index": "序号", "submittime": "提交答卷时间"}, "所用时间 is missing"),
    ({"index": "序号", "totalseconds": "所用时间"}, "提交答卷时间 is missing"),
    ({"submittime": "提交答卷时间", "totalseconds": "所用时间"}, "序号 is missing"),
])
def test_half_match_is_not_read_as_wjx_and_warns(tmp_path, inst, labels, missing):
    """Conservative: a file with some of the download's variables but not all is read as any .sav (break-offs
    inferred), and the reader says so and why."""
    with pytest.warns(UserWarning, match=f"are those of a Wenjuanxing download, but {missing}: the file is not "
                                         f"read as one"):
        raw = read_export(_sav(tmp_path / "h.sav", inst, labels), inst)
    assert raw.frame["_finished"].isna().all()
    assert any("Wenjuanxing download" in w for w in raw.warnings)
    assert clean(raw, inst, SCREEN).report["hits_by_rule"]["unfinished"] == 5


def test_submission_time_alone_is_not_enough_and_says_so(tmp_path, inst):
    with pytest.warns(UserWarning, match="the variable 提交答卷时间 is one of a Wenjuanxing download, but 序号, 所用时间 "
                                         "are missing"):
        raw = read_export(_sav(tmp_path / "t.sav", inst, {"submittime": "提交答卷时间"}), inst)
    assert raw.frame["_finished"].isna().all()


def test_other_sav_unchanged(tmp_path, inst):
    """A .sav without Wenjuanxing's variables (a 序号, a row number, alone says nothing): no word, break-offs
    inferred as before."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        raw = read_export(_sav(tmp_path / "o.sav", inst, {"index": "序号", "submittime": "EndDate"}), inst)
    assert raw.frame["_finished"].isna().all()
    assert clean(raw, inst, SCREEN).report["hits_by_rule"]["unfinished"] == 5


def test_wjx_sav_answer_sheet_number_is_the_id(tmp_path, inst):
    """A Wenjuanxing SPSS download names its answer-sheet number ``index`` and labels it 序号; its CSV/XLSX
    downloads' id is that 序号.  Before: no variable *name* was an id alias, so the id was the data-row number,
    silently not the 序号 when sheets were deleted on the platform (gaps) and duplicate_id not evaluated
    (outside10: every kept row of a 4,000-row download had the row number for its id)."""
    p = _sav(tmp_path / "g.sav", inst, WJX)
    df, meta = pyreadstat.read_sav(str(p))
    df["index"] = [str(3 * i + 5) for i in range(len(df))]      # sheets 1-4, 6, 7, ... deleted
    df.loc[9, "index"] = df.loc[8, "index"]                      # and one number twice (a resubmitted copy)
    df.loc[9, list(inst.item_codes)] = df.loc[8, list(inst.item_codes)].to_numpy()
    pyreadstat.write_sav(df, str(p), column_labels=[meta.column_names_to_labels[c] for c in df.columns],
                         variable_value_labels={"Q1": ROLES})
    raw = read_export(p, inst)
    assert raw.column_map["index"] == "response_id"
    assert raw.frame["response_id"].tolist()[:3] == ["5", "8", "11"]
    res = clean(raw, inst, SCREEN)
    dup = res.exclusions.query("rule == 'duplicate_id'")
    assert dup["response_id"].tolist() == ["29"] and dup["row"].tolist() == [11]
    assert "duplicate_id" not in res.report["rules_not_evaluated"]


def test_labelled_id_that_numbers_a_class_is_refused(tmp_path, inst):
    """An SPSS user's variable ``bh`` labelled 编号 that numbers the class (10 classes of 4): taken for the id by its
    label alone, on bbf9d71 the duplicate rule kept one response per class (30 of 40 excluded as duplicate_id, exit
    0; real44's probe on the real Nichols & Nicki items: 177 of 207).  It is refused, naming the variable; mapped to
    ignore, the row number is the id again.  A genuine id's rare repeats (the two tests above) are still read."""
    from iur_survey.errors import ReadError
    from iur_survey.instrument import parse_instrument

    p = _sav(tmp_path / "c.sav", inst, {"index": "编号"}, ids=lambda i: str(1 + i % 10))
    with pytest.raises(ReadError, match=r"c.sav:index: the variable 'index' was taken for the response id by its "
                                        r"label '编号'.* 30 of the 40 rows repeat"):
        read_export(p, inst)
    ignore = parse_instrument({**inst.raw, "columns": {**(inst.raw.get("columns") or {}), "index": "ignore"}},
                              inst.path)
    raw = read_export(p, ignore)
    assert raw.frame["response_id"].tolist()[:3] == ["1", "2", "3"] and "index" not in raw.column_map
