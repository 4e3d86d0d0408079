"""How well the cleaning recovers known careless, invalid and duplicate responses.

The simulator (:mod:`iur_survey.simulate`) records, for every response it made
non-honest, a truth row ``(response_id, kind, detail)``.  :func:`recovery` matches
those ids against the exclusion ledger and reports recall and precision per truth
kind, per rule, overall, and the share of honest responses excluded.

Truth kinds and the rules meant to catch them (:data:`KIND_RULES`); ``item_nonresponse``
is not an exclusion (a respondent with missing items is honest).

>>> truth = pd.DataFrame({"response_id": ["a", "b", "c"], "kind": ["preview", "straightliner", "random"]})
>>> ledger = pd.DataFrame({"response_id": ["a", "b", "b", "h"],
...                        "rule": ["status", "longstring", "irv", "mahalanobis"]})
>>> rec = recovery(truth, ledger, response_ids=["a", "b", "c", "h", "i"])
>>> rec.set_index("name").loc[["preview", "straightliner", "random", "mahalanobis", "honest"],
...                           ["n_true", "n_flagged", "n_hit", "recall", "precision"]]
               n_true  n_flagged  n_hit  recall  precision
name                                                      
preview             1          1      1     1.0        1.0
straightliner       1          1      1     1.0        1.0
random              1          1      0     0.0        0.0
mahalanobis         1          1      0     0.0        0.0
honest              2          1      1     0.5        NaN
"""

from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from .rules import INDEX_RULES, RULE_ORDER, SCREENING_RULES

#: truth kind -> the rules that are meant to catch it
KIND_RULES: dict[str, tuple[str, ...]] = {
    "preview": ("status",),
    "test": ("status",),
    "spam": ("status",),
    "unfinished": ("unfinished",),
    "duplicate_id": ("duplicate_id",),
    "duplicate_ip": ("duplicate_answers_ip",),
    "speeder": ("speeder",),
    "straightliner": ("longstring", "irv"),
    "random": ("mahalanobis", "even_odd"),
    "attention": ("attention",),
    "out_of_range": ("out_of_range",),
}
#: rule -> the truth kinds it legitimately catches (for ``precision_kind``): the kinds it is
#: meant for, plus an exact repeat of a row (``duplicate_id``) for the same-IP rule, which
#: is a same-answers-same-IP submission too
RULE_TARGETS: dict[str, tuple[str, ...]] = {
    rule: tuple(k for k, rs in KIND_RULES.items() if rule in rs) for rule in RULE_ORDER}
RULE_TARGETS["duplicate_answers_ip"] += ("duplicate_id",)
#: truth kinds that are not reasons to exclude
NOT_EXCLUSIONS = ("item_nonresponse",)


def _sets(keys: np.ndarray, labels: np.ndarray) -> dict[str, set]:
    out: dict[str, set] = {}
    for k in pd.unique(labels):
        out[str(k)] = set(keys[labels == k].tolist())
    return out


