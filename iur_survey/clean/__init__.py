"""Cleaning: careless-responding screening with an exclusion ledger.

``clean(raw, instrument, config) -> CleanResult`` (:mod:`.pipeline`), the rules
(:mod:`.rules`), their configuration (:mod:`.config`), item-nonresponse reporting
(:mod:`.missing`) and recovery against simulated truth (:mod:`.evaluate`).
"""

from .config import CleanConfig
from .evaluate import recovery
from .missing import item_missing, missing_patterns, missing_summary
from .pipeline import CleanResult, clean
from .rules import RULE_ORDER, RULES

__all__ = ["CleanConfig", "CleanResult", "clean", "recovery", "RULES", "RULE_ORDER",
           "item_missing", "missing_patterns", "missing_summary"]
