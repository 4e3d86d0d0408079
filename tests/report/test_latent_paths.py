"""Paper-table outputs an author copies, on models the earlier table tests did not have.

- The discriminant table's r (and Fornell–Larcker's) is lavaan's cor.lv when an indicator is also in a ``~`` row
  (lavaan's phantom latent: ``speed ~ x1`` with ``visual =~ x1``) and when two endogenous factors have a residual
  covariance (lavaan's std.all of it is a residual correlation, ``cov.std = TRUE``).
- The loading note says how the loadings are identified (std.lv, a loading fixed to another value).
- A fit warning in lavaan syntax (``a1*GOV``) keeps its asterisks in every format.
- A *p* just under .05 is not printed ".050" beside its star; a multi-group fit table gives each group's n.

References: tests/report/refs/paperout_refs.json (make_paperout_refs.R, lavaan 0.6.14).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.measure._common import Measurement
from iur_survey.report import paper
from iur_survey.report.format import pval, stars

REFS = json.loads((Path(__file__).resolve().parent / "refs" / "paperout_refs.json").read_text(encoding="utf-8"))


def _matrix(m) -> pd.DataFrame:
    return pd.DataFrame(m["values"], index=m["names"], columns=m["names"], dtype=float)


def _cases():
    for k in ("ind_pred", "ind_out", "res_cov"):
        yield k, REFS[k]
    for g, c in REFS["res_cov_groups"].items():
        yield f"res_cov_groups:{g}", c


@pytest.mark.parametrize("name,case", list(_cases()), ids=[n for n, _ in _cases()])
def test_latent_correlations_are_lavaans_cor_lv(name, case):
    ref = _matrix(case["cor_lv"])
    est = pd.DataFrame(case["estimates"])
    got = paper.latent_correlations(est)
    assert list(got.index) == list(ref.index)
    np.testing.assert_allclose(got.to_numpy(), ref.to_numpy(), atol=1e-6)
    # the unstandardized route (the book's Fornell-Larcker, measure.fornell_larcker) agrees
    np.testing.assert_allclose(Measurement(est).cor_lv().to_numpy(), ref.to_numpy(), atol=1e-6)


def test_cor_lv_changes_where_the_old_code_was_wrong():
    """The r's the audit measured on its own HS1939 file (main: .077, .166; .138; .297 where lavaan gives .297,
    .263; .130; .280); here on tests/reference/data/hs1939.csv."""
    r = {k: paper.latent_correlations(pd.DataFrame(REFS[k]["estimates"])) for k in ("ind_pred", "ind_out", "res_cov")}
    assert round(r["ind_pred"].loc["visual", "speed"], 3) == 0.297
    assert round(r["ind_pred"].loc["textual", "speed"], 3) == 0.266
    assert round(r["ind_out"].loc["textual", "speed"], 3) == round(_matrix(REFS["ind_out"]["cor_lv"]).loc["textual", "speed"], 3)
    # an equivalent of the three-factor CFA: its r(textual, speed) is the residual covariance's total-scale value
    assert abs(r["res_cov"].loc["textual", "speed"] - 0.283) < 0.001


def _lam(est, se):
    return pd.DataFrame({"lhs": ["F", "F", "F", "G", "G", "G"], "op": ["=~"] * 6,
                         "rhs": ["a", "b", "c", "d", "e", "f"], "est": est, "se": se})


def test_loading_note_says_how_loadings_are_identified():
    marker = paper._fixed_loadings(_lam([1, .8, .7, 1, .6, .5], [0, .1, .1, 0, .1, .1]))
    assert marker == "first loading of each construct fixed to 1, no *SE*"
    stdlv = paper._fixed_loadings(_lam([.9, .8, .7, .9, .6, .5], [.1] * 6))
    assert "first loading" not in stdlv and "F, G free: each identified by its variance" in stdlv
    other = paper._fixed_loadings(_lam([1, .5, .7, 1, .6, .5], [0, 0, .1, 0, .1, .1]))
    assert "F =~ b 0.500" in other and "first loading" not in other


def _fit_results(**extra):
    fit = {"chisq": 85.3, "df": 24, "pvalue": 1e-8, "cfi": .93, "tli": .9, "rmsea": .09, "rmsea.ci.lower": .07,
           "rmsea.ci.upper": .11, "srmr": .06}
    return {"fit": fit, "n": 300, "estimator": "ML", "missing": "listwise", "converged": True, "estimates": [],
            **extra}


def test_fit_warning_in_lavaan_syntax_keeps_its_asterisks(tmp_path):
    w = ("m.lav: a label written once (e.g. a1*GOV) names ONE parameter; write c(a1.g1, a1.g2, ...)*GOV for "
         "group-specific ones (`iur-survey fit DATA --print-model` prints it)")
    w2 = "COL ~ c(a1.g1, a1.g2, ...)*GOV keeps one label per group"
    t = paper.fit_apa({"m": _fit_results(warnings=[w, w2])})
    assert "a1*GOV" in paper._plain(t.note) and "...)*GOV" in paper._plain(t.note)
    # the advice of the command line is no part of a table note (paper29): the facts stay, the advice goes
    assert "write c(" not in paper._plain(t.note) and "iur-survey" not in t.note and "m.lav" not in t.note
    tex = paper.to_latex([t])
    assert r"\texttt{a1*GOV}" in tex and r"\textit{GOV" not in tex
    rows = list(csv.reader(io.StringIO(paper.to_csv([t]))))
    assert any("(e.g. a1*GOV)" in c for r in rows for c in r)
    docx = pytest.importorskip("docx")
    path = paper.to_docx([t], tmp_path / "t.docx")
    text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert "a1*GOV" in text and "...)*GOV" in text


def test_fit_table_gives_group_sizes():
    t = paper.fit_apa({"m": _fit_results(groups={"Pasteur": 156, "Grant-White": 144})})
    assert "Group sizes: Pasteur *n* = 156, Grant-White *n* = 144." in t.note
    assert "Group sizes" not in paper.fit_apa({"m": _fit_results()}).note


@pytest.mark.parametrize("p", [0.0499, 0.04996, 0.0099, 0.00999, 0.0495])
def test_p_just_under_a_star_threshold_is_not_printed_on_it(p):
    s = pval(p)
    assert float(s) < (0.05 if p > 0.01 else 0.01) and stars(p)
    assert abs(float(s) - p) < 5e-4


def test_other_p_values_keep_three_decimals():
    assert [pval(p) for p in (0.0505, 0.05, 0.034, 0.2, 0.0004)] == [".051", ".050", ".034", ".200", "< .001"]


def test_fit_note_names_equality_constraints_of_the_model():
    est = [{"lhs": "dem60", "op": "=~", "rhs": "y2", "label": "a1"}, {"lhs": "dem65", "op": "=~", "rhs": "y6", "label": "a1"},
           {"lhs": "x", "op": "=~", "rhs": "y3", "label": ".p3."}, {"lhs": "x", "op": "=~", "rhs": "y3", "label": ".p3."},
           {"lhs": "ind", "op": ":=", "rhs": "a1*b", "label": "ind"}]
    r = _fit_results(call={"model": {"syntax": "dem60 =~ y1 + a1*y2\ny2 ~~ v2*y2\ny6 ~~ v6*y6\nv2 == v6  # equal\n"}})
    r["estimates"] = est
    assert paper.model_constraints(r) == ["a1: dem60 =~ y2 = dem65 =~ y6", "v2 == v6"]
    note = paper.fit_apa({"m": r}).note
    assert "Equality constraints of the model (one estimate each): `a1: dem60 =~ y2 = dem65 =~ y6`; `v2 == v6`." in note
    assert "Equality constraints of the model" not in paper.fit_apa({"m": _fit_results()}).note


def test_wlsmv_fit_note_gives_lavaans_scaled_indices_beside_the_robust_row():
    r = _fit_results(estimator="WLSMV")
    r["fit"].update({"chisq.scaled": 204.3, "df.scaled": 68, "pvalue.scaled": 1e-15, "cfi.robust": .909,
                     "tli.robust": .88, "rmsea.robust": .084, "cfi.scaled": .949, "tli.scaled": .933,
                     "rmsea.scaled": .076})
    note = paper.fit_apa({"m": r}).note
    assert "cfi.scaled = .949, tli.scaled = .933, rmsea.scaled = .076" in note
    assert "the row \"(unscaled)\" under it the standard test and its indices (chisq, cfi, tli, rmsea)" in note


def test_bootstrap_notes_count_the_draws_used():
    from iur_survey.report.terminal import ci_kind
    b = {"B": 40, "successful": 23, "failed": 0, "nonconverged": 17, "ci": "bca.simple"}
    assert ci_kind({"bootstrap": b}) == "bootstrap bca.simple 95% CI (B = 40, 23 draws used)"
    assert paper.se_p_note({"bootstrap": b}, p=False) == " *SE*: bootstrap (23 of B = 40 draws; 17 did not converge: left out)."
    assert ci_kind({"bootstrap": {**b, "successful": 40}}).endswith("(B = 40)")


HS = Path(__file__).resolve().parents[1] / "reference" / "data" / "hs1939.csv"
CFA3 = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"


def _fit(tmp_path, name, syntax, *extra):
    from iur_survey.cli import main
    model = tmp_path / f"{name}.lav"
    model.write_text(syntax, encoding="utf-8")
    out = tmp_path / f"{name}.json"
    assert main(["fit", str(HS), "--model", str(model), "--out", str(out), *extra]) == 0
    return out


def test_paper_table_r_of_an_indicator_predictor_is_lavaans(tmp_path):
    """End to end (fit, tables): the discriminant table prints lavaan's cor.lv to 3 decimals (main: .077/.166)."""
    from iur_survey.cli import main
    out = _fit(tmp_path, "ind_pred", CFA3 + "textual ~ visual\nspeed ~ textual + x1\n")
    md = tmp_path / "t.md"
    assert main(["tables", str(out), "--format", "md", "--out", str(md)]) == 0
    text = md.read_text(encoding="utf-8")
    ref = _matrix(REFS["ind_pred"]["cor_lv"])
    for a, b in (("visual", "textual"), ("visual", "speed"), ("textual", "speed")):
        cell = f"| {a} – {b} | {f'{ref.loc[a, b]:.3f}'[1:]} |"
        assert cell in text, cell


