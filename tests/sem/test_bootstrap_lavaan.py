"""The bootstrap against lavaan 0.6.14.

1. Monte Carlo agreement with lavaan's own bootstrap (tests/reference/json/boot_complete_800.json:
   se = "bootstrap", bootstrap = 1000, iseed = 2022, default model, complete_800).  lavaan's draws are not
   ours, so the two agree within Monte Carlo error only:
   * bootstrap SEs: the relative difference of two independent SD estimates from B = 1000 draws has an SD
     of about sqrt(2 / (2B)) = 3.2%; we ask for an RMS below 5% and every parameter within 12% (~4 MC SEs);
   * CI bounds: (ours - lavaan's) / (sqrt(2) x the MC standard error of our bound, from the order
     statistics around it): RMS near 1, none beyond 4.5 (percentile) / 5 (bca.simple, whose bias
     correction z0 adds its own noise);
   * the means of the draws within 4.5 MC standard errors; no failed draws (lavaan: none either).
   The seed is fixed, so the test is deterministic.
2. The exact check of the formulas (lavaan's perc / bca.simple intervals and SD divisors on the very same
   draws, stored) is tests/sem/test_boot_formulas_lavaan.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from iur_survey.sem import bootstrap as bs
from iur_survey.sem import sem
from tests.reference.compare import load_reference, reference_data, reference_estimates

REF = load_reference("boot_complete_800")


@pytest.fixture(scope="module")
def ours():
    data = reference_data(REF)
    res = sem(REF["model"], data)
    return bs.bootstrap(res, 1000, data=data, seed=2022, workers=1, progress=False)


def _merged(bt, table, ci):
    mine = bt.parameter_estimates(ci=ci)
    lav = reference_estimates(REF, table)
    m = mine.merge(lav, on=["lhs", "op", "rhs"], suffixes=("", "_lav"), validate="one_to_one")
    m = m[m["se_lav"] > 0].copy()
    pt = bt.fit.partable
    col = []
    for r in m.itertuples():
        if r.op == ":=":
            col.append(bt.columns.index(r.lhs))
        else:
            i = next(k for k in range(len(pt)) if (pt.lhs[k], pt.op[k], pt.rhs[k]) == (r.lhs, r.op, r.rhs))
            col.append(int(pt.par_index[i]))
    m["col"] = col
    return m


def test_same_draws_count_and_columns(ours):
    assert ours.n_ok == 1000 and ours.n_failed == 0 and ours.n_nonconverged == 0
    assert REF["boot"]["nonadmissible_or_failed"] == 0
    assert ours.columns[:ours.n_free] == REF["boot"]["colnames"]


def test_bootstrap_se_agree_within_monte_carlo_error(ours):
    m = _merged(ours, "estimates", "percentile")
    assert len(m) == 87                                  # 77 free parameters + 10 := effects
    rel = m["se"] / m["se_lav"] - 1
    rms = float(np.sqrt(np.mean(rel ** 2)))
    assert rms < 0.05, rms
    assert rel.abs().max() < 0.12, m.loc[rel.abs().idxmax(), ["lhs", "op", "rhs", "se", "se_lav"]]
    # means of the draws (lavaan's colMeans(BOOT))
    E = ours.estimates[:, :ours.n_free]
    z = (E.mean(axis=0) - np.array(REF["boot"]["mean"])) / (E.std(axis=0) * np.sqrt(2 / 1000))
    assert np.abs(z).max() < 4.5


@pytest.mark.parametrize("ci,table,zmax,zrms", [("percentile", "estimates", 4.5, 1.4),
                                                ("bca.simple", "estimates_bca_simple", 5.0, 1.6)])
def test_ci_bounds_agree_within_monte_carlo_error(ours, ci, table, zmax, zrms):
    m = _merged(ours, table, ci)
    mc = ours.confidence_intervals(ci)
    lo_se = mc["mcse.lower"].to_numpy()[m["col"]]
    hi_se = mc["mcse.upper"].to_numpy()[m["col"]]
    z = np.concatenate([(m["ci.lower"] - m["ci.lower_lav"]) / (np.sqrt(2) * lo_se),
                        (m["ci.upper"] - m["ci.upper_lav"]) / (np.sqrt(2) * hi_se)])
    assert np.isfinite(z).all()
    assert np.abs(z).max() < zmax
    assert np.sqrt(np.mean(z ** 2)) < zrms


def test_bootstrap_se_near_ml_se_on_well_behaved_parameters(ours):
    boot = ours.parameter_estimates()
    ml = ours.fit.parameter_estimates()
    free = ml["se"] > 0
    rel = (boot.loc[free, "se"] / ml.loc[free, "se"] - 1).abs()
    assert rel.median() < 0.05
    assert (rel < 0.10).mean() > 0.9           # 5-point items are not normal: a few variances differ more

