"""`iur-survey power` at a sample size where no replication converges says so on stderr, with the reason
(audit s25 cliaudit C2): it printed NaN power and "No converged fit is inadmissible" and nothing else."""

from __future__ import annotations

from iur_survey.cli import main

POP = """F1 =~ 0.7*x1 + 0.7*x2 + 0.7*x3
F2 =~ 0.7*y1 + 0.7*y2 + 0.7*y3
F2 ~ 0.3*F1
x1 ~~ 0.51*x1
x2 ~~ 0.51*x2
x3 ~~ 0.51*x3
y1 ~~ 0.51*y1
y2 ~~ 0.51*y2
y3 ~~ 0.51*y3
F1 ~~ 1*F1
F2 ~~ 0.91*F2
"""
MODEL = "F1 =~ x1 + x2 + x3\nF2 =~ y1 + y2 + y3\nF2 ~ F1\n"


def test_no_converged_replication_warned(tmp_path, capsys):
    (tmp_path / "pop.lav").write_text(POP)
    (tmp_path / "m.lav").write_text(MODEL)
    code = main(["power", "--n", "5", "--reps", "2", "--workers", "0", "--continuous", "--quiet",
                 "--model", str(tmp_path / "m.lav"), "--population", str(tmp_path / "pop.lav"),
                 "--out", str(tmp_path / "p")])
    err = capsys.readouterr().err
    assert code == 0
    assert "iur-survey power: warning: at n = 5 no replication converged (0 of 2)" in err
    assert "not positive definite" in err
