"""Two local optima from lavaan's start values (audit s23 syntaxaudit A4): the scoring steps led to an improper
solution (a negative factor variance, chi-square 94.003) that the fit reported as converged, where lavaan 0.6.14's
nlminb path reaches the proper, lower minimum (83.684).  An improper converged fit now also runs the quasi-Newton
path and keeps the lower minimum.  Reference: tests/sem/converge_refs/make_local_optimum_ref.R."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from iur_survey.sem import sem

REF = json.loads((Path(__file__).parent / "converge_refs" / "local_optimum.json").read_text())


def test_an_improper_local_optimum_gives_way_to_lavaans_lower_minimum():
    d = pd.read_csv("tests/reference/data/hs1939.csv")
    res = sem(REF["model"], d, warn=False)
    assert res.converged and res.nobs[0] == REF["nobs"]
    fm = res.fit_measures()
    for k in ("chisq", "logl", "cfi", "rmsea"):
        assert fm[k] == pytest.approx(REF["fit"][k], rel=1e-4), k
    pe = res.parameter_estimates().set_index(["lhs", "op", "rhs"])
    ref = pd.DataFrame(REF["est"]).set_index(["lhs", "op", "rhs"])
    assert pe.loc[("visual", "~~", "visual"), "est"] > 0
    for key, row in ref.iterrows():
        assert pe.loc[key, "est"] == pytest.approx(row["est"], abs=1e-3), key
    assert not any("negative" in w for w in res.warnings)
    assert any("improper solution" in h for h in res.meta["optimizer_history"])
