"""The β of a `:=` effect whose labels the groups share is the first group's (audit, session 34).

`fit --group role --equal regressions` (or a model whose labels are written once) gives one unstandardized indirect
effect for every group, and lavaan's standardizedSolution() standardizes it with the first group's parameters. The
tables showed that β with Group "—" and the terminal without a word, so it read as the effect of every group: on
the demo export ind_GOV β .100 is the enterprise group's; government's is .131, research institutes' tot_BEN .256
against .177. Now the Group cell says "all groups", the note names the group the β belongs to and gives the effect
standardized in each group, and the terminal summary says so too. References: refs/make_shared_effect_refs.R
(lavaan 0.6.14: the same fit with the group order reversed makes the other group first, so lavaan gives its value).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

from iur_survey.report import paper
from iur_survey.report.terminal import shared_effect_lines, terminal_summary
from iur_survey.sem import sem
from iur_survey.sem.mediation import shared_effects_by_group

HERE = Path(__file__).parent
REF = json.loads((HERE / "refs" / "shared_effect_refs.json").read_text())
HS = HERE.parent / "reference" / "data" / "hs1939.csv"
FIRST, OTHER = REF["groups"]


def _expected():
    return {k: {FIRST: REF["std_first"][k], OTHER: REF["std_other"][k]} for k in ("ind", "tot")}


def _results() -> dict:
    rows = [{**r, "group": r["group"] or None, "pvalue": 0.01, "z": 2.5, "ci.lower": r["est"] - 0.1,
             "ci.upper": r["est"] + 0.1} for r in REF["estimates"]]
    return {"n": 301, "estimator": "ML", "missing": "listwise", "converged": True, "fit": {"chisq": 1.0, "df": 1},
            "groups": {FIRST: 156, OTHER: 145}, "estimates": rows, "call": {"options": {"group": "school"}}}


def test_each_group_value_equals_lavaan_with_that_group_first():
    got = shared_effects_by_group(pd.DataFrame(REF["estimates"]))
    assert list(got) == ["ind", "tot"]
    for name, by in _expected().items():
        assert list(got[name]) == [FIRST, OTHER]
        for g, v in by.items():
            assert got[name][g] == pytest.approx(v, rel=1e-5, abs=1e-7)
    # the first group's is the std.all lavaan reports for the effect
    assert got["ind"][FIRST] == pytest.approx(REF["std_first"]["ind"], rel=1e-9)


def test_own_fit_gives_the_same_values():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sem(REF["model"], pd.read_csv(HS), group="school", warn=False)
    pe = res.parameter_estimates()
    labels = dict(enumerate(REF["groups"], 1))
    pe["group"] = [labels.get(g, "") for g in pe["group"]]
    got = shared_effects_by_group(pe)
    for name, by in _expected().items():
        for g, v in by.items():
            assert got[name][g] == pytest.approx(v, rel=1e-5, abs=1e-6)


def test_per_group_labels_or_one_group_say_nothing():
    est = pd.DataFrame(REF["estimates"])
    own = est.copy()
    own.loc[(own["label"] == "a") & (own["group"] == OTHER), "label"] = "a2"
    own.loc[(own["label"] == "b") & (own["group"] == OTHER), "label"] = "b2"
    assert shared_effects_by_group(own) == {}            # a, b now carried by the first group only
    one = est[est["group"].isin([FIRST, ""])]
    assert shared_effects_by_group(one) == {}


def test_table_names_the_group_of_beta_and_gives_each_group():
    t = paper.effects_apa(_results())
    assert t.frame["Group"].tolist() == [paper.ALL_GROUPS] * 2
    other_ind = f"{REF['std_other']['ind']:.3f}".lstrip("0")
    assert f"they are the β of {FIRST} only" in t.note
    assert f"ind: {FIRST} {REF['std_first']['ind']:.3f}".replace("0.", ".") in t.note
    assert f"{OTHER} {other_ind}" in t.note


def test_terminal_says_whose_std_all_it_is():
    text = terminal_summary(_results())
    assert f"is the first group's ({FIRST})" in text
    line = [ln for ln in text.splitlines() if ln.strip().startswith("ind ") and ":=" not in ln][0]
    assert f"{OTHER} {REF['std_other']['ind']:.3f}".replace("0.", ".") in line
    assert shared_effect_lines([]) == []


def test_effect_of_one_groups_label_and_a_shared_one_is_standardized_within_its_group():
    """`ind2 := a2*b` with a2 Grant-White's and b shared: lavaan's std.all (.092) takes Pasteur's b; within
    Grant-White the effect is .078, lavaan's own value once Grant-White is the first group."""
    mixed = REF["mixed"]
    est = pd.DataFrame(mixed["estimates"])
    got = shared_effects_by_group(est)
    assert got["ind2"] == {OTHER: pytest.approx(mixed["ind1_other_first"], rel=1e-5)}
    assert got["ind1"] == {FIRST: pytest.approx(mixed["ind1"], rel=1e-9)}     # first group: lavaan's own
    assert abs(mixed["ind2"] - mixed["ind1_other_first"]) > 0.01              # what the row's std.all would say
    res = {**_results(), "estimates": [{**r, "group": r["group"] or None, "pvalue": 0.01, "z": 2.5,
                                        "ci.lower": r["est"] - 0.1, "ci.upper": r["est"] + 0.1}
                                       for r in mixed["estimates"]]}
    t = paper.effects_apa(res)
    assert t.frame["Group"].tolist() == [FIRST, OTHER]
    within = f"{mixed['ind1_other_first']:.3f}".lstrip("0")
    assert f"ind2 ({OTHER}) {within}" in t.note and "mix groups" in t.note
    text = terminal_summary(res)
    assert "mixes groups" in text and f"{OTHER} {within}" in text
