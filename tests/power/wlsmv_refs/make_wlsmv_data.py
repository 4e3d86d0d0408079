"""The data sets fitted one by one in test_power_wlsmv.py, as power_analysis draws them (draw_replication: y*
from pop.lav cut at its thresholds): n = 150, seed 2, replications 0-2 (replications 0 and 2 have items with a
category nobody chose, so those items have fewer than 4 thresholds; replication 1 has none).  Run from this directory (writes exact_data.csv)."""
import pandas as pd

from iur_survey.power import PopulationModel
from iur_survey.power.montecarlo import draw_replication

N, SEED, REPS = 150, 2, 3

if __name__ == "__main__":
    pm = PopulationModel.from_lavaan(open("pop.lav", encoding="utf-8").read())
    parts = [draw_replication(pm, N, SEED, r).astype(int).assign(rep=r) for r in range(REPS)]
    pd.concat(parts).to_csv("exact_data.csv", index=False)
