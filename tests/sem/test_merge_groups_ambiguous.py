"""--merge-groups that would relabel groups instead of merging them is refused (audit s25 cliaudit A1).

Applied at once, ``a=b,b=a`` swapped the two groups' labels (the 190 g2 respondents reported as g3 and the
120 g3 ones as g2), ``a=b,b=c`` left a group called ``b`` that held only the ``a`` respondents, and
``a=b,a=c`` kept the last target: each with exit status 0 and no warning.  A merge into a group that stays
is unchanged."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from iur_survey.cli import main
from iur_survey.errors import EstimationError
from iur_survey.sem.invariance import merge_groups, prepare_groups

DATA = "tests/sem/ordinal_refs/wlsmv_groups_630.csv"
MODEL = "F1 =~ a1 + a2 + a3 + a4\nF2 =~ b1 + b2 + b3 + b4\nF2 ~ F1\n"


@pytest.mark.parametrize("spec, says", [
    ("g2=g3,g3=g2", "g2=g3 and g3=g2 swap the two labels"),
    ("g3=g2,g2=g1", "'g2' is merged (g2=g1) and merged into (g3=g2): a chain"),
    ("g3=g2,g3=g1", "group 'g3' is given twice (g3=g2, g3=g1)"),
])
def test_refused_api(spec, says):
    d = pd.read_csv(DATA)
    with pytest.raises(EstimationError) as e:
        prepare_groups(d, "G", MODEL, merge=spec)
    assert says in str(e.value) and "\n" not in str(e.value)


def test_mapping_swap_refused():
    d = pd.DataFrame({"g": ["a"] * 3 + ["b"] * 2})
    with pytest.raises(EstimationError, match="swap the two labels"):
        merge_groups(d, "g", {"a": "b", "b": "a"})


def test_plain_merges_unchanged():
    d = pd.read_csv(DATA)
    _, sizes, mapping, _ = prepare_groups(d, "G", MODEL, merge="g3=g2")
    assert mapping == {"g3": "g2"} and dict(zip(sizes["group"], sizes["n"])) == {"g1": 320, "g2": 310}
    _, sizes, mapping, _ = prepare_groups(d, "G", MODEL, merge="g2=g23,g3=g23")     # two into a new label
    assert mapping == {"g2": "g23", "g3": "g23"} and dict(zip(sizes["group"], sizes["n"])) == {"g1": 320, "g23": 310}
    _, _, mapping, _ = prepare_groups(d, "G", MODEL, merge="g3=g2,g3=g2")           # the same pair twice
    assert mapping == {"g3": "g2"}


def test_cli_swap_exit_2_nothing_written(tmp_path, capsys):
    model = tmp_path / "m.lav"
    model.write_text(MODEL)
    out = tmp_path / "r.json"
    code = main(["fit", DATA, "--model", str(model), "--group", "G", "--merge-groups", "g2=g3,g3=g2",
                 "--out", str(out)])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.count("\n") == 0 and "Traceback" not in err
    assert "swap the two labels" in err and not out.exists()


def test_cli_merge_into_kept_group_runs(tmp_path, capsys):
    model = tmp_path / "m.lav"
    model.write_text(MODEL)
    out = tmp_path / "r.json"
    assert main(["fit", DATA, "--model", str(model), "--group", "G", "--merge-groups", "g3=g2",
                 "--out", str(out)]) == 0
    res = json.loads(out.read_text())
    assert set(res["groups"]) == {"g1", "g2"} and res["groups"]["g2"] > 300 and res["groups_merged"] == {"g3": "g2"}
