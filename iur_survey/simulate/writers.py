"""Write a simulated (standard) frame as a realistic survey export.

:func:`write_export` lays the frame out as Qualtrics, Wenjuanxing (CSV or XLSX), SPSS,
plain CSV or plain XLSX would, personal columns included (``_email``, ``_name``,
``_phone``, ``_location``, ``_comment`` go where those exports keep e-mails, names,
phones, coordinates and free text), so that the readers of :mod:`iur_survey.read` can
be shown to drop them.  Reading the file back gives the standard frame again:
:func:`expected_frame` says exactly what the reader returns (a format that has no
status column gives NA there, Wenjuanxing durations are whole seconds).

>>> import tempfile, os
>>> from iur_survey.instrument import load_instrument
>>> from iur_survey.read import read_export
>>> from iur_survey.simulate import simulate
>>> inst = load_instrument()
>>> frame = simulate(30, seed=2).frame
>>> with tempfile.TemporaryDirectory() as d:
...     p = write_export(frame, inst, "wjx_csv", os.path.join(d, "wjx.csv"), labels="text", language="zh")
...     raw = read_export(p, inst)
>>> raw.format, raw.frame.drop(columns="_row").equals(expected_frame(frame, inst, "wjx_csv"))
('wjx', True)
"""

from __future__ import annotations

import csv
import datetime as _dt
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..read.base import conform_frame
from ..read.recode import QUALTRICS_STATUS

#: the export formats :func:`write_export` writes
FORMATS = ("qualtrics", "wjx_csv", "wjx_xlsx", "spss", "csv", "xlsx")
#: the :func:`iur_survey.read.read_export` format each export is read back as
READ_FORMAT = {"qualtrics": "qualtrics", "wjx_csv": "wjx", "wjx_xlsx": "wjx", "spss": "spss", "csv": "csv",
               "xlsx": "xlsx"}
_STATUS_CODE = {v: k for k, v in QUALTRICS_STATUS.items()}
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_REVERSE_NOTE = re.compile(r"\s*[(（]\s*(?:reverse-keyed|反向题)\s*[)）]\s*$")
_WJX_PLACES = ["辽宁-沈阳", "辽宁-大连", "辽宁-鞍山", "辽宁-抚顺", "辽宁-锦州", "辽宁-营口", "辽宁-辽阳",
               "辽宁-丹东", "北京-北京", "上海-上海"]
_WJX_SOURCES = ["手机提交", "微信", "链接"]
_DATE_FMT = "%Y-%m-%d %H:%M:%S"
_WJX_DATE_FMT = "%Y/%m/%d %H:%M:%S"

_TEXT = {
    "matrix": {"en": "How far do you agree with the following statements about {label}?",
               "zh": "请根据您单位的实际情况，评价以下关于“{label}”的说法"},
    "comment": {"en": "Is there anything else you would like to tell us about your collaboration?",
                "zh": "您对产学研合作还有什么意见或建议？"},
    "phone": {"en": "Your phone number (optional, for a follow-up interview)",
              "zh": "您的手机号码（选填，便于回访）："},
    "name": {"en": "Your name (optional)", "zh": "您的姓名（选填）："},
}


# -- wording helpers ------------------------------------------------------------------
def wording(words, language: str) -> str:
    """The first wording of ``words`` in ``language`` (``"zh"``: has Chinese characters).

    >>> wording(["Strongly agree", "非常同意"], "zh"), wording(["Strongly agree", "非常同意"], "en")
    ('非常同意', 'Strongly agree')
    """
    for w in words:
        if bool(_CJK.search(w)) == (language == "zh"):
            return w
    return words[0]


def item_text(instrument, code: str, language: str) -> str:
    """What the respondent reads for an item or attention check (no "(reverse-keyed)" note).

    >>> from iur_survey.instrument import load_instrument
    >>> item_text(load_instrument(), "GOV3", "zh")
    '政府的管理增加了寻找合作伙伴和分享成果的成本与风险。'
    """
    if code in instrument.items:
        item = instrument.items[code]
        text = item.zh if language == "zh" else item.en
    else:
        words = instrument.attention_items.get(code, {})
        text = words.get(language) or next(iter(words.values()), code)
    return _REVERSE_NOTE.sub("", text)


