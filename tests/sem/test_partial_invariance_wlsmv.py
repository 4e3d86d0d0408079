"""lavaan's group.partial with ordered items under WLSMV (``sem(..., group_equal=, group_partial=)`` and
``fit --equal ... --free``), against lavaan 0.6.14.

References: tests/sem/partial_refs/partial_wlsmv_refs.json, written by make_partial_wlsmv_refs.R beside it, on
tests/sem/ordinal_refs/wlsmv_groups_630.csv (three groups, ~7 % missing cells, pairwise): group.equal =
c("thresholds", "loadings") with group.partial = c("F1 =~ a2", "a1 | t2", "b3|t1"), delta and theta, and
lavTestLRT (satorra.2000) against the full model.  Read only.  Tolerances as the WLSMV group tests: estimates
1e-4, SEs 0.5 %, fit measures 1e-3 (scaled statistics 1e-4 relative).
"""

from __future__ import annotations

import json
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.errors import EstimationError, ModelSyntaxError
from iur_survey.sem import sem
from iur_survey.sem.compare import lrt
from tests.sem._ordinal_common import assert_estimates_equal_lavaan, assert_sequence_equals_lavaan

HERE = Path(__file__).parent
REFS = json.loads((HERE / "partial_refs" / "partial_wlsmv_refs.json").read_text())
DATA = HERE / "ordinal_refs" / "wlsmv_groups_630.csv"
TWO = REFS["model"]
OPS = ("=~", "~~", "|", "~*~", "~1")


@lru_cache(maxsize=None)
def data() -> pd.DataFrame:
    return pd.read_csv(DATA)


@lru_cache(maxsize=None)
def fit(par: str, partial: tuple = tuple(REFS["group.partial"])):
    return sem(TWO, data(), ordered=True, estimator="WLSMV", missing="pairwise", group="G",
               group_equal=list(REFS["group.equal"]), group_partial=list(partial), parameterization=par)


@pytest.mark.parametrize("par", ["delta", "theta"])
def test_estimates_and_se_as_lavaan(par):
    ref = REFS[par]
    R = pd.DataFrame(ref["estimates"])
    R = R[R["op"].isin(OPS)].copy()
    R["rhs"] = R["rhs"].fillna("")
    R = R.set_index(["lhs", "op", "rhs", "group"])
    O = fit(par).parameter_estimates()
    O = O[O["op"].isin(OPS)].set_index(["lhs", "op", "rhs", "group"])
    assert len(R.index.difference(O.index)) == 0
    O = O.loc[R.index]
    np.testing.assert_allclose(O["est"].to_numpy(float), R["est"].to_numpy(float), atol=1e-4)
    se_r = R["se"].to_numpy(float)
    ok = se_r > 1e-8
    np.testing.assert_allclose(O["se"].to_numpy(float)[ok], se_r[ok], rtol=5e-3)
    assert np.all(O["se"].to_numpy(float)[~ok] < 1e-8)
    # the freed threshold differs between the groups, a shared one does not
    t2 = O.xs(("a1", "|", "t2"), level=[0, 1, 2])["est"]
    t1 = O.xs(("a1", "|", "t1"), level=[0, 1, 2])["est"]
    assert t2.nunique() == 3 and np.ptp(t1.to_numpy()) < 1e-12


@pytest.mark.parametrize("par", ["delta", "theta"])
def test_fit_measures_as_lavaan(par):
    ref = REFS[par]["fit"]
    f = fit(par).fit_measures()
    assert int(f["df"]) == int(ref["df"]) == 107 and int(f["npar"]) == int(ref["npar"])
    for k in ("chisq", "chisq.scaled", "chisq.scaling.factor"):
        np.testing.assert_allclose(f[k], ref[k], rtol=1e-4, err_msg=k)
    for k in ("cfi.scaled", "tli.scaled", "rmsea.scaled", "srmr", "pvalue.scaled"):
        np.testing.assert_allclose(f[k], ref[k], atol=1e-3, err_msg=k)


@pytest.mark.parametrize("par", ["delta", "theta"])
def test_lrt_against_full_model_as_lavaan(par):
    ref = REFS[par]["lrt"]
    full = fit(par, ())
    np.testing.assert_allclose(full.fit_measures()["chisq.scaled"], REFS[par]["full_fit"]["chisq.scaled"], rtol=1e-4)
    tab = lrt(fit(par), full, warn=False)
    assert tab.attrs["method"] == "satorra.2000" and "satorra.2000" in ref["method"]
    assert int(tab["Df diff"].iat[1]) == int(ref["df.diff"]) == 6
    np.testing.assert_allclose(tab["Chisq diff"].iat[1], ref["chisq.diff"], rtol=1e-4)
    np.testing.assert_allclose(tab["Pr(>Chisq)"].iat[1], ref["pvalue"], rtol=1e-3)