def recovery(truth: pd.DataFrame, exclusions: pd.DataFrame,
             response_ids: Iterable[str] | None = None, *, rows: Iterable[int] | None = None) -> pd.DataFrame:
    """Recall and precision of the ledger ``exclusions`` against the simulator's ``truth``.

    One row per truth kind (``level="kind"``: caught = flagged by one of the kind's
    :data:`KIND_RULES`), per rule (``level="rule"``: its targets are the kinds it is meant
    for), ``all`` (any exclusion kind against any rule) and, when the universe of responses
    is known, ``honest`` (responses with no exclusion kind; ``n_hit`` is the number of them
    excluded and ``recall`` is that share: lower is better).

    Matching is by ``response_id`` (the universe: ``response_ids``, every id of the raw
    data), or, when ``rows`` is given (the raw frame's ``_row`` values in frame order) and
    ``truth`` has the simulator's ``position`` column, by raw row: exact even for the two
    rows of a repeated id.  Every truth row counts, primary or secondary (a straight-liner
    who also sped is a speeder too).

    Columns: ``level``, ``name``, ``rules``, ``n_true`` (responses of the target kinds),
    ``n_flagged`` (responses flagged by the rules), ``n_hit`` (both), ``recall = n_hit/n_true``,
    ``precision`` = share of flagged responses that are non-honest of *any* kind,
    ``precision_kind`` = share of flagged responses of a kind the rules are meant for
    (:data:`RULE_TARGETS`; an unfinished response that never reached the attention check
    is a true positive of ``attention`` for ``precision`` but not for ``precision_kind``),
    ``recall_any`` = share of the kind's responses excluded by any rule, ``n_reached`` and
    ``recall_reached``: for the data-based index rules (stage 2 of the pipeline), the
    target responses that passed the screening rules and the share of those caught (a
    straight-liner who already failed the attention check never reaches ``longstring``);
    for other rows the same as ``n_true`` and ``recall``.
    """
    truth = truth[~truth["kind"].isin(NOT_EXCLUSIONS)]
    universe: set | None = None
    if rows is not None and "position" in truth.columns:
        rows = np.asarray(list(rows), dtype=np.int64)
        t_keys = truth["position"].to_numpy(dtype=np.int64)
        e_keys = pd.Index(rows).get_indexer(exclusions["row"].to_numpy(dtype=np.int64))
        if (e_keys < 0).any():
            raise ValueError("the ledger names raw rows that are not in `rows`")
        universe = set(range(len(rows)))
    else:
        t_keys = truth["response_id"].astype(str).to_numpy()
        e_keys = exclusions["response_id"].astype(str).to_numpy()
        if response_ids is not None:
            universe = set(map(str, response_ids))
    by_kind = _sets(t_keys, truth["kind"].astype(str).to_numpy())
    by_rule = _sets(e_keys, exclusions["rule"].astype(str).to_numpy())
    bad = set().union(*by_kind.values()) if by_kind else set()
    flagged_any = set(e_keys.tolist())
    screened_out = set().union(*(by_rule.get(r, set()) for r in SCREENING_RULES))

    table = []

    def add(level, name, rules, target, flagged, label=None):
        n_hit = len(target & flagged)
        # index rules only see the responses that passed the screening rules
        reached = target - screened_out if rules and set(rules) <= set(INDEX_RULES) else target
        legit = set().union(*(by_kind.get(k, set()) for r in rules for k in RULE_TARGETS.get(r, ())))
        table.append({
            "level": level, "name": name, "rules": label or " ".join(rules),
            "n_true": len(target), "n_flagged": len(flagged), "n_hit": n_hit,
            "recall": n_hit / len(target) if target else np.nan,
            "precision": len(flagged & bad) / len(flagged) if flagged else np.nan,
            "precision_kind": len(flagged & legit) / len(flagged) if flagged else np.nan,
            "recall_any": len(target & flagged_any) / len(target) if target else np.nan,
            "n_reached": len(reached),
            "recall_reached": len(reached & flagged) / len(reached) if reached else np.nan,
        })

    kinds = [k for k in KIND_RULES if k in by_kind] + [k for k in by_kind if k not in KIND_RULES]
    for kind in kinds:
        rules = KIND_RULES.get(kind, ())
        flagged = set().union(*(by_rule.get(r, set()) for r in rules)) if rules else set()
        add("kind", kind, rules, by_kind[kind], flagged)
    for rule in RULE_ORDER:
        target = set().union(*(by_kind.get(k, set()) for k in KIND_RULES if rule in KIND_RULES[k]))
        add("rule", rule, (rule,), target, by_rule.get(rule, set()))
    add("all", "all", tuple(RULE_ORDER), bad, flagged_any, label="any")
    if universe is not None:
        honest = universe - bad
        n_hit = len(honest & flagged_any)
        table.append({"level": "honest", "name": "honest", "rules": "", "n_true": len(honest),
                     "n_flagged": len(flagged_any - bad), "n_hit": n_hit,
                     "recall": n_hit / len(honest) if honest else np.nan,
                     "precision": np.nan, "precision_kind": np.nan,
                     "recall_any": n_hit / len(honest) if honest else np.nan,
                     "n_reached": len(honest), "recall_reached": n_hit / len(honest) if honest else np.nan})
    return pd.DataFrame(table)
