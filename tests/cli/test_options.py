"""The command line: no silent abbreviations, the subcommand's usage and a suggestion on an unknown option,
the same bootstrap option name and a fixed default seed in `fit` and `pls`."""

from __future__ import annotations

import argparse

import pytest

from iur_survey.cli import build_parser, main


def _subparsers(parser):
    for a in parser._actions:
        if isinstance(a, argparse._SubParsersAction):
            return a.choices
    return {}


def test_no_parser_abbreviates():
    parser = build_parser()
    assert parser.allow_abbrev is False
    subs = _subparsers(parser)
    assert {"fit", "pls", "tables", "diagram", "book", "export-replication"} <= set(subs)
    assert all(p.allow_abbrev is False for p in subs.values())


def test_unknown_option_prints_the_subcommand_usage_and_a_suggestion(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["fit", "data.csv", "--boot", "10", "--out", "r.json"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: iur-survey fit")
    assert "unrecognized arguments: --boot" in err and "did you mean --bootstrap" in err


def test_bootstrap_name_and_default_seed_aligned():
    subs = _subparsers(build_parser())
    for name in ("fit", "pls"):
        args = subs[name].parse_args(["data.csv", "--bootstrap", "20", "--out", "x.json"])
        assert args.seed == 2022, name
    assert subs["pls"].parse_args(["d.csv", "--boot", "9", "--out", "x"]).boot == 9   # the old name, explicit


def test_a_closed_pipe_is_no_traceback(tmp_path):
    """`iur-survey simulate ... | true`: the reader leaves before the summary is written; exit 0, nothing on stderr
    (was a BrokenPipeError traceback and exit 1)."""
    import os
    import subprocess
    import sys
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    cmd = [sys.executable, "-m", "iur_survey", "simulate", "--n", "50", "--seed", "1", "--out", str(tmp_path / "s")]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=tmp_path)
    p.stdout.close()                                   # the reader has gone
    err = p.stderr.read().decode()
    assert p.wait(timeout=120) == 0 and "Traceback" not in err, err
