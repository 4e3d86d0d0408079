"""`iur-survey tables` / `diagram` on fits that must not be shown as they are (audit s16/model A2-A4, C3-C7):
a fit that did not converge is refused (exit 3); an improper solution keeps the proper factors' correlations
(lavaan cor.lv) and says it is improper; equal file names never drop a model; groups are named."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from iur_survey.cli import main
from iur_survey.commands.fit import EXIT_NOT_CONVERGED
from iur_survey.report import paper

TESTS = Path(__file__).resolve().parents[1]
REF = TESTS / "reference"


@pytest.fixture(scope="module")
def nonconverged(nonconverged_51_cli):
    """results.json of a fit that did not converge (tests/conftest.py: made once, shared with tests/base)."""
    rc, _, _, out, _ = nonconverged_51_cli
    assert rc == EXIT_NOT_CONVERGED
    return out


@pytest.fixture(scope="module")
def heywood(tmp_path_factory):
    out = tmp_path_factory.mktemp("hw") / "results.json"
    assert main(["fit", str(REF / "data" / "heywood_150.csv"), "--model", str(REF / "models" / "heywood.lav"),
                 "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def multigroup(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("mg")
    model = tmp / "m.lav"
    model.write_text("GOV =~ GOV1 + GOV2 + GOV3 + GOV4\nCOL =~ COL1 + COL2 + COL3 + COL4\n"
                     "INT =~ INT1 + INT2 + INT3 + INT4\nCOL ~ c(a.g1, a.g2, a.g3, a.g4)*GOV\n"
                     "INT ~ c(b.g1, b.g2, b.g3, b.g4)*COL\n"
                     + "".join(f"ind.g{k} := a.g{k}*b.g{k}\n" for k in range(1, 5)))
    out = tmp / "results.json"
    assert main(["fit", str(REF / "data" / "groups_1200.csv"), "--model", str(model), "--group", "role",
                 "--equal", "loadings", "--out", str(out)]) == 0
    return out


# ---------------------------------------------------------------------------------------------- A2
@pytest.mark.xdist_group("nonconverged_51")
@pytest.mark.parametrize("cmd", ["tables", "diagram"])
def test_a_fit_that_did_not_converge_is_refused(nonconverged, cmd, tmp_path, capsys):
    target = tmp_path / ("t.md" if cmd == "tables" else "d.svg")
    rc = main([cmd, str(nonconverged), "--out", str(target)] + (["--indicators"] if cmd == "diagram" else []))
    cap = capsys.readouterr()
    assert rc == EXIT_NOT_CONVERGED == 3 and not target.exists()
    err = cap.err.strip()
    assert err.startswith(f"iur-survey {cmd}: error: ") and "did not converge" in err and "\n" not in err
    assert cap.out == ""


@pytest.mark.xdist_group("nonconverged_51")
def test_non_converged_refused_among_several_and_in_python(nonconverged, heywood, capsys):
    assert main(["tables", str(heywood), str(nonconverged), "--format", "md", "--out", "-"]) == 3
    assert "Table" not in capsys.readouterr().out
    res = paper.load_results(nonconverged)
    for f in (paper.measurement_apa, paper.discriminant_apa, paper.paths_apa):
        with pytest.raises(paper.NotConvergedError):
            f(res)


# ---------------------------------------------------------------------------------------------- A3, C3
def test_heywood_case_is_noted_in_tables_and_diagram(heywood, tmp_path, capsys):
    ref = json.loads((REF / "json" / "heywood_150.json").read_text(encoding="utf-8"))
    assert any("negative" in w for w in ref["warnings"])
    assert main(["tables", str(heywood), "--format", "md", "--out", "-"]) == 0
    text = capsys.readouterr().out
    assert "IMPROPER SOLUTION" in text and "negative residual variance of TAL1" in text
    svg = tmp_path / "d.svg"
    assert main(["diagram", str(heywood), "--indicators", "--out", str(svg)]) == 0
    assert "IMPROPER SOLUTION" in svg.read_text(encoding="utf-8")
    # the latent correlations are lavaan's cor.lv
    cor = paper.latent_correlations(paper.estimates_frame(paper.load_results(heywood)))
    lav = pd.DataFrame(ref["cor_lv"]["values"], index=ref["cor_lv"]["rownames"], columns=ref["cor_lv"]["colnames"])
    assert (cor - lav.loc[cor.index, cor.columns]).abs().max().max() < 1e-4


def test_a_negative_factor_variance_stays_in_its_row(heywood):
    """One factor without a standardized variance (negative variance): the other pairs keep lavaan's cor.lv
    and their Fornell-Larcker verdict; its own pairs are "not computable", never "not met"."""
    ref = json.loads((REF / "json" / "heywood_150.json").read_text(encoding="utf-8"))
    lav = pd.DataFrame(ref["cor_lv"]["values"], index=ref["cor_lv"]["rownames"], columns=ref["cor_lv"]["colnames"])
    res = paper.load_results(heywood)
    for e in res["estimates"]:
        if e["op"] == "~~" and e["lhs"] == e["rhs"] == "TAL":
            e["est"], e["std.all"], e["std.lv"] = -0.2, None, None
        if e["op"] == "=~" and e["lhs"] == "TAL":
            e["std.all"] = None
    t = paper.discriminant_apa(res).frame.set_index("Pair")
    assert t.loc["VAL – COL", "*r*"] == f"{lav.loc['VAL', 'COL']:.3f}".lstrip("0")
    assert t.loc["VAL – COL", "Fornell–Larcker"] == "met"
    assert t.loc["VAL – TAL", "Fornell–Larcker"] == t.loc["TAL – COL", "Fornell–Larcker"] == "not computable"
    assert t.loc["VAL – TAL", "*r*"] == "—"
    assert "negative variance of latent TAL" in paper.measurement_apa(res).note


# ---------------------------------------------------------------------------------------------- A4
def test_equal_file_names_never_drop_a_model(heywood, tmp_path, capsys):
    a, b = tmp_path / "a" / "results.json", tmp_path / "b" / "results.json"
    for p in (a, b):
        p.parent.mkdir()
        shutil.copy(heywood, p)
    assert main(["tables", str(a), str(b), "--format", "csv", "--out", "-"]) == 0
    out = capsys.readouterr().out
    fit_rows = out.split("Table 2")[0].splitlines()
    assert any(r.startswith("a/results,") for r in fit_rows) and any(r.startswith("b/results,") for r in fit_rows)
    tables = paper.paper_tables([paper.load_results(a), paper.load_results(a)])
    assert tables[0].frame["Model"].tolist() == ["results", "results (2)"]


# ---------------------------------------------------------------------------------------------- C4-C7
def test_groups_are_named_and_constraints_stated(multigroup, tmp_path):
    res = paper.load_results(multigroup)
    labels = list(res["groups"])
    eff = paper.effects_apa(res)
    assert eff.frame["Group"].tolist() == labels and eff.frame["Effect"].tolist() == [f"ind.g{k}" for k in range(1, 5)]
    assert "g1: " + labels[0] in eff.note
    by = paper.paths_by_group_apa(res)
    assert by.frame.columns.tolist() == ["Path", *labels, "Wald χ²(3)", "*p*", "*p* Holm"]   # no unnamed "—" column; the equality test
    for t in (by, paper.paths_apa(res), paper.measurement_apa(res), eff):
        assert "Equality constraints across groups (lavaan group.equal): loadings." in t.note
    svg = tmp_path / "g.svg"
    assert main(["diagram", str(multigroup), "--group", labels[2], "--out", str(svg)]) == 0
    # worded as the tables word the instrument's groups ("University", not the code "university")
    words = paper.group_words([res])
    shown = next(iter(words.values()), {}).get(labels[2], labels[2])
    assert shown != labels[2] and f"Group: {shown}" in svg.read_text(encoding="utf-8")
