"""The kind of a defined (``:=``) parameter is read from its definition, never from its name (issue 13: the
engine knows nothing of the study's ``ind_`` / ``tot_`` naming)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from iur_survey.sem import sem
from iur_survey.sem.bootstrap import bootstrap
from iur_survey.sem.mediation import bootstrap_effects, defined_effects, effect_kind

PATHS = {"a1": ("m1", "x"), "a2": ("m2", "x"), "b1": ("y", "m1"), "b2": ("y", "m2"), "c": ("y", "x"),
         "d": ("m2", "m1")}


def _kind(text, defined=None):
    return effect_kind(text, PATHS, defined)


def test_products_of_chained_paths_are_indirect_whatever_their_names():
    assert _kind("a1*b1") == ("indirect", "x", "y")
    assert _kind("b1*a1") == ("indirect", "x", "y")                       # order of the factors is free
    assert _kind("a1*d*b2") == ("indirect", "x", "y")                     # a chain of three paths
    assert _kind("a1*b1 + a2*b2") == ("indirect", "x", "y")               # the total indirect effect
    assert _kind("(a1 + a2*0)*b1")[0] == "other"                          # a number is not a path


def test_a_direct_path_plus_chains_is_total():
    assert _kind("c + a1*b1") == ("total", "x", "y")
    assert _kind("a1*b1 + a2*b2 + c") == ("total", "x", "y")
    assert _kind("c + ind", {"ind": "a1*b1 + a2*b2"}) == ("total", "x", "y")    # earlier := names expand


def test_anything_else_is_other():
    for text in ("c", "a1*b2", "a1*c", "c + c", "c + a1*b1 + c", "a1/b1", "a1 - b1", "sqrt(a1)*b1",
                 "a1*a1", "unknown*b1", "a1*b1 + a2", "c + d*b2"):
        assert _kind(text) == ("other", None, None), text


def test_defined_effects_reads_the_parameter_table():
    pe = pd.DataFrame({
        "lhs": ["m1", "y", "y", "foo", "ind_y", "bar", "bar2"],
        "op": ["~", "~", "~", ":=", ":=", ":=", ":="],
        "rhs": ["x", "m1", "x", "a1*b1", "a1/b1", "c+foo", "c+b1"],
        "label": ["a1", "b1", "c", "foo", "ind_y", "bar", "bar2"]})
    got = defined_effects(pe).set_index("effect")
    assert got["kind"].to_dict() == {"foo": "indirect", "ind_y": "other", "bar": "total", "bar2": "other"}
    assert got.loc["foo", "source"] == "x" and got.loc["ind_y", "source"] == "ind_y"
    assert got.loc["bar", "target"] == "y"


def test_a_label_means_its_first_row_as_in_lavaan():
    pe = pd.DataFrame({"lhs": ["m", "y", "y", "e"], "op": ["~", "~", "~", ":="], "rhs": ["x", "m", "z", "a*b"],
                       "label": ["a", "b", "b", "e"]})
    assert defined_effects(pe).loc[0, "kind"] == "indirect"


def test_bootstrap_effects_take_the_kind_from_the_definition():
    """Names that say nothing (or mislead): the kind and source still follow the definitions."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal(120)
    m = 0.5 * x + rng.standard_normal(120)
    d = pd.DataFrame({"x": x, "m": m, "y": 0.4 * m + 0.1 * x + rng.standard_normal(120)})
    model = "m ~ a*x\ny ~ b*m + c*x\nthrough := a*b\ntot_wrong := a*b\noverall := c + through\nratio := a/b"
    bt = bootstrap(sem(model, d), 20, data=d, seed=1, workers=1, progress=False)
    eff = bootstrap_effects(bt).set_index("effect")
    assert eff["kind"].to_dict() == {"through": "indirect", "tot_wrong": "indirect", "overall": "total",
                                     "ratio": "other"}
    assert eff.loc["overall", "source"] == "x" and eff.loc["ratio", "source"] == "ratio"
