"""lavaan model syntax: the parser's features, its errors (with line and column), and rendering back."""

from __future__ import annotations

import math

import pytest

from iur_survey.errors import ModelSyntaxError
from iur_survey.sem.partable import build_partable
from iur_survey.sem.syntax import parse_expression, parse_model, render_syntax


def rows(pm):
    return [(t.lhs, t.op, t.rhs) for t in pm.terms]


def test_operators_comments_separators_and_continuation():
    pm = parse_model("""
    # a comment line
    F =~ x1 + x2 +   ! trailing plus continues
         x3
       + x4          # a leading plus continues too
    y ~ F + z; z ~~ x1
    y ~ 1
    d := a*b
    """)
    assert rows(pm) == [("F", "=~", "x1"), ("F", "=~", "x2"), ("F", "=~", "x3"), ("F", "=~", "x4"),
                        ("y", "~", "F"), ("y", "~", "z"), ("z", "~~", "x1"), ("y", "~1", "")]
    assert [(c.lhs, c.op, c.rhs) for c in pm.constraints] == [("d", ":=", "a*b")]


def test_modifiers_fixed_free_label_start_and_merging():
    pm = parse_model("F =~ NA*x1 + a1*x1 + 0.5*x2 + start(0.7)*x3 + 1.2?x4 + label('q')*x5 + "
                     "equal(\"q\")*x6 + lower(0)*x7 + NA*b*x8 + -1.5e-1*x9")
    t = {x.rhs: x for x in pm.terms}
    assert math.isnan(t["x1"].fixed[0]) and t["x1"].labels == ("a1",)
    assert t["x2"].fixed == (0.5,)
    assert t["x3"].start == (0.7,) and t["x3"].fixed is None
    assert t["x4"].start == (1.2,)
    assert t["x5"].labels == ("q",) and t["x6"].labels == ("q",)
    assert t["x7"].lower == (0.0,)
    assert math.isnan(t["x8"].fixed[0]) and t["x8"].labels == ("b",)     # chained modifiers all apply
    assert t["x9"].fixed == (-0.15,)


def test_group_vectors_and_multiple_lhs():
    pm = parse_model("y1 + y2 ~ c(a, b)*x\nF =~ c(1, NA)*v1 + v2")
    assert rows(pm)[:2] == [("y1", "~", "x"), ("y2", "~", "x")]
    assert pm.terms[0].labels == ("a", "b")
    assert pm.terms[2].fixed[0] == 1.0 and math.isnan(pm.terms[2].fixed[1])


def test_intercept_forms():
    pm = parse_model("y ~ 1\nz ~ 0\nw ~ m*1\nv ~ 2*1")
    assert rows(pm) == [("y", "~1", ""), ("z", "~1", ""), ("w", "~1", ""), ("v", "~1", "")]
    assert pm.terms[1].fixed == (0.0,) and pm.terms[2].labels == ("m",) and pm.terms[3].fixed == (2.0,)


def test_group_blocks():
    pm = parse_model("group: a\nF =~ x1 + x2\ngroup: b\nF =~ x1 + x2")
    assert pm.blocks == [("group", "a"), ("group", "b")]
    assert [t.block for t in pm.terms] == [1, 1, 2, 2]


