"""Tables of the cleaning step for the book: exclusions by rule and by role, missing-data patterns, sample by role.

They take what :func:`iur_survey.clean.clean` returns (``CleanResult.report``, ``.clean``) and the
pattern table of :func:`iur_survey.clean.missing_patterns`.

>>> import pandas as pd
>>> from iur_survey.instrument import load_instrument
>>> role_counts(pd.DataFrame({"role": ["university", "enterprise", None, "university"]}), load_instrument())
          Role  n     %
0   enterprise  1  25.0
1   university  2  50.0
2  (not given)  1  25.0
"""

from __future__ import annotations

from typing import Any, Mapping

import pandas as pd

from .diagram import RULE_LABELS
from .tables import APATable, apa_table


def role_counts(clean: pd.DataFrame, instrument) -> pd.DataFrame:
    """Respondents per stakeholder role (instrument order, then any other value, then not given): Role, n, %."""
    col = instrument.group_column
    if col not in clean.columns:
        return pd.DataFrame({"Role": pd.Series(dtype=str), "n": pd.Series(dtype=int), "%": pd.Series(dtype=float)})
    counts = clean[col].astype("string").fillna("(not given)").value_counts()
    order = [g for g in instrument.groups if g in counts.index]
    order += sorted(g for g in counts.index if g not in instrument.groups and g != "(not given)")
    order += ["(not given)"] if "(not given)" in counts.index else []
    out = pd.DataFrame({"Role": order, "n": [int(counts[g]) for g in order]})
    out["%"] = 100.0 * out["n"] / max(int(out["n"].sum()), 1)
    return out


def role_table(clean: pd.DataFrame, instrument, number=None, note: str | None = None) -> APATable:
    """:func:`role_counts` as an APA table, each role as prose (:func:`~iur_survey.report.groups.group_label`,
    as every table of the groups chapter).

    >>> from iur_survey.instrument import load_instrument
    >>> role_table(pd.DataFrame({"role": ["research_institute", None]}), load_instrument()).frame["Role"].tolist()
    ['research institute', '(not given)']
    """
    from .groups import group_label

    counts = role_counts(clean, instrument)
    counts["Role"] = [g if g == "(not given)" else group_label(g) for g in counts["Role"]]
    return apa_table(counts, "Analysed sample by stakeholder role", number=number,
                     formats={"n": "int", "%": 1}, note=note)


def exclusion_counts(report: Mapping[str, Any]) -> pd.DataFrame:
    """One row per cleaning rule, in the order the rules ran: rule, label, stage, evaluated, hits, excluded
    (excluded = responses whose first hit is this rule; these add up to ``n_excluded``).

    >>> rep = {"order": {"screening": ["status"], "indices": ["speeder"]}, "hits_by_rule": {"status": 3},
    ...        "excluded_by_primary_rule": {"status": 3}, "rules_not_evaluated": {"speeder": "no durations"}}
    >>> exclusion_counts(rep)[["rule", "evaluated", "hits", "excluded"]].values.tolist()
    [['status', True, 3, 3], ['speeder', False, 0, 0]]
    """
    rows = []
    for stage, key in (("screening", "screening"), ("careless responding", "indices")):
        for r in report["order"][key]:
            rows.append({"rule": r, "label": RULE_LABELS.get(r, r), "stage": stage,
                         "evaluated": r not in report.get("rules_not_evaluated", {}),
                         "hits": int(report["hits_by_rule"].get(r, 0)),
                         "excluded": int(report["excluded_by_primary_rule"].get(r, 0))})
    return pd.DataFrame(rows)


def exclusions_table(report: Mapping[str, Any], number=None) -> APATable:
    """Exclusions by rule as an APA table; rules that could not be evaluated are marked † with the reason."""
    ex = exclusion_counts(report)
    frame = pd.DataFrame({
        "Rule": [lab + ("" if ev else " †") for lab, ev in zip(ex["label"], ex["evaluated"])],
        "Stage": ex["stage"],
        "Hits": [h if ev else None for h, ev in zip(ex["hits"], ex["evaluated"])],
        "Excluded": [e if ev else None for e, ev in zip(ex["excluded"], ex["evaluated"])]})
    skipped = "; ".join(f"{RULE_LABELS.get(r, r)}: {why}" for r, why in report.get("rules_not_evaluated", {}).items())
    return apa_table(frame, "Exclusions by cleaning rule", number=number, formats={"Hits": "int", "Excluded": "int"},
                     note="Hits: responses the rule flags (a response can be flagged by several rules). Excluded: "
                          "responses whose first hit, in the order the rules run, is this rule; these add up to the "
                          "number excluded." + (f" † Not evaluated ({skipped})." if skipped else ""))


