"""Bad input to the commands that read a clean CSV or a results.json (an outside audit, session 20): an output
never overwrites an input, typed one-line errors (exit status 2) instead of tracebacks, and no table of a fit on
other data than the one given.  Data: ``iur-survey simulate --n 300 --seed 7 --format csv``, ``clean``, ``fit``."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from iur_survey.cli import main


@pytest.fixture(scope="module")
def fitted(tmp_path_factory) -> tuple[Path, Path]:
    """(clean.csv, results.json of the default model fitted to it)."""
    d = tmp_path_factory.mktemp("cmddata")
    assert main(["simulate", "--n", "300", "--seed", "7", "--format", "csv", "--out", str(d / "sim")]) == 0
    assert main(["clean", str(d / "sim" / "export.csv"), "--out", str(d / "clean")]) == 0
    assert main(["fit", str(d / "clean" / "clean.csv"), "--out", str(d / "results.json")]) == 0
    return d / "clean" / "clean.csv", d / "results.json"


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def one_line_error(capsys, command: str, rc: int, code: int = 2) -> str:
    err = capsys.readouterr().err.strip()
    assert rc == code, err
    assert err.startswith(f"iur-survey {command}: error:") and "\n" not in err and "Traceback" not in err, err
    return err


# ------------------------------------------------------------------------------------------- A1: never over an input
@pytest.mark.parametrize("argv", [
    ["tables", "{res}", "--format", "md", "--out", "{res}"],
    ["tables", "{res}", "--data", "{data}", "--format", "md", "--out", "{data}"],
    ["efa", "{data}", "--factors", "2", "--out", "{data}"],
    ["efa", "{data}", "--factors", "2", "--scree", "{data}.png", "--out", "{data}.png"],
    ["pls", "{data}", "--bootstrap", "0", "--out", "{data}"],
    ["pls", "{data}", "--bootstrap", "0", "--compare", "{res}", "--out", "{res}"],
    ["diagram", "{res}", "--out", "{res}"],
    ["diagram", "{res}", "--out", "{tmp}/d.svg", "--dot", "{res}"],
])
def test_no_command_overwrites_its_input(fitted, tmp_path, capsys, argv):
    data, res = (tmp_path / "clean.csv", tmp_path / "results.json")
    data.write_bytes(fitted[0].read_bytes())
    res.write_bytes(fitted[1].read_bytes())
    before = _sha(data), _sha(res)
    argv = [a.format(res=res, data=data, tmp=tmp_path) for a in argv]
    err = one_line_error(capsys, argv[0], main(argv))
    assert "refusing to overwrite an input file" in err
    assert (_sha(data), _sha(res)) == before
    assert not (tmp_path / "d.svg").exists()


def test_power_out_folder_never_holds_its_input(fitted, tmp_path, capsys):
    res = tmp_path / "power.json"
    res.write_bytes(fitted[1].read_bytes())
    before = _sha(res)
    rc = main(["power", "--n", "100", "--reps", "2", "--workers", "0", "--from-results", str(res), "--quiet",
               "--out", str(tmp_path)])
    assert "refusing to overwrite an input file" in one_line_error(capsys, "power", rc)
    assert _sha(res) == before


# ------------------------------------------------------------------------------------------- B5, B6: typed errors
def test_efa_scree_of_an_unknown_format(fitted, tmp_path, capsys):
    rc = main(["efa", str(fitted[0]), "--factors", "2", "--scree", str(tmp_path / "s.txt"),
               "--out", str(tmp_path / "efa.json")])
    err = one_line_error(capsys, "efa", rc)
    assert "s.txt" in err and ".svg, .pdf, .png" in err
    assert not (tmp_path / "efa.json").exists()        # refused before the work


def test_simulate_out_an_existing_file(tmp_path, capsys):
    f = tmp_path / "somefile"
    f.write_text("keep")
    rc = main(["simulate", "--n", "20", "--seed", "1", "--out", str(f)])
    err = one_line_error(capsys, "simulate", rc)
    assert "somefile" in err and "not a directory" in err
    assert f.read_text() == "keep"


# ------------------------------------------------------------------------------------------- A2: the fitted data only
def _other_data(fitted, tmp_path) -> Path:
    """The fitted clean.csv with one answer changed: another file than the fit's."""
    lines = fitted[0].read_text(encoding="utf-8").splitlines()
    head, first = lines[0].split(","), lines[1].split(",")
    k = head.index("GOV1")
    first[k] = "1" if first[k] != "1" else "2"
    other = tmp_path / "other.csv"
    other.write_text("\n".join([lines[0], ",".join(first), *lines[2:]]) + "\n", encoding="utf-8")
    return other


