"""The study population's exact moments (Likert codes and continuous y*), input of make_truth_ref.R.

Run from this directory:  PYTHONPATH=<repo> python make_truth_data.py   (writes study_moments.csv, study_model.lav)
"""
import numpy as np
import pandas as pd

from iur_survey.power import PopulationModel
from iur_survey.study import default_model

pm = PopulationModel.from_population()
S, m = pm.moments()
rows = []
for kind, cov in (("likert", S), ("continuous", pm.sigma)):
    for i, a in enumerate(pm.names):
        for j, b in enumerate(pm.names):
            rows.append({"kind": kind, "row": a, "col": b, "value": repr(float(cov[i, j]))})
pd.DataFrame(rows).to_csv("study_moments.csv", index=False)
with open("study_model.lav", "w", encoding="utf-8") as fh:
    fh.write(default_model() + "\n")