def _check(fmt, labels, language, tags):
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if labels not in ("codes", "text"):
        raise ValueError(f"labels must be 'codes' or 'text', got {labels!r}")
    if language not in ("en", "zh"):
        raise ValueError(f"language must be 'en' or 'zh', got {language!r}")
    if tags not in ("qnum", "codes"):
        raise ValueError(f"tags must be 'qnum' or 'codes', got {tags!r}")


def _cell_number(x) -> str:
    """A number as an export cell: ``""`` for NaN, ``"3"`` for 3.0, else the shortest repr."""
    if x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA:
        return ""
    f = float(x)
    return str(int(f)) if f.is_integer() and abs(f) < 2 ** 53 else repr(f)


def _map_col(values, func) -> list:
    """``func`` applied per distinct value (NaN/None/NA handled by ``func`` via ``None``)."""
    s = pd.Series(values, dtype=object)
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    mapped = np.array([func(u) for u in uniques] + [func(None)], dtype=object)
    return mapped[codes].tolist()


def _is_na(v) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _str_or(v, default=""):
    return default if _is_na(v) else str(v)


def _column(frame, name, n):
    return frame[name].tolist() if name in frame.columns else [None] * n


class _Layout:
    """Columns of an export being built: headers, extra header rows and cell lists."""

    def __init__(self):
        self.headers: list[str] = []
        self.texts: list[str] = []
        self.ids: list[str] = []
        self.cells: list[list] = []

    def add(self, header: str, cells: list, text: str = "", import_id: str = "") -> None:
        self.headers.append(header)
        self.texts.append(text if text else header)
        self.ids.append(import_id)
        self.cells.append(cells)

    def rows(self) -> list[list]:
        return [list(r) for r in zip(*self.cells)] if self.cells else []


def _scale_labels(instrument, code: str, language: str) -> dict:
    """Code -> wording of the item's own scale (an item on a scale of its own has only its scale's wordings: "Agree"
    is 4 on 1-5 and 6 on 1-7)."""
    return {float(k): wording(v, language) for k, v in instrument.scale_of(code).labels.items()}


def _item_cells(values, instrument, labels: str, language: str, missing: str = "", code: str | None = None) -> list:
    lab = ({float(k): wording(v, language) for k, v in instrument.labels.items()} if code is None else
           _scale_labels(instrument, code, language))

    def func(u):
        if _is_na(u):
            return missing
        f = float(u)
        if labels == "text" and f in lab:
            return lab[f]
        return _cell_number(f)

    return _map_col(values, func)


def _spss_group_codes(instrument, language: str) -> tuple[dict, dict]:
    """Group key -> SPSS value and value label: the numeric codes the instrument lists for its
    groups when every group lists one (psych's bfi: gender 1 = male, 2 = female; codes are
    wordings, never positions), else positions 1, 2, ...; the label is the group's first
    wording in ``language`` that is not a number."""
    keys = list(instrument.groups)
    listed = {k: next((w.strip() for w in instrument.groups[k] if re.fullmatch(r"-?\d+", w.strip())), None)
              for k in keys}
    if all(v is not None for v in listed.values()) and len(set(listed.values())) == len(keys):
        codes = {k: float(listed[k]) for k in keys}
    else:
        codes = {k: float(i + 1) for i, k in enumerate(keys)}
    names = {}
    for k in keys:
        words = [w for w in instrument.groups[k] if not re.fullmatch(r"-?\d+", str(w).strip())]
        names[k] = wording(words or list(instrument.groups[k]), language)
    return codes, names


def _role_cells(values, instrument, labels: str, language: str, numeric: bool, missing: str = "") -> list:
    keys = list(instrument.groups)

    def func(u):
        if _is_na(u):
            return missing
        if labels == "text" and u in instrument.groups:
            return wording(instrument.groups[u], language)
        if numeric and u in keys:
            # a numeric code only where the instrument lists one for the group (codes are
            # wordings, never positions); otherwise the group's wording
            code = next((w for w in instrument.groups[u] if re.fullmatch(r"-?\d+", w.strip())), None)
            return code.strip() if code is not None else wording(instrument.groups[u], language)
        return str(u)

    return _map_col(values, func)


