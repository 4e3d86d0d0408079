"""Findings of the audit of real-layout exports (session 10, s18/exports): each probe's case, built in tmp_path."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest

from iur_survey.errors import ReadError, UnknownLabelError
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


def _item_rows(inst, n=12):
    head = ["ResponseId", "role", *inst.item_codes]
    return head, [[f"R{i}", "enterprise", *[3] * 28] for i in range(n)]


def test_excel_error_cells_are_refused_not_blank(tmp_path, inst):
    """A2, probe N_vlookup_na.xlsx: six cached #N/A (a VLOOKUP recode) were read as blank answers, rc 0."""
    import xlsxwriter

    head, rows = _item_rows(inst)
    p = tmp_path / "n.xlsx"
    wb = xlsxwriter.Workbook(str(p))
    ws = wb.add_worksheet("S")
    for r, vals in enumerate([head, *rows]):
        for c, v in enumerate(vals):
            ws.write(r, c, v)
    ws.write_formula(4, 5, "=VLOOKUP(Z5,codes!A:B,2,FALSE)", None, "#N/A")     # row 5, column F (GOV4)
    ws.write_formula(7, 2, "=1/0", None, "#DIV/0!")                            # row 8, GOV1
    ws.write(2, 30, "#N/A in an unread column")
    wb.close()
    with pytest.raises(ReadError, match=r"spreadsheet error #N/A \(2 such cells") as ei:
        read_export(p, inst)
    assert (ei.value.row, ei.value.column) == (5, "GOV4")
    csv_p = tmp_path / "n.csv"
    csv_p.write_text("\n".join(",".join(map(str, r)) for r in [head, *rows[:3], ["R9", "enterprise", "#N/A", *[3] * 27]])
                     + "\n")
    with pytest.raises(ReadError, match="'#N/A'") as ej:            # the same cell in a CSV: the same class
        read_export(csv_p, inst)
    assert type(ej.value) is type(ei.value)


def test_formula_without_saved_value_is_refused(tmp_path, inst):
    """A2: openpyxl/pandas write formulas with no cached value; calamine reads them blank."""
    openpyxl = pytest.importorskip("openpyxl")
    head, rows = _item_rows(inst)
    wb = openpyxl.Workbook()
    ws = wb.active
    for vals in [head, *rows]:
        ws.append(vals)
    ws["D4"] = "=C4"
    p = tmp_path / "f.xlsx"
    wb.save(p)
    with pytest.raises(ReadError, match="formula saved without its value") as ei:
        read_export(p, inst)
    assert (ei.value.row, ei.value.column) == (4, "GOV2")


def _wjx_role_vs_partner(tmp_path, inst, n=20):
    """Probe P: the role question worded unlike the instrument, one '其他' answer, and a later partner question
    whose answers are all group wordings."""
    roles, partners = ["企业", "高校", "科研院所", "政府"], ["政府", "企业", "高校", "科研院所"]
    head = ["序号", "提交答卷时间", "所用时间", "来自IP", "1、您的单位类型",
            *[f"{2 + k // 4}、({inst.items[c].zh})" for k, c in enumerate(inst.item_codes)], "9、您最主要的合作伙伴属于哪一类？"]
    words = ["非常不同意", "不同意", "一般", "同意", "非常同意"]
    rng = np.random.default_rng(11)
    body = [[str(i + 1), "2024/03/01 09:00:00", "500秒", f"1.1.1.{i}", "其他" if i == 7 else roles[i % 4],
             *[words[int(v)] for v in np.clip(rng.normal(3, 0.8, 28).round(), 1, 4)], partners[(i * 3) % 4]]
            for i in range(n)]
    p = tmp_path / "p.csv"
    p.write_bytes(("\r\n".join(",".join(r) for r in [head, *body]) + "\r\n").encode("gbk"))
    return p


