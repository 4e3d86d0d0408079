"""Plain CSV and XLSX exports: one header row of item codes (or ``columns:``-mapped names).

The id column is the instrument's ``id_column`` (or ``ResponseId``/``response_id``);
when there is none, the 1-based data row number is the response id and
:attr:`RawResponses.column_map` says so (``"(data row number)" -> "response_id"``).
Qualtrics-style metadata columns (``Status``, ``Finished``, ``Progress``,
``Duration``, ``RecordedDate``, ``IPAddress``) are read when present.
"""

from __future__ import annotations

from .assemble import assemble
from .base import RawResponses
from .match import Column, match_columns
from .recode import is_role_column
from .source import read_text_table, read_xlsx_table


def _read(table, instrument, fmt, strict) -> RawResponses:
    columns = [Column(i, h) for i, h in enumerate(table.headers[0])]
    ids = [instrument.id_column, "ResponseId", "ResponseID", "response_id", "id", "ID"]
    plan = match_columns(columns, instrument, table.path, id_aliases=ids,
                         role_by_answers=lambda c: is_role_column(table.data[c.index], instrument))
    return assemble(table, plan, instrument, fmt, strict=strict)


def read_csv(path, instrument, *, strict: bool = False, data: bytes | None = None,
             encoding: str | None = None) -> RawResponses:
    """Read a plain comma-separated export into the standard frame."""
    return _read(read_text_table(path, header_rows=1, data=data, encoding=encoding), instrument, "csv", strict)


def read_xlsx(path, instrument, *, strict: bool = False, data: bytes | None = None,
              encoding: str | None = None) -> RawResponses:
    """Read a plain workbook (first sheet, one header row) into the standard frame."""
    return _read(read_xlsx_table(path, header_rows=1, data=data), instrument, "xlsx", strict)
