"""matrix_cache: one computation per frame and key, also when two rules' threads ask for it at once."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest

from iur_survey.clean import rules
from iur_survey.instrument import load_instrument


def test_concurrent_askers_wait_for_one_computation():
    frame = pd.DataFrame({"GOV1": [1.0, 2.0]})
    calls = []
    started = threading.Event()

    def compute():
        calls.append(1)
        started.set()
        time.sleep(0.2)        # the other thread asks meanwhile
        return np.arange(3)

    def ask(_):
        return rules._frame_cached(frame, ("test",), compute)

    with rules.matrix_cache(), ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(ask, 0)
        started.wait(5)
        second = pool.submit(ask, 1)
        a, b = first.result(), second.result()
    assert len(calls) == 1 and a is b


def test_error_leaves_the_key_to_compute_again():
    frame = pd.DataFrame({"GOV1": [1.0]})

    def fail():
        raise ValueError("no")

    with rules.matrix_cache():
        with pytest.raises(ValueError):
            rules._frame_cached(frame, ("k",), fail)
        assert rules._frame_cached(frame, ("k",), lambda: 7) == 7


def test_recoded_matrix_shared_and_read_only():
    inst = load_instrument()
    cols = list(inst.item_codes[:4])
    frame = pd.DataFrame(np.arange(8.0).reshape(2, 4) % 5 + 1, columns=cols)
    rev = [c for c in cols if c in inst.reverse_items] or cols[:1]
    outside = rules._matrix(frame, cols, rev, inst)
    outside[0, 0] = -1.0                                  # outside the cache: a fresh, writable copy
    with rules.matrix_cache():
        a = rules._matrix(frame, cols, rev, inst)
        b = rules._matrix(frame, cols, rev, inst)
        assert a is b and not a.flags.writeable
    assert np.array_equal(a, rules._matrix(frame, cols, rev, inst))
    assert frame.iloc[0, 0] == 1.0                         # never written through