def test_role_found_by_answers_in_two_columns_is_refused(tmp_path, inst):
    """A1, probe P_wjx_role_vs_partner.csv: the partner question was taken as the role (23.8 % right), silently."""
    p = _wjx_role_vs_partner(tmp_path, inst)
    with pytest.raises(ReadError, match=r"several columns hold its answers \('1、您的单位类型', '9、.*--role-column"):
        read_export(p, inst)
    with pytest.warns(UserWarning, match=r"1 response\(s\) answered '其他' \(rows 9\), which is none of the"):
        raw = read_export(p, inst, role_column="1、您的单位类型")        # as under a matching header
    assert raw.frame["role"].isna().tolist() == [i == 7 for i in range(20)]
    raw = read_export(p, inst, role_column="9、您最主要的合作伙伴属于哪一类？")     # the user's choice, said
    assert raw.role_column == {"header": "9、您最主要的合作伙伴属于哪一类？", "how": "columns map"}
    with pytest.raises(ReadError, match="names no column"):
        read_export(p, inst, role_column="Q99")


def test_role_found_by_answers_alone_is_reported(tmp_path, inst):
    """A1: one candidate is read, and the report says which column it was and how."""
    from iur_survey.clean import clean
    from iur_survey.read.assemble import RoleColumnWarning

    text = _wjx_role_vs_partner(tmp_path, inst).read_bytes().decode("gbk").replace("其他", "企业")
    rows = [",".join(r.split(",")[:-1]) for r in text.split("\r\n") if r]
    p = tmp_path / "one.csv"
    p.write_bytes("\r\n".join(rows).encode("gbk"))
    with pytest.warns(RoleColumnWarning, match="'1、您的单位类型'"):
        raw = read_export(p, inst)
    assert raw.role_column == {"header": "1、您的单位类型", "how": "answers"}
    report = clean(raw, inst).report
    assert report["source"]["role_column"] == {"header": "1、您的单位类型", "how": "answers"}


def test_other_please_specify_column_does_not_compete_with_the_role(tmp_path, inst):
    """C8, probe D3_sm_quirks.csv: 'two columns map to role' (the Other box) with no remedy, split over two lines."""
    q = inst.role_question["en"].rstrip("?") + " at present?\n(choose one)"
    head = ["Respondent ID", q, f"{q} - Other (please specify)", *inst.item_codes]
    body = [[str(i), "Enterprise", "", *["3"] * 28] for i in range(4)]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([head, *body])
    p = tmp_path / "sm.csv"
    p.write_text(buf.getvalue(), encoding="utf-8")
    raw = read_export(p, inst, format="csv")
    assert raw.role_column["header"] == q and raw.frame["role"].tolist() == ["enterprise"] * 4


def _qualtrics_text(tmp_path, inst, cells, n=12, name="q.csv"):
    """A one-header Qualtrics-like CSV (ResponseId, Finished, role, Q2_1...) whose item cells are ``cells(i, k)``."""
    head = ["ResponseId", "Finished", "Progress", inst.role_question["en"], *[f"Q2_{k + 1}" for k in range(28)]]
    cmap = {f"Q2_{k + 1}": c for k, c in enumerate(inst.item_codes)}
    body = [[f"R_{i}", "True", "100", "Enterprise", *[str(cells(i, k)) for k in range(28)]] for i in range(n)]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([head, *body])
    p = tmp_path / name
    p.write_text(buf.getvalue(), encoding="utf-8")
    return p, cmap


def _with_columns(inst, cmap):
    import dataclasses

    return dataclasses.replace(inst, columns={**inst.columns, **cmap})


def test_seven_point_wordings_split_over_columns_warn(tmp_path, inst):
    """C1, probe A_q_7pt_split.csv: 'Agree' (6/7) read as 4 beside 'Somewhat agree' in another column, no note."""
    from iur_survey.read.recode import scale_wording_notes  # noqa: F401 (the function the warning comes from)
    from iur_survey.read.assemble import ScaleWordingWarning

    words = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
    p, cmap = _qualtrics_text(tmp_path, inst, lambda i, k: "Somewhat agree" if k == 1 else words[(i + k) % 5])
    with pytest.warns(ScaleWordingWarning, match=r"scale code 4 as 'Agree' \(Q2_1\) and 'Somewhat agree' \(Q2_2\)"):
        raw = read_export(p, _with_columns(inst, cmap), format="csv")
    assert any("scale code 4" in w for w in raw.warnings)