def _dates(values, fmt=_DATE_FMT) -> list:
    s = pd.to_datetime(pd.Series(values), errors="coerce")
    out = s.dt.strftime(fmt)
    return out.where(s.notna(), "").tolist()


def _start_dates(submitted, duration) -> list:
    s = pd.to_datetime(pd.Series(submitted), errors="coerce")
    d = pd.to_timedelta(pd.to_numeric(pd.Series(duration), errors="coerce"), unit="s")
    start = s - d.fillna(pd.Timedelta(0))
    return start.dt.strftime(_DATE_FMT).where(start.notna(), "").tolist()


def _split_name(name) -> tuple[str, str]:
    """(last, first) of a personal name; Chinese names: the surname is the first character."""
    if _is_na(name) or not str(name).strip():
        return "", ""
    s = str(name).strip()
    if " " in s:
        first, _, last = s.rpartition(" ")
        return last, first
    return (s[0], s[1:]) if _CJK.match(s) else (s, "")


def _lat_lon(loc) -> tuple[str, str]:
    if _is_na(loc) or "," not in str(loc):
        return "", ""
    lat, _, lon = str(loc).partition(",")
    return lat.strip(), lon.strip()


def _status_cells(values, numeric: bool) -> list:
    def func(u):
        if _is_na(u):
            return ""
        if numeric and u in _STATUS_CODE:
            return str(_STATUS_CODE[u])
        return str(u)
    return _map_col(values, func)


def _finished_cells(values, numeric: bool) -> list:
    def func(u):
        if _is_na(u):
            return ""
        return ("1" if u else "0") if numeric else ("True" if u else "False")
    return _map_col(values, func)


# -- Qualtrics ------------------------------------------------------------------------
def _qualtrics_layout(frame, instrument, labels, language, tags, seed) -> _Layout:
    n = len(frame)
    numeric = labels == "codes"
    col = lambda name: _column(frame, name, n)  # noqa: E731
    tz = '"timeZone":"Asia/Shanghai"'
    L = _Layout()
    submitted, duration = col("_submitted"), col("_duration")
    names = [_split_name(v) for v in col("_name")]
    locs = [_lat_lon(v) for v in col("_location")]
    emails = [_str_or(v) for v in col("_email")]
    L.add("StartDate", _start_dates(submitted, duration), "Start Date", '{"ImportId":"startDate",%s}' % tz)
    L.add("EndDate", _dates(submitted), "End Date", '{"ImportId":"endDate",%s}' % tz)
    L.add("Status", _status_cells(col("_status"), numeric), "Response Type", '{"ImportId":"status"}')
    L.add("IPAddress", [_str_or(v) for v in col("_ip")], "IP Address", '{"ImportId":"ipAddress"}')
    L.add("Progress", [_cell_number(v) for v in col("_progress")], "Progress", '{"ImportId":"progress"}')
    L.add("Duration (in seconds)", [_cell_number(v) for v in duration], "Duration (in seconds)",
          '{"ImportId":"duration"}')
    L.add("Finished", _finished_cells(col("_finished"), numeric), "Finished", '{"ImportId":"finished"}')
    L.add("RecordedDate", _dates(submitted), "Recorded Date", '{"ImportId":"recordedDate",%s}' % tz)
    L.add("ResponseId", [_str_or(v) for v in col("response_id")], "Response ID", '{"ImportId":"_recordId"}')
    L.add("RecipientLastName", [a for a, _ in names], "Recipient Last Name", '{"ImportId":"recipientLastName"}')
    L.add("RecipientFirstName", [b for _, b in names], "Recipient First Name",
          '{"ImportId":"recipientFirstName"}')
    L.add("RecipientEmail", emails, "Recipient Email", '{"ImportId":"recipientEmail"}')
    L.add("ExternalReference", [""] * n, "External Data Reference", '{"ImportId":"externalDataReference"}')
    L.add("LocationLatitude", [a for a, _ in locs], "Location Latitude", '{"ImportId":"locationLatitude"}')
    L.add("LocationLongitude", [b for _, b in locs], "Location Longitude", '{"ImportId":"locationLongitude"}')
    L.add("DistributionChannel", ["email" if e else "anonymous" for e in emails], "Distribution Channel",
          '{"ImportId":"distributionChannel"}')
    L.add("UserLanguage", ["ZH-S" if language == "zh" else "EN"] * n, "User Language",
          '{"ImportId":"userLanguage"}')
    group = instrument.group_column
    role_text = instrument.role_question.get(language) or instrument.role_question.get("en") or group
    L.add("Q1" if tags == "qnum" else group, _role_cells(col(group), instrument, labels, language, numeric),
          role_text, '{"ImportId":"QID1"}')
    att_home = _attention_home(instrument)
    q = 2
    for ccode, construct in instrument.constructs.items():
        label = construct.label_zh if language == "zh" else construct.label_en
        intro = _TEXT["matrix"][language].format(label=label)
        codes = list(construct.items) + att_home.get(ccode, [])
        for j, code in enumerate(codes, start=1):
            tag = f"Q{q}_{j}" if tags == "qnum" else code
            L.add(tag, _item_cells(col(code), instrument, labels, language, code=code),
                  f"{intro} - {item_text(instrument, code, language)}", '{"ImportId":"QID%d_%d"}' % (q, j))
        q += 1
    L.add(f"Q{q}" if tags == "qnum" else "Phone", [_str_or(v) for v in col("_phone")], _TEXT["phone"][language],
          '{"ImportId":"QID%d_TEXT"}' % q)
    q += 1
    L.add(f"Q{q}" if tags == "qnum" else "Comments", [_str_or(v) for v in col("_comment")],
          _TEXT["comment"][language], '{"ImportId":"QID%d_TEXT"}' % q)
    return L


