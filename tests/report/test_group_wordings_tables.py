"""`iur-survey tables` (left-out s23): the fit table of one results file named the model after the file
("results"), and a fit by the instrument's group column showed the group codes (research_institute), not the
instrument's wordings (Research institute).  Now one results file's fit table names its model, and every table
shows the groups by the instrument's wordings where the fit's group column is the instrument's (codes stay where
there is none); DOCX, LaTeX, Markdown and CSV alike."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from iur_survey.cli import main

from .conftest import three_groups

HS = Path("tests/reference/data/hs1939.csv")
MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\nspeed ~ visual\n"


@pytest.fixture(scope="module")
def role_fit(tmp_path_factory) -> Path:
    """HS1939 with the study instrument's group column (role): Pasteur as universities, Grant-White split into
    government (every 5th id, merged into research institutes) and research institutes."""
    d = tmp_path_factory.mktemp("roles")
    three_groups(d / "hs.csv", "role", ("university", "government", "research_institute"))
    (d / "m.lav").write_text(MODEL)
    out = d / "results.json"
    assert main(["fit", str(d / "hs.csv"), "--model", str(d / "m.lav"), "--group", "role", "--merge-groups",
                 "government=research_institute", "--quiet", "--out", str(out)]) == 0
    return out


def _text(path: Path) -> str:
    if path.suffix == ".docx":
        import docx
        doc = docx.Document(str(path))
        return "\n".join([p.text for p in doc.paragraphs]
                         + [c.text for t in doc.tables for row in t.rows for c in row.cells])
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("ext", ["docx", "tex", "md", "csv"])
def test_tables_show_the_instruments_group_wordings(role_fit, tmp_path, ext):
    out = tmp_path / f"t.{ext}"
    assert main(["tables", str(role_fit), "--out", str(out)]) == 0
    text = _text(out)
    assert "Research institute (Government merged into it)" in text and "University" in text
    # the codes are gone from the tables (LaTeX escapes the underscore)
    assert not re.search(r"research(\\?_)institute|\buniversity\b", text), text[:3000]
    assert "Structural model" in text and not re.search(r"\bresults\b", text)


def test_one_results_file_names_its_model_not_its_file(tmp_path):
    out = tmp_path / "results.json"
    d = tmp_path / "hs.csv"
    pd.read_csv(HS).to_csv(d, index=False)
    (tmp_path / "m.lav").write_text("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\n")
    assert main(["fit", str(d), "--model", str(tmp_path / "m.lav"), "--quiet", "--out", str(out)]) == 0
    assert main(["tables", str(out), "--format", "csv", "--out", str(tmp_path / "t.csv")]) == 0
    first = (tmp_path / "t.csv").read_text(encoding="utf-8").splitlines()[:3]
    assert first[0] == "Table 1: Model fit" and first[2].startswith("Measurement model (CFA),301,ML,")


def test_a_group_column_not_the_instruments_keeps_its_codes(merged_fits, tmp_path):
    out = tmp_path / "t.md"
    assert main(["tables", str(merged_fits["into"]), "--out", str(out)]) == 0
    assert "south (east merged into it)" in out.read_text(encoding="utf-8")


def test_a_broken_or_moved_instrument_is_said_and_the_codes_stay(tmp_path):
    """A recorded instrument that cannot be read (or is not there) kept the codes silently; now a warning names
    the file, and the codes stay."""
    from iur_survey.report.paper import InstrumentUnreadWarning, group_words
    bad = tmp_path / "broken.yaml"
    bad.write_text("scale: [1, 5\nconstructs: {", encoding="utf-8")
    fit = {"call": {"options": {"group": "role", "instrument": str(bad)}}}
    with pytest.warns(InstrumentUnreadWarning, match=re.escape(str(bad))) as said:
        assert group_words([fit]) == {}
    assert "group codes of role" in str(said[0].message)
    moved = {"call": {"options": {"group": "role", "instrument": str(tmp_path / "gone.yaml")}}}
    with pytest.warns(InstrumentUnreadWarning, match=re.escape(str(tmp_path / "gone.yaml"))):
        assert group_words([moved]) == {}


def test_tables_and_book_read_one_registry_of_wordings():
    """The tables (group_wordings around paper_tables) and the book (use_group_wordings) set one registry, and
    one function (worded) turns a code or merged codes into the wording for both."""
    from iur_survey.instrument import load_instrument
    from iur_survey.report.format import group_caption, group_wordings, instrument_wordings, merged_caption
    from iur_survey.report.groups import group_label, use_group_wordings
    from iur_survey.report.paper import group_words
    words = group_words([{"call": {"options": {"group": "role"}}}])
    assert words == instrument_wordings(load_instrument())
    codes = [*words["role"], "government+research_institute"]
    with group_wordings(words):
        tables = [group_caption(c, "role") for c in codes]
    use_group_wordings(load_instrument())
    try:
        assert [group_label(c) for c in codes] == tables
        assert [group_caption(c, "role") for c in codes] == tables
        with group_wordings({"role": {"university": "Uni"}}):      # a block's wordings, then the book's again
            assert group_caption("university", "role") == "Uni"
        assert group_label("university") == group_caption("university", "role") == "University"
        assert merged_caption("research_institute", "role", {"government": "research_institute"}) == \
            "Research institute (Government merged into it)"
    finally:
        use_group_wordings(None)
    assert group_label("research_institute") == "research institute"
    assert group_caption("research_institute", "role") == "research_institute"


@pytest.mark.skipif(not __import__("shutil").which("dot"), reason="Graphviz (dot) not installed")
def test_diagram_legend_shows_the_instruments_group_wordings(role_fit, tmp_path, capsys):
    """audit27 (s27): the diagram's legend and printed line said "Group: research_institute" (the code) where the
    tables say "Research institute"; now they word it as the tables do."""
    dot = tmp_path / "d.dot"
    assert main(["diagram", str(role_fit), "--group", "research_institute", "--out", str(tmp_path / "d.svg"),
                 "--dot", str(dot)]) == 0
    assert "Group: Research institute (Government merged into it)<" in dot.read_text(encoding="utf-8")
    assert "(group Research institute (Government merged into it));" in capsys.readouterr().out


@pytest.mark.skipif(not __import__("shutil").which("dot"), reason="Graphviz (dot) not installed")
@pytest.mark.parametrize("said", ["Research institute", "research INSTITUTE", "research_institute"])
def test_diagram_group_takes_the_wording_the_tables_show(role_fit, tmp_path, said):
    """outfuzz31: `diagram --group` took the code only ('research_institute'), while the tables and the legend say
    'Research institute'; the wording of exactly one group now names it."""
    dot = tmp_path / "d.dot"
    assert main(["diagram", str(role_fit), "--group", said, "--out", str(tmp_path / "d.svg"), "--dot", str(dot)]) == 0
    assert "Research institute" in dot.read_text(encoding="utf-8")


def test_diagram_group_unknown_wording_still_refused(role_fit, tmp_path, capsys):
    assert main(["diagram", str(role_fit), "--group", "Enterprise", "--out", str(tmp_path / "d.svg")]) == 2
    assert "not a group of this fit" in capsys.readouterr().err


def test_diagram_group_wording_of_a_merged_group_says_where_it_went(role_fit, tmp_path, capsys):
    assert main(["diagram", str(role_fit), "--group", "Government", "--out", str(tmp_path / "d.svg")]) == 2
    assert "'government' was merged into 'research_institute' before fitting" in capsys.readouterr().err
