"""The index rules hold their levels on honest answers unlike the simulator's.

Honest answers here come from a rounded factor model (latent normal responses cut at
item thresholds) with the category shares, item nonresponse and questionnaire lengths
that real exports show and the simulators do not: most answers at 4-5 (a ceiling), items
nearly everyone answers alike, 7.5 % of answers missing, a short form of 3 x 3 items, and
respondents kept out of the reference sample (as ``speeder`` keeps fast careful readers
out).  Each test failed before the fix named in it (rates measured then in the comments)
and asserts a margin over the nominal level, pooled over several seeds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import special

from iur_survey._threads import blas_threads
from iur_survey.clean.rules import FAR, longpattern, mahalanobis, mahalanobis_direction, mahalanobis_quotient
from iur_survey.instrument import load_instrument, parse_instrument

INST = load_instrument()
ITEMS = list(INST.item_codes)


@pytest.fixture(autouse=True)
def _one_blas_thread():
    """As inside the cleaning pipeline: the many small covariances of the honest draws need no BLAS threads."""
    with blas_threads(1):
        yield


def honest(n: int, seed: int, items: list[str], inst, shares=None, near_constant: int = 0, missing: float = 0.0,
           per: int = 4) -> pd.DataFrame:
    """Rounded factor-model answers (raw codes): constructs of ``per`` items, loadings .6-.85, constructs r .4."""
    rng = np.random.default_rng([seed, 77])
    k = len(items)
    q = -(-k // per)
    phi = np.full((q, q), 0.4) + 0.6 * np.eye(q)
    eta = rng.multivariate_normal(np.zeros(q), phi, size=n, method="cholesky")  # SVD basis: CPU-dependent
    lam = rng.uniform(0.6, 0.85, size=k)
    y = eta[:, np.arange(k) // per] * lam + rng.normal(size=(n, k)) * np.sqrt(1 - lam ** 2)
    m = inst.scale_max - inst.scale_min + 1
    base = np.full(m, 1 / m) if shares is None else np.asarray(shares, dtype=float)
    tau = np.array([special.ndtri(np.cumsum(rng.dirichlet(base * 60 + 0.5))[:-1]) for _ in range(k)])
    for j in rng.choice(k, size=near_constant, replace=False):
        tau[j] = special.ndtri(np.cumsum(np.r_[np.full(m - 1, 0.03 / (m - 1)), 0.97])[:-1])
    score = (y[:, :, None] > np.sort(tau, axis=1)[None]).sum(axis=2)
    rev = np.isin(items, list(inst.reverse_items))
    x = np.where(rev, m - 1 - score, score).astype(float) + inst.scale_min
    x[rng.random(x.shape) < missing] = np.nan
    return pd.DataFrame(x, columns=items)


def rate(rule, frames, **kw) -> float:
    return float(np.mean(np.concatenate([rule(df, INST, **kw).notna().to_numpy() for df in frames])))


def test_distance_rules_hold_their_level_on_a_ceiling_and_nearly_constant_items():
    """D² of skewed, nearly constant items has a heavier tail than the Beta law: the cut-offs come from the sample's model.

    Before (the Beta law alone): size flagged 12.9 % of these honest respondents (level 1 %),
    direction 15.2 % (level 0.5 %); after 0.9 % and 0.5 %.  On a whole export with such
    items the two together excluded 16 % of the honest respondents.
    """
    frames = [honest(600, s, ITEMS, INST, shares=[.04, .05, .08, .25, .58], near_constant=2) for s in (1, 2, 3)]
    assert rate(mahalanobis, frames) < 0.02
    assert rate(mahalanobis_direction, frames) < 0.012


@pytest.mark.parametrize("n", [150, 1500])
def test_distance_rules_hold_their_level_with_item_nonresponse(n):
    """With answers missing, D² of an incomplete row follows the F law of a row outside the estimation sample.

    Before (the Beta law with every reference row as n): size flagged 6.3 % at N 150 and 2.5 %
    at N 1500 (level 1 %), direction 7.2 % and 1.1 % (level 0.5 %); after at most 0.3 %.
    """
    frames = [honest(n, s, ITEMS, INST, shares=[.1, .2, .3, .25, .15], missing=0.075) for s in (1, 2, 3, 4)]
    assert rate(mahalanobis, frames) < 0.02
    assert rate(mahalanobis_direction, frames) < 0.01


def test_structure_holds_its_level_outside_the_reference_sample():
    """Q of a row the reference left out (a fast careful reader) meets the estimation error of R in full.

    Before (the known-R cut-off for everyone): 14.8 % of such honest rows beyond the .975 level
    with 150 reference rows; after 1.0 %.
    """
    hits = []
    for s in (1, 2, 3):
        df = honest(650, s, ITEMS, INST, shares=[.1, .2, .3, .25, .15])
        ref = np.zeros(len(df), dtype=bool)
        ref[:150] = True
        hits.append(mahalanobis_quotient(df, INST, reference=ref).notna().to_numpy()[150:])
    assert np.mean(np.concatenate(hits)) < 0.045


def test_longpattern_short_form_of_equal_constructs():
    """On 3 constructs x 3 items, each with its third item reversed, consistent answers repeat every 3 items.

    Before (cut-offs from the form's length alone: 5 and 6 of 9): 3.0 % of honest answers
    were patterned far beyond the cut-off, and so excluded on that alone; after none.
    """
    doc = {"scale": {"min": 1, "max": 5}, "group_column": "role",
           "constructs": {c: {"items": [f"{c}{i}" for i in (1, 2, 3)], "reverse": [f"{c}3"]} for c in "ABC"}}
    inst = parse_instrument(doc)
    items = list(inst.item_codes)
    far = []
    for s in (1, 2, 3):
        df = honest(1500, s, items, inst, shares=[.1, .2, .3, .25, .15], per=3)
        far.append(longpattern(df, inst).fillna("").str.contains(FAR, regex=False).to_numpy())
    assert np.mean(np.concatenate(far)) < 0.005


def test_an_attention_check_the_export_does_not_carry_excludes_nobody(tmp_path):
    """An instrument's check whose column the reader cannot find reads as all empty: not evaluated, not failed.

    Before: a Qualtrics export of an instrument whose check has no wording (so the reader
    could not match its question) lost every response to ``attention`` ('ATT1 unanswered').
    """
    from iur_survey.clean.pipeline import clean
    from iur_survey.read import read_export
    from iur_survey.simulate.writers import write_export

    doc = {"scale": {"min": 1, "max": 5}, "group_column": "role", "groups": {"a": ["A"], "b": ["B"]},
           "role_question": {"en": "Which group are you in?"}, "attention_checks": {"ATT1": 4},
           "constructs": {c: {"items": [f"{c}{i}" for i in (1, 2, 3, 4)]} for c in "ABCD"}}
    inst = parse_instrument(doc)
    items = list(inst.item_codes)
    df = honest(120, 1, items, inst, shares=[.1, .2, .3, .25, .15])
    n = len(df)
    df.insert(0, "response_id", [f"R{i}" for i in range(n)])
    df.insert(1, "role", ["a", "b"] * (n // 2))
    df["ATT1"] = 4.0
    df["_status"], df["_finished"], df["_progress"] = "IP Address", True, 100.0
    df["_duration"] = 600.0
    df["_submitted"] = pd.Timestamp("2024-03-01") + pd.to_timedelta(np.arange(n) * 60, unit="s")
    df["_ip"] = [f"10.0.0.{i}" for i in range(n)]
    for col in ("_email", "_name", "_phone", "_location", "_comment"):
        df[col] = None
    raw = read_export(write_export(df, inst, "qualtrics", tmp_path / "q.csv"), inst)
    assert raw.frame["ATT1"].isna().all()          # the reader could not match the check's column
    res = clean(raw, inst)
    assert "attention" in res.report["rules_not_evaluated"]
    assert res.report["n_excluded_screening"] == 0
