"""Mediation: bootstrap indirect and total effects beside their delta-method tests, and the type of mediation.

:func:`bootstrap_effects` turns a :class:`~iur_survey.sem.bootstrap.BootstrapResult` into one tidy row per
defined (``:=``) parameter: the estimate, the bootstrap SE, the percentile interval (lavaan's
``boot.ci.type = "perc"``), the BCa interval (when the bootstrap ran with ``ci="bca"``) and, beside them, the
delta-method SE, interval and *p* of the same fit (lavaan's default for ``:=``); :func:`mediation_type` is
Zhao, Lynch & Chen's (2010) classification from the intervals of the indirect and direct effects.

>>> import numpy as np, pandas as pd
>>> from iur_survey.sem import sem
>>> from iur_survey.sem.bootstrap import bootstrap
>>> rng = np.random.default_rng(3)
>>> x = rng.standard_normal(150)
>>> m = 0.5 * x + rng.standard_normal(150)
>>> d = pd.DataFrame({"x": x, "m": m, "y": 0.4 * m + 0.1 * x + rng.standard_normal(150)})
>>> model = "m ~ a*x\\ny ~ b*m + c*x\\nind_x := a*b\\ntot_x := c + a*b"
>>> bt = bootstrap(sem(model, d), 60, data=d, seed=1, ci="bca", workers=1, progress=False)
>>> eff = bootstrap_effects(bt)
>>> eff["effect"].tolist(), eff["kind"].tolist()
(['ind_x', 'tot_x'], ['indirect', 'total'])
>>> r = eff.iloc[0]
>>> bool(r["perc.lower"] < r["est"] < r["perc.upper"]), bool(r["bca.lower"] < r["bca.upper"])
(True, True)
>>> bool(r["delta.se"] > 0), bool(abs(r["boot.se"] - r["delta.se"]) < 0.05)
(True, True)
"""

from __future__ import annotations

import math

from typing import Mapping

import numpy as np
import pandas as pd

from .defined import evaluate
from .syntax import expression_names, parse_expression

__all__ = ["bootstrap_effects", "defined_effects", "effect_kind", "mediation_type", "shared_effects_by_group"]


def _terms(node, defined: Mapping[str, list | None]) -> list[list[str]] | None:
    """An expression as a sum of products of names (``[[a, b], [c]]`` for ``a*b + c``), earlier ``:=`` names
    expanded; None when it is anything else (a number, a minus, a quotient, a function)."""
    kind = node[0]
    if kind == "var":
        return defined[node[1]] if node[1] in defined else [[node[1]]]
    if kind == "bin" and node[1] in "+*":
        a, b = _terms(node[2], defined), _terms(node[3], defined)
        if a is None or b is None:
            return None
        return a + b if node[1] == "+" else [x + y for x in a for y in b]
    return None


def _chain(labels: list[str], paths: Mapping[str, tuple[str, str]]) -> tuple[str, str] | None:
    """``(source, target)`` when the labelled regressions chain ``source -> ... -> target``, else None."""
    if any(lab not in paths for lab in labels):
        return None
    edges = [paths[lab] for lab in labels]                 # (outcome, predictor)
    outcomes = [o for o, _ in edges]
    starts = [e for e in edges if e[1] not in outcomes]
    if len(starts) != 1 or len(set(outcomes)) != len(outcomes):
        return None
    source, node, left = starts[0][1], starts[0][0], [e for e in edges if e is not starts[0]]
    while left:
        nxt = [e for e in left if e[1] == node]
        if len(nxt) != 1:
            return None
        node = nxt[0][0]
        left.remove(nxt[0])
    return source, node


