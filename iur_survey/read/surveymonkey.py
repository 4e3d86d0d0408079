"""SurveyMonkey exports (CSV or XLSX, "all responses data", expanded or condensed).

Two header rows: row 1 holds ``Respondent ID, Collector ID, Start Date, End Date, IP
Address, Email Address, First Name, Last Name, Custom Data 1`` and then each question's
text, written once above its first column; row 2 is blank over the metadata and says
``Response`` / ``Open-Ended Response`` under a single question, or names the statement
(matrix row) or choice under each column of a matrix or multi-answer question.  A column
is matched by ``"<question> - <statement>"`` (or the question alone), by the statement
(item wording) or by the instrument's ``columns:`` map.  The duration is the time
between ``Start Date`` and ``End Date``; SurveyMonkey exports no status or finished flag.

Older exports write ``RespondentID, CollectorID, StartDate, EndDate``; a published copy often keeps only
the respondent id, or none, of the metadata columns.  Such a file is still known by its second header
row: ``Response`` / ``Open-Ended Response`` under at least two questions (a plain export's first data
row never holds that word twice), which would otherwise be read as a respondent's answers.
"""

from __future__ import annotations

from .assemble import read_tabular
from .base import RawResponses
from .match import Column

#: row-1 headers only a SurveyMonkey export has together
SURVEYMONKEY_COLUMNS = ("Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address")
#: the same in SurveyMonkey's older exports
OLD_COLUMNS = ("RespondentID", "CollectorID", "StartDate", "EndDate")
_GENERIC = {"response", "open-ended response", "responses", "open ended response", ""}
#: what SurveyMonkey writes in row 2 under a question answered in one column
_SUB_HEADER = {"response", "open-ended response"}
ID_ALIASES = ["Respondent ID", "RespondentID", "ResponseId", "response_id"]


def looks_like_surveymonkey(records: list[list]) -> bool:
    """Whether the first records are a SurveyMonkey header.

    >>> looks_like_surveymonkey([["Respondent ID", "Collector ID", "Start Date", "End Date", "Q"], ["", "", "", "", "Response"]])
    True
    >>> looks_like_surveymonkey([["RespondentID", "CollectorID", "StartDate", "EndDate", "Q"], ["", "", "", "", "Response"]])
    True
    >>> looks_like_surveymonkey([["RespondentID", "Seen?", "Fan?", "Rate:", ""], ["", "Response", "Response", "Han", "Leia"]])
    True
    >>> looks_like_surveymonkey([["id", "Seen?", "Fan?"], ["1", "Response", "Yes"]])
    False
    """
    if not records:
        return False
    heads = {str(h).strip() for h in records[0]}
    if {"Respondent ID", "Collector ID"} <= heads or {"RespondentID", "CollectorID"} <= heads:
        return True
    return len(records) > 1 and _sub_header(records[0], records[1])


def _sub_header(top: list, sub: list) -> bool:
    """Whether ``sub`` is SurveyMonkey's second header row: ``Response`` (``Open-Ended Response``) under two
    or more questions of ``top``."""
    n = sum(1 for i, s in enumerate(sub)
            if str(s).strip().lower() in _SUB_HEADER and i < len(top) and str(top[i]).strip())
    return n >= 2


def _columns(headers: list[list[str]]) -> list[Column]:
    top = headers[0]
    sub = headers[1] if len(headers) > 1 else [""] * len(top)
    out, question = [], ""
    for i, h in enumerate(top):
        h = str(h).strip()
        s = str(sub[i]).strip() if i < len(sub) else ""
        if h:
            question = h
        if h in SURVEYMONKEY_COLUMNS or h in OLD_COLUMNS or (h and not s):
            out.append(Column(i, h))
        elif s.lower() in _GENERIC:
            out.append(Column(i, question))
        else:   # a matrix row or a choice under the question
            out.append(Column(i, f"{question} - {s}" if question else s, s))
    return out


def _blank_cell(v) -> bool:
    return v is None or (isinstance(v, float) and v != v) or not str(v).strip()


