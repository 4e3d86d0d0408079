"""A pls.json passed to `iur-survey tables` puts its HTMT (and now its own tables) beside a fit only when it is a
PLS of that fit: one of another data file, or of a model whose constructs have other items, is refused (its HTMT
was shown without a word: 0.963 for a pair whose HTMT is 0.467); and a group of a multi-group fit shows its own
HTMT, not the whole sample's of the pls.json (both schools showed 0.424).  HTMT references: semTools
(tests/report/refs/make_pls_htmt_guard_refs.R -> pls_htmt_guard_refs.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iur_survey.cli import main

HERE = Path(__file__).parent
REF = json.loads((HERE / "refs" / "pls_htmt_guard_refs.json").read_text())
HS = HERE.parent / "reference" / "data" / "hs1939.csv"
PATHS = "textual ~ visual\nspeed ~ textual + visual\n"          # PLS needs structural paths
OTHER = "visual =~ x1 + x2 + x9\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x3\n" + PATHS


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("htmtguard")
    (d / "m.lav").write_text(REF["model"] + "\n" + PATHS, encoding="utf-8")
    (d / "other.lav").write_text(OTHER, encoding="utf-8")
    half = d / "half.csv"                          # other data: the first 200 rows
    half.write_text("".join(HS.read_text(encoding="utf-8").splitlines(keepends=True)[:201]), encoding="utf-8")
    assert main(["fit", str(HS), "--model", str(d / "m.lav"), "--out", str(d / "one.json")]) == 0
    assert main(["fit", str(HS), "--model", str(d / "m.lav"), "--group", "school", "--out", str(d / "mg.json")]) == 0
    for name, data, model in (("pls", HS, "m.lav"), ("pls_half", half, "m.lav"), ("pls_other", HS, "other.lav")):
        assert main(["pls", str(data), "--model", str(d / model), "--bootstrap", "20", "--out",
                     str(d / f"{name}.json")]) == 0
    return d


def _htmt_column(md: str, title: str) -> dict[str, str]:
    block = md.split(f"*{title}*", 1)[1].split("*Note.*", 1)[0]
    rows = [[c.strip() for c in ln.strip().strip("|").split("|")] for ln in block.splitlines() if ln.startswith("|")]
    return {r[0]: r[4] for r in rows[2:]}


def _tables(d, *inputs) -> tuple[int, str]:
    out = d / "t.md"
    rc = main(["tables", *map(str, inputs), "--format", "md", "--out", str(out)])
    return rc, out.read_text(encoding="utf-8") if rc == 0 else ""


@pytest.mark.parametrize("pls, why", [("pls_half", "fitted to another data file"),
                                      ("pls_other", "construct visual has items x1, x2, x9 in the pls.json")])
def test_a_pls_of_something_else_is_refused(files, capsys, pls, why):
    rc, _ = _tables(files, files / "one.json", files / f"{pls}.json")
    assert rc == 2
    assert why in capsys.readouterr().err


def test_the_matching_pls_is_used(files):
    rc, md = _tables(files, files / "one.json", files / "pls.json")
    assert rc == 0
    col = _htmt_column(md, "Discriminant validity")
    for r in REF["htmt_whole"]:
        assert col[f"{r['construct_1']} – {r['construct_2']}"] == f"{r['htmt']:.3f}"


def test_each_group_shows_its_own_htmt_not_the_whole_samples(files):
    rc, md = _tables(files, files / "mg.json", files / "pls.json")
    assert rc == 0
    for g, pairs in REF["htmt_by_group"].items():
        col = _htmt_column(md, f"Discriminant validity (group {g})")
        for r in pairs:
            assert col[f"{r['construct_1']} – {r['construct_2']}"] == f"{r['htmt']:.3f}", (g, r)
    assert "The HTMT of the pls.json is of the whole sample (N = 301" in md
