"""`iur-survey fit ... --bootstrap B`: bootstrap SEs/CIs in results.json, reproducible by --seed."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from iur_survey.cli import main

DATA = "tests/reference/data/complete_800.csv"
MODEL = "tests/reference/models/default.lav"


def _fit(tmp_path, name, *extra):
    out = tmp_path / name
    rc = main(["fit", DATA, "--model", MODEL, "--out", str(out), *extra])
    assert rc == 0
    return json.loads(out.read_text(encoding="utf-8"))


def test_fit_with_bootstrap_writes_bootstrap_ses(tmp_path, capsys):
    plain = _fit(tmp_path, "plain.json")
    boot = _fit(tmp_path, "boot.json", "--bootstrap", "40", "--seed", "7", "--workers", "1", "--quiet")
    printed = capsys.readouterr()
    assert "bootstrap: B=40 successful=40 failed=0 nonconverged=0" in printed.out
    assert printed.err == ""                      # --quiet: no progress bar
    b = boot["bootstrap"]
    assert b["B"] == 40 and b["successful"] == 40 and b["seed"] == 7 and b["ci"] == "percentile"
    pe = {(e["lhs"], e["op"], e["rhs"]): e for e in boot["estimates"]}
    pl = {(e["lhs"], e["op"], e["rhs"]): e for e in plain["estimates"]}
    key = ("COL", "~", "GOV")
    assert pe[key]["est"] == pytest.approx(pl[key]["est"])
    assert pe[key]["se"] != pytest.approx(pl[key]["se"], rel=1e-6)     # bootstrap SD, not the ML SE
    assert 0.5 < pe[key]["se"] / pl[key]["se"] < 1.5
    # CIs are the percentile bounds of the draws, not est +/- 1.96 se
    assert pe[key]["ci.lower"] != pytest.approx(pe[key]["est"] - 1.959964 * pe[key]["se"], rel=1e-6)
    assert pe[("ind_GOV", ":=", "a1*b")]["se"] > 0
    again = _fit(tmp_path, "again.json", "--bootstrap", "40", "--seed", "7", "--workers", "2", "--quiet",
                 "--ci", "bca.simple")
    assert again["bootstrap"]["ci"] == "bca.simple"
    se1 = np.array([e["se"] for e in boot["estimates"]], float)
    se2 = np.array([e["se"] for e in again["estimates"]], float)
    np.testing.assert_array_equal(se1, se2)            # same seed, other worker count: the same draws


def test_bootstrap_flags_are_documented(cli_help):
    text = cli_help("fit")
    for flag in ("--bootstrap", "--ci", "--seed", "--workers", "--scheduler", "--quiet"):
        assert flag in text


def test_fit_ci_norm_and_basic_are_lavaans_on_the_same_draws(tmp_path):
    """--ci basic / norm (lavaan's boot.ci.type, test_boot_ci_types.py against parameterEstimates): the same seed
    gives the same draws, so basic = 2 est - the percentile bounds swapped, and norm is est-centred-by-bias with
    half-width z * the bootstrap SE; the tables' note names the interval."""
    from scipy.special import ndtri

    runs = {ci: _fit(tmp_path, f"{ci}.json", "--bootstrap", "30", "--seed", "5", "--workers", "1", "--quiet",
                     "--ci", ci) for ci in ("percentile", "basic", "norm")}
    assert [r["bootstrap"]["ci"] for r in runs.values()] == ["percentile", "basic", "norm"]
    rows = {ci: {(e["lhs"], e["op"], e["rhs"]): e for e in r["estimates"]} for ci, r in runs.items()}
    free = [k for k, e in rows["percentile"].items() if e["se"] and e["se"] > 0]
    assert any(k[1] == ":=" for k in free)
    for k in free:
        p, b, n = rows["percentile"][k], rows["basic"][k], rows["norm"][k]
        assert b["ci.lower"] == pytest.approx(2 * p["est"] - p["ci.upper"], abs=1e-10)
        assert b["ci.upper"] == pytest.approx(2 * p["est"] - p["ci.lower"], abs=1e-10)
        assert n["ci.upper"] - n["ci.lower"] == pytest.approx(2 * ndtri(0.975) * n["se"], rel=1e-9)
    tab = tmp_path / "t.md"
    assert main(["tables", str(tmp_path / "norm.json"), "--format", "md", "--out", str(tab)]) == 0
    assert "bootstrap normal (bias-corrected, lavaan norm) 95% CI (B = 30)" in tab.read_text(encoding="utf-8")