def one_column_choices(table, words: set[str]):
    """``table`` with each single-answer question of the expanded layout read as one column.

    SurveyMonkey's expanded export writes a single-answer question as one column per choice, the choice under
    the question in row 2 and, in each data row, in the column of the choice picked.  A question whose row-2
    choices are all answer wordings of the instrument (``words``, folded), in which no row holds two choices and
    every cell holds its own column's choice (or nothing), becomes one column (``Response`` in row 2) holding the
    choice picked; :func:`read_surveymonkey` does so for the items' wordings, then for the groups' (the group
    question in the same layout).  Any other question (a multi-answer one, or choices the instrument does not word) is left as
    written.  Before (real45, FiveThirtyEight's region survey), such a question was refused: "two columns map to"
    the item, with the advice to map one of them.

    >>> import numpy as np, pandas as pd
    >>> from iur_survey.read.source import Table
    >>> t = Table("sm.csv", [["RespondentID", "Identify?", "", "", "Gender"],
    ...                      ["", "A lot", "Some", "Not at all", "Response"]],
    ...           pd.DataFrame([["1", "", "Some", "", "Male"], ["2", "A lot", "", "", "Female"],
    ...                         ["3", "", "", "", "Male"]]), np.array([3, 4, 5]), "0")
    >>> u = one_column_choices(t, {"a lot", "some", "not at all"})
    >>> u.headers, u.data.values.tolist()
    ([['RespondentID', 'Identify?', 'Gender'], ['', 'Response', 'Response']], [['1', 'Some', 'Male'], ['2', 'A lot', 'Female'], ['3', '', 'Male']])
    """
    import dataclasses

    import pandas as pd

    from ..instrument import normalise_label

    if len(table.headers) < 2 or not words:
        return table
    top, sub = [str(h) for h in table.headers[0]], [str(h) for h in table.headers[1]]
    groups, start = [], None
    for i, h in enumerate(top):
        if h.strip() or start is None:
            start = i
            groups.append([i])
        else:
            groups[-1].append(i)
    merged: dict[int, list[int]] = {}
    for g in groups:
        subs = [sub[i].strip() for i in g]
        if len(g) < 2 or not all(normalise_label(x) in words for x in subs) or len(set(subs)) < len(subs):
            continue
        cells = table.data.iloc[:, g]
        filled = ~cells.map(_blank_cell)
        if (filled.sum(axis=1) > 1).any():
            continue                          # two choices in a row: a multi-answer question, read as written
        if not all((cells.iloc[:, j][filled.iloc[:, j]].astype(str).str.strip() == subs[j]).all()
                   for j in range(len(g))):
            continue                          # a cell that is not its column's choice: not this layout
        merged[g[0]] = g
    if not merged:
        return table
    drop = {i for g in merged.values() for i in g[1:]}
    keep = [i for i in range(len(top)) if i not in drop]
    data = table.data.copy()
    for first, g in merged.items():
        cells = data.iloc[:, g]
        filled = ~cells.map(_blank_cell)
        picked = [next((str(cells.iat[r, j]).strip() for j in range(len(g)) if filled.iat[r, j]), "")
                  for r in range(len(cells))]
        data.iloc[:, first] = pd.Series(picked, index=data.index, dtype=object)
        sub[first] = "Response"
    data = data.iloc[:, keep]
    data.columns = range(len(keep))
    headers = [[top[i] for i in keep], [sub[i] for i in keep]] + [[r[i] for i in keep] for r in table.headers[2:]]
    return dataclasses.replace(table, headers=headers, data=data)


def read_surveymonkey(path, instrument, *, strict: bool = False, data: bytes | None = None,
                      encoding: str | None = None) -> RawResponses:
    """Read a SurveyMonkey CSV or XLSX export into the standard frame (a single-answer question of the
    expanded layout, an item's or the group question's, as one column: :func:`one_column_choices`)."""
    from ..instrument import normalise_label
    from .source import read_table

    words = {normalise_label(w) for code in instrument.item_codes
             for ws in instrument.scale_of(code).labels.values() for w in ws}
    groups = {normalise_label(w) for ws in instrument.groups.values() for w in ws}

    def reader(*args, usecols=None, **kw):    # every column: the choices of a question are merged after reading
        return one_column_choices(one_column_choices(read_table(*args, **kw), words), groups)
    return read_tabular(path, instrument, "surveymonkey", _columns, strict=strict, data=data, encoding=encoding,
                        header_rows=2, id_aliases=ID_ALIASES, reader=reader)
