"""The survey tools' own quality indicators: read, flagged, decided, ledgered, counted (files in tmp_path)."""

from __future__ import annotations

import csv
import dataclasses
import warnings

import numpy as np
import pandas as pd
import pytest

from iur_survey.clean.config import CleanConfig
from iur_survey.clean.decision import EVIDENCE_GROUPS, decide
from iur_survey.clean.pipeline import clean
from iur_survey.errors import IURSurveyError, ReadError
from iur_survey.instrument import load_instrument
from iur_survey.read import read_export
from iur_survey.simulate import simulate
from iur_survey.simulate.writers import write_export

TOOL_COLUMNS = ["Q_RecaptchaScore", "Q_RelevantIDDuplicate", "Q_RelevantIDDuplicateScore", "Q_RelevantIDFraudScore",
                "Q_RelevantIDLastStartDate"]


@pytest.fixture(scope="module")
def inst():
    return load_instrument()


def _qualtrics(tmp_path, inst, cells, *, n=120, seed=1, name="q.csv"):
    """A Qualtrics export (three header rows) with the fraud-detection columns; ``cells(k, response_id)`` gives
    each data row's five values."""
    f = simulate(n, seed=seed).frame
    p = write_export(f, inst, "qualtrics", tmp_path / name, labels="codes")
    rows = list(csv.reader(open(p, encoding="utf-8-sig")))
    rid = rows[0].index("ResponseId")
    for k, r in enumerate(rows):
        if k == 0:
            r += TOOL_COLUMNS
        elif k == 1:
            r += TOOL_COLUMNS
        elif k == 2:
            r += ['{"ImportId":"%s"}' % c for c in TOOL_COLUMNS]
        else:
            r += cells(k, r[rid])
    with open(p, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return p


def _ordinary(k, rid):
    return ["0.9", "false", "0", "5", ""]


def test_qualtrics_fraud_columns_are_read_never_answers(tmp_path, inst):
    p = _qualtrics(tmp_path, inst, lambda k, r: ["0.2" if k % 10 == 0 else "0.9", "true" if k == 5 else "false",
                                                  "80" if k == 5 else "0", "40" if k == 7 else "0",
                                                  "2024-01-01 10:00:00" if k == 5 else ""])
    raw = read_export(p, inst)
    assert set(raw.tool_checks) == set(TOOL_COLUMNS) - {"Q_RelevantIDLastStartDate"}
    assert all(len(v) == raw.n_raw for v in raw.tool_checks.values())
    assert set(TOOL_COLUMNS) <= set(raw.dropped_columns)
    res = clean(raw, inst)
    assert not set(TOOL_COLUMNS) & set(res.clean.columns)
    r = res.report
    assert r["n_kept"] + r["n_excluded"] == r["n_raw"]
    assert sum(r["excluded_by_primary_rule"].values()) == r["n_excluded"]
    assert {"tool_bot", "tool_duplicate"} <= set(r["rules_run"]) and "tool_speed" not in r["rules_run"]
    assert r["tool_checks"]["columns"]["Q_RecaptchaScore"] == r["n_raw"]
    led = res.exclusions
    bot = led[led["rule"] == "tool_bot"]
    assert len(bot) == r["hits_by_rule"]["tool_bot"] > 0
    assert bot["detail"].str.contains(r"^Q_(?:RecaptchaScore 0\.2 < 0\.5|RelevantIDFraudScore 40 >= 30)").all()
    dup = led[led["rule"] == "tool_duplicate"]
    assert dup["detail"].str.contains("Q_RelevantIDDuplicate true").all()


def test_a_bot_score_is_evidence_not_a_verdict(tmp_path, inst):
    """A low score alone only flags; beside another group's evidence it excludes; exclude_alone makes it a verdict."""
    p = _qualtrics(tmp_path, inst, lambda k, r: ["0.1" if k % 4 == 0 else "0.9", "false", "0", "0", ""], n=200)
    raw = read_export(p, inst)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = clean(raw, inst)
    led = res.exclusions
    flagged = set(led.loc[led["rule"] == "tool_bot", "response_id"])
    excl = led[(led["action"] == "excluded") & led["response_id"].isin(flagged)]
    careless = excl[excl["basis"].str.startswith("convergent")]
    for basis in careless["basis"]:         # the bot group never excludes on its own
        groups = basis.split(": ")[1].split(" + ")
        assert len(groups) >= 2
    kept_flagged = res.flags[res.flags["tool_bot"] == 1]
    assert len(kept_flagged) and (kept_flagged["n_evidence"] <= 1).all()
    # the share warning: a quarter of the rows flagged
    assert any("tool_bot is on" in w for w in res.report["warnings"])
    alone = clean(raw, inst, CleanConfig.from_dict({"decision": {"exclude_alone": ["tool_bot"]}}))
    assert not flagged & set(alone.clean["response_id"])
    b = alone.exclusions[alone.exclusions["rule"] == "tool_bot"]
    assert (b["action"] == "excluded").all()
    assert alone.report["tool_checks"]["flagged"]["tool_bot"]["excluded"] == \
        alone.report["tool_checks"]["flagged"]["tool_bot"]["flagged"]


def test_a_duplicate_device_is_reported_only(tmp_path, inst):
    p = _qualtrics(tmp_path, inst, lambda k, r: ["0.9", "true" if k % 9 == 0 else "false", "90" if k % 9 == 0 else "0",
                                                  "0", ""])
    res = clean(read_export(p, inst), inst)
    dup = res.exclusions[res.exclusions["rule"] == "tool_duplicate"]
    assert len(dup)
    # excluded only by some other rule, never on the device: no basis names it
    assert not res.exclusions["basis"].str.contains("tool_duplicate").any()
    assert "tool_duplicate" not in {r for g in EVIDENCE_GROUPS.values() for r in g}


def test_an_export_without_tool_columns_reports_as_before(tmp_path, inst):
    p = write_export(simulate(80, seed=2).frame, inst, "qualtrics", tmp_path / "plain.csv", labels="codes")
    raw = read_export(p, inst)
    assert raw.tool_checks == {}
    res = clean(raw, inst)
    assert not [r for r in res.report["rules_run"] if r.startswith("tool_")]
    assert not [c for c in res.flags.columns if c.startswith("tool_")]
    assert res.report["rules_not_evaluated"].keys().isdisjoint({"tool_bot", "tool_speed", "tool_duplicate"})
    assert res.report["tool_checks"] == {"columns": {}, "flagged": {}}


@pytest.mark.parametrize("cell, message", [("45", r"45 is outside the reCAPTCHA v3 bot score's range \(0 to 1\)"),
                                           ("high", r"'high' is not a number")])
def test_a_score_off_its_scale_is_refused(tmp_path, inst, cell, message):
    p = _qualtrics(tmp_path, inst, lambda k, r: [cell if k == 6 else "0.9", "false", "0", "0", ""], n=30)
    with pytest.raises(ReadError, match=r"q\.csv:7:Q_RecaptchaScore: " + message):
        read_export(p, inst)


def test_a_boolean_that_is_none_is_refused(tmp_path, inst):
    p = _qualtrics(tmp_path, inst, lambda k, r: ["0.9", "maybe" if k == 4 else "false", "0", "0", ""], n=30)
    with pytest.raises(ReadError, match=r":5:Q_RelevantIDDuplicate: 'maybe' is no true/false value"):
        read_export(p, inst)


def test_sosci_speed_indices_join_the_speed_group(tmp_path, inst):
    from tests.read.test_other_tools import _sosci

    p, inst2 = _sosci(tmp_path, inst, ["interview"] * 40, ["1"] * 40)
    rows = list(csv.reader(open(p, encoding="utf-8")))
    rows[0].append("TIME_RSI")
    for k, r in enumerate(rows[1:], start=1):
        r[rows[0].index("DEG_TIME")] = "150" if k == 3 else "5"
        r.append("2.7" if k in (2, 3) else "0.9")
    with open(p, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    raw = read_export(p, inst2)
    assert set(raw.tool_checks) == {"TIME_RSI", "DEG_TIME"}
    res = clean(raw, inst2)
    led = res.exclusions[res.exclusions["rule"] == "tool_speed"].set_index("response_id")["detail"]
    assert led.to_dict() == {"41": "TIME_RSI 2.7 > 2 (SoSci Survey: suspiciously fast) [moderately fast]",
                             "42": "TIME_RSI 2.7 > 2 (SoSci Survey: suspiciously fast); DEG_TIME 150 > 100 "
                                   "(SoSci Survey: too fast)"}
    assert "TIME_RSI" not in res.clean.columns and "DEG_TIME" not in res.clean.columns
    # speeder and the tool's speed index are one piece of evidence; the bot score is another
    f = {"speeder": pd.Series(["fast", pd.NA], dtype="string"),
         "tool_speed": pd.Series(["TIME_RSI 3 > 2", "TIME_RSI 3 > 2"], dtype="string"),
         "tool_bot": pd.Series([pd.NA, "Q_RecaptchaScore 0.1 < 0.5"], dtype="string")}
    ex, basis = decide({k: f[k] for k in ("speeder", "tool_speed")})
    assert ex.tolist() == [False, False]
    ex, basis = decide(f)
    assert ex.tolist() == [False, True] and basis[1] == "convergent evidence: speed + bot"


def test_alchemer_test_data_is_excluded_with_its_column_and_value(tmp_path, inst):
    from tests.read.test_other_tools import EN, ROLES, _answers, _write

    n = 30
    ans = _answers(inst, n, seed=3)
    Q = "How far do you agree with each statement?"
    head = (["Response ID", "Time Started", "Date Submitted", "Status", "Contact ID", "Test Data",
             inst.role_question["en"]] + [f"{inst.items[c].en}:{Q}" for c in inst.item_codes])
    rows = [[str(i + 1), "2024-03-01 10:00:00", "2024-03-01 10:%02d:00" % (5 + i), "Complete", "",
             "1" if i in (0, 1) else "0", ROLES[i % 4]] + [EN[ans[c][i]] for c in inst.item_codes] for i in range(n)]
    p = _write(tmp_path / "alchemer.csv", head, rows)
    with pytest.warns(UserWarning, match="Test Data: 2 test response"):
        raw = read_export(p, inst)
    res = clean(raw, inst)
    st = res.exclusions[res.exclusions["rule"] == "status"].set_index("response_id")["detail"]
    assert st.to_dict() == {"1": "status 'Test Data = 1 (test response)' (test)",
                            "2": "status 'Test Data = 1 (test response)' (test)"}
    assert res.report["excluded_by_primary_rule"]["status"] == 2
    assert "Test Data" not in res.clean.columns
    rows[4][5] = "perhaps"
    with pytest.raises(ReadError, match=r":6:Test Data: 'perhaps' is no true/false value"):
        read_export(_write(tmp_path / "a2.csv", head, rows), inst)


def test_thresholds_are_configurable_within_their_scales():
    cfg = CleanConfig.from_dict({"tool_bot": {"recaptcha_below": 0.3, "fraud_from": 50}})
    assert cfg.params("tool_bot") == {"recaptcha_below": 0.3, "fraud_from": 50.0}
    with pytest.raises(IURSurveyError, match="tool_bot_recaptcha_below"):
        CleanConfig.from_dict({"tool_bot": {"recaptcha_below": 5}})
    with pytest.raises(IURSurveyError, match="tool_duplicate_score_from"):
        CleanConfig.from_dict({"tool_duplicate": {"score_from": 0}})


def test_a_real_qualtrics_export_with_the_fraud_fields_reads_the_same_answers(tmp_path):
    """The real student-satisfaction export (tests/fixtures/real) with the fraud-detection fields where Qualtrics
    puts them (after the metadata, before the questions): the same frame, the fields read, two rows flagged."""
    from pathlib import Path

    from iur_survey.instrument import load_instrument as load

    real = Path(__file__).parents[1] / "fixtures" / "real"
    inst = load(real / "instruments" / "qualtrics_student_satisfaction.yaml")
    src = real / "qualtrics_student_satisfaction_choice_text.csv"
    rows = list(csv.reader(open(src, encoding="utf-8-sig", newline="")))
    at = rows[0].index("UserLanguage") + 1
    cols = TOOL_COLUMNS[:4]
    for k, r in enumerate(rows):
        cells = (cols if k < 2 else ['{"ImportId":"%s"}' % c for c in cols] if k == 2
                 else ["0.1" if k in (3, 9) else "1", "false", "0", "60" if k == 9 else "0"])
        r[at:at] = cells
    p = tmp_path / "satisfaction_fraud.csv"
    with open(p, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        before, after = read_export(src, inst), read_export(p, inst)
    pd.testing.assert_frame_equal(before.frame.drop(columns="_row"), after.frame.drop(columns="_row"))
    assert sorted(after.tool_checks) == sorted(cols)
    assert after.tool_checks["Q_RecaptchaScore"][[0, 6]].tolist() == [0.1, 0.1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = clean(after, inst, CleanConfig.from_dict({"disable": ["status"]}))   # (Qualtrics' own test responses)
    bot = res.exclusions[res.exclusions["rule"] == "tool_bot"]
    assert bot["row"].tolist() == after.frame["_row"].iloc[[0, 6]].tolist()
    assert bot["detail"].iloc[1] == ("Q_RecaptchaScore 0.1 < 0.5 (Qualtrics: likely a bot); Q_RelevantIDFraudScore 60 "
                                     ">= 30 (Qualtrics: likely fraud)")
    assert res.report["n_kept"] + res.report["n_excluded"] == res.report["n_raw"] == before.n_raw


def test_a_qualtrics_spss_export_carries_the_fraud_fields_too(tmp_path):
    """The real Qualtrics .sav with two fraud fields added: read from the variables, not only from text exports."""
    from pathlib import Path

    pyreadstat = pytest.importorskip("pyreadstat")
    from iur_survey.instrument import load_instrument as load

    real = Path(__file__).parents[1] / "fixtures" / "real"
    inst = load(real / "instruments" / "qualtrics_student_satisfaction.yaml")
    df, meta = pyreadstat.read_sav(str(real / "qualtrics_student_satisfaction.sav"))
    k = np.arange(len(df))
    df.insert(5, "Q_RecaptchaScore", np.where(k % 5 == 0, 0.2, 0.9))
    df.insert(6, "Q_RelevantIDDuplicate", np.where(k % 7 == 0, "true", "false"))
    p = tmp_path / "fraud.sav"
    pyreadstat.write_sav(df, str(p), column_labels=dict(meta.column_names_to_labels),
                         variable_value_labels=meta.variable_value_labels)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw = read_export(p, inst)
    assert raw.format == "spss"
    assert raw.tool_checks["Q_RecaptchaScore"].tolist() == np.where(k % 5 == 0, 0.2, 0.9).tolist()
    assert raw.tool_checks["Q_RelevantIDDuplicate"].tolist() == (k % 7 == 0).astype(float).tolist()