@pytest.mark.parametrize("syntax, line, col, text", [
    ("F =~ x1 + x2\nF ~ 2x", 2, 6, "modifier needs '*'"),
    ("F =~ x1 +\n", 1, 10, "ends with '+'"),
    ("F =~ x1 + x2\n  x3 x4", 2, 3, "separated by '+'"),   # the line continues the one above
    ("x1 x2", 1, 1, "no operator"),
    ("F =~ x1 + x2\nF =~ x3 + x1", 2, 11, "duplicate model element F =~ x1"),
    ("a ~~ b\nb ~~ a", 2, 6, "duplicate model element"),
    ("F =~ x1 + F", 1, 11, "measured by itself"),
    ("F =~ x1 + x2\nF <~ x3", 2, 3, "formative indicators"),
    ("F =~ x1:x2", 1, 8, "interaction terms"),
    ("F =~ 0.5*", 1, 10, "expected a variable name"),
    ("F =~ a*b*x1", 1, 8, "conflicting labels"),
    ("F =~ x1\nd := a* ", 2, 8, "unexpected end"),
    ("F =~ if + x2", 1, 6, "reserved word"),
    ("F =~ x1 + foo(1)*x2", 1, 11, "unknown modifier foo()"),
    ("y ~ x\nd := sqrtt(a)", 2, 6, "unknown function 'sqrtt'"),
    ("F =~ x1 @ x2", 1, 9, "unexpected character '@'"),
    ("F =~ x1 = x2", 1, 9, "separated by '+'"),
    ("a*F =~ x1", 1, 1, "left-hand side"),
    ("F =~ x1 + x2 ~ x3", 1, 14, "a second operator"),
    ("F =~ NA*x1 + 1*x1", 1, 16, "conflicting fixed"),
])
def test_errors_name_line_and_column(syntax, line, col, text):
    with pytest.raises(ModelSyntaxError) as exc:
        parse_model(syntax, source="m.lav")
    err = exc.value
    assert (err.row, err.column) == (line, str(col)), str(err)
    assert text in err.message
    assert str(err).startswith(f"m.lav:{line}:{col}: ")


def test_empty_and_constraint_only_syntax():
    with pytest.raises(ModelSyntaxError, match="empty model syntax"):
        parse_model("  \n\t\n")
    with pytest.raises(ModelSyntaxError, match="no statement"):
        parse_model("   \n# only a comment\n")
    with pytest.raises(ModelSyntaxError, match="no model element"):
        parse_model("d := a*b")


def test_expressions_follow_r_precedence():
    from iur_survey.sem.defined import evaluate
    env = {"a": 2.0, "b": 3.0}
    cases = {"-a^2": -4.0, "a*b+1": 7.0, "a/b*3": 2.0, "(a+b)^2/5": 5.0, "2^3^2": 512.0, "a-b-1": -2.0,
             "sqrt(b*3)+exp(0)": 4.0, "a**2": 4.0}
    for text, want in cases.items():
        assert evaluate(parse_expression(text), env) == pytest.approx(want), text


DEFAULT = open("tests/reference/models/default.lav", encoding="utf-8").read()


@pytest.mark.parametrize("syntax", [
    DEFAULT,
    "F =~ NA*x1 + a*x2 + x3 + 0.5*x4\nF ~~ 1*F\ny ~ b*F + c(1)*z\ny ~ 1\nx1 ~~ x2\nd := a*b",
    "F1 =~ x1 + x2 + x3\nF2 =~ x4 + x5 + x6\nH =~ F1 + F2\nF1 ~~ 0*F2\nq := sqrt(2)*1",
])
@pytest.mark.parametrize("explicit", [False, True])
def test_render_round_trip_gives_the_same_parameter_table(syntax, explicit):
    pt1 = build_partable(syntax)
    text = render_syntax(pt1, explicit=explicit)
    pt2 = build_partable(text)
    key = ["lhs", "op", "rhs", "free", "ustart", "exo", "label"]
    a = pt1.to_frame()[key].sort_values(["lhs", "op", "rhs"]).reset_index(drop=True)
    b = pt2.to_frame()[key].sort_values(["lhs", "op", "rhs"]).reset_index(drop=True)
    a["free"] = a["free"] > 0
    b["free"] = b["free"] > 0
    assert a.equals(b), text
    if not explicit:
        assert [r for r in zip(pt1.lhs, pt1.op, pt1.rhs)] == [r for r in zip(pt2.lhs, pt2.op, pt2.rhs)]


def test_chained_modifiers_warn_that_lavaan_reads_them_otherwise():
    # lavaan 0.6.14 keeps only the label of NA*a*x1 / 0.5*b*x (tests/sem/fixtures value_and_label shows the
    # repeated-term form it reads as meant); the fit applies every modifier and says lavaan would not
    import numpy as np
    import pandas as pd

    from iur_survey.sem import sem
    from iur_survey.sem.syntax import chained_modifier_warnings

    pm = parse_model("F =~ NA*a*x1 + x2 + 0.5?b*x3\ny ~ 0.5*c*F\nF ~~ 1*F")
    said = chained_modifier_warnings(pm)
    assert [w.split(" (line")[0] for w in said] == ["F =~ NA*a*x1", "F =~ 0.5?b*x3", "y ~ 0.5*c*F"]
    assert not chained_modifier_warnings(parse_model("F =~ NA*x1 + a*x1 + x2\ny ~ a*F + 0.5*F"))
    rng = np.random.default_rng(7)
    f = rng.standard_normal(200)
    d = pd.DataFrame({f"x{i}": 0.7 * f + rng.standard_normal(200) * 0.6 for i in (1, 2, 3)})
    res = sem("F =~ NA*a*x1 + x2 + x3\nF ~~ 1*F", d, warn=False)
    assert any(w.startswith("F =~ NA*a*x1 (line 1)") and "lavaan 0.6.14 keeps only the label" in w
               for w in res.warnings)


