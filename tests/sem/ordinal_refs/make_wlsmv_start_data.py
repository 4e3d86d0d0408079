"""Writes wlsmv_2nd_order_300.csv: case sim073 of benchmarks/bench_wlsmv_start.py (numpy default_rng(1073)):
300 rows, nine 4-category items, three first-order factors of three items under a second-order factor, weak
first items (the markers).  From the marker start (loadings as ratios to the first item) the one-group WLSMV
fit did not converge (10 000 iterations, a negative factor variance); lavaan's start reaches lavaan's optimum.

    PYTHONPATH=. python tests/sem/ordinal_refs/make_wlsmv_start_data.py
"""
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2] / "benchmarks"))

from bench_wlsmv_start import _simulate  # noqa: E402

d, model, std_lv, param = _simulate(73)
assert (model, std_lv, param) == ("F1 =~ y1 + y2 + y3\nF2 =~ y4 + y5 + y6\nF3 =~ y7 + y8 + y9\nG =~ F1 + F2 + F3",
                                  False, "delta")
d.to_csv(HERE / "wlsmv_2nd_order_300.csv", index=False)