def test_tables_data_of_another_file_is_refused(fitted, tmp_path, capsys):
    rc = main(["tables", str(fitted[1]), "--data", str(_other_data(fitted, tmp_path)), "--format", "md",
               "--out", str(tmp_path / "t.md")])
    err = one_line_error(capsys, "tables", rc)
    assert "other.csv" in err and "sha256 differs from results.json's call" in err
    assert not (tmp_path / "t.md").exists()
    assert main(["tables", str(fitted[1]), "--data", str(fitted[0]), "--format", "md",
                 "--out", str(tmp_path / "t.md")]) == 0                         # the fitted file itself is fine


def test_pls_compare_with_a_fit_of_another_file_is_refused(fitted, tmp_path, capsys):
    rc = main(["pls", str(_other_data(fitted, tmp_path)), "--bootstrap", "0", "--compare", str(fitted[1]),
               "--out", str(tmp_path / "pls.json")])
    err = one_line_error(capsys, "pls", rc)
    assert "other.csv" in err and "sha256 differs" in err
    assert not (tmp_path / "pls.json").exists()


# ------------------------------------------------------------------------------------------- A7: converged fits only
def _edited(fitted, tmp_path, edit, name="edited.json") -> Path:
    doc = json.loads(fitted[1].read_text(encoding="utf-8"))
    edit(doc)
    p = tmp_path / name
    p.write_text(json.dumps(doc), encoding="utf-8")
    return p


@pytest.mark.parametrize("key", ["converged", "estimates_interpretable"])
def test_power_from_results_of_a_fit_that_did_not_converge(fitted, tmp_path, capsys, key):
    res = _edited(fitted, tmp_path, lambda d: d.__setitem__(key, False))
    rc = main(["power", "--n", "100", "--reps", "2", "--workers", "0", "--quiet", "--from-results", str(res),
               "--out", str(tmp_path / "pow")])
    err = one_line_error(capsys, "power", rc, code=3)
    assert "did not converge" in err and "no population" in err
    assert not (tmp_path / "pow").exists()


def test_pls_compare_with_a_fit_that_did_not_converge(fitted, tmp_path, capsys):
    res = _edited(fitted, tmp_path, lambda d: d.__setitem__("converged", False))
    rc = main(["pls", str(fitted[0]), "--bootstrap", "0", "--compare", str(res), "--out", str(tmp_path / "p.json")])
    assert "did not converge" in one_line_error(capsys, "pls", rc, code=3)


# ------------------------------------------------------------------------------------------- B3, C3: a hand-edited file
def _drop_in_rows(key):
    return lambda d: [e.pop(key, None) for e in d["estimates"]]


EDITS = {
    "no_estimates": (lambda d: d.pop("estimates"), "no 'estimates'"),
    "no_pvalue": (_drop_in_rows("pvalue"), "has no 'pvalue'"),
    "no_std_all": (_drop_in_rows("std.all"), "has no 'std.all'"),
    "est_text": (lambda d: d["estimates"][0].__setitem__("est", "0.5"), "est is '0.5', not a number"),
    "sampstat_not_per_group": (lambda d: d.__setitem__("sampstat", {"cov": [[1]]}), "sampstat['cov']"),
    "cfi_text": (lambda d: d["fit"].__setitem__("cfi", "high"), "fit.cfi is 'high', not a number"),
    "no_fit": (lambda d: d.pop("fit"), "no 'fit'"),
    "no_converged": (lambda d: d.pop("converged"), "no 'converged'"),
    "converged_text": (lambda d: d.__setitem__("converged", "yes"), "converged is 'yes'"),
}