def effect_kind(definition: str, paths: Mapping[str, tuple[str, str]],
                defined: Mapping[str, str] | None = None) -> tuple[str, str | None, str | None]:
    """The kind of a defined parameter from its definition (not its name): ``(kind, source, target)``.

    ``paths``: label -> ``(outcome, predictor)`` of the labelled regressions (``~``); ``defined``: earlier
    ``:=`` definitions (name -> text), expanded where used.  A product of labels whose regressions chain
    ``source -> ... -> target`` is ``"indirect"`` (a sum of such chains, all from the same source to the
    same target, too: a total indirect effect); a sum of such chains and the direct path ``target ~ source``
    is ``"total"``; anything else is ``"other"`` (source and target None).

    >>> paths = {"a": ("m", "x"), "b": ("y", "m"), "c": ("y", "x")}
    >>> effect_kind("a*b", paths), effect_kind("c + a*b", paths), effect_kind("c + ind", paths, {"ind": "a*b"})
    (('indirect', 'x', 'y'), ('total', 'x', 'y'), ('total', 'x', 'y'))
    >>> effect_kind("a/b", paths), effect_kind("a*c", paths), effect_kind("b + a*b", paths)
    (('other', None, None), ('other', None, None), ('other', None, None))
    """
    expanded: dict[str, list | None] = {}
    for name, text in (defined or {}).items():
        expanded[name] = _terms(parse_expression(text), expanded)
    terms = _terms(parse_expression(definition), expanded)
    chains = [_chain(t, paths) for t in terms] if terms else [None]
    if None in chains or len(set(chains)) != 1:
        return "other", None, None
    source, target = chains[0]
    lengths = {len(t) for t in terms}
    if min(lengths) >= 2:
        return "indirect", source, target
    if 1 in lengths and len(lengths) > 1 and sum(len(t) == 1 for t in terms) == 1:
        return "total", source, target
    return "other", None, None


def defined_effects(estimates: pd.DataFrame) -> pd.DataFrame:
    """The ``:=`` rows of a parameter table (lavaan's ``parameterEstimates()`` columns ``lhs op rhs label``)
    with the kind of each effect read from its definition (:func:`effect_kind`).

    Columns ``effect``, ``definition``, ``kind`` (``indirect`` / ``total`` / ``other``), ``source`` (the
    predictor the effect starts from; the name itself for ``other``) and ``target``.

    >>> pe = pd.DataFrame({"lhs": ["m", "y", "y", "ind_x", "tot_x", "r"], "op": ["~", "~", "~", ":=", ":=", ":="],
    ...                    "rhs": ["x", "m", "x", "a*b", "c+a*b", "a/c"], "label": ["a", "b", "c", "", "", ""]})
    >>> defined_effects(pe)[["effect", "kind", "source"]].values.tolist()
    [['ind_x', 'indirect', 'x'], ['tot_x', 'total', 'x'], ['r', 'other', 'r']]
    """
    paths: dict[str, tuple[str, str]] = {}
    reg = estimates[(estimates["op"] == "~")]
    for lhs, rhs, lab in zip(reg["lhs"], reg["rhs"], reg.get("label", pd.Series("", index=reg.index))):
        if isinstance(lab, str) and lab and lab not in paths:    # lavaan: a label is its first row
            paths[lab] = (str(lhs), str(rhs))
    defined: dict[str, str] = {}
    rows = []
    for name, text in zip(estimates.loc[estimates["op"] == ":=", "lhs"], estimates.loc[estimates["op"] == ":=", "rhs"]):
        kind, source, target = effect_kind(str(text), paths, defined)
        defined[str(name)] = str(text)
        rows.append({"effect": str(name), "definition": str(text), "kind": kind,
                     "source": source if source is not None else str(name), "target": target})
    return pd.DataFrame(rows, columns=["effect", "definition", "kind", "source", "target"])


