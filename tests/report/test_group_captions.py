"""A numeric group code is never shown bare (audit C4a: `fit --group sex` gave table columns "2" and "1" and the
legend "Group: 2"): tables in every format, the diagram legend and the terminal summary show "sex = 2"; lavaan's
group order and text labels stay as they are."""

from __future__ import annotations

import pytest

from iur_survey.report import paper
from iur_survey.report.diagram import sem_graph
from iur_survey.report.format import group_caption
from iur_survey.report.terminal import terminal_summary


def _results(labels=("2", "1"), variable="sex") -> dict:
    rows = []
    for k, g in enumerate(labels, 1):
        for lhs, op, rhs, est, se, std in (("F", "=~", "a", 1.0, 0.0, 0.8), ("F", "=~", "b", 0.9, 0.1, 0.7),
                                           ("G", "=~", "c", 1.0, 0.0, 0.8), ("G", "=~", "d", 0.8, 0.1, 0.7),
                                           ("G", "~", "F", 0.4 + k / 10, 0.1, 0.35)):
            rows.append({"lhs": lhs, "op": op, "rhs": rhs, "group": g, "label": f"b.g{k}" if op == "~" else "",
                         "est": est, "se": se, "z": est / se if se else None, "pvalue": 1e-4 if se else None,
                         "ci.lower": est - 0.2, "ci.upper": est + 0.2, "std.lv": std, "std.all": std})
    rows.append({"lhs": "diff", "op": ":=", "rhs": "b.g1-b.g2", "group": None, "label": "diff", "est": -0.1,
                 "se": 0.1, "z": -1.0, "pvalue": 0.3, "ci.lower": -0.3, "ci.upper": 0.1, "std.all": -0.1})
    rows.append({"lhs": "b1", "op": ":=", "rhs": "b.g1*2", "group": None, "label": "b1", "est": 1.0,
                 "se": 0.2, "z": 5.0, "pvalue": 1e-6, "ci.lower": 0.6, "ci.upper": 1.4, "std.all": 0.5})
    return {"n": 300, "estimator": "ML", "missing": "listwise", "converged": True, "fit": {"chisq": 3.0, "df": 2},
            "groups": {g: 150 for g in labels}, "r2": {g: {"G": 0.1} for g in labels}, "estimates": rows,
            "call": {"options": {"group": variable}}}


def test_group_caption_names_numeric_codes_only():
    assert group_caption("2", "sex") == "sex = 2"
    assert group_caption("1.5", "dose") == "dose = 1.5" and group_caption("1+2", "sex") == "sex = 1+2"
    assert group_caption("Pasteur", "school") == "Pasteur" and group_caption("grade9", "g") == "grade9"


def test_tables_head_and_label_groups_with_the_variable(tmp_path):
    res = _results()
    by = paper.paths_by_group_apa(res)
    assert list(by.frame.columns) == ["Path", "sex = 2", "sex = 1"]           # lavaan's order kept
    assert set(by.numeric) == {"sex = 2", "sex = 1"}
    assert paper.paths_apa(res).frame["Group"].tolist() == ["sex = 2"] * 1 + ["sex = 1"] * 1
    eff = paper.effects_apa(res)
    assert eff.frame["Group"].tolist() == ["—", "sex = 2"]
    assert "g1: sex = 2, g2: sex = 1" in eff.note
    m = paper.measurement_apa(res, group="1", moments=paper.FitMoments(None, "not stored"))
    assert "Group sex = 1." in m.note
    for fmt in ("md", "tex", "csv", "html"):
        text = paper.write_tables([by], tmp_path / f"t.{fmt}").read_text(encoding="utf-8")
        assert "sex = 2" in text and "sex = 1" in text, fmt
    docx = pytest.importorskip("docx")
    path = paper.to_docx([by], tmp_path / "t.docx")
    head = [c.text for c in docx.Document(str(path)).tables[0].rows[0].cells]
    assert head == ["Path", "sex = 2", "sex = 1"]


def test_text_labels_stay_as_they_are():
    res = _results(("Pasteur", "Grant-White"), "school")
    assert list(paper.paths_by_group_apa(res).frame.columns) == ["Path", "Pasteur", "Grant-White"]
    assert "[Pasteur]" in terminal_summary(res)


def test_terminal_summary_names_numeric_groups():
    text = terminal_summary(_results())
    assert "groups: sex = 2 (n=150), sex = 1 (n=150)" in text
    assert "[sex = 2]" in text and "R² [sex = 1]" in text
    assert "[2]" not in text


def test_diagram_legend_names_the_variable():
    pytest.importorskip("graphviz")
    est = paper.estimates_frame(_results())
    g = sem_graph(est, group="2", group_variable="sex")
    assert "Group: sex = 2" in g.source
    assert "Group: 2<" not in sem_graph(est, group="2", group_variable="sex", legend=False, title="t").source


def test_terminal_summary_maps_the_group_suffixes_to_the_groups():
    """Audit s22 C1: .g1, .g2 in labels and := names are group POSITIONS; with numeric codes `b.g1` is the
    group "sex = 2" -- the summary says so under the group line; no line without such suffixes."""
    text = terminal_summary(_results())
    assert "label suffixes .g1, .g2, ... number the groups in this order: .g1: sex = 2, .g2: sex = 1" in text
    res = _results()
    for r in res["estimates"]:
        r["label"] = ""
        r["lhs"] = r["lhs"].replace(".g", "_g")
    assert "label suffixes" not in terminal_summary(res)


def test_invariance_summary_names_numeric_groups():
    """Audit s22 C4: the invariance block printed 'Groups: 3 (n = 281), 1 ...' and 'Merged: 4 -> 2' under a fit
    summary that says 'role = 3'; the CLI and the book pass group_caption."""
    import numpy as np
    import pandas as pd

    from iur_survey.report.groups import invariance_summary
    from iur_survey.sem.invariance import measurement_invariance

    rng = np.random.default_rng(1)
    n = 450
    f = rng.standard_normal((n, 1))
    X = 3 + f @ [[1.0, 0.8, 0.7, 0.6]] + rng.standard_normal((n, 4)) * 0.6
    d = pd.DataFrame(X, columns=["y1", "y2", "y3", "y4"]).assign(sex=np.repeat([2, 1, 3], n // 3))
    inv = measurement_invariance("F =~ y1 + y2 + y3 + y4", d, "sex", merge={"3": "1"}, steps=["configural", "metric"])
    text = invariance_summary(inv)["summary"]
    assert "Groups: sex = 2 (n = 150), sex = 1 (n = 300)" in text and "Merged: sex = 3 -> sex = 1" in text
    assert "Groups: 2 (n" in inv.summary()          # the engine's own default stays the bare label


def test_results_json_maps_the_group_suffixes_to_the_groups():
    """results.json says which group each label suffix numbers (.g1 = the first group in lavaan's order, the
    order of first appearance: here role 3)."""
    import numpy as np
    import pandas as pd
    from iur_survey.sem import sem
    rng = np.random.default_rng(4)
    d = pd.DataFrame(rng.standard_normal((240, 1)) @ [[1, .8, .7]] + rng.standard_normal((240, 3)),
                     columns=list("abc"))
    d["role"] = np.repeat([3, 1], 120)
    out = sem("F =~ a + b + c", d, group="role").to_dict()
    assert list(out["groups"]) == ["3", "1"] and out["group_suffixes"] == {".g1": "3", ".g2": "1"}
