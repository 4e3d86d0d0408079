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

Items may be answered on scales of their own (``scale: {min, max, labels}`` on a construct or an
item). Then every rule reads each item on its own scale: the range checked
(:func:`out_of_range`), the reverse scoring (``min + max - x`` of the item's scale), the categories of
the answer model and of a random answer. The indices that compare answers across items
(longstring, longpattern, irv, the synonym/antonym, even-odd and person-total correlations, the
ipsatized distances, person fit) read each answer at its place on the instrument's top-level scale
(:func:`common_scale`: each scale's ends on the top-level ends, linearly), so a 7 of a 1-7 item and a
5 of a 1-5 item are the same answer, "the top"; a run or a pattern is one of the same places. The
likelihood rules (:func:`random_likelihood`, :func:`invariant_tail`, the style check of
:func:`mahalanobis`) read every item with its own categories: a random answer is uniform over them, the
answer model's thresholds are the item's, and the response styles are defined on each item's own scale (a
stretch about its own middle; the midpoint propensity only on items that have a middle answer, see
:func:`random_likelihood`); their detail names the scales. With one scale for all items nothing of this
changes any result.

>>> sorted(RULES) == sorted(RULE_ORDER)
True
"""

from __future__ import annotations

import math
import re
import threading
from typing import Callable, Iterable

import numpy as np
import pandas as pd
from scipy import special

from ..instrument import Instrument
from .indices import guttman_normed, item_pairs, longpattern as longpattern_index, mahad_beta_crit, mahad_beta_p
from .indices import longpattern_own_p
from .indices import mahad_ipsatized, mahad_quotient_crits, mahad_quotient_new_crit, mahalanobis_d2, rayleigh_quotient
from .indices import mahad_quotient_crit, nanmean_quiet, standardised_corr
from .indices import answer_draws, answer_model, mahad_new_crit, mahad_new_p, mahad_sim_quantile, pairwise_corr
from .indices import (LR_EXTREME, LR_SCALES, LR_SHIFTS, correlation_lr, correlation_lr_quantiles, invariant_tail_lr, random_change_lr, random_lr, random_lr_quantiles, random_lrs, random_predictive_tail_lr,
                      integrated_lr, sample_stretch_quantiles, styled_answer_draws, walk_motifs, walk_tail_lr)
from .indices import mixture_lr, mixture_lr_quantiles
from .indices import page_line_spread, page_line_tail, page_lines
from .indices import band_pair_chunks, match_tail, row_hash, stratum_shares
from .indices import max_identical as max_identical_index
from .indices import irv as irv_index, person_total as person_total_index, psychant as psychant_index
from .indices import evenodd as evenodd_index, psychsyn as psychsyn_index, split_half
from .missing import item_columns, pattern_index

__all__ = [
    "status", "unfinished", "duplicate_id", "duplicate_answers_ip", "out_of_range", "attention",
    "speeder", "longstring", "longpattern", "irv", "mahalanobis", "mahalanobis_direction", "mahalanobis_ipsatized",
    "mahalanobis_quotient", "random_likelihood", "correlation_likelihood", "mixture_likelihood", "invariant_tail",
    "page_line", "near_duplicate", "psychsyn", "psychant",
    "even_odd", "person_total", "person_fit", "tool_bot", "tool_speed", "tool_duplicate", "TOOL_RULES", "FAR",
    "trailing_missing", "longest_run", "mahalanobis_d2", "mahalanobis_min_n", "even_odd_consistency", "even_odd_constructs", "code_text",
    "RULES", "RULE_ORDER", "DEFAULT_RULES", "SCREENING_RULES", "INDEX_RULES", "PATTERN_RULES", "missing_inputs",
    "yes_no_reason", "middle_columns", "status_kinds",
]

STRING = pd.StringDtype()


# ---------------------------------------------------------------------------------
# helpers
def _none(frame: pd.DataFrame) -> pd.Series:
    """A Series of ``<NA>`` details: nobody flagged."""
    return pd.Series(pd.NA, index=frame.index, dtype=STRING)


def _not_judged(frame: pd.DataFrame, reason: str) -> pd.Series:
    """Nobody flagged because the rule could not judge anyone here; ``reason`` rides along in
    ``attrs["not_evaluated"]`` for the report (a rule that flags nobody must not look like one that cleared everyone).

    >>> _not_judged(pd.DataFrame({"a": [1]}), "too few rows").attrs
    {'not_evaluated': 'too few rows'}
    """
    out = _none(frame)
    out.attrs["not_evaluated"] = reason
    return out


def _too_few_reference(n_ref: int, n_items: int) -> str:
    return (f"{n_ref} reference responses < {mahalanobis_min_n(n_items)} (2 x {n_items} items): "
            f"covariance not estimable")


def _details(frame: pd.DataFrame, flagged: np.ndarray, texts: Iterable[str]) -> pd.Series:
    """Put ``texts`` (one per flagged row, in order) into an otherwise-NA detail Series."""
    out = _none(frame)
    flagged = np.asarray(flagged, dtype=bool)
    if flagged.any():
        out.iloc[np.flatnonzero(flagged)] = list(texts)
    return out


_MATRIX_CACHE: dict | None = None


class matrix_cache:
    """Within the block, :func:`_matrix` converts a frame's item columns once (the rules share it).

    The cache holds the frame itself, so an id is never reused while it lives; the
    returned arrays are copies when a rule may change them (reverse scoring copies).
    """

    def __enter__(self):
        global _MATRIX_CACHE
        _MATRIX_CACHE = {}
        return self

    def __exit__(self, *exc):
        global _MATRIX_CACHE
        _MATRIX_CACHE = None
        return False


_CACHE_LOCK = threading.Lock()
_PENDING = object()


def _frame_cached(frame: pd.DataFrame, key: tuple, compute: Callable[[], object]):
    """``compute()``, once per ``frame`` and ``key`` within :class:`matrix_cache` (every time outside it).

    Rules run side by side in threads (:data:`iur_survey.clean.pipeline.RULE_THREADS`): a rule
    that asks for a key another is computing waits for that value instead of computing it
    again.  (A computation may ask for other keys, never for its own: the locks are taken in
    the order of what needs what, so no two threads wait for each other.)
    """
    cache = _MATRIX_CACHE
    if cache is None:
        return compute()
    key = (id(frame),) + key
    with _CACHE_LOCK:
        entry = cache.get(key)
        if entry is None or entry[0] is not frame:
            entry = [frame, threading.Lock(), _PENDING]
            cache[key] = entry
    with entry[1]:
        if entry[2] is _PENDING:
            entry[2] = compute()
    return entry[2]


def _read_only(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


def _raw_matrix(frame: pd.DataFrame, cols: list[str]) -> np.ndarray:
    if not cols:
        return np.empty((len(frame), 0))
    if _MATRIX_CACHE is None:
        return frame[cols].to_numpy(dtype=float, na_value=np.nan)
    return _frame_cached(frame, ("matrix", tuple(cols)),
                         lambda: _read_only(frame[cols].to_numpy(dtype=float, na_value=np.nan)))


def _matrix(frame: pd.DataFrame, cols: list[str], reverse: Iterable[str] = (),
            instrument: Instrument | None = None) -> np.ndarray:
    """``frame[cols]`` as a float array, with the ``reverse`` columns recoded ``min + max - x`` (of each item's scale).

    Within :class:`matrix_cache` the recoded matrix too is made once per frame (read-only: the
    rules share it); outside, it is a fresh copy.
    """
    x = _raw_matrix(frame, cols)
    rev = [i for i, c in enumerate(cols) if c in set(reverse)]
    if rev and instrument is not None:
        lo, hi = instrument.bounds([cols[i] for i in rev])      # each item's own scale

        def recoded() -> np.ndarray:
            y = x.copy()  # never write through to the caller's frame
            y[:, rev] = lo + hi - y[:, rev]
            return y
        if _MATRIX_CACHE is None:
            return recoded()
        return _frame_cached(frame, ("recoded", tuple(cols), tuple(rev), tuple(lo), tuple(hi)),
                             lambda: _read_only(recoded()))
    return x


def common_scale(x: np.ndarray, cols: list[str], instrument: Instrument) -> np.ndarray:
    """Answers placed on the instrument's top-level scale when the items' scales differ: each item's scale
    mapped linearly onto the top-level one (its lowest code on the lowest, its highest on the highest); ``x``
    itself when every item is on the top-level scale (nothing is computed, so one-scale results are unchanged).

    >>> from iur_survey.instrument import parse_instrument
    >>> mixed = parse_instrument({"scale": {"min": 1, "max": 5}, "constructs": {"A": {"items": ["A1", "A2"]},
    ...                           "B": {"items": ["B1", "B2"], "scale": {"min": 1, "max": 7}}}})
    >>> common_scale(np.array([[5.0, 7.0], [3.0, 4.0], [1.0, 1.0]]), ["A1", "B1"], mixed).tolist()
    [[5.0, 5.0], [3.0, 3.0], [1.0, 1.0]]
    """
    if not getattr(instrument, "mixed_scales", False) or not len(cols):
        return x
    lo, hi = instrument.bounds(cols)
    return instrument.scale_min + (x - lo) * ((instrument.scale_max - instrument.scale_min) / (hi - lo))


def _draws_as_answers(draws: np.ndarray | None, cols: list[str], instrument: Instrument) -> np.ndarray | None:
    """Honest draws of the answer model (0-based codes) read as the rules read the answers: unchanged with one
    scale (the run and pattern indices do not see a shift common to all items), else each on its own scale and
    then on the common one (:func:`common_scale`)."""
    if draws is None or not getattr(instrument, "mixed_scales", False):
        return draws
    return common_scale(draws + instrument.bounds(cols)[0], cols, instrument)


def _own_scales_note(cols: list[str], instrument: Instrument) -> str:
    """``" (each item on its own scale: 2 on 1-5, 3 on 1-7)"`` when the scales of ``cols`` differ, else ``""``.

    >>> from iur_survey.instrument import parse_instrument
    >>> mixed = parse_instrument({"scale": {"min": 1, "max": 5}, "constructs": {"A": {"items": ["A1", "A2"]},
    ...                           "B": {"items": ["B1", "B2", "B3"], "scale": {"min": 1, "max": 7}}}})
    >>> _own_scales_note(["A1", "A2", "B1", "B2", "B3"], mixed), _own_scales_note(["B1", "B2"], mixed)
    (' (each item on its own scale: 2 on 1-5, 3 on 1-7)', '')
    """
    if not getattr(instrument, "mixed_scales", False) or not cols:
        return ""
    counts: dict[str, int] = {}
    for c in cols:
        text = instrument.scale_of(c).text
        counts[text] = counts.get(text, 0) + 1
    if len(counts) < 2:
        return ""
    return f" (each item on its own scale: {', '.join(f'{n} on {t}' for t, n in counts.items())})"


def _detail_number(x: float) -> str:
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


def answer_text(values: np.ndarray) -> np.ndarray:
    """:func:`code_text` for a ledger detail: a number of more than 7 digits to 2 significant digits.

    No scale has such a code; it may be a phone or ID number typed into an item, and the
    ledger must not carry it.

    >>> answer_text(np.array([4.0, 9.0, 15231651377.0])).tolist()
    ['4', '9', '1.5e+10']
    """
    values = np.asarray(values, dtype=float)
    out = code_text(values)
    big = np.abs(np.nan_to_num(values)) >= 1e7
    out[big] = [format(v, ".2g") for v in values[big]]
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
    >>> status(pd.DataFrame({"_status": ["interview", "debug (preview)"]}), load_instrument()).tolist()
    [<NA>, "status 'debug (preview)'"]
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
    # a reader that already names the kind ("debug (preview)", SoSci's MODE) does not get it twice
    return _details(frame, hit, (f"status '{v}'" if str(v).endswith(f"({k})") else f"status '{v}' ({k})"
                                 for v, k in zip(vals, labels)))


def _asked_order(frame: pd.DataFrame, instrument: Instrument, order) -> list[str]:
    """The item columns of ``frame`` in the order the export asked them (``order``), else codebook order."""
    cols = item_columns(frame, instrument)
    if not order:
        return cols
    asked = [c for c in order if c in cols]
    return asked + [c for c in cols if c not in asked]


def _trailing(frame: pd.DataFrame, cols: list[str], not_shown) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the unanswered items at the end of ``cols`` that were shown (the trailing run of unanswered
    cells, less those ``not_shown`` marks), and the position in ``cols`` where that run starts."""
    n, p = len(frame), len(cols)
    if not p:
        return np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    ans = frame[cols].notna().to_numpy()
    last = np.where(ans.any(axis=1), p - 1 - np.argmax(ans[:, ::-1], axis=1), -1)
    start = last + 1
    blank = ~ans
    if not_shown:
        for k, c in enumerate(cols):
            m = not_shown.get(c)
            if m is not None:
                blank[:, k] &= ~np.asarray(m, dtype=bool)
    after = np.arange(p)[None, :] >= start[:, None]
    return (blank & after).sum(axis=1), start


def declared_not_shown(frame: pd.DataFrame, instrument: Instrument, not_shown=None, stopped=None) -> dict | None:
    """``not_shown`` (item code -> bool per row, the export's own marks) with the blank cells of the items the
    instrument's ``skip_logic`` lists added: a branch of the questionnaire may hide them, so a blank there is a
    question not shown (SurveyMonkey, Qualtrics without -99, LimeSurvey and plain files write a hidden question
    as an empty cell, as they write one left unanswered).  Rows ``stopped`` marks get none (per row: no later
    question answered, where the export has later questions): a branch leads on to the later questions, so a
    row that answered none of them stopped, whatever hid its last items.

    >>> from iur_survey.instrument import load_instrument, parse_instrument
    >>> inst = load_instrument()
    >>> branched = parse_instrument({**inst.raw, "skip_logic": ["INT"]}, inst.path)
    >>> df = pd.DataFrame({c: [3.0, np.nan] for c in inst.item_codes})
    >>> {c: m.tolist() for c, m in declared_not_shown(df, branched).items()}["INT4"]
    [False, True]
    >>> declared_not_shown(df, inst) is None
    True
    """
    out = {c: np.asarray(m, dtype=bool) for c, m in (not_shown or {}).items()}
    for c in getattr(instrument, "skip_logic", ()):
        if c in frame.columns:
            blank = frame[c].isna().to_numpy(dtype=bool)
            if stopped is not None:
                blank &= ~np.asarray(stopped, dtype=bool)
            out[c] = out[c] | blank if c in out else blank
    return out or None


def trailing_missing(frame: pd.DataFrame, instrument: Instrument, *, order=None, not_shown=None) -> np.ndarray:
    """Per row: how many items at the end of the questionnaire are unanswered.

    The end is that of ``order`` (the item codes in the export's column order, the order the
    respondents met them: :attr:`~iur_survey.read.base.RawResponses.item_order`), else of the
    codebook; cells ``not_shown`` marks (item code -> bool per row: skip logic hid the question,
    :attr:`~iur_survey.read.base.RawResponses.not_shown`) are not counted.

    >>> from iur_survey.instrument import load_instrument
    >>> df = pd.DataFrame({"GOV1": [1.0, 1.0, None], "GOV2": [None, 2.0, None], "GOV3": [None, None, None]})
    >>> trailing_missing(df, load_instrument()).tolist()
    [2, 1, 3]
    >>> trailing_missing(df, load_instrument(), order=["GOV3", "GOV1", "GOV2"]).tolist()
    [1, 0, 3]
    >>> trailing_missing(df, load_instrument(), not_shown={"GOV3": np.array([True, True, False])}).tolist()
    [1, 0, 3]
    """
    return _trailing(frame, _asked_order(frame, instrument, order), declared_not_shown(frame, instrument, not_shown))[0]


def _completion(frame: pd.DataFrame) -> tuple[pd.Series, np.ndarray]:
    """Each row's ``Finished`` (nullable boolean) and ``Progress`` (float, NaN where not recorded)."""
    finished = (frame["_finished"].astype("boolean") if "_finished" in frame.columns
                else pd.Series(pd.NA, index=frame.index, dtype="boolean"))
    prog = (pd.to_numeric(frame["_progress"], errors="coerce").to_numpy(dtype=float)
            if "_progress" in frame.columns else np.full(len(frame), np.nan))
    return finished, prog


def completion_unknown(frame: pd.DataFrame) -> np.ndarray:
    """Rows whose export records neither ``Finished`` nor ``Progress``: :func:`unfinished` infers their
    break-offs from trailing blank items.

    >>> completion_unknown(pd.DataFrame({"_progress": [100.0, np.nan]})).tolist()
    [False, True]
    """
    finished, prog = _completion(frame)
    return finished.isna().to_numpy(dtype=bool) & np.isnan(prog)


#: the tools' statuses of a response not finished that ``unfinished: {accept: [...]}`` may take as finished
#: (REDCap's form status, Alchemer's Status), in lower case
ACCEPTABLE_STATUSES = ("incomplete", "unverified", "partial", "disqualified")
_NOTE_STATUS = re.compile(r"= (?:\d+ \()?([A-Za-z]+)\)?$")


def unfinished(frame: pd.DataFrame, instrument: Instrument, *, min_progress: float = 100.0,
               min_trailing_missing: int | None = None, accept=(), order=None, not_shown=None,
               answered_later=None, completion_note=None) -> pd.Series:
    """Flag responses that were not finished: ``Finished`` is False or ``Progress < min_progress``.

    A Qualtrics "recorded" partial response carries ``Finished = False`` and its
    ``Progress`` percentage (Qualtrics Support, "Response Data > Metadata: Progress,
    Finished").  Following common practice for structural-equation analysis, only complete
    submissions are analysed (``min_progress = 100``); item nonresponse *within* a finished
    submission is not an exclusion and is reported instead.  A row whose ``Finished`` or
    ``Progress`` says complete is never a break-off, whatever its last items.

    A download that holds submitted responses only records ``Finished`` True by its rows' submission
    (a Google Forms sheet; a Wenjuanxing download, by each row's ``提交答卷时间``: the readers'
    :data:`~iur_survey.read.assemble.SUBMITTED_FORMATS`): blank last items there are optional questions
    left out, item nonresponse reported as such, not an exclusion.

    An export that records neither (SurveyMonkey, many plain files; a Wenjuanxing row without its
    submission time) still shows a
    *break-off* (AAPOR 2023, *Standard Definitions*, 10th ed., "breakoff"): for a row with
    no ``Finished`` and no ``Progress`` value, the rule flags it when its last
    ``min_trailing_missing`` or more items are all unanswered, i.e. the respondent stopped
    before the end.  "Last" is in ``order``, the export's column order (the order the
    respondents met the questions; the codebook's when not given), and cells ``not_shown``
    marks (skip logic hid the question: 问卷星's ``(跳过)``), and blank cells of the items the instrument's
    ``skip_logic`` lists (:func:`declared_not_shown`), are not unanswered questions (:func:`trailing_missing`).  The default is the size of the last construct (one matrix
    page of the form; 4 items in the study), so that skipping a scattered item or two never
    looks like a break-off.  Nor is a row that answered some item and then a question the export
    places after the instrument's last item (``answered_later``, per row:
    :attr:`~iur_survey.read.base.RawResponses.answered_later`): it skipped the last items and went on,
    which is item nonresponse.

    ``completion_note`` (per row, text or ``None``: :attr:`~iur_survey.read.base.RawResponses.completion_note`)
    says in the tool's own words why a row is not finished (REDCap's ``survey_complete = 0 (Incomplete)``, a
    row of another form); it stands in the detail for ``Finished=False``.

    >>> from iur_survey.instrument import load_instrument
    >>> df = pd.DataFrame({"_finished": pd.array([True, False, pd.NA], dtype="boolean"),
    ...                    "_progress": [100.0, 45.0, 80.0]})
    >>> unfinished(df, load_instrument()).tolist()
    [<NA>, 'Finished=False, Progress 45% < 100%', 'Progress 80% < 100%']
    >>> inst = load_instrument()
    >>> wjx = pd.DataFrame({c: [3.0, None if c.startswith("INT") else 3.0] for c in inst.item_codes})
    >>> unfinished(wjx, inst).tolist()
    [<NA>, 'no Finished/Progress recorded; last 4 items unanswered (INT1-INT4)']
    >>> unfinished(wjx.assign(_finished=pd.array([True, True], dtype="boolean")), inst).tolist()   # submitted
    [<NA>, <NA>]
    >>> skipped = {c: np.array([False, True]) for c in inst.item_codes if c.startswith("INT")}
    >>> unfinished(wjx, inst, not_shown=skipped).tolist()
    [<NA>, <NA>]
    >>> unfinished(wjx, inst, answered_later=np.array([False, True])).tolist()
    [<NA>, <NA>]
    >>> unfinished(df, inst, completion_note=[None, "survey_complete = 1 (Unverified)", None]).tolist()[1]
    'survey_complete = 1 (Unverified), Progress 45% < 100%'
    >>> df2 = df.assign(_progress=np.nan)
    >>> unfinished(df2, inst, completion_note=[None, "survey_complete = 1 (Unverified)", None],
    ...            accept=["Unverified"]).tolist()
    [<NA>, <NA>, <NA>]
    """
    n = len(frame)
    finished, prog = _completion(frame)
    not_fin = (finished == False).fillna(False).to_numpy(dtype=bool)  # noqa: E712
    low = prog < min_progress
    texts = np.full(n, "", dtype=object)
    texts[not_fin] = "Finished=False"
    if completion_note is not None:
        notes = np.asarray(completion_note, dtype=object)
        said = not_fin & np.array([isinstance(v, str) and bool(v) for v in notes], dtype=bool)
        texts[said] = notes[said]
        taken = {str(a).lower() for a in accept}
        if taken:
            ok = np.array([bool(m) and m.group(1).lower() in taken
                           for m in (_NOTE_STATUS.search(v) if isinstance(v, str) else None for v in notes)],
                          dtype=bool) & said
            not_fin &= ~ok
            texts[ok] = ""
    if low.any():
        txt = np.array([f"Progress {_detail_number(v)}% < {_detail_number(min_progress)}%" for v in prog[low]], dtype=object)
        texts[low] = np.where(not_fin[low], texts[low].astype(object) + ", " + txt, txt)
    # no completion metadata for the row: infer a break-off from trailing unanswered items
    unknown = completion_unknown(frame)
    cols = _asked_order(frame, instrument, order)
    if unknown.any() and cols:
        last_construct = list(instrument.constructs.values())[-1]
        k = len(last_construct.items) if min_trailing_missing is None else int(min_trailing_missing)
        later = None if answered_later is None else np.asarray(answered_later, dtype=bool)
        trail, start = _trailing(frame, cols, declared_not_shown(frame, instrument, not_shown,
                                                                 None if later is None else ~later))
        broke = unknown & (trail >= k)
        if later is not None:      # went on past the items: not a break-off (unless it answered none)
            broke &= ~(later & (start > 0))
        branch = broke & (start == 0) & (later if later is not None else np.zeros(n, dtype=bool))
        texts[broke] = [f"no Finished/Progress recorded; last {t} items unanswered ({cols[s]}-{cols[-1]})"
                        + ("" if s == len(cols) - t else f", besides {len(cols) - s - t} not shown")
                        + ("; a later question was answered: if a branch of the questionnaire hid these items, "
                           "list them in the instrument's skip_logic" if b else "")
                        for t, s, b in zip(trail[broke], start[broke], branch[broke])]
    hit = texts != ""
    return _details(frame, hit, texts[hit])


#: an e-mail address given by more than this share of the records (and by more than 3) is no one person's
SHARED_EMAIL_SHARE = 0.1


def duplicate_id(frame: pd.DataFrame, instrument: Instrument, *, by_email: bool = True,
                 eligible: pd.Series | np.ndarray | None = None, email_groups=None) -> pd.Series:
    """Flag every repeat of a ``response_id`` but one, and (``by_email``) every repeat of a respondent's
    e-mail address but one: the first complete submission is kept.

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
    ["response_id 'R1' repeated; first submission row 4 (same answers)", <NA>, <NA>, "response_id 'R1' repeated; first submission row 4 (same answers)"]
    >>> duplicate_id(df, load_instrument(), eligible=[True] * 4).tolist()[2:]
    ["response_id 'R1' repeated; first submission row 2 (same answers)", "response_id 'R1' repeated; first submission row 2 (same answers)"]

    In the first call the unfinished row 2 comes first but row 4 is the first complete
    submission, so rows 2 and 5 are the repeats.  The detail says whether a repeat's answers
    differ from the first submission's (a re-submission rather than a copy; the pipeline
    warns about those).  The first submission may still be excluded by a later rule (a
    failed attention check): the detail names it, and says nothing of whether it is kept.

    An e-mail address names a person less surely than a response id names a submission: two
    responses giving one address (compared trimmed, in lower case) **with the same answers** are one
    person sending twice (Google Forms or a SurveyMonkey collector without a one-response limit), and
    the later is treated as a repeated id; with other answers they may be a re-take, or two people who
    share a mailbox or typed one address, so both are kept and the pipeline warns, naming the rows (a
    quiet guess either way would be wrong).  Simulated exports whose addresses are built from names
    share addresses by chance (the package's simulator: 3.4 % of 100,000 rows): with other answers,
    never excluded.  ``email_groups`` is the reader's
    :attr:`~iur_survey.read.base.RawResponses.email_groups`: per e-mail column a number per row, never
    the address, which no detail names.  An address given by more than 3 records and by more than
    :data:`SHARED_EMAIL_SHARE` of them is taken for a placeholder or a shared mailbox and not judged (the
    pipeline warns); ``by_email=False`` (``duplicate_id: {by_email: false}``) judges no address.

    >>> mail = [("Email", np.array([0, 1, 0, -1]))]
    >>> duplicate_id(df.assign(response_id=["a", "b", "c", "d"]), load_instrument(), eligible=[True] * 4,
    ...              email_groups=mail).tolist()
    [<NA>, <NA>, "e-mail address ('Email') repeated; first submission row 2 (same answers)", <NA>]
    """
    n = len(frame)
    flagged, texts = np.zeros(n, dtype=bool), np.full(n, "", dtype=object)
    elig = _complete(frame) if eligible is None else np.asarray(eligible, dtype=bool)
    rows = raw_rows(frame)
    if "response_id" in frame.columns:
        ids = frame["response_id"].astype("string")
        codes, _ = pd.factorize(ids, use_na_sentinel=True)
        flagged, kept = _keep_first(frame, np.asarray(codes), elig)
        differ = _answers_differ(frame, instrument, np.flatnonzero(flagged), kept[flagged])
        texts[flagged] = [f"response_id '{i}' repeated; first submission row {rows[k]} "
                          f"({f'{d} answers differ' if d else 'same answers'})"
                          for i, k, d in zip(ids[flagged], kept[flagged], differ)]
    for header, codes in (email_groups or ()) if by_email else ():
        codes = np.where(flagged, -1, np.asarray(codes, dtype=np.int64))     # a repeated id is counted once
        if (codes >= 0).any():      # one address in many records is no person's (a placeholder, a shared mailbox)
            counts = np.bincount(codes[codes >= 0])
            codes = np.where((codes >= 0) & (counts[np.maximum(codes, 0)] > max(3, SHARED_EMAIL_SHARE * n)), -1, codes)
        again, kept = _keep_first(frame, codes, elig)
        same = np.flatnonzero(again)[_answers_differ(frame, instrument, np.flatnonzero(again), kept[again]) == 0]
        texts[same] = [f"e-mail address ({header!r}) repeated; first submission row {rows[k]} (same answers)"
                       for k in kept[same]]
        flagged[same] = True
    return _details(frame, flagged, texts[flagged])


def _answers_differ(frame: pd.DataFrame, instrument: Instrument, rows: np.ndarray, firsts: np.ndarray) -> np.ndarray:
    """How many item answers of each of ``rows`` differ from those of its first submission ``firsts``
    (a blank and an answer differ; two blanks do not)."""
    cols = item_columns(frame, instrument)
    if not cols or not len(rows):
        return np.zeros(len(rows), dtype=np.int64)
    x = _matrix(frame, cols)
    return (~_same_answers(x[rows], x[firsts])).sum(axis=1)


def _same_answers(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cell by cell: the same code, or both blank.

    >>> _same_answers(np.array([[1, np.nan, 2.0]]), np.array([[1, np.nan, np.nan]])).tolist()
    [[True, True, False]]
    """
    return (a == b) | (np.isnan(a) & np.isnan(b))


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
    [<NA>, 'same answers from the same IP address as row 2 (its first submission)', <NA>, <NA>]
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
    codes, _ = pd.factorize(row_hash(bits, start=ip_codes.astype(np.uint64)))
    codes = np.where(usable, codes, -1)
    elig = _complete(frame) if eligible is None else np.asarray(eligible, dtype=bool)
    flagged, kept = _keep_first(frame, codes, elig)
    # guard against hash collisions: the flagged row must really equal its kept row
    if flagged.any():
        k = kept[flagged]
        same = _same_answers(a[flagged], a[k]).all(axis=1) & (ip_codes[flagged] == ip_codes[k])
        flagged[np.flatnonzero(flagged)[~same]] = False
    rows = raw_rows(frame)
    return _details(frame, flagged, (f"same answers from the same IP address as row {rows[k]} (its first submission)"
                                     for k in kept[flagged]))


def out_of_range(frame: pd.DataFrame, instrument: Instrument) -> pd.Series:
    """Flag responses holding an item or attention code that is not a point of the scale.

    A numeric code outside the item's scale (``min..max``; or a fractional code) is a coding
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
    lo, hi = instrument.bounds(cols)                       # each item's own scale
    with np.errstate(invalid="ignore"):
        bad = ~np.isnan(x) & ((x < lo) | (x > hi) | (x != np.round(x)))
    hit = bad.any(axis=1)
    if not hit.any():
        return _none(frame)
    mixed = getattr(instrument, "mixed_scales", False)
    texts = []
    for r in np.flatnonzero(hit):  # flagged rows only
        if mixed:                  # each cell with its own scale
            texts.append(", ".join(f"{cols[j]}={answer_text(x[r, j:j + 1])[0]} not on its scale "
                                   f"{instrument.scale_of(cols[j]).text}" for j in np.flatnonzero(bad[r])))
            continue
        cells = ", ".join(f"{cols[j]}={answer_text(x[r, j:j + 1])[0]}" for j in np.flatnonzero(bad[r]))
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

    A check that nobody in the export answered was not exported or not matched to its
    column (an all-empty column is what a reader gives for an instrument's check it could
    not find): it is no evidence against anyone, so the rule flags nobody and
    :func:`missing_inputs` reports it as not evaluated (before, every response of such an
    export was excluded as "unanswered").

    >>> attention(pd.DataFrame({"ATT1": [np.nan, np.nan]}), load_instrument()).tolist()
    [<NA>, <NA>]
    """
    # a check nobody in the export answered was not exported (or not matched): no evidence, not evaluated
    checks = [(c, v) for c, v in instrument.attention_checks.items() if c in frame.columns and frame[c].notna().any()]
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
        got = np.where(ms[:, j], f"{col} unanswered", f"{col}=" + answer_text(xs[:, j]))
        parts.append(np.where(bs[:, j], got, ""))
        exps.append(np.where(bs[:, j], str(val), ""))
    texts = (", ".join(p for p in ps if p) + ", expected " + ", ".join(e for e in es if e)
             for ps, es in zip(zip(*parts), zip(*exps)))
    return _details(frame, hit, texts)


# ---------------------------------------------------------------------------------
# stage 2: data-based careless-responding indices on the screened responses

def _far(text: str) -> str:
    """Mark a detail as far beyond the rule's cut-off (the pipeline excludes on it alone)."""
    return f"{text} [{FAR}]"


#: the marker in a detail text of a hit far beyond its rule's cut-off
FAR = "far beyond the cut-off"
#: the marker in a detail text of a hit a response style explains (it counts beside speed only)
STYLED = "a response style explains it"
#: the marker in a detail text of a speed hit in the slower half of the flag band (:func:`speeder`): a duration a
#: careful reader can reach, which is not a piece of evidence by itself (:mod:`iur_survey.clean.decision`)
MODERATE = "moderately fast"
#: the marker in a detail text of a whole-form random-answer ratio beyond its style-free far level but within the guard
#: for stretched answer styles (:func:`random_likelihood`): far beyond where the antonyms deny a style
#: (:mod:`iur_survey.clean.decision`'s ``guard_beside``)
GUARDED = "within the style guard"


def _styled(text: str) -> str:
    """Mark a detail as explained by a response style (:func:`mahalanobis`'s ``style_check``)."""
    return f"{text} [{STYLED}]"


def durations(frame: pd.DataFrame) -> tuple[np.ndarray, float] | None:
    """Each response's duration in seconds (NaN where none was recorded) and their median: the median every
    pace rule (:func:`speeder`, a line's pace in :func:`longstring` and :func:`irv`) is measured against.  None
    without a duration, and where the median is 0 s (:func:`zero_median`): then at least half the "durations" are
    a tool's 0 for a time not recorded, not a pace, and no pace rule reads them.

    >>> durations(pd.DataFrame({"_duration": [600.0, None, 580.0, "150"]}))
    (array([600.,  nan, 580., 150.]), 580.0)
    >>> durations(pd.DataFrame({"GOV1": [1.0]})) is None, durations(pd.DataFrame({"_duration": [0.0, 0.0, 30.0]})) is None
    (True, True)
    """
    if "_duration" not in frame.columns:
        return None
    dur = pd.to_numeric(frame["_duration"], errors="coerce").to_numpy(dtype=float)
    if np.isnan(dur).all():
        return None
    med = float(np.nanmedian(dur))
    return None if med <= 0 else (dur, med)


def zero_median(frame: pd.DataFrame) -> str | None:
    """Why :func:`speeder` does not judge an export whose median duration is 0 s (None where it is not so): every
    response would be under 1 s per question, "far beyond the cut-off", and excluded, where the tool wrote 0 for a
    time it did not record (a fuzzed export: every row excluded as a speeder, "no response kept").

    >>> zero_median(pd.DataFrame({"_duration": [0.0, 0.0, 30.0]}))[:60]
    'the median duration is 0 s (2 of 3 durations are 0 s): a too'
    """
    if "_duration" not in frame.columns:
        return None
    dur = pd.to_numeric(frame["_duration"], errors="coerce").to_numpy(dtype=float)
    if np.isnan(dur).all() or float(np.nanmedian(dur)) > 0:
        return None
    zeros = int(np.sum(dur <= 0))
    return (f"the median duration is 0 s ({zeros} of {int(np.sum(~np.isnan(dur)))} durations are 0 s): a tool's "
            "0 for a time it did not record, not a pace; map the duration column to ignore, or give the real times")


def ordinary_pace(frame: pd.DataFrame, rows: np.ndarray, pace: float | None) -> np.ndarray:
    """Of ``rows``, those whose recorded duration is at least ``pace`` x the median (:func:`durations`): the
    lines :func:`longstring` and :func:`irv` then flag without calling them far beyond.  No row without a
    duration, or with ``pace`` None.

    >>> f = pd.DataFrame({"_duration": [600.0, 620.0, 580.0, 250.0, None]})
    >>> ordinary_pace(f, np.ones(5, dtype=bool), 0.5).tolist()
    [True, True, True, False, False]
    """
    got = None if pace is None else durations(frame)
    if got is None:
        return np.zeros(len(rows), dtype=bool)
    dur, med = got
    with np.errstate(invalid="ignore"):
        return rows & (dur >= pace * med)


def paced_lines(frame: pd.DataFrame, instrument: Instrument, cols: list[str], x: np.ndarray, rows: np.ndarray,
                pace: float | None, ident: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Of ``rows`` (lines in ``x`` that would be far beyond), those :func:`longstring` and :func:`irv` flag without
    calling them far beyond: given at an ordinary pace (:func:`ordinary_pace`) and not against the keying
    (:func:`against_keying`).  None of them with ``pace`` None.

    >>> from iur_survey.instrument import load_instrument
    >>> inst = load_instrument(); cols = list(inst.item_codes)
    >>> x = np.vstack([np.full(28, 3.0), np.full(28, 4.0), np.full(28, 3.0)])
    >>> f = pd.DataFrame({"_duration": [600.0, 600.0, 100.0]})
    >>> paced_lines(f, inst, cols, x, np.ones(3, dtype=bool), 0.5).tolist()    # the middle; "agree" to both keys; fast
    [True, False, False]
    """
    if pace is None or not rows.any():
        return np.zeros(len(x), dtype=bool)
    return ordinary_pace(frame, rows & ~against_keying(x, cols, instrument, ident), pace)


#: the words closing the detail of a line given at an ordinary pace (:func:`_pace_text`; the report counts them)
PACE_MARK = "a line at an ordinary pace is excluded beside other evidence only"


def _pace_text(dur: float, med: float, pace: float) -> str:
    """The detail of a line given at an ordinary pace (:func:`ordinary_pace`; ``dur`` and ``med`` from
    :func:`durations`, read once per rule): flagged, not far beyond."""
    return (f"; not far beyond: given in {dur:.0f} s, at least {_detail_number(pace * 100)}% of the median "
            f"{med:.0f} s ({PACE_MARK})")


def speeder(frame: pd.DataFrame, instrument: Instrument, *, fraction: float = 0.3,
            seconds_per_item: float = 1.0, far_fraction: float = 0.15,
            strong_fraction: float | None = None, resolution: float | None = None) -> pd.Series:
    """Flag responses completed fast; far beyond the cut-off when implausibly fast.

    Flags ``_duration < fraction x median`` (default 0.3; Greszki, Meyer & Schoen 2015,
    *Public Opin Q* 79:471-503).  Fast *careful* readers exist (Bowling et al. 2016,
    *J Pers Soc Psychol* 111:218-229): speed alone is evidence, not proof, so a flag is
    only one piece of the convergent evidence the pipeline asks for.  A duration below
    ``far_fraction x median`` (default 0.15, half the flag cut-off) or below
    ``seconds_per_item x questions`` (1 s per question over the whole response: Wood, Harms,
    Lowman & DeSimone 2017, *Soc Psychol Personal Sci* 8:454-464, found answers' consistency
    collapse faster than 1 s per item) is far beyond the cut-off.

    **Why 1 s, not 2 s per item.**  Huang et al. 2012 (*J Bus Psychol* 27:99-114) proposed 2 s per item,
    and Bowling et al. 2023 validated it as a *page-time index* (the number of pages answered faster),
    one piece of evidence among others, not as a rule that excludes alone; a total duration also
    holds instructions and pages without items, so per question it is longer than the items took.
    Until this release the whole response under 2 s per question was far beyond on its own.  A held-out
    outside generator (honest fast careful readers at 0.3 x the median, 1.5-2.4 s per question, answers
    consistent: 444 of 32,800 honest rows) lost 296 of them (67 %), all its honest exclusions but 34:
    honest 1.0 % excluded, fast careful readers 12.5 %.  At 1 s per question: 0.1 % and 0.2 %
    (4 of 2,405), careless recall .882 -> .879 (its speeders at 0.07-0.2 x the median 306 -> 301, the five
    kept with one other flag); four other outside generators: honest 6 fewer, careless 3 fewer (outside5's
    random answers given fast, 362 -> 359), every other figure equal; the seventh outside generator and
    every generator of :mod:`iur_survey.clean.evaluate` (N 800 / 3000, seeds 1-3) identical, their fast
    rows being under 15 % of the median or caught by their answers.  ``seconds_per_item: 2`` restores
    the previous rule.

    Where the two far cut-offs lie in reading time: the 2 s page-time rule kept its validity across
    item lengths (Bowling, Huang, Brower & Bragg 2023, *Organ Res Methods* 26:323-352), and adults read
    English non-fiction silently at 238 words per minute, most between 175 and 300 (Brysbaert 2019,
    *J Mem Lang* 109:104047): the study's items average 12 words, 2.4 s of reading at 300 words per
    minute before any answer is given.  The relative cut-off binds where the median exceeds
    1 / 0.15 = 6.7 s per question (2 / 0.15 = 13.3 s under the previous 2 s floor).  Measured with the
    2 s floor on an outside generator
    (all-1-5 items, median about 14 s per item, N 2000, three seeds): honest fast readers are
    excluded 100 % below 2.0 s per item, 66 % at 2.0-2.25 s, 6 % at 2.25-3 s and 4 % at 3-4 s
    (there by speed and one other group); ``far_fraction: 0.10`` brings 2.0-2.25 s to 23 % and
    2.25-2.5 s from 6 to 3 %, and changes nothing on two other generators (a median near 10 s per
    item, or no durations): readers that fast are past the reading rates above, so the default stands.

    **Graded speed.**  A flag in the slower half of the flag band, at or above ``strong_fraction x median``
    (default: the band's geometric middle, ``sqrt(far_fraction x fraction)`` = 21 % of the median, a relative
    speed of 4.7 in the sense of Leiner 2019, *Survey Research Methods* 13:229-248), is marked
    ``[moderately fast]``: a duration honest careful readers reach (12-word items read at 175-300 words per
    minute take 2.4-4.1 s, and the median respondent of a web survey takes far longer than reading needs).
    Such a flag is no piece of evidence by itself; it only lets the answer-based groups that count beside
    speed count (:mod:`iur_survey.clean.decision`), so a moderately fast response is excluded where two
    answer-based groups agree.  ``strong_fraction: 0.3`` (= ``fraction``: no flag is moderate) restores
    the previous rule; the evidence is in :mod:`iur_survey.clean.decision`.

    >>> from iur_survey.instrument import load_instrument
    >>> df = pd.DataFrame({"_duration": [600.0, 620.0, 580.0, 150.0, 1.0], "GOV1": [1.0] * 5, "GOV2": [2.0] * 5})
    >>> speeder(df, load_instrument()).tolist()[3:]
    ['duration 150 s < 30% of median 580 s [moderately fast]', 'duration 1 s < 30% of median 580 s; < 1 s x 2 questions = 2 s [far beyond the cut-off]']
    >>> speeder(df, load_instrument(), strong_fraction=0.3).tolist()[3]
    'duration 150 s < 30% of median 580 s'

    **Start and end times without seconds** (``resolution``: 60, from the reader's
    :attr:`~iur_survey.read.base.RawResponses.duration_resolution`).  A duration taken from two times
    in whole minutes is ``end minute - start minute``: 0 s means "0 to 59 s", 60 s "1 to 119 s".
    Each response is then judged by the longest duration its times allow (recorded + 59 s), against
    cut-offs from the median of the recorded durations (the rounding of start and end cancels on
    average).  Where no response could fall below a cut-off (every cut-off at or under 59 s), the
    rule is not evaluated and the report says why, rather than flag the respondents whose start
    and end fell in one clock minute (a real SurveyMonkey export re-saved by a spreadsheet: 118 of
    1,093 read 0 s, median 120 s, and were excluded far beyond a 36-s cut-off they may not be under).

    >>> t = pd.DataFrame({"_duration": [0.0, 60, 120, 120, 180], "GOV1": [1.0] * 5})
    >>> speeder(t, load_instrument()).tolist()[0]
    'duration 0 s < 30% of median 120 s; < 1 s x 1 questions = 1 s [far beyond the cut-off]'
    >>> speeder(t, load_instrument(), resolution=60).attrs["not_evaluated"][:75]
    'start and end times in whole minutes: a duration is known to 59 s only, and'
    >>> t = pd.DataFrame({"_duration": [0.0, 60, 600, 660, 720], "GOV1": [1.0] * 5})
    >>> speeder(t, load_instrument(), resolution=60).tolist()[:2]
    ['duration at most 59 s (0 s in whole minutes) < 30% of median 600 s [far beyond the cut-off]', 'duration at most 119 s (60 s in whole minutes) < 30% of median 600 s']
    """
    got = durations(frame)
    if got is None:
        why = zero_median(frame)
        return _none(frame) if why is None else _not_judged(frame, why)
    dur, med = got
    n_q = len(item_columns(frame, instrument)) + sum(c in frame.columns for c in instrument.attention_checks)
    floor = seconds_per_item * n_q
    slack = 0.0 if not resolution else float(resolution) - 1    # the longest duration the times allow
    if slack and max(fraction * med, floor) <= slack:
        return _not_judged(frame, f"start and end times in whole minutes: a duration is known to "
                                  f"{_detail_number(slack)} s only, and no cut-off ({_detail_number(fraction * 100)}% "
                                  f"of median {med:.0f} s = {_detail_number(round(fraction * med, 1))} s; "
                                  f"{_detail_number(seconds_per_item)} s x {n_q} questions) lies above "
                                  f"{_detail_number(slack)} s")
    longest = dur + slack
    rel = longest < fraction * med
    ab = longest < floor
    far = ab | (longest < far_fraction * med)
    hit = rel | ab
    strong = math.sqrt(far_fraction * fraction) if strong_fraction is None else strong_fraction
    moderate = ~far & ~(longest < strong * med)
    texts = []
    for d, r, a, f, m in zip(dur[hit], rel[hit], ab[hit], far[hit], moderate[hit]):
        parts = []
        if r:
            parts.append(f"< {_detail_number(fraction * 100)}% of median {med:.0f} s")
        if a:
            parts.append(f"< {_detail_number(seconds_per_item)} s x {n_q} questions = {_detail_number(floor)} s")
        t = (f"duration {d:.0f} s " if not slack else
             f"duration at most {d + slack:.0f} s ({d:.0f} s in whole minutes) ") + "; ".join(parts)
        texts.append(_far(t) if f else f"{t} [{MODERATE}]" if m else t)
    return _details(frame, hit, texts)


def _default_min_run(n_items: int) -> int:
    return max(2, math.ceil(n_items / 2))


def _default_far_pattern(n_items: int) -> int:
    return max(2, math.ceil(4 * n_items / 7))


def _default_far_run(n_items: int) -> int:
    return max(2, math.ceil(3 * n_items / 4))


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


#: below this many items the default cut-offs of :func:`longstring` and :func:`irv` judge ordinary answers: on a
#: real LimeSurvey export (172 completed responses) 2, 3 and 4 items made longstring exclude 64, 38 and 52
#: respondents and irv 64 (2 items) and 13 (4 items); 6 items: longstring 1, irv 0 (audit s24 readaudit B1).  With
#: fewer items the two rules judge nobody unless their cut-offs are set in the configuration
STRAIGHT_LINE_MIN_ITEMS = 6


def consistent_midpoint(x: np.ndarray, cols: list[str], instrument: Instrument, min_off: int | None
                        ) -> tuple[np.ndarray, np.ndarray]:
    """Rows of ``x`` (answers on the top-level scale, :func:`common_scale`) that answer the scale's middle to at
    least half their items and give at least ``min_off`` answers off it, all on one side once reverse-keyed items
    are turned (4 to a forward item, 2 to a reversed one: agreeing both times).  Such a row reads as a midpoint
    responder whose other answers follow a trait, not as a straight line with slips, whose slips fall on either
    side.  A scale without a middle answer (1-4), or ``min_off`` None (the setting off), has no such row.
    Returns ``(rows, n_off)``.

    >>> from iur_survey.instrument import load_instrument
    >>> cols = ["GOV1", "GOV2", "GOV3", "GOV4"]                                  # GOV3 is reverse-keyed
    >>> x = np.array([[3, 4, 2, 3], [3, 4, 4, 3], [3, 3, 3, 4.0]])
    >>> consistent_midpoint(x, cols, load_instrument(), 2)
    (array([ True, False, False]), array([2, 2, 1]))
    """
    lo, hi = instrument.scale_min, instrument.scale_max
    mid = (lo + hi) / 2
    if not min_off or (hi - lo) % 2:
        return np.zeros(len(x), dtype=bool), np.zeros(len(x), dtype=np.int64)
    sign = np.where([c in set(instrument.reverse_items) for c in cols], -1.0, 1.0)
    with np.errstate(invalid="ignore"):
        side = np.sign(x - mid) * sign
    n_ans = (~np.isnan(x)).sum(axis=1)
    n_mid = (x == mid).sum(axis=1)
    up, down = (side > 0).sum(axis=1), (side < 0).sum(axis=1)
    n_off = up + down
    return (2 * n_mid >= n_ans) & (n_off >= min_off) & ((up == 0) | (down == 0)), n_off


def middle_columns(cols: list[str], instrument: Instrument) -> tuple[np.ndarray, float]:
    """Which of ``cols`` have a middle answer on their own scale (an odd number of points), and the top-level
    scale's middle.

    >>> from iur_survey.instrument import load_instrument
    >>> has_mid, mid = middle_columns(["GOV1", "GOV2"], load_instrument())
    >>> has_mid.tolist(), mid
    ([True, True], 3.0)
    """
    if getattr(instrument, "mixed_scales", False) and len(cols):
        lo, hi = instrument.bounds(cols)
        has_mid = np.broadcast_to((np.asarray(hi) - np.asarray(lo)) % 2 == 0, (len(cols),))
    else:
        has_mid = np.full(len(cols), (instrument.scale_max - instrument.scale_min) % 2 == 0)
    return has_mid, (instrument.scale_min + instrument.scale_max) / 2


def midpoint_line(x: np.ndarray, cols: list[str], instrument: Instrument, min_off: int | None,
                  popular: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Rows of ``x`` (answers on the top-level scale, :func:`common_scale`) that answer the middle to at least
    half their items that have one and give at least ``min_off`` answers off it, on either side: a midpoint
    responder's few other answers, more than the one to three slips a straight line at the middle has.  Items
    whose own scale has no middle answer (1-4) are not counted; ``min_off`` None (the setting off) gives no
    such row.  With ``popular``, also a row with at least that many answers off the middle, every one on the
    side of the middle the item's answers lean to in ``x`` (its mean's side: keying cancels): a midpoint
    responder's few other answers are the items whose answers lean far from the middle, a straight line's
    slips fall on either side.  Returns ``(rows, n_off)``.

    >>> from iur_survey.instrument import load_instrument
    >>> x = np.array([[3, 4, 2, 3, 2, 3], [3, 3, 3, 3, 4, 3], [4, 4, 5, 2, 4, 4.0]])
    >>> midpoint_line(x, ["GOV1", "GOV2", "GOV3", "GOV4", "MKT1", "MKT2"], load_instrument(), 3)
    (array([ True, False, False]), array([3, 1, 6]))
    >>> x = np.array([[3, 3, 3, 4, 3, 2], [3, 3, 3, 2, 3, 4], [4, 4, 3, 4, 2, 2.0]])     # item means 3.3 ... 2.7
    >>> midpoint_line(x, ["GOV1", "GOV2", "GOV3", "GOV4", "MKT1", "MKT2"], load_instrument(), 3, popular=2)
    (array([ True, False, False]), array([2, 2, 5]))
    """
    has_mid, mid = middle_columns(cols, instrument)
    if not has_mid.all():
        x = x[:, has_mid]
    n_ans = (~np.isnan(x)).sum(axis=1)
    with np.errstate(invalid="ignore"):             # np.isclose(x, mid) with its tolerances, fewer temporaries
        n_mid = (np.abs(x - mid) <= 1e-08 + 1e-05 * abs(mid)).sum(axis=1)
    n_off = n_ans - n_mid
    if not min_off or not has_mid.any():
        return np.zeros(len(x), dtype=bool), n_off
    line = 2 * n_mid >= n_ans
    rows = line & (n_off >= min_off)
    if popular and len(x):
        lean = np.nan_to_num(np.sign(nanmean_quiet(x, axis=0) - mid))   # an item nobody answered: no lean
        with np.errstate(invalid="ignore"):         # sign(x - mid) * lean > 0: an answer on its item's lean side
            with_lean = (((x > mid) & (lean > 0)) | ((x < mid) & (lean < 0))).sum(axis=1)
        rows |= line & (n_off >= popular) & (with_lean == n_off)
    return rows, n_off


#: a keyed line (:func:`keyed_line`) allows one other answer per this many items (4 of 28)
KEYED_LINE_ITEMS_PER_SLIP = 7
#: ... and holds its answer on at least this many reverse-keyed items (an instrument with fewer has no keyed line)
KEYED_LINE_MIN_REVERSE = 3


def keyed_line(x: np.ndarray, cols: list[str], instrument: Instrument, agree: bool = False,
               ident: tuple[np.ndarray, np.ndarray] | None = None
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Rows of ``x`` (raw answers on the top-level scale, :func:`common_scale`; reverse-keyed items *not* turned)
    that give the scale's lowest answer (the codebook's disagree end; with ``agree`` either end) to every answered
    item but at most one in
    :data:`KEYED_LINE_ITEMS_PER_SLIP` (7: 4 of 28), having answered at least three quarters of the items, and give
    that answer to at least :data:`KEYED_LINE_MIN_REVERSE` (3) reverse-keyed items as well as to the forward ones:
    a line that contradicts the keying (once reverse-keyed items are turned the person agrees and disagrees
    with the same construct, strongly).  No honest style but an extreme acquiescence explains a line at the agree
    end, and honest acquiescent-and-extreme respondents give one (hence ``agree`` off by default: figures in
    :func:`mahalanobis`); a line at the middle does not contradict the keying and is not one.  Returns ``(rows,
    answer, count, answered, n_reverse)``: the line's answer, how many items have it, how many are answered, and how many
    reverse-keyed items have it.  ``ident``: :func:`~iur_survey.clean.indices.max_identical` of ``x``, when the
    caller has it.

    >>> from iur_survey.instrument import load_instrument
    >>> inst = load_instrument()
    >>> cols = [c for c in inst.item_codes][:28]
    >>> x = np.ones((3, 28)); x[0, [3, 20]] = [3, 4]; x[1, :] = 3; x[2, [c in inst.reverse_items for c in cols]] = 5
    >>> rows, answer, count, answered, n_rev = keyed_line(x, cols, inst)
    >>> rows.tolist(), answer.tolist(), count.tolist(), n_rev.tolist()
    ([True, False, False], [1.0, 3.0, 1.0], [26, 28, 24], [4, 4, 0])
    >>> keyed_line(6 - x, cols, inst)[0].tolist(), keyed_line(6 - x, cols, inst, agree=True)[0].tolist()
    ([False, False, False], [True, False, False])
    """
    count, code = max_identical_index(x) if ident is None else ident
    answered = (~np.isnan(x)).sum(axis=1)
    n_rev = _reverse_count(x, cols, instrument, code)
    k = len(cols)
    end = (code == instrument.scale_min) | ((code == instrument.scale_max) if agree else False)
    rows = (end & (4 * answered >= 3 * k) & (answered - count <= k // KEYED_LINE_ITEMS_PER_SLIP)
            & (n_rev >= KEYED_LINE_MIN_REVERSE) & (count - n_rev >= KEYED_LINE_MIN_REVERSE))
    return rows, code, count, answered, n_rev


def _reverse_count(x: np.ndarray, cols: list[str], instrument: Instrument, code: np.ndarray) -> np.ndarray:
    """Per row of ``x``, how many reverse-keyed items have the answer ``code`` (the row's line's answer)."""
    reverse = np.array([c in set(instrument.reverse_items) for c in cols], dtype=bool)
    return (x[:, reverse] == code[:, None]).sum(axis=1) if reverse.any() else np.zeros(len(x), dtype=np.int64)


def against_keying(x: np.ndarray, cols: list[str], instrument: Instrument,
                   ident: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Rows of ``x`` (raw answers on the top-level scale, reverse-keyed items *not* turned) whose most frequent
    answer is not the scale's middle and is given to at least :data:`KEYED_LINE_MIN_REVERSE` (3) reverse-keyed
    and as many forward items: a line of it agrees (or disagrees) with statements and their reversals alike.  A
    line of the middle answer, or on items nearly all keyed one way, does not contradict the keying.

    >>> from iur_survey.instrument import load_instrument
    >>> inst = load_instrument(); cols = list(inst.item_codes)
    >>> x = np.vstack([np.full(28, 4.0), np.full(28, 3.0), np.where(np.isin(cols, inst.reverse_items), 2.0, 4.0)])
    >>> against_keying(x, cols, inst).tolist()
    [True, False, False]
    """
    count, code = max_identical_index(x) if ident is None else ident
    n_rev = _reverse_count(x, cols, instrument, code)
    has_mid, mid = middle_columns(cols, instrument)
    middle = np.isclose(code, mid) & bool(has_mid.any())
    return ~middle & (n_rev >= KEYED_LINE_MIN_REVERSE) & (count - n_rev >= KEYED_LINE_MIN_REVERSE)


#: the fewest near lines at an answer that :func:`near_line_spike` calls a spike
NEAR_SPIKE_MIN_LINES = 2


def near_line_spike(x: np.ndarray, cols: list[str], instrument: Instrument, spike: float | None,
                    ident: tuple[np.ndarray, np.ndarray] | None = None, keyed_ends: bool = False
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Rows of ``x`` (answers on the top-level scale, :func:`common_scale`) whose *near line* sits on a spike
    the sample's other answers do not explain.  A near line: one answer to every answered item but one to one in
    :data:`KEYED_LINE_ITEMS_PER_SLIP` (1-4 of 28), at least three quarters of the items answered.  Its *shoulder*:
    the rows of the same answer with one to two in seven items off it (5-8 of 28).  A response style that draws
    answers to one place on the scale (a midpoint, an extreme or a narrow style, acquiescence) draws a continuum:
    its strongest holders give near lines, the others fill the shoulder, and on every export of an outside
    generator with such styles (N 300-3,000) the honest near lines at an answer were at most 1.2 times its
    shoulder.  Careless straight lines with a few slips are a spike with no shoulder: where the near lines at an
    answer outnumber its shoulder more than ``spike`` times (the shoulder counting every row, careless ones
    too), they are these rows: at least :data:`NEAR_SPIKE_MIN_LINES` (2) of them (one line alone is no spike),
    in a sample of at least :func:`mahalanobis_min_n` responses answering three quarters of the items (fewer
    leave a style's shoulder empty by chance); :func:`longstring` also spares an answer that honest answers
    drawn from the sample's answer model give near lines at (a ceiling).  ``spike`` None (the setting off) gives none.  With
    ``keyed_ends``, lines at an end of the scale that hold it on at least :data:`KEYED_LINE_MIN_REVERSE`
    reverse-keyed items (against the keying, :func:`keyed_line`) are counted apart from those that do not, each
    against its own shoulder: a high trait gives near lines at the agree end that disagree with the
    reverse-keyed items, only an acquiescent extreme style or carelessness gives them holding those items too.  Returns ``(rows, answer, count,
    answered, n_near, n_shoulder)``: the line's answer, how many items have it, how many are answered, and the
    sample's near lines and shoulder at that answer (and keying).

    >>> x = np.tile(np.arange(1.0, 6), (60, 6))[:, :28]                # 60 responses, no line among them ...
    >>> x[:9] = 3; x[0, :2] = 1; x[1, :3] = 5; x[2, :4] = [1, 2, 4, 5]    # ... but three near lines at 3
    >>> x[3:9, :6] = 4                                                    # and six responses 6 off 3
    >>> from iur_survey.instrument import load_instrument
    >>> inst = load_instrument(); cols = list(inst.item_codes)
    >>> rows, answer, count, answered, n_near, n_sh = near_line_spike(x, cols, inst, 2.0)
    >>> rows[:3].tolist(), n_near[:3].tolist(), n_sh[:3].tolist()                          # ... the shoulder: kept
    ([False, False, False], [3, 3, 3], [6, 6, 6])
    >>> x[4:9] = x[10]                                                    # shoulder 1: a spike
    >>> near_line_spike(x, cols, inst, 2.0)[0][:4].tolist()
    [True, True, True, False]
    >>> near_line_spike(x[:55], cols, inst, 2.0)[0].any()              # too few responses to tell
    np.False_
    """
    count, code = max_identical_index(x) if ident is None else ident
    answered = (~np.isnan(x)).sum(axis=1)
    k = len(cols)
    band = k // KEYED_LINE_ITEMS_PER_SLIP
    off = answered - count
    whole = 4 * answered >= 3 * k
    near = whole & (off >= 1) & (off <= band)
    shoulder = whole & (off > band) & (off <= 2 * band)
    n_near = np.zeros(len(x), dtype=np.int64)
    n_sh = np.zeros(len(x), dtype=np.int64)
    rows = np.zeros(len(x), dtype=bool)
    if spike is None or band < 1 or whole.sum() < mahalanobis_min_n(k) or not near.any():
        return rows, code, count, answered, n_near, n_sh
    keyed = np.zeros(len(x), dtype=bool)
    reverse = np.isin(cols, list(instrument.reverse_items))
    if keyed_ends and reverse.sum() >= KEYED_LINE_MIN_REVERSE:
        end = (code == instrument.scale_min) | (code == instrument.scale_max)
        keyed = end & ((x[:, reverse] == code[:, None]).sum(axis=1) >= KEYED_LINE_MIN_REVERSE)
    for v in np.unique(code[near]):
        for kd in (False, True):
            at = (code == v) & (keyed == kd)
            nn, ns = int((near & at).sum()), int((shoulder & at).sum())
            n_near[at], n_sh[at] = nn, ns
            if nn >= NEAR_SPIKE_MIN_LINES and nn > spike * ns:
                rows |= near & at
    return rows, code, count, answered, n_near, n_sh


def _midpoint_off_text(n_off: int, min_off: int | None = None) -> str:
    if min_off and n_off < min_off:         # spared by midpoint_line's ``popular``
        return (f"; not far beyond: a line of the middle answer with {n_off} answers off it, each on the side the "
                f"item's answers lean to (a midpoint responder's)")
    return (f"; not far beyond: a line of the middle answer with {n_off} answers off it (a midpoint responder's; "
            f"the far cut-off is for lines with fewer)")


def _midpoint_text(n_off: int) -> str:
    return (f"; not far beyond: a line of the middle answer whose {n_off} other answers all lie on one side "
            f"of it, reverse-keyed items turned (a midpoint responder's)")


def longstring(frame: pd.DataFrame, instrument: Instrument, *, min_run: int | None = None,
               far_run: int | None = None, honest_far_alpha: float = 0.001,
               midpoint_consistent: int | None = None, midpoint_off: int | None = 3,
               midpoint_popular: int | None = 2, keyed_lines: bool = True, keyed_agree: bool = False, keyed_far: bool = True,
               near_spike: float | None = 2.0, near_keyed: bool = False, chance_lines: bool = True,
               line_pace: float | None = 0.5, order: list[str] | None = None) -> pd.Series:
    """Flag straight-lining: a run of ``min_run`` or more identical consecutive raw answers.

    The longest string of identical responses (Johnson 2005, *J Res Pers* 39:103-129;
    Meade & Craig 2012; Curran 2016, *J Exp Soc Psychol* 66:4-19; ``careless::longstring``,
    :func:`iur_survey.clean.indices.longstring`) on the raw codes in questionnaire order,
    before reverse scoring (items on scales of their own: on each answer's place on the top-level
    scale, :func:`common_scale`, so "Strongly agree" to a 1-5 and to a 1-7 item continue one run,
    while the middle of a 1-4 item, which has none, breaks it).  Curran (2016) advises cut-offs that catch only extreme
    strings.  Flag: ``min_run = ceil(items / 2)`` (14 of 28: one answer to half the form,
    also a careful first half followed by straight-lining); far beyond the cut-off:
    ``far_run = ceil(3 items / 4)`` (21 of 28).  A midpoint responder's runs of "3" reach
    16 in 1 % of simulated cases and never 21.  With fewer than :data:`STRAIGHT_LINE_MIN_ITEMS` (6) items and
    neither cut-off given, nobody is judged (one answer to two items is no evidence of anything).

    One other answer in the middle breaks a run: 27 answers "4" and one "1" have a longest
    run of 16 or less, and pass an attention check whose instructed answer is 4.  So one
    answer to every item but one (Kim et al. 2019's *maximum identical rating*,
    :func:`iur_survey.clean.indices.max_identical`), with ``far_run`` or more items
    answered, is also far beyond the cut-off, unless more than ``honest_far_alpha`` (.001)
    of honest answers drawn from the sample's answer model do the same (then only one
    answer to all items, a skipped one breaking the run, or nothing).  In ``python -m
    iur_survey.clean.evaluate --generator all`` it changes one figure: the foreign
    generator's acquiescent-and-extreme respondents at N 3000, 2.6 -> 2.9 % excluded (2 of
    1,440 in three seeds, in each of six formats); on another generator's exports, written
    apart from the package, straight-lining but for one to three answers 0.942 -> 0.965, no
    honest respondent more.

    ``midpoint_consistent`` (off by default; :func:`irv` has the same setting): a run, or one
    answer to all items but one, of the scale's *middle* answer, by someone who gives at least
    that many answers off the middle, all on one side once reverse-keyed items are turned
    (:func:`consistent_midpoint`), is flagged but not far beyond: it then counts as the
    invariance group's piece of evidence, beside speed, size or another group.  The idea: a
    midpoint responder's few other answers would follow a trait, a straight line's slips fall
    on either side.
    Measured with 2 (both rules; default -> with it, pooled over seeds 1-3 and N, Wilson 95 %):
    on an outside generator with 26 % midpoint responders among one role's people (midpoint
    strength U(.25, .6), 29 answers, N 459 / 1,515, 5- and 7-point) honest midpoint responders
    excluded 75/1,379 = 5.4 % [4.4, 6.8] -> 44/1,379 = 3.2 % [2.4, 4.3], all honest 1.14 % ->
    0.84 %; but straight lines with two or three one-point slips that pass the attention check
    99/99 -> 93/99 = .939 [.874, .972] (style-free 49/49 -> 48/49), all careless .825 -> .821;
    four other outside generators: honest 70 -> 68, 19 -> 17, 18 = 18, 386 -> 384, careless
    1,968 = 1,968, 816 -> 814, 1,384 = 1,384, 1,303 -> 1,302 (those lost: straight lines at the
    middle with slips on one side); the package's graded-response generator's straight-liners
    1.000 -> .972 (N 800) and -> .962 (N 3000), its simulator's midpoint responders 1.7 -> 0.8 %
    (N 800) and 0.9 -> 0.7 % (N 3000) excluded; real people (``--generator real``) equal.
    The side test hardly separates on the first generator: of the excluded honest midpoint
    responders with 2-4 answers off the middle, 31 have them on one side and 26 on both; of the
    excluded careless lines at the middle with 2-3 slips, 10 and 8 (a midpoint responder's few
    other answers are mostly noise around the middle, not the trait); 17 honest and 84 careless
    have 0-1 answers off the middle, where nothing in the answers tells them apart.  The setting
    keeps honest and careless lines about in the proportion the sample has them; the straight
    lines' recall falls beyond its interval, hence off.  Where a study expects many midpoint
    responders, 2 or 3 (fewer careless lines kept, fewer midpoint responders too: 3 keeps 12 of
    the 75 above and 2 careless, estimated from the ledgers) is the choice to weigh.

    ``midpoint_off`` (default 3; :func:`irv` has the same setting): a run, or one answer to all
    items but one, of the scale's *middle* answer, by someone who answers the middle to at least
    half the items and gives at least that many answers off it, on either side
    (:func:`midpoint_line`), is flagged but not far beyond.  What separates the two on the answers
    is the count of other answers, not their side: on the outside generator above, of the middle
    lines excluded by this rule or :func:`irv` alone that pass the attention check, honest midpoint
    responders : careless lines were 7 : 22 with no other answer, 10 : 3 with one, 32 : 5 with two,
    25 : 3 with three or four (the side test: no gain, above; the off answers' agreement with the
    person's constructs: too few pairs to tell).  A straight line's slips are few, and the far
    cut-offs were set for one to three of them on any answer; a midpoint responder's other answers
    are the ones whose latent response lay far enough from the middle, a count that grows with the
    items.  Measured (default -> ``midpoint_off: 3``, Wilson 95 %, seeds 1-3, N 459 and 1,515, 5- and
    7-point): that generator's midpoint responders 75/1,379 = 5.4 % [4.4, 6.8] -> 50/1,379 = 3.6 %
    [2.8, 4.7] excluded, all honest 1.14 -> 0.90 % (university respondents, 26 % of them midpoint
    responders, 1.58 -> 1.04 % of 3,168; the other roles 0.86-1.03 -> 0.68-0.97 %), careless
    1,064 -> 1,061 of 1,289 (straight lines 192 -> 189: lines at the middle with three slips),
    style-free 1,059 -> 1,058 of 1,289 (straight lines 192 -> 191), honest 8 = 8; another outside generator (8 % midpoint
    responders, x 0.25-0.5; N 459 and 1,515, seeds 1-3, styled and style-free) every figure equal;
    ``python -m iur_survey.clean.evaluate`` (N 800 / 3000, seeds 1-3, csv): midpoint responders
    simulator 1.7 / 0.9 -> 0.8 / 0.7 %, varied 1.7 / 0.9 -> 0.8 / 0.7 %, foreign 0.0 / 0.6 -> 0.0 /
    0.3 %, every careless recall equal (graded-response, style-free and mixed-scale generators: every
    figure equal; an item whose own scale has no middle, 1-4, counts neither way).  A middle line with three or more other answers is still excluded beside
    other evidence (speed, size, likelihood, inconsistency).  ``midpoint_off: null`` restores far
    beyond for every line.

    ``midpoint_popular`` (default 2; :func:`irv` has the same setting): a middle line with at least that many (2)
    answers off the middle, every one on the side of the middle the item's answers lean to in the sample (its
    mean's side), is flagged but not far beyond as well (:func:`midpoint_line`).  The keying does not tell a line
    at the middle from a midpoint responder's; where the other answers fall does: a midpoint responder's few other
    answers are the items whose answers lean far from the middle, a straight line's slips fall either way.  On
    the stored ledgers of four outside generators, the middle lines excluded with exactly two other answers,
    both on the lean side : not, were honest 37 : 13 and careless 1 : 17 (one other answer: honest 21 : 6,
    careless 12 : 13, no separation).  Measured with 2 (default -> setting; every stored export of four outside
    generators, N 300-3,000, seeds 1-3, styled and style-free; ``python -m iur_survey.clean.evaluate --generator
    all --n 800 3000 --formats csv``): midpoint responders excluded outside5 (5-point) 42 -> 23 of 683 (6.1 ->
    3.4 %), (7-point) 8 -> 2 of 696, outside6 31 -> 23 of 779 (its strong ones, strength >= .55, 31 -> 23 of
    389: 8.0 -> 5.9 %), gen3 2 -> 0 of 770; all honest 59 -> 40, 36 -> 30, 58 -> 48, 17 -> 15; every other
    honest figure equal; careless outside5 (5-point) 512 -> 511 of 635, every other outside figure equal; the
    package's graded-response straight-liners 36/36 -> 35/36 (N 800) and 131/131 -> 129/131 (N 3000), all its
    careless .758 -> .754 and .793 -> .791; the simulator's and the varied generator's midpoint responders
    1/120 -> 0 (N 800); a held-out generator written afterwards (bifactor answers, latent-class styles, 4-, 5-
    and 7-point, Qualtrics, 问卷星 and numeric CSV, N 300-3,000, seeds 1-3): honest 248 -> 246 of 36,900 (its
    strong midpoint responders 16 -> 14 of 989), careless 3,543 -> 3,540 of 5,166 styled and 3,543 -> 3,538
    style-free (near-straight lines).  About 37 honest respondents kept for 12 careless lines over the five
    generators: the default since Dec. 2026, because it is what keeps honest midpoint responders within 5 % on
    the generator where they were 6.1 %; ``midpoint_popular: null`` restores the previous rule.

    ``keyed_lines`` (default on): a line against the keying (:func:`keyed_line`: the disagree end to all items
    but one in seven, at least three reverse-keyed items among them) whose slips break every run of
    ``min_run`` is flagged too: it is the invariance group's piece of evidence, and
    :func:`mahalanobis`'s D² of such a line is not marked as a style's (figures there).  ``keyed_agree``
    (off) does the same at the agree end, where honest acquiescent-and-extreme respondents give such lines.
    ``keyed_far`` (default on): such a line is far beyond the cut-off, whatever its runs.  Beside the flag, the
    D² was to complete the evidence, but in a large sample with many extreme responders the D² of a line of
    ones is often inside its cut-off: the package's varied generator (disagree-end lines with 1-4 slips, 1 %, and
    honest disacquiescent respondents, 4 %, strength 0.3-0.9 SD) caught those lines at 22 / 24 and 68 / 90 (N 800 /
    3000, seeds 1-3, csv).  Measured (Dec. 2026; off -> on): that generator 22 -> 24 of 24 and 68 -> 90 of 90,
    its disacquiescent respondents 0 of 96 and 0 of 360 excluded either way, every honest figure equal; a held-out
    outside generator (bifactor answers, latent-class styles among them a disacquiescent class of 1,184, 4-, 5- and
    7-point; 54 exports, 36,900 honest respondents in each of its styled and style-free sets) careless 3,814 -> 3,820
    of 5,166 (near-straight lines 467 -> 473 of 564) and 3,833 -> 3,834, honest 207 = 207 and 224 = 224; four more
    outside generators (outside4, outside5 5- and 7-point, outside6, gen3; styled and style-free, 74,828 honest
    respondents) every figure equal.  ``keyed_far: false`` leaves such a line a flag.

    ``near_spike`` (default 2): a near line, one answer to every answered item but one to one in seven (1-4 of
    28), is far beyond the cut-off wherever the sample's near lines at that answer, two or more, outnumber its
    *shoulder*, the responses with one to two in seven answers off it (5-8 of 28), more than twice
    (:func:`near_line_spike`), unless more than ``honest_far_alpha`` of honest answers drawn from the sample's
    answer model give near lines at that answer (a ceiling, as for one other answer above).  Before, a line that two to four slips broke (its runs under ``far_run``) was far
    beyond only at the disagree end held on reverse-keyed items, or with a single other answer; at the middle
    never with three or more (``midpoint_off``).  A response style that draws answers to one place on the scale
    fills the shoulder too (its weaker holders), so near lines at an answer a style explains are judged as
    before; careless lines are a spike with no shoulder.  On the 18 exports of an outside generator (outside6, N
    300-3,000, seeds 1-3; careless lines with 1-4 slips to any other answer) the honest near lines at an answer
    were at most 1.1 times its honest shoulder; at an answer no style explains, the near lines (careless) were
    2-14 times the shoulder.  What had bound its style-free exports' recall: no honest response there is a near
    line at the middle, 2 or 4, yet the midpoint exemptions kept such lines at the middle and nothing made those
    at 2 or 4 far.  Measured (Dec. 2026, off -> 2; the four outside generators of the harness, styled and
    style-free, 74,828 honest respondents; a fifth, outside7, 54 exports of 4-, 5- and 7-point scales; ``python
    -m iur_survey.clean.evaluate --generator all --n 800 3000 --formats csv``): outside6 straight lines with 1-4
    slips passing the attention check 52 -> 58 of 82 (.634 -> .707) styled and 37 -> 52 of 64 (.578 -> .813)
    style-free, all careless 1,207 -> 1,214 and 1,210 -> 1,224 of 1,476, honest 52 = 52 and 11 -> 10 of 10,824;
    outside4, outside5 (5- and 7-point), gen3 every figure equal; outside7 near-straight lines passing 273 -> 297
    of 364 (.750 -> .816) styled and 299 -> 343 of 382 (.783 -> .898) style-free, all careless 3,820 -> 3,844
    and 3,834 -> 3,881 of 5,166, honest 207 -> 208 and 224 -> 223 of 36,900 (two honest near lines taken beside
    careless ones: an extreme responder's 26 of 30 "7" on a 7-point scale where no response has 5-8 answers off
    "7", and style-free a 24 of 28 "2" on a 4-point scale among seven near lines at 2, where two others were
    kept as the reference sample moved); the package's own generators every figure equal but the graded-response
    generator's speeders at N 3,000, 158 -> 160 of 171 (all its careless .794 -> .797).  The cost: an honest
    near line at an answer where careless lines outnumber the shoulder goes with them.  ``near_spike: null``
    restores the previous rule.

    ``near_keyed`` (off): at an end of the scale, near lines held on at least three reverse-keyed items (against
    the keying) are counted apart from those that are not, each against its own shoulder: a high trait gives
    agree-end near lines that disagree with the reverse-keyed items, and these filled the shoulder of careless
    agree-end lines.  Measured (off -> on, before the two-line and sample-size guards): outside6 style-free lines
    with 1-4 slips passing 53 -> 59 of 64 (.828 -> .922), all careless 1,225 -> 1,231; outside7 near-straight
    lines passing 297 -> 317 of 364 and 345 -> 354 of 382, honest 208 -> 209 and 223 -> 224 (extreme responders
    22 -> 23 of 3,929); but outside5 (5-point, styled) honest 40 -> 41 of 5,287 (an extreme responder's
    agree-end line held on the reversed items, no other line of its kind in that export) and careless 512 -> 511
    (a random tail, as the reference sample moved): the keyed strata are small, so a lone honest line in one is
    taken; off.

    ``chance_lines`` (default on): a run of ``far_run`` or more, or one answer to all items but one, is far beyond
    only where at most ``honest_far_alpha`` (.001) of honest answers drawn from the sample's answer model (its
    items' answer shares and correlations, no response style; to the items the person answered) give a line of
    that answer with at most as many other answers (:func:`_honest_lines`).  Where more do, it is flagged, the
    invariance group's piece of evidence beside speed, size and the others, and its detail gives the share.
    Curran (2016) and Meade & Craig (2012) warn that longstring cut-offs depend on the scale: on a form without
    reverse-keyed items where most people answer most items at one end ("never", "not rude"), a line of that
    answer is an honest answer.  On a form with reverse-keyed items the model's honest answers seldom hold one
    answer across them, and a line of an answer the sample seldom gives to those items stays far beyond.
    Measured (Dec. 2026, off -> on; the real public exports of ``real44``, careless exclusions): FiveThirtyEight's
    flying etiquette survey (8 items, 3 points, none reverse-keyed, 59 % of answers "not rude") 139 -> 9 of 850
    completed: its 126 lines of "not rude" with 0-2 other answers are 2.6-35 % of the model's honest answers (the
    9: lines of "somewhat" or "very rude", 0.005 %, and a random tail); Nichols & Nicki's Internet Addiction
    Scale (36 items, 66 % "never") 30 -> 2 of 207 (lines of "never", 1.5-34 %); star wars 110 -> 32 (lines of
    "very favourably" kept, 0.7-15 %; lines of the neutral answer and of "somewhat favourably", at most 0.03 %,
    still excluded); food 42 -> 21; Google Forms 11 -> 2; SoSci experiments 13 -> 9, 19 -> 11, 20 -> 17, 21 ->
    18 (lines of 7 with one or two other answers kept, 0.15-0.5 %; whole lines of 7, 0.04-0.1 %, and lines of
    the middle answer, 0.000 %, still excluded); the Big Five (7 of 25 items reverse-keyed), SAQ and LimeSurvey
    exports every figure equal.  Two outside generators (outside9, 32,300 responses, and outside10, 34,000; the
    package's items, reverse-keyed ones among them) and ``python -m iur_survey.clean.evaluate --generator all
    --n 800 3000 --formats csv``: every figure equal (outside9's straight lines at the agree end 646 of 646,
    lines passing the attention check 259 of 259, patterns 162 of 162).  Without a model (fewer complete
    responses than twice the items) a line stays far beyond.  The cost: careless lines of the answer nearly
    everyone gives, on a form without reverse-keyed items, are excluded only beside other evidence (speed,
    size, likelihood, inconsistency); the answers alone do not tell them from honest ones.  ``chance_lines:
    false`` restores the previous rule.

    ``line_pace`` (default 0.5): where the export records durations, a line that would be far beyond (a run of
    ``far_run``, one answer to all items but one; not a line against the keying, a spike of near lines or a line the
    items' own answers give, judged above) is flagged, not far beyond, when the person took at least ``line_pace`` x
    the median duration (:func:`ordinary_pace`; the median of :func:`speeder`), unless its answer is not the scale's
    middle and is held on at least three reverse-keyed and three forward items (:func:`against_keying`: agreeing, or
    disagreeing, with statements and their reversals alike).  Half the median is Leiner's (2019, *Survey Research
    Methods* 13:229-248) relative speed index of 2, his cut-off for responses too fast to be read.  A line
    consistent with the keying, given at a reading pace, is one piece of evidence (invariance): a neutral respondent
    answers the middle to every statement and its reversal, and Krosnick's (1991) non-differentiation is satisficing
    that need not be fast; the answers and the time do not tell the two apart, so the line is excluded beside speed,
    size, likelihood or inconsistency, and kept flagged (in the sensitivity analysis) otherwise.  A line given fast,
    against the keying, or without any duration stays far beyond.  Measured (Dec. 2026, off -> 0.5; five outside
    generators written apart from the package and ``python -m iur_survey.clean.evaluate --generator all --n 800 3000
    --formats csv``): outside13, written beside the rule by someone who had read no screening code, measured once
    the rule was fixed (25,000 rows, six layouts, lines 55 % fast and 45 % at an ordinary pace), honest 0.64 -> 0.48 %,
    its strong midpoint responders 32 -> 2 of 423 (7.6 -> 0.5 %), careless recall .811 -> .799 (middle lines
    1.000 -> .875, with slips .879 -> .806: 34 careless kept for 34 honest); outside11 (33,000 rows, Qualtrics, 问卷星,
    SPSS, European and R exports) honest midpoint responders excluded 199 -> 7 of 1,487 (13.4 -> 0.5 %), all honest
    694 -> 501 of 28,289 (2.45 -> 1.77 %), careless recall .502 -> .500 (straight lines 275 -> 270 of 275);
    outside12 (analysts' own instruments, none reverse-keyed; 23,000 rows) all honest 225 -> 41 of 19,714 (1.14 ->
    0.21 %; enthusiasts 5.3 -> 0, midpoint 6.5 -> 0.2, narrow 5.1 -> 0.4 %), careless recall .756 -> .715 (straight
    lines .950 -> .804, lines at the most common answer .928 -> .777: given at an ordinary pace); outside9 honest
    550 -> 529 of 27,379 (its midpoint responders' lines of "agree" across reverse-keyed items stay far), careless
    .608 -> .606; outside10 honest 0.79 -> 0.75 %, careless .398 -> .394; the package's simulator, style-free
    simulator and real people every straight-liner still excluded, the graded-response generator's .972 / .985 ->
    .944 / .939 (N 800 / 3000), the foreign generator's (lines at any answer, at an ordinary pace) 1.000 -> .706 /
    .838 (its lines of the middle answer), the varied simulator's 1.000 -> .979 / .994; honest figures of those
    generators equal or lower. On the 54 real export cases of ``real45`` only the six SoSci experiment cases change
    (ratings on a 1-7 scale, none reverse-keyed, durations recorded): careless exclusions 9 -> 1, 11 -> 3, 17-18 ->
    4-5 (three files of one experiment), 11 -> 8 (lines of 7 and of the middle 4 given in 0.5-1.3 x the median
    time). The cost: careless lines given at a reading pace that agree with the keying are excluded only beside
    other evidence.  ``line_pace: null`` restores the previous rule.

    >>> from iur_survey.instrument import load_instrument
    >>> df = pd.DataFrame({"GOV1": [3.0, 4], "GOV2": [3.0, 4], "GOV3": [3.0, 2], "GOV4": [3.0, 5]})
    >>> longstring(df, load_instrument(), min_run=3, far_run=5).tolist()
    ['longest run 4 x code 3 from GOV1 (>= 3)', <NA>]
    >>> df = pd.DataFrame({"GOV1": [4.0], "GOV2": [4.0], "GOV3": [1.0], "GOV4": [4.0], "MKT1": [4.0]})
    >>> longstring(df, load_instrument(), min_run=3, far_run=4).tolist()
    ['4 of 5 answers are 4 [far beyond the cut-off]']
    >>> longstring(df, load_instrument()).attrs
    {'not_evaluated': '5 items < 6 (set longstring_min_run to judge runs on fewer)'}
    """
    cols = _asked_order(frame, instrument, order)
    if not cols:
        return _none(frame)
    if min_run is None and far_run is None and len(cols) < STRAIGHT_LINE_MIN_ITEMS:
        return _not_judged(frame, f"{len(cols)} items < {STRAIGHT_LINE_MIN_ITEMS} (set longstring_min_run to judge "
                                  f"runs on fewer)")
    cut = _default_min_run(len(cols)) if min_run is None else int(min_run)
    far = _default_far_run(len(cols)) if far_run is None else int(far_run)
    raw = _matrix(frame, cols)
    x = common_scale(raw, cols, instrument)          # mixed scales: a run is one place on each item's scale
    best, val, start = longest_run(x)
    ident = max_identical_index(x)
    near = _all_but_one(frame, instrument, cols, x, best, cut, far, honest_far_alpha, ident)
    hit = (best >= cut) | near[0]
    if keyed_lines:                                 # a line against the keying whose slips break every run
        line, l_code, l_count, l_answered, l_rev = keyed_line(x, cols, instrument, keyed_agree, ident)
        keyed = line & keyed_far                    # every keyed line far beyond, whatever its runs
        line &= ~hit
        hit |= line | keyed
    else:
        line = keyed = np.zeros(len(x), dtype=bool)
    calm, n_off = consistent_midpoint(x, cols, instrument, midpoint_consistent)
    loose, n_other = midpoint_line(x, cols, instrument, midpoint_off, midpoint_popular)
    spiked, _, s_count, s_answered, s_near, s_sh = near_line_spike(x, cols, instrument, near_spike, ident, near_keyed)
    if spiked.any():                                # not where honest answers give such lines by chance (a ceiling)
        spiked &= ~_near_by_chance(frame, instrument, cols, ident[1], spiked, honest_far_alpha)
    if spiked.any() and midpoint_off and midpoint_popular:     # a middle line whose other answers all lean with
        lean = midpoint_line(x, cols, instrument, len(cols) + 1, midpoint_popular)[0]    # the items stays a midpoint
        spiked &= ~lean                                                                  # responder's
    hit |= spiked
    share = np.full(len(x), np.nan)                 # lines the items' own answers give: flagged, not far
    cand = hit & ((best >= far) | near[0]) & ~keyed & ~spiked & ~calm & ~loose
    off = (~np.isnan(x)).sum(axis=1) - ident[0]
    if chance_lines and cand.any():
        got = _honest_lines(frame, instrument, cols, x, cand, ident=ident)
        share = share if got is None else got
    chance = share > honest_far_alpha
    paced = paced_lines(frame, instrument, cols, x, cand & ~chance, line_pace, ident)
    dur, med = durations(frame) if paced.any() else (None, None)     # read once, not per line
    texts = []
    same = " (the same place on each item's scale)" if x is not raw else ""
    for i in np.flatnonzero(hit):
        if x is not raw:                             # the code as answered to the run's first item
            val[i] = raw[i, start[i]] if best[i] >= 1 else val[i]
        parts = ([f"longest run {best[i]} x code {_detail_number(val[i])}{same} from {cols[start[i]]} (>= {cut})"]
                 if best[i] >= cut else [])
        if near[0][i]:
            parts.append(f"{near[1][i]} of {near[2][i]} answers are {_detail_number(near[3][i])}")
        if line[i] or keyed[i]:
            kt = (f"{l_count[i]} of {l_answered[i]} answers are {_detail_number(l_code[i])}, the "
                  f"{'disagree' if l_code[i] == instrument.scale_min else 'agree'} end, "
                  f"{l_rev[i]} reverse-keyed items among them (a line against the keying)")
            texts.append(_far("; ".join(parts + [kt])) if keyed[i] else kt)
            continue
        if spiked[i] and not near[0][i]:
            band = len(cols) // KEYED_LINE_ITEMS_PER_SLIP
            parts.append(f"{s_count[i]} of {s_answered[i]} answers are {_detail_number(ident[1][i])}: "
                         f"{s_near[i]} such near lines in the sample against {s_sh[i]} "
                         f"{'response' if s_sh[i] == 1 else 'responses'} with {band + 1}-{2 * band} answers off "
                         f"that answer (a spike of lines, not a response style's continuum)")
            texts.append(_far("; ".join(parts)))
            continue
        t = "; ".join(parts)
        if (best[i] >= far or near[0][i]) and calm[i]:
            texts.append(t + _midpoint_text(n_off[i]))
            continue
        if (best[i] >= far or near[0][i]) and loose[i]:
            texts.append(t + _midpoint_off_text(n_other[i], midpoint_off))
            continue
        if chance[i]:
            texts.append(t + _honest_line_text(share[i], ident[1][i], off[i]))
            continue
        if paced[i]:
            texts.append(t + _pace_text(dur[i], med, line_pace))
            continue
        texts.append(_far(t) if best[i] >= far or near[0][i] else t)
    return _details(frame, hit, texts)


def _near_by_chance(frame: pd.DataFrame, instrument: Instrument, cols: list[str], code: np.ndarray,
                    rows: np.ndarray, alpha: float) -> np.ndarray:
    """Of ``rows`` (near lines, :func:`near_line_spike`; ``code`` their answers), those whose answer gives near
    lines in more than ``alpha`` of honest answers drawn from the sample's answer model (as :func:`_all_but_one`
    asks): where nearly everybody answers "5" to every item, one answer to all items but a few is chance, not a
    spike.  Without a model (too few complete responses) every row is."""
    honest = _draws_as_answers(_model_draws(frame, instrument, cols, np.ones(len(frame), dtype=bool)), cols,
                               instrument)
    if honest is None:
        return rows.copy()
    count, h_code = max_identical_index(honest)
    if not getattr(instrument, "mixed_scales", False):
        h_code = h_code + instrument.scale_min              # the draws' 0-based codes on the scale
    near = len(cols) - count <= len(cols) // KEYED_LINE_ITEMS_PER_SLIP
    out = np.zeros(len(rows), dtype=bool)
    for v in np.unique(code[rows]):
        if np.mean(near & np.isclose(h_code, v)) > alpha:
            out |= rows & (code == v)
    return out


def _honest_lines(frame: pd.DataFrame, instrument: Instrument, cols: list[str], x: np.ndarray, rows: np.ndarray,
                  sd: bool = False, ident: tuple[np.ndarray, np.ndarray] | None = None,
                  spread: np.ndarray | None = None) -> np.ndarray | None:
    """Per row of ``rows`` (lines in ``x``, the answers on the top-level scale), the share of honest answers drawn
    from the sample's answer model (fitted on every row, as in :func:`_all_but_one`) to the same items as the row
    answered whose most frequent answer is the row's and whose count of other answers (with ``sd``: SD) is at most
    the row's: how often the items' own answer shares and correlations give such a line (``NaN`` off ``rows``).  On
    a form with reverse-keyed items honest answers seldom hold one answer across them; on a form where most people
    answer most items at the floor they often do.  None without a model (fewer complete responses than
    :func:`mahalanobis_min_n`).  ``ident`` (:func:`~iur_survey.clean.indices.max_identical` of ``x``) and, with
    ``sd``, ``spread`` (:func:`~iur_survey.clean.indices.irv` of ``x``): when the caller has them.

    >>> from iur_survey.instrument import load_instrument
    >>> inst = load_instrument(); cols = list(inst.item_codes)
    >>> x = np.where(np.random.default_rng(1).random((300, 28)) < 0.9, 1.0, 2.0)     # nine answers in ten at 1
    >>> x[0], x[1] = 1.0, 3.0                                                          # two lines
    >>> share = _honest_lines(pd.DataFrame(x, columns=cols), inst, cols, x, np.arange(300) < 2)
    >>> (share[:2] > 0.001).tolist(), bool(np.isnan(share[2]))     # the items' own line at 1; none at 3
    ([True, False], True)
    """
    honest = _draws_as_answers(_model_draws(frame, instrument, cols, np.ones(len(frame), dtype=bool)), cols,
                               instrument)
    if honest is None:
        return None
    if not getattr(instrument, "mixed_scales", False):
        honest = honest + instrument.scale_min              # the draws' 0-based codes on the scale
    answered = ~np.isnan(x)
    count, code = max_identical_index(x) if ident is None else ident
    if not sd:
        spread = (answered.sum(axis=1) - count).astype(float)
    elif spread is None:
        spread = irv_index(x)
    share = np.full(len(rows), np.nan)
    idx = np.flatnonzero(rows)
    masks, which = np.unique(answered[idx], axis=0, return_inverse=True)
    for m, mask in enumerate(masks):                     # the draws' answers to the items the row answered
        h = honest[:, mask]
        h_count, h_code = max_identical_index(h)
        h_spread = irv_index(h) if sd else (mask.sum() - h_count).astype(float)
        these = idx[which.ravel() == m]
        for v in np.unique(code[these]):
            at = np.sort(h_spread[np.isclose(h_code, v)])
            i = these[np.isclose(code[these], v)]
            share[i] = np.searchsorted(at, spread[i] + 1e-9, side="right") / len(h)
    return share


def _honest_line_text(share: float, code: float, spread: float, sd: bool = False) -> str:
    """The detail of a line the sample's answer model gives (:func:`_honest_lines`): flagged, not far beyond."""
    what = f"an SD of at most {spread:.2f}" if sd else f"at most {int(spread)} other {'answer' if spread == 1 else 'answers'}"
    return (f"; not far beyond: {_detail_number(round(100 * share, 2))}% of honest answers drawn from the sample's "
            f"answer model give a line of {_detail_number(code)} with {what} (the items' own answers give it)")


def _all_but_one(frame: pd.DataFrame, instrument: Instrument, cols: list[str], x: np.ndarray, best: np.ndarray,
                 cut: int, far: int, alpha: float, ident: tuple[np.ndarray, np.ndarray] | None = None
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Rows that give one answer to all their items but at most one (:func:`~iur_survey.clean.indices.max_identical`),
    having answered at least ``far`` items, where the longest run is below ``far``: a straight line that one other
    answer, or a skipped item, breaks.  Allowed only where at most ``alpha`` of honest answers drawn from the
    sample's answer model (fitted on every row: the straight lines in it only make the rule more cautious) do the
    same; the draws decide whether one other answer is allowed, or none.  The model is fitted (once per
    frame) only when some row is a candidate.  ``ident``: :func:`~iur_survey.clean.indices.max_identical` of ``x``,
    when the caller has it.  Returns ``(near, count, answered, code)``."""
    count, code = max_identical_index(x) if ident is None else ident
    answered = (~np.isnan(x)).sum(axis=1)
    near = (answered >= far) & (count >= answered - 1) & (best < far)
    if near.any():
        honest = _draws_as_answers(_model_draws(frame, instrument, cols, np.ones(len(x), dtype=bool)), cols,
                                   instrument)
        k = len(cols)
        allowed = 1 if honest is None else k - _rarer_than(max_identical_index(honest)[0], k - 1, alpha)
        near &= count >= answered - allowed if allowed >= 0 else False
    return near, count, answered, code


def longpattern(frame: pd.DataFrame, instrument: Instrument, *, min_run: int | None = None,
                far_run: int | None = None, max_period: int | None = None, honest_alpha: float = 0.01,
                honest_far_alpha: float = 0.001, own_order: bool = True, cycle_period: int = 3,
                cycle_share: float = 0.7, order: list[str] | None = None) -> pd.Series:
    """Flag patterned responding: a long stretch that repeats itself every 2 to ``max_period`` answers.

    Longstring generalised to periodic strings (zig-zag 1-2-3-4-5-4-3-2-..., period 8 on
    a 5-point scale, ``2 (max - min)`` on any; diagonal 1-2-3-4-5-1-..., period 5;
    repeated short sequences 2-4-2-4 ...; ``max_period`` default: 8, or the scale's
    zig-zag period if longer, e.g. 10 on a 6-point scale): for each
    period ``L`` the longest stretch of raw answers with ``x[j] == x[j - L]``, plus ``L``
    (:func:`iur_survey.clean.indices.longpattern`; patterned responding: Curran 2016,
    Dunn et al. 2018).  Straight-lining (period 1) is :func:`longstring`'s.  Flag from
    half the items (14 of 28), far beyond from four sevenths (16 of 28: a careless respondent
    who answers an attention check inside the questionnaire as told, then goes on, breaks the
    pattern into two stretches of about 16 and 12).  The answers are also read with the
    attention checks in their places on the screen (``order``, the reader's ``screen_order``),
    the longer stretch kept: a pattern clicked straight through a check that its phase
    happens to answer right was read out of step without it (a plain export, 12 zig-zags
    through the check: 6-7 flagged, 11-12 kept; with it 12 flagged, none kept; the honest
    draws below are read both ways too, the check answered as told).
    Honest respondents repeat an answer ``L`` items back by chance only; a stretch made
    mostly (over 60 %) of one answer is not a pattern (near-straight-lining, what a
    consistent extreme or acquiescent respondent can produce).  On a short form chance is
    not rare: with constructs of equal length whose reversed items sit at the same place,
    a consistent honest respondent's answers repeat every construct (4-4-2, 4-4-2, ...:
    3 % of honest answers drawn on 3 constructs x 3 items reach the far cut-off of 6 of
    9).  So the default cut-offs are also at least the lengths that no more than
    ``honest_alpha`` (flag, .01) and ``honest_far_alpha`` (far beyond, .001) of 20,000
    honest answers drawn from the sample's own answer model reach (item thresholds and
    Gaussian copula, :func:`~iur_survey.clean.indices.answer_model`, fitted on the rows
    below the flag cut-off); on the study's 28 items those lengths are 12-14, below the
    defaults, which stand.  Explicit ``min_run`` and ``far_run`` are used as given.

    ``own_order``: with the default far cut-off, a string is far beyond it only if the row's
    order is also rare, at ``honest_far_alpha``, given the person's *own* answers
    (:func:`~iur_survey.clean.indices.longpattern_own_p`: a permutation test, as the runs test
    is, Wald & Wolfowitz 1940, of how often the answers agree with the one ``L`` items back over
    the whole row, at the most unusual period; the answers to reverse-keyed items permuted among
    those items, an attention check in its place).  Both nulls must be rejected (an
    intersection-union test, Berger 1982, *Technometrics* 24:295-300).  The sample's answer
    model is style-free: an honest respondent who gives mostly 4 and 5 repeats an arbitrary
    8-answer motif once (16 answers, only 8 coincidences) more often than it says, and
    consistent honest answers repeat at the spacing of the reverse-keyed items (7 to 9 apart
    here).  On an outside generator with IR-tree styles (N 800 / 3000, seeds 1-3, 10,032 honest
    respondents each styled and style-free) this alone had excluded 10 styled (acquiescent 3 of
    796) and 8 style-free honest respondents, with it none, its pattern recall unchanged (111 of
    114, 137 of 140; after a careful start 31 of 54, 42 of 56 against 43); on a second outside
    generator 5 and 6 honest respondents, with it none, recall unchanged; the package's
    generators' pattern recall unchanged (``python -m iur_survey.clean.evaluate --generator all
    --n 800 3000 --formats csv``).  A pattern that an answered attention check breaks in two
    (16 and 12 answers) agrees with itself almost everywhere and stays far beyond.  A string
    that is not is still flagged (the invariance group, counted beside another), and its
    detail says why.  ``own_order=False``: the model's null alone, as before.

    A string whose every answer follows one ``L`` items back on an item of the same construct and keying
    (:func:`_construct_cycle`: a questionnaire that asks its constructs in turn, every ``L`` items) is flagged,
    never far beyond: a respondent who gives each construct one answer repeats at that period.  On the
    Open-Psychometrics GCBS data (2,495 people, five facets of three items asked in turn; session 32) five people
    were excluded on such a string alone (e.g. 3-4-1-4-4 three times; none claimed a fake word in the vocabulary
    check, 10 to 13 real words known, 53 to 176 s against a median of 104); the six held-out simulated measures
    (blocked questionnaires) are unchanged.

    Short cycles (``cycle_period``, 3: periods 2 and 3) are read in two ways more.  Read on the
    screen, an attention check answered as told agrees with the answers a cycle puts around it
    (its answer is the instruction's): a seesaw 3-4-3-4 whose phase gives "3" where the check asks
    for "4" was broken into 12 and 16 answers, at or just below the far cut-off (16, 17 where the
    honest draws raise it), and now runs through all 29.  And a 3-answer cycle may hold one answer
    twice (3-5-5, 4-4-5: two thirds one answer, ``cycle_share`` 0.7 for these periods; longer
    motifs keep the 0.6 above, since an honest respondent's 8 answers repeat with five of one
    answer by chance).  The honest draws are read the same way, so the cut-offs stay at the .01
    and .001 honest rates, and the person's-own-order test still guards far beyond.  A whole-form
    cycle of a careful-looking mix of two or three answers is then far beyond.  Only periods 2 and
    3: with the check agreeing at every period, honest answers repeated 14-16 long at periods 6-8
    through the check (two free agreements in 14) and with two thirds one answer, and joined a
    size flag: honest 70 -> 73 of 21,240 on one outside generator and 20 -> 22 of 10,824 on
    another, two of each by such a string.  Measured, before (``cycle_period: 1``, the
    previous reading) -> after, pooled over seeds 1-3 and N, Wilson 95 %:

    * outside generator 1 (29 answers, 2-3-answer cycles over the form, 55 % passing the check;
      N 459 / 1,515, 5- and 7-point): cycles passing the check 40/63 = .635 [.511, .743] ->
      63/63 = 1.00 [.943, 1.00] (styled), 16/28 -> 28/28 (style-free); all careless .809 ->
      .825 and .792 -> .813; honest 119 -> 120 of 10,555 (one extreme responder through the
      reference sample: its distance p .0012 -> .0011), style-free 5 -> 5 of 5,287; no style's
      rate up beyond one respondent;
    * three other outside generators (N 300-3,000, 35,000 honest, styled and style-free): pattern
      responders +5, every honest style's count equal or lower (70 = 70, 74 -> 73, 20 -> 19, 18 =
      18), a fourth (strength-graded styles) every figure equal;
    * real people (``python -m iur_survey.clean.evaluate --generator real --n 800 3000 --formats
      csv``): pattern .972 -> 1.000 (N 800), .980 -> .986 (N 3000), honest rates equal to three
      decimals (0.4 %, 0.5 %); the package's generators (``--generator all``): graded-response
      pattern .961 -> .987 (N 3000), every other figure of the simulator, style-free, foreign,
      varied and mixed-scale (``--generator mixed``) generators equal.

    >>> from iur_survey.instrument import load_instrument
    >>> cols = ["GOV1", "GOV2", "GOV3", "GOV4", "MKT1", "MKT2", "MKT3", "MKT4"]
    >>> df = pd.DataFrame([[1, 2, 3, 4, 1, 2, 3, 4], [4, 4, 2, 5, 4, 3, 4, 4]], columns=cols, dtype=float)
    >>> longpattern(df, load_instrument(), own_order=False).tolist()
    ['periodic string of 8 answers (period 4: 1-2-3-4) from GOV1 (>= 4) [far beyond the cut-off]', <NA>]

    On 8 items the person's own 1, 2, 3, 4 twice agree 4 items back everywhere in about 1 % of
    orders (GOV3, reverse-keyed, keeps its 3), so the string is flagged, not far beyond:

    >>> longpattern(df, load_instrument()).tolist()[0]
    "periodic string of 8 answers (period 4: 1-2-3-4) from GOV1 (>= 4); not far beyond: the person's own answers in a random order repeat themselves as often in 0.0084 of orders (> 0.001)"

    ``order``: the item codes in the order the export asked them (the reader's ``screen_order``,
    attention checks included, or ``item_order``);
    a diagonal down a screen that alternates the two blocks is no pattern in codebook order:

    >>> asked = ["GOV1", "MKT1", "GOV2", "MKT2", "GOV3", "MKT3", "GOV4", "MKT4"]
    >>> df = pd.DataFrame([[1, 3, 1, 3, 2, 4, 2, 4]], columns=cols, dtype=float)
    >>> longpattern(df, load_instrument(), min_run=6, far_run=8).tolist()
    [<NA>]
    >>> longpattern(df, load_instrument(), min_run=6, far_run=8, order=asked).tolist()
    ['periodic string of 8 answers (period 4: 1-2-3-4) from GOV1 (>= 6) [far beyond the cut-off]']
    """
    cols = _asked_order(frame, instrument, order)
    if not cols:
        return _none(frame)
    cut = _default_min_run(len(cols)) if min_run is None else int(min_run)
    far = _default_far_pattern(len(cols)) if far_run is None else int(far_run)
    if max_period is None:
        lo, hi = instrument.bounds(cols)
        max_period = max(8, 2 * int(np.max(hi - lo)))
    x = common_scale(_matrix(frame, cols), cols, instrument)
    cyc = {"cycle_period": cycle_period, "cycle_share": cycle_share}     # short cycles (period 2 to 3), below
    length, period, start = longpattern_index(x, max_period, min_length=cut, **cyc)
    screen = _screen_columns(frame, instrument, order, cols)
    wild = np.array([c not in cols for c in screen]) if screen else None
    if screen:                              # the same, the attention checks read in their places: the longer
        xs = common_scale(_matrix(frame, screen), screen, instrument)
        ls, ps, ss = longpattern_index(xs, max_period, min_length=cut, agrees=wild, **cyc)
        through = ls > length
        length, period, start = np.where(through, ls, length), np.where(through, ps, period), np.where(through, ss, start)
    raised = ""
    if min_run is None or far_run is None:
        # no longer than honest answers drawn from the sample's own answer model reach by chance
        honest = _draws_as_answers(_model_draws(frame, instrument, cols, length < cut), cols, instrument)
        if honest is not None:
            chance = longpattern_index(honest, max_period, min_length=min(cut, far), **cyc)[0]
            if screen:                      # honest answers with the instructed answer to each check
                told = ({c: common_scale(np.array([float(instrument.attention_checks[c])]), [c], instrument)[0]
                         for c in screen if c not in cols} if getattr(instrument, "mixed_scales", False) else
                        {c: instrument.attention_checks[c] - instrument.scale_min for c in screen if c not in cols})
                at = {c: k for k, c in enumerate(cols)}
                drawn = np.column_stack([np.full(len(honest), float(told[c])) if c in told else honest[:, at[c]]
                                         for c in screen])
                chance = np.maximum(chance, longpattern_index(drawn, max_period, min_length=min(cut, far),
                                                              agrees=wild, **cyc)[0])
            if min_run is None:
                new = _rarer_than(chance, cut, honest_alpha)
                raised, cut = (f"; {cut} or longer in over {_detail_number(honest_alpha)} of honest answers drawn "
                               f"from the sample's answer model" if new > cut else ""), new
            if far_run is None:
                far = _rarer_than(chance, far, honest_far_alpha)
            far = max(far, cut)
    hit = length >= cut
    own = np.full(len(length), np.nan)
    if own_order and far_run is None:       # far beyond only if rare in the person's own answers too
        cand = length >= far
        on_screen = cand & through if screen else np.zeros_like(cand)
        reverse = set(instrument.reverse_items)
        for rows, on, xi in ((cand & ~on_screen, cols, x),) + (((on_screen, screen, xs),) if screen else ()):
            if rows.any():                  # permuted among items of the same keying; a check keeps its place
                keying = ["reverse" if c in reverse else "forward" if c in cols else c for c in on]
                own[rows] = longpattern_own_p(xi[rows], max_period, strata=keying)
    texts = []
    for i, b, per, st in zip(np.flatnonzero(hit), length[hit], period[hit], start[hit]):
        on, xi = (screen, xs) if screen and through[i] else (cols, x)
        motif = "-".join(code_text(xi[i, st:st + per]))
        passed = [c for c in on[st:st + b] if c not in cols]       # the attention checks inside the stretch
        t = (f"periodic string of {b} answers (period {per}: {motif}) from {on[st]}"
             f"{' through the attention check ' + ', '.join(passed) if passed else ''} (>= {cut}{raised})")
        cycle = b >= far and _construct_cycle(on[st:st + b], per, instrument)
        if cycle:
            t += (f"; not far beyond: each answer follows the one {per} items back on the same construct (the "
                  f"questionnaire asks its constructs in turn): consistent answers to each construct repeat so")
        elif b >= far and own[i] > honest_far_alpha:
            t += (f"; not far beyond: the person's own answers in a random order repeat themselves as often in "
                  f"{own[i]:.2g} of orders (> {_detail_number(honest_far_alpha)})")
        texts.append(_far(t) if b >= far and not cycle and not own[i] > honest_far_alpha else t)
    return _details(frame, hit, texts)


def _construct_cycle(stretch: list[str], period: int, instrument: Instrument) -> bool:
    """Whether every answer of ``stretch`` (item codes as asked) follows one ``period`` items back on an item of the
    same construct and keying: a questionnaire that asks its constructs in turn (GCBS: five facets, Q1 government,
    Q2 global, ..., Q6 government again) repeats a consistent respondent's answers at that period.  An attention
    check (no construct) breaks the cycle.

    >>> from iur_survey.instrument import load_instrument
    >>> inst = load_instrument()
    >>> _construct_cycle(["GOV1", "MKT1", "GOV2", "MKT2", "GOV4", "MKT3"], 2, inst)
    True
    >>> _construct_cycle(["GOV1", "GOV2", "GOV3", "GOV4", "MKT1", "MKT2"], 2, inst)   # GOV3 is reverse-keyed
    False
    """
    rev = set(instrument.reverse_items)
    keys = [(instrument.items[c].construct, c in rev) if c in instrument.items else None for c in stretch]
    return all(keys[j] is not None and keys[j] == keys[j - period] for j in range(period, len(keys)))


def _screen_columns(frame: pd.DataFrame, instrument: Instrument, order, cols: list[str]) -> list[str] | None:
    """``cols`` with the attention checks of ``order`` in their places, or None where no check sits among them.

    A pattern clicked down the screen runs through an attention check as through any item.

    >>> from iur_survey.instrument import load_instrument
    >>> df = pd.DataFrame(columns=["GOV1", "GOV2", "ATT1", "GOV3"])
    >>> _screen_columns(df, load_instrument(), ["GOV1", "GOV2", "ATT1", "GOV3"], ["GOV1", "GOV2", "GOV3"])
    ['GOV1', 'GOV2', 'ATT1', 'GOV3']
    >>> _screen_columns(df, load_instrument(), ["ATT1", "GOV1", "GOV2", "GOV3"], ["GOV1", "GOV2", "GOV3"]) is None
    True
    """
    if not order:
        return None
    known = set(cols)
    shown = [c for c in order if c in known or (c in instrument.attention_checks and c in frame.columns)]
    inside = [i for i, c in enumerate(shown) if c not in known]
    positions = [i for i, c in enumerate(shown) if c in known]
    if not positions or not any(positions[0] < i < positions[-1] for i in inside):
        return None
    return shown + [c for c in cols if c not in set(shown)]


def _rarer_than(chance: np.ndarray, cut: int, alpha: float) -> int:
    """The least run length from ``cut`` on that at most ``alpha`` of the ``chance`` lengths reach.

    >>> _rarer_than(np.array([0, 0, 5, 6, 6, 9]), 5, 0.2)
    7
    """
    top = np.sort(np.asarray(chance))[::-1]
    allowed = int(math.floor(alpha * len(top)))          # this many may reach the cut
    return int(max(cut, top[allowed] + 1)) if allowed < len(top) else int(cut)


def irv(frame: pd.DataFrame, instrument: Instrument, *, min_sd: float = 0.4, far_sd: float = 0.35,
        min_items: int | None = None, midpoint_consistent: int | None = None,
        midpoint_off: int | None = 3, midpoint_popular: int | None = 2, chance_lines: bool = True,
        honest_far_alpha: float = 0.001, line_pace: float | None = 0.5) -> pd.Series:
    """Flag near-invariant responding: the intra-individual response variability is below ``min_sd``.

    IRV is the standard deviation of a respondent's raw answers across the items (Dunn,
    Heggestad, Shanock & Theilgard 2018, *J Bus Psychol* 33:105-121; ``careless::irv``,
    ``sd`` with n - 1; :func:`iur_survey.clean.indices.irv`).  Dunn et al. give no universal
    cut-off and advise inspecting the low tail.  Flag: 0.4 (one answer to all 28 items but at most
    five one-point deviations); far beyond the cut-off: 0.35 (at most three one-point deviations, SD
    0.33).  A midpoint responder's IRV can come near 0.4; an honest respondent's rarely does.

    The cut-offs are in answer points on any number of points, not in units of the scale's range: a
    straight line's slip is one point, so one, two, three one-point slips of 28 answers give SD 0.19,
    0.27, 0.33 on a 1-5 and on a 1-7 scale alike, while an honest respondent's SD in points grows with
    the points (the same latent answer over finer categories).  Measured on an outside generator (29
    answers, midpoint responders' latent answer shrunk to U(.25, .6) of its distance from the middle;
    csv exports, N 459 and 1,515, seeds 1-3, styled): its midpoint responders' SD, 10th/50th/90th
    percentile, 0.36/0.52/0.68 on 5 points and 0.44/0.64/0.88 on 7; excluded 42/683 = 6.1 % and
    8/696 = 1.1 %: 41 and 8 of them with at most two answers off the middle, every one who gives so
    few, whose answers are those of a line at the middle with at most two slips; the finer scale makes
    them rarer, no unit of the cut-off separates them.  Cut-offs in units of the range
    (x 6/4 on 1-7: 0.6 and 0.525) on the 7-point exports: midpoint responders 8 -> 14 of 696 excluded,
    all honest 36 -> 37 of 5,268, careless 549 -> 544 of 654 (no figure on 5 points changes).
    ``far_sd: 0.25`` on the 5-point exports: midpoint responders 42 -> 20 of 683, all honest 59 -> 37
    of 5,287, but straight lines 94 -> 85 of 95 (two slips 8 -> 4 of 8, three 14 -> 9 of 15;
    style-free 95 -> 87).  So the points and the defaults stand; :func:`longstring`'s ``midpoint_off``
    is the setting that weighs middle lines.  With items on scales of their own the SD is of the answers placed on the
    top-level scale (:func:`common_scale`), so the cut-offs keep their meaning in its points.  Computed on raw codes when at least ``min_items``
    (default: half the items) are answered.  With fewer than :data:`STRAIGHT_LINE_MIN_ITEMS` (6) items
    and no ``min_items``, nobody is judged: four honest answers to one construct are often one answer.

    The far cut-off also decides about honest respondents with a strong style, whose answers are
    those of a straight line with a few slips.  Measured on an outside generator (all-1-5 items, N
    2000, three seeds): acquiescent respondents (a shift of the latent answer on every item, both
    keyings) are excluded 0.4 % at 0.25-0.5 SD, 0.9 % at 0.5-0.75, 8.7 % at 0.75-1.0 and 23 % at
    1.0-1.25 SD (there 93 % of their answers agree), most by this rule or :func:`longstring`
    alone.  ``far_sd: 0.30`` (0.25) brings the last to 18 (13) %, and the recall of straight lines
    with three one-point deviations from 7 of 7 to 1 of 7 (with two, at 0.25, from 19 of 19 to 5;
    N 800 and 2000 pooled): on the answers the two are the same.
    Extreme acquiescence is rare (about 0.5 % of a representative sample: Hinz, Michalski, Schwarz &
    Herzberg 2007, *GMS Psycho-Soc-Med* 4:Doc07), so the default stands.

    ``midpoint_consistent`` (off by default): as :func:`longstring`'s, a low IRV of someone who
    answers the middle to at least half the items and gives at least that many other answers, all
    on one side once reverse-keyed items are turned, is flagged but not far beyond (figures there).
    ``midpoint_off`` (default 3): a low IRV of someone who answers the middle to at least half the
    items and gives at least that many other answers, on either side, is flagged but not far beyond
    (:func:`longstring`'s, with the figures); ``null`` restores far beyond.  ``midpoint_popular`` (default 2): as
    :func:`longstring`'s (figures there).

    ``chance_lines`` (default on) with ``honest_far_alpha`` (.001): as :func:`longstring`'s, an IRV under
    ``far_sd`` is far beyond only where at most that share of honest answers drawn from the sample's answer model,
    to the items the person answered, have the person's most frequent answer and an SD at most theirs
    (:func:`_honest_lines`); where more do, it is flagged (figures there: on the real exports this rule's own
    exclusions went 7 -> 0 on the Internet Addiction Scale, 36 -> 7 on star wars, 18 -> 7 on food, 5 -> 0 on
    Google Forms).  ``chance_lines: false`` restores the previous rule.

    ``line_pace`` (default 0.5): as :func:`longstring`'s (figures there), an IRV under ``far_sd`` given in at
    least half the median time, whose most frequent answer does not contradict the keying
    (:func:`against_keying`), is flagged, not far beyond; ``null`` restores far beyond.

    >>> x = np.where(np.random.default_rng(1).random((300, 8)) < 0.9, 1.0, 2.0)    # nine answers in ten at 1
    >>> x[0], x[1] = 1.0, 3.0
    >>> from iur_survey.instrument import parse_instrument
    >>> items = [f"A{i}" for i in range(1, 9)]                                      # none reverse-keyed
    >>> floor = parse_instrument({"scale": {"min": 1, "max": 3}, "constructs": {"A": {"items": items}}})
    >>> out = irv(pd.DataFrame(x, columns=items), floor)
    >>> out[1]                                   # a line of 3, an answer nobody else gives: far beyond
    'IRV (SD of 8 answers) 0.00 < 0.4 [far beyond the cut-off]'
    >>> FAR in out[0], "of honest answers drawn from the sample's answer model give a line of 1" in out[0]
    (False, True)

    >>> from iur_survey.instrument import load_instrument
    >>> df = pd.DataFrame({"GOV1": [3.0, 1], "GOV2": [3.0, 4], "GOV3": [4.0, 2], "GOV4": [3.0, 5]})
    >>> irv(df, load_instrument(), min_items=2).tolist()
    [<NA>, <NA>]
    >>> irv(df, load_instrument(), min_sd=0.6, min_items=2).tolist()
    ['IRV (SD of 4 answers) 0.50 < 0.6', <NA>]
    >>> irv(df, load_instrument()).attrs
    {'not_evaluated': '4 items < 6 (set irv_min_items to judge fewer)'}
    """
    cols = item_columns(frame, instrument)
    if not cols:
        return _none(frame)
    if min_items is None and len(cols) < STRAIGHT_LINE_MIN_ITEMS:
        return _not_judged(frame, f"{len(cols)} items < {STRAIGHT_LINE_MIN_ITEMS} (set irv_min_items to judge fewer)")
    x = common_scale(_matrix(frame, cols), cols, instrument)     # mixed scales: SD in top-level scale points
    n_ans = (~np.isnan(x)).sum(axis=1)
    need = max(2, math.ceil(len(cols) / 2) if min_items is None else int(min_items))
    sd = irv_index(x)
    with np.errstate(invalid="ignore"):
        hit = (n_ans >= need) & (sd < min_sd)
    calm, n_off = consistent_midpoint(x, cols, instrument, midpoint_consistent)
    loose, n_other = midpoint_line(x, cols, instrument, midpoint_off, midpoint_popular)
    share = np.full(len(x), np.nan)                 # lines the items' own answers give: flagged, not far
    with np.errstate(invalid="ignore"):
        cand = hit & (sd < far_sd) & ~calm & ~loose
    # the most frequent answer is read only where the SD is low (the details, the lines): counted on those rows
    # alone (a count of equal answers: the same on a row whatever the others; with a -0.0 among the answers, which
    # of 0.0 and -0.0 names the answer depends on all of them: every row then)
    if np.any(np.signbit(x) & (x == 0)):
        ident = max_identical_index(x)
    else:
        count, mode = np.zeros(len(x), dtype=np.int64), np.full(len(x), np.nan)
        if hit.any():
            count[hit], mode[hit] = max_identical_index(x[hit])
        ident = (count, mode)
    mode = ident[1]
    if chance_lines and cand.any():
        got = _honest_lines(frame, instrument, cols, x, cand, sd=True, ident=ident, spread=sd)
        share = share if got is None else got
    chance = share > honest_far_alpha
    paced = paced_lines(frame, instrument, cols, x, cand & ~chance, line_pace, ident)
    dur, med = durations(frame) if paced.any() else (None, None)     # read once, not per line
    return _details(frame, hit, (t + _midpoint_text(o) if s < far_sd and c
                                 else t + _midpoint_off_text(m, midpoint_off) if s < far_sd and w
                                 else t + _honest_line_text(h, v, s, sd=True) if s < far_sd and ch
                                 else t + _pace_text(dur[i], med, line_pace) if s < far_sd and p
                                 else _far(t) if s < far_sd else t
                                 for i, t, s, c, o, w, m, ch, h, v, p in
                                 ((i, f"IRV (SD of {n} answers) {s:.2f} < {_detail_number(min_sd)}", s, c, o, w, m,
                                   ch, h, v, p)
                                  for i, n, s, c, o, w, m, ch, h, v, p in zip(
                                      np.flatnonzero(hit), n_ans[hit], sd[hit], calm[hit], n_off[hit], loose[hit],
                                      n_other[hit], chance[hit], share[hit], mode[hit], paced[hit]))))


def _mean_cov(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, str]:
    """Mean and covariance of ``x`` rows: complete cases when there are enough, else pairwise."""
    p = x.shape[1]
    cc = ~np.isnan(x).any(axis=1)
    if cc.sum() >= max(2 * p, p + 10):
        sub = x[cc]
        return sub.mean(axis=0), np.atleast_2d(np.cov(sub, rowvar=False)), f"complete cases (n={int(cc.sum())})"
    df = pd.DataFrame(x)
    cov = df.cov(min_periods=3).to_numpy()
    mu = df.mean().to_numpy()
    # pairwise covariances need not be positive definite: clip the eigenvalues
    w, v = np.linalg.eigh(np.nan_to_num(cov))
    cov = (v * np.clip(w, 1e-8, None)) @ v.T
    return mu, cov, f"pairwise (n={len(x)})"


#: an item answered by fewer than this share of the reference responses is left out of the distance and
#: likelihood rules
SPARSE_ITEM_SHARE = 0.5


def reference_columns(frame: pd.DataFrame, instrument: Instrument,
                      reference: pd.Series | np.ndarray | None = None, order=None) -> list[str]:
    """The item columns the distance and likelihood rules use: those at least half of the ``reference`` rows answered.

    In the order the export asked them (``order``, :attr:`~iur_survey.read.base.RawResponses.item_order`),
    else in codebook order: the halves, tails and runs of these rules are the questionnaire's.

    An item most respondents never saw (display logic, a question added late) leaves too few
    complete answers for a covariance or an answer model; measured with it, through a
    covariance pieced together pair by pair, an honest respondent who answered it was 7.6
    million D² units from the centre (an export with one item 90 % blank: 40 honest
    respondents excluded).  Item nonresponse must never exclude anyone, so such an item is
    measured by none of these rules (``rule_notes`` of the report names it).

    >>> from iur_survey.instrument import load_instrument
    >>> df = pd.DataFrame({"GOV1": [1.0, np.nan, np.nan, np.nan], "GOV2": [1.0, 2, 3, 4]})
    >>> reference_columns(df, load_instrument())
    ['GOV2']
    """
    cols = _asked_order(frame, instrument, order)
    ref = np.ones(len(frame), dtype=bool) if reference is None else np.asarray(reference, dtype=bool)
    if not cols or not ref.any():
        return cols

    def kept() -> list[str]:            # once per frame and reference: the distance and likelihood rules share it
        answered = (~np.isnan(_matrix(frame, cols)[ref])).mean(axis=0)
        return [c for c, a in zip(cols, answered) if a >= SPARSE_ITEM_SHARE]
    return list(_frame_cached(frame, ("reference columns", tuple(cols), np.packbits(ref).tobytes()), kept))


def mahalanobis_min_n(n_items: int) -> int:
    """The fewest reference responses :func:`mahalanobis` estimates a covariance from: ``2p``.

    >>> mahalanobis_min_n(28)
    56
    """
    return 2 * n_items


def _distance_d2(x: np.ndarray, ref: np.ndarray) -> tuple[np.ndarray, np.ndarray, int, np.ndarray]:
    """D² and items answered of every row of ``x`` against the mean and covariance of the ``ref`` rows.

    Also the number of rows the estimates rest on and which rows of ``x`` are among them
    (whose D² follows :func:`~iur_survey.clean.indices.mahad_beta_p`'s law; the others',
    :func:`~iur_survey.clean.indices.mahad_new_p`'s).  Complete cases: the complete ``ref``
    rows.  Pairwise (too few complete cases): every entry rests on its own rows; the
    fewest of them is the sample size, and no row counts as one of them (the F law: the
    cautious reading of a covariance estimated with holes).
    """
    mean, cov, how = _mean_cov(x[ref])
    d2, n_obs = mahalanobis_d2(x, mean, cov)
    complete = ~np.isnan(x).any(axis=1)
    if how.startswith("complete"):
        return d2, n_obs, int((complete & ref).sum()), complete & ref
    obs = (~np.isnan(x[ref])).astype(np.float64)
    n_est = int((obs.T @ obs).min())
    return d2, n_obs, n_est, np.zeros(len(x), dtype=bool)


#: the parts of the questionnaire a distance rule also tests on their own (Bonferroni over the three)
PARTS = ("all items", "first half", "second half")


def _sample_model(frame: pd.DataFrame, instrument: Instrument, cols: list[str], ref: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The sample's answer model (thresholds ``tau``, copula ``R``) and 20,000 honest answers drawn from it, or None.

    The model of :func:`~iur_survey.clean.indices.answer_model` fitted on the ``ref`` rows
    with every item answered on the scale (None when fewer than :func:`mahalanobis_min_n`
    of them; of more than :data:`MODEL_ROWS`, that many spread evenly over the file: the
    draws' own noise is larger than the estimates' beyond), 20,000 seeded draws
    (:func:`~iur_survey.clean.indices.answer_draws`, raw direction, 0-based codes).  Within
    :class:`matrix_cache` it is fitted once per frame and reference: the distance rules,
    :func:`longpattern` and :func:`random_likelihood` share it.
    """
    ref = np.asarray(ref, dtype=bool)
    return _frame_cached(frame, ("model", tuple(cols), np.packbits(ref).tobytes()),
                         lambda: _fit_sample_model(frame, instrument, cols, ref))


def _scale_codes(frame: pd.DataFrame, instrument: Instrument, cols: list[str]) -> np.ndarray:
    """The answers as 0-based category codes in the questionnaire's direction, ``-1`` where missing or off the
    scale; once per frame within :class:`matrix_cache` (the answer model and the likelihood rules share them)."""
    def codes() -> np.ndarray:
        if getattr(instrument, "mixed_scales", False):      # each item on its own scale
            lo, hi = instrument.bounds(cols)
            x, m = _matrix(frame, cols) - lo, hi - lo + 1
        else:
            x, m = _matrix(frame, cols) - instrument.scale_min, _categories(instrument, cols)
        with np.errstate(invalid="ignore"):
            whole = (x == np.round(x)) & (x >= 0) & (x < m)
        return _read_only(np.where(whole, np.nan_to_num(x), -1).astype(np.int64))
    return _frame_cached(frame, ("codes", tuple(cols)), codes)


def _categories(instrument: Instrument, cols: list[str] | None = None) -> int:
    """The number of categories of the scale (the most of any of ``cols``' scales)."""
    if cols and getattr(instrument, "mixed_scales", False):
        lo, hi = instrument.bounds(cols)
        return int(np.max(hi - lo)) + 1
    return int(instrument.scale_max - instrument.scale_min) + 1


def _fit_sample_model(frame: pd.DataFrame, instrument: Instrument, cols: list[str], ref: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    codes = _scale_codes(frame, instrument, cols)
    use = np.flatnonzero(ref & _frame_cached(frame, ("whole", tuple(cols)), lambda: (codes >= 0).all(axis=1)))
    if len(use) < mahalanobis_min_n(len(cols)):
        return None
    if len(use) > MODEL_ROWS:
        use = use[np.linspace(0, len(use) - 1, MODEL_ROWS).astype(np.int64)]
    tau, r = answer_model(codes[use], _categories(instrument, cols))
    if getattr(instrument, "mixed_scales", False):          # an item with fewer categories: none above its top
        lo, hi = instrument.bounds(cols)
        for j, m in enumerate((hi - lo + 1).astype(int)):
            tau[j, m:] = np.inf
    return tau, r, answer_draws(tau, r)


def _reference_model(frame: pd.DataFrame, instrument: Instrument, reference: pd.Series | np.ndarray | None,
                     min_items: int = 4, order=None
                     ) -> tuple[list[str], tuple[np.ndarray, np.ndarray, np.ndarray]] | None:
    """The item columns and :func:`_sample_model` fitted on the ``reference`` rows (all when None), or None:
    fewer than ``min_items`` items, fewer reference rows than :func:`mahalanobis_min_n`, or too few complete
    answers to fit the model (the likelihood rules then judge nobody).  ``order``: :func:`reference_columns`'.
    Every item with its own categories (items on scales of their own: thresholds above an item's top are
    ``+inf``, :func:`~iur_survey.clean.indices.item_categories`)."""
    cols = reference_columns(frame, instrument, reference, order)
    ref = np.ones(len(frame), dtype=bool) if reference is None else np.asarray(reference, dtype=bool)
    if len(cols) < min_items or ref.sum() < mahalanobis_min_n(len(cols)):
        return None
    model = _sample_model(frame, instrument, cols, ref)
    return None if model is None else (cols, model)


def _no_model(frame: pd.DataFrame, instrument: Instrument, reference, min_items: int = 4, order=None) -> str:
    """Why :func:`_reference_model` gave no model."""
    cols = reference_columns(frame, instrument, reference, order)
    n_ref = len(frame) if reference is None else int(np.asarray(reference, dtype=bool).sum())
    if len(cols) < min_items:
        return f"{len(cols)} items < {min_items}"
    if n_ref < mahalanobis_min_n(len(cols)):
        return _too_few_reference(n_ref, len(cols))
    return (f"fewer than {mahalanobis_min_n(len(cols))} reference responses answer every item on the scale: "
            f"the answer model is not estimable")


def _model_draws(frame: pd.DataFrame, instrument: Instrument, cols: list[str], ref: np.ndarray) -> np.ndarray | None:
    """The draws of :func:`_sample_model` as floats (codes 0-based, raw direction), or None."""
    model = _sample_model(frame, instrument, cols, ref)
    return None if model is None else model[2].astype(float)


#: the most reference rows the answer model of :func:`_model_draws` is fitted on
MODEL_ROWS = 20000


def _distance_parts(x: np.ndarray, ref: np.ndarray, need: int, halves: bool, alpha: float,
                    honest: np.ndarray | None = None
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Which rows are beyond the finite-sample critical D² (whole questionnaire, and each half).

    A respondent who answers the first half carefully and the second at random is far
    from everyone on the second half only; with ``halves`` each half is tested too and
    every test is made at ``alpha / 3`` (Bonferroni).  The critical value is computed once
    per number of items answered, the p only for the rows beyond it: for a row of the
    sample the mean and covariance were estimated from, the scaled Beta law
    (:func:`iur_survey.clean.indices.mahad_beta_crit`), for any other row (one with
    missing answers, when the estimates come from the complete cases) the scaled F law of
    a new observation (:func:`iur_survey.clean.indices.mahad_new_crit`), both with the
    number of rows the estimates rest on (with 7.5 % of the answers missing at random the
    Beta law with every reference row flagged 3 % of honest normal answers at N 1500 and
    13 % at N 150 instead of 1 %).  ``honest``: answers drawn from the sample's answer model
    (same columns and coding as ``x``); where their same-sample D² has a heavier tail than
    the Beta law (skewed items, rare categories: :func:`~iur_survey.clean.indices.mahad_sim_quantile`),
    the part is tested at the stricter level whose Beta critical value is their quantile, so
    that no more than ``alpha / 3`` of such honest answers are beyond it; never looser than
    the Beta law.  Returns ``hit``, and for the hit rows the ``d2``, ``n_obs``, adjusted
    ``p``, ``part`` (index into :data:`PARTS`) of their most extreme part, and the adjusted
    level the part was tested at.
    """
    cols = [slice(None)]
    if halves and x.shape[1] >= 8:
        h = x.shape[1] // 2
        cols += [slice(0, h), slice(h, None)]
    level = alpha / len(cols)
    best_p = np.full(len(x), np.inf)
    best_ratio = np.full(len(x), np.inf)
    best = (np.full(len(x), np.nan), np.zeros(len(x), dtype=np.int64), np.zeros(len(x), dtype=np.int64))
    used = np.full(len(x), np.nan)
    for k, c in enumerate(cols):
        sub = x[:, c]
        d2, n_obs, n_est, inside = _distance_d2(sub, ref)
        need_k = max(2, math.ceil(need * sub.shape[1] / x.shape[1]))
        lev = level
        if honest is not None:
            q = mahad_sim_quantile(honest[:, c], n_est, 1 - level)
            lev = min(level, float(mahad_beta_p(np.array([q]), n_est, sub.shape[1])[0]))
        if not lev > 0:         # honest draws reach the largest D2 the part allows: it can flag nobody
            continue
        lim_in = np.full(sub.shape[1] + 1, np.inf)     # by number answered: a row of the estimation sample
        lim_new = np.full(sub.shape[1] + 1, np.inf)    # any other row
        for m in np.unique(n_obs):
            if m >= need_k:
                lim_in[m] = float(mahad_beta_crit(lev, n_est, m))
                lim_new[m] = float(mahad_new_crit(lev, n_est, m))
        lim = np.where(inside, lim_in[n_obs], lim_new[n_obs])
        with np.errstate(invalid="ignore"):
            beyond = np.flatnonzero(d2 > lim)
        if len(beyond):
            pv = np.where(inside[beyond], mahad_beta_p(d2[beyond], n_est, n_obs[beyond]),
                          mahad_new_p(d2[beyond], n_est, n_obs[beyond]))
            better = pv / lev < best_ratio[beyond]          # the most extreme part against its own level
            rows = beyond[better]
            best_ratio[rows] = pv[better] / lev
            best_p[rows] = pv[better]
            best[0][rows], best[1][rows], best[2][rows] = d2[rows], n_obs[rows], k
            used[rows] = lev * len(cols)
    hit = np.isfinite(best_ratio)
    return hit, best[0], best[1], np.minimum(1.0, best_p * len(cols)), best[2], used


def _group_codes(frame: pd.DataFrame, instrument: Instrument) -> np.ndarray:
    """Per row, the code of its group (role; ``-1``: none recorded or no group column)."""
    col = instrument.group_column
    if col not in frame.columns:
        return np.full(len(frame), -1, dtype=np.int64)
    codes, _ = pd.factorize(frame[col].astype("string"), use_na_sentinel=True)
    return np.asarray(codes, dtype=np.int64)


def _grouped_parts(frame: pd.DataFrame, instrument: Instrument, cols: list[str], x: np.ndarray, ref: np.ndarray,
                   need: int, halves: bool, alpha: float, by_group: bool, draws: Callable
                   ) -> tuple[np.ndarray, ...]:
    """:func:`_distance_parts`, each row measured against its own group where the group is large enough.

    In grouped data outliers are sought within each group (Tabachnick & Fidell 2013, *Using
    Multivariate Statistics*, 6th ed., ch. 4): a group whose answers differ in level or in
    structure from the others' (the roles this study compares) is far from the pooled centroid
    as a whole, and its members would be flagged for belonging to it.  With ``by_group`` every
    group with at least :func:`mahalanobis_min_n` reference rows gets its own mean, covariance
    and honest draws (``draws(reference) -> draws or None``); the rows of smaller groups and
    rows without a group are measured against the whole reference sample.
    """
    groups = _group_codes(frame, instrument) if by_group else np.full(len(x), -1, dtype=np.int64)
    own = [g for g in np.unique(groups[groups >= 0])
           if (ref & (groups == g)).sum() >= mahalanobis_min_n(len(cols))]
    if len(own) < 2:          # one group (or none) large enough: the pooled sample is that group's
        own = []
    rest = ~np.isin(groups, own)
    out = [np.zeros(len(x), dtype=bool), np.full(len(x), np.nan), np.zeros(len(x), dtype=np.int64),
           np.full(len(x), np.nan), np.zeros(len(x), dtype=np.int64), np.full(len(x), np.nan)]
    parts = [(rest, ref)] + [(groups == g, ref & (groups == g)) for g in own]
    for rows, r in parts:
        if not rows.any():
            continue
        use = rows | r                       # the rows measured and the rows the estimates come from
        if use.all():                        # the usual case (no groups): no copy of the answers
            res = _distance_parts(x, r, need, halves, alpha, draws(r))
        else:
            res = _distance_parts(x[use], r[use], need, halves, alpha, draws(r))
        for o, v in zip(out, res):
            o[rows] = v[rows[use]]
    return tuple(out)


def mahalanobis(frame: pd.DataFrame, instrument: Instrument, *, alpha: float = 0.01, halves: bool = True,
                by_group: bool = False, style_check: bool = True, style_quantile: float = 0.9,
                shape_quantile: float | None = None, keyed_lines: bool = True, keyed_agree: bool = False,
                min_items: int | None = None,
                reference: pd.Series | np.ndarray | None = None, order: list[str] | None = None) -> pd.Series:
    """Flag multivariate outliers: Mahalanobis D² beyond its finite-sample critical value at ``alpha``.

    D² of each response's reverse-scored items from the sample centroid (Meade & Craig
    2012 found it among the most sensitive indices to random responding;
    ``careless::mahad``).  The mean and covariance are estimated from the same sample, so
    ``n D² / (n - 1)²`` follows a Beta(p/2, (n - p - 1)/2) distribution, not chi-square
    (:func:`iur_survey.clean.indices.mahad_beta_p`).  A large D² is also what an honest
    *extreme* responder produces, so this rule only flags (at ``alpha = .01``) and never
    excludes alone; :func:`mahalanobis_direction` asks whether the pattern of agreement
    and disagreement, not the size of the answers, is unusual.  Missing items: measured over the observed ones (sub-covariance,
    p_i items); at least ``min_items`` (default: half) answered.  With ``halves`` (default)
    the first and the second half of the questionnaire are tested too and the smallest
    p, multiplied by 3 (Bonferroni), is used: a respondent careful in one half only is far
    from everyone on the other.  Mean and covariance come
    from the ``reference`` rows (default: all), complete cases or pairwise; with
    ``by_group`` (off by default) from the reference rows of the respondent's own group
    (role) when two or more groups have :func:`mahalanobis_min_n` of them
    (:func:`_grouped_parts`).  It is the fair choice when a role answers with a structure of
    its own: a role of 10 % whose construct correlations differ had 3.0 % of its honest
    respondents excluded against 0.7-1.3 % for the others, and 23 % of its extreme
    responders (1.4 % and 11 % by group); but it costs power where the roles do not
    differ (the package's simulator at N 800, four roles of 200: random answers caught
    0.979 -> 0.938).  With fewer
    than :func:`mahalanobis_min_n` (``2p``) reference rows the rule flags nobody.

    ``style_check`` (on by default): a flagged row whose answers a response style explains
    -- its style-profiled random-answer likelihood ratio (:func:`~iur_survey.clean.indices.random_lr`,
    the sample's answer model) is at most the ``style_quantile`` (.9) quantile of 2,000 honest answers drawn
    from that model (the median in the figures that follow here) -- keeps its flag, marked ``[a response style explains it]``, and then counts as
    evidence beside ``speed`` only (:mod:`iur_survey.clean.decision`).  A large D² is what an
    honest extreme or acquiescent responder produces; beside one more noisy sign (the
    inconsistency indices flag them about twice as often) it excluded them.  Measured: on a
    generator unlike the package's (70 % end answers) extreme responders excluded 5.8 -> 4.0 %,
    7.8 -> 4.2 % (strong styles), 14.2 -> 3.1 % (60 items), 8.4 -> 5.3 % (roles with different
    means), N 1500, 3 seeds, its careless recall unchanged; on the package's evaluation (N
    3000) graded-response extreme responders 3.4 -> 2.1 %, bfi's 1.6 -> 1.3 %, partial
    carelessness among bfi's people 0.179 -> 0.170, every other recall unchanged.
    ``style_quantile`` (default .9; .5, the median, before 2026-12) is the quantile of the honest
    draws' ratio a marked row's may reach (:mod:`iur_survey.clean.decision`: why .9); ``shape_quantile`` (default ``None``: off) marks a complete row
    also where ``Q = D² / |z|²`` (:func:`mahalanobis_quotient`, its seeded draws) is at most
    that quantile of honest answers' ``Q``: an ordinary shape, so the distance comes from
    the answers' size alone, which a stretch (an extreme style) gives.  Both trade styled
    honest respondents against careless ones; :mod:`iur_survey.clean.decision` has the
    figures.

    ``keyed_lines`` (default on): a row that gives a line against the keying at the disagree end
    (:func:`keyed_line`: the scale's lowest answer to all items but one in seven, 4 of 28, at least three
    reverse-keyed items among them; after reverse scoring the person strongly agrees and disagrees with the
    same construct) is never marked: the style profile (a shift and a stretch) fits such a line as a
    disacquiescent extreme style, which no generator the screening was measured on has and the literature
    finds rarer than acquiescence.  Beside :func:`longstring`'s flag (which ``keyed_lines`` there gives such a
    line also where its slips break every run) it is then two groups.  An outside generator's careless straight
    lines with 1-4 slips were kept at 36 of 153 (its Qualtrics respondent answering 26 of 28 items "Strongly
    disagree", the reverse-keyed ones included: longstring 20, D² p = 6e-8 marked as a style's, even-odd -1.00).
    Measured (default -> on; every stored export of four outside generators, N 300-3,000, seeds 1-3, styled and
    style-free, about 73,000 rows; ``python -m iur_survey.clean.evaluate --generator all --n 800 3000 --formats
    csv``): that generator's straight lines with 1-4 slips 117 -> 123 of 153 (.765 -> .804) and style-free 93
    -> 104 of 131 (.710 -> .794), all its careless 1,188 -> 1,196 and 1,190 -> 1,202 of 1,476 (.805 -> .810,
    .806 -> .814; one partly careless respondent lost style-free: the flagged lines leave the reference sample,
    and its random-tail ratio 2.42 fell below the moved .999 quantile), every honest figure of every generator
    equal (its acquiescent-and-extreme respondents 5/89), every other generator's and the package's every figure
    equal.
    Honest respondents in those exports who answer one end to all items but 0-4: 92, every one at the agree end
    (acquiescent, extreme or both, 9 without a style), 19 of them with three or four reverse-keyed items on the
    line (a keyed line at the agree end: 17 of them outside6's extreme or acquiescent-and-extreme ones).
    ``keyed_agree: true`` (here and in :func:`longstring`) takes the agree end's lines too: the package's foreign
    generator's acquiescent-and-extreme respondents 2 -> 4 of 192 (N 800) and 19 -> 23 of 720 (N 3000) excluded, its
    random answers at N 3000 .611 -> .603 (all its careless .669 -> .667; the graded-response generator's
    speeders .924 -> .936), for outside6's straight lines with 1-4 slips 123 -> 126 of 153 and 104 -> 109 of 131
    (careless 1,196 -> 1,197 and 1,202 -> 1,207 of 1,476; outside5's 512 -> 511): a style's rise of more than a
    point for a few careless, hence off.

    >>> from iur_survey.instrument import load_instrument
    >>> rng = np.random.default_rng(1)
    >>> z = rng.normal(size=(300, 1)) + rng.normal(scale=.5, size=(300, 4))
    >>> df = pd.DataFrame(np.clip(np.round(3 + z), 1, 5), columns=["MKT1", "MKT2", "MKT3", "MKT4"])
    >>> df.loc[0] = [1, 5, 1, 5]
    >>> flags = mahalanobis(df, load_instrument())
    >>> bool(flags.notna().sum() < 15), flags[0].startswith("D² ")
    (True, True)
    """
    cols = reference_columns(frame, instrument, reference, order)
    if not cols or len(frame) == 0:
        return _none(frame)
    x = _matrix(frame, cols, instrument.reverse_items, instrument)
    ref = np.ones(len(frame), dtype=bool) if reference is None else np.asarray(reference, dtype=bool)
    if ref.sum() < mahalanobis_min_n(len(cols)):
        return _not_judged(frame, _too_few_reference(int(ref.sum()), len(cols)))
    need = max(2, math.ceil(len(cols) / 2) if min_items is None else int(min_items))
    hit, d2, n_obs, pval, part, used = _grouped_parts(
        frame, instrument, cols, x, ref, need, halves, alpha, by_group,
        lambda r: _model_draws(frame, instrument, cols, r))
    styled = _style_explains(frame, instrument, cols, ref, hit, style_quantile, shape_quantile, x,
                             keyed_lines, keyed_agree) if style_check else np.zeros(len(frame), dtype=bool)
    return _details(frame, hit, (_styled(t) if st else t for t, st in zip(
        (f"D² {d:.1f} over {k} items ({PARTS[w]}), finite-sample p = {p:.2g} < {_level_text(alpha, u)}"
         for d, k, p, w, u in zip(d2[hit], n_obs[hit], pval[hit], part[hit], used[hit])), styled[hit])))


def _style_explains(frame: pd.DataFrame, instrument: Instrument, cols: list[str], ref: np.ndarray,
                    rows: np.ndarray, quantile: float, shape_quantile: float | None, x: np.ndarray,
                    keyed_lines: bool = False, keyed_agree: bool = False) -> np.ndarray:
    """Which of ``rows`` (a mask) a response style explains: their style-profiled random-answer likelihood ratio
    (:func:`~iur_survey.clean.indices.random_lr`, over shifts and stretches: the midpoint propensity left out) is at
    most the ``quantile`` (:func:`mahalanobis`'s ``style_quantile``) of honest answers drawn from the sample's answer
    model, or, with ``shape_quantile``, whose D² per unit of squared deviation (:func:`mahalanobis_quotient`'s
    ``Q``) is at most that quantile of honest normal answers'.  ``x``: the answers as :func:`mahalanobis` reads
    them (reverse-keyed items reversed).  Rows with a missing answer are never explained.  Items on scales of
    their own: each with its own categories, as in :func:`random_likelihood`.  With ``keyed_lines``
    (:func:`mahalanobis`'s), a row that gives a line contradicting the keying (:func:`keyed_line`, at either
    end with ``keyed_agree``) is never explained."""
    out = np.zeros(len(frame), dtype=bool)
    idx = np.flatnonzero(rows)
    if keyed_lines and len(idx):                # a line against the keying: no style's (at the agree end: acquiescence)
        idx = idx[~keyed_line(common_scale(_matrix(frame, cols)[idx], cols, instrument), cols, instrument,
                              keyed_agree)[0]]
    model = _sample_model(frame, instrument, cols, ref) if len(idx) else None
    if model is None or not len(idx):
        return out
    tau, r, null = model
    lr = random_lr(_scale_codes(frame, instrument, cols)[idx], tau, r, midpoint=())
    with np.errstate(invalid="ignore"):
        out[idx] = lr <= np.quantile(random_lr(null[:STYLE_NULL_ROWS], tau, r, midpoint=()), quantile)
    if shape_quantile is not None:          # D² = Q |z|²: an ordinary Q, the size alone is far (a stretch)
        z, rr = standardised_corr(x, ref)
        q = rayleigh_quotient(z[idx], rr)
        crit = mahad_quotient_crit(rr, 1 - shape_quantile)                  # mahalanobis_quotient's seeded draws
        with np.errstate(invalid="ignore"):
            out[idx] |= (q <= crit) & ~np.isnan(x[idx]).any(axis=1)
    return out


#: honest draws whose profiled likelihood ratio gives the median :func:`_style_explains` compares with
STYLE_NULL_ROWS = 2000


def _level_text(alpha: float, used: float) -> str:
    """The level a distance flag was tested at: ``alpha``, or the stricter one its honest draws called for."""
    if used < alpha * (1 - 1e-9):
        return f"{used:.2g} (the {_detail_number(alpha)} level of honest answers drawn from the sample's answer model)"
    return _detail_number(alpha)


def mahalanobis_direction(frame: pd.DataFrame, instrument: Instrument, *, alpha: float = 0.005,
                          halves: bool = True, by_group: bool = False, min_items: int | None = None,
                          reference: pd.Series | np.ndarray | None = None, order: list[str] | None = None) -> pd.Series:
    """Flag an unusual pattern of *directions*: D² of the answers as disagree / neutral / agree.

    Each reverse-scored answer is reduced to its side of its scale's midpoint (below, at,
    above: 1, 2, 3; an even number of categories has no answer at it), then D² and its finite-sample p are computed as in :func:`mahalanobis`.
    An extreme responder answers 1 and 5 where others answer 2 and 4, on the same side:
    response-style research models the answer as a direction and then an extremity
    (Böckenholt 2012, *Psychol Methods* 17:665-678, IRTree models; Van Vaerenbergh &
    Thomas 2013, *Int J Public Opin Res* 25:195-217), so the directions carry the content
    and not the style.  Random and patterned answers put agreement and disagreement in
    places no careful respondent does, and stay far.  Flags at ``alpha = .005``; one piece
    of evidence beside the ``speed`` group only (``decision: {beside: ...}``),
    never an exclusion alone.  Within each large enough group (role) with
    ``by_group`` (off by default), as :func:`mahalanobis`.

    It is not independent of :func:`mahalanobis` (the same answers, coarsened): among
    style-free honest respondents both flag 0.19 %, 27 times what independent indices would
    (evaluation exports, N 3000, seeds 1-3, csv), and "size + direction" is their commonest
    basis of exclusion.  It counts beside speed only: beside size it is the same answers'
    distance twice, and beside the likelihood or the inconsistency indices it excluded far
    more honest respondents than careless ones (:mod:`iur_survey.clean.decision` has the
    figures).

    >>> from iur_survey.instrument import load_instrument
    >>> rng = np.random.default_rng(1)
    >>> z = rng.normal(size=(300, 1)) + rng.normal(scale=.5, size=(300, 4))
    >>> df = pd.DataFrame(np.clip(np.round(3.5 + z), 1, 5), columns=["MKT1", "MKT2", "MKT3", "MKT4"])
    >>> df.loc[0] = [1, 1, 1, 2]          # consistent disagreement: an ordinary pattern of directions
    >>> df.loc[1] = [1, 5, 1, 5]          # disagree, agree, disagree, agree
    >>> [f[:20] for f in mahalanobis_direction(df, load_instrument(), alpha=1)[[0, 1]]]
    ['direction D² 3.6 ove', 'direction D² 17.1 ov']
    >>> mahalanobis_direction(df, load_instrument()).notna()[[0, 1]].tolist()
    [False, True]
    """
    cols = reference_columns(frame, instrument, reference, order)
    if not cols or len(frame) == 0:
        return _none(frame)
    x = _matrix(frame, cols, instrument.reverse_items, instrument)
    lo, hi = instrument.bounds(cols)                        # each item's own midpoint
    centre = (lo + hi) / 2
    side = np.where(np.isnan(x), np.nan, np.sign(x - centre) + 2.0)
    ref = np.ones(len(frame), dtype=bool) if reference is None else np.asarray(reference, dtype=bool)
    if ref.sum() < mahalanobis_min_n(len(cols)):
        return _not_judged(frame, _too_few_reference(int(ref.sum()), len(cols)))
    need = max(2, math.ceil(len(cols) / 2) if min_items is None else int(min_items))

    def sides(r):   # honest raw-direction codes as sides, as the answers' (D² ignores the keying)
        honest = _model_draws(frame, instrument, cols, r)
        return None if honest is None else np.sign(honest - (hi - lo) / 2) + 2.0

    hit, d2, n_obs, pval, part, used = _grouped_parts(frame, instrument, cols, side, ref, need, halves, alpha,
                                                      by_group, sides)
    return _details(frame, hit, (f"direction D² {d:.1f} over {k} items ({PARTS[w]}; disagree/neutral/agree), "
                                 f"finite-sample p = {p:.2g} < {_level_text(alpha, u)}"
                                 for d, k, p, w, u in zip(d2[hit], n_obs[hit], pval[hit], part[hit], used[hit])))


def _shape_setup(frame: pd.DataFrame, instrument: Instrument, reference, min_items: int | None, *,
                 reverse: bool, order=None) -> pd.Series | tuple[list[str], np.ndarray, np.ndarray, int]:
    """The answers, reference rows and items needed of the profile and structure rules, or their verdict.

    A Series when the rule cannot judge (no items, fewer than 4, too few reference rows);
    else ``(cols, x, ref, need)``: ``x`` reverse-scored when ``reverse``; ``order``: :func:`reference_columns`'.
    """
    cols = reference_columns(frame, instrument, reference, order)
    if not cols or len(frame) == 0:
        return _none(frame)
    x = common_scale(_matrix(frame, cols, instrument.reverse_items if reverse else (), instrument), cols, instrument)
    ref = np.ones(len(frame), dtype=bool) if reference is None else np.asarray(reference, dtype=bool)
    if len(cols) < 4:
        return _not_judged(frame, f"{len(cols)} items < 4")
    if ref.sum() < mahalanobis_min_n(len(cols)):
        return _not_judged(frame, _too_few_reference(int(ref.sum()), len(cols)))
    return cols, x, ref, max(2, math.ceil(len(cols) / 2) if min_items is None else int(min_items))


def mahalanobis_ipsatized(frame: pd.DataFrame, instrument: Instrument, *, alpha: float = 0.005,
                          min_items: int | None = None, reference: pd.Series | np.ndarray | None = None,
                          order: list[str] | None = None) -> pd.Series:
    """Flag an unusual *profile*: D² of the ipsatized answers (:func:`~iur_survey.clean.indices.mahad_ipsatized`).

    Each person's answers (questionnaire direction) are centred on their own mean and
    scaled by their own SD before the distance is taken, so the acquiescent, extreme and
    midpoint styles that move plain D² (:func:`mahalanobis`) drop out (Fischer 2004, *J
    Cross-Cult Psychol* 35:263-282); random and patterned answers keep a profile the
    sample's item correlations make unlikely.  Critical value: the finite-sample Beta law
    of :func:`~iur_survey.clean.indices.mahad_beta_crit` with ``answered - 1`` degrees of
    freedom, at ``alpha = .005`` (as :func:`mahalanobis_direction`).  The ipsatized answers
    are not normal, so the law is an approximation: on psych's ``bfi`` (real people) about
    3 % of respondents are beyond it, on simulated ones under 0.5 %.  One piece of evidence
    (group ``profile``), never an exclusion alone; **not run by default**
    (:data:`DEFAULT_RULES`): with it, the evaluation's ``real`` generator (bfi's people
    plus injected careless cases) catches about 0.15 more of the random responders but
    excludes about 0.6 % more of the honest ones, and the cleaning of bfi itself excludes
    2.2 % instead of 1.1 % (``python -m iur_survey.clean.evaluate --generator real
    --add-rule mahalanobis_ipsatized``).  Rows without spread (straight lines) are left to
    :func:`longstring` and :func:`irv`.

    >>> from iur_survey.instrument import load_instrument
    >>> rng = np.random.default_rng(1)
    >>> cols = [c for c in load_instrument().item_codes if c[:3] in ("GOV", "MKT", "BEN", "VAL")]
    >>> f = np.repeat(rng.normal(size=(500, 4)), 4, axis=1)          # four scales of four items
    >>> df = pd.DataFrame(np.clip(np.round(3 + f + rng.normal(scale=.6, size=(500, 16))), 1, 5), columns=cols)
    >>> df.loc[0] = [1, 5, 1, 5] * 4                 # the items of each scale disagree
    >>> df.loc[1] = [5] * 4 + [1] * 4 + [5] * 4 + [1] * 4   # agrees with two scales, not the others: ordinary
    >>> flags = mahalanobis_ipsatized(df, load_instrument())
    >>> flags[0][:16], bool(pd.isna(flags[1])), bool(flags.notna().mean() < 0.01)
    ('profile D² 34.3 ', True, True)
    """
    setup = _shape_setup(frame, instrument, reference, min_items, reverse=False, order=order)
    if isinstance(setup, pd.Series):
        return setup
    cols, x, ref, need = setup
    d2, df = mahad_ipsatized(x, ref)
    n_ref = int((ref & ~np.isnan(x).any(axis=1)).sum())
    lim_by = np.full(len(cols) + 1, np.inf)
    for m in np.unique(df):
        if m >= need - 1 and m >= 2:
            lim_by[m] = float(mahad_beta_crit(alpha, n_ref, m))
    with np.errstate(invalid="ignore"):
        hit = d2 > lim_by[df]
    hit &= ~np.isnan(d2)
    pv = np.full(len(frame), np.nan)
    pv[hit] = mahad_beta_p(d2[hit], n_ref, df[hit])
    return _details(frame, hit, (f"profile D² {d:.1f} over {k + 1} items (ipsatized: each person's own mean and "
                                 f"SD removed), finite-sample p = {p:.2g} < {_detail_number(alpha)}"
                                 for d, k, p in zip(d2[hit], df[hit], pv[hit])))


def mahalanobis_quotient(frame: pd.DataFrame, instrument: Instrument, *, alpha: float = 0.025,
                         min_items: int | None = None, reference: pd.Series | np.ndarray | None = None,
                         order: list[str] | None = None) -> pd.Series:
    """Flag answers that do not follow the item correlations, whatever their size: D² per unit of deviation.

    ``Q = z' R^-1 z / z' z`` (:func:`~iur_survey.clean.indices.mahad_quotient`; ``z`` the
    reverse-scored answers standardised by the item means and SDs, ``R`` the item
    correlations, both from the ``reference`` rows; Mahalanobis 1936; D² screening: Curran
    2016, *J Exp Soc Psychol* 66:4-19).  Plain D² (:func:`mahalanobis`) is ``Q |z|²``: large for an honest extreme responder because ``|z|`` is.  ``Q`` is the same
    for a deviation stretched or shrunk by any factor, so extreme and midpoint styles do not
    move it; answers without structure (random, uniform or matching each item's
    distribution) have ``Q`` about ``tr(R^-1) / p`` instead of about 1.  Cut-off: the
    ``1 - alpha`` quantile of ``Q`` under honest normal answers, which depends on ``R`` only
    (:func:`~iur_survey.clean.indices.mahad_quotient_crits`, 20,000 seeded draws; for rows
    with missing answers, 4,000 of them with the answered items' sub-matrix, once per
    missing-data pattern); not a cut tuned to a
    simulator (at the .99 level it flags 1.4 % of psych's ``bfi``, 1.0 % of Field's SAQ).
    ``alpha`` 0.025: the group ``structure`` counts only beside ``speed``
    (:mod:`iur_survey.clean.decision`, ``beside``): a fast response whose answers do not
    follow the item correlations is excluded, a fast careful reader's answers follow
    them.  The responses a blatant-case rule (``speeder`` ...) kept out of the reference are
    measured against estimates they did not enter, with the error of those estimates in
    full: their cut-off is the out-of-sample quantile of
    :func:`~iur_survey.clean.indices.mahad_quotient_new_crit` (with the known-``R`` cut-off
    a fast careful reader's answers were beyond the .975 level 16 % of the time at N 150,
    7 % at N 300, 4 % at N 800).  As a group of its own (``decision: {beside: {}}``) it adds about as many
    honest respondents to the exclusions as careless ones: its evidence overlaps the
    inconsistency and distance indices'.  Never an exclusion alone.  Straight lines (no deviation) are left
    to :func:`longstring` and :func:`irv`.

    >>> from iur_survey.instrument import load_instrument
    >>> rng = np.random.default_rng(1)
    >>> cols = [c for c in load_instrument().item_codes if c[:3] in ("GOV", "MKT", "BEN", "VAL")]
    >>> f = np.repeat(rng.normal(size=(500, 4)), 4, axis=1)          # four scales of four items
    >>> df = pd.DataFrame(np.clip(np.round(3 + f + rng.normal(scale=.6, size=(500, 16))), 1, 5), columns=cols)
    >>> df.loc[0] = [1, 5, 2, 4] * 4                 # the items of each scale disagree
    >>> df.loc[1] = [5] * 8 + [1] * 8                # far from the centre but consistent: extreme, not careless
    >>> flags = mahalanobis_quotient(df, load_instrument())
    >>> flags[0][:12], bool(pd.isna(flags[1])), bool(flags.notna().mean() < 0.05)
    ('structure Q ', True, True)
    """
    setup = _shape_setup(frame, instrument, reference, min_items, reverse=True, order=order)
    if isinstance(setup, pd.Series):
        return setup
    cols, x, ref, need = setup
    z, r = standardised_corr(x, ref)
    q = rayleigh_quotient(z, r)
    obs = ~np.isnan(x)
    n_obs = obs.sum(axis=1)
    masks, inverse = pattern_index(obs)
    # one seeded set of draws: 20,000 for the complete pattern, the first 4,000 for each incomplete one
    u = np.random.default_rng(1936).normal(size=(20000, len(cols)))
    usable = masks.sum(axis=1) >= need
    complete = masks.all(axis=1)
    crit = np.full(len(masks), np.inf)
    crit[usable & complete] = mahad_quotient_crits(r, masks[usable & complete], alpha, u)
    # an incomplete pattern none of whose rows reaches 90 % of a rough cut-off (500 draws; on
    # 2,943 patterns of 118,800 simulated rows the exact one was never below 96 % of it) cannot
    # be flagged; the others get the exact one
    inc = np.flatnonzero(usable & ~complete)
    q_max = np.full(len(masks), -np.inf)
    np.maximum.at(q_max, inverse, np.where(np.isnan(q), -np.inf, q))
    rough = mahad_quotient_crits(r, masks[inc], alpha, u[:500])
    exact = inc[q_max[inc] > 0.9 * rough]
    crit[exact] = mahad_quotient_crits(r, masks[exact], alpha, u[:4000])
    lim = crit[inverse]
    # a row outside the reference sample meets the estimation error of R in full: the cut-off of
    # such rows (exact for complete answers, scaled by the same ratio for incomplete ones)
    outside = ~ref & np.isfinite(lim)
    if outside.any():
        known = float(mahad_quotient_crits(r, np.ones((1, len(cols)), dtype=bool), alpha, u)[0])
        lim = np.where(outside, lim * mahad_quotient_new_crit(r, int(ref.sum()), alpha) / known, lim)
    with np.errstate(invalid="ignore"):
        hit = (q > lim) & ~np.isnan(q)
    return _details(frame, hit, (f"structure Q {v:.2f} over {k} items (D² per unit of squared deviation: answers "
                                 f"not following the item correlations) > {c:.2f}, its {_detail_number(1 - alpha)} quantile "
                                 f"for honest answers" for v, k, c in zip(q[hit], n_obs[hit], lim[hit])))


def random_likelihood(frame: pd.DataFrame, instrument: Instrument, *, alpha: float = 0.005,
                      far_alpha: float = 0.001, tails: bool = True, min_tail: int = 4,
                      change_point: bool = False, irtree: bool = False, far_styles_alpha: float | None = 0.02,
                      integrated: bool = False, far_styles_sample: bool = False, predictive: bool = True,
                      predictive_screen: float | None = 0.95, reference: pd.Series | np.ndarray | None = None, order: list[str] | None = None) -> pd.Series:
    """Flag answers more likely under uniform random answering than under any honest response style.

    Likelihood ratios of uniform random codes against the sample's own answer model
    (each item's category shares and a Gaussian copula of the answers, fitted on the
    ``reference`` rows, :func:`~iur_survey.clean.indices.answer_model`), the person's
    response style (a shift: acquiescence, in the questionnaire's direction; a stretch:
    extreme or midpoint responding; a midpoint propensity: middle answers whatever the item,
    which a stretch cannot give where the middle answer is rare) profiled out, so that a
    consistent style is little evidence (on stylised answers beyond the .99 level: an
    extreme style 33 % without the profile, 7 % with it; midpoint and acquiescent styles
    about 0 %; midpoint responders on items most people answer 4 or 5 of 5, beyond .995:
    57-72 % without the propensity, 0-1.3 % with it):

    * **throughout** (:func:`~iur_survey.clean.indices.random_lr`; Neyman & Pearson 1933; a
      person-fit statistic as lz*, Snijders 2001, *Psychometrika* 66:331-342, with the
      response style as a person parameter, Böckenholt 2012);
    * **from some item on** (``tails``; :func:`~iur_survey.clean.indices.random_tail_lr`,
      the change point of partial carelessness, "back random responding": Yu & Cheng 2019,
      *Psychol Methods* 24:658-674), over tails of ``min_tail`` items or more, in
      questionnaire order;
    * with ``change_point`` (off by default), **from some item on, each part in its own
      style** (:func:`~iur_survey.clean.indices.random_change_lr`: the careful head in the
      style that fits it, against the whole form in one style; the tail ratio above takes
      the one style that makes the tail least random however badly it fits the head).  With
      ``tails`` too, the two tail ratios each at half the levels (``alpha / 2``,
      ``far_alpha / 2``); ``tails: false, change_point: true`` puts it in the tail ratio's
      place.  Every row and draw is profiled (no bound prunes it: 0.2-0.6 ms a row, 4-11 s
      for the 20,000 draws), hence not a default; measured below.
    * with ``irtree`` (off by default), both ratios also against Böckenholt's (2012) IRTree
      reading of the answer model (:func:`~iur_survey.clean.indices.irtree_item_loglik`: the
      copula of the answers' sides, a midpoint propensity and an extremity propensity of the
      person's own, :data:`~iur_survey.clean.indices.LR_EXTREME`), the lower ratio kept, with
      cut-offs from the same draws; measured below.

    Each has its own cut-offs: the ``1 - alpha`` and ``1 - far_alpha`` quantiles of the same
    statistic on 20,000 honest answers drawn from the fitted model (seeded: the same data
    give the same cut-offs).  Beyond ``alpha`` (.005) on either it is one piece of evidence
    (group ``likelihood``); beyond ``far_alpha`` (.001) it is far beyond the cut-off, if also
    beyond the ``1 - far_styles_alpha`` (.98) quantile of 2,000 honest answers drawn with each
    stretch of :data:`~iur_survey.clean.indices.LR_SCALES` above 1
    (:func:`~iur_survey.clean.indices.styled_answer_draws`; ``None``: the style-free draws
    alone).  The profile takes a stretch's mean effect away, not its spread: on answers
    drawn from the fitted model with the latent response stretched 1.36-2.1 times, 2-5 % lie
    beyond the style-free .999 quantile (an outside generator's model, N 1,515), and uniform
    random answers pick the same stretches (1.84-2.5), so no finer or wider grid separates the
    two (scales up to 4.6 or a 13 x 17 grid changed no exclusion).  Measured (outside
    generator, honest extreme responders' whole latent response stretched 1.6-2.6 times,
    plain CSV): N 1,515 seeds 1-3, extreme responders excluded 26 -> 9 of 418, all honest
    30 -> 12 of 3,999, random answers at an ordinary speed caught 93 -> 90 of 99, partly
    random 76 -> 75 of 81; N 3,000: extreme 16 -> 7 of 275, ordinary-speed random 64 -> 62
    of 65; its Qualtrics layout (N 1,515): extreme 25 -> 10, ordinary-speed random 95 -> 93,
    partly random 65 -> 61 of 81 (the tail ratio's share: with the whole ratio alone 63 of 81
    and extreme 12).  Cleaning 100,000 responses: 4.4 -> 5.0 s with 5,000 draws
    per stretch; 2,000 draws gave the same exclusions but one (ordinary-speed random 91 of 99).  At .001 instead of .02: extreme 6 of 418, but ordinary-speed random 86 of 99
    and, on a second outside generator (N 3,000), uniform random .944 -> .895 and on a
    third .713 -> .606.  At .02 those two and ``evaluate --generator real`` did not change.  A whole-form ratio
    beyond its style-free far level but within the guard is marked ``[within the style guard]`` (:data:`GUARDED`):
    the decision makes it far beyond where ``psychant`` flags too (an honest stretched responder still answers
    antonym pairs against each other; :mod:`iur_survey.clean.decision`, "Why the antonyms lift the style guard").
    Evaluated on rows with every item answered on the scale (others: not flagged).  Where it
    stands against the best possible screening: ``python -m iur_survey.clean.evaluate
    --bound`` (:mod:`iur_survey.clean.oracle`).

    ``change_point`` measured (careless recall / honest respondents excluded, default ->
    both tail ratios -> the change point alone): on an outside generator's styled exports
    (IRTree and nominal-response styles, N 1,500 and 3,000, five exports) partial random
    .505 -> .533 -> .552, uniform random .905 -> .890 -> .881, all careless unchanged (886
    of 1,047), honest 150 -> 142 -> 128 of 10,500 (IRTree 7.5 -> 7.1 -> 6.1 %); on its
    style-free exports partial random .810 -> .800 -> .771, honest 28 -> 28 -> 32; on a
    second outside generator (N 1,500 / 3,000, three seeds each) styled: partial random
    .911 -> .948 -> .941, honest .52 -> .47 -> .41 % (extreme-scaled 7.5 -> 6.2 -> 5.0 %),
    style-free: recall .888 -> .886 -> .883, honest .18 -> .21 -> .23 %; ``python -m
    iur_survey.clean.evaluate --generator all --n 800 3000 --formats csv``: partly careless
    simulator .792/.811 -> .792/.811 -> .750/.800, graded response .179/.130 -> .196/.130 ->
    .161/.093, varied .833 -> .811 -> .800 (N 3000).  Neither setting gains on every
    generator, and each costs 4-5 s per cleaning of 3,000 responses: not a default.

    Tails of 8 items or more measured too (Dec. 2026; seeds 1-3 pooled; default -> ``min_tail:
    8`` -> ``min_tail: 8, change_point: true, tails: false``): a third outside generator (29
    items, N 1,515; careful, then random or one answer from item 12-20 on; in its Qualtrics
    layout the attention check is item 17, before most tails) its partly careless 61 -> 61 ->
    63 of 81 (Qualtrics, styled) and 59 -> 61 -> 61 (style-free), of those with a random tail
    who pass the attention check 1 -> 1 -> 3 of 18 and 3 -> 5 -> 5 of 20 (Qualtrics), its honest
    respondents 13 -> 13 -> 12 of 3,999 (extreme 10 -> 10 -> 8 of 418); another (29 items,
    careful over 40-70 % of them, then random, straight or a pattern; N 800 / 3,000, styled and
    style-free) partly random 59 -> 59 -> 60 of 107, honest 124 -> 124 -> 118 of 20,520;
    another (28 items, careless from item 10-22 on) partly
    random 84 -> 85 -> 78 of 267 (tails of 11 items or fewer 7 -> 8 -> 5 of 116), honest 27
    -> 23 -> 27 of 20,064; ``evaluate --generator all --formats csv``, partly careless, N 800:
    simulator .875 -> .875 -> .875, graded response .179 -> .179 -> .161, bfi .077 -> .064 ->
    .064, foreign .038 -> .038 -> .077; N 3000 (default -> change point): .867 -> .856, .111
    -> .086, .101 -> .107, .082 -> .094; honest rates within .001.  No gain beyond the noise.
    The index alone, at each export's honest .995 quantile (the third generator, N 1,515):
    random tails caught by the whole ratio / the tail ratio / tails of 8 to k - 8 items / the
    change point (tails of 8 or more) 2 / 6 / 5 / 11 of 24 styled and 20 / 14 / 17 / 14 of 29
    style-free; the tail scored in the style its head picks (the head's best style on the grid,
    the tail given the head in it) 3 and 3 (a head of 8-20 answers picks a style that does not
    hold for the rest).  A random tail over the last 10-12 of 28 items is too short for any of
    these ratios at the rates the rule may exclude honest respondents: most of the partly
    careless respondents missed on these generators have such a tail (the third generator: 46
    of its 57 partial misses that passed the attention check, both layouts; the other 11 a
    straight tail of 3s or 4s, an answer the head gives often, which :func:`invariant_tail`
    flags but not far beyond its cut-off).

    Only those three styles are profiled out.  An honest answer process outside them whose
    answers are as incoherent as random ones is excluded like them: an outside check's
    IRTree respondents (Böckenholt 2012: a midpoint node, a direction node driven by the
    trait, an extremity node) were excluded at 7.5 % (80 of 1,063; N 1,500 and 3,000,
    Qualtrics CSV): those with a weaker trait and a lower midpoint propensity than the rest
    (at N 3,000, seed 1: mean absolute trait .62 against .82, midpoint propensity -.46
    against .04 SD), whose direction node then answers almost by chance; their ratios lie as
    far above the cut-off as the random responders' caught beside them (median 0.9 and 1.1
    above it).  With that generator's own IRTree model (the person parameters integrated out
    by Monte Carlo), the best test of uniform random against IRTree answers that excludes
    7.5 % / 5 % of its IRTree respondents catches .81 / .79 of the random responders who
    pass the attention check (.89 / .84 of all); the default catches .58 of them: the
    shortfall is the answer model's.  Where a stretch is the style (a second outside
    generator's threshold-scaling extreme responders, 7.45 % excluded, 36 of 483, all with
    this rule: far beyond it 15, beside ``size`` 21), the ratio is not pivotal in the style:
    answers drawn from the fitted model itself with a stretch of 1.6-2.5 (43-62 % end answers)
    lie beyond the style-free .995 cut-off 7-15 % of the time (the spread answers are nearer
    uniform and the ratio's SD rises from 3.5 to 5.8); cut-offs drawn at each person's fitted
    style took those responders 8.2 -> 0 % on one export but uniform random answers .978 ->
    .578 (random answers are best fitted by a stretch of about 2), and a copula with each
    style's own score correlation made the draws' excess larger (10.5 -> 12.2 %); neither is
    used.

    With ``far_styles_sample`` the guard is lowered to the stretches the sample shows: each ratio's
    far level becomes the larger of its style-free ``1 - far_alpha`` quantile and the smaller of
    the guard above and the ``1 - far_alpha`` quantile over honest draws whose stretches are mixed
    as in the sample (:func:`~iur_survey.clean.indices.sample_stretch_quantiles`: the profiled
    stretches of the reference rows below the flag levels, matched with the same on draws at each
    stretch, so random answers, most of them beyond the flag, do not pass for stretched honest
    ones).  A sample without stretched answering gets about the style-free far level; one with
    extreme responders keeps the guard.  Measured (Dec. 2026; default -> ``far_styles_sample:
    true``; seeds 1-3, the same exports as below): the fourth outside generator style-free 5- and
    7-point: honest 5 -> 7 of 5,287 and 3 -> 8 of 5,268, random answers at an ordinary speed 41 ->
    48 of 75 and 40 -> 55 of 65, all careless .813 -> .841 and .829 -> .882, precision .990 ->
    .987 and .994 -> .986; its styled exports unchanged; the stretched-extreme generator
    style-free: honest 3 -> 4 of 5,211, random 120 -> 124 of 129, styled unchanged (extreme 1.6
    %); the fifth, the noisy-person one and ``evaluate --generator all --n 800 3000`` unchanged.
    The guard then protects only as many stretched respondents as the sample shows: a small
    extreme group loses part of it (scratch check: 28 items, N 1,500, 40 random rows, honest
    rows' whole latent response stretched 2.2 times; far beyond by this rule, seeds 1-6: a 1 %
    group 0 -> 3 of 90, a 2 % group 1 -> 5 of 180, random rows 158 -> 188 and 159 -> 185 of 240;
    seeds 1-3: a 3 % group 2 -> 6 of 135, a 6 % group 5 -> 5 of 270).  That rise of 2-3 points
    for a small style is why it is not a default (remeasured with seeds 1-12, far beyond: a 1 % group 1 -> 6 of
    180, 2 % 3 -> 11 of 360, 3 % 7 -> 18 of 540, random rows 322 -> 371, 323 -> 362, 321 -> 358 of 480; on the
    outside generators and ``evaluate --generator all --n 800 3000 --formats csv`` the figures above held on
    Dec. 7, 2026).  Its cost (100,000 responses of 28 items, this rule alone, CPU with one BLAS thread): 0.80 s
    without, 1.42 s with it (2,000 draws at each of the seven stretches, and the stretches of at most 20,000
    reference rows spread over the file, profiled; every row's: 2.70 s, the same far levels).

    With ``predictive`` (on by default) a tail ratio beyond its cut-off is also far beyond where
    the tail is unlike what the person's careful head predicts
    (:func:`~iur_survey.clean.indices.random_predictive_tail_lr`: the style learnt from the head,
    integrated over the grid, and the tail's likelihood given the head in it, against uniform
    random answers; heads and tails of ``min_tail`` items or more) beyond that ratio's own ``1 -
    far_alpha`` quantile on the same style-free draws, with no stretched-draws guard: an honest
    stretched responder's head shows the stretch, so the ratio hardly depends on the style (on
    answers drawn from the fitted model of an outside generator, 28 items, N 1,515, seeds 1-3,
    stretched 1.84 or 2.5 times, 0.1-0.8 % lie beyond its style-free .999 quantile; the tail
    ratio's 2.5-11.5 %, hence its guard).  Scoring the tail in the head's best style instead (a
    plug-in) overfits a head of 4-8 answers: that ratio's honest .999 quantile was 45-115 and it
    separated fewer random tails.  Measured (Dec. 2026; ``predictive: false`` -> ``true``; seeds 1-3):
    the fourth outside generator (29 items, N 459 and 1,515, plain CSV), random tails that pass the
    attention check excluded, styled 5- / 7-point 21 -> 23 of 98 and 24 -> 29 of 101, style-free 12
    -> 18 of 86 and 17 -> 28 of 101, all partly careless 72 -> 74, 84 -> 89, 75 -> 81, 77 -> 88 of
    160-162, honest 40 -> 40, 30 -> 30, 5 -> 5, 3 -> 4 of 5,268-5,287 (extreme responders 14 -> 14
    and 22 -> 22); the stretched-extreme generator partly random 98 -> 99 and 95 -> 97 of 105 (styled
    / style-free), honest 15 -> 16 and 3 -> 3 of 5,211 (extreme 9 -> 9); the fifth (Qualtrics, N 300
    / 800 / 3,000) partial 186 -> 187 and 189 -> 190, honest 51 -> 52 and 10 -> 11 of 10,824; the
    noisy-person one partial 146 -> 147 and 163 -> 164, honest 18 -> 19 and 8 -> 9 of 10,824 (no
    style above 0.5 %); ``python -m iur_survey.clean.evaluate --generator all --n 800 3000 --formats
    csv``, partly careless N 800 / 3000: graded response .196/.117 -> .196/.130, real .077/.101 ->
    .090/.116, foreign .077/.082 -> .077/.094, varied (late tails) .500/.344 -> .500/.367, simulator
    and style-free unchanged; honest rates within .001 (extreme responders N 3000 .006 -> .007).
    Cost (100,000 responses of 28 items, this rule alone, one BLAS thread): 0.8 -> 1.2 s of CPU,
    nearly all the ratio on the 20,000 draws (the responses' only where the tail ratio flags and
    neither ratio is already far beyond).

    With ``predictive_screen`` (.95 by default) the predictive ratio is far beyond *on its own*, not only beside
    a tail ratio beyond its cut-off: wherever the tail ratio (exact, midpoint propensity profiled) lies beyond
    its ``predictive_screen`` quantile on the draws, and the predictive ratio beyond the ``1 - far_alpha``
    quantile of the same screened statistic on the same draws (the draws below the screen count as below every
    cut-off, so the level is exact and the cut-off lower than the unscreened one). ``None``: only where the tail
    ratio flags (the rule before Dec. 7, 2026). Where the partly random answers were lost (Dec. 2026, the
    seventh outside generator: 28-30 items, random from 40-60 % of them on, 543 that pass the attention check):
    404 not flagged by either ratio, 47 flagged but not excluded (no second group), 92 excluded; at each
    export's own honest 1.5 % quantile (tuned with the truth) the tail ratio caught .34, the predictive .39, the
    same with the answer model fitted on the honest rows alone .41 / .46: the answer model's evidence, not a
    cut-off, is what the generator's noisy honest people (a person noise scale and person-item offsets) leave.
    The screen: on the tail ratio's style-free bound instead (its .9 quantile, no midpoint propensity) honest
    midpoint responders were excluded, their head answered in the middle predicting the tail badly (the
    predictive ratio has no midpoint propensity): the fifth outside generator's 23 -> 31 of 779 (3.0 -> 4.0 %,
    mixes with a midpoint style 2.5 -> 3.3 %), for +2 careless; their tail ratio lies at its .75-.95 quantile,
    the random tails' beyond .99. Measured (Dec. 7, 2026; ``predictive_screen: null`` -> ``0.95``; the harness
    of four outside generators and the seventh; random tails that pass the attention check, all careless,
    honest): the fourth outside generator styled 5- / 7-point 23 -> 25 of 98 and 29 -> 35 of 101, careless 514
    -> 516 and 555 -> 561, honest 40 -> 44 of 5,287 (extreme 14 -> 16 of 828) and 30 -> 31 of 5,268; style-free
    18 -> 24 of 86 and 28 -> 33 of 101, careless 522 -> 528 and 553 -> 558, honest 5 -> 8 and 4 -> 7; the fifth
    (Qualtrics) style-free 31 -> 37 of 55, careless 1,210 -> 1,218, honest 11 -> 13 of 10,824; styled 23 -> 23
    of 41, careless 1,207 -> 1,208, honest 52 -> 56 (midpoint 23 -> 25 of 779); the noisy-person one (style-free
    / styled) partly careless 164 -> 167 and 147 -> 152, honest 9 -> 12 and 19 -> 26 of 10,824; the
    stretched-extreme one recall equal, honest 3 -> 4 and 16 -> 18 of 5,211; the seventh random tails 46 -> 57
    of 272 (styled) and 46 -> 59 of 271 (style-free), careless 3,820 -> 3,833 and 3,834 -> 3,849 of 5,166,
    honest 207 -> 219 and 224 -> 233 of 36,900, its honest respondents whose general factor moves after 40-65 %
    of the items 6 -> 8 of 1,073. ``python -m iur_survey.clean.evaluate --generator all --n 800 3000 --formats
    csv`` (N 800 / 3000): partly careless, graded response .196/.130 -> .196/.148, real people (bfi) .090/.116
    -> .090/.148, foreign .077/.094 -> .154/.094, varied (late tails) .500/.367 -> .500/.389; all careless rises
    or holds on every generator (simulator .833/.832 -> .833/.833, style-free .798/.817 -> .804/.821, bfi
    .429/.452 -> .429/.463); honest within .001 (bfi .007 -> .008 at N 3000), a style at most 0.3 point (varied
    extreme responders .011 -> .014 at N 3000). Cost (100,000 responses of 28 items, this rule alone, CPU with
    one BLAS thread): 1.03 -> 1.17 s (the predictive ratio on the 1,000 screened draws instead of all 20,000;
    the screen from one more pass over the draws, profiling the 15 % of them whose style-free ratio is highest;
    the predictive ratio on the responses whose tail ratio's bound passes the screen, 12 % of them there, and
    the exact tail ratio only where it would be far). The predictive ratio as a piece of evidence at its .995
    quantile (a flag, excluded beside a second group) was measured offline on the seventh generator and dropped:
    +8 random tails and +14 careless for +22 honest (only 8 of 48 newly flagged random tails had a second
    group).

    With ``integrated`` (off by default) the whole-form ratio is
    :func:`~iur_survey.clean.indices.integrated_lr`: the shift and stretch averaged over the
    grid with a uniform prior instead of maximised (no midpoint propensity), with its own
    cut-offs from the same style-free draws and no stretched-draws guard on it (the tail ratio
    keeps its profile and guard).  Measured (Dec. 2026; default -> ``integrated: true``; seeds 1-3,
    honest excluded, honest extreme responders excluded, careless excluded): a fourth outside
    generator (29 items, N 459 and 1,515, plain CSV; random answers at an ordinary speed that
    pass the attention check), styled 5-point: honest 59 -> 60 of 5,287, extreme 14 -> 15 of
    828, random 34 -> 38 of 63, careless 512 -> 517 of 635; styled 7-point: honest 36 -> 40 of
    5,268, extreme 22 -> 25 of 848, random 47 -> 55 of 70, careless 549 -> 560 of 654;
    style-free 5- and 7-point: honest 5 -> 6 and 3 -> 7, random 41 -> 54 of 75 and 40 -> 58 of
    65; a fifth (N 300 / 800 / 3,000, Qualtrics, styled): honest 58 -> 59 of 10,824, careless
    1,188 -> 1,191 of 1,476, style-free 1,190 -> 1,189; but the generator whose honest extreme
    responders' whole latent response is stretched 1.6-2.6 times (the one the guard was
    measured on, N 459 and 1,515, plain CSV): extreme 9 -> 22 of 546 (1.6 -> 4.0 %), honest
    15 -> 28 of 5,211, careless 692 -> 694 of 711; and one with noisy persons (N 300 / 800 /
    3,000): careless 812 -> 804 of 1,476 (uniform random 153 -> 146 of 219: the integrated
    cut-offs lie further above the profiled ones there than the random rows' ratios do), honest
    17 -> 16 of 10,824; ``python -m iur_survey.clean.evaluate --generator all --n 800 3000
    --formats csv``, all careless N 800 / 3000: simulator .824/.830 -> .824/.828, graded
    response .758/.793 -> .750/.794, bfi .417/.436 -> .417/.433, foreign .660/.669 ->
    .653/.672, varied .774/.756 -> .771/.755, honest within .001.  It gains where the guard
    binds and the style is a small one, and
    loses the guard's protection of stretched honest answers: not a default.

    Honest people who answer more noisily than the sample's model (a person's own unique variance; person
    reliability varies in real data) lie in the ratio's upper tail, where random answers are: the cut-offs
    come from draws in which everyone is equally noisy.  On an outside generator with each person's unique SD
    times k ~ lognormal(0, .3) (N 3000, seeds 1-3, no response styles) this ratio alone, far beyond its .999
    cut-off, excluded 0.56 % of the honest respondents (0.04 % without the spread of k), 0.12 % of those with
    k < 1.2 and 8.0 % of those with k >= 1.8.  An empirical null (Efron 2004) cannot widen the cut-offs for it:
    below their median the honest ratios spread as the draws' (5 % to median 6.44 against 6.45), the excess is
    all above (.99 / .999 quantiles 3.59 / 9.80 against -0.16 / 3.98); and a mixture ratio against answers each
    random with probability .25-.55 (intermittent carelessness) caught that generator's intermittent
    responders no better for the honest exclusions it cost (beyond the draws' .999: .19 -> .23-.26 for honest
    .021 -> .025-.029, and .31 -> .28-.31 for .013 -> .012-.016), so neither is used.

    The answer model is fitted on the reference rows, the random responders who pass the attention check among them
    (a few %), and a fit on the honest rows alone ranks random answers better (a fourth outside generator, N 1,515,
    seeds 1-3, at each export's honest .995 quantile: random answers styled 5-point .82 -> .94, 7-point .81 -> .89,
    partly random on the tail ratio .32 -> .46 and .34 -> .43).  All of it is the copula ``R``: the sample's shares
    with the honest ``R`` give .94 / .89, the honest shares with the sample's ``R`` .84 / .81, and the shares
    corrected for the true share of uniform answers .82 / .83.  No fit measured without the truth gets it back (Dec.
    2026, same exports; styled 5- / 7-point, whole ratio at .995): an EM fit of the two-part mixture honest (the
    style integrated over the grid, :func:`~iur_survey.clean.indices.integrated_lr`) against uniform, each row
    weighted by its posterior of honest (at least .2), .82 / .81: the grid gives uniform answers a likelihood only
    about ``e^3`` below the honest one (random rows' integrated ratio median 3.0, honest extreme responders' .99
    quantile 2.4), so the mixture's share of random rows comes out .000-.011 against .022-.031 of answers, and the
    random rows keep a median weight of .92; ``R`` fitted without the rows beyond either flag level (84-91 % of the
    random rows, but also 13-32 honest rows a styled export, mostly extreme responders) .80 / .83 (without the
    flagged careless rows only, a fit that needs the truth, .90 / .89: dropping the flagged extreme responders costs
    as much as dropping the random rows gains); without the rows whose stretch-free incoherence ``z'R^-1 z / z'z``
    is beyond the draws' .95 quantile (13-17 % of the random rows, 4.5 % of the honest) .82 / .81; each row read
    with its own leave-one-out ``R`` .82 / .85; ``R`` corrected for the true share of random rows .82 / .81; without
    the rows beyond the .95 quantile of :func:`correlation_likelihood`'s ratio (0-3 % of the random rows: uniform
    answers do not have the sample's shares) .80 / .83.  So the fit stays the sample's.

    ``irtree`` measured (default -> ``random_likelihood: {irtree: true}``): the IRTree
    generator's styled exports (five, N 1,500 / 3,000): IRTree respondents 7.5 -> 2.5 %
    excluded (80 -> 27 of 1,063; with a strong extremity 2.9 -> 1.3 %, midpoint 3.6 -> 2.4
    %), all honest 150 -> 75 of 10,500, careless 886 -> 877 of 1,047 (uniform random .905 ->
    .895, partly random .505 -> .438); its style-free exports: careless 946 -> 941 (partly
    random .810 -> .752), honest 28 -> 27; the second generator (six styled exports): recall
    .883 -> .878, honest .52 -> .42 % (threshold-scaling extreme 7.45 -> 6.00 %), style-free
    recall .888 -> .884; a graded-response generator with person-specific thresholds and
    IRTree styles (four exports): IRTree respondents 1.4 -> 0.5 %, careless 396 -> 391 of 494;
    ``python -m iur_survey.clean.evaluate --generator all --n 800 3000 --formats csv``, all
    careless N 800 / 3000: simulator .829/.831 -> .824/.833, graded response .758/.792 ->
    .746/.772 (random .904 -> .865 at N 3000), bfi .429/.472 -> .404/.437, foreign .667/.681
    -> .653/.644, varied .759/.760 -> .762/.744, style-free .810/.824 -> .810/.822.  It
    halves the honest exclusions of IRTree styles and costs careless recall on most
    generators, and 2.3 s of CPU per 100,000 responses: not a default.  With ``size`` also
    taken apart from ``likelihood`` (:mod:`iur_survey.clean.decision`), the only setting
    measured that kept every honest style of these generators at or under 5 % (IRTree 1.7 %,
    threshold-scaling extreme 4.35 %), careless answers caught fell further (IRTree
    generator 886 -> 869 of 1,047, partly random .505 -> .410; second generator .883 -> .874;
    bfi .472 -> .402, graded response .792 -> .770 at N 3000).

    Items on different scales (``scale:`` of a construct or item): every item is read with its
    own categories (its detail names the scales).  A uniform random answer to item ``j`` has
    probability ``1 / m_j`` of its own ``m_j`` categories; the answer model's thresholds are the
    item's (none above its top, :func:`~iur_survey.clean.indices.item_categories`); the shift and
    the stretch act on each item's latent response about its own scale's middle (the middle of
    its middle category, or the threshold between its two middle categories); the midpoint
    propensity acts only on the items whose scale has a middle answer.  A 4-point item has
    none, and its answer is then the style's, without the factor ``1 - p`` of "not the middle":
    the middle node of an IRTree is not offered (Böckenholt 2012 models even-point items
    without it), and a midpoint responder there chooses a side as everyone does.  Counting the
    factor would lower every midpoint responder's likelihood by ``log(1 - p)`` per such item and
    make the propensity a worse explanation the more 4-point items there are (honest respondents
    giving the middle answer to 80 % of the items that have one, 10 % of N 2000, seeds 1-3:
    :func:`invariant_tail` flagged 2 of 600 of them, 20 with the factor); treating the two
    central answers as the middle would count the 2s and 3s of honest respondents, half of all
    answers, as the style's.  Measured (scratch generator: 16 items on 1-5, 4 on 1-4, 8 on 1-7,
    5 % uniform random responders, N 600 / 2000, seeds 1-4), the largest one-scale set (16 items,
    before 2026-12) -> every item: random responders flagged .100 -> .150 / .115 -> .242 (all
    items on 1-5: .133 / .223), excluded .083 -> .117 / .083 -> .170 (.100 / .172); honest
    respondents flagged by the rule .31 -> .31 % / .36 -> .22 %, excluded by any rule .13 -> .04 %
    / .11 -> .14 % (all items on 1-5: .13 / .09 %).

    >>> from iur_survey.instrument import load_instrument
    >>> rng = np.random.default_rng(2)
    >>> cols = [c for c in load_instrument().item_codes if c[:3] in ("GOV", "MKT", "BEN", "VAL")]
    >>> f = np.repeat(rng.normal(size=(800, 4)), 4, axis=1)
    >>> df = pd.DataFrame(np.clip(np.round(3.6 + f + rng.normal(scale=.7, size=(800, 16))), 1, 5), columns=cols)
    >>> df.loc[:7] = rng.integers(1, 6, size=(8, 16))          # eight random responders
    >>> df.loc[8:15, cols[6:]] = rng.integers(1, 6, size=(8, 10))  # eight that turn random at item 7
    >>> hit = random_likelihood(df, load_instrument()).notna()
    >>> int(hit[:8].sum()) >= 6, int(hit[8:16].sum()) >= 4, bool(hit[16:].mean() < 0.015)
    (True, True, True)
    """
    fitted = _reference_model(frame, instrument, reference, order=order)
    if fitted is None:
        return _not_judged(frame, _no_model(frame, instrument, reference, order=order))
    cols, (tau, r, null) = fitted                        # honest answers drawn from the fitted model give the cut-offs
    codes = _scale_codes(frame, instrument, cols)        # questionnaire direction: acquiescence is a shift
    k = len(cols)
    one = min_tail if tails and min_tail < k else None
    change = min_tail if change_point and min_tail < k else None
    split = 2 if one and change else 1                   # both tail ratios: each at half the level
    probs, halves = [1 - alpha, 1 - far_alpha], [1 - alpha / split, 1 - far_alpha / split]
    # profiling a person's style only where it can matter (the indices' above), exactly
    ext = LR_EXTREME if irtree else ()                   # the IRTree reading beside the styles (option)
    if one:
        crits = random_lr_quantiles(null, tau, r, halves, one, extreme=ext)   # whole, tail x probs
        if split == 2:                                                # the whole ratio keeps its own level
            crits[0] = random_lr_quantiles(null, tau, r, probs, extreme=ext)
        lrs = random_lrs(codes, tau, r, one, above=crits[:, 0], extreme=ext)
    else:
        crits = np.atleast_2d(random_lr_quantiles(null, tau, r, probs, extreme=ext))
        lrs = random_lr(codes, tau, r, above=crits[0, 0], extreme=ext)[:, None]
    free = crits[:, 1].copy()                            # the style-free far levels
    if far_styles_alpha is not None:                     # far: also beyond the honest quantile of every stretch
        for sc in LR_SCALES[LR_SCALES > 1]:              # (extreme styles; the profile is not pivotal in them)
            sd = styled_answer_draws(tau, r, float(sc), n=2000)
            if one:
                q = random_lr_quantiles(sd, tau, r, [1 - far_styles_alpha / split], one, extreme=ext,
                                        scale=float(sc))[:, 0]
                crits[:, 1] = np.fmax(crits[:, 1], q)
                if split == 2:
                    crits[0, 1] = max(crits[0, 1], random_lr_quantiles(sd, tau, r, [1 - far_styles_alpha],
                                                                       extreme=ext, scale=float(sc))[0])
            else:
                crits[0, 1] = max(crits[0, 1], random_lr_quantiles(sd, tau, r, [1 - far_styles_alpha], extreme=ext,
                                                                   scale=float(sc))[0])
    if far_styles_alpha is not None and far_styles_sample:   # the guard lowered to the sample's own stretches
        ref = np.ones(len(frame), dtype=bool) if reference is None else np.asarray(reference, dtype=bool)
        far_p = [1 - far_alpha] + [1 - far_alpha / split] * (len(crits) - 1)
        own = sample_stretch_quantiles(codes[ref], tau, r, crits[:, 0], far_p, one, extreme=ext)[0]
        crits[:, 1] = np.fmax(free, np.fmin(crits[:, 1], own))
    if integrated:                                       # the whole ratio with the style averaged over the grid:
        lrs[:, 0] = integrated_lr(codes, tau, r)         # its own draws' cut-offs, no stretched-draws guard
        crits[0] = np.quantile(integrated_lr(null, tau, r), probs)
        free[0] = crits[0, 1]
    note = _own_scales_note(cols, instrument)             # mixed scales: which
    what = [("random-answer likelihood ratio", f"over {k} items{note}", alpha, far_alpha)]
    if one:
        what.append(("random-tail likelihood ratio", f"over tails of {one} to {k} items{note}", alpha / split,
                     far_alpha / split))
    if change:                                           # every row profiled: no bound prunes the change point
        crits = np.vstack([crits, np.quantile(random_change_lr(null, tau, r, change), halves)])
        lrs = np.column_stack([lrs, random_change_lr(codes, tau, r, change)])
        what.append(("change-point likelihood ratio", f"over tails of {change} to {k} items (the careful head in "
                     f"its own style){note}", alpha / split, far_alpha / split))
    pred, pfar = np.full(len(frame), np.nan), np.inf
    if predictive and one and 2 * one <= k:              # far beyond also by the tail predicted from the head:
        if predictive_screen is None:                    # only where the tail ratio flags (its draws all)
            pfar = np.quantile(random_predictive_tail_lr(null, tau, r, one, one), 1 - far_alpha / split)   # no guard
            with np.errstate(invalid="ignore"):
                rows = np.flatnonzero((lrs[:, 1] > crits[1, 0]) & ~(lrs > crits[:, 1]).any(axis=1))
        else:                                            # where the tail ratio lies beyond its screen quantile
            screen, nl = _tail_screen(null, tau, r, one, ext, predictive_screen, crits[1, 0])   # on the draws
            on = np.flatnonzero(nl > screen)             # the draws screened as the rows: the cut-off's level exact
            pn = np.full(len(null), -np.inf)
            pn[on] = random_predictive_tail_lr(null[on], tau, r, one, one)
            pfar = np.quantile(pn, 1 - far_alpha / split)                            # no guard
            with np.errstate(invalid="ignore"):          # rows: lrs bounds the tail ratio below its flag level
                rows = np.flatnonzero((lrs[:, 1] > screen) & ~(lrs > crits[:, 1]).any(axis=1))
        pred[rows] = random_predictive_tail_lr(codes[rows], tau, r, one, one)
        if predictive_screen is not None:                # the exact tail ratio only where the predictive one
            with np.errstate(invalid="ignore"):          # would be far beyond (fewer rows to profile)
                rows = np.flatnonzero((pred > pfar) & ~(lrs[:, 1] > crits[1, 0]))
            if len(rows):
                low = random_lrs(codes[rows], tau, r, one, above=(None, screen), extreme=ext)[:, 1] <= screen
                pred[rows[low]] = np.nan
    texts = np.full(len(frame), None, dtype=object)
    free = np.concatenate([free, crits[len(free):, 1]])  # rows added after the guard (change point): no guard
    for (name, over, a, fa), lr, (crit, far), far0 in zip(what, lrs.T, crits, free):
        with np.errstate(invalid="ignore"):
            hit = np.flatnonzero(lr > crit)
        for i in hit:
            t = (f"{name} {lr[i]:.2f} {over} > {crit:.2f}, its {_detail_number(1 - a)} quantile for honest "
                 f"answers drawn from the sample's answer model (" + (
                     "the person's shift and stretch integrated out, uniform over the grid)" if integrated and
                     name == "random-answer likelihood ratio" else
                     f"the person's shift, stretch and midpoint propensity "
                     f"{'or IRTree extremity ' if irtree and name != 'change-point likelihood ratio' else ''}"
                     f"profiled out)"))
            if lr[i] > far:
                t = _far(f"{t}, and > {far:.2f}, " + (f"its {_detail_number(1 - fa)} quantile" if far <= far0 else
                                                      f"the guard for stretched answer styles (above its "
                                                      f"{_detail_number(1 - fa)} quantile {far0:.2f})"))
            elif name == "random-answer likelihood ratio" and far0 < lr[i] and not integrated:
                t = (f"{t}, beyond its {_detail_number(1 - fa)} quantile {far0:.2f} but within the guard for "
                     f"stretched answer styles {far:.2f} [{GUARDED}]")
            elif name == "random-tail likelihood ratio" and pred[i] > pfar:
                t = _far(f"{t}, and the tail predicted from the careful head in its style: predictive-tail "
                         f"likelihood ratio {pred[i]:.2f} > {pfar:.2f}, its {_detail_number(1 - fa)} quantile")
            texts[i] = t if texts[i] is None else f"{texts[i]}; {t}"
    if one:                                              # far by the predicted tail where no ratio above says so
        with np.errstate(invalid="ignore"):              # (the tail ratio below its cut-off, or the whole ratio's
            alone = [i for i in np.flatnonzero(pred > pfar) if texts[i] is None or FAR not in texts[i]]   # hit)
        fa = far_alpha / split
        for i in alone:
            t = _far(f"predictive-tail likelihood ratio {pred[i]:.2f} over tails of {one} to {k - one} items{note} > "
                     f"{pfar:.2f}, its {_detail_number(1 - fa)} quantile for honest answers drawn from the sample's "
                     f"answer model (the tail against its prediction from the careful head, the person's shift and "
                     f"stretch learnt from the head)")
            texts[i] = t if texts[i] is None else f"{texts[i]}; {t}"
    hit = texts != None  # noqa: E711
    return _details(frame, hit, list(texts[hit]))


def _tail_screen(null: np.ndarray, tau: np.ndarray, r: np.ndarray, one: int, ext, prob: float, most: float
                 ) -> tuple[float, np.ndarray]:
    """The tail ratio's ``prob`` quantile over the draws ``null`` (at most ``most``) and the draws' tail ratios,
    exact above it (below: an upper bound).  Profiles only the draws whose style-free ratio (an upper bound) is
    beyond a quantile of the bounds, lower and lower until the draws beyond ``prob`` are all exact there."""
    bound = random_lrs(null, tau, r, one, above=(np.inf, np.inf))[:, 1]      # the style-free ratio alone
    for q in (1 - 3 * (1 - prob), 1 - 6 * (1 - prob), 0.0):
        low = -np.inf if q <= 0 else float(np.quantile(bound, q))
        tail = random_lrs(null, tau, r, one, above=(None, low), extreme=ext)[:, 1]
        if q <= 0 or np.mean(tail > low) >= 1 - prob:                         # the quantile lies among exact ones
            return min(float(np.quantile(tail, prob)), most), tail


def correlation_likelihood(frame: pd.DataFrame, instrument: Instrument, *, alpha: float = 0.005,
                           far_alpha: float = 0.001, styles: bool = True, far: bool = False,
                           reference: pd.Series | np.ndarray | None = None, order: list[str] | None = None
                           ) -> pd.Series:
    """Flag answers that ignore the item correlations while matching each item's honest answers.

    :func:`random_likelihood` compares uniform random codes with the answer model: random
    answers whose shares match the honest ones (on items whose honest answers spread over the
    scale, or a responder who picks plausible answers without reading) are nearly as likely
    under it.  Here the alternative is independent answers with the sample's own category
    shares (:func:`~iur_survey.clean.indices.correlation_lr`: only the item correlations tell
    the two apart; the style-free ratio is the Gaussian ``z'(R^-1 - I) z / 2 + log|R| / 2`` on the
    answers' normal scores, Anderson 2003, *An Introduction to Multivariate Statistical Analysis*,
    sect. 3.2; a Neyman-Pearson ratio, 1933; the person's shift and stretch profiled out as in
    :func:`random_likelihood`).  Cut-offs: the ``1 - alpha`` and ``1 - far_alpha`` quantiles of
    the same statistic on the 20,000 honest answers drawn from the fitted model (seeded), as
    :func:`random_likelihood`'s.  Evidence group ``likelihood``
    (:mod:`iur_survey.clean.decision`), where the inconsistency indices do not count beside it
    (they read the same correlations).  Run by default as evidence only; ``far: true``: beyond
    ``far_alpha`` it is far beyond the cut-off (excludes alone).  ``styles: false``: the
    style-free ratio.  Evaluated on rows with every item answered on the scale.  The profile is
    computed only for the rows (and draws) whose style-free ratio, its upper bound, passes the
    cut-off (:func:`~iur_survey.clean.indices.correlation_lr`'s ``above``): 0.2 s of CPU per
    100,000 responses of 28 items (1.1 s profiling every row).

    Why it runs, and as evidence only (the harness of four outside generators, 89 exports, and
    ``python -m iur_survey.clean.evaluate --generator all --n 800 3000 --formats csv``, seeds
    1-3; rule off -> on, ``far: false``): answers drawn from each item's own honest shares
    caught .526 -> .559 / .562 -> .599 (outside generator, styled / style-free; among those
    passing its attention check .073 -> .138 / .069 -> .147) and .443 -> .450 / .387 -> .408
    (IRTree generator), the package's varied generator's .704 -> .726 (N 3000), bfi's random
    answers .319 -> .350; no recall fell; honest exclusions rose by at most 3 of 10,824 on any
    harness generator, and by at most 0.6 point for any style on any generator.  Far beyond
    its ``far_alpha`` alone it took that outside generator's honest mixed-style respondents 2.7
    -> 4.1 %, and the style-free ratio its extreme ones 0.3 -> 4.3 % (far) / 1.0 % (evidence
    only), the 7-point generator's extreme ones 2.6 -> 7.8 / 3.5 %: so the profiled ratio,
    evidence only (figures in :mod:`iur_survey.clean.decision`).

    Measured earlier, with far beyond counting alone, against the rule off (csv, N 800 and 3000, seeds 1-3
    unless said; careless recall, honest excluded): on a generator of IRTree styles and marginal-matched random
    answers, styled, .549 -> .558 (profiled) / .569 (``styles: false, far: false``), honest
    0.37 -> 0.43 / 0.50 %; style-free .560 -> .570 / .583, honest 0.18 -> 0.20 / 0.18 %; on psych's
    bfi (``python -m iur_survey.clean.evaluate --generator real``) random answers .227/.319 ->
    .250/.372 (profiled), honest 0.4/0.5 -> 0.5/0.5 %; but on an outside generator (item-mean
    stretch extreme responders, noisy persons) precision fell on its style-free exports (.963/.916
    -> .954/.904 profiled, .934/.875 style-free) and the style-free ratio far beyond its cut-off
    excluded 8.1 % of its extreme responders at N 3000.  Profiling the style costs most of the
    power (uniform random answers have more end answers than the honest shares, and a stretch
    explains them); a style-free ratio is not pivotal in a stretch.  Hence it was off while far beyond counted alone.

    >>> from iur_survey.instrument import load_instrument
    >>> rng = np.random.default_rng(2)
    >>> cols = [c for c in load_instrument().item_codes if c[:3] in ("GOV", "MKT", "BEN", "VAL")]
    >>> f = np.repeat(rng.normal(size=(800, 2)), 8, axis=1)                 # two scales of eight items
    >>> df = pd.DataFrame(np.clip(np.round(3 + f + rng.normal(scale=.6, size=(800, 16))), 1, 5), columns=cols)
    >>> df.loc[:9] = df.to_numpy()[rng.integers(10, 800, size=(10, 16)), np.arange(16)]  # honest shares, no correlation
    >>> hit = correlation_likelihood(df, load_instrument(), styles=False).notna()
    >>> int(hit[:10].sum()) >= 5, bool(hit[10:].mean() < 0.015)
    (True, True)
    """
    fitted = _reference_model(frame, instrument, reference, order=order)
    if fitted is None:
        return _not_judged(frame, _no_model(frame, instrument, reference, order=order))
    cols, (tau, r, null) = fitted
    codes = _scale_codes(frame, instrument, cols)
    grid = (LR_SHIFTS, LR_SCALES) if styles else (np.zeros(1), np.ones(1))
    crit, lim = correlation_lr_quantiles(null, tau, r, [1 - alpha, 1 - far_alpha], *grid)
    lr = correlation_lr(codes, tau, r, *grid, above=crit)       # exact wherever it could pass the cut-off
    note = _own_scales_note(cols, instrument)
    prof = "the person's shift and stretch profiled out" if styles else "no response style profiled"
    return _ratio_details(frame, lr, crit, lim, alpha, far_alpha, far,
                          lambda v: (f"correlation likelihood ratio {v:.2f} over {len(cols)} items{note} (answers "
                                     "with the items' own shares but without their correlations)"), f" ({prof})")


def _ratio_details(frame: pd.DataFrame, lr: np.ndarray, crit: float, lim: float, alpha: float, far_alpha: float,
                   far: bool, text, after: str = "") -> pd.Series:
    """The details of a likelihood-ratio rule: ``lr`` beyond ``crit`` flags, ``text(v)`` says what the ratio
    is, then its cut-off (the ``1 - alpha`` quantile of honest answers drawn from the sample's answer model,
    and ``after``); far beyond the cut-off where ``far`` and beyond ``lim``."""
    with np.errstate(invalid="ignore"):
        hit = lr > crit
    texts = []
    for v in lr[hit]:
        t = (f"{text(v)} > {crit:.2f}, its {_detail_number(1 - alpha)} quantile for honest answers drawn from the "
             f"sample's answer model{after}")
        texts.append(_far(f"{t}, and > {lim:.2f}, its {_detail_number(1 - far_alpha)} quantile") if far and v > lim
                     else t)
    return _details(frame, hit, texts)


def mixture_likelihood(frame: pd.DataFrame, instrument: Instrument, *, alpha: float = 0.005,
                       far_alpha: float = 0.001, far: bool = True, refit: bool = True,
                       reference: pd.Series | np.ndarray | None = None, order: list[str] | None = None
                       ) -> pd.Series:
    """Flag answers of which some, not all, look random: more like a per-item mixture of careful and random answers.

    Intermittent carelessness (each answer random with some probability, the rest careful, in
    the person's own style) leaves too few random answers for :func:`random_likelihood`'s whole-
    form ratio.  Here each answer is read given the person's other answers under the sample's
    answer model (:func:`~iur_survey.clean.indices.conditional_item_logp`, a pseudo-likelihood
    of the Gaussian copula, Besag 1975), and the alternative is that each answer is uniform random
    with a probability ``pi`` of the person's own (an item-level mixture of careful and careless
    answers as in Ulitzsch et al. 2022, *Psychometrika* 87:593-619; a Neyman-Pearson ratio, 1933,
    ``pi`` profiled; :func:`~iur_survey.clean.indices.mixture_lr`):
    a style moves all of a person's answers together and is profiled out (the statistic is the
    smallest over the styles), a random answer breaks from the items of its construct.
    Cut-offs: the ``1 - alpha`` and ``1 - far_alpha`` quantiles of the statistic on the 20,000
    honest answers drawn from the fitted model (seeded, as :func:`random_likelihood`'s); with
    ``refit`` (default) the draws are read against a model fitted on the draws themselves, as
    the sample is read against the model fitted on it (the draws' mid-point scores correlate
    less than the sample's: read against the sample's model they look partly random; on the
    first generator below, style-free, intermittent .261 without, .281 with it).
    Evidence group ``likelihood`` (:mod:`iur_survey.clean.decision`); ``far: false``: never
    far beyond the cut-off (evidence only).  Not run by default: ``rules: [...,
    mixture_likelihood]`` adds it.  Evaluated on rows with every item answered on the scale.
    Cost: 2.5 s of CPU per 100,000 responses of 28 items (1 s of it the draws' cut-offs).

    Measured against the rule off (csv, N 800 and 3000, seeds 1-3 pooled; off -> on -> ``far:
    false``; honest excluded of all honest respondents):

    * a generator of IRTree styles and person reliabilities with 28 % intermittent careless
      respondents (each answer random with p = .3-.5), styled: intermittent .226 [.187, .270]
      -> .273 [.231, .319] -> .255, all careless .549 -> .575 -> .565, honest 27 -> 36 -> 35 of
      10,032 (no style above 1.6 %), precision .965 -> .956 -> .957; style-free: intermittent
      .235 [.196, .280] -> .281 [.239, .327] -> .258, all careless .559 -> .591 -> .580, honest
      10 -> 12 -> 12, precision .987 -> .985 -> .985.  With
      ``alpha: 0.02``: intermittent .291 / .306, honest 51 / 17, precision .940 / .980.
    * an outside generator whose honest people differ in noise (unique SD x k, k ~
      lognormal(0, .3)), styled: intermittent .366 -> .393 -> .377, all careless .822 -> .827 ->
      .825, honest 51 -> 70 -> 67 of 10,260, precision .948 -> .931 -> .933; style-free:
      intermittent .568 -> .601 -> .601, honest 74 -> 102 -> 85, precision .931 [.914, .944] ->
      .908 -> .922 (honest people with k > 1.35: 3.9 -> 5.3 -> 4.5 %): the new exclusions are
      as many noisy honest people as careless ones.
    * psych's bfi (``python -m iur_survey.clean.evaluate --generator real``, N 800 / 3000):
      random answers .227/.319 -> .239/.372 -> .227/.359, honest 0.4/0.5 -> 0.5/0.5 -> 0.5/0.5 %,
      precision .917/.905 -> .893/.894 -> .892/.898.

    Hence off by default.  Where the power goes: on the first generator's style-free exports
    (N 3000, seed 1) the ratio at the honest respondents' own .995 / .985 quantiles catches
    .49 / .61 of the intermittent ones with the model fitted on the sample, .59 / .71 with it
    fitted on the honest rows alone (the Neyman-Pearson bound under that generator's true model:
    .60 / .73), but the draws' cut-off lies above the honest quantile (.31 caught at the draws'
    .995), and on styled exports honest people with a lower reliability reach the same values
    (.21 / .30 at their .995 / .985 quantiles).  Refitting the model without the rows beyond the
    cut-off changed the recall at the honest quantiles by -.12 to +.02; a person's noise
    profiled as a factor of 1 to 2 on the conditional SD (the smallest ratio over it) kept the
    outside generator's noisy people no better relative to its intermittent ones (at the draws'
    .005 level, noisy 6.6 -> 3.6 %, intermittent .375 -> .271).

    >>> from iur_survey.instrument import load_instrument
    >>> rng = np.random.default_rng(2)
    >>> cols = [c for c in load_instrument().item_codes if c[:3] in ("GOV", "MKT", "BEN", "VAL")]
    >>> f = np.repeat(rng.normal(size=(800, 4)), 4, axis=1)
    >>> x = np.clip(np.round(3 + f + rng.normal(scale=.5, size=(800, 16))), 1, 5)
    >>> x[:10] = np.where(rng.random((10, 16)) < .45, rng.integers(1, 6, size=(10, 16)), x[:10])  # partly random
    >>> hit = mixture_likelihood(pd.DataFrame(x, columns=cols), load_instrument()).notna()
    >>> int(hit[:10].sum()) >= 5, bool(hit[10:].mean() < 0.015)
    (True, True)
    """
    fitted = _reference_model(frame, instrument, reference, order=order)
    if fitted is None:
        return _not_judged(frame, _no_model(frame, instrument, reference, order=order))
    cols, (tau, r, null) = fitted
    codes = _scale_codes(frame, instrument, cols)
    model = answer_model(null, tau.shape[1] - 1) if refit else (tau, r)
    if refit and getattr(instrument, "mixed_scales", False):    # an item with fewer categories: none above its top
        model[0][tau == np.inf] = np.inf
    crit, lim = mixture_lr_quantiles(null, *model, [1 - alpha, 1 - far_alpha])
    lr = mixture_lr(codes, tau, r, above=crit)
    note = _own_scales_note(cols, instrument)
    return _ratio_details(frame, lr, crit, lim, alpha, far_alpha, far,
                          lambda v: (f"mixture likelihood ratio {v:.2f} over {len(cols)} items{note} (some answers "
                                     "random, the rest the person's own, against all the person's own, in every "
                                     "response style)"))


def invariant_tail(frame: pd.DataFrame, instrument: Instrument, *, alpha: float = 0.005,
                   far_alpha: float = 0.001, min_tail: int = 6, max_period: int = 1,
                   min_ratio: float = 3.0, far_ratio: float = 6.9, walks: bool = True, min_walk: int = 8,
                   seesaws: bool = True, seesaw_gap: int = 2,
                   reference: pd.Series | np.ndarray | None = None, order: list[str] | None = None) -> pd.Series:
    """Flag a careful start that ends in straight-lining or in walking the scale (partial carelessness).

    Items on different scales: every item with its own categories and styles, as in
    :func:`random_likelihood` (its detail names the scales).  "One answer" to items of different
    scales has more than one reading: the same code counted from the bottom (1 on 1-4 and on
    1-7), the same number (3 on 1-7 and on 0-10, when the scales' lowest codes differ) and the
    same place counted from the top ("Strongly agree": 4 on 1-4, 7 on 1-7, when their numbers of
    categories differ) and the same place counted from the middle (the middle answer, 3 on 1-5, 4 on 1-7,
    5 on 0-10, and so many steps above or below it; a 1-4 scale's lower or upper central answer taken for
    its middle, two readings; with ``max_period`` above 1 also each answer's place on the widest scale, so that
    a seesaw of each scale's ends repeats); a tail repeated in any of them counts, the careless hypothesis spread
    evenly over the readings (:func:`_tail_readings`; a tail within one scale repeats in all of
    them and loses nothing, one repeated in one reading of ``R`` pays ``log R``).  The
    probability of a motif under careless answering is ``1 / m_j`` of each of its items; a walk
    is one of the widest scale's.  Measured (scratch generator: 16 items on 1-5, then 4 on 1-4 and
    8 on 1-7; 5 % of the rows careful, then the last 10 items answered with one number of 1-4, or
    with each scale's top; N 600 / 2000, seeds 1-4 / 1-3), the 16 items on 1-5 alone (before
    2026-12) -> every item: one number flagged 0 -> .98 / .98, excluded 0 -> .87 / .86 (all items
    on 1-5: flagged .98 / .98); the top flagged 0 -> .96 / .98, excluded 0 -> .54 / .46 (1-5:
    .97 / .98, .54 / .51); with INT on 0-10 one number 0 -> 1.00 (N 600; .00 reading the codes
    alone); honest respondents excluded by any rule .13 -> .13 % / .16 -> .20 %.

    :func:`longstring` judges the longest run of one answer wherever it is, from half the
    items on (14 of 28); a respondent who answers with care and then gives one answer to the
    last third of the form leaves a run of 9-14, shorter than that cut-off and than many a
    consistent honest respondent's run.  This rule asks the likelihood instead
    (:func:`~iur_survey.clean.indices.invariant_tail_lr`; longstring, Johnson 2005, *J Res
    Pers* 39:103-129, as a change point, as Yu & Cheng 2019, *Psychol Methods* 24:658-674,
    do for a random tail): the generalised ratio of "honest, then one answer from some item
    on" against "honest throughout", the person's response style (shift, stretch, midpoint
    propensity; Böckenholt 2012) profiled out of each hypothesis on its own, under the
    sample's fitted answer model (as :func:`random_likelihood`), over tails of ``min_tail``
    (6) items or more.  A tail of the answer the rest already gives is likely either way
    (a consistent midpoint or acquiescent respondent); one that breaks from a varied start is
    not.  ``max_period`` above 1 also tries tails that repeat a motif of up to that many
    answers (a zig-zag has 8 on a 5-point scale); off by default: honest respondents' tails
    repeat some motif of 2-7 answers by chance, and on the evaluation exports (five
    generators, N 300 / 800 / 3000, seeds 1-3, csv) such tails excluded 41 honest
    respondents against 22 careless ones, straight tails 6 against 5 (those generators have
    no straight tails but the simulator's: the recall is measured below).

    With ``walks`` (on by default) a second ratio asks for a tail that walks the scale
    (:func:`~iur_survey.clean.indices.walk_tail_lr`: a zig-zag 1-2-3-4-5-4-3-2-... or a ramp
    1-2-3-4-5-1-2-..., over at least three answers, from ``min_walk`` (8) items on): the
    pattern is known, so it need not be seen twice as a motif of ``max_period`` must, and
    the careless hypothesis spreads its probability over the 76 phases of these patterns on
    a 5-point scale, not over all ``5 ** 8`` motifs.  Each ratio has its own cut-offs, alike.
    Measured (default -> with walks; ``python -m iur_survey.clean.evaluate --generator all
    --n 3000 --formats csv``, seeds 1-3): partly careless answers (random, one answer or a
    pattern after a careful start) on the package's simulator .811 -> .856, on the varied
    one .833 -> .856 and from item 18-21 on .244 -> .344; all careless .831 -> .836 and .760
    -> .769; 6 more honest respondents excluded of the five generators' 45,000 (0.013 %);
    on an outside generator (N 3000, seeds 1-3; a careful start, then a zig-zag on the last
    9-20 of 29 items) its partly careless .859 -> .911 (zig-zag tails over the last 9-14: 15
    of 22 -> 22 of 22) and all careless .946 -> .954, its honest exclusions unchanged (146 of
    9,000).

    With ``seesaws`` (on by default; ``seesaws: false`` restores the walks before them) the walks
    also include a seesaw between two answers at least two categories apart (1-5-1-5-...,
    2-4-2-4-...; :func:`~iur_survey.clean.indices.walk_motifs`; Meade & Craig 2012 and DeSimone,
    Harms & DeSimone 2015, *J Organ Behav* 36:171-181, name the alternating pattern); two
    neighbouring answers alternating (4-5-4-5) stay out.  The zig-zags and ramps then share their
    probability with 12 more phases (88 on a 5-point scale, ``log(88/76) = 0.15`` off their
    ratios).  Measured (main before -> with seesaws; pooled over seeds 1-3 and N 800 / 3000, csv,
    Wilson 95 % intervals): an outside generator (29 items, a careful start over 40-70 % of them,
    then a random, straight or patterned tail) its partial patterns styled .895 [.789, .951] ->
    .912 [.811, .962], style-free .885 [.782, .943] -> .951 [.865, .983] (its 1-5-1-5 and 2-4-2-4
    tails), honest exclusions 51 -> 50 and 74 -> 74 of 10,260; a second (28 items, careless from
    item 10-22 on) its partial patterns .574 [.442, .697] -> .648 [.515, .762] styled and .750
    [.623, .845] -> .839 [.722, .913] style-free, honest 27 -> 27 and 10 -> 8 of 10,032, no
    style's rate up; a mixed-scale generator (N 600, seeds 1-5 / N 2000, seeds 1-3) its seesaw
    tails on one 1-5 scale 26 / 19 % -> 98 / 94 %, on 1-4, 1-5, 1-7 and 0-10 items 24 / 18 % ->
    82 / 74 %, every honest style's rate unchanged; real people (``python -m
    iur_survey.clean.evaluate --generator real --n 800 3000 --formats csv``) unchanged.
    ``seesaw_gap: 1`` also reads two neighbouring answers alternating (3-4-3-4-...): on the two
    outside generators 16 more partly careless respondents excluded (outside .951 -> .984 of the
    style-free partial patterns; second generator's partial .506 -> .540 styled), none of their
    honest ones; but on the mixed-scale generator's one-scale exports two honest respondents
    more (4-5-4-5 over 8 and 10 items: "agree" and "strongly agree" in turn, LR 4.6 beside
    speed and 7.3 far beyond), and one more in the package's style-free evaluation, for no
    careless gain there; real people unchanged.  Hence 2 by default.

    Cut-offs: the ``1 - alpha`` (.995) and ``1 - far_alpha`` (.999) quantiles of the same
    statistic on 20,000 honest answers drawn from the fitted model, but at least
    ``min_ratio`` (3.0: the straight tail 20 times as likely as honest) and ``far_ratio``
    (6.9: 1,000 times), since the draws have no response styles (and seldom any straight
    tail: their quantiles are then ``-inf``).  One piece of evidence of the ``invariance``
    group; far beyond, an exclusion.  Rows with a missing or off-scale answer are not judged.

    A tail repeats exactly or not at all: a straight tail with a slip (one or two other
    answers in it) is read from after its last slip.  On an outside generator (29 items, N 800
    / 3,000, seeds 1-3, styled and style-free; a careful start, then one answer to the last
    30-60 %, 35 % of those tails with 1-2 slips) 84 of 93 exact straight tails were excluded
    (the 9 missed: the answer the head gave most) and 17 of 48 with slips.  A ratio that also
    reads a straight tail with up to 2 slips (careless probability ``(1 - e)^(t - d) (e / (m -
    1))^d / m`` of a tail of ``t`` answers with ``d`` slips, ``e = d / t``; against the head in
    its own style, cut-offs alike) flagged 19 of the 48 there, 7 far beyond (6 more excluded),
    but also 14 of its 20,520 honest respondents far beyond (10 more excluded), and 11 of 20,064
    and 5 of 15,996 on two other generators: not added.

    Measured (``python -m iur_survey.clean.evaluate --generator all``, N 300 / 800 / 3000,
    seeds 1-3, six formats, against the same without the rule): the foreign generator's
    partial straight-liners (a careful start, then one answer to the last third to half)
    excluded 0.86 / 0.88 / 0.96; the package simulator's partly careless 0.83 -> 0.88 and
    0.81 -> 0.84 at N 800 / 3000; honest exclusion 0.5 -> 0.6 % at most (N 3000), style-free
    precision 0.981 -> 0.980.  Honest answers whose last 9-14 of 28 were replaced by one
    answer (N 800, seeds 1-3, csv; scratch injection into the simulator, graded-response,
    bfi-based and foreign generators) were excluded in 83-100 % (by the middle answer:
    57-100 %), against 0-3 % without the rule.

    >>> from iur_survey.instrument import load_instrument
    >>> rng = np.random.default_rng(2)
    >>> cols = [c for c in load_instrument().item_codes if c[:3] in ("GOV", "MKT", "BEN", "VAL")]
    >>> f = np.repeat(rng.normal(size=(800, 4)), 4, axis=1)
    >>> df = pd.DataFrame(np.clip(np.round(3.6 + f + rng.normal(scale=.7, size=(800, 16))), 1, 5), columns=cols)
    >>> df.loc[:5, cols[9:]] = 1.0                   # six that turn to "1" for the last seven items
    >>> hit = invariant_tail(df, load_instrument())
    >>> int(hit[:6].notna().sum()), bool(hit[6:].notna().mean() < 0.015)
    (6, True)
    >>> hit[2][:58]
    'straight tail of 7 answers (1) from BEN2: likelihood ratio'
    """
    fitted = _reference_model(frame, instrument, reference, min_items=max(4, min_tail), order=order)
    if fitted is None:
        return _not_judged(frame, _no_model(frame, instrument, reference, max(4, min_tail), order))
    cols, (tau, r, null) = fitted
    codes = _scale_codes(frame, instrument, cols)              # -1 where missing or off the scale: not judged
    k = len(cols)
    # the answers' codes in a detail: each item's own lowest code (one scale: the instrument's)
    low = instrument.bounds(cols)[0] if getattr(instrument, "mixed_scales", False) else instrument.scale_min
    note = _own_scales_note(cols, instrument)
    texts = np.full(len(frame), None, dtype=object)

    def judge(stat, describe):
        # an observed value, not an interpolation: most draws have no such tail (-inf), and -inf - -inf is NaN
        crit, far = np.quantile(stat(null)[0], [1 - alpha, 1 - far_alpha], method="higher")
        crit, far = max(float(crit), float(min_ratio)), max(float(far), float(far_ratio))
        lr, length, kind = stat(codes)
        with np.errstate(invalid="ignore"):
            hit = np.flatnonzero(lr > crit)
        for i, v, t, what in zip(hit, lr[hit], length[hit], kind[hit]):
            text = (f"{describe(i, t, what)} from {cols[k - t]}: likelihood ratio {v:.1f} against honest answers "
                    f"in any response style > {crit:.1f}{note}")
            text = _far(text) if v > far else text
            texts[i] = text if texts[i] is None else f"{texts[i]}; {text}"

    def answers(i, a, b):                                      # items a .. b-1 of row i, as answered
        return code_text(codes[i, a:b] + (low[a:b] if np.ndim(low) else low))

    def repeating(i, t, per):
        motif = "-".join(answers(i, k - t, k - t + per))
        return (f"straight tail of {t} answers ({motif})" if per == 1 else
                f"repeating tail of {t} answers (period {per}: {motif})")

    readings = _tail_readings(cols, instrument, places=max_period > 1)
    judge(lambda x: invariant_tail_lr(x, tau, r, min_tail, max_period, readings=[f(x) for f in readings]), repeating)
    if walks and min_walk <= k:                                # its own cut-offs, floored alike
        motifs = walk_motifs(_categories(instrument, cols), seesaws, seesaw_gap)
        offsets = _walk_offsets(cols, instrument)
        judge(lambda x: walk_tail_lr(x, tau, r, min_walk, offsets=offsets, seesaws=seesaws, gap=seesaw_gap),
              lambda i, t, j: (f"{_walk_name(motifs[j])} tail of {t} answers "
                               f"({'-'.join(answers(i, k - t, k - t + min(t, 9)))}"
                               f"{'-...' if t > 9 else ''})"))
    flagged = texts != None  # noqa: E711
    return _details(frame, flagged, list(texts[flagged]))


def _walk_name(motif: np.ndarray) -> str:
    """A walking pattern's name in a detail (:func:`~iur_survey.clean.indices.walk_motifs`).

    >>> [_walk_name(np.array(m)) for m in ([0, 1, 2, 1], [0, 1, 2], [0, 4])]
    ['zig-zag', 'ramp', 'seesaw']
    """
    return "seesaw" if len(motif) == 2 else "zig-zag" if len(motif) > len(set(motif.tolist())) else "ramp"


def _tail_readings(cols: list[str], instrument: Instrument, places: bool = False
                   ) -> list[Callable[[np.ndarray], np.ndarray]]:
    """The other readings of "one answer" on items of different scales, as functions of the 0-based codes: the
    number as written (when the scales' lowest codes differ: "3" on 1-7 and on 0-10), the place counted from
    the top (when their numbers of categories differ: "Strongly agree", 5 on 1-5 and 7 on 1-7) and the place
    counted from the middle (the middle answer, 3 on 1-5, 4 on 1-7 and 5 on 0-10, and the answers so many steps
    above or below it; a scale without a middle answer, 1-4, has two such readings, its lower and its upper
    central answer taken for the middle); none with one scale (they are the codes themselves).  A reading that
    makes the same answers equal as one before it (a constant apart) is left out.  With ``places`` (motifs of more
    than one answer, ``invariant_tail``'s ``max_period``), also each answer's place on the widest scale, rounded
    (each scale's ends on its ends: a seesaw of the ends of a 1-4 and a 0-10 item repeats in it; a straight tail
    gains nothing from it that the others do not read).

    >>> from iur_survey.instrument import parse_instrument
    >>> mixed = parse_instrument({"scale": {"min": 1, "max": 5}, "constructs": {"A": {"items": ["A1", "A2"]},
    ...                           "B": {"items": ["B1", "B2"], "scale": {"min": 0, "max": 6}}}})
    >>> [f(np.array([[4, 4, 6, 5]])).tolist() for f in _tail_readings(["A1", "A2", "B1", "B2"], mixed)]
    [[[5, 5, 6, 5]], [[0, 0, 0, 1]]]
    >>> mixed = parse_instrument({"scale": {"min": 1, "max": 5}, "constructs": {"A": {"items": ["A1", "A2"]},
    ...                           "B": {"items": ["B1", "B2"], "scale": {"min": 1, "max": 7}},
    ...                           "C": {"items": ["C1", "C2"], "scale": {"min": 1, "max": 4}}}})
    >>> middle = np.array([[2, 2, 3, 3, 1, 1], [2, 2, 3, 3, 2, 2]])          # 3, 3, 4, 4 then 2, 2 / 3, 3
    >>> [bool((f(middle) == f(middle)[:, :1]).all(axis=1).any())
    ...  for f in _tail_readings(["A1", "A2", "B1", "B2", "C1", "C2"], mixed)]
    [False, True, True]
    """
    if not getattr(instrument, "mixed_scales", False):
        return []
    lo, hi = instrument.bounds(cols)
    lo, top = lo.astype(np.int64), (hi - lo).astype(np.int64)
    out, seen = [], [np.zeros(len(cols), dtype=np.int64)]       # the codes themselves: offset 0

    def add(sign: int, offset: np.ndarray) -> None:
        key = sign * offset                                    # sign * (sign * x + offset) = x + key
        if not any(len(set((key - k).tolist())) == 1 for k in seen):
            seen.append(key)
            out.append((lambda x: x + offset) if sign > 0 else (lambda x: offset - x))
    add(1, lo)
    if len(set(top.tolist())) > 1:
        out.append(lambda x: top - x)
    for central in (top // 2, (top + 1) // 2):               # the middle; without one: the lower, the upper central
        add(1, -central)
    if places and len(set(top.tolist())) > 1:
        ratio = top.max() / top                                # >= 1: distinct answers keep distinct places
        out.append(lambda x: np.floor(x * ratio + 0.5).astype(np.int64))
    return out


def _walk_offsets(cols: list[str], instrument: Instrument) -> list[np.ndarray]:
    """The places at which each item's scale is read on the widest of ``cols``' scales when a walk (zig-zag, ramp)
    crosses scales (:func:`~iur_survey.clean.indices.walk_tail_lr`), besides its lowest category on the lowest:
    the number as written, its top on the top, its middle on the middle (a scale without a middle answer: its
    lower, and its upper, central answer); those that differ from the codes and from each other.  None with one
    scale.

    >>> from iur_survey.instrument import parse_instrument
    >>> mixed = parse_instrument({"scale": {"min": 1, "max": 5}, "constructs": {"A": {"items": ["A1", "A2"]},
    ...                           "B": {"items": ["B1", "B2"], "scale": {"min": 1, "max": 4}},
    ...                           "C": {"items": ["C1", "C2"], "scale": {"min": 0, "max": 10}}}})
    >>> [o.tolist() for o in _walk_offsets(["A1", "B1", "C1"], mixed)]
    [[1, 1, 0], [6, 7, 0], [3, 4, 0], [3, 3, 0]]
    >>> _walk_offsets(["A1", "A2"], mixed)
    []
    """
    if not getattr(instrument, "mixed_scales", False):
        return []
    lo, hi = instrument.bounds(cols)
    lo, top = lo.astype(np.int64), (hi - lo).astype(np.int64)
    if len(set(lo.tolist())) == 1 and len(set(top.tolist())) == 1:
        return []
    widest = int(top.max())
    out: list[np.ndarray] = []
    for o in (lo - lo.min(), widest - top, widest // 2 - top // 2, (widest + 1) // 2 - (top + 1) // 2):
        if o.any() and not any(np.array_equal(o, p) for p in out):
            out.append(o)
    return out


def _pages(cols: list[str], instrument: Instrument, min_items: int) -> list[np.ndarray]:
    """The column indices of each construct's items among ``cols`` (:func:`_construct_index`), for constructs with
    ``min_items`` or more."""
    cidx = _construct_index(cols, instrument)
    return [idx for idx in (np.flatnonzero(cidx == k) for k in np.unique(cidx)) if len(idx) >= min_items]


def page_line(frame: pd.DataFrame, instrument: Instrument, *, alpha: float = 0.005, far_alpha: float = 0.001,
              min_items: int = 3, min_pages: int = 3, min_share: float = 0.5, far_share: float = 0.75,
              reference: pd.Series | np.ndarray | None = None) -> pd.Series:
    """Flag straight-lining within each grid: one answer throughout a page, a different one on other pages.

    The most common careless pattern in matrix questionnaires is the same answer to every statement of a grid,
    page after page, with another answer on each page (Kim, Dykema, Stevenson, Black & Moberg 2019, *Soc Sci
    Comput Rev* 37:214-233, compare straight-lining indicators per grid; Zhang & Conrad 2014, *Surv Res Methods*
    8:127-135).  :func:`longstring` sees only runs across pages, and one answer per page is no run.  Each construct
    with ``min_items`` (3) or more items is a page (:func:`~iur_survey.clean.indices.page_lines`); the index is how
    many of a person's straight pages carry another answer than his most frequent page answer
    (:func:`~iur_survey.clean.indices.page_line_spread`): an honest midpoint or extreme responder's straight pages
    share one answer, and a strong trait's page of "4"s is one page.  Its honest tail is drawn from the sample's
    own page answers, each page independently (:func:`~iur_survey.clean.indices.page_line_tail`, the reference
    rows without the rows it flags at ``alpha``: one step, so that the grid straight-liners of the sample do not
    make themselves ordinary).  Flag: the share of draws with that spread or more below ``alpha`` (.005), with at
    least two pages off the most frequent answer and at least ``min_share`` (half) of the pages straight, from
    ``min_pages`` (3) pages on; far beyond the cut-off: below ``far_alpha`` (.001) with at least ``far_share``
    (3/4) of the pages straight.  The pages are not independent within an honest person (one who answers a
    construct's items alike, following a strong trait, does so on other pages, with the trait's answer there):
    an outside generator's honest respondent with three straight pages of "5", "3" and "2" was below .005 in
    the draws, hence the floor of half the pages (honest respondents with half the pages straight and two of
    them off the most frequent answer: 10 of 22,000 over three outside generators, none with three).  The detail names the straight pages with a reverse-keyed item at an answer off
    the middle: an honest person rarely gives one raw answer to forward and reverse-keyed items of a construct
    (:func:`keyed_line`).  One piece of the invariance evidence (:mod:`iur_survey.clean.decision`): beside another
    group it excludes, alone only far beyond.

    On by default since Dec. 2026.  Measured (main -> with it; commands in the brackets): a held-out outside
    generator (bifactor answers, latent-class styles, 4-, 5- and 7-point, Qualtrics, 问卷星 and numeric CSV, N
    300-3,000, seeds 1-3) whose "block copy" careless respondents give one answer per page: caught 245/530 = .462
    -> 506/530 = .955 (styled) and 219/526 = .416 -> 503/526 = .956 (style-free), among those passing the
    attention check .157 -> .929 and .166 -> .938; all careless .687 -> .738 and .686 -> .741, honest 207 = 207
    of 36,900 styled and 217 = 217 style-free, every style equal.  Four other outside generators (outside4,
    outside5 5- and 7-point, outside6, gen3; styled and style-free, N 300-3,000, seeds 1-3): every figure equal
    (none of them has grid straight-liners).  ``python -m iur_survey.clean.evaluate --generator all --n 800 3000
    --formats csv``: every figure equal but real people (bfi): honest 12 = 12 of 2,400 and 45 -> 50 of 9,000,
    its midpoint-labelled ones 0 -> 2 of 252 and 5 -> 10 of 961, careless equal: all one bfi row drawn again and
    again (A 44444, C 55555, E 33333, N 44444, O 33333: five pages straight, far beyond, and "very accurate" to
    C4 and C5, which are reverse-keyed; the evaluation counts every bfi row as honest).  One clean of 100,000
    rows: about 0.1 s more.  ``disable: [page_line]`` restores the previous screening.

    >>> from iur_survey.instrument import load_instrument
    >>> inst = load_instrument()
    >>> cols = list(inst.item_codes)
    >>> rng = np.random.default_rng(3)
    >>> x = np.clip(np.round(3 + rng.normal(0, 1, (400, 1)) * 0.7 + rng.normal(0, 0.9, (400, 28))), 1, 5)
    >>> x[:5] = np.repeat(rng.integers(1, 6, (5, 7)), 4, axis=1)        # one answer per page
    >>> hit = page_line(pd.DataFrame(x, columns=cols), inst)
    >>> hit[:5].notna().sum(), hit[5:].notna().sum()
    (np.int64(5), np.int64(0))
    """
    cols = item_columns(frame, instrument)
    if not cols or len(frame) < 3:
        return _none(frame)
    pages = _pages(cols, instrument, min_items)
    if len(pages) < min_pages:
        return _not_judged(frame, f"{len(pages)} constructs of {min_items} or more items < {min_pages} pages")
    x = common_scale(_matrix(frame, cols), cols, instrument)       # mixed scales: one place on each item's scale
    lines = page_lines(x, pages)
    straight, spread = page_line_spread(lines)
    ref = np.ones(len(frame), dtype=bool) if reference is None else np.asarray(reference, dtype=bool)
    if ref.sum() < mahalanobis_min_n(len(cols)):            # too few page answers to draw honest ones from
        return _not_judged(frame, _too_few_reference(int(ref.sum()), len(cols)))
    tail = page_line_tail(lines, ref)
    ref = ref & (tail[spread] >= alpha)                    # one step: without the grid straight-liners it flags
    tail = page_line_tail(lines, ref)
    p = tail[spread]
    hit = (p < alpha) & (spread >= 2) & (straight >= np.ceil(min_share * len(pages)))
    far = hit & (p < far_alpha) & (straight >= np.ceil(far_share * len(pages)))
    rev = set(instrument.reverse_items)
    keyed = np.array([any(cols[j] in rev for j in idx) for idx in pages], dtype=bool)
    mid = (instrument.scale_min + instrument.scale_max) / 2
    against = ((~np.isnan(lines)) & (lines != mid) & keyed[None, :]).sum(axis=1)
    texts = []
    for i in np.flatnonzero(hit):
        t = (f"{straight[i]} of {len(pages)} pages (constructs) answered with one answer each, {spread[i]} of them "
             f"with another answer than the most frequent; honest share {_detail_number(float(p[i]))} < "
             f"{_detail_number(alpha)}")
        if against[i]:
            t += f"; {against[i]} of them with a reverse-keyed item (against the keying)"
        texts.append(_far(t) if far[i] else t)
    return _details(frame, hit, texts)


def _construct_index(cols: list[str], instrument: Instrument) -> np.ndarray:
    names = list(instrument.constructs)
    return np.array([names.index(instrument.items[c].construct) for c in cols])


#: :func:`near_duplicate`'s strata of the null: bins of each row's mean answer, bins of its spread (quantiles)
NEAR_STRATA = (8, 4)
NEAR_OWN = True
#: :func:`near_duplicate`'s third null: each answer given its row's rest score on the item's construct, to
#: 1/NEAR_REST of the scale (the exact rest score for up to 5 other items on a 5-point or 4 on a 6-point scale)
NEAR_REST = 20


def near_duplicate(frame: pd.DataFrame, instrument: Instrument, *, alpha: float = 1e-3, far_alpha: float = 1e-4,
                   bands: int = 8, max_bucket: int = 8, min_items: int = 10) -> pd.Series:
    """Flag a response that is a near copy of an earlier one: the same answers to all items but a few, more often
    than two people answering alike match by chance.

    A person submitting twice with small changes, a fabricated record, a panel duplicate (Kuriakose & Robbins
    2016, "Don't get duped: fraud through duplication in public opinion surveys", *Statistical Journal of the
    IAOS* 32:283-291, flag a maximum percent match over 85 %; Blasius & Thiessen 2012, *Assessing the Quality of
    Survey Data*, and 2015, on duplicated response patterns; Koczela et al. 2015, *Statistical Journal of the
    IAOS* 31, on fabrication).  For each row the earlier rows (by ``_submitted``, then
    file order: the first is kept, as :func:`duplicate_id` does) it agrees with most are found without comparing
    all pairs (:func:`~iur_survey.clean.indices.band_pairs`: ``bands`` bands of items; a copy with fewer than
    ``bands - 1`` changes agrees exactly on two whole bands; in a bucket over ``max_bucket`` rows, e.g. constant
    lines or a ring of copies of one sheet, each row is compared with the one before it only), and the largest number of identical answers ``m`` (of the ``k`` items both answered,
    at least ``min_items``) is judged against chance: a fixed 85 % would exclude honest straight or styled
    responders, who match each other often.  Under the null two rows answer independently, each item with the
    answer shares of the row's own stratum (8 bins of the row's mean answer x 4 of its spread:
    :func:`~iur_survey.clean.indices.stratum_shares`), and two rows match an item with the larger of that chance
    and the one their own answer shares give whatever the item (a style stronger than its stratum's), so two
    acquiescent rows with many "5"s expect many matches; ``p`` = P(M >= m) (:func:`~iur_survey.clean.indices.match_tail`), times the number of earlier rows
    (Bonferroni over every earlier row, compared or not).  Flagged below ``alpha``; far beyond the cut-off (an
    exclusion alone) below ``far_alpha`` (1e-4: under the null at most one honest row in 10,000 is excluded by
    chance; 1e-5 until session 27, when the third null below made the null hold on real people); a flag short of it is the
    ``copy`` evidence group, which counts beside any other.  Exact repeats count too (``duplicate_id`` and
    ``duplicate_answers_ip`` exclude theirs first; two identical zig-zags are copies of each other as well).
    The detail names the earlier response's id and row, nothing personal.

    A third null, used where the first two find a match beyond chance (the tail only grows with each item's
    chance, so it can only clear a pair): answers independent *given the construct scores*, the latent-trait
    model (:func:`_rest_match`: each answer with the shares of the rows whose rest score on the item's
    construct, the mean keyed answer to its other items, is the same to 1/``NEAR_REST`` of the scale).  Real
    people who are alike in every construct match far more often than the strata expect: among psych's
    ``bfi`` (2,432 complete cases, no exact repeat) the first two nulls flagged 37-39 rows (1.6 %; seeds 1-3 of
    the row order), among them several different people giving the same keyed extreme profile
    (``1666666611116661111161661``); with the third, 17-19, every one a row within 30 ids of an earlier row
    with the same gender and age and 22-24 of 25 answers identical: one person taking the web questionnaire
    again, a true near copy (the ``real`` evaluation generator now leaves these 21 repeats out of its pool).

    Which of a pair is judged: the later submission (by ``_submitted``, then file order); the earlier one is
    never judged by this rule (it may be flagged by another), so the pair's answers are analysed once.  Which
    of the two is the copy the answers cannot tell: a person submitting again, or a copy made from a
    submitted sheet, comes later, and then the original is kept; a copy made beside its original (a friend's
    sheet copied while both fill the form) comes first half the time, and then the honest original is the one
    excluded while its copy, a few answers apart, stays (session 27's outside10, copies in random order: 113
    honest originals excluded, each beside its kept copy, 0.39 -> 0.79 % honest; on outside9, farm copies of
    invented sheets, no honest one).  Either way the data hold that pair's answers once, not twice; excluding
    both would remove an honest person whenever the original is someone else's.  The ledger text says so.

    Calibration (the package's simulator with near copies, 3-6 of 28 answers changed; honest respondents
    with acquiescent, extreme, midpoint and fast-careful styles, each 15 %): honest flagged 0 of 300-6,000
    (N 300, 1,500, 6,000, seeds 1-2), no style flagged; near copies flagged / far below 1e-4 (1e-5) .67-1.0 / .56-.89
    (.22-.56) at N 300, .64-.71 / .42-.56 (.31-.36) at N 1,500, .53-.56 / .33-.38 (.14-.16) at N 6,000
    (without the third null flagged .60-.82, far below 1e-5 .33-.67: the price of a null that holds on real
    people).  5,000 honest acquiescent near-straight respondents ("4" to
    every item, 5-40 % of answers moved one step, mostly up, both keyings): none flagged, also with every pair
    compared (``max_bucket`` unlimited, N 2,000).  On ``bfi`` without its repeats: 0-1 of 2,411 flagged at
    ``alpha`` 1e-3 (the chance level).

    **Run by default** (since session 27; ``disable: [near_duplicate]`` switches it off).  ``python -m
    iur_survey.clean.evaluate --generator all --n 800 3000 --formats csv`` (seeds 1-3), on against
    ``--config`` with ``disable: [near_duplicate]``: every honest and style figure identical on simulator,
    grm, style-free, real, foreign and varied (also at N 300); the varied generator's near copies .000/.033 ->
    .583/.467 (N 800/3,000; far_alpha 1e-5: .333/.311), its page lines .922 -> .933 at N 3,000, all careless
    .762/.752 -> .797/.778, precision .993/.988 unchanged.  At N 100,000 (simulator, 1 % near copies, styles
    acquiescent 15 %, midpoint, extreme and narrow 10 % each): 1 honest row flagged (chance above 1e-4), none
    far; near copies flagged .25, far .11 (the Bonferroni factor grows with N).  **Copy rings** (session 28's
    outside11, a held-out generator: 9-31 people copying one shared answer sheet with a few changes each):
    their band keys fill buckets over ``max_bucket``, which were skipped, so the ring went unseen (copies
    caught .391); each row of such a bucket is now compared with the one before it in submission order
    (linear, one pair per row and key): .391 -> .503, no honest decision changed there, and outside9,
    outside10, the package's evaluation (every generator, N 800 and 3,000) and the 46 real-export cases are
    unchanged.  Comparing every pair of buckets up to 24 rows instead caught .518 at 0.5 s more CPU per
    100,000 rows; the two rows before, .507 at 0.4 s more.  A flag short of far counts beside any other evidence group; far beyond the cut-off
    excludes alone.  Cost, 100,000 responses: 0.7-1.0 s of CPU for the rule in isolation (0.1 s of it the
    third null, paid back by comparing packed answers), as before it; ``benchmarks/bench_clean.py`` on a loaded
    machine (load 4-7), start and this alternated: clean CPU 4.2-5.3 -> 5.1-6.5 s, peak RSS 572-686 -> 618-713 MB.
    Since then (session 28, performance only, every output byte-identical) the rule alone takes 0.46-0.54 s of CPU
    (0.63-0.71 s before): the rows whose key repeats are sorted once per key (a 16-bit radix sort), and the pairs
    are compared and reduced a piece at a time, never all held at once (:func:`~iur_survey.clean.indices.band_pair_chunks`).

    >>> from iur_survey.instrument import load_instrument
    >>> inst = load_instrument()
    >>> cols = list(inst.items)[:20]
    >>> rng = np.random.default_rng(1)
    >>> x = rng.integers(1, 6, size=(300, 20)).astype(float)
    >>> x[299] = x[10]; x[299, :3] = (x[10, :3] % 5) + 1          # row 10 again, 3 answers changed
    >>> df = pd.DataFrame(x, columns=cols).assign(response_id=[f"R{i}" for i in range(300)])
    >>> hit = near_duplicate(df, inst)
    >>> for t in hit.dropna(): print(t)  # doctest: +ELLIPSIS
    17 of 20 item answers identical to response R10 (row 11), earlier; chance 4e-06 (... x 299 earlier rows); the later of the two is judged, the earlier is kept (the answers cannot tell which is the copy) [far beyond the cut-off]
    """
    continuous = set(getattr(instrument, "continuous_items", ()))
    cols = [c for c in item_columns(frame, instrument) if c not in continuous]
    n = len(frame)
    if len(cols) < min_items:
        return _not_judged(frame, f"{len(cols)} items < {min_items}: too few to tell a copy from chance")
    if n < 2:
        return _none(frame)
    x = _matrix(frame, cols)
    lo, hi = instrument.bounds(cols)
    lo, hi = np.broadcast_to(lo, (len(cols),)), np.broadcast_to(hi, (len(cols),))
    width = np.maximum(hi - lo, 1)
    with np.errstate(invalid="ignore"):
        ok = ~np.isnan(x) & (x >= lo) & (x <= hi) & (x == np.round(x))
    cat = np.where(ok, np.nan_to_num(x - lo), -1).astype(np.int8 if np.max(hi - lo) < 127 else np.int16)
    categories = int(np.max(hi - lo)) + 1
    rank = np.empty(n, dtype=np.int64)
    rank[np.lexsort((np.arange(n), _order_keys(frame)))] = np.arange(n)
    # per row, its earlier row with the most identical answers (the first of equals), over the candidate pairs of
    # band_pairs, taken a piece at a time (band_pair_chunks: the pairs are never all held at once)
    best = np.full(n, -1, dtype=np.int64)
    words = _alike_words(cat)
    paired = False
    for later, earlier in band_pair_chunks(cat, rank, bands=bands, max_bucket=max_bucket):
        paired = True
        np.maximum.at(best, later, (_alike_counts(cat, later, earlier, words) << 32) | (n - rank[earlier]))
    if not paired:
        return _none(frame)
    rows_b = np.flatnonzero(best >= 0)
    m = best[rows_b] >> 32
    inv = np.empty(n, dtype=np.int64)
    inv[rank] = np.arange(n)
    prev = inv[n - (best[rows_b] & 0xFFFFFFFF)]
    both = (cat[rows_b] >= 0) & (cat[prev] >= 0)
    k_both = both.sum(axis=1)
    keep = (k_both >= min_items) & (2 * m >= k_both)      # fewer than half the answers alike: no copy
    rows_b, m, prev, both, k_both = rows_b[keep], m[keep], prev[keep], both[keep], k_both[keep]
    if not len(rows_b):
        return _none(frame)
    # the null: each row's stratum (mean answer x spread) answers each item with its stratum's shares
    pos = np.where(cat >= 0, cat / width, np.nan)
    mean = nanmean_quiet(pos, axis=1)
    spread = np.sqrt(np.maximum(nanmean_quiet(pos ** 2, axis=1) - mean ** 2, 0))
    answered = ~np.isnan(mean)
    strata = np.zeros(n, dtype=np.int64)
    if answered.any():
        for v, bins, f in ((mean, NEAR_STRATA[0], NEAR_STRATA[1]), (spread, NEAR_STRATA[1], 1)):
            edges = np.unique(np.quantile(v[answered], np.linspace(0, 1, bins + 1)[1:-1]))
            strata += f * np.searchsorted(edges, np.nan_to_num(v), side="right")
    shares = stratum_shares(cat, categories, strata)
    q = np.einsum("sjc,tjc->stj", shares, shares)[strata[rows_b], strata[prev]]
    if NEAR_OWN:     # a style stronger than its stratum's: the two rows' own answer shares, whatever the item
        own = np.stack([(cat == c).sum(axis=1) for c in range(categories)], axis=1) / np.maximum((cat >= 0).sum(axis=1), 1)[:, None]
        q = np.maximum(q, (own[rows_b] * own[prev]).sum(axis=1)[:, None])
    q = q * both
    n_before = rank[rows_b]
    # the exact tail only where the match is within a standard deviation of the normal approximation's cut-off
    e, sd = q.sum(axis=1), np.sqrt((q * (1 - q)).sum(axis=1))
    near = m - e >= (special.ndtri(1 - alpha / np.maximum(n_before, 1)) - 1) * sd
    p = np.ones(len(rows_b))
    if near.any():
        p[near] = match_tail(q[near], m[near])
    p_adj = np.minimum(p * np.maximum(n_before, 1), 1.0)
    hit = p_adj < alpha
    if NEAR_REST and hit.any():
        # the third null, answers independent given the construct scores, only where the first two found a
        # match beyond chance: the tail grows with every item's chance, so the larger chance can only clear a pair
        h = np.flatnonzero(hit)
        q_h = np.maximum(q[h], _rest_match(cat, width, cols, instrument, rows_b[h], prev[h], categories,
                                           NEAR_REST, (shares[strata[rows_b[h]]], shares[strata[prev[h]]]))) * both[h]
        p[h] = match_tail(q_h, m[h])
        p_adj[h] = np.minimum(p[h] * np.maximum(n_before[h], 1), 1.0)
        hit = p_adj < alpha
    ids = (frame["response_id"].astype("string").to_numpy(dtype=object) if "response_id" in frame.columns
           else np.full(n, pd.NA, dtype=object))
    raw = raw_rows(frame)
    texts = []
    for i, j, mm, kk, pa, pp, nb in zip(rows_b[hit], prev[hit], m[hit], k_both[hit], p_adj[hit], p[hit],
                                        n_before[hit]):
        who = f"response {ids[j]} (row {raw[j]})" if not pd.isna(ids[j]) else f"row {raw[j]}"
        t = (f"{mm} of {kk} item answers identical to {who}, earlier; chance {pa:.1g} ({pp:.1g} per pair x {nb} "
             f"earlier rows); the later of the two is judged, the earlier is kept (the answers cannot tell which is the copy)")
        texts.append(_far(t) if pa < far_alpha else t)
    flagged = np.zeros(n, dtype=bool)
    flagged[rows_b[hit]] = True
    order = np.argsort(rows_b[hit])
    return _details(frame, flagged, [texts[o] for o in order])


def _alike_words(cat: np.ndarray) -> tuple[list, list] | None:
    """:func:`_alike_counts`' packed answers of ``cat`` (codes below 15): per 16 items a 64-bit word, 4 bits an item
    (15 = blank), and the items left blank as bits (None where none is); None with codes of 15 or more."""
    n, k = cat.shape
    if cat.max(initial=0) >= 15:
        return None
    words, blanks = [], []
    for w in range(0, k, 16):
        word = np.zeros(n, dtype=np.uint64)
        blank = np.zeros(n, dtype=np.uint16)
        for j in range(w, min(w + 16, k)):
            word |= np.where(cat[:, j] >= 0, cat[:, j], 15).astype(np.uint64) << np.uint64(4 * (j - w))
            blank |= (cat[:, j] < 0).astype(np.uint16) << np.uint16(j - w)
        words.append(word)
        blanks.append(blank if blank.any() else None)        # no blank in this word: nothing to take off
    return words, blanks


def _alike_counts(cat: np.ndarray, later: np.ndarray, earlier: np.ndarray, words=False) -> np.ndarray:
    """Per pair, the number of items both rows answered alike (``cat``: codes from 0, ``-1`` blank).  Codes below
    15: 16 items to a 64-bit word, 4 bits each (15 = blank), alike = a zero nibble of the XOR, less the items both
    left blank; otherwise item by item.  ``words``: :func:`_alike_words` of ``cat``, when the caller has them.

    >>> cat = np.array([[0, 1, 2, -1, 4], [0, 1, 3, -1, 4], [-1, -1, -1, -1, -1]], dtype=np.int8)
    >>> _alike_counts(cat, np.array([1, 2]), np.array([0, 0])).tolist()
    [3, 0]
    """
    n, k = cat.shape
    if words is False:
        words = _alike_words(cat) if len(later) else None
    if words is None:
        same = np.empty(len(later), dtype=np.int64)
        for s0 in range(0, len(later), 1 << 17):
            a, b = cat[later[s0:s0 + (1 << 17)]], cat[earlier[s0:s0 + (1 << 17)]]
            same[s0:s0 + (1 << 17)] = ((a == b) & (a >= 0)).sum(axis=1)
        return same
    words, blanks = words
    same = np.empty(len(later), dtype=np.int64)
    for s0 in range(0, len(later), PAIR_CHUNK):              # in chunks: the temporaries stay small
        a, b = later[s0:s0 + PAIR_CHUNK], earlier[s0:s0 + PAIR_CHUNK]
        got = np.zeros(len(a), dtype=np.int64)
        for w, word, blank in zip(range(0, k, 16), words, blanks):
            y = word[a] ^ word[b]
            y |= y >> np.uint64(1)
            y |= y >> np.uint64(2)
            y &= np.uint64(0x1111111111111111)              # one bit per item that differs
            got += min(16, k - w) - np.bitwise_count(y).astype(np.int64)
            if blank is not None:
                got -= np.bitwise_count(blank[a] & blank[b]).astype(np.int64)
        same[s0:s0 + PAIR_CHUNK] = got
    return same


#: :func:`near_duplicate` compares its candidate pairs this many at a time (bounded temporaries)
PAIR_CHUNK = 1 << 18


def _rest_match(cat: np.ndarray, width: np.ndarray, cols: list[str], instrument: Instrument, rows: np.ndarray,
                other: np.ndarray, categories: int, bins: int, prior: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Chance that rows ``rows`` and ``other`` give item j the same answer when each answers it with the shares of
    the rows whose rest score on j's construct (mean keyed answer to its other items, to 1/``bins`` of the scale)
    is its own: answers independent given the construct scores (the latent-trait model), so two people alike in
    every construct expect many matches.  The two rows' own answers are left out of their cells (a copy and
    its original in a rare cell would make each other look typical), and each cell is shrunk by 4 pseudo-rows
    towards the shares of its two neighbouring cells (rest scores 1/``bins`` lower and higher, the pair's answers
    left out there too), themselves shrunk by 4 pseudo-rows towards ``prior`` (per pair, items x categories: each
    row's shares under the first null), which a row with no rest score (a construct of one item, or nothing else
    answered) keeps.  The neighbours matter at the ends of a long scale: on one 40-item construct the cell of a
    rest score at the top or bottom holds few rows besides the pair, and shrunk straight to the strata's shares
    (raw direction, blind to the keying) two honest people at the end of the trait, each giving the keyed end to
    nearly every item, matched "beyond chance" (struct32: loadings .7-.9, N 500 / 1,000 / 2,000, seeds 1-4: 4 /
    10 / 7 honest rows excluded alone, far beyond; with the neighbours 0 / 0 / 0;
    ``test_people_at_the_end_of_one_long_scale_are_not_copies``).  Gating the neighbours to cells with fewer than
    4 rows besides the pair cleared too few (0 / 1 / 3).

    >>> from iur_survey.instrument import load_instrument
    >>> inst = load_instrument()
    >>> cols = list(inst.items)
    >>> rng = np.random.default_rng(2)
    >>> theta = rng.normal(size=(400, 1))
    >>> raw = np.clip(np.round(3 + theta + rng.normal(scale=.7, size=(400, len(cols)))), 1, 5)
    >>> rev = np.isin(cols, list(inst.reverse_items))
    >>> cat = (np.where(rev, 6 - raw, raw) - 1).astype(np.int8)
    >>> flat = np.full((2, len(cols), 5), 0.2)                    # a prior of 0.2 per answer: chance .2 per item
    >>> q = _rest_match(cat, np.full(len(cols), 4.0), cols, inst, np.array([0]), np.array([1]), 5, 20, flat)
    >>> bool(q.mean() > 0.2)                                        # alike people expect more matches than that
    True
    """
    n, k = cat.shape
    rev = np.isin(cols, list(instrument.reverse_items))
    obs = cat >= 0
    keyed = np.where(obs, np.where(rev, width - cat, cat) / width, 0.0).astype(np.float32)
    cidx = _construct_index(cols, instrument)
    sums, cnt = np.zeros((n, cidx.max() + 1), dtype=np.float32), np.zeros((n, cidx.max() + 1), dtype=np.float32)
    for g in np.unique(cidx):
        sums[:, g] = keyed[:, cidx == g].sum(axis=1)
        cnt[:, g] = obs[:, cidx == g].sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        rest = (sums[:, cidx] - keyed) / (cnt[:, cidx] - obs)          # n x k; nan where nothing else answered
    b = np.where(np.isnan(rest), 0, 1 + np.rint(np.nan_to_num(rest) * bins)).astype(np.int16)
    nb = bins + 2
    idx = ((np.arange(k)[None, :] * nb + b) * categories + np.where(obs, cat, 0))[obs]
    counts = np.bincount(idx, minlength=k * nb * categories).reshape(k, nb, categories).astype(float)
    j = np.arange(k)[None, :]
    # the two rows' own answers left out of their cells: a copy and its original in a rare cell would
    # otherwise make each other look typical
    hots = []
    for r in (rows, other):
        hot = np.zeros((len(rows), k, categories))
        np.put_along_axis(hot, np.maximum(cat[r], 0)[:, :, None].astype(np.int64), 1.0, axis=2)
        hots.append(hot * (cat[r] >= 0)[:, :, None])
    own = hots[0] + hots[1]
    shares = []
    for r, o, base in ((rows, other, prior[0]), (other, rows, prior[1])):
        c = counts[j, b[r]] - np.where((b[r] == b[o])[:, :, None], own, 0.0)
        # a row whose partner sits in another cell: only its own answer comes out
        solo = np.zeros_like(c)
        np.put_along_axis(solo, np.maximum(cat[r], 0)[:, :, None].astype(np.int64), 1.0, axis=2)
        c -= np.where((b[r] != b[o])[:, :, None], solo * (cat[r] >= 0)[:, :, None], 0.0)
        c = np.maximum(c, 0.0)
        # the pseudo-rows take the neighbouring rest scores' shares (one cell below and above, the pair's own
        # answers left out), themselves shrunk towards ``base``: at the end of a long scale the cell may hold the
        # pair alone
        near = np.zeros_like(c)
        for step in (-1, 1):
            bn = b[r] + step
            valid = (b[r] > 0) & (bn >= 1) & (bn < nb)
            cn = counts[j, np.clip(bn, 0, nb - 1)]
            for q, hot in zip((rows, other), hots):
                cn = cn - np.where((b[q] == bn)[:, :, None], hot, 0.0)
            near += np.where(valid[:, :, None], np.maximum(cn, 0.0), 0.0)
        base = (near + 4.0 * base) / (near.sum(axis=2, keepdims=True) + 4.0)
        shares.append((c + 4.0 * base) / (c.sum(axis=2, keepdims=True) + 4.0))
    return (shares[0] * shares[1]).sum(axis=2)


def psychsyn(frame: pd.DataFrame, instrument: Instrument, *, min_r: float = 0.0,
             critval: float = 0.2, reference: pd.Series | np.ndarray | None = None) -> pd.Series:
    """Flag respondents who answer psychometric synonyms unalike: within-person r below ``min_r``.

    Meade & Craig (2012); ``careless::psychsyn`` (:func:`iur_survey.clean.indices.psychsyn`).
    The synonyms are pairs of *positively keyed* items of the same construct whose sample
    correlation exceeds ``critval`` (careless' default .60 finds almost no pair on a
    short form whose items correlate .4-.6; the construct tells which pairs are
    synonyms).  Reverse-keyed items are left to :func:`psychant`: acquiescence pulls them
    away from their synonyms in an honest respondent.  A careful respondent's correlation
    is positive; the default ``min_r = 0`` (a careful respondent's synonyms do not run
    against each other) flags about 10 % of simulated honest respondents and half of the
    random and patterned ones: one piece of evidence of the inconsistency group (three of
    its four indices must agree), never an exclusion.  Pairs are
    found on the ``reference`` rows.  A flag is one piece of evidence, never an exclusion.
    Where most honest answers drawn from the sample's answer model fall below ``min_r`` on the pairs (the items
    of one construct: :func:`_synonyms_blind`), the rule judges nobody and says why.

    >>> from iur_survey.instrument import load_instrument
    >>> rng = np.random.default_rng(3)
    >>> cols = [f"{k}{i}" for k in ("MKT", "VAL", "COL") for i in (1, 2, 4)]
    >>> eta = rng.normal(size=(200, 3)).repeat(3, axis=1)
    >>> df = pd.DataFrame(np.clip(np.round(3.5 + eta + rng.normal(scale=.6, size=(200, 9))), 1, 5), columns=cols)
    >>> df.loc[0] = [1, 5, 3, 5, 1, 3, 3, 5, 1]
    >>> psychsyn(df, load_instrument())[0]
    'psychometric synonyms r = -0.50 over 9 pairs < 0'
    """
    cols = item_columns(frame, instrument)
    if len(cols) < 2 or len(frame) < 3:
        return _none(frame)
    x = common_scale(_matrix(frame, cols, instrument.reverse_items, instrument), cols, instrument)
    cidx = _construct_index(cols, instrument)
    pos = ~np.isin(cols, list(instrument.reverse_items))
    allowed = (cidx[:, None] == cidx[None, :]) & pos[:, None] & pos[None, :]
    sign = np.where(pos, 1.0, -1.0)                     # reverse scoring flips the sign of a correlation
    pairs = item_pairs(None, critval, allowed=allowed, corr=_reference_corr(frame, cols, reference) * np.outer(sign, sign))
    if len(pairs) < 3:
        return _not_judged(frame, f"{len(pairs)} synonym pairs (same construct, r > {_detail_number(critval)} in "
                                  f"the reference responses) < 3")
    blind = _synonyms_blind(frame, instrument, cols, pairs, min_r, reference)
    if blind:
        return _not_judged(frame, blind)
    r = psychsyn_index(x, pairs=pairs)
    with np.errstate(invalid="ignore"):
        hit = r < min_r
    return _details(frame, hit, (f"psychometric synonyms r = {v:.2f} over {len(pairs)} pairs < {_detail_number(min_r)}"
                                 for v in r[hit]))


#: :func:`psychsyn` judges nobody where more than this share of honest answers drawn from the sample's answer
#: model fall below its cut-off
SYNONYMS_BLIND_SHARE = 0.5


def _synonyms_blind(frame: pd.DataFrame, instrument: Instrument, cols: list[str], pairs: np.ndarray, min_r: float,
                    reference) -> str:
    """Why the synonym index cannot judge here ('' when it can): most honest answers drawn from the sample's
    answer model (:func:`_reference_model`) fall below ``min_r`` on these pairs.

    The within-person correlation across pairs that share items is negative by construction where the pairs are
    the items of one construct (all pairs of k items: about -1/(k-1) for a careful respondent, a random one
    alike; real data: the 22-item RWAS and 19-item PWE of Open-Psychometrics, 46 and 90 pairs, honest draws'
    quartiles -0.13/-0.11/-0.09 and -0.10/-0.08/-0.05, uniform random answers' -0.13/-0.11/-0.08 and
    -0.10/-0.08/-0.05; 81 % and 80 % of the real people below 0).  Between constructs the pairs' levels differ
    and a careful respondent's r is positive (the study's form; GCBS's five facets: honest median +0.32, random
    -0.06).  The cut-off then flags most careful respondents and tells them from nobody.
    """
    model = _reference_model(frame, instrument, reference)
    if model is None:
        return ""
    mcols, (_, _, draws) = model
    at = {c: k for k, c in enumerate(mcols)}
    if not all(cols[j] in at for j in np.unique(pairs)):
        return ""
    honest = common_scale(_draws_as_answers(draws.astype(float), mcols, instrument), mcols, instrument)
    r = psychsyn_index(honest, pairs=np.array([[at[cols[a]], at[cols[b]]] for a, b in pairs], dtype=np.int64))
    r = r[~np.isnan(r)]
    share = float(np.mean(r < min_r)) if len(r) else 0.0
    if share <= SYNONYMS_BLIND_SHARE:
        return ""
    return (f"{share:.0%} of honest answers drawn from the sample's answer model have r < {_detail_number(min_r)} on "
            f"these {len(pairs)} synonym pairs (median {np.median(r):.2f}): pairs sharing the items of one construct "
            f"correlate below 0 in a careful respondent too")


def _reference_corr(frame: pd.DataFrame, cols: list[str], reference: pd.Series | np.ndarray | None) -> np.ndarray:
    """Pairwise-complete correlations of the raw item codes over the ``reference`` rows, once per frame within
    :class:`matrix_cache` (psychometric synonyms and antonyms share them)."""
    ref = np.ones(len(frame), dtype=bool) if reference is None else np.asarray(reference, dtype=bool)
    return _frame_cached(frame, ("corr", tuple(cols), np.packbits(ref).tobytes()),
                         lambda: pairwise_corr(_matrix(frame, cols)[ref]))


def psychant(frame: pd.DataFrame, instrument: Instrument, *, max_r: float = 0.0,
             critval: float = 0.2, reference: pd.Series | np.ndarray | None = None) -> pd.Series:
    """Flag respondents who answer psychometric antonyms alike: within-person r above ``max_r``.

    Meade & Craig (2012); ``careless::psychant`` (:func:`iur_survey.clean.indices.psychant`).
    On the raw codes a reverse-keyed item and the other items of its construct correlate
    negatively: pairs below ``-critval`` in the sample are antonyms.  A careful
    respondent answers them oppositely (r near -1); a straight-liner or random responder
    does not.  ``max_r = 0``: antonyms not answered oppositely (about 10 % of simulated
    honest respondents; an acquiescent respondent agrees with both sides more often, so
    this is one piece of evidence, never an exclusion).  Antonyms answered alike in every pair (no r) are flagged
    too, except when every pair is answered with the middle answer: a neutral answer is its own reversal (before
    Dec. 2026 such a response was flagged "answered identically", an inconsistency a neutral respondent does
    not show).

    >>> from iur_survey.instrument import load_instrument
    >>> rng = np.random.default_rng(3)
    >>> eta = rng.normal(size=(200, 1))
    >>> raw = np.clip(np.round(3.5 + eta + rng.normal(scale=.6, size=(200, 4))), 1, 5)
    >>> raw[:, 2] = 6 - raw[:, 2]
    >>> df = pd.DataFrame(raw, columns=["GOV1", "GOV2", "GOV3", "GOV4"])
    >>> df.loc[0] = [2, 4, 4, 5]    # agrees with GOV3's reversed wording as with the others
    >>> psychant(df, load_instrument())[0]
    'psychometric antonyms r = 0.50 over 3 pairs > 0'
    >>> df.loc[1], df.loc[2] = [4, 4, 4, 4], [3, 3, 3, 3]     # "agree" to a statement and its reversal; neutral
    >>> psychant(df, load_instrument())[1:3].tolist()
    ['psychometric antonyms answered identically over 3 pairs (r undefined)', <NA>]
    """
    cols = item_columns(frame, instrument)
    if len(cols) < 2 or len(frame) < 3:
        return _none(frame)
    x = common_scale(_matrix(frame, cols), cols, instrument)
    cidx = _construct_index(cols, instrument)
    pairs = item_pairs(None, critval, anto=True, allowed=cidx[:, None] == cidx[None, :],
                       corr=_reference_corr(frame, cols, reference))
    if len(pairs) < 3:
        return _not_judged(frame, f"{len(pairs)} antonym pairs (same construct, r < -{_detail_number(critval)} in "
                                  f"the reference responses) < 3")
    r = psychant_index(x, pairs=pairs)
    # answering antonyms identically (no variation across the pairs) is no opposition at all, unless every pair is
    # answered with the middle answer: a neutral answer is its own reversal
    a, b = x[:, pairs[:, 0]], x[:, pairs[:, 1]]
    has_mid, mid = middle_columns(cols, instrument)
    neutral = np.all((a == mid) & (b == mid) & has_mid[pairs[:, 0]] & has_mid[pairs[:, 1]], axis=1)
    same = np.all(a == b, axis=1) & ~neutral
    with np.errstate(invalid="ignore"):
        hit = (r > max_r) | (np.isnan(r) & same)
    return _details(frame, hit, (f"psychometric antonyms r = {v:.2f} over {len(pairs)} pairs > {_detail_number(max_r)}"
                                 if not np.isnan(v) else
                                 f"psychometric antonyms answered identically over {len(pairs)} pairs (r undefined)"
                                 for v in r[hit]))


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
    x, factors = _construct_blocks(frame, instrument)
    if not factors:
        n = len(frame)
        return np.full(n, np.nan), np.zeros(n, dtype=np.int64)
    sb = -evenodd_index(x, factors)
    k = _usable_constructs(x, factors)
    return np.where(k >= 2, sb, np.nan), k


def _construct_blocks(frame: pd.DataFrame, instrument: Instrument) -> tuple[np.ndarray, list[int]]:
    """The reverse-scored items of every construct with 2+ items in ``frame``, construct by construct."""
    cols, factors = [], []
    for con in instrument.constructs.values():
        present = [c for c in con.items if c in frame.columns]
        if len(present) >= 2:
            cols += present
            factors.append(len(present))
    return common_scale(_matrix(frame, cols, instrument.reverse_items, instrument), cols, instrument), factors


def _usable_constructs(x: np.ndarray, factors: list[int]) -> np.ndarray:
    """Per row, the constructs with an answer in both halves (odd and even items)."""
    k = np.zeros(len(x), dtype=np.int64)
    start = 0
    for f in factors:
        block = ~np.isnan(x[:, start:start + f])
        k += block[:, 0::2].any(1) & block[:, 1::2].any(1)
        start += f
    return k


def even_odd_constructs(frame: pd.DataFrame, instrument: Instrument) -> int:
    """How many constructs have two or more items in ``frame`` (the most even-odd can use).

    >>> from iur_survey.instrument import load_instrument
    >>> even_odd_constructs(pd.DataFrame(columns=["GOV1", "GOV2", "MKT1"]), load_instrument())
    1
    """
    return sum(sum(c in frame.columns for c in con.items) >= 2 for con in instrument.constructs.values())


def even_odd(frame: pd.DataFrame, instrument: Instrument, *, min_r: float = 0.0,
             min_constructs: int = 4) -> pd.Series:
    """Flag inconsistent responding: resampled even-odd consistency below ``min_r``.

    Even-odd consistency (Jackson 1976; Johnson 2005; ``careless::evenodd``) correlates,
    within the person, the means of the odd and the even items of each construct across
    constructs.  With 7 constructs of 4 items one split is too noisy (an honest
    respondent's 7-point correlation easily falls below Johnson's .30), so the index
    here averages the Spearman-Brown split-half over *every* balanced split of each
    construct (three for 4 items: Curran 2016's resampled individual reliability;
    :func:`iur_survey.clean.indices.split_half`).  It is evaluated from ``min_constructs``
    (default 4) constructs with 2+ items.  ``min_r = 0``: no consistency at all (about
    7 % of simulated honest respondents, half of the random and most patterned ones).  A
    flag is one piece of evidence, never an exclusion.

    >>> from iur_survey.instrument import load_instrument
    >>> cols = [c for k in ("GOV", "MKT", "BEN", "VAL") for c in (k + "1", k + "2")]
    >>> df = pd.DataFrame([[1, 1, 3, 3, 5, 5, 2, 2], [1, 5, 5, 1, 3, 3, 2, 4]], columns=cols, dtype=float)
    >>> even_odd(df, load_instrument()).tolist()
    [<NA>, 'resampled even-odd consistency -1.00 < 0 over 4 constructs']
    >>> bool(even_odd(df, load_instrument(), min_constructs=5).isna().all())
    True
    """
    if even_odd_constructs(frame, instrument) < min_constructs:  # evaluated for nobody: skip the work
        return _none(frame)
    x, factors = _construct_blocks(frame, instrument)
    sb = split_half(x, factors)
    k = _usable_constructs(x, factors)
    with np.errstate(invalid="ignore"):
        hit = (k >= min_constructs) & (sb < min_r)
    return _details(frame, hit, (f"resampled even-odd consistency {v:.2f} < {_detail_number(min_r)} over {n} constructs"
                                 for v, n in zip(sb[hit], k[hit])))


def person_total(frame: pd.DataFrame, instrument: Instrument, *, min_r: float = -0.1,
                 min_spread: float = 0.1) -> pd.Series:
    """Flag answers that run against the sample's item means: person-total correlation below ``min_r``.

    Curran (2016) after Donlon & Fischer (1968): across items, a careful respondent's
    reverse-scored answers follow the item means of everyone else (the items most people
    agree with, they agree with more); a careless respondent's do not
    (:func:`iur_survey.clean.indices.person_total`).  With items of similar means the
    correlation is weak even for careful respondents, so ``min_r = -0.1`` flags only
    answers running *against* the item means.  When the item means hardly differ (their SD below ``min_spread``,
    0.1 scale points) the index carries no information and the rule flags nobody.  One
    piece of evidence, never an exclusion.

    >>> from iur_survey.instrument import load_instrument
    >>> df = pd.DataFrame([[1, 2, 4, 5], [2, 2, 4, 4], [1, 3, 3, 5], [5, 4, 2, 1.0]],
    ...                   columns=["MKT1", "MKT2", "MKT3", "MKT4"])
    >>> person_total(df, load_instrument()).tolist()
    [<NA>, <NA>, <NA>, 'person-total correlation -1.00 < -0.1']
    """
    cols = item_columns(frame, instrument)
    if len(cols) < 3 or len(frame) < 3:
        return _none(frame)
    x = common_scale(_matrix(frame, cols, instrument.reverse_items, instrument), cols, instrument)
    means = nanmean_quiet(x, axis=0)
    means = means[~np.isnan(means)]
    if not (len(means) and np.std(means) >= min_spread):      # equal item means: no information
        return _none(frame)
    r = person_total_index(x)
    with np.errstate(invalid="ignore"):
        hit = r < min_r
    return _details(frame, hit, (f"person-total correlation {v:.2f} < {_detail_number(min_r)}" for v in r[hit]))


def person_fit(frame: pd.DataFrame, instrument: Instrument, *, max_g: float = 0.3) -> pd.Series:
    """Flag poor person fit: normed polytomous Guttman errors above ``max_g``.

    G^p_N (Molenaar 1991; Emons 2008, *Appl Psychol Meas* 32:224-247;
    :func:`iur_survey.clean.indices.guttman_normed`) counts the pairs of item steps a
    respondent passes in the "wrong" order (a rare high answer where a common one is
    refused), normed to 0..1.  Emons (2008) found it among the most powerful
    nonparametric person-fit statistics for polytomous items.  It also rises for honest
    *extreme* responders (their 1s and 5s skip the steps in between), so it never counts
    towards an exclusion and is not run by default (:data:`DEFAULT_RULES`; list it in the
    configuration's ``rules`` to report it).  ``max_g = 0.3``: above the 99th percentile of simulated honest respondents
    without a response style.  With items on different scales each item has its own steps (an item with more
    categories has more of them, and so more weight in the count; the cut-off was set on one 5-point scale).

    >>> from iur_survey.instrument import load_instrument
    >>> df = pd.DataFrame([[5, 4, 4, 3], [4, 4, 3, 3], [5, 5, 4, 4], [1, 2, 5, 5.0]],
    ...                   columns=["MKT1", "MKT2", "MKT3", "MKT4"])
    >>> person_fit(df, load_instrument()).tolist()
    [<NA>, <NA>, <NA>, 'normed Guttman errors 0.40 > 0.3']
    """
    cols = item_columns(frame, instrument)
    if not cols or len(frame) < 3:
        return _none(frame)
    if getattr(instrument, "mixed_scales", False):     # each item's own steps
        lo, hi = instrument.bounds(cols)
    else:
        lo, hi = instrument.scale_min, instrument.scale_max
    g = guttman_normed(_matrix(frame, cols, instrument.reverse_items, instrument), lo, hi)
    hit = g > max_g
    return _details(frame, hit, (f"normed Guttman errors {v:.2f} > {_detail_number(max_g)}" for v in g[hit]))


# ---------------------------------------------------------------------------------
# the survey tool's own verdicts (read by the reader: :mod:`iur_survey.read.toolchecks`)

def _tool_values(frame: pd.DataFrame, checks, header: str) -> np.ndarray | None:
    """The tool column ``header`` for ``frame``'s rows, or ``None`` when the export has no such column.

    ``checks`` holds each column per raw position (:attr:`~iur_survey.read.base.RawResponses.tool_checks`);
    ``frame``'s index is those positions (the pipeline's screened rows keep them).
    """
    if not checks or header not in checks:
        return None
    values = np.asarray(checks[header], dtype=float)
    pos = np.asarray(frame.index, dtype=np.int64)
    if len(pos) and (pos.min() < 0 or pos.max() >= len(values)):
        raise ValueError(f"{header}: the tool column ({len(values)} rows) does not line up with the frame's rows")
    return values[pos]


def _tool_flags(frame: pd.DataFrame, checks, tests) -> pd.Series:
    """Flag the rows where any of ``tests`` ((header, hit function, text function)) hits; a rule whose export has
    none of the columns is not judged."""
    present = [(h, hit, text, v) for h, hit, text in tests for v in [_tool_values(frame, checks, h)] if v is not None]
    if not present:
        return _not_judged(frame, f"the export has no {' or '.join(h for h, _, _ in tests)} column")
    texts = [[] for _ in range(len(frame))]
    for h, hit, text, v in present:
        with np.errstate(invalid="ignore"):
            where = np.flatnonzero(hit(v) & ~np.isnan(v))
        for k in where:
            texts[k].append(text(v[k]))
    flagged = np.array([bool(t) for t in texts], dtype=bool)
    return _details(frame, flagged, ("; ".join(t) for t in texts if t))


def tool_bot(frame: pd.DataFrame, instrument: Instrument, *, recaptcha_below: float = 0.5,
             fraud_from: float = 30.0, checks=None) -> pd.Series:
    """Flag a response the survey tool scores as likely a bot or fraud (Qualtrics' fraud detection).

    ``Q_RecaptchaScore`` (bot detection: a reCAPTCHA v3 score from 0, likely a bot, to 1, likely a human;
    Qualtrics reads a score below 0.5 as likely a bot) under ``recaptcha_below``, or ``Q_RelevantIDFraudScore``
    (RelevantID, 0-100; 30 or more likely fraud) at ``fraud_from`` or above.  Both are probabilities a
    vendor computes from the browser session, not facts about the record: the hit *flags*, and counts as
    one piece of evidence (the ``bot`` group of :mod:`iur_survey.clean.decision`) beside any other; a
    bot's answers usually give the other (speed, invariance, random answers).
    ``decision: {exclude_alone: [tool_bot]}`` excludes on the tool's score alone.  ``checks``: the
    reader's :attr:`~iur_survey.read.base.RawResponses.tool_checks`.

    >>> from iur_survey.instrument import load_instrument
    >>> checks = {"Q_RecaptchaScore": np.array([0.9, 0.3, np.nan]), "Q_RelevantIDFraudScore": np.array([35, 0, 0.0])}
    >>> tool_bot(pd.DataFrame({"GOV1": [3.0, 4, 5]}), load_instrument(), checks=checks).tolist()
    ['Q_RelevantIDFraudScore 35 >= 30 (Qualtrics: likely fraud)', 'Q_RecaptchaScore 0.3 < 0.5 (Qualtrics: likely a bot)', <NA>]
    """
    below, fraud = _detail_number(recaptcha_below), _detail_number(fraud_from)
    return _tool_flags(frame, checks, (
        ("Q_RecaptchaScore", lambda v: v < recaptcha_below,
         lambda x: f"Q_RecaptchaScore {_detail_number(x)} < {below} (Qualtrics: likely a bot)"),
        ("Q_RelevantIDFraudScore", lambda v: v >= fraud_from,
         lambda x: f"Q_RelevantIDFraudScore {_detail_number(x)} >= {fraud} (Qualtrics: likely fraud)"),
    ))


def tool_speed(frame: pd.DataFrame, instrument: Instrument, *, rsi_above: float = 2.0,
               deg_time_above: float = 100.0, rsi_strong: float | None = None, checks=None) -> pd.Series:
    """Flag a response SoSci Survey's own speed indices call too fast.

    ``TIME_RSI`` (relative speed index: how many times faster than the sample's typical respondent,
    page by page; SoSci Survey calls values above 2.0 suspicious) above ``rsi_above``, or ``DEG_TIME``
    (degradation points for pages answered too fast; above 100 SoSci reads the data as meaningless)
    above ``deg_time_above`` (SoSci Survey's manual, "Additional Variables in the Data Set", after Leiner
    2019, *Survey Research Methods* 13:229-248).  Both measure speed, as :func:`speeder` does: they join its
    evidence group (``speed``), so a fast response flagged by both is one piece of evidence, not two.  ``checks``: the
    reader's :attr:`~iur_survey.read.base.RawResponses.tool_checks`.

    Graded as :func:`speeder`'s flags are: a ``TIME_RSI`` hit at or below ``rsi_strong`` (default
    ``1 / sqrt(0.15 x 0.3)`` = 4.71, the relative speed of speeder's default split at 21 % of the median)
    without a ``DEG_TIME`` hit is marked ``[moderately fast]``: no piece of evidence by itself
    (:mod:`iur_survey.clean.decision`).  Without it a fast careful reader at a relative speed of 2-4.7, whom
    speeder grades moderate or does not flag, counted as fast beside any one answer-based group.
    ``tool_speed: {rsi_strong: 2}`` (= ``rsi_above``) restores the previous rule.

    >>> from iur_survey.instrument import load_instrument
    >>> checks = {"TIME_RSI": np.array([1.0, 2.6, 0.8, 5.0]), "DEG_TIME": np.array([10, 130, 101.0, 0])}
    >>> tool_speed(pd.DataFrame({"GOV1": [3.0, 4, 5, 3]}), load_instrument(), checks=checks).tolist()
    [<NA>, 'TIME_RSI 2.6 > 2 (SoSci Survey: suspiciously fast); DEG_TIME 130 > 100 (SoSci Survey: too fast)', 'DEG_TIME 101 > 100 (SoSci Survey: too fast)', 'TIME_RSI 5 > 2 (SoSci Survey: suspiciously fast)']
    >>> checks["DEG_TIME"][1] = 0
    >>> tool_speed(pd.DataFrame({"GOV1": [3.0, 4, 5, 3]}), load_instrument(), checks=checks)[1]
    'TIME_RSI 2.6 > 2 (SoSci Survey: suspiciously fast) [moderately fast]'
    """
    rsi, deg = _detail_number(rsi_above), _detail_number(deg_time_above)
    out = _tool_flags(frame, checks, (
        ("TIME_RSI", lambda v: v > rsi_above,
         lambda x: f"TIME_RSI {_detail_number(x)} > {rsi} (SoSci Survey: suspiciously fast)"),
        ("DEG_TIME", lambda v: v > deg_time_above,
         lambda x: f"DEG_TIME {_detail_number(x)} > {deg} (SoSci Survey: too fast)"),
    ))
    hit = out.notna().to_numpy()
    if not hit.any():
        return out
    strong_rsi = 1.0 / math.sqrt(0.15 * 0.3) if rsi_strong is None else rsi_strong
    n = len(frame)
    r = _tool_values(frame, checks, "TIME_RSI")
    d = _tool_values(frame, checks, "DEG_TIME")
    with np.errstate(invalid="ignore"):
        strong = np.zeros(n, dtype=bool)
        if r is not None:
            strong |= r > strong_rsi
        if d is not None:
            strong |= d > deg_time_above
    moderate = hit & ~strong
    if moderate.any():
        out = out.copy()
        idx = np.flatnonzero(moderate)
        out.iloc[idx] = [f"{t} [{MODERATE}]" for t in out.iloc[idx]]
    return out


def tool_duplicate(frame: pd.DataFrame, instrument: Instrument, *, score_from: float = 75.0,
                   checks=None) -> pd.Series:
    """Flag a response the survey tool says came from a device or browser that answered before (Qualtrics).

    ``Q_RelevantIDDuplicate`` true, ``Q_RelevantIDDuplicateScore`` at ``score_from`` or above (RelevantID,
    0-100; 75 or more likely a duplicate), ``Q_BallotBoxStuffing`` true (the "prevent multiple submissions"
    cookie), ``Q_DuplicateRespondent`` true.  A device is not a person: a family's computer, a lab's or an
    office's shared machine, a survey taken twice by design.  The hit is reported only (it belongs to no
    evidence group, as ``person_fit``); ``decision: {exclude_alone: [tool_duplicate]}`` excludes on it.
    ``checks``: the reader's :attr:`~iur_survey.read.base.RawResponses.tool_checks`.

    >>> from iur_survey.instrument import load_instrument
    >>> checks = {"Q_RelevantIDDuplicate": np.array([1.0, 0, 0]), "Q_RelevantIDDuplicateScore": np.array([90, 10, 80.0])}
    >>> tool_duplicate(pd.DataFrame({"GOV1": [3.0, 4, 5]}), load_instrument(), checks=checks).tolist()[1:]
    [<NA>, 'Q_RelevantIDDuplicateScore 80 >= 75 (Qualtrics: likely a duplicate device)']
    """
    score = _detail_number(score_from)
    return _tool_flags(frame, checks, (
        ("Q_RelevantIDDuplicate", lambda v: v == 1.0,
         lambda x: "Q_RelevantIDDuplicate true (Qualtrics: the device answered before)"),
        ("Q_RelevantIDDuplicateScore", lambda v: v >= score_from,
         lambda x: f"Q_RelevantIDDuplicateScore {_detail_number(x)} >= {score} (Qualtrics: likely a duplicate "
                   f"device)"),
        ("Q_BallotBoxStuffing", lambda v: v == 1.0,
         lambda x: "Q_BallotBoxStuffing true (Qualtrics: this browser submitted before)"),
        ("Q_DuplicateRespondent", lambda v: v == 1.0,
         lambda x: "Q_DuplicateRespondent true (Qualtrics: a repeat respondent)"),
    ))


#: the rules that read the survey tool's own quality columns (``checks``), and the columns each reads
TOOL_RULES: dict[str, tuple[str, ...]] = {
    "tool_bot": ("Q_RecaptchaScore", "Q_RelevantIDFraudScore"),
    "tool_speed": ("TIME_RSI", "DEG_TIME"),
    "tool_duplicate": ("Q_RelevantIDDuplicate", "Q_RelevantIDDuplicateScore", "Q_BallotBoxStuffing",
                       "Q_DuplicateRespondent"),
}


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
    "longpattern": longpattern,
    "irv": irv,
    "mahalanobis": mahalanobis,
    "mahalanobis_direction": mahalanobis_direction,
    "mahalanobis_ipsatized": mahalanobis_ipsatized,
    "mahalanobis_quotient": mahalanobis_quotient,
    "random_likelihood": random_likelihood,
    "correlation_likelihood": correlation_likelihood,
    "mixture_likelihood": mixture_likelihood,
    "invariant_tail": invariant_tail,
    "page_line": page_line,
    "near_duplicate": near_duplicate,
    "psychsyn": psychsyn,
    "psychant": psychant,
    "even_odd": even_odd,
    "person_total": person_total,
    "person_fit": person_fit,
    "tool_bot": tool_bot,
    "tool_speed": tool_speed,
    "tool_duplicate": tool_duplicate,
}
RULE_ORDER: tuple[str, ...] = tuple(RULES)
#: stage 1: record-level screens, evaluated on every raw row; a hit excludes
SCREENING_RULES = ("status", "unfinished", "duplicate_id", "duplicate_answers_ip", "out_of_range", "attention")
#: stage 2: data-based indices, evaluated on the rows that pass stage 1; a hit flags
INDEX_RULES = ("speeder", "longstring", "longpattern", "irv", "mahalanobis", "mahalanobis_direction",
               "mahalanobis_ipsatized", "mahalanobis_quotient", "random_likelihood", "correlation_likelihood",
               "mixture_likelihood", "invariant_tail", "page_line", "near_duplicate", "psychsyn",
               "psychant", "even_odd", "person_total", "person_fit", "tool_bot", "tool_speed", "tool_duplicate")

#: the rules that run unless a configuration lists others: all but ``person_fit``, which never counts
#: towards an exclusion (it rises for honest extreme responders) and costs more than any other index,
#: and ``mahalanobis_ipsatized`` (the ``profile`` evidence group: on real people, psych's bfi, it adds
#: about as many honest respondents to the exclusions as careless ones; see its docstring), and
#: ``mixture_likelihood`` (2.5 s of CPU per 100,000 responses: the 5 s budget); ``rules: [..., person_fit]``
#: adds one to the run.  ``near_duplicate`` runs (session 27: its chance model holds on real people; see its
#: docstring)
DEFAULT_RULES: tuple[str, ...] = tuple(r for r in RULE_ORDER if r not in ("person_fit", "mahalanobis_ipsatized",
                                                                          "mixture_likelihood"))

#: the frame columns each rule needs (any one of a tuple suffices)
_INPUTS = {
    "status": ("_status",), "duplicate_id": ("response_id",),
    "duplicate_answers_ip": ("_ip",), "speeder": ("_duration",),
}


#: the index rules that read the pattern of the answers (not the duration, the survey tool's scores, or a copy
#: judged against chance): on items of two points they are not evaluated (:func:`yes_no_reason`)
PATTERN_RULES = ("longstring", "longpattern", "irv", "mahalanobis", "mahalanobis_direction", "mahalanobis_ipsatized",
                 "mahalanobis_quotient", "random_likelihood", "correlation_likelihood", "mixture_likelihood",
                 "invariant_tail", "page_line", "psychsyn", "psychant", "even_odd", "person_total", "person_fit")


def yes_no_reason(frame: pd.DataFrame, instrument: Instrument) -> str | None:
    """Why the answer-pattern indices (:data:`PATTERN_RULES`) cannot judge these items, or ``None``: every item
    column has two points (yes/no, agree/disagree, 0/1).

    The careless-responding indices read rating scales (Curran 2016; Meade & Craig 2012: their studies use 5- to
    7-point items).  On a checklist of yes/no items a run of one answer, a low variability, a rare combination (a
    large distance) or an "inconsistent" pair is what honest answers give: on FiveThirtyEight's real steak/risk
    survey (6 yes/no risk behaviours, SurveyMonkey) the indices excluded 70 of 541 finished respondents (50 once
    lines the sample's answer model gives were flagged only), among them everyone who drinks and takes no other
    risk (11 of 11) and everyone who drinks and gambles (9 of 9); with this rule, 0.
    The duration (``speeder``), the survey tool's own scores and ``near_duplicate`` (judged against chance) still
    run.

    >>> from iur_survey.instrument import load_instrument
    >>> yes_no_reason(pd.DataFrame({"GOV1": [1.0]}), load_instrument()) is None
    True
    """
    cols = item_columns(frame, instrument)
    if not cols:
        return None
    lo, hi = instrument.bounds(cols)
    if np.all(hi - lo <= 1):
        return ("items on a two-point scale (yes/no): the careless-responding indices read rating scales of 3 "
                "points or more, and on a checklist a run, a low variability or a rare combination is what honest "
                "answers give")
    return None


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
            out[rule] = ("no attention-check column" + (
                "" if instrument.attention_checks else " (the instrument has no attention check)")
                + ": careless answers at an ordinary speed are left to the careless-responding indices, which catch "
                  "fewer of them (the package's evaluation, N 800 and 3,000, five generators with attention "
                  "checks: .35-.55 of careless respondents excluded by the indices alone, .67-.83 by every rule)")
        elif rule == "attention" and not any(frame[c].notna().any() for c in instrument.attention_checks
                                             if c in frame.columns):
            out[rule] = "no attention-check answers (column not in the export, or not matched)"
        elif rule not in ("attention",) and not item_columns(frame, instrument):
            out[rule] = "no item column"
    return out