def _attention_home(instrument) -> dict[str, list[str]]:
    """Attention checks sit as an extra statement in a middle matrix (as in real surveys)."""
    keys = list(instrument.constructs)
    home = keys[len(keys) // 2] if keys else None
    return {home: list(instrument.attention_checks)} if home else {}


# -- Wenjuanxing ----------------------------------------------------------------------
def _wjx_duration(x, style: str) -> str:
    if _is_na(x):
        return ""
    s = int(round(float(x)))
    if style == "seconds" or s < 60:
        return f"{s}秒"
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return (f"{h}小时" if h else "") + f"{m}分{sec}秒"


def _wjx_submitted(submitted, finished) -> list:
    """Wenjuanxing's 提交答卷时间 of each row: none for a response not submitted (``_finished`` False).

    A real download holds no such row (it holds submitted answer sheets only); the simulator keeps the row, so
    that the truth's rows and the export's stay one to one, and leaves its submission time blank, so that the
    reader does not take it for a submitted sheet and the unfinished rule infers its break-off.

    >>> _wjx_submitted(["2023-03-01 10:00:00", "2023-03-01 11:00:00"], [True, False])
    ['2023-03-01 10:00:00', None]
    """
    return [None if not _is_na(f) and not bool(f) else t for t, f in zip(submitted, finished)]


def _wjx_layout(frame, instrument, labels, language, seed, missing, matrix_style, duration_style) -> _Layout:
    n = len(frame)
    rng = np.random.default_rng(seed)
    col = lambda name: _column(frame, name, n)  # noqa: E731
    miss = _cell_number(missing) if not isinstance(missing, str) else missing
    L = _Layout()
    L.add("序号", [_str_or(v) for v in col("response_id")])
    L.add("提交答卷时间", _dates(_wjx_submitted(col("_submitted"), col("_finished")), _WJX_DATE_FMT))
    L.add("所用时间", [_wjx_duration(v, duration_style) for v in col("_duration")])
    L.add("来源", rng.choice(_WJX_SOURCES, size=n).tolist())
    L.add("来源详情", rng.choice(["直接访问", "N/A"], size=n).tolist())
    places = rng.choice(_WJX_PLACES, size=n)
    L.add("来自IP", ["" if _is_na(ip) else f"{ip}({p})" for ip, p in zip(col("_ip"), places)])
    group = instrument.group_column
    role_text = instrument.role_question.get(language) or instrument.role_question.get("zh") or group
    L.add(f"1、{role_text}", _role_cells(col(group), instrument, labels, language, True, miss))
    L.add(f"2、{_TEXT['name'][language]}", [_str_or(v, miss) for v in col("_name")])
    L.add(f"3、{_TEXT['phone'][language]}", [_str_or(v, miss) for v in col("_phone")])
    att_home = _attention_home(instrument)
    q = 4
    for ccode, construct in instrument.constructs.items():
        label = construct.label_zh if language == "zh" else construct.label_en
        title = _TEXT["matrix"][language].format(label=label)
        for code in list(construct.items) + att_home.get(ccode, []):
            text = item_text(instrument, code, language)
            header = {"paren": f"{q}、({text})", "dash": f"{q}、{title}—{text}", "bare": f"{q}({text})"}[matrix_style]
            L.add(header, _item_cells(col(code), instrument, labels, language, miss, code=code))
        q += 1
    L.add(f"{q}、{_TEXT['comment'][language]}", [_str_or(v, miss) for v in col("_comment")])
    return L


# -- plain CSV / XLSX / SPSS ------------------------------------------------------------
def _plain_layout(frame, instrument, labels, language, numeric_role: bool = False) -> _Layout:
    n = len(frame)
    col = lambda name: _column(frame, name, n)  # noqa: E731
    L = _Layout()
    L.add(instrument.id_column, [_str_or(v) for v in col("response_id")])
    group = instrument.group_column
    L.add(group, _role_cells(col(group), instrument, labels, language, numeric_role))
    for code in (*instrument.item_codes, *instrument.attention_checks):
        L.add(code, _item_cells(col(code), instrument, labels, language, code=code),
              item_text(instrument, code, language))
    L.add("Status", _status_cells(col("_status"), False))
    L.add("Finished", _finished_cells(col("_finished"), False))
    L.add("Progress", [_cell_number(v) for v in col("_progress")])
    L.add("Duration", [_cell_number(v) for v in col("_duration")])
    L.add("RecordedDate", _dates(col("_submitted")))
    L.add("IPAddress", [_str_or(v) for v in col("_ip")])
    L.add("Email", [_str_or(v) for v in col("_email")])
    L.add("Name", [_str_or(v) for v in col("_name")])
    L.add("Phone", [_str_or(v) for v in col("_phone")])
    L.add("Location", [_str_or(v) for v in col("_location")])
    L.add("Comment", [_str_or(v) for v in col("_comment")])
    return L


def _write_csv(path: Path, header_rows: list[list[str]], rows: list[list], encoding: str) -> None:
    # CRLF line ends, as Excel, Qualtrics and Wenjuanxing write them; the csv module then quotes
    # every cell holding a CR or LF (with "\n" alone it would leave a bare CR unquoted)
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh, lineterminator="\r\n")
        w.writerows(header_rows)
        w.writerows(rows)


