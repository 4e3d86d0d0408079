"""Outside audit of iur_survey.measure against R (session 27): data the package had not been checked on.

References: tests/measure/measureaudit_refs/make_refs.R -> refs.json (lavaan 0.6.14, semTools 0.5-6, psych 2.2.9;
committed, tests never run R), on psych::bfi[1:1200, 1:25] (tests/measure/efa_refs/data_bfi_missing.csv:
reverse-keyed items not recoded, missing cells kept).  Tolerances: 1e-10 for closed forms of the same matrix
(alpha, KMO, Bartlett, HTMT, omega, AVE of lavaan's own estimates); the psych-default figures are compared only
to show they differ from ours, as documented.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.measure import ave, composite_reliability, cronbach_alpha, htmt
from iur_survey.measure._common import as_cov
from iur_survey.measure.efa import bartlett, kmo
from iur_survey.report.sem_tables import factorability_text

HERE = Path(__file__).resolve().parent
REFS = json.loads((HERE / "measureaudit_refs" / "refs.json").read_text(encoding="utf-8"))
RAW = pd.read_csv(HERE / "efa_refs" / "data_bfi_missing.csv")
KEYS = ["A1", "C4", "C5", "E1", "E2", "O2", "O5"]
REC = RAW.assign(**{k: 7 - RAW[k] for k in KEYS})
CMAP = {k: [f"{k}{i}" for i in range(1, 6)] for k in "ACENO"}
TOL = 1e-10


def mat(d) -> pd.DataFrame:
    return as_cov(d)


# ------------------------------------------------------------------ C: which reverse-keyed items alpha's warning names
@pytest.mark.parametrize("k", list("ACENO"))
def test_alpha_of_raw_bfi_equals_psych_and_names_the_items_psych_names(k):
    ref = REFS["alpha"][k]
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        res = cronbach_alpha(RAW, {k: ref["items"]})
    assert res.loc[k, "n"] == ref["n"]
    assert abs(res.loc[k, "alpha"] - ref["raw_alpha"]) < TOL and abs(res.loc[k, "alpha_std"] - ref["std_alpha"]) < TOL
    texts = [str(w.message) for w in said if str(w.message).startswith(f"alpha of {k!r}")]
    if not ref["psych_reverse"]:
        assert texts == []
        return
    assert len(texts) == 1
    named = texts[0].split(" load(s) negatively on the first principal component")[0]
    # psych names E1, E2; every item of E has r_drop < 0, so the r_drop rule named E3, E4, E5 too
    assert named == f"alpha of {k!r}: " + ", ".join(repr(i) for i in ref["psych_reverse"])


def test_alpha_of_recoded_bfi_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = cronbach_alpha(REC, CMAP)
    assert bool((res["alpha"] > 0.5).all())             # recoded: the warning and the low alphas are gone


# ------------------------------------------------------------------ C: KMO and Bartlett of incomplete data
def test_kmo_and_bartlett_of_data_take_the_complete_rows():
    ref = REFS["adequacy"]
    k, b = kmo(RAW), bartlett(RAW)
    assert abs(k.loc["overall", "MSA"] - ref["complete"]["MSA"]) < TOL
    assert np.abs(k["MSA"].iloc[:-1].to_numpy() - ref["complete"]["MSAi"]).max() < TOL
    assert abs(b["chisq"].iloc[0] - ref["complete"]["chisq"]) < 1e-8 * ref["complete"]["chisq"]
    # psych's defaults (pairwise correlations; Bartlett's n = every row, 1200 not 1044) differ, as documented
    assert ref["n_rows"] == 1200 and ref["n_complete"] == 1044
    assert abs(k.loc["overall", "MSA"] - ref["psych_default"]["MSA"]) > 5e-4
    assert ref["psych_default"]["chisq"] - b["chisq"].iloc[0] > 500


# ------------------------------------------------------------------ C: HTMT with absolute=False
def test_signed_htmt_equals_semtools_and_says_why_it_is_nan():
    ref = mat(REFS["htmt_signed"])
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        ours = htmt(RAW, CMAP, absolute=False, matrix=True)
    o = ours.to_numpy()
    r = ref.loc[ours.index, ours.columns].to_numpy()
    off = ~np.eye(len(o), dtype=bool)
    neg = np.isin(ours.index, ["C", "E", "O"])                 # mean monotrait correlation < 0 (raw bfi)
    kept = off & ~neg[:, None] & ~neg[None, :]
    assert np.isfinite(o[kept]).all() and np.abs(o[kept] - r[kept]).max() < TOL      # A-N (-0.23 here)
    assert np.isnan(o[off & ~kept]).all()
    # semTools: NaN with one such construct, a meaningless ratio with two (C-E, C-O, E-O: sqrt of a product of
    # two negative means), which its cut-offs would read as a verdict
    assert np.isfinite(r[off & neg[:, None] & neg[None, :]]).all()
    with pytest.warns(UserWarning, match="is not positive"):
        long = htmt(RAW, CMAP, absolute=False).set_index(["construct_1", "construct_2"])
    assert long.loc[("C", "E"), "below_085"] is pd.NA
    said = [w for w in said if "HTMT" in str(w.message) or issubclass(w.category, RuntimeWarning)]
    msgs = [str(w.message) for w in said]
    assert not any(issubclass(w.category, RuntimeWarning) for w in said)       # numpy's sqrt warning no more
    assert len(msgs) == 1 and msgs[0].startswith("HTMT with absolute=False: the mean correlation among the items of "
                                                 "C (") and "E (" in msgs[0] and "O (" in msgs[0]


# ------------------------------------------------------------------ verified equal: small N and FIML
@pytest.mark.parametrize("case", ["small60", "fiml"])
def test_omega_ave_htmt_equal_semtools_on_small_n_and_fiml(case):
    c = REFS["cfa"][case]
    est, S = pd.DataFrame(c["estimates"]), mat(c["sampstat"])
    pairs = [(composite_reliability(est, S)["omega"], c["compRelSEM"]),
             (composite_reliability(est)["omega"], c["compRelSEM_obs_var_false"]),
             (composite_reliability(est, S, tau_eq=True)["alpha"], c["compRelSEM_tau_eq"]),
             (composite_reliability(est, S, return_total=True)["omega"], c["compRelSEM_total"]),
             (ave(est, S)["ave"], c["AVE"])]
    for ours, ref in pairs:
        assert np.abs(ours.reindex(list(ref)).to_numpy() - np.array(list(ref.values()))).max() < TOL
    data = REC.iloc[[i - 1 for i in c["rows"]]] if c["rows"] else REC
    for key, h2 in (("htmt2", True), ("htmt", False)):
        ours = htmt(data, CMAP, htmt2=h2, matrix=True)
        ref = mat(c[key]).loc[ours.index, ours.columns]
        assert np.abs(ours.to_numpy() - ref.to_numpy()).max() < TOL


# ------------------------------------------------------------------ C: the factorability sentence without Bartlett
def test_factorability_without_bartlett_gives_no_verdict():
    t = factorability_text(0.83, float("nan"), float("nan"), float("nan"))      # a polychoric EFA has no Bartlett
    assert "poorly suited" not in t and "does not reject" not in t and "not judged" in t
    t = factorability_text(float("nan"), 100.0, 10, 0.001)
    assert t.startswith("Bartlett's test rejects") and "The KMO is not available" in t
    assert factorability_text(0.9, 3000.0, 378, 0.0).startswith("The items suit a factor analysis")
