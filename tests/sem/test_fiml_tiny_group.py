"""A group with barely more cases than items under FIML: robust CFI/RMSEA are NA with a warning that says why and
that lavaan's figures there are noise (audit s29).

lavaan 0.6.14 inverts the saturated model's observed information Wm by eigen-decomposition, which never fails,
and prints cfi.robust for this data; its Wm in the 38-case group has eigenvalues from about -1e15 to 1e8
(tiny_group_refs.json, made by make_tiny_group_refs.R next to it, output in its .Rout), so that figure is rounding
noise.  Ours is NA; the warning used to blame "R's solve()" alone, as if lavaan failed too.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iur_survey.cli import main

HERE = Path(__file__).resolve().parent / "tiny_group_refs"


def test_tiny_group_fiml_robust_indices_na_with_lavaans_noise_named(tmp_path, capsys):
    ref = json.loads((HERE / "tiny_group_refs.json").read_text(encoding="utf-8"))
    lo, hi = ref["wm_eigen_range"][3]
    assert lo < -1e6 and hi / abs(lo) < 1e-3           # lavaan's Wm of 'government' is numerically meaningless
    out = tmp_path / "r.json"
    assert main(["fit", str(HERE / "roles_733.csv"), "--group", "role", "--out", str(out)]) == 0
    r = json.loads(out.read_text(encoding="utf-8"))
    assert list(r["groups"]) == ref["group_labels"]
    assert list(r["groups"].values()) == ref["nobs"] == [180, 95, 420, 38]
    assert r["fit"]["chisq"] == pytest.approx(ref["fit"]["chisq"], rel=1e-4)
    assert r["fit"]["cfi"] == pytest.approx(ref["fit"]["cfi"], abs=1e-4)
    assert ref["fit"]["cfi.robust"] is not None                    # lavaan prints a figure ...
    assert r["fit"]["cfi.robust"] is None and r["fit"]["rmsea.robust"] is None   # ... ours is NA, and says why
    msg = [w for w in r["warnings"] if "robust CFI" in w][0]
    assert "group 4" in msg and "eigen-decomposition" in msg and "rounding noise" in msg
    assert "--merge-groups" in msg
    assert "eigen-decomposition" in capsys.readouterr().err


def test_listwise_group_with_too_few_complete_cases_is_placed(tmp_path, capsys):
    """--missing listwise leaves the 38-row 'government' group 23 complete cases for 28 items: the error used to say
    only 'not positive definite; check for constant or perfectly collinear variables, or too few cases'."""
    out = tmp_path / "r.json"
    assert main(["fit", str(HERE / "roles_733.csv"), "--group", "role", "--missing", "listwise",
                 "--out", str(out)]) == 2
    err = capsys.readouterr().err
    # the group by its place and the count, never its label (a group column may hold names: audit27)
    assert "group 4 of 4" in err and "government" not in err
    assert "23 complete cases (of 38 rows" in err and "28 observed variables" in err
    assert "--missing fiml" in err and not out.exists()
