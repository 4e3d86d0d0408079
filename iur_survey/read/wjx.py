"""Wenjuanxing (问卷星) exports, CSV (GB18030/GBK or UTF-8 with BOM) or XLSX.

The header row is ``序号, 提交答卷时间, 所用时间, 来源, 来源详情, 来自IP`` followed by the
numbered questions (``1、您所在的单位属于以下哪一类？``; matrix statements as
``5、(statement)``, ``5、title—statement`` or ``5(statement)``).  Answers are option text
or scores; ``(跳过)`` and ``-3`` mean a question its skip logic did not show, ``(空)`` and ``-2`` one left blank
(:data:`~iur_survey.read.assemble.WJX_NO_ANSWER`, whatever the instrument's ``missing_codes``).  Questions are matched to item
codes by wording (Chinese or English) or by the instrument's ``columns:`` map; the role
question by the instrument's ``role_question`` or by its answers.  Wenjuanxing has no
status (NA) and no finished flag: its download holds submitted answer sheets only, each with
its submission time ``提交答卷时间`` (a respondent who leaves without submitting leaves no row),
so a row with a submission time is read as finished, as a Google Forms row is: blank last
questions are optional ones left out (``(空)``, ``-2``), item nonresponse, not a break-off.  A
row without one (an export whose times were removed) is not read as finished: the unfinished
rule infers its break-off from its blank last items.  ``所用时间`` ("583秒", "2分30秒")
becomes seconds and ``来自IP`` loses its bracketed place.

A Wenjuanxing SPSS download (.sav) is read by the SPSS reader; :func:`wjx_sav` tells it from its variables (their
names or labels: its download names them ``index``, ``totalseconds`` ... and labels them ``序号``, ``所用时间`` ...), so
that its rows with a ``提交答卷时间`` are read as submitted answer sheets in the same way.
"""

from __future__ import annotations

from .assemble import read_tabular
from .base import RawResponses
from .match import Column

#: the fixed leading columns of a Wenjuanxing export
WJX_COLUMNS = ("序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP")
WJX_ID_ALIASES = ["序号", "答卷编号", "ResponseId", "response_id"]
#: the columns every Wenjuanxing download holds: an SPSS file counts as one only when it has all three (as variable
#: names or variable labels); the 提交答卷时间 is what says a row is a submitted answer sheet
WJX_SAV_MARKS = ("序号", "提交答卷时间", "所用时间")


def looks_like_wjx(records: list[list]) -> bool:
    """Whether the header row is a Wenjuanxing one.

    >>> looks_like_wjx([["序号", "提交答卷时间", "所用时间", "1、您所在的单位属于以下哪一类？"]])
    True
    """
    if not records:
        return False
    heads = {str(h).strip() for h in records[0]}
    return "序号" in heads and len(heads & set(WJX_COLUMNS[1:])) >= 1


def wjx_sav(names: list, labels: dict) -> tuple[str | None, str | None]:
    """Whether an SPSS file is a Wenjuanxing download, from its variables: the name of the variable holding its
    ``提交答卷时间`` when every mark of :data:`WJX_SAV_MARKS` is a variable's name or label (``None`` otherwise), and a
    note when the variables match only in part (two or more of the download's fixed columns :data:`WJX_COLUMNS`, or
    its 提交答卷时间, not all the marks): the file is then not read as a Wenjuanxing download, and the note says what that costs.  A
    file saved again by SPSS keeps its variables' names and labels, so it is still known; nothing else of a .sav
    (its file label, its encoding, the product named in its header) is Wenjuanxing's own.

    >>> wjx_sav(["index", "submittime", "totalseconds", "Q1"], {"index": "序号", "submittime": "提交答卷时间",
    ...                                                            "totalseconds": "所用时间", "Q1": "1、您的性别"})
    ('submittime', None)
    >>> wjx_sav(["index", "totalseconds", "Q1"], {"index": "序号", "totalseconds": "所用时间"})[1].split(":")[0]
    'the variables 序号, 所用时间 are those of a Wenjuanxing download, but 提交答卷时间 is missing'
    >>> wjx_sav(["ResponseId", "Finished", "Q1"], {}), wjx_sav(["序号", "Q1"], {})   # a row number alone says nothing
    ((None, None), (None, None))
    """
    found: dict[str, str] = {}
    for name in names:
        for s in (name, labels.get(name)):
            if s is not None and str(s).strip() in WJX_COLUMNS:
                found.setdefault(str(s).strip(), name)
    if all(m in found for m in WJX_SAV_MARKS):
        return found["提交答卷时间"], None
    if len(found) < 2 and "提交答卷时间" not in found:     # a 序号 (row number) or 来源 alone: any Chinese file's
        return None, None
    missing = ", ".join(m for m in WJX_SAV_MARKS if m not in found)
    have = [k for k in WJX_COLUMNS if k in found]
    return None, (f"the variable{'s' if len(have) > 1 else ''} {', '.join(have)} "
                  f"{'are those' if len(have) > 1 else 'is one'} of a Wenjuanxing "
                  f"download, but {missing} {'is' if ', ' not in missing else 'are'} missing: the file is not read "
                  f"as one, so its rows are not read as submitted answer sheets and the unfinished rule infers a "
                  f"break-off from blank last items (an honest respondent who left optional last questions blank "
                  f"is then excluded as unfinished); download the data again with {', '.join(WJX_SAV_MARKS)}, or "
                  f"read Wenjuanxing's Excel or CSV download")


def read_wjx(path, instrument, *, strict: bool = False, data: bytes | None = None,
             encoding: str | None = None) -> RawResponses:
    r"""Read a Wenjuanxing CSV or XLSX export into the standard frame.

    >>> import tempfile, os
    >>> from iur_survey.instrument import load_instrument
    >>> inst = load_instrument()
    >>> head = ["序号", "提交答卷时间", "所用时间", "来自IP", "1、" + inst.role_question["zh"]]
    >>> head += [f"{i + 2}、({inst.items[c].zh})" for i, c in enumerate(inst.item_codes)]
    >>> row = ["7", "2023/3/1 10:22:33", "2分30秒", "223.104.3.1(辽宁-沈阳)", "高校"] + ["同意"] * 27 + ["(跳过)"]
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "w.csv")
    ...     _ = open(p, "wb").write((",".join(head) + "\r\n" + ",".join(row) + "\r\n").encode("gb18030"))
    ...     f = read_wjx(p, inst).frame
    >>> f.loc[0, ["response_id", "role", "_ip"]].tolist(), [float(x) for x in f.loc[0, ["GOV1", "INT4", "_duration"]]]
    (['7', 'university', '223.104.3.1'], [4.0, nan, 150.0])
    >>> bool(f.loc[0, "_finished"])      # a submitted answer sheet
    True
    """
    return read_tabular(path, instrument, "wjx", lambda headers: [Column(i, h) for i, h in enumerate(headers[0])],
                        strict=strict, data=data, encoding=encoding, id_aliases=WJX_ID_ALIASES)
