"""Corners found by fuzzing the command line with small, odd exports (helper fuzz30): each gives a result or a
typed one-line error, never a traceback, and loses no response."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from iur_survey.cli import main


def _cfa_csv(path, n=120, seed=3, missing=True):
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(n, 2))
    x = np.column_stack([f[:, [0]] + rng.normal(scale=.7, size=(n, 3)), f[:, [1]] + rng.normal(scale=.7, size=(n, 3))])
    d = pd.DataFrame(np.clip(np.round(3 + x), 1, 5), columns=["A1", "A2", "A3", "B1", "B2", "B3"])
    if missing:
        d = d.mask(rng.random(d.shape) < .03)
    d.insert(0, "response_id", [f"r{i}" for i in range(n)])
    d.to_csv(path, index=False)         # plain: no quotes, UTF-8 (read without pandas by `fit`)


def test_fit_residuals_under_fiml_reads_the_plain_csv(tmp_path, capsys):
    # `fit clean.csv --residuals` with a missing cell (FIML; MLR too) died with "TypeError: 'CsvTable' object is
    # not subscriptable": the residuals' standard errors need the data rows, and the plain CSV is not a DataFrame
    _cfa_csv(tmp_path / "clean.csv")
    (tmp_path / "m.lav").write_text("A =~ A1 + A2 + A3\nB =~ B1 + B2 + B3\n", encoding="utf-8")
    for extra in ([], ["--estimator", "MLR"]):
        out = tmp_path / f"r{len(extra)}.json"
        assert main(["fit", str(tmp_path / "clean.csv"), "--model", str(tmp_path / "m.lav"), "--residuals", "3",
                     *extra, "--out", str(out)]) == 0
        res = json.loads(out.read_text())
        assert res["missing"] in ("ml", "fiml") and res["residuals"]["summary"][""]["srmr"]
    # the same numbers as a file pandas reads (a quoted header)
    text = (tmp_path / "clean.csv").read_text()
    (tmp_path / "quoted.csv").write_text('"response_id"' + text[len("response_id"):])
    assert main(["fit", str(tmp_path / "quoted.csv"), "--model", str(tmp_path / "m.lav"), "--residuals", "3",
                 "--out", str(tmp_path / "q.json")]) == 0
    a = json.loads((tmp_path / "r0.json").read_text())["residuals"]["summary"]
    b = json.loads((tmp_path / "q.json").read_text())["residuals"]["summary"]
    assert a == b
