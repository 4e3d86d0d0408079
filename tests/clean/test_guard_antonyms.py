"""The style guard lifted by the antonyms: a whole-form random-answer ratio beyond its style-free far level but within
the guard for stretched answer styles (``[within the style guard]``) is far beyond where ``psychant`` flags too (an
honest stretched responder still answers antonym pairs against each other; uniform random answers do not).  Figures in
:mod:`iur_survey.clean.decision`'s docstring; ``decision: {guard_antonyms: false}`` restores the previous rule."""
import re

import numpy as np
import pandas as pd

from iur_survey.clean import rules
from iur_survey.clean.config import CleanConfig
from iur_survey.clean.decision import basis_rules, decide
from iur_survey.instrument import load_instrument

BAND = ("random-answer likelihood ratio 0.40 over 28 items > -1.38, its 0.995 quantile ..., beyond its 0.999 quantile "
        "0.12 but within the guard for stretched answer styles 0.36 [within the style guard]")


def _flags(rl, anto, **more):
    f = {"random_likelihood": pd.Series([rl], dtype="string"), "psychant": pd.Series([anto], dtype="string")}
    f.update({r: pd.Series([pd.NA], dtype="string") for r in ("psychsyn", "even_odd", "person_total")})  # quorum 3
    f.update({k: pd.Series([v], dtype="string") for k, v in more.items()})
    return f


def test_band_beside_antonyms_is_far_beyond():
    ex, basis = decide(_flags(BAND, "psychometric antonyms r = 0.11 over 12 pairs > 0"))
    assert ex.tolist() == [True]
    assert basis == ["far beyond the style-free cut-off, the antonyms against a style: random_likelihood, psychant"]
    assert basis_rules(basis[0]) == {"random_likelihood", "psychant"}


def test_band_alone_or_below_it_is_kept():
    assert decide(_flags(BAND, pd.NA))[0].tolist() == [False]                       # no antonyms: the guard holds
    plain = "random-answer likelihood ratio -1.0 over 28 items > -1.38, its 0.995 quantile ..."
    assert decide(_flags(plain, "psychometric antonyms r = 0.11 over 12 pairs > 0"))[0].tolist() == [False]
    assert decide(_flags(BAND, "r 0.11"), guard_beside={})[0].tolist() == [False]  # the option off


def test_far_beyond_keeps_its_own_basis():
    far = "random-answer likelihood ratio 2.0 over 28 items > -1.38, ..., and > 0.36, ... [far beyond the cut-off]"
    assert decide(_flags(far, "r 0.11"))[1] == ["far beyond the cut-off: random_likelihood"]


def test_the_rule_marks_only_the_band_between_the_two_far_levels():
    inst = load_instrument()
    cols = [c for c in inst.item_codes if c[:3] in ("GOV", "MKT", "BEN", "VAL")]
    marked = 0
    for seed in (2, 3):
        rng = np.random.default_rng(seed)
        f = np.repeat(rng.normal(size=(800, 4)), 4, axis=1)
        df = pd.DataFrame(np.clip(np.round(3.6 + f + rng.normal(scale=.7, size=(800, 16))), 1, 5), columns=cols)
        df.loc[:39] = rng.integers(1, 6, size=(40, 16))                        # forty random responders
        out = rules.random_likelihood(df, inst).dropna()
        for text in out:
            whole = text.split("; ")[0]
            if f"[{rules.GUARDED}]" not in whole:
                continue
            marked += 1
            lr, free, guard = (float(v) for v in re.search(
                r"ratio (-?[\d.]+) over .*, beyond its 0.999 quantile (-?[\d.]+) but within the guard for "
                r"stretched answer styles (-?[\d.]+) \[", whole).groups())
            assert free < lr <= guard, whole
            assert rules.FAR not in whole
        assert not any(f"[{rules.GUARDED}]" in t.split("; ")[1] for t in out if "; " in t)   # the tail ratio: never
    assert marked >= 1


def test_config():
    assert CleanConfig().decision_guard_antonyms is True
    cfg = CleanConfig.from_dict({"decision": {"guard_antonyms": False}})
    assert cfg.decision_guard_antonyms is False and cfg.to_dict()["decision"]["guard_antonyms"] is False
