"""``fit --group`` refuses a column of personal data: the group labels go into the terminal lines, results.json,
the tables and the diagram (audit27: ``fit clean_names2.csv --group name`` fitted, and two respondents' names
reached every output).  A column is personal by its header, as the reader judges an export's columns (names,
e-mail addresses, phone numbers; here also interviewers' names), or by a value (an e-mail or IP address, a phone
or ID-card number).  The error is one line, names file, row and column, and quotes no value; nothing is written.
A legitimate grouping column of the analyst's own file (sex, country, a school's name) still fits."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from iur_survey.cli import main

MODEL = "F =~ x1 + x2 + x3 + x4\n"
NAMES = ["Zhang Wei", "Li Na"]


def _frame(seed: int = 3, n: int = 160) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    f = rng.standard_normal(n)
    d = pd.DataFrame({f"x{i}": np.round(f + rng.standard_normal(n) * 0.7, 3) for i in range(1, 5)})
    half = np.arange(n) % 2
    d["name"] = np.array(NAMES)[half]
    d["contact"] = np.array(["zhang.wei@example.com", "li.na@example.org"])[half]
    d["tel"] = np.array(["13812345678", "+86 139 1234 5678"])[half]
    d["note"] = np.where(np.arange(n) == 37, "13912345678", np.array(["A", "B"])[half])   # one phone in row 39
    d["访问员"] = np.array(["王芳", "陈静"])[half]
    d["sex"] = np.array(["female", "male"])[half]
    d["country"] = np.array(["China", "Germany"])[half]
    return d


@pytest.fixture()
def files(tmp_path):
    data = tmp_path / "data.csv"
    _frame().to_csv(data, index=False)
    model = tmp_path / "m.lav"
    model.write_text(MODEL)
    return data, model


def _fit(files, tmp_path, group):
    data, model = files
    out = tmp_path / "r.json"
    rc = main(["fit", str(data), "--model", str(model), "--group", group, "--out", str(out), "--quiet"])
    return rc, out


@pytest.mark.parametrize("group, kind", [("name", "names"), ("tel", "phone numbers"),
                                         ("访问员", "interviewers")])
def test_personal_header_is_refused(files, tmp_path, capsys, group, kind):
    rc, out = _fit(files, tmp_path, group)
    err = capsys.readouterr().err.strip()
    assert rc == 2 and not out.exists(), err
    assert err.startswith(f"iur-survey fit: error: {files[0]}:{group}: --group") and "\n" not in err, err
    assert kind in err and "personal data" in err
    assert not any(x in err for x in (*NAMES, "王芳", "陈静", "13812345678"))


@pytest.mark.parametrize("group, kind, row", [("contact", "an e-mail address", 2), ("note", "a phone number", 39)])
def test_personal_value_is_refused_naming_row_not_value(files, tmp_path, capsys, group, kind, row):
    rc, out = _fit(files, tmp_path, group)
    err = capsys.readouterr().err.strip()
    assert rc == 2 and not out.exists(), err
    assert err.startswith(f"iur-survey fit: error: {files[0]}:{row}:{group}: --group {group!r} holds {kind}"), err
    assert "@" not in err and "1391234" not in err and "\n" not in err


@pytest.mark.parametrize("group, labels", [("sex", ["female", "male"]), ("country", ["China", "Germany"])])
def test_legitimate_grouping_still_fits(files, tmp_path, capsys, group, labels):
    rc, out = _fit(files, tmp_path, group)
    assert rc == 0, capsys.readouterr().err
    assert list(json.loads(out.read_text())["groups"]) == labels
