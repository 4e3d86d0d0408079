"""Bootstrapped intervals of Cronbach's alpha (psych 2.2.9's alpha(n.iter =)) and of ordinal alpha.

References: tests/measure/alphaboot_refs/ (committed; tests never run R).  make_indices.py writes indices.csv, the
rows the package resamples (draw b of seed 2026 for 301 rows); make_refs.R runs psych::alpha(x, n.iter = 100) itself
with its sample.int handing out those rows, and lavaan's lavCor on the first resamples, -> refs.json.  Cronbach's
alpha: every draw and psych's boot.ci (R's quantile type 7) to 1e-10 (they agree to ~1e-15).  Ordinal alpha:
alpha of lavCor's polychoric matrix to 1e-7 (each polychoric correlation is an ML estimate; the optimisers agree
to ~4e-9), on the full rows, on three resamples and on three resamples that lose a category of an item.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.errors import DataError, EstimationError
from iur_survey.measure import boot_quantile_ci, cronbach_alpha, ordinal_alpha
from iur_survey.sem.bootstrap import draw_indices

HERE = Path(__file__).resolve().parent
REFS = json.loads((HERE / "alphaboot_refs" / "refs.json").read_text(encoding="utf-8"))
HS = pd.read_csv(HERE.parent / "reference" / "data" / "hs1939.csv")
ORD = pd.read_csv(HERE / "ordrel_refs" / "hs1939_ord4.csv")
SEED, B = REFS["seed"], REFS["B"]
EXACT, POLY = 1e-10, 1e-7


def test_stored_indices_are_the_packages_draws():
    idx = np.loadtxt(HERE / "alphaboot_refs" / "indices.csv", delimiter=",", dtype=int)
    assert idx.shape == (B, 301)
    for b in range(B):
        assert np.array_equal(idx[b] - 1, draw_indices(SEED, b, [301])[0])


@pytest.mark.parametrize("k", list(REFS["psych"]))
def test_boot_draws_and_interval_equal_psych(k):
    ref = REFS["psych"][k]
    res = cronbach_alpha(HS, {k: ref["items"]}, boot=B, seed=SEED)
    assert res.loc[k, "n"] == ref["n"] and abs(res.loc[k, "alpha"] - ref["raw_alpha"]) < EXACT
    draws = np.asarray(res.attrs["boot"]["draws"][k])
    assert draws.shape == (B,) and np.abs(draws - ref["boot_raw_alpha"]).max() < EXACT
    lo, _, up = ref["boot_ci"]                          # psych's boot.ci: 2.5%, 50%, 97.5%
    assert abs(res.loc[k, "boot.lower"] - lo) < EXACT and abs(res.loc[k, "boot.upper"] - up) < EXACT
    r90 = cronbach_alpha(HS, {k: ref["items"]}, boot=B, seed=SEED, level=0.90)
    assert np.abs(r90.loc[k, ["boot.lower", "boot.upper"]].to_numpy(float) - ref["q90"]).max() < EXACT
    assert res.attrs["boot"]["B"] == B and res.attrs["boot"]["seed"] == SEED


def test_boot_columns_only_when_asked_and_constructs_do_not_interact():
    cm = {k: v["items"] for k, v in REFS["psych"].items()}
    plain = cronbach_alpha(HS, cm)
    assert "boot.lower" not in plain.columns and "boot" not in plain.attrs
    together = cronbach_alpha(HS, cm, boot=30, seed=5)
    assert list(together.columns[-2:]) == ["boot.lower", "boot.upper"]
    pd.testing.assert_frame_equal(together.drop(columns=["boot.lower", "boot.upper"]), plain, check_like=False)
    alone = cronbach_alpha(HS, {"speed": cm["speed"]}, boot=30, seed=5)
    assert together.loc["speed", "boot.lower"] == alone.loc["speed", "boot.lower"]
    # a single item: no interval
    one = cronbach_alpha(HS, {"one": ["x1"], "visual": cm["visual"]}, boot=10, seed=1)
    assert one.loc["one", ["boot.lower", "boot.upper"]].isna().all()


def test_seed_none_records_entropy_that_repeats_the_run():
    cm = {"visual": ["x1", "x2", "x3"]}
    a = cronbach_alpha(HS, cm, boot=20)
    b = cronbach_alpha(HS, cm, boot=20, seed=a.attrs["boot"]["seed"])
    assert a.attrs["boot"]["draws"] == b.attrs["boot"]["draws"]
    with pytest.raises(EstimationError, match="at least 2 draws"):
        cronbach_alpha(HS, cm, boot=1)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_boot_interval_near_feldt_on_normal_data(seed):
    """Simulated parallel normal items, n = 400: the percentile interval is near Feldt's (exact there) and holds
    alpha; margins, not bit-equality."""
    rng = np.random.default_rng(seed)
    f = rng.standard_normal(400)
    df = pd.DataFrame({f"y{i}": f + rng.standard_normal(400) for i in range(5)})
    r = cronbach_alpha(df, {"F": list(df.columns)}, boot=400, seed=seed).loc["F"]
    assert r["boot.lower"] < r["alpha"] < r["boot.upper"]
    assert abs(r["boot.lower"] - r["feldt.lower"]) < 0.02 and abs(r["boot.upper"] - r["feldt.upper"]) < 0.02


def test_boot_quantile_ci_is_r_type_7():
    assert boot_quantile_ci(np.arange(1.0, 11.0)) == pytest.approx((1.225, 9.775), abs=1e-12)
    assert boot_quantile_ci([1.0, np.nan, 3.0], 0.5) == pytest.approx((1.5, 2.5))
    assert all(np.isnan(boot_quantile_ci([np.nan, 1.0])))
    with pytest.raises(ValueError, match="level"):
        boot_quantile_ci([1.0, 2.0], 95)


# ------------------------------------------------------------------------------------------------ ordinal alpha
@pytest.mark.parametrize("k", list(REFS["ordinal"]))
def test_ordinal_alpha_and_three_draws_equal_lavcor(k):
    ref = REFS["ordinal"][k]
    res = ordinal_alpha(ORD, {k: ref["items"]}, boot=3, seed=SEED, progress=False)
    assert res.loc[k, "n"] == ref["n"] and abs(res.loc[k, "alpha"] - ref["alpha"]) < POLY
    assert np.abs(np.asarray(res.attrs["boot"]["draws"][k]) - ref["draws"]).max() < POLY
    assert res.loc[k, "boot.failed"] == 0


def test_ordinal_alpha_is_the_packages_other_ordinal_alpha():
    """The same number as composite_reliability(tau_eq=True, ord_scale=False) of the delta WLSMV fit: semTools'
    compRelSEM(tau.eq = TRUE, ord.scale = FALSE), stored by ordalpha_refs (all rows complete)."""
    sem = json.loads((HERE / "ordalpha_refs" / "ordalpha_refs.json").read_text(encoding="utf-8"))["hs4"]
    cm = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"], "speed": ["x7", "x8", "x9"]}
    res = ordinal_alpha(ORD, cm)
    for k, v in sem["alpha_ord_scale_false"].items():
        assert abs(res.loc[k, "alpha"] - v) < 1e-6
    assert "boot.lower" not in res.columns and res["meets_cutoff"].tolist() == [False, True, False]


def test_resamples_that_lose_a_category_equal_lavcor():
    ref = REFS["ordinal_rare"]
    rare = ORD[ref["items"]].copy()
    rare.loc[rare["x7"] == 4, "x7"] = 3
    rare.loc[[0, 1], "x7"] = 4
    last = max(ref["draws_b"])
    res = ordinal_alpha(rare, {"speed": ref["items"]}, boot=last, seed=SEED, progress=False)
    assert abs(res.loc["speed", "alpha"] - ref["alpha"]) < POLY
    got = np.asarray(res.attrs["boot"]["draws"]["speed"])[np.asarray(ref["draws_b"]) - 1]
    assert np.abs(got - ref["draws"]).max() < POLY


def test_ordinal_workers_and_chunks_do_not_change_the_draws():
    cm = {"textual": ["x4", "x5", "x6"]}
    one = ordinal_alpha(ORD, cm, boot=60, seed=9, progress=False)
    two = ordinal_alpha(ORD, cm, boot=60, seed=9, workers=2, scheduler="threads", progress=False)
    assert one.attrs["boot"]["draws"] == two.attrs["boot"]["draws"]
    lo, up = one.loc["textual", ["boot.lower", "boot.upper"]]
    assert lo < one.loc["textual", "alpha"] < up


def test_single_category_draws_are_counted_and_left_out():
    rng = np.random.default_rng(4)
    z = rng.standard_normal((40, 1)) + rng.standard_normal((40, 3))
    df = pd.DataFrame(np.digitize(z, [-0.5, 0.5]) + 1, columns=["a", "b", "c"])
    df["a"] = 1
    df.loc[0, "a"] = 2                        # one row in a's second category: (39/40)^40 of the draws miss it
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        res = ordinal_alpha(df, {"F": ["a", "b", "c"]}, boot=50, seed=3, progress=False)
    assert any("single category" in str(w.message) for w in said)
    draws = np.asarray(res.attrs["boot"]["draws"]["F"])
    failed = int(res.loc["F", "boot.failed"])
    assert 5 < failed < 40 and failed == int(np.isnan(draws).sum())
    assert (res.loc["F", "boot.lower"], res.loc["F", "boot.upper"]) == boot_quantile_ci(draws)


def test_ordinal_alpha_refusals_and_codes():
    cm = {"visual": ["x1", "x2", "x3"]}
    with pytest.raises(DataError):
        ordinal_alpha(ORD.assign(x1="n/a"), cm)
    with pytest.raises(DataError):
        ordinal_alpha(ORD.assign(x1=2), cm)
    # the codes are the observed values in order: 1, 3, 4, 7 is the same item as 1, 2, 3, 4
    gaps = ORD.assign(x1=ORD["x1"].map({1: 1, 2: 3, 3: 4, 4: 7}))
    assert ordinal_alpha(gaps, cm).loc["visual", "alpha"] == ordinal_alpha(ORD, cm).loc["visual", "alpha"]
    one = ordinal_alpha(ORD, {"one": ["x1"]})
    assert np.isnan(one.loc["one", "alpha"]) and pd.isna(one.loc["one", "meets_cutoff"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ordinal_alpha(ORD, cm, boot=5, seed=1, progress=False)       # no warning on ordinary data


# ------------------------------------------------------------------ the measurement table of `iur-survey tables`
def test_tables_alpha_boot_shows_psychs_bootstrapped_interval(tmp_path):
    from iur_survey.cli import main
    from iur_survey.report import paper
    from iur_survey.report.format import ci_text

    model = tmp_path / "model.lav"
    model.write_text("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n")
    fit = tmp_path / "cfa.json"
    assert main(["fit", str(HERE.parent / "reference" / "data" / "hs1939.csv"), "--model", str(model),
                 "--out", str(fit)]) == 0
    out = tmp_path / "t.md"
    assert main(["tables", str(fit), "--alpha-boot", str(B), "--alpha-seed", str(SEED), "--out", str(out)]) == 0
    md = out.read_text(encoding="utf-8")
    for k, ref in REFS["psych"].items():
        assert ci_text(ref["boot_ci"][0], ref["boot_ci"][2], 3, False) in md
    assert f"bootstrap percentile interval of α, {B} resamples" in md and f"seed {SEED}" in md
    assert "Feldt, Woodruff" not in md
    t = paper.measurement_apa(paper.load_results(fit))            # without it: Feldt's, as before
    assert "Feldt, Woodruff" in t.note and "bootstrap percentile" not in t.note
    with pytest.raises(SystemExit):
        main(["tables", str(fit), "--alpha-boot", "1", "--out", str(out)])
