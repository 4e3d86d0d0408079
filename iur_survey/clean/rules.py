"""Screening rules: one small function per rule (in the spirit of R's ``careless``).

Every rule has the signature ``rule(frame, instrument, **params) -> pandas.Series``:
``frame`` is the standard frame of :mod:`iur_survey.read.base`, the result is a
``string`` Series indexed like ``frame`` holding a human-readable *detail* for every
flagged response and ``<NA>`` for every response the rule does not flag.  Every
threshold is a keyword argument whose default is backed by the literature cited in
the rule's docstring; :class:`iur_survey.clean.config.CleanConfig` carries them.

A rule whose input column is absent (e.g. no ``_duration`` in a plain CSV export)
flags nothing; :func:`missing_inputs` tells which rules could not be evaluated.

Rules work on whichever of the instrument's items the frame holds, in questionnaire
(codebook) order, so the examples below use a few items only.

>>> sorted(RULES) == sorted(RULE_ORDER)
True
"""

from __future__ import annotations

import math
from typing import Callable, Iterable

import numpy as np
import pandas as pd
from scipy import stats

from ..instrument import Instrument
from .missing import item_columns, pattern_index

__all__ = [
    "status", "unfinished", "duplicate_id", "duplicate_answers_ip", "out_of_range", "attention",
    "speeder", "longstring", "irv", "mahalanobis", "even_odd",
    "trailing_missing", "longest_run", "mahalanobis_d2", "mahalanobis_min_n", "even_odd_consistency", "even_odd_constructs", "code_text",
    "RULES", "RULE_ORDER", "SCREENING_RULES", "INDEX_RULES", "missing_inputs", "status_kinds",
]

STRING = pd.StringDtype()


# ---------------------------------------------------------------------------------
# helpers
def _none(frame: pd.DataFrame) -> pd.Series:
    """A Series of ``<NA>`` details: nobody flagged."""
    return pd.Series(pd.NA, index=frame.index, dtype=STRING)


def _details(frame: pd.DataFrame, flagged: np.ndarray, texts: Iterable[str]) -> pd.Series:
    """Put ``texts`` (one per flagged row, in order) into an otherwise-NA detail Series."""
    out = _none(frame)
    flagged = np.asarray(flagged, dtype=bool)
    if flagged.any():
        out.iloc[np.flatnonzero(flagged)] = list(texts)
    return out


def _matrix(frame: pd.DataFrame, cols: list[str], reverse: Iterable[str] = (),
            instrument: Instrument | None = None) -> np.ndarray:
    """``frame[cols]`` as a float array, with the ``reverse`` columns recoded ``min + max - x``."""
    x = frame[cols].to_numpy(dtype=float, na_value=np.nan) if cols else np.empty((len(frame), 0))
    rev = [i for i, c in enumerate(cols) if c in set(reverse)]
    if rev and instrument is not None:
        x = x.copy()  # never write through to the caller's frame
        x[:, rev] = instrument.scale_min + instrument.scale_max - x[:, rev]
    return x


def _num(x: float) -> str:
    """A compact number for a detail text: ``95``, ``0.3``, ``2.5``, ``0.001``."""
    return format(float(x), ".6g")


_CODE_TEXT = np.array([str(v) for v in range(-1000, 1001)], dtype=object)


def code_text(values: np.ndarray) -> np.ndarray:
    """Text of float codes: whole numbers without ``.0``, ``NaN`` empty, others ``%.10g``.

    >>> code_text(np.array([3.0, np.nan, 2.5, -1.0, 1e6])).tolist()
    ['3', '', '2.5', '-1', '1000000']
    """
    values = np.asarray(values, dtype=float)
    out = np.full(values.shape, "", dtype=object)
    ok = ~np.isnan(values)
    integral = ok & (values == np.round(values))
    whole = integral & (np.abs(values) <= 1000) & ~((values == 0) & np.signbit(values))
    out[whole] = _CODE_TEXT[values[whole].astype(np.int64) + 1000]
    other = ok & ~whole
    if other.any():
        out[other] = [format(v, ".10g") for v in values[other]]
    return out


def _order_keys(frame: pd.DataFrame) -> np.ndarray:
    """Submission time in ns (NaT last), for "first submission" ordering."""
    if "_submitted" in frame.columns:
        sub = pd.to_datetime(frame["_submitted"], errors="coerce")
        ns = sub.to_numpy(dtype="datetime64[ns]").astype(np.int64)
        ns = np.where(sub.isna().to_numpy(), np.iinfo(np.int64).max, ns)
        return ns
    return np.zeros(len(frame), dtype=np.int64)


def raw_rows(frame: pd.DataFrame) -> np.ndarray:
    """The 1-based raw-file row of every response (``_row``; position + 1 without it)."""
    if "_row" in frame.columns:
        return frame["_row"].to_numpy()
    return np.arange(1, len(frame) + 1)


def _complete(frame: pd.DataFrame, min_progress: float = 100.0) -> np.ndarray:
    """Rows not known to be unfinished (``_finished`` not False, ``_progress`` not below)."""
    ok = np.ones(len(frame), dtype=bool)
    if "_finished" in frame.columns:
        ok &= ~(frame["_finished"].astype("boolean") == False).fillna(False).to_numpy()  # noqa: E712
    if "_progress" in frame.columns:
        ok &= ~(pd.to_numeric(frame["_progress"], errors="coerce") < min_progress).fillna(False).to_numpy()
    return ok