@pytest.mark.parametrize("case", sorted(EDITS))
@pytest.mark.parametrize("command", ["tables", "diagram", "power", "export-replication"])
def test_a_hand_edited_results_json_is_refused_on_loading(fitted, tmp_path, capsys, case, command):
    edit, said = EDITS[case]
    res = _edited(fitted, tmp_path, edit)
    out = tmp_path / "out"
    argv = {"tables": ["tables", str(res), "--format", "md", "--out", str(out)],
            "diagram": ["diagram", str(res), "--out", str(out) + ".svg"],
            "power": ["power", "--n", "50", "--reps", "2", "--workers", "0", "--quiet", "--from-results", str(res),
                      "--out", str(out)],
            "export-replication": ["export-replication", str(res), "--out", str(out)]}[command]
    err = one_line_error(capsys, command, main(argv))
    assert "edited.json" in err and said in err
    assert not list(tmp_path.glob("out*"))


def test_the_loader_keeps_a_proper_results_json(fitted):
    from iur_survey.report.paper import load_results
    from iur_survey.sem.results_file import load_results_file
    doc = load_results_file(fitted[1])
    assert doc["converged"] is True and doc["_path"] == str(fitted[1])
    assert load_results(fitted[1])["estimates"] == doc["estimates"]


# ------------------------------------------------------------------------------------------- B7: --config encoding
@pytest.mark.parametrize("raw", [b"\xff\xfe\x00r\x00u", "min_duration: 60\n".encode("utf-16")])
def test_clean_config_not_utf8(fitted, tmp_path, capsys, raw):
    cfg = tmp_path / "clean.yaml"
    cfg.write_bytes(raw)
    export = fitted[0].parent.parent / "sim" / "export.csv"
    rc = main(["clean", str(export), "--config", str(cfg), "--out", str(tmp_path / "c")])
    err = one_line_error(capsys, "clean", rc)
    assert "clean.yaml" in err and "not UTF-8 text" in err
    assert not (tmp_path / "c").exists()


# ------------------------------------------------------------------------------------------- C4, C6
@pytest.mark.parametrize("alpha", ["5", "-1", "0", "1", "nan"])
def test_diagram_alpha_outside_zero_one(fitted, tmp_path, capsys, alpha):
    rc = main(["diagram", str(fitted[1]), "--alpha", alpha, "--out", str(tmp_path / "d.svg")])
    assert "--alpha must be in (0, 1)" in one_line_error(capsys, "diagram", rc)
    assert not (tmp_path / "d.svg").exists()


POPULATION = """F =~ 0.9*x1 + 0.8*x2 + 0.7*x3 + 0.6*x4
G =~ 0.9*y1 + 0.8*y2 + 0.7*y3
G ~ 0.5*F
F ~~ 1*F
G ~~ 0.75*G
x1 ~~ -0.05*x1
x2 ~~ 0.36*x2
x3 ~~ 0.51*x3
x4 ~~ 0.64*x4
y1 ~~ 0.19*y1
y2 ~~ 0.36*y2
y3 ~~ 0.51*y3
"""


def test_power_says_lavaans_warning_about_the_truth_in_one_line(tmp_path, capsys):
    """A population whose fit is a Heywood case (x1's residual variance < 0): one line, once, no source line."""
    pop, model = tmp_path / "pop.lav", tmp_path / "m.lav"
    pop.write_text(POPULATION, encoding="utf-8")
    model.write_text("F =~ x1 + x2 + x3 + x4\nG =~ y1 + y2 + y3\nG ~ b*F\n", encoding="utf-8")
    rc = main(["power", "--n", "100", "--reps", "2", "--workers", "0", "--quiet", "--continuous",
               "--population", str(pop), "--model", str(model), "--out", str(tmp_path / "p")])
    err = capsys.readouterr().err.strip()
    assert rc == 0, err
    assert err.splitlines() == ["iur-survey power: warning: the analysis model fitted to the population: some "
                                "estimated ov variances are negative (x1): a Heywood case"]
