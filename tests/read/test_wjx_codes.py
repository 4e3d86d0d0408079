"""问卷星's own no-answer codes and answer-sheet numbers, in every form of its download.

-3 / (跳过): the question was not shown (skip logic): missing, and marked in ``RawResponses.not_shown`` so the
unfinished rule does not count it as a blank answer; -2 / (空): shown and left blank (item nonresponse).  Both are
read so whatever the instrument's ``missing_codes`` list.  Any other negative code is refused, naming file, row and
column.  The response id is the download's 序号 (each answer sheet's own number); the SPSS download's is refused
when blank, and a repeated one goes to the duplicate_id rule as in the text downloads.

Before: a .sav download read -3 as an ordinary missing answer (no cell marked not shown), took the row position
as the id although the file holds its 序号 (variable ``index``, labelled 序号), and an instrument without -3 in its
missing_codes kept -3 as an answer (the out-of-range rule then excluded the respondent for a question never shown).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from iur_survey.clean import CleanConfig, clean
from iur_survey.errors import OutOfRangeError
from iur_survey.instrument import parse_instrument
from iur_survey.read import read_export

pyreadstat = pytest.importorskip("pyreadstat")
ROLES = {1.0: "企业", 2.0: "高校", 3.0: "科研院所", 4.0: "政府"}
WJX = {"index": "序号", "submittime": "提交答卷时间", "totalseconds": "所用时间"}
SCREEN = CleanConfig.from_dict({"rules": ["status", "unfinished", "duplicate_id", "out_of_range"]})


def _items(inst, n, seed=3):
    rng = np.random.default_rng(seed)
    out = {}
    for c in inst.item_codes:
        v = rng.integers(1, 6, size=n).astype(float)
        if c.startswith("INT"):
            v[:4] = -3          # hidden by skip logic
            v[4:6] = -2         # shown, left blank
        out[c] = v
    return out


def _sav(path, inst, n=30, index=None, item_labels=None, edit=None):
    d = {"index": index if index is not None else [float(i + 101) for i in range(n)],
         "submittime": ["2024/03/01 09:00:00"] * n, "totalseconds": [600.0] * n,
         "Q1": [float(1 + i % 4) for i in range(n)], **_items(inst, n)}
    df = pd.DataFrame(d)
    if edit:
        edit(df)
    labels = {**WJX, "Q1": "1、" + inst.role_question["zh"]}
    vvl = {"Q1": ROLES, **{c: item_labels for c in inst.item_codes if item_labels}}
    pyreadstat.write_sav(df, str(path), column_labels=[labels.get(c, c) for c in df.columns],
                         variable_value_labels=vvl)
    return path


def _bare(inst):
    """The study's instrument without any missing_codes (an analyst's own instrument)."""
    return parse_instrument({**inst.raw, "missing_codes": []}, inst.path)


@pytest.mark.parametrize("labelled", [False, True])
@pytest.mark.parametrize("bare", [False, True])
def test_sav_minus3_is_not_shown_minus2_is_blank(tmp_path, inst, labelled, bare):
    use = _bare(inst) if bare else inst
    scale = {1.0: "非常不同意", 2.0: "不同意", 3.0: "一般", 4.0: "同意", 5.0: "非常同意"}
    lab = {**scale, -3.0: "跳过", -2.0: "空"} if labelled else None
    raw = read_export(_sav(tmp_path / "w.sav", inst, item_labels=lab), use)
    f = raw.frame
    assert f["INT1"].iloc[:6].isna().all() and f["INT1"].iloc[6:].notna().all()
    assert {c: m.tolist() for c, m in raw.not_shown.items()} == {
        c: [True] * 4 + [False] * 26 for c in ("INT1", "INT2", "INT3", "INT4")}
    res = clean(raw, use, SCREEN)
    assert len(res.clean) == 30 and res.report["hits_by_rule"].get("out_of_range", 0) == 0


def test_sav_id_is_the_answer_sheet_number(tmp_path, inst):
    raw = read_export(_sav(tmp_path / "w.sav", inst), inst)
    assert raw.frame["response_id"].tolist()[:3] == ["101", "102", "103"]
    assert raw.column_map["index"] == "response_id" and "(data row number)" not in raw.column_map


def test_sav_repeated_answer_sheet_number_goes_to_the_duplicate_rule(tmp_path, inst):
    """As in the CSV/XLSX downloads (test_xlsx_repeated_serial_number_goes_to_the_duplicate_rule): the later
    sheet with a repeated 序号 is the duplicate_id rule's, not a refusal of the file."""
    p = _sav(tmp_path / "w.sav", inst, index=[float(101 + i % 29) for i in range(30)])
    raw = read_export(p, inst)
    assert raw.frame["response_id"].tolist()[-1] == "101"