def _keep_first(frame: pd.DataFrame, codes: np.ndarray, eligible: np.ndarray | None
                ) -> tuple[np.ndarray, np.ndarray]:
    """Within groups of equal ``codes`` (``-1`` = never a duplicate) keep one row.

    The kept row is the first *eligible* one (by submission time, then file order),
    or the first row when none is eligible.  Returns (flagged mask, kept position).
    """
    n = len(codes)
    pos = np.arange(n)
    if eligible is None:
        eligible = np.ones(n, dtype=bool)
    valid = codes >= 0
    kept = pos.copy()
    if not valid.any():
        return np.zeros(n, dtype=bool), kept
    sizes = np.bincount(codes[valid])
    multi = np.zeros(n, dtype=bool)
    multi[valid] = sizes[codes[valid]] > 1
    idx = pos[multi]
    if idx.size == 0:
        return multi, kept
    g = codes[idx]
    order = np.lexsort((idx, _order_keys(frame)[idx], ~eligible[idx], g))  # last key is primary
    gs = g[order]
    first = np.r_[True, gs[1:] != gs[:-1]]
    keeper_arr = np.empty(sizes.size, dtype=np.int64)
    keeper_arr[gs[first]] = idx[order][first]
    kept[idx] = keeper_arr[g]
    flagged = multi & (kept != pos)
    return flagged, kept


# ---------------------------------------------------------------------------------
# stage 1: screening rules on the whole export

#: Qualtrics' numeric ``Status`` codes (exports with "use numeric values")
QUALTRICS_STATUS_CODES = {
    0: "IP Address", 1: "Survey Preview", 2: "Survey Test", 4: "Imported", 8: "Spam",
    9: "Survey Preview Spam", 12: "Imported Spam", 16: "Offline", 17: "Offline Survey Preview",
}
_STATUS_WORDS = {"preview": "preview", "test": "test", "spam": "spam", "import": "imported",
                 "offline": "offline"}


def status_kinds(values: pd.Series) -> pd.DataFrame:
    """Which kinds (preview, test, spam, imported, offline) each ``Status`` value is.

    >>> status_kinds(pd.Series(["IP Address", "Survey Preview Spam", "8", None])).sum().to_dict()
    {'preview': 1, 'test': 0, 'spam': 2, 'imported': 0, 'offline': 0}
    """
    codes, uniques = pd.factorize(values.astype("string"), use_na_sentinel=True)  # few distinct values
    u = pd.Series(uniques, dtype="string")
    as_code = pd.to_numeric(u, errors="coerce")
    named = pd.Series([QUALTRICS_STATUS_CODES.get(int(v)) if pd.notna(v) and float(v).is_integer() else None
                       for v in as_code], dtype="string")
    u = named.fillna(u).str.lower()
    out = {}
    for word, kind in _STATUS_WORDS.items():
        hit = np.append(u.str.contains(word, regex=False).fillna(False).to_numpy(dtype=bool), False)
        out[kind] = hit[codes]  # code -1 (missing status) picks the appended False
    return pd.DataFrame(out, index=values.index)


def status(frame: pd.DataFrame, instrument: Instrument, *,
           exclude: Iterable[str] = ("preview", "test", "spam")) -> pd.Series:
    """Flag responses whose Qualtrics ``Status`` is a preview, test or spam submission.

    Qualtrics marks every response with how it was collected: ``IP Address`` (an ordinary
    respondent), ``Survey Preview`` and ``Survey Test`` (made by the researcher or the
    "generate test responses" tool), ``Spam`` (flagged by its fraud detection),
    ``Imported`` and ``Offline``.  Only ordinary responses belong in the analysis
    (Qualtrics Support, "Response Data > Metadata: Response Type"); ``exclude`` names
    which of the kinds ``preview``, ``test``, ``spam``, ``imported``, ``offline`` to drop.

    >>> from iur_survey.instrument import load_instrument
    >>> df = pd.DataFrame({"_status": ["IP Address", "Survey Preview", "Spam", "Imported"]})
    >>> status(df, load_instrument()).tolist()
    [<NA>, "status 'Survey Preview' (preview)", "status 'Spam' (spam)", <NA>]
    """
    if "_status" not in frame.columns:
        return _none(frame)
    exclude = list(exclude)
    unknown = set(exclude) - set(_STATUS_WORDS.values())
    if unknown:
        raise ValueError(f"status: unknown status kind(s) {sorted(unknown)}; "
                         f"use {sorted(_STATUS_WORDS.values())}")
    kinds = status_kinds(frame["_status"])[exclude] if exclude else pd.DataFrame(index=frame.index)
    hit = kinds.any(axis=1).to_numpy() if exclude else np.zeros(len(frame), dtype=bool)
    sub = kinds[hit]
    labels = [", ".join(k for k, v in zip(exclude, row) if v) for row in sub.to_numpy()]
    vals = frame["_status"].astype("string")[hit]
    return _details(frame, hit, (f"status '{v}' ({k})" for v, k in zip(vals, labels)))


def trailing_missing(frame: pd.DataFrame, instrument: Instrument) -> np.ndarray:
    """Per row: how many items at the end of the questionnaire (codebook order) are unanswered.

    >>> from iur_survey.instrument import load_instrument
    >>> df = pd.DataFrame({"GOV1": [1.0, 1.0, None], "GOV2": [None, 2.0, None], "GOV3": [None, None, None]})
    >>> trailing_missing(df, load_instrument()).tolist()
    [2, 1, 3]
    """
    cols = item_columns(frame, instrument)
    ans = frame[cols].notna().to_numpy() if cols else np.zeros((len(frame), 0), dtype=bool)
    p = ans.shape[1]
    last = np.where(ans.any(axis=1), p - 1 - np.argmax(ans[:, ::-1], axis=1), -1) if p else np.full(len(frame), -1)
    return p - 1 - last


