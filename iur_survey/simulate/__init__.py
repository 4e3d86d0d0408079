"""Simulated survey exports with known truth.

:mod:`.population` holds the population SEM (:class:`Population`), :mod:`.contamination`
the rates of injected bad cases (:class:`Contamination`), :mod:`.simulate` draws the
sample (:func:`simulate` -> :class:`Simulation` with ``frame`` and ``truth``),
:mod:`.personal` the fake personal data, and :mod:`.writers` writes the frame as a
Qualtrics / Wenjuanxing / SPSS / CSV / XLSX export.

>>> sim = simulate(100, seed=5)
>>> sim.frame.shape[0] > 100, set(sim.truth["kind"]) <= set(KINDS)
(True, True)
"""

from .contamination import EXCLUSION_KINDS, KIND_RULES, KINDS, Contamination
from .population import EXOGENOUS, LATENTS, Population, lavaan_syntax
from .respondents import Simulation, simulate

__all__ = ["Contamination", "EXCLUSION_KINDS", "EXOGENOUS", "KINDS", "KIND_RULES", "LATENTS", "Population",
           "Simulation", "lavaan_syntax", "simulate"]
