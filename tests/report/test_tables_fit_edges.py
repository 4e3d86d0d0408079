"""`iur-survey fit` then `tables` at the edges (audit s24 fitedge): a model with df < 0 shows lavaan's NA (a dash)
for the chi-square and every index computed from it, and `tables` checks the cells of the columns the model
uses only, as `fit` did (a text "NA" in a column no model names is no reason to refuse the data file)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from iur_survey.cli import main

EDGE = Path(__file__).resolve().parents[1] / "sem" / "fitedge_refs"


def test_negative_df_fit_row_and_a_text_cell_in_an_unused_column(tmp_path, capsys):
    d = pd.read_csv(EDGE / "hs_edge.csv")
    d["grade"] = ["NA" if k == 3 else str(7 + k % 2) for k in range(len(d))]   # unused: 'NA' text in one cell
    data = tmp_path / "hs.csv"
    d.to_csv(data, index=False)
    model = tmp_path / "neg.lav"
    model.write_text("F =~ x1 + x2\nx1 ~~ x2\n")
    out = tmp_path / "results.json"
    assert main(["fit", str(data), "--model", str(model), "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["tables", str(out), "--format", "md", "--out", "-"]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("| Measurement model (CFA) "))
    cells = [c.strip() for c in row.strip("|").split("|")]
    # Model | N | Estimator | chi2 | df | p | CFI | TLI | RMSEA [90% CI] | SRMR
    assert cells[3] == "—" and cells[4] == "−2" and cells[6] == "—" and cells[7] == "—", cells
    assert main(["tables", str(out), "--data", str(data), "--format", "md", "--out", "-"]) == 0
