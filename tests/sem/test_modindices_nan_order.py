"""Ordering modification indices with several missing ones (-inf - -inf) says nothing to the analyst: no numpy
RuntimeWarning on the console (it was printed by every `fit --modindices` whose table had two missing indices)."""

import warnings

import numpy as np

from iur_survey.sem.modindices import _descending


def test_two_missing_indices_order_without_a_runtime_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _descending(np.array([1.0, np.nan, np.nan, 5.0, 5.0 * (1 + 1e-9)])).tolist() == [3, 4, 0, 1, 2]
