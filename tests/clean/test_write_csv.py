"""write_csv: the byte assembly writes exactly what csv.writer writes, row by row (every column kind, large frames)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from iur_survey.clean.pipeline import _csv_cells, _write_csv_rows, write_csv


def _reference(frame: pd.DataFrame, path) -> bytes:
    import csv
    import io

    head = io.StringIO()
    csv.writer(head, lineterminator="\n").writerow([str(c) for c in frame.columns])
    _write_csv_rows(frame, path, head.getvalue())
    return path.read_bytes()


def _frame(seed: int, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    texts = np.array(["a", "b,c", 'say "hi"', "", "x y", " lead", "trail ", "序号", "a\nb", "c\rd", "tab\tx"],
                     dtype=object)
    ids = np.array([f"R_{i:09d}" for i in rng.permutation(n)], dtype=object)
    if seed % 3 == 0:   # two lengths, equally many: the mean length is whole but the cells are not all as long
        ids = np.array([f"R_{i:08d}" if i % 2 else f"R_{i:010d}" for i in range(n)], dtype=object)
    if seed % 3 == 1:
        ids[rng.integers(n)] = 'R_"quoted,id'
    if seed % 3 == 2:
        ids = np.array([str(i) for i in range(n)], dtype=object)   # unequal lengths
        ids[0] = None
    codes = rng.integers(1, 6, n).astype(float)
    codes[rng.random(n) < 0.1] = np.nan
    odd = rng.choice([np.nan, -0.0, 0.0, 2.5, 1e6, -1001.0, 1e-7, np.inf, 1234567891234.0, 3.0], n)
    return pd.DataFrame({
        "response_id": pd.array(ids, dtype="string") if seed % 2 else pd.Series(ids, dtype=object),
        "row": rng.integers(0, 10 ** int(rng.integers(1, 12)), n),
        "neg": rng.integers(-5, 5, n),
        "GOV1": codes,
        "odd": odd,
        "nullable": pd.array(np.where(rng.random(n) < 0.2, None, codes), dtype="Float64"),
        "detail": pd.array(np.where(rng.random(n) < 0.1, None, texts[rng.integers(len(texts), size=n)]),
                           dtype="string"),
        "flag": rng.integers(0, 2, n),
    })


@pytest.mark.parametrize("seed,n", [(0, 5), (1, 1500), (2, 1200), (3, 3000), (6, 0), (9, 2000)])
def test_byte_assembly_equals_csv_writer(seed, n, tmp_path):
    frame = _frame(seed, n)
    assert all(_csv_cells(frame.iloc[:, j]) is not None for j in range(frame.shape[1]))   # the fast path
    write_csv(frame, tmp_path / "a.csv")
    assert (tmp_path / "a.csv").read_bytes() == _reference(frame, tmp_path / "b.csv")


def test_other_columns_go_through_csv_writer(tmp_path):
    frame = pd.DataFrame({"id": ["a", "b", None], "when": pd.to_datetime(["2024-01-01", None, "2024-01-02"]),
                          "ok": [True, False, True], "mixed": pd.Series([1, "x", 2.5], dtype=object),
                          "nul": ["a\x00b", "", "c"]})
    for cols in (["id", "when"], ["id", "ok"], ["id", "mixed"], ["id", "nul"], ["id"]):
        write_csv(frame[cols], tmp_path / "a.csv")
        assert (tmp_path / "a.csv").read_bytes() == _reference(frame[cols], tmp_path / "b.csv")


def test_a_text_with_a_nul_is_written_as_it_is(tmp_path):
    """pandas hashes text up to its first NUL ("a\\x00b" factorizes as "a"): such a column goes to csv.writer."""
    from iur_survey.clean.pipeline import write_csv

    for vals in ([None, "\x00"], ["a\x00b", "a"], ["x"] * 1500 + ["a\x00b"]):
        df = pd.DataFrame({"response_id": pd.array(vals, dtype="string"), "GOV1": np.arange(len(vals), dtype=float)})
        write_csv(df, tmp_path / "a.csv")
        df.to_csv(tmp_path / "b.csv", index=False, float_format="%.10g")
        assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes(), vals
