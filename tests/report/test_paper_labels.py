"""What a reader of the paper tables must be told (audit s21/reportaudit C2-C4, C9): how missing values were
handled, which fit a measurement table is of when several results files are given, what a ``:=`` row is (not
always "indirect a·b, total c + a·b"), and that an unstarred solid arrow is a fixed parameter."""

from __future__ import annotations

import pytest

from iur_survey.report import paper
from iur_survey.sem.results import missing_words


def _results(missing="fiml", n=200, norig=200, lhs="F2") -> dict:
    rows = [{"lhs": "F1", "op": "=~", "rhs": f"a{i}", "label": "", "est": 1.0 if i == 1 else 0.9,
             "se": 0.0 if i == 1 else 0.1, "z": None if i == 1 else 9.0, "pvalue": None if i == 1 else 1e-9,
             "ci.lower": 0.7, "ci.upper": 1.1, "std.lv": 0.7, "std.all": 0.7} for i in (1, 2, 3)]
    rows += [{"lhs": lhs, "op": "~", "rhs": "F1", "label": "a", "est": 0.3, "se": 0.1, "z": 3.0, "pvalue": 0.003,
              "ci.lower": 0.1, "ci.upper": 0.5, "std.lv": 0.3, "std.all": 0.3},
             {"lhs": "ratio", "op": ":=", "rhs": "a/(1+a)", "label": "ratio", "est": 0.23, "se": 0.05, "z": 4.6,
              "pvalue": 1e-5, "ci.lower": 0.13, "ci.upper": 0.33, "std.lv": 0.23, "std.all": 0.23}]
    return {"n": n, "norig": norig, "estimator": "ML", "missing": missing, "converged": True,
            "fit": {"chisq": 10.0, "df": 8, "pvalue": 0.26, "cfi": 0.99, "tli": 0.98, "rmsea": 0.03,
                    "rmsea.ci.lower": 0.0, "rmsea.ci.upper": 0.08, "srmr": 0.03},
            "estimates": rows}


@pytest.mark.parametrize("missing, n, norig, words", [
    ("fiml", 200, 200, 'full-information ML (lavaan missing = "ml")'),
    ("listwise", 180, 200, "listwise deletion (20 of 200 rows dropped)"),
    ("pairwise", 200, 200, 'pairwise (lavaan missing = "pairwise"'),
])
def test_fit_note_says_how_missing_values_were_handled(missing, n, norig, words):
    note = paper.fit_apa([_results(missing, n, norig)]).note
    assert f"Missing data: {words}" in note
    assert missing_words(missing, n, norig).startswith(words)


def test_fit_note_names_each_models_missing_data_when_they_differ():
    note = paper.fit_apa({"A": _results("fiml"), "B": _results("listwise", 190, 200)}).note
    assert 'Missing data: A: full-information ML (lavaan missing = "ml"); B: listwise deletion (10 of 200' in note


def test_replication_readme_uses_the_same_words():
    from iur_survey.replication import pack
    assert "missing_words(o[\"missing\"])" in open(pack.__file__, encoding="utf-8").read()
    assert "complete data" not in missing_words("pairwise")


def test_effects_note_does_not_call_every_definition_indirect_or_total():
    note = paper.effects_apa(_results()).note
    assert "indirect a·b" not in note and "the defined parameter (lavaan `:=`" in note


def _mediation(defs: dict[str, str]) -> dict:
    """_results with F1 -> F2 (a), F2 -> F3 (b), F1 -> F3 (c) and the ``:=`` rows ``defs``."""
    r = _results()
    path = {k: v for k, v in r["estimates"][3].items() if k not in ("lhs", "rhs", "label")}
    r["estimates"] = r["estimates"][:3] + [
        {**path, "lhs": lhs, "op": "~", "rhs": rhs, "label": lab}
        for lhs, rhs, lab in (("F2", "F1", "a"), ("F3", "F2", "b"), ("F3", "F1", "c"))]
    r["estimates"] += [{**path, "lhs": k, "op": ":=", "rhs": v, "label": k} for k, v in defs.items()]
    return r


@pytest.mark.parametrize("defs, title", [
    ({"ind": "a*b", "tot": "c + a*b"}, "Indirect and total effects"),
    ({"ind": "a*b"}, "Indirect effects"),
    ({"ind": "a*b", "tot": "c + a*b", "diff": "a - b"}, "Indirect and total effects and other defined parameters"),
    ({"diff": "a - b", "ratio": "a/(1+a)"}, "Defined parameters"),
])
def test_effects_title_says_what_the_rows_are(defs, title):
    """The effects table was titled "Indirect and total effects" over a contrast ``diff := a1 - a2`` too: its title
    now says what the rows are, read from the definitions (not the names), in every format."""
    tabs = paper.paper_tables([_mediation(defs)])
    eff = [t for t in tabs if "Definition" in t.frame.columns]
    assert len(eff) == 1 and eff[0].title == title
    assert paper.effects_apa(_mediation(defs)).title == title
    assert f"*{title}*" in paper.to_markdown(tabs) and f"{eff[0].number}: {title}" in paper.to_csv(tabs)
    assert title in paper.to_latex(tabs) and title in paper.to_html(tabs)
    others = {"Indirect and total effects", "Indirect effects", "Defined parameters"} - {title}
    assert not [o for o in others if f"*{o}*" in paper.to_markdown(tabs)]


