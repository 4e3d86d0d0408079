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


def test_cli_ordinal_invariance_with_free_is_refused(tmp_path):
    (tmp_path / "m.lav").write_text(TWO + "\n")
    p = _cli("fit", str(DATA), "--model", "m.lav", "--group", "G", "--estimator", "WLSMV", "--invariance",
             "--free", "a1 | t2", "--out", str(tmp_path / "r.json"), cwd=tmp_path)
    assert p.returncode != 0
    assert "--invariance sequence of ordered items" in p.stderr and "thresholds ('x1 | t2')" in p.stderr