def unfinished(frame: pd.DataFrame, instrument: Instrument, *, min_progress: float = 100.0,
               min_trailing_missing: int | None = None) -> pd.Series:
    """Flag responses that were not finished: ``Finished`` is False or ``Progress < min_progress``.

    A Qualtrics "recorded" partial response carries ``Finished = False`` and its
    ``Progress`` percentage (Qualtrics Support, "Response Data > Metadata: Progress,
    Finished").  Following common practice for structural-equation analysis, only complete
    submissions are analysed (``min_progress = 100``); item nonresponse *within* a finished
    submission is not an exclusion and is reported instead.

    An export that records neither (Wenjuanxing, many plain files) still shows a
    *break-off* (AAPOR 2023, *Standard Definitions*, 10th ed., "breakoff"): for a row with
    no ``Finished`` and no ``Progress`` value, the rule flags it when its last
    ``min_trailing_missing`` or more items (codebook order) are all unanswered, i.e. the
    respondent stopped before the end.  The default is the size of the last construct
    (one matrix page of the form; 4 items in the study), so that skipping a scattered
    item or two never looks like a break-off.

    >>> from iur_survey.instrument import load_instrument
    >>> df = pd.DataFrame({"_finished": pd.array([True, False, pd.NA], dtype="boolean"),
    ...                    "_progress": [100.0, 45.0, 80.0]})
    >>> unfinished(df, load_instrument()).tolist()
    [<NA>, 'Finished=False, Progress 45% < 100%', 'Progress 80% < 100%']
    >>> inst = load_instrument()
    >>> wjx = pd.DataFrame({c: [3.0, None if c.startswith("INT") else 3.0] for c in inst.item_codes})
    >>> unfinished(wjx, inst).tolist()
    [<NA>, 'no Finished/Progress recorded; last 4 items unanswered (INT1-INT4)']
    """
    n = len(frame)
    finished = (frame["_finished"].astype("boolean") if "_finished" in frame.columns
                else pd.Series(pd.NA, index=frame.index, dtype="boolean"))
    not_fin = (finished == False).fillna(False).to_numpy(dtype=bool)  # noqa: E712
    prog = (pd.to_numeric(frame["_progress"], errors="coerce").to_numpy(dtype=float)
            if "_progress" in frame.columns else np.full(n, np.nan))
    low = prog < min_progress
    texts = np.full(n, "", dtype=object)
    texts[not_fin] = "Finished=False"
    if low.any():
        txt = np.array([f"Progress {_num(v)}% < {_num(min_progress)}%" for v in prog[low]], dtype=object)
        texts[low] = np.where(not_fin[low], "Finished=False, " + txt, txt)
    # no completion metadata for the row: infer a break-off from trailing unanswered items
    unknown = finished.isna().to_numpy(dtype=bool) & np.isnan(prog)
    cols = item_columns(frame, instrument)
    if unknown.any() and cols:
        last_construct = list(instrument.constructs.values())[-1]
        k = len(last_construct.items) if min_trailing_missing is None else int(min_trailing_missing)
        trail = trailing_missing(frame, instrument)
        broke = unknown & (trail >= k)
        texts[broke] = [f"no Finished/Progress recorded; last {t} items unanswered ({cols[len(cols) - t]}-{cols[-1]})"
                        for t in trail[broke]]
    hit = texts != ""
    return _details(frame, hit, texts[hit])


def duplicate_id(frame: pd.DataFrame, instrument: Instrument, *,
                 eligible: pd.Series | np.ndarray | None = None) -> pd.Series:
    """Flag every repeat of a ``response_id`` but one: the first complete submission is kept.

    A response id appears twice when an export was appended to itself or a panel
    provider re-sent a submission (Teitcher et al. 2015, "Detecting, preventing, and
    responding to 'fraudsters' in internet research", *J Law Med Ethics* 43:116-133).
    Within each id the kept row is the first (by ``_submitted``, then file order) among
    ``eligible`` rows (default: rows not known to be unfinished); the others are flagged.
    Missing ids are never duplicates.

    >>> from iur_survey.instrument import load_instrument
    >>> df = pd.DataFrame({"response_id": ["R1", "R2", "R1", "R1"], "_row": [2, 3, 4, 5],
    ...                    "_finished": pd.array([False, True, True, True], dtype="boolean")})
    >>> duplicate_id(df, load_instrument()).tolist()
    ["response_id 'R1' repeated; row 4 kept", <NA>, <NA>, "response_id 'R1' repeated; row 4 kept"]
    >>> duplicate_id(df, load_instrument(), eligible=[True] * 4).tolist()[2:]
    ["response_id 'R1' repeated; row 2 kept", "response_id 'R1' repeated; row 2 kept"]

    In the first call the unfinished row 2 comes first but row 4 is the first complete
    submission, so rows 2 and 5 are the repeats.
    """
    if "response_id" not in frame.columns:
        return _none(frame)
    ids = frame["response_id"].astype("string")
    codes, _ = pd.factorize(ids, use_na_sentinel=True)
    elig = _complete(frame) if eligible is None else np.asarray(eligible, dtype=bool)
    flagged, kept = _keep_first(frame, np.asarray(codes), elig)
    rows = raw_rows(frame)
    return _details(frame, flagged, (f"response_id '{i}' repeated; row {rows[k]} kept"
                                     for i, k in zip(ids[flagged], kept[flagged])))


