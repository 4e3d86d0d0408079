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


def _close(ours, lav, what):
    """A value of results.json's ``test`` against lavaan's fit@test (NA: null)."""
    if lav == "NA":
        assert ours is None, what
    else:
        assert ours is not None and abs(ours - lav) <= 1e-3 + 1e-5 * abs(lav), (what, ours, lav)


@pytest.mark.parametrize("case", sorted(FILES))
def test_results_json_test_as_lavaan(case):
    """results.json's ``test`` is lavaan's lavInspect(fit, "test"): the same tests, names and values, stat.group
    one number per group ({label: value}; one group: a number)."""
    res, ref = fitted(case), REFS[case]
    got = res.to_dict()["test"]
    lav = ref["tests"]
    if isinstance(lav, list):          # df < 0: lavaan has one (unnamed) test of NA, no scaled one
        assert list(got) == ["standard"] and got["standard"]["df"] == lav[0]["df"]
        assert got["standard"]["pvalue"] is None and set(got["standard"]["stat.group"].values()) == {None}
        return
    assert list(got) == list(lav)
    labels = ref["group_label"] if ref["group"] else None
    for name, t in lav.items():
        assert set(got[name]) == set(t), name
        for key, v in t.items():
            g = got[name][key]
            if key in ("test", "label"):
                assert g == v
            elif key == "stat.group" and labels:
                assert list(g) == labels
                for lab, x in zip(labels, v):
                    _close(g[lab], x, (name, lab))
            else:
                _close(g, v, (name, key))


def test_results_json_test_read_back(tmp_path):
    """Written, read back (validated) and shown in the fit table: each group's part of the standard and of the
    scaled test under its row; a results.json without ``test`` (an older version's) is read, without those rows."""
    from iur_survey.report.paper import fit_apa
    from iur_survey.sem.results_file import group_tests, load_results_file

    res = fitted("mlr_eq")
    p = tmp_path / "r.json"
    p.write_text(res.to_json())
    doc = load_results_file(p)
    lav = REFS["mlr_eq"]["tests"]
    parts = group_tests(doc)
    assert list(parts) == ["standard", "yuan.bentler.mplus"]
    for name in parts:
        np.testing.assert_allclose(list(parts[name].values()), lav[name]["stat.group"], rtol=1e-4)
    frame = fit_apa({"m": doc}).frame.set_index("Model")
    assert frame.loc["m (unscaled): Pasteur", "χ²"] == f"{lav['standard']['stat.group'][0]:.2f}" == "68.82"
    assert frame.loc["m: Grant-White", "χ²"] == "56.09"
    assert frame.loc["m: Grant-White", "*N*"] == "145" and frame.loc["m: Grant-White", "CFI"] == ""
    assert "lavaan's stat.group" in fit_apa({"m": doc}).note
    old = dict(doc)
    del old["test"]
    p.write_text(json.dumps({k: v for k, v in old.items() if k != "_path"}))
    doc = load_results_file(p)
    assert group_tests(doc) == {}
    t = fit_apa({"m": doc})
    assert list(t.frame["Model"]) == ["m", "m (unscaled)"] and "stat.group" not in t.note


@pytest.mark.parametrize("edit, said", [
    (lambda t: t["standard"]["stat.group"].pop("Pasteur"), "test.standard.stat.group is not one number per group"),
    (lambda t: t["standard"]["stat.group"].update(Pasteur="64.3"), "not one number per group"),
    (lambda t: t["standard"].update(stat="high"), "test.standard.stat is 'high', not a number"),
    (lambda t: t.update(standard=[1, 2]), "'test' is not an object of tests")])
def test_results_json_test_hand_edited_is_refused(tmp_path, edit, said):
    from iur_survey.errors import IURSurveyError
    from iur_survey.sem.results_file import load_results_file

    doc = fitted("ml").to_dict()
    edit(doc["test"])
    p = tmp_path / "r.json"
    p.write_text(json.dumps(doc))
    with pytest.raises(IURSurveyError, match=re.escape(said)):
        load_results_file(p)


def test_one_group_and_not_converged():
    """One group: stat.group is the test itself (lavaan's); group_tests has nothing to show.  A fit that did not
    converge writes no test (as no fit measures)."""
    from iur_survey.sem.results import mark_nonconverged
    from iur_survey.sem.results_file import group_tests

    d = fitted("wlsmv1_listwise").to_dict()
    lav = REFS["wlsmv1_listwise"]["tests"]
    _close(d["test"]["scaled.shifted"]["stat.group"], lav["scaled.shifted"]["stat.group"], "one group")
    assert group_tests(d) == {}
    assert "test" not in mark_nonconverged(dict(d, converged=False))