def _xlsx_cell(v):
    """Numbers stay numbers in a workbook (as Excel would show them)."""
    if isinstance(v, str) and v and (v[0].isdigit() or v[0] == "-") and re.fullmatch(r"-?\d+(\.\d+)?", v):
        f = float(v)
        if len(v) < 16 and not (len(v) > 1 and v[0] == "0" and v[1] != "."):
            return int(f) if f.is_integer() and "." not in v else f
    return None if v == "" else v


def write_xlsx(path: str | Path, rows, sheet_name: str = "Sheet1") -> Path:
    """Write ``rows`` (lists of str / int / float / bool / datetime / None) as a one-sheet workbook.

    XlsxWriter in constant-memory mode (row by row); ``None`` and NaN leave a cell empty,
    datetimes get a date format, strings are written as text (never as formulas or URLs).

    >>> import tempfile, os
    >>> from iur_survey.read.workbook import read_workbook_rows
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = write_xlsx(os.path.join(d, "w.xlsx"), [["a", "b"], ["=1+1", 2.5], [None, float("nan")]])
    ...     read_workbook_rows(p)
    ([['a', 'b'], ['=1+1', 2.5]], [1, 2])
    """
    import datetime as _dt

    import xlsxwriter

    path = Path(path)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                         "strings_to_formulas": False, "strings_to_urls": False,
                                         "nan_inf_to_errors": False})
    wb.set_properties({"created": WRITTEN_AT})      # (XlsxWriter writes the clock's otherwise)
    try:
        ws = wb.add_worksheet(sheet_name)
        date_fmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if v is None:
                    continue
                if isinstance(v, str):
                    ws.write_string(r, c, v)
                elif isinstance(v, (bool, np.bool_)):
                    ws.write_boolean(r, c, bool(v))
                elif isinstance(v, (_dt.datetime, pd.Timestamp)):
                    ws.write_datetime(r, c, pd.Timestamp(v).to_pydatetime(), date_fmt)
                else:
                    f = float(v)
                    if math.isnan(f):
                        continue
                    if not math.isfinite(f):
                        raise ValueError(f"cannot write {v!r} to a workbook")
                    ws.write_number(r, c, f)
    finally:
        wb.close()
    return path


