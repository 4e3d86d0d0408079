"""The paper tables (report/paper.py) of models whose structural part is more than regressions among first-order
factors: an observed covariate (lavaan's ov.x: ``speed ~ visual + textual + ageyr``), two groups, a second-order
factor (``g =~ visual + textual + speed``) and a latent interaction.  The discriminant table's r is lavaan's
cor.lv (an observed predictor's share of a factor's variance counted; a higher-order factor's loadings too), the
CR of first-order factors is that of their items (never inflated by g), ω of g is semTools' compRelSEM(higher =),
and α / HTMT leave out the constructs without items in the data instead of failing.

References: tests/report/refs/paper_refs.json (make_paper_refs.R, lavaan 0.6.14 / semTools 0.5-6).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.report import paper
from iur_survey.report.format import num, stars

TESTS = Path(__file__).resolve().parents[1]
REFS = json.loads((TESTS / "report" / "refs" / "paper_refs.json").read_text(encoding="utf-8"))
HS_CSV = TESTS / "reference" / "data" / "hs1939.csv"
HS = pd.read_csv(HS_CSV)
CFA3 = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"


def _matrix(m) -> pd.DataFrame:
    return pd.DataFrame(m["values"], index=m["names"], columns=m["names"], dtype=float)


def _results(cases, group=None) -> dict:
    est = [e for c in cases for e in c["estimates"]]
    r = {"estimates": est, "converged": True, "estimator": "ML", "missing": "listwise", "n": 301}
    if group:
        r["call"] = {"options": {"group": group}}
    return r


def _moments(group_labels=("",)):
    s = _matrix(REFS["sampstat_cov"])
    return paper.FitMoments({g: s for g in group_labels})


def _cases():
    yield "cov", REFS["cov"]
    for g, c in REFS["cov_groups"].items():
        yield f"cov_groups:{g}", c
    yield "second_order", REFS["second_order"]


@pytest.mark.parametrize("name,case", list(_cases()), ids=[n for n, _ in _cases()])
def test_latent_correlations_are_lavaans_cor_lv(name, case):
    ref = _matrix(case["cor_lv"])
    got = paper.latent_correlations(pd.DataFrame(case["estimates"]))
    assert list(got.index) == list(ref.index)
    np.testing.assert_allclose(got.to_numpy(), ref.to_numpy(), atol=1e-6)


def test_discriminant_r_with_an_observed_covariate_one_and_two_groups():
    # before: r(visual, speed) .471 where lavaan's cor.lv is .451 (ageyr's share of var(speed) left out)
    t = paper.discriminant_apa(_results([REFS["cov"]]), HS, moments=_moments())
    r = dict(zip(t.frame["Pair"], t.frame["*r*"]))
    lv = _matrix(REFS["cov"]["cor_lv"])
    for a, b in [("visual", "textual"), ("visual", "speed"), ("textual", "speed")]:
        assert r[f"{a} – {b}"] == num(lv.loc[a, b], 3, False)
    two = _results(list(REFS["cov_groups"].values()), group="school")
    for g, case in REFS["cov_groups"].items():
        t = paper.discriminant_apa(two, HS, group=g, moments=paper.FitMoments(None, "not needed here"))
        r = dict(zip(t.frame["Pair"], t.frame["*r*"]))
        lv = _matrix(case["cor_lv"])
        assert r["visual – speed"] == num(lv.loc["visual", "speed"], 3, False)
        assert r["textual – speed"] == num(lv.loc["textual", "speed"], 3, False)
        h = _matrix(case["htmt"])
        assert dict(zip(t.frame["Pair"], t.frame["HTMT"]))["visual – speed"] == f"{h.loc['visual', 'speed']:.3f}"


def test_second_order_measurement_table_against_semtools():
    ref = REFS["second_order"]
    t = paper.measurement_apa(_results([ref]), HS, moments=_moments())
    firsts = t.frame[t.frame["Construct"] != ""].set_index("Construct")
    for f in ("visual", "textual", "speed"):
        # before: CR .747 / .908 / .743 (g's loading counted twice), α — for every construct
        assert abs(paper.construct_reliability(pd.DataFrame(ref["estimates"])).loc[f, "CR"] - ref["cr_std"][f]) < 1e-6
        assert firsts.loc[f, "CR"] == num(ref["cr_std"][f], 3, False)
        assert firsts.loc[f, "ω"] == num(ref["omega"][f], 3, False)
        assert firsts.loc[f, "AVE"] == num(ref["ave"][f], 3, False)
        assert firsts.loc[f, "α"] == num(ref["alpha"][f], 3, False)
    assert firsts.loc["g", "ω"] == num(ref["omega"]["g"], 3, False)          # compRelSEM(higher = "g")
    assert firsts.loc["g", "α"] == firsts.loc["g", "CR"] == firsts.loc["g", "AVE"] == "—"
    assert "α of g: —" in t.note and "CR and AVE of g: —" in t.note and "higher = " in t.note


def test_second_order_discriminant_table():
    ref = REFS["second_order"]
    t = paper.discriminant_apa(_results([ref]), HS, moments=_moments())
    rows = t.frame.set_index("Pair")
    lv, h = _matrix(ref["cor_lv"]), _matrix(ref["htmt"])
    for a, b in [("visual", "textual"), ("visual", "speed"), ("textual", "speed"), ("visual", "g")]:
        assert rows.loc[f"{a} – {b}", "*r*"] == num(lv.loc[a, b], 3, False)      # before: 0 (.000)
    for a, b in [("visual", "textual"), ("textual", "speed")]:
        assert rows.loc[f"{a} – {b}", "HTMT"] == f"{h.loc[a, b]:.3f}"
    assert rows.loc["speed – g", "HTMT"] == "—" and "HTMT of g: —" in t.note


@pytest.mark.parametrize("model,left", [
    (CFA3 + "g =~ visual + textual + speed\n", "g"),
    (CFA3 + "speed ~ visual + textual + visual:textual\n", "visual.textual"),
], ids=["second_order", "interaction"])
def test_tables_command_on_higher_order_and_interaction_models(tmp_path, model, left):
    """Before: a KeyError traceback (HTMT asked the data for the items of g / of the product factor).  The product
    factor of an interaction is shown as the product indicators' block (A × B, items a × b; no α, ω, CR, AVE) and
    left out of the discriminant-validity table."""
    from iur_survey.cli import main
    lav = tmp_path / "m.lav"
    lav.write_text(model, encoding="utf-8")
    res = tmp_path / "results.json"
    assert main(["fit", str(HS_CSV), "--model", str(lav), "--out", str(res), "--quiet"]) == 0
    md = tmp_path / "tables.md"
    assert main(["tables", str(res), "--format", "md", "--out", str(md)]) == 0
    text = md.read_text(encoding="utf-8")
    if left == "g":
        assert f"HTMT of {left}: —" in text and f"α of {left}: —" in text
    else:                  # the product factor: its own block, no reliability, out of the discriminant table
        assert "| visual × textual (product indicators) | x1 × x4 | 1.000 | — |" in text
        assert "| speed – visual.textual" not in text and "visual × textual → speed" in text
        assert "visual × textual (visual.textual in results.json): the product factor" in text
    h = _matrix(REFS["second_order"]["htmt"])          # the first-order factors' HTMT: the same items, rows
    assert f"| visual – textual | " in text and f"| {h.loc['visual', 'textual']:.3f} |" in text


def test_diagram_draws_second_order_loadings_with_r2():
    """Before: "0 paths", g unconnected to visual / textual / speed, no R² of them."""
    from iur_survey.report.diagram import sem_graph
    ref = REFS["second_order"]
    est = pd.DataFrame(ref["estimates"])
    src = sem_graph(est, r2=ref["r2"]).source
    for f in ("visual", "textual", "speed"):
        row = est[(est["lhs"] == "g") & (est["op"] == "=~") & (est["rhs"] == f)].iloc[0]
        label = num(row["std.all"], 2, False) + stars(row.get("pvalue"))
        assert re.search(rf'g -> {f} \[label="?{re.escape(label)}"? ', src), (f, label)
        assert f"</I>² = {num(ref['r2'][f], 2, False)}<" in src


def test_fit_note_says_why_robust_indices_are_missing_without_a_warning(tmp_path):
    """A multi-group WLSMV fit with equal thresholds and loadings: lavaan 0.6.14's cfi/tli/rmsea.robust are NA
    without a warning.  Before: "—: could not be computed (the fit's warnings below say why)" and no warning."""
    from iur_survey.cli import main
    ref = REFS["ordered_groups"]["fit"]
    assert ref["cfi.robust"] == "NA"
    lav = tmp_path / "m.lav"
    lav.write_text(CFA3, encoding="utf-8")
    res = tmp_path / "results.json"
    assert main(["fit", str(TESTS / "report" / "refs" / "hs1939_ordered.csv"), "--model", str(lav), "--ordered",
                 "--group", "school", "--equal", "thresholds,loadings", "--out", str(res), "--quiet"]) == 0
    results = json.loads(res.read_text(encoding="utf-8"))
    t = paper.fit_apa([results])
    scaled = t.frame.iloc[0]          # the model's row: the scaled test and robust indices
    assert scaled["CFI"] == scaled["TLI"] == "—"
    assert "warnings below say why" not in t.note
    assert "cfi.robust, tli.robust, rmsea.robust not defined for this fit (lavaan 0.6.14 reports NA)" in t.note
    for k in ("cfi.scaled", "tli.scaled", "rmsea.scaled"):
        assert f"{k} = {num(ref[k], 3, False)}" in t.note


@pytest.mark.parametrize("group", [None, "school"])
def test_paths_table_gives_lavaans_r2(tmp_path, group):
    """Before: no R² in any paper table (only in the terminal and the diagram)."""
    from iur_survey.cli import main
    lav = tmp_path / "m.lav"
    lav.write_text(CFA3 + "speed ~ visual + textual + ageyr\ntextual ~ visual\n", encoding="utf-8")
    res = tmp_path / "results.json"
    assert main(["fit", str(HS_CSV), "--model", str(lav), "--out", str(res), "--quiet"]
                + (["--group", group] if group else [])) == 0
    t = paper.paths_apa(json.loads(res.read_text(encoding="utf-8")))
    refs = {"": REFS["cov"]} if not group else REFS["cov_groups"]
    for g, case in refs.items():
        part = ", ".join(f"{v} {num(case['r2'][v], 3, False)}" for v in ("speed", "textual"))
        assert (f"{g}: {part}" if g else f"R² (lavaan's lavInspect(fit, \"r2\")): {part}.") in t.note


def test_estimates_that_print_as_zero_are_named_with_their_values(tmp_path):
    """x1-x3 times 30, x7-x9 divided by 30: lavaan's speed ~ visual is 3.3e-04 (SE 8.7e-05), which 3 decimals
    print as "0.000 | 0.000 | [0.000, 0.001] | .431***"; the note now gives the values."""
    from iur_survey.cli import main
    d = HS.copy()
    for i in (1, 2, 3):
        d[f"x{i}"] = d[f"x{i}"] * 30
    for i in (7, 8, 9):
        d[f"x{i}"] = d[f"x{i}"] / 30
    csv = tmp_path / "scaled.csv"
    d.to_csv(csv, index=False)
    lav = tmp_path / "m.lav"
    lav.write_text(CFA3 + "speed ~ visual + textual\n", encoding="utf-8")
    res = tmp_path / "results.json"
    assert main(["fit", str(csv), "--model", str(lav), "--out", str(res), "--quiet"]) == 0
    results = json.loads(res.read_text(encoding="utf-8"))
    row = next(e for e in REFS["scaled"] if e["rhs"] == "visual")             # lavaan's
    t = paper.paths_apa(results)
    assert t.frame.set_index("Path").loc["visual → speed", "*b*"] == "0.000"
    assert f"(visual → speed: b = {row['est']:.1e}, SE = {row['se']:.1e})" in t.note
    assert "textual → speed" not in t.note.split("print as 0.000")[0]


def test_terminal_summary_of_a_second_order_model_and_wide_names():
    """Before: no structural line for g =~ visual + textual + speed and the items' R²; CJK names misaligned."""
    import unicodedata
    from iur_survey.report.terminal import terminal_summary
    ref = REFS["second_order"]
    res = {"n": 301, "estimator": "ML", "missing": "listwise", "converged": True, "fit": {}, "r2": ref["r2"],
           "estimates": ref["estimates"]}
    text = terminal_summary(res)
    for f in ("visual", "textual", "speed"):
        row = next(e for e in ref["estimates"] if e["lhs"] == "g" and e["op"] == "=~" and e["rhs"] == f)
        assert any(line.split()[:4] == ["g", "=~", f, num(row["est"], 3)] for line in text.splitlines())
    r2_line = next(line for line in text.splitlines() if line.strip().startswith("R²"))
    assert r2_line.strip() == "R²: " + ", ".join(f"{f} {num(ref['r2'][f], 3, False)}"
                                                 for f in ("visual", "textual", "speed"))
    zh_names = {"g": "总体", "visual": "视觉", "speed": "速度"}
    zh = {**res, "r2": {}, "estimates": [{**e, "lhs": zh_names.get(e["lhs"], e["lhs"]),
                                          "rhs": zh_names.get(e["rhs"], e["rhs"])} for e in ref["estimates"]]}
    rows = [line for line in terminal_summary(zh).splitlines() if "=~" in line]

    def width(s):
        return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in s)
    ests = [num(next(e["est"] for e in ref["estimates"] if e["lhs"] == "g" and e["rhs"] == r), 3)
            for r in ("visual", "textual", "speed")]
    cols = {width(line[:line.index(f" {v} ") + 1 + len(v)]) for line, v in zip(rows, ests)}   # where est ends
    assert len(rows) == 3 and len(cols) == 1, rows


