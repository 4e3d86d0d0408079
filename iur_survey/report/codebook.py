"""The instrument (codebook) as tables for the book: mechanisms, items, constructs, attention checks, groups.

>>> from iur_survey.instrument import load_instrument
>>> inst = load_instrument()
>>> items_frame(inst).iloc[2]["Item"], mechanisms_frame(inst)["Code"].tolist()
('GOV3 (R)', ['GOV', 'MKT', 'BEN', 'VAL', 'TAL'])
"""

from __future__ import annotations

import pandas as pd

from ..study import MECHANISMS, OUTCOMES
from .format import cardinal, counted


def is_study_instrument(instrument) -> bool:
    """Whether the instrument measures the study's constructs (the five mechanisms of Liu 2022, COL and INT):
    only then do its sources name sections of Liu (2022) and its prose apply.

    >>> from iur_survey.instrument import load_instrument
    >>> is_study_instrument(load_instrument())
    True
    """
    return tuple(instrument.constructs) == MECHANISMS + OUTCOMES


def has_chinese(instrument) -> bool:
    """Whether the items carry a Chinese statement of their own (the loader gives an item without ``zh`` its
    English statement there, which is no translation).

    >>> from iur_survey.instrument import load_instrument
    >>> has_chinese(load_instrument())
    True
    """
    return any(it.zh and it.zh != it.en for it in instrument.items.values())


def _cites_liu(instrument) -> bool:
    """Whether the sources are sections of Liu (2022): the study's constructs with a source named for every item
    (the study's instrument; the study's codes over items of an analyst's own name no paragraph of Liu)."""
    items = list(instrument.items.values())
    return is_study_instrument(instrument) and bool(items) and all(i.source for i in items)


def _names_sources(instrument) -> bool:
    """Whether the instrument names a source anywhere (for an item or a construct)."""
    return any(c.source for c in instrument.constructs.values()) or any(i.source for i in instrument.items.values())


def _source(instrument, source: str) -> str:
    """A source cell: a section of Liu (2022) for the study's instrument, the instrument's own words otherwise,
    a dash when it names none (a bare "§" cites nothing)."""
    if not source:
        return "—"
    return "§" + source if _cites_liu(instrument) else source


def _source_column(instrument, study_header: str, source: str) -> dict[str, str]:
    """The source cell of a row under its header: the study's header, "Source" for an instrument that names a
    source somewhere, no column at all for one that names none (a column of dashes)."""
    if not _names_sources(instrument):      # the study's codes with items of the analyst's own: no column of dashes under Liu's name
        return {}
    return {study_header if _cites_liu(instrument) else "Source": _source(instrument, source)}


def items_sentence(instrument) -> str:
    """What Table 2.1 gives for each item: the languages the instrument states every item in, and the source it names.

    "every item names the paragraph of Liu (2022)" only where every item does (the study's instrument): an
    analyst's questionnaire on the study's construct codes, with items of its own, names none.

    >>> from iur_survey.instrument import load_instrument, parse_instrument
    >>> items_sentence(load_instrument())
    'Every item is given in English and Chinese, and every item names the paragraph of Liu (2022) its statement paraphrases.'
    >>> own = parse_instrument({"scale": {"min": 1, "max": 4}, "constructs": {c: {"items": [c + "1", c + "2"]}
    ...     for c in ("GOV", "MKT", "BEN", "VAL", "TAL", "COL", "INT")}}, "own.yaml")
    >>> is_study_instrument(own), items_sentence(own)
    (True, "Table 2.1 gives each item's wording.")
    """
    items = list(instrument.items.values())
    bilingual = bool(items) and all(i.zh and i.zh != i.en for i in items)
    words = "Every item is given in English and Chinese" if bilingual else "Table 2.1 gives each item's wording"
    if _cites_liu(instrument):
        return words + ", and every item names the paragraph of Liu (2022) its statement paraphrases."
    return words + (", with the source the instrument names for it." if _names_sources(instrument) else ".")


def items_note(instrument) -> str:
    """The note of Table 2.1: the reverse mark, and what its source column holds (none: nothing said of it).

    >>> from iur_survey.instrument import load_instrument
    >>> items_note(load_instrument()).split(". ")[1][:40]
    'Source: the section and paragraph (¶) of'
    """
    note = "(R) marks a reverse-keyed item, scored min + max − x."
    if not _names_sources(instrument):
        return note
    if _cites_liu(instrument):
        return note + (" Source: the section and paragraph (¶) of Liu (2022) the statement paraphrases, with the "
                       "phrase it rests on.")
    return note + " Source: as the instrument names it (— none named)."


