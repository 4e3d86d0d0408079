"""The instrument (codebook) as tables for the book: mechanisms, items, constructs, attention checks, groups.

>>> from iur_survey.instrument import load_instrument
>>> inst = load_instrument()
>>> items_frame(inst).iloc[2]["Item"], mechanisms_frame(inst)["Code"].tolist()
('GOV3 (R)', ['GOV', 'MKT', 'BEN', 'VAL', 'TAL'])
"""

from __future__ import annotations

import pandas as pd

OUTCOMES = ("COL", "INT")


def mechanisms_frame(instrument) -> pd.DataFrame:
    """The constructs other than COL and INT: code, label (en, zh), section of Liu (2022), number of items."""
    return pd.DataFrame([{"Code": c.code, "Mechanism": c.label_en, "机制": c.label_zh, "Liu (2022)": "§" + c.source,
                          "Items": len(c.items)} for c in instrument.constructs.values() if c.code not in OUTCOMES])


def items_frame(instrument) -> pd.DataFrame:
    """Every item in questionnaire order: code ((R) if reverse-keyed), statement (en, zh), source."""
    rows = []
    for c in instrument.constructs.values():
        for code in c.items:
            it = instrument.items[code]
            rows.append({"Item": code + (" (R)" if it.reverse else ""), "Statement": it.en, "陈述": it.zh,
                         "Source in Liu (2022)": "§" + it.source})
    return pd.DataFrame(rows)


def constructs_frame(instrument) -> pd.DataFrame:
    """One row per construct: code, labels, items, reverse-keyed items, source."""
    return pd.DataFrame([{"Code": c.code, "Construct": c.label_en, "构念": c.label_zh, "Items": ", ".join(c.items),
                          "Reverse-keyed": ", ".join(c.reverse) or "—", "Liu (2022)": "§" + c.source}
                         for c in instrument.constructs.values()])


def attention_frame(instrument) -> pd.DataFrame:
    """The attention checks: column, statement (en, zh), the right answer."""
    return pd.DataFrame([{"Column": col, "Statement": instrument.attention_items.get(col, {}).get("en", ""),
                          "陈述": instrument.attention_items.get(col, {}).get("zh", ""), "Right answer": code}
                         for col, code in instrument.attention_checks.items()],
                        columns=["Column", "Statement", "陈述", "Right answer"])


def groups_frame(instrument) -> pd.DataFrame:
    """The stakeholder groups and every wording the readers accept for each."""
    return pd.DataFrame([{"Group key": key, "Accepted wordings": " · ".join(words)}
                         for key, words in instrument.groups.items()], columns=["Group key", "Accepted wordings"])