def test_replication_call_carries_group_partial():
    from iur_survey.replication.rscript import result_options
    got = result_options(fit("delta"))["group_partial"]
    assert sorted(got) == sorted(["F1 =~ a2", "a1 | t2", "b3 | t1"])


@pytest.mark.parametrize("partial, ge, msg", [
    (["a1 | t2"], ["loadings"], "is a threshold, which group.equal (loadings) does not constrain"),
    (["a1 | t9"], ["thresholds"], "'a1 | t9' is not a threshold of the model (a1 has 4 thresholds"),
    (["zz | t1"], ["thresholds"], "'zz | t1' is not a threshold of the model"),
    (["a1 ~ 1"], ["thresholds", "intercepts"], "the intercept, scale and residual variance of an ordered item"),
    (["F1 ~~ F1"], ["thresholds", "loadings"], "is a latent variance, which group.equal (thresholds, loadings) "
                                               "does not constrain"),
    (["F1 =~ q9"], ["thresholds", "loadings"], "is not a parameter of the model"),
])
def test_an_entry_that_frees_nothing_is_an_error(partial, ge, msg):
    with pytest.raises(ModelSyntaxError) as e:
        sem(TWO, data(), ordered=True, missing="pairwise", group="G", group_equal=ge, group_partial=partial)
    assert msg in str(e.value) and "\n" not in str(e.value)


def test_every_threshold_freed_as_lavaan_and_with_its_loading_an_error():
    """lavaan fits a1's four thresholds freed (its scale then rests on its equal loading): df 105; with the loading
    freed too lavaan warns that the vcov is not positive definite (scale and loading trade off): an error here."""
    every = ("a1 | t1", "a1 | t2", "a1 | t3", "a1 | t4")
    f = fit("delta", every).fit_measures()
    assert int(f["df"]) == int(REFS["every_threshold"]["df"]) == 105
    np.testing.assert_allclose(f["chisq.scaled"], REFS["every_threshold"]["chisq.scaled"], rtol=1e-4)
    with pytest.raises(EstimationError, match="frees every threshold of a1 while its loading is free"):
        sem(TWO, data(), ordered=True, missing="pairwise", group="G", group_equal=["thresholds", "loadings"],
            std_lv=True, group_partial=[*every, "F1 =~ a1"])


def test_one_group_is_an_error():
    with pytest.raises(ModelSyntaxError, match="this fit has one group"):
        sem(TWO, data(), ordered=True, missing="pairwise", group_partial=["a1 | t2"])


def _cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "iur_survey", *args], capture_output=True, text=True, cwd=cwd)


