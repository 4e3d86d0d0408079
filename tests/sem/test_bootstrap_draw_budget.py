"""A bootstrap draw that creeps along a ridge stops after its evaluation budget (estimate.draw_budget), not after
nlminb's eval.max; a draw that converges within the budget is not touched.

Data: the first 40 rows of tests/reference/data/missing_800.csv with the default model (FIML, q = 105), draws of
seed 1 (benchmarks/bench_tiny_bootstrap.py).  With the old cap (20,000 evaluations) draw 1 crept 1,455
quasi-Newton iterations before it stopped, not converged; lavaan 0.6.14, refitting the same resample from the
same start, does not converge either.  Draws 9 and 19 converge in 153 and 123 evaluations.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.sem import sem
from iur_survey.sem.bootstrap import bootstrap, case_counts
from iur_survey.sem.compare import fitted_data
from iur_survey.sem.estimate import EVAL_MAX, NONCONVERGED, OK, draw_budget
from iur_survey.sem.refit import RefitProblem, refit

REF = Path(__file__).resolve().parents[1] / "reference"

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@pytest.fixture(scope="module")
def tiny():
    d = pd.read_csv(REF / "data" / "missing_800.csv").iloc[:40].reset_index(drop=True)
    model = (REF / "models" / "default.lav").read_text(encoding="utf-8")
    res = sem(model, d)
    assert res.converged and res.missing == "fiml"
    return res, fitted_data(res, d), d


def _counts(draws):
    rows = [case_counts(1, b, b + 1, [40])[0] for b in draws]
    return [np.vstack(rows)]


def test_a_creeping_draw_stops_at_its_budget_and_converged_draws_are_unchanged(tiny):
    res, Xg, _ = tiny
    q = res.model.npar
    assert draw_budget(q) == 40 * q < EVAL_MAX
    prob = RefitProblem.from_fit(res, Xg)
    assert prob.draw_evals() == draw_budget(q)
    out = refit(prob, _counts([1, 9, 19]))
    assert out["status"].tolist() == [NONCONVERGED, OK, OK]
    assert draw_budget(q) <= out["evals"][0] <= draw_budget(q) + 41        # stopped within one line search
    assert np.isnan(out["est"][0]).all()
    # the converged draws: as with nlminb's eval.max (which they are far from), to round-off of the batch
    old = refit(RefitProblem.from_fit(res, Xg, max_evals=EVAL_MAX), _counts([9, 19]))
    assert old["status"].tolist() == [OK, OK] and old["evals"].max() < 500
    assert np.max(np.abs(out["est"][1:] - old["est"])) < 1e-10


def test_control_max_evals_is_accepted_and_refused_when_unknown(tiny):
    res, _, d = tiny
    bt = bootstrap(res, 2, data=d, seed=1, progress=False, warn=False, control={"max_evals": 300})
    assert bt.B == 2
    with pytest.raises(Exception, match="max_evals"):
        bootstrap(res, 2, data=d, seed=1, progress=False, control={"eval_max": 300})


RESCUE = Path(__file__).resolve().parent / "boot_rescue_refs"


def test_a_draw_whose_warm_path_ran_off_is_refitted_along_nlminbs_path_as_lavaan():
    """Draws 10, 16 and 19 of bk40 (seed 1): the warm path's fallback scoring ran off (41 from the start) where
    lavaan 0.6.14, refitting the same resample from the same start (make_refs.R), converges 2-4 from the start;
    the refit along nlminb's path reaches lavaan's estimates.  Draw 3 runs off there too, and lavaan does not
    converge on it either."""
    import json

    refs = json.loads((RESCUE / "refs.json").read_text(encoding="utf-8"))
    d = pd.read_csv(RESCUE / "bk40.csv")
    res = sem((RESCUE / "study.lav").read_text(encoding="utf-8"), d)
    assert res.converged and np.max(np.abs(res.theta - np.array(refs["full_x"]))) < 1e-3
    rows = np.loadtxt(RESCUE / "draws.csv", delimiter=",", dtype=int) - 1
    counts = [np.vstack([np.bincount(r, minlength=40) for r in rows])]
    out = refit(RefitProblem.from_fit(res, fitted_data(res, d)), counts)
    lav = refs["refits"]
    assert out["status"].tolist() == [OK if r["converged"] else NONCONVERGED for r in lav] == [NONCONVERGED, OK, OK, OK]
    for k in (1, 2, 3):                     # lavaan's rel.tol 1e-10 leaves ~1e-3 on these flat minima
        assert np.max(np.abs(out["est"][k] - np.array(lav[k]["x"]))) < 2e-3
    assert out["evals"].max() <= 2 * draw_budget(res.model.npar)