def test_four_point_set_read_as_five_warns(tmp_path, inst):
    """C2, probe B_q_4pt.csv: SD/D/A/SA read as 1, 2, 4, 5 with no note that 3 never occurs."""
    from iur_survey.read.assemble import ScaleWordingWarning

    words = ["Strongly disagree", "Disagree", "Agree", "Strongly agree"]
    p, cmap = _qualtrics_text(tmp_path, inst, lambda i, k: words[(i + k) % 4])
    with pytest.warns(ScaleWordingWarning, match=r"no item answer is scale code 3 \(Neither agree nor disagree\)"):
        read_export(p, _with_columns(inst, cmap), format="csv")


def test_qualtrics_seen_but_unanswered_is_a_missing_item(tmp_path, inst):
    """C3, probe C_q_numeric_m99.csv: -99 excluded three respondents as out of range."""
    from iur_survey.clean import clean

    p = write_export(simulate(40, seed=5).frame, inst, "qualtrics", tmp_path / "q.csv")
    lines = p.read_text(encoding="utf-8-sig").splitlines()
    head = next(csv.reader([lines[0]]))
    k = head.index(next(h for h in head if h.startswith("Q2_")))
    for j in (5, 9, 20):
        rec = next(csv.reader([lines[j]]))
        rec[k] = "-99"
        buf = io.StringIO()
        csv.writer(buf, lineterminator="").writerow(rec)
        lines[j] = buf.getvalue()
    p.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    with pytest.warns(UserWarning, match="3 item cell"):
        raw = read_export(p, inst)
    item = raw.column_map[head[k]]
    assert raw.frame[item].isna().sum() >= 3 and not (raw.frame[item] == -99).any()
    assert "out_of_range" not in clean(raw, inst).report["hits_by_rule"]


def test_rows_without_a_role_are_counted(tmp_path, inst):
    """C5, probe F2_wjx_role_blank.csv: three rows with '(跳过)' or a blank role were kept with no word."""
    text = _wjx_role_vs_partner(tmp_path, inst).read_bytes().decode("gbk").split("\r\n")
    rows = [r.split(",")[:-1] for r in text if r]
    rows[0][4] = "1、" + inst.role_question["zh"]
    rows[3][4], rows[8][4], rows[7][4] = "(跳过)", "", "企业"
    p = tmp_path / "f2.csv"
    p.write_bytes("\r\n".join(",".join(r) for r in rows).encode("gbk"))
    with pytest.warns(UserWarning, match=r"2 response\(s\) have no role answer \(rows 4, 9\)"):
        raw = read_export(p, inst)
    assert raw.frame["role"].isna().sum() == 2


def test_short_row_is_refused_like_a_long_one(tmp_path, inst):
    """C7, probe T2_short_row.csv: a row of 20 of 40 fields was read with blank items and kept."""
    head = ["ResponseId", "role", *inst.item_codes, "Comment"]
    rows = [[f"R{i}", "enterprise", *["3"] * 28, ""] for i in range(5)]
    rows[3] = rows[3][:15]
    p = tmp_path / "t2.csv"
    p.write_text("\n".join(",".join(r) for r in [head, *rows]) + "\n", encoding="utf-8")
    with pytest.raises(ReadError, match=r"fewer fields than the header has columns \(31\)") as ei:
        read_export(p, inst)
    assert ei.value.row == 5
    rows[3] = [f"R3", "enterprise", *["3"] * 28, ""]      # an empty last cell is not a short row
    p.write_text("\n".join(",".join(r) for r in [head, *rows]) + "\n", encoding="utf-8")
    assert len(read_export(p, inst).frame) == 5