def duplicate_answers_ip(frame: pd.DataFrame, instrument: Instrument, *,
                         eligible: pd.Series | np.ndarray | None = None) -> pd.Series:
    """Flag identical answer vectors submitted from the same IP address (the first is kept).

    Repeated submissions by one person, or by a bot, from one address are a documented
    form of fraudulent online-survey response (Teitcher et al. 2015; Dennis, Goodson &
    Pearson 2020, "Online worker fraud and evolving threats to the integrity of MTurk
    data", *Behav Res Account* 32:119-134).  Two rows count as duplicates when ``_ip`` is
    equal and every item and attention answer is equal (a missing answer equals a missing
    answer); rows without an IP or without any answer are never duplicates.  The kept
    row is chosen as in :func:`duplicate_id`.  The detail never names the address.

    >>> from iur_survey.instrument import load_instrument
    >>> df = pd.DataFrame({"_ip": ["1.2.3.4", "1.2.3.4", "5.6.7.8", "1.2.3.4"],
    ...                    "GOV1": [3, 3, 3, 2.0], "GOV2": [4, 4, 4, 4.0], "_row": [2, 3, 4, 5]})
    >>> duplicate_answers_ip(df, load_instrument()).tolist()
    [<NA>, 'same answers from the same IP address as row 2 (kept)', <NA>, <NA>]
    """
    if "_ip" not in frame.columns:
        return _none(frame)
    cols = item_columns(frame, instrument) + [c for c in instrument.attention_checks if c in frame.columns]
    if not cols:
        return _none(frame)
    a = _matrix(frame, cols)
    ip_codes, _ = pd.factorize(frame["_ip"].astype("string"), use_na_sentinel=True)
    usable = (ip_codes >= 0) & ~np.isnan(a).all(axis=1)
    # a 64-bit rolling hash of (IP, answers): the bits of each float code, NaN canonical
    bits = np.where(np.isnan(a), np.nan, a + 0.0).view(np.uint64)  # + 0.0 folds -0.0 into 0.0
    h = ip_codes.astype(np.uint64)
    with np.errstate(over="ignore"):
        for j in range(bits.shape[1]):
            h = h * np.uint64(0x100000001B3) + bits[:, j]
    codes, _ = pd.factorize(h)
    codes = np.where(usable, codes, -1)
    elig = _complete(frame) if eligible is None else np.asarray(eligible, dtype=bool)
    flagged, kept = _keep_first(frame, codes, elig)
    # guard against hash collisions: the flagged row must really equal its kept row
    if flagged.any():
        k = kept[flagged]
        same = (((a[flagged] == a[k]) | (np.isnan(a[flagged]) & np.isnan(a[k]))).all(axis=1)
                & (ip_codes[flagged] == ip_codes[k]))
        flagged[np.flatnonzero(flagged)[~same]] = False
    rows = raw_rows(frame)
    return _details(frame, flagged, (f"same answers from the same IP address as row {rows[k]} (kept)"
                                     for k in kept[flagged]))


def out_of_range(frame: pd.DataFrame, instrument: Instrument) -> pd.Series:
    """Flag responses holding an item or attention code that is not a point of the scale.

    A numeric code outside ``scale_min..scale_max`` (or a fractional code) is a coding
    error or a tampered record; the response cannot be scored as it stands (Tabachnick &
    Fidell 2013, *Using Multivariate Statistics*, 6th ed., ch. 4, accuracy of the data
    file).  The detail names every offending column and value.

    >>> from iur_survey.instrument import load_instrument
    >>> df = pd.DataFrame({"GOV1": [3.0, 7.0, None], "ATT1": [4.0, 0.0, 2.5]})
    >>> out_of_range(df, load_instrument()).tolist()
    [<NA>, 'GOV1=7, ATT1=0 not on the scale 1-5', 'ATT1=2.5 not on the scale 1-5']
    """
    continuous = set(getattr(instrument, "continuous_items", ()))   # declared scores: any number is on scale
    cols = [c for c in item_columns(frame, instrument) if c not in continuous] + \
        [c for c in instrument.attention_checks if c in frame.columns]
    if not cols:
        return _none(frame)
    x = _matrix(frame, cols)
    with np.errstate(invalid="ignore"):
        bad = ~np.isnan(x) & ((x < instrument.scale_min) | (x > instrument.scale_max) | (x != np.round(x)))
    hit = bad.any(axis=1)
    if not hit.any():
        return _none(frame)
    texts = []
    for r in np.flatnonzero(hit):  # flagged rows only
        cells = ", ".join(f"{cols[j]}={_num(x[r, j])}" for j in np.flatnonzero(bad[r]))
        texts.append(f"{cells} not on the scale {instrument.scale_min}-{instrument.scale_max}")
    return _details(frame, hit, texts)


def attention(frame: pd.DataFrame, instrument: Instrument, *, missing_fails: bool = True) -> pd.Series:
    """Flag responses that fail an instructed-response (attention-check) item.

    Instructed items ("please select *Agree* for this statement") are the most direct
    screen for careless responding (Meade & Craig 2012, *Psychol Methods* 17:437-455;
    Huang et al. 2012, *J Bus Psychol* 27:99-114).  A response fails when its code differs
    from the instrument's expected code; with ``missing_fails`` (default) an unanswered
    check fails too, as a respondent who skips it did not follow the instruction.

    >>> from iur_survey.instrument import load_instrument
    >>> df = pd.DataFrame({"ATT1": [4.0, 2.0, None]})
    >>> attention(df, load_instrument()).tolist()
    [<NA>, 'ATT1=2, expected 4', 'ATT1 unanswered, expected 4']
    >>> attention(df, load_instrument(), missing_fails=False).tolist()
    [<NA>, 'ATT1=2, expected 4', <NA>]
    """
    checks = [(c, v) for c, v in instrument.attention_checks.items() if c in frame.columns]
    if not checks:
        return _none(frame)
    x = _matrix(frame, [c for c, _ in checks])
    expected = np.array([v for _, v in checks], dtype=float)
    miss = np.isnan(x)
    wrong = ~miss & (x != expected)
    bad = wrong | (miss & missing_fails)
    hit = bad.any(axis=1)
    xs, ms, bs = x[hit], miss[hit], bad[hit]
    parts, exps = [], []
    for j, (col, val) in enumerate(checks):  # text per check, vectorised over the flagged rows
        got = np.where(ms[:, j], f"{col} unanswered", f"{col}=" + code_text(xs[:, j]))
        parts.append(np.where(bs[:, j], got, ""))
        exps.append(np.where(bs[:, j], str(val), ""))
    texts = (", ".join(p for p in ps if p) + ", expected " + ", ".join(e for e in es if e)
             for ps, es in zip(zip(*parts), zip(*exps)))
    return _details(frame, hit, texts)


