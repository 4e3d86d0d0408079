"""A model variable with no value in one group: a typed one-line error naming the variable, the group and
the group column before any estimation (API and CLI, exit status 2), not a ValueError about "column 7".
lavaan 0.6.14 refuses such data as well ("infinite or missing values in 'x'")."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from iur_survey.cli import main
from iur_survey.errors import DataError, EstimationError
from iur_survey.sem import sem
from iur_survey.sem.datacheck import check_group_data

DATA = "tests/sem/ordinal_refs/wlsmv_groups_630.csv"
MODEL = "F1 =~ a1 + a2 + a3 + a4\nF2 =~ b1 + b2 + b3 + b4"


def blanked() -> pd.DataFrame:
    d = pd.read_csv(DATA)
    d.loc[d["G"] == "g2", "b4"] = np.nan
    return d


@pytest.mark.parametrize("kw", [{}, {"missing": "listwise"}, {"ordered": True}])
def test_api_names_variable_and_group(kw):
    with pytest.raises(DataError) as e:
        sem(MODEL, blanked(), group="G", **kw)
    msg = str(e.value)
    assert msg.startswith("b4: has no value in group 'g2' of 'G' (190 rows)")
    assert "\n" not in msg


def test_cli_exit_2_one_line(tmp_path, capsys):
    path = tmp_path / "grpmiss.csv"
    blanked().to_csv(path, index=False)
    model = tmp_path / "m.lav"
    model.write_text(MODEL + "\n")
    code = main(["fit", str(path), "--model", str(model), "--group", "G", "--out", str(tmp_path / "r.json")])
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Traceback" not in err
    assert f"{path}:b4: has no value in group 'g2' of 'G'" in err
    assert not (tmp_path / "r.json").exists()


def test_single_value_and_pairs_per_group():
    nan = np.nan
    X = np.array([[1.0, 2.0, 1.0], [2.0, nan, 2.0],                                 # group a
                  [3.0, 1.0, nan], [1.0, 3.0, nan], [2.0, nan, 2.0], [3.0, nan, 4.0]])  # group b
    g = np.array(["a", "a", "b", "b", "b", "b"])
    with pytest.raises(DataError, match=r"^y: has a single value in group 'a' \(2 rows\)"):
        check_group_data(X, ["x", "y", "z"], g)
    X[1, 1] = 5.0
    said: list[str] = []              # a planned-missing design: fitted, as lavaan does, with its warning
    check_group_data(X, ["x", "y", "z"], g, group="role", warnings=said)
    assert len(said) == 1 and said[0].startswith("due to missing values, some pairwise combinations have 0% "
                                                 "coverage in group 'b' of 'role': 'y' and 'z' are never observed")
    X[4, 1] = 1.0
    check_group_data(X, ["x", "y", "z"], g)                 # every group estimable: no error


def test_complete_groups_still_fit():
    d = pd.read_csv(DATA)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sem(MODEL, d, group="G")
    assert res.converged and sum(res.nobs) == 627      # 3 rows with no item answered are left out


# ---- a variable with no variance in one group (audit s25 cliaudit B1): the FIML fit (the default with blank
# cells) stopped with numpy's LinAlgError traceback; lavaan 0.6.14 refuses the data (novar_refs/make_novar_ref.R)
NOVAR_REF = "tests/sem/novar_refs/novar_lavaan.json"


def flat_b4() -> pd.DataFrame:
    d = pd.read_csv(DATA)
    d.loc[(d["G"] == "g2") & d["b4"].notna(), "b4"] = 3.0
    return d


@pytest.mark.parametrize("kw, ref", [({}, "fiml"), ({"missing": "listwise"}, "listwise"), ({"ordered": True}, None)])
def test_no_variance_in_a_group_refused_as_lavaan(kw, ref):
    import json
    if ref:
        lav = json.load(open(NOVAR_REF))[ref]
        assert not lav["fitted"] and "no variance in group 2: b4" in lav["error"]
    with pytest.raises(DataError) as e:
        sem(MODEL, flat_b4(), group="G", **kw)
    msg = str(e.value)
    assert msg.startswith("b4: has no variance in group 'g2' of 'G' (every value is 3,") and "\n" not in msg


def test_group_column_in_the_model_refused(tmp_path, capsys):
    d = pd.read_csv(DATA)
    path = tmp_path / "d.csv"
    d.to_csv(path, index=False)
    model = tmp_path / "m.lav"
    model.write_text(MODEL + "\n")
    code = main(["fit", str(path), "--model", str(model), "--group", "a1", "--out", str(tmp_path / "r.json")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.count("\n") == 0 and "RuntimeWarning" not in err
    assert ":a1: has no variance in group" in err and "(the group column itself" in err
    assert not (tmp_path / "r.json").exists()


def test_cli_no_variance_exit_2(tmp_path, capsys):
    path = tmp_path / "novar.csv"
    flat_b4().to_csv(path, index=False)
    model = tmp_path / "m.lav"
    model.write_text(MODEL + "\n")
    code = main(["fit", str(path), "--model", str(model), "--group", "G", "--out", str(tmp_path / "r.json")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.count("\n") == 0 and "Traceback" not in err
    assert f"{path}:b4: has no variance in group 'g2' of 'G'" in err


def test_listwise_leaves_no_case_single_group():
    # audit s25 cliaudit C4: a one-group fit said "group '1' has fewer than 2 usable cases"
    d = pd.read_csv(DATA).drop(columns="G").iloc[:40].copy()
    for k in range(len(d)):
        d.iloc[k, k % 4] = np.nan                   # every row misses one of a1..a4
    with pytest.raises(EstimationError) as e:
        sem(MODEL, d, missing="listwise")
    assert str(e.value).startswith("the data have 0 usable case(s) after listwise deletion")
