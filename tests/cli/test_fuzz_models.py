"""Odd user model files and options found by fuzzing `fit` and `pls` (helper fuzz31): each gives a result or a
typed one-line error, never a traceback or a numpy warning printed to the user."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from iur_survey.cli import main


def _sem_csv(path, n=160, seed=5):
    """Three constructs of 4 items (1-5), a role column of 2 groups, a few blank cells."""
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(n, 3))
    f[:, 2] += .5 * f[:, 0] + .4 * f[:, 1]
    cols, parts = [], []
    for j, name in enumerate(("A", "B", "C")):
        parts.append(f[:, [j]] + rng.normal(scale=.7, size=(n, 4)))
        cols += [f"{name}{k}" for k in range(1, 5)]
    d = pd.DataFrame(np.clip(np.round(3 + np.hstack(parts)), 1, 5), columns=cols)
    d = d.mask(rng.random(d.shape) < .02)
    d.insert(0, "role", np.where(np.arange(n) % 2, "university", "enterprise"))
    d.insert(0, "response_id", [f"r{i}" for i in range(n)])
    d.to_csv(path, index=False)


_MEASURE = "A =~ A1 + A2 + A3 + A4\nB =~ B1 + B2 + B3 + B4\nC =~ C1 + C2 + C3 + C4\n"


def _run(argv):
    """main(argv) and the RuntimeWarnings it raised (the console shows them to the user)."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        rc = main(argv)
    return rc, [str(w.message) for w in seen if issubclass(w.category, RuntimeWarning)]


@pytest.mark.parametrize("extra", [[], ["--group", "role"], ["--bootstrap", "5", "--quiet"]])
def test_defined_parameter_divided_by_zero_is_null_without_warning(tmp_path, capsys, extra):
    # `d := a/0`: lavaan reports Inf (est) and NA (se).  The fit printed numpy's "divide by zero" RuntimeWarning
    # (ML), crashed with ZeroDivisionError in the by-group effects (--group role), and printed "invalid value
    # encountered in subtract" from the bootstrap's SD
    _sem_csv(tmp_path / "d.csv")
    (tmp_path / "m.lav").write_text(_MEASURE + "C ~ a*A + b*B\nd := a/0\nr := a/b\n", encoding="utf-8")
    out = tmp_path / "r.json"
    rc, seen = _run(["fit", str(tmp_path / "d.csv"), "--model", str(tmp_path / "m.lav"), *extra, "--out", str(out)])
    assert rc == 0 and seen == []
    assert "Traceback" not in capsys.readouterr().err
    rows = {(e["lhs"], e.get("group", 1)): e for e in json.loads(out.read_text())["estimates"] if e["op"] == ":="}
    assert all(e["est"] is None and e["se"] is None for (lhs, _), e in rows.items() if lhs == "d")
    assert all(np.isfinite(e["est"]) and e["se"] > 0 for (lhs, _), e in rows.items() if lhs == "r")


@pytest.mark.parametrize("value", ["-Inf", "1e400", "1e308", "1e160"])
def test_fixed_value_that_cannot_give_finite_moments_is_one_typed_line(tmp_path, capsys, value):
    # `A =~ 1e308*A1 + ...` died with numpy's LinAlgError (FIML) after overflow warnings; -Inf and 1e400 (an
    # infinite float) passed the parser's "cannot be fixed to Inf" check and ran to "did not converge" with
    # RuntimeWarnings printed
    _sem_csv(tmp_path / "d.csv")
    (tmp_path / "m.lav").write_text(f"A =~ {value}*A1 + A2 + A3\n", encoding="utf-8")
    # ordered items (WLSMV: one group, groups, theta, some items ordered) printed numpy's overflow warnings and
    # ended "did not converge" / "statistics are not finite at the start values" (session 32)
    for extra in ([], ["--missing", "listwise"], ["--ordered"], ["--ordered", "--group", "role"],
                  ["--ordered", "--parameterization", "theta"], ["--ordered", "A2,A3"]):
        rc, seen = _run(["fit", str(tmp_path / "d.csv"), "--model", str(tmp_path / "m.lav"), *extra,
                         "--out", str(tmp_path / "r.json")])
        err = capsys.readouterr().err.strip().splitlines()
        assert rc == 2 and seen == [] and len(err) == 1, err
        assert "infinite value" in err[0] or "overflows" in err[0]


@pytest.mark.parametrize("D", [2, 4])
def test_blindfolding_distance_dividing_a_block_is_refused_before_the_bootstrap(tmp_path, capsys, D):
    # D = 2 or 4 with 4-item blocks omits whole indicators in each round (data points are taken case by case):
    # "the indicator correlations are not finite (an indicator without variance?)", after the bootstrap's work
    _sem_csv(tmp_path / "d.csv")
    (tmp_path / "m.lav").write_text(_MEASURE + "C ~ A + B\n", encoding="utf-8")
    rc, seen = _run(["pls", str(tmp_path / "d.csv"), "--model", str(tmp_path / "m.lav"), "--bootstrap", "0",
                     "--blindfolding", str(D), "--out", str(tmp_path / "p.json")])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1 and f"D = {D} divides the number of indicators of C (4)" in err[0]
    assert "(e.g. 7)" in err[0] and not (tmp_path / "p.json").exists()
    rc, _ = _run(["pls", str(tmp_path / "d.csv"), "--model", str(tmp_path / "m.lav"), "--bootstrap", "0",
                  "--blindfolding", "7", "--out", str(tmp_path / "p.json")])
    assert rc == 0 and json.loads((tmp_path / "p.json").read_text())["blindfolding"][0]["q2"] > 0


