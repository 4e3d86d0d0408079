"""A bad export stops the book before anything is built (an outside audit: an empty, HTML or mistyped export built
the whole book, exit 1, with 25 lines of Sphinx log; an export whose every row is excluded ended in a KeyError).
The export is read and cleaned first, as `iur-survey clean` does; its one-line error ends the command (exit 2).
No test here builds a book."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from iur_survey.book import DEFAULT_DATA, BookSettings, build_book
from iur_survey.errors import BookInputError
from iur_survey.pipeline import compute_results, input_failure

REPO = Path(__file__).resolve().parents[2]
INSTRUMENT = REPO / "data" / "instrument.yaml"
QUALTRICS_HEADER_ROWS = 3


def _export(tmp_path: Path, name: str, *, n: int | None = None, status: str | None = None) -> Path:
    """The demo export (Qualtrics, three header rows) cut to ``n`` responses, or with every Status set."""
    with DEFAULT_DATA.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    head, body = rows[:QUALTRICS_HEADER_ROWS], rows[QUALTRICS_HEADER_ROWS:]
    if n is not None:
        body = body[:n]
    if status is not None:
        j = head[0].index("Status")
        for r in body:
            r[j] = status
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(head + body)
    return path


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "iur_survey", "book", "--quiet", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=300, env=dict(os.environ))


def _previous_build(out: Path) -> Path:
    page = out / "html" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text("<html>the previous book</html>")
    return page


@pytest.mark.parametrize("content, said", [(b"", "the file is empty"),
                                           (b"<!DOCTYPE html><html><body>Login</body></html>\n",
                                            "matches no known export")])
def test_an_unreadable_export_stops_the_command_in_one_line(tmp_path, content, said):
    data = tmp_path / "export.csv"
    data.write_bytes(content)
    page = _previous_build(tmp_path / "o")
    proc = _cli("--data", str(data), "--out", str(tmp_path / "o"))
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"iur-survey book: error: {data}") and said in lines[0]
    assert page.read_text() == "<html>the previous book</html>"             # nothing built, nothing removed
    assert not (tmp_path / "o" / "jupyter_execute").exists()


def test_an_export_whose_every_row_is_excluded_stops_with_cleans_error(tmp_path):
    data = _export(tmp_path, "preview.csv", n=60, status="Survey Preview")
    proc = _cli("--data", str(data), "--out", str(tmp_path / "o"))
    assert proc.returncode == 2, proc.stderr
    assert "no response kept: all 60 raw rows were excluded (status 60)" in proc.stderr
    assert "Traceback" not in proc.stderr and "KeyError" not in proc.stderr
    # every line is the command's own (a reader warning included), not Python's warning with its source line
    assert all(line.startswith("iur-survey book: ") for line in proc.stderr.strip().splitlines())


def test_too_few_kept_responses_stop_the_book_before_building(tmp_path):
    """30 rows, 15 kept for 28 items: no model can be estimated (a 10-row export ended in a cell traceback)."""
    data = _export(tmp_path, "thirty.csv", n=30)
    page = _previous_build(tmp_path / "o")
    with pytest.raises(BookInputError, match=r"thirty.csv: only 15 of the 30 raw rows were kept.*not more than the "
                                             r"28 items"):
        build_book(BookSettings(data, INSTRUMENT, tmp_path / "o" / ".iur-survey"), out=tmp_path / "o")
    assert page.is_file() and not (tmp_path / "o" / "jupyter_execute").exists()


def test_the_pipeline_marks_the_clean_step_failed_when_no_row_is_kept(tmp_path):
    """No KeyError in the invariance step: every step after a failed clean waits (pending), none runs."""
    data = _export(tmp_path, "preview.csv", n=40, status="Survey Preview")
    res = compute_results(BookSettings(data, INSTRUMENT, tmp_path / "w"))
    assert res["read"].ok and res["clean"].status == "failed"
    assert res["clean"].reason.startswith(f"{data}: no response kept")
    assert input_failure(res) == res["clean"].reason
    later = [s for name, s in res.steps.items() if name not in ("read", "clean")]
    assert later and all(s.status == "pending" and s.value is None for s in later)


@pytest.mark.parametrize("where", ["file", "inside"])
def test_an_out_that_is_a_file_or_holds_the_export_in_a_replaced_folder_is_refused_first(tmp_path, where):
    """`--out` is checked before any work: a file as --out (the export itself, once) ran nine pipeline steps
    before failing; an export inside OUT/html would have been deleted with the previous build."""
    if where == "file":
        data = _export(tmp_path, "export.csv", n=60)
        out, said = data, "the output path exists and is not a directory"
    else:
        (tmp_path / "o" / "html").mkdir(parents=True)
        data = _export(tmp_path / "o" / "html", "export.csv", n=60)
        out, said = tmp_path / "o", "in a folder the book build replaces"
    before = data.read_bytes()
    proc = _cli("--data", str(data), "--out", str(out))
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and said in lines[0], proc.stderr
    assert data.read_bytes() == before


def test_an_instrument_without_a_construct_of_the_model_stops_before_the_pipeline(tmp_path):
    """An outside audit: an instrument without INT built a book of notices (exit 0, six steps failed, the structural,
    mediation and group chapters empty). The study's model cannot be built from it: one line naming the instrument,
    exit 2, before any step runs."""
    import re
    inst = tmp_path / "no_int.yaml"
    inst.write_text(re.sub(r"(?m)^  INT\d?:\n(?:    .*\n)+", "", INSTRUMENT.read_text(encoding="utf-8")),
                    encoding="utf-8")
    data = _export(tmp_path, "export.csv", n=60)
    page = _previous_build(tmp_path / "o")
    proc = _cli("--data", str(data), "--instrument", str(inst), "--out", str(tmp_path / "o"))
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"iur-survey book: error: {inst}: the study's model cannot be built from this "
                               "instrument: the default model needs constructs COL and INT"), lines[0]
    assert page.read_text() == "<html>the previous book</html>"
    assert not (tmp_path / "o" / ".iur-survey").exists() and not (tmp_path / "o" / "jupyter_execute").exists()


def _collinear_export(tmp_path: Path) -> Path:
    """The demo export with GOV2, GOV3 and GOV4 copies of GOV1: a singular covariance, no ML solution."""
    with DEFAULT_DATA.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    head = rows[0]
    src = head.index("Q2_1")
    for r in rows[QUALTRICS_HEADER_ROWS:]:
        for col in ("Q2_2", "Q2_3", "Q2_4"):
            r[head.index(col)] = r[src]
    path = tmp_path / "collinear.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def test_a_model_that_does_not_converge_stops_the_book_with_its_reason(tmp_path):
    """An outside audit: an export whose measurement model did not converge built the book (exit 0) with the
    measurement, structural and mediation chapters as notices. The build stops at the failed model with its
    one-line reason; the previous build stays and no notebook runs."""
    data = _collinear_export(tmp_path)
    page = _previous_build(tmp_path / "o")
    with pytest.raises(BookInputError, match=r"collinear.csv: the (measurement|structural) model \((cfa|sem)\) could "
                                             r"not be estimated on this export: .*did not converge.*no book was built"):
        build_book(BookSettings(data, INSTRUMENT, tmp_path / "o" / ".iur-survey"), out=tmp_path / "o")
    assert page.is_file() and not (tmp_path / "o" / "jupyter_execute").exists()
