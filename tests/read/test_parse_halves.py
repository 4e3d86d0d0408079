"""parse_delimited in two halves (large files) gives the frame, lines and errors of the whole parse."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest

from iur_survey.read import source


def _parse(buf: bytes, threshold: int, monkeypatch, **kw):
    monkeypatch.setattr(source, "PARALLEL_PARSE_BYTES", threshold)
    monkeypatch.setattr(source, "free_core", lambda: True)
    try:
        return source.parse_delimited(buf, "x.csv", **kw)
    except Exception as exc:   # noqa: BLE001 - compared below
        return type(exc).__name__, str(exc)


def _body(seed: int) -> bytes:
    rng = random.Random(seed)
    cells = ["a", "b", '"x\ny"', '"q""r"', "", 'ab"c', '"z"w', "序号"]
    lines = []
    n = rng.randint(50, 2500)
    for i in range(n):
        f = [str(i), rng.choice(cells), str(rng.randint(1, 5))]
        if i > 0.8 * n and rng.random() < 0.05:
            f[2] = "0"                     # a category of the second half only
        u = rng.random()
        if u < 0.01:
            f = f[:2]                      # short row
        elif u > 0.999:
            f.append("extra")              # long row: an error
        lines.append(",".join(f) + ("\n" if rng.random() < 0.01 else ""))
    if seed % 5 == 3:
        lines[rng.randrange(len(lines))] += ',"never closed'
    return ("\n".join(lines) + rng.choice(["", "\n"])).encode()


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("categorical", [(), (1, 2)])
def test_halves_equal_the_whole_parse(seed, categorical, monkeypatch):
    buf = _body(seed)
    kw = dict(width=3, usecols=None, categorical=set(categorical), first_line=5)
    whole = _parse(buf, 1 << 62, monkeypatch, **kw)
    halves = _parse(buf, 1, monkeypatch, **kw)
    if isinstance(whole[0], str):
        assert halves == whole
        return
    (a, la), (b, lb) = whole, halves
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert np.array_equal(la, lb) and la.dtype == lb.dtype
    for c in a.columns:
        if isinstance(a[c].dtype, pd.CategoricalDtype):
            assert a[c].cat.categories.equals(b[c].cat.categories)


def test_a_quoted_cell_across_the_middle(monkeypatch):
    # one quoted cell spans the middle of the body: the cut comes after it (or the whole body is parsed)
    buf = b"1,a,2\n" * 200 + b'2,"' + b"x\n" * 3000 + b'",3\n' + b"3,b,4\n" * 200
    kw = dict(width=3, usecols=None, categorical={1}, first_line=2)
    (a, la), (b, lb) = _parse(buf, 1 << 62, monkeypatch, **kw), _parse(buf, 1, monkeypatch, **kw)
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert np.array_equal(la, lb) and len(a) == 401
