"""Plain CSV and XLSX exports: one header row of item codes (or ``columns:``-mapped names).

The id column is the instrument's ``id_column`` (or ``ResponseId``/``response_id``/``id``, 腾讯问卷's ``编号``,
金数据's ``序号``, SoSci Survey's ``CASE``, REDCap's ``record_id`` when its status columns were left out), or
an unnamed first column (the row names R's ``write.csv`` writes); when there is none, the 1-based data row number is the response id and
:attr:`RawResponses.column_map` says so (``"(data row number)" -> "response_id"``).
Qualtrics-style metadata columns (``Status``, ``Finished``, ``Progress``,
``Duration``, ``RecordedDate``, ``IPAddress``) are read when present.
"""

from __future__ import annotations

from .assemble import read_tabular
from .base import RawResponses
from .match import Column
from .source import read_text_table, read_xlsx_table


#: what an unnamed first column (R's ``write.csv`` row names) is called in ``column_map``
ROW_NAMES = "(row names)"


def _ids(instrument) -> list[str]:
    """The headers a plain export's id may have, in order of preference (``序号``: 金数据's entry number, whose
    rows a download need not hold in its order; a Wenjuanxing download's ``序号`` is read by its own reader).

    >>> from iur_survey.instrument import load_instrument
    >>> _ids(load_instrument())[:8]
    ['ResponseId', 'ResponseId', 'ResponseID', 'response_id', 'id', 'ID', '编号', '序号']
    """
    return [instrument.id_column, "ResponseId", "ResponseID", "response_id", "id", "ID", "编号", "序号", "CASE",
            "record_id", ROW_NAMES]


def _columns(headers):
    """The header row; an unnamed first column is R's row names (``write.csv``), the id of last resort.

    >>> [c.header for c in _columns([["", "A1", "gender"]])]
    ['(row names)', 'A1', 'gender']
    """
    cols = [Column(i, h) for i, h in enumerate(headers[0])]
    if cols and not str(cols[0].header).strip() and len(cols) > 1:
        cols[0].header = ROW_NAMES
    return cols


#: the headers of REDCap's record id: a raw export's variable name and a label export's label
REDCAP_ID_HEADERS = ("record_id", "record id")


def _redcap_without_status(raw: RawResponses) -> RawResponses:
    """Warn when a REDCap record id is the id but the export holds no form status: completion is then inferred.

    >>> import pandas as pd
    >>> raw = RawResponses(frame=pd.DataFrame({"_finished": pd.array([pd.NA], dtype="boolean")}), source="r.csv",
    ...                    format="csv", sha256="", column_map={"record_id": "response_id"})
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     _ = _redcap_without_status(raw)
    >>> raw.warnings[0][:62]
    "the id column is REDCap's record_id but the export has no form"
    """
    import warnings

    ids = [h for h, t in raw.column_map.items() if t == "response_id"]
    header = next((h for h in ids if str(h).strip().lower() in REDCAP_ID_HEADERS), None)
    if header is not None and raw.frame["_finished"].isna().all():
        label = str(header).strip().lower() != "record_id"
        note = (f"the id column is REDCap's {header} but the export has no form status (<form>_complete"
                + (", or Complete? in a label export" if label else "") + "): "
                "whether a record was completed is inferred from its last items only; export the survey's form "
                "with its status column (the REDCap reader then keeps only Complete records)"
                + ("; a label export is recognised by its English status column only (Complete?, Incomplete, "
                   "Unverified, Complete): if the export's is in another language, export the raw data "
                   "(codes) instead, whose status column is <form>_complete in any language" if label else ""))
        raw.warnings = [*raw.warnings, note]
        warnings.warn(f"{raw.source}: {note}", UserWarning, stacklevel=3)
    return raw


def read_csv(path, instrument, *, strict: bool = False, data: bytes | None = None,
             encoding: str | None = None) -> RawResponses:
    """Read a plain comma-separated export into the standard frame."""
    return _redcap_without_status(read_tabular(path, instrument, "csv", _columns, strict=strict, data=data,
                                               encoding=encoding, id_aliases=_ids(instrument),
                                               reader=read_text_table))


def read_xlsx(path, instrument, *, strict: bool = False, data: bytes | None = None,
              encoding: str | None = None) -> RawResponses:
    """Read a plain workbook (first sheet, one header row) into the standard frame."""
    return _redcap_without_status(read_tabular(path, instrument, "xlsx", _columns, strict=strict, data=data,
                                               encoding=encoding, id_aliases=_ids(instrument),
                                               reader=read_xlsx_table))
