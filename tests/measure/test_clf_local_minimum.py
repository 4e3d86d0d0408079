"""The common latent factor (CFA + one equal method loading) nests the CFA (m = 0), so its ML chi-square is at
most the CFA's.  From the default starting values (lavaan's too: lavaan 0.6.14 gives chi-square 377.9974 with
m = 0.519 on these data, against the CFA's 377.7575: clf_refs/make_clf_ref.R, its output stored) the fit can
end in a local minimum above it, and the method variance read from it (20.7 % here, for data drawn without any
method factor) is no estimate.  ``fit_common_latent_factor`` refits from the CFA's solution and keeps the lower
minimum."""

import warnings
from pathlib import Path

import pandas as pd

from iur_survey.measure import fit_common_latent_factor
from iur_survey.measure.cmv import clf_start_syntax
from iur_survey.sem import cfa

HERE = Path(__file__).resolve().parent / "clf_refs"
CONSTRUCTS = {c: [f"{c}{i}" for i in range(1, 5)] for c in ("GOV", "MKT", "BEN", "VAL", "TAL", "COL", "INT")}


def _survey():
    """Four roles of one seven-construct model (no method factor), 5-point items, 7 % of answers missing: the
    draws stored by clf_refs/make_clf_survey.py (redrawn on another CPU they were other data, see there)."""
    return pd.read_csv(HERE / "clf_survey.csv")


def _chisq(fit):
    return float(fit.fit_measures()["chisq"])


def test_the_clf_never_reports_a_minimum_above_the_cfa_it_nests():
    data = _survey()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = fit_common_latent_factor(data, CONSTRUCTS, missing="fiml")
    base, clf = res.loc["cfa", "chisq"], res.loc["cfa+method", "chisq"]
    assert clf <= base + 1e-4                                  # nested: never above
    assert res.loc["cfa+method", "df"] == res.loc["cfa", "df"] - 1
    assert res.loc["difference", "chisq"] >= -1e-4             # no negative chi-square difference
    # no method factor in the population, and none at the ML estimate
    assert res.loc["cfa+method", "method_variance"] < 0.02
    assert res.loc["difference", "max_loading_change"] < 0.02
    # when the default starts ended above the CFA, the refit is said (warning and attrs)
    if res.attrs.get("restarted"):
        assert any("local minimum" in str(w.message) for w in caught)


def test_these_data_end_in_the_local_minimum_from_the_default_starts():
    """The case the refit is for: the default starts give a chi-square above the CFA's (as lavaan does)."""
    data = _survey()
    base = cfa("\n".join(f"{c} =~ " + " + ".join(v) for c, v in CONSTRUCTS.items()), data, missing="fiml", warn=False)
    from iur_survey.measure.cmv import clf_model_syntax
    clf = cfa(clf_model_syntax(CONSTRUCTS), data, missing="fiml", warn=False)
    # lavaan's figures on these data (clf_refs/make_clf_ref.R, output in make_clf_ref.Rout)
    assert abs(_chisq(base) - 377.7575) < 1e-3 and abs(_chisq(clf) - 377.9974) < 1e-3
    again = cfa(clf_start_syntax(CONSTRUCTS, base), data, missing="fiml", warn=False)
    assert _chisq(again) <= _chisq(base) + 1e-4 < _chisq(clf)
    assert again.fit_measures()["df"] == clf.fit_measures()["df"]