def test_sav_unknown_negative_code_is_refused(tmp_path, inst):
    def edit(df):
        df.loc[7, "COL2"] = -4.0
    p = _sav(tmp_path / "w.sav", inst, edit=edit)
    with pytest.raises(OutOfRangeError, match=r"w\.sav:9:COL2: code -4 is no answer of the scale 1-5 and none of "
                                              r"Wenjuanxing's no-answer codes"):
        read_export(p, inst)


def test_sav_negative_code_the_instrument_lists_is_read_as_missing(tmp_path, inst):
    def edit(df):
        df.loc[7, "COL2"] = -1.0          # the study's instrument lists -1 under missing_codes
    raw = read_export(_sav(tmp_path / "w.sav", inst, edit=edit), inst)
    assert np.isnan(raw.frame.loc[7, "COL2"])


def test_minus3_on_a_scale_with_negative_points_is_refused(tmp_path, inst):
    doc = {**inst.raw, "scale": {"min": -3, "max": 3, "labels": {}}, "missing_codes": [], "attention_checks": {}}
    with pytest.raises(OutOfRangeError, match="is a point of the item's scale -3-3 and Wenjuanxing's code"):
        read_export(_sav(tmp_path / "w.sav", inst), parse_instrument(doc, inst.path))


def _xlsx(path, inst, rows):
    head = ["序号", "提交答卷时间", "所用时间", "1、" + inst.role_question["zh"]]
    head += [f"{i + 2}、({inst.items[c].zh})" for i, c in enumerate(inst.item_codes)]
    pd.DataFrame(rows, columns=head).to_excel(path, index=False)
    return path


def test_xlsx_text_download_skip_words_without_missing_codes(tmp_path, inst):
    """Before: an instrument without "(跳过)" in missing_codes refused the download (unknown response label)."""
    rows = [[str(i + 1), "2024/3/1 10:22:33", "300秒", "高校"] + ["同意"] * 24
            + (["(跳过)"] * 4 if i < 3 else ["(空)"] * 4 if i < 5 else ["不同意"] * 4) for i in range(12)]
    use = _bare(inst)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw = read_export(_xlsx(tmp_path / "w.xlsx", inst, rows), use)
    assert raw.frame["INT1"].isna().tolist() == [True] * 5 + [False] * 7
    assert raw.not_shown["INT1"].tolist() == [True] * 3 + [False] * 9
    assert raw.frame["response_id"].tolist()[:2] == ["1", "2"]


def test_xlsx_repeated_serial_number_goes_to_the_duplicate_rule(tmp_path, inst):
    """The text download's 序号 was already the id; a repeated one is left to the duplicate_id rule, as in every
    other format (the SPSS download's too)."""
    rows = [[str(min(i + 1, 5)), "2024/3/1 10:22:33", "300秒", "高校"] + ["同意"] * 28 for i in range(8)]
    raw = read_export(_xlsx(tmp_path / "w.xlsx", inst, rows), inst)
    assert raw.frame["response_id"].tolist() == ["1", "2", "3", "4", "5", "5", "5", "5"]


def test_clean_report_tells_not_shown_from_item_nonresponse(tmp_path, inst):
    """Before: the 120 cells skip logic hid (30 respondents x 4 INT items: -3) were counted as item nonresponse
    in the report and the terminal summary, with no word that they were never asked."""
    raw = read_export(_sav(tmp_path / "w.sav", inst), inst)
    res = clean(raw, inst, SCREEN)
    m = res.report["missing"]
    assert m["n_missing_cells"] == 24 and m["n_not_shown_cells"] == 16      # 4 rows x 4 items hidden, 2 x 4 blank
    assert "24 of 840 cells" in res.summary() and "16 of them questions not shown (skip logic), 8 item nonresponse" \
        in res.summary()
