"""One AVE: semTools' AVE(fit), in iur_survey.measure.ave, the book (pipeline step ``measure``) and the tables of
`iur-survey tables` (report/paper.py: the measurement table's AVE and the discriminant table's √AVE).

Before, the tables showed the mean squared standardized loading and the book semTools' AVE(): two numbers for
the same fit (.540 against .544), a construct near .50 passing in one and failing in the other.

References: tests/measure/refs/measurefix_refs.json, ``ave`` (make_measurefix_refs.R; lavaan 0.6.14, semTools
0.5-6): HolzingerSwineford1939, the study's simulated complete_800, hs1939_missing under FIML, ordinal_600 (WLSMV).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.measure import ave
from iur_survey.report import paper
from iur_survey.report.format import num

TESTS = Path(__file__).resolve().parents[1]
REFS = json.loads((TESTS / "measure" / "refs" / "measurefix_refs.json").read_text(encoding="utf-8"))["ave"]
DATA = TESTS / "reference" / "data"


def _m2df(m) -> pd.DataFrame:
    return pd.DataFrame(m["values"], index=m["rownames"], columns=m["colnames"], dtype=float)


def _case(name):
    ref = REFS[name]
    est = pd.DataFrame(ref["estimates"])
    results = {"estimates": ref["estimates"], "converged": True, "estimator": ref["estimator"], "n": ref["nobs"],
               "missing": ref["missing"]}
    if ref["ordered"]:
        results["ordered"] = True
        moments = paper.FitMoments.of(results)
        assert moments.cov is None and moments.ordered
    else:
        moments = paper.FitMoments({"": _m2df(ref["sampstat"])})
    return ref, est, results, moments


@pytest.mark.parametrize("name", list(REFS))
def test_ave_is_semtools_ave(name):
    """measure.ave with lavaan's sampstat = AVE(fit); without it (model-implied) = AVE(fit, obs.var = FALSE)."""
    ref, est, _, _ = _case(name)
    if not ref["ordered"]:
        ours = ave(est, _m2df(ref["sampstat"]))["ave"]
        for f, v in ref["AVE"].items():
            assert ours[f] == pytest.approx(v, abs=1e-6), (f, ours[f], v)
    implied = ave(est)["ave"]
    for f, v in ref["AVE_obs_var_false"].items():
        assert implied[f] == pytest.approx(v, abs=1e-6), (f, implied[f], v)


@pytest.mark.parametrize("name", list(REFS))
def test_the_tables_print_semtools_ave_and_its_square_root(name):
    """`iur-survey tables`: the measurement table's AVE and the discriminant table's √AVE are AVE(fit)'s, and the
    notes say so (ordered items: semTools' AVE of the latent responses, no sample moments needed)."""
    ref, est, results, moments = _case(name)
    rel = paper.construct_reliability(est, None, (moments.cov or {}).get(""), ordered=moments.ordered)
    for f, v in ref["AVE"].items():
        assert rel.loc[f, "AVE"] == pytest.approx(v, abs=1e-6)
    t = paper.measurement_apa(results, moments=moments)
    firsts = t.frame[t.frame["Construct"] != ""].set_index("Construct")
    for f, v in ref["AVE"].items():
        assert firsts.loc[f, "AVE"] == num(v, 3, False)
    assert "AVE: semTools' AVE(fit)" in t.note and "mean squared standardized loading" not in t.note
    d = paper.discriminant_apa(results, moments=moments)
    facs = list(ref["AVE"])
    pair = d.frame.set_index("Pair").loc[f"{facs[0]} – {facs[1]}", "√AVE"]
    assert pair == f"{num(math.sqrt(ref['AVE'][facs[0]]), 3, False)}, {num(math.sqrt(ref['AVE'][facs[1]]), 3, False)}"
    assert "AVE: semTools' AVE(fit)" in d.note and "mean squared standardized loading" not in d.note


def test_the_mean_squared_standardized_loading_is_a_different_number():
    """The old tables' AVE differs from semTools' on these data by more than the tests' tolerance: the tests
    above would catch a return to it."""
    ref, est, _, _ = _case("hs_fiml")
    lam = est[est["op"] == "=~"]
    old = lam.groupby("lhs", sort=False)["std.all"].apply(lambda v: float((v**2).mean()))
    assert max(abs(old[f] - v) for f, v in ref["AVE"].items()) > 1e-3


