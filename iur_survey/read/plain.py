"""Plain CSV and XLSX exports: one header row of item codes (or ``columns:``-mapped names).

The id column is the instrument's ``id_column`` (or ``ResponseId``/``response_id``/``id``, 腾讯问卷's ``编号``,
SoSci Survey's ``CASE``), or
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
    return [instrument.id_column, "ResponseId", "ResponseID", "response_id", "id", "ID", "编号", "CASE", ROW_NAMES]


def _columns(headers):
    """The header row; an unnamed first column is R's row names (``write.csv``), the id of last resort.

    >>> [c.header for c in _columns([["", "A1", "gender"]])]
    ['(row names)', 'A1', 'gender']
    """
    cols = [Column(i, h) for i, h in enumerate(headers[0])]
    if cols and not str(cols[0].header).strip() and len(cols) > 1:
        cols[0].header = ROW_NAMES
    return cols


def read_csv(path, instrument, *, strict: bool = False, data: bytes | None = None,
             encoding: str | None = None) -> RawResponses:
    """Read a plain comma-separated export into the standard frame."""
    return read_tabular(path, instrument, "csv", _columns, strict=strict, data=data, encoding=encoding,
                        id_aliases=_ids(instrument), reader=read_text_table)


def read_xlsx(path, instrument, *, strict: bool = False, data: bytes | None = None,
              encoding: str | None = None) -> RawResponses:
    """Read a plain workbook (first sheet, one header row) into the standard frame."""
    return read_tabular(path, instrument, "xlsx", _columns, strict=strict, data=data, encoding=encoding,
                        id_aliases=_ids(instrument), reader=read_xlsx_table)
