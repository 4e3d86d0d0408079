"""`iur-survey tables` of an ordered (WLSMV) fit: the HTMT is the Pearson one of the item codes (semTools' htmt()
default) while the rest of the table rests on polychoric correlations; the note says so (before: only
"semTools' htmt(htmt2 = FALSE)")."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from iur_survey.measure import htmt
from iur_survey.report import paper

DATA = Path(__file__).parent / "refs" / "hs1939_ordered.csv"
CFA3 = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"


def test_ordered_fit_says_its_htmt_is_pearson(tmp_path):
    from iur_survey.cli import main
    lav = tmp_path / "m.lav"
    lav.write_text(CFA3, encoding="utf-8")
    res = tmp_path / "results.json"
    assert main(["fit", str(DATA), "--model", str(lav), "--ordered", "--out", str(res), "--quiet"]) == 0
    data = pd.read_csv(DATA)
    d = paper.discriminant_apa(json.loads(res.read_text(encoding="utf-8")), data)
    assert "Pearson correlations of the item codes" in d.note and "htmt(ordered =)" in d.note
    h = htmt(data, {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"], "speed": ["x7", "x8", "x9"]})
    row = d.frame.set_index("Pair").loc["visual – textual", "HTMT"]
    assert abs(float(row) - float(h.loc[0, "htmt"])) < 0.0051
    plain = tmp_path / "plain.json"
    assert main(["fit", str(DATA), "--model", str(lav), "--out", str(plain), "--quiet"]) == 0
    assert "Pearson correlations of the item codes" not in paper.discriminant_apa(
        json.loads(plain.read_text(encoding="utf-8")), data).note