def careless_role_counts(report: Mapping[str, Any], instrument) -> pd.DataFrame:
    """Careless-responding exclusions per stakeholder role (``report["careless_excluded_by_group"]``, roles in the
    instrument's order): Role, Screened (passed screening), Excluded (as careless), % excluded.

    >>> from iur_survey.instrument import load_instrument
    >>> rep = {"careless_excluded_by_group": {"government": {"screened": 50, "excluded": 2},
    ...                                       "university": {"screened": 200, "excluded": 3}}}
    >>> careless_role_counts(rep, load_instrument()).values.tolist()
    [['university', 200, 3, 1.5], ['government', 50, 2, 4.0]]
    """
    by = report.get("careless_excluded_by_group", {})
    order = [g for g in instrument.group_keys if g in by] + sorted(g for g in by if g not in instrument.group_keys)
    frame = pd.DataFrame({"Role": order, "Screened": [int(by[g]["screened"]) for g in order],
                          "Excluded": [int(by[g]["excluded"]) for g in order]})
    frame["% excluded"] = 100.0 * frame["Excluded"] / frame["Screened"].clip(lower=1)
    return frame


def careless_by_role_table(report: Mapping[str, Any], instrument, number=None) -> APATable:
    """:func:`careless_role_counts` as an APA table; the report's group test (``careless_group_warning``) in the note.

    >>> from iur_survey.instrument import load_instrument
    >>> rep = {"careless_excluded_by_group": {"university": {"screened": 200, "excluded": 3}}}
    >>> t = careless_by_role_table(rep, load_instrument())
    >>> t.note.endswith('the report does not say (an older one).'), t.frame["Role"].tolist()
    (True, ['university'])
    >>> careless_by_role_table(dict(rep, careless_group_warning=""), load_instrument()).note.split("roles. ")[-1]  # a cut-off
    "No role stands out: no role's share of careless exclusions exceeds the other roles' at a one-sided binomial p below .001 (Bonferroni over the roles)."
    """
    from .groups import group_label

    warned = report.get("careless_group_warning")
    test = ("Whether a role stands out: the report does not say (an older one)." if warned is None else
            f"Warning: {warned}." if warned else
            "No role stands out: no role's share of careless exclusions exceeds the other roles' at a one-sided "
            "binomial p below .001 (Bonferroni over the roles).")
    note = ("Screened: responses that passed screening; excluded: excluded as careless responding on convergent "
            "evidence. A role that answers differently from the others is farther from the pooled sample, so the "
            "distance indices flag its honest members more often; compare the shares before comparing the roles. "
            + test)
    counts = careless_role_counts(report, instrument)
    counts["Role"] = [group_label(g) for g in counts["Role"]]
    return apa_table(counts, "Careless-responding exclusions by stakeholder role",
                     number=number, formats={"Screened": "int", "Excluded": "int", "% excluded": 1}, note=note)


def missing_patterns_table(patterns: pd.DataFrame, n: int, top: int = 10, number=None) -> APATable:
    """The commonest missing-data patterns (``missing``: unanswered items, ``n``) with their share of ``n``."""
    pats = patterns.head(top).copy()
    frame = pd.DataFrame({"Items not answered": pats["missing"].replace("", "(none: complete)"),
                          "Respondents": pats["n"], "%": 100.0 * pats["n"] / max(n, 1)})
    return apa_table(frame, "The most frequent missing-data patterns", number=number,
                     formats={"Respondents": "int", "%": 1},
                     note="Each row is one pattern: the set of items a respondent left unanswered.")


def sensitivity_sentence(table: pd.DataFrame | None, warnings: list[str] | tuple = ()) -> str:
    """Chapter 3's sentence on the flag-sensitivity refit (:func:`iur_survey.sem.sensitivity.flag_sensitivity`'s
    table): the largest change in standard errors and how many paths change significance, or, when a refit did not
    converge (its columns are empty), that the comparison could not be made and why: never "nan standard errors;
    0 of them change significance".

    >>> t = pd.DataFrame({"diff_se_units": [0.2, -0.49], "significance_change": [False, True]})
    >>> sensitivity_sentence(t)
    'The largest change of a structural path or indirect effect is 0.49 standard errors; one of them changes significance at the .05 level.'
    >>> sensitivity_sentence(t.assign(significance_change=False))
    'The largest change of a structural path or indirect effect is 0.49 standard errors; none of them changes significance at the .05 level.'
    >>> t["diff_se_units"] = float("nan")
    >>> sensitivity_sentence(t, ["the fit without the flagged respondents did not converge: its columns are empty"])
    'The comparison could not be made: the fit without the flagged respondents did not converge: its columns are empty. No change is reported.'
    >>> sensitivity_sentence(None)
    'The comparison has not been computed for this export (below).'
    """
    from .format import cardinal
    if table is None:
        return "The comparison has not been computed for this export (below)."
    diff = pd.to_numeric(table["diff_se_units"], errors="coerce")
    if not len(diff) or diff.isna().any():
        why = "; ".join(w for w in warnings if "did not converge" in w) or "; ".join(warnings) \
            or "a refit gave no estimates"
        return f"The comparison could not be made: {why}. No change is reported."
    k = int(table["significance_change"].sum())
    which = "none of them changes" if k == 0 else \
        f"{cardinal(k, among=[len(table)])} of them {'changes' if k == 1 else 'change'}"
    return (f"The largest change of a structural path or indirect effect is {float(diff.abs().max()):.2f} standard "
            f"errors; {which} significance at the .05 level.")


