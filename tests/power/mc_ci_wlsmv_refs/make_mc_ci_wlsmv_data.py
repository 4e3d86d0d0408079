"""Write mc_ci_wlsmv_data.csv: replications 0 and 1 at n = 300 (seed 5) of pop.lav (Likert codes), exactly the
data power_analysis(pop, model, n=[300], seed=5, estimator="WLSMV") fits.  Run from the repository root:

    PYTHONPATH=$PWD python tests/power/mc_ci_wlsmv_refs/make_mc_ci_wlsmv_data.py
"""
from pathlib import Path

import pandas as pd

from iur_survey.power import PopulationModel, draw_replication

HERE = Path(__file__).resolve().parent
pm = PopulationModel.from_lavaan((HERE / "pop.lav").read_text())
frames = [draw_replication(pm, 300, seed=5, rep=r).assign(rep=r) for r in range(2)]
pd.concat(frames).to_csv(HERE / "mc_ci_wlsmv_data.csv", index=False, float_format="%.12g")
