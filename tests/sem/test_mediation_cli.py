"""Mediation in a path model (observed variables only) through the commands: `fit --group` with one label per
group and := indirect effects per group against lavaan (tests/sem/mediation_refs/make_refs.R), and `tables` of
such a fit (both failed: audit s23 B2, B3)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

REFS = Path(__file__).parent / "mediation_refs"
REF = json.loads((REFS / "mediation_refs.json").read_text())


def test_fit_group_path_model_equals_lavaan_and_tables_run(tmp_path):
    from iur_survey.cli import main
    out = tmp_path / "results.json"
    assert main(["fit", str(REFS / REF["data"]), "--model", str(REFS / REF["model"]), "--group", REF["group"],
                 "--out", str(out)]) == 0
    got = json.loads(out.read_text())
    est = pd.DataFrame(got["estimates"])
    ref = pd.DataFrame(REF["pe"])
    number = {"ctl": 1, "trt": 2}                  # results.json names the groups; lavaan numbers them
    for frame in (est, ref):
        frame["key"] = [a if o == ":=" else f"{a}{o}{b}|{number.get(g, g)}"
                        for a, o, b, g in zip(frame["lhs"], frame["op"], frame["rhs"], frame["group"])]
    m = ref.set_index("key").join(est.set_index("key")[["est", "se", "std.all"]], rsuffix="_py")
    assert m["est_py"].notna().all()
    np.testing.assert_allclose(m["est_py"], m["est"], atol=1e-5)
    np.testing.assert_allclose(m["se_py"], m["se"], atol=1e-5)
    std = pd.DataFrame(REF["std"]).set_index("lhs")
    np.testing.assert_allclose(m.loc[std.index, "std.all"], std["est.std"], atol=1e-5)
    tab = tmp_path / "tables.md"
    assert main(["tables", str(out), "--format", "md", "--out", str(tab)]) == 0
    text = tab.read_text()
    # two indirect effects and their contrast diff := ind_trt - ind_ctl: not "Indirect and total effects"
    assert "*Indirect effects and other defined parameters*" in text and "Measurement model" not in text
    assert "Indirect and total effects" not in text
