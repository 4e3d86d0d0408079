"""The listwise too-few-complete-cases error of a multi-group fit names the group by its place and the count
(group 2 of 2), never by its label: a group column may hold names (audit27, "another error names a group")."""
import numpy as np
import pandas as pd
import pytest

from iur_survey.errors import EstimationError
from iur_survey.sem import sem

MODEL = "F =~ x1 + x2 + x3 + x4"


def _data(seed):
    rng = np.random.default_rng(seed)
    f = rng.standard_normal(60)
    d = pd.DataFrame({f"x{i}": f + rng.standard_normal(60) * 0.6 for i in range(1, 5)})
    d["who"] = ["Wang Fang"] * 40 + ["Chen Jing"] * 20
    d.loc[42:, "x2"] = np.nan           # the second group keeps 2 complete rows of 20
    return d


@pytest.mark.parametrize("seed", [1, 2])
def test_listwise_error_gives_place_and_counts_not_the_label(seed):
    with pytest.raises(EstimationError) as exc:
        sem(MODEL, _data(seed), group="who", missing="listwise")
    msg = str(exc.value)
    assert "Chen Jing" not in msg and "Wang Fang" not in msg
    assert "group 2 of 2" in msg and "2 complete cases (of 20 rows" in msg


def test_one_group_says_no_group():
    d = _data(3).drop(columns="who").iloc[40:]
    with pytest.raises(EstimationError) as exc:
        sem(MODEL, d, missing="listwise")
    assert "group" not in str(exc.value).split(";")[0]