def test_product_factor_block_in_the_measurement_table():
    """The latent interaction's product factor: "A × B (product indicators)" with items "a × b" (read from the two
    factors' loadings, never by splitting the names: items with dots), its loadings as lavaan's and no α, ω, CR or
    AVE; the other constructs' rows unchanged; the paths read A × B → Y."""
    from iur_survey.commands.fit import interaction_payload
    from iur_survey.sem import sem

    sim = pd.read_csv(TESTS / "sem" / "interaction_refs" / "data_sim.csv")
    res = sem("A =~ a.1 + a.2 + a.3\nB =~ b.1 + b.2 + b.3\nY =~ y1 + y2 + y3\nY ~ A + B + A:B", sim)
    results = res.to_dict() | {"interaction": interaction_payload(res)}
    t = paper.measurement_apa(results, sim, moments=paper.FitMoments({"": res.sample_statistics()["cov"]}))
    f = t.frame
    block = f.index[f["Construct"] == "A × B (product indicators)"][0]
    items = list(f["Item"].iloc[block:block + 9])
    assert items == [f"a.{i} × b.{j}" for i in (1, 2, 3) for j in (1, 2, 3)]
    assert list(f.loc[block, ["α", "ω", "CR", "AVE"]]) == ["—"] * 4
    pe = res.parameter_estimates().query("lhs == 'A.B' and op == '=~'")
    assert list(f["*b*"].iloc[block:block + 9]) == [num(v, 3) for v in pe["est"]]
    assert f.loc[f["Construct"] == "A", "AVE"].iloc[0] not in ("", "—")
    assert "A × B (A.B in results.json): the product factor of the latent interaction" in t.note
    paths = paper.paths_apa(results).frame
    assert "A × B → Y" in set(paths["Path"])
    assert paper.product_blocks({"interaction": []}) == {}
