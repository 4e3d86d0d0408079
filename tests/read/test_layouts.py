"""Layout variants: Qualtrics header rows, legacy tags, columns: map, WJX question styles,
matching by wording or by answers, missing id column."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from iur_survey.errors import MissingColumnError, ReadError
from iur_survey.instrument import parse_instrument
from iur_survey.read import detect_format, read_export
from iur_survey.read.assemble import ROW_NUMBER_ID
from iur_survey.read.match import candidates, text_key
from iur_survey.simulate.writers import expected_frame, write_export


def _lines(path):
    return path.read_bytes().split(b"\r\n")


def _same(raw, frame, inst, fmt, ignore=()):
    want = expected_frame(frame, inst, fmt).drop(columns=list(ignore))
    pd.testing.assert_frame_equal(raw.frame.drop(columns=["_row", *ignore]), want)


@pytest.mark.parametrize("keep", [(0, 1), (0,)], ids=["legacy-two-rows", "rows-2-3-deleted"])
def test_qualtrics_fewer_header_rows(tmp_path, inst, frame, keep):
    p = write_export(frame, inst, "qualtrics", tmp_path / "q.csv", labels="text", tags="codes")
    lines = _lines(p)
    p.write_bytes(b"\r\n".join([lines[i] for i in keep] + lines[3:]))
    assert detect_format(p, inst) == "qualtrics"
    raw = read_export(p, inst)
    _same(raw, frame, inst, "qualtrics")
    assert raw.frame["_row"].iloc[0] == len(keep) + 1


def test_qualtrics_qnum_tags_need_the_text_row(tmp_path, inst, frame):
    p = write_export(frame, inst, "qualtrics", tmp_path / "q.csv", tags="qnum")
    lines = _lines(p)
    p.write_bytes(b"\r\n".join([lines[0]] + lines[3:]))      # question text gone: Q5_1 means nothing
    with pytest.raises(MissingColumnError) as ei:
        read_export(p, inst)
    assert "GOV1" in ei.value.message


def test_columns_map_names_qnum_tags(tmp_path, inst, frame):
    p = write_export(frame, inst, "qualtrics", tmp_path / "q.csv", tags="qnum")
    lines = _lines(p)
    p.write_bytes(b"\r\n".join([lines[0]] + lines[3:]))
    doc = copy.deepcopy(dict(inst.raw))
    mapping = {}
    for q, construct in enumerate(inst.constructs.values(), start=2):
        for j, code in enumerate(construct.items, start=1):
            mapping[f"Q{q}_{j}"] = code
    mapping["Q1"] = inst.group_column
    doc["columns"] = mapping
    mapped = parse_instrument(doc, inst.path)
    raw = read_export(p, mapped)
    assert raw.column_map["Q2_1"] == "GOV1" and raw.column_map["Q1"] == "role"
    # ATT1 sits as Q5_5 and is not in the map: NaN, everything else identical
    _same(raw, frame, inst, "qualtrics", ignore=["ATT1"])
    assert raw.frame["ATT1"].isna().all()


def test_qualtrics_legacy_responseid_and_numeric_status(tmp_path, inst, frame):
    p = write_export(frame, inst, "qualtrics", tmp_path / "q.csv", labels="codes")
    text = p.read_bytes().decode("utf-8-sig").replace("ResponseId", "ResponseID", 1)
    p.write_bytes(text.encode("utf-8"))
    raw = read_export(p, inst)
    assert raw.column_map["ResponseID"] == "response_id"
    status = frame["_status"].astype(object).where(frame["_status"].notna(), None).tolist()
    assert raw.frame["_status"].astype(object).where(raw.frame["_status"].notna(), None).tolist() == status


@pytest.mark.parametrize("code,label", [(0, "IP Address"), (1, "Survey Preview"), (2, "Survey Test"),
                                        (4, "Imported"), (8, "Spam"), (9, "Survey Preview Spam"),
                                        (16, "Offline"), (17, "Offline Survey Preview")])
def test_qualtrics_status_codes(tmp_path, inst, frame, code, label):
    p = write_export(frame, inst, "qualtrics", tmp_path / "q.csv", labels="codes")
    lines = _lines(p)
    header = lines[0].decode("utf-8-sig").split(",")
    k = header.index("Status")
    cells = lines[3].decode().split(",")
    cells[k] = str(code)
    lines[3] = ",".join(cells).encode()
    p.write_bytes(b"\r\n".join(lines))
    assert read_export(p, inst).frame.loc[0, "_status"] == label


def test_wjx_match_by_english_wording_and_role_by_answers(tmp_path, inst, frame):
    p = write_export(frame, inst, "wjx_csv", tmp_path / "w.csv", labels="text", language="en")
    text = p.read_bytes().decode("gb18030").replace(inst.role_question["en"], "Organisation type")
    p.write_bytes(text.encode("gb18030"))
    raw = read_export(p, inst)
    assert raw.column_map["1、Organisation type"] == "role"
    _same(raw, frame, inst, "wjx_csv")


def test_wjx_numeric_role_needs_the_question(tmp_path, inst_codes, frame):
    inst = inst_codes
    p = write_export(frame, inst, "wjx_csv", tmp_path / "w.csv", labels="codes", language="zh")
    text = p.read_bytes().decode("gb18030").replace(inst.role_question["zh"], "单位类型")
    p.write_bytes(text.encode("gb18030"))
    with pytest.raises(MissingColumnError) as ei:     # 1-4 answers alone do not say "role"
        read_export(p, inst)
    assert "role" in ei.value.message


@pytest.mark.parametrize("header", [
    "7、(政府积极引导企业、高校和科研院所之间的合作创新机制。)",
    "7、请评价以下说法—政府积极引导企业、高校和科研院所之间的合作创新机制。",
    "7(政府积极引导企业、高校和科研院所之间的合作创新机制)",
    "7、政府积极引导企业、高校和科研院所之间的合作创新机制",
    "Q7. The government actively guides the cooperative innovation mechanism between enterprises, "
    "universities and research institutes.",
])
def test_header_variants_give_the_item(header, inst):
    keys = set(candidates(header))
    assert text_key(inst.items["GOV1"].zh) in keys or text_key(inst.items["GOV1"].en) in keys


def test_partial_and_ambiguous_text(tmp_path, inst):
    base = ["序号", "提交答卷时间", "1、您所在的单位属于以下哪一类？"]
    items = [f"{i + 2}、({inst.items[c].zh})" for i, c in enumerate(inst.item_codes)]
    # a truncated statement still matches (unique substring)
    items[0] = items[0].replace("之间的合作创新机制。", "")
    row = ["1", "2023/3/1 10:00:00", "企业"] + ["3"] * 28
    p = tmp_path / "w.csv"
    p.write_text(",".join(base + items) + "\n" + ",".join(row) + "\n", encoding="utf-8-sig")
    raw = read_export(p, inst)
    assert raw.column_map[items[0]] == "GOV1" and raw.frame.loc[0, "GOV1"] == 3.0
    # a header holding two unmatched statements is refused, naming the header
    items[1] = f"3、({inst.items['GOV2'].zh}{inst.items['GOV3'].zh})"
    items[2] = "4、您的姓名："
    p.write_text(",".join(base + items) + "\n" + ",".join(row) + "\n", encoding="utf-8-sig")
    with pytest.raises(ReadError) as ei:
        read_export(p, inst)
    assert ei.value.column == items[1] and "GOV2" in ei.value.message and "GOV3" in ei.value.message


def test_missing_id_uses_row_number(tmp_path, inst, frame):
    p = write_export(frame, inst, "csv", tmp_path / "x.csv")
    df = pd.read_csv(p, dtype=str, keep_default_na=False).drop(columns=["ResponseId"])
    df.to_csv(p, index=False)
    raw = read_export(p, inst)
    assert raw.frame["response_id"].tolist() == [str(i) for i in range(1, len(frame) + 1)]
    assert raw.column_map[ROW_NUMBER_ID] == "response_id"


def test_shuffled_columns_read_the_same(tmp_path, inst, frame):
    p = write_export(frame, inst, "csv", tmp_path / "x.csv")
    df = pd.read_csv(p, dtype=str, keep_default_na=False)
    cols = list(df.columns)
    rng = np.random.default_rng(4)
    rng.shuffle(cols)
    q = tmp_path / "y.csv"
    df[cols].to_csv(q, index=False)
    a, b = read_export(p, inst), read_export(q, inst)
    pd.testing.assert_frame_equal(a.frame, b.frame)
    assert sorted(a.dropped_columns) == sorted(b.dropped_columns)


def test_xlsx_qualtrics_and_plain_detected(tmp_path, inst, frame):
    q = write_export(frame, inst, "qualtrics", tmp_path / "q.xlsx", labels="text", language="zh")
    x = write_export(frame, inst, "xlsx", tmp_path / "x.xlsx")
    assert detect_format(q, inst) == "qualtrics" and detect_format(x, inst) == "xlsx"
    _same(read_export(q, inst), frame, inst, "qualtrics")


def test_spss_value_labels_decide_codes(tmp_path, inst, frame):
    """A .sav whose codes are not the scale codes (labels say which) is recoded by label."""
    import pyreadstat
    p = tmp_path / "s.sav"
    df = pd.DataFrame({"ResponseId": ["a", "b", "c"], "role": [11.0, 12.0, np.nan]})
    labels = {"role": {11.0: "企业", 12.0: "Government"}}
    for code in (*inst.item_codes, *inst.attention_checks):
        df[code] = [6.0, 10.0, 99.0]
        labels[code] = {6.0: "Strongly disagree", 10.0: "Strongly agree", 99.0: "(跳过)"}
    pyreadstat.write_sav(df, str(p), variable_value_labels=labels)
    raw = read_export(p, inst)
    assert raw.frame["role"].tolist()[:2] == ["enterprise", "government"] and pd.isna(raw.frame.loc[2, "role"])
    assert raw.frame["GOV1"].tolist()[:2] == [1.0, 5.0] and np.isnan(raw.frame.loc[2, "GOV1"])


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_transposed_sheet_says_the_responses_are_in_columns(tmp_path, inst, frame, suffix):
    # a copy pasted transposed (real32: a typed questionnaire with one response per column) met "the layout
    # matches no known export"; the instrument's items down the first column are named, with the fix
    from iur_survey.errors import FormatDetectionError

    t = frame.head(6).set_index("response_id").T
    t.index.name = "question"
    p = tmp_path / f"t{suffix}"
    t.to_csv(p) if suffix == ".csv" else t.to_excel(p)
    with pytest.raises(FormatDetectionError, match="the responses seem to be in columns; transpose the sheet"):
        read_export(p, inst)
