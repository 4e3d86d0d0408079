"""Composite reliability (omega) and AVE of an improper solution (a Heywood case).

Reference: heywood_refs/heywood_refs.json, written by heywood_refs/make_heywood_refs.R: the 3-factor CFA on
the first 40 rows of HolzingerSwineford1939 converges with a negative residual variance of x3 (lavaan
post.check FALSE); semTools 0.5-6's compRelSEM() and AVE() report plain numbers for it (visual: omega .676,
AVE .662, "meets" both guides) and no warning.  The package keeps semTools' numbers in its measure functions
but flags them: ``improper`` (why), ``meets_cutoff`` <NA>, a warning; the book's Table 4.3 and the paper's
measurement table show "—" with a note, Fornell-Larcker gives no verdict (sqrt(AVE) unknown).
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import pandas as pd
import pytest

from iur_survey.measure import ave, composite_reliability, fornell_larcker, improper_constructs
from iur_survey.report.paper import measurement_apa
from iur_survey.report.sem_tables import improper_reliability_note, reliability_frame
from iur_survey.sem import cfa
from iur_survey.sem.results import SEMFitWarning

HERE = Path(__file__).resolve().parent
REF = json.loads((HERE / "heywood_refs" / "heywood_refs.json").read_text(encoding="utf-8"))
DATA = HERE.parent / "sem" / "std_refs" / "hs.csv"


@pytest.fixture(scope="module")
def fitted():
    d = pd.read_csv(DATA).iloc[:REF["n"]].reset_index(drop=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SEMFitWarning)
        res = cfa(REF["model"], d)
    assert res.converged and REF["converged"] and REF["post_check"] is False
    est = res.parameter_estimates()
    x3 = est[(est["lhs"] == "x3") & (est["op"] == "~~") & (est["rhs"] == "x3")]["est"].iat[0]
    assert x3 == pytest.approx(REF["theta_x3"], abs=1e-4) and x3 < 0
    return res, est, res.sample_statistics()["cov"], d


def test_semtools_reports_plain_numbers():
    assert REF["omega"]["warnings"] == [] and REF["ave"]["warnings"] == []
    assert REF["omega"]["value"]["visual"] > 0.6 and REF["ave"]["value"]["visual"] > 0.5


@pytest.mark.parametrize("fn,col", [(composite_reliability, "omega"), (ave, "ave")])
def test_values_equal_semtools_but_flagged(fitted, fn, col):
    _, est, cov, _ = fitted
    with pytest.warns(UserWarning, match=rf"{col} from an improper solution, not interpretable: visual "
                                         r"\(standardized loading of x3 1\.3\d\d, negative residual variance of x3\)"):
        out = fn(est, cov)
    for c, v in REF[col]["value"].items():
        assert out.loc[c, col] == pytest.approx(v, abs=1e-4)
    assert out.loc["visual", "improper"].endswith(", negative residual variance of x3")
    assert out.loc["visual", "meets_cutoff"] is pd.NA
    assert (out.loc[["textual", "speed"], "improper"] == "").all()
    assert out.loc["textual", "meets_cutoff"] == (REF[col]["value"]["textual"] >= out.loc["textual", "cutoff"])


def test_proper_solution_is_unchanged(fitted):
    _, _, _, d = fitted
    full = pd.read_csv(DATA)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = cfa(REF["model"], full)
        out = composite_reliability(res.parameter_estimates(), res.sample_statistics()["cov"])
    assert (out["improper"] == "").all() and out["meets_cutoff"].dtype == bool


def test_fornell_larcker_gives_no_verdict(fitted):
    _, est, cov, _ = fitted
    with pytest.warns(UserWarning, match="improper solution"):
        fl = fornell_larcker(est, cov)
        mat = fornell_larcker(est, cov, matrix=True)
    assert fl.loc["visual", "meets_criterion"] is None and math.isnan(fl.loc["visual", "sqrt_ave"])
    assert fl.loc["textual", "meets_criterion"] is not None
    assert math.isnan(mat.loc["visual", "visual"]) and not math.isnan(mat.loc["textual", "textual"])


def test_book_table_blanks_them_with_a_note(fitted):
    _, est, cov, _ = fitted
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mv = {"omega": composite_reliability(est, cov), "ave": ave(est, cov)}
    rel = reliability_frame(mv, ["visual", "textual", "speed"])
    row = rel.set_index("Construct")
    assert math.isnan(row.loc["visual", "ω"]) and math.isnan(row.loc["visual", "AVE"])
    assert row.loc["textual", "ω"] == pytest.approx(REF["omega"]["value"]["textual"], abs=1e-4)
    note = improper_reliability_note(rel)
    assert "IMPROPER SOLUTION" in note and "visual: standardized loading of x3 1.3" in note
    assert list(improper_constructs(est)) == ["visual"]


def test_paper_measurement_table_blanks_omega(fitted):
    res, _, _, d = fitted
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tab = measurement_apa(res.to_dict(), data=d)
    frame = tab.frame
    first = frame[frame["Construct"] == "visual"].iloc[0]
    assert first["ω"] == first["CR"] == first["AVE"] == "—"
    assert frame[frame["Construct"] == "textual"].iloc[0]["ω"] == f"{REF['omega']['value']['textual']:.3f}"[1:]
    assert "ω, CR and AVE of a construct with an improper estimate" in tab.note
