"""Our own lavaan-equivalent SEM engine (its layout: docs/architecture.md).

>>> from iur_survey.sem import sem, cfa, default_model
>>> default_model().count("=~")
7
"""

from .api import cfa, default_model, sem
from .results import SEMResult

__all__ = ["sem", "cfa", "default_model", "SEMResult"]
