# lavaan 0.6.14 references for tests/sem/test_boot_formulas_lavaan.py: lavaan's bootstrap standard errors and
# its "perc" / "bca.simple" intervals computed from a fixed, stored set of draws, so that the package's
# formulas (percentile_ci, bca_ci, the SD divisors, BootstrapResult.parameter_estimates) are checked on the
# very same draws without running R at test time.
#
# Data: tests/reference/data/complete_800.csv (complete, 800 rows).  Model: three factors of the default
# model with a mediation (27 free parameters, 2 ":=").  Draws: lavaan's own bootstrap, sem(se = "bootstrap",
# bootstrap = 200, iseed = 2022); lavaan's SEs and intervals are those of that very fit, so nothing is
# patched into lavaan's internals.
#
# Writes, next to this script:
#   draws.csv  the 200 x 27 draws, lavaan's coef() column names and order, "%.17g" (they round-trip exactly):
#              the committed INPUT of the test;
#   refs.json  the model, B, lavaan's colnames, and parameterEstimates(fit, boot.ci.type = "perc" /
#              "bca.simple"): lhs, op, rhs, label, est, se, ci.lower, ci.upper (digits = NA: 15 significant).
#
#   Rscript tests/sem/boot_formula_refs/make_refs.R          (R 4.2.2, lavaan 0.6.14; ~10 s)
suppressPackageStartupMessages({library(lavaan); library(jsonlite)})
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
d <- read.csv(file.path(HERE, "..", "..", "reference", "data", "complete_800.csv"))
model <- "GOV =~ GOV1 + GOV2 + GOV3 + GOV4
COL =~ COL1 + COL2 + COL3 + COL4
INT =~ INT1 + INT2 + INT3 + INT4
COL ~ a*GOV
INT ~ b*COL + c*GOV
ind := a*b
tot := c + a*b
"
B <- 200L
fit <- sem(model, data = d, se = "bootstrap", bootstrap = B, iseed = 2022L)
boot <- lavInspect(fit, "boot")
stopifnot(nrow(boot) == B, length(attr(boot, "error.idx")) == 0L, ncol(boot) == 27L)
# the draws, as text that parses back to the same doubles
txt <- matrix(sprintf("%.17g", boot), nrow = nrow(boot))
stopifnot(identical(matrix(as.numeric(txt), nrow = nrow(boot)), unname(boot[, , drop = FALSE]) + 0))
writeLines(c(paste(colnames(boot), collapse = ","), apply(txt, 1, paste, collapse = ",")),
           file.path(HERE, "draws.csv"))
tab <- function(ty) {
  pe <- parameterEstimates(fit, boot.ci.type = ty)
  x <- as.data.frame(pe[, c("lhs", "op", "rhs", "label", "est", "se", "ci.lower", "ci.upper")])
  rownames(x) <- NULL
  x
}
out <- list(lavaan = as.character(packageVersion("lavaan")), data = "tests/reference/data/complete_800.csv",
            model = model, B = B, iseed = 2022L, colnames = colnames(boot),
            perc = tab("perc"), bca.simple = tab("bca.simple"))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, na = "null"), file.path(HERE, "refs.json"))