def _write_xlsx(path: Path, header_rows: list[list[str]], rows: list[list], numeric_cols: set[int]) -> None:
    body = [[_xlsx_cell(v) if i in numeric_cols else (None if v == "" else v) for i, v in enumerate(r)]
            for r in rows]
    write_xlsx(path, [*header_rows, *body])


def _spss_write(path: Path, frame, instrument, labels, language, tags) -> None:
    import pyreadstat

    n = len(frame)
    numeric = labels == "codes"
    col = lambda name: _column(frame, name, n)  # noqa: E731
    data: dict[str, object] = {}
    var_labels: dict[str, str] = {}
    value_labels: dict[str, dict] = {}
    sub = pd.to_datetime(pd.Series(col("_submitted")), errors="coerce").dt.floor("s")
    dur = pd.to_numeric(pd.Series(col("_duration"), dtype=object), errors="coerce")
    data["StartDate"] = sub - pd.to_timedelta(dur.fillna(0), unit="s")
    data["EndDate"] = sub
    if numeric:
        st = pd.Series(col("_status"), dtype=object)
        if st.dropna().isin(list(_STATUS_CODE)).all():
            data["Status"] = st.map(_STATUS_CODE).astype("float64")
            value_labels["Status"] = {float(k): v for k, v in QUALTRICS_STATUS.items()}
        else:
            data["Status"] = [_str_or(v) for v in st]
    else:
        data["Status"] = [_str_or(v) for v in col("_status")]
    data["IPAddress"] = [_str_or(v) for v in col("_ip")]
    data["Progress"] = pd.to_numeric(pd.Series(col("_progress"), dtype=object), errors="coerce").astype("float64")
    data["Duration__in_seconds_"] = dur.astype("float64")
    fin = pd.Series(col("_finished"), dtype=object)
    if numeric:
        data["Finished"] = fin.map(lambda v: np.nan if _is_na(v) else float(bool(v))).astype("float64")
        value_labels["Finished"] = {0.0: "False", 1.0: "True"}
    else:
        data["Finished"] = _finished_cells(fin, False)
    data["RecordedDate"] = sub
    data["ResponseId"] = [_str_or(v) for v in col("response_id")]
    names = [_split_name(v) for v in col("_name")]
    data["RecipientLastName"] = [a for a, _ in names]
    data["RecipientFirstName"] = [b for _, b in names]
    data["RecipientEmail"] = [_str_or(v) for v in col("_email")]
    locs = [_lat_lon(v) for v in col("_location")]
    data["LocationLatitude"] = [a for a, _ in locs]
    data["LocationLongitude"] = [b for _, b in locs]
    group = instrument.group_column
    rname = "Q1" if tags == "qnum" else group
    var_labels[rname] = instrument.role_question.get(language) or group
    if numeric:
        codes, names = _spss_group_codes(instrument, language)
        data[rname] = pd.Series(col(group), dtype=object).map(lambda v: codes.get(v, np.nan)).astype("float64")
        value_labels[rname] = {codes[k]: names[k] for k in codes}
    else:
        data[rname] = _role_cells(col(group), instrument, labels, language, False)
    att_home = _attention_home(instrument)
    q = 2
    for ccode, construct in instrument.constructs.items():
        label = construct.label_zh if language == "zh" else construct.label_en
        intro = _TEXT["matrix"][language].format(label=label)
        for j, code in enumerate(list(construct.items) + att_home.get(ccode, []), start=1):
            lab = _scale_labels(instrument, code, language)
            name = f"Q{q}_{j}" if tags == "qnum" else code
            var_labels[name] = f"{intro} - {item_text(instrument, code, language)}"
            if numeric:
                data[name] = pd.to_numeric(pd.Series(col(code), dtype=object), errors="coerce").astype("float64")
                value_labels[name] = dict(lab)
            else:
                data[name] = _item_cells(col(code), instrument, labels, language, code=code)
        q += 1
    data["Phone"] = [_str_or(v) for v in col("_phone")]
    var_labels["Phone"] = _TEXT["phone"][language]
    data["Comment"] = [_str_or(v) for v in col("_comment")]
    var_labels["Comment"] = _TEXT["comment"][language]
    df = pd.DataFrame({k: (pd.Series(v) if not isinstance(v, pd.Series) else v.reset_index(drop=True))
                       for k, v in data.items()})
    for k in ("StartDate", "EndDate", "RecordedDate"):
        df[k] = pd.to_datetime(df[k]).astype("datetime64[ns]")
    pyreadstat.write_sav(df, str(path), column_labels=[var_labels.get(c, c) for c in df.columns],
                         variable_value_labels=value_labels)
    _fix_sav_time(path)


