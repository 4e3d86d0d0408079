"""The study layer: what is specific to Liu (2022)'s survey, kept out of the generic engines.

The SEM engine (:mod:`iur_survey.sem`) fits any lavaan-syntax model and knows nothing of the instrument
or of the constructs COL and INT; this module builds the study's model from the instrument
(:mod:`iur_survey.instrument`) and hands it to the engine.  Its arrows: ``study -> instrument``,
``study -> sem``; neither imports it.

>>> from iur_survey.study import default_model
>>> default_model().count("=~")
7
"""

from __future__ import annotations

from typing import Sequence

from .errors import EstimationError
from .instrument import load_instrument
from .sem.syntax import group_specific_labels

__all__ = ["default_model", "effect_source", "MECHANISMS", "OUTCOMES", "INDIRECT", "TOTAL"]

#: the study's five mechanisms (Liu 2022, section 4) and its two outcome constructs: collaborative innovation
#: (mediator) and deep integration
MECHANISMS = ("GOV", "MKT", "BEN", "VAL", "TAL")
OUTCOMES = ("COL", "INT")
#: the study's names of the defined effects of mechanism X: ``ind_X`` (a·b) and ``tot_X`` (c + a·b)
INDIRECT, TOTAL = "ind_", "tot_"


def effect_source(name: str) -> str:
    """The mechanism of one of the study's ``ind_X`` / ``tot_X`` effects (the name itself otherwise).

    The engine reads the kind of an effect from its definition
    (:func:`iur_survey.sem.mediation.defined_effects`); this is only the study's naming.

    >>> effect_source("ind_GOV"), effect_source("tot_TAL.g2"), effect_source("ratio")
    ('GOV', 'TAL.g2', 'ratio')
    """
    for prefix in (INDIRECT, TOTAL):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def default_model(instrument=None, *, ngroups: int = 1, equal_regressions: bool = False,
                  free_paths: Sequence[tuple[str, str]] = ()) -> str:
    """The study's default model: seven first-order factors (first loading fixed to 1),
    ``COL ~ a1*GOV + ... + a5*TAL``, ``INT ~ b*COL + c1*GOV + ... + c5*TAL`` and for each
    mechanism ``ind_X := ak*b`` and ``tot_X := ck + ak*b``.

    ``instrument`` is an :class:`~iur_survey.instrument.Instrument` (default: the study's).

    With ``ngroups`` > 1 (a multi-group fit) every label gets one name per group
    (``COL ~ c(a1.g1, a1.g2, ...)*GOV``) and every ``:=`` effect is defined per group
    (``ind_GOV.g1 := a1.g1*b.g1``), so the structural paths are free in each group: in lavaan
    one label shared by all groups would constrain the path to be equal across them.
    ``equal_regressions=True`` keeps the single labels, i.e. the paths equal across groups
    (lavaan's ``group.equal = "regressions"``); ``free_paths`` (``(outcome, predictor)`` pairs, ``--free 'COL ~ GOV'``)
    are then the exceptions: their labels are written per group, and so are the effects that use them, so those
    paths are free in every group and the others equal (a shared label would hold a path equal whatever
    lavaan's ``group.partial`` says).  A pair that is not a path of the model is ignored here (``--free`` says so).

    >>> m = default_model(ngroups=2, equal_regressions=True, free_paths=[("COL", "GOV")]).splitlines()
    >>> [l for l in m if l.startswith(("COL ~", "ind_GOV", "ind_MKT"))]
    ['COL ~ c(a1.g1, a1.g2)*GOV + a2*MKT + a3*BEN + a4*VAL + a5*TAL', 'ind_GOV.g1 := a1.g1*b', 'ind_GOV.g2 := a1.g2*b', 'ind_MKT := a2*b']

    >>> print(default_model().splitlines()[0])
    GOV =~ GOV1 + GOV2 + GOV3 + GOV4
    >>> [l for l in default_model().splitlines() if l.startswith(("COL ~", "ind_GOV"))]
    ['COL ~ a1*GOV + a2*MKT + a3*BEN + a4*VAL + a5*TAL', 'ind_GOV := a1*b']
    >>> [l for l in default_model(ngroups=2).splitlines() if l.startswith(("COL ~", "ind_GOV"))][:2]
    ['COL ~ c(a1.g1, a1.g2)*GOV + c(a2.g1, a2.g2)*MKT + c(a3.g1, a3.g2)*BEN + c(a4.g1, a4.g2)*VAL + c(a5.g1, a5.g2)*TAL', 'ind_GOV.g1 := a1.g1*b.g1']
    """
    if instrument is None:
        instrument = load_instrument()
    cons = list(instrument.constructs.values())
    label = path_labels(instrument)
    mediator, outcome = OUTCOMES
    mech = [x for (y, x) in label if y == mediator]
    lines = [f"{c.code} =~ " + " + ".join(c.items) for c in cons]
    lines.append(f"{mediator} ~ " + " + ".join(f"{label[mediator, x]}*{x}" for x in mech))
    lines.append(f"{outcome} ~ " + " + ".join(f"{label[outcome, x]}*{x}" for x in [mediator, *mech]))
    b = label[outcome, mediator]
    for x in mech:
        lines.append(f"{INDIRECT}{x} := {label[mediator, x]}*{b}")
        lines.append(f"{TOTAL}{x} := {label[outcome, x]} + {label[mediator, x]}*{b}")
    model = "\n".join(lines)
    if ngroups > 1 and not equal_regressions:
        model = group_specific_labels(model, int(ngroups))
    elif ngroups > 1 and free_paths:
        only = {label[p] for p in map(tuple, free_paths) if p in label}
        if only:
            model = group_specific_labels(model, int(ngroups), only=only)
    return model


def path_labels(instrument=None) -> dict[tuple[str, str], str]:
    """The labels of the default model's structural paths, ``(outcome, predictor) -> label``: ``COL ~ a1*GOV``
    ... ``a5*TAL``, ``INT ~ b*COL + c1*GOV + ... + c5*TAL`` (the mechanisms in the instrument's order).

    >>> lab = path_labels()
    >>> lab["COL", "GOV"], lab["INT", "COL"], lab["INT", "TAL"], ("COL", "INT") in lab
    ('a1', 'b', 'c5', False)
    """
    if instrument is None:
        instrument = load_instrument()
    codes = [c.code for c in instrument.constructs.values()]
    mediator, outcome = OUTCOMES
    if mediator not in codes or outcome not in codes:
        raise EstimationError(getattr(instrument, "path", None),
                              f"the default model needs constructs {mediator} and {outcome} in the instrument (the mediator "
                              f"and the outcome of the study's mechanisms -> {mediator} -> {outcome}): give fit your own "
                              f"model with --model FILE (lavaan syntax), or, for the book, name yours {mediator} and "
                              f"{outcome}")
    mech = [c for c in codes if c not in OUTCOMES]
    if not mech:
        raise EstimationError(getattr(instrument, "path", None),
                              f"the default model needs at least one construct besides {mediator} and {outcome} (a "
                              f"mechanism, acting on {mediator} and {outcome}); the instrument has only {mediator} and "
                              f"{outcome}: add the mechanisms' constructs, or give fit your own model with --model FILE "
                              f"(lavaan syntax)")
    label = {(mediator, x): f"a{k}" for k, x in enumerate(mech, 1)}
    label[(outcome, mediator)] = "b"
    label.update({(outcome, x): f"c{k}" for k, x in enumerate(mech, 1)})
    return label
