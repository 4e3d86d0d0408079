"""Google Forms response sheets (downloaded as CSV, or the linked Google Sheet as XLSX).

One header row: ``Timestamp`` (the submission time, in the form owner's locale), an
``Email Address`` column when the form collects addresses, then each question's text;
a grid question gives one column per row as ``"<question> [<row>]"``.  Answers are the
choice text.  There is no response id (the data row number is used), no status and no
duration; the sheet holds submitted responses only, so every row is read as finished (a blank
last question is an optional one left out, not a break-off).
"""

from __future__ import annotations

from .assemble import read_tabular
from .base import RawResponses
from .match import Column

#: the first header of a Google Forms response sheet, by the owner's language
TIMESTAMP_HEADERS = ("Timestamp", "Marca temporal", "Horodateur", "Zeitstempel", "Carimbo de data/hora",
                     "Informazioni cronologiche", "时间戳记", "時間戳記", "タイムスタンプ", "타임스탬프", "Отметка времени")


def looks_like_google_forms(records: list[list]) -> bool:
    """Whether the header row is a Google Forms one (it starts with the timestamp column).

    >>> looks_like_google_forms([["Timestamp", "How strongly do you agree? [Statement 1]"]])
    True
    """
    return bool(records) and bool(records[0]) and str(records[0][0]).strip() in TIMESTAMP_HEADERS


def _columns(headers: list[list[str]]) -> list[Column]:
    cols = [Column(i, h) for i, h in enumerate(headers[0])]
    if cols and cols[0].header.strip() in TIMESTAMP_HEADERS and cols[0].header.strip() != "Timestamp":
        cols[0].text = "Timestamp"    # matched as the submission time; errors name the file's own header
    return cols


def read_google_forms(path, instrument, *, strict: bool = False, data: bytes | None = None,
                      encoding: str | None = None) -> RawResponses:
    """Read a Google Forms response sheet into the standard frame."""
    return read_tabular(path, instrument, "google_forms", _columns, strict=strict, data=data, encoding=encoding,
                        id_aliases=[instrument.id_column])
