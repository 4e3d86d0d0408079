"""The reader's fast paths give what the plain definitions give: short records, personal-column texts."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest

from iur_survey.errors import EMAIL
from iur_survey.read import assemble, recode, source


def _short_by_search(buf: bytes, delimiter: str, width: int, n: int):
    """The definition: a delimiter counts when an even number of quotes precede it (a search per delimiter)."""
    arr = np.frombuffer(buf, dtype=np.uint8)
    starts, ends, _ = source.record_starts(buf)
    if len(starts) != n:
        return None
    quotes = np.flatnonzero(arr == 34)
    delims = np.flatnonzero(arr == ord(delimiter))
    delims = delims[(np.searchsorted(quotes, delims) % 2) == 0]
    return (np.searchsorted(delims, ends) - np.searchsorted(delims, starts) + 1) < width


@pytest.mark.parametrize("seed", range(4))
def test_short_records_as_defined(seed):
    rng = random.Random(seed)
    for _ in range(800):
        buf = "".join(rng.choice('a,,;"\n\rx\n') for _ in range(rng.randint(0, 30))).encode()
        delimiter, width = rng.choice(",;"), rng.randint(1, 5)
        n = len(source.record_starts(buf)[0]) if rng.random() < 0.9 else rng.randint(0, 5)
        want, got = _short_by_search(buf, delimiter, width, n), source._short_records(buf, delimiter, width, n)
        assert (want is None) == (got is None), buf
        if want is not None:
            assert np.array_equal(want, got), buf


POOL = ["a", "A", " a ", "", "  ", "ß", "SS", "ss", "x@y.com", "X@Y.COM ", "a\x00b", "a\x00c", None, np.nan, pd.NA,
        1, 1.0, True, "1", "12345", np.str_("ab"), "ab", "Ab", "anonymous", "x@y.com\x00", " Li@例子.cn"]


@pytest.mark.parametrize("seed", range(3))
def test_personal_texts_as_per_cell(seed):
    """Per distinct cell (text columns) = per cell: the same texts, the same e-mail codes in the same order."""
    rng = random.Random(seed)
    for _ in range(400):
        vals = [rng.choice(POOL) for _ in range(rng.randint(0, 8))]
        if rng.random() < 0.5:      # text and blanks only: the fast path
            vals = [v for v in vals if isinstance(v, str) or v is None or v is pd.NA or v != v]
        s = pd.Series(vals, dtype=object)
        per_cell = set(s.map(lambda x: "" if recode._blank(x) else str(x).strip().casefold()).unique())
        assert assemble._distinct(s, assemble._personal_text) == per_cell, vals
        codes, uniques = pd.factorize(s.map(
            lambda x: str(x).strip().lower() if not recode._blank(x) and EMAIL.search(str(x)) else ""))
        got_codes, got_uniques = assemble._factorized(s, assemble._email_text)
        assert np.array_equal(codes, got_codes) and list(uniques) == list(got_uniques), vals


@pytest.mark.parametrize("seed", range(3))
def test_matching_with_a_prefilter_as_per_text_search(seed):
    """``recode.matching`` with the byte prefilters of the id checks finds what ``pattern.search`` finds per text
    (ASCII texts and texts with other characters: no-break space, a digit of another script, CJK)."""
    rng = random.Random(seed)
    alphabet = list("ab Z09.:@_\t\x1c-\n") + ["\u00a0", "\u0663", "王"]
    for _ in range(600):
        texts = ["".join(rng.choice(alphabet[:15] if rng.random() < 0.6 else alphabet)
                         for _ in range(rng.randrange(9))) for _ in range(rng.randrange(1, 25))]
        for pattern, could in ((recode._PERSONAL_HINT, recode._PERSONAL_COULD), (recode._WORDS_HINT, recode._WORDS_COULD)):
            want = [bool(pattern.search(t)) for t in texts]
            assert recode.matching(pattern, texts, could).tolist() == want, (pattern.pattern, texts)