#: the creation time written into every export (the simulated survey opened then): the same seed gives the same bytes
WRITTEN_AT = _dt.datetime(2022, 4, 11)


def _fix_sav_time(path) -> None:
    """Overwrite the creation date and time of a .sav header (bytes 92-108, ``dd mmm yyhh:mm:ss``) with
    :data:`WRITTEN_AT`: pyreadstat writes the clock's, and the same seed must give the same bytes."""
    with open(path, "r+b") as fh:
        head = fh.read(109)
        if head[:4] in (b"$FL2", b"$FL3") and len(head) == 109:
            fh.seek(92)
            fh.write(_sav_stamp(WRITTEN_AT))


#: the month names of a .sav header (English in every locale, as SPSS writes them)
_SAV_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _sav_stamp(t: _dt.datetime) -> bytes:
    """The 17 bytes ``dd mmm yyhh:mm:ss`` of a .sav header's creation date and time, the month in English
    whatever the process's locale (``strftime("%b")`` is the locale's month: ``4月`` once a program has set
    ``LC_TIME`` to zh_CN, which failed to encode; ``avr.`` in fr_FR, one byte too long for the field).

    >>> _sav_stamp(WRITTEN_AT)
    b'11 Apr 2200:00:00'
    """
    return (f"{t.day:02d} {_SAV_MONTHS[t.month - 1]} {t.year % 100:02d}"
            f"{t.hour:02d}:{t.minute:02d}:{t.second:02d}").encode("ascii")


