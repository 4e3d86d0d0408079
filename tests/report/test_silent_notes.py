"""What the measurement and discriminant tables leave out is said in their notes, never left blank in silence:
α and HTMT of a multi-group fit whose data file lacks the fit's group column (the note read "no data of this
group"), and ω that could not be computed from the sample moments (it was blank without a word)."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd

from iur_survey.report import paper
from iur_survey.sem import sem


def _two_groups(seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    f = rng.standard_normal((300, 1))
    X = f @ [[0.8, 0.7, 0.6]] + rng.standard_normal((300, 3)) * 0.6
    return pd.DataFrame(X, columns=["a", "b", "c"]).assign(g=np.repeat(["x", "y"], 150))


def test_a_data_file_without_the_group_column_is_said():
    d = _two_groups()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = json.loads(sem("F =~ a + b + c", d, group="g").to_json())
    res.setdefault("call", {}).setdefault("options", {})["group"] = "g"      # as `fit --group g` records it
    assert "no data of this group" not in paper.measurement_apa(res, d).note
    note = paper.measurement_apa(res, d.drop(columns="g")).note
    assert "α needs the data: — (the data file has no column 'g', the fit's group column)." in note
    assert "no data of this group" not in note
    # a results.json that does not record its group column: said so
    res["call"]["options"].pop("group")
    assert "results.json does not record the fit's group column" in paper.measurement_apa(res, d).note


def test_omega_that_cannot_be_computed_says_why():
    est = pd.DataFrame({"lhs": ["F", "F", "a", "b", "F"], "op": ["=~", "=~", "~~", "~~", "~~"],
                        "rhs": ["a", "b", "a", "b", "F"], "est": [1.0, 1.0, 0.5, 0.5, 1.0],
                        "std.all": [0.816, 0.816, 0.333, 0.333, 1.0]})
    S = pd.DataFrame([[1.5, 1.0], [1.0, 1.5]], index=["a", "b"], columns=["a", "b"])
    assert "omega_error" not in paper.construct_reliability(est, cov=S).attrs
    r = paper.construct_reliability(est, cov=S.loc[["a"], ["a"]])
    assert np.isnan(r.loc["F", "omega"]) and "'b'" in r.attrs["omega_error"]
