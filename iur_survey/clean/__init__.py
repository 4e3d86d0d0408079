"""Cleaning: careless-responding screening with an exclusion ledger.

``clean(raw, instrument, config) -> CleanResult`` (:mod:`.pipeline`), the rules
(:mod:`.rules`, computed by the one-function-per-index :mod:`.indices`), the
flag-then-decide step (:mod:`.decision`), their configuration (:mod:`.config`),
item-nonresponse reporting (:mod:`.missing`) and the evaluation against simulated truth
(:mod:`.evaluate`: ``python -m iur_survey.clean.evaluate``; imported on its own, since it draws on the
simulator).
"""

from .config import CleanConfig
from .missing import item_missing, missing_patterns, missing_summary
from .pipeline import CleanResult, clean
from .rules import RULE_ORDER, RULES

__all__ = ["CleanConfig", "CleanResult", "clean", "RULES", "RULE_ORDER",
           "item_missing", "missing_patterns", "missing_summary"]
