"""Start values of the one-group WLSMV engine and the wording of a theta fit on a Heywood boundary.

* One group (iur_survey/sem/wlsmv.py ``wlsmv_from_model``) starts, as several groups do, from lavaan's start values
  for categorical data (``dwls_start_values``: FABIN3 on the polychoric matrix, scaled under std.lv, 0.7 for a
  second-order loading, latent variances 0.05), the marker start only as a retry.  From the marker start the
  second-order model of wlsmv_2nd_order_300.csv (weak first items) did not converge (10 000 iterations, a negative
  factor variance); from lavaan's it reaches lavaan's optimum.
* A delta solution with a Heywood case (HS mixed items, 4 groups school x grade: x1 in "Pasteur 7" at -0.107) makes
  the theta fit run off along a loading (1e10): its warnings name the boundary, not identification.

References: ordinal_refs/wlsmv_start_refs.json, written with hs_cut_301.csv and hsmix4_300.csv by
make_wlsmv_start_refs.R (lavaan 0.6.14); wlsmv_2nd_order_300.csv by make_wlsmv_start_data.py.  Read only.
Tolerances: start values 1e-6 (the polychoric correlations agree to about 1e-7), fmin 1e-6 relative, estimates 1e-3 (lavaan stops nlminb at a relative change of
1e-10 in fmin; the second-order loadings are 2-7).
"""

from __future__ import annotations

import json
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.sem import sem
from iur_survey.sem.matrices import Model
from iur_survey.sem.ordinal import ordinal_sample_stats
from iur_survey.sem.partable import build_partable
from iur_survey.sem.wlsmv import dwls_start_values
from iur_survey.sem.wlsmv_groups import ordinal_groups_fit
from iur_survey.sem.wlsmv_invariance import ordinal_invariance

HERE = Path(__file__).parent / "ordinal_refs"
REFS = json.loads((HERE / "wlsmv_start_refs.json").read_text(encoding="utf-8"))


def _hs(p: str) -> str:
    return "\n".join(f"{f} =~ " + " + ".join(f"{p}{k}" for k in ks)
                     for f, ks in (("visual", (1, 2, 3)), ("textual", (4, 5, 6)), ("speed", (7, 8, 9))))


CASES = {
    "second_order": ("wlsmv_2nd_order_300.csv",
                     "F1 =~ y1 + y2 + y3\nF2 =~ y4 + y5 + y6\nF3 =~ y7 + y8 + y9\nG =~ F1 + F2 + F3", False),
    "hs4_stdlv": ("hs_cut_301.csv", _hs("h4_"), True),
    "hs3_regression": ("hs_cut_301.csv", _hs("h3_") + "\nspeed ~ visual + textual", False),
}


def _data(name: str) -> pd.DataFrame:
    return pd.read_csv(HERE / name)


