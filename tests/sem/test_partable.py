"""The parameter table equals lavaan 0.6.14's parTable() row by row.

The lavaan tables are fixtures made by tests/sem/make_fixtures.R (sem(..., do.fit = FALSE)) for the models in
tests/sem/fixtures/partable_models.json: defaults (auto.fix.first, auto.var, auto.cov.lv.x, auto.cov.y),
fixed.x covariates, shared labels, intercepts, NA*, single indicators, higher-order factors, std.lv, groups
with group.equal (also with fixed.x = FALSE: the covariates' means and variances stay free per group), label
vectors with an NA (lavaan drops it: c(a, NA)*x is one label shared by the groups).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from iur_survey.errors import ModelSyntaxError
from iur_survey.sem.partable import build_partable

FIX = Path(__file__).resolve().parent / "fixtures"
MODELS = json.loads((FIX / "partable_models.json").read_text())
LAVAAN = json.loads((FIX / "lavaan_partables.json").read_text())


def ours_for(name: str):
    m = MODELS[name]
    opts = m["options"]
    kw = {}
    if "group" in opts:
        labels = LAVAAN[name]["group_labels"]
        labels = [labels] if isinstance(labels, str) else labels
        kw.update(ngroups=len(labels), group_labels=labels, meanstructure=True)
    if "group.equal" in opts:
        ge = opts["group.equal"]
        kw["group_equal"] = [ge] if isinstance(ge, str) else ge
    if "group.partial" in opts:
        gp = opts["group.partial"]
        kw["group_partial"] = [gp] if isinstance(gp, str) else gp
    if opts.get("std.lv"):
        kw["std_lv"] = True
    if opts.get("meanstructure"):
        kw["meanstructure"] = True
    if "fixed.x" in opts:
        kw["fixed_x"] = bool(opts["fixed.x"])
    return build_partable(m["model"], **kw)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_partable_matches_lavaan(name):
    ref = pd.DataFrame(LAVAAN[name]["partable"])
    ours = ours_for(name).to_frame()
    assert len(ours) == len(ref), f"{len(ours)} rows, lavaan {len(ref)}"
    for col in ("lhs", "op", "rhs", "user", "block", "group", "free", "exo", "label", "plabel"):
        a = ours[col].astype(str).tolist()
        b = ref[col].fillna("").astype(str).tolist()
        bad = [(i + 1, x, y) for i, (x, y) in enumerate(zip(a, b)) if x != y]
        assert not bad, f"column {col}: (row, ours, lavaan) {bad[:5]}"
    for i, (x, y) in enumerate(zip(ours["ustart"], ref["ustart"])):
        if y is None or (isinstance(y, float) and math.isnan(y)):
            assert math.isnan(x), f"row {i + 1}: ustart {x}, lavaan NA"
        else:
            assert x == pytest.approx(y), f"row {i + 1}"


@pytest.mark.parametrize("name", sorted(MODELS))
def test_number_of_parameters_counts_equalities_once(name):
    assert ours_for(name).npar == LAVAAN[name]["npar"]


def test_shared_labels_share_one_parameter():
    pt = build_partable("F =~ x1 + a*x2 + a*x3\ny ~ b*F\nz ~ b*F")
    idx = {f"{l}{o}{r}": k for l, o, r, k in zip(pt.lhs, pt.op, pt.rhs, pt.par_index)}
    assert idx["F=~x2"] == idx["F=~x3"] >= 0
    assert idx["y~F"] == idx["z~F"] >= 0
    assert pt.nfree - pt.npar == 2
    sys_eq = [(l, r) for l, o, r, u in zip(pt.lhs, pt.op, pt.rhs, pt.user) if o == "==" and u == 2]
    assert len(sys_eq) == 2


def test_user_equality_between_labels_is_merged():
    pt = build_partable("F =~ x1 + a*x2 + b*x3\na == b")
    i2, i3 = pt.lhs.index("F") + 1, pt.lhs.index("F") + 2
    assert pt.par_index[i2] == pt.par_index[i3]
    assert pt.npar == 5     # the merged loading + 3 residual variances + the factor variance (lavaan: 6 free - 1 ==)


@pytest.mark.parametrize("syntax, text", [
    ("F =~ x1 + x2\na < 1", "inequality constraints"),
    ("F =~ x1 + a*x2\nb := a*c", "unknown label 'c'"),
    ("F =~ x1 + a*x2 + b*x3\na == 2*q", "unknown label 'q'"),
    ("F =~ x1 + a*x2\na := 2", "already a parameter label"),
])
def test_constraint_errors(syntax, text):
    with pytest.raises(ModelSyntaxError, match=text) as exc:
        build_partable(syntax)
    assert exc.value.row == 2


def test_unknown_group_equal_name_is_an_error_not_an_unconstrained_fit():
    """A typo in group.equal must not silently fit the unconstrained model."""
    import pytest

    from iur_survey.errors import ModelSyntaxError
    from iur_survey.sem.partable import build_partable

    with pytest.raises(ModelSyntaxError, match="loading"):
        build_partable("F =~ x1 + x2 + x3", ngroups=2, group_equal=["loading"])
    pt = build_partable("F =~ x1 + x2 + x3", ngroups=2, group_equal=["loadings"])
    assert pt.npar < build_partable("F =~ x1 + x2 + x3", ngroups=2).npar


@pytest.mark.parametrize("mod", ["lower(0.5)*x2", "upper(0.3)*x2"])
def test_bounds_are_refused_not_ignored(mod):
    # lavaan keeps the estimate within lower()/upper(); this engine has no bounds, so it must not fit them
    with pytest.raises(ModelSyntaxError, match=r"bounds \(F =~ x2\) are not supported"):
        build_partable(f"F =~ x1 + {mod} + x3")
    with pytest.raises(ModelSyntaxError, match=r"x2 ~~ x2"):
        build_partable("F =~ x1 + x2 + x3\nx2 ~~ lower(0)*x2")


def test_label_vector_with_na_is_one_shared_label_and_says_so():
    from iur_survey.sem.partable import group_warnings
    from iur_survey.sem.syntax import parse_model

    pm = parse_model("F =~ x1 + c(a, NA)*x2 + x3")
    pt = build_partable(pm, ngroups=2, meanstructure=True)
    rows = [i for i in range(len(pt)) if pt.lhs[i] == "F" and pt.rhs[i] == "x2"]
    assert [pt.label[i] for i in rows] == ["a", "a"]
    assert len({int(pt.par_index[i]) for i in rows}) == 1
    said = group_warnings(pm, pt)
    assert any("NA is dropped from a label vector" in w and "'a'" in w for w in said)
    pt1 = build_partable("F =~ x1 + c(NA, NA)*x2 + x3", ngroups=2, meanstructure=True)
    assert all(lab == "" for lab in pt1.label if lab is not None)


def test_rendered_value_and_label_is_read_by_lavaan_as_written():
    # lavaan 0.6.14 keeps only the label of a chained NA*a*x / 0.5*b*x; render_syntax writes the value and the
    # label as repeated terms, which lavaan reads as meant: the fixture model "value_and_label" is that rendering,
    # and its lavaan table (lavaan_partables.json) is compared with ours row by row above
    from iur_survey.sem.syntax import render_syntax

    pt = build_partable("GOV =~ NA*a*GOV1 + GOV2 + a*GOV3\nGOV ~~ 1*GOV\nCOL =~ COL1 + COL2 + COL3\n"
                        "COL ~ 0.5*b*GOV + MKT1\nCOL1 ~~ 0.1*e*COL2")
    assert render_syntax(pt) + "\n" == MODELS["value_and_label"]["model"]
    ref = pd.DataFrame(LAVAAN["value_and_label"]["partable"])
    assert pt.free == ref["free"].tolist()
    assert pt.npar == LAVAAN["value_and_label"]["npar"]