def export_columns_sentence(dropped, ip_used: bool) -> str:
    """What the reader left out of the export and which contact data the duplicate rule used in memory: the
    columns dropped (``read_export``'s ``dropped_columns``), whether the IP-address rule ran (``ip_used``) and
    whether a dropped column is an e-mail column (by its header, as the reader finds them).

    An export with no other column and no IP address (a plain CSV of ids and answers) is not told that "0 columns
    ..., among them any names" were dropped, nor that an IP address it does not have is used.

    >>> print(export_columns_sentence(["RecipientEmail", "Comment"], True))  # doctest: +NORMALIZE_WHITESPACE
    It drops everything else: 2 columns of the export, among them any names, e-mail addresses, phone numbers,
    locations and free text. These never reach the clean data or this book. The IP address is used in memory only,
    by the duplicate rule below, and so is the e-mail address, as a number that tells which records give the same
    one (with the same answers too, the same person sending twice).
    >>> export_columns_sentence([], False)
    'It drops nothing: the export has no other column, and no IP address or e-mail address.'
    >>> export_columns_sentence(["来源"], True)  # doctest: +NORMALIZE_WHITESPACE
    'It drops everything else: 1 column of the export, among them any names, e-mail addresses, phone numbers,
    locations and free text. These never reach the clean data or this book. The IP address is used in memory only,
    by the duplicate rule below.'
    """
    from ..read.assemble import personal_header_kind
    dropped = list(dropped)
    email = any(personal_header_kind(h) == "e-mail addresses" for h in dropped)
    n = len(dropped)
    how = ("as a number that tells which records give the same one (with the same answers too, the same person "
           "sending twice)")
    if ip_used and email:
        use = f" The IP address is used in memory only, by the duplicate rule below, and so is the e-mail address, {how}."
    elif ip_used:
        use = " The IP address is used in memory only, by the duplicate rule below."
    elif email:
        use = f" The e-mail address is used in memory only, by the duplicate rule below, {how}."
    else:
        use = ""
    if not n:
        return ("It drops nothing: the export has no other column"
                + (", and no IP address or e-mail address." if not use else "." + use))
    return (f"It drops everything else: {n:,} {'column' if n == 1 else 'columns'} of the export, among them any "
            f"names, e-mail addresses, phone numbers, locations and free text. These never reach the clean data or "
            f"this book." + use)


def most_missing_sentence(item_missing: pd.DataFrame) -> str:
    """Chapter 3's sentence on the item left unanswered most often (``item_missing``: the cleaning's table of
    ``item``, ``n_missing``, ``pct_missing``): every item of the largest count when several share it (one of them
    named alone read as if it stood out), and no "most often ... (0.0%)" when nothing is missing.

    >>> im = pd.DataFrame({"item": ["A1", "A2", "B1"], "n_missing": [9, 4, 9], "pct_missing": [1.76, 0.78, 1.76]})
    >>> most_missing_sentence(im)
    'The items missing most often are A1 and B1 (1.8% each).'
    >>> most_missing_sentence(im.assign(n_missing=[9, 4, 3]))
    'The item missing most often is A1 (1.8%).'
    >>> most_missing_sentence(im.assign(n_missing=0, pct_missing=0.0))
    'No item is missing.'
    """
    if item_missing is None or not len(item_missing) or int(item_missing["n_missing"].max()) == 0:
        return "No item is missing."
    top = item_missing[item_missing["n_missing"] == item_missing["n_missing"].max()]
    pct = f"{float(top['pct_missing'].iloc[0]):.1f}%"
    names = [str(i) for i in top["item"]]
    if len(names) == 1:
        return f"The item missing most often is {names[0]} ({pct})."
    listed = ", ".join(names[:-1]) + f" and {names[-1]}"
    return f"The items missing most often are {listed} ({pct} each)."


def role_section_text(instrument) -> str:
    """Chapter 3's words before the careless-responding counts by role, or that there are no roles.

    >>> from iur_survey.instrument import load_instrument
    >>> role_section_text(load_instrument())[:40]
    'The roles are compared later, so the cle'
    """
    if not instrument.groups:
        return ("The instrument defines no stakeholder groups (no `groups:` section), so the sample is not broken "
                "down by role.")
    return ("The roles are compared later, so the cleaning must not thin one of them more than the others for the "
            "way its members answer. Table 3.6 gives, per role, the responses that passed screening and those the "
            "careless-responding indices excluded.")
