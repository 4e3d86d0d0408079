"""The bootstrap's formulas against lavaan 0.6.14's on the SAME draws (no Monte Carlo error, no refits).

tests/sem/boot_formula_refs/make_refs.R (run by hand; the tests only read its committed output) fits a
three-factor mediation model to tests/reference/data/complete_800.csv with ``se = "bootstrap", bootstrap =
200, iseed = 2022`` and stores lavaan's draws (draws.csv, 200 x 27, exact "%.17g" text) and that fit's
``parameterEstimates(boot.ci.type = "perc" / "bca.simple")`` (refs.json, 15 significant digits).  Here:

* :func:`~iur_survey.sem.bootstrap.percentile_ci` and :func:`~iur_survey.sem.bootstrap.bca_ci` (acceleration 0)
  of each stored column (and of the ``:=`` parameters computed from it) give lavaan's intervals;
* the SD divisors: B for free parameters (lavaan's ``cov(COEF) * (B - 1) / B``), B - 1 for ``:=``;
* :class:`~iur_survey.sem.bootstrap.BootstrapResult` holding the stored draws (its ``:=`` columns from the
  package's compiled expressions, its fit the package's own ``sem()`` of the same data) gives lavaan's whole
  table: se, perc and bca.simple bounds of all 32 rows, fixed rows included.

Tolerance: relative 1e-10 (absolute 1e-12): the arithmetic is the same, so only round-off (and the 15 digits of
the JSON) separates the numbers; nothing relies on bit-identical floating point.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.sem import bootstrap as bs
from iur_survey.sem import sem
from iur_survey.sem.defined import from_partable

HERE = Path(__file__).parent / "boot_formula_refs"
REF = json.loads((HERE / "refs.json").read_text(encoding="utf-8"))
DATA = Path(__file__).parents[1] / "reference" / "data" / "complete_800.csv"
RTOL, ATOL = 1e-10, 1e-12


def lavaan_table(kind: str) -> pd.DataFrame:
    return pd.DataFrame(REF[kind]).rename(columns={"est": "est_lav", "se": "se_lav", "ci.lower": "lo_lav",
                                                   "ci.upper": "hi_lav"})


@pytest.fixture(scope="module")
def draws() -> pd.DataFrame:
    d = pd.read_csv(HERE / "draws.csv", float_precision="round_trip")
    assert list(d.columns) == REF["colnames"] and d.shape == (REF["B"], 27)
    return d


def _free_rows(tab: pd.DataFrame) -> pd.DataFrame:
    """lavaan's rows of the free parameters and ``:=``, each with its draws' column (lavaan's coef() name: the
    label, else lhs op rhs; a ``:=`` parameter: its name)."""
    out = tab[tab["se_lav"] > 0].copy()
    out["col"] = [r.lhs if r.op == ":=" else (r.label or f"{r.lhs}{r.op}{r.rhs}") for r in out.itertuples()]
    assert set(out.loc[out["op"] != ":=", "col"]) == set(REF["colnames"])
    return out


def _with_effects(draws: pd.DataFrame) -> pd.DataFrame:
    """The draws plus the model's ``:=`` parameters (ind := a*b, tot := c + a*b), as lavaan computes them."""
    return draws.assign(ind=draws["a"] * draws["b"], tot=draws["c"] + draws["a"] * draws["b"])


def test_percentile_and_bca_simple_of_each_column(draws):
    t = _with_effects(draws)
    for kind in ("perc", "bca.simple"):
        rows = _free_rows(lavaan_table(kind))
        assert len(rows) == 27 + 2
        for r in rows.itertuples():
            x = t[r.col].to_numpy()
            lo, hi = bs.percentile_ci(x, 0.95) if kind == "perc" else bs.bca_ci(x, r.est_lav, 0.95)
            np.testing.assert_allclose([lo, hi], [r.lo_lav, r.hi_lav], rtol=RTOL, atol=ATOL, err_msg=f"{kind} {r.col}")


def test_se_divisors(draws):
    t = _with_effects(draws)
    rows = _free_rows(lavaan_table("perc"))
    free = rows["op"] != ":="
    sd = [float(np.std(t[c], ddof=0 if f else 1)) for c, f in zip(rows["col"], free)]
    np.testing.assert_allclose(sd, rows["se_lav"], rtol=RTOL, atol=ATOL)
    # the other divisor would be off by sqrt(B / (B - 1)) - 1 = 0.25%: far outside the tolerance
    wrong = [float(np.std(t[c], ddof=1 if f else 0)) for c, f in zip(rows["col"], free)]
    assert np.all(np.abs(np.array(wrong) / rows["se_lav"].to_numpy() - 1) > 1e-3)


@pytest.fixture(scope="module")
def result(draws) -> bs.BootstrapResult:
    """A BootstrapResult holding the stored draws, around the package's own fit of the same data and model."""
    res = sem(REF["model"], pd.read_csv(DATA), warn=False)
    columns = bs._param_names(res.partable)
    assert columns == REF["colnames"]                      # theta order = lavaan's coef() order
    E = draws.to_numpy()
    E = bs._with_defined(E, from_partable(res.partable, res.est))
    B = E.shape[0]
    return bs.BootstrapResult(fit=res, estimates=E, columns=columns + ["ind", "tot"], n_free=res.model.npar,
                              status=np.zeros(B, int), nonadmissible=np.zeros(B, bool),
                              iterations=np.zeros(B, int), ci="percentile", level=0.95, seed=2022, workers=1,
                              scheduler="stored")


def test_fit_is_lavaans_and_draws_clear_of_it(result, draws):
    """bca.simple counts the draws below the estimate: the package's estimate (not lavaan's, to ~1e-7) must
    leave every count unchanged, i.e. no draw may lie between the two."""
    lav = _free_rows(lavaan_table("perc"))
    lav = lav[lav["op"] != ":="]
    t0 = pd.Series(result.point_estimates()[:result.n_free], index=result.columns[:result.n_free])
    np.testing.assert_allclose(t0[lav["col"]].to_numpy(), lav["est_lav"], rtol=1e-5, atol=1e-6)
    for c, e in zip(lav["col"], lav["est_lav"]):
        lo, hi = sorted((t0[c], e))
        assert not ((draws[c] >= lo) & (draws[c] <= hi)).any(), c


@pytest.mark.parametrize("ci,kind", [("percentile", "perc"), ("bca.simple", "bca.simple")])
def test_bootstrap_result_table_is_lavaans(result, ci, kind):
    mine = result.parameter_estimates(ci=ci, standardized=False)
    m = mine.merge(lavaan_table(kind).drop(columns="label"), on=["lhs", "op", "rhs"], validate="one_to_one")
    assert len(m) == len(mine) == len(REF[kind]) == 32
    assert (m["se_lav"] == 0).sum() == 3                   # the fixed first loadings: se 0, ci = est
    np.testing.assert_allclose(m["se"], m["se_lav"], rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(m["ci.lower"], m["lo_lav"], rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(m["ci.upper"], m["hi_lav"], rtol=RTOL, atol=ATOL)
