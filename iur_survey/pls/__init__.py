"""PLS-SEM (partial least squares path modelling) beside the CB-SEM engine: the robustness check.

Our own implementation of the PLS path-modelling algorithm (Wold/Lohmoeller) with mode A outer weights,
path/factorial/centroid inner weighting, standardized indicators, stop rule 1e-7 / 300 iterations (seminr,
SmartPLS), validated against seminr's published ECSI (mobi) results and the seminr Python port (tests/pls/).

* :func:`pls_sem` (data, model, *, scheme="path", ...) -> :class:`PLSResult`
  with tidy tables: ``outer_weights outer_loadings cross_loadings path_coefficients r_squared f_squared
  total_effects indirect_effects specific_indirect_effects defined reliability htmt fornell_larcker
  inner_vif outer_vif construct_scores predict blindfolding`` and ``bootstrap(n_boot, seed=...)``,
  ``summary()``, ``to_dict()``;
* :func:`compare_with_cbsem` (pls_result, sem_parameter_estimates) -> the side-by-side table of the
  structural paths (and ``:=`` effects) for the robustness chapter;
* :func:`pls_model`: the model from lavaan syntax (always the caller's: the same syntax as the CB-SEM's).

>>> from iur_survey.pls import pls_sem, example_data, EXAMPLE_MODEL
>>> res = pls_sem(example_data(), model=EXAMPLE_MODEL)
>>> res.reliability()[["construct", "rho_c", "ave"]].round(2)
  construct  rho_c   ave
0         X   0.84  0.64
1         M   0.86  0.67
2         Y   0.86  0.67
"""

from .api import EXAMPLE_MODEL, MISSING, example_data, pls_sem, prepare_data
from .bootstrap import PLSBootstrap
from .compare import compare_with_cbsem
from .engine import SCHEMES, fit_batch
from .model import PLSModel, pls_model
from .predict import blindfolding, pls_predict
from .results import PLSResult

__all__ = [
    "EXAMPLE_MODEL", "MISSING", "PLSBootstrap", "PLSModel", "PLSResult", "SCHEMES", "blindfolding",
    "compare_with_cbsem", "example_data", "fit_batch", "pls_model", "pls_predict",
    "pls_sem", "prepare_data",
]