def mechanisms_frame(instrument) -> pd.DataFrame:
    """The constructs other than COL and INT: code, label (en, zh), source (a section of Liu 2022 for the study's
    instrument), number of items."""
    return pd.DataFrame([{"Code": c.code, "Mechanism": c.label_en, "机制": c.label_zh,
                          **_source_column(instrument, "Liu (2022)", c.source), "Items": len(c.items)} for c in instrument.constructs.values() if c.code not in OUTCOMES])


def items_frame(instrument) -> pd.DataFrame:
    """Every item in questionnaire order: code ((R) if reverse-keyed), statement (en; zh when the instrument gives
    one), source (in Liu 2022 for the study's instrument; an own instrument's as it names them, "—" where it names
    none, no column when it names none at all).

    >>> from iur_survey.instrument import parse_instrument
    >>> own = parse_instrument({"scale": {"min": 1, "max": 5}, "constructs": {"SUP": {"items": ["SUP1", "SUP2"]}},
    ...                         "items": {"SUP1": {"en": "Policies help."}}}, "own.yaml")
    >>> items_frame(own).columns.tolist()
    ['Item', 'Statement']
    """
    rows = []
    zh = has_chinese(instrument)
    for c in instrument.constructs.values():
        for code in c.items:
            it = instrument.items[code]
            rows.append({"Item": code + (" (R)" if it.reverse else ""), "Statement": it.en,
                         **({"陈述": it.zh} if zh else {}),
                         **_source_column(instrument, "Source in Liu (2022)", it.source)})
    return pd.DataFrame(rows)


