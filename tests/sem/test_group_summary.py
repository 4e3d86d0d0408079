"""The header and "Model Test User Model:" block of ``summary()`` of two-group fits against lavaan 0.6.14's
``summary(fit)`` (HS1939, group = "school"): ML, ML with group.equal, listwise ML, MLR, FIML, FIML + MLR,
WLSMV (ordered), WLSMV with group.equal, WLSMV listwise / pairwise, one-group WLSMV listwise / pairwise fits, MLR with
df = 0 and WLSMV with df < 0 (no test: NA per group, one column).

References: tests/sem/groupsum_refs/make_refs.R (refs.json: lavaan's fit@test values and printed lines; the
ordered data sets it writes).  Compared line by line: the same labels in the same order, the numbers within
the print's rounding, plus lavaan's stat.group (standard and scaled) to 1e-4.
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.sem import cfa
from iur_survey.sem.results import scaled_stat_group

HERE = Path(__file__).parent
REFS = json.loads((HERE / "groupsum_refs" / "refs.json").read_text())
DATA = HERE.parent / "reference" / "data"
MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
FILES = {"ml": "hs1939.csv", "ml_eq": "hs1939.csv", "ml_listwise": "hs1939_missing.csv", "mlr_eq": "hs1939.csv",
         "fiml": "hs1939_missing.csv", "fiml_mlr": "hs1939_missing.csv", "wlsmv": "ordered4",
         "wlsmv_eq": "ordered4", "wlsmv_listwise": "ordered4_missing", "wlsmv_pairwise": "ordered4_missing",
         "wlsmv1_listwise": "ordered4_missing", "wlsmv1_pairwise": "ordered4_missing", "mlr_df0": "hs1939.csv", "wlsmv_dfneg": "ordered4"}
_FITS: dict = {}


def _data(name: str) -> pd.DataFrame:
    if name.startswith("ordered4"):
        return pd.read_csv(HERE / "groupsum_refs" / f"hs1939_{name}.csv")
    return pd.read_csv(DATA / name)


def fitted(case: str):
    """Our fit of a reference case (once per session)."""
    if case not in _FITS:
        ref = REFS[case]
        a = ref["args"]
        kw = {"group": ref.get("group"), "missing": a.get("missing", "listwise")}
        if "estimator" in a:
            kw["estimator"] = a["estimator"]
        if a.get("ordered"):
            kw["ordered"] = True
        if "group.equal" in a:
            ge = a["group.equal"]
            kw["group_equal"] = [ge] if isinstance(ge, str) else list(ge)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _FITS[case] = cfa(ref.get("model") or MODEL, _data(FILES[case]), **kw)
    return _FITS[case]


_NUM = re.compile(r"^-?\d+(\.\d+)?$|^NA$")


def parsed(lines: list[str]) -> list[tuple[str, list[float]]]:
    """Per non-blank line: its words (label) and its numbers, leaving out lines that differ by design (the
    engine line, the optimizer's name)."""
    out = []
    for line in lines:
        if not line.strip() or "ended normally" in line or "Optimization method" in line:
            continue
        words = line.split()
        nums = []
        while words and _NUM.match(words[-1]):
            w = words.pop()
            nums.insert(0, float("nan") if w == "NA" else float(w))
        out.append((" ".join(words), nums))
    return out


def header(res) -> list[str]:
    return res.summary(fit_measures=False).split("Parameter Estimates:")[0].splitlines()


@pytest.mark.parametrize("case", sorted(FILES))
def test_header_and_test_block_as_lavaan(case):
    ours, lav = parsed(header(fitted(case))), parsed(REFS[case]["header"])
    assert [w for w, _ in ours] == [w for w, _ in lav]
    for (label, a), (_, b) in zip(ours, lav):
        assert len(a) == len(b), label
        np.testing.assert_allclose(a, b, atol=1.5e-3, rtol=0, err_msg=label)


@pytest.mark.parametrize("case", sorted(c for c in FILES if REFS[c]["group"] and c != "wlsmv_dfneg"))
def test_stat_group_values(case):
    res, ref = fitted(case), REFS[case]
    tests = list(ref["tests"].values())
    std = res.meta["chisq_group"]
    np.testing.assert_allclose(std, tests[0]["stat.group"], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(sum(std), res.fit["chisq"], rtol=1e-8)
    if len(tests) > 1:
        t = tests[1]
        f = res.fit
        shift = res.test.get("shift_parameter") if t["test"] == "scaled.shifted" else None
        sc = scaled_stat_group(std, f["chisq.scaling.factor"], f["df"], res.nobs, shift)
        np.testing.assert_allclose(sc, t["stat.group"], rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(sum(sc), t["stat"], rtol=1e-4, atol=1e-6)


def test_counts_as_lavaan():
    """nobs, norig, missing patterns and the equality constraints lavaan prints, as numbers."""
    for case in FILES:
        res, ref = fitted(case), REFS[case]
        text = "\n".join(header(res))
        assert [int(n) for n in res.nobs] == list(np.atleast_1d(ref["nobs"])), case
        if ref["neq"]:
            assert re.search(rf"Number of equality constraints +{ref['neq']}\n", text), case
        else:
            assert "equality constraints" not in text, case
        assert re.search(rf"Number of model parameters +{ref['npar']}\n", text), case
        if ref["npatterns"] is not None:
            assert [int(v) for v in res.meta["npatterns"]] == list(np.atleast_1d(ref["npatterns"])), case
