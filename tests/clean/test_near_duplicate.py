"""near_duplicate: a near copy of an earlier response, judged against chance (issue 12)."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from iur_survey.clean import CleanConfig, clean
from iur_survey.clean.indices import band_pairs, match_tail
from iur_survey.clean.rules import DEFAULT_RULES, FAR, near_duplicate
from iur_survey.errors import IURSurveyError
from iur_survey.instrument import load_instrument
from iur_survey.read.base import RawResponses
from iur_survey.simulate import simulate
from iur_survey.simulate.contamination import Contamination

STYLES = ("acquiescent", "extreme", "midpoint", "fast_careful")


def _kinds(sim) -> np.ndarray:
    """Each row's kind: its primary careless kind, else its honest style, else 'honest'."""
    k = np.full(len(sim.frame), "honest", dtype=object)
    styled = sim.truth[sim.truth["kind"].isin(STYLES)]
    k[styled["position"].to_numpy()] = styled["kind"].to_numpy()
    prim = sim.truth[sim.truth["primary"] & ~sim.truth["kind"].isin(STYLES + ("item_nonresponse",))]
    k[prim["position"].to_numpy()] = prim["kind"].to_numpy()
    return k


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_near_copies_caught_and_honest_kept(seed):
    # 3-6 of 28 answers changed; styles at several times their default shares
    cont = Contamination.from_dict({"near_copy": 0.03, "acquiescent": 0.15, "extreme": 0.15, "midpoint": 0.15})
    sim = simulate(1500, seed=seed, contamination=cont)
    hit = near_duplicate(sim.frame, load_instrument())
    k = _kinds(sim)
    flagged, far = hit.notna().to_numpy(), hit.fillna("").str.contains(FAR, regex=False).to_numpy()
    copies = k == "near_copy"
    assert copies.sum() == 45
    assert flagged[copies].mean() >= 0.6         # about .8 at these seeds
    assert far[copies].mean() >= 0.25            # about .5
    honest = np.isin(k, ("honest",) + STYLES)
    assert flagged[honest].mean() <= 0.005       # about .001
    assert not far[honest].any()
    for style in ("acquiescent", "extreme", "midpoint"):
        assert flagged[k == style].mean() <= 0.01


def test_detail_names_the_earlier_response_and_nothing_personal():
    sim = simulate(600, seed=4, contamination=Contamination.from_dict({"near_copy": 0.03}))
    hit = near_duplicate(sim.frame, load_instrument())
    copies = sim.truth[sim.truth["kind"] == "near_copy"]
    ids = sim.frame["response_id"].to_numpy()
    for pos, detail in zip(copies["position"], copies["detail"]):
        if pd.isna(hit.iloc[pos]):
            continue
        original = detail.split()[2]                    # "answers of R_... (position ...)"
        assert f"response {original} (row " in hit.iloc[pos]
        assert ids[pos] != original
    text = " ".join(hit.dropna())
    for col in ("_ip", "email", "name", "phone"):
        if col in sim.frame.columns:
            for v in sim.frame[col].dropna().astype(str).head(200):
                assert v not in text


def test_the_first_submission_is_kept():
    inst = load_instrument()
    cols = list(inst.items)
    rng = np.random.default_rng(5)
    x = rng.integers(1, 6, size=(200, len(cols))).astype(float)
    x[50] = x[120]
    x[50, :4] = (x[120, :4] % 5) + 1                    # row 50 comes first in the file, but is submitted later
    stamps = pd.date_range("2024-01-01", periods=200, freq="min").to_numpy().copy()
    stamps[[50, 120]] = stamps[[120, 50]]
    df = pd.DataFrame(x, columns=cols).assign(response_id=[f"R{i}" for i in range(200)], _submitted=stamps)
    hit = near_duplicate(df, inst)
    assert hit.notna().sum() == 1 and pd.notna(hit.iloc[50])
    assert hit.iloc[50].startswith(f"{len(cols) - 4} of {len(cols)} item answers identical to response R120 (row 121)")