def constructs_frame(instrument) -> pd.DataFrame:
    """One row per construct: code, labels, items, reverse-keyed items, source."""
    return pd.DataFrame([{"Code": c.code, "Construct": c.label_en, "构念": c.label_zh, "Items": ", ".join(c.items),
                          "Reverse-keyed": ", ".join(c.reverse) or "—", **_source_column(instrument, "Liu (2022)", c.source)}
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


def survey_sentence(instrument) -> str:
    """What the survey measures, for the book's first page: the study's wording on the study's instrument,
    the instrument's own constructs, item counts and scale otherwise.

    >>> from iur_survey.instrument import load_instrument
    >>> print(survey_sentence(load_instrument()))  # doctest: +NORMALIZE_WHITESPACE
    The survey measures each of the five mechanisms, collaborative innovation (COL) and deep integration (INT)
    with four Likert items (1-5). A structural-equation model then tests *mechanisms → COL → INT*.
    """
    cons = list(instrument.constructs.values())
    sizes = sorted({len(c.items) for c in cons})
    each = cardinal(sizes[0]) if len(sizes) == 1 else f"{cardinal(sizes[0])} to {cardinal(sizes[-1])}"
    noun = "item" if sizes == [1] else "items"
    scale = f"({getattr(instrument, 'scales_text', f'{instrument.scale_min}-{instrument.scale_max}')})"
    mech = [c for c in cons if c.code not in OUTCOMES]
    codes = tuple(c.code for c in mech)
    outcomes = [c for c in cons if c.code in OUTCOMES]
    if codes == MECHANISMS and len(outcomes) == 2:
        return (f"The survey measures each of the five mechanisms, collaborative innovation (COL) and deep "
                f"integration (INT) with {each} Likert {noun} {scale}. A structural-equation model then tests "
                f"*mechanisms → COL → INT*.")
    named = "; ".join(f"{c.label_en} ({c.code})" for c in cons)
    return (f"This book is built on the instrument *{instrument.name}*, not on the study's own questionnaire. "
            f"It measures {cardinal(len(cons))} {'construct' if len(cons) == 1 else 'constructs'} with {each} "
            f"{noun} each on a {instrument.scale_min}-{instrument.scale_max} scale"
            f"{'' if not getattr(instrument, 'mixed_scales', False) else ' (' + instrument.scales_text.split('; ', 1)[1] + ')'}"
            f": {named}. The paper's description of "
            f"the mechanisms above is the study's; the structural model keeps its roles, with "
            f"{cardinal(len(mech))} {'construct' if len(mech) == 1 else 'constructs'} in the place of the "
            f"mechanisms, acting on COL and INT.")


def mechanism_words(k: int) -> dict[str, str]:
    """The words of chapters 1, 5 and 6 that agree with the number ``k`` of mechanisms (an analyst's model of one
    mechanism is a simple mediation, X -> COL -> INT): "$K$ = 1 mechanism", "The one mechanism predicts",
    "H3a says", "Of the one total effect" (journey32: "The one mechanisms predict", "H3a say").

    >>> mechanism_words(5)["predict"], mechanism_words(5)["say"], mechanism_words(5)["k"]
    ('five mechanisms predict', 'say', '5 mechanisms')
    >>> w = mechanism_words(1)
    >>> w["that_are"], w["predict"], w["say"], w["are"], w["total_effects"], w["mediation_hypotheses"]
    ('that is', 'one mechanism predicts', 'says', 'is', 'total effect', 'mediation hypothesis')
    """
    one = int(k) == 1
    return {"k": counted(k, "mechanism", "mechanisms"),
            "that_are": "that is" if one else "that are",
            "predict": counted(k, "mechanism predicts", "mechanisms predict", words=True),
            "say": "says" if one else "say", "are": "is" if one else "are",
            "total_effects": "total effect" if one else "total effects",
            "mediation_hypotheses": "mediation hypothesis" if one else "mediation hypotheses"}


#: the study's words for its mediator and outcome in the book's prose
OUTCOME_WORDS = {"COL": "collaborative innovation", "INT": "deep integration"}


def outcome_words(instrument) -> dict[str, str]:
    """How the prose names COL and INT: the study's words (:data:`OUTCOME_WORDS`) when the instrument labels them
    as the study does, else its own labels (first letter lower-cased); ``Col``/``Int`` keys: capitalised.

    >>> from iur_survey.instrument import load_instrument
    >>> w = outcome_words(load_instrument())
    >>> w["COL"], w["Int"]
    ('collaborative innovation', 'Deep integration')
    """
    from ..instrument import load_instrument

    study = load_instrument().constructs
    out = {}
    for code, words in OUTCOME_WORDS.items():
        own = instrument.constructs.get(code)
        if own is not None and code in study and own.label_en.strip().lower() != study[code].label_en.strip().lower():
            lab = own.label_en.strip()
            words = lab if lab[:2].isupper() else lab[:1].lower() + lab[1:]
        out[code] = words
        out[code.capitalize()] = words[:1].upper() + words[1:]
    return out


def attention_sentence(instrument) -> str:
    """Chapter 2's words on the attention checks, as many as the instrument has (none: said so).

    >>> from iur_survey.instrument import load_instrument
    >>> attention_sentence(load_instrument())[:80]
    'The questionnaire has an instructed-response item, the attention check ATT1 (rig'
    """
    att = [f"{col} (right answer: {code})" for col, code in instrument.attention_checks.items()]
    if not att:
        return ("The instrument declares no attention check (no `attention_checks:` section), so the cleaning step's "
                "attention rule judges no one.")
    one = len(att) == 1
    return (f"The questionnaire has {'an instructed-response item, the attention check' if one else f'{cardinal(len(att))} instructed-response items, the attention checks'} "
            f"{', '.join(att)}. A respondent who gives any other answer failed the check. The cleaning step excludes "
            "them (see {doc}`03_data_cleaning`).")


#: the study's role question (data/instrument.yaml), which chapter 2 words as "which kind of organisation"
STUDY_ROLE_QUESTION = "Which kind of organisation do you work for?"


def groups_sentence(instrument) -> str:
    """Chapter 2's words on the role question: the column and the number of groups, or that there are none.

    >>> from iur_survey.instrument import load_instrument
    >>> groups_sentence(load_instrument())[:96]
    'Respondents also say which kind of organisation they work for. The answer goes in the `role` col'
    >>> from iur_survey.instrument import parse_instrument
    >>> own = parse_instrument({"scale": {"min": 1, "max": 5}, "group_column": "gender",
    ...     "groups": {"female": ["2"], "male": ["1"]}, "constructs": {"A": {"items": ["A1", "A2"]}}}, "bfi.yaml")
    >>> groups_sentence(own)[:64]
    'Respondents also give their group. The answer goes in the `gende'
    """
    if not instrument.groups:
        return ("The instrument defines no stakeholder groups (no `groups:` section), so no role question is read and "
                "the group comparisons of {doc}`07_groups` are not computed.")
    # the study's question in the study's words; an analyst's own question quoted (gender, region, tenure are no
    # "kind of organisation"); without one, nothing is said of what was asked
    q = (instrument.role_question.get("en") or instrument.role_question.get("zh") or "").strip()
    if q and q != STUDY_ROLE_QUESTION or not q and not is_study_instrument(instrument):
        lead = f"Respondents also answer the question “{q}”." if q else "Respondents also give their group."
    else:
        lead = "Respondents also say which kind of organisation they work for."
    return (f"{lead} The answer goes in the "
            f"`{instrument.group_column}` column, with one of {cardinal(len(instrument.groups))} stakeholder groups. "
            "The readers accept every wording below (English or Chinese, any case or spacing) and map it to the "
            "group key.")


def _likert_points(instrument) -> list[int]:
    """The numbers of answer codes of the Likert (not continuous) items' scales, sorted, each once."""
    return sorted({instrument.scale_of(c).n_points for c, it in instrument.items.items() if not it.continuous})


def points_text(instrument) -> str:
    """How many points the Likert items have, for prose: ``five-point``; with items on scales of their own
    ``four- to seven-point`` (the items' scales, not the top-level one when no item is on it).

    >>> from iur_survey.instrument import load_instrument
    >>> points_text(load_instrument())
    'five-point'
    """
    n = _likert_points(instrument) if getattr(instrument, "mixed_scales", False) else []
    if not n:
        return f"{cardinal(instrument.scale_max - instrument.scale_min + 1)}-point"
    return f"{cardinal(n[0])}-point" if len(n) == 1 else f"{cardinal(n[0], among=n)}- to {cardinal(n[-1])}-point"


def codes_text(instrument) -> str:
    """How many answer codes a Likert item has, for prose (``the five answer codes``): ``five``, or with items
    on scales of their own ``four to seven`` (``4 to 11``: digits beside a count of 10 or more).

    >>> from iur_survey.instrument import load_instrument
    >>> codes_text(load_instrument())
    'five'
    """
    n = _likert_points(instrument) if getattr(instrument, "mixed_scales", False) else []
    if not n:
        return cardinal(instrument.scale_max - instrument.scale_min + 1)
    return cardinal(n[0]) if len(n) == 1 else f"{cardinal(n[0], among=n)} to {cardinal(n[-1])}"


def _range_words(scale) -> str:
    """``from 1 (Strongly disagree) to 5 (Strongly agree)``; a code without a wording gets none."""
    def end(code: int) -> str:
        word = (scale.labels.get(code) or ("",))[0]
        return f"{code} ({word})" if word else f"{code}"
    return f"from {end(scale.min)} to {end(scale.max)}"


def scale_phrase(instrument) -> str:
    """How the items are answered, for the instrument chapter's first sentence: ``answered on a scale from 1
    (Strongly disagree) to 5 (Strongly agree)``; with scales of their own, every scale the items are on and
    which constructs (or, for a construct whose items differ, which items) use it, in questionnaire order.

    >>> from iur_survey.instrument import load_instrument
    >>> scale_phrase(load_instrument())
    'answered on a scale from 1 (Strongly disagree) to 5 (Strongly agree)'
    """
    if not getattr(instrument, "mixed_scales", False):
        return f"answered on a scale {_range_words(instrument.scale)}"
    who: dict[tuple[int, int], list[str]] = {}
    scales = {}
    for con in instrument.constructs.values():
        its = [c for c in con.items if not instrument.items[c].continuous]
        keys = {(instrument.scale_of(c).min, instrument.scale_of(c).max) for c in its}
        for c in its if len(keys) > 1 else its[:1]:
            sc = instrument.scale_of(c)
            scales.setdefault((sc.min, sc.max), sc)
            who.setdefault((sc.min, sc.max), []).append(c if len(keys) > 1 else con.code)
    if len(who) == 1:
        return f"answered on a scale {_range_words(next(iter(scales.values())))}"
    parts = [f"{', '.join(w)} {_range_words(scales[k])}" for k, w in who.items()]
    return "answered on scales of their own: " + "; ".join(parts)


def items_phrase(instrument) -> str:
    """How many items of which kind: ``28 Likert items``, or Likert and continuous items counted apart.

    >>> from iur_survey.instrument import load_instrument
    >>> items_phrase(load_instrument())
    '28 Likert items'
    """
    cont = len(instrument.continuous_items)
    lik = len(instrument.item_codes) - cont
    if not cont:
        return f"{lik} Likert items"
    if not lik:
        return f"{cont} continuous items"
    return f"{lik + cont} items ({lik} Likert, {cont} continuous)"
