"""Write mc_ci_data.csv: replications 0..19 at n = 60 (seed 11) of pop.lav, exactly the data
power_analysis(pop, model, n=[60], seed=11) fits.  Run from the repository root:

    PYTHONPATH=$PWD python tests/power/mc_ci_refs/make_mc_ci_data.py
"""
from pathlib import Path

import pandas as pd

from iur_survey.power import PopulationModel, draw_replication

HERE = Path(__file__).resolve().parent
pm = PopulationModel.from_lavaan((HERE / "pop.lav").read_text())
frames = [draw_replication(pm, 60, seed=11, rep=r).assign(rep=r) for r in range(20)]
pd.concat(frames).to_csv(HERE / "mc_ci_data.csv", index=False, float_format="%.12g")
