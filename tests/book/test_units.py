"""Fast checks of the book machinery: settings, environment, offline scan, APA formatting, the tables
and figures of iur_survey.report, the results cache and the command's argument handling."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.book import (DEFAULT_DATA, KERNEL_MPLBACKEND, BookSettings, build_book, kernel_environment,
                             network_assets)
from iur_survey.report import apa_table, num, path_diagram, pval
from iur_survey.report.diagram import figure_png, path_labels
from iur_survey.pipeline import BookResults, Step, compute_results, prepare_results, r_script
from iur_survey.report.sem_tables import chisq_difference, fit_row, hypotheses

REPO = Path(__file__).resolve().parents[2]


# ------------------------------------------------------------------ settings and environment
def test_settings_come_from_the_environment(tmp_path):
    s = BookSettings.from_env({"IUR_SURVEY_DATA": str(tmp_path / "x.csv"), "IUR_SURVEY_WORKDIR": str(tmp_path)})
    assert s.data == tmp_path / "x.csv" and s.workdir == tmp_path
    assert s.instrument == REPO / "data" / "instrument.yaml"
    assert BookSettings.from_env({}).data == DEFAULT_DATA
    assert BookSettings.from_env(s.to_env()) == s


def test_the_kernel_environment_overrides_agg():
    env = kernel_environment(BookSettings.from_env({}), {"MPLBACKEND": "Agg", "IUR_SURVEY_RESULTS_FROZEN": "1"})
    assert env["MPLBACKEND"] == KERNEL_MPLBACKEND
    assert "IUR_SURVEY_RESULTS_FROZEN" not in env
    assert env["IUR_SURVEY_DATA"] == str(DEFAULT_DATA)


def test_the_demo_export_is_the_default():
    assert DEFAULT_DATA == REPO / "data" / "demo" / "export.csv"


def test_unknown_format_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown format"):
        build_book(out=tmp_path, fmt="epub", prepare=False)


# ----------------------------------------------------------------------------- offline scan
@pytest.mark.parametrize("snippet, url", [
    ('<script src="https://cdn.example/mathjax/tex-chtml.js"></script>', "https://cdn.example/mathjax/tex-chtml.js"),
    ('<link rel="stylesheet" href="//fonts.example/css?family=X">', "//fonts.example/css?family=X"),
    ('<style>@import url("https://fonts.example/a.css");</style>', "https://fonts.example/a.css"),
    ("<script>const THEBE_JS_URL = \"https://unpkg.example/thebe/lib/index.js\"</script>",
     "https://unpkg.example/thebe/lib/index.js"),
    ('<img src="http://img.example/a.png">', "http://img.example/a.png"),
])
def test_network_assets_are_found(tmp_path, snippet, url):
    (tmp_path / "p.html").write_text(f"<html><body>{snippet}</body></html>")
    assert network_assets(tmp_path) == [("p.html", url)]


def test_links_and_local_assets_are_not_network_assets(tmp_path):
    (tmp_path / "p.html").write_text('<a href="https://github.com/x">repo</a><script src="_static/a.js"></script>'
                                     '<link rel="canonical" href="https://x.example/p.html">'
                                     '<svg xmlns="http://www.w3.org/2000/svg"></svg>')
    (tmp_path / "s.css").write_text("/* see https://example.com/license.css */ a { background: url(img/a.png) }")
    assert network_assets(tmp_path) == []


# ------------------------------------------------------------------------------- formatting
def test_apa_numbers():
    assert num(0.0004, 3, False) == ".000" and num(-0.0, 3) == "0.000"      # an exact zero has no sign
    # a negative value that rounds to zero keeps its sign (a table showed b -0.001 next to "beta .00")
    assert num(-0.0004, 3) == "\u22120.000" and num(-0.00095, 2, False) == "\u2212.00"
    assert num(-1.25, 2) == "\u22121.25" and num(1.0, 3, False) == "1.000"
    assert pval(0.0009999) == "< .001" and pval(0.001) == ".001" and pval(0.0505) == ".051"


def test_apa_table_aligns_decimals_within_a_column():
    df = pd.DataFrame({"x": [0.5, -12.25, 3.0], "r": [0.123, -0.5, 0.9], "name": ["a", "b", "c"]})
    t = apa_table(df, "T", formats={"r": "r2"}, default=2)
    for col in ("x", "r"):
        decimals = {len(v.split(".")[1]) for v in t.frame[col]}
        assert decimals == {2}
    assert t.frame["r"].tolist() == [".12", "\u2212.50", ".90"]
    html = t._repr_html_()
    assert html.count('class="num') == 2 * (1 + len(df))   # header + body cells of the two numeric columns
    assert "<th" in html and "Table" not in t.title


def test_fit_row_uses_the_robust_measures_for_mlr():
    fit = {"chisq": 400.0, "df": 300, "pvalue": 0.01, "cfi": 0.9, "tli": 0.89, "rmsea": 0.05,
           "rmsea.ci.lower": 0.04, "rmsea.ci.upper": 0.06, "srmr": 0.04, "chisq.scaled": 380.0,
           "df.scaled": 300, "pvalue.scaled": 0.02, "cfi.robust": 0.95, "tli.robust": 0.94, "rmsea.robust": 0.03,
           "rmsea.ci.lower.robust": 0.02, "rmsea.ci.upper.robust": 0.035}
    ml, mlr = fit_row(fit), fit_row(fit, scaled=True)
    assert ml["χ²"] == "400.00" and ml["CFI"] == ".900" and ml["RMSEA [90% CI]"] == ".050 [.040, .060]"
    assert mlr["χ²"] == "380.00" and mlr["CFI"] == ".950" and mlr["RMSEA [90% CI]"] == ".030 [.020, .035]"


def test_chisq_difference_matches_scipy():
    from scipy import stats
    d = chisq_difference({"chisq": 3834.05, "df": 350}, {"chisq": 385.93, "df": 329})
    assert d["delta_df"] == 21 and d["pvalue"] == pytest.approx(stats.chi2.sf(3834.05 - 385.93, 21))


def _estimates(a1=0.3, p_a1=0.0001, b=0.4, p_b=0.0001):
    rows = [("COL", "~", m, f"a{k}", a1 if k == 1 else -0.2, 0.05, p_a1 if k == 1 else 0.001, 0.25)
            for k, m in enumerate(["GOV", "MKT", "BEN", "VAL", "TAL"], 1)]
    rows.append(("INT", "~", "COL", "b", b, 0.06, p_b, 0.35))
    rows.append(("ind_GOV", ":=", "a1*b", "ind_GOV", a1 * b, 0.02, 0.2, 0.09))
    return pd.DataFrame(rows, columns=["lhs", "op", "rhs", "label", "est", "se", "pvalue", "std.all"])


def test_hypotheses_need_a_positive_significant_effect():
    h = hypotheses(_estimates()).set_index("hypothesis")
    assert h.loc["H1", "supported"] == "yes"
    assert h.loc["H2", "supported"] == "no"            # significant but negative
    assert h.loc["H6", "supported"] == "yes"
    assert h.loc["H7a", "supported"] == "no"           # p = .2
    assert hypotheses(_estimates(p_a1=0.06)).set_index("hypothesis").loc["H1", "supported"] == "no"


def test_path_diagram_shows_the_estimates():
    labels = path_labels(_estimates())
    assert labels[("GOV", "COL")] == ".25***" and labels[("COL", "INT")] == ".35***"
    png = figure_png(path_diagram(_estimates(), r2={"COL": 0.5, "INT": 0.4}))
    assert png[:4] == b"\x89PNG" and len(png) > 20_000


def test_r_script_is_runnable_lavaan_code():
    script = r_script("F =~ a + b\nG =~ c + d\nG ~ F", estimator="MLR", missing="ml")
    assert "library(lavaan)" in script and 'estimator = "MLR", missing = "ml"' in script
    assert "model <- '\nF =~ a + b\nG =~ c + d\nG ~ F\n'" in script


# ------------------------------------------------------------------------------ results
def test_missing_data_makes_every_step_pending_and_nothing_up(tmp_path):
    settings = BookSettings(tmp_path / "no_such_export.csv", REPO / "data" / "instrument.yaml", tmp_path / "w")
    res = compute_results(settings)
    assert isinstance(res, BookResults)
    assert [s.status for s in res.steps.values()] == ["pending"] * len(res.steps)
    assert all(s.value is None for s in res.steps.values())
    assert "no export" in res["read"].reason
    assert res["clean"].reason.startswith("needs the read step")


def test_results_are_cached_per_input(tmp_path):
    settings = BookSettings(tmp_path / "no_such_export.csv", REPO / "data" / "instrument.yaml", tmp_path / "w")
    first = prepare_results(settings)
    assert (tmp_path / "w" / "results.pkl").is_file()
    first.meta["marker"] = "cached"
    import pickle
    (tmp_path / "w" / "results.pkl").write_bytes(pickle.dumps(first))
    assert prepare_results(settings).meta.get("marker") == "cached"           # same inputs: loaded
    other = BookSettings(tmp_path / "other.csv", settings.instrument, settings.workdir)
    assert prepare_results(other).meta.get("marker") is None                  # other inputs: recomputed


def test_step_ok_only_when_it_ran():
    assert Step("ok", value={}).ok and not Step("failed", reason="x").ok


# ------------------------------------------------------------------------------ the command
def _cli(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "iur_survey", "book", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=timeout, env=dict(os.environ))


def test_command_refuses_a_missing_export_in_one_line(tmp_path):
    proc = _cli("--data", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "o"))
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "nope.csv" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "o").exists()


def test_command_refuses_a_broken_instrument(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("scale: {min: 1, max: 5}\n")
    proc = _cli("--instrument", str(bad), "--out", str(tmp_path / "o"))
    assert proc.returncode == 2 and "constructs" in proc.stderr


def test_command_help_names_the_options():
    proc = _cli("--help")
    assert proc.returncode == 0
    for opt in ("--data", "--instrument", "--out", "--format", "--sheet", "--hidden-rows", "--encoding"):
        assert opt in proc.stdout


# ------------------------------------------------------------------ chapter tables from the package
def test_exclusions_table_adds_up_to_the_excluded(tmp_path):
    from iur_survey.clean import clean
    from iur_survey.instrument import load_instrument
    from iur_survey.read import read_export
    from iur_survey.report.cleaning import exclusion_counts, exclusions_table, role_counts

    inst = load_instrument()
    res = clean(read_export(DEFAULT_DATA, inst), inst)
    ex = exclusion_counts(res.report)
    assert ex["excluded"].sum() == res.report["n_excluded"] == res.report["n_raw"] - res.report["n_kept"]
    assert (ex["hits"] >= ex["excluded"]).all()
    assert exclusions_table(res.report).frame["Excluded"].tolist() == \
        [f"{v:,}" if ok else "—" for v, ok in zip(ex["excluded"], ex["evaluated"])]
    roles = role_counts(res.clean, inst)
    assert roles["n"].sum() == res.report["n_kept"]
    assert list(roles["Role"][:4]) == [g for g in inst.groups if g in set(roles["Role"])][:4]


def test_reliability_frame_leaves_absent_measures_empty():
    from iur_survey.report.sem_tables import reliability_frame
    alpha = pd.DataFrame({"alpha": [0.8, 0.7]}, index=pd.Index(["A", "B"], name="construct"))
    out = reliability_frame({"alpha": alpha}, ["B", "A"])
    assert out["α"].tolist() == [0.7, 0.8]
    assert out["AVE"].isna().all() and out["ω"].isna().all()


def test_compare_paths_keeps_the_model_order():
    from iur_survey.report.sem_tables import compare_paths
    a = pd.DataFrame({"lhs": ["COL", "COL", "INT"], "op": "~", "rhs": ["TAL", "GOV", "COL"], "std.all": [0.1, 0.2, 0.3],
                      "pvalue": [0.5, 0.01, 0.001]})
    b = a.assign(**{"std.all": [0.15, 0.25, 0.35]})
    cmp = compare_paths({"x": a, "y": b})
    assert cmp["path"].tolist() == ["TAL → COL", "GOV → COL", "COL → INT"]
    assert cmp["y"].tolist() == [0.15, 0.25, 0.35]


# ------------------------------------------------------------------ chapters 6-8: mediation, groups, PLS
def test_analysis_options_are_part_of_the_cache_key(tmp_path, monkeypatch):
    from iur_survey.pipeline import analysis_options, results_key
    monkeypatch.delenv("IUR_SURVEY_BOOTSTRAP_B", raising=False)
    monkeypatch.delenv("IUR_SURVEY_SEED", raising=False)
    assert analysis_options() == {"seed": 2022, "bootstrap_B": 1000}
    k0 = results_key(tmp_path / "x.csv", REPO / "data" / "instrument.yaml")
    monkeypatch.setenv("IUR_SURVEY_BOOTSTRAP_B", "50")
    assert analysis_options()["bootstrap_B"] == 50
    assert results_key(tmp_path / "x.csv", REPO / "data" / "instrument.yaml") != k0
    monkeypatch.setenv("IUR_SURVEY_BOOTSTRAP_B", "1")
    with pytest.raises(ValueError, match="at least 2"):
        analysis_options()


def test_read_options_reach_the_reader_and_the_cache_key(tmp_path, monkeypatch):
    """`book --sheet/--hidden-rows/--encoding` (IUR_SURVEY_READ): a book on a workbook the reader refuses without
    them could not be built before."""
    from iur_survey.pipeline import ENV_READ, _step_read, read_options, results_key
    from iur_survey.instrument import load_instrument
    monkeypatch.delenv(ENV_READ, raising=False)
    k0 = results_key(tmp_path / "x.csv", REPO / "data" / "instrument.yaml")
    monkeypatch.setenv(ENV_READ, '{"encoding": "cp1252"}')
    assert read_options() == {"encoding": "cp1252"}
    assert results_key(tmp_path / "x.csv", REPO / "data" / "instrument.yaml") != k0
    monkeypatch.setenv(ENV_READ, '{"sheat": "1"}')
    with pytest.raises(ValueError, match="only"):
        read_options()
    csv = tmp_path / "plain.csv"
    csv.write_bytes("response_id,role,GOV1\nR1,University,Agr\xe9\n".encode("cp1252"))
    seen = {}

    def fake_read(path, instrument=None, **kw):
        seen.update(kw)
        raise RuntimeError("stop")
    monkeypatch.setattr("iur_survey.pipeline.read_export", fake_read)
    with pytest.raises(RuntimeError):
        _step_read({"data": csv, "instrument": load_instrument(), "read_options": {"encoding": "cp1252"}})
    assert seen == {"encoding": "cp1252"}


def test_new_steps_wait_for_the_steps_they_need(tmp_path):
    settings = BookSettings(tmp_path / "no_such_export.csv", REPO / "data" / "instrument.yaml", tmp_path / "w")
    res = compute_results(settings)
    for step, need in (("bootstrap", "sem"), ("invariance", "clean"), ("group_paths", "invariance"), ("pls", "sem")):
        assert res[step].status == "pending" and res[step].reason.startswith(f"needs the {need} step")


def test_mediation_hypotheses_need_an_interval_above_zero():
    from iur_survey.report.mediation import mediation_hypotheses
    eff = pd.DataFrame({"effect": ["ind_GOV", "ind_MKT", "ind_BEN"], "est": [0.1, 0.02, -0.1],
                        "perc.lower": [0.01, -0.01, -0.2], "perc.upper": [0.2, 0.05, -0.02],
                        "bca.lower": [-0.01, 0.001, -0.2], "bca.upper": [0.2, 0.05, -0.01],
                        "delta.pvalue": [0.01, 0.3, 0.01]})
    h = mediation_hypotheses(eff, ["GOV", "MKT", "BEN"]).set_index("parameter")
    assert h["supported"].tolist() == ["yes", "no", "no"]           # a negative effect is not H7's effect
    assert h["bca_supported"].tolist() == ["no", "yes", "no"]
    assert h["delta_supported"].tolist() == ["yes", "no", "no"]
    assert h.loc["ind_GOV", "hypothesis"] == "H5a"                  # three mechanisms: H1-H3, H4 (b), H5a-c


def test_bootstrap_effects_match_the_bootstrap_result():
    from iur_survey.report.mediation import mediation_table
    from iur_survey.sem.mediation import bootstrap_effects
    from iur_survey.sem import sem
    from iur_survey.sem.bootstrap import bootstrap
    rng = np.random.default_rng(8)
    x = rng.standard_normal(200)
    m = 0.5 * x + rng.standard_normal(200)
    d = pd.DataFrame({"x": x, "m": m, "y": 0.4 * m + rng.standard_normal(200)})
    fit = sem("m ~ a*x\ny ~ b*m + c*x\nind_x := a*b\ntot_x := c + a*b", d)
    bt = bootstrap(fit, 80, data=d, seed=5, workers=1, progress=False)
    eff = bootstrap_effects(bt).set_index("effect")
    ci = bt.confidence_intervals("percentile")
    assert eff.loc["ind_x", "perc.lower"] == ci.loc["ind_x", "ci.lower"]
    assert eff.loc["ind_x", "boot.se"] == bt.se()["ind_x"]
    assert np.isnan(eff.loc["ind_x", "bca.lower"])                  # no jackknife: no BCa column
    pe = fit.parameter_estimates().set_index("lhs")
    assert eff.loc["tot_x", "delta.se"] == pytest.approx(pe.loc["tot_x", "se"])
    t = mediation_table(eff.reset_index(), B=80)
    assert "95% CI BCa" not in t.frame.columns and "80 bootstrap resamples" in t.note


def test_holm_matches_statsmodels():
    from statsmodels.stats.multitest import multipletests
    from iur_survey.sem.compare import holm
    p = [0.043, 0.5, 0.001, 0.2, 0.012, 0.03]
    assert holm(p) == pytest.approx(multipletests(p, method="holm")[1].tolist())


def test_group_paths_table_shows_every_group_and_the_joint_test():
    from iur_survey.report.groups import group_paths_table
    w = pd.DataFrame({"lhs": ["COL", "INT", "(all)"], "op": ["~", "~", ""], "rhs": ["GOV", "COL", ""],
                      "est.a": [0.3, 0.4, np.nan], "est.b+c_d": [0.5, 0.1, np.nan], "Wald": [4.1, 0.2, 4.5],
                      "df": [1, 1, 2], "pvalue": [0.043, 0.65, 0.105]})
    t = group_paths_table(w, ["a", "b+c_d"])
    assert t.frame.columns.tolist() == ["Path", "a", "b + c d", "Wald χ²(1)", "*p*", "*p* Holm"]
    assert t.frame["*p* Holm"].tolist() == [".086", ".650"]
    assert "Wald χ²(2) = 4.50" in t.note and len(t.frame) == 2


def test_invariance_table_has_one_column_per_step():
    from iur_survey.report.groups import invariance_table
    steps = ["configural", "metric", "scalar"]
    t = pd.DataFrame({"step": steps, "chisq": [100.0, 110.0, 150.0], "df": [50, 56, 62], "cfi": [0.98, 0.978, 0.95],
                      "tli": [0.97, 0.97, 0.94], "rmsea": [0.03, 0.031, 0.05], "srmr": [0.04, 0.045, 0.06],
                      "chisq.diff": [np.nan, 10.0, 40.0], "df.diff": [np.nan, 6, 6], "pvalue.diff": [np.nan, 0.12, 1e-6],
                      "delta.cfi": [np.nan, -0.002, -0.028], "delta.rmsea": [np.nan, 0.001, 0.019],
                      "delta.srmr": [np.nan, 0.005, 0.015], "decision": ["baseline", "supported", "not supported"]})
    f = invariance_table({"table": t, "indices": "standard", "cutoffs": {}}).frame.set_index("")
    assert f.columns.tolist() == ["Configural", "Metric", "Scalar"]
    assert f.loc["Decision"].tolist() == ["baseline", "supported", "not supported"]
    assert f.loc["ΔCFI"].tolist() == ["—", "−.002", "−.028"] and f.loc["*p*", "Scalar"] == "< .001"


def test_pls_agreement_counts_only_rows_with_both_tests():
    from iur_survey.pls.compare import agreement
    from iur_survey.report.pls_tables import pls_comparison_table
    cmp = pd.DataFrame({"lhs": ["COL", "COL", "ind_GOV"], "op": ["~", "~", ":="], "rhs": ["GOV", "MKT", "a1*b"],
                        "pls_est": [0.25, 0.1, 0.07], "pls_ci.lower": [0.2, 0.0, 0.05], "pls_ci.upper": [0.3, 0.2, 0.09],
                        "pls_pvalue": [0.0, 0.04, np.nan], "cb_std": [0.3, 0.1, 0.11], "cb_std.ci.lower": [0.2, -0.1, 0.06],
                        "cb_std.ci.upper": [0.4, 0.2, 0.16], "cb_pvalue": [0.0, 0.3, 0.0], "agree": [True, False, np.nan]})
    a = agreement(cmp)
    assert (a["n"], a["agree"], a["disagree"], a["n_paths"]) == (2, 1, [("COL", "~", "MKT")], 2)
    assert pls_comparison_table(cmp).frame["Agree"].tolist() == ["yes", "no", "—"]


def test_chapter_7_glues_its_prose_names_from_one_call():
    """groups_glue and ordinal_invariance_glue give chapter 7 every name its prose uses, of the kind the prose
    expects, whether the steps ran or not (the chapter lists none of them by hand)."""
    import re

    from iur_survey.report.groups import groups_glue, ordinal_invariance_glue

    text = (REPO / "book" / "07_groups.md").read_text(encoding="utf-8")
    used = dict((name, kind) for kind, name in re.findall(r"\{glue:(text|md)\}`([a-z_]+)`", text))
    glued = {**groups_glue(None, None, None), **ordinal_invariance_glue(None, "not run")}
    assert {k: ("text" if v[0] == "text" else "md") for k, v in glued.items()}.items() <= used.items()
    not_glued = {n for n in used if n not in glued}
    assert not not_glued, not_glued


def test_a_model_without_col_and_int_says_how_to_give_ones_own():
    # session 28's outside12: an analyst's instrument with other construct codes was refused without a word of
    # fit's --model or of what the book needs
    import dataclasses

    from iur_survey.errors import IURSurveyError
    from iur_survey.instrument import load_instrument
    from iur_survey.study import path_labels
    inst = load_instrument()
    other = dataclasses.replace(inst, constructs={k: v for k, v in inst.constructs.items() if v.code != "INT"})
    with pytest.raises(IURSurveyError, match=r"give fit your own model with --model FILE \(lavaan syntax\), or, "
                                             r"for the book, name yours COL and INT"):
        path_labels(other)


def test_an_instrument_of_col_and_int_only_is_refused_for_want_of_a_mechanism(tmp_path):
    # journey32: an instrument with COL and INT and no other construct stopped the book at its sem step with
    # "<model syntax>:3:5: nothing on the right of '~'", blamed on the export; fit said the same of '<default model>'
    import dataclasses

    from iur_survey.book import instrument_model_failure
    from iur_survey.errors import IURSurveyError
    from iur_survey.instrument import load_instrument
    from iur_survey.study import default_model
    inst = load_instrument()
    only = dataclasses.replace(inst, constructs={k: v for k, v in inst.constructs.items() if v.code in ("COL", "INT")})
    with pytest.raises(IURSurveyError, match=r"needs at least one construct besides COL and INT .*--model FILE"):
        default_model(only)
    doc = {"scale": {"min": 1, "max": 5}, "constructs": {"COL": {"items": ["COL1", "COL2"]},
                                                          "INT": {"items": ["INT1", "INT2"]}}}
    import yaml
    p = tmp_path / "only.yaml"
    p.write_text(yaml.safe_dump(doc), encoding="utf-8")
    msg = instrument_model_failure(p)
    assert msg.startswith("the study's model cannot be built from this instrument: the default model needs at least "
                          "one construct besides COL and INT"), msg
