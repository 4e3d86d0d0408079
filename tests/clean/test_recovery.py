"""simulate -> write export -> read -> clean: recovery of the injected cases, and privacy.

Every export layout the simulator writes is read back by :func:`iur_survey.read.read_export`
and cleaned with the default configuration; :func:`iur_survey.clean.evaluate.recovery` compares
the ledger with the simulator's truth (matched by raw row).  Counts are pooled over the
seeds of a format before the floors are applied.

Floors: the record-level screens (status where the export records a status, unfinished,
duplicates, attention, out of range) catch every case; of the careless kinds (excluded by
any rule, pooled over the seeds) at least 95 % of the straight-liners, 89 % of the random
responders (95 % before the inconsistency indices counted beside speed and likelihood
only: at N 5000, seeds 21-23, 285 -> 284 of 300, for 73 -> 48 honest exclusions; 94 % before
the direction of the answers counted beside speed only: at N 800, seeds 11-13, 46 -> 45 of 48,
at N 5000, seeds 21-23, 284 -> 271 of 300,
the measured cost of not counting two distances of the same answers as two pieces of evidence,
iur_survey.clean.decision), 90 % of
the patterned ones, 55 % of the partly careless and 35 % of the speeders (the simulator's speeders answer nearly as consistently as a fast careful
reader: their flag keeps them visible, see the evaluation in iur_survey.clean.evaluate);
at most 1.5 % of honest respondents are excluded (5 % of any response style) and at
least 95 % of the exclusions are real.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from iur_survey.clean import clean
from iur_survey.clean.evaluate import recovery
from iur_survey.clean.evaluate import outcomes
from iur_survey.instrument import load_instrument
from iur_survey.read import read_export, sha256_file

import iur_survey.simulate as simulate_mod
import iur_survey.simulate.writers as writers

# one worker computes the module's runs once (make test uses --dist loadgroup)
pytestmark = pytest.mark.xdist_group("clean_recovery")

INST = load_instrument()
EXT = {"qualtrics": ".csv", "wjx_csv": ".csv", "wjx_xlsx": ".xlsx", "spss": ".sav", "csv": ".csv", "xlsx": ".xlsx"}
FORMATS = tuple(EXT)
SEEDS = (11, 12, 13)
N = 800
SCREEN_KINDS = ("unfinished", "duplicate_id", "duplicate_ip", "attention", "out_of_range")
STATUS_KINDS = ("preview", "test", "spam")
#: random 0.89 until a D² no longer counted beside the random-answer ratio (the same distance again): at N 5000
#: 0.90 -> 0.88 (csv), for extreme and IRTree responders excluded about half as often (clean/decision.py)
CARELESS_FLOORS = {"speeder": 0.35, "straightliner": 0.95, "random": 0.85, "pattern": 0.90, "partial": 0.55}
STYLES = ("acquiescent", "extreme", "midpoint", "fast_careful")


def run_one(fmt, seed, n, tmp):
    sim = simulate_mod.simulate(n, seed=seed)
    path = writers.write_export(sim.frame, INST, fmt, tmp / f"export_{fmt}_{seed}{EXT[fmt]}")
    before = (sha256_file(path), path.stat().st_mtime_ns)
    raw = read_export(path, INST)
    res = clean(raw, INST)
    out = res.write(tmp / f"out_{fmt}_{seed}")
    assert (sha256_file(path), path.stat().st_mtime_ns) == before  # the export is only ever read
    assert res.report["source"]["sha256"] == before[0]
    rec = recovery(sim.truth, res.exclusions, rows=raw.frame["_row"])
    return sim, raw, res, out, rec


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("recovery")
    return {(fmt, seed): run_one(fmt, seed, N, tmp) for fmt in FORMATS for seed in SEEDS}


def pooled(recs):
    """Sum the counts of several recovery tables and recompute the shares."""
    cols = ["n_true", "n_flagged", "n_hit", "n_reached"]
    t = pd.concat(recs)
    t["n_flag_bad"] = t["precision"].fillna(0) * t["n_flagged"]
    t["n_reach_hit"] = t["recall_reached"].fillna(0) * t["n_reached"]
    t["n_any"] = t["recall_any"].fillna(0) * t["n_true"]
    g = t.groupby(["level", "name"], sort=False)[cols + ["n_flag_bad", "n_reach_hit", "n_any"]].sum()
    g["recall"] = g["n_hit"] / g["n_true"]
    g["precision"] = (g["n_flag_bad"] / g["n_flagged"]).where(g.index.get_level_values("level") != "honest")
    g["recall_reached"] = g["n_reach_hit"] / g["n_reached"]
    g["recall_any"] = g["n_any"] / g["n_true"]
    return g


def assert_floors(recs, fmt, honest_max: float) -> bool:
    """Over the seeds' recoveries: every screened (and, where the format records it, status) kind found,
    each careless kind at its floor, precision >= .94, at most ``honest_max`` of the honest excluded.
    (Precision was >= .95 before the ``structure`` group counted beside speed and the ``likelihood``
    group was added: they exclude a few more honest respondents, 0.1-0.2 percentage points, for
    recall; ``python -m iur_survey.clean.evaluate`` measures the trade.)
    Returns whether the format records a status."""
    g = pooled(recs)
    kind = g.loc["kind"]
    has_status = fmt not in ("wjx_csv", "wjx_xlsx")
    for k in SCREEN_KINDS + (STATUS_KINDS if has_status else ()):
        assert kind.loc[k, "recall"] == 1.0, (fmt, k)
    for k, floor in CARELESS_FLOORS.items():
        assert kind.loc[k, "recall_any"] >= floor, (fmt, k, kind.loc[k, "recall_any"])
    assert g.loc[("all", "all"), "precision"] >= 0.94
    honest = g.loc[("honest", "honest")]
    assert honest["n_hit"] / honest["n_true"] <= honest_max
    return has_status


@pytest.mark.parametrize("fmt", FORMATS)
def test_recovery_floors(runs, fmt):
    has_status = assert_floors([runs[(fmt, s)][4] for s in SEEDS], fmt, 0.015)
    # every response style: at most 5 % of its honest respondents excluded
    for style in STYLES:
        excluded = n = 0
        for s_ in SEEDS:
            sim, raw, res, _, _ = runs[(fmt, s_)]
            o = outcomes(sim.truth, res.exclusions, raw.frame["_row"])
            excluded += int(o.loc[o["label"] == style, "excluded"].sum())
            n += int((o["label"] == style).sum())
        assert n > 0 and excluded / n <= 0.05, (fmt, style, excluded, n)
    if not has_status:  # Wenjuanxing records no status: the report says so
        assert "status" in runs[(fmt, SEEDS[0])][2].report["rules_not_evaluated"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_row_accounted_for(runs, fmt):
    for seed in SEEDS:
        sim, raw, res, out, _ = runs[(fmt, seed)]
        assert res.report["n_raw"] == len(sim.frame) == len(raw.frame)
        led = res.exclusions
        assert res.report["n_kept"] + led.loc[led["action"] == "excluded", "row"].nunique() == len(sim.frame)
        assert set(res.exclusions["row"]) <= set(raw.frame["_row"])


def personal_values(frame):
    vals = set()
    for col in ("_ip", "_email", "_phone", "_location"):
        vals |= {str(v) for v in frame[col].dropna()}
    vals |= {re.sub(r"\D", "", str(v))[-11:] for v in frame["_phone"].dropna()}
    vals |= {str(v) for v in frame["_name"].dropna() if len(str(v)) >= 2}
    vals |= {str(v) for v in frame["_comment"].dropna() if len(str(v)) >= 12}
    return {v for v in vals if v}


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_personal_data_in_outputs(runs, fmt):
    sim, raw, res, out, _ = runs[(fmt, SEEDS[0])]
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(out.iterdir()))
    leaked = sorted(v for v in personal_values(sim.frame) if v in text)
    assert leaked == []
    assert re.search(r"(?<![\d.])\d{1,3}(\.\d{1,3}){3}(?![\d.])", text) is None  # no IPv4 at all
    assert re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", text) is None  # no e-mail address at all
    clean_cols = pd.read_csv(out / "clean.csv", nrows=0).columns.tolist()
    assert clean_cols == ["response_id", INST.group_column] + list(INST.item_codes)


def recovery_table(runs):
    """The pooled table printed in the report (run: pytest -s -k print_recovery)."""
    rows = []
    for fmt in FORMATS:
        g = pooled([runs[(fmt, s)][4] for s in SEEDS]).reset_index()
        g.insert(0, "format", fmt)
        rows.append(g)
    return pd.concat(rows, ignore_index=True)


def test_print_recovery_table(runs, capsys):
    t = recovery_table(runs)
    with capsys.disabled(), pd.option_context("display.width", 200, "display.max_rows", 500):
        cols = ["format", "level", "name", "n_true", "n_flagged", "recall", "precision", "n_reached",
                "recall_reached", "recall_any"]
        print("\n" + t[t["format"].isin(["qualtrics", "wjx_csv"])][cols].round(3).to_string(index=False))
    assert np.isfinite(t.loc[t["level"] == "all", "recall"]).all()


@pytest.mark.parametrize("seed", [1, 2])
def test_index_rules_on_a_heavily_contaminated_sample(seed):
    """Many more careless cases (5 % each), straight on the simulated frame (no export layer)."""
    from iur_survey.read.base import RawResponses

    cont = simulate_mod.Contamination(random=0.05, straightliner=0.05, speeder=0.05)
    sim = simulate_mod.simulate(4000, seed=seed, contamination=cont)
    res = clean(RawResponses(sim.frame, "sim.csv", "csv", "0" * 64), INST)
    rec = recovery(sim.truth, res.exclusions, rows=sim.frame["_row"]).set_index(["level", "name"])
    kind = rec.loc["kind"]
    assert kind.loc["straightliner", "recall_any"] >= 0.95
    assert kind.loc["random", "recall_any"] >= 0.9
    assert kind.loc["random", "n_reached"] >= 30  # the floor is about something
    assert rec.loc[("honest", "honest"), "recall"] <= 0.015
    assert rec.loc[("all", "all"), "precision"] >= 0.96


@pytest.mark.slow
@pytest.mark.xdist_group("clean_recovery_large")
@pytest.mark.parametrize("fmt", FORMATS)
def test_recovery_floors_large(fmt, tmp_path):
    assert_floors([run_one(fmt, seed, 5000, tmp_path)[4] for seed in (21, 22, 23)], fmt, 0.012)
