"""A hand-edited results.json that tables / diagram would print wrongly is refused with a one-line error
(audit s25 cliaudit C1): warnings given as a text (printed letter by letter), a repeated estimates row (a path
printed twice), an unknown operator (the row silently left out), a CFI of 1.7, a p value of 1.5, a negative SE.
A results.json saved with a UTF-8 BOM (Windows Notepad) is read."""

from __future__ import annotations

import json

import pytest

from iur_survey.cli import main


@pytest.fixture(scope="module")
def results(small_results):
    return json.loads(small_results.read_text(encoding="utf-8"))


def _path_row(r):
    return next(k for k, e in enumerate(r["estimates"]) if e["op"] == "~")


EDITS = {
    "warnings": (lambda r: r.update(warnings="a string"), "'warnings' is not a list of texts"),
    "repeat": (lambda r: r["estimates"].append(dict(r["estimates"][_path_row(r)])), "(F2 ~ F1) repeats row"),
    "op": (lambda r: r["estimates"][_path_row(r)].update(op="=>"), "'=>' is not a lavaan operator"),
    "cfi": (lambda r: r["fit"].update(cfi=1.7), "fit.cfi is 1.7, not in [0, 1]"),
    "rmsea": (lambda r: r["fit"].update(rmsea=-0.1), "fit.rmsea is -0.1, negative"),
    "pvalue": (lambda r: r["estimates"][_path_row(r)].update(pvalue=1.5), "pvalue 1.5 is not in [0, 1]"),
    "se": (lambda r: r["estimates"][_path_row(r)].update(se=-0.2), "se -0.2 is negative"),
    "r2": (lambda r: r.update(r2={"F2": "x"}), "'r2' is not an object of numbers"),
}


@pytest.mark.parametrize("command", ["tables", "diagram"])
@pytest.mark.parametrize("edit", sorted(EDITS))
def test_refused(results, tmp_path, capsys, command, edit):
    doc = json.loads(json.dumps(results))
    change, says = EDITS[edit]
    change(doc)
    path = tmp_path / "r.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    out = tmp_path / ("t.md" if command == "tables" else "d.svg")
    code = main([command, str(path), "--out", str(out)])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.count("\n") == 0 and says in err, err
    assert not out.exists()


def test_bom_read(results, tmp_path, capsys):
    path = tmp_path / "r.json"
    path.write_text(json.dumps(results), encoding="utf-8-sig")
    assert main(["tables", str(path), "--format", "md", "--out", str(tmp_path / "t.md")]) == 0, \
        capsys.readouterr().err
