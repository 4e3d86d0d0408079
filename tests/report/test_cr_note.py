"""The measurement table's CR is the composite reliability of the completely standardized solution, not semTools'
compRelSEM(fit, obs.var = FALSE) of the unstandardized fit, which a reader checking it in R would run: on HS1939's
CFA they differ in the third decimal (speed .691 against .688; tests/report/refs/make_cr_note_refs.R ->
cr_note_refs.json), so the note says so."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pandas as pd

from iur_survey.report import paper
from iur_survey.report.format import num
from iur_survey.sem import sem

HERE = Path(__file__).parent
REF = json.loads((HERE / "refs" / "cr_note_refs.json").read_text())
HS = pd.read_csv(HERE.parent / "reference" / "data" / "hs1939.csv")


def test_cr_is_the_standardized_one_and_the_note_says_it_is_not_compRelSEM_of_the_unstandardized_fit():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = json.loads(sem(REF["model"], HS).to_json())
    moments = paper.FitMoments({"": HS[[f"x{i}" for i in range(1, 10)]].cov(ddof=0)})
    t = paper.measurement_apa(res, HS, moments=moments)
    cr = t.frame[t.frame["Construct"] != ""].set_index("Construct")["CR"]
    for f, v in REF["cr_std"].items():
        assert cr[f] == num(v, 3, False)
    # the reference shows the two differ where the note says they can
    assert num(REF["cr_semtools_unstd"]["speed"], 3, False) != cr["speed"]
    assert "is not compRelSEM(fit, obs.var = FALSE) of the unstandardized solution" in t.note
