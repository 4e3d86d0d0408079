"""lavaan's missing = "ml.x": FIML that keeps the rows missing a fixed.x covariate, against lavaan 0.6.14.

References: tests/sem/mlx_refs/mlx_refs.json, written by make_mlx_refs.R next to it (with the data):
PoliticalDemocracy with x1 and y1 partly missing (pd_mlx.csv), the same with x2 missing in other rows too
(pd_mlx2.csv), HolzingerSwineford1939 by school with ageyr and the items partly missing (hs_mlx.csv).

lavaan's "ml.x" keeps the 10 rows missing x1 (nobs 75; "ml" deletes them, nobs 65), keeps fixed.x = TRUE with
the covariates' values from the EM (h1) moments of all the variables, and reports an unrestricted logl whose
covariate part is the pairwise covariance matrix (lavsamplestats@cov.x; the baseline model fixes the covariates
there too): the package reproduces all of it.  Everything computed from such a fit uses the same 75 rows:
the refit data (bootstrap, LRT), modification indices, residuals.  Tolerances (the README's): estimates 1e-4,
standard errors 0.5 %, fit measures 1e-3 (relative to max(1, |value|)).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.errors import EstimationError
from iur_survey.sem import sem
from iur_survey.sem.compare import lrt
from iur_survey.sem.table import is_fiml, keeps_x_rows
from iur_survey.sem.modindices import modindices
from iur_survey.sem.refit import RefitProblem
from iur_survey.sem.residuals import lav_residuals
from iur_survey.sem.table import fitted_data

HERE = Path(__file__).resolve().parent / "mlx_refs"
REF = json.loads((HERE / "mlx_refs.json").read_text())
PD = "dem60 =~ y1 + y2 + y3 + y4\n dem60 ~ x1 + x2"
PD0 = "dem60 =~ y1 + y2 + y3 + y4\n dem60 ~ x1 + 0*x2"
HS = "visual =~ x1 + x2 + x3\n textual =~ x4 + x5 + x6\n visual ~ ageyr\n textual ~ ageyr + grade"


def _data(name: str) -> pd.DataFrame:
    return pd.read_csv(HERE / name)


CASES = {"pd_ml.x": (PD, "pd_mlx.csv", {"missing": "ml.x"}),
         "pd_mlr": (PD, "pd_mlx.csv", {"missing": "ml.x", "estimator": "MLR"}),
         "pd_ml": (PD, "pd_mlx.csv", {"missing": "ml"}),
         "pd_fiml.x": (PD, "pd_mlx.csv", {"missing": "fiml.x"}),
         "pd2_ml.x": (PD, "pd_mlx2.csv", {"missing": "ml.x"}),
         "pd2_mlr": (PD, "pd_mlx2.csv", {"missing": "direct.x", "estimator": "MLR"}),
         "pd_fx_false": (PD, "pd_mlx.csv", {"missing": "ml.x", "fixed_x": False}),
         "hs_ml.x": (HS, "hs_mlx.csv", {"missing": "ml.x", "group": "school"}),
         "hs_mlr": (HS, "hs_mlx.csv", {"missing": "ml.x", "group": "school", "estimator": "MLR"}),
         "hs_ml.x_loadings": (HS, "hs_mlx.csv", {"missing": "ml.x", "group": "school",
                                                 "group_equal": ["loadings"]})}


@pytest.fixture(scope="module")
def fits():
    return {k: sem(m, _data(f), warn=False, **kw) for k, (m, f, kw) in CASES.items()}


def _ints(v) -> list[int]:
    """A JSON count per group (lavaan's named list, a list or a scalar) as a list of ints."""
    v = list(v.values()) if isinstance(v, dict) else v
    return [int(x) for x in np.atleast_1d(np.asarray(v, float))]


def _rel(a: float, b: float) -> float:
    return abs(a - b) / max(1.0, abs(b))


@pytest.mark.parametrize("case", list(CASES))
def test_estimates_ses_and_fit_measures_match_lavaan(fits, case):
    res, ref = fits[case], REF[case]
    assert res.converged
    pe = res.parameter_estimates()
    groups = pe["group"] if "group" in pe else pd.Series(1, index=pe.index)
    ours = {(a, b, c, int(g)): (e, s) for a, b, c, g, e, s in zip(pe.lhs, pe.op, pe.rhs, groups, pe.est, pe.se)}
    r = ref["pe"]
    assert len(ours) == len(r["lhs"])
    for key, e, s in zip(zip(r["lhs"], r["op"], r["rhs"], r["group"]), r["est"], r["se"]):
        oe, os_ = ours[key]
        assert _rel(oe, e) <= 1e-4, (key, oe, e)
        if s:
            assert abs(os_ - s) / s <= 5e-3, (key, os_, s)
        else:
            assert os_ == pytest.approx(0.0, abs=1e-12), key
    fm = res.fit_measures()
    checked = 0
    for name, v in ref["fm"].items():
        if v is None or name not in fm.index:
            continue
        assert _rel(float(fm[name]), v) <= 1e-3, (name, fm[name], v)
        checked += 1
    assert checked >= 40
    for name in ("chisq", "df", "cfi", "tli", "logl", "unrestricted.logl", "aic", "bic", "rmsea", "srmr", "ntotal"):
        assert name in fm.index and ref["fm"][name] is not None, name


@pytest.mark.parametrize("case", list(CASES))
def test_rows_patterns_label_and_warnings(fits, case):
    res, ref = fits[case], REF[case]
    assert [int(n) for n in res.nobs] == _ints(ref["nobs"])
    assert [int(n) for n in res.meta["norig"]] == _ints(ref["norig"])
    assert [int(n) for n in np.atleast_1d(res.meta["npatterns"])] == _ints(ref["npatterns"])
    assert res.missing == ("fiml" if ref["missing"] == "ml" else "ml.x")
    deleted = [w for w in res.warnings if "deleted due to missing values in exogenous" in w]
    lav = [ref["warnings"]] if isinstance(ref["warnings"], str) else ref["warnings"]
    assert len(deleted) == sum("deleted due to missing values in exogenous" in w for w in lav)


def test_mlx_keeps_the_rows_ml_deletes_and_takes_fixed_x_from_the_full_em(fits):
    """The lead's check: "ml" deletes the 10 rows missing x1 (nobs 65, a warning), "ml.x" keeps them (75),
    with fixed.x values = the EM (h1) moments of ALL the variables (lavInspect(fit, "sampstat.h1"))."""
    assert fits["pd_ml"].n == 65 and fits["pd_ml.x"].n == 75
    for case in ("pd_ml.x", "pd2_ml.x", "hs_ml.x"):
        res, ref = fits[case], REF[case]
        pt = res.partable
        h1 = ref["h1_x"]
        for g, h in enumerate(h1.values() if isinstance(h1, dict) else h1):
            names = h["names"]
            est = {(pt.lhs[i], pt.op[i], pt.rhs[i]): res.est[i] for i in range(len(pt)) if pt.group[i] == g + 1}
            for a, va in enumerate(names):
                assert est[(va, "~1", "")] == pytest.approx(h["mean"][a], abs=1e-4)
                for b in range(a + 1):
                    key = (names[b], "~~", va) if (names[b], "~~", va) in est else (va, "~~", names[b])
                    assert est[key] == pytest.approx(h["cov"][a][b], abs=1e-4), (case, key)


def test_refit_data_keep_the_rows_missing_a_covariate(fits):
    """fitted_data (bootstrap, LRT, modindices, residuals) rebuilds the rows the fit used: under "ml.x" the rows
    missing a covariate stay (with their NaN), under "ml" they go."""
    d = _data("pd_mlx.csv")
    x_missing = int(d["x1"].isna().sum())
    (X,) = fitted_data(fits["pd_ml.x"], d)
    assert X.shape == (75, 6) and int(np.isnan(X[:, 4]).sum()) == x_missing
    (X,) = fitted_data(fits["pd_ml"], d)
    assert X.shape == (65, 6) and not np.isnan(X[:, 4]).any()
    d2 = _data("pd_mlx2.csv")
    (X,) = fitted_data(fits["pd2_ml.x"], d2)
    assert X.shape == (75, 6) and np.isnan(X[:, 4:]).any(axis=1).sum() == 17       # x1 in 10 rows, x2 in 7 others
    Xg = fitted_data(fits["hs_ml.x"], _data("hs_mlx.csv"))
    assert [X.shape[0] for X in Xg] == [156, 145] and sum(np.isnan(X[:, 6]).sum() for X in Xg) == 20
    problem = RefitProblem.from_fit(fits["pd_ml.x"], fitted_data(fits["pd_ml.x"], d))
    assert problem.kind == "fiml" and problem.Xg[0].shape[0] == 75


def test_refit_of_the_full_sample_returns_the_fit(fits):
    from iur_survey.sem.refit import refit

    res = fits["pd_ml.x"]
    problem = RefitProblem.from_fit(res, fitted_data(res, _data("pd_mlx.csv")))
    out = refit(problem, [np.ones((1, 75), np.int64)])
    assert out["status"].tolist() == [0]
    np.testing.assert_allclose(out["est"][0], res.theta, atol=1e-5)


def test_modindices_match_lavaan(fits):
    ref = pd.DataFrame(REF["pd_mi"])
    mi = modindices(fits["pd_ml.x"], _data("pd_mlx.csv"))
    m = ref.merge(mi, on=["lhs", "op", "rhs"], suffixes=("_lav", ""))
    assert len(m) == len(ref) == len(mi)
    for col in ("mi", "epc", "sepc.lv", "sepc.all", "sepc.nox"):
        np.testing.assert_allclose(m[col], m[f"{col}_lav"], atol=1e-3, rtol=1e-3, err_msg=col)


def test_lav_residuals_match_lavaan(fits):
    ref = REF["pd_resid"]
    lr = lav_residuals(fits["pd_ml.x"], data=_data("pd_mlx.csv"), se=True)
    np.testing.assert_allclose(np.asarray(lr["cov"], float), np.array(ref["cov"], float), atol=1e-4)
    np.testing.assert_allclose(np.asarray(lr["mean"], float), np.array(ref["mean"], float), atol=1e-4)
    np.testing.assert_allclose(np.asarray(lr["cov.se"], float), np.array(ref["cov.se"], float), atol=1e-4)
    s = lr["summary"]
    assert s.index.tolist() == ref["summary_rows"]
    for col in ("cov", "mean", "total"):
        np.testing.assert_allclose(s[col].to_numpy(float), np.array(ref["summary"][col], float), atol=1e-3)


@pytest.mark.parametrize("est, key", [("ML", "pd_lrt"), ("MLR", "pd_lrt_mlr")])
def test_lrt_matches_lavaan(est, key):
    d = _data("pd_mlx.csv")
    t = lrt(sem(PD, d, missing="ml.x", estimator=est, warn=False),
            sem(PD0, d, missing="ml.x", estimator=est, warn=False), warn=False)
    assert t["Chisq diff"].iloc[1] == pytest.approx(REF[key]["chisq_diff"], abs=1e-3)
    assert t["Df diff"].iloc[1] == REF[key]["df_diff"]
    assert t["Pr(>Chisq)"].iloc[1] == pytest.approx(REF[key]["p"], abs=1e-3)


def test_lrt_refuses_an_ml_fit_against_an_mlx_fit_on_other_rows(fits):
    d = _data("pd_mlx.csv")
    with pytest.raises(EstimationError, match="not use the same rows"):
        lrt(fits["pd_ml.x"], sem(PD0, d, missing="ml", warn=False), warn=False)


def test_ordered_items_refuse_mlx():
    d = _data("pd_mlx.csv").dropna()
    o = pd.DataFrame({c: pd.cut(d[c], 4, labels=False) for c in ("y1", "y2", "y3", "y4")})
    for miss in ("ml.x", "fiml.x"):
        with pytest.raises(EstimationError, match=r"missing='ml.x' \(lavaan's 'ml.x'\) is not available with ordered"):
            sem("F =~ y1 + y2 + y3 + y4", o, ordered=True, missing=miss)


def test_unknown_missing_names_mlx():
    with pytest.raises(EstimationError, match="'ml.x'"):
        sem(PD, _data("pd_mlx.csv"), missing="mlx")


def test_one_test_of_fiml_everywhere():
    assert [is_fiml(m) for m in ("fiml", "ml", "ml.x", "fiml.x", "direct.x", "listwise", "pairwise")] == \
        [True, True, True, True, True, False, False]
    assert [keeps_x_rows(m) for m in ("fiml", "ml", "ml.x", "listwise")] == [False, False, True, False]


def test_summary_results_json_and_replication_script(fits, tmp_path):
    from iur_survey.replication.rscript import fit_script, result_options
    from iur_survey.sem.results import missing_words

    res = fits["pd_mlr"]
    text = res.summary()
    assert "Number of missing patterns" in text and "75" in text
    assert res.to_dict()["missing"] == "ml.x"
    assert 'missing = "ml.x"' in fit_script(PD, result_options(res))
    assert 'lavaan missing = "ml.x"' in missing_words("ml.x")
    assert "10 of 75 rows dropped" in missing_words("fiml", 65, 75)      # the rows "ml" deletes are said
    assert 'missing = "ml"' in fit_script(PD, result_options(fits["pd_ml"]))


def test_cli_fit_missing_mlx_and_replication_call(tmp_path):
    from iur_survey.cli import main
    from iur_survey.replication.pack import resolve_call
    from iur_survey.replication.rscript import sem_call

    model = tmp_path / "m.lav"
    model.write_text(PD + "\n")
    out = tmp_path / "results.json"
    code = main(["fit", str(HERE / "pd_mlx.csv"), "--model", str(model), "--missing", "ml.x", "--out", str(out),
                 "--quiet"])
    assert code == 0
    res = json.loads(out.read_text())
    assert res["missing"] == "ml.x" and res["n"] == 75
    assert res["fit"]["chisq"] == pytest.approx(REF["pd_ml.x"]["fm"]["chisq"], abs=1e-3)
    call = resolve_call(res, out)
    assert call.options["missing"] == "ml.x"
    assert 'missing = "ml.x"' in sem_call(call.options)


def test_bootstrap_uses_all_75_rows():
    """A small bootstrap of the ml.x fit resamples the 75 rows (those missing x1 included) and refits by FIML."""
    from iur_survey.sem.bootstrap import bootstrap

    d = _data("pd_mlx.csv")
    res = sem(PD, d, missing="ml.x", warn=False)
    whole = bootstrap(res, data=d, indices=np.tile(np.arange(75), (2, 1)), workers=1, progress=False, warn=False)
    np.testing.assert_allclose(whole.estimates[:, :whole.n_free], np.tile(res.theta, (2, 1)), atol=1e-5)
    b = bootstrap(res, 20, data=d, seed=5, workers=1, progress=False, warn=False)
    assert int(np.sum(b.status == 0)) >= 18
    pe = b.parameter_estimates()
    path = pe[(pe.lhs == "dem60") & (pe.op == "~") & (pe.rhs == "x1")].iloc[0]
    assert math.isfinite(path["se"]) and 0.2 < path["se"] < 3.0


@pytest.mark.slow
def test_bootstrap_se_agrees_with_lavaans_within_monte_carlo_error():
    """lavaan's se = "bootstrap" (R = 1000, iseed = 2026) and ours (B = 1000, seed 1): independent draws, so the
    ratio of two SD estimates has a Monte Carlo SD of about sqrt(2 / (2B)) = 3.2 %: every free parameter within
    15 % (4.7 MC SDs), RMS of the log ratios below 6 %.  (Measured, seeds 1, 2, 3: max 8.7 %, 7.2 %, 5.9 %.)"""
    from iur_survey.sem.bootstrap import bootstrap

    d = _data("pd_mlx.csv")
    res = sem(PD, d, missing="ml.x", warn=False)
    b = bootstrap(res, 1000, data=d, seed=1, workers=1, progress=False, warn=False)
    ref = pd.DataFrame(REF["pd_boot"]["pe"])
    m = ref.merge(b.parameter_estimates(), on=["lhs", "op", "rhs"], suffixes=("_lav", ""))
    m = m[m["se_lav"] > 0]
    assert len(m) == 14
    ratio = (m["se"] / m["se_lav"]).to_numpy(float)
    assert np.all(np.abs(ratio - 1) < 0.15), ratio.round(3).tolist()
    assert math.sqrt(np.mean(np.log(ratio) ** 2)) < 0.06


def test_invariance_with_mlx_keeps_the_label_and_the_rows():
    """measurement_invariance(missing="ml.x") fits every step with "ml.x" (its measurement part has no
    covariate, so the rows are those of "ml"; measurement_only=False keeps the covariates and their rows)."""
    from iur_survey.sem.invariance import measurement_invariance

    d = _data("hs_mlx.csv")
    inv = measurement_invariance(HS, d, "school", missing="ml.x", steps=("configural", "metric"), warn=False,
                                 measurement_only=False)
    assert inv.missing == "ml.x"
    fits = [f for f in inv.fits.values() if f is not None]
    assert fits and all(f.missing == "ml.x" and [int(n) for n in f.nobs] == [156, 145] for f in fits)
    assert fits[0].fit_measures()["chisq"] == pytest.approx(REF["hs_ml.x"]["fm"]["chisq"], abs=1e-3)
