"""`iur-survey clean`: end to end on a CSV export written here; the raw file is never touched."""

from __future__ import annotations

import hashlib
import json
import os
import re

import pandas as pd

from iur_survey.cli import main

PERSONAL = {"Email": "wang.wei@example.com", "Name": "王伟", "Phone": "13912345678",
            "Comment": "call me on 13912345678 please"}


def write_export(make_frame, path, seed=4):
    df, truth = make_frame(300, seed=seed, preview=3, unfinished=5, duplicate_id=3, duplicate_ip=3, speeder=6,
                           straightliner=6, random=6, attention=6, out_of_range=2, item_nonresponse=20)
    out = df.rename(columns={"response_id": "ResponseId", "_status": "Status", "_finished": "Finished",
                             "_progress": "Progress", "_duration": "Duration (in seconds)", "_ip": "IPAddress",
                             "_submitted": "RecordedDate"}).drop(columns="_row")
    for k, v in PERSONAL.items():
        out[k] = v
    out.to_csv(path, index=False)
    return df, truth


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_clean_command_end_to_end(make_frame, tmp_path, capsys):
    raw = tmp_path / "export.csv"
    df, _ = write_export(make_frame, raw)
    os.utime(raw, (1_600_000_000, 1_600_000_000))
    before = (digest(raw), raw.stat().st_mtime_ns, raw.stat().st_size)
    out = tmp_path / "out"
    assert main(["clean", str(raw), "--out", str(out)]) == 0
    assert (digest(raw), raw.stat().st_mtime_ns, raw.stat().st_size) == before
    printed = capsys.readouterr().out
    report = json.loads((out / "report.json").read_text())
    assert (f"{report['n_raw']} raw rows, {report['n_kept']} kept ({report['n_flagged_kept']} of them flagged), "
            f"{report['n_excluded']} excluded") in printed
    assert re.search(r"^\s+speeder\s+\d+\s+\d+\s+\d+$", printed, re.M)
    assert report["n_raw"] == len(df)
    assert report["source"]["sha256"] == before[0] and report["source"]["format"] == "csv"
    assert set(PERSONAL) <= set(report["source"]["dropped_columns"])
    clean = pd.read_csv(out / "clean.csv")
    ledger = pd.read_csv(out / "exclusions.csv")
    assert len(clean) + ledger.loc[ledger["action"] == "excluded", "row"].nunique() == len(df)
    # ledger rows are raw-file lines: a one-header CSV puts frame row i on line i + 2
    first = ledger.iloc[0]
    assert df.loc[first["row"] - 2, "response_id"] == first["response_id"]


def test_clean_command_says_each_warning_once(make_frame, tmp_path, capsys):
    """A warning the summary prints (here: every row gives the same e-mail address) is not printed again."""
    raw = tmp_path / "export.csv"
    write_export(make_frame, raw)
    assert main(["clean", str(raw), "--out", str(tmp_path / "out")]) == 0
    said = capsys.readouterr()
    assert (said.out + said.err).count("give an e-mail address") == 1
    kept = int(re.search(r"(\d+) kept", said.out).group(1))   # the data's own count, not one seed's on one CPU
    # every kept row but the first repeats the first one's address
    assert f"WARNING: {kept - 1} kept response(s) give an e-mail address" in said.out and "Warning:" not in said.err


def test_clean_command_privacy(make_frame, tmp_path):
    raw = tmp_path / "export.csv"
    df, _ = write_export(make_frame, raw)
    out = tmp_path / "out"
    assert main(["clean", str(raw), "--out", str(out)]) == 0
    text = "\n".join((out / f).read_text(encoding="utf-8") for f in ("clean.csv", "exclusions.csv", "report.json"))
    for value in PERSONAL.values():
        assert value not in text
    for ip in df["_ip"]:
        assert re.search(rf"(?<![\d.]){re.escape(ip)}(?![\d.])", text) is None
    assert re.search(r"\b\d{1,3}(\.\d{1,3}){3}\b", text) is None