def test_notes_for_identification_single_items_and_other_results_files(tmp_path):
    from iur_survey.cli import main
    first = _fit(tmp_path, "cfa", CFA3)
    stdlv = _fit(tmp_path, "stdlv", "visual =~ NA*x1 + x2 + x3\ntextual =~ NA*x4 + x5 + x6\nspeed =~ NA*x7 + x8 + x9\n"
                 "visual ~~ 1*visual\ntextual ~~ 1*textual\nspeed ~~ 1*speed\nage =~ ageyr\nageyr ~~ 0*ageyr\n")
    md = tmp_path / "t.md"
    assert main(["tables", str(stdlv), "--format", "md", "--out", str(md)]) == 0
    text = md.read_text(encoding="utf-8")
    assert "first loading of each construct fixed to 1" not in text
    assert "every loading of visual, textual, speed free" in text and "age =~ ageyr 1.000" in text
    assert "age: one item" in text
    assert main(["tables", str(first), str(stdlv), "--format", "md", "--out", str(md)]) == 0
    assert "Loadings and reliability of stdlv: not tabulated here (this table is of cfa" in md.read_text(encoding="utf-8")


def test_diagram_says_an_arc_of_endogenous_factors_is_a_residual_correlation(tmp_path):
    from iur_survey.cli import main
    out = _fit(tmp_path, "res", CFA3 + "textual ~ visual\nspeed ~ visual\ntextual ~~ speed\n")
    gv = tmp_path / "d.gv"
    assert main(["diagram", str(out), "--covariances", "--out", str(tmp_path / "d.svg"), "--dot", str(gv)]) == 0
    assert "lavaan's residual correlation" in gv.read_text(encoding="utf-8")
    cfa = _fit(tmp_path, "cfa", "visual =~ x1 + x2 + x3\ntextual ~ visual\ntextual =~ x4 + x5 + x6\n")
    assert main(["diagram", str(cfa), "--covariances", "--out", str(tmp_path / "e.svg"), "--dot", str(gv)]) == 0
    assert "Double-headed arcs" not in gv.read_text(encoding="utf-8")      # no arc drawn, no legend line
