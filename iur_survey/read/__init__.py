"""Readers for survey exports (Qualtrics, Wenjuanxing, SPSS, plain CSV/XLSX).

See :mod:`iur_survey.read.base` for the frame every reader returns.
"""

from .base import META_COLUMNS, RawResponses, sha256_file

__all__ = ["META_COLUMNS", "RawResponses", "sha256_file"]
