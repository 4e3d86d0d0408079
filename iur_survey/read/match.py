"""Which export column is which item: header, ``columns:`` map, question text, answers.

Every reader describes its columns as :class:`Column` objects (the header, plus any
question text or import id the export carries) and :func:`match_columns` assigns
each to a standard column (an item code, an attention check, the id, the group
column or a metadata column) or leaves it to be dropped.

Question text is compared after :func:`text_key`: NFKC, lower case, no whitespace or
punctuation, and no "(reverse-keyed)"/"（反向题）" marker, so that

>>> text_key("政府积极引导企业、高校和科研院所之间的合作创新机制。（反向题）")
'政府积极引导企业高校和科研院所之间的合作创新机制'
>>> candidates("5、(政府积极引导企业、高校和科研院所之间的合作创新机制。)")[-1]
'政府积极引导企业高校和科研院所之间的合作创新机制'
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field

from ..errors import DuplicateColumnError, MissingColumnError, ReadError
from ..instrument import IGNORE_TARGET

_REVERSE_MARK = re.compile(r"[(（\[【]\s*(?:reverse[-\s]*(?:keyed|scored|coded)?|reversed|r|反向题|反向计分|反向|反向题目)\s*[)）\]】]",
                           re.I)
_QNUM_PREFIX = re.compile(r"^\s*(?:Q|第)?\s*\d+(?:\.\d+)*\s*(?:[、.．:：)）]|题)?\s*")
_WRAPPED = re.compile(r"^[(（](.*)[)）]$", re.S)
_SEPARATORS = re.compile(r"\s+-\s+|—+|－|–|:|：")
#: the free-text "Other (please specify)" box a tool puts beside a question (SurveyMonkey's sub-header,
#: Qualtrics' ``Q1_5_TEXT``, 问卷星's ``〖其他〗``/"请注明"): never the question itself
_OTHER_SPECIFY = re.compile(r"other\s*\(?\s*(?:please\s+)?specify|_TEXT$|请注明|〖其他〗|其他\s*[(（]?请", re.I)


def text_key(text) -> str:
    """Fold question text for matching (see the module docstring)."""
    s = unicodedata.normalize("NFKC", str(text))
    s = _REVERSE_MARK.sub("", s)
    s = s.lower()
    return "".join(ch for ch in s if unicodedata.category(ch)[0] in "LN")


def candidates(header: str) -> list[str]:
    """Text keys a header may stand for: itself, without a question number, inside brackets,
    after a matrix-title separator (``—``, `` - ``, ``：``).

    >>> candidates("5、矩阵标题—政府积极引导")[-1], candidates("5(政府积极引导)")[-1]
    ('政府积极引导', '政府积极引导')
    """
    out: list[str] = []

    def add(s: str) -> None:
        k = text_key(s)
        if k and k not in out:
            out.append(k)

    h = unicodedata.normalize("NFKC", str(header)).strip()
    add(h)
    rest = _QNUM_PREFIX.sub("", h, count=1) if _QNUM_PREFIX.match(h) else h
    add(rest)
    m = _WRAPPED.match(rest.strip())
    if m:
        add(m.group(1))
    parts = _SEPARATORS.split(rest)
    if len(parts) > 1:
        tail = parts[-1].strip()
        m = _WRAPPED.match(tail)
        add(m.group(1) if m else tail)
    m = re.search(r"\[([^\[\]]+)\]\s*$", rest)   # "title [statement]" (Google Forms, LimeSurvey)
    if m:
        add(m.group(1))
    if rest.endswith((")", "）")):   # "title(item)" with the item in trailing brackets
        depth, i = 0, len(rest) - 1
        while i >= 0:
            if rest[i] in ")）":
                depth += 1
            elif rest[i] in "(（":
                depth -= 1
                if depth == 0:
                    break
            i -= 1
        if i > 0:
            add(rest[i + 1:-1])
    return out


@dataclass
class Column:
    """One column of an export as the matcher sees it."""

    index: int
    header: str
    text: str = ""           # question text (Qualtrics row 2, SPSS variable label)
    import_id: str = ""      # Qualtrics row 3 ImportId
    target: str | None = None
    how: str = ""


#: how a column the instrument's ``columns:`` maps to ``ignore`` was matched (it is then read as nothing)
IGNORED = "columns map (ignore)"
#: how the id column was matched when no header names an id but its label does (an SPSS variable label)
ID_BY_LABEL = "id label"

def header_columns(headers: list[list[str]], read_here=()) -> list[Column]:
    """One :class:`Column` per header of a one-row header; the headers in ``read_here`` (a tool's own status
    column, which its reader reads) are marked :data:`IGNORED`, so that no item or metadata alias takes them.

    >>> [(c.header, c.how) for c in header_columns([["Response ID", "Status", "GOV1"]], read_here=("Status",))]
    [('Response ID', ''), ('Status', 'columns map (ignore)'), ('GOV1', '')]
    """
    cols = [Column(i, str(h)) for i, h in enumerate(headers[0])]
    for c in cols:
        if c.header.strip() in read_here:
            c.how = IGNORED
    return cols

#: metadata column -> accepted headers (compared case-insensitively, spaces/underscores ignored)
META_ALIASES = {
    "_status": ["Status", "_status", "Response Type", "ResponseType"],
    "_finished": ["Finished", "_finished"],
    "_progress": ["Progress", "_progress"],
    "_duration": ["Duration (in seconds)", "Duration__in_seconds_", "Duration", "_duration", "所用时间",
                  "答题时间", "interviewtime", "Total time", "答题时长", "TIME_SUM"],
    "_submitted": ["RecordedDate", "_submitted", "提交答卷时间", "EndDate", "提交时间", "End Date", "submitdate",
                   "Date submitted", "Datum Abgeschickt", "结束答题时间", "Timestamp", "LASTDATA",
                   "Completion time", "Hora de finalización"],
    "_started": ["StartDate", "_started", "Start Date", "startdate", "Date started", "Datum gestartet",
                 "开始时间", "开始答题时间", "Start time", "Time Started", "Hora de inicio"],
    "_ip": ["IPAddress", "IP Address", "_ip", "来自IP", "来自 IP", "IP", "ipaddr", "IP-Adresse"],
}
#: Qualtrics ImportId of the metadata columns
META_IMPORT_IDS = {"status": "_status", "finished": "_finished", "progress": "_progress",
                   "duration": "_duration", "recordedDate": "_submitted", "endDate": "_submitted",
                   "ipAddress": "_ip", "_recordId": "response_id", "responseId": "response_id",
                   "startDate": "_started"}
#: (``编号``: 腾讯问卷's respondent number; ``CASE``: SoSci Survey's, whose ``TIME_SUM`` and ``LASTDATA`` are
#: aliases of the duration and the submission time above)
ID_ALIASES = ["ResponseId", "ResponseID", "response_id", "_recordId", "序号", "答卷编号", "编号", "CASE"]
_IMPORT_ID = re.compile(r"""['"]ImportId['"]\s*:\s*['"]([^'"]*)['"]""")


def column_key(h) -> str:
    """How a ``columns:`` entry meets an export heading: case, the Unicode form (a no-break space is a
    space) and runs of white space do not count, so a heading copied from a spreadsheet matches.

    >>> column_key("Wie wichtig?\u00a0 \u00a0Bitte  beachten ") == column_key("wie wichtig? bitte beachten")
    True
    """
    return " ".join(unicodedata.normalize("NFKC", str(h)).split()).lower()


def _hkey(h: str) -> str:
    return re.sub(r"[\s_]+", "", unicodedata.normalize("NFKC", str(h))).lower()


def import_id(cell: str) -> str:
    """The ImportId of a Qualtrics third-row cell (``{"ImportId":"QID5_1"}`` -> ``QID5_1``).

    The 2016 layout writes it with single quotes (``{'ImportId': 'QID2-1'}``).

    >>> import_id('{"ImportId":"QID5_1"}'), import_id("Q5_1"), import_id("{'ImportId': 'QID2-1'}")
    ('QID5_1', '', 'QID2-1')
    """
    cell = str(cell or "").strip()
    if not cell.startswith("{"):
        return ""
    try:
        doc = json.loads(cell)
    except ValueError:
        m = _IMPORT_ID.search(cell)
        return m.group(1) if m else ""
    return str(doc.get("ImportId", "")) if isinstance(doc, dict) else ""


@dataclass
class Plan:
    """The outcome of matching: standard column -> export column."""

    columns: list[Column]
    targets: dict[str, Column] = field(default_factory=dict)

    @property
    def column_map(self) -> dict[str, str]:
        return {c.header: c.target for c in self.columns if c.target}

    @property
    def dropped(self) -> list[str]:
        return [c.header for c in self.columns if not c.target]


def _text_index(instrument) -> dict[str, str]:
    idx: dict[str, str] = {}
    for code, item in instrument.items.items():
        for t in (item.en, item.zh):
            k = text_key(t)
            if k:
                idx.setdefault(k, code)
    for code, words in instrument.attention_items.items():
        for t in words.values():
            k = text_key(t)
            if k:
                idx.setdefault(k, code)
    for t in instrument.role_question.values():
        k = text_key(t)
        if k:
            idx.setdefault(k, instrument.group_column)
    return idx


def _refuse_marked_code(source: str, key: str, target: str, path) -> None:
    """Refuse a heading that is an item's bare code with a reverse mark (``B3 (R)``, ``B3（反向）``).

    A question text marked "(reverse-keyed)" holds the respondents' raw answers and is read as the item; but
    respondents never see a bare code, so a code with a reverse mark is an analyst's variable, most often the
    reversed copy of the item, which the cleaning step would reverse a second time.

    >>> _refuse_marked_code("B3 (R)", "b3", "B3", "x.csv")
    Traceback (most recent call last):
    ...
    iur_survey.errors.ReadError: x.csv:B3 (R): the heading is item B3's code with a reverse mark: an analyst's reversed copy of B3 (which the cleaning step would reverse again) or its raw answers? Map it in the instrument's columns: section ('B3 (R)': B3), and if it holds answers already reversed, take B3 out of its construct's reverse: list
    >>> _refuse_marked_code("I rarely expect good things (R)", "irarelyexpectgoodthings", "B3", "x.csv")
    """
    if key != text_key(target) or not _REVERSE_MARK.search(unicodedata.normalize("NFKC", str(source))):
        return
    h = " ".join(str(source).split())
    raise ReadError(path, f"the heading is item {target}'s code with a reverse mark: an analyst's reversed copy of "
                          f"{target} (which the cleaning step would reverse again) or its raw answers? Map it in the "
                          f"instrument's columns: section ({h!r}: {target}), and if it holds answers already "
                          f"reversed, take {target} out of its construct's reverse: list", column=h)


def match_columns(columns: list[Column], instrument, path, *, id_aliases=ID_ALIASES,
                  meta: bool = True, role_by_answers=None, require_role: bool = True) -> Plan:
    """Assign export columns to standard columns; raise on duplicates, ambiguity, missing items.

    ``role_by_answers(column) -> bool`` is asked, when no header names the group column,
    whether a column's answers are all group wordings.

    >>> from iur_survey.instrument import load_instrument
    >>> inst = load_instrument()
    >>> cols = [Column(0, "ResponseId"), Column(1, "Q1", inst.role_question["en"]), Column(2, "Email")]
    >>> cols += [Column(3 + i, f"Q9_{i}", "Rate: - " + inst.items[c].en) for i, c in enumerate(inst.item_codes)]
    >>> plan = match_columns(cols, inst, "q.csv")
    >>> plan.column_map["Q1"], plan.column_map["Q9_0"], plan.dropped
    ('role', 'GOV1', ['Email'])
    """
    items = set(instrument.item_codes)
    att = set(instrument.attention_checks)
    group = instrument.group_column
    exact = {code.lower(): code for code in (*items, *att)}
    exact[group.lower()] = group
    exact[instrument.id_column.lower()] = "response_id"
    cmap = {column_key(k): v for k, v in instrument.columns.items()}
    meta_index = {_hkey(a): t for t, aliases in META_ALIASES.items() for a in aliases}
    meta_rank = {(_hkey(a), t): r for t, aliases in META_ALIASES.items() for r, a in enumerate(aliases)}
    id_keys = {_hkey(a): r for r, a in enumerate(id_aliases)}
    text_idx = _text_index(instrument)

    def convert(target: str) -> str:
        return "response_id" if target == instrument.id_column else target

    # pass 1: headers, import ids and the columns: map
    for col in columns:
        h = col.header.strip()
        hl = h.lower()
        if column_key(h) in cmap:
            col.target, col.how = convert(cmap[column_key(h)]), "columns map"
        elif col.import_id and column_key(col.import_id) in cmap:
            col.target, col.how = convert(cmap[column_key(col.import_id)]), "columns map (ImportId)"
        if col.target == IGNORE_TARGET:     # read as nothing: no alias, question text or answers claims it
            col.target, col.how = None, IGNORED
        elif hl in exact:
            col.target, col.how = exact[hl], "header"
    chosen_role = (getattr(instrument, "raw", None) or {}).get("_role_column")     # read_export(role_column=)
    if chosen_role and not any(c.target == group and c.how.startswith("columns map") for c in columns):
        raise MissingColumnError(path, f"the role column {chosen_role!r} (--role-column) names no column of the "
                                       f"export", row=1)
    # pass 2: id and metadata by alias (the best-ranked alias wins)
    taken = {c.target for c in columns if c.target}
    if "response_id" not in taken:
        best = sorted((id_keys[_hkey(c.header)], c.index, c) for c in columns
                      if not c.target and c.how != IGNORED and _hkey(c.header) in id_keys)
        how = "id header"
        if not best:    # by its label: a Wenjuanxing SPSS download names its 序号 ``index`` and labels it 序号
            best = sorted((id_keys[_hkey(c.text)], c.index, c) for c in columns
                          if not c.target and c.how != IGNORED and c.text and _hkey(c.text) in id_keys)
            how = ID_BY_LABEL       # the reader checks that its values identify respondents
        if not best:
            best = [(0, c.index, c) for c in columns if not c.target and c.how != IGNORED and c.import_id == "_recordId"]
            how = "id header"
        if best:
            best[0][2].target, best[0][2].how = "response_id", how
    if meta:
        chosen: dict[str, tuple[int, Column]] = {}
        for c in columns:
            if c.target or c.how == IGNORED:
                continue
            k = _hkey(c.header)
            t = meta_index.get(k)
            rank = meta_rank.get((k, t), 99)
            if t is None and c.text and _hkey(c.text) in meta_index:   # e.g. an SPSS label 所用时间
                t = meta_index[_hkey(c.text)]
                rank = 60 + meta_rank.get((_hkey(c.text), t), 0)
            if t is None and c.import_id in META_IMPORT_IDS and META_IMPORT_IDS[c.import_id].startswith("_"):
                t, rank = META_IMPORT_IDS[c.import_id], 50
            if t is None or t in taken:
                continue
            if t not in chosen or rank < chosen[t][0]:
                chosen[t] = (rank, c)
        for t, (_, c) in chosen.items():
            c.target, c.how = t, "metadata header"
    # pass 3: question text (exact, then unique substring); the columns: map overrides it
    mapped = {c.target for c in columns if c.target and c.how.startswith("columns map")}
    text_idx = {k: t for k, t in text_idx.items() if t not in mapped}
    taken = {c.target for c in columns if c.target}
    for c in columns:
        if c.target or c.how == IGNORED:
            continue
        for source in (c.header, c.text):
            hit = next((cand for cand in (candidates(source) if source else []) if cand in text_idx), None)
            if hit is not None:
                _refuse_marked_code(source, hit, text_idx[hit], path)
                c.target, c.how = text_idx[hit], "question text"
                break
    taken = {c.target for c in columns if c.target}
    wanted = {k: t for k, t in text_idx.items() if t not in taken}
    if wanted:
        for c in columns:
            if c.target or c.how == IGNORED:
                continue
            if _OTHER_SPECIFY.search(c.header) or (c.text and _OTHER_SPECIFY.search(c.text)):
                continue
            cands = [k for k in [*candidates(c.header), *(candidates(c.text) if c.text else [])] if len(k) >= 6]
            hits = set()
            for cand in cands:
                for k, t in wanted.items():
                    if len(k) >= 6 and (k in cand or (len(cand) >= 8 and cand in k)):
                        hits.add(t)
            if len(hits) == 1:
                c.target, c.how = hits.pop(), "question text (partial)"
            elif len(hits) > 1:
                raise ReadError(path, f"the question text matches several items ({', '.join(sorted(hits))}); "
                                      f"map this header in the instrument's columns: section", column=c.header)
    # duplicates: identical headers of a column the instrument uses, or two headers for one target
    # (a duplicated header in a column nobody reads is harmless: exports repeat sub-question tags)
    seen: dict[str, Column] = {}
    for c in columns:
        if c.header in seen and (seen[c.header].target or c.target):
            raise DuplicateColumnError(path, f"the header {c.header!r} appears twice (columns "
                                             f"{seen[c.header].index + 1} and {c.index + 1})", row=1,
                                       column=c.header)
        seen.setdefault(c.header, c)
    by_target: dict[str, Column] = {}
    for c in columns:
        if not c.target:
            continue
        if c.target in by_target:
            o = by_target[c.target]
            remedy = ("choose one with --role-column HEADER or map it in the instrument's columns: section"
                      if c.target == group else "map the right one in the instrument's columns: section")
            raise DuplicateColumnError(path, f"two columns map to {c.target}: {' '.join(o.header.split())!r} "
                                             f"({o.how}) and {' '.join(c.header.split())!r} ({c.how}); {remedy}",
                                       column=" ".join(c.header.split()))
        by_target[c.target] = c
    # the group column, by its answers
    if group not in by_target and role_by_answers is not None and instrument.groups:
        hits = [c for c in columns if not c.target and c.how != IGNORED and role_by_answers(c)]
        if len(hits) > 1:
            names = ", ".join(repr(" ".join(c.header.split())) for c in hits)
            raise ReadError(path, f"no header names the {group} question and several columns hold its answers "
                                  f"({names}): choose one with --role-column HEADER (read_export(role_column=...)) "
                                  f"or map it to {group!r} in the instrument's columns: section",
                            column=" ".join(hits[0].header.split()))
        if hits:
            hits[0].target, hits[0].how = group, "answers"
            by_target[group] = hits[0]
    missing = [code for code in instrument.item_codes if code not in by_target]
    for code in missing:        # 'B3 (R)' for a worded item: the question-text pass never saw the bare code
        for c in columns:
            if not c.target and c.how != IGNORED:
                _refuse_marked_code(c.header, text_key(c.header), code, path)
    if require_role and instrument.groups and group not in by_target:
        missing.append(group)
    if missing:
        blank = [c.index + 1 for c in columns if not c.header.strip()]
        hint = (f"; column{'s' if len(blank) > 1 else ''} {', '.join(map(str, blank[:5]))}"
                f"{' ...' if len(blank) > 5 else ''} of the export {'have' if len(blank) > 1 else 'has'} an empty "
                "header: a merged or blank header cell?" if blank else "")
        seen_keys = {column_key(c.header) for c in columns} | {column_key(c.import_id) for c in columns if c.import_id}
        unmatched = [k for k in instrument.columns if column_key(k) not in seen_keys]
        if unmatched:
            shown = ", ".join(repr(" ".join(str(k).split())[:60]) for k in unmatched[:3])
            hint += (f"; {len(unmatched)} columns: entr{'ies' if len(unmatched) > 1 else 'y'} name{'' if len(unmatched) > 1 else 's'} "
                     f"no heading of the export ({shown}{', ...' if len(unmatched) > 3 else ''})")
        raise MissingColumnError(path, f"the export lacks {len(missing)} column(s) the instrument requires: "
                                       f"{', '.join(missing)} (no header, question text or columns: entry names "
                                       f"them; map export headers in the instrument's columns: section){hint}",
                                 row=1)
    return Plan(columns=columns, targets=by_target)