def test_a_defined_parameter_given_twice_is_refused(tmp_path, capsys):
    # `d := a` then `d := b`: two results rows named d (a's and b's values), where lavaan 0.6.14 gives both rows
    # the last definition's value; ambiguous, so refused with the line of each
    _sem_csv(tmp_path / "d.csv")
    (tmp_path / "m.lav").write_text(_MEASURE + "C ~ a*A + b*B\nd := a\nd := b\n", encoding="utf-8")
    for cmd in (["fit"], ["pls", "--bootstrap", "0"]):
        rc = main([cmd[0], str(tmp_path / "d.csv"), "--model", str(tmp_path / "m.lav"), *cmd[1:],
                   "--out", str(tmp_path / "r.json")])
        err = capsys.readouterr().err.strip().splitlines()
        assert rc == 2 and len(err) == 1 and "m.lav:6:1: 'd' is defined twice (first given on line 5)" in err[0], err
        assert not (tmp_path / "r.json").exists()


def test_power_says_why_no_replication_converged_when_no_fit_raised(tmp_path, capsys):
    # every replication of a model with `d := a/0` has an infinite d without SE, so none counts as converged;
    # the warning ended in "the fits said: " and nothing (the error column holds "" for a fit that ran)
    (tmp_path / "m.lav").write_text("GOV =~ GOV1 + GOV2 + GOV3\nCOL =~ COL1 + COL2 + COL3\nCOL ~ a*GOV\n"
                                    "d := a/0\n", encoding="utf-8")
    rc = main(["power", "--n", "60", "--reps", "2", "--workers", "0", "--model", str(tmp_path / "m.lav"), "--quiet",
               "--out", str(tmp_path / "p")])
    err = [l for l in capsys.readouterr().err.splitlines() if "no replication converged" in l]
    assert rc == 0 and len(err) == 1
    assert not err[0].rstrip().endswith("the fits said:") and "no finite, positive standard error" in err[0]


def test_model_errors_of_power_and_grouped_fit_name_the_model_file(tmp_path, capsys):
    # power --model and fit --group re-read the syntax without its source: "<model syntax>:1:22: variable
    # 'XYZ9' is not in the data", "<model syntax>: the syntax defines 2 groups but the data has 2"
    _sem_csv(tmp_path / "d.csv")
    (tmp_path / "u.lav").write_text("GOV =~ GOV1 + GOV2 + XYZ9\n", encoding="utf-8")
    (tmp_path / "g.lav").write_text("group: 1\nA =~ A1 + A2 + A3\ngroup: 2\nA =~ A1 + A2 + A3\ngroup: 3\n"
                                    "A =~ A1 + A2 + A3\n", encoding="utf-8")
    runs = ((["power", "--n", "40", "--reps", "2", "--workers", "0", "--model", str(tmp_path / "u.lav"), "--quiet",
              "--out", str(tmp_path / "p")], "u.lav:1:22: variable 'XYZ9' is not in the data"),
            (["fit", str(tmp_path / "d.csv"), "--model", str(tmp_path / "g.lav"), "--group", "role",
              "--out", str(tmp_path / "r.json")], "g.lav: the syntax defines 3 groups but the data has 2"))
    for argv, said in runs:
        rc = main(argv)
        err = capsys.readouterr().err.strip().splitlines()
        assert rc == 2 and len(err) == 1 and said in err[0] and "<model syntax>" not in err[0], err


def test_efa_of_two_items_names_them(tmp_path, capsys):
    # `efa --items A1,A2` said "an EFA needs a DataFrame of at least three items" (a programmer's word)
    _sem_csv(tmp_path / "d.csv")
    rc = main(["efa", str(tmp_path / "d.csv"), "--items", "A1,A2", "--factors", "1", "--out", str(tmp_path / "e.json")])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1 and "at least three items; got 2 (A1, A2)" in err[0] and "DataFrame" not in err[0]


def test_blindfolding_and_predict_errors_name_the_data_file(tmp_path, capsys):
    # 6 rows where C4 differs in one row only: a blindfolding round (D = 50) or a PLSpredict fold leaves C4
    # constant; the error said "the indicator correlations are not finite ..." without the data file
    _sem_csv(tmp_path / "big.csv")
    d = pd.read_csv(tmp_path / "big.csv").dropna().head(6).reset_index(drop=True)
    d["C4"] = [3, 3, 3, 3, 3, 5]
    d.to_csv(tmp_path / "d.csv", index=False)
    (tmp_path / "m.lav").write_text(_MEASURE + "C ~ A + B\n", encoding="utf-8")
    for opt in (["--blindfolding", "50"], ["--predict", "2"]):
        rc = main(["pls", str(tmp_path / "d.csv"), "--model", str(tmp_path / "m.lav"), "--bootstrap", "0", *opt,
                   "--out", str(tmp_path / "p.json")])
        err = capsys.readouterr().err.strip().splitlines()
        errors = [l for l in err if ": error: " in l]
        assert rc == 2 and len(errors) == 1 and f"{tmp_path / 'd.csv'}: " in errors[0], err
