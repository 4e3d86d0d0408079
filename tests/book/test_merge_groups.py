"""`iur-survey book --merge-groups` (left-out s23): the book's warnings and chapter 7 advised `--merge-groups`,
which `book` did not take.  It now takes fit's option, with fit's code (measurement_invariance -> prepare_groups
-> merge_groups): the merge asked replaces the small-group rule's, a spec that cannot be read stops the command
before any step, and a merge the data refuse stops it with that one line."""

from __future__ import annotations

import io
import os
import types

import pytest

from iur_survey import book as bookmod
from iur_survey import pipeline
from iur_survey.cli import main
from iur_survey.pipeline import ENV_MERGE_GROUPS, BookResults, Step


class FakeSphinx:                       # the notebook build itself is not what these tests are about
    def __init__(self, *a, **k):
        self.stdout = io.StringIO("")

    def wait(self):
        return 0


def _fake(monkeypatch, steps, seen):
    def fake_prepare(settings, force=False, progress=None):
        seen["merge"] = os.environ.get(ENV_MERGE_GROUPS)
        seen["key"] = pipeline.results_key(settings.data, settings.instrument)
        r = BookResults("k", "i", "export.csv", "export.csv", "instrument.yaml")
        r.steps = {"read": Step("ok"), "clean": Step("ok"), "cfa": Step("ok"), "sem": Step("ok"), **steps}
        return r
    monkeypatch.setenv(ENV_MERGE_GROUPS, "")          # restored (unset) after the test: the command sets it
    monkeypatch.setattr(pipeline, "prepare_results", fake_prepare)
    monkeypatch.setattr(bookmod, "subprocess", types.SimpleNamespace(Popen=FakeSphinx, PIPE=-1, STDOUT=-2))


def test_book_takes_merge_groups_and_hands_it_to_the_pipeline(tmp_path, monkeypatch, capsys):
    seen: dict = {}
    _fake(monkeypatch, {"invariance": Step("ok")}, seen)
    assert main(["book", "--out", str(tmp_path / "a"), "--quiet"]) == 0
    key0 = seen["key"]
    assert seen["merge"] in (None, "")
    assert main(["book", "--out", str(tmp_path / "b"), "--quiet", "--merge-groups", " government=university "]) == 0
    assert seen["merge"] == "government=university"
    assert seen["key"] != key0                           # another merge: another cached pipeline


def test_an_unreadable_merge_spec_stops_the_book_before_any_step(tmp_path, monkeypatch, capsys):
    seen: dict = {}
    _fake(monkeypatch, {}, seen)
    assert main(["book", "--out", str(tmp_path / "b"), "--merge-groups", "government"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "merge 'government'" in err[0], err
    assert seen == {}


def test_a_merge_the_data_refuse_stops_the_book(tmp_path, monkeypatch, capsys):
    reason = "--merge-groups: 'govt' is not a group of 'role' (groups: enterprise, government, university)"
    seen: dict = {}
    _fake(monkeypatch, {"invariance": Step("failed", reason=reason)}, seen)
    assert main(["book", "--out", str(tmp_path / "b"), "--quiet", "--merge-groups", "govt=university"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].endswith(f"--merge-groups govt=university: the groups could not be compared: {reason}; no book "
                            "was built"), err


def test_the_book_merges_as_asked_with_the_code_of_fit(monkeypatch):
    """The invariance step (chapter 7) merges the groups asked, as fit's prepare_groups does, and keeps the
    analysis without merging beside it; its prose says the merge was asked."""
    from iur_survey.book import DEFAULT_DATA
    from iur_survey.clean import clean
    from iur_survey.instrument import load_instrument
    from iur_survey.pipeline import _step_invariance, measurement_part
    from iur_survey.read import read_export
    from iur_survey.report.groups import _rule_text
    from iur_survey.sem.invariance import prepare_groups

    inst = load_instrument()
    data = clean(read_export(DEFAULT_DATA, inst), inst).clean
    monkeypatch.setenv(ENV_MERGE_GROUPS, "government=research_institute")
    out = _step_invariance({"instrument": inst, "clean": data})
    assert out["merge_rule"] == out["merge_asked"] == "government=research_institute"
    assert out["main"]["merge"] == {"government": "research_institute"}
    _, sizes, mapping, _ = prepare_groups(data[data["role"].notna()], "role", out["model"],
                                          merge="government=research_institute")
    assert mapping == out["main"]["merge"]
    assert sorted(zip(sizes["group"], sizes["n"])) == sorted(zip(out["main"]["groups"]["group"],
                                                                 out["main"]["groups"]["n"]))
    assert out["unmerged"] is not None and len(out["unmerged"]["groups"]) == len(sizes) + 1
    text = _rule_text(out)
    assert "merged as asked (`--merge-groups government=research_institute`): government → research institute" \
        in text
    assert "Following the rule" not in text
