"""`iur-survey tables` of a fit whose recorded instrument (`fit --instrument`) has moved: the data was read with the
study's instrument in its place, silently (a 7-point fit's data was then refused as "holds 6, off the instrument's
scale 1-5 ... recode it", as if the data were wrong, and data inside both scales was checked against codes it was
not fitted with).  Now `tables --data` stops with an error naming the recorded instrument and --instrument, and
`tables` (the recorded data) leaves alpha and HTMT out with a warning naming it, as for a moved data file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from iur_survey.cli import main

OWN7 = Path(__file__).resolve().parent / "refs" / "own7"


@pytest.fixture()
def moved(tmp_path):
    inst, data = tmp_path / "inst.yaml", tmp_path / "data.csv"
    shutil.copy(OWN7 / "instrument.yaml", inst)
    shutil.copy(OWN7 / "data.csv", data)
    out = tmp_path / "results.json"
    assert main(["fit", str(data), "--instrument", str(inst), "--quiet", "--out", str(out)]) == 0
    assert main(["tables", str(out), "--format", "md", "--out", str(tmp_path / "before.md")]) == 0
    inst.rename(tmp_path / "moved.yaml")
    return tmp_path, out, inst, data


def test_tables_data_with_a_moved_instrument_is_an_error_naming_it(moved, capsys):
    tmp, out, inst, data = moved
    capsys.readouterr()
    assert main(["tables", str(out), "--data", str(data), "--format", "md", "--out", str(tmp / "a.md")]) != 0
    err = capsys.readouterr().err
    assert f"{inst}: the instrument results.json records (fit --instrument) is not there" in err, err
    assert "--instrument FILE" in err and "off the instrument's scale" not in err
    assert not (tmp / "a.md").exists()


def test_tables_without_data_leaves_alpha_out_and_says_why(moved, capsys):
    tmp, out, inst, _ = moved
    capsys.readouterr()
    assert main(["tables", str(out), "--format", "md", "--out", str(tmp / "b.md")]) == 0
    err = capsys.readouterr().err
    assert f"warning: {inst}: the instrument results.json records is not there" in err, err
    assert "alpha and HTMT are left out" in err
    md = (tmp / "b.md").read_text(encoding="utf-8")
    assert f"α needs the data: — (the instrument results.json records ({inst}) is not there; give --instrument)" in md


def test_instrument_option_gives_the_tables_of_before(moved):
    tmp, out, _, data = moved
    assert main(["tables", str(out), "--data", str(data), "--instrument", str(tmp / "moved.yaml"), "--format", "md",
                 "--out", str(tmp / "c.md")]) == 0
    assert (tmp / "c.md").read_text(encoding="utf-8") == (tmp / "before.md").read_text(encoding="utf-8")
