"""`fit --group role --equal regressions --free 'COL ~ GOV'` on the default model: every path equal across the
groups but COL ~ GOV (audit, session 34). The README offers `--free` with `--equal` for partial invariance, but the
default model holds the paths equal through labels shared by the groups, which lavaan's group.partial cannot lift,
so the fit stopped: "'COL ~ GOV' carries the label a1, shared by the groups ... give it one label per group".
The user had not written the model. Now the default model gives that path one label per group (and its effects
one per group), as `--print-model` shows. Checked against lavaan 0.6.14 (multigroup_default/make_refs.R).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from iur_survey.cli import main
from iur_survey.commands.fit import _structural_free
from iur_survey.study import default_model

HERE = Path(__file__).parent / "multigroup_default"
DATA = HERE / "demo_clean.csv"


def test_print_model_labels_the_freed_path_per_group(capsys):
    assert main(["fit", str(DATA), "--group", "role", "--equal", "regressions", "--free", "COL ~ GOV",
                 "--print-model"]) == 0
    printed = capsys.readouterr().out.strip()
    assert printed == (HERE / "model_equal_free_gov.lav").read_text(encoding="utf-8").strip()
    lines = printed.splitlines()
    assert "COL ~ c(a1.g1, a1.g2, a1.g3, a1.g4)*GOV + a2*MKT + a3*BEN + a4*VAL + a5*TAL" in lines
    assert "ind_GOV.g3 := a1.g3*b" in lines and "ind_MKT := a2*b" in lines and "tot_GOV.g1 := c1 + a1.g1*b" in lines


def test_default_model_free_paths_and_entries():
    assert _structural_free(["INT ~ COL", "COL =~ COL1", "COL ~ 1"]) == {"INT ~ COL": ("INT", "COL")}
    m = default_model(ngroups=2, equal_regressions=True, free_paths=[("INT", "COL")]).splitlines()
    assert "INT ~ c(b.g1, b.g2)*COL + c1*GOV + c2*MKT + c3*BEN + c4*VAL + c5*TAL" in m
    assert "ind_GOV.g2 := a1*b.g2" in m and "tot_TAL.g1 := c5 + a5*b.g1" in m
    # not a path of the model: the model is unchanged (the fit's --free check names the entry)
    assert default_model(ngroups=2, equal_regressions=True, free_paths=[("COL", "INT")]) == \
        default_model(ngroups=2, equal_regressions=True)


def test_fit_equals_lavaan_and_names_the_freed_path(tmp_path):
    out = tmp_path / "r.json"
    assert main(["fit", str(DATA), "--group", "role", "--equal", "regressions", "--free", "COL ~ GOV",
                 "--out", str(out)]) == 0
    res = json.loads(out.read_text())
    ref = json.loads((HERE / "free_gov.json").read_text())
    lav = pd.DataFrame(ref["estimates"])
    ours = pd.DataFrame(res["estimates"])
    ours["group"] = ours["group"].fillna("")
    m = lav.merge(ours, on=["lhs", "op", "rhs", "group"], suffixes=("_lav", ""))
    assert len(m) == len(lav)
    assert (m["est"] - m["est_lav"]).abs().max() < 1e-4
    assert ((m["se"] - m["se_lav"]).abs() / m["se_lav"]).max() < 5e-3
    assert (m["std.all"] - m["std.all_lav"]).abs().max() < 1e-4
    assert res["fit"]["df"] == ref["fit"]["df"] and res["fit"]["chisq"] == pytest.approx(ref["fit"]["chisq"], rel=1e-6)
    gov = m[(m["lhs"] == "COL") & (m["rhs"] == "GOV")]
    mkt = m[(m["lhs"] == "COL") & (m["rhs"] == "MKT")]
    assert gov["est"].round(4).nunique() == 4 and mkt["est"].round(6).nunique() == 1
    assert res["group_partial"] == ["COL ~ GOV"]
    assert all(r.get("group_partial") for r in res["estimates"] if r["lhs"] == "COL" and r["rhs"] == "GOV")
    # one reason for the freed path (group.partial), not a second one in the warnings ("stays free across groups,
    # because a label given per group overrides group.equal": labels fit itself gave it; paper29's C8)
    assert not any(w.startswith('group.equal "regressions" constrains') for w in res["warnings"])
