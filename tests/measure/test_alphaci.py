"""Confidence intervals of Cronbach's alpha against psych 2.2.9's alpha() ("95% confidence boundaries").

References: tests/measure/alphaci_refs/make_refs.R -> refs.json (committed; tests never run R): psych::alpha of the
complete rows per construct of bfi (tests/measure/efa_refs/data_bfi_missing.csv, reverse-keyed items recoded), of
its first 60 complete rows, and of HolzingerSwineford1939 (tests/reference/data/hs1939.csv).  Tolerance 1e-8 for
the closed forms (Feldt's F quantiles, the ase); psych prints the Duhachek bounds with z = 1.96, ours use the normal
quantile: compared to 1e-8 with R's alpha -/+ qnorm(.975) * ase and within 3.7e-5 * ase of psych's printed bounds.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.measure import cronbach_alpha, duhachek_ci, feldt_ci

HERE = Path(__file__).resolve().parent
REFS = json.loads((HERE / "alphaci_refs" / "refs.json").read_text(encoding="utf-8"))
RAW = pd.read_csv(HERE / "efa_refs" / "data_bfi_missing.csv")
REC = RAW.assign(**{k: 7 - RAW[k] for k in ["A1", "C4", "C5", "E1", "E2", "O2", "O5"]})
DATA = {"bfi": REC, "small60": REC.dropna().iloc[:60],
        "hs": pd.read_csv(HERE.parent / "reference" / "data" / "hs1939.csv")}
TOL = 1e-8
CASES = [(c, k) for c in REFS["cases"] for k in REFS["cases"][c]]


@pytest.mark.parametrize("case,k", CASES)
def test_intervals_equal_psych(case, k):
    ref = REFS["cases"][case][k]
    res = cronbach_alpha(DATA[case], {k: ref["items"]}).loc[k]
    assert res["n"] == ref["n"] and abs(res["alpha"] - ref["raw_alpha"]) < TOL
    assert abs(res["ase"] - ref["ase"]) < TOL
    assert np.abs(res[["feldt.lower", "feldt.upper"]].to_numpy(float) - ref["feldt"]).max() < TOL
    duh = res[["duhachek.lower", "duhachek.upper"]].to_numpy(float)
    assert np.abs(duh - ref["duhachek_z"]).max() < TOL
    # psych prints alpha -/+ 1.96 ase: (1.96 - 1.959964) * ase apart
    assert np.abs(duh - ref["duhachek_psych"]).max() < 3.7e-5 * ref["ase"]
    assert np.abs(duh - ref["duhachek_psych"]).max() > 0


@pytest.mark.parametrize("case,k", CASES)
def test_level_90_equals_psych(case, k):
    ref = REFS["cases"][case][k]
    res = cronbach_alpha(DATA[case], {k: ref["items"]}, level=0.90).loc[k]
    assert np.abs(res[["feldt.lower", "feldt.upper"]].to_numpy(float) - ref["feldt90"]).max() < TOL
    assert np.abs(res[["duhachek.lower", "duhachek.upper"]].to_numpy(float) - ref["duhachek_z90"]).max() < TOL


def test_one_call_for_all_constructs_gives_each_its_own_complete_rows():
    cm = {k: v["items"] for k, v in REFS["cases"]["bfi"].items()}
    res = cronbach_alpha(REC, cm)
    for k, ref in REFS["cases"]["bfi"].items():
        assert res.loc[k, "n"] == ref["n"]
        assert abs(res.loc[k, "feldt.lower"] - ref["feldt"][0]) < TOL


def test_psych_default_on_missing_cells_is_another_interval():
    """psych's default (pairwise covariances, n = every row) is not the package's complete-rows rule: documented."""
    for k, ref in REFS["psych_pairwise"].items():
        ours = REFS["cases"]["bfi"][k]
        res = cronbach_alpha(REC, {k: ours["items"]}).loc[k]
        assert res["n"] < ref["n"] == len(REC)
        assert abs(res["feldt.lower"] - ref["feldt"][0]) > 1e-4


def test_single_item_and_bad_level():
    df = DATA["hs"]
    res = cronbach_alpha(df, {"one": ["x1"], "visual": ["x1", "x2", "x3"]})
    assert res.loc["one", ["ase", "feldt.lower", "duhachek.upper"]].isna().all()
    assert res.loc["visual", ["feldt.lower", "duhachek.upper"]].notna().all()
    for bad in (0, 1, 95, -0.5):
        with pytest.raises(ValueError, match="level"):
            cronbach_alpha(df, {"visual": ["x1", "x2", "x3"]}, level=bad)
        with pytest.raises(ValueError, match="level"):
            feldt_ci(0.8, 100, 4, level=bad)
    assert all(np.isnan(feldt_ci(float("nan"), 100, 4)))
    assert all(np.isnan(duhachek_ci(np.eye(1), 100)))


def test_intervals_contain_alpha_and_widen_with_level():
    res95 = cronbach_alpha(DATA["small60"], {"A": [f"A{i}" for i in range(1, 6)]})
    res99 = cronbach_alpha(DATA["small60"], {"A": [f"A{i}" for i in range(1, 6)]}, level=0.99)
    for m in ("feldt", "duhachek"):
        lo, up = res95.loc["A", f"{m}.lower"], res95.loc["A", f"{m}.upper"]
        assert lo < res95.loc["A", "alpha"] < up
        assert res99.loc["A", f"{m}.lower"] < lo and res99.loc["A", f"{m}.upper"] > up


# ------------------------------------------------------------------ where the interval shows: paper and book tables
HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"


def test_measurement_table_shows_feldt_ci_in_every_format(tmp_path):
    from iur_survey.cli import main
    from iur_survey.report import paper
    from iur_survey.report.format import ci_text

    model = tmp_path / "model.lav"
    model.write_text(HS_MODEL)
    out = tmp_path / "cfa.json"
    assert main(["fit", str(HERE.parent / "reference" / "data" / "hs1939.csv"), "--model", str(model),
                 "--out", str(out)]) == 0
    res = paper.load_results(out)
    t = paper.measurement_apa(res)
    first = t.frame[t.frame["Construct"] != ""].set_index("Construct")
    for k, ref in REFS["cases"]["hs"].items():
        assert first.loc[k, "95% CI"] == ci_text(*ref["feldt"], 3, False)
    assert first.loc["visual", "95% CI"] == "[.547, .694]"               # psych prints 0.55, 0.69
    assert "Feldt, Woodruff and Salih (1987)" in t.note and "95% CI" in t.note
    assert list(t.frame.columns).index("95% CI") == list(t.frame.columns).index("α") + 1
    tex, html, md = paper.to_latex([t]), paper.to_html([t]), paper.to_markdown([t])
    assert "[.547, .694]" in tex and "[.547, .694]" in html and "[.547, .694]" in md
    assert "95\\% CI" in tex and "95% CI" in html
    docx = paper.to_docx([t], tmp_path / "t.docx")
    import zipfile
    xml = zipfile.ZipFile(docx).read("word/document.xml").decode("utf-8")
    assert "95% CI" in xml and "[.547, .694]" in xml and "Feldt" in xml


def test_book_reliability_frame_shows_the_feldt_ci():
    from iur_survey.report.format import ci_text
    from iur_survey.report.sem_tables import reliability_frame

    cm = {k: v["items"] for k, v in REFS["cases"]["hs"].items()}
    rel = reliability_frame({"alpha": cronbach_alpha(DATA["hs"], cm)}, list(cm)).set_index("Construct")
    for k, ref in REFS["cases"]["hs"].items():
        assert rel.loc[k, "95% CI"] == ci_text(*ref["feldt"], 3, False)
        assert abs(rel.loc[k, "α"] - ref["raw_alpha"]) < TOL
