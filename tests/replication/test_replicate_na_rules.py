"""replicate.R on a bootstrap with failed draws and on an improper solution (no R needed: the script text).

* lavaan 0.6.14 gives a := row's bootstrap SE (z, p) as NA once one of its draws failed (its bug #273, fixed in
  0.6-16; tests/sem/boot_fail_refs records it); replicate.R recomputes it from the successful draws (0.6-16's
  rule, the package's) for the comparison and prints a note, instead of a FAIL on "ours 1.39 lavaan NA";
* an r2 that is NA in both (a negative residual variance: lavaan and the package give NA) is equal, not Inf.
Measured on HolzingerSwineford1939's first 40 rows (3-factor CFA, ab := a*b, B = 100): before, "ab se: ours
1.39503 lavaan NA" and "FAIL r2 max |diff| Inf"; after, a note (43 of 100 draws failed) and "PASS r2".
"""

from __future__ import annotations

from iur_survey.replication.rscript import replicate_script

OPTS = {"estimator": "ML", "missing": "listwise", "group": None, "group_equal": [], "se": "bootstrap",
        "information": None, "bootstrap": {"R": 100, "seed": 7}}


def test_defined_se_of_failed_draws_is_recomputed_by_lavaans_fixed_rule():
    s = replicate_script(OPTS)
    assert 'err <- attr(BOOT, "error.idx")' in s and "BOOT[-err, , drop = FALSE]" in s
    assert "fit@Model@def.function" in s and "apply(D, 1L, sd)" in s        # sd: divisor n - 1, as cov()
    assert s.index("boot_note <- \"\"") > s.index('write.csv(pe, p("lavaan", "estimates.csv")')   # files: lavaan's
    assert 'cat("     note:", boot_note' in s


def test_r2_na_in_both_is_equal():
    s = replicate_script(dict(OPTS, se="standard", bootstrap=None))
    # one helper (the preamble's absdiff) gives both-NA a difference of 0; the r2 table uses it
    assert "absdiff <- function(a, b, both_na = 0) { d <- abs(a - b); d[is.na(a) & is.na(b)] <- both_na;" in s
    assert "  d <- absdiff(a, b)                    # both NA: an improper solution's r2" in s
