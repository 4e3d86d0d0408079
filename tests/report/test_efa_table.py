"""Table 4.10 of the book (the split-half EFA): every row names its item.

The demo book's Table 4.10 showed 28 rows of loadings without the items they belong to (``apa_table`` drops
a frame's index, and the loadings' items were the index), so a reader could not tell which item loads where.
:func:`iur_survey.report.sem_tables.efa_loadings_table` puts the items in an ``Item`` column and the
communalities h² beside the loadings; the chapter uses it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from iur_survey.measure.efa import efa
from iur_survey.report.format import DASH
from iur_survey.report.sem_tables import efa_loadings_table

ROOT = Path(__file__).resolve().parents[2]


def _data(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    F = rng.multivariate_normal([0, 0], [[1, .3], [.3, 1]], 400)
    L = np.array([[.8, 0], [.7, 0], [.6, .1], [0, .8], [0, .7], [.1, .6]])
    return pd.DataFrame(F @ L.T + rng.standard_normal((400, 6)) * .55, columns=["a1", "a2", "a3", "b1", "b2", "b3"])


def test_rows_name_their_items_and_cells_follow_the_cutoff():
    for seed in (1, 2, 3):
        ef = efa(_data(seed), 2)
        t = efa_loadings_table(ef.loadings, ef.communalities, number="4.10")
        f = t.frame
        assert f["Item"].tolist() == list(ef.loadings.index)
        assert list(f.columns) == ["Item", "F1", "F2", "h²"]
        for item in ef.loadings.index:
            row = f.set_index("Item").loc[item]
            for fac in ("F1", "F2"):
                v = float(ef.loadings.loc[item, fac])
                assert (row[fac] == DASH) == (abs(v) < 0.30)
                if abs(v) >= 0.30:
                    assert abs(float(row[fac].replace("−", "-")) - v) <= 0.005 + 1e-12
            assert abs(float(row["h²"]) - float(ef.communalities[item])) <= 0.005 + 1e-12
        # an item on its own construct's factor: the a-items on one factor, the b-items on the other
        a_fac = ef.loadings.loc["a1"].abs().idxmax()
        assert (ef.loadings.loc[["a1", "a2", "a3"]].abs().idxmax(axis=1) == a_fac).all()


def test_without_communalities_no_h2_column():
    ef = efa(_data(4), 2)
    assert "h²" not in efa_loadings_table(ef.loadings).frame.columns


def test_chapter_4_table_uses_it():
    src = (ROOT / "book" / "04_measurement.md").read_text(encoding="utf-8")
    block = src[src.index('number="4.10"') - 400: src.index('number="4.10"')]
    assert "efa_loadings_table(ef.loadings, ef.communalities" in block
