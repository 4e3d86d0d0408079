"""Monte Carlo power analysis of the study's SEM (on Dask or in this process), and analytic power by RMSEA.

:mod:`.population` is the data-generating model (:class:`PopulationModel`: the
simulator's population, a fixed-value lavaan model, or a fit's estimates; Likert
or continuous), :mod:`.truth` the true values of the analysis model (its fit to
the exact population moments), :mod:`.montecarlo` the simulation
(:func:`power_analysis`), :mod:`.summary` the aggregation (power, bias, coverage),
:mod:`.results` the :class:`PowerResult` with its files and power curve, and
:mod:`.cluster` the Dask plumbing.  :mod:`.rmsea` is the analytic power of the RMSEA tests of fit and of
nested-model comparisons (semTools' findRMSEApower, findRMSEAsamplesize, findRMSEApowernested,
findRMSEAsamplesizenested), no simulation.

>>> from iur_survey.power import PopulationModel, power_analysis
>>> PopulationModel.from_population().likert
True
"""

from .montecarlo import draw_replication, power_analysis, replication_rng
from .population import PopulationModel
from .results import PowerResult, plot_power_curve
from .rmsea import rmsea_power, rmsea_power_nested, rmsea_samplesize, rmsea_samplesize_nested
from .summary import power_table, smallest_n, summarize
from .truth import true_values

__all__ = ["PopulationModel", "PowerResult", "draw_replication", "plot_power_curve", "power_analysis",
           "power_table", "replication_rng", "rmsea_power", "rmsea_power_nested", "rmsea_samplesize",
           "rmsea_samplesize_nested", "smallest_n", "summarize", "true_values"]