def test_cli_free_with_ordered_items(tmp_path):
    (tmp_path / "m.lav").write_text(TWO + "\n")
    out = tmp_path / "r.json"
    p = _cli("fit", str(DATA), "--model", "m.lav", "--group", "G", "--estimator", "WLSMV", "--missing", "pairwise",
             "--equal", "thresholds,loadings", "--free", "F1 =~ a2; a1 | t2, b3|t1", "--out", str(out), cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    r = json.loads(out.read_text())
    assert sorted(r["group_partial"]) == sorted(["F1 =~ a2", "a1 | t2", "b3 | t1"])
    flagged = {(e["lhs"], e["op"], e["rhs"]) for e in r["estimates"] if e.get("group_partial")}
    assert flagged == {("F1", "=~", "a2"), ("a1", "|", "t2"), ("b3", "|", "t1")}
    np.testing.assert_allclose(r["fit"]["chisq.scaled"], REFS["delta"]["fit"]["chisq.scaled"], rtol=1e-4)


# ---- the Wu & Estabrook sequence with group.partial (semTools' measEq.syntax(..., group.partial =))

@lru_cache(maxsize=None)
def sequence(par: str):
    from iur_survey.sem.wlsmv_invariance import ordinal_invariance
    return ordinal_invariance(TWO, data(), "G", parameterization=par, group_partial=REFS["sequence.partial"])


@pytest.mark.parametrize("par", ["delta", "theta"])
def test_sequence_steps_and_lrt_as_semtools(par):
    ref = REFS[f"sequence_{par}"]
    assert_sequence_equals_lavaan(sequence(par).table, ref)


@pytest.mark.parametrize("par", ["delta", "theta"])
def test_sequence_last_step_estimates_as_semtools(par):
    ref = REFS[f"sequence_{par}"]["thresholds_loadings_intercepts"]
    O = assert_estimates_equal_lavaan(sequence(par).fits["thresholds_loadings_intercepts"], ref["estimates"], OPS)
    # the freed intercept is estimated after the first group, the others stay 0
    a3 = O.xs(("a3", "~1", ""), level=[0, 1, 2])["est"]
    a4 = O.xs(("a4", "~1", ""), level=[0, 1, 2])["est"]
    assert np.all(np.abs(a3.iloc[1:]) > 1e-3) and np.all(a4 == 0)


def test_sequence_says_what_was_freed():
    inv = sequence("delta")
    assert inv.group_partial["thresholds"] == ("a1 | t2", "b3 | t1")
    assert inv.group_partial["thresholds_loadings_intercepts"] == ("F1 =~ a2", "a1 | t2", "b3 | t1", "a3 ~ 1")
    assert "configural" not in inv.group_partial
    d = inv.to_dict()
    assert d["invariance"][3]["group_partial"] == ["F1 =~ a2", "a1 | t2", "b3 | t1", "a3 ~ 1"]
    assert d["invariance_info"]["group_partial"] == ["a1 | t2", "b3 | t1", "F1 =~ a2", "a3 ~ 1"]
    assert inv.level_text.startswith("partial thresholds_loadings invariance (freed: F1 =~ a2, a1 | t2, b3 | t1)")
    assert "level: partial thresholds_loadings invariance (freed:" in inv.summary()
    assert "freed in thresholds (lavaan's group.partial): a1 | t2, b3 | t1" in inv.summary()


def test_sequence_replication_syntax_frees_the_entries():
    from iur_survey.sem.wlsmv_invariance import we_lavaan_syntaxes
    syn = we_lavaan_syntaxes(TWO, data(), "G", steps=["thresholds_loadings_intercepts"],
                             group_partial=REFS["sequence.partial"])["thresholds_loadings_intercepts"]
    lines = syn.splitlines()
    assert "a3 ~ c(0, NA, NA)*1" in lines and "a4 ~ c(0, 0, 0)*1" in lines
    assert "F1 =~ c(NA, NA, NA)*a1 + c(L1_1, L1_1, L1_1)*a1 + c(NA, NA, NA)*a2" in syn
    assert "c(NA, NA, NA)*t2" in next(x for x in lines if x.startswith("a1 |"))


@pytest.mark.parametrize("partial, exc, msg", [
    (["F1 =~ a1", "F1 =~ a2", "F1 =~ a3", "F1 =~ a4"], EstimationError, "every loading of F1 is freed"),
    (["a1 ~ 1", "a2 ~ 1", "a3 ~ 1", "a4 ~ 1"], EstimationError,
     "no item of F1 keeps its intercept and its thresholds equal"),
    (["F1 ~~ F2"], ModelSyntaxError, "the Wu & Estabrook steps hold thresholds"),
    (["F1 =~ b1"], ModelSyntaxError, "'F1 =~ b1' is not a loading of the model"),
    (["a1 | t5"], ModelSyntaxError, "'a1 | t5' is not a threshold of the model (a1 has 4 thresholds)"),
])
def test_sequence_entry_errors(partial, exc, msg):
    from iur_survey.sem.wlsmv_invariance import ordinal_invariance
    with pytest.raises(exc) as e:
        ordinal_invariance(TWO, data(), "G", group_partial=partial)
    assert msg in str(e.value) and "\n" not in str(e.value)


# a binary item's threshold or intercept, and all but one or every threshold of an item, freed: fitted as
# semTools' rules say (test_partial_invariance_wlsmv_items.py)


def test_cli_ordinal_invariance_with_free(tmp_path):
    (tmp_path / "m.lav").write_text(TWO + "\n")
    out = tmp_path / "r.json"
    p = _cli("fit", str(DATA), "--model", "m.lav", "--group", "G", "--estimator", "WLSMV", "--missing", "pairwise",
             "--invariance", "--free", "F1 =~ a2; a1 | t2; b3|t1; a3 ~ 1", "--out", str(out), cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    r = json.loads(out.read_text())
    steps = {s["step"]: s for s in r["invariance"]}
    ref = REFS["sequence_delta"]
    for s in ref:
        np.testing.assert_allclose(steps[s]["fit"]["chisq.scaled"], ref[s]["fit"]["chisq.scaled"], rtol=1e-4)
    assert steps["thresholds"]["group_partial"] == ["a1 | t2", "b3 | t1"]
    assert r["invariance_info"]["level_text"].startswith("partial thresholds_loadings invariance")
    bad = _cli("fit", str(DATA), "--model", "m.lav", "--group", "G", "--estimator", "WLSMV", "--invariance",
               "--free", "F1 ~~ F2", "--out", str(tmp_path / "r2.json"), cwd=tmp_path)
    assert bad.returncode == 2 and "--free: 'F1 ~~ F2'" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
