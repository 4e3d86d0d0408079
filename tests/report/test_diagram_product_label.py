"""The diagram names a latent interaction's product factor as the tables do, "A × B" (its items "a1 × b1" with
--indicators), not lavaan's internal "A.B" (audit s25 paperout)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from iur_survey.cli import main

REFS = Path(__file__).parents[1] / "sem" / "interaction_refs"


def test_product_factor_label_as_in_the_tables(tmp_path):
    c = json.loads((REFS / "interaction_refs.json").read_text())["two_outcomes"]
    model = tmp_path / "m.lav"
    model.write_text(c["user_model"] + "\n")
    out = tmp_path / "results.json"
    assert main(["fit", str(REFS / c["data"]), "--model", str(model), "--out", str(out), "--quiet"]) == 0
    tab = tmp_path / "t.md"
    assert main(["tables", str(out), "--format", "md", "--out", str(tab)]) == 0
    assert "A × B" in tab.read_text()
    dot = tmp_path / "d.gv"
    assert main(["diagram", str(out), "--indicators", "--out", str(tmp_path / "d.svg"), "--dot", str(dot)]) == 0
    src = dot.read_text(encoding="utf-8")
    assert "<B>A × B</B>" in src
    assert "<B>A.B</B>" not in src
    items = dict(re.findall(r'^\s*"?([\w.]+)"? \[label="?([^"\]]*?)"? fontsize=11', src, re.M))
    # the data's items are a.1 ... b.3 (dots in their names): the products' labels come from the loadings,
    # never from splitting "a.1.b.1"
    want = {f"a.{i}.b.{j}": f"a.{i} × b.{j}" for i in (1, 2, 3) for j in (1, 2, 3)}
    assert {k: items.get(k) for k in want} == want
    assert items["a.1"] == "a.1" and items["y1"] == "y1"
    assert '"A.B" ->' in src or '-> "A.B"' in src
