"""Property-based tests: malformed exports give only IURSurveyError; well-formed ones round-trip."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from iur_survey.errors import IURSurveyError, MissingColumnError, OutOfRangeError
from iur_survey.instrument import load_instrument
from iur_survey.read import FORMATS as READ_FORMATS, read_export
from iur_survey.read.assemble import check_item_columns
from iur_survey.simulate.writers import FORMATS, expected_frame, write_export

INST = load_instrument()
EXT = {"qualtrics": ".csv", "wjx_csv": ".csv", "wjx_xlsx": ".xlsx", "spss": ".sav", "csv": ".csv", "xlsx": ".xlsx"}
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# text without surrogates or NUL; Chinese, quotes, commas and line breaks included
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)
MODES = st.sampled_from([None, *READ_FORMATS])


def _read_or_typed_error(path: Path, fmt=None, strict=False):
    before = path.read_bytes()
    try:
        raw = read_export(path, INST, format=fmt, strict=strict)
    except IURSurveyError as exc:
        assert str(exc)                       # a one-line message
        assert path.read_bytes() == before
        return None
    assert path.read_bytes() == before
    assert list(raw.frame.columns)[:2] == ["response_id", INST.group_column]
    return raw


@st.composite
def frames(draw):
    """A standard frame with random answers (NaN and out-of-scale codes too), roles, metadata,
    personal text (quotes, commas, line breaks, Chinese)."""
    n = draw(st.integers(1, 12))
    groups = [None, *INST.groups]
    # mostly scale codes; 3 % out of the scale (0, 6, 9: mostly rare slips, at times common enough to be refused)
    codes = st.integers(0, 99).map(lambda k: (0.0, 6.0, 9.0)[k] if k < 3 else np.nan if k < 12
                                   else float(1 + k % 5))
    data = {"response_id": [f"R_{i}_{draw(st.integers(0, 10**6))}" for i in range(n)],
            INST.group_column: [draw(st.sampled_from(groups)) for _ in range(n)]}
    for code in (*INST.item_codes, *INST.attention_checks):
        data[code] = [draw(codes) for _ in range(n)]
    data["_status"] = pd.array([draw(st.sampled_from([None, "IP Address", "Survey Preview", "Spam", "Imported",
                                                      "Survey Test", "Offline"])) for _ in range(n)],
                               dtype="string")
    data["_finished"] = pd.array([draw(st.sampled_from([None, True, False])) for _ in range(n)], dtype="boolean")
    data["_progress"] = [draw(st.sampled_from([np.nan, 0.0, 33.0, 100.0])) for _ in range(n)]
    data["_duration"] = [float(draw(st.integers(0, 90_000))) if draw(st.booleans()) else np.nan for _ in range(n)]
    secs = [draw(st.integers(0, 10**8)) for _ in range(n)]
    data["_submitted"] = pd.to_datetime([pd.Timestamp("2020-01-01") + pd.Timedelta(seconds=s) if s % 13 else pd.NaT
                                         for s in secs])
    data["_ip"] = [draw(st.sampled_from([None, "1.2.3.4", "223.104.3.1", "2001:db8::1"])) for _ in range(n)]
    for col in ("_email", "_name", "_phone", "_comment"):
        data[col] = [draw(st.one_of(st.none(), TEXT)) for _ in range(n)]
    data["_location"] = [draw(st.sampled_from([None, "41.8,123.4"])) for _ in range(n)]
    return pd.DataFrame(data)


@SETTINGS
@given(frame=frames(), fmt=st.sampled_from(FORMATS), labels=st.sampled_from(["codes", "text"]),
       language=st.sampled_from(["en", "zh"]), tags=st.sampled_from(["qnum", "codes"]))
def test_well_formed_exports_roundtrip_exactly(frame, fmt, labels, language, tags):
    """The read equals the frame written, or, when an item column is unanswered or an out-of-scale code is
    common (the answers drawn here use 0, 6 and 9 often), refuses it with the reader's typed column error."""
    expected = expected_frame(frame, INST, fmt)
    items = [c for c in (*INST.item_codes, *INST.attention_checks)]
    try:
        check_item_columns({c: expected[c].to_numpy(dtype=float) for c in items}, {c: c for c in items},
                           np.arange(2, len(frame) + 2), "e", INST)
        refused = None
    except (MissingColumnError, OutOfRangeError) as exc:
        refused = type(exc)
    with tempfile.TemporaryDirectory() as d:
        path = write_export(frame, INST, fmt, Path(d) / f"e{EXT[fmt]}", labels=labels, language=language, tags=tags)
        if refused is not None:
            with pytest.raises(refused):
                read_export(path, INST)
            return
        raw = read_export(path, INST)
    pd.testing.assert_frame_equal(raw.frame.drop(columns="_row"), expected)


