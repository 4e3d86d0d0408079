"""Corners found by fuzzing the command line with small, odd exports (helper fuzz30): each gives a result or a
typed one-line error, never a traceback, and loses no response."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd

from iur_survey.cli import main


def _cfa_csv(path, n=120, seed=3, missing=True):
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(n, 2))
    x = np.column_stack([f[:, [0]] + rng.normal(scale=.7, size=(n, 3)), f[:, [1]] + rng.normal(scale=.7, size=(n, 3))])
    d = pd.DataFrame(np.clip(np.round(3 + x), 1, 5), columns=["A1", "A2", "A3", "B1", "B2", "B3"])
    if missing:
        d = d.mask(rng.random(d.shape) < .03)
    d.insert(0, "response_id", [f"r{i}" for i in range(n)])
    d.to_csv(path, index=False)         # plain: no quotes, UTF-8 (read without pandas by `fit`)


def test_fit_residuals_under_fiml_reads_the_plain_csv(tmp_path, capsys):
    # `fit clean.csv --residuals` with a missing cell (FIML; MLR too) died with "TypeError: 'CsvTable' object is
    # not subscriptable": the residuals' standard errors need the data rows, and the plain CSV is not a DataFrame
    _cfa_csv(tmp_path / "clean.csv")
    (tmp_path / "m.lav").write_text("A =~ A1 + A2 + A3\nB =~ B1 + B2 + B3\n", encoding="utf-8")
    for extra in ([], ["--estimator", "MLR"]):
        out = tmp_path / f"r{len(extra)}.json"
        assert main(["fit", str(tmp_path / "clean.csv"), "--model", str(tmp_path / "m.lav"), "--residuals", "3",
                     *extra, "--out", str(out)]) == 0
        res = json.loads(out.read_text())
        assert res["missing"] in ("ml", "fiml") and res["residuals"]["summary"][""]["srmr"]
    # the same numbers as a file pandas reads (a quoted header)
    text = (tmp_path / "clean.csv").read_text()
    (tmp_path / "quoted.csv").write_text('"response_id"' + text[len("response_id"):])
    assert main(["fit", str(tmp_path / "quoted.csv"), "--model", str(tmp_path / "m.lav"), "--residuals", "3",
                 "--out", str(tmp_path / "q.json")]) == 0
    a = json.loads((tmp_path / "r0.json").read_text())["residuals"]["summary"]
    b = json.loads((tmp_path / "q.json").read_text())["residuals"]["summary"]
    assert a == b


def _no_runtime_warning(text):
    return "RuntimeWarning" not in text and "Traceback" not in text


def _main_recording(argv):
    """main(argv) and the RuntimeWarnings it raised (the console shows them to the user)."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        rc = main(argv)
    return rc, [w for w in seen if issubclass(w.category, RuntimeWarning)]


def test_wlsmv_on_six_rows_prints_no_runtime_warning(tmp_path, capsys):
    # 6 rows of 4 items on 0-3: the scaled-shifted test's tr((UG)^2) is <= 0 and np.sqrt printed
    # "RuntimeWarning: invalid value encountered in sqrt" to the user; the scaled test is absent (NaN) as before
    (tmp_path / "d.csv").write_text("response_id,GOV1,GOV2,MKT1,MKT2\na,2,1,1,2\nb,2,1,0,1\nc,0,1,2,3\nd,0,3,2,3\n"
                                    "e,2,0,0,1\nf,2,2,0,1\n")
    (tmp_path / "m.lav").write_text("GOV =~ GOV1 + GOV2\nMKT =~ MKT1 + MKT2\n")
    (tmp_path / "i.yaml").write_text("scale: {min: 0, max: 3}\nconstructs:\n  GOV: {items: [GOV1, GOV2]}\n"
                                     "  MKT: {items: [MKT1, MKT2]}\n")
    rc, runtime = _main_recording(["fit", str(tmp_path / "d.csv"), "--model", str(tmp_path / "m.lav"), "--instrument",
                                   str(tmp_path / "i.yaml"), "--estimator", "WLSMV", "--out", str(tmp_path / "r.json")])
    said = capsys.readouterr()
    assert not runtime, [str(w.message) for w in runtime]
    assert rc == 0 and _no_runtime_warning(said.err + said.out)
    assert json.loads((tmp_path / "r.json").read_text())["fit"]["chisq.scaled"] is None


def test_wlsmv_with_a_perfect_polychoric_is_one_typed_line(tmp_path, capsys):
    # 5 rows of 5 items on 1-3: a polychoric correlation of +-1 made bivariate_normal_pdf divide by zero
    # ("RuntimeWarning: divide by zero") before the typed "zero information" error
    (tmp_path / "d.csv").write_text("response_id,GOV1,GOV2,GOV3,GOV4,GOV5\na,2,1,2,3,3\nb,2,2,2,2,3\nc,2,3,2,1,1\n"
                                    "d,3,2,1,2,2\ne,3,2,1,3,2\n")
    (tmp_path / "m.lav").write_text("GOV =~ GOV1 + GOV2 + GOV3 + GOV4 + GOV5\n")
    (tmp_path / "i.yaml").write_text("scale: {min: 1, max: 3}\nconstructs:\n  GOV: {items: [GOV1, GOV2, GOV3, GOV4, GOV5]}\n")
    rc, runtime = _main_recording(["fit", str(tmp_path / "d.csv"), "--model", str(tmp_path / "m.lav"), "--instrument",
                                   str(tmp_path / "i.yaml"), "--estimator", "WLSMV", "--out", str(tmp_path / "r.json")])
    said = capsys.readouterr()
    assert not runtime, [str(w.message) for w in runtime]
    assert rc == 2 and _no_runtime_warning(said.err + said.out)
    assert [line for line in said.err.splitlines() if "error" in line] == [
        line for line in said.err.splitlines() if "zero information" in line] != []


def test_too_few_complete_cases_gives_the_advice_that_applies(tmp_path, capsys):
    # 4 complete rows, 6 variables, one group: "use FIML" and "merge the group" cannot help and were the advice
    (tmp_path / "d.csv").write_text("response_id,A1,A2,A3,B1,B2,B3\na,5,4,2,3,5,1\nb,4,1,3,1,5,2\nc,5,4,1,2,3,4\n"
                                    "d,2,3,1,4,3,5\n")
    (tmp_path / "m.lav").write_text("A =~ A1 + A2 + A3\nB =~ B1 + B2 + B3\n")
    assert main(["fit", str(tmp_path / "d.csv"), "--model", str(tmp_path / "m.lav"),
                 "--out", str(tmp_path / "r.json")]) == 2
    err = capsys.readouterr().err
    assert "4 complete cases for 6 observed variables" in err and "FIML" not in err and "merge" not in err