def test_same_email_twice_warns_and_is_never_written(tmp_path, inst):
    """C4, probe E3_gf_same_email_twice.csv: 81 of 81 rows kept with no word on the repeated address."""
    from iur_survey.clean import clean

    head = ["Timestamp", "Email Address", inst.role_question["en"], *[f"Rate [{inst.items[c].en}]" for c in inst.item_codes]]
    scale = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
    rng = np.random.default_rng(3)
    level = lambda: [scale[k] for k in np.clip(rng.integers(2, 5) + rng.integers(-1, 2, 28), 0, 4)]  # noqa: E731
    rows = [[f"2024/01/18 4:36:{i:02d} PM GMT+8", f"p{i}@example.org", "Enterprise", *level()] for i in range(6)]
    rows.append(["2024/01/19 9:00:00 AM GMT+8", " P2@Example.org", "Enterprise", *level()])
    p = tmp_path / "e3.csv"
    with open(p, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows([head, *rows])
    raw = read_export(p, inst)
    # the repeat gives other answers (a re-take, or two people at one mailbox?): kept, and its row named; a repeat
    # with the same answers is excluded by duplicate_id (tests/read/test_realexports.py)
    with pytest.warns(UserWarning, match=r"1 kept response\(s\) give an e-mail address \('Email Address'\).*rows 8"):
        res = clean(raw, inst)
    assert res.report["n_kept"] == 7
    out = res.write(tmp_path / "out")
    assert not any("@" in f.read_text(encoding="utf-8") for f in out.iterdir())
    from iur_survey.clean import CleanConfig

    with pytest.warns(UserWarning, match=r"1 kept response\(s\) give an e-mail address \('Email Address'\).*rows 8"):
        res = clean(raw, inst, CleanConfig.from_dict({"duplicate_id": {"by_email": False}}))
    assert res.report["n_kept"] == 7


def test_anonymous_in_an_email_column_is_no_address(tmp_path, inst):
    """Microsoft Forms writes 'anonymous' in Email for every anonymous response: no repeated address to warn of
    (audit s24 readaudit C2: '165 kept response(s) give an e-mail address ... an earlier kept response gave')."""
    import warnings

    from iur_survey.clean import clean

    head = ["ID", "Start time", "Completion time", "Email", "Name", inst.role_question["en"],
            *[inst.items[c].en for c in inst.item_codes]]
    rng = np.random.default_rng(5)
    rows = [[str(i + 1), f"9/22/22 10:{i:02d}:15", f"9/22/22 10:{i + 20:02d}:15", "anonymous", "", "Enterprise",
             *[str(k) for k in np.clip(rng.integers(2, 5) + rng.integers(-1, 2, 28), 1, 5)]] for i in range(8)]
    p = tmp_path / "msforms.csv"
    with open(p, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows([head, *rows])
    raw = read_export(p, inst)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        res = clean(raw, inst)
    assert not any("e-mail address" in str(w.message) for w in seen)
    assert not any("e-mail address" in w for w in res.report["warnings"])


def test_encoding_hint_only_for_a_non_ascii_value(tmp_path, inst):
    """C6, probe F_wjx_seq.csv: 'group code 1 ...' got a GB18030 hint although nothing was mis-decoded."""
    text = _wjx_role_vs_partner(tmp_path, inst).read_bytes().decode("gbk").split("\r\n")
    rows = [r.split(",")[:-1] for r in text if r]
    rows[0][4] = "1、" + inst.role_question["zh"]
    for r in rows[1:]:
        r[4] = "1"
    p = tmp_path / "seq.csv"
    p.write_bytes("\r\n".join(",".join(r) for r in rows).encode("gbk"))
    with pytest.raises(ReadError, match="group code 1") as ei:
        read_export(p, inst)
    assert "GB18030" not in ei.value.message


def test_cli_role_column_option(tmp_path, inst, capsys):
    """A1: `clean --role-column` chooses the role question; the refusal names the option; report.json says it."""
    import json

    from iur_survey.cli import main

    p = _wjx_role_vs_partner(tmp_path, inst)
    assert main(["clean", str(p), "--out", str(tmp_path / "a")]) == 2
    assert "--role-column HEADER" in capsys.readouterr().err
    assert main(["clean", str(p), "--role-column", "9、您最主要的合作伙伴属于哪一类？", "--out", str(tmp_path / "b")]) == 0
    rep = json.loads((tmp_path / "b" / "report.json").read_text(encoding="utf-8"))
    assert rep["source"]["role_column"] == {"header": "9、您最主要的合作伙伴属于哪一类？", "how": "columns map"}


@pytest.mark.parametrize("other", ["其他", "其它", "Other", "Others", "其他〖某咨询公司〗", "Other (please specify)"])
def test_an_other_role_answer_is_kept_without_a_role_and_never_mapped(tmp_path, inst, other):
    """B2 (journey audit): one '其他' made the whole export fail; it is no group of the study, so it is read as no
    answer, counted and warned apart from the blanks, and its free text is not repeated."""
    from iur_survey.clean import clean

    head = ["序号", "提交答卷时间", "所用时间", "1、您所在的单位属于以下哪一类？",
            *[f"{2 + k // 4}、({inst.items[c].zh})" for k, c in enumerate(inst.item_codes)]]
    roles = ["企业", "高校", "科研院所", "政府"]
    rng = np.random.default_rng(3)
    words = ["非常不同意", "不同意", "一般", "同意", "非常同意"]
    body = [[str(i + 1), "2024/03/01 09:00:00", "500秒", {3: other, 5: ""}.get(i, roles[i % 4]),
             *[words[int(v)] for v in np.clip(rng.normal(3, 0.8, 28).round(), 0, 4)]] for i in range(12)]
    p = tmp_path / "o.csv"
    p.write_text("\n".join(",".join(f'"{c}"' for c in r) for r in [head, *body]) + "\n", encoding="utf-8-sig")
    with pytest.warns(UserWarning) as rec:
        raw = read_export(p, inst)
    assert raw.frame["role"].isna().tolist() == [i in (3, 5) for i in range(12)]
    assert set(raw.frame["role"].dropna()) == set(inst.groups)
    note = next(w for w in raw.warnings if "none of the study's roles" in w)
    stem = other.split("〖")[0].split(" (")[0]
    assert note.startswith(f"1 response(s) have no role answer (rows 7); 1 response(s) answered '{stem}' (rows 5)")
    assert "咨询" not in note and "please specify" not in note
    assert any("none of the study's roles" in str(w.message) for w in rec)
    rep = clean(raw, inst).report
    assert any("none of the study's roles" in w for w in rep["warnings"])


def test_an_unknown_role_wording_names_the_fix_in_the_exports_language(tmp_path, inst):
    from iur_survey.read import recode
    with pytest.raises(UnknownLabelError, match=r"'国企' \(known: '企业', '高校', '科研院所', '政府'\); list it under "
                                               r"its group in the instrument's groups:, or, .* missing_codes"):
        recode.recode_role(pd.Series(["企业", "国企"]), np.array([2, 3]), "Q1", "q.csv", inst)
    with pytest.raises(UnknownLabelError, match=r"'Startup' \(known: 'Enterprise', 'University', 'Research institute'"):
        recode.recode_role(pd.Series(["Startup"]), np.array([2]), "Q1", "q.csv", inst)


def test_an_instrument_that_lists_other_as_a_group_keeps_it(inst):
    import dataclasses

    from iur_survey.read import recode
    inst2 = dataclasses.replace(inst, groups={**inst.groups, "other": ("Other", "其他")})
    got = recode.recode_role(pd.Series(["其他", "企业"]), np.array([2, 3]), "Q1", "q.csv", inst2).tolist()
    assert got == ["other", "enterprise"]


def test_blank_groups_of_another_group_column_are_worded_as_its_groups(tmp_path):
    """real31 (a REDCap 'sex' column): the warning said 'left out of any comparison across sexs'."""
    from iur_survey.instrument import load_instrument

    y = tmp_path / "i.yaml"
    y.write_text("name: t\nscale: {min: 1, max: 5}\nconstructs:\n  A: {items: [A1, A2, A3]}\n"
                 "group_column: sex\ngroups: {female: ['0'], male: ['1']}\n", encoding="utf-8")
    rows = ["ResponseId,sex,A1,A2,A3"] + [f"R{i},{'' if i == 2 else i % 2},3,4,{1 + i % 5}" for i in range(8)]
    p = tmp_path / "e.csv"
    p.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.warns(UserWarning, match="across sex groups"):
        raw = read_export(p, load_instrument(y))
    assert not any("sexs" in w for w in raw.warnings)
