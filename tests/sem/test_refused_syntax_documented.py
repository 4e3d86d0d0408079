"""Each lavaan construct the README's `fit` section says this engine refuses is refused with a one-line
ModelSyntaxError naming its row and column, never ignored (audit, session 34: `l3 > 0.3` was refused, the README
did not say so)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from iur_survey.errors import ModelSyntaxError
from iur_survey.sem import sem

HS = Path(__file__).resolve().parents[1] / "reference" / "data" / "hs1939.csv"
BASE = "visual =~ x1 + l2*x2 + l3*x3\ntextual =~ x4 + x5 + x6\n"
README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("extra, words", [
    ("l3 > 0.3\n", "inequality constraints `a > 0`"),
    ("x1 ~~ lower(0.1)*x1\n", "`lower()`/`upper()` bounds"),
    ("comp <~ x7 + x8 + x9\n", "formative `<~`"),
    ("x1 ~*~ x1\n", "`~*~`"),
    ("x1 | t1\n", "thresholds written `|`"),
    ("speed =~ efa(\"b\")*x7 + efa(\"b\")*x8 + efa(\"b\")*x9\n", "`efa()` / `prior()` modifiers"),
])
def test_documented_refusals(extra, words):
    assert words in " ".join(README.split())
    with pytest.raises(ModelSyntaxError) as exc:
        sem(BASE + extra, pd.read_csv(HS), warn=False)
    assert ":3:" in str(exc.value) and "\n" not in str(exc.value)


def test_level_blocks_refused():
    assert "`level:` blocks" in " ".join(README.split())
    with pytest.raises(ModelSyntaxError, match="level blocks are not supported"):
        sem("level: 1\nvisual =~ x1 + x2 + x3\nlevel: 2\nvisual =~ x1 + x2 + x3\n", pd.read_csv(HS), warn=False)
