"""The cleaning runs its index rules side by side in threads (``pipeline.RULE_THREADS``).  A rule that swapped
the process-wide warnings hook (``numpy.testing.suppress_warnings``) crashed a cleaning with ``AttributeError:
'suppress_warnings' object has no attribute '_orig_show'`` when another thread warned meanwhile (seen once in an
evaluation run of 18 cleanings of 3,000 rows).  No module the rule threads run may touch the warnings filters."""

from __future__ import annotations

import re
import threading
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import iur_survey.clean as clean_pkg
from iur_survey.clean.rules import person_total
from iur_survey.instrument import load_instrument

THREADED = ("rules.py", "indices.py", "missing.py")


def test_rule_modules_leave_the_warnings_filters_alone():
    root = Path(clean_pkg.__file__).parent
    for name in THREADED:
        text = (root / name).read_text(encoding="utf-8")
        assert not re.search(r"suppress_warnings\(|catch_warnings\(|simplefilter\(|filterwarnings\(", text), name


def test_a_rule_beside_a_warning_thread():
    inst = load_instrument()
    rng = np.random.default_rng(4)
    df = pd.DataFrame(rng.integers(1, 6, size=(60, len(inst.item_codes))).astype(float), columns=inst.item_codes)
    df.iloc[:, 0] = np.nan                                  # an item nobody answered: the all-missing slice
    stop, errors = threading.Event(), []

    def warn_loop():
        while not stop.is_set():
            try:
                warnings.warn("meanwhile", UserWarning)
            except Exception as e:                          # noqa: BLE001 - the crash of the report
                errors.append(repr(e))
                return

    t = threading.Thread(target=warn_loop)
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        t.start()
        try:
            for _ in range(200):
                person_total(df, inst)
        finally:
            stop.set()
            t.join()
    assert not errors