# -- public ---------------------------------------------------------------------------
def write_export(frame: pd.DataFrame, instrument, fmt: str, path, *, labels: str = "codes", language: str = "en",
                 seed: int = 0, tags: str = "qnum", encoding: str | None = None, missing="(空)",
                 matrix_style: str = "paren", duration_style: str = "seconds") -> Path:
    """Write ``frame`` (standard columns plus ``_email`` ``_name`` ``_phone`` ``_location``
    ``_comment``) as an export of format ``fmt`` (one of :data:`FORMATS`) to ``path``.

    ``labels``: ``"codes"`` (numeric answers) or ``"text"`` (option wording in
    ``language``, ``"en"`` or ``"zh"``).  ``tags`` (Qualtrics, SPSS): ``"qnum"`` names
    columns ``Q1``, ``Q2_1``... with the statement in the question text, ``"codes"`` by
    item code.  ``encoding``: of CSV files (Wenjuanxing default GB18030, else UTF-8 with
    BOM for Qualtrics and UTF-8 for plain CSV).  ``missing``: Wenjuanxing's no-answer
    cell, ``"(空)"`` (a question left unanswered; ``-2`` in its numeric download) or ``"(跳过)"``/``-3``
    (a question skip logic did not show, which the unfinished rule does not count as a break-off).  ``matrix_style`` (Wenjuanxing): ``"paren"``
    (``5、(statement)``), ``"dash"`` (``5、title—statement``) or ``"bare"``
    (``5(statement)``); ``duration_style``: ``"seconds"`` (``583秒``) or ``"hms"``
    (``9分43秒``).  A Qualtrics export goes to a workbook when ``path`` ends in
    ``.xlsx``.  ``seed`` fixes the incidental columns (Wenjuanxing source, IP place).
    """
    _check(fmt, labels, language, tags)
    if matrix_style not in ("paren", "dash", "bare"):
        raise ValueError(f"matrix_style must be 'paren', 'dash' or 'bare', got {matrix_style!r}")
    if duration_style not in ("seconds", "hms"):
        raise ValueError(f"duration_style must be 'seconds' or 'hms', got {duration_style!r}")
    path = Path(path)
    frame = frame.reset_index(drop=True)
    if fmt == "spss":
        _spss_write(path, frame, instrument, labels, language, tags)
        return path
    if fmt == "qualtrics":
        L = _qualtrics_layout(frame, instrument, labels, language, tags, seed)
        headers = [L.headers, L.texts, L.ids]
        if path.suffix.lower() == ".xlsx":
            numeric_cols = {i for i, h in enumerate(L.headers)
                            if h in ("Status", "Progress", "Duration (in seconds)", "Finished")
                            or (labels == "codes" and i >= 17 and h not in ("Phone", "Comments")
                                and not L.ids[i].endswith('_TEXT"}'))}
            _write_xlsx(path, headers, L.rows(), numeric_cols)
        else:
            _write_csv(path, headers, L.rows(), encoding or "utf-8-sig")
        return path
    if fmt in ("wjx_csv", "wjx_xlsx"):
        L = _wjx_layout(frame, instrument, labels, language, seed, missing, matrix_style, duration_style)
        if fmt == "wjx_csv":
            _write_csv(path, [L.headers], L.rows(), encoding or "gb18030")
        else:
            numeric_cols = {0} | set(range(6, len(L.headers))) - {7, 8, len(L.headers) - 1}
            _write_xlsx(path, [L.headers], L.rows(), numeric_cols)
        return path
    L = _plain_layout(frame, instrument, labels, language)
    if fmt == "csv":
        _write_csv(path, [L.headers], L.rows(), encoding or "utf-8")
    else:
        n_items = len(instrument.item_codes) + len(instrument.attention_checks)
        numeric_cols = set(range(2, 2 + n_items)) | {2 + n_items + 2, 2 + n_items + 3}
        _write_xlsx(path, [L.headers], L.rows(), numeric_cols)
    return path


def expected_frame(frame: pd.DataFrame, instrument, fmt: str) -> pd.DataFrame:
    """The standard frame (without ``_row``) that reading an export of ``frame`` gives.

    Times are whole seconds in every export; Wenjuanxing has no status or progress (NA) and
    whole-second durations, a submitted row (one with its 提交答卷时间) is finished, one not
    submitted has no submission time and an unknown finished (NA); the place after a
    Wenjuanxing IP is dropped.

    >>> from iur_survey.instrument import load_instrument
    >>> f = pd.DataFrame({"response_id": ["a"], "role": ["government"], "_status": ["Spam"], "_duration": [61.4]})
    >>> e = expected_frame(f, load_instrument(), "wjx_xlsx")
    >>> e.loc[0, "_status"], e.loc[0, "_duration"], expected_frame(f, load_instrument(), "spss").loc[0, "_status"]
    (<NA>, np.float64(61.0), 'Spam')
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    out = conform_frame(frame, instrument, with_row=False)
    out["_submitted"] = out["_submitted"].dt.floor("s")
    if fmt.startswith("wjx"):
        out["_status"] = pd.array([pd.NA] * len(out), dtype="string")
        out["_submitted"] = pd.Series(_wjx_submitted(out["_submitted"], out["_finished"].tolist()),
                                      dtype="datetime64[ns]", index=out.index)
        out["_finished"] = pd.array([True if pd.notna(t) else pd.NA for t in out["_submitted"]], dtype="boolean")
        out["_progress"] = np.nan
        out["_duration"] = out["_duration"].round()
    return out


__all__ = ["FORMATS", "READ_FORMAT", "expected_frame", "item_text", "wording", "write_export"]