@lru_cache(maxsize=None)
def _fit(case: str):
    csv, model, std_lv = CASES[case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sem(model, _data(csv), ordered=True, std_lv=std_lv)


@pytest.mark.parametrize("case", sorted(CASES))
def test_start_values_are_lavaans(case):
    csv, syntax, std_lv = CASES[case]
    model = Model(build_partable(syntax, meanstructure=False, std_lv=std_lv))
    ov = list(model.groups[0].ov)
    st = ordinal_sample_stats(_data(csv)[ov])
    rows = model.row_values(dwls_start_values(model, [st.cor.to_numpy()], ov))
    pt = model.partable
    ours = {f"{pt.lhs[i]} {pt.op[i]} {pt.rhs[i]}": rows[i] for i in range(len(pt)) if pt.free[i] > 0}
    ref = REFS[case]["start"]
    assert ref and set(ref) <= set(ours)
    for k, v in ref.items():
        assert ours[k] == pytest.approx(v, abs=1e-6), k


@pytest.mark.parametrize("case", sorted(CASES))
def test_one_group_fit_reaches_lavaans_optimum(case):
    fit, ref = _fit(case), REFS[case]
    assert ref["converged"] and fit.converged
    assert fit.fit_measures()["fmin"] == pytest.approx(ref["fmin"], rel=1e-6)
    pe = fit.parameter_estimates(standardized=False)
    ours = {f"{r.lhs} {r.op} {r.rhs}": r.est for r in pe.itertuples() if r.op in ("=~", "~~", "~", "|")}
    common = [k for k in ref["est"] if k in ours]
    assert len(common) > 20
    for k in common:
        assert ours[k] == pytest.approx(ref["est"][k], abs=1e-3, rel=1e-4), k


def test_second_order_did_not_converge_from_the_marker_start():
    """The case the change is for: the marker start alone fails where lavaan's start converges."""
    csv, syntax, _ = CASES["second_order"]
    from iur_survey.sem.wlsmv import fit_dwls, wls_delta, wls_moments
    model = Model(build_partable(syntax, meanstructure=False))
    ov = list(model.groups[0].ov)
    st = ordinal_sample_stats(_data(csv)[ov])
    from iur_survey.sem.wlsmv import dwls_dropped, dwls_parameters
    kept, E, full = dwls_parameters(model, dwls_dropped(model, set(ov)), st.nth)
    nk, p = kept.size, st.p
    th_cols = np.arange(nk, nk + st.nth)

    def mom(t):
        return wls_moments(t[th_cols], model.implied(full(t))[0])

    def dlt(t):
        return wls_delta(model.delta(full(t), meanstructure=False) @ E, p, th_cols)

    def run(kind):
        x0 = np.concatenate([dwls_start_values(model, [st.cor.to_numpy()], ov, kind)[kept], st.th.to_numpy()])
        return fit_dwls(mom, dlt, x0, st.wls_obs, st.wls_vd, st.n, max_iter=60)

    assert not run("marker").converged
    lav = run("lavaan")
    assert lav.converged and lav.fmin == pytest.approx(REFS["second_order"]["fmin"], rel=1e-6)


@lru_cache(maxsize=None)
def _hsmix4(parameterization):
    d = _data("hsmix4_300.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ordinal_invariance(_hs("x"), d, "sg", steps=("configural",), parameterization=parameterization)


def test_delta_configural_has_lavaans_heywood_case():
    fit = _hsmix4("delta").fits["configural"]
    pe = fit.parameter_estimates(standardized=False)
    x1 = pe[(pe.lhs == "x1") & (pe.op == "~~") & (pe.rhs == "x1")].est.to_numpy()
    assert x1[0] == pytest.approx(REFS["hsmix4_delta"]["est"]["x1 ~~ x1"], abs=1e-4) and x1[0] < -0.1
    assert any("some estimated ov variances are negative (x1, x9)" in w for w in fit.warnings)


def test_theta_run_off_names_the_heywood_boundary_not_identification():
    inv = _hsmix4("theta")
    res = inv.fits["configural"]
    g = res.meta["wlsmv_groups"]
    assert ("Pasteur 7", "x1") in g.boundary and g.boundary_only
    heywood = [w for w in res.warnings if w.startswith("a Heywood case: the residual variance of x1 (group Pasteur 7)")]
    assert len(heywood) == 1 and "in those items' parameters only" in heywood[0]
    step = [w for w in inv.warnings if w.startswith("the configural model")]
    assert len(step) == 1 and "boundary of a Heywood case" in step[0] and "x1 (group Pasteur 7)" in step[0]
    assert not any("not identified by these data" in w for w in inv.warnings)
    assert inv.table.loc[0, "decision"] == "not evaluated"


def test_one_group_theta_run_off_is_named():
    """One group, theta, std.lv: the fit runs off along y3's loading (lavaan's nlminb does not converge there);
    the delta fit of the same data shows the Heywood case that the theta warning points to."""
    rng = np.random.default_rng(5)
    f = rng.normal(size=(400, 1))
    ys = f @ [[0.6, 0.6, 1.0, 0.5]] + rng.normal(size=(400, 4)) * np.sqrt([0.64, 0.64, 0.02, 0.75])
    d = pd.DataFrame(np.digitize(ys, [-0.8, 0.2, 1.0]), columns=["a", "b", "c", "e"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        delta = sem("F =~ a + b + c + e", d, ordered=True, std_lv=True)
        theta = sem("F =~ a + b + c + e", d, ordered=True, std_lv=True, parameterization="theta")
    neg = [w for w in delta.warnings if w.startswith("some estimated ov variances are negative")]
    if not neg:
        pytest.skip("this draw has no Heywood case")
    assert "(c)" in neg[0]
    assert any(w.startswith("a Heywood case: the residual variance of c runs to 0") for w in theta.warnings)


def test_identification_problem_is_not_hidden():
    """Singular information outside the boundary items' parameters keeps the identification wording."""
    from iur_survey.sem.wlsmv_groups import boundary_warning, singular_without
    D = np.array([[1e-12, 1.0, 2.0], [0.0, 1.0, 2.0], [1e-12, 0.5, 1.0], [0.0, 0.3, 0.6]])
    assert singular_without(D, np.ones(4), None, [0])               # columns 1 and 2 are collinear
    assert not singular_without(D[:, :2], np.ones(4), None, [0])
    assert "may also not be identified" in boundary_warning("x1 (group 1)", True, True)
    # with a constraint that pins the null direction, the information is not singular
    assert not singular_without(D, np.ones(4), np.array([[0.0, 2.0, -1.0]]), [0])


def test_groups_theta_start_uses_ordered_residual_variance_one():
    """lavaan starts a free residual variance of an ordered item at 1 (theta parameterization, groups 2+ with
    equal thresholds), not at half the polychoric diagonal."""
    rng = np.random.default_rng(3)
    y = rng.normal(size=(500, 1)) @ [[.8, .7, .6, .7]] + rng.normal(size=(500, 4)) * .6
    d = pd.DataFrame(np.digitize(y, [-1, 0, 1]), columns=["a", "b", "c", "e"])
    g = np.where(np.arange(500) < 300, "x", "y")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = ordinal_groups_fit("F =~ a + b + c + e", d, "G", ["x", "y"], g, group_equal=["thresholds"],
                                 parameterization="theta")
    model, pt = res.model, res.model.partable
    ov = list(model.groups[0].ov)
    start = model.row_values(dwls_start_values(model, [np.eye(len(ov))] * 2, ov))
    free_res = [i for i in range(len(pt)) if pt.free[i] > 0 and pt.op[i] == "~~" and pt.lhs[i] == pt.rhs[i]
                and pt.lhs[i] in ov]
    assert len(free_res) == 4 and all(start[i] == 1.0 for i in free_res)
    assert res.converged