# ---------------------------------------------------------------------------------
# stage 2: data-based careless-responding indices on the screened responses

def speeder(frame: pd.DataFrame, instrument: Instrument, *, fraction: float = 0.3,
            seconds_per_item: float = 2.0) -> pd.Series:
    """Flag responses completed implausibly fast.

    Two cut-offs, either of which flags:

    * relative: ``_duration < fraction x median duration`` of ``frame`` (default 0.3;
      Greszki, Meyer & Schoen 2015, "Exploring the effects of removing 'too fast'
      responses and respondents from web surveys", *Public Opin Q* 79:471-503, use
      30 % of the median as the speeding threshold);
    * absolute: ``_duration < seconds_per_item x number of questions`` (items plus
      attention checks; default 2 s per item: Huang et al. 2012, *J Bus Psychol*
      27:99-114; Bowling et al. 2016, *J Pers Soc Psychol* 111:218-229).

    >>> from iur_survey.instrument import load_instrument
    >>> df = pd.DataFrame({"_duration": [600.0, 620.0, 580.0, 150.0, 1.0], "GOV1": [1.0] * 5})
    >>> speeder(df, load_instrument()).tolist()[3:]
    ['duration 150 s < 30% of median 580 s', 'duration 1 s < 30% of median 580 s; < 2 s x 1 questions = 2 s']
    """
    if "_duration" not in frame.columns:
        return _none(frame)
    dur = pd.to_numeric(frame["_duration"], errors="coerce").to_numpy(dtype=float)
    n_q = len(item_columns(frame, instrument)) + sum(c in frame.columns for c in instrument.attention_checks)
    if np.isnan(dur).all():
        return _none(frame)
    med = float(np.nanmedian(dur))
    rel = dur < fraction * med
    floor = seconds_per_item * n_q
    ab = dur < floor
    hit = rel | ab
    texts = []
    for d, r, a in zip(dur[hit], rel[hit], ab[hit]):
        parts = []
        if r:
            parts.append(f"< {_num(fraction * 100)}% of median {med:.0f} s")
        if a:
            parts.append(f"< {_num(seconds_per_item)} s x {n_q} questions = {_num(floor)} s")
        texts.append(f"duration {d:.0f} s " + "; ".join(parts))
    return _details(frame, hit, texts)


def _default_min_run(n_items: int) -> int:
    return max(2, math.ceil(n_items / 2))


