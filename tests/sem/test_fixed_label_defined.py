"""A defined parameter (``:=``) that uses the label of a FIXED parameter (``m ~ a*x + 0.3*x``, a marker loading
``visual =~ l1*x1 + ...``): lavaan 0.6.14 refuses the model ("non-free parameter(s) in variable definition(s)");
it fits the same model written with the parameter free and pinned by ``==`` (``a == 0.3``; ``NA*x1 + l1*x1`` with
``l1 == 1``).  Here the model as written is fitted, the fixed parameter a constant (its value, no variance; in
the standardized columns its standardized value), and every number of the := rows equals lavaan's of the
pinned model: estimate, SE, z, p (ML, MLR, two groups, WLSMV), and standardizedSolution()'s est.std and se.
The replication pack gives lavaan the pinned model (model.lav).

References: tests/sem/fixed_label_refs/make_refs.R (refs.json; med300.csv).  Tolerance 1e-4 relative (SEs of
the bootstrap: an identity of the draws).
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
from iur_survey.sem.defined import fixed_labels_in_definitions, lavaan_fixed_label_syntax

HERE = Path(__file__).parent
REFS = json.loads((HERE / "fixed_label_refs" / "refs.json").read_text(encoding="utf-8"))
HS = HERE.parent / "reference" / "data" / "hs1939.csv"


def _data(case: str) -> pd.DataFrame:
    if case.startswith("med"):
        return pd.read_csv(HERE / "fixed_label_refs" / "med300.csv")
    if "wlsmv" in case:
        return pd.read_csv(HERE / "groupsum_refs" / "hs1939_ordered4.csv")
    return pd.read_csv(HS)


def _args(case: str) -> dict:
    a = dict(REFS[case]["args"] or {})
    if a.get("ordered") is True:                      # lavaan's ordered = TRUE: every item of the model
        a["ordered"] = [f"x{i}" for i in range(1, 7)]
    return a


@lru_cache(maxsize=None)
def fitted(case: str, lavaan_syntax: bool = False):
    model = REFS[case]["lavaan"] if lavaan_syntax else REFS[case]["fixed"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sem(model, _data(case), **_args(case))


@pytest.mark.parametrize("case", list(REFS))
def test_defined_rows_equal_lavaans_pinned_model(case):
    ref = REFS[case]
    assert ref["refused"].startswith("lavaan ERROR: non-free parameter(s) in variable definition(s)")
    res = fitted(case)
    pe = res.parameter_estimates()
    for want in (r for r in ref["estimates"] if r["op"] == ":="):
        got = pe[(pe["op"] == ":=") & (pe["lhs"] == want["lhs"])].iloc[0]
        for col in ("est", "se", "z"):
            assert got[col] == pytest.approx(want[col], rel=1e-4), (want["lhs"], col)
        assert got["pvalue"] == pytest.approx(want["pvalue"], rel=1e-4, abs=1e-12)
    ss = res.standardized_solution()
    for want in ref["std"]:
        got = ss[(ss["op"] == ":=") & (ss["lhs"] == want["lhs"])].iloc[0]
        assert got["est.std"] == pytest.approx(want["est.std"], rel=1e-4), want["lhs"]
        assert got["se"] == pytest.approx(want["se.std"], rel=1e-4), want["lhs"]
    # the fit says lavaan refuses the model as written, and how lavaan fits the same one
    said = [w for w in res.warnings if "non-free parameter(s) in variable definition(s)" in w]
    assert said and all("pinned by '=='" in w for w in said)


def test_std_all_of_the_definition_standardizes_the_fixed_parameter():
    """``ind := a*b`` with ``a`` fixed at 0.3: its std.all is a's standardized value times b's (lavaan: 0.10335),
    not 0.3 times b's (0.11845, what the fit gave before)."""
    res = fitted("med_ml")
    ss = res.standardized_solution().set_index(["lhs", "op", "rhs"])
    a_std, b_std = ss.loc[("m", "~", "x"), "est.std"], ss.loc[("y", "~", "m"), "est.std"]
    assert ss.loc[("ind", ":=", "a*b"), "est.std"] == pytest.approx(a_std * b_std, rel=1e-12)
    assert ss.loc[("ind", ":=", "a*b"), "est.std"] == pytest.approx(0.103352878804301, rel=1e-4)


