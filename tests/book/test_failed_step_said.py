"""A pipeline step that failed for this data (a model that did not converge, groups that cannot be fitted) is said
at the end of `iur-survey book`, --quiet or not: it was one mid-log line, and nothing at all with --quiet, while the
command ended "book built" (exit 0)."""

from __future__ import annotations

import io
import types

from iur_survey import book as bookmod
from iur_survey import pipeline
from iur_survey.cli import main
from iur_survey.pipeline import BookResults, Step


def test_a_failed_step_is_a_warning_line_of_the_book_command(tmp_path, monkeypatch, capsys):
    def fake_prepare(settings, force=False, progress=None):
        r = BookResults("k", "i", "export.csv", "export.csv", "instrument.yaml")
        r.steps = {"read": Step("ok"), "clean": Step("ok"), "sem": Step("ok"),
                   "invariance": Step("failed", reason="the model did not converge (1000 iterations)"),
                   "group_paths": Step("pending", reason="needs the invariance step, which is failed")}
        return r

    class FakeSphinx:                       # the notebook build itself is not what this test is about
        def __init__(self, *a, **k):
            self.stdout = io.StringIO("")

        def wait(self):
            return 0

    monkeypatch.setattr(pipeline, "prepare_results", fake_prepare)
    monkeypatch.setattr(bookmod, "subprocess", types.SimpleNamespace(Popen=FakeSphinx, PIPE=-1, STDOUT=-2))
    assert main(["book", "--out", str(tmp_path / "b"), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert ("iur-survey book: warning: the analysis step invariance failed: the model did not converge (1000 "
            "iterations); its chapter shows this step as not computed") in err
    assert "group_paths" not in err                       # pending steps are not repeated


def test_a_structural_model_that_failed_stops_the_book_command(tmp_path, monkeypatch, capsys):
    """The measurement or structural model every chapter from 4 on rests on did not converge: exit 2 and one line,
    no notebook runs (a cached pipeline too; it built a book of notices, exit 0)."""
    def fake_prepare(settings, force=False, progress=None):
        r = BookResults("k", "i", "export.csv", "export.csv", "instrument.yaml")
        r.steps = {"read": Step("ok"), "clean": Step("ok"), "cfa": Step("ok"),
                   "sem": Step("failed", reason="the model did not converge (1000 iterations)"),
                   "bootstrap": Step("pending", reason="needs the sem step, which is failed")}
        return r

    def no_sphinx(*a, **k):
        raise AssertionError("no notebook may run")

    monkeypatch.setattr(pipeline, "prepare_results", fake_prepare)
    monkeypatch.setattr(bookmod, "subprocess", types.SimpleNamespace(Popen=no_sphinx, PIPE=-1, STDOUT=-2))
    assert main(["book", "--out", str(tmp_path / "b"), "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].endswith("the structural model (sem) could not be estimated on this export: the model did not "
                            "converge (1000 iterations); no book was built"), err