def test_clean_command_with_config(make_frame, tmp_path, capsys):
    raw = tmp_path / "export.csv"
    write_export(make_frame, raw)
    cfg = tmp_path / "clean.yaml"
    cfg.write_text("rules: [status, unfinished, attention]\n")
    out = tmp_path / "out"
    assert main(["clean", str(raw), "--config", str(cfg), "--out", str(out)]) == 0
    assert set(pd.read_csv(out / "exclusions.csv")["rule"]) <= {"status", "unfinished", "attention"}
    assert json.loads((out / "report.json").read_text())["config"]["rules"] == ["status", "unfinished", "attention"]


def test_clean_command_errors_are_one_line(make_frame, tmp_path, capsys):
    raw = tmp_path / "export.csv"
    write_export(make_frame, raw)
    cfg = tmp_path / "clean.yaml"
    cfg.write_text("speeder: {fraction: 3}\n")
    assert main(["clean", str(raw), "--config", str(cfg), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("iur-survey clean: error: ") and "speeder_fraction" in err and "\n" not in err
    assert not (tmp_path / "o").exists()
    assert main(["clean", str(tmp_path / "missing.csv"), "--out", str(tmp_path / "o")]) == 2
    assert not (tmp_path / "o").exists()


def test_clean_help_is_informative(cli_help):
    text = cli_help("clean")
    for word in ("--out DIR", "--config FILE", "--strict", "exclusions.csv", "speeder", "mahalanobis"):
        assert word in text


def _said(make_frame, tmp_path, capsys, *, ids=None, disable=()):
    """Run `clean` on an export (ids replaced by ``ids``) with the rules in ``disable`` off; the report's warnings
    and the terminal's text."""
    tmp_path.mkdir(exist_ok=True)
    raw = tmp_path / "export.csv"
    write_export(make_frame, raw)
    if ids is not None:
        frame = pd.read_csv(raw, dtype=str, keep_default_na=False)
        frame["ResponseId"] = ids(frame["ResponseId"]) if callable(ids) else ids
        frame.to_csv(raw, index=False)
    args = ["clean", str(raw), "--out", str(tmp_path / "out")]
    if disable:
        (tmp_path / "c.yaml").write_text(f"disable: [{', '.join(disable)}]\n")
        args += ["--config", str(tmp_path / "c.yaml")]
    assert main(args) == 0
    printed = capsys.readouterr()
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    return report["warnings"], printed.out + printed.err, pd.read_csv(tmp_path / "out" / "clean.csv", dtype=str)


def test_an_id_column_blank_in_every_row_is_said(make_frame, tmp_path, capsys):
    warned, printed, clean = _said(make_frame, tmp_path, capsys, ids="")
    assert clean["response_id"].isna().all()
    said = "the id column 'ResponseId' is blank in every row"
    assert any(w.startswith(said) for w in warned) and said in printed


def test_kept_responses_sharing_an_id_are_said_when_duplicate_id_is_off(make_frame, tmp_path, capsys):
    def twice(ids):
        return ids.mask(ids.index == 41, ids[40])           # two honest responses with one id

    warned, printed, clean = _said(make_frame, tmp_path, capsys, ids=twice, disable=("duplicate_id",))
    assert clean["response_id"].duplicated().any()
    said = re.compile(r"duplicate_id is disabled and \d+ kept responses share their id with another \(rows \d+")
    assert any(said.match(w) for w in warned) and said.search(printed)


def test_every_screening_rule_disabled_is_said(make_frame, tmp_path, capsys):
    rules = ("status", "unfinished", "duplicate_id", "duplicate_answers_ip", "out_of_range", "attention")
    warned, printed, _ = _said(make_frame, tmp_path, capsys, disable=rules)
    assert any(w.startswith("every screening rule is disabled") for w in warned)
    assert "every screening rule is disabled" in printed
    warned, _, _ = _said(make_frame, tmp_path / "one", capsys, disable=rules[:-1])
    assert not any(w.startswith("every screening rule") for w in warned)
