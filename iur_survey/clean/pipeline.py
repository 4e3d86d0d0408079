"""The cleaning pipeline: raw export -> clean data + exclusion ledger + report.

:func:`clean` applies the rules of :mod:`iur_survey.clean.rules` in two stages:

1. **Screening** (``status``, ``unfinished``, ``duplicate_id``, ``duplicate_answers_ip``,
   ``out_of_range``, ``attention``) on *every* raw row.  These are facts about a record
   (how it was collected, whether it was finished, whether it repeats another, whether it
   can be scored, whether it obeyed an instruction) and do not depend on the rest of the
   sample.  Duplicates keep the first row that passes ``status`` and ``unfinished``.
2. **Careless-responding indices** (``speeder``, ``longstring``, ``longpattern``, ``irv``,
   ``mahalanobis``, ``mahalanobis_direction``, ``mahalanobis_ipsatized``, ``mahalanobis_quotient``,
   ``random_likelihood``, ``correlation_likelihood``, ``mixture_likelihood``, ``invariant_tail``, ``page_line``, ``near_duplicate``, ``psychsyn``, ``psychant``, ``even_odd``, ``person_total``,
   ``person_fit``) on the rows that pass stage 1 only.  These are data-based: the speeder
   cut-off is a fraction of the median duration and Mahalanobis D² needs the sample mean
   and covariance, which previews, test runs, partial and repeated submissions and
   unscorable codes would distort; partial responses would also make strings and
   variability meaningless.  The Mahalanobis mean and covariance are moreover estimated
   without the rows that ``speeder``, ``longstring``, ``longpattern`` or ``irv`` flag, so
   that blatant careless respondents do not mask the others.  Those four run first (with the
   rules that need no reference sample), then the rules estimated on a reference sample,
   :data:`RULE_THREADS` at a time in threads (NumPy releases the GIL; the flags are those of
   running them one by one, ``tests/clean/test_pipeline.py``); the screening rules too
   (``status`` and ``unfinished``, then the other four).

A screening hit excludes.  An index hit only *flags*; :func:`iur_survey.clean.decision.decide`
excludes a flagged response on convergent evidence (several independent indices, or one
far beyond its cut-off).  The ledger has one row per (response, rule) hit with its
``action`` (excluded / flagged), so a response can appear several times.  An excluded
response's *primary* rule is the first that hit it in the order above among the rules its
exclusion rests on (a screening rule; for a careless exclusion, a rule of its basis:
:func:`iur_survey.clean.decision.basis_rules`), so the report's
counts by primary rule add up to the number excluded; ``n_excluded_screening +
n_excluded_careless = n_excluded`` and ``n_kept + n_excluded = n_raw``.  Every raw row is
either kept or excluded in the ledger (checked on every run); a kept row may be in the
ledger as flagged.  Item nonresponse never excludes; :mod:`iur_survey.clean.missing`
reports it.  When the indices exclude more than 10 % of the records, a
:class:`CarelessShareWarning` is raised and the report lists it under ``warnings``.

>>> from iur_survey.instrument import load_instrument
>>> from iur_survey.read.base import RawResponses
>>> inst = load_instrument()
>>> items = {c: [float(2 + (i // 4 + k) % 3) for k in range(3)] for i, c in enumerate(inst.item_codes)}
>>> frame = pd.DataFrame({"response_id": ["R1", "R2", "R3"], "role": ["university"] * 3,
...                       **items, "ATT1": [4.0, 4.0, 2.0], "_row": [2, 3, 4],
...                       "_status": ["IP Address", "Survey Preview", "IP Address"]})
>>> res = clean(RawResponses(frame, source="x.csv", format="csv", sha256="0"), inst)
>>> res.exclusions[["response_id", "row", "rule", "action"]]
  response_id  row       rule    action
0          R2    3     status  excluded
1          R3    4  attention  excluded
>>> res.clean.columns[:4].tolist(), frame["GOV3"][0], res.clean["GOV3"].tolist()
(['response_id', 'role', 'GOV1', 'GOV2'], np.float64(2.0), [4.0])
>>> res.report["n_raw"], res.report["n_kept"], res.report["excluded_by_primary_rule"]
(3, 1, {'status': 1, 'attention': 1})
"""

from __future__ import annotations

import collections
import csv
import io
import json
import warnings
import os
import re
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from .. import __version__
from ..errors import IURSurveyError, mask_pii
from ..outputs import output_dir
from ..instrument import Instrument
from ..read.assemble import ROW_NUMBER_ID
from ..read.base import RawResponses
from ..scoring import reverse_score
from .._threads import blas_threads, release_free_memory
from .config import CleanConfig
from .missing import item_columns, missing_summary
from .decision import GUARD_BESIDE, basis_rules, decide, evidence
from .rules import (INDEX_RULES, PATTERN_RULES, RULE_ORDER, RULES, SCREENING_RULES, TOOL_RULES, _not_judged, code_text,
                    completion_unknown, declared_not_shown, even_odd_constructs, matrix_cache, missing_inputs, raw_rows,
                    reference_columns, yes_no_reason, zero_median, PACE_MARK)

#: the files :meth:`CleanResult.write` produces
OUTPUT_FILES = ("clean.csv", "flags.csv", "exclusions.csv", "report.json")
LEDGER_COLUMNS = ["response_id", "row", "rule", "detail", "action", "basis"]
#: index rules estimated on a reference sample without the blatant cases
RULES_REFERENCE = {r: ("reference",) for r in ("mahalanobis", "mahalanobis_direction", "mahalanobis_ipsatized",
                                                 "mahalanobis_quotient", "random_likelihood", "correlation_likelihood",
                                                 "mixture_likelihood", "invariant_tail", "page_line",
                                                 "psychsyn", "psychant")}
#: index rules that read the items in the order the export asked them (runs, patterns, tails, halves): they get
#: the reader's :attr:`~iur_survey.read.base.RawResponses.item_order` (else the codebook's order)
RULES_ORDER = ("longstring", "longpattern", "mahalanobis", "mahalanobis_direction", "mahalanobis_ipsatized",
               "mahalanobis_quotient", "random_likelihood", "correlation_likelihood", "mixture_likelihood",
               "invariant_tail")
#: of those, the rules that read the attention checks in their places too (the reader's ``screen_order``)
RULES_SCREEN = ("longpattern",)
#: the reference rules that cost most, queued first, in this order (CPU on 100,000 responses: mixture_likelihood
#: 2.5 s when enabled, random_likelihood 1 s, the next 0.4 s): the last in the queue are the short ones
REFERENCE_FIRST = ("mixture_likelihood", "random_likelihood")
#: flags that take a response out of the reference sample of the distance and pair rules
BLATANT_RULES = ("speeder", "longstring", "longpattern", "irv")
#: warn when the careless-responding indices exclude more than this share of the records
CARELESS_WARN_SHARE = 0.10


class CarelessShareWarning(UserWarning):
    """The careless-responding indices excluded an unusually large share of the export."""


class CarelessGroupWarning(UserWarning):
    """The careless-responding indices excluded one group (role) far more often than the others."""


class ScreeningWarning(UserWarning):
    """A screening rule found something a person should look at (re-submitted ids, a rule removing many rows)."""


class DisplayOrderWarning(UserWarning):
    """The export shows a per-respondent display order, which the order-based indices do not read."""


#: index rules that read a response's answers in the questionnaire's order (runs, repeats, tails)
ORDER_RULES = ("longstring", "longpattern", "invariant_tail", "random_likelihood")


#: warn when a group's careless exclusions exceed the other groups' rate at this one-sided binomial p
CARELESS_GROUP_P = 0.001


