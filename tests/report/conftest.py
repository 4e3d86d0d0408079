"""Fixtures shared by the report tests."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from iur_survey.cli import main

HS = Path("tests/reference/data/hs1939.csv")
MERGED_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\nspeed ~ visual\n"


def three_groups(path: Path, column: str, names: tuple[str, str, str]) -> Path:
    """HS1939 written to ``path`` with a group ``column`` of three groups: ``names[0]`` for Pasteur, Grant-White
    split into ``names[1]`` (every 5th id: the small one) and ``names[2]``."""
    hs = pd.read_csv(HS)
    hs[column] = [names[0] if s == "Pasteur" else (names[1] if i % 5 == 0 else names[2])
                  for s, i in zip(hs["school"], hs["id"])]
    hs.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def merged_fits(tmp_path_factory) -> dict[str, Path]:
    """results.json of three sites (north = Pasteur; Grant-White split into east, every 5th id, and south), fitted
    with east merged into south (``into``: east=south) and by the "smallest" rule (``smallest``: east+south)."""
    d = tmp_path_factory.mktemp("merged")
    three_groups(d / "hs3.csv", "site", ("north", "east", "south"))
    (d / "m.lav").write_text(MERGED_MODEL)
    out = {}
    for name, spec in (("into", "east=south"), ("smallest", "smallest")):
        res = d / f"{name}.json"
        assert main(["fit", str(d / "hs3.csv"), "--model", str(d / "m.lav"), "--group", "site",
                     "--merge-groups", spec, "--quiet", "--out", str(res)]) == 0
        out[name] = res
    return out
