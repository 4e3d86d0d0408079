"""Exports whose coding cannot be read with certainty are refused, never recoded half-way (an outside audit's
variants of simulated exports: a 7-point scale, 0-4 and -99 codes, endpoint-only SPSS labels, translated statuses,
day-first dates, e-mail ids, formula columns without values)."""

from __future__ import annotations

import csv
import datetime as dt
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from iur_survey.errors import MissingColumnError, OutOfRangeError, ReadError, UnknownLabelError
from iur_survey.instrument import load_instrument
from iur_survey.read import read_export
from iur_survey.read.recode import AmbiguousDateWarning
from iur_survey.simulate import simulate
from iur_survey.simulate.writers import write_export

INST = load_instrument()
ITEMS = list(INST.item_codes)


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    """200 simulated respondents, contamination included (seed 5)."""
    return simulate(200, seed=5).frame


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(path.open(encoding="utf-8-sig", newline="")))


def _write(rows: list[list[str]], path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _edit(path: Path, dest: Path, column: str, cells: dict[int, str]) -> Path:
    """The export with the cells of ``column`` on the given rows (0 = the header row) set."""
    rows = _rows(path)
    j = rows[0].index(column)
    for i, v in cells.items():
        rows[i][j] = v
    return _write(rows, dest)


def _map_items(path: Path, dest: Path, func) -> Path:
    """The plain CSV export with every item cell passed through ``func``."""
    rows = _rows(path)
    idx = [rows[0].index(c) for c in ITEMS]
    for r in rows[1:]:
        for j in idx:
            r[j] = func(r[j])
    return _write(rows, dest)


@pytest.fixture(scope="module")
def plain(frame, tmp_path_factory) -> Path:
    return write_export(frame, INST, "csv", tmp_path_factory.mktemp("plain") / "e.csv")


def test_a_seven_point_wording_set_is_refused(frame, tmp_path):
    """'Agree' and 'Somewhat agree' both mean 4 on the instrument: in one column they are two points of a longer scale."""
    path = write_export(frame, INST, "csv", tmp_path / "labels.csv", labels="text")
    rows = _rows(path)
    j = rows[0].index("GOV1")
    for k, r in enumerate(rows[1:]):
        if r[j] == "Agree" and k % 2:
            r[j] = "Somewhat agree"
    with pytest.raises(UnknownLabelError, match="both mean scale code 4: the export's scale has more points") as ei:
        read_export(_write(rows, tmp_path / "seven.csv"), INST)
    assert ei.value.column == "GOV1"


def test_the_rarer_of_two_wordings_of_one_code_is_the_one_named():
    """完全不同意 once among 非常不同意 (both 1): the error is on 完全不同意's row, not on the common wording's."""
    from iur_survey.read.recode import recode_items
    cells = pd.Series(["同意", "完全不同意", "同意", "非常不同意", "非常不同意", "非常不同意"])
    with pytest.raises(UnknownLabelError, match="^w.csv:3:Q5_1: '完全不同意' and '非常不同意' both mean scale code 1"):
        recode_items(cells, np.arange(2, 8), "Q5_1", "w.csv", INST)


@pytest.mark.parametrize("shift, code", [(lambda v: str(int(float(v)) - 1), "0"),           # 0-4 coding
                                         (lambda v: "6" if v == "5" else v, "6")])         # recode value 6
def test_a_common_out_of_scale_code_is_the_exports_coding(plain, tmp_path, shift, code):
    path = _map_items(plain, tmp_path / "shifted.csv", lambda v: shift(v) if v.strip() in "12345" and v else v)
    with pytest.raises(OutOfRangeError, match=f"code {code} is outside the scale 1-5 in .* answers of this column"):
        read_export(path, INST)


def test_minus_99_for_a_skipped_item_is_refused_with_the_hint(plain, tmp_path):
    path = _map_items(plain, tmp_path / "m99.csv", lambda v: "-99" if v == "" else v)
    with pytest.raises(OutOfRangeError, match="code -99 .* declare the code in the instrument's missing_codes"):
        read_export(path, INST)


def test_a_rare_out_of_scale_code_is_left_to_the_out_of_range_rule(plain, tmp_path):
    raw = read_export(_edit(plain, tmp_path / "slip.csv", "MKT2", {5: "9"}), INST)
    assert (raw.frame["MKT2"] == 9).sum() >= 1


def test_an_item_column_blank_in_every_row_is_refused(plain, tmp_path):
    blank = _edit(plain, tmp_path / "blank.csv", "GOV3", {i: "" for i in range(1, len(_rows(plain)))})
    with pytest.raises(MissingColumnError, match="item GOV3 has no answer in any of the"):
        read_export(blank, INST)


def test_status_text_not_written_by_qualtrics_is_refused(frame, tmp_path):
    path = write_export(frame, INST, "qualtrics", tmp_path / "q.csv")
    with pytest.raises(UnknownLabelError, match="unknown status 'Umfragevorschau'") as ei:
        read_export(_edit(path, tmp_path / "de.csv", "Status", {7: "Umfragevorschau"}), INST)
    assert ei.value.row == 8


def test_an_email_as_the_response_id_is_refused(plain, tmp_path):
    with pytest.raises(ReadError, match="the response id holds an e-mail address") as ei:
        read_export(_edit(plain, tmp_path / "mail.csv", "ResponseId", {3: "li.na@example.com"}), INST)
    assert "example.com" not in str(ei.value) and ei.value.row == 4


@pytest.mark.parametrize("value, kind", [("221.166.225.228", "an IP address"), ("+86 138 1003 5003", "a phone number"),
                                         ("18076241578", "a phone number"), ("177-1285-1320", "a phone number"),
                                         ("11010519491231002X", "an ID-card number")])
def test_personal_data_as_the_response_id_is_refused(plain, tmp_path, value, kind):
    """Not only e-mail addresses: every pattern the package masks is refused as an id, the value never quoted."""
    with pytest.raises(ReadError, match=f"the response id holds {kind}: .*remove this one") as ei:
        read_export(_edit(plain, tmp_path / "pii.csv", "ResponseId", {5: value}), INST)
    assert ei.value.row == 6 and ei.value.column == "ResponseId"
    assert value not in str(ei.value) and value.replace(" ", "") not in str(ei.value)


@pytest.mark.parametrize("column", ["Name", "Phone", "IPAddress", "Email"])
def test_an_id_taken_from_a_personal_column_is_refused(plain, tmp_path, column):
    """An id equal to the export's own name (张霞芳), phone, IP or e-mail cell: refused even when no pattern
    says so (a name has none), naming the column it comes from."""
    rows = _rows(plain)
    j, i = rows[0].index(column), rows[0].index("ResponseId")
    k = next(k for k in range(1, len(rows)) if rows[k][j])
    rows[k][j] = "张霞芳" if column == "Name" else rows[k][j]
    rows[k][i] = rows[k][j]
    with pytest.raises(ReadError, match=f"the response id (is a value of the export's '{column}' column|holds)") as ei:
        read_export(_write(rows, tmp_path / "from.csv"), INST)
    assert ei.value.row == k + 1 and rows[k][j] not in str(ei.value)


def test_numeric_platform_ids_are_not_taken_for_phone_numbers(plain, tmp_path):
    """SurveyMonkey's 12-digit respondent ids, a long serial and an 18-digit number without a birth date are ids."""
    n = len(_rows(plain)) - 1
    ids = {k: v for k, v in zip(range(1, n + 1), (f"{114047938547 + k}" for k in range(n)))}
    ids[3], ids[4] = "123456789012345678", "20240101"
    raw = read_export(_edit(plain, tmp_path / "sm_ids.csv", "ResponseId", ids), INST)
    assert raw.frame["response_id"].iloc[0] == "114047938547"


# -- dates: one day-month order per column ------------------------------------------------------------------
def _dated(plain: Path, dest: Path, fmt: str, extra: list[str] | None = None) -> tuple[Path, list[str]]:
    rows = _rows(plain)
    j = rows[0].index("RecordedDate")
    iso = [r[j] for r in rows[1:]]
    for r in rows[1:]:
        if r[j]:
            r[j] = pd.Timestamp(r[j]).strftime(fmt)
    for k, v in enumerate(extra or []):
        rows[1 + k][j] = v
    return _write(rows, dest), iso


def test_day_first_dates_are_read_day_first_throughout(plain, tmp_path):
    """Excel in a European locale: 14/04/2022 makes the column day-first, so 02/05/2022 is 2 May, never 5 February."""
    path, iso = _dated(plain, tmp_path / "uk.csv", "%d/%m/%Y %H:%M:%S")
    got = read_export(path, INST).frame["_submitted"]
    want = pd.to_datetime(pd.Series(iso).replace("", None))
    assert (got.to_numpy() == want.to_numpy()).sum() == want.notna().sum()


def test_dates_in_both_orders_are_refused(plain, tmp_path):
    path, _ = _dated(plain, tmp_path / "mixed.csv", "%d/%m/%Y %H:%M:%S", extra=["04/15/2022 10:00:00"])
    with pytest.raises(ReadError, match="the dates mix day-first .* and month-first"):
        read_export(path, INST)


def test_dates_no_value_decides_are_read_month_first_with_a_warning(plain, tmp_path):
    rows = _rows(plain)
    j = rows[0].index("RecordedDate")
    for k, r in enumerate(rows[1:]):
        r[j] = f"0{1 + k % 9}/0{1 + k % 7}/2022 10:00:00"
    with pytest.warns(AmbiguousDateWarning, match="read month-first"):
        raw = read_export(_write(rows, tmp_path / "ambiguous.csv"), INST)
    assert raw.frame["_submitted"].iloc[1] == pd.Timestamp("2022-02-02 10:00:00")


# -- SPSS value labels --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sav(frame, tmp_path_factory) -> tuple[pd.DataFrame, dict, Path]:
    path = write_export(frame, INST, "spss", tmp_path_factory.mktemp("sav") / "e.sav")
    df, meta = pyreadstat.read_sav(str(path))
    items = [c for c in df.columns if meta.variable_value_labels.get(c) and c.startswith("Q")
             and set(meta.variable_value_labels[c]) >= {1.0, 5.0} and c != "Q1"]
    labels = {c: meta.column_names_to_labels.get(c) or c for c in df.columns}
    labels["_vvl"] = meta.variable_value_labels
    return df, labels, items


def _write_sav(df: pd.DataFrame, labels: dict, vvl: dict, path: Path, **kw) -> Path:
    pyreadstat.write_sav(df, str(path), column_labels=[labels[c] for c in df.columns],
                         variable_value_labels={**labels["_vvl"], **vvl}, **kw)
    return path


def test_spss_labels_on_the_end_points_only_that_reverse_the_scale_are_refused(sav, tmp_path):
    df, labels, items = sav
    df = df.copy()
    df[items] = 6 - df[items]
    vvl = {c: {1.0: "Strongly agree", 5.0: "Strongly disagree"} for c in items}
    with pytest.raises(UnknownLabelError, match="but codes 2, 3, 4 of the data have no label"):
        read_export(_write_sav(df, labels, vvl, tmp_path / "ends.sav"), INST)


def test_spss_labels_of_declared_user_missing_codes_are_not_read_as_answers(sav, tmp_path):
    df, labels, items = sav
    df = df.copy()
    df.loc[df.index[:10], items[0]] = 9.0
    full = {1.0: "Strongly disagree", 2.0: "Disagree", 3.0: "Neither agree nor disagree", 4.0: "Agree",
            5.0: "Strongly agree", 9.0: "No answer"}
    five = {k: v for k, v in full.items() if k != 9.0}
    vvl = {c: full if c == items[0] else five for c in items}
    path = _write_sav(df, labels, vvl, tmp_path / "um.sav", missing_ranges={items[0]: [9.0]})
    raw = read_export(path, INST)
    target = raw.column_map[items[0]]
    assert raw.frame[target].iloc[:10].isna().all() and raw.frame[target].iloc[10:].notna().any()


def test_an_spss_group_label_of_no_group_is_named(sav, tmp_path):
    """Code 4 labelled 'Govt' (no wording of the instrument): the error names the label, not only the code."""
    df, labels, _ = sav
    codes = {k: v for k, v in labels["_vvl"]["Q1"].items()}
    govt = next(k for k, v in codes.items() if str(v).lower().startswith("gov"))
    path = _write_sav(df, labels, {"Q1": {**codes, govt: "Govt"}}, tmp_path / "govt.sav")
    with pytest.raises(UnknownLabelError, match=r"unknown stakeholder group 'Govt' \(known: ") as ei:
        read_export(path, INST)
    assert ei.value.row == int(np.flatnonzero(df["Q1"].to_numpy() == govt)[0]) + 2 and ei.value.column == "Q1"


def test_a_duration_as_a_time_span_is_read():
    from iur_survey.read.recode import parse_duration
    assert parse_duration("0:02:53") == parse_duration(dt.timedelta(seconds=173)) == parse_duration(dt.time(0, 2, 53))
    with pytest.raises(ValueError):
        parse_duration("2:53")          # minutes:seconds or hours:minutes? refused


def test_a_negative_duration_is_refused(plain, tmp_path):
    """It would make every respondent "far beyond" the speeder cut-off of a median it distorts."""
    with pytest.raises(ReadError, match="duration '-300' is negative") as ei:
        read_export(_edit(plain, tmp_path / "neg.csv", "Duration", {4: "-300"}), INST)
    assert (ei.value.row, ei.value.column) == (5, "Duration")


def test_what_the_reader_assumed_reaches_the_report(plain, tmp_path):
    from iur_survey.clean import clean
    rows = _rows(plain)
    j = rows[0].index("RecordedDate")
    for k, r in enumerate(rows[1:]):
        r[j] = f"0{1 + k % 9}/0{1 + k % 7}/2022 10:00:00"
    with pytest.warns(AmbiguousDateWarning):
        raw = read_export(_write(rows, tmp_path / "ambiguous.csv"), INST)
    assert len([w for w in raw.warnings if "month-first" in w]) == 1   # (and any e-mail repeat the frame holds)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rep = clean(raw, INST).report
    assert any(w.startswith("reading the export: ") and "month-first" in w for w in rep["warnings"])


def test_merged_cells_in_the_data_and_summary_rows_are_refused(frame, tmp_path):
    import openpyxl
    path = write_export(frame, INST, "xlsx", tmp_path / "e.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws.merge_cells("B5:B9")
    wb.save(tmp_path / "merged.xlsx")
    with pytest.raises(ReadError, match=r"merged cells below its header \(B5:B9\)"):
        read_export(tmp_path / "merged.xlsx", INST)
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws.append([])
    ws.append(["Mean"] + [None] + [3.0] * 28)
    wb.save(tmp_path / "summary.xlsx")
    with pytest.raises(ReadError, match="looks like a summary of the data \\('Mean', and no group\\)"):
        read_export(tmp_path / "summary.xlsx", INST)


def test_a_windows_encoded_export_asks_for_encoding_and_reads_with_it(plain, tmp_path):
    from iur_survey.cli import main
    from iur_survey.errors import EncodingError
    rows = _rows(plain)
    j = rows[0].index("Comment")
    rows[2][j] = "Zusammenarbeit: gut, ö, très bien"          # ö before a comma is not GB18030 either
    text = _write(rows, tmp_path / "u.csv").read_text(encoding="utf-8")
    path = tmp_path / "cp1252.csv"
    path.write_bytes(text.encode("cp1252", errors="replace"))      # (the names in Chinese become ?)
    with pytest.raises(EncodingError, match="pass the file's encoding with --encoding"):
        read_export(path, INST)
    assert len(read_export(path, INST, encoding="cp1252").frame) == len(rows) - 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(["clean", str(path), "--encoding", "cp1252", "--out", str(tmp_path / "out")]) == 0


def test_an_spss_label_no_cell_uses_does_not_refuse_the_file(sav, tmp_path):
    """``-9 "No answer"`` left on an item no respondent skipped cannot change an answer: read, with a warning
    naming it; the same label on a code a cell holds is still refused."""
    df, labels, items = sav
    df = df.copy()
    full = {1.0: "Strongly disagree", 2.0: "Disagree", 3.0: "Neither agree nor disagree", 4.0: "Agree",
            5.0: "Strongly agree"}
    vvl = {c: {**full, -9.0: "No answer"} for c in items}
    assert not (df[items] == -9).any().any()
    with pytest.warns(UserWarning, match=r"-9 'No answer' matches no wording .* no cell holds that code"):
        raw = read_export(_write_sav(df, labels, vvl, tmp_path / "unused.sav"), INST)
    assert sum("-9 'No answer'" in w for w in raw.warnings) == len(items)
    target = raw.column_map[items[0]]
    assert np.allclose(raw.frame[target].to_numpy(dtype=float), df[items[0]].to_numpy(dtype=float), equal_nan=True)
    df.loc[df.index[:3], items[0]] = -9.0
    with pytest.raises(UnknownLabelError, match=r"only partly: -9 'No answer' matches no wording"):
        read_export(_write_sav(df, labels, vvl, tmp_path / "used.sav"), INST)


def test_a_format_given_wrong_names_the_format_the_file_looks_like(frame, tmp_path):
    """`clean --format wjx` on a Qualtrics export said only "lacks 28 columns"."""
    path = write_export(frame, INST, "qualtrics", tmp_path / "q.csv")
    with pytest.raises(MissingColumnError, match=r"lacks 28 column.*; the file looks like a Qualtrics export, not "
                                                 r"Wenjuanxing .*--format qualtrics"):
        read_export(path, INST, format="wjx")


def test_a_missing_item_over_an_empty_header_cell_names_that_column(frame, tmp_path):
    """A merged or blanked header cell where an item's code stood: the error names the empty column too (it named
    only the missing item; audit s22 C3)."""
    rows = _rows(write_export(frame, INST, "csv", tmp_path / "e.csv"))
    k = rows[0].index("GOV2")
    rows[0][k] = ""
    with pytest.raises(MissingColumnError, match=rf"lacks 1 column.*GOV2.*; column {k + 1} of the export has an "
                                                 r"empty header: a merged or blank header cell\?"):
        read_export(_write(rows, tmp_path / "blank.csv"), INST)