def longest_run(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: the longest run of equal consecutive non-missing values, its value and start.

    Vectorised over rows (a loop over the columns only).  A missing value breaks a run.

    >>> longest_run(np.array([[1, 1, 2, 2, 2.0], [3, np.nan, 3, 3, 1]]))
    (array([3, 2]), array([2., 3.]), array([2, 2]))
    """
    n, k = x.shape
    best = np.zeros(n, dtype=np.int64)
    best_val = np.full(n, np.nan)
    best_start = np.zeros(n, dtype=np.int64)
    if k == 0:
        return best, best_val, best_start
    cur = np.where(np.isnan(x[:, 0]), 0, 1)
    start = np.zeros(n, dtype=np.int64)
    best[:] = cur
    best_val[:] = x[:, 0]
    for j in range(1, k):
        same = x[:, j] == x[:, j - 1]
        cur = np.where(same, cur + 1, np.where(np.isnan(x[:, j]), 0, 1))
        start = np.where(same, start, j)
        better = cur > best
        best = np.where(better, cur, best)
        best_val = np.where(better, x[:, j], best_val)
        best_start = np.where(better, start, best_start)
    return best, best_val, best_start


def longstring(frame: pd.DataFrame, instrument: Instrument, *, min_run: int | None = None) -> pd.Series:
    """Flag straight-lining: a run of ``min_run`` or more identical consecutive raw answers.

    The longest string of identical responses (Johnson 2005, *J Res Pers* 39:103-129;
    Meade & Craig 2012; Curran 2016, *J Exp Soc Psychol* 66:4-19) is computed on the raw
    codes in questionnaire order, before reverse scoring (reverse-keyed items are what
    break an honest respondent's runs).  Meade & Craig recommend a cut-off read from the
    data rather than a universal one; Curran (2016) advises cut-offs that catch only
    extreme strings.  The default, ``min_run = ceil(items / 2)`` (14 of the study's 28
    items), sits well above what an honest respondent produces here (the reverse-keyed
    GOV3, BEN4, TAL3, INT3 split the form into stretches of at most 8 same-direction
    items) while any respondent who gives one answer to half the form or more is caught.

    >>> from iur_survey.instrument import load_instrument
    >>> df = pd.DataFrame({"GOV1": [3.0, 4], "GOV2": [3.0, 4], "GOV3": [3.0, 2], "GOV4": [3.0, 5]})
    >>> longstring(df, load_instrument(), min_run=3).tolist()
    ['longest run 4 x code 3 from GOV1 (>= 3)', <NA>]
    """
    cols = item_columns(frame, instrument)
    if not cols:
        return _none(frame)
    cut = _default_min_run(len(cols)) if min_run is None else int(min_run)
    best, val, start = longest_run(_matrix(frame, cols))
    hit = best >= cut
    return _details(frame, hit, (f"longest run {b} x code {_num(v)} from {cols[s]} (>= {cut})"
                                 for b, v, s in zip(best[hit], val[hit], start[hit])))


def irv(frame: pd.DataFrame, instrument: Instrument, *, min_sd: float = 0.4,
        min_items: int | None = None) -> pd.Series:
    """Flag near-invariant responding: the intra-individual response variability is below ``min_sd``.

    IRV is the standard deviation of a respondent's raw answers across the items (Dunn,
    Heggestad, Shanock & Theilgard 2018, *J Bus Psychol* 33:105-121; ``careless::irv``,
    ``sd`` with n - 1).  Low IRV marks straight-lining and near-straight-lining (e.g.
    one answer with a few one-point deviations) that a longest-string cut misses.  Dunn et
    al. give no universal cut-off and advise inspecting the low tail.  The default 0.4 on
    a 5-point scale flags a respondent who gives one answer to all 28 items except at most
    five that differ by one point (SD <= 0.39), which ignores the four reverse-keyed items
    as much as the rest; an honest respondent who answers those in earnest varies more
    (the smallest IRV among 100,000 simulated honest respondents of the study's
    population model is 0.46).  Computed on raw codes (reverse-keyed items not recoded)
    when at least ``min_items`` (default: half the items) are answered.

    >>> from iur_survey.instrument import load_instrument
    >>> df = pd.DataFrame({"GOV1": [3.0, 1], "GOV2": [3.0, 4], "GOV3": [4.0, 2], "GOV4": [3.0, 5]})
    >>> irv(df, load_instrument()).tolist()
    [<NA>, <NA>]
    >>> irv(df, load_instrument(), min_sd=0.6).tolist()
    ['IRV (SD of 4 answers) 0.50 < 0.6', <NA>]
    """
    cols = item_columns(frame, instrument)
    if not cols:
        return _none(frame)
    x = _matrix(frame, cols)
    n_ans = (~np.isnan(x)).sum(axis=1)
    need = max(2, math.ceil(len(cols) / 2) if min_items is None else int(min_items))
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nansum(x, axis=1) / n_ans
        sd = np.sqrt(np.nansum((x - mean[:, None]) ** 2, axis=1) / (n_ans - 1))
    hit = (n_ans >= need) & (sd < min_sd)
    return _details(frame, hit, (f"IRV (SD of {n} answers) {s:.2f} < {_num(min_sd)}"
                                 for n, s in zip(n_ans[hit], sd[hit])))


def _mean_cov(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, str]:
    """Mean and covariance of ``x`` rows: complete cases when there are enough, else pairwise."""
    p = x.shape[1]
    cc = ~np.isnan(x).any(axis=1)
    if cc.sum() >= max(2 * p, p + 10):
        sub = x[cc]
        return sub.mean(axis=0), np.cov(sub, rowvar=False), f"complete cases (n={int(cc.sum())})"
    df = pd.DataFrame(x)
    cov = df.cov(min_periods=3).to_numpy()
    mu = df.mean().to_numpy()
    # pairwise covariances need not be positive definite: clip the eigenvalues
    w, v = np.linalg.eigh(np.nan_to_num(cov))
    cov = (v * np.clip(w, 1e-8, None)) @ v.T
    return mu, cov, f"pairwise (n={len(x)})"


def mahalanobis_d2(x: np.ndarray, mean: np.ndarray, cov: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Squared Mahalanobis distance of each row over its observed columns, and that count.

    A row with missing values is measured with the matching sub-vector of ``mean`` and
    sub-matrix ``S_OO`` of ``cov``.  When ``cov`` is positive definite this needs no
    inverse per missing-data pattern: with ``P = cov^-1``, the row's centred values ``d``
    (zero where missing) and ``u = P d``,
    ``d_O' S_OO^-1 d_O = d' u - u_M' (P_MM)^-1 u_M`` (the inverse of a partitioned
    matrix), and the small ``P_MM`` systems are solved in batches of rows with the same
    number of missing items.  A singular ``cov`` falls back to a pseudo-inverse per pattern.

    >>> x = np.array([[0.0, 0.0], [2.0, np.nan], [np.nan, np.nan]])
    >>> d2, p = mahalanobis_d2(x, np.zeros(2), np.array([[1.0, 0.5], [0.5, 1.0]]))
    >>> np.round(d2, 6).tolist(), p.tolist()
    ([0.0, 4.0, nan], [2, 1, 0])
    """
    n, p = x.shape
    obs = ~np.isnan(x)
    n_obs = obs.sum(axis=1)
    try:
        np.linalg.cholesky(cov)
        prec = np.linalg.inv(cov)
    except np.linalg.LinAlgError:
        return _mahalanobis_d2_patterns(x, obs, mean, cov), n_obs
    d = np.where(obs, x - mean, 0.0)
    u = d @ prec
    d2 = (d * u).sum(axis=1)
    n_miss = p - n_obs
    for k in np.unique(n_miss):
        if k == 0:
            continue
        rows = np.flatnonzero(n_miss == k)
        if k == p:
            d2[rows] = np.nan
            continue
        # column indices of the k missing items of each row (rows x k)
        idx = np.argsort(obs[rows], axis=1, kind="stable")[:, :k]
        u_m = np.take_along_axis(u[rows], idx, axis=1)
        p_mm = prec[idx[:, :, None], idx[:, None, :]]
        d2[rows] -= (u_m * np.linalg.solve(p_mm, u_m[:, :, None])[:, :, 0]).sum(axis=1)
    return d2, n_obs


def _mahalanobis_d2_patterns(x: np.ndarray, obs: np.ndarray, mean: np.ndarray, cov: np.ndarray) -> np.ndarray:
    """D² per missing-data pattern with a pseudo-inverse of each sub-covariance (singular ``cov``)."""
    d2 = np.full(len(x), np.nan)
    masks, inverse = pattern_index(obs)
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(len(masks) + 1))
    for k, m in enumerate(masks):  # one pass per pattern, vectorised over its rows
        if not m.any():
            continue
        rows = order[bounds[k]:bounds[k + 1]]
        diff = x[np.ix_(rows, np.flatnonzero(m))] - mean[m]
        inv = np.linalg.pinv(cov[np.ix_(m, m)], hermitian=True)
        d2[rows] = ((diff @ inv) * diff).sum(axis=1)
    return d2