def test_group_block_labels_unquoted_with_a_hyphen_and_matched_by_position():
    # lavaan accepts 'group: Grant-White' and fits the k-th block to the k-th data group whatever its label
    import numpy as np
    import pandas as pd

    from iur_survey.sem import sem

    assert parse_model("group: Grant-White\nF =~ a + b\ngroup: 'P'\nF =~ a + b").blocks == [
        ("group", "Grant-White"), ("group", "P")]
    with pytest.raises(ModelSyntaxError, match="a block line is 'group: <label>'"):
        parse_model("group: a + b\nF =~ x1 + x2")
    rng = np.random.default_rng(3)
    f = rng.standard_normal(240)
    d = pd.DataFrame({f"x{i}": 0.7 * f + rng.standard_normal(240) * 0.6 for i in (1, 2, 3)})
    d["g"] = np.repeat(["P", "GW"], 120)
    m = "group: GW\nF =~ x1 + x2 + x3\ngroup: P\nF =~ x1 + x2 + x3"
    res = sem(m, d, group="g", warn=False)
    assert any("matched to the data's groups by position" in w and "block 'GW' -> group 'P'" in w
               for w in res.warnings)
    res2 = sem(m.replace("GW", "X").replace("group: P", "group: GW").replace("group: X", "group: P"), d, group="g",
               warn=False)
    assert not any("by position" in w for w in res2.warnings)


def test_signed_value_after_plus_and_start_vector_as_lavaan():
    # lavaan reads 'x4 + +1*x5' (a fixed +1) and start(c(0.5, 0.6))*x (one start value per group)
    assert [(t.rhs, t.fixed) for t in parse_model("F =~ x4 + +1*x5 + x6").terms][1] == ("x5", (1.0,))
    t = parse_model("F =~ x1 + start(c(0.5, 0.6))*x2 + x3").terms[1]
    assert t.start == (0.5, 0.6) and t.fixed is None
    with pytest.raises(ModelSyntaxError, match="empty term"):
        parse_model("F =~ x1 + + x2")


def test_quoted_label_loses_its_spaces_as_in_lavaan():
    # lavaan removes the whitespace of the syntax before reading it: label("a b") is the label "ab"
    pm = parse_model('F =~ x1 + label("a b")*x2 + "a b"*x3')
    assert [t.label for t in pm.terms] == ["", "ab", "ab"]


def test_definition_on_a_fixed_label_is_said():
    """`d := 2*a + b` with `a` the marker loading: lavaan 0.6.14 stops ("lavaan ERROR: non-free parameter(s) in
    variable definition(s): a"; checked with cfa() on HolzingerSwineford1939); here `a` is the constant 1, and
    the fit says that lavaan refuses the model.  Free under std.lv, or labelled per group: nothing to say."""
    import warnings

    import pandas as pd

    from iur_survey.sem import sem

    d = pd.read_csv("tests/reference/data/hs1939.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sem("visual =~ a*x1 + b*x2 + x3\nd := 2*a + b", d)
        said = [w for w in res.warnings if "non-free parameter(s) in variable definition(s): a" in w]
        assert len(said) == 1 and "a labels a fixed parameter (visual =~ x1, fixed at 1.0)" in said[0]
        pe = res.parameter_estimates().set_index("lhs")
        b = res.parameter_estimates().query("label == 'b'")["est"].item()
        assert pe.loc["d", "est"] == pytest.approx(2.0 + b, abs=1e-12)
        free = sem("visual =~ a*x1 + b*x2 + x3\nd := 2*a + b", d, std_lv=True)
        assert not any("non-free" in w for w in free.warnings)
