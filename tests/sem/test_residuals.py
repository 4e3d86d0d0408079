"""Residuals against lavaan 0.6.14: ``residuals(fit, type = ...)`` and ``lavResiduals(fit, se = TRUE)``
(references: tests/sem/resid_refs/make_resid_refs.R, its output resid_refs.json).

Tolerance: ``|ours - lavaan| <= RTOL |lavaan| + ATOL max|lavaan|`` per element set (a residual matrix, a se
matrix, a summary column).  Measured (python scratch comparison over the 8 cases): the raw residuals differ by
at most 6.5e-6 absolute (5e-6 relative to the largest residual; the two optimizers stop at estimates ~1e-6
apart, chisq equal to 5e-9), the standard errors by 2e-6 relative, the summaries by 1.3e-6 relative; the
smallest residuals (|r| < 1% of the largest) carry the estimates' noise at ~1e-3 relative, hence the ATOL
term (floor 1e-6: saturated means have residuals of optimizer noise, up to 1.5e-7 in lavaan, ~1e-13 here,
and standard errors of rounding noise, ~1e-16, in both).  z-type values
(normalized, standardized, .z) are compared to ZTOL = 1e-3 absolute: a raw residual of 6e-4 with se 1.2e-3 (PD,
x1~~x2) moves by 4e-7 when lavaan's optimizer is made to stop later (rel.tol 1e-14), its z by 3.4e-4 - the
whole of our difference (-0.49660 here, -0.49626 lavaan default, -0.49620 lavaan tighter).
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
from iur_survey.sem.residuals import ResidualsError, lav_residuals, largest_residuals, residuals

REFS = Path(__file__).parent / "resid_refs"
REF = json.loads((REFS / "resid_refs.json").read_text())
RTOL, ATOL, ZTOL = 1e-4, 5e-5, 1e-3
CASES = list(REF)
TYPES = ["raw", "cor.bollen", "cor.bentler", "normalized", "standardized"]
_FITS: dict = {}


def _fit(case: str):
    if case not in _FITS:
        c = REF[case]
        data = pd.read_csv(REFS / c["data"])
        args = dict(c["args"])
        if isinstance(args.get("group_equal"), str):
            args["group_equal"] = [args["group_equal"]]
        _FITS[case] = (sem(c["model"], data, **args), data)
    return _FITS[case]


def _groups(x) -> list:
    return list(x.values()) if isinstance(x, dict) else list(x)


def _close(ours, ref, what: str, z: bool = False) -> None:
    ref = np.array(ref, dtype=object)
    ref = np.where(np.equal(ref, None), np.nan, ref).astype(float)
    ours = np.asarray(ours, float)
    assert ours.shape == ref.shape, what
    fin = np.isfinite(ref)
    np.testing.assert_array_equal(np.isfinite(ours), fin, err_msg=f"{what}: NA where lavaan has NA")
    if fin.any():
        big = float(np.max(np.abs(ref[fin])))
        # a block of residuals that are all optimizer noise (free thresholds: lavaan's theta fit leaves up to
        # 1.6e-6, hs3_wlsmv_theta; ours ~1e-12) is compared to 1e-5
        atol = ZTOL if z else max(ATOL * big, 1e-5 if big < 1e-5 else 1e-6)
        np.testing.assert_allclose(ours[fin], ref[fin], rtol=RTOL, atol=atol, err_msg=what)


def _ours_groups(res, out) -> list:
    return _groups(out) if res.partable.ngroups > 1 else [out]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("type", TYPES)
def test_residuals_equal_lavaan(case, type):
    res, data = _fit(case)
    ours = _ours_groups(res, residuals(res, type, data))
    ref = _groups(REF[case]["residuals"][type])
    assert len(ours) == len(ref)
    for g, (o, r) in enumerate(zip(ours, ref)):
        assert o["type"] == type
        assert sorted(k for k in o if k != "type") == sorted(r), (case, type)
        for k in r:
            ref_k = r[k]
            if k == "mean" and "th" in r:
                # lavaan divides the p zero means by nth NA standard errors: R recycles to nth values, the
                # p first 0, the others NA; ours are the p zeros
                ref_k = ref_k[:len(o["mean"])]
            _close(o[k], ref_k, f"{case} {type} group {g} {k}", z=type in ("normalized", "standardized"))
        assert list(o["cov"].index) == REF[case]["ov"]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("key,type", [("lavResiduals", "cor.bentler"), ("lavResiduals_cor", "cor.bollen"),
                                      ("lavResiduals_raw", "raw")])
def test_lav_residuals_equal_lavaan(case, key, type):
    res, data = _fit(case)
    ours = _ours_groups(res, lav_residuals(res, type, data, se=True))
    ref = _groups(REF[case][key])
    ordinal = "th" in ref[0]
    for g, (o, r) in enumerate(zip(ours, ref)):
        assert [k for k in o if k != "type"] == list(r) or ordinal
        for k in r:
            what = f"{case} {key} group {g} {k}"
            if k == "summary":
                rows = r[k]["rows"]
                assert list(o[k].index) == rows, what
                assert list(o[k].columns) == [c for c in r[k] if c != "rows"], what
                for col in o[k].columns:
                    ref_col = np.array(r[k][col], dtype=object)
                    ref_col = np.where(np.equal(ref_col, None), np.nan, ref_col).astype(float)
                    oc = o[k][col].to_numpy(float)
                    fin = np.isfinite(ref_col) & np.isfinite(oc)
                    # the summary of an all-zero block (saturated means / thresholds): lavaan's value 0, its
                    # se and tests NA; ours NA or 0 alike (lavaan's theta fit leaves its free thresholds with
                    # residuals of optimizer noise: an rms of 7.9e-7, hs3_wlsmv_theta)
                    if abs(ref_col[0]) < 1e-5:
                        assert oc[0] == pytest.approx(0, abs=1e-5), what
                        continue
                    np.testing.assert_array_equal(np.isfinite(oc), np.isfinite(ref_col), err_msg=what + col)
                    # z and p of the exact-fit / close-fit tests: differences of near-equal numbers over a small
                    # se (measured up to 1.8e-5 absolute, FIML by group, rmr of the means): ZTOL absolute
                    zrow = np.array([(".z" in n or "pvalue" in n) for n in rows])
                    np.testing.assert_allclose(oc[fin & ~zrow], ref_col[fin & ~zrow], rtol=RTOL, atol=1e-7,
                                               err_msg=what + col)
                    np.testing.assert_allclose(oc[fin & zrow], ref_col[fin & zrow], rtol=0, atol=ZTOL,
                                               err_msg=what + col)
            elif ordinal and k == "mean.se":
                assert np.isnan(o[k].to_numpy(float)).all()       # lavaan: NA (nth of them)
            elif ordinal and k == "mean.z":                       # lavaan: nth zeros (R recycling), ours p
                _close(o[k], r[k][:len(o[k])], what, z=True)
            else:
                _close(o[k], r[k], what, z=k.endswith(".z"))


def test_summary_srmr_is_fit_measures_srmr():
    """One formula: lav_residuals' srmr / crmr / rmr are fitMeasures' (and lavaan's)."""
    for case in ("hs_ml", "hs_ml_ms", "pd_ml", "hsmcar_fiml"):
        res, data = _fit(case)
        fm = res.fit_measures()
        for type, name, col in (("cor.bentler", "srmr", None), ("cor.bollen", "crmr", None), ("raw", "rmr", None)):
            s = lav_residuals(res, type, data)["summary"]
            col = "total" if "total" in s.columns else "cov"
            assert s.loc[name, col] == pytest.approx(fm[name], rel=1e-10)
            assert s.loc[name, col] == pytest.approx(REF[case]["fit"][name], rel=1e-5)


def test_methods_and_refusals():
    res, data = _fit("hs_ml")
    pd.testing.assert_frame_equal(res.residuals("cor")["cov"], residuals(res, "cor.bollen")["cov"])
    assert res.residuals()["type"] == "raw"
    assert list(res.lav_residuals()) == ["type", "cov", "cov.z", "summary"]
    with pytest.raises(ResidualsError, match="standardized.mplus"):
        residuals(res, "standardized.mplus")
    with pytest.raises(ResidualsError, match="unknown residual type"):
        residuals(res, "casewise")
    assert issubclass(ResidualsError, EstimationError)
    mlr, _ = _fit("hs_mlr")
    with pytest.raises(EstimationError, match="data"):
        residuals(mlr, "standardized")              # the robust ACOV needs the data
    top = largest_residuals(res, 3)
    assert list(top.columns) == ["lhs", "op", "rhs", "std.res"] and len(top) == 3
    std = residuals(res, "standardized")["cov"].to_numpy()
    assert abs(top["std.res"].iloc[0]) == pytest.approx(np.nanmax(np.abs(std)))


def test_mixed_ordinal_refused(mixed_ordered_fit):
    with pytest.raises(ResidualsError, match="every model variable is ordered"):
        residuals(mixed_ordered_fit)


def test_fit_command_writes_residuals(tmp_path, capsys):
    from iur_survey.cli import main

    out, model = tmp_path / "results.json", tmp_path / "m.lav"
    model.write_text(REF["hs_groups_loadings"]["model"])
    code = main(["fit", str(REFS / "data_hs.csv"), "--model", str(model), "--group", "school",
                 "--equal", "loadings", "--residuals", "4", "--out", str(out)])
    assert code == 0
    got = json.loads(out.read_text())["residuals"]
    ref = _groups(REF["hs_groups_loadings"]["lavResiduals"])
    assert list(got["summary"]) == REF["hs_groups_loadings"]["group_labels"]
    for lab, r in zip(got["summary"], ref):
        s = got["summary"][lab]["srmr"]
        for col in ("cov", "total"):
            for row, v in zip(r["summary"]["rows"], r["summary"][col]):
                if v is None:
                    assert s[col][row] is None
                else:
                    assert s[col][row] == pytest.approx(v, rel=1e-4, abs=1e-7), (lab, col, row)
    top = got["largest_standardized"]
    assert len(top) == 4 and {"lhs", "op", "rhs", "group", "std.res"} <= set(top[0])
    assert abs(top[0]["std.res"]) >= abs(top[-1]["std.res"])
    assert "largest standardized residuals" in capsys.readouterr().out