def careless_by_group(screened: pd.DataFrame, instrument: Instrument, excluded: np.ndarray
                      ) -> tuple[dict[str, dict[str, int]], str]:
    """Careless exclusions per group (role) of the screened responses, and a warning text if one group stands out.

    The study compares the roles, and a role that answers differently from the others (in
    level, or in how its answers correlate) is far from the pooled sample as a whole: the
    distance indices flag its honest members more often.  A group whose share of careless
    exclusions exceeds the other groups' at a one-sided binomial p below
    :data:`CARELESS_GROUP_P` (Bonferroni over the groups) is named (it may also really hold
    more careless respondents: the warning asks to look, it decides nothing).  It has little
    power at the sizes of a survey: in 48 samples of 300 and 1,500 (8 kinds of export, 3
    seeds) it named no group, neither where the roles do not differ nor where a role of
    10 % whose correlations differ lost 3.0 % of its honest respondents against 0.7-1.3 %
    for the others (pooled over 3 seeds; too few per sample).  The counts are in the report
    (``careless_excluded_by_group``) either way.

    >>> from iur_survey.instrument import load_instrument
    >>> f = pd.DataFrame({"role": ["university"] * 100 + ["government"] * 100})
    >>> ex = np.r_[np.zeros(99, bool), [True], np.zeros(88, bool), np.ones(12, bool)]
    >>> counts, text = careless_by_group(f, load_instrument(), ex)
    >>> counts["government"], text[:97]
    ({'screened': 100, 'excluded': 12}, "the careless-responding indices excluded 12 of the 100 responses of the role 'government' (12.0%)")
    """
    col = instrument.group_column
    if col not in screened.columns or not len(screened):
        return {}, ""
    codes, keys = pd.factorize(screened[col].astype("string"), use_na_sentinel=True)
    keys = [str(k) for k in keys] + ["(none)"]
    codes = np.where(codes < 0, len(keys) - 1, codes)        # no group recorded: the last key
    excluded = np.asarray(excluded, dtype=bool) if len(excluded) else np.zeros(len(codes), dtype=bool)
    n_by = np.bincount(codes, minlength=len(keys))
    k_by = np.bincount(codes, weights=excluded, minlength=len(keys))
    counts = {k: {"screened": int(n), "excluded": int(e)} for k, n, e in zip(keys, n_by, k_by) if n}
    worst, worst_p = "", 1.0
    total_n, total_k = len(codes), int(excluded.sum())
    tested = [k for k in counts if k != "(none)" and total_n - counts[k]["screened"] >= 20]
    for k in tested:
        c = counts[k]
        n_o, k_o = total_n - c["screened"], total_k - c["excluded"]
        if c["excluded"] < 5:
            continue
        # one-sided binomial tail P(X >= k) (scipy.special: no scipy.stats import on the cleaning's path)
        p = float(special.bdtrc(c["excluded"] - 1, c["screened"], max(k_o / n_o, 0.5 / n_o)))
        p = min(1.0, p * len(tested))                       # Bonferroni over the groups
        if p < worst_p:
            worst, worst_p = k, p
    if worst_p >= CARELESS_GROUP_P:
        return counts, ""
    c = counts[worst]
    n_o, k_o = total_n - c["screened"], total_k - c["excluded"]
    return counts, (f"the careless-responding indices excluded {c['excluded']} of the {c['screened']} responses of "
                    f"the role {worst!r} ({100 * c['excluded'] / c['screened']:.1f}%) against {100 * k_o / n_o:.1f}% of the "
                    f"others (binomial p = {worst_p:.1g}): either more of them answered carelessly, or a role that "
                    f"answers differently is far from the pooled sample. The ledger's basis column says which "
                    f"indices excluded them; if the distance indices did, compare with mahalanobis by_group "
                    f"before comparing the roles")


def _flags_table(ids: pd.Series, kept_pos: np.ndarray, rows: np.ndarray, flag_pos: np.ndarray,
                 flag_rule: np.ndarray, rules: list[str]) -> pd.DataFrame:
    """One row per kept response (clean.csv's order): ``response_id``, ``row`` and a 0/1 column per index rule.

    ``kept_pos`` (ascending) are the kept responses' raw positions; ``flag_pos`` and ``flag_rule``
    the ledger rows of the kept responses (the index rules that flagged them).
    """
    out = {"response_id": ids.to_numpy(), "row": rows[kept_pos].astype(np.int64)}
    at = np.searchsorted(kept_pos, flag_pos)
    found = at < len(kept_pos)
    found[found] = kept_pos[at[found]] == flag_pos[found]
    hits = np.zeros((len(kept_pos), len(rules)), dtype=np.int64)
    if len(rules) and len(flag_pos):
        col = {r: j for j, r in enumerate(rules)}
        codes, names = pd.factorize(np.asarray(flag_rule, dtype=object))    # each rule name looked up once
        j = np.array([col.get(r, -1) for r in names.tolist()], dtype=np.int64)[codes]
        found &= j >= 0
        hits[at[found], j[found]] = 1
    for k, rule in enumerate(rules):
        out[rule] = hits[:, k]
    out["n_flags"] = hits.sum(axis=1) if rules else np.zeros(len(kept_pos), dtype=np.int64)
    return pd.DataFrame(out)


@dataclass
class CleanResult:
    """The outcome of :func:`clean`.

    ``clean``: one row per kept response: ``response_id``, the group column and the item
    codes with reverse-keyed items reversed; nothing else.
    ``exclusions``: the ledger, one row per rule hit: ``response_id``, ``row`` (1-based
    raw-file row), ``rule``, ``detail``, ``action`` (``excluded``: the response is not in
    ``clean``; ``flagged``: it is, and this index flagged it) and ``basis`` (why an
    excluded response was excluded: screening rule, far beyond a cut-off, convergent
    evidence).
    ``report``: JSON-ready dict (counts, input fingerprint, configuration, missing data).
    ``flags``: one row per kept response in ``clean``'s order: ``response_id``, ``row``,
    a 0/1 column per index rule, ``n_flags`` and ``n_evidence`` (how many evidence groups
    of :mod:`iur_survey.clean.decision` count against it: 1 = flagged but not excluded)
    (written as ``flags.csv``; the sensitivity analysis of :mod:`iur_survey.sem.sensitivity`
    reads it).
    """

    clean: pd.DataFrame
    exclusions: pd.DataFrame
    report: dict[str, Any]
    config: CleanConfig = field(default_factory=CleanConfig, repr=False)
    flags: pd.DataFrame | None = field(default=None, repr=False)

    def summary(self) -> str:
        """A short plain-text summary (what the CLI prints)."""
        r = self.report
        lines = [f"{r['source']['name']} ({r['source']['format']}): {r['n_raw']} raw rows, "
                 f"{r['n_kept']} kept ({r['n_flagged_kept']} of them flagged), {r['n_excluded']} excluded "
                 f"({r['n_excluded_screening']} by screening, {r['n_excluded_careless']} as careless)",
                 f"  {'rule':<22}{'hit':>8}{'primary':>9}{'flagged':>9}"]
        for rule in r["rules_run"]:
            if rule in r["rules_not_evaluated"]:
                lines.append(f"  {rule:<22}{'-':>8}{'-':>9}{'-':>9}")
                continue
            lines.append(f"  {rule:<22}{r['hits_by_rule'].get(rule, 0):>8}"
                         f"{r['excluded_by_primary_rule'].get(rule, 0):>9}"
                         f"{r['flagged_kept_by_rule'].get(rule, 0):>9}")
        for rule, why in r["rules_not_evaluated"].items():
            lines.append(f"  {rule:<22}  not evaluated: {why}")
        for rule, note in r.get("rule_notes", {}).items():
            lines.append(f"  {rule:<22}  note: {note}")
        for w in r.get("warnings", []):
            lines.append(f"  WARNING: {w}")
        m = r["missing"]
        hidden = m.get("n_not_shown_cells", 0)
        lines.append(f"  {'missing answers' if hidden else 'item nonresponse'} in kept data: {m['n_missing_cells']} "
                     f"of {m['n_cells']} cells ({m['pct_missing_cells']:.2f}%), {m['n_rows_with_missing']} responses"
                     + (f"; {hidden} of them questions not shown (skip logic), "
                        f"{m['n_missing_cells'] - hidden} item nonresponse" if hidden else ""))
        return "\n".join(lines)

    def write(self, out_dir: str | Path, *, protect: tuple = ()) -> Path:
        """Write ``clean.csv``, ``exclusions.csv`` and ``report.json`` into ``out_dir``.

        All three are written into a temporary directory beside ``out_dir`` first; only
        when all succeeded are they moved into place (a new ``out_dir`` is renamed into
        existence in one step), so an error leaves nothing half-written.  Returns ``out_dir``.
        Refuses (:func:`~iur_survey.outputs.output_dir`) an output that would overwrite an input.
        """
        # never the raw export (``protect``: the input paths; any file with the input's exact content)
        out = output_dir(out_dir, OUTPUT_FILES, protect=protect, protect_sha256=self.report["source"].get("sha256"))
        parent = out.absolute().parent
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=parent))
        try:
            flags = self.flags if self.flags is not None else pd.DataFrame({"response_id": self.clean["response_id"]})
            # the three tables side by side (most of write_csv is NumPy, which releases the GIL)
            with ThreadPoolExecutor(max_workers=3) as pool:
                jobs = [pool.submit(write_csv, table, tmp / name) for table, name in
                        ((self.clean, "clean.csv"), (flags, "flags.csv"), (self.exclusions, "exclusions.csv"))]
                for job in jobs:
                    job.result()
            with open(tmp / "report.json", "w", encoding="utf-8") as fh:
                json.dump(self.report, fh, indent=2, ensure_ascii=False)
                fh.write("\n")
            if not out.exists():
                os.rename(tmp, out)
            else:
                for name in OUTPUT_FILES:
                    os.replace(tmp / name, out / name)
                tmp.rmdir()
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return out