def test_without_sample_moments_ave_is_a_dash_with_the_reason():
    """No sampstat (results.json without it, data moved): AVE and √AVE "—", never another definition."""
    ref, est, results, _ = _case("hs")
    none = paper.FitMoments(None, "the fit's sample moments could not be rebuilt (gone.csv)")
    t = paper.measurement_apa(results, moments=none)
    assert set(t.frame["AVE"]) <= {"—", ""} and "AVE: — (it needs the same sample moments)" in t.note
    d = paper.discriminant_apa(results, moments=none)
    assert (d.frame["Fornell–Larcker"] == "not computable").all()
    assert "√AVE: — and Fornell–Larcker not computable (AVE needs the fit's sample moments: the fit's" in d.note


def test_the_book_and_the_tables_command_give_the_same_ave(tmp_path):
    """The same fit (the study's measurement model on missing_800, FIML) through the book's path (pipeline steps
    cfa + measure, sem_tables.reliability_frame, Fornell-Larcker diagonal) and through `iur-survey fit` +
    `tables` (report/paper.py): the same AVE and √AVE."""
    from iur_survey.cli import main
    from iur_survey.instrument import load_instrument
    from iur_survey.pipeline import _step_cfa, _step_measure, measurement_syntax
    from iur_survey.report.sem_tables import reliability_frame

    inst = load_instrument()
    data = pd.read_csv(DATA / "missing_800.csv")
    ctx = {"instrument": inst, "clean": data}
    cfa_out = _step_cfa(ctx)
    mv = _step_measure(ctx)
    book = reliability_frame(mv, inst.construct_codes).set_index("Construct")["AVE"]
    book_sq = pd.Series({c: mv["fornell_larcker"].loc[c, c] for c in inst.construct_codes})

    model = tmp_path / "model.lav"
    model.write_text(measurement_syntax(inst) + "\n")
    out = tmp_path / "cfa.json"
    assert main(["fit", str(DATA / "missing_800.csv"), "--model", str(model), "--out", str(out)]) == 0
    res = paper.load_results(out)
    assert res["missing"] == cfa_out["missing"] and res["n"] == cfa_out["n"]
    est = paper.estimates_frame(res)
    moments = paper.FitMoments.of(res)
    rel = paper.construct_reliability(est[est["group"] == ""], None, moments.cov[""])
    np.testing.assert_allclose(rel.loc[book.index, "AVE"].to_numpy(), book.to_numpy(), atol=1e-6, rtol=0)
    tables = paper.paper_tables([res])
    meas = next(t for t in tables if t.title.startswith("Measurement model"))
    firsts = meas.frame[meas.frame["Construct"] != ""].set_index("Construct")
    assert [firsts.loc[c, "AVE"] for c in book.index] == [num(v, 3, False) for v in book]
    disc = next(t for t in tables if t.title.startswith("Discriminant")).frame.set_index("Pair")
    assert disc.loc["GOV – MKT", "√AVE"] == f"{num(book_sq['GOV'], 3, False)}, {num(book_sq['MKT'], 3, False)}"


@pytest.mark.parametrize("name", ["hs_fiml", "ordinal_600"])
def test_engine_fits_give_semtools_ave(name):
    """Our engine's fit (FIML: its EM sampstat; WLSMV: the latent responses' implied variances) -> AVE(fit)."""
    from iur_survey.sem import cfa

    ref = REFS[name]
    data = pd.read_csv(DATA / ref["data"])
    if ref["ordered"]:
        res = cfa(ref["model"], data, ordered=True, estimator="WLSMV")
        ours = paper.fit_ave(res.parameter_estimates(), ordered=True)
    else:
        res = cfa(ref["model"], data, missing="ml")
        ours = paper.fit_ave(res.parameter_estimates(), res.sample_statistics()["cov"])
    for f, v in ref["AVE"].items():
        assert ours[f] == pytest.approx(v, abs=1e-5), (f, ours[f], v)