def shared_effects_by_group(estimates: pd.DataFrame, column: str = "std.all") -> dict[str, dict[str, float]]:
    """The ``:=`` effects of a multi-group fit whose definition uses a label the groups share (written once:
    ``COL ~ a1*GOV`` with ``--group``, or ``--equal regressions`` on the study's model), with their standardized
    values evaluated within each group.

    Such an effect has no single standardized value: the groups' variances differ.  lavaan's
    ``standardizedSolution()`` evaluates the definition on the standardized parameters of the first row that
    carries each label (lavaan's rule for a label, :mod:`~iur_survey.sem.defined`), i.e. a shared label always
    takes the first group's standardized value.  Two cases:

    * every label of the effect is shared (``ind := a*b``): its ``std.all`` is the first group's standardized
      effect; the value returned holds the definition evaluated on each group's own standardized parameters
      (``column`` of the parameter rows), one entry per group, the first equal to lavaan's;
    * the effect also uses labels of one group ``g`` (``ind_GOV.g2 := a1.g2*b`` where ``b`` is shared): lavaan's
      ``std.all`` mixes group ``g``'s standardized ``a1.g2`` with the first group's ``b``; the value returned has
      one entry, ``g``: the effect standardized within ``g``.

    Effects using labels of several groups (a contrast), and every effect of a one-group fit, are left out.
    ``estimates``: parameterEstimates columns ``lhs op rhs group label`` and ``column``.

    >>> est = pd.DataFrame({"lhs": ["m", "y", "m", "y", "ind", "ind2"], "op": ["~", "~", "~", "~", ":=", ":="],
    ...                     "rhs": ["x", "m", "x", "m", "a*b", "a2*b"], "group": ["g1", "g1", "g2", "g2", "", ""],
    ...                     "label": ["a", "b", "a2", "b", "ind", "ind2"], "std.all": [0.5, 0.4, 0.3, 0.2, 0.2, 0.12]})
    >>> shared_effects_by_group(est)         # ind: a is g1's only; ind2: a2 is g2's, b shared
    {'ind': {'g1': 0.2}, 'ind2': {'g2': 0.06}}
    >>> shared_effects_by_group(est.assign(label=["a", "b", "a", "b", "ind", "ind2"], rhs=["x", "m", "x", "m", "a*b", "a"]))
    {'ind': {'g1': 0.2, 'g2': 0.06}, 'ind2': {'g1': 0.5, 'g2': 0.3}}
    """
    if "group" not in estimates.columns or column not in estimates.columns:
        return {}
    group = estimates["group"].fillna("").astype(str)
    label = estimates.get("label", pd.Series("", index=estimates.index)).fillna("").astype(str)
    params = estimates["op"] != ":="
    groups = [g for g in dict.fromkeys(group[params]) if g]
    if len(groups) < 2:
        return {}
    env: dict[str, dict[str, float]] = {g: {} for g in groups}
    carriers: dict[str, set] = {}
    for lab, g, v in zip(label[params], group[params], pd.to_numeric(estimates.loc[params, column], errors="coerce")):
        if lab and g:
            env[g].setdefault(lab, float(v))             # lavaan: a label is the first row that carries it
            carriers.setdefault(lab, set()).add(g)
    shared: set[str] = {lab for lab, gs in carriers.items() if len(gs) > 1}
    owner: dict[str, str] = {lab: next(iter(gs)) for lab, gs in carriers.items() if len(gs) == 1}
    out: dict[str, dict[str, float]] = {}
    defs = estimates[~params]
    for name, text in zip(defs["lhs"].astype(str), defs["rhs"].astype(str)):
        try:
            tree = parse_expression(text)
        except Exception:               # a definition the parser does not read: nothing to say of it
            continue
        names = expression_names(tree)
        if not any(n in shared for n in names):
            if {owner[n] for n in names if n in owner} and all(n in owner for n in names if n in carriers):
                gs = {owner[n] for n in names if n in owner}
                if len(gs) == 1:        # an effect of one group's labels: later definitions may use it
                    owner[name] = next(iter(gs))
                    g = owner[name]
                    if all(n in env[g] for n in names):
                        env[g][name] = float(evaluate(tree, env[g]))
            continue
        mine = {owner[n] for n in names if n in owner}
        if len(mine) > 1:               # labels of several groups and a shared one: no group's effect
            continue
        targets = list(mine) if mine else groups
        values = {}
        for g in targets:
            if all(n in env[g] for n in names):
                values[g] = float(evaluate(tree, env[g]))
                env[g][name] = values[g]
        if len(values) == len(targets):
            out[name] = values
            if mine:
                owner[name] = next(iter(mine))
            else:
                shared.add(name)        # a later definition that uses this one shares its labels too
    return out


