"""`fit --group` with the default model frees the structural paths per group (group-specific labels, per-group
indirect effects); `--equal regressions` constrains them; `--print-model` shows the model.  Checked against
lavaan 0.6.14 on the demo data (tests/sem/multigroup_default/make_refs.R)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from iur_survey.cli import main

HERE = Path(__file__).parent / "multigroup_default"
DATA = HERE / "demo_clean.csv"


def _ref(name: str) -> pd.DataFrame:
    return pd.DataFrame(json.loads((HERE / f"{name}.json").read_text())["estimates"])


def _fit(tmp_path, *extra) -> dict:
    out = tmp_path / "r.json"
    assert main(["fit", str(DATA), "--group", "role", "--out", str(out), *extra]) == 0
    return json.loads(out.read_text())


def _compare(ours: dict, ref: pd.DataFrame) -> pd.DataFrame:
    o = pd.DataFrame(ours["estimates"])
    o["group"] = o["group"].fillna("")
    m = ref.merge(o, on=["lhs", "op", "rhs", "group"], suffixes=("_lav", ""))
    assert len(m) == len(ref), "every structural path and := effect of lavaan is in results.json"
    assert (m["est"] - m["est_lav"]).abs().max() < 1e-3
    assert ((m["se"] - m["se_lav"]).abs() / m["se_lav"]).max() < 5e-3
    assert (m["std.all"] - m["std.all_lav"]).abs().max() < 1e-3
    return m


def test_default_group_fit_frees_paths_like_lavaan(tmp_path, capsys):
    res = _fit(tmp_path)
    m = _compare(res, _ref("free"))
    gov = m[(m["lhs"] == "COL") & (m["rhs"] == "GOV")]
    assert len(gov) == 4 and gov["est"].round(3).nunique() == 4          # no longer 0.3232 in every group
    ind = m[m["lhs"].str.startswith("ind_GOV.g")]
    assert sorted(ind["lhs"]) == ["ind_GOV.g1", "ind_GOV.g2", "ind_GOV.g3", "ind_GOV.g4"]
    assert res["call"]["model"]["source"].startswith("<default model, 4 groups, group-specific")
    assert "[research_institute]" in capsys.readouterr().out


@pytest.mark.slow
def test_equal_regressions_constrains_paths_like_lavaan(tmp_path):
    res = _fit(tmp_path, "--equal", "regressions")
    m = _compare(res, _ref("equal"))
    gov = m[(m["lhs"] == "COL") & (m["rhs"] == "GOV")]
    assert gov["est"].round(6).nunique() == 1


def test_print_model_shows_the_default_model(tmp_path, capsys):
    assert main(["fit", "--print-model"]) == 0
    one = capsys.readouterr().out
    assert "COL ~ a1*GOV + a2*MKT" in one and "ind_GOV := a1*b" in one
    assert main(["fit", str(DATA), "--group", "role", "--print-model"]) == 0
    four = capsys.readouterr().out
    assert "COL ~ c(a1.g1, a1.g2, a1.g3, a1.g4)*GOV" in four and "ind_GOV.g4 := a1.g4*b.g4" in four
    assert main(["fit", str(DATA), "--group", "role", "--equal", "regressions", "--print-model"]) == 0
    assert capsys.readouterr().out == one


def test_shared_labels_in_a_given_model_warn(tmp_path, capsys):
    model = tmp_path / "m.lav"
    model.write_text("GOV =~ GOV1 + GOV2 + GOV3 + GOV4\nCOL =~ COL1 + COL2 + COL3 + COL4\nCOL ~ a*GOV\n")
    assert main(["fit", str(DATA), "--group", "role", "--model", str(model), "--print-model"]) == 0
    capsys.readouterr()
    res = _fit(tmp_path, "--model", str(model))
    assert any("constrained equal across groups" in w for w in res["warnings"])


def test_merge_into_unknown_group_is_an_error(tmp_path, capsys):
    code = main(["fit", str(DATA), "--group", "role", "--merge-groups", "government=research",
                 "--out", str(tmp_path / "r.json")])
    err = capsys.readouterr().err
    assert code == 2 and "'research'" in err and "research_institute" in err
    assert not (tmp_path / "r.json").exists()
