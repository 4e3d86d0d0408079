"""`iur-survey simulate`: help, errors, the three files, and the bundled demo reproduced (up to float rounding)."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pandas as pd
import pytest

import iur_survey.simulate.writers as writers
from iur_survey.cli import main
from iur_survey.simulate.contamination import HONEST_KINDS, KINDS

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "data" / "demo"
DEMO_FILES = ("export.csv", "truth.csv", "population.json")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def demo_command() -> str:
    """The command data/README.md says made the demo (the line after 'iur-survey simulate' in a code block)."""
    text = (REPO / "data" / "README.md").read_text(encoding="utf-8")
    found = re.findall(r"^(iur-survey simulate [^\n]+)$", text, flags=re.M)
    assert found, "data/README.md must give the command that made data/demo"
    return found[0]


def test_help_is_informative(cli_help):
    out = cli_help("simulate")
    for word in list(KINDS) + ["qualtrics", "wjx_csv", "wjx_xlsx", "spss", "truth.csv", "population.json",
                               "--no-contamination", "--rate", "--labels", "--language", "examples:"]:
        assert word in out, word


@pytest.mark.parametrize("argv, message", [
    (["--rate", "nonsense=0.1"], "unknown contamination rate"),
    (["--rate", "random=1.5"], "proportion"),
])
def test_bad_rates_fail_with_one_line(tmp_path, capsys, argv, message):
    assert main(["simulate", "--n", "20", *argv, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err and "Traceback" not in err
    assert not any(tmp_path.iterdir())


def test_bad_n_is_an_argparse_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["simulate", "--n", "0", "--out", str(tmp_path)])
    assert exc.value.code == 2


@pytest.mark.parametrize("fmt, name", [("qualtrics", "export.csv"), ("spss", "export.sav"),
                                       ("wjx_xlsx", "export.xlsx")])
def test_writes_export_truth_and_population(tmp_path, capsys, fmt, name):
    out = tmp_path / "sim"
    assert main(["simulate", "--n", "120", "--seed", "9", "--format", fmt, "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted([name, "truth.csv", "population.json"])
    truth = pd.read_csv(out / "truth.csv")
    assert list(truth.columns[:3]) == ["response_id", "kind", "detail"]
    assert set(truth["kind"]) <= set(KINDS)
    doc = json.loads((out / "population.json").read_text(encoding="utf-8"))
    assert doc["seed"] == 9 and doc["n_honest"] == 120
    assert doc["command"].startswith(f"iur-survey simulate --n 120 --seed 9 --format {fmt} ")
    assert doc["export"]["sha256"] == sha(out / name)
    assert doc["population"]["paths"]["INT~COL"] == 0.45
    assert doc["n_rows"] == 120 + sum(v["primary"] for k, v in doc["counts"].items() if k not in HONEST_KINDS)
    if fmt == "qualtrics":   # every truth id is in the export (read as plain text, not with our reader)
        text = (out / name).read_text(encoding="utf-8-sig")
        assert all(rid in text for rid in truth["response_id"])


def test_no_contamination(tmp_path):
    out = tmp_path / "clean"
    assert main(["simulate", "--n", "50", "--format", "csv", "--no-contamination", "--out", str(out)]) == 0
    assert pd.read_csv(out / "truth.csv").empty
    doc = json.loads((out / "population.json").read_text(encoding="utf-8"))
    assert doc["n_rows"] == 50 and "--no-contamination" in doc["command"]


def test_demo_is_small_and_documented():
    for f in DEMO_FILES:
        assert (DEMO / f).stat().st_size < 1_000_000, f
    doc = json.loads((DEMO / "population.json").read_text(encoding="utf-8"))
    assert doc["command"] == demo_command()
    assert doc["export"]["sha256"] == sha(DEMO / "export.csv")
    truth = pd.read_csv(DEMO / "truth.csv")
    text = (DEMO / "export.csv").read_text(encoding="utf-8-sig")
    assert all(rid in text for rid in truth["response_id"])


_NUMBER = re.compile(r"(-?\d+\.\d+(?:[eE][-+]?\d+)?|-?\d+)")


def _decimals(token: str) -> int:
    mantissa = token.split("e")[0].split("E")[0]
    return len(mantissa.split(".")[1]) if "." in mantissa else 0


def assert_text_close(new: str, stored: str, name: str) -> None:
    """Two text files agree token by token: words, labels, ids and integers exactly; a decimal number
    within one unit of its last printed digit (another CPU's floating-point kernels may round the
    last digit of a simulated duration or coordinate the other way)."""
    a_lines, b_lines = new.splitlines(), stored.splitlines()
    assert len(a_lines) == len(b_lines), f"{name}: {len(a_lines)} lines regenerated, {len(b_lines)} stored"
    for i, (la, lb) in enumerate(zip(a_lines, b_lines), start=1):
        if la == lb:
            continue
        ta, tb = _NUMBER.split(la), _NUMBER.split(lb)
        assert len(ta) == len(tb), f"{name}:{i}: the line differs beyond number rounding"
        for k, (x, y) in enumerate(zip(ta, tb)):
            if x == y:
                continue
            assert k % 2 == 1 and "." in x and "." in y, f"{name}:{i}: {x[:40]!r} != {y[:40]!r}"
            ulp = 10.0 ** -max(_decimals(x), _decimals(y))
            assert abs(float(x) - float(y)) <= ulp * (1 + 1e-9) + 1e-12 * abs(float(y)), f"{name}:{i}: {x} vs {y}"


def _without_sha(doc):
    if isinstance(doc, dict):
        return {k: _without_sha(v) for k, v in doc.items() if k != "sha256"}
    if isinstance(doc, list):
        return [_without_sha(v) for v in doc]
    return doc


def test_demo_reproduces(tmp_path, monkeypatch, capsys):
    """The documented command, run afresh, remakes every demo file: text, ids, labels and integers
    exactly, decimals up to their last printed digit (no reliance on bit-identical floating point
    across CPUs, so the sha256 of the export is not compared; population.json's own sha256 must
    match the export it was written with)."""
    argv = demo_command().split()[1:]
    out = argv[argv.index("--out") + 1]
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 0
    new_dir = tmp_path / out
    for f in ("export.csv", "truth.csv"):
        assert_text_close((new_dir / f).read_text(encoding="utf-8-sig"), (DEMO / f).read_text(encoding="utf-8-sig"), f)
    new_doc = json.loads((new_dir / "population.json").read_text(encoding="utf-8"))
    assert new_doc["export"]["sha256"] == sha(new_dir / "export.csv")
    assert_text_close(json.dumps(_without_sha(new_doc), indent=1, sort_keys=True),
                      json.dumps(_without_sha(json.loads((DEMO / "population.json").read_text(encoding="utf-8"))),
                                 indent=1, sort_keys=True), "population.json")


def test_assert_text_close_is_strict_on_words_and_integers():
    assert_text_close("a,1.2345,7\n", "a,1.2346,7\n", "x")
    for new in ("a,1.2347,7\n", "a,1.2345,8\n", "b,1.2345,7\n", "a,1.2345,7\nz\n"):
        with pytest.raises(AssertionError):
            assert_text_close(new, "a,1.2345,7\n", "x")


def test_demo_reads_back_onto_the_truth():
    """Read with the package's reader, the demo's rows line up with truth.csv's positions."""
    import iur_survey.read as read
    from iur_survey.instrument import load_instrument
    raw = read.read_export(DEMO / "export.csv", load_instrument())
    truth = pd.read_csv(DEMO / "truth.csv")
    doc = json.loads((DEMO / "population.json").read_text(encoding="utf-8"))
    assert raw.format == "qualtrics" and raw.n_raw == doc["n_rows"]
    assert (raw.frame["response_id"].to_numpy()[truth["position"]] == truth["response_id"].to_numpy()).all()
    prim = truth[truth["primary"]]
    status = raw.frame["_status"].to_numpy()[prim["position"]]
    assert (status[prim["kind"].to_numpy() == "preview"] == "Survey Preview").all()
    assert (raw.frame["ATT1"].to_numpy()[prim.loc[prim["kind"] == "attention", "position"]] != 4).all()


@pytest.mark.parametrize("fmt, name", [("xlsx", "export.xlsx"), ("wjx_xlsx", "export.xlsx"), ("spss", "export.sav")])
def test_workbook_and_spss_exports_are_the_same_bytes_for_a_seed(tmp_path, fmt, name):
    """Their headers used to carry the clock (XlsxWriter's core.xml, pyreadstat's creation date and time, both to
    the second): two runs a second apart gave two files."""
    import time
    files = []
    for k in range(2):
        if k:
            time.sleep(1.05)
        out = tmp_path / str(k)
        assert main(["simulate", "--n", "40", "--seed", "3", "--format", fmt, "--out", str(out)]) == 0
        files.append(sha(out / name))
    assert files[0] == files[1]