def mahalanobis_min_n(n_items: int) -> int:
    """The fewest reference responses :func:`mahalanobis` estimates a covariance from: ``2p``.

    >>> mahalanobis_min_n(28)
    56
    """
    return 2 * n_items


def mahalanobis(frame: pd.DataFrame, instrument: Instrument, *, alpha: float = 0.001,
                min_items: int | None = None, reference: pd.Series | np.ndarray | None = None) -> pd.Series:
    """Flag multivariate outliers: Mahalanobis D² beyond the chi-square(p) critical value at ``alpha``.

    D² of each response's reverse-scored items from the sample centroid, referred to a
    chi-square with as many degrees of freedom as items answered, flags at ``alpha = .001``
    (Tabachnick & Fidell 2013, ch. 4, multivariate outliers; Meade & Craig 2012, who
    found D² among the most sensitive indices to random responding).  A response with
    missing items is measured over its observed items with the matching sub-covariance and
    chi-square(p_i); at least ``min_items`` (default: half the items) must be answered.
    Mean and covariance are estimated on the ``reference`` rows (default: all of
    ``frame``) from complete cases, or pairwise when complete cases are too few (fewer than
    ``max(2p, p + 10)``).  With fewer than :func:`mahalanobis_min_n` (``2p``) reference
    rows the covariance is too poorly estimated to refer D² to chi-square, and the rule
    flags nobody.

    >>> from iur_survey.instrument import load_instrument
    >>> rng = np.random.default_rng(1)
    >>> z = rng.normal(size=(300, 1)) + rng.normal(scale=.5, size=(300, 4))
    >>> df = pd.DataFrame(np.clip(np.round(3 + z), 1, 5), columns=["MKT1", "MKT2", "MKT3", "MKT4"])
    >>> df.loc[0] = [1, 5, 1, 5]
    >>> flags = mahalanobis(df, load_instrument())
    >>> bool(flags.notna().sum() < 6), flags[0].startswith("D² ")
    (True, True)
    """
    cols = item_columns(frame, instrument)
    if not cols or len(frame) == 0:
        return _none(frame)
    x = _matrix(frame, cols, instrument.reverse_items, instrument)
    ref = np.ones(len(frame), dtype=bool) if reference is None else np.asarray(reference, dtype=bool)
    if ref.sum() < mahalanobis_min_n(len(cols)):
        return _none(frame)
    mean, cov, _how = _mean_cov(x[ref])
    d2, n_obs = mahalanobis_d2(x, mean, cov)
    need = max(2, math.ceil(len(cols) / 2) if min_items is None else int(min_items))
    with np.errstate(invalid="ignore"):
        pval = stats.chi2.sf(d2, np.maximum(n_obs, 1))
    hit = (n_obs >= need) & (pval < alpha)
    crit = {k: stats.chi2.isf(alpha, k) for k in np.unique(n_obs[hit])}
    return _details(frame, hit, (f"D² {d:.1f} > chi2({k}) critical {crit[k]:.1f} (p = {p:.2g} < {_num(alpha)})"
                                 for d, k, p in zip(d2[hit], n_obs[hit], pval[hit])))


