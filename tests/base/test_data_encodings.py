"""A clean.csv re-saved in another encoding is read by fit, efa and pls as `iur-survey clean` reads an export
(audit s25 cliaudit B3): GBK (Excel's CSV on Chinese Windows) and UTF-16 ("Unicode text") give the same fit as
the UTF-8 file; a workbook, or bytes in no known encoding, is a one-line error naming the file (and line), not
"'utf-8' codec can't decode byte 0xb8 in position 175"."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from iur_survey.cli import main

DATA = "tests/sem/ordinal_refs/wlsmv_groups_630.csv"
MODEL = "F1 =~ a1 + a2 + a3 + a4\nF2 =~ b1 + b2 + b3 + b4\nF2 ~ F1\n"
ROLES = {"g1": "企业", "g2": "高校", "g3": "政府"}


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("enc")
    frame = pd.read_csv(DATA)
    frame["G"] = frame["G"].map(ROLES)
    text = frame.to_csv(index=False)
    (d / "utf8.csv").write_text(text, encoding="utf-8")
    (d / "gbk.csv").write_bytes(text.encode("gbk"))
    (d / "utf16.csv").write_bytes(text.encode("utf-16"))
    (d / "m.lav").write_text(MODEL)
    return d


def _fit(d, name, capsys):
    out = d / f"{name}.json"
    code = main(["fit", str(d / f"{name}.csv"), "--model", str(d / "m.lav"), "--group", "G", "--out", str(out)])
    capsys.readouterr()
    assert code == 0
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["gbk", "utf16"])
def test_same_fit_as_utf8(files, name, capsys):
    ref, got = _fit(files, "utf8", capsys), _fit(files, name, capsys)
    assert got["groups"] == ref["groups"] and set(got["groups"]) == set(ROLES.values())
    assert got["fit"]["chisq"] == pytest.approx(ref["fit"]["chisq"], rel=1e-9)
    assert [e["est"] for e in got["estimates"]] == pytest.approx([e["est"] for e in ref["estimates"]], rel=1e-9)


@pytest.mark.parametrize("command", ["efa", "pls"])
def test_efa_pls_read_gbk(files, command, tmp_path, capsys):
    extra = ["--factors", "2", "--items", "a,b"] if command == "efa" else ["--model", str(files / "m.lav"),
                                                                           "--bootstrap", "0"]
    assert main([command, str(files / "gbk.csv"), *extra, "--out", str(tmp_path / "o.json")]) == 0, \
        capsys.readouterr().err


def test_workbook_and_unknown_bytes_refused(files, tmp_path, capsys):
    book = tmp_path / "clean.xlsx"
    pd.read_csv(files / "utf8.csv").to_excel(book, index=False)
    bad = tmp_path / "cp1252.csv"
    bad.write_bytes("G,a1\nuniversit\xe9,3\n".encode("cp1252"))
    for path, says in ((book, "clean.xlsx: an Excel workbook (.xlsx), not a CSV file"),
                       (bad, "cp1252.csv:2: the bytes are neither UTF-8 nor GB18030")):
        code = main(["fit", str(path), "--model", str(files / "m.lav"), "--out", str(tmp_path / "r.json")])
        err = capsys.readouterr().err.strip()
        assert code == 2 and err.count("\n") == 0 and says in err, err