@pytest.mark.parametrize("case", ["med_ml", "hs_marker", "hs_groups"])
def test_the_syntax_for_lavaan_is_the_same_model(case):
    """lavaan_fixed_label_syntax(): the pinned model lavaan fits, and this engine's fit of it gives the numbers of
    the model as written."""
    res = fitted(case)
    text = lavaan_fixed_label_syntax(res.partable)
    assert text is not None and "==" in text
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        again = sem(text, _data(case), **_args(case))
    a, b = res.parameter_estimates(), again.parameter_estimates()
    for col in ("est", "se"):
        x = a.loc[a["op"] == ":=", col].to_numpy(float)
        y = b.loc[b["op"] == ":=", col].to_numpy(float)
        np.testing.assert_allclose(x, y, rtol=1e-4)
    assert lavaan_fixed_label_syntax(fitted(case, lavaan_syntax=True).partable) is None   # nothing to pin
    assert set(fixed_labels_in_definitions(res.partable)) == {
        "med_ml": {"a"}, "hs_marker": {"l1"}, "hs_groups": {"l1", "k1"}}[case]


def test_marker_in_one_group_only_stays_fixed_in_the_other():
    """Only the first group's marker label used: the second group's marker stays at 1 (c(NA, 1)*x1), not freed."""
    from iur_survey.sem.partable import build_partable
    pt = build_partable("visual =~ c(l1, k1)*x1 + c(l2, k2)*x2 + x3\nd := l2 - k2 + l1", ngroups=2)
    text = lavaan_fixed_label_syntax(pt)
    assert text.splitlines()[0] == "visual =~ c(NA, 1)*x1 + c(l1, k1)*x1 + c(l2, k2)*x2 + x3"
    assert text.splitlines()[-1] == "l1 == 1"


def test_bootstrap_draws_take_the_fixed_value():
    """Bootstrap: every draw of ind := a*b is 0.3 times the draw of b (a constant): the same SE and CI as the
    model with ``ind := 0.3*b`` and the same draws."""
    from iur_survey.sem.bootstrap import bootstrap
    d = _data("med_ml")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bt = bootstrap(fitted("med_ml"), 40, seed=3, data=d)
        same = bootstrap(sem("m ~ a*x\ny ~ b*m + c*x\nind := 0.3*b", d), 40, seed=3, data=d)
    pe, pe0 = bt.parameter_estimates(), same.parameter_estimates()
    got = pe.loc[(pe["op"] == ":=") & (pe["lhs"] == "ind")].iloc[0]
    want = pe0.loc[(pe0["op"] == ":=") & (pe0["lhs"] == "ind")].iloc[0]
    for col in ("est", "se", "ci.lower", "ci.upper"):
        assert got[col] == pytest.approx(want[col], rel=1e-6), col     # two refits: their optimizer stops
    assert pe.loc[pe["label"] == "a", "est"].item() == 0.3


def test_replication_pack_gives_lavaan_the_pinned_model(tmp_path):
    from iur_survey.cli import main
    model = tmp_path / "m.lav"
    model.write_text(REFS["med_ml"]["fixed"] + "\n", encoding="utf-8")
    out = tmp_path / "results.json"
    assert main(["fit", str(HERE / "fixed_label_refs" / "med300.csv"), "--model", str(model), "--quiet",
                 "--out", str(out)]) == 0
    assert main(["export-replication", str(out), "--out", str(tmp_path / "pack")]) == 0
    lav = (tmp_path / "pack" / "model.lav").read_text(encoding="utf-8")
    assert lav.splitlines()[0] == "m ~ a*x" and lav.splitlines()[-1] == "a == 0.3"
    assert "pinned at its value by ==" in (tmp_path / "pack" / "README.md").read_text(encoding="utf-8")