def test_straight_lines_are_chance_not_copies():
    # many people answering "5" to everything, and some nearly so: common patterns are no evidence
    inst = load_instrument()
    cols = list(inst.items)
    rng = np.random.default_rng(6)
    x = rng.integers(1, 6, size=(400, len(cols))).astype(float)
    x[:80] = 5.0
    slips = rng.random((80, len(cols))) < 0.1
    x[:80][slips] = 4.0
    hit = near_duplicate(pd.DataFrame(x, columns=cols), inst)
    assert hit.iloc[:80].notna().sum() <= 2


def test_band_pairs_finds_every_copy_with_few_changes():
    rng = np.random.default_rng(7)
    cat = rng.integers(0, 5, size=(500, 30))
    cat[400:] = cat[:100]
    for i in range(400, 500):                           # 1-6 changes: two whole bands of 8 always agree
        j = rng.choice(30, size=rng.integers(1, 7), replace=False)
        cat[i, j] = (cat[i, j] + 1) % 5
    later, earlier = band_pairs(cat, np.arange(500), bands=8)
    found = set(zip(later.tolist(), earlier.tolist()))
    assert all((400 + i, i) in found for i in range(100))
    assert (later > earlier).all() if len(later) else True


def test_match_tail_is_the_binomial_tail_for_equal_probabilities():
    from scipy import stats
    q = np.full((3, 20), 0.3)
    m = np.array([5, 12, 20])
    assert np.allclose(match_tail(q, m), stats.binom.sf(m - 1, 20, 0.3), rtol=1e-9, atol=1e-15)


@pytest.mark.filterwarnings("ignore:iur-survey clean. the careless-responding indices excluded")
def test_pipeline_opt_in_and_ledger(tmp_path):
    assert "near_duplicate" not in DEFAULT_RULES
    inst = load_instrument()
    sim = simulate(800, seed=8, contamination=Contamination.from_dict({"near_copy": 0.03}))
    raw = RawResponses(frame=sim.frame, source="sim.csv", format="csv", sha256="ab" * 32)
    base = clean(raw, inst)
    assert "near_duplicate" not in set(base.exclusions["rule"])
    cfg = dataclasses.replace(CleanConfig(), rules=CleanConfig().rules + ("near_duplicate",))
    res = clean(raw, inst, cfg)
    led = res.exclusions[res.exclusions["rule"] == "near_duplicate"]
    assert len(led) >= 10
    assert led["detail"].str.contains("identical to response R_").all()
    far = led[led["detail"].str.contains(FAR, regex=False)]
    assert (far["action"] == "excluded").all() and len(far) >= 5


def test_settings_checked():
    with pytest.raises(IURSurveyError):
        CleanConfig.from_dict({"near_duplicate": {"alpha": 1e-6, "far_alpha": 1e-3}})
    cfg = CleanConfig.from_dict({"rules": list(DEFAULT_RULES) + ["near_duplicate"], "near_duplicate": {"far_alpha": 1e-7}})
    assert cfg.params("near_duplicate")["far_alpha"] == 1e-7


def test_simulator_opt_in_leaves_the_default_sample_alone():
    a = simulate(300, seed=9)
    b = simulate(300, seed=9, contamination=Contamination.from_dict({"near_copy": 0.02}))
    assert "near_copy" not in set(a.truth["kind"]) and (b.truth["kind"] == "near_copy").sum() == 6
    extra = b.truth.loc[b.truth["kind"] == "near_copy", "response_id"]
    rest = b.frame[~b.frame["response_id"].isin(extra)]
    cols = [c for c in a.frame.columns if c not in ("_row",)]
    pd.testing.assert_frame_equal(a.frame[cols].reset_index(drop=True), rest[cols].reset_index(drop=True),
                                  check_dtype=False)
