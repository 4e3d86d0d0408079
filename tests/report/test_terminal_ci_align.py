"""The terminal's path lines keep their columns: the std.all value and the p column start at the same place on
every line, whatever the interval before them holds (a negative bound, a bound given more decimals so it reads
as non-zero, a missing interval).  Before, std.all moved one character right after each "−" in the CI (audit27,
cosmetic)."""
from iur_survey.report.terminal import terminal_summary


def _row(rhs, est, lo, hi, std, p):
    return {"lhs": "y", "op": "~", "rhs": rhs, "est": est, "se": 0.05, "pvalue": p, "ci.lower": lo, "ci.upper": hi,
            "std.all": std}


def _lines(rows, **extra):
    res = {"n": 300, "estimator": "ML", "missing": "listwise", "converged": True, "fit": {"chisq": 1.0, "df": 1},
           "estimates": rows, "r2": {"y": 0.3}, **extra}
    return [ln for ln in terminal_summary(res).splitlines() if ln.startswith("    y ~ ")]


def _columns(lines):
    """Where the p column starts on each line (std.all is right-aligned before it, with 3 places for stars)."""
    return {ln.index(" p ") for ln in lines}


def test_std_all_column_does_not_shift_after_negative_bounds():
    rows = [_row("a", 0.336, 0.244, 0.427, 0.306, 0.0001),
            _row("b", -0.047, -0.144, 0.050, -0.048, 0.344),
            _row("c", -0.4, -0.6, -0.2, -0.41, 0.0002),          # both bounds negative
            _row("d", 0.04, 0.0003, 0.08, 0.05, 0.049),          # a bound printed with 4 decimals (not zero)
            _row("e", 12.5, -140.25, 165.25, 0.01, 0.9)]         # wide numbers
    lines = _lines(rows)
    assert len(lines) == 5
    assert len(_columns(lines)) == 1, "\n".join(lines)
    assert "−0.048" in lines[1] and "[−0.144, 0.050]" in lines[1]


def test_missing_interval_keeps_the_column():
    rows = [_row("a", 0.3, 0.2, 0.4, 0.3, 0.001), _row("b", -0.2, None, None, -0.2, 0.01)]
    lines = _lines(rows)
    assert len(_columns(lines)) == 1, "\n".join(lines)


def test_large_estimates_keep_the_columns():
    """A b of five digits before the decimal point (variables on very different scales) widens its column for
    every line instead of pushing that line's SE, CI and std.all right."""
    rows = [_row("a", 0.3, 0.2, 0.4, 0.3, 0.001), _row("b", -12345.678, -15000.5, -9690.9, -0.2, 0.01),
            dict(_row("c", 0.2, 0.1, 0.3, 0.2, 0.02), se=1234.5)]
    lines = _lines(rows)
    assert len(_columns(lines)) == 1, "\n".join(lines)
    assert len({ln.index("[") for ln in lines}) == 1, "\n".join(lines)     # the CI starts at one place too


def test_groups_share_one_width():
    rows = [dict(_row("a", 0.3, 0.2, 0.4, 0.3, 0.001), group="u"),
            dict(_row("a", -0.3, -0.45, -0.15, -0.3, 0.001), group="v")]
    lines = _lines(rows, groups={"u": 150, "v": 150}, call={"options": {"group": "site"}})
    assert len(lines) == 2 and len(_columns(lines)) == 1, "\n".join(lines)
