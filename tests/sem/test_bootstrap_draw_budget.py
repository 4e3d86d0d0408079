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
