"""Typed errors of iur-survey.

Every error about bad input names where the problem is: the file, the
1-based row (the line number in a text file, the sheet row in a workbook)
and the column (as the export spells its header).  ``str(err)`` gives one
line ``file:row:column: message`` that the CLI prints without a traceback.

>>> err = UnknownLabelError("x.csv", "bad label 'Maybe'", row=5, column="Q5_1")
>>> str(err)
"x.csv:5:Q5_1: bad label 'Maybe'"
"""

from __future__ import annotations

from pathlib import Path


class IURSurveyError(Exception):
    """Base class of every error iur-survey raises on purpose."""

    def __init__(self, file: str | Path | None, message: str, *, row: int | None = None,
                 column: str | None = None):
        self.file = None if file is None else str(file)
        self.row = row
        self.column = column
        self.message = message
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = [p for p in (self.file, self.row, self.column) if p is not None]
        prefix = ":".join(str(p) for p in where)
        return f"{prefix}: {self.message}" if prefix else self.message


class InstrumentError(IURSurveyError):
    """The instrument (codebook) YAML is malformed or inconsistent."""


class ReadError(IURSurveyError):
    """An export cannot be read as it stands."""


class EncodingError(ReadError):
    """The file's bytes decode in none of the accepted encodings."""


class EmptyFileError(ReadError):
    """The file is empty or holds a header but no response."""


class DelimiterError(ReadError):
    """The file is not delimited as its format requires (e.g. ';' instead of ',')."""


class FormatDetectionError(ReadError):
    """The export's layout matches none of the known formats."""


class MissingColumnError(ReadError):
    """A column the instrument requires is absent from the export."""


class DuplicateColumnError(ReadError):
    """Two columns of the export map to the same header or item code."""


class UnknownLabelError(ReadError):
    """A cell holds a response label that the instrument does not define."""


class OutOfRangeError(ReadError):
    """A numeric response code lies outside the instrument's scale."""


class ModelSyntaxError(IURSurveyError):
    """The lavaan model syntax cannot be parsed or names unknown variables."""


class EstimationError(IURSurveyError):
    """The model cannot be estimated at all (as opposed to a warning on a fit)."""