def test_effects_title_of_a_contrast_in_word(tmp_path):
    pytest.importorskip("docx")
    import docx
    path = paper.write_tables(paper.paper_tables([_mediation({"diff": "a - b"})]), tmp_path / "t.docx")
    text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert "Defined parameters" in text and "Indirect and total effects" not in text


def test_the_books_mediation_table_is_titled_by_its_rows():
    from iur_survey.report.mediation import mediation_table
    import pandas as pd
    eff = pd.DataFrame({"effect": ["ind_A", "diff"], "kind": ["indirect", "other"], "source": ["A", "diff"],
                        "est": [0.1, 0.3], "boot.se": [0.02, 0.05], "perc.lower": [0.06, 0.2],
                        "perc.upper": [0.14, 0.4], "bca.lower": [0.07, 0.21], "bca.upper": [0.15, 0.41],
                        "delta.se": [0.021, 0.05], "delta.lower": [0.059, 0.2], "delta.upper": [0.141, 0.4]})
    assert mediation_table(eff).title == "Indirect effects and other defined parameters: bootstrap and delta method"


def test_measurement_tables_name_their_fit_when_several_files_are_given():
    tabs = paper.paper_tables([_results(), _results(lhs="F3")])
    titles = [t.title for t in tabs]
    labels = paper.model_labels([_results(), _results(lhs="F3")])
    assert f"Measurement model: loadings, reliability and convergent validity ({labels[0]})" in titles
    assert f"Discriminant validity ({labels[0]})" in titles or not any(t.startswith("Discriminant") for t in titles)
    one = [t.title for t in paper.paper_tables([_results()])]
    assert "Measurement model: loadings, reliability and convergent validity" in one


def test_diagram_legend_explains_an_unstarred_fixed_loading():
    pytest.importorskip("graphviz")
    from iur_survey.report.diagram import sem_graph
    est = paper.estimates_frame(_results())
    src = sem_graph(est, indicators=True).source
    assert "Solid without stars: a fixed parameter (not tested)." in src
    assert "fixed parameter" not in sem_graph(est).source           # only structural paths: all tested


def test_ordered_structural_ave_is_semtools_ave():
    """Ordered items, a structural model: AVE is computed (it was — before), the endogenous factor's variance from
    the table (var(F2) = .3² · 1 + .91 = 1): (1 + 1) · 1 / (1.5 + 1.5)."""
    import pandas as pd
    est = pd.DataFrame(_results()["estimates"] + [
        {"lhs": "F2", "op": "=~", "rhs": f"b{i}", "est": 1.0, "std.lv": 1.0, "std.all": 0.8} for i in (1, 2)] + [
        {"lhs": v, "op": "~~", "rhs": v, "est": 0.5, "std.all": 0.5} for v in ("a1", "a2", "a3", "b1", "b2")] + [
        {"lhs": "F1", "op": "~~", "rhs": "F1", "est": 1.0}, {"lhs": "F2", "op": "~~", "rhs": "F2", "est": 0.91}])
    out = paper.fit_ave(est, ordered=True)
    assert not out.attrs.get("reason") and out["F2"] == pytest.approx(2 / 3)


def test_wlsmv_terminal_line_leads_with_the_scaled_test():
    from iur_survey.report.terminal import terminal_summary
    r = _results()
    r["estimator"] = "WLSMV"
    r["fit"].update({"chisq.scaled": 12.5, "cfi.robust": 0.97, "rmsea.robust": 0.05})
    head = terminal_summary(r).splitlines()[0]
    assert "scaled (report): chisq.scaled=12.500 cfi.robust=0.970 rmsea.robust=0.050; unscaled DWLS: chisq=10.000" in head
    r["estimator"] = "MLR"             # MLR too: the robust test first, as in the fit table's first row
    assert ("scaled (report): chisq.scaled=12.500 cfi.robust=0.970 rmsea.robust=0.050; unscaled: chisq=10.000 df=8"
            in terminal_summary(r).splitlines()[0])
    r["fit"]["chisq.scaled"] = None      # a scaled test lavaan could not compute: the standard one first, a dash
    assert "; chisq=10.000 df=8 cfi=0.990 tli=0.980 rmsea=0.030 srmr=0.030; scaled: chisq.scaled=—" in (
        terminal_summary(r).splitlines()[0])
