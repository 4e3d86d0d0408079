# Standardized bootstrap solutions from lavaan 0.6.14, the reference of tests/sem/test_bootstrap_std.py.
#
#   Rscript tests/sem/boot_std_refs/make_boot_std_refs.R        (from the repository root; ~2 minutes)
#
# lavaan's way to bootstrap the standardized solution: bootstrapLavaan(fit, FUN = ...) refits every draw
# and applies standardizedSolution() to it.  Per draw we keep coef() (the free parameters), the value of
# every parameter-table row (parameterEstimates()$est, which carries the draw's fixed.x values) and
# est.std (type = "std.all"); then, per row, the SD of the draws (sd(), divisor B - 1) and the percentile
# ("perc") 95% limits with the order-statistic interpolation that lavaan's parameterEstimates() copies from
# the boot package (boot:::norm.inter); a row whose draws do not vary: se 0, limits = est.std.
suppressPackageStartupMessages({library(lavaan); library(jsonlite)})
norm.inter <- boot:::norm.inter

d <- read.csv("tests/reference/data/complete_800.csv")
cases <- list(
  default = list(model = paste(readLines("tests/reference/models/default.lav"), collapse = "\n"), R = 250L),
  fixedx = list(model = paste("F =~ COL1 + COL2 + COL3 + COL4",
                              "F ~ a*GOV1 + MKT1",
                              "INT1 ~ b*F + GOV1",
                              "ab := a*b", sep = "\n"), R = 250L)
)
out <- list()
for (nm in names(cases)) {
  cs <- cases[[nm]]
  fit <- sem(cs$model, data = d)
  ss <- standardizedSolution(fit, type = "std.all", se = FALSE, zstat = FALSE, pvalue = FALSE, ci = FALSE)
  pe <- parameterEstimates(fit, se = FALSE, zstat = FALSE, pvalue = FALSE, ci = FALSE)
  npar <- length(coef(fit))
  nrow_ <- nrow(ss)
  FUN <- function(x) {
    s <- standardizedSolution(x, type = "std.all", se = FALSE, zstat = FALSE, pvalue = FALSE, ci = FALSE)
    c(coef(x), parameterEstimates(x, se = FALSE, zstat = FALSE, pvalue = FALSE, ci = FALSE)$est, s$est.std)
  }
  BOOT <- bootstrapLavaan(fit, R = cs$R, FUN = FUN, iseed = 2022L)
  ok <- stats::complete.cases(BOOT)
  BOOT <- BOOT[ok, , drop = FALSE]
  coefs <- BOOT[, seq_len(npar), drop = FALSE]
  ests <- BOOT[, npar + seq_len(nrow(pe)), drop = FALSE]
  stds <- BOOT[, npar + nrow(pe) + seq_len(nrow_), drop = FALSE]
  t0 <- ss$est.std
  # norm.inter returns (rank, value) pairs: keep the values
  pv <- apply(stds, 2, function(t) norm.inter(t, c(0.025, 0.975))[, 2])
  sdv <- apply(stds, 2, sd)
  const <- apply(stds, 2, function(t) var(t) == 0)
  pv[, const] <- rbind(t0[const], t0[const])
  sdv[const] <- 0
  out[[nm]] <- list(
    model = cs$model, R = cs$R, ok = sum(ok),
    coef_names = names(coef(fit)),
    lhs = ss$lhs, op = ss$op, rhs = ss$rhs, est_std = t0,
    pe_lhs = pe$lhs, pe_op = pe$op, pe_rhs = pe$rhs,
    coef = unname(coefs), est = unname(ests), std = unname(stds),
    se = unname(sdv),
    perc_lo = unname(pv[1, ]), perc_hi = unname(pv[2, ]))
}
out$lavaan <- as.character(packageVersion("lavaan"))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, matrix = "rowmajor"),
           "tests/sem/boot_std_refs/boot_std.json")
