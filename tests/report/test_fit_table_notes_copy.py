"""What a paper author copies from the fit table: the *N* of the model row carries its thousands separator as the
group rows do (before: "2749" above "1,851"), and fit's warning on a label written once in a multi-group model
keeps each lavaan formula whole as one code span (before: "c(a1.g1, a1.g2, `...)*GOV`", a span that began
inside the formula) and names the model file without its folders (before: the absolute path, user name included,
in the table note)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from iur_survey.cli import main
from iur_survey.report import paper


def _results(n, groups=None):
    fit = {"chisq": 85.3, "df": 24, "pvalue": 1e-8, "cfi": .93, "tli": .9, "rmsea": .09, "rmsea.ci.lower": .07,
           "rmsea.ci.upper": .11, "srmr": .06}
    r = {"fit": fit, "n": n, "estimator": "ML", "missing": "listwise", "converged": True, "estimates": []}
    if groups:
        r["groups"] = groups
    return r


def test_model_row_n_has_thousands_separator():
    t = paper.fit_apa({"m": _results(2749)})
    assert t.frame["*N*"].tolist() == ["2,749"]
    assert paper.fit_apa({"m": _results(804)}).frame["*N*"].tolist() == ["804"]


def test_label_warning_formulas_stay_whole(tmp_path, capsys):
    rng = np.random.default_rng(5)
    f = rng.standard_normal(400)
    d = pd.DataFrame({f"x{i}": np.round(f + rng.standard_normal(400) * 0.7, 3) for i in range(1, 5)})
    d["sex"] = np.repeat(["female", "male"], 200)
    d.to_csv(tmp_path / "d.csv", index=False)
    (tmp_path / "m.lav").write_text("F =~ x1 + a*x2 + x3 + x4\n")
    res = tmp_path / "r.json"
    assert main(["fit", str(tmp_path / "d.csv"), "--model", str(tmp_path / "m.lav"), "--group", "sex",
                 "--out", str(res), "--quiet"]) == 0
    assert "`c(a.g1, a.g2, ...)*x2`" in capsys.readouterr().err      # the model's own label, not the study's a1*GOV
    for fmt in ("md", "tex"):
        out = tmp_path / f"t.{fmt}"
        assert main(["tables", str(res), "--format", fmt, "--out", str(out)]) == 0
        text = out.read_text()
        # no folder, no file name, no command-line advice in a note a paper carries (paper29: the advice clause
        # "write `c(a1.g1, ...)*GOV` ... (`iur-survey fit DATA --group G --print-model` ...)" is left out)
        assert str(tmp_path) not in text and "m.lav" not in text and "iur-survey fit" not in text
        assert "a label written once (e.g." in text
        if fmt == "md":
            assert "(e.g. `a*x2`)" in text and "`...)*x2`" not in text
        else:
            assert r"(e.g. \texttt{a*x2})" in text and r"\texttt{...)*x2}" not in text


def test_diagram_sample_line_has_thousands_separator():
    """The diagram's legend writes N as the tables do (before: "N = 2749" under a table's "2,749")."""
    from iur_survey.report.diagram import sample_line
    line = sample_line({"n": 2749, "estimator": "ML", "missing": "fiml",
                        "groups": {"male": 898, "female": 1851}}, "female", "gender")
    assert line.startswith("N = 2,749 (female: n = 1,851); estimator ML")