@SETTINGS
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".csv", ".xlsx", ".sav", ".txt"]), fmt=MODES)
def test_random_bytes(data, suffix, fmt):
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / f"r{suffix}"
        p.write_bytes(data)
        _read_or_typed_error(p, fmt)


def _export(fmt: str, d: str, seed: int = 0, labels: str = "text") -> Path:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"response_id": [f"R{i}" for i in range(6)],
                          INST.group_column: [list(INST.groups)[i % 4] for i in range(6)],
                          **{c: rng.integers(1, 6, 6).astype(float) for c in (*INST.item_codes, "ATT1")},
                          "_comment": ['a "b", c\nd', None, "好", None, "x", None]})
    return write_export(frame, INST, fmt, Path(d) / f"e{EXT[fmt]}", labels=labels, language="zh")


@SETTINGS
@given(fmt=st.sampled_from(FORMATS), cut=st.floats(0, 1), mode=MODES)
def test_truncated_exports(fmt, cut, mode):
    with tempfile.TemporaryDirectory() as d:
        p = _export(fmt, d)
        data = p.read_bytes()
        p.write_bytes(data[: int(len(data) * cut)])
        _read_or_typed_error(p, mode)


@SETTINGS
@given(fmt=st.sampled_from(["qualtrics", "wjx_csv", "csv"]), seed=st.integers(0, 10**6),
       n_cells=st.integers(1, 6), value=st.one_of(TEXT, st.sampled_from(["", "7", "-3", "(跳过)", "nan", "1e999",
                                                                          '"', ",", "\n"])),
       strict=st.booleans())
def test_random_cells(fmt, seed, n_cells, value, strict):
    """Random cells of a CSV export replaced by random text (header rows included)."""
    import csv
    import io
    with tempfile.TemporaryDirectory() as d:
        p = _export(fmt, d, seed % 3)
        enc = "gb18030" if fmt == "wjx_csv" else "utf-8-sig"
        rows = list(csv.reader(io.StringIO(p.read_bytes().decode(enc), newline="")))
        rng = np.random.default_rng(seed)
        for _ in range(n_cells):
            r = int(rng.integers(0, len(rows)))
            c = int(rng.integers(0, len(rows[r])))
            rows[r][c] = value
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerows(rows)
        p.write_bytes(out.getvalue().encode("utf-8"))
        _read_or_typed_error(p, None, strict)


@SETTINGS
@given(seed=st.integers(0, 10**6), dup=st.booleans(), fmt=st.sampled_from(["csv", "wjx_csv", "qualtrics"]))
def test_shuffled_or_duplicated_headers(seed, dup, fmt):
    """Shuffling whole columns never changes what is read; duplicating a used header is refused."""
    import csv
    import io
    with tempfile.TemporaryDirectory() as d:
        p = _export(fmt, d, seed % 3)
        enc = "gb18030" if fmt == "wjx_csv" else "utf-8-sig"
        rows = list(csv.reader(io.StringIO(p.read_bytes().decode(enc), newline="")))
        base = read_export(p, INST)
        rng = np.random.default_rng(seed)
        order = rng.permutation(len(rows[0]))
        if dup:
            i, j = rng.choice(len(order), size=2, replace=False)
            assume(rows[0][order[i]] != "")
            order[j] = order[i]
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerows([[r[k] for k in order] for r in rows])
        q = Path(d) / f"s{p.suffix}"
        q.write_bytes(out.getvalue().encode("utf-8"))
        raw = _read_or_typed_error(q)
        if dup:   # a duplicated header of a column the instrument uses is refused; of another one, not
            from iur_survey.errors import DuplicateColumnError, ReadError
            used = rows[0][order[i]] in base.column_map
            try:
                read_export(q, INST)
            except DuplicateColumnError:
                assert used, "a duplicated header of an unused column was refused"
            except ReadError:
                assert not used
            else:
                assert not used, "a duplicated header was accepted"
        else:
            assert raw is not None
            pd.testing.assert_frame_equal(raw.frame, base.frame)
