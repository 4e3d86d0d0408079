"""A diagram of a bootstrapped fit says what the p of its stars and dashed lines is (lavaan's z test over the
bootstrap SE), which the bootstrap CI of the tables can contradict; a fit without a bootstrap has no such line."""

from __future__ import annotations

from pathlib import Path

import pytest

from iur_survey.cli import main

HS = Path(__file__).resolve().parents[1] / "reference" / "data" / "hs1939.csv"
MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\ntextual ~ visual\n"


@pytest.mark.parametrize("boot", [True, False])
def test_legend_names_the_basis_of_p_after_a_bootstrap(tmp_path, boot):
    lav = tmp_path / "m.lav"
    lav.write_text(MODEL, encoding="utf-8")
    extra = ["--bootstrap", "20", "--seed", "1", "--workers", "1", "--quiet", "--ci", "bca.simple"] if boot else []
    assert main(["fit", str(HS), "--model", str(lav), "--out", str(tmp_path / "r.json"), *extra]) == 0
    assert main(["diagram", str(tmp_path / "r.json"), "--out", str(tmp_path / "d.svg"),
                 "--dot", str(tmp_path / "d.gv")]) == 0
    src = (tmp_path / "d.gv").read_text(encoding="utf-8")
    line = "p: z test of the estimate over its bootstrap SE (B = 20), as lavaan&#x27;s; the bootstrap bca.simple 95% CI"
    assert (line in src or line.replace("&#x27;", "'") in src) is boot
