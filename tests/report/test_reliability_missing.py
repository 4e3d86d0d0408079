"""ω of `iur-survey tables` on FIML fits equals semTools' compRelSEM (missing = "ml": the EM h1 moments), per
group; α, HTMT and the latent correlations equal what the table note says they are.

Reference: tests/reference/json/omega_missing.json (make_omega_missing_ref.R; lavaan 0.6.14, semTools 0.5-6).
Before the fix the table divided by the listwise-deleted sample covariance: off by up to .010 here (.10 in the
audit's government group).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from iur_survey.cli import main
from iur_survey.errors import IURSurveyError
from iur_survey.report import paper

REF_DIR = Path(__file__).resolve().parents[1] / "reference"
REF = json.loads((REF_DIR / "json" / "omega_missing.json").read_text(encoding="utf-8"))


def _fit(tmp, case: str, *extra: str) -> dict:
    model = tmp / "model.lav"
    model.write_text(REF["model"] + "\n")
    out = tmp / f"{case}.json"
    assert main(["fit", str(REF_DIR / REF["cases"][case]["data"]), "--model", str(model), "--out", str(out),
                 *extra]) == 0
    return paper.load_results(out)


@pytest.fixture(scope="module")
def single(tmp_path_factory):
    return _fit(tmp_path_factory.mktemp("omega1"), "single")


@pytest.fixture(scope="module")
def groups(tmp_path_factory):
    return _fit(tmp_path_factory.mktemp("omegag"), "groups", "--group", "role")


def _reliability(res, group=""):
    est = paper.estimates_frame(res)
    est = est[est["group"] == group]
    data = paper._group_data(res, paper._data_of(res)[0], group)[0]
    return paper.construct_reliability(est, data, paper.FitMoments.of(res).cov[group])


def test_single_group_fiml_omega_is_comprelsem(single):
    ref = REF["cases"]["single"]
    assert single["missing"] == "fiml" and single["n"] == ref["nobs"]
    rel = _reliability(single)
    for f, v in ref["omega"].items():
        assert abs(rel.loc[f, "omega"] - v) < 1e-4, (f, rel.loc[f, "omega"], v)
        assert abs(rel.loc[f, "alpha"] - ref["alpha_listwise"][f]) < 1e-10      # α: listwise, as the note says
    # the moments are lavaan's sampstat (EM h1) of every model variable
    cov = paper.FitMoments.of(single).cov[""].loc[ref["sampstat_names"], ref["sampstat_names"]]
    assert np.abs(cov.to_numpy() - np.array(ref["sampstat_cov"])).max() < 1e-4
    table = paper.measurement_apa(single)
    shown = table.frame.loc[table.frame["Construct"] != "", ["Construct", "ω"]].set_index("Construct")["ω"]
    for f, v in ref["omega"].items():
        assert shown[f] == f"{v:.3f}".lstrip("0")
    assert "compRelSEM" in table.note and "EM estimate" in table.note and "listwise" in table.note


def test_the_listwise_denominator_would_be_wrong(single):
    """The old basis (listwise sample covariance) is measurably off: the test would catch a regression."""
    ref = REF["cases"]["single"]
    est = paper.estimates_frame(single)
    items = [i for v in REF["constructs"].values() for i in v]
    data = paper._data_of(single)[0]
    x = data[items].dropna()
    assert len(x) == ref["listwise_n"] < ref["nobs"]
    cov = x.cov(ddof=0)
    old = paper.construct_reliability(est, None, cov)["omega"]
    assert max(abs(old[f] - v) for f, v in ref["omega"].items()) > 2e-3


def test_multigroup_omega_per_group_is_comprelsem(groups):
    ref = REF["cases"]["groups"]
    assert list(groups["groups"]) == ref["group_labels"]
    worst = 0.0
    for g in ref["group_labels"]:
        rel = _reliability(groups, g)
        blk = ref["blocks"][g]
        for f, v in blk["omega"].items():
            worst = max(worst, abs(rel.loc[f, "omega"] - v))
        t = paper.measurement_apa(groups, group=g)
        assert f"Group {g}." in t.note
        assert t.frame.loc[0, "ω"] == f"{blk['omega']['GOV']:.3f}".lstrip("0")
        # HTMT (semTools htmt, htmt2 = FALSE, listwise) and the latent correlations (lavaan cor.lv) per group
        d = paper.discriminant_apa(groups, group=g).frame.set_index("Pair")
        assert d.loc["GOV – MKT", "HTMT"] == f"{blk['htmt']['GOV~~MKT']:.3f}"      # can exceed 1: leading zero
        names = list(REF["constructs"])
        r = blk["cor_lv"][names.index("GOV")][names.index("COL")]
        assert d.loc["GOV – COL", "*r*"] == f"{r:.3f}".lstrip("0")
    assert worst < 1e-4


def test_the_moments_stored_by_fit_are_the_refits(groups, tmp_path):
    """results.json carries lavaan's sampstat per group: ω needs neither the data nor a refit, and equals the
    one rebuilt from the data (a results.json from before it was stored)."""
    stored = paper.FitMoments.of(groups)
    rebuilt = paper.FitMoments.of({k: v for k, v in groups.items() if k != "sampstat"})
    assert set(stored.cov) == set(rebuilt.cov) == set(groups["groups"])
    for g in stored.cov:
        assert np.allclose(stored.cov[g].to_numpy(), rebuilt.cov[g].loc[stored.cov[g].index, stored.cov[g].columns])
    moved = {**groups, "call": {**groups["call"], "data": {"path": str(tmp_path / "gone.csv"), "sha256": "0" * 64}}}
    assert paper.FitMoments.of(moved).cov is not None


def test_omega_is_never_printed_without_the_fit_moments(single, tmp_path):
    """A results.json without stored moments, data file moved and not given: no ω (and the note says why), never a
    listwise stand-in."""
    res = {k: v for k, v in single.items() if k != "sampstat"}
    res["call"] = {**res["call"], "data": {"path": str(tmp_path / "gone.csv"), "sha256": "0" * 64}}
    t = paper.measurement_apa(res)
    assert set(t.frame["ω"]) <= {"—", ""} and "ω: — (the fit's sample moments could not be rebuilt" in t.note
    # a data file that is not the fitted one: the refit does not reproduce results.json -> no ω
    other = tmp_path / "other.csv"
    import pandas as pd
    d = pd.read_csv(REF_DIR / REF["cases"]["single"]["data"])
    d.iloc[:200].to_csv(other, index=False)
    t = paper.measurement_apa(res, moments=paper.FitMoments.of(res, other))
    assert set(t.frame["ω"]) <= {"—", ""} and "does not reproduce" in t.note


def test_a_multigroup_fit_gets_the_measurement_tables_of_every_group(groups):
    tables = paper.paper_tables([groups])
    titles = [t.title for t in tables]
    words = paper.group_words([groups]).get(paper.group_variable(groups), {})   # the instrument's wordings
    for g in groups["groups"]:
        assert f"Measurement model: loadings, reliability and convergent validity (group {words.get(g, g)})" in titles
        assert f"Discriminant validity (group {words.get(g, g)})" in titles
    assert [t.number for t in tables] == list(range(1, len(tables) + 1))


def test_a_recorded_data_file_that_moved_is_said_loudly(single, tmp_path, capsys):
    """C3 (journey audit): `tables` printed dashes for α and HTMT in silence, and the notes said results.json does
    not record the data it records; a changed file is still refused."""
    gone = tmp_path / "gone" / "clean.csv"
    res = {**single, "call": {**single["call"], "data": {**single["call"]["data"], "path": str(gone)}}}
    with pytest.warns(paper.DataMovedWarning, match="clean.csv: the data file results.json records is not there"):
        m = paper.measurement_apa(res)
    assert set(m.frame["α"]) <= {"—", ""} and f"({gone}) is not there; give --data" in m.note
    assert "does not record" not in m.note
    with pytest.warns(paper.DataMovedWarning):
        d = paper.discriminant_apa(res)
    assert set(d.frame["HTMT"]) <= {"—", ""} and "does not record" not in d.note and str(gone) in d.note
    unrecorded = {**single, "call": {**single["call"], "data": {}}}
    assert "results.json does not record the data file" in paper.measurement_apa(unrecorded).note

    moved = tmp_path / "moved.json"
    moved.write_text(json.dumps({k: v for k, v in res.items() if not k.startswith("_")}), encoding="utf-8")
    capsys.readouterr()
    assert main(["tables", str(moved), "--format", "md", "--out", str(tmp_path / "t.md")]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"iur-survey tables: warning: {gone}: the data file results.json records is not there (moved or "
                   f"deleted): alpha and HTMT are left out (—); give --data"]

    import pandas as pd
    changed = tmp_path / "changed.csv"
    pd.read_csv(single["call"]["data"]["path"]).iloc[:-1].to_csv(changed, index=False)
    bad = {**single, "call": {**single["call"], "data": {**single["call"]["data"], "path": str(changed)}}}
    with pytest.raises(IURSurveyError, match="sha256 differs"):
        paper.measurement_apa(bad)
