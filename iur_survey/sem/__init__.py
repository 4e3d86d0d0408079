"""Our own lavaan-equivalent SEM engine (its layout: docs/architecture.md).  It fits any lavaan-syntax model
and knows nothing of any particular survey: the model is always the caller's.

>>> from iur_survey.sem import sem, cfa
>>> sem.__module__, cfa.__module__
('iur_survey.sem.api', 'iur_survey.sem.api')
"""

from .api import cfa, sem
from .results import NotConvergedError, SEMFitWarning, SEMResult

__all__ = ["sem", "cfa", "SEMResult", "SEMFitWarning", "NotConvergedError"]
