"""Fixtures for the reader tests: the study's instrument and small simulated frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from iur_survey.instrument import load_instrument


@pytest.fixture(scope="session")
def inst():
    return load_instrument()


def make_frame(inst, n: int = 40, seed: int = 0) -> pd.DataFrame:
    """A standard frame with every group, NaN answers, out-of-scale codes, all statuses and
    personal columns (commas, quotes, line breaks, Chinese) - built here, not by the simulator."""
    rng = np.random.default_rng(seed)
    groups = list(inst.groups)
    data: dict[str, object] = {
        "response_id": [f"R_{seed}_{i:04d}" for i in range(n)],
        inst.group_column: [groups[i % len(groups)] if i % 11 != 10 else None for i in range(n)],
    }
    for code in (*inst.item_codes, *inst.attention_checks):
        v = rng.integers(inst.scale_min, inst.scale_max + 1, size=n).astype(float)
        v[rng.random(n) < 0.1] = np.nan
        data[code] = v
    data["GOV1"][3] = 9.0          # out of scale: kept as it is
    data["_status"] = pd.array((["IP Address"] * (n - 4) + ["Survey Preview", "Spam", "Survey Test", None])[:n],
                               dtype="string")
    data["_finished"] = pd.array([i % 7 != 3 for i in range(n)], dtype="boolean")
    data["_finished"][5] = pd.NA
    data["_progress"] = np.where(np.arange(n) % 7 == 3, 57.0, 100.0)
    data["_duration"] = rng.integers(30, 4000, size=n).astype(float)
    data["_duration"][2] = np.nan
    start = np.datetime64("2023-03-01T08:00:00")
    data["_submitted"] = (start + np.sort(rng.integers(0, 86400 * 20, size=n)).astype("timedelta64[s]")
                          ).astype("datetime64[ns]")
    data["_submitted"][4] = np.datetime64("NaT")
    data["_ip"] = [f"223.104.{i % 250}.{(7 * i) % 250}" if i % 9 else None for i in range(n)]
    data["_email"] = [f"user{i}@example.com" if i % 2 else None for i in range(n)]
    data["_name"] = ["张伟" if i % 3 == 0 else ("Li Na" if i % 3 == 1 else None) for i in range(n)]
    data["_phone"] = [f"+86 138 0000 {i:04d}" if i % 4 == 0 else None for i in range(n)]
    data["_location"] = [f"41.80{i % 10},123.43{i % 10}" for i in range(n)]
    data["_comment"] = [('He said "fine", then\nleft; 好的，谢谢' if i % 5 == 0 else None) for i in range(n)]
    return pd.DataFrame(data)


@pytest.fixture
def frame(inst):
    return make_frame(inst)


@pytest.fixture(scope="session")
def inst_codes(inst):
    """The study's instrument with the role choices' numeric codes listed as group wordings
    (enterprise "1" ... government "4"), as a numeric Qualtrics/Wenjuanxing export codes them."""
    from iur_survey.instrument import parse_instrument
    doc = dict(inst.raw)
    doc["groups"] = {k: [*v, str(i + 1)] for i, (k, v) in enumerate(inst.groups.items())}
    return parse_instrument(doc, inst.path)