def bootstrap_effects(boot, delta_estimates: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per ``:=`` parameter of a bootstrap: bootstrap and delta-method results side by side.

    Columns: ``effect`` (the name), ``kind`` and ``source`` (:func:`defined_effects`: read from the
    definition, e.g. ``indirect`` from ``x`` for ``a*b``),
    ``definition``, ``est``, ``std.all``, ``boot.se`` (SD of the successful draws, divisor B - 1 as lavaan),
    ``perc.lower``/``perc.upper`` (percentile interval), ``bca.lower``/``bca.upper`` (BCa with jackknife
    acceleration; NaN unless the bootstrap ran with ``ci="bca"``), ``delta.se``, ``delta.lower``,
    ``delta.upper``, ``delta.pvalue`` (the fit's normal-theory delta-method results).  The level is the
    bootstrap's.  ``delta_estimates`` defaults to the bootstrapped fit's own parameter table.
    """
    level = float(boot.level)
    pe = boot.fit.parameter_estimates(level=level) if delta_estimates is None else delta_estimates
    d = pe[pe["op"] == ":="].set_index("lhs")
    names = boot.columns[boot.n_free:]
    perc = boot.confidence_intervals("percentile", level)
    bca = boot.confidence_intervals("bca", level) if boot.acceleration is not None else None
    se = boot.se()
    est = boot.point_estimates()
    kinds = defined_effects(pe).set_index("effect")
    rows = []
    for j, name in enumerate(names, start=boot.n_free):
        r = d.loc[name] if name in d.index else None
        rows.append({
            "effect": name, "kind": kinds.at[name, "kind"] if name in kinds.index else "other",
            "source": kinds.at[name, "source"] if name in kinds.index else name,
            "definition": str(r["rhs"]) if r is not None else "",
            "est": float(est[j]), "std.all": float(r["std.all"]) if r is not None and "std.all" in r else math.nan,
            "boot.se": float(se.iloc[j]),
            "perc.lower": float(perc["ci.lower"].iloc[j]), "perc.upper": float(perc["ci.upper"].iloc[j]),
            "bca.lower": float(bca["ci.lower"].iloc[j]) if bca is not None else math.nan,
            "bca.upper": float(bca["ci.upper"].iloc[j]) if bca is not None else math.nan,
            "delta.se": float(r["se"]) if r is not None else math.nan,
            "delta.lower": float(r["ci.lower"]) if r is not None else math.nan,
            "delta.upper": float(r["ci.upper"]) if r is not None else math.nan,
            "delta.pvalue": float(r["pvalue"]) if r is not None else math.nan})
    return pd.DataFrame(rows)


def mediation_type(indirect: tuple[float, float], direct: tuple[float, float], direct_est: float,
                   indirect_est: float) -> str:
    """Zhao, Lynch & Chen's (2010) type of mediation from the intervals of the indirect (*a*·*b*) and the
    direct (*c*) effect: an effect is "there" when its interval excludes zero.

    >>> mediation_type((0.05, 0.2), (-0.1, 0.1), 0.0, 0.1), mediation_type((0.05, 0.2), (0.1, 0.3), 0.2, 0.1)
    ('indirect-only', 'complementary')
    >>> mediation_type((0.05, 0.2), (-0.3, -0.1), -0.2, 0.1), mediation_type((-0.01, 0.2), (0.1, 0.3), 0.2, 0.1)
    ('competitive', 'direct-only')
    >>> mediation_type((-0.01, 0.2), (-0.1, 0.3), 0.1, 0.1)
    'no effect'
    """
    ind = not (indirect[0] <= 0 <= indirect[1])
    dire = not (direct[0] <= 0 <= direct[1])
    if ind and dire:
        return "complementary" if np.sign(direct_est) == np.sign(indirect_est) else "competitive"
    if ind:
        return "indirect-only"
    return "direct-only" if dire else "no effect"
