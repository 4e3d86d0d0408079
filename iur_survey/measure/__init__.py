"""Measurement quality of the constructs: reliability, convergent/discriminant validity, common-method variance.

One function per statistic, each returning a tidy DataFrame with the usual cut-offs flagged; definitions as
semTools 0.5-6 (tests/measure/ checks them against semTools' own output).

* :func:`cronbach_alpha` (data, constructs)            alpha >= .70   (Feldt and Duhachek intervals; ``boot=B``:
  psych's bootstrapped interval)
* :func:`ordinal_alpha` (data, constructs)             alpha of the polychoric correlations >= .70 (``boot=B``:
  a bootstrap percentile interval)
* :func:`composite_reliability` / :func:`omega` (estimates, cov)   omega >= .70   (semTools compRelSEM;
  ordered items: the categorical omega, semTools' omegaCat, unless ``ord_scale=False``; ``higher=``;
  ``tau_eq=True``: alpha, of ordered items' codes (``data=``, the fit's rows; :func:`ordinal_codes`) or with
  ``ord_scale=False`` of the polychoric correlations; ``return_total=True``: the composite of all items)
* :func:`ave` (estimates, cov)                         AVE >= .50                 (semTools AVE; ordered items:
  of the latent responses)
* :func:`improper_constructs` (estimates)             constructs of an improper solution (a Heywood case):
  omega and AVE keep semTools' numbers but flag them (``improper``, ``meets_cutoff`` <NA>, a warning)
* :func:`fornell_larcker` (estimates, cov, cor_lv)     sqrt(AVE) > latent correlations
  (:func:`fornell_larcker_verdict`: the one comparison, "not computable" when a value is unknown)
* :func:`htmt` (data, constructs, htmt2=False)         HTMT < .85 / .90           (semTools htmt)
* :func:`harman_single_factor` (data, items, single_factor)   first factor share < 50%
* :func:`common_latent_factor` (base, clf)             method variance < 25%, loading change < .20
* :func:`common_method` (data, constructs)             both of the above, fitted with our engine

``estimates`` is a parameter table in lavaan's parameterEstimates format (our engine's
``parameter_estimates()`` or a lavaan reference); ``cov`` the items' sample covariance (divisor N, semTools'
default obs.var=TRUE; see :func:`sample_covariance`; for ordered items lavaan's sampstat, the polychoric
correlations: ``sample_statistics()["cov"]`` of a WLSMV fit) or None for the model-implied one.

>>> from iur_survey.measure import cronbach_alpha, composite_reliability, ave, htmt
"""

from ._common import construct_map, improper_constructs, sample_covariance
from .cmv import (
    clf_model_syntax,
    common_latent_factor,
    common_method,
    fit_common_latent_factor,
    harman_model_syntax,
    harman_single_factor,
    lrt_rmsea,
)
from .reliability import (ave, boot_quantile_ci, composite_reliability, cronbach_alpha, duhachek_ci, feldt_ci, omega,
                          ordinal_alpha, ordinal_codes)
from .validity import fornell_larcker, fornell_larcker_verdict, htmt

__all__ = [
    "ave",
    "boot_quantile_ci",
    "clf_model_syntax",
    "common_latent_factor",
    "common_method",
    "composite_reliability",
    "construct_map",
    "cronbach_alpha",
    "duhachek_ci",
    "feldt_ci",
    "fit_common_latent_factor",
    "fornell_larcker",
    "fornell_larcker_verdict",
    "harman_model_syntax",
    "harman_single_factor",
    "htmt",
    "improper_constructs",
    "lrt_rmsea",
    "omega",
    "ordinal_alpha",
    "ordinal_codes",
    "sample_covariance",
]
