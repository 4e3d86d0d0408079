"""The replication data sets of the audit references, as power_analysis draws them (draw_replication):
the observed mediation model with 15% MCAR cells (n = 100, seed 13, replications 0-4) and Likert codes of the
two-factor model (n = 150, seed 14, replications 0-2).  Run from this directory (writes reps_data.csv)."""
import pandas as pd

from iur_survey.power import PopulationModel
from iur_survey.power.montecarlo import draw_replication

CASES = {"med_mcar15": ("med_pop.lav", 100, 13, 5, 0.15), "likert": ("lik_pop.lav", 150, 14, 3, 0.0)}

if __name__ == "__main__":
    parts = []
    for case, (pop, n, seed, reps, rate) in CASES.items():
        pm = PopulationModel.from_lavaan(open(pop, encoding="utf-8").read())
        for r in range(reps):
            d = draw_replication(pm, n, seed, r, rate).reset_index(drop=True)
            parts.append(d.assign(case=case, rep=r).melt(id_vars=["case", "rep"], ignore_index=False)
                         .reset_index(names="row"))
    pd.concat(parts).to_csv("reps_data.csv", index=False, float_format="%.17g")