def write_csv(frame: pd.DataFrame, path: str | Path) -> None:
    """Write ``frame`` as UTF-8 CSV, float codes as integers where whole (``3``, not ``3.0``).

    The same text as ``frame.to_csv(path, index=False, float_format="%.10g")`` for a frame
    of text and float columns (the cells of :func:`csv.writer`, ``QUOTE_MINIMAL``), several
    times faster on 100,000 responses: each column's distinct values are formatted once
    (:func:`~iur_survey.clean.rules.code_text` for floats, :func:`csv.writer` for a text that
    needs quotes) and the rows are assembled as bytes by NumPy (:func:`_csv_body`).  A column
    of anything else (objects that are not text, booleans, dates) or a one-column frame goes
    through :func:`csv.writer` row by row.

    >>> import tempfile, os
    >>> df = pd.DataFrame({"response_id": ["a,1", None], "GOV1": [3.0, np.nan], "GOV2": [2.5, 1e6]})
    >>> with tempfile.TemporaryDirectory() as d:
    ...     write_csv(df, os.path.join(d, "x.csv"))
    ...     print(open(os.path.join(d, "x.csv")).read())
    response_id,GOV1,GOV2
    "a,1",3,2.5
    ,,1000000
    <BLANKLINE>
    """
    head = io.StringIO()
    csv.writer(head, lineterminator="\n").writerow([str(c) for c in frame.columns])
    cells = [_csv_cells(frame.iloc[:, j]) for j in range(frame.shape[1])] if frame.shape[1] > 1 else [None]
    if any(c is None for c in cells) or sum(c.dtype.itemsize + 1 for c in cells) > _CSV_MAX_ROW:
        _write_csv_rows(frame, path, head.getvalue())
        return
    with open(path, "wb") as fh:
        fh.write(head.getvalue().encode("utf-8"))
        for body in _csv_body(cells, len(frame)):
            fh.write(body)


#: widest row (bytes, its widest cells) assembled by :func:`_csv_body`; wider frames are written row by row
_CSV_MAX_ROW = 4096
#: bytes of the row block :func:`_csv_body` assembles at a time
_CSV_BLOCK = 1 << 24


def _csv_quote_pattern() -> tuple[re.Pattern, bool]:
    """What makes :func:`csv.writer` (this Python's ``QUOTE_MINIMAL``) quote a cell, asked of it once.

    The ASCII characters that do inside a cell, and white space at either end if that does
    (it does not in Python 3.11).  A cell it matches goes through :func:`csv.writer` itself, so
    the pattern may match too much, never too little.
    """
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")

    def quoted(cell: str) -> bool:
        buf.seek(0)
        buf.truncate()
        w.writerow([cell, "x"])
        return not buf.getvalue().startswith(cell + ",")

    chars = "".join(c for c in map(chr, range(1, 128)) if quoted(f"a{c}b")) + ',"\r\n'
    edges = any(quoted(t) for t in (" a", "a ", "\ta", "a\t"))
    return re.compile("[" + re.escape(chars) + "]" + ("|^\\s|\\s$" if edges else "")), edges


_CSV_QUOTED, _CSV_EDGES = _csv_quote_pattern()


def _csv_texts(texts: list[str]) -> np.ndarray | None:
    """Distinct cell texts (none holding a NUL: :func:`_csv_cells` checks) -> their CSV cells as UTF-8 bytes
    (``S`` array), or ``None`` for a text UTF-8 cannot encode."""
    joined = "".join(texts)
    if _CSV_EDGES or _CSV_QUOTED.search(joined):
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        texts = list(texts)
        for i, t in enumerate(texts):
            if t and _CSV_QUOTED.search(t):
                buf.seek(0)
                buf.truncate()
                w.writerow([t, ""])                 # two cells: a lone empty cell would be written ""
                texts[i] = buf.getvalue()[:-2]      # without the separator and the empty cell's line end
        joined = "".join(texts)
    if len(texts) > 1000 and len(joined) % len(texts) == 0 and joined.isascii():
        size = len(joined) // len(texts)
        if size and len(set(map(len, texts))) == 1:     # e.g. ids: one bytes buffer, no per-cell copies
            return np.frombuffer(joined.encode("ascii"), dtype=f"S{size}")
    try:
        return np.array(texts, dtype="S")           # ASCII
    except UnicodeEncodeError:
        try:
            return np.array([t.encode("utf-8") for t in texts], dtype="S")
        except UnicodeEncodeError:                  # e.g. a lone surrogate: csv.writer raises it as before
            return None


def _csv_cells(col: pd.Series) -> np.ndarray | None:
    """The CSV cells of one column as UTF-8 bytes (``S`` array), formatted per distinct value.

    Floats as :func:`~iur_survey.clean.rules.code_text` (distinct bit patterns: ``-0.0`` stays
    ``-0``), NumPy integers as ``str``, text (``string`` or ``object`` of ``str``; missing ->
    empty) quoted as :func:`csv.writer` quotes it; ``None`` for any other column.  (A cell may
    start with NUL bytes, which :func:`_csv_body` drops.)
    """
    dtype = col.dtype
    if pd.api.types.is_float_dtype(dtype):
        values = np.ascontiguousarray(col.to_numpy(dtype=float, na_value=np.nan))
        codes, bits = pd.factorize(values.view(np.int64))
        texts = code_text(np.asarray(bits, dtype=np.int64).view(np.float64)).tolist()
    elif isinstance(dtype, np.dtype) and dtype.kind in "iu":
        values = col.to_numpy()
        if len(values) and 0 <= values.min() and values.max() < 10 ** 18:
            return _digits(values.astype(np.int64))
        codes, uniques = pd.factorize(values)
        texts = [str(u) for u in uniques.tolist()]
    elif isinstance(dtype, pd.StringDtype) or dtype == object:
        values = col.to_numpy(dtype=object, na_value="")
        if pd.api.types.infer_dtype(values, skipna=False) not in ("string", "empty"):
            return None
        if "\x00" in "".join(values):    # the byte assembly drops NUL bytes, and pandas' hashing of text stops
            return None                   # at one ("a\x00b" factorizes as "a"): such a column goes to csv.writer
        if len(set(values[:1000].tolist())) > 900:      # (nearly) all distinct, e.g. ids: no factorizing
            codes, texts = None, values.tolist()
        else:
            codes, uniques = pd.factorize(values)
            texts = uniques.tolist()
    else:
        return None
    table = _csv_texts(texts)
    if table is None:
        return None
    if codes is None:
        return table
    return table[codes] if len(table) else np.zeros(len(codes), dtype="S1")


def _digits(values: np.ndarray) -> np.ndarray:
    """Decimal text of non-negative integers (< 10**18) as ``S`` cells, the leading zeros as NUL bytes.

    >>> _digits(np.array([0, 7, 120])).view(np.uint8).reshape(3, 3).tolist()
    [[0, 0, 48], [0, 0, 55], [49, 50, 48]]
    """
    width = len(str(int(values.max()))) if len(values) else 1
    out = np.zeros((len(values), width), dtype=np.uint8)
    rest = values.copy()
    for k in range(width - 1, -1, -1):
        out[:, k] = rest % 10 + 48
        rest //= 10
    if width > 1:   # no leading zeros (but "0" itself)
        out[:, :-1][values[:, None] < 10 ** np.arange(width - 1, 0, -1)] = 0
    return out.view(f"S{width}").ravel()


