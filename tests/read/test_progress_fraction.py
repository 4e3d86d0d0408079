"""A Progress column stored as fractions (0-1) instead of percentages (0-100).

Before: 1 (finished) read as 1 %, so every response was unfinished and the cleaning ended with
"no response kept" without saying why.  Now fractions are read as percentages with a warning
when the values show it (a value strictly between 0 and 1, or 1 exactly where Finished says
finished), and a column of only 0 and 1 that nothing explains is refused (1 % or 100 %?).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from iur_survey.clean import clean
from iur_survey.errors import ReadError
from iur_survey.read import read_export
from iur_survey.read.recode import ProgressScaleWarning
from iur_survey.simulate import simulate
from iur_survey.simulate.writers import write_export

ITEMS = [f"{c}{i}" for c in ("GOV", "MKT", "BEN", "VAL", "TAL", "COL", "INT") for i in range(1, 5)]


def export(tmp_path, inst, progress, finished=None, seed=0, name="p.csv"):
    """A plain CSV of simulated answers with the given Progress (and Finished) columns, one value a row."""
    n = len(progress)
    frame = simulate(n, seed=seed).frame.iloc[:n]
    out = pd.DataFrame({"ResponseId": [f"R{i}" for i in range(n)], "role": frame[inst.group_column].to_numpy()})
    if finished is not None:
        out["Finished"] = finished
    out["Progress"] = progress
    for c in ITEMS:
        out[c] = frame[c].to_numpy()
    p = tmp_path / name
    out.to_csv(p, index=False)
    return p


def test_fractions_are_read_as_percentages_with_a_warning(tmp_path, inst):
    progress = [1.0] * 80 + [0.45, 0.8, 0.1] * 5
    p = export(tmp_path, inst, progress)
    with pytest.warns(ProgressScaleWarning, match=r"Progress holds fractions 0-1 \(0.45 on row 82\)"):
        raw = read_export(p, inst)
    assert raw.frame["_progress"].tolist() == pytest.approx([100.0] * 80 + [45.0, 80.0, 10.0] * 5)
    report = clean(raw, inst).report
    assert any("holds fractions 0-1" in w for w in report["warnings"])
    assert report["n_kept"] > 0                  # before: 0 kept (every row "Progress 1% < 100%")


def test_zero_one_with_a_finished_column_that_agrees(tmp_path, inst):
    fin = [True] * 70 + [False] * 25
    p = export(tmp_path, inst, [1 if f else 0 for f in fin], finished=fin)
    with pytest.warns(ProgressScaleWarning, match="1 exactly where Finished says finished"):
        raw = read_export(p, inst)
    assert sorted(set(raw.frame["_progress"])) == [0.0, 100.0]


def test_zero_one_without_finished_is_refused(tmp_path, inst):
    p = export(tmp_path, inst, [1] * 60 + [0] * 5)
    with pytest.raises(ReadError) as ei:
        read_export(p, inst)
    e = ei.value
    assert (e.file, e.row, e.column) == (str(p), 2, "Progress")
    assert "1 may be 1 % or 100 %" in e.message and "\n" not in str(e)
    p = export(tmp_path, inst, [1] * 60, name="ones.csv")      # all 1: as ambiguous
    with pytest.raises(ReadError, match="1 may be 1 % or 100 %"):
        read_export(p, inst)


def test_zero_one_that_finished_contradicts_is_refused(tmp_path, inst):
    fin = [True] * 60 + [False] * 5
    prog = [1] * 60 + [0] * 5
    prog[10] = 0                                               # finished, at 0
    p = export(tmp_path, inst, prog, finished=fin)
    with pytest.raises(ReadError, match=r"p.csv:12:Progress: Progress holds only 0 and 1 and does not agree"):
        read_export(p, inst)


def test_fractions_that_finished_contradicts_are_refused(tmp_path, inst):
    fin = [True] * 60 + [False] * 5
    prog = [1.0] * 60 + [0.5] * 5
    prog[3] = 0.9                                              # finished at 0.9 (or 0.9 %)
    p = export(tmp_path, inst, prog, finished=fin)
    with pytest.raises(ReadError, match=r"p.csv:5:Progress: .*finished at 0.9: neither percentages nor fractions"):
        read_export(p, inst)


def test_out_of_range_progress_is_refused(tmp_path, inst):
    p = export(tmp_path, inst, [100] * 30 + [150])
    with pytest.raises(ReadError, match=r"p.csv:32:Progress: progress 150 is outside 0-100"):
        read_export(p, inst)


@pytest.mark.parametrize("progress,finished", [
    ([0] * 40, None),                                          # 0 % either way
    ([0, 1] * 20, [False] * 40),                               # nobody finished: 0 % and 1 %, as Qualtrics writes
    ([100] * 30 + [1, 0, 45] * 3, None),                       # percentages
])
def test_percentages_and_unambiguous_columns_are_left_alone(tmp_path, inst, progress, finished):
    p = export(tmp_path, inst, progress, finished=finished)
    raw = read_export(p, inst)
    assert raw.frame["_progress"].tolist() == [float(v) for v in progress] and raw.warnings == []


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_qualtrics_exports_keep_their_percentages(tmp_path, inst, seed):
    """Qualtrics writes whole percentages 0-100: no warning, values unchanged, on several simulated exports."""
    frame = simulate(120, seed=seed).frame
    p = write_export(frame, inst, "qualtrics", tmp_path / "q.csv")
    raw = read_export(p, inst)
    assert not any("Progress" in w for w in raw.warnings)
    got = raw.frame["_progress"].to_numpy(dtype=float)
    got = got[~np.isnan(got)]
    assert got.max() == 100.0 and got.min() >= 0 and np.array_equal(got, np.round(got))


def test_limesurvey_lastpage_is_not_a_progress(tmp_path, inst):
    """LimeSurvey's ``lastpage`` is a page number, not a percentage: it is never read as Progress."""
    head = ["id", "submitdate", "lastpage", "startlanguage", "role", *ITEMS]
    rows = [[str(i), "2023-03-01 10:00:00", "3", "en", "enterprise", *["3"] * 28] for i in range(1, 6)]
    p = tmp_path / "ls.csv"
    p.write_text("\n".join(",".join(r) for r in [head, *rows]) + "\n")
    raw = read_export(p, inst)
    assert raw.format == "limesurvey" and "_progress" not in raw.column_map.values()
    assert raw.frame["_progress"].isna().all() and raw.frame["_finished"].all()
