"""`export-replication` refuses a fit that did not converge as `tables` and `diagram` do (audit s19 semaudit B2):
exit status 3, one line on stderr, no pack; the check is the one of `tables` / `diagram`
(:func:`iur_survey.sem.results.require_converged`)."""

from __future__ import annotations

import json

import pytest

from iur_survey.cli import main
from iur_survey.commands.fit import EXIT_NOT_CONVERGED
from iur_survey.replication import build_pack
from iur_survey.sem.results import NotConvergedError, mark_nonconverged


@pytest.fixture()
def nonconverged(tmp_path):
    """A results.json as `iur-survey fit` writes it for a fit that did not converge (the refusal reads only it)."""
    doc = mark_nonconverged({"n": 51, "estimator": "ML", "missing": "listwise", "converged": False,
                             "warnings": ["the optimizer did not converge: no convergence"], "fit": {"cfi": 0.9},
                             "estimates": [{"lhs": "F1", "op": "=~", "rhs": "a1", "est": 1.0}], "r2": {}})
    path = tmp_path / "nc.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_build_pack_refuses_a_fit_that_did_not_converge(nonconverged, tmp_path):
    with pytest.raises(NotConvergedError, match="did not converge.*no replication pack of a fit that did not "
                                                "converge"):
        build_pack(nonconverged, tmp_path / "pack", r_versions=False)
    assert not (tmp_path / "pack").exists()


def test_the_three_commands_refuse_it_alike(nonconverged, tmp_path, capsys):
    errors = {}
    for cmd, out in (("export-replication", tmp_path / "pack"), ("tables", tmp_path / "t.md"),
                     ("diagram", tmp_path / "d.svg")):
        rc = main([cmd, str(nonconverged), "--out", str(out)])
        cap = capsys.readouterr()
        assert rc == EXIT_NOT_CONVERGED == 3 and not out.exists(), cmd
        assert cap.out == "" and "\n" not in cap.err.strip(), cmd
        assert cap.err.startswith(f"iur-survey {cmd}: error: {nonconverged}: the model did not converge: "), cmd
        errors[cmd] = cap.err.split(": error: ", 1)[1].rsplit("; ", 1)[0]
    assert len(set(errors.values())) == 1                      # the same message, from the same check


def test_export_replication_help_documents_exit_3(capsys):
    with pytest.raises(SystemExit):
        main(["export-replication", "--help"])
    assert "3 RESULTS.json is of a fit" in " ".join(capsys.readouterr().out.split())
