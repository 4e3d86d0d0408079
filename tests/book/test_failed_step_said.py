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
        r.steps = {"read": Step("ok"), "clean": Step("ok"), "sem": Step("failed", reason="the model did not "
                                                                         "converge (1000 iterations)"),
                   "bootstrap": Step("pending", reason="needs the sem step, which is failed")}
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
    assert ("iur-survey book: warning: the analysis step sem failed: the model did not converge (1000 iterations); "
            "its chapter shows this step as not computed") in err
    assert "bootstrap" not in err                         # pending steps are not repeated