def _csv_body(cells: list[np.ndarray], n: int):
    """The CSV rows of the columns' cells, as bytes blocks: a zero-padded byte matrix, the zeros dropped."""
    widths = [c.dtype.itemsize for c in cells]
    width = sum(widths) + len(cells)
    step = max(1, _CSV_BLOCK // width)
    for lo in range(0, n, step):
        hi = min(n, lo + step)
        block = np.zeros((hi - lo, width), dtype=np.uint8)
        at = 0
        for c, w in zip(cells, widths):
            block[:, at:at + w] = c[lo:hi].view(np.uint8).reshape(hi - lo, w)
            at += w
            block[:, at] = 44                       # ","
            at += 1
        block[:, -1] = 10                           # the last "," is the line end
        yield block[block != 0].tobytes()


def _write_csv_rows(frame: pd.DataFrame, path: str | Path, head: str) -> None:
    """:func:`write_csv` by :func:`csv.writer`, row by row (any column type)."""
    cols = []  # one list of cell texts per column; rows are zipped together by the C writer
    for j in range(frame.shape[1]):
        col = frame.iloc[:, j]
        if pd.api.types.is_float_dtype(col.dtype):
            cols.append(code_text(col.to_numpy(dtype=float, na_value=np.nan)).tolist())
        else:
            cols.append(col.astype(object).where(col.notna(), "").tolist())
    with open(path, "w", newline="", encoding="utf-8") as fh:
        fh.write(head)
        csv.writer(fh, lineterminator="\n").writerows(zip(*cols))


#: index rules computed side by side (threads: the rules are NumPy-bound and release the GIL)
RULE_THREADS = 2


#: what a rule's call gives: its flags, the rows it hit (``flags.notna()``) and their ledger details
Ran = tuple[pd.Series, np.ndarray, np.ndarray]
#: a call's keyword that makes :func:`_run_one` judge nobody, for the reason it holds (the rule is not run)
SKIP = "_not_run_because"


def _run_one(rule: str, frame: pd.DataFrame, instrument: Instrument, kw: dict) -> Ran:
    """``RULES[rule](frame, instrument, **kw)``, the rows it hit and their ledger details (:func:`_ledger_details`),
    all in the thread that runs the rule."""
    skip = kw.pop(SKIP, None)
    flags = _not_judged(frame, skip) if skip else RULES[rule](frame, instrument, **kw)
    hit = flags.notna().to_numpy()
    return flags, hit, _ledger_details(flags, rule, hit)


def _run_rules(frame: pd.DataFrame, instrument: Instrument, calls: list[tuple[str, dict]]) -> list[Ran]:
    """:func:`_run_one` for each call, in order, ``RULE_THREADS`` at a time.

    The rules are independent given their keywords and deterministic (seeded draws of their
    own), so the flags are those of running them one by one.
    """
    if RULE_THREADS < 2 or len(calls) < 2:
        return [_run_one(rule, frame, instrument, kw) for rule, kw in calls]
    with ThreadPoolExecutor(max_workers=RULE_THREADS) as pool:
        futures = [pool.submit(_run_one, rule, frame, instrument, kw) for rule, kw in calls]
        return [f.result() for f in futures]


def _run_staged(frame: pd.DataFrame, instrument: Instrument, first: list[tuple[str, dict]],
                free: list[tuple[str, dict]], then) -> tuple[list[Ran], list[Ran], list[Ran]]:
    """:func:`_run_one` of the calls ``first``, ``free`` and ``then(what first gave)``, ``RULE_THREADS`` at a time.

    ``free`` does not depend on ``first``: it is queued behind it at once, and the calls of
    ``then`` are queued when ``first`` is done, so no thread waits for the last of ``first``
    while there is other work.  The rules are deterministic, so the flags are those of
    :func:`_run_rules` stage by stage.
    """
    if RULE_THREADS < 2 or len(first) + len(free) < 2:
        done = _run_rules(frame, instrument, first)
        return done, _run_rules(frame, instrument, free), _run_rules(frame, instrument, then(done))
    with ThreadPoolExecutor(max_workers=RULE_THREADS) as pool:
        f_first = [pool.submit(_run_one, rule, frame, instrument, kw) for rule, kw in first]
        f_free = [pool.submit(_run_one, rule, frame, instrument, kw) for rule, kw in free]
        try:
            done = [f.result() for f in f_first]
            f_then = [pool.submit(_run_one, rule, frame, instrument, kw) for rule, kw in then(done)]
        except BaseException:
            for f in f_free:
                f.cancel()
            raise
        return done, [f.result() for f in f_free], [f.result() for f in f_then]


def _ledger_details(flags: pd.Series, rule: str, hit: np.ndarray) -> np.ndarray:
    """The ledger details of the rows a rule hit (``hit``), in their order."""
    details = flags.to_numpy()[hit]
    if rule not in INDEX_RULES:         # a screening detail may quote a cell (status, role, an out-of-range code)
        uniq, inverse = np.unique(details.astype(str), return_inverse=True)   # many repeat: mask each once
        details = np.array([mask_pii(d) for d in uniq], dtype=object)[inverse]
    # an index rule's detail is made of numbers and item codes only (recoded answers, durations, statistics)
    return np.asarray(details, dtype=object)


def _rule_counts(rules: np.ndarray) -> dict[str, int]:
    """How many ledger rows each rule has, in :data:`RULE_ORDER` (rules without a row left out)."""
    codes, names = pd.factorize(np.asarray(rules, dtype=object))     # (rule names: hashed, not sorted)
    got = dict(zip(names.tolist(), np.bincount(codes, minlength=len(names)).tolist()))
    return {r: int(got[r]) for r in RULE_ORDER if r in got}


def _not_evaluated(frame: pd.DataFrame, instrument: Instrument, config: CleanConfig) -> dict[str, str]:
    """Rules that ran but could not judge anyone: missing inputs, or too few constructs for even-odd."""
    out = missing_inputs(frame, instrument, config.rules)
    if "even_odd" in config.rules and "even_odd" not in out:
        usable = even_odd_constructs(frame, instrument)
        if usable < config.even_odd_min_constructs:
            out["even_odd"] = (f"{usable} constructs with 2+ items < min_constructs "
                               f"{config.even_odd_min_constructs}")
    return out


#: a screening rule that removes more than this share of the records is more likely a coding problem of the
#: export (a scale or an attention check recoded the wrong way) than that many bad records
SCREENING_WARN_SHARE = {"out_of_range": 0.05, "attention": 0.20}
#: one response id on more than this share of the rows (and MANY_ID_ROWS of them) is not an id
MANY_ID_SHARE, MANY_ID_ROWS = 0.10, 5


def _primary_rows(excl_pos: np.ndarray, excl_rule: np.ndarray, basis_of: np.ndarray) -> np.ndarray:
    """Which of the excluded ledger rows (sorted by position, then rule order) names its response's primary rule.

    The first row of the response whose rule its exclusion rests on: a screening rule, or
    for a careless exclusion a rule of its basis (a speeder flag does not get the credit for
    an exclusion far beyond the cut-off of longstring).  The rows of a response are
    consecutive, and it has exactly one primary row.
    """
    first = np.ones(len(excl_pos), dtype=bool)
    first[1:] = excl_pos[1:] != excl_pos[:-1]
    out = np.zeros(len(excl_pos), dtype=bool)
    starts = np.flatnonzero(first)
    ends = np.r_[starts[1:], len(excl_pos)]
    for a, b in zip(starts, ends):
        basis = basis_of[excl_pos[a]]
        pick = a
        if basis:                      # careless: the first row of a rule named by the basis
            named = basis_rules(basis)
            pick = next((i for i in range(a, b) if excl_rule[i] in named), a)
        out[pick] = True
    return out


def _check_ids(ids: np.ndarray, raw: RawResponses) -> None:
    """Refuse an id column in which one value stands for many rows: it does not identify respondents.

    The duplicate rule would keep one of them and exclude the rest, in silence (a column of
    organisation codes taken for the id kept 1 response of 596).
    """
    s = pd.Series(ids, dtype="string").dropna()
    if s.empty:
        return
    most = max(collections.Counter(s.tolist()).values())    # (the same counts as value_counts', several times faster)
    if not (most >= MANY_ID_ROWS and most > MANY_ID_SHARE * len(ids)):
        return
    counts = s.value_counts()
    top, k = counts.index[0], int(counts.iloc[0])
    if k >= MANY_ID_ROWS and k > MANY_ID_SHARE * len(ids):
        header = next((h for h, t in raw.column_map.items() if t == "response_id"), None)
        raise IURSurveyError(raw.source, f"response id {str(top)!r} is on {k} of the {len(ids)} rows: the column "
                                         f"taken for the id does not identify respondents (each repeat would be "
                                         f"excluded as a duplicate); map the right id column in the instrument's "
                                         f"columns:, or remove this one (the row number is then the id)",
                             column=header)


def _screening_warnings(flags: dict[str, pd.Series], n: int, eligible: np.ndarray | None = None) -> list[str]:
    """Warnings on what the screening rules found: re-submissions with other answers, rules that remove a lot.

    A rule's share is taken of the ``eligible`` records (those the status and unfinished rules pass, when
    given): a break-off, or a row of another form (REDCap), leaves the check blank too, and says nothing of
    how the export codes it.

    >>> f = {"attention": pd.Series([None, None, "x", "x"], dtype=object)}
    >>> len(_screening_warnings(f, 4)), _screening_warnings(f, 4, np.array([True, True, False, False]))
    (1, [])
    """
    out = []
    dup = flags.get("duplicate_id")
    if dup is not None:
        differ = int(dup.str.contains("answers differ", regex=False).fillna(False).sum())   # ids (an e-mail
        if differ:                                                                            # repeat: same answers)
            out.append(f"{differ} response(s) repeat a response id with different answers (re-submissions, or an "
                       f"id that is not unique): each is excluded and the first complete submission of the id is "
                       f"kept (the ledger's duplicate_id rows name it); check that this is what you want")
    if eligible is not None:
        eligible = np.asarray(eligible, dtype=bool)
        n = int(eligible.sum())
    for rule, limit in SCREENING_WARN_SHARE.items():
        if rule in flags and n:
            hit = flags[rule].notna().to_numpy(dtype=bool)
            k = int((hit & eligible).sum() if eligible is not None else hit.sum())
            if k > limit * n:
                out.append(f"the {rule} rule excluded {k} of {n} records ({100 * k / n:.0f}% > {100 * limit:.0f}%): "
                           f"more often a coding problem of the export (a scale or a check coded another way) "
                           f"than that many bad records; check the export before trusting the sample")
    return out


def _email_warnings(raw: RawResponses, keep: np.ndarray, rows: np.ndarray) -> list[str]:
    """A warning when kept responses give an e-mail address an earlier kept response gave (the same person
    answering twice, or two people sharing a mailbox?): ``duplicate_id`` excludes only the repeats with the
    same answers (unless it is off, ``by_email`` is false or the address is in many records,
    :data:`~iur_survey.clean.rules.SHARED_EMAIL_SHARE`); the others are named for the analyst to check (the
    addresses are personal data, never written out).
    Responses already excluded (e.g. by ``duplicate_id``) are not counted.

    >>> raw = RawResponses(frame=pd.DataFrame(), source="x.csv", format="csv", sha256="",
    ...                    email_groups=[("Email", np.array([0, 1, 0, -1, 0]))])
    >>> _email_warnings(raw, np.array([True, True, False, True, True]), np.array([2, 3, 4, 5, 6]))[0][:75]
    "1 kept response(s) give an e-mail address ('Email') an earlier kept respons"
    >>> _email_warnings(raw, np.array([True, True, False, True, False]), np.array([2, 3, 4, 5, 6]))
    []
    """
    out = []
    for header, codes in getattr(raw, "email_groups", ()):
        c = pd.Series(np.asarray(codes)[keep])
        dup = ((c >= 0) & c.duplicated(keep="first")).to_numpy(dtype=bool)
        if dup.any():
            found = [int(r) for r in rows[keep][dup]]
            shown = ", ".join(str(r) for r in found[:8]) + (", ..." if len(found) > 8 else "")
            out.append(f"{len(found)} kept response(s) give an e-mail address ({header!r}) an earlier kept response "
                       f"gave (rows {shown}) with other answers: the same person answering twice, or people "
                       f"sharing a mailbox? duplicate_id excludes only repeats with the same answers (and none when "
                       f"it is off, by_email is false, or one address is in more than 10% of the records; addresses "
                       f"are never written out): check these rows, and remove the repeats if they are")
    return out


def _id_warnings(ids: np.ndarray, keep: np.ndarray, rows: np.ndarray, raw: RawResponses, on: set) -> list[str]:
    """Warnings on the ids of what is kept: an id column blank in every row (or in some), and, with duplicate_id
    disabled, kept responses that share an id; and on a configuration that disables every screening rule.

    >>> raw = RawResponses(frame=pd.DataFrame(), source="x.csv", format="csv", sha256="",
    ...                    column_map={"ResponseId": "response_id"})
    >>> ids = np.array([pd.NA, pd.NA, pd.NA], dtype=object)
    >>> _id_warnings(ids, np.ones(3, bool), np.array([2, 3, 4]), raw, {"status"})[0][:70]
    "the id column 'ResponseId' is blank in every row: clean.csv and exclus"
    >>> _id_warnings(np.array(["a", "b", "a"], dtype=object), np.ones(3, bool), np.array([2, 3, 4]), raw,
    ...              {"status"})[0][:80]
    'duplicate_id is disabled and 2 kept responses share their id with another (rows '
    """
    out = []
    header = next((h for h, t in raw.column_map.items() if t == "response_id"), None)
    blank = pd.isna(pd.Series(ids, dtype="string")).to_numpy(dtype=bool) if len(ids) else np.zeros(0, bool)
    if header is not None and len(ids) and blank.all():
        out.append(f"the id column {header!r} is blank in every row: clean.csv and exclusions.csv have an empty "
                   f"response_id in every row (the ledger's row column still names the raw row); map the right "
                   f"id column in the instrument's columns:, or remove this one (the row number is then the id)")
    elif header is not None and (blank & keep).any():
        k = int((blank & keep).sum())
        shown = ", ".join(str(int(r)) for r in rows[blank & keep][:8]) + (", ..." if k > 8 else "")
        out.append(f"{k} kept response(s) have no id in {header!r} (rows {shown}): their response_id in clean.csv "
                   f"is empty")
    if "duplicate_id" not in on:
        kept = pd.Series(ids[keep], dtype="string")
        dup = (kept.notna() & kept.duplicated(keep=False)).to_numpy(dtype=bool)
        if dup.any():
            k = int(dup.sum())
            shown = ", ".join(str(int(r)) for r in rows[keep][dup][:8]) + (", ..." if k > 8 else "")
            out.append(f"duplicate_id is disabled and {k} kept responses share their id with another (rows "
                       f"{shown}): clean.csv holds the same id more than once (re-submissions, or an id that is "
                       f"not unique); enable duplicate_id, or check these rows")
    if not on & set(SCREENING_RULES):
        out.append(f"every screening rule is disabled ({', '.join(SCREENING_RULES)}): previews, test "
                   f"responses, break-offs, duplicates and responses with out-of-range codes or failed attention "
                   f"checks are all kept; only the careless-responding indices judged the responses")
    return out


def _breakoff_group_warnings(frame: pd.DataFrame, flags: dict[str, pd.Series], instrument: Instrument) -> list[str]:
    """A warning for each group (role) that the unfinished rule would exclude whole on trailing blanks alone
    (no Finished/Progress): more often a skip-logic branch or optional last questions than a group of
    break-offs.

    >>> from iur_survey.instrument import load_instrument
    >>> f = pd.DataFrame({"role": ["government", "government", "enterprise"]})
    >>> u = pd.Series(["no Finished/Progress recorded; last 4 items unanswered (INT1-INT4)"] * 2 + [pd.NA], dtype="string")
    >>> _breakoff_group_warnings(f, {"unfinished": u}, load_instrument())[0][:80]
    "the unfinished rule excludes all 2 'government' responses as break-offs, on thei"
    """
    unf, group = flags.get("unfinished"), instrument.group_column
    if unf is None or group not in frame.columns or not len(frame):
        return []
    inferred = unf.notna().to_numpy(dtype=bool) & completion_unknown(frame)
    if not inferred.any():
        return []
    roles = frame[group].astype("string")
    out = []
    for g in roles.dropna().unique():
        mine = (roles == g).fillna(False).to_numpy(dtype=bool)
        if mine.sum() >= 2 and inferred[mine].all():
            out.append(f"the unfinished rule excludes all {int(mine.sum())} {str(g)!r} responses as break-offs, on "
                       f"their trailing blank items alone (the export records no Finished/Progress): skip logic "
                       f"that hides the last questions from this {group}, or optional last questions, looks the "
                       f"same; if so, disable the rule (disable: [unfinished]) or map the export's completion "
                       f"column")
    return out


def _duration_warnings(frame: pd.DataFrame, resolution: float | None = None) -> list[str]:
    """Durations the speeder rule reads with a caveat: 0 s (no human's time), or none beside others.  Times in
    whole minutes (``resolution``, which the reader already warns about): a 0 is "under a minute", no warning.

    >>> _duration_warnings(pd.DataFrame({"_duration": [0.0, 600, np.nan, 580]}))[0][:58]
    '1 response(s) have a duration of 0 s: the speeder rule exc'
    >>> _duration_warnings(pd.DataFrame({"_duration": [0.0, 600, 580]}), resolution=60)
    []
    """
    if "_duration" not in frame.columns or not len(frame):
        return []
    dur = pd.to_numeric(frame["_duration"], errors="coerce").to_numpy(dtype=float)
    out = []
    zero, blank = int((dur == 0).sum()), int(np.isnan(dur).sum())
    if zero and not resolution and zero_median(frame) is None:     # (a median of 0: speeder says why it judges none)
        out.append(f"{zero} response(s) have a duration of 0 s: the speeder rule excludes them as far beyond its "
                   f"cut-off, but 0 s is no human's time: a bot, or a time the export lost (then blank those "
                   f"cells, and the speeder rule leaves them unjudged)")
    if blank and blank < len(dur):
        out.append(f"{blank} of {len(dur)} screened response(s) have no duration: the speeder rule cannot judge them")
    return out


#: warn when one of the survey tool's own quality flags (``tool_*`` rules) is on more than this share of the
#: screened responses: a threshold on another scale, a panel full of bots, or a setting that marks everyone
TOOL_WARN_SHARE = 0.10


def _tool_report(checks: dict, hits: dict, flags: dict, drop: np.ndarray, basis: list, on: set) -> dict:
    """What the survey tool's own quality columns held and did (``report.json``'s ``tool_checks``).

    ``columns``: each tool column read, with its rows holding a value; ``flagged``: per tool rule, the
    screened responses it flagged and how many of them the decision excluded (on convergent evidence,
    or alone by configuration); ``warnings``: a rule flagging more than :data:`TOOL_WARN_SHARE` of the
    screened responses.

    >>> h = {"tool_bot": np.array([True, True, False, False])}
    >>> r = _tool_report({"Q_RecaptchaScore": np.array([0.1, 0.2, 0.9, np.nan])}, h, {}, np.array([True, False,
    ...                  False, False]), ["convergent evidence: speed + bot", "", "", ""], {"tool_bot"})
    >>> r["columns"], r["flagged"], r["warnings"][0][:60]
    ({'Q_RecaptchaScore': 3}, {'tool_bot': {'flagged': 2, 'excluded': 1}}, "the survey tool's own flag tool_bot is on 2 of 4 screened re")
    """
    out: dict[str, Any] = {"columns": {h: int(np.sum(~np.isnan(np.asarray(v, dtype=float)))) for h, v in checks.items()},
                           "flagged": {}, "warnings": []}
    for rule, cols in TOOL_RULES.items():
        if rule not in on or rule not in hits:
            continue
        hit = np.asarray(hits[rule], dtype=bool)
        excluded = int((hit & np.asarray(drop, dtype=bool)).sum()) if len(drop) else 0
        out["flagged"][rule] = {"flagged": int(hit.sum()), "excluded": excluded}
        n = len(hit)
        if n and hit.sum() > TOOL_WARN_SHARE * n:
            read = ", ".join(c for c in cols if c in checks)
            out["warnings"].append(
                f"the survey tool's own flag {rule} is on {int(hit.sum())} of {n} screened responses "
                f"({100 * hit.sum() / n:.1f}% > {100 * TOOL_WARN_SHARE:.0f}%; {read}): a panel with many bots or "
                f"repeat devices, or a tool setting that marks everyone; {excluded} of them excluded (on "
                f"convergent evidence, or alone by configuration); check the export and the tool's settings "
                f"before trusting the sample")
    return out


def _paced_lines_note(pos: np.ndarray, rule: np.ndarray, detail: np.ndarray, config: CleanConfig) -> str:
    """The report's note on the straight lines kept because they were given at an ordinary pace (``longstring``'s
    and ``irv``'s ``line_pace``): how many, and the setting that excludes them ("" when none).  ``pos`` (the
    response's position in the export), ``rule``, ``detail``: the ledger's rows of kept responses.

    >>> from iur_survey.clean.rules import PACE_MARK
    >>> print(_paced_lines_note(np.array([4, 4, 7]), np.array(["longstring", "irv", "irv"]),
    ...                         np.array([f"x ({PACE_MARK})", f"y ({PACE_MARK})", "z"]), CleanConfig()))
    1 kept response is a straight line given at an ordinary pace (at least 50% of the median duration): flagged, excluded beside other evidence only (a neutral respondent's line and a slow satisficer's look alike); longstring: {line_pace: null} and irv: {line_pace: null} exclude such lines
    """
    sel = np.flatnonzero(np.isin(rule, ("longstring", "irv")))        # only these rules' details are read
    n = len({int(pos[i]) for i in sel if PACE_MARK in str(detail[i])})
    if not n:
        return ""
    pace = config.longstring_line_pace if config.longstring_line_pace is not None else config.irv_line_pace
    return (f"{n} kept {'response is' if n == 1 else 'responses are'} a straight line given at an ordinary pace "
            f"(at least {100 * pace:g}% of the median duration): flagged, excluded beside other evidence only (a "
            f"neutral respondent's line and a slow satisficer's look alike); longstring: {{line_pace: null}} and "
            f"irv: {{line_pace: null}} exclude such lines")


def _notes(frame: pd.DataFrame, config: CleanConfig, not_shown=None, instrument=None,
           answered_later=None) -> dict[str, str]:
    """How a rule had to work on this export (e.g. break-offs inferred without Progress).

    ``not_shown``: the reader's cells marked as hidden by skip logic (:attr:`RawResponses.not_shown`); only
    an export that marks them (问卷星's ``(跳过)``), or an instrument whose ``skip_logic`` lists the items a
    branch may hide, is told they do not count (those blanks of rows that went on to a later question, where the
    export has one: ``answered_later``).

    >>> f = pd.DataFrame({"GOV1": [1.0, None]})
    >>> print(_notes(f, CleanConfig())["unfinished"].split("; ")[1])
    the export marks no cell as hidden by skip logic, so a question it hid counts as unanswered (list the items a branch of the questionnaire may hide in the instrument's skip_logic)
    >>> print(_notes(f, CleanConfig(), {"GOV1": np.array([False, True])})["unfinished"].split("; ")[1])
    the 1 cell(s) the export marks as hidden by skip logic ((跳过)) do not count
    >>> from iur_survey.instrument import load_instrument, parse_instrument
    >>> inst = load_instrument()
    >>> print(_notes(f, CleanConfig(), None, parse_instrument({**inst.raw, "skip_logic": ["GOV1"]}))["unfinished"]
    ...       .split("; ")[1])
    the 1 blank cell(s) of the items the instrument's skip_logic lists (GOV1) are questions not shown and do not count
    """
    out = {}
    if "unfinished" in config.rules:
        known = [c for c in ("_finished", "_progress") if c in frame.columns and frame[c].notna().any()]
        if not known:
            hidden = sum(int(np.asarray(m, dtype=bool).sum()) for m in (not_shown or {}).values())
            declared = [c for c in getattr(instrument, "skip_logic", ()) if c in frame.columns]
            stopped = None if answered_later is None else ~np.asarray(answered_later, dtype=bool)
            blank = sum(int(m.sum()) for m in (declared_not_shown(frame, instrument, None, stopped) or {}).values())
            said = []
            if hidden:
                said.append(f"the {hidden} cell(s) the export marks as hidden by skip logic ((跳过)) do not count")
            if declared:
                said.append(f"the {blank} blank cell(s) of the items the instrument's skip_logic lists "
                            f"({_code_span(declared)}) are questions not shown and do not count")
            skip = ("; ".join(said) if said else
                    "the export marks no cell as hidden by skip logic, so a question it hid counts as unanswered "
                    "(list the items a branch of the questionnaire may hide in the instrument's skip_logic)")
            out["unfinished"] = ("no Finished/Progress recorded: break-offs inferred from trailing unanswered items, in the "
                                 f"export's column order; {skip}")
    return out


def _code_span(codes: list[str]) -> str:
    """Item codes as a short list: ``INT1-INT4`` for one construct's run, else comma-separated.

    >>> _code_span(["INT1", "INT2", "INT3", "INT4"]), _code_span(["GOV1", "TAL3"])
    ('INT1-INT4', 'GOV1, TAL3')
    """
    if len(codes) > 2:
        stem = re.sub(r"\d+$", "", codes[0])
        nums = [c[len(stem):] for c in codes]
        if all(c.startswith(stem) and n.isdigit() for c, n in zip(codes, nums)) and \
                [int(n) for n in nums] == list(range(int(nums[0]), int(nums[0]) + len(codes))):
            return f"{codes[0]}-{codes[-1]}"
    return ", ".join(codes)


def clean(raw: RawResponses, instrument: Instrument, config: CleanConfig | None = None) -> CleanResult:
    """Screen ``raw`` with the rules ``config`` enables; see the module docstring for the order."""
    config = config or CleanConfig()
    config.check_instrument(instrument)
    with blas_threads(1), matrix_cache():
        out = _clean(raw, instrument, config)
    release_free_memory()       # the rules' temporaries: the next step (writing) does not come on top of them
    return out


def _clean(raw: RawResponses, instrument: Instrument, config: CleanConfig) -> CleanResult:
    frame = raw.frame.set_axis(pd.RangeIndex(len(raw.frame)), axis=0, copy=False)   # (no rule writes to it)
    n = len(frame)
    rows = raw_rows(frame)
    if pd.Series(rows).duplicated().any():
        raise IURSurveyError(raw.source, "the raw frame's _row values are not unique")
    ids = (frame["response_id"].astype("string") if "response_id" in frame.columns
           else pd.Series(pd.NA, index=frame.index, dtype="string")).to_numpy(dtype=object)
    pos_all = np.arange(n)
    on = set(config.rules)
    # the survey tool's own quality columns: a tool rule runs only where the export has one of its columns
    # (other exports' reports, flags and summaries are as before)
    tool_checks = dict(getattr(raw, "tool_checks", None) or {})
    no_tool_column = {r for r, cols in TOOL_RULES.items() if r in on and not any(c in tool_checks for c in cols)}
    on -= no_tool_column
    parts: list[tuple[str, np.ndarray, np.ndarray]] = []        # (rule, positions hit, details)

    # -- stage 1: screening on every raw row ------------------------------------------
    # status and unfinished first (the duplicate rules keep the first row that passes both), then the other four;
    # each set side by side (RULE_THREADS), as the index rules below
    flags: dict[str, pd.Series] = {}
    ran: dict[str, Ran] = {}
    first = [r for r in ("status", "unfinished") if r in on]
    calls = []
    for rule in first:
        extra = ({"order": list(getattr(raw, "item_order", []) or []) or None,
                  "not_shown": dict(getattr(raw, "not_shown", {}) or {}) or None,
                  "answered_later": getattr(raw, "answered_later", None),
                  "completion_note": getattr(raw, "completion_note", None)} if rule == "unfinished" else {})
        calls.append((rule, {**config.params(rule), **extra}))
    ran.update(zip(first, _run_rules(frame, instrument, calls)))
    eligible = np.ones(n, dtype=bool)
    for _, hit, _ in ran.values():
        eligible &= ~hit
    rest = [r for r in SCREENING_RULES if r in on and r not in ran]
    calls = []
    for rule in rest:
        kw = config.params(rule)
        if rule.startswith("duplicate"):
            kw["eligible"] = eligible
        if rule == "duplicate_id":
            kw["email_groups"] = list(getattr(raw, "email_groups", ()) or ())
        calls.append((rule, kw))
    ran.update(zip(rest, _run_rules(frame, instrument, calls)))
    flags.update({rule: f for rule, (f, _, _) in ran.items()})
    screened = np.ones(n, dtype=bool)
    for rule in SCREENING_RULES:
        if rule in ran:
            _, hit, details = ran[rule]
            screened &= ~hit
            parts.append((rule, pos_all[hit], details))
    _check_ids(ids, raw)
    screen_warnings = (_screening_warnings(flags, n, eligible)
                       + _breakoff_group_warnings(frame, flags, instrument))
    sub = frame[screened]
    if "speeder" in on:
        screen_warnings += _duration_warnings(sub, getattr(raw, "duration_resolution", None))

    # -- stage 2: data-based indices on the screened rows: they flag ---------------------
    pos_sub = pos_all[screened]
    index_flags: dict[str, pd.Series] = {}
    index_hits: dict[str, np.ndarray] = {}          # their notna(), once
    not_evaluated = {r: why for r, why in _not_evaluated(frame, instrument, config).items() if r not in no_tool_column}
    if "duplicate_id" in on and ROW_NUMBER_ID in (getattr(raw, "column_map", None) or {}):
        # (no id column: the ids are row numbers, which never repeat; a repeated submission goes unseen, unless
        # it gives an e-mail address again)
        mails = [h for h, _ in getattr(raw, "email_groups", None) or ()] if config.duplicate_id_by_email else []
        not_evaluated.setdefault("duplicate_id", "no id column: the response ids are the data-row numbers, which "
                                                 "never repeat" + (f" (repeats are judged by the e-mail address "
                                                                   f"{mails[0]!r} only)" if mails else ""))
    todo = [r for r in INDEX_RULES if r in on]
    asked = list(getattr(raw, "item_order", []) or [])     # the order the respondents met the items
    screen = list(getattr(raw, "screen_order", []) or [])   # ... with the attention checks in their places
    # the blatant rules first (they need no reference sample) with the rules that need none either, then those
    # estimated on the rows the blatant ones left: RULE_THREADS side by side, each rule a NumPy-bound call of its
    # own; the reference rules are queued as soon as the blatant ones are done (behind the free rules already
    # queued: no thread idles while the blatant ones finish), the costly ones first (fewer idle threads at the end)
    first = [r for r in todo if r in BLATANT_RULES and r not in RULES_REFERENCE]
    free = [r for r in todo if r not in RULES_REFERENCE and r not in first]
    second = sorted((r for r in todo if r in RULES_REFERENCE),
                    key=lambda r: REFERENCE_FIRST.index(r) if r in REFERENCE_FIRST else len(REFERENCE_FIRST))

    yes_no = yes_no_reason(sub, instrument)

    def calls_of(stage: list[str], blatant: np.ndarray) -> list[tuple[str, dict]]:
        calls = []
        for rule in stage:
            if yes_no and rule in PATTERN_RULES:
                calls.append((rule, {SKIP: yes_no}))
                continue
            kw = config.params(rule)
            if "reference" in RULES_REFERENCE.get(rule, ()):
                kw["reference"] = ~blatant
            if rule in RULES_ORDER and asked:
                kw["order"] = screen if rule in RULES_SCREEN and screen else asked
            if rule in TOOL_RULES:
                kw["checks"] = tool_checks
            if rule == "speeder" and getattr(raw, "duration_resolution", None):
                kw["resolution"] = raw.duration_resolution    # times in whole minutes: judge the longest duration
            calls.append((rule, kw))
        return calls

    def blatant_of(hits: dict[str, np.ndarray]) -> np.ndarray:
        out = np.zeros(len(sub), dtype=bool)
        for other in BLATANT_RULES:
            if other in hits:
                out |= hits[other]
        return out

    blatant = blatant_of({})

    index_details: dict[str, np.ndarray] = {}

    def then(done: list[Ran]) -> list[tuple[str, dict]]:
        nonlocal blatant
        for rule, (flags, hit, details) in zip(first, done):
            index_flags[rule], index_hits[rule], index_details[rule] = flags, hit, details
        blatant = blatant_of(index_hits)
        return calls_of(second, blatant)

    _, free_flags, second_flags = _run_staged(sub, instrument, calls_of(first, blatant), calls_of(free, blatant), then)
    for rule, (flags, hit, details) in [*zip(free, free_flags), *zip(second, second_flags)]:
        index_flags[rule], index_hits[rule], index_details[rule] = flags, hit, details
    index_flags = {rule: index_flags[rule] for rule in todo}          # the order the rules are listed in
    index_hits = {rule: index_hits[rule] for rule in todo}
    for rule, f in index_flags.items():       # a rule that could not judge anyone says why (rules._not_judged)
        if f.attrs.get("not_evaluated") and rule not in not_evaluated:
            not_evaluated[rule] = f.attrs["not_evaluated"]
    notes = _notes(frame, config, getattr(raw, "not_shown", None), instrument, getattr(raw, "answered_later", None))
    measured = [r for r in todo if r in RULES_REFERENCE and not r.startswith("psych") and r not in not_evaluated]
    if measured:
        used = set(reference_columns(sub, instrument, ~blatant))
        left = [c for c in item_columns(sub, instrument) if c not in used]
        if left:
            notes[measured[0]] = (f"{', '.join(left)} answered by fewer than half of the reference responses: left "
                                  f"out of {', '.join(measured)} (item nonresponse never excludes)")
    for rule, f in index_flags.items():
        parts.append((rule, pos_sub[index_hits[rule]], index_details[rule]))

    # -- decide: exclude a flagged response only on convergent evidence ------------------
    groups = evidence(index_flags, min_inconsistency=config.decision_min_inconsistency,
                      beside=dict(config.decision_beside), hits=index_hits,
                      min_evidence=config.decision_min_evidence, distance_once=config.decision_distance_once)
    drop_sub, basis_sub = decide(index_flags, min_evidence=config.decision_min_evidence,
                                 exclude_alone=config.decision_exclude_alone, hits=index_hits, groups=groups,
                                 guard_beside=GUARD_BESIDE if config.decision_guard_antonyms else {})
    n_evidence_sub = (np.sum(list(groups.values()), axis=0) if groups else np.zeros(len(sub), dtype=int))
    excluded_pos = set(pos_all[~screened].tolist())
    basis_by_pos: dict[int, str] = {}
    if len(drop_sub):
        excluded_pos |= set(pos_sub[drop_sub].tolist())
        basis_by_pos = {int(q): b for q, b, d in zip(pos_sub, basis_sub, drop_sub) if d}

    # -- the ledger: one row per (response, rule) hit, by raw position, then in the rules' order ---------
    rank = {r: i for i, r in enumerate(RULE_ORDER)}
    lpos = np.concatenate([np.zeros(0, dtype=np.int64)] + [p for _, p, _ in parts]).astype(np.int64)
    lrank = np.concatenate([np.zeros(0, dtype=np.int64)] +
                           [np.full(len(p), rank.get(r, len(rank)), dtype=np.int64) for r, p, _ in parts])
    lrule = np.concatenate([np.zeros(0, dtype=object)] + [np.full(len(p), r, dtype=object) for r, p, _ in parts])
    ldetail = np.concatenate([np.zeros(0, dtype=object)] + [d for _, _, d in parts])
    order = np.lexsort((lrank, lpos))          # stable
    lpos, lrank, lrule, ldetail = lpos[order], lrank[order], lrule[order], ldetail[order]
    keep = np.ones(n, dtype=bool)
    keep[list(excluded_pos)] = False
    is_excl = ~keep[lpos]                      # the ledger rows of excluded responses
    screen_rule = np.isin(lrank, [rank.get(r, len(rank)) for r in SCREENING_RULES])
    basis_of = np.full(n, "", dtype=object)
    for q, b in basis_by_pos.items():
        basis_of[q] = b
    basis = np.where(is_excl, np.where(screen_rule, "screening rule", basis_of[lpos]), "")
    excl_pos = lpos[is_excl]
    first = _primary_rows(excl_pos, lrule[is_excl], basis_of)
    flag_pos, flag_rule = lpos[~is_excl], lrule[~is_excl]

    # the invariant: the raw rows kept and the raw rows excluded partition the export
    kept_rows, excluded_rows = set(rows[keep].tolist()), set(rows[excl_pos].tolist())
    excluded = set(np.flatnonzero(~keep).tolist())
    if (kept_rows & excluded_rows or kept_rows | excluded_rows != set(rows.tolist())
            or len(kept_rows) + len(excluded_rows) != n):
        raise AssertionError("cleaning ledger out of step with the kept rows")

    ledger = pd.DataFrame({"response_id": ids[lpos], "row": rows[lpos], "rule": lrule, "detail": ldetail,
                           "action": np.where(is_excl, "excluded", "flagged").astype(object),
                           "basis": basis.astype(object)}, columns=LEDGER_COLUMNS)
    ledger = ledger.astype({"response_id": "string", "rule": "string", "detail": "string",
                            "action": "string", "basis": "string"})
    ledger["row"] = ledger["row"].astype(np.int64)

    # -- the clean data ------------------------------------------------------------------
    group = instrument.group_column
    items = item_columns(frame, instrument)
    cols = ["response_id"] + ([group] if group in frame.columns else []) + items
    kept = frame.loc[keep, [c for c in cols if c in frame.columns]]
    kept = reverse_score(kept, instrument)               # (a copy: then a new index, not another copy)
    kept.index = pd.RangeIndex(len(kept))
    if "response_id" not in kept.columns:
        kept.insert(0, "response_id", pd.Series(pd.NA, index=kept.index, dtype="string"))
    kept["response_id"] = kept["response_id"].astype("string")
    if any(kept[c].dtype != np.float64 for c in items):
        kept[items] = kept[items].astype(float)
    flags_table = _flags_table(kept["response_id"], np.flatnonzero(keep), rows, flag_pos, flag_rule,
                               [r for r in INDEX_RULES if r in on])
    ev = np.zeros(n, dtype=np.int64)
    ev[pos_sub] = n_evidence_sub
    flags_table["n_evidence"] = ev[np.flatnonzero(keep)]

    paced = _paced_lines_note(flag_pos, lrule[~is_excl], ldetail[~is_excl], config)
    if paced:
        notes["longstring"] = "; ".join(filter(None, (notes.get("longstring"), paced)))
    hits = _rule_counts(lrule)
    by_primary = _rule_counts(lrule[is_excl][first])
    by_flag = _rule_counts(flag_rule)           # (one ledger row per response and rule)
    n_index_excl = int(len(set(basis_by_pos)))
    share = n_index_excl / n if n else 0.0
    warnings_list = [f"reading the export: {w}" for w in raw.warnings]
    screen_warnings = _id_warnings(ids, keep, rows, raw, on) + _email_warnings(raw, keep, rows) + screen_warnings
    for w in screen_warnings:
        warnings_list.append(w)
        warnings.warn("iur-survey clean: " + w, ScreeningWarning, stacklevel=3)
    if share > CARELESS_WARN_SHARE:
        warnings_list.append(f"the careless-responding indices excluded {n_index_excl} of {n} records "
                             f"({100 * share:.1f}% > {100 * CARELESS_WARN_SHARE:.0f}%): check the export and "
                             f"the configuration before trusting the sample")
        warnings.warn("iur-survey clean: " + warnings_list[-1], CarelessShareWarning, stacklevel=3)
    tool_report = _tool_report(tool_checks, index_hits, index_flags, drop_sub, basis_sub, on)
    for w in tool_report.pop("warnings"):
        warnings_list.append(w)
        warnings.warn("iur-survey clean: " + w, ScreeningWarning, stacklevel=3)
    by_group, group_warning = careless_by_group(sub, instrument, drop_sub)
    if group_warning:
        warnings_list.append(group_warning)
        warnings.warn("iur-survey clean: " + group_warning, CarelessGroupWarning, stacklevel=3)
    order_rules = [r for r in ORDER_RULES if r in on]
    shown = list(raw.display_order)
    if shown and order_rules:
        warnings_list.append(f"the export has display-order data ({', '.join(shown[:4])}"
                             f"{', ...' if len(shown) > 4 else ''}): where it put the items in an order of each "
                             f"respondent's own, {', '.join(order_rules)} still read the answers in the "
                             f"questionnaire's order (runs, patterns and tails are those of that order, not of "
                             f"what each respondent saw); disable them or read their flags with that in mind")
        warnings.warn("iur-survey clean: " + warnings_list[-1], DisplayOrderWarning, stacklevel=3)
    if instrument.groups and group in kept.columns and len(kept):
        roles = kept[group].dropna().unique()
        if len(roles) < 2:
            which = f"one {group} only, {str(roles[0])!r}" if len(roles) else f"no {group}"
            warnings_list.append(f"the kept responses hold {which}: the comparison across {group}s "
                                 f"(fit --group {group}) is not possible with them")
            warnings.warn("iur-survey clean: " + warnings_list[-1], ScreeningWarning, stacklevel=3)
    basis_counts: dict[str, int] = {}
    for b in basis_by_pos.values():
        key = b.split(":")[0]
        basis_counts[key] = basis_counts.get(key, 0) + 1
    report: dict[str, Any] = {
        "iur_survey_version": __version__,
        "source": {"name": Path(str(raw.source)).name, "format": raw.format, "sha256": raw.sha256,
                   "dropped_columns": list(raw.dropped_columns),
                   "role_column": getattr(raw, "role_column", None),
                   "display_order_columns": shown},
        "recodes": list(getattr(raw, "recodes", [])),   # value recodings the reader applied (e.g. SPSS labels)
        "instrument": {"path": str(instrument.path), "name": instrument.name},
        "n_raw": n,
        "n_kept": int(keep.sum()),
        "n_excluded": len(excluded),
        "n_excluded_screening": int((~screened).sum()),
        "n_excluded_careless": n_index_excl,
        "n_flagged_kept": len(np.unique(flag_pos)),
        "rules_run": [r for r in config.rules if r not in no_tool_column],
        "rules_not_evaluated": not_evaluated,
        "rule_notes": notes,
        "hits_by_rule": hits,
        "excluded_by_primary_rule": by_primary,
        "flagged_kept_by_rule": by_flag,
        "careless_exclusion_basis": basis_counts,
        "tool_checks": tool_report,
        "careless_excluded_by_group": by_group,
        "careless_group_warning": group_warning,
        "warnings": warnings_list,
        "n_screened": int(screened.sum()),
        "order": {"screening": [r for r in SCREENING_RULES if r in on],
                  "indices": [r for r in INDEX_RULES if r in on]},
        "config": config.to_dict(),
        "config_file": config.source,
        "missing": missing_summary(kept, instrument, not_shown={    # the export's "not shown" marks of kept rows
            c: np.asarray(m, dtype=bool)[np.asarray(keep, dtype=bool)]
            for c, m in (getattr(raw, "not_shown", None) or {}).items() if len(m) == len(frame)} or None),
    }
    if report["n_excluded_screening"] + n_index_excl != report["n_excluded"]:
        raise AssertionError("screening and careless exclusions do not add up to the number excluded")
    if sum(report["excluded_by_primary_rule"].values()) != report["n_excluded"]:
        raise AssertionError("primary-rule counts do not add up to the number excluded")
    return CleanResult(clean=kept, exclusions=ledger, report=report, config=config, flags=flags_table)

