"""Pairs of variables never observed together (0 % coverage, a planned-missing design) fitted by FIML, as
lavaan 0.6.14 fits them; and missing = "ml.x" with a single covariate blank in some rows.

References: tests/sem/zerocov_refs/zerocov_refs.json, written by make_zerocov_refs.R next to it (with the
data): HolzingerSwineford1939 with x1 and x4 never together (hs_split.csv) or three forms plus x2 and x7
never together (hs_forms.csv); 600 simulated cases in two groups with y1 and y5 never together and a covariate
z (sim_groups.csv).  Until this change the package refused every such data set ("never observed together").

The saturated model's likelihood does not depend on the covariance of a pair never observed together: the
chi-square, the estimates and their SEs, the scaled test, CFI/TLI/RMSEA/SRMR are unaffected and equal
lavaan's.  The FIML-corrected robust CFI/RMSEA (Zhang & Savalei) invert that model's information, which then
has a zero row: they are NA with the reason (lavaan prints figures from a singular matrix).

Tolerances (the README's): estimates 1e-4, SEs 0.5 %, fit measures 1e-6 relative to max(1, |value|) (found:
estimates <= 4.4e-6, SEs <= 1.5e-5 relative, fit measures <= 1.5e-6).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.cli import main
from iur_survey.errors import DataError
from iur_survey.sem import sem

HERE = Path(__file__).resolve().parent / "zerocov_refs"
REF = json.loads((HERE / "zerocov_refs.json").read_text())
FIML_CORRECTED = ("cfi.robust", "tli.robust", "nnfi.robust", "rni.robust", "rmsea.robust",
                  "rmsea.ci.lower.robust", "rmsea.ci.upper.robust", "rmsea.pvalue.robust",
                  "rmsea.notclose.pvalue.robust")


def _fit(case: str):
    ref = REF[case]
    args = ref["args"] or {}
    kw = {"missing": args.get("missing", "ml"), "estimator": args.get("estimator", "ML")}
    if "group" in args:
        kw["group"] = args["group"]
    if "group.equal" in args:
        kw["group_equal"] = list(np.atleast_1d(args["group.equal"]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sem(ref["model"], pd.read_csv(HERE / ref["data"]), **kw)


@pytest.fixture(scope="module")
def fits():
    return {case: _fit(case) for case in REF}


def _rel(a: float, b: float) -> float:
    return abs(a - b) / max(1.0, abs(b))


@pytest.mark.parametrize("case", list(REF))
def test_estimates_and_fit_measures_equal_lavaan(fits, case):
    res, ref = fits[case], REF[case]
    assert res.converged and ref["converged"]
    pe = res.parameter_estimates()
    groups = pe["group"].astype(int) if "group" in pe else pd.Series(1, index=pe.index)
    ours = {(a, b, c, g): (e, s, z) for a, b, c, g, e, s, z in
            zip(pe.lhs, pe.op, pe.rhs, groups, pe.est, pe.se, pe["std.all"])}
    r = ref["pe"]
    for k in range(len(r["lhs"])):
        e, s, z = ours[(r["lhs"][k], r["op"][k], r["rhs"][k], int(r["group"][k]))]
        assert _rel(e, r["est"][k]) <= 1e-4, (r["lhs"][k], r["op"][k], r["rhs"][k], e, r["est"][k])
        if r["se"][k]:
            assert abs(s - r["se"][k]) / r["se"][k] <= 5e-3, (r["lhs"][k], r["rhs"][k], s, r["se"][k])
        if r["std.all"][k] is not None:
            assert _rel(z, r["std.all"][k]) <= 1e-4
    fm = res.fit_measures()
    checked = 0
    for name, v in ref["fm"].items():
        if v is None or name not in fm.index or name in FIML_CORRECTED:
            continue
        assert _rel(float(fm[name]), v) <= 1e-5, (name, fm[name], v)
        checked += 1
    assert checked >= 40


@pytest.mark.parametrize("case", [c for c in REF if c != "one_x_mlx"])
def test_zero_coverage_is_said_and_fiml_corrected_indices_are_na(fits, case):
    res = fits[case]
    assert any("0% coverage" in w and "never observed together" in w for w in res.warnings)
    assert any(w.startswith("computation of robust CFI failed") and "never observed together" in w
               for w in res.warnings)
    fm = res.fit_measures()
    assert all(np.isnan(fm[k]) for k in FIML_CORRECTED if k in fm.index)


def test_one_covariate_blank_in_some_rows_ml_x_unrestricted_logl():
    """lavaan's unrestricted logl under "ml.x" takes the covariate's block from its pairwise covariance with
    divisor n (lavsamplestats@cov.x); with a single covariate the package took the observed rows' variance
    (the rows without it look complete there): -4103.6595 instead of lavaan's -4103.6170."""
    res = _fit("one_x_mlx")
    assert res.fit_measures()["unrestricted.logl"] == pytest.approx(REF["one_x_mlx"]["fm"]["unrestricted.logl"],
                                                                    abs=1e-6)


def test_sparse_data_are_refused_fast():
    """Pairs never together amid pairs almost never together are sparse data, not a design: a one-line error
    before estimating (on 290 rows with 90 % of the cells blank FIML iterated 90 s and did not converge)."""
    d = pd.read_csv(HERE / "hs_split.csv")
    vals = d.to_numpy(float)
    vals[np.random.default_rng(1).random(vals.shape) < 0.85] = np.nan
    d = pd.DataFrame(vals, columns=d.columns)
    with pytest.raises(DataError, match=r"never observed together.*too sparse for FIML"):
        sem("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9", d, missing="ml")


def test_ordered_items_never_together_are_refused_with_the_reason():
    d = pd.read_csv(HERE / "sim_groups.csv")
    for c in [f"y{i}" for i in range(1, 9)]:
        d[c] = pd.cut(d[c], [-np.inf, -1, 0, 1, np.inf], labels=False)
    with pytest.raises(DataError, match=r"'y1' and 'y5' are never observed together .*polychoric"):
        sem("F1 =~ y1 + y2 + y3 + y4\nF2 =~ y5 + y6 + y7 + y8", d, ordered=True, missing="pairwise")


def test_cli_fits_a_planned_missing_design(tmp_path, capsys):
    out = tmp_path / "r.json"
    model = tmp_path / "m.lav"
    model.write_text(REF["split_ml"]["model"], encoding="utf-8")
    assert main(["fit", str(HERE / "hs_split.csv"), "--model", str(model), "--quiet", "--out", str(out)]) == 0
    res = json.loads(out.read_text(encoding="utf-8"))
    assert res["fit"]["chisq"] == pytest.approx(REF["split_ml"]["fm"]["chisq"], rel=1e-6)
    assert any("never observed together" in w for w in res["warnings"])
