"""Paper-table outputs an author copies, on models the earlier table tests did not have.

- The discriminant table's r (and Fornell–Larcker's) is lavaan's cor.lv when an indicator is also in a ``~`` row
  (lavaan's phantom latent: ``speed ~ x1`` with ``visual =~ x1``) and when two endogenous factors have a residual
  covariance (lavaan's std.all of it is a residual correlation, ``cov.std = TRUE``).

References: tests/report/refs/paperout_refs.json (make_paperout_refs.R, lavaan 0.6.14).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.measure._common import Measurement
from iur_survey.report import paper

REFS = json.loads((Path(__file__).resolve().parent / "refs" / "paperout_refs.json").read_text(encoding="utf-8"))


def _matrix(m) -> pd.DataFrame:
    return pd.DataFrame(m["values"], index=m["names"], columns=m["names"], dtype=float)


def _cases():
    for k in ("ind_pred", "ind_out", "res_cov"):
        yield k, REFS[k]
    for g, c in REFS["res_cov_groups"].items():
        yield f"res_cov_groups:{g}", c


@pytest.mark.parametrize("name,case", list(_cases()), ids=[n for n, _ in _cases()])
def test_latent_correlations_are_lavaans_cor_lv(name, case):
    ref = _matrix(case["cor_lv"])
    est = pd.DataFrame(case["estimates"])
    got = paper.latent_correlations(est)
    assert list(got.index) == list(ref.index)
    np.testing.assert_allclose(got.to_numpy(), ref.to_numpy(), atol=1e-6)
    # the unstandardized route (the book's Fornell-Larcker, measure.fornell_larcker) agrees
    np.testing.assert_allclose(Measurement(est).cor_lv().to_numpy(), ref.to_numpy(), atol=1e-6)


def test_cor_lv_changes_where_the_old_code_was_wrong():
    """The r's the audit measured on its own HS1939 file (main: .077, .166; .138; .297 where lavaan gives .297,
    .263; .130; .280); here on tests/reference/data/hs1939.csv."""
    r = {k: paper.latent_correlations(pd.DataFrame(REFS[k]["estimates"])) for k in ("ind_pred", "ind_out", "res_cov")}
    assert round(r["ind_pred"].loc["visual", "speed"], 3) == 0.297
    assert round(r["ind_pred"].loc["textual", "speed"], 3) == 0.266
    assert round(r["ind_out"].loc["textual", "speed"], 3) == round(_matrix(REFS["ind_out"]["cor_lv"]).loc["textual", "speed"], 3)
    # an equivalent of the three-factor CFA: its r(textual, speed) is the residual covariance's total-scale value
    assert abs(r["res_cov"].loc["textual", "speed"] - 0.283) < 0.001


HS = Path(__file__).resolve().parents[1] / "reference" / "data" / "hs1939.csv"
CFA3 = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"


def _fit(tmp_path, name, syntax, *extra):
    from iur_survey.cli import main
    model = tmp_path / f"{name}.lav"
    model.write_text(syntax, encoding="utf-8")
    out = tmp_path / f"{name}.json"
    assert main(["fit", str(HS), "--model", str(model), "--out", str(out), *extra]) == 0
    return out


def test_paper_table_r_of_an_indicator_predictor_is_lavaans(tmp_path):
    """End to end (fit, tables): the discriminant table prints lavaan's cor.lv to 3 decimals (main: .077/.166)."""
    from iur_survey.cli import main
    out = _fit(tmp_path, "ind_pred", CFA3 + "textual ~ visual\nspeed ~ textual + x1\n")
    md = tmp_path / "t.md"
    assert main(["tables", str(out), "--format", "md", "--out", str(md)]) == 0
    text = md.read_text(encoding="utf-8")
    ref = _matrix(REFS["ind_pred"]["cor_lv"])
    for a, b in (("visual", "textual"), ("visual", "speed"), ("textual", "speed")):
        cell = f"| {a} – {b} | {f'{ref.loc[a, b]:.3f}'[1:]} |"
        assert cell in text, cell
