"""`iur-survey diagram`: any model's path diagram (Graphviz) names every latent variable and shows every path's
coefficient; one rule (dashed) for non-significant paths; arrowheads on every path."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from iur_survey.cli import main
from iur_survey.report.diagram import sem_graph
from iur_survey.report.format import num, stars

pytestmark = pytest.mark.skipif(not shutil.which("dot"), reason="Graphviz (dot) not installed")
DATA = Path("tests/reference/data/poldem.csv")
MODEL = Path("tests/reference/models/poldem.lav")


@pytest.fixture(scope="module")
def poldem(tmp_path_factory):
    out = tmp_path_factory.mktemp("d") / "results.json"
    assert main(["fit", str(DATA), "--model", str(MODEL), "--out", str(out)]) == 0
    return out, json.loads(out.read_text())


def _svg_text(svg: str) -> str:
    return " ".join(re.findall(r">([^<>]+)</text>", svg)).replace("&#45;", "-").replace("&lt;", "<")


def test_svg_names_every_latent_and_every_path_coefficient(poldem, tmp_path):
    out, res = poldem
    svg = tmp_path / "d.svg"
    assert main(["diagram", str(out), "--out", str(svg)]) == 0
    text = svg.read_text(encoding="utf-8")
    words = _svg_text(text)
    for lv in ("ind60", "dem60", "dem65"):
        assert lv in words
    for e in (e for e in res["estimates"] if e["op"] == "~"):
        assert num(e["std.all"], 2, False) + stars(e["pvalue"]) in words, (e["lhs"], e["rhs"])
    # R² of the endogenous latents
    assert num(res["r2"]["dem65"], 2, False) in words
    # every path has an arrowhead: one polygon per edge besides the node shapes
    assert text.count('class="edge"') == 3 and text.count("<polygon") >= 3 + 1


@pytest.mark.parametrize("ext", ["pdf", "png"])
def test_pdf_and_png(poldem, tmp_path, ext):
    out, _ = poldem
    f = tmp_path / f"d.{ext}"
    assert main(["diagram", str(out), "--indicators", "--covariances", "--out", str(f)]) == 0
    head = f.read_bytes()[:8]
    assert head.startswith(b"%PDF") if ext == "pdf" else head == b"\x89PNG\r\n\x1a\n"


def test_one_rule_for_non_significant_paths():
    est = pd.DataFrame({"lhs": ["F", "F", "G", "G", "H", "H", "H", "H"], "op": ["=~"] * 6 + ["~", "~"],
                        "rhs": ["a", "b", "c", "d", "e", "f", "F", "G"], "est": [1, 1, 1, 1, 1, 1, .1, .5],
                        "pvalue": [None, 0.0, None, 0.0, None, 0.0, 0.3, 0.001],
                        "std.all": [.8, .8, .8, .8, .8, .8, .05, .4]})
    src = sem_graph(est).source
    edges = [l for l in src.splitlines() if "->" in l and "invis" not in l]
    assert len(edges) == 2
    nonsig = next(l for l in edges if l.strip().startswith("F ->"))
    sig = next(l for l in edges if l.strip().startswith("G ->"))
    assert "style=dashed" in nonsig and "style=solid" in sig
    assert "color" not in nonsig.split("[", 1)[1] and "color" not in sig.split("[", 1)[1]   # one colour
    assert "Dashed: not significant" in src


def test_group_option_checks_the_label(poldem, tmp_path, capsys):
    out, _ = poldem
    assert main(["diagram", str(out), "--group", "x", "--out", str(tmp_path / "d.svg")]) == 2
    assert "not a group" in capsys.readouterr().err
