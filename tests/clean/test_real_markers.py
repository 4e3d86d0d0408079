"""Two rules that fired on real people for a reason that did not hold (Open-Psychometrics GCBS, RWAS and PWE raw
data, whose fake-word vocabulary check marks careless answering; session 32, realcare32):

* ``longpattern`` excluded facet-consistent respondents of a questionnaire that asks its five facets in turn
  (GCBS: Q1 government, Q2 global, ..., Q6 government again): their answers repeat every five items because
  each facet's items get one answer (3-4-1-4-4 three times), not because they clicked a pattern;
* ``psychsyn`` flagged 81 % of the RWAS and 80 % of the PWE respondents: on the pairs of one construct's items
  a careful respondent's within-person correlation is negative by construction, as a random one's.
"""
import numpy as np
import pandas as pd

from iur_survey.clean.rules import longpattern, psychsyn
from iur_survey.instrument import parse_instrument

FACETS = ("GM", "MG", "ET", "PW", "CI")


def _interleaved(seed=1, n=400):
    """Five facets of three items on 1-5, asked in turn (GM1 MG1 ET1 PW1 CI1 GM2 ...); honest one-factor-per-facet
    answers."""
    inst = parse_instrument({"scale": {"min": 1, "max": 5},
                             "constructs": {f: {"items": [f"{f}{i}" for i in (1, 2, 3)]} for f in FACETS}}, "t.yaml")
    cols = [f"{f}{i}" for f in FACETS for i in (1, 2, 3)]
    asked = [f"{f}{i}" for i in (1, 2, 3) for f in FACETS]
    rng = np.random.default_rng(seed)
    eta = rng.normal(size=(n, 1)) * .7 + rng.normal(size=(n, 5)) * .7
    x = np.clip(np.round(3 + eta.repeat(3, axis=1) + rng.normal(scale=.7, size=(n, 15))), 1, 5)
    return inst, cols, asked, pd.DataFrame(x, columns=cols)


def test_a_facet_consistent_respondent_is_no_pattern_far_beyond():
    inst, cols, asked, df = _interleaved()
    profile = dict(zip(FACETS, (3, 4, 1, 4, 4)))
    df.loc[0] = [profile[c[:2]] for c in cols]                      # each facet one answer: 3-4-1-4-4 x 3 as asked
    df.loc[1] = [1 + asked.index(c) % 4 for c in cols]              # a diagonal 1-2-3-4 down the screen
    hit = longpattern(df, inst, order=asked)
    assert "period 5: 3-4-1-4-4" in hit[0] and "same construct" in hit[0]
    assert "[far beyond the cut-off]" not in hit[0]
    assert "[far beyond the cut-off]" in hit[1]
    # the same answers asked facet by facet are no such cycle: the construct check leaves them to the other tests
    assert pd.isna(longpattern(df, inst)[0]) or "same construct" not in longpattern(df, inst)[0]


def test_synonyms_of_one_construct_judge_nobody():
    inst = parse_instrument({"scale": {"min": 1, "max": 5}, "constructs": {"RWA": {"items": [f"RWA{i}" for i in
                                                                                            range(1, 11)]}}}, "t.yaml")
    rng = np.random.default_rng(4)
    n = 400
    x = np.clip(np.round(3 + rng.normal(size=(n, 1)) + rng.normal(scale=.8, size=(n, 10))),
                1, 5)
    df = pd.DataFrame(x, columns=[f"RWA{i}" for i in range(1, 11)])
    out = psychsyn(df, inst)
    assert out.isna().all()
    assert "honest answers drawn from the sample's answer model have r < 0" in out.attrs["not_evaluated"]


def test_synonyms_across_facets_still_judge():
    inst, cols, asked, df = _interleaved(seed=2)
    df.loc[0] = [1, 5, 3, 5, 1, 3, 3, 5, 1, 2, 4, 5, 5, 1, 2]    # each facet's items answered unalike
    out = psychsyn(df, inst)
    assert "not_evaluated" not in out.attrs
    assert out.notna().mean() < 0.3                              # a minority of the careful respondents
    assert pd.notna(out[0])