def even_odd_consistency(frame: pd.DataFrame, instrument: Instrument) -> tuple[np.ndarray, np.ndarray]:
    """Per response: Spearman-Brown corrected even-odd consistency and the constructs it used.

    Each construct's reverse-scored items (codebook order) are split into odd (1st, 3rd,
    ...) and even (2nd, 4th, ...) halves; the half means are correlated across constructs
    within the person (pairwise complete), then stepped up ``2r / (1 + r)`` and clipped at
    -1, exactly as ``careless::evenodd`` (which reports the negative of this value).  A
    respondent whose half means do not vary gets ``NaN``.

    >>> from iur_survey.instrument import load_instrument
    >>> cols = [c for k in ("GOV", "MKT", "BEN") for c in (k + "1", k + "2")]
    >>> df = pd.DataFrame([[1, 1, 3, 3, 5, 5], [1, 5, 5, 1, 3, 3]], columns=cols, dtype=float)
    >>> r, k = even_odd_consistency(df, load_instrument())
    >>> np.round(r, 3).tolist(), k.tolist()
    ([1.0, -1.0], [3, 3])
    """
    rev = set(instrument.reverse_items)
    odd_means, even_means = [], []
    for con in instrument.constructs.values():
        present = [c for c in con.items if c in frame.columns]
        if len(present) < 2:
            continue
        x = _matrix(frame, present, rev, instrument)
        with np.errstate(invalid="ignore"), np.testing.suppress_warnings() as sup:
            sup.filter(RuntimeWarning)
            odd_means.append(np.nanmean(x[:, 0::2], axis=1))
            even_means.append(np.nanmean(x[:, 1::2], axis=1))
    if not odd_means:
        n = len(frame)
        return np.full(n, np.nan), np.zeros(n, dtype=np.int64)
    o = np.column_stack(odd_means)
    e = np.column_stack(even_means)
    ok = ~np.isnan(o) & ~np.isnan(e)
    k = ok.sum(axis=1)
    o = np.where(ok, o, 0.0)
    e = np.where(ok, e, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        oc = np.where(ok, o - o.sum(1, keepdims=True) / k[:, None], 0.0)
        ec = np.where(ok, e - e.sum(1, keepdims=True) / k[:, None], 0.0)
        sxx, syy = (oc ** 2).sum(1), (ec ** 2).sum(1)
        r = (oc * ec).sum(1) / np.sqrt(sxx * syy)
        r = np.where((sxx < 1e-12) | (syy < 1e-12) | (k < 2), np.nan, np.clip(r, -1.0, 1.0))
        sb = 2 * r / (1 + r)
    sb = np.where(np.isnan(r), np.nan, np.where(r <= -1 + 1e-12, -1.0, np.maximum(sb, -1.0)))
    return sb, k


def even_odd_constructs(frame: pd.DataFrame, instrument: Instrument) -> int:
    """How many constructs have two or more items in ``frame`` (the most even-odd can use).

    >>> from iur_survey.instrument import load_instrument
    >>> even_odd_constructs(pd.DataFrame(columns=["GOV1", "GOV2", "MKT1"]), load_instrument())
    1
    """
    return sum(sum(c in frame.columns for c in con.items) >= 2 for con in instrument.constructs.values())


def even_odd(frame: pd.DataFrame, instrument: Instrument, *, min_r: float = 0.3,
             min_constructs: int = 10) -> pd.Series:
    """Flag inconsistent responding: even-odd consistency below ``min_r``.

    Even-odd consistency (Jackson 1976; Johnson 2005; Meade & Craig 2012; computed by
    :func:`even_odd_consistency`) is a within-person split-half reliability across
    constructs.  Johnson (2005) treated protocols below about .30 as suspect, which is
    the default ``min_r``.  The index is a correlation over as many points as there are
    constructs, so it is only evaluated when at least ``min_constructs`` constructs with
    two or more answered items are available: Johnson's IPIP-NEO had 30 facet scales;
    with few constructs (the study has 7 of 4 items) the correlation is too noisy to
    separate careless from honest respondents (an honest respondent's 7-point correlation
    easily falls below .30) and the rule flags nobody.  The default of 10 keeps it inert
    for short forms; lower it deliberately in the configuration if you accept that.

    >>> from iur_survey.instrument import load_instrument
    >>> cols = [c for k in ("GOV", "MKT", "BEN") for c in (k + "1", k + "2")]
    >>> df = pd.DataFrame([[1, 1, 3, 3, 5, 5], [1, 5, 5, 1, 3, 3]], columns=cols, dtype=float)
    >>> even_odd(df, load_instrument(), min_constructs=3).tolist()
    [<NA>, 'even-odd consistency -1.00 < 0.3 over 3 constructs']
    >>> bool(even_odd(df, load_instrument()).isna().all())
    True
    """
    if even_odd_constructs(frame, instrument) < min_constructs:  # evaluated for nobody: skip the work
        return _none(frame)
    sb, k = even_odd_consistency(frame, instrument)
    with np.errstate(invalid="ignore"):
        hit = (k >= min_constructs) & (sb < min_r)
    return _details(frame, hit, (f"even-odd consistency {v:.2f} < {_num(min_r)} over {n} constructs"
                                 for v, n in zip(sb[hit], k[hit])))


# ---------------------------------------------------------------------------------
#: every rule, by canonical name (the ledger's ``rule`` values), in pipeline order
RULES: dict[str, Callable[..., pd.Series]] = {
    "status": status,
    "unfinished": unfinished,
    "duplicate_id": duplicate_id,
    "duplicate_answers_ip": duplicate_answers_ip,
    "out_of_range": out_of_range,
    "attention": attention,
    "speeder": speeder,
    "longstring": longstring,
    "irv": irv,
    "mahalanobis": mahalanobis,
    "even_odd": even_odd,
}
RULE_ORDER: tuple[str, ...] = tuple(RULES)
#: stage 1: record-level screens, evaluated on every raw row
SCREENING_RULES = ("status", "unfinished", "duplicate_id", "duplicate_answers_ip", "out_of_range", "attention")
#: stage 2: data-based indices, evaluated on the rows that pass stage 1
INDEX_RULES = ("speeder", "longstring", "irv", "mahalanobis", "even_odd")

#: the frame columns each rule needs (any one of a tuple suffices)
_INPUTS = {
    "status": ("_status",), "duplicate_id": ("response_id",),
    "duplicate_answers_ip": ("_ip",), "speeder": ("_duration",),
}


def missing_inputs(frame: pd.DataFrame, instrument: Instrument, rules: Iterable[str] = RULE_ORDER) -> dict[str, str]:
    """The rules that cannot be evaluated on ``frame`` and why (a missing column or no data).

    >>> from iur_survey.instrument import load_instrument
    >>> missing_inputs(pd.DataFrame({"GOV1": [1.0], "_duration": [float("nan")]}), load_instrument(),
    ...                ["status", "speeder", "longstring"])
    {'status': 'no _status column', 'speeder': 'no _duration values'}
    """
    out = {}
    for rule in rules:
        need = _INPUTS.get(rule)
        if need:
            present = [c for c in need if c in frame.columns]
            if not present:
                out[rule] = f"no {' or '.join(need)} column"
            elif not any(frame[c].notna().any() for c in present):
                out[rule] = f"no {' or '.join(need)} values"
        elif rule == "attention" and not any(c in frame.columns for c in instrument.attention_checks):
            out[rule] = "no attention-check column"
        elif rule not in ("attention",) and not item_columns(frame, instrument):
            out[rule] = "no item column"
    return out
