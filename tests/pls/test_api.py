"""pls_sem's interface: model input forms, option checking, typed errors, the report and JSON forms."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from iur_survey.errors import EstimationError, ModelSyntaxError
from iur_survey.pls import EXAMPLE_MODEL, PLSModel, example_data, pls_model, pls_sem


def test_model_forms_give_the_same_fit():
    d = example_data()
    a = pls_sem(d, model=EXAMPLE_MODEL)
    b = pls_sem(d, model=pls_model(EXAMPLE_MODEL))
    assert np.array_equal(a.path_coefficients()["est"], b.path_coefficients()["est"])
    with pytest.raises(TypeError):
        pls_sem(d, model=42)


def test_extra_columns_and_row_order_do_not_matter():
    d = example_data()
    shuffled = d.sample(frac=1.0, random_state=1)[list(reversed(d.columns))].assign(role="x", ResponseId="r")
    a, b = pls_sem(d, model=EXAMPLE_MODEL), pls_sem(shuffled, model=EXAMPLE_MODEL)
    assert np.allclose(a.path_coefficients()["est"], b.path_coefficients()["est"], atol=1e-12)


@pytest.mark.parametrize("syntax, message", [
    ("X =~ x1\nY =~ y1\nY ~ X\nX ~ Y", "cycle"),
    ("X =~ x1\nY =~ y1\nZ =~ m1\nY ~ X", "no structural path"),
    ("X =~ x1 + y1\nY =~ y1\nY ~ X", "two composites"),
    ("X =~ x1\nY =~ y1\nY ~ X + Q", "not a composite"),
    ("X =~ x1\nY =~ y1\nY ~ X\nx1 ~~ y1", "only =~, ~ and :="),
    ("X =~ x1\nY =~ y1\nY ~ b*X\nb == 0", "constraints"),
    ("X =~ x1\nY =~ y1", "no structural path"),
])
def test_bad_models(syntax, message):
    with pytest.raises(ModelSyntaxError, match=message):
        pls_model(syntax)


def test_bad_data_and_options():
    d = example_data()
    with pytest.raises(EstimationError, match="not in the data"):
        pls_sem(d.drop(columns="x2"), model=EXAMPLE_MODEL)
    with pytest.raises(EstimationError, match="without variance"):
        pls_sem(d.assign(x2=3.0), model=EXAMPLE_MODEL)
    with pytest.raises(EstimationError, match="without any observed value"):
        pls_sem(d.assign(x2=np.nan), model=EXAMPLE_MODEL)
    with pytest.raises(ValueError, match="scheme"):
        pls_sem(d, model=EXAMPLE_MODEL, scheme="pathway")
    with pytest.raises(ValueError, match="missing"):
        pls_sem(d, model=EXAMPLE_MODEL, missing="fiml")
    with pytest.raises(ValueError, match="n_boot"):
        pls_sem(d, model=EXAMPLE_MODEL).bootstrap(1)


def test_tables_and_reports():
    res = pls_sem(example_data(), model=EXAMPLE_MODEL, n_boot=50, seed=9)
    assert res.boot.n_boot == 50 and len(res.boot.draws["paths"]) == 50
    for name in ("outer_weights", "outer_loadings", "path_coefficients", "r_squared", "total_effects",
                 "indirect_effects", "specific_indirect_effects", "defined", "htmt"):
        tab = getattr(res, name)()
        assert {"se", "pvalue", "ci.lower", "ci.upper"} <= set(tab.columns), name
        assert (tab["ci.lower"] <= tab["ci.upper"]).all(), name
    for name in ("reliability", "inner_vif", "outer_vif", "f_squared", "fornell_larcker", "cross_loadings",
                 "construct_scores"):
        assert len(getattr(res, name)()) > 0
    text = res.summary()
    for heading in ("Path coefficients:", "R-squared:", "Specific indirect effects:", "HTMT:", "Bootstrap: 50"):
        assert heading in text
    d = res.to_dict()
    json.dumps(d, allow_nan=False)
    assert d["bootstrap"]["n_boot"] == 50 and d["paths"][0]["ci.lower"] is not None
    m = res.htmt(matrix=True)
    assert m.loc["M", "X"] == res.htmt()["htmt"].iloc[0] and np.isnan(m.loc["X", "M"])


def test_the_model_comes_from_the_caller():
    """pls/ knows nothing of the study: no default model, and an instrument in the model's place is refused."""
    from iur_survey.instrument import DEFAULT_INSTRUMENT, load_instrument
    from iur_survey.study import default_model
    inst = load_instrument(DEFAULT_INSTRUMENT)
    with pytest.raises(TypeError):
        pls_sem(example_data())
    with pytest.raises(TypeError, match="lavaan syntax or a PLSModel"):
        pls_sem(example_data(), inst)
    assert isinstance(pls_model(default_model(inst)), PLSModel)


def test_negative_loading_in_a_reflective_block_warns_and_names_the_indicator():
    """An audit: a reverse-keyed indicator left un-reversed (loading -.83) gave alpha -0.78 and rho_C .52 with no
    word.  The fit warns naming it, reliability() lists it, the APA table says it; the formulas stay seminr's."""
    import warnings

    from iur_survey.pls.quality import alpha
    from iur_survey.report.pls_tables import pls_reliability_table

    d = example_data()
    with warnings.catch_warnings():
        warnings.simplefilter("error")            # a clean fit does not warn
        clean = pls_sem(d, model=EXAMPLE_MODEL)
    assert clean.warnings == [] and (clean.reliability()["negative_loadings"] == "").all()
    assert "Negative outer loading" not in pls_reliability_table(clean.reliability()).note
    flipped = d.assign(x3=6 - d["x3"])            # 1..5 codes reverse-keyed
    with pytest.warns(UserWarning, match=r"block X: x3 \(-0\.\d+\)"):
        res = pls_sem(flipped, model=EXAMPLE_MODEL)
    assert any("x3" in w and "reverse-keyed" in w for w in res.warnings)
    rel = res.reliability().set_index("construct")
    assert rel.loc["X", "negative_loadings"] == "x3" and rel.loc["M", "negative_loadings"] == ""
    # alpha stays the standardized alpha of the block's correlations (negative here), not "corrected"
    ix = [res.model.items.index(c) for c in ("x1", "x2", "x3")]
    assert rel.loc["X", "alpha"] == pytest.approx(alpha(res.R[np.ix_(ix, ix)]), abs=1e-12)
    assert rel.loc["X", "alpha"] < clean.reliability().set_index("construct").loc["X", "alpha"]
    assert "x3 (X)" in pls_reliability_table(res.reliability()).note
    assert "Warning: negative outer loading" in res.summary()
